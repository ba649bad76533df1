//! Real clients against the server: mbsync (isync) syncing to a Maildir and
//! back, curl fetching over IMAP, and a scripted Python imaplib session.
//! They skip with a note when the tool is missing, unless
//! MAPIBRIDGE_REQUIRE_TOOLS is set (CI).

mod common;

use std::path::Path;
use std::process::Output;

use common::{PASS, USER, deliver, start, tool};
use mailbox::{Account, FetchFields, Flag, UidSet};

async fn run(cmd: &'static str, args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || std::process::Command::new(cmd).args(&args).output().expect("spawn tool"))
        .await
        .expect("join")
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbsync_full_sync_both_ways_then_a_noop() {
    if !tool("mbsync") {
        return;
    }
    let env = start().await;
    deliver(&env.account, 3).await;
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("mail");
    std::fs::create_dir_all(&mail).unwrap();
    let config = dir.path().join("mbsyncrc");
    std::fs::write(
        &config,
        format!(
            "IMAPAccount test\nHost 127.0.0.1\nPort {port}\nUser {USER}\nPass {PASS}\nSSLType None\nAuthMechs LOGIN\n\n\
IMAPStore remote\nAccount test\n\n\
MaildirStore local\nPath {m}/\nInbox {m}/INBOX\nSubFolders Verbatim\n\n\
Channel sync\nFar :remote:\nNear :local:\nPatterns INBOX Archive\nCreate Both\nExpunge Both\nSyncState *\nSync All\n",
            port = env.addr.port(),
            m = mail.display()
        ),
    )
    .unwrap();
    let sync = || run("mbsync", vec!["-c".into(), config.display().to_string(), "-a".into()]);
    let out = sync().await;
    assert!(out.status.success(), "first sync: {}", String::from_utf8_lossy(&out.stderr));
    let inbox = mail.join("INBOX");
    let files = maildir_files(&inbox);
    assert_eq!(files.len(), 3, "{files:?}");
    let body = std::fs::read_to_string(inbox.join(&files[0])).unwrap();
    assert!(body.contains("Subject: m"), "{body}");

    // Locally: flag one, delete one, add one.
    let flagged_src = inbox.join(&files[0]);
    let base = files[0].rsplit('/').next().unwrap().split(":2,").next().unwrap().to_owned();
    std::fs::rename(&flagged_src, inbox.join("cur").join(format!("{base}:2,FS"))).unwrap();
    std::fs::remove_file(inbox.join(&files[1])).unwrap();
    std::fs::write(
        inbox.join("new").join("1700000000.local.host"),
        "From: Carol <carol@example.com>\r\nTo: alice@example.com\r\nSubject: from maildir\r\n\r\nnew local\r\n",
    )
    .unwrap();
    // On the server: another client marks the third answered.
    let folder = env.account.folder_by_path("INBOX").await.unwrap();
    let uids = folder.uids().await.unwrap();
    folder.store(&UidSet::from_iter([uids[2]]), &mailbox::FlagOp::Add([Flag::Answered].into()), None).await.unwrap();

    let out = sync().await;
    assert!(out.status.success(), "second sync: {}", String::from_utf8_lossy(&out.stderr));
    let got = folder.fetch(&UidSet::all(), FetchFields { mime: true, ..FetchFields::SUMMARY }).await.unwrap();
    let subjects: Vec<String> =
        got.iter().map(|m| m.envelope.as_ref().unwrap().subject.clone().unwrap_or_default()).collect();
    assert_eq!(subjects.len(), 3, "{subjects:?}");
    assert!(subjects.contains(&"from maildir".to_owned()), "{subjects:?}");
    let flagged = got.iter().find(|m| m.uid == uids[0]).expect("first kept");
    let f = flagged.flags.as_ref().unwrap();
    assert!(f.contains(&Flag::Flagged) && f.contains(&Flag::Seen), "{f:?}");
    assert!(!got.iter().any(|m| m.uid == uids[1]), "deleted locally -> expunged on the server");
    let files = maildir_files(&inbox);
    assert!(
        files.iter().any(|f| f.ends_with(":2,R") || f.contains(":2,R")),
        "server flag reached the Maildir: {files:?}"
    );

    // A third run changes nothing on either side.
    let before_server = folder.select().await.unwrap();
    let before_files = maildir_files(&inbox);
    let out = sync().await;
    assert!(out.status.success(), "third sync: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(maildir_files(&inbox), before_files);
    let after_server = folder.select().await.unwrap();
    assert_eq!(after_server.highest_modseq, before_server.highest_modseq);
    assert_eq!(after_server.exists, before_server.exists);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_fetches_a_message_and_lists_folders() {
    if !tool("curl") {
        return;
    }
    let env = start().await;
    deliver(&env.account, 2).await;
    let base = format!("imap://127.0.0.1:{}", env.addr.port());
    let user = format!("{USER}:{PASS}");
    let out = run("curl", vec!["-sS".into(), "--user".into(), user.clone(), format!("{base}/INBOX;UID=2")]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(body.contains("Subject: m2") && body.contains("Hello m2"), "{body}");
    let out = run("curl", vec!["-sS".into(), "--user".into(), user.clone(), format!("{base}/")]).await;
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(list.contains("* LIST (\\HasNoChildren) \"/\" INBOX"), "{list}");
    let out = run(
        "curl",
        vec!["-sS".into(), "--user".into(), user, "-X".into(), "SEARCH SUBJECT m1".into(), format!("{base}/INBOX")],
    )
    .await;
    assert_eq!(String::from_utf8_lossy(&out.stdout), "* SEARCH 1\r\n");
}

const PY: &str = r#"
import imaplib, sys, time
port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
M = imaplib.IMAP4("127.0.0.1", port)
assert "AUTH=PLAIN" in M.capabilities, M.capabilities
typ, _ = M.login(user, pw); assert typ == "OK"
typ, data = M.select("INBOX"); assert typ == "OK" and data == [b"3"], data
typ, data = M.search(None, "ALL"); assert data == [b"1 2 3"], data
typ, data = M.fetch("2", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"); assert b"Subject: m2" in data[0][1], data
typ, data = M.store("1", "+FLAGS", "\\Flagged"); assert typ == "OK" and b"\\Flagged" in data[0], data
msg = b"From: py@example.com\r\nSubject: from python\r\n\r\nhi\r\n"
typ, data = M.append("INBOX", "(\\Seen)", imaplib.Time2Internaldate(time.time()), msg); assert typ == "OK" and b"APPENDUID" in data[0], data
typ, data = M.uid("SEARCH", None, "SUBJECT", '"from python"'); assert data == [b"4"], data
M.create("Saved")
typ, data = M.copy("1:2", "Saved"); assert typ == "OK", data
typ, data = M.status("Saved", "(MESSAGES)"); assert data == [b'Saved (MESSAGES 2)'], data
typ, data = M.store("3", "+FLAGS", "\\Deleted")
typ, data = M.expunge(); assert data == [b"3"], data
typ, data = M.fetch("1:*", "(UID FLAGS)"); assert len(data) == 3, data
typ, data = M.list(); assert any(b'"Sent Items"' in l for l in data), data
M.close(); M.logout()
print("imaplib session ok")
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_imaplib_session() {
    if !tool("python3") {
        return;
    }
    let env = start().await;
    deliver(&env.account, 3).await;
    let out = run("python3", vec!["-c".into(), PY.into(), env.addr.port().to_string(), USER.into(), PASS.into()]).await;
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "imaplib session ok\n");
}

const PY_COMPRESS: &str = r#"
import socket, sys, zlib
port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port))
f = s.makefile("rb")
def line(): return f.readline()
assert line().startswith(b"* OK")
s.sendall(b"a LOGIN %s %s\r\n" % (user.encode(), pw.encode()))
r = line(); assert b"COMPRESS=DEFLATE" in r, r
s.sendall(b"b COMPRESS DEFLATE\r\n")
assert line() == b"b OK DEFLATE active\r\n"
comp = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
dec = zlib.decompressobj(-15)
def send(cmd):
    s.sendall(comp.compress(cmd) + comp.flush(zlib.Z_SYNC_FLUSH))
buf = b""
def read_until(tag):
    global buf
    while tag not in buf:
        chunk = s.recv(65536)
        assert chunk, buf
        buf += dec.decompress(chunk)
    out, buf = buf, b""
    return out
send(b"c SELECT INBOX\r\n")
r = read_until(b"c OK"); assert b"* 2 EXISTS" in r, r
send(b"d UID FETCH 1:* (BODY.PEEK[])\r\n")
r = read_until(b"d OK"); assert r.count(b"Hello m") == 2, r
send(b"e COMPRESS DEFLATE\r\n")
r = read_until(b"e NO"); assert b"[COMPRESSIONACTIVE]" in r, r
send(b"f LOGOUT\r\n")
r = read_until(b"f OK"); assert b"* BYE" in r, r
print("compress ok")
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compress_deflate_with_python_zlib() {
    if !tool("python3") {
        return;
    }
    let env = start().await;
    deliver(&env.account, 2).await;
    let out =
        run("python3", vec!["-c".into(), PY_COMPRESS.into(), env.addr.port().to_string(), USER.into(), PASS.into()])
            .await;
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "compress ok\n");
}
