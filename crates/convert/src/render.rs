//! MAPI → MIME ([MS-OXCMAIL] 2.1.3, MIME generation): [`to_mime`] renders a [`Message`] as an RFC 5322 / MIME message.
//!
//! # Structure
//!
//! ```text
//! multipart/mixed                        if there are attachments
//! ├── multipart/related                  if the HTML body references inline parts (cid:)
//! │   ├── multipart/alternative          if there is more than one body form
//! │   │   ├── text/plain                 PidTagBody
//! │   │   ├── text/html                  PidTagHtml (or HTML de-encapsulated from PidTagRtfCompressed)
//! │   │   └── text/calendar              meeting messages, from the CalendarPart hook
//! │   └── image/png …                    inline attachments (PidTagAttachContentId)
//! ├── application/pdf …                  attachments (base64, RFC 2231 names)
//! └── message/rfc822                     embedded messages (PidTagAttachMethod 5), recursively
//! ```
//!
//! S/MIME messages are not rebuilt: `IPM.Note.SMIME.MultipartSigned` emits
//! the stored `multipart/signed` entity byte for byte and `IPM.Note.SMIME`
//! the `application/pkcs7-mime` blob ([MS-OXOSMIME] 2.1, 3.1.4.2). Report
//! classes (`REPORT.*`) become `multipart/report` (RFC 6522). TNEF is never
//! produced.
//!
//! # Headers
//!
//! Headers derived from properties win; the original headers in
//! PidTagTransportMessageHeaders fill the rest (trace fields such as
//! `Received`, `Return-Path`, `DKIM-Signature`, `List-*`, `X-*`), in their
//! original order and form, before the derived ones. Never copied from the
//! original: any header we derive, `Bcc` (written only from the recipient
//! table and only with [`RenderOptions::include_bcc`]), `Content-*`, `MIME-Version`, and
//! `X-MS-Exchange-Organization-*` / `X-MS-Exchange-Forest-*`
//! ([MS-OXCMAIL] 2.2.3.2.28). The original `Date` text is kept when it is
//! the same instant as the derived one (the sender's zone survives).
//! Named properties in PS_INTERNET_HEADERS become
//! headers unless a header of that name is already written
//! ([MS-OXCMAIL] 2.1.3.2).
//!
//! # Determinism
//!
//! Boundaries are `=_` + 32 hex digits of a stable hash of
//! [`RenderOptions::identity`] and the part's position; `=_` cannot occur in
//! base64 or quoted-printable text, and 7bit parts are only used for text
//! without `=_`, so a boundary never collides with content.

//!
//! # Limitations
//!
//! * Native RTF bodies (not `\fromhtml1`/`\fromtext`) without PidTagHtml
//!   render as text/plain only (formatting dropped); [MS-OXCMAIL] 2.1.3.3
//!   would also have an HTML alternative generated from the RTF. Exchange
//!   returns PidTagHtml converted from RTF when asked, so the mailbox layer
//!   normally has it.
//! * RTF `\'hh` bytes are decoded with `\ansicpg` only (per-font
//!   `\fcharset` is ignored).
//! * Report parts carry only the fields MAPI keeps (RFC 3464 per-recipient
//!   fields from the recipient rows' report properties; RFC 8098 fields from
//!   PidTagReportText and the references).
//! * OLE (`afStorage`) and by-reference attachments have no data in the bag
//!   and render as empty parts with their name and type.

mod body;
pub(crate) mod charset;
mod encode;
mod headers;
mod parts;

use crate::error::ConvertError;
use crate::message::Message;

/// Options of one rendering. The same message with the same options always
/// gives the same bytes.
#[derive(Clone, Copy)]
pub struct RenderOptions<'a> {
    /// Seed for MIME boundaries and for a Message-ID when the message has
    /// none: the item's identity and version, e.g. PidTagSourceKey followed
    /// by PidTagChangeKey. The same item version always renders identically;
    /// a new version may use new boundaries.
    pub identity: &'a [u8],
    /// Embedded messages nested deeper than this are rendered as an
    /// `application/octet-stream` placeholder part instead of
    /// `message/rfc822` (default 8).
    pub max_depth: usize,
    /// Domain for IMCEA-encapsulated addresses of non-SMTP senders and
    /// recipients, default `invalid`.
    pub imcea_domain: &'a str,
    /// Write a `Bcc` header from the Bcc recipients. Off by default (Bcc
    /// must not reach other recipients). [MS-OXCMAIL] 2.1.3.1.1.2 says MIME
    /// writers SHOULD include Bcc when serving IMAP/POP3, so the mailbox
    /// layer turns it on for the user's own copies (Drafts, Sent Items),
    /// where a client re-opening a draft would otherwise lose its Bcc.
    pub include_bcc: bool,
    /// Upper bound of the output size; larger messages fail with
    /// [`ConvertError::TooLarge`] (default 256 MiB).
    pub max_output: usize,
    /// The text/calendar hook for meeting messages (filled by the iCalendar
    /// converter); `None` renders meeting messages without a calendar part.
    pub calendar: Option<&'a dyn CalendarPart>,
}

impl Default for RenderOptions<'_> {
    fn default() -> Self {
        Self {
            identity: &[],
            max_depth: 8,
            imcea_domain: "invalid",
            include_bcc: false,
            max_output: 256 << 20,
            calendar: None,
        }
    }
}

impl std::fmt::Debug for RenderOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderOptions")
            .field("identity", &self.identity)
            .field("max_depth", &self.max_depth)
            .field("imcea_domain", &self.imcea_domain)
            .field("include_bcc", &self.include_bcc)
            .field("max_output", &self.max_output)
            .field("calendar", &self.calendar.is_some())
            .finish()
    }
}

/// A `text/calendar` body part for a meeting message ([MS-OXCMAIL] 2.1.3.3:
/// a calendar item or meeting message is a `multipart/alternative` of
/// text/plain, text/html and, third, `text/calendar` generated per
/// [MS-OXCICAL]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarBody {
    /// The iTIP method (`REQUEST`, `REPLY`, `CANCEL`, `PUBLISH`…).
    pub method: String,
    /// The iCalendar object, UTF-8.
    pub ics: Vec<u8>,
}

/// The seam for the iCalendar converter ([MS-OXCICAL]): given a message,
/// return its `text/calendar` part, or `None` if it has none. Called for
/// every rendered message (top level and embedded) whose class starts with
/// `IPM.Schedule.Meeting` or `IPM.Appointment`; the part is added as the
/// last alternative of the body.
pub trait CalendarPart {
    /// The calendar part of `msg`, if it should have one.
    fn calendar_part(&self, msg: &Message) -> Result<Option<CalendarBody>, ConvertError>;
}

/// Renders a message as MIME ([MS-OXCMAIL] 2.1.3). Deterministic: see the
/// [module docs](self). Lenient: absent or odd properties are skipped, never
/// an error; errors only for [`ConvertError::TooLarge`] and a failing
/// [`CalendarPart`].
///
/// ```
/// use convert::{Message, RenderOptions, to_mime};
/// use mapi_wire::PropTag;
/// use mapi_wire::prop_value::PropValue;
///
/// let mut msg = Message::new();
/// msg.props.insert(PropTag::SUBJECT, PropValue::String("Grüße".into())).unwrap();
/// msg.props.insert(PropTag::BODY, PropValue::String("Hello\r\n".into())).unwrap();
/// let mime = to_mime(&msg, &RenderOptions { identity: b"item-1", ..Default::default() }).unwrap();
/// let text = String::from_utf8(mime).unwrap();
/// assert!(text.contains("Subject: =?utf-8?B?R3LDvMOfZQ==?=\r\n"));
/// assert!(text.ends_with("\r\n\r\nHello\r\n"));
/// ```
pub fn to_mime(msg: &Message, opts: &RenderOptions<'_>) -> Result<Vec<u8>, ConvertError> {
    let mut out = Vec::with_capacity(estimate_size(msg));
    parts::render_message(msg, opts, 0, &mut out)?;
    if out.len() > opts.max_output {
        return Err(ConvertError::TooLarge { limit: opts.max_output });
    }
    Ok(out)
}

/// A capacity hint: the raw sizes of bodies and attachment data × 4/3.
fn estimate_size(msg: &Message) -> usize {
    use mapi_wire::PropTag;
    let body = msg.props.string(PropTag::BODY).map_or(0, |s| s.len());
    let html = msg.props.binary(PropTag::HTML).map_or(0, <[u8]>::len);
    let atts: usize = msg.attachments.iter().map(|a| a.data().len()).sum();
    (body + html + atts) / 3 * 4 + 4096
}
