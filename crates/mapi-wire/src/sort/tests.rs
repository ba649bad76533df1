use super::*;
use crate::prop_tag::PropType;
use proptest::prelude::*;

use crate::testdata::capture;

#[test]
fn capture_010_sort_table_by_delivery_time_descending() {
    let Some(json) = capture("010-execute-inbox-contents-sorted.json") else { return };
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let rop = v["rops"].as_array().unwrap().iter().find(|r| r["rop"].as_str().unwrap().contains("SortTable")).unwrap();
    let bytes = hex::decode(rop["bytes"].as_str().unwrap().replace(' ', "")).unwrap();
    // RopSortTable: RopId, LogonId, InputHandleIndex, SortTableFlags, SortOrderSet.
    let set = SortOrderSet::decode_exact(&bytes[4..]).unwrap();
    let want = SortOrderSet::new(vec![SortOrder {
        tag: PropTag::new(0x0E06, PropType::TIME), // PidTagMessageDeliveryTime
        order: SortDirection::DESCENDING,
    }]);
    assert_eq!(set, want);
    assert_eq!(want.to_bytes().unwrap(), &bytes[4..]);
}

#[test]
fn inconsistent_counts_are_refused() {
    // One order, two categories.
    let bytes = [1, 0, 2, 0, 0, 0, 0x40, 0, 0x06, 0x0E, 0];
    assert!(matches!(SortOrderSet::decode_exact(&bytes), Err(DecodeError::Invalid { .. })));
    let set = SortOrderSet {
        categorized: 1,
        expanded: 2,
        orders: vec![SortOrder { tag: PropTag(0x0037001F), order: SortDirection::ASCENDING }],
    };
    assert!(set.to_bytes().is_err());
    // A hostile count is refused before allocating.
    assert!(matches!(SortOrderSet::decode_exact(&[0xFF, 0xFF, 0, 0, 0, 0]), Err(DecodeError::Incomplete { .. })));
    assert_eq!(format!("{:?}", SortDirection(4)), "MaximumCategory");
    assert_eq!(format!("{:?}", SortDirection(9)), "SortDirection(0x9)");
}

fn arb_set() -> impl Strategy<Value = SortOrderSet> {
    proptest::collection::vec((any::<u32>(), any::<u8>()), 0..8)
        .prop_flat_map(|orders| {
            let n = orders.len() as u16;
            (Just(orders), 0..=n).prop_flat_map(|(orders, cat)| (Just(orders), Just(cat), 0..=cat))
        })
        .prop_map(|(orders, categorized, expanded)| SortOrderSet {
            categorized,
            expanded,
            orders: orders.into_iter().map(|(t, o)| SortOrder { tag: PropTag(t), order: SortDirection(o) }).collect(),
        })
}

proptest! {
    #[test]
    fn sort_order_set_round_trips(set in arb_set()) {
        let b = set.to_bytes().unwrap();
        prop_assert_eq!(b.len(), 6 + 5 * set.orders.len());
        prop_assert_eq!(SortOrderSet::decode_exact(&b).unwrap(), set);
    }

    #[test]
    fn sort_decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
        let _ = SortOrderSet::decode_exact(&bytes);
    }
}
