//! The IMAP server of mapibridge: IMAP4rev1 (RFC 3501) with the extensions
//! mail clients rely on, in front of the [`mailbox`] model.
//!
//! # Layers
//!
//! * Commands are framed by imap-codec's fragmentizer (literal limits are
//!   checked on the announcement, before any literal byte is read) and
//!   decoded by its `CommandCodec`.
//! * [`session`](crate::session) holds the protocol state (not
//!   authenticated / authenticated / selected) and answers commands through
//!   the [`mailbox::Account`] and [`mailbox::Folder`] traits only; the
//!   selected mailbox's view (sequence numbers, pending updates from
//!   [`mailbox::Folder::watch`]) lives in `view`.
//! * `conn` is the thin tokio driver: sockets, TLS (STARTTLS and implicit),
//!   the IDLE wait, timeouts and the shutdown BYE.
//!
//! # What is offered
//!
//! IMAP4rev1 with LITERAL+, SASL-IR (AUTH=PLAIN), STARTTLS, ID, ENABLE,
//! IDLE, NAMESPACE, UIDPLUS, MOVE, UNSELECT, CHILDREN, SPECIAL-USE,
//! LIST-EXTENDED, LIST-STATUS, ESEARCH, BINARY, CONDSTORE, QRESYNC,
//! STATUS=SIZE, QUOTA (RES-STORAGE), APPENDLIMIT and COMPRESS=DEFLATE. The
//! LIST-EXTENDED/LIST-STATUS and `SEARCH RETURN` forms, which imap-codec
//! 2.0.0-alpha.10 does not parse, are recognised by `ext` before the
//! message reaches imap-codec. Not offered: UTF8=ACCEPT, SORT, THREAD.
//!
//! # Entry point
//!
//! [`ImapServer::serve`] takes a bound listener, a [`TlsMode`] and a shutdown
//! signal; it returns once the signal turned true and every connection was
//! told `BYE`.

#![forbid(unsafe_code)]

mod auth;
mod compress;
mod conn;
mod ext;
mod ext_answer;
mod fetch;
#[doc(hidden)]
pub mod fuzzing;
mod mime;
mod mutf7;
mod names;
mod search;
mod selected;
mod seqmap;
mod session;
mod view;
mod wire;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// When plaintext LOGIN / AUTHENTICATE PLAIN are allowed without TLS.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlaintextLogin {
    /// Only after TLS (RFC 9051 §6.2.3 LOGINDISABLED otherwise).
    #[default]
    Never,
    /// Also on connections from a loopback address (the demo setup).
    LoopbackOnly,
    /// Always (tests, trusted networks).
    Always,
}

impl PlaintextLogin {
    /// Whether a plaintext password may be accepted without TLS from a
    /// client at `peer` (RFC 8314 §3.3; an IPv4-mapped address counts as
    /// the IPv4 address it maps).
    pub fn permits(self, peer: IpAddr) -> bool {
        match self {
            Self::Always => true,
            Self::LoopbackOnly => match peer {
                IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(v6.is_loopback(), |v4| v4.is_loopback()),
                IpAddr::V4(v4) => v4.is_loopback(),
            },
            Self::Never => false,
        }
    }
}

/// How a listener speaks TLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain connection offering STARTTLS (RFC 9051 §6.2.1), port 143.
    StartTls,
    /// TLS from the first byte (RFC 8314 §3.2), port 993.
    Implicit,
}

/// Configuration of an [`ImapServer`].
#[derive(Clone, Debug)]
pub struct ImapConfig {
    /// The TLS configuration; without it STARTTLS is not offered and
    /// [`TlsMode::Implicit`] listeners refuse to start.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// When plaintext logins are accepted without TLS.
    pub allow_plaintext_login: PlaintextLogin,
    /// The largest literal accepted (APPEND size limit, advertised as
    /// APPENDLIMIT); larger synchronising literals are refused before a
    /// byte of them is read.
    pub max_literal: u32,
    /// How long a connection may sit idle in IDLE before the server says
    /// BYE (RFC 9051 §5.4: at least 30 minutes).
    pub idle_timeout: Duration,
    /// How long a connection may sit idle outside IDLE (autologout timer,
    /// RFC 9051 §5.4: at least 30 minutes once authenticated).
    pub command_timeout: Duration,
    /// How long an unauthenticated connection may take to log in.
    pub login_timeout: Duration,
    /// Failed logins per peer address (and per user name) tolerated within
    /// [`ImapConfig::login_failure_window`] before further attempts are
    /// delayed by [`ImapConfig::login_failure_delay`].
    pub login_failures_allowed: u32,
    /// The window failed logins are counted in.
    pub login_failure_window: Duration,
    /// The delay imposed on a throttled login attempt (the answer is
    /// `NO [AUTHENTICATIONFAILED]` either way).
    pub login_failure_delay: Duration,
    /// How long [`ImapServer::serve`] waits after the shutdown signal for
    /// connections to finish their command and say BYE before it drops
    /// them (a client that does not read could otherwise hold it forever).
    pub shutdown_grace: Duration,
    /// The greeting text.
    pub greeting: String,
}

impl Default for ImapConfig {
    fn default() -> Self {
        Self {
            tls: None,
            allow_plaintext_login: PlaintextLogin::Never,
            max_literal: 64 * 1024 * 1024,
            idle_timeout: Duration::from_secs(31 * 60),
            command_timeout: Duration::from_secs(31 * 60),
            login_timeout: Duration::from_secs(60),
            login_failures_allowed: 5,
            login_failure_window: Duration::from_secs(300),
            login_failure_delay: Duration::from_secs(3),
            shutdown_grace: Duration::from_secs(10),
            greeting: "mapibridge IMAP ready".into(),
        }
    }
}

/// A snapshot of the server's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImapCounters {
    /// Connections open now.
    pub connections_open: u64,
    /// Connections accepted since start.
    pub connections_total: u64,
    /// Commands answered (any result).
    pub commands: u64,
    /// Commands answered NO or BAD.
    pub errors: u64,
    /// Failed logins.
    pub login_failures: u64,
}

/// The IMAP server; cheap to clone.
#[derive(Clone)]
pub struct ImapServer {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for ImapServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapServer").field("counters", &self.metrics()).finish_non_exhaustive()
    }
}

/// What every connection shares.
pub(crate) struct Shared {
    pub(crate) config: ImapConfig,
    pub(crate) provider: Arc<dyn mailbox::AccountProvider>,
    pub(crate) counters: Counters,
    pub(crate) throttle: Throttle,
}

#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) open: AtomicU64,
    pub(crate) total: AtomicU64,
    pub(crate) commands: AtomicU64,
    pub(crate) errors: AtomicU64,
    pub(crate) login_failures: AtomicU64,
}

impl ImapServer {
    /// A server answering with `provider`'s accounts.
    pub fn new(config: ImapConfig, provider: Arc<dyn mailbox::AccountProvider>) -> Self {
        Self {
            shared: Arc::new(Shared { config, provider, counters: Counters::default(), throttle: Throttle::default() }),
        }
    }

    /// The counters now.
    pub fn metrics(&self) -> ImapCounters {
        let c = &self.shared.counters;
        ImapCounters {
            connections_open: c.open.load(Ordering::Relaxed),
            connections_total: c.total.load(Ordering::Relaxed),
            commands: c.commands.load(Ordering::Relaxed),
            errors: c.errors.load(Ordering::Relaxed),
            login_failures: c.login_failures.load(Ordering::Relaxed),
        }
    }

    /// Accepts connections on `listener` until `shutdown` turns true, then
    /// tells every open connection `BYE` (after its current command) and
    /// returns once they are closed.
    pub async fn serve(
        &self,
        listener: TcpListener,
        mode: TlsMode,
        mut shutdown: watch::Receiver<bool>,
    ) -> std::io::Result<()> {
        if mode == TlsMode::Implicit && self.shared.config.tls.is_none() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "implicit TLS needs a TLS configuration",
            ));
        }
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(a) => a,
                        Err(e) => {
                            // Out of file descriptors and the like: keep serving.
                            tracing::warn!(error = %e, "accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let _ = stream.set_nodelay(true);
                    let shared = self.shared.clone();
                    let shutdown = shutdown.clone();
                    connections.spawn(async move {
                        shared.counters.open.fetch_add(1, Ordering::Relaxed);
                        shared.counters.total.fetch_add(1, Ordering::Relaxed);
                        if let Err(e) = conn::run(shared.clone(), stream, peer, mode, shutdown).await {
                            tracing::debug!(%peer, error = %e, "connection ended with an error");
                        }
                        shared.counters.open.fetch_sub(1, Ordering::Relaxed);
                    });
                }
                () = shutdown_signal(&mut shutdown) => break,
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        drop(listener);
        let drained = async { while connections.join_next().await.is_some() {} };
        if tokio::time::timeout(self.shared.config.shutdown_grace, drained).await.is_err() {
            tracing::warn!(left = connections.len(), "connections did not close in time; dropping them");
            connections.shutdown().await;
        }
        Ok(())
    }
}

/// Resolves once shutdown was asked for, or when nobody can ask any more
/// (the sender is gone: its owner is exiting).
pub(crate) async fn shutdown_signal(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

/// Failed-login bookkeeping per peer address and per user name.
#[derive(Default)]
pub(crate) struct Throttle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    fn keys(peer: &SocketAddr, user: &str) -> [String; 2] {
        let ip: IpAddr = peer.ip();
        [format!("ip:{ip}"), format!("user:{}", user.to_lowercase())]
    }

    /// Whether an attempt from `peer` for `user` must be delayed.
    pub(crate) fn throttled(&self, config: &ImapConfig, peer: &SocketAddr, user: &str) -> bool {
        let Ok(map) = self.failures.lock() else { return false };
        Self::keys(peer, user).iter().any(|k| {
            map.get(k).is_some_and(|(n, since)| {
                *n >= config.login_failures_allowed && since.elapsed() < config.login_failure_window
            })
        })
    }

    /// Records a failed attempt.
    pub(crate) fn failed(&self, config: &ImapConfig, peer: &SocketAddr, user: &str) {
        let Ok(mut map) = self.failures.lock() else { return };
        if map.len() > 100_000 {
            map.retain(|_, (_, since)| since.elapsed() < config.login_failure_window);
        }
        for k in Self::keys(peer, user) {
            let e = map.entry(k).or_insert((0, Instant::now()));
            if e.1.elapsed() >= config.login_failure_window {
                *e = (0, Instant::now());
            }
            e.0 += 1;
        }
    }

    /// Forgets the failures of a user after a successful login (the peer's
    /// count stays: one peer guessing many users is still throttled).
    pub(crate) fn succeeded(&self, user: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&format!("user:{}", user.to_lowercase()));
        }
    }
}
