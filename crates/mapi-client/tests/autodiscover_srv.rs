//! The Autodiscover SRV step ([MS-OXDSCLI] 3.1.5.3) with [`DnsSrvResolver`] asking a
//! tiny DNS responder on 127.0.0.1 (UDP, ephemeral port): SRV record order, NXDOMAIN,
//! discovery reaching exchange-sim (HTTPS) only through SRV, and redirectAddr chains
//! (each new address found by SRV again) bounded.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;
mod e2e_common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mapi_client::autodiscover::{self, MAX_REDIRECTS};
use mapi_client::dns::SrvRecord;
use mapi_client::{Credentials, DnsSrvResolver, EmsmdbSession, SessionConfig, SrvResolver, TransportConfig};
use tokio::net::UdpSocket;

/// (priority, weight, port, target) of one SRV answer record.
type Srv = (u16, u16, u16, &'static str);

/// Answers SRV queries for names ending in `suffix` with `records` (in this wire
/// order, owner name compressed to the question), NXDOMAIN for the rest; records the
/// names asked. Stops with the runtime.
struct Responder {
    addr: std::net::SocketAddr,
    asked: Arc<Mutex<Vec<String>>>,
}

fn qname(query: &[u8]) -> (String, usize) {
    let mut at = 12;
    let mut labels = Vec::new();
    while query[at] != 0 {
        let len = usize::from(query[at]);
        labels.push(String::from_utf8_lossy(&query[at + 1..at + 1 + len]).into_owned());
        at += 1 + len;
    }
    (labels.join("."), at + 1 + 4)
}

async fn responder(suffix: &'static str, records: Vec<Srv>) -> Responder {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    tokio::spawn(async move {
        let mut buf = [0u8; 512];
        loop {
            let Ok((n, peer)) = socket.recv_from(&mut buf).await else { return };
            let query = &buf[..n];
            let (name, question_end) = qname(query);
            log.lock().unwrap().push(name.clone());
            let hit = name.ends_with(suffix);
            let mut a = query[..2].to_vec();
            a.extend_from_slice(&(if hit { 0x8180u16 } else { 0x8183 }).to_be_bytes());
            let count = if hit { records.len() as u16 } else { 0 };
            a.extend_from_slice(&[0, 1]);
            a.extend_from_slice(&count.to_be_bytes());
            a.extend_from_slice(&[0, 0, 0, 0]);
            a.extend_from_slice(&query[12..question_end]);
            for (priority, weight, port, target) in records.iter().filter(|_| hit) {
                let mut rdata = Vec::new();
                for v in [priority, weight, port] {
                    rdata.extend_from_slice(&v.to_be_bytes());
                }
                for l in target.split('.').filter(|l| !l.is_empty()) {
                    rdata.push(l.len() as u8);
                    rdata.extend_from_slice(l.as_bytes());
                }
                rdata.push(0);
                a.extend_from_slice(&[0xC0, 12, 0, 33, 0, 1, 0, 0, 0x0E, 0x10]);
                a.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
                a.extend_from_slice(&rdata);
            }
            let _ = socket.send_to(&a, peer).await;
        }
    });
    Responder { addr, asked }
}

fn resolver(r: &Responder) -> DnsSrvResolver {
    let mut d = DnsSrvResolver::new(vec![r.addr]);
    d.timeout = Duration::from_secs(2);
    d
}

/// A port nothing listens on.
async fn closed_port() -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap().port()
}

fn pinned(credentials: Credentials, der: Vec<u8>) -> TransportConfig {
    let mut t = e2e_common::transport(credentials);
    t.tls.pinned_certificate = Some(der);
    // The domain's own candidates (example.test, autodiscover.example.test) do not
    // resolve here; fail fast if a resolver blackholes them.
    t.connect_timeout = Duration::from_secs(2);
    t
}

fn der_of_pem(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(b64).unwrap()
}

#[tokio::test]
async fn srv_records_come_back_best_first_and_nxdomain_is_empty() {
    let r = responder(
        "_autodiscover._tcp.example.test",
        vec![
            (20, 5, 443, "backup.example.test"),
            (10, 1, 8443, "light.example.test"),
            (10, 9, 443, "mail.example.test"),
            (0, 0, 0, "."),
        ],
    )
    .await;
    let d = resolver(&r);
    let got = d.lookup_srv("_autodiscover._tcp.example.test").await.unwrap();
    let want = [
        SrvRecord { priority: 10, weight: 9, port: 443, target: "mail.example.test".into() },
        SrvRecord { priority: 10, weight: 1, port: 8443, target: "light.example.test".into() },
        SrvRecord { priority: 20, weight: 5, port: 443, target: "backup.example.test".into() },
    ];
    assert_eq!(got, want, "priority, then weight; the '.' target (service not offered) left out");
    assert!(d.lookup_srv("_autodiscover._tcp.other.test").await.unwrap().is_empty(), "NXDOMAIN");
    // Through the trait Autodiscover uses.
    let targets = SrvResolver::resolve(&d, "_autodiscover._tcp.example.test").await;
    assert_eq!(targets[0], ("mail.example.test".to_owned(), 443));
    // A silent server is a bounded failure, not a hang.
    let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut quiet = DnsSrvResolver::new(vec![silent.local_addr().unwrap()]);
    quiet.timeout = Duration::from_millis(200);
    assert!(quiet.lookup_srv("_autodiscover._tcp.example.test").await.is_err());
    assert!(SrvResolver::resolve(&quiet, "_autodiscover._tcp.example.test").await.is_empty());
}

#[tokio::test]
async fn discovery_reaches_the_simulator_through_srv() {
    let mut config = e2e_common::sim_config();
    config.tls = true;
    let sim = exchange_sim::server::Simulator::new(config).with_store(e2e_common::demo_store()).run().await.unwrap();
    let der = der_of_pem(sim.certificate_pem().unwrap());
    let port = sim.local_addr().port();
    let dead = closed_port().await;
    // The better record points at a dead port; the client goes on to the next one.
    let dns =
        responder("_autodiscover._tcp.example.test", vec![(10, 0, port, "127.0.0.1"), (5, 0, dead, "127.0.0.1")]).await;
    let t = pinned(
        Credentials::Basic { user: e2e_common::ALICE.into(), password: e2e_common::PASSWORD.to_owned().into() },
        der,
    );
    let srv: Arc<dyn SrvResolver> = Arc::new(resolver(&dns));
    let d = tokio::time::timeout(Duration::from_secs(30), autodiscover::discover(e2e_common::ALICE, &t, Some(srv)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(*dns.asked.lock().unwrap(), ["_autodiscover._tcp.example.test"]);
    assert_eq!(d.legacy_dn, sim.store().mailbox(e2e_common::ALICE).unwrap().info().legacy_dn);
    assert!(d.mailstore_url.starts_with("https://"), "{}", d.mailstore_url);
    let session = EmsmdbSession::connect(SessionConfig::mailstore(&d, t)).await.unwrap();
    assert_eq!(session.info().await.display_name, "Alice Tester");
}

/// An Autodiscover server (HTTPS, self-signed) that answers every address `u<n>@…`
/// with redirectAddr to `u<n+1>@hop<n+1>.test` up to `last`, then with capture 001.
async fn redirect_addr_server(last: Option<usize>) -> (common::Server, Vec<u8>) {
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let der = cert.cert.der().to_vec();
    let key = rustls_pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let server_cfg = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![der.clone().into()], key)
        .unwrap();
    let server = common::Server::start_with(
        Arc::new(move |req: &common::Req, _: &mut common::ConnState| {
            let body = String::from_utf8_lossy(&req.body).into_owned();
            let n: usize = body
                .split_once("<EMailAddress>u")
                .and_then(|(_, rest)| rest.split_once('@'))
                .and_then(|(n, _)| n.parse().ok())
                .unwrap_or(0);
            let answer = if last.is_some_and(|l| n >= l) {
                common::capture("001-autodiscover-alice.resp.bin")
            } else {
                format!(
                    r#"<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><Action>redirectAddr</Action><RedirectAddr>u{}@hop{}.test</RedirectAddr></Account></Response></Autodiscover>"#,
                    n + 1,
                    n + 1
                )
                .into_bytes()
            };
            common::Action::Steps(vec![common::Step::Bytes(common::plain(
                "200 OK",
                &[("Content-Type", "text/xml")],
                &answer,
            ))])
        }),
        Some(Arc::new(server_cfg)),
    )
    .await;
    (server, der)
}

#[tokio::test]
async fn redirect_addr_is_followed_through_srv_and_bounded() {
    // Three hops, then settings.
    let (server, der) = redirect_addr_server(Some(3)).await;
    let dns = responder(".test", vec![(0, 0, server.addr.port(), "127.0.0.1")]).await;
    let t = pinned(Credentials::Basic { user: "u0@hop0.test".into(), password: "pw".to_owned().into() }, der.clone());
    let srv: Arc<dyn SrvResolver> = Arc::new(resolver(&dns));
    let d =
        tokio::time::timeout(Duration::from_secs(60), autodiscover::discover("u0@hop0.test", &t, Some(srv.clone())))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(d.legacy_dn, common::ALICE_DN);
    assert_eq!(
        *dns.asked.lock().unwrap(),
        [
            "_autodiscover._tcp.hop0.test",
            "_autodiscover._tcp.hop1.test",
            "_autodiscover._tcp.hop2.test",
            "_autodiscover._tcp.hop3.test"
        ]
    );

    // An endless chain stops after MAX_REDIRECTS redirects.
    let (server, der) = redirect_addr_server(None).await;
    let dns = responder(".test", vec![(0, 0, server.addr.port(), "127.0.0.1")]).await;
    let t = pinned(Credentials::Basic { user: "u0@hop0.test".into(), password: "pw".to_owned().into() }, der);
    let srv: Arc<dyn SrvResolver> = Arc::new(resolver(&dns));
    let e = tokio::time::timeout(Duration::from_secs(120), autodiscover::discover("u0@hop0.test", &t, Some(srv)))
        .await
        .unwrap()
        .unwrap_err();
    assert!(e.to_string().contains("too many redirects"), "{e}");
    assert_eq!(server.requests().len(), MAX_REDIRECTS + 1, "the first ask and MAX_REDIRECTS redirects");
}
