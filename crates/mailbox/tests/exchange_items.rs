//! CalDAV/CardDAV items over exchange-sim: the seeded calendar and contacts
//! listed with ETags, read and rendered, written back with preconditions,
//! deleted, and changes by another MAPI client in the sync-token feed.
#![allow(missing_docs, clippy::unwrap_used)]

mod exchange_common;

use std::sync::Arc;

use convert::ical::{ExportOptions, ImportOptions, from_ical, to_ical};
use convert::vcard::{VcardRenderOptions, message_to_vcard};
use exchange_common::*;
use exchange_sim::seed::{SeedOptions, seed};
use exchange_sim::store::Store;
use mailbox::{Account, DeleteOutcome, FolderKind, ItemCollection, MailboxError, PutOutcome, WriteCondition};
use mapi_wire::PropTag;
use mapi_wire::ids::FolderId;
use mapi_wire::prop_value::{PropValue, TaggedValue};

async fn seeded_env() -> Env {
    let store = Store::open_in_memory().unwrap();
    seed(&store, &SeedOptions { users: vec!["alice".into(), "bob".into()], messages: 4, seed: 3 }).unwrap();
    let sim = exchange_sim::server::Simulator::new(sim_config()).with_store(store).run().await.unwrap();
    Env::with_sim(sim).await
}

async fn collection(a: &dyn Account, kind: FolderKind) -> Arc<dyn ItemCollection> {
    let f = a.list_folders().await.unwrap().into_iter().find(|f| f.kind == kind).unwrap();
    a.collection(&f.id).await.unwrap()
}

const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n\
UID:dav-new-1@example.test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260310T090000Z\r\n\
DTEND:20260310T100000Z\r\nSUMMARY:Planning over DAV\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn event(summary: &str) -> convert::Message {
    let ics = EVENT.replace("Planning over DAV", summary);
    from_ical(ics.as_bytes(), &ImportOptions::default()).unwrap().objects.remove(0)
}

fn ical(m: &convert::Message) -> String {
    to_ical(&[m], &ExportOptions::default()).unwrap()
}

#[tokio::test]
async fn seeded_calendar_and_contacts_list_and_render() {
    let env = seeded_env().await;
    let a = env.alice().await;
    let cal = collection(a.as_ref(), FolderKind::Calendar).await;
    let events = cal.list().await.unwrap();
    assert!(events.len() >= 2, "{events:?}");
    for e in &events {
        assert!(e.name.ends_with(".ics") && !e.etag.is_empty() && e.modseq > 0, "{e:?}");
    }
    let mut found = false;
    for e in &events {
        let (entry, m) = cal.get(&e.name).await.unwrap().unwrap();
        assert_eq!(&entry, e);
        let text = ical(&m);
        if text.contains("SUMMARY:Standup NYC") {
            found = true;
            // The recurring series comes with its rule and its moved instance.
            assert!(text.contains("RRULE:"), "{text}");
        }
    }
    assert!(found, "the seeded series was not rendered");
    assert!(cal.get("nothing-here.ics").await.unwrap().is_none());

    let contacts = collection(a.as_ref(), FolderKind::Contacts).await;
    let cards = contacts.list().await.unwrap();
    assert!(cards.iter().all(|c| c.name.ends_with(".vcf")), "{cards:?}");
    let mut fns = Vec::new();
    for c in &cards {
        let (_, m) = contacts.get(&c.name).await.unwrap().unwrap();
        if let Ok(v) = message_to_vcard(&m, &VcardRenderOptions::default()) {
            fns.extend(v.lines().filter(|l| l.starts_with("FN")).map(str::to_owned));
        }
    }
    assert!(fns.iter().any(|l| l.ends_with(":Søren Ødegård")), "{fns:?}");

    let inbox = a.list_folders().await.unwrap().into_iter().find(|f| f.kind == FolderKind::Mail).unwrap();
    assert!(matches!(a.collection(&inbox.id).await, Err(MailboxError::NotPermitted(_))));
}

#[tokio::test]
async fn put_update_with_etags_and_delete() {
    let env = seeded_env().await;
    let a = env.alice().await;
    let cal = collection(a.as_ref(), FolderKind::Calendar).await;
    let name = "dav-new-1.ics";
    let PutOutcome::Created(etag) = cal.put(name, event("Planning over DAV"), &WriteCondition::IfAbsent).await.unwrap()
    else {
        panic!("not created")
    };
    let (entry, m) = cal.get(name).await.unwrap().unwrap();
    assert_eq!(entry.etag, etag);
    let text = ical(&m);
    assert!(text.contains("UID:dav-new-1@example.test"), "{text}");
    assert!(text.contains("SUMMARY:Planning over DAV"), "{text}");
    assert!(cal.list().await.unwrap().iter().any(|e| e.name == name && e.etag == etag));
    assert_eq!(cal.put(name, event("again"), &WriteCondition::IfAbsent).await.unwrap(), PutOutcome::PreconditionFailed);

    let stale = WriteCondition::IfMatch("00".into());
    assert_eq!(cal.put(name, event("stale"), &stale).await.unwrap(), PutOutcome::PreconditionFailed);
    let current = WriteCondition::IfMatch(etag.clone());
    let PutOutcome::Replaced(etag2) = cal.put(name, event("Planning moved"), &current).await.unwrap() else {
        panic!("not replaced")
    };
    assert_ne!(etag2, etag);
    let (_, m) = cal.get(name).await.unwrap().unwrap();
    assert!(ical(&m).contains("SUMMARY:Planning moved"));
    // The first ETag is stale now.
    assert_eq!(cal.put(name, event("late"), &current).await.unwrap(), PutOutcome::PreconditionFailed);

    assert_eq!(cal.delete(name, Some(&etag)).await.unwrap(), DeleteOutcome::PreconditionFailed);
    assert_eq!(cal.delete(name, Some(&etag2)).await.unwrap(), DeleteOutcome::Deleted);
    assert!(cal.get(name).await.unwrap().is_none());
    assert_eq!(cal.delete(name, None).await.unwrap(), DeleteOutcome::NotFound);
}

#[tokio::test]
async fn changes_by_another_client_reach_the_sync_token() {
    let env = seeded_env().await;
    let a = env.alice().await;
    let contacts = collection(a.as_ref(), FolderKind::Contacts).await;
    let before = contacts.list().await.unwrap();
    let token = contacts.sync_token().await.unwrap();
    let empty = contacts.changes_since(&token).await.unwrap().unwrap();
    assert!(empty.changed.is_empty() && empty.removed.is_empty(), "{empty:?}");
    assert_eq!(empty.token, token);
    assert!(contacts.changes_since("not-a-token").await.unwrap().is_none());

    // Another client renames one contact and deletes another.
    let direct = direct(&env.sim, ALICE).await;
    let fid: FolderId = env.folder_id(ALICE, exchange_sim::store::SpecialFolder::Contacts);
    // The MIDs from the simulator's store; the writes go over MAPI.
    let mids: Vec<_> = env.mailbox(ALICE).contents(fid, false).unwrap().iter().map(|r| r.id).collect();
    assert!(mids.len() >= 2);
    let set = [TaggedValue { tag: PropTag::DISPLAY_NAME, value: PropValue::String("Renamed Elsewhere".into()) }];
    direct.update_message(fid, mids[0], &set, &[]).await.unwrap();
    direct.delete_messages(fid, &[mids[1]], true).await.unwrap();

    // Between requests the collection trusts its index until the change
    // feed announces something (Exchange's notifications arrive a moment
    // after the write), so another client's changes show up within that
    // delay, not necessarily on the very next call.
    let mut delta = contacts.changes_since(&token).await.unwrap().unwrap();
    for _ in 0..50 {
        if delta.changed.len() + delta.removed.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        delta = contacts.changes_since(&token).await.unwrap().unwrap();
    }
    assert_eq!(delta.changed.len(), 1, "{delta:?}");
    assert_eq!(delta.removed.len(), 1, "{delta:?}");
    let was = before.iter().find(|e| e.name == delta.changed[0].name).unwrap();
    assert_ne!(was.etag, delta.changed[0].etag);
    assert!(before.iter().any(|e| e.name == delta.removed[0]));
    assert_ne!(delta.token, token);
    let (_, m) = contacts.get(&delta.changed[0].name).await.unwrap().unwrap();
    assert_eq!(m.props.non_empty_string(PropTag::DISPLAY_NAME).as_deref(), Some("Renamed Elsewhere"));
    assert_eq!(contacts.sync_token().await.unwrap(), delta.token);
}
