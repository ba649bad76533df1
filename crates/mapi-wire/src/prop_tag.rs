//! [MS-OXCDATA] 2.9 PropertyTag and 2.11.1 Property Data Types.

use crate::codec::{Decode, Encode, Put, Reader};
use crate::error::{DecodeError, EncodeError};

open_enum! {
    /// A property data type ([MS-OXCDATA] 2.11.1), the low 16 bits of a tag.
    pub struct PropType(u16) {
        UNSPECIFIED = 0x0000, "PtypUnspecified";
        NULL = 0x0001, "PtypNull";
        INTEGER16 = 0x0002, "PtypInteger16";
        INTEGER32 = 0x0003, "PtypInteger32";
        FLOATING32 = 0x0004, "PtypFloating32";
        FLOATING64 = 0x0005, "PtypFloating64";
        CURRENCY = 0x0006, "PtypCurrency";
        FLOATING_TIME = 0x0007, "PtypFloatingTime";
        ERROR_CODE = 0x000A, "PtypErrorCode";
        BOOLEAN = 0x000B, "PtypBoolean";
        OBJECT = 0x000D, "PtypObject";
        INTEGER64 = 0x0014, "PtypInteger64";
        STRING8 = 0x001E, "PtypString8";
        STRING = 0x001F, "PtypString";
        TIME = 0x0040, "PtypTime";
        GUID = 0x0048, "PtypGuid";
        SERVER_ID = 0x00FB, "PtypServerId";
        RESTRICTION = 0x00FD, "PtypRestriction";
        RULE_ACTION = 0x00FE, "PtypRuleAction";
        BINARY = 0x0102, "PtypBinary";
        MULTIPLE_INTEGER16 = 0x1002, "PtypMultipleInteger16";
        MULTIPLE_INTEGER32 = 0x1003, "PtypMultipleInteger32";
        MULTIPLE_FLOATING32 = 0x1004, "PtypMultipleFloating32";
        MULTIPLE_FLOATING64 = 0x1005, "PtypMultipleFloating64";
        MULTIPLE_CURRENCY = 0x1006, "PtypMultipleCurrency";
        MULTIPLE_FLOATING_TIME = 0x1007, "PtypMultipleFloatingTime";
        MULTIPLE_INTEGER64 = 0x1014, "PtypMultipleInteger64";
        MULTIPLE_STRING8 = 0x101E, "PtypMultipleString8";
        MULTIPLE_STRING = 0x101F, "PtypMultipleString";
        MULTIPLE_TIME = 0x1040, "PtypMultipleTime";
        MULTIPLE_GUID = 0x1048, "PtypMultipleGuid";
        MULTIPLE_BINARY = 0x1102, "PtypMultipleBinary";
    }
}

impl PropType {
    /// The multi-valued flag ([MS-OXCDATA] 2.11.1).
    pub const MV_FLAG: u16 = 0x1000;
    /// The multi-value-instance flag, only in table column tags
    /// ([MS-OXCDATA] 2.11.1.2): one row per value.
    pub const MV_INSTANCE_FLAG: u16 = 0x2000;

    /// True if this is a multi-valued type (instance flag ignored).
    pub fn is_multi(self) -> bool {
        self.0 & Self::MV_FLAG != 0
    }

    /// The type with the multi-value-instance flag removed.
    pub fn without_instance(self) -> Self {
        Self(self.0 & !Self::MV_INSTANCE_FLAG)
    }

    /// The type of a value in a row for a column of this type: a
    /// multi-value-instance column holds single values ([MS-OXCDATA] 2.11.1.2).
    pub fn value_type(self) -> Self {
        if self.0 & Self::MV_INSTANCE_FLAG != 0 {
            Self(self.0 & !(Self::MV_INSTANCE_FLAG | Self::MV_FLAG))
        } else {
            self
        }
    }

    /// The single-valued element type of a multi-valued type.
    pub fn element_type(self) -> Self {
        Self(self.0 & !(Self::MV_FLAG | Self::MV_INSTANCE_FLAG))
    }
}

/// A property tag: `(id << 16) | type` ([MS-OXCDATA] 2.9), sent as a
/// little-endian u32 (type bytes first).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct PropTag(pub u32);

impl PropTag {
    /// Builds a tag from its id and type.
    pub const fn new(id: u16, ty: PropType) -> Self {
        Self(((id as u32) << 16) | ty.0 as u32)
    }

    /// The property id (high 16 bits). Ids ≥ 0x8000 are named properties,
    /// mapped per mailbox ([MS-OXCPRPT] 3.1.5.2).
    pub const fn id(self) -> u16 {
        (self.0 >> 16) as u16
    }

    /// The property type (low 16 bits).
    pub const fn prop_type(self) -> PropType {
        PropType(self.0 as u16)
    }

    /// The same id with another type (e.g. `PtypErrorCode` for a missing value).
    pub const fn with_type(self, ty: PropType) -> Self {
        Self::new(self.id(), ty)
    }

    /// True for ids in the named-property range 0x8000–0xFFFE.
    pub const fn is_named(self) -> bool {
        self.id() >= 0x8000 && self.id() != 0xFFFF
    }
}

impl std::fmt::Debug for PropTag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match crate::tags::name_of(*self) {
            Some(n) => write!(f, "{n}({:#010x})", self.0),
            None => write!(f, "PropTag({:#010x})", self.0),
        }
    }
}

impl<'a> Decode<'a> for PropTag {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self(r.u32("PropertyTag")?))
    }
}

impl Encode for PropTag {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u32(self.0);
        Ok(())
    }
}

impl<'a> Decode<'a> for PropType {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self(r.u16("PropertyType")?))
    }
}

impl Encode for PropType {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u16(self.0);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_layout_matches_the_spec_example() {
        // [MS-OXCDATA] 2.9: PidTagSubject 0x0037001F is sent as 1F 00 37 00.
        let t = PropTag::new(0x0037, PropType::STRING);
        assert_eq!(t.to_bytes().unwrap(), [0x1F, 0x00, 0x37, 0x00]);
        assert_eq!(PropTag::decode_exact(&[0x1F, 0x00, 0x37, 0x00]).unwrap(), t);
        assert_eq!(t.id(), 0x37);
        assert_eq!(t.prop_type(), PropType::STRING);
    }

    #[test]
    fn multi_value_instance_columns_hold_single_values() {
        let ty = PropType(0x301F);
        assert_eq!(ty.value_type(), PropType::STRING);
        assert_eq!(PropType::MULTIPLE_BINARY.element_type(), PropType::BINARY);
        assert!(PropType::MULTIPLE_STRING.is_multi());
    }
}
