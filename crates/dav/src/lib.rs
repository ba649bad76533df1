//! CalDAV (RFC 4791) and CardDAV (RFC 6352) in front of the mailbox model.
//!
//! Every Calendar and Tasks folder of the user is a calendar collection
//! (Tasks folders advertise VTODO), every Contacts folder an address book.
//! Items go through [`mailbox::ItemCollection`] as MAPI messages and are
//! converted with `convert::ical` and `convert::vcard`; the ETag is the
//! item's change key, sync tokens come from the collection's change log.
//!
//! [`DavServer::router`] is an axum [`Router`] a gateway mounts next to its
//! own endpoints; [`DavServer::serve`] runs it alone on a listener.
//!
//! The organisation's directory (global address list) is a read-only
//! address book next to the user's own (`directory`).
//!
//! Authentication is HTTP Basic (RFC 7617) against
//! [`mailbox::AccountProvider::login`]; run it behind TLS.

#![forbid(unsafe_code)]
// A refused request is an HTTP answer carried in `Err` to the handler's
// end; boxing every answer would buy nothing on this path.
#![allow(clippy::result_large_err)]

mod directory;
#[doc(hidden)]
pub mod fuzzing;
mod methods;
mod path;
mod props;
mod proxy;
mod report;
mod schedule;
mod xml;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use base64::Engine;
use mailbox::{Account, AccountProvider, MailboxError};

/// Configuration of a [`DavServer`].
#[derive(Clone, Debug)]
pub struct DavConfig {
    /// The path below which the DAV tree lives (default `/dav`); the
    /// `/.well-known` redirects point here.
    pub prefix: String,
    /// Largest request body accepted (default 4 MiB); larger gets 413.
    pub max_body: usize,
    /// The Basic realm.
    pub realm: String,
    /// What `Retry-After` says when the backend is unavailable.
    pub retry_after: Duration,
    /// Zone of floating times and all-day events in iCalendar PUTs.
    pub default_zone: String,
    /// Whether [`DavServer::router`] also answers PROPFIND and OPTIONS on
    /// `/` (as on the prefix): clients given the bare server URL
    /// (vdirsyncer, Thunderbird) look for current-user-principal there
    /// before trying `/.well-known`. Default true; a gateway serving its own
    /// page at `/` turns it off.
    pub serve_root: bool,
    /// Most entries one addressbook-query on the directory address book
    /// returns (default 50); more matches give a 507 truncation marker
    /// (RFC 6352 §8.6.2).
    pub directory_search_limit: usize,
    /// Most directory entries PROPFIND depth 1 (and a query without text)
    /// lists (default 0: the directory is searched, never listed; raise it
    /// for a small organisation whose clients browse).
    pub directory_list_limit: usize,
}

impl Default for DavConfig {
    fn default() -> Self {
        Self {
            prefix: "/dav".into(),
            max_body: 4 << 20,
            realm: "mapibridge".into(),
            retry_after: Duration::from_secs(30),
            default_zone: "UTC".into(),
            serve_root: true,
            directory_search_limit: 50,
            directory_list_limit: 0,
        }
    }
}

/// Request counters, read with [`DavServer::metrics`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DavCounters {
    /// Requests answered.
    pub requests: u64,
    /// Requests refused for authentication (401).
    pub auth_failures: u64,
    /// Answers with a 5xx status.
    pub server_errors: u64,
}

/// The CalDAV/CardDAV server. Cheap to clone.
#[derive(Clone)]
pub struct DavServer {
    shared: Arc<Shared>,
}

pub(crate) struct Shared {
    pub(crate) config: DavConfig,
    provider: Arc<dyn AccountProvider>,
    requests: AtomicU64,
    auth_failures: AtomicU64,
    server_errors: AtomicU64,
}

impl std::fmt::Debug for DavServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DavServer").field("config", &self.shared.config).finish_non_exhaustive()
    }
}

impl DavServer {
    /// A server for the users of `provider`.
    pub fn new(config: DavConfig, provider: Arc<dyn AccountProvider>) -> Self {
        Self {
            shared: Arc::new(Shared {
                config,
                provider,
                requests: AtomicU64::new(0),
                auth_failures: AtomicU64::new(0),
                server_errors: AtomicU64::new(0),
            }),
        }
    }

    /// The routes: `/.well-known/caldav`, `/.well-known/carddav` and the
    /// tree under [`DavConfig::prefix`]. Merge it into the gateway's router.
    pub fn router(&self) -> Router {
        let prefix = self.shared.config.prefix.trim_end_matches('/').to_owned();
        let router =
            if self.shared.config.serve_root { Router::new().route("/", any(dispatch)) } else { Router::new() };
        router
            .route("/.well-known/caldav", any(well_known))
            .route("/.well-known/carddav", any(well_known))
            .route(&prefix, any(dispatch))
            .route(&format!("{prefix}/"), any(dispatch))
            .route(&format!("{prefix}/{{*rest}}"), any(dispatch))
            .with_state(self.shared.clone())
    }

    /// Serves [`DavServer::router`] on `listener` (plain HTTP/1.1) until
    /// `shutdown` turns true; in-flight requests finish first.
    pub async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> std::io::Result<()> {
        axum::serve(listener, self.router())
            .with_graceful_shutdown(async move {
                let _ = shutdown.wait_for(|down| *down).await;
            })
            .await
    }

    /// Whether the gateway's HTTP listener should hand this request to
    /// [`DavServer::handle`]: the well-known URIs, the tree under the
    /// prefix, and PROPFIND on `/` when [`DavConfig::serve_root`] is on.
    pub fn handles(&self, method: &axum::http::Method, path: &str) -> bool {
        let prefix = self.shared.config.prefix.trim_end_matches('/');
        path == "/.well-known/caldav"
            || path == "/.well-known/carddav"
            || path == prefix
            || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
            || (path == "/" && self.shared.config.serve_root && method.as_str() == "PROPFIND")
    }

    /// Answers one request, for a gateway that runs its own hyper service
    /// rather than an axum [`Router`] (see [`DavServer::handles`]).
    pub async fn handle<B>(&self, request: axum::http::Request<B>) -> Response
    where
        B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        use tower_service::Service;
        let mut router = self.router();
        match router.call(request.map(Body::new)).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    /// The counters so far.
    pub fn metrics(&self) -> DavCounters {
        DavCounters {
            requests: self.shared.requests.load(Ordering::Relaxed),
            auth_failures: self.shared.auth_failures.load(Ordering::Relaxed),
            server_errors: self.shared.server_errors.load(Ordering::Relaxed),
        }
    }
}

/// RFC 6764 §5: the well-known URIs redirect to the context path.
async fn well_known(State(shared): State<Arc<Shared>>) -> Response {
    let location = format!("{}/", shared.config.prefix.trim_end_matches('/'));
    let mut r = StatusCode::MOVED_PERMANENTLY.into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// The authenticated user of one request.
pub(crate) struct Session {
    pub(crate) shared: Arc<Shared>,
    pub(crate) account: Arc<dyn Account>,
    /// The user whose principal and homes the request addresses (the
    /// authenticated user, or a delegator: [`proxy`]).
    pub(crate) owner: String,
}

async fn dispatch(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    shared.requests.fetch_add(1, Ordering::Relaxed);
    if request.method() == axum::http::Method::OPTIONS {
        // Clients probe capabilities before they have credentials.
        return methods::options();
    }
    let response = match authenticate(&shared, request.headers()).await {
        Ok(account) => {
            let owner = account.identity().to_owned();
            let session = Session { shared: shared.clone(), account, owner };
            methods::handle(&session, request).await
        }
        Err(r) => r,
    };
    if response.status().is_server_error() {
        shared.server_errors.fetch_add(1, Ordering::Relaxed);
    }
    response
}

/// HTTP Basic (RFC 7617) against the provider.
async fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<Arc<dyn Account>, Response> {
    let credentials = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic ")))
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok())
        .and_then(|raw| String::from_utf8(raw).ok());
    let Some((user, password)) = credentials.as_deref().and_then(|c| c.split_once(':')) else {
        shared.auth_failures.fetch_add(1, Ordering::Relaxed);
        return Err(unauthorized(shared));
    };
    match shared.provider.login(user, password).await {
        Ok(account) => Ok(account),
        Err(MailboxError::AuthenticationFailed) => {
            shared.auth_failures.fetch_add(1, Ordering::Relaxed);
            Err(unauthorized(shared))
        }
        Err(e) => Err(backend_error(shared, &e)),
    }
}

fn unauthorized(shared: &Shared) -> Response {
    let mut r = (StatusCode::UNAUTHORIZED, "authentication required\n").into_response();
    let challenge = format!("Basic realm=\"{}\", charset=\"UTF-8\"", shared.config.realm.replace('"', ""));
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

/// A model error as an HTTP answer: retryable ones are 503 with
/// Retry-After, so clients come back instead of giving up.
pub(crate) fn backend_error(shared: &Shared, e: &MailboxError) -> Response {
    let status = match e {
        MailboxError::Unavailable(_) => {
            let mut r = (StatusCode::SERVICE_UNAVAILABLE, "backend unavailable, retry later\n").into_response();
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(shared.config.retry_after.as_secs()));
            return r;
        }
        MailboxError::NoSuchFolder(_) => StatusCode::NOT_FOUND,
        MailboxError::NotPermitted(_) | MailboxError::AccessDenied(_) => StatusCode::FORBIDDEN,
        MailboxError::AlreadyExists(_) => StatusCode::CONFLICT,
        MailboxError::Invalid(_) => StatusCode::BAD_REQUEST,
        MailboxError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        MailboxError::AuthenticationFailed => StatusCode::UNAUTHORIZED,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    tracing::debug!(error = %e, %status, "dav backend error");
    (status, Body::from(format!("{e}\n"))).into_response()
}
