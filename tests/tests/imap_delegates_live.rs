//! Delegated mailboxes and public folders while they are selected, over
//! ExchangeProvider and exchange-sim: an IMAP client of bob idling in
//! alice's delegated Inbox (or in a public folder) is told of deliveries,
//! of alice's flag changes and of her expunges as they happen; the folder's
//! rights decide READ-ONLY or READ-WRITE at SELECT, and a reviewer's
//! STORE, APPEND, EXPUNGE and CREATE are refused with a clear NO while an
//! editor's STORE reaches alice's mailbox. A delegated Inbox and Sent
//! Items never stand in for the user's own (IMAP INBOX, SMTP's sent copy).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use exchange_sim::store::{MessageContent, PropBag, PublicFolder, Rights, SaveMode, SpecialFolder};
use mapi_wire::PropTag;
use mapi_wire::ids::FolderId;
use mapi_wire::prop_value::PropValue;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const ALICE_INBOX: &str = "\"Other Users/alice@example.test/Inbox\"";
const DELIVERIES: usize = 7;

/// Lets bob see alice's IPM subtree and gives him `rights` on her Inbox.
fn share_alices_inbox(stack: &Stack, rights: Rights) {
    let alice = stack.sim.store().mailbox(ALICE).unwrap();
    alice.grant(Some(alice.special_folder(SpecialFolder::IpmSubtree)), BOB, Rights::FOLDER_VISIBLE).unwrap();
    alice.grant(Some(alice.special_folder(SpecialFolder::Inbox)), BOB, rights).unwrap();
}

fn delivery(subject: &str) -> MessageContent {
    let s = |v: &str| PropValue::String(v.into());
    MessageContent {
        props: PropBag::from_pairs([
            (PropTag::MESSAGE_CLASS, s("IPM.Note")),
            (PropTag::SUBJECT, s(subject)),
            (PropTag::BODY, s("delivered while a delegate idles\r\n")),
            (PropTag::SENDER_NAME, s("Carol Tester")),
            (PropTag::SENDER_SMTP_ADDRESS, s(CAROL)),
            (PropTag::SENDER_EMAIL_ADDRESS, s(CAROL)),
            (PropTag::SENDER_ADDRESS_TYPE, s("SMTP")),
            (PropTag::INTERNET_MESSAGE_ID, s(&format!("<{}@example.test>", subject.replace(' ', "-")))),
            (PropTag::MESSAGE_FLAGS, PropValue::I32(0)),
        ]),
        ..MessageContent::default()
    }
}

fn exists_of(select: &str) -> usize {
    select.lines().find_map(|l| l.strip_prefix("* ")?.strip_suffix(" EXISTS")?.parse().ok()).expect("EXISTS")
}

/// The sequence number of the message with this subject in the selected
/// mailbox (sequence order is UID order, which differs between users).
async fn seq_of(c: &mut Imap, subject: &str) -> u32 {
    let r = c.cmd(&format!("SEARCH SUBJECT \"{subject}\"")).await;
    r.lines().find_map(|l| l.strip_prefix("* SEARCH ")?.trim().parse().ok()).unwrap_or_else(|| panic!("{r}"))
}

/// Starts IDLE and waits for the continuation.
async fn idle(c: &mut Imap) -> String {
    let tag = c.next_tag();
    c.send(format!("{tag} IDLE\r\n").as_bytes()).await;
    let cont = c.line().await;
    assert!(cont.starts_with("+ "), "{cont}");
    // The feed's first long poll settles before anything is timed.
    tokio::time::sleep(Duration::from_millis(300)).await;
    tag
}

async fn done(c: &mut Imap, tag: &str) {
    c.send(b"DONE\r\n").await;
    let r = c.until(tag).await;
    assert!(r.contains(&format!("{tag} OK")), "{r}");
}

/// Reads untagged lines until one satisfies `want`, within `limit`.
async fn expect_within(c: &mut Imap, limit: Duration, what: &str, want: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    let mut seen = String::new();
    loop {
        let left = limit.saturating_sub(start.elapsed());
        let Some(l) = c.line_within(left).await else { panic!("no {what} within {limit:?}; got {seen:?}") };
        assert!(l.starts_with("* "), "{l}");
        if want(&l) {
            return l;
        }
        seen.push_str(&l);
    }
}

/// Times `DELIVERIES` deliveries to `folder` of `store_user`'s store (or the
/// public store) until the idling client reports each as `* N EXISTS`.
async fn time_deliveries(
    c: &mut Imap,
    mut exists: usize,
    deliver: impl Fn(usize),
    limit: Duration,
) -> (Vec<Duration>, usize) {
    let mut latencies = Vec::new();
    for i in 0..DELIVERIES {
        // The user's stores take turns in the session's one NotificationWait
        // (up to the simulator's 700 ms each): spread deliveries meet each.
        tokio::time::sleep(Duration::from_millis(250)).await;
        let sent = Instant::now();
        deliver(i);
        exists += 1;
        let want = format!("* {exists} EXISTS\r\n");
        expect_within(c, limit, want.trim_end(), |l| l == want).await;
        latencies.push(sent.elapsed());
    }
    latencies.sort();
    (latencies, exists)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_in_alices_delegated_inbox_sees_deliveries_flag_changes_and_expunges() {
    let stack = start().await;
    share_alices_inbox(&stack, Rights::REVIEWER);
    let alice_store = stack.sim.store().mailbox(ALICE).unwrap();
    let inbox = alice_store.special_folder(SpecialFolder::Inbox);

    let mut bob = stack.imap_login(BOB).await;
    // Bob also uses his own INBOX first: its change feed runs on the same
    // MAPI session as the delegated store's.
    let r = bob.cmd("SELECT INBOX").await;
    assert!(r.contains(" OK ["), "{r}");
    let r = bob.cmd(&format!("SELECT {ALICE_INBOX}")).await;
    assert!(r.contains(" OK ["), "{r}");
    let exists = exists_of(&r);
    let tag = idle(&mut bob).await;

    let (latencies, exists) = time_deliveries(
        &mut bob,
        exists,
        |i| {
            alice_store
                .save_message(inbox, None, false, &delivery(&format!("for alice {i}")), SaveMode::Normal)
                .unwrap();
        },
        Duration::from_secs(5),
    )
    .await;
    let median = latencies[DELIVERIES / 2];
    println!(
        "IDLE latency in a delegated Inbox over {DELIVERIES} deliveries: median {median:?}, min {:?}, max {:?}",
        latencies[0],
        latencies[DELIVERIES - 1]
    );
    assert!(median < Duration::from_secs(1), "median {median:?}");

    // Bob numbers the deliveries after what he saw at SELECT (UIDs in
    // arrival order); alice's own numbering is hers.
    let first = exists - DELIVERIES + 1;
    let mut alice = stack.imap_login(ALICE).await;
    assert!(alice.cmd("SELECT INBOX").await.contains(" OK ["));
    let n = seq_of(&mut alice, "for alice 0").await;
    let r = alice.cmd(&format!("STORE {n} +FLAGS (\\Flagged)")).await;
    assert!(r.contains(" OK "), "{r}");
    let want = format!("* {first} FETCH ");
    expect_within(&mut bob, Duration::from_secs(5), "the owner's flag change", |l| {
        l.starts_with(&want) && l.contains("\\Flagged")
    })
    .await;

    // Alice deletes the second delivery (moved to Deleted Items).
    let n = seq_of(&mut alice, "for alice 1").await;
    let r = alice.cmd(&format!("STORE {n} +FLAGS (\\Deleted)")).await;
    assert!(r.contains(" OK "), "{r}");
    let r = alice.cmd("EXPUNGE").await;
    assert!(r.contains(&format!("* {n} EXPUNGE")), "{r}");
    let want = format!("* {} EXPUNGE\r\n", first + 1);
    expect_within(&mut bob, Duration::from_secs(5), "the owner's expunge", |l| l == want).await;
    done(&mut bob, &tag).await;

    // What bob was told is what a fresh look shows.
    let r = bob.cmd(&format!("EXAMINE {ALICE_INBOX}")).await;
    assert_eq!(exists_of(&r), exists - 1, "{r}");
    let r = bob.cmd(&format!("FETCH {first} (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")).await;
    assert!(r.contains("\\Flagged") && r.contains("for alice 0"), "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_in_a_public_folder_sees_deliveries() {
    let stack = start().await;
    let public = stack.sim.store().public_folders().unwrap();
    let ipm = public.public_folder(PublicFolder::IpmSubtree);
    let (news, _) = public.create_folder(ipm, "News", &PropBag::new(), false).unwrap();
    let mut c = stack.imap_login(BOB).await;
    let r = c.cmd("SELECT \"Public Folders/News\"").await;
    assert!(r.contains("* 0 EXISTS") && r.contains(" OK ["), "{r}");
    let tag = idle(&mut c).await;
    let (latencies, _) = time_deliveries(
        &mut c,
        0,
        |i| {
            public.save_message(news, None, false, &delivery(&format!("news {i}")), SaveMode::Normal).unwrap();
        },
        Duration::from_secs(5),
    )
    .await;
    println!("IDLE latency in a public folder: median {:?}", latencies[DELIVERIES / 2]);
    assert!(latencies[DELIVERIES / 2] < Duration::from_secs(1));
    done(&mut c, &tag).await;
}

/// The last line of a reply is a tagged NO with readable text (no
/// UNAVAILABLE: nothing is wrong with the backend).
fn refused(r: &str, what: &str) {
    let last = r.lines().last().unwrap_or_default();
    assert!(last.contains(" NO "), "{what}: {r}");
    assert!(!last.contains("UNAVAILABLE") && !last.contains("SERVERBUG"), "{what}: {r}");
}

fn message_flags(stack: &Stack, user: &str, folder: FolderId, subject: &str) -> Option<i32> {
    prop_of(stack, user, folder, subject, PropTag::MESSAGE_FLAGS)
}

fn flag_status(stack: &Stack, user: &str, folder: FolderId, subject: &str) -> Option<i32> {
    prop_of(stack, user, folder, subject, PropTag::FLAG_STATUS)
}

fn prop_of(stack: &Stack, user: &str, folder: FolderId, subject: &str, tag: PropTag) -> Option<i32> {
    let mb = stack.sim.store().mailbox(user).unwrap();
    let row = mb
        .contents(folder, false)
        .unwrap()
        .into_iter()
        .find(|m| m.content.props.get(PropTag::SUBJECT) == Some(&PropValue::String(subject.into())))
        .unwrap();
    mb.message(row.id).unwrap().content.props.i32(tag)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_gets_a_read_only_delegated_inbox() {
    let stack = start().await;
    share_alices_inbox(&stack, Rights::REVIEWER);
    let alice = stack.sim.store().mailbox(ALICE).unwrap();
    let inbox = alice.special_folder(SpecialFolder::Inbox);
    alice.save_message(inbox, None, false, &delivery("unread for alice"), SaveMode::Normal).unwrap();
    let before = alice.contents(inbox, false).unwrap().len();

    let mut c = stack.imap_login(BOB).await;
    let r = c.cmd(&format!("SELECT {ALICE_INBOX}")).await;
    assert!(r.contains("OK [READ-ONLY]"), "{r}");
    assert!(r.contains("[PERMANENTFLAGS ()]"), "{r}");
    let n = seq_of(&mut c, "unread for alice").await;
    let r = c.cmd("STORE 1 +FLAGS (\\Flagged)").await;
    refused(&r, "STORE");
    assert!(!r.contains("FETCH"), "{r}");
    let r = c.cmd("EXPUNGE").await;
    refused(&r, "EXPUNGE");
    let note = "From: bob@example.test\r\nSubject: not allowed\r\n\r\nx\r\n";
    let tag = c.next_tag();
    c.send(format!("{tag} APPEND {ALICE_INBOX} {{{}+}}\r\n{note}\r\n", note.len()).as_bytes()).await;
    let r = c.until(&tag).await;
    refused(&r, "APPEND");
    let r = c.cmd("CREATE \"Other Users/alice@example.test/Inbox/Mine\"").await;
    refused(&r, "CREATE");
    assert!(r.contains("[NOPERM]"), "{r}");
    // Reading a body does not mark it read in alice's mailbox either.
    let r = c.cmd(&format!("FETCH {n} (BODY[TEXT])")).await;
    assert!(r.contains("delivered while a delegate idles") && r.contains(" OK "), "{r}");
    assert_eq!(message_flags(&stack, ALICE, inbox, "unread for alice").map(|f| f & 1), Some(0));
    assert_eq!(alice.contents(inbox, false).unwrap().len(), before, "nothing appended or removed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_flags_in_alices_inbox_and_alice_sees_it() {
    let stack = start().await;
    share_alices_inbox(&stack, Rights::EDITOR);
    let alice = stack.sim.store().mailbox(ALICE).unwrap();
    let inbox = alice.special_folder(SpecialFolder::Inbox);
    alice.save_message(inbox, None, false, &delivery("flag me"), SaveMode::Normal).unwrap();

    let mut c = stack.imap_login(BOB).await;
    let r = c.cmd(&format!("SELECT {ALICE_INBOX}")).await;
    assert!(r.contains("OK [READ-WRITE]"), "{r}");
    assert!(r.contains("\\Flagged"), "{r}");
    let n = seq_of(&mut c, "flag me").await;
    let r = c.cmd(&format!("STORE {n} +FLAGS (\\Flagged)")).await;
    assert!(r.contains("\\Flagged") && r.lines().last().unwrap().contains(" OK "), "{r}");
    // PidTagFlagStatus 2: followupFlagged ([MS-OXOFLAG] 2.2.1.1).
    assert_eq!(flag_status(&stack, ALICE, inbox, "flag me"), Some(2));
}

/// A raw SMTP submission from `user` (AUTH PLAIN over loopback).
async fn submit(stack: &Stack, user: &str, to: &str, subject: &str) {
    let s = TcpStream::connect(stack.smtp).await.unwrap();
    let mut io = BufReader::new(s);
    async fn reply(io: &mut BufReader<TcpStream>) -> String {
        let mut all = String::new();
        loop {
            let mut l = String::new();
            tokio::time::timeout(Duration::from_secs(60), io.read_line(&mut l)).await.unwrap().unwrap();
            all.push_str(&l);
            if l.len() < 4 || l.as_bytes()[3] != b'-' {
                return all;
            }
        }
    }
    async fn say(io: &mut BufReader<TcpStream>, line: &str, want: &str) {
        io.get_mut().write_all(line.as_bytes()).await.unwrap();
        let r = reply(io).await;
        assert!(r.starts_with(want), "{line:?}: {r}");
    }
    assert!(reply(&mut io).await.starts_with("220"));
    say(&mut io, "EHLO client.example.test\r\n", "250").await;
    use base64::Engine as _;
    let plain = base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{PASSWORD}"));
    say(&mut io, &format!("AUTH PLAIN {plain}\r\n"), "235").await;
    say(&mut io, &format!("MAIL FROM:<{user}>\r\n"), "250").await;
    say(&mut io, &format!("RCPT TO:<{to}>\r\n"), "250").await;
    say(&mut io, "DATA\r\n", "354").await;
    let body = format!(
        "From: <{user}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nMessage-ID: <{}@example.test>\r\n\
         Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n\r\nhello\r\n.\r\n",
        subject.replace(' ', "-")
    );
    say(&mut io, &body, "250").await;
    say(&mut io, "QUIT\r\n", "221").await;
}

fn subjects(stack: &Stack, user: &str, f: SpecialFolder) -> Vec<String> {
    let mb = stack.sim.store().mailbox(user).unwrap();
    mb.contents(mb.special_folder(f), false)
        .unwrap()
        .iter()
        .filter_map(|m| m.content.props.string(PropTag::SUBJECT))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegated_inbox_and_sent_items_never_stand_in_for_the_users_own() {
    let stack = start().await;
    let alice = stack.sim.store().mailbox(ALICE).unwrap();
    alice.grant(Some(alice.special_folder(SpecialFolder::IpmSubtree)), BOB, Rights::FOLDER_VISIBLE).unwrap();
    for f in [SpecialFolder::Inbox, SpecialFolder::SentItems] {
        alice.grant(Some(alice.special_folder(f)), BOB, Rights::EDITOR).unwrap();
    }
    alice
        .save_message(
            alice.special_folder(SpecialFolder::Inbox),
            None,
            false,
            &delivery("alice only"),
            SaveMode::Normal,
        )
        .unwrap();

    // Bob opens alice's folders first, so the account lists them from now on.
    let mut c = stack.imap_login(BOB).await;
    let r = c.cmd(&format!("EXAMINE {ALICE_INBOX}")).await;
    assert!(r.contains(" OK ["), "{r}");
    let r = c.cmd("EXAMINE \"Other Users/alice@example.test/Sent Items\"").await;
    assert!(r.contains(" OK ["), "{r}");

    let mut c = stack.imap_login(BOB).await;
    let list = c.cmd("LIST \"\" \"*\"").await;
    assert!(list.contains("\"Other Users/alice@example.test/Sent Items\""), "{list}");
    assert!(list.contains("\"Other Users/alice@example.test/Inbox\""), "{list}");
    let bob_inbox = subjects(&stack, BOB, SpecialFolder::Inbox).len();
    let r = c.cmd("SELECT INBOX").await;
    assert_eq!(exists_of(&r), bob_inbox, "{r}");
    let r = c.cmd("FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])").await;
    assert!(!r.contains("alice only"), "INBOX is bob's own: {r}");
    let r = c.cmd("STATUS \"Sent Items\" (MESSAGES)").await;
    let bob_sent = subjects(&stack, BOB, SpecialFolder::SentItems).len();
    assert!(r.contains(&format!("MESSAGES {bob_sent})")), "{r}");

    let alice_sent = subjects(&stack, ALICE, SpecialFolder::SentItems);
    submit(&stack, BOB, CAROL, "sent by bob himself").await;
    assert!(subjects(&stack, BOB, SpecialFolder::SentItems).iter().any(|s| s == "sent by bob himself"));
    assert_eq!(subjects(&stack, ALICE, SpecialFolder::SentItems), alice_sent, "alice's Sent Items untouched");
}
