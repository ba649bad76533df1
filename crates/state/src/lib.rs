//! The gateway's own persistent state: everything the mailbox cannot tell the
//! gateway again. Behind one trait, [`StateStore`]; [`SqliteStore`] is the
//! embedded single-node implementation.
//!
//! The crate knows nothing of MAPI: folders and items are named by opaque
//! bytes ([`FolderKey`], [`ItemKey`]; for MAPI the source keys), change
//! versions by [`ChangeKey`], and sync progress by opaque blobs (ICS states).
//!
//! # What it keeps
//!
//! - Per account and folder: UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, the
//!   item ↔ UID map with each item's mod-sequence and gateway-only flags
//!   (`\Deleted` until EXPUNGE), tombstones of removed items for QRESYNC, a
//!   `\Recent` claim marker, and the backend sync state (ICS state blob),
//!   committed together with the UID assignments it covers
//!   ([`StateStore::commit_sync`]).
//! - Per account: IMAP subscriptions by folder path.
//! - Per DAV collection: a sync token and a change log (RFC 6578).
//! - In memory only: the rendered-MIME cache ([`MimeCache`]).
//!
//! # Rules it keeps
//!
//! - **UIDs are never reused.** UIDNEXT only grows; a removed item's UID is
//!   gone for good, and an item that comes back (moved out and back) gets a new
//!   UID. UID 4294967295 is never given, so UIDNEXT stays a valid number; a
//!   folder that runs out answers [`StateError::Exhausted`], and the caller
//!   gives it a new UIDVALIDITY by deleting and reopening it.
//! - **UIDVALIDITY is never reused per account.** Each account has one
//!   counter; a new value is `max(last + 1, now)` with `now` in seconds since
//!   the Unix epoch (from the [`Clock`]). A wiped state directory therefore
//!   starts at the current time, above every value issued before as long as the
//!   account never took more than one value per second on average (a burst of
//!   N new folders runs the counter at most N seconds ahead of the clock, and a
//!   wipe within those N seconds could repeat a value). Values fit in 32 bits
//!   until 2106. DAV collections draw their validity from the same counter.
//! - **Mod-sequences** (RFC 7162 §3.1): per folder, HIGHESTMODSEQ starts at 1
//!   and grows by exactly one per change batch ([`StateStore::commit_sync`],
//!   [`StateStore::touch`], [`StateStore::store_flags`]); every item the batch
//!   adds, changes or removes gets that value (removals via their tombstones).
//!   A batch that changes nothing leaves HIGHESTMODSEQ alone.
//! - **Tombstones expire** ([`StateStore::expire_tombstones`]); the folder
//!   remembers the highest expired mod-sequence as
//!   [`FolderState::vanished_floor`], and [`StateStore::vanished_since`] says
//!   whether its answer is complete.
//!
//! # PostgreSQL (planned, not shipped)
//!
//! Several gateway nodes will share one PostgreSQL database through a
//! `PostgresStore` implementing the same trait behind a `postgres` cargo
//! feature. It is not in this crate yet: an implementation nobody has run
//! against a server is not shipped. The plan:
//!
//! - Schema: `migrations/sqlite/0001_initial.sql` translated into
//!   `migrations/postgres/` (`INTEGER PRIMARY KEY AUTOINCREMENT` → `BIGINT
//!   GENERATED ALWAYS AS IDENTITY`, `INTEGER` → `BIGINT`, `BLOB` → `BYTEA`).
//!   Every statement in `src/sqlite/` is already portable SQL (`ON CONFLICT …
//!   DO NOTHING / DO UPDATE`, `RETURNING`, correlated subqueries, no `MAX(a,
//!   b)` scalar); placeholders change (`?` → `$1…`), and the chunked `IN (…)`
//!   lists and multi-row `VALUES` of `src/sqlite/bulk.rs` become one bound
//!   array each (`item_key = ANY($2)`, `UNNEST`).
//! - Write serialisation: SQLite gets it from `BEGIN IMMEDIATE` and a single
//!   writer connection. PostgreSQL will lock the folder row
//!   (`SELECT … FROM folders WHERE id = $1 FOR UPDATE`) at the start of each
//!   folder transaction (and the account row for validity and subscriptions),
//!   so concurrent nodes serialise per folder, not globally.
//! - Tests: the integration tests in `tests/` use only trait methods, except
//!   for opening a store (`tests/common`) and the fault-injection tests, which
//!   reach into the SQLite file; they will run against both backends by
//!   choosing the store in `tests/common` (PostgreSQL when a test database URL
//!   is given).
//! - The MIME cache stays per node, in memory.

mod dav;
mod error;
mod memory;
mod mime_cache;
mod sqlite;
mod store;
mod types;
mod uid_set;

pub use dav::{CollectionId, CollectionState, DavChange, DavChangeKind, DavDelta, MalformedToken, SyncToken};
pub use error::{BackendError, StateError};
pub use memory::MemoryStore;
pub use mime_cache::{CacheStats, MimeCache};
pub use sqlite::{DATABASE_FILE, SqliteOptions, SqliteStore};
pub use store::{FlagChange, FlagOutcome, FolderState, ItemRecord, StateStore, SyncBatch, SyncOutcome, Vanished};
pub use types::{AccountId, ChangeKey, FolderId, FolderKey, GatewayFlags, ItemKey, ModSeq, Uid, UidValidity, UnixTime};
pub use uid_set::{UidRange, UidSet};

/// Where the store takes the current time from. Tests pass a fixed or stepped
/// clock; production uses [`SystemClock`].
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> UnixTime;
}

/// The system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixTime {
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        UnixTime(secs)
    }
}
