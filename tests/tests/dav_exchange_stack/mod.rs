//! CalDAV/CardDAV over Exchange on 127.0.0.1:0: exchange-sim in-process
//! (seeded: alice, bob, carol; password `demo`), an ExchangeProvider over it
//! with its SQLite state in a temporary directory, and `dav::DavServer` over
//! that provider — the gateway's DAV listener without the rest. The gateway
//! can be restarted over the same state and simulator.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use exchange_sim::config::SimConfig;
use exchange_sim::seed::{self, SeedOptions};
use exchange_sim::server::{RunningSim, Simulator};
use exchange_sim::store::Store;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use mailbox::exchange::{Endpoints, ExchangeConfig, ExchangeProvider};
use tokio::sync::watch;

pub const ALICE: &str = "alice@example.test";
pub const BOB: &str = "bob@example.test";
pub const PASSWORD: &str = "demo";

/// The DAV front end over one provider; dropping it stops the listener.
pub struct Gateway {
    pub addr: SocketAddr,
    pub provider: ExchangeProvider,
    _stop: watch::Sender<bool>,
}

/// Everything a test talks to; dropping it stops the servers.
pub struct Stack {
    pub sim: RunningSim,
    pub gateway: Gateway,
    dir: tempfile::TempDir,
}

pub async fn start() -> Stack {
    let store = Store::open_in_memory().unwrap();
    let options = SeedOptions {
        users: vec!["alice".into(), "bob".into(), "carol".into()],
        messages: 2,
        ..SeedOptions::default()
    };
    seed::seed(&store, &options).unwrap();
    let mut sim_config = SimConfig::loopback();
    sim_config.pending_period = Duration::from_millis(150);
    sim_config.notification_wait_timeout = Duration::from_millis(700);
    sim_config.request_timeout = Duration::from_secs(30);
    let sim = Simulator::new(sim_config).with_store(store).run().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let gateway = gateway(&sim, dir.path()).await;
    Stack { sim, gateway, dir }
}

/// A gateway (provider + DAV listener) over `sim` with its state in `state_dir`.
pub async fn gateway(sim: &RunningSim, state_dir: &std::path::Path) -> Gateway {
    let state = Arc::new(state::SqliteStore::open(state_dir).await.unwrap());
    let mut config = ExchangeConfig::new(Endpoints::Autodiscover {
        start: vec![format!("{}/autodiscover/autodiscover.xml", sim.base_url())],
    });
    config.retry.base_delay = Duration::from_millis(2);
    config.retry.max_delay = Duration::from_millis(20);
    config.retry.max_attempts = 2;
    config.notification_wait = Duration::from_secs(5);
    let provider = ExchangeProvider::new(config, state);
    let server = dav::DavServer::new(dav::DavConfig::default(), Arc::new(provider.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, rx) = watch::channel(false);
    tokio::spawn(async move { server.serve(listener, rx).await });
    Gateway { addr, provider, _stop: stop }
}

impl Stack {
    /// Stops the gateway and starts a new one over the same state directory
    /// and simulator (a process restart, as far as the gateway can tell).
    pub async fn restart(&mut self) {
        let fresh = gateway(&self.sim, self.dir.path()).await;
        let old = std::mem::replace(&mut self.gateway, fresh);
        drop(old);
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.gateway.addr)
    }

    /// Execute round trips alice's Exchange session made so far.
    pub async fn round_trips(&self) -> u64 {
        let account = self.gateway.provider.login_exchange(ALICE, PASSWORD).await.unwrap();
        account.wire_counters().round_trips
    }

    pub async fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
        send(self.gateway.addr, Some((ALICE, PASSWORD)), method, path, headers, body.as_bytes().to_vec()).await
    }

    pub async fn propfind(&self, path: &str, depth: &str, props: &str) -> Answer {
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/"><d:prop>{props}</d:prop></d:propfind>"#
        );
        self.send("PROPFIND", path, &[("depth", depth), ("content-type", "application/xml")], &body).await
    }

    /// Collections of a home (`calendars` or `addressbooks`): (href, displayname).
    pub async fn collections(&self, home: &str) -> Vec<(String, String)> {
        let r = self.propfind(&format!("/dav/{home}/{ALICE}/"), "1", "<d:displayname/><d:resourcetype/>").await;
        assert_eq!(r.status, 207, "{}", r.body);
        responses(&r.body)
            .into_iter()
            .filter(|x| x.contains("calendar") || x.contains("addressbook"))
            .filter_map(|x| Some((text_of(&x, "d:href")?.to_owned(), text_of(&x, "d:displayname")?.to_owned())))
            .collect()
    }

    /// The href of alice's collection named `name` in `home`.
    pub async fn collection(&self, home: &str, name: &str) -> String {
        let all = self.collections(home).await;
        all.iter().find(|(_, n)| n == name).map(|(h, _)| h.clone()).unwrap_or_else(|| panic!("{name} in {all:?}"))
    }

    /// `(href, etag)` of every member of a collection.
    pub async fn members(&self, collection: &str) -> Vec<(String, String)> {
        let r = self.propfind(collection, "1", "<d:getetag/>").await;
        assert_eq!(r.status, 207, "{}", r.body);
        let mut v: Vec<_> = responses(&r.body)
            .into_iter()
            .filter_map(|x| Some((text_of(&x, "d:href")?.to_owned(), unxml(text_of(&x, "d:getetag")?))))
            .filter(|(h, _)| h != collection)
            .collect();
        v.sort();
        v
    }

    /// The ETag a GET of `href` answers (a PUT answers none: the stored
    /// representation differs from the one sent, RFC 4791 §5.3.4).
    pub async fn etag_of(&self, href: &str) -> String {
        let r = self.send("GET", href, &[], "").await;
        assert_eq!(r.status, 200, "GET {href}: {}", r.body);
        r.etag()
    }

    /// A sync-collection REPORT (RFC 6578 §3.2) with `token` ("" = initial).
    pub async fn sync(&self, collection: &str, token: &str) -> Answer {
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#
        );
        self.send("REPORT", collection, &[("content-type", "application/xml")], &body).await
    }
}

pub struct Answer {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn etag(&self) -> String {
        self.header("etag").unwrap_or_else(|| panic!("no ETag ({}): {}", self.status, self.body)).to_owned()
    }
}

pub async fn send(
    addr: SocketAddr,
    creds: Option<(&str, &str)>,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Answer {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(conn);
    let mut req = hyper::Request::builder().method(method).uri(path).header("host", addr.to_string());
    if let Some((u, p)) = creds {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"));
        req = req.header("authorization", format!("Basic {token}"));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = sender.send_request(req.body(Full::new(Bytes::from(body))).unwrap()).await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    Answer { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
}

/// Each `<d:response>` of a multistatus.
pub fn responses(body: &str) -> Vec<String> {
    body.split("<d:response>").skip(1).map(|s| s.split("</d:response>").next().unwrap_or(s).to_owned()).collect()
}

/// The text of every `<d:href>` in a multistatus, in order.
pub fn hrefs(body: &str) -> Vec<String> {
    body.split("<d:href>").skip(1).filter_map(|s| s.split("</d:href>").next()).map(str::to_owned).collect()
}

/// The text of the first `<tag>…</tag>`.
pub fn text_of<'a>(body: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&close)? + start;
    Some(&body[start..end])
}

/// Unescapes the XML text of a calendar-data or address-data element.
pub fn unxml(s: &str) -> String {
    s.replace("&#13;", "\r").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

/// iCalendar/vCard text with folded lines joined (RFC 5545 §3.1).
pub fn unfold(s: &str) -> String {
    s.replace("\r\n ", "").replace("\r\n\t", "")
}

pub fn event(uid: &str, summary: &str, start: &str, end: &str, extra: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mapibridge e2e//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n\
         DTSTART:{start}\r\nDTEND:{end}\r\n{extra}SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

pub fn card(uid: &str, fname: &str, email: &str, tel: &str) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//mapibridge e2e//EN\r\nUID:{uid}\r\nFN:{fname}\r\nN:{fname};;;;\r\n\
         EMAIL;TYPE=INTERNET:{email}\r\nTEL;TYPE=CELL:{tel}\r\nEND:VCARD\r\n"
    )
}

#[allow(unused_imports)] // not every test binary drives a tool
pub use test_support::tools::{run, tool_by as tool, transcript};
