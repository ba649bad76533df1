//! The Exchange side: `mailbox::ExchangeProvider` configured from
//! `[exchange]`, one per authentication mode, a login routed by the user's
//! domain (`[exchange.domains]`), with `[access]` in front.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use mailbox::{Account, AccountProvider, Endpoints, ExchangeConfig, ExchangeProvider, MailboxError};

use crate::access::{AccessPolicy, GuardedProvider};
use crate::config::{AuthMode, Config};

/// Where the provider finds the mailboxes and how it trusts the server.
#[derive(Clone, Debug)]
pub struct BackendSettings {
    /// Autodiscover or fixed URLs.
    pub endpoints: Endpoints,
    /// Extra CA certificates (DER).
    pub extra_roots: Vec<Vec<u8>>,
    /// The one accepted server certificate (DER).
    pub pinned_certificate: Option<Vec<u8>>,
    /// Request timeout towards Exchange.
    pub request_timeout: Duration,
    /// Largest message APPEND and submission accept.
    pub max_message_size: usize,
}

impl BackendSettings {
    /// From `[exchange]` and `[limits]`; reads the certificate files.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let x = &config.exchange;
        let endpoints = match (&x.mailstore_url, &x.addressbook_url, &x.autodiscover_url) {
            (Some(m), a, _) => Endpoints::Explicit {
                mailstore: m.get_ref().clone(),
                addressbook: a.as_ref().map(|a| a.get_ref().clone()),
            },
            (None, _, Some(url)) => Endpoints::Autodiscover { start: vec![url.get_ref().clone()] },
            (None, _, None) => Endpoints::Autodiscover { start: Vec::new() },
        };
        let extra_roots = match &x.ca_file {
            Some(p) => crate::probe::pem_certificates(p)?,
            None => Vec::new(),
        };
        let pinned_certificate = match &x.pinned_certificate {
            Some(p) => crate::probe::pem_certificates(p)?.into_iter().next(),
            None => None,
        };
        Ok(Self {
            endpoints,
            extra_roots,
            pinned_certificate,
            request_timeout: Duration::from_secs(x.request_timeout_secs),
            max_message_size: usize::try_from(config.limits.max_message_size).unwrap_or(usize::MAX),
        })
    }

    fn exchange_config(&self, auth: mailbox::AuthMode) -> ExchangeConfig {
        let mut c = ExchangeConfig::new(self.endpoints.clone());
        c.auth = auth;
        c.extra_roots = self.extra_roots.clone();
        c.pinned_certificate = self.pinned_certificate.clone();
        c.request_timeout = self.request_timeout;
        c.max_message_size = self.max_message_size;
        c
    }
}

/// Routes each login to the provider of the user's authentication mode.
pub struct DomainRouter {
    exchange: crate::config::ExchangeConfig,
    basic: Arc<ExchangeProvider>,
    ntlm: Arc<ExchangeProvider>,
}

impl DomainRouter {
    /// Providers for Basic and NTLM over `state`.
    pub fn new(
        settings: &BackendSettings,
        exchange: crate::config::ExchangeConfig,
        state: Arc<dyn state::StateStore>,
    ) -> Self {
        Self {
            exchange,
            basic: Arc::new(ExchangeProvider::new(settings.exchange_config(mailbox::AuthMode::Basic), state.clone())),
            ntlm: Arc::new(ExchangeProvider::new(settings.exchange_config(mailbox::AuthMode::Ntlm), state)),
        }
    }
}

#[async_trait]
impl AccountProvider for DomainRouter {
    async fn login(&self, user: &str, password: &str) -> Result<Arc<dyn Account>, MailboxError> {
        match self.exchange.auth_for(user) {
            AuthMode::Basic => self.basic.login(user, password).await,
            AuthMode::Ntlm => self.ntlm.login(user, password).await,
            mode @ (AuthMode::Negotiate | AuthMode::Oauth) => {
                tracing::warn!(user, %mode, "login refused: this authentication mode is not implemented");
                Err(MailboxError::Unavailable(format!("auth = {mode} is not implemented by this gateway")))
            }
        }
    }
}

/// What `serve` gets from [`provider`].
pub struct Backend {
    /// For the front ends: access policy, then the route by domain.
    pub provider: Arc<dyn AccountProvider>,
    /// The session pools behind it (for metrics).
    pub pools: Vec<Arc<ExchangeProvider>>,
}

/// The provider `serve` hands to the front ends, and its pools.
pub fn provider(config: &Config, state: Arc<dyn state::StateStore>) -> anyhow::Result<Backend> {
    let settings = BackendSettings::from_config(config)?;
    let router = DomainRouter::new(&settings, config.exchange.clone(), state);
    let pools = vec![router.basic.clone(), router.ntlm.clone()];
    let provider = Arc::new(GuardedProvider::new(AccessPolicy::new(&config.access), Arc::new(router)));
    Ok(Backend { provider, pools })
}

/// The session pools' counters, sampled every few seconds (the pool's
/// `stats()` is async; the exposition is not).
#[derive(Debug, Default)]
pub struct BackendMetrics {
    sessions: AtomicU64,
    reused: AtomicU64,
    connects: AtomicU64,
    refused: AtomicU64,
}

impl BackendMetrics {
    /// Samples `pools` every `every` until `shutdown` turns true.
    pub fn spawn_sampler(
        self: &Arc<Self>,
        pools: Vec<Arc<ExchangeProvider>>,
        every: Duration,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                let mut total = mailbox::exchange::PoolStats::default();
                for p in &pools {
                    let s = p.stats().await;
                    total.sessions += s.sessions;
                    total.reused += s.reused;
                    total.connects += s.connects;
                    total.refused += s.refused;
                }
                me.sessions.store(total.sessions as u64, Ordering::Relaxed);
                me.reused.store(total.reused, Ordering::Relaxed);
                me.connects.store(total.connects, Ordering::Relaxed);
                me.refused.store(total.refused, Ordering::Relaxed);
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = crate::http::stopped(&mut shutdown) => return,
                }
            }
        });
    }
}

impl crate::metrics::MetricSource for BackendMetrics {
    fn render(&self, out: &mut String) {
        use std::fmt::Write as _;
        crate::metrics::family(out, "mapibridge_backend_sessions", "gauge", "MAPI sessions open towards Exchange.");
        let _ = writeln!(out, "mapibridge_backend_sessions {}", self.sessions.load(Ordering::Relaxed));
        crate::metrics::family(out, "mapibridge_backend_logins_total", "counter", "Logins by how Exchange was asked.");
        for (result, n) in [("reused", &self.reused), ("connected", &self.connects), ("refused", &self.refused)] {
            let _ =
                writeln!(out, "mapibridge_backend_logins_total{{result=\"{result}\"}} {}", n.load(Ordering::Relaxed));
        }
    }
}

/// The demo's provider: Autodiscover and Basic against the in-process simulator.
pub fn demo_provider(sim_base_url: &str, state: Arc<dyn state::StateStore>) -> Arc<ExchangeProvider> {
    let settings = BackendSettings {
        endpoints: Endpoints::Autodiscover { start: vec![format!("{sim_base_url}/autodiscover/autodiscover.xml")] },
        extra_roots: Vec::new(),
        pinned_certificate: None,
        request_timeout: Duration::from_secs(60),
        max_message_size: 35 * 1024 * 1024,
    };
    Arc::new(ExchangeProvider::new(settings.exchange_config(mailbox::AuthMode::Basic), state))
}
