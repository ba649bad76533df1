//! The MIME tree → bodies, attachments and embedded messages
//! ([MS-OXCMAIL] 2.2.3.3; S/MIME per [MS-OXOSMIME] 2.1.3).

use std::borrow::Cow;

use mail_parser::{Encoding, HeaderName, MessageParser, MessagePart, PartType};
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;
use mapi_wire::tags::PS_INTERNET_HEADERS;

use super::body::BodyState;
use super::{ParseOptions, Warning, WarningKind, insert};
use crate::bag::{NamedKey, PropertyBag};
use crate::error::ConvertError;
use crate::message::{AttachFlags, AttachMethod, Attachment, Message};

/// A parsed message as mail-parser gives it.
pub(crate) type MpMessage<'x> = mail_parser::Message<'x>;

/// The conversion state: options, warnings and the configured parser.
pub(crate) struct Converter<'o> {
    pub(crate) opts: &'o ParseOptions,
    warnings: Vec<Warning>,
}

/// The per-message state while walking its MIME tree.
pub(crate) struct Build {
    pub(crate) msg: Message,
    pub(crate) body: BodyState,
}

/// Content-Type of a part: lower-case type and subtype (text/plain when
/// absent, RFC 2045 §5.2; message/rfc822 inside multipart/digest).
pub(crate) struct ContentType {
    pub(crate) ty: String,
    pub(crate) sub: String,
}

impl ContentType {
    pub(crate) fn is(&self, ty: &str, sub: &str) -> bool {
        self.ty == ty && self.sub == sub
    }

    pub(crate) fn mime_tag(&self) -> String {
        format!("{}/{}", self.ty, self.sub)
    }
}

/// The configured parser: MIME, date and address headers structured,
/// every other header as RFC 2047-decoded text.
fn parser() -> MessageParser {
    MessageParser::new()
        .with_mime_headers()
        .with_date_headers()
        .with_address_headers()
        .header_address(HeaderName::DispositionNotificationTo)
        .default_header_text()
}

impl<'o> Converter<'o> {
    pub(crate) fn new(opts: &'o ParseOptions) -> Self {
        Self { opts, warnings: Vec::new() }
    }

    pub(crate) fn into_warnings(self) -> Vec<Warning> {
        self.warnings
    }

    pub(crate) fn warn(&mut self, part: &str, kind: WarningKind, detail: String) {
        self.warnings.push(Warning { part: part.to_owned(), kind, detail });
    }

    /// Converts the top-level message.
    pub(crate) fn convert_top(&mut self, raw: &[u8]) -> Result<Message, ConvertError> {
        match parser().parse(raw) {
            Some(mp) => self.convert_message(&mp, 0, ""),
            None => {
                self.warn("", WarningKind::NotAMessage, format!("{} bytes without a header block", raw.len()));
                let mut msg = Message::new();
                insert(&mut msg.props, PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note".into()));
                if !raw.is_empty() {
                    msg.attachments.push(raw_attachment(raw, "application/octet-stream", None));
                }
                Ok(msg)
            }
        }
    }

    /// Converts one (possibly embedded) message at nesting `depth`.
    pub(crate) fn convert_message(
        &mut self,
        mp: &MpMessage<'_>,
        depth: usize,
        path: &str,
    ) -> Result<Message, ConvertError> {
        let mut b = Build { msg: Message::new(), body: BodyState::default() };
        let Some(root) = mp.parts.first() else {
            insert(&mut b.msg.props, PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note".into()));
            return Ok(b.msg);
        };
        let raw = mp.raw_message.as_ref();
        let block = raw.get(root.offset_header as usize..root.offset_body as usize).unwrap_or_default();
        self.map_headers(&mut b.msg, &root.headers, raw, block, path);

        let ct = content_type(root, None);
        let root_path = if path.is_empty() { String::new() } else { path.to_owned() };
        if ct.is("multipart", "signed") {
            self.clear_signed(mp, &mut b, root, &root_path, depth)?;
        } else if is_opaque_smime(root, &ct) {
            self.opaque_smime(mp, &mut b, root, &ct);
        } else if ct.is("multipart", "report") {
            self.report(mp, &mut b, root, &root_path, depth)?;
        } else {
            self.walk(mp, &mut b, 0, &root_path, true, 0, depth, None)?;
        }
        self.finish(&mut b);
        Ok(b.msg)
    }

    /// Walks part `id`; `body_ok` says whether a text part may still become
    /// the body; `nest` is the multipart nesting, `depth` the message/rfc822
    /// nesting; `parent` the parent's content type.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn walk(
        &mut self,
        mp: &MpMessage<'_>,
        b: &mut Build,
        id: u32,
        path: &str,
        body_ok: bool,
        nest: usize,
        depth: usize,
        parent: Option<&ContentType>,
    ) -> Result<(), ConvertError> {
        let Some(part) = mp.parts.get(id as usize) else { return Ok(()) };
        let ct = content_type(part, parent);
        if nest > self.opts.max_depth.saturating_mul(8) {
            self.warn(path, WarningKind::DepthLimit, format!("multipart nesting > {}", self.opts.max_depth * 8));
            b.msg.attachments.push(self.raw_part_attachment(mp, part, &ct));
            return Ok(());
        }
        match &part.body {
            PartType::Multipart(children) => {
                let children = children.clone();
                if ct.sub == "related" {
                    return self.walk_related(mp, b, part, &children, path, body_ok, nest, depth, &ct);
                }
                let alternative = ct.sub == "alternative";
                for (i, c) in children.iter().enumerate() {
                    let p = child_path(path, i);
                    let ok = if alternative { body_ok } else { body_ok && !b.body.has_body() };
                    self.walk(mp, b, *c, &p, ok, nest + 1, depth, Some(&ct))?;
                }
                Ok(())
            }
            PartType::Message(nested) => {
                let att = self.embedded(mp, part, &ct, nested, path, depth)?;
                b.msg.attachments.push(att);
                Ok(())
            }
            _ => self.leaf(mp, b, part, &ct, path, body_ok),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn walk_related(
        &mut self,
        mp: &MpMessage<'_>,
        b: &mut Build,
        part: &MessagePart<'_>,
        children: &[u32],
        path: &str,
        body_ok: bool,
        nest: usize,
        depth: usize,
        ct: &ContentType,
    ) -> Result<(), ConvertError> {
        // RFC 2387 §3.2: the root is the part named by `start`, else the first.
        let start = param(part, HeaderName::ContentType, "start").map(|s| strip_angle(&s).to_owned());
        let root = start
            .and_then(|s| {
                children.iter().position(|c| {
                    mp.parts.get(*c as usize).and_then(content_id).is_some_and(|id| id.eq_ignore_ascii_case(&s))
                })
            })
            .unwrap_or(0);
        if let Some(r) = children.get(root) {
            self.walk(mp, b, *r, &child_path(path, root), body_ok, nest + 1, depth, Some(ct))?;
        }
        for (i, c) in children.iter().enumerate() {
            if i != root {
                self.walk(mp, b, *c, &child_path(path, i), false, nest + 1, depth, Some(ct))?;
            }
        }
        Ok(())
    }

    /// A leaf part: body text, calendar, or attachment.
    fn leaf(
        &mut self,
        mp: &MpMessage<'_>,
        b: &mut Build,
        part: &MessagePart<'_>,
        ct: &ContentType,
        path: &str,
        body_ok: bool,
    ) -> Result<(), ConvertError> {
        let raw_body = raw_body(mp, part);
        if part.is_encoding_problem && !raw_body.is_empty() {
            // A broken structure (missing end boundary…) may still hold a
            // decodable body; only undecodable content stays raw.
            if !transfer_decodable(declared_encoding(part), raw_body) {
                self.warn(
                    path,
                    WarningKind::UndecodablePart,
                    format!("{} part kept with its raw bytes", ct.mime_tag()),
                );
                b.msg.attachments.push(self.raw_part_attachment(mp, part, ct));
                return Ok(());
            }
            self.warn(path, WarningKind::BrokenStructure, format!("{} part recovered from broken MIME", ct.mime_tag()));
        }
        let disposition = disposition(part);
        let named = filename(part).is_some();
        let textual = ct.is("text", "plain") || ct.is("text", "html");
        if body_ok && textual && disposition.as_deref() != Some("attachment") && !named {
            if b.body.accepts(ct) {
                self.set_body(mp, b, part, ct, path);
                return Ok(());
            }
            self.warn(path, WarningKind::ExtraBodyPart, format!("second {} kept as an attachment", ct.mime_tag()));
        }
        if ct.is("text", "calendar") {
            let data = decoded_bytes(mp, part);
            let method = param(part, HeaderName::ContentType, "method");
            let charset = param(part, HeaderName::ContentType, "charset");
            let cal = super::CalendarPart { data: &data, method: method.as_deref(), charset: charset.as_deref() };
            if super::calendar_part_hook(&cal, &mut b.msg, self.opts)? {
                return Ok(());
            }
        }
        b.msg.attachments.push(self.attachment(mp, part, ct));
        Ok(())
    }

    /// A by-value attachment from a decodable leaf part ([MS-OXCMAIL]
    /// 2.2.3.3 attachments).
    pub(crate) fn attachment(&mut self, mp: &MpMessage<'_>, part: &MessagePart<'_>, ct: &ContentType) -> Attachment {
        let data = decoded_bytes(mp, part).into_owned();
        let mut a = Attachment::default();
        let p = &mut a.props;
        common_attachment_props(p, part, ct);
        insert(p, PropTag::ATTACH_METHOD, PropValue::I32(AttachMethod::BY_VALUE.0));
        if ct.ty == "text"
            && let Some(cs) = param(part, HeaderName::ContentType, "charset")
        {
            insert(p, PropTag::TEXT_ATTACHMENT_CHARSET, PropValue::String(cs));
        }
        insert(p, PropTag::ATTACH_DATA_BINARY, PropValue::Binary(data));
        a
    }

    /// A part that could not be decoded: its raw (still transfer-encoded)
    /// body as a by-value attachment.
    pub(crate) fn raw_part_attachment(
        &mut self,
        mp: &MpMessage<'_>,
        part: &MessagePart<'_>,
        ct: &ContentType,
    ) -> Attachment {
        let data = raw_body(mp, part);
        let mut a = raw_attachment(data, &ct.mime_tag(), filename(part).as_deref());
        common_attachment_props(&mut a.props, part, ct);
        a
    }

    /// A message/rfc822 part as an embedded message ([MS-OXCMAIL]
    /// 2.2.3.3 message/rfc822), or as raw bytes beyond the depth limit.
    fn embedded(
        &mut self,
        mp: &MpMessage<'_>,
        part: &MessagePart<'_>,
        ct: &ContentType,
        nested: &MpMessage<'_>,
        path: &str,
        depth: usize,
    ) -> Result<Attachment, ConvertError> {
        if depth + 1 > self.opts.max_depth {
            self.warn(path, WarningKind::DepthLimit, format!("message/rfc822 nesting > {}", self.opts.max_depth));
            let mut a = raw_attachment(&decoded_bytes(mp, part), &ct.mime_tag(), filename(part).as_deref());
            common_attachment_props(&mut a.props, part, ct);
            return Ok(a);
        }
        let inner = self.convert_message(nested, depth + 1, path)?;
        let mut a = Attachment::default();
        let p = &mut a.props;
        common_attachment_props(p, part, ct);
        insert(p, PropTag::ATTACH_METHOD, PropValue::I32(AttachMethod::EMBEDDED_MESSAGE.0));
        // The display name of an embedded message is its subject (as
        // Outlook and gromox show it); a file name stays in
        // PidTagAttachLongFilename.
        if let Some(subject) = inner.props.non_empty_string(PropTag::SUBJECT) {
            insert(p, PropTag::DISPLAY_NAME, PropValue::String(subject.into_owned()));
        } else if !p.contains(PropTag::DISPLAY_NAME) {
            insert(p, PropTag::DISPLAY_NAME, PropValue::String(String::new()));
        }
        a.embedded = Some(Box::new(inner));
        Ok(a)
    }

    /// multipart/signed ([MS-OXOSMIME] 2.1.3.1): class
    /// IPM.Note.SMIME.MultipartSigned, one attachment `SMIME.p7m` holding the
    /// Content-* header lines and the body byte for byte, the signed
    /// content's text promoted to the body.
    fn clear_signed(
        &mut self,
        mp: &MpMessage<'_>,
        b: &mut Build,
        root: &MessagePart<'_>,
        path: &str,
        depth: usize,
    ) -> Result<(), ConvertError> {
        let raw = mp.raw_message.as_ref();
        let mut blob = Vec::new();
        for h in root.headers.iter().filter(|h| h.name().to_ascii_lowercase().starts_with("content-")) {
            blob.extend_from_slice(raw.get(h.offset_field as usize..h.offset_end as usize).unwrap_or_default());
        }
        blob.extend_from_slice(b"\r\n");
        blob.extend_from_slice(raw_body(mp, root));
        set_content_type_header(&mut b.msg.props, root, raw);
        insert(&mut b.msg.props, PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note.SMIME.MultipartSigned".into()));
        // Promote the signed content's text (not its attachments: they stay
        // inside the signed blob).
        if let PartType::Multipart(children) = &root.body
            && let Some(first) = children.first()
        {
            let mut inner = Build { msg: Message::new(), body: BodyState::default() };
            let p = child_path(path, 0);
            self.walk(mp, &mut inner, *first, &p, true, 1, depth, None)?;
            b.body = inner.body;
            b.body.native_clear_signed = true;
        }
        let mut a = Attachment::default();
        let p = &mut a.props;
        insert(p, PropTag::ATTACH_METHOD, PropValue::I32(AttachMethod::BY_VALUE.0));
        insert(p, PropTag::ATTACH_MIME_TAG, PropValue::String("multipart/signed".into()));
        for t in [PropTag::ATTACH_LONG_FILENAME, PropTag::ATTACH_FILENAME, PropTag::DISPLAY_NAME] {
            insert(p, t, PropValue::String("SMIME.p7m".into()));
        }
        insert(p, PropTag::ATTACH_EXTENSION, PropValue::String(".p7m".into()));
        insert(p, PropTag::ATTACH_DATA_BINARY, PropValue::Binary(blob));
        b.msg.attachments.push(a);
        Ok(())
    }

    /// application/pkcs7-mime ([MS-OXOSMIME] 2.1.3.2): class IPM.Note.SMIME,
    /// the raw Content-Type in PS_INTERNET_HEADERS `Content-Type`, no body,
    /// the CMS object as the only attachment.
    fn opaque_smime(&mut self, mp: &MpMessage<'_>, b: &mut Build, root: &MessagePart<'_>, ct: &ContentType) {
        set_content_type_header(&mut b.msg.props, root, mp.raw_message.as_ref());
        insert(&mut b.msg.props, PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note.SMIME".into()));
        let mut a = if root.is_encoding_problem {
            self.raw_part_attachment(mp, root, ct)
        } else {
            self.attachment(mp, root, ct)
        };
        if !a.props.contains(PropTag::ATTACH_LONG_FILENAME) {
            for t in [PropTag::ATTACH_LONG_FILENAME, PropTag::ATTACH_FILENAME, PropTag::DISPLAY_NAME] {
                insert(&mut a.props, t, PropValue::String("smime.p7m".into()));
            }
            insert(&mut a.props, PropTag::ATTACH_EXTENSION, PropValue::String(".p7m".into()));
        }
        b.msg.attachments.push(a);
    }

    /// Bodies, message class and inline-attachment flags once the tree is
    /// walked.
    fn finish(&mut self, b: &mut Build) {
        let html = b.body.html_text().map(|h| h.to_ascii_lowercase());
        for a in &mut b.msg.attachments {
            let cid = a.props.string(PropTag::ATTACH_CONTENT_ID).map(|s| s.into_owned());
            let loc = a.props.string(PropTag::ATTACH_CONTENT_LOCATION).map(|s| s.into_owned());
            let referenced = html.as_deref().is_some_and(|h| {
                cid.as_deref().is_some_and(|c| !c.is_empty() && h.contains(&format!("cid:{}", c.to_ascii_lowercase())))
                    || loc.as_deref().is_some_and(|l| !l.is_empty() && h.contains(&l.to_ascii_lowercase()))
            });
            if referenced {
                let flags = a.flags() | AttachFlags::MHTML_REF;
                insert(&mut a.props, PropTag::ATTACH_FLAGS, PropValue::I32(flags));
                insert(&mut a.props, PropTag::ATTACHMENT_HIDDEN, PropValue::Bool(true));
            }
        }
        b.body.apply(&mut b.msg.props);
        // [MS-OXCMSG] PidLidSmartNoAttach: no attachment the user
        // would see (all are inline parts rendered in the HTML body).
        if !b.msg.attachments.is_empty() && b.msg.attachments.iter().all(Attachment::hidden) {
            insert(&mut b.msg.props, mapi_wire::tags::PidLid::SMART_NO_ATTACH, PropValue::Bool(true));
        }
        if !b.msg.props.contains(PropTag::MESSAGE_CLASS) {
            insert(&mut b.msg.props, PropTag::MESSAGE_CLASS, PropValue::String("IPM.Note".into()));
        }
    }
}

/// Properties every attachment made from a MIME part gets: MIME tag, file
/// names, extension, Content-ID/Location, display name.
fn common_attachment_props(p: &mut PropertyBag, part: &MessagePart<'_>, ct: &ContentType) {
    insert(p, PropTag::ATTACH_MIME_TAG, PropValue::String(ct.mime_tag()));
    if let Some(name) = filename(part) {
        insert(p, PropTag::ATTACH_LONG_FILENAME, PropValue::String(name.clone()));
        insert(p, PropTag::ATTACH_FILENAME, PropValue::String(short_name(&name)));
        insert(p, PropTag::DISPLAY_NAME, PropValue::String(name.clone()));
        if let Some(dot) = name.rfind('.').filter(|d| *d > 0) {
            insert(p, PropTag::ATTACH_EXTENSION, PropValue::String(name[dot..].to_owned()));
        }
    }
    if let Some(id) = content_id(part) {
        insert(p, PropTag::ATTACH_CONTENT_ID, PropValue::String(id));
    }
    if let Some(loc) = header_text(part, HeaderName::ContentLocation) {
        insert(p, PropTag::ATTACH_CONTENT_LOCATION, PropValue::String(loc));
    }
    // RFC 2183 §2.4/2.5 creation-date / modification-date parameters.
    for (param_name, tag) in
        [("creation-date", PropTag::CREATION_TIME), ("modification-date", PropTag::LAST_MODIFICATION_TIME)]
    {
        let t = param(part, HeaderName::ContentDisposition, param_name)
            .and_then(|v| mail_parser::DateTime::parse_rfc822(v.trim()))
            .filter(mail_parser::DateTime::is_valid)
            .and_then(|d| mapi_wire::prop_value::FileTime::from_unix_seconds(d.to_timestamp()));
        if let Some(t) = t {
            insert(p, tag, PropValue::Time(t));
        }
    }
    if let Some(base) = header_raw_named(part, "content-base") {
        insert(p, PropTag::ATTACH_CONTENT_BASE, PropValue::String(base));
    }
}

/// A by-value attachment holding `data` as is.
fn raw_attachment(data: &[u8], mime_tag: &str, name: Option<&str>) -> Attachment {
    let mut a = Attachment::default();
    let p = &mut a.props;
    insert(p, PropTag::ATTACH_METHOD, PropValue::I32(AttachMethod::BY_VALUE.0));
    insert(p, PropTag::ATTACH_MIME_TAG, PropValue::String(mime_tag.to_owned()));
    if let Some(n) = name {
        insert(p, PropTag::ATTACH_LONG_FILENAME, PropValue::String(n.to_owned()));
        insert(p, PropTag::DISPLAY_NAME, PropValue::String(n.to_owned()));
    }
    insert(p, PropTag::ATTACH_DATA_BINARY, PropValue::Binary(data.to_vec()));
    a
}

/// [MS-OXOSMIME] 2.1.3.1/2.1.3.2: the raw Content-Type value as the
/// PS_INTERNET_HEADERS `Content-Type` named property.
fn set_content_type_header(props: &mut PropertyBag, root: &MessagePart<'_>, raw: &[u8]) {
    if let Some(h) = super::headers::find(&root.headers, "content-type") {
        let v = super::headers::unfold(raw.get(h.offset_start as usize..h.offset_end as usize).unwrap_or_default());
        insert(props, NamedKey::name(PS_INTERNET_HEADERS, "Content-Type"), PropValue::String(v));
    }
}

/// application/pkcs7-mime, application/x-pkcs7-mime, or octet-stream named
/// `*.p7m` ([MS-OXOSMIME] 2.1.3.2).
fn is_opaque_smime(root: &MessagePart<'_>, ct: &ContentType) -> bool {
    ct.is("application", "pkcs7-mime")
        || ct.is("application", "x-pkcs7-mime")
        || (ct.is("application", "octet-stream")
            && filename(root).is_some_and(|n| n.to_ascii_lowercase().ends_with(".p7m")))
}

/// The IMAP-style path of child `i` (0-based) of `path`.
pub(crate) fn child_path(path: &str, i: usize) -> String {
    if path.is_empty() { (i + 1).to_string() } else { format!("{path}.{}", i + 1) }
}

/// The content type of a part.
pub(crate) fn content_type(part: &MessagePart<'_>, parent: Option<&ContentType>) -> ContentType {
    match part.headers.iter().find(|h| h.name == HeaderName::ContentType).and_then(|h| h.value.as_content_type()) {
        Some(ct) => ContentType {
            ty: ct.c_type.to_ascii_lowercase(),
            sub: ct.c_subtype.as_deref().unwrap_or("").to_ascii_lowercase(),
        },
        None if parent.is_some_and(|p| p.is("multipart", "digest")) => {
            ContentType { ty: "message".into(), sub: "rfc822".into() }
        }
        None => ContentType { ty: "text".into(), sub: "plain".into() },
    }
}

/// A parameter of a structured header (Content-Type / Content-Disposition),
/// RFC 2231 / RFC 2047 decoded by mail-parser.
pub(crate) fn param(part: &MessagePart<'_>, header: HeaderName<'_>, name: &str) -> Option<String> {
    let ct = part.headers.iter().find(|h| h.name == header)?.value.as_content_type()?;
    ct.attributes.as_ref()?.iter().find(|a| a.name.eq_ignore_ascii_case(name)).map(|a| a.value.to_string())
}

/// The disposition type, lower-case.
fn disposition(part: &MessagePart<'_>) -> Option<String> {
    let h = part.headers.iter().find(|h| h.name == HeaderName::ContentDisposition)?;
    h.value.as_content_type().map(|c| c.c_type.to_ascii_lowercase())
}

/// The file name: Content-Disposition `filename`, else Content-Type `name`.
pub(crate) fn filename(part: &MessagePart<'_>) -> Option<String> {
    param(part, HeaderName::ContentDisposition, "filename")
        .or_else(|| param(part, HeaderName::ContentType, "name"))
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
}

/// Content-ID without angle brackets.
pub(crate) fn content_id(part: &MessagePart<'_>) -> Option<String> {
    let h = part.headers.iter().find(|h| h.name == HeaderName::ContentId)?;
    let v = match &h.value {
        mail_parser::HeaderValue::Text(t) => t.to_string(),
        mail_parser::HeaderValue::TextList(l) => l.first()?.to_string(),
        _ => return None,
    };
    let v = strip_angle(&v).to_owned();
    (!v.is_empty()).then_some(v)
}

fn header_text(part: &MessagePart<'_>, name: HeaderName<'_>) -> Option<String> {
    part.headers.iter().find(|h| h.name == name)?.value.as_text().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn header_raw_named(part: &MessagePart<'_>, name: &str) -> Option<String> {
    super::headers::find(&part.headers, name)
        .and_then(|h| super::headers::text_of(&h.value))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn strip_angle(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('<').and_then(|t| t.strip_suffix('>')).unwrap_or(s)
}

/// The raw (transfer-encoded) body bytes of a part.
pub(crate) fn raw_body<'a>(mp: &'a MpMessage<'_>, part: &MessagePart<'_>) -> &'a [u8] {
    mp.raw_message.get(part.offset_body as usize..part.offset_end as usize).unwrap_or_default()
}

/// The decoded bytes of a part: transfer encoding removed, charset kept.
pub(crate) fn decoded_bytes<'a>(mp: &'a MpMessage<'_>, part: &'a MessagePart<'_>) -> Cow<'a, [u8]> {
    match &part.body {
        PartType::Binary(b) | PartType::InlineBinary(b) if !part.is_encoding_problem => Cow::Borrowed(b.as_ref()),
        _ => {
            let raw = raw_body(mp, part);
            let decoded = match declared_encoding(part) {
                Encoding::Base64 => mail_parser::decoders::base64::base64_decode(raw),
                Encoding::QuotedPrintable => mail_parser::decoders::quoted_printable::quoted_printable_decode(raw),
                Encoding::None => None,
            };
            decoded.map_or(Cow::Borrowed(raw), Cow::Owned)
        }
    }
}

/// The Content-Transfer-Encoding as declared (mail-parser reports
/// `Encoding::None` for parts it could not decode).
fn declared_encoding(part: &MessagePart<'_>) -> Encoding {
    if part.encoding != Encoding::None {
        return part.encoding;
    }
    match header_text(part, HeaderName::ContentTransferEncoding).map(|s| s.to_ascii_lowercase()).as_deref() {
        Some("base64") => Encoding::Base64,
        Some("quoted-printable") => Encoding::QuotedPrintable,
        _ => Encoding::None,
    }
}

/// True if the raw body decodes in its transfer encoding (quoted-printable
/// and identity always do).
fn transfer_decodable(encoding: Encoding, raw: &[u8]) -> bool {
    match encoding {
        Encoding::Base64 => mail_parser::decoders::base64::base64_decode(raw).is_some(),
        Encoding::QuotedPrintable | Encoding::None => true,
    }
}

/// An 8.3 file name for PidTagAttachFilename ([MS-OXCMSG] PidTagAttachFilename).
fn short_name(long: &str) -> String {
    let (stem, ext) = match long.rfind('.') {
        Some(d) if d > 0 => (&long[..d], &long[d + 1..]),
        _ => (long, ""),
    };
    let clean = |s: &str, n: usize| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .take(n)
            .collect::<String>()
            .to_ascii_uppercase()
    };
    let fits = stem.len() <= 8
        && ext.len() <= 3
        && stem.chars().chain(ext.chars()).all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if fits {
        return long.to_owned();
    }
    let mut s = clean(stem, 6);
    if s.is_empty() {
        s.push_str("ATT");
    }
    s.push_str("~1");
    let e = clean(ext, 3);
    if !e.is_empty() {
        s.push('.');
        s.push_str(&e);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names() {
        assert_eq!(short_name("logo.png"), "logo.png");
        assert_eq!(short_name("Prüfbericht – März 2026.pdf"), "PRFBER~1.PDF");
        assert_eq!(short_name("archive.tar.gz"), "ARCHIV~1.GZ");
        assert_eq!(short_name("日本語.txt"), "ATT~1.TXT");
    }

    #[test]
    fn child_paths() {
        assert_eq!(child_path("", 0), "1");
        assert_eq!(child_path("2", 1), "2.2");
    }
}
