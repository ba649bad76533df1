//! The gateway's HTTP listener (hyper, HTTP/1.1): health and readiness,
//! Prometheus metrics, Thunderbird autoconfig and the Apple profile.
//! CalDAV/CardDAV (`crates/dav`) are routed here when enabled.
//!
//! | path | answer |
//! |---|---|
//! | `GET /health` | 200 while the process runs (liveness) |
//! | `GET /ready` | 200 once every listener accepts connections, 503 before and while stopping |
//! | `GET /metrics` | Prometheus text format |
//! | `GET /.well-known/autoconfig/mail/config-v1.1.xml`, `GET /mail/config-v1.1.xml` | Thunderbird autoconfig (`?emailaddress=`) |
//! | `GET /apple/mapibridge.mobileconfig?emailaddress=…` | iOS/macOS profile |
//! | `/.well-known/caldav`, `/.well-known/carddav`, `/dav/…` (any method) | CalDAV/CardDAV, when enabled |

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::autoconfig::{self, ClientSettings};
use crate::metrics::Metrics;

/// What the HTTP listener serves from.
#[derive(Debug)]
pub struct HttpState {
    /// `/metrics`.
    pub metrics: Arc<Metrics>,
    /// The listeners clients are told about; `host` empty: the request's
    /// `Host` header is used.
    pub settings: ClientSettings,
    /// `/ready` says 200 while this is true.
    pub ready: AtomicBool,
    /// Serve the autoconfig and profile routes (false on a metrics-only listener).
    pub autoconfig: bool,
    /// CalDAV/CardDAV on this listener (`None`: not served here).
    pub dav: Option<dav::DavServer>,
    /// `/admin/prefetch` (loopback peers only), once `serve` sets it.
    pub admin: std::sync::OnceLock<Arc<crate::prefetch::Prefetcher>>,
}

/// Largest request head accepted. The gateway's own routes take no body;
/// DAV request bodies are streamed to the DAV server, which enforces its
/// own `max_body` (413 beyond it).
const MAX_HEAD: usize = 16 * 1024;

/// Serves `listener` until `shutdown` turns true; open connections finish
/// their current request (at most `grace`).
pub async fn serve(
    listener: TcpListener,
    state: Arc<HttpState>,
    mut shutdown: watch::Receiver<bool>,
    grace: Duration,
) -> std::io::Result<()> {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    // Out of descriptors and the like: keep serving the rest.
                    Err(e) => {
                        tracing::warn!(error = %e, "http accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let state = state.clone();
                let mut stop = shutdown.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(answer(&state, peer, req).await) }
                    });
                    let conn = hyper::server::conn::http1::Builder::new()
                        .max_buf_size(MAX_HEAD.max(8192))
                        .header_read_timeout(Duration::from_secs(10))
                        .timer(hyper_util::rt::TokioTimer::new())
                        .serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(conn);
                    tokio::select! {
                        r = conn.as_mut() => if let Err(e) = r { tracing::debug!(%peer, error = %e, "http connection") },
                        _ = stopped(&mut stop) => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
            _ = stopped(&mut shutdown) => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(grace, async { while connections.join_next().await.is_some() {} }).await;
    connections.abort_all();
    Ok(())
}

/// Resolves once the shutdown flag is true (or its sender is gone).
pub async fn stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

/// The gateway's own paths first, then DAV, then 404.
async fn answer(state: &HttpState, peer: std::net::SocketAddr, req: Request<Incoming>) -> Response<Full<Bytes>> {
    if req.uri().path().starts_with("/admin/")
        && let Some(admin) = state.admin.get()
    {
        let response = crate::admin::answer(admin, peer, req).await;
        state.metrics.http_request("admin", response.status().as_u16());
        return response;
    }
    let own = matches!(
        req.uri().path(),
        "/health" | "/ready" | "/metrics" | "/mail/config-v1.1.xml" | "/apple/mapibridge.mobileconfig"
    ) || req.uri().path().starts_with("/.well-known/autoconfig/");
    match &state.dav {
        Some(dav) if !own && dav.handles(req.method(), req.uri().path()) => {
            let response = dav_answer(dav, req).await;
            state.metrics.http_request("dav", response.status().as_u16());
            response
        }
        _ => route(state, &req),
    }
}

/// Hands the request to the DAV server and buffers its answer (multistatus
/// bodies are built in memory by the DAV server anyway).
async fn dav_answer(dav: &dav::DavServer, req: Request<Incoming>) -> Response<Full<Bytes>> {
    use http_body_util::BodyExt as _;
    let (parts, body) = dav.handle(req).await.into_parts();
    match body.collect().await {
        Ok(collected) => Response::from_parts(parts, Full::new(collected.to_bytes())),
        Err(e) => {
            tracing::warn!(error = %e, "dav answer body failed");
            text(StatusCode::INTERNAL_SERVER_ERROR, "internal error\n")
        }
    }
}

fn route(state: &HttpState, req: &Request<Incoming>) -> Response<Full<Bytes>> {
    let path = req.uri().path();
    let (name, response) = match (req.method(), path) {
        (&Method::GET | &Method::HEAD, "/health") => ("health", text(StatusCode::OK, "ok\n")),
        (&Method::GET | &Method::HEAD, "/ready") => {
            if state.ready.load(Ordering::Acquire) {
                ("ready", text(StatusCode::OK, "ready\n"))
            } else {
                state.metrics.not_ready();
                ("ready", text(StatusCode::SERVICE_UNAVAILABLE, "not ready\n"))
            }
        }
        (&Method::GET | &Method::HEAD, "/metrics") => ("metrics", {
            let mut r = Response::new(Full::new(Bytes::from(state.metrics.render())));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            r
        }),
        (&Method::GET | &Method::HEAD, "/.well-known/autoconfig/mail/config-v1.1.xml" | "/mail/config-v1.1.xml")
            if state.autoconfig =>
        {
            ("autoconfig", thunderbird(state, req))
        }
        (&Method::GET | &Method::HEAD, "/apple/mapibridge.mobileconfig") if state.autoconfig => {
            ("mobileconfig", apple(state, req))
        }
        (_, "/health" | "/ready" | "/metrics") => {
            ("other", text(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD here\n"))
        }
        _ => ("other", text(StatusCode::NOT_FOUND, "not found\n")),
    };
    state.metrics.http_request(name, response.status().as_u16());
    response
}

fn text(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}

fn with_type(body: String, content_type: &'static str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    r.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static(content_type));
    r
}

/// A query parameter, percent-decoded (`@` arrives as `%40`).
fn query_param(req: &Request<Incoming>, name: &str) -> Option<String> {
    req.uri().query()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| percent_decode(v))
    })
}

fn percent_decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (b, hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The settings with the host filled from the request when not configured.
fn settings_for(state: &HttpState, req: &Request<Incoming>) -> ClientSettings {
    let mut s = state.settings.clone();
    if s.host.is_empty() {
        let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
        // Strip the port: clients connect to the mail ports, not this one.
        let host = match host.rsplit_once(':') {
            Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with(':') => h,
            _ => host,
        };
        s.host = host.to_owned();
    }
    s
}

fn thunderbird(state: &HttpState, req: &Request<Incoming>) -> Response<Full<Bytes>> {
    let email = query_param(req, "emailaddress");
    let domain = match email.as_deref().map(autoconfig::domain_of) {
        Some(Some(d)) => d,
        Some(None) => return text(StatusCode::BAD_REQUEST, "emailaddress is not an e-mail address\n"),
        None => "mapibridge".to_owned(),
    };
    match autoconfig::thunderbird(&settings_for(state, req), &domain) {
        Some(xml) => with_type(xml, "application/xml; charset=utf-8"),
        None => text(StatusCode::SERVICE_UNAVAILABLE, "no IMAP listener is serving on this gateway\n"),
    }
}

fn apple(state: &HttpState, req: &Request<Incoming>) -> Response<Full<Bytes>> {
    let Some(email) = query_param(req, "emailaddress").filter(|e| autoconfig::domain_of(e).is_some()) else {
        return text(StatusCode::BAD_REQUEST, "add ?emailaddress=you@example.com\n");
    };
    match autoconfig::mobileconfig(&settings_for(state, req), &email) {
        Some(plist) => {
            let mut r = with_type(plist, "application/x-apple-aspen-config");
            r.headers_mut().insert(
                header::CONTENT_DISPOSITION,
                header::HeaderValue::from_static("attachment; filename=\"mapibridge.mobileconfig\""),
            );
            r
        }
        None => text(StatusCode::SERVICE_UNAVAILABLE, "no IMAP listener is serving on this gateway\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("alice%40example.test"), "alice@example.test");
        assert_eq!(percent_decode("a+b%2"), "a b%2");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
    }
}
