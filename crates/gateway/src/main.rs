//! `mapibridge`: IMAP, SMTP (and later CalDAV/CardDAV) in front of Exchange's
//! MAPI over HTTP.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gateway::check::{self, CheckArgs};
use gateway::demo::{self, DemoArgs};
use gateway::dns::DnsArgs;
use gateway::inspect::{self, InspectArgs};
use gateway::login::{LoginArgs, PasswdArgs};
use gateway::serve::{self, ServeArgs};

/// IMAP/SMTP in front of Microsoft Exchange, speaking MAPI over HTTP to it.
#[derive(Parser, Debug)]
#[command(name = "mapibridge", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the gateway on 127.0.0.1 in front of a built-in Exchange simulator with demo accounts.
    Demo(DemoArgs),
    /// Run the gateway from a configuration file until SIGINT/SIGTERM (SIGHUP reloads the certificate).
    Serve(ServeArgs),
    /// Diagnose one user's path to Exchange step by step (DNS, Autodiscover, TLS, auth, Connect, Logon, NSPI).
    Check(CheckArgs),
    /// Decode recorded MAPI over HTTP bodies (MAPIBRIDGE_TRACE_DIR files, captures) into a tree or JSON.
    Inspect(InspectArgs),
    /// Print the DNS records (RFC 6186/8314 SRV, autoconfig) to publish for the configured domains.
    Dns(DnsArgs),
    /// Sign a user in to Exchange Online (OAuth device flow) and store the refresh token encrypted.
    Login(LoginArgs),
    /// Set the gateway password an Exchange Online (auth = "oauth") user's mail clients log in with.
    Passwd(PasswdArgs),
    /// Warm the running gateway's MIME cache with one user's messages (progress bar on a terminal).
    Prefetch(gateway::prefetch::PrefetchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mapibridge: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command {
        Command::Demo(args) => {
            if let Err(e) = gateway::logging::init(args.log_format, "warn,gateway=info") {
                eprintln!("mapibridge: {e}");
                return ExitCode::FAILURE;
            }
            let mut stdout = std::io::stdout();
            runtime.block_on(demo::run(args, &mut stdout))
        }
        Command::Check(args) => {
            if let Err(e) = gateway::logging::init(gateway::config::LogFormat::Text, "warn") {
                eprintln!("mapibridge: {e}");
                return ExitCode::FAILURE;
            }
            let mut stdout = std::io::stdout();
            match runtime.block_on(check::run(args, &mut stdout)) {
                Ok(true) => Ok(()),
                Ok(false) => return ExitCode::from(1),
                Err(e) => Err(e),
            }
        }
        Command::Serve(args) => match gateway::config::Config::load(&args.config) {
            Ok(config) => {
                if let Err(e) = gateway::logging::init(config.log.format, config.log.level.get_ref()) {
                    eprintln!("mapibridge: {e}");
                    return ExitCode::FAILURE;
                }
                runtime.block_on(serve::run(config))
            }
            Err(e) => Err(e.into()),
        },
        Command::Dns(args) => {
            gateway::config::Config::load(&args.config).map_err(anyhow::Error::from).and_then(|config| {
                let text = gateway::dns::records(&config, gateway::frontends::FrontEnds::missing_from_build)
                    .map_err(anyhow::Error::msg)?;
                print!("{text}");
                Ok(())
            })
        }
        Command::Login(args) => {
            if let Err(e) = gateway::logging::init(gateway::config::LogFormat::Text, "warn") {
                eprintln!("mapibridge: {e}");
                return ExitCode::FAILURE;
            }
            runtime.block_on(gateway::login::login(args, &mut std::io::stdout()))
        }
        Command::Passwd(args) => runtime.block_on(gateway::login::passwd(args, &mut std::io::stdout())),
        Command::Prefetch(args) => runtime.block_on(gateway::prefetch::run(args, &mut std::io::stdout())),
        Command::Inspect(args) => match inspect::run(&args, &mut std::io::stdout()) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mapibridge: {e:#}");
            ExitCode::FAILURE
        }
    }
}
