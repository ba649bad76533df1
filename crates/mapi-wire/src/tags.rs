//! [MS-OXPROPS] 2 the tag catalogue: PidTag constants with their canonical
//! names and types, the named-property sets, and the PidLid/PidName
//! properties we use.
//!
//! One table each is the single source of truth:
//! * `src/tags/pid_tag.rs`: every PidTag as
//!   `CONST = 0xIIIITTTT, "PidTagName";`, sorted by tag. It generates
//!   `PropTag::CONST` and the sorted lookup table behind [`name_of`],
//!   [`name_of_id`] and [`by_name`].
//! * `src/tags/pid_lid.rs`: every PidLid as
//!   `CONST = SET, 0xLID, TYPE, "PidLidName";`, generating `PidLid::CONST`.
//! * the short PidName table below (string-named properties).
//!
//! Named properties ([`NamedProp`]) have no fixed tag: a mailbox maps each
//! (set, id-or-name) to a property id ≥ 0x8000 with
//! RopGetPropertyIdsFromNames ([MS-OXCPRPT] 2.2.12); [`NamedProp::tag`]
//! builds the tag once the id is known.

use crate::guid::Guid;
use crate::prop_tag::{PropTag, PropType};

/// Generates `PropTag` constants and the sorted `TAGS` table from
/// `CONST = 0xIIIITTTT, "PidTagName";` lines.
macro_rules! pid_tags {
    ($( $(#[$meta:meta])* $konst:ident = $tag:literal, $name:literal; )*) => {
        impl $crate::prop_tag::PropTag {
            $(
                #[doc = concat!("[MS-OXPROPS] 2 `", $name, "`, tag `", stringify!($tag), "`.")]
                $(#[$meta])*
                pub const $konst: Self = Self($tag);
            )*
        }

        /// Every catalogued tag with its canonical name, sorted by tag.
        pub(super) static TAGS: &[($crate::prop_tag::PropTag, &str)] = &[$(($crate::prop_tag::PropTag($tag), $name)),*];

        /// Constant identifier and canonical name of every entry (tests).
        #[cfg(test)]
        pub(super) static CONST_NAMES: &[(&str, &str)] = &[$((stringify!($konst), $name)),*];
    };
}

/// Generates `PidLid` constants and the `LIDS` table from
/// `CONST = SET, 0xLID, TYPE, "PidLidName";` lines.
macro_rules! pid_lids {
    ($( $(#[$meta:meta])* $konst:ident = $set:ident, $lid:literal, $ty:ident, $name:literal; )*) => {
        impl $crate::tags::PidLid {
            $(
                #[doc = concat!(
                    "[MS-OXPROPS] 2 `", $name, "`: `", stringify!($set), "` LID `", stringify!($lid),
                    "`, `", stringify!($ty), "`."
                )]
                $(#[$meta])*
                pub const $konst: $crate::tags::NamedProp = $crate::tags::NamedProp {
                    set: $crate::tags::$set,
                    kind: $crate::tags::NamedKind::Id($lid),
                    ty: $crate::prop_tag::PropType::$ty,
                    canonical: $name,
                };
            )*
        }

        /// Every catalogued PidLid, in table order.
        pub(super) static LIDS: &[$crate::tags::NamedProp] = &[$($crate::tags::PidLid::$konst),*];

        /// Constant identifier and canonical name of every entry (tests).
        #[cfg(test)]
        pub(super) static CONST_NAMES: &[(&str, &str)] = &[$((stringify!($konst), $name)),*];
    };
}

mod pid_lid;
mod pid_tag;
#[cfg(test)]
mod tests;

/// [MS-OXCDATA] 2.6.1: `00020328-0000-0000-C000-000000000046`, the set of
/// the plain property ids (a named property in PS_MAPI with LID *n* is the
/// tag with id *n*).
pub const PS_MAPI: Guid = ole_guid(0x0002_0328);
/// [MS-OXPROPS] 1.3.2: `00020329-0000-0000-C000-000000000046`, PS_PUBLIC_STRINGS.
pub const PS_PUBLIC_STRINGS: Guid = ole_guid(0x0002_0329);
/// [MS-OXPROPS] 1.3.2: `00020386-0000-0000-C000-000000000046`,
/// PS_INTERNET_HEADERS: string-named properties holding Internet message
/// headers, the name being the header name (matched case-insensitively,
/// [MS-OXCMAIL] 2.2.3.2).
pub const PS_INTERNET_HEADERS: Guid = ole_guid(0x0002_0386);
/// [MS-OXPROPS] 1.3.2: `00062002-0000-0000-C000-000000000046`, PSETID_Appointment.
pub const PSETID_APPOINTMENT: Guid = ole_guid(0x0006_2002);
/// [MS-OXPROPS] 1.3.2: `00062003-0000-0000-C000-000000000046`, PSETID_Task.
pub const PSETID_TASK: Guid = ole_guid(0x0006_2003);
/// [MS-OXPROPS] 1.3.2: `00062004-0000-0000-C000-000000000046`, PSETID_Address.
pub const PSETID_ADDRESS: Guid = ole_guid(0x0006_2004);
/// [MS-OXPROPS] 1.3.2: `00062008-0000-0000-C000-000000000046`, PSETID_Common.
pub const PSETID_COMMON: Guid = ole_guid(0x0006_2008);
/// [MS-OXPROPS] 1.3.2: `0006200A-0000-0000-C000-000000000046`, PSETID_Log (journal).
pub const PSETID_LOG: Guid = ole_guid(0x0006_200A);
/// [MS-OXPROPS] 1.3.2: `0006200E-0000-0000-C000-000000000046`, PSETID_Note.
pub const PSETID_NOTE: Guid = ole_guid(0x0006_200E);
/// [MS-OXPROPS] 1.3.2: `00062040-0000-0000-C000-000000000046`, PSETID_Sharing.
pub const PSETID_SHARING: Guid = ole_guid(0x0006_2040);
/// [MS-OXPROPS] 1.3.2: `00062041-0000-0000-C000-000000000046`, PSETID_PostRss.
pub const PSETID_POST_RSS: Guid = ole_guid(0x0006_2041);
/// [MS-OXPROPS] 1.3.2: `6ED8DA90-450B-101B-98DA-00AA003F1305`, PSETID_Meeting.
pub const PSETID_MEETING: Guid =
    Guid::from_fields(0x6ED8_DA90, 0x450B, 0x101B, [0x98, 0xDA, 0x00, 0xAA, 0x00, 0x3F, 0x13, 0x05]);
/// [MS-OXPROPS] 1.3.2: `41F28F13-83F4-4114-A584-EEDB5A6B0BFF`, PSETID_Messaging.
pub const PSETID_MESSAGING: Guid =
    Guid::from_fields(0x41F2_8F13, 0x83F4, 0x4114, [0xA5, 0x84, 0xEE, 0xDB, 0x5A, 0x6B, 0x0B, 0xFF]);
/// [MS-OXPROPS] 1.3.2: `11000E07-B51B-40D6-AF21-CAA85EDAB1D0`, PSETID_CalendarAssistant.
pub const PSETID_CALENDAR_ASSISTANT: Guid =
    Guid::from_fields(0x1100_0E07, 0xB51B, 0x40D6, [0xAF, 0x21, 0xCA, 0xA8, 0x5E, 0xDA, 0xB1, 0xD0]);
/// [MS-OXPROPS] 1.3.2: `4442858E-A9E3-4E80-B900-317A210CC15B`, PSETID_UnifiedMessaging.
pub const PSETID_UNIFIED_MESSAGING: Guid =
    Guid::from_fields(0x4442_858E, 0xA9E3, 0x4E80, [0xB9, 0x00, 0x31, 0x7A, 0x21, 0x0C, 0xC1, 0x5B]);
/// [MS-OXPROPS] 1.3.2: `71035549-0739-4DCB-9163-00F0580DBBDF`, PSETID_AirSync.
pub const PSETID_AIR_SYNC: Guid =
    Guid::from_fields(0x7103_5549, 0x0739, 0x4DCB, [0x91, 0x63, 0x00, 0xF0, 0x58, 0x0D, 0xBB, 0xDF]);
/// [MS-OXPROPS] 1.3.2: `96357F7F-59E1-47D0-99A7-46515C183B54`, PSETID_Attachment.
pub const PSETID_ATTACHMENT: Guid =
    Guid::from_fields(0x9635_7F7F, 0x59E1, 0x47D0, [0x99, 0xA7, 0x46, 0x51, 0x5C, 0x18, 0x3B, 0x54]);
/// [MS-OXPROPS] 1.3.2: `23239608-685D-4732-9C55-4C95CB4E8E33`, PSETID_XmlExtractedEntities.
pub const PSETID_XML_EXTRACTED_ENTITIES: Guid =
    Guid::from_fields(0x2323_9608, 0x685D, 0x4732, [0x9C, 0x55, 0x4C, 0x95, 0xCB, 0x4E, 0x8E, 0x33]);

/// Every property set above with its canonical name ([MS-OXPROPS] 1.3.2).
pub const PROPERTY_SETS: &[(Guid, &str)] = &[
    (PS_MAPI, "PS_MAPI"),
    (PS_PUBLIC_STRINGS, "PS_PUBLIC_STRINGS"),
    (PS_INTERNET_HEADERS, "PS_INTERNET_HEADERS"),
    (PSETID_APPOINTMENT, "PSETID_Appointment"),
    (PSETID_TASK, "PSETID_Task"),
    (PSETID_ADDRESS, "PSETID_Address"),
    (PSETID_COMMON, "PSETID_Common"),
    (PSETID_LOG, "PSETID_Log"),
    (PSETID_NOTE, "PSETID_Note"),
    (PSETID_SHARING, "PSETID_Sharing"),
    (PSETID_POST_RSS, "PSETID_PostRss"),
    (PSETID_MEETING, "PSETID_Meeting"),
    (PSETID_MESSAGING, "PSETID_Messaging"),
    (PSETID_CALENDAR_ASSISTANT, "PSETID_CalendarAssistant"),
    (PSETID_UNIFIED_MESSAGING, "PSETID_UnifiedMessaging"),
    (PSETID_AIR_SYNC, "PSETID_AirSync"),
    (PSETID_ATTACHMENT, "PSETID_Attachment"),
    (PSETID_XML_EXTRACTED_ENTITIES, "PSETID_XmlExtractedEntities"),
];

/// The `{XXXXXXXX-0000-0000-C000-000000000046}` GUIDs of the OLE range.
const fn ole_guid(d1: u32) -> Guid {
    Guid::from_fields(d1, 0, 0, [0xC0, 0, 0, 0, 0, 0, 0, 0x46])
}

/// The canonical name of a property set GUID ([MS-OXPROPS] 1.3.2).
pub fn set_name(set: Guid) -> Option<&'static str> {
    PROPERTY_SETS.iter().find(|(g, _)| *g == set).map(|(_, n)| *n)
}

/// The canonical name of a catalogued tag ([MS-OXPROPS] 2), type included.
///
/// A PtypString8 tag (`001E`, `101E`) also finds the PtypString entry of the
/// same id (`001F`, `101F`) and the other way round: the two string types are
/// one property in two encodings ([MS-OXCDATA] 2.11.1), so
/// `0x001A001E` is `PidTagMessageClass` too. A multi-valued column tag with
/// the multi-value-instance flag ([MS-OXCDATA] 2.11.1.2, `0x3A1B301F`) names
/// the same property as the plain multi-valued tag.
///
/// Ids 0x8000–0xFFFE name address-book properties (`PidTagAddressBook*`,
/// [MS-OXOABK] 2.2) only on the NSPI endpoint; in a mailbox the same ids are
/// named properties mapped per mailbox, so a caller decoding mailbox traffic
/// should check [`PropTag::is_named`] before trusting a name from here.
pub fn name_of(tag: PropTag) -> Option<&'static str> {
    let ty = tag.prop_type();
    let tag = if ty.is_multi() { tag.with_type(ty.without_instance()) } else { tag };
    exact(tag).or_else(|| other_string_type(tag).and_then(exact))
}

/// The canonical name of a property id regardless of type (for example the
/// PtypErrorCode `0x0037000A` of `PidTagSubject`). Where several types of one
/// id carry different names (`PidTagBodyHtml` / `PidTagHtml`), the entry
/// with the lowest type value wins.
pub fn name_of_id(id: u16) -> Option<&'static str> {
    let first = pid_tag::TAGS.partition_point(|(t, _)| t.id() < id);
    pid_tag::TAGS.get(first).filter(|(t, _)| t.id() == id).map(|(_, n)| *n)
}

/// The catalogued tag with this canonical name (`"PidTagSubject"`), with
/// the type [MS-OXPROPS] gives it.
pub fn by_name(name: &str) -> Option<PropTag> {
    pid_tag::TAGS.iter().find(|(_, n)| *n == name).map(|(t, _)| *t)
}

/// Every catalogued tag with its canonical name, sorted by tag.
pub fn all_tags() -> &'static [(PropTag, &'static str)] {
    pid_tag::TAGS
}

fn exact(tag: PropTag) -> Option<&'static str> {
    pid_tag::TAGS.binary_search_by_key(&tag, |(t, _)| *t).ok().and_then(|i| pid_tag::TAGS.get(i)).map(|(_, n)| *n)
}

fn other_string_type(tag: PropTag) -> Option<PropTag> {
    let other = match tag.prop_type() {
        PropType::STRING8 => PropType::STRING,
        PropType::STRING => PropType::STRING8,
        PropType::MULTIPLE_STRING8 => PropType::MULTIPLE_STRING,
        PropType::MULTIPLE_STRING => PropType::MULTIPLE_STRING8,
        _ => return None,
    };
    Some(tag.with_type(other))
}

/// How a named property is identified within its set ([MS-OXCDATA] 2.6.1
/// PropertyName: Kind 0x00 = LID, 0x01 = string name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NamedKind<'a> {
    /// A numeric long id (LID), `MNID_ID`.
    Id(u32),
    /// A string name, `MNID_STRING`.
    Name(&'a str),
}

/// A catalogued named property: its set, id or name, type and canonical
/// name ([MS-OXPROPS] 2, [MS-OXCDATA] 2.6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NamedProp {
    /// The property set GUID.
    pub set: Guid,
    /// The LID or string name within the set.
    pub kind: NamedKind<'static>,
    /// The type [MS-OXPROPS] gives the property.
    pub ty: PropType,
    /// The canonical name (`PidLidAppointmentStartWhole`, `PidNameKeywords`).
    pub canonical: &'static str,
}

impl NamedProp {
    /// The tag of this property once the mailbox has mapped it to `id`
    /// (from RopGetPropertyIdsFromNames, [MS-OXCPRPT] 2.2.12).
    pub const fn tag(&self, id: u16) -> PropTag {
        PropTag::new(id, self.ty)
    }

    /// True if this property is identified by (`set`, `kind`); names in
    /// PS_INTERNET_HEADERS compare case-insensitively.
    pub fn matches(&self, set: Guid, kind: NamedKind<'_>) -> bool {
        if self.set != set {
            return false;
        }
        match (self.kind, kind) {
            (NamedKind::Id(a), NamedKind::Id(b)) => a == b,
            (NamedKind::Name(a), NamedKind::Name(b)) if set == PS_INTERNET_HEADERS => a.eq_ignore_ascii_case(b),
            (NamedKind::Name(a), NamedKind::Name(b)) => a == b,
            _ => false,
        }
    }
}

/// Namespace of the numeric named properties: `PidLid::APPOINTMENT_START_WHOLE`
/// ([MS-OXPROPS] 2, table in `src/tags/pid_lid.rs`).
#[derive(Debug)]
pub enum PidLid {}

/// Namespace of the string-named properties: `PidName::KEYWORDS`
/// ([MS-OXPROPS] 2).
#[derive(Debug)]
pub enum PidName {}

impl PidName {
    /// [MS-OXPROPS] 2 `PidNameKeywords`: PS_PUBLIC_STRINGS `Keywords`,
    /// PtypMultipleString — the Outlook categories ([MS-OXCMSG] 2.2.1.17).
    pub const KEYWORDS: NamedProp =
        string_named(PS_PUBLIC_STRINGS, "Keywords", PropType::MULTIPLE_STRING, "PidNameKeywords");
    /// [MS-OXPROPS] 2 `PidNameContentType`: PS_INTERNET_HEADERS `Content-Type`, PtypString.
    pub const CONTENT_TYPE: NamedProp =
        string_named(PS_INTERNET_HEADERS, "Content-Type", PropType::STRING, "PidNameContentType");
    /// [MS-OXPROPS] 2 `PidNameContentClass`: PS_INTERNET_HEADERS `Content-Class`, PtypString.
    pub const CONTENT_CLASS: NamedProp =
        string_named(PS_INTERNET_HEADERS, "Content-Class", PropType::STRING, "PidNameContentClass");
    /// [MS-OXPROPS] 2 `PidNameXMailer`: PS_INTERNET_HEADERS `X-Mailer`, PtypString.
    pub const X_MAILER: NamedProp = string_named(PS_INTERNET_HEADERS, "X-Mailer", PropType::STRING, "PidNameXMailer");
    /// [MS-OXPROPS] 2 `PidNameAcceptLanguage`: PS_INTERNET_HEADERS `Accept-Language`, PtypString.
    pub const ACCEPT_LANGUAGE: NamedProp =
        string_named(PS_INTERNET_HEADERS, "Accept-Language", PropType::STRING, "PidNameAcceptLanguage");
    /// [MS-OXPROPS] 2 `PidNameAttachmentMacInfo`: PSETID_Attachment `AttachmentMacInfo`, PtypBinary.
    pub const ATTACHMENT_MAC_INFO: NamedProp =
        string_named(PSETID_ATTACHMENT, "AttachmentMacInfo", PropType::BINARY, "PidNameAttachmentMacInfo");
    /// [MS-OXPROPS] 2 `PidNameAttachmentMacContentType`: PSETID_Attachment
    /// `AttachmentMacContentType`, PtypString.
    pub const ATTACHMENT_MAC_CONTENT_TYPE: NamedProp = string_named(
        PSETID_ATTACHMENT,
        "AttachmentMacContentType",
        PropType::STRING,
        "PidNameAttachmentMacContentType",
    );
}

/// Every catalogued string-named property.
static NAMES: &[NamedProp] = &[
    PidName::KEYWORDS,
    PidName::CONTENT_TYPE,
    PidName::CONTENT_CLASS,
    PidName::X_MAILER,
    PidName::ACCEPT_LANGUAGE,
    PidName::ATTACHMENT_MAC_INFO,
    PidName::ATTACHMENT_MAC_CONTENT_TYPE,
];

const fn string_named(set: Guid, name: &'static str, ty: PropType, canonical: &'static str) -> NamedProp {
    NamedProp { set, kind: NamedKind::Name(name), ty, canonical }
}

/// Every catalogued named property: the PidLids, then the PidNames.
pub fn all_named() -> impl Iterator<Item = &'static NamedProp> {
    pid_lid::LIDS.iter().chain(NAMES.iter())
}

/// The catalogued named property with this canonical name
/// (`"PidLidAppointmentStartWhole"`, `"PidNameKeywords"`).
pub fn named_by_canonical(name: &str) -> Option<&'static NamedProp> {
    all_named().find(|p| p.canonical == name)
}

/// The catalogued named property identified by (`set`, `kind`), e.g. from a
/// PropertyName returned by RopGetNamesFromPropertyIds ([MS-OXCPRPT] 2.2.13).
pub fn named_of(set: Guid, kind: NamedKind<'_>) -> Option<&'static NamedProp> {
    all_named().find(|p| p.matches(set, kind))
}
