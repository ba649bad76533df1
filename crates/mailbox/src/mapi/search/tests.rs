use mapi_wire::PropTag;
use mapi_wire::prop_value::{FileTime, PropValue, TaggedValue};
use mapi_wire::restriction::{BitmapRelOp, FuzzyLevel, RelOp, Restriction};
use mapi_wire::tags::{NamedProp, PidName};
use state::{Uid, UidSet};

use super::*;
use crate::search::{SearchDate, SearchKey as K};

const KEYWORDS: PropTag = PidName::KEYWORDS.tag(0x8123);

fn resolve(p: &NamedProp) -> Option<PropTag> {
    (*p == PidName::KEYWORDS).then_some(KEYWORDS)
}

fn none(_: &NamedProp) -> Option<PropTag> {
    None
}

fn run(key: &K) -> SearchPlan {
    let map = CategoryMap::default();
    plan(key, &PlanOptions { categories: &map, resolve: &resolve, size_on_server: true })
}

fn substring(tag: PropTag, s: &str) -> Restriction {
    Restriction::Content {
        fuzzy: FuzzyLevel { low: FuzzyLevel::SUBSTRING, high: FuzzyLevel::IGNORE_CASE },
        tag,
        value: TaggedValue { tag, value: PropValue::String(s.into()) },
    }
}

fn prop(op: RelOp, tag: PropTag, value: PropValue) -> Restriction {
    Restriction::Property { op, tag, value: TaggedValue { tag, value } }
}

fn day(y: i32, m: u32, d: u32) -> SearchDate {
    SearchDate::new(y, m, d).expect("date")
}

#[test]
fn subject_and_from_are_substring_content_restrictions() {
    let p = run(&K::And(vec![K::Subject("report".into()), K::From("alice".into())]));
    assert_eq!(p.residual, None);
    assert_eq!(
        p.restriction,
        Some(Restriction::And(vec![
            substring(PropTag::SUBJECT, "report"),
            Restriction::Or(vec![
                substring(PropTag::SENT_REPRESENTING_NAME, "alice"),
                substring(PropTag::SENT_REPRESENTING_SMTP_ADDRESS, "alice"),
                substring(PropTag::SENT_REPRESENTING_EMAIL_ADDRESS, "alice"),
            ]),
        ]))
    );
}

#[test]
fn to_searches_the_recipient_table() {
    let p = run(&K::To("bob".into()));
    let Some(Restriction::SubObject { subobject, restriction }) = p.restriction else { panic!("{p:?}") };
    assert_eq!(subobject, PropTag::MESSAGE_RECIPIENTS);
    assert_eq!(
        *restriction,
        Restriction::And(vec![
            prop(RelOp::EQ, PropTag::RECIPIENT_TYPE, PropValue::I32(1)),
            Restriction::Or(vec![
                substring(PropTag::DISPLAY_NAME, "bob"),
                substring(PropTag::SMTP_ADDRESS, "bob"),
                substring(PropTag::EMAIL_ADDRESS, "bob"),
            ]),
        ])
    );
}

#[test]
fn flags_become_bitmask_and_property_restrictions() {
    let seen = Restriction::Bitmask { op: BitmapRelOp::NEZ, tag: PropTag::MESSAGE_FLAGS, mask: 1 };
    assert_eq!(run(&K::Seen).restriction, Some(seen.clone()));
    assert_eq!(run(&K::Unseen).restriction, Some(Restriction::Not(Box::new(seen))));
    assert_eq!(
        run(&K::Draft).restriction,
        Some(Restriction::Bitmask { op: BitmapRelOp::NEZ, tag: PropTag::MESSAGE_FLAGS, mask: 8 })
    );
    assert_eq!(run(&K::Flagged).restriction, Some(prop(RelOp::EQ, PropTag::FLAG_STATUS, PropValue::I32(2))));
    assert_eq!(
        run(&K::Answered).restriction,
        Some(Restriction::Or(vec![
            prop(RelOp::EQ, PropTag::LAST_VERB_EXECUTED, PropValue::I32(102)),
            prop(RelOp::EQ, PropTag::LAST_VERB_EXECUTED, PropValue::I32(103)),
            prop(RelOp::EQ, PropTag::ICON_INDEX, PropValue::I32(0x105)),
        ]))
    );
    assert_eq!(
        run(&K::Keyword("$Forwarded".into())).restriction,
        Some(Restriction::Or(vec![
            prop(RelOp::EQ, PropTag::LAST_VERB_EXECUTED, PropValue::I32(104)),
            prop(RelOp::EQ, PropTag::ICON_INDEX, PropValue::I32(0x106)),
        ]))
    );
}

#[test]
fn keywords_search_the_resolved_categories() {
    let p = run(&K::Keyword("$label1".into()));
    assert_eq!(
        p.restriction,
        Some(Restriction::Content {
            fuzzy: FuzzyLevel { low: FuzzyLevel::FULL_STRING, high: FuzzyLevel::IGNORE_CASE },
            tag: KEYWORDS,
            value: TaggedValue {
                tag: PropTag::new(0x8123, mapi_wire::PropType::STRING),
                value: PropValue::String("Important".into())
            },
        })
    );
    // Unresolvable: nothing to ask the server, evaluated locally.
    let map = CategoryMap::default();
    let p = plan(&K::Keyword("x".into()), &PlanOptions { categories: &map, resolve: &none, size_on_server: true });
    assert_eq!(p, SearchPlan { restriction: None, residual: Some(K::Keyword("x".into())) });
}

#[test]
fn dates_compare_delivery_and_submit_times_by_utc_day() {
    let d = day(2026, 11, 27);
    let start = FileTime::from_unix_seconds(1_795_737_600).expect("time");
    let next = FileTime::from_unix_seconds(1_795_737_600 + 86_400).expect("time");
    assert_eq!(
        run(&K::Before(d)).restriction,
        Some(prop(RelOp::LT, PropTag::MESSAGE_DELIVERY_TIME, PropValue::Time(start)))
    );
    assert_eq!(
        run(&K::SentSince(d)).restriction,
        Some(prop(RelOp::GE, PropTag::CLIENT_SUBMIT_TIME, PropValue::Time(start)))
    );
    assert_eq!(
        run(&K::On(d)).restriction,
        Some(Restriction::And(vec![
            prop(RelOp::GE, PropTag::MESSAGE_DELIVERY_TIME, PropValue::Time(start)),
            prop(RelOp::LT, PropTag::MESSAGE_DELIVERY_TIME, PropValue::Time(next)),
        ]))
    );
    assert_eq!(run(&K::Larger(1000)).restriction, Some(prop(RelOp::GT, PropTag::MESSAGE_SIZE, PropValue::I32(1000))));
}

#[test]
fn gateway_state_keys_go_to_the_residual() {
    let uids: UidSet = [Uid::new(3).expect("uid")].into_iter().collect();
    let p = run(&K::And(vec![K::Uid(uids.clone()), K::Seen, K::Deleted]));
    assert_eq!(
        p.restriction,
        Some(Restriction::Bitmask { op: BitmapRelOp::NEZ, tag: PropTag::MESSAGE_FLAGS, mask: 1 })
    );
    assert_eq!(p.residual, Some(K::And(vec![K::Uid(uids.clone()), K::Deleted])));
    // A mixed OR goes to the residual whole.
    let mixed = K::or(K::Uid(uids), K::From("bob".into()));
    assert_eq!(run(&mixed), SearchPlan { restriction: None, residual: Some(mixed.clone()) });
    // ALL asks nothing.
    assert_eq!(run(&K::All), SearchPlan { restriction: None, residual: None });
}

#[test]
fn header_is_prefiltered_on_the_transport_headers_and_checked_locally() {
    let key = K::Header("X-Spam".into(), "yes".into());
    let p = run(&key);
    let absent = Restriction::Not(Box::new(Restriction::Exist { tag: PropTag::TRANSPORT_MESSAGE_HEADERS }));
    assert_eq!(
        p.restriction,
        Some(Restriction::Or(vec![substring(PropTag::TRANSPORT_MESSAGE_HEADERS, "yes"), absent]))
    );
    assert_eq!(p.residual, Some(key));
    // Under NOT there is no prefilter.
    let neg = K::negate(K::Header("X-Spam".into(), "yes".into()));
    assert_eq!(run(&neg), SearchPlan { restriction: None, residual: Some(neg.clone()) });
}
