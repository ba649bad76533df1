//! STORE over many messages: flags other than \Seen go to Exchange in
//! batched property writes, so the round trips grow with messages / batch,
//! not with messages.
#![allow(missing_docs, clippy::unwrap_used)]

mod exchange_common;

use exchange_common::*;
use exchange_sim::store::SpecialFolder;
use mailbox::{Flag, FlagOp, Flags};
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;

#[tokio::test]
async fn storing_flagged_answered_and_keywords_on_200_messages_takes_a_handful_of_round_trips() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    let contents: Vec<_> = (0..200).map(|i| message(i, 100 + i as i64)).collect();
    let mids = seed(&env, ALICE, inbox_id, &contents);
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    inbox.select().await.unwrap();

    let add = Flags::from([Flag::Flagged, Flag::Answered, Flag::Forwarded, Flag::keyword("$label1").unwrap()]);
    let all = uid_set(&(1..=200).collect::<Vec<u32>>());
    let before = a.wire_counters().round_trips;
    let out = inbox.store(&all, &FlagOp::Add(add.clone()), None).await.unwrap();
    let trips = a.wire_counters().round_trips - before;
    eprintln!("STORE +FLAGS on 200 messages: {trips} round trips");
    assert_eq!(out.items.len(), 200);
    assert!(out.items.iter().all(|(_, f, _)| add.iter().all(|x| f.contains(x))), "{:?}", out.items.first());
    // Two write batches plus the ICS catch-ups before and after (the old path
    // took one Execute per message: 200+).
    assert!(trips <= 8, "200 messages flagged in {trips} round trips");

    // Another MAPI client sees every message flagged and answered.
    let direct = direct(&env.sim, ALICE).await;
    let tags = [PropTag::FLAG_STATUS, PropTag::LAST_VERB_EXECUTED];
    for mid in [mids[0], mids[127], mids[128], mids[199]] {
        let v = direct.message_properties(inbox_id, mid, Some(&tags)).await.unwrap();
        let get = |t: PropTag| v.iter().find(|x| x.tag.id() == t.id()).map(|x| x.value.clone());
        assert_eq!(get(PropTag::FLAG_STATUS), Some(PropValue::I32(2)), "{mid:?}");
        assert!(matches!(get(PropTag::LAST_VERB_EXECUTED), Some(PropValue::I32(102 | 104))), "{mid:?}: {v:?}");
    }

    // Removing \Flagged from all of them is batched the same way.
    let before = a.wire_counters().round_trips;
    inbox.store(&all, &FlagOp::Remove(Flags::from([Flag::Flagged])), None).await.unwrap();
    let trips = a.wire_counters().round_trips - before;
    assert!(trips <= 8, "{trips}");
    let v = direct.message_properties(inbox_id, mids[150], Some(&tags)).await.unwrap();
    assert!(v.iter().all(|x| x.tag.id() != PropTag::FLAG_STATUS.id() || matches!(x.value, PropValue::Error(_))));
}
