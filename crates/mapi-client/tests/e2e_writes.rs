//! Writes of the typed API end to end against exchange-sim: property updates on
//! many messages in a few Executes, folders moved to another parent.
#![allow(missing_docs, clippy::unwrap_used)]

mod e2e_common;

use e2e_common::*;
use mapi_client::api::{MESSAGES_PER_EXECUTE, MessageUpdate, SpecialFolder, TableSpec};
use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::prop_value::{PropValue, PropertyRow, TaggedValue};
use mapi_wire::{ErrorCode, PropTag};

fn cell(row: &PropertyRow, i: usize) -> Option<&PropValue> {
    match row {
        PropertyRow::Standard(v) => v.get(i),
        PropertyRow::Flagged(v) => match v.get(i)? {
            mapi_wire::prop_value::FlaggedValue::Value(v) => Some(v),
            _ => None,
        },
    }
}

/// Seeds `n` messages into `user`'s Inbox through the store API (no ROPs), all
/// with importance 2.
fn seed(store: &exchange_sim::store::Store, user: &str, n: usize) {
    use exchange_sim::store::{MessageContent, PropBag, SaveMode, SpecialFolder as S};
    let mbx = store.mailbox(user).unwrap();
    let inbox = mbx.special_folder(S::Inbox);
    for i in 0..n {
        let mut props = PropBag::new();
        props.set(PropTag::SUBJECT, PropValue::String(format!("msg {i:05}")));
        props.set(PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note".into()));
        props.set(PropTag::IMPORTANCE, PropValue::I32(2));
        let content = MessageContent { props, ..MessageContent::default() };
        mbx.save_message(inbox, None, false, &content, SaveMode::Normal).unwrap();
    }
}

#[tokio::test]
async fn property_updates_on_many_messages_in_a_few_executes_with_failures_per_message() {
    let store = demo_store();
    seed(&store, ALICE, 300);
    let sim = start_with(store).await;
    let mb = logon(&sim, ALICE).await;
    let inbox = mb.folder(SpecialFolder::Inbox);
    let cols = vec![PropTag::MID, PropTag::FLAG_STATUS, PropTag::IMPORTANCE];
    let rows = mb.query_all(&TableSpec::contents(inbox, cols.clone())).await.unwrap();
    let mut mids: Vec<MessageId> = rows
        .rows
        .iter()
        .map(|r| match cell(r, 0) {
            Some(PropValue::I64(v)) => MessageId(*v as u64),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(mids.len(), 300);
    // One message is deleted by "another client" before the write.
    let gone = mids[150];
    mb.delete_messages(inbox, &[gone], true).await.unwrap();
    mids.push(MessageId(gone.0)); // asked for twice below: once in place, once at the end
    let updates: Vec<MessageUpdate> = mids
        .iter()
        .map(|m| MessageUpdate {
            mid: *m,
            set: vec![TaggedValue { tag: PropTag::FLAG_STATUS, value: PropValue::I32(2) }],
            delete: vec![PropTag::IMPORTANCE],
        })
        .collect();
    let before = mb.wire_counters().round_trips;
    let out = mb.update_messages(inbox, &updates).await.unwrap();
    let trips = mb.wire_counters().round_trips - before;
    assert_eq!(out.saved, 299);
    assert_eq!(out.failed.len(), 2, "{:?}", out.failed);
    assert!(out.failed.iter().all(|f| f.mid == gone && f.code == ErrorCode::NOT_FOUND), "{:?}", out.failed);
    assert!(
        trips as usize <= 301usize.div_ceil(MESSAGES_PER_EXECUTE),
        "301 messages in {trips} round trips ({} executes)",
        out.executes
    );
    assert_eq!(u64::from(out.executes), trips);

    let rows = mb.query_all(&TableSpec::contents(inbox, cols)).await.unwrap();
    assert_eq!(rows.rows.len(), 299);
    for r in &rows.rows {
        assert_eq!(cell(r, 1), Some(&PropValue::I32(2)), "flagged: {r:?}");
        assert!(!matches!(cell(r, 2), Some(PropValue::I32(_))), "importance deleted: {r:?}");
    }
}

#[tokio::test]
async fn a_large_value_splits_the_batch_and_a_too_large_one_is_reported() {
    let store = demo_store();
    seed(&store, ALICE, 6);
    let sim = start_with(store).await;
    let mb = logon(&sim, ALICE).await;
    let inbox = mb.folder(SpecialFolder::Inbox);
    let rows = mb.query_all(&TableSpec::contents(inbox, vec![PropTag::MID])).await.unwrap();
    let mids: Vec<MessageId> = rows
        .rows
        .iter()
        .map(|r| match cell(r, 0) {
            Some(PropValue::I64(v)) => MessageId(*v as u64),
            other => panic!("{other:?}"),
        })
        .collect();
    let comment = |n: usize| vec![TaggedValue { tag: PropTag(0x3004_001F), value: PropValue::String("x".repeat(n)) }];
    // 5 × 6000 characters (12 KB each in UTF-16) need three Executes; 20000
    // characters (40 KB) fit none.
    let mut updates: Vec<MessageUpdate> =
        mids[..5].iter().map(|m| MessageUpdate { mid: *m, set: comment(6000), delete: vec![] }).collect();
    updates.push(MessageUpdate { mid: mids[5], set: comment(20_000), delete: vec![] });
    let out = mb.update_messages(inbox, &updates).await.unwrap();
    assert_eq!(out.saved, 5);
    assert_eq!(out.executes, 3);
    assert_eq!(out.failed.len(), 1);
    assert_eq!((out.failed[0].mid, out.failed[0].code), (mids[5], ErrorCode::TOO_BIG));
}

#[tokio::test]
async fn a_folder_moves_to_another_parent_with_its_subfolders() {
    let sim = start().await;
    let mb = logon(&sim, ALICE).await;
    let inbox = mb.folder(SpecialFolder::Inbox);
    let top = mb.folder(SpecialFolder::IpmSubtree);
    let projects = mb.create_folder(inbox, "Projects", "", false).await.unwrap();
    let year = mb.create_folder(projects, "2026", "", false).await.unwrap();
    mb.move_folder(inbox, top, projects, "Work").await.unwrap();
    let cols = vec![PropTag::DISPLAY_NAME, PropTag::FOLDER_ID];
    let names = |rows: &mapi_client::api::Rows| -> Vec<String> {
        rows.rows
            .iter()
            .filter_map(|r| match cell(r, 0) {
                Some(PropValue::String(s)) => Some(s.clone()),
                _ => None,
            })
            .collect()
    };
    let under_inbox = mb.query_all(&TableSpec::hierarchy(inbox, cols.clone(), false)).await.unwrap();
    assert!(!names(&under_inbox).contains(&"Projects".to_owned()));
    let under_top = mb.query_all(&TableSpec::hierarchy(top, cols.clone(), false)).await.unwrap();
    assert!(names(&under_top).contains(&"Work".to_owned()), "{:?}", names(&under_top));
    let fid = under_top
        .rows
        .iter()
        .find(|r| cell(r, 0) == Some(&PropValue::String("Work".into())))
        .and_then(|r| match cell(r, 1) {
            Some(PropValue::I64(v)) => Some(FolderId(*v as u64)),
            _ => None,
        })
        .unwrap();
    assert_eq!(fid, projects, "moved, not copied");
    let children = mb.query_all(&TableSpec::hierarchy(projects, cols, false)).await.unwrap();
    assert_eq!(names(&children), ["2026"]);
    let _ = year;
}

#[tokio::test]
async fn store_properties_of_the_logon_and_a_quota_only_where_the_store_has_one() {
    let sim = start().await;
    let mb = logon(&sim, ALICE).await;
    let v = mb.store_properties(&[PropTag::DISPLAY_NAME, PropTag(0x661C_001F), PropTag(0x6666_001F)]).await.unwrap();
    let names: Vec<_> = v.iter().map(|x| (x.tag, x.value.clone())).collect();
    assert_eq!(
        names,
        [
            (PropTag::DISPLAY_NAME, PropValue::String("Mailbox - Alice Tester".into())),
            (PropTag(0x661C_001F), PropValue::String("Alice Tester".into())),
        ],
        "values with their tags; a property the store lacks is left out"
    );
    // exchange-sim's logon object reports the size and Exchange's default
    // quotas (KiB on the wire, bytes here).
    let q = mb.quota().await.unwrap();
    assert!(q.used.is_some());
    assert_eq!(q.prohibit_send, Some(2_097_152 * 1024));
    assert_eq!(q.prohibit_receive, Some(2_411_724 * 1024));
    assert_eq!(q.warning, Some(1_992_294 * 1024));
}
