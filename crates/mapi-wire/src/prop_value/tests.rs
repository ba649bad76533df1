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

pub(super) mod round_trips {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    pub(super) const CONTEXTS: [PropContext; 4] =
        [PropContext::Rop, PropContext::AddressBook, PropContext::FastTransfer, PropContext::ExtendedRule];

    fn arb_ctx() -> impl Strategy<Value = PropContext> {
        prop::sample::select(CONTEXTS.to_vec())
    }

    fn arb_guid() -> impl Strategy<Value = Guid> {
        any::<[u8; 16]>().prop_map(Guid)
    }

    fn arb_string() -> impl Strategy<Value = String> {
        "[^\u{0}]{0,12}"
    }

    fn arb_string8() -> impl Strategy<Value = Vec<u8>> {
        vec(1u8..=255, 0..12)
    }

    fn arb_bytes() -> impl Strategy<Value = Vec<u8>> {
        vec(any::<u8>(), 0..24)
    }

    /// Floats as arbitrary bit patterns, NaNs included (compared as bytes).
    fn f32_bits() -> impl Strategy<Value = f32> {
        any::<u32>().prop_map(f32::from_bits)
    }

    fn f64_bits() -> impl Strategy<Value = f64> {
        any::<u64>().prop_map(f64::from_bits)
    }

    /// A single value of every type that has a wire form in every context
    /// (PtypObject, PtypRuleAction and PtypRestriction are generated
    /// separately).
    pub(super) fn arb_single() -> impl Strategy<Value = PropValue> {
        prop_oneof![
            Just(PropValue::Null),
            any::<i16>().prop_map(PropValue::I16),
            any::<i32>().prop_map(PropValue::I32),
            f32_bits().prop_map(PropValue::F32),
            f64_bits().prop_map(PropValue::F64),
            any::<i64>().prop_map(PropValue::Currency),
            f64_bits().prop_map(PropValue::FloatingTime),
            any::<u32>().prop_map(|e| PropValue::Error(ErrorCode(e))),
            any::<bool>().prop_map(PropValue::Bool),
            any::<i64>().prop_map(PropValue::I64),
            arb_string8().prop_map(PropValue::String8),
            arb_string().prop_map(PropValue::String),
            any::<u64>().prop_map(|t| PropValue::Time(FileTime(t))),
            arb_guid().prop_map(PropValue::Guid),
            arb_bytes().prop_map(PropValue::ServerId),
            arb_bytes().prop_map(PropValue::Binary),
        ]
    }

    pub(super) fn arb_multi() -> impl Strategy<Value = PropValue> {
        prop_oneof![
            vec(any::<i16>(), 0..5).prop_map(PropValue::MvI16),
            vec(any::<i32>(), 0..5).prop_map(PropValue::MvI32),
            vec(f32_bits(), 0..5).prop_map(PropValue::MvF32),
            vec(f64_bits(), 0..5).prop_map(PropValue::MvF64),
            vec(any::<i64>(), 0..5).prop_map(PropValue::MvCurrency),
            vec(f64_bits(), 0..5).prop_map(PropValue::MvFloatingTime),
            vec(any::<i64>(), 0..5).prop_map(PropValue::MvI64),
            vec(arb_string8(), 0..5).prop_map(PropValue::MvString8),
            vec(arb_string(), 0..5).prop_map(PropValue::MvString),
            vec(any::<u64>().prop_map(FileTime), 0..5).prop_map(PropValue::MvTime),
            vec(arb_guid(), 0..5).prop_map(PropValue::MvGuid),
            vec(arb_bytes(), 0..5).prop_map(PropValue::MvBinary),
        ]
    }

    pub(super) fn arb_value() -> impl Strategy<Value = PropValue> {
        prop_oneof![3 => arb_single(), 2 => arb_multi()]
    }

    /// A RuleAction structure in the count widths of `ctx`.
    fn rule_action_bytes(blocks: &[Vec<u8>], ctx: PropContext) -> Vec<u8> {
        let mut w = Vec::new();
        if ctx == PropContext::Rop {
            w.put_u16(blocks.len() as u16);
        } else {
            w.put_u32(blocks.len() as u32);
        }
        for b in blocks {
            if ctx == PropContext::Rop {
                w.put_u16(b.len() as u16);
            } else {
                w.put_u32(b.len() as u32);
            }
            w.put_bytes(b);
        }
        w
    }

    /// encode → decode → encode gives the same bytes and the same type.
    fn assert_round_trip(v: &PropValue, ctx: PropContext) -> Result<(), TestCaseError> {
        let bytes = enc(v, ctx);
        let mut r = Reader::new(&bytes);
        let back = PropValue::decode_with(&mut r, v.prop_type(), ctx).unwrap();
        prop_assert!(r.is_empty());
        prop_assert_eq!(back.prop_type(), v.prop_type());
        prop_assert_eq!(enc(&back, ctx), bytes);
        Ok(())
    }

    proptest! {
        #[test]
        fn every_type_round_trips_in_every_context(v in arb_value(), ctx in arb_ctx()) {
            assert_round_trip(&v, ctx)?;
        }

        #[test]
        fn values_without_floats_decode_equal(v in arb_value(), ctx in arb_ctx()) {
            let bytes = enc(&v, ctx);
            let back = dec(&bytes, v.prop_type(), ctx);
            // Bitwise equality via the encoding already holds; PartialEq only
            // where no NaN can appear.
            let has_float = matches!(v, PropValue::F32(_) | PropValue::F64(_) | PropValue::FloatingTime(_)
                | PropValue::MvF32(_) | PropValue::MvF64(_) | PropValue::MvFloatingTime(_));
            if !has_float {
                prop_assert_eq!(back, v);
            }
        }

        #[test]
        fn object_round_trips_in_the_address_book(mid in any::<u32>()) {
            assert_round_trip(&PropValue::Object(mid), PropContext::AddressBook)?;
        }

        #[test]
        fn rule_actions_round_trip(blocks in vec(arb_bytes(), 0..4), ctx in arb_ctx()) {
            let v = PropValue::RuleAction(rule_action_bytes(&blocks, ctx));
            assert_round_trip(&v, ctx)?;
            prop_assert_eq!(dec(&enc(&v, ctx), PropType::RULE_ACTION, ctx), v);
        }

        #[test]
        fn fast_transfer_strings_may_hold_nul(s in "[\u{0}a-z]{0,8}", s8 in arb_bytes()) {
            let ctx = PropContext::FastTransfer;
            prop_assert_eq!(dec(&enc(&PropValue::String(s.clone()), ctx), PropType::STRING, ctx), PropValue::String(s));
            prop_assert_eq!(dec(&enc(&PropValue::String8(s8.clone()), ctx), PropType::STRING8, ctx), PropValue::String8(s8));
        }

        #[test]
        fn tagged_and_typed_values_round_trip(id in any::<u16>(), v in arb_value(), ctx in arb_ctx()) {
            let t = TaggedValue::new(id, v.clone());
            let mut w = Vec::new();
            t.encode_with(&mut w, ctx).unwrap();
            let mut r = Reader::new(&w);
            let back = TaggedValue::decode_with(&mut r, ctx).unwrap();
            prop_assert!(r.is_empty());
            prop_assert_eq!(back.tag, t.tag);
            let mut w2 = Vec::new();
            back.encode_with(&mut w2, ctx).unwrap();
            prop_assert_eq!(&w2, &w);

            let mut w = Vec::new();
            TypedValue(v.clone()).encode_with(&mut w, ctx).unwrap();
            let mut r = Reader::new(&w);
            let back = TypedValue::decode_with(&mut r, ctx).unwrap();
            prop_assert!(r.is_empty());
            prop_assert_eq!(back.0.prop_type(), v.prop_type());
        }

        #[test]
        fn decoded_values_re_encode_canonically(
            b in vec(any::<u8>(), 0..48),
            ty in prop::sample::select(PropType::KNOWN.to_vec()),
            ctx in arb_ctx(),
        ) {
            // Whatever decodes must encode, and the encoding is a fixpoint
            // (non-canonical input such as a Boolean 0x80 is normalised).
            if let Ok(v) = PropValue::decode_with(&mut Reader::new(&b), ty, ctx) {
                let mut once = Vec::new();
                v.encode_as(&mut once, ty, ctx).unwrap();
                let again = PropValue::decode_with(&mut Reader::new(&once), ty, ctx).unwrap();
                let mut twice = Vec::new();
                again.encode_as(&mut twice, ty, ctx).unwrap();
                prop_assert_eq!(once, twice);
            }
        }

        #[test]
        fn decoding_never_panics(
            b in vec(any::<u8>(), 0..48),
            ty in prop::sample::select(PropType::KNOWN.to_vec()),
            ctx in arb_ctx(),
        ) {
            let _ = PropValue::decode_with(&mut Reader::new(&b), ty, ctx);
            let _ = TaggedValue::decode_with(&mut Reader::new(&b), ctx);
            let cols = [PropTag::new(1, ty), PropTag(0x0037_0000), PropTag::new(2, PropType(ty.0 | 0x3000))];
            let _ = PropertyRow::decode_with(&mut Reader::new(&b), &cols, ctx);
            let _ = decode_tagged_list(&mut Reader::new(&b), CountWidth::for_context(ctx), ctx);
        }
    }

    /// A row cell: the column type and the cell.
    #[derive(Clone, Debug)]
    struct Cell {
        column: PropType,
        value: FlaggedValue,
    }

    fn arb_cell(ctx: PropContext) -> impl Strategy<Value = Cell> {
        let value = arb_value();
        (value, 0u8..10, any::<u32>()).prop_map(move |(v, pick, err)| {
            let ty = v.prop_type();
            match pick {
                // Missing / errored cells (flagged rows only).
                0 => Cell { column: ty, value: FlaggedValue::Missing },
                1 => Cell { column: ty, value: FlaggedValue::Error(ErrorCode(err)) },
                // PtypUnspecified columns carry the type in the row.
                2 => Cell { column: PropType::UNSPECIFIED, value: FlaggedValue::Value(v) },
                // Multi-value-instance columns carry a single value.
                3 if !ty.is_multi()
                    && ty != PropType::NULL
                    && ty != PropType::ERROR_CODE
                    && ty != PropType::BOOLEAN
                    && ty != PropType::SERVER_ID =>
                {
                    Cell { column: PropType(ty.0 | 0x3000), value: FlaggedValue::Value(v) }
                }
                // An absent address book value.
                4 if ctx == PropContext::AddressBook && ty == PropType::STRING => {
                    Cell { column: ty, value: FlaggedValue::Value(PropValue::Null) }
                }
                _ => Cell { column: ty, value: FlaggedValue::Value(v) },
            }
        })
    }

    fn arb_row() -> impl Strategy<Value = (PropContext, Vec<Cell>, bool)> {
        arb_ctx().prop_flat_map(|ctx| (Just(ctx), vec(arb_cell(ctx), 0..8), any::<bool>()))
    }

    proptest! {
        #[test]
        fn rows_round_trip((ctx, cells, force_flagged) in arb_row()) {
            let columns: Vec<PropTag> =
                cells.iter().enumerate().map(|(i, c)| PropTag::new(0x1000 + i as u16, c.column)).collect();
            let all_present = cells.iter().all(|c| matches!(c.value, FlaggedValue::Value(_)));
            let row = if all_present && !force_flagged {
                PropertyRow::Standard(cells.iter().map(|c| match &c.value {
                    FlaggedValue::Value(v) => v.clone(),
                    _ => unreachable!(),
                }).collect())
            } else {
                PropertyRow::Flagged(cells.iter().map(|c| c.value.clone()).collect())
            };
            let mut w = Vec::new();
            row.encode_with(&mut w, &columns, ctx).unwrap();
            let mut r = Reader::new(&w);
            let back = PropertyRow::decode_with(&mut r, &columns, ctx).unwrap();
            prop_assert!(r.is_empty());
            prop_assert_eq!(back.len(), row.len());
            let mut w2 = Vec::new();
            back.encode_with(&mut w2, &columns, ctx).unwrap();
            prop_assert_eq!(w2, w);
        }

        #[test]
        fn tag_arrays_round_trip(tags in vec(any::<u32>().prop_map(PropTag), 0..20), ctx in arb_ctx()) {
            let a = PropTagArray(tags);
            let mut w = Vec::new();
            a.encode_with(&mut w, ctx).unwrap();
            let mut r = Reader::new(&w);
            prop_assert_eq!(PropTagArray::decode_with(&mut r, ctx).unwrap(), a);
            prop_assert!(r.is_empty());
        }

        #[test]
        fn problems_round_trip(p in vec((any::<u16>(), any::<u32>(), any::<u32>()), 0..10)) {
            let list = PropertyProblemList(p.into_iter()
                .map(|(index, tag, e)| PropertyProblem { index, tag: PropTag(tag), error: ErrorCode(e) })
                .collect());
            prop_assert_eq!(PropertyProblemList::decode_exact(&list.to_bytes().unwrap()).unwrap(), list);
        }

        #[test]
        fn tagged_lists_round_trip(vals in vec((any::<u16>(), arb_value()), 0..6), ctx in arb_ctx(), wide in any::<bool>()) {
            let width = if wide { CountWidth::U32 } else { CountWidth::U16 };
            let list: Vec<TaggedValue> = vals.into_iter().map(|(id, v)| TaggedValue::new(id, v)).collect();
            let mut w = Vec::new();
            encode_tagged_list(&mut w, &list, width, ctx).unwrap();
            let mut r = Reader::new(&w);
            let back = decode_tagged_list(&mut r, width, ctx).unwrap();
            prop_assert!(r.is_empty());
            let mut w2 = Vec::new();
            encode_tagged_list(&mut w2, &back, width, ctx).unwrap();
            prop_assert_eq!(w2, w);
        }
    }

    #[test]
    fn every_context_is_exercised() {
        assert_eq!(CONTEXTS.len(), 4);
    }
}

#[test]
fn file_time_unix_conversion() {
    // 2026-11-27T01:27:56Z, PidTagClientSubmitTime of capture 014.
    let t = FileTime::from_unix_seconds(1_795_742_876).unwrap();
    assert_eq!(t.unix_seconds(), 1_795_742_876);
    assert_eq!(FileTime::from_unix_seconds(0).unwrap().0, 116_444_736_000_000_000);
    assert_eq!(FileTime(0).unix_seconds(), -11_644_473_600);
    assert_eq!(FileTime::from_unix_seconds(-11_644_473_601), None);
    assert_eq!(FileTime(116_444_736_000_000_001).subsecond_ticks(), 1);
}

#[test]
fn mismatched_values_are_refused() {
    let mut w = Vec::new();
    let t = TaggedValue { tag: PropTag(0x0037001F), value: PropValue::I32(1) };
    assert!(matches!(t.encode_with(&mut w, PropContext::Rop), Err(EncodeError::NotRepresentable { .. })));
    let row = PropertyRow::Standard(vec![PropValue::I32(1)]);
    assert!(row.encode_with(&mut w, &[], PropContext::Rop).is_err());
    // Null for a string outside the address book is a mismatch too.
    assert!(PropValue::Null.encode_as(&mut w, PropType::STRING, PropContext::Rop).is_err());
    assert!(matches!(
        PropValue::Binary(vec![0; 70_000]).encode_with(&mut w, PropContext::Rop),
        Err(EncodeError::TooLong { .. })
    ));
}

#[test]
fn unspecified_columns_carry_their_type() {
    // Capture 125 shows gromox refusing PtypUnspecified columns
    // (corrections A17), so this is the [MS-OXCDATA] 2.8.1 form.
    let cols = [PropTag(0x674A0014), PropTag(0x00370000)];
    let row = PropertyRow::Standard(vec![PropValue::I64(5), PropValue::String("s".into())]);
    let mut w = Vec::new();
    row.encode_with(&mut w, &cols, PropContext::Rop).unwrap();
    assert_eq!(w, [0, 5, 0, 0, 0, 0, 0, 0, 0, 0x1F, 0, b's', 0, 0, 0]);
    let flagged =
        PropertyRow::Flagged(vec![FlaggedValue::Value(PropValue::I64(5)), FlaggedValue::Error(ErrorCode(0x8004010F))]);
    let mut w = Vec::new();
    flagged.encode_with(&mut w, &cols, PropContext::Rop).unwrap();
    assert_eq!(w, [1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0x0A, 0, 0x0A, 0x0F, 0x01, 0x04, 0x80]);
    assert_eq!(PropertyRow::decode_with(&mut Reader::new(&w), &cols, PropContext::Rop).unwrap(), flagged);
}

#[test]
fn mv_instance_columns_hold_single_values() {
    let cols = [PropTag(0x8001301F)];
    let row = PropertyRow::Standard(vec![PropValue::String("a".into())]);
    let mut w = Vec::new();
    row.encode_with(&mut w, &cols, PropContext::Rop).unwrap();
    assert_eq!(w, [0, b'a', 0, 0, 0]);
    assert_eq!(PropertyRow::decode_with(&mut Reader::new(&w), &cols, PropContext::Rop).unwrap(), row);
}

#[test]
fn row_sets_refuse_hostile_counts() {
    let cols = [PropTag(0x0E080003)];
    let set = PropertyRowSet(vec![PropertyRow::Standard(vec![PropValue::I32(7)])]);
    let mut w = Vec::new();
    set.encode_with(&mut w, &cols, PropContext::Rop).unwrap();
    assert_eq!(w, [1, 0, 0, 7, 0, 0, 0]);
    assert_eq!(PropertyRowSet::decode_with(&mut Reader::new(&w), &cols, PropContext::Rop).unwrap(), set);
    // 65535 rows announced, 5 bytes present: refused before allocating.
    assert!(
        PropertyRowSet::decode_with(&mut Reader::new(&[0xFF, 0xFF, 0, 7, 0, 0, 0]), &cols, PropContext::Rop).is_err()
    );
    // Zero columns: a row is just its flag byte.
    assert!(PropertyRow::decode_many(&mut Reader::new(&[0, 0]), 3, &[], PropContext::Rop).is_err());
}

mod restriction_values {
    use super::round_trips::CONTEXTS;
    use super::*;
    use crate::restriction::{BitmapRelOp, RelOp, Restriction};
    use proptest::prelude::*;

    fn arb_leaf() -> impl Strategy<Value = Restriction> {
        prop_oneof![
            any::<u32>().prop_map(|t| Restriction::Exist { tag: PropTag(t) }),
            (any::<u32>(), any::<u32>()).prop_map(|(t, mask)| Restriction::Bitmask {
                op: BitmapRelOp::NEZ,
                tag: PropTag(t),
                mask
            }),
            (any::<u16>(), any::<i32>()).prop_map(|(id, v)| {
                let value = TaggedValue::new(id, PropValue::I32(v));
                Restriction::Property { op: RelOp::EQ, tag: value.tag, value }
            }),
        ]
    }

    fn arb_restriction() -> impl Strategy<Value = Restriction> {
        arb_leaf().prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Restriction::And),
                inner.prop_map(|r| Restriction::Not(Box::new(r))),
            ]
        })
    }

    proptest! {
        #[test]
        fn restriction_values_round_trip_in_every_context(
            res in arb_restriction(),
            ctx in prop::sample::select(CONTEXTS.to_vec()),
        ) {
            let v = PropValue::Restriction(Box::new(res));
            let bytes = enc(&v, ctx);
            prop_assert_eq!(dec(&bytes, PropType::RESTRICTION, ctx), v);
        }
    }

    /// A Property restriction on a PtypRestriction property whose value is
    /// `inner` (ROP form: RestrictType 0x04, RelOp, PropTag, TaggedValue).
    fn wrap(inner: Vec<u8>) -> Vec<u8> {
        let mut w = vec![0x04, 0x04];
        for _ in 0..2 {
            w.put_u32(0x0001_00FD);
        }
        w.extend(inner);
        w
    }

    #[test]
    fn nested_restriction_values_are_bounded() {
        // Exist restriction as the innermost value.
        let mut bytes = vec![0x08, 0x1F, 0x00, 0x37, 0x00];
        for _ in 0..MAX_NESTED_RESTRICTION_VALUES - 1 {
            bytes = wrap(bytes);
        }
        let ok = dec(&bytes, PropType::RESTRICTION, PropContext::Rop);
        assert!(matches!(&ok, PropValue::Restriction(r) if matches!(**r, Restriction::Property { .. })));
        assert_eq!(enc(&ok, PropContext::Rop), bytes);
        let deeper = wrap(bytes);
        let err = PropValue::decode_with(&mut Reader::new(&deeper), PropType::RESTRICTION, PropContext::Rop);
        assert!(matches!(err, Err(DecodeError::TooLarge { .. })), "{err:?}");
        // Thousands of levels fail the same way instead of exhausting the stack.
        let mut hostile = vec![0x08, 0x1F, 0x00, 0x37, 0x00];
        for _ in 0..5000 {
            hostile = wrap(hostile);
        }
        assert!(PropValue::decode_with(&mut Reader::new(&hostile), PropType::RESTRICTION, PropContext::Rop).is_err());
        // The counter is back to zero after errors: a legal value still decodes.
        assert_eq!(dec(&enc(&ok, PropContext::Rop), PropType::RESTRICTION, PropContext::Rop), ok);
        // Encoding refuses what decoding would refuse.
        let too_deep = PropValue::Restriction(Box::new(Restriction::Property {
            op: RelOp::EQ,
            tag: PropTag(0x0001_00FD),
            value: TaggedValue { tag: PropTag(0x0001_00FD), value: ok },
        }));
        assert!(too_deep.encode_with(&mut Vec::new(), PropContext::Rop).is_err());
    }
}
