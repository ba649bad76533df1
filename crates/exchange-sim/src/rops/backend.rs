//! [`StoreBackend`]: Connect, Execute and Disconnect over the store
//! ([MS-OXCMAPIHTTP] 2.2.4.1–2.2.4.3; [MS-OXCRPC] 3.1.4.2 EcDoRpcExt2).

use std::path::PathBuf;

use mapi_wire::emsmdb::{
    ConnectFlags, ConnectRequest, ConnectResponse, DisconnectRequest, DisconnectResponse, ExecuteFlags, ExecuteRequest,
    ExecuteResponse, MapiResponse,
};
use mapi_wire::rop::{RopRequestBuffer, RopResponse};
use mapi_wire::rpc_ext::{self, ChainLimits, EncodeOptions};
use mapi_wire::{Decode, ErrorCode};

use super::dispatch::{self, Ctx, Out};
use super::objects::RopSession;
use crate::session::backend::connect_auxiliary_buffer;
use crate::session::{MailboxBackend, SessionState};
use crate::store::Store;

/// Responses whose ROP buffer is at least this long are LZ77-compressed
/// unless the Execute Flags say NoCompression (captures 118–122 used a
/// 256-byte threshold).
pub const COMPRESSION_THRESHOLD: usize = 256;

/// Bytes of MaxRopOut the executor keeps in reserve. Chosen so that the
/// three MaxRopOut captures come out the same: 0x80 fails the whole call
/// (058), 0xC0 fails RopQueryRows alone (059), 0x100 returns one row (060).
const MAX_ROP_OUT_RESERVE: usize = 96;

/// [MS-OXCRPC] 2.2.2.1 RPC_HEADER_EXT size.
const RPC_HEADER_EXT_LEN: usize = 8;

/// The mailbox endpoint over a [`Store`]: every Execute runs its ROPs
/// against the store with a per-session server object table.
#[derive(Clone, Debug)]
pub struct StoreBackend {
    store: Store,
    data_dir: Option<PathBuf>,
    compression_threshold: Option<usize>,
    rows: super::row_cache::RowCache,
    quotas: crate::config::QuotaConfig,
}

impl StoreBackend {
    /// A backend over `store`; external recipients of submitted messages
    /// are logged to `data_dir/outbound.log` when a data dir is given.
    pub fn new(store: Store, data_dir: Option<PathBuf>) -> Self {
        Self {
            store,
            data_dir,
            compression_threshold: Some(COMPRESSION_THRESHOLD),
            rows: Default::default(),
            quotas: Default::default(),
        }
    }

    /// Sets the mailbox quotas the logon object reports.
    pub fn with_quotas(mut self, quotas: crate::config::QuotaConfig) -> Self {
        self.quotas = quotas;
        self
    }

    /// Sets (or with None disables) response compression.
    pub fn with_compression_threshold(mut self, threshold: Option<usize>) -> Self {
        self.compression_threshold = threshold;
        self
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    fn session<'s>(&self, session: &'s mut SessionState) -> Option<&'s mut RopSession> {
        let fresh = !session.data.as_ref().is_some_and(|d| d.is::<RopSession>());
        if fresh {
            session.data = Some(Box::new(RopSession::new(1252)));
        }
        session.data.as_mut().and_then(|d| d.downcast_mut::<RopSession>())
    }

    /// Runs one Execute; `Err` is a whole-call ErrorCode (captures 056–058).
    fn run(&self, session: &mut SessionState, request: &ExecuteRequest) -> Result<Vec<u8>, ErrorCode> {
        let chain =
            rpc_ext::decode_chain(&request.rop_buffer, &ChainLimits::default()).map_err(|_| ErrorCode::RPC_FORMAT)?;
        let mut payload = Vec::new();
        for b in &chain {
            payload.extend_from_slice(&b.payload);
        }
        // A reserved RopId or a malformed ROP: ecRpcFormat (capture 057).
        let buffer = RopRequestBuffer::decode_exact(&payload).map_err(|_| ErrorCode::RPC_FORMAT)?;
        // An InputHandleIndex beyond the handle table: ecInvalidObject for
        // the whole call (capture 056).
        let slots = buffer.handles.len();
        if buffer.rops.iter().any(|r| dispatch::handle_indices(r).iter().any(|i| usize::from(*i) >= slots)) {
            return Err(ErrorCode::INVALID_OBJECT);
        }
        let max_out = usize::try_from(request.max_rop_out).unwrap_or(usize::MAX);
        // One payload's ROP buffer stays within 32 KiB (RopSize is a u16; gromox
        // limits payloads to 32 KiB); more only comes as chained payloads.
        let budget =
            max_out.saturating_sub(MAX_ROP_OUT_RESERVE + RPC_HEADER_EXT_LEN).min(rpc_ext::RECOMMENDED_MAX_PAYLOAD);
        let fixed = 2 + 4 * slots;
        let user = session.user.clone();
        let notifications = session.notifications.clone();
        let rops = self.session(session).ok_or(ErrorCode::GENERAL_FAILURE)?;
        let mut handles = buffer.handles.clone();
        let mut out: Vec<u8> = Vec::new();
        let mut last_partial = false;
        for rop in &buffer.rops {
            let room = budget.saturating_sub(fixed + out.len());
            // Not even an empty RopQueryRows answer fits: the whole call
            // fails (058); rows that do not fit are the ROP's business (059).
            if matches!(rop, mapi_wire::rop::RopRequest::QueryRows(_)) && room < 9 {
                return Err(ErrorCode::BUFFER_TOO_SMALL);
            }
            let mut ctx = Ctx {
                store: &self.store,
                user: &user,
                session: rops,
                handles: &mut handles,
                room,
                data_dir: self.data_dir.as_deref(),
                notifications: &notifications,
                rows: &self.rows,
                quotas: &self.quotas,
            };
            let Some(response) = dispatch::execute(&mut ctx, rop) else { continue };
            last_partial = is_partial_buffer(&response);
            let bytes = match response {
                Out::Typed(r) => encode(&r)?,
                Out::Raw(b) => b,
            };
            if bytes.len() > room {
                return Err(ErrorCode::BUFFER_TOO_SMALL);
            }
            out.extend_from_slice(&bytes);
        }
        // Pending notifications as RopNotify (+ RopPending), in what is left
        // of MaxRopOut (capture 043: 0x60 holds one RopNotify + RopPending).
        let left = max_out
            .min(rpc_ext::RECOMMENDED_MAX_PAYLOAD + RPC_HEADER_EXT_LEN)
            .saturating_sub(RPC_HEADER_EXT_LEN + fixed + out.len());
        out.extend_from_slice(&super::notify::drain(&notifications, left, rops));
        // The answer must fit MaxRopOut even without any ROP response.
        if RPC_HEADER_EXT_LEN + fixed + out.len() > max_out {
            return Err(ErrorCode::BUFFER_TOO_SMALL);
        }
        let mut payloads = vec![rop_buffer(&out, &handles)?];
        // Execute Flags Chain with a trailing RopFastTransferSourceGetBuffer:
        // the ROP is repeated into further RPC_HEADER_EXTs until the stream
        // is done, MaxRopOut is used up or 96 payloads are out (capture 048;
        // gromox limits payloads to 32 KiB).
        let chained = request.flags.contains(ExecuteFlags::CHAIN)
            && matches!(
                buffer.rops.last(),
                Some(
                    mapi_wire::rop::RopRequest::FastTransferSourceGetBuffer(_)
                        | mapi_wire::rop::RopRequest::QueryRows(_)
                )
            );
        if chained && let Some(rop) = buffer.rops.last() {
            let mut total: usize = payloads.iter().map(|p| p.len() + RPC_HEADER_EXT_LEN).sum();
            while last_partial && payloads.len() < MAX_CHAINED_PAYLOADS {
                let room = max_out
                    .saturating_sub(total + RPC_HEADER_EXT_LEN + fixed)
                    .min(rpc_ext::RECOMMENDED_MAX_PAYLOAD - fixed);
                if room < 64 {
                    break;
                }
                let mut ctx = Ctx {
                    store: &self.store,
                    user: &user,
                    session: rops,
                    handles: &mut handles,
                    room,
                    data_dir: self.data_dir.as_deref(),
                    notifications: &notifications,
                    rows: &self.rows,
                    quotas: &self.quotas,
                };
                let Some(response) = dispatch::execute(&mut ctx, rop) else { break };
                // Rows that do not fit the rest of MaxRopOut wait for the next Execute.
                if is_empty_rows(&response) {
                    break;
                }
                last_partial = is_partial_buffer(&response);
                let bytes = match response {
                    Out::Typed(r) => encode(&r)?,
                    Out::Raw(b) => b,
                };
                let payload = rop_buffer(&bytes, &handles)?;
                total += payload.len() + RPC_HEADER_EXT_LEN;
                payloads.push(payload);
            }
        }
        let compress = !request.flags.contains(ExecuteFlags::NO_COMPRESSION)
            && self.compression_threshold.is_some_and(|t| payloads.iter().map(Vec::len).sum::<usize>() >= t);
        // Responses are never XorMagic-obfuscated (corrections A11).
        rpc_ext::encode_chain(payloads.iter().map(Vec::as_slice), &EncodeOptions { compress, xor_magic: false })
            .map_err(|_| ErrorCode::BUFFER_TOO_SMALL)
    }
}

/// Most RPC_HEADER_EXTs in one chained response (gromox).
const MAX_CHAINED_PAYLOADS: usize = 96;

/// True for a RopFastTransferSourceGetBuffer answer with more to come, or a
/// RopQueryRows answer that stopped before the end of the table (both are
/// repeated into chained payloads, [MS-OXCRPC] 3.1.4.2.1.1.1).
fn is_partial_buffer(out: &Out) -> bool {
    let Out::Typed(r) = out else { return false };
    match r.as_ref() {
        RopResponse::FastTransferSourceGetBuffer(g) => {
            g.return_value == ErrorCode::SUCCESS && g.transfer_status == mapi_wire::rop::TransferStatus::PARTIAL
        }
        RopResponse::QueryRows(q) => {
            q.success.as_ref().is_some_and(|s| !s.rows.is_empty() && s.origin != mapi_wire::rop::BookmarkOrigin::END)
        }
        _ => false,
    }
}

/// True for a RopQueryRows answer without rows (nothing more fitted, or the end).
fn is_empty_rows(out: &Out) -> bool {
    matches!(out, Out::Typed(r) if matches!(r.as_ref(), RopResponse::QueryRows(q)
        if q.success.as_ref().is_none_or(|s| s.rows.is_empty())))
}

/// `RopSize` + ROP responses + handle table ([MS-OXCROPS] 2.2.1); RopSize
/// counts itself and the responses.
fn rop_buffer(responses: &[u8], handles: &[u32]) -> Result<Vec<u8>, ErrorCode> {
    let rop_size = u16::try_from(responses.len() + 2).map_err(|_| ErrorCode::BUFFER_TOO_SMALL)?;
    let mut rgb = Vec::with_capacity(responses.len() + 2 + 4 * handles.len());
    rgb.extend_from_slice(&rop_size.to_le_bytes());
    rgb.extend_from_slice(responses);
    for h in handles {
        rgb.extend_from_slice(&h.to_le_bytes());
    }
    Ok(rgb)
}

fn encode(response: &RopResponse) -> Result<Vec<u8>, ErrorCode> {
    let mut w = Vec::new();
    response.encode(&mut w).map_err(|_| ErrorCode::GENERAL_FAILURE)?;
    Ok(w)
}

impl MailboxBackend for StoreBackend {
    fn connect(&self, session: &mut SessionState, request: &ConnectRequest) -> MapiResponse<ConnectResponse> {
        let fail = |code: ErrorCode| {
            MapiResponse::Completed(ConnectResponse {
                error_code: code,
                polls_max: 60_000,
                retry_count: 6,
                retry_delay: 10_000,
                dn_prefix: String::new(),
                display_name: String::new(),
                auxiliary_buffer: Vec::new(),
            })
        };
        let dn = request.user_dn.as_str();
        let own = dn.eq_ignore_ascii_case(&session.user.legacy_dn) || dn.eq_ignore_ascii_case(&session.user.address);
        if !own {
            // Another known user: ecAccessDenied (079); unknown: 0x80040115 (080).
            let known = self.store.mailboxes().is_ok_and(|all| {
                all.iter().any(|m| m.legacy_dn.eq_ignore_ascii_case(dn) || m.address.eq_ignore_ascii_case(dn))
            });
            return fail(if known { ErrorCode::ACCESS_DENIED } else { ErrorCode::NETWORK });
        }
        // Flags = UseAdminPrivilege: ecLoginPerm (081).
        if request.flags.contains(ConnectFlags::USE_ADMIN_PRIVILEGE) {
            return fail(ErrorCode::LOGIN_PERM);
        }
        let code_page = if request.default_code_page == 0 { 1252 } else { request.default_code_page };
        session.data = Some(Box::new(RopSession::new(code_page)));
        MapiResponse::Completed(ConnectResponse {
            error_code: ErrorCode::SUCCESS,
            polls_max: 60_000,
            retry_count: 6,
            retry_delay: 10_000,
            dn_prefix: String::new(),
            display_name: session.user.display_name.clone(),
            auxiliary_buffer: connect_auxiliary_buffer(),
        })
    }

    fn execute(&self, session: &mut SessionState, request: &ExecuteRequest) -> MapiResponse<ExecuteResponse> {
        let (error_code, rop_buffer) = match self.run(session, request) {
            Ok(b) => (ErrorCode::SUCCESS, b),
            Err(code) => (code, Vec::new()),
        };
        MapiResponse::Completed(ExecuteResponse { error_code, flags: 0, rop_buffer, auxiliary_buffer: Vec::new() })
    }

    fn disconnect(&self, session: &mut SessionState, _request: &DisconnectRequest) -> MapiResponse<DisconnectResponse> {
        session.data = None;
        MapiResponse::Completed(DisconnectResponse { error_code: ErrorCode::SUCCESS, auxiliary_buffer: Vec::new() })
    }
}
