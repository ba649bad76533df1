//! The simulator's HTTP face: one listener (plain or TLS) serving
//!
//! | path (case-insensitive) | what |
//! |---|---|
//! | `POST /mapi/emsmdb/?MailboxId=…` | mailbox endpoint (`mapi` module) |
//! | `POST /mapi/nspi/?MailboxId=…` | address book endpoint (`mapi` module) |
//! | `POST /autodiscover/autodiscover.xml` | Autodiscover POX ([`crate::autodiscover`]) |
//! | `GET /health` | liveness, no authentication |
//! | `GET`/`POST /admin/faults` | fault settings (JSON; loopback peers only) |
//!
//! Start it in-process with [`Simulator::start`] (tests: `127.0.0.1:0`) and
//! stop it with [`RunningSim::shutdown`] (clean) or [`RunningSim::kill`]
//! (abrupt). The `MailboxId` value is not checked (any value routes to the
//! authenticated user's session, as gromox does).

pub mod faults;
mod http;
pub(crate) mod mapi;
pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use self::faults::{FaultConfig, Faults};
use self::http::{Limits, Request, Response, http_date};
use crate::auth::ntlm::NtlmServer;
use crate::auth::{self, AuthFailure, AuthUser, Credentials, UserDirectory};
use crate::config::SimConfig;
use crate::session::{MailboxBackend, NspiBackend, SessionKind, SessionRegistry};
use crate::store::{Store, StoreError};

/// Errors starting the simulator.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Binding the listener.
    #[error("listen: {0}")]
    Io(#[from] std::io::Error),
    /// Opening the store.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// Setting up TLS.
    #[error("tls: {0}")]
    Tls(#[from] tls::TlsError),
}

/// What backend factories get to build the ROP/NSPI engines.
#[derive(Clone, Debug)]
pub struct BackendEnv {
    /// The store.
    pub store: Store,
    /// The session contexts (notification queues per user).
    pub sessions: SessionRegistry,
    /// The configuration.
    pub config: SimConfig,
}

type BackendFactory = Box<dyn FnOnce(&BackendEnv) -> (Arc<dyn MailboxBackend>, Arc<dyn NspiBackend>) + Send>;

/// A simulator about to start.
pub struct Simulator {
    config: SimConfig,
    store: Option<Store>,
    directory: Option<Arc<dyn UserDirectory>>,
    backends: Option<BackendFactory>,
    ntlm: Option<Arc<dyn NtlmServer>>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator").field("config", &self.config).finish_non_exhaustive()
    }
}

pub(crate) struct Ctx {
    pub(crate) config: SimConfig,
    pub(crate) directory: Arc<dyn UserDirectory>,
    pub(crate) sessions: SessionRegistry,
    pub(crate) faults: Faults,
    pub(crate) mailbox: Arc<dyn MailboxBackend>,
    pub(crate) nspi: Arc<dyn NspiBackend>,
    pub(crate) credentials: auth::CredentialCache,
    /// Turns true when the simulator stops (ends NotificationWaits early).
    pub(crate) stopping: watch::Receiver<bool>,
    pub(crate) ntlm: Option<Arc<dyn NtlmServer>>,
}

impl Simulator {
    /// A simulator with the store of `config.data_dir` (in memory without
    /// one), the store's users as directory, [`crate::rops::StoreBackend`]
    /// for the mailbox endpoint and [`crate::nspi::StoreNspi`] for the address book.
    pub fn new(config: SimConfig) -> Self {
        Self { config, store: None, directory: None, backends: None, ntlm: None }
    }

    /// Starts with defaults (see [`Simulator::new`]).
    pub async fn start(config: SimConfig) -> Result<RunningSim, SimError> {
        Self::new(config).run().await
    }

    /// Uses this store instead of opening `config.data_dir`.
    pub fn with_store(mut self, store: Store) -> Self {
        self.store = Some(store);
        self
    }

    /// Authenticates against this directory instead of the store.
    pub fn with_directory(mut self, directory: Arc<dyn UserDirectory>) -> Self {
        self.directory = Some(directory);
        self
    }

    /// Accepts NTLM ([MS-NTHT]) with this verifier and offers it in 401s.
    pub fn with_ntlm(mut self, ntlm: Arc<dyn NtlmServer>) -> Self {
        self.ntlm = Some(ntlm);
        self
    }

    /// Builds the mailbox and address book backends once the store and
    /// the session registry exist.
    pub fn with_backends(
        mut self,
        factory: impl FnOnce(&BackendEnv) -> (Arc<dyn MailboxBackend>, Arc<dyn NspiBackend>) + Send + 'static,
    ) -> Self {
        self.backends = Some(Box::new(factory));
        self
    }

    /// Binds the listener and starts serving.
    pub async fn run(self) -> Result<RunningSim, SimError> {
        let Self { config, store, directory, backends, ntlm } = self;
        let store = match store {
            Some(s) => s,
            None => match &config.data_dir {
                Some(dir) => Store::open(dir)?,
                None => Store::open_in_memory()?,
            },
        };
        let directory: Arc<dyn UserDirectory> = directory.unwrap_or_else(|| Arc::new(store.clone()));
        let sessions = SessionRegistry::new(config.session_expiry);
        let env = BackendEnv { store: store.clone(), sessions: sessions.clone(), config: config.clone() };
        let (mailbox, nspi): (Arc<dyn MailboxBackend>, Arc<dyn NspiBackend>) = match backends {
            Some(f) => f(&env),
            // The ROP executor over the store (simrops); NSPI stays minimal.
            None => (
                Arc::new(
                    crate::rops::StoreBackend::new(store.clone(), config.data_dir.clone())
                        .with_quotas(config.quotas.clone()),
                ),
                Arc::new(crate::nspi::StoreNspi::new(store.clone())),
            ),
        };
        let (acceptor, cert_pem) = if config.tls {
            let (cert, key) = tls::load_or_generate(config.data_dir.as_deref(), &config.tls_names)?;
            let acceptor = tokio_rustls::TlsAcceptor::from(tls::server_config(&cert, &key)?);
            (Some(acceptor), Some(cert))
        } else {
            (None, None)
        };
        let listener = TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let faults = Faults::new(config.faults.clone());
        if config.faults.expire_sessions {
            sessions.expire_all();
        }
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let ctx = Arc::new(Ctx {
            config: config.clone(),
            directory,
            sessions: sessions.clone(),
            faults: faults.clone(),
            mailbox,
            nspi,
            credentials: auth::CredentialCache::new(Duration::from_secs(300)),
            stopping: shutdown_rx.clone(),
            ntlm,
        });
        let task = tokio::spawn(accept_loop(listener, acceptor, ctx, shutdown_rx));
        Ok(RunningSim { addr, tls: config.tls, cert_pem, store, sessions, faults, shutdown_tx, task: Some(task) })
    }
}

/// A running simulator. Dropping it stops it abruptly (like
/// [`RunningSim::kill`]).
#[derive(Debug)]
pub struct RunningSim {
    addr: SocketAddr,
    tls: bool,
    cert_pem: Option<String>,
    store: Store,
    sessions: SessionRegistry,
    faults: Faults,
    shutdown_tx: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl RunningSim {
    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://addr` or `https://addr`.
    pub fn base_url(&self) -> String {
        format!("{}://{}", if self.tls { "https" } else { "http" }, self.addr)
    }

    /// The TLS certificate (PEM) when serving HTTPS, for clients to trust.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.cert_pem.as_deref()
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The session contexts.
    pub fn sessions(&self) -> &SessionRegistry {
        &self.sessions
    }

    /// The live fault settings.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Replaces the fault settings; `expire_sessions` drops every context
    /// now.
    pub fn set_faults(&self, config: FaultConfig) {
        if self.faults.set(config) {
            self.sessions.expire_all();
        }
    }

    /// Stops accepting, closes idle connections, lets running requests
    /// finish (up to 5 s), then stops.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown_tx.send(true);
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(6), task).await.is_err() {
                abort.abort();
            }
        }
    }

    /// Stops at once: the listener and every connection are dropped in
    /// whatever state they are (the store is transactional, so it stays
    /// consistent).
    pub fn kill(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        let _ = self.shutdown_tx.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    ctx: Arc<Ctx>,
    shutdown: watch::Receiver<bool>,
) {
    let mut stop = shutdown.clone();
    let mut conns = JoinSet::new();
    let sweep_every = (ctx.config.session_expiry / 4).clamp(Duration::from_millis(50), Duration::from_secs(30));
    let mut sweep = tokio::time::interval(sweep_every);
    let limits = Limits {
        max_head: ctx.config.max_request_head,
        max_body: ctx.config.max_request_body,
        request_timeout: ctx.config.request_timeout,
        keep_alive: ctx.config.keep_alive_timeout,
    };
    loop {
        tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            _ = sweep.tick() => { ctx.sessions.sweep(); }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let ctx = ctx.clone();
                let rx = shutdown.clone();
                let acceptor = acceptor.clone();
                conns.spawn(async move {
                    let tls = acceptor.is_some();
                    let handler = |req: Request| route(ctx.clone(), req);
                    match acceptor {
                        Some(a) => {
                            let Ok(Ok(s)) = tokio::time::timeout(limits.request_timeout, a.accept(stream)).await else {
                                return;
                            };
                            http::serve_connection(s, peer, tls, limits, rx, handler).await;
                        }
                        None => http::serve_connection(stream, peer, tls, limits, rx, handler).await,
                    }
                });
            }
        }
    }
    drop(listener);
    // Let running requests finish; idle connections see the signal.
    let drained =
        tokio::time::timeout(Duration::from_secs(5), async { while conns.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        conns.abort_all();
    }
}

/// The 401 answer: gromox's body and connection headers (capture 003,
/// corrections B3) with one `WWW-Authenticate` per accepted scheme.
fn unauthorized(ctx: &Ctx, ntlm_challenge: Option<&str>) -> Response {
    let mut headers = vec![
        ("Date".to_owned(), http_date()),
        ("Content-Length".to_owned(), "14".to_owned()),
        ("Content-Type".to_owned(), "text/plain; charset=utf-8".to_owned()),
        ("Connection".to_owned(), "keep-alive".to_owned()),
        ("Keep-Alive".to_owned(), "timeout=180".to_owned()),
    ];
    if let Some(token) = ntlm_challenge {
        // Second leg of NTLM: only the CHALLENGE_MESSAGE ([MS-NTHT] 3.2.5.1.2).
        headers.push(("WWW-Authenticate".to_owned(), token.to_owned()));
    } else {
        let bearer = !ctx.config.bearer_tokens.is_empty() || ctx.config.bearer_validator.is_some();
        for c in auth::challenges(&ctx.config.basic_realm, ctx.ntlm.is_some(), bearer) {
            headers.push(("WWW-Authenticate".to_owned(), c));
        }
    }
    Response::full(401, "Unauthorized", headers, b"Unauthorized\r\n".to_vec())
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// What authentication of one request gave.
enum AuthOutcome {
    /// Authenticated.
    User(AuthUser),
    /// NTLM NEGOTIATE answered: 401 with this `WWW-Authenticate` value
    /// (scheme + CHALLENGE_MESSAGE).
    NtlmChallenge(String),
    /// 401 with the usual challenges.
    Denied,
}

async fn authenticate(ctx: &Arc<Ctx>, req: &Request) -> AuthOutcome {
    match authenticate_inner(ctx, req).await {
        Ok(outcome) => outcome,
        Err(_) => AuthOutcome::Denied,
    }
}

async fn authenticate_inner(ctx: &Arc<Ctx>, req: &Request) -> Result<AuthOutcome, AuthFailure> {
    let Some(value) = req.header("Authorization") else {
        // A connection NTLM authenticated stays authenticated.
        return http::lock_conn(&req.conn).user.clone().map(AuthOutcome::User).ok_or(AuthFailure::Missing);
    };
    let credentials = auth::parse_authorization(value)?;
    if let Credentials::Ntlm { token, negotiate } = &credentials {
        return ntlm_step(ctx, req, &token.0, *negotiate).await;
    }
    if let Some(user) = ctx.credentials.get(&credentials) {
        return Ok(AuthOutcome::User(user));
    }
    let c = ctx.clone();
    // Password hashing is CPU work: keep it off the reactor.
    tokio::task::spawn_blocking(move || {
        let user = match (auth::verify(&credentials, c.directory.as_ref(), &c.config.bearer_tokens), &credentials) {
            (Err(AuthFailure::Rejected), Credentials::Bearer(token)) if c.config.bearer_validator.is_some() => {
                let validator = c.config.bearer_validator.as_ref().map(|v| v.0.clone());
                let address = validator.and_then(|v| v(&token.0)).ok_or(AuthFailure::Rejected)?;
                // Not cached: the callback decides every request (expiry, revocation).
                return c.directory.lookup(&address).map(AuthOutcome::User).ok_or(AuthFailure::Rejected);
            }
            (outcome, _) => outcome?,
        };
        c.credentials.put(&credentials, &user);
        Ok(AuthOutcome::User(user))
    })
    .await
    .unwrap_or(Err(AuthFailure::Rejected))
}

/// One leg of the NTLM handshake on this connection.
async fn ntlm_step(ctx: &Arc<Ctx>, req: &Request, token: &[u8], negotiate: bool) -> Result<AuthOutcome, AuthFailure> {
    let ntlm = ctx.ntlm.clone().ok_or(AuthFailure::Malformed)?;
    match auth::ntlm::message_type(token) {
        Some(1) => {
            let (pending, challenge) = ntlm.challenge(token).ok_or(AuthFailure::Rejected)?;
            let mut conn = http::lock_conn(&req.conn);
            conn.ntlm_pending = Some(pending);
            conn.user = None;
            let scheme = if negotiate { "Negotiate" } else { "NTLM" };
            Ok(AuthOutcome::NtlmChallenge(format!("{scheme} {}", base64_encode(&challenge))))
        }
        Some(3) => {
            let pending = http::lock_conn(&req.conn).ntlm_pending.take().ok_or(AuthFailure::Rejected)?;
            let c = ctx.clone();
            let token = token.to_vec();
            let user = tokio::task::spawn_blocking(move || {
                let name = ntlm.verify(pending, &token, c.directory.as_ref())?;
                c.directory.lookup(&name)
            })
            .await
            .ok()
            .flatten()
            .ok_or(AuthFailure::Rejected)?;
            http::lock_conn(&req.conn).user = Some(user.clone());
            Ok(AuthOutcome::User(user))
        }
        _ => Err(AuthFailure::Malformed),
    }
}

fn is_loopback(peer: SocketAddr) -> bool {
    peer.ip().is_loopback()
}

async fn route(ctx: Arc<Ctx>, req: Request) -> Response {
    let path = req.path().to_ascii_lowercase();
    let path = path.as_str();
    if req.oversized && !path.starts_with("/mapi/") {
        return Response::text(413, "Content Too Large", "Content Too Large\r\n");
    }
    match path {
        "/health" => {
            if !req.method.eq_ignore_ascii_case("GET") {
                return Response::text(405, "Method Not Allowed", "Method Not Allowed\r\n");
            }
            let body = format!("{{\"status\":\"ok\",\"sessions\":{}}}", ctx.sessions.len());
            Response::full(
                200,
                "OK",
                vec![("Content-Type".into(), "application/json".into()), ("Date".into(), http_date())],
                body.into_bytes(),
            )
        }
        "/admin/faults" => admin_faults(&ctx, &req),
        "/autodiscover/autodiscover.xml" => {
            if !req.method.eq_ignore_ascii_case("POST") {
                return Response::text(405, "Method Not Allowed", "Method Not Allowed\r\n");
            }
            match authenticate(&ctx, &req).await {
                AuthOutcome::User(_) => {}
                AuthOutcome::NtlmChallenge(c) => return unauthorized(&ctx, Some(&c)),
                AuthOutcome::Denied => return unauthorized(&ctx, None),
            }
            let base = base_url(&ctx, &req);
            let xml = crate::autodiscover::respond(
                &req.body,
                ctx.directory.as_ref(),
                &base,
                req.header("X-MapiHttpCapability"),
            );
            Response::full(
                200,
                "OK",
                vec![
                    ("Cache-Control".into(), "private".into()),
                    ("Content-Type".into(), "text/xml; charset=utf-8".into()),
                    ("Date".into(), http_date()),
                ],
                xml.into_bytes(),
            )
        }
        p if p.starts_with("/mapi/") => {
            let user = match authenticate(&ctx, &req).await {
                AuthOutcome::User(u) => u,
                AuthOutcome::NtlmChallenge(c) => return unauthorized(&ctx, Some(&c)),
                AuthOutcome::Denied => return unauthorized(&ctx, None),
            };
            let endpoint = match p {
                "/mapi/emsmdb" | "/mapi/emsmdb/" => SessionKind::Mailbox,
                "/mapi/nspi" | "/mapi/nspi/" => SessionKind::AddressBook,
                _ => {
                    return mapi::error_page(
                        mapi_wire::http::ResponseCode::INVALID_PATH,
                        &ctx.config.server_application,
                    );
                }
            };
            mapi::handle(&ctx, endpoint, req, user).await
        }
        _ => Response::text(404, "Not Found", "Not Found\r\n"),
    }
}

/// `scheme://host` for Autodiscover URLs: the configured public URL, else
/// the request's `Host`.
pub(crate) fn base_url(ctx: &Ctx, req: &Request) -> String {
    if let Some(u) = &ctx.config.public_url {
        return u.clone();
    }
    let scheme = if req.tls { "https" } else { "http" };
    let host = req
        .header("Host")
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()) && !h.contains(['<', '>', '&', '/']))
        .map_or_else(|| "localhost".to_owned(), str::to_owned);
    format!("{scheme}://{host}")
}

fn admin_faults(ctx: &Ctx, req: &Request) -> Response {
    if !ctx.config.admin || !is_loopback(req.peer) {
        return Response::text(403, "Forbidden", "Forbidden\r\n");
    }
    let json = |c: &FaultConfig| {
        Response::full(
            200,
            "OK",
            vec![("Content-Type".into(), "application/json".into()), ("Date".into(), http_date())],
            serde_json::to_vec(c).unwrap_or_default(),
        )
    };
    if req.method.eq_ignore_ascii_case("GET") {
        return json(&ctx.faults.get());
    }
    if !req.method.eq_ignore_ascii_case("POST") {
        return Response::text(405, "Method Not Allowed", "Method Not Allowed\r\n");
    }
    match serde_json::from_slice::<FaultConfig>(&req.body) {
        Ok(c) => {
            if ctx.faults.set(c) {
                ctx.sessions.expire_all();
            }
            json(&ctx.faults.get())
        }
        Err(e) => Response::text(400, "Bad Request", &format!("{e}\r\n")),
    }
}
