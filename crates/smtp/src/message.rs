//! What the gateway changes in a submitted message before the backend sees
//! it, working on the raw header block so that everything else reaches the
//! backend byte for byte:
//!
//! * a `Received` trace field is prepended (RFC 5321 §4.4);
//! * `Bcc` fields are removed: blind recipients come only from the envelope
//!   (RFC 6409 §8.1 lets a submission server remove them; RFC 5322 §3.6.3);
//! * a missing `Message-ID` is added (RFC 6409 §8.3).

use std::net::IpAddr;

use sha2::{Digest, Sha256};

/// The trace data of the session that received the message.
#[derive(Debug, Clone)]
pub(crate) struct Trace<'a> {
    /// The name the client gave in EHLO/HELO.
    pub(crate) helo: &'a str,
    /// The client's address.
    pub(crate) peer: IpAddr,
    /// Our host name.
    pub(crate) hostname: &'a str,
    /// Whether the session is protected by TLS.
    pub(crate) tls: bool,
    /// The session's id (as in our logs).
    pub(crate) session_id: &'a str,
    /// Seconds since the Unix epoch.
    pub(crate) unix_time: i64,
}

/// A message ready for submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prepared {
    /// The message as it goes to the backend.
    pub(crate) mime: Vec<u8>,
    /// Its Message-ID (the client's, or the one added).
    pub(crate) message_id: String,
}

/// Prepares `raw` (the message as received, dot-unstuffed) for submission
/// by `user` to `recipients`.
pub(crate) fn prepare(raw: &[u8], user: &str, recipients: &[String], trace: &Trace<'_>) -> Prepared {
    let (header, body) = split_header(raw);
    let mut kept: Vec<&[u8]> = Vec::new();
    let mut message_id = None;
    for field in fields(header) {
        let name = field_name(field);
        if name.eq_ignore_ascii_case(b"bcc") {
            continue;
        }
        if message_id.is_none() && name.eq_ignore_ascii_case(b"message-id") {
            message_id = Some(unfolded_value(field)).filter(|v| !v.is_empty());
        }
        kept.push(field);
    }
    let mut mime = Vec::with_capacity(raw.len() + 256);
    mime.extend_from_slice(received(trace).as_bytes());
    let message_id = match message_id {
        Some(id) => id,
        None => {
            let id = derived_message_id(raw, user, recipients, trace.hostname);
            mime.extend_from_slice(format!("Message-ID: {id}\r\n").as_bytes());
            id
        }
    };
    for field in kept {
        mime.extend_from_slice(field);
    }
    mime.extend_from_slice(body);
    Prepared { mime, message_id }
}

/// Splits at the empty line ending the header block (RFC 5322 §2.1); the
/// body part starts with that empty line. A message without one is all
/// header.
fn split_header(raw: &[u8]) -> (&[u8], &[u8]) {
    let mut pos = 0;
    while pos < raw.len() {
        let line_end = raw[pos..].iter().position(|&b| b == b'\n').map_or(raw.len(), |i| pos + i + 1);
        let line = &raw[pos..line_end];
        if line == b"\r\n" || line == b"\n" {
            return raw.split_at(pos);
        }
        pos = line_end;
    }
    (raw, &[])
}

/// The header fields, each with its continuation lines and line ending
/// (RFC 5322 §2.2.3 folding).
fn fields(header: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = header;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut end = 0;
        loop {
            end = rest[end..].iter().position(|&b| b == b'\n').map_or(rest.len(), |i| end + i + 1);
            if end >= rest.len() || !matches!(rest[end], b' ' | b'\t') {
                break;
            }
        }
        let (field, tail) = rest.split_at(end);
        rest = tail;
        Some(field)
    })
}

fn field_name(field: &[u8]) -> &[u8] {
    let name = field.iter().position(|&b| b == b':').map_or(&[][..], |i| &field[..i]);
    name.trim_ascii()
}

fn unfolded_value(field: &[u8]) -> String {
    let value = field.iter().position(|&b| b == b':').map_or(&[][..], |i| &field[i + 1..]);
    let text = String::from_utf8_lossy(value);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A Message-ID derived from the message itself, so that a client retrying
/// a message without one (after a lost 250) produces the same id and the
/// retry is recognised as a duplicate.
fn derived_message_id(raw: &[u8], user: &str, recipients: &[String], hostname: &str) -> String {
    let mut h = Sha256::new();
    h.update(user.to_lowercase().as_bytes());
    for r in recipients {
        h.update(b"\0");
        h.update(r.to_lowercase().as_bytes());
    }
    h.update(b"\0\0");
    h.update(raw);
    let digest = h.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("<{hex}@{}>", header_safe(hostname))
}

/// The `Received` field (RFC 5321 §4.4 Time-stamp-line). No `for` clause:
/// naming a recipient would reveal blind ones.
fn received(trace: &Trace<'_>) -> String {
    // RFC 3848 §1: ESMTPA = ESMTP + AUTH, ESMTPSA = ESMTP + TLS + AUTH.
    let with = if trace.tls { "ESMTPSA" } else { "ESMTPA" };
    let literal = match trace.peer {
        IpAddr::V4(a) => format!("[{a}]"),
        IpAddr::V6(a) => format!("[IPv6:{a}]"),
    };
    format!(
        "Received: from {} ({literal})\r\n\tby {} (mapibridge) with {with} id {};\r\n\t{}\r\n",
        header_safe(trace.helo),
        header_safe(trace.hostname),
        header_safe(trace.session_id),
        rfc5322_date(trace.unix_time),
    )
}

/// Keeps a client-given token from breaking the header syntax: printable
/// ASCII without comment or literal delimiters, at most 255 characters.
fn header_safe(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .filter(|c| c.is_ascii_graphic() && !matches!(c, '(' | ')' | '[' | ']' | ';' | '\\'))
        .take(255)
        .collect();
    if cleaned.is_empty() { "unknown".into() } else { cleaned }
}

/// An RFC 5322 §3.3 date-time in UTC: `Fri, 27 Nov 2026 05:14:16 +0000`.
pub(crate) fn rfc5322_date(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = DAYS[days.rem_euclid(7) as usize];
    let month_name = MONTHS[(month - 1).clamp(0, 11) as usize];
    format!("{weekday}, {day} {month_name} {year} {:02}:{:02}:{:02} +0000", secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn trace() -> Trace<'static> {
        Trace {
            helo: "client.example",
            peer: [192, 0, 2, 7].into(),
            hostname: "mx.example",
            tls: true,
            session_id: "s1",
            unix_time: 1_795_756_456,
        }
    }

    fn text(p: &Prepared) -> String {
        String::from_utf8(p.mime.clone()).unwrap()
    }

    #[test]
    fn date_is_rfc5322() {
        assert_eq!(rfc5322_date(1_795_756_456), "Fri, 27 Nov 2026 05:14:16 +0000");
        assert_eq!(rfc5322_date(0), "Thu, 1 Jan 1970 00:00:00 +0000");
    }

    #[test]
    fn bcc_is_removed_with_its_continuation_lines_and_the_rest_kept_verbatim() {
        let raw = b"From: a@x\r\nBcc: hidden@x,\r\n  other@x\r\nTo: b@x\r\nbcc:\r\nMessage-ID: <m1@x>\r\n\r\nBcc: body line stays\r\n";
        let p = prepare(raw, "a@x", &["b@x".into()], &trace());
        let t = text(&p);
        assert!(!t.contains("hidden") && !t.contains("other@x"), "{t}");
        assert!(t.ends_with("From: a@x\r\nTo: b@x\r\nMessage-ID: <m1@x>\r\n\r\nBcc: body line stays\r\n"), "{t}");
        assert_eq!(p.message_id, "<m1@x>");
    }

    #[test]
    fn received_is_first_and_names_no_recipient() {
        let p = prepare(b"Subject: hi\r\n\r\nbody\r\n", "a@x", &["secret@x".into()], &trace());
        let t = text(&p);
        assert!(
            t.starts_with(
                "Received: from client.example ([192.0.2.7])\r\n\tby mx.example (mapibridge) with ESMTPSA id s1;\r\n\tFri, 27 Nov 2026 05:14:16 +0000\r\n"
            ),
            "{t}"
        );
        assert!(!t.contains("secret"));
    }

    #[test]
    fn missing_message_id_is_added_and_stable_for_a_retry() {
        let raw = b"From: a@x\r\nSubject: hi\r\n\r\nbody\r\n";
        let p1 = prepare(raw, "a@x", &["b@x".into()], &trace());
        let p2 = prepare(raw, "A@x", &["B@x".into()], &Trace { session_id: "s2", ..trace() });
        assert_eq!(p1.message_id, p2.message_id);
        assert!(p1.message_id.ends_with("@mx.example>"));
        assert!(text(&p1).contains(&format!("\r\nMessage-ID: {}\r\nFrom: a@x\r\n", p1.message_id)));
        let other = prepare(b"From: a@x\r\nSubject: hi\r\n\r\nbody 2\r\n", "a@x", &["b@x".into()], &trace());
        assert_ne!(other.message_id, p1.message_id);
    }

    #[test]
    fn folded_message_id_is_unfolded_and_hostile_helo_is_neutralised() {
        let raw = b"Message-ID:\r\n <folded@x>\r\n\r\n";
        let t = Trace { helo: "evil\r\nBcc: x (y)", ..trace() };
        let p = prepare(raw, "a@x", &[], &t);
        assert_eq!(p.message_id, "<folded@x>");
        assert!(text(&p).starts_with("Received: from evilBcc:xy ([192.0.2.7])"), "{}", text(&p));
    }

    #[test]
    fn message_without_empty_line_is_all_header() {
        let p = prepare(b"Subject: x\r\nBcc: y\r\n", "a", &[], &trace());
        assert!(text(&p).ends_with("Subject: x\r\n"));
    }
}
