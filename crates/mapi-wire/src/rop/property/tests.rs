//! Known answers (captures 007-style property ROPs: 014, 015, 017, 019,
//! 023–025, 027, 029, 124, 126) and round trips for the property ROPs.

use super::*;
use crate::prop_value::{FlaggedValue, PropValue};
use crate::rop::misc::tests::*;
use proptest::prelude::*;

const PS_PUBLIC_STRINGS: &str = "00020329-0000-0000-c000-000000000046";
const PSETID_APPOINTMENT: &str = "00062002-0000-0000-c000-000000000046";

fn ctx_with_columns(tags: &[PropTag]) -> ResponseContext<'_> {
    ResponseContext { columns: Some(tags), ..ResponseContext::default() }
}

#[test]
fn capture_015_get_properties_specific_flagged_row() {
    let reqs = capture_requests("015", 0x07);
    if reqs.is_empty() {
        return;
    }
    let req: GetPropertiesSpecificRequest = request_known_answer(&reqs[0]);
    assert_eq!(req.want_unicode, 1);
    assert_eq!(req.property_tags.len(), 7);
    assert_eq!(req.property_tags[6], PropTag(0x1013_001F));
    let (b, _) = &capture_responses("015", 0x07)[0];
    let v: GetPropertiesSpecificResponse = response_known_answer(b, &ctx_with_columns(&req.property_tags));
    let Some(PropertyRow::Flagged(values)) = &v.row else { panic!("flagged row expected: {v:?}") };
    assert_eq!(values[0], FlaggedValue::Value(PropValue::String("Plain-text fallback\r\n".into())));
    // A19: PidTagBodyHtml (string alias) is not found, PidTagNativeBody neither.
    assert_eq!(values[6], FlaggedValue::Error(ErrorCode::NOT_FOUND));
    assert_eq!(values[3], FlaggedValue::Error(ErrorCode::NOT_FOUND));
    assert_eq!(values[4], FlaggedValue::Value(PropValue::I32(65001)));
    // Through the dispatcher the tags come from the paired request.
    let request = crate::rop::RopRequest::GetPropertiesSpecific(req.clone());
    let ctx = ResponseContext { request: Some(&request), ..ResponseContext::default() };
    let Ok(crate::rop::RopResponse::GetPropertiesSpecific(d)) =
        crate::rop::RopResponse::decode(&mut Reader::new(b), &ctx)
    else {
        panic!("dispatch")
    };
    assert_eq!(d, v);
    // Without the request's tags the response cannot be decoded.
    let mut r = Reader::new(&b[1..]);
    assert!(GetPropertiesSpecificResponse::decode_body(&mut r, &ResponseContext::default()).is_err());
}

#[test]
fn capture_017_size_limit_ignored() {
    let reqs = capture_requests("017", 0x07);
    if reqs.is_empty() {
        return;
    }
    let req: GetPropertiesSpecificRequest = request_known_answer(&reqs[0]);
    assert_eq!(req.property_size_limit, 16);
    let (b, _) = &capture_responses("017", 0x07)[0];
    let v: GetPropertiesSpecificResponse = response_known_answer(b, &ctx_with_columns(&req.property_tags));
    let Some(PropertyRow::Standard(values)) = &v.row else { panic!("standard row expected") };
    // A18: the body is longer than the 16-byte limit and still comes back whole.
    let PropValue::String(body) = &values[0] else { panic!("string") };
    assert!(body.len() > 16 && body.starts_with("Hello Alice,"));
    assert_eq!(values[1], PropValue::String("Welcome to the gromox test box".into()));
}

#[test]
fn captures_014_019_027_029_get_properties_all() {
    for (cap, count) in [("014", 66), ("019", 11), ("027", 48), ("029", 38)] {
        let reqs = capture_requests(cap, 0x08);
        if reqs.is_empty() {
            return;
        }
        let req: GetPropertiesAllRequest = request_known_answer(&reqs[0]);
        assert_eq!((req.property_size_limit, req.want_unicode), (0, 1));
        let (b, j) = &capture_responses(cap, 0x08)[0];
        let v: GetPropertiesAllResponse = response_known_answer(b, &ResponseContext::default());
        let values = v.values.unwrap();
        assert_eq!(values.len(), count, "capture {cap}");
        if let Some(n) = j["PropertyValueCount"].as_u64() {
            assert_eq!(values.len() as u64, n);
        }
        if cap != "019" {
            assert_eq!(values[0], TaggedValue { tag: PropTag(0x0FF4_0003), value: PropValue::I32(7) });
        }
    }
}

#[test]
fn captures_023_024_124_126_get_property_ids_from_names() {
    let reqs = capture_requests("023", 0x56);
    if reqs.is_empty() {
        return;
    }
    let req: GetPropertyIdsFromNamesRequest = request_known_answer(&reqs[0]);
    assert_eq!(req.flags, 0);
    assert_eq!(req.names.len(), 6);
    let appt = Guid::parse(PSETID_APPOINTMENT).unwrap();
    assert_eq!(req.names[0], PropertyName::Id { guid: appt, lid: 0x820D });
    assert_eq!(
        req.names[4],
        PropertyName::Name { guid: Guid::parse(PS_PUBLIC_STRINGS).unwrap(), name: "Keywords".into() }
    );
    let create: GetPropertyIdsFromNamesRequest = request_known_answer(&capture_requests("024", 0x56)[0]);
    assert_eq!(create.flags, GetPropertyIdsFromNamesRequest::CREATE);
    let ctx = ResponseContext::default();
    for cap in ["023", "024"] {
        let v: GetPropertyIdsFromNamesResponse = response_known_answer(&capture_responses(cap, 0x56)[0].0, &ctx);
        assert_eq!(v.property_ids.unwrap(), [0x809D, 0x809E, 0x80A6, 0x8099, 0x817A, 0x804B]);
    }
    // A13: an unmapped name without the create flag gives id 0 with ReturnValue 0.
    request_known_answer::<GetPropertyIdsFromNamesRequest>(&capture_requests("124", 0x56)[0]);
    let v: GetPropertyIdsFromNamesResponse = response_known_answer(&capture_responses("124", 0x56)[0].0, &ctx);
    assert_eq!(v.return_value, ErrorCode::SUCCESS);
    assert_eq!(v.property_ids.unwrap(), [0x809D, 0x0000]);
    let g: GetPropertyIdsFromNamesRequest = request_known_answer(&capture_requests("126", 0x56)[0]);
    assert_eq!(g.names.len(), 2);
    let v: GetPropertyIdsFromNamesResponse = response_known_answer(&capture_responses("126", 0x56)[0].0, &ctx);
    assert_eq!(v.property_ids.unwrap(), [0x8003, 0x801B]);
}

#[test]
fn tv11_get_property_ids_from_names_request() {
    let b = hex::decode(
        concat!(
            "560000020200",
            "00",
            "0220060000000000c000000000000046",
            "0d820000",
            "0129030200000000 00c000000000000046124b00650079007700 6f00720064007300 0000",
        )
        .replace(' ', ""),
    )
    .unwrap();
    let v: GetPropertyIdsFromNamesRequest = request_known_answer(&b);
    assert_eq!(v.flags, 2);
    assert_eq!(v.names[0], PropertyName::Id { guid: Guid::parse(PSETID_APPOINTMENT).unwrap(), lid: 0x820D });
    assert_eq!(
        v.names[1],
        PropertyName::Name { guid: Guid::parse(PS_PUBLIC_STRINGS).unwrap(), name: "Keywords".into() }
    );
}

#[test]
fn capture_025_get_names_from_property_ids() {
    let reqs = capture_requests("025", 0x55);
    if reqs.is_empty() {
        return;
    }
    let req: GetNamesFromPropertyIdsRequest = request_known_answer(&reqs[0]);
    assert_eq!(req.property_ids, [0x809D, 0x809E, 0x80A6, 0x8099, 0x817A, 0x804B, 0x8FFE, 0x0037]);
    let v: GetNamesFromPropertyIdsResponse =
        response_known_answer(&capture_responses("025", 0x55)[0].0, &ResponseContext::default());
    let names = v.names.unwrap();
    assert_eq!(names.len(), 8);
    assert_eq!(names[0], PropertyName::Id { guid: Guid::parse(PSETID_APPOINTMENT).unwrap(), lid: 0x820D });
    // B15: unknown id -> Kind 0xFF + zero GUID; id < 0x8000 -> PS_MAPI, LID = id.
    assert_eq!(names[6], PropertyName::None { guid: Guid::NIL });
    assert_eq!(
        names[7],
        PropertyName::Id { guid: Guid::parse("00020328-0000-0000-c000-000000000046").unwrap(), lid: 0x37 }
    );
}

#[test]
fn set_properties_size_counts_count_and_values() {
    // [MS-OXCROPS] 2.2.8.6.1: PropertyValueSize covers PropertyValueCount + values.
    let v = SetPropertiesRequest {
        logon_id: 0,
        input_handle_index: 1,
        values: vec![TaggedValue { tag: PropTag(0x0037_001F), value: PropValue::String("Hi".into()) }],
    };
    let mut w = vec![0x0A];
    v.encode_body(&mut w).unwrap();
    assert_eq!(hex::encode(&w), "0a00010c0001001f00370048006900 0000".replace(' ', ""));
    request_known_answer::<SetPropertiesRequest>(&w);
}

#[test]
fn copy_to_null_destination_and_warn_with_errors() {
    let ctx = ResponseContext::default();
    let b = [0x39, 0x01, 0x03, 0x05, 0, 0, 0x02, 0, 0, 0];
    let v: CopyToResponse = response_known_answer(&b, &ctx);
    assert_eq!((v.dest_handle_index, v.problems), (Some(2), None));
    let b = [0x56, 0x00, 0x80, 0x03, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00];
    let v: GetPropertyIdsFromNamesResponse = response_known_answer(&b, &ctx);
    assert_eq!(v.property_ids, Some(vec![0]));
}

// ---------------------------------------------------------------------------
// Strategies and round trips
// ---------------------------------------------------------------------------

pub(crate) fn arb_value() -> impl Strategy<Value = PropValue> {
    prop_oneof![
        any::<i16>().prop_map(PropValue::I16),
        any::<i32>().prop_map(PropValue::I32),
        any::<i64>().prop_map(PropValue::I64),
        any::<bool>().prop_map(PropValue::Bool),
        any::<u32>().prop_map(|e| PropValue::Error(ErrorCode(e))),
        "[a-zA-Z0-9 äöü✉]{0,12}".prop_map(PropValue::String),
        proptest::collection::vec(1u8..=255, 0..12).prop_map(PropValue::String8),
        proptest::collection::vec(any::<u8>(), 0..24).prop_map(PropValue::Binary),
        any::<[u8; 16]>().prop_map(|g| PropValue::Guid(Guid(g))),
        proptest::collection::vec(any::<i32>(), 0..4).prop_map(PropValue::MvI32),
        proptest::collection::vec("[a-z]{0,6}", 0..3).prop_map(PropValue::MvString),
        proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..6), 0..3).prop_map(PropValue::MvBinary),
    ]
}

pub(crate) fn arb_tagged() -> impl Strategy<Value = TaggedValue> {
    (1u16..0xFFFF, arb_value()).prop_map(|(id, value)| TaggedValue::new(id, value))
}

fn arb_name() -> impl Strategy<Value = PropertyName> {
    prop_oneof![
        (any::<[u8; 16]>(), any::<u32>()).prop_map(|(g, lid)| PropertyName::Id { guid: Guid(g), lid }),
        (any::<[u8; 16]>(), "[a-zA-Z]{0,20}").prop_map(|(g, name)| PropertyName::Name { guid: Guid(g), name }),
        any::<[u8; 16]>().prop_map(|g| PropertyName::None { guid: Guid(g) }),
    ]
}

fn arb_tags() -> impl Strategy<Value = Vec<PropTag>> {
    proptest::collection::vec(any::<u32>().prop_map(PropTag), 0..6)
}

fn arb_problems() -> impl Strategy<Value = Vec<PropertyProblem>> {
    proptest::collection::vec(
        (any::<u16>(), any::<u32>(), any::<u32>()).prop_map(|(index, tag, e)| PropertyProblem {
            index,
            tag: PropTag(tag),
            error: ErrorCode(e),
        }),
        0..4,
    )
}

fn rv_and<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = (ErrorCode, Option<T>)> {
    (any::<bool>(), 1u32.., s).prop_map(|(ok, rv, v)| if ok { (ErrorCode(0), Some(v)) } else { (ErrorCode(rv), None) })
}

proptest! {
    #[test]
    fn property_requests_round_trip(
        tags in arb_tags(), values in proptest::collection::vec(arb_tagged(), 0..5),
        names in proptest::collection::vec(arb_name(), 0..4), ids in proptest::collection::vec(any::<u16>(), 0..6),
        a in any::<u8>(), b in any::<u8>(), c in any::<u16>(), g in proptest::option::of(any::<[u8; 16]>()),
    ) {
        request_round_trip(&GetPropertiesSpecificRequest {
            logon_id: a, input_handle_index: b, property_size_limit: c, want_unicode: 1, property_tags: tags.clone(),
        });
        request_round_trip(&GetPropertiesAllRequest { logon_id: a, input_handle_index: b, property_size_limit: c, want_unicode: 0 });
        request_round_trip(&GetPropertiesListRequest { logon_id: a, input_handle_index: b });
        let set = SetPropertiesRequest { logon_id: a, input_handle_index: b, values };
        request_round_trip(&set);
        request_round_trip(&SetPropertiesNoReplicateRequest(set));
        let del = DeletePropertiesRequest { logon_id: a, input_handle_index: b, property_tags: tags.clone() };
        request_round_trip(&del);
        request_round_trip(&DeletePropertiesNoReplicateRequest(del));
        request_round_trip(&CopyPropertiesRequest {
            logon_id: a, source_handle_index: b, dest_handle_index: 2, want_asynchronous: 0, copy_flags: 1, property_tags: tags.clone(),
        });
        request_round_trip(&CopyToRequest {
            logon_id: a, source_handle_index: b, dest_handle_index: 2, want_asynchronous: 1, want_sub_objects: 1,
            copy_flags: 2, excluded_tags: tags,
        });
        request_round_trip(&ProgressRequest { logon_id: a, input_handle_index: b, want_cancel: 1 });
        request_round_trip(&GetPropertyIdsFromNamesRequest { logon_id: a, input_handle_index: b, flags: 2, names });
        request_round_trip(&GetNamesFromPropertyIdsRequest { logon_id: a, input_handle_index: b, property_ids: ids });
        request_round_trip(&QueryNamedPropertiesRequest {
            logon_id: a, input_handle_index: b, query_flags: 1, property_guid: g.map(Guid),
        });
    }

    #[test]
    fn property_responses_round_trip(
        (rv, values) in rv_and(proptest::collection::vec(arb_tagged(), 0..5)),
        (rv2, tags) in rv_and(arb_tags()),
        (rv3, problems) in rv_and(arb_problems()),
        (rv4, names) in rv_and(proptest::collection::vec(arb_name(), 0..4)),
        (rv5, ids) in rv_and(proptest::collection::vec(any::<u16>(), 0..5)),
        (rv6, progress) in rv_and((any::<u8>(), any::<u32>(), any::<u32>())),
        row_values in proptest::collection::vec(arb_value(), 0..5),
        dest in any::<u32>(), hi in any::<u8>(),
    ) {
        let ctx = ResponseContext::default();
        response_round_trip(&GetPropertiesAllResponse { handle_index: hi, return_value: rv, values }, &ctx);
        response_round_trip(&GetPropertiesListResponse { handle_index: hi, return_value: rv2, property_tags: tags }, &ctx);
        response_round_trip(&SetPropertiesResponse { handle_index: hi, return_value: rv3, problems: problems.clone() }, &ctx);
        response_round_trip(&SetPropertiesNoReplicateResponse { handle_index: hi, return_value: rv3, problems: problems.clone() }, &ctx);
        response_round_trip(&DeletePropertiesResponse { handle_index: hi, return_value: rv3, problems: problems.clone() }, &ctx);
        response_round_trip(&DeletePropertiesNoReplicateResponse { handle_index: hi, return_value: rv3, problems: problems.clone() }, &ctx);
        let null_dest = rv3 == ErrorCode::DST_NULL_OBJECT;
        response_round_trip(&CopyPropertiesResponse {
            handle_index: hi, return_value: rv3, dest_handle_index: null_dest.then_some(dest), problems: problems.clone(),
        }, &ctx);
        response_round_trip(&CopyToResponse {
            handle_index: hi, return_value: ErrorCode::DST_NULL_OBJECT, dest_handle_index: Some(dest), problems: None,
        }, &ctx);
        response_round_trip(&GetNamesFromPropertyIdsResponse { handle_index: hi, return_value: rv4, names: names.clone() }, &ctx);
        let ids_rv = if rv5 == ErrorCode::WARN_WITH_ERRORS { ErrorCode(1) } else { rv5 };
        response_round_trip(&GetPropertyIdsFromNamesResponse { handle_index: hi, return_value: ids_rv, property_ids: ids.clone() }, &ctx);
        response_round_trip(&QueryNamedPropertiesResponse {
            handle_index: hi, return_value: rv4,
            properties: names.map(|n| n.into_iter().enumerate().map(|(i, n)| (0x8000 + i as u16, n)).collect()),
        }, &ctx);
        response_round_trip(&ProgressResponse {
            handle_index: hi, return_value: rv6,
            success: progress.map(|(l, c, t)| Progress { logon_id: l, completed_task_count: c, total_task_count: t }),
        }, &ctx);
        // GetPropertiesSpecific: a standard row in columns of the values' own types.
        let columns: Vec<PropTag> = row_values.iter().enumerate().map(|(i, v)| PropTag::new(0x100 + i as u16, v.prop_type())).collect();
        let v = GetPropertiesSpecificResponse {
            handle_index: hi, return_value: ErrorCode(0), columns: columns.clone(), row: Some(PropertyRow::Standard(row_values)),
        };
        response_round_trip(&v, &ctx_with_columns(&columns));
    }

    #[test]
    fn property_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..96)) {
        request_bytes_round_trip::<GetPropertiesSpecificRequest>(&b);
        request_bytes_round_trip::<QueryNamedPropertiesRequest>(&b);
        request_bytes_round_trip::<GetNamesFromPropertyIdsRequest>(&b);
        request_bytes_round_trip::<CopyToRequest>(&b);
        // Values with non-canonical forms (Boolean 2, lone surrogates) do not
        // re-encode byte for byte; only require no panic for those.
        let ctx = ResponseContext::default();
        let _ = SetPropertiesRequest::decode_body(&mut Reader::new(&b));
        let _ = GetPropertyIdsFromNamesRequest::decode_body(&mut Reader::new(&b));
        let _ = GetPropertiesAllResponse::decode_body(&mut Reader::new(&b), &ctx);
        let _ = QueryNamedPropertiesResponse::decode_body(&mut Reader::new(&b), &ctx);
        let _ = GetNamesFromPropertyIdsResponse::decode_body(&mut Reader::new(&b), &ctx);
    }
}
