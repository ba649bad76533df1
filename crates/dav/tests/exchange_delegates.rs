//! Delegated calendars over CalDAV, scripted requests against the DAV
//! server over ExchangeProvider and an in-process exchange-sim: bob, with
//! Reviewer on alice's Calendar, sees only that calendar under alice's
//! principal, reads it (PROPFIND, GET, REPORT), may not write it (403), and
//! finds alice through `calendar-proxy-read-for`; without rights every way
//! into another user's collections is 403/404, whatever the spelling.
#![allow(missing_docs, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use dav::{DavConfig, DavServer};
use exchange_sim::config::SimConfig;
use exchange_sim::seed::{SeedOptions, seed};
use exchange_sim::server::{RunningSim, Simulator};
use exchange_sim::store::{Rights, SpecialFolder, Store};
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use mailbox::exchange::{Endpoints, ExchangeConfig, ExchangeProvider};

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";
const PASSWORD: &str = "demo";

struct Env {
    sim: RunningSim,
    addr: std::net::SocketAddr,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::watch::Sender<bool>,
}

/// alice and bob seeded (calendars with events); `share` gives bob Reviewer
/// on alice's Calendar and Folder visible on her IPM subtree.
async fn env(share: bool) -> Env {
    let store = Store::open_in_memory().unwrap();
    seed(&store, &SeedOptions { users: vec!["alice".into(), "bob".into()], messages: 1, seed: 7 }).unwrap();
    if share {
        let alice = store.mailbox(ALICE).unwrap();
        alice.grant(Some(alice.special_folder(SpecialFolder::Calendar)), BOB, Rights::REVIEWER).unwrap();
        alice.grant(Some(alice.special_folder(SpecialFolder::IpmSubtree)), BOB, Rights::FOLDER_VISIBLE).unwrap();
    }
    let mut c = SimConfig::loopback();
    c.request_timeout = Duration::from_secs(30);
    let sim = Simulator::new(c).with_store(store).run().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let state = Arc::new(state::SqliteStore::open(dir.path()).await.unwrap());
    let mut config = ExchangeConfig::new(Endpoints::Autodiscover {
        start: vec![format!("{}/autodiscover/autodiscover.xml", sim.base_url())],
    });
    config.retry.max_attempts = 2;
    config.retry.base_delay = Duration::from_millis(2);
    let provider = Arc::new(ExchangeProvider::new(config, state));
    let server = DavServer::new(DavConfig::default(), provider);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move { server.serve(listener, rx).await });
    Env { sim, addr, _dir: dir, _stop: stop }
}

impl Env {
    async fn send(&self, user: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
        let stream = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
        tokio::spawn(conn);
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{PASSWORD}"));
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("host", self.addr.to_string())
            .header("authorization", format!("Basic {token}"));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = sender.send_request(req.body(Full::new(Bytes::from(body.to_owned()))).unwrap()).await.unwrap();
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    async fn propfind(&self, user: &str, path: &str, depth: &str, props: &str) -> (u16, String) {
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/"><d:prop>{props}</d:prop></d:propfind>"#
        );
        self.send(user, "PROPFIND", path, &[("depth", depth), ("content-type", "application/xml")], &body).await
    }
}

fn hrefs(body: &str) -> Vec<String> {
    body.split("<d:href>").skip(1).filter_map(|s| s.split("</d:href>").next()).map(str::to_owned).collect()
}

const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:by-bob@example.test\r\n\
DTSTAMP:20260101T000000Z\r\nDTSTART:20260310T090000Z\r\nDTEND:20260310T100000Z\r\nSUMMARY:by bob\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

/// The one calendar collection href bob sees under alice's home.
async fn alices_calendar(env: &Env) -> String {
    let (status, body) = env.propfind(BOB, "/dav/calendars/alice@example.test/", "1", "<d:resourcetype/>").await;
    assert_eq!(status, 207, "{body}");
    let colls: Vec<String> = hrefs(&body).into_iter().filter(|h| h.matches('/').count() == 5).collect();
    assert_eq!(colls.len(), 1, "only alice's Calendar: {body}");
    colls[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegate_reads_the_shared_calendar_under_the_owners_principal() {
    let env = env(true).await;
    let cal = alices_calendar(&env).await;
    assert!(cal.starts_with("/dav/calendars/alice@example.test/"), "{cal}");
    let (status, body) = env.propfind(BOB, &cal, "1", "<d:getetag/><d:displayname/>").await;
    assert_eq!(status, 207, "{body}");
    let items: Vec<String> = hrefs(&body).into_iter().filter(|h| h.ends_with(".ics")).collect();
    assert!(!items.is_empty(), "{body}");
    let (status, ics) = env.send(BOB, "GET", &items[0], &[], "").await;
    assert_eq!(status, 200, "{ics}");
    assert!(ics.contains("BEGIN:VEVENT"), "{ics}");
    let query = r#"<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/></c:comp-filter></c:filter></c:calendar-query>"#;
    let (status, body) = env.send(BOB, "REPORT", &cal, &[("depth", "1")], query).await;
    assert_eq!(status, 207, "{body}");
    assert_eq!(hrefs(&body).iter().filter(|h| h.ends_with(".ics")).count(), items.len(), "{body}");

    // Reviewer: no writes, and nothing is created.
    let (status, _) =
        env.send(BOB, "PUT", &format!("{cal}by-bob.ics"), &[("content-type", "text/calendar")], EVENT).await;
    assert_eq!(status, 403);
    let (status, _) = env.send(BOB, "DELETE", &items[0], &[], "").await;
    assert_eq!(status, 403);
    let (_, body) = env.propfind(BOB, &cal, "1", "<d:getetag/>").await;
    assert_eq!(hrefs(&body).iter().filter(|h| h.ends_with(".ics")).count(), items.len());

    // iOS/macOS find the delegator through calendar-proxy-read-for.
    let (status, body) = env
        .propfind(
            BOB,
            "/dav/principals/bob@example.test/",
            "0",
            "<cs:calendar-proxy-read-for/><cs:calendar-proxy-write-for/>",
        )
        .await;
    assert_eq!(status, 207, "{body}");
    assert!(hrefs(&body).contains(&"/dav/principals/alice@example.test/".to_owned()), "{body}");
    // alice's principal as bob sees it points to her home.
    let (status, body) = env
        .propfind(BOB, "/dav/principals/alice@example.test/", "0", "<c:calendar-home-set/><d:current-user-principal/>")
        .await;
    assert_eq!(status, 207, "{body}");
    assert!(body.contains("/dav/calendars/alice@example.test/"), "{body}");
    assert!(body.contains("/dav/principals/bob@example.test/"), "current-user-principal stays bob: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owners_other_folders_stay_closed_to_the_delegate() {
    let env = env(true).await;
    let _ = alices_calendar(&env).await;
    // alice's contacts are not shared: no address book under her home.
    let (status, body) = env.propfind(BOB, "/dav/addressbooks/alice@example.test/", "1", "<d:resourcetype/>").await;
    assert_eq!(status, 207, "{body}");
    assert_eq!(hrefs(&body).len(), 1, "only the home itself: {body}");
    // Her contacts folder by its segment (as alice sees it) is not found.
    let alice = env.sim.store().mailbox(ALICE).unwrap();
    let contacts = alice.special_folder(SpecialFolder::Contacts).to_wire();
    let seg: String =
        [b"Dalice@example.test\0".as_slice(), &contacts].concat().iter().map(|b| format!("{b:02x}")).collect();
    for path in
        [format!("/dav/addressbooks/alice@example.test/{seg}/"), format!("/dav/calendars/alice@example.test/{seg}/")]
    {
        let (status, body) = env.propfind(BOB, &path, "1", "<d:getetag/>").await;
        assert_eq!(status, 404, "{path}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_rights_other_users_collections_are_refused() {
    let env = env(false).await;
    // alice's own calendar href, as alice sees it.
    let (_, body) = env.propfind(ALICE, "/dav/calendars/alice@example.test/", "1", "<d:resourcetype/>").await;
    let cal = hrefs(&body).into_iter().find(|h| h.matches('/').count() == 5).unwrap();
    let seg = cal.trim_end_matches('/').rsplit('/').next().unwrap().to_owned();
    let (_, body) = env.propfind(ALICE, &cal, "1", "<d:getetag/>").await;
    let item = hrefs(&body).into_iter().find(|h| h.ends_with(".ics")).unwrap();
    let name = item.rsplit('/').next().unwrap().to_owned();
    let owners = [
        "alice@example.test",
        "ALICE@example.test",
        "Alice@Example.Test",
        "alice%40example.test",
        "%61lice@example.test",
    ];
    for owner in owners {
        let home = format!("/dav/calendars/{owner}/");
        let coll = format!("{home}{seg}/");
        let obj = format!("{coll}{name}");
        for (method, path, body) in [
            ("PROPFIND", home.as_str(), ""),
            ("PROPFIND", coll.as_str(), ""),
            ("GET", obj.as_str(), ""),
            ("PUT", format!("{coll}new.ics").leak() as &str, EVENT),
            ("DELETE", obj.as_str(), ""),
            ("REPORT", coll.as_str(), "<c:calendar-query xmlns:c=\"urn:ietf:params:xml:ns:caldav\"/>"),
            ("PROPFIND", format!("/dav/principals/{owner}/").leak() as &str, ""),
        ] {
            let (status, answer) = env.send(BOB, method, path, &[("depth", "1")], body).await;
            assert_eq!(status, 403, "{method} {path}: {answer}");
        }
    }
    // Path tricks never reach another home.
    for path in [
        "/dav/calendars/bob@example.test/../alice@example.test/",
        "/dav/calendars/bob@example.test/%2e%2e/alice@example.test/",
        "/dav/calendars/alice@example.test%2f/",
        "/dav/calendars/bob@example.test%2F..%2Falice@example.test/",
    ] {
        let (status, answer) = env.send(BOB, "PROPFIND", path, &[("depth", "1")], "").await;
        assert!(status == 400 || status == 403 || status == 404, "{path}: {status} {answer}");
        assert!(!answer.contains("alice@example.test/"), "{path}: {answer}");
    }
    // Unknown owners are not found.
    let (status, _) = env.send(BOB, "PROPFIND", "/dav/calendars/nobody@example.test/", &[("depth", "1")], "").await;
    assert_eq!(status, 404);
    // Nothing of alice's changed.
    let (_, after) = env.propfind(ALICE, &cal, "1", "<d:getetag/>").await;
    assert!(hrefs(&after).contains(&item), "{after}");
    assert!(!after.contains("new.ics"));
}
