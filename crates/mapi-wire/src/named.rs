//! [MS-OXCDATA] 2.6.1 PropertyName, and its FastTransfer form
//! ([MS-OXCFXICS] 2.2.4.1.1 namedPropInfo).

use crate::codec::{Decode, Encode, Put, Reader, utf16le_to_string};
use crate::error::{DecodeError, EncodeError};
use crate::guid::Guid;
use crate::prop_value::PropContext;

/// A named property's name: a property set GUID and a numeric LID or a
/// string ([MS-OXCDATA] 2.6.1 PropertyName).
///
/// `None` is Kind 0xFF, what RopGetNamesFromPropertyIds answers for an id
/// without a name; gromox sends a 16-byte zero GUID after it (digest
/// corrections B15, capture 025).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum PropertyName {
    /// Kind 0x00 MNID_ID.
    Id {
        /// Property set.
        guid: Guid,
        /// Long id (LID).
        lid: u32,
    },
    /// Kind 0x01 MNID_STRING.
    Name {
        /// Property set.
        guid: Guid,
        /// The name.
        name: String,
    },
    /// Kind 0xFF: no name.
    None {
        /// The GUID that follows the kind (zero from gromox).
        guid: Guid,
    },
}

impl PropertyName {
    /// Kind byte of an MNID_ID name.
    pub const KIND_ID: u8 = 0x00;
    /// Kind byte of an MNID_STRING name.
    pub const KIND_NAME: u8 = 0x01;
    /// Kind byte of "no name".
    pub const KIND_NONE: u8 = 0xFF;

    /// The property set GUID.
    pub fn guid(&self) -> Guid {
        match self {
            Self::Id { guid, .. } | Self::Name { guid, .. } | Self::None { guid } => *guid,
        }
    }

    /// The kind byte.
    pub fn kind(&self) -> u8 {
        match self {
            Self::Id { .. } => Self::KIND_ID,
            Self::Name { .. } => Self::KIND_NAME,
            Self::None { .. } => Self::KIND_NONE,
        }
    }

    /// Reads a PropertyName in the form of `ctx`: the FastTransfer
    /// namedPropInfo (GUID first, then Kind, then LID or a UTF-16 string
    /// without NameSize, [MS-OXCFXICS] 2.2.4.1.1) for
    /// [`PropContext::FastTransfer`], the ROP form (Kind, GUID, LID or
    /// NameSize u8 + Name, [MS-OXCDATA] 2.6.1) for every other context.
    /// NSPI's PropertyName_r ([MS-OXNSPI] 2.2.8.1) and the extended-rule
    /// NamedPropertyInformation ([MS-OXORULE]) are other structures and are
    /// not handled here.
    pub fn decode_with(r: &mut Reader<'_>, ctx: PropContext) -> Result<Self, DecodeError> {
        if ctx != PropContext::FastTransfer {
            return Self::decode(r);
        }
        let guid = Guid::decode(r)?;
        let offset = r.offset();
        match r.u8("Kind")? {
            Self::KIND_ID => Ok(Self::Id { guid, lid: r.u32("LID")? }),
            Self::KIND_NAME => Ok(Self::Name { guid, name: r.utf16z("Name")? }),
            k => Err(DecodeError::Unsupported { what: "namedPropInfo.Kind", offset, value: k.into() }),
        }
    }

    /// Writes the PropertyName in the form of `ctx` (see
    /// [`PropertyName::decode_with`]). Kind 0xFF has no FastTransfer form; a
    /// name containing NUL has none either, and a ROP name must fit the
    /// 255-byte NameSize.
    pub fn encode_with(&self, w: &mut Vec<u8>, ctx: PropContext) -> Result<(), EncodeError> {
        if ctx != PropContext::FastTransfer {
            return self.encode(w);
        }
        w.put_bytes(&self.guid().0);
        w.put_u8(self.kind());
        match self {
            Self::Id { lid, .. } => w.put_u32(*lid),
            Self::Name { name, .. } => {
                check_name(name)?;
                w.put_utf16z(name);
            }
            Self::None { .. } => {
                return Err(EncodeError::NotRepresentable {
                    what: "namedPropInfo",
                    reason: "Kind 0xFF has no FastTransfer form",
                });
            }
        }
        Ok(())
    }
}

fn check_name(name: &str) -> Result<(), EncodeError> {
    if name.contains('\0') {
        return Err(EncodeError::NotRepresentable { what: "PropertyName.Name", reason: "contains a NUL character" });
    }
    Ok(())
}

/// The ROP form ([MS-OXCDATA] 2.6.1).
impl<'a> Decode<'a> for PropertyName {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let offset = r.offset();
        let kind = r.u8("Kind")?;
        let guid = Guid::decode(r)?;
        match kind {
            Self::KIND_ID => Ok(Self::Id { guid, lid: r.u32("LID")? }),
            Self::KIND_NAME => {
                let size = r.u8("NameSize")? as usize;
                let mut name = r.sub(size, "Name")?;
                // NameSize counts the terminator; tolerate a name without one.
                let bytes = name.rest();
                let bytes = match bytes.chunks_exact(2).position(|c| c == [0, 0]) {
                    Some(i) => bytes.get(..2 * i).unwrap_or(bytes),
                    None => bytes,
                };
                Ok(Self::Name { guid, name: utf16le_to_string(bytes) })
            }
            Self::KIND_NONE => Ok(Self::None { guid }),
            k => Err(DecodeError::Unsupported { what: "PropertyName.Kind", offset, value: k.into() }),
        }
    }
}

/// The ROP form ([MS-OXCDATA] 2.6.1).
impl Encode for PropertyName {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u8(self.kind());
        w.put_bytes(&self.guid().0);
        match self {
            Self::Id { lid, .. } => w.put_u32(*lid),
            Self::Name { name, .. } => {
                check_name(name)?;
                let at = w.len();
                w.put_u8(0);
                w.put_utf16z(name);
                let size = w.len() - at - 1;
                let size = u8::try_from(size).map_err(|_| EncodeError::TooLong {
                    what: "PropertyName.NameSize",
                    len: size,
                    max: 255,
                })?;
                if let Some(b) = w.get_mut(at) {
                    *b = size;
                }
            }
            Self::None { .. } => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PS_PUBLIC_STRINGS: Guid = Guid::from_fields(0x0002_0329, 0, 0, [0xC0, 0, 0, 0, 0, 0, 0, 0x46]);

    #[test]
    fn rop_form_of_a_string_name() {
        let n = PropertyName::Name { guid: PS_PUBLIC_STRINGS, name: "ab".into() };
        let b = n.to_bytes().unwrap();
        let mut want = vec![0x01];
        want.extend_from_slice(&PS_PUBLIC_STRINGS.0);
        want.extend_from_slice(&[6, b'a', 0, b'b', 0, 0, 0]);
        assert_eq!(b, want);
        assert_eq!(PropertyName::decode_exact(&b).unwrap(), n);
    }

    #[test]
    fn fast_transfer_form_puts_the_guid_first_and_has_no_name_size() {
        let n = PropertyName::Name { guid: PS_PUBLIC_STRINGS, name: "ab".into() };
        let mut b = Vec::new();
        n.encode_with(&mut b, PropContext::FastTransfer).unwrap();
        let mut want = PS_PUBLIC_STRINGS.0.to_vec();
        want.extend_from_slice(&[0x01, b'a', 0, b'b', 0, 0, 0]);
        assert_eq!(b, want);
        let mut r = Reader::new(&b);
        assert_eq!(PropertyName::decode_with(&mut r, PropContext::FastTransfer).unwrap(), n);
        assert!(r.is_empty());
    }

    #[test]
    fn kind_none_is_followed_by_a_guid() {
        // corrections B15 (capture 025): FF + 16 zero bytes.
        let mut b = vec![0xFF];
        b.extend_from_slice(&[0; 16]);
        assert_eq!(PropertyName::decode_exact(&b).unwrap(), PropertyName::None { guid: Guid::NIL });
        assert_eq!(PropertyName::None { guid: Guid::NIL }.to_bytes().unwrap(), b);
        assert!(
            PropertyName::None { guid: Guid::NIL }.encode_with(&mut Vec::new(), PropContext::FastTransfer).is_err()
        );
    }

    #[test]
    fn too_long_names_and_bad_kinds_are_refused() {
        let n = PropertyName::Name { guid: Guid::NIL, name: "x".repeat(127) };
        assert!(matches!(n.to_bytes(), Err(EncodeError::TooLong { .. })));
        let n = PropertyName::Name { guid: Guid::NIL, name: "x".repeat(126) };
        assert_eq!(n.to_bytes().unwrap()[17], 254);
        let mut b = vec![0x02];
        b.extend_from_slice(&[0; 20]);
        assert!(matches!(PropertyName::decode_exact(&b), Err(DecodeError::Unsupported { .. })));
    }

    fn arb_guid() -> impl Strategy<Value = Guid> {
        any::<[u8; 16]>().prop_map(Guid)
    }

    fn arb_name() -> impl Strategy<Value = PropertyName> {
        prop_oneof![
            (arb_guid(), any::<u32>()).prop_map(|(guid, lid)| PropertyName::Id { guid, lid }),
            (arb_guid(), "[^\u{0}]{0,60}").prop_map(|(guid, name)| PropertyName::Name { guid, name }),
        ]
    }

    proptest! {
        #[test]
        fn round_trip_in_both_forms(n in arb_name(), fx in any::<bool>()) {
            let ctx = if fx { PropContext::FastTransfer } else { PropContext::Rop };
            let mut b = Vec::new();
            if n.encode_with(&mut b, ctx).is_ok() {
                let mut r = Reader::new(&b);
                prop_assert_eq!(PropertyName::decode_with(&mut r, ctx).unwrap(), n);
                prop_assert!(r.is_empty());
            }
        }

        #[test]
        fn decoding_never_panics(b in proptest::collection::vec(any::<u8>(), 0..64), fx in any::<bool>()) {
            let ctx = if fx { PropContext::FastTransfer } else { PropContext::Rop };
            let _ = PropertyName::decode_with(&mut Reader::new(&b), ctx);
        }
    }
}
