//! XML of WebDAV request and response bodies (RFC 4918 §14): a small
//! namespace-resolved tree for requests, read with quick-xml's `NsReader`,
//! and an escaping writer for multistatus answers.
//!
//! Requests never declare entities: a body with a DOCTYPE is refused
//! outright, and a reference to anything but the five predefined entities
//! or a character reference is an error, so no entity is ever expanded
//! (no billion laughs, no external entities).

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// `DAV:` (RFC 4918).
pub(crate) const DAV: &str = "DAV:";
/// CalDAV (RFC 4791 §4).
pub(crate) const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
/// CardDAV (RFC 6352 §4).
pub(crate) const CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";
/// CalendarServer extensions (getctag).
pub(crate) const CS: &str = "http://calendarserver.org/ns/";
/// Apple iCal extensions (calendar-color).
pub(crate) const ICAL: &str = "http://apple.com/ns/ical/";

/// Deepest element nesting accepted.
const MAX_DEPTH: usize = 32;
/// Most elements in one body.
const MAX_ELEMENTS: usize = 20_000;

/// Why a request body is not acceptable XML.
#[derive(Debug, thiserror::Error)]
pub(crate) enum XmlError {
    /// Not well-formed, or uses what we refuse (DOCTYPE, entities).
    #[error("malformed XML: {0}")]
    Malformed(String),
    /// Too deep or too many elements.
    #[error("XML body exceeds limits")]
    TooComplex,
}

/// One element, its name resolved to (namespace, local name).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Element {
    pub(crate) ns: String,
    pub(crate) name: String,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) children: Vec<Self>,
    pub(crate) text: String,
}

impl Element {
    pub(crate) fn is(&self, ns: &str, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    pub(crate) fn child(&self, ns: &str, name: &str) -> Option<&Self> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    pub(crate) fn children_named<'a>(&'a self, ns: &'a str, name: &'a str) -> impl Iterator<Item = &'a Self> + 'a {
        self.children.iter().filter(move |c| c.is(ns, name))
    }

    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Parses a request body into its root element.
pub(crate) fn parse(body: &[u8]) -> Result<Element, XmlError> {
    let text = std::str::from_utf8(body).map_err(|_| XmlError::Malformed("not UTF-8".into()))?;
    let mut reader = NsReader::from_str(text);
    reader.config_mut().trim_text(false);
    let bad = |e: quick_xml::Error| XmlError::Malformed(e.to_string());
    let mut stack: Vec<Element> = Vec::new();
    let mut count = 0usize;
    loop {
        let (ns, event) = reader.read_resolved_event().map_err(bad)?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                count += 1;
                if count > MAX_ELEMENTS || stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooComplex);
                }
                let ns = match ns {
                    ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
                    ResolveResult::Unbound => String::new(),
                    ResolveResult::Unknown(p) => {
                        return Err(XmlError::Malformed(format!("unknown prefix {}", String::from_utf8_lossy(&p))));
                    }
                };
                let mut el = Element {
                    ns,
                    name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                    ..Element::default()
                };
                for a in e.attributes() {
                    let a = a.map_err(|e| XmlError::Malformed(e.to_string()))?;
                    if a.key.as_ref().starts_with(b"xmlns") {
                        continue;
                    }
                    let value = a.unescape_value().map_err(bad)?.into_owned();
                    el.attrs.push((String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned(), value));
                }
                if matches!(event, Event::Empty(_)) {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(el),
                        None => return finish(reader, el),
                    }
                } else {
                    stack.push(el);
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or_else(|| XmlError::Malformed("unbalanced end tag".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return finish(reader, el),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml_content().map_err(|e| XmlError::Malformed(e.to_string()))?);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.decode().map_err(|e| XmlError::Malformed(e.to_string()))?);
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().map_err(bad)? {
                    Some(c) => c.to_string(),
                    None => match r.as_ref() {
                        b"amp" => "&".into(),
                        b"lt" => "<".into(),
                        b"gt" => ">".into(),
                        b"quot" => "\"".into(),
                        b"apos" => "'".into(),
                        other => {
                            return Err(XmlError::Malformed(format!(
                                "entity reference &{}; refused",
                                String::from_utf8_lossy(other)
                            )));
                        }
                    },
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&c);
                }
            }
            Event::DocType(_) => return Err(XmlError::Malformed("DOCTYPE refused".into())),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => return Err(XmlError::Malformed("no root element".into())),
        }
    }
}

/// Only whitespace, comments and PIs may follow the root.
fn finish(mut reader: NsReader<&[u8]>, root: Element) -> Result<Element, XmlError> {
    loop {
        match reader.read_event().map_err(|e| XmlError::Malformed(e.to_string()))? {
            Event::Eof => return Ok(root),
            Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) => {}
            Event::Comment(_) | Event::PI(_) => {}
            _ => return Err(XmlError::Malformed("content after the root element".into())),
        }
    }
}

/// Escapes text and attribute values.
pub(crate) fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// The prefix multistatus answers use for a namespace (declared on the
/// root), or `None` for a namespace we do not declare.
pub(crate) fn prefix(ns: &str) -> Option<&'static str> {
    Some(match ns {
        DAV => "d",
        CALDAV => "c",
        CARDDAV => "card",
        CS => "cs",
        ICAL => "ical",
        _ => return None,
    })
}

/// The namespace declarations of a multistatus root.
pub(crate) const NS_DECLS: &str = concat!(
    r#"xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:card="urn:ietf:params:xml:ns:carddav" "#,
    r#"xmlns:cs="http://calendarserver.org/ns/" xmlns:ical="http://apple.com/ns/ical/""#
);

/// An empty element `<p:name/>` for a property name, declaring an unknown
/// namespace inline.
pub(crate) fn empty_element(ns: &str, name: &str) -> String {
    match prefix(ns) {
        Some(p) => format!("<{p}:{name}/>"),
        None => format!("<x:{name} xmlns:x=\"{}\"/>", escape(ns)),
    }
}

/// `<p:name>inner</p:name>` (inner already XML).
pub(crate) fn element(ns: &str, name: &str, inner: &str) -> String {
    match prefix(ns) {
        Some(p) => format!("<{p}:{name}>{inner}</{p}:{name}>"),
        None => format!("<x:{name} xmlns:x=\"{}\">{inner}</x:{name}>", escape(ns)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_namespaces_and_text() {
        let body = br#"<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns="urn:ietf:params:xml:ns:caldav"><D:prop><D:displayname/><calendar-data>a &amp; b &#x41;</calendar-data></D:prop></D:propfind>"#;
        let root = parse(body).expect("parses");
        assert!(root.is(DAV, "propfind"));
        let prop = root.child(DAV, "prop").expect("prop");
        assert!(prop.child(DAV, "displayname").is_some());
        assert_eq!(prop.child(CALDAV, "calendar-data").map(|e| e.text.as_str()), Some("a & b A"));
    }

    #[test]
    fn entity_bomb_is_not_expanded() {
        let bomb = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&lol3;</D:displayname></D:prop></D:propfind>"#;
        assert!(matches!(parse(bomb.as_bytes()), Err(XmlError::Malformed(_))));
        // Without the DOCTYPE the reference is refused, not expanded or kept.
        let undeclared =
            r#"<D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&xxe;</D:displayname></D:prop></D:propfind>"#;
        assert!(matches!(parse(undeclared.as_bytes()), Err(XmlError::Malformed(_))));
    }

    #[test]
    fn depth_is_limited() {
        let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
        assert!(matches!(parse(deep.as_bytes()), Err(XmlError::TooComplex)));
    }

    #[test]
    fn unknown_prefix_and_trailing_content_are_refused() {
        assert!(parse(b"<x:a/>").is_err());
        assert!(parse(b"<a/><b/>").is_err());
        assert!(parse(b"").is_err());
    }
}
