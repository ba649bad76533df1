//! Reading calcard's parsed properties: values, parameters, preferences,
//! and the few formats the reader and the renderer share (formatted
//! addresses, default file-as, kept content lines).

use calcard::common::IanaString;
use calcard::vcard::{VCardEntry, VCardParameterName, VCardParameterValue, VCardProperty, VCardValue};
use mapi_wire::PropTag;

use super::VcardVersion;
use super::write::escape_text;
use crate::bag::PropertyBag;

/// PidLidFileUnder ([MS-OXOCNTC] 2.2.1.1.11): Outlook's default
/// "Surname, Given Middle", else the display name.
pub(crate) fn default_file_as(bag: &PropertyBag, display_name: &str) -> String {
    let s = |t| bag.non_empty_string(t).map(|v| v.trim().to_owned());
    match (s(PropTag::SURNAME), s(PropTag::GIVEN_NAME), s(PropTag::MIDDLE_NAME)) {
        (Some(sn), Some(g), Some(m)) => format!("{sn}, {g} {m}"),
        (Some(sn), Some(g), None) => format!("{sn}, {g}"),
        (Some(sn), None, _) => sn,
        _ => display_name.to_owned(),
    }
}

/// "Street\r\nCity, Region Postal\r\nCountry", the way Outlook formats
/// PidLidWorkAddress and friends.
pub(crate) fn format_address(parts: &[String; 6]) -> String {
    let [po_box, street, city, region, postal, country] = parts;
    let mut line2 = city.clone();
    if !region.is_empty() {
        if !line2.is_empty() {
            line2.push_str(", ");
        }
        line2.push_str(region);
    }
    if !postal.is_empty() {
        if !line2.is_empty() {
            line2.push(' ');
        }
        line2.push_str(postal);
    }
    [po_box.as_str(), street.as_str(), line2.as_str(), country.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// A parameter value with the `^` escapes of [RFC 6868] decoded; the
/// backslash-n that ez-vcard (DAVx5) writes into LABEL is a line break too.
///
/// [RFC 6868]: https://www.rfc-editor.org/rfc/rfc6868
pub(crate) fn decode_param(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek().copied()) {
            ('^', Some('n' | 'N')) | ('\\', Some('n' | 'N')) => {
                chars.next();
                out.push('\n');
            }
            ('^', Some('\'')) => {
                chars.next();
                out.push('"');
            }
            ('^', Some('^')) => {
                chars.next();
                out.push('^');
            }
            (c, _) => out.push(c),
        }
    }
    out
}

/// Any line break (CRLF, LF, CR) as CRLF.
pub(crate) fn crlf(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n").replace('\n', "\r\n")
}

/// Apple's `_$!<HomePage>!$_` → `homepage`; a custom label as is, lower case.
pub(crate) fn apple_label(raw: &str) -> String {
    raw.trim().trim_start_matches("_$!<").trim_end_matches(">!$_").to_lowercase()
}

pub(crate) fn strip_scheme<'s>(v: &'s str, scheme: &str) -> &'s str {
    match v.get(..scheme.len()) {
        Some(p) if p.eq_ignore_ascii_case(scheme) => v.get(scheme.len()..).unwrap_or_default(),
        _ => v,
    }
}

/// The text of every value (component lists joined with commas).
pub(crate) fn texts(e: &VCardEntry) -> Vec<String> {
    e.values.iter().filter_map(value_as_text).collect()
}

/// Control characters are not vCard text ([RFC 6350] 3.3 VALUE-CHAR;
/// line breaks arrive escaped as `\n` and are decoded by then): dropped,
/// so that what is stored is what a GET can return.
///
/// [RFC 6350]: https://www.rfc-editor.org/rfc/rfc6350
pub(crate) fn clean(s: &str) -> String {
    if s.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')) {
        s.chars().filter(|c| !c.is_control() || matches!(c, '\t' | '\r' | '\n')).collect()
    } else {
        s.to_owned()
    }
}

pub(crate) fn value_as_text(v: &VCardValue) -> Option<String> {
    Some(match v {
        VCardValue::Text(s) => clean(s),
        VCardValue::Component(c) => clean(&c.join(",")),
        VCardValue::Integer(i) => i.to_string(),
        VCardValue::Float(f) => f.to_string(),
        VCardValue::Boolean(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        VCardValue::Kind(k) => k.as_str().to_owned(),
        VCardValue::Sex(s) => s.as_str().to_owned(),
        VCardValue::GramGender(g) => g.as_str().to_owned(),
        VCardValue::PartialDateTime(p) => {
            let mut s = String::new();
            let _ = p.format_as_vcard(&mut s, &calcard::vcard::VCardValueType::DateAndOrTime);
            s
        }
        VCardValue::Binary(_) => return None,
    })
}

/// A single-valued property's value (several values joined with commas).
pub(crate) fn value_text(e: &VCardEntry) -> String {
    texts(e).join(",")
}

/// A structured value's components; a component with several values is
/// joined with `join`.
pub(crate) fn components(e: &VCardEntry, join: &str) -> Vec<String> {
    e.values
        .iter()
        .map(|v| match v {
            VCardValue::Component(c) => clean(&c.join(join)),
            other => value_as_text(other).unwrap_or_default(),
        })
        .collect()
}

pub(crate) fn param_value_text(v: &VCardParameterValue) -> String {
    match v {
        VCardParameterValue::Text(s) => clean(s),
        VCardParameterValue::Integer(i) => i.to_string(),
        VCardParameterValue::Timestamp(t) => t.to_string(),
        VCardParameterValue::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        VCardParameterValue::ValueType(t) => t.as_str().to_owned(),
        VCardParameterValue::Type(t) => t.as_str().to_owned(),
        VCardParameterValue::Calscale(c) => c.as_str().to_owned(),
        VCardParameterValue::Level(l) => l.as_str().to_owned(),
        VCardParameterValue::Phonetic(p) => p.as_str().to_owned(),
        VCardParameterValue::Jscomps(_) | VCardParameterValue::Null => String::new(),
    }
}

pub(crate) fn param_text(e: &VCardEntry, name: &VCardParameterName) -> Option<String> {
    e.params.iter().find(|p| &p.name == name).map(|p| param_value_text(&p.value)).filter(|s| !s.is_empty())
}

/// Lower-case TYPE values, including vCard 2.1's bare ones (`TEL;WORK;FAX`).
pub(crate) fn types(e: &VCardEntry) -> Vec<String> {
    let mut out = Vec::new();
    for p in &e.params {
        let text = match (&p.name, &p.value) {
            (VCardParameterName::Type, v) => param_value_text(v),
            (VCardParameterName::Other(name), VCardParameterValue::Null) => name.clone(),
            _ => continue,
        };
        out.extend(text.split(',').map(|t| t.trim().to_ascii_lowercase()).filter(|t| !t.is_empty()));
    }
    out
}

/// The preference of a property: `PREF=n` (4.0) or `TYPE=pref` (3.0, 1);
/// 100 when neither ([RFC 6350] 5.3: 1 is most preferred, 100 least).
///
/// [RFC 6350]: https://www.rfc-editor.org/rfc/rfc6350
pub(crate) fn preference(e: &VCardEntry) -> u32 {
    if let Some(p) = e.params.iter().find(|p| p.name == VCardParameterName::Pref) {
        return match &p.value {
            VCardParameterValue::Integer(i) => (*i).clamp(1, 100),
            VCardParameterValue::Text(t) => t.trim().parse().unwrap_or(1),
            _ => 1,
        };
    }
    if types(e).iter().any(|t| t == "pref") { 1 } else { 100 }
}

/// A `data:[type][;base64],payload` URI ([RFC 2397]).
///
/// [RFC 2397]: https://www.rfc-editor.org/rfc/rfc2397
pub(crate) fn decode_data_uri(uri: &str) -> Option<(Vec<u8>, Option<String>)> {
    use base64::Engine as _;
    let rest = uri.get(5..)?;
    let (meta, payload) = rest.split_once(',')?;
    let meta = meta.trim_end_matches('\\');
    let is_b64 = meta.to_ascii_lowercase().ends_with(";base64");
    let media = meta.split(';').next().filter(|m| !m.is_empty()).map(str::to_owned);
    if !is_b64 {
        return None;
    }
    let clean: String = payload.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(clean.trim_end_matches('='))
        .ok()
        .or_else(|| base64::engine::general_purpose::STANDARD_NO_PAD.decode(clean.trim_end_matches('=')).ok())?;
    Some((bytes, media))
}

/// Base64 that calcard could not decode (a stray comma or blank in the
/// data): the alphabet characters decoded, the rest skipped. `None` if the
/// text is not mostly base64.
pub(crate) fn lenient_base64(t: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let alphabet = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/');
    let clean: String = t.chars().filter(|c| alphabet(*c)).collect();
    if clean.len() < 4 || clean.len() * 10 < t.trim_end_matches('=').len() * 9 {
        return None;
    }
    let whole = clean.len() / 4 * 4;
    base64::engine::general_purpose::STANDARD_NO_PAD.decode(clean.get(..whole)?).ok()
}

/// `scheme:` at the start ([RFC 3986] 3.1).
///
/// [RFC 3986]: https://www.rfc-editor.org/rfc/rfc3986
pub(crate) fn has_uri_scheme(v: &str) -> bool {
    match v.split_once(':') {
        Some((scheme, _)) => {
            let mut chars = scheme.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

pub(crate) fn sniff_image(b: &[u8]) -> Option<&'static str> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if b.starts_with(b"\x89PNG") {
        Some("image/png")
    } else if b.starts_with(b"GIF8") {
        Some("image/gif")
    } else {
        None
    }
}

/// A parsed property as a content line (unfolded), for
/// [`super::props::VCARD_EXTRA`].
pub(crate) fn entry_line(e: &VCardEntry, version: VcardVersion) -> String {
    use base64::Engine as _;
    let mut line = String::new();
    if let Some(g) = &e.group {
        line.push_str(g);
        line.push('.');
    }
    line.push_str(e.name.as_str());
    let mut last: Option<&VCardParameterName> = None;
    for p in &e.params {
        let v = param_value_text(&p.value);
        if last == Some(&p.name) {
            line.push(',');
        } else {
            line.push(';');
            line.push_str(p.name.as_str());
            if matches!(p.value, VCardParameterValue::Null) {
                last = None;
                continue;
            }
            line.push('=');
        }
        if v.contains([':', ';', ',']) {
            line.push('"');
            line.push_str(&v.replace('"', "'"));
            line.push('"');
        } else {
            line.push_str(&v);
        }
        last = Some(&p.name);
    }
    let binary = e.values.iter().find_map(|v| match v {
        VCardValue::Binary(d) => Some(d),
        _ => None,
    });
    if let Some(d) = binary {
        let b64 = base64::engine::general_purpose::STANDARD.encode(&d.data);
        if version == VcardVersion::V4 {
            line.push_str(":data:");
            line.push_str(d.content_type.as_deref().unwrap_or("application/octet-stream"));
            line.push_str(";base64,");
        } else {
            line.push_str(";ENCODING=b:");
        }
        line.push_str(&b64);
        return line;
    }
    line.push(':');
    let structured = matches!(e.name, VCardProperty::N | VCardProperty::Adr | VCardProperty::Org);
    let sep = if structured { ";" } else { "," };
    let values: Vec<String> = e
        .values
        .iter()
        .map(|v| match v {
            VCardValue::Component(c) => c.iter().map(|x| escape_text(x)).collect::<Vec<_>>().join(","),
            VCardValue::Text(t) if matches!(e.name, VCardProperty::Member | VCardProperty::Url) => t.clone(),
            other => escape_text(&value_as_text(other).unwrap_or_default()),
        })
        .collect();
    line.push_str(&values.join(sep));
    line
}
