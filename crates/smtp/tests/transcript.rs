//! Raw SMTP transcripts against the server over the in-memory mailbox:
//! what a client sees byte for byte, and what reaches the backend.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::time::Duration;

use common::*;
use smtp::{PlaintextAuth, SmtpConfig, TlsMode};

fn lines(reply: &str) -> Vec<&str> {
    reply.lines().collect()
}

#[tokio::test]
async fn ehlo_advertises_the_submission_extensions() {
    let f = start().await;
    let mut c = connect(f.addr).await;
    let ehlo = c.cmd("EHLO client.test").await;
    let l = lines(&ehlo);
    assert_eq!(l[0], "250-smtp.example.test", "the greeting line is the host name alone: {ehlo}");
    for ext in [
        "SIZE 36700160",
        "8BITMIME",
        "SMTPUTF8",
        "PIPELINING",
        "CHUNKING",
        "ENHANCEDSTATUSCODES",
        "STARTTLS",
        "AUTH PLAIN LOGIN",
    ] {
        assert!(l.iter().any(|x| x[4..].starts_with(ext)), "{ext} missing in {ehlo}");
    }
    assert!(l.last().unwrap().starts_with("250 "));
    assert_eq!(c.cmd("VRFY bob").await.split(' ').take(2).collect::<Vec<_>>(), ["252", "2.5.0"]);
    assert!(c.cmd("NOOP").await.starts_with("250 2.0.0"));
    assert!(c.cmd("EXPN list").await.starts_with("502 5.5.1"));
    assert!(c.cmd("FOO bar").await.starts_with("500 5.5.1"));
    assert!(c.cmd("MAIL FROM:<alice@example.test>").await.starts_with("530 5.7.0"), "MAIL needs AUTH");
    assert!(c.cmd("QUIT").await.starts_with("221 2.0.0"));
    assert!(c.closed().await);
}

#[tokio::test]
async fn auth_before_starttls_is_refused_when_plaintext_auth_is_off() {
    let config = SmtpConfig { allow_plaintext_auth: PlaintextAuth::Never, ..test_config() };
    let f = start_with(config, TlsMode::StartTls).await;
    let mut c = connect(f.addr).await;
    let ehlo = c.cmd("EHLO client.test").await;
    assert!(!ehlo.contains("AUTH"), "no AUTH before TLS: {ehlo}");
    assert!(ehlo.contains("STARTTLS"));
    let r = c.cmd(&format!("AUTH PLAIN {}", plain(ALICE, PASSWORD))).await;
    assert!(r.starts_with("538 5.7.11"), "{r}");
    // The pipelined NOOP after STARTTLS was sent in the clear: it must be
    // dropped, not answered under TLS.
    c.send(b"STARTTLS\r\nNOOP\r\n").await;
    assert!(c.reply().await.starts_with("220 2.0.0"));
    let tcp = c.io.into_inner();
    let tls = tls_connector(&f.tls_cert).connect("localhost".try_into().unwrap(), tcp).await.unwrap();
    let mut t = Client { io: tokio::io::BufReader::new(tls) };
    let ehlo = t.cmd("EHLO client.test").await;
    assert!(ehlo.starts_with("250-smtp.example.test"), "first reply under TLS answers EHLO: {ehlo}");
    assert!(ehlo.contains("AUTH PLAIN LOGIN") && !ehlo.contains("STARTTLS"), "{ehlo}");
    assert!(t.cmd(&format!("AUTH PLAIN {}", plain(ALICE, PASSWORD))).await.starts_with("235 2.7.0"));
    assert!(t.cmd("MAIL FROM:<alice@example.test>").await.starts_with("250 2.1.0"));
    assert!(f.account.submitted().is_empty());
}

#[tokio::test]
async fn implicit_tls_listener_serves_a_submission() {
    let config = SmtpConfig { allow_plaintext_auth: PlaintextAuth::Never, ..test_config() };
    let f = start_with(config, TlsMode::Implicit).await;
    let tcp = tokio::net::TcpStream::connect(f.addr).await.unwrap();
    let tls = tls_connector(&f.tls_cert).connect("localhost".try_into().unwrap(), tcp).await.unwrap();
    let mut c = Client { io: tokio::io::BufReader::new(tls) };
    assert!(c.reply().await.starts_with("220 smtp.example.test"));
    c.login().await;
    assert!(c.cmd("MAIL FROM:<alice@example.test>").await.starts_with("250"));
    assert!(c.cmd("RCPT TO:<bob@example.test>").await.starts_with("250"));
    assert!(c.cmd("DATA").await.starts_with("354"));
    let r = c.cmd(&format!("{}.", message("Message-ID: <tls@x>\r\n", "hello\r\n"))).await;
    assert!(r.starts_with("250 2.0.0"), "{r}");
    let got = f.account.submitted();
    assert_eq!(got.len(), 1);
    let mime = String::from_utf8(got[0].mime.clone()).unwrap();
    assert!(mime.contains("with ESMTPSA id"), "{mime}");
}

#[tokio::test]
async fn auth_mechanisms_with_and_without_initial_response() {
    let f = start().await;
    let mut c = connect(f.addr).await;
    c.cmd("EHLO client.test").await;
    assert_eq!(c.cmd("AUTH PLAIN").await, "334");
    assert!(c.cmd("*").await.starts_with("501 5.0.0"), "cancelled");
    assert_eq!(c.cmd("AUTH LOGIN").await, "334 VXNlcm5hbWU6");
    assert_eq!(c.cmd(&b64(ALICE)).await, "334 UGFzc3dvcmQ6");
    assert!(c.cmd(&b64("wrong")).await.starts_with("535 5.7.8"));
    assert!(c.cmd("AUTH CRAM-MD5").await.starts_with("504 5.5.4"));
    assert!(c.cmd("AUTH PLAIN !!!notbase64").await.starts_with("501 5.5.2"));
    assert_eq!(c.cmd(&format!("AUTH LOGIN {}", b64(ALICE))).await, "334 UGFzc3dvcmQ6");
    assert!(c.cmd(&b64(PASSWORD)).await.starts_with("235 2.7.0"));
    assert!(c.cmd("AUTH PLAIN").await.starts_with("503 5.5.1"), "already authenticated");
    assert_eq!(f.server.metrics().auth_failures, 1);
}

#[tokio::test]
async fn failed_auth_is_throttled_per_client_address() {
    let config = SmtpConfig { max_auth_failures: 2, ..test_config() };
    let f = start_with(config, TlsMode::StartTls).await;
    for _ in 0..2 {
        let mut c = connect(f.addr).await;
        c.cmd("EHLO client.test").await;
        assert!(c.cmd(&format!("AUTH PLAIN {}", plain(ALICE, "guess"))).await.starts_with("535 5.7.8"));
    }
    let mut c = connect(f.addr).await;
    c.cmd("EHLO client.test").await;
    let r = c.cmd(&format!("AUTH PLAIN {}", plain(ALICE, PASSWORD))).await;
    assert!(r.starts_with("454 4.7.0"), "locked out even with the right password: {r}");
}

#[tokio::test]
async fn pipelined_transaction_gets_replies_in_order() {
    let f = start().await;
    let mut c = connect(f.addr).await;
    c.login().await;
    // RFC 2920: the whole envelope up to DATA in one write.
    c.send(
        b"MAIL FROM:<alice@example.test> BODY=8BITMIME\r\nRCPT TO:<bob@example.test>\r\nRCPT TO:<>\r\nRCPT TO:<carol@example.test>\r\nDATA\r\n",
    )
    .await;
    let mut replies = Vec::new();
    for _ in 0..5 {
        replies.push(c.reply().await);
    }
    let codes: Vec<&str> = replies.iter().map(|r| &r[..9]).collect();
    assert_eq!(codes, ["250 2.1.0", "250 2.1.5", "501 5.1.3", "250 2.1.5", "354 Start"], "{replies:?}");
    // Body, then RSET/NOOP/QUIT pipelined behind the final dot.
    let body = message("Message-ID: <pipe@x>\r\n", "caf\u{e9} 8-bit\r\n");
    c.send(format!("{body}.\r\nRSET\r\nNOOP\r\nQUIT\r\n").as_bytes()).await;
    let mut rest = Vec::new();
    for _ in 0..4 {
        rest.push(c.reply().await);
    }
    assert!(rest[0].starts_with("250 2.0.0 Message <pipe@x> accepted"), "{rest:?}");
    assert!(rest[1].starts_with("250 2.0.0") && rest[2].starts_with("250 2.0.0") && rest[3].starts_with("221"));
    let got = f.account.submitted();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].recipients, ["bob@example.test", "carol@example.test"]);
    assert!(String::from_utf8(got[0].mime.clone()).unwrap().contains("caf\u{e9} 8-bit"));
}

#[tokio::test]
async fn pipelined_data_after_failed_recipients_is_refused() {
    let f = start().await;
    let mut c = connect(f.addr).await;
    c.login().await;
    c.send(b"MAIL FROM:<alice@example.test>\r\nRCPT TO:<bad address>\r\nDATA\r\nRSET\r\n").await;
    let r: Vec<String> = vec![c.reply().await, c.reply().await, c.reply().await, c.reply().await];
    assert!(r[0].starts_with("250") && r[1].starts_with("501"), "{r:?}");
    assert!(r[2].starts_with("554 5.5.1 No valid recipients"), "{r:?}");
    assert!(r[3].starts_with("250"));
}

#[tokio::test]
async fn bdat_chunks_make_one_message() {
    let f = start().await;
    let mut c = connect(f.addr).await;
    c.login().await;
    let msg = message("Message-ID: <bdat@x>\r\n", "line one\r\n.\r\n..not stuffed in BDAT\r\n");
    let (a, b) = msg.as_bytes().split_at(40);
    // Commands and chunk bytes pipelined in one write (RFC 3030 §4.2).
    let mut out = Vec::new();
    out.extend_from_slice(b"MAIL FROM:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\n");
    out.extend_from_slice(format!("BDAT {}\r\n", a.len()).as_bytes());
    out.extend_from_slice(a);
    out.extend_from_slice(format!("BDAT {}\r\n", b.len()).as_bytes());
    out.extend_from_slice(b);
    out.extend_from_slice(b"BDAT 0 LAST\r\n");
    c.send(&out).await;
    let r: Vec<String> = vec![c.reply().await, c.reply().await, c.reply().await, c.reply().await, c.reply().await];
    assert!(r[0].starts_with("250 2.1.0") && r[1].starts_with("250 2.1.5"), "{r:?}");
    assert_eq!(r[2], "250 2.0.0 40 octets received");
    assert_eq!(r[3], format!("250 2.0.0 {} octets received", msg.len()));
    assert!(r[4].starts_with("250 2.0.0 Message <bdat@x> accepted"), "{r:?}");
    let got = f.account.submitted();
    assert_eq!(got.len(), 1);
    let mime = String::from_utf8(got[0].mime.clone()).unwrap();
    assert!(mime.ends_with("line one\r\n.\r\n..not stuffed in BDAT\r\n"), "BDAT is binary-clean: {mime}");
    // DATA after BDAT in one transaction is refused; a new one works.
    c.send(b"MAIL FROM:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\nBDAT 5\r\nabcdeDATA\r\nRSET\r\n").await;
    let r: Vec<String> = vec![c.reply().await, c.reply().await, c.reply().await, c.reply().await, c.reply().await];
    assert!(r[2].starts_with("250 2.0.0 5 octets"), "{r:?}");
    assert!(r[3].starts_with("503 5.5.1"), "{r:?}");
}

#[tokio::test]
async fn bdat_without_transaction_still_consumes_the_chunk() {
    let f = start().await;
    let mut c = connect(f.addr).await;
    c.login().await;
    // The chunk holds text that looks like commands: it must not run.
    c.send(b"BDAT 12\r\nQUIT\r\nQUIT\r\nNOOP\r\n").await;
    assert!(c.reply().await.starts_with("503 5.5.1"));
    assert!(c.reply().await.starts_with("250 2.0.0 OK"));
}

#[tokio::test]
async fn data_is_dot_unstuffed_and_ends_only_at_crlf_dot_crlf() {
    let f = start().await;
    let mut c = connect(f.addr).await;
    c.login().await;
    c.cmd("MAIL FROM:<alice@example.test>").await;
    c.cmd("RCPT TO:<bob@example.test>").await;
    assert!(c.cmd("DATA").await.starts_with("354"));
    let body = "..leading dot\r\nbare\n.\nnot the end\r\n...\r\n";
    c.send(message("Message-ID: <dots@x>\r\n", body).as_bytes()).await;
    c.send(b".\r\n").await;
    assert!(c.reply().await.starts_with("250 2.0.0"));
    let mime = String::from_utf8(f.account.submitted()[0].mime.clone()).unwrap();
    assert!(mime.ends_with("\r\n.leading dot\r\nbare\n.\nnot the end\r\n..\r\n"), "{mime:?}");
}

#[tokio::test]
async fn size_limit_refuses_before_the_body_and_while_reading() {
    let config = SmtpConfig { max_message_size: 10_000, ..test_config() };
    let f = start_with(config, TlsMode::StartTls).await;
    let mut c = connect(f.addr).await;
    c.login().await;
    assert!(c.cmd("MAIL FROM:<alice@example.test> SIZE=10001").await.starts_with("552 5.3.4"));
    assert!(c.cmd("MAIL FROM:<alice@example.test> SIZE=9000").await.starts_with("250"));
    c.cmd("RCPT TO:<bob@example.test>").await;
    assert!(c.cmd("DATA").await.starts_with("354"));
    // The client lied about the size: the server reads to the dot,
    // keeps nothing past the limit, and refuses.
    let big = "x".repeat(998) + "\r\n";
    for _ in 0..50 {
        c.send(big.as_bytes()).await;
    }
    let r = c.cmd(".").await;
    assert!(r.starts_with("552 5.3.4"), "{r}");
    // BDAT over the limit: refused after its bytes, session usable.
    c.cmd("MAIL FROM:<alice@example.test>").await;
    c.cmd("RCPT TO:<bob@example.test>").await;
    let chunk = "y".repeat(10_001);
    c.send(format!("BDAT {} LAST\r\n{chunk}", chunk.len()).as_bytes()).await;
    assert!(c.reply().await.starts_with("552 5.3.4"));
    assert!(f.account.submitted().is_empty());
    // A message at the limit passes.
    c.cmd("MAIL FROM:<alice@example.test>").await;
    c.cmd("RCPT TO:<bob@example.test>").await;
    c.cmd("DATA").await;
    let head = message("Message-ID: <fits@x>\r\n", "");
    let filler = "z".repeat(10_000 - head.len() - 2) + "\r\n";
    let r = c.cmd(&format!("{head}{filler}.")).await;
    assert!(r.starts_with("250 2.0.0"), "{r}");
    assert_eq!(f.account.submitted().len(), 1);
}

#[tokio::test]
async fn long_lines_and_too_many_recipients_are_refused() {
    let config = SmtpConfig { max_recipients: 2, max_line_length: 512, ..test_config() };
    let f = start_with(config, TlsMode::StartTls).await;
    let mut c = connect(f.addr).await;
    c.login().await;
    let r = c.cmd(&format!("NOOP {}", "a".repeat(5000))).await;
    assert!(r.starts_with("500 5.5.2"), "{r}");
    assert!(c.cmd("NOOP").await.starts_with("250"), "session continues after an overlong line");
    c.cmd("MAIL FROM:<alice@example.test>").await;
    assert!(c.cmd("RCPT TO:<a@example.test>").await.starts_with("250"));
    assert!(c.cmd("RCPT TO:<b@example.test>").await.starts_with("250"));
    assert!(c.cmd("RCPT TO:<c@example.test>").await.starts_with("452 4.5.3"));
}

#[tokio::test]
async fn smtputf8_addresses_need_the_parameter() {
    let f = start().await;
    let mut c = connect(f.addr).await;
    c.login().await;
    assert!(c.cmd("MAIL FROM:<alice@example.test>").await.starts_with("250"));
    assert!(c.cmd("RCPT TO:<j\u{f6}rg@example.test>").await.starts_with("553 5.6.7"));
    c.cmd("RSET").await;
    assert!(c.cmd("MAIL FROM:<alice@example.test> SMTPUTF8").await.starts_with("250"));
    assert!(c.cmd("RCPT TO:<j\u{f6}rg@example.test>").await.starts_with("250"));
    assert!(c.cmd("MAIL FROM:<alice@example.test> BODY=BINARYMIME").await.starts_with("503"), "nested MAIL");
    c.cmd("RSET").await;
    assert!(c.cmd("MAIL FROM:<alice@example.test> BODY=BINARYMIME").await.starts_with("555 5.5.4"));
}

async fn send_one(c: &mut Client<tokio::net::TcpStream>, msg: &str) -> String {
    let r = c.cmd("MAIL FROM:<alice@example.test>").await;
    if !r.starts_with("250") {
        return r;
    }
    c.cmd("RCPT TO:<bob@example.test>").await;
    assert!(c.cmd("DATA").await.starts_with("354"));
    c.cmd(&format!("{msg}.")).await
}

#[tokio::test]
async fn backend_failure_is_451_and_the_retry_is_delivered_once() {
    let f = start().await;
    let mut c = connect(f.addr).await;
    c.login().await;
    let msg = message("Message-ID: <retry@x>\r\n", "body\r\n");
    f.account.set_unavailable(true);
    let r = send_one(&mut c, &msg).await;
    assert!(r.starts_with("451 4.4.1") && r.contains("NOT sent"), "{r}");
    assert!(f.account.submitted().is_empty());
    f.account.set_unavailable(false);
    assert!(send_one(&mut c, &msg).await.starts_with("250 2.0.0"));
    // The same message again (the client lost our 250): not sent twice.
    let r = send_one(&mut c, &msg).await;
    assert!(r.starts_with("250 2.0.0") && r.contains("already accepted"), "{r}");
    assert_eq!(f.account.submitted().len(), 1);
    assert_eq!(sent_items(&f.account).await.len(), 1);
    let m = f.server.metrics();
    assert_eq!((m.messages_accepted, m.messages_deduplicated, m.messages_refused), (1, 1, 1));
}

#[tokio::test]
async fn a_retry_after_a_lost_connection_is_not_sent_twice() {
    let f = start().await;
    let msg = message("", "no message-id here\r\n");
    {
        let mut c = connect(f.addr).await;
        c.login().await;
        c.send(b"MAIL FROM:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n").await;
        for _ in 0..3 {
            c.reply().await;
        }
        // The client sends the message and dies before reading the reply.
        c.send(format!("{msg}.\r\n").as_bytes()).await;
    }
    let account = f.account.clone();
    eventually(move || account.submitted().len() == 1).await;
    let mut c = connect(f.addr).await;
    c.login().await;
    let r = send_one(&mut c, &msg).await;
    assert!(r.contains("already accepted"), "{r}");
    assert_eq!(f.account.submitted().len(), 1);
    // A different message is sent normally.
    assert!(send_one(&mut c, &message("", "another\r\n")).await.contains("accepted for delivery"));
    assert_eq!(f.account.submitted().len(), 2);
}

#[tokio::test]
async fn submitted_message_has_trace_and_message_id_but_no_bcc() {
    let f = start().await;
    let mut c = connect(f.addr).await;
    c.login().await;
    c.cmd("MAIL FROM:<alice@example.test>").await;
    for r in ["bob@example.test", "hidden@example.test"] {
        c.cmd(&format!("RCPT TO:<{r}>")).await;
    }
    c.cmd("DATA").await;
    let r = c.cmd(&format!("{}.", message("Bcc: hidden@example.test\r\n", "hi\r\n"))).await;
    assert!(r.starts_with("250"), "{r}");
    let s = &f.account.submitted()[0];
    assert_eq!(s.recipients, ["bob@example.test", "hidden@example.test"]);
    let mime = String::from_utf8(s.mime.clone()).unwrap();
    assert!(!mime.contains("hidden"), "{mime}");
    assert!(mime.starts_with(
        "Received: from client.test ([127.0.0.1])\r\n\tby smtp.example.test (mapibridge) with ESMTPA id "
    ));
    let id_line = mime.lines().find(|l| l.starts_with("Message-ID: <")).expect("Message-ID added");
    assert!(id_line.ends_with("@smtp.example.test>"), "{id_line}");
    assert!(r.contains(&id_line["Message-ID: ".len()..]), "the reply names the id: {r}");
}

#[tokio::test]
async fn send_as_needs_the_right() {
    let f = start().await;
    let mut c = connect(f.addr).await;
    c.login().await;
    let from_shared = format!(
        "From: Team <{SHARED}>\r\nTo: bob@example.test\r\nSubject: as team\r\nMessage-ID: <team1@x>\r\n\r\nhi\r\n"
    );
    let r = send_one(&mut c, &from_shared).await;
    assert!(r.starts_with("550 5.7.1") && r.contains("may not send as team@example.test"), "{r}");
    assert!(f.account.submitted().is_empty());
    f.account.allow_send_as(SHARED);
    assert!(send_one(&mut c, &from_shared).await.starts_with("250 2.0.0"));
    assert_eq!(f.account.submitted().len(), 1);
}

#[tokio::test]
async fn per_user_rate_limit_answers_451() {
    let config = SmtpConfig { max_messages_per_minute: Some(2), ..test_config() };
    let f = start_with(config, TlsMode::StartTls).await;
    let mut c = connect(f.addr).await;
    c.login().await;
    for i in 0..2 {
        let r = send_one(&mut c, &message(&format!("Message-ID: <rate{i}@x>\r\n"), "x\r\n")).await;
        assert!(r.starts_with("250"), "{r}");
    }
    let r = send_one(&mut c, &message("Message-ID: <rate2@x>\r\n", "x\r\n")).await;
    assert!(r.starts_with("451 4.7.0 Too many messages"), "{r}");
    assert_eq!(f.account.submitted().len(), 2);
}

#[tokio::test]
async fn shutdown_says_421_to_idle_sessions_and_lets_a_message_finish() {
    let f = start().await;
    let mut idle = connect(f.addr).await;
    idle.cmd("EHLO client.test").await;
    let mut busy = connect(f.addr).await;
    busy.login().await;
    busy.cmd("MAIL FROM:<alice@example.test>").await;
    busy.cmd("RCPT TO:<bob@example.test>").await;
    assert!(busy.cmd("DATA").await.starts_with("354"));
    busy.send(b"From: alice@example.test\r\nSubject: half\r\n\r\nfirst half\r\n").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    f.stop.send(true).unwrap();
    let r = idle.reply().await;
    assert!(r.starts_with("421 4.3.2"), "{r}");
    assert!(idle.closed().await);
    busy.send(b"second half\r\n.\r\n").await;
    assert!(busy.reply().await.starts_with("250 2.0.0"), "the message in flight is accepted");
    assert!(busy.reply().await.starts_with("421 4.3.2"));
    tokio::time::timeout(Duration::from_secs(10), f.served).await.unwrap().unwrap().unwrap();
    assert_eq!(f.account.submitted().len(), 1);
    assert!(tokio::net::TcpStream::connect(f.addr).await.is_err(), "listener closed");
}

#[tokio::test]
async fn a_silent_client_is_told_421_and_disconnected() {
    let config = SmtpConfig { idle_timeout: Duration::from_millis(300), ..test_config() };
    let f = start_with(config, TlsMode::StartTls).await;
    let mut c = connect(f.addr).await;
    c.cmd("EHLO client.test").await;
    let r = c.reply().await;
    assert!(r.starts_with("421 4.4.2 smtp.example.test Timeout"), "{r}");
    assert!(c.closed().await);
    assert_eq!(f.server.metrics().connections_open, 0);
}

#[tokio::test]
async fn starttls_forgets_the_plaintext_session() {
    let f = start().await;
    let mut c = connect(f.addr).await;
    c.login().await;
    assert!(c.cmd("HELO again.test").await.starts_with("250 smtp.example.test"));
    assert!(c.cmd("STARTTLS").await.starts_with("220 2.0.0"));
    let tls = tls_connector(&f.tls_cert).connect("localhost".try_into().unwrap(), c.io.into_inner()).await.unwrap();
    let mut t = Client { io: tokio::io::BufReader::new(tls) };
    assert!(t.cmd("MAIL FROM:<alice@example.test>").await.starts_with("503 5.5.1"), "EHLO again first");
    t.cmd("EHLO client.test").await;
    assert!(t.cmd("MAIL FROM:<alice@example.test>").await.starts_with("530 5.7.0"), "AUTH again (RFC 3207 §4.2)");
    assert!(t.cmd("STARTTLS").await.starts_with("503 5.5.1"));
}
