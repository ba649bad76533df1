//! Message bodies ([MS-OXCMAIL] 2.2.3.3 body parts): text/plain → PidTagBody
//! (Unicode), text/html → PidTagHtml (bytes in the part's charset) with
//! PidTagInternetCodepage, PidTagNativeBody ([MS-OXCMSG] PidTagNativeBody).

use mail_parser::{HeaderName, MessagePart, PartType};
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;

use super::charset;
use super::parts::{ContentType, Converter, MpMessage, decoded_bytes, param};
use super::{WarningKind, insert};
use crate::bag::PropertyBag;

/// The body parts found so far in one message.
#[derive(Debug, Default)]
pub(crate) struct BodyState {
    /// PidTagBody and the code page of its part.
    plain: Option<(String, u32)>,
    /// PidTagHtml bytes, their code page, and the decoded text (to find
    /// `cid:` references).
    html: Option<(Vec<u8>, u32, String)>,
    /// The body came from a clear-signed message (PidTagNativeBody 4).
    pub(crate) native_clear_signed: bool,
}

impl BodyState {
    /// True once a text or HTML body was found.
    pub(crate) fn has_body(&self) -> bool {
        self.plain.is_some() || self.html.is_some()
    }

    /// True if a part of this type can still become a body.
    pub(crate) fn accepts(&self, ct: &ContentType) -> bool {
        if ct.is("text", "html") { self.html.is_none() } else { self.plain.is_none() }
    }

    /// The decoded HTML body.
    pub(crate) fn html_text(&self) -> Option<String> {
        self.html.as_ref().map(|(_, _, t)| t.clone())
    }

    /// Writes the body properties.
    pub(crate) fn apply(&self, props: &mut PropertyBag) {
        if let Some((text, _)) = &self.plain {
            insert(props, PropTag::BODY, PropValue::String(text.clone()));
        }
        if let Some((bytes, _, _)) = &self.html {
            insert(props, PropTag::HTML, PropValue::Binary(bytes.clone()));
        }
        let cp = self.html.as_ref().map(|h| h.1).or(self.plain.as_ref().map(|p| p.1));
        if let Some(cp) = cp {
            insert(props, PropTag::INTERNET_CODEPAGE, PropValue::I32(cp as i32));
        }
        // [MS-OXCMSG] PidTagNativeBody: 1 plain, 3 HTML, 4 clear-signed.
        let native = if self.native_clear_signed && self.has_body() {
            Some(4)
        } else if self.html.is_some() {
            Some(3)
        } else if self.plain.is_some() {
            Some(1)
        } else {
            None
        };
        if let Some(n) = native {
            insert(props, PropTag::NATIVE_BODY, PropValue::I32(n));
        }
    }
}

impl Converter<'_> {
    /// Makes a text/plain or text/html part the body.
    pub(crate) fn set_body(
        &mut self,
        mp: &MpMessage<'_>,
        b: &mut super::parts::Build,
        part: &MessagePart<'_>,
        ct: &ContentType,
        path: &str,
    ) {
        let bytes = decoded_bytes(mp, part);
        let mut label = param(part, HeaderName::ContentType, "charset");
        if label.is_none() && ct.is("text", "html") {
            label = meta_charset(&bytes);
        }
        let mut dec = charset::decode(&bytes, label.as_deref());
        if !dec.known {
            self.warn(path, WarningKind::UnknownCharset, format!("charset {:?}", label.as_deref().unwrap_or("")));
            // mail-parser knows a few more (UTF-7…); its text is Unicode.
            if let PartType::Text(t) | PartType::Html(t) = &part.body {
                dec.text = t.to_string();
            }
            dec.codepage = 65001;
        } else if dec.had_errors {
            self.warn(
                path,
                WarningKind::CharsetErrors,
                format!("bytes invalid in {:?} replaced", label.as_deref().unwrap_or("")),
            );
        }
        if ct.is("text", "html") {
            // PidTagHtml keeps the part's own bytes when its code page is
            // known and the bytes decoded cleanly; else UTF-8.
            let keep_original = dec.known && !dec.had_errors && dec.codepage != 65001;
            let html = if keep_original { bytes.into_owned() } else { dec.text.as_bytes().to_vec() };
            let cp = if keep_original { dec.codepage } else { 65001 };
            b.body.html = Some((html, cp, dec.text));
        } else {
            b.body.plain = Some((dec.text, dec.codepage));
        }
    }
}

/// The charset an HTML document declares in a `<meta>` element within its
/// first 1024 bytes (HTML Living Standard 13.2.3.2 prescan, simplified):
/// used when the Content-Type has no charset.
fn meta_charset(html: &[u8]) -> Option<String> {
    let head = html.get(..html.len().min(1024))?;
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(i) = find(&lower[from..], b"<meta").map(|i| i + from) {
        let end = find(&lower[i..], b">").map_or(lower.len(), |e| i + e);
        let tag = &lower[i..end];
        if let Some(c) = find(tag, b"charset=") {
            let v: String = tag[c + 8..]
                .iter()
                .skip_while(|b| **b == b'"' || **b == b'\'' || **b == b' ')
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
                .map(|b| char::from(*b))
                .collect();
            if !v.is_empty() {
                return Some(v);
            }
        }
        from = end;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_charsets() {
        assert_eq!(meta_charset(b"<html><head><META charset=\"ISO-8859-1\">").as_deref(), Some("iso-8859-1"));
        assert_eq!(
            meta_charset(b"<meta http-equiv=Content-Type content='text/html; charset=windows-1251'>").as_deref(),
            Some("windows-1251")
        );
        assert_eq!(meta_charset(b"<meta name=x><p>charset=no</p>"), None);
    }
}
