//! [MS-OXCROPS] 2.2.3 logon and store ROPs, and 2.2.15.3 RopRelease.

use crate::{
    codec::{Put, Reader},
    error::{DecodeError, EncodeError},
    rop::{RopId, RopRequestBody},
};

/// [MS-OXCROPS] 2.2.15.3 RopRelease: frees the object in `input_handle_index`. It has no response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReleaseRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex: the slot of the object to release.
    pub input_handle_index: u8,
}

impl RopRequestBody for ReleaseRequest {
    const ID: RopId = RopId::RELEASE;
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { logon_id: r.u8("LogonId")?, input_handle_index: r.u8("InputHandleIndex")? })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        Ok(())
    }
}
