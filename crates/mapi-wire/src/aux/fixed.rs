//! [MS-OXCRPC] 2.2.2.2.1–2.2.2.2.19 the auxiliary blocks made of fixed-width fields only.

use crate::codec::{Put, Reader};
use crate::error::DecodeError;
use crate::error_code::ErrorCode;
use crate::guid::Guid;

/// A fixed-width field of an auxiliary block.
trait AuxField: Sized {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError>;
    fn write(&self, w: &mut Vec<u8>);
}

impl AuxField for u8 {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        r.u8(what)
    }
    fn write(&self, w: &mut Vec<u8>) {
        w.put_u8(*self);
    }
}

impl AuxField for u16 {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        r.u16(what)
    }
    fn write(&self, w: &mut Vec<u8>) {
        w.put_u16(*self);
    }
}

impl AuxField for u32 {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        r.u32(what)
    }
    fn write(&self, w: &mut Vec<u8>) {
        w.put_u32(*self);
    }
}

impl AuxField for ErrorCode {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        Ok(Self(r.u32(what)?))
    }
    fn write(&self, w: &mut Vec<u8>) {
        w.put_u32(self.0);
    }
}

impl AuxField for Guid {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        Ok(Self(r.array(what)?))
    }
    fn write(&self, w: &mut Vec<u8>) {
        w.put_bytes(&self.0);
    }
}

impl<const N: usize> AuxField for [u8; N] {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        r.array(what)
    }
    fn write(&self, w: &mut Vec<u8>) {
        w.put_bytes(self);
    }
}

/// Declares a block made of fixed-width fields only.
macro_rules! fixed_block {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$fmeta:meta])* $field:ident : $ty:ty, )* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $name {
            pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok(Self { $( $field: AuxField::read(r, concat!(stringify!($name), ".", stringify!($field)))?, )* })
            }

            pub(super) fn write(&self, w: &mut Vec<u8>) {
                $( self.$field.write(w); )*
            }
        }
    };
}

fixed_block! {
    /// [MS-OXCRPC] 2.2.2.2.1 AUX_PERF_REQUESTID.
    PerfRequestId {
        /// Client-assigned session id.
        session_id: u16,
        /// Client-assigned request id.
        request_id: u16,
    }
}

fixed_block! {
    /// [MS-OXCRPC] 2.2.2.2.2 AUX_PERF_SESSIONINFO.
    PerfSessionInfo {
        /// Client-assigned session id.
        session_id: u16,
        /// Padding.
        reserved: u16,
        /// The session's GUID.
        session_guid: Guid,
    }
}

fixed_block! {
    /// [MS-OXCRPC] 2.2.2.2.3 AUX_PERF_SESSIONINFO_V2.
    PerfSessionInfoV2 {
        /// Client-assigned session id.
        session_id: u16,
        /// Padding.
        reserved: u16,
        /// The session's GUID.
        session_guid: Guid,
        /// Connection id.
        connection_id: u32,
    }
}

fixed_block! {
    /// [MS-OXCRPC] 2.2.2.2.7 AUX_PERF_DEFMDB_SUCCESS (also the BG/FG types).
    PerfDefMdbSuccess {
        /// Milliseconds since the request.
        time_since_request: u32,
        /// Milliseconds the request took.
        time_to_complete_request: u32,
        /// Request id.
        request_id: u16,
        /// Padding.
        reserved: u16,
    }
}

fixed_block! {
    /// [MS-OXCRPC] 2.2.2.2.8 AUX_PERF_DEFGC_SUCCESS (also the BG/FG types).
    PerfDefGcSuccess {
        /// Server id.
        server_id: u16,
        /// Session id.
        session_id: u16,
        /// Milliseconds since the request.
        time_since_request: u32,
        /// Milliseconds the request took.
        time_to_complete_request: u32,
        /// Address-book operation.
        request_operation: u8,
        /// Padding.
        reserved: [u8; 3],
    }
}

fixed_block! {
    /// [MS-OXCRPC] 2.2.2.2.9 AUX_PERF_MDB_SUCCESS (also the BG/FG types).
    PerfMdbSuccess {
        /// Client id.
        client_id: u16,
        /// Server id.
        server_id: u16,
        /// Session id.
        session_id: u16,
        /// Request id.
        request_id: u16,
        /// Milliseconds since the request.
        time_since_request: u32,
        /// Milliseconds the request took.
        time_to_complete_request: u32,
    }
}

fixed_block! {
    /// [MS-OXCRPC] 2.2.2.2.10 AUX_PERF_MDB_SUCCESS_V2 (also the BG/FG types).
    PerfMdbSuccessV2 {
        /// Process id.
        process_id: u16,
        /// Client id.
        client_id: u16,
        /// Server id.
        server_id: u16,
        /// Session id.
        session_id: u16,
        /// Request id.
        request_id: u16,
        /// Padding.
        reserved: u16,
        /// Milliseconds since the request.
        time_since_request: u32,
        /// Milliseconds the request took.
        time_to_complete_request: u32,
    }
}

fixed_block! {
    /// [MS-OXCRPC] 2.2.2.2.11 AUX_PERF_GC_SUCCESS (also the BG/FG types).
    PerfGcSuccess {
        /// Client id.
        client_id: u16,
        /// Server id.
        server_id: u16,
        /// Session id.
        session_id: u16,
        /// Padding.
        reserved1: u16,
        /// Milliseconds since the request.
        time_since_request: u32,
        /// Milliseconds the request took.
        time_to_complete_request: u32,
        /// Address-book operation.
        request_operation: u8,
        /// Padding.
        reserved2: [u8; 3],
    }
}

fixed_block! {
    /// [MS-OXCRPC] 2.2.2.2.12 AUX_PERF_GC_SUCCESS_V2 (also the BG/FG types).
    PerfGcSuccessV2 {
        /// Process id.
        process_id: u16,
        /// Client id.
        client_id: u16,
        /// Server id.
        server_id: u16,
        /// Session id.
        session_id: u16,
        /// Milliseconds since the request.
        time_since_request: u32,
        /// Milliseconds the request took.
        time_to_complete_request: u32,
        /// Address-book operation.
        request_operation: u8,
        /// Padding.
        reserved: [u8; 3],
    }
}

fixed_block! {
    /// [MS-OXCRPC] 2.2.2.2.13 AUX_PERF_FAILURE (also the BG/FG types).
    PerfFailure {
        /// Client id.
        client_id: u16,
        /// Server id.
        server_id: u16,
        /// Session id.
        session_id: u16,
        /// Request id.
        request_id: u16,
        /// Milliseconds since the request.
        time_since_request: u32,
        /// Milliseconds until the request failed.
        time_to_fail_request: u32,
        /// The error.
        result_code: ErrorCode,
        /// Address-book operation.
        request_operation: u8,
        /// Padding.
        reserved: [u8; 3],
    }
}

fixed_block! {
    /// [MS-OXCRPC] 2.2.2.2.14 AUX_PERF_FAILURE_V2 (also the BG/FG types).
    PerfFailureV2 {
        /// Process id.
        process_id: u16,
        /// Client id.
        client_id: u16,
        /// Server id.
        server_id: u16,
        /// Session id.
        session_id: u16,
        /// Request id.
        request_id: u16,
        /// Padding.
        reserved1: u16,
        /// Milliseconds since the request.
        time_since_request: u32,
        /// Milliseconds until the request failed.
        time_to_fail_request: u32,
        /// The error.
        result_code: ErrorCode,
        /// Address-book operation.
        request_operation: u8,
        /// Padding.
        reserved2: [u8; 3],
    }
}

fixed_block! {
    /// [MS-OXCRPC] 2.2.2.2.15 AUX_CLIENT_CONTROL (server → client).
    ClientControl {
        /// `ENABLE_*` bits.
        enable_flags: u32,
        /// Milliseconds the setting stays in force.
        expiry_time: u32,
    }
}

impl ClientControl {
    /// The client sends performance blocks to the server.
    pub const ENABLE_PERF_SENDTOSERVER: u32 = 0x0000_0001;
    /// The client compresses its requests.
    pub const ENABLE_COMPRESSION: u32 = 0x0000_0004;
    /// The client may use RPC over HTTP.
    pub const ENABLE_HTTP_TUNNELING: u32 = 0x0000_0008;
    /// The client sends address-book performance data.
    pub const ENABLE_PERF_SENDGCDATA: u32 = 0x0000_0010;
}

fixed_block! {
    /// [MS-OXCRPC] 2.2.2.2.16 AUX_OSVERSIONINFO (server → client).
    OsVersionInfo {
        /// Size of the OS version structure (148 or 156).
        os_version_info_size: u32,
        /// OS major version.
        major_version: u32,
        /// OS minor version.
        minor_version: u32,
        /// OS build number.
        build_number: u32,
        /// Reserved.
        #[cfg_attr(feature = "serde", serde(serialize_with = "crate::serde_impls::hex_bytes"))]
        reserved1: [u8; 132],
        /// Service pack major version.
        service_pack_major: u16,
        /// Service pack minor version.
        service_pack_minor: u16,
        /// Reserved.
        reserved2: u32,
    }
}

fixed_block! {
    /// [MS-OXCRPC] 2.2.2.2.17 AUX_EXORGINFO (server → client).
    ExOrgInfo {
        /// `PUBLIC_FOLDERS_ENABLED` / `USE_AUTODISCOVER_FOR_PUBLIC_FOLDER_CONFIGURATION`.
        org_flags: u32,
    }
}

impl ExOrgInfo {
    /// The organization has public folders.
    pub const PUBLIC_FOLDERS_ENABLED: u32 = 0x0000_0001;
    /// Public folder configuration comes from Autodiscover.
    pub const USE_AUTODISCOVER_FOR_PUBLIC_FOLDER_CONFIGURATION: u32 = 0x0000_0002;
}

fixed_block! {
    /// [MS-OXCRPC] 2.2.2.2.18 AUX_PERF_ACCOUNTINFO.
    PerfAccountInfo {
        /// Client id (as in AUX_PERF_CLIENTINFO).
        client_id: u16,
        /// Padding.
        reserved: u16,
        /// Account GUID.
        account: Guid,
    }
}

fixed_block! {
    /// [MS-OXCRPC] 2.2.2.2.19 AUX_SERVER_CAPABILITIES (server → client).
    ServerCapabilities {
        /// `PACKED_*` bits.
        server_capability_flags: u32,
    }
}

impl ServerCapabilities {
    /// The client may pack RopFastTransferDestinationPutBuffer* requests.
    pub const PACKED_FAST_TRANSFER_UPLOAD_BUFFERS: u32 = 0x0000_0001;
    /// The client may pack RopWriteStreamExtended requests.
    pub const PACKED_WRITE_STREAM_UPLOAD_BUFFERS: u32 = 0x0000_0002;
    /// The client may ask for packed download chained buffers.
    pub const ULTRA_LARGE_PACKED_DOWNLOAD_BUFFERS: u32 = 0x0000_0008;
}

fixed_block! {
    /// [MS-OXCRPC] 2.2.2.2.20 AUX_ENDPOINT_CAPABILITIES (server → client).
    EndpointCapabilities {
        /// `ENDPOINT_CAPABILITIES_SINGLE_ENDPOINT`.
        endpoint_capability_flags: u32,
    }
}

impl EndpointCapabilities {
    /// Mailbox and address book share one endpoint.
    pub const SINGLE_ENDPOINT: u32 = 0x0000_0001;
}
