//! [MS-OXCROPS] Remote Operations: the ROP buffers of an Execute and every ROP.
//!
//! A request buffer ([`RopRequestBuffer`]) is `RopSize u16`, the ROP list and the server object
//! handle table ([MS-OXCROPS] 2.2.1). Each ROP is a struct pair `XxxRequest` / `XxxResponse`
//! implementing [`RopRequestBody`] / [`RopResponseBody`]; the enums [`RopRequest`] and
//! [`RopResponse`] dispatch on [`RopId`].
//!
//! Responses carry no per-ROP length and some need data from elsewhere (the table's columns,
//! the request's tags), so an output buffer is decoded against its request:
//! [`RopResponseBuffer::decode_with`] pairs every response with its request (RopRelease has
//! none; RopNotify, RopPending, RopBackoff and RopBufferTooSmall stand alone), gives row-returning
//! ROPs the columns of the last RopSetColumns on their table in the same Execute, and otherwise
//! asks [`ExecuteContext::known`] (e.g. a [`ColumnMemory`] fed with every finished Execute)
//! by server handle value.
//!
//! ```
//! use mapi_wire::rop::*;
//! use mapi_wire::{Decode, Encode, ErrorCode, PropTag};
//!
//! // OpenFolder(Inbox) -> GetContentsTable -> SetColumns([Subject]) -> QueryRows(10).
//! let request = RopRequestBuffer {
//!     rops: vec![
//!         RopRequest::OpenFolder(OpenFolderRequest {
//!             logon_id: 0,
//!             input_handle_index: 0,
//!             output_handle_index: 1,
//!             folder_id: mapi_wire::ids::FolderId::new(1, 0xd),
//!             open_mode_flags: FolderOpenModeFlags::NONE,
//!         }),
//!         RopRequest::GetContentsTable(GetContentsTableRequest {
//!             logon_id: 0,
//!             input_handle_index: 1,
//!             output_handle_index: 2,
//!             table_flags: TableFlags::USE_UNICODE,
//!         }),
//!         RopRequest::SetColumns(SetColumnsRequest {
//!             logon_id: 0,
//!             input_handle_index: 2,
//!             flags: AsyncFlags::SYNC,
//!             columns: vec![PropTag(0x0037_001F)],
//!         }),
//!         RopRequest::QueryRows(QueryRowsRequest {
//!             logon_id: 0,
//!             input_handle_index: 2,
//!             flags: QueryRowsFlags::ADVANCE,
//!             forward_read: true,
//!             row_count: 10,
//!         }),
//!     ],
//!     handles: vec![0x0000_0001, 0xFFFF_FFFF, 0xFFFF_FFFF],
//! };
//! let bytes = request.to_bytes()?; // the payload inside RPC_HEADER_EXT
//! assert_eq!(RopRequestBuffer::decode_exact(&bytes)?, request);
//!
//! // The server's answer: OpenFolder, GetContentsTable (1 row), SetColumns, QueryRows ("Hi").
//! let payload = [
//!     0x2b, 0x00, // RopSize
//!     0x02, 0x01, 0, 0, 0, 0, 0x00, 0x00, // RopOpenFolder
//!     0x05, 0x02, 0, 0, 0, 0, 1, 0, 0, 0, // RopGetContentsTable, RowCount 1
//!     0x12, 0x02, 0, 0, 0, 0, 0x00, // RopSetColumns, TBLSTAT_COMPLETE
//!     0x15, 0x02, 0, 0, 0, 0, 0x02, 1, 0, 0x00, b'H', 0, b'i', 0, 0, 0, // RopQueryRows
//!     1, 0, 0, 0, 0x2a, 0, 0, 0, 0x2b, 0, 0, 0, // handle table
//! ];
//! let mut memory = ColumnMemory::default();
//! let response = RopResponseBuffer::decode_with(&payload, &ExecuteContext::new(&request).with_known(&memory))?;
//! let RopResponse::QueryRows(rows) = &response.rops[3] else { unreachable!() };
//! assert_eq!(rows.return_value, ErrorCode::SUCCESS);
//! assert_eq!(rows.success.as_ref().map(|s| s.rows.len()), Some(1));
//! // Remember the table's columns for later Executes that read handle 0x2b.
//! memory.learn(&request, &response);
//! assert_eq!(memory.columns[&0x2b], [PropTag(0x0037_001F)]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[macro_use]
mod wire;
mod attachment;
mod body;
mod buffer;
mod folder;
mod message;
mod store;
mod table;
#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;
mod transport;

pub use attachment::*;
pub use body::{ResponseContext, RopRequestBody, RopResponseBody};
pub use buffer::*;
pub use folder::*;
pub use message::*;
pub use store::*;
pub use table::*;
pub use transport::*;

// Modules of engineer "rop2" (properties, streams, notifications, ICS/FastTransfer,
// special responses, permissions/rules).
mod ics;
mod misc;
mod notify;
mod property;
mod special;
mod stream;
pub use ics::{
    FastTransferDestinationConfigureRequest, FastTransferDestinationConfigureResponse,
    FastTransferDestinationPutBufferRequest, FastTransferDestinationPutBufferResponse,
    FastTransferSourceCopyFolderRequest, FastTransferSourceCopyFolderResponse, FastTransferSourceCopyMessagesRequest,
    FastTransferSourceCopyMessagesResponse, FastTransferSourceCopyPropertiesRequest,
    FastTransferSourceCopyPropertiesResponse, FastTransferSourceCopyToRequest, FastTransferSourceCopyToResponse,
    FastTransferSourceGetBufferRequest, FastTransferSourceGetBufferResponse, GetLocalReplicaIdsRequest,
    GetLocalReplicaIdsResponse, LocalReplicaIds, LongTermIdRange, MessageReadState,
    SetLocalReplicaMidsetDeletedRequest, SetLocalReplicaMidsetDeletedResponse, SynchronizationConfigureRequest,
    SynchronizationConfigureResponse, SynchronizationGetTransferStateRequest, SynchronizationGetTransferStateResponse,
    SynchronizationImportDeletesRequest, SynchronizationImportDeletesResponse,
    SynchronizationImportHierarchyChangeRequest, SynchronizationImportHierarchyChangeResponse,
    SynchronizationImportMessageChangeRequest, SynchronizationImportMessageChangeResponse,
    SynchronizationImportMessageMoveRequest, SynchronizationImportMessageMoveResponse,
    SynchronizationImportReadStateChangesRequest, SynchronizationImportReadStateChangesResponse,
    SynchronizationOpenCollectorRequest, SynchronizationOpenCollectorResponse, SynchronizationType,
    SynchronizationUploadStateStreamBeginRequest, SynchronizationUploadStateStreamBeginResponse,
    SynchronizationUploadStateStreamContinueRequest, SynchronizationUploadStateStreamContinueResponse,
    SynchronizationUploadStateStreamEndRequest, SynchronizationUploadStateStreamEndResponse, TellVersionRequest,
    TellVersionResponse, TransferStatus,
};
pub use misc::{
    GetPermissionsTableRequest, GetPermissionsTableResponse, GetRulesTableRequest, GetRulesTableResponse,
    ModifyPermissionsRequest, ModifyPermissionsResponse, ModifyRow, ModifyRulesRequest, ModifyRulesResponse,
    UpdateDeferredActionMessagesRequest, UpdateDeferredActionMessagesResponse,
};
pub use notify::{
    ChangedTags, MessageClass, NOTIFY_MESSAGE, NOTIFY_SEARCH, NOTIFY_TOTAL, NOTIFY_UNREAD, NewMailData,
    NotificationData, NotificationType, NotifyResponse, RegisterNotificationRequest, RegisterNotificationResponse,
    TableEventType, TableRowData,
};
pub use property::{
    CopyPropertiesRequest, CopyPropertiesResponse, CopyToRequest, CopyToResponse, DeletePropertiesNoReplicateRequest,
    DeletePropertiesNoReplicateResponse, DeletePropertiesRequest, DeletePropertiesResponse,
    GetNamesFromPropertyIdsRequest, GetNamesFromPropertyIdsResponse, GetPropertiesAllRequest, GetPropertiesAllResponse,
    GetPropertiesListRequest, GetPropertiesListResponse, GetPropertiesSpecificRequest, GetPropertiesSpecificResponse,
    GetPropertyIdsFromNamesRequest, GetPropertyIdsFromNamesResponse, Progress, ProgressRequest, ProgressResponse,
    QueryNamedPropertiesRequest, QueryNamedPropertiesResponse, SetPropertiesNoReplicateRequest,
    SetPropertiesNoReplicateResponse, SetPropertiesRequest, SetPropertiesResponse,
};
pub use special::{BackoffResponse, BackoffRop, PendingResponse};
pub use stream::{
    BABE, CloneStreamRequest, CloneStreamResponse, CommitStreamRequest, CommitStreamResponse, CopyToStreamRequest,
    CopyToStreamResponse, GetStreamSizeRequest, GetStreamSizeResponse, LockRegionStreamRequest,
    LockRegionStreamResponse, OpenStreamRequest, OpenStreamResponse, ReadStreamRequest, ReadStreamResponse, SeekOrigin,
    SeekStreamRequest, SeekStreamResponse, SetStreamSizeRequest, SetStreamSizeResponse, StreamOpenMode,
    UnlockRegionStreamRequest, UnlockRegionStreamResponse, WriteAndCommitStreamRequest, WriteAndCommitStreamResponse,
    WriteStreamExtendedRequest, WriteStreamExtendedResponse, WriteStreamRequest, WriteStreamResponse,
};

use crate::{
    codec::Reader,
    error::{DecodeError, EncodeError},
};

open_enum! {
    /// A ROP identifier ([MS-OXCROPS] 2.2.2). Ids not named here are reserved
    /// (gromox `rop_ids.hpp`); a server answers them with ecRpcFormat.
    pub struct RopId(u8) {
        RELEASE = 0x01, "RopRelease";
        OPEN_FOLDER = 0x02, "RopOpenFolder";
        OPEN_MESSAGE = 0x03, "RopOpenMessage";
        GET_HIERARCHY_TABLE = 0x04, "RopGetHierarchyTable";
        GET_CONTENTS_TABLE = 0x05, "RopGetContentsTable";
        CREATE_MESSAGE = 0x06, "RopCreateMessage";
        GET_PROPERTIES_SPECIFIC = 0x07, "RopGetPropertiesSpecific";
        GET_PROPERTIES_ALL = 0x08, "RopGetPropertiesAll";
        GET_PROPERTIES_LIST = 0x09, "RopGetPropertiesList";
        SET_PROPERTIES = 0x0A, "RopSetProperties";
        DELETE_PROPERTIES = 0x0B, "RopDeleteProperties";
        SAVE_CHANGES_MESSAGE = 0x0C, "RopSaveChangesMessage";
        REMOVE_ALL_RECIPIENTS = 0x0D, "RopRemoveAllRecipients";
        MODIFY_RECIPIENTS = 0x0E, "RopModifyRecipients";
        READ_RECIPIENTS = 0x0F, "RopReadRecipients";
        RELOAD_CACHED_INFORMATION = 0x10, "RopReloadCachedInformation";
        SET_MESSAGE_READ_FLAG = 0x11, "RopSetMessageReadFlag";
        SET_COLUMNS = 0x12, "RopSetColumns";
        SORT_TABLE = 0x13, "RopSortTable";
        RESTRICT = 0x14, "RopRestrict";
        QUERY_ROWS = 0x15, "RopQueryRows";
        GET_STATUS = 0x16, "RopGetStatus";
        QUERY_POSITION = 0x17, "RopQueryPosition";
        SEEK_ROW = 0x18, "RopSeekRow";
        SEEK_ROW_BOOKMARK = 0x19, "RopSeekRowBookmark";
        SEEK_ROW_FRACTIONAL = 0x1A, "RopSeekRowFractional";
        CREATE_BOOKMARK = 0x1B, "RopCreateBookmark";
        CREATE_FOLDER = 0x1C, "RopCreateFolder";
        DELETE_FOLDER = 0x1D, "RopDeleteFolder";
        DELETE_MESSAGES = 0x1E, "RopDeleteMessages";
        GET_MESSAGE_STATUS = 0x1F, "RopGetMessageStatus";
        SET_MESSAGE_STATUS = 0x20, "RopSetMessageStatus";
        GET_ATTACHMENT_TABLE = 0x21, "RopGetAttachmentTable";
        OPEN_ATTACHMENT = 0x22, "RopOpenAttachment";
        CREATE_ATTACHMENT = 0x23, "RopCreateAttachment";
        DELETE_ATTACHMENT = 0x24, "RopDeleteAttachment";
        SAVE_CHANGES_ATTACHMENT = 0x25, "RopSaveChangesAttachment";
        SET_RECEIVE_FOLDER = 0x26, "RopSetReceiveFolder";
        GET_RECEIVE_FOLDER = 0x27, "RopGetReceiveFolder";
        REGISTER_NOTIFICATION = 0x29, "RopRegisterNotification";
        NOTIFY = 0x2A, "RopNotify";
        OPEN_STREAM = 0x2B, "RopOpenStream";
        READ_STREAM = 0x2C, "RopReadStream";
        WRITE_STREAM = 0x2D, "RopWriteStream";
        SEEK_STREAM = 0x2E, "RopSeekStream";
        SET_STREAM_SIZE = 0x2F, "RopSetStreamSize";
        SET_SEARCH_CRITERIA = 0x30, "RopSetSearchCriteria";
        GET_SEARCH_CRITERIA = 0x31, "RopGetSearchCriteria";
        SUBMIT_MESSAGE = 0x32, "RopSubmitMessage";
        MOVE_COPY_MESSAGES = 0x33, "RopMoveCopyMessages";
        ABORT_SUBMIT = 0x34, "RopAbortSubmit";
        MOVE_FOLDER = 0x35, "RopMoveFolder";
        COPY_FOLDER = 0x36, "RopCopyFolder";
        QUERY_COLUMNS_ALL = 0x37, "RopQueryColumnsAll";
        ABORT = 0x38, "RopAbort";
        COPY_TO = 0x39, "RopCopyTo";
        COPY_TO_STREAM = 0x3A, "RopCopyToStream";
        CLONE_STREAM = 0x3B, "RopCloneStream";
        GET_PERMISSIONS_TABLE = 0x3E, "RopGetPermissionsTable";
        GET_RULES_TABLE = 0x3F, "RopGetRulesTable";
        MODIFY_PERMISSIONS = 0x40, "RopModifyPermissions";
        MODIFY_RULES = 0x41, "RopModifyRules";
        GET_OWNING_SERVERS = 0x42, "RopGetOwningServers";
        LONG_TERM_ID_FROM_ID = 0x43, "RopLongTermIdFromId";
        ID_FROM_LONG_TERM_ID = 0x44, "RopIdFromLongTermId";
        PUBLIC_FOLDER_IS_GHOSTED = 0x45, "RopPublicFolderIsGhosted";
        OPEN_EMBEDDED_MESSAGE = 0x46, "RopOpenEmbeddedMessage";
        SET_SPOOLER = 0x47, "RopSetSpooler";
        SPOOLER_LOCK_MESSAGE = 0x48, "RopSpoolerLockMessage";
        GET_ADDRESS_TYPES = 0x49, "RopGetAddressTypes";
        TRANSPORT_SEND = 0x4A, "RopTransportSend";
        FAST_TRANSFER_SOURCE_COPY_MESSAGES = 0x4B, "RopFastTransferSourceCopyMessages";
        FAST_TRANSFER_SOURCE_COPY_FOLDER = 0x4C, "RopFastTransferSourceCopyFolder";
        FAST_TRANSFER_SOURCE_COPY_TO = 0x4D, "RopFastTransferSourceCopyTo";
        FAST_TRANSFER_SOURCE_GET_BUFFER = 0x4E, "RopFastTransferSourceGetBuffer";
        FIND_ROW = 0x4F, "RopFindRow";
        PROGRESS = 0x50, "RopProgress";
        TRANSPORT_NEW_MAIL = 0x51, "RopTransportNewMail";
        GET_VALID_ATTACHMENTS = 0x52, "RopGetValidAttachments";
        FAST_TRANSFER_DESTINATION_CONFIGURE = 0x53, "RopFastTransferDestinationConfigure";
        FAST_TRANSFER_DESTINATION_PUT_BUFFER = 0x54, "RopFastTransferDestinationPutBuffer";
        GET_NAMES_FROM_PROPERTY_IDS = 0x55, "RopGetNamesFromPropertyIds";
        GET_PROPERTY_IDS_FROM_NAMES = 0x56, "RopGetPropertyIdsFromNames";
        UPDATE_DEFERRED_ACTION_MESSAGES = 0x57, "RopUpdateDeferredActionMessages";
        EMPTY_FOLDER = 0x58, "RopEmptyFolder";
        EXPAND_ROW = 0x59, "RopExpandRow";
        COLLAPSE_ROW = 0x5A, "RopCollapseRow";
        LOCK_REGION_STREAM = 0x5B, "RopLockRegionStream";
        UNLOCK_REGION_STREAM = 0x5C, "RopUnlockRegionStream";
        COMMIT_STREAM = 0x5D, "RopCommitStream";
        GET_STREAM_SIZE = 0x5E, "RopGetStreamSize";
        QUERY_NAMED_PROPERTIES = 0x5F, "RopQueryNamedProperties";
        GET_PER_USER_LONG_TERM_IDS = 0x60, "RopGetPerUserLongTermIds";
        GET_PER_USER_GUID = 0x61, "RopGetPerUserGuid";
        READ_PER_USER_INFORMATION = 0x63, "RopReadPerUserInformation";
        WRITE_PER_USER_INFORMATION = 0x64, "RopWritePerUserInformation";
        SET_READ_FLAGS = 0x66, "RopSetReadFlags";
        COPY_PROPERTIES = 0x67, "RopCopyProperties";
        GET_RECEIVE_FOLDER_TABLE = 0x68, "RopGetReceiveFolderTable";
        FAST_TRANSFER_SOURCE_COPY_PROPERTIES = 0x69, "RopFastTransferSourceCopyProperties";
        GET_COLLAPSE_STATE = 0x6B, "RopGetCollapseState";
        SET_COLLAPSE_STATE = 0x6C, "RopSetCollapseState";
        GET_TRANSPORT_FOLDER = 0x6D, "RopGetTransportFolder";
        PENDING = 0x6E, "RopPending";
        OPTIONS_DATA = 0x6F, "RopOptionsData";
        SYNCHRONIZATION_CONFIGURE = 0x70, "RopSynchronizationConfigure";
        SYNCHRONIZATION_IMPORT_MESSAGE_CHANGE = 0x72, "RopSynchronizationImportMessageChange";
        SYNCHRONIZATION_IMPORT_HIERARCHY_CHANGE = 0x73, "RopSynchronizationImportHierarchyChange";
        SYNCHRONIZATION_IMPORT_DELETES = 0x74, "RopSynchronizationImportDeletes";
        SYNCHRONIZATION_UPLOAD_STATE_STREAM_BEGIN = 0x75, "RopSynchronizationUploadStateStreamBegin";
        SYNCHRONIZATION_UPLOAD_STATE_STREAM_CONTINUE = 0x76, "RopSynchronizationUploadStateStreamContinue";
        SYNCHRONIZATION_UPLOAD_STATE_STREAM_END = 0x77, "RopSynchronizationUploadStateStreamEnd";
        SYNCHRONIZATION_IMPORT_MESSAGE_MOVE = 0x78, "RopSynchronizationImportMessageMove";
        SET_PROPERTIES_NO_REPLICATE = 0x79, "RopSetPropertiesNoReplicate";
        DELETE_PROPERTIES_NO_REPLICATE = 0x7A, "RopDeletePropertiesNoReplicate";
        GET_STORE_STATE = 0x7B, "RopGetStoreState";
        SYNCHRONIZATION_OPEN_COLLECTOR = 0x7E, "RopSynchronizationOpenCollector";
        GET_LOCAL_REPLICA_IDS = 0x7F, "RopGetLocalReplicaIds";
        SYNCHRONIZATION_IMPORT_READ_STATE_CHANGES = 0x80, "RopSynchronizationImportReadStateChanges";
        RESET_TABLE = 0x81, "RopResetTable";
        SYNCHRONIZATION_GET_TRANSFER_STATE = 0x82, "RopSynchronizationGetTransferState";
        SYNCHRONIZATION_OPEN_ADVISOR = 0x83, "RopSynchronizationOpenAdvisor";
        REGISTER_SYNCHRONIZATION_NOTIFICATIONS = 0x84, "RopRegisterSynchronizationNotifications";
        TELL_VERSION = 0x86, "RopTellVersion";
        OPEN_PUBLIC_FOLDER_BY_NAME = 0x87, "RopOpenPublicFolderByName";
        SET_SYNCHRONIZATION_NOTIFICATION_GUID = 0x88, "RopSetSynchronizationNotificationGuid";
        FREE_BOOKMARK = 0x89, "RopFreeBookmark";
        DELETE_PUBLIC_FOLDER_BY_NAME = 0x8A, "RopDeletePublicFolderByName";
        WRITE_AND_COMMIT_STREAM = 0x90, "RopWriteAndCommitStream";
        HARD_DELETE_MESSAGES = 0x91, "RopHardDeleteMessages";
        HARD_DELETE_MESSAGES_AND_SUBFOLDERS = 0x92, "RopHardDeleteMessagesAndSubfolders";
        SET_LOCAL_REPLICA_MIDSET_DELETED = 0x93, "RopSetLocalReplicaMidsetDeleted";
        WRITE_STREAM_EXTENDED = 0xA3, "RopWriteStreamExtended";
        BACKOFF = 0xF9, "RopBackoff";
        LOGON = 0xFE, "RopLogon";
        BUFFER_TOO_SMALL = 0xFF, "RopBufferTooSmall";
    }
}

impl RopId {
    /// True for ids that exist only in responses ([MS-OXCROPS] 2.2.14–2.2.15):
    /// RopNotify, RopPending, RopBackoff and RopBufferTooSmall.
    pub fn is_response_only(self) -> bool {
        matches!(self, Self::NOTIFY | Self::PENDING | Self::BACKOFF | Self::BUFFER_TOO_SMALL)
    }

    /// True for the ROPs the server never answers ([MS-OXCROPS] 2.2.15.3 RopRelease).
    pub fn has_no_response(self) -> bool {
        self == Self::RELEASE
    }

    /// True for the ROPs that leave the store's content as it is: opening
    /// objects, reading properties, tables, streams and download streams
    /// ([MS-OXCROPS] 2.2.3–2.2.13: logon, folder, table, message, stream and
    /// FastTransfer/ICS download ROPs). Every other ROP (and any id not named
    /// here) counts as a change, so a caller that trusts a cache while
    /// nothing was written errs towards asking again.
    pub fn reads_only(self) -> bool {
        matches!(
            self,
            Self::RELEASE
                | Self::LOGON
                | Self::GET_RECEIVE_FOLDER
                | Self::GET_RECEIVE_FOLDER_TABLE
                | Self::GET_STORE_STATE
                | Self::GET_OWNING_SERVERS
                | Self::PUBLIC_FOLDER_IS_GHOSTED
                | Self::LONG_TERM_ID_FROM_ID
                | Self::ID_FROM_LONG_TERM_ID
                | Self::GET_PER_USER_LONG_TERM_IDS
                | Self::GET_PER_USER_GUID
                | Self::READ_PER_USER_INFORMATION
                | Self::GET_ADDRESS_TYPES
                | Self::GET_TRANSPORT_FOLDER
                | Self::OPTIONS_DATA
                | Self::OPEN_FOLDER
                | Self::OPEN_PUBLIC_FOLDER_BY_NAME
                | Self::GET_HIERARCHY_TABLE
                | Self::GET_CONTENTS_TABLE
                | Self::GET_SEARCH_CRITERIA
                | Self::GET_PERMISSIONS_TABLE
                | Self::GET_RULES_TABLE
                | Self::OPEN_MESSAGE
                | Self::OPEN_EMBEDDED_MESSAGE
                | Self::READ_RECIPIENTS
                | Self::RELOAD_CACHED_INFORMATION
                | Self::GET_MESSAGE_STATUS
                | Self::GET_ATTACHMENT_TABLE
                | Self::OPEN_ATTACHMENT
                | Self::GET_VALID_ATTACHMENTS
                | Self::GET_PROPERTIES_SPECIFIC
                | Self::GET_PROPERTIES_ALL
                | Self::GET_PROPERTIES_LIST
                | Self::GET_NAMES_FROM_PROPERTY_IDS
                | Self::GET_PROPERTY_IDS_FROM_NAMES
                | Self::QUERY_NAMED_PROPERTIES
                | Self::SET_COLUMNS
                | Self::SORT_TABLE
                | Self::RESTRICT
                | Self::QUERY_ROWS
                | Self::GET_STATUS
                | Self::QUERY_POSITION
                | Self::SEEK_ROW
                | Self::SEEK_ROW_BOOKMARK
                | Self::SEEK_ROW_FRACTIONAL
                | Self::CREATE_BOOKMARK
                | Self::FREE_BOOKMARK
                | Self::QUERY_COLUMNS_ALL
                | Self::FIND_ROW
                | Self::EXPAND_ROW
                | Self::COLLAPSE_ROW
                | Self::GET_COLLAPSE_STATE
                | Self::RESET_TABLE
                | Self::ABORT
                | Self::REGISTER_NOTIFICATION
                | Self::OPEN_STREAM
                | Self::READ_STREAM
                | Self::SEEK_STREAM
                | Self::GET_STREAM_SIZE
                | Self::FAST_TRANSFER_SOURCE_COPY_MESSAGES
                | Self::FAST_TRANSFER_SOURCE_COPY_FOLDER
                | Self::FAST_TRANSFER_SOURCE_COPY_TO
                | Self::FAST_TRANSFER_SOURCE_COPY_PROPERTIES
                | Self::FAST_TRANSFER_SOURCE_GET_BUFFER
                | Self::SYNCHRONIZATION_CONFIGURE
                | Self::SYNCHRONIZATION_UPLOAD_STATE_STREAM_BEGIN
                | Self::SYNCHRONIZATION_UPLOAD_STATE_STREAM_CONTINUE
                | Self::SYNCHRONIZATION_UPLOAD_STATE_STREAM_END
                | Self::SYNCHRONIZATION_GET_TRANSFER_STATE
                | Self::TELL_VERSION
        )
    }
}

/// Declares [`RopRequest`] and [`RopResponse`] with one variant per ROP and
/// their dispatch on [`RopId`]. `both` lists ROPs with a request and a
/// response (same variant name in both enums), `request_only` ROPs the server
/// never answers, `response_only` the self-contained responses.
macro_rules! rop_enums {
    (
        both { $( $(#[$bmeta:meta])* $both:ident($breq:ty, $bresp:ty), )* }
        request_only { $( $(#[$qmeta:meta])* $qonly:ident($qty:ty), )* }
        response_only { $( $(#[$smeta:meta])* $sonly:ident($sty:ty), )* }
    ) => {
        /// One ROP request of a ROP list ([MS-OXCROPS] 2.2.1); the variant names the ROP.
        #[derive(Debug, Clone, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum RopRequest {
            $( $(#[$bmeta])* $both($breq), )*
            $( $(#[$qmeta])* $qonly($qty), )*
        }

        /// One ROP response of a ROP list ([MS-OXCROPS] 2.2.1); the variant names the ROP.
        #[derive(Debug, Clone, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[non_exhaustive]
        pub enum RopResponse {
            $( $(#[$bmeta])* $both($bresp), )*
            $( $(#[$smeta])* $sonly($sty), )*
        }

        impl RopRequest {
            /// The RopId of this request.
            pub fn id(&self) -> RopId {
                match self {
                    $( Self::$both(_) => <$breq as RopRequestBody>::ID, )*
                    $( Self::$qonly(_) => <$qty as RopRequestBody>::ID, )*
                }
            }

            /// The OutputHandleIndex of a ROP that creates an object.
            pub fn output_handle_index(&self) -> Option<u8> {
                match self {
                    $( Self::$both(b) => b.output_handle_index(), )*
                    $( Self::$qonly(b) => b.output_handle_index(), )*
                }
            }

            /// LogonId ([MS-OXCROPS] 2.2.1: every request begins RopId, LogonId): the
            /// logon of the session the ROP acts in.
            pub fn logon_id(&self) -> u8 {
                match self {
                    $( Self::$both(b) => b.logon_id(), )*
                    $( Self::$qonly(b) => b.logon_id(), )*
                }
            }

            /// Sets LogonId ([`RopRequest::logon_id`]).
            pub fn set_logon_id(&mut self, id: u8) {
                match self {
                    $( Self::$both(b) => b.set_logon_id(id), )*
                    $( Self::$qonly(b) => b.set_logon_id(id), )*
                }
            }

            /// Reads one request, RopId included ([MS-OXCROPS] 2.2.1). A reserved
            /// or response-only RopId gives [`DecodeError::Unsupported`] (a server
            /// answers the whole Execute with ecRpcFormat 0x4B6).
            pub fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                let at = r.offset();
                let id = RopId(r.u8("RopId")?);
                $( if id == <$breq as RopRequestBody>::ID {
                    return Ok(Self::$both(<$breq as RopRequestBody>::decode_body(r)?));
                } )*
                $( if id == <$qty as RopRequestBody>::ID {
                    return Ok(Self::$qonly(<$qty as RopRequestBody>::decode_body(r)?));
                } )*
                Err(DecodeError::Unsupported { what: "RopId", offset: at, value: id.0.into() })
            }

            /// Writes one request, RopId included.
            pub fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
                w.push(self.id().0);
                match self {
                    $( Self::$both(b) => b.encode_body(w), )*
                    $( Self::$qonly(b) => b.encode_body(w), )*
                }
            }
        }

        impl RopResponse {
            /// The ROP this response belongs to (RopGetMessageStatus for its response,
            /// although that carries RopId 0x20 on the wire; see [`RopResponse::wire_id`]).
            pub fn id(&self) -> RopId {
                match self {
                    $( Self::$both(_) => <$bresp as RopResponseBody>::ID, )*
                    $( Self::$sonly(_) => <$sty as RopResponseBody>::ID, )*
                }
            }

            /// The RopId written on the wire.
            pub fn wire_id(&self) -> RopId {
                wire_response_id(self.id())
            }

            /// Reads one response, RopId included. With `ctx.request` the response
            /// must answer that request (RopNotify, RopPending, RopBackoff and
            /// RopBufferTooSmall excepted); without it the RopId decides (0x20 is
            /// then read as RopSetMessageStatus).
            pub fn decode(r: &mut Reader<'_>, ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
                let at = r.offset();
                let id = RopId(r.u8("RopId")?);
                if let Some(req) = ctx.request.filter(|_| !id.is_response_only()) {
                    if id != wire_response_id(req.id()) {
                        return Err(DecodeError::Invalid {
                            what: "RopId",
                            offset: at,
                            reason: "response RopId does not match its request",
                        });
                    }
                    return match req {
                        $( RopRequest::$both(_) => Ok(Self::$both(<$bresp as RopResponseBody>::decode_body(r, ctx)?)), )*
                        #[allow(unreachable_patterns)]
                        _ => Err(DecodeError::Invalid { what: "RopId", offset: at, reason: "this ROP has no response" }),
                    };
                }
                $( if id == wire_response_id(<$bresp as RopResponseBody>::ID) {
                    return Ok(Self::$both(<$bresp as RopResponseBody>::decode_body(r, ctx)?));
                } )*
                $( if id == <$sty as RopResponseBody>::ID {
                    return Ok(Self::$sonly(<$sty as RopResponseBody>::decode_body(r, ctx)?));
                } )*
                Err(DecodeError::Unsupported { what: "RopId", offset: at, value: id.0.into() })
            }

            /// Writes one response, RopId included.
            pub fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
                w.push(self.wire_id().0);
                match self {
                    $( Self::$both(b) => b.encode_body(w), )*
                    $( Self::$sonly(b) => b.encode_body(w), )*
                }
            }
        }
    };
}

/// The RopId a response carries on the wire: the request's, except RopGetMessageStatus
/// which is answered with 0x20 ([MS-OXCROPS] 2.2.6.9.2).
fn wire_response_id(id: RopId) -> RopId {
    if id == RopId::GET_MESSAGE_STATUS { RopId::SET_MESSAGE_STATUS } else { id }
}

rop_enums! {
    both {
        /// [MS-OXCROPS] 2.2.3.1 RopLogon
        Logon(LogonRequest, LogonResponse),
        /// [MS-OXCROPS] 2.2.3.2 RopGetReceiveFolder
        GetReceiveFolder(GetReceiveFolderRequest, GetReceiveFolderResponse),
        /// [MS-OXCROPS] 2.2.3.3 RopSetReceiveFolder
        SetReceiveFolder(SetReceiveFolderRequest, SetReceiveFolderResponse),
        /// [MS-OXCROPS] 2.2.3.4 RopGetReceiveFolderTable
        GetReceiveFolderTable(GetReceiveFolderTableRequest, GetReceiveFolderTableResponse),
        /// [MS-OXCROPS] 2.2.3.5 RopGetStoreState
        GetStoreState(GetStoreStateRequest, GetStoreStateResponse),
        /// [MS-OXCROPS] 2.2.3.6 RopGetOwningServers
        GetOwningServers(GetOwningServersRequest, GetOwningServersResponse),
        /// [MS-OXCROPS] 2.2.3.7 RopPublicFolderIsGhosted
        PublicFolderIsGhosted(PublicFolderIsGhostedRequest, PublicFolderIsGhostedResponse),
        /// [MS-OXCROPS] 2.2.3.8 RopLongTermIdFromId
        LongTermIdFromId(LongTermIdFromIdRequest, LongTermIdFromIdResponse),
        /// [MS-OXCROPS] 2.2.3.9 RopIdFromLongTermId
        IdFromLongTermId(IdFromLongTermIdRequest, IdFromLongTermIdResponse),
        /// [MS-OXCROPS] 2.2.3.10 RopGetPerUserLongTermIds
        GetPerUserLongTermIds(GetPerUserLongTermIdsRequest, GetPerUserLongTermIdsResponse),
        /// [MS-OXCROPS] 2.2.3.11 RopGetPerUserGuid
        GetPerUserGuid(GetPerUserGuidRequest, GetPerUserGuidResponse),
        /// [MS-OXCROPS] 2.2.3.12 RopReadPerUserInformation
        ReadPerUserInformation(ReadPerUserInformationRequest, ReadPerUserInformationResponse),
        /// [MS-OXCROPS] 2.2.3.13 RopWritePerUserInformation
        WritePerUserInformation(WritePerUserInformationRequest, WritePerUserInformationResponse),
        /// [MS-OXCROPS] 2.2.4.1 RopOpenFolder
        OpenFolder(OpenFolderRequest, OpenFolderResponse),
        /// [MS-OXCROPS] 2.2.4.2 RopCreateFolder
        CreateFolder(CreateFolderRequest, CreateFolderResponse),
        /// [MS-OXCROPS] 2.2.4.3 RopDeleteFolder
        DeleteFolder(DeleteFolderRequest, DeleteFolderResponse),
        /// [MS-OXCROPS] 2.2.4.4 RopSetSearchCriteria
        SetSearchCriteria(SetSearchCriteriaRequest, SetSearchCriteriaResponse),
        /// [MS-OXCROPS] 2.2.4.5 RopGetSearchCriteria
        GetSearchCriteria(GetSearchCriteriaRequest, GetSearchCriteriaResponse),
        /// [MS-OXCROPS] 2.2.4.6 RopMoveCopyMessages
        MoveCopyMessages(MoveCopyMessagesRequest, MoveCopyMessagesResponse),
        /// [MS-OXCROPS] 2.2.4.7 RopMoveFolder
        MoveFolder(MoveFolderRequest, MoveFolderResponse),
        /// [MS-OXCROPS] 2.2.4.8 RopCopyFolder
        CopyFolder(CopyFolderRequest, CopyFolderResponse),
        /// [MS-OXCROPS] 2.2.4.9 RopEmptyFolder
        EmptyFolder(EmptyFolderRequest, EmptyFolderResponse),
        /// [MS-OXCROPS] 2.2.4.10 RopHardDeleteMessagesAndSubfolders
        HardDeleteMessagesAndSubfolders(HardDeleteMessagesAndSubfoldersRequest, HardDeleteMessagesAndSubfoldersResponse),
        /// [MS-OXCROPS] 2.2.4.11 RopDeleteMessages
        DeleteMessages(DeleteMessagesRequest, DeleteMessagesResponse),
        /// [MS-OXCROPS] 2.2.4.12 RopHardDeleteMessages
        HardDeleteMessages(HardDeleteMessagesRequest, HardDeleteMessagesResponse),
        /// [MS-OXCROPS] 2.2.4.13 RopGetHierarchyTable
        GetHierarchyTable(GetHierarchyTableRequest, GetHierarchyTableResponse),
        /// [MS-OXCROPS] 2.2.4.14 RopGetContentsTable
        GetContentsTable(GetContentsTableRequest, GetContentsTableResponse),
        /// [MS-OXCROPS] 2.2.5.1 RopSetColumns
        SetColumns(SetColumnsRequest, SetColumnsResponse),
        /// [MS-OXCROPS] 2.2.5.2 RopSortTable
        SortTable(SortTableRequest, SortTableResponse),
        /// [MS-OXCROPS] 2.2.5.3 RopRestrict
        Restrict(RestrictRequest, RestrictResponse),
        /// [MS-OXCROPS] 2.2.5.4 RopQueryRows
        QueryRows(QueryRowsRequest, QueryRowsResponse),
        /// [MS-OXCROPS] 2.2.5.5 RopAbort
        Abort(AbortRequest, AbortResponse),
        /// [MS-OXCROPS] 2.2.5.6 RopGetStatus
        GetStatus(GetStatusRequest, GetStatusResponse),
        /// [MS-OXCROPS] 2.2.5.7 RopQueryPosition
        QueryPosition(QueryPositionRequest, QueryPositionResponse),
        /// [MS-OXCROPS] 2.2.5.8 RopSeekRow
        SeekRow(SeekRowRequest, SeekRowResponse),
        /// [MS-OXCROPS] 2.2.5.9 RopSeekRowBookmark
        SeekRowBookmark(SeekRowBookmarkRequest, SeekRowBookmarkResponse),
        /// [MS-OXCROPS] 2.2.5.10 RopSeekRowFractional
        SeekRowFractional(SeekRowFractionalRequest, SeekRowFractionalResponse),
        /// [MS-OXCROPS] 2.2.5.11 RopCreateBookmark
        CreateBookmark(CreateBookmarkRequest, CreateBookmarkResponse),
        /// [MS-OXCROPS] 2.2.5.12 RopQueryColumnsAll
        QueryColumnsAll(QueryColumnsAllRequest, QueryColumnsAllResponse),
        /// [MS-OXCROPS] 2.2.5.13 RopFindRow
        FindRow(FindRowRequest, FindRowResponse),
        /// [MS-OXCROPS] 2.2.5.14 RopFreeBookmark
        FreeBookmark(FreeBookmarkRequest, FreeBookmarkResponse),
        /// [MS-OXCROPS] 2.2.5.15 RopResetTable
        ResetTable(ResetTableRequest, ResetTableResponse),
        /// [MS-OXCROPS] 2.2.5.16 RopExpandRow
        ExpandRow(ExpandRowRequest, ExpandRowResponse),
        /// [MS-OXCROPS] 2.2.5.17 RopCollapseRow
        CollapseRow(CollapseRowRequest, CollapseRowResponse),
        /// [MS-OXCROPS] 2.2.5.18 RopGetCollapseState
        GetCollapseState(GetCollapseStateRequest, GetCollapseStateResponse),
        /// [MS-OXCROPS] 2.2.5.19 RopSetCollapseState
        SetCollapseState(SetCollapseStateRequest, SetCollapseStateResponse),
        /// [MS-OXCROPS] 2.2.6.1 RopOpenMessage
        OpenMessage(OpenMessageRequest, OpenMessageResponse),
        /// [MS-OXCROPS] 2.2.6.2 RopCreateMessage
        CreateMessage(CreateMessageRequest, CreateMessageResponse),
        /// [MS-OXCROPS] 2.2.6.3 RopSaveChangesMessage
        SaveChangesMessage(SaveChangesMessageRequest, SaveChangesMessageResponse),
        /// [MS-OXCROPS] 2.2.6.4 RopRemoveAllRecipients
        RemoveAllRecipients(RemoveAllRecipientsRequest, RemoveAllRecipientsResponse),
        /// [MS-OXCROPS] 2.2.6.5 RopModifyRecipients
        ModifyRecipients(ModifyRecipientsRequest, ModifyRecipientsResponse),
        /// [MS-OXCROPS] 2.2.6.6 RopReadRecipients
        ReadRecipients(ReadRecipientsRequest, ReadRecipientsResponse),
        /// [MS-OXCROPS] 2.2.6.7 RopReloadCachedInformation
        ReloadCachedInformation(ReloadCachedInformationRequest, ReloadCachedInformationResponse),
        /// [MS-OXCROPS] 2.2.6.8 RopSetMessageStatus
        SetMessageStatus(SetMessageStatusRequest, SetMessageStatusResponse),
        /// [MS-OXCROPS] 2.2.6.9 RopGetMessageStatus
        GetMessageStatus(GetMessageStatusRequest, GetMessageStatusResponse),
        /// [MS-OXCROPS] 2.2.6.10 RopSetReadFlags
        SetReadFlags(SetReadFlagsRequest, SetReadFlagsResponse),
        /// [MS-OXCROPS] 2.2.6.11 RopSetMessageReadFlag
        SetMessageReadFlag(SetMessageReadFlagRequest, SetMessageReadFlagResponse),
        /// [MS-OXCROPS] 2.2.6.12 RopOpenAttachment
        OpenAttachment(OpenAttachmentRequest, OpenAttachmentResponse),
        /// [MS-OXCROPS] 2.2.6.13 RopCreateAttachment
        CreateAttachment(CreateAttachmentRequest, CreateAttachmentResponse),
        /// [MS-OXCROPS] 2.2.6.14 RopDeleteAttachment
        DeleteAttachment(DeleteAttachmentRequest, DeleteAttachmentResponse),
        /// [MS-OXCROPS] 2.2.6.15 RopSaveChangesAttachment
        SaveChangesAttachment(SaveChangesAttachmentRequest, SaveChangesAttachmentResponse),
        /// [MS-OXCROPS] 2.2.6.16 RopOpenEmbeddedMessage
        OpenEmbeddedMessage(OpenEmbeddedMessageRequest, OpenEmbeddedMessageResponse),
        /// [MS-OXCROPS] 2.2.6.17 RopGetAttachmentTable
        GetAttachmentTable(GetAttachmentTableRequest, GetAttachmentTableResponse),
        /// [MS-OXCROPS] 2.2.6.18 RopGetValidAttachments
        GetValidAttachments(GetValidAttachmentsRequest, GetValidAttachmentsResponse),
        /// [MS-OXCROPS] 2.2.7.1 RopSubmitMessage
        SubmitMessage(SubmitMessageRequest, SubmitMessageResponse),
        /// [MS-OXCROPS] 2.2.7.2 RopAbortSubmit
        AbortSubmit(AbortSubmitRequest, AbortSubmitResponse),
        /// [MS-OXCROPS] 2.2.7.3 RopGetAddressTypes
        GetAddressTypes(GetAddressTypesRequest, GetAddressTypesResponse),
        /// [MS-OXCROPS] 2.2.7.4 RopSetSpooler
        SetSpooler(SetSpoolerRequest, SetSpoolerResponse),
        /// [MS-OXCROPS] 2.2.7.5 RopSpoolerLockMessage
        SpoolerLockMessage(SpoolerLockMessageRequest, SpoolerLockMessageResponse),
        /// [MS-OXCROPS] 2.2.7.6 RopTransportSend
        TransportSend(TransportSendRequest, TransportSendResponse),
        /// [MS-OXCROPS] 2.2.7.7 RopTransportNewMail
        TransportNewMail(TransportNewMailRequest, TransportNewMailResponse),
        /// [MS-OXCROPS] 2.2.7.8 RopGetTransportFolder
        GetTransportFolder(GetTransportFolderRequest, GetTransportFolderResponse),
        /// [MS-OXCROPS] 2.2.7.9 RopOptionsData
        OptionsData(OptionsDataRequest, OptionsDataResponse),
        // rop2 ROPs (property, stream, permission/rule, FastTransfer/ICS, notification).
        /// [MS-OXCROPS] 2.2.8.1 RopGetPropertyIdsFromNames
        GetPropertyIdsFromNames(GetPropertyIdsFromNamesRequest, GetPropertyIdsFromNamesResponse),
        /// [MS-OXCROPS] 2.2.8.2 RopGetNamesFromPropertyIds
        GetNamesFromPropertyIds(GetNamesFromPropertyIdsRequest, GetNamesFromPropertyIdsResponse),
        /// [MS-OXCROPS] 2.2.8.3 RopGetPropertiesSpecific
        GetPropertiesSpecific(GetPropertiesSpecificRequest, GetPropertiesSpecificResponse),
        /// [MS-OXCROPS] 2.2.8.4 RopGetPropertiesAll
        GetPropertiesAll(GetPropertiesAllRequest, GetPropertiesAllResponse),
        /// [MS-OXCROPS] 2.2.8.5 RopGetPropertiesList
        GetPropertiesList(GetPropertiesListRequest, GetPropertiesListResponse),
        /// [MS-OXCROPS] 2.2.8.6 RopSetProperties
        SetProperties(SetPropertiesRequest, SetPropertiesResponse),
        /// [MS-OXCROPS] 2.2.8.7 RopSetPropertiesNoReplicate
        SetPropertiesNoReplicate(SetPropertiesNoReplicateRequest, SetPropertiesNoReplicateResponse),
        /// [MS-OXCROPS] 2.2.8.8 RopDeleteProperties
        DeleteProperties(DeletePropertiesRequest, DeletePropertiesResponse),
        /// [MS-OXCROPS] 2.2.8.9 RopDeletePropertiesNoReplicate
        DeletePropertiesNoReplicate(DeletePropertiesNoReplicateRequest, DeletePropertiesNoReplicateResponse),
        /// [MS-OXCROPS] 2.2.8.10 RopQueryNamedProperties
        QueryNamedProperties(QueryNamedPropertiesRequest, QueryNamedPropertiesResponse),
        /// [MS-OXCROPS] 2.2.8.11 RopCopyProperties
        CopyProperties(CopyPropertiesRequest, CopyPropertiesResponse),
        /// [MS-OXCROPS] 2.2.8.12 RopCopyTo
        CopyTo(CopyToRequest, CopyToResponse),
        /// [MS-OXCROPS] 2.2.8.13 RopProgress
        Progress(ProgressRequest, ProgressResponse),
        /// [MS-OXCROPS] 2.2.9.1 RopOpenStream
        OpenStream(OpenStreamRequest, OpenStreamResponse),
        /// [MS-OXCROPS] 2.2.9.2 RopReadStream
        ReadStream(ReadStreamRequest, ReadStreamResponse),
        /// [MS-OXCROPS] 2.2.9.3 RopWriteStream
        WriteStream(WriteStreamRequest, WriteStreamResponse),
        /// [MS-OXCROPS] 2.2.9.4 RopWriteStreamExtended
        WriteStreamExtended(WriteStreamExtendedRequest, WriteStreamExtendedResponse),
        /// [MS-OXCROPS] 2.2.9.5 RopCommitStream
        CommitStream(CommitStreamRequest, CommitStreamResponse),
        /// [MS-OXCROPS] 2.2.9.6 RopGetStreamSize
        GetStreamSize(GetStreamSizeRequest, GetStreamSizeResponse),
        /// [MS-OXCROPS] 2.2.9.7 RopSetStreamSize
        SetStreamSize(SetStreamSizeRequest, SetStreamSizeResponse),
        /// [MS-OXCROPS] 2.2.9.8 RopSeekStream
        SeekStream(SeekStreamRequest, SeekStreamResponse),
        /// [MS-OXCROPS] 2.2.9.9 RopCopyToStream
        CopyToStream(CopyToStreamRequest, CopyToStreamResponse),
        /// [MS-OXCROPS] 2.2.9.10 RopLockRegionStream
        LockRegionStream(LockRegionStreamRequest, LockRegionStreamResponse),
        /// [MS-OXCROPS] 2.2.9.11 RopUnlockRegionStream
        UnlockRegionStream(UnlockRegionStreamRequest, UnlockRegionStreamResponse),
        /// [MS-OXCROPS] 2.2.9.12 RopWriteAndCommitStream
        WriteAndCommitStream(WriteAndCommitStreamRequest, WriteAndCommitStreamResponse),
        /// [MS-OXCROPS] 2.2.9.13 RopCloneStream
        CloneStream(CloneStreamRequest, CloneStreamResponse),
        /// [MS-OXCROPS] 2.2.10.1 RopModifyPermissions
        ModifyPermissions(ModifyPermissionsRequest, ModifyPermissionsResponse),
        /// [MS-OXCROPS] 2.2.10.2 RopGetPermissionsTable
        GetPermissionsTable(GetPermissionsTableRequest, GetPermissionsTableResponse),
        /// [MS-OXCROPS] 2.2.11.1 RopModifyRules
        ModifyRules(ModifyRulesRequest, ModifyRulesResponse),
        /// [MS-OXCROPS] 2.2.11.2 RopGetRulesTable
        GetRulesTable(GetRulesTableRequest, GetRulesTableResponse),
        /// [MS-OXCROPS] 2.2.11.3 RopUpdateDeferredActionMessages
        UpdateDeferredActionMessages(UpdateDeferredActionMessagesRequest, UpdateDeferredActionMessagesResponse),
        /// [MS-OXCROPS] 2.2.12.1 RopFastTransferDestinationConfigure
        FastTransferDestinationConfigure(FastTransferDestinationConfigureRequest, FastTransferDestinationConfigureResponse),
        /// [MS-OXCROPS] 2.2.12.2 RopFastTransferDestinationPutBuffer
        FastTransferDestinationPutBuffer(FastTransferDestinationPutBufferRequest, FastTransferDestinationPutBufferResponse),
        /// [MS-OXCROPS] 2.2.12.4 RopFastTransferSourceGetBuffer
        FastTransferSourceGetBuffer(FastTransferSourceGetBufferRequest, FastTransferSourceGetBufferResponse),
        /// [MS-OXCROPS] 2.2.12.5 RopFastTransferSourceCopyFolder
        FastTransferSourceCopyFolder(FastTransferSourceCopyFolderRequest, FastTransferSourceCopyFolderResponse),
        /// [MS-OXCROPS] 2.2.12.6 RopFastTransferSourceCopyMessages
        FastTransferSourceCopyMessages(FastTransferSourceCopyMessagesRequest, FastTransferSourceCopyMessagesResponse),
        /// [MS-OXCROPS] 2.2.12.7 RopFastTransferSourceCopyTo
        FastTransferSourceCopyTo(FastTransferSourceCopyToRequest, FastTransferSourceCopyToResponse),
        /// [MS-OXCROPS] 2.2.12.8 RopFastTransferSourceCopyProperties
        FastTransferSourceCopyProperties(FastTransferSourceCopyPropertiesRequest, FastTransferSourceCopyPropertiesResponse),
        /// [MS-OXCROPS] 2.2.12.9 RopTellVersion
        TellVersion(TellVersionRequest, TellVersionResponse),
        /// [MS-OXCROPS] 2.2.13.1 RopSynchronizationConfigure
        SynchronizationConfigure(SynchronizationConfigureRequest, SynchronizationConfigureResponse),
        /// [MS-OXCROPS] 2.2.13.2 RopSynchronizationImportMessageChange
        SynchronizationImportMessageChange(SynchronizationImportMessageChangeRequest, SynchronizationImportMessageChangeResponse),
        /// [MS-OXCROPS] 2.2.13.3 RopSynchronizationImportReadStateChanges
        SynchronizationImportReadStateChanges(SynchronizationImportReadStateChangesRequest, SynchronizationImportReadStateChangesResponse),
        /// [MS-OXCROPS] 2.2.13.4 RopSynchronizationImportHierarchyChange
        SynchronizationImportHierarchyChange(SynchronizationImportHierarchyChangeRequest, SynchronizationImportHierarchyChangeResponse),
        /// [MS-OXCROPS] 2.2.13.5 RopSynchronizationImportDeletes
        SynchronizationImportDeletes(SynchronizationImportDeletesRequest, SynchronizationImportDeletesResponse),
        /// [MS-OXCROPS] 2.2.13.6 RopSynchronizationImportMessageMove
        SynchronizationImportMessageMove(SynchronizationImportMessageMoveRequest, SynchronizationImportMessageMoveResponse),
        /// [MS-OXCROPS] 2.2.13.7 RopSynchronizationOpenCollector
        SynchronizationOpenCollector(SynchronizationOpenCollectorRequest, SynchronizationOpenCollectorResponse),
        /// [MS-OXCROPS] 2.2.13.8 RopSynchronizationGetTransferState
        SynchronizationGetTransferState(SynchronizationGetTransferStateRequest, SynchronizationGetTransferStateResponse),
        /// [MS-OXCROPS] 2.2.13.9 RopSynchronizationUploadStateStreamBegin
        SynchronizationUploadStateStreamBegin(SynchronizationUploadStateStreamBeginRequest, SynchronizationUploadStateStreamBeginResponse),
        /// [MS-OXCROPS] 2.2.13.10 RopSynchronizationUploadStateStreamContinue
        SynchronizationUploadStateStreamContinue(SynchronizationUploadStateStreamContinueRequest, SynchronizationUploadStateStreamContinueResponse),
        /// [MS-OXCROPS] 2.2.13.11 RopSynchronizationUploadStateStreamEnd
        SynchronizationUploadStateStreamEnd(SynchronizationUploadStateStreamEndRequest, SynchronizationUploadStateStreamEndResponse),
        /// [MS-OXCROPS] 2.2.13.12 RopSetLocalReplicaMidsetDeleted
        SetLocalReplicaMidsetDeleted(SetLocalReplicaMidsetDeletedRequest, SetLocalReplicaMidsetDeletedResponse),
        /// [MS-OXCROPS] 2.2.13.13 RopGetLocalReplicaIds
        GetLocalReplicaIds(GetLocalReplicaIdsRequest, GetLocalReplicaIdsResponse),
        /// [MS-OXCROPS] 2.2.14.1 RopRegisterNotification
        RegisterNotification(RegisterNotificationRequest, RegisterNotificationResponse),
    }
    request_only {
        /// [MS-OXCROPS] 2.2.15.3 RopRelease
        Release(ReleaseRequest),
    }
    response_only {
        /// [MS-OXCROPS] 2.2.15.1 RopBufferTooSmall
        BufferTooSmall(BufferTooSmallResponse),
        /// [MS-OXCROPS] 2.2.14.2 RopNotify
        Notify(NotifyResponse),
        /// [MS-OXCROPS] 2.2.14.3 RopPending
        Pending(PendingResponse),
        /// [MS-OXCROPS] 2.2.15.2 RopBackoff
        Backoff(BackoffResponse),
    }
}
