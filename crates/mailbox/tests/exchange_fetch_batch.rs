//! The cold FETCH of a client's first sync (Thunderbird: `RFC822.SIZE
//! BODY.PEEK[HEADER.FIELDS (…)]` over the whole folder) reads many messages
//! per MAPI request instead of opening each one, and renders exactly what a
//! message read alone renders: transport headers kept (a field longer than
//! a table's 510-byte truncation limit whole), headers synthesized for items
//! created in Exchange, RFC 2047 for non-ASCII subjects, bodies and
//! recipient lists too large for one answer completed.
#![allow(missing_docs, clippy::unwrap_used)]

mod exchange_common;

use exchange_common::*;
use exchange_sim::store::{Attachment, MessageContent, PropBag, SpecialFolder};
use mailbox::{FetchFields, MessageData, UidSet};
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;

/// The fields Thunderbird's header sync asks for, as the IMAP layer maps them.
const HEADER_SYNC: FetchFields =
    FetchFields { flags: true, internal_date: false, size: true, envelope: false, mime: true, changed_since: None };

/// A header field longer than any table truncation (255 / 510 bytes).
fn long_trace(i: usize) -> String {
    (0..40).map(|n| format!("hop{n}.relay{i}.example")).collect::<Vec<_>>().join(" ")
}

fn recipient(kind: i32, name: &str, address: &str) -> PropBag {
    PropBag::from_pairs([
        (PropTag::RECIPIENT_TYPE, PropValue::I32(kind)),
        (PropTag::DISPLAY_NAME, s(name)),
        (PropTag::SMTP_ADDRESS, s(address)),
        (PropTag::EMAIL_ADDRESS, s(address)),
        (PropTag::ADDRESS_TYPE, s("SMTP")),
    ])
}

/// Message `i` of a mixed folder: internet mail with transport headers,
/// non-ASCII subjects, items created in Exchange (no transport headers)
/// with Cc and thread fields, and long recipient lists.
fn mixed(i: usize) -> MessageContent {
    let mut c = message(i, 1000 + i as i64 * 60);
    match i % 4 {
        0 => {
            let headers = format!(
                "Received: from mx{i}.partner.example by mail.example.test; Thu, 1 Jan 2026 00:00:00 +0000\r\n\
                 From: =?UTF-8?Q?Zo=C3=AB_Sender?= <zoe@partner.example>\r\n\
                 To: Alice Tester <alice@example.test>\r\n\
                 Subject: message {i}\r\n\
                 Message-ID: <m{i}@partner.example>\r\n\
                 X-Mailer: Batch Tester 1.0\r\n\
                 X-Trace: {}\r\n",
                long_trace(i)
            );
            c.props.set(PropTag::TRANSPORT_MESSAGE_HEADERS, s(&headers));
        }
        1 => c.props.set(PropTag::SUBJECT, s(&format!("Prüfung für Überweisung №{i} – bitte ansehen"))),
        2 => {
            c.recipients.push(recipient(2, "Team", TEAM));
            c.props.set(PropTag::IN_REPLY_TO_ID, s(&format!("<m{}@partner.example>", i - 1)));
            c.props.set(PropTag::INTERNET_REFERENCES, s(&format!("<m{}@partner.example>", i - 1)));
        }
        _ => {
            for n in 0..12 {
                c.recipients.push(recipient(2, &format!("Reader {n}"), &format!("reader{n}@example.test")));
            }
        }
    }
    c
}

/// A message whose body does not fit one property answer.
fn big_body(i: usize) -> MessageContent {
    let mut c = message(i, 1000 + i as i64 * 60);
    c.props.set(PropTag::BODY, s(&format!("line {i} of a long report with some words in it\r\n").repeat(600)));
    c
}

/// A message with a file attachment.
fn with_attachment(i: usize) -> MessageContent {
    let mut c = message(i, 1000 + i as i64 * 60);
    c.props.set(PropTag::HAS_ATTACHMENTS, PropValue::Bool(true));
    c.attachments.push(Attachment {
        props: PropBag::from_pairs([
            (PropTag::ATTACH_METHOD, PropValue::I32(1)),
            (PropTag::ATTACH_LONG_FILENAME, s("report.txt")),
            (PropTag::ATTACH_MIME_TAG, s("text/plain")),
            (PropTag::ATTACH_DATA_BINARY, PropValue::Binary(format!("attachment of {i}\r\n").into_bytes())),
        ]),
        embedded: None,
    });
    c
}

fn header_of(mime: &[u8]) -> String {
    let text = String::from_utf8_lossy(mime);
    text.split("\r\n\r\n").next().unwrap().to_owned()
}

fn by_uid(items: &[MessageData]) -> std::collections::BTreeMap<u32, (Vec<u8>, u64)> {
    items.iter().map(|m| (m.uid.get(), (m.mime.as_deref().unwrap().to_vec(), m.size.unwrap()))).collect()
}

#[tokio::test]
async fn cold_header_fetch_of_200_messages_takes_few_round_trips() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    let contents: Vec<_> = (0..200).map(|i| if i == 77 || i == 177 { big_body(i) } else { mixed(i) }).collect();
    seed(&env, ALICE, inbox_id, &contents);
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    inbox.select().await.unwrap();

    let before = a.wire_counters().round_trips;
    let items = inbox.fetch(&UidSet::all(), HEADER_SYNC).await.unwrap();
    let trips = a.wire_counters().round_trips - before;
    eprintln!("cold header FETCH of 200 messages: {trips} round trips (one message at a time: 400)");
    assert_eq!(items.len(), 200);
    for m in &items {
        assert_eq!(m.size, Some(m.mime.as_ref().unwrap().len() as u64), "RFC822.SIZE is the size of BODY[]");
    }
    // Several messages per Execute (as many as their answers fit in the 32 KB
    // response buffer), plus the two long bodies streamed.
    assert!(trips <= 80, "200 messages header-fetched in {trips} round trips");

    // Warm: from the cache, no MAPI request at all.
    let before = a.wire_counters().round_trips;
    let again = inbox.fetch(&UidSet::all(), HEADER_SYNC).await.unwrap();
    assert_eq!(a.wire_counters().round_trips - before, 0);
    assert_eq!(by_uid(&again), by_uid(&items));
}

#[tokio::test]
async fn batched_reads_equal_reads_of_one_message() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    let mut contents: Vec<_> = (0..40).map(mixed).collect();
    contents.push(big_body(40));
    contents.push(with_attachment(41));
    // More recipients than one RopReadRecipients answer holds in a batch
    // (the simulator's RopOpenMessage cannot answer for more than 255).
    let mut crowd = message(42, 5000);
    for n in 0..50 {
        crowd.recipients.push(recipient(1, &format!("Member {n}"), &format!("member{n}@lists.example")));
    }
    contents.push(crowd);
    let mut mids = seed(&env, ALICE, inbox_id, &contents);
    let gone = mids[5];
    env.mailbox(ALICE).delete_messages(inbox_id, &[gone], true).unwrap();

    let direct = direct(&env.sim, ALICE).await;
    mids.push(mids[0]);
    let reads = direct.read_messages(inbox_id, &mids).await.unwrap();
    assert_eq!(reads.len(), mids.len());
    for (mid, read) in mids.iter().zip(&reads) {
        if *mid == gone {
            assert_eq!(read.as_ref().err(), Some(&mapi_wire::ErrorCode::NOT_FOUND));
            continue;
        }
        let read = read.as_ref().unwrap();
        let values = direct.message_properties(inbox_id, *mid, None).await.unwrap();
        let recipients = direct.recipients(inbox_id, *mid).await.unwrap();
        assert_eq!(read.values, values, "{mid:?}");
        assert_eq!(read.recipients, recipients, "{mid:?}");
    }
    let crowd = reads[42].as_ref().unwrap();
    assert_eq!(crowd.recipients.len(), 51);
    let body = reads[40].as_ref().unwrap().values.iter().find(|v| v.tag.id() == PropTag::BODY.id()).unwrap();
    assert!(matches!(&body.value, PropValue::String(b) if b.len() > 20_000), "the long body is read whole");
}

#[tokio::test]
async fn headers_fetched_in_a_batch_agree_with_each_message_rendered_alone() {
    let mut env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    let mut contents: Vec<_> = (0..24).map(mixed).collect();
    contents.push(big_body(24));
    contents.push(with_attachment(25));
    let mids = seed(&env, ALICE, inbox_id, &contents);

    let batched = {
        let a = env.alice().await;
        let inbox = open_inbox(a.as_ref()).await;
        inbox.select().await.unwrap();
        by_uid(&inbox.fetch(&UidSet::all(), HEADER_SYNC).await.unwrap())
    };
    assert_eq!(batched.len(), 26);

    // What the client was told about each message, one message at a time.
    let header = |i: usize| header_of(&batched[&(i as u32 + 1)].0);
    // Internet mail: the transport headers, the long field whole.
    let h = header(0);
    assert!(h.contains("\r\nX-Mailer: Batch Tester 1.0\r\n"), "{h}");
    assert!(h.contains(&format!("\r\nX-Trace: {}\r\n", long_trace(0))), "{h}");
    assert!(h.starts_with("Received: from mx0.partner.example"), "{h}");
    // Non-ASCII subject: RFC 2047 encoded words, no raw 8-bit.
    let h = header(1);
    let subject: String = h.lines().skip_while(|l| !l.starts_with("Subject:")).take(3).collect();
    assert!(subject.starts_with("Subject: =?utf-8?") || subject.starts_with("Subject: =?UTF-8?"), "{h}");
    assert!(h.is_ascii(), "{h}");
    // Created in Exchange: synthesized From, To, Cc, Date, Message-ID, thread.
    let h = header(2);
    for field in ["From: ", "To: ", "Cc: ", "Date: ", "Message-ID: <m2@partner.example>", "In-Reply-To: <m1@"] {
        assert!(h.contains(field), "{field} missing in {h}");
    }
    assert!(h.contains("team@example.test"), "{h}");
    for (uid, (mime, size)) in &batched {
        assert_eq!(*size, mime.len() as u64, "UID {uid}");
    }

    // A gateway restart (empty MIME cache): each message fetched on its own
    // renders byte for byte what the batch gave, so a later BODY[] agrees
    // with the header and RFC822.SIZE the client already has.
    env.restart().await;
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    inbox.select().await.unwrap();
    for (uid, (mime, size)) in &batched {
        let fields = FetchFields { mime: true, size: true, ..Default::default() };
        let one = inbox.fetch(&uid_set(&[*uid]), fields).await.unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].mime.as_deref().unwrap(), &mime[..], "UID {uid}");
        assert_eq!(one[0].size, Some(*size));
    }

    // A message deleted between the sync and the FETCH is left out; the
    // others still come.
    env.restart().await;
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    inbox.select().await.unwrap();
    env.mailbox(ALICE).delete_messages(inbox_id, &[mids[3]], true).unwrap();
    let items = inbox.fetch(&UidSet::all(), HEADER_SYNC).await.unwrap();
    assert_eq!(items.len(), 25);
    assert!(items.iter().all(|m| m.uid.get() != 4));
    assert_eq!(by_uid(&items).get(&1), batched.get(&1));
}

/// Message `i` shaped like the IMAP benchmark's mailing-list folder: a
/// paragraph of text, To and Cc, a thread reference.
fn list_mail(i: usize) -> MessageContent {
    let mut c = message(i, 1000 + i as i64 * 60);
    c.props.set(PropTag::SUBJECT, s(&format!("Status report number {i} for the weekly meeting")));
    c.props.set(PropTag::BODY, s(&"Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(30)));
    c.props.set(PropTag::IN_REPLY_TO_ID, s(&format!("<m{}@partner.example>", i + 1000)));
    c.props.set(PropTag::INTERNET_REFERENCES, s(&format!("<m{}@partner.example>", i + 1000)));
    c.recipients.push(recipient(2, "Team", TEAM));
    c
}

#[tokio::test]
async fn round_trips_per_1000_list_messages() {
    let env = Env::new().await;
    let inbox_id = env.folder_id(ALICE, SpecialFolder::Inbox);
    seed(&env, ALICE, inbox_id, &(0..1000).map(list_mail).collect::<Vec<_>>());
    let a = env.alice().await;
    let inbox = open_inbox(a.as_ref()).await;
    inbox.select().await.unwrap();
    let before = a.wire_counters();
    // The IMAP layer asks 500 messages at a time.
    for range in [(1, 500), (501, 1000)] {
        let uids = uid_set(&(range.0..=range.1).collect::<Vec<u32>>());
        assert_eq!(inbox.fetch(&uids, HEADER_SYNC).await.unwrap().len(), 500);
    }
    let after = a.wire_counters();
    let trips = after.round_trips - before.round_trips;
    eprintln!(
        "header FETCH of 1,000 list messages: {trips} round trips, {} bytes received (one message at a time: 2,000)",
        after.bytes_received - before.bytes_received
    );
    // About 5.8 KB of answers a message, 5 messages per 32 KB response buffer.
    assert!(trips <= 250, "{trips} round trips for 1,000 messages");
}
