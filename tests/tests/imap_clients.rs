//! More real IMAP clients over `imap::ImapServer`, `ExchangeProvider` and
//! an in-process exchange-sim (issue 7: "offlineimap and mutt must work"):
//! offlineimap (Debian `offlineimap3`) syncing alice's Inbox to a Maildir
//! and back, and mutt driven through a pseudo-terminal. Effects are checked
//! in a fresh IMAP session and in the simulator's store, not only through
//! the clients' exit codes.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use common::*;
use exchange_sim::store::SpecialFolder;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// `(uid, flags, subject)` of every message of one of alice's folders, in a
/// fresh session (what another client sees).
async fn folder_summary(stack: &Stack, folder: &str) -> Vec<(u32, String, String)> {
    let mut c = stack.imap_login(ALICE).await;
    let r = c.cmd(&format!("EXAMINE \"{folder}\"")).await;
    assert!(r.contains(" OK "), "{r}");
    let r = c.cmd("UID FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])").await;
    let mut out = Vec::new();
    for item in r.split("\r\n* ").filter(|s| s.contains("FETCH (")) {
        let uid = item.split("UID ").nth(1).and_then(|s| s.split([' ', ')']).next()).unwrap().parse().unwrap();
        let flags = item.split("FLAGS (").nth(1).and_then(|s| s.split(')').next()).unwrap().to_owned();
        // Decoded (RFC 2047), to compare with the simulator's PidTagSubject.
        let header = item.split_once("}\r\n").map_or("", |(_, h)| h);
        let parsed = mail_parser::MessageParser::default().parse_headers(header.as_bytes());
        let subject = parsed.as_ref().and_then(|m| m.subject()).unwrap_or_default().to_owned();
        out.push((uid, flags, subject));
    }
    c.cmd("LOGOUT").await;
    out
}

/// A message of alice's Inbox as the simulator stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stored {
    subject: String,
    read: bool,
    flagged: bool,
}

/// Alice's Inbox straight from the simulator's store (what Outlook would
/// see), sorted by subject.
fn sim_inbox(stack: &Stack) -> Vec<Stored> {
    let mailbox = stack.sim.store().mailbox(ALICE).unwrap();
    let inbox = mailbox.special_folder(SpecialFolder::Inbox);
    let mut out: Vec<Stored> = mailbox
        .contents(inbox, false)
        .unwrap()
        .into_iter()
        .map(|row| {
            let p = &row.content.props;
            let subject = match p.get_as(PropTag::SUBJECT).as_deref() {
                Some(PropValue::String(s)) => s.clone(),
                _ => String::new(),
            };
            let int = |t| match p.get(t) {
                Some(PropValue::I32(v)) => *v,
                _ => 0,
            };
            // MSGFLAG_READ ([MS-OXCMSG] 2.2.1.6); followupFlagged = 2 ([MS-OXOFLAG] 2.2.1.1).
            Stored { subject, read: int(PropTag::MESSAGE_FLAGS) & 1 != 0, flagged: int(PropTag::FLAG_STATUS) == 2 }
        })
        .collect();
    out.sort_by(|a, b| (&a.subject, a.read, a.flagged).cmp(&(&b.subject, b.read, b.flagged)));
    out
}

/// Runs a client with its own HOME (so it reads no user configuration),
/// killed after 30 s.
async fn run_client(cmd: &str, args: &[String], home: &Path) -> Output {
    let child = tokio::process::Command::new(cmd)
        .args(args)
        .env("HOME", home)
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    tokio::time::timeout(Duration::from_secs(30), child)
        .await
        .unwrap_or_else(|_| panic!("{cmd} did not finish within 30 s"))
        .expect("spawn client")
}

/// Files of a Maildir folder as `(sub/name)`, sorted.
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

/// The server UID offlineimap encodes in a Maildir file name (`…,U=7,…`).
fn offlineimap_uid(file: &str) -> Option<u32> {
    file.split(",U=").nth(1)?.split(',').next()?.parse().ok()
}

/// The Maildir flag letters of a file name (`…:2,FS` → `FS`).
fn maildir_flags(file: &str) -> &str {
    file.rsplit_once(":2,").map_or("", |(_, f)| f)
}

/// The client-to-server command lines of offlineimap's `-d imap` trace.
fn offlineimap_commands(o: &Output) -> Vec<String> {
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    all.lines()
        .filter_map(|l| l.split(" writer > b'").nth(1))
        .map(|l| l.trim_end_matches("\\r\\n'").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offlineimap_syncs_alices_inbox_both_ways_then_a_noop() {
    if !tool("offlineimap") {
        return;
    }
    let stack = start().await;
    let before = folder_summary(&stack, "INBOX").await;
    assert!(before.len() >= 4, "seeded inbox: {before:?}");
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("mail");
    let config = dir.path().join("offlineimaprc");
    std::fs::write(
        &config,
        format!(
            "[general]\naccounts = test\nmetadata = {meta}\n\n\
[Account test]\nlocalrepository = local\nremoterepository = remote\n\n\
[Repository local]\ntype = Maildir\nlocalfolders = {mail}\n\n\
[Repository remote]\ntype = IMAP\nremotehost = 127.0.0.1\nremoteport = {port}\nremoteuser = {ALICE}\n\
remotepass = {PASSWORD}\nssl = no\nstarttls = no\nfolderfilter = lambda f: f == 'INBOX'\n",
            meta = dir.path().join("meta").display(),
            mail = mail.display(),
            port = stack.imap.port(),
        ),
    )
    .unwrap();
    // One-shot, quiet, with the IMAP trace (to see what it sent).
    let args: Vec<String> = ["-c", &config.display().to_string(), "-o", "-u", "quiet", "-d", "imap"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let sync = || run_client("offlineimap", &args, dir.path());
    let clean = |o: &Output, what: &str| {
        let t = transcript(o);
        assert!(o.status.success() && !t.contains("ERROR"), "{what}: {t}");
    };

    let out = sync().await;
    clean(&out, "first sync");
    // offlineimap keeps the server's UIDVALIDITY and refuses to sync a
    // folder whose UIDVALIDITY changed.
    let validity_file = dir.path().join("meta/Repository-remote/FolderValidity/INBOX");
    let validity = std::fs::read_to_string(&validity_file).unwrap();
    let mut c = stack.imap_login(ALICE).await;
    let r = c.cmd("STATUS INBOX (UIDVALIDITY)").await;
    assert!(r.starts_with(&format!("* STATUS INBOX (UIDVALIDITY {})", validity.trim())), "{r} vs {validity}");
    c.cmd("LOGOUT").await;
    let inbox = mail.join("INBOX");
    let files = maildir_files(&inbox);
    let mut local: Vec<u32> = files.iter().filter_map(|f| offlineimap_uid(f)).collect();
    local.sort_unstable();
    assert_eq!(local, before.iter().map(|m| m.0).collect::<Vec<_>>(), "{files:?}");
    for f in &files {
        let uid = offlineimap_uid(f).unwrap();
        let (_, flags, subject) = before.iter().find(|m| m.0 == uid).unwrap();
        assert_eq!(maildir_flags(f).contains('S'), flags.contains("\\Seen"), "{f} vs {flags}");
        assert_eq!(maildir_flags(f).contains('F'), flags.contains("\\Flagged"), "{f} vs {flags}");
        let body = std::fs::read(inbox.join(f)).unwrap();
        let parsed = mail_parser::MessageParser::default().parse(&body).unwrap();
        assert_eq!(parsed.subject(), Some(subject.as_str()), "{f}");
    }

    // Locally: flag one message, delete another, add a new one. On the
    // server, another client marks a third one read and appends a message.
    let file_of = |uid: u32| files.iter().find(|f| offlineimap_uid(f) == Some(uid)).unwrap().clone();
    let to_flag = before.iter().find(|m| !m.1.contains("\\Flagged")).unwrap().0;
    let to_read = before.iter().find(|m| !m.1.contains("\\Seen") && m.0 != to_flag).expect("an unread message").0;
    let to_delete = before.iter().rev().find(|m| m.0 != to_flag && m.0 != to_read).unwrap().0;
    let flag_file = file_of(to_flag);
    let (stem, letters) = flag_file.rsplit_once(":2,").unwrap();
    let name = stem.rsplit('/').next().unwrap();
    std::fs::rename(inbox.join(&flag_file), inbox.join("cur").join(format!("{name}:2,F{letters}"))).unwrap();
    std::fs::remove_file(inbox.join(file_of(to_delete))).unwrap();
    std::fs::write(
        inbox.join("new").join("1795740000.local.host"),
        "From: Carol <carol@example.test>\r\nTo: alice@example.test\r\nSubject: from offlineimap\r\n\
Message-ID: <from-offlineimap@example.test>\r\nDate: Fri, 27 Nov 2026 05:00:00 +0000\r\n\r\nnew local\r\n",
    )
    .unwrap();
    let mut other = stack.imap_login(ALICE).await;
    assert!(other.cmd("SELECT INBOX").await.contains(" OK "));
    let r = other.cmd(&format!("UID STORE {to_read} +FLAGS.SILENT (\\Seen)")).await;
    assert!(r.contains(" OK "), "{r}");
    let msg =
        "From: Bob <bob@example.test>\r\nSubject: from the server\r\nMessage-ID: <srv@example.test>\r\n\r\nhi\r\n";
    let r = other.cmd(&format!("APPEND INBOX {{{}+}}\r\n{msg}", msg.len())).await;
    assert!(r.contains("OK [APPENDUID "), "{r}");
    other.cmd("LOGOUT").await;
    let sim_before = sim_inbox(&stack);

    let out = sync().await;
    clean(&out, "second sync");
    // Its trace is Python's bytes repr: a backslash shows doubled.
    let sent = offlineimap_commands(&out);
    for want in [
        "APPEND INBOX () ".to_owned(),
        format!("UID STORE {to_delete} +FLAGS (\\\\Deleted)"),
        format!("UID STORE {to_flag} +FLAGS (\\\\Flagged)"),
    ] {
        assert!(sent.iter().any(|c| c.contains(&want)), "{want} in {sent:?}");
    }
    let after = folder_summary(&stack, "INBOX").await;
    assert_eq!(after.len(), before.len() + 1, "one deleted, two added: {after:?}");
    assert!(!after.iter().any(|m| m.0 == to_delete), "{after:?}");
    let flagged = after.iter().find(|m| m.0 == to_flag).unwrap();
    assert!(flagged.1.contains("\\Flagged"), "{flagged:?}");
    let new = after.iter().find(|m| m.2 == "from offlineimap").expect("local message uploaded");
    assert!(!new.1.contains("\\Seen"), "unread as in new/: {new:?}");
    // Exchange itself: the follow-up flag set, the item gone, one new item.
    let sim_after = sim_inbox(&stack);
    assert_eq!(sim_after.len(), sim_before.len(), "{sim_after:?}");
    let subject_of = |uid: u32| before.iter().find(|m| m.0 == uid).unwrap().2.clone();
    let count =
        |v: &[Stored], s: &str, f: &dyn Fn(&Stored) -> bool| v.iter().filter(|m| m.subject == s && f(m)).count();
    assert_eq!(count(&sim_after, "from offlineimap", &|m| !m.read), 1, "{sim_after:?}");
    let flagged_subject = subject_of(to_flag);
    assert_eq!(
        count(&sim_after, &flagged_subject, &|m| m.flagged),
        count(&sim_before, &flagged_subject, &|m| m.flagged) + 1,
        "{sim_after:?}"
    );
    let deleted_subject = subject_of(to_delete);
    assert_eq!(
        count(&sim_after, &deleted_subject, &|_| true),
        count(&sim_before, &deleted_subject, &|_| true) - 1,
        "{sim_after:?}"
    );
    // The other client's changes came down.
    let files = maildir_files(&inbox);
    assert_eq!(files.len(), after.len(), "{files:?}");
    let read = files.iter().find(|f| offlineimap_uid(f) == Some(to_read)).unwrap();
    assert!(maildir_flags(read).contains('S'), "{read}");
    let server_new = after.iter().find(|m| m.2 == "from the server").unwrap().0;
    let down = files.iter().find(|f| offlineimap_uid(f) == Some(server_new)).expect("server message downloaded");
    let text = std::fs::read_to_string(inbox.join(down)).unwrap();
    // offlineimap stores native (LF) line ends.
    assert!(text.replace("\r\n", "\n").ends_with("\n\nhi\n"), "{text:?}");

    // A third run: same UIDVALIDITY, nothing to send either way.
    let out = sync().await;
    clean(&out, "third sync");
    let sent = offlineimap_commands(&out);
    assert!(sent.iter().any(|c| c.ends_with(" FETCH 1:* (FLAGS UID INTERNALDATE)")), "{sent:?}");
    let writes: Vec<String> = sent
        .into_iter()
        .filter(|c| ["APPEND", "STORE", "EXPUNGE", "COPY", "MOVE"].iter().any(|w| c.contains(w)))
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    assert_eq!(maildir_files(&inbox), files);
    assert_eq!(folder_summary(&stack, "INBOX").await, after);
    assert_eq!(std::fs::read_to_string(&validity_file).unwrap(), validity);
}

/// A muttrc for alice over plain IMAP on loopback, with a header cache
/// (which makes mutt resynchronise with QRESYNC).
fn muttrc(stack: &Stack, home: &Path) -> String {
    format!(
        "set imap_user = \"{ALICE}\"\nset imap_pass = \"{PASSWORD}\"\n\
set folder = \"imap://127.0.0.1:{port}/\"\nset spoolfile = \"+INBOX\"\n\
set ssl_starttls = no\nset ssl_force_tls = no\nset imap_authenticators = \"login\"\n\
set imap_passive = yes\nset mail_check = 60\nset timeout = 60\n\
set move = no\nset delete = yes\nset confirmappend = no\nset confirmcreate = no\nset quit = yes\nset mark_old = no\n\
set record = \"\"\nset header_cache = \"{hcache}\"\nset imap_qresync = yes\nset message_cachedir = \"\"\n\
set resolve = no\nset sort = mailbox-order\nset wait_key = no\n",
        port = stack.imap.port(),
        hcache = home.join("hcache").display(),
    )
}

/// Runs mutt on a pseudo-terminal (`script`) with keys pushed into its
/// input; returns its IMAP trace (the `-d 3` debug file) and the screen
/// output.
async fn mutt(home: &Path, keys: &str) -> (String, String) {
    let debug = home.join(".muttdebug0");
    let _ = std::fs::remove_file(&debug);
    let rc = home.join("muttrc");
    let cmd = format!("mutt -n -d 3 -F '{}' -e 'push \"{keys}\"'", rc.display());
    let out = run_client("script", &["-qec".into(), cmd, "/dev/null".into()], home).await;
    assert!(out.status.success(), "mutt: {}", transcript(&out));
    // A beep means a pushed key landed where it was not expected (a
    // prompt, an error): the rest of the script is then meaningless.
    let screen = String::from_utf8_lossy(&out.stdout).replace('\x1b', "^[");
    assert!(!screen.contains('\x07'), "mutt beeped; screen: {screen}");
    (std::fs::read_to_string(&debug).unwrap_or_default(), screen)
}

/// mutt's commands from its debug trace (`… 4> a0005 UID STORE …`).
fn mutt_commands(trace: &str) -> Vec<String> {
    trace
        .lines()
        .filter_map(|l| {
            let sent = l.split_once("] ")?.1.trim_start_matches(|c: char| c.is_ascii_digit()).strip_prefix("> ")?;
            Some(sent.split_once(' ')?.1.to_owned())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutt_reads_flags_copies_and_deletes() {
    if !tool("mutt") || !tool("script") {
        return;
    }
    let stack = start().await;
    let before = folder_summary(&stack, "INBOX").await;
    let drafts_before = folder_summary(&stack, "Drafts").await;
    assert!(before.len() >= 3, "{before:?}");
    let (first, second, last) = (&before[0], &before[1], &before[before.len() - 1]);
    assert!(!second.1.contains("\\Seen"), "the seed's second message is unread: {before:?}");
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("muttrc"), muttrc(&stack, home.path())).unwrap();

    // Read the second message and copy it to a new folder, flag the first
    // and copy it to Drafts, delete the last, then sync and quit.
    let (trace, _) = mutt(
        home.path(),
        "<first-entry><next-entry><display-message><exit><copy-message>=Keep<enter>\
<first-entry><flag-message><copy-message>=Drafts<enter>\
<last-entry><delete-message><sync-mailbox><quit>",
    )
    .await;
    let commands = mutt_commands(&trace);
    let has = |prefix: &str| commands.iter().any(|c| c.starts_with(prefix));
    assert!(
        has("FETCH 1:") && commands.iter().any(|c| c.contains("BODY.PEEK[HEADER.FIELDS (DATE FROM SENDER SUBJECT")),
        "header fetch: {commands:?}"
    );
    assert!(has(&format!("UID FETCH {} BODY.PEEK[]", second.0)), "{commands:?}");
    assert!(has(&format!("UID COPY {} \"Drafts\"", first.0)), "{commands:?}");
    assert!(has("UID STORE") && has("EXPUNGE"), "{commands:?}");
    // A copy to a missing folder: NO [TRYCREATE], CREATE, the copy again.
    let copy_keep = format!("UID COPY {} \"Keep\"", second.0);
    let at = |c: &str| commands.iter().position(|x| *x == c).unwrap_or_else(|| panic!("{c} in {commands:?}"));
    assert!(at(&copy_keep) < at("CREATE \"Keep\""), "{commands:?}");
    assert_eq!(commands.iter().filter(|c| **c == copy_keep).count(), 2, "{commands:?}");
    assert!(trace.contains(" NO [TRYCREATE]"), "{trace}");

    let after = folder_summary(&stack, "INBOX").await;
    assert_eq!(after.len(), before.len() - 1, "{after:?}");
    assert!(!after.iter().any(|m| m.0 == last.0), "{after:?}");
    let a1 = after.iter().find(|m| m.0 == first.0).unwrap();
    // Flagging replaces the whole flag list: the keywords (categories) stay.
    let flagged_again = !first.1.contains("\\Flagged");
    assert_eq!(a1.1.contains("\\Flagged"), flagged_again, "{a1:?}");
    for kw in first.1.split(' ').filter(|f| !f.is_empty() && !f.starts_with('\\')) {
        assert!(a1.1.split(' ').any(|f| f == kw), "keyword {kw} kept: {a1:?}");
    }
    let a2 = after.iter().find(|m| m.0 == second.0).unwrap();
    assert!(a2.1.contains("\\Seen"), "read in mutt: {a2:?}");
    // mutt stored the \\Seen flag before copying: the copy has it, and the
    // message's categories came along.
    let keep = folder_summary(&stack, "Keep").await;
    assert_eq!(keep.len(), 1, "{keep:?}");
    assert_eq!((&keep[0].1, &keep[0].2), (&a2.1, &a2.2), "{keep:?} vs {a2:?}");
    let drafts = folder_summary(&stack, "Drafts").await;
    assert_eq!(drafts.len(), drafts_before.len() + 1, "{drafts:?}");
    assert!(drafts.iter().any(|m| m.2 == first.2), "{drafts:?}");
    let sim = sim_inbox(&stack);
    assert_eq!(sim.len(), after.len(), "{sim:?}");

    // Another client flags one message and expunges another; mutt opens
    // the folder again from its header cache: QRESYNC reports both, mutt
    // shows them, and writes nothing.
    let (flag, gone) = (after[after.len() - 1].0, after[0].0);
    let mut other = stack.imap_login(ALICE).await;
    assert!(other.cmd("SELECT INBOX").await.contains(" OK "));
    other.cmd(&format!("UID STORE {flag} +FLAGS.SILENT (\\Flagged)")).await;
    other.cmd(&format!("UID STORE {gone} +FLAGS.SILENT (\\Deleted)")).await;
    assert!(other.cmd("EXPUNGE").await.contains(" OK "));
    other.cmd("LOGOUT").await;
    let expected = folder_summary(&stack, "INBOX").await;
    assert_eq!(expected.len(), after.len() - 1);
    let (trace, screen) = mutt(home.path(), "<quit>").await;
    let commands = mutt_commands(&trace);
    assert!(
        commands.iter().any(|c| c.contains(" (FLAGS) (CHANGEDSINCE ") && c.ends_with(" VANISHED)")),
        "{commands:?}"
    );
    assert!(trace.contains(&format!("* VANISHED (EARLIER) {gone}")), "{trace}");
    let writes: Vec<&String> =
        commands.iter().filter(|c| ["STORE", "EXPUNGE", "COPY", "APPEND"].iter().any(|w| c.contains(w))).collect();
    assert!(writes.is_empty(), "{writes:?}");
    let flagged = expected.iter().filter(|m| m.1.contains("\\Flagged")).count();
    assert!(screen.contains(&format!("[Msgs:{} Flag:{flagged} ", expected.len())), "{screen}");
    assert_eq!(folder_summary(&stack, "INBOX").await, expected);
}

/// An IMAP client speaking through COMPRESS=DEFLATE (RFC 4978: raw
/// deflate, sync-flushed each way) after the server said OK to it.
struct Deflated {
    io: TcpStream,
    out: Compress,
    inp: Decompress,
    /// Inflated bytes not yet returned as lines.
    buf: Vec<u8>,
    n: u32,
}

impl Deflated {
    fn new(io: TcpStream) -> Self {
        Self {
            io,
            out: Compress::new(Compression::default(), false),
            inp: Decompress::new(false),
            buf: Vec::new(),
            n: 0,
        }
    }

    async fn send(&mut self, data: &[u8]) {
        let mut z = Vec::with_capacity(data.len() + 64);
        let start = self.out.total_in();
        loop {
            let done = usize::try_from(self.out.total_in() - start).unwrap();
            self.out.compress_vec(&data[done..], &mut z, FlushCompress::Sync).unwrap();
            if usize::try_from(self.out.total_in() - start).unwrap() == data.len() && z.len() < z.capacity() {
                break;
            }
            z.reserve(1024);
        }
        self.io.write_all(&z).await.unwrap();
    }

    /// Reads and inflates until `buf` holds `n` bytes.
    async fn fill(&mut self, n: usize) {
        while self.buf.len() < n {
            let mut raw = [0u8; 8192];
            let got = tokio::time::timeout(Duration::from_secs(20), self.io.read(&mut raw))
                .await
                .expect("compressed response within 20 s")
                .unwrap();
            assert!(got > 0, "connection closed: {}", String::from_utf8_lossy(&self.buf));
            let mut pos = 0;
            while pos < got {
                let mut plain = Vec::with_capacity(64 * 1024);
                let before = self.inp.total_in();
                self.inp.decompress_vec(&raw[pos..got], &mut plain, FlushDecompress::Sync).unwrap();
                pos += usize::try_from(self.inp.total_in() - before).unwrap();
                self.buf.extend_from_slice(&plain);
            }
        }
    }

    /// One response line with the literals it announces.
    async fn line(&mut self) -> String {
        let mut out = Vec::new();
        loop {
            let end = loop {
                if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                    break i + 2;
                }
                self.fill(self.buf.len() + 1).await;
            };
            let line: Vec<u8> = self.buf.drain(..end).collect();
            out.extend_from_slice(&line);
            let text = String::from_utf8_lossy(&line).into_owned();
            let t = text.trim_end();
            if let Some(open) = t.rfind('{')
                && t.ends_with('}')
                && let Ok(len) = t[open + 1..t.len() - 1].parse::<usize>()
            {
                self.fill(len).await;
                out.extend(self.buf.drain(..len));
                continue;
            }
            return String::from_utf8_lossy(&out).into_owned();
        }
    }

    async fn cmd(&mut self, command: &str) -> String {
        self.n += 1;
        let tag = format!("Z{}", self.n);
        self.send(format!("{tag} {command}\r\n").as_bytes()).await;
        let mut all = String::new();
        loop {
            let l = self.line().await;
            all.push_str(&l);
            if l.starts_with(&format!("{tag} ")) {
                return all;
            }
        }
    }
}

/// `(uid, flags line)` of each untagged FETCH in a response.
fn fetched(r: &str) -> Vec<(u32, String)> {
    r.lines()
        .filter(|l| l.starts_with("* ") && l.contains(" FETCH (UID "))
        .map(|l| (l.split("(UID ").nth(1).and_then(|s| s.split(' ').next()).unwrap().parse().unwrap(), l.to_owned()))
        .collect()
}

/// Sends `send` on an uncompressed connection and reads until `until`.
async fn plain_step(io: &mut TcpStream, send: &str, until: &str) -> String {
    io.write_all(send.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let mut b = [0u8; 4096];
    // Whole lines only: the last one may still be on its way.
    while !(String::from_utf8_lossy(&got).contains(until) && got.ends_with(b"\r\n")) {
        let n = tokio::time::timeout(Duration::from_secs(20), io.read(&mut b)).await.unwrap().unwrap();
        assert!(n > 0, "{}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&b[..n]);
    }
    String::from_utf8_lossy(&got).into_owned()
}

/// iOS Mail: ID before anything else, COMPRESS, then a resync by
/// CHANGEDSINCE (without ENABLE) that must report what Outlook changed in
/// Exchange and nothing else, and comma lists with ranges.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ios_mail_compressed_resync_sees_an_outlook_change_by_changedsince() {
    let stack = start().await;
    let mut io = TcpStream::connect(stack.imap).await.unwrap();
    assert!(plain_step(&mut io, "", "\r\n").await.starts_with("* OK "));
    let id = "i1 ID (\"name\" \"iPhone Mail\" \"version\" \"21A329\" \"os\" \"iOS\" \"os-version\" \"17.0\")\r\n";
    assert!(plain_step(&mut io, id, "i1 OK").await.starts_with("* ID (\"name\" \"mapibridge\""));
    let r = plain_step(&mut io, &format!("i2 LOGIN {ALICE} {PASSWORD}\r\n"), "i2 ").await;
    assert!(r.starts_with("i2 OK ") && r.contains(" COMPRESS=DEFLATE"), "{r}");
    assert_eq!(plain_step(&mut io, "i3 COMPRESS DEFLATE\r\n", "\r\n").await, "i3 OK DEFLATE active\r\n");
    let mut z = Deflated::new(io);

    let r = z.cmd("SELECT INBOX").await;
    let hms: u64 = r.split("HIGHESTMODSEQ ").nth(1).and_then(|s| s.split(']').next()).unwrap().parse().unwrap();
    let all = fetched(&z.cmd("UID FETCH 1:* (FLAGS)").await);
    let (unread, _) = all.iter().find(|(_, l)| !l.contains("\\Seen")).expect("an unread message in the seed").clone();

    // Outlook reads the only unread message (in Exchange, not over IMAP).
    let mailbox = stack.sim.store().mailbox(ALICE).unwrap();
    let inbox = mailbox.special_folder(SpecialFolder::Inbox);
    let rows = mailbox.contents(inbox, false).unwrap();
    let unread_rows: Vec<_> = rows
        .iter()
        .filter(|r| !matches!(r.content.props.get(PropTag::MESSAGE_FLAGS), Some(PropValue::I32(f)) if f & 1 != 0))
        .collect();
    assert_eq!(unread_rows.len(), 1, "one unread message in the seed");
    assert!(mailbox.set_read_flag(unread_rows[0].id, true).unwrap());

    // iOS resyncs on its own schedule; the change reaches the gateway
    // through Exchange's notifications.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let changed = loop {
        let r = z.cmd(&format!("UID FETCH 1:* (FLAGS) (CHANGEDSINCE {hms})")).await;
        assert!(r.ends_with(" OK FETCH completed\r\n"), "{r}");
        let got = fetched(&r);
        if !got.is_empty() {
            break got;
        }
        assert!(tokio::time::Instant::now() < deadline, "no change reported within 10 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(changed.iter().all(|(u, _)| *u == unread), "only the message Outlook read: {changed:?}");
    let line = &changed[0].1;
    assert!(line.contains("\\Seen") && line.contains(" MODSEQ ("), "{line}");
    let modseq: u64 = line.split("MODSEQ (").nth(1).and_then(|s| s.split(')').next()).unwrap().parse().unwrap();
    assert!(modseq > hms, "{line}");

    // Comma lists with ranges in any order.
    let uids: Vec<u32> = all.iter().map(|(u, _)| *u).collect();
    let set = format!("{},{}:{}", uids[uids.len() - 1], uids[1], uids[0]);
    let got: Vec<u32> =
        fetched(&z.cmd(&format!("UID FETCH {set} (FLAGS)")).await).into_iter().map(|(u, _)| u).collect();
    assert_eq!(got, [uids[0], uids[1], uids[uids.len() - 1]]);

    // Outlook deletes a message: without QRESYNC iOS learns of it by
    // EXPUNGE, at the sequence number it had.
    let row = rows.last().unwrap();
    let message_id = match row.content.props.get_as(PropTag::INTERNET_MESSAGE_ID).as_deref() {
        Some(PropValue::String(s)) => s.clone(),
        other => panic!("seeded Message-ID: {other:?}"),
    };
    let r = z.cmd(&format!("UID SEARCH HEADER Message-ID \"{message_id}\"")).await;
    let gone: u32 = r
        .strip_prefix("* SEARCH ")
        .and_then(|s| s.split("\r\n").next()?.parse().ok())
        .unwrap_or_else(|| panic!("{message_id}: {r}"));
    let seq = uids.iter().position(|u| *u == gone).unwrap() + 1;
    assert_eq!(mailbox.delete_messages(inbox, &[row.id], false).unwrap(), [row.id]);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let r = z.cmd("NOOP").await;
        if r.contains(" EXPUNGE") {
            assert_eq!(r, format!("* {seq} EXPUNGE\r\nZ{} OK NOOP completed\r\n", z.n), "UID {gone}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no EXPUNGE within 10 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let left: Vec<u32> = fetched(&z.cmd("UID FETCH 1:* (FLAGS)").await).into_iter().map(|(u, _)| u).collect();
    assert_eq!(left, uids.iter().copied().filter(|u| *u != gone).collect::<Vec<_>>());
    let r = z.cmd("LOGOUT").await;
    assert!(r.starts_with("* BYE ") && r.contains(" OK "), "{r}");
}

/// Thunderbird marks a forwarded message with `$Forwarded`: in Exchange
/// that is the last verb "forward" (what Outlook shows); and it asks STATUS
/// of the folder it has selected, which must be current.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thunderbird_forwarded_reaches_exchange_and_status_of_the_selected_folder_is_current() {
    let stack = start().await;
    let mut c = stack.imap_login(ALICE).await;
    let r = c.cmd("SELECT INBOX").await;
    assert!(r.contains(" $Forwarded "), "{r}");
    let uidnext: u32 = r.split("[UIDNEXT ").nth(1).and_then(|s| s.split(']').next()).unwrap().parse().unwrap();
    let exists: u32 = r.lines().find_map(|l| l.strip_prefix("* ")?.strip_suffix(" EXISTS")?.parse().ok()).unwrap();
    let before = fetched(&c.cmd("UID FETCH 1:* (FLAGS)").await);
    let (uid, _) = before.iter().find(|(_, l)| !l.contains("$Forwarded") && !l.contains("\\Answered")).unwrap().clone();
    let r = c.cmd(&format!("UID STORE {uid} +FLAGS ($Forwarded)")).await;
    assert!(r.contains(&format!("(UID {uid} FLAGS (")) && r.contains(" $Forwarded"), "{r}");
    let subject = folder_summary(&stack, "INBOX").await.into_iter().find(|m| m.0 == uid).unwrap().2;
    // PidTagLastVerbExecuted 104 = NOTEIVERB_FORWARD ([MS-OXOMSG] 2.2.1.20).
    let mailbox = stack.sim.store().mailbox(ALICE).unwrap();
    let rows = mailbox.contents(mailbox.special_folder(SpecialFolder::Inbox), false).unwrap();
    let verbs: Vec<Option<&PropValue>> = rows
        .iter()
        .filter(|r| matches!(r.content.props.get_as(PropTag::SUBJECT).as_deref(), Some(PropValue::String(s)) if *s == subject))
        .map(|r| r.content.props.get(PropTag::LAST_VERB_EXECUTED))
        .collect();
    assert!(verbs.contains(&Some(&PropValue::I32(104))), "{subject}: {verbs:?}");
    // Another session sees it, and finds it by keyword.
    let mut other = stack.imap_login(ALICE).await;
    assert!(other.cmd("SELECT INBOX").await.contains(" OK "));
    let r = other.cmd("UID SEARCH KEYWORD $Forwarded").await;
    assert!(r.starts_with("* SEARCH ") && r.lines().next().unwrap().split(' ').any(|u| u == uid.to_string()), "{r}");

    // The other session adds a message; STATUS of the selected folder
    // counts it at once.
    let msg = "From: Bob <bob@example.test>\r\nSubject: status check\r\n\r\nhi\r\n";
    let r = other.cmd(&format!("APPEND INBOX {{{}+}}\r\n{msg}", msg.len())).await;
    assert!(r.contains("[APPENDUID ") && r.contains(&format!(" {uidnext}] ")), "{r}");
    let r = c.cmd("STATUS \"INBOX\" (UIDNEXT MESSAGES UNSEEN RECENT)").await;
    let status = r.lines().find(|l| l.starts_with("* STATUS ")).unwrap_or_else(|| panic!("{r}"));
    assert!(
        status.starts_with(&format!("* STATUS INBOX (UIDNEXT {} MESSAGES {} UNSEEN ", uidnext + 1, exists + 1)),
        "{r}"
    );
    // The session learns of it too (EXISTS along with STATUS or at the next
    // command).
    let r = format!("{r}{}{}", c.cmd("NOOP").await, c.cmd("UID FETCH 1:* (UID)").await);
    assert_eq!(r.matches(&format!("* {} EXISTS\r\n", exists + 1)).count(), 1, "{r}");
    assert!(r.contains(&format!("(UID {uidnext})")), "{r}");
}

/// K-9 Mail / Thunderbird for Android: `UID FETCH <uidnext>:*` and
/// `UID SEARCH UID x:*` past the last UID answer with the last message
/// (RFC 9051 §9: `x:*` is the range between x and the highest UID), over
/// Exchange's UIDs; and with IDLE off it polls with NOOP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn k9_past_the_end_ranges_and_noop_polling_over_exchange() {
    let stack = start().await;
    let mut c = stack.imap_login(ALICE).await;
    let r = c.cmd("SELECT INBOX").await;
    let uidnext: u32 = r.split("[UIDNEXT ").nth(1).and_then(|s| s.split(']').next()).unwrap().parse().unwrap();
    let exists: u32 = r.lines().find_map(|l| l.strip_prefix("* ")?.strip_suffix(" EXISTS")?.parse().ok()).unwrap();
    let last = fetched(&c.cmd("UID FETCH 1:* (FLAGS)").await).last().unwrap().0;
    let got = fetched(&c.cmd(&format!("UID FETCH {uidnext}:* (FLAGS)")).await);
    assert_eq!(got.iter().map(|(u, _)| *u).collect::<Vec<_>>(), [last]);
    assert!(got[0].1.starts_with(&format!("* {exists} FETCH ")), "{got:?}");
    for search in [format!("UID SEARCH UID {}:*", uidnext + 10), format!("UID SEARCH UID {uidnext}:* NOT DELETED")] {
        assert_eq!(c.cmd(&search).await.lines().next().unwrap(), format!("* SEARCH {last}"), "{search}");
    }

    // Another client (Outlook through the gateway here) adds a message;
    // K-9's poll sees it within a few NOOPs.
    let mut other = stack.imap_login(ALICE).await;
    let msg = "From: Bob <bob@example.test>\r\nSubject: polled\r\n\r\nhi\r\n";
    assert!(other.cmd(&format!("APPEND INBOX {{{}+}}\r\n{msg}", msg.len())).await.contains(" OK "));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if c.cmd("NOOP").await.contains(&format!("* {} EXISTS\r\n", exists + 1)) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no EXISTS within 10 s of NOOPs");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let got = fetched(&c.cmd(&format!("UID FETCH {uidnext}:* (UID FLAGS)")).await);
    assert_eq!(got.iter().map(|(u, _)| *u).collect::<Vec<_>>(), [uidnext]);
}

/// Thunderbird (and K-9 without APPENDUID/COPYUID) find a message again by
/// `UID SEARCH HEADER Message-ID`; mutt's `~h` searches HEADER too. Items
/// Exchange did not receive over SMTP (Outlook's own, sent items) carry no
/// transport headers, yet the gateway shows them with these fields, so
/// HEADER must find them. (Drafts without a Message-ID get a made-up one
/// in their MIME only; HEADER does not find that.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_search_finds_items_without_transport_headers() {
    let stack = start().await;
    let mut c = stack.imap_login(ALICE).await;
    for folder in ["INBOX", "Sent Items"] {
        assert!(c.cmd(&format!("EXAMINE \"{folder}\"")).await.contains(" OK "));
        let r = c.cmd("UID FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])").await;
        let ids: Vec<(u32, String)> = r
            .split("\r\n* ")
            .filter(|s| s.contains("FETCH (UID "))
            .filter_map(|s| {
                let uid = s.split("UID ").nth(1)?.split(' ').next()?.parse().ok()?;
                let id = s.lines().find_map(|l| l.strip_prefix("Message-ID: "))?.trim().to_owned();
                Some((uid, id))
            })
            .collect();
        assert!(!ids.is_empty(), "{folder}: {r}");
        for (uid, id) in &ids {
            let r = c.cmd(&format!("UID SEARCH HEADER Message-ID \"{id}\"")).await;
            assert_eq!(r.lines().next().unwrap(), format!("* SEARCH {uid}"), "{folder} {id}");
        }
        let by_subject = c.cmd("UID SEARCH SUBJECT \"e\"").await;
        let by_header = c.cmd("UID SEARCH HEADER Subject \"e\"").await;
        assert_eq!(by_header.lines().next(), by_subject.lines().next(), "{folder}");
    }
}

/// Thunderbird deletes by moving to the Trash folder (`UID MOVE`, RFC 6851)
/// or, in its "mark as deleted" mode, by `\Deleted` and `UID EXPUNGE` of
/// just that message (RFC 4315) while others stay marked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thunderbird_move_to_trash_and_uid_expunge_of_one_message() {
    let stack = start().await;
    let before = folder_summary(&stack, "INBOX").await;
    let trash_before = folder_summary(&stack, "Deleted Items").await;
    let uids: Vec<u32> = before.iter().map(|m| m.0).collect();
    assert!(uids.len() >= 4, "{before:?}");
    let mut c = stack.imap_login(ALICE).await;
    assert!(c.cmd("SELECT INBOX").await.contains(" OK [READ-WRITE]"));

    let r = c.cmd(&format!("UID MOVE {} \"Deleted Items\"", uids[2])).await;
    assert!(r.starts_with("* OK [COPYUID "), "{r}");
    assert!(r.contains("\r\n* 3 EXPUNGE\r\n") && r.ends_with(" OK MOVE completed\r\n"), "{r}");
    let r = c.cmd(&format!("UID STORE {},{} +FLAGS.SILENT (\\Deleted)", uids[0], uids[1])).await;
    assert!(r.ends_with(" OK STORE completed\r\n"), "{r}");
    let r = c.cmd(&format!("UID EXPUNGE {}", uids[1])).await;
    assert_eq!(r.lines().next().unwrap(), "* 2 EXPUNGE", "{r}");
    assert!(r.ends_with(" OK EXPUNGE completed\r\n") && r.matches("EXPUNGE\r\n").count() == 1, "{r}");

    let after = folder_summary(&stack, "INBOX").await;
    let left: Vec<u32> = after.iter().map(|m| m.0).collect();
    let mut want = uids.clone();
    want.retain(|u| *u != uids[1] && *u != uids[2]);
    assert_eq!(left, want);
    assert!(after[0].1.contains("\\Deleted"), "still marked: {after:?}");
    // Expunged items go to Deleted Items too (the gateway's default
    // ExpungeMode::MoveToTrash, recoverable as in Outlook).
    let trash = folder_summary(&stack, "Deleted Items").await;
    assert_eq!(trash.len(), trash_before.len() + 2, "{trash:?}");
    for moved in [&before[1], &before[2]] {
        assert!(trash.iter().any(|m| m.2 == moved.2), "{moved:?} in {trash:?}");
    }
    // In Exchange: moved, not copied.
    assert_eq!(sim_inbox(&stack).len(), before.len() - 2);
    // Undo of the mark.
    let r = c.cmd(&format!("UID STORE {} -FLAGS.SILENT (\\Deleted)", uids[0])).await;
    assert!(r.ends_with(" OK STORE completed\r\n"), "{r}");
    assert!(!folder_summary(&stack, "INBOX").await[0].1.contains("\\Deleted"));
}
