//! Response encoding: the RFC 9051 §9 string forms (`quoted`, `literal`,
//! `nstring`, `astring`), sequence sets and dates, written straight into the
//! output buffer.
//!
//! Commands are decoded by imap-codec; responses are written here because
//! most of them carry data the server already holds as bytes (message
//! sections, header blocks) and building the typed response tree only to
//! serialise it again would copy every section twice.

use std::fmt::Write as _;

use mailbox::{Flags, Timestamp, UidSet};

/// Writes `s` as an `nstring`: `NIL` for `None`, else [`string`].
pub(crate) fn nstring(out: &mut Vec<u8>, s: Option<&[u8]>) {
    match s {
        None => out.extend_from_slice(b"NIL"),
        Some(s) => string(out, s),
    }
}

/// Writes `s` as a quoted string when RFC 9051 §9 `quoted` allows it
/// (no CR, LF, NUL, 8-bit, at most a line's worth), else as a literal.
pub(crate) fn string(out: &mut Vec<u8>, s: &[u8]) {
    let quotable = s.len() <= 1024 && s.iter().all(|&b| b != 0 && b != b'\r' && b != b'\n' && b < 0x80);
    if quotable {
        out.push(b'"');
        for &b in s {
            if b == b'"' || b == b'\\' {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        literal(out, s);
    }
}

/// Writes `s` as a synchronising literal `{n}\r\n<bytes>` (RFC 9051 §4.3).
pub(crate) fn literal(out: &mut Vec<u8>, s: &[u8]) {
    let _ = write!(Str(out), "{{{}}}\r\n", s.len());
    out.extend_from_slice(s);
}

/// Writes a mailbox name as an `astring` (atom when it is one, so that
/// `INBOX` stays bare, else quoted or literal).
pub(crate) fn astring(out: &mut Vec<u8>, s: &str) {
    let atom = !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\'));
    if atom {
        out.extend_from_slice(s.as_bytes());
    } else {
        string(out, s.as_bytes());
    }
}

/// Writes a flag list `(\Seen $Label1)` (RFC 9051 §7.5.2 FLAGS).
pub(crate) fn flag_list(out: &mut Vec<u8>, flags: &Flags, recent: bool) {
    out.push(b'(');
    let mut first = true;
    for f in flags.iter() {
        if !first {
            out.push(b' ');
        }
        first = false;
        out.extend_from_slice(f.as_imap().as_bytes());
    }
    if recent {
        if !first {
            out.push(b' ');
        }
        out.extend_from_slice(b"\\Recent");
    }
    out.push(b')');
}

/// Writes a UID set in IMAP sequence-set syntax (`1:3,7`); `""` is never
/// produced for an empty set by callers (they check first).
pub(crate) fn uid_set(out: &mut Vec<u8>, set: &UidSet) {
    let mut first = true;
    for r in set.ranges() {
        if !first {
            out.push(b',');
        }
        first = false;
        if r.first() == r.last() {
            let _ = write!(Str(out), "{}", r.first().get());
        } else {
            let _ = write!(Str(out), "{}:{}", r.first().get(), r.last().get());
        }
    }
}

/// The set as a string (for response codes).
pub(crate) fn uid_set_string(set: &UidSet) -> String {
    let mut v = Vec::new();
    uid_set(&mut v, set);
    String::from_utf8_lossy(&v).into_owned()
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Civil date and time of a Unix time in UTC: (year, month 1-12, day,
/// hour, minute, second). H. Hinnant's algorithm.
pub(crate) fn civil(t: i64) -> (i64, usize, i64, i64, i64, i64) {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    // m is 1..=12 by construction.
    (y, usize::try_from(m).unwrap_or(1), d, secs / 3600, secs / 60 % 60, secs % 60)
}

/// Writes an INTERNALDATE `"27-Nov-2026 10:00:00 +0000"` (RFC 9051 §9
/// `date-time`).
pub(crate) fn internal_date(out: &mut Vec<u8>, t: Timestamp) {
    let (y, m, d, hh, mm, ss) = civil(t.0);
    let month = MONTHS.get(m - 1).copied().unwrap_or("Jan");
    let _ = write!(Str(out), "\"{d:02}-{month}-{y:04} {hh:02}:{mm:02}:{ss:02} +0000\"");
}

/// An RFC 5322 date `Fri, 27 Nov 2026 10:00:00 +0000` (ENVELOPE date: the
/// model keeps the instant only, formatted in UTC).
pub(crate) fn rfc5322_date(t: Timestamp) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    let (y, m, d, hh, mm, ss) = civil(t.0);
    let month = MONTHS.get(m - 1).copied().unwrap_or("Jan");
    let weekday =
        DAYS.get(usize::try_from(t.0.div_euclid(86_400).rem_euclid(7)).unwrap_or(0)).copied().unwrap_or("Thu");
    format!("{weekday}, {d} {month} {y:04} {hh:02}:{mm:02}:{ss:02} +0000")
}

/// `fmt::Write` over the output buffer.
pub(crate) struct Str<'a>(pub(crate) &'a mut Vec<u8>);

impl std::fmt::Write for Str<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_quote_or_fall_back_to_literals() {
        let mut v = Vec::new();
        string(&mut v, b"a \"b\" \\c");
        assert_eq!(v, b"\"a \\\"b\\\" \\\\c\"");
        v.clear();
        string(&mut v, "Grüße".as_bytes());
        assert_eq!(v, "{7}\r\nGrüße".as_bytes());
        v.clear();
        astring(&mut v, "Sent Items");
        astring(&mut v, "INBOX");
        assert_eq!(v, b"\"Sent Items\"INBOX");
    }

    #[test]
    fn dates_render_in_utc() {
        let mut v = Vec::new();
        internal_date(&mut v, Timestamp(1_795_773_600));
        assert_eq!(v, b"\"27-Nov-2026 10:00:00 +0000\"");
        assert_eq!(rfc5322_date(Timestamp(1_795_773_600)), "Fri, 27 Nov 2026 10:00:00 +0000");
    }
}
