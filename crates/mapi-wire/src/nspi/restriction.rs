//! [MS-OXCMAPIHTTP] 2.2.5.5.1 GetMatches `Filter`: a [MS-OXCDATA] 2.12
//! restriction with u32 counts and address book property values, kept as
//! its exact bytes.
//!
//! The typed restriction lives in [`crate::restriction`]; this module only
//! finds where a restriction ends (so the fields after it can be read) and
//! checks its structure. Two forms of the TaggedValue inside Property and
//! Content restrictions exist:
//!
//! * the specification's: a [MS-OXCDATA] 2.11.4 TaggedPropertyValue with
//!   u32 counts and no HasValue bytes (capture 132; gromox refuses it with
//!   X-ResponseCode 5);
//! * gromox's: a HasValue byte (0xFF present / 0x00 absent) before the
//!   TaggedValue, whose value is an AddressBookPropertyValue with its own
//!   HasValue byte (digest corrections C §7.2, captures 096–098).
//!
//! No concrete property type has 0x00 or 0xFF as its low byte, so the byte
//! after the restriction's tag tells the forms apart.

use crate::codec::{Decode, Encode, Put, Reader};
use crate::error::{DecodeError, EncodeError};
use crate::prop_tag::PropTag;
use crate::prop_value::{PropContext, PropValue};

/// Deepest nesting of And/Or/Not/SubObject/Comment/Count accepted.
const MAX_DEPTH: usize = 64;

/// A restriction in an NSPI request, as its exact wire bytes
/// ([MS-OXCDATA] 2.12 with [MS-OXCMAPIHTTP] 2.2.5.5.1 u32 counts).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AddressBookRestriction(pub Vec<u8>);

impl AddressBookRestriction {
    /// True when a Property or Content restriction in it uses gromox's
    /// restriction-level HasValue byte.
    pub fn uses_gromox_has_value(&self) -> bool {
        let mut r = Reader::new(&self.0);
        let mut gromox = false;
        walk(&mut r, 0, &mut gromox).is_ok() && gromox
    }
}

impl<'a> Decode<'a> for AddressBookRestriction {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let start = r.peek_rest();
        let before = r.remaining();
        let mut gromox = false;
        walk(r, 0, &mut gromox)?;
        let used = before - r.remaining();
        Ok(Self(start.get(..used).unwrap_or(start).to_vec()))
    }
}

impl Encode for AddressBookRestriction {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        // Check the bytes form one restriction, so we never send garbage.
        let mut r = Reader::new(&self.0);
        let mut gromox = false;
        let ok = walk(&mut r, 0, &mut gromox).is_ok() && r.is_empty();
        if !ok {
            return Err(EncodeError::NotRepresentable {
                what: "AddressBookRestriction",
                reason: "the bytes are not exactly one restriction",
            });
        }
        w.put_bytes(&self.0);
        Ok(())
    }
}

/// Skips one restriction, checking its structure.
fn walk(r: &mut Reader<'_>, depth: usize, gromox: &mut bool) -> Result<(), DecodeError> {
    let offset = r.offset();
    if depth > MAX_DEPTH {
        return Err(DecodeError::TooLarge {
            what: "Restriction nesting",
            offset,
            size: depth as u64,
            limit: MAX_DEPTH as u64,
        });
    }
    match r.u8("RestrictType")? {
        // AndRestriction / OrRestriction
        0x00 | 0x01 => {
            let n = r.u32("RestrictCount")? as usize;
            let n = r.count(n, 1, "RestrictCount")?;
            for _ in 0..n {
                walk(r, depth + 1, gromox)?;
            }
        }
        // NotRestriction
        0x02 => walk(r, depth + 1, gromox)?,
        // ContentRestriction: FuzzyLevelLow, FuzzyLevelHigh, PropertyTag, TaggedValue
        0x03 => {
            r.u16("FuzzyLevelLow")?;
            r.u16("FuzzyLevelHigh")?;
            PropTag::decode(r)?;
            tagged_value(r, gromox)?;
        }
        // PropertyRestriction: RelOp, PropTag, TaggedValue
        0x04 => {
            r.u8("RelOp")?;
            PropTag::decode(r)?;
            tagged_value(r, gromox)?;
        }
        // ComparePropertiesRestriction
        0x05 => {
            r.u8("RelOp")?;
            PropTag::decode(r)?;
            PropTag::decode(r)?;
        }
        // BitMaskRestriction / SizeRestriction
        0x06 | 0x07 => {
            r.u8("RelOp")?;
            PropTag::decode(r)?;
            r.u32("Mask/Size")?;
        }
        // ExistRestriction
        0x08 => {
            PropTag::decode(r)?;
        }
        // SubObjectRestriction
        0x09 => {
            PropTag::decode(r)?;
            walk(r, depth + 1, gromox)?;
        }
        // CommentRestriction: TaggedValuesCount u8, TaggedValues, RestrictionPresent u8, [Restriction]
        0x0A => {
            let n = r.u8("TaggedValuesCount")?;
            for _ in 0..n {
                let tag = PropTag::decode(r)?;
                PropValue::decode_with(r, tag.prop_type(), PropContext::ExtendedRule)?;
            }
            if r.u8("RestrictionPresent")? != 0 {
                walk(r, depth + 1, gromox)?;
            }
        }
        // CountRestriction
        0x0B => {
            r.u32("Count")?;
            walk(r, depth + 1, gromox)?;
        }
        other => return Err(DecodeError::Unsupported { what: "RestrictType", offset, value: other.into() }),
    }
    Ok(())
}

/// A TaggedValue in a Property/Content restriction, in either form (see the
/// module documentation).
fn tagged_value(r: &mut Reader<'_>, gromox: &mut bool) -> Result<(), DecodeError> {
    let ctx = match r.peek_u8("TaggedValue")? {
        0xFF => {
            r.u8("HasValue")?;
            *gromox = true;
            PropContext::AddressBook
        }
        0x00 => {
            r.u8("HasValue")?;
            *gromox = true;
            return Ok(());
        }
        // u32 counts, no HasValue bytes.
        _ => PropContext::ExtendedRule,
    };
    let tag = PropTag::decode(r)?;
    PropValue::decode_with(r, tag.prop_type(), ctx)?;
    Ok(())
}
