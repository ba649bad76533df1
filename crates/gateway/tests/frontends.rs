//! The protocol crates wired through the gateway's listeners: a real IMAP
//! login + LIST + FETCH and a real SMTP submission through
//! `FrontEnds::build` + `GatewayPlan`, over the in-memory mailbox (the
//! MAPI-backed one is not in this build yet), with the gateway's readiness
//! probe, metrics and shutdown.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use gateway::config::PlaintextLogin;
use gateway::frontends::{FrontEndEnv, FrontEnds, ListenerSpec, Protocol, Security};
use gateway::metrics::Metrics;
use gateway::server::{GatewayPlan, ListenerStatus};
use mailbox::{MemoryAccount, MemoryConfig, MemoryProvider};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;

async fn reply(reader: &mut BufReader<TcpStream>) -> String {
    let mut all = String::new();
    loop {
        let mut line = String::new();
        tokio::time::timeout(Duration::from_secs(10), reader.read_line(&mut line)).await.unwrap().unwrap();
        assert!(!line.is_empty(), "connection closed after {all:?}");
        all.push_str(&line);
        // Multi-line replies continue with "250-".
        if line.as_bytes().get(3) != Some(&b'-') {
            return all;
        }
    }
}

async fn say(reader: &mut BufReader<TcpStream>, line: &str) -> String {
    reader.get_mut().write_all(format!("{line}\r\n").as_bytes()).await.unwrap();
    reply(reader).await
}

/// Reads an IMAP response up to the tagged completion line.
async fn tagged(reader: &mut BufReader<TcpStream>, tag: &str) -> String {
    let mut all = String::new();
    loop {
        let mut line = String::new();
        tokio::time::timeout(Duration::from_secs(10), reader.read_line(&mut line)).await.unwrap().unwrap();
        assert!(!line.is_empty(), "connection closed after {all:?}");
        all.push_str(&line);
        if line.starts_with(&format!("{tag} ")) {
            return all;
        }
    }
}

async fn command(reader: &mut BufReader<TcpStream>, tag: &str, cmd: &str) -> String {
    reader.get_mut().write_all(format!("{tag} {cmd}\r\n").as_bytes()).await.unwrap();
    tagged(reader, tag).await
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_login_list_fetch_and_smtp_submission_through_the_gateway_listeners() {
    let dir = tempfile::tempdir().unwrap();
    let state: Arc<dyn state::StateStore> = Arc::new(state::SqliteStore::open(dir.path()).await.unwrap());
    let alice = MemoryAccount::new("alice@example.test", state, MemoryConfig::default()).await.unwrap();
    let provider = MemoryProvider::new();
    provider.add_user("alice@example.test", "demo", alice.clone());
    let hello =
        b"From: bob@example.test\r\nTo: alice@example.test\r\nSubject: hello via the gateway\r\n\r\nHi Alice\r\n"
            .to_vec();
    alice.deliver("INBOX", vec![(hello, mailbox::Timestamp(1_767_600_000))]).await.unwrap();
    let cert = gateway::tls::ReloadableCert::new(
        gateway::tls::self_signed(&dir.path().join("tls"), &["localhost".into()]).unwrap(),
    )
    .unwrap();
    let env = FrontEndEnv {
        tls: Some(cert.server_config().unwrap()),
        provider: Arc::new(provider),
        plaintext_login: PlaintextLogin::Loopback,
        max_message_size: 1 << 20,
        hostname: "gw.example.test".into(),
        idle_timeout: Duration::from_secs(60),
        shutdown_grace: Duration::from_secs(2),
    };
    let registry = Metrics::new();
    let plan = GatewayPlan {
        listeners: vec![
            ListenerSpec {
                name: "imap",
                protocol: Protocol::Imap,
                security: Security::StartTls,
                addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            },
            ListenerSpec {
                name: "submission",
                protocol: Protocol::Submission,
                security: Security::StartTls,
                addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            },
        ],
        http: None,
        metrics: None,
        front_ends: FrontEnds::build(&env),
        public_host: "127.0.0.1".into(),
        display_name: "t".into(),
        grace: Duration::from_secs(2),
        registry: registry.clone(),
    };
    let gw = plan.start().await.unwrap();
    let ListenerStatus::Serving(imap) = gw.listeners[0].1 else { panic!("{:?}", gw.listeners) };
    let ListenerStatus::Serving(addr) = gw.listeners[1].1 else { panic!("{:?}", gw.listeners) };
    gw.wait_until_accepting(Duration::from_secs(10)).await.unwrap();

    let mut i = BufReader::new(TcpStream::connect(imap).await.unwrap());
    let mut greeting = String::new();
    i.read_line(&mut greeting).await.unwrap();
    assert!(greeting.starts_with("* OK"), "{greeting}");
    assert!(command(&mut i, "a1", "CAPABILITY").await.contains("STARTTLS"));
    let login = command(&mut i, "a2", "LOGIN alice@example.test demo").await;
    assert!(login.lines().last().unwrap().starts_with("a2 OK"), "{login}");
    let list = command(&mut i, "a3", "LIST \"\" \"*\"").await;
    assert!(list.contains("INBOX") && list.lines().last().unwrap().starts_with("a3 OK"), "{list}");
    let select = command(&mut i, "a4", "SELECT INBOX").await;
    assert!(select.contains("* 1 EXISTS"), "{select}");
    let fetch = command(&mut i, "a5", "FETCH 1 (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])").await;
    assert!(fetch.contains("hello via the gateway") && fetch.lines().last().unwrap().starts_with("a5 OK"), "{fetch}");

    let mut c = BufReader::new(TcpStream::connect(addr).await.unwrap());
    assert!(reply(&mut c).await.starts_with("220 gw.example.test"));
    let ehlo = say(&mut c, "EHLO client.example.test").await;
    assert!(ehlo.contains("STARTTLS") && ehlo.contains("AUTH"), "{ehlo}");
    // AUTH PLAIN of "\0alice@example.test\0demo" (loopback, so allowed without TLS here).
    let auth = say(&mut c, "AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABkZW1v").await;
    assert!(auth.starts_with("235"), "{auth}");
    assert!(say(&mut c, "MAIL FROM:<alice@example.test>").await.starts_with("250"));
    assert!(say(&mut c, "RCPT TO:<bob@example.test>").await.starts_with("250"));
    assert!(say(&mut c, "DATA").await.starts_with("354"));
    let msg = "From: alice@example.test\r\nTo: bob@example.test\r\nSubject: through the gateway\r\nMessage-ID: <gw-1@example.test>\r\n\r\nHello Bob\r\n.";
    let done = say(&mut c, msg).await;
    assert!(done.starts_with("250"), "{done}");
    assert!(say(&mut c, "QUIT").await.starts_with("221"));

    let sent = alice.submitted();
    assert_eq!(sent.len(), 1, "the backend must have the message before 250");
    let text = registry.render();
    assert!(text.contains("mapibridge_smtp_messages_total{outcome=\"accepted\"} 1"), "{text}");
    assert!(text.contains("mapibridge_listener_up{listener=\"submission\",protocol=\"smtp\"} 1"), "{text}");
    assert!(text.contains("mapibridge_connections_open{protocol=\"imap\"} 1"), "{text}");
    assert_eq!(text.matches("# TYPE mapibridge_connections_open").count(), 1, "one family header: {text}");

    // Graceful stop: the open IMAP connection is told BYE.
    let stopping = tokio::spawn(gw.shutdown());
    let mut rest = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        let mut line = String::new();
        while i.read_line(&mut line).await.unwrap_or(0) > 0 {
            rest.push_str(&line);
            line.clear();
        }
    })
    .await;
    assert!(rest.contains("* BYE"), "IMAP client not told BYE at shutdown: {rest:?}");
    stopping.await.unwrap();
    assert!(TcpStream::connect(addr).await.is_err(), "listener open after shutdown");
    assert!(TcpStream::connect(imap).await.is_err(), "listener open after shutdown");
}
