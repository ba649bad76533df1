//! Authentication, Autodiscover and /health over raw HTTP.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use common::*;
use exchange_sim::config::BearerToken;

fn autodiscover_body(address: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\">\
         <Request><EMailAddress>{address}</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>"
    )
    .into_bytes()
}

#[tokio::test]
async fn wrong_or_missing_credentials_get_401_like_exchange_and_no_session() {
    let mut c = test_config();
    c.bearer_tokens.push(BearerToken { token: "tok-alice".into(), user: ALICE.into() });
    let sim = start(c).await;
    let mut conn = connect(sim.local_addr()).await;
    let mut m = Mapi::new(ALICE);
    m.auth = basic(ALICE, "wrong");
    let r = m.call(&mut conn, EMSMDB, "Connect", &connect_body(&legacy_dn(&sim, ALICE))).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body, b"Unauthorized\r\n");
    assert_eq!(r.header("Content-Type"), Some("text/plain; charset=utf-8"));
    assert_eq!(r.header("Connection"), Some("keep-alive"));
    assert_eq!(r.all("WWW-Authenticate"), ["Basic realm=\"exchange-sim\", charset=\"utf-8\"", "Bearer"]);
    assert!(r.all("Set-Cookie").is_empty());
    assert_eq!(sim.sessions().len(), 0, "a wrong password never yields a session");
    // The connection stays usable (keep-alive), and no header at all is 401 too.
    let mut h = m.headers("Connect");
    h.retain(|(n, _)| *n != "Authorization");
    let r = conn.request("POST", EMSMDB, &h, &connect_body(&legacy_dn(&sim, ALICE))).await.unwrap();
    assert_eq!(r.status, 401);
    // Unknown user, unknown scheme, bad bearer.
    for auth in [basic("nobody@example.test", PASSWORD), "Negotiate TlRMTVNTUAAB".into(), "Bearer nope".into()] {
        m.auth = auth;
        let r = m.call(&mut conn, EMSMDB, "Connect", &connect_body(&legacy_dn(&sim, ALICE))).await;
        assert_eq!(r.status, 401);
    }
    assert_eq!(sim.sessions().len(), 0);
}

#[tokio::test]
async fn basic_and_bearer_logins_succeed() {
    let mut c = test_config();
    c.bearer_tokens.push(BearerToken { token: "tok-bob".into(), user: BOB.into() });
    let sim = start(c).await;
    let (mut m, mut conn, _) = connected(&sim, ALICE).await;
    assert_eq!(m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await.response_code(), Some(0));
    let mut conn = connect(sim.local_addr()).await;
    let mut b = Mapi::new(BOB);
    b.auth = "Bearer tok-bob".into();
    let r = b.call(&mut conn, EMSMDB, "Connect", &connect_body(&legacy_dn(&sim, BOB))).await;
    assert_eq!(r.response_code(), Some(0));
    let r = b.call(&mut conn, EMSMDB, "Execute", &execute_body()).await;
    assert_eq!(r.response_code(), Some(0));
    // Bob's token on alice's context.
    m.auth = "Bearer tok-bob".into();
    let r = m.call(&mut conn, EMSMDB, "Execute", &execute_body()).await;
    assert_eq!(r.response_code(), Some(11));
    assert_eq!(sim.sessions().len(), 2);
}

#[tokio::test]
async fn autodiscover_with_and_without_mapi_http_capability() {
    let sim = start(test_config()).await;
    let mut conn = connect(sim.local_addr()).await;
    let auth = basic(ALICE, PASSWORD);
    let with = conn
        .request(
            "POST",
            "/Autodiscover/Autodiscover.xml",
            &[
                ("Content-Type", "text/xml; charset=utf-8".into()),
                ("Authorization", auth.clone()),
                ("X-MapiHttpCapability", "1".into()),
                ("X-AnchorMailbox", ALICE.into()),
            ],
            &autodiscover_body(ALICE),
        )
        .await
        .unwrap();
    assert_eq!(with.status, 200);
    assert!(with.header("Content-Type").unwrap().starts_with("text/xml"));
    assert!(with.header("Content-Length").is_some() && with.chunks.is_none());
    let xml = String::from_utf8(with.body.clone()).unwrap();
    let info = sim.store().mailbox(ALICE).unwrap().info().clone();
    let mailbox_id = format!("{}@example.test", info.mailbox_guid);
    assert!(xml.contains(&format!("<LegacyDN>{}</LegacyDN>", info.legacy_dn)));
    assert!(xml.contains("<DisplayName>Alice Tester</DisplayName>"));
    assert!(xml.contains("<AutoDiscoverSMTPAddress>alice@example.test</AutoDiscoverSMTPAddress>"));
    let store_url = format!("http://127.0.0.1/mapi/emsmdb/?MailboxId={mailbox_id}");
    let book_url = format!("http://127.0.0.1/mapi/nspi/?MailboxId={mailbox_id}");
    assert!(xml.contains(&format!(
        "<Protocol Type=\"mapiHttp\" Version=\"1\"><MailStore><InternalUrl>{store_url}</InternalUrl><ExternalUrl>{store_url}</ExternalUrl></MailStore><AddressBook><InternalUrl>{book_url}</InternalUrl><ExternalUrl>{book_url}</ExternalUrl></AddressBook></Protocol>"
    )));
    assert!(!xml.contains("Ews") && !xml.contains("EWS"));
    // The advertised URL works.
    let mut m = Mapi::new(ALICE);
    let r = m
        .call(&mut conn, &format!("/mapi/emsmdb/?MailboxId={mailbox_id}"), "Connect", &connect_body(&info.legacy_dn))
        .await;
    assert_eq!(r.response_code(), Some(0));

    let without = conn
        .request(
            "POST",
            "/autodiscover/autodiscover.xml",
            &[("Authorization", auth.clone())],
            &autodiscover_body(ALICE),
        )
        .await
        .unwrap();
    let xml = String::from_utf8(without.body).unwrap();
    assert!(!xml.contains("mapiHttp"), "spec: no block without X-MapiHttpCapability");
    assert!(xml.contains("<LegacyDN>"));

    let unknown = conn
        .request(
            "POST",
            "/autodiscover/autodiscover.xml",
            &[("Authorization", auth.clone())],
            &autodiscover_body("x@y.z"),
        )
        .await
        .unwrap();
    assert!(String::from_utf8(unknown.body).unwrap().contains("<ErrorCode>500</ErrorCode>"));

    let denied = conn
        .request(
            "POST",
            "/autodiscover/autodiscover.xml",
            &[("Authorization", basic(ALICE, "bad"))],
            &autodiscover_body(ALICE),
        )
        .await
        .unwrap();
    assert_eq!(denied.status, 401);
}

#[tokio::test]
async fn health_and_unknown_paths() {
    let sim = start(test_config()).await;
    let mut conn = connect(sim.local_addr()).await;
    let r = conn.request("GET", "/health", &[], b"").await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert_eq!(r.body, b"{\"status\":\"ok\",\"sessions\":0}");
    let r = conn.request("GET", "/nothing", &[], b"").await.unwrap();
    assert_eq!(r.status, 404);
    let r = conn.request("POST", "/health", &[], b"").await.unwrap();
    assert_eq!(r.status, 405);
}

/// A stand-in verifier: CHALLENGE = `NTLMSSP\0` 2 + nonce; AUTHENTICATE =
/// `NTLMSSP\0` 3 + nonce + user name. Exercises the HTTP side of the
/// handshake (connection affinity), not [MS-NLMP] cryptography.
struct ToyNtlm;

impl exchange_sim::auth::ntlm::NtlmServer for ToyNtlm {
    fn challenge(&self, _negotiate: &[u8]) -> Option<(exchange_sim::auth::ntlm::NtlmPending, Vec<u8>)> {
        let nonce: u32 = 0x1234_5678;
        let mut c = b"NTLMSSP\0\x02\0\0\0".to_vec();
        c.extend_from_slice(&nonce.to_le_bytes());
        Some((exchange_sim::auth::ntlm::NtlmPending(Box::new(nonce)), c))
    }

    fn verify(
        &self,
        pending: exchange_sim::auth::ntlm::NtlmPending,
        authenticate: &[u8],
        directory: &dyn exchange_sim::auth::UserDirectory,
    ) -> Option<String> {
        let nonce = *pending.0.downcast::<u32>().ok()?;
        let got = u32::from_le_bytes(authenticate.get(12..16)?.try_into().ok()?);
        let user = std::str::from_utf8(authenticate.get(16..)?).ok()?;
        (got == nonce && directory.lookup(user).is_some()).then(|| user.to_owned())
    }
}

fn ntlm_header(msg_type: u8, rest: &[u8]) -> String {
    use base64::Engine as _;
    let mut t = b"NTLMSSP\0".to_vec();
    t.extend_from_slice(&[msg_type, 0, 0, 0]);
    t.extend_from_slice(rest);
    format!("NTLM {}", base64::engine::general_purpose::STANDARD.encode(t))
}

#[tokio::test]
async fn ntlm_handshake_authenticates_the_connection() {
    let sim = exchange_sim::server::Simulator::new(test_config())
        .with_store(demo_store())
        .with_ntlm(std::sync::Arc::new(ToyNtlm))
        .run()
        .await
        .unwrap();
    let mut conn = connect(sim.local_addr()).await;
    let mut m = Mapi::new(ALICE);
    // No credentials: NTLM is offered.
    m.auth = String::new();
    let mut h = m.headers("Connect");
    h.retain(|(n, _)| *n != "Authorization");
    let r = conn.request("POST", EMSMDB, &h, &connect_body(&legacy_dn(&sim, ALICE))).await.unwrap();
    assert_eq!(r.status, 401);
    assert!(r.all("WWW-Authenticate").contains(&"NTLM"));
    // Leg 1: NEGOTIATE → 401 + CHALLENGE.
    m.auth = ntlm_header(1, b"");
    let r = m.call(&mut conn, EMSMDB, "Connect", &connect_body(&legacy_dn(&sim, ALICE))).await;
    assert_eq!(r.status, 401);
    let challenge = r.header("WWW-Authenticate").unwrap().strip_prefix("NTLM ").unwrap().to_owned();
    assert_eq!(r.all("WWW-Authenticate").len(), 1);
    use base64::Engine as _;
    let challenge = base64::engine::general_purpose::STANDARD.decode(challenge).unwrap();
    let nonce = &challenge[12..16];
    // AUTHENTICATE on another connection has no handshake state: refused.
    let mut other = connect(sim.local_addr()).await;
    let mut auth = nonce.to_vec();
    auth.extend_from_slice(ALICE.as_bytes());
    let mut o = Mapi::new(ALICE);
    o.auth = ntlm_header(3, &auth);
    let r = o.call(&mut other, EMSMDB, "Connect", &connect_body(&legacy_dn(&sim, ALICE))).await;
    assert_eq!(r.status, 401);
    // Leg 2 on the same connection: authenticated, Connect proceeds.
    m.auth = ntlm_header(3, &auth);
    let r = m.call(&mut conn, EMSMDB, "Connect", &connect_body(&legacy_dn(&sim, ALICE))).await;
    assert_eq!(r.response_code(), Some(0));
    // Later requests on the connection need no Authorization header.
    let mut h = m.headers("Execute");
    h.retain(|(n, _)| *n != "Authorization");
    let r = conn.request("POST", EMSMDB, &h, &execute_body()).await.unwrap();
    assert_eq!(r.response_code(), Some(0));
    // A wrong nonce never authenticates.
    let mut conn = connect(sim.local_addr()).await;
    m.auth = ntlm_header(1, b"");
    assert_eq!(m.call(&mut conn, EMSMDB, "PING", b"").await.status, 401);
    let mut bad = vec![0, 0, 0, 0];
    bad.extend_from_slice(ALICE.as_bytes());
    m.auth = ntlm_header(3, &bad);
    assert_eq!(m.call(&mut conn, EMSMDB, "PING", b"").await.status, 401);
}

#[tokio::test]
async fn real_ntlmv2_handshake_with_the_ntlm_crate_client() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let store = demo_store();
    let dir = exchange_sim::auth::WithNtHashes::new(std::sync::Arc::new(store.clone()));
    dir.set_password(ALICE, PASSWORD);
    let sim = exchange_sim::server::Simulator::new(test_config())
        .with_store(store)
        .with_directory(std::sync::Arc::new(dir))
        .with_ntlm(std::sync::Arc::new(exchange_sim::auth::ntlm::Ntlmv2::default()))
        .run()
        .await
        .unwrap();
    let dn = legacy_dn(&sim, ALICE);
    let logins: [(ntlm::Client, &str, bool); 4] = [
        (ntlm::Client::from_login(ALICE, PASSWORD), "NTLM", true),
        (ntlm::Client::new("alice", "EXAMPLE", PASSWORD), "Negotiate", true),
        (ntlm::Client::from_login(ALICE, "wrong"), "NTLM", false),
        (ntlm::Client::from_login(BOB, PASSWORD), "NTLM", false),
    ];
    for (mut client, scheme, ok) in logins {
        let mut conn = connect(sim.local_addr()).await;
        let mut m = Mapi::new(ALICE);
        m.auth = format!("{scheme} {}", b64.encode(client.negotiate()));
        let r = m.call(&mut conn, EMSMDB, "Connect", &connect_body(&dn)).await;
        assert_eq!(r.status, 401);
        let challenge = r.header("WWW-Authenticate").unwrap().strip_prefix(&format!("{scheme} ")).unwrap();
        let auth = client.authenticate(&b64.decode(challenge).unwrap()).unwrap();
        m.auth = format!("{scheme} {}", b64.encode(auth));
        let r = m.call(&mut conn, EMSMDB, "Connect", &connect_body(&dn)).await;
        if ok {
            assert_eq!(r.response_code(), Some(0), "{scheme}");
        } else {
            assert_eq!(r.status, 401, "bob has no NT hash here; wrong password never passes");
        }
    }
    let mut conn = connect(sim.local_addr()).await;
    let r = conn.request("GET", "/health", &[], b"").await.unwrap();
    assert_eq!(r.status, 200);
    let r = conn.request("POST", EMSMDB, &[], b"").await.unwrap();
    assert_eq!(r.all("WWW-Authenticate")[1..], ["Negotiate", "NTLM"]);
}
