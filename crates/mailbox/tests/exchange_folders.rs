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
    // Renames within the parent.
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
async fn a_rename_moves_a_folder_to_another_parent_with_its_messages_and_subfolders() {
    let env = Env::new().await;
    let a = env.alice().await;
    a.create_folder("Projects").await.unwrap();
    let sub = a.create_folder("Projects/2026").await.unwrap();
    a.create_folder("Projects/2026/Q1").await.unwrap();
    a.create_folder("Archive").await.unwrap();
    let store = env.mailbox(ALICE);
    let ipm = store.special_folder(SpecialFolder::IpmSubtree);
    let sub_fid = store.find_folder(store.find_folder(ipm, "Projects").unwrap().unwrap(), "2026").unwrap().unwrap();
    seed(&env, ALICE, sub_fid, &[message(1, 100), message(2, 200)]);
    let v1 = a.folder_by_path("Projects/2026").await.unwrap().select().await.unwrap().uid_validity;

    // Down into another parent, under a new name.
    let moved = a.rename_folder("Projects/2026", "Archive/Year 2026").await.unwrap();
    assert_eq!((moved.path.as_str(), moved.name.as_str()), ("Archive/Year 2026", "Year 2026"));
    assert_eq!(moved.id, sub.id, "moved, not copied");
    assert!(matches!(a.folder_by_path("Projects/2026").await, Err(MailboxError::NoSuchFolder(_))));
    assert!(a.folder_by_path("Archive/Year 2026/Q1").await.is_ok(), "the subtree follows");
    let f = a.folder_by_path("Archive/Year 2026").await.unwrap();
    let sel = f.select().await.unwrap();
    assert_eq!((sel.exists, sel.uid_validity), (2, v1), "messages and UIDs stay");
    // Exchange agrees.
    let archive = store.find_folder(ipm, "Archive").unwrap().unwrap();
    assert_eq!(store.find_folder(archive, "Year 2026").unwrap(), Some(sub_fid));

    // Up to the top level.
    let top = a.rename_folder("Archive/Year 2026", "2026").await.unwrap();
    assert_eq!((top.path.as_str(), top.parent.is_none()), ("2026", true));
    assert!(a.folder_by_path("2026/Q1").await.is_ok());
    assert!(matches!(a.rename_folder("2026", "2026/Q1/x").await, Err(MailboxError::Invalid(_))));
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

#[tokio::test]
async fn quota_is_the_store_size_against_the_prohibit_send_quota() {
    let env = Env::new().await;
    let a = env.alice().await;
    // exchange-sim reports Exchange's default quotas (no sending above 2 GB).
    let q = a.quota().await.unwrap().expect("a quota");
    assert_eq!(q.limit, 2_097_152 * 1024);
    assert!(q.used < q.limit);
}
