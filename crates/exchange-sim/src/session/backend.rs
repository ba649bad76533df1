//! The traits the ROP and NSPI engines implement, and [`MinimalBackend`],
//! which answers just enough for the HTTP layer's end-to-end tests.
//!
//! The HTTP layer owns everything up to the decoded request body: framing,
//! authentication, cookies, sequencing, expiry, busy/latency faults. It
//! calls the backend with the locked [`SessionState`] of the context, on a
//! blocking thread (backends may use the synchronous store directly), and
//! encodes what comes back. `StatusCode` ≠ 0 responses
//! ([`MapiResponse::Failed`]) are passed through unchanged.

use mapi_wire::emsmdb::{
    ConnectRequest, ConnectResponse, DisconnectRequest, DisconnectResponse, ExecuteRequest, ExecuteResponse,
    MapiResponse,
};
use mapi_wire::http::RequestKind;
use mapi_wire::nspi::{self, BindResponse, UnbindResponse};
use mapi_wire::{Encode, ErrorCode, Guid};

use super::SessionState;

/// The mailbox endpoint's operations ([MS-OXCMAPIHTTP] 2.2.4; EcDoConnectEx,
/// EcDoRpcExt2, EcDoDisconnect of [MS-OXCRPC] 3.1.4).
///
/// PING and NotificationWait are answered by the HTTP layer: PING touches
/// the context, NotificationWait waits on
/// [`SessionState::notifications`](super::SessionState).
pub trait MailboxBackend: Send + Sync + 'static {
    /// Connect ([MS-OXCMAPIHTTP] 2.2.4.1). `session` is new (its `user` is
    /// the authenticated user; `data` is `None`). A non-zero `ErrorCode`
    /// (e.g. ecAccessDenied for another user's `UserDn`, capture 079) or a
    /// `Failed` response makes the HTTP layer drop the new context.
    fn connect(&self, session: &mut SessionState, request: &ConnectRequest) -> MapiResponse<ConnectResponse>;

    /// Execute ([MS-OXCMAPIHTTP] 2.2.4.2): `request.rop_buffer` is the raw
    /// `rgbIn` (RPC_HEADER_EXT + ROP buffer), the response's `rop_buffer`
    /// the raw `rgbOut`. Pending notifications are in
    /// `session.notifications` (RopNotify/RopPending are the executor's).
    fn execute(&self, session: &mut SessionState, request: &ExecuteRequest) -> MapiResponse<ExecuteResponse>;

    /// Disconnect ([MS-OXCMAPIHTTP] 2.2.4.3); the context is dropped
    /// afterwards whatever this returns.
    fn disconnect(&self, session: &mut SessionState, request: &DisconnectRequest) -> MapiResponse<DisconnectResponse>;

    /// The answer to an Execute chosen by the busy fault in its
    /// ecServerBusy form. Default: the whole call fails with ErrorCode
    /// ecServerBusy (0x480) and an empty ROP buffer, the shape of whole-call
    /// failures in captures 056–058; an executor may instead answer every
    /// ROP with ReturnValue ecServerBusy.
    fn server_busy(&self, session: &mut SessionState, request: &ExecuteRequest) -> MapiResponse<ExecuteResponse> {
        let _ = (session, request);
        MapiResponse::Completed(ExecuteResponse {
            error_code: ErrorCode::SERVER_BUSY,
            flags: 0,
            rop_buffer: Vec::new(),
            auxiliary_buffer: Vec::new(),
        })
    }
}

/// The address book endpoint's operations ([MS-OXCMAPIHTTP] 2.2.5).
pub trait NspiBackend: Send + Sync + 'static {
    /// Bind ([MS-OXCMAPIHTTP] 2.2.5.1); `session` is new. A non-zero
    /// `ErrorCode` or a `Failed` response drops the context.
    fn bind(&self, session: &mut SessionState, request: &nspi::BindRequest) -> MapiResponse<BindResponse>;

    /// Unbind ([MS-OXCMAPIHTTP] 2.2.5.2); the context is dropped afterwards.
    fn unbind(&self, session: &mut SessionState, request: &nspi::UnbindRequest) -> MapiResponse<UnbindResponse>;

    /// True if `kind` (anything but Bind, Unbind, PING) is served; other
    /// types get X-ResponseCode 5 (invalid request type) before the
    /// session is touched.
    fn supports(&self, kind: RequestKind) -> bool;

    /// Every other served request type (never Bind, Unbind or PING): the
    /// encoded response body ([MS-OXCMAPIHTTP] 2.2.5.x response, StatusCode
    /// first), e.g. `MapiResponse::Completed(QueryRowsResponse { .. })`
    /// through [`encode_body`].
    fn call(&self, session: &mut SessionState, request: &nspi::Request) -> Vec<u8>;
}

/// Answers Connect like capture 004 (PollsMax 60000, RetryCount 6,
/// RetryDelay 10000, DnPrefix "", the user's display name, the 36-byte
/// auxiliary buffer; another user's DN gets ecAccessDenied as in 079),
/// Execute with an empty ROP list by an empty ROP response buffer (a
/// malformed rgbIn gets ecRpcFormat, any ROP ecNotSupported, a too small
/// MaxRopOut ecBufferTooSmall), Disconnect, Bind/Unbind; every other NSPI
/// request type is unsupported.
#[derive(Clone, Copy, Debug, Default)]
pub struct MinimalBackend;

/// [MS-OXCRPC] 2.2.2.1 RPC_HEADER_EXT flag Last.
const RHE_LAST: u16 = 0x0004;

/// The auxiliary buffer of capture 004's Connect response: RPC_HEADER_EXT
/// (Last, 28 bytes) + AUX_EXORGINFO (0x17, OrgFlags 3) + AUX_CLIENT_CONTROL
/// (0x0A, EnableFlags 0x0C, ExpiryTime 604800000) +
/// AUX_ENDPOINT_CAPABILITIES (0x48, single endpoint) ([MS-OXCRPC] 2.2.2.2,
/// digest corrections B4).
pub fn connect_auxiliary_buffer() -> Vec<u8> {
    let mut blocks = Vec::new();
    // AUX_HEADER: Size u16, Version u8, Type u8.
    let mut block = |ty: u8, payload: &[u8]| {
        let size = (4 + payload.len()) as u16;
        blocks.extend_from_slice(&size.to_le_bytes());
        blocks.push(1);
        blocks.push(ty);
        blocks.extend_from_slice(payload);
    };
    block(0x17, &3u32.to_le_bytes());
    let mut control = 0x0Cu32.to_le_bytes().to_vec();
    control.extend_from_slice(&604_800_000u32.to_le_bytes());
    block(0x0A, &control);
    block(0x48, &1u32.to_le_bytes());
    let size = blocks.len() as u16;
    let mut out = Vec::with_capacity(8 + blocks.len());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&RHE_LAST.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&blocks);
    out
}

/// An `rgbOut` holding one RPC_HEADER_EXT (Last, uncompressed) around an
/// empty ROP output buffer (`RopSize` = 2, no handles)
/// ([MS-OXCRPC] 3.1.4.2; [MS-OXCROPS] 2.2.1).
pub fn empty_rop_output() -> Vec<u8> {
    let payload = 2u16.to_le_bytes();
    let mut out = Vec::with_capacity(10);
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&RHE_LAST.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u16).to_le_bytes());
    out.extend_from_slice(&(payload.len() as u16).to_le_bytes());
    out.extend_from_slice(&payload);
    out
}

impl MailboxBackend for MinimalBackend {
    fn connect(&self, session: &mut SessionState, request: &ConnectRequest) -> MapiResponse<ConnectResponse> {
        let own = request.user_dn.eq_ignore_ascii_case(&session.user.legacy_dn)
            || request.user_dn.eq_ignore_ascii_case(&session.user.address);
        MapiResponse::Completed(ConnectResponse {
            error_code: if own { ErrorCode::SUCCESS } else { ErrorCode(0x8007_0005) },
            polls_max: 60_000,
            retry_count: 6,
            retry_delay: 10_000,
            dn_prefix: String::new(),
            display_name: if own { session.user.display_name.clone() } else { String::new() },
            auxiliary_buffer: if own { connect_auxiliary_buffer() } else { Vec::new() },
        })
    }

    fn execute(&self, _session: &mut SessionState, request: &ExecuteRequest) -> MapiResponse<ExecuteResponse> {
        let fail = |code: ErrorCode| {
            MapiResponse::Completed(ExecuteResponse {
                error_code: code,
                flags: 0,
                rop_buffer: Vec::new(),
                auxiliary_buffer: Vec::new(),
            })
        };
        // rgbIn: an RPC_HEADER_EXT chain ([MS-OXCRPC] 3.1.4.2.1.1); a
        // malformed one fails the whole call with ecRpcFormat (the shape of
        // capture 057).
        let Ok(chain) = mapi_wire::rpc_ext::decode_chain(&request.rop_buffer, &Default::default()) else {
            return fail(ErrorCode::RPC_FORMAT);
        };
        // Only the empty ROP list (RopSize 2, no handle table; digest TV-16)
        // is served; anything else needs a real executor.
        let empty = chain.len() == 1 && chain.first().is_some_and(|b| b.payload == 2u16.to_le_bytes());
        if !empty {
            return fail(ErrorCode::NOT_SUPPORTED);
        }
        // MaxRopOut below the 10 bytes of the answer: ecBufferTooSmall for
        // the whole call (capture 058).
        let out = empty_rop_output();
        if usize::try_from(request.max_rop_out).is_ok_and(|m| m >= out.len()) {
            MapiResponse::Completed(ExecuteResponse {
                error_code: ErrorCode::SUCCESS,
                flags: 0,
                rop_buffer: out,
                auxiliary_buffer: Vec::new(),
            })
        } else {
            fail(ErrorCode(0x47D))
        }
    }

    fn disconnect(&self, session: &mut SessionState, _request: &DisconnectRequest) -> MapiResponse<DisconnectResponse> {
        session.data = None;
        MapiResponse::Completed(DisconnectResponse { error_code: ErrorCode::SUCCESS, auxiliary_buffer: Vec::new() })
    }
}

impl NspiBackend for MinimalBackend {
    fn bind(&self, session: &mut SessionState, _request: &nspi::BindRequest) -> MapiResponse<BindResponse> {
        MapiResponse::Completed(BindResponse {
            error_code: ErrorCode::SUCCESS,
            server_guid: session.user.mailbox_guid,
            auxiliary_buffer: Vec::new(),
        })
    }

    fn unbind(&self, _session: &mut SessionState, _request: &nspi::UnbindRequest) -> MapiResponse<UnbindResponse> {
        // Capture 117: ErrorCode 1 (UnbindSuccess).
        MapiResponse::Completed(UnbindResponse { error_code: ErrorCode(1), auxiliary_buffer: Vec::new() })
    }

    fn supports(&self, _kind: RequestKind) -> bool {
        false
    }

    fn call(&self, _session: &mut SessionState, _request: &nspi::Request) -> Vec<u8> {
        encode_body(&MapiResponse::<UnbindResponse>::Failed {
            status_code: ErrorCode::NOT_SUPPORTED.0,
            auxiliary_buffer: Vec::new(),
        })
    }
}

/// Encodes a response body; an unencodable response (a backend bug)
/// becomes `StatusCode` ecRpcFormat with an empty auxiliary buffer.
pub fn encode_body<T: mapi_wire::emsmdb::ResponseFields>(response: &MapiResponse<T>) -> Vec<u8> {
    response.to_bytes().unwrap_or_else(|_| {
        MapiResponse::<T>::Failed { status_code: ErrorCode::RPC_FORMAT.0, auxiliary_buffer: Vec::new() }
            .to_bytes()
            .unwrap_or_default()
    })
}

/// A fresh random GUID (server GUIDs of tests).
pub fn random_guid() -> Guid {
    let mut b = [0u8; 16];
    let _ = getrandom::fill(&mut b);
    Guid(b)
}
