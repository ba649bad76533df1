//! A DAV server over a MemoryProvider on 127.0.0.1:0 and a tiny HTTP client.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::sync::Arc;

use base64::Engine;
use bytes::Bytes;
use dav::{DavConfig, DavServer};
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use mailbox::{Account, MemoryAccount, MemoryConfig, MemoryProvider};

pub const USER: &str = "alice@example.com";
pub const PASSWORD: &str = "wonderland";

pub struct Env {
    _dir: tempfile::TempDir,
    pub addr: std::net::SocketAddr,
    pub account: MemoryAccount,
    pub server: DavServer,
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
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
}

pub async fn env() -> Env {
    env_with(DavConfig::default()).await
}

pub async fn env_with(config: DavConfig) -> Env {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = state::SqliteStore::open(dir.path()).await.expect("state store");
    let account = MemoryAccount::new(USER, Arc::new(store), MemoryConfig::default()).await.expect("account");
    let provider = MemoryProvider::new();
    provider.add_user(USER, PASSWORD, account.clone());
    let server = DavServer::new(config, Arc::new(provider));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (shutdown, rx) = tokio::sync::watch::channel(false);
    let s = server.clone();
    tokio::spawn(async move { s.serve(listener, rx).await });
    Env { _dir: dir, addr, account, server, shutdown }
}

impl Env {
    pub async fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
        self.send_as(Some((USER, PASSWORD)), method, path, headers, body.as_bytes().to_vec()).await
    }

    pub async fn send_as(
        &self,
        creds: Option<(&str, &str)>,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Answer {
        let stream = tokio::net::TcpStream::connect(self.addr).await.expect("connect");
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
        tokio::spawn(conn);
        let mut req = Request::builder().method(method).uri(path).header("host", self.addr.to_string());
        if let Some((u, p)) = creds {
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"));
            req = req.header("authorization", format!("Basic {token}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = sender.send_request(req.body(Full::new(Bytes::from(body))).expect("request")).await.expect("send");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.expect("body").to_bytes();
        Answer { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
    }

    /// The href of the collection of the folder at `path`.
    pub async fn collection(&self, home: &str, path: &str) -> String {
        let folders = self.account.list_folders().await.expect("folders");
        let f = folders.iter().find(|f| f.path == path).expect("folder");
        let hex: String = f.id.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
        format!("/dav/{home}/{USER}/{hex}/")
    }

    pub async fn propfind(&self, path: &str, depth: &str, props: &str) -> Answer {
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/"><d:prop>{props}</d:prop></d:propfind>"#
        );
        self.send("PROPFIND", path, &[("depth", depth), ("content-type", "application/xml")], &body).await
    }
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

pub fn event(uid: &str, summary: &str, start: &str, end: &str, rrule: Option<&str>) -> String {
    let rrule = rrule.map(|r| format!("RRULE:{r}\r\n")).unwrap_or_default();
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n\
         DTSTART:{start}\r\nDTEND:{end}\r\n{rrule}SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

pub fn card(uid: &str, fname: &str, nick: &str, email: &str, tel: &str) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{fname}\r\nN:{fname};;;;\r\nNICKNAME:{nick}\r\n\
         EMAIL;TYPE=INTERNET:{email}\r\nTEL;TYPE=CELL:{tel}\r\nEND:VCARD\r\n"
    )
}
