//! The simulator's persistent store: private mailboxes and one public folder
//! store in one SQLite database (WAL) per data directory, with MAPI ids and
//! change tracking maintained on every write, plus the pure evaluation engine
//! ([`eval`], [`sort`], [`table`]) the ROP layer uses for tables.
//!
//! # Model
//!
//! * A [`Store`] is one database file (`store.sqlite` in the data dir). It is
//!   cheap to clone and `Send + Sync`; every call is synchronous and runs in
//!   its own SQLite transaction (`BEGIN IMMEDIATE`, WAL, `synchronous =
//!   FULL`), so an abrupt stop leaves either the whole call or none of it. The async layers call it
//!   from `spawn_blocking` or a dedicated thread.
//! * A [`Mailbox`] is a handle on one store inside it (a user's private
//!   mailbox or the public folders). Ids use replica id [`REPLID`] = 1 and
//!   the store's replica GUID, the same in RopLogon and in every
//!   GID/SourceKey/ChangeKey/IDSET ([MS-OXCSTOR] 2.2.1.1; we deliberately do
//!   not copy gromox's distinct Logon ReplGuid, corrections A15).
//! * FIDs and MIDs come from one per-store GLOBCNT (`next_id`), never reused,
//!   even after deletes and restarts; change numbers from a second per-store
//!   counter (`next_cn`). [MS-OXCFXICS] 2.2.2.1.
//! * Every change sets PidTagChangeNumber, PidTagChangeKey (XID = replica
//!   GUID + CN counter), PidTagPredecessorChangeList (merged),
//!   PidTagLastModificationTime; creation sets PidTagSourceKey (GID =
//!   replica GUID + id counter) and PidTagCreationTime. Counts, sizes, ids
//!   and entry ids are computed when read.
//! * Deletions (soft and hard) and moves out of a folder are logged per
//!   folder with the CN at deletion ([`Mailbox::deletions`]) for ICS.
//! * Moved messages get a new MID and PidTagSourceKey, as on Exchange (the
//!   source folder logs the old MID as deleted, the destination sees a new
//!   message; PidTagSearchKey is kept). Moved folders keep their FID.
//!   Copies get new MIDs/FIDs and new source keys.
//! * Read-state changes get their own CN (`read_cn`), not a new change key,
//!   so ICS can report them as read-state changes ([MS-OXCFXICS] 2.2.4.3
//!   readStateChanges) and not as content changes.
//! * Every committed call publishes [`StoreEvent`]s to the subscribers of
//!   that [`Store`] value and its clones ([`Store::subscribe`]) for
//!   notifications; another `Store::open` of the same directory is a
//!   separate bus.
//! * Each call is its own transaction. [`Store::atomically`] joins the calls
//!   a closure makes (e.g. delivering a submitted message to several
//!   mailboxes and moving it to Sent Items) into one transaction; other
//!   threads wait meanwhile.

mod directory;
pub mod error;
pub mod eval;
pub mod events;
mod folder;
mod import;
mod mailbox;
mod message;
mod named;
mod perms;
pub mod props;
mod receive;
mod schema;
pub mod sort;
pub mod special;
pub mod table;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::ThreadId;

use mapi_wire::ids::GlobalCounter;
use mapi_wire::prop_value::FileTime;
use mapi_wire::{Guid, PropTag};
use rusqlite::{Connection, OptionalExtension, params};

pub use error::{StoreError, StoreResult};
pub use events::{StoreEvent, SubscriptionId};
pub use folder::{DeleteFolderFlags, FolderInfo, FolderRow};
pub use import::ImportedFolder;
pub use mailbox::Mailbox;
pub use message::{ChangeRow, Deletion, MessageRow, SaveMode, SavedMessage, StoredMessage, flags as message_flags};
pub use named::{FIRST_NAMED_ID, LAST_NAMED_ID};
pub use perms::{DEFAULT_CALENDAR_RIGHTS, DEFAULT_GRANTEE, Rights};
pub use props::{Attachment, MessageContent, PropBag};
pub use receive::ReceiveFolder;
pub use special::{PublicFolder, SpecialFolder};

/// The replica id every FID, MID and CN of a store uses; it maps to the
/// store's replica GUID ([MS-OXCDATA] 2.2.1.1, [MS-OXCSTOR] 2.2.1.1).
pub const REPLID: u16 = 1;

/// The address of the public folder store's row.
pub const PUBLIC_STORE_ADDRESS: &str = "public-folders@exchange-sim.invalid";

/// PidTagFolderChildCount ([MS-OXPROPS] 2.697), not in the catalogue yet.
pub const PID_TAG_FOLDER_CHILD_COUNT: PropTag = PropTag(0x6638_0003);

/// A time source (FILETIME); replaceable for deterministic tests and seeding.
pub type Clock = Arc<dyn Fn() -> FileTime + Send + Sync>;

/// The store: one SQLite database holding every mailbox of the simulator.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    conn: Mutex<Connection>,
    /// Which thread owns the store's transaction, and how deeply nested
    /// ([`Store::atomically`]); other threads wait on `gate_free`.
    gate: Mutex<(Option<ThreadId>, u32)>,
    gate_free: Condvar,
    path: Option<PathBuf>,
    clock: Mutex<Clock>,
    bus: events::Bus,
}

/// Holds the store's gate for this thread; released on drop (also on panic).
struct Gate<'a> {
    inner: &'a Inner,
    depth: u32,
}

impl Drop for Gate<'_> {
    fn drop(&mut self) {
        let mut g = lock(&self.inner.gate);
        g.1 = g.1.saturating_sub(1);
        if g.1 == 0 {
            g.0 = None;
            self.inner.gate_free.notify_all();
        }
    }
}

/// An open SQLite transaction (depth 1) or savepoint (nested); rolled back
/// on drop unless committed.
struct TxGuard<'c> {
    conn: &'c Connection,
    nested: bool,
    open: bool,
}

impl<'c> TxGuard<'c> {
    fn begin(conn: &'c Connection, nested: bool) -> StoreResult<Self> {
        conn.execute_batch(if nested { "SAVEPOINT store_call" } else { "BEGIN IMMEDIATE" })?;
        Ok(Self { conn, nested, open: true })
    }

    fn commit(mut self) -> StoreResult<()> {
        self.conn.execute_batch(if self.nested { "RELEASE store_call" } else { "COMMIT" })?;
        self.open = false;
        Ok(())
    }
}

impl Drop for TxGuard<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.execute_batch(if self.nested {
                "ROLLBACK TO store_call; RELEASE store_call"
            } else {
                "ROLLBACK"
            });
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.inner.path).finish()
    }
}

/// What kind of store a [`Mailbox`] is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum StoreKind {
    /// A user's (or shared) private mailbox.
    Private,
    /// The public folder store.
    Public,
}

/// The identity of a store ([MS-OXCSTOR] 2.2.1.1.3 RopLogon response fields).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MailboxInfo {
    /// Row id in the database (stable).
    pub store_id: i64,
    /// Private or public.
    pub kind: StoreKind,
    /// Primary SMTP address (lower-case comparison).
    pub address: String,
    /// Display name (PidTagMailboxOwnerName).
    pub display_name: String,
    /// legacyExchangeDN (the Essdn a private RopLogon names).
    pub legacy_dn: String,
    /// MailboxGuid (RopLogon; ProviderUID of entry ids).
    pub mailbox_guid: Guid,
    /// ReplGuid for replica id 1 (RopLogon ReplGuid; GIDs, XIDs, IDSETs).
    pub replica_guid: Guid,
}

/// The data for a new private mailbox.
#[derive(Clone, Debug, Default)]
pub struct NewMailbox<'a> {
    /// Primary SMTP address, e.g. `alice@example.test`.
    pub address: &'a str,
    /// Display name.
    pub display_name: &'a str,
    /// legacyExchangeDN; derived from the address when `None`.
    pub legacy_dn: Option<&'a str>,
    /// Password to hash (argon2id); `None` leaves authentication to others.
    pub password: Option<&'a str>,
    /// A fixed MailboxGuid (deterministic seeding); random when `None`.
    pub mailbox_guid: Option<Guid>,
    /// A fixed replica GUID (deterministic seeding); random when `None`.
    pub replica_guid: Option<Guid>,
}

/// The legacyDN prefix for derived DNs.
pub const LEGACY_DN_PREFIX: &str =
    "/o=Exchange Sim/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=";

/// The database file name inside the data directory.
pub const DB_FILE: &str = "store.sqlite";

fn system_now() -> FileTime {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let ticks =
        (d.as_secs() + FileTime::UNIX_EPOCH_SECONDS) * FileTime::TICKS_PER_SECOND + u64::from(d.subsec_nanos() / 100);
    FileTime(ticks)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock left SQLite either committed or rolled
    // back (transactions end on drop), so the connection is still usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Random bytes for GUIDs and salts.
pub(crate) fn random_guid() -> StoreResult<Guid> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|_| StoreError::Corrupt("no system randomness".into()))?;
    // RFC 4122 version 4 / variant bits.
    b[7] = (b[7] & 0x0F) | 0x40;
    b[8] = (b[8] & 0x3F) | 0x80;
    Ok(Guid(b))
}

impl Store {
    /// Opens (creating if needed) the store in `dir` (`dir/store.sqlite`),
    /// applies migrations and creates the public folder store once.
    pub fn open(dir: impl AsRef<Path>) -> StoreResult<Self> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)?;
        let path = dir.join(DB_FILE);
        let conn = Connection::open(&path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        Self::init(conn, Some(path))
    }

    /// An in-memory store (tests; nothing persists).
    pub fn open_in_memory() -> StoreResult<Self> {
        Self::init(Connection::open_in_memory()?, None)
    }

    fn init(mut conn: Connection, path: Option<PathBuf>) -> StoreResult<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&mut conn)?;
        let store = Self {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
                gate: Mutex::new((None, 0)),
                gate_free: Condvar::new(),
                path,
                clock: Mutex::new(Arc::new(system_now)),
                bus: events::Bus::default(),
            }),
        };
        store.ensure_public_store()?;
        Ok(store)
    }

    /// The database file, if on disk.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// The schema version in force.
    pub fn schema_version(&self) -> StoreResult<i64> {
        self.with_tx(|conn| {
            Ok(conn.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))?)
        })
    }

    /// The newest schema version this build knows.
    pub fn latest_schema_version() -> i64 {
        schema::latest_version()
    }

    /// Replaces the time source (deterministic tests and seeding).
    pub fn set_clock(&self, clock: Clock) {
        *lock(&self.inner.clock) = clock;
    }

    /// The current time of the store's clock.
    pub fn now(&self) -> FileTime {
        let c = lock(&self.inner.clock).clone();
        c()
    }

    /// Waits until no other thread owns the store, then owns it (nested
    /// entries of the same thread count up).
    fn enter(&self) -> Gate<'_> {
        let me = std::thread::current().id();
        let mut g = lock(&self.inner.gate);
        loop {
            match g.0 {
                None => {
                    *g = (Some(me), 1);
                    break;
                }
                Some(owner) if owner == me => {
                    g.1 += 1;
                    break;
                }
                Some(_) => g = self.inner.gate_free.wait(g).unwrap_or_else(std::sync::PoisonError::into_inner),
            }
        }
        Gate { inner: &self.inner, depth: g.1 }
    }

    /// Runs `f` in one immediate transaction (a savepoint inside
    /// [`Store::atomically`]); commits if it returns Ok. Events emitted
    /// inside `f` are published after the outermost commit, outside every
    /// lock, and dropped if `f` or the commit fails.
    pub(crate) fn with_tx<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let gate = self.enter();
        let nested = gate.depth > 1;
        if !nested {
            self.inner.bus.truncate(0); // leftovers of a call that panicked
        }
        let mark = self.inner.bus.mark();
        let result = {
            let conn = lock(&self.inner.conn);
            TxGuard::begin(&conn, nested).and_then(|tx| {
                let out = f(&conn)?;
                tx.commit()?;
                Ok(out)
            })
        };
        if result.is_err() {
            self.inner.bus.truncate(mark);
        }
        if nested {
            return result;
        }
        let events = self.inner.bus.take();
        drop(gate);
        self.inner.bus.publish(events);
        result
    }

    /// Runs `f` so that every store call it makes on this thread (on this
    /// `Store` or its clones and mailboxes) commits together or not at all:
    /// one SQLite transaction, each call a savepoint inside it. `f`
    /// returning Err (or panicking) rolls everything back. Other threads
    /// wait until `f` returns; do not wait in `f` for another thread that
    /// uses the store. Events are published after the commit. Nests.
    pub fn atomically<T>(&self, f: impl FnOnce() -> StoreResult<T>) -> StoreResult<T> {
        struct Open<'a> {
            inner: &'a Inner,
            nested: bool,
            open: bool,
        }
        impl Drop for Open<'_> {
            fn drop(&mut self) {
                if self.open {
                    let conn = lock(&self.inner.conn);
                    let _ = conn.execute_batch(if self.nested {
                        "ROLLBACK TO store_call; RELEASE store_call"
                    } else {
                        "ROLLBACK"
                    });
                }
            }
        }
        let gate = self.enter();
        let nested = gate.depth > 1;
        if !nested {
            self.inner.bus.truncate(0);
        }
        let mark = self.inner.bus.mark();
        let mut open = Open { inner: &self.inner, nested, open: false };
        let result = (|| {
            lock(&self.inner.conn).execute_batch(if nested { "SAVEPOINT store_call" } else { "BEGIN IMMEDIATE" })?;
            open.open = true;
            let out = f()?;
            lock(&self.inner.conn).execute_batch(if nested { "RELEASE store_call" } else { "COMMIT" })?;
            open.open = false;
            Ok(out)
        })();
        drop(open);
        if result.is_err() {
            self.inner.bus.truncate(mark);
        }
        if nested {
            return result;
        }
        let events = self.inner.bus.take();
        drop(gate);
        self.inner.bus.publish(events);
        result
    }

    /// Queues an event of the call in progress (inside [`Store::with_tx`]).
    pub(crate) fn emit(&self, e: StoreEvent) {
        self.inner.bus.emit(e);
    }

    /// Calls `f` for every change committed from now on (after the commit,
    /// outside the store lock, on the committing thread; `f` may call the
    /// store). Keep `f` short: forward into a channel.
    pub fn subscribe(&self, f: impl Fn(&StoreEvent) + Send + Sync + 'static) -> SubscriptionId {
        self.inner.bus.subscribe(Arc::new(f))
    }

    /// A subscription delivering events into a channel (dropping the
    /// receiver leaves a no-op subscriber; call [`Store::unsubscribe`]).
    pub fn subscribe_channel(&self) -> (SubscriptionId, std::sync::mpsc::Receiver<StoreEvent>) {
        let (cb, rx) = events::channel();
        (self.inner.bus.subscribe(cb), rx)
    }

    /// Ends a subscription.
    pub fn unsubscribe(&self, id: SubscriptionId) {
        self.inner.bus.unsubscribe(id);
    }

    /// Creates a private mailbox with the standard folder tree.
    ///
    /// Fails with [`StoreError::DuplicateName`] if the address or legacyDN
    /// is taken.
    pub fn create_mailbox(&self, new: &NewMailbox<'_>) -> StoreResult<Mailbox> {
        if new.address.is_empty() || !new.address.contains('@') {
            return Err(StoreError::InvalidParameter("a mailbox address must be an SMTP address"));
        }
        let legacy_dn = match new.legacy_dn {
            Some(dn) => dn.to_owned(),
            None => format!("{LEGACY_DN_PREFIX}{}", new.address.split('@').next().unwrap_or(new.address)),
        };
        let hash = new.password.map(perms::hash_password).transpose()?;
        let now = self.now();
        let info = self.with_tx(|tx| {
            if mailbox_row(tx, new.address)?.is_some() || mailbox_row(tx, &legacy_dn)?.is_some() {
                return Err(StoreError::DuplicateName(new.address.to_owned()));
            }
            if let Some(g) = new.mailbox_guid {
                let taken: i64 =
                    tx.query_row("SELECT COUNT(*) FROM stores WHERE mailbox_guid = ?1", [&g.0[..]], |r| r.get(0))?;
                if taken > 0 {
                    return Err(StoreError::DuplicateName(format!("mailbox GUID {g}")));
                }
            }
            let guids =
                (new.mailbox_guid.map_or_else(random_guid, Ok)?, new.replica_guid.map_or_else(random_guid, Ok)?);
            let info = insert_store(
                tx,
                StoreKind::Private,
                new.address,
                new.display_name,
                &legacy_dn,
                hash.as_deref(),
                guids,
            )?;
            folder::create_private_tree(tx, &info, now)?;
            perms::grant_default_calendar_rights(tx, info.store_id)?;
            Ok(info)
        })?;
        Ok(Mailbox { store: self.clone(), info: Arc::new(info) })
    }

    fn ensure_public_store(&self) -> StoreResult<()> {
        let now = self.now();
        self.with_tx(|tx| {
            if mailbox_row(tx, PUBLIC_STORE_ADDRESS)?.is_some() {
                return Ok(());
            }
            let info = insert_store(
                tx,
                StoreKind::Public,
                PUBLIC_STORE_ADDRESS,
                "Public Folders",
                "/o=Exchange Sim/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=exchange-sim/cn=Microsoft Public MDB",
                None,
                (random_guid()?, random_guid()?),
            )?;
            folder::create_public_tree(tx, &info, now)
        })
    }

    /// The mailbox of `user`: an SMTP address or a legacyDN, compared
    /// case-insensitively. [`StoreError::NotFound`] if there is none.
    pub fn mailbox(&self, user: &str) -> StoreResult<Mailbox> {
        let info = self
            .with_tx(|conn| mailbox_row(conn, user))?
            .ok_or_else(|| StoreError::not_found(format!("mailbox {user}")))?;
        Ok(Mailbox { store: self.clone(), info: Arc::new(info) })
    }

    /// The store whose MailboxGuid is `guid` (the `MailboxId=<guid>@domain`
    /// of MAPI/HTTP URLs, [MS-OXCMAPIHTTP] 2.2.1).
    pub fn mailbox_by_guid(&self, guid: Guid) -> StoreResult<Mailbox> {
        let info = self
            .with_tx(|conn| {
                Ok(conn
                    .query_row(&format!("{STORE_COLUMNS} WHERE mailbox_guid = ?1"), [&guid.0[..]], store_from_row)
                    .optional()?)
            })?
            .ok_or_else(|| StoreError::not_found(format!("mailbox {guid}")))?;
        Ok(Mailbox { store: self.clone(), info: Arc::new(info) })
    }

    /// The public folder store.
    pub fn public_folders(&self) -> StoreResult<Mailbox> {
        self.mailbox(PUBLIC_STORE_ADDRESS)
    }

    /// Every private mailbox, by store id.
    pub fn mailboxes(&self) -> StoreResult<Vec<MailboxInfo>> {
        self.with_tx(|conn| {
            let mut st = conn.prepare(&format!("{STORE_COLUMNS} WHERE kind = 0 ORDER BY id"))?;
            let rows = st.query_map([], store_from_row)?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// True if `password` is the mailbox's password (argon2id verification;
    /// false for unknown users and users without a password).
    pub fn verify_password(&self, user: &str, password: &str) -> StoreResult<bool> {
        let hash: Option<String> = self.with_tx(|conn| {
            Ok(conn
                .query_row(
                    "SELECT password_hash FROM stores WHERE kind = 0 AND (address = ?1 OR legacy_dn = ?1)",
                    [user],
                    |r| r.get(0),
                )
                .optional()?
                .flatten())
        })?;
        Ok(hash.is_some_and(|h| perms::verify_password(&h, password)))
    }

    /// Sets (or with `None` clears) a mailbox's password.
    pub fn set_password(&self, user: &str, password: Option<&str>) -> StoreResult<()> {
        let hash = password.map(perms::hash_password).transpose()?;
        self.with_tx(|tx| {
            let n = tx.execute(
                "UPDATE stores SET password_hash = ?2 WHERE kind = 0 AND (address = ?1 OR legacy_dn = ?1)",
                params![user, hash],
            )?;
            if n == 0 {
                return Err(StoreError::not_found(format!("mailbox {user}")));
            }
            Ok(())
        })
    }
}

const STORE_COLUMNS: &str = "SELECT id, kind, address, display_name, legacy_dn, mailbox_guid, replica_guid FROM stores";

fn guid_from(b: Vec<u8>) -> Guid {
    let mut g = [0u8; 16];
    for (d, s) in g.iter_mut().zip(b) {
        *d = s;
    }
    Guid(g)
}

fn store_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MailboxInfo> {
    Ok(MailboxInfo {
        store_id: r.get(0)?,
        kind: if r.get::<_, i64>(1)? == 0 { StoreKind::Private } else { StoreKind::Public },
        address: r.get(2)?,
        display_name: r.get(3)?,
        legacy_dn: r.get(4)?,
        mailbox_guid: guid_from(r.get(5)?),
        replica_guid: guid_from(r.get(6)?),
    })
}

fn mailbox_row(conn: &Connection, user: &str) -> StoreResult<Option<MailboxInfo>> {
    Ok(conn
        .query_row(&format!("{STORE_COLUMNS} WHERE address = ?1 OR legacy_dn = ?1"), [user], store_from_row)
        .optional()?)
}

fn insert_store(
    tx: &Connection,
    kind: StoreKind,
    address: &str,
    display_name: &str,
    legacy_dn: &str,
    password_hash: Option<&str>,
    (mailbox_guid, replica_guid): (Guid, Guid),
) -> StoreResult<MailboxInfo> {
    tx.execute(
        "INSERT INTO stores(kind, address, display_name, legacy_dn, mailbox_guid, replica_guid, password_hash, next_id, next_cn)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)",
        params![
            i64::from(kind == StoreKind::Public),
            address,
            display_name,
            legacy_dn,
            &mailbox_guid.0[..],
            &replica_guid.0[..],
            password_hash,
            special::FIRST_DYNAMIC_COUNTER as i64
        ],
    )?;
    Ok(MailboxInfo {
        store_id: tx.last_insert_rowid(),
        kind,
        address: address.to_owned(),
        display_name: display_name.to_owned(),
        legacy_dn: legacy_dn.to_owned(),
        mailbox_guid,
        replica_guid,
    })
}

/// Reserves `n` consecutive global counters of a store; returns the first.
pub(crate) fn alloc_ids(tx: &Connection, store: i64, n: u64) -> StoreResult<u64> {
    let next: i64 = tx.query_row("SELECT next_id FROM stores WHERE id = ?1", [store], |r| r.get(0))?;
    let next = next as u64;
    let end = next.checked_add(n).filter(|e| *e <= GlobalCounter::MAX).ok_or(StoreError::Exhausted("GLOBCNT"))?;
    tx.execute("UPDATE stores SET next_id = ?2 WHERE id = ?1", params![store, end as i64])?;
    Ok(next)
}

/// Allocates the next change-number counter of a store.
pub(crate) fn alloc_cn(tx: &Connection, store: i64) -> StoreResult<u64> {
    let next: i64 = tx.query_row("SELECT next_cn FROM stores WHERE id = ?1", [store], |r| r.get(0))?;
    let next = next as u64;
    if next >= GlobalCounter::MAX {
        return Err(StoreError::Exhausted("change numbers"));
    }
    tx.execute("UPDATE stores SET next_cn = ?2 WHERE id = ?1", params![store, (next + 1) as i64])?;
    Ok(next)
}
