//! [MS-OXCROPS] 2.2.4 folder ROPs ([MS-OXCFOLD] 2.2.1).

use crate::{
    ErrorCode,
    codec::{Put, Reader},
    error::{DecodeError, EncodeError},
    ids::{FolderId, MessageId},
    restriction::Restriction,
    rop::{
        ResponseContext, RopId, RopRequestBody, RopResponseBody, ServerList,
        wire::{read_string, write_string},
    },
};

open_enum! {
    /// [MS-OXCROPS] 2.2.4.1.1 RopOpenFolder OpenModeFlags.
    pub struct FolderOpenModeFlags(u8) {
        NONE = 0x00, "None";
        OPEN_SOFT_DELETED = 0x04, "OpenSoftDeleted";
    }
}

open_enum! {
    /// [MS-OXCROPS] 2.2.4.3.1 RopDeleteFolder DeleteFolderFlags; bit flags.
    pub struct DeleteFolderFlags(u8) {
        DEL_MESSAGES = 0x01, "DEL_MESSAGES";
        DEL_FOLDERS = 0x04, "DEL_FOLDERS";
        DELETE_HARD_DELETE = 0x10, "DELETE_HARD_DELETE";
    }
}

open_enum! {
    /// [MS-OXCROPS] 2.2.4.13.1 / 2.2.4.14.1 TableFlags of RopGetHierarchyTable,
    /// RopGetContentsTable and RopGetAttachmentTable; bit flags.
    pub struct TableFlags(u8) {
        NONE = 0x00, "None";
        ASSOCIATED = 0x02, "Associated";
        DEPTH = 0x04, "Depth";
        DEFERRED_ERRORS = 0x08, "DeferredErrors";
        NO_NOTIFICATIONS = 0x10, "NoNotifications";
        SOFT_DELETES = 0x20, "SoftDeletes";
        USE_UNICODE = 0x40, "UseUnicode";
        SUPPRESS_NOTIFICATIONS = 0x80, "SuppressNotifications";
    }
}

open_enum! {
    /// [MS-OXCROPS] 2.2.4.2.1 RopCreateFolder FolderType.
    pub struct FolderType(u8) {
        GENERIC = 0x01, "Generic";
        SEARCH = 0x02, "Search";
    }
}

wire_newtype! {
    FolderOpenModeFlags => u8;
    DeleteFolderFlags => u8;
    TableFlags => u8;
    FolderType => u8;
}

rop_flags!(DeleteFolderFlags, TableFlags);

rop_request! {
    /// [MS-OXCROPS] 2.2.4.1.1 RopOpenFolder request.
    pub struct OpenFolderRequest = OPEN_FOLDER {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the logon or a folder).
        pub input_handle_index: u8,
        /// OutputHandleIndex (the new folder object).
        pub output_handle_index: u8,
        /// FolderId.
        pub folder_id: FolderId,
        /// OpenModeFlags.
        pub open_mode_flags: FolderOpenModeFlags,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.4.1.2 RopOpenFolder success fields (also the existing-folder part of RopCreateFolder).
    pub struct OpenFolderSuccess {
        /// HasRules.
        pub has_rules: bool,
        /// IsGhosted, with the replica servers when ghosted (public folders only).
        pub ghost: Option<ServerList>,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.4.1.2 RopOpenFolder response; `handle_index` is the OutputHandleIndex.
    pub struct OpenFolderResponse = OPEN_FOLDER, success OpenFolderSuccess;
}

/// [MS-OXCROPS] 2.2.4.2.1 RopCreateFolder request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CreateFolderRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (the parent folder).
    pub input_handle_index: u8,
    /// OutputHandleIndex (the new folder).
    pub output_handle_index: u8,
    /// FolderType.
    pub folder_type: FolderType,
    /// UseUnicodeStrings: DisplayName and Comment are UTF-16 (else 8-bit).
    pub use_unicode: bool,
    /// OpenExisting: open a folder of that name instead of failing with ecDuplicateName.
    pub open_existing: bool,
    /// Reserved (0).
    pub reserved: u8,
    /// DisplayName.
    pub display_name: String,
    /// Comment.
    pub comment: String,
}

impl RopRequestBody for CreateFolderRequest {
    const ID: RopId = RopId::CREATE_FOLDER;
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let logon_id = r.u8("LogonId")?;
        let input_handle_index = r.u8("InputHandleIndex")?;
        let output_handle_index = r.u8("OutputHandleIndex")?;
        let folder_type = FolderType(r.u8("FolderType")?);
        let use_unicode = r.u8("UseUnicodeStrings")? != 0;
        let open_existing = r.u8("OpenExisting")? != 0;
        let reserved = r.u8("Reserved")?;
        let display_name = read_string(r, use_unicode, "DisplayName")?;
        let comment = read_string(r, use_unicode, "Comment")?;
        Ok(Self {
            logon_id,
            input_handle_index,
            output_handle_index,
            folder_type,
            use_unicode,
            open_existing,
            reserved,
            display_name,
            comment,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        w.put_u8(self.output_handle_index);
        w.put_u8(self.folder_type.0);
        w.put_u8(u8::from(self.use_unicode));
        w.put_u8(u8::from(self.open_existing));
        w.put_u8(self.reserved);
        write_string(w, &self.display_name, self.use_unicode, "DisplayName")?;
        write_string(w, &self.comment, self.use_unicode, "Comment")
    }
    fn output_handle_index(&self) -> Option<u8> {
        Some(self.output_handle_index)
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.4.2.2 RopCreateFolder success fields.
    pub struct CreateFolderSuccess {
        /// FolderId of the new (or existing) folder.
        pub folder_id: FolderId,
        /// IsExistingFolder, with HasRules/IsGhosted when an existing folder was opened.
        pub existing: Option<OpenFolderSuccess>,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.4.2.2 RopCreateFolder response; `handle_index` is the OutputHandleIndex.
    pub struct CreateFolderResponse = CREATE_FOLDER, success CreateFolderSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.4.3.1 RopDeleteFolder request.
    pub struct DeleteFolderRequest = DELETE_FOLDER {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the parent folder).
        pub input_handle_index: u8,
        /// DeleteFolderFlags.
        pub flags: DeleteFolderFlags,
        /// FolderId of the folder to delete.
        pub folder_id: FolderId,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.4.3.2 RopDeleteFolder response: PartialCompletion also on failure.
    pub struct DeleteFolderResponse = DELETE_FOLDER, partial_completion;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.4.4.1 RopSetSearchCriteria request.
    pub struct SetSearchCriteriaRequest = SET_SEARCH_CRITERIA {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the search folder).
        pub input_handle_index: u8,
        /// RestrictionDataSize u16 + RestrictionData ([MS-OXCDATA] 2.12); None (size 0) keeps the current one.
        pub restriction: Option<Restriction>,
        /// FolderIds to search (count u16).
        pub folder_ids: Vec<FolderId>,
        /// SearchFlags.
        pub search_flags: u32,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.4.4.2 RopSetSearchCriteria response (header only).
    pub struct SetSearchCriteriaResponse = SET_SEARCH_CRITERIA;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.4.5.1 RopGetSearchCriteria request.
    pub struct GetSearchCriteriaRequest = GET_SEARCH_CRITERIA {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the search folder).
        pub input_handle_index: u8,
        /// UseUnicode.
        pub use_unicode: bool,
        /// IncludeRestriction.
        pub include_restriction: bool,
        /// IncludeFolders.
        pub include_folders: bool,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.4.5.2 RopGetSearchCriteria success fields.
    pub struct GetSearchCriteriaSuccess {
        /// RestrictionDataSize u16 + RestrictionData; None when not included.
        pub restriction: Option<Restriction>,
        /// LogonId.
        pub logon_id: u8,
        /// FolderIds (count u16).
        pub folder_ids: Vec<FolderId>,
        /// SearchFlags.
        pub search_flags: u32,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.4.5.2 RopGetSearchCriteria response.
    pub struct GetSearchCriteriaResponse = GET_SEARCH_CRITERIA, success GetSearchCriteriaSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.4.6.1 RopMoveCopyMessages request (Source then Dest handle index).
    pub struct MoveCopyMessagesRequest = MOVE_COPY_MESSAGES {
        /// LogonId.
        pub logon_id: u8,
        /// SourceHandleIndex (source folder).
        pub source_handle_index: u8,
        /// DestHandleIndex (destination folder).
        pub dest_handle_index: u8,
        /// MessageIds (count u16).
        pub message_ids: Vec<MessageId>,
        /// WantAsynchronous.
        pub want_asynchronous: bool,
        /// WantCopy (false = move).
        pub want_copy: bool,
    }
}

/// [MS-OXCROPS] 2.2.4.6.2 / 2.2.4.7.2 / 2.2.4.8.2 the response of RopMoveCopyMessages,
/// RopMoveFolder and RopCopyFolder: `[DestHandleIndex u32 if ecDstNullObject] PartialCompletion u8`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MoveCopyResponse<const ID: u8> {
    /// SourceHandleIndex.
    pub handle_index: u8,
    /// ReturnValue.
    pub return_value: ErrorCode,
    /// DestHandleIndex, present exactly when ReturnValue is ecDstNullObject 0x503.
    pub dest_handle_index: Option<u32>,
    /// PartialCompletion (present whatever the ReturnValue).
    pub partial_completion: bool,
}

/// [MS-OXCROPS] 2.2.4.6.2 RopMoveCopyMessages response.
pub type MoveCopyMessagesResponse = MoveCopyResponse<0x33>;
/// [MS-OXCROPS] 2.2.4.7.2 RopMoveFolder response.
pub type MoveFolderResponse = MoveCopyResponse<0x35>;
/// [MS-OXCROPS] 2.2.4.8.2 RopCopyFolder response.
pub type CopyFolderResponse = MoveCopyResponse<0x36>;

impl<const ID: u8> RopResponseBody for MoveCopyResponse<ID> {
    const ID: RopId = RopId(ID);
    fn decode_body(r: &mut Reader<'_>, _ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let handle_index = r.u8("SourceHandleIndex")?;
        let return_value = ErrorCode(r.u32("ReturnValue")?);
        let dest_handle_index =
            if return_value == ErrorCode::DST_NULL_OBJECT { Some(r.u32("DestHandleIndex")?) } else { None };
        let partial_completion = r.u8("PartialCompletion")? != 0;
        Ok(Self { handle_index, return_value, dest_handle_index, partial_completion })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.handle_index);
        w.put_u32(self.return_value.0);
        if let Some(d) = self.dest_handle_index {
            w.put_u32(d);
        }
        w.put_u8(u8::from(self.partial_completion));
        Ok(())
    }
}

/// [MS-OXCROPS] 2.2.4.7.1 RopMoveFolder and 2.2.4.8.1 RopCopyFolder request (Source then Dest).
/// `want_recursive` is Some exactly for RopCopyFolder.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MoveCopyFolderRequest<const ID: u8> {
    /// LogonId.
    pub logon_id: u8,
    /// SourceHandleIndex (current parent).
    pub source_handle_index: u8,
    /// DestHandleIndex (new parent).
    pub dest_handle_index: u8,
    /// WantAsynchronous.
    pub want_asynchronous: bool,
    /// WantRecursive (RopCopyFolder only).
    pub want_recursive: bool,
    /// UseUnicode: NewFolderName is UTF-16 (else 8-bit).
    pub use_unicode: bool,
    /// FolderId of the folder to move or copy.
    pub folder_id: FolderId,
    /// NewFolderName.
    pub new_folder_name: String,
}

/// [MS-OXCROPS] 2.2.4.7.1 RopMoveFolder request (`want_recursive` is not on the wire and must be false).
pub type MoveFolderRequest = MoveCopyFolderRequest<0x35>;
/// [MS-OXCROPS] 2.2.4.8.1 RopCopyFolder request.
pub type CopyFolderRequest = MoveCopyFolderRequest<0x36>;

impl<const ID: u8> RopRequestBody for MoveCopyFolderRequest<ID> {
    const ID: RopId = RopId(ID);
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let logon_id = r.u8("LogonId")?;
        let source_handle_index = r.u8("SourceHandleIndex")?;
        let dest_handle_index = r.u8("DestHandleIndex")?;
        let want_asynchronous = r.u8("WantAsynchronous")? != 0;
        let want_recursive = if ID == RopId::COPY_FOLDER.0 { r.u8("WantRecursive")? != 0 } else { false };
        let use_unicode = r.u8("UseUnicode")? != 0;
        let folder_id = FolderId(r.u64("FolderId")?);
        let new_folder_name = read_string(r, use_unicode, "NewFolderName")?;
        Ok(Self {
            logon_id,
            source_handle_index,
            dest_handle_index,
            want_asynchronous,
            want_recursive,
            use_unicode,
            folder_id,
            new_folder_name,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.source_handle_index);
        w.put_u8(self.dest_handle_index);
        w.put_u8(u8::from(self.want_asynchronous));
        if ID == RopId::COPY_FOLDER.0 {
            w.put_u8(u8::from(self.want_recursive));
        } else if self.want_recursive {
            return Err(EncodeError::NotRepresentable {
                what: "WantRecursive",
                reason: "RopMoveFolder has no WantRecursive field",
            });
        }
        w.put_u8(u8::from(self.use_unicode));
        w.put_u64(self.folder_id.0);
        write_string(w, &self.new_folder_name, self.use_unicode, "NewFolderName")
    }
}

rop_request! {
    /// [MS-OXCROPS] 2.2.4.9.1 RopEmptyFolder request.
    pub struct EmptyFolderRequest = EMPTY_FOLDER {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the folder).
        pub input_handle_index: u8,
        /// WantAsynchronous.
        pub want_asynchronous: bool,
        /// WantDeleteAssociated (also delete FAI messages).
        pub want_delete_associated: bool,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.4.9.2 RopEmptyFolder response: PartialCompletion also on failure.
    pub struct EmptyFolderResponse = EMPTY_FOLDER, partial_completion;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.4.10.1 RopHardDeleteMessagesAndSubfolders request.
    pub struct HardDeleteMessagesAndSubfoldersRequest = HARD_DELETE_MESSAGES_AND_SUBFOLDERS {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the folder).
        pub input_handle_index: u8,
        /// WantAsynchronous.
        pub want_asynchronous: bool,
        /// WantDeleteAssociated.
        pub want_delete_associated: bool,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.4.10.2 RopHardDeleteMessagesAndSubfolders response: PartialCompletion also on failure.
    pub struct HardDeleteMessagesAndSubfoldersResponse = HARD_DELETE_MESSAGES_AND_SUBFOLDERS, partial_completion;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.4.11.1 RopDeleteMessages request (soft delete).
    pub struct DeleteMessagesRequest = DELETE_MESSAGES {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the folder).
        pub input_handle_index: u8,
        /// WantAsynchronous.
        pub want_asynchronous: bool,
        /// NotifyNonRead: send non-read receipts.
        pub notify_non_read: bool,
        /// MessageIds (count u16).
        pub message_ids: Vec<MessageId>,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.4.11.2 RopDeleteMessages response: PartialCompletion also on failure.
    pub struct DeleteMessagesResponse = DELETE_MESSAGES, partial_completion;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.4.12.1 RopHardDeleteMessages request.
    pub struct HardDeleteMessagesRequest = HARD_DELETE_MESSAGES {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the folder).
        pub input_handle_index: u8,
        /// WantAsynchronous.
        pub want_asynchronous: bool,
        /// NotifyNonRead.
        pub notify_non_read: bool,
        /// MessageIds (count u16).
        pub message_ids: Vec<MessageId>,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.4.12.2 RopHardDeleteMessages response: PartialCompletion also on failure.
    pub struct HardDeleteMessagesResponse = HARD_DELETE_MESSAGES, partial_completion;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.4.13.1 RopGetHierarchyTable request.
    pub struct GetHierarchyTableRequest = GET_HIERARCHY_TABLE {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the folder).
        pub input_handle_index: u8,
        /// OutputHandleIndex (the table).
        pub output_handle_index: u8,
        /// TableFlags (Depth lists all descendants).
        pub table_flags: TableFlags,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.4.13.2 / 2.2.4.14.2 success fields of RopGetHierarchyTable and RopGetContentsTable.
    pub struct TableRowCount {
        /// RowCount.
        pub row_count: u32,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.4.13.2 RopGetHierarchyTable response; `handle_index` is the OutputHandleIndex.
    pub struct GetHierarchyTableResponse = GET_HIERARCHY_TABLE, success TableRowCount;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.4.14.1 RopGetContentsTable request.
    pub struct GetContentsTableRequest = GET_CONTENTS_TABLE {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the folder).
        pub input_handle_index: u8,
        /// OutputHandleIndex (the table).
        pub output_handle_index: u8,
        /// TableFlags (Associated = FAI only).
        pub table_flags: TableFlags,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.4.14.2 RopGetContentsTable response; `handle_index` is the OutputHandleIndex.
    pub struct GetContentsTableResponse = GET_CONTENTS_TABLE, success TableRowCount;
}
