use super::*;
use crate::guid::Guid;
use crate::prop_tag::PropType;
use crate::prop_value::FileTime;
use proptest::prelude::*;

mod captures;
mod grammar;

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

fn elements(bytes: &[u8]) -> Vec<FxElement> {
    read_stream(bytes).unwrap().into_iter().map(|(_, e)| e).collect()
}

fn write_all(elems: &[FxElement]) -> Vec<u8> {
    let mut w = FxWriter::new();
    for e in elems {
        w.element(e).unwrap();
    }
    w.into_bytes()
}

/// Feeds `bytes` cut at `cuts` and collects (offset, element).
fn read_split(bytes: &[u8], cuts: &[usize], limits: FxLimits) -> Result<Vec<(usize, FxElement)>, DecodeError> {
    let mut r = FxReader::with_limits(limits);
    let mut out = Vec::new();
    let mut from = 0;
    for &c in cuts.iter().chain(std::iter::once(&bytes.len())) {
        let c = c.clamp(from, bytes.len());
        r.push(&bytes[from..c]);
        from = c;
        while let Some(e) = r.next_at()? {
            out.push(e);
        }
    }
    r.finish()?;
    Ok(out)
}

const PS_PUBLIC_STRINGS: &str = "00020329-0000-0000-c000-000000000046";
const PSETID_APPOINTMENT: &str = "00062002-0000-0000-c000-000000000046";

#[test]
fn tv14_snippets() {
    assert_eq!(elements(&hex("03 00 12 40")), [FxElement::Marker(Marker::INCR_SYNC_CHG)]);
    let subject = FxProperty::new(PropTag(0x0037_001F), PropValue::String("Hi".into()));
    assert_eq!(elements(&hex("1F 00 37 00 06 00 00 00 48 00 69 00 00 00")), [FxElement::Property(subject.clone())]);
    let assoc = FxProperty::new(PropTag(0x67AA_000B), PropValue::Bool(false));
    assert_eq!(elements(&hex("0B 00 AA 67 00 00")), [FxElement::Property(assoc.clone())]);
    let sk = FxProperty::new(PropTag(0x65E0_0102), PropValue::Binary(vec![1, 2, 3]));
    assert_eq!(elements(&hex("02 01 E0 65 03 00 00 00 01 02 03")), [FxElement::Property(sk.clone())]);
    for (p, bytes) in [
        (&subject, "1F 00 37 00 06 00 00 00 48 00 69 00 00 00"),
        (&assoc, "0B 00 AA 67 00 00"),
        (&sk, "02 01 E0 65 03 00 00 00 01 02 03"),
    ] {
        let mut w = FxWriter::new();
        w.property(p).unwrap();
        assert_eq!(w.into_bytes(), hex(bytes));
    }
}

#[test]
fn tv14_named_properties_carry_their_name_inline() {
    let ft = "00 80 3E D5 DE B1 9D 01";
    let bytes = hex(&format!("40 00 01 80 02 20 06 00 00 00 00 00 C0 00 00 00 00 00 00 46 00 0D 82 00 00 {ft}"));
    let want = FxProperty {
        tag: PropTag(0x8001_0040),
        name: Some(PropertyName::Id { guid: Guid::parse(PSETID_APPOINTMENT).unwrap(), lid: 0x820D }),
        value: PropValue::Time(FileTime(u64::from_le_bytes(hex(ft).try_into().unwrap()))),
    };
    assert_eq!(elements(&bytes), [FxElement::Property(want.clone())]);
    assert_eq!(write_all(&[FxElement::Property(want)]), bytes);

    let bytes = hex(
        "1F 10 02 80 29 03 02 00 00 00 00 00 C0 00 00 00 00 00 00 46 01 4B 00 65 00 79 00 77 00 6F 00 72 00 64 00 73 \
         00 00 00 01 00 00 00 08 00 00 00 52 00 65 00 64 00 00 00",
    );
    let want = FxProperty {
        tag: PropTag(0x8002_101F),
        name: Some(PropertyName::Name { guid: Guid::parse(PS_PUBLIC_STRINGS).unwrap(), name: "Keywords".into() }),
        value: PropValue::MvString(vec!["Red".into()]),
    };
    assert_eq!(elements(&bytes), [FxElement::Property(want.clone())]);
    assert_eq!(write_all(&[FxElement::Property(want)]), bytes);
}

#[test]
fn tv14_deletions_and_state_parse_into_the_grammar() {
    let replguid = "01 00 00 00 a5 18 7b 6f bc dc ea 1e d0 3c 56 57";
    let stream = hex(&format!(
        "03 00 13 40 02 01 E5 67 0A 00 00 00 01 00 06 00 00 00 00 00 2A 00 \
         03 00 3A 40 03 00 17 40 1B 00 00 00 {replguid} 05 00 00 00 00 00 52 01 05 50 00 \
         02 01 96 67 00 00 00 00 03 00 3B 40 03 00 14 40"
    ));
    let sync = HierarchySync::parse(&stream).unwrap();
    assert!(sync.folder_changes.is_empty());
    let deleted = sync.deletions.as_ref().unwrap().deleted().unwrap().unwrap();
    assert_eq!(deleted.ids().collect::<Vec<_>>(), [crate::idset::make_id(1, 0x2A)]);
    let [given, seen, fai, read] = sync.state.idsets().unwrap();
    let given = given.unwrap();
    assert_eq!(given.entries[0].1.ranges(), [crate::idset::GlobRange::new(1, 5)]);
    assert!(seen.unwrap().is_empty());
    assert!(fai.is_none() && read.is_none());
    // The IdsetGiven tag keeps its wire type 0x0003 and is uploaded under it.
    assert_eq!(sync.state.upload_list()[0].0, meta::IDSET_GIVEN);
    let mut w = FxWriter::new();
    sync.write(&mut w).unwrap();
    assert_eq!(w.into_bytes(), stream);
}

#[test]
fn code_page_strings_object_values_and_unknown_meta_tags() {
    // 0x84B0: code page 1200 (UTF-16); 0x84E4: code page 1252.
    let bytes = hex("B0 84 37 00 06 00 00 00 48 00 69 00 00 00 E4 84 37 00 03 00 00 00 48 69 00");
    let e = elements(&bytes);
    assert_eq!(e[0], FxElement::Property(FxProperty::new(PropTag(0x0037_84B0), PropValue::String("Hi".into()))));
    assert_eq!(e[1], FxElement::Property(FxProperty::new(PropTag(0x0037_84E4), PropValue::String8(b"Hi".to_vec()))));
    assert_eq!(write_all(&e), bytes);
    assert_eq!(code_page(PropType(0x84E4)), Some(1252));
    // PtypObject: a length-prefixed blob.
    let bytes = hex("0D 00 01 37 02 00 00 00 AB CD");
    assert_eq!(
        elements(&bytes),
        [FxElement::Property(FxProperty::new(PropTag(0x3701_000D), PropValue::Binary(vec![0xAB, 0xCD])))]
    );
    // An unknown 0x40xx tag is a property, not a marker.
    let bytes = hex("03 00 99 40 07 00 00 00");
    assert_eq!(elements(&bytes), [FxElement::Property(FxProperty::new(PropTag(0x4099_0003), PropValue::I32(7)))]);
    assert!(Marker::is_marker(0x4074_000B) && !Marker::is_marker(0x4099_0003));
    assert_eq!(format!("{:?}", Marker::INCR_SYNC_GROUP_INFO), "IncrSyncGroupInfo");
}

#[test]
fn writer_refuses_what_the_reader_could_not_read_back() {
    let mut w = FxWriter::new();
    assert!(w.prop(PropTag(0x8001_0003), PropValue::I32(1)).is_err(), "named id without a name");
    assert!(w.prop(PropTag(0x4012_0003), PropValue::I32(1)).is_err(), "marker tag");
    assert!(w.prop(PropTag(0x0037_001F), PropValue::I32(1)).is_err(), "type mismatch");
    assert!(
        w.prop(
            PropTag(0x0037_00FD),
            PropValue::Restriction(Box::new(crate::restriction::Restriction::Exist { tag: PropTag(0x0037_001F) }))
        )
        .is_err(),
        "no FX form"
    );
    assert!(w.is_empty(), "failed writes leave nothing behind");
    w.value_start(PropTag(0x3701_0102), None, 3).unwrap();
    assert!(w.value_chunk(&[1, 2, 3, 4]).is_err());
    w.value_chunk(&[1, 2]).unwrap();
    assert!(w.element(&FxElement::ValueEnd).is_err());
    w.value_chunk(&[3]).unwrap();
    w.element(&FxElement::ValueEnd).unwrap();
    assert_eq!(w.take_buffer(5), hex("02 01 01 37 03"));
    assert_eq!(w.take_buffer(100), hex("00 00 00 01 02 03"));
}

#[test]
fn limits_refuse_hostile_lengths_before_buffering() {
    let limits = FxLimits { max_value_len: 16, ..FxLimits::default() };
    // A 4 GiB binary announced in the first 8 bytes.
    let mut r = FxReader::with_limits(limits);
    r.push(&hex("02 01 E0 65 FF FF FF FF"));
    assert!(matches!(r.next(), Err(DecodeError::TooLarge { offset: 4, .. })));
    assert!(r.next().is_err(), "errors are sticky");
    // MV count and the sum of MV elements.
    assert!(matches!(read_stream(&hex("02 11 01 00 FF FF FF FF")), Err(DecodeError::TooLarge { .. })));
    let mv = hex("02 11 01 00 02 00 00 00 0A 00 00 00 00 00 00 00 00 00 00 00 00 00 0A 00 00 00");
    assert!(matches!(read_stream_with(&mv, limits), Err(DecodeError::TooLarge { .. })));
    // A name that never ends.
    let mut r = FxReader::with_limits(FxLimits { max_name_len: 8, ..FxLimits::default() });
    r.push(&hex("03 00 01 80 29 03 02 00 00 00 00 00 C0 00 00 00 00 00 00 46 01 41 00 41 00 41 00 41 00 41 00"));
    assert!(matches!(r.next(), Err(DecodeError::TooLarge { .. })));
}

#[test]
fn finish_reports_a_partial_element() {
    let mut r = FxReader::new();
    r.push(&hex("1F 00 37 00 06 00 00 00 48 00"));
    assert_eq!(r.next().unwrap(), None);
    assert!(matches!(r.finish(), Err(DecodeError::Incomplete { offset: 0, .. })));
    r.push(&hex("69 00 00 00"));
    assert!(r.next().unwrap().is_some());
    assert_eq!(r.finish(), Ok(()));
    assert_eq!(r.offset(), 14);
    // Malformed: unknown type and bad name kind.
    assert!(matches!(read_stream(&hex("99 00 37 00")), Err(DecodeError::Unsupported { .. })));
    assert!(read_stream(&hex("03 00 01 80 29 03 02 00 00 00 00 00 C0 00 00 00 00 00 00 46 07 00 00 00 00")).is_err());
}

#[test]
fn long_values_stream_in_pieces() {
    let limits = FxLimits { chunk_threshold: Some(4), ..FxLimits::default() };
    let mut w = FxWriter::new();
    w.prop(PropTag(0x3701_0102), PropValue::Binary((0..10).collect())).unwrap();
    w.prop(PropTag(0x0037_001F), PropValue::String("x".into())).unwrap();
    w.marker(Marker::INCR_SYNC_END);
    let bytes = w.into_bytes();
    let cuts: Vec<usize> = (1..bytes.len()).step_by(3).collect();
    let got = read_split(&bytes, &cuts, limits).unwrap();
    assert!(matches!(got[0].1, FxElement::ValueStart { len: 10, .. }));
    let data: Vec<u8> = got
        .iter()
        .filter_map(|(_, e)| match e {
            FxElement::ValueChunk(c) => Some(c.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(data, (0..10).collect::<Vec<u8>>());
    let elems: Vec<FxElement> = got.into_iter().map(|(_, e)| e).collect();
    assert_eq!(write_all(&elems), bytes, "pieces re-encode to the same bytes");
    // The grammar cursor reassembles pieces; an unfinished piece fails finish().
    let mut r = FxReader::with_limits(limits);
    r.push(&bytes[..12]);
    while r.next().unwrap().is_some() {}
    assert!(r.finish().is_err());
}

fn arb_value() -> impl Strategy<Value = (u16, PropValue)> {
    prop_oneof![
        any::<i16>().prop_map(|v| (0x0002, PropValue::I16(v))),
        any::<i32>().prop_map(|v| (0x0003, PropValue::I32(v))),
        any::<i64>().prop_map(|v| (0x0014, PropValue::I64(v))),
        any::<bool>().prop_map(|v| (0x000B, PropValue::Bool(v))),
        any::<u64>().prop_map(|v| (0x0040, PropValue::Time(FileTime(v)))),
        any::<[u8; 16]>().prop_map(|v| (0x0048, PropValue::Guid(Guid(v)))),
        "[a-zA-Z0-9 äöü✉]{0,20}".prop_map(|s| (0x001F, PropValue::String(s))),
        prop::collection::vec(1u8..=255, 0..20).prop_map(|s| (0x001E, PropValue::String8(s))),
        prop::collection::vec(any::<u8>(), 0..40).prop_map(|b| (0x0102, PropValue::Binary(b))),
        prop::collection::vec(any::<i32>(), 0..5).prop_map(|v| (0x1003, PropValue::MvI32(v))),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..8), 0..4)
            .prop_map(|v| (0x1102, PropValue::MvBinary(v))),
        prop::collection::vec("[a-z]{0,6}", 0..4).prop_map(|v| (0x101F, PropValue::MvString(v))),
    ]
}

fn arb_element() -> impl Strategy<Value = FxElement> {
    let name = prop_oneof![
        (any::<[u8; 16]>(), any::<u32>()).prop_map(|(g, lid)| PropertyName::Id { guid: Guid(g), lid }),
        (any::<[u8; 16]>(), "[A-Za-z]{1,12}").prop_map(|(g, name)| PropertyName::Name { guid: Guid(g), name }),
    ];
    prop_oneof![
        prop::sample::select(Marker::KNOWN).prop_map(FxElement::Marker),
        (0x0001u16..0x3FFF, arb_value())
            .prop_map(|(id, (ty, v))| FxElement::Property(FxProperty::new(PropTag::new(id, PropType(ty)), v))),
        (0x8000u16..=0xFFFE, name, arb_value()).prop_map(|(id, n, (ty, v))| FxElement::Property(FxProperty {
            tag: PropTag::new(id, PropType(ty)),
            name: Some(n),
            value: v
        })),
        prop::collection::vec(any::<u8>(), 0..30)
            .prop_map(|b| FxElement::Property(FxProperty::new(meta::IDSET_GIVEN, PropValue::Binary(b)))),
    ]
}

proptest! {
    #[test]
    fn element_streams_round_trip_at_any_split(
        elems in prop::collection::vec(arb_element(), 0..20),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let bytes = write_all(&elems);
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
        cuts.sort_unstable();
        let got = read_split(&bytes, &cuts, FxLimits::default()).unwrap();
        prop_assert_eq!(got.into_iter().map(|(_, e)| e).collect::<Vec<_>>(), elems);
    }

    #[test]
    fn reader_never_panics_and_buffers_at_most_its_input(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
        step in 1usize..20,
    ) {
        let mut r = FxReader::with_limits(FxLimits { chunk_threshold: Some(16), ..FxLimits::default() });
        for chunk in split_buffers(&bytes, step) {
            r.push(chunk);
            while let Ok(Some(_)) = r.next() {}
            prop_assert!(r.buffered() <= bytes.len());
        }
        let _ = r.finish();
    }
}

#[test]
fn big_multi_valued_values_are_framed_in_linear_time() {
    // 100 000 empty binaries (400 KB of lengths) fed in 64-byte buffers:
    // each buffer resumes where the last scan stopped instead of rescanning.
    let v = PropValue::MvBinary(vec![Vec::new(); 100_000]);
    let mut w = FxWriter::new();
    w.prop(PropTag(0x0001_1102), v.clone()).unwrap();
    let bytes = w.into_bytes();
    let mut r = FxReader::new();
    let mut got = Vec::new();
    let started = std::time::Instant::now();
    for b in split_buffers(&bytes, 64) {
        r.push(b);
        while let Some(e) = r.next().unwrap() {
            got.push(e);
        }
    }
    r.finish().unwrap();
    assert_eq!(got, [FxElement::Property(FxProperty::new(PropTag(0x0001_1102), v))]);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}
