//! The MIME side of FETCH: header blocks and fields, body sections
//! (RFC 9051 §6.4.5 `section`), BODY/BODYSTRUCTURE (RFC 9051 §7.5.2) and
//! ENVELOPE (RFC 9051 §7.5.2), parsed from the message with mail-parser.

use std::fmt::Write as _;

use base64::Engine as _;
use mail_parser::{Address as MpAddress, Message, MessageParser, MimeHeaders, PartType};
use mailbox::{Address, Envelope};

use crate::wire::{self, Str};

/// The header block of a message (through the blank line), and the rest.
pub(crate) fn split_header(raw: &[u8]) -> (&[u8], &[u8]) {
    let mut i = 0;
    while i < raw.len() {
        if raw[i..].starts_with(b"\r\n") && i == 0 {
            return raw.split_at(2);
        }
        if raw[i..].starts_with(b"\n\r\n") {
            return raw.split_at(i + 3);
        }
        if raw[i..].starts_with(b"\n\n") {
            return raw.split_at(i + 2);
        }
        i += 1;
    }
    (raw, &[])
}

/// The fields of a header block whose names are (or with `not`, are not)
/// in `names`, each with its continuation lines, and the closing blank
/// line (RFC 9051 §6.4.5 HEADER.FIELDS / HEADER.FIELDS.NOT).
pub(crate) fn header_fields(block: &[u8], names: &[&[u8]], not: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut keep = false;
    for line in block.split_inclusive(|&b| b == b'\n') {
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        if line.first().is_some_and(|&b| b == b' ' || b == b'\t') {
            if keep {
                out.extend_from_slice(line);
            }
            continue;
        }
        let name = line.split(|&b| b == b':').next().unwrap_or(line);
        let name = name.trim_ascii_end();
        let listed = names.iter().any(|n| n.eq_ignore_ascii_case(name));
        keep = listed != not;
        if keep {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// A parsed message for section and structure requests.
pub(crate) struct Parsed<'a> {
    msg: Message<'a>,
}

/// What of a part a section asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    /// The part's body (`BODY[1.2]`).
    Body,
    /// The header of the message the part is or holds (`HEADER`,
    /// `HEADER.FIELDS`).
    Header,
    /// The body of that message (`TEXT`).
    Text,
    /// The part's own MIME header (`1.2.MIME`).
    Mime,
}

impl<'a> Parsed<'a> {
    /// Parses `raw`; `None` when mail-parser gives up (then sections fall
    /// back to the raw message).
    pub(crate) fn new(raw: &'a [u8]) -> Option<Self> {
        MessageParser::default().parse(raw).map(|msg| Self { msg })
    }

    /// The bytes of `piece` of the part at `path` (empty: the message).
    pub(crate) fn section(&self, path: &[u32], piece: Piece) -> Option<Vec<u8>> {
        let (msg, idx) = resolve(&self.msg, path)?;
        let part = msg.parts.get(idx)?;
        let raw = msg.raw_message.as_ref();
        let slice = |a: u32, b: u32| raw.get(a as usize..b as usize).map(<[u8]>::to_vec);
        match piece {
            Piece::Body => slice(part.offset_body, part.offset_end),
            Piece::Mime => slice(part.offset_header, part.offset_body),
            Piece::Header | Piece::Text => {
                // The message this part is (the top) or encapsulates.
                let (inner, root) = if path.is_empty() {
                    (msg, msg.parts.first()?)
                } else if let PartType::Message(m) = &part.body {
                    (m, m.parts.first()?)
                } else {
                    return None;
                };
                let raw = inner.raw_message.as_ref();
                if piece == Piece::Header {
                    raw.get(root.offset_header as usize..root.offset_body as usize).map(<[u8]>::to_vec)
                } else {
                    raw.get(root.offset_body as usize..root.offset_end as usize).map(<[u8]>::to_vec)
                }
            }
        }
    }

    /// RFC 3516 §4.2 `BINARY[path]`: the part's body with its
    /// Content-Transfer-Encoding undone; `Ok(None)` when the part does not
    /// exist, `Err` for an encoding this server cannot undo (UNKNOWN-CTE).
    pub(crate) fn binary(&self, path: &[u32]) -> Result<Option<Vec<u8>>, UnknownCte> {
        let Some((msg, idx)) = resolve(&self.msg, path) else { return Ok(None) };
        let Some(part) = msg.parts.get(idx) else { return Ok(None) };
        let raw = msg.raw_message.as_ref();
        let Some(body) = raw.get(part.offset_body as usize..part.offset_end as usize) else { return Ok(None) };
        if matches!(part.body, PartType::Multipart(_) | PartType::Message(_)) {
            // Containers are not encoded themselves (RFC 2045 §6.4).
            return Ok(Some(body.to_vec()));
        }
        let cte = part.content_transfer_encoding().unwrap_or("7bit").trim().to_ascii_lowercase();
        match cte.as_str() {
            "7bit" | "8bit" | "binary" => Ok(Some(body.to_vec())),
            "base64" => Ok(Some(decode_base64(body))),
            "quoted-printable" => Ok(Some(decode_quoted_printable(body))),
            _ => Err(UnknownCte(cte)),
        }
    }

    /// Writes BODY (`extended = false`) or BODYSTRUCTURE.
    pub(crate) fn structure(&self, out: &mut Vec<u8>, extended: bool) {
        structure(&self.msg, 0, extended, out);
    }
}

/// A Content-Transfer-Encoding BINARY cannot undo (RFC 3516 §4.3
/// UNKNOWN-CTE).
#[derive(Debug)]
pub(crate) struct UnknownCte(pub(crate) String);

/// Base64 as mail writes it: line breaks and stray characters skipped,
/// padding optional (RFC 2045 §6.8 tells decoders to ignore what is not in
/// the alphabet).
pub(crate) fn decode_base64(body: &[u8]) -> Vec<u8> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let mut clean: Vec<u8> =
        body.iter().copied().filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/').collect();
    // A dangling single character cannot encode a byte.
    if clean.len() % 4 == 1 {
        clean.pop();
    }
    LENIENT.decode(&clean).unwrap_or_default()
}

/// Quoted-printable (RFC 2045 §6.7): `=XX` escapes, soft line breaks
/// removed; a malformed `=` stays as it is.
pub(crate) fn decode_quoted_printable(body: &[u8]) -> Vec<u8> {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
    }
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while let Some(&b) = body.get(i) {
        if b != b'=' {
            out.push(b);
            i += 1;
            continue;
        }
        match (body.get(i + 1).copied(), body.get(i + 2).copied()) {
            (Some(b'\r'), Some(b'\n')) => i += 3,
            (Some(b'\n'), _) => i += 2,
            (Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push(hex(h).unwrap_or(0) << 4 | hex(l).unwrap_or(0));
                i += 3;
            }
            _ => {
                // Trailing whitespace before a soft break is transport padding.
                let rest = body.get(i + 1..).unwrap_or(&[]);
                let pad = rest.iter().take_while(|c| **c == b' ' || **c == b'\t').count();
                match rest.get(pad..) {
                    Some(r) if r.starts_with(b"\r\n") => i += 1 + pad + 2,
                    Some(r) if r.starts_with(b"\n") => i += 1 + pad + 1,
                    _ => {
                        out.push(b'=');
                        i += 1;
                    }
                }
            }
        }
    }
    out
}

/// The message and part index a section path names (RFC 9051 §6.4.5: a
/// non-multipart message's part 1 is its body; inside message/rfc822 the
/// numbering continues in the encapsulated message).
fn resolve<'m, 'a>(msg: &'m Message<'a>, path: &[u32]) -> Option<(&'m Message<'a>, usize)> {
    let mut cur_msg = msg;
    let mut cur = 0usize;
    for (i, &n) in path.iter().enumerate() {
        if i > 0
            && let PartType::Message(inner) = &cur_msg.parts.get(cur)?.body
        {
            cur_msg = inner;
            cur = 0;
        }
        match &cur_msg.parts.get(cur)?.body {
            PartType::Multipart(ids) => cur = *ids.get(usize::try_from(n).ok()?.checked_sub(1)?)? as usize,
            _ if n == 1 => {}
            _ => return None,
        }
    }
    Some((cur_msg, cur))
}

fn structure(msg: &Message<'_>, idx: usize, ext: bool, out: &mut Vec<u8>) {
    let Some(part) = msg.parts.get(idx) else {
        out.extend_from_slice(b"(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0)");
        return;
    };
    let ct = part.content_type();
    let raw = msg.raw_message.as_ref();
    out.push(b'(');
    if let PartType::Multipart(ids) = &part.body {
        for &id in ids {
            structure(msg, id as usize, ext, out);
        }
        if ids.is_empty() {
            // RFC 9051 §7.5.2 needs at least one part.
            out.extend_from_slice(b"(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0)");
        }
        out.push(b' ');
        let subtype = ct.and_then(|c| c.c_subtype.as_deref()).unwrap_or("mixed");
        wire::string(out, subtype.to_ascii_uppercase().as_bytes());
        if ext {
            out.push(b' ');
            params(out, ct.and_then(|c| c.attributes.as_deref()));
            extension_tail(out, part);
        }
        out.push(b')');
        return;
    }
    let (ctype, subtype) = match ct {
        Some(c) => (c.c_type.to_ascii_uppercase(), c.c_subtype.as_deref().unwrap_or("").to_ascii_uppercase()),
        None => ("TEXT".to_owned(), "PLAIN".to_owned()),
    };
    let subtype = if subtype.is_empty() { "PLAIN".to_owned() } else { subtype };
    wire::string(out, ctype.as_bytes());
    out.push(b' ');
    wire::string(out, subtype.as_bytes());
    out.push(b' ');
    match ct.and_then(|c| c.attributes.as_deref()) {
        Some(a) if !a.is_empty() => params(out, Some(a)),
        _ if ctype == "TEXT" => out.extend_from_slice(b"(\"CHARSET\" \"US-ASCII\")"),
        _ => out.extend_from_slice(b"NIL"),
    }
    out.push(b' ');
    wire::nstring(out, part.content_id().map(str::as_bytes));
    out.push(b' ');
    wire::nstring(out, part.content_description().map(str::as_bytes));
    out.push(b' ');
    let enc = part.content_transfer_encoding().unwrap_or("7BIT").to_ascii_uppercase();
    wire::string(out, enc.as_bytes());
    let body = raw.get(part.offset_body as usize..part.offset_end as usize).unwrap_or(&[]);
    // Text lines: a last line without a line end (the CRLF before a
    // boundary belongs to the boundary) still counts.
    let lines = body.iter().filter(|&&b| b == b'\n').count() + usize::from(body.last().is_some_and(|&b| b != b'\n'));
    let _ = write!(Str(out), " {}", body.len());
    if let PartType::Message(inner) = &part.body {
        out.push(b' ');
        envelope(out, &parsed_envelope(inner));
        out.push(b' ');
        structure(inner, 0, ext, out);
        let _ = write!(Str(out), " {lines}");
    } else if ctype == "TEXT" {
        let _ = write!(Str(out), " {lines}");
    }
    if ext {
        out.extend_from_slice(b" NIL");
        extension_tail(out, part);
    }
    out.push(b')');
}

/// ` disposition language location` of an extended structure.
fn extension_tail(out: &mut Vec<u8>, part: &mail_parser::MessagePart<'_>) {
    out.push(b' ');
    match part.content_disposition() {
        Some(d) => {
            out.push(b'(');
            wire::string(out, d.c_type.to_ascii_uppercase().as_bytes());
            out.push(b' ');
            params(out, d.attributes.as_deref());
            out.push(b')');
        }
        None => out.extend_from_slice(b"NIL"),
    }
    out.push(b' ');
    match part.content_language().as_text() {
        Some(l) => {
            out.push(b'(');
            wire::string(out, l.as_bytes());
            out.push(b')');
        }
        None => match part.content_language().as_text_list() {
            Some(list) if !list.is_empty() => {
                out.push(b'(');
                for (i, l) in list.iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    wire::string(out, l.as_bytes());
                }
                out.push(b')');
            }
            _ => out.extend_from_slice(b"NIL"),
        },
    }
    out.push(b' ');
    wire::nstring(out, part.content_location().map(str::as_bytes));
}

fn params(out: &mut Vec<u8>, attrs: Option<&[mail_parser::Attribute<'_>]>) {
    match attrs {
        Some(a) if !a.is_empty() => {
            out.push(b'(');
            for (i, at) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                wire::string(out, at.name.to_ascii_uppercase().as_bytes());
                out.push(b' ');
                wire::string(out, encode_word(&at.value).as_bytes());
            }
            out.push(b')');
        }
        _ => out.extend_from_slice(b"NIL"),
    }
}

/// An RFC 2047 encoded word for non-ASCII text (ENVELOPE and BODYSTRUCTURE
/// strings are 7-bit for IMAP4rev1 clients).
pub(crate) fn encode_word(s: &str) -> String {
    if s.is_ascii() {
        return s.to_owned();
    }
    format!("=?UTF-8?B?{}?=", base64::engine::general_purpose::STANDARD.encode(s.as_bytes()))
}

/// The envelope of an encapsulated message.
fn parsed_envelope(m: &Message<'_>) -> Envelope {
    let list = |a: Option<&MpAddress<'_>>| -> Vec<Address> {
        a.map(|a| {
            a.iter()
                .map(|x| Address {
                    name: x.name.as_deref().map(str::to_owned),
                    email: x.address.as_deref().unwrap_or("").to_owned(),
                })
                .collect()
        })
        .unwrap_or_default()
    };
    Envelope {
        subject: m.subject().map(str::to_owned),
        from: list(m.from()),
        sender: list(m.sender()),
        to: list(m.to()),
        cc: list(m.cc()),
        bcc: list(m.bcc()),
        date: m.date().map(|d| mailbox::Timestamp(d.to_timestamp())),
        message_id: m.message_id().map(|id| format!("<{id}>")),
        in_reply_to: m.in_reply_to().as_text().map(|id| format!("<{id}>")),
        reply_to: list(m.reply_to()),
    }
}

/// Writes an ENVELOPE (RFC 9051 §7.5.2): date, subject, from, sender,
/// reply-to, to, cc, bcc, in-reply-to, message-id.
pub(crate) fn envelope(out: &mut Vec<u8>, e: &Envelope) {
    out.push(b'(');
    wire::nstring(out, e.date.map(wire::rfc5322_date).as_deref().map(str::as_bytes));
    out.push(b' ');
    wire::nstring(out, e.subject.as_deref().map(encode_word).as_deref().map(str::as_bytes));
    out.push(b' ');
    addresses(out, &e.from);
    out.push(b' ');
    addresses(out, if e.sender.is_empty() { &e.from } else { &e.sender });
    out.push(b' ');
    // RFC 3501 §7.4.2: without a Reply-To, From is repeated.
    addresses(out, if e.reply_to.is_empty() { &e.from } else { &e.reply_to });
    out.push(b' ');
    addresses(out, &e.to);
    out.push(b' ');
    addresses(out, &e.cc);
    out.push(b' ');
    addresses(out, &e.bcc);
    out.push(b' ');
    wire::nstring(out, e.in_reply_to.as_deref().map(str::as_bytes));
    out.push(b' ');
    wire::nstring(out, e.message_id.as_deref().map(str::as_bytes));
    out.push(b')');
}

fn addresses(out: &mut Vec<u8>, list: &[Address]) {
    if list.is_empty() {
        out.extend_from_slice(b"NIL");
        return;
    }
    out.push(b'(');
    for a in list {
        out.push(b'(');
        wire::nstring(out, a.name.as_deref().map(encode_word).as_deref().map(str::as_bytes));
        out.extend_from_slice(b" NIL ");
        match a.email.rsplit_once('@') {
            Some((local, domain)) => {
                wire::string(out, local.as_bytes());
                out.push(b' ');
                wire::string(out, domain.as_bytes());
            }
            None => {
                wire::string(out, a.email.as_bytes());
                out.extend_from_slice(b" NIL");
            }
        }
        out.push(b')');
    }
    out.push(b')');
}

#[cfg(test)]
mod tests {
    use super::*;

    const MULTI: &[u8] = b"From: a@b.c\r\nSubject: hi\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n\
preamble\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\nworld\r\n--XX\r\n\
Content-Type: message/rfc822\r\n\r\nSubject: inner\r\nFrom: x@y.z\r\n\r\ninner body\r\n--XX--\r\n";

    #[test]
    fn header_fields_keep_continuations_and_end_with_a_blank_line() {
        let block = b"From: a\r\nX-Long: one\r\n two\r\nSubject: s\r\n\r\n";
        assert_eq!(header_fields(block, &[b"x-long", b"subject"], false), b"X-Long: one\r\n two\r\nSubject: s\r\n\r\n");
        assert_eq!(header_fields(block, &[b"x-long"], true), b"From: a\r\nSubject: s\r\n\r\n");
        assert_eq!(split_header(b"A: b\r\n\r\nbody"), (&b"A: b\r\n\r\n"[..], &b"body"[..]));
    }

    #[test]
    fn binary_undoes_base64_and_quoted_printable() {
        let raw = b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=\r\nsse =3D ok=20\r\n--B\r\n\
Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n/w==\r\n--B\r\n\
Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin\r\n--B--\r\n";
        let p = Parsed::new(raw).expect("parse");
        assert_eq!(p.binary(&[1]).expect("qp").as_deref(), Some("Grüsse = ok ".as_bytes()));
        assert_eq!(p.binary(&[2]).expect("b64").as_deref(), Some(&[0u8, 1, 2, 0xff][..]));
        assert!(p.binary(&[3]).is_err(), "unknown encoding");
        assert_eq!(p.binary(&[4]).expect("absent"), None);
        assert_eq!(decode_quoted_printable(b"a=\nb = c=4"), b"ab = c=4");
    }

    #[test]
    fn sections_of_a_multipart_with_an_encapsulated_message() {
        let p = Parsed::new(MULTI).expect("parse");
        assert_eq!(p.section(&[1], Piece::Body).as_deref(), Some(&b"hello\r\nworld"[..]));
        assert_eq!(
            p.section(&[1], Piece::Mime).as_deref(),
            Some(&b"Content-Type: text/plain; charset=utf-8\r\n\r\n"[..])
        );
        assert_eq!(p.section(&[2], Piece::Header).as_deref(), Some(&b"Subject: inner\r\nFrom: x@y.z\r\n\r\n"[..]));
        assert_eq!(p.section(&[2], Piece::Text).as_deref(), Some(&b"inner body"[..]));
        assert_eq!(p.section(&[2, 1], Piece::Body).as_deref(), Some(&b"inner body"[..]));
        assert_eq!(p.section(&[3], Piece::Body), None);
        let mut s = Vec::new();
        p.structure(&mut s, false);
        let s = String::from_utf8(s).expect("ascii");
        assert!(s.starts_with("((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 12 2)"), "{s}");
        assert!(s.contains("(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\""), "{s}");
        assert!(s.ends_with(" \"MIXED\")"), "{s}");
    }
}
