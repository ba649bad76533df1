//! Transport tests against a scripted server that replays gromox 3.10 captures.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use common::*;
use mapi_client::*;
use mapi_wire::http::{RequestKind, ResponseCode};

const SID: &str = "sid=alk6icfbe8b0exu8amedplwee7m8tek8";
const SEQ1: &str = "sequence=893608bc-104f-4efe-9ec7-da13544201a4";
const SEQ2: &str = "sequence=d14fed18-f728-47f8-81b7-9ad123c77804";

fn basic() -> TransportConfig {
    let mut t =
        TransportConfig::new(Credentials::Basic { user: "alice@example.test".into(), password: "alice123".into() });
    t.trace_dir = None;
    t.retry.base_delay = Duration::from_millis(5);
    t.retry.max_delay = Duration::from_millis(50);
    t
}

fn session_config(server: &Server, transport: TransportConfig) -> SessionConfig {
    let mut c = SessionConfig::new(&server.url(EMSMDB_PATH), ALICE_DN, transport);
    c.lcid = 1033;
    c
}

/// Answers like gromox for captures 004 (Connect), 005 (Execute), 006 (PING), 090
/// (Disconnect), checking Basic credentials like 003.
fn gromox_like() -> Handler {
    Arc::new(|req, _| {
        if req.header("Authorization") != Some(ALICE_BASIC) {
            return unauthorized("Basic realm=\"msrpc realm\", charset=\"utf-8\"");
        }
        match req.request_type() {
            "Connect" => mapi_ok(req, &[SID, SEQ1], &capture("004-emsmdb-connect-alice.resp.bin")),
            "Execute" => mapi_ok(req, &[SID, SEQ2], &capture("005-execute-roplogon-private.resp.bin")),
            "PING" => Action::Steps(vec![Step::Bytes(plain(
                "200 OK",
                &[
                    ("Content-Type", "application/mapi-http"),
                    ("X-RequestType", "PING"),
                    ("X-ResponseCode", "0"),
                    ("X-ServerApplication", GROMOX),
                    ("Set-Cookie", SID),
                ],
                &capture("006-emsmdb-ping.resp.bin"),
            ))]),
            "Disconnect" => mapi_ok(req, &[SID, SEQ2], &capture("090-emsmdb-disconnect.resp.bin")),
            _ => error_page(8, b"<p>unknown</p>"),
        }
    })
}

async fn within<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f).await.expect("test took too long")
}

#[tokio::test]
async fn basic_connect_execute_ping_disconnect_build_the_capture_requests() {
    within(async {
        let server = Server::start(gromox_like()).await;
        let session = EmsmdbSession::connect(session_config(&server, basic())).await.unwrap();
        let info = session.info().await;
        assert_eq!(info.display_name, "Alice Tester");
        assert_eq!((info.polls_max, info.retry_count, info.retry_delay), (60000, 6, 10000));

        let logon_req = capture("005-execute-roplogon-private.req.bin");
        let out = session.execute(&rop_input_of(&logon_req), ExecuteFlags(3), DEFAULT_MAX_ROP_OUT).await.unwrap();
        assert_eq!(out.error_code, mapi_wire::ErrorCode(0));
        assert_eq!(out.rop_output.len(), 1);
        // 005: 82-byte meta block, then StatusCode, ErrorCode, Flags, RopBufferSize,
        // RPC_HEADER_EXT, payload.
        let resp = capture("005-execute-roplogon-private.resp.bin");
        let size = u16::from_le_bytes([resp[82 + 16 + 4], resp[82 + 16 + 5]]) as usize;
        assert_eq!(out.rop_output[0], resp[82 + 24..82 + 24 + size].to_vec());
        assert_eq!(out.bytes_sent, logon_req.len());

        session.ping().await.unwrap();
        session.disconnect().await.unwrap();
        assert!(matches!(session.ping().await, Err(Error::Closed)));

        let reqs = server.requests();
        let kinds: Vec<&str> = reqs.iter().map(|r| r.request_type()).collect();
        assert_eq!(kinds, ["Connect", "Execute", "PING", "Disconnect"]);
        let connect = &reqs[0];
        assert_eq!(connect.method, "POST");
        assert_eq!(connect.target, EMSMDB_PATH);
        assert_eq!(connect.body, capture("004-emsmdb-connect-alice.req.bin"));
        assert_eq!(connect.header("Content-Type"), Some("application/mapi-http"));
        assert_eq!(connect.header("X-ClientApplication"), Some("Outlook/15.0.4815.1002"));
        assert_eq!(connect.header("Authorization"), Some(ALICE_BASIC));
        assert_eq!(connect.header("Cookie"), None);
        assert_eq!(connect.header("Content-Length"), Some("129"));
        let rid = connect.header("X-RequestId").unwrap();
        let (guid, n) = rid.rsplit_once(':').unwrap();
        assert!(guid.starts_with('{') && guid.len() == 38 && n == "1", "{rid}");
        assert!(connect.header("X-ClientInfo").unwrap().ends_with("}:1"));

        let execute = &reqs[1];
        assert_eq!(execute.body, logon_req, "same bytes as capture 005");
        assert_eq!(execute.header("Cookie"), Some(format!("{SID}; {SEQ1}").as_str()));
        assert_eq!(execute.header("X-RequestId"), Some(format!("{guid}:2").as_str()));
        assert_eq!(execute.header("X-ClientInfo"), connect.header("X-ClientInfo"));
        assert_eq!(reqs[2].header("Cookie"), Some(format!("{SID}; {SEQ2}").as_str()));
        assert_eq!(reqs[2].body, capture("006-emsmdb-ping.req.bin"));
        assert_eq!(reqs[3].body, capture("090-emsmdb-disconnect.req.bin"));
        // One request at a time on one kept-alive connection.
        assert!(reqs.iter().all(|r| r.conn == reqs[0].conn));
    })
    .await;
}

#[tokio::test]
async fn wrong_basic_password_is_a_typed_auth_error() {
    within(async {
        let server = Server::start(gromox_like()).await;
        let mut t = basic();
        t.credentials = Credentials::Basic { user: "alice@example.test".into(), password: "wrong".into() };
        let err = EmsmdbSession::connect(session_config(&server, t)).await.unwrap_err();
        assert!(matches!(err, Error::Auth(_)), "{err:?}");
        assert!(!format!("{err:?}").contains("wrong"));
        assert_eq!(server.requests().len(), 1, "Basic is not retried");
    })
    .await;
}

fn ntlm_server(negotiations: Arc<AtomicUsize>) -> Handler {
    ntlm_server_scheme(negotiations, "NTLM")
}

/// An NTLM-checking front of [`gromox_like`] under `scheme` (`NTLM` or `Negotiate`).
fn ntlm_server_scheme(negotiations: Arc<AtomicUsize>, scheme: &'static str) -> Handler {
    let ntlm = ntlm::Server::new(ntlm::ServerConfig::default());
    let inner = gromox_like();
    Arc::new(move |req, st| {
        if !st.authed {
            let prefix = format!("{scheme} ");
            let Some(token) = req.header("Authorization").and_then(|a| a.strip_prefix(prefix.as_str())) else {
                return unauthorized(scheme);
            };
            let Ok(msg) = B64.decode(token) else {
                return unauthorized(scheme);
            };
            if let Some(state) = st.ntlm.take() {
                let verified = ntlm
                    .verify(state, &msg, |user, _| (user == "alice").then(|| ntlm::NtHash::from_password("alice123")));
                if verified.is_err() {
                    return unauthorized(scheme);
                }
                st.authed = true;
            } else {
                negotiations.fetch_add(1, Ordering::SeqCst);
                let Ok((state, challenge)) = ntlm.challenge(&msg) else {
                    return unauthorized(scheme);
                };
                st.ntlm = Some(state);
                return unauthorized(&format!("{scheme} {}", B64.encode(challenge)));
            }
        }
        let mut req = req.clone();
        req.headers.retain(|(n, _)| !n.eq_ignore_ascii_case("Authorization"));
        req.headers.push(("Authorization".into(), ALICE_BASIC.into()));
        inner(&req, st)
    })
}

fn ntlm_transport(password: &str) -> TransportConfig {
    let mut t = basic();
    t.credentials = Credentials::Ntlm { login: "EXAMPLE\\alice".into(), password: password.into() };
    t
}

#[tokio::test]
async fn ntlm_authenticates_the_connection_once_and_keeps_it() {
    within(async {
        let negotiations = Arc::new(AtomicUsize::new(0));
        let server = Server::start(ntlm_server(negotiations.clone())).await;
        let session = EmsmdbSession::connect(session_config(&server, ntlm_transport("alice123"))).await.unwrap();
        let rop = rop_input_of(&capture("005-execute-roplogon-private.req.bin"));
        for _ in 0..3 {
            session.execute(&rop, ExecuteFlags(3), DEFAULT_MAX_ROP_OUT).await.unwrap();
        }
        let reqs = server.requests();
        assert_eq!(negotiations.load(Ordering::SeqCst), 1, "one handshake");
        assert_eq!(reqs.len(), 1 + 1 + 3, "negotiate, connect+authenticate, 3 executes");
        assert!(reqs.iter().all(|r| r.conn == reqs[0].conn), "connection affinity");
        assert!(reqs[0].body.is_empty(), "NEGOTIATE leg carries no body");
        assert!(reqs[1].header("Authorization").unwrap().starts_with("NTLM "));
        assert_eq!(reqs[1].body, capture("004-emsmdb-connect-alice.req.bin"));
        assert!(reqs[2..].iter().all(|r| r.header("Authorization").is_none()));
    })
    .await;
}

#[tokio::test]
async fn ntlm_wrong_password_is_a_typed_auth_error() {
    within(async {
        let server = Server::start(ntlm_server(Arc::new(AtomicUsize::new(0)))).await;
        let err = EmsmdbSession::connect(session_config(&server, ntlm_transport("alice124"))).await.unwrap_err();
        assert!(matches!(err, Error::Auth(_)), "{err:?}");
        assert!(server.requests().iter().all(|r| r.request_type() != "Execute"));
    })
    .await;
}

#[tokio::test]
async fn bearer_refreshes_before_expiry_and_retries_once_on_401() {
    within(async {
        let calls = Arc::new(Mutex::new(Vec::<bool>::new()));
        let issued = Arc::new(AtomicUsize::new(0));
        let (c2, i2) = (calls.clone(), issued.clone());
        let provider = move |force: bool| {
            c2.lock().unwrap().push(force);
            let n = i2.fetch_add(1, Ordering::SeqCst) + 1;
            async move {
                Ok(AccessToken {
                    token: Secret::new(format!("t{n}")),
                    // t2 enters the refresh margin 0.5 s after issue: the request after
                    // that asks for a fresh token before sending.
                    expires_at: Some(
                        Instant::now()
                            + if n == 2 {
                                BEARER_REFRESH_MARGIN + Duration::from_millis(500)
                            } else {
                                Duration::from_secs(3600)
                            },
                    ),
                })
            }
        };
        let inner = gromox_like();
        let server = Server::start(Arc::new(move |req: &Req, st: &mut ConnState| {
            match req.header("Authorization") {
                // t1 is already revoked.
                Some("Bearer t2") | Some("Bearer t3") => {
                    let mut req = req.clone();
                    req.headers.retain(|(n, _)| !n.eq_ignore_ascii_case("Authorization"));
                    req.headers.push(("Authorization".into(), ALICE_BASIC.into()));
                    inner(&req, st)
                }
                _ => unauthorized("Bearer"),
            }
        }))
        .await;
        let mut t = basic();
        t.credentials = Credentials::Bearer(Arc::new(provider));
        let session = EmsmdbSession::connect(session_config(&server, t)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(700)).await;
        session.ping().await.unwrap();
        let auths: Vec<String> =
            server.requests().iter().map(|r| r.header("Authorization").unwrap_or("").to_owned()).collect();
        assert_eq!(auths, ["Bearer t1", "Bearer t2", "Bearer t3"]);
        assert_eq!(*calls.lock().unwrap(), [false, true, true]);
        assert!(!format!("{:?}", AccessToken { token: Secret::new("t9".into()), expires_at: None }).contains("t9"));

        // A server that refuses every token: one retry, then Error::Auth.
        let server = Server::start(Arc::new(|_: &Req, _: &mut ConnState| unauthorized("Bearer"))).await;
        let mut t = basic();
        let count = Arc::new(AtomicUsize::new(0));
        let c3 = count.clone();
        t.credentials = Credentials::Bearer(Arc::new(move |_force: bool| {
            c3.fetch_add(1, Ordering::SeqCst);
            async { Ok(AccessToken { token: Secret::new("x".into()), expires_at: None }) }
        }));
        let err = EmsmdbSession::connect(session_config(&server, t)).await.unwrap_err();
        assert!(matches!(err, Error::Auth(_)), "{err:?}");
        assert_eq!(server.requests().len(), 2);
        assert_eq!(count.load(Ordering::SeqCst), 2);
    })
    .await;
}

#[tokio::test]
async fn stale_sequence_reconnects_with_the_old_cookies() {
    within(async {
        let executes = Arc::new(AtomicUsize::new(0));
        let e2 = executes.clone();
        let seq73 = "sequence=36525034-7682-4c72-b75e-62d1966a9b5a";
        let server = Server::start(Arc::new(move |req: &Req, _: &mut ConnState| match req.request_type() {
            "Connect" if req.header("Cookie").is_none() => {
                mapi_ok(req, &[SID, SEQ1], &capture("004-emsmdb-connect-alice.resp.bin"))
            }
            "Connect" => {
                mapi_ok(req, &[SID, seq73], &capture("073-emsmdb-connect-again-with-old-cookies-recovers.resp.bin"))
            }
            "Execute" if e2.fetch_add(1, Ordering::SeqCst) == 0 => {
                error_page(7, &capture("062-execute-error-stale-sequence-cookie.resp.bin"))
            }
            "Execute" => mapi_ok(req, &[SID, SEQ2], &capture("005-execute-roplogon-private.resp.bin")),
            _ => error_page(8, b""),
        }))
        .await;
        let session = EmsmdbSession::connect(session_config(&server, basic())).await.unwrap();
        let rop = rop_input_of(&capture("005-execute-roplogon-private.req.bin"));
        let err = session.execute(&rop, ExecuteFlags(3), DEFAULT_MAX_ROP_OUT).await.unwrap_err();
        match err {
            Error::Reconnected { code } => assert_eq!(code, ResponseCode(7)),
            e => panic!("expected Reconnected, got {e:?}"),
        }
        assert_eq!(session.info().await.generation, 1);
        assert_eq!(session.generation().await, 1);
        let out = session.execute(&rop, ExecuteFlags(3), DEFAULT_MAX_ROP_OUT).await.unwrap();
        assert_eq!(out.generation, 1, "handles from generation 0 are gone");

        let reqs = server.requests();
        let kinds: Vec<&str> = reqs.iter().map(|r| r.request_type()).collect();
        assert_eq!(kinds, ["Connect", "Execute", "Connect", "Execute"]);
        // 073: Connect again with the old cookies, same body.
        assert_eq!(reqs[2].header("Cookie"), Some(format!("{SID}; {SEQ1}").as_str()));
        assert_eq!(reqs[2].body, capture("073-emsmdb-connect-again-with-old-cookies-recovers.req.bin"));
        assert_eq!(reqs[3].header("Cookie"), Some(format!("{SID}; {seq73}").as_str()));
        // A new context: new X-RequestId GUID restarting at 1, X-ClientInfo counter 2.
        let g1 = reqs[0].header("X-RequestId").unwrap().split(':').next().unwrap().to_owned();
        let r2 = reqs[2].header("X-RequestId").unwrap();
        assert!(!r2.starts_with(&g1) && r2.ends_with(":1"), "{r2}");
        assert!(reqs[2].header("X-ClientInfo").unwrap().ends_with("}:2"));
    })
    .await;
}

#[tokio::test]
async fn unknown_context_after_reconnect_attempt_connects_fresh() {
    within(async {
        let connects = Arc::new(AtomicUsize::new(0));
        let c2 = connects.clone();
        let server = Server::start(Arc::new(move |req: &Req, _: &mut ConnState| match req.request_type() {
            "Connect" => {
                let n = c2.fetch_add(1, Ordering::SeqCst);
                if n == 1 {
                    // The old sid is gone (065): code 2.
                    error_page(2, &capture("065-execute-error-unknown-sid.resp.bin"))
                } else {
                    mapi_ok(req, &[SID, SEQ1], &capture("004-emsmdb-connect-alice.resp.bin"))
                }
            }
            _ => error_page(2, &capture("065-execute-error-unknown-sid.resp.bin")),
        }))
        .await;
        let session = EmsmdbSession::connect(session_config(&server, basic())).await.unwrap();
        let err = session.ping().await.unwrap_err();
        assert!(matches!(err, Error::Reconnected { code: ResponseCode(2) }), "{err:?}");
        let reqs = server.requests();
        let kinds: Vec<&str> = reqs.iter().map(|r| r.request_type()).collect();
        assert_eq!(kinds, ["Connect", "PING", "Connect", "Connect"]);
        assert!(reqs[2].header("Cookie").is_some());
        assert!(reqs[3].header("Cookie").is_none(), "fresh context without cookies");
    })
    .await;
}

#[tokio::test]
async fn busy_503_and_ec_server_busy_back_off_then_succeed() {
    within(async {
        let n = Arc::new(AtomicUsize::new(0));
        let n2 = n.clone();
        let server = Server::start(Arc::new(move |req: &Req, _: &mut ConnState| match req.request_type() {
            "Connect" => mapi_ok(req, &[SID, SEQ1], &capture("004-emsmdb-connect-alice.resp.bin")),
            "Execute" => match n2.fetch_add(1, Ordering::SeqCst) {
                0 => {
                    Action::Steps(vec![Step::Bytes(plain("503 Service Unavailable", &[("Retry-After", "0")], b"busy"))])
                }
                1 => {
                    // Execute with ErrorCode ecServerBusy (0x480) and no ROP output.
                    let mut s =
                        b"PROCESSING\r\nDONE\r\nX-ElapsedTime: 0\r\nX-StartTime: Fri, 27 Nov 2026 01:36:08 GMT\r\n\r\n"
                            .to_vec();
                    for v in [0u32, 0x480, 0, 0, 0] {
                        s.extend(v.to_le_bytes());
                    }
                    mapi_ok(req, &[SID, SEQ2], &s)
                }
                _ => mapi_ok(req, &[SID, SEQ2], &capture("005-execute-roplogon-private.resp.bin")),
            },
            _ => error_page(8, b""),
        }))
        .await;
        let session = EmsmdbSession::connect(session_config(&server, basic())).await.unwrap();
        let rop = rop_input_of(&capture("005-execute-roplogon-private.req.bin"));
        let out = session.execute(&rop, ExecuteFlags(3), DEFAULT_MAX_ROP_OUT).await.unwrap();
        assert_eq!(out.rop_output.len(), 1);
        assert_eq!(n.load(Ordering::SeqCst), 3, "503, ecServerBusy, success");

        // Always busy: Error::Busy after max_attempts.
        let server = Server::start(Arc::new(|_: &Req, _: &mut ConnState| {
            Action::Steps(vec![Step::Bytes(plain("503 Service Unavailable", &[], b""))])
        }))
        .await;
        let mut t = basic();
        t.retry.max_attempts = 3;
        let err = EmsmdbSession::connect(session_config(&server, t)).await.unwrap_err();
        assert!(matches!(err, Error::Busy { attempts: 3, .. }), "{err:?}");
        assert_eq!(server.requests().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn connection_dropped_after_an_execute_was_sent_is_ambiguous_and_not_replayed() {
    within(async {
        let server = Server::start(Arc::new(|req: &Req, _: &mut ConnState| match req.request_type() {
            "Connect" => mapi_ok(req, &[SID, SEQ1], &capture("004-emsmdb-connect-alice.resp.bin")),
            "Execute" => Action::Close,
            _ => error_page(8, b""),
        }))
        .await;
        let session = EmsmdbSession::connect(session_config(&server, basic())).await.unwrap();
        let rop = rop_input_of(&capture("005-execute-roplogon-private.req.bin"));
        let err = session.execute(&rop, ExecuteFlags(3), DEFAULT_MAX_ROP_OUT).await.unwrap_err();
        assert!(matches!(err, Error::Ambiguous { kind: RequestKind::Execute, .. }), "{err:?}");
        let executes = server.requests().iter().filter(|r| r.request_type() == "Execute").count();
        assert_eq!(executes, 1, "an ambiguous write is never replayed");
    })
    .await;
}

#[tokio::test]
async fn pending_keepalives_outlast_the_timeout_but_silence_does_not() {
    within(async {
        let server = Server::start(Arc::new(|req: &Req, _: &mut ConnState| match req.request_type() {
            "Connect" => mapi_ok(req, &[SID, SEQ1], &capture("004-emsmdb-connect-alice.resp.bin")),
            // 042's shape: PROCESSING at once, bare PENDING keep-alives (134), then the
            // final block; 1.2 s in all, four times the 300 ms timeout.
            "NotificationWait" => {
                let mut steps = vec![Step::Bytes(mapi_head(req, &[SID])), Step::Bytes(chunk(b"PROCESSING\r\n"))];
                for _ in 0..8 {
                    steps.push(Step::Sleep(Duration::from_millis(150)));
                    steps.push(Step::Bytes(chunk(b"PENDING")));
                }
                let full = capture("042-emsmdb-notificationwait-newmail.resp.bin");
                steps.push(Step::Bytes(chunk(&full[12..])));
                steps.push(Step::Bytes(b"0\r\n\r\n".to_vec()));
                Action::Steps(steps)
            }
            // PROCESSING, then silence.
            _ => Action::Steps(vec![
                Step::Bytes(mapi_head(req, &[SID])),
                Step::Bytes(chunk(b"PROCESSING\r\n")),
                Step::Sleep(Duration::from_secs(5)),
            ]),
        }))
        .await;
        let mut t = basic();
        t.request_timeout = Duration::from_millis(300);
        let session = EmsmdbSession::connect(session_config(&server, t)).await.unwrap();
        assert_eq!(session.notification_wait().await.unwrap(), WaitOutcome::Events);

        let started = Instant::now();
        let rop = rop_input_of(&capture("005-execute-roplogon-private.req.bin"));
        let err = session.execute(&rop, ExecuteFlags(3), DEFAULT_MAX_ROP_OUT).await.unwrap_err();
        assert!(matches!(err, Error::Ambiguous { kind: RequestKind::Execute, .. }), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(3));
        let err = session.ping().await.unwrap_err();
        assert!(matches!(err, Error::Timeout(RequestKind::Ping)), "{err:?}");
    })
    .await;
}

#[tokio::test]
async fn notification_wait_gives_up_after_its_deadline() {
    within(async {
        let server = Server::start(Arc::new(|req: &Req, _: &mut ConnState| match req.request_type() {
            "Connect" => mapi_ok(req, &[SID, SEQ1], &capture("004-emsmdb-connect-alice.resp.bin")),
            _ => {
                let mut steps = vec![Step::Bytes(mapi_head(req, &[SID])), Step::Bytes(chunk(b"PROCESSING\r\n"))];
                for _ in 0..40 {
                    steps.push(Step::Sleep(Duration::from_millis(100)));
                    steps.push(Step::Bytes(chunk(b"PENDING")));
                }
                Action::Steps(steps)
            }
        }))
        .await;
        let mut t = basic();
        t.request_timeout = Duration::from_millis(500);
        t.notification_wait_timeout = Duration::from_millis(700);
        let session = EmsmdbSession::connect(session_config(&server, t)).await.unwrap();
        assert_eq!(session.notification_wait().await.unwrap(), WaitOutcome::TimedOut);
    })
    .await;
}

#[tokio::test]
async fn chained_and_compressed_responses_are_unpacked() {
    within(async {
        let which = Arc::new(AtomicUsize::new(0));
        let w2 = which.clone();
        let server = Server::start(Arc::new(move |req: &Req, _: &mut ConnState| match req.request_type() {
            "Connect" => mapi_ok(req, &[SID, SEQ1], &capture("004-emsmdb-connect-alice.resp.bin")),
            _ if w2.fetch_add(1, Ordering::SeqCst) == 0 => {
                mapi_ok(req, &[SID, SEQ2], &capture("048-execute-ics-hierarchy-ipmsubtree-chained.resp.bin"))
            }
            _ => mapi_ok(req, &[SID, SEQ2], &capture("118-execute-inbox-contents-compressed-flags0.resp.bin")),
        }))
        .await;
        let session = EmsmdbSession::connect(session_config(&server, basic())).await.unwrap();
        let rop = rop_input_of(&capture("005-execute-roplogon-private.req.bin"));
        let chained = session.execute(&rop, ExecuteFlags(7), DEFAULT_MAX_ROP_OUT).await.unwrap();
        assert_eq!(chained.rop_output.len(), 6, "048 has six RPC_HEADER_EXTs");
        let compressed = session.execute(&rop, ExecuteFlags(0), DEFAULT_MAX_ROP_OUT).await.unwrap();
        assert_eq!(compressed.rop_output.len(), 1);
        // 118 decompresses to SizeActual 770 (corrections B7).
        assert_eq!(compressed.rop_output[0].len(), 770);
        let rop_size = u16::from_le_bytes([compressed.rop_output[0][0], compressed.rop_output[0][1]]);
        assert!(usize::from(rop_size) < 770);
    })
    .await;
}

#[tokio::test]
async fn large_requests_are_compressed_and_small_ones_are_not() {
    within(async {
        let server = Server::start(gromox_like()).await;
        let session = EmsmdbSession::connect(session_config(&server, basic())).await.unwrap();
        let mut rop = vec![0u8; 4000];
        rop[0..2].copy_from_slice(&3996u16.to_le_bytes());
        session.execute(&rop, ExecuteFlags(3), DEFAULT_MAX_ROP_OUT).await.unwrap();
        let execute = server.requests().into_iter().find(|r| r.request_type() == "Execute").unwrap();
        // Flags, RopBufferSize, RPC_HEADER_EXT with Compressed|Last.
        assert_eq!(&execute.body[8..12], &[0, 0, 5, 0]);
        assert!(execute.body.len() < 1000);
        assert_eq!(u16::from_le_bytes([execute.body[14], execute.body[15]]), 4000);
    })
    .await;
}

#[tokio::test]
async fn trace_dir_gets_request_and_response_bodies() {
    within(async {
        let server = Server::start(gromox_like()).await;
        let dir = std::env::temp_dir().join(format!("mapi-trace-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut t = basic();
        t.trace_dir = Some(dir.clone());
        let session = EmsmdbSession::connect(session_config(&server, t)).await.unwrap();
        session.ping().await.unwrap();
        let mut names: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        assert_eq!(names.len(), 4, "{names:?}");
        let connect_req = names.iter().find(|n| n.ends_with("-Connect.req.bin")).unwrap();
        assert_eq!(std::fs::read(dir.join(connect_req)).unwrap(), capture("004-emsmdb-connect-alice.req.bin"));
        let connect_resp = names.iter().find(|n| n.ends_with("-Connect.resp.bin")).unwrap();
        assert_eq!(std::fs::read(dir.join(connect_resp)).unwrap(), capture("004-emsmdb-connect-alice.resp.bin"));
        assert!(names.iter().any(|n| n.ends_with("-PING.resp.bin")));
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

#[tokio::test]
async fn nspi_bind_sends_the_capture_body_and_calls_pass_bodies_through() {
    within(async {
        let server = Server::start(Arc::new(|req: &Req, _: &mut ConnState| match req.request_type() {
            "Bind" => mapi_ok(
                req,
                &["sid=alt6icsbe7e0exb8amjdplcee8d9tea0", "sequence=89e80e37-e51a-40d3-804a-c3be039a8e50"],
                &capture("092-nspi-bind.resp.bin"),
            ),
            _ => mapi_ok(req, &[], b"PROCESSING\r\nDONE\r\n\r\n\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00"),
        }))
        .await;
        let mut cfg = SessionConfig::new(&server.url(NSPI_PATH), ALICE_DN, basic());
        cfg.lcid = 0x409;
        let nspi = NspiSession::bind(cfg).await.unwrap();
        assert!(nspi.info().await.server_guid.is_some());
        let body = nspi.unbind().await.unwrap();
        assert_eq!(body.len(), 12);
        let reqs = server.requests();
        assert_eq!(reqs[0].body, capture("092-nspi-bind.req.bin"));
        assert_eq!(reqs[0].target, NSPI_PATH);
        assert_eq!(reqs[1].request_type(), "Unbind");
        assert!(reqs[1].header("Cookie").unwrap().starts_with("sid=alt6"));
    })
    .await;
}

#[tokio::test]
async fn connect_error_code_is_reported() {
    within(async {
        let server = Server::start(Arc::new(|req: &Req, _: &mut ConnState| {
            // Connect with ErrorCode 0x80070005 (079's form): full layout, zeros.
            let mut s = b"PROCESSING\r\nDONE\r\n\r\n".to_vec();
            for v in [0u32, 0x8007_0005, 0, 0, 0] {
                s.extend(v.to_le_bytes());
            }
            s.extend([0u8, 0, 0]); // DnPrefix "", DisplayName ""
            s.extend(0u32.to_le_bytes());
            mapi_ok(req, &[SID, SEQ1], &s)
        }))
        .await;
        let err = EmsmdbSession::connect(session_config(&server, basic())).await.unwrap_err();
        assert!(
            matches!(err, Error::Mapi { kind: RequestKind::Connect, code: mapi_wire::ErrorCode(0x8007_0005) }),
            "{err:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn silence_before_response_headers_times_out() {
    within(async {
        let server = Server::start(Arc::new(|req: &Req, _: &mut ConnState| match req.request_type() {
            "Connect" => mapi_ok(req, &[SID, SEQ1], &capture("004-emsmdb-connect-alice.resp.bin")),
            _ => Action::Steps(vec![Step::Sleep(Duration::from_secs(5))]),
        }))
        .await;
        let mut t = basic();
        t.request_timeout = Duration::from_millis(300);
        let session = EmsmdbSession::connect(session_config(&server, t)).await.unwrap();
        let rop = rop_input_of(&capture("005-execute-roplogon-private.req.bin"));
        let err = session.execute(&rop, ExecuteFlags(3), DEFAULT_MAX_ROP_OUT).await.unwrap_err();
        assert!(matches!(err, Error::Ambiguous { kind: RequestKind::Execute, .. }), "{err:?}");
        let err = session.ping().await.unwrap_err();
        assert!(matches!(err, Error::Timeout(RequestKind::Ping)), "{err:?}");
    })
    .await;
}

#[tokio::test]
async fn notification_wait_runs_beside_execute_on_its_own_connection() {
    within(async {
        let server = Server::start(Arc::new(|req: &Req, _: &mut ConnState| match req.request_type() {
            "Connect" => mapi_ok(req, &[SID, SEQ1], &capture("004-emsmdb-connect-alice.resp.bin")),
            "Execute" => mapi_ok(req, &[SID, SEQ2], &capture("005-execute-roplogon-private.resp.bin")),
            _ => {
                let mut steps = vec![Step::Bytes(mapi_head(req, &[SID])), Step::Bytes(chunk(b"PROCESSING\r\n"))];
                steps.push(Step::Sleep(Duration::from_millis(600)));
                let full = capture("042-emsmdb-notificationwait-newmail.resp.bin");
                steps.push(Step::Bytes(chunk(&full[12..])));
                steps.push(Step::Bytes(b"0\r\n\r\n".to_vec()));
                Action::Steps(steps)
            }
        }))
        .await;
        let session = Arc::new(EmsmdbSession::connect(session_config(&server, basic())).await.unwrap());
        let s2 = session.clone();
        let wait = tokio::spawn(async move { s2.notification_wait().await });
        tokio::time::sleep(Duration::from_millis(100)).await;
        let rop = rop_input_of(&capture("005-execute-roplogon-private.req.bin"));
        let started = Instant::now();
        session.execute(&rop, ExecuteFlags(3), DEFAULT_MAX_ROP_OUT).await.unwrap();
        assert!(started.elapsed() < Duration::from_millis(400), "Execute did not wait for the wait");
        assert_eq!(wait.await.unwrap().unwrap(), WaitOutcome::Events);
        let reqs = server.requests();
        let wait_req = reqs.iter().find(|r| r.request_type() == "NotificationWait").unwrap();
        let exec_req = reqs.iter().find(|r| r.request_type() == "Execute").unwrap();
        assert_ne!(wait_req.conn, exec_req.conn);
        assert_eq!(wait_req.body, capture("042-emsmdb-notificationwait-newmail.req.bin"));
    })
    .await;
}

#[tokio::test]
async fn ntlm_token_under_the_negotiate_scheme() {
    within(async {
        let server = Server::start(ntlm_server_scheme(Arc::new(AtomicUsize::new(0)), "Negotiate")).await;
        let session = EmsmdbSession::connect(session_config(&server, ntlm_transport("alice123"))).await.unwrap();
        session.ping().await.unwrap();
        let reqs = server.requests();
        let schemes: Vec<&str> =
            reqs.iter().map(|r| r.header("Authorization").unwrap_or("-").split(' ').next().unwrap()).collect();
        assert_eq!(schemes, ["NTLM", "Negotiate", "Negotiate", "-"]);
        let info = session.info().await;
        assert_eq!(info.expiration, Some(Duration::from_millis(900_000)));
        assert_eq!(info.pending_period, Some(Duration::from_millis(30_000)));
    })
    .await;
}

#[tokio::test]
async fn hostile_responses_fail_cleanly() {
    within(async {
        for bad in [
            // Garbage where the meta-tags belong, then a close.
            b"HTTP/1.1 200 OK\r\nContent-Type: application/mapi-http\r\nContent-Length: 10\r\n\r\n\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09".to_vec(),
            // A malformed X-ResponseCode.
            b"HTTP/1.1 200 OK\r\nX-ResponseCode: banana\r\nContent-Length: 0\r\n\r\n".to_vec(),
            // DONE, then a Connect body cut short.
            b"HTTP/1.1 200 OK\r\nContent-Type: application/mapi-http\r\nContent-Length: 22\r\n\r\nPROCESSING\r\nDONE\r\n\r\n\x00\x00".to_vec(),
            // An unexpected status.
            b"HTTP/1.1 418 I'm a teapot\r\nContent-Length: 0\r\n\r\n".to_vec(),
        ] {
            let server = Server::start(Arc::new(move |_: &Req, _: &mut ConnState| Action::Steps(vec![Step::Bytes(bad.clone())]))).await;
            let mut t = basic();
            t.request_timeout = Duration::from_secs(2);
            let err = EmsmdbSession::connect(session_config(&server, t)).await.unwrap_err();
            assert!(matches!(err, Error::Protocol(_) | Error::HttpStatus { status: 418 }), "{err:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn malformed_request_code_restores_the_sequence_and_says_so() {
    within(async {
        let server = Server::start(Arc::new(|req: &Req, _: &mut ConnState| match req.request_type() {
            "Connect" => mapi_ok(req, &[SID, SEQ1], &capture("004-emsmdb-connect-alice.resp.bin")),
            // 071: request body invalid (gromox code 5); the sequence already moved on.
            _ => error_page(5, &capture("071-execute-error-truncated-body.resp.bin")),
        }))
        .await;
        let session = EmsmdbSession::connect(session_config(&server, basic())).await.unwrap();
        let err = session.execute(&[2, 0], ExecuteFlags(3), DEFAULT_MAX_ROP_OUT).await.unwrap_err();
        match err {
            Error::Response { code, reconnected, diagnostic } => {
                assert_eq!(code, ResponseCode(5));
                assert!(reconnected);
                assert!(!diagnostic.contains('<'), "{diagnostic}");
            }
            e => panic!("{e:?}"),
        }
        let kinds: Vec<String> = server.requests().iter().map(|r| r.request_type().to_owned()).collect();
        assert_eq!(kinds, ["Connect", "Execute", "Connect"]);
        assert_eq!(session.generation().await, 1);
    })
    .await;
}
