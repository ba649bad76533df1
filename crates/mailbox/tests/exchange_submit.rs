//! Submission through Exchange (exchange-sim delivers locally): one copy in
//! Sent Items, recipients from the envelope only, send-as only with the
//! right to the other mailbox.
#![allow(missing_docs, clippy::unwrap_used)]

mod exchange_common;

use exchange_common::*;
use exchange_sim::store::{Rights, SpecialFolder};
use mailbox::{Account, FetchFields, MailboxError, Submission, UidSet};
use mapi_wire::PropTag;

fn mime(from: &str) -> Vec<u8> {
    format!(
        "From: Alice Tester <{from}>\r\nTo: Bob Tester <bob@example.test>\r\nBcc: header-only@example.test\r\n\
Subject: lunch\r\nMessage-ID: <lunch1@example.test>\r\n\r\nAt noon?\r\n"
    )
    .into_bytes()
}

fn subjects_in(env: &Env, user: &str, f: SpecialFolder) -> Vec<String> {
    let mb = env.mailbox(user);
    mb.contents(mb.special_folder(f), false)
        .unwrap()
        .iter()
        .map(|m| m.content.props.string(PropTag::SUBJECT).unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn submit_delivers_and_files_one_copy_in_sent_items() {
    let env = Env::new().await;
    let a = env.alice().await;
    let out = a
        .submit(Submission {
            mime: mime(ALICE),
            mail_from: ALICE.into(),
            recipients: vec![BOB.into(), TEAM.into()],
            save_copy: false,
        })
        .await
        .unwrap();
    assert_eq!(out.message_id.as_deref(), Some("<lunch1@example.test>"));
    assert_eq!(subjects_in(&env, BOB, SpecialFolder::Inbox), vec!["lunch"]);
    assert_eq!(subjects_in(&env, TEAM, SpecialFolder::Inbox), vec!["lunch"], "Bcc from the envelope");
    assert_eq!(subjects_in(&env, ALICE, SpecialFolder::SentItems), vec!["lunch"], "exactly one Sent copy");
    assert!(subjects_in(&env, ALICE, SpecialFolder::Outbox).is_empty());
    // The recipients are the envelope's: the Bcc header is not used.
    let sent = env.mailbox(ALICE);
    let row = sent.contents(sent.special_folder(SpecialFolder::SentItems), false).unwrap().pop().unwrap();
    let rcpts: Vec<(i32, String)> = row
        .content
        .recipients
        .iter()
        .map(|r| (r.i32(PropTag::RECIPIENT_TYPE).unwrap(), r.string(PropTag::SMTP_ADDRESS).unwrap()))
        .collect();
    assert_eq!(rcpts, vec![(1, BOB.to_owned()), (3, TEAM.to_owned())]);
    // The model serves the Sent copy with its Bcc.
    let sent_f = a.folder_by_path("Sent Items").await.unwrap();
    sent_f.select().await.unwrap();
    let m = sent_f
        .fetch(&UidSet::all(), FetchFields { envelope: true, mime: true, ..Default::default() })
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(m.envelope.unwrap().bcc.iter().map(|b| b.email.as_str()).collect::<Vec<_>>(), vec![TEAM]);
    let text = String::from_utf8_lossy(m.mime.as_ref().unwrap()).to_string();
    assert!(text.contains("Bcc:") && text.contains(TEAM), "{text}");
    assert!(!text.contains("header-only"), "{text}");

    // save_copy: the client insists on a second copy.
    a.submit(Submission { mime: mime(ALICE), mail_from: ALICE.into(), recipients: vec![BOB.into()], save_copy: true })
        .await
        .unwrap();
    assert_eq!(subjects_in(&env, ALICE, SpecialFolder::SentItems).len(), 3);
    assert!(matches!(
        a.submit(Submission { mime: mime(ALICE), recipients: vec![], ..Default::default() }).await,
        Err(MailboxError::Invalid(_))
    ));
}

#[tokio::test]
async fn send_as_needs_the_right_to_the_other_mailbox() {
    let env = Env::new().await;
    let a = env.alice().await;
    let sub = Submission { mime: mime(TEAM), mail_from: TEAM.into(), recipients: vec![BOB.into()], save_copy: false };
    let e = a.submit(sub.clone()).await.err().unwrap();
    assert!(matches!(e, MailboxError::NotPermitted(_)), "{e:?}");
    assert!(subjects_in(&env, BOB, SpecialFolder::Inbox).is_empty(), "nothing was sent");
    assert!(subjects_in(&env, ALICE, SpecialFolder::Outbox).is_empty(), "nothing left in the Outbox");
    // Full access to the mailbox is not the Send As right.
    env.mailbox(TEAM).grant(None, ALICE, Rights::ALL.union(Rights::FOLDER_OWNER)).unwrap();
    assert!(matches!(a.submit(sub.clone()).await, Err(MailboxError::NotPermitted(_))));
    env.mailbox(TEAM).grant_send_as(ALICE, true).unwrap();
    a.submit(sub).await.unwrap();
    let bob = env.mailbox(BOB);
    let got = bob.contents(bob.special_folder(SpecialFolder::Inbox), false).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].content.props.string(PropTag::SENT_REPRESENTING_SMTP_ADDRESS).as_deref(), Some(TEAM));
}

#[tokio::test]
async fn a_lost_answer_is_resolved_without_sending_twice() {
    let env = Env::new().await;
    let a = env.alice().await;
    // The Execute that creates and submits runs, but its answer is lost.
    env.sim.set_faults(exchange_sim::server::faults::FaultConfig { drop_responses: 1, ..Default::default() });
    let sub = Submission { mime: mime(ALICE), mail_from: ALICE.into(), recipients: vec![BOB.into()], save_copy: false };
    let out = a.submit(sub).await;
    env.sim.set_faults(exchange_sim::server::faults::FaultConfig::default());
    // Found filed in Sent Items by its search key: reported as sent.
    assert!(out.is_ok(), "{out:?}");
    assert_eq!(subjects_in(&env, BOB, SpecialFolder::Inbox), vec!["lunch"], "delivered exactly once");
    assert_eq!(subjects_in(&env, ALICE, SpecialFolder::SentItems), vec!["lunch"]);
}

#[tokio::test]
async fn a_busy_server_is_unavailable_and_nothing_is_sent() {
    let env = Env::new().await;
    let a = env.alice().await;
    env.sim.set_faults(exchange_sim::server::faults::FaultConfig { busy_fraction: 1.0, ..Default::default() });
    let sub = Submission { mime: mime(ALICE), mail_from: ALICE.into(), recipients: vec![BOB.into()], save_copy: false };
    let e = a.submit(sub).await.err().unwrap();
    assert!(e.is_retryable(), "{e:?}");
    env.sim.set_faults(exchange_sim::server::faults::FaultConfig::default());
    assert!(subjects_in(&env, BOB, SpecialFolder::Inbox).is_empty());
}
