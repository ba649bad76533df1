//! `mapibridge demo`: the whole gateway on 127.0.0.1 in front of an
//! in-process Exchange simulator, with demo accounts, so a person can point
//! Thunderbird at it within seconds.
//!
//! The data directory keeps the simulator's mailboxes (seeded on the first
//! run only), the self-signed certificate the TLS listeners use (so a client
//! that accepted it once keeps trusting it) and the gateway's state.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use exchange_sim::config::SimConfig;
use exchange_sim::seed::{self, SeedOptions};
use exchange_sim::server::Simulator;
use exchange_sim::store::Store;

use crate::config::{LogFormat, PlaintextLogin};
use crate::frontends::{DAV_PREFIX, FrontEndEnv, FrontEnds, ListenerSpec, Protocol, Security};
use crate::metrics::Metrics;
use crate::server::{GatewayPlan, ListenerStatus, RunningGateway};
use crate::tls::{self, ReloadableCert};

/// The line printed once every listener accepts connections.
pub const READY_LINE: &str = "mapibridge demo ready";
/// How long start-up may take before the demo gives up.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// `mapibridge demo` options.
#[derive(clap::Args, Clone, Debug)]
pub struct DemoArgs {
    /// Data directory [default: $XDG_DATA_HOME/mapibridge/demo, else
    /// ~/.local/share/mapibridge/demo].
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// IMAP with STARTTLS (0: any free port).
    #[arg(long, default_value_t = 10143)]
    pub imap_port: u16,
    /// IMAP over implicit TLS.
    #[arg(long, default_value_t = 10993)]
    pub imaps_port: u16,
    /// SMTP submission with STARTTLS.
    #[arg(long, default_value_t = 10587)]
    pub smtp_port: u16,
    /// HTTP: autoconfig, health, readiness, metrics, CalDAV/CardDAV.
    #[arg(long, default_value_t = 10080)]
    pub http_port: u16,
    /// The Exchange simulator's MAPI over HTTP, to inspect it.
    #[arg(long, default_value_t = 10081)]
    pub exchange_port: u16,
    /// Messages per user seeded on the first run.
    #[arg(long, default_value_t = 20)]
    pub messages: u32,
    /// Log format on stderr.
    #[arg(long, value_enum, default_value = "text")]
    pub log_format: LogFormat,
}

/// The per-user default data directory.
pub fn default_data_dir() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(std::env::var_os("HOME").filter(|v| !v.is_empty())?).join(".local/share"),
    };
    Some(base.join("mapibridge").join("demo"))
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// Runs the demo until SIGINT/SIGTERM, writing the summary to `out`.
pub async fn run(args: DemoArgs, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut stop = crate::signals::Terminate::install().context("installing the SIGINT/SIGTERM handlers")?;
    let data = match &args.data_dir {
        Some(d) => d.clone(),
        None => default_data_dir().context("no --data-dir given and neither XDG_DATA_HOME nor HOME is set")?,
    };
    let exchange_dir = data.join("exchange");
    std::fs::create_dir_all(&exchange_dir).with_context(|| format!("creating {}", exchange_dir.display()))?;

    let store = Store::open(&exchange_dir)
        .with_context(|| format!("opening the simulator's store in {}", exchange_dir.display()))?;
    let seeded_now = if store.mailboxes().context("reading the simulator's mailboxes")?.is_empty() {
        let options = SeedOptions { messages: args.messages, ..SeedOptions::default() };
        let report = seed::seed(&store, &options).context("seeding the demo mailboxes")?;
        tracing::info!(messages = report.messages, contacts = report.contacts, "seeded the demo mailboxes");
        true
    } else {
        false
    };

    let mut sim_config = SimConfig::new(loopback(args.exchange_port));
    sim_config.data_dir = Some(exchange_dir.clone());
    let sim = Simulator::new(sim_config).with_store(store).run().await.map_err(|e| match e {
        exchange_sim::server::SimError::Io(io) if io.kind() == std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
            "--exchange-port {}: address in use (another demo running? pass --exchange-port 0 for any free port)",
            args.exchange_port
        ),
        other => anyhow::Error::new(other).context("starting the Exchange simulator"),
    })?;

    let cert_paths = tls::self_signed(&data.join("tls"), &["localhost".to_owned(), "127.0.0.1".to_owned()])
        .context("creating the demo certificate")?;
    let cert = ReloadableCert::new(cert_paths.clone()).context("loading the demo certificate")?;
    let state_dir = data.join("state");
    std::fs::create_dir_all(&state_dir).with_context(|| format!("creating {}", state_dir.display()))?;
    let state: Arc<dyn state::StateStore> = Arc::new(
        state::SqliteStore::open(&state_dir)
            .await
            .with_context(|| format!("opening the gateway's state in {}", state_dir.display()))?,
    );
    let pool = crate::backend::demo_provider(&sim.base_url(), state);
    let env = FrontEndEnv {
        tls: Some(cert.server_config()?),
        provider: pool.clone(),
        plaintext_login: PlaintextLogin::Loopback,
        max_message_size: 35 * 1024 * 1024,
        hostname: "localhost".to_owned(),
        idle_timeout: Duration::from_secs(30 * 60),
        shutdown_grace: Duration::from_secs(5),
    };
    let plan = GatewayPlan {
        listeners: vec![
            ListenerSpec {
                name: "imap",
                protocol: Protocol::Imap,
                security: Security::StartTls,
                addr: loopback(args.imap_port),
            },
            ListenerSpec {
                name: "imaps",
                protocol: Protocol::Imap,
                security: Security::Implicit,
                addr: loopback(args.imaps_port),
            },
            ListenerSpec {
                name: "submission",
                protocol: Protocol::Submission,
                security: Security::StartTls,
                addr: loopback(args.smtp_port),
            },
        ],
        http: Some(loopback(args.http_port)),
        metrics: None,
        front_ends: FrontEnds::build(&env),
        public_host: "127.0.0.1".to_owned(),
        display_name: "mapibridge demo".to_owned(),
        grace: Duration::from_secs(5),
        registry: Metrics::new(),
    };
    let gateway = plan.start().await.map_err(|e| anyhow::anyhow!("{e}").context("starting the gateway's listeners"))?;
    let backend = Arc::new(crate::backend::BackendMetrics::default());
    gateway.registry.add_source(backend.clone());
    backend.spawn_sampler(vec![pool], Duration::from_secs(1), gateway.shutdown_signal());
    gateway.wait_until_accepting(READY_TIMEOUT.saturating_sub(started.elapsed())).await.map_err(anyhow::Error::msg)?;

    let summary =
        Summary { data: &data, seeded_now, exchange: sim.local_addr(), cert: &cert_paths.cert, gateway: &gateway };
    summary.write(out)?;
    writeln!(out, "(started in {} ms)", started.elapsed().as_millis())?;
    writeln!(out, "{READY_LINE}")?;
    out.flush()?;

    let signal = stop.wait().await.context("waiting for SIGINT/SIGTERM")?;
    writeln!(out, "{signal}: stopping")?;
    out.flush()?;
    gateway.shutdown().await;
    // The last holder of the session pool: dropping it disconnects the pooled
    // MAPI sessions (and stops their notification waits) while the simulator
    // still answers; give those Disconnects a moment before it stops.
    drop(env);
    tokio::time::sleep(Duration::from_millis(200)).await;
    sim.shutdown().await;
    writeln!(out, "mapibridge demo stopped")?;
    out.flush()?;
    Ok(())
}

/// What the person at the terminal needs to configure a client.
struct Summary<'a> {
    data: &'a Path,
    seeded_now: bool,
    exchange: SocketAddr,
    cert: &'a Path,
    gateway: &'a RunningGateway,
}

impl Summary<'_> {
    fn write(&self, out: &mut (dyn Write + Send)) -> std::io::Result<()> {
        let g = self.gateway;
        let fresh = if self.seeded_now { "seeded on this run" } else { "reused from an earlier run" };
        writeln!(out, "mapibridge demo: data in {} ({fresh})", self.data.display())?;
        writeln!(out)?;
        writeln!(out, "Accounts (user name = the address, password: {})", seed::PASSWORD)?;
        writeln!(out, "  alice@example.test   Alice Tester (also has full access to {})", seed::TEAM)?;
        writeln!(out, "  bob@example.test     Bob Tester")?;
        writeln!(out)?;
        writeln!(out, "Mail client settings (Thunderbird: Account Settings > Add Mail Account > Configure manually):")?;
        let mut any_missing = false;
        for (spec, status) in &g.listeners {
            let label = match (spec.protocol, spec.security) {
                (Protocol::Imap, _) => "incoming IMAP",
                (Protocol::Submission, _) => "outgoing SMTP",
            };
            match status {
                ListenerStatus::Serving(addr) => writeln!(
                    out,
                    "  {label:<14} server 127.0.0.1  port {:<5}  security {:<9} auth: normal password",
                    addr.port(),
                    spec.security.client_label()
                )?,
                ListenerStatus::Missing(why) => {
                    any_missing = true;
                    writeln!(
                        out,
                        "  {label:<14} port {:<5}  {:<9} NOT AVAILABLE: {why}",
                        spec.addr.port(),
                        spec.security.client_label()
                    )?
                }
            }
        }
        writeln!(out, "  certificate: self-signed, {} (accept it once in the client)", self.cert.display())?;
        if any_missing {
            writeln!(out, "  (a listener marked NOT AVAILABLE is not bound: nothing answers on its port)")?;
        }
        writeln!(out)?;
        if let Some(http) = g.http {
            writeln!(out, "HTTP on http://{http}")?;
            writeln!(out, "  Thunderbird autoconfig  http://{http}/.well-known/autoconfig/mail/config-v1.1.xml")?;
            writeln!(
                out,
                "  iOS/macOS profile       http://{http}/apple/mapibridge.mobileconfig?emailaddress=alice@example.test"
            )?;
            writeln!(out, "  health, readiness       http://{http}/health  http://{http}/ready")?;
            writeln!(out, "  Prometheus metrics      http://{http}/metrics")?;
        }
        match g.http.filter(|_| g.dav) {
            Some(http) => {
                writeln!(out)?;
                writeln!(out, "CalDAV/CardDAV (DAVx5: Login with URL and user name; iOS: Add Account > Other):")?;
                writeln!(
                    out,
                    "  base URL   http://{http}{DAV_PREFIX}/  (discovery: /.well-known/caldav, /.well-known/carddav)"
                )?;
                writeln!(out, "  user name  alice@example.test or bob@example.test, password: {}", seed::PASSWORD)?;
                writeln!(out, "  plain HTTP on 127.0.0.1 only: iOS needs SSL off; DAVx5 accepts http://")?;
                writeln!(
                    out,
                    "  logins, principal and home sets answer; calendars and address books over Exchange are not \
                     yet listed (the Exchange-backed mailbox has no DAV items: empty homes, 403 on a collection)"
                )?;
            }
            None => writeln!(out, "  CalDAV/CardDAV: NOT AVAILABLE: no HTTP listener")?,
        }
        writeln!(out)?;
        writeln!(out, "Exchange simulator (MAPI over HTTP, Autodiscover, NSPI) on http://{}", self.exchange)?;
        writeln!(
            out,
            "  try: mapibridge check --exchange http://{}/autodiscover/autodiscover.xml --user alice@example.test",
            self.exchange
        )?;
        writeln!(out)?;
        let mut ports = format!("ports: http={} exchange={}", g.http.map_or(0, |a| a.port()), self.exchange.port());
        for (spec, status) in &g.listeners {
            match status {
                ListenerStatus::Serving(a) => ports.push_str(&format!(" {}={}", spec.name, a.port())),
                ListenerStatus::Missing(_) => ports.push_str(&format!(" {}=unavailable", spec.name)),
            }
        }
        writeln!(out, "{ports}")
    }
}
