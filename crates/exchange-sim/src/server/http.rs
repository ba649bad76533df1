//! A small HTTP/1.1 server connection (RFC 9112): keep-alive, request
//! bodies by `Content-Length` only (bounded before they are read, read
//! under a deadline), responses with a fixed body or streamed as chunks.
//!
//! It is written by hand rather than on hyper so the simulator controls
//! exactly what Exchange-like servers put on the wire: header order
//! (including `Set-Cookie` around `Transfer-Encoding`, corrections B1),
//! chunk boundaries (the PROCESSING/DONE block as one chunk, PENDING
//! keep-alives as chunks) and connections dropped in the middle of a
//! response (fault injection).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, watch};

/// A parsed request with its whole body. Its `Debug` leaves out header
/// values and the body (credentials and session cookies never print).
pub(crate) struct Request {
    pub(crate) method: String,
    /// The request target as sent (path and query).
    pub(crate) target: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    pub(crate) peer: SocketAddr,
    pub(crate) tls: bool,
    /// The announced body exceeded the limit; it was not read and the
    /// connection closes after the answer.
    pub(crate) oversized: bool,
    /// Authentication state of the connection (NTLM).
    pub(crate) conn: ConnState,
}

/// What a connection remembers between its requests: an NTLM handshake in
/// progress and the user an NTLM handshake authenticated ([MS-NTHT] 3.2).
#[derive(Debug, Default)]
pub(crate) struct ConnAuth {
    pub(crate) ntlm_pending: Option<crate::auth::ntlm::NtlmPending>,
    pub(crate) user: Option<crate::auth::AuthUser>,
}

/// Shared handle on a connection's [`ConnAuth`].
pub(crate) type ConnState = Arc<Mutex<ConnAuth>>;

/// Locks a connection's state.
pub(crate) fn lock_conn(c: &ConnState) -> std::sync::MutexGuard<'_, ConnAuth> {
    c.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path())
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .field("peer", &self.peer)
            .finish_non_exhaustive()
    }
}

impl Request {
    /// The first header of that name (ASCII case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The path part of the target.
    pub(crate) fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The value of a cookie from every `Cookie` header.
    pub(crate) fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("Cookie"))
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(n, _)| n.trim() == name)
            .map(|(_, v)| v.trim())
    }

    /// True if any `Cookie` header was sent.
    pub(crate) fn has_cookie_header(&self) -> bool {
        self.header("Cookie").is_some()
    }
}

/// One piece of a streamed body.
#[derive(Debug)]
pub(crate) enum Chunk {
    /// Bytes sent as one HTTP chunk.
    Data(Vec<u8>),
    /// Fault: close the connection now, without the terminating chunk.
    Drop,
}

/// A response body.
#[derive(Debug)]
pub(crate) enum Body {
    /// Sent as is (the headers carry `Content-Length`).
    Full(Vec<u8>),
    /// Sent chunked as the chunks arrive (the headers carry
    /// `Transfer-Encoding: chunked`); ends when the sender is dropped.
    Chunked(mpsc::Receiver<Chunk>),
}

/// A response: status, headers in wire order, body.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) reason: &'static str,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Body,
    /// Close the connection after this response.
    pub(crate) close: bool,
}

impl Response {
    /// A response with a fixed body; `Content-Length` is appended to the
    /// given headers unless they hold one.
    pub(crate) fn full(status: u16, reason: &'static str, mut headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("Content-Length")) {
            headers.push(("Content-Length".into(), body.len().to_string()));
        }
        Self { status, reason, headers, body: Body::Full(body), close: false }
    }

    /// A plain-text response.
    pub(crate) fn text(status: u16, reason: &'static str, body: &str) -> Self {
        Self::full(
            status,
            reason,
            vec![("Content-Type".into(), "text/plain; charset=utf-8".into()), ("Date".into(), http_date())],
            body.as_bytes().to_vec(),
        )
    }
}

/// The current time as an HTTP date (RFC 9110 §5.6.7).
pub(crate) fn http_date() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    mapi_wire::http::HttpDate(secs).format()
}

/// Limits and deadlines of one connection.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) max_head: usize,
    pub(crate) max_body: usize,
    pub(crate) request_timeout: Duration,
    pub(crate) keep_alive: Duration,
}

/// Serves requests on one connection until it closes, a limit is hit, or
/// `shutdown` turns true between requests.
pub(crate) async fn serve_connection<S, H, F>(
    mut stream: S,
    peer: SocketAddr,
    tls: bool,
    limits: Limits,
    mut shutdown: watch::Receiver<bool>,
    handler: H,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send,
    H: Fn(Request) -> F,
    F: Future<Output = Response>,
{
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let conn = ConnState::default();
    loop {
        // Wait for (the rest of) a request head.
        let head = tokio::select! {
            h = read_head(&mut stream, &mut buf, limits) => h,
            _ = shutdown.wait_for(|s| *s) => return,
        };
        let head = match head {
            Ok(Some(h)) => h,
            Ok(None) => return,
            Err(resp) => {
                let _ = write_response(&mut stream, *resp).await;
                return;
            }
        };
        let ParsedHead { method, target, headers, head_len, minor } = head;
        buf.drain(..head_len);
        let wants_close = headers.iter().any(|(n, v)| {
            n.eq_ignore_ascii_case("Connection") && v.split(',').any(|t| t.trim().eq_ignore_ascii_case("close"))
        }) || (minor == 0
            && !headers
                .iter()
                .any(|(n, v)| n.eq_ignore_ascii_case("Connection") && v.trim().eq_ignore_ascii_case("keep-alive")));

        // Frame the body before reading it (style habit 7).
        if headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("Transfer-Encoding")) {
            let mut r = Response::text(411, "Length Required", "Length Required\r\n");
            r.close = true;
            let _ = write_response(&mut stream, r).await;
            return;
        }
        let lengths: Vec<&str> =
            headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("Content-Length")).map(|(_, v)| v.trim()).collect();
        let length = match lengths.as_slice() {
            [] => Some(0),
            [v] if !v.is_empty() && v.len() <= 19 && v.bytes().all(|b| b.is_ascii_digit()) => v.parse::<usize>().ok(),
            _ => None,
        };
        let Some(length) = length else {
            let mut r = Response::text(400, "Bad Request", "Bad Request\r\n");
            r.close = true;
            let _ = write_response(&mut stream, r).await;
            return;
        };
        if length > limits.max_body {
            let req =
                Request { method, target, headers, body: Vec::new(), peer, tls, oversized: true, conn: conn.clone() };
            let mut r = handler(req).await;
            r.close = true;
            let _ = write_response(&mut stream, r).await;
            let _ = stream.shutdown().await;
            return;
        }
        let expects_continue = headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("Expect") && v.trim().eq_ignore_ascii_case("100-continue"));
        if expects_continue && buf.len() < length && stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await.is_err() {
            return;
        }
        let body = match tokio::time::timeout(limits.request_timeout, read_body(&mut stream, &mut buf, length)).await {
            Ok(Ok(b)) => b,
            Ok(Err(())) => return,
            Err(_) => {
                let mut r = Response::text(408, "Request Timeout", "Request Timeout\r\n");
                r.close = true;
                let _ = write_response(&mut stream, r).await;
                return;
            }
        };
        let req = Request { method, target, headers, body, peer, tls, oversized: false, conn: conn.clone() };
        let mut resp = handler(req).await;
        resp.close |= wants_close || *shutdown.borrow();
        let close = resp.close;
        if write_response(&mut stream, resp).await.is_err() || close {
            let _ = stream.shutdown().await;
            return;
        }
    }
}

struct ParsedHead {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    head_len: usize,
    minor: u8,
}

/// Reads until a complete head is buffered. `Ok(None)`: the peer closed
/// (or idled out) between requests.
async fn read_head<S: AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut Vec<u8>,
    limits: Limits,
) -> Result<Option<ParsedHead>, Box<Response>> {
    let started_empty = buf.is_empty();
    let deadline = tokio::time::Instant::now() + if started_empty { limits.keep_alive } else { limits.request_timeout };
    let mut first_byte_seen = !started_empty;
    loop {
        if !buf.is_empty() {
            let mut headers = [httparse::EMPTY_HEADER; 100];
            let mut req = httparse::Request::new(&mut headers);
            match req.parse(buf) {
                Ok(httparse::Status::Complete(len)) => {
                    let method = req.method.unwrap_or("").to_owned();
                    let target = req.path.unwrap_or("").to_owned();
                    let minor = req.version.unwrap_or(1);
                    let mut hs = Vec::with_capacity(req.headers.len());
                    for h in req.headers.iter() {
                        let Ok(v) = std::str::from_utf8(h.value) else {
                            return Err(Box::new(bad_request()));
                        };
                        hs.push((h.name.to_owned(), v.to_owned()));
                    }
                    return Ok(Some(ParsedHead { method, target, headers: hs, head_len: len, minor }));
                }
                Ok(httparse::Status::Partial) => {
                    if buf.len() > limits.max_head {
                        let mut r = Response::text(431, "Request Header Fields Too Large", "Header Too Large\r\n");
                        r.close = true;
                        return Err(Box::new(r));
                    }
                }
                Err(httparse::Error::TooManyHeaders) => {
                    let mut r = Response::text(431, "Request Header Fields Too Large", "Too Many Headers\r\n");
                    r.close = true;
                    return Err(Box::new(r));
                }
                Err(_) => return Err(Box::new(bad_request())),
            }
        }
        let mut chunk = [0u8; 8192];
        let n = match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Ok(Ok(n)) => n,
            Ok(Err(_)) => return Ok(None),
            Err(_) if !first_byte_seen => return Ok(None),
            Err(_) => {
                let mut r = Response::text(408, "Request Timeout", "Request Timeout\r\n");
                r.close = true;
                return Err(Box::new(r));
            }
        };
        if n == 0 {
            return Ok(None);
        }
        if !first_byte_seen {
            first_byte_seen = true;
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
    }
}

fn bad_request() -> Response {
    let mut r = Response::text(400, "Bad Request", "Bad Request\r\n");
    r.close = true;
    r
}

async fn read_body<S: AsyncRead + Unpin>(stream: &mut S, buf: &mut Vec<u8>, length: usize) -> Result<Vec<u8>, ()> {
    while buf.len() < length {
        let mut chunk = [0u8; 16384];
        let n = stream.read(&mut chunk).await.map_err(|_| ())?;
        if n == 0 {
            return Err(());
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
    }
    Ok(buf.drain(..length).collect())
}

/// Writes a response; `Err` when the connection must close (write error or
/// a [`Chunk::Drop`]).
async fn write_response<S: AsyncWrite + Unpin>(stream: &mut S, resp: Response) -> Result<(), ()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, resp.reason).into_bytes();
    for (n, v) in &resp.headers {
        head.extend_from_slice(n.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(v.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    match resp.body {
        Body::Full(body) => {
            head.extend_from_slice(&body);
            stream.write_all(&head).await.map_err(|_| ())?;
            stream.flush().await.map_err(|_| ())
        }
        Body::Chunked(mut rx) => {
            stream.write_all(&head).await.map_err(|_| ())?;
            stream.flush().await.map_err(|_| ())?;
            while let Some(chunk) = rx.recv().await {
                match chunk {
                    Chunk::Data(d) if d.is_empty() => {}
                    Chunk::Data(d) => {
                        let mut out = format!("{:x}\r\n", d.len()).into_bytes();
                        out.extend_from_slice(&d);
                        out.extend_from_slice(b"\r\n");
                        stream.write_all(&out).await.map_err(|_| ())?;
                        stream.flush().await.map_err(|_| ())?;
                    }
                    Chunk::Drop => {
                        let _ = stream.shutdown().await;
                        return Err(());
                    }
                }
            }
            stream.write_all(b"0\r\n\r\n").await.map_err(|_| ())?;
            stream.flush().await.map_err(|_| ())
        }
    }
}
