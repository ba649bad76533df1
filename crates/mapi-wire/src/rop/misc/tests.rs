//! Shared test support for the rop2 modules (capture loading, byte-level round-trip
//! checks, whole-buffer capture checks) and the permission/rule ROP tests.

use super::*;
use crate::rop::{ResponseContext, RopRequestBody, RopResponseBody};
use proptest::prelude::*;

/// Loads a capture file, or returns None (with a note) when the capture
/// set is not on this machine.
pub(crate) use crate::testdata::capture;

/// The capture's JSON, parsed.
pub(crate) fn capture_json(prefix: &str) -> Option<serde_json::Value> {
    let dirs = [
        std::env::var("MAPI_CAPTURES").ok().map(std::path::PathBuf::from),
        Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/captures/gromox-3.10")),
        Some(std::path::PathBuf::from("/work/shared/captures/gromox-3.10")),
    ];
    for d in dirs.into_iter().flatten() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.starts_with(prefix) && n.ends_with(".json") && !n.contains("fxstream") {
                let text = std::fs::read_to_string(e.path()).ok()?;
                return serde_json::from_str(&text).ok();
            }
        }
    }
    eprintln!("note: capture {prefix} not found; skipping");
    None
}

pub(crate) fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.split_whitespace().collect::<String>()).expect("hex")
}

/// The exact bytes of a hex field that may be cut "...(N bytes)": cut
/// ones are found again in the response/request `.bin` by their prefix.
fn full_bytes(prefix: &str, hex_field: &str, bin_suffix: &str) -> Vec<u8> {
    match hex_field.find("...(") {
        None => unhex(hex_field),
        Some(at) => {
            let head = unhex(&hex_field[..at]);
            let rest = &hex_field[at + 4..];
            let n: usize = rest[..rest.find(' ').expect("count")].parse().expect("count");
            let dir = std::path::Path::new("/work/shared/captures/gromox-3.10");
            let file = std::fs::read_dir(dir)
                .expect("dir")
                .flatten()
                .find(|e| {
                    let f = e.file_name().to_string_lossy().into_owned();
                    f.starts_with(prefix) && f.ends_with(bin_suffix)
                })
                .expect("bin file");
            let bin = std::fs::read(file.path()).expect("bin");
            let pos = bin.windows(head.len()).position(|w| w == head.as_slice()).expect("prefix in .bin");
            bin[pos..pos + n].to_vec()
        }
    }
}

/// Request ROP bytes (RopId included) of capture `prefix` whose RopId is `id`.
pub(crate) fn capture_requests(prefix: &str, id: u8) -> Vec<Vec<u8>> {
    let Some(j) = capture_json(prefix) else { return Vec::new() };
    j["rops"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| full_bytes(prefix, r["bytes"].as_str().expect("bytes"), ".req.bin"))
        .filter(|b| b.first() == Some(&id))
        .collect()
}

/// Response ROP bytes (RopId included) of capture `prefix` whose RopId is `id`,
/// with their decoded JSON.
pub(crate) fn capture_responses(prefix: &str, id: u8) -> Vec<(Vec<u8>, serde_json::Value)> {
    let Some(j) = capture_json(prefix) else { return Vec::new() };
    let mut out = Vec::new();
    for ext in j["response_decoded"]["rpc_header_ext"].as_array().into_iter().flatten() {
        for r in ext["decoded"]["responses"].as_array().into_iter().flatten() {
            if let Some(h) = r["bytes"].as_str() {
                let b = full_bytes(prefix, h, ".resp.bin");
                if b.first() == Some(&id) {
                    out.push((b, r.clone()));
                }
            }
        }
    }
    out
}

/// The ROP payloads (RopSize .. end of handle table) of every
/// RPC_HEADER_EXT of an uncompressed Execute response capture.
pub(crate) fn execute_response_payloads(name: &str) -> Vec<Vec<u8>> {
    let Some(bin) = capture(name) else { return Vec::new() };
    let start = bin.windows(4).position(|w| w == b"\r\n\r\n").expect("end of meta block") + 4;
    let mut r = Reader::new(&bin[start..]);
    let _status = r.u32("StatusCode").unwrap();
    let _error = r.u32("ErrorCode").unwrap();
    let _flags = r.u32("Flags").unwrap();
    let size = r.u32("RopBufferSize").unwrap() as usize;
    let mut rb = r.sub(size, "RopBuffer").unwrap();
    let mut out = Vec::new();
    while !rb.is_empty() {
        let _version = rb.u16("Version").unwrap();
        let flags = rb.u16("Flags").unwrap();
        assert_eq!(flags & 0x3, 0, "compressed/XOR payloads are not handled here");
        let sz = rb.u16("Size").unwrap() as usize;
        let _actual = rb.u16("SizeActual").unwrap();
        out.push(rb.bytes(sz, "payload").unwrap().to_vec());
    }
    out
}

/// Decodes a request (bytes include RopId), checks it re-encodes byte-identically.
pub(crate) fn request_known_answer<T: RopRequestBody + std::fmt::Debug>(bytes: &[u8]) -> T {
    assert_eq!(bytes[0], T::ID.0, "RopId");
    let mut r = Reader::new(&bytes[1..]);
    let v = T::decode_body(&mut r).unwrap_or_else(|e| panic!("{e} in {}", hex::encode(bytes)));
    r.expect_end("request").unwrap();
    let mut w = vec![T::ID.0];
    v.encode_body(&mut w).unwrap();
    assert_eq!(hex::encode(&w), hex::encode(bytes), "{v:?}");
    v
}

/// Decodes a response (bytes include RopId), checks it re-encodes byte-identically.
pub(crate) fn response_known_answer<T: RopResponseBody + std::fmt::Debug>(
    bytes: &[u8],
    ctx: &ResponseContext<'_>,
) -> T {
    assert_eq!(bytes[0], T::ID.0, "RopId");
    let mut r = Reader::new(&bytes[1..]);
    let v = T::decode_body(&mut r, ctx).unwrap_or_else(|e| panic!("{e}"));
    r.expect_end("response").unwrap();
    let mut w = vec![T::ID.0];
    v.encode_body(&mut w).unwrap();
    assert!(w == bytes, "re-encoding differs: {v:?}");
    v
}

/// Round trip for a value: encode, decode, compare; and no trailing bytes.
pub(crate) fn request_round_trip<T: RopRequestBody + std::fmt::Debug + PartialEq>(v: &T) {
    let mut w = Vec::new();
    v.encode_body(&mut w).unwrap();
    let mut r = Reader::new(&w);
    let back = T::decode_body(&mut r).unwrap();
    assert!(r.is_empty());
    assert_eq!(&back, v);
}

/// Round trip for a response value.
pub(crate) fn response_round_trip<T: RopResponseBody + std::fmt::Debug + PartialEq>(v: &T, ctx: &ResponseContext<'_>) {
    let mut w = Vec::new();
    v.encode_body(&mut w).unwrap();
    let mut r = Reader::new(&w);
    let back = T::decode_body(&mut r, ctx).unwrap();
    assert!(r.is_empty());
    assert_eq!(&back, v);
}

/// Bytes → value → bytes: whatever a request decoder accepts re-encodes to
/// exactly the bytes it consumed (and never panics on arbitrary input).
pub(crate) fn request_bytes_round_trip<T: RopRequestBody + std::fmt::Debug + PartialEq>(bytes: &[u8]) {
    let mut r = Reader::new(bytes);
    if let Ok(v) = T::decode_body(&mut r) {
        let used = bytes.len() - r.remaining();
        let mut w = Vec::new();
        v.encode_body(&mut w).unwrap();
        assert_eq!(w, &bytes[..used]);
        request_round_trip(&v);
    }
}

/// Bytes → value → bytes for responses.
pub(crate) fn response_bytes_round_trip<T: RopResponseBody + std::fmt::Debug + PartialEq>(bytes: &[u8]) {
    let ctx = ResponseContext::default();
    let mut r = Reader::new(bytes);
    if let Ok(v) = T::decode_body(&mut r, &ctx) {
        let used = bytes.len() - r.remaining();
        let mut w = Vec::new();
        v.encode_body(&mut w).unwrap();
        assert_eq!(w, &bytes[..used]);
        response_round_trip(&v, &ctx);
    }
}

/// A byte strategy that favours success ReturnValues for responses
/// (byte 1..5 zero half of the time).
pub(crate) fn response_bytes() -> impl Strategy<Value = Vec<u8>> {
    (any::<bool>(), proptest::collection::vec(any::<u8>(), 0..64)).prop_map(|(ok, mut b)| {
        if ok && b.len() >= 5 {
            b[1..5].fill(0);
        }
        b
    })
}

proptest! {
    #[test]
    fn misc_requests_round_trip(b in proptest::collection::vec(any::<u8>(), 0..64)) {
        request_bytes_round_trip::<GetPermissionsTableRequest>(&b);
        request_bytes_round_trip::<GetRulesTableRequest>(&b);
        request_bytes_round_trip::<UpdateDeferredActionMessagesRequest>(&b);
        let _ = ModifyPermissionsRequest::decode_body(&mut Reader::new(&b));
        let _ = ModifyRulesRequest::decode_body(&mut Reader::new(&b));
    }

    #[test]
    fn modify_rows_round_trip(
        rows in proptest::collection::vec(
            (any::<u8>(), proptest::collection::vec(crate::rop::property::tests::arb_tagged(), 0..3)),
            0..3,
        ),
        flags in any::<u8>(),
    ) {
        let rows: Vec<ModifyRow> = rows.into_iter().map(|(flags, values)| ModifyRow { flags, values }).collect();
        request_round_trip(&ModifyPermissionsRequest { logon_id: 0, input_handle_index: 1, modify_flags: flags, rows: rows.clone() });
        request_round_trip(&ModifyRulesRequest { logon_id: 0, input_handle_index: 1, modify_rules_flags: flags, rules: rows });
    }

    #[test]
    fn misc_responses_round_trip(b in response_bytes()) {
        response_bytes_round_trip::<GetPermissionsTableResponse>(&b);
        response_bytes_round_trip::<GetRulesTableResponse>(&b);
        response_bytes_round_trip::<UpdateDeferredActionMessagesResponse>(&b);
        response_bytes_round_trip::<ModifyPermissionsResponse>(&b);
        response_bytes_round_trip::<ModifyRulesResponse>(&b);
    }
}

/// The Execute request payload (RopSize .. handle table) of a capture.
fn request_payload(prefix: &str) -> Option<Vec<u8>> {
    let j = capture_json(prefix)?;
    Some(unhex(j["request_fields"]["uncompressed_rop_payload"].as_str()?))
}

/// Whole ROP buffers of the rop2 captures: the request payload and every response payload
/// decode (responses paired with their requests), re-encode byte for byte, and the
/// response RopIds match the capture's JSON.
#[test]
fn rop2_captures_whole_buffers_round_trip() {
    use crate::codec::{Decode, Encode};
    use crate::rop::{ColumnMemory, ExecuteContext, RopRequestBuffer, RopResponseBuffer};
    let captures = [
        ("023", "023-execute-getpropertyidsfromnames-nocreate.resp.bin"),
        ("024", "024-execute-getpropertyidsfromnames-create.resp.bin"),
        ("025", "025-execute-getnamesfrompropertyids.resp.bin"),
        ("027", "027-execute-open-appointment-getpropertiesall.resp.bin"),
        ("029", "029-execute-open-contact-getpropertiesall.resp.bin"),
        ("043", "043-execute-empty-fetch-notifications-tv16-maxropout-0x60.resp.bin"),
        ("044", "044-execute-empty-fetch-notifications.resp.bin"),
        ("045", "045-execute-release-notification-handles.resp.bin"),
        ("046", "046-execute-ics-contents-inbox-initial.resp.bin"),
        ("047", "047-execute-ics-gettransferstate.resp.bin"),
        ("048", "048-execute-ics-hierarchy-ipmsubtree-chained.resp.bin"),
        ("049", "049-execute-ics-setreadflags-before-incremental.resp.bin"),
        ("050", "050-execute-ics-contents-inbox-incremental.resp.bin"),
        ("124", "124-execute-getpropertyidsfromnames-unmapped-nocreate.resp.bin"),
        ("126", "126-execute-getpropertyidsfromnames-globalobjectid.resp.bin"),
        // With rop's RopSetColumns/RopQueryRows in the same Execute.
        ("026", "026-execute-calendar-contents-namedprops.resp.bin"),
        ("028", "028-execute-contacts-contents.resp.bin"),
        ("125", "125-execute-contents-ptypunspecified-columns.resp.bin"),
        ("127", "127-execute-calendar-globalobjectid-columns.resp.bin"),
    ];
    // 044's TableModified row belongs to the contents table set up in 041 (server handle
    // 0x35, columns Mid, Subject, MessageFlags): learn it from 041 like a client would.
    let mut memory = ColumnMemory::default();
    if let Some(p41) = request_payload("041") {
        let req = RopRequestBuffer::decode_exact(&p41).unwrap();
        let payload = &execute_response_payloads("041-execute-registernotification-inbox.resp.bin")[0];
        let resp = RopResponseBuffer::decode_with(payload, &ExecuteContext::new(&req)).unwrap();
        assert_eq!(hex::encode(resp.to_bytes().unwrap()), hex::encode(payload), "041 response re-encoding");
        memory.learn(&req, &resp);
        assert_eq!(
            memory.columns.get(&0x35).map(Vec::as_slice),
            Some(&[PropTag(0x674A_0014), PropTag(0x0037_001F), PropTag(0x0E07_0003)][..])
        );
    }
    let mut checked = 0;
    for (num, bin) in captures {
        let (Some(payload), Some(json)) = (request_payload(num), capture_json(num)) else { return };
        let req = RopRequestBuffer::decode_exact(&payload).unwrap_or_else(|e| panic!("{num} request: {e}"));
        assert_eq!(hex::encode(req.to_bytes().unwrap()), hex::encode(&payload), "{num}: request re-encoding");
        let exts = json["response_decoded"]["rpc_header_ext"].as_array().cloned().unwrap_or_default();
        let payloads = execute_response_payloads(bin);
        assert_eq!(payloads.len(), exts.len(), "{num}: RPC_HEADER_EXT count");
        // B6: with Chain, each further RPC_HEADER_EXT repeats only the trailing GetBuffer.
        let chained =
            RopRequestBuffer { rops: req.rops.last().cloned().into_iter().collect(), handles: req.handles.clone() };
        for (i, (p, ext)) in payloads.iter().zip(&exts).enumerate() {
            let ctx = ExecuteContext::new(if i == 0 { &req } else { &chained }).with_known(&memory);
            let resp = RopResponseBuffer::decode_with(p, &ctx).unwrap_or_else(|e| panic!("{num} response: {e}"));
            assert_eq!(hex::encode(resp.to_bytes().unwrap()), hex::encode(p), "{num}: response re-encoding");
            let ids: Vec<u8> = ext["decoded"]["responses"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| {
                    let t = r["rop"].as_str().unwrap();
                    u8::from_str_radix(&t[2..4], 16).unwrap()
                })
                .collect();
            assert_eq!(resp.rops.iter().map(|r| r.wire_id().0).collect::<Vec<_>>(), ids, "{num}: RopIds");
            if num == "044" {
                // The TableRowAdded row is decoded with the remembered columns of handle 0x35.
                let Some(crate::rop::RopResponse::Notify(n)) = resp.rops.get(3) else { panic!("RopNotify") };
                assert!(matches!(n.data.table_row_data, Some(crate::rop::TableRowData::Row { .. })), "{n:?}");
            }
        }
        checked += 1;
    }
    assert_eq!(checked, captures.len());
}

#[test]
fn modify_permissions_layout() {
    use crate::prop_value::PropValue;
    // [MS-OXCPERM] 2.2.4: add a member (EntryId) with rights 0x0000047B.
    let v = ModifyPermissionsRequest {
        logon_id: 0,
        input_handle_index: 1,
        modify_flags: 0,
        rows: vec![ModifyRow {
            flags: 0x01,
            values: vec![
                TaggedValue { tag: PropTag(0x0FFF_0102), value: PropValue::Binary(vec![0xAA, 0xBB]) },
                TaggedValue { tag: PropTag(0x6673_0003), value: PropValue::I32(0x47B) },
            ],
        }],
    };
    let mut w = vec![0x40];
    v.encode_body(&mut w).unwrap();
    assert_eq!(hex::encode(&w), "4000010001000102000201ff0f0200aabb030073667b040000");
    let back: ModifyPermissionsRequest = request_known_answer(&w);
    assert_eq!(back, v);
}

#[test]
fn update_deferred_action_messages_layout() {
    // [MS-OXCROPS] 2.2.11.3.1: two u16-size-prefixed entry ids.
    let bytes = [0x57, 0, 0, 2, 0, 0xAA, 0xBB, 1, 0, 0xCC];
    let v: UpdateDeferredActionMessagesRequest = request_known_answer(&bytes);
    assert_eq!(v.server_entry_id, [0xAA, 0xBB]);
    assert_eq!(v.client_entry_id, [0xCC]);
    assert!(UpdateDeferredActionMessagesRequest::decode_body(&mut Reader::new(&[0, 0, 5, 0, 1])).is_err());
}

/// Every RopId of the rop2 groups.
const ROP2_IDS: &[u8] = &[
    0x07, 0x08, 0x09, 0x0A, 0x0B, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F, 0x39, 0x3A, 0x3B, 0x3E, 0x3F, 0x40, 0x41,
    0x4B, 0x4C, 0x4D, 0x4E, 0x50, 0x53, 0x54, 0x55, 0x56, 0x57, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F, 0x67, 0x69, 0x6E, 0x70,
    0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x7E, 0x7F, 0x80, 0x82, 0x86, 0x90, 0x93, 0xA3, 0xF9,
];

#[test]
fn every_rop2_id_dispatches() {
    use crate::rop::{RopRequest, RopResponse};
    for &id in ROP2_IDS {
        let rid = crate::rop::RopId(id);
        let mut b = vec![id];
        b.extend([0u8; 64]);
        let req = RopRequest::decode(&mut Reader::new(&b));
        if rid.is_response_only() {
            assert!(req.is_err(), "{rid:?} is response-only");
        } else {
            match req {
                Ok(q) => assert_eq!(q.id(), rid),
                // Size-prefixed bodies (SetProperties, SetLocalReplicaMidsetDeleted...) refuse size 0.
                Err(e) => assert!(!matches!(e, DecodeError::Unsupported { what: "RopId", .. }), "{rid:?}: {e}"),
            }
        }
        // A failure response (ReturnValue 0x80004005) decodes without a request for every
        // response except GetPropertiesSpecific (which needs its request's tags).
        let mut resp = vec![id, 0, 0x05, 0x40, 0x00, 0x80];
        resp.extend([0u8; 64]);
        let r = RopResponse::decode(&mut Reader::new(&resp), &ResponseContext::default());
        if id != 0x07 {
            assert_eq!(r.unwrap_or_else(|e| panic!("{rid:?}: {e}")).id(), rid);
        }
    }
}

proptest! {
    #[test]
    fn rop2_dispatch_never_panics(i in 0..ROP2_IDS.len(), tail in proptest::collection::vec(any::<u8>(), 0..96)) {
        use crate::rop::{RopRequest, RopResponse};
        let mut b = vec![ROP2_IDS[i]];
        b.extend(tail);
        if let Ok(req) = RopRequest::decode(&mut Reader::new(&b)) {
            let mut w = Vec::new();
            let _ = req.encode(&mut w);
        }
        if let Ok(resp) = RopResponse::decode(&mut Reader::new(&b), &ResponseContext::default()) {
            let mut w = Vec::new();
            let _ = resp.encode(&mut w);
        }
    }
}
