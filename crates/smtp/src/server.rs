//! The tokio driver: accepts connections, runs TLS (STARTTLS and implicit),
//! feeds bytes to the [`Session`] core and carries out its events against
//! the [`AccountProvider`]; stops gracefully on the shutdown signal.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use mailbox::{Account, AccountProvider, MailboxError, Submission};
use smtp_proto::Response;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::config::{SmtpConfig, TlsMode};
use crate::limits::{AuthThrottle, Dedupe, DedupeCheck, RateLimit};
use crate::message::{self, Trace};
use crate::session::{Envelope, Event, Policy, Session, SessionConfig};
use crate::{Counters, CountersSnapshot};

/// How long a TLS handshake may take.
const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// An SMTP submission server. Cheap to clone (shared state inside): the
/// same server may serve a STARTTLS and an implicit-TLS listener, sharing
/// deduplication, rate limits and counters.
#[derive(Clone)]
pub struct SmtpServer {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SmtpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpServer").field("hostname", &self.shared.config.hostname).finish_non_exhaustive()
    }
}

struct Shared {
    config: SmtpConfig,
    provider: Arc<dyn AccountProvider>,
    policy: Policy,
    dedupe: Dedupe,
    counters: Arc<Counters>,
}

impl SmtpServer {
    /// A server submitting through `provider`'s accounts.
    pub fn new(config: SmtpConfig, provider: Arc<dyn AccountProvider>) -> Self {
        let policy = Policy {
            rate: RateLimit::new(config.max_messages_per_minute),
            auth_throttle: AuthThrottle::new(config.max_auth_failures, config.auth_failure_window),
        };
        let dedupe = Dedupe::new(config.dedupe_window);
        Self { shared: Arc::new(Shared { config, provider, policy, dedupe, counters: Arc::default() }) }
    }

    /// The counters so far.
    pub fn metrics(&self) -> CountersSnapshot {
        self.shared.counters.snapshot()
    }

    /// Serves `listener` until `shutdown` turns true: then stops accepting,
    /// tells idle sessions 421, lets sessions busy with a message finish
    /// (up to [`SmtpConfig::shutdown_grace`]) and returns.
    pub async fn serve(
        &self,
        listener: TcpListener,
        mode: TlsMode,
        mut shutdown: watch::Receiver<bool>,
    ) -> io::Result<()> {
        let acceptor = self.shared.config.tls.clone().map(TlsAcceptor::from);
        if mode == TlsMode::Implicit && acceptor.is_none() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "implicit TLS needs SmtpConfig::tls"));
        }
        let mut sessions = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((tcp, peer)) => {
                        let shared = self.shared.clone();
                        let acceptor = acceptor.clone();
                        let shutdown = shutdown.clone();
                        sessions.spawn(async move {
                            connection(shared, tcp, peer, mode, acceptor, shutdown).await;
                        });
                    }
                    Err(e) => {
                        // Out of file descriptors and the like: back off
                        // instead of spinning.
                        tracing::warn!(error = %e, "smtp accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    }
                },
                _ = stopped(&mut shutdown) => break,
                Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
            }
        }
        drop(listener);
        let drained = tokio::time::timeout(self.shared.config.shutdown_grace, async {
            while sessions.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!(left = sessions.len(), "smtp sessions still busy after the shutdown grace; dropping them");
            sessions.shutdown().await;
        }
        Ok(())
    }
}

/// Resolves when the shutdown flag is (or turns) true; never when the
/// sender is gone without setting it.
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    if shutdown.wait_for(|v| *v).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// One client connection, from greeting to close.
async fn connection(
    shared: Arc<Shared>,
    tcp: TcpStream,
    peer: SocketAddr,
    mode: TlsMode,
    acceptor: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    let counters = shared.counters.clone();
    counters.connections_total.fetch_add(1, Ordering::Relaxed);
    counters.connections_open.fetch_add(1, Ordering::Relaxed);
    let _open = OpenGuard(counters.clone());
    let _ = tcp.set_nodelay(true);
    let mut stream = match mode {
        TlsMode::StartTls => Stream::Plain(tcp),
        TlsMode::Implicit => {
            let Some(acceptor) = acceptor.as_ref() else { return };
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => Stream::Tls(Box::new(tls)),
                _ => return,
            }
        }
    };
    let ip = canonical(peer.ip());
    let config = &shared.config;
    let session_config = Arc::new(SessionConfig {
        hostname: config.hostname.clone(),
        max_message_size: config.max_message_size,
        max_line_length: config.max_line_length,
        max_recipients: config.max_recipients,
        starttls_available: acceptor.is_some(),
        plaintext_auth: config.allow_plaintext_auth.permits(ip),
    });
    let mut session = Session::new(session_config, counters.clone(), ip, mode == TlsMode::Implicit);
    let id = session_id();
    let mut account: Option<Arc<dyn Account>> = None;
    let mut shutdown_seen = false;
    let mut buf = vec![0u8; 64 * 1024];
    session.greet();
    loop {
        match session.poll(Instant::now(), &shared.policy) {
            Event::NeedInput => {
                if flush(&mut stream, &mut session).await.is_err() {
                    return;
                }
                tokio::select! {
                    read = tokio::time::timeout(config.idle_timeout, stream.read(&mut buf)) => match read {
                        Ok(Ok(0)) | Ok(Err(_)) => return,
                        Ok(Ok(n)) => session.feed(&buf[..n]),
                        Err(_) => session.timed_out(),
                    },
                    _ = stopped(&mut shutdown), if !shutdown_seen => {
                        shutdown_seen = true;
                        session.shutdown();
                    }
                }
            }
            Event::Authenticate { user, password } => {
                let _ = flush(&mut stream, &mut session).await;
                let outcome = match shared.provider.login(&user, password.expose()).await {
                    Ok(a) => {
                        let identity = a.identity().to_owned();
                        account = Some(a);
                        tracing::info!(session = %id, user = %identity, "smtp authenticated");
                        Ok(identity)
                    }
                    Err(MailboxError::AuthenticationFailed) => {
                        counters.auth_failures.fetch_add(1, Ordering::Relaxed);
                        shared.policy.auth_throttle.failed(ip, Instant::now());
                        tracing::info!(session = %id, %ip, "smtp authentication failed");
                        tokio::time::sleep(config.auth_failure_delay).await;
                        Err(Response::new(535, 5, 7, 8, "Authentication credentials invalid".to_owned()))
                    }
                    Err(e) => {
                        tracing::warn!(session = %id, error = %e, "smtp login: backend error");
                        Err(Response::new(
                            454,
                            4,
                            7,
                            0,
                            format!("Temporary authentication failure: {}", one_line(&e.to_string())),
                        ))
                    }
                };
                session.authenticated(outcome);
            }
            Event::Submit(envelope) => {
                let _ = flush(&mut stream, &mut session).await;
                let reply = match (&account, session.user()) {
                    (Some(account), Some(user)) => {
                        let trace = Trace {
                            helo: session.helo(),
                            peer: ip,
                            hostname: &config.hostname,
                            tls: session.is_tls(),
                            session_id: &id,
                            unix_time: unix_now(),
                        };
                        deliver(&shared, account.as_ref(), user, envelope, &trace).await
                    }
                    _ => Response::new(530, 5, 7, 0, "Authentication required".to_owned()),
                };
                session.submitted(&reply);
            }
            Event::StartTls => {
                if flush(&mut stream, &mut session).await.is_err() {
                    return;
                }
                let (Stream::Plain(tcp), Some(acceptor)) = (stream, acceptor.as_ref()) else { return };
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                    Ok(Ok(tls)) => stream = Stream::Tls(Box::new(tls)),
                    _ => return,
                }
                account = None;
                session.tls_started();
            }
            Event::Close => {
                let _ = flush(&mut stream, &mut session).await;
                let _ = stream.shutdown().await;
                return;
            }
        }
    }
}

/// Submits one message: trace and header fix-ups, retry deduplication, the
/// rate limit, then the backend. The reply is 250 only when the backend
/// accepted the message (now or, for a recognised retry, before).
async fn deliver(
    shared: &Shared,
    account: &dyn Account,
    user: &str,
    envelope: Envelope,
    trace: &Trace<'_>,
) -> Response<String> {
    let counters = &shared.counters;
    let prepared = message::prepare(&envelope.message, user, &envelope.recipients, trace);
    // The recipients are part of the key: the same Message-ID sent to other
    // recipients is another submission.
    let mut recipients: Vec<String> = envelope.recipients.iter().map(|r| r.to_lowercase()).collect();
    recipients.sort();
    let key = format!("{}\n{}", prepared.message_id, recipients.join("\n"));
    let in_flight = match shared.dedupe.begin(user, &key, Instant::now()) {
        DedupeCheck::AlreadyAccepted => {
            counters.messages_deduplicated.fetch_add(1, Ordering::Relaxed);
            tracing::info!(session = %trace.session_id, message_id = %prepared.message_id, "smtp retry of an accepted message: not sent again");
            return Response::new(
                250,
                2,
                0,
                0,
                format!("Message {} already accepted, not sent again", prepared.message_id),
            );
        }
        DedupeCheck::InFlight => {
            return Response::new(
                451,
                4,
                4,
                5,
                "The same message is being submitted on another connection; try again shortly".to_owned(),
            );
        }
        DedupeCheck::Fresh(guard) => guard,
    };
    // After the duplicate check: a retry of an accepted message is answered
    // 250 even when the user is at the limit.
    if let Err(wait) = shared.policy.rate.check(user, Instant::now()) {
        let text = format!("Too many messages, try again in {} seconds", wait.as_secs().max(1));
        return Response::new(451, 4, 7, 0, text);
    }
    let size = prepared.mime.len();
    let submission = Submission {
        mime: prepared.mime,
        mail_from: envelope.mail_from,
        recipients: envelope.recipients,
        save_copy: shared.config.save_sent_copy,
    };
    match account.submit(submission).await {
        Ok(outcome) => {
            in_flight.accepted(Instant::now());
            shared.policy.rate.record(user, Instant::now());
            counters.messages_accepted.fetch_add(1, Ordering::Relaxed);
            let id = outcome.message_id.unwrap_or(prepared.message_id);
            tracing::info!(session = %trace.session_id, message_id = %id, size, "smtp message accepted");
            Response::new(250, 2, 0, 0, format!("Message {id} accepted for delivery"))
        }
        Err(e) => {
            drop(in_flight);
            counters.messages_refused.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(session = %trace.session_id, error = %e, "smtp submission failed");
            refusal(&e)
        }
    }
}

/// The reply for a failed submission: retryable unless the backend said the
/// message itself can never be sent.
fn refusal(e: &MailboxError) -> Response<String> {
    match e {
        MailboxError::Unavailable(why) => Response::new(
            451,
            4,
            4,
            1,
            format!("Mail server unavailable ({}); the message was NOT sent, try again later", one_line(why)),
        ),
        MailboxError::NotPermitted(why) | MailboxError::AccessDenied(why) => {
            Response::new(550, 5, 7, 1, format!("Not permitted: {}", one_line(why)))
        }
        MailboxError::TooLarge { limit } => {
            Response::new(552, 5, 3, 4, format!("Message exceeds the mail server's limit of {limit} octets"))
        }
        MailboxError::Invalid(why) => Response::new(554, 5, 6, 0, format!("Message refused: {}", one_line(why))),
        MailboxError::AuthenticationFailed => Response::new(
            451,
            4,
            7,
            0,
            "The mail server refused the account's credentials; the message was NOT sent".to_owned(),
        ),
        other => {
            Response::new(451, 4, 3, 0, format!("Message NOT sent ({}); try again later", one_line(&other.to_string())))
        }
    }
}

/// Backend text made safe for a reply line: a CR or LF in it would end the
/// reply early and desynchronise a pipelining client.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(400).collect()
}

async fn flush(stream: &mut Stream, session: &mut Session) -> io::Result<()> {
    let out = session.output();
    if out.is_empty() {
        return Ok(());
    }
    stream.write_all(out).await?;
    out.clear();
    stream.flush().await
}

/// An IPv4 client on a dual-stack socket appears as `::ffff:a.b.c.d`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn session_id() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        bytes = u64::try_from(
            SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos()) % u128::from(u64::MAX),
        )
        .unwrap_or(0)
        .to_be_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

struct OpenGuard(Arc<Counters>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.connections_open.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The connection, before or after TLS.
enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Tls(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Tls(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Tls(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Tls(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_errors_map_to_retryable_or_permanent_replies() {
        let r = refusal(&MailboxError::Unavailable("exchange\r\n250 OK".into()));
        assert_eq!((r.code, r.esc), (451, [4, 4, 1]));
        assert!(!r.message.contains('\n') && r.message.contains("exchange  250 OK"), "{}", r.message);
        let r = refusal(&MailboxError::NotPermitted("alice may not send as team".into()));
        assert_eq!((r.code, r.esc), (550, [5, 7, 1]));
        assert!(r.message.ends_with("alice may not send as team"));
        assert_eq!(refusal(&MailboxError::TooLarge { limit: 10 }).code, 552);
        assert_eq!(refusal(&MailboxError::Internal("bug".into())).code, 451, "unknown failures are retryable");
        assert_eq!(refusal(&MailboxError::Invalid("no From".into())).code, 554);
    }
}
