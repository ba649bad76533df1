//! A raw HTTP/1.1 client over a TcpStream for the simulator's HTTP tests:
//! it keeps the headers in wire order and the chunk boundaries.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine as _;
use exchange_sim::config::SimConfig;
use exchange_sim::server::{RunningSim, Simulator};
use exchange_sim::store::{NewMailbox, Store};
use mapi_wire::Encode;
use mapi_wire::emsmdb::{ConnectFlags, ConnectRequest, ExecuteFlags, ExecuteRequest};
use mapi_wire::http::{FramedResponse, FramerLimits};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

pub const ALICE: &str = "alice@example.test";
pub const BOB: &str = "bob@example.test";
pub const PASSWORD: &str = "demo";

/// A store with alice and bob (password `demo`).
pub fn demo_store() -> Store {
    let store = Store::open_in_memory().unwrap();
    for (a, n) in [(ALICE, "Alice Tester"), (BOB, "Bob Tester")] {
        store
            .create_mailbox(&NewMailbox {
                address: a,
                display_name: n,
                password: Some(PASSWORD),
                ..NewMailbox::default()
            })
            .unwrap();
    }
    store
}

/// Test defaults: short pending period and NotificationWait timeout.
pub fn test_config() -> SimConfig {
    let mut c = SimConfig::loopback();
    c.pending_period = Duration::from_millis(150);
    c.notification_wait_timeout = Duration::from_millis(700);
    c.request_timeout = Duration::from_secs(2);
    c
}

pub async fn start(config: SimConfig) -> RunningSim {
    Simulator::new(config).with_store(demo_store()).run().await.unwrap()
}

pub fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

/// One parsed response.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The chunks of a chunked body (without the terminating zero chunk).
    pub chunks: Option<Vec<Vec<u8>>>,
    /// The de-chunked body.
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect()
    }

    pub fn names(&self) -> Vec<&str> {
        self.headers.iter().map(|(n, _)| n.as_str()).collect()
    }

    pub fn response_code(&self) -> Option<u32> {
        self.header("X-ResponseCode").and_then(|v| v.parse().ok())
    }

    /// Value of a cookie set by this response.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.all("Set-Cookie").into_iter().find_map(|c| {
            let first = c.split(';').next()?;
            let (n, v) = first.split_once('=')?;
            (n.trim() == name).then(|| v.trim().to_owned())
        })
    }

    /// The binary MAPI body after the meta-tag block.
    pub fn mapi_body(&self) -> Vec<u8> {
        let framed = FramedResponse::collect(&self.body, FramerLimits::default()).expect("meta-tag framing");
        framed.body
    }

    pub fn framed(&self) -> FramedResponse {
        FramedResponse::collect(&self.body, FramerLimits::default()).expect("meta-tag framing")
    }
}

/// A connection that reads responses piece by piece.
pub struct Conn<S> {
    pub stream: S,
    buf: Vec<u8>,
}

pub async fn connect(addr: SocketAddr) -> Conn<TcpStream> {
    Conn { stream: TcpStream::connect(addr).await.unwrap(), buf: Vec::new() }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    pub fn new(stream: S) -> Self {
        Self { stream, buf: Vec::new() }
    }

    pub async fn send(&mut self, method: &str, path: &str, headers: &[(&str, String)], body: &[u8]) {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (n, v) in headers {
            req.push_str(&format!("{n}: {v}\r\n"));
        }
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("Content-Length")) {
            req.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        self.stream.write_all(&bytes).await.unwrap();
    }

    async fn fill(&mut self) -> std::io::Result<()> {
        let mut b = [0u8; 8192];
        let n = tokio::time::timeout(Duration::from_secs(10), self.stream.read(&mut b))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "read timeout"))??;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed"));
        }
        self.buf.extend_from_slice(&b[..n]);
        Ok(())
    }

    async fn line(&mut self) -> std::io::Result<String> {
        loop {
            if let Some(p) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let l = String::from_utf8_lossy(&self.buf[..p]).into_owned();
                self.buf.drain(..p + 2);
                return Ok(l);
            }
            self.fill().await?;
        }
    }

    async fn exact(&mut self, n: usize) -> std::io::Result<Vec<u8>> {
        while self.buf.len() < n {
            self.fill().await?;
        }
        Ok(self.buf.drain(..n).collect())
    }

    /// Status and headers.
    pub async fn read_head(&mut self) -> std::io::Result<(u16, Vec<(String, String)>)> {
        let status_line = self.line().await?;
        let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut headers = Vec::new();
        loop {
            let l = self.line().await?;
            if l.is_empty() {
                break;
            }
            let (n, v) = l.split_once(':').unwrap();
            headers.push((n.trim().to_owned(), v.trim().to_owned()));
        }
        Ok((status, headers))
    }

    /// One chunk of a chunked body; `None` for the terminating chunk.
    pub async fn read_chunk(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let size = self.line().await?;
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        if n == 0 {
            self.line().await?;
            return Ok(None);
        }
        let data = self.exact(n).await?;
        let crlf = self.exact(2).await?;
        assert_eq!(crlf, b"\r\n");
        Ok(Some(data))
    }

    pub async fn read_response(&mut self) -> std::io::Result<RawResponse> {
        let (status, headers) = self.read_head().await?;
        let te = headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("Transfer-Encoding") && v == "chunked");
        if te {
            let mut chunks = Vec::new();
            while let Some(c) = self.read_chunk().await? {
                chunks.push(c);
            }
            let body = chunks.concat();
            Ok(RawResponse { status, headers, chunks: Some(chunks), body })
        } else {
            let len = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
                .map_or(0, |(_, v)| v.parse().unwrap());
            let body = self.exact(len).await?;
            Ok(RawResponse { status, headers, chunks: None, body })
        }
    }

    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> std::io::Result<RawResponse> {
        self.send(method, path, headers, body).await;
        self.read_response().await
    }

    /// True if the server closed the connection (EOF) within the timeout.
    pub async fn closed(&mut self) -> bool {
        let mut b = [0u8; 64];
        matches!(tokio::time::timeout(Duration::from_secs(5), self.stream.read(&mut b)).await, Ok(Ok(0)) | Ok(Err(_)))
    }
}

pub const EMSMDB: &str = "/mapi/emsmdb/?MailboxId=anything@example.test";
pub const NSPI: &str = "/mapi/nspi/?MailboxId=anything@example.test";

/// A MAPI client state: credentials, cookies, request counter.
pub struct Mapi {
    pub auth: String,
    pub cookies: HashMap<String, String>,
    pub counter: u64,
}

impl Mapi {
    pub fn new(user: &str) -> Self {
        Self { auth: basic(user, PASSWORD), cookies: HashMap::new(), counter: 0 }
    }

    pub fn cookie_header(&self) -> Option<String> {
        if self.cookies.is_empty() {
            return None;
        }
        let mut v: Vec<_> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        v.sort();
        Some(v.join("; "))
    }

    pub fn headers(&mut self, request_type: &str) -> Vec<(&'static str, String)> {
        self.counter += 1;
        let mut h = vec![
            ("Content-Type", "application/mapi-http".to_owned()),
            ("X-RequestType", request_type.to_owned()),
            ("X-RequestId", format!("{{4D18BCF5-9AC6-426B-A4B8-E76053F29432}}:{}", self.counter)),
            ("X-ClientInfo", "{207C9A81-9110-441D-8F6E-AA6A6C029350}:1".to_owned()),
            ("X-ClientApplication", "Outlook/15.0.4815.1002".to_owned()),
            ("Authorization", self.auth.clone()),
        ];
        if let Some(c) = self.cookie_header() {
            h.push(("Cookie", c));
        }
        h
    }

    pub fn absorb(&mut self, r: &RawResponse) {
        for c in r.all("Set-Cookie") {
            if let Some((n, v)) = c.split(';').next().and_then(|f| f.split_once('=')) {
                self.cookies.insert(n.trim().to_owned(), v.trim().to_owned());
            }
        }
    }

    pub async fn call<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        conn: &mut Conn<S>,
        path: &str,
        request_type: &str,
        body: &[u8],
    ) -> RawResponse {
        let h = self.headers(request_type);
        let r = conn.request("POST", path, &h, body).await.unwrap();
        self.absorb(&r);
        r
    }
}

pub fn connect_body(user_dn: &str) -> Vec<u8> {
    ConnectRequest {
        user_dn: user_dn.to_owned(),
        flags: ConnectFlags::EMPTY,
        default_code_page: 1252,
        lcid_sort: 0x409,
        lcid_string: 0x409,
        auxiliary_buffer: Vec::new(),
    }
    .to_bytes()
    .unwrap()
}

/// TV-16: an Execute with an empty ROP list.
pub fn execute_body() -> Vec<u8> {
    ExecuteRequest {
        flags: ExecuteFlags(3),
        rop_buffer: vec![0x00, 0x00, 0x04, 0x00, 0x02, 0x00, 0x02, 0x00, 0x02, 0x00],
        max_rop_out: 0x10008,
        auxiliary_buffer: Vec::new(),
    }
    .to_bytes()
    .unwrap()
}

pub fn legacy_dn(sim: &RunningSim, user: &str) -> String {
    sim.store().mailbox(user).unwrap().info().legacy_dn.clone()
}

/// Connects `user` on a new connection; returns the client state and the
/// Connect response.
pub async fn connected(sim: &RunningSim, user: &str) -> (Mapi, Conn<TcpStream>, RawResponse) {
    let mut conn = connect(sim.local_addr()).await;
    let mut m = Mapi::new(user);
    let r = m.call(&mut conn, EMSMDB, "Connect", &connect_body(&legacy_dn(sim, user))).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.response_code(), Some(0), "{}", String::from_utf8_lossy(&r.body));
    (m, conn, r)
}
