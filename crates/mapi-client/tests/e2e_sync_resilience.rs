//! The typed API end to end against exchange-sim: ICS contents download
//! (initial + incremental), notifications, and resilience (expired context,
//! busy answers, Basic/NTLM logins, wrong password).
#![allow(missing_docs, clippy::unwrap_used)]

mod e2e_common;

use std::sync::Arc;
use std::time::Duration;

use e2e_common::*;
use exchange_sim::server::faults::{BusyMode, FaultConfig};
use exchange_sim::store::{MessageContent, PropBag, SaveMode, SpecialFolder as S, Store};
use mapi_client::api::{
    IcsOptions, Mailbox, MailboxOptions, NewMessage, SpecialFolder, StoreTarget, TableSpec, Watch, WriteReport,
    state_from_bytes, state_to_bytes,
};
use mapi_client::{Credentials, EmsmdbSession, SessionConfig};
use mapi_wire::PropTag;
use mapi_wire::ids::MessageId;
use mapi_wire::prop_value::{PropValue, PropertyRow, TaggedValue};
use mapi_wire::recipient::RecipientRow;
use mapi_wire::rop::{ModifyRecipientRow, ReadFlags, RecipientRowBytes, RecipientType};

fn s(v: &str) -> PropValue {
    PropValue::String(v.into())
}

/// `n` messages in `user`'s Inbox through the store API.
fn seed(store: &Store, user: &str, n: usize) -> Vec<MessageId> {
    let mbx = store.mailbox(user).unwrap();
    let inbox = mbx.special_folder(S::Inbox);
    (0..n)
        .map(|i| {
            let mut props = PropBag::new();
            props.set(PropTag::SUBJECT, s(&format!("seeded {i:03}")));
            props.set(PropTag::MESSAGE_CLASS, s("IPM.Note"));
            let content = MessageContent { props, ..MessageContent::default() };
            mbx.save_message(inbox, None, false, &content, SaveMode::Normal).unwrap().id
        })
        .collect()
}

fn subject_of(row: &PropertyRow) -> String {
    match row {
        PropertyRow::Standard(v) => format!("{:?}", v.first()),
        PropertyRow::Flagged(v) => format!("{:?}", v.first()),
    }
}

#[tokio::test]
async fn ics_contents_initial_then_only_the_changes() {
    let store = demo_store();
    let seeded = seed(&store, ALICE, 5);
    let sim = start_with(store).await;
    let mb = logon(&sim, ALICE).await;
    let inbox = mb.folder(SpecialFolder::Inbox);
    let options = IcsOptions::contents();
    let initial = mb.sync_contents(inbox, None, &options).await.unwrap();
    assert_eq!(initial.message_changes.len(), 5);
    assert!(format!("{:?}", initial.message_changes).contains("seeded 004"));
    // The state goes out as bytes (the caller persists them) and comes back.
    let bytes = state_to_bytes(&initial.state).unwrap();
    assert!(!bytes.is_empty());
    let state = state_from_bytes(&bytes).unwrap();
    assert_eq!(state, initial.state);

    // Nothing changed: nothing comes back.
    let quiet = mb.sync_contents(inbox, Some(&state), &options).await.unwrap();
    assert!(quiet.message_changes.is_empty(), "{:?}", quiet.message_changes);

    // One new message, one read, one deleted.
    let mbx = sim.store().mailbox(ALICE).unwrap();
    let mut props = PropBag::new();
    props.set(PropTag::SUBJECT, s("arrived later"));
    props.set(PropTag::MESSAGE_CLASS, s("IPM.Note"));
    mbx.save_message(
        mbx.special_folder(S::Inbox),
        None,
        false,
        &MessageContent { props, ..Default::default() },
        SaveMode::Normal,
    )
    .unwrap();
    mb.set_read_flags(inbox, &seeded[1..2], ReadFlags::SUPPRESS_RECEIPT).await.unwrap();
    mb.delete_messages(inbox, &seeded[2..3], true).await.unwrap();
    let inc = mb.sync_contents(inbox, Some(&state), &options).await.unwrap();
    assert_eq!(inc.message_changes.len(), 1, "only the new message: {:?}", inc.message_changes);
    let dump = format!("{:?}", inc.message_changes);
    assert!(dump.contains("arrived later") && !dump.contains("seeded 000"), "{dump}");
    let deleted = inc.deletions.as_ref().expect("a deletion").deleted().unwrap().expect("deleted ids");
    assert!(format!("{deleted:?}").len() > 2);
    let read = inc.read_state_changes.as_ref().expect("a read-state change").read().unwrap();
    assert!(read.is_some(), "{inc:?}");
    // And from the new state (through bytes again): nothing.
    let state2 = state_from_bytes(&state_to_bytes(&inc.state).unwrap()).unwrap();
    let quiet = mb.sync_contents(inbox, Some(&state2), &options).await.unwrap();
    assert!(quiet.message_changes.is_empty() && quiet.deletions.is_none(), "{quiet:?}");
}

fn to(name: &str, addr: &str) -> ModifyRecipientRow {
    let cols = [PropTag::SMTP_ADDRESS];
    let row = RecipientRow::smtp(name, addr, PropertyRow::Standard(vec![s(addr)]));
    ModifyRecipientRow {
        row_id: 0,
        recipient_type: RecipientType::TO,
        row: RecipientRowBytes::from_row(Some(&row), &cols).unwrap(),
    }
}

#[tokio::test]
async fn notifications_new_mail_and_object_created() {
    let sim = start().await;
    let alice = logon(&sim, ALICE).await;
    let bob = logon(&sim, BOB).await;
    let inbox = alice.folder(SpecialFolder::Inbox);
    let mut n = alice
        .subscribe(vec![Watch::Store { types: 0x02 }, Watch::Folder { folder: inbox, types: 0x04 }])
        .await
        .unwrap();
    assert_eq!(n.handles().len(), 2);
    let msg = NewMessage {
        folder: bob.folder(SpecialFolder::Outbox),
        properties: vec![
            TaggedValue { tag: PropTag::MESSAGE_CLASS, value: s("IPM.Note") },
            TaggedValue { tag: PropTag::SUBJECT, value: s("ping alice") },
        ],
        recipient_columns: vec![PropTag::SMTP_ADDRESS],
        recipients: vec![to("Alice Tester", ALICE)],
        ..NewMessage::default()
    };
    let send = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        bob.create_message(&msg, true).await.unwrap()
    };
    let recv = async {
        let mut kinds = Vec::new();
        while kinds.len() < 2 {
            let e = tokio::time::timeout(Duration::from_secs(10), n.next()).await.expect("an event").unwrap();
            kinds.push(e.data.flags & 0x0FFF);
        }
        kinds
    };
    let (report, mut kinds) = tokio::join!(send, recv);
    assert!(matches!(report, WriteReport::Done(_)));
    kinds.sort_unstable();
    assert_eq!(kinds, [0x02, 0x04], "NewMail and ObjectCreated");
    n.close().await;
}

fn inbox_spec(mb: &Mailbox) -> TableSpec {
    TableSpec::contents(mb.folder(SpecialFolder::Inbox), vec![PropTag::SUBJECT])
}

#[tokio::test]
async fn expired_context_mid_sequence_is_recovered_for_reads() {
    let store = demo_store();
    seed(&store, ALICE, 50);
    let sim = start_with(store).await;
    let options = MailboxOptions { page_rows: 10, chain_tables: false, ..MailboxOptions::default() };
    let mb = logon_with(&sim, ALICE, basic(ALICE, PASSWORD), options).await;
    assert_eq!(mb.query_all(&inbox_spec(&mb)).await.unwrap().rows.len(), 50);
    let generation = mb.session().generation().await;
    // Mid-table: the context dies between two pages.
    let mut cursor = mb.open_table(inbox_spec(&mb)).await.unwrap();
    let mut seen: Vec<String> = cursor.first.rows.iter().map(subject_of).collect();
    sim.set_faults(FaultConfig { expire_sessions: true, ..FaultConfig::default() });
    sim.set_faults(FaultConfig::default());
    loop {
        let page = cursor.next_page().await.unwrap();
        seen.extend(page.rows.iter().map(subject_of));
        if page.at_end || page.rows.is_empty() {
            break;
        }
    }
    cursor.close().await;
    assert!(mb.session().generation().await > generation, "a new context");
    assert_eq!(seen.len(), 50, "no row lost or repeated across the reconnect");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 50);
    // And a plain read after another expiry.
    sim.set_faults(FaultConfig { expire_sessions: true, ..FaultConfig::default() });
    sim.set_faults(FaultConfig::default());
    let props = mb.special_folders().await.unwrap();
    assert_eq!(props.inbox, Some(mb.folder(SpecialFolder::Inbox)));
}

#[tokio::test]
async fn busy_answers_are_retried_with_backoff() {
    let store = demo_store();
    seed(&store, ALICE, 20);
    let sim = start_with(store).await;
    let mb = logon(&sim, ALICE).await;
    for mode in [BusyMode::default(), BusyMode::EcServerBusy] {
        sim.set_faults(FaultConfig {
            busy_fraction: 0.3,
            busy_mode: mode,
            retry_after_secs: 0,
            ..FaultConfig::default()
        });
        for _ in 0..15 {
            assert_eq!(mb.query_all(&inbox_spec(&mb)).await.unwrap().rows.len(), 20);
        }
    }
    sim.set_faults(FaultConfig::default());
}

#[tokio::test]
async fn wrong_password_is_a_typed_auth_error() {
    let sim = start().await;
    let d = discover(&sim, ALICE, &basic(ALICE, PASSWORD)).await;
    let e = EmsmdbSession::connect(SessionConfig::mailstore(&d, basic(ALICE, "wrong"))).await.unwrap_err();
    assert!(matches!(e, mapi_client::Error::Auth(_)), "{e:?}");
    let url = format!("{}/autodiscover/autodiscover.xml", sim.base_url());
    let e = mapi_client::autodiscover::ask(&url, ALICE, &basic(ALICE, "wrong")).await.unwrap_err();
    assert!(matches!(e, mapi_client::Error::Auth(_)), "{e:?}");
}

#[tokio::test]
async fn ntlm_login_reads_the_mailbox() {
    let store = demo_store();
    seed(&store, ALICE, 3);
    let directory = exchange_sim::auth::WithNtHashes::new(Arc::new(store.clone()));
    directory.set_password(ALICE, PASSWORD);
    let sim = exchange_sim::server::Simulator::new(sim_config())
        .with_store(store)
        .with_directory(Arc::new(directory))
        .with_ntlm(Arc::new(exchange_sim::auth::ntlm::Ntlmv2::default()))
        .run()
        .await
        .unwrap();
    let t = transport(Credentials::Ntlm { login: ALICE.into(), password: PASSWORD.to_owned().into() });
    let d = discover(&sim, ALICE, &t).await;
    let session = Arc::new(EmsmdbSession::connect(SessionConfig::mailstore(&d, t)).await.unwrap());
    let mb =
        Mailbox::logon(session, StoreTarget::Mailbox { legacy_dn: d.legacy_dn.clone() }, MailboxOptions::default())
            .await
            .unwrap();
    assert_eq!(mb.query_all(&inbox_spec(&mb)).await.unwrap().rows.len(), 3);
    // A wrong NTLM password is refused with the typed error.
    let bad = transport(Credentials::Ntlm { login: ALICE.into(), password: "nope".to_owned().into() });
    let e = EmsmdbSession::connect(SessionConfig::mailstore(&d, bad)).await.unwrap_err();
    assert!(matches!(e, mapi_client::Error::Auth(_)), "{e:?}");
}

/// Subjects in alice's Inbox as the store holds them.
fn stored_subjects(sim: &exchange_sim::server::RunningSim) -> Vec<String> {
    let mbx = sim.store().mailbox(ALICE).unwrap();
    mbx.contents(mbx.special_folder(S::Inbox), false)
        .unwrap()
        .iter()
        .filter_map(|m| match m.content.props.get(PropTag::SUBJECT) {
            Some(PropValue::String(s)) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn connection_dropped_during_a_write_is_reported_landed_and_not_repeated() {
    let sim = start().await;
    let mb = logon(&sim, ALICE).await;
    let inbox = mb.folder(SpecialFolder::Inbox);
    let new = |subject: &str| {
        NewMessage {
            folder: inbox,
            properties: vec![
                TaggedValue { tag: PropTag::SUBJECT, value: s(subject) },
                TaggedValue { tag: PropTag::MESSAGE_CLASS, value: s("IPM.Note") },
            ],
            ..NewMessage::default()
        }
        .with_unique_search_key()
        .unwrap()
    };
    // The simulator executes the create, sends the response headers and the first
    // chunk, then closes the connection: the client cannot know the outcome.
    sim.set_faults(FaultConfig { drop_responses: 1, ..FaultConfig::default() });
    let report = tokio::time::timeout(Duration::from_secs(20), mb.create_message(&new("dropped once"), false))
        .await
        .unwrap()
        .unwrap();
    let WriteReport::Landed(mid) = report else { panic!("expected Landed, got {report:?}") };
    assert_eq!(sim.faults().get().drop_responses, 0, "the fault fired");
    assert_eq!(stored_subjects(&sim), ["dropped once"], "exactly one copy in the store");
    let stored = sim.store().mailbox(ALICE).unwrap().message(mid).unwrap();
    assert_eq!(stored.content.props.get(PropTag::SUBJECT), Some(&s("dropped once")), "the reported id is the message");
    // The mailbox goes on working: the next write completes normally.
    let report = mb.create_message(&new("after the drop"), false).await.unwrap();
    assert!(matches!(report, WriteReport::Done(_)), "{report:?}");
    let mut subjects = stored_subjects(&sim);
    subjects.sort();
    assert_eq!(subjects, ["after the drop", "dropped once"]);
}

#[tokio::test]
async fn expired_context_before_a_write_is_recovered_without_duplicates() {
    let store = demo_store();
    let seeded = seed(&store, ALICE, 2);
    let sim = start_with(store).await;
    let mb = logon(&sim, ALICE).await;
    let inbox = mb.folder(SpecialFolder::Inbox);
    let generation = mb.session().generation().await;
    // A self-contained create: refused with the lost context, so sent again after the
    // re-logon; it lands exactly once.
    sim.set_faults(FaultConfig { expire_sessions: true, ..FaultConfig::default() });
    let msg = NewMessage {
        folder: inbox,
        properties: vec![TaggedValue { tag: PropTag::SUBJECT, value: s("after expiry") }],
        ..NewMessage::default()
    };
    let report = mb.create_message(&msg, false).await.unwrap();
    let WriteReport::Done(mid) = report else { panic!("{report:?}") };
    assert!(mb.session().generation().await > generation, "a new context");
    assert_eq!(stored_subjects(&sim).iter().filter(|s| *s == "after expiry").count(), 1);
    assert!(sim.store().mailbox(ALICE).unwrap().message(mid).is_ok());
    let root = mb.folder(SpecialFolder::IpmSubtree);
    sim.set_faults(FaultConfig { expire_sessions: true, ..FaultConfig::default() });
    let folder = mb.create_folder(root, "Projekte", "", false).await.unwrap();
    let store_box = sim.store().mailbox(ALICE).unwrap();
    assert_eq!(store_box.find_folder(root, "Projekte").unwrap(), Some(folder));

    // A move opens both folders in its own Execute: refused with the lost context
    // before it ran, so sent again after the re-logon; each message moves once.
    sim.set_faults(FaultConfig { expire_sessions: true, ..FaultConfig::default() });
    let deleted = mb.folder(SpecialFolder::DeletedItems);
    mb.move_copy(inbox, deleted, &seeded, false).await.unwrap();
    assert_eq!(store_box.contents(store_box.special_folder(S::DeletedItems), false).unwrap().len(), 2);
    assert_eq!(store_box.contents(store_box.special_folder(S::Inbox), false).unwrap().len(), 1, "after expiry");
}

/// A body over [`mapi_client::api::LARGE_VALUE`]: written through a stream, the
/// message kept open across Executes.
fn large_body(tag: &str) -> PropValue {
    s(&format!("{tag}: {}", "The quick brown fox jumps over the lazy dog. ".repeat(800)))
}

#[tokio::test]
async fn expired_context_before_a_multi_execute_write_is_started_again() {
    let sim = start_with(demo_store()).await;
    let mb = logon(&sim, ALICE).await;
    let inbox = mb.folder(SpecialFolder::Inbox);
    // The first Execute of a create in steps meets the lost context (as the first
    // write after a server restart does): nothing was saved, so the whole create runs
    // again in the new context and lands once.
    sim.set_faults(FaultConfig { expire_sessions: true, ..FaultConfig::default() });
    let msg = NewMessage {
        folder: inbox,
        properties: vec![
            TaggedValue { tag: PropTag::SUBJECT, value: s("large after expiry") },
            TaggedValue { tag: PropTag::BODY, value: large_body("first") },
        ],
        search_key: Some(b"large-after-expiry".to_vec()),
        ..NewMessage::default()
    };
    let WriteReport::Done(mid) = mb.create_message(&msg, false).await.unwrap() else { panic!("not done") };
    assert_eq!(stored_subjects(&sim), ["large after expiry"], "stored exactly once");
    let store_box = sim.store().mailbox(ALICE).unwrap();
    assert_eq!(store_box.message(mid).unwrap().content.props.get(PropTag::BODY), Some(&large_body("first")));

    // Replacing it in steps after another loss: written again, whole, once.
    sim.set_faults(FaultConfig { expire_sessions: true, ..FaultConfig::default() });
    let content = mapi_client::api::ItemContent {
        properties: vec![
            TaggedValue { tag: PropTag::SUBJECT, value: s("replaced after expiry") },
            TaggedValue { tag: PropTag::BODY, value: large_body("second") },
        ],
        ..Default::default()
    };
    mb.replace_message(inbox, mid, &content, &[], &[]).await.unwrap();
    assert_eq!(stored_subjects(&sim), ["replaced after expiry"]);
    assert_eq!(store_box.message(mid).unwrap().content.props.get(PropTag::BODY), Some(&large_body("second")));
}

#[tokio::test]
async fn notifications_survive_an_expired_context() {
    let sim = start().await;
    let alice = logon(&sim, ALICE).await;
    let bob = logon(&sim, BOB).await;
    let mut n = alice.subscribe(vec![Watch::Store { types: 0x02 }]).await.unwrap();
    let generation = alice.session().generation().await;
    // Every context dies, alice's included; her stream must notice, reconnect,
    // register again and still deliver the next new mail.
    sim.set_faults(FaultConfig { expire_sessions: true, ..FaultConfig::default() });
    let msg = NewMessage {
        folder: bob.folder(SpecialFolder::Outbox),
        properties: vec![
            TaggedValue { tag: PropTag::MESSAGE_CLASS, value: s("IPM.Note") },
            TaggedValue { tag: PropTag::SUBJECT, value: s("after the expiry") },
        ],
        recipient_columns: vec![PropTag::SMTP_ADDRESS],
        recipients: vec![to("Alice Tester", ALICE)],
        ..NewMessage::default()
    };
    let send = async {
        // Long enough for alice's stream to re-register first.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        bob.create_message(&msg, true).await.unwrap()
    };
    let recv = async { tokio::time::timeout(Duration::from_secs(15), n.next()).await.expect("an event").unwrap() };
    let (report, event) = tokio::join!(send, recv);
    assert!(matches!(report, WriteReport::Done(_)), "bob's session recovered too: {report:?}");
    assert_eq!(event.data.flags & 0x0FFF, 0x02, "NewMail");
    assert!(alice.session().generation().await > generation, "a new context");
    n.close().await;
}
