//! The `exchange-sim` binary: `exchange-sim serve --listen 127.0.0.1:PORT
//! --data DIR [--tls] [--user ADDR:PASSWORD[:Display Name]]…
//! [--bearer ADDR=TOKEN]… [--ntlm] [--faults JSON] [--exchange-cookies]`
//! (`exchange-sim serve --help` lists every option).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use exchange_sim::auth::WithNtHashes;
use exchange_sim::auth::ntlm::Ntlmv2;
use exchange_sim::config::{BearerToken, CookieNames, SimConfig};
use exchange_sim::server::Simulator;
use exchange_sim::store::{NewMailbox, Store, StoreError};

/// An Exchange stand-in speaking MAPI over HTTP (tests and the demo).
#[derive(Parser, Debug)]
#[command(name = "exchange-sim", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve MAPI/HTTP, Autodiscover and /health until Ctrl-C.
    Serve(ServeArgs),
    /// Create the demo users and deterministic demo content in a data dir.
    Seed(SeedArgs),
}

#[derive(clap::Args, Debug)]
struct SeedArgs {
    /// Data directory (created if missing).
    #[arg(long)]
    data: PathBuf,
    /// Users to seed, comma-separated (`alice` = alice@example.test).
    #[arg(long, value_delimiter = ',', default_value = "alice,bob")]
    users: Vec<String>,
    /// Messages per user.
    #[arg(long, default_value_t = 20)]
    messages: u32,
    /// PRNG seed: the same seed gives the same content.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn seed(args: SeedArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.data).with_context(|| format!("creating {}", args.data.display()))?;
    let store = Store::open(&args.data).with_context(|| format!("opening store in {}", args.data.display()))?;
    let report = exchange_sim::seed::seed(
        &store,
        &exchange_sim::seed::SeedOptions { users: args.users, messages: args.messages, seed: args.seed },
    )?;
    println!(
        "seeded {} messages, {} drafts, {} contacts and lists, {} calendar items, {} tasks, {} notes, {} team messages in {}",
        report.messages,
        report.drafts,
        report.contacts,
        report.appointments,
        report.tasks,
        report.notes,
        report.team_messages,
        args.data.display()
    );
    Ok(())
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Data directory (store and TLS certificate).
    #[arg(long)]
    data: PathBuf,
    /// Serve HTTPS with a self-signed certificate kept in the data dir.
    #[arg(long)]
    tls: bool,
    /// Base URL Autodiscover advertises (default: from the Host header).
    #[arg(long)]
    public_url: Option<String>,
    /// Create this user if missing: ADDRESS:PASSWORD[:Display Name].
    #[arg(long = "user")]
    users: Vec<String>,
    /// Accept a Bearer token for a user: ADDRESS=TOKEN.
    #[arg(long = "bearer")]
    bearer: Vec<String>,
    /// Use Exchange's cookie names (MapiContext/MapiSequence) instead of
    /// sid/sequence.
    #[arg(long)]
    exchange_cookies: bool,
    /// Idle session expiry in seconds.
    #[arg(long, default_value_t = 900)]
    session_expiry_secs: u64,
    /// X-PendingPeriod in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    pending_period_ms: u64,
    /// Largest request body in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    max_body: usize,
    /// Faults active from the start, as the JSON of `POST /admin/faults`,
    /// e.g. '{"latency_ms": 200, "busy_fraction": 0.1}'.
    #[arg(long)]
    faults: Option<String>,
    /// Do not serve /admin/faults.
    #[arg(long)]
    no_admin: bool,
    /// Accept NTLM (and raw NTLM under Negotiate) for the `--user` accounts
    /// (their NT hashes are kept in memory only).
    #[arg(long)]
    ntlm: bool,
}

fn ensure_users(store: &Store, users: &[String]) -> anyhow::Result<()> {
    for spec in users {
        let mut parts = spec.splitn(3, ':');
        let address = parts.next().unwrap_or_default();
        let password = parts.next().context("--user needs ADDRESS:PASSWORD")?;
        let display =
            parts.next().map_or_else(|| address.split('@').next().unwrap_or(address).to_owned(), str::to_owned);
        match store.create_mailbox(&NewMailbox {
            address,
            display_name: &display,
            legacy_dn: None,
            password: Some(password),
            ..NewMailbox::default()
        }) {
            Ok(_) => {}
            Err(StoreError::DuplicateName(_)) => store.set_password(address, Some(password))?,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let store = Store::open(&args.data).with_context(|| format!("opening store in {}", args.data.display()))?;
    ensure_users(&store, &args.users)?;
    let mut config = SimConfig::new(args.listen);
    config.data_dir = Some(args.data.clone());
    config.tls = args.tls;
    config.public_url = args.public_url;
    config.session_expiry = Duration::from_secs(args.session_expiry_secs);
    config.pending_period = Duration::from_millis(args.pending_period_ms.max(1));
    config.max_request_body = args.max_body;
    if let Some(f) = &args.faults {
        config.faults = serde_json::from_str(f).context("--faults")?;
    }
    config.admin = !args.no_admin;
    if args.exchange_cookies {
        config.cookies = CookieNames::exchange();
    }
    for b in &args.bearer {
        let (user, token) = b.split_once('=').context("--bearer needs ADDRESS=TOKEN")?;
        config.bearer_tokens.push(BearerToken { token: token.to_owned(), user: user.to_owned() });
    }
    let mut sim = Simulator::new(config).with_store(store.clone());
    if args.ntlm {
        let dir = WithNtHashes::new(Arc::new(store));
        for spec in &args.users {
            if let Some((address, rest)) = spec.split_once(':') {
                dir.set_password(address, rest.split(':').next().unwrap_or(rest));
            }
        }
        sim = sim.with_directory(Arc::new(dir)).with_ntlm(Arc::new(Ntlmv2::default()));
    }
    let sim = sim.run().await?;
    println!("exchange-sim listening on {}", sim.base_url());
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match cli.command {
        Command::Serve(args) => rt.block_on(serve(args)),
        Command::Seed(args) => seed(args),
    }
}
