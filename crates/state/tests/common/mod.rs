//! Helpers shared by the integration tests: a temporary data directory, a
//! settable clock, and short constructors.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use state::{AccountId, Clock, FolderKey, ItemKey, SqliteOptions, SqliteStore, StateStore, Uid, UidSet, UnixTime};

/// 2026-11-27 00:00:00 UTC.
pub const T0: u64 = 1_795_737_600;

/// A clock the test moves by hand.
#[derive(Debug)]
pub struct TestClock(AtomicU64);

impl TestClock {
    pub fn new(t: u64) -> Arc<Self> {
        Arc::new(Self(AtomicU64::new(t)))
    }
    pub fn set(&self, t: u64) {
        self.0.store(t, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> UnixTime {
        UnixTime(self.0.load(Ordering::SeqCst))
    }
}

pub struct Env {
    pub dir: tempfile::TempDir,
    pub clock: Arc<TestClock>,
    pub store: SqliteStore,
}

impl Env {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = TestClock::new(T0);
        let store = open(&dir, &clock).await;
        Self { dir, clock, store }
    }

    /// Closes the store and opens the same directory again (a restart).
    pub async fn reopen(&mut self) {
        self.store.close().await;
        self.store = open(&self.dir, &self.clock).await;
    }
}

pub async fn open(dir: &tempfile::TempDir, clock: &Arc<TestClock>) -> SqliteStore {
    let options = SqliteOptions { clock: clock.clone(), ..SqliteOptions::default() };
    SqliteStore::open_with(dir.path(), options).await.expect("open store")
}

pub fn account() -> AccountId {
    AccountId::new("alice@example.com")
}

pub fn folder_key(name: &str) -> FolderKey {
    FolderKey::new(name.as_bytes())
}

pub fn item(n: u32) -> ItemKey {
    ItemKey::new(format!("item-{n}").into_bytes())
}

pub fn items(range: std::ops::Range<u32>) -> Vec<ItemKey> {
    range.map(item).collect()
}

pub fn uid(n: u32) -> Uid {
    Uid::new(n).expect("non-zero UID")
}

pub fn nums(uids: &[Uid]) -> Vec<u32> {
    uids.iter().map(|u| u.get()).collect()
}

/// Every (UID, item) of the folder, ascending.
pub async fn uid_map(store: &dyn StateStore, folder: state::FolderId) -> Vec<(u32, ItemKey)> {
    store.items_by_uid(folder, &UidSet::all()).await.expect("items").into_iter().map(|r| (r.uid.get(), r.key)).collect()
}
