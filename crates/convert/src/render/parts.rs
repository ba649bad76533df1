//! The MIME structure of a message: body alternatives, inline (related)
//! parts, attachments, embedded messages, S/MIME and reports
//! ([MS-OXCMAIL] 2.1.3.3 message body and the attachment rules of 2.1.3, [MS-OXOSMIME], RFC 6522),
//! and its serialisation.

use std::borrow::Cow;

use mapi_wire::PropTag;

use super::body::{Bodies, bodies};
use super::encode::{base64_lines, fnv1a, is_7bit_safe, parameter, quoted_printable};
use super::headers::{encoded, rfc5322_date, write_envelope, write_field};
use super::{CalendarBody, RenderOptions};
use crate::error::ConvertError;
use crate::message::{AttachFlags, AttachMethod, Attachment, Message};

/// A MIME entity under construction.
struct Part<'a> {
    /// Content-* header fields, each CRLF-terminated.
    head: Vec<u8>,
    body: Body<'a>,
}

enum Body<'a> {
    /// Encoded content. `ends_crlf`: the content ends with a line break
    /// that may double as the CRLF of the next boundary delimiter (base64).
    Leaf { data: Cow<'a, [u8]>, ends_crlf: bool },
    /// A multipart with its subtype, extra parameters and children.
    Multi { subtype: &'static str, params: Vec<(&'static str, String)>, parts: Vec<Part<'a>> },
}

/// Boundary generator: a stable hash of (identity, message salt, counter).
struct Boundaries<'o> {
    identity: &'o [u8],
    salt: u64,
    next: u64,
}

impl Boundaries<'_> {
    fn next(&mut self) -> String {
        self.next += 1;
        let a = fnv1a(self.salt ^ self.next.rotate_left(32), self.identity);
        let b = fnv1a(a ^ 0x9e37_79b9_7f4a_7c15, self.identity);
        format!("=_{a:016x}{b:016x}")
    }
}

/// Renders `msg` (headers + body) into `out`; `depth` is the embedding
/// level (0 = top), `salt` distinguishes embedded messages' boundaries.
pub(super) fn render_message(
    msg: &Message,
    opts: &RenderOptions<'_>,
    depth: usize,
    out: &mut Vec<u8>,
) -> Result<(), ConvertError> {
    render_salted(msg, opts, depth, 0x6d61_7069, out)
}

fn render_salted(
    msg: &Message,
    opts: &RenderOptions<'_>,
    depth: usize,
    salt: u64,
    out: &mut Vec<u8>,
) -> Result<(), ConvertError> {
    write_envelope(msg, opts, out);
    out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    // [MS-OXOSMIME] 2.1, 3.1.4.2: S/MIME content is kept byte for byte.
    if let Some(entity) = smime_signed_entity(msg) {
        out.extend_from_slice(entity);
        return Ok(());
    }
    let mut b = Boundaries { identity: opts.identity, salt, next: 0 };
    let part = if let Some(p7m) = smime_opaque(msg) { p7m } else { structure(msg, opts, depth, salt)? };
    write_part(&part, &mut b, out);
    if out.len() > opts.max_output {
        return Err(ConvertError::TooLarge { limit: opts.max_output });
    }
    Ok(())
}

/// The full body structure of a (non-S/MIME) message.
fn structure<'a>(
    msg: &'a Message,
    opts: &RenderOptions<'_>,
    depth: usize,
    salt: u64,
) -> Result<Part<'a>, ConvertError> {
    let Bodies { text, html } = bodies(msg);
    let calendar = match opts.calendar {
        Some(hook) if msg.class_is("IPM.Schedule.Meeting") || msg.class_is("IPM.Appointment") => {
            hook.calendar_part(msg)?
        }
        _ => None,
    };
    let html_text = html.as_ref().map(|(h, _)| String::from_utf8_lossy(h));
    let (inline, mut regular): (Vec<&Attachment>, Vec<&Attachment>) =
        msg.attachments.iter().partition(|a| is_inline(a, html_text.as_deref()) && kept_report_kind(a).is_none());

    drop(html_text);

    let mut alternatives = Vec::new();
    if let Some(t) = text {
        let bytes = match t {
            Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        };
        alternatives.push(text_part_owned("text/plain", bytes, "utf-8"));
    }
    if let Some((h, charset)) = html {
        alternatives.push(text_part_owned("text/html", h, charset));
    }
    if let Some(CalendarBody { method, ics }) = calendar {
        let mut ct = b"text/calendar".to_vec();
        parameter("charset", "utf-8", &mut ct);
        parameter("method", &method, &mut ct);
        alternatives.push(text_leaf(ct, Cow::Owned(ics)));
    }
    if alternatives.is_empty() {
        alternatives.push(text_part("text/plain", b"", "utf-8"));
    }
    let mut main = if alternatives.len() == 1 {
        alternatives.pop().unwrap_or_else(|| text_part("text/plain", b"", "utf-8"))
    } else {
        multi("alternative", alternatives)
    };
    if !inline.is_empty() {
        let mut children = vec![main];
        for (i, a) in inline.iter().enumerate() {
            children.push(attachment_part(a, true, opts, depth, salt, i)?);
        }
        main = multi("related", children);
    }
    // A report parsed from MIME keeps its machine-readable part as an
    // attachment (from_mime); render that one, byte for byte, instead of
    // regenerating a poorer copy from the recipient rows.
    let kept = if msg.class_is("REPORT") { regular.iter().position(|a| kept_report_kind(a).is_some()) } else { None };
    let kept = kept.map(|i| regular.remove(i));
    let report = match kept {
        Some(a) => kept_report_part(a),
        None => report_part(msg),
    };
    if regular.is_empty() && report.is_none() {
        return Ok(main);
    }
    // RFC 6522: multipart/report = human-readable part, machine-readable
    // part, then the returned content; otherwise multipart/mixed.
    let mut children = vec![main];
    let report_type = report.map(|(kind, part)| {
        children.push(part);
        kind
    });
    for (i, a) in regular.iter().enumerate() {
        children.push(attachment_part(a, false, opts, depth, salt, i + inline.len())?);
    }
    Ok(match report_type {
        Some(kind) => Part {
            head: Vec::new(),
            body: Body::Multi { subtype: "report", params: vec![("report-type", kind.to_owned())], parts: children },
        },
        None => multi("mixed", children),
    })
}

fn multi<'a>(subtype: &'static str, parts: Vec<Part<'a>>) -> Part<'a> {
    Part { head: Vec::new(), body: Body::Multi { subtype, params: Vec::new(), parts } }
}

/// A text part from UTF-8 (or `charset`) bytes: 7bit when safe, else
/// quoted-printable.
fn text_part<'a>(mime: &str, data: &[u8], charset: &str) -> Part<'a> {
    text_part_owned(mime, Cow::Owned(data.to_vec()), charset)
}

fn text_part_owned<'a>(mime: &str, data: Cow<'a, [u8]>, charset: &str) -> Part<'a> {
    let mut ct = mime.as_bytes().to_vec();
    parameter("charset", charset, &mut ct);
    text_leaf(ct, data)
}

/// A text leaf with the given Content-Type value.
fn text_leaf(ct: Vec<u8>, data: Cow<'_, [u8]>) -> Part<'_> {
    let mut head = Vec::new();
    write_field("Content-Type", &ct, &mut head);
    if is_7bit_safe(&data) {
        head.extend_from_slice(b"Content-Transfer-Encoding: 7bit\r\n");
        Part { head, body: Body::Leaf { data, ends_crlf: false } }
    } else if data.iter().filter(|&&c| c >= 0x80).count() * 3 > data.len() {
        // Mostly non-ASCII (CJK, Cyrillic): base64 is the smaller encoding.
        head.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n");
        let mut enc = Vec::new();
        base64_lines(&data, &mut enc);
        Part { head, body: Body::Leaf { ends_crlf: false, data: Cow::Owned(enc) } }
    } else {
        head.extend_from_slice(b"Content-Transfer-Encoding: quoted-printable\r\n");
        let mut enc = Vec::new();
        quoted_printable(&data, &mut enc);
        Part { head, body: Body::Leaf { data: Cow::Owned(enc), ends_crlf: false } }
    }
}

/// True if the attachment belongs in multipart/related: it has a
/// Content-ID or Content-Location, there is an HTML body, and it is marked
/// as referenced (PidTagAttachFlags ATT_MHTML_REF, PidTagAttachmentHidden)
/// or the HTML refers to its cid ([MS-OXCMAIL] 2.1.3 inline attachments in multipart/related).
fn is_inline(a: &Attachment, html: Option<&str>) -> bool {
    let Some(html) = html else { return false };
    if a.method() == AttachMethod::EMBEDDED_MESSAGE {
        return false;
    }
    let cid = a.props.non_empty_string(PropTag::ATTACH_CONTENT_ID);
    let location = a.props.non_empty_string(PropTag::ATTACH_CONTENT_LOCATION);
    if cid.is_none() && location.is_none() {
        return false;
    }
    if a.hidden() || a.flags() & AttachFlags::MHTML_REF != 0 {
        return true;
    }
    cid.is_some_and(|c| {
        let c = c.trim_matches(['<', '>']);
        html.contains(&format!("cid:{c}")) || html.contains(&format!("CID:{c}"))
    })
}

/// One attachment as a MIME part: a base64 leaf, or message/rfc822 for an
/// embedded message ([MS-OXCMAIL] 2.1.3 attachments and embedded messages).
fn attachment_part<'a>(
    a: &'a Attachment,
    inline: bool,
    opts: &RenderOptions<'_>,
    depth: usize,
    salt: u64,
    index: usize,
) -> Result<Part<'a>, ConvertError> {
    let mut head = Vec::new();
    let filename = a.filename();
    if let Some(embedded) = a.embedded.as_deref().filter(|_| a.method() == AttachMethod::EMBEDDED_MESSAGE) {
        if depth < opts.max_depth {
            let mut inner = Vec::new();
            let child_salt = fnv1a(salt, &(index as u64 + 1).to_le_bytes());
            render_salted(embedded, opts, depth + 1, child_salt, &mut inner)?;
            head.extend_from_slice(b"Content-Type: message/rfc822\r\n");
            // RFC 2046 §5.2.1: identity encodings only; "binary" if lines are
            // too long for 8bit (RFC 2045 §2.8) or NUL occurs.
            let long_line = inner.split(|&c| c == b'\n').any(|l| l.len() > 998);
            let cte: &[u8] = if long_line || inner.contains(&0) {
                b"binary"
            } else if inner.iter().any(|&c| c >= 0x80) {
                b"8bit"
            } else {
                b"7bit"
            };
            write_field("Content-Transfer-Encoding", cte, &mut head);
            // A file name, else the display name (usually the subject) + ".eml".
            let name = a
                .props
                .non_empty_string(PropTag::ATTACH_LONG_FILENAME)
                .or_else(|| a.props.non_empty_string(PropTag::ATTACH_FILENAME))
                .map(Cow::into_owned)
                .or_else(|| a.props.non_empty_string(PropTag::DISPLAY_NAME).map(|d| format!("{}.eml", d.trim())));
            disposition(&mut head, false, name.as_deref());
            return Ok(Part { head, body: Body::Leaf { data: Cow::Owned(inner), ends_crlf: false } });
        }
        let note = format!("(embedded message not rendered: nested deeper than {} levels)\r\n", opts.max_depth);
        let mut p = text_part("text/plain", note.as_bytes(), "utf-8");
        disposition(&mut p.head, false, filename.as_deref());
        return Ok(p);
    }
    let mime = mime_type(a);
    let mut ct = mime.as_bytes().to_vec();
    if mime.starts_with("text/")
        && let Some(cs) = a.props.non_empty_string(PropTag::TEXT_ATTACHMENT_CHARSET)
        && cs.bytes().all(|c| c.is_ascii_alphanumeric() || b"-_.:".contains(&c))
    {
        parameter("charset", &cs, &mut ct);
    }
    if let Some(name) = filename.as_deref() {
        parameter("name", name, &mut ct);
    }
    write_field("Content-Type", &ct, &mut head);
    head.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n");
    if let Some(cid) = a.props.non_empty_string(PropTag::ATTACH_CONTENT_ID) {
        let cid = cid.trim().trim_matches(['<', '>']).replace(['\r', '\n', ' '], "");
        write_field("Content-ID", format!("<{cid}>").as_bytes(), &mut head);
    }
    if let Some(loc) = a.props.non_empty_string(PropTag::ATTACH_CONTENT_LOCATION) {
        write_field("Content-Location", &encoded(loc.trim()), &mut head);
    }
    if let Some(desc) = a.props.non_empty_string(PropTag::DISPLAY_NAME)
        && filename.as_deref() != Some(desc.as_ref())
    {
        write_field("Content-Description", &encoded(desc.trim()), &mut head);
    }
    disposition(&mut head, inline, filename.as_deref());
    let mut data = Vec::new();
    base64_lines(a.data(), &mut data);
    Ok(Part { head, body: Body::Leaf { ends_crlf: !data.is_empty(), data: Cow::Owned(data) } })
}

fn disposition(head: &mut Vec<u8>, inline: bool, filename: Option<&str>) {
    let mut v: Vec<u8> = if inline { b"inline".to_vec() } else { b"attachment".to_vec() };
    if let Some(name) = filename {
        parameter("filename", name, &mut v);
    }
    write_field("Content-Disposition", &v, head);
}

/// PidTagAttachMimeTag if it is a valid `type/subtype`, else a guess from
/// PidTagAttachExtension / the file name, else application/octet-stream.
fn mime_type(a: &Attachment) -> Cow<'_, str> {
    if let Some(tag) = a.props.non_empty_string(PropTag::ATTACH_MIME_TAG) {
        let base = tag.split(';').next().unwrap_or("").trim();
        let valid =
            |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&c));
        if let Some((t, s)) = base.split_once('/')
            && valid(t)
            && valid(s)
        {
            return Cow::Owned(base.to_ascii_lowercase());
        }
    }
    let ext = a
        .props
        .non_empty_string(PropTag::ATTACH_EXTENSION)
        .map(|e| e.trim_start_matches('.').to_ascii_lowercase())
        .or_else(|| a.filename().and_then(|f| f.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())));
    let guess = match ext.as_deref() {
        Some("txt") => "text/plain",
        Some("htm" | "html") => "text/html",
        Some("csv") => "text/csv",
        Some("ics") => "text/calendar",
        Some("vcf") => "text/vcard",
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("zip") => "application/zip",
        Some("eml") => "message/rfc822",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    };
    Cow::Borrowed(guess)
}

/// [MS-OXOSMIME] 2.1.1: an `IPM.Note.SMIME.MultipartSigned` message keeps
/// the whole `multipart/signed` entity (headers and body) in its single
/// attachment; it is emitted as is.
fn smime_signed_entity(msg: &Message) -> Option<&[u8]> {
    if !msg.class_is("IPM.Note.SMIME.MultipartSigned") {
        return None;
    }
    let a = smime_attachment(msg, "multipart/signed")?;
    let data = a.data();
    (!data.is_empty()).then_some(data)
}

/// [MS-OXOSMIME] 2.1.2: an `IPM.Note.SMIME` message (opaque-signed or
/// encrypted) is its `application/pkcs7-mime` attachment, base64-encoded.
fn smime_opaque(msg: &Message) -> Option<Part<'_>> {
    if !msg.class_is("IPM.Note.SMIME") || msg.class_is("IPM.Note.SMIME.MultipartSigned") {
        return None;
    }
    let a = smime_attachment(msg, "application/pkcs7-mime")
        .or_else(|| smime_attachment(msg, "application/x-pkcs7-mime"))?;
    let data = a.data();
    if data.is_empty() {
        return None;
    }
    // PKCS #7 contentType OID 1.2.840.113549.1.7.2 (signedData) near the
    // start means opaque-signed, else enveloped (RFC 8551 §3.2.2).
    const SIGNED_DATA: &[u8] = &[0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];
    let head_bytes = data.get(..data.len().min(32)).unwrap_or_default();
    let smime_type =
        if head_bytes.windows(SIGNED_DATA.len()).any(|w| w == SIGNED_DATA) { "signed-data" } else { "enveloped-data" };
    let mut head = Vec::new();
    // Keep the legacy `x-` type when the message came with it: older
    // clients only recognise their own spelling.
    let legacy = a
        .props
        .string(PropTag::ATTACH_MIME_TAG)
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/x-pkcs7-mime"));
    let mut ct = if legacy { b"application/x-pkcs7-mime".to_vec() } else { b"application/pkcs7-mime".to_vec() };
    parameter("smime-type", smime_type, &mut ct);
    parameter("name", "smime.p7m", &mut ct);
    write_field("Content-Type", &ct, &mut head);
    head.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n");
    disposition(&mut head, false, Some("smime.p7m"));
    let mut enc = Vec::new();
    base64_lines(data, &mut enc);
    Some(Part { head, body: Body::Leaf { ends_crlf: !enc.is_empty(), data: Cow::Owned(enc) } })
}

fn smime_attachment<'a>(msg: &'a Message, mime: &str) -> Option<&'a Attachment> {
    msg.attachments
        .iter()
        .find(|a| a.props.string(PropTag::ATTACH_MIME_TAG).is_some_and(|t| t.trim().eq_ignore_ascii_case(mime)))
        .or_else(|| (msg.attachments.len() == 1).then(|| msg.attachments.first()).flatten())
}

/// The RFC 6522 report type of an attachment holding a machine-readable
/// report part (`message/delivery-status`, RFC 3464; `message/
/// disposition-notification`, RFC 8098; and their `global-` forms).
fn kept_report_kind(a: &Attachment) -> Option<(&'static str, &'static str)> {
    let tag = a.props.string(PropTag::ATTACH_MIME_TAG)?;
    let tag = tag.trim().to_ascii_lowercase();
    [
        ("delivery-status", "message/delivery-status"),
        ("delivery-status", "message/global-delivery-status"),
        ("disposition-notification", "message/disposition-notification"),
        ("disposition-notification", "message/global-disposition-notification"),
    ]
    .into_iter()
    .find(|(_, mime)| *mime == tag)
}

/// A kept report part, emitted with its original bytes (8bit when they are
/// not ASCII: the global- forms carry UTF-8). Its final line break is
/// content, so the delimiter gets its own.
fn kept_report_part(a: &Attachment) -> Option<(&'static str, Part<'_>)> {
    let (kind, mime) = kept_report_kind(a)?;
    let data = a.data();
    let mut head = Vec::new();
    write_field("Content-Type", mime.as_bytes(), &mut head);
    let cte: &[u8] = if data.is_ascii() { b"7bit" } else { b"8bit" };
    head.extend_from_slice(b"Content-Transfer-Encoding: ");
    head.extend_from_slice(cte);
    head.extend_from_slice(b"\r\n");
    Some((kind, Part { head, body: Body::Leaf { data: Cow::Borrowed(data), ends_crlf: false } }))
}

/// RFC 6522 report part for `REPORT.*` classes ([MS-OXCMAIL] 2.1.3, report messages):
/// `message/delivery-status` (RFC 3464) from the recipient rows' report
/// properties, or `message/disposition-notification` (RFC 8098). Best
/// effort: fields MAPI does not keep are omitted.
fn report_part(msg: &Message) -> Option<(&'static str, Part<'static>)> {
    if !msg.class_is("REPORT") {
        return None;
    }
    let class = msg.class().to_ascii_uppercase();
    let p = &msg.props;
    let mut body = Vec::new();
    let line = |body: &mut Vec<u8>, name: &str, value: &str| {
        let v = value.replace(['\r', '\n'], " ");
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(b": ");
        body.extend_from_slice(v.trim().as_bytes());
        body.extend_from_slice(b"\r\n");
    };
    let (kind, mime) = if class.ends_with(".IPNRN") || class.ends_with(".IPNNRN") {
        let reader = p
            .non_empty_string(PropTag::SENT_REPRESENTING_SMTP_ADDRESS)
            .or_else(|| p.non_empty_string(PropTag::SENDER_SMTP_ADDRESS));
        if let Some(r) = reader {
            line(&mut body, "Final-Recipient", &format!("rfc822;{r}"));
        }
        let original = p
            .non_empty_string(PropTag::ORIGINAL_MESSAGE_ID)
            .or_else(|| p.non_empty_string(PropTag::IN_REPLY_TO_ID))
            .or_else(|| {
                p.non_empty_string(PropTag::INTERNET_REFERENCES)
                    .map(|r| Cow::Owned(r.split_whitespace().last().unwrap_or("").to_owned()))
            });
        if let Some(o) = original.filter(|o| !o.is_empty()) {
            line(&mut body, "Original-Message-ID", &o);
        }
        let default = if class.ends_with(".IPNRN") {
            "automatic-action/MDN-sent-automatically; displayed"
        } else {
            "automatic-action/MDN-sent-automatically; deleted"
        };
        let disposition =
            p.non_empty_string(PropTag::REPORT_TEXT).filter(|t| t.contains(';') && t.contains('/') && t.len() < 200);
        line(&mut body, "Disposition", disposition.as_deref().unwrap_or(default));
        ("disposition-notification", "message/disposition-notification")
    } else {
        let mta = p.non_empty_string(PropTag::REPORTING_MESSAGE_TRANSFER_AGENT);
        line(&mut body, "Reporting-MTA", mta.as_deref().unwrap_or("dns; localhost"));
        let action = if class.ends_with(".NDR") {
            "failed"
        } else if class.ends_with(".DELAYED") {
            "delayed"
        } else if class.ends_with(".RELAYED") {
            "relayed"
        } else if class.ends_with(".EXPANDED") {
            "expanded"
        } else {
            "delivered"
        };
        for r in &msg.recipients {
            let rp = &r.props;
            let Some(addr) =
                rp.non_empty_string(PropTag::SMTP_ADDRESS).or_else(|| rp.non_empty_string(PropTag::EMAIL_ADDRESS))
            else {
                continue;
            };
            body.extend_from_slice(b"\r\n");
            line(&mut body, "Final-Recipient", &format!("rfc822; {addr}"));
            line(&mut body, "Action", action);
            let status = rp
                .i32(PropTag::NON_DELIVERY_REPORT_STATUS_CODE)
                .filter(|c| (200..600).contains(c))
                .map(|c| format!("{}.{}.{}", c / 100, c / 10 % 10, c % 10))
                .unwrap_or_else(|| if action == "failed" { "5.0.0".into() } else { "2.0.0".into() });
            line(&mut body, "Status", &status);
            if let Some(m) = rp.non_empty_string(PropTag::REMOTE_MESSAGE_TRANSFER_AGENT) {
                line(&mut body, "Remote-MTA", &m);
            }
            if let Some(info) = rp.non_empty_string(PropTag::SUPPLEMENTARY_INFO) {
                let diag = info.find("smtp;").map_or(info.as_ref(), |i| info.get(i..).unwrap_or_default());
                let diag = diag.trim().trim_end_matches('>');
                let diag = if diag.starts_with("smtp;") { diag.to_owned() } else { format!("X-Display; {diag}") };
                line(&mut body, "Diagnostic-Code", &diag);
            }
            if let Some(t) = rp.time(PropTag::REPORT_TIME) {
                line(&mut body, "Last-Attempt-Date", &rfc5322_date(t));
            }
        }
        ("delivery-status", "message/delivery-status")
    };
    let mut head = Vec::new();
    write_field("Content-Type", mime.as_bytes(), &mut head);
    head.extend_from_slice(b"Content-Transfer-Encoding: 7bit\r\n");
    // Keep the part 7bit-safe: non-ASCII would need 8bit/utf-8 headers.
    let body: Vec<u8> = body.into_iter().map(|c| if c >= 0x80 { b'?' } else { c }).collect();
    Some((kind, Part { head, body: Body::Leaf { data: Cow::Owned(body), ends_crlf: true } }))
}

/// Serialises a part (its Content-* header, a blank line, its body).
fn write_part(part: &Part<'_>, b: &mut Boundaries<'_>, out: &mut Vec<u8>) {
    match &part.body {
        Body::Leaf { data, .. } => {
            out.extend_from_slice(&part.head);
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(data);
        }
        Body::Multi { subtype, params, parts } => {
            let boundary = b.next();
            let mut ct = format!("multipart/{subtype}").into_bytes();
            for (k, v) in params {
                parameter(k, v, &mut ct);
            }
            ct.extend_from_slice(b"; boundary=\"");
            ct.extend_from_slice(boundary.as_bytes());
            ct.push(b'"');
            out.extend_from_slice(&part.head);
            write_field("Content-Type", &ct, out);
            out.extend_from_slice(b"\r\n");
            for child in parts {
                out.extend_from_slice(b"--");
                out.extend_from_slice(boundary.as_bytes());
                out.extend_from_slice(b"\r\n");
                write_part(child, b, out);
                let ends_crlf = matches!(&child.body, Body::Leaf { ends_crlf: true, .. } | Body::Multi { .. });
                if !ends_crlf {
                    out.extend_from_slice(b"\r\n");
                }
            }
            out.extend_from_slice(b"--");
            out.extend_from_slice(boundary.as_bytes());
            out.extend_from_slice(b"--\r\n");
        }
    }
}
