//! SMTP message submission (RFC 6409) in front of the mailbox model.
//!
//! A client authenticates (AUTH PLAIN/LOGIN, RFC 4954, only under TLS
//! unless configured otherwise), gives an envelope and a message (DATA or
//! BDAT), and the message goes to [`mailbox::Account::submit`]. The client
//! gets `250` only after the backend accepted the submission; a backend
//! failure is a `451` the client retries, and a retry of a message that was
//! accepted (same user, same Message-ID, same recipients, within
//! [`SmtpConfig::dedupe_window`]) gets `250` without a second submission.
//!
//! Before submission the gateway adds a `Received` field, adds a
//! `Message-ID` when the client gave none, and removes `Bcc` fields: blind
//! recipients come only from the envelope.
//!
//! # Layers
//!
//! * `session`: the sans-IO protocol core (bytes and time in, replies and
//!   events out), on `smtp-proto`'s request parser and response types.
//! * `server`: the tokio driver ([`SmtpServer::serve`]): sockets, TLS
//!   (tokio-rustls), timeouts, graceful shutdown, backend calls.
//! * `limits`: deduplication, per-user rate limit and AUTH throttling,
//!   shared by the sessions of one server. They live in memory: several
//!   gateway nodes need them in the shared `state` store to deduplicate a
//!   retry that reaches another node.
//!
//! ```no_run
//! # async fn run(provider: std::sync::Arc<dyn mailbox::AccountProvider>) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:587").await?;
//! let (_stop, shutdown) = tokio::sync::watch::channel(false);
//! let server = smtp::SmtpServer::new(smtp::SmtpConfig::default(), provider);
//! server.serve(listener, smtp::TlsMode::StartTls, shutdown).await
//! # }
//! ```

#![forbid(unsafe_code)]

mod config;
#[doc(hidden)]
pub mod fuzzing;
mod limits;
mod message;
mod server;
mod session;

use std::sync::atomic::{AtomicU64, Ordering};

pub use config::{PlaintextAuth, SmtpConfig, TlsMode};
pub use server::SmtpServer;

/// Live counters of a server (plain atomics; see [`SmtpServer::metrics`]).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    connections_open: AtomicU64,
    connections_total: AtomicU64,
    commands: AtomicU64,
    errors: AtomicU64,
    auth_failures: AtomicU64,
    messages_accepted: AtomicU64,
    messages_deduplicated: AtomicU64,
    messages_refused: AtomicU64,
}

/// A snapshot of a server's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CountersSnapshot {
    /// Connections open now.
    pub connections_open: u64,
    /// Connections accepted since start.
    pub connections_total: u64,
    /// Commands received.
    pub commands: u64,
    /// 4xx and 5xx replies sent.
    pub errors: u64,
    /// Failed AUTH attempts.
    pub auth_failures: u64,
    /// Messages the backend accepted.
    pub messages_accepted: u64,
    /// Retries answered 250 without a second submission.
    pub messages_deduplicated: u64,
    /// Submissions the backend refused or failed.
    pub messages_refused: u64,
}

impl Counters {
    fn snapshot(&self) -> CountersSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        CountersSnapshot {
            connections_open: get(&self.connections_open),
            connections_total: get(&self.connections_total),
            commands: get(&self.commands),
            errors: get(&self.errors),
            auth_failures: get(&self.auth_failures),
            messages_accepted: get(&self.messages_accepted),
            messages_deduplicated: get(&self.messages_deduplicated),
            messages_refused: get(&self.messages_refused),
        }
    }
}
