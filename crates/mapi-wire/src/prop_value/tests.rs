//! Known answers and round trips for the property value layer.

use super::*;
use crate::codec::{Decode, Encode};
use crate::prop_tag::PropTag;

fn enc(v: &PropValue, ctx: PropContext) -> Vec<u8> {
    let mut w = Vec::new();
    v.encode_with(&mut w, ctx).unwrap();
    w
}

fn dec(b: &[u8], ty: PropType, ctx: PropContext) -> PropValue {
    let mut r = Reader::new(b);
    let v = PropValue::decode_with(&mut r, ty, ctx).unwrap();
    assert!(r.is_empty(), "trailing bytes");
    v
}

#[test]
fn count_widths_per_context() {
    let v = PropValue::Binary(vec![0xAB]);
    assert_eq!(enc(&v, PropContext::Rop), [1, 0, 0xAB]);
    assert_eq!(enc(&v, PropContext::ExtendedRule), [1, 0, 0, 0, 0xAB]);
    assert_eq!(enc(&v, PropContext::FastTransfer), [1, 0, 0, 0, 0xAB]);
    assert_eq!(enc(&v, PropContext::AddressBook), [0xFF, 1, 0, 0, 0, 0xAB]);
    let mv = PropValue::MvBinary(vec![vec![7]]);
    assert_eq!(enc(&mv, PropContext::Rop), [1, 0, 0, 0, 1, 0, 7]);
    assert_eq!(enc(&mv, PropContext::AddressBook), [0xFF, 1, 0, 0, 0, 0xFF, 1, 0, 0, 0, 7]);
    for ctx in [PropContext::Rop, PropContext::AddressBook, PropContext::FastTransfer, PropContext::ExtendedRule] {
        assert_eq!(dec(&enc(&mv, ctx), PropType::MULTIPLE_BINARY, ctx), mv);
        assert_eq!(dec(&enc(&v, ctx), PropType::BINARY, ctx), v);
    }
}

#[test]
fn boolean_is_two_bytes_only_in_fast_transfer() {
    // digest TV-14: `0b 00 aa 67 00 00` (a 2-byte Boolean false).
    assert_eq!(enc(&PropValue::Bool(true), PropContext::FastTransfer), [1, 0]);
    assert_eq!(enc(&PropValue::Bool(true), PropContext::Rop), [1]);
    assert_eq!(dec(&[0, 0], PropType::BOOLEAN, PropContext::FastTransfer), PropValue::Bool(false));
    // Any non-zero byte is true; re-encoding normalises to 1.
    assert_eq!(dec(&[0x80], PropType::BOOLEAN, PropContext::Rop), PropValue::Bool(true));
}

#[test]
fn strings_per_context() {
    let s = PropValue::String("Hi".into());
    assert_eq!(enc(&s, PropContext::Rop), [b'H', 0, b'i', 0, 0, 0]);
    assert_eq!(enc(&s, PropContext::AddressBook), [0xFF, b'H', 0, b'i', 0, 0, 0]);
    assert_eq!(enc(&s, PropContext::FastTransfer), [6, 0, 0, 0, b'H', 0, b'i', 0, 0, 0]);
    let s8 = PropValue::String8(b"IPM".to_vec());
    assert_eq!(enc(&s8, PropContext::FastTransfer), [4, 0, 0, 0, b'I', b'P', b'M', 0]);
    assert_eq!(dec(&[0], PropType::STRING8, PropContext::AddressBook), PropValue::Null);
    let mut w = Vec::new();
    PropValue::Null.encode_as(&mut w, PropType::STRING, PropContext::AddressBook).unwrap();
    assert_eq!(w, [0]);
    assert!(PropValue::String("a\0b".into()).encode_with(&mut Vec::new(), PropContext::Rop).is_err());
}

#[test]
fn object_only_in_the_address_book() {
    assert_eq!(enc(&PropValue::Object(0x12), PropContext::AddressBook), [0x12, 0, 0, 0]);
    assert!(matches!(
        PropValue::Object(1).encode_with(&mut Vec::new(), PropContext::Rop),
        Err(EncodeError::NotRepresentable { .. })
    ));
    assert!(PropValue::decode_with(&mut Reader::new(&[0; 4]), PropType::OBJECT, PropContext::Rop).is_err());
}

#[test]
fn hostile_mv_count_is_refused() {
    let b = [0xFF, 0xFF, 0xFF, 0xFF, 0, 0];
    assert!(PropValue::decode_with(&mut Reader::new(&b), PropType::MULTIPLE_STRING8, PropContext::Rop).is_err());
}

#[test]
fn flagged_row_with_missing_and_error() {
    let cols = [PropTag(0x0037001F), PropTag(0x0E080003), PropTag(0x10130102)];
    let row = PropertyRow::Flagged(vec![
        FlaggedValue::Value(PropValue::String("x".into())),
        FlaggedValue::Missing,
        FlaggedValue::Error(ErrorCode(0x8004010F)),
    ]);
    let mut w = Vec::new();
    row.encode_with(&mut w, &cols, PropContext::Rop).unwrap();
    assert_eq!(w, [1, 0, b'x', 0, 0, 0, 1, 0x0A, 0x0F, 0x01, 0x04, 0x80]);
    let mut r = Reader::new(&w);
    assert_eq!(PropertyRow::decode_with(&mut r, &cols, PropContext::Rop).unwrap(), row);
    assert!(r.is_empty());
}

#[test]
fn tag_array_and_problems() {
    let a = PropTagArray(vec![PropTag(0x0037001F)]);
    assert_eq!(a.to_bytes().unwrap(), [1, 0, 0x1F, 0, 0x37, 0]);
    let mut w = Vec::new();
    a.encode_with(&mut w, PropContext::AddressBook).unwrap();
    assert_eq!(w, [1, 0, 0, 0, 0x1F, 0, 0x37, 0]);
    assert_eq!(PropTagArray::decode_exact(&[1, 0, 0x1F, 0, 0x37, 0]).unwrap(), a);
    let p =
        PropertyProblemList(vec![PropertyProblem { index: 1, tag: PropTag(0x0037001F), error: ErrorCode(0x80070005) }]);
    assert_eq!(PropertyProblemList::decode_exact(&p.to_bytes().unwrap()).unwrap(), p);
}
