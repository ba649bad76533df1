//! Several IMAP connections of one user on one folder over exchange-sim:
//! they share the folder's UID list after SELECT, yet each sees every
//! change — new mail as EXISTS (in IDLE and on NOOP), another session's
//! expunge as EXPUNGE only where RFC 9051 §7.5 allows it — and a view that
//! diverged stays right.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use exchange_sim::store::{MessageContent, PropBag, SaveMode, SpecialFolder};
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;

fn mail(i: usize) -> MessageContent {
    let s = |v: &str| PropValue::String(v.into());
    MessageContent {
        props: PropBag::from_pairs([
            (PropTag::MESSAGE_CLASS, s("IPM.Note")),
            (PropTag::SUBJECT, s(&format!("shared view {i}"))),
            (PropTag::BODY, s(&format!("body {i}\r\n"))),
            (PropTag::SENDER_NAME, s("Bob Tester")),
            (PropTag::SENDER_SMTP_ADDRESS, s(BOB)),
            (PropTag::SENT_REPRESENTING_NAME, s("Bob Tester")),
            (PropTag::SENT_REPRESENTING_SMTP_ADDRESS, s(BOB)),
            (PropTag::INTERNET_MESSAGE_ID, s(&format!("<shared{i}@example.test>"))),
            (PropTag::MESSAGE_FLAGS, PropValue::I32(0)),
        ]),
        recipients: Vec::new(),
        attachments: Vec::new(),
    }
}

fn deliver(stack: &Stack, i: usize) {
    let mb = stack.sim.store().mailbox(ALICE).unwrap();
    let inbox = mb.special_folder(SpecialFolder::Inbox);
    mb.save_message(inbox, None, false, &mail(i), SaveMode::Normal).unwrap();
}

fn exists_of(r: &str) -> usize {
    r.lines().find_map(|l| l.strip_prefix("* ")?.strip_suffix(" EXISTS")?.parse().ok()).expect("EXISTS")
}

/// `seq -> uid` of the whole mailbox as this session numbers it.
async fn numbering(c: &mut Imap) -> Vec<(usize, u32)> {
    let r = c.cmd("FETCH 1:* (UID)").await;
    assert!(r.lines().last().unwrap().contains(" OK "), "{r}");
    assert!(!r.contains(" EXPUNGE"), "no EXPUNGE during FETCH: {r}");
    r.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("* ")?;
            let (seq, rest) = rest.split_once(" FETCH (UID ")?;
            Some((seq.parse().ok()?, rest.trim_end_matches(')').parse().ok()?))
        })
        .collect()
}

async fn select(stack: &Stack) -> (Imap, usize) {
    let mut c = stack.imap_login(ALICE).await;
    let r = c.cmd("SELECT INBOX").await;
    assert!(r.contains(" OK [READ-WRITE]"), "{r}");
    let n = exists_of(&r);
    (c, n)
}

/// NOOPs until a response has `want`, within 10 s; returns that response.
async fn noop_until(c: &mut Imap, want: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = c.cmd("NOOP").await;
        if r.contains(want) {
            return r;
        }
        assert!(Instant::now() < deadline, "no `{want}` after NOOPs: {r}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_on_one_folder_agree_and_all_see_new_mail() {
    let stack = start().await;
    let (mut a, n) = select(&stack).await;
    let (mut b, m) = select(&stack).await;
    assert_eq!(n, m);
    let numbers = numbering(&mut a).await;
    assert_eq!(numbers.len(), n);
    assert_eq!(numbering(&mut b).await, numbers, "same sequence numbers, same UIDs");

    // A idles, B does not: both learn of a delivery.
    let tag = a.next_tag();
    a.send(format!("{tag} IDLE\r\n").as_bytes()).await;
    assert!(a.line().await.starts_with("+ "));
    deliver(&stack, 1);
    let want = format!("* {} EXISTS\r\n", n + 1);
    loop {
        let l = a.line_within(Duration::from_secs(10)).await.expect("EXISTS in IDLE within 10 s");
        if l == want {
            break;
        }
        assert!(l.starts_with("* "), "{l}");
    }
    a.send(b"DONE\r\n").await;
    assert!(a.until(&tag).await.contains(&format!("{tag} OK")));
    noop_until(&mut b, &want).await;
    let after = numbering(&mut a).await;
    assert_eq!(after.len(), n + 1);
    assert!(after[n].1 > numbers[n - 1].1, "the new message has the highest UID");
    assert_eq!(numbering(&mut b).await, after);

    // A third connection selected now sees the same.
    let (mut c, k) = select(&stack).await;
    assert_eq!(k, n + 1);
    assert_eq!(numbering(&mut c).await, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expunge_reaches_the_other_session_only_where_allowed_and_its_view_stays_right() {
    let stack = start().await;
    let (mut a, n) = select(&stack).await;
    let (mut b, _) = select(&stack).await;
    // A watcher in IDLE tells when the expunge has been announced.
    let (mut w, _) = select(&stack).await;
    let before = numbering(&mut a).await;
    assert!(n >= 3, "seeded inbox of {n}");
    let (_, victim) = before[1];

    let r = a.cmd(&format!("UID STORE {victim} +FLAGS.SILENT (\\Deleted)")).await;
    assert!(r.contains(" OK "), "{r}");
    let wtag = w.next_tag();
    w.send(format!("{wtag} IDLE\r\n").as_bytes()).await;
    assert!(w.line().await.starts_with("+ "));
    let r = a.cmd("EXPUNGE").await;
    assert!(r.contains("* 2 EXPUNGE\r\n"), "the expunging session is told at once: {r}");
    loop {
        let l = w.line_within(Duration::from_secs(10)).await.expect("EXPUNGE in IDLE within 10 s");
        if l == "* 2 EXPUNGE\r\n" {
            break;
        }
    }
    w.send(b"DONE\r\n").await;
    w.until(&wtag).await;

    // B has the expunge pending: not during FETCH (the numbering still has
    // the message), then on NOOP.
    // (The expunged message itself has no data left to send.)
    let still = numbering(&mut b).await;
    assert!(still.iter().all(|p| before.contains(p)), "FETCH keeps the sequence numbers: {still:?} {before:?}");
    assert_eq!(still.len(), n - 1);
    let r = noop_until(&mut b, "* 2 EXPUNGE\r\n").await;
    assert!(!r.contains(" EXISTS"), "{r}");
    let mut expected: Vec<u32> = before.iter().map(|(_, u)| *u).filter(|u| *u != victim).collect();
    let uids = |v: Vec<(usize, u32)>| {
        for (i, (seq, _)) in v.iter().enumerate() {
            assert_eq!(*seq, i + 1, "sequence numbers without gaps");
        }
        v.into_iter().map(|(_, u)| u).collect::<Vec<_>>()
    };
    assert_eq!(uids(numbering(&mut b).await), expected);

    // B's view is its own now; new mail still lands in the right place, and
    // the numbering matches a fresh session's.
    deliver(&stack, 2);
    let r = noop_until(&mut b, &format!("* {} EXISTS\r\n", n)).await;
    assert!(!r.contains("EXPUNGE"), "{r}");
    let now = uids(numbering(&mut b).await);
    assert_eq!(now.len(), n);
    assert_eq!(now[..n - 1], expected[..]);
    expected.push(now[n - 1]);
    let (mut fresh, k) = select(&stack).await;
    assert_eq!(k, n);
    assert_eq!(uids(numbering(&mut fresh).await), expected);
    noop_until(&mut a, &format!("* {} EXISTS\r\n", n)).await;
    assert_eq!(uids(numbering(&mut a).await), expected);
}
