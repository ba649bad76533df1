//! [MS-OXCFXICS] 2.2.4.1.1–2.2.4.1.3 propValue bodies: the FastTransfer
//! value forms of [`PropValue`], plus the stream's special cases.

use super::marker::meta;
use crate::codec::{Put, Reader, len_u32, utf16le_to_string};
use crate::error::{DecodeError, EncodeError};
use crate::prop_tag::{PropTag, PropType};
use crate::prop_value::{PropContext, PropValue};

/// The code page of a code-page string type ([MS-OXCFXICS] 2.2.4.1.1.1):
/// types with bit 0x8000 set carry a string in code page `type & 0x7FFF`.
pub fn code_page(ty: PropType) -> Option<u16> {
    (ty.0 & 0x8000 != 0).then_some(ty.0 & 0x7FFF)
}

/// The UTF-16LE code page, the one code-page string decoded to text.
pub const CP_UTF16: u16 = 1200;

/// Decodes a value whose wire bytes are exactly `bytes` (offsets in errors
/// are relative to `bytes`).
///
/// Special cases ([MS-OXCFXICS] 2.2.4.1.3, 3.2.5.2.1; corrections B19):
/// MetaTagIdsetGiven (type PtypInteger32 with a u32-length blob) and
/// PtypObject values become [`PropValue::Binary`]; a code-page string
/// becomes [`PropValue::String`] for code page 1200 and
/// [`PropValue::String8`] (bytes as sent) otherwise.
pub(crate) fn decode_value(tag: PropTag, bytes: &[u8]) -> Result<PropValue, DecodeError> {
    let mut r = Reader::new(bytes);
    let ty = tag.prop_type();
    let v = if tag == meta::IDSET_GIVEN || ty == PropType::OBJECT {
        PropValue::Binary(var_bytes(&mut r)?.to_vec())
    } else if let Some(cp) = code_page(ty) {
        let b = var_bytes(&mut r)?;
        if cp == CP_UTF16 {
            let b = if b.len() % 2 == 0 { b.strip_suffix(&[0, 0]).unwrap_or(b) } else { b };
            PropValue::String(utf16le_to_string(b))
        } else {
            PropValue::String8(b.strip_suffix(&[0]).unwrap_or(b).to_vec())
        }
    } else {
        PropValue::decode_with(&mut r, ty, PropContext::FastTransfer)?
    };
    r.expect_end("FastTransfer propValue")?;
    Ok(v)
}

fn var_bytes<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], DecodeError> {
    let n = r.u32("FastTransfer value length")? as usize;
    r.bytes(n, "FastTransfer varSizeValue")
}

/// Appends the value of a propValue with tag `tag` (the inverse of
/// [`decode_value`]); the value's type must match the tag's except for the
/// special cases listed there.
pub(crate) fn encode_value(tag: PropTag, value: &PropValue, w: &mut Vec<u8>) -> Result<(), EncodeError> {
    let ty = tag.prop_type();
    match value {
        PropValue::Binary(b) if tag == meta::IDSET_GIVEN || ty == PropType::OBJECT => {
            w.put_u32(len_u32(b.len(), "FastTransfer value length")?);
            w.put_bytes(b);
            Ok(())
        }
        PropValue::String(s) if code_page(ty) == Some(CP_UTF16) => {
            let at = w.reserve_u32();
            w.put_utf16z(s);
            w.patch_len_u32(at, "FastTransfer value length")
        }
        PropValue::String8(s) if code_page(ty).is_some_and(|cp| cp != CP_UTF16) => {
            w.put_u32(len_u32(s.len() + 1, "FastTransfer value length")?);
            w.put_asciiz(s);
            Ok(())
        }
        v if v.prop_type() == ty => v.encode_with(w, PropContext::FastTransfer),
        _ => Err(EncodeError::NotRepresentable {
            what: "FastTransfer propValue",
            reason: "the value's type differs from its tag's type",
        }),
    }
}
