use super::*;
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// The capture directories (gromox-3.10 and its -conversions sibling), or
/// none with a note when the shared captures are absent.
fn capture_dirs() -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = Vec::new();
    if let Some(d) = std::env::var_os("MAPI_CAPTURES") {
        roots.push(PathBuf::from(d));
    }
    roots.push(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/captures/gromox-3.10")));
    roots.push(PathBuf::from("/work/shared/captures/gromox-3.10"));
    let Some(root) = roots.into_iter().find(|p| p.is_dir()) else {
        eprintln!("note: gromox-3.10 captures not found; capture cross-check skipped");
        return Vec::new();
    };
    let mut dirs = vec![root.clone()];
    let conv = root.with_file_name("gromox-3.10-conversions");
    if conv.is_dir() {
        dirs.push(conv);
    }
    dirs
}

fn digest() -> Option<String> {
    [
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/specs/mapi-spec-digest.md"),
        "/work/shared/specs/mapi-spec-digest.md",
    ]
    .iter()
    .find_map(|p| std::fs::read_to_string(p).ok())
}

/// Every `0xIIIITTTT PidName` annotation in a text (the capture JSON form).
fn annotated_tags(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("0x") {
        rest = &rest[i + 2..];
        let (Some(hex), Some(tail)) = (rest.get(..8), rest.get(8..)) else { break };
        let Ok(tag) = u32::from_str_radix(hex, 16) else { continue };
        let Some(tail) = tail.strip_prefix(" Pid") else { continue };
        let name: String = tail.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        out.push((tag, format!("Pid{name}")));
    }
    out
}

/// The canonical name without its `PidTag`/`PidLid`/`PidName` prefix in
/// SCREAMING_SNAKE_CASE: a word starts at an upper-case letter after a
/// lower-case letter or digit, or before a lower-case letter.
fn screaming(canonical: &str) -> String {
    let s = ["PidTag", "PidLid", "PidName"].iter().find_map(|p| canonical.strip_prefix(p)).unwrap();
    let c: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, ch) in c.iter().enumerate() {
        if i > 0 && ch.is_ascii_uppercase() {
            let prev = c[i - 1];
            let next_lower = c.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase() || prev.is_ascii_digit() || (prev.is_ascii_uppercase() && next_lower) {
                out.push('_');
            }
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

#[test]
fn tag_table_is_sorted_without_duplicate_tags_or_names() {
    let tags = all_tags();
    assert!(tags.len() > 500, "catalogue unexpectedly small: {}", tags.len());
    for w in tags.windows(2) {
        assert!(
            w[0].0 < w[1].0,
            "not sorted or duplicate tag: {:?}/{} then {:?}/{}",
            w[0].0.0,
            w[0].1,
            w[1].0.0,
            w[1].1
        );
    }
    let mut names = HashMap::new();
    for (t, n) in tags {
        if let Some(prev) = names.insert(*n, *t) {
            panic!("{n} names both {:#010x} and {:#010x}", prev.0, t.0);
        }
    }
}

#[test]
fn names_follow_the_pid_convention_and_match_the_constants() {
    for (t, n) in all_tags() {
        let rest = n.strip_prefix("PidTag").unwrap_or_else(|| panic!("{n} lacks PidTag"));
        assert!(rest.starts_with(|c: char| c.is_ascii_uppercase() || c.is_ascii_digit()), "{n}");
        assert!(rest.chars().all(|c| c.is_ascii_alphanumeric()), "{n}");
        assert_eq!(by_name(n), Some(*t));
        assert_eq!(name_of(*t), Some(*n));
    }
    for (konst, n) in pid_tag::CONST_NAMES.iter().chain(pid_lid::CONST_NAMES) {
        assert_eq!(*konst, screaming(n), "constant for {n}");
    }
    for p in all_named() {
        let prefix = match p.kind {
            NamedKind::Id(_) => "PidLid",
            NamedKind::Name(_) => "PidName",
        };
        let rest = p.canonical.strip_prefix(prefix).unwrap_or_else(|| panic!("{} lacks {prefix}", p.canonical));
        assert!(rest.chars().all(|c| c.is_ascii_alphanumeric()) && !rest.is_empty(), "{}", p.canonical);
    }
}

#[test]
fn named_tables_are_unique_and_use_known_sets() {
    let mut keys = HashSet::new();
    let mut names = HashSet::new();
    for p in all_named() {
        assert!(set_name(p.set).is_some(), "{} in an unknown set {:?}", p.canonical, p.set);
        let key = match p.kind {
            NamedKind::Id(id) => (p.set, id, String::new()),
            NamedKind::Name(n) => (p.set, u32::MAX, n.to_ascii_lowercase()),
        };
        assert!(keys.insert(key), "duplicate (set, kind) for {}", p.canonical);
        assert!(names.insert(p.canonical), "duplicate canonical name {}", p.canonical);
        assert_eq!(named_by_canonical(p.canonical), Some(p));
        assert_eq!(named_of(p.set, p.kind), Some(p));
        if let NamedKind::Id(id) = p.kind {
            assert!(id < 0x1_0000, "{} LID {id:#x}", p.canonical);
        }
    }
    let mut set_guids = HashSet::new();
    for (g, n) in PROPERTY_SETS {
        assert!(set_guids.insert(*g), "duplicate set GUID {n}");
    }
}

#[test]
fn subject_debug_prints_its_canonical_name() {
    assert_eq!(format!("{:?}", PropTag::SUBJECT), "PidTagSubject(0x0037001f)");
    assert_eq!(format!("{:?}", PropTag(0x7FF0_0003)), "PropTag(0x7ff00003)");
    assert_eq!(PropTag::SUBJECT, PropTag::new(0x0037, PropType::STRING));
}

#[test]
fn string8_and_error_variants_find_the_property() {
    // PidTagMessageClass arrives as PtypString8 in FastTransfer streams (capture 046).
    assert_eq!(name_of(PropTag(0x001A_001E)), Some("PidTagMessageClass"));
    assert_eq!(name_of(PropTag(0x800F_101E)), Some("PidTagAddressBookProxyAddresses"));
    // Multi-value-instance column tags ([MS-OXCDATA] 2.11.1.2).
    assert_eq!(name_of(PropTag(0x3A1B_301F)), Some("PidTagBusiness2TelephoneNumbers"));
    assert_eq!(name_of(PropTag(0x36D8_3102)), Some("PidTagAdditionalRenEntryIds"));
    assert_eq!(name_of(PropTag(0x0037_201F)), None);
    // [MS-OXPROPS] types it PtypString8; the PtypString request works too.
    assert_eq!(name_of(PropTag(0x8006_001F)), Some("PidTagAddressBookHomeMessageDatabase"));
    // A missing value comes back as PtypErrorCode with the same id.
    let missing = PropTag::SUBJECT.with_type(PropType::ERROR_CODE);
    assert_eq!(name_of(missing), None);
    assert_eq!(name_of_id(missing.id()), Some("PidTagSubject"));
    assert_eq!(name_of_id(0x1013), Some("PidTagBodyHtml"));
    assert_eq!(name_of_id(0x3701), Some("PidTagAttachDataObject"));
    assert_eq!(name_of_id(0x7FF0), None);
    assert_eq!(by_name("PidTagNope"), None);
}

#[test]
fn capture_annotations_agree_with_the_catalogue() {
    // The capture tool labels 0x0E58 (PR_CREATOR_SID in gromox, no MS-OXPROPS
    // name) as PidTagCreatorEntryId, which is 0x3FF90102.
    const MISLABELLED: &[(u32, &str)] = &[(0x0E58_0102, "PidTagCreatorEntryId")];
    let mut checked = 0;
    let mut distinct = HashSet::new();
    for dir in capture_dirs() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for (tag, name) in annotated_tags(&text) {
                if MISLABELLED.contains(&(tag, name.as_str())) {
                    continue;
                }
                assert_eq!(name_of(PropTag(tag)), Some(name.as_str()), "{tag:#010x} in {}", f.display());
                checked += 1;
                distinct.insert(tag);
            }
        }
    }
    if checked > 0 {
        assert!(distinct.len() > 100, "only {} distinct tags found in the captures", distinct.len());
        assert_eq!(by_name("PidTagCreatorEntryId"), Some(PropTag(0x3FF9_0102)));
        assert_eq!(name_of(PropTag(0x0E58_0102)), None);
    }
}

#[test]
fn digest_property_tags_are_catalogued() {
    // Digest §5.1–§5.3 and §7.4 write full tags as `PidTagName IIIITTTT` or
    // `PidTagName 0xIIIITTTT`; abbreviated forms (`…EntryId 0C190102`) are
    // skipped here and covered by the captures.
    let Some(text) = digest() else {
        eprintln!("note: digest not found; skipped");
        return;
    };
    let mut seen = 0;
    for word in text.split([';', ',', '(', '\n', '/']) {
        let mut it = word.split_whitespace();
        while let Some(w) = it.next() {
            if !w.starts_with("PidTag") {
                continue;
            }
            let Some(hex) = it.clone().next() else { break };
            let hex = hex.trim_start_matches("0x").trim_end_matches(['.', ')']);
            let Ok(tag) = u32::from_str_radix(hex, 16) else { continue };
            if hex.len() != 8 {
                continue;
            }
            let name = w.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
            // Same name for the exact tag (string types interchangeable); the
            // digest also quotes NSPI's PtypEmbeddedTable form 0x8006000D of
            // the PtypString8 PidTagAddressBookHomeMessageDatabase.
            if PropTag(tag).prop_type() == PropType::OBJECT && name_of(PropTag(tag)).is_none() {
                assert_eq!(name_of_id((tag >> 16) as u16), Some(name), "digest {name} {hex}");
            } else {
                assert_eq!(name_of(PropTag(tag)), Some(name), "digest {name} {hex}");
            }
            seen += 1;
        }
    }
    assert!(seen > 100, "parsed only {seen} digest tags");
}

#[test]
fn digest_named_properties_are_catalogued() {
    use NamedKind::Id;
    let cases: &[(NamedProp, Guid, u32, PropType)] = &[
        (PidLid::APPOINTMENT_START_WHOLE, PSETID_APPOINTMENT, 0x820D, PropType::TIME),
        (PidLid::APPOINTMENT_END_WHOLE, PSETID_APPOINTMENT, 0x820E, PropType::TIME),
        (PidLid::APPOINTMENT_SUB_TYPE, PSETID_APPOINTMENT, 0x8215, PropType::BOOLEAN),
        (PidLid::LOCATION, PSETID_APPOINTMENT, 0x8208, PropType::STRING),
        (PidLid::BUSY_STATUS, PSETID_APPOINTMENT, 0x8205, PropType::INTEGER32),
        (PidLid::INTENDED_BUSY_STATUS, PSETID_APPOINTMENT, 0x8224, PropType::INTEGER32),
        (PidLid::RECURRING, PSETID_APPOINTMENT, 0x8223, PropType::BOOLEAN),
        (PidLid::APPOINTMENT_RECUR, PSETID_APPOINTMENT, 0x8216, PropType::BINARY),
        (PidLid::TIME_ZONE_STRUCT, PSETID_APPOINTMENT, 0x8233, PropType::BINARY),
        (PidLid::TIME_ZONE_DESCRIPTION, PSETID_APPOINTMENT, 0x8234, PropType::STRING),
        (PidLid::APPOINTMENT_TIME_ZONE_DEFINITION_START_DISPLAY, PSETID_APPOINTMENT, 0x825E, PropType::BINARY),
        (PidLid::APPOINTMENT_TIME_ZONE_DEFINITION_END_DISPLAY, PSETID_APPOINTMENT, 0x825F, PropType::BINARY),
        (PidLid::APPOINTMENT_TIME_ZONE_DEFINITION_RECUR, PSETID_APPOINTMENT, 0x8260, PropType::BINARY),
        (PidLid::RESPONSE_STATUS, PSETID_APPOINTMENT, 0x8218, PropType::INTEGER32),
        (PidLid::APPOINTMENT_STATE_FLAGS, PSETID_APPOINTMENT, 0x8217, PropType::INTEGER32),
        (PidLid::APPOINTMENT_SEQUENCE, PSETID_APPOINTMENT, 0x8201, PropType::INTEGER32),
        (PidLid::APPOINTMENT_DURATION, PSETID_APPOINTMENT, 0x8213, PropType::INTEGER32),
        (PidLid::CLIP_START, PSETID_APPOINTMENT, 0x8235, PropType::TIME),
        (PidLid::CLIP_END, PSETID_APPOINTMENT, 0x8236, PropType::TIME),
        (PidLid::ALL_ATTENDEES_STRING, PSETID_APPOINTMENT, 0x8238, PropType::STRING),
        (PidLid::APPOINTMENT_NOT_ALLOW_PROPOSE, PSETID_APPOINTMENT, 0x825A, PropType::BOOLEAN),
        (PidLid::GLOBAL_OBJECT_ID, PSETID_MEETING, 0x0003, PropType::BINARY),
        (PidLid::CLEAN_GLOBAL_OBJECT_ID, PSETID_MEETING, 0x0023, PropType::BINARY),
        (PidLid::MEETING_TYPE, PSETID_MEETING, 0x0026, PropType::INTEGER32),
        (PidLid::IS_RECURRING, PSETID_MEETING, 0x0005, PropType::BOOLEAN),
        (PidLid::WHERE, PSETID_MEETING, 0x0002, PropType::STRING),
        (PidLid::TIME_ZONE, PSETID_MEETING, 0x000C, PropType::INTEGER32),
        (PidLid::REMINDER_SET, PSETID_COMMON, 0x8503, PropType::BOOLEAN),
        (PidLid::REMINDER_DELTA, PSETID_COMMON, 0x8501, PropType::INTEGER32),
        (PidLid::REMINDER_TIME, PSETID_COMMON, 0x8502, PropType::TIME),
        (PidLid::REMINDER_SIGNAL_TIME, PSETID_COMMON, 0x8560, PropType::TIME),
        (PidLid::PRIVATE, PSETID_COMMON, 0x8506, PropType::BOOLEAN),
        (PidLid::COMMON_START, PSETID_COMMON, 0x8516, PropType::TIME),
        (PidLid::COMMON_END, PSETID_COMMON, 0x8517, PropType::TIME),
        (PidLid::TASK_MODE, PSETID_COMMON, 0x8518, PropType::INTEGER32),
        (PidLid::TO_DO_TITLE, PSETID_COMMON, 0x85A4, PropType::STRING),
        (PidLid::FLAG_REQUEST, PSETID_COMMON, 0x8530, PropType::STRING),
        (PidLid::SIDE_EFFECTS, PSETID_COMMON, 0x8510, PropType::INTEGER32),
        (PidLid::SMART_NO_ATTACH, PSETID_COMMON, 0x8514, PropType::BOOLEAN),
        (PidLid::FILE_UNDER, PSETID_ADDRESS, 0x8005, PropType::STRING),
        (PidLid::FILE_UNDER_ID, PSETID_ADDRESS, 0x8006, PropType::INTEGER32),
        (PidLid::EMAIL1_DISPLAY_NAME, PSETID_ADDRESS, 0x8080, PropType::STRING),
        (PidLid::EMAIL1_ADDRESS_TYPE, PSETID_ADDRESS, 0x8082, PropType::STRING),
        (PidLid::EMAIL1_EMAIL_ADDRESS, PSETID_ADDRESS, 0x8083, PropType::STRING),
        (PidLid::EMAIL1_ORIGINAL_DISPLAY_NAME, PSETID_ADDRESS, 0x8084, PropType::STRING),
        (PidLid::EMAIL1_ORIGINAL_ENTRY_ID, PSETID_ADDRESS, 0x8085, PropType::BINARY),
        (PidLid::EMAIL2_EMAIL_ADDRESS, PSETID_ADDRESS, 0x8093, PropType::STRING),
        (PidLid::EMAIL3_EMAIL_ADDRESS, PSETID_ADDRESS, 0x80A3, PropType::STRING),
        (PidLid::HOME_ADDRESS, PSETID_ADDRESS, 0x801A, PropType::STRING),
        (PidLid::WORK_ADDRESS, PSETID_ADDRESS, 0x801B, PropType::STRING),
        (PidLid::OTHER_ADDRESS, PSETID_ADDRESS, 0x801C, PropType::STRING),
        (PidLid::WORK_ADDRESS_STREET, PSETID_ADDRESS, 0x8045, PropType::STRING),
        (PidLid::WORK_ADDRESS_CITY, PSETID_ADDRESS, 0x8046, PropType::STRING),
        (PidLid::WORK_ADDRESS_STATE, PSETID_ADDRESS, 0x8047, PropType::STRING),
        (PidLid::WORK_ADDRESS_POSTAL_CODE, PSETID_ADDRESS, 0x8048, PropType::STRING),
        (PidLid::WORK_ADDRESS_COUNTRY, PSETID_ADDRESS, 0x8049, PropType::STRING),
        (PidLid::INSTANT_MESSAGING_ADDRESS, PSETID_ADDRESS, 0x8062, PropType::STRING),
        (PidLid::HTML, PSETID_ADDRESS, 0x802B, PropType::STRING),
        (PidLid::BIRTHDAY_LOCAL, PSETID_ADDRESS, 0x80DE, PropType::TIME),
        (PidLid::DISTRIBUTION_LIST_MEMBERS, PSETID_ADDRESS, 0x8055, PropType::MULTIPLE_BINARY),
        (PidLid::TASK_STATUS, PSETID_TASK, 0x8101, PropType::INTEGER32),
        (PidLid::PERCENT_COMPLETE, PSETID_TASK, 0x8102, PropType::FLOATING64),
        (PidLid::TASK_START_DATE, PSETID_TASK, 0x8104, PropType::TIME),
        (PidLid::TASK_DUE_DATE, PSETID_TASK, 0x8105, PropType::TIME),
        (PidLid::TASK_DATE_COMPLETED, PSETID_TASK, 0x810F, PropType::TIME),
        (PidLid::TASK_ACTUAL_EFFORT, PSETID_TASK, 0x8110, PropType::INTEGER32),
        (PidLid::TASK_ESTIMATED_EFFORT, PSETID_TASK, 0x8111, PropType::INTEGER32),
        (PidLid::TASK_RECURRENCE, PSETID_TASK, 0x8116, PropType::BINARY),
        (PidLid::TASK_F_RECURRING, PSETID_TASK, 0x8126, PropType::BOOLEAN),
        (PidLid::TASK_COMPLETE, PSETID_TASK, 0x811C, PropType::BOOLEAN),
        (PidLid::TASK_OWNER, PSETID_TASK, 0x811F, PropType::STRING),
        (PidLid::CATEGORIES, PS_PUBLIC_STRINGS, 0x2328, PropType::MULTIPLE_STRING),
    ];
    for (p, set, lid, ty) in cases {
        assert_eq!((p.set, p.kind, p.ty), (*set, Id(*lid), *ty), "{}", p.canonical);
        assert_eq!(named_of(*set, Id(*lid)).map(|q| q.canonical), Some(p.canonical));
    }
    assert_eq!(PidName::KEYWORDS.kind, NamedKind::Name("Keywords"));
    assert_eq!(named_of(PS_PUBLIC_STRINGS, NamedKind::Name("Keywords")), Some(&PidName::KEYWORDS));
    assert_eq!(named_of(PS_PUBLIC_STRINGS, NamedKind::Name("keywords")), None);
    // Internet header names are case-insensitive.
    assert_eq!(named_of(PS_INTERNET_HEADERS, NamedKind::Name("content-type")), Some(&PidName::CONTENT_TYPE));
    assert_eq!(named_by_canonical("PidLidAppointmentStartWhole"), Some(&PidLid::APPOINTMENT_START_WHOLE));
    assert_eq!(PidLid::APPOINTMENT_START_WHOLE.tag(0x8123), PropTag(0x8123_0040));
}

#[test]
fn set_guids_have_the_digest_wire_bytes() {
    // Digest §5.4: PSETID_Appointment is sent as 02 20 06 00 00 00 00 00 C0 00 00 00 00 00 00 46.
    assert_eq!(PSETID_APPOINTMENT.0, [0x02, 0x20, 0x06, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46]);
    let texts = [
        (PS_MAPI, "00020328-0000-0000-c000-000000000046"),
        (PS_PUBLIC_STRINGS, "00020329-0000-0000-c000-000000000046"),
        (PS_INTERNET_HEADERS, "00020386-0000-0000-c000-000000000046"),
        (PSETID_TASK, "00062003-0000-0000-c000-000000000046"),
        (PSETID_ADDRESS, "00062004-0000-0000-c000-000000000046"),
        (PSETID_COMMON, "00062008-0000-0000-c000-000000000046"),
        (PSETID_LOG, "0006200a-0000-0000-c000-000000000046"),
        (PSETID_NOTE, "0006200e-0000-0000-c000-000000000046"),
        (PSETID_SHARING, "00062040-0000-0000-c000-000000000046"),
        (PSETID_MEETING, "6ed8da90-450b-101b-98da-00aa003f1305"),
        (PSETID_MESSAGING, "41f28f13-83f4-4114-a584-eedb5a6b0bff"),
        (PSETID_CALENDAR_ASSISTANT, "11000e07-b51b-40d6-af21-caa85edab1d0"),
        (PSETID_UNIFIED_MESSAGING, "4442858e-a9e3-4e80-b900-317a210cc15b"),
        (PSETID_AIR_SYNC, "71035549-0739-4dcb-9163-00f0580dbbdf"),
    ];
    for (g, t) in texts {
        assert_eq!(g.to_string(), t);
        assert_eq!(Guid::parse(t), Some(g));
    }
    assert_eq!(set_name(PSETID_MEETING), Some("PSETID_Meeting"));
}

proptest! {
    #[test]
    fn lookups_never_panic_and_agree(raw in any::<u32>()) {
        let tag = PropTag(raw);
        if let Some(name) = name_of(tag) {
            let canonical = by_name(name).unwrap();
            prop_assert_eq!(canonical.id(), tag.id());
            let plain = if tag.prop_type().is_multi() { tag.with_type(tag.prop_type().without_instance()) } else { tag };
            prop_assert!(canonical == plain || other_string_type(plain) == Some(canonical));
            prop_assert!(name_of_id(tag.id()).is_some());
        }
    }

    #[test]
    fn catalogued_tags_and_their_string8_forms_resolve(i in 0usize..600) {
        if let Some((tag, name)) = all_tags().get(i) {
            prop_assert_eq!(name_of(*tag), Some(*name));
            if let Some(alt) = other_string_type(*tag) {
                prop_assert_eq!(name_of(alt), Some(*name));
            }
        }
    }
}

/// Captures 023 and 126 map (set, LID/name) to mailbox ids with
/// RopGetPropertyIdsFromNames; every `0xIIIITTTT named:0xIIII` annotation in
/// the captures then shows the type the server stores for that property.
#[test]
fn capture_named_property_types_agree_with_the_catalogue() {
    let dirs = capture_dirs();
    let Some(root) = dirs.first() else { return };
    let mut by_id: HashMap<u16, &'static NamedProp> = HashMap::new();
    for prefix in ["023-", "126-"] {
        let Some(path) = std::fs::read_dir(root).unwrap().map(|e| e.unwrap().path()).find(|p| {
            p.file_name().unwrap().to_string_lossy().starts_with(prefix) && p.to_string_lossy().ends_with(".json")
        }) else {
            continue;
        };
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let names = json["rops"][0]["PropertyNames"].as_array().unwrap();
        let ids =
            json["response_decoded"]["rpc_header_ext"][0]["decoded"]["responses"][0]["PropertyIds"].as_array().unwrap();
        assert_eq!(names.len(), ids.len(), "{}", path.display());
        for (name, id) in names.iter().zip(ids) {
            let set = Guid::parse(name["guid"].as_str().unwrap()).unwrap();
            let kind = match (name["lid"].as_str(), name["name"].as_str()) {
                (Some(lid), _) => NamedKind::Id(u32::from_str_radix(lid.trim_start_matches("0x"), 16).unwrap()),
                (None, Some(n)) => NamedKind::Name(n),
                _ => panic!("unexpected PropertyName {name}"),
            };
            let prop = named_of(set, kind).unwrap_or_else(|| panic!("{set:?} {kind:?} not catalogued"));
            let id = u16::from_str_radix(id.as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
            by_id.insert(id, prop);
        }
    }
    if by_id.is_empty() {
        return;
    }
    // Only alice's mailbox (the gromox-3.10 set): the ids are per mailbox,
    // and the -conversions set is another user's.
    let mut checked = 0;
    for dir in [root] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|x| x != "json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let mut rest = text.as_str();
            while let Some(i) = rest.find(" named:0x") {
                let hex = rest.get(i.saturating_sub(8)..i).unwrap_or("");
                rest = &rest[i + 1..];
                let Ok(tag) = u32::from_str_radix(hex, 16) else { continue };
                let tag = PropTag(tag);
                let Some(prop) = by_id.get(&tag.id()) else { continue };
                if tag.prop_type() == PropType::ERROR_CODE {
                    continue;
                }
                let ok = tag.prop_type() == prop.ty || other_string_type(tag) == Some(prop.tag(tag.id()));
                assert!(ok, "{} stored as {:#010x} in {}", prop.canonical, tag.0, path.display());
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "only {checked} named-property annotations matched");
}

#[test]
fn digest_abbreviated_tags_have_their_constants() {
    // Digest §5.1–§5.3 entries written in shortened form (`…EmailAddress
    // 0C1F001F`, `Display To/Cc/Bcc`), which the text scan above skips.
    let cases = [
        (PropTag::INST_ID, 0x674D_0014),
        (PropTag::INSTANCE_NUM, 0x674E_0003),
        (PropTag::PARENT_SOURCE_KEY, 0x65E1_0102),
        (PropTag::DELETED_COUNT_TOTAL, 0x670B_0003),
        (PropTag::MESSAGE_SIZE_EXTENDED, 0x0E08_0014),
        (PropTag::BODY_HTML, 0x1013_001F),
        (PropTag::HTML, 0x1013_0102),
        (PropTag::DISPLAY_TO, 0x0E04_001F),
        (PropTag::DISPLAY_CC, 0x0E03_001F),
        (PropTag::DISPLAY_BCC, 0x0E02_001F),
        (PropTag::SENDER_EMAIL_ADDRESS, 0x0C1F_001F),
        (PropTag::SENDER_ADDRESS_TYPE, 0x0C1E_001F),
        (PropTag::SENDER_ENTRY_ID, 0x0C19_0102),
        (PropTag::SENDER_SEARCH_KEY, 0x0C1D_0102),
        (PropTag::SENDER_SMTP_ADDRESS, 0x5D01_001F),
        (PropTag::SENT_REPRESENTING_EMAIL_ADDRESS, 0x0065_001F),
        (PropTag::SENT_REPRESENTING_ADDRESS_TYPE, 0x0064_001F),
        (PropTag::SENT_REPRESENTING_ENTRY_ID, 0x0041_0102),
        (PropTag::SENT_REPRESENTING_SEARCH_KEY, 0x003B_0102),
        (PropTag::SENT_REPRESENTING_SMTP_ADDRESS, 0x5D02_001F),
        (PropTag::ATTACH_DATA_OBJECT, 0x3701_000D),
        (PropTag::MESSAGE_ATTACHMENTS, 0x0E13_000D),
        (PropTag::PARENT_FOLDER_ID, 0x6749_0014),
        (PropTag::IPM_SUBTREE_ENTRY_ID, 0x35E0_0102),
        (PropTag::ADDITIONAL_REN_ENTRY_IDS_EX, 0x36D9_0102),
        (PropTag::FREE_BUSY_ENTRY_IDS, 0x36E4_1102),
        (PropTag::HOME_TELEPHONE_NUMBER, 0x3A09_001F),
        (PropTag::MOBILE_TELEPHONE_NUMBER, 0x3A1C_001F),
        (PropTag::PRIMARY_TELEPHONE_NUMBER, 0x3A1A_001F),
        (PropTag::ADDRESS_BOOK_HOME_MESSAGE_DATABASE, 0x8006_001E),
        (PropTag::ADDRESS_BOOK_PROXY_ADDRESSES, 0x800F_101F),
    ];
    for (konst, raw) in cases {
        assert_eq!(konst, PropTag(raw), "{konst:?}");
        assert!(name_of(konst).is_some());
    }
}
