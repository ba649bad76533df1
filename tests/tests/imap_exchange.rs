//! Real IMAP clients against `imap::ImapServer` over `ExchangeProvider` and
//! an in-process exchange-sim (issue 7, "must show"): mbsync to a Maildir
//! and back, curl, a Python imaplib session, and IDLE woken by a delivery in
//! the simulator. Effects are checked in a second IMAP session.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use exchange_sim::store::{MessageContent, PropBag, SaveMode, SpecialFolder};
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;

fn maildir_files(dir: &Path) -> Vec<String> {
    let mut v = Vec::new();
    for sub in ["cur", "new"] {
        if let Ok(rd) = std::fs::read_dir(dir.join(sub)) {
            for e in rd.flatten() {
                v.push(format!("{sub}/{}", e.file_name().to_string_lossy()));
            }
        }
    }
    v.sort();
    v
}

/// `(uid, flags, subject)` of every message of alice's INBOX, in a fresh
/// session (what another client sees).
async fn inbox_summary(stack: &Stack) -> Vec<(u32, String, String)> {
    let mut c = stack.imap_login(ALICE).await;
    let r = c.cmd("EXAMINE INBOX").await;
    assert!(r.contains(" OK "), "{r}");
    let r = c.cmd("UID FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])").await;
    let mut out = Vec::new();
    for item in r.split("\r\n* ").filter(|s| s.contains("FETCH (")) {
        let uid = item.split("UID ").nth(1).and_then(|s| s.split([' ', ')']).next()).unwrap().parse().unwrap();
        let flags = item.split("FLAGS (").nth(1).and_then(|s| s.split(')').next()).unwrap().to_owned();
        let subject = item.lines().find_map(|l| l.strip_prefix("Subject: ")).map(str::to_owned).unwrap_or_default();
        out.push((uid, flags, subject));
    }
    c.cmd("LOGOUT").await;
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbsync_syncs_alices_inbox_both_ways_then_a_noop() {
    if !tool("mbsync") {
        return;
    }
    let stack = start().await;
    let before = inbox_summary(&stack).await;
    assert!(before.len() >= 3, "seeded inbox: {before:?}");
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("mail");
    std::fs::create_dir_all(&mail).unwrap();
    let config = dir.path().join("mbsyncrc");
    std::fs::write(
        &config,
        format!(
            "IMAPAccount test\nHost 127.0.0.1\nPort {port}\nUser {ALICE}\nPass {PASSWORD}\nSSLType None\nAuthMechs LOGIN\n\n\
IMAPStore remote\nAccount test\n\n\
MaildirStore local\nPath {m}/\nInbox {m}/INBOX\nSubFolders Verbatim\n\n\
Channel sync\nFar :remote:\nNear :local:\nPatterns INBOX\nCreate Both\nExpunge Both\nSyncState *\nSync All\n",
            port = stack.imap.port(),
            m = mail.display()
        ),
    )
    .unwrap();
    let args = vec!["-c".to_owned(), config.display().to_string(), "-a".to_owned()];
    let out = run("mbsync", &args).await;
    assert!(out.status.success(), "first sync: {}", transcript(&out));
    let inbox = mail.join("INBOX");
    let files = maildir_files(&inbox);
    assert_eq!(files.len(), before.len(), "{files:?}");
    for f in &files {
        let body = std::fs::read_to_string(inbox.join(f)).unwrap();
        assert!(body.contains("Subject: "), "{body}");
    }

    // Locally: flag the first, delete the second, add a new one.
    let base = |f: &str| f.rsplit('/').next().unwrap().split(":2,").next().unwrap().to_owned();
    let first = std::fs::read_to_string(inbox.join(&files[0])).unwrap();
    let first_subject = first.lines().find_map(|l| l.strip_prefix("Subject: ")).unwrap().to_owned();
    let second = std::fs::read_to_string(inbox.join(&files[1])).unwrap();
    let second_subject = second.lines().find_map(|l| l.strip_prefix("Subject: ")).unwrap().to_owned();
    std::fs::rename(inbox.join(&files[0]), inbox.join("cur").join(format!("{}:2,FS", base(&files[0])))).unwrap();
    std::fs::remove_file(inbox.join(&files[1])).unwrap();
    std::fs::write(
        inbox.join("new").join("1700000000.local.host"),
        "From: Carol <carol@example.test>\r\nTo: alice@example.test\r\nSubject: from maildir\r\n\
Message-ID: <from-maildir@example.test>\r\nDate: Fri, 27 Nov 2026 05:00:00 +0000\r\n\r\nnew local\r\n",
    )
    .unwrap();

    let out = run("mbsync", &args).await;
    assert!(out.status.success(), "second sync: {}", transcript(&out));
    let after = inbox_summary(&stack).await;
    assert_eq!(after.len(), before.len(), "one deleted, one added: {after:?}");
    assert!(after.iter().any(|(_, _, s)| s == "from maildir"), "{after:?}");
    let flagged = after.iter().find(|(_, _, s)| *s == first_subject).expect("flagged message kept");
    assert!(flagged.1.contains("\\Flagged") && flagged.1.contains("\\Seen"), "{flagged:?}");
    // Subjects of the seed can repeat; count instead of checking absence.
    let count = |v: &[(u32, String, String)], s: &str| v.iter().filter(|(_, _, x)| x == s).count();
    assert_eq!(count(&after, &second_subject), count(&before, &second_subject) - 1, "{after:?}");

    // A third run changes nothing on either side.
    let files = maildir_files(&inbox);
    let out = run("mbsync", &args).await;
    assert!(out.status.success(), "third sync: {}", transcript(&out));
    assert_eq!(maildir_files(&inbox), files);
    assert_eq!(inbox_summary(&stack).await, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_fetches_a_message_and_lists_folders() {
    if !tool("curl") {
        return;
    }
    let stack = start().await;
    let summary = inbox_summary(&stack).await;
    let (uid, _, subject) = summary.first().expect("seeded inbox").clone();
    let base = format!("imap://127.0.0.1:{}", stack.imap.port());
    let user = format!("{ALICE}:{PASSWORD}");
    let out = run("curl", &["-sS".into(), "--user".into(), user.clone(), format!("{base}/INBOX;UID={uid}")]).await;
    assert!(out.status.success(), "{}", transcript(&out));
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(body.contains(&format!("Subject: {subject}")), "{body}");
    assert!(body.contains("\r\n\r\n"), "header and body: {body}");
    let out = run("curl", &["-sS".into(), "--user".into(), user, format!("{base}/")]).await;
    assert!(out.status.success(), "{}", transcript(&out));
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(list.contains(" INBOX\r\n"), "{list}");
    assert!(list.contains("\"Sent Items\""), "{list}");
}

const PY: &str = r#"
import imaplib, sys, time
port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
M = imaplib.IMAP4("127.0.0.1", port)
typ, _ = M.login(user, pw); assert typ == "OK"
typ, data = M.list(); assert typ == "OK" and any(b'"Sent Items"' in l for l in data), data
typ, data = M.select("INBOX"); assert typ == "OK", data
n = int(data[0]); assert n >= 2, data
typ, data = M.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)] FLAGS)"); assert typ == "OK" and b"Subject:" in data[0][1], data
typ, data = M.store("1", "+FLAGS", "\\Flagged"); assert typ == "OK" and b"\\Flagged" in data[0], data
msg = b"From: py@example.test\r\nTo: alice@example.test\r\nSubject: from python\r\nMessage-ID: <py1@example.test>\r\n\r\nhi from imaplib\r\n"
typ, data = M.append("INBOX", "(\\Seen)", imaplib.Time2Internaldate(time.time()), msg); assert typ == "OK" and b"APPENDUID" in data[0], data
M.noop()
typ, data = M.uid("SEARCH", None, "SUBJECT", '"from python"'); assert typ == "OK" and len(data[0].split()) == 1, data
typ, data = M.uid("FETCH", data[0], "(BODY.PEEK[TEXT])"); assert b"hi from imaplib" in data[0][1], data
typ, data = M.store("2", "+FLAGS", "\\Deleted"); assert typ == "OK", data
typ, data = M.expunge(); assert typ == "OK" and data == [b"2"], data
typ, data = M.fetch("1:*", "(UID FLAGS)"); assert len(data) == n, (n, data)
M.close(); M.logout()
print("imaplib session ok")
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_imaplib_session() {
    if !tool("python3") {
        return;
    }
    let stack = start().await;
    let before = inbox_summary(&stack).await;
    let args = vec!["-c".into(), PY.into(), stack.imap.port().to_string(), ALICE.into(), PASSWORD.into()];
    let out = run("python3", &args).await;
    assert!(out.status.success(), "{}", transcript(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "imaplib session ok\n");
    // What another client sees: the first flagged, the second gone, the
    // appended one there.
    let after = inbox_summary(&stack).await;
    assert_eq!(after.len(), before.len());
    assert_eq!(after[0].0, before[0].0);
    assert!(after[0].1.contains("\\Flagged"), "{after:?}");
    assert!(!after.iter().any(|(u, _, _)| *u == before[1].0), "{after:?}");
    assert!(after.iter().any(|(_, f, s)| s == "from python" && f.contains("\\Seen")), "{after:?}");
}

/// A message as the simulator's transport files it in a mailbox.
fn delivered(i: usize) -> MessageContent {
    let s = |v: &str| PropValue::String(v.into());
    let mut rcpt = PropBag::new();
    for (t, v) in [
        (PropTag::RECIPIENT_TYPE, PropValue::I32(1)),
        (PropTag::DISPLAY_NAME, s("Alice Tester")),
        (PropTag::SMTP_ADDRESS, s(ALICE)),
        (PropTag::EMAIL_ADDRESS, s(ALICE)),
        (PropTag::ADDRESS_TYPE, s("SMTP")),
    ] {
        rcpt.set(t, v);
    }
    MessageContent {
        props: PropBag::from_pairs([
            (PropTag::MESSAGE_CLASS, s("IPM.Note")),
            (PropTag::SUBJECT, s(&format!("idle {i}"))),
            (PropTag::BODY, s(&format!("delivered while idling {i}\r\n"))),
            (PropTag::SENDER_NAME, s("Bob Tester")),
            (PropTag::SENDER_SMTP_ADDRESS, s(BOB)),
            (PropTag::SENDER_EMAIL_ADDRESS, s(BOB)),
            (PropTag::SENDER_ADDRESS_TYPE, s("SMTP")),
            (PropTag::SENT_REPRESENTING_NAME, s("Bob Tester")),
            (PropTag::SENT_REPRESENTING_SMTP_ADDRESS, s(BOB)),
            (PropTag::SENT_REPRESENTING_EMAIL_ADDRESS, s(BOB)),
            (PropTag::SENT_REPRESENTING_ADDRESS_TYPE, s("SMTP")),
            (PropTag::INTERNET_MESSAGE_ID, s(&format!("<idle{i}@example.test>"))),
            (PropTag::MESSAGE_FLAGS, PropValue::I32(0)),
        ]),
        recipients: vec![rcpt],
        attachments: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sees_simulator_deliveries_within_a_second() {
    const DELIVERIES: usize = 25;
    let stack = start().await;
    let mailbox = stack.sim.store().mailbox(ALICE).unwrap();
    let inbox = mailbox.special_folder(SpecialFolder::Inbox);
    let mut c = stack.imap_login(ALICE).await;
    let r = c.cmd("SELECT INBOX").await;
    let mut exists: usize =
        r.lines().find_map(|l| l.strip_prefix("* ")?.strip_suffix(" EXISTS")?.parse().ok()).expect("EXISTS in SELECT");
    let tag = c.next_tag();
    c.send(format!("{tag} IDLE\r\n").as_bytes()).await;
    let cont = c.line().await;
    assert!(cont.starts_with("+ "), "{cont}");
    // Let the feed's first long poll settle before timing.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut latencies = Vec::new();
    for i in 0..DELIVERIES {
        let sent = Instant::now();
        mailbox.save_message(inbox, None, false, &delivered(i), SaveMode::Normal).unwrap();
        exists += 1;
        let want = format!("* {exists} EXISTS\r\n");
        loop {
            let l = c.line_within(Duration::from_secs(1).saturating_sub(sent.elapsed())).await;
            let l = l.unwrap_or_else(|| panic!("no `{}` within 1 s of delivery {i}", want.trim_end()));
            if l == want {
                break;
            }
            // Other untagged data (RECENT, FETCH) may come along.
            assert!(l.starts_with("* "), "{l}");
        }
        latencies.push(sent.elapsed());
    }
    c.send(b"DONE\r\n").await;
    let done = c.until(&tag).await;
    assert!(done.contains(&format!("{tag} OK")), "{done}");
    latencies.sort();
    let median = latencies[DELIVERIES / 2];
    println!(
        "IDLE latency over {DELIVERIES} simulator deliveries: median {median:?}, min {:?}, max {:?}",
        latencies[0],
        latencies[DELIVERIES - 1]
    );
    assert!(median < Duration::from_secs(1));
}

/// ENVELOPE's Reply-To over Exchange comes from
/// PidTagReplyRecipientEntries (a FlatEntryList of one-off entry ids); a
/// message without one repeats From (RFC 3501 §7.4.2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn envelope_reply_to_comes_from_the_reply_recipients() {
    use mapi_wire::Encode as _;
    use mapi_wire::entry_id::OneOffEntryId;
    let stack = start().await;
    let mailbox = stack.sim.store().mailbox(ALICE).unwrap();
    let inbox = mailbox.special_folder(SpecialFolder::Inbox);
    let mut entry = Vec::new();
    OneOffEntryId::smtp("Team List", "list@example.org").encode(&mut entry).unwrap();
    let mut flat = Vec::new();
    flat.extend_from_slice(&1u32.to_le_bytes());
    flat.extend_from_slice(&u32::try_from(4 + entry.len()).unwrap().to_le_bytes());
    flat.extend_from_slice(&u32::try_from(entry.len()).unwrap().to_le_bytes());
    flat.extend_from_slice(&entry);
    let mut with = delivered(100);
    with.props.set(PropTag::SUBJECT, PropValue::String("reply-to set".into()));
    with.props.set(PropTag::REPLY_RECIPIENT_ENTRIES, PropValue::Binary(flat));
    with.props.set(PropTag::REPLY_RECIPIENT_NAMES, PropValue::String("Team List".into()));
    mailbox.save_message(inbox, None, false, &with, SaveMode::Normal).unwrap();
    let mut without = delivered(101);
    without.props.set(PropTag::SUBJECT, PropValue::String("reply-to unset".into()));
    mailbox.save_message(inbox, None, false, &without, SaveMode::Normal).unwrap();

    let mut c = stack.imap_login(ALICE).await;
    assert!(c.cmd("EXAMINE INBOX").await.contains(" OK "));
    let envelope = |r: &str, subject: &str| -> String {
        r.split("\r\n").find(|l| l.contains(subject)).unwrap_or_else(|| panic!("{subject} in {r}")).to_owned()
    };
    let r = c.cmd("FETCH 1:* ENVELOPE").await;
    let bob = "((\"Bob Tester\" NIL \"bob\" \"example.test\"))";
    let set = envelope(&r, "reply-to set");
    assert!(set.contains(&format!("{bob} {bob} ((\"Team List\" NIL \"list\" \"example.org\")) ")), "{set}");
    let unset = envelope(&r, "reply-to unset");
    assert!(unset.contains(&format!("{bob} {bob} {bob} ")), "{unset}");
}
