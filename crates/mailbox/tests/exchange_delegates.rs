//! Other users' mailboxes and public folders over exchange-sim: the shared
//! mailbox Autodiscover maps for alice (full access) is listed and behaves
//! like her own folders in a UID namespace of its own; the public folders
//! are listed; bob, with Reviewer on alice's Calendar only, sees just that
//! folder and may not write to it; without rights every way in is refused
//! with the permission error, never "backend unavailable".
#![allow(missing_docs, clippy::unwrap_used)]

mod exchange_common;

use std::sync::Arc;

use convert::ical::{ImportOptions, from_ical};
use exchange_common::*;
use exchange_sim::seed::{SeedOptions, seed as seed_demo};
use exchange_sim::store::{DEFAULT_GRANTEE, PropBag, PublicFolder, Rights, SpecialFolder, Store};
use mailbox::{
    Account, AppendRequest, ChangeKind, FetchFields, Flag, FlagOp, Flags, FolderId, FolderInfo, FolderKind,
    MailboxError, StoreKind, UidSet, WriteCondition,
};
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;

/// alice, bob (seeded calendars) and team@example.test (alice: full access),
/// plus a public folder "Announcements" with one message.
async fn env() -> Env {
    let store = Store::open_in_memory().unwrap();
    seed_demo(&store, &SeedOptions { users: vec!["alice".into(), "bob".into()], messages: 2, seed: 5 }).unwrap();
    let public = store.public_folders().unwrap();
    let ipm = public.public_folder(PublicFolder::IpmSubtree);
    let (ann, _) = public.create_folder(ipm, "Announcements", &PropBag::new(), false).unwrap();
    public.save_message(ann, None, false, &message(1, 10), exchange_sim::store::SaveMode::Normal).unwrap();
    let sim = exchange_sim::server::Simulator::new(sim_config()).with_store(store).run().await.unwrap();
    Env::with_sim(sim).await
}

/// Gives bob Reviewer on alice's Calendar and Folder visible on her IPM
/// subtree (what Outlook needs to show the mailbox's folder list).
fn share_alices_calendar_with_bob(env: &Env) {
    let alice = env.mailbox(ALICE);
    alice.grant(Some(alice.special_folder(SpecialFolder::Calendar)), BOB, Rights::REVIEWER).unwrap();
    alice.grant(Some(alice.special_folder(SpecialFolder::IpmSubtree)), BOB, Rights::FOLDER_VISIBLE).unwrap();
}

fn find<'a>(all: &'a [FolderInfo], store: &StoreKind, path: &str) -> &'a FolderInfo {
    all.iter().find(|f| &f.store == store && f.path == path).unwrap_or_else(|| panic!("{store:?} {path} in {all:#?}"))
}

fn team() -> StoreKind {
    StoreKind::Delegate(TEAM.into())
}

fn alices() -> StoreKind {
    StoreKind::Delegate(ALICE.into())
}

const NOTE: &[u8] = b"From: alice@example.test\r\nTo: team@example.test\r\nSubject: filed by alice\r\n\
Message-ID: <filed-1@example.test>\r\nDate: Tue, 03 Mar 2026 10:00:00 +0000\r\n\r\nhello team\r\n";

#[tokio::test]
async fn autodiscovered_shared_mailbox_and_public_folders_are_listed() {
    let env = env().await;
    let a = env.alice().await;
    let all = a.list_folders().await.unwrap();
    let inbox = find(&all, &team(), "Inbox");
    assert_eq!(inbox.kind, FolderKind::Mail);
    assert_eq!(inbox.role, Some(mailbox::SpecialUse::Inbox));
    let ann = find(&all, &StoreKind::Public, "Announcements");
    // Ids of different stores never collide with the own store's.
    let own_inbox = all.iter().find(|f| f.store == StoreKind::Own && f.path == "Inbox").unwrap();
    assert_ne!(own_inbox.id, inbox.id);
    assert_ne!(own_inbox.id, ann.id);
    // The store is also reachable by name, in any case of the address.
    let by_name = a.store_folders(&StoreKind::Delegate("Team@Example.TEST".into())).await.unwrap();
    assert!(by_name.iter().any(|f| f.id == inbox.id), "{by_name:#?}");
    let public = a.store_folders(&StoreKind::Public).await.unwrap();
    assert_eq!(public.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(), ["Announcements"]);
    // The public message is there.
    let f = a.folder(&ann.id).await.unwrap();
    assert_eq!(subjects(f.as_ref()).await, [(1, "message 1".to_owned())]);
}

#[tokio::test]
async fn shared_mailbox_folders_behave_like_own_folders_with_their_own_uids() {
    let env = env().await;
    let a = env.alice().await;
    let all = a.list_folders().await.unwrap();
    let team_inbox = a.folder(&find(&all, &team(), "Inbox").id).await.unwrap();
    let own_inbox = open_inbox(a.as_ref()).await;
    let sel = team_inbox.select().await.unwrap();
    assert_eq!(sel.exists, 3, "the seeded team messages");
    let mut got: Vec<String> = subjects(team_inbox.as_ref()).await.into_iter().map(|(_, s)| s).collect();
    got.sort();
    assert_eq!(got, ["Invoice 2026-001", "Kundenanfrage #4711", "Support: VPN down?"]);
    // UIDs start at 1 in the shared store, independent of alice's own inbox.
    assert_eq!(all_uids(team_inbox.as_ref()).await, [1, 2, 3]);

    // APPEND lands in team's mailbox, not alice's.
    let appended = team_inbox
        .append(AppendRequest { mime: NOTE.to_vec(), flags: Flags::new(), internal_date: None })
        .await
        .unwrap();
    assert_eq!(appended.uid.get(), 4);
    let direct_team = env.mailbox(TEAM);
    let subjects_in_team: Vec<String> = direct_team
        .contents(direct_team.special_folder(SpecialFolder::Inbox), false)
        .unwrap()
        .iter()
        .filter_map(|m| match m.content.props.get(PropTag::SUBJECT) {
            Some(PropValue::String(s)) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert!(subjects_in_team.iter().any(|s| s == "filed by alice"), "{subjects_in_team:?}");
    assert!(!subjects(own_inbox.as_ref()).await.iter().any(|(_, s)| s == "filed by alice"));

    // Flags are written to the shared mailbox's message.
    let one = UidSet::from(state::UidRange::single(appended.uid));
    team_inbox.store(&one, &FlagOp::Add(Flags::from([Flag::Seen, Flag::Flagged])), None).await.unwrap();
    let fields = FetchFields { flags: true, ..FetchFields::default() };
    let flags = team_inbox.fetch(&one, fields).await.unwrap().remove(0).flags.unwrap();
    assert!(flags.contains(&Flag::Seen) && flags.contains(&Flag::Flagged), "{flags:?}");
    // MIME renders from the other store.
    let m = team_inbox.fetch(&one, FetchFields { mime: true, ..FetchFields::default() }).await.unwrap().remove(0);
    assert!(String::from_utf8_lossy(&m.mime.unwrap()).contains("hello team"));

    // A copy across stores is refused and changes nothing.
    let e = own_inbox.copy(&UidSet::all(), &team_inbox.info().id).await.unwrap_err();
    assert!(matches!(e, MailboxError::NoSuchFolder(_)), "{e:?}");
    assert_eq!(team_inbox.select().await.unwrap().exists, 4);
}

#[tokio::test]
async fn a_delegate_sees_only_the_folder_shared_with_him_and_cannot_write_it() {
    let env = env().await;
    share_alices_calendar_with_bob(&env);
    let b = env.provider.login_exchange(BOB, PASSWORD).await.unwrap();
    let folders = b.store_folders(&alices()).await.unwrap();
    assert_eq!(folders.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(), ["Calendar"], "{folders:#?}");
    let cal = b.collection(&folders[0].id).await.unwrap();
    let events = cal.list().await.unwrap();
    assert!(!events.is_empty());
    assert!(cal.get(&events[0].name).await.unwrap().is_some());
    // Reviewer may read, not write: the permission error, not "unavailable".
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:bob-1@example.test\r\n\
DTSTAMP:20260101T000000Z\r\nDTSTART:20260310T090000Z\r\nDTEND:20260310T100000Z\r\nSUMMARY:by bob\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";
    let ev = from_ical(ics.as_bytes(), &ImportOptions::default()).unwrap().objects.remove(0);
    let e = cal.put("bob-1.ics", ev, &WriteCondition::Always).await.unwrap_err();
    assert!(matches!(e, MailboxError::AccessDenied(_)), "{e:?}");
    assert!(!e.is_retryable());
    // Alice's Inbox is not among bob's folders and cannot be opened by id.
    let all = b.list_folders().await.unwrap();
    assert!(!all.iter().any(|f| f.store == alices() && f.kind == FolderKind::Mail), "{all:#?}");
    let inbox_fid = env.folder_id(ALICE, SpecialFolder::Inbox);
    let forged = FolderId::new([b"Dalice@example.test\0".as_slice(), &inbox_fid.to_wire()].concat());
    assert!(b.folder(&forged).await.is_err());
    // Bob's own id of the same number is his own inbox, never alice's.
    let own = b.folder(&FolderId::new(env.folder_id(BOB, SpecialFolder::Inbox).to_wire().to_vec())).await.unwrap();
    assert_eq!(own.info().store, StoreKind::Own);
}

#[tokio::test]
async fn without_rights_every_way_in_is_access_denied() {
    let env = env().await;
    // The team's owner removed Default's free/busy right on its Calendar: no
    // grant at all, so the logon itself is refused.
    let team = env.mailbox(TEAM);
    team.grant(Some(team.special_folder(SpecialFolder::Calendar)), DEFAULT_GRANTEE, Rights::NONE).unwrap();
    let b = env.provider.login_exchange(BOB, PASSWORD).await.unwrap();
    let e = b.store_folders(&StoreKind::Delegate(TEAM.into())).await.unwrap_err();
    assert!(matches!(e, MailboxError::AccessDenied(_)), "{e:?}");
    // alice's Calendar gives Default free/busy times only (Exchange's
    // default): the logon succeeds, but not one of her folders is readable.
    for owner in [ALICE, "ALICE@example.test"] {
        let folders = b.store_folders(&StoreKind::Delegate(owner.into())).await.unwrap();
        assert!(folders.is_empty(), "{owner}: {folders:#?}");
    }
    // Unknown or malformed owners are no mailbox.
    for owner in ["nobody@example.test", "../alice@example.test", "alice"] {
        let e = b.store_folders(&StoreKind::Delegate(owner.into())).await.unwrap_err();
        assert!(matches!(e, MailboxError::NoSuchFolder(_)), "{owner}: {e:?}");
    }
    // bob's listing has his own folders and the public ones only.
    let all = b.list_folders().await.unwrap();
    assert!(all.iter().all(|f| matches!(f.store, StoreKind::Own | StoreKind::Public)), "{all:#?}");
    // A forged id of the team inbox opens nothing.
    let fid = env.folder_id(TEAM, SpecialFolder::Inbox);
    let forged = FolderId::new([b"Dteam@example.test\0".as_slice(), &fid.to_wire()].concat());
    let e = b.folder(&forged).await.err().unwrap();
    assert!(matches!(e, MailboxError::AccessDenied(_)), "{e:?}");
    let e = b.collection(&forged).await.err().unwrap();
    assert!(matches!(e, MailboxError::AccessDenied(_)), "{e:?}");
}

#[tokio::test]
async fn configured_mailboxes_are_offered_to_users_with_rights_only() {
    let store = Store::open_in_memory().unwrap();
    seed_demo(&store, &SeedOptions { users: vec!["alice".into(), "bob".into()], messages: 1, seed: 5 }).unwrap();
    let sim = exchange_sim::server::Simulator::new(sim_config()).with_store(store).run().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let state = Arc::new(state::SqliteStore::open(dir.path()).await.unwrap());
    let mut c = config(&sim);
    c.additional_mailboxes = vec![ALICE.into(), TEAM.into()];
    c.public_folders = false;
    let provider = mailbox::ExchangeProvider::new(c, state);
    let alice = sim.store().mailbox(ALICE).unwrap();
    alice.grant(Some(alice.special_folder(SpecialFolder::Calendar)), BOB, Rights::REVIEWER).unwrap();
    alice.grant(Some(alice.special_folder(SpecialFolder::IpmSubtree)), BOB, Rights::FOLDER_VISIBLE).unwrap();
    let b = provider.login_exchange(BOB, PASSWORD).await.unwrap();
    let others: Vec<(StoreKind, String)> = b
        .list_folders()
        .await
        .unwrap()
        .into_iter()
        .filter(|f| f.store != StoreKind::Own)
        .map(|f| (f.store, f.path))
        .collect();
    assert_eq!(others, [(alices(), "Calendar".to_owned())]);
}

async fn next_event(feed: &mut mailbox::ChangeStream) -> ChangeKind {
    use futures_util::StreamExt as _;
    tokio::time::timeout(std::time::Duration::from_secs(10), feed.next())
        .await
        .expect("an event within 10 s")
        .unwrap()
        .kind
}

/// The stores share one MAPI session and its one event queue: after alice
/// watched her own Inbox (its notification task keeps running), each change
/// in the shared mailbox still reaches the watcher of its Inbox; the own
/// store's task must not swallow it.
#[tokio::test]
async fn a_shared_inbox_watcher_hears_every_change_after_the_own_inbox_was_watched() {
    let env = env().await;
    let a = env.alice().await;
    let own = open_inbox(a.as_ref()).await;
    drop(own.watch().await.unwrap());
    let all = a.list_folders().await.unwrap();
    let shared = a.folder(&find(&all, &team(), "Inbox").id).await.unwrap();
    let mut feed = shared.watch().await.unwrap();
    assert_eq!(shared.select().await.unwrap().exists, 3);
    let team_inbox = env.folder_id(TEAM, SpecialFolder::Inbox);
    let team = env.mailbox(TEAM);
    // The stores' notification tasks take turns in the session's one
    // NotificationWait (each up to the simulator's 700 ms): changes spread
    // over a few seconds meet both tasks waiting.
    let pause = std::time::Duration::from_millis(300);
    for round in 0..5u32 {
        tokio::time::sleep(pause).await;
        let mids = seed(&env, TEAM, team_inbox, &[message(10 + round as usize, 1000 + i64::from(round))]);
        match next_event(&mut feed).await {
            ChangeKind::Exists { exists, .. } => assert_eq!(exists, 4, "round {round}"),
            other => panic!("round {round}: {other:?}"),
        }
        tokio::time::sleep(pause).await;
        team.set_read_flag(mids[0], true).unwrap();
        match next_event(&mut feed).await {
            ChangeKind::Flags { flags, .. } => assert!(flags.contains(&Flag::Seen), "round {round}"),
            other => panic!("round {round}: {other:?}"),
        }
        tokio::time::sleep(pause).await;
        team.delete_messages(team_inbox, &mids, true).unwrap();
        assert!(matches!(next_event(&mut feed).await, ChangeKind::Expunged { .. }), "round {round}");
    }
}
