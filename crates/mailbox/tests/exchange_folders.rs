//! The folder hierarchy over exchange-sim: kinds, roles, the hidden Outbox,
//! create/rename/delete, UIDVALIDITY of a recreated folder, subscriptions.
#![allow(missing_docs, clippy::unwrap_used)]

mod exchange_common;

use exchange_common::*;
use exchange_sim::store::SpecialFolder;
use mailbox::{Account, FolderKind, MailboxError, SpecialUse};

#[tokio::test]
async fn hierarchy_with_kinds_and_roles() {
    let env = Env::new().await;
    let a = env.alice().await;
    let folders = a.list_folders().await.unwrap();
    let role = |r| folders.iter().find(|f| f.role == Some(r)).map(|f| f.path.clone());
    assert_eq!(role(SpecialUse::Inbox).as_deref(), Some("Inbox"));
    assert!(role(SpecialUse::Sent).is_some() && role(SpecialUse::Trash).is_some());
    assert!(role(SpecialUse::Drafts).is_some() && role(SpecialUse::Junk).is_some());
    let outbox = folders.iter().find(|f| f.role == Some(SpecialUse::Outbox)).unwrap();
    assert!(outbox.hidden());
    assert_eq!(folders.iter().filter(|f| f.hidden()).count(), 1);
    let kind = |k| folders.iter().any(|f| f.kind == k);
    assert!(kind(FolderKind::Calendar) && kind(FolderKind::Contacts) && kind(FolderKind::Tasks));
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    let inbox = folders.iter().find(|f| f.role == Some(SpecialUse::Inbox)).unwrap();
    assert_eq!(inbox.id.as_bytes(), inbox_id.to_wire());
    assert!(folders.windows(2).all(|w| w[0].path <= w[1].path), "path order");
    // INBOX matches case-insensitively.
    assert_eq!(a.folder_by_path("inbox").await.unwrap().info().id, inbox.id);
}

#[tokio::test]
async fn create_rename_delete_and_a_new_uidvalidity_for_a_recreated_folder() {
    let env = Env::new().await;
    let a = env.alice().await;
    let f = a.create_folder("Projects").await.unwrap();
    assert_eq!((f.path.as_str(), f.kind, f.parent.is_none()), ("Projects", FolderKind::Mail, true));
    let sub = a.create_folder("Projects/2026").await.unwrap();
    assert_eq!(sub.parent.as_ref(), Some(&f.id));
    assert!(matches!(a.create_folder("Projects").await, Err(MailboxError::AlreadyExists(_))));
    assert!(matches!(a.create_folder("Nope/x").await, Err(MailboxError::NoSuchFolder(_))));
    // The folder exists in Exchange.
    let store = env.mailbox(ALICE);
    let ipm = store.special_folder(SpecialFolder::IpmSubtree);
    assert!(store.find_folder(ipm, "Projects").unwrap().is_some());

    let folder = a.folder_by_path("Projects/2026").await.unwrap();
    let v1 = folder.select().await.unwrap().uid_validity;
    // Renames within the parent (moving to another parent needs
    // mapi-client's move_folder, which cannot encode its request yet).
    let moved = a.rename_folder("Projects/2026", "Projects/Archive 2026").await.unwrap();
    assert_eq!(moved.path, "Projects/Archive 2026");
    assert_eq!(moved.id, sub.id, "a rename keeps the folder");
    assert_eq!(a.folder_by_path("Projects/Archive 2026").await.unwrap().select().await.unwrap().uid_validity, v1);
    let renamed = a.rename_folder("Projects", "Work").await.unwrap();
    assert_eq!(renamed.name, "Work");
    assert!(a.folder_by_path("Work/Archive 2026").await.is_ok(), "the subtree follows");
    assert!(matches!(a.rename_folder("Inbox", "Post").await, Err(MailboxError::NotPermitted(_))));
    assert!(matches!(a.delete_folder("Sent Items").await, Err(MailboxError::NotPermitted(_))));

    a.delete_folder("Work/Archive 2026").await.unwrap();
    assert!(matches!(a.folder_by_path("Work/Archive 2026").await, Err(MailboxError::NoSuchFolder(_))));
    a.create_folder("Work/Archive 2026").await.unwrap();
    let v2 = a.folder_by_path("Work/Archive 2026").await.unwrap().select().await.unwrap().uid_validity;
    assert_ne!(v1, v2, "a deleted and recreated folder gets a new UIDVALIDITY");
}

#[tokio::test]
async fn subscriptions_live_in_the_state() {
    let mut env = Env::new().await;
    let a = env.alice().await;
    a.subscribe("Inbox").await.unwrap();
    a.subscribe("Later").await.unwrap();
    assert!(a.unsubscribe("Later").await.unwrap());
    assert!(!a.unsubscribe("Later").await.unwrap());
    drop(a);
    env.restart().await;
    assert_eq!(env.alice().await.subscriptions().await.unwrap(), vec!["Inbox".to_owned()]);
}
