//! [MS-OXCMAPIHTTP] 2.2.4.1 Connect and 2.2.4.3 Disconnect.

use super::{ResponseFields, latin1, put_aux, put_latin1z, put_utf16z_checked, read_aux, wire_flags};
use crate::codec::{Decode, Encode, Put, Reader};
use crate::error::{DecodeError, EncodeError};
use crate::error_code::ErrorCode;

wire_flags! {
    /// [MS-OXCMAPIHTTP] 2.2.4.1.1 Connect request `Flags` ([MS-OXCRPC]
    /// 3.1.4.1 EcDoConnectEx ulFlags). Clients send 0; gromox refuses the
    /// admin flag with ErrorCode 0x3F2 (capture 081).
    pub struct ConnectFlags(u32) {
        USE_ADMIN_PRIVILEGE = 0x0000_0001, "UseAdminPrivilege";
        IGNORE_NO_PUBLIC_FOLDERS = 0x0000_8000, "IgnoreNoPublicFolders";
    }
}

/// [MS-OXCMAPIHTTP] 2.2.4.1.1 Connect request body.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ConnectRequest {
    /// `UserDn` (ASCIIZ): the user's legacyExchangeDN. Decoded as
    /// ISO 8859-1 so every byte round-trips.
    pub user_dn: String,
    /// `Flags`.
    pub flags: ConnectFlags,
    /// `DefaultCodePage` (e.g. 1252), used for PtypString8 values.
    pub default_code_page: u32,
    /// `LcidSort` (e.g. 0x409).
    pub lcid_sort: u32,
    /// `LcidString` (e.g. 0x409).
    pub lcid_string: u32,
    /// `AuxiliaryBuffer` (raw extended buffer; empty when its size is 0).
    pub auxiliary_buffer: Vec<u8>,
}

impl<'a> Decode<'a> for ConnectRequest {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            user_dn: latin1(r.asciiz("UserDn")?),
            flags: ConnectFlags(r.u32("Flags")?),
            default_code_page: r.u32("DefaultCodePage")?,
            lcid_sort: r.u32("LcidSort")?,
            lcid_string: r.u32("LcidString")?,
            auxiliary_buffer: read_aux(r)?,
        })
    }
}

impl Encode for ConnectRequest {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        put_latin1z(w, &self.user_dn, "UserDn")?;
        w.put_u32(self.flags.0);
        w.put_u32(self.default_code_page);
        w.put_u32(self.lcid_sort);
        w.put_u32(self.lcid_string);
        put_aux(w, &self.auxiliary_buffer)
    }
}

/// [MS-OXCMAPIHTTP] 2.2.4.1.2 Connect response body after a zero
/// `StatusCode` (wrap in [`super::MapiResponse`]).
///
/// A non-zero `ErrorCode` keeps this layout (gromox fills the rest with
/// zeros and still sends the auxiliary buffer, captures 079–081).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ConnectResponse {
    /// `ErrorCode` ([MS-OXCRPC] 3.1.4.1 return value).
    pub error_code: ErrorCode,
    /// `PollsMax` (ms; gromox 60000).
    pub polls_max: u32,
    /// `RetryCount` (gromox 6).
    pub retry_count: u32,
    /// `RetryDelay` (ms; gromox 10000).
    pub retry_delay: u32,
    /// `DnPrefix` (ASCIIZ, decoded as ISO 8859-1; gromox sends "").
    pub dn_prefix: String,
    /// `DisplayName` (UTF-16LE, NUL-terminated; an unpaired surrogate
    /// decodes as U+FFFD, so only such a name does not re-encode
    /// byte-identically).
    pub display_name: String,
    /// `AuxiliaryBuffer` (raw extended buffer; gromox: 36 bytes with
    /// AUX_EXORGINFO, AUX_CLIENT_CONTROL, AUX_ENDPOINT_CAPABILITIES).
    pub auxiliary_buffer: Vec<u8>,
}

impl ResponseFields for ConnectResponse {
    fn decode_fields(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            error_code: ErrorCode(r.u32("ErrorCode")?),
            polls_max: r.u32("PollsMax")?,
            retry_count: r.u32("RetryCount")?,
            retry_delay: r.u32("RetryDelay")?,
            dn_prefix: latin1(r.asciiz("DnPrefix")?),
            display_name: r.utf16z("DisplayName")?,
            auxiliary_buffer: read_aux(r)?,
        })
    }

    fn encode_fields(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u32(self.error_code.0);
        w.put_u32(self.polls_max);
        w.put_u32(self.retry_count);
        w.put_u32(self.retry_delay);
        put_latin1z(w, &self.dn_prefix, "DnPrefix")?;
        put_utf16z_checked(w, &self.display_name, "DisplayName")?;
        put_aux(w, &self.auxiliary_buffer)
    }
}

/// [MS-OXCMAPIHTTP] 2.2.4.3.1 Disconnect request body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DisconnectRequest {
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

impl<'a> Decode<'a> for DisconnectRequest {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self { auxiliary_buffer: read_aux(r)? })
    }
}

impl Encode for DisconnectRequest {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        put_aux(w, &self.auxiliary_buffer)
    }
}

/// [MS-OXCMAPIHTTP] 2.2.4.3.2 Disconnect response body after a zero
/// `StatusCode`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DisconnectResponse {
    /// `ErrorCode`.
    pub error_code: ErrorCode,
    /// `AuxiliaryBuffer` (raw).
    pub auxiliary_buffer: Vec<u8>,
}

impl ResponseFields for DisconnectResponse {
    fn decode_fields(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { error_code: ErrorCode(r.u32("ErrorCode")?), auxiliary_buffer: read_aux(r)? })
    }

    fn encode_fields(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u32(self.error_code.0);
        put_aux(w, &self.auxiliary_buffer)
    }
}
