//! Async MAPI over HTTP client for mapibridge: the transport, and the typed mailbox API in [`api`].
//!
//! * [`autodiscover`]: Autodiscover POX ([MS-OXDSCLI]) → [`Discovery`] (MailStore and
//!   AddressBook URLs, legacyDN, mailbox id).
//! * [`EmsmdbSession`]: a mailbox session context ([MS-OXCMAPIHTTP] 3.1): Connect,
//!   Execute (ROP buffers in and out, RPC_HEADER_EXT compression/XOR handled),
//!   NotificationWait, PING, Disconnect.
//! * [`NspiSession`]: an address book session context: Bind, any NSPI request as raw
//!   bodies, Unbind.
//! * Authentication: Basic, NTLMv2 (crate `ntlm`; the authenticated connection is kept
//!   in the endpoint's pool) and Bearer with a [`TokenProvider`].
//!
//! Resilience rules, in one place:
//! * a lost session context (expired, unknown cookie, broken sequence) is re-established
//!   (Connect/Bind again with the old cookies, else fresh) and reported as
//!   [`Error::Reconnected`] — the request was not executed, handles are gone;
//! * busy servers (HTTP 503/429 with Retry-After, ecServerBusy) get jittered exponential
//!   backoff ([`RetryPolicy`]);
//! * a request whose answer was lost after it was sent is never replayed if it can
//!   write (Execute, ModProps, ModLinkAtt): [`Error::Ambiguous`];
//! * the response timeout is an idle timeout: each `PENDING` keep-alive resets it.
//!
//! Set [`TRACE_DIR_ENV`] (or [`TransportConfig::trace_dir`]) to write every
//! request/response body pair as `NNN-<type>.req.bin`/`.resp.bin`.

#![forbid(unsafe_code)]

pub mod api;
pub mod autodiscover;
mod backoff;
mod config;
mod conn;
mod cookies;
pub mod dns;
mod emsmdb;
mod error;
pub mod metrics;
mod nspi;
mod secret;
mod session;
mod tls;
mod transport;

pub use autodiscover::{Discovery, SrvResolver};
pub use config::{
    AccessToken, BEARER_REFRESH_MARGIN, BoxFuture, Credentials, RetryPolicy, SessionConfig, TRACE_DIR_ENV, TlsOptions,
    TokenProvider, TransportConfig,
};
pub use dns::DnsSrvResolver;
pub use emsmdb::{DEFAULT_MAX_ROP_OUT, EmsmdbSession, ExecuteOutcome, WaitOutcome};
pub use error::{Error, Result};
pub use mapi_wire::emsmdb::ExecuteFlags;
pub use nspi::NspiSession;
pub use secret::Secret;
pub use session::ContextInfo;
