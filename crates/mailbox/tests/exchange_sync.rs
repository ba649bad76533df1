//! UIDs from ICS over exchange-sim: initial sync in delivery order, restart,
//! new messages, moved out and back; fetch of flags, dates, envelopes and
//! exact MIME.
#![allow(missing_docs, clippy::unwrap_used)]

mod exchange_common;

use exchange_common::*;
use exchange_sim::store::SpecialFolder;
use mailbox::{FetchFields, UidSet};

/// Delivery times out of MID order: message i is delivered at a scrambled
/// time, so UID order must follow the times, not the store order.
fn scrambled(n: usize) -> Vec<(usize, i64)> {
    (0..n).map(|i| (i, ((i * 7919) % n) as i64 * 60 + 3600)).collect()
}

#[tokio::test]
async fn initial_sync_assigns_uids_in_delivery_order_and_a_restart_keeps_them() {
    let mut env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    let order = scrambled(60);
    seed(&env, ALICE, inbox_id, &order.iter().map(|(i, t)| message(*i, *t)).collect::<Vec<_>>());
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    let sel = inbox.select().await.unwrap();
    assert_eq!(sel.exists, 60);
    assert_eq!(sel.uid_next, 61);
    let fields = FetchFields { internal_date: true, envelope: true, ..Default::default() };
    let items = inbox.fetch(&UidSet::all(), fields).await.unwrap();
    assert_eq!(items.iter().map(|m| m.uid.get()).collect::<Vec<_>>(), (1..=60).collect::<Vec<_>>());
    let dates: Vec<i64> = items.iter().map(|m| m.internal_date.unwrap().0).collect();
    assert!(dates.windows(2).all(|w| w[0] < w[1]), "UIDs ascend with delivery time: {dates:?}");
    let before: Vec<(u32, String)> = subjects(inbox.as_ref()).await;

    drop((inbox, a));
    env.restart().await;
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    let again = inbox.select().await.unwrap();
    assert_eq!(again.uid_validity, sel.uid_validity);
    assert_eq!(again.uid_next, 61);
    assert_eq!(subjects(inbox.as_ref()).await, before, "every UID kept across the restart");

    // New mail gets UIDs above the previous maximum.
    seed(&env, ALICE, inbox_id, &[message(1000, 10), message(1001, 5)]);
    let uids = all_uids(inbox.as_ref()).await;
    assert_eq!(uids.len(), 62);
    let subj = subjects(inbox.as_ref()).await;
    assert_eq!(&subj[60..], &[(61, "message 1001".to_owned()), (62, "message 1000".to_owned())]);
}

#[tokio::test]
async fn changes_while_the_gateway_was_down_move_only_their_modseqs() {
    let mut env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    let mids = seed(&env, ALICE, inbox_id, &(0..10).map(|i| message(i, 60 * i as i64 + 60)).collect::<Vec<_>>());
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    let before = inbox.select().await.unwrap();
    drop((inbox, a));
    env.restart().await;
    // While down: message 3 read, message 5 deleted, one new.
    let direct = direct(&env.sim, ALICE).await;
    direct.set_read_flags(inbox_id, &[mids[2]], mapi_wire::rop::ReadFlags::DEFAULT).await.unwrap();
    direct.delete_messages(inbox_id, &[mids[4]], true).await.unwrap();
    seed(&env, ALICE, inbox_id, &[message(99, 100_000)]);
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    let after = inbox.select().await.unwrap();
    assert_eq!(after.uid_validity, before.uid_validity);
    assert_eq!((after.exists, after.uid_next), (10, 12));
    let since = before.highest_modseq.get();
    let changed = inbox
        .fetch(&UidSet::all(), FetchFields { flags: true, changed_since: Some(since), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(changed.iter().map(|m| m.uid.get()).collect::<Vec<_>>(), vec![3, 11]);
    assert!(changed[0].flags.as_ref().unwrap().contains(&mailbox::Flag::Seen));
    assert_eq!(inbox.vanished_since(since).await.unwrap().0, uid_set(&[5]));
}

#[tokio::test]
async fn an_unusable_stored_ics_state_means_a_full_sync_that_keeps_uids() {
    let mut env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    seed(&env, ALICE, inbox_id, &(0..5).map(|i| message(i, 60 * i as i64 + 60)).collect::<Vec<_>>());
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    let before = inbox.select().await.unwrap();
    let subj = subjects(inbox.as_ref()).await;
    drop((inbox, a));
    // Damage the stored ICS state.
    use state::StateStore as _;
    let account = state::AccountId::new(ALICE);
    let key = state::FolderKey::new(inbox_id.to_wire().to_vec());
    let st = env.state.folders(&account).await.unwrap().into_iter().find(|f| f.key == key).unwrap();
    let batch = state::SyncBatch { sync_state: Some(b"not an ICS state".to_vec()), ..Default::default() };
    env.state.commit_sync(st.id, batch).await.unwrap();
    env.restart().await;
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    let after = inbox.select().await.unwrap();
    assert_eq!((after.uid_validity, after.uid_next, after.exists), (before.uid_validity, 6, 5));
    assert_eq!(subjects(inbox.as_ref()).await, subj, "UIDs kept");
    // Nothing says what changed meanwhile: every item gets a new mod-sequence.
    let changed = inbox
        .fetch(&UidSet::all(), FetchFields { changed_since: Some(before.highest_modseq.get()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(changed.len(), 5);
}
