//! Contacts and personal distribution lists ↔ vCard 3.0 ([RFC 2426]) and
//! 4.0 ([RFC 6350]), following [MS-OXVCARD] for the property mapping and
//! [MS-OXOCNTC] for the Contact and Personal Distribution List objects.
//!
//! * [`vcard_to_message`] / [`vcards_to_messages`]: a vCard (3.0, 4.0, and
//!   the 2.1 that older Outlooks still write) → an `IPM.Contact` or, for
//!   `KIND:group` / Apple's `X-ADDRESSBOOKSERVER-KIND:group`, an
//!   `IPM.DistList` [`Message`].
//! * [`message_to_vcard`]: such a message → vCard text in the version the
//!   client asked for ([`VcardVersion`]; CardDAV negotiates it with the
//!   `version` parameter of `text/vcard`, [RFC 6352] 5.1.1).
//!
//! Parsing uses `calcard` (Stalwart's vCard/iCalendar parser). Output is
//! written by [`write`]: calcard's writer adds `CHARSET=UTF-8` to non-ASCII
//! 3.0 properties (a vCard 2.1 parameter RFC 2426 does not have) and
//! escapes the comma of a `data:` URI (`base64\,`), which 4.0 readers take
//! literally.
//!
//! # What is kept where
//!
//! * The client's `UID` goes verbatim into [`props::VCARD_UID`], so a GET
//!   returns the UID the client PUT (CardDAV clients match cards by UID).
//! * vCard properties MAPI has no place for (a fourth e-mail address,
//!   `X-SOCIALPROFILE`, Apple labels, `GENDER` in 3.0, …) are kept as
//!   content lines in [`props::VCARD_EXTRA`] and written back on render, so
//!   a client's card survives a round trip through Exchange.
//! * Distribution-list members are entry ids ([MS-OXOCNTC] 2.2.2.2.1);
//!   turning a member's contact UID into the contact's entry id and back
//!   needs the mailbox, which the caller supplies as a [`MemberDirectory`].
//!
//! Nothing here does IO or panics on input: bad input is a [`VcardError`].
//!
//! [RFC 2426]: https://www.rfc-editor.org/rfc/rfc2426
//! [RFC 6350]: https://www.rfc-editor.org/rfc/rfc6350
//! [RFC 6352]: https://www.rfc-editor.org/rfc/rfc6352

mod date;
pub mod distlist;
#[doc(hidden)]
pub mod fuzzing;
pub mod props;
mod read;
mod render;
mod values;
mod write;

pub use distlist::{DirectoryMember, MemberDirectory, NoDirectory, WrappedEntryId};
pub use props::search_properties;
pub use read::{VcardImport, vcard_to_message, vcards_to_messages};
pub use render::message_to_vcard;

use crate::message::Message;

/// The vCard version to render ([RFC 2426] is 3.0, [RFC 6350] is 4.0).
///
/// [RFC 2426]: https://www.rfc-editor.org/rfc/rfc2426
/// [RFC 6350]: https://www.rfc-editor.org/rfc/rfc6350
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum VcardVersion {
    /// vCard 3.0 (Apple Contacts, iOS, most CardDAV clients).
    V3,
    /// vCard 4.0 (DAVx5, Thunderbird).
    #[default]
    V4,
}

impl VcardVersion {
    /// The version from a `VERSION` value or the `version` parameter of a
    /// `text/vcard` media type ([RFC 6352] 5.1.1, 10.3): `"3.0"` or `"4.0"`.
    ///
    /// [RFC 6352]: https://www.rfc-editor.org/rfc/rfc6352
    pub fn from_version_param(value: &str) -> Option<Self> {
        match value.trim().trim_matches('"') {
            "3.0" => Some(Self::V3),
            "4.0" => Some(Self::V4),
            _ => None,
        }
    }

    /// The `VERSION` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V3 => "3.0",
            Self::V4 => "4.0",
        }
    }
}

/// Size limits for parsing. The defaults fit every address book seen in
/// practice with a large margin and keep a hostile PUT from tying up memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VcardLimits {
    /// Largest accepted input, in bytes (default 4 MiB).
    pub max_input: usize,
    /// Largest decoded `PHOTO`, in bytes (default 1 MiB).
    pub max_photo: usize,
    /// Most cards in one input (default 10,000).
    pub max_cards: usize,
    /// Most properties in one card (default 5,000).
    pub max_properties: usize,
    /// Most distribution-list members (default 2,000; [MS-OXOCNTC]
    /// 2.2.2.2.1 caps the member list at 15,000 bytes for Outlook, but a
    /// larger list is still stored).
    pub max_members: usize,
}

impl Default for VcardLimits {
    fn default() -> Self {
        Self { max_input: 4 << 20, max_photo: 1 << 20, max_cards: 10_000, max_properties: 5_000, max_members: 2_000 }
    }
}

/// Options of [`vcard_to_message`].
#[derive(Clone, Copy)]
pub struct VcardParseOptions<'a> {
    /// Size limits.
    pub limits: VcardLimits,
    /// Resolves `MEMBER:urn:uuid:…` of a group to the member's entry id.
    pub directory: &'a dyn MemberDirectory,
}

impl Default for VcardParseOptions<'_> {
    fn default() -> Self {
        Self { limits: VcardLimits::default(), directory: &NoDirectory }
    }
}

impl std::fmt::Debug for VcardParseOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VcardParseOptions").field("limits", &self.limits).finish_non_exhaustive()
    }
}

/// Options of [`message_to_vcard`].
#[derive(Clone, Copy)]
pub struct VcardRenderOptions<'a> {
    /// The version to write.
    pub version: VcardVersion,
    /// The UID for a message that has none in [`props::VCARD_UID`] (one
    /// Outlook made): the caller passes something stable, e.g. the hex of
    /// the message's source key, so that the UID does not change between
    /// two GETs.
    pub fallback_uid: Option<&'a str>,
    /// Maps distribution-list members' entry ids to contact UIDs.
    pub directory: &'a dyn MemberDirectory,
}

impl Default for VcardRenderOptions<'_> {
    fn default() -> Self {
        Self { version: VcardVersion::V4, fallback_uid: None, directory: &NoDirectory }
    }
}

impl std::fmt::Debug for VcardRenderOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VcardRenderOptions")
            .field("version", &self.version)
            .field("fallback_uid", &self.fallback_uid)
            .finish_non_exhaustive()
    }
}

/// Why a vCard could not be converted. CardDAV maps these to 400/403 with
/// the `CARDDAV:valid-address-data` precondition ([RFC 6352] 6.3.2.1) or,
/// for the size limits, `CARDDAV:max-resource-size`.
///
/// [RFC 6352]: https://www.rfc-editor.org/rfc/rfc6352
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VcardError {
    /// The input is larger than [`VcardLimits::max_input`].
    #[error("vCard input of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The input size.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The input is not UTF-8 (vCard 4.0 is UTF-8 only, [RFC 6350] 3.1;
    /// CardDAV bodies are UTF-8 by default).
    #[error("vCard input is not valid UTF-8 (at byte {0})")]
    NotUtf8(usize),
    /// No `BEGIN:VCARD … END:VCARD` in the input.
    #[error("no vCard in the input")]
    NoCard,
    /// [`vcard_to_message`] was given several cards.
    #[error("expected one vCard, found {0}")]
    SeveralCards(usize),
    /// A line that is not a content line, or a card that does not end.
    #[error("malformed vCard: {0}")]
    Malformed(String),
    /// An iCalendar object (or other component) where a vCard was expected.
    #[error("not a vCard: found {0}")]
    NotVcard(String),
    /// The `VERSION` is not 2.1, 3.0 or 4.0.
    #[error("unsupported vCard version {0:?}")]
    UnsupportedVersion(String),
    /// A count or size limit of [`VcardLimits`] was exceeded.
    #[error("vCard exceeds the limit of {limit} {what}")]
    LimitExceeded {
        /// What was counted (`"cards"`, `"properties"`, `"photo bytes"`,
        /// `"members"`).
        what: &'static str,
        /// The configured limit.
        limit: usize,
    },
    /// [`message_to_vcard`] was given a message that is neither a contact
    /// nor a distribution list.
    #[error("message class {0:?} is not a contact or a distribution list")]
    NotAContact(String),
    /// A property could not be stored in the bag (never for the keys this
    /// module uses; kept typed rather than unwrapped).
    #[error(transparent)]
    Bag(#[from] crate::BagError),
}

/// True if `message` is something [`message_to_vcard`] renders: an
/// `IPM.Contact` or `IPM.DistList` (or a subclass, [MS-OXCMSG] 2.2.1.3).
pub fn is_vcard_message(message: &Message) -> bool {
    message.class_is("IPM.Contact") || message.class_is("IPM.DistList")
}
