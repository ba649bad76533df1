use super::*;
use crate::codec::{Decode, Encode};
use crate::error::DecodeError;
use crate::error_code::ErrorCode;
use crate::guid::Guid;
use crate::http::ServerDialect;
use crate::prop_tag::PropTag;
use crate::prop_value::{FlaggedValue, PropValue, PropertyRow, TaggedValue};
use crate::restriction::{FuzzyLevel, RelOp, Restriction};
use proptest::prelude::*;
use serde_json::Value;

fn capture_dir() -> Option<std::path::PathBuf> {
    let mut c: Vec<std::path::PathBuf> = Vec::new();
    if let Ok(p) = std::env::var("MAPI_CAPTURES") {
        c.push(p.into());
    }
    c.push(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/captures/gromox-3.10").into());
    c.push("/work/shared/captures/gromox-3.10".into());
    let found = c.into_iter().find(|p| p.join("README.md").exists());
    if found.is_none() {
        eprintln!("note: gromox-3.10 captures not found; capture tests skipped");
    }
    found
}

struct Capture {
    name: String,
    json: Value,
    req: Vec<u8>,
    resp: Vec<u8>,
}

impl Capture {
    fn body(&self) -> Option<&[u8]> {
        let off = self.json["meta"]["binary_offset"].as_u64()? as usize;
        Some(&self.resp[off..])
    }
    fn rt(&self) -> &str {
        self.json["request_type"].as_str().unwrap()
    }
    fn rf(&self) -> &Value {
        &self.json["request_fields"]
    }
    fn rd(&self) -> &Value {
        &self.json["response_decoded"]
    }
}

fn nspi_captures() -> Vec<Capture> {
    let Some(dir) = capture_dir() else { return Vec::new() };
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") && !n.contains("fxstream"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for n in names {
        let json: Value = serde_json::from_slice(&std::fs::read(dir.join(&n)).unwrap()).unwrap();
        if !json["request"]["line"].as_str().unwrap().contains("/mapi/nspi/") {
            continue;
        }
        let stem = n.trim_end_matches(".json").to_owned();
        let req = std::fs::read(dir.join(format!("{stem}.req.bin"))).unwrap();
        let resp = std::fs::read(dir.join(format!("{stem}.resp.bin"))).unwrap();
        out.push(Capture { name: stem, json, req, resp });
    }
    out
}

/// A JSON number, `"0x…"`, or `"0x… Name"`.
fn num(v: &Value) -> u64 {
    match v {
        Value::Number(n) => n.as_u64().unwrap_or_else(|| n.as_i64().unwrap() as u64),
        Value::String(s) => {
            let h = s.split_whitespace().next().unwrap();
            u64::from_str_radix(h.trim_start_matches("0x"), 16).unwrap()
        }
        other => panic!("not a number: {other:?}"),
    }
}

fn round_trip<T: for<'a> Decode<'a> + Encode + std::fmt::Debug>(bytes: &[u8], name: &str) -> T {
    let v = T::decode_exact(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(v.to_bytes().unwrap(), bytes, "{name}: re-encoding differs");
    v
}

fn response<T: ResponseFields + std::fmt::Debug>(c: &Capture) -> T {
    let r: MapiResponse<T> = round_trip(c.body().unwrap(), &c.name);
    assert_eq!(u64::from(r.status_code()), num(&c.rd()["StatusCode"]), "{}", c.name);
    match r {
        MapiResponse::Completed(t) => t,
        MapiResponse::Failed { .. } => panic!("{}: StatusCode", c.name),
    }
}

fn check_tags(tags: &[PropTag], j: &Value, name: &str) {
    let want: Vec<u64> = j.as_array().unwrap().iter().map(num).collect();
    let got: Vec<u64> = tags.iter().map(|t| u64::from(t.0)).collect();
    assert_eq!(got, want, "{name}: tags");
}

fn check_mids(mids: &[MinimalId], j: &Value, name: &str) {
    let want: Vec<u64> = j.as_array().unwrap().iter().map(num).collect();
    let got: Vec<u64> = mids.iter().map(|m| u64::from(m.0)).collect();
    assert_eq!(got, want, "{name}: MIds");
}

fn check_stat(s: &Stat, j: &Value, name: &str) {
    let got = [
        s.sort_type.0 as i64,
        s.container_id as i64,
        s.current_rec.0 as i64,
        s.delta as i64,
        s.num_pos as i64,
        s.total_recs as i64,
        s.code_page as i64,
        s.template_locale as i64,
        s.sort_locale as i64,
    ];
    let keys = [
        "SortType",
        "ContainerID",
        "CurrentRec",
        "Delta",
        "NumPos",
        "TotalRecs",
        "CodePage",
        "TemplateLocale",
        "SortLocale",
    ];
    let want: Vec<i64> = keys.iter().map(|k| j[*k].as_i64().unwrap()).collect();
    assert_eq!(got.to_vec(), want, "{name}: STAT");
}

fn hex_spaced(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect::<Vec<_>>().join(" ")
}

fn check_value(v: &PropValue, j: &Value, name: &str) {
    match v {
        PropValue::String(s) => assert_eq!(j.as_str(), Some(s.as_str()), "{name}"),
        PropValue::String8(b) => assert_eq!(j.as_str().map(str::as_bytes), Some(b.as_slice()), "{name}"),
        PropValue::Binary(b) => assert_eq!(j.as_str(), Some(hex_spaced(b).as_str()), "{name}"),
        PropValue::I32(i) => assert_eq!(j.as_i64(), Some(i64::from(*i)), "{name}"),
        PropValue::Bool(b) => assert_eq!(j.as_bool(), Some(*b), "{name}"),
        PropValue::Error(e) => assert_eq!(num(j), u64::from(e.0), "{name}"),
        PropValue::Null => assert_eq!(j["HasValue"], 0, "{name}: absent value"),
        PropValue::MvString(v) => {
            let want: Vec<&str> = j.as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
            assert_eq!(v.iter().map(String::as_str).collect::<Vec<_>>(), want, "{name}");
        }
        PropValue::MvString8(v) => {
            let want: Vec<&[u8]> = j.as_array().unwrap().iter().map(|x| x.as_str().unwrap().as_bytes()).collect();
            assert_eq!(v.iter().map(Vec::as_slice).collect::<Vec<_>>(), want, "{name}");
        }
        other => panic!("{name}: no JSON comparison for {other:?}"),
    }
}

fn check_tagged(values: &[TaggedValue], j: &Value, name: &str) {
    let j = j.as_array().unwrap();
    assert_eq!(values.len(), j.len(), "{name}: value count");
    for (v, e) in values.iter().zip(j) {
        assert_eq!(u64::from(v.tag.0), num(&e["tag"]), "{name}: tag");
        check_value(&v.value, &e["value"], name);
    }
}

fn check_rows(rows: &RowSet, j: &Value, name: &str) {
    check_tags(&rows.columns, &j["Columns"], name);
    assert_eq!(rows.rows.len() as u64, num(&j["RowCount"]), "{name}: RowCount");
    for (row, e) in rows.rows.iter().zip(j["Rows"].as_array().unwrap()) {
        let cells = e["values"].as_array().unwrap();
        match row {
            PropertyRow::Standard(vals) => {
                assert_eq!(e["flag"], 0, "{name}");
                for (v, c) in vals.iter().zip(cells) {
                    check_value(v, &c["value"], name);
                }
            }
            PropertyRow::Flagged(vals) => {
                assert_eq!(e["flag"], 1, "{name}");
                for (v, c) in vals.iter().zip(cells) {
                    match v {
                        FlaggedValue::Value(v) => check_value(v, &c["value"], name),
                        FlaggedValue::Error(err) => {
                            assert_eq!(c["flag"], 10, "{name}");
                            assert_eq!(num(&c["error"]), u64::from(err.0), "{name}");
                        }
                        FlaggedValue::Missing => assert_eq!(c["flag"], 1, "{name}"),
                    }
                }
            }
        }
    }
}

fn error_code(c: &Capture) -> ErrorCode {
    ErrorCode(num(&c.rd()["ErrorCode"]) as u32)
}

#[test]
fn capture_every_nspi_exchange() {
    let caps = nspi_captures();
    let mut bodies = 0;
    for c in &caps {
        let n = c.name.as_str();
        let ok = c.body().is_some() && c.rt() != "PING";
        match c.rt() {
            "Bind" => {
                let q: BindRequest = round_trip(&c.req, n);
                assert_eq!(u64::from(q.flags.0), num(&c.rf()["Flags"]));
                assert_eq!(q.state, Some(Stat::new(1252)), "{n}: capture 092's STAT");
                if ok {
                    let r: BindResponse = response(c);
                    assert_eq!(r.error_code, error_code(c));
                    assert_eq!(Some(r.server_guid), Guid::parse(c.rd()["ServerGuid"].as_str().unwrap()));
                }
            }
            "Unbind" => {
                let q: UnbindRequest = round_trip(&c.req, n);
                assert_eq!(u64::from(q.reserved), num(&c.rf()["Reserved"]));
                let r: UnbindResponse = response(c);
                assert_eq!(r.error_code, ErrorCode(1), "{n}: UnbindSuccess");
            }
            "GetSpecialTable" => {
                let q: GetSpecialTableRequest = round_trip(&c.req, n);
                assert_eq!(q.flags, SpecialTableFlags::UNICODE_STRINGS);
                assert!(q.state.is_some() && q.version.is_none());
                let r: GetSpecialTableResponse = response(c);
                assert_eq!((r.error_code, r.code_page, r.version), (error_code(c), 1252, None));
                let rows = r.rows.unwrap();
                assert_eq!(rows.len() as u64, num(&c.rd()["RowsCount"]));
                for (row, j) in rows.iter().zip(c.rd()["Rows"].as_array().unwrap()) {
                    check_tagged(row, &j["Values"], n);
                }
                // The GAL row's display name is absent (HasValue 0x00).
                assert_eq!(rows[0][4].value, PropValue::Null);
            }
            "QueryRows" => {
                let q: QueryRowsRequest = round_trip(&c.req, n);
                if ok {
                    assert_eq!(u64::from(q.flags.0), num(&c.rf()["Flags"]));
                    assert_eq!(u64::from(q.row_count), num(&c.rf()["RowCount"]));
                    assert!(q.explicit_table.is_empty());
                    if c.rf()["Columns"][0].as_str().unwrap().starts_with("0x") {
                        check_tags(q.columns.as_ref().unwrap(), &c.rf()["Columns"], n);
                    }
                    let r: QueryRowsResponse = response(c);
                    assert_eq!(r.error_code, error_code(c));
                    check_stat(r.state.as_ref().unwrap(), &c.rd()["State"], n);
                    check_rows(r.rows.as_ref().unwrap(), &c.rd()["ColsAndRows"], n);
                }
            }
            "GetMatches" => {
                let q: GetMatchesRequest = round_trip(&c.req, n);
                let filter = q.filter.as_ref().unwrap();
                let want = hex::decode(c.rf()["Filter_bytes"].as_str().unwrap().replace(' ', "")).unwrap();
                assert_eq!(filter.to_bytes().unwrap(), want, "{n}: filter bytes");
                let form = if ok { ServerDialect::Gromox } else { ServerDialect::Spec };
                assert_eq!(filter.form, form, "{n}: 132 lacks the HasValue bytes");
                let bo = PropValue::String("bo".into());
                let expected = match &n[..3] {
                    "096" => Restriction::Content {
                        fuzzy: FuzzyLevel { low: FuzzyLevel::PREFIX, high: FuzzyLevel::IGNORE_CASE },
                        tag: PropTag(0x3001_001F),
                        value: TaggedValue { tag: PropTag(0x3001_001F), value: bo },
                    },
                    "098" => Restriction::Property {
                        op: RelOp::GT,
                        tag: PropTag(0x3001_001F),
                        value: TaggedValue { tag: PropTag(0x3001_001F), value: bo },
                    },
                    _ => Restriction::Property {
                        op: RelOp::EQ,
                        tag: PropTag(0x360C_001F),
                        value: TaggedValue { tag: PropTag(0x360C_001F), value: bo },
                    },
                };
                assert_eq!(filter.restriction, expected, "{n}");
                if ok {
                    assert_eq!(u64::from(q.row_count), num(&c.rf()["RowCount"]));
                    check_tags(q.columns.as_ref().unwrap(), &c.rf()["Columns"], n);
                    assert!(q.minimal_ids.is_none() && q.property_name.is_none());
                    let r: GetMatchesResponse = response(c);
                    assert_eq!(r.error_code, error_code(c));
                    check_stat(r.state.as_ref().unwrap(), &c.rd()["State"], n);
                    check_mids(r.minimal_ids.as_deref().unwrap(), &c.rd()["MinimalIds"], n);
                    check_rows(r.rows.as_ref().unwrap(), &c.rd()["ColsAndRows"], n);
                }
            }
            "SeekEntries" => {
                let q: SeekEntriesRequest = round_trip(&c.req, n);
                let t = q.target.unwrap();
                assert_eq!(t, TaggedValue { tag: PropTag(0x3001_001F), value: PropValue::String("bo".into()) });
                assert!(q.explicit_table.is_none());
                let r: SeekEntriesResponse = response(c);
                check_stat(r.state.as_ref().unwrap(), &c.rd()["State"], n);
                check_rows(r.rows.as_ref().unwrap(), &c.rd()["ColsAndRows"], n);
            }
            "ResolveNames" => {
                if n.starts_with("102") {
                    // A HasValue byte before the name is not the spec's form.
                    let e = ResolveNamesRequest::decode_exact(&c.req).unwrap_err();
                    assert!(matches!(e, DecodeError::TrailingBytes { count: 1, .. }), "{n}: {e:?}");
                } else {
                    let q: ResolveNamesRequest = round_trip(&c.req, n);
                    check_tags(q.property_tags.as_ref().unwrap(), &c.rf()["PropertyTags"], n);
                    let want: Vec<&str> =
                        c.rf()["Names"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
                    assert_eq!(q.names.as_ref().unwrap().iter().map(String::as_str).collect::<Vec<_>>(), want);
                }
                let r: ResolveNamesResponse = response(c);
                assert_eq!((r.error_code, u64::from(r.code_page)), (error_code(c), num(&c.rd()["CodePage"])));
                check_mids(r.minimal_ids.as_deref().unwrap(), &c.rd()["MinimalIds"], n);
                check_rows(r.rows.as_ref().unwrap(), &c.rd()["ColsAndRows"], n);
            }
            "DNToMId" => {
                let q: DnToMIdRequest = round_trip(&c.req, n);
                let want: Vec<&str> = c.rf()["Names"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
                assert_eq!(q.names.as_ref().unwrap().iter().map(String::as_str).collect::<Vec<_>>(), want);
                let r: DnToMIdResponse = response(c);
                check_mids(r.minimal_ids.as_deref().unwrap(), &c.rd()["MinimalIds"], n);
            }
            "GetProps" => {
                let q: GetPropsRequest = round_trip(&c.req, n);
                check_tags(q.property_tags.as_ref().unwrap(), &c.rf()["PropertyTags"], n);
                assert_eq!(q.state.unwrap().current_rec, MinimalId(0x12), "{n}: bob");
                let r: GetPropsResponse = response(c);
                assert_eq!((r.error_code, u64::from(r.code_page)), (error_code(c), num(&c.rd()["CodePage"])));
                assert_eq!(r.error_code, ErrorCode(0x0004_0380), "{n}: ecWarnWithErrors");
                check_tagged(r.property_values.as_ref().unwrap(), &c.rd()["PropertyValues"]["Values"], n);
            }
            "GetPropList" => {
                let q: GetPropListRequest = round_trip(&c.req, n);
                assert_eq!((q.minimal_id, q.code_page), (MinimalId(18), 1252));
                let r: GetPropListResponse = response(c);
                check_tags(r.property_tags.as_ref().unwrap(), &c.rd()["PropertyTags"], n);
            }
            "CompareMIds" => {
                let q: CompareMIdsRequest = round_trip(&c.req, n);
                assert_eq!((q.minimal_id1, q.minimal_id2), (MinimalId(18), MinimalId(17)));
                let r: GromoxCompareMIdsResponse = response(c);
                assert_eq!((r.0.result, r.0.error_code), (-1, ErrorCode::SUCCESS), "{n}: bob sorts before alice");
                // Read in the spec's order the same bytes give nonsense.
                let spec: MapiResponse<CompareMIdsResponse> = MapiResponse::decode_exact(c.body().unwrap()).unwrap();
                assert_eq!(spec.completed().unwrap().error_code, ErrorCode(0xFFFF_FFFF));
            }
            "UpdateStat" => {
                let q: UpdateStatRequest = round_trip(&c.req, n);
                assert!(q.delta_requested);
                let r: UpdateStatResponse = response(c);
                check_stat(r.state.as_ref().unwrap(), &c.rd()["State"], n);
                assert_eq!(r.delta.map(i64::from), c.rd()["Delta"].as_i64());
            }
            "GetTemplateInfo" => {
                let q: GetTemplateInfoRequest = round_trip(&c.req, n);
                assert_eq!((q.template_dn.as_deref(), q.code_page, q.locale_id), (None, 1252, 1033));
                let r: GetTemplateInfoResponse = response(c);
                assert_eq!((r.error_code, r.code_page, r.row), (ErrorCode(0x8004_0102), 0, None));
            }
            "GetMailboxUrl" => {
                let q: GetMailboxUrlRequest = round_trip(&c.req, n);
                assert_eq!(q.server_dn, c.rf()["ServerDn"].as_str().unwrap());
                let r: GetMailboxUrlResponse = response(c);
                assert_eq!(r.server_url, c.rd()["ServerUrl"].as_str().unwrap());
            }
            "GetAddressBookUrl" => {
                let q: GetAddressBookUrlRequest = round_trip(&c.req, n);
                assert_eq!(q.user_dn, c.rf()["UserDn"].as_str().unwrap());
                let r: GetAddressBookUrlResponse = response(c);
                assert_eq!(r.server_url, c.rd()["ServerUrl"].as_str().unwrap());
            }
            "QueryColumns" | "QueryColumn" => {
                let q: QueryColumnsRequest = round_trip(&c.req, n);
                assert_eq!(q.mapi_flags, QueryColumnsFlags::UNICODE_PROPTYPES);
                if ok {
                    let r: QueryColumnsResponse = response(c);
                    check_tags(r.columns.as_ref().unwrap(), &c.rd()["Columns"], n);
                }
            }
            "PING" => assert!(c.req.is_empty() && c.body().unwrap().is_empty()),
            other => panic!("{n}: unexpected request type {other}"),
        }
        if ok {
            bodies += 1;
        }
    }
    if capture_dir().is_some() {
        assert_eq!(caps.len(), 31, "092–117, 129–133");
        assert_eq!(bodies, 26, "every NSPI exchange with X-ResponseCode 0 except PING");
    }
}

#[test]
fn capture_request_dispatch_and_compare_mids_dialects() {
    use crate::http::{RequestKind, RequestType};
    let mut n = 0;
    for c in nspi_captures() {
        if c.name.starts_with("102") {
            continue; // not the spec's form, see capture_every_nspi_exchange
        }
        let kind = RequestType::parse(c.rt()).unwrap().kind().unwrap();
        let req = Request::decode_for(kind, &c.req).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        assert_eq!(req.kind(), kind);
        assert_eq!(req.to_bytes().unwrap(), c.req, "{}", c.name);
        if c.rt() == "CompareMIds" {
            let body = c.body().unwrap();
            let r = CompareMIdsResponse::decode_body(body, ServerDialect::Gromox).unwrap();
            assert_eq!(r.completed().unwrap().result, -1);
            assert_eq!(CompareMIdsResponse::encode_body(&r, ServerDialect::Gromox).unwrap(), body);
            let spec = CompareMIdsResponse::encode_body(&r, ServerDialect::Spec).unwrap();
            assert_eq!(spec[4..12], [0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF], "ErrorCode then Result");
        }
        n += 1;
    }
    if capture_dir().is_some() {
        assert_eq!(n, 30);
    }
    assert!(Request::decode_for(RequestKind::Execute, &[0; 4]).is_err());
}

#[test]
fn capture_104_proxy_addresses_and_missing_values() {
    let Some(c) = nspi_captures().into_iter().find(|c| c.name.starts_with("104")) else { return };
    let r: GetPropsResponse = response(&c);
    let v = r.property_values.unwrap();
    let proxy = v.iter().find(|t| t.tag == PropTag(0x800F_101F)).unwrap();
    assert_eq!(proxy.value, PropValue::MvString(vec!["SMTP:bob@example.test".into()]));
    let title = v.iter().find(|t| t.tag.id() == 0x3A17).unwrap();
    assert_eq!(title.value, PropValue::Error(ErrorCode::NOT_FOUND));
}

#[test]
fn restriction_forms() {
    // Without values both forms are the same bytes; the spec's is reported.
    let and = hex::decode("0002000000081f000130020601030e170001000000").unwrap();
    let r = AddressBookRestriction::decode_exact(&and).unwrap();
    assert_eq!(r.form, ServerDialect::Spec);
    assert_eq!(r.to_bytes().unwrap(), and);
    // The same tree written in both forms.
    let prop = Restriction::Property {
        op: RelOp::EQ,
        tag: PropTag(0x360C_001F),
        value: TaggedValue { tag: PropTag(0x360C_001F), value: PropValue::String("bo".into()) },
    };
    for (form, hex_form) in [
        (ServerDialect::Spec, "04041f000c361f000c3662006f000000"),
        (ServerDialect::Gromox, "04041f000c36ff1f000c36ff62006f000000"),
    ] {
        let f = AddressBookRestriction { restriction: prop.clone(), form };
        assert_eq!(hex::encode(f.to_bytes().unwrap()), hex_form);
        assert_eq!(AddressBookRestriction::decode_exact(&f.to_bytes().unwrap()).unwrap(), f);
    }
    // Unknown type, truncation.
    assert!(matches!(AddressBookRestriction::decode_exact(&[0x0C]), Err(DecodeError::Unsupported { .. })));
    assert!(AddressBookRestriction::decode_exact(&[0x00, 5, 0, 0, 0]).is_err());
    // A broken gromox-form value reports the gromox error (it got further).
    let e = AddressBookRestriction::decode_exact(&hex::decode("04041f000c36ff1f000c36ff6200").unwrap()).unwrap_err();
    assert!(e.is_incomplete(), "{e:?}");
    // Deep nesting is refused, not a stack overflow.
    let deep: Vec<u8> = std::iter::repeat_n(0x02u8, 10_000).chain([0x08, 0x1f, 0, 1, 0x30]).collect();
    assert!(matches!(AddressBookRestriction::decode_exact(&deep), Err(DecodeError::TooLarge { .. })));
}

#[test]
fn hostile_counts_are_refused() {
    // QueryRows request with ExplicitTableCount 0xFFFFFFFF.
    let mut b = vec![0, 0, 0, 0, 0];
    b.extend_from_slice(&[0xFF; 4]);
    assert!(matches!(QueryRowsRequest::decode_exact(&b), Err(DecodeError::Incomplete { what: "MinimalIdCount", .. })));
    // RowSet with a huge RowCount.
    let mut b = vec![0, 0, 0, 0];
    b.extend_from_slice(&[0xFF; 4]);
    assert!(RowSet::decode_exact(&b).is_err());
    // 2000 PtypNull columns × 4000 one-byte rows would be 8 million cells
    // from 12 KB of input.
    let mut b = Vec::new();
    b.extend_from_slice(&2000u32.to_le_bytes());
    for _ in 0..2000 {
        b.extend_from_slice(&0x0001_0001u32.to_le_bytes());
    }
    b.extend_from_slice(&4000u32.to_le_bytes());
    b.extend(std::iter::repeat_n(0u8, 4000));
    assert!(matches!(RowSet::decode_exact(&b), Err(DecodeError::TooLarge { what: "RowCount × columns", .. })));
}

fn stat() -> impl Strategy<Value = Stat> {
    (any::<[u32; 8]>(), any::<i32>()).prop_map(|(a, d)| Stat {
        sort_type: SortType(a[0]),
        container_id: a[1],
        current_rec: MinimalId(a[2]),
        delta: d,
        num_pos: a[3],
        total_recs: a[4],
        code_page: a[5],
        template_locale: a[6],
        sort_locale: a[7],
    })
}

fn mids() -> impl Strategy<Value = Vec<MinimalId>> {
    proptest::collection::vec(any::<u32>().prop_map(MinimalId), 0..5)
}

fn tags() -> impl Strategy<Value = Vec<PropTag>> {
    proptest::collection::vec(any::<u32>().prop_map(PropTag), 0..5)
}

fn aux() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..8)
}

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 /=@.äöü]{0,12}"
}

fn tagged() -> impl Strategy<Value = Vec<TaggedValue>> {
    let one = prop_oneof![
        (any::<u16>(), text()).prop_map(|(id, s)| TaggedValue::new(id, PropValue::String(s))),
        (any::<u16>(), any::<i32>()).prop_map(|(id, v)| TaggedValue::new(id, PropValue::I32(v))),
        (any::<u16>(), aux()).prop_map(|(id, v)| TaggedValue::new(id, PropValue::Binary(v))),
        (any::<u16>(), proptest::collection::vec(text(), 0..3))
            .prop_map(|(id, v)| TaggedValue::new(id, PropValue::MvString(v))),
        (any::<u16>(), any::<u32>()).prop_map(|(id, e)| TaggedValue::new(id, PropValue::Error(ErrorCode(e)))),
    ];
    proptest::collection::vec(one, 0..4)
}

fn rowset() -> impl Strategy<Value = RowSet> {
    proptest::collection::vec((text(), any::<i32>(), any::<bool>()), 0..4).prop_map(|rows| RowSet {
        columns: vec![PropTag(0x3001_001F), PropTag(0x3900_0003)],
        rows: rows
            .into_iter()
            .map(|(s, i, flagged)| {
                if flagged {
                    PropertyRow::Flagged(vec![
                        FlaggedValue::Value(PropValue::String(s)),
                        FlaggedValue::Error(ErrorCode::NOT_FOUND),
                    ])
                } else {
                    PropertyRow::Standard(vec![PropValue::String(s), PropValue::I32(i)])
                }
            })
            .collect(),
    })
}

fn rt_req<T: for<'a> Decode<'a> + Encode + PartialEq + std::fmt::Debug>(v: T) -> Result<(), TestCaseError> {
    prop_assert_eq!(T::decode_exact(&v.to_bytes().unwrap()).unwrap(), v);
    Ok(())
}

fn rt_resp<T: ResponseFields + PartialEq + std::fmt::Debug + Clone>(v: T) -> Result<(), TestCaseError> {
    let m = MapiResponse::Completed(v);
    prop_assert_eq!(MapiResponse::<T>::decode_exact(&m.to_bytes().unwrap()).unwrap(), m);
    Ok(())
}

proptest! {
    #[test]
    fn requests_round_trip(s in proptest::option::of(stat()), m in proptest::option::of(mids()), t in proptest::option::of(tags()),
                           a in aux(), x in any::<u32>(), y in any::<u32>(), names in proptest::option::of(proptest::collection::vec(text(), 0..3)),
                           tv in tagged(), b in any::<bool>()) {
        rt_req(BindRequest { flags: BindFlags(x), state: s, auxiliary_buffer: a.clone() })?;
        rt_req(UnbindRequest { reserved: x, auxiliary_buffer: a.clone() })?;
        rt_req(CompareMIdsRequest { reserved: 0, state: s, minimal_id1: MinimalId(x), minimal_id2: MinimalId(y), auxiliary_buffer: a.clone() })?;
        rt_req(DnToMIdRequest { reserved: 0, names: names.clone(), auxiliary_buffer: a.clone() })?;
        rt_req(GetMatchesRequest {
            reserved: 0, state: s, minimal_ids: m.clone(), interface_option_flags: x,
            filter: b.then(|| AddressBookRestriction {
                // A value-free tree reads back as the spec's form, so give
                // gromox's form a Property restriction.
                restriction: if x % 2 == 0 {
                    Restriction::Not(Box::new(Restriction::Exist { tag: PropTag(y) }))
                } else {
                    Restriction::Property {
                        op: RelOp::GE,
                        tag: PropTag(0x3900_0003),
                        value: TaggedValue { tag: PropTag(0x3900_0003), value: PropValue::I32(y as i32) },
                    }
                },
                form: if x % 2 == 0 { ServerDialect::Spec } else { ServerDialect::Gromox },
            }),
            property_name: b.then_some(PropertyNameId { guid: Guid([7; 16]), id: y }),
            row_count: y, columns: t.clone(), auxiliary_buffer: a.clone(),
        })?;
        rt_req(GetPropListRequest { flags: RetrievalFlags(x), minimal_id: MinimalId(y), code_page: 1252, auxiliary_buffer: a.clone() })?;
        rt_req(GetPropsRequest { flags: RetrievalFlags(x), state: s, property_tags: t.clone(), auxiliary_buffer: a.clone() })?;
        rt_req(GetSpecialTableRequest { flags: SpecialTableFlags(x), state: s, version: b.then_some(y), auxiliary_buffer: a.clone() })?;
        rt_req(GetTemplateInfoRequest { flags: x, display_type: y, template_dn: names.as_ref().and_then(|n| n.first().cloned()), code_page: 1252, locale_id: 1033, auxiliary_buffer: a.clone() })?;
        rt_req(ModLinkAttRequest { flags: x, property_tag: PropTag(y), minimal_id: MinimalId(x), entry_ids: b.then(|| vec![a.clone(), vec![]]), auxiliary_buffer: a.clone() })?;
        rt_req(ModPropsRequest { reserved: 0, state: s, property_tags_to_remove: t.clone(), property_values: b.then(|| tv.clone()), auxiliary_buffer: a.clone() })?;
        rt_req(QueryColumnsRequest { reserved: 0, mapi_flags: QueryColumnsFlags(x), auxiliary_buffer: a.clone() })?;
        rt_req(QueryRowsRequest { flags: RetrievalFlags(x), state: s, explicit_table: m.clone().unwrap_or_default(), row_count: y, columns: t.clone(), auxiliary_buffer: a.clone() })?;
        rt_req(ResolveNamesRequest { reserved: 0, state: s, property_tags: t.clone(), names: names.clone(), auxiliary_buffer: a.clone() })?;
        rt_req(ResortRestrictionRequest { reserved: 0, state: s, minimal_ids: m.clone(), auxiliary_buffer: a.clone() })?;
        rt_req(SeekEntriesRequest { reserved: 0, state: s, target: tv.first().cloned(), explicit_table: m.clone(), columns: t.clone(), auxiliary_buffer: a.clone() })?;
        rt_req(UpdateStatRequest { reserved: 0, state: s, delta_requested: b, auxiliary_buffer: a.clone() })?;
        rt_req(GetMailboxUrlRequest { flags: x, server_dn: names.as_ref().and_then(|n| n.first().cloned()).unwrap_or_default(), auxiliary_buffer: a.clone() })?;
        rt_req(GetAddressBookUrlRequest { flags: x, user_dn: "/o=x".into(), auxiliary_buffer: a })?;
    }

    #[test]
    fn responses_round_trip(s in proptest::option::of(stat()), m in proptest::option::of(mids()), t in proptest::option::of(tags()),
                            a in aux(), x in any::<u32>(), d in any::<i32>(), rows in proptest::option::of(rowset()), tv in tagged(), b in any::<bool>()) {
        let e = ErrorCode(x);
        rt_resp(BindResponse { error_code: e, server_guid: Guid([x as u8; 16]), auxiliary_buffer: a.clone() })?;
        rt_resp(UnbindResponse { error_code: e, auxiliary_buffer: a.clone() })?;
        rt_resp(ModLinkAttResponse { error_code: e, auxiliary_buffer: a.clone() })?;
        rt_resp(ModPropsResponse { error_code: e, auxiliary_buffer: a.clone() })?;
        rt_resp(CompareMIdsResponse { error_code: e, result: d, auxiliary_buffer: a.clone() })?;
        rt_resp(GromoxCompareMIdsResponse(CompareMIdsResponse { error_code: e, result: d, auxiliary_buffer: a.clone() }))?;
        rt_resp(DnToMIdResponse { error_code: e, minimal_ids: m.clone(), auxiliary_buffer: a.clone() })?;
        rt_resp(GetMatchesResponse { error_code: e, state: s, minimal_ids: m.clone(), rows: rows.clone(), auxiliary_buffer: a.clone() })?;
        rt_resp(GetPropListResponse { error_code: e, property_tags: t.clone(), auxiliary_buffer: a.clone() })?;
        rt_resp(GetPropsResponse { error_code: e, code_page: x, property_values: b.then(|| tv.clone()), auxiliary_buffer: a.clone() })?;
        rt_resp(GetSpecialTableResponse { error_code: e, code_page: 1252, version: b.then_some(x), rows: b.then(|| vec![tv.clone(), vec![]]), auxiliary_buffer: a.clone() })?;
        rt_resp(GetTemplateInfoResponse { error_code: e, code_page: 0, row: b.then(|| tv.clone()), auxiliary_buffer: a.clone() })?;
        rt_resp(QueryColumnsResponse { error_code: e, columns: t.clone(), auxiliary_buffer: a.clone() })?;
        rt_resp(QueryRowsResponse { error_code: e, state: s, rows: rows.clone(), auxiliary_buffer: a.clone() })?;
        rt_resp(ResolveNamesResponse { error_code: e, code_page: 1200, minimal_ids: m.clone(), rows: rows.clone(), auxiliary_buffer: a.clone() })?;
        rt_resp(ResortRestrictionResponse { error_code: e, state: s, minimal_ids: m, auxiliary_buffer: a.clone() })?;
        rt_resp(SeekEntriesResponse { error_code: e, state: s, rows, auxiliary_buffer: a.clone() })?;
        rt_resp(UpdateStatResponse { error_code: e, state: s, delta: b.then_some(d), auxiliary_buffer: a.clone() })?;
        rt_resp(GetMailboxUrlResponse { error_code: e, server_url: "https://x/mapi/emsmdb/".into(), auxiliary_buffer: a.clone() })?;
        rt_resp(GetAddressBookUrlResponse { error_code: e, server_url: String::new(), auxiliary_buffer: a })?;
    }

    #[test]
    fn decoders_never_panic(data in proptest::collection::vec(any::<u8>(), 0..160)) {
        let _ = GetMatchesRequest::decode_exact(&data);
        let _ = QueryRowsRequest::decode_exact(&data);
        let _ = ResolveNamesRequest::decode_exact(&data);
        let _ = SeekEntriesRequest::decode_exact(&data);
        let _ = ModPropsRequest::decode_exact(&data);
        let _ = ModLinkAttRequest::decode_exact(&data);
        let _ = MapiResponse::<QueryRowsResponse>::decode_exact(&data);
        let _ = MapiResponse::<GetPropsResponse>::decode_exact(&data);
        let _ = MapiResponse::<GetSpecialTableResponse>::decode_exact(&data);
        let _ = MapiResponse::<ResolveNamesResponse>::decode_exact(&data);
        let _ = MapiResponse::<GetMatchesResponse>::decode_exact(&data);
        let _ = AddressBookRestriction::decode_exact(&data);
    }
}
