//! Message header fields from properties ([MS-OXCMAIL] 2.1.3 MIME
//! generation: 2.1.3.1 addresses, 2.1.3.2 envelope elements) merged with the original
//! header block (PidTagTransportMessageHeaders, [MS-OXCMAIL] 2.2.3.2.28).

use std::borrow::Cow;

use mapi_wire::PropTag;
use mapi_wire::entry_id::EntryId;
use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::tags::{PS_INTERNET_HEADERS, PidName};

use super::RenderOptions;
use super::encode::{display_name, encoded_words, push_folded, unstructured};
use crate::bag::{NamedId, PropKey, PropertyBag};
use crate::message::{Message, RecipientType};

/// One header field ready to write: its name and its encoded value
/// (unfolded; folding happens when it is written).
pub(super) struct Field {
    pub(super) name: &'static str,
    pub(super) value: Vec<u8>,
}

/// Headers never copied from the original block: the ones the MIME
/// structure defines, and Bcc (see [`super::RenderOptions::include_bcc`],
/// [MS-OXCMAIL] 2.1.3.1.1.2 Bcc Recipients).
const NEVER_COPIED: &[&str] = &[
    "bcc",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
    "content-id",
    "content-description",
    "content-location",
    "content-base",
    "content-length",
    "x-ms-tnef-correlator",
    "x-ms-has-attach",
];

/// Writes the envelope header fields of `msg` to `out`: original transport
/// headers we do not derive, then the derived ones, then
/// PS_INTERNET_HEADERS named properties not written yet. Does not write
/// MIME-Version or Content-* fields.
pub(super) fn write_envelope(msg: &Message, opts: &RenderOptions<'_>, out: &mut Vec<u8>) {
    let transport = msg.props.string(PropTag::TRANSPORT_MESSAGE_HEADERS);
    let fields = transport.as_deref().map(transport_fields).unwrap_or_default();
    let derived = derive(msg, opts, &fields);
    let mut written: Vec<Cow<'_, str>> = derived.iter().map(|f| Cow::Borrowed(f.name)).collect();
    for (name, raw) in fields {
        let lower = name.to_ascii_lowercase();
        if NEVER_COPIED.contains(&lower.as_str())
            || is_reserved(&lower)
            || derived.iter().any(|f| f.name.eq_ignore_ascii_case(&name))
        {
            continue;
        }
        out.extend_from_slice(raw.as_bytes());
        out.extend_from_slice(b"\r\n");
        written.push(Cow::Owned(lower));
    }
    for f in &derived {
        write_field(f.name, &f.value, out);
    }
    // [MS-OXCMAIL] 2.1.3.2: PS_INTERNET_HEADERS named properties as headers,
    // unless another property already maps to that header.
    for (key, value) in msg.props.iter() {
        let PropKey::Named(named) = key else { continue };
        if named.set != PS_INTERNET_HEADERS {
            continue;
        }
        let NamedId::Name(name) = &named.id else { continue };
        let text = match value {
            PropValue::String(s) => Cow::Borrowed(s.as_str()),
            PropValue::String8(b) => crate::bag::decode_string8(b),
            _ => continue,
        };
        let valid_name = !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':');
        if !valid_name
            || is_reserved(name)
            || NEVER_COPIED.contains(&name.as_str())
            || written.iter().any(|w| w.eq_ignore_ascii_case(name))
            || named.is(&PidName::CONTENT_TYPE)
        {
            continue;
        }
        let mut v = Vec::new();
        unstructured(&text, &mut v);
        let title = title_case(name);
        write_field(&title, &v, out);
    }
}

/// Writes `Name: value` folded, CRLF-terminated.
pub(super) fn write_field(name: &str, value: &[u8], out: &mut Vec<u8>) {
    let mut line = Vec::with_capacity(name.len() + 2 + value.len());
    line.extend_from_slice(name.as_bytes());
    line.extend_from_slice(b": ");
    line.extend_from_slice(value);
    push_folded(&line, out);
    out.extend_from_slice(b"\r\n");
}

/// [MS-OXCMAIL] 2.2.3.2.28, 2.1.3.2: reserved Exchange-internal prefixes.
fn is_reserved(lower: &str) -> bool {
    let l = lower.to_ascii_lowercase();
    l.starts_with("x-ms-exchange-organization-")
        || l.starts_with("x-ms-exchange-forest-")
        || l.starts_with("x-microsoft-exchange-organization")
        || l.starts_with("x-microsoft-exchange-forest")
}

/// `x-mailer` → `X-Mailer`.
fn title_case(name: &str) -> String {
    let mut up = true;
    name.chars()
        .map(|c| {
            let r = if up { c.to_ascii_uppercase() } else { c };
            up = c == '-';
            r
        })
        .collect()
}

/// Splits a header block into fields: (name, raw field text with its
/// original folding, CRLF line ends). Stops at the first empty line; lines
/// without a colon are dropped.
pub(super) fn transport_fields(block: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in block.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        // A lone CR is a line break to some parsers: never let it through.
        let owned;
        let line = if line.contains(['\r', '\0']) {
            owned = line.replace(['\r', '\0'], " ");
            owned.as_str()
        } else {
            line
        };
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, raw)) = fields.last_mut() {
                raw.push_str("\r\n");
                raw.push_str(line);
            }
            continue;
        }
        let Some((name, _)) = line.split_once(':') else { continue };
        let name = name.trim_end();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
            continue;
        }
        fields.push((name.to_owned(), line.to_owned()));
    }
    fields
}

/// The header fields derived from properties, in output order.
fn derive(msg: &Message, opts: &RenderOptions<'_>, transport: &[(String, String)]) -> Vec<Field> {
    let p = &msg.props;
    let mut f = Vec::new();
    let mut push = |name: &'static str, value: Vec<u8>| f.push(Field { name, value });

    // [MS-OXCMAIL] 2.1.3.1.3 From: the PidTagSentRepresenting group.
    let from = address_of(p, SENT_REPRESENTING, opts).or_else(|| address_of(p, SENDER, opts));
    if let Some(from) = &from {
        push("From", from.clone());
    }
    // [MS-OXCMAIL] 2.1.3.1.4 Sender: the PidTagSender group, unless it is
    // the same user as From.
    if let Some(sender) = address_of(p, SENDER, opts)
        && from.as_ref().is_some_and(|f| !addr_eq(f, &sender))
    {
        push("Sender", sender);
    }
    // Reply-To: PidTagReplyRecipientEntries ([MS-OXOMSG] 2.2.1.44).
    if let Some(v) = reply_to(p) {
        push("Reply-To", v);
    }
    // [MS-OXCMAIL] 2.1.3.1.1 To/Cc (and Bcc if asked, 2.1.3.1.1.2) from
    // the recipient table.
    // Delivery reports keep their report recipients in the table, not the
    // addressees, so their To/Cc come from the original headers.
    let report_recipients = msg.class_is("REPORT") && !is_mdn(msg);
    if !report_recipients {
        let bcc = opts.include_bcc.then_some(("Bcc", RecipientType::BCC));
        for (name, ty) in [("To", RecipientType::TO), ("Cc", RecipientType::CC)].into_iter().chain(bcc) {
            // [MS-OXOCAL] 2.2.4.10.1: the organizer's own row (recipOrganizer
            // 0x2 in PidTagRecipientFlags) is not an addressee.
            let list: Vec<Vec<u8>> = msg
                .recipients_of(ty)
                .filter(|r| r.props.i32(PropTag::RECIPIENT_FLAGS).unwrap_or(0) & 0x2 == 0)
                .filter_map(|r| recipient_address(&r.props, opts))
                .collect();
            if !list.is_empty() {
                push(name, list.join(&b", "[..]));
            }
        }
    }
    // [MS-OXCMAIL] 2.1.3.2 envelope: Subject.
    let subject = p.string(PropTag::SUBJECT).or_else(|| {
        let prefix = p.string(PropTag::SUBJECT_PREFIX).unwrap_or_default();
        let normalized = p.string(PropTag::NORMALIZED_SUBJECT)?;
        Some(Cow::Owned(format!("{prefix}{normalized}")))
    });
    if let Some(s) = subject {
        let mut v = Vec::new();
        unstructured(&s, &mut v);
        push("Subject", v);
    }
    // Date: submit time, else delivery time, else creation time.
    let date = [PropTag::CLIENT_SUBMIT_TIME, PropTag::MESSAGE_DELIVERY_TIME, PropTag::CREATION_TIME]
        .into_iter()
        .find_map(|t| p.time(t));
    if let Some(t) = date {
        // The original Date text (with the sender's zone) when it is the
        // same instant; else the time in UTC.
        let original = transport
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("Date"))
            .and_then(|(_, raw)| raw.split_once(':'))
            .map(|(_, v)| v.replace("\r\n", "").trim().to_owned())
            .filter(|v| parse_rfc5322_date(v) == Some(t.unix_seconds()) && v.is_ascii());
        push("Date", original.unwrap_or_else(|| rfc5322_date(t)).into_bytes());
    }
    // Message-ID: PidTagInternetMessageId.
    if let Some(id) = p.non_empty_string(PropTag::INTERNET_MESSAGE_ID) {
        push("Message-ID", msg_id(&id));
    } else if !opts.identity.is_empty() && p.string(PropTag::TRANSPORT_MESSAGE_HEADERS).is_none() {
        let h = super::encode::fnv1a(0x004d_4944, opts.identity);
        push(
            "Message-ID",
            format!("<{h:016x}.{:016x}@mapibridge.invalid>", super::encode::fnv1a(h, b"mid")).into_bytes(),
        );
    }
    // In-Reply-To, References: PidTagInReplyToId, PidTagInternetReferences.
    if let Some(v) = p.non_empty_string(PropTag::IN_REPLY_TO_ID) {
        push("In-Reply-To", clean(&v).into_bytes());
    }
    if let Some(v) = p.non_empty_string(PropTag::INTERNET_REFERENCES) {
        let refs: Vec<&str> = v.split_whitespace().collect();
        push("References", clean(&refs.join(" ")).into_bytes());
    }
    // Thread-Topic, Thread-Index: PidTagConversationTopic/-Index.
    if let Some(v) = p.non_empty_string(PropTag::CONVERSATION_TOPIC) {
        let mut b = Vec::new();
        unstructured(&v, &mut b);
        push("Thread-Topic", b);
    }
    if let Some(v) = p.binary(PropTag::CONVERSATION_INDEX).filter(|v| !v.is_empty()) {
        let mut b = Vec::new();
        super::encode::base64_raw(v, &mut b);
        push("Thread-Index", b);
    }
    // [MS-OXCMAIL] 2.2.3.2.5 Importance (and X-Priority); Priority from
    // PidTagPriority; Sensitivity (RFC 2156 values).
    match p.i32(PropTag::IMPORTANCE) {
        Some(0) => {
            push("Importance", b"low".to_vec());
            push("X-Priority", b"5".to_vec());
        }
        Some(2) => {
            push("Importance", b"high".to_vec());
            push("X-Priority", b"1".to_vec());
        }
        _ => {}
    }
    match p.i32(PropTag::PRIORITY) {
        Some(1) => push("Priority", b"urgent".to_vec()),
        Some(-1) => push("Priority", b"non-urgent".to_vec()),
        _ => {}
    }
    let sensitivity: &[u8] = match p.i32(PropTag::SENSITIVITY) {
        Some(1) => b"Personal",
        Some(2) => b"Private",
        Some(3) => b"Company-Confidential",
        _ => b"",
    };
    if !sensitivity.is_empty() {
        push("Sensitivity", sensitivity.to_vec());
    }
    // Disposition-Notification-To (read receipt, RFC 8098) and
    // Return-Receipt-To (delivery receipt).
    let receipt_to = || address_of(p, READ_RECEIPT, opts).or_else(|| from.clone());
    if p.bool(PropTag::READ_RECEIPT_REQUESTED) == Some(true)
        && let Some(a) = receipt_to()
    {
        push("Disposition-Notification-To", a);
    }
    if p.bool(PropTag::ORIGINATOR_DELIVERY_REPORT_REQUESTED) == Some(true)
        && let Some(a) = from.clone()
    {
        push("Return-Receipt-To", a);
    }
    // Keywords from the categories (PidNameKeywords).
    if let Some(k) = p.named_strings(&PidName::KEYWORDS).filter(|k| !k.is_empty()) {
        let mut b = Vec::new();
        for (i, word) in k.iter().enumerate() {
            if i > 0 {
                b.extend_from_slice(b", ");
            }
            unstructured(word, &mut b);
        }
        push("Keywords", b);
    }
    // X-Auto-Response-Suppress from
    // PidTagAutoResponseSuppress ([MS-OXOMSG] 2.2.1.77 bits).
    if let Some(bits) = p.i32(PropTag::AUTO_RESPONSE_SUPPRESS).filter(|b| *b != 0) {
        let value = if bits == -1 {
            "All".to_owned()
        } else {
            const NAMES: [&str; 6] = ["DR", "NDR", "RN", "NRN", "OOF", "AutoReply"];
            NAMES
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, n)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !value.is_empty() {
            push("X-Auto-Response-Suppress", value.into_bytes());
        }
    }
    // Content-Language from PidTagMessageLocaleId, for
    // messages composed in MAPI (a received message keeps its own header).
    if p.string(PropTag::TRANSPORT_MESSAGE_HEADERS).is_none()
        && let Some(tag) = p.i32(PropTag::MESSAGE_LOCALE_ID).and_then(language_tag)
    {
        push("Content-Language", tag.as_bytes().to_vec());
    }
    // List-* from PidTagListHelp/Subscribe/Unsubscribe.
    for (name, tag) in [
        ("List-Help", PropTag::LIST_HELP),
        ("List-Subscribe", PropTag::LIST_SUBSCRIBE),
        ("List-Unsubscribe", PropTag::LIST_UNSUBSCRIBE),
    ] {
        if let Some(v) = p.non_empty_string(tag) {
            push(name, clean(&v).into_bytes());
        }
    }
    f
}

/// Property tags naming one address: (name, smtp, email, address type).
type AddrTags = (PropTag, PropTag, PropTag, PropTag);

const SENT_REPRESENTING: AddrTags = (
    PropTag::SENT_REPRESENTING_NAME,
    PropTag::SENT_REPRESENTING_SMTP_ADDRESS,
    PropTag::SENT_REPRESENTING_EMAIL_ADDRESS,
    PropTag::SENT_REPRESENTING_ADDRESS_TYPE,
);
const SENDER: AddrTags =
    (PropTag::SENDER_NAME, PropTag::SENDER_SMTP_ADDRESS, PropTag::SENDER_EMAIL_ADDRESS, PropTag::SENDER_ADDRESS_TYPE);
const READ_RECEIPT: AddrTags = (
    PropTag::READ_RECEIPT_NAME,
    PropTag::READ_RECEIPT_SMTP_ADDRESS,
    PropTag::READ_RECEIPT_EMAIL_ADDRESS,
    PropTag::READ_RECEIPT_ADDRESS_TYPE,
);
const RECIPIENT: AddrTags =
    (PropTag::DISPLAY_NAME, PropTag::SMTP_ADDRESS, PropTag::EMAIL_ADDRESS, PropTag::ADDRESS_TYPE);

fn is_mdn(msg: &Message) -> bool {
    let class = msg.class().to_ascii_uppercase();
    class.ends_with(".IPNRN") || class.ends_with(".IPNNRN")
}

/// `Name <addr>` for a recipient row (display name falls back to
/// PidTagRecipientDisplayName).
fn recipient_address(p: &PropertyBag, opts: &RenderOptions<'_>) -> Option<Vec<u8>> {
    address_of(p, RECIPIENT, opts).or_else(|| {
        let name = p.non_empty_string(PropTag::RECIPIENT_DISPLAY_NAME)?;
        let addr = p.non_empty_string(PropTag::SMTP_ADDRESS)?;
        Some(mailbox(Some(&name), &addr))
    })
}

/// The SMTP address of a property group ([MS-OXCMAIL] 2.1.3.1.1 order
/// of preference): the SMTP
/// address property, else the e-mail address if its type is SMTP (or it
/// looks like one), else an IMCEA encapsulation of the native address.
fn address_of(p: &PropertyBag, (name, smtp, email, ty): AddrTags, opts: &RenderOptions<'_>) -> Option<Vec<u8>> {
    let display = p.non_empty_string(name);
    let addr = smtp_address(p, smtp, email, ty, opts)?;
    Some(mailbox(display.as_deref(), &addr))
}

fn smtp_address(
    p: &PropertyBag,
    smtp: PropTag,
    email: PropTag,
    ty: PropTag,
    opts: &RenderOptions<'_>,
) -> Option<String> {
    if let Some(a) = p.non_empty_string(smtp).filter(|a| plausible_smtp(a)) {
        return Some(a.trim().to_owned());
    }
    let email = p.non_empty_string(email)?;
    let ty = p.string(ty).unwrap_or_default();
    if (ty.eq_ignore_ascii_case("SMTP") || ty.is_empty()) && plausible_smtp(&email) {
        return Some(email.trim().to_owned());
    }
    Some(imcea(if ty.is_empty() { "EX" } else { &ty }, &email, opts.imcea_domain))
}

fn plausible_smtp(a: &str) -> bool {
    let a = a.trim();
    a.contains('@') && !a.bytes().any(|b| b.is_ascii_whitespace() || b"<>\",;()[]\\".contains(&b) || b < 0x20)
}

/// IMCEA encapsulation of a non-SMTP address ([MS-OXCMAIL] address
/// encapsulation): `IMCEA<type>-<encoded address>@<domain>`;
/// characters outside atext become `+XX`, `/` becomes `_`.
fn imcea(ty: &str, addr: &str, domain: &str) -> String {
    let mut s = String::from("IMCEA");
    s.extend(ty.chars().filter(char::is_ascii_alphanumeric));
    s.push('-');
    for b in addr.trim().bytes() {
        match b {
            b'/' => s.push('_'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'=' => s.push(char::from(b)),
            _ => s.push_str(&format!("+{b:02X}")),
        }
    }
    s.push('@');
    s.push_str(domain);
    s
}

/// `display-name <addr>` or `<addr>`-less plain form when there is no name.
fn mailbox(name: Option<&str>, addr: &str) -> Vec<u8> {
    let mut v = Vec::new();
    match name.map(str::trim).filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case(addr)) {
        Some(n) => {
            display_name(n, &mut v);
            v.extend_from_slice(b" <");
            v.extend_from_slice(addr.as_bytes());
            v.push(b'>');
        }
        None => v.extend_from_slice(addr.as_bytes()),
    }
    v
}

/// Compares two rendered mailboxes by their address part.
fn addr_eq(a: &[u8], b: &[u8]) -> bool {
    fn spec(x: &[u8]) -> &[u8] {
        match (x.iter().rposition(|&c| c == b'<'), x.last()) {
            (Some(i), Some(b'>')) => x.get(i + 1..x.len() - 1).unwrap_or(x),
            _ => x,
        }
    }
    spec(a).eq_ignore_ascii_case(spec(b))
}

/// Reply-To from PidTagReplyRecipientEntries, a FlatEntryList of one-off
/// entry ids ([MS-OXCDATA] 2.3.3, 2.2.5.1; [MS-OXOMSG] 2.2.1.44).
fn reply_to(p: &PropertyBag) -> Option<Vec<u8>> {
    let list = p.binary(PropTag::REPLY_RECIPIENT_ENTRIES)?;
    let count = u32::from_le_bytes(list.get(0..4)?.try_into().ok()?);
    let mut rest = list.get(8..)?;
    let mut out: Vec<Vec<u8>> = Vec::new();
    for _ in 0..count.min(1000) {
        let size = u32::from_le_bytes(rest.get(0..4)?.try_into().ok()?) as usize;
        let entry = rest.get(4..4 + size)?;
        if let Ok(EntryId::OneOff(o)) = EntryId::parse(entry)
            && plausible_smtp(&o.email_address)
        {
            out.push(mailbox(Some(&o.display_name), o.email_address.trim()));
        }
        let padded = (4 + size).div_ceil(4) * 4;
        rest = rest.get(padded.min(rest.len())..)?;
    }
    (!out.is_empty()).then(|| out.join(&b", "[..]))
}

/// BCP 47 tag of a Windows LCID ([MS-LCID] 2.2), for the common ones.
fn language_tag(lcid: i32) -> Option<&'static str> {
    Some(match lcid {
        0x0401 => "ar-SA",
        0x0402 => "bg-BG",
        0x0403 => "ca-ES",
        0x0404 => "zh-TW",
        0x0405 => "cs-CZ",
        0x0406 => "da-DK",
        0x0407 => "de-DE",
        0x0408 => "el-GR",
        0x0409 => "en-US",
        0x040B => "fi-FI",
        0x040C => "fr-FR",
        0x040D => "he-IL",
        0x040E => "hu-HU",
        0x0410 => "it-IT",
        0x0411 => "ja-JP",
        0x0412 => "ko-KR",
        0x0413 => "nl-NL",
        0x0414 => "nb-NO",
        0x0415 => "pl-PL",
        0x0416 => "pt-BR",
        0x0418 => "ro-RO",
        0x0419 => "ru-RU",
        0x041A => "hr-HR",
        0x041B => "sk-SK",
        0x041D => "sv-SE",
        0x041E => "th-TH",
        0x041F => "tr-TR",
        0x0422 => "uk-UA",
        0x0424 => "sl-SI",
        0x0425 => "et-EE",
        0x0426 => "lv-LV",
        0x0427 => "lt-LT",
        0x042A => "vi-VN",
        0x0804 => "zh-CN",
        0x0807 => "de-CH",
        0x0809 => "en-GB",
        0x080C => "fr-BE",
        0x0813 => "nl-BE",
        0x0816 => "pt-PT",
        0x0C07 => "de-AT",
        0x0C09 => "en-AU",
        0x0C0A => "es-ES",
        0x0C0C => "fr-CA",
        0x1009 => "en-CA",
        0x100C => "fr-CH",
        _ => return None,
    })
}

/// A msg-id in angle brackets.
fn msg_id(id: &str) -> Vec<u8> {
    let id = clean(id.trim());
    if id.starts_with('<') { id.into_bytes() } else { format!("<{id}>").into_bytes() }
}

/// Removes CR/LF (a property must not inject header lines).
fn clean(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// RFC 5322 §3.3 date-time in UTC: `Thu, 19 Nov 2026 09:05:00 +0000`.
pub(super) fn rfc5322_date(t: FileTime) -> String {
    let secs = t.unix_seconds();
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    const WD: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MON: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let wd = WD.get(days.rem_euclid(7) as usize).copied().unwrap_or("Thu");
    let mon = MON.get((m as usize).wrapping_sub(1)).copied().unwrap_or("Jan");
    format!("{wd}, {d} {mon} {y:04} {:02}:{:02}:{:02} +0000", rem / 3600, rem / 60 % 60, rem % 60)
}

/// Parses an RFC 5322 §3.3 date-time (and the obsolete forms of §4.3:
/// 2-digit years, named zones) to Unix seconds.
pub(super) fn parse_rfc5322_date(v: &str) -> Option<i64> {
    let v = v.split('(').next()?; // drop a trailing comment
    let v = v.split_once(',').map_or(v, |(_, rest)| rest);
    let mut it = v.split_whitespace();
    let day: i64 = it.next()?.parse().ok()?;
    let mon = it.next()?.to_ascii_lowercase();
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let month = MONTHS.iter().position(|m| mon.starts_with(m))? as i64 + 1;
    let year_s = it.next()?;
    let mut year: i64 = year_s.parse().ok()?;
    if year_s.len() == 2 {
        year += if year < 50 { 2000 } else { 1900 };
    } else if year_s.len() == 3 {
        year += 1900;
    }
    let mut hms = it.next()?.split(':');
    let h: i64 = hms.next()?.parse().ok()?;
    let mi: i64 = hms.next()?.parse().ok()?;
    let se: i64 = hms.next().map_or(Some(0), |s| s.parse().ok())?;
    let zone = it.next().unwrap_or("-0000");
    let offset_min: i64 = match zone.as_bytes() {
        [sign @ (b'+' | b'-'), ..] if zone.len() == 5 => {
            let n: i64 = zone.get(1..)?.parse().ok()?;
            let m = n / 100 * 60 + n % 100;
            if *sign == b'-' { -m } else { m }
        }
        _ => match zone.to_ascii_uppercase().as_str() {
            "UT" | "GMT" | "Z" => 0,
            "EDT" => -4 * 60,
            "EST" | "CDT" => -5 * 60,
            "CST" | "MDT" => -6 * 60,
            "MST" | "PDT" => -7 * 60,
            "PST" => -8 * 60,
            _ => 0,
        },
    };
    if !(1..=31).contains(&day) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    // days_from_civil (H. Hinnant).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + se - offset_min * 60)
}

/// Days since 1970-01-01 → (year, month 1-12, day) (proleptic Gregorian,
/// H. Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Encodes a header value as RFC 2047 words regardless of content (used for
/// Content-Description).
pub(super) fn encoded(text: &str) -> Vec<u8> {
    let mut v = Vec::new();
    if text.is_ascii() && !text.contains("=?") {
        unstructured(text, &mut v);
    } else {
        encoded_words(text, &mut v);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc5322() {
        // 2026-11-19T09:05:00Z
        let t = FileTime::from_unix_seconds(1_795_079_100).unwrap();
        assert_eq!(rfc5322_date(t), "Thu, 19 Nov 2026 09:05:00 +0000");
        assert_eq!(rfc5322_date(FileTime::from_unix_seconds(0).unwrap()), "Thu, 1 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc5322_date(FileTime(0)), "Mon, 1 Jan 1601 00:00:00 +0000");
    }

    #[test]
    fn parses_rfc5322_dates() {
        assert_eq!(parse_rfc5322_date("Thu, 19 Nov 2026 10:05:00 +0100"), Some(1_795_079_100));
        assert_eq!(parse_rfc5322_date("19 Nov 2026 09:05 GMT"), Some(1_795_079_100));
        assert_eq!(parse_rfc5322_date("Thu, 19 Nov 26 04:05:00 EST (comment)"), Some(1_795_079_100));
        assert_eq!(parse_rfc5322_date("garbage"), None);
        let t = FileTime::from_unix_seconds(1_795_079_100).unwrap();
        assert_eq!(parse_rfc5322_date(&rfc5322_date(t)), Some(t.unix_seconds()));
    }

    #[test]
    fn transport_fields_keep_folding() {
        let f = transport_fields("Received: from a\r\n\tby b\r\nSubject: x\r\n\r\nBody: no\r\n");
        assert_eq!(f.len(), 2);
        assert_eq!(f[0], ("Received".to_owned(), "Received: from a\r\n\tby b".to_owned()));
    }

    #[test]
    fn imcea_encapsulates_x500() {
        assert_eq!(imcea("EX", "/o=Org/cn=Bob Smith", "invalid"), "IMCEAEX-_o=Org_cn=Bob+20Smith@invalid");
    }
}
