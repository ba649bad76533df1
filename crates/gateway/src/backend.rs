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
use crate::credstore::{CredentialStore, PasswordCheck};
use crate::tokens::TokenBroker;

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
    oauth: Option<OAuthBackend>,
}

/// Exchange Online: gateway passwords, token sources, the Bearer pool.
pub struct OAuthBackend {
    /// Gateway password hashes and sealed refresh tokens.
    pub credentials: CredentialStore,
    /// Each user's access tokens.
    pub broker: Arc<TokenBroker>,
    /// Sessions authenticated with Bearer tokens.
    pub provider: Arc<ExchangeProvider>,
}

impl OAuthBackend {
    /// From `[oauth]`: derives the vault key from the configured secret.
    pub fn new(
        settings: &BackendSettings,
        oauth: &crate::config::OAuthConfig,
        state: Arc<dyn state::StateStore>,
    ) -> anyhow::Result<Self> {
        let vault = Arc::new(crate::vault::Vault::from_secret(&oauth.secret_bytes()?)?);
        let credentials = CredentialStore::new(state.clone(), Some(vault));
        let broker = Arc::new(TokenBroker::new(crate::oauth::OAuthClient::new(oauth), credentials.clone()));
        let mut config = settings.exchange_config(mailbox::AuthMode::Bearer);
        let tokens = broker.clone();
        config.bearer = Some(mailbox::exchange::BearerTokens(Arc::new(move |user: &str| {
            Ok(tokens.for_user(user) as Arc<dyn mapi_client::TokenProvider>)
        })));
        Ok(Self { credentials, broker, provider: Arc::new(ExchangeProvider::new(config, state)) })
    }

    /// Checks the gateway password, makes sure a token can be had, then
    /// logs in to Exchange with Bearer tokens.
    pub async fn login(&self, user: &str, password: &str) -> Result<Arc<dyn Account>, MailboxError> {
        match self.credentials.check_password(user, password).await {
            Ok(PasswordCheck::Valid) => {}
            Ok(PasswordCheck::Wrong) => return Err(MailboxError::AuthenticationFailed),
            Ok(PasswordCheck::NotSet) => {
                tracing::warn!(user, "login refused: no gateway password set (auth = oauth)");
                return Err(MailboxError::Unavailable(format!(
                    "no gateway password is set for {user}: an administrator must run \
                     `mapibridge login --user {user}` and `mapibridge passwd --user {user}`"
                )));
            }
            Err(e) => {
                tracing::error!(user, error = %format!("{e:#}"), "credential store failed");
                return Err(MailboxError::Unavailable("the gateway's credential store failed".into()));
            }
        }
        if let Err(e) = self.broker.for_user(user).access_token(false).await {
            tracing::warn!(user, error = %e, "login refused: no Exchange Online access token");
            return Err(MailboxError::Unavailable(e.to_string()));
        }
        self.provider.login(user, password).await
    }
}

impl DomainRouter {
    /// Providers for Basic and NTLM over `state`, and Bearer with `oauth`.
    pub fn new(
        settings: &BackendSettings,
        exchange: crate::config::ExchangeConfig,
        state: Arc<dyn state::StateStore>,
        oauth: Option<OAuthBackend>,
    ) -> Self {
        Self {
            exchange,
            basic: Arc::new(ExchangeProvider::new(settings.exchange_config(mailbox::AuthMode::Basic), state.clone())),
            ntlm: Arc::new(ExchangeProvider::new(settings.exchange_config(mailbox::AuthMode::Ntlm), state)),
            oauth,
        }
    }
}

#[async_trait]
impl AccountProvider for DomainRouter {
    async fn login(&self, user: &str, password: &str) -> Result<Arc<dyn Account>, MailboxError> {
        match self.exchange.auth_for(user) {
            AuthMode::Basic => self.basic.login(user, password).await,
            AuthMode::Ntlm => self.ntlm.login(user, password).await,
            AuthMode::Oauth => match &self.oauth {
                Some(o) => o.login(user, password).await,
                None => Err(MailboxError::Unavailable("auth = oauth needs an [oauth] section".into())),
            },
            mode @ AuthMode::Negotiate => {
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
    /// Exchange Online token sources, when `[oauth]` is configured.
    pub tokens: Option<Arc<TokenBroker>>,
}

/// The provider `serve` hands to the front ends, and its pools.
pub fn provider(config: &Config, state: Arc<dyn state::StateStore>) -> anyhow::Result<Backend> {
    let settings = BackendSettings::from_config(config)?;
    let oauth = config.oauth.as_ref().map(|o| OAuthBackend::new(&settings, o, state.clone())).transpose()?;
    let tokens = oauth.as_ref().map(|o| o.broker.clone());
    let mut pools = Vec::new();
    if let Some(o) = &oauth {
        pools.push(o.provider.clone());
    }
    let router = DomainRouter::new(&settings, config.exchange.clone(), state, oauth);
    pools.extend([router.basic.clone(), router.ntlm.clone()]);
    let provider = Arc::new(GuardedProvider::new(AccessPolicy::new(&config.access), Arc::new(router)));
    Ok(Backend { provider, pools, tokens })
}

/// The session pools' counters, sampled every few seconds (the pool's
/// `stats()` is async; the exposition is not), and the MAPI round-trip
/// counters of mapi-client, read at exposition time.
#[derive(Debug, Default)]
pub struct BackendMetrics {
    sessions: AtomicU64,
    reused: AtomicU64,
    connects: AtomicU64,
    refused: AtomicU64,
    cache_hits: AtomicU64,
    cache_misses: AtomicU64,
    cache_bytes: AtomicU64,
    tokens: std::sync::OnceLock<Arc<TokenBroker>>,
}

impl BackendMetrics {
    /// Also exposes the token refreshes of `broker`.
    pub fn with_tokens(self, broker: Option<Arc<TokenBroker>>) -> Self {
        if let Some(b) = broker {
            let _ = self.tokens.set(b);
        }
        self
    }

    /// Samples `pools` once.
    pub async fn sample(&self, pools: &[Arc<ExchangeProvider>]) {
        let mut total = mailbox::exchange::PoolStats::default();
        let (mut hits, mut misses, mut bytes) = (0, 0, 0);
        for p in pools {
            let s = p.stats().await;
            total.sessions += s.sessions;
            total.reused += s.reused;
            total.connects += s.connects;
            total.refused += s.refused;
            let c = p.cache_stats();
            hits += c.hits;
            misses += c.misses;
            bytes += c.bytes as u64;
        }
        self.sessions.store(total.sessions as u64, Ordering::Relaxed);
        self.reused.store(total.reused, Ordering::Relaxed);
        self.connects.store(total.connects, Ordering::Relaxed);
        self.refused.store(total.refused, Ordering::Relaxed);
        self.cache_hits.store(hits, Ordering::Relaxed);
        self.cache_misses.store(misses, Ordering::Relaxed);
        self.cache_bytes.store(bytes, Ordering::Relaxed);
    }

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
                me.sample(&pools).await;
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
        use crate::metrics::family;
        use std::fmt::Write as _;
        family(out, "mapibridge_backend_sessions", "gauge", "MAPI sessions open towards Exchange.");
        let _ = writeln!(out, "mapibridge_backend_sessions {}", self.sessions.load(Ordering::Relaxed));
        family(out, "mapibridge_backend_logins_total", "counter", "Logins by how Exchange was asked.");
        for (result, n) in [("reused", &self.reused), ("connected", &self.connects), ("refused", &self.refused)] {
            let _ =
                writeln!(out, "mapibridge_backend_logins_total{{result=\"{result}\"}} {}", n.load(Ordering::Relaxed));
        }
        let rt = mapi_client::metrics::round_trips();
        family(out, "mapibridge_backend_round_trips_total", "counter", "MAPI over HTTP requests sent to Exchange.");
        let _ = writeln!(out, "mapibridge_backend_round_trips_total {}", rt.requests);
        family(out, "mapibridge_backend_errors_total", "counter", "MAPI over HTTP requests that failed.");
        let _ = writeln!(out, "mapibridge_backend_errors_total {}", rt.failures);
        family(
            out,
            "mapibridge_backend_round_trip_seconds",
            "histogram",
            "Latency of MAPI over HTTP requests (retries of a busy server included).",
        );
        let mut cumulative = 0;
        for (bound, n) in mapi_client::metrics::LATENCY_BUCKETS.iter().zip(&rt.buckets) {
            cumulative += n;
            let _ = writeln!(out, "mapibridge_backend_round_trip_seconds_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let _ = writeln!(out, "mapibridge_backend_round_trip_seconds_bucket{{le=\"+Inf\"}} {}", rt.requests);
        let _ = writeln!(out, "mapibridge_backend_round_trip_seconds_sum {:.6}", rt.latency_sum.as_secs_f64());
        let _ = writeln!(out, "mapibridge_backend_round_trip_seconds_count {}", rt.requests);
        family(out, "mapibridge_mime_cache_lookups_total", "counter", "Rendered-MIME cache lookups by result.");
        for (result, n) in [("hit", &self.cache_hits), ("miss", &self.cache_misses)] {
            let _ = writeln!(
                out,
                "mapibridge_mime_cache_lookups_total{{result=\"{result}\"}} {}",
                n.load(Ordering::Relaxed)
            );
        }
        family(out, "mapibridge_mime_cache_bytes", "gauge", "Bytes of rendered MIME cached.");
        let _ = writeln!(out, "mapibridge_mime_cache_bytes {}", self.cache_bytes.load(Ordering::Relaxed));
        if let Some(t) = self.tokens.get() {
            let (ok, failed) = t.counters();
            family(out, "mapibridge_oauth_refreshes_total", "counter", "Exchange Online token refreshes by result.");
            let _ = writeln!(out, "mapibridge_oauth_refreshes_total{{result=\"ok\"}} {ok}");
            let _ = writeln!(out, "mapibridge_oauth_refreshes_total{{result=\"failed\"}} {failed}");
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
