//! The MAPI properties of a contact that vCard maps to ([MS-OXOCNTC] 2.2.1,
//! [MS-OXVCARD] 2.1.3), as tables the reader and the renderer share, and
//! the two named properties of our own.

use mapi_wire::tags::{NamedKind, NamedProp, PS_PUBLIC_STRINGS, PidLid};
use mapi_wire::{PropTag, PropType};

/// The vCard `UID` the client sent, verbatim (PS_PUBLIC_STRINGS
/// `urn:mapibridge:vcard:uid`, PtypString). No MS-OX property holds it:
/// Outlook identifies a contact by entry id, a CardDAV client by UID
/// ([RFC 6350] 6.7.6), and GET must return the UID the client PUT.
///
/// [RFC 6350]: https://www.rfc-editor.org/rfc/rfc6350
pub const VCARD_UID: NamedProp = NamedProp {
    set: PS_PUBLIC_STRINGS,
    kind: NamedKind::Name("urn:mapibridge:vcard:uid"),
    ty: PropType::STRING,
    canonical: "urn:mapibridge:vcard:uid",
};

/// vCard content lines with no MAPI property (PS_PUBLIC_STRINGS
/// `urn:mapibridge:vcard:extra`, PtypString: folded content lines, CRLF
/// separated), written back on render so nothing the client stored is lost.
pub const VCARD_EXTRA: NamedProp = NamedProp {
    set: PS_PUBLIC_STRINGS,
    kind: NamedKind::Name("urn:mapibridge:vcard:extra"),
    ty: PropType::STRING,
    canonical: "urn:mapibridge:vcard:extra",
};

/// `MEMBER` URIs of a group that the [`super::MemberDirectory`] did not
/// know (PS_PUBLIC_STRINGS `urn:mapibridge:vcard:members`,
/// PtypMultipleString): a member added on a phone before its contact
/// synced is not lost, and comes back as `MEMBER` (4.0) or
/// `X-ADDRESSBOOKSERVER-MEMBER` (3.0).
pub const VCARD_MEMBERS: NamedProp = NamedProp {
    set: PS_PUBLIC_STRINGS,
    kind: NamedKind::Name("urn:mapibridge:vcard:members"),
    ty: PropType::MULTIPLE_STRING,
    canonical: "urn:mapibridge:vcard:members",
};

/// The MAPI properties that hold what a vCard property says, for turning a
/// CardDAV `prop-filter` ([RFC 6352] 10.5.1) into a restriction: `FN` →
/// PidTagDisplayName, `NICKNAME` → PidTagNickname, `EMAIL` → the three
/// PidLidEmailNEmailAddress, `TEL` → every telephone property,
/// `N` → surname and given name, `ORG` → company, `UID` → [`VCARD_UID`].
/// `None` for a property with no searchable MAPI counterpart.
///
/// [RFC 6352]: https://www.rfc-editor.org/rfc/rfc6352
pub fn search_properties(vcard_property: &str) -> Option<Vec<crate::bag::PropKey>> {
    use crate::bag::ToPropKey;
    let tags = |t: &[PropTag]| t.iter().filter_map(|t| t.to_prop_key().ok()).collect::<Vec<_>>();
    let named = |n: &[NamedProp]| n.iter().filter_map(|n| n.to_prop_key().ok()).collect::<Vec<_>>();
    Some(match vcard_property.to_ascii_uppercase().as_str() {
        "FN" => tags(&[PropTag::DISPLAY_NAME]),
        "NICKNAME" => tags(&[PropTag::NICKNAME]),
        "N" => tags(&[PropTag::SURNAME, PropTag::GIVEN_NAME, PropTag::MIDDLE_NAME]),
        "ORG" => tags(&[PropTag::COMPANY_NAME, PropTag::DEPARTMENT_NAME]),
        "TITLE" => tags(&[PropTag::TITLE]),
        "NOTE" => tags(&[PropTag::BODY]),
        "EMAIL" => named(&EMAILS.map(|e| e.address)),
        "TEL" => tags(&PHONES.iter().map(|p| p.tag).collect::<Vec<_>>()),
        "UID" => named(&[VCARD_UID]),
        _ => return None,
    })
}

/// A telephone slot of a contact ([MS-OXOCNTC] 2.2.1.4) and how it is
/// written: the `TEL` `TYPE` values, or, for the numbers [MS-OXVCARD]
/// 2.1.3.9.5 exports as `X-MS-TEL;TYPE=…` (read in that form too), a
/// grouped `TEL` with Apple's `X-ABLabel`, which Apple Contacts, DAVx5 and
/// Thunderbird show (an `X-MS-TEL` they would hide).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PhoneSlot {
    pub(crate) tag: PropTag,
    /// TYPE values written (lower case, 4.0 style; 3.0 upper-cases them).
    pub(crate) types: &'static [&'static str],
    /// `Some(type)`: the `X-MS-TEL` type of this number.
    pub(crate) ms_type: Option<&'static str>,
    /// The `X-ABLabel` it is written with (for `ms_type` numbers).
    pub(crate) label: &'static str,
}

const fn tel(tag: PropTag, types: &'static [&'static str]) -> PhoneSlot {
    PhoneSlot { tag, types, ms_type: None, label: "" }
}

const fn ms_tel(tag: PropTag, ms_type: &'static str, label: &'static str) -> PhoneSlot {
    PhoneSlot { tag, types: &[], ms_type: Some(ms_type), label }
}

/// Every telephone property, in the order they are rendered. [MS-OXVCARD]
/// 2.1.3.2.x (`TEL`) and 2.1.3.9.5 (`X-MS-TEL`).
pub(crate) const PHONES: &[PhoneSlot] = &[
    tel(PropTag::BUSINESS_TELEPHONE_NUMBER, &["work", "voice"]),
    tel(PropTag::BUSINESS2_TELEPHONE_NUMBER, &["work", "voice"]),
    tel(PropTag::HOME_TELEPHONE_NUMBER, &["home", "voice"]),
    tel(PropTag::HOME2_TELEPHONE_NUMBER, &["home", "voice"]),
    tel(PropTag::MOBILE_TELEPHONE_NUMBER, &["cell"]),
    tel(PropTag::BUSINESS_FAX_NUMBER, &["work", "fax"]),
    tel(PropTag::HOME_FAX_NUMBER, &["home", "fax"]),
    // "Other fax" in Outlook's UI ([MS-OXOCNTC] 2.2.1.4.7).
    tel(PropTag::PRIMARY_FAX_NUMBER, &["fax"]),
    tel(PropTag::PAGER_TELEPHONE_NUMBER, &["pager"]),
    tel(PropTag::CAR_TELEPHONE_NUMBER, &["car"]),
    tel(PropTag::ISDN_NUMBER, &["isdn"]),
    tel(PropTag::PRIMARY_TELEPHONE_NUMBER, &["pref", "voice"]),
    tel(PropTag::OTHER_TELEPHONE_NUMBER, &["voice"]),
    ms_tel(PropTag::ASSISTANT_TELEPHONE_NUMBER, "ASSISTANT", "_$!<Assistant>!$_"),
    ms_tel(PropTag::CALLBACK_TELEPHONE_NUMBER, "CALLBACK", "Callback"),
    ms_tel(PropTag::COMPANY_MAIN_TELEPHONE_NUMBER, "COMPANY", "_$!<Main>!$_"),
    ms_tel(PropTag::RADIO_TELEPHONE_NUMBER, "RADIO", "Radio"),
    ms_tel(PropTag::TELECOMMUNICATIONS_DEVICE_FOR_DEAF_TELEPHONE_NUMBER, "TTYTDD", "TTY/TDD"),
    ms_tel(PropTag::TELEX_NUMBER, "TELEX", "Telex"),
];

/// Which of a contact's three postal addresses ([MS-OXOCNTC] 2.2.1.3).
/// The discriminant is the PidLidPostalAddressId value (2.2.1.3.9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AddressKind {
    Home = 1,
    Work = 2,
    Other = 3,
}

/// The properties of one postal address: the formatted whole and the parts
/// in `ADR` component order after the extended address (PO box, street,
/// locality, region, postal code, country).
#[derive(Clone, Copy, Debug)]
pub(crate) struct AddressProps {
    pub(crate) kind: AddressKind,
    pub(crate) whole: NamedProp,
    pub(crate) po_box: AddressField,
    pub(crate) street: AddressField,
    pub(crate) city: AddressField,
    pub(crate) state: AddressField,
    pub(crate) postal_code: AddressField,
    pub(crate) country: AddressField,
    pub(crate) country_code: NamedProp,
}

/// One address part: a plain tag (home, other, mailing) or a named
/// property (work address, PSETID_Address).
#[derive(Clone, Copy, Debug)]
pub(crate) enum AddressField {
    Tag(PropTag),
    Named(NamedProp),
}

pub(crate) const ADDRESSES: [AddressProps; 3] = [
    AddressProps {
        kind: AddressKind::Work,
        whole: PidLid::WORK_ADDRESS,
        po_box: AddressField::Named(PidLid::WORK_ADDRESS_POST_OFFICE_BOX),
        street: AddressField::Named(PidLid::WORK_ADDRESS_STREET),
        city: AddressField::Named(PidLid::WORK_ADDRESS_CITY),
        state: AddressField::Named(PidLid::WORK_ADDRESS_STATE),
        postal_code: AddressField::Named(PidLid::WORK_ADDRESS_POSTAL_CODE),
        country: AddressField::Named(PidLid::WORK_ADDRESS_COUNTRY),
        country_code: PidLid::WORK_ADDRESS_COUNTRY_CODE,
    },
    AddressProps {
        kind: AddressKind::Home,
        whole: PidLid::HOME_ADDRESS,
        po_box: AddressField::Tag(PropTag::HOME_ADDRESS_POST_OFFICE_BOX),
        street: AddressField::Tag(PropTag::HOME_ADDRESS_STREET),
        city: AddressField::Tag(PropTag::HOME_ADDRESS_CITY),
        state: AddressField::Tag(PropTag::HOME_ADDRESS_STATE_OR_PROVINCE),
        postal_code: AddressField::Tag(PropTag::HOME_ADDRESS_POSTAL_CODE),
        country: AddressField::Tag(PropTag::HOME_ADDRESS_COUNTRY),
        country_code: PidLid::HOME_ADDRESS_COUNTRY_CODE,
    },
    AddressProps {
        kind: AddressKind::Other,
        whole: PidLid::OTHER_ADDRESS,
        po_box: AddressField::Tag(PropTag::OTHER_ADDRESS_POST_OFFICE_BOX),
        street: AddressField::Tag(PropTag::OTHER_ADDRESS_STREET),
        city: AddressField::Tag(PropTag::OTHER_ADDRESS_CITY),
        state: AddressField::Tag(PropTag::OTHER_ADDRESS_STATE_OR_PROVINCE),
        postal_code: AddressField::Tag(PropTag::OTHER_ADDRESS_POSTAL_CODE),
        country: AddressField::Tag(PropTag::OTHER_ADDRESS_COUNTRY),
        country_code: PidLid::OTHER_ADDRESS_COUNTRY_CODE,
    },
];

/// The mailing address copy ([MS-OXOCNTC] 2.2.1.3.9: the address that
/// PidLidPostalAddressId selects is duplicated into these).
pub(crate) const MAILING: [PropTag; 6] = [
    PropTag::POST_OFFICE_BOX,
    PropTag::STREET_ADDRESS,
    PropTag::LOCALITY,
    PropTag::STATE_OR_PROVINCE,
    PropTag::POSTAL_CODE,
    PropTag::COUNTRY,
];

/// The three e-mail slots ([MS-OXOCNTC] 2.2.1.2): address, address type,
/// display name, original display name, original entry id.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EmailProps {
    pub(crate) address: NamedProp,
    pub(crate) address_type: NamedProp,
    pub(crate) display_name: NamedProp,
    pub(crate) original_display_name: NamedProp,
    pub(crate) original_entry_id: NamedProp,
}

pub(crate) const EMAILS: [EmailProps; 3] = [
    EmailProps {
        address: PidLid::EMAIL1_EMAIL_ADDRESS,
        address_type: PidLid::EMAIL1_ADDRESS_TYPE,
        display_name: PidLid::EMAIL1_DISPLAY_NAME,
        original_display_name: PidLid::EMAIL1_ORIGINAL_DISPLAY_NAME,
        original_entry_id: PidLid::EMAIL1_ORIGINAL_ENTRY_ID,
    },
    EmailProps {
        address: PidLid::EMAIL2_EMAIL_ADDRESS,
        address_type: PidLid::EMAIL2_ADDRESS_TYPE,
        display_name: PidLid::EMAIL2_DISPLAY_NAME,
        original_display_name: PidLid::EMAIL2_ORIGINAL_DISPLAY_NAME,
        original_entry_id: PidLid::EMAIL2_ORIGINAL_ENTRY_ID,
    },
    EmailProps {
        address: PidLid::EMAIL3_EMAIL_ADDRESS,
        address_type: PidLid::EMAIL3_ADDRESS_TYPE,
        display_name: PidLid::EMAIL3_DISPLAY_NAME,
        original_display_name: PidLid::EMAIL3_ORIGINAL_DISPLAY_NAME,
        original_entry_id: PidLid::EMAIL3_ORIGINAL_ENTRY_ID,
    },
];
