//! Byte-level MIME encoders used by the writer: base64 (RFC 2045 §6.8),
//! quoted-printable (RFC 2045 §6.7), RFC 2047 encoded-words, RFC 2231
//! parameter values, header folding (RFC 5322 §2.2.3) and the
//! deterministic boundary hash.

/// Base64 alphabet (RFC 4648 §4).
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Appends `data` base64-encoded in CRLF-terminated lines of 76 characters
/// (RFC 2045 §6.8). Empty input appends nothing.
pub(crate) fn base64_lines(data: &[u8], out: &mut Vec<u8>) {
    out.reserve(data.len() / 57 * 78 + 80);
    for line in data.chunks(57) {
        base64_raw(line, out);
        out.extend_from_slice(b"\r\n");
    }
}

/// Appends `data` base64-encoded without line breaks.
pub(crate) fn base64_raw(data: &[u8], out: &mut Vec<u8>) {
    let mut chunks = data.chunks_exact(3);
    for c in &mut chunks {
        let n = (u32::from(c[0]) << 16) | (u32::from(c[1]) << 8) | u32::from(c[2]);
        out.extend_from_slice(&[
            B64[(n >> 18) as usize & 63],
            B64[(n >> 12) as usize & 63],
            B64[(n >> 6) as usize & 63],
            B64[n as usize & 63],
        ]);
    }
    match *chunks.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            out.extend_from_slice(&[B64[(n >> 18) as usize & 63], B64[(n >> 12) as usize & 63], b'=', b'=']);
        }
        [a, b] => {
            let n = (u32::from(a) << 16) | (u32::from(b) << 8);
            out.extend_from_slice(&[
                B64[(n >> 18) as usize & 63],
                B64[(n >> 12) as usize & 63],
                B64[(n >> 6) as usize & 63],
                b'=',
            ]);
        }
        _ => {}
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Appends `text` quoted-printable encoded (RFC 2045 §6.7) with CRLF line
/// breaks: line breaks in the input (CRLF, or a bare LF or CR) become CRLF
/// hard breaks, `=` and non-ASCII/control bytes are escaped, trailing
/// whitespace before a break is escaped, lines are soft-broken at 76.
/// The output never contains `=_` or a line starting with `--`… that could
/// close a boundary, since `=` is always escaped.
pub(crate) fn quoted_printable(text: &[u8], out: &mut Vec<u8>) {
    out.reserve(text.len() + text.len() / 8 + 8);
    let mut col = 0usize;
    let mut i = 0usize;
    while let Some(&b) = text.get(i) {
        if b == b'\r' || b == b'\n' {
            out.extend_from_slice(b"\r\n");
            col = 0;
            i += if b == b'\r' && text.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
            continue;
        }
        let next_is_break = matches!(text.get(i + 1), None | Some(b'\r' | b'\n'));
        let literal = matches!(b, b'!'..=b'<' | b'>'..=b'~') || ((b == b' ' || b == b'\t') && !next_is_break);
        // A line starting with '.' or "From " is safe in MIME; '-' at column 0
        // cannot form a boundary because boundaries contain "=_".
        let width = if literal { 1 } else { 3 };
        // Keep room for a soft break "=" (column 76 max incl. '=').
        let limit = if next_is_break { 76 } else { 75 };
        if col + width > limit {
            out.extend_from_slice(b"=\r\n");
            col = 0;
        }
        if literal {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'=', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
        col += width;
        i += 1;
    }
}

/// True if `text` can be sent as `7bit` (RFC 2045 §2.7): ASCII without NUL
/// or bare CR/LF, lines ≤ 998 octets, and no `=_` (so it can never contain a
/// boundary of ours).
pub(crate) fn is_7bit_safe(text: &[u8]) -> bool {
    let mut line = 0usize;
    let mut prev = 0u8;
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        match b {
            0 | 0x80..=0xFF => return false,
            b'\r' => {
                if text.get(i + 1) != Some(&b'\n') {
                    return false;
                }
            }
            b'\n' => {
                if prev != b'\r' {
                    return false;
                }
                line = 0;
            }
            b'_' if prev == b'=' => return false,
            _ => {
                line += 1;
                if line > 998 {
                    return false;
                }
            }
        }
        prev = b;
        i += 1;
    }
    true
}

/// True for characters that need no encoding in an unstructured header
/// (printable ASCII and space/tab).
fn header_safe(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7F).contains(&b) || b == b'\t')
}

/// Appends `text` as RFC 2047 `B` encoded-words (`=?utf-8?B?…?=`), each at
/// most 75 characters, separated by folding whitespace (CRLF SP). Words
/// never split a UTF-8 sequence.
pub(crate) fn encoded_words(text: &str, out: &mut Vec<u8>) {
    // 75 - len("=?utf-8?B?") - len("?=") = 63 base64 chars -> 45 bytes max;
    // use 45-byte chunks cut at char boundaries.
    let mut first = true;
    let mut rest = text;
    while !rest.is_empty() {
        let mut cut = rest.len().min(45);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (chunk, tail) = rest.split_at(cut);
        if !first {
            out.extend_from_slice(b"\r\n ");
        }
        out.extend_from_slice(b"=?utf-8?B?");
        base64_raw(chunk.as_bytes(), out);
        out.extend_from_slice(b"?=");
        first = false;
        rest = tail;
    }
}

/// A header value in unstructured form (Subject, Thread-Topic…): as is if it
/// is printable ASCII and contains no `=?`, else RFC 2047 encoded-words.
/// CR/LF in the value are replaced by spaces (a property cannot inject a
/// header).
pub(crate) fn unstructured(text: &str, out: &mut Vec<u8>) {
    let clean: std::borrow::Cow<'_, str> =
        if text.contains(['\r', '\n']) { text.replace(['\r', '\n'], " ").into() } else { text.into() };
    if header_safe(&clean) && !clean.contains("=?") {
        out.extend_from_slice(clean.as_bytes());
    } else {
        encoded_words(&clean, out);
    }
}

/// A display name for an address (RFC 5322 §3.4 `display-name`): an atom
/// sequence as is, a quoted-string if it has specials, encoded-words if it
/// has non-ASCII.
pub(crate) fn display_name(name: &str, out: &mut Vec<u8>) {
    let name = name.trim();
    if !header_safe(name) || name.contains("=?") {
        let clean = name.replace(['\r', '\n'], " ");
        encoded_words(&clean, out);
        return;
    }
    let atom_ok = name.bytes().all(|b| b.is_ascii_alphanumeric() || b" !#$%&'*+-/=?^_`{|}~".contains(&b));
    if atom_ok {
        out.extend_from_slice(name.as_bytes());
    } else {
        out.push(b'"');
        for b in name.bytes() {
            if b == b'"' || b == b'\\' {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b'"');
    }
}

/// A MIME parameter (RFC 2045 §5.1) `; name=value`: a token as is, a quoted
/// string for printable ASCII, RFC 2231 `name*=utf-8''%XX` (split into
/// `name*0*`, `name*1*`… continuations for long values) for anything else.
/// Appended with a leading `; ` (the field is folded when written).
pub(crate) fn parameter(name: &str, value: &str, out: &mut Vec<u8>) {
    let value = value.replace(['\r', '\n'], " ");
    out.extend_from_slice(b"; ");
    if header_safe(&value) && value.len() <= 60 {
        out.extend_from_slice(name.as_bytes());
        out.push(b'=');
        let token =
            !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if token {
            out.extend_from_slice(value.as_bytes());
        } else {
            out.push(b'"');
            for b in value.bytes() {
                if b == b'"' || b == b'\\' {
                    out.push(b'\\');
                }
                out.push(b);
            }
            out.push(b'"');
        }
        return;
    }
    // RFC 2231 §4 extended value, split in sections of ≤ 40 source bytes at
    // character boundaries (§3 continuations).
    let mut sections = Vec::new();
    let mut rest = value.as_str();
    while !rest.is_empty() {
        let mut cut = rest.len().min(40);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (a, b) = rest.split_at(cut);
        sections.push(a);
        rest = b;
    }
    let single = sections.len() <= 1;
    for (i, section) in sections.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b"; ");
        }
        out.extend_from_slice(name.as_bytes());
        if !single {
            out.push(b'*');
            out.extend_from_slice(i.to_string().as_bytes());
        }
        out.extend_from_slice(b"*=");
        if i == 0 {
            out.extend_from_slice(b"utf-8''");
        }
        for b in section.bytes() {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                out.push(b);
            } else {
                out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
            }
        }
    }
}

/// Folds a raw header field (`Name: value`) that is longer than 78
/// characters at whitespace (RFC 5322 §2.2.3); existing line breaks are
/// kept. Lines without whitespace are left long (≤ 998 is the hard limit,
/// which encoded values respect by construction).
pub(crate) fn push_folded(field: &[u8], out: &mut Vec<u8>) {
    const WIDTH: usize = 78;
    let mut line_start = 0usize;
    let mut last_ws: Option<usize> = None;
    let mut cursor = 0usize;
    // Folds before the last whitespace seen if the current line (up to
    // `end`) is too long.
    let mut fold = |end: usize, line_start: &mut usize, last_ws: &mut Option<usize>, out: &mut Vec<u8>| {
        if end - *line_start > WIDTH
            && let Some(ws) = *last_ws
            && ws > *line_start
        {
            out.extend_from_slice(field.get(cursor..ws).unwrap_or_default());
            out.extend_from_slice(b"\r\n");
            cursor = ws;
            *line_start = ws;
            *last_ws = None;
        }
    };
    for (i, &b) in field.iter().enumerate() {
        match b {
            b'\r' | b'\n' => {
                fold(i, &mut line_start, &mut last_ws, out);
                if b == b'\n' {
                    line_start = i + 1;
                    last_ws = None;
                }
            }
            b' ' | b'\t' if i > line_start => {
                fold(i, &mut line_start, &mut last_ws, out);
                last_ws = Some(i);
            }
            _ => {}
        }
    }
    fold(field.len(), &mut line_start, &mut last_ws, out);
    out.extend_from_slice(field.get(cursor..).unwrap_or_default());
}

/// FNV-1a 64-bit: a stable hash for boundaries (the standard library's
/// hasher is not guaranteed stable across Rust releases).
pub(crate) fn fnv1a(seed: u64, data: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // Final avalanche (splitmix64) so that close seeds differ everywhere.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
            let mut v = Vec::new();
            base64_raw(i.as_bytes(), &mut v);
            assert_eq!(v, o.as_bytes());
        }
        let mut v = Vec::new();
        base64_lines(&[0u8; 58], &mut v);
        let text = String::from_utf8(v).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0].len(), 76);
        assert_eq!(lines[1], "AA==");
    }

    #[test]
    fn quoted_printable_escapes_and_soft_breaks() {
        let mut v = Vec::new();
        quoted_printable("a=b ü \nx".as_bytes(), &mut v);
        assert_eq!(v, b"a=3Db =C3=BC=20\r\nx");
        let mut v = Vec::new();
        quoted_printable(&[b'a'; 100], &mut v);
        let text = String::from_utf8(v).unwrap();
        assert!(text.split("\r\n").all(|l| l.len() <= 76), "{text}");
    }

    #[test]
    fn encoded_words_split_at_char_boundaries() {
        let mut v = Vec::new();
        unstructured(&"ü".repeat(40), &mut v);
        let text = String::from_utf8(v).unwrap();
        for w in text.split("\r\n ") {
            assert!(w.len() <= 75 && w.starts_with("=?utf-8?B?") && w.ends_with("?="), "{w}");
        }
    }

    #[test]
    fn rfc2231_parameter_for_non_ascii() {
        let mut v = Vec::new();
        parameter("filename", "Prüfbericht.pdf", &mut v);
        assert_eq!(v, b"; filename*=utf-8''Pr%C3%BCfbericht.pdf");
        let mut v = Vec::new();
        parameter("name", "a b.txt", &mut v);
        assert_eq!(v, b"; name=\"a b.txt\"");
    }

    #[test]
    fn folding_keeps_lines_short() {
        let mut v = Vec::new();
        let field = format!("References: {}", ["<abcdefghij@example.org>"; 8].join(" "));
        push_folded(field.as_bytes(), &mut v);
        let text = String::from_utf8(v).unwrap();
        assert!(text.split("\r\n").all(|l| l.len() <= 78), "{text}");
        assert_eq!(text.replace("\r\n", ""), field);
    }
}
