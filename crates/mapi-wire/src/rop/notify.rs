//! [MS-OXCROPS] 2.2.14 notification ROPs: RopRegisterNotification and the
//! RopNotify response with its NotificationData ([MS-OXCNOTIF] 2.2.1.4.1.2).

use crate::{
    codec::{Put, Reader, len_u16},
    error::{DecodeError, EncodeError},
    prop_tag::PropTag,
    prop_value::{PropContext, PropertyRow},
    rop::{
        ResponseContext, RopId, RopRequestBody, RopResponseBody,
        misc::{header_response, read_bin16, write_bin16},
    },
};

open_enum! {
    /// NotificationTypes of RopRegisterNotification and the type bits of
    /// NotificationFlags ([MS-OXCNOTIF] 2.2.1.4.1.2).
    pub struct NotificationType(u16) {
        NEW_MAIL = 0x0002, "NewMail";
        OBJECT_CREATED = 0x0004, "ObjectCreated";
        OBJECT_DELETED = 0x0008, "ObjectDeleted";
        OBJECT_MODIFIED = 0x0010, "ObjectModified";
        OBJECT_MOVED = 0x0020, "ObjectMoved";
        OBJECT_COPIED = 0x0040, "ObjectCopied";
        SEARCH_COMPLETE = 0x0080, "SearchComplete";
        TABLE_MODIFIED = 0x0100, "TableModified";
        STATUS_OBJECT_MODIFIED = 0x0200, "StatusObjectModified";
        EXTENDED = 0x0400, "Extended";
    }
}

open_enum! {
    /// TableEventType of a TableModified notification ([MS-OXCNOTIF] 2.2.1.4.1.2).
    pub struct TableEventType(u16) {
        TABLE_CHANGED = 0x0001, "TableChanged";
        TABLE_ERROR = 0x0002, "TableError";
        TABLE_ROW_ADDED = 0x0003, "TableRowAdded";
        TABLE_ROW_DELETED = 0x0004, "TableRowDeleted";
        TABLE_ROW_MODIFIED = 0x0005, "TableRowModified";
        TABLE_SORT_DONE = 0x0006, "TableSortDone";
        TABLE_RESTRICTION_CHANGED = 0x0007, "TableRestrictionChanged";
        TABLE_SET_COLUMNS_DONE = 0x0008, "TableSetColumnsDone";
        TABLE_RELOAD = 0x0009, "TableReload";
    }
}

/// NotificationFlags bit T: TotalMessageCount follows ([MS-OXCNOTIF] 2.2.1.4.1.2).
pub const NOTIFY_TOTAL: u16 = 0x1000;
/// NotificationFlags bit U: UnreadMessageCount follows ([MS-OXCNOTIF] 2.2.1.4.1.2).
pub const NOTIFY_UNREAD: u16 = 0x2000;
/// NotificationFlags bit S: the object is a search folder ([MS-OXCNOTIF] 2.2.1.4.1.2).
pub const NOTIFY_SEARCH: u16 = 0x4000;
/// NotificationFlags bit M: the object is a message, MessageId fields follow ([MS-OXCNOTIF] 2.2.1.4.1.2).
pub const NOTIFY_MESSAGE: u16 = 0x8000;

/// [MS-OXCROPS] 2.2.14.1.1 RopRegisterNotification request.
///
/// NotificationTypes is read as `u8` followed by `Reserved u8` (gromox and
/// MAPIInspector; digest §3.5.8 width note): for types below 0x100 both
/// readings are the same bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RegisterNotificationRequest {
    /// LogonId.
    pub logon_id: u8,
    /// InputHandleIndex (logon or folder).
    pub input_handle_index: u8,
    /// OutputHandleIndex (the new notification object).
    pub output_handle_index: u8,
    /// NotificationTypes (bits of [`NotificationType`] below 0x100).
    pub notification_types: u8,
    /// Reserved (0).
    pub reserved: u8,
    /// `None` = WantWholeStore 1; `Some((FolderId, MessageId))` = WantWholeStore 0
    /// and the object to watch.
    pub target: Option<(u64, u64)>,
    /// The WantWholeStore byte as sent (non-zero when `target` is None).
    pub want_whole_store: u8,
}

impl RopRequestBody for RegisterNotificationRequest {
    const ID: RopId = RopId::REGISTER_NOTIFICATION;
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
        let logon_id = r.u8("LogonId")?;
        let input_handle_index = r.u8("InputHandleIndex")?;
        let output_handle_index = r.u8("OutputHandleIndex")?;
        let notification_types = r.u8("NotificationTypes")?;
        let reserved = r.u8("Reserved")?;
        let want_whole_store = r.u8("WantWholeStore")?;
        let target = if want_whole_store == 0 { Some((r.u64("FolderId")?, r.u64("MessageId")?)) } else { None };
        Ok(Self {
            logon_id,
            input_handle_index,
            output_handle_index,
            notification_types,
            reserved,
            target,
            want_whole_store,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        if (self.want_whole_store == 0) != self.target.is_some() {
            return Err(EncodeError::NotRepresentable {
                what: "RopRegisterNotification",
                reason: "FolderId/MessageId are present exactly when WantWholeStore is 0",
            });
        }
        w.put_u8(self.logon_id);
        w.put_u8(self.input_handle_index);
        w.put_u8(self.output_handle_index);
        w.put_u8(self.notification_types);
        w.put_u8(self.reserved);
        w.put_u8(self.want_whole_store);
        if let Some((f, m)) = self.target {
            w.put_u64(f);
            w.put_u64(m);
        }
        Ok(())
    }
}

header_response! {
    /// [MS-OXCROPS] 2.2.14.1.2 RopRegisterNotification response.
    pub struct RegisterNotificationResponse = REGISTER_NOTIFICATION, "OutputHandleIndex"
}

/// The property tags of an ObjectCreated/ObjectModified notification
/// (`TagCount u16, Tags`, [MS-OXCNOTIF] 2.2.1.4.1.2); count 0xFFFF means
/// "all/unknown" and carries no tags.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ChangedTags {
    /// TagCount 0xFFFF.
    Unknown,
    /// TagCount and the tags (empty = TagCount 0).
    List(Vec<PropTag>),
}

/// The message class of a NewMail notification ([MS-OXCNOTIF] 2.2.1.4.1.2):
/// UnicodeFlag 1 = UTF-16, 0 = 8-bit in the logon's code page (gromox sends 0,
/// corrections A23).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MessageClass {
    /// UnicodeFlag 1.
    Unicode(String),
    /// UnicodeFlag 0: the raw 8-bit bytes without the NUL.
    Ascii(Vec<u8>),
}

impl MessageClass {
    /// The class as text (8-bit classes are ASCII in practice; other bytes become U+FFFD).
    pub fn to_text(&self) -> String {
        match self {
            Self::Unicode(s) => s.clone(),
            Self::Ascii(b) => String::from_utf8_lossy(b).into_owned(),
        }
    }
}

/// The NewMail part of NotificationData ([MS-OXCNOTIF] 2.2.1.4.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NewMailData {
    /// MessageFlags of the new message.
    pub message_flags: u32,
    /// MessageClass.
    pub message_class: MessageClass,
}

/// TableRowData of a TableRowAdded/TableRowModified event: a PropertyRow in the
/// columns of the last RopSetColumns on that table ([MS-OXCNOTIF] 2.2.1.4.1.2).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum TableRowData {
    /// The row's bytes, when the table's columns were not known (or did not fit the row).
    Raw(Vec<u8>),
    /// The row decoded in `columns` (from `ResponseContext::columns`).
    Row {
        /// The table's columns.
        columns: Vec<PropTag>,
        /// The row.
        row: PropertyRow,
    },
}

impl TableRowData {
    fn decode(bytes: Vec<u8>, columns: Option<&[PropTag]>) -> Self {
        let Some(columns) = columns else { return Self::Raw(bytes) };
        let mut r = Reader::new(&bytes);
        match PropertyRow::decode_with(&mut r, columns, PropContext::Rop) {
            Ok(row) if r.is_empty() => Self::Row { columns: columns.to_vec(), row },
            _ => Self::Raw(bytes),
        }
    }

    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Self::Raw(b) => write_bin16(w, b, "TableRowData"),
            Self::Row { columns, row } => {
                let at = w.reserve_u16();
                row.encode_with(w, columns, PropContext::Rop)?;
                w.patch_len_u16(at, "TableRowDataSize")
            }
        }
    }
}

/// [MS-OXCNOTIF] 2.2.1.4.1.2 NotificationData. Which fields are present
/// follows from `flags` (and `table_event`); the decoder sets exactly those,
/// the encoder writes the present ones in wire order (as gromox does).
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NotificationData {
    /// NotificationFlags: a [`NotificationType`] bit plus T/U/S/M ([`NOTIFY_TOTAL`] ...).
    pub flags: u16,
    /// TableEventType (TableModified only).
    pub table_event: Option<TableEventType>,
    /// TableRowFolderID (row added/deleted/modified).
    pub table_row_folder_id: Option<u64>,
    /// TableRowMessageID (same, with M).
    pub table_row_message_id: Option<u64>,
    /// TableRowInstance (same, with M).
    pub table_row_instance: Option<u32>,
    /// InsertAfterTableRowFolderID (row added/modified).
    pub insert_after_folder_id: Option<u64>,
    /// InsertAfterTableRowID (same, with M).
    pub insert_after_row_id: Option<u64>,
    /// InsertAfterTableRowInstance (same, with M).
    pub insert_after_instance: Option<u32>,
    /// TableRowDataSize + TableRowData (row added/modified).
    pub table_row_data: Option<TableRowData>,
    /// FolderId (every type except TableModified and Extended).
    pub folder_id: Option<u64>,
    /// MessageId (same, with M).
    pub message_id: Option<u64>,
    /// ParentFolderId (created/deleted/moved/copied, unless exactly one of S and M).
    pub parent_folder_id: Option<u64>,
    /// OldFolderId (moved/copied).
    pub old_folder_id: Option<u64>,
    /// OldMessageId (moved/copied, with M).
    pub old_message_id: Option<u64>,
    /// OldParentFolderId (moved/copied, without M).
    pub old_parent_folder_id: Option<u64>,
    /// TagCount + Tags (created/modified).
    pub tags: Option<ChangedTags>,
    /// TotalMessageCount (T).
    pub total_message_count: Option<u32>,
    /// UnreadMessageCount (U).
    pub unread_message_count: Option<u32>,
    /// MessageFlags, UnicodeFlag, MessageClass (NewMail).
    pub new_mail: Option<NewMailData>,
}

impl NotificationData {
    /// The notification type bits (flags without T/U/S/M).
    pub fn notification_type(&self) -> NotificationType {
        NotificationType(self.flags & 0x0FFF)
    }

    fn has(&self, t: NotificationType) -> bool {
        self.flags & t.0 != 0
    }

    /// Reads NotificationData ([MS-OXCNOTIF] 2.2.1.4.1.2; field order as
    /// MAPIInspector and gromox). `columns` are the table's columns for the
    /// TableRowData of row events (kept raw when None or when they do not fit).
    pub fn decode(r: &mut Reader<'_>, columns: Option<&[PropTag]>) -> Result<Self, DecodeError> {
        let flags = r.u16("NotificationFlags")?;
        let mut d = Self { flags, ..Self::default() };
        let m = flags & NOTIFY_MESSAGE != 0;
        let s = flags & NOTIFY_SEARCH != 0;
        let table = d.has(NotificationType::TABLE_MODIFIED);
        if table {
            let ev = TableEventType(r.u16("TableEventType")?);
            d.table_event = Some(ev);
            let row_event = matches!(
                ev,
                TableEventType::TABLE_ROW_ADDED
                    | TableEventType::TABLE_ROW_DELETED
                    | TableEventType::TABLE_ROW_MODIFIED
            );
            let insert = matches!(ev, TableEventType::TABLE_ROW_ADDED | TableEventType::TABLE_ROW_MODIFIED);
            if row_event {
                d.table_row_folder_id = Some(r.u64("TableRowFolderID")?);
                if m {
                    d.table_row_message_id = Some(r.u64("TableRowMessageID")?);
                    d.table_row_instance = Some(r.u32("TableRowInstance")?);
                }
            }
            if insert {
                d.insert_after_folder_id = Some(r.u64("InsertAfterTableRowFolderID")?);
                if m {
                    d.insert_after_row_id = Some(r.u64("InsertAfterTableRowID")?);
                    d.insert_after_instance = Some(r.u32("InsertAfterTableRowInstance")?);
                }
                d.table_row_data = Some(TableRowData::decode(read_bin16(r, "TableRowData")?, columns));
            }
        }
        if !table && !d.has(NotificationType::EXTENDED) {
            d.folder_id = Some(r.u64("FolderId")?);
            if m {
                d.message_id = Some(r.u64("MessageId")?);
            }
        }
        let moved = d.has(NotificationType::OBJECT_MOVED) || d.has(NotificationType::OBJECT_COPIED);
        let cdmc = moved || d.has(NotificationType::OBJECT_CREATED) || d.has(NotificationType::OBJECT_DELETED);
        if cdmc && s == m {
            d.parent_folder_id = Some(r.u64("ParentFolderId")?);
        }
        if moved {
            d.old_folder_id = Some(r.u64("OldFolderId")?);
            if m {
                d.old_message_id = Some(r.u64("OldMessageId")?);
            } else {
                d.old_parent_folder_id = Some(r.u64("OldParentFolderId")?);
            }
        }
        if d.has(NotificationType::OBJECT_CREATED) || d.has(NotificationType::OBJECT_MODIFIED) {
            let n = r.u16("TagCount")?;
            d.tags = Some(if n == 0xFFFF {
                ChangedTags::Unknown
            } else {
                let n = r.count(n as usize, 4, "Tags")?;
                ChangedTags::List((0..n).map(|_| Ok(PropTag(r.u32("Tags")?))).collect::<Result<_, DecodeError>>()?)
            });
        }
        if flags & NOTIFY_TOTAL != 0 {
            d.total_message_count = Some(r.u32("TotalMessageCount")?);
        }
        if flags & NOTIFY_UNREAD != 0 {
            d.unread_message_count = Some(r.u32("UnreadMessageCount")?);
        }
        if d.has(NotificationType::NEW_MAIL) {
            let message_flags = r.u32("MessageFlags")?;
            let at = r.offset();
            let message_class = match r.u8("UnicodeFlag")? {
                0 => MessageClass::Ascii(r.asciiz("MessageClass")?.to_vec()),
                1 => MessageClass::Unicode(r.utf16z("MessageClass")?),
                _ => return Err(DecodeError::Invalid { what: "UnicodeFlag", offset: at, reason: "must be 0 or 1" }),
            };
            d.new_mail = Some(NewMailData { message_flags, message_class });
        }
        Ok(d)
    }

    /// Writes NotificationData: the flags, then every present field in wire order.
    pub fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u16(self.flags);
        if let Some(ev) = self.table_event {
            w.put_u16(ev.0);
        }
        for v in [self.table_row_folder_id, self.table_row_message_id].into_iter().flatten() {
            w.put_u64(v);
        }
        if let Some(v) = self.table_row_instance {
            w.put_u32(v);
        }
        for v in [self.insert_after_folder_id, self.insert_after_row_id].into_iter().flatten() {
            w.put_u64(v);
        }
        if let Some(v) = self.insert_after_instance {
            w.put_u32(v);
        }
        if let Some(row) = &self.table_row_data {
            row.encode(w)?;
        }
        let ids = [
            self.folder_id,
            self.message_id,
            self.parent_folder_id,
            self.old_folder_id,
            self.old_message_id,
            self.old_parent_folder_id,
        ];
        for v in ids.into_iter().flatten() {
            w.put_u64(v);
        }
        match &self.tags {
            None => {}
            Some(ChangedTags::Unknown) => w.put_u16(0xFFFF),
            Some(ChangedTags::List(tags)) => {
                let n = len_u16(tags.len(), "TagCount")?;
                if n == 0xFFFF {
                    return Err(EncodeError::TooLong { what: "TagCount", len: tags.len(), max: 0xFFFE });
                }
                w.put_u16(n);
                for t in tags {
                    w.put_u32(t.0);
                }
            }
        }
        for v in [self.total_message_count, self.unread_message_count].into_iter().flatten() {
            w.put_u32(v);
        }
        if let Some(nm) = &self.new_mail {
            w.put_u32(nm.message_flags);
            match &nm.message_class {
                MessageClass::Ascii(b) => {
                    w.put_u8(0);
                    w.put_asciiz(b);
                }
                MessageClass::Unicode(s) => {
                    w.put_u8(1);
                    w.put_utf16z(s);
                }
            }
        }
        Ok(())
    }
}

/// [MS-OXCROPS] 2.2.14.2 RopNotify (response only): `NotificationHandle u32,
/// LogonId u8, NotificationData`. NotificationHandle is the server handle
/// value of the notification object or table, not a slot index (B17).
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NotifyResponse {
    /// NotificationHandle.
    pub notification_handle: u32,
    /// LogonId.
    pub logon_id: u8,
    /// NotificationData.
    pub data: NotificationData,
}

impl RopResponseBody for NotifyResponse {
    const ID: RopId = RopId::NOTIFY;
    fn decode_body(r: &mut Reader<'_>, ctx: &ResponseContext<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            notification_handle: r.u32("NotificationHandle")?,
            logon_id: r.u8("LogonId")?,
            data: NotificationData::decode(r, ctx.columns)?,
        })
    }
    fn encode_body(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u32(self.notification_handle);
        w.put_u8(self.logon_id);
        self.data.encode(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prop_value::PropValue;
    use crate::rop::misc::tests::*;
    use proptest::prelude::*;

    #[test]
    fn capture_041_register_notification() {
        let reqs = capture_requests("041", 0x29);
        if reqs.is_empty() {
            return;
        }
        let folder: RegisterNotificationRequest = request_known_answer(&reqs[0]);
        assert_eq!(folder.notification_types, 0x7E);
        assert_eq!(folder.target, Some((0x0D00_0000_0000_0001, 0)));
        let store: RegisterNotificationRequest = request_known_answer(&reqs[1]);
        assert_eq!((store.notification_types, store.want_whole_store, store.target), (0x02, 1, None));
        for (b, _) in capture_responses("041", 0x29) {
            let v: RegisterNotificationResponse = response_known_answer(&b, &ResponseContext::default());
            assert!(v.return_value.is_success());
        }
    }

    /// Splits a RopsList made only of RopNotify/RopPending responses.
    pub(crate) fn notifications(payload: &[u8]) -> Vec<(Vec<u8>, Option<NotifyResponse>)> {
        let rop_size = u16::from_le_bytes([payload[0], payload[1]]) as usize;
        let mut r = Reader::new(&payload[2..rop_size]);
        let mut out = Vec::new();
        while !r.is_empty() {
            let start = r.peek_rest();
            let id = r.u8("RopId").unwrap();
            let v = match id {
                0x2A => Some(NotifyResponse::decode_body(&mut r, &ResponseContext::default()).unwrap()),
                0x6E => {
                    r.u16("SessionIndex").unwrap();
                    None
                }
                _ => panic!("unexpected RopId {id:#x}"),
            };
            let used = start.len() - r.remaining();
            out.push((start[..used].to_vec(), v));
        }
        out
    }

    #[test]
    fn capture_043_object_created_then_pending() {
        let payloads = execute_response_payloads("043-execute-empty-fetch-notifications-tv16-maxropout-0x60.resp.bin");
        let Some(p) = payloads.first() else { return };
        let list = notifications(p);
        assert_eq!(list.len(), 2);
        let n: NotifyResponse = response_known_answer(&list[0].0, &ResponseContext::default());
        // B17: 0x8004 = ObjectCreated|M: FolderId, MessageId, no ParentFolderId, TagCount 0.
        assert_eq!(n.notification_handle, 50);
        assert_eq!(n.data.flags, 0x8004);
        assert_eq!(n.data.notification_type(), NotificationType::OBJECT_CREATED);
        assert_eq!(n.data.folder_id, Some(0x0D00_0000_0000_0001));
        assert_eq!(n.data.message_id, Some(0x0900_0300_0000_0001));
        assert_eq!(n.data.parent_folder_id, None);
        assert_eq!(n.data.tags, Some(ChangedTags::List(Vec::new())));
    }

    #[test]
    fn capture_044_modified_newmail_tablerowadded() {
        let payloads = execute_response_payloads("044-execute-empty-fetch-notifications.resp.bin");
        let Some(p) = payloads.first() else { return };
        let list = notifications(p);
        assert_eq!(list.len(), 4);
        let ctx = ResponseContext::default();
        let modified: NotifyResponse = response_known_answer(&list[0].0, &ctx);
        assert_eq!(modified.data.flags, 0x3010);
        assert_eq!(modified.data.total_message_count, Some(6));
        assert_eq!(modified.data.unread_message_count, Some(6));
        assert_eq!(modified.data.message_id, None);
        for (i, handle) in [(1, 50), (2, 51)] {
            let nm: NotifyResponse = response_known_answer(&list[i].0, &ctx);
            assert_eq!(nm.notification_handle, handle);
            // A23: UnicodeFlag 0, 8-bit "IPM.Note".
            let new_mail = nm.data.new_mail.unwrap();
            assert_eq!(new_mail.message_flags, 2);
            assert_eq!(new_mail.message_class, MessageClass::Ascii(b"IPM.Note".to_vec()));
            assert_eq!(nm.data.folder_id, Some(0x0D00_0000_0000_0001));
        }
        let table: NotifyResponse = response_known_answer(&list[3].0, &ctx);
        assert_eq!(table.notification_handle, 53);
        assert_eq!(table.data.table_event, Some(TableEventType::TABLE_ROW_ADDED));
        assert_eq!(table.data.table_row_instance, Some(0));
        assert_eq!(table.data.insert_after_row_id, Some(0x0400_0300_0000_0001));
        let Some(TableRowData::Raw(raw)) = &table.data.table_row_data else { panic!("raw row without columns") };
        assert_eq!(raw.len(), 65);
        assert_eq!(table.data.folder_id, None);
        // With the table's columns (041: Mid, Subject, MessageFlags) the row decodes.
        let columns = [PropTag(0x674A_0014), PropTag(0x0037_001F), PropTag(0x0E07_0003)];
        let ctx = ResponseContext { columns: Some(&columns), ..ResponseContext::default() };
        let table: NotifyResponse = response_known_answer(&list[3].0, &ctx);
        let Some(TableRowData::Row { row: PropertyRow::Standard(values), .. }) = &table.data.table_row_data else {
            panic!("decoded row expected")
        };
        assert_eq!(values[0], PropValue::I64(0x0900_0300_0000_0001));
        assert_eq!(values[1], PropValue::String("Notification trigger mail".into()));
        assert_eq!(values[2], PropValue::I32(2));
    }

    #[test]
    fn tv16_unicode_new_mail() {
        // Digest TV-16 (UnicodeFlag 1): accepted as well as the 8-bit form of A23.
        let b = hex::decode(
            "2a05000000000280010000000000001001000000000000200000000001\
             490050004d002e004e006f00740065000000",
        )
        .unwrap();
        let v: NotifyResponse = response_known_answer(&b, &ResponseContext::default());
        assert_eq!(v.data.new_mail.unwrap().message_class, MessageClass::Unicode("IPM.Note".into()));
    }

    #[test]
    fn moved_message_layout() {
        // ObjectMoved|M (S clear): FolderId, MessageId, no ParentFolderId (S != M),
        // OldFolderId, OldMessageId, no OldParentFolderId.
        let mut b = vec![0x2A, 1, 0, 0, 0, 0, 0x20, 0x80];
        for v in 1u64..=4 {
            b.extend_from_slice(&v.to_le_bytes());
        }
        let v: NotifyResponse = response_known_answer(&b, &ResponseContext::default());
        assert_eq!((v.data.folder_id, v.data.message_id), (Some(1), Some(2)));
        assert_eq!((v.data.old_folder_id, v.data.old_message_id), (Some(3), Some(4)));
        assert_eq!(v.data.parent_folder_id, None);
    }

    fn notification_bytes() -> impl Strategy<Value = Vec<u8>> {
        let types = prop_oneof![
            Just(0x0002u16),
            Just(0x0004),
            Just(0x0008),
            Just(0x0010),
            Just(0x0020),
            Just(0x0040),
            Just(0x0080),
            Just(0x0100),
            Just(0x0200),
            Just(0x0400)
        ];
        (types, 0u16..16, 0u16..10, proptest::collection::vec(any::<u8>(), 0..120)).prop_map(|(t, tusm, ev, tail)| {
            let mut b = vec![0x2A, 9, 0, 0, 0, 0];
            b.extend_from_slice(&(t | (tusm << 12)).to_le_bytes());
            if t == 0x0100 {
                b.extend_from_slice(&ev.to_le_bytes());
            }
            b.extend(tail);
            b
        })
    }

    proptest! {
        #[test]
        fn notify_round_trips(b in notification_bytes()) {
            response_bytes_round_trip::<NotifyResponse>(&b[1..]);
        }

        #[test]
        fn table_row_added_with_decoded_row_round_trips(
            values in proptest::collection::vec(crate::rop::property::tests::arb_value(), 0..5),
            ids in any::<[u64; 4]>(), instance in any::<u32>(),
        ) {
            let columns: Vec<PropTag> =
                values.iter().enumerate().map(|(i, v)| PropTag::new(0x6000 + i as u16, v.prop_type())).collect();
            let v = NotifyResponse {
                notification_handle: 0x35,
                logon_id: 0,
                data: NotificationData {
                    flags: NotificationType::TABLE_MODIFIED.0 | NOTIFY_MESSAGE,
                    table_event: Some(TableEventType::TABLE_ROW_ADDED),
                    table_row_folder_id: Some(ids[0]),
                    table_row_message_id: Some(ids[1]),
                    table_row_instance: Some(instance),
                    insert_after_folder_id: Some(ids[2]),
                    insert_after_row_id: Some(ids[3]),
                    insert_after_instance: Some(0),
                    table_row_data: Some(TableRowData::Row {
                        columns: columns.clone(),
                        row: PropertyRow::Standard(values),
                    }),
                    ..NotificationData::default()
                },
            };
            let ctx = ResponseContext { columns: Some(&columns), ..ResponseContext::default() };
            response_round_trip(&v, &ctx);
        }

        #[test]
        fn register_notification_round_trips(b in proptest::collection::vec(any::<u8>(), 0..32)) {
            request_bytes_round_trip::<RegisterNotificationRequest>(&b);
            response_bytes_round_trip::<RegisterNotificationResponse>(&b);
        }
    }
}
