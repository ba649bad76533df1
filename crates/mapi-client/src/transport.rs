//! One HTTP endpoint (MailStore or AddressBook URL): connection pool with NTLM affinity,
//! authentication (Basic, NTLM, Bearer), busy backoff, streamed MAPI/HTTP bodies with an
//! idle timeout that every keep-alive resets, and the never-replay rule for requests
//! whose outcome is unknown.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_LENGTH, COOKIE, HOST, SET_COOKIE, USER_AGENT};
use http::{HeaderMap, Method, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use mapi_wire::http::{FramedResponse, RequestKind, ResponseFramer, ResponseHeaders, ServerDialect};

use crate::backoff::backoff_delay;
use crate::config::{AccessToken, BEARER_REFRESH_MARGIN, Credentials, TransportConfig};
use crate::conn::{Conn, SendOutcome, authority};
use crate::{Error, Result, tls};

/// Most idle connections kept per endpoint (one for requests, one for NotificationWait).
const MAX_IDLE: usize = 4;
/// Idle connections older than this are not reused: a server that closes idle
/// connections (gromox `Keep-Alive: timeout=180`, load balancers often 60 s) could do
/// so while a request is being written, which would make that request ambiguous.
const POOL_IDLE_LIMIT: Duration = Duration::from_secs(50);
/// Most bytes of an error/401 body read before the connection is dropped instead.
const MAX_DRAIN: usize = 64 * 1024;
/// gromox identifies itself with this X-ServerApplication (captures README).
const GROMOX_SERVER_APPLICATION: &str = "Exchange/15.00.0847.4040";

/// A request ready to send (the MAPI headers are built by the session).
pub(crate) struct HttpRequest {
    /// Request type (decides idempotency).
    pub(crate) kind: RequestKind,
    /// Header lines besides Host, Content-Length, Authorization, Cookie, User-Agent.
    pub(crate) headers: Vec<(&'static str, String)>,
    /// `Cookie` value (secret).
    pub(crate) cookie: Option<String>,
    /// Body.
    pub(crate) body: Bytes,
    /// Give up reading after this long overall (NotificationWait), besides the idle
    /// timeout.
    pub(crate) deadline: Option<Duration>,
    /// `POST` for MAPI; Autodiscover uses `POST` too, the redirect method `GET`.
    pub(crate) method: Method,
    /// Not a MAPI request (Autodiscover): every status except 401/503/429 is returned
    /// with its body in `framed.non_mapi_body`.
    pub(crate) plain: bool,
    /// Send no credentials (the Autodiscover redirect method over plain HTTP).
    pub(crate) anonymous: bool,
}

/// A response whose body was read completely.
pub(crate) struct HttpReply {
    /// The MAPI response headers.
    pub(crate) headers: ResponseHeaders,
    /// Every `Set-Cookie` value.
    pub(crate) set_cookies: Vec<String>,
    /// The framed body.
    pub(crate) framed: FramedResponse,
    /// X-ResponseCode numbering of this server.
    pub(crate) dialect: ServerDialect,
    /// HTTP status.
    pub(crate) status: u16,
    /// `Location` (redirects).
    pub(crate) location: Option<String>,
}

enum ReadFailure {
    Idle,
    Deadline,
    Io(String),
    Protocol(String),
}

static TRACE_COUNTER: AtomicU64 = AtomicU64::new(0);

/// One endpoint URL with its pool and auth state.
pub(crate) struct Endpoint {
    uri: Uri,
    host_header: String,
    path: String,
    cfg: TransportConfig,
    tls: Arc<rustls::ClientConfig>,
    pool: std::sync::Mutex<Vec<Conn>>,
    bearer: tokio::sync::Mutex<Option<AccessToken>>,
    dialect: std::sync::Mutex<Option<ServerDialect>>,
}

impl Endpoint {
    /// An endpoint for `url` (`http://` or `https://`).
    pub(crate) fn new(url: &str, cfg: TransportConfig) -> Result<Self> {
        let uri: Uri = url.parse().map_err(|e| Error::Config(format!("URL {url}: {e}")))?;
        let (host, port, is_tls) = authority(&uri)?;
        let default_port = if is_tls { 443 } else { 80 };
        let host_header = if port == default_port { host } else { format!("{host}:{port}") };
        let path = uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".to_owned());
        let tls = tls::client_config(&cfg.tls)?;
        Ok(Self {
            uri,
            host_header,
            path,
            dialect: std::sync::Mutex::new(cfg.dialect),
            cfg,
            tls,
            pool: std::sync::Mutex::new(Vec::new()),
            bearer: tokio::sync::Mutex::new(None),
        })
    }

    /// The transport configuration.
    pub(crate) fn config(&self) -> &TransportConfig {
        &self.cfg
    }

    /// X-ResponseCode numbering in use (configured, detected, or the spec's).
    pub(crate) fn dialect(&self) -> ServerDialect {
        self.dialect.lock().ok().and_then(|d| *d).unwrap_or_default()
    }

    /// Sends a request and reads its whole response body. Retries what the server did
    /// not process (busy, 401 refreshes, unused connections); reports `Ambiguous` when a
    /// non-idempotent request was sent and its answer lost.
    pub(crate) async fn send(&self, req: &HttpRequest) -> Result<HttpReply> {
        let started = Instant::now();
        let outcome = self.send_counted(req).await;
        crate::metrics::record(started.elapsed(), outcome.is_err());
        outcome
    }

    /// [`Self::send`] without the round-trip counters.
    async fn send_counted(&self, req: &HttpRequest) -> Result<HttpReply> {
        let idempotent = !matches!(req.kind, RequestKind::Execute | RequestKind::ModProps | RequestKind::ModLinkAtt);
        let mut busy_attempts = 0u32;
        let mut auth_retried = false;
        let mut resend_budget = 2u32;
        loop {
            let mut conn = self.checkout().await?;
            let mut ntlm_client = None;
            let authorization = match &self.cfg.credentials {
                _ if req.anonymous => None,
                Credentials::Basic { user, password } => {
                    Some(format!("Basic {}", B64.encode(format!("{user}:{}", password.expose()))))
                }
                Credentials::Bearer(provider) => {
                    Some(format!("Bearer {}", self.bearer_token(provider.as_ref(), false).await?))
                }
                Credentials::Ntlm { login, password } if !conn.ntlm_authenticated => {
                    let mut client = ntlm::Client::from_login(login, password.expose());
                    let header = self.ntlm_handshake(&mut conn, &mut client).await?;
                    ntlm_client = Some(client);
                    Some(header)
                }
                Credentials::Ntlm { .. } => None,
            };
            let request = self.build(req, authorization.as_deref())?;
            // Waiting for the response headers counts against the same idle timeout.
            let wait = match req.deadline {
                Some(d) => self.cfg.request_timeout.min(d),
                None => self.cfg.request_timeout,
            };
            let sent = match tokio::time::timeout(wait, conn.send(request)).await {
                Ok(outcome) => outcome,
                Err(_) if idempotent => return Err(Error::Timeout(req.kind)),
                Err(_) => {
                    return Err(self.lost(req.kind, false, "no response headers within the request timeout".into()));
                }
            };
            let resp = match sent {
                SendOutcome::Response(r) => r,
                SendOutcome::NotSent(reason) => {
                    if resend_budget == 0 {
                        return Err(Error::Connect { host: self.host_header.clone(), reason });
                    }
                    resend_budget -= 1;
                    continue;
                }
                SendOutcome::Failed(reason) => {
                    if idempotent && resend_budget > 0 {
                        resend_budget -= 1;
                        continue;
                    }
                    return Err(self.lost(req.kind, idempotent, reason));
                }
            };
            let status = resp.status();
            tracing::debug!(kind = ?req.kind, status = status.as_u16(), host = %self.host_header, "MAPI/HTTP response");
            match status {
                StatusCode::UNAUTHORIZED if req.anonymous => {
                    return Err(Error::Auth("authentication required".into()));
                }
                StatusCode::UNAUTHORIZED => {
                    drop(resp);
                    drop(conn);
                    let retry = match &self.cfg.credentials {
                        Credentials::Basic { .. } => false,
                        Credentials::Bearer(p) => {
                            if !auth_retried {
                                self.bearer_token(p.as_ref(), true).await?;
                            }
                            true
                        }
                        // A fresh handshake only if this connection had been
                        // authenticated before (the server forgot it).
                        Credentials::Ntlm { .. } => ntlm_client.is_none(),
                    };
                    if retry && !auth_retried {
                        auth_retried = true;
                        continue;
                    }
                    return Err(Error::Auth(format!("{} refused by the server (HTTP 401)", self.scheme_name())));
                }
                StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS => {
                    let retry_after = retry_after(resp.headers());
                    busy_attempts += 1;
                    self.drain_and_keep(conn, resp).await;
                    if busy_attempts >= self.cfg.retry.max_attempts {
                        return Err(Error::Busy { attempts: busy_attempts, retry_after });
                    }
                    let delay = backoff_delay(&self.cfg.retry, busy_attempts, retry_after);
                    tracing::info!(kind = ?req.kind, attempt = busy_attempts, ?delay, "server busy (HTTP {}), backing off", status.as_u16());
                    tokio::time::sleep(delay).await;
                    continue;
                }
                StatusCode::OK => {}
                _ if req.plain => {}
                other => {
                    return Err(Error::HttpStatus { status: other.as_u16() });
                }
            }
            if ntlm_client.is_some() {
                conn.ntlm_authenticated = true;
            }
            let (parts, body) = resp.into_parts();
            let pairs: Vec<(&str, &str)> =
                parts.headers.iter().filter_map(|(n, v)| v.to_str().ok().map(|v| (n.as_str(), v))).collect();
            let headers =
                ResponseHeaders::from_pairs(pairs).map_err(|e| Error::Protocol(format!("response header {e}")))?;
            if !req.plain {
                self.detect_dialect(&headers);
            }
            let location = parts.headers.get(http::header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
            let set_cookies: Vec<String> =
                parts.headers.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok().map(str::to_owned)).collect();
            let deadline = req.deadline.map(|d| Instant::now() + d);
            let tracing_on = self.cfg.trace_dir.is_some();
            match self.read_body(body, &headers, deadline, tracing_on, req.plain).await {
                Ok((framed, raw)) => {
                    self.checkin(conn);
                    if tracing_on && !req.plain {
                        self.trace(req, &raw);
                    }
                    return Ok(HttpReply {
                        headers,
                        set_cookies,
                        framed,
                        dialect: self.dialect(),
                        status: status.as_u16(),
                        location,
                    });
                }
                Err(ReadFailure::Deadline) => return Err(Error::Timeout(req.kind)),
                Err(ReadFailure::Protocol(e)) => return Err(Error::Protocol(e)),
                Err(ReadFailure::Idle) => {
                    if idempotent {
                        return Err(Error::Timeout(req.kind));
                    }
                    return Err(self.lost(req.kind, false, "no data or keep-alive within the request timeout".into()));
                }
                Err(ReadFailure::Io(reason)) => {
                    if idempotent && resend_budget > 0 {
                        resend_budget -= 1;
                        continue;
                    }
                    return Err(self.lost(req.kind, idempotent, reason));
                }
            }
        }
    }

    fn lost(&self, kind: RequestKind, idempotent: bool, reason: String) -> Error {
        if idempotent {
            Error::Connect { host: self.host_header.clone(), reason }
        } else {
            Error::Ambiguous { kind, reason }
        }
    }

    fn scheme_name(&self) -> &'static str {
        match self.cfg.credentials {
            Credentials::Basic { .. } => "Basic credentials",
            Credentials::Ntlm { .. } => "NTLM credentials",
            Credentials::Bearer(_) => "Bearer token",
        }
    }

    fn build(&self, req: &HttpRequest, authorization: Option<&str>) -> Result<http::Request<Full<Bytes>>> {
        let mut b = http::Request::builder()
            .method(req.method.clone())
            .uri(self.path.as_str())
            .header(HOST, self.host_header.as_str());
        for (name, value) in &req.headers {
            b = b.header(*name, value.as_str());
        }
        b = b.header(USER_AGENT, self.cfg.user_agent.as_str());
        if let Some(anchor) = &self.cfg.anchor_mailbox {
            b = b.header("X-AnchorMailbox", anchor.as_str());
        }
        if let Some(a) = authorization {
            b = b.header(AUTHORIZATION, a);
        }
        if let Some(c) = &req.cookie {
            b = b.header(COOKIE, c.as_str());
        }
        if req.method != Method::GET {
            b = b.header(CONTENT_LENGTH, req.body.len());
        }
        b.body(Full::new(req.body.clone())).map_err(|e| Error::Config(format!("request header: {e}")))
    }

    /// NTLM leg 1 on `conn`: NEGOTIATE → 401 + CHALLENGE; returns the
    /// `Authorization: NTLM <AUTHENTICATE>` value for the real request on the same
    /// connection ([MS-NLMP] 3.1.5; RFC 4559 style).
    async fn ntlm_handshake(&self, conn: &mut Conn, client: &mut ntlm::Client) -> Result<String> {
        let token = B64.encode(client.negotiate());
        // `NTLM` first; servers that only offer `Negotiate` (SPNEGO) take a raw NTLM
        // token under that scheme as well ([MS-SPNG] 3.2.5.2 "NTLM fallback").
        for scheme in ["NTLM", "Negotiate"] {
            let req = http::Request::builder()
                .method(Method::POST)
                .uri(self.path.as_str())
                .header(HOST, self.host_header.as_str())
                .header(USER_AGENT, self.cfg.user_agent.as_str())
                .header(AUTHORIZATION, format!("{scheme} {token}"))
                .header(CONTENT_LENGTH, 0)
                .body(Full::new(Bytes::new()))
                .map_err(|e| Error::Config(format!("request header: {e}")))?;
            let sent = tokio::time::timeout(self.cfg.request_timeout, conn.send(req))
                .await
                .unwrap_or_else(|_| SendOutcome::Failed("NTLM negotiate timed out".into()));
            let resp = match sent {
                SendOutcome::Response(r) => r,
                SendOutcome::NotSent(reason) | SendOutcome::Failed(reason) => {
                    return Err(Error::Connect { host: self.host_header.clone(), reason });
                }
            };
            if resp.status() != StatusCode::UNAUTHORIZED {
                return Err(Error::Auth(format!("NTLM negotiate answered with HTTP {}", resp.status().as_u16())));
            }
            let offers: Vec<String> = resp
                .headers()
                .get_all(http::header::WWW_AUTHENTICATE)
                .iter()
                .filter_map(|v| v.to_str().ok().map(str::to_owned))
                .collect();
            drain(resp.into_body(), self.cfg.request_timeout).await;
            let prefix = format!("{scheme} ");
            if let Some(challenge) = offers.iter().find_map(|v| v.strip_prefix(&prefix).map(str::trim)) {
                let challenge =
                    B64.decode(challenge.as_bytes()).map_err(|_| Error::Auth("NTLM challenge is not base64".into()))?;
                let auth = client.authenticate(&challenge).map_err(|e| Error::Auth(format!("NTLM: {e}")))?;
                return Ok(format!("{scheme} {}", B64.encode(auth)));
            }
            let negotiate_offered = offers.iter().any(|v| v.trim().eq_ignore_ascii_case("Negotiate"));
            if scheme == "NTLM" && !negotiate_offered {
                break;
            }
        }
        Err(Error::Auth("server offers no NTLM challenge".into()))
    }

    async fn bearer_token(&self, provider: &dyn crate::config::TokenProvider, force: bool) -> Result<String> {
        let mut cached = self.bearer.lock().await;
        let stale = match cached.as_ref() {
            None => true,
            Some(t) => {
                t.expires_at.is_some_and(|e| e.saturating_duration_since(Instant::now()) < BEARER_REFRESH_MARGIN)
            }
        };
        if force || stale {
            let refresh = force || cached.is_some();
            let fresh = provider.token(refresh).await?;
            *cached = Some(fresh);
        }
        cached
            .as_ref()
            .map(|t| t.token.expose().clone())
            .ok_or_else(|| Error::Auth("token provider returned nothing".into()))
    }

    async fn checkout(&self) -> Result<Conn> {
        let idle = self.pool.lock().ok().and_then(|mut p| {
            while let Some(c) = p.pop() {
                if c.is_open() && c.last_used.elapsed() < POOL_IDLE_LIMIT {
                    return Some(c);
                }
            }
            None
        });
        match idle {
            Some(c) => Ok(c),
            None => Conn::open(&self.uri, &self.tls, self.cfg.connect_timeout).await,
        }
    }

    fn checkin(&self, mut conn: Conn) {
        conn.last_used = Instant::now();
        if conn.is_open()
            && let Ok(mut p) = self.pool.lock()
            && p.len() < MAX_IDLE
        {
            p.push(conn);
        }
    }

    async fn drain_and_keep(&self, conn: Conn, resp: http::Response<Incoming>) {
        if drain(resp.into_body(), Duration::from_secs(5)).await {
            self.checkin(conn);
        }
    }

    fn detect_dialect(&self, headers: &ResponseHeaders) {
        if let Ok(mut d) = self.dialect.lock()
            && d.is_none()
            && let Some(app) = &headers.server_application
        {
            *d = Some(if app == GROMOX_SERVER_APPLICATION { ServerDialect::Gromox } else { ServerDialect::Spec });
        }
    }

    async fn read_body(
        &self,
        mut body: Incoming,
        headers: &ResponseHeaders,
        deadline: Option<Instant>,
        keep_raw: bool,
        plain: bool,
    ) -> std::result::Result<(FramedResponse, Vec<u8>), ReadFailure> {
        let mut framer = if plain {
            ResponseFramer::for_response(
                &ResponseHeaders { content_type: Some("text/xml".into()), ..ResponseHeaders::default() },
                self.cfg.limits,
            )
        } else {
            ResponseFramer::for_response(headers, self.cfg.limits)
        };
        let mut out = FramedResponse::default();
        let mut raw = Vec::new();
        let idle = self.cfg.request_timeout;
        loop {
            let wait = match deadline {
                Some(d) => idle.min(d.saturating_duration_since(Instant::now())),
                None => idle,
            };
            match tokio::time::timeout(wait, body.frame()).await {
                Err(_) => {
                    return Err(if deadline.is_some_and(|d| Instant::now() >= d) {
                        ReadFailure::Deadline
                    } else {
                        ReadFailure::Idle
                    });
                }
                Ok(None) => break,
                Ok(Some(Err(e))) => return Err(ReadFailure::Io(e.to_string())),
                Ok(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        if keep_raw {
                            raw.extend_from_slice(&data);
                        }
                        let events = framer.push(&data).map_err(|e| ReadFailure::Protocol(e.to_string()))?;
                        for ev in events {
                            out.absorb(ev);
                        }
                    }
                }
            }
        }
        framer.finish().map_err(|e| ReadFailure::Protocol(e.to_string()))?;
        Ok((out, raw))
    }

    fn trace(&self, req: &HttpRequest, raw_response: &[u8]) {
        let Some(dir) = &self.cfg.trace_dir else {
            return;
        };
        let n = TRACE_COUNTER.fetch_add(1, Ordering::Relaxed) + 1;
        let name = req.kind.wire_name();
        let base = dir.join(format!("{n:03}-{name}"));
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(dir)?;
            std::fs::write(base.with_extension("req.bin"), &req.body)?;
            std::fs::write(base.with_extension("resp.bin"), raw_response)
        };
        if let Err(e) = write() {
            tracing::warn!(error = %e, "could not write MAPI trace");
        }
    }
}

/// Reads and discards a body (bounded); true when it ended cleanly.
async fn drain(mut body: Incoming, timeout: Duration) -> bool {
    let mut seen = 0usize;
    let read = async {
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(f) => {
                    if let Ok(d) = f.into_data() {
                        seen += d.len();
                        if seen > MAX_DRAIN {
                            return false;
                        }
                    }
                }
                Err(_) => return false,
            }
        }
        true
    };
    tokio::time::timeout(timeout, read).await.unwrap_or(false)
}

/// `Retry-After` in seconds (RFC 9110 10.2.3; the HTTP-date form is ignored).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers.get(http::header::RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok().map(Duration::from_secs)
}
