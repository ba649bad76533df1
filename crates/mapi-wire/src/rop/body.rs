//! [MS-OXCROPS] 2.2.1 the bodies of ROP requests and responses.
use crate::{
    codec::Reader,
    error::{DecodeError, EncodeError},
    rop::RopId,
};

/// A ROP request ([MS-OXCROPS] 2.2.1). `decode_body` starts at the byte AFTER RopId (i.e. at LogonId) and reads
/// LogonId, InputHandleIndex (and OutputHandleIndex where the ROP has one) itself, so the struct
/// keeps those fields: `pub logon_id: u8, pub input_handle_index: u8, [pub output_handle_index: u8]`.
/// `encode_body` writes the same bytes (without RopId); the dispatcher writes RopId.
pub trait RopRequestBody: Sized {
    /// The RopId this body follows.
    const ID: RopId;
    /// Reads the request from LogonId on.
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError>;
    /// Writes the request from LogonId on.
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError>;
    /// The OutputHandleIndex when the ROP creates an object (the response decoder uses it to
    /// forget what it knew about the slot, e.g. table columns). Override it in ROPs with one.
    fn output_handle_index(&self) -> Option<u8> {
        None
    }
    /// LogonId: the logon (of the session's up to 256, [MS-OXCROPS] 3.1.4.2) the ROP acts
    /// in. Every request has it right after RopId ([MS-OXCROPS] 2.2.1).
    fn logon_id(&self) -> u8;
    /// Sets LogonId ([`RopRequestBody::logon_id`]).
    fn set_logon_id(&mut self, id: u8);
}

/// A ROP response ([MS-OXCROPS] 2.2.1). `decode_body` starts at the byte AFTER RopId (the handle index), reads
/// the handle index and ReturnValue and then the success (or ROP-specific failure) fields.
/// Structs keep `pub handle_index: u8, pub return_value: ErrorCode` and put success-only fields in
/// `pub success: Option<XxxSuccess>` (or inline Options when only one field). Failure responses
/// normally stop after ReturnValue ([MS-OXCROPS] 2.2.1 / digest §3.2); ROPs with extra failure
/// fields (e.g. RopSetReadFlags PartialCompletion, RopGetPropertiesSpecific? see digest) handle them.
pub trait RopResponseBody: Sized {
    /// The RopId this body follows.
    const ID: RopId;
    /// Reads the response from the handle index on.
    fn decode_body(r: &mut Reader<'_>, ctx: &ResponseContext<'_>) -> Result<Self, DecodeError>;
    /// Writes the response from the handle index on.
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError>;
}

/// What a response decoder may need that is not in its own bytes ([MS-OXCROPS] 2.2.1).
#[derive(Debug, Clone, Copy, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ResponseContext<'a> {
    /// The request ROP this response answers, when known (e.g. RopGetPropertiesSpecific needs its tags).
    pub request: Option<&'a crate::rop::RopRequest>,
    /// Columns of the table the ROP works on (RopQueryRows, RopFindRow, RopNotify table rows, ...),
    /// as set by the last RopSetColumns on that table (same Execute or an earlier one).
    pub columns: Option<&'a [crate::PropTag]>,
    /// Recipient columns of the message (RopReadRecipients, RopOpenMessage, RopReloadCachedInformation).
    pub recipient_columns: Option<&'a [crate::PropTag]>,
}
