//! [MS-OXCROPS] 2.2.13 ICS ROPs ([MS-OXCFXICS] 2.2.3.2): synchronization
//! configuration, state upload, importers and replica id helpers; the
//! FastTransfer ROPs of 2.2.12 are in the `fast_transfer` submodule.

use crate::{
    codec::{Decode, Encode, Put, Reader, len_u32},
    error::{DecodeError, EncodeError},
    error_code::ErrorCode,
    guid::Guid,
    ids::{GlobalCounter, LongTermId},
    prop_tag::PropTag,
    prop_value::TaggedValue,
    restriction::Restriction,
    rop::{
        ResponseContext, RopId, RopRequestBody, RopResponseBody,
        misc::{
            fixed_request, header_response, one_field_response, read_bin16, read_bin32, read_header, read_tags,
            write_bin16, write_bin32, write_header, write_tags,
        },
        property::{read_values, write_values},
    },
};

mod fast_transfer;
pub use fast_transfer::*;

open_enum! {
    /// SynchronizationType of RopSynchronizationConfigure ([MS-OXCFXICS] 2.2.3.2.1.1.1).
    pub struct SynchronizationType(u8) {
        CONTENTS = 0x01, "Contents";
        HIERARCHY = 0x02, "Hierarchy";
    }
}

// ---------------------------------------------------------------------------
// ICS ([MS-OXCROPS] 2.2.13)
// ---------------------------------------------------------------------------

/// [MS-OXCROPS] 2.2.13.1.1 RopSynchronizationConfigure request.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SynchronizationConfigureRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (the folder).
    pub input_handle_index: u8,
    /// OutputHandleIndex (the synchronization context).
    pub output_handle_index: u8,
    /// SynchronizationType.
    pub synchronization_type: SynchronizationType,
    /// SendOptions ([MS-OXCFXICS] 2.2.3.1.1.1.1; 0x01 Unicode).
    pub send_options: u8,
    /// SynchronizationFlags ([MS-OXCFXICS] 2.2.3.2.1.1.1).
    pub synchronization_flags: u16,
    /// RestrictionDataSize u16 + RestrictionData ([MS-OXCDATA] 2.12, ROP form); None = size 0.
    pub restriction: Option<Restriction>,
    /// SynchronizationExtraFlags (0x01 Eid, 0x02 MessageSize, 0x04 Cn, 0x08 OrderByDeliveryTime).
    pub synchronization_extra_flags: u32,
    /// PropertyTagCount u16 + PropertyTags (properties to exclude, or include with OnlySpecifiedProperties).
    pub property_tags: Vec<PropTag>,
}

impl RopRequestBody for SynchronizationConfigureRequest {
    const ID: RopId = RopId::SYNCHRONIZATION_CONFIGURE;
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
            synchronization_type: SynchronizationType(r.u8("SynchronizationType")?),
            send_options: r.u8("SendOptions")?,
            synchronization_flags: r.u16("SynchronizationFlags")?,
            restriction: Restriction::decode_sized(r)?,
            synchronization_extra_flags: r.u32("SynchronizationExtraFlags")?,
            property_tags: read_tags(r, "PropertyTags")?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        w.put_u8(self.output_handle_index);
        w.put_u8(self.synchronization_type.0);
        w.put_u8(self.send_options);
        w.put_u16(self.synchronization_flags);
        Restriction::encode_sized(self.restriction.as_ref(), w)?;
        w.put_u32(self.synchronization_extra_flags);
        write_tags(w, &self.property_tags, "PropertyTags")
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.13.1.2 RopSynchronizationConfigure response.
    pub struct SynchronizationConfigureResponse = SYNCHRONIZATION_CONFIGURE, "OutputHandleIndex"
}

/// [MS-OXCROPS] 2.2.13.2.1 RopSynchronizationImportMessageChange request. The
/// values are exactly PidTagSourceKey, PidTagLastModificationTime,
/// PidTagChangeKey and PidTagPredecessorChangeList ([MS-OXCFXICS] 2.2.3.2.4.2.1).
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SynchronizationImportMessageChangeRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (the collector).
    pub input_handle_index: u8,
    /// OutputHandleIndex (the message to fill in).
    pub output_handle_index: u8,
    /// ImportFlag (0x10 Associated, 0x40 FailOnConflict).
    pub import_flag: u8,
    /// PropertyValueCount u16 + PropertyValues.
    pub values: Vec<TaggedValue>,
}

impl RopRequestBody for SynchronizationImportMessageChangeRequest {
    const ID: RopId = RopId::SYNCHRONIZATION_IMPORT_MESSAGE_CHANGE;
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
            import_flag: r.u8("ImportFlag")?,
            values: read_values(r)?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        w.put_u8(self.output_handle_index);
        w.put_u8(self.import_flag);
        write_values(w, &self.values)
    }
}

one_field_response! {
    /// [MS-OXCROPS] 2.2.13.2.2 RopSynchronizationImportMessageChange response.
    pub struct SynchronizationImportMessageChangeResponse = SYNCHRONIZATION_IMPORT_MESSAGE_CHANGE, "OutputHandleIndex" {
        /// MessageId of the imported message.
        message_id: u64 = "MessageId"
    }
}

/// [MS-OXCROPS] 2.2.13.4.1 RopSynchronizationImportHierarchyChange request:
/// `HierarchyValueCount u16, HierarchyValues, PropertyValueCount u16, PropertyValues`.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SynchronizationImportHierarchyChangeRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (the collector).
    pub input_handle_index: u8,
    /// HierarchyValues: ParentSourceKey, SourceKey, LastModificationTime,
    /// ChangeKey, PredecessorChangeList, DisplayName ([MS-OXCFXICS] 2.2.3.2.4.3.1).
    pub hierarchy_values: Vec<TaggedValue>,
    /// PropertyValues: the other folder properties.
    pub property_values: Vec<TaggedValue>,
}

impl RopRequestBody for SynchronizationImportHierarchyChangeRequest {
    const ID: RopId = RopId::SYNCHRONIZATION_IMPORT_HIERARCHY_CHANGE;
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
            hierarchy_values: read_values(r)?,
            property_values: read_values(r)?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        write_values(w, &self.hierarchy_values)?;
        write_values(w, &self.property_values)
    }
}

one_field_response! {
    /// [MS-OXCROPS] 2.2.13.4.2 RopSynchronizationImportHierarchyChange response.
    pub struct SynchronizationImportHierarchyChangeResponse = SYNCHRONIZATION_IMPORT_HIERARCHY_CHANGE, "InputHandleIndex" {
        /// FolderId of the imported folder.
        folder_id: u64 = "FolderId"
    }
}

/// [MS-OXCROPS] 2.2.13.5.1 RopSynchronizationImportDeletes request: one
/// PtypMultipleBinary value listing the source keys to delete (which tag the
/// server expects is open, digest §3.5.9; gromox checks only the type).
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SynchronizationImportDeletesRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (the collector).
    pub input_handle_index: u8,
    /// ImportDeleteFlags (0x01 Hierarchy, 0x02 HardDelete).
    pub import_delete_flags: u8,
    /// PropertyValueCount u16 + PropertyValues.
    pub values: Vec<TaggedValue>,
}

impl RopRequestBody for SynchronizationImportDeletesRequest {
    const ID: RopId = RopId::SYNCHRONIZATION_IMPORT_DELETES;
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
            import_delete_flags: r.u8("ImportDeleteFlags")?,
            values: read_values(r)?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        w.put_u8(self.import_delete_flags);
        write_values(w, &self.values)
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.13.5.2 RopSynchronizationImportDeletes response.
    pub struct SynchronizationImportDeletesResponse = SYNCHRONIZATION_IMPORT_DELETES, "InputHandleIndex"
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.13.7.1 RopSynchronizationOpenCollector request.
    pub struct SynchronizationOpenCollectorRequest = SYNCHRONIZATION_OPEN_COLLECTOR => output_handle_index {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex (the folder).
        input_handle_index: u8 = "InputHandleIndex",
        /// OutputHandleIndex (the collector).
        output_handle_index: u8 = "OutputHandleIndex",
        /// IsContentsCollector (1 contents, 0 hierarchy).
        is_contents_collector: u8 = "IsContentsCollector",
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.13.7.2 RopSynchronizationOpenCollector response.
    pub struct SynchronizationOpenCollectorResponse = SYNCHRONIZATION_OPEN_COLLECTOR, "OutputHandleIndex"
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.13.8.1 RopSynchronizationGetTransferState request.
    pub struct SynchronizationGetTransferStateRequest = SYNCHRONIZATION_GET_TRANSFER_STATE => output_handle_index {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex (sync context or collector).
        input_handle_index: u8 = "InputHandleIndex",
        /// OutputHandleIndex (a download context streaming the state).
        output_handle_index: u8 = "OutputHandleIndex",
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.13.8.2 RopSynchronizationGetTransferState response.
    pub struct SynchronizationGetTransferStateResponse = SYNCHRONIZATION_GET_TRANSFER_STATE, "OutputHandleIndex"
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.13.9.1 RopSynchronizationUploadStateStreamBegin request.
    pub struct SynchronizationUploadStateStreamBeginRequest = SYNCHRONIZATION_UPLOAD_STATE_STREAM_BEGIN {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex (sync context or collector).
        input_handle_index: u8 = "InputHandleIndex",
        /// StateProperty (MetaTagIdsetGiven, MetaTagCnsetSeen, ...).
        state_property: PropTag = "StateProperty",
        /// TransferBufferSize: total bytes that the Continue ROPs will send.
        transfer_buffer_size: u32 = "TransferBufferSize",
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.13.9.2 RopSynchronizationUploadStateStreamBegin response.
    pub struct SynchronizationUploadStateStreamBeginResponse = SYNCHRONIZATION_UPLOAD_STATE_STREAM_BEGIN, "InputHandleIndex"
}

/// [MS-OXCROPS] 2.2.13.10.1 RopSynchronizationUploadStateStreamContinue request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SynchronizationUploadStateStreamContinueRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex.
    pub input_handle_index: u8,
    /// StreamDataSize u32 + StreamData.
    pub stream_data: Vec<u8>,
}

impl RopRequestBody for SynchronizationUploadStateStreamContinueRequest {
    const ID: RopId = RopId::SYNCHRONIZATION_UPLOAD_STATE_STREAM_CONTINUE;
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
            stream_data: read_bin32(r, "StreamData")?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        write_bin32(w, &self.stream_data, "StreamData")
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.13.10.2 RopSynchronizationUploadStateStreamContinue response.
    pub struct SynchronizationUploadStateStreamContinueResponse = SYNCHRONIZATION_UPLOAD_STATE_STREAM_CONTINUE, "InputHandleIndex"
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.13.11.1 RopSynchronizationUploadStateStreamEnd request.
    pub struct SynchronizationUploadStateStreamEndRequest = SYNCHRONIZATION_UPLOAD_STATE_STREAM_END {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex.
        input_handle_index: u8 = "InputHandleIndex",
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.13.11.2 RopSynchronizationUploadStateStreamEnd response.
    pub struct SynchronizationUploadStateStreamEndResponse = SYNCHRONIZATION_UPLOAD_STATE_STREAM_END, "InputHandleIndex"
}

/// [MS-OXCROPS] 2.2.13.6.1 RopSynchronizationImportMessageMove request: five
/// u32-length-prefixed blobs (widths as gromox `g_bin_ex`; digest UNVERIFIED).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SynchronizationImportMessageMoveRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (the collector).
    pub input_handle_index: u8,
    /// SourceFolderId (source key bytes).
    pub source_folder_id: Vec<u8>,
    /// SourceMessageId.
    pub source_message_id: Vec<u8>,
    /// PredecessorChangeList.
    pub predecessor_change_list: Vec<u8>,
    /// DestinationMessageId.
    pub destination_message_id: Vec<u8>,
    /// ChangeNumber.
    pub change_number: Vec<u8>,
}

impl RopRequestBody for SynchronizationImportMessageMoveRequest {
    const ID: RopId = RopId::SYNCHRONIZATION_IMPORT_MESSAGE_MOVE;
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
            source_folder_id: read_bin32(r, "SourceFolderId")?,
            source_message_id: read_bin32(r, "SourceMessageId")?,
            predecessor_change_list: read_bin32(r, "PredecessorChangeList")?,
            destination_message_id: read_bin32(r, "DestinationMessageId")?,
            change_number: read_bin32(r, "ChangeNumber")?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        write_bin32(w, &self.source_folder_id, "SourceFolderId")?;
        write_bin32(w, &self.source_message_id, "SourceMessageId")?;
        write_bin32(w, &self.predecessor_change_list, "PredecessorChangeList")?;
        write_bin32(w, &self.destination_message_id, "DestinationMessageId")?;
        write_bin32(w, &self.change_number, "ChangeNumber")
    }
}

one_field_response! {
    /// [MS-OXCROPS] 2.2.13.6.2 RopSynchronizationImportMessageMove response.
    pub struct SynchronizationImportMessageMoveResponse = SYNCHRONIZATION_IMPORT_MESSAGE_MOVE, "InputHandleIndex" {
        /// MessageId of the moved message.
        message_id: u64 = "MessageId"
    }
}

/// One MessageReadState ([MS-OXCROPS] 2.2.13.3.1.1): `MessageIdSize u16,
/// MessageId (source key bytes), MarkAsRead u8`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MessageReadState {
    /// MessageId as source-key bytes.
    pub message_id: Vec<u8>,
    /// MarkAsRead (non-zero = read).
    pub mark_as_read: u8,
}

/// [MS-OXCROPS] 2.2.13.3.1 RopSynchronizationImportReadStateChanges request:
/// `MessageReadStatesSize u16` (bytes) then the states back to back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SynchronizationImportReadStateChangesRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (the collector).
    pub input_handle_index: u8,
    /// MessageReadStates.
    pub states: Vec<MessageReadState>,
}

impl RopRequestBody for SynchronizationImportReadStateChangesRequest {
    const ID: RopId = RopId::SYNCHRONIZATION_IMPORT_READ_STATE_CHANGES;
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let logon_id = r.u8("LogonId")?;
        let input_handle_index = r.u8("InputHandleIndex")?;
        let size = r.u16("MessageReadStatesSize")? as usize;
        let mut s = r.sub(size, "MessageReadStates")?;
        let mut states = Vec::new();
        while !s.is_empty() {
            let message_id = read_bin16(&mut s, "MessageId")?;
            states.push(MessageReadState { message_id, mark_as_read: s.u8("MarkAsRead")? });
        }
        Ok(Self { logon_id, input_handle_index, states })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        let at = w.reserve_u16();
        for s in &self.states {
            write_bin16(w, &s.message_id, "MessageId")?;
            w.put_u8(s.mark_as_read);
        }
        w.patch_len_u16(at, "MessageReadStatesSize")
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.13.3.2 RopSynchronizationImportReadStateChanges response.
    pub struct SynchronizationImportReadStateChangesResponse = SYNCHRONIZATION_IMPORT_READ_STATE_CHANGES, "InputHandleIndex"
}

/// A LongTermIdRange of RopSetLocalReplicaMidsetDeleted ([MS-OXCROPS] 2.2.13.12.1.1):
/// two 24-byte LongTermIDs ([MS-OXCDATA] 2.2.1.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LongTermIdRange {
    /// MinLongTermId.
    pub min: LongTermId,
    /// MaxLongTermId.
    pub max: LongTermId,
}

/// [MS-OXCROPS] 2.2.13.12.1 RopSetLocalReplicaMidsetDeleted request:
/// `DataSize u16, LongTermIdRangeCount u32, LongTermIdRanges[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SetLocalReplicaMidsetDeletedRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (the folder).
    pub input_handle_index: u8,
    /// LongTermIdRanges.
    pub ranges: Vec<LongTermIdRange>,
}

impl RopRequestBody for SetLocalReplicaMidsetDeletedRequest {
    const ID: RopId = RopId::SET_LOCAL_REPLICA_MIDSET_DELETED;
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let logon_id = r.u8("LogonId")?;
        let input_handle_index = r.u8("InputHandleIndex")?;
        let size = r.u16("DataSize")? as usize;
        let mut s = r.sub(size, "LongTermIdRanges")?;
        let n = s.u32("LongTermIdRangeCount")? as usize;
        let n = s.count(n, 48, "LongTermIdRanges")?;
        let mut ranges = Vec::with_capacity(n);
        for _ in 0..n {
            ranges.push(LongTermIdRange { min: LongTermId::decode(&mut s)?, max: LongTermId::decode(&mut s)? });
        }
        s.expect_end("LongTermIdRanges")?;
        Ok(Self { logon_id, input_handle_index, ranges })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        let at = w.reserve_u16();
        w.put_u32(len_u32(self.ranges.len(), "LongTermIdRangeCount")?);
        for range in &self.ranges {
            range.min.encode(w)?;
            range.max.encode(w)?;
        }
        w.patch_len_u16(at, "DataSize")
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.13.12.2 RopSetLocalReplicaMidsetDeleted response.
    pub struct SetLocalReplicaMidsetDeletedResponse = SET_LOCAL_REPLICA_MIDSET_DELETED, "InputHandleIndex"
}

fixed_request! {
    /// [MS-OXCROPS] 2.2.13.13.1 RopGetLocalReplicaIds request: reserves `id_count` ids.
    pub struct GetLocalReplicaIdsRequest = GET_LOCAL_REPLICA_IDS {
        /// LogonId.
        logon_id: u8 = "LogonId",
        /// InputHandleIndex (the logon).
        input_handle_index: u8 = "InputHandleIndex",
        /// IdCount.
        id_count: u32 = "IdCount",
    }
}

/// The success body of [MS-OXCROPS] 2.2.13.13.2 RopGetLocalReplicaIds: the first reserved id as REPLGUID + GLOBCNT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LocalReplicaIds {
    /// ReplGuid.
    pub repl_guid: Guid,
    /// GlobalCount: the first of the reserved counters.
    pub global_count: GlobalCounter,
}

/// [MS-OXCROPS] 2.2.13.13.2 RopGetLocalReplicaIds response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetLocalReplicaIdsResponse {
    /// InputHandleIndex of the request.
    pub handle_index: u8,
    /// ReturnValue.
    pub return_value: ErrorCode,
    /// ReplGuid and GlobalCount on success.
    pub success: Option<LocalReplicaIds>,
}

impl RopResponseBody for GetLocalReplicaIdsResponse {
    const ID: RopId = RopId::GET_LOCAL_REPLICA_IDS;
    fn decode_body(r: &mut Reader<'_>, _ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let (handle_index, return_value) = read_header(r, "InputHandleIndex")?;
        let success = if return_value.is_success() {
            Some(LocalReplicaIds {
                repl_guid: Guid(r.array("ReplGuid")?),
                global_count: GlobalCounter(r.array("GlobalCount")?),
            })
        } else {
            None
        };
        Ok(Self { handle_index, return_value, success })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        super::misc::check_success(self.return_value, &self.success, "RopGetLocalReplicaIds")?;
        write_header(w, self.handle_index, self.return_value);
        if let Some(s) = &self.success {
            w.put_bytes(&s.repl_guid.0);
            w.put_bytes(&s.global_count.0);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
