//! Entry point shared by the `imap_commands` fuzz target in `fuzz/` and by
//! the corpus replay test (`tests/fuzz_corpus.rs`), so CI runs every saved
//! input through exactly the code the fuzzer exercised.
//!
//! The whole command path of a connection runs: the driver's framing with
//! its literal limit, imap-codec's decoding, AUTHENTICATE and IDLE
//! sub-dialogues, COMPRESS, and the session over a `mailbox::MemoryAccount`
//! with a small seeded INBOX, through an in-memory duplex stream on one
//! current-thread runtime. Panics here are either a bug or a broken
//! protocol invariant.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use mailbox::{MemoryAccount, MemoryConfig, MemoryProvider, Timestamp};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::runtime::Runtime;

use crate::compress::Deflate;
use crate::conn::{Outcome, drive};
use crate::session::Session;
use crate::{Counters, ImapConfig, PlaintextLogin, Shared, Throttle};

/// The literal limit of the fuzzed server: small, so the fuzzer reaches it.
pub const MAX_LITERAL: u32 = 4096;

/// The user the fuzzed server knows (`LOGIN a@b c`).
pub const USER: &str = "a@b";
/// Its password.
pub const PASSWORD: &str = "c";

/// One runtime for the whole process. Each input gets a mailbox and an
/// in-memory state store of its own, so inputs do not see each other and
/// memory does not grow with the run (the SQLite store's synced writes held
/// the target to ~30 inputs a second: each mailbox opens a dozen folders).
fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("fuzz runtime: {e}"))
    })
}

/// Input layout: byte 0 is the size of the client's writes (0: everything
/// at once), byte 1 flags (bit 0: the connection is under TLS, bit 1:
/// plaintext login allowed without TLS), the rest the client's bytes.
pub fn commands(data: &[u8]) {
    let [step, flags, client @ ..] = data else { return };
    let step = if *step == 0 { client.len().max(1) } else { usize::from(*step) };
    let (input, output) = runtime().block_on(async {
        let store = Arc::new(state::MemoryStore::new());
        let account = MemoryAccount::new(USER, store, MemoryConfig::default())
            .await
            .unwrap_or_else(|e| panic!("fuzz mailbox: {e}"));
        seed(&account).await;
        let provider = MemoryProvider::new();
        provider.add_user(USER, PASSWORD, account);
        let config = ImapConfig {
            allow_plaintext_login: if flags & 2 != 0 { PlaintextLogin::Always } else { PlaintextLogin::Never },
            max_literal: MAX_LITERAL,
            login_failure_delay: Duration::ZERO,
            ..ImapConfig::default()
        };
        let shared = Arc::new(Shared {
            config,
            provider: Arc::new(provider),
            counters: Counters::default(),
            throttle: Throttle::default(),
        });
        let peer = SocketAddr::from(([127, 0, 0, 1], 40000));
        let mut session = Session::new(shared, peer, flags & 1 != 0);
        let (server_end, client_end) = tokio::io::duplex(64 * 1024);
        let log = Arc::new(Mutex::new(Log::default()));
        let (_stop, shutdown) = tokio::sync::watch::channel(false);
        let server = async {
            let io = Recorder { inner: server_end, log: log.clone() };
            // The driver's own error (a corrupt deflate stream) ends the
            // connection; that is not what is checked here.
            if let Ok(Outcome::Compress(io)) = drive(&mut session, io, shutdown.clone(), true).await {
                let io = Recorder { inner: Deflate::new(io.inner), log: log.clone() };
                let _ = drive(&mut session, io, shutdown, false).await;
            }
        };
        let (mut reader, mut writer) = tokio::io::split(client_end);
        let client = async {
            for write in client.chunks(step) {
                if writer.write_all(write).await.is_err() {
                    break;
                }
                tokio::task::yield_now().await;
            }
            let _ = writer.shutdown().await;
        };
        let drain = async {
            let mut sink = vec![0u8; 16 * 1024];
            while matches!(reader.read(&mut sink).await, Ok(n) if n > 0) {}
        };
        let server = async {
            server.await;
        };
        tokio::join!(server, client, drain);
        let log = std::mem::take(&mut *log.lock().unwrap_or_else(|e| e.into_inner()));
        (log.input, log.output)
    });
    check_output(&input, &output);
}

async fn seed(account: &MemoryAccount) {
    let messages = [
        "From: Bob <bob@example.com>\r\nTo: a@b\r\nSubject: Hello\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n\r\nHi there.\r\n",
        "From: carol@example.com\r\nTo: a@b\r\nSubject: =?utf-8?q?R=C3=A9union?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAgenda\r\n--b\r\nContent-Type: application/octet-stream; name=\"a.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--b--\r\n",
        "From: dave@example.com\r\nSubject: third\r\n\r\nx\r\n",
    ];
    let batch = messages
        .iter()
        .enumerate()
        .map(|(i, m)| (m.as_bytes().to_vec(), Timestamp(1_795_737_600 + i as i64 * 60)))
        .collect();
    account.deliver("Inbox", batch).await.unwrap_or_else(|e| panic!("fuzz seed: {e}"));
}

/// What crossed the connection, as the session saw it (inside COMPRESS).
#[derive(Default)]
struct Log {
    input: Vec<u8>,
    output: Vec<u8>,
}

/// Records the plaintext bytes read and written.
struct Recorder<S> {
    inner: S,
    log: Arc<Mutex<Log>>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Recorder<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = poll {
            self.log.lock().unwrap_or_else(|e| e.into_inner()).input.extend_from_slice(&buf.filled()[before..]);
        }
        poll
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recorder<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = poll {
            self.log.lock().unwrap_or_else(|e| e.into_inner()).output.extend_from_slice(&buf[..n]);
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// RFC 9051 §2.2.2 / §7: every response line ends in CRLF (literals in
/// responses are skipped by their announced length); a tagged response
/// carries the tag of a command the client sent; a continuation request
/// for a literal (`+ Ready for literal data`) is only ever sent for a
/// synchronising literal within the limit.
fn check_output(input: &[u8], output: &[u8]) {
    let tags = sent_tags(input);
    let mut continuations = 0;
    let mut rest = output;
    while !rest.is_empty() {
        let line = response_line(rest);
        rest = &rest[line.len()..];
        if line.starts_with(b"* ") {
            continue;
        }
        if line.starts_with(b"+ ") {
            continuations += usize::from(line == b"+ Ready for literal data\r\n");
            continue;
        }
        let tag = line.split(|&b| b == b' ').next().unwrap_or_default();
        assert!(tags.contains(&tag), "response with a tag the client never sent: {:?}", String::from_utf8_lossy(line));
    }
    let allowed = sync_literals_within_limit(input);
    assert!(continuations <= allowed, "{continuations} literal continuations for {allowed} acceptable literals");
}

/// One response line, CRLF included, with the literals it announces.
fn response_line(output: &[u8]) -> &[u8] {
    let mut at = 0;
    loop {
        let Some(lf) = output[at..].iter().position(|&b| b == b'\n') else {
            panic!("response not terminated by CRLF: {:?}", String::from_utf8_lossy(output));
        };
        let end = at + lf + 1;
        assert!(
            end >= 2 && output[end - 2] == b'\r',
            "bare LF in response: {:?}",
            String::from_utf8_lossy(&output[..end])
        );
        match literal_length(&output[..end - 2]) {
            Some(len) => {
                at = end + len;
                assert!(at <= output.len(), "literal of {len} bytes cut short");
            }
            None => return &output[..end],
        }
    }
}

/// The length of the literal `{n}` (or `~{n}`) a line ends with.
fn literal_length(line: &[u8]) -> Option<usize> {
    let body = line.strip_suffix(b"}")?;
    let open = body.iter().rposition(|&b| b == b'{')?;
    let digits = &body[open + 1..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// The tags a client could have meant: the run of tag characters at the
/// start of every line it sent (RFC 9051 §9 `tag`).
fn sent_tags(input: &[u8]) -> Vec<&[u8]> {
    let is_tag_char = |b: &u8| b.is_ascii_graphic() && !b"(){%*\"\\+".contains(b);
    let starts = std::iter::once(0).chain(input.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1));
    starts
        .map(|s| {
            let len = input[s..].iter().take_while(|b| is_tag_char(b)).count();
            &input[s..s + len]
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// Synchronising literal announcements `{n}` CRLF with `n` within the limit.
fn sync_literals_within_limit(input: &[u8]) -> usize {
    let mut count = 0;
    for (lf, _) in input.iter().enumerate().filter(|(_, b)| **b == b'\n') {
        let line = input[..lf].strip_suffix(b"\r").unwrap_or(&input[..lf]);
        if line.ends_with(b"+}") {
            continue;
        }
        if literal_length(line).is_some_and(|n| n <= MAX_LITERAL as usize) {
            count += 1;
        }
    }
    count
}
