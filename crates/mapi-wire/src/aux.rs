//! [MS-OXCRPC] 2.2.2.2 AUX_HEADER and the auxiliary blocks of the
//! `AuxiliaryBuffer` (Connect and Execute, both directions).
//!
//! The auxiliary buffer is itself RPC_HEADER_EXT framed ([`crate::rpc_ext`]);
//! each payload is a sequence of blocks, each `Size u16` (header + body),
//! `Version u8`, `Type u8`, body. [`AuxBlock`] keeps the body bytes exactly as
//! received, so every block — known or not — re-encodes byte for byte;
//! [`AuxBlock::data`] gives the typed view ([`AuxData`]) of the known
//! (version, type) pairs, and [`AuxBlock::new`] builds a block from one.
//! Strings inside blocks are null-terminated UTF-16LE at offsets counted from
//! the start of the AUX_HEADER (offset 0 = absent).

use crate::codec::{Put, Reader, len_u16};
use crate::error::{DecodeError, EncodeError};
use crate::rpc_ext::{self, ChainLimits, EncodeOptions};

mod blocks;
mod fixed;

pub use blocks::{
    AuxData, ClientConnectionInfo, PerfClientInfo, PerfProcessInfo, PerfServerInfo, ProtocolDeviceIdentification,
    ServerSessionInfo,
};
pub use fixed::{
    ClientControl, EndpointCapabilities, ExOrgInfo, OsVersionInfo, PerfAccountInfo, PerfDefGcSuccess,
    PerfDefMdbSuccess, PerfFailure, PerfFailureV2, PerfGcSuccess, PerfGcSuccessV2, PerfMdbSuccess, PerfMdbSuccessV2,
    PerfRequestId, PerfSessionInfo, PerfSessionInfoV2, ServerCapabilities,
};

open_enum! {
    /// [MS-OXCRPC] 2.2.2.2 AUX_HEADER `Version`.
    pub struct AuxVersion(u8) {
        V1 = 0x01, "AUX_VERSION_1";
        V2 = 0x02, "AUX_VERSION_2";
    }
}

open_enum! {
    /// [MS-OXCRPC] 2.2.2.2 AUX_HEADER `Type` (with [`AuxVersion`] it selects
    /// the block structure).
    pub struct AuxType(u8) {
        PERF_REQUESTID = 0x01, "AUX_TYPE_PERF_REQUESTID";
        PERF_CLIENTINFO = 0x02, "AUX_TYPE_PERF_CLIENTINFO";
        PERF_SERVERINFO = 0x03, "AUX_TYPE_PERF_SERVERINFO";
        PERF_SESSIONINFO = 0x04, "AUX_TYPE_PERF_SESSIONINFO";
        PERF_DEFMDB_SUCCESS = 0x05, "AUX_TYPE_PERF_DEFMDB_SUCCESS";
        PERF_DEFGC_SUCCESS = 0x06, "AUX_TYPE_PERF_DEFGC_SUCCESS";
        PERF_MDB_SUCCESS = 0x07, "AUX_TYPE_PERF_MDB_SUCCESS";
        PERF_GC_SUCCESS = 0x08, "AUX_TYPE_PERF_GC_SUCCESS";
        PERF_FAILURE = 0x09, "AUX_TYPE_PERF_FAILURE";
        CLIENT_CONTROL = 0x0A, "AUX_TYPE_CLIENT_CONTROL";
        PERF_PROCESSINFO = 0x0B, "AUX_TYPE_PERF_PROCESSINFO";
        PERF_BG_DEFMDB_SUCCESS = 0x0C, "AUX_TYPE_PERF_BG_DEFMDB_SUCCESS";
        PERF_BG_DEFGC_SUCCESS = 0x0D, "AUX_TYPE_PERF_BG_DEFGC_SUCCESS";
        PERF_BG_MDB_SUCCESS = 0x0E, "AUX_TYPE_PERF_BG_MDB_SUCCESS";
        PERF_BG_GC_SUCCESS = 0x0F, "AUX_TYPE_PERF_BG_GC_SUCCESS";
        PERF_BG_FAILURE = 0x10, "AUX_TYPE_PERF_BG_FAILURE";
        PERF_FG_DEFMDB_SUCCESS = 0x11, "AUX_TYPE_PERF_FG_DEFMDB_SUCCESS";
        PERF_FG_DEFGC_SUCCESS = 0x12, "AUX_TYPE_PERF_FG_DEFGC_SUCCESS";
        PERF_FG_MDB_SUCCESS = 0x13, "AUX_TYPE_PERF_FG_MDB_SUCCESS";
        PERF_FG_GC_SUCCESS = 0x14, "AUX_TYPE_PERF_FG_GC_SUCCESS";
        PERF_FG_FAILURE = 0x15, "AUX_TYPE_PERF_FG_FAILURE";
        OSVERSIONINFO = 0x16, "AUX_TYPE_OSVERSIONINFO";
        EXORGINFO = 0x17, "AUX_TYPE_EXORGINFO";
        PERF_ACCOUNTINFO = 0x18, "AUX_TYPE_PERF_ACCOUNTINFO";
        SERVER_CAPABILITIES = 0x46, "AUX_TYPE_SERVER_CAPABILITIES";
        ENDPOINT_CAPABILITIES = 0x48, "AUX_TYPE_ENDPOINT_CAPABILITIES";
        EXCEPTION_TRACE = 0x49, "AUX_TYPE_EXCEPTION_TRACE";
        CLIENT_CONNECTION_INFO = 0x4A, "AUX_CLIENT_CONNECTION_INFO";
        SERVER_SESSION_INFO = 0x4B, "AUX_SERVER_SESSION_INFO";
        PROTOCOL_DEVICE_IDENTIFICATION = 0x4E, "AUX_PROTOCOL_DEVICE_IDENTIFICATION";
    }
}

/// [MS-OXCRPC] 2.2.2.2 AUX_HEADER: 4 bytes in front of every block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AuxHeader {
    /// Block size including this header.
    pub size: u16,
    /// Structure version.
    pub version: AuxVersion,
    /// Block type.
    pub kind: AuxType,
}

impl AuxHeader {
    /// Wire size of the header.
    pub const LEN: usize = 4;
}

/// [MS-OXCRPC] 2.2.2.2 one auxiliary block: header fields plus the body as
/// transmitted (re-encodes byte for byte; [`AuxBlock::data`] parses it).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AuxBlock {
    /// AUX_HEADER `Version`.
    pub version: AuxVersion,
    /// AUX_HEADER `Type`.
    pub kind: AuxType,
    /// The bytes after the AUX_HEADER, up to `Size`.
    pub body: Vec<u8>,
}

impl AuxBlock {
    /// [MS-OXCRPC] 2.2.2.2 builds a block from typed data, laying strings out
    /// after the fixed fields in field order.
    ///
    /// `kind` matters where several types share one structure (the
    /// BG/FG/plain performance blocks); the caller picks a `version` and
    /// `kind` that fit `data` ([`AuxData::Raw`] fits anything).
    pub fn new(version: AuxVersion, kind: AuxType, data: &AuxData) -> Result<Self, EncodeError> {
        let mut body = Vec::new();
        data.encode_body(&mut body)?;
        len_u16(body.len() + AuxHeader::LEN, "AUX_HEADER Size")?;
        Ok(Self { version, kind, body })
    }

    /// [MS-OXCRPC] 2.2.2.2 reads one block (AUX_HEADER + body).
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let at = r.offset();
        let size = r.u16("AUX_HEADER Size")?;
        let version = AuxVersion(r.u8("AUX_HEADER Version")?);
        let kind = AuxType(r.u8("AUX_HEADER Type")?);
        let Some(body_len) = usize::from(size).checked_sub(AuxHeader::LEN) else {
            return Err(DecodeError::Invalid {
                what: "AUX_HEADER Size",
                offset: at,
                reason: "smaller than the header",
            });
        };
        let body = r.bytes(body_len, "auxiliary block body")?.to_vec();
        Ok(Self { version, kind, body })
    }

    /// [MS-OXCRPC] 2.2.2.2 writes AUX_HEADER + body.
    pub fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u16(len_u16(self.body.len() + AuxHeader::LEN, "AUX_HEADER Size")?);
        w.put_u8(self.version.0);
        w.put_u8(self.kind.0);
        w.put_bytes(&self.body);
        Ok(())
    }

    /// The AUX_HEADER of this block.
    pub fn header(&self) -> AuxHeader {
        AuxHeader {
            size: u16::try_from(self.body.len() + AuxHeader::LEN).unwrap_or(u16::MAX),
            version: self.version,
            kind: self.kind,
        }
    }

    /// [MS-OXCRPC] 2.2.2.2.1–2.2.2.2.22 the typed view of the body;
    /// [`AuxData::Raw`] for (version, type) pairs this codec does not know.
    /// Bytes after the fixed fields are allowed (strings live there).
    pub fn data(&self) -> Result<AuxData, DecodeError> {
        AuxData::decode_body(self.version, self.kind, &self.body)
    }
}

/// [MS-OXCRPC] 2.2.2.2 decodes the blocks of one auxiliary payload (the
/// payload of one RPC_HEADER_EXT).
pub fn decode_blocks(payload: &[u8]) -> Result<Vec<AuxBlock>, DecodeError> {
    let mut r = Reader::new(payload);
    let mut out = Vec::new();
    while !r.is_empty() {
        out.push(AuxBlock::decode(&mut r)?);
    }
    Ok(out)
}

/// [MS-OXCRPC] 2.2.2.2 writes blocks one after the other.
pub fn encode_blocks(blocks: &[AuxBlock], w: &mut Vec<u8>) -> Result<(), EncodeError> {
    for b in blocks {
        b.encode(w)?;
    }
    Ok(())
}

/// [MS-OXCRPC] 3.1.4.1.2 decodes a whole `AuxiliaryBuffer`: the
/// RPC_HEADER_EXT chain, then the blocks of every payload, in order. An empty
/// buffer has no blocks.
pub fn decode_aux_buffer(bytes: &[u8], limits: &ChainLimits) -> Result<Vec<AuxBlock>, DecodeError> {
    let mut out = Vec::new();
    for buf in rpc_ext::decode_chain(bytes, limits)? {
        out.extend(decode_blocks(&buf.payload)?);
    }
    Ok(out)
}

/// [MS-OXCRPC] 3.1.4.1.2 encodes blocks as an `AuxiliaryBuffer` with one
/// RPC_HEADER_EXT (Last); no blocks = an empty buffer.
pub fn encode_aux_buffer(blocks: &[AuxBlock], opts: &EncodeOptions) -> Result<Vec<u8>, EncodeError> {
    if blocks.is_empty() {
        return Ok(Vec::new());
    }
    let mut payload = Vec::new();
    encode_blocks(blocks, &mut payload)?;
    rpc_ext::encode_chain([&payload[..]], opts)
}

#[cfg(test)]
mod tests;
