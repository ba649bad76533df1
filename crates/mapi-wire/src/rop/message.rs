//! [MS-OXCROPS] 2.2.6 message ROPs ([MS-OXCMSG] 2.2.3).

use crate::{
    ErrorCode, PropTag,
    codec::{Put, Reader},
    error::{DecodeError, EncodeError},
    ids::{FolderId, LongTermId, MessageId},
    recipient::RecipientRow,
    rop::{
        ResponseContext, RopId, RopRequest, RopRequestBody, RopResponseBody,
        wire::{Wire, latin1_to_string, put_latin1z},
    },
};

open_enum! {
    /// [MS-OXCROPS] 2.2.6.1.1 RopOpenMessage OpenModeFlags (also RopOpenEmbeddedMessage).
    pub struct MessageOpenModeFlags(u8) {
        READ_ONLY = 0x00, "ReadOnly";
        READ_WRITE = 0x01, "ReadWrite";
        CREATE = 0x02, "Create";
        BEST_ACCESS = 0x03, "BestAccess";
        OPEN_SOFT_DELETED = 0x04, "OpenSoftDeleted";
    }
}

open_enum! {
    /// [MS-OXCROPS] 2.2.6.3.1 RopSaveChangesMessage SaveFlags (also RopSaveChangesAttachment).
    pub struct SaveFlags(u8) {
        KEEP_OPEN_READ_ONLY = 0x01, "KeepOpenReadOnly";
        KEEP_OPEN_READ_WRITE = 0x02, "KeepOpenReadWrite";
        FORCE_SAVE = 0x04, "ForceSave";
    }
}

open_enum! {
    /// [MS-OXCMSG] 2.2.3.10.1 ReadFlags of RopSetReadFlags and RopSetMessageReadFlag; bit flags.
    pub struct ReadFlags(u8) {
        DEFAULT = 0x00, "rfDefault";
        SUPPRESS_RECEIPT = 0x01, "rfSuppressReceipt";
        CLEAR_READ_FLAG = 0x04, "rfClearReadFlag";
        GENERATE_RECEIPT_ONLY = 0x10, "rfGenerateReceiptOnly";
        CLEAR_NOTIFY_READ = 0x20, "rfClearNotifyRead";
        CLEAR_NOTIFY_UNREAD = 0x40, "rfClearNotifyUnread";
    }
}

open_enum! {
    /// [MS-OXCROPS] 2.2.6.5.1 RecipientType of recipient rows (low bits; 0x10 resend, 0x80 sent).
    pub struct RecipientType(u8) {
        ORIGINATOR = 0x00, "Originator";
        TO = 0x01, "To";
        CC = 0x02, "Cc";
        BCC = 0x03, "Bcc";
    }
}

wire_newtype! {
    MessageOpenModeFlags => u8;
    SaveFlags => u8;
    ReadFlags => u8;
    RecipientType => u8;
}

rop_flags!(SaveFlags, ReadFlags);

/// [MS-OXCDATA] 2.11.7 TypedString ([MS-OXCROPS] 2.2.6.1.2 SubjectPrefix/NormalizedSubject):
/// `StringType u8` then the string.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum TypedString {
    /// 0x00: no string.
    Absent,
    /// 0x01: the empty string (no bytes follow).
    Empty,
    /// 0x02: an 8-bit string in the logon's code page (bytes without the NUL).
    String8(Vec<u8>),
    /// 0x03: "reduced Unicode": 8-bit NUL-terminated chars that are code points below U+0100.
    ReducedUnicode(String),
    /// 0x04: UTF-16LE, NUL-terminated.
    Unicode(String),
}

impl TypedString {
    /// The string as text (8-bit strings are read as Latin-1), or None when absent.
    pub fn text(&self) -> Option<String> {
        match self {
            Self::Absent => None,
            Self::Empty => Some(String::new()),
            Self::String8(b) => Some(latin1_to_string(b)),
            Self::ReducedUnicode(s) | Self::Unicode(s) => Some(s.clone()),
        }
    }
}

impl Wire for TypedString {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        let at = r.offset();
        match r.u8(what)? {
            0 => Ok(Self::Absent),
            1 => Ok(Self::Empty),
            2 => Ok(Self::String8(r.asciiz(what)?.to_vec())),
            3 => Ok(Self::ReducedUnicode(latin1_to_string(r.asciiz(what)?))),
            4 => Ok(Self::Unicode(r.utf16z(what)?)),
            _ => Err(DecodeError::Invalid { what, offset: at, reason: "StringType is not 0..=4" }),
        }
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Self::Absent => w.put_u8(0),
            Self::Empty => w.put_u8(1),
            Self::String8(b) => {
                if b.contains(&0) {
                    return Err(EncodeError::NotRepresentable { what: "TypedString", reason: "contains NUL" });
                }
                w.put_u8(2);
                w.put_asciiz(b);
            }
            Self::ReducedUnicode(s) => {
                w.put_u8(3);
                put_latin1z(w, s, "TypedString")?;
            }
            Self::Unicode(s) => {
                if s.contains('\0') {
                    return Err(EncodeError::NotRepresentable { what: "TypedString", reason: "contains NUL" });
                }
                w.put_u8(4);
                w.put_utf16z(s);
            }
        }
        Ok(())
    }
}

/// A `RecipientRowSize u16` + RecipientRow ([MS-OXCDATA] 2.8.3) kept as its exact bytes;
/// decode it with the recipient columns of the message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RecipientRowBytes(pub Vec<u8>);

impl RecipientRowBytes {
    /// Parses the RecipientRow ([MS-OXCDATA] 2.8.3) with the message's recipient columns;
    /// None for an empty row (RopModifyRecipients: delete the recipient).
    pub fn parse(&self, columns: &[PropTag]) -> Result<Option<RecipientRow>, DecodeError> {
        if self.0.is_empty() {
            return Ok(None);
        }
        let mut r = Reader::new(&self.0);
        let row = RecipientRow::decode_with(&mut r, columns)?;
        r.expect_end("RecipientRow")?;
        Ok(Some(row))
    }

    /// Encodes `row` in `columns` (None gives the empty row that deletes a recipient).
    pub fn from_row(row: Option<&RecipientRow>, columns: &[PropTag]) -> Result<Self, EncodeError> {
        let mut w = Vec::new();
        if let Some(row) = row {
            row.encode_with(&mut w, columns)?;
        }
        Ok(Self(w))
    }
}

impl Wire for RecipientRowBytes {
    const MIN_SIZE: usize = 2;
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        let n = usize::from(r.u16(what)?);
        Ok(Self(r.bytes(n, what)?.to_vec()))
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u16(crate::codec::len_u16(self.0.len(), "RecipientRowSize")?);
        w.put_bytes(&self.0);
        Ok(())
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.6.1.2.1 OpenRecipientRow.
    pub struct OpenRecipientRow {
        /// RecipientType.
        pub recipient_type: RecipientType,
        /// CodePageId.
        pub code_page_id: u16,
        /// Reserved (0).
        pub reserved: u16,
        /// RecipientRow (size u16 + bytes).
        pub row: RecipientRowBytes,
    }
}

/// `RowCount u8` + that many OpenRecipientRows.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct OpenRecipientRows(pub Vec<OpenRecipientRow>);

impl Wire for OpenRecipientRows {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        let n = usize::from(r.u8(what)?);
        let n = r.count(n, 7, what)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(OpenRecipientRow::read(r, what)?);
        }
        Ok(Self(out))
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = u8::try_from(self.0.len()).map_err(|_| EncodeError::TooLong {
            what: "RowCount",
            len: self.0.len(),
            max: 255,
        })?;
        w.put_u8(n);
        for row in &self.0 {
            row.write(w)?;
        }
        Ok(())
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.6.1.2 the message part of RopOpenMessage, RopReloadCachedInformation
    /// and RopOpenEmbeddedMessage responses.
    pub struct MessageInfo {
        /// HasNamedProperties.
        pub has_named_properties: bool,
        /// SubjectPrefix.
        pub subject_prefix: TypedString,
        /// NormalizedSubject.
        pub normalized_subject: TypedString,
        /// RecipientCount: all recipients (may exceed the rows returned here).
        pub recipient_count: u16,
        /// RecipientColumns (count u16): the columns of every RecipientRow.
        pub recipient_columns: Vec<PropTag>,
        /// RecipientRows (count u8).
        pub rows: OpenRecipientRows,
    }
}

impl MessageInfo {
    /// The recipients of the returned rows, parsed with `recipient_columns`.
    pub fn recipients(&self) -> Result<Vec<(RecipientType, RecipientRow)>, DecodeError> {
        let mut out = Vec::with_capacity(self.rows.0.len());
        for row in &self.rows.0 {
            if let Some(parsed) = row.row.parse(&self.recipient_columns)? {
                out.push((row.recipient_type, parsed));
            }
        }
        Ok(out)
    }
}

rop_request! {
    /// [MS-OXCROPS] 2.2.6.1.1 RopOpenMessage request.
    pub struct OpenMessageRequest = OPEN_MESSAGE {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (a folder or the logon).
        pub input_handle_index: u8,
        /// OutputHandleIndex (the message).
        pub output_handle_index: u8,
        /// CodePageId (0x0FFF = the logon's code page).
        pub code_page_id: u16,
        /// FolderId.
        pub folder_id: FolderId,
        /// OpenModeFlags.
        pub open_mode_flags: MessageOpenModeFlags,
        /// MessageId.
        pub message_id: MessageId,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.6.1.2 RopOpenMessage response; `handle_index` is the OutputHandleIndex.
    pub struct OpenMessageResponse = OPEN_MESSAGE, success MessageInfo;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.6.2.1 RopCreateMessage request.
    pub struct CreateMessageRequest = CREATE_MESSAGE {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (a folder or the logon).
        pub input_handle_index: u8,
        /// OutputHandleIndex (the new message).
        pub output_handle_index: u8,
        /// CodePageId.
        pub code_page_id: u16,
        /// FolderId of the folder the message is created in.
        pub folder_id: FolderId,
        /// AssociatedFlag: create an FAI message.
        pub associated: bool,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.6.2.2 RopCreateMessage success fields.
    pub struct CreateMessageSuccess {
        /// HasMessageId, with the MessageId when present.
        pub message_id: Option<MessageId>,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.6.2.2 RopCreateMessage response; `handle_index` is the OutputHandleIndex.
    pub struct CreateMessageResponse = CREATE_MESSAGE, success CreateMessageSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.6.3.1 RopSaveChangesMessage request (ResponseHandleIndex first).
    pub struct SaveChangesMessageRequest = SAVE_CHANGES_MESSAGE {
        /// LogonId.
        pub logon_id: u8,
        /// ResponseHandleIndex: the index the response names.
        pub response_handle_index: u8,
        /// InputHandleIndex (the message).
        pub input_handle_index: u8,
        /// SaveFlags.
        pub save_flags: SaveFlags,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.6.3.2 RopSaveChangesMessage success fields.
    pub struct SaveChangesMessageSuccess {
        /// InputHandleIndex (echoed).
        pub input_handle_index: u8,
        /// MessageId of the saved message.
        pub message_id: MessageId,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.6.3.2 RopSaveChangesMessage response; `handle_index` is the ResponseHandleIndex.
    pub struct SaveChangesMessageResponse = SAVE_CHANGES_MESSAGE, success SaveChangesMessageSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.6.4.1 RopRemoveAllRecipients request.
    pub struct RemoveAllRecipientsRequest = REMOVE_ALL_RECIPIENTS {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the message).
        pub input_handle_index: u8,
        /// Reserved (0).
        pub reserved: u32,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.6.4.2 RopRemoveAllRecipients response (header only).
    pub struct RemoveAllRecipientsResponse = REMOVE_ALL_RECIPIENTS;
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.6.5.1.1 ModifyRecipientRow (an empty row deletes recipient `row_id`).
    pub struct ModifyRecipientRow {
        /// RowId.
        pub row_id: u32,
        /// RecipientType.
        pub recipient_type: RecipientType,
        /// RecipientRow (size u16 + bytes; size 0 deletes).
        pub row: RecipientRowBytes,
    }
}

rop_request! {
    /// [MS-OXCROPS] 2.2.6.5.1 RopModifyRecipients request.
    pub struct ModifyRecipientsRequest = MODIFY_RECIPIENTS {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the message).
        pub input_handle_index: u8,
        /// RecipientColumns (count u16); gromox refuses RecipientType, DisplayName, EmailAddress,
        /// AddressType here (corrections A16).
        pub recipient_columns: Vec<PropTag>,
        /// RecipientRows (count u16).
        pub rows: Vec<ModifyRecipientRow>,
    }
}

impl ModifyRecipientsRequest {
    /// Builds the request from parsed rows: (RowId, RecipientType, row or None to delete).
    pub fn from_rows(
        logon_id: u8,
        input_handle_index: u8,
        recipient_columns: Vec<PropTag>,
        rows: &[(u32, RecipientType, Option<RecipientRow>)],
    ) -> Result<Self, EncodeError> {
        let mut out = Vec::with_capacity(rows.len());
        for (row_id, recipient_type, row) in rows {
            out.push(ModifyRecipientRow {
                row_id: *row_id,
                recipient_type: *recipient_type,
                row: RecipientRowBytes::from_row(row.as_ref(), &recipient_columns)?,
            });
        }
        Ok(Self { logon_id, input_handle_index, recipient_columns, rows: out })
    }

    /// The rows parsed with `recipient_columns`: (RowId, RecipientType, row or None = delete).
    pub fn recipients(&self) -> Result<Vec<(u32, RecipientType, Option<RecipientRow>)>, DecodeError> {
        let mut out = Vec::with_capacity(self.rows.len());
        for row in &self.rows {
            out.push((row.row_id, row.recipient_type, row.row.parse(&self.recipient_columns)?));
        }
        Ok(out)
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.6.5.2 RopModifyRecipients response (header only).
    pub struct ModifyRecipientsResponse = MODIFY_RECIPIENTS;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.6.6.1 RopReadRecipients request.
    pub struct ReadRecipientsRequest = READ_RECIPIENTS {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the message).
        pub input_handle_index: u8,
        /// RowId of the first row to read.
        pub row_id: u32,
        /// Reserved (0).
        pub reserved: u16,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.6.6.2.1 ReadRecipientRow.
    pub struct ReadRecipientRow {
        /// RowId.
        pub row_id: u32,
        /// RecipientType.
        pub recipient_type: RecipientType,
        /// CodePageId.
        pub code_page_id: u16,
        /// Reserved (0).
        pub reserved: u16,
        /// RecipientRow (size u16 + bytes).
        pub row: RecipientRowBytes,
    }
}

/// `RowCount u8` + that many ReadRecipientRows.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReadRecipientRows(pub Vec<ReadRecipientRow>);

impl Wire for ReadRecipientRows {
    fn read(r: &mut Reader<'_>, what: &'static str) -> Result<Self, DecodeError> {
        let n = usize::from(r.u8(what)?);
        let n = r.count(n, 11, what)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(ReadRecipientRow::read(r, what)?);
        }
        Ok(Self(out))
    }
    fn write(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        let n = u8::try_from(self.0.len()).map_err(|_| EncodeError::TooLong {
            what: "RowCount",
            len: self.0.len(),
            max: 255,
        })?;
        w.put_u8(n);
        for row in &self.0 {
            row.write(w)?;
        }
        Ok(())
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.6.6.2 RopReadRecipients success fields.
    pub struct ReadRecipientsSuccess {
        /// RecipientRows (count u8).
        pub rows: ReadRecipientRows,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.6.6.2 RopReadRecipients response.
    pub struct ReadRecipientsResponse = READ_RECIPIENTS, success ReadRecipientsSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.6.7.1 RopReloadCachedInformation request.
    pub struct ReloadCachedInformationRequest = RELOAD_CACHED_INFORMATION {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the message).
        pub input_handle_index: u8,
        /// Reserved (0).
        pub reserved: u16,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.6.7.2 RopReloadCachedInformation response (same fields as RopOpenMessage).
    pub struct ReloadCachedInformationResponse = RELOAD_CACHED_INFORMATION, success MessageInfo;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.6.8.1 RopSetMessageStatus request.
    pub struct SetMessageStatusRequest = SET_MESSAGE_STATUS {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the folder).
        pub input_handle_index: u8,
        /// MessageId.
        pub message_id: MessageId,
        /// MessageStatusFlags.
        pub message_status_flags: u32,
        /// MessageStatusMask: the bits to change.
        pub message_status_mask: u32,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.6.8.2 success fields of RopSetMessageStatus and RopGetMessageStatus.
    pub struct MessageStatusSuccess {
        /// MessageStatusFlags (the previous flags for RopSetMessageStatus).
        pub message_status_flags: u32,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.6.8.2 RopSetMessageStatus response.
    pub struct SetMessageStatusResponse = SET_MESSAGE_STATUS, success MessageStatusSuccess;
}

rop_request! {
    /// [MS-OXCROPS] 2.2.6.9.1 RopGetMessageStatus request.
    pub struct GetMessageStatusRequest = GET_MESSAGE_STATUS {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the folder).
        pub input_handle_index: u8,
        /// MessageId.
        pub message_id: MessageId,
    }
}

/// [MS-OXCROPS] 2.2.6.9.2 RopGetMessageStatus response. On the wire its RopId
/// is 0x20 (RopSetMessageStatus), so the dispatcher needs the request to tell them apart.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GetMessageStatusResponse {
    /// InputHandleIndex.
    pub handle_index: u8,
    /// ReturnValue.
    pub return_value: ErrorCode,
    /// The success fields, present exactly when `return_value` is 0.
    pub success: Option<MessageStatusSuccess>,
}

impl RopResponseBody for GetMessageStatusResponse {
    const ID: RopId = RopId::GET_MESSAGE_STATUS;
    fn decode_body(r: &mut Reader<'_>, ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let s = SetMessageStatusResponse::decode_body(r, ctx)?;
        Ok(Self { handle_index: s.handle_index, return_value: s.return_value, success: s.success })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        SetMessageStatusResponse {
            handle_index: self.handle_index,
            return_value: self.return_value,
            success: self.success.clone(),
        }
        .encode_body(w)
    }
}

rop_request! {
    /// [MS-OXCROPS] 2.2.6.10.1 RopSetReadFlags request (on a folder).
    pub struct SetReadFlagsRequest = SET_READ_FLAGS {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the folder).
        pub input_handle_index: u8,
        /// WantAsynchronous.
        pub want_asynchronous: bool,
        /// ReadFlags.
        pub read_flags: ReadFlags,
        /// MessageIds (count u16).
        pub message_ids: Vec<MessageId>,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.6.10.2 RopSetReadFlags response: PartialCompletion also on failure
    /// (unverified; gromox answers an unknown MID with success, corrections B14).
    pub struct SetReadFlagsResponse = SET_READ_FLAGS, partial_completion;
}

/// [MS-OXCROPS] 2.2.6.11.1 RopSetMessageReadFlag request (ResponseHandleIndex first).
///
/// ClientData is present only on public-folder logons; a request alone does not
/// say which logon it is, so the decoder assumes a private logon (no ClientData).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SetMessageReadFlagRequest {
    /// LogonId.
    pub logon_id: u8,
    /// ResponseHandleIndex.
    pub response_handle_index: u8,
    /// InputHandleIndex (the message).
    pub input_handle_index: u8,
    /// ReadFlags.
    pub read_flags: ReadFlags,
    /// ClientData (public folders only).
    pub client_data: Option<LongTermId>,
}

impl RopRequestBody for SetMessageReadFlagRequest {
    const ID: RopId = RopId::SET_MESSAGE_READ_FLAG;
    fn logon_id(&self) -> u8 {
        self.logon_id
    }
    fn set_logon_id(&mut self, id: u8) {
        self.logon_id = id;
    }
    fn decode_body(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            logon_id: r.u8("LogonId")?,
            response_handle_index: r.u8("ResponseHandleIndex")?,
            input_handle_index: r.u8("InputHandleIndex")?,
            read_flags: ReadFlags(r.u8("ReadFlags")?),
            client_data: None,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.logon_id);
        w.put_u8(self.response_handle_index);
        w.put_u8(self.input_handle_index);
        w.put_u8(self.read_flags.0);
        if let Some(c) = &self.client_data {
            c.write(w)?;
        }
        Ok(())
    }
}

impl SetMessageReadFlagRequest {
    /// Decodes the request of a public-folder logon (with ClientData).
    pub fn decode_public(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut v = Self::decode_body(r)?;
        v.client_data = Some(LongTermId::read(r, "ClientData")?);
        Ok(v)
    }
}

/// [MS-OXCROPS] 2.2.6.11.2 RopSetMessageReadFlag response; `handle_index` is the ResponseHandleIndex.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SetMessageReadFlagResponse {
    /// ResponseHandleIndex.
    pub handle_index: u8,
    /// ReturnValue.
    pub return_value: ErrorCode,
    /// ReadStatusChanged (success only; gromox says false on private stores even when it changed,
    /// corrections B13).
    pub read_status_changed: Option<bool>,
    /// LogonId and ClientData: only when ReadStatusChanged on a public-folder logon (the decoder
    /// reads them when the paired request carried ClientData).
    pub public_client: Option<(u8, LongTermId)>,
}

impl RopResponseBody for SetMessageReadFlagResponse {
    const ID: RopId = RopId::SET_MESSAGE_READ_FLAG;
    fn decode_body(r: &mut Reader<'_>, ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        let handle_index = r.u8("ResponseHandleIndex")?;
        let return_value = ErrorCode(r.u32("ReturnValue")?);
        let mut read_status_changed = None;
        let mut public_client = None;
        if return_value == ErrorCode::SUCCESS {
            let changed = r.u8("ReadStatusChanged")? != 0;
            read_status_changed = Some(changed);
            let public = matches!(ctx.request, Some(RopRequest::SetMessageReadFlag(q)) if q.client_data.is_some());
            if changed && public {
                public_client = Some((r.u8("LogonId")?, LongTermId::read(r, "ClientData")?));
            }
        }
        Ok(Self { handle_index, return_value, read_status_changed, public_client })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.handle_index);
        w.put_u32(self.return_value.0);
        if let Some(changed) = self.read_status_changed {
            w.put_u8(u8::from(changed));
            if let Some((logon_id, data)) = &self.public_client {
                w.put_u8(*logon_id);
                data.write(w)?;
            }
        }
        Ok(())
    }
}

rop_request! {
    /// [MS-OXCROPS] 2.2.6.16.1 RopOpenEmbeddedMessage request.
    pub struct OpenEmbeddedMessageRequest = OPEN_EMBEDDED_MESSAGE {
        /// LogonId.
        pub logon_id: u8,
        /// InputHandleIndex (the attachment).
        pub input_handle_index: u8,
        /// OutputHandleIndex (the embedded message).
        pub output_handle_index: u8,
        /// CodePageId.
        pub code_page_id: u16,
        /// OpenModeFlags (0 ReadOnly, 1 ReadWrite, 2 Create).
        pub open_mode_flags: MessageOpenModeFlags,
    }
}

rop_struct! {
    /// [MS-OXCROPS] 2.2.6.16.2 RopOpenEmbeddedMessage success fields.
    pub struct OpenEmbeddedMessageSuccess {
        /// Reserved (0).
        pub reserved: u8,
        /// MessageId of the embedded message.
        pub message_id: MessageId,
        /// The message fields (as RopOpenMessage).
        pub info: MessageInfo,
    }
}

rop_response! {
    /// [MS-OXCROPS] 2.2.6.16.2 RopOpenEmbeddedMessage response; `handle_index` is the OutputHandleIndex.
    pub struct OpenEmbeddedMessageResponse = OPEN_EMBEDDED_MESSAGE, success OpenEmbeddedMessageSuccess;
}
