//! TLS (STARTTLS and implicit), IDLE pushed from the change feed, timeouts
//! and the graceful shutdown.

mod common;

use std::time::{Duration, Instant};

use common::{Client, PASS, T0, USER, deliver, localhost, message, start, start_with, tls_pair};
use imap::{ImapConfig, TlsMode};
use mailbox::Timestamp;

#[tokio::test]
async fn starttls_upgrades_and_discards_pipelined_commands() {
    let (server_tls, connector) = tls_pair();
    let env = start_with(ImapConfig { tls: Some(server_tls), ..ImapConfig::default() }, TlsMode::StartTls).await;
    let mut c = env.connect().await;
    let r = c.cmd("CAPABILITY").await;
    assert!(r.contains(" STARTTLS LOGINDISABLED"), "{r}");
    // A command pipelined behind STARTTLS in the clear must not run.
    c.send(b"A1 STARTTLS\r\nA2 LOGIN alice@example.com secret\r\n").await;
    assert_eq!(c.line().await, "A1 OK Begin TLS negotiation now\r\n");
    let tcp = c.into_inner();
    let tls = connector.connect(localhost(), tcp).await.expect("handshake");
    let mut c = Client::new(tls);
    let r = c.cmd("CAPABILITY").await;
    assert!(
        r.starts_with("* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE AUTH=PLAIN\r\nA001 OK"),
        "{r}"
    );
    assert!(!r.contains("A2"), "pipelined LOGIN ran: {r}");
    assert!(c.cmd(&format!("LOGIN {USER} {PASS}")).await.starts_with("A002 OK [CAPABILITY"));
    assert!(c.cmd("SELECT INBOX").await.contains("A003 OK [READ-WRITE]"));
    assert_eq!(c.cmd("STARTTLS").await, "A004 BAD Already authenticated\r\n");
}

#[tokio::test]
async fn implicit_tls_greets_inside_tls() {
    let (server_tls, connector) = tls_pair();
    let env = start_with(ImapConfig { tls: Some(server_tls), ..ImapConfig::default() }, TlsMode::Implicit).await;
    let tcp = tokio::net::TcpStream::connect(env.addr).await.unwrap();
    let tls = connector.connect(localhost(), tcp).await.expect("handshake");
    let mut c = Client::new(tls);
    let greeting = c.line().await;
    assert!(greeting.starts_with("* OK [CAPABILITY IMAP4rev1 ") && greeting.contains("AUTH=PLAIN"), "{greeting}");
    assert!(!greeting.contains("STARTTLS"), "{greeting}");
    assert!(c.cmd(&format!("LOGIN {USER} {PASS}")).await.starts_with("A001 OK"));
}

#[tokio::test]
async fn idle_pushes_new_mail_within_a_second() {
    let env = start().await;
    deliver(&env.account, 2).await;
    let mut c = env.login().await;
    c.cmd("SELECT INBOX").await;
    c.send(b"I1 IDLE\r\n").await;
    assert_eq!(c.line().await, "+ idling\r\n");
    let mut latencies = Vec::new();
    for i in 0..20 {
        let started = Instant::now();
        env.account
            .deliver("INBOX", vec![(message(&format!("idle{i}"), T0 + 100 + i), Timestamp(T0 + 100 + i))])
            .await
            .unwrap();
        let line = tokio::time::timeout(Duration::from_secs(1), c.line()).await.expect("EXISTS within 1 s");
        latencies.push(started.elapsed());
        assert_eq!(line, format!("* {} EXISTS\r\n", 3 + i));
        // The idling session is the first told: the new message is \Recent for it.
        assert_eq!(c.line().await, format!("* {} RECENT\r\n", 3 + i));
    }
    // Flag changes and expunges by another session arrive too.
    let mut other = env.login().await;
    other.cmd("SELECT INBOX").await;
    other.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    assert_eq!(c.line().await, "* 1 FETCH (UID 1 FLAGS (\\Deleted \\Recent))\r\n");
    other.cmd("EXPUNGE").await;
    assert_eq!(c.line().await, "* 1 EXPUNGE\r\n");
    c.send(b"DONE\r\n").await;
    assert_eq!(c.until("I1").await, "I1 OK IDLE terminated\r\n");
    latencies.sort();
    eprintln!("IDLE EXISTS latency median {:?} (of {:?})", latencies[latencies.len() / 2], latencies);
}

#[tokio::test]
async fn idle_ends_with_bye_after_the_idle_timeout_and_shutdown_says_bye() {
    let env = start_with(
        ImapConfig {
            allow_plaintext_login: imap::PlaintextLogin::Always,
            idle_timeout: Duration::from_millis(300),
            ..ImapConfig::default()
        },
        TlsMode::StartTls,
    )
    .await;
    let mut c = env.login().await;
    c.send(b"I1 IDLE\r\n").await;
    assert_eq!(c.line().await, "+ idling\r\n");
    assert_eq!(c.line().await, "* BYE Autologout; idle for too long\r\n");
    assert_eq!(ImapConfig::default().idle_timeout, Duration::from_secs(31 * 60));

    let mut idle = env.login().await;
    idle.cmd("SELECT INBOX").await;
    idle.send(b"I2 IDLE\r\n").await;
    assert_eq!(idle.line().await, "+ idling\r\n");
    let mut plain = env.login().await;
    env.stop.send(true).unwrap();
    assert_eq!(idle.line().await, "* BYE [UNAVAILABLE] Server shutting down\r\n");
    assert_eq!(plain.line().await, "* BYE [UNAVAILABLE] Server shutting down\r\n");
    let served = tokio::time::timeout(Duration::from_secs(5), env.task).await.expect("serve returns").unwrap();
    assert!(served.is_ok());
    assert!(tokio::net::TcpStream::connect(env.addr).await.is_err(), "listener closed");
}

#[tokio::test]
async fn failed_logins_are_throttled_per_peer() {
    let env = start_with(
        ImapConfig {
            allow_plaintext_login: imap::PlaintextLogin::Always,
            login_failures_allowed: 2,
            login_failure_delay: Duration::from_millis(1500),
            ..ImapConfig::default()
        },
        TlsMode::StartTls,
    )
    .await;
    let mut c = env.connect().await;
    for _ in 0..2 {
        let t = Instant::now();
        assert!(c.cmd("LOGIN mallory guess").await.contains("NO [AUTHENTICATIONFAILED]"));
        assert!(t.elapsed() < Duration::from_millis(1200));
    }
    let t = Instant::now();
    assert!(c.cmd(&format!("LOGIN {USER} {PASS}")).await.contains("OK [CAPABILITY"));
    assert!(t.elapsed() >= Duration::from_millis(1500), "third attempt from the peer is delayed");
}
