//! [MS-OXCRPC] 2.2.2.2.4–2.2.2.2.22 the auxiliary blocks with strings at
//! offsets, and [`AuxData`], the typed view of every known block.

use super::fixed::{
    ClientControl, EndpointCapabilities, ExOrgInfo, OsVersionInfo, PerfAccountInfo, PerfDefGcSuccess,
    PerfDefMdbSuccess, PerfFailure, PerfFailureV2, PerfGcSuccess, PerfGcSuccessV2, PerfMdbSuccess, PerfMdbSuccessV2,
    PerfRequestId, PerfSessionInfo, PerfSessionInfoV2, ServerCapabilities,
};
use super::{AuxHeader, AuxType, AuxVersion};
use crate::codec::{Put, Reader, len_u16};
use crate::error::{DecodeError, EncodeError};
use crate::guid::Guid;

/// [MS-OXCRPC] 2.2.2.2.4 AUX_PERF_CLIENTINFO.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PerfClientInfo {
    /// Adapter speed in kbit/s.
    pub adapter_speed: u32,
    /// Client id.
    pub client_id: u16,
    /// Client machine name.
    pub machine_name: Option<String>,
    /// Client user name.
    pub user_name: Option<String>,
    /// Client IP address bytes.
    pub client_ip: Option<Vec<u8>>,
    /// Client IP mask bytes.
    pub client_ip_mask: Option<Vec<u8>>,
    /// Network adapter name.
    pub adapter_name: Option<String>,
    /// MAC address bytes.
    pub mac_address: Option<Vec<u8>>,
    /// `CLIENTMODE_*` (0 unknown, 1 classic online, 2 cached).
    pub client_mode: u16,
    /// Padding.
    pub reserved: u16,
}

/// [MS-OXCRPC] 2.2.2.2.5 AUX_PERF_SERVERINFO.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PerfServerInfo {
    /// Server id.
    pub server_id: u16,
    /// `SERVERTYPE_*` (0 unknown, 1 private, 2 public, 3 directory, 4 referral).
    pub server_type: u16,
    /// Server DN.
    pub server_dn: Option<String>,
    /// Server name.
    pub server_name: Option<String>,
}

/// [MS-OXCRPC] 2.2.2.2.6 AUX_PERF_PROCESSINFO.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PerfProcessInfo {
    /// Process id.
    pub process_id: u16,
    /// Padding.
    pub reserved1: u16,
    /// Process GUID.
    pub process_guid: Guid,
    /// Process name.
    pub process_name: Option<String>,
    /// Padding.
    pub reserved2: u16,
}

/// [MS-OXCRPC] 2.2.2.2.20 AUX_CLIENT_CONNECTION_INFO (client → server).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ClientConnectionInfo {
    /// Connection GUID.
    pub connection_guid: Guid,
    /// Padding.
    pub reserved: u16,
    /// Connection attempts so far.
    pub connection_attempts: u32,
    /// `CLIENT_CONNECTION_*` bits.
    pub connection_flags: u32,
    /// Opaque context string for the server's logs.
    pub connection_context_info: Option<String>,
}

/// [MS-OXCRPC] 2.2.2.2.21 AUX_SERVER_SESSION_INFO (server → client).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ServerSessionInfo {
    /// Opaque context string for the client's logs.
    pub server_session_context_info: Option<String>,
}

/// [MS-OXCRPC] 2.2.2.2.22 AUX_PROTOCOL_DEVICE_IDENTIFICATION (client → server).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ProtocolDeviceIdentification {
    /// Device manufacturer.
    pub manufacturer: Option<String>,
    /// Device model.
    pub model: Option<String>,
    /// Device serial number.
    pub serial_number: Option<String>,
    /// Device version.
    pub version: Option<String>,
    /// Device firmware version.
    pub firmware_version: Option<String>,
}

/// [MS-OXCRPC] 2.2.2.2 the typed body of an auxiliary block.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum AuxData {
    /// 2.2.2.2.1 (v1, 0x01).
    PerfRequestId(PerfRequestId),
    /// 2.2.2.2.4 (v1, 0x02).
    PerfClientInfo(PerfClientInfo),
    /// 2.2.2.2.5 (v1, 0x03).
    PerfServerInfo(PerfServerInfo),
    /// 2.2.2.2.2 (v1, 0x04).
    PerfSessionInfo(PerfSessionInfo),
    /// 2.2.2.2.3 (v2, 0x04).
    PerfSessionInfoV2(PerfSessionInfoV2),
    /// 2.2.2.2.7 (v1, 0x05 / 0x0C / 0x11).
    PerfDefMdbSuccess(PerfDefMdbSuccess),
    /// 2.2.2.2.8 (v1, 0x06 / 0x0D / 0x12).
    PerfDefGcSuccess(PerfDefGcSuccess),
    /// 2.2.2.2.9 (v1, 0x07 / 0x0E / 0x13).
    PerfMdbSuccess(PerfMdbSuccess),
    /// 2.2.2.2.10 (v2, 0x07 / 0x0E / 0x13).
    PerfMdbSuccessV2(PerfMdbSuccessV2),
    /// 2.2.2.2.11 (v1, 0x08 / 0x0F / 0x14).
    PerfGcSuccess(PerfGcSuccess),
    /// 2.2.2.2.12 (v2, 0x08 / 0x0F / 0x14).
    PerfGcSuccessV2(PerfGcSuccessV2),
    /// 2.2.2.2.13 (v1, 0x09 / 0x10 / 0x15).
    PerfFailure(PerfFailure),
    /// 2.2.2.2.14 (v2, 0x09 / 0x10 / 0x15).
    PerfFailureV2(PerfFailureV2),
    /// 2.2.2.2.15 (0x0A).
    ClientControl(ClientControl),
    /// 2.2.2.2.6 (v1 or v2, 0x0B).
    PerfProcessInfo(PerfProcessInfo),
    /// 2.2.2.2.16 (0x16).
    OsVersionInfo(OsVersionInfo),
    /// 2.2.2.2.17 (0x17).
    ExOrgInfo(ExOrgInfo),
    /// 2.2.2.2.18 (0x18).
    PerfAccountInfo(PerfAccountInfo),
    /// 2.2.2.2.19 (0x46).
    ServerCapabilities(ServerCapabilities),
    /// 2.2.2.2.20 (0x48).
    EndpointCapabilities(EndpointCapabilities),
    /// 2.2.2.2.20 (0x4A).
    ClientConnectionInfo(ClientConnectionInfo),
    /// 2.2.2.2.21 (0x4B).
    ServerSessionInfo(ServerSessionInfo),
    /// 2.2.2.2.22 (0x4E).
    ProtocolDeviceIdentification(ProtocolDeviceIdentification),
    /// A (version, type) this codec does not interpret: the body as is.
    Raw(Vec<u8>),
}

impl AuxData {
    /// [MS-OXCRPC] 2.2.2.2 parses a block body selected by (version, type).
    ///
    /// Types with a separate v2 structure need the right version; the
    /// others are read with either v1 or v2; any other version is
    /// [`AuxData::Raw`].
    pub fn decode_body(version: AuxVersion, kind: AuxType, body: &[u8]) -> Result<Self, DecodeError> {
        let v2 = match version {
            AuxVersion::V1 => false,
            AuxVersion::V2 => true,
            _ => return Ok(Self::Raw(body.to_vec())),
        };
        let r = &mut Reader::new(body);
        Ok(match (kind.0, v2) {
            (0x01, false) => Self::PerfRequestId(PerfRequestId::read(r)?),
            (0x02, false) => Self::PerfClientInfo(decode_client_info(r, body)?),
            (0x03, false) => Self::PerfServerInfo(decode_server_info(r, body)?),
            (0x04, false) => Self::PerfSessionInfo(PerfSessionInfo::read(r)?),
            (0x04, true) => Self::PerfSessionInfoV2(PerfSessionInfoV2::read(r)?),
            (0x05 | 0x0C | 0x11, false) => Self::PerfDefMdbSuccess(PerfDefMdbSuccess::read(r)?),
            (0x06 | 0x0D | 0x12, false) => Self::PerfDefGcSuccess(PerfDefGcSuccess::read(r)?),
            (0x07 | 0x0E | 0x13, false) => Self::PerfMdbSuccess(PerfMdbSuccess::read(r)?),
            (0x07 | 0x0E | 0x13, true) => Self::PerfMdbSuccessV2(PerfMdbSuccessV2::read(r)?),
            (0x08 | 0x0F | 0x14, false) => Self::PerfGcSuccess(PerfGcSuccess::read(r)?),
            (0x08 | 0x0F | 0x14, true) => Self::PerfGcSuccessV2(PerfGcSuccessV2::read(r)?),
            (0x09 | 0x10 | 0x15, false) => Self::PerfFailure(PerfFailure::read(r)?),
            (0x09 | 0x10 | 0x15, true) => Self::PerfFailureV2(PerfFailureV2::read(r)?),
            (0x0A, _) => Self::ClientControl(ClientControl::read(r)?),
            (0x0B, _) => Self::PerfProcessInfo(decode_process_info(r, body)?),
            (0x16, _) => Self::OsVersionInfo(OsVersionInfo::read(r)?),
            (0x17, _) => Self::ExOrgInfo(ExOrgInfo::read(r)?),
            (0x18, _) => Self::PerfAccountInfo(PerfAccountInfo::read(r)?),
            (0x46, _) => Self::ServerCapabilities(ServerCapabilities::read(r)?),
            (0x48, _) => Self::EndpointCapabilities(EndpointCapabilities::read(r)?),
            (0x4A, _) => Self::ClientConnectionInfo(decode_connection_info(r, body)?),
            (0x4B, _) => Self::ServerSessionInfo(ServerSessionInfo {
                server_session_context_info: offset_string(body, r.u16("OffsetServerSessionContextInfo")?)?,
            }),
            (0x4E, _) => Self::ProtocolDeviceIdentification(decode_device_identification(r, body)?),
            _ => Self::Raw(body.to_vec()),
        })
    }

    /// [MS-OXCRPC] 2.2.2.2 writes the block body (without AUX_HEADER);
    /// strings go after the fixed fields, offsets point at them.
    pub fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Self::PerfRequestId(b) => b.write(w),
            Self::PerfClientInfo(b) => encode_client_info(b, w)?,
            Self::PerfServerInfo(b) => {
                let mut t = Tail::new(8);
                let dn = t.string(&b.server_dn)?;
                let name = t.string(&b.server_name)?;
                w.put_u16(b.server_id);
                w.put_u16(b.server_type);
                w.put_u16(dn);
                w.put_u16(name);
                w.put_bytes(&t.bytes);
            }
            Self::PerfSessionInfo(b) => b.write(w),
            Self::PerfSessionInfoV2(b) => b.write(w),
            Self::PerfDefMdbSuccess(b) => b.write(w),
            Self::PerfDefGcSuccess(b) => b.write(w),
            Self::PerfMdbSuccess(b) => b.write(w),
            Self::PerfMdbSuccessV2(b) => b.write(w),
            Self::PerfGcSuccess(b) => b.write(w),
            Self::PerfGcSuccessV2(b) => b.write(w),
            Self::PerfFailure(b) => b.write(w),
            Self::PerfFailureV2(b) => b.write(w),
            Self::ClientControl(b) => b.write(w),
            Self::PerfProcessInfo(b) => {
                let mut t = Tail::new(24);
                let name = t.string(&b.process_name)?;
                w.put_u16(b.process_id);
                w.put_u16(b.reserved1);
                w.put_bytes(&b.process_guid.0);
                w.put_u16(name);
                w.put_u16(b.reserved2);
                w.put_bytes(&t.bytes);
            }
            Self::OsVersionInfo(b) => b.write(w),
            Self::ExOrgInfo(b) => b.write(w),
            Self::PerfAccountInfo(b) => b.write(w),
            Self::ServerCapabilities(b) => b.write(w),
            Self::EndpointCapabilities(b) => b.write(w),
            Self::ClientConnectionInfo(b) => {
                let mut t = Tail::new(28);
                let ctx = t.string(&b.connection_context_info)?;
                w.put_bytes(&b.connection_guid.0);
                w.put_u16(ctx);
                w.put_u16(b.reserved);
                w.put_u32(b.connection_attempts);
                w.put_u32(b.connection_flags);
                w.put_bytes(&t.bytes);
            }
            Self::ServerSessionInfo(b) => {
                let mut t = Tail::new(2);
                let ctx = t.string(&b.server_session_context_info)?;
                w.put_u16(ctx);
                w.put_bytes(&t.bytes);
            }
            Self::ProtocolDeviceIdentification(b) => {
                let mut t = Tail::new(10);
                let offs = [
                    t.string(&b.manufacturer)?,
                    t.string(&b.model)?,
                    t.string(&b.serial_number)?,
                    t.string(&b.version)?,
                    t.string(&b.firmware_version)?,
                ];
                for o in offs {
                    w.put_u16(o);
                }
                w.put_bytes(&t.bytes);
            }
            Self::Raw(body) => w.put_bytes(body),
        }
        Ok(())
    }
}

/// The variable part after a block's fixed fields, with offsets counted from
/// the start of the AUX_HEADER.
struct Tail {
    base: usize,
    bytes: Vec<u8>,
}

impl Tail {
    fn new(fixed_len: usize) -> Self {
        Self { base: AuxHeader::LEN + fixed_len, bytes: Vec::new() }
    }

    fn string(&mut self, s: &Option<String>) -> Result<u16, EncodeError> {
        let Some(s) = s else { return Ok(0) };
        let off = len_u16(self.base + self.bytes.len(), "auxiliary block string offset")?;
        self.bytes.put_utf16z(s);
        Ok(off)
    }

    /// Returns (size, offset).
    fn blob(&mut self, b: &Option<Vec<u8>>) -> Result<(u16, u16), EncodeError> {
        let Some(b) = b else { return Ok((0, 0)) };
        let off = len_u16(self.base + self.bytes.len(), "auxiliary block field offset")?;
        let size = len_u16(b.len(), "auxiliary block field size")?;
        self.bytes.put_bytes(b);
        Ok((size, off))
    }
}

/// The part of `body` an offset (from the AUX_HEADER start) points at.
fn at_offset<'b>(body: &'b [u8], offset: u16, what: &'static str) -> Result<&'b [u8], DecodeError> {
    usize::from(offset).checked_sub(AuxHeader::LEN).and_then(|i| body.get(i..)).ok_or(DecodeError::Invalid {
        what,
        offset: usize::from(offset),
        reason: "offset outside the block",
    })
}

fn offset_string(body: &[u8], offset: u16) -> Result<Option<String>, DecodeError> {
    if offset == 0 {
        return Ok(None);
    }
    let mut r = Reader::new(at_offset(body, offset, "auxiliary block string")?);
    Ok(Some(r.utf16z("auxiliary block string")?))
}

fn offset_blob(body: &[u8], offset: u16, size: u16) -> Result<Option<Vec<u8>>, DecodeError> {
    if offset == 0 {
        return Ok(None);
    }
    let mut r = Reader::new(at_offset(body, offset, "auxiliary block field")?);
    Ok(Some(r.bytes(usize::from(size), "auxiliary block field")?.to_vec()))
}

fn decode_client_info(r: &mut Reader<'_>, body: &[u8]) -> Result<PerfClientInfo, DecodeError> {
    let adapter_speed = r.u32("AdapterSpeed")?;
    let client_id = r.u16("ClientID")?;
    let machine = r.u16("MachineNameOffset")?;
    let user = r.u16("UserNameOffset")?;
    let ip_size = r.u16("ClientIPSize")?;
    let ip = r.u16("ClientIPOffset")?;
    let mask_size = r.u16("ClientIPMaskSize")?;
    let mask = r.u16("ClientIPMaskOffset")?;
    let adapter = r.u16("AdapterNameOffset")?;
    let mac_size = r.u16("MacAddressSize")?;
    let mac = r.u16("MacAddressOffset")?;
    let client_mode = r.u16("ClientMode")?;
    let reserved = r.u16("Reserved")?;
    Ok(PerfClientInfo {
        adapter_speed,
        client_id,
        machine_name: offset_string(body, machine)?,
        user_name: offset_string(body, user)?,
        client_ip: offset_blob(body, ip, ip_size)?,
        client_ip_mask: offset_blob(body, mask, mask_size)?,
        adapter_name: offset_string(body, adapter)?,
        mac_address: offset_blob(body, mac, mac_size)?,
        client_mode,
        reserved,
    })
}

fn encode_client_info(b: &PerfClientInfo, w: &mut Vec<u8>) -> Result<(), EncodeError> {
    let mut t = Tail::new(28);
    let machine = t.string(&b.machine_name)?;
    let user = t.string(&b.user_name)?;
    let (ip_size, ip) = t.blob(&b.client_ip)?;
    let (mask_size, mask) = t.blob(&b.client_ip_mask)?;
    let adapter = t.string(&b.adapter_name)?;
    let (mac_size, mac) = t.blob(&b.mac_address)?;
    w.put_u32(b.adapter_speed);
    for v in
        [b.client_id, machine, user, ip_size, ip, mask_size, mask, adapter, mac_size, mac, b.client_mode, b.reserved]
    {
        w.put_u16(v);
    }
    w.put_bytes(&t.bytes);
    Ok(())
}

fn decode_server_info(r: &mut Reader<'_>, body: &[u8]) -> Result<PerfServerInfo, DecodeError> {
    let server_id = r.u16("ServerID")?;
    let server_type = r.u16("ServerType")?;
    let dn = r.u16("ServerDNOffset")?;
    let name = r.u16("ServerNameOffset")?;
    Ok(PerfServerInfo {
        server_id,
        server_type,
        server_dn: offset_string(body, dn)?,
        server_name: offset_string(body, name)?,
    })
}

fn decode_process_info(r: &mut Reader<'_>, body: &[u8]) -> Result<PerfProcessInfo, DecodeError> {
    let process_id = r.u16("ProcessID")?;
    let reserved1 = r.u16("Reserved_1")?;
    let process_guid = Guid(r.array("ProcessGuid")?);
    let name = r.u16("ProcessNameOffset")?;
    let reserved2 = r.u16("Reserved_2")?;
    Ok(PerfProcessInfo { process_id, reserved1, process_guid, process_name: offset_string(body, name)?, reserved2 })
}

fn decode_connection_info(r: &mut Reader<'_>, body: &[u8]) -> Result<ClientConnectionInfo, DecodeError> {
    let connection_guid = Guid(r.array("ConnectionGUID")?);
    let ctx = r.u16("OffsetConnectionContextInfo")?;
    let reserved = r.u16("Reserved")?;
    let connection_attempts = r.u32("ConnectionAttempts")?;
    let connection_flags = r.u32("ConnectionFlags")?;
    Ok(ClientConnectionInfo {
        connection_guid,
        reserved,
        connection_attempts,
        connection_flags,
        connection_context_info: offset_string(body, ctx)?,
    })
}

fn decode_device_identification(r: &mut Reader<'_>, body: &[u8]) -> Result<ProtocolDeviceIdentification, DecodeError> {
    let manufacturer = r.u16("DeviceManufacturerOffset")?;
    let model = r.u16("DeviceModelOffset")?;
    let serial = r.u16("DeviceSerialNumberOffset")?;
    let version = r.u16("DeviceVersionOffset")?;
    let firmware = r.u16("DeviceFirmwareVersionOffset")?;
    Ok(ProtocolDeviceIdentification {
        manufacturer: offset_string(body, manufacturer)?,
        model: offset_string(body, model)?,
        serial_number: offset_string(body, serial)?,
        version: offset_string(body, version)?,
        firmware_version: offset_string(body, firmware)?,
    })
}
