//! [MS-OXCMAPIHTTP] 2.2.2–2.2.3 request and response headers, and
//! [MS-OXCMAPIHTTP] 2.2.7 / 3.1.5.6 response body framing (meta-tags).
//!
//! No HTTP library is involved: headers go in as `&str` and come out as
//! `String`, and the framer takes the de-chunked response body in whatever
//! pieces the transport delivers.
//!
//! * [`headers`]: typed `X-RequestType`, `X-RequestId`, `X-ClientInfo`,
//!   `X-ClientApplication`, `X-ResponseCode`, `X-PendingPeriod`,
//!   `X-ExpirationInfo`, `X-ElapsedTime`, `X-StartTime`, and the header sets a
//!   client sends ([`RequestHeaders`]) and a server returns
//!   ([`ResponseHeaders`]).
//! * [`framing`]: the incremental [`ResponseFramer`] (client side) and the
//!   meta-tag writers (server side).
//! * [`date`]: the RFC 1123 date of `X-StartTime`.

pub mod date;
pub mod framing;
pub mod headers;

pub use date::HttpDate;
pub use framing::{
    FrameEvent, FramedResponse, FramerLimits, ResponseFramer, write_done, write_pending, write_pending_bare,
    write_processing,
};
pub use headers::{
    ClientApplication, ClientInfo, ElapsedTime, Endpoint, ExpirationInfo, PendingPeriod, RequestHeaders, RequestId,
    RequestKind, RequestType, ResponseClass, ResponseCode, ResponseHeaders, ServerDialect,
};

/// [MS-OXCMAPIHTTP] 2.2.3.1.1 Content-Type of every request and of every
/// response whose `X-ResponseCode` is 0.
pub const CONTENT_TYPE_MAPI_HTTP: &str = "application/mapi-http";

/// Why a header value was refused.
///
/// [MS-OXCMAPIHTTP] 2.2.3 common headers: every value has a fixed textual
/// form; anything else is reported with the header's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[error("{header}: {reason}")]
pub struct HeaderError {
    /// The header whose value is wrong.
    pub header: &'static str,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl HeaderError {
    pub(crate) const fn new(header: &'static str, reason: &'static str) -> Self {
        Self { header, reason }
    }
}
