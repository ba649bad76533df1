//! Pure conversions between MAPI property bags and MIME ([MS-OXCMAIL]).
//!
//! Exchange stores a message as MAPI properties, not as MIME. Every IMAP
//! FETCH renders one ([`to_mime`]), every SMTP submission and IMAP APPEND
//! parses one (MIME → MAPI, `from_mime*` modules, a separate engineer's).
//! Nothing here does IO: the mailbox layer reads the properties over MAPI
//! and hands over a [`Message`].
//!
//! # The model
//!
//! * [`Message`] = [`PropertyBag`] + recipient rows ([`Recipient`]) +
//!   attachments ([`Attachment`], optionally with an embedded [`Message`]).
//! * [`PropertyBag`] maps a [`PropKey`] to a [`mapi_wire::prop_value::PropValue`].
//!   A key is a plain property id (< 0x8000) or a named property (set GUID +
//!   LID or name, [`NamedKey`]); mailbox-specific named ids (≥ 0x8000) are
//!   never stored, see [`bag`].
//! * Typed accessors: `bag.string(PropTag::SUBJECT)`,
//!   `bag.named_time(&PidLid::REMINDER_SIGNAL_TIME)`, `bag.binary(PropTag::HTML)`.
//!
//! # Determinism
//!
//! Rendering is a pure function of the message and [`RenderOptions`]: MIME
//! boundaries derive from [`RenderOptions::identity`] (e.g. source key +
//! change key), never from a clock or a random generator, so the IMAP
//! RFC822.SIZE of a message is exact and stable across restarts and nodes.

#![forbid(unsafe_code)]

pub mod bag;
mod error;
pub mod from_mime;
pub mod ical;
pub mod message;
pub mod render;
pub mod rtf;
pub mod vcard;

#[doc(hidden)]
pub mod fuzzing;

pub use bag::{BagError, NamedId, NamedKey, PropKey, PropertyBag, ToPropKey};
pub use error::ConvertError;
pub use from_mime::{ParseOptions, Parsed, from_mime, from_mime_with_warnings};
pub use ical::{ExportOptions, IcalCalendarPart, IcalError, ImportOptions, Imported, from_ical, occurrences, to_ical};
pub use message::{AttachFlags, AttachMethod, Attachment, Message, Recipient, RecipientType};
pub use render::{CalendarBody, CalendarPart, RenderOptions, to_mime};
pub use vcard::{
    VcardError, VcardParseOptions, VcardRenderOptions, VcardVersion, message_to_vcard, vcard_to_message,
    vcards_to_messages,
};
