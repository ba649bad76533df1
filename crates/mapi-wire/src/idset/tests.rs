use super::*;
use proptest::prelude::*;

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

fn globset(bytes: &[u8]) -> GlobSet {
    let mut r = Reader::new(bytes);
    let g = GlobSet::decode(&mut r).unwrap();
    r.expect_end("GLOBSET").unwrap();
    g
}

fn ranges(g: &GlobSet) -> Vec<(u64, u64)> {
    g.ranges().iter().map(|r| (r.low, r.high)).collect()
}

fn encode_globset(g: &GlobSet) -> Vec<u8> {
    let mut w = Vec::new();
    g.encode(&mut w).unwrap();
    w
}

const REPLGUID: &str = "01 00 00 00 a5 18 7b 6f bc dc ea 1e d0 3c 56 57";

#[test]
fn tv13_spec_bitmask_example() {
    // [MS-OXCFXICS] 3.1.5.4.3.1.3: 42 01 EB -> {1–3, 5, 7–9}.
    let g = globset(&hex("05 00 00 00 00 00 42 01 EB 50 00"));
    assert_eq!(ranges(&g), [(1, 3), (5, 5), (7, 9)]);
    assert_eq!(g.len(), 7);
    assert!(g.contains(5) && !g.contains(4) && !g.contains(10));
}

#[test]
fn tv13_every_command_form() {
    let cases: &[(&str, &[(u64, u64)])] = &[
        ("05 00 00 00 00 00 52 01 05 50 00", &[(1, 5)]),
        ("52 00 00 00 00 00 01 00 00 00 00 00 05 00", &[(1, 5)]),
        ("06 00 00 00 00 00 2A 00", &[(0x2A, 0x2A)]),
        ("04 00 00 00 00 02 01 10 02 20 22 50 00", &[(0x110, 0x110), (0x2022, 0x2022)]),
        ("04 00 00 00 00 52 01 00 01 FF 02 03 00 50 00", &[(0x100, 0x1FF), (0x300, 0x300)]),
    ];
    for (bytes, want) in cases {
        assert_eq!(ranges(&globset(&hex(bytes))), *want, "{bytes}");
    }
}

#[test]
fn tv13_encoder_matches_gromox_forms() {
    // One range / one counter: the full 6-byte forms.
    assert_eq!(
        encode_globset(&GlobSet::from_ranges([GlobRange::new(1, 5)])),
        hex("52 00 00 00 00 00 01 00 00 00 00 00 05 00")
    );
    assert_eq!(encode_globset(&GlobSet::from_ranges([GlobRange::single(0x2A)])), hex("06 00 00 00 00 00 2A 00"));
    // The REPLID-form IDSET of TV-13 and corrections B20.
    let mut s = IdSet::new();
    s.insert(ReplKey::ReplId(1), 0x2A);
    assert_eq!(s.to_bytes().unwrap(), hex("01 00 06 00 00 00 00 00 2A 00"));
    assert_eq!(IdSet::decode(&hex("01 00 06 00 00 00 00 00 2A 00"), ReplForm::ReplId).unwrap(), s);
    assert_eq!(encode_globset(&GlobSet::new()), [0]);
}

#[test]
fn encoder_pushes_extra_shared_bytes_inside_a_range() {
    // Prefix shared by all: 4 bytes; the first range shares one more.
    let g = GlobSet::from_ranges([GlobRange::new(0x0102_0300, 0x0102_03FF), GlobRange::single(0x0102_0500)]);
    let bytes = encode_globset(&g);
    assert_eq!(bytes, hex("04 00 00 01 02 01 03 52 00 FF 50 02 05 00 50 00"));
    assert_eq!(globset(&bytes), g);
}

#[test]
fn malformed_globsets_are_refused() {
    let bad = [
        "",                                          // no End
        "05 00 00 00 00 00",                         // push then nothing
        "05 00 00 00 00 00 02 00 00 00",             // stack would exceed 6 bytes
        "04 00 00 00 00 42 01 EB 00",                // bitmask with 4 stacked bytes
        "52 00 00 00 00 00 05 00 00 00 00 00 01 00", // inverted range
        "07 00 00 00 00 00 00 00 00",                // unknown command
        "05 FF FF FF FF FF 42 FF 01 50 00",          // bitmask beyond 48 bits
    ];
    for b in bad {
        let bytes = hex(b);
        assert!(GlobSet::decode(&mut Reader::new(&bytes)).is_err(), "{b}");
    }
}

#[test]
fn capture_046_047_048_050_idsets_decode_and_reencode_byte_identical() {
    let mut seen = 0;
    for name in [
        "046-ics-contents-inbox-initial",
        "047-ics-gettransferstate",
        "048-ics-hierarchy-ipmsubtree",
        "050-ics-contents-inbox-incremental",
    ] {
        let Some(json) = capture(&format!("{name}.fxstream.json")) else { return };
        let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
        for atom in v["atoms"].as_array().unwrap() {
            let Some(want) = atom.get("idset") else { continue };
            let bytes = hex(atom["value"].as_str().unwrap());
            let tag = atom["tag"].as_str().unwrap();
            let form = if tag.contains("MetaTagIdsetRead") || tag.contains("Deleted") || tag.contains("Unread") {
                ReplForm::ReplId
            } else {
                ReplForm::ReplGuid
            };
            let set = IdSet::decode(&bytes, form).unwrap();
            let want = want.as_array().unwrap();
            assert_eq!(set.entries.len(), want.len(), "{name} {tag}");
            for ((key, g), w) in set.entries.iter().zip(want) {
                match key {
                    ReplKey::ReplId(id) => assert_eq!(u64::from(*id), w["repl"].as_u64().unwrap()),
                    ReplKey::ReplGuid(guid) => assert_eq!(guid.to_string(), w["repl"].as_str().unwrap()),
                }
                let want_ranges: Vec<(u64, u64)> = w["ranges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        let p = |i: usize| {
                            u64::from_str_radix(r[i].as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
                        };
                        (p(0), p(1))
                    })
                    .collect();
                assert_eq!(ranges(g), want_ranges, "{name} {tag}");
            }
            assert_eq!(set.to_bytes().unwrap(), bytes, "{name} {tag} re-encodes as gromox wrote it");
            seen += 1;
        }
    }
    assert_eq!(seen, 4 + 4 + 2 + 5);
}

#[test]
fn capture_050_read_state_list_names_the_new_mail() {
    let bytes = hex("01 00 06 00 00 00 03 00 00 00");
    let set = IdSet::decode(&bytes, ReplForm::ReplId).unwrap();
    // MID 3298534883329 = replid 1, counter 0x30000 (the first mail of 046).
    assert!(set.contains_id(3298534883329));
    assert_eq!(set.ids().collect::<Vec<_>>(), [3298534883329]);
    assert_eq!(split_id(3298534883329), (1, 0x30000));
    assert_eq!(make_id(1, 0x30000), 3298534883329);
    // The REPLGUID form of the state properties.
    let given =
        IdSet::decode(&hex(&format!("{REPLGUID} 05 00 00 00 03 00 52 00 04 01 09 50 00")), ReplForm::ReplGuid).unwrap();
    let g = Guid::parse("00000001-18a5-6f7b-bcdc-ea1ed03c5657").unwrap();
    assert!(given.contains(ReplKey::ReplGuid(g), 0x30009));
    assert!(!given.contains(ReplKey::ReplGuid(g), 0x30008));
}

#[test]
fn set_operations() {
    let mut s = IdSet::new();
    s.insert_range(ReplKey::ReplId(1), 10, 20);
    s.insert(ReplKey::ReplId(1), 21);
    s.insert(ReplKey::ReplId(2), 5);
    assert_eq!(ranges(s.globset(ReplKey::ReplId(1)).unwrap()), [(10, 21)]);
    s.remove(ReplKey::ReplId(1), 15);
    assert_eq!(ranges(s.globset(ReplKey::ReplId(1)).unwrap()), [(10, 14), (16, 21)]);
    s.remove(ReplKey::ReplId(2), 5);
    assert_eq!(s.entries.len(), 1, "empty entries disappear");
    let mut t = IdSet::new();
    t.insert_range(ReplKey::ReplId(1), 15, 15);
    t.insert(ReplKey::ReplId(0), 1);
    let u = s.union(&t);
    assert_eq!(u.entries[0].0, ReplKey::ReplId(0), "keys stay sorted");
    assert_eq!(ranges(u.globset(ReplKey::ReplId(1)).unwrap()), [(10, 21)]);
    let mut mixed = IdSet::new();
    mixed.insert(ReplKey::ReplId(1), 1);
    mixed.insert(ReplKey::ReplGuid(Guid::NIL), 1);
    assert!(mixed.to_bytes().is_err(), "mixed key forms cannot be encoded");
    assert!(GlobSet::from_ranges([GlobRange::single(MAX_GLOBCNT + 1)]).encode(&mut Vec::new()).is_err());
}

fn arb_globset() -> impl Strategy<Value = GlobSet> {
    let counter = prop_oneof![0u64..300, 0u64..=MAX_GLOBCNT, (MAX_GLOBCNT - 300)..=MAX_GLOBCNT];
    prop::collection::vec((counter, 0u64..40), 0..12)
        .prop_map(|v| GlobSet::from_ranges(v.into_iter().map(|(lo, n)| GlobRange::new(lo, (lo + n).min(MAX_GLOBCNT)))))
}

fn arb_idset() -> impl Strategy<Value = IdSet> {
    prop_oneof![
        prop::collection::vec((0u16..4, arb_globset()), 0..4)
            .prop_map(|v| IdSet::from_entries(v.into_iter().map(|(k, g)| (ReplKey::ReplId(k), g)))),
        prop::collection::vec((0u8..4, arb_globset()), 0..4)
            .prop_map(|v| IdSet::from_entries(v.into_iter().map(|(k, g)| (ReplKey::ReplGuid(Guid([k; 16])), g)))),
    ]
}

proptest! {
    #[test]
    fn globset_round_trips(g in arb_globset()) {
        let bytes = encode_globset(&g);
        prop_assert_eq!(globset(&bytes), g);
    }

    #[test]
    fn idset_round_trips(s in arb_idset()) {
        let bytes = s.to_bytes().unwrap();
        let form = s.form().unwrap_or(ReplForm::ReplId);
        prop_assert_eq!(IdSet::decode(&bytes, form).unwrap(), s);
    }

    #[test]
    fn insert_and_remove_agree_with_a_model(ops in prop::collection::vec((any::<bool>(), 0u64..64, 0u64..6), 0..40)) {
        let mut g = GlobSet::new();
        let mut model = std::collections::BTreeSet::new();
        for (add, lo, n) in ops {
            if add { g.insert_range(lo, lo + n); model.extend(lo..=lo + n); }
            else { g.remove_range(lo, lo + n); for v in lo..=lo + n { model.remove(&v); } }
        }
        prop_assert_eq!(g.clone(), GlobSet::from_ranges(model.iter().map(|&v| GlobRange::single(v))));
        for v in 0..80 { prop_assert_eq!(g.contains(v), model.contains(&v)); }
    }

    #[test]
    fn decoder_never_panics_and_stays_bounded(bytes in prop::collection::vec(any::<u8>(), 0..200), guid in any::<bool>()) {
        let form = if guid { ReplForm::ReplGuid } else { ReplForm::ReplId };
        if let Ok(s) = IdSet::decode(&bytes, form) {
            let n: usize = s.entries.iter().map(|(_, g)| g.ranges().len()).sum();
            prop_assert!(n <= 2 * bytes.len());
            // Whatever decodes re-encodes and decodes to the same set.
            let again = s.to_bytes().unwrap();
            prop_assert_eq!(IdSet::decode(&again, form).unwrap(), s);
        }
        let _ = GlobSet::decode(&mut Reader::new(&bytes));
    }
}

use crate::testdata::capture;
