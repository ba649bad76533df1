//! Flags ↔ MAPI properties over exchange-sim, both ways: what the model
//! stores is what another MAPI client reads, and what another client writes
//! is what the model reports. Keywords ↔ categories, UNCHANGEDSINCE, exact
//! sizes and MIME.
#![allow(missing_docs, clippy::unwrap_used)]

mod exchange_common;

use exchange_common::*;
use exchange_sim::store::SpecialFolder;
use mailbox::{FetchFields, Flag, FlagOp, Flags, Folder, UidSet};
use mapi_wire::PropTag;
use mapi_wire::named::PropertyName;
use mapi_wire::prop_value::{PropValue, TaggedValue};
use mapi_wire::rop::ReadFlags;

fn kw(s: &str) -> Flag {
    Flag::keyword(s).unwrap()
}

async fn flags_of(f: &dyn Folder, uid: u32) -> Flags {
    let fields = FetchFields { flags: true, ..Default::default() };
    f.fetch(&uid_set(&[uid]), fields).await.unwrap().pop().unwrap().flags.unwrap()
}

fn value(values: &[TaggedValue], tag: PropTag) -> Option<&PropValue> {
    values.iter().find(|v| v.tag.id() == tag.id()).map(|v| &v.value).filter(|v| !matches!(v, PropValue::Error(_)))
}

#[tokio::test]
async fn model_flags_become_mapi_properties_and_back() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    let mids = seed(&env, ALICE, inbox_id, &[message(1, 100), message(2, 200), message(3, 300)]);
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    let before = inbox.select().await.unwrap();
    assert_eq!(before.unseen, 3);

    // Model → MAPI.
    let add =
        Flags::from([Flag::Seen, Flag::Flagged, Flag::Answered, Flag::Forwarded, kw("$label2"), kw("Projekt#20X")]);
    let out = inbox.store(&uid_set(&[1, 2]), &FlagOp::Add(add.clone()), None).await.unwrap();
    assert_eq!(out.items.len(), 2);
    assert!(out.items.iter().all(|(_, f, m)| f == &add && m.get() > before.highest_modseq.get()));
    let direct = direct(&env.sim, ALICE).await;
    let kid = direct
        .property_ids(
            &[PropertyName::Name { guid: mapi_wire::tags::PidName::KEYWORDS.set, name: "Keywords".into() }],
            false,
        )
        .await
        .unwrap()[0];
    let keywords = PropTag::new(kid, mapi_wire::PropType::MULTIPLE_STRING);
    let tags =
        [PropTag::MESSAGE_FLAGS, PropTag::FLAG_STATUS, PropTag::LAST_VERB_EXECUTED, PropTag::ICON_INDEX, keywords];
    let v = direct.message_properties(inbox_id, mids[0], Some(&tags)).await.unwrap();
    assert_eq!(value(&v, PropTag::MESSAGE_FLAGS).map(|f| matches!(f, PropValue::I32(x) if x & 1 == 1)), Some(true));
    assert_eq!(value(&v, PropTag::FLAG_STATUS), Some(&PropValue::I32(2)));
    assert_eq!(value(&v, PropTag::LAST_VERB_EXECUTED), Some(&PropValue::I32(102)));
    assert_eq!(value(&v, PropTag::ICON_INDEX), Some(&PropValue::I32(0x106)));
    assert_eq!(value(&v, keywords), Some(&PropValue::MvString(vec!["Work".into(), "Projekt X".into()])));
    let untouched = direct.message_properties(inbox_id, mids[2], Some(&tags)).await.unwrap();
    assert_eq!(value(&untouched, PropTag::FLAG_STATUS), None);

    // Removing flags deletes the properties.
    let rm = Flags::from([Flag::Flagged, Flag::Forwarded, kw("$label2")]);
    inbox.store(&uid_set(&[1]), &FlagOp::Remove(rm), None).await.unwrap();
    let v = direct.message_properties(inbox_id, mids[0], Some(&tags)).await.unwrap();
    assert_eq!(value(&v, PropTag::FLAG_STATUS), None);
    assert_eq!(value(&v, PropTag::ICON_INDEX), Some(&PropValue::I32(0x105)));
    assert_eq!(value(&v, keywords), Some(&PropValue::MvString(vec!["Projekt X".into()])));
    assert_eq!(flags_of(inbox.as_ref(), 1).await, Flags::from([Flag::Seen, Flag::Answered, kw("Projekt#20X")]));

    // MAPI → model: another client flags message 3, categorises it, reads it.
    direct
        .update_message(
            inbox_id,
            mids[2],
            &[
                TaggedValue { tag: PropTag::FLAG_STATUS, value: PropValue::I32(2) },
                TaggedValue {
                    tag: keywords,
                    value: PropValue::MvString(vec!["Important".into(), "Blue Category".into()]),
                },
            ],
            &[],
        )
        .await
        .unwrap();
    direct.set_read_flags(inbox_id, &[mids[2]], ReadFlags::DEFAULT).await.unwrap();
    let sel = inbox.select().await.unwrap();
    assert_eq!(sel.unseen, 0);
    assert_eq!(
        flags_of(inbox.as_ref(), 3).await,
        Flags::from([Flag::Seen, Flag::Flagged, kw("$label1"), kw("Blue#20Category")])
    );
    // Only message 3 changed since the previous select.
    let changed = inbox
        .fetch(
            &UidSet::all(),
            FetchFields { flags: true, changed_since: Some(before.highest_modseq.get() + 2), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(changed.iter().map(|m| m.uid.get()).collect::<Vec<_>>(), vec![3]);

    // \Deleted is gateway state: nothing in MAPI, but reported.
    inbox.store(&uid_set(&[2]), &FlagOp::Add(Flags::from([Flag::Deleted])), None).await.unwrap();
    assert!(flags_of(inbox.as_ref(), 2).await.contains(&Flag::Deleted));
}

#[tokio::test]
async fn unchanged_since_leaves_newer_items_alone() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    let mids = seed(&env, ALICE, inbox_id, &[message(1, 100), message(2, 200)]);
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    let m0 = inbox.select().await.unwrap().highest_modseq.get();
    // Another client flags message 2 after the client's snapshot.
    let direct = direct(&env.sim, ALICE).await;
    direct.set_read_flags(inbox_id, &[mids[1]], ReadFlags::DEFAULT).await.unwrap();
    let out = inbox.store(&uid_set(&[1, 2]), &FlagOp::Add(Flags::from([Flag::Flagged])), Some(m0)).await.unwrap();
    assert_eq!(out.modified, uid_set(&[2]));
    assert_eq!(out.items.iter().map(|i| i.0.get()).collect::<Vec<_>>(), vec![1]);
    assert!(!flags_of(inbox.as_ref(), 2).await.contains(&Flag::Flagged));
}

#[tokio::test]
async fn mime_is_rendered_on_demand_with_an_exact_size() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    seed(&env, ALICE, inbox_id, &[message(1, 100)]);
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    inbox.select().await.unwrap();
    let size_only = FetchFields { size: true, ..Default::default() };
    let size = inbox.fetch(&UidSet::all(), size_only).await.unwrap()[0].size.unwrap();
    let full = FetchFields { size: true, mime: true, envelope: true, ..Default::default() };
    let m = inbox.fetch(&UidSet::all(), full).await.unwrap().pop().unwrap();
    let mime = m.mime.unwrap();
    assert_eq!(mime.len() as u64, size, "RFC822.SIZE is the length of BODY[]");
    assert_eq!(m.size, Some(size));
    let text = String::from_utf8_lossy(&mime);
    assert!(text.contains("Subject: message 1"), "{text}");
    assert!(text.contains("zoe@partner.example") && text.contains("alice@example.test"), "{text}");
    assert!(text.contains("body of message 1"), "{text}");
    let env_ = m.envelope.unwrap();
    assert_eq!(env_.from[0].email, "zoe@partner.example");
    assert_eq!(env_.to[0].email, ALICE);
    assert_eq!(env_.message_id.as_deref(), Some("<m1@partner.example>"));
    // The same bytes again (cache or not).
    let again = inbox.fetch(&UidSet::all(), full).await.unwrap().pop().unwrap().mime.unwrap();
    assert_eq!(again, mime);
}
