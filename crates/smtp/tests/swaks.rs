//! Debian's `swaks` against the server over the in-memory mailbox: what a
//! real SMTP client sends lands intact, once, with Bcc hidden; failures and
//! limits are what the client sees.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::process::Output;

use common::*;
use mail_parser::{MessageParser, MimeHeaders};
use mailbox::AccountProvider as _;
use smtp::{PlaintextAuth, SmtpConfig, TlsMode};
use test_support::swaks::binary;

/// Runs swaks against `f` as Alice with `args` added; STARTTLS when
/// `tls`.
async fn swaks(f: &Fixture, tls: bool, args: &[&str]) -> Output {
    test_support::swaks::swaks(f.addr.port(), ALICE, PASSWORD, tls, args).await
}

fn transcript(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaks_message_with_attachment_lands_intact_and_once() {
    if !have_tool("swaks") {
        return;
    }
    let f = start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.bin");
    let payload = binary(200_000);
    std::fs::write(&path, &payload).unwrap();
    let attach = format!("@{}", path.display());
    let o = swaks(
        &f,
        true,
        &[
            "--pipeline",
            "--from",
            ALICE,
            "--to",
            "bob@example.test",
            "--header",
            "Subject: Quarterly report",
            "--header",
            "X-Custom: kept as is",
            "--body",
            "Please find the report attached.",
            "--attach-type",
            "application/octet-stream",
            "--attach",
            &attach,
        ],
    )
    .await;
    assert!(o.status.success(), "{}", transcript(&o));
    let t = transcript(&o);
    assert!(t.contains("<~  250 2.0.0 Message"), "{t}");

    let submitted = f.account.submitted();
    assert_eq!(submitted.len(), 1);
    assert_eq!(submitted[0].recipients, ["bob@example.test"]);
    assert_eq!(submitted[0].mail_from, ALICE);
    let sent = sent_items(&f.account).await;
    assert_eq!(sent.len(), 1, "Sent Items holds exactly one copy");
    for mime in [&submitted[0].mime, &sent[0]] {
        let m = MessageParser::default().parse(mime).unwrap();
        assert_eq!(m.subject(), Some("Quarterly report"));
        assert_eq!(m.header_raw("X-Custom").map(str::trim), Some("kept as is"));
        assert_eq!(m.from().unwrap().first().unwrap().address(), Some(ALICE));
        assert!(m.body_text(0).unwrap().contains("Please find the report attached."));
        assert_eq!(m.attachment_count(), 1);
        let a = m.attachment(0).unwrap();
        assert_eq!(a.attachment_name(), Some("report.bin"));
        assert_eq!(a.contents(), payload.as_slice(), "attachment bytes intact");
        assert!(m.header_raw("Received").unwrap().contains("with ESMTPSA"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaks_bcc_is_delivered_from_the_envelope_but_invisible() {
    if !have_tool("swaks") {
        return;
    }
    let f = start().await;
    let o = swaks(
        &f,
        true,
        &[
            "--from",
            ALICE,
            "--to",
            "bob@example.test,hidden@example.test",
            "--header",
            "To: bob@example.test",
            "--header",
            "Bcc: hidden@example.test",
        ],
    )
    .await;
    assert!(o.status.success(), "{}", transcript(&o));
    let s = &f.account.submitted()[0];
    assert_eq!(s.recipients, ["bob@example.test", "hidden@example.test"]);
    let mime = String::from_utf8_lossy(&s.mime);
    assert!(!mime.contains("hidden"), "Bcc leaked: {mime}");
    assert!(!String::from_utf8_lossy(&sent_items(&f.account).await[0]).contains("hidden"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaks_25_mb_attachment_works() {
    if !have_tool("swaks") {
        return;
    }
    let f = start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    let payload = binary(25 * 1024 * 1024);
    std::fs::write(&path, &payload).unwrap();
    let attach = format!("@{}", path.display());
    let o =
        swaks(&f, true, &["--from", ALICE, "--to", "bob@example.test", "--attach", &attach, "--suppress-data"]).await;
    assert!(o.status.success(), "{}", transcript(&o));
    let submitted = f.account.submitted();
    assert_eq!(submitted.len(), 1);
    assert!(submitted[0].mime.len() > 34_000_000, "base64 of 25 MiB: {}", submitted[0].mime.len());
    let m = MessageParser::default().parse(&submitted[0].mime).unwrap();
    assert!(m.attachment(0).unwrap().contents() == payload.as_slice(), "25 MiB attachment intact");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaks_oversized_message_is_refused() {
    if !have_tool("swaks") {
        return;
    }
    let config = SmtpConfig { max_message_size: 1_000_000, ..test_config() };
    let f = start_with(config, TlsMode::StartTls).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    std::fs::write(&path, binary(2_000_000)).unwrap();
    let attach = format!("@{}", path.display());
    let o =
        swaks(&f, true, &["--from", ALICE, "--to", "bob@example.test", "--attach", &attach, "--suppress-data"]).await;
    let t = transcript(&o);
    assert!(!o.status.success(), "{t}");
    assert!(t.contains("552 5.3.4"), "{t}");
    assert!(t.contains("SIZE 1000000"), "limit advertised: {t}");
    assert!(f.account.submitted().is_empty());
    assert!(sent_items(&f.account).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaks_send_as_shared_mailbox_with_and_without_the_right() {
    if !have_tool("swaks") {
        return;
    }
    let f = start().await;
    let args = ["--from", SHARED, "--to", "bob@example.test", "--header", "Subject: from the team"];
    let o = swaks(&f, true, &args).await;
    let t = transcript(&o);
    assert!(!o.status.success(), "{t}");
    assert!(t.contains("550 5.7.1 Not permitted: alice@example.test may not send as team@example.test"), "{t}");
    assert!(f.account.submitted().is_empty());

    f.account.allow_send_as(SHARED);
    let o = swaks(&f, true, &args).await;
    assert!(o.status.success(), "{}", transcript(&o));
    let s = f.account.submitted();
    assert_eq!(s.len(), 1);
    let m = MessageParser::default().parse(&s[0].mime).unwrap();
    assert_eq!(m.from().unwrap().first().unwrap().address(), Some(SHARED));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaks_auth_without_tls_is_refused_on_a_non_loopback_config() {
    if !have_tool("swaks") {
        return;
    }
    let config = SmtpConfig { allow_plaintext_auth: PlaintextAuth::Never, ..test_config() };
    let f = start_with(config, TlsMode::StartTls).await;
    let o = swaks(&f, false, &["--from", ALICE, "--to", "bob@example.test"]).await;
    let t = transcript(&o);
    assert!(!o.status.success(), "{t}");
    assert!(t.contains("did not advertise authentication"), "{t}");
    assert!(f.account.submitted().is_empty());
    let o = swaks(&f, true, &["--from", ALICE, "--to", "bob@example.test"]).await;
    assert!(o.status.success(), "after STARTTLS: {}", transcript(&o));
    assert_eq!(f.account.submitted().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaks_backend_down_gets_451_and_the_retry_is_delivered_once() {
    if !have_tool("swaks") {
        return;
    }
    let f = start().await;
    // A pooled backend session exists from an earlier login.
    f.provider.login(ALICE, PASSWORD).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("msg.eml");
    std::fs::write(&path, message("Message-ID: <swaks-retry@example.test>\r\n", "retry me\r\n")).unwrap();
    let data = format!("@{}", path.display());
    let args = ["--from", ALICE, "--to", "bob@example.test", "--data", &data];

    f.account.set_unavailable(true);
    let o = swaks(&f, true, &args).await;
    let t = transcript(&o);
    assert!(!o.status.success(), "{t}");
    assert!(t.contains("451 4.4.1") && t.contains("NOT sent"), "{t}");
    assert!(f.account.submitted().is_empty());

    f.account.set_unavailable(false);
    for _ in 0..2 {
        let o = swaks(&f, true, &args).await;
        assert!(o.status.success(), "{}", transcript(&o));
    }
    assert_eq!(f.account.submitted().len(), 1, "delivered exactly once");
    assert_eq!(sent_items(&f.account).await.len(), 1);
}
