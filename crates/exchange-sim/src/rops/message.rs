//! [MS-OXCROPS] 2.2.6–2.2.7 message, recipient, attachment and transport
//! ROPs ([MS-OXCMSG] 3.2.5, [MS-OXOMSG] 3.2.5).

use std::io::Write;

use mapi_wire::prop_value::{FlaggedValue, PropValue, PropertyRow};
use mapi_wire::recipient::{RecipientAddress, RecipientFlags, RecipientRow, RecipientString};
use mapi_wire::rop::*;
use mapi_wire::{ErrorCode, PropTag};

use super::dispatch::Ctx;
use super::folder::check;
use super::logon::mailbox_of;
use super::objects::{AttachmentObj, MessageObj, Object};
use super::table::property_row;
use crate::store::{
    Attachment, Mailbox, MessageContent, PropBag, Rights, SaveMode, SpecialFolder, StoreError, message_flags,
};

/// The recipient columns RopOpenMessage returns (corrections B12, capture
/// 014): RecordKey, ObjectType, DisplayType, SmtpAddress,
/// RecipientEntryId, RecipientFlags.
pub(crate) const DEFAULT_RECIPIENT_COLUMNS: [PropTag; 6] = [
    PropTag::RECORD_KEY,
    PropTag::OBJECT_TYPE,
    PropTag::DISPLAY_TYPE,
    PropTag::SMTP_ADDRESS,
    PropTag::RECIPIENT_ENTRY_ID,
    PropTag::RECIPIENT_FLAGS,
];

/// Property ids RopModifyRecipients refuses as columns with
/// ecInvalidParameter (corrections A16, capture 030; MS-OXCMSG 3.2.5.6):
/// RecipientType, DisplayName, AddressType, EmailAddress, EntryId,
/// InstanceKey, SearchKey, SendRichInfo, TransmittableDisplayName.
const FORBIDDEN_RECIPIENT_COLUMNS: [u16; 9] = [0x0C15, 0x3001, 0x3002, 0x3003, 0x0FFF, 0x0FF6, 0x300B, 0x3A40, 0x3A20];

/// [MS-OXCMSG] 2.2.1.6 mfUnsent.
const MF_UNSENT: i32 = 0x0008;

/// CodePageId 0x0FFF: the logon's code page ([MS-OXCROPS] 2.2.6.1.1).
const CODE_PAGE_LOGON: u16 = 0x0FFF;

/// [MS-OXCDATA] 2.2.5.1 One-Off EntryID provider UID.
const ONE_OFF_PROVIDER: [u8; 16] =
    [0x81, 0x2B, 0x1F, 0xA4, 0xBE, 0xA3, 0x10, 0x19, 0x9D, 0x6E, 0x00, 0xDD, 0x01, 0x0F, 0x54, 0x02];

fn store_err(e: StoreError) -> ErrorCode {
    e.error_code()
}

fn code_page(ctx: &Ctx<'_>, id: u16) -> u16 {
    if id == CODE_PAGE_LOGON { u16::try_from(ctx.session.code_page).unwrap_or(1252) } else { id }
}

fn message_mut<'c>(ctx: &'c mut Ctx<'_>, index: u8) -> Result<&'c mut MessageObj, ErrorCode> {
    match ctx.object_mut(index)? {
        Object::Message(m) => Ok(m),
        _ => Err(ErrorCode::NOT_SUPPORTED),
    }
}

fn message_ref<'c>(ctx: &'c Ctx<'_>, index: u8) -> Result<&'c MessageObj, ErrorCode> {
    match ctx.object(index)? {
        Object::Message(m) => Ok(m),
        _ => Err(ErrorCode::NOT_SUPPORTED),
    }
}

/// [MS-OXCDATA] 2.2.5.1 a One-Off EntryID (Unicode, no rich info: flags
/// 0x8001 as gromox writes them, corrections B28).
pub(crate) fn one_off_entry_id(name: &str, address_type: &str, address: &str) -> Vec<u8> {
    let mut w = vec![0u8; 4];
    w.extend_from_slice(&ONE_OFF_PROVIDER);
    w.extend_from_slice(&0u16.to_le_bytes());
    w.extend_from_slice(&0x8001u16.to_le_bytes());
    for s in [name, address_type, address] {
        for u in s.encode_utf16() {
            w.extend_from_slice(&u.to_le_bytes());
        }
        w.extend_from_slice(&[0, 0]);
    }
    w
}

/// A stored recipient with the computed recipient properties.
fn recipient_bag(stored: &PropBag) -> PropBag {
    let mut bag = stored.clone();
    let name = stored.string(PropTag::DISPLAY_NAME).unwrap_or_default();
    let smtp =
        stored.string(PropTag::SMTP_ADDRESS).or_else(|| stored.string(PropTag::EMAIL_ADDRESS)).unwrap_or_default();
    let kind = stored.string(PropTag::ADDRESS_TYPE).unwrap_or_else(|| "SMTP".into());
    let eid = one_off_entry_id(&name, &kind, &smtp);
    let mut default = |t: PropTag, v: PropValue| {
        if stored.get(t).is_none() {
            bag.set(t, v);
        }
    };
    default(PropTag::SMTP_ADDRESS, PropValue::String(smtp.clone()));
    default(PropTag::RECORD_KEY, PropValue::Binary(eid.clone()));
    default(PropTag::ENTRY_ID, PropValue::Binary(eid.clone()));
    default(PropTag::RECIPIENT_ENTRY_ID, PropValue::Binary(eid));
    default(PropTag::OBJECT_TYPE, PropValue::I32(6));
    default(PropTag::DISPLAY_TYPE, PropValue::I32(0));
    default(PropTag::RECIPIENT_FLAGS, PropValue::I32(1));
    bag
}

/// A RecipientRow for a stored recipient (flags 0x02DB as in capture 014:
/// SMTP, E, D, S, R, U).
fn recipient_row(stored: &PropBag, columns: &[PropTag]) -> RecipientRow {
    let bag = recipient_bag(stored);
    let name = bag.string(PropTag::DISPLAY_NAME).unwrap_or_default();
    let address = bag.string(PropTag::SMTP_ADDRESS).unwrap_or_default();
    RecipientRow {
        flags: RecipientFlags(RecipientFlags::SAME | RecipientFlags::RESPONSIBILITY),
        address: RecipientAddress::Smtp,
        email: Some(RecipientString::Unicode(address)),
        display_name: Some(RecipientString::Unicode(name)),
        simple_display_name: None,
        transmittable_display_name: None,
        row: property_row(&bag, columns),
    }
}

fn recipient_type(stored: &PropBag) -> RecipientType {
    RecipientType(stored.i32(PropTag::RECIPIENT_TYPE).unwrap_or(1) as u8)
}

fn typed(bag: &PropBag, tag: PropTag) -> TypedString {
    match bag.string(tag) {
        None => TypedString::Absent,
        Some(s) if s.is_empty() => TypedString::Empty,
        Some(s) => TypedString::Unicode(s),
    }
}

/// [MS-OXCMSG] 2.2.1.9: a subject's prefix is one to three non-digit
/// characters followed by a colon and a space ("RE: ", "AW: ").
fn split_subject(subject: &str) -> (&str, &str) {
    for (i, c) in subject.char_indices().take(4) {
        if c == ':' {
            let prefix_ok = (1..=3).contains(&subject[..i].chars().count())
                && subject[..i].chars().all(|c| !c.is_numeric() && !c.is_whitespace());
            if prefix_ok && subject[i + 1..].starts_with(' ') {
                return (&subject[..i + 2], &subject[i + 2..]);
            }
            break;
        }
    }
    ("", subject)
}

/// PidTagSubjectPrefix / PidTagNormalizedSubject as stored, else computed
/// from PidTagSubject (the server computes them, [MS-OXCMSG] 2.2.1.9,
/// 2.2.1.10; capture 014).
fn subject_parts(props: &PropBag) -> (TypedString, TypedString) {
    let stored = (typed(props, PropTag::SUBJECT_PREFIX), typed(props, PropTag::NORMALIZED_SUBJECT));
    let Some(subject) = props.string(PropTag::SUBJECT) else { return stored };
    let (prefix, normalized) = split_subject(&subject);
    let text = |s: &str| if s.is_empty() { TypedString::Empty } else { TypedString::Unicode(s.to_owned()) };
    match stored {
        (TypedString::Absent, TypedString::Absent) => (text(prefix), text(normalized)),
        (p, TypedString::Absent) => (p, text(normalized)),
        (TypedString::Absent, n) => (text(prefix), n),
        both => both,
    }
}

/// The RopOpenMessage / RopReloadCachedInformation fields of a message.
fn message_info(content: &MessageContent, code_page_id: u16) -> Result<MessageInfo, ErrorCode> {
    let columns = super::calendar_attendant::recipient_columns(content);
    let mut rows = Vec::with_capacity(content.recipients.len());
    for r in &content.recipients {
        let row = RecipientRowBytes::from_row(Some(&recipient_row(r, &columns)), &columns)
            .map_err(|_| ErrorCode::GENERAL_FAILURE)?;
        rows.push(OpenRecipientRow { recipient_type: recipient_type(r), code_page_id, reserved: 0, row });
    }
    Ok(MessageInfo {
        has_named_properties: content.props.tags().iter().any(|t| t.id() >= 0x8000),
        subject_prefix: subject_parts(&content.props).0,
        normalized_subject: subject_parts(&content.props).1,
        recipient_count: u16::try_from(content.recipients.len()).unwrap_or(u16::MAX),
        recipient_columns: columns,
        rows: OpenRecipientRows(rows),
    })
}

/// RopOpenMessage ([MS-OXCMSG] 3.2.5.1): the message must be in FolderId;
/// ecNotFound otherwise.
pub(crate) fn open(ctx: &mut Ctx<'_>, r: &OpenMessageRequest) -> Result<MessageInfo, ErrorCode> {
    let object = ctx.object(r.input_handle_index)?;
    let mailbox = match object {
        Object::Logon(_) | Object::Folder(_) => mailbox_of(object, ctx).ok_or(ErrorCode::NULL_OBJECT)?,
        _ => return Err(ErrorCode::NOT_SUPPORTED),
    };
    let stored = mailbox.message(r.message_id).map_err(|e| match e {
        StoreError::ObjectDeleted => ErrorCode::NOT_FOUND,
        e => store_err(e),
    })?;
    if stored.folder != r.folder_id {
        return Err(ErrorCode::NOT_FOUND);
    }
    check(ctx, &mailbox, r.folder_id, Rights::READ_ANY)?;
    let write = r.open_mode_flags.0 & 0x03 != 0;
    if write
        && r.open_mode_flags == MessageOpenModeFlags::READ_WRITE
        && check(ctx, &mailbox, r.folder_id, Rights::EDIT_ANY).is_err()
    {
        return Err(ErrorCode::ACCESS_DENIED);
    }
    let read_only = !write || check(ctx, &mailbox, r.folder_id, Rights::EDIT_ANY).is_err();
    let info = message_info(&stored.content, code_page(ctx, r.code_page_id))?;
    ctx.output(
        r.output_handle_index,
        Object::Message(Box::new(MessageObj {
            mailbox,
            folder: r.folder_id,
            id: r.message_id,
            fai: stored.fai,
            is_new: false,
            content: stored.content,
            read_only,
            embedded_in: None,
            import: false,
        })),
    );
    Ok(info)
}

/// RopCreateMessage ([MS-OXCMSG] 3.2.5.2): a new message object with the
/// properties the server sets at creation; nothing is stored before
/// RopSaveChangesMessage. The MID is allocated now (HasMessageId 0).
pub(crate) fn create(ctx: &mut Ctx<'_>, r: &CreateMessageRequest) -> Result<CreateMessageSuccess, ErrorCode> {
    let object = ctx.object(r.input_handle_index)?;
    let mailbox = match object {
        Object::Logon(_) | Object::Folder(_) => mailbox_of(object, ctx).ok_or(ErrorCode::NULL_OBJECT)?,
        _ => return Err(ErrorCode::NOT_SUPPORTED),
    };
    mailbox.folder(r.folder_id, false).map_err(store_err)?;
    check(ctx, &mailbox, r.folder_id, Rights::CREATE)?;
    let id = mailbox.allocate_message_id().map_err(store_err)?;
    let cp = code_page(ctx, r.code_page_id);
    let mut props = PropBag::new();
    props.set(PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note".into()));
    props.set(PropTag::IMPORTANCE, PropValue::I32(1));
    props.set(PropTag::SENSITIVITY, PropValue::I32(0));
    props.set(PropTag::MESSAGE_FLAGS, PropValue::I32(MF_UNSENT));
    props.set(PropTag::MESSAGE_CODEPAGE, PropValue::I32(i32::from(cp)));
    ctx.output(
        r.output_handle_index,
        Object::Message(Box::new(MessageObj {
            mailbox,
            folder: r.folder_id,
            id,
            fai: r.associated,
            is_new: true,
            content: MessageContent { props, recipients: Vec::new(), attachments: Vec::new() },
            read_only: false,
            embedded_in: None,
            import: false,
        })),
    );
    Ok(CreateMessageSuccess { message_id: None })
}

/// RopSaveChangesMessage ([MS-OXCMSG] 3.2.5.3): stores the object's
/// properties, recipients and attachments; answers the MID (capture 031).
pub(crate) fn save(ctx: &mut Ctx<'_>, r: &SaveChangesMessageRequest) -> Result<SaveChangesMessageSuccess, ErrorCode> {
    let m = message_mut(ctx, r.input_handle_index)?;
    if m.read_only {
        return Err(ErrorCode::ACCESS_DENIED);
    }
    if let Some(att) = m.embedded_in {
        // An embedded message is saved into its attachment object; the
        // attachment and the outer message are saved by their own ROPs.
        let (content, id) = (m.content.clone(), m.id);
        m.is_new = false;
        let Some(Object::Attachment(a)) = ctx.session.objects.get_mut(&att) else {
            return Err(ErrorCode::NULL_OBJECT);
        };
        a.props.set(PropTag(0x3705_0003), PropValue::I32(5));
        a.embedded = Some(Box::new(content));
        return Ok(SaveChangesMessageSuccess { input_handle_index: r.input_handle_index, message_id: id });
    }
    let saved = m
        .mailbox
        .save_message(
            m.folder,
            Some(m.id),
            m.fai,
            &m.content,
            if m.import { SaveMode::Import } else { SaveMode::Normal },
        )
        .map_err(store_err)?;
    m.is_new = false;
    if let Ok(stored) = m.mailbox.message(saved.id) {
        m.content = stored.content;
    }
    Ok(SaveChangesMessageSuccess { input_handle_index: r.input_handle_index, message_id: saved.id })
}

/// RopReloadCachedInformation ([MS-OXCMSG] 3.2.5.4).
pub(crate) fn reload(ctx: &mut Ctx<'_>, index: u8) -> Result<MessageInfo, ErrorCode> {
    let cp = u16::try_from(ctx.session.code_page).unwrap_or(1252);
    let m = message_mut(ctx, index)?;
    if !m.is_new
        && let Ok(stored) = m.mailbox.message(m.id)
    {
        m.content = stored.content;
    }
    message_info(&m.content, cp)
}

/// RopModifyRecipients ([MS-OXCMSG] 3.2.5.6): forbidden columns give
/// ecInvalidParameter (030); an empty row deletes the recipient.
pub(crate) fn modify_recipients(ctx: &mut Ctx<'_>, r: &ModifyRecipientsRequest) -> Result<(), ErrorCode> {
    if r.recipient_columns.iter().any(|c| FORBIDDEN_RECIPIENT_COLUMNS.contains(&c.id())) {
        return Err(ErrorCode::INVALID_PARAMETER);
    }
    let m = message_mut(ctx, r.input_handle_index)?;
    if m.read_only {
        return Err(ErrorCode::ACCESS_DENIED);
    }
    let mut updates = Vec::with_capacity(r.rows.len());
    for row in &r.rows {
        let parsed = row.row.parse(&r.recipient_columns).map_err(|_| ErrorCode::INVALID_PARAMETER)?;
        updates.push((row.row_id, row.recipient_type, parsed));
    }
    for (row_id, kind, parsed) in updates {
        let same = |b: &PropBag| b.i32(PropTag::ROWID) == Some(row_id as i32);
        let Some(rr) = parsed else {
            m.content.recipients.retain(|b| !same(b));
            continue;
        };
        let mut bag = PropBag::new();
        let values: Vec<Option<PropValue>> = match &rr.row {
            PropertyRow::Standard(v) => v.iter().cloned().map(Some).collect(),
            PropertyRow::Flagged(v) => v
                .iter()
                .map(|f| match f {
                    FlaggedValue::Value(v) => Some(v.clone()),
                    _ => None,
                })
                .collect(),
        };
        for (tag, v) in r.recipient_columns.iter().zip(values) {
            if let Some(v) = v {
                bag.set(*tag, v);
            }
        }
        if let Some(n) = &rr.display_name {
            bag.set(PropTag::DISPLAY_NAME, PropValue::String(n.text().into_owned()));
        }
        let email = rr.email.as_ref().map(|e| e.text().into_owned());
        match &rr.address {
            RecipientAddress::X500Dn { x500_dn, .. } => {
                bag.set(PropTag::ADDRESS_TYPE, PropValue::String("EX".into()));
                bag.set(PropTag::EMAIL_ADDRESS, PropValue::String(x500_dn.iter().map(|b| char::from(*b)).collect()));
            }
            _ => {
                if let Some(e) = email.clone().or_else(|| bag.string(PropTag::SMTP_ADDRESS)) {
                    bag.set(PropTag::ADDRESS_TYPE, PropValue::String("SMTP".into()));
                    bag.set(PropTag::EMAIL_ADDRESS, PropValue::String(e.clone()));
                    if bag.get(PropTag::SMTP_ADDRESS).is_none() {
                        bag.set(PropTag::SMTP_ADDRESS, PropValue::String(e));
                    }
                }
            }
        }
        bag.set(PropTag::RECIPIENT_TYPE, PropValue::I32(i32::from(kind.0)));
        bag.set(PropTag::ROWID, PropValue::I32(row_id as i32));
        match m.content.recipients.iter_mut().find(|b| same(b)) {
            Some(slot) => *slot = bag,
            None => m.content.recipients.push(bag),
        }
    }
    Ok(())
}

/// RopReadRecipients ([MS-OXCMSG] 3.2.5.5): rows from RowId on, in the
/// default recipient columns, as many as fit; ecNotFound past the end.
pub(crate) fn read_recipients(
    ctx: &mut Ctx<'_>,
    r: &ReadRecipientsRequest,
) -> Result<ReadRecipientsSuccess, ErrorCode> {
    let room = ctx.room;
    let cp = u16::try_from(ctx.session.code_page).unwrap_or(1252);
    let m = message_ref(ctx, r.input_handle_index)?;
    let columns = super::calendar_attendant::recipient_columns(&m.content);
    let mut rows = Vec::new();
    // RopId, InputHandleIndex, ReturnValue, RowCount.
    let mut used = 7;
    for (i, b) in m.content.recipients.iter().enumerate() {
        let row_id = b.i32(PropTag::ROWID).map_or(i as u32, |v| v as u32);
        if row_id < r.row_id {
            continue;
        }
        let row = RecipientRowBytes::from_row(Some(&recipient_row(b, &columns)), &columns)
            .map_err(|_| ErrorCode::GENERAL_FAILURE)?;
        let size = 4 + 1 + 2 + 2 + 2 + row.0.len();
        if used + size > room || rows.len() == 255 {
            break;
        }
        used += size;
        rows.push(ReadRecipientRow { row_id, recipient_type: recipient_type(b), code_page_id: cp, reserved: 0, row });
    }
    if rows.is_empty() {
        return Err(ErrorCode::NOT_FOUND);
    }
    Ok(ReadRecipientsSuccess { rows: ReadRecipientRows(rows) })
}

/// RopRemoveAllRecipients ([MS-OXCMSG] 3.2.5.7).
pub(crate) fn remove_all_recipients(ctx: &mut Ctx<'_>, index: u8) -> Result<(), ErrorCode> {
    let m = message_mut(ctx, index)?;
    if m.read_only {
        return Err(ErrorCode::ACCESS_DENIED);
    }
    m.content.recipients.clear();
    Ok(())
}

/// RopSetMessageReadFlag ([MS-OXCMSG] 3.2.5.9): changes the stored read
/// state at once; ReadStatusChanged is 0 on private stores (B13).
pub(crate) fn set_message_read_flag(ctx: &mut Ctx<'_>, r: &SetMessageReadFlagRequest) -> SetMessageReadFlagResponse {
    let result = (|| {
        let m = message_mut(ctx, r.input_handle_index)?;
        let flags = r.read_flags.0;
        if flags & ReadFlags::GENERATE_RECEIPT_ONLY.0 != 0 {
            return Ok(());
        }
        let read = flags & ReadFlags::CLEAR_READ_FLAG.0 == 0;
        if !m.is_new && m.embedded_in.is_none() {
            m.mailbox.set_read_flag(m.id, read).map_err(store_err)?;
        }
        let mf = m.content.props.i32(PropTag::MESSAGE_FLAGS).unwrap_or(0);
        let mf = if read { mf | message_flags::READ } else { mf & !message_flags::READ };
        m.content.props.set(PropTag::MESSAGE_FLAGS, PropValue::I32(mf));
        Ok(())
    })();
    let rv = result.err().unwrap_or(ErrorCode::SUCCESS);
    SetMessageReadFlagResponse {
        handle_index: r.response_handle_index,
        return_value: rv,
        read_status_changed: (rv == ErrorCode::SUCCESS).then_some(false),
        public_client: None,
    }
}

/// RopSubmitMessage ([MS-OXOMSG] 3.2.5.1): saves the message, delivers a
/// copy to every recipient with a mailbox in this store (Inbox, with the
/// delivery properties Exchange sets), logs external recipients to
/// `outbound.log` in the data dir, and moves the message to Sent Items
/// (capture 033).
pub(crate) fn submit(ctx: &mut Ctx<'_>, r: &SubmitMessageRequest) -> Result<(), ErrorCode> {
    let user = ctx.user.clone();
    let data_dir = ctx.data_dir.map(std::path::Path::to_path_buf);
    let store = ctx.store.clone();
    let m = message_mut(ctx, r.input_handle_index)?;
    if m.read_only {
        return Err(ErrorCode::ACCESS_DENIED);
    }
    if m.embedded_in.is_some() {
        return Err(ErrorCode::NOT_SUPPORTED);
    }
    if m.content.recipients.is_empty() {
        // MAPI_E_NO_RECIPIENTS.
        return Err(ErrorCode(0x8004_0607));
    }
    let now = store.now();
    let (from_name, from_address) = sent_as(&store, &user, &m.content.props)?;
    let eid = one_off_entry_id(&from_name, "SMTP", &from_address);
    let sender = [
        (PropTag::SENDER_NAME, PropValue::String(from_name.clone())),
        (PropTag::SENDER_EMAIL_ADDRESS, PropValue::String(from_address.clone())),
        (PropTag::SENDER_SMTP_ADDRESS, PropValue::String(from_address.clone())),
        (PropTag::SENDER_ADDRESS_TYPE, PropValue::String("SMTP".into())),
        (PropTag::SENDER_ENTRY_ID, PropValue::Binary(eid.clone())),
        (PropTag::SENT_REPRESENTING_NAME, PropValue::String(from_name.clone())),
        (PropTag::SENT_REPRESENTING_EMAIL_ADDRESS, PropValue::String(from_address.clone())),
        (PropTag::SENT_REPRESENTING_SMTP_ADDRESS, PropValue::String(from_address.clone())),
        (PropTag::SENT_REPRESENTING_ADDRESS_TYPE, PropValue::String("SMTP".into())),
        (PropTag::SENT_REPRESENTING_ENTRY_ID, PropValue::Binary(eid)),
        (PropTag::CLIENT_SUBMIT_TIME, PropValue::Time(now)),
    ];
    for (t, v) in sender {
        m.content.props.set(t, v);
    }
    if m.content.props.get(PropTag::INTERNET_MESSAGE_ID).is_none() {
        let host = user.address.rsplit('@').next().unwrap_or("exchange-sim.invalid").to_owned();
        m.content
            .props
            .set(PropTag::INTERNET_MESSAGE_ID, PropValue::String(format!("<{:x}.{}@{host}>", now.0, m.id.0)));
    }
    let mf = m.content.props.i32(PropTag::MESSAGE_FLAGS).unwrap_or(0);
    m.content.props.set(PropTag::MESSAGE_FLAGS, PropValue::I32((mf & !MF_UNSENT) | message_flags::READ));
    let saved = m
        .mailbox
        .save_message(
            m.folder,
            Some(m.id),
            m.fai,
            &m.content,
            if m.import { SaveMode::Import } else { SaveMode::Normal },
        )
        .map_err(store_err)?;
    m.is_new = false;
    let mut external = Vec::new();
    for rcpt in &m.content.recipients {
        let address =
            rcpt.string(PropTag::SMTP_ADDRESS).or_else(|| rcpt.string(PropTag::EMAIL_ADDRESS)).unwrap_or_default();
        match store.mailbox(&address) {
            Ok(target) => deliver(&m.mailbox, &target, &m.content, rcpt, now)?,
            Err(StoreError::NotFound(_)) => external.push(address),
            Err(e) => return Err(store_err(e)),
        }
    }
    if !external.is_empty()
        && let Some(dir) = data_dir
    {
        let line = format!(
            "{}\tfrom={}\tto={}\tsubject={}\n",
            now.0,
            user.address,
            external.join(","),
            m.content.props.string(PropTag::SUBJECT).unwrap_or_default().replace(['\t', '\n', '\r'], " ")
        );
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("outbound.log"))
            .map_err(|_| ErrorCode::GENERAL_FAILURE)?;
        f.write_all(line.as_bytes()).map_err(|_| ErrorCode::GENERAL_FAILURE)?;
    }
    let sent = m.mailbox.special_folder(SpecialFolder::SentItems);
    if m.folder != sent {
        let moved = m.mailbox.move_messages(m.folder, sent, &[saved.id]).map_err(store_err)?;
        // The sent copy is a new object in Sent Items (a move gives a new MID).
        if let Some(id) = moved.first() {
            m.id = *id;
        }
        m.folder = sent;
    }
    Ok(())
}

/// Who a submitted message is from: the submitting user, or the mailbox
/// the client named in PidTagSentRepresentingSmtpAddress /
/// PidTagSentRepresentingEmailAddress (SMTP address or legacyDN) if the
/// user holds Send As on it; then sender and sent-representing both name
/// that mailbox, as Exchange writes a Send As message. Naming a mailbox
/// without the right, or an address that is no mailbox here, fails with
/// ecAccessDenied like Exchange's submission check ([MS-OXOMSG] 3.2.5.1).
fn sent_as(
    store: &crate::store::Store,
    user: &crate::auth::AuthUser,
    props: &PropBag,
) -> Result<(String, String), ErrorCode> {
    let named = props
        .string(PropTag::SENT_REPRESENTING_SMTP_ADDRESS)
        .or_else(|| props.string(PropTag::SENT_REPRESENTING_EMAIL_ADDRESS))
        .filter(|a| !a.is_empty());
    let own = (user.display_name.clone(), user.address.clone());
    let Some(address) = named else { return Ok(own) };
    if address.eq_ignore_ascii_case(&user.address) || address.eq_ignore_ascii_case(&user.legacy_dn) {
        return Ok(own);
    }
    let target = match store.mailbox(&address) {
        Ok(t) => t,
        Err(StoreError::NotFound(_)) => return Err(ErrorCode::ACCESS_DENIED),
        Err(e) => return Err(store_err(e)),
    };
    if !target.may_send_as(&user.address).map_err(store_err)? {
        return Err(ErrorCode::ACCESS_DENIED);
    }
    let info = target.info();
    Ok((info.display_name.clone(), info.address.clone()))
}

/// Stores one delivered copy in `target`'s Inbox.
fn deliver(
    sender: &Mailbox,
    target: &Mailbox,
    content: &MessageContent,
    rcpt: &PropBag,
    now: mapi_wire::prop_value::FileTime,
) -> Result<(), ErrorCode> {
    let info = target.info();
    let mut copy = content.clone();
    let eid = one_off_entry_id(&info.display_name, "SMTP", &info.address);
    let _ = rcpt;
    for (t, v) in [
        (PropTag::MESSAGE_DELIVERY_TIME, PropValue::Time(now)),
        (PropTag::RECEIVED_BY_NAME, PropValue::String(info.display_name.clone())),
        (PropTag::RECEIVED_BY_EMAIL_ADDRESS, PropValue::String(info.address.clone())),
        (PropTag::RECEIVED_BY_SMTP_ADDRESS, PropValue::String(info.address.clone())),
        (PropTag::RECEIVED_BY_ADDRESS_TYPE, PropValue::String("SMTP".into())),
        (PropTag::RECEIVED_BY_ENTRY_ID, PropValue::Binary(eid)),
        (PropTag::MESSAGE_FLAGS, PropValue::I32(0)),
    ] {
        copy.props.set(t, v);
    }
    copy.props.remove(PropTag::READ);
    super::calendar_attendant::remap_named(sender, target, &mut copy).map_err(store_err)?;
    let inbox = target.special_folder(SpecialFolder::Inbox);
    target.save_message(inbox, None, false, &copy, SaveMode::Normal).map_err(store_err)?;
    super::calendar_attendant::on_delivery(target, &copy, now).map_err(store_err)?;
    Ok(())
}

fn next_attach_number(content: &MessageContent) -> u32 {
    content.attachments.iter().filter_map(|a| a.props.i32(PropTag::ATTACH_NUMBER)).max().map_or(0, |m| m as u32 + 1)
}

/// RopOpenAttachment ([MS-OXCMSG] 3.2.5.12): ecNotFound for an unknown
/// attachment number.
pub(crate) fn open_attachment(ctx: &mut Ctx<'_>, r: &OpenAttachmentRequest) -> Result<(), ErrorCode> {
    let message_handle = ctx.handle(r.input_handle_index);
    let m = message_ref(ctx, r.input_handle_index)?;
    let a = m
        .content
        .attachments
        .iter()
        .find(|a| a.props.i32(PropTag::ATTACH_NUMBER) == Some(r.attachment_id as i32))
        .ok_or(ErrorCode::NOT_FOUND)?;
    let obj =
        AttachmentObj { message_handle, number: r.attachment_id, props: a.props.clone(), embedded: a.embedded.clone() };
    ctx.output(r.output_handle_index, Object::Attachment(Box::new(obj)));
    Ok(())
}

/// RopCreateAttachment ([MS-OXCMSG] 3.2.5.13): the next attachment number.
pub(crate) fn create_attachment(
    ctx: &mut Ctx<'_>,
    r: &CreateAttachmentRequest,
) -> Result<CreateAttachmentSuccess, ErrorCode> {
    let message_handle = ctx.handle(r.input_handle_index);
    let m = message_ref(ctx, r.input_handle_index)?;
    if m.read_only {
        return Err(ErrorCode::ACCESS_DENIED);
    }
    let number = next_attach_number(&m.content);
    let mut props = PropBag::new();
    props.set(PropTag::ATTACH_NUMBER, PropValue::I32(number as i32));
    let obj = AttachmentObj { message_handle, number, props, embedded: None };
    ctx.output(r.output_handle_index, Object::Attachment(Box::new(obj)));
    Ok(CreateAttachmentSuccess { attachment_id: number })
}

/// RopSaveChangesAttachment ([MS-OXCMSG] 3.2.5.14): writes the attachment
/// into its message object (stored with the message's next save).
pub(crate) fn save_attachment(ctx: &mut Ctx<'_>, r: &SaveChangesAttachmentRequest) -> Result<(), ErrorCode> {
    let (message_handle, number, props, embedded) = match ctx.object(r.input_handle_index)? {
        Object::Attachment(a) => (a.message_handle, a.number, a.props.clone(), a.embedded.clone()),
        _ => return Err(ErrorCode::NOT_SUPPORTED),
    };
    let Some(Object::Message(m)) = ctx.session.objects.get_mut(&message_handle) else {
        return Err(ErrorCode::NULL_OBJECT);
    };
    let att = Attachment { props, embedded };
    match m.content.attachments.iter_mut().find(|a| a.props.i32(PropTag::ATTACH_NUMBER) == Some(number as i32)) {
        Some(slot) => *slot = att,
        None => m.content.attachments.push(att),
    }
    Ok(())
}

/// RopDeleteAttachment ([MS-OXCMSG] 3.2.5.15).
pub(crate) fn delete_attachment(ctx: &mut Ctx<'_>, r: &DeleteAttachmentRequest) -> Result<(), ErrorCode> {
    let m = message_mut(ctx, r.input_handle_index)?;
    if m.read_only {
        return Err(ErrorCode::ACCESS_DENIED);
    }
    let before = m.content.attachments.len();
    m.content.attachments.retain(|a| a.props.i32(PropTag::ATTACH_NUMBER) != Some(r.attachment_id as i32));
    if m.content.attachments.len() == before {
        return Err(ErrorCode::NOT_FOUND);
    }
    Ok(())
}

/// RopGetValidAttachments ([MS-OXCMSG] 3.2.5.19).
pub(crate) fn valid_attachments(ctx: &mut Ctx<'_>, index: u8) -> Result<GetValidAttachmentsSuccess, ErrorCode> {
    let m = message_ref(ctx, index)?;
    let attachment_ids =
        m.content.attachments.iter().filter_map(|a| a.props.i32(PropTag::ATTACH_NUMBER)).map(|n| n as u32).collect();
    Ok(GetValidAttachmentsSuccess { attachment_ids })
}

/// RopOpenEmbeddedMessage ([MS-OXCMSG] 3.2.5.16): the message in an
/// attachment (ATTACH_EMBEDDED_MSG); with the Create flag a new one when
/// there is none, else ecNotFound.
pub(crate) fn open_embedded(
    ctx: &mut Ctx<'_>,
    r: &OpenEmbeddedMessageRequest,
) -> Result<OpenEmbeddedMessageSuccess, ErrorCode> {
    let att_handle = ctx.handle(r.input_handle_index);
    let (parent, embedded) = match ctx.object(r.input_handle_index)? {
        Object::Attachment(a) => (a.message_handle, a.embedded.clone()),
        _ => return Err(ErrorCode::NOT_SUPPORTED),
    };
    let (mailbox, folder, read_only) = match ctx.session.objects.get(&parent) {
        Some(Object::Message(m)) => (m.mailbox.clone(), m.folder, m.read_only),
        _ => return Err(ErrorCode::NULL_OBJECT),
    };
    let create = r.open_mode_flags.0 & MessageOpenModeFlags::CREATE.0 != 0;
    let (content, is_new) = match embedded {
        Some(c) => (*c, false),
        None if create && !read_only => {
            let mut props = PropBag::new();
            props.set(PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note".into()));
            props.set(PropTag::MESSAGE_FLAGS, PropValue::I32(MF_UNSENT));
            (MessageContent { props, recipients: Vec::new(), attachments: Vec::new() }, true)
        }
        None => return Err(ErrorCode::NOT_FOUND),
    };
    let write = r.open_mode_flags.0 & 0x03 != 0;
    if write && read_only && r.open_mode_flags == MessageOpenModeFlags::READ_WRITE {
        return Err(ErrorCode::ACCESS_DENIED);
    }
    let id = mailbox.allocate_message_id().map_err(store_err)?;
    let info = message_info(&content, code_page(ctx, r.code_page_id))?;
    ctx.output(
        r.output_handle_index,
        Object::Message(Box::new(MessageObj {
            mailbox,
            folder,
            id,
            fai: false,
            is_new,
            content,
            read_only: read_only || !write,
            embedded_in: Some(att_handle),
            import: false,
        })),
    );
    Ok(OpenEmbeddedMessageSuccess { reserved: 0, message_id: id, info })
}

#[cfg(test)]
mod subject_tests {
    use super::split_subject;

    #[test]
    fn prefixes_are_one_to_three_non_digits_then_colon_space() {
        assert_eq!(split_subject("RE: Lunch"), ("RE: ", "Lunch"));
        assert_eq!(split_subject("AW: Wg: x"), ("AW: ", "Wg: x"));
        assert_eq!(split_subject("Lunch"), ("", "Lunch"));
        assert_eq!(split_subject("Time: 10:30"), ("", "Time: 10:30"));
        assert_eq!(split_subject("10: ten"), ("", "10: ten"));
        assert_eq!(split_subject("RE:x"), ("", "RE:x"));
        assert_eq!(split_subject("Ä: ü"), ("Ä: ", "ü"));
    }
}
