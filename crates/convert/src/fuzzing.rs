//! Entry points for fuzz targets (wired by `fuzz/`): build a [`Message`]
//! from arbitrary bytes and render it. Not a stable API.

use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::tags::{PS_INTERNET_HEADERS, PS_PUBLIC_STRINGS};
use mapi_wire::{Guid, PropTag};

use crate::bag::{NamedKey, PropKey};
use crate::message::{Attachment, Message, Recipient};
use crate::render::{RenderOptions, to_mime};

/// The property ids the renderer reads, so that arbitrary input reaches
/// them often.
const IDS: &[PropTag] = &[
    PropTag::SUBJECT,
    PropTag::SUBJECT_PREFIX,
    PropTag::NORMALIZED_SUBJECT,
    PropTag::BODY,
    PropTag::HTML,
    PropTag::RTF_COMPRESSED,
    PropTag::INTERNET_CODEPAGE,
    PropTag::MESSAGE_CLASS,
    PropTag::TRANSPORT_MESSAGE_HEADERS,
    PropTag::SENT_REPRESENTING_NAME,
    PropTag::SENT_REPRESENTING_SMTP_ADDRESS,
    PropTag::SENT_REPRESENTING_EMAIL_ADDRESS,
    PropTag::SENT_REPRESENTING_ADDRESS_TYPE,
    PropTag::SENDER_NAME,
    PropTag::SENDER_SMTP_ADDRESS,
    PropTag::SENDER_EMAIL_ADDRESS,
    PropTag::SENDER_ADDRESS_TYPE,
    PropTag::CLIENT_SUBMIT_TIME,
    PropTag::MESSAGE_DELIVERY_TIME,
    PropTag::INTERNET_MESSAGE_ID,
    PropTag::IN_REPLY_TO_ID,
    PropTag::INTERNET_REFERENCES,
    PropTag::IMPORTANCE,
    PropTag::PRIORITY,
    PropTag::SENSITIVITY,
    PropTag::READ_RECEIPT_REQUESTED,
    PropTag::CONVERSATION_INDEX,
    PropTag::CONVERSATION_TOPIC,
    PropTag::REPLY_RECIPIENT_ENTRIES,
    PropTag::RECIPIENT_TYPE,
    PropTag::DISPLAY_NAME,
    PropTag::SMTP_ADDRESS,
    PropTag::EMAIL_ADDRESS,
    PropTag::ADDRESS_TYPE,
    PropTag::ATTACH_METHOD,
    PropTag::ATTACH_DATA_BINARY,
    PropTag::ATTACH_LONG_FILENAME,
    PropTag::ATTACH_MIME_TAG,
    PropTag::ATTACH_CONTENT_ID,
    PropTag::ATTACH_CONTENT_LOCATION,
    PropTag::ATTACH_FLAGS,
    PropTag::ATTACHMENT_HIDDEN,
    PropTag::TEXT_ATTACHMENT_CHARSET,
    PropTag::REPORT_TEXT,
    PropTag::NON_DELIVERY_REPORT_STATUS_CODE,
    PropTag::SUPPLEMENTARY_INFO,
];

/// Message classes worth hitting.
const CLASSES: &[&str] = &[
    "IPM.Note",
    "IPM.Note.SMIME",
    "IPM.Note.SMIME.MultipartSigned",
    "REPORT.IPM.Note.NDR",
    "REPORT.IPM.Note.IPNRN",
    "IPM.Schedule.Meeting.Request",
];

/// A cursor over fuzz input.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    fn bytes(&mut self) -> Option<Vec<u8>> {
        let n = usize::from(self.byte()?);
        let n = if n == 255 { usize::from(self.byte()?) * 64 } else { n };
        let n = n.min(self.0.len());
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a.to_vec())
    }

    fn value(&mut self, id: PropTag) -> Option<PropValue> {
        let raw = self.bytes()?;
        let text = String::from_utf8_lossy(&raw).into_owned();
        let int = raw.iter().fold(0i64, |a, &b| a.wrapping_mul(256).wrapping_add(i64::from(b)));
        Some(match self.byte()? % 8 {
            0 if id == PropTag::MESSAGE_CLASS => PropValue::String(
                CLASSES.get(int.unsigned_abs() as usize % CLASSES.len()).copied().unwrap_or("IPM.Note").into(),
            ),
            0 | 1 => PropValue::String(text),
            2 => PropValue::Binary(raw),
            3 => PropValue::I32(int as i32),
            4 => PropValue::Bool(int & 1 == 1),
            5 => PropValue::Time(FileTime(int as u64)),
            6 => PropValue::String8(raw),
            _ => PropValue::MvString(text.split(',').map(str::to_owned).collect()),
        })
    }

    fn key(&mut self) -> Option<(PropKey, PropTag)> {
        let b = self.byte()?;
        Some(match b {
            0..=199 => {
                let tag = IDS.get(usize::from(b) % IDS.len()).copied().unwrap_or(PropTag::SUBJECT);
                (PropKey::Tag(tag.id()), tag)
            }
            200..=219 => {
                let name = String::from_utf8_lossy(&self.bytes()?).into_owned();
                (PropKey::Named(NamedKey::name(PS_INTERNET_HEADERS, &name)), PropTag::SUBJECT)
            }
            220..=229 => (PropKey::Named(NamedKey::name(PS_PUBLIC_STRINGS, "Keywords")), PropTag::SUBJECT),
            230..=239 => (PropKey::Named(NamedKey::lid(Guid::NIL, u32::from(self.byte()?))), PropTag::SUBJECT),
            _ => {
                let id = u16::from_le_bytes([self.byte()?, self.byte()?]) & 0x7FFF;
                (PropKey::Tag(id), PropTag::new(id, mapi_wire::PropType::BINARY))
            }
        })
    }
}

/// Builds a message from arbitrary bytes: a stream of operations (set a
/// property on the message / the last recipient / the last attachment, add
/// a recipient / an attachment, descend into an embedded message).
pub fn message_from_bytes(data: &[u8]) -> Message {
    let mut input = Input(data);
    build(&mut input, 0)
}

fn build(input: &mut Input<'_>, depth: usize) -> Message {
    let mut msg = Message::new();
    while let Some(op) = input.byte() {
        match op % 8 {
            0..=2 => {
                let Some((key, tag)) = input.key() else { break };
                let Some(v) = input.value(tag) else { break };
                let _ = msg.props.insert(key, v);
            }
            3 => msg.recipients.push(Recipient::default()),
            4 => {
                let Some((key, tag)) = input.key() else { break };
                let Some(v) = input.value(tag) else { break };
                if let Some(r) = msg.recipients.last_mut() {
                    let _ = r.props.insert(key, v);
                }
            }
            5 => msg.attachments.push(Attachment::default()),
            6 => {
                let Some((key, tag)) = input.key() else { break };
                let Some(v) = input.value(tag) else { break };
                if let Some(a) = msg.attachments.last_mut() {
                    let _ = a.props.insert(key, v);
                }
            }
            _ => {
                if depth >= 4 {
                    break;
                }
                if let Some(a) = msg.attachments.last_mut() {
                    let _ = a.props.insert(PropTag::ATTACH_METHOD, PropValue::I32(5));
                    a.embedded = Some(Box::new(build(input, depth + 1)));
                } else {
                    break;
                }
            }
        }
    }
    msg
}

/// Fuzz entry: build a message from `data`, render it twice, check the
/// results are identical (determinism) and parse as MIME boundaries.
pub fn fuzz_to_mime(data: &[u8]) {
    let msg = message_from_bytes(data);
    let opts = RenderOptions { identity: data.get(..data.len().min(16)).unwrap_or_default(), ..Default::default() };
    let a = to_mime(&msg, &opts);
    let b = to_mime(&msg, &opts);
    assert_eq!(a, b, "to_mime is not deterministic");
}

/// Fuzz entry for the RTF path: decompress and convert arbitrary bytes.
pub fn fuzz_rtf(data: &[u8]) {
    if let Some(rtf) = crate::rtf::decompress(data) {
        let _ = crate::rtf::to_body(&rtf);
    }
    let _ = crate::rtf::to_body(data);
}

/// MIME → MAPI → MIME on arbitrary bytes: parsing never panics, and whatever
/// parses renders, twice to the same bytes.
pub fn fuzz_mime_round_trip(data: &[u8]) {
    crate::from_mime::fuzz_from_mime(data);
    let opts = crate::ParseOptions { max_size: 1 << 20, ..crate::ParseOptions::default() };
    if let Ok(msg) = crate::from_mime(data, &opts) {
        let render = RenderOptions { identity: b"fuzz", ..RenderOptions::default() };
        let first = to_mime(&msg, &render);
        let second = to_mime(&msg, &render);
        assert_eq!(first, second, "rendering is not deterministic");
    }
}

/// iCalendar → MAPI → iCalendar on arbitrary bytes ([`crate::ical::fuzz_ical`]).
pub fn fuzz_ical(data: &[u8]) {
    crate::ical::fuzz_ical(data);
}
