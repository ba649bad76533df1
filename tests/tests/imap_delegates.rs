//! Other users' mailboxes and public folders through IMAP over
//! ExchangeProvider and exchange-sim: alice (full access to
//! team@example.test, mapped by Autodiscover) lists, selects, fetches,
//! appends and flags in `Other Users/team@example.test/…` and reads
//! `Public Folders/…`; bob, with no right beyond Exchange's default free/busy
//! one on calendars, is refused every way into
//! alice's and team's mailboxes (SELECT, EXAMINE, STATUS, FETCH, APPEND,
//! COPY, MOVE), also through other spellings of the name, and nothing of
//! theirs changes. Calendars are not IMAP mailboxes, shared or not (as for
//! the own mailbox).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use exchange_sim::store::{DEFAULT_GRANTEE, MessageContent, PropBag, PublicFolder, Rights, SaveMode, SpecialFolder};
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;

const TEAM_INBOX: &str = "\"Other Users/team@example.test/Inbox\"";
const ALICE_INBOX: &str = "\"Other Users/alice@example.test/Inbox\"";

/// Subjects in `user`'s special folder, straight from the simulator's store.
fn subjects_in(stack: &Stack, user: &str, f: SpecialFolder) -> Vec<String> {
    let mb = stack.sim.store().mailbox(user).unwrap();
    mb.contents(mb.special_folder(f), false)
        .unwrap()
        .iter()
        .filter_map(|m| match m.content.props.get(PropTag::SUBJECT) {
            Some(PropValue::String(s)) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

fn add_public_folder(stack: &Stack) {
    let public = stack.sim.store().public_folders().unwrap();
    let ipm = public.public_folder(PublicFolder::IpmSubtree);
    let (ann, _) = public.create_folder(ipm, "Announcements", &PropBag::new(), false).unwrap();
    let content = MessageContent {
        props: PropBag::from_pairs([
            (PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note".into())),
            (PropTag::SUBJECT, PropValue::String("Canteen closed Friday".into())),
            (PropTag::BODY, PropValue::String("Bring lunch.\r\n".into())),
            (PropTag::MESSAGE_FLAGS, PropValue::I32(0)),
        ]),
        ..MessageContent::default()
    };
    public.save_message(ann, None, false, &content, SaveMode::Normal).unwrap();
}

async fn append(c: &mut Imap, mailbox: &str, message: &str) -> String {
    let tag = c.next_tag();
    c.send(format!("{tag} APPEND {mailbox} {{{}+}}\r\n{message}\r\n", message.len()).as_bytes()).await;
    c.until(&tag).await
}

const NOTE: &str = "From: alice@example.test\r\nTo: team@example.test\r\nSubject: filed over IMAP\r\n\
Message-ID: <imap-filed@example.test>\r\nDate: Fri, 27 Nov 2026 08:00:00 +0000\r\n\r\nfor the team\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alice_uses_the_shared_mailbox_and_public_folders() {
    let stack = start().await;
    add_public_folder(&stack);
    let mut c = stack.imap_login(ALICE).await;
    let list = c.cmd("LIST \"\" \"*\"").await;
    assert!(list.contains("\"/\" \"Other Users/team@example.test/Inbox\""), "{list}");
    assert!(list.contains("\"/\" \"Public Folders/Announcements\""), "{list}");
    assert!(list.contains("(\\Noselect \\HasChildren) \"/\" \"Other Users\""), "{list}");
    assert!(!list.contains("Other Users/team@example.test/Calendar"), "calendars are not IMAP mailboxes: {list}");
    let ns = c.cmd("NAMESPACE").await;
    assert!(ns.contains("Other Users"), "{ns}");

    let r = c.cmd(&format!("SELECT {TEAM_INBOX}")).await;
    assert!(r.contains("* 3 EXISTS") && r.contains(" OK ["), "{r}");
    let r = c.cmd("FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])").await;
    assert!(r.contains("Kundenanfrage #4711") && r.contains("Invoice 2026-001"), "{r}");
    let r = append(&mut c, TEAM_INBOX, NOTE).await;
    assert!(r.contains("OK [APPENDUID ") && r.contains(" 4]"), "{r}");
    assert!(subjects_in(&stack, TEAM, SpecialFolder::Inbox).iter().any(|s| s == "filed over IMAP"));
    assert!(!subjects_in(&stack, ALICE, SpecialFolder::Inbox).iter().any(|s| s == "filed over IMAP"));
    // The selected session is told with the APPEND or the next command.
    let noop = c.cmd("NOOP").await;
    assert!(r.contains("* 4 EXISTS") || noop.contains("* 4 EXISTS"), "{r}{noop}");
    let r = c.cmd("UID STORE 4 +FLAGS (\\Flagged)").await;
    assert!(r.contains("FLAGS (\\Flagged") && r.contains(" OK "), "{r}");
    let r = c.cmd(&format!("STATUS {TEAM_INBOX} (MESSAGES UIDNEXT)")).await;
    assert!(r.contains("MESSAGES 4") && r.contains("UIDNEXT 5"), "{r}");

    let r = c.cmd("EXAMINE \"Public Folders/Announcements\"").await;
    assert!(r.contains("* 1 EXISTS"), "{r}");
    let r = c.cmd("FETCH 1 (BODY[TEXT])").await;
    assert!(r.contains("Bring lunch."), "{r}");
    // The own INBOX is untouched by all of this and keeps its own UIDs.
    let r = c.cmd("STATUS INBOX (UIDNEXT)").await;
    assert!(r.contains(" OK "), "{r}");
}

/// Asserts a tagged NO (never OK, never BAD-and-served).
fn refused(r: &str, what: &str) {
    let last = r.lines().last().unwrap_or_default();
    assert!(last.contains(" NO "), "{what}: {r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bob_cannot_select_examine_or_status_other_mailboxes() {
    let stack = start().await;
    // The team mailbox's owner removed Default's free/busy right on its
    // Calendar: bob holds no right there at all and its logon is refused.
    // In alice's he has that right only (Exchange's default, [MS-OXCPERM]
    // 2.2.7): the logon succeeds, but none of her folders is visible to him.
    let team = stack.sim.store().mailbox(TEAM).unwrap();
    team.grant(Some(team.special_folder(SpecialFolder::Calendar)), DEFAULT_GRANTEE, Rights::NONE).unwrap();
    let mut c = stack.imap_login(BOB).await;
    let list = c.cmd("LIST \"\" \"*\"").await;
    assert!(!list.contains("Other Users"), "{list}");
    for cmd in ["SELECT", "EXAMINE"] {
        for name in [ALICE_INBOX, TEAM_INBOX] {
            let r = c.cmd(&format!("{cmd} {name}")).await;
            refused(&r, &format!("{cmd} {name}"));
            assert!(!r.contains("EXISTS"), "{r}");
            if name == TEAM_INBOX {
                assert!(r.contains("[NOPERM]"), "{r}");
            } else {
                assert!(r.contains("[NOPERM]") || r.contains("[NONEXISTENT]"), "{r}");
            }
        }
    }
    let r = c.cmd(&format!("STATUS {ALICE_INBOX} (MESSAGES UNSEEN)")).await;
    refused(&r, "STATUS");
    assert!(!r.contains("* STATUS"), "{r}");
    // Nothing is selected after the refusals: FETCH has no mailbox.
    let r = c.cmd("FETCH 1:* (BODY.PEEK[])").await;
    assert!(!r.contains("* 1 FETCH"), "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_spellings_of_alices_mailbox_are_refused_too() {
    let stack = start().await;
    let mut c = stack.imap_login(BOB).await;
    for name in [
        "\"Other Users/ALICE@EXAMPLE.TEST/Inbox\"",
        "\"Other Users/Alice@Example.Test/INBOX\"",
        "\"Other Users/alice%40example.test/Inbox\"",
        "\"Other Users/alice@example.test/../bob@example.test/Inbox\"",
        "\"Other Users/../INBOX/../alice@example.test/Inbox\"",
        "\"INBOX/../Other Users/alice@example.test/Inbox\"",
        "\"Other Users/alice@example.test\"",
        "\"Other Users\"",
        "\"Public Folders/../Other Users/alice@example.test/Inbox\"",
        "\"Other Users/alice@example.test/Inbox\\u0000\"",
    ] {
        let r = c.cmd(&format!("SELECT {name}")).await;
        let last = r.lines().last().unwrap_or_default();
        assert!(last.contains(" NO ") || last.contains(" BAD "), "SELECT {name}: {r}");
        assert!(!r.contains("EXISTS"), "SELECT {name}: {r}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bob_cannot_append_copy_or_move_into_other_mailboxes() {
    let stack = start().await;
    let alice_before = subjects_in(&stack, ALICE, SpecialFolder::Inbox);
    let team_before = subjects_in(&stack, TEAM, SpecialFolder::Inbox);
    let bob_before = subjects_in(&stack, BOB, SpecialFolder::Inbox);
    let mut c = stack.imap_login(BOB).await;
    for name in [ALICE_INBOX, TEAM_INBOX, "\"Other Users/ALICE@example.test/Inbox\""] {
        let r = append(&mut c, name, NOTE).await;
        refused(&r, &format!("APPEND {name}"));
    }
    let r = c.cmd("SELECT INBOX").await;
    assert!(r.contains(" OK ["), "{r}");
    for name in [ALICE_INBOX, TEAM_INBOX] {
        for cmd in ["COPY", "MOVE", "UID COPY", "UID MOVE"] {
            let r = c.cmd(&format!("{cmd} 1:* {name}")).await;
            refused(&r, &format!("{cmd} {name}"));
        }
    }
    assert_eq!(subjects_in(&stack, ALICE, SpecialFolder::Inbox), alice_before);
    assert_eq!(subjects_in(&stack, TEAM, SpecialFolder::Inbox), team_before);
    assert_eq!(subjects_in(&stack, BOB, SpecialFolder::Inbox), bob_before, "nothing moved away either");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_calendar_delegate_gets_no_mail_folder_of_the_owner() {
    let stack = start().await;
    let alice = stack.sim.store().mailbox(ALICE).unwrap();
    alice.grant(Some(alice.special_folder(SpecialFolder::Calendar)), BOB, Rights::REVIEWER).unwrap();
    alice.grant(Some(alice.special_folder(SpecialFolder::IpmSubtree)), BOB, Rights::FOLDER_VISIBLE).unwrap();
    let mut c = stack.imap_login(BOB).await;
    let r = c.cmd(&format!("SELECT {ALICE_INBOX}")).await;
    refused(&r, "SELECT alice's Inbox with calendar rights only");
    let r = c.cmd("SELECT \"Other Users/alice@example.test/Calendar\"").await;
    refused(&r, "a calendar is not an IMAP mailbox");
    let r = c.cmd("LIST \"\" \"Other Users/*\"").await;
    assert!(!r.contains("* LIST"), "{r}");
}
