//! [MS-OXCDATA] 2.2.4 Messaging Object EntryIDs (folder, message, store) and
//! 2.2.5 Address Book EntryIDs (one-off, address book), plus the NSPI
//! ephemeral entry ID of [MS-OXNSPI] 2.2.9.2.
//!
//! Entry IDs travel as opaque PtypBinary values; [`EntryId::parse`] picks the
//! structure from the provider UID (bytes 4..20) and the length.
//!
//! 8-bit strings (X500 DNs, server names, non-Unicode one-off fields) are
//! mapped byte for byte to U+0000–U+00FF (ISO-8859-1), which makes every byte
//! round-trip; the encoder refuses characters above U+00FF and embedded NULs.

use crate::codec::{Decode, Encode, Put, Reader, utf16le_to_string};
use crate::error::{DecodeError, EncodeError};
use crate::guid::Guid;
use crate::ids::{FolderId, Gid, LongTermId, MessageId};

/// The store-wrapping provider UID `38A1BB10-05E5-101A-A1BB-08002B2A56C2`
/// (MUIDStoreWrap, [MS-OXCDATA] 2.2.4.3).
pub const STORE_WRAP_PROVIDER: Guid =
    Guid([0x38, 0xA1, 0xBB, 0x10, 0x05, 0xE5, 0x10, 0x1A, 0xA1, 0xBB, 0x08, 0x00, 0x2B, 0x2A, 0x56, 0xC2]);
/// The wrapped provider UID of a private mailbox store ([MS-OXCDATA] 2.2.4.3).
pub const PRIVATE_STORE_PROVIDER: Guid =
    Guid([0x1B, 0x55, 0xFA, 0x20, 0xAA, 0x66, 0x11, 0xCD, 0x9B, 0xC8, 0x00, 0xAA, 0x00, 0x2F, 0xC4, 0x5A]);
/// The wrapped provider UID of a public folder store ([MS-OXCDATA] 2.2.4.3).
pub const PUBLIC_STORE_PROVIDER: Guid =
    Guid([0x1C, 0x83, 0x02, 0x10, 0xAA, 0x66, 0x11, 0xCD, 0x9B, 0xC8, 0x00, 0xAA, 0x00, 0x2F, 0xC4, 0x5A]);
/// The one-off provider UID `812B1FA4-BEA3-1019-9D6E-00DD010F5402`
/// ([MS-OXCDATA] 2.2.5.1).
pub const ONE_OFF_PROVIDER: Guid =
    Guid([0x81, 0x2B, 0x1F, 0xA4, 0xBE, 0xA3, 0x10, 0x19, 0x9D, 0x6E, 0x00, 0xDD, 0x01, 0x0F, 0x54, 0x02]);
/// GUID_NSPI / muidEMSAB `C840A7DC-42C0-1A10-B4B9-08002B2FE182`, the provider
/// UID of address book entry IDs ([MS-OXCDATA] 2.2.5.2, [MS-OXNSPI] 2.2.9.3).
pub const ADDRESS_BOOK_PROVIDER: Guid =
    Guid([0xDC, 0xA7, 0x40, 0xC8, 0xC0, 0x42, 0x10, 0x1A, 0xB4, 0xB9, 0x08, 0x00, 0x2B, 0x2F, 0xE1, 0x82]);

open_enum! {
    /// The `FolderType`/`MessageType` field of folder and message entry IDs
    /// ([MS-OXCDATA] 2.2.4.1, 2.2.4.2).
    pub struct StoreObjectType(u16) {
        /// eitLTPrivateFolder.
        PRIVATE_FOLDER = 0x0001, "PrivateFolder";
        /// eitLTPublicFolder.
        PUBLIC_FOLDER = 0x0003, "PublicFolder";
        /// eitLTWackyFolder (mapped public folder).
        MAPPED_PUBLIC_FOLDER = 0x0005, "MappedPublicFolder";
        /// eitLTPrivateMessage.
        PRIVATE_MESSAGE = 0x0007, "PrivateMessage";
        /// eitLTPublicMessage.
        PUBLIC_MESSAGE = 0x0009, "PublicMessage";
        /// eitLTWackyMessage (mapped public message).
        MAPPED_PUBLIC_MESSAGE = 0x000B, "MappedPublicMessage";
        /// eitLTPublicFolderByName.
        PUBLIC_FOLDER_BY_NAME = 0x000C, "PublicFolderByName";
    }
}

open_enum! {
    /// An address book display type (PidTagDisplayType values,
    /// [MS-OXNSPI] 2.2.1.3), as carried in address book and ephemeral entry IDs.
    pub struct DisplayType(u32) {
        /// A messaging user.
        MAILUSER = 0x0000_0000, "DT_MAILUSER";
        /// A distribution list.
        DISTLIST = 0x0000_0001, "DT_DISTLIST";
        /// A forum (public folder).
        FORUM = 0x0000_0002, "DT_FORUM";
        /// An automated agent.
        AGENT = 0x0000_0003, "DT_AGENT";
        /// An organization-wide alias.
        ORGANIZATION = 0x0000_0004, "DT_ORGANIZATION";
        /// A private distribution list.
        PRIVATE_DISTLIST = 0x0000_0005, "DT_PRIVATE_DISTLIST";
        /// A remote messaging user.
        REMOTE_MAILUSER = 0x0000_0006, "DT_REMOTE_MAILUSER";
        /// An address book container.
        CONTAINER = 0x0000_0100, "DT_CONTAINER";
        /// A display template.
        TEMPLATE = 0x0000_0101, "DT_TEMPLATE";
        /// An address creation template.
        ADDRESS_TEMPLATE = 0x0000_0102, "DT_ADDRESS_TEMPLATE";
        /// A search template.
        SEARCH = 0x0000_0200, "DT_SEARCH";
    }
}

/// Any entry ID, classified by [`EntryId::parse`].
#[derive(Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum EntryId {
    /// [MS-OXCDATA] 2.2.4.1 Folder EntryID.
    Folder(FolderEntryId),
    /// [MS-OXCDATA] 2.2.4.2 Message EntryID.
    Message(MessageEntryId),
    /// [MS-OXCDATA] 2.2.4.3 Store Object EntryID.
    Store(StoreEntryId),
    /// [MS-OXCDATA] 2.2.5.1 One-Off EntryID.
    OneOff(OneOffEntryId),
    /// [MS-OXCDATA] 2.2.5.2 Address Book EntryID (NSPI permanent entry ID).
    AddressBook(AddressBookEntryId),
    /// [MS-OXNSPI] 2.2.9.2 EphemeralEntryID.
    Ephemeral(EphemeralEntryId),
    /// Anything else (contact address book, distribution list members,
    /// other providers), kept as bytes.
    Other(Vec<u8>),
}

impl EntryId {
    /// Classifies and decodes an entry ID that fills `bytes`.
    ///
    /// The provider UID selects store, one-off and address book entry IDs; a
    /// first byte 0x87 with 32 bytes is an ephemeral entry ID; otherwise 46 and
    /// 70 bytes are folder and message entry IDs (their provider UID is the
    /// mailbox GUID). Anything else is [`EntryId::Other`]. A recognised form
    /// that is malformed is an error.
    pub fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        let provider = bytes.get(4..20).and_then(|p| <[u8; 16]>::try_from(p).ok()).map(Guid);
        Ok(match (bytes.first(), bytes.len(), provider) {
            // Well-known provider UIDs first: an ephemeral ID's bytes 4..20
            // are the NSPI server's GUID, never one of these constants, while
            // a 32-byte address-book ID may start with any flags byte.
            (_, _, Some(STORE_WRAP_PROVIDER)) => Self::Store(StoreEntryId::decode_exact(bytes)?),
            (_, _, Some(ONE_OFF_PROVIDER)) => Self::OneOff(OneOffEntryId::decode_exact(bytes)?),
            (_, _, Some(ADDRESS_BOOK_PROVIDER)) => Self::AddressBook(AddressBookEntryId::decode_exact(bytes)?),
            (Some(&EphemeralEntryId::ID_TYPE), EphemeralEntryId::SIZE, _) => {
                Self::Ephemeral(EphemeralEntryId::decode_exact(bytes)?)
            }
            (_, FolderEntryId::SIZE, _) => Self::Folder(FolderEntryId::decode_exact(bytes)?),
            (_, MessageEntryId::SIZE, _) => Self::Message(MessageEntryId::decode_exact(bytes)?),
            _ => Self::Other(bytes.to_vec()),
        })
    }
}

impl Encode for EntryId {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Self::Folder(e) => e.encode(w),
            Self::Message(e) => e.encode(w),
            Self::Store(e) => e.encode(w),
            Self::OneOff(e) => e.encode(w),
            Self::AddressBook(e) => e.encode(w),
            Self::Ephemeral(e) => e.encode(w),
            Self::Other(b) => {
                w.put_bytes(b);
                Ok(())
            }
        }
    }
}

/// A Folder EntryID ([MS-OXCDATA] 2.2.4.1), 46 bytes: `Flags u32,
/// ProviderUID, FolderType u16, DatabaseGuid, GlobalCounter, Pad u16` — the
/// last 24 bytes are the folder's [`LongTermId`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FolderEntryId {
    /// Flags; 0 for a permanent entry ID.
    pub flags: u32,
    /// The mailbox GUID of a private store (from RopLogon), or the public
    /// store's provider UID.
    pub provider_uid: Guid,
    /// The folder type ([`StoreObjectType::PRIVATE_FOLDER`] …).
    pub folder_type: StoreObjectType,
    /// The folder's database GUID, counter and pad.
    pub folder: LongTermId,
}

impl FolderEntryId {
    /// The wire size.
    pub const SIZE: usize = 46;

    /// A private-mailbox folder entry ID.
    pub fn private(mailbox_guid: Guid, folder: Gid) -> Self {
        Self {
            flags: 0,
            provider_uid: mailbox_guid,
            folder_type: StoreObjectType::PRIVATE_FOLDER,
            folder: folder.to_long_term_id(),
        }
    }

    /// The Folder ID in a session where the entry ID's database GUID maps to
    /// `replid` (learn the mapping with RopLongTermIdFromId, corrections A15).
    pub fn folder_id(&self, replid: u16) -> FolderId {
        FolderId::from_parts(replid, self.folder.counter)
    }
}

impl<'a> Decode<'a> for FolderEntryId {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            flags: r.u32("FolderEntryId.Flags")?,
            provider_uid: Guid::decode(r)?,
            folder_type: StoreObjectType(r.u16("FolderEntryId.FolderType")?),
            folder: LongTermId::decode(r)?,
        })
    }
}

impl Encode for FolderEntryId {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u32(self.flags);
        w.put_bytes(&self.provider_uid.0);
        w.put_u16(self.folder_type.0);
        self.folder.encode(w)
    }
}

/// A Message EntryID ([MS-OXCDATA] 2.2.4.2), 70 bytes: `Flags u32,
/// ProviderUID, MessageType u16`, then the folder's and the message's
/// database GUID + counter + pad.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MessageEntryId {
    /// Flags; 0 for a permanent entry ID.
    pub flags: u32,
    /// The mailbox GUID of a private store, or the public store's provider UID.
    pub provider_uid: Guid,
    /// The message type ([`StoreObjectType::PRIVATE_MESSAGE`] …).
    pub message_type: StoreObjectType,
    /// The parent folder's database GUID, counter and pad.
    pub folder: LongTermId,
    /// The message's database GUID, counter and pad.
    pub message: LongTermId,
}

impl MessageEntryId {
    /// The wire size.
    pub const SIZE: usize = 70;

    /// A private-mailbox message entry ID.
    pub fn private(mailbox_guid: Guid, folder: Gid, message: Gid) -> Self {
        Self {
            flags: 0,
            provider_uid: mailbox_guid,
            message_type: StoreObjectType::PRIVATE_MESSAGE,
            folder: folder.to_long_term_id(),
            message: message.to_long_term_id(),
        }
    }

    /// The parent Folder ID for a session where the folder's database GUID
    /// maps to `replid`.
    pub fn folder_id(&self, replid: u16) -> FolderId {
        FolderId::from_parts(replid, self.folder.counter)
    }

    /// The Message ID for a session where the message's database GUID maps
    /// to `replid`.
    pub fn message_id(&self, replid: u16) -> MessageId {
        MessageId::from_parts(replid, self.message.counter)
    }
}

impl<'a> Decode<'a> for MessageEntryId {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            flags: r.u32("MessageEntryId.Flags")?,
            provider_uid: Guid::decode(r)?,
            message_type: StoreObjectType(r.u16("MessageEntryId.MessageType")?),
            folder: LongTermId::decode(r)?,
            message: LongTermId::decode(r)?,
        })
    }
}

impl Encode for MessageEntryId {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u32(self.flags);
        w.put_bytes(&self.provider_uid.0);
        w.put_u16(self.message_type.0);
        self.folder.encode(w)?;
        self.message.encode(w)
    }
}

/// A Store Object EntryID ([MS-OXCDATA] 2.2.4.3): the emsmdb.dll-wrapped form
/// `Flags u32, ProviderUID (MUIDStoreWrap), Version u8, Flag u8, DLLFileName
/// [14], WrappedFlags u32, WrappedProviderUID, WrappedType u32,
/// ServerShortname ASCIIZ, MailboxDN ASCIIZ` (MailboxDN only for mailbox
/// stores). Bytes after MailboxDN (Exchange's v2/v3 extension, unverified)
/// are kept in `extension`.
///
/// [`Decode`] consumes the rest of the reader (an entry ID is always a whole
/// binary value).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct StoreEntryId {
    /// Flags; 0.
    pub flags: u32,
    /// Version; 0.
    pub version: u8,
    /// Flag; 0.
    pub flag: u8,
    /// `emsmdb.dll` padded with NULs to 14 bytes.
    pub dll_name: [u8; 14],
    /// WrappedFlags; 0.
    pub wrapped_flags: u32,
    /// [`PRIVATE_STORE_PROVIDER`] or [`PUBLIC_STORE_PROVIDER`].
    pub wrapped_provider_uid: Guid,
    /// 0x0C for a mailbox store, 0x06 for a public store.
    pub wrapped_type: u32,
    /// The server's short name (8-bit string).
    pub server_short_name: String,
    /// The mailbox's legacy DN; `None` for a public store.
    pub mailbox_dn: Option<String>,
    /// Bytes after MailboxDN, kept as they are.
    pub extension: Vec<u8>,
}

impl StoreEntryId {
    /// The DLLFileName field value.
    pub const EMSMDB_DLL: [u8; 14] = *b"emsmdb.dll\0\0\0\0";
    /// WrappedType of a private mailbox store.
    pub const WRAPPED_TYPE_PRIVATE: u32 = 0x0C;
    /// WrappedType of a public folder store.
    pub const WRAPPED_TYPE_PUBLIC: u32 = 0x06;

    /// The entry ID of a private mailbox store on `server` with `mailbox_dn`.
    pub fn private(server_short_name: &str, mailbox_dn: &str) -> Self {
        Self {
            flags: 0,
            version: 0,
            flag: 0,
            dll_name: Self::EMSMDB_DLL,
            wrapped_flags: 0,
            wrapped_provider_uid: PRIVATE_STORE_PROVIDER,
            wrapped_type: Self::WRAPPED_TYPE_PRIVATE,
            server_short_name: server_short_name.to_owned(),
            mailbox_dn: Some(mailbox_dn.to_owned()),
            extension: Vec::new(),
        }
    }
}

impl<'a> Decode<'a> for StoreEntryId {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let flags = r.u32("StoreEntryId.Flags")?;
        expect_provider(r, STORE_WRAP_PROVIDER, "StoreEntryId.ProviderUID")?;
        let version = r.u8("StoreEntryId.Version")?;
        let flag = r.u8("StoreEntryId.Flag")?;
        let dll_name = r.array("StoreEntryId.DLLFileName")?;
        let wrapped_flags = r.u32("StoreEntryId.WrappedFlags")?;
        let wrapped_provider_uid = Guid::decode(r)?;
        let wrapped_type = r.u32("StoreEntryId.WrappedType")?;
        let server_short_name = latin1(r.asciiz("StoreEntryId.ServerShortname")?);
        let mailbox_dn = if r.is_empty() { None } else { Some(latin1(r.asciiz("StoreEntryId.MailboxDN")?)) };
        Ok(Self {
            flags,
            version,
            flag,
            dll_name,
            wrapped_flags,
            wrapped_provider_uid,
            wrapped_type,
            server_short_name,
            mailbox_dn,
            extension: r.rest().to_vec(),
        })
    }
}

impl Encode for StoreEntryId {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        if self.mailbox_dn.is_none() && !self.extension.is_empty() {
            return Err(EncodeError::NotRepresentable {
                what: "StoreEntryId.extension",
                reason: "an extension needs a MailboxDN before it",
            });
        }
        w.put_u32(self.flags);
        w.put_bytes(&STORE_WRAP_PROVIDER.0);
        w.put_u8(self.version);
        w.put_u8(self.flag);
        w.put_bytes(&self.dll_name);
        w.put_u32(self.wrapped_flags);
        w.put_bytes(&self.wrapped_provider_uid.0);
        w.put_u32(self.wrapped_type);
        put_latin1z(w, &self.server_short_name, "StoreEntryId.ServerShortname")?;
        if let Some(dn) = &self.mailbox_dn {
            put_latin1z(w, dn, "StoreEntryId.MailboxDN")?;
        }
        w.put_bytes(&self.extension);
        Ok(())
    }
}

/// The format flags of a one-off entry ID ([MS-OXCDATA] 2.2.5.1), the u16
/// after Version. Bits not named here (MIME/format bits) round-trip.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct OneOffFlags(pub u16);

impl OneOffFlags {
    /// U: the strings are UTF-16LE (MAPI_UNICODE).
    pub const UNICODE: u16 = 0x8000;
    /// L: do not look the address up in the address book.
    pub const NO_LOOKUP: u16 = 0x1000;
    /// M: send as plain text, not rich text (MAPI_SEND_NO_RICH_INFO).
    pub const NO_RICH_INFO: u16 = 0x0001;

    /// True when the strings are UTF-16LE.
    pub fn is_unicode(self) -> bool {
        self.0 & Self::UNICODE != 0
    }
}

impl std::fmt::Debug for OneOffFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OneOffFlags({:#06x})", self.0)
    }
}

/// A One-Off EntryID ([MS-OXCDATA] 2.2.5.1): `Flags u32, ProviderUID
/// (812B1FA4-…), Version u16, Flags u16, DisplayName, AddressType,
/// EmailAddress`, the strings UTF-16LE+NUL when [`OneOffFlags::UNICODE`] is
/// set, else 8-bit+NUL. gromox writes format flags 0x8001 (corrections B28),
/// Outlook 0x9001.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct OneOffEntryId {
    /// Flags; 0.
    pub flags: u32,
    /// Version; 0.
    pub version: u16,
    /// Unicode and formatting flags.
    pub format: OneOffFlags,
    /// The recipient's display name.
    pub display_name: String,
    /// The address type (`SMTP`).
    pub address_type: String,
    /// The address.
    pub email_address: String,
}

impl OneOffEntryId {
    /// A Unicode SMTP one-off entry ID with format flags 0x9001 (Unicode, no
    /// lookup, no rich info).
    pub fn smtp(display_name: &str, address: &str) -> Self {
        Self {
            flags: 0,
            version: 0,
            format: OneOffFlags(OneOffFlags::UNICODE | OneOffFlags::NO_LOOKUP | OneOffFlags::NO_RICH_INFO),
            display_name: display_name.to_owned(),
            address_type: "SMTP".to_owned(),
            email_address: address.to_owned(),
        }
    }
}

impl<'a> Decode<'a> for OneOffEntryId {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let flags = r.u32("OneOffEntryId.Flags")?;
        expect_provider(r, ONE_OFF_PROVIDER, "OneOffEntryId.ProviderUID")?;
        let version = r.u16("OneOffEntryId.Version")?;
        let format = OneOffFlags(r.u16("OneOffEntryId.Flags2")?);
        let mut s = |what| -> Result<String, DecodeError> {
            if format.is_unicode() { Ok(utf16le_to_string(r.utf16z_bytes(what)?)) } else { Ok(latin1(r.asciiz(what)?)) }
        };
        let display_name = s("OneOffEntryId.DisplayName")?;
        let address_type = s("OneOffEntryId.AddressType")?;
        let email_address = s("OneOffEntryId.EmailAddress")?;
        Ok(Self { flags, version, format, display_name, address_type, email_address })
    }
}

impl Encode for OneOffEntryId {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u32(self.flags);
        w.put_bytes(&ONE_OFF_PROVIDER.0);
        w.put_u16(self.version);
        w.put_u16(self.format.0);
        for (s, what) in [
            (&self.display_name, "OneOffEntryId.DisplayName"),
            (&self.address_type, "OneOffEntryId.AddressType"),
            (&self.email_address, "OneOffEntryId.EmailAddress"),
        ] {
            if self.format.is_unicode() {
                if s.contains('\0') {
                    return Err(EncodeError::NotRepresentable { what, reason: "embedded NUL" });
                }
                w.put_utf16z(s);
            } else {
                put_latin1z(w, s, what)?;
            }
        }
        Ok(())
    }
}

/// An Address Book EntryID ([MS-OXCDATA] 2.2.5.2; the NSPI PermanentEntryID
/// of [MS-OXNSPI] 2.2.9.3): `Flags u32 (0), ProviderUID (GUID_NSPI), Version
/// u32 (1), Type u32 (display type), X500DN ASCIIZ`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AddressBookEntryId {
    /// Flags (the NSPI IDType byte and three reserved bytes); 0.
    pub flags: u32,
    /// Version; 1.
    pub version: u32,
    /// The object's display type.
    pub display_type: DisplayType,
    /// The object's X500 distinguished name (legacyExchangeDN).
    pub x500_dn: String,
}

impl AddressBookEntryId {
    /// A permanent entry ID for `x500_dn`.
    pub fn new(display_type: DisplayType, x500_dn: &str) -> Self {
        Self { flags: 0, version: 1, display_type, x500_dn: x500_dn.to_owned() }
    }
}

impl<'a> Decode<'a> for AddressBookEntryId {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let flags = r.u32("AddressBookEntryId.Flags")?;
        expect_provider(r, ADDRESS_BOOK_PROVIDER, "AddressBookEntryId.ProviderUID")?;
        Ok(Self {
            flags,
            version: r.u32("AddressBookEntryId.Version")?,
            display_type: DisplayType(r.u32("AddressBookEntryId.Type")?),
            x500_dn: latin1(r.asciiz("AddressBookEntryId.X500DN")?),
        })
    }
}

impl Encode for AddressBookEntryId {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u32(self.flags);
        w.put_bytes(&ADDRESS_BOOK_PROVIDER.0);
        w.put_u32(self.version);
        w.put_u32(self.display_type.0);
        put_latin1z(w, &self.x500_dn, "AddressBookEntryId.X500DN")
    }
}

/// An EphemeralEntryID ([MS-OXNSPI] 2.2.9.2), 32 bytes: `IDType u8 (0x87),
/// R1 u8, R2 u8, R3 u8, ProviderUID (the server GUID from NspiBind), R4 u32
/// (1), DisplayType u32, MId u32`. Returned by NSPI with the fEphID flag
/// (corrections B23).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EphemeralEntryId {
    /// R1, R2, R3; zero.
    pub reserved: [u8; 3],
    /// The NSPI server GUID.
    pub provider_uid: Guid,
    /// R4; 1.
    pub version: u32,
    /// The object's display type.
    pub display_type: DisplayType,
    /// The object's Minimal Entry ID.
    pub mid: u32,
}

impl EphemeralEntryId {
    /// The wire size.
    pub const SIZE: usize = 32;
    /// The IDType byte of an ephemeral entry ID.
    pub const ID_TYPE: u8 = 0x87;

    /// An ephemeral entry ID for `mid` on the server with GUID `server`.
    pub fn new(server: Guid, display_type: DisplayType, mid: u32) -> Self {
        Self { reserved: [0; 3], provider_uid: server, version: 1, display_type, mid }
    }
}

impl<'a> Decode<'a> for EphemeralEntryId {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let at = r.offset();
        if r.u8("EphemeralEntryId.IDType")? != Self::ID_TYPE {
            return Err(DecodeError::Invalid { what: "EphemeralEntryId.IDType", offset: at, reason: "must be 0x87" });
        }
        Ok(Self {
            reserved: r.array("EphemeralEntryId.R1-R3")?,
            provider_uid: Guid::decode(r)?,
            version: r.u32("EphemeralEntryId.R4")?,
            display_type: DisplayType(r.u32("EphemeralEntryId.DisplayType")?),
            mid: r.u32("EphemeralEntryId.MId")?,
        })
    }
}

impl Encode for EphemeralEntryId {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(Self::ID_TYPE);
        w.put_bytes(&self.reserved);
        w.put_bytes(&self.provider_uid.0);
        w.put_u32(self.version);
        w.put_u32(self.display_type.0);
        w.put_u32(self.mid);
        Ok(())
    }
}

/// Reads a provider UID and checks it.
fn expect_provider(r: &mut Reader<'_>, want: Guid, what: &'static str) -> Result<(), DecodeError> {
    let at = r.offset();
    if Guid::decode(r)? != want {
        return Err(DecodeError::Invalid { what, offset: at, reason: "unexpected provider UID" });
    }
    Ok(())
}

/// Maps 8-bit string bytes to U+0000–U+00FF, one char per byte.
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Appends `s` as 8-bit bytes plus a NUL; refuses chars above U+00FF and NULs.
fn put_latin1z(w: &mut Vec<u8>, s: &str, what: &'static str) -> Result<(), EncodeError> {
    for c in s.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(0) => return Err(EncodeError::NotRepresentable { what, reason: "embedded NUL" }),
            Ok(b) => w.put_u8(b),
            Err(_) => return Err(EncodeError::NotRepresentable { what, reason: "character outside 8-bit range" }),
        }
    }
    w.put_u8(0);
    Ok(())
}

#[cfg(test)]
mod tests;
