//! Restriction evaluation against hand-built bags, one test per
//! restriction type ([MS-OXCDATA] 2.12.1–2.12.12).

use mapi_wire::prop_value::{FileTime, PropValue, TaggedValue};
use mapi_wire::restriction::{BitmapRelOp, FuzzyLevel, RelOp, Restriction};
use mapi_wire::{Guid, PropTag, PropType};

use super::*;
use crate::store::props::{Attachment, MessageContent, PropBag};

fn tv(tag: PropTag, value: PropValue) -> TaggedValue {
    TaggedValue { tag, value }
}

fn s(x: &str) -> PropValue {
    PropValue::String(x.into())
}

fn bag() -> PropBag {
    PropBag::from_pairs([
        (PropTag::SUBJECT, s("Quarterly Report Q3")),
        (PropTag::MESSAGE_FLAGS, PropValue::I32(0x21)),
        (PropTag::IMPORTANCE, PropValue::I32(1)),
        (PropTag::MESSAGE_DELIVERY_TIME, PropValue::Time(FileTime(1000))),
        (PropTag::CLIENT_SUBMIT_TIME, PropValue::Time(FileTime(900))),
        (PropTag::SEARCH_KEY, PropValue::Binary(vec![0xAB, 0xCD, 0xEF])),
        (PropTag::new(0x8001, PropType::MULTIPLE_STRING), PropValue::MvString(vec!["Red".into(), "Blue".into()])),
        (PropTag::new(0x8002, PropType::INTEGER64), PropValue::I64(5)),
        (PropTag::SENDER_NAME, PropValue::String8(b"Alice".to_vec())),
        (PropTag::new(0x8003, PropType::GUID), PropValue::Guid(Guid([1; 16]))),
        (PropTag::new(0x8004, PropType::FLOATING64), PropValue::F64(2.5)),
        (PropTag::new(0x8005, PropType::BOOLEAN), PropValue::Bool(true)),
    ])
}

fn content(fuzzy_low: u16, fuzzy_high: u16, tag: PropTag, v: PropValue) -> Restriction {
    Restriction::Content { fuzzy: FuzzyLevel { low: fuzzy_low, high: fuzzy_high }, tag, value: tv(tag, v) }
}

fn prop(op: RelOp, tag: PropTag, v: PropValue) -> Restriction {
    Restriction::Property { op, tag, value: tv(tag, v) }
}

#[test]
fn content_fuzzy_levels_and_ignore_case() {
    let b = bag();
    let t = PropTag::SUBJECT;
    let cases = [
        (FuzzyLevel::FULL_STRING, 0, "Quarterly Report Q3", true),
        (FuzzyLevel::FULL_STRING, 0, "quarterly report q3", false),
        (FuzzyLevel::FULL_STRING, FuzzyLevel::IGNORE_CASE, "quarterly report q3", true),
        (FuzzyLevel::FULL_STRING, 0, "Quarterly", false),
        (FuzzyLevel::SUBSTRING, 0, "Report", true),
        (FuzzyLevel::SUBSTRING, 0, "report", false),
        (FuzzyLevel::SUBSTRING, FuzzyLevel::IGNORE_CASE, "REPORT", true),
        (FuzzyLevel::SUBSTRING, FuzzyLevel::LOOSE, "REPORT", true),
        (FuzzyLevel::SUBSTRING, FuzzyLevel::IGNORE_CASE, "missing", false),
        (FuzzyLevel::PREFIX, 0, "Quarter", true),
        (FuzzyLevel::PREFIX, 0, "Report", false),
        (FuzzyLevel::PREFIX, FuzzyLevel::IGNORE_CASE, "quARTER", true),
    ];
    for (low, high, pat, want) in cases {
        assert_eq!(matches(&content(low, high, t, s(pat)), &b), want, "{low} {high} {pat}");
    }
    // PtypString8 values and patterns, binary values, MV strings (any element).
    assert!(matches(&content(FuzzyLevel::PREFIX, FuzzyLevel::IGNORE_CASE, PropTag::SENDER_NAME, s("ali")), &b));
    let sk = PropTag::SEARCH_KEY;
    assert!(matches(&content(FuzzyLevel::SUBSTRING, 0, sk, PropValue::Binary(vec![0xCD, 0xEF])), &b));
    assert!(!matches(&content(FuzzyLevel::PREFIX, 0, sk, PropValue::Binary(vec![0xCD])), &b));
    let mv = PropTag::new(0x8001, PropType::MULTIPLE_STRING);
    assert!(matches(&content(FuzzyLevel::FULL_STRING, FuzzyLevel::IGNORE_CASE, mv, s("blue")), &b));
    assert!(!matches(&content(FuzzyLevel::FULL_STRING, 0, mv, s("Green")), &b));
    // A missing property never matches; a non-string property neither.
    assert!(!matches(&content(FuzzyLevel::SUBSTRING, 0, PropTag::BODY, s("")), &b));
    assert!(!matches(&content(FuzzyLevel::SUBSTRING, 0, PropTag::IMPORTANCE, s("1")), &b));
}

#[test]
fn property_relops_on_every_kind() {
    let b = bag();
    let imp = PropTag::IMPORTANCE;
    for (op, v, want) in [
        (RelOp::LT, 2, true),
        (RelOp::LT, 1, false),
        (RelOp::LE, 1, true),
        (RelOp::LE, 0, false),
        (RelOp::GT, 0, true),
        (RelOp::GT, 1, false),
        (RelOp::GE, 1, true),
        (RelOp::GE, 2, false),
        (RelOp::EQ, 1, true),
        (RelOp::EQ, 2, false),
        (RelOp::NE, 2, true),
        (RelOp::NE, 1, false),
    ] {
        assert_eq!(matches(&prop(op, imp, PropValue::I32(v)), &b), want, "{op:?} {v}");
    }
    // Strings compare case-insensitively.
    assert!(matches(&prop(RelOp::EQ, PropTag::SUBJECT, s("QUARTERLY REPORT q3")), &b));
    assert!(matches(&prop(RelOp::GT, PropTag::SUBJECT, s("apple")), &b));
    assert!(matches(&prop(RelOp::LT, PropTag::SUBJECT, s("zebra")), &b));
    // String8 against String.
    assert!(matches(&prop(RelOp::EQ, PropTag::SENDER_NAME, s("alice")), &b));
    // Times, binaries, GUIDs, floats, booleans, mixed integer widths.
    let dt = PropTag::MESSAGE_DELIVERY_TIME;
    assert!(matches(&prop(RelOp::GE, dt, PropValue::Time(FileTime(1000))), &b));
    assert!(!matches(&prop(RelOp::GT, dt, PropValue::Time(FileTime(1000))), &b));
    assert!(matches(&prop(RelOp::LT, PropTag::SEARCH_KEY, PropValue::Binary(vec![0xAC])), &b));
    assert!(matches(&prop(RelOp::EQ, PropTag::new(0x8003, PropType::GUID), PropValue::Guid(Guid([1; 16]))), &b));
    assert!(matches(&prop(RelOp::GT, PropTag::new(0x8004, PropType::FLOATING64), PropValue::F64(2.0)), &b));
    assert!(matches(&prop(RelOp::EQ, PropTag::new(0x8005, PropType::BOOLEAN), PropValue::Bool(true)), &b));
    assert!(matches(&prop(RelOp::EQ, PropTag::new(0x8002, PropType::INTEGER64), PropValue::I32(5)), &b));
    // Multi-valued property vs single value: any element.
    let mv = PropTag::new(0x8001, PropType::MULTIPLE_STRING);
    assert!(matches(&prop(RelOp::EQ, mv, s("red")), &b));
    assert!(!matches(&prop(RelOp::EQ, mv, s("green")), &b));
    assert!(matches(&prop(RelOp::NE, mv, s("red")), &b), "Blue differs from red");
    // Multi-valued vs multi-valued: element-wise.
    assert!(matches(&prop(RelOp::EQ, mv, PropValue::MvString(vec!["RED".into(), "blue".into()])), &b));
    assert!(!matches(&prop(RelOp::EQ, mv, PropValue::MvString(vec!["Red".into()])), &b));
    // Missing property: false even for NE. Incomparable types: false.
    assert!(!matches(&prop(RelOp::NE, PropTag::BODY, s("x")), &b));
    assert!(!matches(&prop(RelOp::EQ, imp, s("1")), &b));
    // RELOP_RE: a regular expression searched anywhere, case-sensitive.
    assert!(matches(&prop(RelOp::RE, PropTag::SUBJECT, s("^Quarterly .* Q[0-9]$")), &b));
    assert!(!matches(&prop(RelOp::RE, PropTag::SUBJECT, s("^quarterly")), &b));
    assert!(matches(&prop(RelOp::RE, PropTag::SUBJECT, s("(?i)^quarterly")), &b));
    assert!(matches(&prop(RelOp::RE, mv, s("^Bl")), &b));
    assert!(matches(&prop(RelOp::RE, PropTag::SENDER_NAME, s("lic")), &b));
    assert!(!matches(&prop(RelOp::RE, PropTag::SUBJECT, s("(unclosed")), &b));
    assert!(!matches(&prop(RelOp::RE, PropTag::IMPORTANCE, s("1")), &b));
    // MEMBER_OF_DL is unsupported.
    assert!(!matches(&prop(RelOp::MEMBER_OF_DL, PropTag::SUBJECT, s("x")), &b));
}

#[test]
fn compare_properties() {
    let b = bag();
    let cp = |op, tag1, tag2| Restriction::CompareProperties { op, tag1, tag2 };
    let (dt, st) = (PropTag::MESSAGE_DELIVERY_TIME, PropTag::CLIENT_SUBMIT_TIME);
    assert!(matches(&cp(RelOp::GT, dt, st), &b));
    assert!(matches(&cp(RelOp::NE, dt, st), &b));
    assert!(!matches(&cp(RelOp::LE, dt, st), &b));
    assert!(matches(&cp(RelOp::EQ, dt, dt), &b));
    assert!(!matches(&cp(RelOp::EQ, dt, PropTag::BODY), &b), "missing side");
    assert!(!matches(&cp(RelOp::EQ, dt, PropTag::SUBJECT), &b), "incomparable types");
}

#[test]
fn bitmask_size_exist() {
    let b = bag();
    let bm = |op, mask| Restriction::Bitmask { op, tag: PropTag::MESSAGE_FLAGS, mask };
    assert!(matches(&bm(BitmapRelOp::NEZ, 0x01), &b));
    assert!(!matches(&bm(BitmapRelOp::EQZ, 0x01), &b));
    assert!(matches(&bm(BitmapRelOp::EQZ, 0x02), &b));
    assert!(!matches(&bm(BitmapRelOp::NEZ, 0x02), &b));
    assert!(matches(&bm(BitmapRelOp::NEZ, 0x20), &b));
    assert!(!matches(&Restriction::Bitmask { op: BitmapRelOp::EQZ, tag: PropTag::FLAG_STATUS, mask: 1 }, &b));

    // "Quarterly Report Q3" is 19 UTF-16 units + terminator = 40 bytes.
    let size = |op, size| Restriction::Size { op, tag: PropTag::SUBJECT, size };
    assert!(matches(&size(RelOp::EQ, 40), &b));
    assert!(matches(&size(RelOp::GT, 39), &b));
    assert!(matches(&size(RelOp::LT, 41), &b));
    assert!(!matches(&size(RelOp::NE, 40), &b));
    assert!(matches(&Restriction::Size { op: RelOp::EQ, tag: PropTag::SEARCH_KEY, size: 3 }, &b));
    assert!(matches(&Restriction::Size { op: RelOp::EQ, tag: PropTag::IMPORTANCE, size: 4 }, &b));
    assert!(!matches(&Restriction::Size { op: RelOp::GE, tag: PropTag::BODY, size: 0 }, &b));

    assert!(matches(&Restriction::Exist { tag: PropTag::SUBJECT }, &b));
    assert!(matches(&Restriction::Exist { tag: PropTag::SUBJECT.with_type(PropType::STRING8) }, &b), "by id");
    assert!(!matches(&Restriction::Exist { tag: PropTag::BODY }, &b));
}

#[test]
fn and_or_not_comment() {
    let b = bag();
    let yes = Restriction::Exist { tag: PropTag::SUBJECT };
    let no = Restriction::Exist { tag: PropTag::BODY };
    assert!(matches(&Restriction::And(vec![yes.clone(), yes.clone()]), &b));
    assert!(!matches(&Restriction::And(vec![yes.clone(), no.clone()]), &b));
    assert!(matches(&Restriction::And(vec![]), &b));
    assert!(matches(&Restriction::Or(vec![no.clone(), yes.clone()]), &b));
    assert!(!matches(&Restriction::Or(vec![no.clone(), no.clone()]), &b));
    assert!(!matches(&Restriction::Or(vec![]), &b));
    assert!(matches(&Restriction::Not(Box::new(no.clone())), &b));
    assert!(!matches(&Restriction::Not(Box::new(yes.clone())), &b));
    let c = |r: Option<Restriction>| Restriction::Comment {
        values: vec![tv(PropTag::COMMENT, s("note"))],
        restriction: r.map(Box::new),
    };
    assert!(matches(&c(None), &b));
    assert!(matches(&c(Some(yes)), &b));
    assert!(!matches(&c(Some(no)), &b));
}

#[test]
fn sub_object_over_recipients_and_attachments() {
    let m = MessageContent {
        props: bag(),
        recipients: vec![
            PropBag::from_pairs([
                (PropTag::SMTP_ADDRESS, s("bob@example.test")),
                (PropTag::RECIPIENT_TYPE, PropValue::I32(1)),
            ]),
            PropBag::from_pairs([
                (PropTag::SMTP_ADDRESS, s("carol@example.test")),
                (PropTag::RECIPIENT_TYPE, PropValue::I32(2)),
            ]),
        ],
        attachments: vec![Attachment {
            props: PropBag::from_pairs([(PropTag::ATTACH_LONG_FILENAME, s("data.csv"))]),
            embedded: None,
        }],
    };
    let sub = |kind, r| Restriction::SubObject { subobject: kind, restriction: Box::new(r) };
    let bob = content(FuzzyLevel::PREFIX, FuzzyLevel::IGNORE_CASE, PropTag::SMTP_ADDRESS, s("BOB@"));
    assert!(matches(&sub(PropTag::MESSAGE_RECIPIENTS, bob.clone()), &m));
    let cc_bob = Restriction::And(vec![bob.clone(), prop(RelOp::EQ, PropTag::RECIPIENT_TYPE, PropValue::I32(2))]);
    assert!(!matches(&sub(PropTag::MESSAGE_RECIPIENTS, cc_bob), &m), "one recipient must satisfy all");
    let csv = content(FuzzyLevel::SUBSTRING, 0, PropTag::ATTACH_LONG_FILENAME, s(".csv"));
    assert!(matches(&sub(PropTag::MESSAGE_ATTACHMENTS, csv.clone()), &m));
    assert!(!matches(&sub(PropTag::MESSAGE_RECIPIENTS, csv), &m));
    assert!(!matches(&sub(PropTag::MESSAGE_ATTACHMENTS, bob.clone()), &m));
    assert!(!matches(&sub(PropTag::SUBJECT, bob.clone()), &m), "unknown sub-object kind");
    // A bare bag has no sub-objects.
    assert!(!matches(&sub(PropTag::MESSAGE_RECIPIENTS, bob), &bag()));
}

#[test]
fn count_limits_matching_rows() {
    let rows: Vec<PropBag> =
        (0..5).map(|i| PropBag::from_pairs([(PropTag::IMPORTANCE, PropValue::I32(i % 2))])).collect();
    let odd = prop(RelOp::EQ, PropTag::IMPORTANCE, PropValue::I32(1));
    let r = Restriction::Count { count: 1, restriction: Box::new(odd.clone()) };
    let mut f = RowFilter::new(&r);
    let passed: Vec<bool> = rows.iter().map(|b| f.accept(b)).collect();
    assert_eq!(passed, [false, true, false, false, false]);
    let r2 = Restriction::Count { count: 5, restriction: Box::new(odd.clone()) };
    let mut f = RowFilter::new(&r2);
    assert_eq!(rows.iter().filter(|b| f.accept(*b)).count(), 2);
    // Single-row evaluation: the subrestriction decides; count 0 never passes.
    assert!(matches(&r, &rows[1]));
    assert!(!matches(&r, &rows[0]));
    assert!(!matches(&Restriction::Count { count: 0, restriction: Box::new(odd) }, &rows[1]));
}

#[test]
fn case_insensitive_string_order() {
    use std::cmp::Ordering;
    assert_eq!(compare_strings("apple", "Banana"), Ordering::Less);
    assert_eq!(compare_strings("ÄRGER", "ärger"), Ordering::Equal);
    assert_eq!(compare_strings("ab", "abc"), Ordering::Less);
    assert_eq!(compare_strings("B", "a"), Ordering::Greater);
}

mod laws {
    use proptest::prelude::*;

    use super::*;

    fn leaf() -> impl Strategy<Value = Restriction> {
        prop_oneof![
            (0i32..4).prop_map(|v| prop(RelOp::EQ, PropTag::IMPORTANCE, PropValue::I32(v))),
            (0i32..4).prop_map(|v| prop(RelOp::LT, PropTag::IMPORTANCE, PropValue::I32(v))),
            "[ab]{0,2}".prop_map(|p| content(FuzzyLevel::SUBSTRING, FuzzyLevel::IGNORE_CASE, PropTag::SUBJECT, s(&p))),
            Just(Restriction::Exist { tag: PropTag::BODY }),
            (0u32..4).prop_map(|m| Restriction::Bitmask { op: BitmapRelOp::NEZ, tag: PropTag::MESSAGE_FLAGS, mask: m }),
        ]
    }

    fn tree() -> impl Strategy<Value = Restriction> {
        leaf().prop_recursive(3, 16, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Restriction::And),
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Restriction::Or),
                inner.prop_map(|r| Restriction::Not(Box::new(r))),
            ]
        })
    }

    fn any_bag() -> impl Strategy<Value = PropBag> {
        (proptest::option::of(0i32..4), "[aAbB]{0,3}", any::<bool>(), 0i32..4).prop_map(|(imp, subj, body, flags)| {
            let mut b =
                PropBag::from_pairs([(PropTag::SUBJECT, s(&subj)), (PropTag::MESSAGE_FLAGS, PropValue::I32(flags))]);
            if let Some(i) = imp {
                b.set(PropTag::IMPORTANCE, PropValue::I32(i));
            }
            if body {
                b.set(PropTag::BODY, s("x"));
            }
            b
        })
    }

    proptest! {
        /// Not/And/Or obey Boolean algebra on any bag (De Morgan, double negation).
        #[test]
        fn boolean_laws(a in tree(), b in tree(), bag in any_bag()) {
            let not = |r: &Restriction| Restriction::Not(Box::new(r.clone()));
            let and = Restriction::And(vec![a.clone(), b.clone()]);
            let or = Restriction::Or(vec![a.clone(), b.clone()]);
            prop_assert_eq!(matches(&not(&not(&a)), &bag), matches(&a, &bag));
            prop_assert_eq!(matches(&not(&and), &bag), matches(&Restriction::Or(vec![not(&a), not(&b)]), &bag));
            prop_assert_eq!(matches(&not(&or), &bag), matches(&Restriction::And(vec![not(&a), not(&b)]), &bag));
            prop_assert_eq!(matches(&and, &bag), matches(&a, &bag) && matches(&b, &bag));
            // A restriction evaluates the same after a wire round trip.
            let mut w = Vec::new();
            a.encode_with(&mut w, mapi_wire::prop_value::PropContext::Rop).unwrap();
            let back = Restriction::decode_with(&mut mapi_wire::Reader::new(&w), mapi_wire::prop_value::PropContext::Rop).unwrap();
            prop_assert_eq!(matches(&back, &bag), matches(&a, &bag));
        }
    }
}
