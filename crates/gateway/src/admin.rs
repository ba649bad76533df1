//! The gateway's admin routes, for its own CLI (`mapibridge prefetch`):
//! answered to loopback peers only, on the metrics listener (else the http
//! one).
//!
//! | route | answer |
//! |---|---|
//! | `POST /admin/prefetch` (form: `user`, `password`, optional `folder`) | 202 `{"job": N}` |
//! | `GET /admin/prefetch/N` | 200 `{"total", "done", "finished", "error"}` |

use std::collections::HashMap;
use std::net::SocketAddr;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;

use crate::prefetch::Prefetcher;

/// Largest admin request body.
const MAX_BODY: usize = 8 * 1024;

/// Answers one admin request.
pub async fn answer(admin: &Prefetcher, peer: SocketAddr, req: Request<Incoming>) -> Response<Full<Bytes>> {
    if !peer.ip().is_loopback() {
        return reply(StatusCode::FORBIDDEN, "admin routes answer loopback clients only\n".into(), false);
    }
    let path = req.uri().path().to_owned();
    match (req.method().clone(), path.as_str()) {
        (Method::POST, "/admin/prefetch") => {
            let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
                Ok(b) => b.to_bytes(),
                Err(_) => return reply(StatusCode::PAYLOAD_TOO_LARGE, "body too large\n".into(), false),
            };
            let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
            let (Some(user), Some(password)) = (form.get("user"), form.get("password")) else {
                return reply(StatusCode::BAD_REQUEST, "user and password are required\n".into(), false);
            };
            let id = admin.start(user.clone(), password.clone(), form.get("folder").cloned());
            reply(StatusCode::ACCEPTED, serde_json::json!({ "job": id }).to_string(), true)
        }
        (Method::GET, p) if p.starts_with("/admin/prefetch/") => {
            let status = p.trim_start_matches("/admin/prefetch/").parse().ok().and_then(|id| admin.status(id));
            match status {
                Some(json) => reply(StatusCode::OK, json, true),
                None => reply(StatusCode::NOT_FOUND, "no such job\n".into(), false),
            }
        }
        _ => reply(StatusCode::NOT_FOUND, "not found\n".into(), false),
    }
}

fn reply(status: StatusCode, body: String, json: bool) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    let kind = if json { "application/json" } else { "text/plain; charset=utf-8" };
    r.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static(kind));
    r
}
