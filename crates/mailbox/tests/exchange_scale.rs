//! Folder sizes that matter: the initial sync of 5,000 messages assigns
//! ascending UIDs in delivery order; an incremental sync after 10 changes
//! costs the same round trips and about the same bytes in a 10,000-message
//! folder as in a 1,000-message one (O(changes), not O(folder)).
#![allow(missing_docs, clippy::unwrap_used)]

mod exchange_common;

use exchange_common::*;
use exchange_sim::store::SpecialFolder;
use mailbox::{FetchFields, Flag, UidSet};
use mapi_wire::rop::ReadFlags;

#[tokio::test]
async fn initial_sync_of_5000_messages_in_delivery_order() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    let n = 5000;
    // Delivery times scrambled against the store order.
    let msgs: Vec<_> = (0..n).map(|i| message(i, ((i * 7919) % n) as i64 * 60 + 60)).collect();
    seed(&env, ALICE, inbox_id, &msgs);
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    let t = std::time::Instant::now();
    let sel = inbox.select().await.unwrap();
    eprintln!("initial sync of {n}: {:?}, {:?}", t.elapsed(), a.wire_counters());
    assert_eq!((sel.exists, sel.uid_next), (n as u32, n as u32 + 1));
    let items = inbox.fetch(&UidSet::all(), FetchFields { internal_date: true, ..Default::default() }).await.unwrap();
    assert_eq!(items.len(), n);
    assert!(items.windows(2).all(|w| w[0].uid < w[1].uid && w[0].internal_date < w[1].internal_date));
}

/// Round trips and bytes of the catch-up after 10 changes in a folder of
/// `n` messages.
async fn incremental_cost(n: usize) -> (u64, u64) {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    let mids = seed(&env, ALICE, inbox_id, &(0..n).map(|i| message(i, i as i64 * 60 + 60)).collect::<Vec<_>>());
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    let first = inbox.select().await.unwrap();
    // 10 changes by another client: 4 read, 2 flagged, 2 deleted, 2 new.
    let direct = direct(&env.sim, ALICE).await;
    direct.set_read_flags(inbox_id, &mids[10..14], ReadFlags::DEFAULT).await.unwrap();
    for m in &mids[20..22] {
        let v = mapi_wire::prop_value::TaggedValue {
            tag: mapi_wire::PropTag::FLAG_STATUS,
            value: mapi_wire::prop_value::PropValue::I32(2),
        };
        direct.update_message(inbox_id, *m, &[v], &[]).await.unwrap();
    }
    direct.delete_messages(inbox_id, &mids[30..32], true).await.unwrap();
    seed(&env, ALICE, inbox_id, &[message(n + 1, 10_000_000), message(n + 2, 10_000_060)]);

    let before = a.wire_counters();
    let sel = inbox.select().await.unwrap();
    let after = a.wire_counters();
    assert_eq!(sel.exists, n as u32);
    assert_eq!(sel.uid_next, first.uid_next + 2);
    assert_eq!(sel.unseen, n as u32 - 4);
    let changed = inbox
        .fetch(
            &UidSet::all(),
            FetchFields { flags: true, changed_since: Some(first.highest_modseq.get()), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(changed.len(), 8, "4 read, 2 flagged, 2 new");
    assert_eq!(changed.iter().filter(|m| m.flags.as_ref().unwrap().contains(&Flag::Flagged)).count(), 2);
    let (gone, _) = inbox.vanished_since(first.highest_modseq.get()).await.unwrap();
    assert_eq!(gone.len(), 2);
    let trips = after.round_trips - before.round_trips;
    let bytes = (after.bytes_sent - before.bytes_sent) + (after.bytes_received - before.bytes_received);
    eprintln!("incremental sync after 10 changes in {n}: {trips} round trips, {bytes} bytes");
    (trips, bytes)
}

#[tokio::test]
async fn incremental_sync_costs_o_changes() {
    let (trips_small, bytes_small) = incremental_cost(1000).await;
    let (trips_big, bytes_big) = incremental_cost(10_000).await;
    assert!(trips_big <= 2, "{trips_big} round trips");
    assert_eq!(trips_big, trips_small);
    // The same changes cost the same bytes whatever the folder size (ICS
    // state blobs are range-compressed); 10x the messages may not cost even
    // 10% more.
    assert!(bytes_big <= bytes_small + bytes_small / 10, "{bytes_big} vs {bytes_small}");
    assert!(bytes_big < 64 * 1024, "{bytes_big} bytes");
}
