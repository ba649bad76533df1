//! The MAPI/HTTP endpoints `/mapi/emsmdb/` and `/mapi/nspi/`
//! ([MS-OXCMAPIHTTP] 2.2.2–2.2.7, 3.2.5): header checks, session context
//! rules, X-ResponseCode errors in the specification's numbering
//! ([`ResponseCode`]) with the HTML diagnostic page, the PROCESSING /
//! PENDING / DONE framing and the backend calls.
//!
//! Order of checks for a request (first failure wins): HTTP method (POST,
//! else 2 Invalid Verb) → `X-RequestType` (missing: 2 Invalid Verb, as
//! gromox's "invalid verb" for this case, capture 067; unknown or of the
//! other endpoint: 5) → `X-RequestId` and `X-ClientInfo` (missing: 7,
//! malformed: 4) → cookies (no context cookie: 13; unknown, expired or
//! disconnected context: 10; context of the other endpoint: 6; another
//! user's context: 11; busy context: 15; missing or stale sequence on a
//! sequenced request: 15) → body (12) → busy fault → processing.
//! Authentication (401) comes before all of them, and an oversized body
//! (9, before it is read) too.
//!
//! Framing: a request answered within a short grace time gets gromox's two
//! chunks (the `PROCESSING`/`DONE` block, then the body; corrections B1);
//! a slower one gets `PROCESSING\r\n` at once, `PENDING\r\n` every
//! `X-PendingPeriod` (the spec's line form, not gromox's bare `PENDING`,
//! corrections A3) and then the `DONE` block and the body. NotificationWait
//! always sends `PROCESSING` first (capture 042). `X-ElapsedTime` is in
//! milliseconds as the spec says.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mapi_wire::emsmdb::{self, MapiResponse, NotificationWaitResponse};
use mapi_wire::http::{ClientInfo, RequestId, RequestKind, RequestType, ResponseCode, write_done};
use mapi_wire::nspi;
use mapi_wire::{Decode, ErrorCode};
use tokio::sync::mpsc;

use super::Ctx;
use super::faults::BusyMode;
use super::http::{Body, Chunk, Request, Response, http_date};
use crate::auth::AuthUser;
use crate::session::backend::encode_body;
use crate::session::{BeginOptions, SessionError, SessionGuard, SessionKind, lock_state};

/// The diagnostic page of an X-ResponseCode error ([MS-OXCMAPIHTTP]
/// 2.2.3.2.2: `Content-Type: text/html`), with the headers gromox sends in
/// that case and in its order (no echo, no cookies; corrections A2).
pub(crate) fn error_page(code: ResponseCode, server_application: &str) -> Response {
    let body = format!(
        "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\r\n<html><head>\r\n<title>MAPI OVER HTTP ERROR</title>\r\n\
         </head><body>\r\n<h1>Diagnostic Information</h1>\r\n<p>{}</p>\r\n<p>X-ResponseCode: {} ({:?})</p>\r\n</body></html>\r\n",
        error_text(code),
        code.0,
        code
    );
    Response::full(
        200,
        "OK",
        vec![
            ("Cache-Control".into(), "private".into()),
            ("Content-Type".into(), "text/html".into()),
            ("X-ResponseCode".into(), code.format()),
            ("Content-Length".into(), body.len().to_string()),
            ("X-ServerApplication".into(), server_application.to_owned()),
            ("Date".into(), http_date()),
        ],
        body.into_bytes(),
    )
}

/// [MS-OXCMAPIHTTP] 2.2.3.3.3 meanings.
fn error_text(code: ResponseCode) -> &'static str {
    match code {
        ResponseCode::UNKNOWN_FAILURE => "The request failed for an unknown reason.",
        ResponseCode::INVALID_VERB => "The request has an invalid verb.",
        ResponseCode::INVALID_PATH => "The request has an invalid path.",
        ResponseCode::INVALID_HEADER => "The request has an invalid header.",
        ResponseCode::INVALID_REQUEST_TYPE => "The request has an invalid X-RequestType header.",
        ResponseCode::INVALID_CONTEXT_COOKIE => "The request has an invalid session context cookie.",
        ResponseCode::MISSING_HEADER => "The request has a missing required header.",
        ResponseCode::ANONYMOUS_NOT_ALLOWED => "The request is not allowed to be anonymous.",
        ResponseCode::TOO_LARGE => "The request is too large.",
        ResponseCode::CONTEXT_NOT_FOUND => "The Session Context is not found.",
        ResponseCode::NO_PRIVILEGE => "The client has no privileges to the Session Context.",
        ResponseCode::INVALID_REQUEST_BODY => "The request body is invalid.",
        ResponseCode::MISSING_COOKIE => "The request is missing a required cookie.",
        ResponseCode::INVALID_SEQUENCE => {
            "The request has violated the sequencing requirement of one request at a time per Session Context."
        }
        ResponseCode::ENDPOINT_DISABLED => "The endpoint is disabled.",
        ResponseCode::ENDPOINT_SHUTTING_DOWN => "The endpoint is shutting down.",
        _ => "The request failed.",
    }
}

/// The code a session check failure gets.
fn session_code(e: SessionError) -> ResponseCode {
    match e {
        SessionError::MissingCookie => ResponseCode::MISSING_COOKIE,
        SessionError::NotFound => ResponseCode::CONTEXT_NOT_FOUND,
        SessionError::OtherUser => ResponseCode::NO_PRIVILEGE,
        SessionError::WrongEndpoint => ResponseCode::INVALID_CONTEXT_COOKIE,
        SessionError::BadSequence | SessionError::Busy => ResponseCode::INVALID_SEQUENCE,
    }
}

/// The echoed request headers ([MS-OXCMAPIHTTP] 2.2.3.3.1/2/4).
struct Echo {
    request_type: String,
    request_id: String,
    client_info: String,
}

fn check_headers(req: &Request, endpoint: SessionKind) -> Result<(RequestKind, Echo), ResponseCode> {
    if !req.method.eq_ignore_ascii_case("POST") {
        return Err(ResponseCode::INVALID_VERB);
    }
    let rt = req.header("X-RequestType").ok_or(ResponseCode::INVALID_VERB)?;
    let kind = RequestType::parse(rt)
        .ok()
        .and_then(|t| t.kind())
        .filter(|k| match k.endpoint() {
            mapi_wire::http::Endpoint::Both => true,
            mapi_wire::http::Endpoint::Emsmdb => endpoint == SessionKind::Mailbox,
            mapi_wire::http::Endpoint::Nspi => endpoint == SessionKind::AddressBook,
        })
        .ok_or(ResponseCode::INVALID_REQUEST_TYPE)?;
    let id = req.header("X-RequestId").ok_or(ResponseCode::MISSING_HEADER)?;
    RequestId::parse(id).map_err(|_| ResponseCode::INVALID_HEADER)?;
    let ci = req.header("X-ClientInfo").ok_or(ResponseCode::MISSING_HEADER)?;
    ClientInfo::parse(ci).map_err(|_| ResponseCode::INVALID_HEADER)?;
    Ok((
        kind,
        Echo {
            request_type: rt.trim().to_owned(),
            request_id: id.trim().to_owned(),
            client_info: ci.trim().to_owned(),
        },
    ))
}

/// The cookies a success response sets.
struct SetCookies {
    context: Option<String>,
    sequence: Option<String>,
}

/// Success headers in the captures' order (corrections B1): …, Date,
/// Set-Cookie context, Transfer-Encoding / Content-Length, Set-Cookie
/// sequence.
fn success_headers(
    ctx: &Ctx,
    echo: &Echo,
    cookies: &SetCookies,
    content_length: Option<usize>,
) -> Vec<(String, String)> {
    let c = &ctx.config;
    let mut h: Vec<(String, String)> = vec![
        ("Cache-Control".into(), "private".into()),
        ("Content-Type".into(), mapi_wire::http::CONTENT_TYPE_MAPI_HTTP.into()),
        ("X-RequestType".into(), echo.request_type.clone()),
        ("X-RequestId".into(), echo.request_id.clone()),
        ("X-ClientInfo".into(), echo.client_info.clone()),
        ("X-ResponseCode".into(), "0".into()),
        ("X-PendingPeriod".into(), c.pending_period.as_millis().to_string()),
        ("X-ExpirationInfo".into(), c.session_expiry.as_millis().to_string()),
        ("X-ServerApplication".into(), c.server_application.clone()),
        ("Date".into(), http_date()),
    ];
    if let Some(v) = &cookies.context {
        h.push(("Set-Cookie".into(), format!("{}={v}", c.cookies.context)));
    }
    match content_length {
        Some(n) => h.push(("Content-Length".into(), n.to_string())),
        None => h.push(("Transfer-Encoding".into(), "chunked".into())),
    }
    if let Some(v) = &cookies.sequence {
        h.push(("Set-Cookie".into(), format!("{}={v}", c.cookies.sequence)));
    }
    h
}

/// `DONE` and the additional headers ([MS-OXCMAPIHTTP] 2.2.7, 3.2.5.2),
/// optionally preceded by `PROCESSING`. `X-ElapsedTime` in milliseconds as
/// the spec says (gromox: seconds, corrections A1).
fn done_block(processing: bool, started: Instant, start_date: &str, late_error: Option<ResponseCode>) -> Vec<u8> {
    let mut w = Vec::with_capacity(96);
    if processing {
        mapi_wire::http::write_processing(&mut w);
    }
    let elapsed = started.elapsed().as_millis().to_string();
    let mut hs: Vec<(&str, String)> = vec![("X-ElapsedTime", elapsed), ("X-StartTime", start_date.to_owned())];
    if let Some(code) = late_error {
        hs.push(("X-ResponseCode", code.format()));
    }
    let pairs: Vec<(&str, &str)> = hs.iter().map(|(n, v)| (*n, v.as_str())).collect();
    // The names are fixed tokens and the values digits/dates: cannot fail.
    let _ = write_done(&mut w, &pairs);
    w
}

/// What a processing task yields: the binary body, or a failure after the
/// headers may have gone out.
type Outcome = Result<Vec<u8>, ResponseCode>;

/// Runs `work`, answering with one text-block chunk and one body chunk if
/// it finishes within a short grace time (as gromox does, corrections B1),
/// else with `PROCESSING`, a `PENDING` every pending period and the final
/// block ([MS-OXCMAPIHTTP] 3.2.5.2). `immediate_processing`: send
/// `PROCESSING` at once (NotificationWait, capture 042).
async fn respond(
    ctx: &Arc<Ctx>,
    headers: Vec<(String, String)>,
    work: tokio::task::JoinHandle<Outcome>,
    immediate_processing: bool,
) -> Response {
    let started = Instant::now();
    let start_date = http_date();
    let drop_fault = ctx.faults.take_drop();
    let (tx, rx) = mpsc::channel::<Chunk>(16);
    let resp = Response { status: 200, reason: "OK", headers, body: Body::Chunked(rx), close: drop_fault };
    let period = ctx.config.pending_period.max(Duration::from_millis(1));
    let grace = if immediate_processing { Duration::ZERO } else { period.min(Duration::from_millis(200)) };
    tokio::spawn(async move {
        let mut work = work;
        let early = if grace.is_zero() { None } else { tokio::time::timeout(grace, &mut work).await.ok() };
        let (processing_sent, result) = match early {
            Some(r) => (false, r),
            None => {
                if tx.send(Chunk::Data(b"PROCESSING\r\n".to_vec())).await.is_err() {
                    return;
                }
                let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
                loop {
                    tokio::select! {
                        r = &mut work => break (true, r),
                        _ = tick.tick() => {
                            let mut p = Vec::new();
                            mapi_wire::http::write_pending(&mut p);
                            if tx.send(Chunk::Data(p)).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            }
        };
        let (body, late) = match result {
            Ok(Ok(body)) => (body, None),
            Ok(Err(code)) => (Vec::new(), Some(code)),
            Err(_) => (Vec::new(), Some(ResponseCode::UNKNOWN_FAILURE)),
        };
        let block = done_block(!processing_sent, started, &start_date, late);
        if tx.send(Chunk::Data(block)).await.is_err() {
            return;
        }
        let _ = tx.send(if drop_fault { Chunk::Drop } else { Chunk::Data(body) }).await;
    });
    resp
}

/// Handles a request on a MAPI endpoint for an authenticated user.
pub(crate) async fn handle(ctx: &Arc<Ctx>, endpoint: SessionKind, req: Request, user: AuthUser) -> Response {
    let app = ctx.config.server_application.as_str();
    if req.oversized {
        return error_page(ResponseCode::TOO_LARGE, app);
    }
    let (kind, echo) = match check_headers(&req, endpoint) {
        Ok(x) => x,
        Err(code) => return error_page(code, app),
    };
    let context_cookie = req.cookie(&ctx.config.cookies.context).map(str::to_owned);
    let sequence_cookie = req.cookie(&ctx.config.cookies.sequence).map(str::to_owned);
    let cookie_present = req.has_cookie_header();
    let context = if cookie_present { context_cookie.as_deref() } else { None };

    let latency = ctx.faults.latency();
    match (endpoint, kind) {
        (_, RequestKind::Ping) => ping(ctx, endpoint, &req, &user, context, &echo),
        (SessionKind::Mailbox, RequestKind::Connect) => {
            let Ok(body) = emsmdb::ConnectRequest::decode_exact(&req.body) else {
                return error_page(ResponseCode::INVALID_REQUEST_BODY, app);
            };
            let guard = ctx.sessions.create(SessionKind::Mailbox, &user, context);
            let backend = ctx.mailbox.clone();
            open_context(ctx, &echo, guard, latency, move |s| {
                let r = backend.connect(s, &body);
                let ok = r.completed().is_some_and(|c| c.error_code == ErrorCode::SUCCESS);
                (encode_body(&r), ok)
            })
            .await
        }
        (SessionKind::AddressBook, RequestKind::Bind) => {
            let Ok(body) = nspi::BindRequest::decode_exact(&req.body) else {
                return error_page(ResponseCode::INVALID_REQUEST_BODY, app);
            };
            let guard = ctx.sessions.create(SessionKind::AddressBook, &user, context);
            let backend = ctx.nspi.clone();
            open_context(ctx, &echo, guard, latency, move |s| {
                let r = backend.bind(s, &body);
                let ok = r.completed().is_some_and(|c| c.error_code == ErrorCode::SUCCESS);
                (encode_body(&r), ok)
            })
            .await
        }
        (SessionKind::Mailbox, RequestKind::Execute) => {
            let opts = BeginOptions { sequenced: true, exclusive: true };
            let mut guard = match ctx.sessions.begin(endpoint, &user, context, sequence_cookie.as_deref(), opts) {
                Ok(g) => g,
                Err(e) => return error_page(session_code(e), app),
            };
            let Ok(body) = emsmdb::ExecuteRequest::decode_exact(&req.body) else {
                return error_page(ResponseCode::INVALID_REQUEST_BODY, app);
            };
            let busy = ctx.faults.take_busy();
            if let Some((BusyMode::Http503, retry_after)) = busy {
                return service_unavailable(app, retry_after);
            }
            guard.advance_sequence();
            let cookies =
                SetCookies { context: Some(guard.context().to_owned()), sequence: guard.new_sequence.clone() };
            let backend = ctx.mailbox.clone();
            let work = blocking(guard, latency, move |s| {
                let r = if busy.is_some() { backend.server_busy(s, &body) } else { backend.execute(s, &body) };
                encode_body(&r)
            });
            respond(ctx, success_headers(ctx, &echo, &cookies, None), work, false).await
        }
        (SessionKind::Mailbox, RequestKind::Disconnect) => {
            let opts = BeginOptions { sequenced: false, exclusive: true };
            let guard = match ctx.sessions.begin(endpoint, &user, context, None, opts) {
                Ok(g) => g,
                Err(e) => return error_page(session_code(e), app),
            };
            let Ok(body) = emsmdb::DisconnectRequest::decode_exact(&req.body) else {
                return error_page(ResponseCode::INVALID_REQUEST_BODY, app);
            };
            let cookies = SetCookies { context: Some(guard.context().to_owned()), sequence: sequence_cookie };
            let backend = ctx.mailbox.clone();
            let registry = ctx.sessions.clone();
            let context = guard.context().to_owned();
            let work = blocking(guard, latency, move |s| {
                let r = backend.disconnect(s, &body);
                registry.remove(&context);
                encode_body(&r)
            });
            respond(ctx, success_headers(ctx, &echo, &cookies, None), work, false).await
        }
        (SessionKind::AddressBook, RequestKind::Unbind) => {
            let opts = BeginOptions { sequenced: false, exclusive: true };
            let guard = match ctx.sessions.begin(endpoint, &user, context, None, opts) {
                Ok(g) => g,
                Err(e) => return error_page(session_code(e), app),
            };
            let Ok(body) = nspi::UnbindRequest::decode_exact(&req.body) else {
                return error_page(ResponseCode::INVALID_REQUEST_BODY, app);
            };
            let cookies = SetCookies { context: Some(guard.context().to_owned()), sequence: None };
            let backend = ctx.nspi.clone();
            let registry = ctx.sessions.clone();
            let context = guard.context().to_owned();
            let work = blocking(guard, latency, move |s| {
                let r = backend.unbind(s, &body);
                registry.remove(&context);
                encode_body(&r)
            });
            respond(ctx, success_headers(ctx, &echo, &cookies, None), work, false).await
        }
        (SessionKind::Mailbox, RequestKind::NotificationWait) => {
            let opts = BeginOptions { sequenced: false, exclusive: false };
            let guard = match ctx.sessions.begin(endpoint, &user, context, None, opts) {
                Ok(g) => g,
                Err(e) => return error_page(session_code(e), app),
            };
            if emsmdb::NotificationWaitRequest::decode_exact(&req.body).is_err() {
                return error_page(ResponseCode::INVALID_REQUEST_BODY, app);
            }
            let cookies = SetCookies { context: Some(guard.context().to_owned()), sequence: None };
            let timeout = ctx.config.notification_wait_timeout;
            let mut stopping = ctx.stopping.clone();
            let work = tokio::spawn(async move {
                let queue = guard.notifications.clone();
                // Completes on an event, after the timeout, or when the
                // simulator stops ([MS-OXCMAPIHTTP] 3.2.5.5).
                let pending = tokio::select! {
                    p = queue.wait(timeout) => p,
                    _ = stopping.wait_for(|s| *s) => !queue.is_empty(),
                };
                drop(guard);
                let r = MapiResponse::Completed(NotificationWaitResponse {
                    error_code: ErrorCode::SUCCESS,
                    event_pending: u32::from(pending),
                    auxiliary_buffer: Vec::new(),
                });
                Ok(encode_body(&r))
            });
            respond(ctx, success_headers(ctx, &echo, &cookies, None), work, true).await
        }
        (SessionKind::AddressBook, _) => {
            let url_request = matches!(kind, RequestKind::GetMailboxUrl | RequestKind::GetAddressBookUrl);
            if !url_request && !ctx.nspi.supports(kind) {
                return error_page(ResponseCode::INVALID_REQUEST_TYPE, app);
            }
            let opts = BeginOptions { sequenced: true, exclusive: true };
            let mut guard = match ctx.sessions.begin(endpoint, &user, context, sequence_cookie.as_deref(), opts) {
                Ok(g) => g,
                Err(e) => return error_page(session_code(e), app),
            };
            let Ok(body) = nspi::Request::decode_for(kind, &req.body) else {
                return error_page(ResponseCode::INVALID_REQUEST_BODY, app);
            };
            guard.advance_sequence();
            let cookies =
                SetCookies { context: Some(guard.context().to_owned()), sequence: guard.new_sequence.clone() };
            let backend = ctx.nspi.clone();
            let urls = endpoint_urls(&super::base_url(ctx, &req), &user);
            let work = blocking(guard, latency, move |s| match &body {
                nspi::Request::GetMailboxUrl(_) => encode_body(&MapiResponse::Completed(nspi::GetMailboxUrlResponse {
                    error_code: ErrorCode::SUCCESS,
                    server_url: urls.0,
                    auxiliary_buffer: Vec::new(),
                })),
                nspi::Request::GetAddressBookUrl(_) => {
                    encode_body(&MapiResponse::Completed(nspi::GetAddressBookUrlResponse {
                        error_code: ErrorCode::SUCCESS,
                        server_url: urls.1,
                        auxiliary_buffer: Vec::new(),
                    }))
                }
                _ => backend.call(s, &body),
            });
            respond(ctx, success_headers(ctx, &echo, &cookies, None), work, false).await
        }
        (SessionKind::Mailbox, _) => error_page(ResponseCode::INVALID_REQUEST_TYPE, app),
    }
}

/// [MS-OXCMAPIHTTP] 2.2.5.18 / 2.2.5.19: the mailbox and address book
/// endpoint URLs of `user` (the ones Autodiscover gives; gromox answers
/// unusable `https://vm/…` values, corrections B27).
fn endpoint_urls(base: &str, user: &AuthUser) -> (String, String) {
    let base = base.trim_end_matches('/');
    let id = user.mailbox_id();
    (format!("{base}/mapi/emsmdb/?MailboxId={id}"), format!("{base}/mapi/nspi/?MailboxId={id}"))
}

/// Runs a backend call on a blocking thread with the session locked, after
/// the latency fault; the context is released when it returns.
fn blocking(
    guard: SessionGuard,
    latency: Duration,
    f: impl FnOnce(&mut crate::session::SessionState) -> Vec<u8> + Send + 'static,
) -> tokio::task::JoinHandle<Outcome> {
    tokio::spawn(async move {
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        let state = guard.state.clone();
        let out = tokio::task::spawn_blocking(move || f(&mut lock_state(&state))).await;
        drop(guard);
        out.map_err(|_| ResponseCode::UNKNOWN_FAILURE)
    })
}

/// Connect/Bind: runs the backend on the new context; if it refuses
/// (non-zero ErrorCode or StatusCode) the context is dropped and no cookie
/// is set (capture 079).
async fn open_context(
    ctx: &Arc<Ctx>,
    echo: &Echo,
    guard: SessionGuard,
    latency: Duration,
    f: impl FnOnce(&mut crate::session::SessionState) -> (Vec<u8>, bool) + Send + 'static,
) -> Response {
    let context = guard.context().to_owned();
    let sequence = guard.new_sequence.clone();
    let registry = ctx.sessions.clone();
    let ctx_for_task = context.clone();
    let work = tokio::spawn(async move {
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        let state = guard.state.clone();
        let out = tokio::task::spawn_blocking(move || f(&mut lock_state(&state))).await;
        drop(guard);
        match out {
            Ok((body, true)) => Ok((body, true)),
            Ok((body, false)) => {
                registry.remove(&ctx_for_task);
                Ok((body, false))
            }
            Err(_) => {
                registry.remove(&ctx_for_task);
                Err(ResponseCode::UNKNOWN_FAILURE)
            }
        }
    });
    // Wait up to one pending period for the outcome, so a refused Connect
    // sets no cookie; only a slower one streams (and sets the cookies
    // before its outcome is known; a refusal then leaves them dangling).
    let grace = ctx.config.pending_period;
    let mut work = work;
    let (cookies, work) = match tokio::time::timeout(grace, &mut work).await {
        Ok(Ok(Ok((body, ok)))) => {
            let cookies = if ok {
                SetCookies { context: Some(context), sequence }
            } else {
                SetCookies { context: None, sequence: None }
            };
            (cookies, tokio::spawn(async move { Ok(body) }))
        }
        Ok(Ok(Err(code))) => return error_page(code, &ctx.config.server_application),
        Ok(Err(_)) => return error_page(ResponseCode::UNKNOWN_FAILURE, &ctx.config.server_application),
        Err(_) => {
            let cookies = SetCookies { context: Some(context), sequence };
            let w = tokio::spawn(async move {
                match work.await {
                    Ok(Ok((body, _))) => Ok(body),
                    Ok(Err(code)) => Err(code),
                    Err(_) => Err(ResponseCode::UNKNOWN_FAILURE),
                }
            });
            (cookies, w)
        }
    };
    respond(ctx, success_headers(ctx, echo, &cookies, None), work, false).await
}

/// PING ([MS-OXCMAPIHTTP] 2.2.6, 3.2.5.3): refreshes the context's idle
/// timer; no binary body, the meta-tag block with `Content-Length`
/// (captures 006, 111).
fn ping(
    ctx: &Arc<Ctx>,
    endpoint: SessionKind,
    req: &Request,
    user: &AuthUser,
    context: Option<&str>,
    echo: &Echo,
) -> Response {
    let app = ctx.config.server_application.as_str();
    let opts = BeginOptions { sequenced: false, exclusive: false };
    let guard = match ctx.sessions.begin(endpoint, user, context, None, opts) {
        Ok(g) => g,
        Err(e) => return error_page(session_code(e), app),
    };
    if !req.body.is_empty() {
        return error_page(ResponseCode::INVALID_REQUEST_BODY, app);
    }
    let body = done_block(true, Instant::now(), &http_date(), None);
    let cookies = SetCookies { context: Some(guard.context().to_owned()), sequence: None };
    let headers = success_headers(ctx, echo, &cookies, Some(body.len()));
    Response::full(200, "OK", headers, body)
}

/// The busy fault's HTTP form: 503 with `Retry-After`.
fn service_unavailable(server_application: &str, retry_after: u32) -> Response {
    let body = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\r\n<html><head><title>Service Unavailable</title></head>\
                <body><h1>Service Unavailable</h1><p>The server is busy. Retry later.</p></body></html>\r\n";
    Response::full(
        503,
        "Service Unavailable",
        vec![
            ("Cache-Control".into(), "private".into()),
            ("Content-Type".into(), "text/html".into()),
            ("Retry-After".into(), retry_after.to_string()),
            ("Content-Length".into(), body.len().to_string()),
            ("X-ServerApplication".into(), server_application.to_owned()),
            ("Date".into(), http_date()),
        ],
        body.as_bytes().to_vec(),
    )
}
