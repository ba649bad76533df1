//! The DAV item API (`Account::collection`) of the in-memory backend.

mod common;

use mailbox::{Account, DeleteOutcome, FolderKind, MailboxError, PutOutcome, WriteCondition};

fn event(summary: &str) -> convert::Message {
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20260101T000000Z\r\n\
         DTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let mut got = convert::from_ical(ics.as_bytes(), &convert::ImportOptions::default()).expect("ics");
    got.objects.remove(0)
}

fn subject(m: &convert::Message) -> Option<String> {
    m.props.string(mapi_wire::PropTag::SUBJECT).map(|s| s.into_owned())
}

#[tokio::test]
async fn put_get_delete_follow_etag_preconditions() {
    let env = common::env().await;
    let folders = env.account.list_folders().await.expect("folders");
    let cal = folders.iter().find(|f| f.kind == FolderKind::Calendar).expect("calendar");
    let coll = env.account.collection(&cal.id).await.expect("collection");
    assert_eq!(coll.info().id, cal.id);

    let PutOutcome::Created(e1) = coll.put("a.ics", event("One"), &WriteCondition::IfAbsent).await.expect("put") else {
        panic!("not created")
    };
    assert_eq!(
        coll.put("a.ics", event("Again"), &WriteCondition::IfAbsent).await.expect("put"),
        PutOutcome::PreconditionFailed
    );
    let (entry, msg) = coll.get("a.ics").await.expect("get").expect("present");
    assert_eq!((entry.etag.as_str(), subject(&msg).as_deref()), (e1.as_str(), Some("One")));

    let PutOutcome::Replaced(e2) =
        coll.put("a.ics", event("Two"), &WriteCondition::IfMatch(e1.clone())).await.expect("put")
    else {
        panic!("not replaced")
    };
    assert_ne!(e1, e2);
    let stale = WriteCondition::IfMatch(e1.clone());
    assert_eq!(coll.put("a.ics", event("Three"), &stale).await.expect("put"), PutOutcome::PreconditionFailed);
    assert_eq!(coll.delete("a.ics", Some(&e1)).await.expect("delete"), DeleteOutcome::PreconditionFailed);
    assert_eq!(coll.list().await.expect("list").len(), 1);
    assert_eq!(coll.delete("a.ics", Some(&e2)).await.expect("delete"), DeleteOutcome::Deleted);
    assert_eq!(coll.delete("a.ics", None).await.expect("delete"), DeleteOutcome::NotFound);
    assert!(coll.get("a.ics").await.expect("get").is_none());
}

#[tokio::test]
async fn changes_since_a_token_are_exactly_the_later_ones() {
    let env = common::env().await;
    let folders = env.account.list_folders().await.expect("folders");
    let cal = folders.iter().find(|f| f.kind == FolderKind::Tasks).expect("tasks");
    let coll = env.account.collection(&cal.id).await.expect("collection");
    coll.put("a.ics", event("A"), &WriteCondition::Always).await.expect("put");
    coll.put("b.ics", event("B"), &WriteCondition::Always).await.expect("put");
    let t1 = coll.sync_token().await.expect("token");
    coll.put("b.ics", event("B2"), &WriteCondition::Always).await.expect("put");
    coll.delete("a.ics", None).await.expect("delete");
    let changes = coll.changes_since(&t1).await.expect("changes").expect("valid token");
    assert_eq!(changes.changed.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), vec!["b.ics"]);
    assert_eq!(changes.removed, vec!["a.ics".to_owned()]);
    assert_eq!(changes.token, coll.sync_token().await.expect("token"));
    let none = coll.changes_since(&changes.token).await.expect("changes").expect("valid");
    assert!(none.changed.is_empty() && none.removed.is_empty());
    assert!(coll.changes_since("garbage").await.expect("changes").is_none());
    assert!(coll.changes_since("1-99999").await.expect("changes").is_none());
}

#[tokio::test]
async fn mail_folders_are_not_collections_and_outages_are_retryable() {
    let env = common::env().await;
    let folders = env.account.list_folders().await.expect("folders");
    let inbox = folders.iter().find(|f| f.kind == FolderKind::Mail).expect("mail");
    assert!(matches!(env.account.collection(&inbox.id).await, Err(MailboxError::NotPermitted(_))));
    let contacts = folders.iter().find(|f| f.kind == FolderKind::Contacts).expect("contacts");
    let coll = env.account.collection(&contacts.id).await.expect("collection");
    env.account.set_unavailable(true);
    assert!(matches!(coll.list().await, Err(MailboxError::Unavailable(_))));
}
