//! NotificationWait, fault injection, bad input, TLS and stopping.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use exchange_sim::server::faults::{BusyMode, FaultConfig};
use mapi_wire::Decode;
use mapi_wire::emsmdb::{ExecuteResponse, MapiResponse, NotificationWaitResponse};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const NOTIFICATION_WAIT: [u8; 8] = [0; 8];

#[tokio::test]
async fn notification_wait_times_out_with_pending_keepalives() {
    let mut c = test_config();
    c.pending_period = Duration::from_millis(400);
    c.notification_wait_timeout = Duration::from_millis(1500);
    let sim = start(c).await;
    let (mut m, mut conn, _) = connected(&sim, ALICE).await;
    let h = m.headers("NotificationWait");
    conn.send("POST", EMSMDB, &h, &NOTIFICATION_WAIT).await;
    let started = Instant::now();
    let (status, headers) = conn.read_head().await.unwrap();
    assert_eq!(status, 200);
    assert!(headers.iter().any(|(n, v)| n == "Set-Cookie" && v.starts_with("sid=")));
    assert!(!headers.iter().any(|(n, v)| n == "Set-Cookie" && v.starts_with("sequence=")), "capture 042");
    // PROCESSING at once (capture 042), then PENDING every 400 ms.
    assert_eq!(conn.read_chunk().await.unwrap().unwrap(), b"PROCESSING\r\n");
    assert!(started.elapsed() < Duration::from_millis(300));
    let mut pending = 0;
    let last = loop {
        let c = conn.read_chunk().await.unwrap().unwrap();
        if c == b"PENDING\r\n" {
            pending += 1;
        } else {
            break c;
        }
    };
    assert!((2..=4).contains(&pending), "{pending} PENDING over a 1500 ms wait");
    assert!(started.elapsed() >= Duration::from_millis(1450));
    let mut body = last;
    while let Some(c) = conn.read_chunk().await.unwrap() {
        body.extend(c);
    }
    assert!(body.starts_with(b"DONE\r\n"));
    let framed = mapi_wire::http::FramedResponse::collect(&body, Default::default()).unwrap();
    let r = MapiResponse::<NotificationWaitResponse>::decode_exact(&framed.body).unwrap();
    assert_eq!(r.completed().unwrap().event_pending, 0);
    // The context is still fine.
    assert_eq!(m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await.response_code(), Some(0));
}

#[tokio::test]
async fn notification_wait_returns_when_an_event_is_pushed_and_runs_beside_execute() {
    let mut c = test_config();
    c.notification_wait_timeout = Duration::from_secs(20);
    let sim = start(c).await;
    let (mut m, mut conn, _) = connected(&sim, ALICE).await;
    let mut waiter = connect(sim.local_addr()).await;
    let h = m.headers("NotificationWait");
    waiter.send("POST", EMSMDB, &h, &NOTIFICATION_WAIT).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Execute is allowed while the wait is outstanding (3.1.5.5).
    assert_eq!(m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await.response_code(), Some(0));
    let started = Instant::now();
    assert_eq!(sim.sessions().notify_user(ALICE, &(Arc::new(42u32) as exchange_sim::session::Event)), 1);
    let r = waiter.read_response().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    let body = MapiResponse::<NotificationWaitResponse>::decode_exact(&r.mapi_body()).unwrap();
    assert_eq!(body.completed().unwrap().event_pending, 1);
    assert_eq!(sim.sessions().queues_of(ALICE)[0].len(), 1, "the executor drains the queue, not the wait");
}

#[tokio::test]
async fn busy_fault_http_503_and_ec_server_busy() {
    let sim = start(test_config()).await;
    let (mut m, mut conn, _) = connected(&sim, ALICE).await;
    sim.set_faults(FaultConfig { busy_fraction: 1.0, retry_after_secs: 7, ..FaultConfig::default() });
    let r = m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await;
    assert_eq!(r.status, 503);
    assert_eq!(r.header("Retry-After"), Some("7"));
    assert!(r.all("Set-Cookie").is_empty());
    sim.set_faults(FaultConfig { busy_fraction: 1.0, busy_mode: BusyMode::EcServerBusy, ..FaultConfig::default() });
    let r = m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.response_code(), Some(0));
    let e = MapiResponse::<ExecuteResponse>::decode_exact(&r.mapi_body()).unwrap();
    assert_eq!(e.completed().unwrap().error_code.0, 0x480);
    sim.set_faults(FaultConfig { busy_fraction: 0.5, ..FaultConfig::default() });
    let mut busy = 0;
    for _ in 0..4 {
        if m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await.status == 503 {
            busy += 1;
        }
    }
    assert_eq!(busy, 2);
}

#[tokio::test]
async fn admin_endpoint_sets_faults_and_forces_expiry() {
    let sim = start(test_config()).await;
    let (mut m, mut conn, _) = connected(&sim, ALICE).await;
    let mut admin = connect(sim.local_addr()).await;
    let r =
        admin.request("POST", "/admin/faults", &[], br#"{"latency_ms": 25, "expire_sessions": true}"#).await.unwrap();
    assert_eq!(r.status, 200);
    let got: FaultConfig = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(got.latency_ms, 25);
    assert!(!got.expire_sessions);
    assert_eq!(sim.faults().get().latency_ms, 25);
    assert_eq!(m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await.response_code(), Some(10));
    let r = admin.request("POST", "/admin/faults", &[], b"{\"nope\": 1}").await.unwrap();
    assert_eq!(r.status, 400);
    let r = admin.request("GET", "/admin/faults", &[], b"").await.unwrap();
    assert_eq!(serde_json::from_slice::<FaultConfig>(&r.body).unwrap().latency_ms, 25);
}

#[tokio::test]
async fn dropped_connection_mid_response() {
    let sim = start(test_config()).await;
    let (mut m, mut conn, _) = connected(&sim, ALICE).await;
    sim.set_faults(FaultConfig { drop_responses: 1, ..FaultConfig::default() });
    let h = m.headers("Execute");
    conn.send("POST", EMSMDB, &h, &execute_body()).await;
    let (status, headers) = conn.read_head().await.unwrap();
    assert_eq!(status, 200);
    assert!(headers.iter().any(|(n, _)| n == "Transfer-Encoding"));
    let first = conn.read_chunk().await.unwrap().unwrap();
    assert!(first.starts_with(b"PROCESSING\r\nDONE\r\n"));
    assert!(conn.read_chunk().await.is_err(), "closed before the body and the last chunk");
    // The next connection works; the sequence was rotated by the dropped
    // Execute, so the client reconnects with its old cookies.
    let mut conn = connect(sim.local_addr()).await;
    let r = m.call(&mut conn, EMSMDB, "Connect", &connect_body(&legacy_dn(&sim, ALICE))).await;
    assert_eq!(r.response_code(), Some(0));
    assert_eq!(m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await.response_code(), Some(0));
}

#[tokio::test]
async fn oversized_body_is_refused_before_it_is_read() {
    let mut c = test_config();
    c.max_request_body = 1024;
    let sim = start(c).await;
    let (mut m, mut conn, _) = connected(&sim, ALICE).await;
    let mut h = m.headers("Execute");
    h.push(("Content-Length", "1000000".into()));
    // Only the head is sent; the answer comes anyway.
    conn.send("POST", EMSMDB, &h, b"").await;
    let r = conn.read_response().await.unwrap();
    assert_eq!(r.response_code(), Some(9));
    assert!(conn.closed().await);
    let mut conn = connect(sim.local_addr()).await;
    let r = conn.request("POST", "/autodiscover/autodiscover.xml", &[("Content-Length", "5000".into())], b"").await;
    assert_eq!(r.unwrap().status, 413);
}

#[tokio::test]
async fn malformed_http_and_slow_bodies_never_hang() {
    let mut c = test_config();
    c.request_timeout = Duration::from_millis(300);
    let sim = start(c).await;
    // Garbage request line.
    let mut s = tokio::net::TcpStream::connect(sim.local_addr()).await.unwrap();
    s.write_all(b"\x01\x02 nonsense\r\n\r\n").await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await.unwrap().unwrap();
    assert!(out.starts_with(b"HTTP/1.1 400"));
    // A body that never arrives: 408 after the request timeout.
    let mut conn = connect(sim.local_addr()).await;
    conn.send("POST", EMSMDB, &[("Content-Length", "100".into())], b"abc").await;
    let r = conn.read_response().await.unwrap();
    assert_eq!(r.status, 408);
    // Chunked request bodies are not accepted.
    let mut conn = connect(sim.local_addr()).await;
    conn.send("POST", EMSMDB, &[("Transfer-Encoding", "chunked".into()), ("Content-Length", "0".into())], b"").await;
    assert_eq!(conn.read_response().await.unwrap().status, 411);
    // Random bodies on every request type: an error code, never a panic.
    let (mut m, mut conn, _) = connected(&sim, ALICE).await;
    for rt in ["Connect", "Execute", "Disconnect", "NotificationWait", "PING"] {
        for body in [&b""[..], &[0xFF; 3], &[0xFF; 64]] {
            let r = m.call(&mut conn, EMSMDB, rt, body).await;
            assert_eq!(r.status, 200);
            assert!(matches!(r.response_code(), Some(12) | Some(0)), "{rt}: {:?}", r.response_code());
        }
    }
    let r = conn.request("GET", "/health", &[], b"").await.unwrap();
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn kill_and_shutdown_stop_the_listener() {
    let sim = start(test_config()).await;
    let addr = sim.local_addr();
    let (_m, mut conn, _) = connected(&sim, ALICE).await;
    sim.kill();
    assert!(conn.closed().await);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    let sim = start(test_config()).await;
    let addr = sim.local_addr();
    let mut idle = connect(addr).await;
    let r = idle.request("GET", "/health", &[], b"").await.unwrap();
    assert_eq!(r.status, 200);
    tokio::time::timeout(Duration::from_secs(3), sim.shutdown()).await.unwrap();
    assert!(idle.closed().await);
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn tls_with_a_generated_certificate_that_is_reused() {
    let dir = std::env::temp_dir().join(format!("exchange-sim-tls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut c = test_config();
    c.tls = true;
    c.data_dir = Some(dir.clone());
    let sim = exchange_sim::server::Simulator::new(c.clone()).run().await.unwrap();
    assert!(sim.base_url().starts_with("https://"));
    let pem = sim.certificate_pem().unwrap().to_owned();
    sim.store()
        .create_mailbox(&exchange_sim::store::NewMailbox {
            address: ALICE,
            display_name: "Alice",
            password: Some(PASSWORD),
            ..exchange_sim::store::NewMailbox::default()
        })
        .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for cert in
        <rustls::pki_types::CertificateDer<'_> as rustls::pki_types::pem::PemObject>::pem_slice_iter(pem.as_bytes())
    {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(sim.local_addr()).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let tls = connector.connect(name, tcp).await.unwrap();
    let mut conn = Conn::new(tls);
    let r = conn.request("GET", "/health", &[], b"").await.unwrap();
    assert_eq!(r.status, 200);
    let mut m = Mapi::new(ALICE);
    let r = m.call(&mut conn, EMSMDB, "Connect", &connect_body(&legacy_dn(&sim, ALICE))).await;
    assert_eq!(r.response_code(), Some(0));
    sim.shutdown().await;
    // Restart: same certificate, same store.
    let sim = exchange_sim::server::Simulator::new(c).run().await.unwrap();
    assert_eq!(sim.certificate_pem(), Some(pem.as_str()));
    assert!(sim.store().mailbox(ALICE).is_ok());
    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn shutdown_ends_an_outstanding_notification_wait() {
    let mut c = test_config();
    c.notification_wait_timeout = Duration::from_secs(60);
    let sim = start(c).await;
    let (mut m, mut conn, _) = connected(&sim, ALICE).await;
    let h = m.headers("NotificationWait");
    conn.send("POST", EMSMDB, &h, &NOTIFICATION_WAIT).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let stop = tokio::spawn(sim.shutdown());
    let r = conn.read_response().await.unwrap();
    let body = MapiResponse::<NotificationWaitResponse>::decode_exact(&r.mapi_body()).unwrap();
    assert_eq!(body.completed().unwrap().event_pending, 0);
    stop.await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
}
