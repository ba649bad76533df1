//! Real SMTP clients (swaks, Python smtplib) against `smtp::SmtpServer`
//! over `ExchangeProvider` and an in-process exchange-sim (issue 8, "must
//! show"). What the recipients got is read back over IMAP.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use exchange_sim::server::faults::FaultConfig;
use exchange_sim::store::SpecialFolder;
use mail_parser::{MessageParser, MimeHeaders};
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;
use test_support::smtplib::Smtplib;
use test_support::swaks::binary;

/// The full messages in `user`'s `folder` whose subject contains `subject`.
async fn messages_with_subject(stack: &Stack, user: &str, folder: &str, subject: &str) -> Vec<Vec<u8>> {
    let mut c = stack.imap_login(user).await;
    let r = c.cmd(&format!("EXAMINE \"{folder}\"")).await;
    assert!(r.contains(" OK "), "{r}");
    let r = c.cmd(&format!("UID SEARCH SUBJECT \"{subject}\"")).await;
    let uids: Vec<String> = r
        .lines()
        .find_map(|l| l.strip_prefix("* SEARCH"))
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let mut out = Vec::new();
    for uid in uids {
        let r = c.cmd(&format!("UID FETCH {uid} (BODY.PEEK[])")).await;
        let open = r.find("BODY[] {").expect("a literal") + "BODY[] {".len();
        let close = open + r[open..].find('}').unwrap();
        let len: usize = r[open..close].parse().unwrap();
        let start = close + 3;
        out.push(r.as_bytes()[start..start + len].to_vec());
    }
    c.cmd("LOGOUT").await;
    out
}

/// Waits (at most 15 s) until `user`'s `folder` holds a message with
/// `subject`, lets a duplicate have time to arrive, and returns them all.
async fn delivered(stack: &Stack, user: &str, folder: &str, subject: &str) -> Vec<Vec<u8>> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if !messages_with_subject(stack, user, folder, subject).await.is_empty() {
            tokio::time::sleep(Duration::from_millis(500)).await;
            return messages_with_subject(stack, user, folder, subject).await;
        }
        assert!(Instant::now() < deadline, "no {subject:?} in {user}'s {folder} within 15 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// swaks as `user` (AUTH without TLS, allowed on loopback).
async fn swaks(stack: &Stack, user: &str, args: &[&str]) -> std::process::Output {
    test_support::swaks::swaks(stack.smtp.port(), user, PASSWORD, false, args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaks_message_lands_in_bobs_inbox_intact_and_once_in_sent_items() {
    if !tool("swaks") {
        return;
    }
    let stack = start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.bin");
    let payload = binary(200_000);
    std::fs::write(&path, &payload).unwrap();
    let attach = format!("@{}", path.display());
    let o = swaks(
        &stack,
        ALICE,
        &[
            "--pipeline",
            "--from",
            ALICE,
            "--to",
            BOB,
            "--header",
            "Subject: Quarterly report e2e",
            "--header",
            "X-Custom: kept as is",
            "--body",
            "Please find the report attached.",
            "--attach-type",
            "application/octet-stream",
            "--attach",
            &attach,
        ],
    )
    .await;
    let t = transcript(&o);
    assert!(o.status.success() && t.contains("<-  250 2.0.0 Message"), "{t}");

    let got = delivered(&stack, BOB, "INBOX", "Quarterly report e2e").await;
    assert_eq!(got.len(), 1, "bob got it exactly once");
    let m = MessageParser::default().parse(&got[0]).unwrap();
    assert_eq!(m.subject(), Some("Quarterly report e2e"));
    assert_eq!(m.from().unwrap().first().unwrap().address(), Some(ALICE));
    assert_eq!(m.to().unwrap().first().unwrap().address(), Some(BOB));
    assert_eq!(m.header_raw("X-Custom").map(str::trim), Some("kept as is"));
    assert!(m.body_text(0).unwrap().contains("Please find the report attached."));
    assert_eq!(m.attachment_count(), 1);
    let a = m.attachment(0).unwrap();
    assert_eq!(a.attachment_name(), Some("report.bin"));
    assert_eq!(a.contents(), payload.as_slice(), "attachment bytes intact");

    let sent = delivered(&stack, ALICE, "Sent Items", "Quarterly report e2e").await;
    assert_eq!(sent.len(), 1, "Sent Items holds exactly one copy");
}

/// smtplib logged in as `user` without TLS (AUTH is allowed on loopback).
fn python(stack: &Stack, user: &str, script: &str) -> Smtplib {
    Smtplib::start(stack.smtp.port(), user, PASSWORD, &format!("login()\n{script}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtplib_bcc_recipient_receives_it_but_nobody_sees_the_bcc() {
    if !tool("python3") {
        return;
    }
    let stack = start().await;
    let script = r#"
m = EmailMessage()
m["From"] = "Alice <alice@example.test>"
m["To"] = "Bob <bob@example.test>"
m["Bcc"] = "Carol <carol@example.test>"
m["Subject"] = "Résumé with bcc"
m.set_content("Hello Bob,\nsee the attachment.\n")
m.add_attachment(bytes(range(256)) * 1000, maintype="application", subtype="pdf", filename="cv.pdf")
# sendmail (not send_message, which drops Bcc itself): the server must.
send(m.as_bytes(), ["bob@example.test", "carol@example.test"])
s.quit()
"#;
    let mut py = python(&stack, ALICE, script);
    assert_eq!(py.line().await, "ok");
    py.finish().await;
    let expected: Vec<u8> = (0..1000).flat_map(|_| 0..=255u8).collect();
    for user in [BOB, CAROL] {
        let got = delivered(&stack, user, "INBOX", "with bcc").await;
        assert_eq!(got.len(), 1, "{user} got it once");
        let text = String::from_utf8_lossy(&got[0]);
        let headers = &text[..text.find("\r\n\r\n").unwrap()];
        assert!(!headers.to_lowercase().contains("carol"), "Bcc leaked to {user}: {headers}");
        assert!(!headers.to_lowercase().contains("bcc:"), "Bcc header delivered to {user}: {headers}");
        let m = MessageParser::default().parse(&got[0]).unwrap();
        assert_eq!(m.subject(), Some("Résumé with bcc"));
        assert!(m.body_text(0).unwrap().contains("see the attachment."));
        assert_eq!(m.attachment(0).unwrap().attachment_name(), Some("cv.pdf"));
        assert_eq!(m.attachment(0).unwrap().contents(), expected.as_slice());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtplib_backend_busy_during_data_gets_451_and_the_retry_is_delivered_once() {
    if !tool("python3") {
        return;
    }
    let stack = start().await;
    let script = r#"
m = EmailMessage()
m["From"] = "alice@example.test"
m["To"] = "bob@example.test"
m["Subject"] = "busy retry e2e"
m["Message-ID"] = "<smtplib-busy-retry@example.test>"
m.set_content("sent once\n")
print("ready", flush=True)
for _ in range(3):
    sys.stdin.readline()
    send(m.as_bytes(), ["bob@example.test"])
s.quit()
"#;
    let mut py = python(&stack, ALICE, script);
    assert_eq!(py.line().await, "ready");
    // Logged in; now Exchange answers every Execute busy.
    stack.sim.faults().set(FaultConfig { busy_fraction: 1.0, ..FaultConfig::default() });
    py.go().await;
    let r = py.line().await;
    assert!(r.starts_with("SMTPDataError 451 4."), "{r}");
    stack.sim.faults().set(FaultConfig::default());
    assert!(messages_with_subject(&stack, BOB, "INBOX", "busy retry e2e").await.is_empty(), "not sent on 451");
    py.go().await;
    assert_eq!(py.line().await, "ok");
    // The client retries once more (as if it never saw the 250).
    py.go().await;
    assert_eq!(py.line().await, "ok");
    py.finish().await;
    assert_eq!(delivered(&stack, BOB, "INBOX", "busy retry e2e").await.len(), 1, "delivered exactly once");
    assert_eq!(delivered(&stack, ALICE, "Sent Items", "busy retry e2e").await.len(), 1);
}

/// The IMAP UIDs of `user`'s INBOX messages whose subject contains `subject`
/// (a search only: no message body is rendered).
async fn search_inbox(stack: &Stack, user: &str, subject: &str) -> Vec<u32> {
    let mut c = stack.imap_login(user).await;
    let r = c.cmd("EXAMINE INBOX").await;
    assert!(r.contains(" OK "), "{r}");
    let r = c.cmd(&format!("UID SEARCH SUBJECT \"{subject}\"")).await;
    c.cmd("LOGOUT").await;
    r.lines()
        .find_map(|l| l.strip_prefix("* SEARCH"))
        .unwrap_or_default()
        .split_whitespace()
        .map(|u| u.parse().unwrap())
        .collect()
}

/// The 25 MB attachment's content is checked in bob's mailbox inside the
/// simulator, not read back over IMAP: a debug-build IMAP FETCH of this
/// message takes over 60 s (see the report), beyond the crate's time budget.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtplib_25_mb_attachment_is_delivered() {
    const SIZE: usize = 25 * 1024 * 1024;
    if !tool("python3") {
        return;
    }
    let stack = start().await;
    let script = r#"
data = bytes((i * 7 + (i >> 8)) & 0xFF for i in range(25 * 1024 * 1024))
m = EmailMessage()
m["From"] = "alice@example.test"
m["To"] = "bob@example.test"
m["Subject"] = "big attachment e2e"
m.set_content("25 MB attached\n")
m.add_attachment(data, maintype="application", subtype="octet-stream", filename="big.bin")
send(m.as_bytes(), ["bob@example.test"])
s.quit()
"#;
    let mut py = python(&stack, ALICE, script);
    assert_eq!(py.line().await, "ok");
    py.finish().await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while search_inbox(&stack, BOB, "big attachment e2e").await.is_empty() {
        assert!(Instant::now() < deadline, "not in bob's INBOX (IMAP SEARCH) within 15 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(search_inbox(&stack, BOB, "big attachment e2e").await.len(), 1);

    let bob = stack.sim.store().mailbox(BOB).unwrap();
    let inbox = bob.contents(bob.special_folder(SpecialFolder::Inbox), false).unwrap();
    let subject = PropValue::String("big attachment e2e".into());
    let rows: Vec<_> = inbox.iter().filter(|r| r.content.props.get(PropTag::SUBJECT) == Some(&subject)).collect();
    assert_eq!(rows.len(), 1);
    let stored = bob.message(rows[0].id).unwrap();
    assert_eq!(stored.content.attachments.len(), 1);
    let a = &stored.content.attachments[0].props;
    assert_eq!(a.get(PropTag::ATTACH_LONG_FILENAME), Some(&PropValue::String("big.bin".into())));
    let expected: Vec<u8> = (0..SIZE).map(|i| ((i * 7 + (i >> 8)) & 0xFF) as u8).collect();
    match a.get(PropTag::ATTACH_DATA_BINARY) {
        Some(PropValue::Binary(b)) => assert!(*b == expected, "25 MB attachment intact ({} bytes)", b.len()),
        other => panic!("attachment data: {:?}", other.map(|_| "not binary")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_message_is_refused_before_its_body_is_read() {
    if !tool("python3") {
        return;
    }
    let mut options = StackOptions::default();
    options.smtp.max_message_size = 1_000_000;
    let stack = start_with(options).await;
    let script = r#"
print(s.esmtp_features.get("size"), flush=True)
m = EmailMessage()
m["From"] = "alice@example.test"
m["To"] = "bob@example.test"
m["Subject"] = "too big e2e"
m.set_content("x" * 10)
m.add_attachment(b"\0" * 1_500_000, maintype="application", subtype="octet-stream", filename="big")
send(m.as_bytes(), ["bob@example.test"])
s.quit()
"#;
    let mut py = python(&stack, ALICE, script);
    assert_eq!(py.line().await, "1000000");
    let r = py.line().await;
    // smtplib declares SIZE=: the refusal comes at MAIL FROM, before DATA.
    assert!(r.starts_with("SMTPSenderRefused 552 5.3.4"), "{r}");
    py.finish().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(messages_with_subject(&stack, BOB, "INBOX", "too big e2e").await.is_empty());
}

const SEND_AS_TEAM: &str = r#"
m = EmailMessage()
m["From"] = "Team <team@example.test>"
m["To"] = "carol@example.test"
m["Subject"] = "from the team, sent by " + user
m.set_content("hi\n")
send(m.as_bytes(), ["carol@example.test"], sender="team@example.test")
s.quit()
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_as_team_mailbox_works_for_alice_and_is_refused_for_bob() {
    if !tool("python3") {
        return;
    }
    let stack = start().await;
    let mut py = python(&stack, BOB, SEND_AS_TEAM);
    let r = py.line().await;
    assert!(r.starts_with("SMTPDataError 550 5.7."), "{r}");
    py.finish().await;

    let mut py = python(&stack, ALICE, SEND_AS_TEAM);
    assert_eq!(py.line().await, "ok");
    py.finish().await;
    let got = delivered(&stack, CAROL, "INBOX", "from the team, sent by").await;
    assert_eq!(got.len(), 1, "only alice's got through");
    let m = MessageParser::default().parse(&got[0]).unwrap();
    assert_eq!(m.subject(), Some("from the team, sent by alice@example.test"));
    assert_eq!(m.from().unwrap().first().unwrap().address(), Some(TEAM));
}
