//! The protocol crates wired through the gateway's listeners: a real SMTP
//! submission through `FrontEnds::build` + `GatewayPlan`, over the in-memory
//! mailbox (the MAPI-backed one is not in this build yet), with the
//! gateway's readiness probe, metrics and shutdown.
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

#[tokio::test(flavor = "multi_thread")]
async fn smtp_submission_through_the_gateway_listener() {
    let dir = tempfile::tempdir().unwrap();
    let state: Arc<dyn state::StateStore> = Arc::new(state::SqliteStore::open(dir.path()).await.unwrap());
    let alice = MemoryAccount::new("alice@example.test", state, MemoryConfig::default()).await.unwrap();
    let provider = MemoryProvider::new();
    provider.add_user("alice@example.test", "demo", alice.clone());
    let cert = gateway::tls::ReloadableCert::new(
        gateway::tls::self_signed(&dir.path().join("tls"), &["localhost".into()]).unwrap(),
    )
    .unwrap();
    let env = FrontEndEnv {
        tls: Some(cert.server_config().unwrap()),
        provider: Ok(Arc::new(provider)),
        plaintext_login: PlaintextLogin::Loopback,
        max_message_size: 1 << 20,
        hostname: "gw.example.test".into(),
        idle_timeout: Duration::from_secs(60),
        shutdown_grace: Duration::from_secs(2),
    };
    let registry = Metrics::new();
    let plan = GatewayPlan {
        listeners: vec![ListenerSpec {
            name: "submission",
            protocol: Protocol::Submission,
            security: Security::StartTls,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        }],
        http: None,
        metrics: None,
        front_ends: FrontEnds::build(&env),
        public_host: "127.0.0.1".into(),
        display_name: "t".into(),
        grace: Duration::from_secs(2),
        registry: registry.clone(),
    };
    let gw = plan.start().await.unwrap();
    let ListenerStatus::Serving(addr) = gw.listeners[0].1 else { panic!("{:?}", gw.listeners) };
    gw.wait_until_accepting(Duration::from_secs(10)).await.unwrap();

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

    gw.shutdown().await;
    assert!(TcpStream::connect(addr).await.is_err(), "listener open after shutdown");
}
