//! Raw transcripts: one client speaking IMAP to the server over the
//! in-memory mailbox, command by command, asserting what a client sees.

mod common;

use common::{Client, PASS, T0, USER, deliver, message, start};
use mailbox::Timestamp;

#[tokio::test]
async fn greeting_capability_noop_id_logout() {
    let env = start().await;
    let mut c = env.connect().await;
    let r = c.cmd("CAPABILITY").await;
    assert!(r.starts_with("* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE AUTH=PLAIN\r\n"), "{r}");
    assert!(r.ends_with("A001 OK CAPABILITY completed\r\n"));
    let r = c.cmd("NOOP").await;
    assert_eq!(r, "A002 OK NOOP completed\r\n");
    let r = c.cmd("ID (\"name\" \"Thunderbird\" \"version\" \"128\")").await;
    assert!(r.starts_with("* ID (\"name\" \"mapibridge\""), "{r}");
    let r = c.cmd("ID NIL").await;
    assert!(r.contains("A004 OK"), "{r}");
    let r = c.cmd("LOGOUT").await;
    assert_eq!(r, "* BYE Logging out\r\nA005 OK LOGOUT completed\r\n");
}

#[tokio::test]
async fn bad_syntax_gets_bad_with_the_tag_and_the_connection_survives() {
    let env = start().await;
    let mut c = env.connect().await;
    assert_eq!(c.cmd("FROBNICATE").await, "A001 BAD Syntax error\r\n");
    assert_eq!(c.cmd("FETCH").await, "A002 BAD Syntax error\r\n");
    c.send(b"\r\n").await;
    assert!(c.line().await.starts_with("* BAD"));
    assert_eq!(c.cmd("SELECT INBOX").await, "A003 BAD Log in first\r\n");
    assert_eq!(c.cmd("NOOP").await, "A004 OK NOOP completed\r\n");
}

#[tokio::test]
async fn login_failures_and_authenticate_plain_with_and_without_initial_response() {
    let env = start().await;
    let mut c = env.connect().await;
    let r = c.cmd(&format!("LOGIN {USER} wrong")).await;
    assert_eq!(r, "A001 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n");
    // SASL-IR: \0alice@example.com\0secret
    let ir = base64_plain(USER, PASS);
    let r = c.cmd(&format!("AUTHENTICATE PLAIN {ir}")).await;
    assert!(r.starts_with("A002 OK [CAPABILITY IMAP4rev1"), "{r}");
    assert!(r.contains("UIDPLUS") && r.contains("CONDSTORE"), "{r}");
    assert_eq!(env.server.metrics().login_failures, 1);

    let mut c = env.connect().await;
    c.send(b"B1 AUTHENTICATE PLAIN\r\n").await;
    assert_eq!(c.line().await, "+ \r\n");
    c.send(format!("{}\r\n", base64_plain(USER, PASS)).as_bytes()).await;
    assert!(c.until("B1").await.starts_with("B1 OK [CAPABILITY"));

    let mut c = env.connect().await;
    c.send(b"B2 AUTHENTICATE PLAIN\r\n").await;
    assert_eq!(c.line().await, "+ \r\n");
    c.send(b"*\r\n").await;
    assert_eq!(c.until("B2").await, "B2 BAD AUTHENTICATE cancelled\r\n");
}

fn base64_plain(user: &str, pass: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{pass}"))
}

#[tokio::test]
async fn backend_outage_is_no_unavailable() {
    let env = start().await;
    let mut c = env.login().await;
    env.account.set_unavailable(true);
    let r = c.cmd("SELECT INBOX").await;
    assert!(r.starts_with("A002 NO [UNAVAILABLE]"), "{r}");
    let mut d = env.connect().await;
    assert_eq!(
        d.cmd(&format!("LOGIN {USER} {PASS}")).await,
        "A001 NO [UNAVAILABLE] Backend unavailable, try again later\r\n"
    );
    env.account.set_unavailable(false);
    assert!(c.cmd("SELECT INBOX").await.contains("A003 OK [READ-WRITE]"));
}

#[tokio::test]
async fn list_lsub_namespace_special_use_and_children() {
    let env = start().await;
    let mut c = env.login().await;
    let r = c.cmd("LIST \"\" \"\"").await;
    assert_eq!(r, "* LIST (\\Noselect) \"/\" \"\"\r\nA002 OK LIST completed\r\n");
    assert_eq!(c.cmd("CREATE INBOX/Lists/").await, "A003 OK CREATE completed\r\n");
    assert_eq!(c.cmd("CREATE \"Gel&APY-scht\"").await, "A004 OK CREATE completed\r\n");
    let r = c.cmd("LIST \"\" *").await;
    for line in [
        "* LIST (\\HasChildren) \"/\" INBOX\r\n",
        "* LIST (\\HasNoChildren) \"/\" INBOX/Lists\r\n",
        "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"\r\n",
        "* LIST (\\HasNoChildren \\Trash) \"/\" \"Deleted Items\"\r\n",
        "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n",
        "* LIST (\\HasNoChildren \\Junk) \"/\" \"Junk Email\"\r\n",
        "* LIST (\\HasNoChildren \\Archive) \"/\" Archive\r\n",
        "* LIST (\\HasNoChildren) \"/\" Gel&APY-scht\r\n",
    ] {
        assert!(r.contains(line), "missing {line:?} in {r}");
    }
    assert!(!r.contains("Outbox") && !r.contains("Calendar") && !r.contains("Contacts"), "{r}");
    let r = c.cmd("LIST \"\" %").await;
    assert!(!r.contains("INBOX/Lists"), "{r}");
    let r = c.cmd("LIST INBOX/ %").await;
    assert!(r.starts_with("* LIST (\\HasNoChildren) \"/\" INBOX/Lists\r\n"), "{r}");
    assert_eq!(c.cmd("SUBSCRIBE INBOX/Lists").await, "A008 OK SUBSCRIBE completed\r\n");
    assert_eq!(c.cmd("LSUB \"\" *").await, "* LSUB (\\HasNoChildren) \"/\" INBOX/Lists\r\nA009 OK LSUB completed\r\n");
    assert_eq!(c.cmd("UNSUBSCRIBE INBOX/Lists").await, "A010 OK UNSUBSCRIBE completed\r\n");
    assert_eq!(c.cmd("LSUB \"\" *").await, "A011 OK LSUB completed\r\n");
    let r = c.cmd("NAMESPACE").await;
    assert!(
        r.starts_with("* NAMESPACE ((\"\" \"/\")) ((\"Other Users/\" \"/\")) ((\"Public Folders/\" \"/\"))\r\n"),
        "{r}"
    );
}

#[tokio::test]
async fn create_rename_delete_with_error_codes() {
    let env = start().await;
    let mut c = env.login().await;
    assert_eq!(c.cmd("CREATE Projects").await, "A002 OK CREATE completed\r\n");
    assert!(c.cmd("CREATE Projects").await.starts_with("A003 NO [ALREADYEXISTS]"));
    assert!(c.cmd("CREATE Nope/Child").await.starts_with("A004 NO [NONEXISTENT]"));
    assert_eq!(c.cmd("RENAME Projects Work").await, "A005 OK RENAME completed\r\n");
    assert!(c.cmd("RENAME Drafts Other").await.starts_with("A006 NO [CANNOT]"));
    assert!(c.cmd("DELETE Projects").await.starts_with("A007 NO [NONEXISTENT]"));
    assert_eq!(c.cmd("DELETE Work").await, "A008 OK DELETE completed\r\n");
    assert!(c.cmd("SELECT Work").await.starts_with("A009 NO [NONEXISTENT]"));
}

#[tokio::test]
async fn select_examine_status_report_the_folder() {
    let env = start().await;
    deliver(&env.account, 3).await;
    let mut c = env.login().await;
    let r = c.cmd("SELECT INBOX").await;
    assert!(r.contains("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)\r\n"), "{r}");
    assert!(r.contains("* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted $Forwarded \\*)]"), "{r}");
    assert!(r.contains("* 3 EXISTS\r\n* 3 RECENT\r\n"), "{r}");
    assert!(r.contains("* OK [UIDVALIDITY "), "{r}");
    assert!(r.contains("* OK [UIDNEXT 4]"), "{r}");
    assert!(r.contains("* OK [HIGHESTMODSEQ "), "{r}");
    assert!(r.ends_with("A002 OK [READ-WRITE] SELECT completed\r\n"), "{r}");
    let r = c.cmd("EXAMINE INBOX").await;
    assert!(r.contains("* OK [PERMANENTFLAGS ()]"), "{r}");
    assert!(r.ends_with("A003 OK [READ-ONLY] EXAMINE completed\r\n"), "{r}");
    assert!(c.cmd("STORE 1 +FLAGS (\\Seen)").await.starts_with("A004 NO [READ-ONLY]"));
    let r = c.cmd("STATUS INBOX (MESSAGES UIDNEXT UNSEEN RECENT SIZE HIGHESTMODSEQ UIDVALIDITY)").await;
    assert!(r.starts_with("* STATUS INBOX (MESSAGES 3 UIDNEXT 4 UNSEEN 3 RECENT 0 SIZE "), "{r}");
    assert_eq!(c.cmd("UNSELECT").await, "A006 OK UNSELECT completed\r\n");
    assert_eq!(c.cmd("FETCH 1 FLAGS").await, "A007 BAD No mailbox selected\r\n");
}

#[tokio::test]
async fn append_with_flags_date_and_literal_plus_returns_appenduid() {
    let env = start().await;
    let mut c = env.login().await;
    let msg = message("appended", T0);
    c.send(
        format!("A1 APPEND Drafts (\\Draft \\Seen) \"27-Nov-2026 10:00:00 +0100\" {{{}}}\r\n", msg.len()).as_bytes(),
    )
    .await;
    assert_eq!(c.line().await, "+ Ready for literal data\r\n");
    c.send(&msg).await;
    c.send(b"\r\n").await;
    let r = c.until("A1").await;
    assert!(r.starts_with("A1 OK [APPENDUID ") && r.ends_with(" 1] APPEND completed\r\n"), "{r}");
    // LITERAL+: no continuation.
    c.send(format!("A2 APPEND Drafts {{{}+}}\r\n", msg.len()).as_bytes()).await;
    c.send(&msg).await;
    c.send(b"\r\n").await;
    assert!(c.until("A2").await.contains(" 2] APPEND completed"));
    let r = c.cmd("SELECT Drafts").await;
    assert!(r.contains("* 2 EXISTS"), "{r}");
    let r = c.cmd("FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE)").await;
    assert_eq!(
        r,
        format!(
            "* 1 FETCH (FLAGS (\\Seen \\Draft \\Recent) INTERNALDATE \"27-Nov-2026 09:00:00 +0000\" RFC822.SIZE {})\r\nA003 OK FETCH completed\r\n",
            msg.len()
        )
    );
    // Empty literal: a clear NO, nothing stored.
    let r = c.cmd("APPEND Drafts {0+}\r\n").await;
    assert!(r.contains("NO Empty message"), "{r}");
    assert!(c.cmd("APPEND Nowhere {3+}\r\nabc").await.contains("NO [TRYCREATE]"));
}

#[tokio::test]
async fn oversized_literal_is_refused_before_it_is_sent() {
    let env = common::start_with(
        imap::ImapConfig {
            allow_plaintext_login: imap::PlaintextLogin::Always,
            max_literal: 1000,
            ..Default::default()
        },
        imap::TlsMode::StartTls,
    )
    .await;
    let mut c = env.login().await;
    c.send(b"A1 APPEND INBOX {5000}\r\n").await;
    assert_eq!(c.line().await, "A1 NO [TOOBIG] Literal of 5000 bytes exceeds the limit of 1000\r\n");
    // The connection goes on with the next command.
    assert_eq!(c.cmd("NOOP").await, "A002 OK NOOP completed\r\n");
    // Exactly at the limit is fine.
    let mut msg = b"Subject: limit\r\n\r\n".to_vec();
    msg.resize(1000, b'x');
    c.send(b"A0 APPEND INBOX {1000+}\r\n").await;
    c.send(&msg).await;
    c.send(b"\r\n").await;
    assert!(c.until("A0").await.contains("A0 OK [APPENDUID "));
    c.send(b"A2 APPEND INBOX {5000+}\r\n").await;
    assert!(c.line().await.starts_with("* BYE [TOOBIG]"));
}

#[tokio::test]
async fn fetch_items_envelope_body_sections_and_implicit_seen() {
    let env = start().await;
    deliver(&env.account, 2).await;
    let mut c = env.login().await;
    c.cmd("SELECT INBOX").await;
    let r = c.cmd("FETCH 1 (UID ENVELOPE)").await;
    assert_eq!(
        r,
        "* 1 FETCH (UID 1 ENVELOPE (\"Fri, 27 Nov 2026 00:00:00 +0000\" \"m1\" ((\"Bob\" NIL \"bob\" \"example.com\")) \
((\"Bob\" NIL \"bob\" \"example.com\")) ((\"Bob\" NIL \"bob\" \"example.com\")) ((\"Alice\" NIL \"alice\" \"example.com\")) \
NIL NIL NIL \"<m1.1795737600@example.com>\"))\r\nA003 OK FETCH completed\r\n"
    );
    let r = c.cmd("FETCH 1 (BODY.PEEK[HEADER.FIELDS (Subject)] BODY.PEEK[TEXT]<0.5> BODYSTRUCTURE)").await;
    assert!(r.contains("BODY[HEADER.FIELDS (Subject)] {15}\r\nSubject: m1\r\n\r\n"), "{r}");
    assert!(r.contains("BODY[TEXT]<0> {5}\r\nHello"), "{r}");
    assert!(
        r.contains(
            "BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL)"
        ),
        "{r}"
    );
    assert!(!r.contains("FLAGS"), "PEEK sets nothing: {r}");
    let r = c.cmd("FETCH 1 BODY[1]").await;
    assert_eq!(r, "* 1 FETCH (BODY[1] {10}\r\nHello m1\r\n FLAGS (\\Seen \\Recent))\r\nA005 OK FETCH completed\r\n");
    let r = c.cmd("FETCH 1:* FLAGS").await;
    assert_eq!(r, "* 1 FETCH (FLAGS (\\Seen \\Recent))\r\n* 2 FETCH (FLAGS (\\Recent))\r\nA006 OK FETCH completed\r\n");
    let r = c.cmd("UID FETCH 2 (RFC822.HEADER)").await;
    assert!(r.starts_with("* 2 FETCH (UID 2 RFC822.HEADER {"), "{r}");
    let r = c.cmd("FETCH 2 FAST").await;
    assert!(
        r.starts_with("* 2 FETCH (FLAGS (\\Recent) INTERNALDATE \"27-Nov-2026 00:00:01 +0000\" RFC822.SIZE "),
        "{r}"
    );
    assert_eq!(
        c.cmd("FETCH 1 BINARY.PEEK[1]").await,
        "* 1 FETCH (BINARY[1] {10}\r\nHello m1\r\n)\r\nA009 OK FETCH completed\r\n"
    );
}

#[tokio::test]
async fn thunderbird_header_fetch_shape() {
    let env = start().await;
    deliver(&env.account, 3).await;
    let mut c = env.login().await;
    c.cmd("SELECT INBOX").await;
    let r = c
        .cmd("UID fetch 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Bcc Subject Date Message-ID Priority X-Priority References Newsgroups In-Reply-To Content-Type Reply-To)])")
        .await;
    assert_eq!(r.matches("* ").count(), 3, "{r}");
    assert!(r.contains("* 3 FETCH (UID 3 RFC822.SIZE "), "{r}");
    assert!(r.contains(" FLAGS (\\Recent) BODY[HEADER.FIELDS (From To Cc Bcc Subject Date Message-ID Priority X-Priority References Newsgroups In-Reply-To Content-Type Reply-To)] {"), "{r}");
    assert!(r.contains("From: Bob <bob@example.com>\r\nTo: Alice <alice@example.com>\r\nSubject: m3\r\n"), "{r}");
    // Thunderbird's follow-up with a range beyond the last UID.
    let r = c.cmd("UID fetch 4:* (FLAGS)").await;
    assert_eq!(r, "* 3 FETCH (UID 3 FLAGS (\\Recent))\r\nA004 OK FETCH completed\r\n");
}

#[tokio::test]
async fn ios_comma_uid_sets_with_ranges_in_any_order() {
    let env = start().await;
    deliver(&env.account, 10).await;
    let mut c = env.login().await;
    c.cmd("SELECT INBOX").await;
    let r = c.cmd("UID FETCH 9:7,1,3:2,5,2,20:* (FLAGS)").await;
    let uids: Vec<&str> =
        r.lines().filter(|l| l.starts_with("* ")).map(|l| l.split(' ').nth(4).unwrap_or("")).collect();
    assert_eq!(uids, ["1", "2", "3", "5", "7", "8", "9", "10"], "{r}");
    let r = c.cmd("FETCH 10,1:2,99 (UID)").await;
    assert_eq!(r, "* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 2)\r\n* 10 FETCH (UID 10)\r\nA004 OK FETCH completed\r\n");
}

#[tokio::test]
async fn store_flags_silent_and_unchangedsince() {
    let env = start().await;
    deliver(&env.account, 3).await;
    let mut c = env.login().await;
    c.cmd("SELECT INBOX").await;
    assert_eq!(
        c.cmd("STORE 1:2 +FLAGS (\\Flagged Project)").await,
        "* 1 FETCH (UID 1 FLAGS (\\Flagged Project \\Recent))\r\n* 2 FETCH (UID 2 FLAGS (\\Flagged Project \\Recent))\r\nA003 OK STORE completed\r\n"
    );
    assert_eq!(c.cmd("STORE 1 -FLAGS.SILENT (Project)").await, "A004 OK STORE completed\r\n");
    assert_eq!(
        c.cmd("UID STORE 3 FLAGS (\\Seen)").await,
        "* 3 FETCH (UID 3 FLAGS (\\Seen \\Recent))\r\nA005 OK STORE completed\r\n"
    );
    assert_eq!(c.cmd("STORE 1 +FLAGS (\\Recent)").await, "A006 BAD Flag \\Recent cannot be stored\r\n");
    let r = c.cmd("FETCH 2 (MODSEQ)").await;
    let modseq: u64 = r.split("MODSEQ (").nth(1).and_then(|s| s.split(')').next()).unwrap().parse().unwrap();
    let r = c.cmd(&format!("STORE 1,2 (UNCHANGEDSINCE {modseq}) +FLAGS (\\Answered)")).await;
    assert!(r.contains("* 2 FETCH (UID 2 FLAGS (\\Answered \\Flagged Project \\Recent) MODSEQ ("), "{r}");
    assert!(!r.contains("* 1 FETCH"), "{r}");
    assert!(r.ends_with("A008 OK [MODIFIED 1] Conditional STORE failed\r\n"), "{r}");
}

#[tokio::test]
async fn search_by_sequence_uid_flags_and_text() {
    let env = start().await;
    deliver(&env.account, 5).await;
    let mut c = env.login().await;
    c.cmd("SELECT INBOX").await;
    c.cmd("STORE 2,4 +FLAGS (\\Seen)").await;
    assert_eq!(c.cmd("SEARCH UNSEEN").await, "* SEARCH 1 3 5\r\nA004 OK SEARCH completed\r\n");
    assert_eq!(c.cmd("UID SEARCH SEEN").await, "* SEARCH 2 4\r\nA005 OK SEARCH completed\r\n");
    assert_eq!(c.cmd("SEARCH 2:3 SUBJECT m3").await, "* SEARCH 3\r\nA006 OK SEARCH completed\r\n");
    assert_eq!(
        c.cmd("SEARCH CHARSET UTF-8 OR FROM bob NOT ALL").await,
        "* SEARCH 1 2 3 4 5\r\nA007 OK SEARCH completed\r\n"
    );
    assert!(c.cmd("SEARCH CHARSET KOI8-R ALL").await.starts_with("A008 NO [BADCHARSET"));
    assert_eq!(c.cmd("SEARCH SINCE 28-Nov-2026").await, "* SEARCH\r\nA009 OK SEARCH completed\r\n");
    let r = c.cmd("SEARCH MODSEQ 1 UID 1").await;
    assert!(r.starts_with("* SEARCH 1 (MODSEQ "), "{r}");
    // \Recent belongs to the first session that selected the folder.
    assert_eq!(c.cmd("SEARCH NEW").await, "* SEARCH 1 3 5\r\nA011 OK SEARCH completed\r\n");
    let mut other = env.login().await;
    other.cmd("SELECT INBOX").await;
    assert_eq!(other.cmd("SEARCH RECENT").await, "* SEARCH\r\nA003 OK SEARCH completed\r\n");
    assert_eq!(other.cmd("SEARCH OLD").await, "* SEARCH 1 2 3 4 5\r\nA004 OK SEARCH completed\r\n");
}

#[tokio::test]
async fn expunge_numbers_descending_and_uid_expunge_only_the_set() {
    let env = start().await;
    deliver(&env.account, 5).await;
    let mut c = env.login().await;
    c.cmd("SELECT INBOX").await;
    c.cmd("STORE 2,4,5 +FLAGS.SILENT (\\Deleted)").await;
    assert_eq!(c.cmd("UID EXPUNGE 4").await, "* 4 EXPUNGE\r\nA004 OK EXPUNGE completed\r\n");
    assert_eq!(c.cmd("EXPUNGE").await, "* 4 EXPUNGE\r\n* 2 EXPUNGE\r\nA005 OK EXPUNGE completed\r\n");
    assert_eq!(c.cmd("FETCH 1:* (UID)").await, "* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 3)\r\nA006 OK FETCH completed\r\n");
    c.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    assert_eq!(c.cmd("CLOSE").await, "A008 OK CLOSE completed\r\n");
    let r = c.cmd("SELECT INBOX").await;
    assert!(r.contains("* 1 EXISTS"), "{r}");
}

#[tokio::test]
async fn copy_and_move_report_copyuid() {
    let env = start().await;
    deliver(&env.account, 3).await;
    let mut c = env.login().await;
    c.cmd("SELECT INBOX").await;
    c.cmd("CREATE Keep").await;
    let r = c.cmd("COPY 1:2 Keep").await;
    assert!(r.starts_with("A004 OK [COPYUID ") && r.ends_with(" 1:2 1,2] COPY completed\r\n"), "{r}");
    assert!(c.cmd("COPY 1 Missing").await.starts_with("A005 NO [TRYCREATE]"));
    let r = c.cmd("UID MOVE 2:3 Keep").await;
    assert!(r.starts_with("* OK [COPYUID "), "{r}");
    assert!(r.contains(" 2:3 3,4] Moved\r\n* 3 EXPUNGE\r\n* 2 EXPUNGE\r\nA006 OK MOVE completed\r\n"), "{r}");
    let r = c.cmd("STATUS Keep (MESSAGES)").await;
    assert_eq!(r, "* STATUS Keep (MESSAGES 4)\r\nA007 OK STATUS completed\r\n");
}

#[tokio::test]
async fn other_sessions_changes_arrive_as_untagged_updates() {
    let env = start().await;
    deliver(&env.account, 3).await;
    let mut a = env.login().await;
    let mut b = env.login().await;
    a.cmd("SELECT INBOX").await;
    b.cmd("SELECT INBOX").await;
    b.cmd("STORE 2 +FLAGS.SILENT (\\Deleted)").await;
    b.cmd("STORE 1 +FLAGS.SILENT (\\Flagged)").await;
    b.cmd("EXPUNGE").await;
    env.account.deliver("INBOX", vec![(message("new", T0 + 99), Timestamp(T0 + 99))]).await.unwrap();
    // During FETCH no EXPUNGE may be sent; flags and EXISTS may.
    let r = a.cmd("FETCH 3 (UID)").await;
    assert!(!r.contains("EXPUNGE"), "{r}");
    assert!(r.contains("* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))"), "{r}");
    assert!(r.contains("* 4 EXISTS"), "{r}");
    assert!(r.contains("* 3 FETCH (UID 3)"), "{r}");
    let r = a.cmd("NOOP").await;
    assert_eq!(r, "* 2 EXPUNGE\r\nA004 OK NOOP completed\r\n");
    let r = a.cmd("FETCH 1:* (UID)").await;
    assert_eq!(r, "* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 3)\r\n* 3 FETCH (UID 4)\r\nA005 OK FETCH completed\r\n");
}

#[tokio::test]
async fn condstore_and_qresync() {
    let env = start().await;
    deliver(&env.account, 4).await;
    let mut c = env.login().await;
    assert_eq!(c.cmd("ENABLE QRESYNC").await, "* ENABLED QRESYNC\r\nA002 OK ENABLE completed\r\n");
    let r = c.cmd("SELECT INBOX (CONDSTORE)").await;
    let hms: u64 = r.split("HIGHESTMODSEQ ").nth(1).and_then(|s| s.split(']').next()).unwrap().parse().unwrap();
    let validity: u32 = r.split("UIDVALIDITY ").nth(1).and_then(|s| s.split(']').next()).unwrap().parse().unwrap();
    c.cmd("STORE 1 +FLAGS (\\Seen)").await;
    c.cmd("STORE 3 +FLAGS.SILENT (\\Deleted)").await;
    let r = c.cmd("EXPUNGE").await;
    assert_eq!(r, "* VANISHED 3\r\nA006 OK EXPUNGE completed\r\n");
    let r = c.cmd(&format!("UID FETCH 1:* (FLAGS) (CHANGEDSINCE {hms} VANISHED)")).await;
    assert!(r.starts_with("* VANISHED (EARLIER) 3\r\n* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent) MODSEQ ("), "{r}");
    assert!(!r.contains("UID 2 "), "{r}");
    c.cmd("UNSELECT").await;
    let r = c.cmd(&format!("SELECT INBOX (QRESYNC ({validity} {hms} 1:4))")).await;
    assert!(r.contains("* VANISHED (EARLIER) 3\r\n"), "{r}");
    assert!(r.contains("* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ ("), "{r}");
}

#[tokio::test]
async fn starttls_is_refused_without_tls_config_and_login_is_gated() {
    let env = common::start_with(imap::ImapConfig::default(), imap::TlsMode::StartTls).await;
    let mut c = env.connect().await;
    let r = c.cmd("CAPABILITY").await;
    assert!(r.contains("LOGINDISABLED") && !r.contains("AUTH=PLAIN") && !r.contains("STARTTLS"), "{r}");
    assert_eq!(
        c.cmd(&format!("LOGIN {USER} {PASS}")).await,
        "A002 NO [PRIVACYREQUIRED] Use STARTTLS or the TLS port first\r\n"
    );
    assert_eq!(c.cmd("STARTTLS").await, "A003 BAD STARTTLS not available\r\n");
    let _ = Client::<tokio::net::TcpStream>::new;
}

#[tokio::test]
async fn literals_in_login_mailbox_names_and_search_strings() {
    let env = start().await;
    deliver(&env.account, 2).await;
    let mut c = env.connect().await;
    // Synchronising literals for both LOGIN arguments: one `+` each.
    c.send(format!("L1 LOGIN {{{}}}\r\n", USER.len()).as_bytes()).await;
    assert_eq!(c.line().await, "+ Ready for literal data\r\n");
    c.send(format!("{USER} {{{}}}\r\n", PASS.len()).as_bytes()).await;
    assert_eq!(c.line().await, "+ Ready for literal data\r\n");
    c.send(format!("{PASS}\r\n").as_bytes()).await;
    assert!(c.until("L1").await.starts_with("L1 OK [CAPABILITY"));
    // A non-synchronising literal mailbox name and an empty search string.
    c.send(b"L2 SELECT {5+}\r\nINBOX\r\n").await;
    assert!(c.until("L2").await.ends_with("L2 OK [READ-WRITE] SELECT completed\r\n"));
    c.send(b"L3 SEARCH SUBJECT {0+}\r\n\r\n").await;
    assert_eq!(c.until("L3").await, "* SEARCH 1 2\r\nL3 OK SEARCH completed\r\n");
    // A literal with bytes that look like a command inside.
    c.send(b"L4 SEARCH BODY {13+}\r\nL5 LOGOUT\r\n \r\n").await;
    assert_eq!(c.until("L4").await, "* SEARCH\r\nL4 OK SEARCH completed\r\n");
    assert_eq!(c.cmd("NOOP").await, "A001 OK NOOP completed\r\n");
}

#[tokio::test]
async fn delegated_and_public_folders_live_in_their_namespaces() {
    let env = start().await;
    env.account
        .add_store(
            mailbox::StoreKind::Delegate("bob@example.com".into()),
            &[("Inbox", "IPF.Note"), ("Calendar", "IPF.Appointment")],
        )
        .await
        .unwrap();
    env.account.add_store(mailbox::StoreKind::Public, &[("Announcements", "IPF.Note")]).await.unwrap();
    let mut c = env.login().await;
    let r = c.cmd("LIST \"\" *").await;
    assert!(r.contains("* LIST (\\HasNoChildren) \"/\" \"Other Users/bob@example.com/Inbox\"\r\n"), "{r}");
    assert!(r.contains("* LIST (\\HasNoChildren) \"/\" \"Public Folders/Announcements\"\r\n"), "{r}");
    assert!(r.contains("* LIST (\\Noselect \\HasChildren) \"/\" \"Other Users\"\r\n"), "{r}");
    assert!(!r.contains("bob@example.com/Calendar"), "{r}");
    let r = c.cmd("LIST \"Public Folders/\" %").await;
    assert_eq!(r, "* LIST (\\HasNoChildren) \"/\" \"Public Folders/Announcements\"\r\nA003 OK LIST completed\r\n");
    let r = c.cmd("SELECT \"Other Users/bob@example.com/Inbox\"").await;
    assert!(r.contains("* 0 EXISTS") && r.contains("OK [READ-WRITE] SELECT completed"), "{r}");
    assert!(c.cmd("CREATE \"Public Folders/New\"").await.starts_with("A005 NO [NOPERM]"));
}

#[tokio::test]
async fn endless_line_is_cut_off_and_garbage_gets_bad() {
    let env = start().await;
    let mut c = env.connect().await;
    for garbage in ["}{", "A1 {abc}", "A2 LOGIN \"unterminated", "A3 FETCH 0 FLAGS", "A4 SELECT INBOX extra junk ("] {
        c.send(format!("{garbage}\r\n").as_bytes()).await;
        let r = c.line().await;
        assert!(r.contains(" BAD "), "{garbage}: {r}");
    }
    assert_eq!(c.cmd("NOOP").await, "A001 OK NOOP completed\r\n");
    c.send(&vec![b'x'; 200 * 1024]).await;
    assert_eq!(c.line().await, "* BYE Command line too long\r\n");
    assert_eq!(c.line().await, "", "connection closed");
}

#[tokio::test]
async fn offlineimap_finds_its_append_by_header() {
    let env = start().await;
    let mut c = env.login().await;
    c.cmd("SELECT INBOX").await;
    let msg = b"From: a@example.com\r\nX-OfflineIMAP: 1234-abcd\r\nSubject: x\r\n\r\nbody\r\n";
    let r = c.cmd(&format!("APPEND INBOX (\\Seen) {{{}+}}\r\n{}", msg.len(), String::from_utf8_lossy(msg))).await;
    assert!(r.contains("* 1 EXISTS\r\n"), "{r}");
    assert!(r.contains("OK [APPENDUID "), "{r}");
    assert_eq!(c.cmd("UID SEARCH HEADER X-OfflineIMAP 1234-abcd").await, "* SEARCH 1\r\nA004 OK SEARCH completed\r\n");
    assert_eq!(c.cmd("UID SEARCH HEADER X-OfflineIMAP other").await, "* SEARCH\r\nA005 OK SEARCH completed\r\n");
}

#[tokio::test]
async fn quota_root_without_a_backend_quota_is_empty() {
    let env = start().await;
    let mut c = env.login().await;
    assert_eq!(c.cmd("GETQUOTAROOT INBOX").await, "* QUOTAROOT INBOX\r\nA002 OK GETQUOTAROOT completed\r\n");
}

#[tokio::test]
async fn multipart_structure_parts_mime_headers_and_partials() {
    let env = start().await;
    let raw = b"From: a@example.com\r\nSubject: parts\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nfirst part\r\n\
--b1\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n"
        .to_vec();
    env.account.deliver("INBOX", vec![(raw, Timestamp(T0))]).await.unwrap();
    let mut c = env.login().await;
    c.cmd("EXAMINE INBOX").await;
    let r = c.cmd("FETCH 1 (BODYSTRUCTURE BODY)").await;
    assert!(
        r.starts_with(
            "* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL)\
(\"APPLICATION\" \"PDF\" (\"NAME\" \"a.pdf\") NIL NIL \"BASE64\" 12 NIL (\"ATTACHMENT\" (\"FILENAME\" \"a.pdf\")) NIL NIL) \
\"MIXED\" (\"BOUNDARY\" \"b1\") NIL NIL NIL) BODY ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 10 1)\
(\"APPLICATION\" \"PDF\" (\"NAME\" \"a.pdf\") NIL NIL \"BASE64\" 12) \"MIXED\"))"
        ),
        "{r}"
    );
    let r = c.cmd("FETCH 1 (BODY[2.MIME] BODY[2]<0.4> BODY[1] BODY[3])").await;
    assert!(r.contains("BODY[2.MIME] {"), "{r}");
    assert!(
        r.contains("Content-Disposition: attachment; filename=\"a.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"),
        "{r}"
    );
    assert!(r.contains("BODY[2]<0> {4}\r\nJVBE"), "{r}");
    assert!(r.contains("BODY[1] {10}\r\nfirst part"), "{r}");
    assert!(r.contains("BODY[3] NIL"), "{r}");
    // EXAMINE: a non-PEEK fetch sets nothing.
    assert!(!r.contains("FLAGS"), "{r}");
}
