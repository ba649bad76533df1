//! Messages: save (create/modify), open, read state, delete, move, copy
//! ([MS-OXCMSG] 2.2.3, [MS-OXCFOLD] 2.2.1.4–2.2.1.6) and the change/deletion
//! views ICS uses ([MS-OXCFXICS] 3.2.5.9).

use mapi_wire::ids::{ChangeNumber, FolderId, MessageId, PredecessorChangeList};
use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::{Decode, Encode, PropTag};
use rusqlite::{Connection, OptionalExtension, params};

use super::error::{StoreError, StoreResult};
use super::events::StoreEvent;
use super::folder::{ClientChange, counter_of, fid, live_folder, log_deletion, stamp_change, touch_commit};
use super::props::MessageContent;
use super::{Mailbox, REPLID, alloc_cn, alloc_ids};

/// PidTagMessageFlags bits the store maintains ([MS-OXCMSG] 2.2.1.6).
pub mod flags {
    /// mfRead.
    pub const READ: i32 = 0x0001;
    /// mfHasAttach.
    pub const HAS_ATTACH: i32 = 0x0010;
    /// mfFAI.
    pub const FAI: i32 = 0x0040;
    /// mfEverRead.
    pub const EVER_READ: i32 = 0x0400;
}

/// A message of a contents table: its id, folder and full content with the
/// computed properties (PidTagMid, PidTagFolderId, sizes, flags, keys).
#[derive(Clone, Debug, PartialEq)]
pub struct MessageRow {
    /// The MID.
    pub id: MessageId,
    /// The folder.
    pub folder: FolderId,
    /// True for folder associated information (FAI).
    pub fai: bool,
    /// The content with computed properties.
    pub content: MessageContent,
}

/// An opened message (RopOpenMessage).
pub type StoredMessage = MessageRow;

/// What [`Mailbox::save_message`] reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedMessage {
    /// The MID (new for a created message).
    pub id: MessageId,
    /// The change number of this save.
    pub change_number: ChangeNumber,
    /// PidTagChangeKey after the save.
    pub change_key: Vec<u8>,
}

/// How [`Mailbox::save_message`] treats change-tracking properties.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum SaveMode {
    /// A client save (RopSaveChangesMessage): the server assigns a new change
    /// key and adds it to the PCL; client values of computed tags are ignored.
    #[default]
    Normal,
    /// An ICS upload (RopSynchronizationImportMessageChange, [MS-OXCFXICS]
    /// 3.3.5.8.2): the client's PidTagChangeKey and
    /// PidTagLastModificationTime are kept, the PCL becomes the stored one
    /// merged with the client's plus the client's change key (no server
    /// XID), a client PidTagSourceKey is kept; a new CN is still assigned.
    /// Without a client change key it behaves like `Normal` for the key.
    Import,
}

/// A message or folder and its change numbers, for ICS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChangeRow {
    /// The global counter of the MID/FID.
    pub counter: u64,
    /// CN counter of the last content change (PidTagChangeNumber).
    pub change_number: u64,
    /// CN counter of the last read-state change (= change_number for
    /// folders and for messages whose read state never changed after save).
    pub read_change_number: u64,
    /// True for FAI messages.
    pub fai: bool,
    /// The read state.
    pub read: bool,
}

/// An entry of a folder's deletion log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deletion {
    /// The global counter of the deleted/moved-out object.
    pub counter: u64,
    /// The folder the object left (global counter).
    pub folder: u64,
    /// True for a folder.
    pub is_folder: bool,
    /// True for an FAI message.
    pub fai: bool,
    /// CN counter at deletion.
    pub change_number: u64,
    /// Hard delete or move out (true) versus soft delete (false).
    pub hard: bool,
}

/// Tags the server sets on messages; ignored in client saves.
const COMPUTED_MESSAGE_TAGS: &[PropTag] = &[
    PropTag::MID,
    PropTag::FOLDER_ID,
    PropTag::PARENT_FOLDER_ID,
    PropTag::CHANGE_NUMBER,
    PropTag::ENTRY_ID,
    PropTag::PARENT_ENTRY_ID,
    PropTag::RECORD_KEY,
    PropTag::INSTANCE_KEY,
    PropTag::PARENT_SOURCE_KEY,
    PropTag::OBJECT_TYPE,
    PropTag::MESSAGE_SIZE,
    PropTag::MESSAGE_SIZE_EXTENDED,
    PropTag::HAS_ATTACHMENTS,
    PropTag::ASSOCIATED,
    PropTag::READ,
    PropTag::CREATION_TIME,
];

/// Tags kept from the client only in [`SaveMode::Import`].
const CHANGE_TAGS: &[PropTag] =
    &[PropTag::CHANGE_KEY, PropTag::PREDECESSOR_CHANGE_LIST, PropTag::LAST_MODIFICATION_TIME, PropTag::SOURCE_KEY];

fn mid(counter: u64) -> MessageId {
    MessageId::new(REPLID, counter)
}

fn mid_counter(id: MessageId) -> StoreResult<i64> {
    counter_of(FolderId(id.0))
}

pub(crate) struct MessageRec {
    pub(crate) id: u64,
    pub(crate) folder: u64,
    pub(crate) fai: bool,
    pub(crate) read: bool,
    pub(crate) cn: u64,
    pub(crate) deleted: bool,
    pub(crate) content: MessageContent,
}

const MESSAGE_COLUMNS: &str = "SELECT id, folder, fai, read, cn, deleted, content FROM messages";

type RawMessage = (i64, i64, i64, i64, i64, i64, Vec<u8>);

fn raw_message(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawMessage> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
}

fn message_rec((id, folder, fai, read, cn, deleted, blob): RawMessage) -> StoreResult<MessageRec> {
    Ok(MessageRec {
        id: id as u64,
        folder: folder as u64,
        fai: fai != 0,
        read: read != 0,
        cn: cn as u64,
        deleted: deleted != 0,
        content: MessageContent::from_blob(&blob)?,
    })
}

pub(crate) fn load_message(tx: &Connection, store: i64, counter: i64) -> StoreResult<Option<MessageRec>> {
    let row = tx
        .query_row(&format!("{MESSAGE_COLUMNS} WHERE store = ?1 AND id = ?2"), params![store, counter], raw_message)
        .optional()?;
    row.map(message_rec).transpose()
}

/// The live messages of a folder: (global counter, fai), by id.
pub(crate) fn folder_message_ids(tx: &Connection, store: i64, folder: u64) -> StoreResult<Vec<(u64, bool)>> {
    let mut st =
        tx.prepare_cached("SELECT id, fai FROM messages WHERE store = ?1 AND folder = ?2 AND deleted = 0 ORDER BY id")?;
    let rows =
        st.query_map(params![store, folder as i64], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? != 0)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Sets the message flags, read, attachment and size properties.
fn normalize(content: &mut MessageContent, fai: bool, read: bool) {
    let mut f = content.props.i32(PropTag::MESSAGE_FLAGS).unwrap_or(0);
    f = if read { f | flags::READ | flags::EVER_READ } else { f & !flags::READ };
    f = if fai { f | flags::FAI } else { f & !flags::FAI };
    f = if content.attachments.is_empty() { f & !flags::HAS_ATTACH } else { f | flags::HAS_ATTACH };
    content.props.set(PropTag::MESSAGE_FLAGS, PropValue::I32(f));
    content.props.set(PropTag::READ, PropValue::Bool(read));
    content.props.set(PropTag::HAS_ATTACHMENTS, PropValue::Bool(!content.attachments.is_empty()));
    content.props.set(PropTag::ASSOCIATED, PropValue::Bool(fai));
    for (i, r) in content.recipients.iter_mut().enumerate() {
        r.set(PropTag::ROWID, PropValue::I32(i as i32));
    }
    let mut next =
        content.attachments.iter().filter_map(|a| a.props.i32(PropTag::ATTACH_NUMBER)).max().map_or(0, |m| m + 1);
    for a in &mut content.attachments {
        if a.props.i32(PropTag::ATTACH_NUMBER).is_none() {
            a.props.set(PropTag::ATTACH_NUMBER, PropValue::I32(next));
            next += 1;
        }
    }
    content.props.remove(PropTag::MESSAGE_SIZE);
    let size = content.size();
    content.props.set(PropTag::MESSAGE_SIZE, PropValue::I32(i32::try_from(size).unwrap_or(i32::MAX)));
}

/// PidTagDisplayTo/Cc/Bcc ([MS-OXPROPS] 2.678–2.680, [MS-OXCMSG]
/// 2.2.1.7): computed from the recipient rows of that PidTagRecipientType
/// (display names, else addresses, joined by "; "), so contents tables
/// and restrictions see what the recipients say. A message without any
/// recipient row keeps what was stored (seeded and imported summaries).
fn display_recipients(c: &mut MessageContent) {
    if c.recipients.is_empty() {
        return;
    }
    for (kind, tag) in [(1, PropTag::DISPLAY_TO), (2, PropTag::DISPLAY_CC), (3, PropTag::DISPLAY_BCC)] {
        let names: Vec<String> = c
            .recipients
            .iter()
            .filter(|r| r.i32(PropTag::RECIPIENT_TYPE).map(|t| t & 0x0F) == Some(kind))
            .filter_map(|r| {
                [PropTag::DISPLAY_NAME, PropTag::SMTP_ADDRESS, PropTag::EMAIL_ADDRESS]
                    .into_iter()
                    .find_map(|t| r.string(t).filter(|s| !s.is_empty()))
            })
            .collect();
        c.props.set(tag, PropValue::String(names.join("; ")));
    }
}

fn write_message(
    tx: &Connection,
    store: i64,
    rec: &MessageRec,
    read_cn: Option<u64>,
    now: FileTime,
) -> StoreResult<()> {
    touch_commit(tx, store, rec.folder, now)?;
    let size = rec.content.props.i32(PropTag::MESSAGE_SIZE).unwrap_or(0);
    tx.execute(
        "INSERT INTO messages(store, id, folder, fai, read, cn, read_cn, deleted, size, content)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9)
         ON CONFLICT(store, id) DO UPDATE SET folder = ?3, fai = ?4, read = ?5, cn = ?6,
            read_cn = COALESCE(?10, read_cn), deleted = ?7, size = ?8, content = ?9",
        params![
            store,
            rec.id as i64,
            rec.folder as i64,
            i64::from(rec.fai),
            i64::from(rec.read),
            rec.cn as i64,
            i64::from(rec.deleted),
            i64::from(size),
            rec.content.to_blob()?,
            read_cn.map(|c| c as i64),
        ],
    )?;
    Ok(())
}

/// Copies message `src` into folder `dst` with a new MID; returns it.
pub(crate) fn copy_one(mb: &Mailbox, tx: &Connection, src: u64, dst: u64, now: FileTime) -> StoreResult<u64> {
    let rec = load_message(tx, mb.id(), src as i64)?.ok_or_else(|| StoreError::not_found(format!("{:?}", mid(src))))?;
    let id = alloc_ids(tx, mb.id(), 1)?;
    let cn = alloc_cn(tx, mb.id())?;
    let mut content = rec.content;
    content.props.remove(PropTag::PREDECESSOR_CHANGE_LIST);
    content.props.set(PropTag::SOURCE_KEY, PropValue::Binary(mb.source_key(id)));
    content.props.set(PropTag::CREATION_TIME, PropValue::Time(now));
    stamp_change(&mut content.props, mb.info(), cn, now);
    let new = MessageRec { id, folder: dst, fai: rec.fai, read: rec.read, cn, deleted: false, content };
    write_message(tx, mb.id(), &new, Some(cn), now)?;
    Ok(id)
}

/// Deletes one message (soft: hidden; hard: removed) and logs it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn delete_one(
    tx: &Connection,
    store: i64,
    folder: u64,
    id: u64,
    fai: bool,
    cn: u64,
    hard: bool,
    now: FileTime,
) -> StoreResult<()> {
    if hard {
        tx.execute("DELETE FROM messages WHERE store = ?1 AND id = ?2", params![store, id as i64])?;
    } else {
        tx.execute(
            "UPDATE messages SET deleted = 1, cn = ?3 WHERE store = ?1 AND id = ?2",
            params![store, id as i64, cn as i64],
        )?;
    }
    log_deletion(tx, store, folder, id, false, fai, cn, hard, now)
}

impl Mailbox {
    fn message_computed(&self, rec: &MessageRec) -> MessageContent {
        let mut c = rec.content.clone();
        let (m, f) = (mid(rec.id), fid(rec.folder));
        let p = &mut c.props;
        p.set(PropTag::MID, PropValue::I64(m.0 as i64));
        p.set(PropTag::FOLDER_ID, PropValue::I64(f.0 as i64));
        p.set(PropTag::PARENT_FOLDER_ID, PropValue::I64(f.0 as i64));
        p.set(PropTag::CHANGE_NUMBER, PropValue::I64(ChangeNumber::new(REPLID, rec.cn).0 as i64));
        let eid = self.message_entry_id(f, m);
        p.set(PropTag::RECORD_KEY, PropValue::Binary(eid.clone()));
        p.set(PropTag::ENTRY_ID, PropValue::Binary(eid));
        p.set(PropTag::PARENT_ENTRY_ID, PropValue::Binary(self.folder_entry_id(f)));
        p.set(PropTag::PARENT_SOURCE_KEY, PropValue::Binary(self.source_key(rec.folder)));
        p.set(PropTag::INSTANCE_KEY, PropValue::Binary(m.to_wire().to_vec()));
        p.set(PropTag::OBJECT_TYPE, PropValue::I32(5));
        normalize_read(&mut c, rec.read);
        display_recipients(&mut c);
        c
    }

    fn row(&self, rec: &MessageRec) -> MessageRow {
        MessageRow { id: mid(rec.id), folder: fid(rec.folder), fai: rec.fai, content: self.message_computed(rec) }
    }

    /// The contents table of a folder ([MS-OXCFOLD] 2.2.1.14): its live
    /// normal messages, or with `fai` its FAI messages, by MID.
    pub fn contents(&self, folder: FolderId, fai: bool) -> StoreResult<Vec<MessageRow>> {
        self.contents_where(folder, fai, false)
    }

    /// What changed in a contents table since change counter `since`: the
    /// MIDs of every live row now (by MID) and the rows whose content or
    /// read state changed after `since` (moved-in and copied-in messages
    /// get a new change number, so they are among them). The ROP layer
    /// patches its cached rows with it instead of reloading the folder.
    pub fn contents_since(&self, folder: FolderId, fai: bool, since: u64) -> StoreResult<(Vec<u64>, Vec<MessageRow>)> {
        self.store.with_tx(|tx| {
            let f = live_folder(tx, self.id(), folder)?;
            let mut st = tx.prepare_cached(
                "SELECT id FROM messages WHERE store = ?1 AND folder = ?2 AND deleted = 0 AND fai = ?3 ORDER BY id",
            )?;
            let ids = st
                .query_map(params![self.id(), f.id as i64, i64::from(fai)], |r| r.get::<_, i64>(0))?
                .map(|r| r.map(|c| mid(c as u64).0))
                .collect::<Result<Vec<_>, _>>()?;
            let mut st = tx.prepare_cached(&format!(
                "{MESSAGE_COLUMNS} WHERE store = ?1 AND folder = ?2 AND deleted = 0 AND fai = ?3
                 AND (cn > ?4 OR read_cn > ?4) ORDER BY id"
            ))?;
            let raw = st.query_map(params![self.id(), f.id as i64, i64::from(fai), since as i64], raw_message)?;
            let mut changed = Vec::new();
            for r in raw {
                changed.push(self.row(&message_rec(r?)?));
            }
            Ok((ids, changed))
        })
    }

    /// The contents table with TableFlags SoftDeletes (0x20): the
    /// soft-deleted messages of the folder, by MID.
    pub fn soft_deleted_contents(&self, folder: FolderId, fai: bool) -> StoreResult<Vec<MessageRow>> {
        self.contents_where(folder, fai, true)
    }

    fn contents_where(&self, folder: FolderId, fai: bool, deleted: bool) -> StoreResult<Vec<MessageRow>> {
        self.store.with_tx(|tx| {
            let f = live_folder(tx, self.id(), folder)?;
            let mut st = tx.prepare_cached(&format!(
                "{MESSAGE_COLUMNS} WHERE store = ?1 AND folder = ?2 AND deleted = ?4 AND fai = ?3 ORDER BY id"
            ))?;
            let raw = st.query_map(params![self.id(), f.id as i64, i64::from(fai), i64::from(deleted)], raw_message)?;
            let mut out = Vec::new();
            for r in raw {
                out.push(self.row(&message_rec(r?)?));
            }
            Ok(out)
        })
    }

    /// RopOpenMessage: the message with computed properties.
    /// [`StoreError::ObjectDeleted`] for a soft-deleted message.
    pub fn message(&self, id: MessageId) -> StoreResult<StoredMessage> {
        self.store.with_tx(|tx| {
            let rec = load_message(tx, self.id(), mid_counter(id)?)?
                .ok_or_else(|| StoreError::not_found(format!("message {id:?}")))?;
            if rec.deleted {
                return Err(StoreError::ObjectDeleted);
            }
            Ok(self.row(&rec))
        })
    }

    /// Allocates a MID for a message not saved yet (RopCreateMessage); pass
    /// it to [`Mailbox::save_message`]. Never reused, even if never saved.
    pub fn allocate_message_id(&self) -> StoreResult<MessageId> {
        let c = self.store.with_tx(|tx| alloc_ids(tx, self.id(), 1))?;
        Ok(mid(c))
    }

    /// RopSaveChangesMessage: stores `content` as message `id` in `folder`
    /// (creating it when `id` is None or not stored yet; an `id` must come
    /// from this store's allocator). Assigns PidTagRowid to recipients and
    /// PidTagAttachNumber to attachments without one, computes
    /// PidTagMessageSize and the flags, and records a change. On creation
    /// the read state comes from mfRead in PidTagMessageFlags (or
    /// PidTagRead); later saves keep it (use [`Mailbox::set_read_flag`]).
    pub fn save_message(
        &self,
        folder: FolderId,
        id: Option<MessageId>,
        fai: bool,
        content: &MessageContent,
        mode: SaveMode,
    ) -> StoreResult<SavedMessage> {
        let now = self.store.now();
        self.store.with_tx(|tx| {
            let f = live_folder(tx, self.id(), folder)?;
            let existing = match id {
                Some(m) => {
                    let c = mid_counter(m)?;
                    let next: i64 =
                        tx.query_row("SELECT next_id FROM stores WHERE id = ?1", [self.id()], |r| r.get(0))?;
                    if c >= next {
                        return Err(StoreError::InvalidParameter("message id was not allocated by this store"));
                    }
                    let rec = load_message(tx, self.id(), c)?;
                    if let Some(r) = &rec {
                        if r.deleted {
                            return Err(StoreError::ObjectDeleted);
                        }
                        if r.folder != f.id {
                            return Err(StoreError::not_found(format!("message {m:?} in folder {folder:?}")));
                        }
                    }
                    Some((c as u64, rec))
                }
                None => None,
            };
            let (counter, old) = match existing {
                Some((c, rec)) => (c, rec),
                None => (alloc_ids(tx, self.id(), 1)?, None),
            };
            let mut new = content.clone();
            for t in COMPUTED_MESSAGE_TAGS {
                new.props.remove(*t);
            }
            if mode == SaveMode::Normal {
                for t in CHANGE_TAGS {
                    new.props.remove(*t);
                }
            }
            let cn = alloc_cn(tx, self.id())?;
            let read = match &old {
                Some(o) => o.read,
                None => {
                    content.props.i32(PropTag::MESSAGE_FLAGS).is_some_and(|f| f & flags::READ != 0)
                        || matches!(content.props.get(PropTag::READ), Some(PropValue::Bool(true)))
                }
            };
            // Carry over the server-maintained values of the old version.
            let keep = |t: PropTag, new: &mut MessageContent| {
                if let Some(o) = &old
                    && !new.props.contains_id(t.id())
                    && let Some(v) = o.content.props.get(t)
                {
                    new.props.set(t, v.clone());
                }
            };
            keep(PropTag::SOURCE_KEY, &mut new);
            keep(PropTag::CREATION_TIME, &mut new);
            if mode == SaveMode::Import {
                if let Some(o) = &old
                    && let (Some(PropValue::Binary(a)), Some(PropValue::Binary(b))) = (
                        o.content.props.get(PropTag::PREDECESSOR_CHANGE_LIST),
                        new.props.get(PropTag::PREDECESSOR_CHANGE_LIST),
                    )
                {
                    let mut pcl = PredecessorChangeList::decode_exact(a).unwrap_or_default();
                    pcl.merge(&PredecessorChangeList::decode_exact(b).unwrap_or_default());
                    new.props
                        .set(PropTag::PREDECESSOR_CHANGE_LIST, PropValue::Binary(pcl.to_bytes().unwrap_or_default()));
                }
            } else {
                keep(PropTag::PREDECESSOR_CHANGE_LIST, &mut new);
            }
            if !new.props.contains_id(PropTag::SOURCE_KEY.id()) {
                new.props.set(PropTag::SOURCE_KEY, PropValue::Binary(self.source_key(counter)));
            }
            if !new.props.contains_id(PropTag::CREATION_TIME.id()) {
                new.props.set(PropTag::CREATION_TIME, PropValue::Time(now));
            }
            let client = (mode == SaveMode::Import).then(|| ClientChange::take(&new.props));
            stamp_change(&mut new.props, &self.info, cn, now);
            if let Some(c) = client {
                c.apply(&mut new.props);
            }
            normalize(&mut new, fai, read);
            let change_key = match new.props.get(PropTag::CHANGE_KEY) {
                Some(PropValue::Binary(b)) => b.clone(),
                _ => Vec::new(),
            };
            let rec = MessageRec { id: counter, folder: f.id, fai, read, cn, deleted: false, content: new };
            write_message(tx, self.id(), &rec, old.is_none().then_some(cn), now)?;
            self.store.emit(if old.is_none() {
                StoreEvent::MessageCreated { store: self.id(), folder, message: mid(counter), fai }
            } else {
                StoreEvent::MessageModified { store: self.id(), folder, message: mid(counter), read_state_only: false }
            });
            Ok(SavedMessage { id: mid(counter), change_number: ChangeNumber::new(REPLID, cn), change_key })
        })
    }

    /// RopSetMessageReadFlag / RopSetReadFlags for one message: sets mfRead
    /// and PidTagRead. A change allocates a CN recorded as the message's
    /// read-state change (the change key stays). Returns whether the state
    /// changed.
    pub fn set_read_flag(&self, id: MessageId, read: bool) -> StoreResult<bool> {
        let now = self.store.now();
        self.store.with_tx(|tx| {
            let mut rec = load_message(tx, self.id(), mid_counter(id)?)?
                .filter(|r| !r.deleted)
                .ok_or_else(|| StoreError::not_found(format!("message {id:?}")))?;
            if rec.read == read {
                return Ok(false);
            }
            let cn = alloc_cn(tx, self.id())?;
            rec.read = read;
            normalize_read(&mut rec.content, read);
            write_message(tx, self.id(), &rec, Some(cn), now)?;
            self.store.emit(StoreEvent::MessageModified {
                store: self.id(),
                folder: fid(rec.folder),
                message: id,
                read_state_only: true,
            });
            Ok(true)
        })
    }

    /// RopDeleteMessages / RopHardDeleteMessages ([MS-OXCFOLD] 2.2.1.11,
    /// 2.2.1.12): deletes the listed messages of `folder`; ids that are not
    /// live messages of the folder are skipped (as gromox does, corrections
    /// B14). Returns the deleted ids.
    pub fn delete_messages(&self, folder: FolderId, ids: &[MessageId], hard: bool) -> StoreResult<Vec<MessageId>> {
        let now = self.store.now();
        self.store.with_tx(|tx| {
            let f = live_folder(tx, self.id(), folder)?;
            let cn = alloc_cn(tx, self.id())?;
            let mut out = Vec::new();
            for m in ids {
                let Ok(c) = mid_counter(*m) else { continue };
                match load_message(tx, self.id(), c)? {
                    Some(r) if r.folder == f.id && !r.deleted => {
                        delete_one(tx, self.id(), f.id, r.id, r.fai, cn, hard, now)?;
                        self.store.emit(StoreEvent::MessageDeleted { store: self.id(), folder, message: *m });
                        out.push(*m);
                    }
                    _ => {}
                }
            }
            Ok(out)
        })
    }

    /// RopMoveCopyMessages with WantCopy 0 ([MS-OXCFOLD] 2.2.1.6): moves
    /// the listed live messages of `src` to `dst`. As on Exchange a moved
    /// message is a new object in `dst`: a new MID and PidTagSourceKey
    /// (ICS of `dst` reports a new message, `src` logs the old MID as
    /// deleted), a new change number and change key, PidTagSearchKey and
    /// the rest of the content kept. Returns the new MIDs in request order
    /// (unknown ids skipped; a move within one folder keeps the MID).
    pub fn move_messages(&self, src: FolderId, dst: FolderId, ids: &[MessageId]) -> StoreResult<Vec<MessageId>> {
        let now = self.store.now();
        self.store.with_tx(|tx| {
            let s = live_folder(tx, self.id(), src)?;
            let d = live_folder(tx, self.id(), dst)?;
            let mut out = Vec::new();
            for m in ids {
                let Ok(c) = mid_counter(*m) else { continue };
                let Some(mut rec) = load_message(tx, self.id(), c)?.filter(|r| r.folder == s.id && !r.deleted) else {
                    continue;
                };
                if s.id == d.id {
                    out.push(*m);
                    continue;
                }
                let cn = alloc_cn(tx, self.id())?;
                let new_id = alloc_ids(tx, self.id(), 1)?;
                tx.execute("DELETE FROM messages WHERE store = ?1 AND id = ?2", params![self.id(), c])?;
                log_deletion(tx, self.id(), s.id, rec.id, false, rec.fai, cn, true, now)?;
                rec.content.props.set(PropTag::SOURCE_KEY, PropValue::Binary(self.source_key(new_id)));
                stamp_change(&mut rec.content.props, &self.info, cn, now);
                rec.id = new_id;
                rec.folder = d.id;
                rec.cn = cn;
                write_message(tx, self.id(), &rec, Some(cn), now)?;
                self.store.emit(StoreEvent::MessageMoved {
                    store: self.id(),
                    message: mid(new_id),
                    old_message: *m,
                    old_folder: src,
                    new_folder: dst,
                });
                out.push(mid(new_id));
            }
            Ok(out)
        })
    }

    /// RopMoveCopyMessages with WantCopy 1: copies the listed live messages
    /// of `src` into `dst` with new MIDs and source keys. Returns the new
    /// MIDs in request order (unknown ids skipped).
    pub fn copy_messages(&self, src: FolderId, dst: FolderId, ids: &[MessageId]) -> StoreResult<Vec<MessageId>> {
        let now = self.store.now();
        self.store.with_tx(|tx| {
            let s = live_folder(tx, self.id(), src)?;
            let d = live_folder(tx, self.id(), dst)?;
            let mut out = Vec::new();
            for m in ids {
                let Ok(c) = mid_counter(*m) else { continue };
                if load_message(tx, self.id(), c)?.is_some_and(|r| r.folder == s.id && !r.deleted) {
                    let new = mid(copy_one(self, tx, c as u64, d.id, now)?);
                    self.store.emit(StoreEvent::MessageCopied {
                        store: self.id(),
                        message: new,
                        folder: dst,
                        source: *m,
                        source_folder: src,
                    });
                    out.push(new);
                }
            }
            Ok(out)
        })
    }

    /// The live messages of `folder` with their change numbers (ICS
    /// contents download candidates, [MS-OXCFXICS] 3.2.5.9.2).
    pub fn message_changes(&self, folder: FolderId) -> StoreResult<Vec<ChangeRow>> {
        self.store.with_tx(|tx| {
            let f = live_folder(tx, self.id(), folder)?;
            let mut st = tx.prepare_cached(
                "SELECT id, cn, read_cn, fai, read FROM messages WHERE store = ?1 AND folder = ?2 AND deleted = 0 ORDER BY id",
            )?;
            let rows = st.query_map(params![self.id(), f.id as i64], |r| {
                Ok(ChangeRow {
                    counter: r.get::<_, i64>(0)? as u64,
                    change_number: r.get::<_, i64>(1)? as u64,
                    read_change_number: r.get::<_, i64>(2)? as u64,
                    fai: r.get::<_, i64>(3)? != 0,
                    read: r.get::<_, i64>(4)? != 0,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// The deletion log of `folder` after change counter `since_cn`
    /// (messages and subfolders that were deleted or moved out).
    pub fn deletions(&self, folder: FolderId, since_cn: u64) -> StoreResult<Vec<Deletion>> {
        let c = counter_of(folder)?;
        self.query_deletions("folder = ?2 AND cn > ?3", c, since_cn)
    }

    /// Every folder deletion of the store after `since_cn` (hierarchy ICS;
    /// filter with the client's IDSET given).
    pub fn folder_deletions(&self, since_cn: u64) -> StoreResult<Vec<Deletion>> {
        self.query_deletions("is_folder = 1 AND ?2 = ?2 AND cn > ?3", 0, since_cn)
    }

    fn query_deletions(&self, cond: &str, folder: i64, since_cn: u64) -> StoreResult<Vec<Deletion>> {
        self.store.with_tx(|tx| {
            let mut st = tx.prepare(&format!(
                "SELECT id, folder, is_folder, fai, cn, hard FROM deletions WHERE store = ?1 AND {cond} ORDER BY cn, id"
            ))?;
            let rows = st.query_map(params![self.id(), folder, since_cn as i64], |r| {
                Ok(Deletion {
                    counter: r.get::<_, i64>(0)? as u64,
                    folder: r.get::<_, i64>(1)? as u64,
                    is_folder: r.get::<_, i64>(2)? != 0,
                    fai: r.get::<_, i64>(3)? != 0,
                    change_number: r.get::<_, i64>(4)? as u64,
                    hard: r.get::<_, i64>(5)? != 0,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }
}

fn normalize_read(c: &mut MessageContent, read: bool) {
    let mut f = c.props.i32(PropTag::MESSAGE_FLAGS).unwrap_or(0);
    f = if read { f | flags::READ | flags::EVER_READ } else { f & !flags::READ };
    c.props.set(PropTag::MESSAGE_FLAGS, PropValue::I32(f));
    c.props.set(PropTag::READ, PropValue::Bool(read));
}
