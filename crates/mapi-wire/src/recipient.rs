//! [MS-OXCDATA] 2.8.3 RecipientRow: one recipient of a message in
//! RopOpenMessage, RopReadRecipients, RopOpenEmbeddedMessage and
//! RopModifyRecipients ([MS-OXCROPS] 2.2.6).
//!
//! A RecipientRow is `RecipientFlags u16`, the fields the flags announce,
//! `RecipientColumnCount u16` and a PropertyRow holding values for the first
//! RecipientColumnCount recipient columns (the columns come from the ROP).
//!
//! Corrections A16/B12: gromox refuses RopModifyRecipients whose columns hold
//! PidTagRecipientType, PidTagDisplayName, PidTagEmailAddress or
//! PidTagAddressType; put the display name and address in the row's own
//! fields ([`RecipientRow::smtp`], flags 0x021B) and columns such as
//! `[PidTagSmtpAddress, PidTagDisplayType]`.

use crate::codec::{Put, Reader, len_u16};
use crate::error::{DecodeError, EncodeError};
use crate::prop_tag::PropTag;
use crate::prop_value::{PropContext, PropertyRow};

/// RecipientFlags ([MS-OXCDATA] 2.8.3.1), a little-endian u16.
///
/// When a [`RecipientRow`] is encoded, the type bits and the E, D, T, I, O
/// (and, when any string is present, U) bits are derived from the row's
/// fields; the other bits (S, R, N and unnamed ones, and O with a type other
/// than NoType, where it announces nothing) are written as stored.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RecipientFlags(pub u16);

impl RecipientFlags {
    /// The Type field (low three bits), see [`RecipientAddress`].
    pub const TYPE_MASK: u16 = 0x0007;
    /// E: EmailAddress present.
    pub const EMAIL: u16 = 0x0008;
    /// D: DisplayName present.
    pub const DISPLAY_NAME: u16 = 0x0010;
    /// T: TransmittableDisplayName present.
    pub const TRANSMITTABLE: u16 = 0x0020;
    /// S: the transmittable display name is the display name.
    pub const SAME: u16 = 0x0040;
    /// R: this server is responsible for sending to the recipient.
    pub const RESPONSIBILITY: u16 = 0x0080;
    /// N: the recipient does not support rich text.
    pub const NON_RICH: u16 = 0x0100;
    /// U: the strings are UTF-16LE.
    pub const UNICODE: u16 = 0x0200;
    /// I: SimpleDisplayName present.
    pub const SIMPLE_DISPLAY_NAME: u16 = 0x0400;
    /// O: AddressType present (only with Type 0, NoType).
    pub const ADDRESS_TYPE: u16 = 0x8000;

    /// The bits the encoder derives from a row's fields.
    const DERIVED: u16 = Self::TYPE_MASK
        | Self::EMAIL
        | Self::DISPLAY_NAME
        | Self::TRANSMITTABLE
        | Self::SIMPLE_DISPLAY_NAME
        | Self::ADDRESS_TYPE;

    /// The Type field.
    pub fn address_kind(self) -> u8 {
        (self.0 & Self::TYPE_MASK) as u8
    }

    /// True when every bit of `bits` is set.
    pub fn contains(self, bits: u16) -> bool {
        self.0 & bits == bits
    }
}

impl std::fmt::Debug for RecipientFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecipientFlags({:#06x})", self.0)
    }
}

/// The type-dependent part of a RecipientRow: the Type field of the flags
/// and the fields it brings ([MS-OXCDATA] 2.8.3.2).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum RecipientAddress {
    /// Type 0 (NoType); with the O flag an 8-bit AddressType follows (gromox
    /// and the digest read it as 8-bit regardless of the U flag).
    NoType {
        /// The address type, e.g. `SMTP`.
        address_type: Option<Vec<u8>>,
    },
    /// Type 1 (X500DN): `AddressPrefixUsed u8, DisplayType u8, X500DN`
    /// (8-bit, NUL-terminated).
    X500Dn {
        /// How many leading bytes of the DN equal the logon's DN prefix.
        address_prefix_used: u8,
        /// PidTagDisplayType of the recipient (low byte).
        display_type: u8,
        /// The DN, without the prefix that was left out.
        x500_dn: Vec<u8>,
    },
    /// Type 2 (MsMail).
    MsMail,
    /// Type 3 (SMTP).
    Smtp,
    /// Type 4 (Fax).
    Fax,
    /// Type 5 (ProfessionalOfficeSystem).
    ProfessionalOfficeSystem,
    /// Types 6 and 7 (PersonalDistributionList1/2): `EntryIdSize u16,
    /// EntryId, SearchKeySize u16, SearchKey`.
    PersonalDistributionList {
        /// False for type 6, true for type 7.
        second: bool,
        /// The list's entry ID.
        entry_id: Vec<u8>,
        /// The list's search key.
        search_key: Vec<u8>,
    },
}

impl RecipientAddress {
    /// The Type field value.
    pub fn kind(&self) -> u8 {
        match self {
            Self::NoType { .. } => 0,
            Self::X500Dn { .. } => 1,
            Self::MsMail => 2,
            Self::Smtp => 3,
            Self::Fax => 4,
            Self::ProfessionalOfficeSystem => 5,
            Self::PersonalDistributionList { second, .. } => 6 + u8::from(*second),
        }
    }
}

/// A RecipientRow string: UTF-16LE when the U flag is set, else 8-bit in
/// the row's code page (kept as bytes; the code page is the caller's).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum RecipientString {
    /// A UTF-16 string (U flag set).
    Unicode(String),
    /// An 8-bit string without its NUL (U flag clear).
    Ascii(Vec<u8>),
}

impl RecipientString {
    /// The text; 8-bit strings are mapped byte for byte to U+0000–U+00FF.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Self::Unicode(s) => s.as_str().into(),
            Self::Ascii(b) => b.iter().map(|&c| char::from(c)).collect::<String>().into(),
        }
    }

    fn decode(r: &mut Reader<'_>, unicode: bool, what: &'static str) -> Result<Self, DecodeError> {
        Ok(if unicode { Self::Unicode(r.utf16z(what)?) } else { Self::Ascii(r.asciiz(what)?.to_vec()) })
    }

    fn encode(&self, w: &mut Vec<u8>, what: &'static str) -> Result<(), EncodeError> {
        match self {
            Self::Unicode(s) if s.contains('\0') => Err(EncodeError::NotRepresentable { what, reason: "embedded NUL" }),
            Self::Unicode(s) => {
                w.put_utf16z(s);
                Ok(())
            }
            Self::Ascii(b) if b.contains(&0) => Err(EncodeError::NotRepresentable { what, reason: "embedded NUL" }),
            Self::Ascii(b) => {
                w.put_asciiz(b);
                Ok(())
            }
        }
    }
}

impl From<&str> for RecipientString {
    fn from(s: &str) -> Self {
        Self::Unicode(s.to_owned())
    }
}

/// A RecipientRow ([MS-OXCDATA] 2.8.3.2).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RecipientRow {
    /// The flags as read; see [`RecipientFlags`] for which bits the encoder
    /// derives from the fields below.
    pub flags: RecipientFlags,
    /// The Type and its fields.
    pub address: RecipientAddress,
    /// EmailAddress (E flag).
    pub email: Option<RecipientString>,
    /// DisplayName (D flag).
    pub display_name: Option<RecipientString>,
    /// SimpleDisplayName (I flag).
    pub simple_display_name: Option<RecipientString>,
    /// TransmittableDisplayName (T flag).
    pub transmittable_display_name: Option<RecipientString>,
    /// Values for the first `row.len()` recipient columns
    /// (RecipientColumnCount = `row.len()`).
    pub row: PropertyRow,
}

impl RecipientRow {
    /// An SMTP recipient as gromox accepts it in RopModifyRecipients
    /// (corrections A16, captures 031/033): flags 0x021B (SMTP, E, D, U),
    /// display name and address in the row fields, `row` holding the values
    /// of the leading recipient columns.
    pub fn smtp(display_name: &str, address: &str, row: PropertyRow) -> Self {
        Self {
            flags: RecipientFlags(
                RecipientFlags::UNICODE | RecipientFlags::DISPLAY_NAME | RecipientFlags::EMAIL | 3, // SMTP
            ),
            address: RecipientAddress::Smtp,
            email: Some(address.into()),
            display_name: Some(display_name.into()),
            simple_display_name: None,
            transmittable_display_name: None,
            row,
        }
    }

    /// The flags the encoder writes: the stored S/R/N/other bits plus the
    /// bits derived from the fields. Fails if the strings mix UTF-16 and
    /// 8-bit forms.
    pub fn wire_flags(&self) -> Result<RecipientFlags, EncodeError> {
        let mut f = self.flags.0 & !RecipientFlags::DERIVED;
        f |= u16::from(self.address.kind());
        match self.address {
            RecipientAddress::NoType { address_type: Some(_) } => f |= RecipientFlags::ADDRESS_TYPE,
            RecipientAddress::NoType { address_type: None } => {}
            // The O bit means nothing with other types; keep it as stored.
            _ => f |= self.flags.0 & RecipientFlags::ADDRESS_TYPE,
        }
        let mut unicode = None;
        for (s, bit) in [
            (&self.email, RecipientFlags::EMAIL),
            (&self.display_name, RecipientFlags::DISPLAY_NAME),
            (&self.simple_display_name, RecipientFlags::SIMPLE_DISPLAY_NAME),
            (&self.transmittable_display_name, RecipientFlags::TRANSMITTABLE),
        ] {
            if let Some(s) = s {
                f |= bit;
                let u = matches!(s, RecipientString::Unicode(_));
                if unicode.is_some_and(|prev| prev != u) {
                    return Err(EncodeError::NotRepresentable {
                        what: "RecipientRow",
                        reason: "strings mix UTF-16 and 8-bit forms; one U flag covers them all",
                    });
                }
                unicode = Some(u);
            }
        }
        match unicode {
            Some(true) => f |= RecipientFlags::UNICODE,
            Some(false) => f &= !RecipientFlags::UNICODE,
            None => {}
        }
        Ok(RecipientFlags(f))
    }

    /// Reads a RecipientRow whose properties are for (a prefix of) `columns`
    /// (ROP context). RecipientColumnCount larger than `columns` is invalid.
    pub fn decode_with(r: &mut Reader<'_>, columns: &[PropTag]) -> Result<Self, DecodeError> {
        let flags = RecipientFlags(r.u16("RecipientFlags")?);
        let unicode = flags.contains(RecipientFlags::UNICODE);
        let address = match flags.address_kind() {
            0 => RecipientAddress::NoType {
                address_type: if flags.contains(RecipientFlags::ADDRESS_TYPE) {
                    Some(r.asciiz("RecipientRow.AddressType")?.to_vec())
                } else {
                    None
                },
            },
            1 => RecipientAddress::X500Dn {
                address_prefix_used: r.u8("RecipientRow.AddressPrefixUsed")?,
                display_type: r.u8("RecipientRow.DisplayType")?,
                x500_dn: r.asciiz("RecipientRow.X500DN")?.to_vec(),
            },
            2 => RecipientAddress::MsMail,
            3 => RecipientAddress::Smtp,
            4 => RecipientAddress::Fax,
            5 => RecipientAddress::ProfessionalOfficeSystem,
            k => {
                let n = r.u16("RecipientRow.EntryIdSize")?;
                let entry_id = r.bytes(n.into(), "RecipientRow.EntryId")?.to_vec();
                let n = r.u16("RecipientRow.SearchKeySize")?;
                let search_key = r.bytes(n.into(), "RecipientRow.SearchKey")?.to_vec();
                RecipientAddress::PersonalDistributionList { second: k == 7, entry_id, search_key }
            }
        };
        let mut opt = |bit, what| -> Result<Option<RecipientString>, DecodeError> {
            if flags.contains(bit) { RecipientString::decode(r, unicode, what).map(Some) } else { Ok(None) }
        };
        let email = opt(RecipientFlags::EMAIL, "RecipientRow.EmailAddress")?;
        let display_name = opt(RecipientFlags::DISPLAY_NAME, "RecipientRow.DisplayName")?;
        let simple_display_name = opt(RecipientFlags::SIMPLE_DISPLAY_NAME, "RecipientRow.SimpleDisplayName")?;
        let transmittable_display_name = opt(RecipientFlags::TRANSMITTABLE, "RecipientRow.TransmittableDisplayName")?;
        let at = r.offset();
        let count = usize::from(r.u16("RecipientColumnCount")?);
        let cols = columns.get(..count).ok_or(DecodeError::Invalid {
            what: "RecipientColumnCount",
            offset: at,
            reason: "more values than recipient columns",
        })?;
        let row = PropertyRow::decode_with(r, cols, PropContext::Rop)?;
        Ok(Self { flags, address, email, display_name, simple_display_name, transmittable_display_name, row })
    }

    /// Writes the RecipientRow; `row` holds values for the first `row.len()`
    /// of `columns`.
    pub fn encode_with(&self, w: &mut Vec<u8>, columns: &[PropTag]) -> Result<(), EncodeError> {
        let flags = self.wire_flags()?;
        let unicode = flags.contains(RecipientFlags::UNICODE);
        w.put_u16(flags.0);
        match &self.address {
            RecipientAddress::NoType { address_type: Some(t) } => {
                RecipientString::Ascii(t.clone()).encode(w, "RecipientRow.AddressType")?
            }
            RecipientAddress::X500Dn { address_prefix_used, display_type, x500_dn } => {
                w.put_u8(*address_prefix_used);
                w.put_u8(*display_type);
                RecipientString::Ascii(x500_dn.clone()).encode(w, "RecipientRow.X500DN")?;
            }
            RecipientAddress::PersonalDistributionList { entry_id, search_key, .. } => {
                w.put_u16(len_u16(entry_id.len(), "RecipientRow.EntryIdSize")?);
                w.put_bytes(entry_id);
                w.put_u16(len_u16(search_key.len(), "RecipientRow.SearchKeySize")?);
                w.put_bytes(search_key);
            }
            _ => {}
        }
        for (s, what) in [
            (&self.email, "RecipientRow.EmailAddress"),
            (&self.display_name, "RecipientRow.DisplayName"),
            (&self.simple_display_name, "RecipientRow.SimpleDisplayName"),
            (&self.transmittable_display_name, "RecipientRow.TransmittableDisplayName"),
        ] {
            if let Some(s) = s {
                debug_assert_eq!(matches!(s, RecipientString::Unicode(_)), unicode);
                s.encode(w, what)?;
            }
        }
        let cols = columns.get(..self.row.len()).ok_or(EncodeError::NotRepresentable {
            what: "RecipientColumnCount",
            reason: "more values than recipient columns",
        })?;
        w.put_u16(len_u16(cols.len(), "RecipientColumnCount")?);
        self.row.encode_with(w, cols, PropContext::Rop)
    }

    /// Reads `RecipientRowSize u16` and, unless it is 0 (no row: in
    /// RopModifyRecipients, remove the recipient), a RecipientRow filling
    /// exactly that many bytes (corrections B12: sizes match exactly).
    pub fn decode_sized(r: &mut Reader<'_>, columns: &[PropTag]) -> Result<Option<Self>, DecodeError> {
        let size = r.u16("RecipientRowSize")?;
        if size == 0 {
            return Ok(None);
        }
        let mut sub = r.sub(size.into(), "RecipientRow")?;
        let row = Self::decode_with(&mut sub, columns)?;
        sub.expect_end("RecipientRow")?;
        Ok(Some(row))
    }

    /// Writes `RecipientRowSize u16` and the row (size 0 for `None`).
    pub fn encode_sized(row: Option<&Self>, w: &mut Vec<u8>, columns: &[PropTag]) -> Result<(), EncodeError> {
        let at = w.reserve_u16();
        if let Some(row) = row {
            row.encode_with(w, columns)?;
        }
        w.patch_len_u16(at, "RecipientRowSize")
    }
}

#[cfg(test)]
mod tests;
