//! A scripted HTTP/1.1 server on 127.0.0.1:0 for transport tests: it parses requests
//! by hand (so it can send any chunking, PENDING keep-alives, or drop the connection)
//! and records every request. It stops when dropped.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// A capture file: `$MAPI_CAPTURES`, the repo's testdata copy, /work/shared, or this
/// crate's fixtures.
pub fn capture(name: &str) -> Vec<u8> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Ok(d) = std::env::var("MAPI_CAPTURES") {
        dirs.push(d.into());
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    dirs.push(manifest.join("../../testdata/captures/gromox-3.10"));
    dirs.push("/work/shared/captures/gromox-3.10".into());
    dirs.push(manifest.join("tests/fixtures"));
    for d in dirs {
        if let Ok(b) = std::fs::read(d.join(name)) {
            return b;
        }
    }
    panic!("capture {name} not found (set MAPI_CAPTURES)");
}

/// One recorded request.
#[derive(Clone, Debug)]
pub struct Req {
    pub conn: usize,
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn request_type(&self) -> &str {
        self.header("X-RequestType").unwrap_or("")
    }
}

/// Per-connection state a handler may keep (NTLM).
#[derive(Default)]
pub struct ConnState {
    pub id: usize,
    pub authed: bool,
    pub ntlm: Option<ntlm::ChallengeState>,
    pub vars: HashMap<String, String>,
}

/// What to do with a request.
pub enum Action {
    /// Write these steps (bytes, pauses) and keep the connection.
    Steps(Vec<Step>),
    /// Close the connection without answering.
    Close,
}

pub enum Step {
    Bytes(Vec<u8>),
    Sleep(Duration),
}

pub type Handler = Arc<dyn Fn(&Req, &mut ConnState) -> Action + Send + Sync>;

pub struct Server {
    pub addr: SocketAddr,
    pub log: Arc<Mutex<Vec<Req>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub async fn start(handler: Handler) -> Self {
        Self::start_with(handler, None).await
    }

    pub async fn start_with(handler: Handler, tls: Option<Arc<rustls::ServerConfig>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let log2 = log.clone();
        let task = tokio::spawn(async move {
            let mut next = 0usize;
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                next += 1;
                let (h, l, id) = (handler.clone(), log2.clone(), next);
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        Some(cfg) => {
                            let Ok(s) = tokio_rustls::TlsAcceptor::from(cfg).accept(sock).await else {
                                return;
                            };
                            serve(s, id, h, l).await
                        }
                        None => serve(sock, id, h, l).await,
                    }
                });
            }
        });
        Self { addr, log, task }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn requests(&self) -> Vec<Req> {
        self.log.lock().unwrap().clone()
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, id: usize, handler: Handler, log: Arc<Mutex<Vec<Req>>>) {
    let mut state = ConnState { id, ..ConnState::default() };
    let mut buf: Vec<u8> = Vec::new();
    loop {
        // Headers.
        let head_end = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p;
            }
            let mut tmp = [0u8; 4096];
            match s.read(&mut tmp).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&tmp[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        buf.drain(..head_end + 4);
        let mut lines = head.split("\r\n");
        let first = lines.next().unwrap_or("");
        let mut parts = first.split(' ');
        let method = parts.next().unwrap_or("").to_owned();
        let target = parts.next().unwrap_or("").to_owned();
        let headers: Vec<(String, String)> =
            lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned())).collect();
        let len: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < len {
            let mut tmp = [0u8; 4096];
            match s.read(&mut tmp).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&tmp[..n]),
            }
        }
        let body: Vec<u8> = buf.drain(..len).collect();
        let req = Req { conn: id, method, target, headers, body };
        log.lock().unwrap().push(req.clone());
        match handler(&req, &mut state) {
            Action::Close => {
                let _ = s.shutdown().await;
                return;
            }
            Action::Steps(steps) => {
                for step in steps {
                    match step {
                        Step::Bytes(b) => {
                            if s.write_all(&b).await.is_err() {
                                return;
                            }
                            let _ = s.flush().await;
                        }
                        Step::Sleep(d) => tokio::time::sleep(d).await,
                    }
                }
            }
        }
    }
}

pub const GROMOX: &str = "Exchange/15.00.0847.4040";

/// One HTTP chunk.
pub fn chunk(data: &[u8]) -> Vec<u8> {
    let mut v = format!("{:x}\r\n", data.len()).into_bytes();
    v.extend_from_slice(data);
    v.extend_from_slice(b"\r\n");
    v
}

/// A gromox-style success response: headers in gromox order, chunked, the de-chunked
/// stream split at the end of the meta-tag block (like the captures).
pub fn mapi_ok(req: &Req, set_cookies: &[&str], stream: &[u8]) -> Action {
    let split = stream.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4).unwrap_or(stream.len());
    let mut steps = vec![Step::Bytes(mapi_head(req, set_cookies))];
    steps.push(Step::Bytes(chunk(&stream[..split])));
    if split < stream.len() {
        steps.push(Step::Bytes(chunk(&stream[split..])));
    }
    steps.push(Step::Bytes(b"0\r\n\r\n".to_vec()));
    Action::Steps(steps)
}

/// Status line and headers of a chunked gromox success response.
pub fn mapi_head(req: &Req, set_cookies: &[&str]) -> Vec<u8> {
    let mut h = String::from("HTTP/1.1 200 OK\r\nCache-Control: private\r\nContent-Type: application/mapi-http\r\n");
    for name in ["X-RequestType", "X-RequestId", "X-ClientInfo"] {
        if let Some(v) = req.header(name) {
            h.push_str(&format!("{name}: {v}\r\n"));
        }
    }
    h.push_str("X-ResponseCode: 0\r\nX-PendingPeriod: 30000\r\nX-ExpirationInfo: 900000\r\n");
    h.push_str(&format!("X-ServerApplication: {GROMOX}\r\nDate: Fri, 27 Nov 2026 01:36:08 GMT\r\n"));
    for c in set_cookies {
        h.push_str(&format!("Set-Cookie: {c}\r\n"));
    }
    h.push_str("Transfer-Encoding: chunked\r\n\r\n");
    h.into_bytes()
}

/// A response with Content-Length.
pub fn plain(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut h = format!("HTTP/1.1 {status}\r\n");
    for (n, v) in headers {
        h.push_str(&format!("{n}: {v}\r\n"));
    }
    h.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut v = h.into_bytes();
    v.extend_from_slice(body);
    v
}

/// A gromox X-ResponseCode error page (capture 062's form).
pub fn error_page(code: u32, page: &[u8]) -> Action {
    let c = code.to_string();
    Action::Steps(vec![Step::Bytes(plain(
        "200 OK",
        &[
            ("Cache-Control", "private"),
            ("Content-Type", "text/html"),
            ("X-ResponseCode", &c),
            ("X-ServerApplication", GROMOX),
        ],
        page,
    ))])
}

/// The 401 of capture 003/069.
pub fn unauthorized(www_authenticate: &str) -> Action {
    Action::Steps(vec![Step::Bytes(plain(
        "401 Unauthorized",
        &[
            ("Content-Type", "text/plain; charset=utf-8"),
            ("WWW-Authenticate", www_authenticate),
            ("Connection", "keep-alive"),
        ],
        b"Unauthorized\r\n",
    ))])
}

pub const ALICE_DN: &str =
    "/o=Gromox default/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=0100000001000000-alice";
pub const EMSMDB_PATH: &str = "/mapi/emsmdb/?MailboxId=616c6963-6540-6578-616d-706c01000000@example.test";
pub const NSPI_PATH: &str = "/mapi/nspi/?MailboxId=616c6963-6540-6578-616d-706c01000000@example.test";
pub const ALICE_BASIC: &str = "Basic YWxpY2VAZXhhbXBsZS50ZXN0OmFsaWNlMTIz";

/// The ROP input buffer inside an Execute request body (one RPC_HEADER_EXT, plain).
pub fn rop_input_of(execute_body: &[u8]) -> Vec<u8> {
    let size = u16::from_le_bytes([execute_body[12], execute_body[13]]) as usize;
    execute_body[16..16 + size].to_vec()
}
