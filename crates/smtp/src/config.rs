//! What the gateway configures: listeners' TLS, limits and policies.

use std::sync::Arc;
use std::time::Duration;

/// How a listener starts its sessions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain TCP offering STARTTLS (RFC 3207), the submission port 587.
    StartTls,
    /// TLS from the first byte (RFC 8314 §3.3), the submissions port 465.
    Implicit,
}

/// When AUTH is allowed over a connection without TLS.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlaintextAuth {
    /// Never: AUTH needs STARTTLS or implicit TLS first (RFC 8314 §3.3).
    #[default]
    Never,
    /// Only when the client connects from a loopback address (a local
    /// proxy or mail client on the same host).
    LoopbackOnly,
    /// Always (tests and trusted networks only).
    Always,
}

impl PlaintextAuth {
    /// Whether AUTH may be offered without TLS to a client at `peer`
    /// (RFC 8314 §3.3; an IPv4-mapped address counts as the IPv4 address).
    pub fn permits(self, peer: std::net::IpAddr) -> bool {
        let peer = match peer {
            std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer, std::net::IpAddr::V4),
            v4 => v4,
        };
        match self {
            Self::Never => false,
            Self::LoopbackOnly => peer.is_loopback(),
            Self::Always => true,
        }
    }
}

/// Configuration of an [`crate::SmtpServer`].
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    /// The name the server greets with and puts in `Received` fields.
    pub hostname: String,
    /// The TLS server configuration for STARTTLS and implicit TLS; without
    /// it STARTTLS is not offered and an implicit-TLS listener refuses to
    /// start.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// When AUTH is allowed without TLS.
    pub allow_plaintext_auth: PlaintextAuth,
    /// Largest message accepted, in octets (advertised as `SIZE`, RFC 1870).
    pub max_message_size: usize,
    /// Longest command line, CRLF included (RFC 5321 §4.5.3.1.4 allows
    /// servers to accept more than 512 octets; AUTH lines need more).
    pub max_line_length: usize,
    /// Most recipients of one message (RFC 5321 §4.5.3.1.8).
    pub max_recipients: usize,
    /// Most messages a user may submit per minute; `None` for no limit.
    pub max_messages_per_minute: Option<u32>,
    /// How long an accepted Message-ID is remembered per user, so that a
    /// client's retry of a message already sent gets 250 without a second
    /// submission. Zero disables the deduplication.
    pub dedupe_window: Duration,
    /// Failed AUTH attempts allowed per client address within
    /// [`SmtpConfig::auth_failure_window`] before AUTH is refused outright.
    pub max_auth_failures: u32,
    /// The window over which failed AUTH attempts are counted.
    pub auth_failure_window: Duration,
    /// How long the answer to a failed AUTH is held back (slows down
    /// password guessing on one connection).
    pub auth_failure_delay: Duration,
    /// A session that sends nothing for this long is closed with 421
    /// (RFC 5321 §4.5.3.2.7 suggests at least 5 minutes).
    pub idle_timeout: Duration,
    /// How long `serve` waits after shutdown for sessions busy with a
    /// message before it drops them.
    pub shutdown_grace: Duration,
    /// Ask the backend to save a Sent copy itself as well (for clients that
    /// insist on filing their own copy; the backend already files one).
    pub save_sent_copy: bool,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            hostname: "localhost".into(),
            tls: None,
            allow_plaintext_auth: PlaintextAuth::Never,
            max_message_size: 35 * 1024 * 1024,
            max_line_length: 4096,
            max_recipients: 500,
            max_messages_per_minute: Some(60),
            dedupe_window: Duration::from_secs(600),
            max_auth_failures: 5,
            auth_failure_window: Duration::from_secs(900),
            auth_failure_delay: Duration::from_secs(2),
            idle_timeout: Duration::from_secs(300),
            shutdown_grace: Duration::from_secs(30),
            save_sent_copy: false,
        }
    }
}
