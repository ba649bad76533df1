//! Python's `smtplib` against the server over the in-memory mailbox.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::*;
use mail_parser::{MessageParser, MimeHeaders};
use smtp::{PlaintextAuth, SmtpConfig, TlsMode};
use test_support::smtplib::Smtplib;

/// smtplib against `f` as Alice; the scripts log in with `tls_login()`.
fn python(f: &Fixture, script: &str) -> Smtplib {
    Smtplib::start(f.addr.port(), ALICE, PASSWORD, script)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtplib_attachment_lands_intact_once_and_bcc_is_invisible() {
    if !have_tool("python3") {
        return;
    }
    let f = start().await;
    let script = r#"
tls_login()
m = EmailMessage()
m["From"] = "Alice <alice@example.test>"
m["To"] = "Bob <bob@example.test>"
m["Bcc"] = "Hidden <hidden@example.test>"
m["Subject"] = "Résumé attached"
m.set_content("Hello Bob,\nsee the attachment.\n")
m.add_attachment(bytes(range(256)) * 1000, maintype="application", subtype="pdf", filename="cv.pdf")
# sendmail (not send_message, which drops Bcc itself): the server must.
send(m.as_bytes(), ["bob@example.test", "hidden@example.test"])
s.quit()
"#;
    let mut py = python(&f, script);
    assert_eq!(py.line().await, "ok");
    py.finish().await;
    let submitted = f.account.submitted();
    assert_eq!(submitted.len(), 1);
    assert_eq!(submitted[0].recipients, ["bob@example.test", "hidden@example.test"]);
    let sent = sent_items(&f.account).await;
    assert_eq!(sent.len(), 1, "exactly one Sent copy");
    let expected: Vec<u8> = (0..1000).flat_map(|_| 0..=255u8).collect();
    for mime in [&submitted[0].mime, &sent[0]] {
        assert!(!String::from_utf8_lossy(mime).contains("hidden"), "Bcc leaked");
        let m = MessageParser::default().parse(mime).unwrap();
        assert_eq!(m.subject(), Some("Résumé attached"));
        assert_eq!(m.to().unwrap().first().unwrap().address(), Some("bob@example.test"));
        assert!(m.body_text(0).unwrap().contains("see the attachment."));
        let a = m.attachment(0).unwrap();
        assert_eq!(a.attachment_name(), Some("cv.pdf"));
        assert_eq!(a.contents(), expected.as_slice());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtplib_backend_down_during_data_gets_451_and_the_retry_is_delivered_once() {
    if !have_tool("python3") {
        return;
    }
    let f = start().await;
    let script = r#"
tls_login()
m = EmailMessage()
m["From"] = "alice@example.test"
m["To"] = "bob@example.test"
m["Subject"] = "retry"
m["Message-ID"] = "<smtplib-retry@example.test>"
m.set_content("sent once\n")
print("ready", flush=True)
for _ in range(3):
    sys.stdin.readline()
    send(m.as_bytes(), ["bob@example.test"])
s.quit()
"#;
    let mut py = python(&f, script);
    assert_eq!(py.line().await, "ready");
    f.account.set_unavailable(true);
    py.go().await;
    let r = py.line().await;
    assert!(r.starts_with("SMTPDataError 451 4.4.1") && r.contains("NOT sent"), "{r}");
    assert!(f.account.submitted().is_empty());
    f.account.set_unavailable(false);
    py.go().await;
    assert_eq!(py.line().await, "ok");
    // The client retries again (say it never saw our 250).
    py.go().await;
    assert_eq!(py.line().await, "ok");
    py.finish().await;
    assert_eq!(f.account.submitted().len(), 1, "delivered exactly once");
    assert_eq!(sent_items(&f.account).await.len(), 1);
    assert_eq!(f.server.metrics().messages_deduplicated, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtplib_oversized_message_is_refused_at_mail_from() {
    if !have_tool("python3") {
        return;
    }
    let config = SmtpConfig { max_message_size: 1_000_000, ..test_config() };
    let f = start_with(config, TlsMode::StartTls).await;
    let script = r#"
tls_login()
print(s.esmtp_features.get("size"), flush=True)
m = EmailMessage()
m["From"] = "alice@example.test"
m["To"] = "bob@example.test"
m.set_content("x" * 10)
m.add_attachment(b"\0" * 1_500_000, maintype="application", subtype="octet-stream", filename="big")
send(m.as_bytes(), ["bob@example.test"])
s.quit()
"#;
    let mut py = python(&f, script);
    assert_eq!(py.line().await, "1000000");
    let r = py.line().await;
    // smtplib sends SIZE=: the refusal comes at MAIL FROM, before any body.
    assert!(r.starts_with("SMTPSenderRefused 552 5.3.4"), "{r}");
    py.finish().await;
    assert!(f.account.submitted().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtplib_send_as_shared_mailbox_with_and_without_the_right() {
    if !have_tool("python3") {
        return;
    }
    let f = start().await;
    let script = r#"
tls_login()
m = EmailMessage()
m["From"] = "Team <team@example.test>"
m["To"] = "bob@example.test"
m["Subject"] = "from the team"
m.set_content("hi\n")
print("ready", flush=True)
for _ in range(2):
    sys.stdin.readline()
    send(m.as_bytes(), ["bob@example.test"], sender="team@example.test")
s.quit()
"#;
    let mut py = python(&f, script);
    assert_eq!(py.line().await, "ready");
    py.go().await;
    let r = py.line().await;
    assert!(r.starts_with("SMTPDataError 550 5.7.1") && r.contains("may not send as team@example.test"), "{r}");
    f.account.allow_send_as(SHARED);
    py.go().await;
    assert_eq!(py.line().await, "ok");
    py.finish().await;
    let s = f.account.submitted();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].mail_from, SHARED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtplib_login_needs_starttls_on_a_non_loopback_config() {
    if !have_tool("python3") {
        return;
    }
    let config = SmtpConfig { allow_plaintext_auth: PlaintextAuth::Never, ..test_config() };
    let f = start_with(config, TlsMode::StartTls).await;
    let script = r#"
try:
    s.login("alice@example.test", "s3cret!")
    print("logged in without TLS", flush=True)
except smtplib.SMTPNotSupportedError:
    print("refused", flush=True)
tls_login()
m = EmailMessage()
m["From"] = "alice@example.test"
m["To"] = "bob@example.test"
m.set_content("after TLS\n")
send(m.as_bytes(), ["bob@example.test"])
s.quit()
"#;
    let mut py = python(&f, script);
    assert_eq!(py.line().await, "refused");
    assert_eq!(py.line().await, "ok");
    py.finish().await;
    assert_eq!(f.account.submitted().len(), 1);
}
