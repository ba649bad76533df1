//! [MS-OXCROPS] 2.2.12 FastTransfer ROPs ([MS-OXCFXICS] 2.2.3.1): download
//! contexts and RopFastTransferSourceGetBuffer, upload contexts and
//! RopFastTransferDestinationPutBuffer, RopTellVersion.

use crate::{
    codec::{Put, Reader},
    error::{DecodeError, EncodeError},
    error_code::ErrorCode,
    prop_tag::PropTag,
    rop::{
        ResponseContext, RopId, RopRequestBody, RopResponseBody,
        misc::{
            fixed_request, header_response, read_bin16, read_header, read_tags, read_u64s, write_bin16, write_header,
            write_tags, write_u64s,
        },
        stream::BABE,
    },
};

open_enum! {
    /// TransferStatus of RopFastTransferSourceGetBuffer / DestinationPutBuffer
    /// ([MS-OXCFXICS] 2.2.3.1.1.5.2).
    pub struct TransferStatus(u16) {
        ERROR = 0x0000, "Error";
        PARTIAL = 0x0001, "Partial";
        NO_ROOM = 0x0002, "NoRoom";
        DONE = 0x0003, "Done";
    }
}

// ---------------------------------------------------------------------------
// FastTransfer download contexts ([MS-OXCROPS] 2.2.12.5–2.2.12.8)
// ---------------------------------------------------------------------------

/// [MS-OXCROPS] 2.2.12.6.1 RopFastTransferSourceCopyMessages request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FastTransferSourceCopyMessagesRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (the folder).
    pub input_handle_index: u8,
    /// OutputHandleIndex (the download context).
    pub output_handle_index: u8,
    /// MessageIdCount u16 + MessageIds.
    pub message_ids: Vec<u64>,
    /// CopyFlags ([MS-OXCFXICS] 2.2.3.1.1.3.1).
    pub copy_flags: u8,
    /// SendOptions ([MS-OXCFXICS] 2.2.3.1.1.1.1).
    pub send_options: u8,
}

impl RopRequestBody for FastTransferSourceCopyMessagesRequest {
    const ID: RopId = RopId::FAST_TRANSFER_SOURCE_COPY_MESSAGES;
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn output_handle_index(&self) -> Option<u8> {
        Some(self.output_handle_index)
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            logon_id: r.u8("LogonId")?,
            input_handle_index: r.u8("InputHandleIndex")?,
            output_handle_index: r.u8("OutputHandleIndex")?,
            message_ids: read_u64s(r, "MessageIds")?,
            copy_flags: r.u8("CopyFlags")?,
            send_options: r.u8("SendOptions")?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        w.put_u8(self.output_handle_index);
        write_u64s(w, &self.message_ids, "MessageIds")?;
        w.put_u8(self.copy_flags);
        w.put_u8(self.send_options);
        Ok(())
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.12.6.2 RopFastTransferSourceCopyMessages response.
    pub struct FastTransferSourceCopyMessagesResponse = FAST_TRANSFER_SOURCE_COPY_MESSAGES, "OutputHandleIndex"
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.12.5.1 RopFastTransferSourceCopyFolder request.
    pub struct FastTransferSourceCopyFolderRequest = FAST_TRANSFER_SOURCE_COPY_FOLDER => output_handle_index {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex (the folder).
        input_handle_index: u8 = "InputHandleIndex",
        /// OutputHandleIndex (the download context).
        output_handle_index: u8 = "OutputHandleIndex",
        /// CopyFlags.
        copy_flags: u8 = "CopyFlags",
        /// SendOptions.
        send_options: u8 = "SendOptions",
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.12.5.2 RopFastTransferSourceCopyFolder response.
    pub struct FastTransferSourceCopyFolderResponse = FAST_TRANSFER_SOURCE_COPY_FOLDER, "OutputHandleIndex"
}

/// [MS-OXCROPS] 2.2.12.7.1 RopFastTransferSourceCopyTo request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FastTransferSourceCopyToRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (folder, message or attachment).
    pub input_handle_index: u8,
    /// OutputHandleIndex (the download context).
    pub output_handle_index: u8,
    /// Level (0 = include sub-objects).
    pub level: u8,
    /// CopyFlags (32 bits here).
    pub copy_flags: u32,
    /// SendOptions.
    pub send_options: u8,
    /// PropertyTagCount u16 + PropertyTags (properties to exclude).
    pub property_tags: Vec<PropTag>,
}

impl RopRequestBody for FastTransferSourceCopyToRequest {
    const ID: RopId = RopId::FAST_TRANSFER_SOURCE_COPY_TO;
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn output_handle_index(&self) -> Option<u8> {
        Some(self.output_handle_index)
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            logon_id: r.u8("LogonId")?,
            input_handle_index: r.u8("InputHandleIndex")?,
            output_handle_index: r.u8("OutputHandleIndex")?,
            level: r.u8("Level")?,
            copy_flags: r.u32("CopyFlags")?,
            send_options: r.u8("SendOptions")?,
            property_tags: read_tags(r, "PropertyTags")?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        w.put_u8(self.output_handle_index);
        w.put_u8(self.level);
        w.put_u32(self.copy_flags);
        w.put_u8(self.send_options);
        write_tags(w, &self.property_tags, "PropertyTags")
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.12.7.2 RopFastTransferSourceCopyTo response.
    pub struct FastTransferSourceCopyToResponse = FAST_TRANSFER_SOURCE_COPY_TO, "OutputHandleIndex"
}

/// [MS-OXCROPS] 2.2.12.8.1 RopFastTransferSourceCopyProperties request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FastTransferSourceCopyPropertiesRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex.
    pub input_handle_index: u8,
    /// OutputHandleIndex (the download context).
    pub output_handle_index: u8,
    /// Level.
    pub level: u8,
    /// CopyFlags (8 bits here).
    pub copy_flags: u8,
    /// SendOptions.
    pub send_options: u8,
    /// PropertyTagCount u16 + PropertyTags (properties to copy).
    pub property_tags: Vec<PropTag>,
}

impl RopRequestBody for FastTransferSourceCopyPropertiesRequest {
    const ID: RopId = RopId::FAST_TRANSFER_SOURCE_COPY_PROPERTIES;
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn output_handle_index(&self) -> Option<u8> {
        Some(self.output_handle_index)
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            logon_id: r.u8("LogonId")?,
            input_handle_index: r.u8("InputHandleIndex")?,
            output_handle_index: r.u8("OutputHandleIndex")?,
            level: r.u8("Level")?,
            copy_flags: r.u8("CopyFlags")?,
            send_options: r.u8("SendOptions")?,
            property_tags: read_tags(r, "PropertyTags")?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        w.put_u8(self.output_handle_index);
        w.put_u8(self.level);
        w.put_u8(self.copy_flags);
        w.put_u8(self.send_options);
        write_tags(w, &self.property_tags, "PropertyTags")
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.12.8.2 RopFastTransferSourceCopyProperties response.
    pub struct FastTransferSourceCopyPropertiesResponse = FAST_TRANSFER_SOURCE_COPY_PROPERTIES, "OutputHandleIndex"
}

/// [MS-OXCROPS] 2.2.12.4.1 RopFastTransferSourceGetBuffer request. BufferSize
/// 0xBABE ([`BABE`]) is followed by `MaximumBufferSize u16`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FastTransferSourceGetBufferRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (the download context).
    pub input_handle_index: u8,
    /// BufferSize.
    pub buffer_size: u16,
    /// MaximumBufferSize, present exactly when `buffer_size` is 0xBABE.
    pub maximum_buffer_size: Option<u16>,
}

impl RopRequestBody for FastTransferSourceGetBufferRequest {
    const ID: RopId = RopId::FAST_TRANSFER_SOURCE_GET_BUFFER;
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let logon_id = r.u8("LogonId")?;
        let input_handle_index = r.u8("InputHandleIndex")?;
        let buffer_size = r.u16("BufferSize")?;
        let maximum_buffer_size = if buffer_size == BABE { Some(r.u16("MaximumBufferSize")?) } else { None };
        Ok(Self { logon_id, input_handle_index, buffer_size, maximum_buffer_size })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        if (self.buffer_size == BABE) != self.maximum_buffer_size.is_some() {
            return Err(EncodeError::NotRepresentable {
                what: "RopFastTransferSourceGetBuffer MaximumBufferSize",
                reason: "present exactly when BufferSize is 0xBABE",
            });
        }
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        w.put_u16(self.buffer_size);
        if let Some(m) = self.maximum_buffer_size {
            w.put_u16(m);
        }
        Ok(())
    }
}

/// [MS-OXCROPS] 2.2.12.4.2 RopFastTransferSourceGetBuffer response.
///
/// Following the digest (§3.2) and gromox (`rop_ext_push_rop_response`
/// pushes the body for any ReturnValue), TransferStatus … TransferBufferSize
/// are present on failure too; with ecServerBusy (0x480) no TransferBuffer
/// follows the (zero) size, and `BackoffTime u32` ends the response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FastTransferSourceGetBufferResponse {
    /// InputHandleIndex of the request.
    pub handle_index: u8,
    /// ReturnValue.
    pub return_value: ErrorCode,
    /// TransferStatus.
    pub transfer_status: TransferStatus,
    /// InProgressCount (progress steps done; bytes for gromox, B21).
    pub in_progress_count: u16,
    /// TotalStepCount.
    pub total_step_count: u16,
    /// Reserved (0).
    pub reserved: u8,
    /// TransferBufferSize u16 + TransferBuffer: the next piece of the FastTransfer stream.
    pub transfer_buffer: Vec<u8>,
    /// BackoffTime in ms, present exactly when ReturnValue is ecServerBusy.
    pub backoff_time: Option<u32>,
}

impl RopResponseBody for FastTransferSourceGetBufferResponse {
    const ID: RopId = RopId::FAST_TRANSFER_SOURCE_GET_BUFFER;
    fn decode_body(r: &mut Reader<'_>, _ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let (handle_index, return_value) = read_header(r, "InputHandleIndex")?;
        let transfer_status = TransferStatus(r.u16("TransferStatus")?);
        let in_progress_count = r.u16("InProgressCount")?;
        let total_step_count = r.u16("TotalStepCount")?;
        let reserved = r.u8("Reserved")?;
        let busy = return_value == ErrorCode::SERVER_BUSY;
        let at = r.offset();
        let size = r.u16("TransferBufferSize")? as usize;
        let (transfer_buffer, backoff_time) = if busy {
            if size != 0 {
                return Err(DecodeError::Invalid {
                    what: "TransferBufferSize",
                    offset: at,
                    reason: "ecServerBusy responses carry no TransferBuffer",
                });
            }
            (Vec::new(), Some(r.u32("BackoffTime")?))
        } else {
            (r.bytes(size, "TransferBuffer")?.to_vec(), None)
        };
        Ok(Self {
            handle_index,
            return_value,
            transfer_status,
            in_progress_count,
            total_step_count,
            reserved,
            transfer_buffer,
            backoff_time,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        let busy = self.return_value == ErrorCode::SERVER_BUSY;
        if busy != self.backoff_time.is_some() || (busy && !self.transfer_buffer.is_empty()) {
            return Err(EncodeError::NotRepresentable {
                what: "RopFastTransferSourceGetBuffer",
                reason: "BackoffTime (and no buffer) exactly when ReturnValue is ecServerBusy",
            });
        }
        write_header(w, self.handle_index, self.return_value);
        w.put_u16(self.transfer_status.0);
        w.put_u16(self.in_progress_count);
        w.put_u16(self.total_step_count);
        w.put_u8(self.reserved);
        write_bin16(w, &self.transfer_buffer, "TransferBuffer")?;
        if let Some(t) = self.backoff_time {
            w.put_u32(t);
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// FastTransfer upload contexts ([MS-OXCROPS] 2.2.12.1–2.2.12.2)
// ---------------------------------------------------------------------------

fixed_request! {
    /// [MS-OXCROPS] 2.2.12.1.1 RopFastTransferDestinationConfigure request.
    pub struct FastTransferDestinationConfigureRequest = FAST_TRANSFER_DESTINATION_CONFIGURE => output_handle_index {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex (the target object).
        input_handle_index: u8 = "InputHandleIndex",
        /// OutputHandleIndex (the upload context).
        output_handle_index: u8 = "OutputHandleIndex",
        /// SourceOperation (0x01 CopyTo, 0x02 CopyProperties, 0x03 CopyMessages, 0x04 CopyFolder).
        source_operation: u8 = "SourceOperation",
        /// CopyFlags (0x01 Move).
        copy_flags: u8 = "CopyFlags",
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.12.1.2 RopFastTransferDestinationConfigure response.
    pub struct FastTransferDestinationConfigureResponse = FAST_TRANSFER_DESTINATION_CONFIGURE, "OutputHandleIndex"
}

/// [MS-OXCROPS] 2.2.12.2.1 RopFastTransferDestinationPutBuffer request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FastTransferDestinationPutBufferRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (the upload context).
    pub input_handle_index: u8,
    /// TransferDataSize u16 + TransferData.
    pub transfer_data: Vec<u8>,
}

impl RopRequestBody for FastTransferDestinationPutBufferRequest {
    const ID: RopId = RopId::FAST_TRANSFER_DESTINATION_PUT_BUFFER;
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            logon_id: r.u8("LogonId")?,
            input_handle_index: r.u8("InputHandleIndex")?,
            transfer_data: read_bin16(r, "TransferData")?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        write_bin16(w, &self.transfer_data, "TransferData")
    }
}

/// [MS-OXCROPS] 2.2.12.2.2 RopFastTransferDestinationPutBuffer response: the
/// status fields follow on success and on failure (gromox pushes them for any
/// ReturnValue).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FastTransferDestinationPutBufferResponse {
    /// InputHandleIndex of the request.
    pub handle_index: u8,
    /// ReturnValue.
    pub return_value: ErrorCode,
    /// TransferStatus (clients ignore it).
    pub transfer_status: TransferStatus,
    /// InProgressCount.
    pub in_progress_count: u16,
    /// TotalStepCount.
    pub total_step_count: u16,
    /// Reserved.
    pub reserved: u8,
    /// BufferUsedSize.
    pub buffer_used_size: u16,
}

impl RopResponseBody for FastTransferDestinationPutBufferResponse {
    const ID: RopId = RopId::FAST_TRANSFER_DESTINATION_PUT_BUFFER;
    fn decode_body(r: &mut Reader<'_>, _ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let (handle_index, return_value) = read_header(r, "InputHandleIndex")?;
        Ok(Self {
            handle_index,
            return_value,
            transfer_status: TransferStatus(r.u16("TransferStatus")?),
            in_progress_count: r.u16("InProgressCount")?,
            total_step_count: r.u16("TotalStepCount")?,
            reserved: r.u8("Reserved")?,
            buffer_used_size: r.u16("BufferUsedSize")?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        write_header(w, self.handle_index, self.return_value);
        w.put_u16(self.transfer_status.0);
        w.put_u16(self.in_progress_count);
        w.put_u16(self.total_step_count);
        w.put_u8(self.reserved);
        w.put_u16(self.buffer_used_size);
        Ok(())
    }
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.12.9.1 RopTellVersion request: the client's version (three u16).
    pub struct TellVersionRequest = TELL_VERSION {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex (a FastTransfer context).
        input_handle_index: u8 = "InputHandleIndex",
        /// Version.
        version: [u16; 3] = "Version",
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.12.9.2 RopTellVersion response.
    pub struct TellVersionResponse = TELL_VERSION, "InputHandleIndex"
}
