//! Which body forms a message renders ([MS-OXCMAIL] 2.1.3.3 body,
//! [MS-OXBBODY] best body): PidTagBody as text/plain, PidTagHtml as
//! text/html in the PidTagInternetCodepage charset, and, when there is no
//! HTML, the HTML or text de-encapsulated from PidTagRtfCompressed
//! ([MS-OXRTFEX]).

use std::borrow::Cow;

use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;

use super::charset::{charset_for_codepage, encoding_for_codepage};
use crate::message::Message;
use crate::rtf::{self, RtfBody};

/// The body forms to render.
pub(super) struct Bodies<'a> {
    /// text/plain, UTF-8.
    pub(super) text: Option<Cow<'a, str>>,
    /// text/html bytes and their charset label.
    pub(super) html: Option<(Cow<'a, [u8]>, &'static str)>,
}

/// Selects the bodies of `msg`.
pub(super) fn bodies(msg: &Message) -> Bodies<'_> {
    let p = &msg.props;
    let mut text = text_body(msg);
    let mut html = html_body(msg);
    if html.is_none()
        && let Some(rtf) = p.binary(PropTag::RTF_COMPRESSED).and_then(rtf::body_from_compressed)
    {
        match rtf {
            RtfBody::Html(h) => html = Some((Cow::Owned(h.into_bytes()), "utf-8")),
            RtfBody::Text(t) | RtfBody::Rtf(t) => {
                if text.as_deref().is_none_or(|s| s.trim().is_empty()) {
                    text = Some(Cow::Owned(t));
                }
            }
        }
    }
    // An empty text body next to an HTML body is noise.
    if html.is_some() && text.as_deref().is_some_and(|t| t.trim().is_empty()) {
        text = None;
    }
    Bodies { text, html }
}

/// PidTagHtml (binary, charset from PidTagInternetCodepage) or a PtypString
/// PidTagBodyHtml.
fn html_body(msg: &Message) -> Option<(Cow<'_, [u8]>, &'static str)> {
    let p = &msg.props;
    match p.get(PropTag::HTML)? {
        PropValue::String(s) => return Some((Cow::Borrowed(s.as_bytes()), "utf-8")),
        PropValue::String8(b) | PropValue::Binary(b) => {
            let cp = p.i32(PropTag::INTERNET_CODEPAGE).and_then(|c| u32::try_from(c).ok());
            let label = cp.and_then(charset_for_codepage);
            let enc = cp.and_then(encoding_for_codepage);
            return Some(match (label, enc) {
                // UTF-16 and other non-ASCII-compatible encodings: transcode.
                (Some(_), Some(e)) if !e.is_ascii_compatible() => {
                    (Cow::Owned(e.decode_without_bom_handling(b).0.into_owned().into_bytes()), "utf-8")
                }
                (Some(l), _) => (Cow::Borrowed(b.as_slice()), l),
                (None, _) => match sniff_meta_charset(b) {
                    Some(label) => (Cow::Borrowed(b.as_slice()), label),
                    None if std::str::from_utf8(b).is_ok() => (Cow::Borrowed(b.as_slice()), "utf-8"),
                    None => (Cow::Borrowed(b.as_slice()), "windows-1252"),
                },
            });
        }
        _ => {}
    }
    None
}

/// PidTagBody; a PtypString8 value is decoded with PidTagInternetCodepage
/// (else UTF-8/Windows-1252, [`crate::PropertyBag::string`]).
fn text_body(msg: &Message) -> Option<Cow<'_, str>> {
    let p = &msg.props;
    if let Some(PropValue::String8(b)) = p.get(PropTag::BODY)
        && let Some(enc) =
            p.i32(PropTag::INTERNET_CODEPAGE).and_then(|c| u32::try_from(c).ok()).and_then(encoding_for_codepage)
    {
        return Some(enc.decode_without_bom_handling(b).0);
    }
    p.string(PropTag::BODY)
}

/// The charset an HTML document declares in a `<meta>` within its first
/// 2 KiB (`charset=…`), if `encoding_rs` knows it and it is ASCII-compatible
/// (HTML Living Standard "prescan", simplified).
fn sniff_meta_charset(html: &[u8]) -> Option<&'static str> {
    let head = html.get(..html.len().min(2048))?;
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let at = lower.windows(8).position(|w| w == b"charset=")? + 8;
    let rest = lower.get(at..)?;
    let rest = rest.strip_prefix(b"\"").or_else(|| rest.strip_prefix(b"'")).unwrap_or(rest);
    let end = rest.iter().position(|c| !(c.is_ascii_alphanumeric() || b"-_.:".contains(c))).unwrap_or(rest.len());
    let enc = encoding_rs::Encoding::for_label(rest.get(..end)?)?;
    enc.is_ascii_compatible().then(|| enc.name())
}
