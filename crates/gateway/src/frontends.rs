//! The client-facing protocol servers the gateway hosts, behind one small
//! trait so that wiring a crate in is a few lines in [`FrontEnds::build`].
//!
//! Every server takes an already-bound listener, a TLS mode and a shutdown
//! signal (the contract of `crates/imap` and `crates/smtp`); the gateway binds,
//! counts and stops. A protocol whose crate is not in this build is
//! [`Availability::Missing`] with the reason, and is reported as such — never
//! bound to a port that would accept and then do nothing.

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::PlaintextLogin;
use crate::metrics::{MetricSource, family};

/// A boxed future a front end serves with.
pub type ServeFuture = Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>>;

/// A client protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// IMAP4rev1/rev2 (RFC 3501, RFC 9051).
    Imap,
    /// SMTP submission (RFC 6409).
    Submission,
}

impl Protocol {
    /// Lower-case name for metrics labels and logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Imap => "imap",
            Self::Submission => "smtp",
        }
    }
}

/// How a listener uses TLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// Plain connection that offers STARTTLS (RFC 3501 §6.2.1, RFC 3207).
    StartTls,
    /// TLS from the first byte (RFC 8314).
    Implicit,
}

impl Security {
    /// The words Thunderbird and iOS use in their settings dialogs.
    pub fn client_label(self) -> &'static str {
        match self {
            Self::StartTls => "STARTTLS",
            Self::Implicit => "SSL/TLS",
        }
    }
}

/// One client-facing listener to bind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerSpec {
    /// The configuration key / label (`imap`, `imaps`, `submission`, `submissions`).
    pub name: &'static str,
    /// What it serves.
    pub protocol: Protocol,
    /// How it uses TLS.
    pub security: Security,
    /// Where to bind (port 0: any free port).
    pub addr: SocketAddr,
}

/// A server for one protocol: serves connections on `listener` until
/// `shutdown` turns true, then ends them gracefully and returns.
pub trait FrontEnd: Send + Sync {
    /// Serves until shutdown.
    fn serve(&self, listener: TcpListener, security: Security, shutdown: watch::Receiver<bool>) -> ServeFuture;
}

/// Whether a protocol can be served by this build.
#[derive(Clone)]
pub enum Availability {
    /// Ready to serve.
    Ready(Arc<dyn FrontEnd>),
    /// Not in this build; the reason is shown to the person running it.
    Missing(&'static str),
}

impl fmt::Debug for Availability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ready(_) => f.write_str("Ready"),
            Self::Missing(why) => write!(f, "Missing({why})"),
        }
    }
}

/// Where the CalDAV/CardDAV tree lives on the HTTP listener; the
/// `/.well-known/caldav` and `/.well-known/carddav` redirects point here.
pub const DAV_PREFIX: &str = "/dav";

/// What the front ends need from the gateway.
#[derive(Clone)]
pub struct FrontEndEnv {
    /// TLS for STARTTLS and implicit TLS (`None`: no certificate configured,
    /// so no IMAP/SMTP listener is configured either).
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Accounts: the Exchange-backed provider (with the access policy in front).
    pub provider: Arc<dyn mailbox::AccountProvider>,
    /// Plaintext logins on connections without TLS.
    pub plaintext_login: PlaintextLogin,
    /// Largest message in bytes.
    pub max_message_size: u64,
    /// The name servers greet with (and put in `Received` fields).
    pub hostname: String,
    /// Seconds an idle client connection is kept.
    pub idle_timeout: Duration,
    /// Time sessions busy with a command get at shutdown.
    pub shutdown_grace: Duration,
}

/// The front ends of this build.
#[derive(Clone)]
pub struct FrontEnds {
    imap: Availability,
    submission: Availability,
    dav: Option<dav::DavServer>,
    metrics: Vec<Arc<dyn MetricSource>>,
}

impl fmt::Debug for FrontEnds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrontEnds").field("imap", &self.imap).field("submission", &self.submission).finish()
    }
}

impl FrontEnds {
    /// Builds every front end this binary contains over `env`.
    ///
    /// A protocol server lands here as: construct it from `env` (its config
    /// from `env.tls`, `env.plaintext_login`, limits; `env.provider`), wrap
    /// it in a [`FrontEnd`] impl, return `Ready` (CalDAV/CardDAV next).
    pub fn build(env: &FrontEndEnv) -> Self {
        let imap = imap::ImapServer::new(imap_config(env), env.provider.clone());
        let smtp = smtp::SmtpServer::new(smtp_config(env), env.provider.clone());
        let metrics: Vec<Arc<dyn MetricSource>> = vec![Arc::new(Counters { imap: imap.clone(), smtp: smtp.clone() })];
        Self {
            imap: Availability::Ready(Arc::new(Imap(imap))),
            submission: Availability::Ready(Arc::new(Smtp(smtp))),
            dav: Some(dav::DavServer::new(dav_config(env), env.provider.clone())),
            metrics,
        }
    }

    /// CalDAV/CardDAV, mounted on the HTTP listener (`None`: not served).
    pub fn dav(&self) -> Option<&dav::DavServer> {
        self.dav.as_ref()
    }

    /// The same front ends with these caps on the directory (GAL) address
    /// book: entries per search, entries listed without a search.
    pub fn with_directory_limits(mut self, env: &FrontEndEnv, search: usize, list: usize) -> Self {
        if self.dav.is_some() {
            let config =
                dav::DavConfig { directory_search_limit: search, directory_list_limit: list, ..dav_config(env) };
            self.dav = Some(dav::DavServer::new(config, env.provider.clone()));
        }
        self
    }

    /// The same front ends without CalDAV/CardDAV (not enabled in the configuration).
    pub fn without_dav(mut self) -> Self {
        self.dav = None;
        self
    }

    /// Their counters, for `/metrics`.
    pub fn metric_sources(&self) -> &[Arc<dyn MetricSource>] {
        &self.metrics
    }

    /// Why `protocol` cannot be served by this build (`None`: it can), without
    /// building anything. Kept in step with [`FrontEnds::build`].
    pub fn missing_from_build(protocol: Protocol) -> Option<&'static str> {
        match protocol {
            Protocol::Imap | Protocol::Submission => None,
        }
    }

    /// With explicit availabilities (tests).
    pub fn with(imap: Availability, submission: Availability) -> Self {
        Self { imap, submission, dav: None, metrics: Vec::new() }
    }

    /// The server for `protocol`.
    pub fn get(&self, protocol: Protocol) -> &Availability {
        match protocol {
            Protocol::Imap => &self.imap,
            Protocol::Submission => &self.submission,
        }
    }
}

fn dav_config(env: &FrontEndEnv) -> dav::DavConfig {
    let default = dav::DavConfig::default();
    // A DAV body holds one event or contact with its attachments inline: the
    // message size limit bounds it, never below the DAV server's default.
    let max_body = default.max_body.max(usize::try_from(env.max_message_size).unwrap_or(usize::MAX));
    // The gateway serves nothing at `/`, so PROPFIND there (clients given the
    // bare server URL look for current-user-principal) goes to DAV too.
    dav::DavConfig { prefix: DAV_PREFIX.to_owned(), max_body, serve_root: true, ..default }
}

fn imap_config(env: &FrontEndEnv) -> imap::ImapConfig {
    imap::ImapConfig {
        tls: env.tls.clone(),
        allow_plaintext_login: match env.plaintext_login {
            PlaintextLogin::Never => imap::PlaintextLogin::Never,
            PlaintextLogin::Loopback => imap::PlaintextLogin::LoopbackOnly,
            PlaintextLogin::Always => imap::PlaintextLogin::Always,
        },
        max_literal: u32::try_from(env.max_message_size).unwrap_or(u32::MAX),
        idle_timeout: env.idle_timeout,
        shutdown_grace: env.shutdown_grace,
        ..imap::ImapConfig::default()
    }
}

/// `crates/imap` behind [`FrontEnd`].
struct Imap(imap::ImapServer);

impl FrontEnd for Imap {
    fn serve(&self, listener: TcpListener, security: Security, shutdown: watch::Receiver<bool>) -> ServeFuture {
        let server = self.0.clone();
        let mode = match security {
            Security::StartTls => imap::TlsMode::StartTls,
            Security::Implicit => imap::TlsMode::Implicit,
        };
        Box::pin(async move { server.serve(listener, mode, shutdown).await })
    }
}

fn smtp_config(env: &FrontEndEnv) -> smtp::SmtpConfig {
    smtp::SmtpConfig {
        hostname: env.hostname.clone(),
        tls: env.tls.clone(),
        allow_plaintext_auth: match env.plaintext_login {
            PlaintextLogin::Never => smtp::PlaintextAuth::Never,
            PlaintextLogin::Loopback => smtp::PlaintextAuth::LoopbackOnly,
            PlaintextLogin::Always => smtp::PlaintextAuth::Always,
        },
        max_message_size: usize::try_from(env.max_message_size).unwrap_or(usize::MAX),
        idle_timeout: env.idle_timeout,
        shutdown_grace: env.shutdown_grace,
        ..smtp::SmtpConfig::default()
    }
}

/// `crates/smtp` behind [`FrontEnd`].
struct Smtp(smtp::SmtpServer);

impl FrontEnd for Smtp {
    fn serve(&self, listener: TcpListener, security: Security, shutdown: watch::Receiver<bool>) -> ServeFuture {
        let server = self.0.clone();
        let mode = match security {
            Security::StartTls => smtp::TlsMode::StartTls,
            Security::Implicit => smtp::TlsMode::Implicit,
        };
        Box::pin(async move { server.serve(listener, mode, shutdown).await })
    }
}

/// The protocol servers' counters, one metric family at a time (the text
/// format wants each family's samples together).
struct Counters {
    imap: imap::ImapServer,
    smtp: smtp::SmtpServer,
}

impl MetricSource for Counters {
    fn render(&self, out: &mut String) {
        use std::fmt::Write as _;
        let (i, s) = (self.imap.metrics(), self.smtp.metrics());
        let families: [(&str, &str, &str, u64, u64); 5] = [
            (
                "mapibridge_connections_open",
                "gauge",
                "Client connections open now.",
                i.connections_open,
                s.connections_open,
            ),
            (
                "mapibridge_connections_total",
                "counter",
                "Client connections accepted.",
                i.connections_total,
                s.connections_total,
            ),
            ("mapibridge_commands_total", "counter", "Client commands received.", i.commands, s.commands),
            ("mapibridge_errors_total", "counter", "Error replies sent to clients.", i.errors, s.errors),
            ("mapibridge_auth_failures_total", "counter", "Failed client logins.", i.login_failures, s.auth_failures),
        ];
        for (name, kind, help, imap, smtp) in families {
            family(out, name, kind, help);
            let _ = writeln!(out, "{name}{{protocol=\"imap\"}} {imap}");
            let _ = writeln!(out, "{name}{{protocol=\"smtp\"}} {smtp}");
        }
        family(out, "mapibridge_smtp_messages_total", "counter", "Submitted messages by outcome.");
        for (outcome, n) in [
            ("accepted", s.messages_accepted),
            ("deduplicated", s.messages_deduplicated),
            ("refused", s.messages_refused),
        ] {
            let _ = writeln!(out, "mapibridge_smtp_messages_total{{outcome=\"{outcome}\"}} {n}");
        }
    }
}

/// The CalDAV/CardDAV server's counters, for `/metrics`.
pub(crate) struct DavMetrics(pub(crate) dav::DavServer);

impl MetricSource for DavMetrics {
    fn render(&self, out: &mut String) {
        use std::fmt::Write as _;
        let m = self.0.metrics();
        for (name, help, n) in [
            ("mapibridge_dav_requests_total", "CalDAV/CardDAV requests answered.", m.requests),
            ("mapibridge_dav_auth_failures_total", "CalDAV/CardDAV requests refused with 401.", m.auth_failures),
            ("mapibridge_dav_server_errors_total", "CalDAV/CardDAV answers with a 5xx status.", m.server_errors),
        ] {
            family(out, name, "counter", help);
            let _ = writeln!(out, "{name} {n}");
        }
    }
}
