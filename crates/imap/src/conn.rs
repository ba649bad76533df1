//! The tokio driver of one connection: TLS (implicit or after STARTTLS),
//! command framing with literal limits, the AUTHENTICATE and IDLE
//! sub-dialogues, timeouts and the shutdown BYE. Protocol decisions are the
//! session's.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use imap_codec::fragmentizer::{DecodeMessageError, FragmentInfo, Fragmentizer};
use imap_codec::imap_types::IntoStatic;
use imap_codec::imap_types::auth::AuthenticateData;
use imap_codec::imap_types::core::LiteralMode;
use imap_codec::{AuthenticateDataCodec, CommandCodec, IdleDoneCodec};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::compress::Deflate;
use crate::session::{Action, Session};
use crate::{Shared, TlsMode, shutdown_signal};

/// Bytes of a command line (without its literals) accepted on top of the
/// literal limit.
const MAX_LINE: u32 = 64 * 1024;

/// Messages larger than this make the connection drop its framing buffer
/// afterwards, so that an idle connection does not keep an APPEND's worth
/// of memory.
const SHRINK_AFTER: usize = 256 * 1024;

/// Read chunk size: small, because idle connections hold it.
const READ_CHUNK: usize = 4096;

/// Output is written to the socket once this much is buffered (large
/// FETCH responses stream instead of piling up).
pub(crate) const FLUSH_AT: usize = 64 * 1024;

/// Runs one connection to its end.
pub(crate) async fn run(
    shared: Arc<Shared>,
    stream: TcpStream,
    peer: SocketAddr,
    mode: TlsMode,
    shutdown: watch::Receiver<bool>,
) -> io::Result<()> {
    let mut session = Session::new(shared.clone(), peer, mode == TlsMode::Implicit);
    let acceptor = shared.config.tls.clone().map(TlsAcceptor::from);
    match (mode, acceptor) {
        (TlsMode::Implicit, Some(acceptor)) => {
            let tls = tokio::time::timeout(shared.config.login_timeout, acceptor.accept(stream))
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "TLS handshake timed out"))??;
            finish(&mut session, tls, shutdown, true).await
        }
        (TlsMode::Implicit, None) => Err(io::Error::new(io::ErrorKind::InvalidInput, "no TLS configuration")),
        (TlsMode::StartTls, acceptor) => match drive(&mut session, stream, shutdown.clone(), true).await? {
            Outcome::StartTls(plain) => {
                let Some(acceptor) = acceptor else { return Ok(()) };
                let tls = tokio::time::timeout(shared.config.login_timeout, acceptor.accept(plain))
                    .await
                    .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "TLS handshake timed out"))??;
                session.set_tls();
                finish(&mut session, tls, shutdown, false).await
            }
            Outcome::Compress(plain) => {
                drive(&mut session, Deflate::new(plain), shutdown, false).await?;
                Ok(())
            }
            Outcome::Closed => Ok(()),
        },
    }
}

/// Runs a connection whose TLS state is final; COMPRESS may still wrap it.
async fn finish<S>(session: &mut Session, io: S, shutdown: watch::Receiver<bool>, greet: bool) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    if let Outcome::Compress(io) = drive(session, io, shutdown.clone(), greet).await? {
        drive(session, Deflate::new(io), shutdown, false).await?;
    }
    Ok(())
}

/// How [`drive`] ended.
pub(crate) enum Outcome<S> {
    Closed,
    StartTls(S),
    Compress(S),
}

/// What the next complete message is.
enum Expect {
    Command,
    AuthData { tag: String },
}

/// The output buffer of a connection with its socket, so that long
/// responses can be written out while they are produced.
pub(crate) struct Output<'a> {
    pub(crate) buf: Vec<u8>,
    io: &'a mut (dyn AsyncWrite + Unpin + Send),
}

impl Output<'_> {
    /// Writes the buffer out when it is large.
    pub(crate) async fn maybe_flush(&mut self) -> io::Result<()> {
        if self.buf.len() >= FLUSH_AT { self.flush().await } else { Ok(()) }
    }

    /// Writes the buffer out.
    pub(crate) async fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.io.write_all(&self.buf).await?;
            self.buf.clear();
            // Idle connections should not keep a large response's buffer.
            if self.buf.capacity() > 16 * 1024 {
                self.buf = Vec::new();
            }
        }
        self.io.flush().await
    }
}

pub(crate) async fn drive<S>(
    session: &mut Session,
    mut io: S,
    mut shutdown: watch::Receiver<bool>,
    greet: bool,
) -> io::Result<Outcome<S>>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let config = session.config().clone();
    let max_literal = config.max_literal;
    let mut frag = Fragmentizer::new(max_literal.saturating_add(MAX_LINE));
    let mut chunk = vec![0u8; READ_CHUNK];
    let mut expect = Expect::Command;
    // Set after a large message (APPEND): the fragmentizer keeps its
    // buffer's capacity, so it is replaced once it holds nothing.
    let mut oversized = false;
    // Literal bytes announced in the current message: what is beyond them
    // (plus MAX_LINE) in the message buffer is an over-long line.
    let mut announced: usize = 0;
    let (mut reader, mut writer) = tokio::io::split(&mut io);
    let mut out = Output { buf: Vec::new(), io: &mut writer };
    if greet {
        session.greeting(&mut out.buf);
    }
    loop {
        match frag.progress() {
            None => {
                out.flush().await?;
                // At `None` every received byte is in the message buffer;
                // an empty one means nothing is lost by starting afresh.
                if oversized && frag.message_bytes().is_empty() {
                    frag = Fragmentizer::new(max_literal.saturating_add(MAX_LINE));
                    oversized = false;
                }
                if frag.message_bytes().len() > announced.saturating_add(MAX_LINE as usize) {
                    // No line end in sight: resynchronising would mean
                    // guessing where the next command starts.
                    out.buf.extend_from_slice(b"* BYE Command line too long\r\n");
                    out.flush().await?;
                    linger(&mut out, &mut reader, &mut chunk).await;
                    return Ok(Outcome::Closed);
                }
                let timeout = if session.authenticated() { config.command_timeout } else { config.login_timeout };
                tokio::select! {
                    n = reader.read(&mut chunk) => {
                        let n = n?;
                        if n == 0 {
                            return Ok(Outcome::Closed);
                        }
                        frag.enqueue_bytes(&chunk[..n]);
                    }
                    () = shutdown_signal(&mut shutdown) => {
                        out.buf.extend_from_slice(b"* BYE [UNAVAILABLE] Server shutting down\r\n");
                        out.flush().await?;
                        return Ok(Outcome::Closed);
                    }
                    () = tokio::time::sleep(timeout) => {
                        out.buf.extend_from_slice(b"* BYE Autologout; idle for too long\r\n");
                        out.flush().await?;
                        return Ok(Outcome::Closed);
                    }
                }
                continue;
            }
            Some(FragmentInfo::Line { announcement: Some(ann), .. }) => {
                announced = announced.saturating_add(ann.length as usize);
                if ann.length > max_literal {
                    let tag = frag.decode_tag().map(|t| t.inner().to_owned()).unwrap_or_else(|| "*".into());
                    match ann.mode {
                        LiteralMode::Sync => {
                            // RFC 7888 §4 / RFC 9051 §7.1: refuse instead of `+`; the
                            // client then sends nothing of the literal.
                            session.count_error();
                            out.buf.extend_from_slice(
                                format!(
                                    "{tag} NO [TOOBIG] Literal of {} bytes exceeds the limit of {max_literal}\r\n",
                                    ann.length
                                )
                                .as_bytes(),
                            );
                            frag.skip_message();
                            announced = 0;
                        }
                        LiteralMode::NonSync => {
                            // RFC 7888 §4: a refused non-synchronising literal is on
                            // its way already; closing is the safe answer.
                            out.buf.extend_from_slice(
                                format!(
                                    "* BYE [TOOBIG] Literal of {} bytes exceeds the limit of {max_literal}\r\n",
                                    ann.length
                                )
                                .as_bytes(),
                            );
                            out.flush().await?;
                            linger(&mut out, &mut reader, &mut chunk).await;
                            return Ok(Outcome::Closed);
                        }
                    }
                } else if ann.mode == LiteralMode::Sync {
                    out.buf.extend_from_slice(b"+ Ready for literal data\r\n");
                    out.flush().await?;
                }
                continue;
            }
            Some(_) => {
                if !frag.is_message_complete() {
                    continue;
                }
            }
        }
        // A complete message.
        oversized |= frag.message_bytes().len() > SHRINK_AFTER;
        announced = 0;
        let action = match expect {
            // The LIST-EXTENDED and ESEARCH forms imap-codec cannot parse.
            Expect::Command if let Some(ext) = crate::ext::recognise(frag.message_bytes()) => {
                Box::pin(session.handle_ext(ext, &mut out)).await?
            }
            Expect::Command => match frag.decode_message(&CommandCodec::default()) {
                Ok(command) => {
                    let command = command.into_static();
                    // Boxed: the command's future is large and lives only
                    // while it runs; an idle connection's task stays small.
                    Box::pin(session.handle(command, &mut out)).await?
                }
                Err(e) => {
                    let tag = frag.decode_tag().map(|t| t.inner().to_owned());
                    let why = match e {
                        DecodeMessageError::MessageTooLong { .. } => "Command line too long",
                        _ => "Syntax error",
                    };
                    session.bad(tag.as_deref(), why, &mut out.buf);
                    Action::Continue
                }
            },
            Expect::AuthData { ref tag } => {
                let tag = tag.clone();
                expect = Expect::Command;
                match frag.decode_message(&AuthenticateDataCodec::default()) {
                    Ok(AuthenticateData::Continue(data)) => {
                        let data = data.declassify().to_vec();
                        Box::pin(session.finish_plain(&tag, &data, &mut out.buf)).await
                    }
                    Ok(AuthenticateData::Cancel) => {
                        session.bad(Some(&tag), "AUTHENTICATE cancelled", &mut out.buf);
                        Action::Continue
                    }
                    Err(_) => {
                        session.bad(Some(&tag), "Bad base64 in AUTHENTICATE", &mut out.buf);
                        Action::Continue
                    }
                }
            }
        };
        match action {
            Action::Continue => {}
            Action::Logout => {
                out.flush().await?;
                let _ = out.io.shutdown().await;
                return Ok(Outcome::Closed);
            }
            Action::StartTls => {
                // RFC 9051 §6.2.1: whatever the client pipelined after
                // STARTTLS is discarded (command injection defence).
                out.flush().await?;
                drop(out);
                drop(reader);
                drop(writer);
                return Ok(Outcome::StartTls(io));
            }
            Action::Compress => {
                // RFC 4978 §3: compression starts right after the OK; the
                // client waits for it, so nothing compressed is buffered.
                out.flush().await?;
                drop(out);
                drop(reader);
                drop(writer);
                return Ok(Outcome::Compress(io));
            }
            Action::AuthContinue { tag } => {
                out.buf.extend_from_slice(b"+ \r\n");
                expect = Expect::AuthData { tag };
            }
            Action::Idle { tag } => {
                out.buf.extend_from_slice(b"+ idling\r\n");
                out.flush().await?;
                let config = session.config().clone();
                // An idling client sends only DONE: the connection holds no
                // read chunk nor output buffer while it waits.
                drop(std::mem::take(&mut chunk));
                out.buf = Vec::new();
                let done = idle(session, &mut frag, &mut reader, &mut out, &mut shutdown, config.idle_timeout).await;
                chunk = vec![0u8; READ_CHUNK];
                let done = done?;
                match done {
                    IdleEnd::Done => {
                        Box::pin(session.idle_done(&tag, &mut out)).await?;
                    }
                    IdleEnd::Bad => session.bad(Some(&tag), "Expected DONE", &mut out.buf),
                    IdleEnd::Close(bye) => {
                        out.buf.extend_from_slice(bye.as_bytes());
                        out.flush().await?;
                        return Ok(Outcome::Closed);
                    }
                }
            }
        }
    }
}

/// Closes after a BYE the client may not read yet because it is still
/// sending: half-close, then swallow its bytes for a moment, so that the
/// kernel does not answer them with a reset that destroys the BYE.
async fn linger<R: AsyncRead + Unpin>(out: &mut Output<'_>, reader: &mut R, chunk: &mut [u8]) {
    let _ = out.io.shutdown().await;
    let swallow = async {
        let mut total = 0usize;
        while total < 16 * 1024 * 1024 {
            match reader.read(chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), swallow).await;
}

enum IdleEnd {
    Done,
    Bad,
    Close(&'static str),
}

/// RFC 2177 IDLE: pushes the folder's changes as they happen until the
/// client says DONE.
async fn idle<R>(
    session: &mut Session,
    frag: &mut Fragmentizer,
    reader: &mut R,
    out: &mut Output<'_>,
    shutdown: &mut watch::Receiver<bool>,
    timeout: Duration,
) -> io::Result<IdleEnd>
where
    R: AsyncRead + Unpin,
{
    let deadline = tokio::time::Instant::now() + timeout;
    // `DONE\r\n`, or a few more pipelined bytes: read in small steps.
    let mut chunk = [0u8; 64];
    loop {
        // Bytes already buffered (a client that sent DONE right away).
        while let Some(info) = frag.progress() {
            if let FragmentInfo::Line { announcement: Some(_), .. } = info {
                return Ok(IdleEnd::Close("* BYE Literal in IDLE\r\n"));
            }
            if frag.is_message_complete() {
                return Ok(match frag.decode_message(&IdleDoneCodec::default()) {
                    Ok(_) => IdleEnd::Done,
                    Err(_) => IdleEnd::Bad,
                });
            }
        }
        session.push_changes(&mut out.buf).await;
        out.flush().await?;
        session.claim_new(&mut out.buf).await;
        out.flush().await?;
        if out.buf.capacity() > 0 {
            out.buf = Vec::new();
        }
        tokio::select! {
            n = reader.read(&mut chunk) => {
                let n = n?;
                if n == 0 {
                    return Ok(IdleEnd::Close(""));
                }
                frag.enqueue_bytes(&chunk[..n]);
            }
            () = session.wait_change() => {}
            () = shutdown_signal(shutdown) => {
                return Ok(IdleEnd::Close("* BYE [UNAVAILABLE] Server shutting down\r\n"));
            }
            () = tokio::time::sleep_until(deadline) => {
                return Ok(IdleEnd::Close("* BYE Autologout; idle for too long\r\n"));
            }
        }
    }
}

impl Session {
    pub(crate) fn count_error(&self) {
        self.shared().counters.errors.fetch_add(1, Ordering::Relaxed);
    }
}
