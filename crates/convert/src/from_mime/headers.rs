//! Header fields → message properties ([MS-OXCMAIL] 2.2.3.2).

use mail_parser::{Header, HeaderValue};
use mapi_wire::PropTag;
use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::tags::{PS_INTERNET_HEADERS, PidName};

use super::address::{self, Mailbox};
use super::parts::Converter;
use super::{HeaderPromotion, WarningKind, insert};
use crate::bag::NamedKey;
use crate::message::{Message, RecipientType};

/// Splits a subject into (prefix, normalized subject) per [MS-OXCMSG]
/// 2.2.1.9/2.2.1.10: one to three characters that are neither digits,
/// white space nor punctuation, followed by `": "`, form the prefix
/// (`"RE: "`, `"FW: "`, `"AW: "`, `"Fwd: "`).
pub fn split_subject_prefix(subject: &str) -> (&str, &str) {
    if let Some(colon) = subject.find(": ") {
        let head = &subject[..colon];
        let n = head.chars().count();
        if (1..=3).contains(&n) && head.chars().all(|c| c.is_alphabetic()) {
            return subject.split_at(colon + 2);
        }
    }
    ("", subject)
}

/// Headers that map to other properties or that [MS-OXCMAIL] 2.2.3.2.29
/// excludes from PS_INTERNET_HEADERS promotion (lower case).
const NOT_PROMOTED: &[&str] = &[
    // mapped here
    "from",
    "sender",
    "to",
    "cc",
    "bcc",
    "reply-to",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "importance",
    "x-priority",
    "x-msmail-priority",
    "priority",
    "sensitivity",
    "disposition-notification-to",
    "return-receipt-to",
    "thread-topic",
    "thread-index",
    "keywords",
    "list-help",
    "list-subscribe",
    "list-unsubscribe",
    "x-auto-response-suppress",
    // excluded by 2.2.3.2.29
    "received",
    "resent-from",
    "resent-sender",
    "resent-date",
    "resent-message-id",
    "content-type",
    "content-disposition",
    "content-description",
    "content-transfer-encoding",
    "content-id",
    "content-md5",
    "mime-version",
    "return-path",
    "comments",
    "adhoc",
    "apparently-to",
    "approved",
    "control",
    "distribution",
    "encoding",
    "followup-to",
    "lines",
    "bytes",
    "article",
    "supercedes",
    "newsgroups",
    "nntppostinghost",
    "organization",
    "path",
    "rr",
    "summary",
    "trace",
    "encrypted",
    "x-mimeole",
    "x-ms-tnef-correlator",
];

/// Exchange-internal prefixes excluded by [MS-OXCMAIL] 2.2.3.2.29, and the
/// four exceptions that are promoted anyway.
const EXCHANGE_PREFIXES: &[&str] = &["x-ms-exchange-organization-", "x-ms-exchange-forest-"];
const EXCHANGE_EXCEPTIONS: &[&str] = &[
    "x-ms-exchange-organization-authas",
    "x-ms-exchange-organization-authdomain",
    "x-ms-exchange-organization-authmechanism",
    "x-ms-exchange-organization-authsource",
];

impl Converter<'_> {
    /// Maps the top-level header fields of one message (or embedded
    /// message) onto `msg`. `raw` is the buffer the header offsets point
    /// into, `block` the raw header block (for
    /// PidTagTransportMessageHeaders).
    pub(crate) fn map_headers(
        &mut self,
        msg: &mut Message,
        headers: &[Header<'_>],
        raw: &[u8],
        block: &[u8],
        path: &str,
    ) {
        let props = &mut msg.props;
        // [MS-OXCMAIL] 2.2.3.2 PidTagTransportMessageHeaders: the header block verbatim.
        if !block.is_empty() {
            insert(
                props,
                PropTag::TRANSPORT_MESSAGE_HEADERS,
                PropValue::String(crate::bag::decode_string8(block).into_owned()),
            );
        }
        let mut from: Option<Mailbox> = None;
        let mut sender: Option<Mailbox> = None;
        let mut reply_to: Vec<Mailbox> = Vec::new();
        let mut importance: Option<i32> = None;
        let mut importance_rank = 0u8;
        let mut topic: Option<String> = None;
        let mut promoted: Vec<String> = Vec::new();

        for h in headers {
            let name = h.name().to_ascii_lowercase();
            let raw_value = unfold(raw.get(h.offset_start as usize..h.offset_end as usize).unwrap_or_default());
            let props = &mut msg.props;
            match name.as_str() {
                "from" | "sender" | "reply-to" | "to" | "cc" | "bcc" | "disposition-notification-to" => {
                    let (list, bad) = address::mailboxes(&h.value);
                    for b in bad {
                        self.warn(path, WarningKind::AddressWithoutMailbox, format!("{}: {b:?}", h.name()));
                    }
                    match name.as_str() {
                        "from" if from.is_none() => from = list.into_iter().next(),
                        "sender" if sender.is_none() => sender = list.into_iter().next(),
                        "reply-to" => reply_to.extend(list),
                        "to" => msg.recipients.extend(list.iter().map(|m| address::recipient(m, RecipientType::TO))),
                        "cc" => msg.recipients.extend(list.iter().map(|m| address::recipient(m, RecipientType::CC))),
                        "bcc" => msg.recipients.extend(list.iter().map(|m| address::recipient(m, RecipientType::BCC))),
                        "disposition-notification-to" => {
                            // [MS-OXCMAIL] 2.2.3.2 Disposition-Notification-To: read receipt request.
                            if let Some(m) = list.first() {
                                insert(props, PropTag::READ_RECEIPT_REQUESTED, PropValue::Bool(true));
                                address::set_group(props, &address::READ_RECEIPT, m);
                            }
                        }
                        _ => {}
                    }
                }
                "subject" => {
                    let subject = h.value.as_text().map(str::to_owned).unwrap_or_else(|| raw_value.clone());
                    let (prefix, normalized) = split_subject_prefix(&subject);
                    insert(props, PropTag::SUBJECT_PREFIX, PropValue::String(prefix.to_owned()));
                    insert(props, PropTag::NORMALIZED_SUBJECT, PropValue::String(normalized.to_owned()));
                    insert(props, PropTag::SUBJECT, PropValue::String(subject));
                }
                "date" => match h.value.as_datetime().filter(|d| d.is_valid()).map(|d| d.to_timestamp()) {
                    Some(t) => {
                        if let Some(ft) = FileTime::from_unix_seconds(t) {
                            insert(props, PropTag::CLIENT_SUBMIT_TIME, PropValue::Time(ft));
                        }
                    }
                    None => self.warn(path, WarningKind::BadHeader, format!("Date: {raw_value:?}")),
                },
                "message-id" => insert(props, PropTag::INTERNET_MESSAGE_ID, PropValue::String(raw_value)),
                "in-reply-to" => insert(props, PropTag::IN_REPLY_TO_ID, PropValue::String(raw_value)),
                "references" => insert(props, PropTag::INTERNET_REFERENCES, PropValue::String(raw_value)),
                // [MS-OXCMAIL] 2.2.3.2 Importance/Priority: Importance wins over X-Priority,
                // X-MSMail-Priority and Priority.
                "importance" | "x-priority" | "x-msmail-priority" | "priority" => {
                    let rank = match name.as_str() {
                        "importance" => 4,
                        "x-priority" => 3,
                        "x-msmail-priority" => 2,
                        _ => 1,
                    };
                    let v = raw_value.to_ascii_lowercase();
                    if name == "priority" {
                        let p = match v.as_str() {
                            "urgent" => Some(1),
                            "normal" => Some(0),
                            "non-urgent" => Some(-1),
                            _ => None,
                        };
                        if let Some(p) = p {
                            insert(props, PropTag::PRIORITY, PropValue::I32(p));
                        }
                    }
                    let imp = match (name.as_str(), v.as_str()) {
                        (_, "high" | "urgent") => Some(2),
                        (_, "normal") => Some(1),
                        (_, "low" | "non-urgent") => Some(0),
                        ("x-priority", v) => match v.trim_start().chars().next() {
                            Some('1' | '2') => Some(2),
                            Some('3') => Some(1),
                            Some('4' | '5') => Some(0),
                            _ => None,
                        },
                        _ => None,
                    };
                    match imp {
                        Some(i) if rank > importance_rank => {
                            importance = Some(i);
                            importance_rank = rank;
                        }
                        Some(_) => {}
                        None => self.warn(path, WarningKind::BadHeader, format!("{}: {raw_value:?}", h.name())),
                    }
                }
                // [MS-OXCMAIL] 2.2.3.2 Sensitivity.
                "sensitivity" => {
                    let s = match raw_value.to_ascii_lowercase().as_str() {
                        "personal" => 1,
                        "private" => 2,
                        "company-confidential" => 3,
                        _ => 0,
                    };
                    insert(props, PropTag::SENSITIVITY, PropValue::I32(s));
                }
                "return-receipt-to" => {
                    insert(props, PropTag::ORIGINATOR_DELIVERY_REPORT_REQUESTED, PropValue::Bool(true));
                }
                "thread-topic" => topic = Some(h.value.as_text().map(str::to_owned).unwrap_or(raw_value)),
                "thread-index" => {
                    let compact: Vec<u8> = raw_value.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
                    match mail_parser::decoders::base64::base64_decode(&compact) {
                        Some(b) if !b.is_empty() => insert(props, PropTag::CONVERSATION_INDEX, PropValue::Binary(b)),
                        _ => self.warn(path, WarningKind::BadHeader, format!("Thread-Index: {raw_value:?}")),
                    }
                }
                "keywords" => {
                    let text = h.value.as_text().map(str::to_owned).unwrap_or(raw_value);
                    let words: Vec<String> =
                        text.split(',').map(|w| w.trim().to_owned()).filter(|w| !w.is_empty()).collect();
                    if !words.is_empty() {
                        insert(props, PidName::KEYWORDS, PropValue::MvString(words));
                    }
                }
                "list-help" => insert(props, PropTag::LIST_HELP, PropValue::String(raw_value)),
                "list-subscribe" => insert(props, PropTag::LIST_SUBSCRIBE, PropValue::String(raw_value)),
                "list-unsubscribe" => insert(props, PropTag::LIST_UNSUBSCRIBE, PropValue::String(raw_value)),
                "x-auto-response-suppress" => {
                    insert(props, PropTag::AUTO_RESPONSE_SUPPRESS, PropValue::I32(auto_response_suppress(&raw_value)));
                }
                _ => {
                    // Content-Language maps to PidTagMessageLocaleId; only a
                    // tag without a known LCID is kept as a named property
                    // (2.2.3.2.29: no named property for mapped headers).
                    if name == "content-language"
                        && let Some(lcid) = lcid_of(&raw_value)
                    {
                        insert(props, PropTag::MESSAGE_LOCALE_ID, PropValue::I32(lcid));
                        continue;
                    }
                    if !promotable(&name, self.opts.header_promotion) || promoted.contains(&name) {
                        continue;
                    }
                    let value = h.value.as_text().map(str::to_owned).unwrap_or(raw_value);
                    insert(props, NamedKey::name(PS_INTERNET_HEADERS, h.name()), PropValue::String(value));
                    promoted.push(name);
                }
            }
        }

        let props = &mut msg.props;
        // Without From, the Sender is also the originator.
        if let Some(f) = from.as_ref().or(sender.as_ref()) {
            address::set_group(props, &address::SENT_REPRESENTING, f);
        }
        // [MS-OXCMAIL] 2.2.3.2 Sender: without Sender, the sender is the From.
        if let Some(s) = sender.as_ref().or(from.as_ref()) {
            address::set_group(props, &address::SENDER, s);
        }
        if !reply_to.is_empty() {
            let names: Vec<&str> = reply_to.iter().map(|m| m.name.as_str()).collect();
            insert(props, PropTag::REPLY_RECIPIENT_NAMES, PropValue::String(names.join("; ")));
            insert(props, PropTag::REPLY_RECIPIENT_ENTRIES, PropValue::Binary(address::flat_entry_list(&reply_to)));
        }
        insert(props, PropTag::IMPORTANCE, PropValue::I32(importance.unwrap_or(1)));
        if !props.contains(PropTag::SENSITIVITY) {
            insert(props, PropTag::SENSITIVITY, PropValue::I32(0));
        }
        // [MS-OXOMSG] PidTagConversationTopic: the topic defaults to the normalized subject.
        let topic = topic.or_else(|| props.string(PropTag::NORMALIZED_SUBJECT).map(|s| s.into_owned()));
        if let Some(t) = topic {
            insert(props, PropTag::CONVERSATION_TOPIC, PropValue::String(t));
        }
    }
}

/// True if a leftover header becomes a PS_INTERNET_HEADERS named property.
fn promotable(lower: &str, mode: HeaderPromotion) -> bool {
    let allowed = match mode {
        HeaderPromotion::Spec => true,
        HeaderPromotion::XHeadersOnly => lower.starts_with("x-"),
        HeaderPromotion::None => false,
    };
    allowed
        && !NOT_PROMOTED.contains(&lower)
        && !lower.starts_with("resent-")
        && (!EXCHANGE_PREFIXES.iter().any(|p| lower.starts_with(p)) || EXCHANGE_EXCEPTIONS.contains(&lower))
}

/// PidTagAutoResponseSuppress bits from X-Auto-Response-Suppress
/// ([MS-OXCMAIL] 2.2.3.2, [MS-OXOMSG] PidTagAutoResponseSuppress).
fn auto_response_suppress(v: &str) -> i32 {
    v.split(',').fold(0i32, |acc, w| {
        acc | match w.trim().to_ascii_lowercase().as_str() {
            "dr" => 0x01,
            "ndr" => 0x02,
            "rn" => 0x04,
            "nrn" => 0x08,
            "oof" => 0x10,
            "autoreply" => 0x20,
            "all" => -1,
            _ => 0,
        }
    })
}

/// The Windows LCID of a Content-Language tag ([MS-LCID]) for the common
/// languages; other tags are kept as a PS_INTERNET_HEADERS property.
fn lcid_of(tag: &str) -> Option<i32> {
    let t = tag.split(',').next()?.trim().to_ascii_lowercase();
    let lcid = match t.as_str() {
        "en-us" | "en" => 0x0409,
        "en-gb" => 0x0809,
        "de-de" | "de" => 0x0407,
        "de-at" => 0x0C07,
        "de-ch" => 0x0807,
        "fr-fr" | "fr" => 0x040C,
        "it-it" | "it" => 0x0410,
        "es-es" | "es" => 0x0C0A,
        "nl-nl" | "nl" => 0x0413,
        "pt-br" => 0x0416,
        "pt-pt" | "pt" => 0x0816,
        "sv-se" | "sv" => 0x041D,
        "pl-pl" | "pl" => 0x0415,
        "ru-ru" | "ru" => 0x0419,
        "ja-jp" | "ja" => 0x0411,
        "zh-cn" | "zh" => 0x0804,
        "zh-tw" => 0x0404,
        "ko-kr" | "ko" => 0x0412,
        _ => return None,
    };
    Some(lcid)
}

/// A raw header value with folding removed (CRLF before white space) and
/// outer white space trimmed; bytes outside UTF-8 are read as Windows-1252.
pub(crate) fn unfold(raw: &[u8]) -> String {
    let s = crate::bag::decode_string8(raw);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c != '\r' && c != '\n' {
            out.push(c);
        }
    }
    out.trim().to_owned()
}

/// The first header named `name` (case-insensitive).
pub(crate) fn find<'a, 'x>(headers: &'a [Header<'x>], name: &str) -> Option<&'a Header<'x>> {
    headers.iter().find(|h| h.name().eq_ignore_ascii_case(name))
}

/// The text of a header value if it is text.
pub(crate) fn text_of<'a>(v: &'a HeaderValue<'_>) -> Option<&'a str> {
    v.as_text()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_prefixes() {
        assert_eq!(split_subject_prefix("RE: Hello"), ("RE: ", "Hello"));
        assert_eq!(split_subject_prefix("Fwd: Hi"), ("Fwd: ", "Hi"));
        assert_eq!(split_subject_prefix("AW: WG: x"), ("AW: ", "WG: x"));
        assert_eq!(split_subject_prefix("Meeting: 10: 30"), ("", "Meeting: 10: 30"));
        assert_eq!(split_subject_prefix("12: x"), ("", "12: x"));
        assert_eq!(split_subject_prefix("Re:no space"), ("", "Re:no space"));
        assert_eq!(split_subject_prefix("Ответ: тест"), ("", "Ответ: тест"));
        assert_eq!(split_subject_prefix("Отв: тест"), ("Отв: ", "тест"));
    }

    #[test]
    fn promotion_rules() {
        assert!(promotable("x-mailer", HeaderPromotion::Spec));
        assert!(promotable("list-id", HeaderPromotion::Spec));
        assert!(!promotable("list-id", HeaderPromotion::XHeadersOnly));
        assert!(!promotable("received", HeaderPromotion::Spec));
        assert!(!promotable("x-ms-exchange-organization-scl", HeaderPromotion::Spec));
        assert!(promotable("x-ms-exchange-organization-authas", HeaderPromotion::Spec));
        assert!(!promotable("x-mailer", HeaderPromotion::None));
    }

    #[test]
    fn auto_response_suppress_bits() {
        assert_eq!(auto_response_suppress("OOF, AutoReply"), 0x30);
        assert_eq!(auto_response_suppress("All"), -1);
    }
}
