//! The whole FastTransfer streams of captures 046, 047, 048 and 050
//! against their `.fxstream.json` (offsets, markers, tags, values).

use super::*;
use serde_json::Value;

const STREAMS: [&str; 4] = [
    "046-ics-contents-inbox-initial",
    "047-ics-gettransferstate",
    "048-ics-hierarchy-ipmsubtree",
    "050-ics-contents-inbox-incremental",
];

/// Loads a capture file, or `None` (with a note) when the captures are absent.
pub(super) use crate::testdata::capture;

fn stream(name: &str) -> Option<(Vec<u8>, Value)> {
    let bin = capture(&format!("{name}.fxstream.bin"))?;
    let json = capture(&format!("{name}.fxstream.json"))?;
    Some((bin, serde_json::from_slice(&json).unwrap()))
}

/// `FILETIME` as the JSON prints it: RFC 3339 UTC, microseconds when non-zero.
fn iso(t: FileTime) -> String {
    let secs = t.unix_seconds();
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let frac = t.subsecond_ticks();
    let frac = if frac == 0 { String::new() } else { format!(".{:06}", frac / 10) };
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{frac}Z", sod / 3600, sod / 60 % 60, sod % 60)
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect::<Vec<_>>().join(" ")
}

/// Asserts that one element equals one JSON atom.
fn check_atom(name: &str, off: usize, e: &FxElement, atom: &Value) {
    assert_eq!(off as u64, atom["off"].as_u64().unwrap(), "{name}: offset");
    if let Some(m) = atom.get("marker") {
        assert_eq!(e, &FxElement::Marker(Marker::from_name(m.as_str().unwrap()).unwrap()), "{name} @{off}");
        return;
    }
    let FxElement::Property(p) = e else { panic!("{name} @{off}: expected a property, got {e:?}") };
    let tag = atom["tag"].as_str().unwrap().split(' ').next().unwrap();
    assert_eq!(p.tag.0, u32::from_str_radix(tag.trim_start_matches("0x"), 16).unwrap(), "{name} @{off}: tag");
    assert!(p.name.is_none());
    let want = &atom["value"];
    let ctx = format!("{name} @{off} {tag}");
    match &p.value {
        PropValue::I32(v) if p.tag == meta::FX_DEL_PROP => {
            assert_eq!(want.as_str().unwrap(), format!("0x{:08X}", *v as u32), "{ctx}")
        }
        PropValue::I32(v) => assert_eq!(want.as_i64().unwrap(), i64::from(*v), "{ctx}"),
        PropValue::I64(v) => assert_eq!(want.as_u64().unwrap(), *v as u64, "{ctx}"),
        PropValue::Bool(v) => assert_eq!(want.as_bool().unwrap(), *v, "{ctx}"),
        PropValue::String(s) => assert_eq!(want.as_str().unwrap(), s, "{ctx}"),
        PropValue::String8(s) => assert_eq!(want.as_str().unwrap().as_bytes(), &s[..], "{ctx}"),
        PropValue::Time(t) => assert_eq!(want.as_str().unwrap(), iso(*t), "{ctx}"),
        PropValue::Binary(b) => {
            assert_eq!(want.as_str().unwrap(), hex_of(b), "{ctx}");
            if let Some(len) = atom.get("len") {
                assert_eq!(len.as_u64().unwrap(), b.len() as u64, "{ctx}");
            }
        }
        PropValue::MvBinary(v) => {
            let w: Vec<&str> = want.as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
            assert_eq!(w, v.iter().map(|b| hex_of(b)).collect::<Vec<_>>(), "{ctx}");
        }
        other => panic!("{ctx}: value {other:?} has no comparison"),
    }
}

fn check_all(name: &str, got: &[(usize, FxElement)], json: &Value) {
    let atoms = json["atoms"].as_array().unwrap();
    assert_eq!(got.len(), atoms.len(), "{name}: element count");
    for ((off, e), atom) in got.iter().zip(atoms) {
        check_atom(name, *off, e, atom);
    }
}

#[test]
fn capture_fxstreams_parse_into_the_listed_elements_whole_and_byte_by_byte() {
    for name in STREAMS {
        let Some((bin, json)) = stream(name) else { return };
        assert_eq!(bin.len() as u64, json["length"].as_u64().unwrap());
        let whole = read_stream(&bin).unwrap();
        check_all(name, &whole, &json);
        let cuts: Vec<usize> = (1..bin.len()).collect();
        let bytewise = read_split(&bin, &cuts, FxLimits::default()).unwrap();
        assert_eq!(bytewise, whole, "{name}: byte-by-byte");
        // Values delivered in pieces come out the same after reassembly.
        let pieces = read_split(&bin, &cuts, FxLimits { chunk_threshold: Some(64), ..FxLimits::default() }).unwrap();
        assert!(pieces.len() >= whole.len());
        assert_eq!(write_all(&pieces.into_iter().map(|(_, e)| e).collect::<Vec<_>>()), bin, "{name}: pieces");
    }
}

#[test]
fn capture_fxstreams_reencode_byte_identical() {
    for name in STREAMS {
        let Some((bin, _)) = stream(name) else { return };
        let elems: Vec<FxElement> = read_stream(&bin).unwrap().into_iter().map(|(_, e)| e).collect();
        assert_eq!(write_all(&elems), bin, "{name}");
        // And cut into GetBuffer-sized buffers by the writer side.
        let bufs: Vec<&[u8]> = split_buffers(&bin, 0x401).collect();
        assert_eq!(bufs.concat(), bin);
        assert!(bufs.iter().all(|b| b.len() <= 0x401));
    }
}

#[test]
fn capture_fxstreams_truncated_anywhere_fail_on_finish() {
    for name in STREAMS {
        let Some((bin, json)) = stream(name) else { return };
        let boundaries: Vec<usize> =
            json["atoms"].as_array().unwrap().iter().map(|a| a["off"].as_u64().unwrap() as usize).collect();
        for cut in (1..bin.len()).step_by(7) {
            let mut r = FxReader::new();
            r.push(&bin[..cut]);
            while r.next().unwrap().is_some() {}
            assert_eq!(r.finish().is_ok(), boundaries.contains(&cut), "{name}: cut at {cut}");
        }
    }
}

#[test]
fn capture_046_contents_sync_has_the_inbox_messages() {
    let Some((bin, _)) = stream(STREAMS[0]) else { return };
    let sync = ContentsSync::parse(&bin).unwrap();
    // Five mails in the Inbox plus the one delivered during recording.
    assert_eq!(sync.message_changes.len(), 6);
    let subjects: Vec<&PropValue> =
        sync.message_changes.iter().filter_map(|m| m.content.props.get(PropTag(0x0037_001F))).collect();
    assert!(subjects.contains(&&PropValue::String("HTML newsletter".into())));
    let first = &sync.message_changes[0];
    assert_eq!(first.mid(), Some(3298534883329));
    assert!(!first.associated());
    assert_eq!(first.source_key().map(<[u8]>::len), Some(22));
    assert_eq!(first.header.len(), 8, "SourceKey … ChangeNumber");
    assert_eq!(first.content.del_props, [meta::MESSAGE_RECIPIENTS, meta::MESSAGE_ATTACHMENTS]);
    assert!(sync.message_changes.iter().all(|m| m.content.recipients.len() == 1));
    let with_attachment: Vec<&Attachment> = sync.message_changes.iter().flat_map(|m| &m.content.attachments).collect();
    assert_eq!(with_attachment.len(), 1);
    assert_eq!(with_attachment[0].props.get(PropTag(0x3707_001F)), Some(&PropValue::String("data.csv".into())));
    assert!(sync.deletions.is_none() && sync.read_state_changes.is_none());
    let [given, seen, fai, read] = sync.state.idsets().unwrap();
    assert_eq!(given.unwrap().entries[0].1.len(), 6, "six MIDs given");
    assert!(seen.is_some() && fai.is_some() && read.is_some());
    let mut w = FxWriter::new();
    sync.write(&mut w).unwrap();
    assert_eq!(w.into_bytes(), bin, "the grammar writes the stream back byte for byte");
}

#[test]
fn capture_047_transfer_state_is_a_bare_state_element() {
    let Some((bin, _)) = stream(STREAMS[1]) else { return };
    let state = SyncState::parse(&bin).unwrap();
    assert_eq!(state.upload_list().len(), 4);
    assert_eq!(state.idset_given.as_ref().map(Vec::len), Some(29));
    assert!(ContentsSync::parse(&bin).is_err(), "no IncrSyncEnd in a transfer-state stream");
    let mut w = FxWriter::new();
    state.write(&mut w).unwrap();
    assert_eq!(w.into_bytes(), bin);
}

#[test]
fn capture_048_hierarchy_sync_has_19_folder_changes() {
    let Some((bin, _)) = stream(STREAMS[2]) else { return };
    let sync = HierarchySync::parse(&bin).unwrap();
    assert_eq!(sync.folder_changes.len(), 19);
    let mut keys_last = 0;
    for f in &sync.folder_changes {
        // Corrections B18: SourceKey then ParentSourceKey come after the
        // other properties — except on the Inbox, where the special-folder
        // entry IDs (PidTagIpm*EntryId, PidTagAdditionalRenEntryIds, …)
        // follow them. So look them up by tag, never by position.
        let tags: Vec<PropTag> = f.props.iter().map(|p| p.tag).collect();
        let sk = tags.iter().position(|t| *t == PropTag::SOURCE_KEY).unwrap();
        assert_eq!(tags.get(sk + 1), Some(&PropTag::PARENT_SOURCE_KEY));
        if sk + 2 == tags.len() {
            keys_last += 1;
        } else {
            assert_eq!(f.display_name(), Some("Inbox"));
        }
        assert_eq!(f.source_key().map(<[u8]>::len), Some(22));
        assert!(f.display_name().is_some());
    }
    assert_eq!(keys_last, 18);
    let direct = sync.folder_changes.iter().filter(|f| f.parent_source_key() == Some(&[][..])).count();
    assert!(direct > 0 && direct < 19, "direct children have an empty ParentSourceKey");
    assert!(sync.state.cnset_seen.is_some() && sync.state.cnset_read.is_none());
    let mut w = FxWriter::new();
    sync.write(&mut w).unwrap();
    assert_eq!(w.into_bytes(), bin);
}

#[test]
fn capture_050_incremental_sync_has_one_change_and_one_read_state_change() {
    let Some((bin, _)) = stream(STREAMS[3]) else { return };
    let sync = ContentsSync::parse(&bin).unwrap();
    assert_eq!(sync.message_changes.len(), 1);
    let read = sync.read_state_changes.as_ref().unwrap();
    let ids: Vec<u64> = read.read().unwrap().unwrap().ids().collect();
    assert_eq!(ids, [3298534883329]);
    assert!(read.unread().unwrap().is_none());
    assert!(sync.deletions.is_none());
    let mut w = FxWriter::new();
    sync.write(&mut w).unwrap();
    assert_eq!(w.into_bytes(), bin);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn capture_fxstreams_parse_identically_at_random_splits(
        which in 0usize..4,
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..40),
    ) {
        let Some((bin, json)) = stream(STREAMS[which]) else { return Ok(()) };
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(bin.len() + 1)).collect();
        cuts.sort_unstable();
        let got = read_split(&bin, &cuts, FxLimits::default()).unwrap();
        check_all(STREAMS[which], &got, &json);
    }
}
