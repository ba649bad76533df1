//! Raw transcripts of the extensions imap-codec does not parse, recognised
//! by the server itself: LIST-EXTENDED (RFC 5258) with the SPECIAL-USE
//! options (RFC 6154), LIST-STATUS (RFC 5819), ESEARCH (RFC 4731), and
//! BINARY (RFC 3516); plus ENVELOPE Reply-To and STATUS RECENT.

mod common;

use common::{T0, deliver, start};
use mailbox::Timestamp;

#[tokio::test]
async fn list_extended_selection_and_return_options() {
    let env = start().await;
    let mut c = env.login().await;
    c.cmd("CREATE Projects").await;
    c.cmd("CREATE Projects/Alpha").await;
    c.cmd("SUBSCRIBE INBOX").await;
    c.cmd("SUBSCRIBE Projects/Alpha").await;
    c.cmd("SUBSCRIBE Gone").await;
    // SUBSCRIBED selection: subscribed ones only, \Subscribed implied, a
    // subscription without a mailbox is \NonExistent.
    let r = c.cmd("LIST (SUBSCRIBED) \"\" *").await;
    assert!(r.contains("* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX\r\n"), "{r}");
    assert!(r.contains("* LIST (\\HasNoChildren \\Subscribed) \"/\" Projects/Alpha\r\n"), "{r}");
    assert!(r.contains("* LIST (\\NonExistent \\Subscribed) \"/\" Gone\r\n"), "{r}");
    assert!(!r.contains("Drafts") && !r.contains("\"/\" Projects\r\n"), "{r}");
    // RECURSIVEMATCH: the unsubscribed parent with CHILDINFO.
    let r = c.cmd("LIST (SUBSCRIBED RECURSIVEMATCH) \"\" %").await;
    assert!(r.contains("* LIST () \"/\" Projects (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"), "{r}");
    assert!(r.contains("\"/\" INBOX\r\n") && !r.contains("Alpha"), "{r}");
    // Several patterns, RETURN (SUBSCRIBED CHILDREN).
    let r = c.cmd("LIST \"\" (INBOX Drafts \"Proj*\") RETURN (SUBSCRIBED CHILDREN)").await;
    assert!(r.contains("* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX\r\n"), "{r}");
    assert!(r.contains("* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n"), "{r}");
    assert!(r.contains("* LIST (\\HasChildren) \"/\" Projects\r\n"), "{r}");
    assert!(!r.contains("Sent"), "{r}");
    // RFC 6154: the SPECIAL-USE selection option.
    let r = c.cmd("LIST (SPECIAL-USE) \"\" * RETURN (SPECIAL-USE)").await;
    assert!(r.contains("\\Sent) \"/\" \"Sent Items\"\r\n") && r.contains("\\Drafts) \"/\" Drafts\r\n"), "{r}");
    assert!(!r.contains("INBOX") && !r.contains("Projects"), "{r}");
    // REMOTE changes nothing here; an empty selection list is plain LIST.
    let r = c.cmd("LIST (REMOTE) \"\" Projects").await;
    assert!(r.starts_with("* LIST (\\HasChildren) \"/\" Projects\r\n"), "{r}");
    // Errors keep the tag.
    let tag = c.next_tag();
    c.send(format!("{tag} LIST (RECURSIVEMATCH) \"\" *\r\n").as_bytes()).await;
    assert_eq!(c.until(&tag).await, format!("{tag} BAD RECURSIVEMATCH needs another selection option\r\n"));
    let tag = c.next_tag();
    c.send(format!("{tag} LIST \"\" * RETURN (NOPE)\r\n").as_bytes()).await;
    assert_eq!(c.until(&tag).await, format!("{tag} BAD Unknown LIST return option\r\n"));
    assert!(c.cmd("NOOP").await.contains("OK NOOP"));
}

#[tokio::test]
async fn list_status_follows_each_selectable_mailbox() {
    let env = start().await;
    deliver(&env.account, 3).await;
    let mut c = env.login().await;
    let r = c.cmd("LIST \"\" (INBOX Drafts) RETURN (STATUS (MESSAGES UNSEEN UIDNEXT))").await;
    assert!(
        r.contains("* LIST (\\HasNoChildren) \"/\" INBOX\r\n* STATUS INBOX (MESSAGES 3 UNSEEN 3 UIDNEXT 4)\r\n"),
        "{r}"
    );
    assert!(r.contains("\"/\" Drafts\r\n* STATUS Drafts (MESSAGES 0 UNSEEN 0 UIDNEXT 1)\r\n"), "{r}");
    assert!(r.ends_with("OK LIST completed\r\n"), "{r}");
    let tag = c.next_tag();
    c.send(format!("{tag} LIST \"\" * RETURN (STATUS (MESSAGES BOGUS))\r\n").as_bytes()).await;
    assert_eq!(c.until(&tag).await, format!("{tag} BAD Unknown STATUS item\r\n"));
}

#[tokio::test]
async fn esearch_min_max_count_all_with_and_without_uid() {
    let env = start().await;
    deliver(&env.account, 6).await;
    let mut c = env.login().await;
    c.cmd("SELECT INBOX").await;
    c.cmd("STORE 2,4 +FLAGS (\\Seen)").await;
    c.cmd("STORE 1 +FLAGS (\\Deleted)").await;
    c.cmd("EXPUNGE").await;
    // UIDs 2..6 remain at sequence numbers 1..5; UIDs 2 and 4 are seen.
    let tag = c.next_tag();
    c.send(format!("{tag} UID SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN\r\n").as_bytes()).await;
    assert_eq!(
        c.until(&tag).await,
        format!("* ESEARCH (TAG \"{tag}\") UID MIN 3 MAX 6 COUNT 3 ALL 3,5:6\r\n{tag} OK SEARCH completed\r\n")
    );
    let tag = c.next_tag();
    c.send(format!("{tag} SEARCH RETURN () UNSEEN\r\n").as_bytes()).await;
    assert_eq!(c.until(&tag).await, format!("* ESEARCH (TAG \"{tag}\") ALL 2,4:5\r\n{tag} OK SEARCH completed\r\n"));
    let tag = c.next_tag();
    c.send(format!("{tag} SEARCH RETURN (COUNT MIN) SUBJECT {{7}}\r\n").as_bytes()).await;
    assert_eq!(c.line().await, "+ Ready for literal data\r\n");
    c.send(b"nothing\r\n").await;
    assert_eq!(c.until(&tag).await, format!("* ESEARCH (TAG \"{tag}\") COUNT 0\r\n{tag} OK SEARCH completed\r\n"));
    let tag = c.next_tag();
    c.send(format!("{tag} UID SEARCH RETURN (MAX) MODSEQ 1\r\n").as_bytes()).await;
    let r = c.until(&tag).await;
    assert!(r.starts_with(&format!("* ESEARCH (TAG \"{tag}\") UID MAX 6 MODSEQ ")), "{r}");
    let tag = c.next_tag();
    c.send(format!("{tag} SEARCH RETURN (MIN FIRST) ALL\r\n").as_bytes()).await;
    assert_eq!(c.until(&tag).await, format!("{tag} BAD Unknown SEARCH result option\r\n"));
    c.cmd("UNSELECT").await;
    let tag = c.next_tag();
    c.send(format!("{tag} SEARCH RETURN (MIN) ALL\r\n").as_bytes()).await;
    assert_eq!(c.until(&tag).await, format!("{tag} BAD No mailbox selected\r\n"));
}

const WITH_PARTS: &[u8] = b"From: Bob <bob@example.com>\r\nTo: alice@example.com\r\nSubject: parts\r\n\
Reply-To: Team List <list@example.org>\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe\r\n--XX\r\nContent-Type: application/octet-stream\r\n\
Content-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--XX--\r\n";

#[tokio::test]
async fn binary_fetch_decodes_parts_and_sets_seen() {
    let env = start().await;
    env.account.deliver("INBOX", vec![(WITH_PARTS.to_vec(), Timestamp(T0))]).await.unwrap();
    let mut c = env.login().await;
    c.cmd("SELECT INBOX").await;
    let r = c.cmd("FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[2] BINARY.PEEK[2]<1.2>)").await;
    assert_eq!(
        r,
        "* 1 FETCH (BINARY[1] {7}\r\nGrüße BINARY.SIZE[2] 4 BINARY[2]<1> {2}\r\n\u{1}\u{2})\r\nA003 OK FETCH completed\r\n"
    );
    // Data with a NUL goes out as literal8; BINARY without PEEK sets \Seen.
    let r = c.cmd("FETCH 1 BINARY[2]").await;
    assert_eq!(
        r,
        "* 1 FETCH (BINARY[2] ~{4}\r\n\0\u{1}\u{2}\u{3} FLAGS (\\Seen \\Recent))\r\nA004 OK FETCH completed\r\n"
    );
    let r = c.cmd("FETCH 1 BINARY.PEEK[9]").await;
    assert_eq!(r, "* 1 FETCH (BINARY[9] NIL)\r\nA005 OK FETCH completed\r\n");
}

#[tokio::test]
async fn envelope_reply_to_is_the_messages_own() {
    let env = start().await;
    env.account.deliver("INBOX", vec![(WITH_PARTS.to_vec(), Timestamp(T0))]).await.unwrap();
    deliver(&env.account, 1).await;
    let mut c = env.login().await;
    c.cmd("EXAMINE INBOX").await;
    let r = c.cmd("FETCH 1:2 ENVELOPE").await;
    // Message 1: from, sender, then its Reply-To.
    assert!(
        r.contains(
            "((\"Bob\" NIL \"bob\" \"example.com\")) ((\"Bob\" NIL \"bob\" \"example.com\")) \
((\"Team List\" NIL \"list\" \"example.org\")) (("
        ),
        "{r}"
    );
    // Message 2 has none: From is repeated (RFC 3501 §7.4.2).
    let second = r.split("* 2 FETCH").nth(1).unwrap_or_default();
    assert!(second.matches("((\"Bob\" NIL \"bob\" \"example.com\"))").count() == 3, "{r}");
}

#[tokio::test]
async fn status_recent_counts_arrivals_no_session_has_seen() {
    let env = start().await;
    deliver(&env.account, 2).await;
    let mut c = env.login().await;
    let r = c.cmd("STATUS INBOX (RECENT MESSAGES)").await;
    assert!(r.starts_with("* STATUS INBOX (RECENT 2 MESSAGES 2)\r\n"), "{r}");
    // STATUS claims nothing: the first SELECT still gets them.
    let r = c.cmd("SELECT INBOX").await;
    assert!(r.contains("* 2 RECENT\r\n"), "{r}");
    let r = c.cmd("STATUS INBOX (RECENT)").await;
    assert!(r.starts_with("* STATUS INBOX (RECENT 2)\r\n"), "this session's own: {r}");
    let mut d = env.login().await;
    let r = d.cmd("STATUS INBOX (RECENT)").await;
    assert!(r.starts_with("* STATUS INBOX (RECENT 0)\r\n"), "claimed by the first session: {r}");
    deliver(&env.account, 1).await;
    let r = d.cmd("STATUS INBOX (RECENT)").await;
    assert!(r.starts_with("* STATUS INBOX (RECENT 1)\r\n"), "{r}");
}
