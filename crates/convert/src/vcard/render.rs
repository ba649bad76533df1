//! Contact / Personal Distribution List → vCard ([MS-OXVCARD] 2.1.3
//! export direction). Rendering is lenient: a missing or odd property is
//! skipped, never an error; only a message that is no contact fails.

use std::borrow::Cow;

use base64::Engine as _;
use mapi_wire::PropTag;
use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::tags::{PidLid, PidName};

use super::date::Date;
use super::distlist::member_uri;
use super::props::{ADDRESSES, AddressField, AddressKind, EMAILS, PHONES, VCARD_EXTRA, VCARD_MEMBERS, VCARD_UID};
use super::values::{default_file_as, format_address};
use super::write::{CardWriter, Param, escape_text};
use super::{VcardError, VcardRenderOptions, is_vcard_message};
use crate::bag::PropertyBag;
use crate::message::{AttachMethod, Attachment, Message};

/// Renders a contact or distribution list as one vCard in
/// `options.version`.
pub fn message_to_vcard(message: &Message, options: &VcardRenderOptions<'_>) -> Result<String, VcardError> {
    if !is_vcard_message(message) {
        return Err(VcardError::NotAContact(message.class().into_owned()));
    }
    let p = &message.props;
    let mut w = CardWriter::new(options.version);
    w.text("PRODID", &[], "-//mapibridge//convert//EN");
    let uid = p.non_empty_string(VCARD_UID).map(Cow::into_owned).or_else(|| options.fallback_uid.map(str::to_owned));
    if let Some(uid) = uid {
        // UID is a URI in 4.0 (written as is) and text in 3.0; a 4.0 UID
        // with characters text escapes is written as text (RFC 6350 6.7.6
        // allows VALUE=text), since readers unescape it either way.
        match (w.v4(), uid.contains(['\\', ',', ';'])) {
            (true, false) => w.line(None, "UID", &[], &uid),
            (true, true) => w.text("UID", &[("VALUE", vec!["text".to_owned()])], &uid),
            (false, _) => w.text("UID", &[], &uid),
        }
    }
    let is_list = message.class_is("IPM.DistList");
    let display = display_name(p);
    w.text("FN", &[], &display);
    if is_list {
        render_list(&mut w, message, &display, options);
    } else {
        render_contact(&mut w, message);
    }
    if let Some(body) = p.non_empty_string(PropTag::BODY) {
        w.text("NOTE", &[], &body);
    }
    if let Some(cats) = p.strings(PidName::KEYWORDS).filter(|c| !c.is_empty()) {
        let v: Vec<String> = cats.iter().map(|c| escape_text(c)).collect();
        w.line(None, "CATEGORIES", &[], &v.join(","));
    }
    if let Some(t) = p.time(PropTag::LAST_MODIFICATION_TIME) {
        w.line(None, "REV", &[], &timestamp(t));
    }
    if let Some(extra) = p.string(VCARD_EXTRA) {
        w.kept_lines(&extra);
    }
    Ok(w.finish())
}

fn display_name(p: &PropertyBag) -> String {
    if let Some(d) = p.non_empty_string(PropTag::DISPLAY_NAME) {
        return d.into_owned();
    }
    let parts: Vec<Cow<'_, str>> = [
        PropTag::DISPLAY_NAME_PREFIX,
        PropTag::GIVEN_NAME,
        PropTag::MIDDLE_NAME,
        PropTag::SURNAME,
        PropTag::GENERATION,
    ]
    .iter()
    .filter_map(|t| p.non_empty_string(*t))
    .collect();
    if !parts.is_empty() {
        return parts.join(" ");
    }
    p.non_empty_string(PidLid::DISTRIBUTION_LIST_NAME)
        .or_else(|| p.non_empty_string(PropTag::COMPANY_NAME))
        .or_else(|| p.non_empty_string(PidLid::EMAIL1_EMAIL_ADDRESS))
        .or_else(|| p.non_empty_string(PidLid::FILE_UNDER))
        .map(Cow::into_owned)
        .unwrap_or_default()
}

fn render_list(w: &mut CardWriter, message: &Message, display: &str, options: &VcardRenderOptions<'_>) {
    let p = &message.props;
    if w.v4() {
        w.line(None, "KIND", &[], "group");
    } else {
        // Apple's group form ([RFC 6350] KIND does not exist in 3.0).
        w.line(None, "X-ADDRESSBOOKSERVER-KIND", &[], "group");
        w.structured("N", &[], &[display, "", "", "", ""]);
    }
    let members = p.binary_list(PidLid::DISTRIBUTION_LIST_MEMBERS);
    let one_offs = p.binary_list(PidLid::DISTRIBUTION_LIST_ONE_OFF_MEMBERS);
    let name = if w.v4() { "MEMBER" } else { "X-ADDRESSBOOKSERVER-MEMBER" };
    for (i, m) in members.iter().enumerate() {
        let one_off = one_offs.get(i).map(Vec::as_slice);
        if let Some(uri) = member_uri(m, one_off, options.directory) {
            w.line(None, name, &[], &uri);
        }
    }
    for uri in p.strings(VCARD_MEMBERS).unwrap_or_default() {
        w.line(None, name, &[], &uri);
    }
}

fn render_contact(w: &mut CardWriter, message: &Message) {
    let p = &message.props;
    let s = |t: PropTag| p.non_empty_string(t).map(Cow::into_owned).unwrap_or_default();
    let n = [
        s(PropTag::SURNAME),
        s(PropTag::GIVEN_NAME),
        s(PropTag::MIDDLE_NAME),
        s(PropTag::DISPLAY_NAME_PREFIX),
        s(PropTag::GENERATION),
    ];
    w.structured("N", &[], &n.iter().map(String::as_str).collect::<Vec<_>>());
    if let Some(v) = p.non_empty_string(PropTag::NICKNAME) {
        w.text("NICKNAME", &[], &v);
    }
    if let Some(v) = p.non_empty_string(PidLid::FILE_UNDER)
        && *v != default_file_as(p, &display_name(p))
    {
        w.text("X-MAPIBRIDGE-FILE-AS", &[], &v);
    }
    let (company, dept) = (s(PropTag::COMPANY_NAME), s(PropTag::DEPARTMENT_NAME));
    if !company.is_empty() || !dept.is_empty() {
        let mut org = vec![escape_text(&company)];
        if !dept.is_empty() {
            org.push(escape_text(&dept));
        }
        w.line(None, "ORG", &[], &org.join(";"));
    }
    for (tag, name) in [(PropTag::TITLE, "TITLE"), (PropTag::PROFESSION, "ROLE")] {
        if let Some(v) = p.non_empty_string(tag) {
            w.text(name, &[], &v);
        }
    }
    render_emails(w, p);
    render_phones(w, p);
    render_addresses(w, p);
    render_dates(w, p);
    render_urls(w, p);
    if let Some(im) = p.non_empty_string(PidLid::INSTANT_MESSAGING_ADDRESS) {
        // IMPP is a URI ([RFC 4770] for 3.0, RFC 6350 6.4.3); Outlook's bare
        // screen names go to X-MS-IMADDRESS ([MS-OXVCARD] 2.1.3.9.x).
        if im.contains(':') { w.line(None, "IMPP", &[], &im) } else { w.text("X-MS-IMADDRESS", &[], &im) }
    }
    for (tag, name) in [
        (PropTag::MANAGER_NAME, "X-MS-MANAGER"),
        (PropTag::ASSISTANT, "X-MS-ASSISTANT"),
        (PropTag::SPOUSE_NAME, "X-MS-SPOUSE"),
    ] {
        if let Some(v) = p.non_empty_string(tag) {
            w.text(name, &[], &v);
        }
    }
    for child in p.strings(PropTag::CHILDRENS_NAMES).unwrap_or_default() {
        w.text("X-MS-CHILD", &[], &child);
    }
    if w.v4() {
        match p.i32(PropTag::GENDER) {
            Some(1) => w.line(None, "GENDER", &[], "F"),
            Some(2) => w.line(None, "GENDER", &[], "M"),
            _ => {}
        }
    }
    for (prop, name) in [
        (PidLid::YOMI_FIRST_NAME, "X-PHONETIC-FIRST-NAME"),
        (PidLid::YOMI_LAST_NAME, "X-PHONETIC-LAST-NAME"),
        (PidLid::YOMI_COMPANY_NAME, "X-PHONETIC-ORG"),
    ] {
        if let Some(v) = p.non_empty_string(prop) {
            w.text(name, &[], &v);
        }
    }
    render_photo(w, message);
}

fn types(w: &CardWriter, values: &[&str]) -> Vec<String> {
    values.iter().map(|v| if w.v4() { (*v).to_owned() } else { v.to_ascii_uppercase() }).collect()
}

fn render_emails(w: &mut CardWriter, p: &PropertyBag) {
    let mut first = true;
    for slot in EMAILS {
        let Some(addr) = p.non_empty_string(slot.address) else { continue };
        // Only SMTP addresses mean anything to a vCard client.
        if p.non_empty_string(slot.address_type).is_some_and(|t| !t.eq_ignore_ascii_case("SMTP")) {
            if let Some(orig) = p.non_empty_string(slot.original_display_name).filter(|o| o.contains('@')) {
                email_line(w, &orig, first);
                first = false;
            }
            continue;
        }
        email_line(w, &addr, first);
        first = false;
    }
}

fn email_line(w: &mut CardWriter, addr: &str, pref: bool) {
    if w.v4() {
        let params: Vec<Param<'_>> = if pref { vec![("PREF", vec!["1".to_owned()])] } else { Vec::new() };
        w.text("EMAIL", &params, addr);
    } else {
        let mut t = vec!["INTERNET".to_owned()];
        if pref {
            t.push("PREF".to_owned());
        }
        w.text("EMAIL", &[("TYPE", t)], addr);
    }
}

fn render_phones(w: &mut CardWriter, p: &PropertyBag) {
    let mut labelled = 0;
    for slot in PHONES {
        let Some(number) = p.non_empty_string(slot.tag) else { continue };
        if slot.ms_type.is_some() {
            labelled += 1;
            let group = format!("tel{labelled}");
            let value = escape_text(&number);
            if w.v4() {
                w.line(Some(&group), "TEL", &[("VALUE", vec!["text".to_owned()])], &value);
            } else {
                w.line(Some(&group), "TEL", &[], &value);
            }
            w.line(Some(&group), "X-ABLabel", &[], &escape_text(slot.label));
            continue;
        }
        let mut params: Vec<Param<'_>> = Vec::new();
        if w.v4() {
            // TEL's default value type is URI in 4.0 (RFC 6350 6.4.1); a
            // number as typed by a person is text.
            params.push(("VALUE", vec!["text".to_owned()]));
            let t: Vec<&str> = slot.types.iter().copied().filter(|t| *t != "pref").collect();
            params.push(("TYPE", types(w, &t)));
            if slot.types.contains(&"pref") {
                params.push(("PREF", vec!["1".to_owned()]));
            }
        } else {
            params.push(("TYPE", types(w, slot.types)));
        }
        w.text("TEL", &params, &number);
    }
}

fn render_addresses(w: &mut CardWriter, p: &PropertyBag) {
    let postal = p.i32(PidLid::POSTAL_ADDRESS_ID);
    for a in ADDRESSES {
        let get = |f: AddressField| match f {
            AddressField::Tag(t) => p.non_empty_string(t).map(Cow::into_owned).unwrap_or_default(),
            AddressField::Named(n) => p.non_empty_string(n).map(Cow::into_owned).unwrap_or_default(),
        };
        let parts = [get(a.po_box), get(a.street), get(a.city), get(a.state), get(a.postal_code), get(a.country)];
        if parts.iter().all(String::is_empty) {
            continue;
        }
        let mut t: Vec<&str> = match a.kind {
            AddressKind::Home => vec!["home"],
            AddressKind::Work => vec!["work"],
            AddressKind::Other => vec![],
        };
        let is_postal = postal == Some(a.kind as i32);
        if is_postal && !w.v4() {
            t.push("pref");
        }
        let mut params: Vec<Param<'_>> = Vec::new();
        if !t.is_empty() {
            params.push(("TYPE", types(w, &t)));
        }
        if is_postal && w.v4() {
            params.push(("PREF", vec!["1".to_owned()]));
        }
        // The formatted address when it is not the one the parts give: a
        // LABEL parameter in 4.0 (RFC 6350 6.3.1), a LABEL property in 3.0
        // (RFC 2426 3.2.2).
        let label = p.non_empty_string(a.whole).filter(|l| **l != *format_address(&parts)).map(Cow::into_owned);
        if let Some(label) = &label
            && w.v4()
        {
            params.push(("LABEL", vec![label.clone()]));
        }
        let [po_box, street, city, region, postal_code, country] = &parts;
        let components = [po_box.as_str(), "", street, city, region, postal_code, country];
        let code = p.non_empty_string(a.country_code).map(Cow::into_owned);
        match code {
            // RFC 8605 3.1: the ISO 3166 code of the country.
            Some(code) if w.v4() => {
                params.push(("CC", vec![code]));
                w.structured("ADR", &params, &components);
            }
            // Apple's form: a grouped X-ABADR next to the ADR.
            Some(code) => {
                let group = format!("adr{}", a.kind as i32);
                let value: Vec<String> = components.iter().map(|c| escape_text(c)).collect();
                w.line(Some(&group), "ADR", &params, &value.join(";"));
                w.line(Some(&group), "X-ABADR", &[], &escape_text(&code.to_ascii_lowercase()));
            }
            None => w.structured("ADR", &params, &components),
        }
        if let Some(label) = label
            && !w.v4()
        {
            let t: Vec<Param<'_>> = params.iter().filter(|(n, _)| *n == "TYPE").cloned().collect();
            w.text("LABEL", &t, &label);
        }
    }
}

fn render_dates(w: &mut CardWriter, p: &PropertyBag) {
    let birthday = date_of(p, PidLid::BIRTHDAY_LOCAL, PropTag::BIRTHDAY);
    let anniversary = date_of(p, PidLid::WEDDING_ANNIVERSARY_LOCAL, PropTag::WEDDING_ANNIVERSARY);
    // vCard 3.0 has no ANNIVERSARY; X-ANNIVERSARY is what Evolution,
    // Thunderbird and Outlook's exports use.
    let anniversary_name = if w.v4() { "ANNIVERSARY" } else { "X-ANNIVERSARY" };
    for (date, name) in [(birthday, "BDAY"), (anniversary, anniversary_name)] {
        let Some(d) = date else { continue };
        if w.v4() {
            w.line(None, name, &[], &d.v4());
        } else if d.year.is_none() {
            w.line(None, name, &[("X-APPLE-OMIT-YEAR", vec!["1604".to_owned()])], &d.v3());
        } else {
            w.line(None, name, &[], &d.v3());
        }
    }
}

fn date_of(p: &PropertyBag, local: mapi_wire::tags::NamedProp, utc: PropTag) -> Option<Date> {
    p.time(local).and_then(Date::from_local).or_else(|| p.time(utc).and_then(Date::from_utc))
}

fn render_urls(w: &mut CardWriter, p: &PropertyBag) {
    let business = p.non_empty_string(PropTag::BUSINESS_HOME_PAGE).or_else(|| p.non_empty_string(PidLid::HTML));
    for (url, kind) in [(business, "work"), (p.non_empty_string(PropTag::PERSONAL_HOME_PAGE), "home")] {
        if let Some(u) = url {
            let t = types(w, &[kind]);
            w.line(None, "URL", &[("TYPE", t)], &u.replace(['\r', '\n'], ""));
        }
    }
}

/// The contact photo: the attachment with PidTagAttachmentContactPhoto
/// ([MS-OXOCNTC] 2.2.1.8.2) → `PHOTO`, base64 with `ENCODING=b` in 3.0
/// ([RFC 2426] 3.1.4), a `data:` URI in 4.0 ([RFC 6350] 6.2.4).
fn render_photo(w: &mut CardWriter, message: &Message) {
    let Some(att) = message
        .attachments
        .iter()
        .find(|a| a.props.bool(PropTag::ATTACHMENT_CONTACT_PHOTO) == Some(true) && !a.data().is_empty())
    else {
        return;
    };
    let mime = att
        .props
        .non_empty_string(PropTag::ATTACH_MIME_TAG)
        .map(Cow::into_owned)
        .or_else(|| mime_of_extension(att).map(str::to_owned))
        .unwrap_or_else(|| "image/jpeg".to_owned());
    let b64 = base64::engine::general_purpose::STANDARD.encode(att.data());
    if w.v4() {
        w.line(None, "PHOTO", &[], &format!("data:{mime};base64,{b64}"));
    } else {
        let sub = mime.rsplit('/').next().unwrap_or("jpeg").to_ascii_uppercase();
        w.line(None, "PHOTO", &[("ENCODING", vec!["b".to_owned()]), ("TYPE", vec![sub])], &b64);
    }
}

fn mime_of_extension(att: &Attachment) -> Option<&'static str> {
    let name = att.filename()?.to_ascii_lowercase();
    let ext = name.rsplit('.').next()?;
    Some(match ext {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        _ => return None,
    })
}

/// The contact-photo attachment of `bytes` ([MS-OXOCNTC] 2.2.1.8.3:
/// PidTagAttachmentContactPhoto on the attachment, extension ".jpg",
/// display name and file name "ContactPicture.jpg" for the JPEG it SHOULD
/// be; another image type keeps its own extension).
pub(crate) fn photo_attachment(bytes: Vec<u8>, mime: &str) -> Result<Attachment, VcardError> {
    let ext = match mime {
        "image/png" => "png",
        "image/gif" => "gif",
        "image/bmp" => "bmp",
        _ => "jpg",
    };
    let mut props = PropertyBag::new();
    props.insert(PropTag::ATTACH_METHOD, PropValue::I32(AttachMethod::BY_VALUE.0))?;
    props.insert(PropTag::ATTACHMENT_CONTACT_PHOTO, PropValue::Bool(true))?;
    props.insert(PropTag::ATTACHMENT_HIDDEN, PropValue::Bool(true))?;
    props.insert(PropTag::ATTACH_FILENAME, PropValue::String(format!("ContactPicture.{ext}")))?;
    props.insert(PropTag::ATTACH_LONG_FILENAME, PropValue::String(format!("ContactPicture.{ext}")))?;
    props.insert(PropTag::ATTACH_EXTENSION, PropValue::String(format!(".{ext}")))?;
    props.insert(PropTag::DISPLAY_NAME, PropValue::String(format!("ContactPicture.{ext}")))?;
    props.insert(PropTag::ATTACH_MIME_TAG, PropValue::String(mime.to_owned()))?;
    props.insert(PropTag::ATTACH_DATA_BINARY, PropValue::Binary(bytes))?;
    Ok(Attachment { props, embedded: None })
}

/// `REV` timestamp ([RFC 6350] 4.3.5 / [RFC 2426] 3.6.4): `YYYYMMDDTHHMMSSZ`.
fn timestamp(t: FileTime) -> String {
    let secs = t.unix_seconds();
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

trait BinaryList {
    fn binary_list(&self, prop: mapi_wire::tags::NamedProp) -> Vec<Vec<u8>>;
}

impl BinaryList for PropertyBag {
    fn binary_list(&self, prop: mapi_wire::tags::NamedProp) -> Vec<Vec<u8>> {
        match self.get(prop) {
            Some(PropValue::MvBinary(v)) => v.clone(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vcard::VcardVersion;

    #[test]
    fn rev_is_a_utc_timestamp() {
        let t = FileTime::from_unix_seconds(1_795_000_000);
        assert_eq!(t.map(timestamp).as_deref(), Some("20261118T110640Z"));
    }

    #[test]
    fn version_names() {
        assert_eq!(VcardVersion::from_version_param("\"3.0\""), Some(VcardVersion::V3));
        assert_eq!(VcardVersion::from_version_param("2.1"), None);
    }
}
