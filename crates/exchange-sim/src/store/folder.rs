//! Folders: the standard trees, create/open/modify/delete/move/copy/empty
//! ([MS-OXCFOLD] 2.2.1) with change tracking ([MS-OXCFXICS] 2.2.1.2).

use mapi_wire::ids::{ChangeNumber, FolderId, GlobalCounter, PredecessorChangeList, Xid};
use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::{Decode, Encode, PropTag};
use rusqlite::{Connection, OptionalExtension, params};

use super::error::{StoreError, StoreResult};
use super::events::StoreEvent;
use super::message;
use super::props::PropBag;
use super::special::{PublicFolder, SpecialFolder};
use super::{Mailbox, MailboxInfo, PID_TAG_FOLDER_CHILD_COUNT, REPLID, StoreKind, alloc_cn, alloc_ids};

/// A folder as stored, with computed properties.
#[derive(Clone, Debug, PartialEq)]
pub struct FolderInfo {
    /// The FID.
    pub id: FolderId,
    /// The parent FID (None for the root).
    pub parent: Option<FolderId>,
    /// True if soft-deleted (only reachable with OpenSoftDeleted).
    pub deleted: bool,
    /// Stored and computed properties.
    pub props: PropBag,
}

/// One row of a hierarchy table ([MS-OXCFOLD] 2.2.1.13): a folder with its
/// depth below the table's folder (PidTagDepth, 0 = direct child).
#[derive(Clone, Debug, PartialEq)]
pub struct FolderRow {
    /// The FID.
    pub id: FolderId,
    /// Depth below the table's folder.
    pub depth: u32,
    /// Properties incl. PidTagDepth.
    pub props: PropBag,
}

/// RopDeleteFolder flags ([MS-OXCFOLD] 2.2.1.3.1 DeleteFolderFlags).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct DeleteFolderFlags {
    /// DEL_MESSAGES (0x01): delete the messages too.
    pub messages: bool,
    /// DEL_FOLDERS (0x04): delete the subfolders too.
    pub folders: bool,
    /// DELETE_HARD_DELETE (0x10): remove for good instead of soft-deleting.
    pub hard: bool,
}

impl DeleteFolderFlags {
    /// From the wire byte.
    pub fn from_bits(b: u8) -> Self {
        Self { messages: b & 0x01 != 0, folders: b & 0x04 != 0, hard: b & 0x10 != 0 }
    }
}

/// Tags the server computes; clients cannot set them.
pub(crate) const COMPUTED_FOLDER_TAGS: &[PropTag] = &[
    PropTag::FOLDER_ID,
    PropTag::PARENT_FOLDER_ID,
    PropTag::CONTENT_COUNT,
    PropTag::CONTENT_UNREAD_COUNT,
    PropTag::ASSOCIATED_CONTENT_COUNT,
    PropTag::SUBFOLDERS,
    PID_TAG_FOLDER_CHILD_COUNT,
    PropTag::CHANGE_NUMBER,
    PropTag::ENTRY_ID,
    PropTag::PARENT_ENTRY_ID,
    PropTag::RECORD_KEY,
    PropTag::INSTANCE_KEY,
    PropTag::PARENT_SOURCE_KEY,
    PropTag::OBJECT_TYPE,
    PropTag::DEPTH,
    PropTag::CREATION_TIME,
    PropTag::LAST_MODIFICATION_TIME,
    PropTag::SOURCE_KEY,
    PropTag::CHANGE_KEY,
    PropTag::PREDECESSOR_CHANGE_LIST,
    PropTag::FOLDER_TYPE,
    PropTag::LOCAL_COMMIT_TIME_MAX,
    PropTag::DELETED_COUNT_TOTAL,
];

pub(crate) fn fid(counter: u64) -> FolderId {
    FolderId::new(REPLID, counter)
}

pub(crate) fn counter_of(id: FolderId) -> StoreResult<i64> {
    if id.replica_id() != REPLID {
        return Err(StoreError::not_found(format!("{id:?}")));
    }
    Ok(id.global_counter().value() as i64)
}

/// Sets PidTagChangeKey, PidTagPredecessorChangeList (merged with what the
/// bag had) and PidTagLastModificationTime for change `cn`.
pub(crate) fn stamp_change(props: &mut PropBag, info: &MailboxInfo, cn: u64, now: FileTime) {
    let xid = Xid::from_counter(info.replica_guid, GlobalCounter::from_value(cn));
    let mut pcl = match props.get(PropTag::PREDECESSOR_CHANGE_LIST) {
        Some(PropValue::Binary(b)) => PredecessorChangeList::decode_exact(b).unwrap_or_default(),
        _ => PredecessorChangeList::new(),
    };
    pcl.insert(xid.clone());
    props.set(PropTag::CHANGE_KEY, PropValue::Binary(xid.to_bytes().unwrap_or_default()));
    props.set(PropTag::PREDECESSOR_CHANGE_LIST, PropValue::Binary(pcl.to_bytes().unwrap_or_default()));
    props.set(PropTag::LAST_MODIFICATION_TIME, PropValue::Time(now));
}

/// The change tracking an ICS upload brings ([MS-OXCFXICS] 3.3.5.8):
/// captured before [`stamp_change`], re-applied after it so the client's
/// change key names the version and the PCL is the client's (merged with
/// what the bag had) plus that change key, without the server's own XID.
pub(crate) struct ClientChange {
    change_key: Option<PropValue>,
    last_modified: Option<PropValue>,
    pcl: PredecessorChangeList,
}

impl ClientChange {
    /// Captures the values of `props` (PCL already merged by the caller).
    pub(crate) fn take(props: &PropBag) -> Self {
        Self {
            change_key: props.get(PropTag::CHANGE_KEY).cloned(),
            last_modified: props.get(PropTag::LAST_MODIFICATION_TIME).cloned(),
            pcl: match props.get(PropTag::PREDECESSOR_CHANGE_LIST) {
                Some(PropValue::Binary(b)) => PredecessorChangeList::decode_exact(b).unwrap_or_default(),
                _ => PredecessorChangeList::new(),
            },
        }
    }

    /// Re-applies the client's values over a server stamp.
    pub(crate) fn apply(mut self, props: &mut PropBag) {
        if let Some(lmt) = self.last_modified {
            props.set(PropTag::LAST_MODIFICATION_TIME, lmt);
        }
        let Some(PropValue::Binary(ck)) = self.change_key else { return };
        if let Ok(xid) = Xid::from_bytes(&ck) {
            self.pcl.insert(xid);
        }
        props.set(PropTag::CHANGE_KEY, PropValue::Binary(ck));
        props.set(PropTag::PREDECESSOR_CHANGE_LIST, PropValue::Binary(self.pcl.to_bytes().unwrap_or_default()));
    }
}

fn gid_bytes(info: &MailboxInfo, counter: u64) -> Vec<u8> {
    mapi_wire::ids::Gid { guid: info.replica_guid, counter: GlobalCounter::from_value(counter) }
        .to_bytes()
        .unwrap_or_default()
}

/// Inserts a new folder row with fresh change tracking.
pub(crate) fn insert_folder(
    tx: &Connection,
    info: &MailboxInfo,
    counter: u64,
    parent: Option<u64>,
    mut props: PropBag,
    now: FileTime,
) -> StoreResult<u64> {
    for t in COMPUTED_FOLDER_TAGS {
        props.remove(*t);
    }
    let name = props.string(PropTag::DISPLAY_NAME).unwrap_or_default();
    let cn = alloc_cn(tx, info.store_id)?;
    props.set(PropTag::SOURCE_KEY, PropValue::Binary(gid_bytes(info, counter)));
    props.set(PropTag::CREATION_TIME, PropValue::Time(now));
    props.set(PropTag::FOLDER_TYPE, PropValue::I32(1));
    stamp_change(&mut props, info, cn, now);
    tx.execute(
        "INSERT INTO folders(store, id, parent, name, props, cn) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![info.store_id, counter as i64, parent.map(|p| p as i64), name, props.to_blob()?, cn as i64],
    )?;
    Ok(counter)
}

fn special_entry_ids(info: &MailboxInfo) -> PropBag {
    let eid = |f: SpecialFolder| {
        let mb_eid = mapi_wire::entry_id::FolderEntryId::private(
            info.mailbox_guid,
            mapi_wire::ids::Gid { guid: info.replica_guid, counter: GlobalCounter::from_value(f.counter()) },
        );
        mb_eid.to_bytes().unwrap_or_default()
    };
    // [MS-OXOSFLD] 2.2.2–2.2.4; corrections B10: on both Root and Inbox.
    PropBag::from_pairs([
        (PropTag::IPM_APPOINTMENT_ENTRY_ID, PropValue::Binary(eid(SpecialFolder::Calendar))),
        (PropTag::IPM_CONTACT_ENTRY_ID, PropValue::Binary(eid(SpecialFolder::Contacts))),
        (PropTag::IPM_JOURNAL_ENTRY_ID, PropValue::Binary(eid(SpecialFolder::Journal))),
        (PropTag::IPM_NOTE_ENTRY_ID, PropValue::Binary(eid(SpecialFolder::Notes))),
        (PropTag::IPM_TASK_ENTRY_ID, PropValue::Binary(eid(SpecialFolder::Tasks))),
        (PropTag::IPM_DRAFTS_ENTRY_ID, PropValue::Binary(eid(SpecialFolder::Drafts))),
        (
            PropTag::ADDITIONAL_REN_ENTRY_IDS,
            PropValue::MvBinary(vec![
                eid(SpecialFolder::Conflicts),
                eid(SpecialFolder::SyncIssues),
                eid(SpecialFolder::LocalFailures),
                eid(SpecialFolder::ServerFailures),
                eid(SpecialFolder::JunkEmail),
            ]),
        ),
    ])
}

/// Creates the standard private tree ([MS-OXOSFLD] 2.2).
pub(crate) fn create_private_tree(tx: &Connection, info: &MailboxInfo, now: FileTime) -> StoreResult<()> {
    for f in SpecialFolder::ALL {
        let mut props = PropBag::new();
        props.set(PropTag::DISPLAY_NAME, PropValue::String(f.display_name().into()));
        if let Some(c) = f.container_class() {
            props.set(PropTag::CONTAINER_CLASS, PropValue::String(c.into()));
        }
        if matches!(f, SpecialFolder::Root | SpecialFolder::Inbox) {
            props.merge(&special_entry_ids(info));
        }
        // Folders Outlook does not show ([MS-OXOSFLD]; Exchange marks the
        // MOC contact folders and the configuration folder hidden).
        if matches!(
            f,
            SpecialFolder::QuickContacts
                | SpecialFolder::ImContactsList
                | SpecialFolder::GalContacts
                | SpecialFolder::ConversationActionSettings
        ) {
            props.set(PropTag::ATTRIBUTE_HIDDEN, PropValue::Bool(true));
        }
        insert_folder(tx, info, f.counter(), f.parent().map(SpecialFolder::counter), props, now)?;
    }
    Ok(())
}

/// Creates the public folder tree ([MS-OXCSTOR] 2.2.1.1.4).
pub(crate) fn create_public_tree(tx: &Connection, info: &MailboxInfo, now: FileTime) -> StoreResult<()> {
    for f in PublicFolder::ALL {
        let props = PropBag::from_pairs([(PropTag::DISPLAY_NAME, PropValue::String(f.display_name().into()))]);
        insert_folder(tx, info, f.counter(), f.parent().map(PublicFolder::counter), props, now)?;
    }
    Ok(())
}

pub(crate) struct FolderRec {
    pub(crate) id: u64,
    pub(crate) parent: Option<u64>,
    pub(crate) props: PropBag,
    pub(crate) cn: u64,
    pub(crate) deleted: bool,
}

pub(crate) fn load_folder(tx: &Connection, store: i64, counter: i64) -> StoreResult<Option<FolderRec>> {
    let row = tx
        .query_row(
            "SELECT parent, props, cn, deleted FROM folders WHERE store = ?1 AND id = ?2",
            params![store, counter],
            |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?)),
        )
        .optional()?;
    let Some((parent, blob, cn, deleted)) = row else { return Ok(None) };
    Ok(Some(FolderRec {
        id: counter as u64,
        parent: parent.map(|p| p as u64),
        props: PropBag::from_blob(&blob)?,
        cn: cn as u64,
        deleted: deleted != 0,
    }))
}

/// Loads a live (not soft-deleted) folder or fails NotFound/ObjectDeleted.
pub(crate) fn live_folder(tx: &Connection, store: i64, id: FolderId) -> StoreResult<FolderRec> {
    let rec =
        load_folder(tx, store, counter_of(id)?)?.ok_or_else(|| StoreError::not_found(format!("folder {id:?}")))?;
    if rec.deleted {
        return Err(StoreError::ObjectDeleted);
    }
    Ok(rec)
}

pub(crate) fn save_folder_row(tx: &Connection, store: i64, rec: &FolderRec) -> StoreResult<()> {
    let name = rec.props.string(PropTag::DISPLAY_NAME).unwrap_or_default();
    tx.execute(
        "UPDATE folders SET parent = ?3, name = ?4, props = ?5, cn = ?6, deleted = ?7 WHERE store = ?1 AND id = ?2",
        params![
            store,
            rec.id as i64,
            rec.parent.map(|p| p as i64),
            name,
            rec.props.to_blob()?,
            rec.cn as i64,
            i64::from(rec.deleted)
        ],
    )?;
    Ok(())
}

fn child_ids(tx: &Connection, store: i64, parent: u64) -> StoreResult<Vec<u64>> {
    let mut st =
        tx.prepare_cached("SELECT id FROM folders WHERE store = ?1 AND parent = ?2 AND deleted = 0 ORDER BY id")?;
    let rows = st.query_map(params![store, parent as i64], |r| r.get::<_, i64>(0))?;
    Ok(rows.map(|r| r.map(|v| v as u64)).collect::<Result<Vec<_>, _>>()?)
}

/// Every live descendant of `root` with its depth (0 = child), depth-first.
pub(crate) fn descendants(tx: &Connection, store: i64, root: u64) -> StoreResult<Vec<(u64, u32)>> {
    let mut out = Vec::new();
    let mut stack: Vec<(u64, u32)> = child_ids(tx, store, root)?.into_iter().rev().map(|c| (c, 0)).collect();
    while let Some((id, d)) = stack.pop() {
        out.push((id, d));
        for c in child_ids(tx, store, id)?.into_iter().rev() {
            stack.push((c, d + 1));
        }
    }
    Ok(out)
}

pub(crate) fn name_taken(
    tx: &Connection,
    store: i64,
    parent: u64,
    name: &str,
    except: Option<u64>,
) -> StoreResult<Option<u64>> {
    let found: Option<i64> = tx
        .query_row(
            "SELECT id FROM folders WHERE store = ?1 AND parent = ?2 AND deleted = 0 AND name = ?3 AND id != ?4",
            params![store, parent as i64, name, except.map_or(-1, |e| e as i64)],
            |r| r.get(0),
        )
        .optional()?;
    Ok(found.map(|f| f as u64))
}

pub(crate) fn is_special(info: &MailboxInfo, counter: u64) -> bool {
    match info.kind {
        StoreKind::Private => SpecialFolder::from_counter(counter).is_some(),
        StoreKind::Public => PublicFolder::ALL.iter().any(|f| f.counter() == counter),
    }
}

impl Mailbox {
    /// Computes the read-only folder properties into `props`.
    pub(crate) fn folder_computed(&self, tx: &Connection, rec: &FolderRec) -> StoreResult<PropBag> {
        let mut p = rec.props.clone();
        let store = self.id();
        let (count, unread): (i64, i64) = tx.query_row(
            "SELECT COUNT(*), COALESCE(SUM(read = 0), 0) FROM messages WHERE store = ?1 AND folder = ?2 AND deleted = 0 AND fai = 0",
            params![store, rec.id as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let assoc: i64 = tx.query_row(
            "SELECT COUNT(*) FROM messages WHERE store = ?1 AND folder = ?2 AND deleted = 0 AND fai = 1",
            params![store, rec.id as i64],
            |r| r.get(0),
        )?;
        let children: i64 = tx.query_row(
            "SELECT COUNT(*) FROM folders WHERE store = ?1 AND parent = ?2 AND deleted = 0",
            params![store, rec.id as i64],
            |r| r.get(0),
        )?;
        let id = fid(rec.id);
        p.set(PropTag::FOLDER_ID, PropValue::I64(id.0 as i64));
        if let Some(parent) = rec.parent {
            p.set(PropTag::PARENT_FOLDER_ID, PropValue::I64(fid(parent).0 as i64));
            p.set(PropTag::PARENT_ENTRY_ID, PropValue::Binary(self.folder_entry_id(fid(parent))));
            p.set(PropTag::PARENT_SOURCE_KEY, PropValue::Binary(self.source_key(parent)));
        }
        p.set(PropTag::CONTENT_COUNT, PropValue::I32(count as i32));
        p.set(PropTag::CONTENT_UNREAD_COUNT, PropValue::I32(unread as i32));
        p.set(PropTag::ASSOCIATED_CONTENT_COUNT, PropValue::I32(assoc as i32));
        p.set(PropTag::SUBFOLDERS, PropValue::Bool(children > 0));
        p.set(PID_TAG_FOLDER_CHILD_COUNT, PropValue::I32(children as i32));
        p.set(PropTag::CHANGE_NUMBER, PropValue::I64(ChangeNumber::new(REPLID, rec.cn).0 as i64));
        let eid = self.folder_entry_id(id);
        p.set(PropTag::RECORD_KEY, PropValue::Binary(eid.clone()));
        p.set(PropTag::ENTRY_ID, PropValue::Binary(eid));
        p.set(PropTag::INSTANCE_KEY, PropValue::Binary(id.to_wire().to_vec()));
        p.set(PropTag::OBJECT_TYPE, PropValue::I32(3));
        let (commit, deleted): (i64, i64) = tx.query_row(
            "SELECT (SELECT commit_time FROM folders WHERE store = ?1 AND id = ?2),
                    (SELECT COUNT(*) FROM deletions WHERE store = ?1 AND folder = ?2 AND is_folder = 0)",
            params![store, rec.id as i64],
            |r| Ok((r.get::<_, Option<i64>>(0)?.unwrap_or(0), r.get(1)?)),
        )?;
        let commit = if commit > 0 {
            FileTime(commit as u64)
        } else {
            match rec.props.get(PropTag::CREATION_TIME) {
                Some(PropValue::Time(t)) => *t,
                _ => FileTime(0),
            }
        };
        p.set(PropTag::LOCAL_COMMIT_TIME_MAX, PropValue::Time(commit));
        p.set(PropTag::DELETED_COUNT_TOTAL, PropValue::I32(deleted as i32));
        Ok(p)
    }

    /// Opens a folder (RopOpenFolder). Soft-deleted folders only with
    /// `soft_deleted` (OpenModeFlags 0x04), else [`StoreError::ObjectDeleted`].
    pub fn folder(&self, id: FolderId, soft_deleted: bool) -> StoreResult<FolderInfo> {
        self.store.with_tx(|tx| {
            let rec = load_folder(tx, self.id(), counter_of(id)?)?
                .ok_or_else(|| StoreError::not_found(format!("folder {id:?}")))?;
            if rec.deleted && !soft_deleted {
                return Err(StoreError::ObjectDeleted);
            }
            let props = self.folder_computed(tx, &rec)?;
            Ok(FolderInfo { id, parent: rec.parent.map(fid), deleted: rec.deleted, props })
        })
    }

    /// A folder's properties, stored and computed.
    pub fn folder_props(&self, id: FolderId) -> StoreResult<PropBag> {
        Ok(self.folder(id, false)?.props)
    }

    /// The hierarchy table rows of `id` ([MS-OXCFOLD] 2.2.1.13): direct
    /// children, or with `recursive` (TableFlags Depth 0x04) every
    /// descendant depth-first with PidTagDepth.
    pub fn subfolders(&self, id: FolderId, recursive: bool) -> StoreResult<Vec<FolderRow>> {
        self.store.with_tx(|tx| {
            let root = live_folder(tx, self.id(), id)?;
            let list = if recursive {
                descendants(tx, self.id(), root.id)?
            } else {
                child_ids(tx, self.id(), root.id)?.into_iter().map(|c| (c, 0)).collect()
            };
            let mut out = Vec::with_capacity(list.len());
            for (c, depth) in list {
                let Some(rec) = load_folder(tx, self.id(), c as i64)? else { continue };
                let mut props = self.folder_computed(tx, &rec)?;
                props.set(PropTag::DEPTH, PropValue::I32(depth as i32));
                out.push(FolderRow { id: fid(c), depth, props });
            }
            Ok(out)
        })
    }

    /// The hierarchy table with TableFlags SoftDeletes (0x20): the
    /// soft-deleted direct children of `id`.
    pub fn soft_deleted_subfolders(&self, id: FolderId) -> StoreResult<Vec<FolderRow>> {
        self.store.with_tx(|tx| {
            let root = live_folder(tx, self.id(), id)?;
            let mut st = tx.prepare_cached(
                "SELECT id FROM folders WHERE store = ?1 AND parent = ?2 AND deleted = 1 ORDER BY id",
            )?;
            let ids = st
                .query_map(params![self.id(), root.id as i64], |r| r.get::<_, i64>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            let mut out = Vec::new();
            for c in ids {
                if let Some(rec) = load_folder(tx, self.id(), c)? {
                    let mut props = self.folder_computed(tx, &rec)?;
                    props.set(PropTag::DEPTH, PropValue::I32(0));
                    out.push(FolderRow { id: fid(c as u64), depth: 0, props });
                }
            }
            Ok(out)
        })
    }

    /// The live child of `parent` named `name` (case-insensitive).
    pub fn find_folder(&self, parent: FolderId, name: &str) -> StoreResult<Option<FolderId>> {
        self.store.with_tx(|tx| {
            let p = live_folder(tx, self.id(), parent)?;
            Ok(name_taken(tx, self.id(), p.id, name, None)?.map(fid))
        })
    }

    /// RopCreateFolder ([MS-OXCFOLD] 2.2.1.2): creates `name` under
    /// `parent` with `props` (PidTagDisplayName is set from `name`).
    /// Returns the FID and whether it already existed (only with
    /// `open_existing`; otherwise a clash is [`StoreError::DuplicateName`]).
    pub fn create_folder(
        &self,
        parent: FolderId,
        name: &str,
        props: &PropBag,
        open_existing: bool,
    ) -> StoreResult<(FolderId, bool)> {
        if name.is_empty() {
            return Err(StoreError::InvalidParameter("a folder needs a display name"));
        }
        let now = self.store.now();
        self.store.with_tx(|tx| {
            let p = live_folder(tx, self.id(), parent)?;
            if let Some(existing) = name_taken(tx, self.id(), p.id, name, None)? {
                return if open_existing {
                    Ok((fid(existing), true))
                } else {
                    Err(StoreError::DuplicateName(name.into()))
                };
            }
            let mut bag = props.clone();
            bag.set(PropTag::DISPLAY_NAME, PropValue::String(name.into()));
            let counter = alloc_ids(tx, self.id(), 1)?;
            insert_folder(tx, &self.info, counter, Some(p.id), bag, now)?;
            self.store.emit(StoreEvent::FolderCreated { store: self.id(), folder: fid(counter), parent: fid(p.id) });
            Ok((fid(counter), false))
        })
    }

    /// RopSetProperties on a folder: sets `props` (computed tags are
    /// ignored), records a change. A new PidTagDisplayName must be unique
    /// among the siblings. Returns the new change number.
    pub fn set_folder_props(&self, id: FolderId, props: &PropBag) -> StoreResult<ChangeNumber> {
        self.change_folder(id, |tx, rec| {
            if let Some(name) = props.string(PropTag::DISPLAY_NAME) {
                if name.is_empty() {
                    return Err(StoreError::InvalidParameter("a folder needs a display name"));
                }
                if let Some(parent) = rec.parent
                    && name_taken(tx, self.id(), parent, &name, Some(rec.id))?.is_some()
                {
                    return Err(StoreError::DuplicateName(name));
                }
            }
            for (t, v) in props.iter() {
                if !COMPUTED_FOLDER_TAGS.iter().any(|c| c.id() == t.id()) {
                    rec.props.set(t, v.clone());
                }
            }
            Ok(())
        })
    }

    /// RopDeleteProperties on a folder (computed tags and the display name
    /// stay). Returns the new change number.
    pub fn remove_folder_props(&self, id: FolderId, tags: &[PropTag]) -> StoreResult<ChangeNumber> {
        self.change_folder(id, |_, rec| {
            for t in tags {
                if !COMPUTED_FOLDER_TAGS.iter().any(|c| c.id() == t.id()) && t.id() != PropTag::DISPLAY_NAME.id() {
                    rec.props.remove(*t);
                }
            }
            Ok(())
        })
    }

    fn change_folder(
        &self,
        id: FolderId,
        f: impl FnOnce(&Connection, &mut FolderRec) -> StoreResult<()>,
    ) -> StoreResult<ChangeNumber> {
        let now = self.store.now();
        self.store.with_tx(|tx| {
            let mut rec = live_folder(tx, self.id(), id)?;
            f(tx, &mut rec)?;
            let cn = alloc_cn(tx, self.id())?;
            stamp_change(&mut rec.props, &self.info, cn, now);
            rec.cn = cn;
            save_folder_row(tx, self.id(), &rec)?;
            self.store.emit(StoreEvent::FolderModified { store: self.id(), folder: id });
            Ok(ChangeNumber::new(REPLID, cn))
        })
    }

    /// RopDeleteFolder ([MS-OXCFOLD] 2.2.1.3). Special folders are
    /// [`StoreError::AccessDenied`]; a folder with messages (subfolders)
    /// needs `flags.messages` (`flags.folders`), else
    /// [`StoreError::HasMessages`] ([`StoreError::HasFolders`]). Soft delete
    /// hides the subtree (openable with OpenSoftDeleted); hard delete removes
    /// it. Both are logged in the parent's deletion log.
    pub fn delete_folder(&self, id: FolderId, flags: DeleteFolderFlags) -> StoreResult<()> {
        let now = self.store.now();
        self.store.with_tx(|tx| {
            let rec = live_folder(tx, self.id(), id)?;
            if is_special(&self.info, rec.id) || rec.parent.is_none() {
                return Err(StoreError::AccessDenied("special folders cannot be deleted".into()));
            }
            let subtree = descendants(tx, self.id(), rec.id)?;
            if !subtree.is_empty() && !flags.folders {
                return Err(StoreError::HasFolders);
            }
            let mut all: Vec<u64> = subtree.iter().map(|(c, _)| *c).collect();
            all.push(rec.id);
            if !flags.messages {
                for f in &all {
                    let n: i64 = tx.query_row(
                        "SELECT COUNT(*) FROM messages WHERE store = ?1 AND folder = ?2 AND deleted = 0",
                        params![self.id(), *f as i64],
                        |r| r.get(0),
                    )?;
                    if n > 0 {
                        return Err(StoreError::HasMessages);
                    }
                }
            }
            let cn = alloc_cn(tx, self.id())?;
            log_deletion(tx, self.id(), rec.parent.unwrap_or(0), rec.id, true, false, cn, flags.hard, now)?;
            self.store.emit(StoreEvent::FolderDeleted {
                store: self.id(),
                folder: id,
                parent: fid(rec.parent.unwrap_or(0)),
            });
            for f in all {
                if flags.hard {
                    tx.execute("DELETE FROM messages WHERE store = ?1 AND folder = ?2", params![self.id(), f as i64])?;
                    tx.execute("DELETE FROM folders WHERE store = ?1 AND id = ?2", params![self.id(), f as i64])?;
                    tx.execute(
                        "DELETE FROM permissions WHERE store = ?1 AND folder = ?2",
                        params![self.id(), f as i64],
                    )?;
                } else {
                    tx.execute(
                        "UPDATE folders SET deleted = 1, cn = ?3 WHERE store = ?1 AND id = ?2",
                        params![self.id(), f as i64, cn as i64],
                    )?;
                }
            }
            Ok(())
        })
    }

    /// RopMoveFolder ([MS-OXCFOLD] 2.2.1.7): re-parents `id` under
    /// `new_parent`, optionally renaming it. Keeps the FID and source key;
    /// records a change (new change key, PCL). [`StoreError::FolderCycle`]
    /// when `new_parent` is `id` or below it; special folders cannot move.
    pub fn move_folder(&self, id: FolderId, new_parent: FolderId, new_name: Option<&str>) -> StoreResult<ChangeNumber> {
        let now = self.store.now();
        self.store.with_tx(|tx| {
            let mut rec = live_folder(tx, self.id(), id)?;
            let dst = live_folder(tx, self.id(), new_parent)?;
            if is_special(&self.info, rec.id) {
                return Err(StoreError::AccessDenied("special folders cannot move".into()));
            }
            if dst.id == rec.id || descendants(tx, self.id(), rec.id)?.iter().any(|(c, _)| *c == dst.id) {
                return Err(StoreError::FolderCycle);
            }
            let name =
                new_name.map(str::to_owned).or_else(|| rec.props.string(PropTag::DISPLAY_NAME)).unwrap_or_default();
            if name_taken(tx, self.id(), dst.id, &name, Some(rec.id))?.is_some() {
                return Err(StoreError::DuplicateName(name));
            }
            rec.props.set(PropTag::DISPLAY_NAME, PropValue::String(name));
            self.store.emit(StoreEvent::FolderMoved {
                store: self.id(),
                folder: id,
                old_parent: fid(rec.parent.unwrap_or(0)),
                new_parent,
            });
            rec.parent = Some(dst.id);
            let cn = alloc_cn(tx, self.id())?;
            stamp_change(&mut rec.props, &self.info, cn, now);
            rec.cn = cn;
            save_folder_row(tx, self.id(), &rec)?;
            Ok(ChangeNumber::new(REPLID, cn))
        })
    }

    /// RopCopyFolder ([MS-OXCFOLD] 2.2.1.8): copies `id` (its properties and
    /// messages, and with `recursive` its subfolders) under `new_parent`.
    /// Copies get new FIDs/MIDs, source keys and change keys.
    pub fn copy_folder(
        &self,
        id: FolderId,
        new_parent: FolderId,
        new_name: Option<&str>,
        recursive: bool,
    ) -> StoreResult<FolderId> {
        let now = self.store.now();
        self.store.with_tx(|tx| {
            let src = live_folder(tx, self.id(), id)?;
            let dst = live_folder(tx, self.id(), new_parent)?;
            if recursive && (dst.id == src.id || descendants(tx, self.id(), src.id)?.iter().any(|(c, _)| *c == dst.id))
            {
                return Err(StoreError::FolderCycle);
            }
            let name =
                new_name.map(str::to_owned).or_else(|| src.props.string(PropTag::DISPLAY_NAME)).unwrap_or_default();
            if name_taken(tx, self.id(), dst.id, &name, None)?.is_some() {
                return Err(StoreError::DuplicateName(name));
            }
            let new_id = self.copy_folder_rec(tx, &src, dst.id, Some(&name), recursive, now)?;
            self.store.emit(StoreEvent::FolderCopied {
                store: self.id(),
                folder: fid(new_id),
                parent: new_parent,
                source: id,
            });
            Ok(fid(new_id))
        })
    }

    fn copy_folder_rec(
        &self,
        tx: &Connection,
        src: &FolderRec,
        parent: u64,
        name: Option<&str>,
        recursive: bool,
        now: FileTime,
    ) -> StoreResult<u64> {
        let mut props = src.props.clone();
        props.remove(PropTag::PREDECESSOR_CHANGE_LIST);
        if let Some(n) = name {
            props.set(PropTag::DISPLAY_NAME, PropValue::String(n.into()));
        }
        let counter = alloc_ids(tx, self.id(), 1)?;
        insert_folder(tx, &self.info, counter, Some(parent), props, now)?;
        for (mid, _) in message::folder_message_ids(tx, self.id(), src.id)? {
            message::copy_one(self, tx, mid, counter, now)?;
        }
        if recursive {
            for c in child_ids(tx, self.id(), src.id)? {
                if let Some(child) = load_folder(tx, self.id(), c as i64)? {
                    self.copy_folder_rec(tx, &child, counter, None, true, now)?;
                }
            }
        }
        Ok(counter)
    }

    /// RopEmptyFolder / RopHardDeleteMessagesAndSubfolders ([MS-OXCFOLD]
    /// 2.2.1.9, 2.2.1.10): deletes every subfolder and every normal message
    /// (FAI messages too with `include_fai`), soft or hard.
    pub fn empty_folder(&self, id: FolderId, include_fai: bool, hard: bool) -> StoreResult<()> {
        let now = self.store.now();
        self.store.with_tx(|tx| {
            let rec = live_folder(tx, self.id(), id)?;
            let cn = alloc_cn(tx, self.id())?;
            for c in child_ids(tx, self.id(), rec.id)? {
                let mut all: Vec<u64> = descendants(tx, self.id(), c)?.into_iter().map(|(d, _)| d).collect();
                all.push(c);
                log_deletion(tx, self.id(), rec.id, c, true, false, cn, hard, now)?;
                self.store.emit(StoreEvent::FolderDeleted { store: self.id(), folder: fid(c), parent: id });
                for f in all {
                    if hard {
                        tx.execute(
                            "DELETE FROM messages WHERE store = ?1 AND folder = ?2",
                            params![self.id(), f as i64],
                        )?;
                        tx.execute("DELETE FROM folders WHERE store = ?1 AND id = ?2", params![self.id(), f as i64])?;
                    } else {
                        tx.execute(
                            "UPDATE folders SET deleted = 1, cn = ?3 WHERE store = ?1 AND id = ?2",
                            params![self.id(), f as i64, cn as i64],
                        )?;
                    }
                }
            }
            for (mid, fai) in message::folder_message_ids(tx, self.id(), rec.id)? {
                if fai && !include_fai {
                    continue;
                }
                message::delete_one(tx, self.id(), rec.id, mid, fai, cn, hard, now)?;
                self.store.emit(StoreEvent::MessageDeleted {
                    store: self.id(),
                    folder: id,
                    message: mapi_wire::ids::MessageId::new(REPLID, mid),
                });
            }
            Ok(())
        })
    }

    /// Every live folder below `id` (depth-first) with its change number:
    /// the candidates of a hierarchy ICS download ([MS-OXCFXICS] 3.2.5.9.1).
    pub fn folder_changes(&self, id: FolderId) -> StoreResult<Vec<super::ChangeRow>> {
        self.store.with_tx(|tx| {
            let root = live_folder(tx, self.id(), id)?;
            let mut out = Vec::new();
            for (c, _) in descendants(tx, self.id(), root.id)? {
                if let Some(rec) = load_folder(tx, self.id(), c as i64)? {
                    out.push(super::ChangeRow {
                        counter: c,
                        change_number: rec.cn,
                        read_change_number: rec.cn,
                        fai: false,
                        read: false,
                    });
                }
            }
            Ok(out)
        })
    }
}

/// Records that object `id` left folder `folder` at change `cn`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn log_deletion(
    tx: &Connection,
    store: i64,
    folder: u64,
    id: u64,
    is_folder: bool,
    fai: bool,
    cn: u64,
    hard: bool,
    now: FileTime,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO deletions(store, folder, id, is_folder, fai, cn, hard) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![store, folder as i64, id as i64, i64::from(is_folder), i64::from(fai), cn as i64, i64::from(hard)],
    )?;
    touch_commit(tx, store, folder, now)
}

/// Records that the contents of `folder` changed at `now`
/// (PidTagLocalCommitTimeMax).
pub(crate) fn touch_commit(tx: &Connection, store: i64, folder: u64, now: FileTime) -> StoreResult<()> {
    tx.execute(
        "UPDATE folders SET commit_time = MAX(commit_time, ?3) WHERE store = ?1 AND id = ?2",
        params![store, folder as i64, now.0 as i64],
    )?;
    Ok(())
}
