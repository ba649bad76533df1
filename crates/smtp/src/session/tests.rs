//! The protocol core without sockets: framing does not depend on how the
//! bytes are split into reads, and memory stays bounded by the limits.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::*;

fn config(max_message_size: usize) -> Arc<SessionConfig> {
    Arc::new(SessionConfig {
        hostname: "mx.test".into(),
        max_message_size,
        max_line_length: 512,
        max_recipients: 10,
        starttls_available: false,
        plaintext_auth: true,
    })
}

fn policy() -> Policy {
    Policy { rate: RateLimit::new(None), auth_throttle: AuthThrottle::new(5, Duration::from_secs(60)) }
}

/// A session that is past EHLO and AUTH.
fn logged_in(max_message_size: usize) -> Session {
    let mut s = Session::new(config(max_message_size), Arc::default(), [127, 0, 0, 1].into(), false);
    s.greet();
    s.feed(b"EHLO c\r\nAUTH PLAIN AGFAYgBj\r\n");
    let event = s.poll(Instant::now(), &policy());
    assert_eq!(event, Event::Authenticate { user: "a@b".into(), password: Secret("c".into()) });
    s.authenticated(Ok("a@b".into()));
    s.output.clear();
    s
}

/// Feeds `input` in the given pieces; returns the submitted envelopes (each
/// answered 250) and the output.
fn run(mut s: Session, pieces: &[&[u8]]) -> (Vec<Envelope>, String) {
    let mut submitted = Vec::new();
    for piece in pieces {
        s.feed(piece);
        loop {
            match s.poll(Instant::now(), &policy()) {
                Event::NeedInput | Event::Close => break,
                Event::Submit(e) => {
                    submitted.push(e);
                    s.submitted(&Response::new(250, 2, 0, 0, "queued".to_owned()));
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    (submitted, String::from_utf8(s.output).unwrap())
}

const TRANSCRIPT: &[u8] = b"MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n..dot\r\nline\r\n.\r\n\
MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nBDAT 7\r\n.\r\nx\r\nyBDAT 3 LAST\r\nendQUIT\r\n";

proptest! {
    #[test]
    fn replies_and_messages_do_not_depend_on_read_boundaries(cuts in proptest::collection::vec(0..TRANSCRIPT.len(), 0..8)) {
        let (whole, out_whole) = run(logged_in(1000), &[TRANSCRIPT]);
        let mut cuts = cuts;
        cuts.sort_unstable();
        let mut pieces = Vec::new();
        let mut at = 0;
        for c in cuts {
            pieces.push(&TRANSCRIPT[at..c]);
            at = c;
        }
        pieces.push(&TRANSCRIPT[at..]);
        let (split, out_split) = run(logged_in(1000), &pieces);
        prop_assert_eq!(&whole, &split);
        prop_assert_eq!(out_whole, out_split);
    }
}

#[test]
fn data_and_bdat_bodies_are_framed_exactly() {
    let (got, out) = run(logged_in(1000), &[TRANSCRIPT]);
    assert_eq!(got.len(), 2, "{out}");
    assert_eq!(got[0].message, b".dot\r\nline\r\n");
    assert_eq!(got[1].message, b".\r\nx\r\nyend");
    assert!(out.ends_with("250 2.0.0 queued\r\n221 2.0.0 mx.test closing connection\r\n"), "{out}");
}

#[test]
fn an_oversized_data_body_is_never_held_beyond_the_limit() {
    let limit = 4096;
    let mut s = logged_in(limit);
    s.feed(b"MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n");
    assert_eq!(s.poll(Instant::now(), &policy()), Event::NeedInput);
    let chunk = vec![b'x'; 1000];
    for _ in 0..1000 {
        s.feed(&chunk);
        assert_eq!(s.poll(Instant::now(), &policy()), Event::NeedInput);
        let held = s.transaction.as_ref().map_or(0, |t| t.message.capacity()) + s.input.capacity();
        assert!(held <= 4 * limit + chunk.len() * 2, "holding {held} bytes");
    }
    s.feed(b"\r\n.\r\nNOOP\r\n");
    assert_eq!(s.poll(Instant::now(), &policy()), Event::NeedInput);
    let out = String::from_utf8(s.output).unwrap();
    assert!(out.ends_with("552 5.3.4 Message exceeds the limit of 4096 octets\r\n250 2.0.0 OK\r\n"), "{out}");
}

#[test]
fn an_endless_command_line_is_dropped_while_it_arrives() {
    let mut s = logged_in(1000);
    for _ in 0..100 {
        s.feed(&[b'a'; 1000]);
        assert_eq!(s.poll(Instant::now(), &policy()), Event::NeedInput);
        assert!(s.input.len() < 1512, "input held: {}", s.input.len());
    }
    s.feed(b"\r\nNOOP\r\n");
    assert_eq!(s.poll(Instant::now(), &policy()), Event::NeedInput);
    assert_eq!(String::from_utf8(s.output).unwrap(), "500 5.5.2 Line too long\r\n250 2.0.0 OK\r\n");
}

#[test]
fn shutdown_waits_for_the_message_being_read() {
    let mut s = logged_in(1000);
    s.feed(b"MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nhalf");
    assert_eq!(s.poll(Instant::now(), &policy()), Event::NeedInput);
    assert!(!s.shutdown(), "busy with a message");
    s.feed(b"\r\n.\r\n");
    assert!(matches!(s.poll(Instant::now(), &policy()), Event::Submit(_)));
    s.submitted(&Response::new(250, 2, 0, 0, "queued".to_owned()));
    assert_eq!(s.poll(Instant::now(), &policy()), Event::Close);
    let out = String::from_utf8(s.output).unwrap();
    assert!(out.ends_with("250 2.0.0 queued\r\n421 4.3.2 mx.test Service shutting down, try again later\r\n"), "{out}");
}

#[test]
fn only_a_line_of_exactly_a_dot_ends_data() {
    // Found by the smtp_session fuzz target: smtp-proto's receiver ended the
    // message at "CRLF . CR CR LF" and read the rest as commands.
    let body: &[u8] =
        b"MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\na\r\n.\r\r\nRSET\r\nb\n.\nc\r.\r\n..\r\n.x\r\n.\r\nNOOP\r\n";
    let whole = run(logged_in(1000), &[body]);
    let bytewise = run(logged_in(1000), &body.chunks(1).collect::<Vec<_>>());
    assert_eq!(whole, bytewise);
    let (got, out) = whole;
    assert_eq!(got.len(), 1, "{out}");
    assert_eq!(got[0].message, b"a\r\n\r\r\nRSET\r\nb\n.\nc\r.\r\n.\r\nx\r\n");
    assert!(out.ends_with("250 2.0.0 queued\r\n250 2.0.0 OK\r\n"), "{out}");
}

#[test]
fn an_empty_message_and_a_stuffed_first_line() {
    let (got, _) = run(logged_in(1000), &[b"MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n.\r\n"]);
    assert_eq!(got[0].message, b"");
    let (got, _) = run(logged_in(1000), &[b"MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n..\r\n.\r\n"]);
    assert_eq!(got[0].message, b".\r\n");
}
