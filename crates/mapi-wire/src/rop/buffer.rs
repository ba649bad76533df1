//! [MS-OXCROPS] 2.2.1 ROP input and output buffers of an Execute, and 2.2.15.1 RopBufferTooSmall.
//!
//! A buffer is `RopSize u16` (2 + the bytes of the ROP list), the ROP list
//! (no per-ROP length, so every ROP must be understood), then the server object
//! handle table (u32 slots to the end of the buffer).

use std::collections::HashMap;

use crate::{
    ErrorCode, PropTag,
    codec::{Decode, Encode, Put, Reader},
    error::{DecodeError, EncodeError},
    rop::{ResponseContext, RopId, RopRequest, RopResponse, RopResponseBody},
};

/// [MS-OXCROPS] 2.2.1 a ROP input buffer: the requests of one Execute and the handle table.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RopRequestBuffer {
    /// RopsList.
    pub rops: Vec<RopRequest>,
    /// ServerObjectHandleTable (0xFFFFFFFF for output-only slots).
    pub handles: Vec<u32>,
}

/// [MS-OXCROPS] 2.2.1 a ROP output buffer: the responses of one Execute and the updated handle table.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RopResponseBuffer {
    /// RopsList.
    pub rops: Vec<RopResponse>,
    /// ServerObjectHandleTable as returned by the server.
    pub handles: Vec<u32>,
}

/// Splits a buffer into its ROP list reader and its handle table.
fn split_buffer<'a>(r: &mut Reader<'a>) -> Result<(Reader<'a>, Vec<u32>), DecodeError> {
    let at = r.offset();
    let rop_size = usize::from(r.u16("RopSize")?);
    if rop_size < 2 {
        return Err(DecodeError::Invalid { what: "RopSize", offset: at, reason: "smaller than its own 2 bytes" });
    }
    let rops = r.sub(rop_size - 2, "RopsList")?;
    if !r.remaining().is_multiple_of(4) {
        return Err(DecodeError::Invalid {
            what: "ServerObjectHandleTable",
            offset: r.offset(),
            reason: "length is not a multiple of 4",
        });
    }
    let n = r.count(r.remaining() / 4, 4, "ServerObjectHandleTable")?;
    let mut handles = Vec::with_capacity(n);
    for _ in 0..n {
        handles.push(r.u32("ServerObjectHandle")?);
    }
    Ok((rops, handles))
}

/// Writes RopSize, the ROP list produced by `rops` and the handle table.
fn write_buffer(
    w: &mut Vec<u8>,
    handles: &[u32],
    rops: impl FnOnce(&mut Vec<u8>) -> Result<(), EncodeError>,
) -> Result<(), EncodeError> {
    let at = w.reserve_u16();
    rops(w)?;
    let len = w.len() - at;
    let size = u16::try_from(len).map_err(|_| EncodeError::TooLong { what: "RopSize", len, max: 0xFFFF })?;
    w[at..at + 2].copy_from_slice(&size.to_le_bytes());
    for h in handles {
        w.put_u32(*h);
    }
    Ok(())
}

impl<'a> Decode<'a> for RopRequestBuffer {
    /// Reads the whole remaining input: RopSize, ROPs, handle table. An
    /// unknown or reserved RopId gives [`DecodeError::Unsupported`].
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let (mut list, handles) = split_buffer(r)?;
        let mut rops = Vec::new();
        while !list.is_empty() {
            rops.push(RopRequest::decode(&mut list)?);
        }
        Ok(Self { rops, handles })
    }
}

impl RopRequestBuffer {
    /// Puts `id` into the LogonId of every request: all ROPs of the list act in one logon of
    /// the session ([MS-OXCROPS] 2.2.1: every request begins RopId, LogonId; 3.1.4.2: the
    /// client picks a LogonId per logon, unique in the session).
    pub fn set_logon_id(&mut self, id: u8) {
        for rop in &mut self.rops {
            rop.set_logon_id(id);
        }
    }

    /// Decodes a request buffer in which the logons in `public_logons` (and any RopLogon in
    /// the buffer without the Private flag) are public-folder logons: their
    /// RopSetMessageReadFlag carries ClientData ([MS-OXCROPS] 2.2.6.11.1) and their
    /// RopWritePerUserInformation no ReplGuid (2.2.3.13.1). [`Decode::decode`] assumes private
    /// logons throughout.
    pub fn decode_with_public_logons(bytes: &[u8], public_logons: &[u8]) -> Result<Self, DecodeError> {
        let mut public = [false; 256];
        for id in public_logons {
            public[usize::from(*id)] = true;
        }
        let mut r = Reader::new(bytes);
        let (mut list, handles) = split_buffer(&mut r)?;
        let mut rops = Vec::new();
        while !list.is_empty() {
            let mut peek = list.clone();
            let id = RopId(peek.u8("RopId")?);
            let logon = usize::from(peek.u8("LogonId")?);
            let rop = match id {
                RopId::SET_MESSAGE_READ_FLAG if public[logon] => {
                    list.u8("RopId")?;
                    RopRequest::SetMessageReadFlag(crate::rop::SetMessageReadFlagRequest::decode_public(&mut list)?)
                }
                RopId::WRITE_PER_USER_INFORMATION if public[logon] => {
                    list.u8("RopId")?;
                    RopRequest::WritePerUserInformation(crate::rop::WritePerUserInformationRequest::decode_public(
                        &mut list,
                    )?)
                }
                _ => RopRequest::decode(&mut list)?,
            };
            if let RopRequest::Logon(l) = &rop {
                public[usize::from(l.logon_id)] = !l.logon_flags.is_private();
            }
            rops.push(rop);
        }
        r.expect_end("ServerObjectHandleTable")?;
        Ok(Self { rops, handles })
    }
}

impl Encode for RopRequestBuffer {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        write_buffer(w, &self.handles, |w| {
            for rop in &self.rops {
                rop.encode(w)?;
            }
            Ok(())
        })
    }
}

impl Encode for RopResponseBuffer {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        write_buffer(w, &self.handles, |w| {
            for rop in &self.rops {
                rop.encode(w)?;
            }
            Ok(())
        })
    }
}

/// Table and recipient columns known from earlier Executes, by server object handle value
/// ([MS-OXCROPS] 2.2.5.1 RopSetColumns lasts for the life of the table object).
pub trait KnownColumns {
    /// The columns last set on the table with this server handle.
    fn columns(&self, handle: u32) -> Option<&[PropTag]>;
    /// The recipient columns of the message with this server handle.
    fn recipient_columns(&self, _handle: u32) -> Option<&[PropTag]> {
        None
    }
}

impl KnownColumns for HashMap<u32, Vec<PropTag>> {
    fn columns(&self, handle: u32) -> Option<&[PropTag]> {
        self.get(&handle).map(Vec::as_slice)
    }
}

/// [MS-OXCROPS] 2.2.5.1 / 2.2.6.1.2 table and recipient columns learnt from completed
/// Executes, keyed by server handle value; feed each
/// Execute to [`ColumnMemory::learn`] and pass it as [`ExecuteContext::known`].
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ColumnMemory {
    /// Table columns by table handle.
    pub columns: HashMap<u32, Vec<PropTag>>,
    /// Recipient columns by message handle.
    pub recipient_columns: HashMap<u32, Vec<PropTag>>,
}

impl KnownColumns for ColumnMemory {
    fn columns(&self, handle: u32) -> Option<&[PropTag]> {
        self.columns.get(&handle).map(Vec::as_slice)
    }
    fn recipient_columns(&self, handle: u32) -> Option<&[PropTag]> {
        self.recipient_columns.get(&handle).map(Vec::as_slice)
    }
}

impl ColumnMemory {
    /// Records the successful RopSetColumns and the recipient columns of opened messages of
    /// one Execute, and forgets handles released by RopRelease.
    pub fn learn(&mut self, request: &RopRequestBuffer, response: &RopResponseBuffer) {
        let handle_of = |slot: u8| response.handles.get(usize::from(slot)).copied();
        let mut responses = response.rops.iter().filter(|r| !r.id().is_response_only());
        for req in &request.rops {
            if let RopRequest::Release(rel) = req {
                if let Some(h) = request.handles.get(usize::from(rel.input_handle_index)) {
                    self.columns.remove(h);
                    self.recipient_columns.remove(h);
                }
                continue;
            }
            let Some(resp) = responses.next() else { break };
            match (req, resp) {
                (RopRequest::SetColumns(q), RopResponse::SetColumns(s)) if s.return_value == ErrorCode::SUCCESS => {
                    if let Some(h) = handle_of(q.input_handle_index) {
                        self.columns.insert(h, q.columns.clone());
                    }
                }
                _ => {
                    if let (Some(slot), Some(cols)) = (recipient_slot(req), recipient_columns_of(resp))
                        && let Some(h) = handle_of(slot)
                    {
                        self.recipient_columns.insert(h, cols.to_vec());
                    }
                }
            }
        }
    }
}

/// The slot of the message whose recipient columns a response reports.
fn recipient_slot(req: &RopRequest) -> Option<u8> {
    match req {
        RopRequest::OpenMessage(q) => Some(q.output_handle_index),
        RopRequest::OpenEmbeddedMessage(q) => Some(q.output_handle_index),
        RopRequest::ReloadCachedInformation(q) => Some(q.input_handle_index),
        _ => None,
    }
}

/// The recipient columns a successful response reports.
fn recipient_columns_of(resp: &RopResponse) -> Option<&[PropTag]> {
    match resp {
        RopResponse::OpenMessage(s) => s.success.as_ref().map(|m| m.recipient_columns.as_slice()),
        RopResponse::ReloadCachedInformation(s) => s.success.as_ref().map(|m| m.recipient_columns.as_slice()),
        RopResponse::OpenEmbeddedMessage(s) => s.success.as_ref().map(|m| m.info.recipient_columns.as_slice()),
        _ => None,
    }
}

/// What decoding a ROP output buffer needs besides its bytes ([MS-OXCROPS] 2.2.1): the
/// request it answers and the columns of tables and messages set up in earlier Executes.
#[derive(Clone, Copy)]
pub struct ExecuteContext<'a> {
    /// The request buffer of the same Execute.
    pub request: &'a RopRequestBuffer,
    /// Columns from earlier Executes, by server handle value.
    pub known: Option<&'a dyn KnownColumns>,
}

impl std::fmt::Debug for ExecuteContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecuteContext").field("request", &self.request).finish_non_exhaustive()
    }
}

impl<'a> ExecuteContext<'a> {
    /// A context with no columns from earlier Executes.
    pub fn new(request: &'a RopRequestBuffer) -> Self {
        Self { request, known: None }
    }

    /// Adds columns known from earlier Executes.
    pub fn with_known(mut self, known: &'a dyn KnownColumns) -> Self {
        self.known = Some(known);
        self
    }
}

/// Per-slot state while pairing responses with requests.
#[derive(Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
struct SlotState {
    /// Columns set by a successful RopSetColumns in this Execute, by slot.
    columns: HashMap<u8, Vec<PropTag>>,
    /// Recipient columns reported in this Execute, by slot.
    recipient_columns: HashMap<u8, Vec<PropTag>>,
    /// Slots that received a new object in this Execute (their old handle no longer applies).
    fresh: std::collections::HashSet<u8>,
}

impl SlotState {
    fn columns<'s>(&'s self, slot: u8, ctx: &ExecuteContext<'s>) -> Option<&'s [PropTag]> {
        if let Some(c) = self.columns.get(&slot) {
            return Some(c);
        }
        if self.fresh.contains(&slot) {
            return None;
        }
        let handle = ctx.request.handles.get(usize::from(slot))?;
        ctx.known?.columns(*handle)
    }

    fn recipient_columns<'s>(&'s self, slot: u8, ctx: &ExecuteContext<'s>) -> Option<&'s [PropTag]> {
        if let Some(c) = self.recipient_columns.get(&slot) {
            return Some(c);
        }
        if self.fresh.contains(&slot) {
            return None;
        }
        let handle = ctx.request.handles.get(usize::from(slot))?;
        ctx.known?.recipient_columns(*handle)
    }

    /// Columns of the table with server handle `handle` (RopNotify), looking first at tables
    /// set up in this Execute (`handles` = the response's handle table).
    fn columns_by_handle<'s>(
        &'s self,
        handle: u32,
        handles: &[u32],
        ctx: &ExecuteContext<'s>,
    ) -> Option<&'s [PropTag]> {
        for (slot, cols) in &self.columns {
            if handles.get(usize::from(*slot)) == Some(&handle) {
                return Some(cols);
            }
        }
        ctx.known?.columns(handle)
    }
}

/// The slot whose table or message a request works on, for the columns lookup.
fn input_slot(req: &RopRequest) -> Option<u8> {
    #[allow(unreachable_patterns)]
    match req {
        RopRequest::SetColumns(q) => Some(q.input_handle_index),
        RopRequest::QueryRows(q) => Some(q.input_handle_index),
        RopRequest::FindRow(q) => Some(q.input_handle_index),
        RopRequest::ExpandRow(q) => Some(q.input_handle_index),
        RopRequest::ReadRecipients(q) => Some(q.input_handle_index),
        RopRequest::ReloadCachedInformation(q) => Some(q.input_handle_index),
        _ => None,
    }
}

impl RopResponseBuffer {
    /// Decodes a ROP output buffer, pairing each response with its request in `ctx`
    /// ([MS-OXCROPS] 3.1.4.1): requests without a response (RopRelease) are skipped;
    /// RopNotify, RopPending, RopBackoff and RopBufferTooSmall are self-contained; after
    /// RopBackoff or RopBufferTooSmall no further request is answered. Row-returning ROPs get
    /// the columns of the last RopSetColumns on their table in this Execute, else those of
    /// `ctx.known` for the slot's server handle. A response whose RopId does not match its
    /// request is [`DecodeError::Invalid`].
    pub fn decode_with(bytes: &[u8], ctx: &ExecuteContext<'_>) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let (mut list, handles) = split_buffer(&mut r)?;
        let mut requests = ctx.request.rops.iter().filter(|q| !q.id().has_no_response());
        let mut state = SlotState::default();
        let mut stopped = false;
        let mut rops = Vec::new();
        while !list.is_empty() {
            let at = list.offset();
            let id = RopId(list.peek_u8("RopId")?);
            if id.is_response_only() {
                let columns = if id == RopId::NOTIFY {
                    // NotificationHandle u32 follows the RopId ([MS-OXCROPS] 2.2.14.1).
                    let mut peek = list.clone();
                    peek.u8("RopId")?;
                    let handle = peek.u32("NotificationHandle")?;
                    state.columns_by_handle(handle, &handles, ctx)
                } else {
                    None
                };
                let rctx = ResponseContext { request: None, columns, recipient_columns: None };
                let resp = RopResponse::decode(&mut list, &rctx)?;
                if matches!(id, RopId::BACKOFF | RopId::BUFFER_TOO_SMALL) {
                    stopped = true;
                }
                rops.push(resp);
                continue;
            }
            let Some(req) = requests.next().filter(|_| !stopped) else {
                return Err(DecodeError::Invalid {
                    what: "RopsList",
                    offset: at,
                    reason: "response without a request",
                });
            };
            let slot = input_slot(req);
            let columns = slot.and_then(|s| state.columns(s, ctx));
            let recipient_columns = slot.and_then(|s| state.recipient_columns(s, ctx));
            let rctx = ResponseContext { request: Some(req), columns, recipient_columns };
            let resp = RopResponse::decode(&mut list, &rctx)?;
            if let Some(out) = req.output_handle_index() {
                state.fresh.insert(out);
                state.columns.remove(&out);
                state.recipient_columns.remove(&out);
            }
            if let (RopRequest::SetColumns(q), RopResponse::SetColumns(s)) = (req, &resp)
                && s.return_value == ErrorCode::SUCCESS
            {
                state.columns.insert(q.input_handle_index, q.columns.clone());
            }
            if let (Some(slot), Some(cols)) = (recipient_slot(req), recipient_columns_of(&resp)) {
                state.recipient_columns.insert(slot, cols.to_vec());
            }
            rops.push(resp);
        }
        Ok(Self { rops, handles })
    }

    /// Decodes a ROP output buffer without its request: each RopId decides the layout
    /// (0x20 reads as RopSetMessageStatus) and row-returning ROPs fail for want of columns.
    pub fn decode_standalone(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let (mut list, handles) = split_buffer(&mut r)?;
        let mut rops = Vec::new();
        while !list.is_empty() {
            rops.push(RopResponse::decode(&mut list, &ResponseContext::default())?);
        }
        Ok(Self { rops, handles })
    }
}

/// [MS-OXCROPS] 2.2.15.1 RopBufferTooSmall: the output did not fit; `request_buffers` is the
/// unexecuted tail of the request ROP list, to be sent again with MaxRopOut ≥ `size_needed`.
/// It is always the last response (it takes the rest of the ROP list).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BufferTooSmallResponse {
    /// SizeNeeded.
    pub size_needed: u16,
    /// RequestBuffers: the request ROPs that were not executed, verbatim.
    pub request_buffers: Vec<u8>,
}

impl RopResponseBody for BufferTooSmallResponse {
    const ID: RopId = RopId::BUFFER_TOO_SMALL;
    fn decode_body(r: &mut Reader<'_>, _ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        Ok(Self { size_needed: r.u16("SizeNeeded")?, request_buffers: r.rest().to_vec() })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u16(self.size_needed);
        w.put_bytes(&self.request_buffers);
        Ok(())
    }
}
