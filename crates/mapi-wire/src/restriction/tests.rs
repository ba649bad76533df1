use super::*;
use crate::codec::Reader;
use crate::guid::Guid;
use crate::prop_value::{FileTime, PropValue};
use proptest::prelude::*;

use crate::testdata::capture;

fn json(name: &str) -> Option<serde_json::Value> {
    capture(name).map(|b| serde_json::from_slice(&b).unwrap())
}

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

const SUBJECT: PropTag = PropTag(0x0037_001F);
const MESSAGE_FLAGS: PropTag = PropTag(0x0E07_0003);
const MESSAGE_CLASS: PropTag = PropTag(0x001A_001F);
const DISPLAY_NAME: PropTag = PropTag(0x3001_001F);
const ANR: PropTag = PropTag(0x360C_001F);

fn s(tag: PropTag, v: &str) -> TaggedValue {
    TaggedValue { tag, value: PropValue::String(v.into()) }
}

fn decode(bytes: &[u8], ctx: PropContext) -> Result<Restriction, DecodeError> {
    let mut r = Reader::new(bytes);
    let res = Restriction::decode_with(&mut r, ctx)?;
    r.expect_end("Restriction")?;
    Ok(res)
}

fn encode(res: &Restriction, ctx: PropContext) -> Vec<u8> {
    let mut w = Vec::new();
    res.encode_with(&mut w, ctx).unwrap();
    w
}

#[test]
fn tv10_rop_restrictions() {
    let class = Restriction::Property { op: RelOp::EQ, tag: MESSAGE_CLASS, value: s(MESSAGE_CLASS, "IPM.Note") };
    let class_bytes = hex("04 04 1F 00 1A 00 1F 00 1A 00 49 00 50 00 4D 00 2E 00 4E 00 6F 00 74 00 65 00 00 00");
    assert_eq!(encode(&class, PropContext::Rop), class_bytes);
    assert_eq!(decode(&class_bytes, PropContext::Rop).unwrap(), class);

    let and = Restriction::And(vec![class, Restriction::Exist { tag: SUBJECT }]);
    let mut and_bytes = hex("00 02 00");
    and_bytes.extend(&class_bytes);
    and_bytes.extend(hex("08 1F 00 37 00"));
    assert_eq!(encode(&and, PropContext::Rop), and_bytes);
    assert_eq!(decode(&and_bytes, PropContext::Rop).unwrap(), and);

    let hi = Restriction::Content {
        fuzzy: FuzzyLevel { low: FuzzyLevel::SUBSTRING, high: FuzzyLevel::IGNORE_CASE },
        tag: SUBJECT,
        value: s(SUBJECT, "hi"),
    };
    let hi_bytes = hex("03 01 00 01 00 1F 00 37 00 1F 00 37 00 68 00 69 00 00 00");
    assert_eq!(encode(&hi, PropContext::Rop), hi_bytes);
    assert_eq!(decode(&hi_bytes, PropContext::Rop).unwrap(), hi);
}

/// The RestrictionDataSize + restriction of the RopRestrict in a capture
/// (RopRestrict: 0x14, LogonId, InputHandleIndex, RestrictFlags, size, data).
fn rop_restrict(name: &str) -> Option<Vec<u8>> {
    let v = json(name)?;
    let rop = v["rops"].as_array().unwrap().iter().find(|r| r["rop"].as_str().unwrap().contains("RopRestrict"))?;
    let bytes = hex(rop["bytes"].as_str().unwrap());
    assert_eq!(bytes[0], 0x14);
    Some(bytes[4..].to_vec())
}

fn check_sized(sized: &[u8], want: &Restriction) {
    let mut r = Reader::new(sized);
    let got = Restriction::decode_sized(&mut r).unwrap().unwrap();
    assert!(r.is_empty());
    assert_eq!(&got, want);
    let mut w = Vec::new();
    Restriction::encode_sized(Some(want), &mut w).unwrap();
    assert_eq!(w, sized);
}

#[test]
fn capture_011_content_substring_ignorecase_subject() {
    let Some(b) = rop_restrict("011-execute-inbox-restrict-content-subject.json") else { return };
    let want = Restriction::Content {
        fuzzy: FuzzyLevel { low: FuzzyLevel::SUBSTRING, high: FuzzyLevel::IGNORE_CASE },
        tag: SUBJECT,
        value: s(SUBJECT, "report"),
    };
    check_sized(&b, &want);
}

#[test]
fn capture_012_property_eq_message_flags() {
    let Some(b) = rop_restrict("012-execute-inbox-restrict-property-messageflags.json") else { return };
    let want = Restriction::Property {
        op: RelOp::EQ,
        tag: MESSAGE_FLAGS,
        value: TaggedValue { tag: MESSAGE_FLAGS, value: PropValue::I32(0x12) },
    };
    check_sized(&b, &want);
}

#[test]
fn capture_013_and_bitmask_exist() {
    let Some(b) = rop_restrict("013-execute-inbox-restrict-bitmask-and-exist.json") else { return };
    let want = Restriction::And(vec![
        Restriction::Bitmask { op: BitmapRelOp::NEZ, tag: MESSAGE_FLAGS, mask: 0x10 }, // mfHasAttach
        Restriction::Exist { tag: SUBJECT },
    ]);
    check_sized(&b, &want);
}

/// The filter of an NSPI GetMatches request: `Filter_bytes` from the JSON,
/// checked to sit in the request body right after HasFilter 0xFF.
fn nspi_filter(stem: &str) -> Option<Vec<u8>> {
    let v = json(&format!("{stem}.json"))?;
    let body = capture(&format!("{stem}.req.bin"))?;
    let filter = hex(v["request_fields"]["Filter_bytes"].as_str().unwrap());
    let at = body.windows(filter.len()).position(|w| w == filter).expect("filter bytes in the request body");
    assert_eq!(body[at - 1], 0xFF, "HasFilter");
    Some(filter)
}

#[test]
fn capture_096_nspi_content_prefix_with_hasvalue_bytes() {
    let Some(f) = nspi_filter("096-nspi-getmatches-content-prefix-bo") else { return };
    let want = Restriction::Content {
        fuzzy: FuzzyLevel { low: FuzzyLevel::PREFIX, high: FuzzyLevel::IGNORE_CASE },
        tag: DISPLAY_NAME,
        value: s(DISPLAY_NAME, "bo"),
    };
    assert_eq!(decode(&f, PropContext::AddressBook).unwrap(), want);
    assert_eq!(encode(&want, PropContext::AddressBook), f);
}

#[test]
fn capture_097_nspi_property_eq_anr() {
    let Some(f) = nspi_filter("097-nspi-getmatches-anr-bo") else { return };
    let want = Restriction::Property { op: RelOp::EQ, tag: ANR, value: s(ANR, "bo") };
    assert_eq!(decode(&f, PropContext::AddressBook).unwrap(), want);
    assert_eq!(encode(&want, PropContext::AddressBook), f);
    // The same restriction in a ROP buffer has neither HasValue byte.
    let rop = encode(&want, PropContext::Rop);
    assert_eq!(rop.len() + 2, f.len());
}

#[test]
fn capture_098_nspi_property_gt_display_name() {
    let Some(f) = nspi_filter("098-nspi-getmatches-displayname-gt-bo") else { return };
    let want = Restriction::Property { op: RelOp::GT, tag: DISPLAY_NAME, value: s(DISPLAY_NAME, "bo") };
    assert_eq!(decode(&f, PropContext::AddressBook).unwrap(), want);
    assert_eq!(encode(&want, PropContext::AddressBook), f);
}

#[test]
fn capture_132_filter_without_hasvalue_is_the_rop_form() {
    let Some(f) = nspi_filter("132-nspi-getmatches-anr-bo-without-hasvalue") else { return };
    // gromox refused it (X-ResponseCode 5); our address book decoder does too.
    assert!(matches!(decode(&f, PropContext::AddressBook), Err(DecodeError::Invalid { .. })));
    let want = Restriction::Property { op: RelOp::EQ, tag: ANR, value: s(ANR, "bo") };
    assert_eq!(decode(&f, PropContext::Rop).unwrap(), want);
}

#[test]
fn count_widths_per_context() {
    let and = Restriction::Or(vec![Restriction::Exist { tag: SUBJECT }]);
    assert_eq!(encode(&and, PropContext::Rop), hex("01 01 00 08 1F 00 37 00"));
    for ctx in [PropContext::AddressBook, PropContext::ExtendedRule, PropContext::FastTransfer] {
        assert_eq!(encode(&and, ctx), hex("01 01 00 00 00 08 1F 00 37 00"));
    }
    // Comment: u8 count in every context, RestrictionPresent.
    let c = Restriction::Comment {
        values: vec![TaggedValue { tag: PropTag(0x6001_0003), value: PropValue::I32(7) }],
        restriction: Some(Box::new(Restriction::Exist { tag: SUBJECT })),
    };
    assert_eq!(encode(&c, PropContext::Rop), hex("0A 01 03 00 01 60 07 00 00 00 01 08 1F 00 37 00"));
    assert_eq!(encode(&c, PropContext::AddressBook), hex("0A 01 03 00 01 60 07 00 00 00 FF 08 1F 00 37 00"));
    for ctx in [PropContext::Rop, PropContext::AddressBook] {
        assert_eq!(decode(&encode(&c, ctx), ctx).unwrap(), c);
    }
}

#[test]
fn sized_helper_zero_means_none_and_frames_exactly() {
    let mut r = Reader::new(&[0, 0, 0xAA]);
    assert_eq!(Restriction::decode_sized(&mut r).unwrap(), None);
    assert_eq!(r.remaining(), 1);
    let mut w = Vec::new();
    Restriction::encode_sized(None, &mut w).unwrap();
    assert_eq!(w, [0, 0]);
    // Size one byte too large: the extra byte is inside the frame.
    let mut r = Reader::new(&[6, 0, 8, 0x1F, 0, 0x37, 0, 0]);
    assert!(matches!(Restriction::decode_sized(&mut r), Err(DecodeError::TrailingBytes { .. })));
    // Size too small: the restriction cannot read past its frame.
    let mut r = Reader::new(&[4, 0, 8, 0x1F, 0, 0x37, 0]);
    assert!(Restriction::decode_sized(&mut r).unwrap_err().is_incomplete());
}

#[test]
fn nesting_depth_is_limited() {
    let nots = |n: usize| {
        let mut b = vec![0x02; n - 1];
        b.extend(hex("08 1F 00 37 00"));
        b
    };
    assert!(decode(&nots(Restriction::MAX_DEPTH), PropContext::Rop).is_ok());
    assert!(matches!(decode(&nots(Restriction::MAX_DEPTH + 1), PropContext::Rop), Err(DecodeError::TooLarge { .. })));
    // 100 000 nested Nots: refused without recursing that deep.
    assert!(matches!(decode(&nots(100_000), PropContext::Rop), Err(DecodeError::TooLarge { .. })));
    let mut deep = Restriction::Exist { tag: SUBJECT };
    for _ in 0..Restriction::MAX_DEPTH {
        deep = Restriction::Not(Box::new(deep));
    }
    assert!(deep.encode_with(&mut Vec::new(), PropContext::Rop).is_err());
}

#[test]
fn hostile_input_is_refused() {
    // And with 65535 children in 3 bytes.
    assert!(decode(&[0, 0xFF, 0xFF], PropContext::Rop).unwrap_err().is_incomplete());
    assert!(decode(&[0, 0xFF, 0xFF, 0xFF, 0xFF], PropContext::AddressBook).unwrap_err().is_incomplete());
    assert!(matches!(decode(&[0x0C], PropContext::Rop), Err(DecodeError::Unsupported { value: 0x0C, .. })));
    // Address book Property restriction with HasValue 0x00.
    assert!(matches!(
        decode(&hex("04 04 1F 00 0C 36 00"), PropContext::AddressBook),
        Err(DecodeError::Invalid { what: "Restriction.HasValue", .. })
    ));
    // Comment with 256 values is not representable.
    let c = Restriction::Comment { values: vec![s(SUBJECT, "x"); 256], restriction: None };
    assert!(matches!(c.encode_with(&mut Vec::new(), PropContext::Rop), Err(EncodeError::TooLong { .. })));
    // A value whose type differs from its tag.
    let bad = Restriction::Property {
        op: RelOp::EQ,
        tag: SUBJECT,
        value: TaggedValue { tag: SUBJECT, value: PropValue::I32(1) },
    };
    assert!(bad.encode_with(&mut Vec::new(), PropContext::Rop).is_err());
    assert_eq!(format!("{:?}", RelOp::MEMBER_OF_DL), "RELOP_MEMBER_OF_DL");
}

fn arb_value() -> impl Strategy<Value = PropValue> {
    prop_oneof![
        any::<i16>().prop_map(PropValue::I16),
        any::<i32>().prop_map(PropValue::I32),
        any::<i64>().prop_map(PropValue::I64),
        any::<bool>().prop_map(PropValue::Bool),
        any::<u64>().prop_map(|t| PropValue::Time(FileTime(t))),
        any::<[u8; 16]>().prop_map(|g| PropValue::Guid(Guid(g))),
        "[^\u{0}]{0,8}".prop_map(PropValue::String),
        proptest::collection::vec(1u8..=255, 0..8).prop_map(PropValue::String8),
        proptest::collection::vec(any::<u8>(), 0..12).prop_map(PropValue::Binary),
        proptest::collection::vec("[^\u{0}]{0,4}", 0..3).prop_map(PropValue::MvString),
        proptest::collection::vec(any::<i32>(), 0..3).prop_map(PropValue::MvI32),
    ]
}

fn arb_tagged() -> impl Strategy<Value = TaggedValue> {
    (any::<u16>(), arb_value()).prop_map(|(id, value)| TaggedValue::new(id, value))
}

fn arb_tag() -> impl Strategy<Value = PropTag> {
    any::<u32>().prop_map(PropTag)
}

fn arb_leaf() -> impl Strategy<Value = Restriction> {
    prop_oneof![
        (any::<u16>(), any::<u16>(), arb_tag(), arb_tagged())
            .prop_map(|(low, high, tag, value)| Restriction::Content { fuzzy: FuzzyLevel { low, high }, tag, value }),
        (any::<u8>(), arb_tag(), arb_tagged()).prop_map(|(op, tag, value)| Restriction::Property {
            op: RelOp(op),
            tag,
            value
        }),
        (any::<u8>(), arb_tag(), arb_tag()).prop_map(|(op, tag1, tag2)| Restriction::CompareProperties {
            op: RelOp(op),
            tag1,
            tag2
        }),
        (any::<u8>(), arb_tag(), any::<u32>()).prop_map(|(op, tag, mask)| Restriction::Bitmask {
            op: BitmapRelOp(op),
            tag,
            mask
        }),
        (any::<u8>(), arb_tag(), any::<u32>()).prop_map(|(op, tag, size)| Restriction::Size {
            op: RelOp(op),
            tag,
            size
        }),
        arb_tag().prop_map(|tag| Restriction::Exist { tag }),
    ]
}

fn arb_restriction() -> impl Strategy<Value = Restriction> {
    arb_leaf().prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Restriction::And),
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Restriction::Or),
            inner.clone().prop_map(|r| Restriction::Not(Box::new(r))),
            (prop_oneof![Just(PropTag(0x0E12_000D)), Just(PropTag(0x0E13_000D))], inner.clone())
                .prop_map(|(subobject, r)| Restriction::SubObject { subobject, restriction: Box::new(r) }),
            (proptest::collection::vec(arb_tagged(), 0..3), proptest::option::of(inner.clone()))
                .prop_map(|(values, r)| Restriction::Comment { values, restriction: r.map(Box::new) }),
            (any::<u32>(), inner).prop_map(|(count, r)| Restriction::Count { count, restriction: Box::new(r) }),
        ]
    })
}

fn arb_ctx() -> impl Strategy<Value = PropContext> {
    prop_oneof![
        Just(PropContext::Rop),
        Just(PropContext::AddressBook),
        Just(PropContext::ExtendedRule),
        Just(PropContext::FastTransfer),
    ]
}

proptest! {
    #[test]
    fn restrictions_round_trip_in_every_context(res in arb_restriction(), ctx in arb_ctx()) {
        let b = encode(&res, ctx);
        prop_assert_eq!(decode(&b, ctx).unwrap(), res.clone());
        if ctx == PropContext::Rop {
            let mut w = Vec::new();
            Restriction::encode_sized(Some(&res), &mut w).unwrap();
            prop_assert_eq!(&w[2..], &b[..]);
            let mut r = Reader::new(&w);
            prop_assert_eq!(Restriction::decode_sized(&mut r).unwrap(), Some(res));
        }
    }

    #[test]
    fn restriction_decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64), ctx in arb_ctx()) {
        let _ = decode(&bytes, ctx);
    }
}
