//! The change feed over exchange-sim: MAPI notifications wake an ICS
//! catch-up; changes made through the model and directly through
//! mapi-client are both seen, none lost.
#![allow(missing_docs, clippy::unwrap_used)]

mod exchange_common;

use std::collections::BTreeSet;
use std::time::Duration;

use exchange_common::*;
use exchange_sim::store::SpecialFolder;
use futures_util::StreamExt;
use mailbox::{ChangeKind, ChangeStream, FetchFields, Flag, FlagOp, Flags, UidSet};
use mapi_wire::rop::ReadFlags;

async fn next(feed: &mut ChangeStream) -> ChangeKind {
    tokio::time::timeout(Duration::from_secs(10), feed.next()).await.expect("an event within 10 s").unwrap().kind
}

#[tokio::test]
async fn notifications_bring_new_changed_and_deleted_messages() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    let mids = seed(&env, ALICE, inbox_id, &[message(1, 100), message(2, 200)]);
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    let mut feed = inbox.watch().await.unwrap();
    assert_eq!(all_uids(inbox.as_ref()).await, vec![1, 2]);

    seed(&env, ALICE, inbox_id, &[message(3, 300)]);
    assert_eq!(next(&mut feed).await, ChangeKind::Exists { uids: uid_set(&[3]), exists: 3 });

    let direct = direct(&env.sim, ALICE).await;
    direct.set_read_flags(inbox_id, &[mids[0]], ReadFlags::DEFAULT).await.unwrap();
    match next(&mut feed).await {
        ChangeKind::Flags { uid, flags, .. } => {
            assert_eq!(uid.get(), 1);
            assert!(flags.contains(&Flag::Seen));
        }
        other => panic!("{other:?}"),
    }
    direct.delete_messages(inbox_id, &[mids[1]], true).await.unwrap();
    assert_eq!(next(&mut feed).await, ChangeKind::Expunged { uids: uid_set(&[2]) });
}

/// Truly simultaneous writes.
#[tokio::test]
async fn concurrent_changes_from_the_model_and_another_client_are_all_seen() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    let mids = seed(&env, ALICE, inbox_id, &(0..40).map(|i| message(i, 60 * i as i64 + 60)).collect::<Vec<_>>());
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    inbox.select().await.unwrap();
    let mut feed = inbox.watch().await.unwrap();
    let direct = direct(&env.sim, ALICE).await;

    let model = async {
        for chunk in (1..=20u32).collect::<Vec<_>>().chunks(5) {
            inbox.store(&uid_set(chunk), &FlagOp::Add(Flags::from([Flag::Flagged])), None).await.unwrap();
        }
    };
    let other = async {
        for chunk in mids[20..].chunks(5) {
            direct.set_read_flags(inbox_id, chunk, ReadFlags::DEFAULT).await.unwrap();
        }
        for i in 0..5 {
            seed(&env, ALICE, inbox_id, &[message(100 + i, 10_000 + i as i64)]);
        }
    };
    tokio::join!(model, other);

    // Every change is in the mailbox and in the model.
    let sel = inbox.select().await.unwrap();
    assert_eq!(sel.exists, 45);
    assert_eq!(sel.unseen, 25);
    let all = inbox.fetch(&UidSet::all(), FetchFields { flags: true, ..Default::default() }).await.unwrap();
    for m in &all {
        let f = m.flags.as_ref().unwrap();
        let n = m.uid.get();
        assert_eq!(f.contains(&Flag::Flagged), n <= 20, "uid {n}: {f:?}");
        assert_eq!(f.contains(&Flag::Seen), (21..=40).contains(&n), "uid {n}: {f:?}");
    }
    // And on the feed: flags of all 40 items and the 5 arrivals.
    let mut flagged = BTreeSet::new();
    let mut arrived = BTreeSet::new();
    while flagged.len() < 40 || arrived.len() < 5 {
        match next(&mut feed).await {
            ChangeKind::Flags { uid, .. } => {
                flagged.insert(uid.get());
            }
            ChangeKind::Exists { uids, .. } => arrived.extend(uids.iter().map(|u| u.get())),
            ChangeKind::Lagged => panic!("lagged"),
            _ => {}
        }
    }
    assert_eq!(flagged, (1..=40).collect());
    assert_eq!(arrived, (41..=45).collect());
}

/// Model writes and another client's writes interleaved one after the
/// other (no download in flight during a foreign write): every change is
/// seen, with the right flags and mod-sequences.
#[tokio::test]
async fn interleaved_changes_from_the_model_and_another_client_are_all_seen() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    let mids = seed(&env, ALICE, inbox_id, &(0..20).map(|i| message(i, 60 * i as i64 + 60)).collect::<Vec<_>>());
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    let first = inbox.select().await.unwrap();
    let direct = direct(&env.sim, ALICE).await;
    for i in 0..10u32 {
        inbox.store(&uid_set(&[i + 1]), &FlagOp::Add(Flags::from([Flag::Flagged])), None).await.unwrap();
        direct.set_read_flags(inbox_id, &[mids[10 + i as usize]], ReadFlags::DEFAULT).await.unwrap();
        if i % 2 == 0 {
            seed(&env, ALICE, inbox_id, &[message(100 + i as usize, 10_000 + i64::from(i))]);
        }
    }
    let sel = inbox.select().await.unwrap();
    assert_eq!((sel.exists, sel.unseen), (25, 15));
    let changed = inbox
        .fetch(
            &UidSet::all(),
            FetchFields { flags: true, changed_since: Some(first.highest_modseq.get()), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(changed.len(), 25, "every item changed or arrived");
    for m in &changed {
        let (f, n) = (m.flags.as_ref().unwrap(), m.uid.get());
        assert_eq!(f.contains(&Flag::Flagged), n <= 10, "uid {n}: {f:?}");
        assert_eq!(f.contains(&Flag::Seen), (11..=20).contains(&n), "uid {n}: {f:?}");
        assert!(m.modseq > first.highest_modseq);
    }
}
