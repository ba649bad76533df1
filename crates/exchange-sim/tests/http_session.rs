//! Raw HTTP tests of the mailbox endpoint's session rules: headers and
//! their order, chunking, cookies, sequencing, X-ResponseCode values in the
//! spec's numbering ([MS-OXCMAPIHTTP] 2.2.3.3.3).
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use mapi_wire::Decode;
use mapi_wire::emsmdb::{ConnectResponse, DisconnectResponse, ExecuteResponse, MapiResponse};

#[tokio::test]
async fn connect_success_headers_order_chunks_and_body_like_capture_004() {
    let mut c = test_config();
    c.pending_period = Duration::from_secs(10);
    let sim = start(c).await;
    let (_m, _conn, r) = connected(&sim, ALICE).await;
    // Header order of capture 004 (corrections B1).
    assert_eq!(
        r.names(),
        [
            "Cache-Control",
            "Content-Type",
            "X-RequestType",
            "X-RequestId",
            "X-ClientInfo",
            "X-ResponseCode",
            "X-PendingPeriod",
            "X-ExpirationInfo",
            "X-ServerApplication",
            "Date",
            "Set-Cookie",
            "Transfer-Encoding",
            "Set-Cookie"
        ]
    );
    assert_eq!(r.header("Content-Type"), Some("application/mapi-http"));
    assert_eq!(r.header("X-RequestType"), Some("Connect"));
    assert_eq!(r.header("X-RequestId"), Some("{4D18BCF5-9AC6-426B-A4B8-E76053F29432}:1"));
    assert_eq!(r.header("X-ClientInfo"), Some("{207C9A81-9110-441D-8F6E-AA6A6C029350}:1"));
    assert_eq!(r.header("X-PendingPeriod"), Some("10000"));
    assert_eq!(r.header("X-ExpirationInfo"), Some("900000"));
    let sid = r.set_cookie("sid").expect("context cookie");
    assert_eq!(sid.len(), 32);
    assert!(r.set_cookie("sequence").is_some());
    // Two chunks: the meta-tag block, then the binary body.
    let chunks = r.chunks.as_ref().unwrap();
    assert_eq!(chunks.len(), 2);
    assert!(chunks[0].starts_with(b"PROCESSING\r\nDONE\r\nX-ElapsedTime: "));
    assert!(chunks[0].ends_with(b"\r\n\r\n"));
    let framed = r.framed();
    assert!(framed.header("X-StartTime").is_some());
    let resp = MapiResponse::<ConnectResponse>::decode_exact(&chunks[1]).unwrap();
    let c = resp.completed().unwrap();
    assert_eq!(c.error_code.0, 0);
    assert_eq!((c.polls_max, c.retry_count, c.retry_delay), (60_000, 6, 10_000));
    assert_eq!(c.display_name, "Alice Tester");
    assert_eq!(c.auxiliary_buffer.len(), 36);
    sim.shutdown().await;
}

#[tokio::test]
async fn connect_with_foreign_dn_fails_in_body_and_sets_no_cookie() {
    let mut c = test_config();
    c.pending_period = Duration::from_secs(10);
    let sim = start(c).await;
    let mut conn = connect(sim.local_addr()).await;
    let mut m = Mapi::new(ALICE);
    let r = m.call(&mut conn, EMSMDB, "Connect", &connect_body(&legacy_dn(&sim, BOB))).await;
    assert_eq!(r.response_code(), Some(0));
    assert!(r.all("Set-Cookie").is_empty());
    let c = MapiResponse::<ConnectResponse>::decode_exact(&r.mapi_body()).unwrap();
    assert_eq!(c.completed().unwrap().error_code.0, 0x8007_0005);
    assert_eq!(sim.sessions().len(), 0);
}

#[tokio::test]
async fn execute_rotates_sequence_and_stale_sequence_gets_15() {
    let sim = start(test_config()).await;
    let (mut m, mut conn, r) = connected(&sim, ALICE).await;
    let seq0 = r.set_cookie("sequence").unwrap();
    let e = m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await;
    assert_eq!(e.response_code(), Some(0));
    let seq1 = e.set_cookie("sequence").unwrap();
    assert_ne!(seq0, seq1);
    let body = MapiResponse::<ExecuteResponse>::decode_exact(&e.mapi_body()).unwrap();
    let ex = body.completed().unwrap();
    assert_eq!(ex.error_code.0, 0);
    assert_eq!(ex.rop_buffer, [0, 0, 4, 0, 2, 0, 2, 0, 2, 0]);
    // Replay the old sequence (capture 062 → spec 15).
    m.cookies.insert("sequence".into(), seq0);
    let stale = m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await;
    assert_eq!(stale.status, 200);
    assert_eq!(stale.response_code(), Some(15));
    assert_eq!(stale.header("Content-Type"), Some("text/html"));
    // Error pages: no echo, no cookies (corrections A2), gromox's order.
    assert_eq!(
        stale.names(),
        ["Cache-Control", "Content-Type", "X-ResponseCode", "Content-Length", "X-ServerApplication", "Date"]
    );
    assert!(String::from_utf8_lossy(&stale.body).contains("MAPI OVER HTTP ERROR"));
    // The newest sequence still works.
    m.cookies.insert("sequence".into(), seq1);
    let ok = m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await;
    assert_eq!(ok.response_code(), Some(0));
}

#[tokio::test]
async fn missing_and_malformed_headers() {
    let sim = start(test_config()).await;
    let (mut m, mut conn, _) = connected(&sim, ALICE).await;
    let cases: [(&str, Option<&str>, u32); 6] = [
        ("X-RequestType", None, 2),
        ("X-RequestId", None, 7),
        ("X-ClientInfo", None, 7),
        ("X-RequestId", Some("not-a-request-id"), 4),
        ("X-RequestType", Some("Frobnicate"), 5),
        ("X-RequestType", Some("Bind"), 5),
    ];
    for (name, value, code) in cases {
        let mut h = m.headers("Execute");
        h.retain(|(n, _)| *n != name);
        if let Some(v) = value {
            h.push((leak(name), v.to_owned()));
        }
        let r = conn.request("POST", EMSMDB, &h, &execute_body()).await.unwrap();
        assert_eq!(r.response_code(), Some(code), "{name}: {value:?}");
        assert_eq!(r.header("X-RequestType"), None, "no echo on errors");
    }
    // None of those advanced the sequence.
    let ok = m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await;
    assert_eq!(ok.response_code(), Some(0));
    // GET is an invalid verb.
    let h = m.headers("Execute");
    let r = conn.request("GET", EMSMDB, &h, b"").await.unwrap();
    assert_eq!(r.response_code(), Some(2));
    // Unknown path under /mapi/.
    let r = conn.request("POST", "/mapi/other/", &h, b"").await.unwrap();
    assert_eq!(r.response_code(), Some(3));
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

#[tokio::test]
async fn cookies_missing_unknown_or_of_another_user() {
    let sim = start(test_config()).await;
    let (mut m, mut conn, _) = connected(&sim, ALICE).await;
    // No Cookie header at all (capture 063 → spec 13).
    let mut h = m.headers("Execute");
    h.retain(|(n, _)| *n != "Cookie");
    let r = conn.request("POST", EMSMDB, &h, &execute_body()).await.unwrap();
    assert_eq!(r.response_code(), Some(13));
    // Unknown context (capture 065 → spec 10).
    let saved = m.cookies.clone();
    m.cookies.insert("sid".into(), "x".repeat(32));
    let r = m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await;
    assert_eq!(r.response_code(), Some(10));
    // Missing sequence cookie → 15 (the spec's sequencing violation).
    m.cookies = saved.clone();
    m.cookies.remove("sequence");
    let r = m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await;
    assert_eq!(r.response_code(), Some(15));
    // Bob with alice's cookies (capture 068 → spec 11 NoPrivilege).
    m.cookies = saved.clone();
    m.auth = basic(BOB, PASSWORD);
    let r = m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await;
    assert_eq!(r.response_code(), Some(11));
    // Alice's session is unharmed.
    m.auth = basic(ALICE, PASSWORD);
    let r = m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await;
    assert_eq!(r.response_code(), Some(0));
    // A mailbox context on the address book endpoint → 6.
    let r = m.call(&mut conn, NSPI, "QueryRows", b"").await;
    assert_eq!(r.response_code(), Some(6), "a mailbox context on the address book endpoint");
}

#[tokio::test]
async fn invalid_body_gets_12_and_keeps_the_sequence() {
    let sim = start(test_config()).await;
    let (mut m, mut conn, _) = connected(&sim, ALICE).await;
    let r = m.call(&mut conn, EMSMDB, "Execute", &[1, 2, 3, 4, 5, 6]).await;
    assert_eq!(r.response_code(), Some(12));
    let ok = m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await;
    assert_eq!(ok.response_code(), Some(0), "no sequence lost, unlike gromox (A8)");
    let r = m.call(&mut conn, EMSMDB, "Connect", b"\x00").await;
    assert_eq!(r.response_code(), Some(12));
}

#[tokio::test]
async fn disconnect_then_execute_gets_10_and_reconnect_with_old_cookies_recovers() {
    let sim = start(test_config()).await;
    let (mut m, mut conn, first) = connected(&sim, ALICE).await;
    let old_sid = first.set_cookie("sid").unwrap();
    // Reconnect with the old cookies (captures 073/077): new cookies, old
    // context gone.
    let again = m.call(&mut conn, EMSMDB, "Connect", &connect_body(&legacy_dn(&sim, ALICE))).await;
    assert_eq!(again.response_code(), Some(0));
    let new_sid = again.set_cookie("sid").unwrap();
    assert_ne!(old_sid, new_sid);
    assert_eq!(sim.sessions().len(), 1);
    let ok = m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await;
    assert_eq!(ok.response_code(), Some(0));
    let saved = m.cookies.clone();
    let d = m.call(&mut conn, EMSMDB, "Disconnect", &[0, 0, 0, 0]).await;
    assert_eq!(d.response_code(), Some(0));
    assert_eq!(d.set_cookie("sid").as_deref(), Some(new_sid.as_str()));
    let body = MapiResponse::<DisconnectResponse>::decode_exact(&d.mapi_body()).unwrap();
    assert_eq!(body.completed().unwrap().error_code.0, 0);
    m.cookies = saved;
    let r = m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await;
    assert_eq!(r.response_code(), Some(10), "capture 091 → spec 10");
    assert_eq!(sim.sessions().len(), 0);
}

#[tokio::test]
async fn ping_refreshes_and_has_only_the_meta_block() {
    let sim = start(test_config()).await;
    let (mut m, mut conn, _) = connected(&sim, ALICE).await;
    let r = m.call(&mut conn, EMSMDB, "PING", b"").await;
    assert_eq!(r.response_code(), Some(0));
    assert!(r.chunks.is_none(), "PING is not chunked (capture 006)");
    assert!(r.body.starts_with(b"PROCESSING\r\nDONE\r\n"));
    assert!(r.framed().body.is_empty());
    assert!(r.set_cookie("sid").is_some());
    assert!(r.set_cookie("sequence").is_none());
    let names = r.names();
    assert_eq!(&names[names.len() - 3..], ["Date", "Set-Cookie", "Content-Length"]);
}

#[tokio::test]
async fn idle_context_expires() {
    let mut c = test_config();
    c.session_expiry = Duration::from_millis(1500);
    let sim = start(c).await;
    let (mut m, mut conn, r) = connected(&sim, ALICE).await;
    assert_eq!(r.header("X-ExpirationInfo"), Some("1500"));
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(m.call(&mut conn, EMSMDB, "PING", b"").await.response_code(), Some(0), "PING keeps it alive");
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await.response_code(), Some(0));
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await.response_code(), Some(10));
}

#[tokio::test]
async fn second_concurrent_request_on_a_context_gets_15() {
    let mut c = test_config();
    c.faults.latency_ms = 600;
    let sim = start(c).await;
    let (mut m, _conn, _) = connected(&sim, ALICE).await;
    let mut c1 = connect(sim.local_addr()).await;
    let mut c2 = connect(sim.local_addr()).await;
    let h1 = m.headers("Execute");
    let h2 = m.headers("Execute");
    c1.send("POST", EMSMDB, &h1, &execute_body()).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let second = c2.request("POST", EMSMDB, &h2, &execute_body()).await.unwrap();
    assert_eq!(second.response_code(), Some(15));
    let first = c1.read_response().await.unwrap();
    assert_eq!(first.response_code(), Some(0));
    // Slow: PROCESSING first, PENDING keep-alives, then DONE (3.2.5.2).
    let chunks = first.chunks.as_ref().unwrap();
    assert_eq!(chunks[0], b"PROCESSING\r\n");
    assert!(chunks.iter().any(|c| c == b"PENDING\r\n"));
    let framed = first.framed();
    assert_eq!(framed.processing, 1);
    assert!(framed.pending >= 1, "{} PENDING in 600 ms at 150 ms", framed.pending);
    assert!(MapiResponse::<ExecuteResponse>::decode_exact(&framed.body).is_ok());
}

#[tokio::test]
async fn exchange_cookie_names_are_configurable() {
    let mut c = test_config();
    c.cookies = exchange_sim::config::CookieNames::exchange();
    let sim = start(c).await;
    let (mut m, mut conn, r) = connected(&sim, ALICE).await;
    assert!(r.set_cookie("MapiContext").is_some());
    assert!(r.set_cookie("MapiSequence").is_some());
    assert_eq!(m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await.response_code(), Some(0));
}

#[tokio::test]
async fn nspi_bind_unbind_and_unsupported_request_types() {
    let sim = start(test_config()).await;
    let mut conn = connect(sim.local_addr()).await;
    let mut m = Mapi::new(ALICE);
    let bind =
        mapi_wire::nspi::BindRequest { flags: mapi_wire::nspi::BindFlags(0), state: None, auxiliary_buffer: vec![] };
    let r = m.call(&mut conn, NSPI, "Bind", &mapi_wire::Encode::to_bytes(&bind).unwrap()).await;
    assert_eq!(r.response_code(), Some(0));
    assert!(r.set_cookie("sid").is_some() && r.set_cookie("sequence").is_some());
    let b = MapiResponse::<mapi_wire::nspi::BindResponse>::decode_exact(&r.mapi_body()).unwrap();
    assert_eq!(b.completed().unwrap().error_code.0, 0);
    // The mailbox endpoint does not know this context's kind of request.
    let r = m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await;
    assert_eq!(r.response_code(), Some(6));
    // gromox's spelling (corrections A21) maps to QueryColumns
    // (`RequestType::kind`), which StoreNspi serves.
    let r = m.call(&mut conn, NSPI, "QueryColumn", &[0; 12]).await;
    assert_eq!(r.response_code(), Some(0));
    let r = m.call(&mut conn, NSPI, "PING", b"").await;
    assert_eq!(r.response_code(), Some(0));
    let r = m.call(&mut conn, NSPI, "Unbind", &[0; 8]).await;
    assert_eq!(r.response_code(), Some(0));
    let u = MapiResponse::<mapi_wire::nspi::UnbindResponse>::decode_exact(&r.mapi_body()).unwrap();
    assert_eq!(u.completed().unwrap().error_code.0, 1);
    assert_eq!(sim.sessions().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_concurrent_sessions_each_keep_their_own_sequence() {
    let sim = std::sync::Arc::new(start(test_config()).await);
    let mut tasks = Vec::new();
    for i in 0..50 {
        let sim = sim.clone();
        tasks.push(tokio::spawn(async move {
            let user = if i % 2 == 0 { ALICE } else { BOB };
            let (mut m, mut conn, _) = connected(&sim, user).await;
            for _ in 0..20 {
                let r = m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await;
                assert_eq!(r.response_code(), Some(0));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(sim.sessions().len(), 50);
}

#[tokio::test]
async fn minimal_backend_execute_error_codes() {
    // The default backend is the ROP executor now; this test is about MinimalBackend.
    let sim = exchange_sim::server::Simulator::new(test_config())
        .with_store(demo_store())
        .with_backends(|_| {
            (
                std::sync::Arc::new(exchange_sim::session::MinimalBackend),
                std::sync::Arc::new(exchange_sim::session::MinimalBackend),
            )
        })
        .run()
        .await
        .unwrap();
    let (mut m, mut conn, _) = connected(&sim, ALICE).await;
    let body = |rop_buffer: Vec<u8>, max_rop_out: u32| {
        mapi_wire::Encode::to_bytes(&mapi_wire::emsmdb::ExecuteRequest {
            flags: mapi_wire::emsmdb::ExecuteFlags(3),
            rop_buffer,
            max_rop_out,
            auxiliary_buffer: vec![],
        })
        .unwrap()
    };
    let cases = [
        (vec![1, 2, 3], 0x10008, 0x4B6),
        (vec![0, 0, 4, 0, 2, 0, 2, 0], 0x10008, 0x4B6),
        // RopRelease of handle 0 with a one-slot handle table.
        (vec![0, 0, 4, 0, 9, 0, 9, 0, 5, 0, 0x01, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF], 0x10008, 0x8004_0102),
        (vec![0, 0, 4, 0, 2, 0, 2, 0, 2, 0], 8, 0x47D),
    ];
    for (rops, max, code) in cases {
        let r = m.call(&mut conn, EMSMDB, "Execute", &body(rops, max)).await;
        assert_eq!(r.response_code(), Some(0));
        let e = MapiResponse::<ExecuteResponse>::decode_exact(&r.mapi_body()).unwrap();
        let e = e.completed().unwrap();
        assert_eq!(e.error_code.0, code);
        assert!(e.rop_buffer.is_empty());
    }
}

#[tokio::test]
async fn responses_parse_with_the_client_side_codec() {
    use mapi_wire::http::{FrameEvent, FramerLimits, ResponseCode, ResponseFramer, ResponseHeaders};
    let sim = start(test_config()).await;
    let (mut m, mut conn, r) = connected(&sim, ALICE).await;
    let pairs = |r: &RawResponse| {
        let h: Vec<(String, String)> = r.headers.clone();
        ResponseHeaders::from_pairs(h.iter().map(|(n, v)| (n.as_str(), v.as_str()))).unwrap()
    };
    let h = pairs(&r);
    assert!(h.is_mapi_body());
    assert_eq!(h.response_code, Some(ResponseCode::SUCCESS));
    assert_eq!(h.pending_period.map(|p| p.0), Some(150));
    assert_eq!(h.expiration_info.map(|p| p.0), Some(900_000));
    let mut framer = ResponseFramer::for_response(&h, FramerLimits::default());
    let mut events = Vec::new();
    for c in r.chunks.as_ref().unwrap() {
        events.extend(framer.push(c).unwrap());
    }
    framer.finish().unwrap();
    assert!(events.iter().any(|e| matches!(e, FrameEvent::Processing)));
    assert!(events.iter().any(|e| matches!(e, FrameEvent::Done { .. })));
    m.cookies.insert("sequence".into(), "stale".into());
    let e = m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await;
    let h = pairs(&e);
    assert!(!h.is_mapi_body());
    assert_eq!(h.response_code, Some(ResponseCode::INVALID_SEQUENCE));
}
