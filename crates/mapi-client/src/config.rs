//! Configuration of the transport and of a session context.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mapi_wire::http::{ClientApplication, FramerLimits, ServerDialect};

use crate::autodiscover::Discovery;
use crate::{Result, Secret};

/// Environment variable naming a directory where every request/response body pair is
/// written as `NNN-<type>.req.bin` / `NNN-<type>.resp.bin` (the capture form
/// `mapi-inspect` reads). Overrides nothing set in [`TransportConfig::trace_dir`].
pub const TRACE_DIR_ENV: &str = "MAPIBRIDGE_TRACE_DIR";

/// An OAuth access token and when it expires.
#[derive(Clone, Debug)]
pub struct AccessToken {
    /// The bearer token.
    pub token: Secret<String>,
    /// Expiry, if known; the client asks for a fresh token [`BEARER_REFRESH_MARGIN`]
    /// before it.
    pub expires_at: Option<Instant>,
}

/// How long before a token's expiry the client asks for a new one.
pub const BEARER_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// A boxed future, for the token-provider callback.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Supplies OAuth access tokens ([MS-OXCMAPIHTTP] over Exchange Online: `Authorization:
/// Bearer`). `force_refresh` is true when the cached token is about to expire or the
/// server refused it with 401: the provider must then return a token it did not return
/// before (refresh-token grant, device-code flow…).
pub trait TokenProvider: Send + Sync {
    /// A token for the Exchange resource.
    fn token(&self, force_refresh: bool) -> BoxFuture<'_, Result<AccessToken>>;
}

impl<F, Fut> TokenProvider for F
where
    F: Fn(bool) -> Fut + Send + Sync,
    Fut: Future<Output = Result<AccessToken>> + Send + 'static,
{
    fn token(&self, force_refresh: bool) -> BoxFuture<'_, Result<AccessToken>> {
        Box::pin(self(force_refresh))
    }
}

/// How the client authenticates ([MS-OXCMAPIHTTP] 2.2.1; digest §8.2).
#[derive(Clone)]
pub enum Credentials {
    /// HTTP Basic (RFC 7617) on every request.
    Basic {
        /// User name (UPN or `DOMAIN\user`).
        user: String,
        /// Password.
        password: Secret<String>,
    },
    /// NTLMv2 ([MS-NLMP]); authenticates a TCP connection, which is then kept for the
    /// session.
    Ntlm {
        /// `DOMAIN\user` or a UPN.
        login: String,
        /// Password.
        password: Secret<String>,
    },
    /// OAuth bearer tokens from a provider.
    Bearer(Arc<dyn TokenProvider>),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Basic { user, .. } => write!(f, "Basic({user}, <redacted>)"),
            Self::Ntlm { login, .. } => write!(f, "Ntlm({login}, <redacted>)"),
            Self::Bearer(_) => f.write_str("Bearer(<provider>)"),
        }
    }
}

/// Which server certificates are trusted.
#[derive(Clone, Debug)]
pub struct TlsOptions {
    /// Trust the Mozilla root set (webpki-roots). Default true.
    pub webpki_roots: bool,
    /// Additional trusted CA certificates (DER).
    pub extra_roots: Vec<Vec<u8>>,
    /// Accept exactly this end-entity certificate (DER) whatever its issuer and name:
    /// for tests and self-signed lab servers. Signatures are still checked.
    pub pinned_certificate: Option<Vec<u8>>,
}

impl Default for TlsOptions {
    fn default() -> Self {
        Self { webpki_roots: true, extra_roots: Vec::new(), pinned_certificate: None }
    }
}

/// Retry of requests the server did not process (HTTP 503/429, ecServerBusy):
/// jittered exponential backoff.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Most attempts in total (first try included). Default 6.
    pub max_attempts: u32,
    /// First delay. Default 250 ms.
    pub base_delay: Duration,
    /// Largest delay (also caps Retry-After). Default 30 s.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_attempts: 6, base_delay: Duration::from_millis(250), max_delay: Duration::from_secs(30) }
    }
}

/// Everything about talking HTTP to one Exchange server.
#[derive(Clone, Debug)]
pub struct TransportConfig {
    /// How to authenticate.
    pub credentials: Credentials,
    /// Certificate trust.
    pub tls: TlsOptions,
    /// `X-ClientApplication` ([MS-OXCMAPIHTTP] 2.2.3.3.6).
    pub client_application: ClientApplication,
    /// `User-Agent`.
    pub user_agent: String,
    /// `X-AnchorMailbox` (the user's SMTP address; routes in Exchange Online).
    pub anchor_mailbox: Option<String>,
    /// TCP + TLS connect timeout. Default 15 s.
    pub connect_timeout: Duration,
    /// Longest silence while waiting for a response: reset by every byte received,
    /// including each `PENDING` keep-alive. Default 75 s (servers send a keep-alive every
    /// X-PendingPeriod, 30 s, observed 27 s).
    pub request_timeout: Duration,
    /// Longest a NotificationWait is held open before the client gives up and reports
    /// "no events" (gromox may never complete it; corrections A5). Default 330 s.
    pub notification_wait_timeout: Duration,
    /// Backoff for busy servers.
    pub retry: RetryPolicy,
    /// Directory for body traces (see [`TRACE_DIR_ENV`]).
    pub trace_dir: Option<PathBuf>,
    /// X-ResponseCode numbering; `None` = detect (gromox identifies itself with
    /// `X-ServerApplication: Exchange/15.00.0847.4040`).
    pub dialect: Option<ServerDialect>,
    /// Compress Execute request payloads of at least this many bytes when LZ77 makes
    /// them smaller; `None` = never. Default `Some(1024)`.
    pub compress_requests_from: Option<usize>,
    /// Framing limits for response bodies.
    pub limits: FramerLimits,
}

impl TransportConfig {
    /// Defaults around the given credentials; the trace directory comes from
    /// [`TRACE_DIR_ENV`] if set.
    pub fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            tls: TlsOptions::default(),
            client_application: ClientApplication::OUTLOOK_2013,
            user_agent: "mapibridge/0.1".to_owned(),
            anchor_mailbox: None,
            connect_timeout: Duration::from_secs(15),
            request_timeout: Duration::from_secs(75),
            notification_wait_timeout: Duration::from_secs(330),
            retry: RetryPolicy::default(),
            trace_dir: std::env::var_os(TRACE_DIR_ENV).map(PathBuf::from),
            dialect: None,
            compress_requests_from: Some(1024),
            limits: FramerLimits::default(),
        }
    }
}

/// One session context: which endpoint, who, and the transport.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// The endpoint URL: MailStore (`…/mapi/emsmdb/?MailboxId=…`) for
    /// [`crate::EmsmdbSession`], AddressBook (`…/mapi/nspi/?MailboxId=…`) for
    /// [`crate::NspiSession`].
    pub url: String,
    /// The user's legacyExchangeDN (Connect `UserDn`, RopLogon `Essdn`).
    pub user_dn: String,
    /// `DefaultCodePage` (Connect) / STAT CodePage (Bind). Default 1252.
    pub code_page: u32,
    /// `LcidSort`/`LcidString`. Default 0x409.
    pub lcid: u32,
    /// HTTP, auth, TLS, retries.
    pub transport: TransportConfig,
}

impl SessionConfig {
    /// A mailbox (EMSMDB) session config from an Autodiscover result.
    pub fn mailstore(discovery: &Discovery, transport: TransportConfig) -> Self {
        Self::new(&discovery.mailstore_url, &discovery.legacy_dn, transport)
    }

    /// An address book (NSPI) session config from an Autodiscover result.
    pub fn addressbook(discovery: &Discovery, transport: TransportConfig) -> Self {
        Self::new(&discovery.addressbook_url, &discovery.legacy_dn, transport)
    }

    /// Manual endpoint (skips Autodiscover).
    pub fn new(url: &str, user_dn: &str, transport: TransportConfig) -> Self {
        Self { url: url.to_owned(), user_dn: user_dn.to_owned(), code_page: 1252, lcid: 0x409, transport }
    }
}
