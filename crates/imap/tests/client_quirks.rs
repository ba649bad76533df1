//! Raw transcripts of what K-9 Mail / Thunderbird for Android, iOS Mail and
//! Thunderbird send beyond the plain commands of `transcripts.rs` (issue 7:
//! "quirks included"), over the in-memory model.

mod common;

use common::{T0, deliver, message, start};
use mailbox::Timestamp;

#[tokio::test]
async fn k9_uid_ranges_past_the_end_and_noop_polling_after_idle() {
    let env = start().await;
    deliver(&env.account, 3).await;
    let mut c = env.login().await;
    // An empty folder: K-9 syncs every folder with `UID FETCH <uidnext>:*`.
    c.cmd("CREATE Empty").await;
    assert!(c.cmd("SELECT Empty").await.contains("* OK [UIDNEXT 1] "));
    assert_eq!(c.cmd("UID FETCH 1:* (FLAGS)").await, "A004 OK FETCH completed\r\n");
    assert_eq!(c.cmd("UID SEARCH UID 5:*").await, "* SEARCH\r\nA005 OK SEARCH completed\r\n");

    let r = c.cmd("SELECT INBOX").await;
    assert!(r.contains("* OK [UIDNEXT 4] "), "{r}");
    // `5:*` is `3:5` when 3 is the highest UID (RFC 9051 §9, seq-range):
    // the last message, which K-9 then drops by its UID.
    assert_eq!(
        c.cmd("UID FETCH 5:* (FLAGS)").await,
        "* 3 FETCH (UID 3 FLAGS (\\Recent))\r\nA007 OK FETCH completed\r\n"
    );
    assert_eq!(c.cmd("UID SEARCH UID 5:*").await, "* SEARCH 3\r\nA008 OK SEARCH completed\r\n");
    assert_eq!(c.cmd("UID SEARCH UID 5:* NOT DELETED").await, "* SEARCH 3\r\nA009 OK SEARCH completed\r\n");
    // K-9's window: the newest messages by sequence number.
    assert_eq!(c.cmd("UID SEARCH 2:3 NOT DELETED").await, "* SEARCH 2 3\r\nA010 OK SEARCH completed\r\n");

    // IDLE that sees nothing, then the polling fallback: NOOP.
    let tag = c.next_tag();
    c.send(format!("{tag} IDLE\r\n").as_bytes()).await;
    assert!(c.line().await.starts_with("+ "));
    c.send(b"DONE\r\n").await;
    assert_eq!(c.until(&tag).await, format!("{tag} OK IDLE terminated\r\n"));
    env.account.deliver("INBOX", vec![(message("late", T0 + 50), Timestamp(T0 + 50))]).await.unwrap();
    // RECENT counts this session's \Recent messages, the three old ones too.
    assert_eq!(c.cmd("NOOP").await, "* 4 EXISTS\r\n* 4 RECENT\r\nA012 OK NOOP completed\r\n");
    // Then it fetches from the UIDNEXT it knew, with lower-case field names.
    let r = c
        .cmd("UID FETCH 4:* (UID INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (date subject from content-type to cc bcc reply-to message-id references in-reply-to X-K9mail-Identity Chat-Version)])")
        .await;
    assert!(r.starts_with("* 4 FETCH (UID 4 INTERNALDATE \"27-Nov-2026 00:00:50 +0000\" RFC822.SIZE "), "{r}");
    assert!(r.contains(" BODY[HEADER.FIELDS (date subject from content-type to cc bcc reply-to message-id references in-reply-to X-K9mail-Identity Chat-Version)] {"), "{r}");
    assert!(r.contains("Subject: late\r\n") && !r.contains("Hello late"), "{r}");
    assert!(r.ends_with(")\r\nA013 OK FETCH completed\r\n"), "{r}");
}

#[tokio::test]
async fn ios_id_before_login_and_changedsince_without_enable() {
    let env = start().await;
    deliver(&env.account, 4).await;
    let mut c = env.connect().await;
    let r = c
        .cmd("ID (\"name\" \"iPhone Mail\" \"version\" \"21A329\" \"os\" \"iOS\" \"os-version\" \"17.0 (21A329)\")")
        .await;
    assert!(r.starts_with("* ID (\"name\" \"mapibridge\" ") && r.ends_with("\r\nA001 OK ID completed\r\n"), "{r}");
    assert!(c.cmd(&format!("LOGIN {} {}", common::USER, common::PASS)).await.starts_with("A002 OK "));
    let r = c.cmd("SELECT INBOX").await;
    let hms: u64 = r.split("HIGHESTMODSEQ ").nth(1).and_then(|s| s.split(']').next()).unwrap().parse().unwrap();

    let mut other = env.login().await;
    other.cmd("SELECT INBOX").await;
    other.cmd("STORE 2 +FLAGS.SILENT (\\Seen)").await;
    // CHANGEDSINCE turns CONDSTORE on by itself (RFC 7162 §3.1): only the
    // changed message, with its MODSEQ.
    // (The other session's change may also come as its own FETCH.)
    let r = c.cmd(&format!("UID FETCH 1:* (FLAGS) (CHANGEDSINCE {hms})")).await;
    let lines: Vec<&str> = r.lines().collect();
    let (tagged, fetches) = lines.split_last().unwrap();
    assert_eq!(*tagged, "A004 OK FETCH completed", "{r}");
    assert!(fetches[0].starts_with("* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent) MODSEQ ("), "{r}");
    assert!(fetches.iter().all(|l| *l == fetches[0]), "{r}");
    // From now on FETCH FLAGS carries MODSEQ, and a CHANGEDSINCE at the
    // highest MODSEQ returns nothing.
    let r = c.cmd("FETCH 1 (FLAGS)").await;
    assert!(r.starts_with("* 1 FETCH (FLAGS (\\Recent) MODSEQ ("), "{r}");
    let r = c.cmd("NOOP").await;
    assert!(r.ends_with("A006 OK NOOP completed\r\n"), "{r}");
    let r = c.cmd("STATUS INBOX (HIGHESTMODSEQ)").await;
    let now: u64 = r.split("HIGHESTMODSEQ ").nth(1).and_then(|s| s.split(')').next()).unwrap().parse().unwrap();
    assert_eq!(c.cmd(&format!("UID FETCH 1:* (FLAGS) (CHANGEDSINCE {now})")).await, "A008 OK FETCH completed\r\n");
    // iOS's comma lists with ranges, in STORE too.
    assert_eq!(c.cmd("UID STORE 4,1:2 +FLAGS.SILENT (\\Flagged)").await, "A009 OK STORE completed\r\n");
    assert_eq!(c.cmd("UID SEARCH FLAGGED").await, "* SEARCH 1 2 4\r\nA010 OK SEARCH completed\r\n");
}

#[tokio::test]
async fn thunderbird_special_use_without_xlist_forwarded_and_status_of_the_selected_folder() {
    let env = start().await;
    deliver(&env.account, 3).await;
    let mut c = env.login().await;
    // No XLIST (not advertised): Thunderbird falls back to SPECIAL-USE.
    let r = c.cmd("XLIST \"\" \"*\"").await;
    assert!(r.starts_with("A002 BAD "), "{r}");
    let r = c.cmd("list (special-use) \"\" \"*\"").await;
    assert!(r.contains(" \\Sent) \"/\" ") && r.contains(" \\Trash) \"/\" ") && r.contains(" \\Drafts) \"/\" "), "{r}");
    assert!(!r.contains(" INBOX\r\n"), "only special-use folders: {r}");
    assert!(r.ends_with("A003 OK LIST completed\r\n"), "{r}");

    let r = c.cmd("SELECT INBOX").await;
    assert!(r.contains(" \\*)] "), "keywords allowed: {r}");
    assert_eq!(
        c.cmd("UID STORE 2 +FLAGS ($Forwarded)").await,
        "* 2 FETCH (UID 2 FLAGS ($Forwarded \\Recent))\r\nA005 OK STORE completed\r\n"
    );
    assert_eq!(c.cmd("UID SEARCH KEYWORD $Forwarded").await, "* SEARCH 2\r\nA006 OK SEARCH completed\r\n");
    assert_eq!(
        c.cmd("UID STORE 3 +FLAGS ($label1 NonJunk)").await,
        "* 3 FETCH (UID 3 FLAGS ($label1 NonJunk \\Recent))\r\nA007 OK STORE completed\r\n"
    );

    // Thunderbird asks STATUS of the folder it has selected; the answer is
    // current, and the session still learns of the change its own way.
    let mut other = env.login().await;
    other.cmd("SELECT INBOX").await;
    other.cmd("STORE 1 +FLAGS.SILENT (\\Seen)").await;
    env.account.deliver("INBOX", vec![(message("m4", T0 + 9), Timestamp(T0 + 9))]).await.unwrap();
    assert_eq!(
        c.cmd("STATUS \"INBOX\" (UIDNEXT MESSAGES UNSEEN RECENT)").await,
        "* STATUS INBOX (UIDNEXT 5 MESSAGES 4 UNSEEN 3 RECENT 4)\r\n* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent))\r\n\
* 4 EXISTS\r\n* 4 RECENT\r\nA008 OK STATUS completed\r\n"
    );
    assert_eq!(c.cmd("NOOP").await, "A009 OK NOOP completed\r\n");
    let r = c.cmd("UID FETCH 1:* (FLAGS)").await;
    assert!(r.starts_with("* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent))\r\n"), "{r}");
    assert!(r.contains("* 4 FETCH (UID 4 FLAGS (\\Recent))\r\n"), "{r}");
}
