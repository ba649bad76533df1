//! CONDSTORE / QRESYNC answers (RFC 7162): changed-since, vanished-since with
//! tombstone expiry, gateway flags with UNCHANGEDSINCE, and \Recent claims.

mod common;

use common::*;
use state::{FlagChange, GatewayFlags, StateStore, SyncBatch, UidSet, UnixTime};

fn uidset(v: &[u32]) -> UidSet {
    v.iter().map(|&n| uid(n)).collect()
}

fn list(set: &UidSet) -> Vec<u32> {
    set.iter().map(|u| u.get()).collect()
}

#[tokio::test]
async fn changed_since_reports_items_above_the_modseq() {
    let env = Env::new().await;
    let f = env.store.open_folder(&account(), &folder_key("inbox")).await.unwrap();
    let added = env.store.commit_sync(f.id, SyncBatch { added: items(0..5), ..Default::default() }).await.unwrap();
    let m1 = added.modseq.unwrap().get();
    assert_eq!(m1, 2);
    let changed = env.store.mark_changed(f.id, &[item(3), item(1)]).await.unwrap();
    let m2 = changed.modseq.unwrap().get();
    assert_eq!((m2, nums(&changed.changed)), (3, vec![2, 4]));

    let since_m1 = env.store.changed_since(f.id, m1).await.unwrap();
    assert_eq!(since_m1.iter().map(|r| (r.uid.get(), r.modseq.get())).collect::<Vec<_>>(), [(2, 3), (4, 3)]);
    assert_eq!(env.store.changed_since(f.id, 1).await.unwrap().len(), 5);
    assert!(env.store.changed_since(f.id, m2).await.unwrap().is_empty());
    assert_eq!(env.store.folder_state(f.id).await.unwrap().highest_modseq.get(), m2);

    // A change to an unknown item is reported, not invented.
    let odd = env.store.mark_changed(f.id, &[item(77)]).await.unwrap();
    assert_eq!((odd.modseq, odd.unknown), (None, vec![item(77)]));
    assert_eq!(env.store.folder_state(f.id).await.unwrap().highest_modseq.get(), m2, "no-op batch");
}

#[tokio::test]
async fn vanished_since_uses_tombstones_until_they_expire() {
    let env = Env::new().await;
    let f = env.store.open_folder(&account(), &folder_key("inbox")).await.unwrap();
    env.store.assign_uids(f.id, &items(0..10)).await.unwrap(); // modseq 2
    let r1 = env.store.remove_items(f.id, &[item(0), item(1)]).await.unwrap(); // modseq 3, t0
    assert_eq!((nums(&r1.removed), r1.modseq.unwrap().get()), (vec![1, 2], 3));
    env.clock.set(T0 + 100);
    env.store.remove_items(f.id, &[item(5)]).await.unwrap(); // modseq 4, t0+100

    let all = env.store.vanished_since(f.id, 2).await.unwrap();
    assert!(all.complete);
    assert_eq!(list(&all.uids), [1, 2, 6]);
    assert_eq!(list(&env.store.vanished_since(f.id, 3).await.unwrap().uids), [6]);
    // Removed items are not "changed".
    assert!(env.store.changed_since(f.id, 2).await.unwrap().is_empty());
    assert_eq!(env.store.folder_state(f.id).await.unwrap().highest_modseq.get(), 4);

    // Expire the first removal only.
    let gone = env.store.expire_tombstones(UnixTime(T0 + 50)).await.unwrap();
    assert_eq!(gone, 2);
    let state = env.store.folder_state(f.id).await.unwrap();
    assert_eq!(state.vanished_floor, 3, "lowest modseq still answerable");
    let partial = env.store.vanished_since(f.id, 2).await.unwrap();
    assert!(!partial.complete, "answer from modseq 2 would miss UIDs 1 and 2");
    let exact = env.store.vanished_since(f.id, 3).await.unwrap();
    assert!(exact.complete);
    assert_eq!(list(&exact.uids), [6]);
}

#[tokio::test]
async fn deleted_flag_is_gateway_state_with_unchangedsince() {
    let env = Env::new().await;
    let f = env.store.open_folder(&account(), &folder_key("inbox")).await.unwrap();
    env.store.assign_uids(f.id, &items(0..4)).await.unwrap(); // modseq 2
    env.store.mark_changed(f.id, &[item(3)]).await.unwrap(); // uid 4 at modseq 3

    // STORE (UNCHANGEDSINCE 2) +FLAGS (\Deleted) on 1:4: UID 4 fails.
    let out = env
        .store
        .store_flags(f.id, &uidset(&[1, 2, 3, 4]), FlagChange::Add(GatewayFlags::DELETED), Some(2))
        .await
        .unwrap();
    assert_eq!(out.modseq.map(|m| m.get()), Some(4));
    assert_eq!(list(&out.modified), [4]);
    assert_eq!(out.items.len(), 3);
    assert!(out.items.iter().all(|r| r.flags.contains(GatewayFlags::DELETED) && r.modseq.get() == 4));

    // Setting it again changes nothing: no new modseq.
    let again = env.store.store_flags(f.id, &uidset(&[1]), FlagChange::Add(GatewayFlags::DELETED), None).await.unwrap();
    assert_eq!(again.modseq, None);
    assert_eq!(env.store.folder_state(f.id).await.unwrap().highest_modseq.get(), 4);

    let deleted: Vec<u32> = env
        .store
        .items_by_uid(f.id, &UidSet::all())
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.flags.contains(GatewayFlags::DELETED))
        .map(|r| r.uid.get())
        .collect();
    assert_eq!(deleted, [1, 2, 3]);

    let cleared =
        env.store.store_flags(f.id, &uidset(&[2]), FlagChange::Replace(GatewayFlags::EMPTY), None).await.unwrap();
    assert_eq!(cleared.items[0].flags, GatewayFlags::EMPTY);
    // UNCHANGEDSINCE 0 always fails (RFC 7162 §3.1.3).
    let zero =
        env.store.store_flags(f.id, &uidset(&[1]), FlagChange::Remove(GatewayFlags::DELETED), Some(0)).await.unwrap();
    assert_eq!(list(&zero.modified), [1]);
}

#[tokio::test]
async fn touch_bumps_only_existing_items() {
    let env = Env::new().await;
    let f = env.store.open_folder(&account(), &folder_key("inbox")).await.unwrap();
    env.store.assign_uids(f.id, &items(0..3)).await.unwrap();
    let (m, touched) = env.store.touch(f.id, &uidset(&[2, 3, 9])).await.unwrap();
    assert_eq!(m.map(|m| m.get()), Some(3));
    assert_eq!(touched.iter().map(|r| r.uid.get()).collect::<Vec<_>>(), [2, 3]);
    let (none, _) = env.store.touch(f.id, &uidset(&[9])).await.unwrap();
    assert_eq!(none, None);
}

#[tokio::test]
async fn recent_is_claimed_by_exactly_one_session() {
    let env = Env::new().await;
    let f = env.store.open_folder(&account(), &folder_key("inbox")).await.unwrap();
    assert_eq!(env.store.claim_recent(f.id).await.unwrap(), None);
    env.store.assign_uids(f.id, &items(0..3)).await.unwrap();
    let first = env.store.claim_recent(f.id).await.unwrap().unwrap();
    assert_eq!((first.first().get(), first.last().get()), (1, 3));
    assert_eq!(env.store.claim_recent(f.id).await.unwrap(), None, "second session gets none");
    env.store.assign_uids(f.id, &items(3..4)).await.unwrap();
    let next = env.store.claim_recent(f.id).await.unwrap().unwrap();
    assert_eq!((next.first().get(), next.last().get()), (4, 4));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_change_batches_get_distinct_growing_modseqs() {
    let env = Env::new().await;
    let store: std::sync::Arc<dyn StateStore> = std::sync::Arc::new(env.store.clone());
    let f = store.open_folder(&account(), &folder_key("inbox")).await.unwrap();
    store.assign_uids(f.id, &items(0..100)).await.unwrap(); // modseq 2
    let mut tasks = Vec::new();
    for t in 0..10u32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            for i in 0..10u32 {
                let n = t * 10 + i; // each item once
                let m = match i % 3 {
                    0 => store.mark_changed(f.id, &[item(n)]).await.unwrap().modseq,
                    1 => store.touch(f.id, &uidset(&[n + 1])).await.unwrap().0,
                    _ => {
                        let flag = FlagChange::Add(GatewayFlags::DELETED);
                        store.store_flags(f.id, &uidset(&[n + 1]), flag, None).await.unwrap().modseq
                    }
                };
                // Readers run alongside: no item is ever ahead of HIGHESTMODSEQ.
                let items_now = store.changed_since(f.id, 0).await.unwrap();
                let st = store.folder_state(f.id).await.unwrap();
                assert!(items_now.iter().all(|r| r.modseq <= st.highest_modseq));
                seen.push(m.expect("each call changes something").get());
            }
            seen
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        let seen = task.await.unwrap();
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "per task growing");
        all.extend(seen);
    }
    all.sort_unstable();
    assert_eq!(all, (3..=102).collect::<Vec<u64>>(), "one distinct modseq per batch");
    assert_eq!(store.folder_state(f.id).await.unwrap().highest_modseq.get(), 102);
}
