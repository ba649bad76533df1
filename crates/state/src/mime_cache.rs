//! The rendered-MIME cache: bounded in bytes, least recently used first out,
//! keyed by item identity and valid for one change key.
//!
//! It lives in memory only and starts empty after a restart: rendered MIME
//! can always be rebuilt from the mailbox, and a per-node cache is right for
//! several nodes too. Exact sizes across restarts are the renderer's job
//! (rendering is deterministic for one change key), not the cache's.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::types::{ChangeKey, ItemKey};

/// A bounded LRU cache of rendered MIME, shared by every connection of a node.
#[derive(Debug)]
pub struct MimeCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<ItemKey, Entry>,
    /// Use tick → item, oldest first.
    order: BTreeMap<u64, ItemKey>,
    tick: u64,
    bytes: usize,
    hits: u64,
    misses: u64,
}

#[derive(Debug)]
struct Entry {
    change_key: ChangeKey,
    mime: Arc<[u8]>,
    tick: u64,
}

/// Counters describing a [`MimeCache`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheStats {
    /// Items cached.
    pub entries: usize,
    /// Bytes of MIME cached.
    pub bytes: usize,
    /// The bound on `bytes`.
    pub capacity: usize,
    /// Lookups answered from the cache since it was made.
    pub hits: u64,
    /// Lookups that found nothing or a stale rendering.
    pub misses: u64,
}

impl MimeCache {
    /// A cache holding at most `capacity` bytes of MIME.
    pub fn new(capacity: usize) -> Self {
        Self { capacity, inner: Mutex::new(Inner::default()) }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere while holding the lock leaves consistent maps
        // (every update below completes before it could panic), so go on.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The MIME rendered for this item at this change key, if cached. A
    /// different change key means the item changed: the stale entry is
    /// dropped and the call misses.
    pub fn get(&self, item: &ItemKey, change_key: &ChangeKey) -> Option<Arc<[u8]>> {
        let mut inner = self.lock();
        let inner = &mut *inner;
        let Some(entry) = inner.entries.get_mut(item) else {
            inner.misses += 1;
            return None;
        };
        if entry.change_key != *change_key {
            inner.remove(item);
            inner.misses += 1;
            return None;
        }
        inner.hits += 1;
        inner.tick += 1;
        inner.order.remove(&entry.tick);
        entry.tick = inner.tick;
        inner.order.insert(entry.tick, item.clone());
        Some(entry.mime.clone())
    }

    /// Caches the MIME rendered for the item at this change key, replacing any
    /// earlier rendering, and evicts least recently used items until the total
    /// fits. MIME larger than the whole capacity is not cached.
    pub fn insert(&self, item: ItemKey, change_key: ChangeKey, mime: Arc<[u8]>) {
        let mut inner = self.lock();
        inner.remove(&item);
        if mime.len() > self.capacity {
            return;
        }
        while inner.bytes + mime.len() > self.capacity {
            let Some((_, oldest)) = inner.order.pop_first() else {
                break;
            };
            inner.remove(&oldest);
        }
        inner.tick += 1;
        let tick = inner.tick;
        inner.bytes += mime.len();
        inner.order.insert(tick, item.clone());
        inner.entries.insert(item, Entry { change_key, mime, tick });
    }

    /// Drops the item's rendering (for example when it is removed).
    pub fn invalidate(&self, item: &ItemKey) {
        self.lock().remove(item);
    }

    /// Current counters.
    pub fn stats(&self) -> CacheStats {
        let inner = self.lock();
        CacheStats {
            entries: inner.entries.len(),
            bytes: inner.bytes,
            capacity: self.capacity,
            hits: inner.hits,
            misses: inner.misses,
        }
    }
}

impl Inner {
    fn remove(&mut self, item: &ItemKey) {
        if let Some(old) = self.entries.remove(item) {
            self.order.remove(&old.tick);
            self.bytes -= old.mime.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> ItemKey {
        ItemKey::new(vec![n])
    }

    fn ck(n: u8) -> ChangeKey {
        ChangeKey::new(vec![n])
    }

    fn mime(len: usize) -> Arc<[u8]> {
        vec![b'x'; len].into()
    }

    #[test]
    fn insert_beyond_capacity_evicts_least_recently_used() {
        let cache = MimeCache::new(300);
        cache.insert(key(1), ck(1), mime(100));
        cache.insert(key(2), ck(1), mime(100));
        cache.insert(key(3), ck(1), mime(100));
        // Touch 1, so 2 is now the least recently used.
        assert!(cache.get(&key(1), &ck(1)).is_some());
        cache.insert(key(4), ck(1), mime(100));
        assert!(cache.get(&key(2), &ck(1)).is_none(), "LRU entry evicted");
        for k in [1, 3, 4] {
            assert_eq!(cache.get(&key(k), &ck(1)).map(|m| m.len()), Some(100));
        }
        let stats = cache.stats();
        assert_eq!((stats.entries, stats.bytes), (3, 300));
        // Hits: 1 (touch), then 1, 3, 4; the miss: the evicted 2.
        assert_eq!((stats.hits, stats.misses), (4, 1));
    }

    #[test]
    fn large_insert_evicts_several() {
        let cache = MimeCache::new(300);
        for k in 1..=3 {
            cache.insert(key(k), ck(1), mime(100));
        }
        cache.insert(key(9), ck(1), mime(250));
        assert_eq!(cache.stats().entries, 1);
        assert!(cache.stats().bytes <= 300);
        assert!(cache.get(&key(9), &ck(1)).is_some());
    }

    #[test]
    fn stale_change_key_misses_and_frees_bytes() {
        let cache = MimeCache::new(1000);
        cache.insert(key(1), ck(1), mime(10));
        assert!(cache.get(&key(1), &ck(2)).is_none());
        assert_eq!(cache.stats().bytes, 0);
        assert!(cache.get(&key(1), &ck(1)).is_none(), "stale entry dropped");
    }

    #[test]
    fn rerender_replaces_and_oversize_is_not_cached() {
        let cache = MimeCache::new(100);
        cache.insert(key(1), ck(1), mime(40));
        cache.insert(key(1), ck(2), mime(60));
        assert_eq!(cache.stats().bytes, 60);
        assert_eq!(cache.get(&key(1), &ck(2)).map(|m| m.len()), Some(60));
        cache.insert(key(2), ck(1), mime(101));
        assert!(cache.get(&key(2), &ck(1)).is_none());
        assert_eq!(cache.stats().bytes, 60);
    }
}
