use super::*;
use crate::error_code::ErrorCode;
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
    /// The binary response body (after the meta-tag block), if any.
    fn body(&self) -> Option<&[u8]> {
        let off = self.json["meta"]["binary_offset"].as_u64()? as usize;
        Some(&self.resp[off..])
    }
}

fn captures(types: &[&str]) -> Vec<Capture> {
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
        if !types.contains(&json["request_type"].as_str().unwrap_or(""))
            || !json["request"]["line"].as_str().unwrap().contains("/mapi/emsmdb/")
        {
            continue;
        }
        let stem = n.trim_end_matches(".json").to_owned();
        let req = std::fs::read(dir.join(format!("{stem}.req.bin"))).unwrap();
        let resp = std::fs::read(dir.join(format!("{stem}.resp.bin"))).unwrap();
        out.push(Capture { name: stem, json, req, resp });
    }
    out
}

/// A JSON number, `"0x…"` or `"0x… Name"`.
fn num(v: &Value) -> u64 {
    match v {
        Value::Number(n) => n.as_u64().unwrap(),
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

#[test]
fn capture_004_connect() {
    let Some(c) = captures(&["Connect"]).into_iter().find(|c| c.name.starts_with("004")) else { return };
    let req: ConnectRequest = round_trip(&c.req, &c.name);
    assert_eq!(
        req.user_dn,
        "/o=Gromox default/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=0100000001000000-alice"
    );
    assert_eq!(
        (req.flags, req.default_code_page, req.lcid_sort, req.lcid_string),
        (ConnectFlags::EMPTY, 1252, 0x409, 0x409)
    );
    let resp: MapiResponse<ConnectResponse> = round_trip(c.body().unwrap(), &c.name);
    let r = resp.completed().unwrap();
    assert_eq!(r.error_code, ErrorCode::SUCCESS);
    assert_eq!((r.polls_max, r.retry_count, r.retry_delay), (60000, 6, 10000));
    assert_eq!((r.dn_prefix.as_str(), r.display_name.as_str()), ("", "Alice Tester"));
    assert_eq!(r.auxiliary_buffer.len(), 36);
    assert_eq!(&r.auxiliary_buffer[..8], &[0x00, 0x00, 0x04, 0x00, 0x1c, 0x00, 0x1c, 0x00]);
}

#[test]
fn capture_connect_all() {
    let caps = captures(&["Connect"]);
    for c in &caps {
        let f = &c.json["request_fields"];
        let req: ConnectRequest = round_trip(&c.req, &c.name);
        assert_eq!(req.user_dn, f["UserDn"].as_str().unwrap(), "{}", c.name);
        assert_eq!(u64::from(req.flags.0), num(&f["Flags"]), "{}", c.name);
        assert_eq!(u64::from(req.default_code_page), num(&f["DefaultCodePage"]));
        assert_eq!(u64::from(req.lcid_sort), num(&f["LcidSort"]));
        assert_eq!(u64::from(req.lcid_string), num(&f["LcidString"]));
        assert_eq!(req.auxiliary_buffer.len() as u64, num(&f["AuxiliaryBufferSize"]));
        let d = &c.json["response_decoded"];
        let resp: MapiResponse<ConnectResponse> = round_trip(c.body().unwrap(), &c.name);
        assert_eq!(u64::from(resp.status_code()), num(&d["StatusCode"]));
        let r = resp.completed().unwrap();
        assert_eq!(u64::from(r.error_code.0), num(&d["ErrorCode"]), "{}", c.name);
        assert_eq!(u64::from(r.polls_max), num(&d["PollsMax"]));
        assert_eq!(u64::from(r.retry_count), num(&d["RetryCount"]));
        assert_eq!(u64::from(r.retry_delay), num(&d["RetryDelay"]));
        assert_eq!(r.dn_prefix, d["DnPrefix"].as_str().unwrap());
        assert_eq!(r.display_name, d["DisplayName"].as_str().unwrap());
        assert_eq!(r.auxiliary_buffer.len() as u64, num(&d["AuxiliaryBufferSize"]));
        let raw = d["AuxiliaryBuffer"]["raw"].as_str().unwrap().replace(' ', "");
        assert_eq!(hex::encode(&r.auxiliary_buffer), raw, "{}", c.name);
    }
    if capture_dir().is_some() {
        assert_eq!(caps.len(), 7, "004, 073, 077, 079, 080, 081, 089");
    }
}

#[test]
fn capture_079_081_connect_errors_keep_the_full_layout() {
    let caps = captures(&["Connect"]);
    let codes: Vec<(String, ErrorCode)> = caps
        .iter()
        .filter(|c| ["079", "080", "081"].iter().any(|p| c.name.starts_with(p)))
        .map(|c| {
            let r: MapiResponse<ConnectResponse> = MapiResponse::decode_exact(c.body().unwrap()).unwrap();
            let r = r.completed().unwrap().clone();
            assert_eq!((r.polls_max, r.retry_count, r.retry_delay, r.display_name.as_str()), (0, 0, 0, ""));
            assert_eq!(r.auxiliary_buffer.len(), 36, "the aux buffer still comes");
            (c.name[..3].to_owned(), r.error_code)
        })
        .collect();
    if capture_dir().is_some() {
        assert_eq!(
            codes,
            vec![
                ("079".to_owned(), ErrorCode(0x8007_0005)),
                ("080".to_owned(), ErrorCode(0x8004_0115)),
                ("081".to_owned(), ErrorCode(0x3F2)),
            ]
        );
    }
}

#[test]
fn capture_execute_all() {
    let caps = captures(&["Execute"]);
    let mut ok_bodies = 0;
    for c in &caps {
        let f = &c.json["request_fields"];
        if f.get("Flags").is_none() {
            // 071: the body was deliberately truncated after RopBufferSize.
            let e = ExecuteRequest::decode_exact(&c.req).unwrap_err();
            assert!(e.is_incomplete(), "{}: {e:?}", c.name);
        } else {
            let req: ExecuteRequest = round_trip(&c.req, &c.name);
            assert_eq!(u64::from(req.flags.0), num(&f["Flags"]), "{}", c.name);
            assert_eq!(req.rop_buffer.len() as u64, num(&f["RopBufferSize"]), "{}", c.name);
            assert_eq!(u64::from(req.max_rop_out), num(&f["MaxRopOut"]), "{}", c.name);
            assert_eq!(req.auxiliary_buffer.len() as u64, num(&f["AuxiliaryBufferSize"]), "{}", c.name);
            // The RPC_HEADER_EXT opens the ROP buffer: Size matches.
            let h = &f["RPC_HEADER_EXT"];
            assert_eq!(
                u64::from(u16::from_le_bytes([req.rop_buffer[4], req.rop_buffer[5]])),
                num(&h["Size"]),
                "{}",
                c.name
            );
        }
        let Some(body) = c.body() else { continue };
        let d = &c.json["response_decoded"];
        let resp: MapiResponse<ExecuteResponse> = round_trip(body, &c.name);
        assert_eq!(u64::from(resp.status_code()), num(&d["StatusCode"]));
        let r = resp.completed().unwrap();
        assert_eq!(u64::from(r.error_code.0), num(&d["ErrorCode"]), "{}", c.name);
        assert_eq!(u64::from(r.flags), num(&d["Flags"]), "{}", c.name);
        assert_eq!(r.rop_buffer.len() as u64, num(&d["RopBufferSize"]), "{}", c.name);
        assert_eq!(r.auxiliary_buffer.len() as u64, num(&d["AuxiliaryBufferSize"]), "{}", c.name);
        assert_eq!(d["rpc_header_ext"].as_array().unwrap().is_empty(), r.rop_buffer.is_empty(), "{}", c.name);
        ok_bodies += 1;
    }
    if capture_dir().is_some() {
        assert_eq!(ok_bodies, 74, "every successful Execute (X-ResponseCode 0)");
    }
}

#[test]
fn capture_056_058_whole_execute_failures() {
    for c in captures(&["Execute"]).iter().filter(|c| ["056", "057", "058"].iter().any(|p| c.name.starts_with(p))) {
        let r: MapiResponse<ExecuteResponse> = MapiResponse::decode_exact(c.body().unwrap()).unwrap();
        let r = r.completed().unwrap();
        assert!(r.rop_buffer.is_empty());
        let want = match &c.name[..3] {
            "056" => 0x8004_0108,
            "057" => 0x4B6,
            _ => 0x47D,
        };
        assert_eq!(r.error_code, ErrorCode(want), "{}", c.name);
    }
}

#[test]
fn capture_disconnect_and_notificationwait() {
    let caps = captures(&["Disconnect", "NotificationWait", "PING"]);
    for c in &caps {
        let d = &c.json["response_decoded"];
        match c.json["request_type"].as_str().unwrap() {
            "Disconnect" => {
                let req: DisconnectRequest = round_trip(&c.req, &c.name);
                assert!(req.auxiliary_buffer.is_empty());
                let r: MapiResponse<DisconnectResponse> = round_trip(c.body().unwrap(), &c.name);
                let r = r.completed().unwrap();
                assert_eq!(u64::from(r.error_code.0), num(&d["ErrorCode"]));
                assert_eq!(r.auxiliary_buffer.len() as u64, num(&d["AuxiliaryBufferSize"]));
            }
            "NotificationWait" => {
                let req: NotificationWaitRequest = round_trip(&c.req, &c.name);
                assert_eq!(u64::from(req.flags), num(&c.json["request_fields"]["Flags"]));
                let Some(body) = c.body() else {
                    assert!(c.name.starts_with("134"), "{}", c.name);
                    continue;
                };
                let r: MapiResponse<NotificationWaitResponse> = round_trip(body, &c.name);
                let r = r.completed().unwrap();
                assert_eq!(u64::from(r.event_pending), num(&d["EventPending"]));
                assert!(r.has_events(), "042: a new mail was waiting");
            }
            _ => {
                // PING: no request body, no binary response body.
                assert!(c.req.is_empty() && c.body().unwrap().is_empty(), "{}", c.name);
            }
        }
    }
    if capture_dir().is_some() {
        assert_eq!(caps.len(), 6, "090, 123, 128, 042, 134, 006");
    }
}

#[test]
fn failed_status_layout() {
    let bytes = [0x05, 0, 0, 0, 2, 0, 0, 0, 0xAA, 0xBB];
    let r: MapiResponse<ConnectResponse> = round_trip(&bytes, "failed");
    assert_eq!(r, MapiResponse::Failed { status_code: 5, auxiliary_buffer: vec![0xAA, 0xBB] });
    let bad: MapiResponse<ConnectResponse> = MapiResponse::Failed { status_code: 0, auxiliary_buffer: vec![] };
    assert!(bad.to_bytes().is_err());
}

#[test]
fn hostile_sizes_are_refused_without_allocation() {
    // RopBufferSize 0xFFFFFFFF with 4 bytes behind it.
    let bytes = [3, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4];
    assert!(matches!(ExecuteRequest::decode_exact(&bytes), Err(DecodeError::Incomplete { what: "RopBuffer", .. })));
    // Connect response truncated inside DisplayName.
    let mut w = Vec::new();
    MapiResponse::Completed(ConnectResponse {
        error_code: ErrorCode::SUCCESS,
        polls_max: 1,
        retry_count: 2,
        retry_delay: 3,
        dn_prefix: String::new(),
        display_name: "Bob".into(),
        auxiliary_buffer: vec![],
    })
    .encode(&mut w)
    .unwrap();
    for n in 0..w.len() {
        assert!(MapiResponse::<ConnectResponse>::decode_exact(&w[..n]).is_err());
    }
}

#[test]
fn flags_debug_and_bits() {
    let f = ExecuteFlags::NO_COMPRESSION | ExecuteFlags::NO_XOR_MAGIC;
    assert_eq!(f.0, 3);
    assert!(f.contains(ExecuteFlags::NO_XOR_MAGIC) && !f.contains(ExecuteFlags::CHAIN));
    assert_eq!(format!("{f:?}"), "NoCompression | NoXorMagic");
    assert_eq!(format!("{:?}", ExecuteFlags(0x14)), "Chain | 0x10");
    assert_eq!(format!("{:?}", ExecuteFlags(0)), "0x0");
}

#[test]
fn strings_that_do_not_fit_are_refused() {
    let mut req = ConnectRequest {
        user_dn: "/o=Ω".into(),
        flags: ConnectFlags::EMPTY,
        default_code_page: 1252,
        lcid_sort: 0x409,
        lcid_string: 0x409,
        auxiliary_buffer: vec![],
    };
    assert!(req.to_bytes().is_err());
    req.user_dn = "a\0b".into();
    assert!(req.to_bytes().is_err());
    req.user_dn = "/o=Müller".into(); // ISO 8859-1 is fine
    assert_eq!(ConnectRequest::decode_exact(&req.to_bytes().unwrap()).unwrap(), req);
}

fn latin1_string() -> impl Strategy<Value = String> {
    proptest::collection::vec(1u8..=255, 0..40).prop_map(|b| b.into_iter().map(char::from).collect())
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..64)
}

proptest! {
    #[test]
    fn connect_round_trip(dn in latin1_string(), flags in any::<u32>(), cp in any::<u32>(), ls in any::<u32>(), lst in any::<u32>(), aux in bytes(),
                          ec in any::<u32>(), pm in any::<u32>(), rc in any::<u32>(), rd in any::<u32>(), prefix in latin1_string(), name in "[^\u{0}]{0,20}") {
        let req = ConnectRequest { user_dn: dn, flags: ConnectFlags(flags), default_code_page: cp, lcid_sort: ls, lcid_string: lst, auxiliary_buffer: aux.clone() };
        prop_assert_eq!(ConnectRequest::decode_exact(&req.to_bytes().unwrap()).unwrap(), req);
        let resp = MapiResponse::Completed(ConnectResponse { error_code: ErrorCode(ec), polls_max: pm, retry_count: rc, retry_delay: rd, dn_prefix: prefix, display_name: name, auxiliary_buffer: aux });
        prop_assert_eq!(MapiResponse::<ConnectResponse>::decode_exact(&resp.to_bytes().unwrap()).unwrap(), resp);
    }

    #[test]
    fn execute_round_trip(flags in any::<u32>(), rop in bytes(), max in any::<u32>(), aux in bytes(), ec in any::<u32>(), rf in any::<u32>(), status in 1u32..) {
        let req = ExecuteRequest { flags: ExecuteFlags(flags), rop_buffer: rop.clone(), max_rop_out: max, auxiliary_buffer: aux.clone() };
        prop_assert_eq!(ExecuteRequest::decode_exact(&req.to_bytes().unwrap()).unwrap(), req);
        let resp = MapiResponse::Completed(ExecuteResponse { error_code: ErrorCode(ec), flags: rf, rop_buffer: rop, auxiliary_buffer: aux.clone() });
        prop_assert_eq!(MapiResponse::<ExecuteResponse>::decode_exact(&resp.to_bytes().unwrap()).unwrap(), resp);
        let failed: MapiResponse<ExecuteResponse> = MapiResponse::Failed { status_code: status, auxiliary_buffer: aux };
        prop_assert_eq!(MapiResponse::<ExecuteResponse>::decode_exact(&failed.to_bytes().unwrap()).unwrap(), failed);
    }

    #[test]
    fn small_bodies_round_trip(flags in any::<u32>(), aux in bytes(), ec in any::<u32>(), ev in any::<u32>()) {
        let d = DisconnectRequest { auxiliary_buffer: aux.clone() };
        prop_assert_eq!(DisconnectRequest::decode_exact(&d.to_bytes().unwrap()).unwrap(), d);
        let dr = MapiResponse::Completed(DisconnectResponse { error_code: ErrorCode(ec), auxiliary_buffer: aux.clone() });
        prop_assert_eq!(MapiResponse::<DisconnectResponse>::decode_exact(&dr.to_bytes().unwrap()).unwrap(), dr);
        let n = NotificationWaitRequest { flags, auxiliary_buffer: aux.clone() };
        prop_assert_eq!(NotificationWaitRequest::decode_exact(&n.to_bytes().unwrap()).unwrap(), n);
        let nr = MapiResponse::Completed(NotificationWaitResponse { error_code: ErrorCode(ec), event_pending: ev, auxiliary_buffer: aux });
        prop_assert_eq!(MapiResponse::<NotificationWaitResponse>::decode_exact(&nr.to_bytes().unwrap()).unwrap(), nr);
    }

    #[test]
    fn decoders_never_panic(data in proptest::collection::vec(any::<u8>(), 0..120)) {
        let _ = ConnectRequest::decode_exact(&data);
        let _ = MapiResponse::<ConnectResponse>::decode_exact(&data);
        let _ = ExecuteRequest::decode_exact(&data);
        let _ = MapiResponse::<ExecuteResponse>::decode_exact(&data);
        let _ = NotificationWaitRequest::decode_exact(&data);
        let _ = MapiResponse::<NotificationWaitResponse>::decode_exact(&data);
        let _ = DisconnectRequest::decode_exact(&data);
        let _ = MapiResponse::<DisconnectResponse>::decode_exact(&data);
    }
}

#[test]
fn capture_request_dispatch_by_request_type() {
    use crate::http::{RequestKind, RequestType};
    let caps = captures(&["Connect", "Execute", "Disconnect", "NotificationWait", "PING"]);
    let mut n = 0;
    for c in &caps {
        if c.json["X-ResponseCode"] != "0" {
            continue;
        }
        let kind = RequestType::parse(c.json["request_type"].as_str().unwrap()).unwrap().kind().unwrap();
        let req = Request::decode_for(kind, &c.req).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        assert_eq!(req.kind(), kind);
        assert_eq!(req.to_bytes().unwrap(), c.req, "{}", c.name);
        n += 1;
    }
    if capture_dir().is_some() {
        assert_eq!(n, 87, "7 Connect, 74 Execute, 3 Disconnect, 2 NotificationWait, 1 PING");
    }
    assert!(Request::decode_for(RequestKind::Bind, &[0; 4]).is_err());
    assert!(Request::decode_for(RequestKind::Ping, &[0]).is_err());
}
