//! The simulator's settings: listener, TLS, session timing, limits, cookie
//! names, Bearer tokens and the faults active at start.
//!
//! Defaults follow Exchange / the gromox captures where they tell
//! (`X-PendingPeriod` 30000, `X-ExpirationInfo` 900000, corrections B1).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::server::faults::FaultConfig;

/// Names of the two session cookies ([MS-OXCMAPIHTTP] 3.2.5.1: the names
/// are the server's choice).
///
/// The default is gromox's `sid` / `sequence` (captures 004, 005; digest
/// corrections B2); Exchange is reported to use `MapiContext` /
/// `MapiSequence` ([`CookieNames::EXCHANGE`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CookieNames {
    /// The session context cookie.
    pub context: String,
    /// The request sequence cookie.
    pub sequence: String,
}

impl CookieNames {
    /// `MapiContext` / `MapiSequence`, the names Exchange is said to use
    /// (digest §1.5, unverified).
    pub const EXCHANGE: (&'static str, &'static str) = ("MapiContext", "MapiSequence");

    /// Exchange's names.
    pub fn exchange() -> Self {
        Self { context: Self::EXCHANGE.0.to_owned(), sequence: Self::EXCHANGE.1.to_owned() }
    }
}

impl Default for CookieNames {
    fn default() -> Self {
        Self { context: "sid".to_owned(), sequence: "sequence".to_owned() }
    }
}

/// A Bearer token accepted for a user (`Authorization: Bearer <token>`).
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken {
    /// The opaque token value.
    pub token: String,
    /// The user it authenticates (SMTP address).
    pub user: String,
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BearerToken").field("token", &"<redacted>").field("user", &self.user).finish()
    }
}

/// Decides Bearer tokens that are not in [`SimConfig::bearer_tokens`]:
/// token → the address of the user it authenticates, `None` to refuse. For
/// tests whose tokens are issued while the simulator runs (a mock OAuth
/// server); asked on every request, so expiry and revocation take effect at
/// once.
#[derive(Clone)]
pub struct BearerValidator(pub std::sync::Arc<BearerCheck>);

/// The callback of a [`BearerValidator`].
pub type BearerCheck = dyn Fn(&str) -> Option<String> + Send + Sync;

impl std::fmt::Debug for BearerValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerValidator(<callback>)")
    }
}

/// Everything [`crate::server::Simulator`] needs to start.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Address to bind (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// Data directory: the store (`store.sqlite`) and the TLS certificate
    /// (`tls-cert.pem`, `tls-key.pem`). `None`: an in-memory store and an
    /// in-memory certificate.
    pub data_dir: Option<PathBuf>,
    /// Serve HTTPS with a self-signed certificate (generated once, reused).
    pub tls: bool,
    /// Host names (and IP literals) the generated certificate names.
    pub tls_names: Vec<String>,
    /// Base URL advertised by Autodiscover (`https://mail.example.test`);
    /// `None`: built from the request's `Host` header and the scheme.
    pub public_url: Option<String>,
    /// Session cookie names.
    pub cookies: CookieNames,
    /// `X-PendingPeriod`: interval between `PENDING` keep-alives.
    pub pending_period: Duration,
    /// `X-ExpirationInfo`: idle time after which a session context is gone.
    pub session_expiry: Duration,
    /// How long a NotificationWait is held without events
    /// ([MS-OXCMAPIHTTP] 3.2.5.5: at most 5 minutes).
    pub notification_wait_timeout: Duration,
    /// Largest request body accepted; larger `Content-Length` values are
    /// refused before the body is read.
    pub max_request_body: usize,
    /// Largest request head (request line + headers).
    pub max_request_head: usize,
    /// Time allowed to receive one request head and body.
    pub request_timeout: Duration,
    /// Idle time after which a keep-alive connection is closed.
    pub keep_alive_timeout: Duration,
    /// `X-ServerApplication`.
    pub server_application: String,
    /// Realm of the Basic challenge.
    pub basic_realm: String,
    /// Bearer tokens per user.
    pub bearer_tokens: Vec<BearerToken>,
    /// Faults active from the start (also settable through
    /// `POST /admin/faults` from loopback and [`crate::server::RunningSim::faults`]).
    pub faults: FaultConfig,
    /// Serve `/admin/*` (only to loopback peers).
    pub admin: bool,
    /// Mailbox quotas the logon reports (per user, with a default).
    pub quotas: QuotaConfig,
    /// Bearer tokens decided by a callback (default none).
    pub bearer_validator: Option<BearerValidator>,
}

/// One mailbox's quotas in KiB, as the store object reports them
/// ([MS-OXPROPS] PidTagStorageQuotaLimit, PidTagProhibitSendQuota,
/// PidTagProhibitReceiveQuota; all PtypInteger32 in KiB).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    /// PidTagStorageQuotaLimit: above it the user is warned
    /// (Exchange's IssueWarningQuota).
    pub warning_kib: u32,
    /// PidTagProhibitSendQuota: above it sending is refused.
    pub prohibit_send_kib: u32,
    /// PidTagProhibitReceiveQuota: above it delivery is refused
    /// (Exchange's ProhibitSendReceiveQuota).
    pub prohibit_receive_kib: u32,
}

impl Default for Quota {
    /// The defaults of an Exchange 2016/2019 mailbox database: warning at
    /// 1.9 GB, no sending at 2 GB, no sending or receiving at 2.3 GB.
    fn default() -> Self {
        Self { warning_kib: 1_992_294, prohibit_send_kib: 2_097_152, prohibit_receive_kib: 2_411_724 }
    }
}

/// Quotas for every mailbox: `per_user` (by SMTP address, any case) over
/// `default`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuotaConfig {
    /// Quotas of mailboxes not listed in `per_user`.
    pub default: Quota,
    /// Quotas by user address.
    pub per_user: Vec<(String, Quota)>,
}

impl QuotaConfig {
    /// The quota of `address`.
    pub fn of(&self, address: &str) -> Quota {
        self.per_user.iter().find(|(a, _)| a.eq_ignore_ascii_case(address)).map_or(self.default, |(_, q)| *q)
    }
}

impl SimConfig {
    /// Defaults on `listen`.
    pub fn new(listen: SocketAddr) -> Self {
        Self {
            listen,
            data_dir: None,
            tls: false,
            tls_names: vec!["localhost".to_owned(), "127.0.0.1".to_owned()],
            public_url: None,
            cookies: CookieNames::default(),
            pending_period: Duration::from_millis(30_000),
            session_expiry: Duration::from_secs(15 * 60),
            notification_wait_timeout: Duration::from_secs(5 * 60),
            max_request_body: 1 << 20,
            max_request_head: 16 * 1024,
            request_timeout: Duration::from_secs(30),
            keep_alive_timeout: Duration::from_secs(180),
            server_application: "Exchange/15.02.1544.004".to_owned(),
            basic_realm: "exchange-sim".to_owned(),
            bearer_tokens: Vec::new(),
            faults: FaultConfig::default(),
            admin: true,
            quotas: QuotaConfig::default(),
            bearer_validator: None,
        }
    }

    /// Defaults on `127.0.0.1:0` (tests).
    pub fn loopback() -> Self {
        Self::new(SocketAddr::from(([127, 0, 0, 1], 0)))
    }
}
