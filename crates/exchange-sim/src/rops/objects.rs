//! The server objects of a session and their handles ([MS-OXCROPS] 2.2.1,
//! 3.2.5.1 "Server Object Handle Table"): a handle value names one object
//! until RopRelease; the per-Execute handle table maps indices to values.

use std::collections::HashMap;

use mapi_wire::PropTag;
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::restriction::Restriction;
use mapi_wire::sort::SortOrderSet;

use crate::store::table::TableView;
use crate::store::{Mailbox, MessageContent, PropBag};

/// What one handle names.
pub(crate) enum Object {
    /// A RopLogon result.
    Logon(LogonObj),
    /// An opened folder.
    Folder(FolderObj),
    /// An opened or created message (changes live here until
    /// RopSaveChangesMessage).
    Message(Box<MessageObj>),
    /// An opened or created attachment of a message object.
    Attachment(Box<AttachmentObj>),
    /// A hierarchy, contents or attachment table.
    Table(Box<TableObj>),
    /// A notification subscription (RopRegisterNotification); held for
    /// its Drop, which ends the store subscription.
    Notification(#[allow(dead_code)] Box<NotificationObj>),
    /// A property stream (RopOpenStream).
    Stream(Box<StreamObj>),
    /// An ICS download context or a FastTransfer state download.
    Sync(Box<super::ics::SyncObj>),
    /// An ICS upload context (RopSynchronizationOpenCollector).
    Collector(Box<super::ics_upload::CollectorObj>),
}

/// A stream over one property of a message, attachment or folder object
/// ([MS-OXCPRPT] 3.2.5.13): the bytes live here until RopCommitStream.
pub(crate) struct StreamObj {
    pub(crate) parent: u32,
    pub(crate) tag: PropTag,
    pub(crate) data: Vec<u8>,
    pub(crate) position: usize,
    pub(crate) writable: bool,
}

/// A RopRegisterNotification subscription: the store subscription to drop
/// on release.
pub(crate) struct NotificationObj {
    pub(crate) store: crate::store::Store,
    pub(crate) subscription: crate::store::SubscriptionId,
}

impl Drop for NotificationObj {
    fn drop(&mut self) {
        self.store.unsubscribe(self.subscription);
    }
}

/// A logon: the mailbox and the logon's identity.
pub(crate) struct LogonObj {
    pub(crate) mailbox: Mailbox,
}

/// A folder object.
pub(crate) struct FolderObj {
    pub(crate) mailbox: Mailbox,
    pub(crate) id: FolderId,
}

/// A message object.
pub(crate) struct MessageObj {
    pub(crate) mailbox: Mailbox,
    pub(crate) folder: FolderId,
    pub(crate) id: MessageId,
    pub(crate) fai: bool,
    /// True until the first RopSaveChangesMessage.
    pub(crate) is_new: bool,
    pub(crate) content: MessageContent,
    pub(crate) read_only: bool,
    /// For an embedded message (RopOpenEmbeddedMessage): the handle of its
    /// attachment object, which RopSaveChangesMessage writes into.
    pub(crate) embedded_in: Option<u32>,
    /// Opened by RopSynchronizationImportMessageChange: RopSaveChangesMessage
    /// keeps the client's change key and PCL ([`SaveMode::Import`](crate::store::SaveMode)).
    pub(crate) import: bool,
}

/// An attachment object: its parent message's handle and its properties.
pub(crate) struct AttachmentObj {
    pub(crate) message_handle: u32,
    pub(crate) number: u32,
    pub(crate) props: PropBag,
    pub(crate) embedded: Option<Box<MessageContent>>,
}

/// What a table lists.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum TableKind {
    /// Subfolders (recursive with the Depth flag).
    Hierarchy { folder: FolderId, depth: bool },
    /// Messages (FAI with the Associated flag).
    Contents { folder: FolderId, fai: bool },
    /// The attachments of a message object.
    Attachments { message_handle: u32 },
}

/// A table object: the rows come from the store when needed.
pub(crate) struct TableObj {
    pub(crate) mailbox: Mailbox,
    pub(crate) kind: TableKind,
    pub(crate) columns: Option<Vec<PropTag>>,
    pub(crate) restriction: Option<Restriction>,
    pub(crate) sort: Option<SortOrderSet>,
    pub(crate) view: TableView,
    /// The rows as last loaded from the store (shared with the other
    /// tables of the same folder at the same change counter).
    pub(crate) rows: std::sync::Arc<super::row_cache::TableRows>,
    /// The mailbox's change counter when `rows` were loaded: the cache
    /// key. Every store write that can change a row allocates a change
    /// number, so an equal counter means equal rows. None = load again.
    pub(crate) rows_cn: Option<u64>,
    /// `view` is ordered by the current restriction and sort over `rows`.
    pub(crate) ordered: bool,
    /// The cursor was placed (at the beginning) after open, sort,
    /// restrict or reset.
    pub(crate) loaded: bool,
    /// The store subscription behind its TableModified notifications.
    pub(crate) subscription: Option<NotificationObj>,
}

impl TableObj {
    /// The properties of row `id` as last loaded.
    pub(crate) fn row(&self, id: u64) -> Option<&PropBag> {
        self.rows.get(id)
    }
}

/// The executor's per-session state (in
/// [`SessionState::data`](crate::session::SessionState)).
pub(crate) struct RopSession {
    pub(crate) objects: HashMap<u32, Object>,
    /// The LogonId each handle was created under: a handle names its object
    /// only to ROPs of the same logon (as in gromox, whose handle tables are
    /// per logon).
    logon_of: HashMap<u32, u8>,
    /// The active logons: LogonId → the handle of the RopLogon object.
    logons: HashMap<u8, u32>,
    /// LogonId of the ROP being executed ([MS-OXCROPS] 2.2.1).
    pub(crate) logon_id: u8,
    next_handle: u32,
    /// The Connect request's DefaultCodePage (CodePageId 0x0FFF).
    pub(crate) code_page: u32,
}

impl RopSession {
    pub(crate) fn new(code_page: u32) -> Self {
        Self {
            objects: HashMap::new(),
            logon_of: HashMap::new(),
            logons: HashMap::new(),
            logon_id: 0,
            next_handle: 0,
            code_page,
        }
    }

    /// Stores `object` under a fresh handle value (never 0xFFFFFFFF),
    /// owned by the logon of the current ROP.
    pub(crate) fn insert(&mut self, object: Object) -> u32 {
        let mut h = self.next_handle;
        while h == u32::MAX || self.objects.contains_key(&h) {
            h = h.wrapping_add(1);
        }
        self.next_handle = h.wrapping_add(1);
        self.objects.insert(h, object);
        self.logon_of.insert(h, self.logon_id);
        h
    }

    /// True when `handle` names an object of the current ROP's logon.
    pub(crate) fn in_current_logon(&self, handle: u32) -> bool {
        self.logon_of.get(&handle) == Some(&self.logon_id)
    }

    /// [MS-OXCROPS] 3.1.4.2: a RopLogon with the LogonId of an active logon
    /// releases that logon and every object opened in it; the new logon
    /// takes its place.
    pub(crate) fn release_logon(&mut self, logon_id: u8) {
        if self.logons.remove(&logon_id).is_none() {
            return;
        }
        let owned: Vec<u32> = self.logon_of.iter().filter(|(_, l)| **l == logon_id).map(|(h, _)| *h).collect();
        for h in owned {
            self.release(h);
        }
    }

    /// Records the logon object `handle` as the active logon `logon_id`.
    pub(crate) fn logged_on(&mut self, logon_id: u8, handle: u32) {
        self.logons.insert(logon_id, handle);
    }

    /// Frees a handle and every object that depends on it (attachments
    /// of a message, tables of a message).
    pub(crate) fn release(&mut self, handle: u32) {
        self.logon_of.remove(&handle);
        if let Some(id) = self.logons.iter().find(|(_, h)| **h == handle).map(|(id, _)| *id) {
            // RopRelease of a logon object ends the logon (its LogonId is free again).
            self.logons.remove(&id);
        }
        if self.objects.remove(&handle).is_some() {
            let dependants: Vec<u32> = self
                .objects
                .iter()
                .filter(|(_, o)| match o {
                    Object::Attachment(a) => a.message_handle == handle,
                    Object::Table(t) => t.kind == TableKind::Attachments { message_handle: handle },
                    Object::Stream(st) => st.parent == handle,
                    Object::Message(m) => m.embedded_in == Some(handle),
                    _ => false,
                })
                .map(|(h, _)| *h)
                .collect();
            for d in dependants {
                self.release(d);
            }
        }
    }
}
