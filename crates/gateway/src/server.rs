//! Starting and stopping the gateway's listeners: binds every configured
//! address, hands each to its front end (or records why it cannot serve),
//! runs the HTTP and metrics listeners, proves each one answers, and stops
//! them all on one signal.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, AsyncRead, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::autoconfig::{ClientSettings, Service};
use crate::frontends::{Availability, FrontEnds, ListenerSpec, Security};
use crate::http::HttpState;
use crate::metrics::Metrics;

/// What to start.
pub struct GatewayPlan {
    /// IMAP and SMTP listeners.
    pub listeners: Vec<ListenerSpec>,
    /// The HTTP listener (autoconfig, health, metrics unless separate).
    pub http: Option<SocketAddr>,
    /// A separate metrics/health listener.
    pub metrics: Option<SocketAddr>,
    /// The protocol servers of this build.
    pub front_ends: FrontEnds,
    /// Host name clients use; empty: the HTTP request's `Host`.
    pub public_host: String,
    /// Provider name clients show.
    pub display_name: String,
    /// Time in-flight work gets at shutdown.
    pub grace: Duration,
    /// The gateway's metrics registry.
    pub registry: Arc<Metrics>,
}

/// Why the gateway could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// An address could not be bound.
    #[error("{name} listener on {addr}: {source}{hint}")]
    Bind {
        /// Listener label.
        name: String,
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
        /// What to do about it.
        hint: &'static str,
    },
}

/// The state of one client-facing listener.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListenerStatus {
    /// Bound here and served.
    Serving(SocketAddr),
    /// Not served: the reason.
    Missing(&'static str),
}

/// A started gateway.
pub struct RunningGateway {
    /// Every client-facing listener and what became of it.
    pub listeners: Vec<(ListenerSpec, ListenerStatus)>,
    /// Bound address of the HTTP listener.
    pub http: Option<SocketAddr>,
    /// Bound address of the metrics listener.
    pub metrics: Option<SocketAddr>,
    /// The registry.
    pub registry: Arc<Metrics>,
    /// Whether CalDAV/CardDAV are served on the HTTP listener.
    pub dav: bool,
    http_states: Vec<Arc<HttpState>>,
    shutdown: watch::Sender<bool>,
    tasks: JoinSet<(String, std::io::Result<()>)>,
    grace: Duration,
}

impl std::fmt::Debug for RunningGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningGateway").field("listeners", &self.listeners).field("http", &self.http).finish()
    }
}

async fn bind(name: &str, addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr).await.map_err(|source| {
        let hint = if source.kind() == std::io::ErrorKind::AddrInUse {
            " (address in use: stop what holds it, or choose another port; 0 picks a free one)"
        } else if source.kind() == std::io::ErrorKind::PermissionDenied {
            " (ports below 1024 need CAP_NET_BIND_SERVICE)"
        } else {
            ""
        };
        StartError::Bind { name: name.to_owned(), addr, source, hint }
    })
}

impl GatewayPlan {
    /// Binds everything (all or nothing) and starts serving.
    pub async fn start(self) -> Result<RunningGateway, StartError> {
        let (shutdown, rx) = watch::channel(false);
        let mut bound = Vec::new();
        let mut listeners = Vec::new();
        for spec in &self.listeners {
            match self.front_ends.get(spec.protocol) {
                Availability::Ready(front) => {
                    let l = bind(spec.name, spec.addr).await?;
                    let addr = l.local_addr().map_err(|source| StartError::Bind {
                        name: spec.name.to_owned(),
                        addr: spec.addr,
                        source,
                        hint: "",
                    })?;
                    bound.push((spec.clone(), l, front.clone()));
                    listeners.push((spec.clone(), ListenerStatus::Serving(addr)));
                }
                Availability::Missing(why) => listeners.push((spec.clone(), ListenerStatus::Missing(why))),
            }
        }
        let http_listener = match self.http {
            Some(a) => Some(bind("http", a).await?),
            None => None,
        };
        let metrics_listener = match self.metrics {
            Some(a) => Some(bind("metrics", a).await?),
            None => None,
        };
        let services = listeners
            .iter()
            .filter_map(|(spec, status)| match status {
                ListenerStatus::Serving(a) => {
                    Some(Service { protocol: spec.protocol, security: spec.security, port: a.port() })
                }
                ListenerStatus::Missing(_) => None,
            })
            .collect();
        let settings = ClientSettings { host: self.public_host.clone(), display_name: self.display_name, services };
        for source in self.front_ends.metric_sources() {
            self.registry.add_source(source.clone());
        }
        for (spec, status) in &listeners {
            self.registry.listener(spec.name, spec.protocol.name(), matches!(status, ListenerStatus::Serving(_)));
        }

        let mut tasks = JoinSet::new();
        for (spec, listener, front) in bound {
            let stop = rx.clone();
            let name = spec.name.to_owned();
            tasks.spawn(async move { (name, front.serve(listener, spec.security, stop).await) });
        }
        // DAV lives on the main HTTP listener only, never the metrics one.
        let dav = if http_listener.is_some() { self.front_ends.dav().cloned() } else { None };
        if let Some(d) = &dav {
            self.registry.add_source(Arc::new(crate::frontends::DavMetrics(d.clone())));
        }
        let dav_served = dav.is_some();
        let mut http_states = Vec::new();
        let mut start_http = |listener: Option<TcpListener>, autoconfig: bool| -> Option<SocketAddr> {
            let listener = listener?;
            let addr = listener.local_addr().ok()?;
            let state = Arc::new(HttpState {
                metrics: self.registry.clone(),
                settings: settings.clone(),
                ready: false.into(),
                autoconfig,
                dav: if autoconfig { dav.clone() } else { None },
                admin: std::sync::OnceLock::new(),
            });
            http_states.push(state.clone());
            let stop = rx.clone();
            let grace = self.grace;
            let name = if autoconfig { "http" } else { "metrics" };
            tasks.spawn(async move { (name.to_owned(), crate::http::serve(listener, state, stop, grace).await) });
            Some(addr)
        };
        let http = start_http(http_listener, true);
        let metrics = start_http(metrics_listener, false);
        Ok(RunningGateway {
            listeners,
            http,
            metrics,
            registry: self.registry,
            dav: dav_served,
            http_states,
            shutdown,
            tasks,
            grace: self.grace,
        })
    }
}

impl RunningGateway {
    /// Serves the admin routes (`mapibridge prefetch`) on the metrics
    /// listener, else on the http one.
    pub fn set_admin(&self, prefetcher: Arc<crate::prefetch::Prefetcher>) {
        let target = self.http_states.iter().find(|s| !s.autoconfig).or_else(|| self.http_states.first());
        if let Some(state) = target {
            let _ = state.admin.set(prefetcher);
        }
    }

    /// Proves that every listener answers — HTTP with a `/health` 200, IMAP
    /// and SMTP with their greeting (after the TLS handshake on implicit-TLS
    /// ports) — then turns `/ready` to 200.
    pub async fn wait_until_accepting(&self, timeout: Duration) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + timeout;
        for (spec, status) in &self.listeners {
            if let ListenerStatus::Serving(addr) = status {
                retry_until(deadline, || probe_greeting(*addr, spec.security))
                    .await
                    .map_err(|e| format!("{} listener on {addr} does not answer: {e}", spec.name))?;
            }
        }
        for addr in self.http.iter().chain(self.metrics.iter()) {
            retry_until(deadline, || probe_http(*addr))
                .await
                .map_err(|e| format!("HTTP listener on {addr} does not answer: {e}"))?;
        }
        if let (true, Some(addr)) = (self.dav, self.http) {
            retry_until(deadline, || probe_dav(addr))
                .await
                .map_err(|e| format!("CalDAV/CardDAV on {addr} does not answer: {e}"))?;
        }
        for s in &self.http_states {
            s.ready.store(true, Ordering::Release);
        }
        Ok(())
    }

    /// A receiver that turns true when the gateway is told to stop.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Stops: `/ready` goes 503, the listeners close, front ends end their
    /// connections gracefully within the grace time; what is left is aborted.
    pub async fn shutdown(mut self) {
        for s in &self.http_states {
            s.ready.store(false, Ordering::Release);
        }
        let _ = self.shutdown.send(true);
        let grace = self.grace + Duration::from_secs(1);
        let drained = tokio::time::timeout(grace, async {
            while let Some(done) = self.tasks.join_next().await {
                match done {
                    Ok((name, Err(e))) => tracing::warn!(listener = %name, error = %e, "listener ended with an error"),
                    Ok((name, Ok(()))) => tracing::debug!(listener = %name, "listener stopped"),
                    Err(e) => tracing::warn!(error = %e, "listener task failed"),
                }
            }
        })
        .await;
        if drained.is_err() {
            tracing::warn!("listeners did not stop within {grace:?}; aborting them");
            self.tasks.abort_all();
        }
    }
}

async fn retry_until<F, Fut>(deadline: tokio::time::Instant, mut probe: F) -> Result<(), String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    loop {
        let attempt = tokio::time::timeout_at(deadline, probe()).await;
        match attempt {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(e)) if tokio::time::Instant::now() + Duration::from_millis(50) >= deadline => return Err(e),
            Ok(Err(_)) => tokio::time::sleep(Duration::from_millis(50)).await,
            Err(_) => return Err("timed out".to_owned()),
        }
    }
}

async fn probe_http(addr: SocketAddr) -> Result<(), String> {
    let mut stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .map_err(|e| e.to_string())?;
    let line = first_line(stream).await?;
    if line.starts_with("HTTP/1.1 200") { Ok(()) } else { Err(format!("answered {line:?}")) }
}

/// RFC 4918 §10.1: OPTIONS on the DAV tree needs no credentials and names
/// the DAV compliance classes (calendar-access, addressbook).
async fn probe_dav(addr: SocketAddr) -> Result<(), String> {
    let mut stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let request =
        format!("OPTIONS {}/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", crate::frontends::DAV_PREFIX);
    stream.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut head = String::new();
    (&mut stream).take(8192).read_to_string(&mut head).await.map_err(|e| e.to_string())?;
    let dav_header = head.lines().any(|l| {
        l.split_once(':').is_some_and(|(k, v)| k.eq_ignore_ascii_case("dav") && v.contains("calendar-access"))
    });
    if head.starts_with("HTTP/1.1 200") && dav_header {
        Ok(())
    } else {
        Err(format!("OPTIONS answered {:?}", head.lines().next().unwrap_or("")))
    }
}

/// Reads the server's first line: IMAP `* OK`, SMTP `220`.
async fn probe_greeting(addr: SocketAddr, security: Security) -> Result<(), String> {
    let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let line = match security {
        Security::StartTls => first_line(stream).await?,
        Security::Implicit => {
            let connector = tokio_rustls::TlsConnector::from(Arc::new(crate::probe_tls::any_certificate()));
            let name = rustls::pki_types::ServerName::IpAddress(addr.ip().into());
            let tls = connector.connect(name, stream).await.map_err(|e| format!("TLS handshake: {e}"))?;
            first_line(tls).await?
        }
    };
    if line.starts_with("* OK") || line.starts_with("* PREAUTH") || line.starts_with("220") {
        Ok(())
    } else {
        Err(format!("greeted with {line:?}"))
    }
}

async fn first_line(stream: impl AsyncRead + Unpin) -> Result<String, String> {
    let mut line = String::new();
    let mut reader = BufReader::new(stream);
    let mut limited = (&mut reader).take(1024);
    limited.read_line(&mut line).await.map_err(|e| e.to_string())?;
    if line.is_empty() {
        return Err("closed without a greeting".to_owned());
    }
    Ok(line.trim_end().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontends::{Protocol, ServeFuture};

    /// A front end that greets like an IMAP server and counts nothing else:
    /// enough to prove binding, TLS on implicit ports, probing and shutdown.
    struct Greeter {
        tls: Arc<rustls::ServerConfig>,
    }

    impl crate::frontends::FrontEnd for Greeter {
        fn serve(&self, listener: TcpListener, security: Security, mut shutdown: watch::Receiver<bool>) -> ServeFuture {
            let acceptor = tokio_rustls::TlsAcceptor::from(self.tls.clone());
            Box::pin(async move {
                loop {
                    tokio::select! {
                        accepted = listener.accept() => {
                            let (stream, _) = accepted?;
                            let acceptor = acceptor.clone();
                            tokio::spawn(async move {
                                match security {
                                    Security::StartTls => {
                                        let mut s = stream;
                                        let _ = s.write_all(b"* OK greeter\r\n").await;
                                    }
                                    Security::Implicit => {
                                        if let Ok(mut s) = acceptor.accept(stream).await {
                                            let _ = s.write_all(b"* OK greeter\r\n").await;
                                            let _ = s.shutdown().await;
                                        }
                                    }
                                }
                            });
                        }
                        _ = crate::http::stopped(&mut shutdown) => return Ok(()),
                    }
                }
            })
        }
    }

    fn spec(name: &'static str, protocol: Protocol, security: Security) -> ListenerSpec {
        ListenerSpec { name, protocol, security, addr: SocketAddr::from(([127, 0, 0, 1], 0)) }
    }

    #[tokio::test]
    async fn listeners_are_bound_probed_and_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let cert = crate::tls::ReloadableCert::new(crate::tls::self_signed(dir.path(), &["localhost".into()]).unwrap())
            .unwrap();
        let greeter: Arc<dyn crate::frontends::FrontEnd> = Arc::new(Greeter { tls: cert.server_config().unwrap() });
        let plan = GatewayPlan {
            listeners: vec![
                spec("imap", Protocol::Imap, Security::StartTls),
                spec("imaps", Protocol::Imap, Security::Implicit),
                spec("submission", Protocol::Submission, Security::StartTls),
            ],
            http: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
            metrics: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
            front_ends: FrontEnds::with(Availability::Ready(greeter), Availability::Missing("not here")),
            public_host: String::new(),
            display_name: "t".into(),
            grace: Duration::from_secs(1),
            registry: Metrics::new(),
        };
        let gw = plan.start().await.unwrap();
        let statuses: Vec<_> = gw.listeners.iter().map(|(s, st)| (s.name, st.clone())).collect();
        assert!(matches!(statuses[0].1, ListenerStatus::Serving(_)));
        assert!(matches!(statuses[1].1, ListenerStatus::Serving(_)));
        assert_eq!(statuses[2].1, ListenerStatus::Missing("not here"));
        let http = gw.http.unwrap();
        gw.wait_until_accepting(Duration::from_secs(5)).await.unwrap();
        let ListenerStatus::Serving(imap) = statuses[0].1 else { unreachable!() };
        let ListenerStatus::Serving(imaps) = statuses[1].1 else { unreachable!() };
        assert!(probe_greeting(imaps, Security::Implicit).await.is_ok());
        // The implicit-TLS port really speaks TLS: a plain read sees no greeting.
        let plain = tokio::time::timeout(Duration::from_millis(500), probe_greeting(imaps, Security::StartTls)).await;
        assert!(!matches!(plain, Ok(Ok(()))), "a plain read must not see a greeting on an implicit-TLS port");
        gw.shutdown().await;
        assert!(TcpStream::connect(imap).await.is_err(), "imap listener still open after shutdown");
        assert!(TcpStream::connect(http).await.is_err(), "http listener still open after shutdown");
    }
}
