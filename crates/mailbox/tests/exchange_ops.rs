//! Writes over exchange-sim: APPEND (APPENDUID), COPY/MOVE in bulk with
//! COPYUID, moved out and back, EXPUNGE to Deleted Items or for good,
//! SEARCH as restrictions, VANISHED, \Recent.
#![allow(missing_docs, clippy::unwrap_used)]

mod exchange_common;

use exchange_common::*;
use exchange_sim::store::SpecialFolder;
use mailbox::mapi::eval;
use mailbox::{
    Account, AppendRequest, ExpungeMode, FetchFields, Flag, FlagOp, Flags, Folder, SearchDate, SearchKey, Timestamp,
    UidSet,
};
use mapi_wire::restriction::Restriction;

const RAW: &[u8] = b"From: Bob Tester <bob@example.test>\r\nTo: Alice Tester <alice@example.test>\r\n\
Subject: appended\r\nDate: Mon, 05 Jan 2026 08:00:00 +0000\r\nMessage-ID: <app1@example.test>\r\n\r\nhello\r\n";

#[tokio::test]
async fn append_returns_the_uid_and_keeps_flags_and_date() {
    let env = Env::new().await;
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    let v = inbox.select().await.unwrap().uid_validity;
    let flags = Flags::from([Flag::Seen, Flag::Flagged, Flag::keyword("$label1").unwrap()]);
    let out = inbox
        .append(AppendRequest {
            mime: RAW.to_vec(),
            flags: flags.clone(),
            internal_date: Some(Timestamp(1_767_600_000)),
        })
        .await
        .unwrap();
    assert_eq!((out.uid_validity, out.uid.get()), (v, 1));
    let fields = FetchFields { flags: true, internal_date: true, envelope: true, ..Default::default() };
    let m = inbox.fetch(&uid_set(&[1]), fields).await.unwrap().pop().unwrap();
    assert_eq!(m.flags.unwrap(), flags);
    assert_eq!(m.internal_date, Some(Timestamp(1_767_600_000)));
    assert_eq!(m.envelope.unwrap().subject.as_deref(), Some("appended"));
    // It is in Exchange.
    let rows = env.mailbox(ALICE).contents(env.folder_id(ALICE, SpecialFolder::Inbox), false).unwrap();
    assert_eq!(rows.len(), 1);
    let deleted = inbox
        .append(AppendRequest { mime: RAW.to_vec(), flags: Flags::from([Flag::Deleted]), internal_date: None })
        .await
        .unwrap();
    assert_eq!(deleted.uid.get(), 2);
    assert!(matches!(
        inbox.append(AppendRequest { mime: b"\xff\xfe not mime".to_vec(), ..Default::default() }).await,
        Ok(_) | Err(mailbox::MailboxError::Invalid(_))
    ));
}

#[tokio::test]
async fn copy_and_move_in_bulk_with_copyuid_and_a_new_uid_after_moving_back() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    seed(&env, ALICE, inbox_id, &(0..5).map(|i| message(i, 100 * (i as i64 + 1))).collect::<Vec<_>>());
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    inbox.select().await.unwrap();
    let work = a.create_folder("Work").await.unwrap();
    let work_f = a.folder(&work.id).await.unwrap();
    let wv = work_f.select().await.unwrap().uid_validity;

    let before = a.wire_counters().round_trips;
    let copied = inbox.copy(&uid_set(&[2, 3, 4]), &work.id).await.unwrap();
    let trips = a.wire_counters().round_trips - before;
    assert_eq!(copied.uid_validity, wv);
    assert_eq!(copied.uids.iter().map(|(s, d)| (s.get(), d.get())).collect::<Vec<_>>(), vec![(2, 1), (3, 2), (4, 3)]);
    assert!(trips <= 4, "one batch plus the ICS catch-up, not one call per message: {trips}");
    assert_eq!(
        subjects(work_f.as_ref()).await.iter().map(|s| s.1.as_str()).collect::<Vec<_>>(),
        ["message 1", "message 2", "message 3"]
    );
    assert_eq!(all_uids(inbox.as_ref()).await, vec![1, 2, 3, 4, 5]);

    let moved = inbox.move_to(&uid_set(&[1, 5]), &work.id).await.unwrap();
    assert_eq!(moved.expunged, uid_set(&[1, 5]));
    assert_eq!(moved.copied.uids.iter().map(|(s, d)| (s.get(), d.get())).collect::<Vec<_>>(), vec![(1, 4), (5, 5)]);
    assert_eq!(all_uids(inbox.as_ref()).await, vec![2, 3, 4]);
    // Back again: a new UID in the inbox.
    let back = work_f.move_to(&uid_set(&[4]), &inbox.info().id).await.unwrap();
    assert_eq!(back.copied.uids.iter().map(|(s, d)| (s.get(), d.get())).collect::<Vec<_>>(), vec![(4, 6)]);
    let subj = subjects(inbox.as_ref()).await;
    assert_eq!(subj.last().unwrap(), &(6, "message 0".to_owned()));
    let (gone, complete) = inbox.vanished_since(1).await.unwrap();
    assert!(complete);
    assert_eq!(gone, uid_set(&[1, 5]));
}

#[tokio::test]
async fn moved_out_and_back_by_another_client_gets_a_new_uid() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    let mids = seed(&env, ALICE, inbox_id, &[message(1, 100), message(2, 200)]);
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    assert_eq!(all_uids(inbox.as_ref()).await, vec![1, 2]);
    let direct = direct(&env.sim, ALICE).await;
    let junk = env.folder_id(ALICE, SpecialFolder::JunkEmail);
    direct.move_copy(inbox_id, junk, &[mids[0]], false).await.unwrap();
    assert_eq!(all_uids(inbox.as_ref()).await, vec![2]);
    direct.move_copy(junk, inbox_id, &[mids[0]], false).await.unwrap();
    assert_eq!(all_uids(inbox.as_ref()).await, vec![2, 3]);
    assert_eq!(subjects(inbox.as_ref()).await, vec![(2, "message 2".to_owned()), (3, "message 1".to_owned())]);
}

#[tokio::test]
async fn expunge_moves_to_deleted_items_or_deletes() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    seed(&env, ALICE, inbox_id, &(0..4).map(|i| message(i, 100 * (i as i64 + 1))).collect::<Vec<_>>());
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    inbox.select().await.unwrap();
    inbox.store(&uid_set(&[1, 2, 3]), &FlagOp::Add(Flags::from([Flag::Deleted])), None).await.unwrap();
    assert_eq!(inbox.expunge(Some(&uid_set(&[1, 2]))).await.unwrap(), uid_set(&[1, 2]));
    assert_eq!(all_uids(inbox.as_ref()).await, vec![3, 4]);
    let trash = a.folder_by_path("Deleted Items").await.unwrap();
    assert_eq!(subjects(trash.as_ref()).await.len(), 2);
    // In Deleted Items itself, expunge deletes.
    trash.store(&uid_set(&[1]), &FlagOp::Add(Flags::from([Flag::Deleted])), None).await.unwrap();
    assert_eq!(trash.expunge(None).await.unwrap(), uid_set(&[1]));
    assert_eq!(all_uids(trash.as_ref()).await, vec![2]);
    // Hard delete per configuration.
    let mut c = config(&env.sim);
    c.expunge = ExpungeMode::HardDelete;
    let p = mailbox::ExchangeProvider::new(c, env.state.clone());
    let b = p.login_exchange(ALICE, PASSWORD).await.unwrap();
    let inbox_b = open_inbox(b.as_ref()).await;
    assert_eq!(inbox_b.expunge(None).await.unwrap(), uid_set(&[3]));
    assert_eq!(subjects(trash.as_ref()).await.len(), 1);
    assert_eq!(env.mailbox(ALICE).contents(inbox_id, false).unwrap().len(), 1);
}

#[tokio::test]
async fn search_runs_as_a_restriction_with_a_local_residual() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    let mut msgs: Vec<_> = (0..6).map(|i| message(i, 86_400 * i as i64 + 3600)).collect();
    msgs[4].props.set(mapi_wire::PropTag::SUBJECT, s("Quarterly report"));
    seed(&env, ALICE, inbox_id, &msgs);
    let a = env.alice().await;
    let inbox = a.exchange_folder("INBOX").await.unwrap();
    inbox.select().await.unwrap();
    inbox.store(&uid_set(&[2, 5]), &FlagOp::Add(Flags::from([Flag::Flagged])), None).await.unwrap();
    inbox.store(&uid_set(&[5, 6]), &FlagOp::Add(Flags::from([Flag::Seen])), None).await.unwrap();
    inbox.store(&uid_set(&[6]), &FlagOp::Add(Flags::from([Flag::Deleted])), None).await.unwrap();

    let key = SearchKey::And(vec![SearchKey::Flagged, SearchKey::Unseen]);
    assert_eq!(inbox.search(&key).await.unwrap(), uid_set(&[2]));
    let sent = inbox.last_restriction().await.unwrap();
    assert!(matches!(&sent, Restriction::And(v) if v.len() == 2), "{sent:?}");

    let key = SearchKey::Subject("QUARTERLY".into());
    assert_eq!(inbox.search(&key).await.unwrap(), uid_set(&[5]));
    assert!(matches!(inbox.last_restriction().await, Some(Restriction::Content { .. })));

    let key = SearchKey::And(vec![SearchKey::Since(SearchDate::new(2026, 1, 3).unwrap()), SearchKey::Undeleted]);
    assert_eq!(inbox.search(&key).await.unwrap(), uid_set(&[3, 4, 5]));
    let plan = inbox.search_plan(&key);
    assert_eq!(plan.residual, Some(SearchKey::Undeleted));
    assert_eq!(inbox.last_restriction().await, plan.restriction);

    let key = SearchKey::Or(Box::new(SearchKey::From("zoe@partner".into())), Box::new(SearchKey::Uid(uid_set(&[1]))));
    assert_eq!(inbox.search(&key).await.unwrap(), uid_set(&[1, 2, 3, 4, 5, 6]));
    assert_eq!(inbox.last_restriction().await, None, "mixed keys are evaluated locally");
    // TO becomes a SubObject restriction on the recipients. exchange-sim
    // evaluates contents-table restrictions on the message properties only
    // (rops/table.rs load_rows drops the recipients), so it matches nothing
    // there; only the restriction is checked.
    let _ = inbox.search(&SearchKey::To("alice@".into())).await.unwrap();
    assert!(matches!(inbox.last_restriction().await, Some(Restriction::SubObject { .. })));
    assert_eq!(inbox.search(&SearchKey::Body("body of message 3".into())).await.unwrap(), uid_set(&[4]));
    assert_eq!(inbox.search(&SearchKey::Larger(1)).await.unwrap().len(), 6);
    let _ = eval::matches;

    // The server's answer equals a local evaluation of the whole key.
    let fields = FetchFields { flags: true, internal_date: true, envelope: true, size: true, ..Default::default() };
    let all = inbox.fetch(&UidSet::all(), fields).await.unwrap();
    for key in [
        SearchKey::And(vec![SearchKey::Flagged, SearchKey::Unseen]),
        SearchKey::Not(Box::new(SearchKey::Seen)),
        SearchKey::Or(Box::new(SearchKey::Flagged), Box::new(SearchKey::Subject("message 1".into()))),
        SearchKey::And(vec![SearchKey::Before(SearchDate::new(2026, 1, 4).unwrap()), SearchKey::Deleted]),
        SearchKey::SentSince(SearchDate::new(2026, 1, 5).unwrap()),
        SearchKey::From("Zoë".into()),
        SearchKey::Larger(300),
    ] {
        let local: UidSet = all
            .iter()
            .enumerate()
            .filter(|(i, m)| {
                let view = mailbox::SearchView {
                    uid: m.uid,
                    seq: *i as u32 + 1,
                    modseq: m.modseq,
                    flags: m.flags.as_ref().unwrap(),
                    recent: false,
                    internal_date: m.internal_date.unwrap(),
                    size: m.size.unwrap(),
                    envelope: m.envelope.as_ref().unwrap(),
                    headers: None,
                    body: None,
                };
                mailbox::search::evaluate(&key, &view)
            })
            .map(|(_, m)| m.uid)
            .collect();
        assert_eq!(inbox.search(&key).await.unwrap(), local, "{key:?}");
    }
}

#[tokio::test]
async fn recent_is_claimed_once() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    seed(&env, ALICE, inbox_id, &[message(1, 100)]);
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    inbox.select().await.unwrap();
    assert_eq!(inbox.claim_recent().await.unwrap(), uid_set(&[1]));
    assert!(inbox.claim_recent().await.unwrap().is_empty());
    seed(&env, ALICE, inbox_id, &[message(2, 200)]);
    inbox.select().await.unwrap();
    assert_eq!(inbox.claim_recent().await.unwrap(), uid_set(&[2]));
    let _ = UidSet::new();
}
