//! UID assignment and lookup at folder scale: one batch of 10,000 new items,
//! and 10,000 lookups by identity, on the embedded SQLite store.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_main};
use state::{AccountId, FolderKey, ItemKey, SqliteStore, StateStore};

const N: u32 = 10_000;

fn keys() -> Vec<ItemKey> {
    // 22-byte keys like MAPI source keys (16-byte GUID + 6-byte counter).
    (0..N)
        .map(|n| {
            let mut k = vec![0xab; 16];
            k.extend_from_slice(&u64::from(n).to_be_bytes()[2..]);
            ItemKey::new(k)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = rt.block_on(SqliteStore::open(dir.path())).expect("store");
    let account = AccountId::new("bench@example.com");
    let keys = keys();
    let mut group = c.benchmark_group("state");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));

    let mut folder_no = 0u32;
    group.bench_function("assign_uids_10k_one_batch", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                folder_no += 1;
                let key = FolderKey::new(folder_no.to_be_bytes().to_vec());
                let f = rt.block_on(store.open_folder(&account, &key)).expect("folder");
                let start = Instant::now();
                let uids = rt.block_on(store.assign_uids(f.id, &keys)).expect("assign");
                total += start.elapsed();
                assert_eq!(uids.len(), keys.len());
            }
            total
        })
    });

    let f = rt.block_on(store.open_folder(&account, &FolderKey::new(b"lookup".to_vec()))).expect("folder");
    rt.block_on(store.assign_uids(f.id, &keys)).expect("assign");
    group.bench_function("items_by_key_10k", |b| {
        b.iter(|| {
            let found = rt.block_on(store.items_by_key(f.id, &keys)).expect("lookup");
            assert!(found.iter().all(Option::is_some));
        })
    });
    group.finish();
}

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench);
}
criterion_main!(group::benches);
