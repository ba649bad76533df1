//! A [`StateStore`] that keeps everything in process memory, for fuzzing and
//! tests that create thousands of short-lived mailboxes: the SQLite store
//! syncs every write to disk, which limits a fuzz target to a few dozen
//! inputs a second. Same semantics as [`crate::SqliteStore`] (one lock per
//! store makes every call one transaction); nothing survives the process.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use crate::dav::{CollectionId, CollectionState, DavChange, DavChangeKind, DavDelta, SyncToken};
use crate::error::StateError;
use crate::store::{FlagChange, FlagOutcome, FolderState, ItemRecord, StateStore, SyncBatch, SyncOutcome, Vanished};
use crate::types::{AccountId, FolderId, FolderKey, GatewayFlags, ItemKey, ModSeq, Uid, UidValidity, UnixTime};
use crate::uid_set::{UidRange, UidSet};
use crate::{Clock, SystemClock};

/// The in-memory [`StateStore`]. Cheap to clone (clones share the state).
#[derive(Clone)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Default)]
struct Inner {
    /// Per account: the last validity number issued.
    last_validity: HashMap<AccountId, u32>,
    folders: BTreeMap<i64, Folder>,
    next_folder: i64,
    subscriptions: HashMap<AccountId, std::collections::BTreeSet<String>>,
    collections: BTreeMap<i64, Collection>,
    next_collection: i64,
}

struct Folder {
    account: AccountId,
    key: FolderKey,
    validity: UidValidity,
    uid_next: u32,
    highest_modseq: u64,
    vanished_floor: u64,
    recent_from: u32,
    sync_state: Option<Vec<u8>>,
    /// UID → item.
    items: BTreeMap<u32, Item>,
    /// Item key → UID.
    by_key: HashMap<ItemKey, u32>,
    /// (UID, mod-sequence, removed at).
    tombstones: Vec<(u32, u64, u64)>,
}

struct Item {
    key: ItemKey,
    modseq: u64,
    flags: GatewayFlags,
}

struct Collection {
    account: AccountId,
    key: FolderKey,
    validity: u32,
    seq: u64,
    floor: u64,
    /// Resource → (sequence, removed, changed at).
    changes: HashMap<String, (u64, bool, u64)>,
}

impl MemoryStore {
    /// An empty store on the system clock.
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }

    /// An empty store on the given clock.
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self { inner: Arc::default(), clock }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves whole transactions only
        // (every mutation is computed before it is applied).
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Inner {
    /// `max(last + 1, now)`, as [`crate::SqliteStore`] issues them.
    fn next_validity(&mut self, account: &AccountId, now: UnixTime) -> Result<u32, StateError> {
        let last = self.last_validity.get(account).copied().unwrap_or(0);
        let next = u64::from(last).saturating_add(1).max(now.0);
        let next = u32::try_from(next).map_err(|_| StateError::Exhausted("UIDVALIDITY values"))?;
        self.last_validity.insert(account.clone(), next);
        Ok(next)
    }

    fn folder(&self, id: FolderId) -> Result<&Folder, StateError> {
        self.folders.get(&id.0).ok_or(StateError::UnknownFolder(id))
    }

    fn folder_mut(&mut self, id: FolderId) -> Result<&mut Folder, StateError> {
        self.folders.get_mut(&id.0).ok_or(StateError::UnknownFolder(id))
    }
}

impl Folder {
    fn state(&self, id: i64) -> Result<FolderState, StateError> {
        Ok(FolderState {
            id: FolderId(id),
            key: self.key.clone(),
            uid_validity: self.validity,
            uid_next: self.uid_next,
            highest_modseq: modseq(self.highest_modseq)?,
            vanished_floor: self.vanished_floor,
            exists: u32::try_from(self.items.len()).map_err(|_| StateError::Corrupt("message count"))?,
        })
    }

    fn record(&self, uid: u32) -> Result<Option<ItemRecord>, StateError> {
        let Some(item) = self.items.get(&uid) else { return Ok(None) };
        Ok(Some(ItemRecord {
            uid: uid_of(uid)?,
            key: item.key.clone(),
            modseq: modseq(item.modseq)?,
            flags: item.flags,
        }))
    }

    fn select(&self, uids: &UidSet) -> Result<Vec<ItemRecord>, StateError> {
        let mut out = Vec::new();
        for range in uids.ranges() {
            for (&uid, _) in self.items.range(range.first().get()..=range.last().get()) {
                out.extend(self.record(uid)?);
            }
        }
        Ok(out)
    }

    fn next_modseq(&self) -> Result<u64, StateError> {
        self.highest_modseq.checked_add(1).ok_or(StateError::Exhausted("mod-sequences"))
    }
}

fn uid_of(v: u32) -> Result<Uid, StateError> {
    Uid::new(v).ok_or(StateError::Corrupt("UID"))
}

fn modseq(v: u64) -> Result<ModSeq, StateError> {
    ModSeq::new(v).ok_or(StateError::Corrupt("mod-sequence"))
}

fn distinct(keys: &[ItemKey]) -> Vec<&ItemKey> {
    let mut seen = std::collections::HashSet::with_capacity(keys.len());
    keys.iter().filter(|k| seen.insert(*k)).collect()
}

#[async_trait]
impl StateStore for MemoryStore {
    async fn open_folder(&self, account: &AccountId, key: &FolderKey) -> Result<FolderState, StateError> {
        let now = self.clock.now();
        let mut inner = self.lock();
        if let Some((&id, f)) = inner.folders.iter().find(|(_, f)| &f.account == account && &f.key == key) {
            return f.state(id);
        }
        let validity = inner.next_validity(account, now)?;
        let validity = UidValidity::new(validity).ok_or(StateError::Exhausted("UIDVALIDITY values"))?;
        inner.next_folder += 1;
        let id = inner.next_folder;
        let folder = Folder {
            account: account.clone(),
            key: key.clone(),
            validity,
            uid_next: 1,
            highest_modseq: 1,
            vanished_floor: 0,
            recent_from: 1,
            sync_state: None,
            items: BTreeMap::new(),
            by_key: HashMap::new(),
            tombstones: Vec::new(),
        };
        let state = folder.state(id);
        inner.folders.insert(id, folder);
        state
    }

    async fn folder_state(&self, folder: FolderId) -> Result<FolderState, StateError> {
        self.lock().folder(folder)?.state(folder.0)
    }

    async fn folders(&self, account: &AccountId) -> Result<Vec<FolderState>, StateError> {
        let inner = self.lock();
        inner.folders.iter().filter(|(_, f)| &f.account == account).map(|(&id, f)| f.state(id)).collect()
    }

    async fn delete_folder(&self, folder: FolderId) -> Result<(), StateError> {
        self.lock().folders.remove(&folder.0);
        Ok(())
    }

    async fn commit_sync(&self, folder: FolderId, batch: SyncBatch) -> Result<SyncOutcome, StateError> {
        let now = self.clock.now().0;
        let mut inner = self.lock();
        let f = inner.folder_mut(folder)?;
        let stamp = f.next_modseq()?;
        let mut out = SyncOutcome::default();
        // Checked before anything changes, so a failure applies nothing.
        let fresh = distinct(&batch.added)
            .into_iter()
            .filter(|k| !f.by_key.contains_key(*k) || batch.removed.contains(k))
            .count();
        if u64::from(f.uid_next) + fresh as u64 > u64::from(u32::MAX) {
            return Err(StateError::Exhausted("UIDs of this folder"));
        }
        // Removals first, so that an item removed and re-added gets a new UID.
        for key in distinct(&batch.removed) {
            if let Some(uid) = f.by_key.remove(key) {
                f.items.remove(&uid);
                f.tombstones.push((uid, stamp, now));
                out.removed.push(uid_of(uid)?);
            }
        }
        let mut marked: Vec<u32> = Vec::new();
        for key in &batch.added {
            let uid = match f.by_key.get(key) {
                Some(&uid) => {
                    if !marked.contains(&uid) && out.added.iter().all(|u| u.get() != uid) {
                        marked.push(uid);
                    }
                    uid
                }
                None => {
                    let uid = f.uid_next;
                    f.uid_next += 1;
                    f.by_key.insert(key.clone(), uid);
                    f.items.insert(uid, Item { key: key.clone(), modseq: stamp, flags: GatewayFlags::default() });
                    uid
                }
            };
            out.added.push(uid_of(uid)?);
        }
        for key in distinct(&batch.changed) {
            match f.by_key.get(key) {
                Some(&uid) if !marked.contains(&uid) => marked.push(uid),
                Some(_) => {}
                None => out.unknown.push(key.clone()),
            }
        }
        for &uid in &marked {
            if let Some(item) = f.items.get_mut(&uid) {
                item.modseq = stamp;
            }
        }
        out.changed = marked.into_iter().map(uid_of).collect::<Result<_, _>>()?;
        if !(out.added.is_empty() && out.changed.is_empty() && out.removed.is_empty()) {
            f.highest_modseq = stamp;
            out.modseq = Some(modseq(stamp)?);
        }
        if let Some(state) = batch.sync_state {
            f.sync_state = Some(state);
        }
        out.changed.sort_unstable();
        out.removed.sort_unstable();
        Ok(out)
    }

    async fn touch(&self, folder: FolderId, uids: &UidSet) -> Result<(Option<ModSeq>, Vec<ItemRecord>), StateError> {
        let mut inner = self.lock();
        let f = inner.folder_mut(folder)?;
        let stamp = f.next_modseq()?;
        let mut items = f.select(uids)?;
        if items.is_empty() {
            return Ok((None, items));
        }
        for record in &mut items {
            if let Some(item) = f.items.get_mut(&record.uid.get()) {
                item.modseq = stamp;
            }
            record.modseq = modseq(stamp)?;
        }
        f.highest_modseq = stamp;
        Ok((Some(modseq(stamp)?), items))
    }

    async fn store_flags(
        &self,
        folder: FolderId,
        uids: &UidSet,
        change: FlagChange,
        unchanged_since: Option<u64>,
    ) -> Result<FlagOutcome, StateError> {
        let mut inner = self.lock();
        let f = inner.folder_mut(folder)?;
        let stamp = f.next_modseq()?;
        let mut out = FlagOutcome::default();
        for mut record in f.select(uids)? {
            if unchanged_since.is_some_and(|bound| record.modseq.get() > bound) {
                out.modified.insert(record.uid);
                continue;
            }
            let flags = match change {
                FlagChange::Replace(fl) => fl,
                FlagChange::Add(fl) => record.flags.union(fl),
                FlagChange::Remove(fl) => record.flags.difference(fl),
            };
            if flags != record.flags {
                if let Some(item) = f.items.get_mut(&record.uid.get()) {
                    item.flags = flags;
                    item.modseq = stamp;
                }
                record.flags = flags;
                record.modseq = modseq(stamp)?;
                out.modseq = Some(record.modseq);
            }
            out.items.push(record);
        }
        if out.modseq.is_some() {
            f.highest_modseq = stamp;
        }
        Ok(out)
    }

    async fn items_by_uid(&self, folder: FolderId, uids: &UidSet) -> Result<Vec<ItemRecord>, StateError> {
        self.lock().folder(folder)?.select(uids)
    }

    async fn items_by_key(&self, folder: FolderId, keys: &[ItemKey]) -> Result<Vec<Option<ItemRecord>>, StateError> {
        let inner = self.lock();
        let f = inner.folder(folder)?;
        keys.iter().map(|k| f.by_key.get(k).map_or(Ok(None), |&uid| f.record(uid))).collect()
    }

    async fn claim_recent(&self, folder: FolderId) -> Result<Option<UidRange>, StateError> {
        let mut inner = self.lock();
        let f = inner.folder_mut(folder)?;
        if f.recent_from >= f.uid_next {
            return Ok(None);
        }
        let range = UidRange::new(uid_of(f.recent_from)?, uid_of(f.uid_next - 1)?);
        f.recent_from = f.uid_next;
        Ok(Some(range))
    }

    async fn changed_since(&self, folder: FolderId, since: u64) -> Result<Vec<ItemRecord>, StateError> {
        let inner = self.lock();
        let f = inner.folder(folder)?;
        let mut out = Vec::new();
        for (&uid, item) in &f.items {
            if item.modseq > since {
                out.extend(f.record(uid)?);
            }
        }
        Ok(out)
    }

    async fn vanished_since(&self, folder: FolderId, since: u64) -> Result<Vanished, StateError> {
        let inner = self.lock();
        let f = inner.folder(folder)?;
        let uids = f.tombstones.iter().filter(|t| t.1 > since).map(|t| uid_of(t.0)).collect::<Result<_, _>>()?;
        Ok(Vanished { uids, complete: since >= f.vanished_floor })
    }

    async fn expire_tombstones(&self, before: UnixTime) -> Result<u64, StateError> {
        let mut inner = self.lock();
        let mut gone = 0u64;
        for f in inner.folders.values_mut() {
            let expired = f.tombstones.iter().filter(|t| t.2 < before.0).map(|t| t.1).max();
            if let Some(top) = expired {
                f.vanished_floor = f.vanished_floor.max(top);
            }
            let len = f.tombstones.len();
            f.tombstones.retain(|t| t.2 >= before.0);
            gone += (len - f.tombstones.len()) as u64;
        }
        for c in inner.collections.values_mut() {
            let expired = c.changes.values().filter(|(_, removed, at)| *removed && *at < before.0).map(|c| c.0).max();
            if let Some(top) = expired {
                c.floor = c.floor.max(top);
            }
            let len = c.changes.len();
            c.changes.retain(|_, (_, removed, at)| !(*removed && *at < before.0));
            gone += (len - c.changes.len()) as u64;
        }
        Ok(gone)
    }

    async fn sync_state(&self, folder: FolderId) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.lock().folder(folder)?.sync_state.clone())
    }

    async fn subscribe(&self, account: &AccountId, path: &str) -> Result<(), StateError> {
        self.lock().subscriptions.entry(account.clone()).or_default().insert(path.to_owned());
        Ok(())
    }

    async fn unsubscribe(&self, account: &AccountId, path: &str) -> Result<bool, StateError> {
        Ok(self.lock().subscriptions.get_mut(account).is_some_and(|s| s.remove(path)))
    }

    async fn subscriptions(&self, account: &AccountId) -> Result<Vec<String>, StateError> {
        Ok(self.lock().subscriptions.get(account).map(|s| s.iter().cloned().collect()).unwrap_or_default())
    }

    async fn open_collection(&self, account: &AccountId, key: &FolderKey) -> Result<CollectionState, StateError> {
        let now = self.clock.now();
        let mut inner = self.lock();
        if let Some((&id, c)) = inner.collections.iter().find(|(_, c)| &c.account == account && &c.key == key) {
            return Ok(CollectionState { id: CollectionId(id), token: SyncToken { validity: c.validity, seq: c.seq } });
        }
        let validity = inner.next_validity(account, now)?;
        inner.next_collection += 1;
        let id = inner.next_collection;
        inner.collections.insert(
            id,
            Collection {
                account: account.clone(),
                key: key.clone(),
                validity,
                seq: 0,
                floor: 0,
                changes: HashMap::new(),
            },
        );
        Ok(CollectionState { id: CollectionId(id), token: SyncToken { validity, seq: 0 } })
    }

    async fn delete_collection(&self, collection: CollectionId) -> Result<(), StateError> {
        self.lock().collections.remove(&collection.0);
        Ok(())
    }

    async fn record_dav_changes(
        &self,
        collection: CollectionId,
        changes: &[DavChange],
    ) -> Result<SyncToken, StateError> {
        let now = self.clock.now().0;
        let mut inner = self.lock();
        let c = inner.collections.get_mut(&collection.0).ok_or(StateError::UnknownCollection(collection))?;
        if changes.is_empty() {
            return Ok(SyncToken { validity: c.validity, seq: c.seq });
        }
        let seq = c.seq.checked_add(1).ok_or(StateError::Exhausted("DAV sync tokens"))?;
        for change in changes {
            c.changes.insert(change.resource.clone(), (seq, change.kind == DavChangeKind::Removed, now));
        }
        c.seq = seq;
        Ok(SyncToken { validity: c.validity, seq })
    }

    async fn dav_changes_since(&self, collection: CollectionId, token: &SyncToken) -> Result<DavDelta, StateError> {
        let inner = self.lock();
        let c = inner.collections.get(&collection.0).ok_or(StateError::UnknownCollection(collection))?;
        if token.validity != c.validity || token.seq > c.seq || token.seq < c.floor {
            return Ok(DavDelta::InvalidToken);
        }
        let mut rows: Vec<(&String, &(u64, bool, u64))> = c.changes.iter().filter(|(_, v)| v.0 > token.seq).collect();
        rows.sort_by(|a, b| (a.1.0, a.0).cmp(&(b.1.0, b.0)));
        let changes = rows
            .into_iter()
            .map(|(resource, (_, removed, _))| DavChange {
                resource: resource.clone(),
                kind: if *removed { DavChangeKind::Removed } else { DavChangeKind::Changed },
            })
            .collect();
        Ok(DavDelta::Changes { changes, token: SyncToken { validity: c.validity, seq: c.seq } })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> ItemKey {
        ItemKey::new(s.as_bytes().to_vec())
    }

    #[tokio::test]
    async fn uids_ascend_are_never_reused_and_modseqs_grow() {
        let store = MemoryStore::new();
        let account = AccountId::new("a");
        let f = store.open_folder(&account, &FolderKey::new(b"inbox".to_vec())).await.expect("open");
        let batch = SyncBatch { added: vec![key("x"), key("y"), key("x")], ..SyncBatch::default() };
        let out = store.commit_sync(f.id, batch).await.expect("commit");
        let uids: Vec<u32> = out.added.iter().map(|u| u.get()).collect();
        assert_eq!(uids, [1, 2, 1]);
        // Moved out and back in one batch: a new UID, a tombstone for the old.
        let batch = SyncBatch { removed: vec![key("x")], added: vec![key("x")], ..SyncBatch::default() };
        let out = store.commit_sync(f.id, batch).await.expect("commit");
        assert_eq!(out.added.iter().map(|u| u.get()).collect::<Vec<_>>(), [3]);
        assert_eq!(out.removed.iter().map(|u| u.get()).collect::<Vec<_>>(), [1]);
        let state = store.folder_state(f.id).await.expect("state");
        assert_eq!((state.uid_next, state.exists, state.highest_modseq.get()), (4, 2, 3));
        let vanished = store.vanished_since(f.id, 2).await.expect("vanished");
        assert_eq!(vanished.uids.iter().map(|u| u.get()).collect::<Vec<_>>(), [1]);
        // Reopening the same key is the same folder; another key gets a later validity.
        assert_eq!(store.open_folder(&account, &f.key).await.expect("reopen").id, f.id);
        let g = store.open_folder(&account, &FolderKey::new(b"sent".to_vec())).await.expect("open");
        assert!(g.uid_validity.get() > f.uid_validity.get());
    }

    #[tokio::test]
    async fn dav_tokens_report_each_resource_once() {
        let store = MemoryStore::new();
        let c = store.open_collection(&AccountId::new("a"), &FolderKey::new(b"cal".to_vec())).await.expect("open");
        let changed = |r: &str| DavChange { resource: r.into(), kind: DavChangeKind::Changed };
        let t1 = store.record_dav_changes(c.id, &[changed("a"), changed("b")]).await.expect("record");
        let removed = DavChange { resource: "a".into(), kind: DavChangeKind::Removed };
        let t2 = store.record_dav_changes(c.id, std::slice::from_ref(&removed)).await.expect("record");
        let DavDelta::Changes { changes, token } = store.dav_changes_since(c.id, &t1).await.expect("delta") else {
            panic!("valid token refused");
        };
        assert_eq!((changes, token), (vec![removed], t2));
        let future = SyncToken { seq: t2.seq + 1, ..t2 };
        assert_eq!(store.dav_changes_since(c.id, &future).await.expect("delta"), DavDelta::InvalidToken);
    }
}
