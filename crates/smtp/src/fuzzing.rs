//! Entry point shared by the `smtp_session` fuzz target in `fuzz/` and by
//! the corpus replay test (`tests/fuzz_corpus.rs`), so CI runs every saved
//! input through exactly the code the fuzzer exercised.
//!
//! The sans-IO [`Session`] is driven the way the tokio driver drives it,
//! with an in-crate fake backend instead of sockets and a mailbox: one user
//! (`a@b`, password `c`) can log in, submissions are accepted or refused as
//! the input says, STARTTLS "succeeds" at once. Panics here are either a bug
//! in the session or a broken protocol invariant.

use std::sync::Arc;
use std::time::{Duration, Instant};

use smtp_proto::Response;

use crate::limits::{AuthThrottle, RateLimit};
use crate::message::{Trace, prepare};
use crate::session::{Event, Policy, Session, SessionConfig};

/// Largest message the fuzzed session accepts: small, so the fuzzer reaches
/// the limit.
const MAX_MESSAGE_SIZE: usize = 2048;

/// Input layout: byte 0 is the read size (0: everything in one read),
/// byte 1 flags (bit 0: TLS from the start, bit 1: STARTTLS available,
/// bit 2: AUTH allowed without TLS, bit 3: the backend refuses
/// submissions), the rest the client's bytes.
pub fn session(data: &[u8]) {
    let [step, flags, client @ ..] = data else { return };
    let step = if *step == 0 { client.len().max(1) } else { usize::from(*step) };
    let config = Arc::new(SessionConfig {
        hostname: "mx.test".into(),
        max_message_size: MAX_MESSAGE_SIZE,
        max_line_length: 512,
        max_recipients: 4,
        starttls_available: flags & 2 != 0,
        plaintext_auth: flags & 4 != 0,
    });
    let refuse = flags & 8 != 0;
    let policy =
        Policy { rate: RateLimit::new(Some(1000)), auth_throttle: AuthThrottle::new(3, Duration::from_secs(60)) };
    let mut session = Session::new(config, Arc::default(), [127, 0, 0, 1].into(), flags & 1 != 0);
    session.greet();
    let mut output = Vec::new();
    let mut fed = 0;
    'reads: for read in client.chunks(step) {
        session.feed(read);
        fed += read.len();
        loop {
            let event = session.poll(Instant::now(), &policy);
            output.append(session.output());
            match event {
                Event::NeedInput => break,
                Event::Close => break 'reads,
                Event::Authenticate { user, password } => {
                    let outcome = if user == "a@b" && password.expose() == "c" {
                        Ok(user)
                    } else {
                        policy.auth_throttle.failed([127, 0, 0, 1].into(), Instant::now());
                        Err(Response::new(535, 5, 7, 8, "Authentication credentials invalid".to_owned()))
                    };
                    session.authenticated(outcome);
                }
                Event::Submit(envelope) => {
                    let consumed = &client[..fed - session.pending_input()];
                    assert_submission_complete(consumed);
                    let Some(user) = session.user().map(str::to_owned) else { panic!("submitted without AUTH") };
                    assert!(!envelope.recipients.is_empty(), "submitted without recipients");
                    assert!(envelope.message.len() <= MAX_MESSAGE_SIZE, "submitted {} octets", envelope.message.len());
                    let trace = Trace {
                        helo: session.helo(),
                        peer: [127, 0, 0, 1].into(),
                        hostname: "mx.test",
                        tls: session.is_tls(),
                        session_id: "fuzz",
                        unix_time: 0,
                    };
                    let prepared = prepare(&envelope.message, &user, &envelope.recipients, &trace);
                    assert!(!prepared.message_id.is_empty());
                    let reply = if refuse {
                        Response::new(451, 4, 3, 0, "Backend unavailable".to_owned())
                    } else {
                        Response::new(250, 2, 0, 0, "Queued".to_owned())
                    };
                    session.submitted(&reply);
                }
                Event::StartTls => session.tls_started(),
            }
        }
    }
    assert_replies_well_formed(&output);
}

/// The session handed a message over only right after a complete body: the
/// DATA terminator `CRLF . CRLF` (RFC 5321 §4.1.1.4) or the last octet of a
/// `BDAT n LAST` chunk (RFC 3030 §2).
fn assert_submission_complete(consumed: &[u8]) {
    if consumed.ends_with(b"\n.\r\n") {
        return;
    }
    let lower = consumed.to_ascii_lowercase();
    let ends_last_chunk = (0..lower.len())
        .filter(|&at| lower[at] == b'b')
        .any(|at| bdat_last_end(&lower[at..]).is_some_and(|end| at + end == consumed.len()));
    assert!(ends_last_chunk, "submitted before the end of the message: {:?}", String::from_utf8_lossy(consumed));
}

/// Where the chunk of a `BDAT n LAST` line at the start of `text` (in
/// lower case) ends. smtp-proto's tokenizer skips CRs inside the line and
/// ignores what follows `LAST` up to the line end (lenient, but the chunk
/// is still framed by its announced size), so neither is checked here.
fn bdat_last_end(text: &[u8]) -> Option<usize> {
    let line_end = text.iter().position(|&b| b == b'\n')?;
    let line: Vec<u8> = text[..line_end].iter().copied().filter(|&b| b != b'\r').collect();
    let rest = line.strip_prefix(b"bdat")?.trim_ascii_start();
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let size: usize = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    if !rest[digits..].trim_ascii_start().starts_with(b"last") {
        return None;
    }
    (line_end + 1).checked_add(size)
}

/// RFC 5321 §4.2: every reply line is `ddd SP text CRLF` or, inside a
/// multiline reply, `ddd - text CRLF` with the same code throughout.
fn assert_replies_well_formed(output: &[u8]) {
    let mut continued: Option<&[u8]> = None;
    let mut rest = output;
    while !rest.is_empty() {
        let Some(end) = rest.windows(2).position(|w| w == b"\r\n") else {
            panic!("reply line without CRLF: {:?}", String::from_utf8_lossy(rest))
        };
        let end = end + 2;
        let (line, tail) = rest.split_at(end);
        rest = tail;
        let text = &line[..line.len() - 2];
        assert!(!text.contains(&b'\n') && !text.contains(&b'\r'), "bare CR or LF in reply {line:?}");
        let [b'2'..=b'5', b'0'..=b'9', b'0'..=b'9', sep @ (b' ' | b'-'), ..] = text else {
            panic!("malformed reply line {:?}", String::from_utf8_lossy(line));
        };
        if let Some(code) = continued {
            assert_eq!(code, &text[..3], "multiline reply changes its code");
        }
        continued = (*sep == b'-').then_some(&text[..3]);
    }
    assert!(continued.is_none(), "multiline reply left unfinished");
}
