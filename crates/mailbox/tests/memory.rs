//! The in-memory backend through the model traits: UID rules, flags,
//! copy/move/expunge, folders, the change feed.

mod common;

use std::time::Duration;

use common::{T0, env, message, ts};
use futures_util::StreamExt;
use mailbox::{
    Account, AppendRequest, ChangeKind, FetchFields, Flag, FlagOp, Flags, FolderKind, Keyword, MailboxError, SearchKey,
    SpecialUse, Uid, UidSet,
};

fn all() -> UidSet {
    UidSet::all()
}

fn set(uids: &[Uid]) -> UidSet {
    uids.iter().copied().collect()
}

#[tokio::test]
async fn uids_ascend_in_delivery_order() {
    let e = env().await;
    let times = [T0 + 50, T0 + 10, T0 + 40, T0 + 20, T0 + 30];
    let msgs = times.iter().map(|&t| (message(&format!("m{t}"), t), ts(t))).collect();
    let uids = e.account.deliver("INBOX", msgs).await.expect("deliver");
    assert_eq!(uids.len(), 5);
    let inbox = e.account.folder_by_path("INBOX").await.expect("inbox");
    let got = inbox.fetch(&all(), FetchFields::SUMMARY).await.expect("fetch");
    let dates: Vec<i64> = got.iter().map(|m| m.internal_date.expect("date").0).collect();
    assert_eq!(dates, vec![T0 + 10, T0 + 20, T0 + 30, T0 + 40, T0 + 50]);
    assert!(got.windows(2).all(|w| w[0].uid < w[1].uid));
    // The UID returned for each message is the one of its delivery time.
    assert_eq!(uids[1], got[0].uid);
    assert_eq!(uids[0], got[4].uid);
    // New messages get UIDs above the previous maximum.
    let more = e.account.deliver("INBOX", vec![(message("late", T0), ts(T0))]).await.expect("deliver");
    assert!(more[0] > got[4].uid);
}

#[tokio::test]
async fn append_returns_appenduid_and_keeps_flags_date_and_exact_size() {
    let e = env().await;
    let drafts = e.account.folder_by_path("Drafts").await.expect("drafts");
    let raw = message("draft", T0);
    let flags =
        Flags::from([Flag::Seen, Flag::Draft, Flag::Flagged, Flag::Keyword(Keyword::new("$label1").expect("kw"))]);
    let before = drafts.select().await.expect("select");
    let out = drafts
        .append(AppendRequest { mime: raw.clone(), flags: flags.clone(), internal_date: Some(ts(T0 + 5)) })
        .await
        .expect("append");
    assert_eq!(out.uid_validity, before.uid_validity);
    assert_eq!(out.uid.get(), before.uid_next);
    let got = drafts.fetch(&set(&[out.uid]), FetchFields { mime: true, ..FetchFields::SUMMARY }).await.expect("fetch");
    let m = &got[0];
    assert_eq!(m.flags.as_ref(), Some(&flags));
    assert_eq!(m.internal_date, Some(ts(T0 + 5)));
    assert_eq!(m.size, Some(raw.len() as u64));
    assert_eq!(m.mime.as_deref(), Some(raw.as_slice()));
    let env = m.envelope.as_ref().expect("envelope");
    assert_eq!(env.subject.as_deref(), Some("draft"));
    assert_eq!(env.from[0].email, "bob@example.com");
    let after = drafts.select().await.expect("select");
    assert_eq!((after.exists, after.unseen, after.uid_next), (1, 0, out.uid.get() + 1));
    assert!(!after.permanent_flags.contains(&Flag::Draft));
}

#[tokio::test]
async fn store_applies_in_bulk_and_draft_is_fixed_at_creation() {
    let e = env().await;
    let msgs = (0..4).map(|i| (message(&format!("s{i}"), T0 + i), ts(T0 + i))).collect();
    let uids = e.account.deliver("INBOX", msgs).await.expect("deliver");
    let inbox = e.account.folder_by_path("INBOX").await.expect("inbox");
    let op = FlagOp::Add(Flags::from([Flag::Seen, Flag::Answered, Flag::Deleted, Flag::Draft]));
    let out = inbox.store(&set(&uids[..3]), &op, None).await.expect("store");
    assert_eq!(out.items.len(), 3);
    for (_, flags, _) in &out.items {
        assert_eq!(flags, &Flags::from([Flag::Seen, Flag::Answered, Flag::Deleted]));
    }
    // UNCHANGEDSINCE: an item changed after the given modseq is skipped.
    let stale = out.items[0].2.get() - 1;
    let out2 = inbox.store(&set(&uids), &FlagOp::Remove(Flags::from([Flag::Seen])), Some(stale)).await.expect("store");
    assert_eq!(out2.modified, set(&uids[..3]));
    assert_eq!(out2.items.len(), 1);
    let sel = inbox.select().await.expect("select");
    assert_eq!(sel.unseen, 1);
    let hits = inbox.search(&SearchKey::And(vec![SearchKey::Deleted, SearchKey::Answered])).await.expect("search");
    assert_eq!(hits, set(&uids[..3]));
}

#[tokio::test]
async fn moved_out_and_back_gets_a_new_uid() {
    let e = env().await;
    let uids = e.account.deliver("INBOX", vec![(message("roundtrip", T0), ts(T0))]).await.expect("deliver");
    let inbox = e.account.folder_by_path("INBOX").await.expect("inbox");
    let archive = e.account.folder_by_path("Archive").await.expect("archive");
    let out = inbox.move_to(&set(&uids), &archive.info().id).await.expect("move");
    assert_eq!(out.expunged, set(&uids));
    let there = out.copied.uids[0].1;
    assert!(inbox.uids().await.expect("uids").is_empty());
    let back = archive.move_to(&set(&[there]), &inbox.info().id).await.expect("move back");
    let new_uid = back.copied.uids[0].1;
    assert!(new_uid > uids[0], "{new_uid} must be above {}", uids[0]);
    assert_eq!(inbox.uids().await.expect("uids"), vec![new_uid]);
}

#[tokio::test]
async fn copy_keeps_the_source_and_reports_copyuid() {
    let e = env().await;
    let uids = e.account.deliver("INBOX", vec![(message("c", T0), ts(T0)), (message("d", T0 + 1), ts(T0 + 1))]);
    let uids = uids.await.expect("deliver");
    let inbox = e.account.folder_by_path("INBOX").await.expect("inbox");
    let sent = e.account.folder_by_path("Sent Items").await.expect("sent");
    let out = inbox.copy(&set(&uids), &sent.info().id).await.expect("copy");
    assert_eq!(out.uid_validity, sent.select().await.expect("select").uid_validity);
    assert_eq!(out.uids.iter().map(|p| p.0).collect::<Vec<_>>(), uids);
    assert_eq!(inbox.uids().await.expect("uids"), uids);
    assert_eq!(sent.uids().await.expect("uids"), out.uids.iter().map(|p| p.1).collect::<Vec<_>>());
}

#[tokio::test]
async fn expunge_moves_deleted_items_to_trash_then_deletes_there() {
    let e = env().await;
    let msgs = (0..3).map(|i| (message(&format!("x{i}"), T0 + i), ts(T0 + i))).collect();
    let uids = e.account.deliver("INBOX", msgs).await.expect("deliver");
    let inbox = e.account.folder_by_path("INBOX").await.expect("inbox");
    let trash = e.account.folder_by_path("Deleted Items").await.expect("trash");
    assert_eq!(trash.info().role, Some(SpecialUse::Trash));
    inbox.store(&set(&uids[..2]), &FlagOp::Add(Flags::from([Flag::Deleted])), None).await.expect("store");
    // UID EXPUNGE limits to the set.
    let gone = inbox.expunge(Some(&set(&uids[1..]))).await.expect("expunge");
    assert_eq!(gone, set(&uids[1..2]));
    let gone = inbox.expunge(None).await.expect("expunge");
    assert_eq!(gone, set(&uids[..1]));
    assert_eq!(inbox.uids().await.expect("uids"), uids[2..].to_vec());
    let in_trash = trash.fetch(&all(), FetchFields::SUMMARY).await.expect("fetch");
    assert_eq!(in_trash.len(), 2);
    assert!(in_trash.iter().all(|m| !m.flags.as_ref().expect("flags").contains(&Flag::Deleted)));
    // In Deleted Items, expunge deletes for good.
    let t: Vec<Uid> = in_trash.iter().map(|m| m.uid).collect();
    trash.store(&set(&t), &FlagOp::Add(Flags::from([Flag::Deleted])), None).await.expect("store");
    assert_eq!(trash.expunge(None).await.expect("expunge"), set(&t));
    assert!(trash.uids().await.expect("uids").is_empty());
}

#[tokio::test]
async fn folders_have_kinds_roles_and_paths() {
    let e = env().await;
    let folders = e.account.list_folders().await.expect("list");
    let find = |p: &str| folders.iter().find(|f| f.path == p).expect(p);
    assert_eq!(find("Inbox").role, Some(SpecialUse::Inbox));
    assert_eq!(find("Sent Items").role, Some(SpecialUse::Sent));
    assert_eq!(find("Junk Email").role, Some(SpecialUse::Junk));
    assert!(find("Outbox").hidden());
    assert_eq!(find("Calendar").kind, FolderKind::Calendar);
    assert_eq!(find("Contacts").kind, FolderKind::Contacts);
    let created = e.account.create_folder("Inbox/Lists").await.expect("create");
    assert_eq!(created.parent, Some(find("Inbox").id.clone()));
    e.account.create_folder("Inbox/Lists/rust").await.expect("create");
    assert!(matches!(e.account.create_folder("Inbox/Lists").await, Err(MailboxError::AlreadyExists(_))));
    assert!(matches!(e.account.create_folder("Nope/x").await, Err(MailboxError::NoSuchFolder(_))));
    assert!(matches!(e.account.delete_folder("Sent Items").await, Err(MailboxError::NotPermitted(_))));
    let renamed = e.account.rename_folder("Inbox/Lists", "Lists").await.expect("rename");
    assert_eq!((renamed.path.as_str(), renamed.parent.clone()), ("Lists", None));
    assert!(renamed.has_children);
    assert_eq!(e.account.folder_by_path("Lists/rust").await.expect("moved child").info().path, "Lists/rust");
    e.account.subscribe("Lists").await.expect("subscribe");
    e.account.subscribe("Inbox").await.expect("subscribe");
    assert_eq!(e.account.subscriptions().await.expect("subs"), vec!["Inbox", "Lists"]);
    assert!(e.account.unsubscribe("Lists").await.expect("unsubscribe"));
}

#[tokio::test]
async fn deleted_and_recreated_folder_gets_a_new_uidvalidity() {
    let e = env().await;
    let f = e.account.create_folder("Projects").await.expect("create");
    let first = e.account.folder(&f.id).await.expect("open").select().await.expect("select");
    e.account.delete_folder("Projects").await.expect("delete");
    assert!(matches!(e.account.folder_by_path("Projects").await, Err(MailboxError::NoSuchFolder(_))));
    e.account.create_folder("Projects").await.expect("recreate");
    let second = e.account.folder_by_path("Projects").await.expect("open").select().await.expect("select");
    assert_ne!(first.uid_validity, second.uid_validity);
    assert_eq!(second.uid_next, 1);
}

#[tokio::test]
async fn change_feed_delivers_appends_flag_changes_and_expunges() {
    let e = env().await;
    let inbox = e.account.folder_by_path("INBOX").await.expect("inbox");
    let mut feed = inbox.watch().await.expect("watch");
    let mut next =
        async || tokio::time::timeout(Duration::from_secs(5), feed.next()).await.expect("event").expect("open");

    let out = inbox
        .append(AppendRequest { mime: message("feed", T0), flags: Flags::new(), internal_date: None })
        .await
        .expect("append");
    let ev = next().await;
    assert_eq!(ev.folder, inbox.info().id);
    assert_eq!(ev.kind, ChangeKind::Exists { uids: set(&[out.uid]), exists: 1 });

    let stored = inbox.store(&set(&[out.uid]), &FlagOp::Add(Flags::from([Flag::Seen])), None).await.expect("store");
    let (_, _, modseq) = stored.items[0].clone();
    assert_eq!(next().await.kind, ChangeKind::Flags { uid: out.uid, flags: Flags::from([Flag::Seen]), modseq });

    let delivered = e.account.deliver("INBOX", vec![(message("pushed", T0), ts(T0))]).await.expect("deliver");
    assert_eq!(next().await.kind, ChangeKind::Exists { uids: set(&delivered), exists: 2 });

    let trash = e.account.folder_by_path("Deleted Items").await.expect("trash");
    inbox.move_to(&set(&[out.uid]), &trash.info().id).await.expect("move");
    assert_eq!(next().await.kind, ChangeKind::Expunged { uids: set(&[out.uid]) });
}

#[tokio::test]
async fn slow_subscribers_are_told_they_lagged() {
    let config = mailbox::MemoryConfig { feed_capacity: 2, ..mailbox::MemoryConfig::default() };
    let e = common::env_with(config).await;
    let inbox = e.account.folder_by_path("INBOX").await.expect("inbox");
    let mut feed = inbox.watch().await.expect("watch");
    for i in 0..4 {
        e.account.deliver("INBOX", vec![(message(&format!("l{i}"), T0 + i), ts(T0 + i))]).await.expect("deliver");
    }
    let a = feed.next().await.expect("event");
    let b = feed.next().await.expect("event");
    assert!(matches!(a.kind, ChangeKind::Exists { .. }) && matches!(b.kind, ChangeKind::Exists { .. }));
    e.account.deliver("INBOX", vec![(message("l9", T0 + 9), ts(T0 + 9))]).await.expect("deliver");
    assert_eq!(feed.next().await.expect("event").kind, ChangeKind::Lagged);
}

#[tokio::test]
async fn recent_is_claimed_once_and_vanished_uids_are_reported() {
    let e = env().await;
    let inbox = e.account.folder_by_path("INBOX").await.expect("inbox");
    let msgs = (0..3).map(|i| (message(&format!("r{i}"), T0 + i), ts(T0 + i))).collect();
    let uids = e.account.deliver("INBOX", msgs).await.expect("deliver");
    assert_eq!(inbox.claim_recent().await.expect("claim"), set(&uids));
    assert!(inbox.claim_recent().await.expect("claim").is_empty());
    let before = inbox.select().await.expect("select").highest_modseq;
    inbox.store(&set(&uids[..1]), &FlagOp::Add(Flags::from([Flag::Deleted])), None).await.expect("store");
    inbox.expunge(None).await.expect("expunge");
    assert_eq!(inbox.vanished_since(before.get()).await.expect("vanished"), (set(&uids[..1]), true));
    let changed = FetchFields { flags: true, changed_since: Some(before.get()), ..FetchFields::default() };
    assert!(inbox.fetch(&all(), changed).await.expect("fetch").is_empty());
}

#[tokio::test]
async fn delegated_and_public_stores_are_listed_with_their_store() {
    let e = env().await;
    let shared = mailbox::StoreKind::Delegate("boss@example.com".into());
    let ids = e
        .account
        .add_store(
            shared.clone(),
            &[("Inbox", "IPF.Note"), ("Inbox/Board", "IPF.Note"), ("Calendar", "IPF.Appointment")],
        )
        .await
        .expect("delegate");
    e.account.add_store(mailbox::StoreKind::Public, &[("All Hands", "IPF.Note")]).await.expect("public");
    let folders = e.account.list_folders().await.expect("list");
    let board = folders.iter().find(|f| f.id == ids[1]).expect("listed");
    assert_eq!((board.path.as_str(), &board.store, board.parent.as_ref()), ("Inbox/Board", &shared, Some(&ids[0])));
    assert_eq!(folders.iter().find(|f| f.id == ids[2]).expect("listed").kind, FolderKind::Calendar);
    assert!(folders.iter().any(|f| f.store == mailbox::StoreKind::Public && f.path == "All Hands"));
    // Paths resolve in the own mailbox only; other stores open by id.
    let own = e.account.folder_by_path("Inbox").await.expect("own inbox");
    assert_eq!(own.info().store, mailbox::StoreKind::Own);
    let theirs = e.account.folder(&ids[0]).await.expect("open delegate inbox");
    let out = theirs
        .append(AppendRequest { mime: message("for boss", T0), flags: Flags::new(), internal_date: None })
        .await
        .expect("append");
    // Expunge in another store deletes (it does not move to the user's trash).
    theirs.store(&set(&[out.uid]), &FlagOp::Add(Flags::from([Flag::Deleted])), None).await.expect("store");
    assert_eq!(theirs.expunge(None).await.expect("expunge"), set(&[out.uid]));
    let trash = e.account.folder_by_path("Deleted Items").await.expect("trash");
    assert!(trash.uids().await.expect("uids").is_empty());
}

#[tokio::test]
async fn expunge_mode_can_be_set_per_folder() {
    let mut config = mailbox::MemoryConfig::default();
    config.expunge_overrides.insert("Junk Email".into(), mailbox::ExpungeMode::HardDelete);
    let e = common::env_with(config).await;
    let uids = e.account.deliver("Junk Email", vec![(message("spam", T0), ts(T0))]).await.expect("deliver");
    let junk = e.account.folder_by_path("Junk Email").await.expect("junk");
    junk.store(&set(&uids), &FlagOp::Add(Flags::from([Flag::Deleted])), None).await.expect("store");
    assert_eq!(junk.expunge(None).await.expect("expunge"), set(&uids));
    let trash = e.account.folder_by_path("Deleted Items").await.expect("trash");
    assert!(trash.uids().await.expect("uids").is_empty());
}

#[tokio::test]
async fn backend_outage_is_a_retryable_error_and_changes_nothing() {
    let e = env().await;
    let inbox = e.account.folder_by_path("INBOX").await.expect("inbox");
    e.account.set_unavailable(true);
    let err = inbox
        .append(AppendRequest { mime: message("down", T0), flags: Flags::new(), internal_date: None })
        .await
        .expect_err("down");
    assert!(err.is_retryable(), "{err}");
    assert!(e.account.list_folders().await.expect_err("down").is_retryable());
    assert!(!MailboxError::NoSuchFolder("x".into()).is_retryable());
    e.account.set_unavailable(false);
    assert_eq!(inbox.select().await.expect("select").exists, 0);
}

fn from_alice(subject: &str, from: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: Bob <bob@example.com>\r\nSubject: {subject}\r\nDate: {}\r\n\
Message-ID: <{subject}@example.com>\r\n\r\nHi\r\n",
        common::rfc5322_date(T0)
    )
    .into_bytes()
}

#[tokio::test]
async fn submit_files_one_sent_copy_and_refuses_foreign_from() {
    let e = env().await;
    let sent = e.account.folder_by_path("Sent Items").await.expect("sent");
    let sub = mailbox::Submission {
        mime: from_alice("hello", "alice@example.com"),
        mail_from: "alice@example.com".into(),
        recipients: vec!["bob@example.com".into()],
        save_copy: false,
    };
    let out = e.account.submit(sub.clone()).await.expect("submit");
    assert_eq!(out.message_id.as_deref(), Some("<hello@example.com>"));
    assert_eq!(sent.select().await.expect("select").exists, 1);
    assert_eq!(e.account.submitted(), vec![sub]);

    let foreign = mailbox::Submission { mime: from_alice("x", "team@example.com"), ..Default::default() };
    let foreign = mailbox::Submission { recipients: vec!["bob@example.com".into()], ..foreign };
    let err = e.account.submit(foreign.clone()).await.expect_err("send-as without right");
    assert!(matches!(err, MailboxError::NotPermitted(_)), "{err:?}");
    assert_eq!(sent.select().await.expect("select").exists, 1, "a refused submission files nothing");
    e.account.allow_send_as("team@example.com");
    e.account.submit(foreign).await.expect("send-as with right");
    assert_eq!(sent.select().await.expect("select").exists, 2);
}

#[tokio::test]
async fn provider_checks_passwords_and_shares_the_account() {
    use mailbox::AccountProvider;
    let e = env().await;
    let provider = mailbox::MemoryProvider::new();
    provider.add_user("alice@example.com", "demo", e.account.clone());
    assert!(matches!(provider.login("alice@example.com", "wrong").await, Err(MailboxError::AuthenticationFailed)));
    assert!(matches!(provider.login("mallory@example.com", "demo").await, Err(MailboxError::AuthenticationFailed)));
    let a = provider.login("Alice@Example.com", "demo").await.expect("login");
    e.account.deliver("INBOX", vec![(message("m", T0), ts(T0))]).await.expect("deliver");
    let inbox = a.folder_by_path("INBOX").await.expect("inbox");
    assert_eq!(inbox.select().await.expect("select").exists, 1, "the login sees the same mailbox");
    e.account.set_unavailable(true);
    assert!(matches!(provider.login("alice@example.com", "demo").await, Err(MailboxError::Unavailable(_))));
}
