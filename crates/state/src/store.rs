//! The [`StateStore`] trait: everything the gateway must remember that the
//! mailbox cannot tell it again, behind one async interface that an embedded
//! SQLite store implements today and a shared PostgreSQL store can implement
//! for several gateway nodes.

use async_trait::async_trait;

use crate::dav::{CollectionId, CollectionState, DavChange, DavDelta, SyncToken};
use crate::error::StateError;
use crate::types::{AccountId, FolderId, FolderKey, GatewayFlags, ItemKey, ModSeq, Uid, UidValidity, UnixTime};
use crate::uid_set::{UidRange, UidSet};

/// The state of one folder as IMAP sees it. RFC 9051 §2.3.1.1, RFC 7162 §3.1
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderState {
    /// The store's handle of this folder.
    pub id: FolderId,
    /// The folder's identity in the backend.
    pub key: FolderKey,
    /// UIDVALIDITY: never issued twice for the account.
    pub uid_validity: UidValidity,
    /// UIDNEXT: the UID the next new item gets. Only grows.
    pub uid_next: u32,
    /// HIGHESTMODSEQ: the mod-sequence of the latest change batch (1 for a
    /// folder without changes).
    pub highest_modseq: ModSeq,
    /// The lowest mod-sequence from which [`StateStore::vanished_since`] is
    /// complete: tombstones at or below it have expired.
    pub vanished_floor: u64,
    /// How many items the folder holds.
    pub exists: u32,
}

/// One item's gateway state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemRecord {
    /// The item's UID.
    pub uid: Uid,
    /// The item's identity in the backend.
    pub key: ItemKey,
    /// The mod-sequence of the item's latest change.
    pub modseq: ModSeq,
    /// Gateway-only flags.
    pub flags: GatewayFlags,
}

/// What a sync round found in the backend, committed in one transaction with
/// the ICS state that covers it (so that a crash never leaves UIDs and ICS
/// state out of step).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncBatch {
    /// Items new to the folder, in the order their UIDs must ascend (for
    /// example delivery time). An item already mapped keeps its UID and counts
    /// as changed, so replaying a batch is harmless; an item listed twice gets
    /// one UID.
    pub added: Vec<ItemKey>,
    /// Items whose content or backend flags changed. Unknown items are
    /// reported in [`SyncOutcome::unknown`] and otherwise ignored.
    pub changed: Vec<ItemKey>,
    /// Items gone from the folder. They leave a tombstone for
    /// [`StateStore::vanished_since`]; unknown items are ignored. Removals
    /// apply before additions, so an item removed and added in one batch (moved
    /// out and back) gets a new UID.
    pub removed: Vec<ItemKey>,
    /// The backend's sync state after this batch (for MAPI the ICS state
    /// blob); `None` keeps the stored one.
    pub sync_state: Option<Vec<u8>>,
}

/// What [`StateStore::commit_sync`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncOutcome {
    /// The mod-sequence given to every item this batch touched; `None` when
    /// the batch changed nothing (HIGHESTMODSEQ unchanged).
    pub modseq: Option<ModSeq>,
    /// The UID of each item of [`SyncBatch::added`], in the same order.
    pub added: Vec<Uid>,
    /// UIDs of changed items (including re-added ones), ascending.
    pub changed: Vec<Uid>,
    /// UIDs of removed items, ascending.
    pub removed: Vec<Uid>,
    /// Items of [`SyncBatch::changed`] the folder does not hold.
    pub unknown: Vec<ItemKey>,
}

/// How [`StateStore::store_flags`] changes gateway flags (IMAP STORE
/// `FLAGS`, `+FLAGS`, `-FLAGS`). RFC 9051 §6.4.6
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagChange {
    /// Set exactly these flags.
    Replace(GatewayFlags),
    /// Add these flags.
    Add(GatewayFlags),
    /// Remove these flags.
    Remove(GatewayFlags),
}

/// What [`StateStore::store_flags`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlagOutcome {
    /// The mod-sequence given to the items whose flags changed; `None` if none
    /// changed.
    pub modseq: Option<ModSeq>,
    /// Every item that passed the `UNCHANGEDSINCE` test, with its flags and
    /// mod-sequence after the change, ascending by UID.
    pub items: Vec<ItemRecord>,
    /// Items left alone because their mod-sequence exceeded
    /// `UNCHANGEDSINCE` (RFC 7162 §3.1.3 `MODIFIED`).
    pub modified: UidSet,
}

/// The answer of [`StateStore::vanished_since`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vanished {
    /// UIDs removed after the given mod-sequence.
    pub uids: UidSet,
    /// `false` when tombstones the answer needs have expired: `uids` may then
    /// miss removals, and the caller must fall back (RFC 7162 §3.2.5.2 allows
    /// reporting every UID below UIDNEXT that is not present as vanished).
    pub complete: bool,
}

/// The gateway's persistent state. Every method is one transaction: it
/// applies whole or not at all. Implementations are shared by all connections
/// of all users of a node (`Arc<dyn StateStore>`), and must be correct under
/// concurrent calls.
#[async_trait]
pub trait StateStore: Send + Sync {
    // ---- folders (IMAP mailboxes) ----

    /// The state of the account's folder with this backend identity, created
    /// on first use with a fresh UIDVALIDITY, UIDNEXT 1 and HIGHESTMODSEQ 1.
    async fn open_folder(&self, account: &AccountId, key: &FolderKey) -> Result<FolderState, StateError>;

    /// The current state of a folder.
    async fn folder_state(&self, folder: FolderId) -> Result<FolderState, StateError>;

    /// The account's known folders, in no particular order.
    async fn folders(&self, account: &AccountId) -> Result<Vec<FolderState>, StateError>;

    /// Forgets a folder that the backend deleted: its items, tombstones and
    /// sync state. Reopening the same key creates a new folder state with a new
    /// UIDVALIDITY. Deleting an unknown folder is not an error.
    async fn delete_folder(&self, folder: FolderId) -> Result<(), StateError>;

    // ---- items ----

    /// Applies one sync round (additions, changes, removals and the sync state
    /// that covers them) atomically. One mod-sequence for the whole batch: the
    /// folder's HIGHESTMODSEQ grows by one if anything changed. RFC 7162 §3.1
    async fn commit_sync(&self, folder: FolderId, batch: SyncBatch) -> Result<SyncOutcome, StateError>;

    /// Gives UIDs to new items in the given order, ascending from UIDNEXT, in
    /// one transaction; returns them in the same order.
    async fn assign_uids(&self, folder: FolderId, items: &[ItemKey]) -> Result<Vec<Uid>, StateError> {
        let batch = SyncBatch { added: items.to_vec(), ..SyncBatch::default() };
        Ok(self.commit_sync(folder, batch).await?.added)
    }

    /// Removes items (they leave tombstones); their UIDs are never reused.
    async fn remove_items(&self, folder: FolderId, items: &[ItemKey]) -> Result<SyncOutcome, StateError> {
        let batch = SyncBatch { removed: items.to_vec(), ..SyncBatch::default() };
        self.commit_sync(folder, batch).await
    }

    /// Gives the items a new mod-sequence (one for the batch) because they
    /// changed in the backend.
    async fn mark_changed(&self, folder: FolderId, items: &[ItemKey]) -> Result<SyncOutcome, StateError> {
        let batch = SyncBatch { changed: items.to_vec(), ..SyncBatch::default() };
        self.commit_sync(folder, batch).await
    }

    /// Gives the items with these UIDs a new mod-sequence (one for the batch),
    /// for example after the gateway itself changed their backend flags.
    /// Returns the mod-sequence and the items touched.
    async fn touch(&self, folder: FolderId, uids: &UidSet) -> Result<(Option<ModSeq>, Vec<ItemRecord>), StateError>;

    /// Changes gateway-only flags of the items with these UIDs. Items whose
    /// mod-sequence exceeds `unchanged_since` are left alone and reported
    /// (RFC 7162 §3.1.3); items whose flags actually change share one new
    /// mod-sequence.
    async fn store_flags(
        &self,
        folder: FolderId,
        uids: &UidSet,
        change: FlagChange,
        unchanged_since: Option<u64>,
    ) -> Result<FlagOutcome, StateError>;

    /// The items with UIDs in the set, ascending by UID.
    async fn items_by_uid(&self, folder: FolderId, uids: &UidSet) -> Result<Vec<ItemRecord>, StateError>;

    /// The items with these identities, in the same order; `None` for an item
    /// the folder does not hold.
    async fn items_by_key(&self, folder: FolderId, keys: &[ItemKey]) -> Result<Vec<Option<ItemRecord>>, StateError>;

    /// Claims the UIDs that are `\Recent` (RFC 3501 §2.3.2): those assigned
    /// since the previous claim. Exactly one caller gets each UID; `None` when
    /// no item arrived since.
    async fn claim_recent(&self, folder: FolderId) -> Result<Option<UidRange>, StateError>;

    // ---- CONDSTORE / QRESYNC ----

    /// Items whose mod-sequence is above `since`, ascending by UID
    /// (RFC 7162 §3.1.4 `CHANGEDSINCE`).
    async fn changed_since(&self, folder: FolderId, since: u64) -> Result<Vec<ItemRecord>, StateError>;

    /// UIDs removed after mod-sequence `since` (RFC 7162 §3.2.6 `VANISHED`).
    async fn vanished_since(&self, folder: FolderId, since: u64) -> Result<Vanished, StateError>;

    /// Drops tombstones of items removed before `before` (IMAP folders) and
    /// change-log entries of DAV resources deleted before it, raising each
    /// folder's [`FolderState::vanished_floor`] and each collection's oldest
    /// valid token accordingly. Returns how many entries went.
    async fn expire_tombstones(&self, before: UnixTime) -> Result<u64, StateError>;

    // ---- ICS ----

    /// The backend sync state last committed with [`Self::commit_sync`].
    async fn sync_state(&self, folder: FolderId) -> Result<Option<Vec<u8>>, StateError>;

    // ---- subscriptions (IMAP LSUB / LIST (SUBSCRIBED)) ----

    /// Subscribes the account to a folder path (RFC 9051 §6.3.7). Idempotent.
    async fn subscribe(&self, account: &AccountId, path: &str) -> Result<(), StateError>;

    /// Unsubscribes; returns whether the path was subscribed.
    async fn unsubscribe(&self, account: &AccountId, path: &str) -> Result<bool, StateError>;

    /// The account's subscribed paths, sorted.
    async fn subscriptions(&self, account: &AccountId) -> Result<Vec<String>, StateError>;

    // ---- DAV sync tokens (RFC 6578) ----

    /// The state of the account's DAV collection with this backend identity,
    /// created on first use.
    async fn open_collection(&self, account: &AccountId, key: &FolderKey) -> Result<CollectionState, StateError>;

    /// Forgets a collection; old tokens become invalid, and reopening the key
    /// starts a new token space.
    async fn delete_collection(&self, collection: CollectionId) -> Result<(), StateError>;

    /// Records changed and deleted resources under one new token, and returns
    /// it. An empty batch returns the current token.
    async fn record_dav_changes(
        &self,
        collection: CollectionId,
        changes: &[DavChange],
    ) -> Result<SyncToken, StateError>;

    /// The resources changed or deleted since `token`, each once with its last
    /// state, or [`DavDelta::InvalidToken`] (RFC 6578 §3.2
    /// `DAV:valid-sync-token`).
    async fn dav_changes_since(&self, collection: CollectionId, token: &SyncToken) -> Result<DavDelta, StateError>;

    // ---- added for IMAP STATUS RECENT ----

    /// How many items of the folder are `\Recent` and not claimed yet
    /// (RFC 3501 §6.3.10 STATUS RECENT): UIDs at or above the next claim's
    /// start that the folder still holds. Does not claim them. Stores that
    /// do not track it keep the default, 0.
    async fn unclaimed_recent(&self, folder: FolderId) -> Result<u32, StateError> {
        let _ = folder;
        Ok(0)
    }

    /// The names DAV clients chose for items of the collection, with the
    /// items they name. A store that does not keep them answers none (names
    /// then last as long as the process).
    async fn dav_names(&self, collection: CollectionId) -> Result<Vec<(String, ItemKey)>, StateError> {
        let _ = collection;
        Ok(Vec::new())
    }

    /// Remembers that `resource` names `item`; an earlier name of the item
    /// and an earlier item of the name are forgotten.
    async fn set_dav_name(&self, collection: CollectionId, resource: &str, item: &ItemKey) -> Result<(), StateError> {
        let _ = (collection, resource, item);
        Ok(())
    }

    /// Forgets these names (their items are gone).
    async fn remove_dav_names(&self, collection: CollectionId, resources: &[String]) -> Result<(), StateError> {
        let _ = (collection, resources);
        Ok(())
    }

    /// The backend folder's mod-sequence when the collection's listing was
    /// last compared with its change log ([`Self::set_dav_seen_modseq`]);
    /// `None` when never (or not kept).
    async fn dav_seen_modseq(&self, collection: CollectionId) -> Result<Option<u64>, StateError> {
        let _ = collection;
        Ok(None)
    }

    /// Remembers the backend folder's mod-sequence the collection's change
    /// log is complete up to.
    async fn set_dav_seen_modseq(&self, collection: CollectionId, modseq: u64) -> Result<(), StateError> {
        let _ = (collection, modseq);
        Ok(())
    }

    // ---- credentials the gateway holds for an account ----

    /// Stores `value` as the account's credential of `kind` (replacing one
    /// stored before). The value is opaque: the gateway seals refresh tokens
    /// before they get here and stores only password hashes.
    async fn put_credential(&self, account: &AccountId, kind: &str, value: &[u8]) -> Result<(), StateError> {
        let _ = (account, kind, value);
        Err(StateError::Unsupported("credentials"))
    }

    /// The account's credential of `kind`, if one is stored.
    async fn credential(&self, account: &AccountId, kind: &str) -> Result<Option<Vec<u8>>, StateError> {
        let _ = (account, kind);
        Err(StateError::Unsupported("credentials"))
    }

    /// Forgets the account's credential of `kind`; true if there was one.
    async fn delete_credential(&self, account: &AccountId, kind: &str) -> Result<bool, StateError> {
        let _ = (account, kind);
        Err(StateError::Unsupported("credentials"))
    }
}
