//! `mapibridge serve --config FILE`: the production gateway. Binds the
//! configured listeners, serves until SIGINT/SIGTERM (graceful: in-flight
//! commands get `limits.shutdown_grace_secs`), and re-reads the TLS
//! certificate on SIGHUP.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;

use crate::config::Config;
use crate::frontends::{FrontEndEnv, FrontEnds, ListenerSpec, Protocol, Security};
use crate::metrics::Metrics;
use crate::server::{GatewayPlan, ListenerStatus};
use crate::tls::{PemPaths, ReloadableCert};

/// `mapibridge serve` options.
#[derive(clap::Args, Clone, Debug)]
pub struct ServeArgs {
    /// The configuration file (see config/mapibridge.example.toml).
    #[arg(long)]
    pub config: std::path::PathBuf,
}

/// The client listeners a configuration asks for.
pub fn listener_specs(config: &Config) -> Vec<ListenerSpec> {
    let l = &config.listeners;
    let wanted: [(&'static str, Option<SocketAddr>, Protocol, Security); 4] = [
        ("imap", l.imap, Protocol::Imap, Security::StartTls),
        ("imaps", l.imaps, Protocol::Imap, Security::Implicit),
        ("submission", l.submission, Protocol::Submission, Security::StartTls),
        ("submissions", l.submissions, Protocol::Submission, Security::Implicit),
    ];
    wanted
        .into_iter()
        .filter_map(|(name, addr, protocol, security)| addr.map(|addr| ListenerSpec { name, protocol, security, addr }))
        .collect()
}

/// Runs the gateway until a stop signal.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let stop = crate::signals::Terminate::install().context("installing the SIGINT/SIGTERM handlers")?;
    #[cfg(unix)]
    let hangups = crate::signals::hangups().context("installing the SIGHUP handler")?;
    let data = &config.data.dir;
    std::fs::create_dir_all(data).with_context(|| format!("creating data.dir {}", data.display()))?;
    let state_dir = data.join("state");
    std::fs::create_dir_all(&state_dir).with_context(|| format!("creating {}", state_dir.display()))?;
    // Opened now so a broken state directory stops start-up, not the first login.
    let state: Arc<dyn state::StateStore> = Arc::new(
        state::SqliteStore::open(&state_dir)
            .await
            .with_context(|| format!("opening the state database in {}", state_dir.display()))?,
    );
    if let Some((domain, mode)) = config.unimplemented_auth() {
        anyhow::bail!(
            "auth = \"{mode}\" ({domain}): Kerberos/SPNEGO is not implemented in this build; \
             use \"ntlm\" or \"basic\" for on-premises Exchange, or \"oauth\" for Exchange Online"
        );
    }
    let cert = match &config.tls {
        Some(t) => Some(
            ReloadableCert::new(PemPaths { cert: t.cert.get_ref().clone(), key: t.key.get_ref().clone() })
                .context("loading [tls] cert/key")?,
        ),
        None if config.needs_tls() => anyhow::bail!(
            "[tls] cert and key are required when imap, imaps, submission or submissions listen (STARTTLS and implicit TLS need a certificate)"
        ),
        None => None,
    };
    let crate::backend::Backend { provider, pools, tokens } = crate::backend::provider(&config, state)?;
    let prefetcher = Arc::new(crate::prefetch::Prefetcher::new(provider.clone()));
    let env = FrontEndEnv {
        tls: cert.as_ref().map(|c| c.server_config()).transpose()?,
        provider,
        plaintext_login: config.listeners.plaintext_login,
        max_message_size: config.limits.max_message_size,
        hostname: config.public.hostname.clone().unwrap_or_else(|| "localhost".to_owned()),
        idle_timeout: Duration::from_secs(config.limits.idle_timeout_secs),
        shutdown_grace: Duration::from_secs(config.limits.shutdown_grace_secs),
    };
    let grace = Duration::from_secs(config.limits.shutdown_grace_secs);
    let plan = GatewayPlan {
        listeners: listener_specs(&config),
        http: config.listeners.http,
        metrics: config.listeners.metrics,
        front_ends: if config.dav_enabled() {
            let limits = &config.limits;
            FrontEnds::build(&env).with_directory_limits(
                &env,
                limits.directory_search_limit,
                limits.directory_list_limit,
            )
        } else {
            FrontEnds::build(&env).without_dav()
        },
        public_host: config.public.hostname.clone().unwrap_or_default(),
        display_name: config.public.display_name.clone().unwrap_or_else(|| "mapibridge".to_owned()),
        grace,
        registry: Metrics::new(),
    };
    let gateway = plan.start().await?;
    gateway.set_admin(prefetcher);
    let backend = Arc::new(crate::backend::BackendMetrics::default().with_tokens(tokens));
    gateway.registry.add_source(backend.clone());
    backend.spawn_sampler(pools, Duration::from_secs(1), gateway.shutdown_signal());
    gateway.wait_until_accepting(Duration::from_secs(30)).await.map_err(anyhow::Error::msg)?;
    for (spec, status) in &gateway.listeners {
        match status {
            ListenerStatus::Serving(addr) => tracing::info!(listener = spec.name, %addr, "serving"),
            ListenerStatus::Missing(why) => {
                tracing::warn!(listener = spec.name, addr = %spec.addr, "not served: {why}")
            }
        }
    }
    if let Some(a) = gateway.http {
        tracing::info!(listener = "http", addr = %a, dav = gateway.dav, "serving");
    }
    if let Some(a) = gateway.metrics {
        tracing::info!(listener = "metrics", addr = %a, "serving");
    }
    tracing::info!("mapibridge ready");

    #[cfg(unix)]
    wait_for_stop(stop, hangups, cert.as_ref()).await?;
    #[cfg(not(unix))]
    wait_for_stop(stop, cert.as_ref()).await?;
    gateway.shutdown().await;
    tracing::info!("mapibridge stopped");
    Ok(())
}

/// Waits for SIGINT/SIGTERM, reloading the certificate on each SIGHUP.
#[cfg(unix)]
async fn wait_for_stop(
    mut stop: crate::signals::Terminate,
    mut hangups: tokio::signal::unix::Signal,
    cert: Option<&Arc<ReloadableCert>>,
) -> anyhow::Result<()> {
    loop {
        tokio::select! {
            signal = stop.wait() => {
                tracing::info!(signal = signal?, "stopping");
                return Ok(());
            }
            Some(()) = hangups.recv() => match cert {
                Some(c) => match c.reload() {
                    Ok(()) => tracing::info!(cert = %c.paths().cert.display(), "SIGHUP: certificate reloaded"),
                    Err(e) => tracing::error!(error = %e, "SIGHUP: certificate not reloaded, the old one stays"),
                },
                None => tracing::info!("SIGHUP: no certificate configured"),
            },
        }
    }
}

/// Waits for Ctrl-C.
#[cfg(not(unix))]
async fn wait_for_stop(mut stop: crate::signals::Terminate, _cert: Option<&Arc<ReloadableCert>>) -> anyhow::Result<()> {
    let signal = stop.wait().await?;
    tracing::info!(signal, "stopping");
    Ok(())
}
