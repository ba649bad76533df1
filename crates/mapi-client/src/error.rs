//! Errors of the MAPI/HTTP client, by what the caller should do about them.

use std::time::Duration;

use mapi_wire::ErrorCode;
use mapi_wire::http::{RequestKind, ResponseCode};

/// Why a client call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server refused the credentials (HTTP 401 after the auth exchange, NTLM denied,
    /// Bearer refused even with a fresh token, X-ResponseCode "no privilege").
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The session context was lost (expired, unknown cookie, sequence broken) and the
    /// client has reconnected: a **new** context exists, every server object handle of
    /// the old one is gone ([MS-OXCMAPIHTTP] 3.1.5.7). The request was not processed
    /// (the server refused it at the cookie check), so the caller re-logs on, re-opens
    /// its handles and sends it again.
    #[error("session context was lost; reconnected (X-ResponseCode {code})")]
    Reconnected {
        /// The X-ResponseCode that reported the loss (server numbering).
        code: ResponseCode,
    },
    /// The connection failed or timed out **after** the request was sent: the server may
    /// or may not have executed it. Never replayed automatically; the caller checks
    /// whether a write landed (e.g. by a search key it set) before retrying.
    #[error("outcome of {kind:?} unknown: {reason}")]
    Ambiguous {
        /// The request type.
        kind: RequestKind,
        /// What happened.
        reason: String,
    },
    /// The server stayed busy (HTTP 503/429, ecServerBusy) through every retry.
    #[error("server busy after {attempts} attempts")]
    Busy {
        /// How many attempts were made.
        attempts: u32,
        /// The last Retry-After the server gave, if any.
        retry_after: Option<Duration>,
    },
    /// No response (or no progress: neither data nor keep-alive) within the timeout, on
    /// a request that is safe to repeat.
    #[error("timeout waiting for {0:?}")]
    Timeout(RequestKind),
    /// A non-zero X-ResponseCode that is not a lost context (a bug on our side, or the
    /// endpoint is disabled). `diagnostic` is the text of the server's error page.
    #[error("X-ResponseCode {code}: {diagnostic}")]
    Response {
        /// The code as sent (server numbering).
        code: ResponseCode,
        /// The server's diagnostic text (HTML stripped, bounded).
        diagnostic: String,
        /// True when the client re-established the context afterwards (after a
        /// malformed-request code gromox has already advanced the sequence,
        /// corrections A8): every server object handle is gone, as with
        /// [`Error::Reconnected`]. The request itself is not worth repeating.
        reconnected: bool,
    },
    /// Connect/Bind (or a whole Execute) answered with a non-zero ErrorCode.
    #[error("{kind:?} failed with {code:?}")]
    Mapi {
        /// The request type.
        kind: RequestKind,
        /// The ErrorCode in the response body.
        code: ErrorCode,
    },
    /// An HTTP status the protocol does not expect.
    #[error("unexpected HTTP status {status}")]
    HttpStatus {
        /// The status code.
        status: u16,
    },
    /// Connecting (DNS, TCP, TLS) failed; nothing was sent.
    #[error("connect to {host} failed: {reason}")]
    Connect {
        /// Host and port.
        host: String,
        /// Why.
        reason: String,
    },
    /// The server's bytes could not be decoded (framing, body, RPC_HEADER_EXT, XML).
    #[error("malformed response: {0}")]
    Protocol(String),
    /// Autodiscover found nothing usable.
    #[error("autodiscover failed: {0}")]
    Autodiscover(String),
    /// A configuration value is unusable (bad URL, bad certificate).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The session was disconnected by the caller.
    #[error("session is closed")]
    Closed,
    /// Writing a trace file failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// True when repeating the same call later may succeed without any other action
    /// (busy, timeout on an idempotent request, connect failure).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Busy { .. } | Self::Timeout(_) | Self::Connect { .. })
    }
}

impl From<mapi_wire::DecodeError> for Error {
    fn from(e: mapi_wire::DecodeError) -> Self {
        Self::Protocol(e.to_string())
    }
}

impl From<mapi_wire::EncodeError> for Error {
    fn from(e: mapi_wire::EncodeError) -> Self {
        Self::Protocol(format!("encode: {e}"))
    }
}

/// Shorthand.
pub type Result<T, E = Error> = std::result::Result<T, E>;
