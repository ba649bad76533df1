//! [MS-OXCMAPIHTTP] 2.2.4.2 Execute and 2.2.4.4 NotificationWait.

use super::{ResponseFields, put_aux, read_aux, read_buffer, wire_flags};
use crate::codec::{Decode, Encode, Put, Reader, len_u32};
use crate::error::{DecodeError, EncodeError};
use crate::error_code::ErrorCode;

wire_flags! {
    /// [MS-OXCMAPIHTTP] 2.2.4.2.1 Execute request `Flags` ([MS-OXCRPC]
    /// 3.1.4.2 EcDoRpcExt2 pulFlags). Microsoft's test client sends
    /// `NO_COMPRESSION | NO_XOR_MAGIC`; gromox never XORs responses and
    /// compresses them only without `NO_COMPRESSION` (corrections A11).
    pub struct ExecuteFlags(u32) {
        NO_COMPRESSION = 0x0000_0001, "NoCompression";
        NO_XOR_MAGIC = 0x0000_0002, "NoXorMagic";
        CHAIN = 0x0000_0004, "Chain";
    }
}

/// [MS-OXCMAPIHTTP] 2.2.4.2.1 Execute request body.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ExecuteRequest {
    /// `Flags`.
    pub flags: ExecuteFlags,
    /// `RopBuffer` (rgbIn: RPC_HEADER_EXT + ROP input buffer, raw; decode
    /// with [`crate::rpc_ext`]).
    pub rop_buffer: Vec<u8>,
    /// `MaxRopOut`: the most bytes of response `RopBuffer` the client takes
    /// (Microsoft's test client: 0x10008).
    pub max_rop_out: u32,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

impl<'a> Decode<'a> for ExecuteRequest {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            flags: ExecuteFlags(r.u32("Flags")?),
            rop_buffer: read_buffer(r, "RopBufferSize", "RopBuffer")?,
            max_rop_out: r.u32("MaxRopOut")?,
            auxiliary_buffer: read_aux(r)?,
        })
    }
}

impl Encode for ExecuteRequest {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u32(self.flags.0);
        w.put_u32(len_u32(self.rop_buffer.len(), "RopBuffer")?);
        w.put_bytes(&self.rop_buffer);
        w.put_u32(self.max_rop_out);
        put_aux(w, &self.auxiliary_buffer)
    }
}

/// [MS-OXCMAPIHTTP] 2.2.4.2.2 Execute response body after a zero
/// `StatusCode`.
///
/// Whole-call failures keep this layout with a non-zero `ErrorCode` and an
/// empty `RopBuffer` (0x80040108, 0x4B6, 0x47D; captures 056–058).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ExecuteResponse {
    /// `ErrorCode` (RPC level; per-ROP results are in the ROP buffer).
    pub error_code: ErrorCode,
    /// `Flags` (reserved, 0).
    pub flags: u32,
    /// `RopBuffer` (rgbOut: one or more RPC_HEADER_EXT + payload, raw).
    pub rop_buffer: Vec<u8>,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

impl ResponseFields for ExecuteResponse {
    fn decode_fields(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            error_code: ErrorCode(r.u32("ErrorCode")?),
            flags: r.u32("Flags")?,
            rop_buffer: read_buffer(r, "RopBufferSize", "RopBuffer")?,
            auxiliary_buffer: read_aux(r)?,
        })
    }

    fn encode_fields(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u32(self.error_code.0);
        w.put_u32(self.flags);
        w.put_u32(len_u32(self.rop_buffer.len(), "RopBuffer")?);
        w.put_bytes(&self.rop_buffer);
        put_aux(w, &self.auxiliary_buffer)
    }
}

/// [MS-OXCMAPIHTTP] 2.2.4.4.1 NotificationWait request body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NotificationWaitRequest {
    /// `Flags` (reserved, 0).
    pub flags: u32,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

impl<'a> Decode<'a> for NotificationWaitRequest {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self { flags: r.u32("Flags")?, auxiliary_buffer: read_aux(r)? })
    }
}

impl Encode for NotificationWaitRequest {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u32(self.flags);
        put_aux(w, &self.auxiliary_buffer)
    }
}

/// [MS-OXCMAPIHTTP] 2.2.4.4.2 NotificationWait response body after a zero
/// `StatusCode`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NotificationWaitResponse {
    /// `ErrorCode`.
    pub error_code: ErrorCode,
    /// `EventPending` (flags; bit 0x1 = events pending: send an Execute to
    /// collect them, capture 042 → 043).
    pub event_pending: u32,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

impl NotificationWaitResponse {
    /// `EventPending` bit 0x1: notifications are waiting.
    pub const EVENT_PENDING: u32 = 0x0000_0001;

    /// True when the server has notifications for this session.
    pub fn has_events(&self) -> bool {
        self.event_pending & Self::EVENT_PENDING != 0
    }
}

impl ResponseFields for NotificationWaitResponse {
    fn decode_fields(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            error_code: ErrorCode(r.u32("ErrorCode")?),
            event_pending: r.u32("EventPending")?,
            auxiliary_buffer: read_aux(r)?,
        })
    }

    fn encode_fields(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u32(self.error_code.0);
        w.put_u32(self.event_pending);
        put_aux(w, &self.auxiliary_buffer)
    }
}
