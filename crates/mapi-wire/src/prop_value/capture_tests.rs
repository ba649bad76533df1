//! Known answers from the gromox 3.10 captures: ROP-context values (014, 010,
//! 015, 019, 023, 025, 027, 029, 125, 126, 127), FastTransfer values (046,
//! 048, 050) and address book values (093, 094,
//! 104, 131). Each test decodes the server's bytes, checks the values
//! against the capture's decoded JSON and re-encodes them byte for byte.

use super::*;
use crate::codec::{Decode, Encode};
use crate::named::PropertyName;
use crate::prop_tag::PropTag;
use serde_json::Value;
use std::path::PathBuf;

/// The captures directory (always present: the captures are vendored).
fn capture_dir() -> Option<PathBuf> {
    Some(crate::testdata::capture_dir())
}

/// The JSON and the response body of capture `name` (e.g. `"014-execute-openmessage-html-getpropertiesall"`).
fn capture_file(name: &str) -> Option<Vec<u8>> {
    crate::testdata::capture(name)
}

fn capture(name: &str) -> Option<(Value, Vec<u8>)> {
    let dir = capture_dir()?;
    let json = std::fs::read(dir.join(format!("{name}.json"))).ok()?;
    let resp = std::fs::read(dir.join(format!("{name}.resp.bin"))).ok()?;
    Some((serde_json::from_slice(&json).unwrap(), resp))
}

fn hex_bytes(s: &str) -> Vec<u8> {
    hex::decode(s.split_whitespace().collect::<String>()).unwrap()
}

/// The binary body after the `DONE` meta-tag block.
fn body(resp: &[u8]) -> &[u8] {
    let done = resp.windows(6).position(|w| w == b"DONE\r\n").unwrap();
    let end = resp[done..].windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    &resp[done + end + 4..]
}

/// The exact bytes of a ROP response whose `rop` field starts with `prefix`.
/// Per-ROP hex in the JSON is cut after 1024 bytes (`...(N bytes)`); the
/// full bytes are then taken from the (uncompressed) response body.
fn rop_response(json: &Value, resp: &[u8], prefix: &str) -> Vec<u8> {
    let r = json["response_decoded"]["rpc_header_ext"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| h["decoded"]["responses"].as_array().unwrap())
        .find(|r| r["rop"].as_str().unwrap().starts_with(prefix))
        .unwrap();
    let text = r["bytes"].as_str().unwrap();
    match text.split_once("...(") {
        None => hex_bytes(text),
        Some((head, tail)) => {
            let total: usize = tail.trim_end_matches(" bytes)").parse().unwrap();
            let head = hex_bytes(head);
            let at = resp.windows(head.len()).position(|w| w == head.as_slice()).unwrap();
            resp[at..at + total].to_vec()
        }
    }
}

fn rop_request(json: &Value, prefix: &str) -> Vec<u8> {
    let r = json["rops"].as_array().unwrap().iter().find(|r| r["rop"].as_str().unwrap().starts_with(prefix)).unwrap();
    hex_bytes(r["bytes"].as_str().unwrap())
}

fn json_tag(j: &Value) -> PropTag {
    let s = j["tag"].as_str().unwrap();
    PropTag(u32::from_str_radix(&s[2..10], 16).unwrap())
}

/// Days since 1970-01-01 to (year, month, day) (proleptic Gregorian).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn iso(t: FileTime) -> String {
    let s = t.unix_seconds();
    let (y, mo, d) = civil(s.div_euclid(86_400));
    let r = s.rem_euclid(86_400);
    let base = format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}", r / 3600, r / 60 % 60, r % 60);
    match t.subsecond_ticks() {
        0 => format!("{base}Z"),
        f => format!("{base}.{:06}Z", f / 10),
    }
}

/// Checks one decoded value against the capture's JSON rendering.
fn check(v: &PropValue, j: &Value, what: &str) {
    match v {
        PropValue::I16(x) => assert_eq!(j.as_i64(), Some(i64::from(*x)), "{what}"),
        PropValue::I32(x) => match j.as_str() {
            // MetaTagFXDelProp values are printed as tags.
            Some(t) => assert_eq!(t, format!("0x{:08X}", *x as u32), "{what}"),
            None => assert_eq!(j.as_i64().map(|j| j as i32), Some(*x), "{what}"),
        },
        PropValue::I64(x) => assert_eq!(j.as_u64(), Some(*x as u64), "{what}"),
        PropValue::Bool(b) => assert_eq!(j.as_bool(), Some(*b), "{what}"),
        PropValue::String(s) => assert_eq!(j.as_str(), Some(s.as_str()), "{what}"),
        PropValue::String8(s) => assert_eq!(j.as_str().map(str::as_bytes), Some(s.as_slice()), "{what}"),
        PropValue::Binary(b) => assert_eq!(&hex_bytes(j.as_str().unwrap()), b, "{what}"),
        PropValue::Time(t) => assert_eq!(j.as_str(), Some(iso(*t).as_str()), "{what}"),
        PropValue::MvString(v) => {
            let want: Vec<&str> = j.as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
            assert_eq!(v.iter().map(String::as_str).collect::<Vec<_>>(), want, "{what}");
        }
        PropValue::MvString8(v) => {
            let want: Vec<&[u8]> = j.as_array().unwrap().iter().map(|x| x.as_str().unwrap().as_bytes()).collect();
            assert_eq!(v.iter().map(Vec::as_slice).collect::<Vec<_>>(), want, "{what}");
        }
        PropValue::MvBinary(v) => {
            let want: Vec<Vec<u8>> = j.as_array().unwrap().iter().map(|x| hex_bytes(x.as_str().unwrap())).collect();
            assert_eq!(v, &want, "{what}");
        }
        PropValue::Null => assert_eq!(j["HasValue"].as_u64(), Some(0), "{what}"),
        other => panic!("{what}: no JSON check for {other:?}"),
    }
}

/// Checks a decoded row against `{"flag": f, "values": [...]}`.
fn check_row(row: &PropertyRow, j: &Value, columns: &[PropTag]) {
    let values = j["values"].as_array().unwrap();
    assert_eq!(values.len(), columns.len());
    match row {
        PropertyRow::Standard(v) => {
            assert_eq!(j["flag"].as_u64(), Some(0));
            for ((v, jv), c) in v.iter().zip(values).zip(columns) {
                assert_eq!(json_tag(jv), *c);
                check(v, &jv["value"], &format!("{c:?}"));
            }
        }
        PropertyRow::Flagged(v) => {
            assert_eq!(j["flag"].as_u64(), Some(1));
            for ((v, jv), c) in v.iter().zip(values).zip(columns) {
                assert_eq!(json_tag(jv), *c);
                match v {
                    FlaggedValue::Value(v) => check(v, &jv["value"], &format!("{c:?}")),
                    FlaggedValue::Error(e) => {
                        assert_eq!(jv["flag"].as_u64(), Some(0x0A));
                        assert!(jv["error"].as_str().unwrap().starts_with(&format!("0x{:08X}", e.0)));
                    }
                    FlaggedValue::Missing => assert_eq!(jv["flag"].as_u64(), Some(1)),
                }
            }
        }
    }
}

/// RopGetPropertiesAll response ([MS-OXCROPS] 2.2.8.4.2): RopId, handle
/// index, ReturnValue, PropertyValueCount u16 + TaggedPropertyValues.
fn check_get_properties_all(name: &str) {
    let Some((json, resp)) = capture(name) else { return };
    let bytes = rop_response(&json, body(&resp), "0x08 RopGetPropertiesAll");
    let jr = json["response_decoded"]["rpc_header_ext"][0]["decoded"]["responses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rop"].as_str().unwrap().starts_with("0x08"))
        .unwrap()
        .clone();
    let list = &bytes[6..];
    let mut r = Reader::new(list);
    let values = decode_tagged_list(&mut r, CountWidth::U16, PropContext::Rop).unwrap();
    assert!(r.is_empty(), "{name}: {} trailing bytes", r.remaining());
    let jv = jr["Values"].as_array().unwrap();
    assert_eq!(values.len() as u64, jr["PropertyValueCount"].as_u64().unwrap());
    assert_eq!(values.len(), jv.len());
    for (v, j) in values.iter().zip(jv) {
        assert_eq!(v.tag, json_tag(j), "{name}");
        check(&v.value, &j["value"], &format!("{name} {:?}", v.tag));
    }
    let mut w = Vec::new();
    encode_tagged_list(&mut w, &values, CountWidth::U16, PropContext::Rop).unwrap();
    assert_eq!(w, list, "{name}: re-encoding differs");
}

#[test]
fn capture_014_get_properties_all_response() {
    check_get_properties_all("014-execute-openmessage-html-getpropertiesall");
    // Spot checks a peer would notice.
    let Some((json, resp)) = capture("014-execute-openmessage-html-getpropertiesall") else { return };
    let bytes = rop_response(&json, body(&resp), "0x08 RopGetPropertiesAll");
    let values = decode_tagged_list(&mut Reader::new(&bytes[6..]), CountWidth::U16, PropContext::Rop).unwrap();
    assert_eq!(values.len(), 66);
    let class = values.iter().find(|v| v.tag == PropTag(0x001A001F)).unwrap();
    assert_eq!(class.value, PropValue::String("IPM.Note".into()));
    let submit = values.iter().find(|v| v.tag == PropTag(0x00390040)).unwrap();
    assert_eq!(submit.value, PropValue::Time(FileTime::from_unix_seconds(1_795_742_876).unwrap()));
}

#[test]
fn capture_019_027_029_get_properties_all_responses() {
    check_get_properties_all("019-execute-openattachment-getpropertiesall-readstream");
    check_get_properties_all("027-execute-open-appointment-getpropertiesall");
    check_get_properties_all("029-execute-open-contact-getpropertiesall");
}

/// RopSetColumns request columns and the RopQueryRows response rows
/// ([MS-OXCROPS] 2.2.5.1, 2.2.5.4: Origin u8, RowCount u16, rows).
fn check_query_rows(name: &str) -> Option<Vec<PropertyRow>> {
    let (json, resp) = capture(name)?;
    let set_columns = rop_request(&json, "0x12 RopSetColumns");
    let columns = PropTagArray::decode_exact(&set_columns[4..]).unwrap().0;
    let bytes = rop_response(&json, body(&resp), "0x15 RopQueryRows");
    let mut r = Reader::new(&bytes[7..]);
    let n = r.u16("RowCount").unwrap();
    let jr = json["response_decoded"]["rpc_header_ext"][0]["decoded"]["responses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rop"].as_str().unwrap().starts_with("0x15"))
        .unwrap()
        .clone();
    let jrows = jr["Rows"].as_array().unwrap();
    assert_eq!(usize::from(n), jrows.len());
    let start = r.offset();
    let rows = PropertyRow::decode_many(&mut r, n.into(), &columns, PropContext::Rop).unwrap();
    for (row, j) in rows.iter().zip(jrows) {
        check_row(row, j, &columns);
    }
    assert!(r.is_empty());
    let mut w = Vec::new();
    for row in &rows {
        row.encode_with(&mut w, &columns, PropContext::Rop).unwrap();
    }
    assert_eq!(w, &bytes[7 + start..], "{name}: re-encoding differs");
    Some(rows)
}

#[test]
fn capture_010_query_rows_standard_rows() {
    let Some(rows) = check_query_rows("010-execute-inbox-contents-sorted") else { return };
    assert_eq!(rows.len(), 5);
    assert!(
        matches!(&rows[0], PropertyRow::Standard(v) if v[1] == PropValue::String("Welcome to the gromox test box".into()))
    );
}

#[test]
fn capture_127_query_rows_with_named_binary_columns() {
    let Some(rows) = check_query_rows("127-execute-calendar-globalobjectid-columns") else { return };
    assert_eq!(rows.len(), 2);
}

#[test]
fn capture_015_get_properties_specific_flagged_row() {
    let Some((json, resp)) = capture("015-execute-openmessage-html-getpropertiesspecific-bodies") else { return };
    let req = rop_request(&json, "0x07 RopGetPropertiesSpecific");
    // RopId, LogonId, InputHandleIndex, PropertySizeLimit u16, WantUnicode u16.
    let columns = PropTagArray::decode_exact(&req[7..]).unwrap().0;
    let bytes = rop_response(&json, body(&resp), "0x07 RopGetPropertiesSpecific");
    let mut r = Reader::new(&bytes[6..]);
    let row = PropertyRow::decode_with(&mut r, &columns, PropContext::Rop).unwrap();
    assert!(r.is_empty());
    let jr = json["response_decoded"]["rpc_header_ext"][0]["decoded"]["responses"][1]["RowData"].clone();
    check_row(&row, &jr, &columns);
    let PropertyRow::Flagged(v) = &row else { panic!("expected a flagged row") };
    assert_eq!(v[3], FlaggedValue::Error(ErrorCode(0x8004010F)));
    let mut w = Vec::new();
    row.encode_with(&mut w, &columns, PropContext::Rop).unwrap();
    assert_eq!(w, &bytes[6..]);
}

#[test]
fn capture_125_set_columns_with_ptyp_unspecified_tags() {
    // gromox refuses these columns (corrections A17); the request's
    // PropertyTagArray still shows the u16-count form with type 0x0000.
    let Some((json, _)) = capture("125-execute-contents-ptypunspecified-columns") else { return };
    let req = rop_request(&json, "0x12 RopSetColumns");
    let a = PropTagArray::decode_exact(&req[4..]).unwrap();
    assert_eq!(a.0, [PropTag(0x674A0014), PropTag(0x00370000), PropTag(0x0E070000), PropTag(0x10900000)]);
    assert_eq!(a.to_bytes().unwrap(), &req[4..]);
    assert!(a.0[1..].iter().all(|t| t.prop_type() == PropType::UNSPECIFIED));
}

#[test]
fn capture_025_get_names_from_property_ids() {
    let Some((json, resp)) = capture("025-execute-getnamesfrompropertyids") else { return };
    let bytes = rop_response(&json, body(&resp), "0x55");
    let mut r = Reader::new(&bytes[6..]);
    let n = r.u16("PropertyNameCount").unwrap();
    let mut names = Vec::new();
    for _ in 0..n {
        names.push(PropertyName::decode(&mut r).unwrap());
    }
    assert!(r.is_empty());
    check_names(&names, &json["response_decoded"]["rpc_header_ext"][0]["decoded"]["responses"][0]["PropertyNames"]);
    let ps_public_strings = Guid::parse("00020329-0000-0000-c000-000000000046").unwrap();
    assert_eq!(names[4], PropertyName::Name { guid: ps_public_strings, name: "Keywords".into() });
    // corrections B15: an unknown id gives Kind 0xFF and a zero GUID.
    assert_eq!(names[6], PropertyName::None { guid: Guid::NIL });
    let ps_mapi = Guid::parse("00020328-0000-0000-c000-000000000046").unwrap();
    assert_eq!(names[7], PropertyName::Id { guid: ps_mapi, lid: 0x37 });
    let mut w = Vec::new();
    w.put_u16(n);
    for name in &names {
        name.encode(&mut w).unwrap();
    }
    assert_eq!(w, &bytes[6..]);
}

/// Reads an AddressBookPropertyValueList (u32 count + tagged values) and
/// checks it against its JSON and its re-encoding.
fn check_ab_list(r: &mut Reader<'_>, j: &Value) -> Vec<TaggedValue> {
    let start = r.peek_rest();
    let values = decode_tagged_list(r, CountWidth::U32, PropContext::AddressBook).unwrap();
    let used = start.len() - r.remaining();
    let jv = j["Values"].as_array().unwrap();
    assert_eq!(values.len(), jv.len());
    for (v, j) in values.iter().zip(jv) {
        assert_eq!(v.tag, json_tag(j));
        match &v.value {
            PropValue::Error(e) => {
                assert!(j["error"].as_str().or(j["value"].as_str()).unwrap().starts_with(&format!("0x{:08X}", e.0)))
            }
            other => check(other, &j["value"], &format!("{:?}", v.tag)),
        }
    }
    let mut w = Vec::new();
    encode_tagged_list(&mut w, &values, CountWidth::U32, PropContext::AddressBook).unwrap();
    assert_eq!(w, &start[..used]);
    values
}

#[test]
fn capture_093_get_special_table_rows() {
    let Some((json, resp)) = capture("093-nspi-getspecialtable-hierarchy") else { return };
    let b = body(&resp);
    // StatusCode, ErrorCode, CodePage, HasVersion 0, HasRows, RowsCount u32.
    let mut r = Reader::new(&b[14..]);
    let n = r.u32("RowsCount").unwrap();
    assert_eq!(n, 2);
    let rows: Vec<_> =
        json["response_decoded"]["Rows"].as_array().unwrap().iter().map(|j| check_ab_list(&mut r, j)).collect();
    // The GAL's display name is absent: HasValue 0x00.
    assert_eq!(rows[0][4], TaggedValue { tag: PropTag(0x3001001F), value: PropValue::Null });
    assert_eq!(rows[1][4].value, PropValue::String("example.test".into()));
    assert_eq!(rows[1][5].value, PropValue::Bool(false));
    assert_eq!(r.u32("AuxiliaryBufferSize").unwrap(), 0);
    assert!(r.is_empty());
}

#[test]
fn capture_094_query_rows_gal_flagged_rows() {
    let Some((json, resp)) = capture("094-nspi-queryrows-gal") else { return };
    let b = body(&resp);
    // StatusCode, ErrorCode, HasState, STAT (36), HasColsAndRows.
    let mut r = Reader::new(&b[46..]);
    let columns = PropTagArray::decode_with(&mut r, PropContext::AddressBook).unwrap().0;
    assert_eq!(columns.len(), 12);
    let n = r.u32("RowCount").unwrap();
    let jrows = json["response_decoded"]["ColsAndRows"]["Rows"].as_array().unwrap();
    assert_eq!(n as usize, jrows.len());
    let start = r.peek_rest();
    let mut rows = Vec::new();
    for j in jrows {
        let row = PropertyRow::decode_with(&mut r, &columns, PropContext::AddressBook).unwrap();
        check_row(&row, j, &columns);
        rows.push(row);
    }
    let used = start.len() - r.remaining();
    assert_eq!(r.u32("AuxiliaryBufferSize").unwrap(), 0);
    assert!(r.is_empty());
    // corrections B22: each MV string element has its own 0xFF.
    let PropertyRow::Flagged(alice) = &rows[0] else { panic!("expected a flagged row") };
    assert_eq!(alice[5], FlaggedValue::Value(PropValue::MvString(vec!["SMTP:alice@example.test".into()])));
    assert_eq!(alice[9], FlaggedValue::Value(PropValue::Binary(vec![0x11, 0, 0, 0])));
    assert_eq!(alice[11], FlaggedValue::Error(ErrorCode(0x8004010F)));
    let mut w = Vec::new();
    for row in &rows {
        row.encode_with(&mut w, &columns, PropContext::AddressBook).unwrap();
    }
    assert_eq!(w, &start[..used]);
}

#[test]
fn capture_104_and_131_get_props() {
    for name in ["104-nspi-getprops-bob", "131-nspi-getprops-bob-object-and-string8-columns"] {
        let Some((json, resp)) = capture(name) else { return };
        let b = body(&resp);
        // StatusCode, ErrorCode, CodePage, HasPropertyValues.
        let mut r = Reader::new(&b[13..]);
        let values = check_ab_list(&mut r, &json["response_decoded"]["PropertyValues"]);
        assert_eq!(r.u32("AuxiliaryBufferSize").unwrap(), 0);
        assert!(r.is_empty());
        if name.starts_with("131") {
            // corrections B26: the PtypObject column comes back as an error.
            assert_eq!(
                values[1],
                TaggedValue { tag: PropTag(0x8006000A), value: PropValue::Error(ErrorCode(0x8004010F)) }
            );
            assert_eq!(values[3].value, PropValue::MvString8(vec![b"SMTP:bob@example.test".to_vec()]));
        }
    }
}

#[test]
fn capture_046_048_050_fast_transfer_values() {
    // Every propValue of the ICS streams except the IDSET meta-properties
    // (MetaTagIdsetGiven is typed PtypInteger32 but carries a blob, digest
    // §6.4): 2-byte Booleans, u32 binary/string lengths, PtypString8
    // message classes (corrections B19), PtypMultipleBinary.
    let mut seen = std::collections::BTreeSet::new();
    for name in ["046-ics-contents-inbox-initial", "048-ics-hierarchy-ipmsubtree", "050-ics-contents-inbox-incremental"]
    {
        let Some(stream) = capture_file(&format!("{name}.fxstream.bin")) else { return };
        let json: Value = serde_json::from_slice(&capture_file(&format!("{name}.fxstream.json")).unwrap()).unwrap();
        for atom in json["atoms"].as_array().unwrap() {
            if atom.get("tag").is_none() || atom.get("idset").is_some() {
                continue;
            }
            let off = atom["off"].as_u64().unwrap() as usize;
            let mut r = Reader::new(&stream[off..]);
            let v = TaggedValue::decode_with(&mut r, PropContext::FastTransfer).unwrap();
            let used = stream.len() - off - r.remaining();
            assert_eq!(v.tag, json_tag(atom), "{name} @{off}");
            check(&v.value, &atom["value"], &format!("{name} @{off} {:?}", v.tag));
            let mut w = Vec::new();
            v.encode_with(&mut w, PropContext::FastTransfer).unwrap();
            assert_eq!(w, &stream[off..off + used], "{name} @{off}");
            seen.insert(v.tag.prop_type().0);
        }
    }
    if !seen.is_empty() {
        assert!(seen.contains(&PropType::BOOLEAN.0) && seen.contains(&PropType::MULTIPLE_BINARY.0));
        assert!(seen.contains(&PropType::STRING8.0) && seen.contains(&PropType::TIME.0));
    }
}

/// Checks a list of PropertyNames against the capture's JSON rendering.
fn check_names(names: &[PropertyName], j: &Value) {
    let j = j.as_array().unwrap();
    assert_eq!(names.len(), j.len());
    for (n, j) in names.iter().zip(j) {
        assert_eq!(n.guid(), Guid::parse(j["guid"].as_str().unwrap()).unwrap());
        match n {
            PropertyName::Id { lid, .. } => {
                assert_eq!(*lid, u32::from_str_radix(j["lid"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap())
            }
            PropertyName::Name { name, .. } => assert_eq!(j["name"].as_str(), Some(name.as_str())),
            PropertyName::None { .. } => assert_eq!(j["kind"].as_u64(), Some(0xFF)),
        }
    }
}

#[test]
fn capture_023_126_get_property_ids_from_names_requests() {
    for name in ["023-execute-getpropertyidsfromnames-nocreate", "126-execute-getpropertyidsfromnames-globalobjectid"] {
        let Some((json, _)) = capture(name) else { return };
        let req = rop_request(&json, "0x56");
        // RopId, LogonId, InputHandleIndex, Flags, PropertyNameCount u16.
        let mut r = Reader::new(&req[4..]);
        let n = r.u16("PropertyNameCount").unwrap();
        let names: Vec<_> = (0..n).map(|_| PropertyName::decode(&mut r).unwrap()).collect();
        assert!(r.is_empty());
        check_names(&names, &json["rops"][0]["PropertyNames"]);
        let mut w = Vec::new();
        w.put_u16(n);
        for n in &names {
            n.encode(&mut w).unwrap();
        }
        assert_eq!(w, &req[4..], "{name}");
    }
}
