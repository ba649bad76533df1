//! [MS-OXCROPS] 2.2.14 notifications ([MS-OXCNOTIF] 3.2.5): a
//! RopRegisterNotification subscribes to the store's events; matching
//! events are queued on the session (waking NotificationWait) and turned
//! into RopNotify responses at the end of the next Execute, with RopPending
//! when they do not all fit (captures 041–044).

use std::sync::Arc;

use mapi_wire::ErrorCode;
use mapi_wire::PropTag;
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::rop::*;

use super::dispatch::Ctx;
use super::logon::mailbox_of;
use super::objects::{NotificationObj, Object, RopSession, TableKind};
use super::row_cache::contents_row;
use super::table::property_row;
use crate::session::{Event, NotificationQueue};
use crate::store::table::TableView;
use crate::store::{Mailbox, StoreEvent};

/// RopPending SessionIndex (capture 043 shows 5; the value names the
/// session holding the notifications and is opaque to clients).
const PENDING_SESSION_INDEX: u16 = 5;

/// One queued store event for one subscription.
pub(crate) struct QueuedEvent {
    handle: u32,
    logon_id: u8,
    types: u16,
    mailbox: Mailbox,
    event: StoreEvent,
    /// A contents table's subscription (TableModified events).
    table: bool,
}

/// What a subscription watches.
#[derive(Clone, Copy)]
enum Target {
    Store,
    Folder(FolderId),
    Message(FolderId, MessageId),
}

fn event_store(e: &StoreEvent) -> i64 {
    match e {
        StoreEvent::FolderCreated { store, .. }
        | StoreEvent::FolderModified { store, .. }
        | StoreEvent::FolderDeleted { store, .. }
        | StoreEvent::FolderMoved { store, .. }
        | StoreEvent::FolderCopied { store, .. }
        | StoreEvent::MessageCreated { store, .. }
        | StoreEvent::MessageModified { store, .. }
        | StoreEvent::MessageDeleted { store, .. }
        | StoreEvent::MessageMoved { store, .. }
        | StoreEvent::MessageCopied { store, .. } => *store,
    }
}

fn matches(target: Target, e: &StoreEvent) -> bool {
    let (folders, message): (Vec<FolderId>, Option<MessageId>) = match e {
        StoreEvent::FolderCreated { folder, parent, .. } | StoreEvent::FolderDeleted { folder, parent, .. } => {
            (vec![*folder, *parent], None)
        }
        StoreEvent::FolderModified { folder, .. } => (vec![*folder], None),
        StoreEvent::FolderMoved { folder, old_parent, new_parent, .. } => {
            (vec![*folder, *old_parent, *new_parent], None)
        }
        StoreEvent::FolderCopied { folder, parent, .. } => (vec![*folder, *parent], None),
        StoreEvent::MessageCreated { folder, message, .. }
        | StoreEvent::MessageModified { folder, message, .. }
        | StoreEvent::MessageDeleted { folder, message, .. }
        | StoreEvent::MessageCopied { folder, message, .. } => (vec![*folder], Some(*message)),
        StoreEvent::MessageMoved { message, old_message, old_folder, new_folder, .. } => {
            // A subscription on the message names its old MID.
            if let Target::Message(f, m) = target {
                return f == *old_folder && m == *old_message;
            }
            (vec![*old_folder, *new_folder], Some(*message))
        }
    };
    match target {
        Target::Store => true,
        Target::Folder(f) => folders.contains(&f),
        Target::Message(f, m) => folders.contains(&f) && message == Some(m),
    }
}

/// RopRegisterNotification ([MS-OXCNOTIF] 3.2.5.1): whole store or one
/// folder/message; the subscription lives until RopRelease.
pub(crate) fn register(ctx: &mut Ctx<'_>, r: &RegisterNotificationRequest) -> Result<(), ErrorCode> {
    let object = ctx.object(r.input_handle_index)?;
    let mailbox = match object {
        Object::Logon(_) | Object::Folder(_) => mailbox_of(object, ctx).ok_or(ErrorCode::NULL_OBJECT)?,
        _ => return Err(ErrorCode::NOT_SUPPORTED),
    };
    if r.notification_types == 0 {
        return Err(ErrorCode::INVALID_PARAMETER);
    }
    let target = match r.target {
        None => Target::Store,
        Some((f, 0)) => Target::Folder(FolderId(f)),
        Some((f, m)) => Target::Message(FolderId(f), MessageId(m)),
    };
    // A placeholder gets the handle the events will carry.
    let handle =
        ctx.output(r.output_handle_index, Object::Logon(super::objects::LogonObj { mailbox: mailbox.clone() }));
    let queue: NotificationQueue = ctx.notifications.clone();
    let store_id = mailbox.id();
    let types = u16::from(r.notification_types);
    let logon_id = r.logon_id;
    let mb = mailbox.clone();
    let subscription = ctx.store.subscribe(move |e| {
        if event_store(e) == store_id && matches(target, e) {
            let q: Event =
                Arc::new(QueuedEvent { handle, logon_id, types, mailbox: mb.clone(), event: e.clone(), table: false });
            queue.push(q);
        }
    });
    ctx.session
        .objects
        .insert(handle, Object::Notification(Box::new(NotificationObj { store: ctx.store.clone(), subscription })));
    Ok(())
}

/// Subscribes a contents table of `folder` (handle `handle`) to the
/// changes of its rows: TableModified notifications (capture 044: 0x8100
/// with the row in the table's columns).
pub(crate) fn subscribe_table(
    ctx: &mut Ctx<'_>,
    handle: u32,
    mailbox: &Mailbox,
    folder: FolderId,
    fai: bool,
) -> NotificationObj {
    let queue: NotificationQueue = ctx.notifications.clone();
    let store_id = mailbox.id();
    let mb = mailbox.clone();
    // RopNotify names the logon of the table ([MS-OXCROPS] 2.2.14.2).
    let logon_id = ctx.session.logon_id;
    let subscription = ctx.store.subscribe(move |e| {
        let hit = match e {
            StoreEvent::MessageCreated { folder: f, fai: a, .. } => *f == folder && *a == fai,
            StoreEvent::MessageModified { folder: f, .. } | StoreEvent::MessageDeleted { folder: f, .. } => {
                *f == folder
            }
            StoreEvent::MessageMoved { old_folder, new_folder, .. } => *old_folder == folder || *new_folder == folder,
            StoreEvent::MessageCopied { folder: f, .. } => *f == folder,
            _ => false,
        };
        if event_store(e) == store_id && hit {
            let q: Event = Arc::new(QueuedEvent {
                handle,
                logon_id,
                types: NotificationType::TABLE_MODIFIED.0,
                mailbox: mb.clone(),
                event: e.clone(),
                table: true,
            });
            queue.push(q);
        }
    });
    NotificationObj { store: ctx.store.clone(), subscription }
}

/// The TableModified notification of one queued event for the table
/// `handle` of `session` (none when the table is gone, has no columns, or
/// the row is outside its restriction). The row comes from the store; its
/// neighbours (for InsertAfter) from the table's last loaded rows, so a
/// notification costs one message read, not a folder load.
fn table_notification(q: &QueuedEvent, session: &RopSession) -> Option<NotificationData> {
    let Some(Object::Table(t)) = session.objects.get(&q.handle) else { return None };
    let columns = t.columns.clone()?;
    let TableKind::Contents { folder, fai } = t.kind else { return None };
    let changed_mid = match &q.event {
        StoreEvent::MessageCreated { message, .. }
        | StoreEvent::MessageModified { message, .. }
        | StoreEvent::MessageCopied { message, .. }
        | StoreEvent::MessageDeleted { message, .. } => *message,
        StoreEvent::MessageMoved { message, new_folder, .. } if *new_folder == folder => *message,
        StoreEvent::MessageMoved { old_message, .. } => *old_message,
        _ => return None,
    };
    let changed = q
        .mailbox
        .message(changed_mid)
        .ok()
        .filter(|m| m.folder == folder && m.fai == fai)
        .map(|m| contents_row(m.content));
    let mut rows: Vec<(u64, &crate::store::MessageContent)> =
        t.rows.rows.iter().filter(|(id, _)| *id != changed_mid.0).map(|(id, b)| (*id, b.as_ref())).collect();
    if let Some(bag) = &changed {
        let at = rows.partition_point(|(id, _)| *id < changed_mid.0);
        rows.insert(at, (changed_mid.0, bag));
    }
    let view = TableView::new(&rows, t.restriction.as_ref(), t.sort.as_ref());
    let flags = NotificationType::TABLE_MODIFIED.0 | NOTIFY_MESSAGE;
    let row_event = |ev: TableEventType, mid: MessageId, with_row: bool| -> Option<NotificationData> {
        let mut d = data(flags);
        d.table_event = Some(ev);
        d.table_row_folder_id = Some(folder.0);
        d.table_row_message_id = Some(mid.0);
        d.table_row_instance = Some(0);
        if with_row {
            let pos = view.ids().iter().position(|i| *i == mid.0)?;
            let after = pos.checked_sub(1).and_then(|p| view.ids().get(p)).copied().unwrap_or(0);
            d.insert_after_folder_id = Some(if after == 0 { 0 } else { folder.0 });
            d.insert_after_row_id = Some(after);
            d.insert_after_instance = Some(0);
            let bag = rows.iter().find(|(i, _)| *i == mid.0).map(|(_, b)| *b)?;
            d.table_row_data =
                Some(TableRowData::Row { columns: columns.clone(), row: property_row(&bag.props, &columns) });
        }
        Some(d)
    };
    match &q.event {
        StoreEvent::MessageCreated { message, .. } => row_event(TableEventType::TABLE_ROW_ADDED, *message, true),
        StoreEvent::MessageCopied { message, folder: f, .. } if *f == folder => {
            row_event(TableEventType::TABLE_ROW_ADDED, *message, true)
        }
        StoreEvent::MessageMoved { message, new_folder, .. } if *new_folder == folder => {
            row_event(TableEventType::TABLE_ROW_ADDED, *message, true)
        }
        StoreEvent::MessageModified { message, .. } => row_event(TableEventType::TABLE_ROW_MODIFIED, *message, true),
        StoreEvent::MessageDeleted { message, .. } | StoreEvent::MessageMoved { old_message: message, .. } => {
            row_event(TableEventType::TABLE_ROW_DELETED, *message, false)
        }
        _ => None,
    }
}

fn has(types: u16, t: NotificationType) -> bool {
    types & t.0 != 0
}

fn data(flags: u16) -> NotificationData {
    NotificationData { flags, ..NotificationData::default() }
}

/// The RopNotify data for one queued event ([MS-OXCNOTIF] 2.2.1.4.1.2;
/// field order as capture 044).
fn notifications(q: &QueuedEvent) -> Vec<NotificationData> {
    let t = q.types;
    let mut out = Vec::new();
    let m = NOTIFY_MESSAGE;
    let no_tags = || Some(ChangedTags::List(Vec::new()));
    let counts = |folder: FolderId| -> Option<NotificationData> {
        let props = q.mailbox.folder_props(folder).ok()?;
        let mut d = data(NotificationType::OBJECT_MODIFIED.0 | NOTIFY_TOTAL | NOTIFY_UNREAD);
        d.folder_id = Some(folder.0);
        d.tags = no_tags();
        d.total_message_count = Some(props.i32(PropTag(0x3602_0003)).unwrap_or(0) as u32);
        d.unread_message_count = Some(props.i32(PropTag(0x3603_0003)).unwrap_or(0) as u32);
        Some(d)
    };
    match &q.event {
        StoreEvent::MessageCreated { folder, message, fai, .. } => {
            if has(t, NotificationType::OBJECT_CREATED) {
                let mut d = data(NotificationType::OBJECT_CREATED.0 | m);
                d.folder_id = Some(folder.0);
                d.message_id = Some(message.0);
                d.tags = no_tags();
                out.push(d);
            }
            if has(t, NotificationType::OBJECT_MODIFIED)
                && let Some(d) = counts(*folder)
            {
                out.push(d);
            }
            if has(t, NotificationType::NEW_MAIL) && !fai {
                let msg = q.mailbox.message(*message).ok();
                let props = msg.as_ref().map(|m| &m.content.props);
                let class = props.and_then(|p| p.string(PropTag::MESSAGE_CLASS)).unwrap_or_else(|| "IPM.Note".into());
                let flags = props.and_then(|p| p.i32(PropTag::MESSAGE_FLAGS)).unwrap_or(0) as u32;
                let mut d = data(NotificationType::NEW_MAIL.0 | m);
                d.folder_id = Some(folder.0);
                d.message_id = Some(message.0);
                // UnicodeFlag 0 and an 8-bit class (corrections A23).
                d.new_mail = Some(NewMailData {
                    message_flags: flags,
                    message_class: MessageClass::Ascii(
                        class.chars().map(|c| u8::try_from(c).unwrap_or(b'?')).collect(),
                    ),
                });
                out.push(d);
            }
        }
        StoreEvent::MessageModified { folder, message, .. } if has(t, NotificationType::OBJECT_MODIFIED) => {
            let mut d = data(NotificationType::OBJECT_MODIFIED.0 | m);
            d.folder_id = Some(folder.0);
            d.message_id = Some(message.0);
            d.tags = no_tags();
            out.push(d);
        }
        StoreEvent::MessageDeleted { folder, message, .. } => {
            if has(t, NotificationType::OBJECT_DELETED) {
                let mut d = data(NotificationType::OBJECT_DELETED.0 | m);
                d.folder_id = Some(folder.0);
                d.message_id = Some(message.0);
                out.push(d);
            }
            if has(t, NotificationType::OBJECT_MODIFIED)
                && let Some(d) = counts(*folder)
            {
                out.push(d);
            }
        }
        StoreEvent::MessageMoved { message, old_message, old_folder, new_folder, .. }
            if has(t, NotificationType::OBJECT_MOVED) =>
        {
            let mut d = data(NotificationType::OBJECT_MOVED.0 | m);
            d.folder_id = Some(new_folder.0);
            d.message_id = Some(message.0);
            d.old_folder_id = Some(old_folder.0);
            d.old_message_id = Some(old_message.0);
            out.push(d);
        }
        StoreEvent::MessageCopied { message, folder, source, source_folder, .. }
            if has(t, NotificationType::OBJECT_COPIED) =>
        {
            let mut d = data(NotificationType::OBJECT_COPIED.0 | m);
            d.folder_id = Some(folder.0);
            d.message_id = Some(message.0);
            d.old_folder_id = Some(source_folder.0);
            d.old_message_id = Some(source.0);
            out.push(d);
        }
        StoreEvent::FolderCreated { folder, parent, .. } if has(t, NotificationType::OBJECT_CREATED) => {
            let mut d = data(NotificationType::OBJECT_CREATED.0);
            d.folder_id = Some(folder.0);
            d.parent_folder_id = Some(parent.0);
            d.tags = no_tags();
            out.push(d);
        }
        StoreEvent::FolderModified { folder, .. } if has(t, NotificationType::OBJECT_MODIFIED) => {
            let mut d = data(NotificationType::OBJECT_MODIFIED.0);
            d.folder_id = Some(folder.0);
            d.tags = no_tags();
            out.push(d);
        }
        StoreEvent::FolderDeleted { folder, parent, .. } if has(t, NotificationType::OBJECT_DELETED) => {
            let mut d = data(NotificationType::OBJECT_DELETED.0);
            d.folder_id = Some(folder.0);
            d.parent_folder_id = Some(parent.0);
            out.push(d);
        }
        StoreEvent::FolderMoved { folder, old_parent, new_parent, .. } if has(t, NotificationType::OBJECT_MOVED) => {
            let mut d = data(NotificationType::OBJECT_MOVED.0);
            d.folder_id = Some(folder.0);
            d.parent_folder_id = Some(new_parent.0);
            d.old_folder_id = Some(folder.0);
            d.old_parent_folder_id = Some(old_parent.0);
            out.push(d);
        }
        StoreEvent::FolderCopied { folder, parent, source, .. } if has(t, NotificationType::OBJECT_COPIED) => {
            let mut d = data(NotificationType::OBJECT_COPIED.0);
            d.folder_id = Some(folder.0);
            d.parent_folder_id = Some(parent.0);
            d.old_folder_id = Some(source.0);
            d.old_parent_folder_id = Some(parent.0);
            out.push(d);
        }
        _ => {}
    }
    out
}

/// RopNotify responses already encoded for a drained event, queued back
/// when only some of them fitted: the rest keep their order.
struct EncodedNotifications(Vec<Vec<u8>>);

/// Appends the RopNotify responses of the queued events that fit `room`
/// bytes, one notification at a time (capture 043: MaxRopOut 0x60 holds the
/// ObjectCreated of a delivery, its other notifications come with the next
/// Execute, 044); the rest go back on the queue and a RopPending is
/// appended. Returns the bytes.
pub(crate) fn drain(queue: &NotificationQueue, room: usize, session: &RopSession) -> Vec<u8> {
    const PENDING_LEN: usize = 3;
    // Kept free after the last notification: with MaxRopOut 0x60 gromox
    // sends one 26-byte RopNotify where two would fit the bytes (043).
    const NOTIFY_RESERVE: usize = 32;
    let room = room.saturating_sub(NOTIFY_RESERVE);
    let events = queue.drain();
    let mut out = Vec::new();
    let mut rest: Vec<Event> = Vec::new();
    for e in events {
        if !rest.is_empty() {
            rest.push(e);
            continue;
        }
        let encoded: Vec<Vec<u8>> = if let Some(q) = e.downcast_ref::<QueuedEvent>() {
            let list = if q.table { table_notification(q, session).into_iter().collect() } else { notifications(q) };
            list.into_iter()
                .filter_map(|d| {
                    let r = RopResponse::Notify(NotifyResponse {
                        notification_handle: q.handle,
                        logon_id: q.logon_id,
                        data: d,
                    });
                    let mut bytes = Vec::new();
                    r.encode(&mut bytes).ok().map(|()| bytes)
                })
                .collect()
        } else if let Some(EncodedNotifications(list)) = e.downcast_ref::<EncodedNotifications>() {
            list.clone()
        } else {
            continue;
        };
        let mut left = encoded.into_iter();
        for bytes in left.by_ref() {
            if out.len() + bytes.len() + PENDING_LEN > room {
                rest.push(Arc::new(EncodedNotifications(std::iter::once(bytes).collect())));
                break;
            }
            out.extend_from_slice(&bytes);
        }
        let tail: Vec<Vec<u8>> = left.collect();
        if let Some(first) = rest.first_mut()
            && !tail.is_empty()
            && let Some(EncodedNotifications(list)) = first.downcast_ref::<EncodedNotifications>()
        {
            let mut all = list.clone();
            all.extend(tail);
            *first = Arc::new(EncodedNotifications(all));
        }
    }
    if !rest.is_empty() {
        queue.requeue_front(rest);
        let mut w = Vec::new();
        if RopResponse::Pending(PendingResponse { session_index: PENDING_SESSION_INDEX }).encode(&mut w).is_ok() {
            out.extend_from_slice(&w);
        }
    }
    out
}
