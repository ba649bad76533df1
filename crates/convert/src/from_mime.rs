//! MIME → MAPI: [MS-OXCMAIL] 2.2.3 Converting MIME to MAPI, for IMAP APPEND
//! and SMTP submission.
//!
//! [`from_mime`] parses an Internet message (RFC 5322 + MIME) with
//! `mail-parser` and maps it onto a [`Message`]:
//!
//! * every header per [MS-OXCMAIL] 2.2.3.2 (`headers` module): the original
//!   header block verbatim into PidTagTransportMessageHeaders, originator and
//!   recipients with one-off entry ids, subject prefix split, dates, ids,
//!   importance/priority/sensitivity, receipts, threading, keywords, and the
//!   remaining headers as PS_INTERNET_HEADERS named properties
//!   ([MS-OXCMAIL] 2.2.3.2.29);
//! * bodies and attachments per [MS-OXCMAIL] 2.2.3.3 (`parts` module):
//!   text/plain → PidTagBody, text/html → PidTagHtml + PidTagInternetCodepage,
//!   multipart/related inline parts → hidden attachments, message/rfc822 →
//!   embedded messages, S/MIME per [MS-OXOSMIME] 2.1.3, reports (DSN/MDN) per
//!   [MS-OXCMAIL] 2.2.3.3 / [MS-OXOMSG] (report classes).
//!
//! Nothing is dropped silently: a part that cannot be decoded becomes an
//! attachment holding its raw bytes, and every lossy step is reported in
//! [`Parsed::warnings`].
//!
//! Text/calendar parts are kept as attachments; the iCalendar converter
//! plugs in through [`ParseOptions::calendar`] (see [`calendar_part_hook`]).

mod address;
mod body;
mod charset;
mod headers;
mod parts;
mod report;

use mapi_wire::prop_value::FileTime;

use crate::error::ConvertError;
use crate::message::Message;

pub use charset::codepage_of_label;
pub use headers::split_subject_prefix;

/// How PS_INTERNET_HEADERS named properties are created from headers that
/// map to no other property ([MS-OXCMAIL] 2.2.3.2.29).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum HeaderPromotion {
    /// As [MS-OXCMAIL] 2.2.3.2.29 says: every header except the ones mapped
    /// elsewhere and the listed exclusions.
    #[default]
    Spec,
    /// Only `X-…` headers (each distinct header name costs a named-property
    /// id in the mailbox; Exchange Online limits them).
    XHeadersOnly,
    /// None (the headers stay in PidTagTransportMessageHeaders).
    None,
}

/// A text/calendar part handed to [`ParseOptions::calendar`].
#[derive(Debug)]
pub struct CalendarPart<'a> {
    /// The part's decoded bytes (transfer encoding removed, charset untouched).
    pub data: &'a [u8],
    /// The `method` parameter of the Content-Type (`REQUEST`, `REPLY`, …).
    pub method: Option<&'a str>,
    /// The `charset` parameter.
    pub charset: Option<&'a str>,
}

/// The iCalendar seam: called for every text/calendar part with the message
/// being built. Return `Ok(true)` if the hook consumed the part (it then is
/// not kept as an attachment).
pub type CalendarHook = fn(&CalendarPart<'_>, &mut Message) -> Result<bool, ConvertError>;

/// Options of [`from_mime`].
#[derive(Clone, Debug)]
pub struct ParseOptions {
    /// Largest accepted input in bytes; larger input is refused with
    /// [`ConvertError::TooLarge`]. Default 64 MiB.
    pub max_size: usize,
    /// How deep message/rfc822 parts nest before the deeper ones are kept
    /// as raw attachments (and multipart nesting is limited to 8× this).
    /// Default 8.
    pub max_depth: usize,
    /// PidTagMessageDeliveryTime to set (IMAP APPEND: the internal date);
    /// `None` for SMTP submission.
    pub delivery_time: Option<FileTime>,
    /// Which leftover headers become PS_INTERNET_HEADERS named properties.
    pub header_promotion: HeaderPromotion,
    /// The iCalendar converter, once it exists (see [`calendar_part_hook`]).
    pub calendar: Option<CalendarHook>,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            max_size: 64 * 1024 * 1024,
            max_depth: 8,
            delivery_time: None,
            header_promotion: HeaderPromotion::Spec,
            calendar: None,
        }
    }
}

/// What went lossy or was repaired while parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningKind {
    /// A part could not be decoded (bad base64, broken MIME structure) and
    /// was kept as an attachment with its raw bytes.
    UndecodablePart,
    /// The MIME structure around a part was broken (e.g. a missing end
    /// boundary) but the part's content decoded and was used.
    BrokenStructure,
    /// A text part had bytes invalid in its charset (replaced by U+FFFD in
    /// the Unicode properties; the attachment or PidTagHtml keeps the bytes).
    CharsetErrors,
    /// The charset label is unknown; the text was decoded as UTF-8/Latin-1.
    UnknownCharset,
    /// A message/rfc822 or multipart nested deeper than
    /// [`ParseOptions::max_depth`] and was kept as a raw attachment.
    DepthLimit,
    /// An address without a mailbox (no `@`, empty group) was not made a
    /// recipient; it stays in PidTagTransportMessageHeaders.
    AddressWithoutMailbox,
    /// A header value could not be interpreted (bad date, bad Thread-Index…);
    /// it stays in PidTagTransportMessageHeaders.
    BadHeader,
    /// A second body part of a kind already found (another text/html in an
    /// alternative, …) was kept as an attachment instead.
    ExtraBodyPart,
    /// No header block could be parsed; the input was kept as an attachment.
    NotAMessage,
}

/// One warning: where (MIME part path, `1.2` = second child of the first
/// child; empty = the message header) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The MIME part path (IMAP BODY section style), empty for the top level.
    pub part: String,
    /// What happened.
    pub kind: WarningKind,
    /// Details for logs.
    pub detail: String,
}

/// The result of [`from_mime_with_warnings`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed {
    /// The converted message.
    pub message: Message,
    /// What was lossy or repaired, in document order.
    pub warnings: Vec<Warning>,
}

/// Converts an Internet message to a MAPI message ([MS-OXCMAIL] 2.2.3).
///
/// Errors only when the input exceeds [`ParseOptions::max_size`]; malformed
/// MIME is converted as well as it goes (see [`from_mime_with_warnings`]).
pub fn from_mime(raw: &[u8], opts: &ParseOptions) -> Result<Message, ConvertError> {
    from_mime_with_warnings(raw, opts).map(|p| p.message)
}

/// [`from_mime`], also returning what was lossy.
pub fn from_mime_with_warnings(raw: &[u8], opts: &ParseOptions) -> Result<Parsed, ConvertError> {
    if raw.len() > opts.max_size {
        return Err(ConvertError::TooLarge { limit: opts.max_size });
    }
    let mut conv = parts::Converter::new(opts);
    let mut message = conv.convert_top(raw)?;
    if let Some(t) = opts.delivery_time {
        insert(
            &mut message.props,
            mapi_wire::PropTag::MESSAGE_DELIVERY_TIME,
            mapi_wire::prop_value::PropValue::Time(t),
        );
    }
    Ok(Parsed { message, warnings: conv.into_warnings() })
}

/// The default handling of a text/calendar part: hand it to
/// [`ParseOptions::calendar`] if set; `Ok(false)` (keep it as an attachment)
/// otherwise. This is the seam for the iCalendar converter ([MS-OXCICAL]):
/// it will set the meeting class and properties on `message` and return
/// `Ok(true)`.
pub fn calendar_part_hook(
    part: &CalendarPart<'_>,
    message: &mut Message,
    opts: &ParseOptions,
) -> Result<bool, ConvertError> {
    match opts.calendar {
        Some(hook) => hook(part, message),
        None => Ok(false),
    }
}

/// Entry point for the fuzz target: parse, never panic.
#[doc(hidden)]
pub fn fuzz_from_mime(data: &[u8]) {
    let opts = ParseOptions { max_size: 1 << 20, ..ParseOptions::default() };
    if let Ok(p) = from_mime_with_warnings(data, &opts) {
        // Touch the result so nothing is optimised away.
        let _ = p.message.props.len() + p.message.attachments.len() + p.warnings.len();
    }
}

/// Inserts a plain or catalogued property; the keys used in this module are
/// all valid bag keys, so the error case cannot happen.
pub(crate) fn insert(
    bag: &mut crate::bag::PropertyBag,
    key: impl crate::bag::ToPropKey,
    value: mapi_wire::prop_value::PropValue,
) {
    // Keys here are constants < 0x8000 or named keys: never refused.
    let _ = bag.insert(key, value);
}
