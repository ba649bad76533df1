//! The embedded SQLite [`StateStore`]: one database file in the data
//! directory, WAL journal, `synchronous = FULL` (an assigned UID must survive
//! a power cut, or it could be handed out twice), migrations embedded in the
//! binary.
//!
//! Writes go through a pool of one connection and start with
//! `BEGIN IMMEDIATE`, so concurrent writers of this process queue in the pool
//! instead of failing with `SQLITE_BUSY`; reads use a separate pool of
//! read-only connections that see every committed write. One process owns a
//! data directory (a second process would only meet the busy timeout).
//!
//! Only the non-macro query API is used, so building needs no database.

mod bulk;
mod credentials;
mod dav;
mod dav_names;
mod folders;
mod items;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::sqlite::{SqliteSynchronous, SqliteTransaction};

use crate::dav::{CollectionId, CollectionState, DavChange, DavDelta, SyncToken};
use crate::error::{BackendError, StateError};
use crate::store::{FlagChange, FlagOutcome, FolderState, ItemRecord, StateStore, SyncBatch, SyncOutcome, Vanished};
use crate::types::{AccountId, FolderId, FolderKey, ItemKey, ModSeq, Uid, UidValidity, UnixTime};
use crate::uid_set::{UidRange, UidSet};
use crate::{Clock, SystemClock};

/// The name of the database file inside the data directory.
pub const DATABASE_FILE: &str = "state.sqlite3";

/// How to open a [`SqliteStore`].
#[derive(Clone)]
pub struct SqliteOptions {
    /// Read-only connections for concurrent readers (default 4).
    pub readers: u32,
    /// How long a statement waits for a lock held elsewhere (default 5 s).
    pub busy_timeout: Duration,
    /// Where time comes from (UIDVALIDITY seeds, tombstone ages).
    pub clock: Arc<dyn Clock>,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self { readers: 4, busy_timeout: Duration::from_secs(5), clock: Arc::new(SystemClock) }
    }
}

/// The embedded SQLite [`StateStore`].
#[derive(Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    clock: Arc<dyn Clock>,
    path: PathBuf,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the store in `data_dir` with default
    /// options, and brings its schema up to date.
    pub async fn open(data_dir: impl AsRef<Path>) -> Result<Self, StateError> {
        Self::open_with(data_dir, SqliteOptions::default()).await
    }

    /// Opens the store with explicit options.
    pub async fn open_with(data_dir: impl AsRef<Path>, options: SqliteOptions) -> Result<Self, StateError> {
        let dir = data_dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|source| StateError::Io { path: dir.display().to_string(), source })?;
        let path = dir.join(DATABASE_FILE);
        let base = SqliteConnectOptions::new()
            .filename(&path)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(options.busy_timeout)
            .foreign_keys(true);
        let writer =
            SqlitePoolOptions::new().max_connections(1).connect_with(base.clone().create_if_missing(true)).await?;
        sqlx::migrate!("migrations/sqlite")
            .run(&writer)
            .await
            .map_err(|e| StateError::Migration(BackendError::new(e)))?;
        let reader =
            SqlitePoolOptions::new().max_connections(options.readers.max(1)).connect_with(base.read_only(true)).await?;
        Ok(Self { writer, reader, clock: options.clock, path })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes every connection (checkpointing the WAL). Later calls fail.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }

    /// Starts a write transaction that holds the database's write lock from
    /// its first statement, so it never fails half-way on lock upgrade.
    async fn write(&self) -> Result<SqliteTransaction<'static>, StateError> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    fn now(&self) -> UnixTime {
        self.clock.now()
    }
}

#[async_trait]
impl StateStore for SqliteStore {
    async fn open_folder(&self, account: &AccountId, key: &FolderKey) -> Result<FolderState, StateError> {
        folders::open(self, account, key).await
    }

    async fn folder_state(&self, folder: FolderId) -> Result<FolderState, StateError> {
        folders::state(self, folder).await
    }

    async fn folders(&self, account: &AccountId) -> Result<Vec<FolderState>, StateError> {
        folders::list(self, account).await
    }

    async fn delete_folder(&self, folder: FolderId) -> Result<(), StateError> {
        folders::delete(self, folder).await
    }

    async fn commit_sync(&self, folder: FolderId, batch: SyncBatch) -> Result<SyncOutcome, StateError> {
        items::commit_sync(self, folder, batch).await
    }

    async fn touch(&self, folder: FolderId, uids: &UidSet) -> Result<(Option<ModSeq>, Vec<ItemRecord>), StateError> {
        items::touch(self, folder, uids).await
    }

    async fn store_flags(
        &self,
        folder: FolderId,
        uids: &UidSet,
        change: FlagChange,
        unchanged_since: Option<u64>,
    ) -> Result<FlagOutcome, StateError> {
        items::store_flags(self, folder, uids, change, unchanged_since).await
    }

    async fn items_by_uid(&self, folder: FolderId, uids: &UidSet) -> Result<Vec<ItemRecord>, StateError> {
        items::by_uid(self, folder, uids).await
    }

    async fn items_by_key(&self, folder: FolderId, keys: &[ItemKey]) -> Result<Vec<Option<ItemRecord>>, StateError> {
        items::by_key(self, folder, keys).await
    }

    async fn claim_recent(&self, folder: FolderId) -> Result<Option<UidRange>, StateError> {
        folders::claim_recent(self, folder).await
    }

    async fn unclaimed_recent(&self, folder: FolderId) -> Result<u32, StateError> {
        folders::unclaimed_recent(self, folder).await
    }

    async fn changed_since(&self, folder: FolderId, since: u64) -> Result<Vec<ItemRecord>, StateError> {
        items::changed_since(self, folder, since).await
    }

    async fn vanished_since(&self, folder: FolderId, since: u64) -> Result<Vanished, StateError> {
        items::vanished_since(self, folder, since).await
    }

    async fn expire_tombstones(&self, before: UnixTime) -> Result<u64, StateError> {
        items::expire(self, before).await
    }

    async fn sync_state(&self, folder: FolderId) -> Result<Option<Vec<u8>>, StateError> {
        folders::sync_state(self, folder).await
    }

    async fn subscribe(&self, account: &AccountId, path: &str) -> Result<(), StateError> {
        dav::subscribe(self, account, path).await
    }

    async fn unsubscribe(&self, account: &AccountId, path: &str) -> Result<bool, StateError> {
        dav::unsubscribe(self, account, path).await
    }

    async fn subscriptions(&self, account: &AccountId) -> Result<Vec<String>, StateError> {
        dav::subscriptions(self, account).await
    }

    async fn open_collection(&self, account: &AccountId, key: &FolderKey) -> Result<CollectionState, StateError> {
        dav::open_collection(self, account, key).await
    }

    async fn delete_collection(&self, collection: CollectionId) -> Result<(), StateError> {
        dav::delete_collection(self, collection).await
    }

    async fn record_dav_changes(
        &self,
        collection: CollectionId,
        changes: &[DavChange],
    ) -> Result<SyncToken, StateError> {
        dav::record_changes(self, collection, changes).await
    }

    async fn dav_changes_since(&self, collection: CollectionId, token: &SyncToken) -> Result<DavDelta, StateError> {
        dav::changes_since(self, collection, token).await
    }

    async fn dav_names(&self, collection: CollectionId) -> Result<Vec<(String, ItemKey)>, StateError> {
        dav_names::names(self, collection).await
    }

    async fn set_dav_name(&self, collection: CollectionId, resource: &str, item: &ItemKey) -> Result<(), StateError> {
        dav_names::set_name(self, collection, resource, item).await
    }

    async fn remove_dav_names(&self, collection: CollectionId, resources: &[String]) -> Result<(), StateError> {
        dav_names::remove_names(self, collection, resources).await
    }

    async fn dav_seen_modseq(&self, collection: CollectionId) -> Result<Option<u64>, StateError> {
        dav_names::seen_modseq(self, collection).await
    }

    async fn set_dav_seen_modseq(&self, collection: CollectionId, modseq: u64) -> Result<(), StateError> {
        dav_names::set_seen_modseq(self, collection, modseq).await
    }

    async fn put_credential(&self, account: &AccountId, kind: &str, value: &[u8]) -> Result<(), StateError> {
        credentials::put(self, account, kind, value).await
    }

    async fn credential(&self, account: &AccountId, kind: &str) -> Result<Option<Vec<u8>>, StateError> {
        credentials::get(self, account, kind).await
    }

    async fn delete_credential(&self, account: &AccountId, kind: &str) -> Result<bool, StateError> {
        credentials::delete(self, account, kind).await
    }
}

// ---- shared helpers ----

/// The account's row id, created on first use (inside a write transaction).
async fn ensure_account(tx: &mut SqliteTransaction<'static>, account: &AccountId) -> Result<i64, StateError> {
    sqlx::query("INSERT INTO accounts (name, last_validity) VALUES (?, 0) ON CONFLICT (name) DO NOTHING")
        .bind(account.as_str())
        .execute(&mut **tx)
        .await?;
    let id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE name = ?")
        .bind(account.as_str())
        .fetch_one(&mut **tx)
        .await?;
    Ok(id)
}

/// Issues the account's next validity number (UIDVALIDITY, DAV validity):
/// `max(last + 1, now)`, so the counter never goes back and a fresh state
/// directory starts at the current time, above every value issued while the
/// counter kept pace with the clock.
async fn next_validity(
    tx: &mut SqliteTransaction<'static>,
    account_id: i64,
    now: UnixTime,
) -> Result<UidValidity, StateError> {
    let last: i64 = sqlx::query_scalar("SELECT last_validity FROM accounts WHERE id = ?")
        .bind(account_id)
        .fetch_one(&mut **tx)
        .await?;
    let next =
        u64::try_from(last).map_err(|_| StateError::Corrupt("UIDVALIDITY counter"))?.saturating_add(1).max(now.0);
    let validity =
        u32::try_from(next).ok().and_then(UidValidity::new).ok_or(StateError::Exhausted("UIDVALIDITY values"))?;
    sqlx::query("UPDATE accounts SET last_validity = ? WHERE id = ?")
        .bind(i64::from(validity.get()))
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(validity)
}

fn uid_of(v: i64) -> Result<Uid, StateError> {
    u32::try_from(v).ok().and_then(Uid::new).ok_or(StateError::Corrupt("UID"))
}

fn modseq_of(v: i64) -> Result<ModSeq, StateError> {
    u64::try_from(v).ok().and_then(ModSeq::new).ok_or(StateError::Corrupt("mod-sequence"))
}

fn u32_of(v: i64, what: &'static str) -> Result<u32, StateError> {
    u32::try_from(v).map_err(|_| StateError::Corrupt(what))
}

fn u64_of(v: i64, what: &'static str) -> Result<u64, StateError> {
    u64::try_from(v).map_err(|_| StateError::Corrupt(what))
}

/// A caller's mod-sequence bound as a database integer (values above 2^63-1
/// compare like 2^63-1, which no stored mod-sequence exceeds).
fn bound(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
