//! Personal distribution list members ([MS-OXOCNTC] 2.2.2.2) ↔ vCard
//! `MEMBER` ([RFC 6350] 6.6.5) / `X-ADDRESSBOOKSERVER-MEMBER`.
//!
//! A member is a pair of entry ids at the same position of
//! PidLidDistributionListMembers and PidLidDistributionListOneOffMembers
//! (2.2.2.2.1, 2.2.2.2.2): the first a One-Off EntryID ([MS-OXCDATA]
//! 2.2.5.1) or a [`WrappedEntryId`] pointing at a contact, another list or a
//! GAL entry; the second always a one-off with the member's name and
//! address. `mailto:` members become one-offs; `urn:uuid:` members are
//! looked up in the caller's [`MemberDirectory`].
//!
//! [RFC 6350]: https://www.rfc-editor.org/rfc/rfc6350

use mapi_wire::Guid;
use mapi_wire::codec::Encode;
use mapi_wire::entry_id::{EntryId, OneOffEntryId};

/// ProviderUID of a WrappedEntryId ([MS-OXOCNTC] 2.2.2.2.4.1.1).
pub const WRAPPED_ENTRY_ID_PROVIDER: Guid =
    Guid([0xC0, 0x91, 0xAD, 0xD3, 0x51, 0x9D, 0xCF, 0x11, 0xA4, 0xA9, 0x00, 0xAA, 0x00, 0x47, 0xFA, 0xA4]);

/// A WrappedEntryId ([MS-OXOCNTC] 2.2.2.2.4.1.1): `Flags u32 (0),
/// ProviderUID, Type u8, EmbeddedEntryID`.
///
/// Type: the low 4 bits say what is embedded (0 one-off, 3 contact, 4
/// personal distribution list, 5 GAL user, 6 GAL list); bits 0x70 say which
/// address of a contact (3 for anything that is not a contact); 0x80 is set
/// for everything but a one-off. The 0x70 values for a contact's Email1–3
/// are 4–6, so a contact's first address is Type 0xC3.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrappedEntryId {
    /// The Type byte.
    pub kind: u8,
    /// The embedded entry id (a Message EntryID for a contact or list).
    pub embedded: Vec<u8>,
}

impl WrappedEntryId {
    /// Type low bits: a Contact object.
    pub const CONTACT: u8 = 3;
    /// Type low bits: a Personal Distribution List object.
    pub const DIST_LIST: u8 = 4;
    /// Type low bits: a GAL mail user.
    pub const GAL_USER: u8 = 5;
    /// Type low bits: a GAL distribution list.
    pub const GAL_LIST: u8 = 6;

    /// The wrapped entry id of a contact's `email_index`-th address (0..=2)
    /// or, with `is_list`, of a personal distribution list.
    pub fn for_member(message_entry_id: &[u8], email_index: u8, is_list: bool) -> Self {
        let kind = if is_list {
            0x80 | 0x30 | Self::DIST_LIST
        } else {
            0x80 | ((4 + email_index.min(2)) << 4) | Self::CONTACT
        };
        Self { kind, embedded: message_entry_id.to_vec() }
    }

    /// Decodes one; `None` if `bytes` is not a WrappedEntryId.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let flags = bytes.get(..4)?;
        let provider = bytes.get(4..20)?;
        if flags != [0, 0, 0, 0] || provider != WRAPPED_ENTRY_ID_PROVIDER.0 {
            return None;
        }
        Some(Self { kind: *bytes.get(20)?, embedded: bytes.get(21..)?.to_vec() })
    }

    /// The encoded bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(21 + self.embedded.len());
        b.extend_from_slice(&[0, 0, 0, 0]);
        b.extend_from_slice(&WRAPPED_ENTRY_ID_PROVIDER.0);
        b.push(self.kind);
        b.extend_from_slice(&self.embedded);
        b
    }

    /// The index of the contact address (0..=2 for Email1–3), if this
    /// wraps a contact.
    pub fn email_index(&self) -> Option<u8> {
        (self.kind & 0x0F == Self::CONTACT).then(|| ((self.kind >> 4) & 0x07).saturating_sub(4).min(2))
    }
}

/// A contact or list the mailbox found for a member UID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryMember {
    /// The Message EntryID ([MS-OXCDATA] 2.2.4.2) of the contact or list.
    pub entry_id: Vec<u8>,
    /// Its display name.
    pub display_name: String,
    /// The SMTP address the member stands for (a contact's Email1 unless
    /// `email_index` says otherwise; empty for a list).
    pub email: String,
    /// Which e-mail address of the contact (0..=2).
    pub email_index: u8,
    /// True for a personal distribution list.
    pub is_list: bool,
}

/// The mailbox's view of contacts for member resolution. The CardDAV layer
/// implements it over the address book's folder (UID ↔ entry id).
pub trait MemberDirectory {
    /// The contact or list whose vCard UID is `uid`.
    fn member_by_uid(&self, uid: &str) -> Option<DirectoryMember>;
    /// The vCard UID of the contact or list with this Message EntryID.
    fn uid_by_entry_id(&self, entry_id: &[u8]) -> Option<String>;
}

/// A directory that knows nobody: `urn:uuid:` members are kept as UIDs
/// only ([`super::props::VCARD_EXTRA`]), wrapped members render as
/// `mailto:` from their one-off.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoDirectory;

impl MemberDirectory for NoDirectory {
    fn member_by_uid(&self, _uid: &str) -> Option<DirectoryMember> {
        None
    }
    fn uid_by_entry_id(&self, _entry_id: &[u8]) -> Option<String> {
        None
    }
}

/// One member as the two entry ids MAPI stores.
pub(crate) struct MemberIds {
    pub(crate) member: Vec<u8>,
    pub(crate) one_off: Vec<u8>,
}

fn one_off_bytes(display_name: &str, address: &str) -> Vec<u8> {
    let mut b = Vec::new();
    // Encoding fails only for an embedded NUL, which the reader strips.
    let clean = |s: &str| s.replace('\0', "");
    let _ = OneOffEntryId::smtp(&clean(display_name), &clean(address)).encode(&mut b);
    b
}

/// A `mailto:` member.
pub(crate) fn mailto_member(address: &str, display_name: &str) -> MemberIds {
    let one_off = one_off_bytes(if display_name.is_empty() { address } else { display_name }, address);
    MemberIds { member: one_off.clone(), one_off }
}

/// A member the directory resolved.
pub(crate) fn directory_member(m: &DirectoryMember) -> MemberIds {
    let wrapped = WrappedEntryId::for_member(&m.entry_id, m.email_index, m.is_list);
    MemberIds { member: wrapped.to_bytes(), one_off: one_off_bytes(&m.display_name, &m.email) }
}

/// The vCard URI of a stored member: the contact's `urn:uuid:` if the
/// directory knows it, else `mailto:` from the one-off (or from the member
/// itself when it is a one-off). `None` if neither gives an address.
pub(crate) fn member_uri(member: &[u8], one_off: Option<&[u8]>, directory: &dyn MemberDirectory) -> Option<String> {
    if let Some(w) = WrappedEntryId::parse(member)
        && let Some(uid) = directory.uid_by_entry_id(&w.embedded)
    {
        return Some(if uid.contains(':') { uid } else { format!("urn:uuid:{uid}") });
    }
    let address = |b: &[u8]| match EntryId::parse(b) {
        Ok(EntryId::OneOff(o)) if !o.email_address.is_empty() => Some(o.email_address),
        _ => None,
    };
    address(member).or_else(|| one_off.and_then(address)).map(|a| format!("mailto:{a}"))
}

/// PidLidDistributionListChecksum ([MS-OXOCNTC] 2.2.2.2.3): the CRC-32 of
/// ISO/IEC 8802-3 over the PidLidDistributionListMembers values.
pub(crate) fn checksum(members: &[Vec<u8>]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in members.iter().flatten() {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_entry_id_round_trips_and_names_the_address() {
        let w = WrappedEntryId::for_member(&[7; 70], 0, false);
        assert_eq!(w.kind, 0xC3);
        let parsed = WrappedEntryId::parse(&w.to_bytes());
        assert_eq!(parsed.as_ref(), Some(&w));
        assert_eq!(parsed.and_then(|p| p.email_index()), Some(0));
        assert_eq!(WrappedEntryId::for_member(&[1], 2, false).email_index(), Some(2));
        assert_eq!(WrappedEntryId::for_member(&[1], 0, true).kind, 0xB4);
        assert_eq!(WrappedEntryId::parse(&[0; 10]), None);
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(checksum(&[b"123456789".to_vec()]), 0xCBF4_3926);
    }

    #[test]
    fn mailto_members_are_one_offs_with_the_address() {
        let m = mailto_member("erin@example.org", "");
        assert_eq!(m.member, m.one_off);
        assert_eq!(member_uri(&m.member, None, &NoDirectory).as_deref(), Some("mailto:erin@example.org"));
    }
}
