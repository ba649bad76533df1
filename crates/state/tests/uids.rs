//! UID assignment: order, persistence across restarts, never reused, and
//! UIDVALIDITY for recreated folders and wiped state directories.

mod common;

use common::*;
use state::{StateError, StateStore, SyncBatch, UidSet};

#[tokio::test]
async fn uids_ascend_in_the_given_order() {
    let env = Env::new().await;
    let inbox = env.store.open_folder(&account(), &folder_key("inbox")).await.unwrap();
    assert_eq!((inbox.uid_next, inbox.highest_modseq.get(), inbox.exists), (1, 1, 0));
    // Delivery order differs from key order on purpose.
    let order = vec![item(30), item(10), item(20)];
    let uids = env.store.assign_uids(inbox.id, &order).await.unwrap();
    assert_eq!(nums(&uids), [1, 2, 3]);
    let by_key = env.store.items_by_key(inbox.id, &order).await.unwrap();
    let found: Vec<u32> = by_key.iter().map(|r| r.as_ref().unwrap().uid.get()).collect();
    assert_eq!(found, [1, 2, 3]);
    let more = env.store.assign_uids(inbox.id, &items(40..42)).await.unwrap();
    assert_eq!(nums(&more), [4, 5]);
    let state = env.store.folder_state(inbox.id).await.unwrap();
    assert_eq!((state.uid_next, state.exists), (6, 5));
    assert_eq!(state.highest_modseq.get(), 3, "one modseq per batch");
}

#[tokio::test]
async fn restart_keeps_uids_validity_and_modseqs_and_continues_above_max() {
    let mut env = Env::new().await;
    let inbox = env.store.open_folder(&account(), &folder_key("inbox")).await.unwrap();
    env.store.assign_uids(inbox.id, &items(0..100)).await.unwrap();
    env.store.mark_changed(inbox.id, &[item(7)]).await.unwrap();
    env.store.remove_items(inbox.id, &[item(99)]).await.unwrap();
    let before_map = uid_map(&env.store, inbox.id).await;
    let before_changes = env.store.changed_since(inbox.id, 0).await.unwrap();
    let before = env.store.folder_state(inbox.id).await.unwrap();

    env.reopen().await;

    let after = env.store.open_folder(&account(), &folder_key("inbox")).await.unwrap();
    assert_eq!(after, before, "UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ survive");
    assert_eq!(uid_map(&env.store, after.id).await, before_map);
    assert_eq!(env.store.changed_since(after.id, 0).await.unwrap(), before_changes);
    let vanished = env.store.vanished_since(after.id, 1).await.unwrap();
    assert_eq!(vanished.uids.iter().map(|u| u.get()).collect::<Vec<_>>(), [100]);

    let new = env.store.assign_uids(after.id, &items(100..103)).await.unwrap();
    assert_eq!(nums(&new), [101, 102, 103], "above the previous maximum, 100 not reused");
}

#[tokio::test]
async fn item_moved_out_and_back_gets_a_new_uid() {
    let env = Env::new().await;
    let f = env.store.open_folder(&account(), &folder_key("inbox")).await.unwrap();
    env.store.assign_uids(f.id, &items(0..3)).await.unwrap();
    env.store.remove_items(f.id, &[item(1)]).await.unwrap();
    let back = env.store.assign_uids(f.id, &[item(1)]).await.unwrap();
    assert_eq!(nums(&back), [4]);
    // Out and back within one sync batch as well.
    let out = env
        .store
        .commit_sync(f.id, SyncBatch { removed: vec![item(1)], added: vec![item(1)], ..SyncBatch::default() })
        .await
        .unwrap();
    assert_eq!((nums(&out.removed), nums(&out.added)), (vec![4], vec![5]));
    let map = uid_map(&env.store, f.id).await;
    assert_eq!(map.iter().map(|(u, _)| *u).collect::<Vec<_>>(), [1, 3, 5]);
}

#[tokio::test]
async fn readding_a_known_item_keeps_its_uid() {
    let env = Env::new().await;
    let f = env.store.open_folder(&account(), &folder_key("inbox")).await.unwrap();
    env.store.assign_uids(f.id, &items(0..3)).await.unwrap();
    let again =
        env.store.commit_sync(f.id, SyncBatch { added: vec![item(1), item(3)], ..SyncBatch::default() }).await.unwrap();
    assert_eq!(nums(&again.added), [2, 4]);
    assert_eq!(nums(&again.changed), [2]);
}

#[tokio::test]
async fn deleted_and_recreated_folder_gets_a_new_uidvalidity() {
    let env = Env::new().await;
    let key = folder_key("projects");
    let first = env.store.open_folder(&account(), &key).await.unwrap();
    env.store.assign_uids(first.id, &items(0..5)).await.unwrap();
    env.store.delete_folder(first.id).await.unwrap();
    assert!(matches!(env.store.folder_state(first.id).await, Err(StateError::UnknownFolder(_))));
    assert!(matches!(env.store.assign_uids(first.id, &[item(9)]).await, Err(StateError::UnknownFolder(_))));

    // Same identity again (and the clock has not moved: the counter still grows).
    let same = env.store.open_folder(&account(), &key).await.unwrap();
    assert_ne!(same.id, first.id);
    assert!(same.uid_validity > first.uid_validity);
    assert_eq!((same.uid_next, same.exists), (1, 0));
    // A new identity too.
    let other = env.store.open_folder(&account(), &folder_key("projects-2")).await.unwrap();
    assert!(other.uid_validity > same.uid_validity);
}

#[tokio::test]
async fn uidvalidity_is_seeded_by_time_and_survives_a_wiped_state_dir() {
    let env = Env::new().await;
    let a = env.store.open_folder(&account(), &folder_key("a")).await.unwrap();
    let b = env.store.open_folder(&account(), &folder_key("b")).await.unwrap();
    assert_eq!(a.uid_validity.get() as u64, T0);
    assert_eq!(b.uid_validity.get() as u64, T0 + 1, "same second: counter + 1");
    // Another account has its own counter.
    let bob = state::AccountId::new("bob@example.com");
    let c = env.store.open_folder(&bob, &folder_key("a")).await.unwrap();
    assert_eq!(c.uid_validity.get() as u64, T0);

    // Wipe the state directory; an hour later the same folder is seen again.
    let wiped = Env::new().await;
    wiped.clock.set(T0 + 3600);
    let a2 = wiped.store.open_folder(&account(), &folder_key("a")).await.unwrap();
    assert!(a2.uid_validity > b.uid_validity, "no recent value repeats");
}

#[tokio::test]
async fn uid_sets_select_ranges() {
    let env = Env::new().await;
    let f = env.store.open_folder(&account(), &folder_key("inbox")).await.unwrap();
    env.store.assign_uids(f.id, &items(0..200)).await.unwrap();
    let mut set = UidSet::new();
    set.insert_range(state::UidRange::new(uid(3), uid(5)));
    set.insert(uid(150));
    set.insert(uid(500));
    let got = env.store.items_by_uid(f.id, &set).await.unwrap();
    assert_eq!(got.iter().map(|r| r.uid.get()).collect::<Vec<_>>(), [3, 4, 5, 150]);
    assert_eq!(got[0].key, item(2));
    // Many ranges take the scan path and must give the same answer.
    let odd: UidSet = (1..=200).step_by(2).map(uid).collect();
    let got = env.store.items_by_uid(f.id, &odd).await.unwrap();
    assert_eq!(got.len(), 100);
    assert!(got.iter().all(|r| r.uid.get() % 2 == 1));
    let missing = env.store.items_by_key(f.id, &[item(7), item(999)]).await.unwrap();
    assert_eq!(missing[0].as_ref().map(|r| r.uid.get()), Some(8));
    assert!(missing[1].is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_assignment_from_20_tasks_gives_unique_uids() {
    let env = Env::new().await;
    let store: std::sync::Arc<dyn StateStore> = std::sync::Arc::new(env.store.clone());
    let mut tasks = Vec::new();
    for t in 0..20u32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            // Every task opens the folder itself: one folder must result.
            let f = store.open_folder(&account(), &folder_key("shared")).await.unwrap();
            let mut got = Vec::new();
            for batch in 0..10u32 {
                let keys = items(t * 1000 + batch * 5..t * 1000 + batch * 5 + 5);
                let uids = store.assign_uids(f.id, &keys).await.unwrap();
                assert!(nums(&uids).windows(2).all(|w| w[1] == w[0] + 1), "batch contiguous");
                got.extend(uids);
            }
            (f.id, f.uid_validity, got)
        }));
    }
    let mut all = Vec::new();
    let mut ids = std::collections::BTreeSet::new();
    for task in tasks {
        let (id, validity, uids) = task.await.unwrap();
        ids.insert((id, validity));
        assert!(nums(&uids).windows(2).all(|w| w[0] < w[1]), "per task ascending");
        all.extend(nums(&uids));
    }
    assert_eq!(ids.len(), 1, "all tasks saw one folder");
    all.sort_unstable();
    all.dedup();
    assert_eq!(all, (1..=1000).collect::<Vec<u32>>(), "1000 unique UIDs, no gap");
    let (id, _) = ids.into_iter().next().unwrap();
    let state = store.folder_state(id).await.unwrap();
    assert_eq!((state.uid_next, state.exists, state.highest_modseq.get()), (1001, 1000, 201));
}

/// Runs one statement on the database behind the store's back.
async fn raw(env: &Env, sql: &'static str) {
    use sqlx::ConnectOptions;
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(env.store.path())
        .connect()
        .await
        .expect("second connection");
    sqlx::query(sql).execute(&mut conn).await.expect("raw SQL");
}

#[tokio::test]
async fn running_out_of_uids_fails_the_whole_batch() {
    let env = Env::new().await;
    let f = env.store.open_folder(&account(), &folder_key("inbox")).await.unwrap();
    raw(&env, "UPDATE folders SET uid_next = 4294967293").await;
    let err = env.store.assign_uids(f.id, &items(0..3)).await.unwrap_err();
    assert!(matches!(err, StateError::Exhausted(_)), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(env.store.folder_state(f.id).await.unwrap().exists, 0, "nothing applied");
    let last = env.store.assign_uids(f.id, &items(0..2)).await.unwrap();
    assert_eq!(nums(&last), [4294967293, 4294967294]);
    assert_eq!(env.store.folder_state(f.id).await.unwrap().uid_next, u32::MAX);
    // The way out: a new UIDVALIDITY for the folder.
    env.store.delete_folder(f.id).await.unwrap();
    let fresh = env.store.open_folder(&account(), &folder_key("inbox")).await.unwrap();
    assert_eq!(nums(&env.store.assign_uids(fresh.id, &[item(0)]).await.unwrap()), [1]);
}

#[tokio::test]
async fn damaged_rows_are_reported_not_trusted() {
    let env = Env::new().await;
    let f = env.store.open_folder(&account(), &folder_key("inbox")).await.unwrap();
    env.store.assign_uids(f.id, &items(0..2)).await.unwrap();
    raw(&env, "UPDATE items SET uid = -5 WHERE uid = 2").await;
    let err = env.store.changed_since(f.id, 0).await.unwrap_err();
    assert!(matches!(err, StateError::Corrupt("UID")), "{err}");
    raw(&env, "UPDATE folders SET uid_validity = 0").await;
    let err = env.store.folder_state(f.id).await.unwrap_err();
    assert!(matches!(err, StateError::Corrupt("UIDVALIDITY")), "{err}");
}

#[tokio::test]
async fn large_batches_cross_statement_chunks_correctly() {
    let env = Env::new().await;
    let f = env.store.open_folder(&account(), &folder_key("big")).await.unwrap();
    let first = env.store.assign_uids(f.id, &items(0..1200)).await.unwrap();
    assert_eq!(nums(&first), (1..=1200).collect::<Vec<_>>());
    // Known items 600..1100 come first in `added`, then 800 new ones.
    let mut added = items(600..1100);
    added.extend(items(5000..5800));
    let out = env
        .store
        .commit_sync(f.id, SyncBatch { removed: items(0..600), changed: items(300..1000), added, sync_state: None })
        .await
        .unwrap();
    assert_eq!(nums(&out.removed), (1..=600).collect::<Vec<_>>());
    assert_eq!(out.unknown, items(300..600), "removed in the same batch");
    assert_eq!(nums(&out.changed), (601..=1100).collect::<Vec<_>>());
    assert_eq!(nums(&out.added[..500]), (601..=1100).collect::<Vec<_>>());
    assert_eq!(nums(&out.added[500..]), (1201..=2000).collect::<Vec<_>>());
    let state = env.store.folder_state(f.id).await.unwrap();
    assert_eq!((state.exists, state.uid_next), (1400, 2001));
    let looked = env.store.items_by_key(f.id, &items(0..1300)).await.unwrap();
    assert!(looked[..600].iter().all(Option::is_none));
    assert!(looked[600..1200].iter().all(Option::is_some));
    assert!(looked[1200..].iter().all(Option::is_none));
    assert_eq!(env.store.vanished_since(f.id, 2).await.unwrap().uids.len(), 600);
}
