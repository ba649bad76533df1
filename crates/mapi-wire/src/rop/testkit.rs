//! Test helpers for the ROP modules: proptest strategies, capture loading and
//! round-trip assertions.

use std::fmt::Debug;

use proptest::{collection::vec, prelude::*};

use crate::{
    ErrorCode, Guid, PropTag,
    codec::Reader,
    rop::{ResponseContext, RopRequestBody, RopResponseBody},
};

/// A proptest strategy for a ROP field or struct.
pub(crate) trait Arb: Sized + Debug {
    fn arb() -> BoxedStrategy<Self>;
}

macro_rules! arb_any {
    ($($ty:ty),*) => {$(
        impl Arb for $ty {
            fn arb() -> BoxedStrategy<Self> {
                any::<$ty>().boxed()
            }
        }
    )*};
}
arb_any!(u8, u16, u32, u64, i32, i64, bool);

impl Arb for ErrorCode {
    fn arb() -> BoxedStrategy<Self> {
        any::<u32>().prop_map(ErrorCode).boxed()
    }
}
impl Arb for PropTag {
    fn arb() -> BoxedStrategy<Self> {
        any::<u32>().prop_map(PropTag).boxed()
    }
}
impl Arb for Guid {
    fn arb() -> BoxedStrategy<Self> {
        any::<[u8; 16]>().prop_map(Guid).boxed()
    }
}
impl<const N: usize> Arb for [u8; N] {
    fn arb() -> BoxedStrategy<Self> {
        vec(any::<u8>(), N).prop_map(|v| <[u8; N]>::try_from(v).unwrap_or([0; N])).boxed()
    }
}
impl<T: Arb + 'static> Arb for Vec<T> {
    fn arb() -> BoxedStrategy<Self> {
        vec(T::arb(), 0..6).boxed()
    }
}
impl<T: Arb + 'static> Arb for Option<T> {
    fn arb() -> BoxedStrategy<Self> {
        proptest::option::of(T::arb()).boxed()
    }
}
impl Arb for String {
    fn arb() -> BoxedStrategy<Self> {
        "[a-zA-Z0-9 ./=()é-]{0,12}".boxed()
    }
}

/// (handle index, return value, success) with success present exactly when
/// the return value is 0.
pub(crate) fn response_strategy<S: Debug + Clone + 'static>(
    success: BoxedStrategy<S>,
) -> BoxedStrategy<(u8, ErrorCode, Option<S>)> {
    prop_oneof![
        (any::<u8>(), success).prop_map(|(h, s)| (h, ErrorCode::SUCCESS, Some(s))),
        (any::<u8>(), 1u32..).prop_map(|(h, rv)| (h, ErrorCode(rv), None)),
    ]
    .boxed()
}

/// (handle index, return value, PartialCompletion): present on success, optional on failure.
pub(crate) fn partial_completion_strategy() -> BoxedStrategy<(u8, ErrorCode, Option<bool>)> {
    prop_oneof![
        (any::<u8>(), any::<bool>()).prop_map(|(h, b)| (h, ErrorCode::SUCCESS, Some(b))),
        (any::<u8>(), 1u32.., proptest::option::of(any::<bool>())).prop_map(|(h, rv, b)| (h, ErrorCode(rv), b)),
    ]
    .boxed()
}

/// Encodes a request body, decodes it back and checks identity and that every byte was used.
pub(crate) fn request_round_trip<T: RopRequestBody + PartialEq + Debug>(v: &T) -> Vec<u8> {
    let mut w = Vec::new();
    v.encode_body(&mut w).expect("encode");
    let mut r = Reader::new(&w);
    let back = T::decode_body(&mut r).expect("decode");
    assert!(r.is_empty(), "{} trailing bytes", r.remaining());
    assert_eq!(&back, v);
    w
}

/// Encodes a response body, decodes it back (with `ctx`) and checks identity.
pub(crate) fn response_round_trip<T: RopResponseBody + PartialEq + Debug>(v: &T, ctx: &ResponseContext<'_>) -> Vec<u8> {
    let mut w = Vec::new();
    v.encode_body(&mut w).expect("encode");
    let mut r = Reader::new(&w);
    let back = T::decode_body(&mut r, ctx).expect("decode");
    assert!(r.is_empty(), "{} trailing bytes", r.remaining());
    assert_eq!(&back, v);
    w
}

/// Decodes request ROP bytes (RopId included) as `T`, checks the id, that all
/// bytes were used and that encoding gives the same bytes back.
pub(crate) fn request_known_answer<T: RopRequestBody + Debug>(bytes: &[u8]) -> T {
    assert_eq!(bytes.first().copied(), Some(T::ID.0), "RopId");
    let mut r = Reader::new(bytes.get(1..).unwrap_or_default());
    let v = T::decode_body(&mut r).expect("decode");
    assert!(r.is_empty(), "{} trailing bytes after {v:?}", r.remaining());
    let mut w = vec![T::ID.0];
    v.encode_body(&mut w).expect("encode");
    assert_eq!(hex::encode(&w), hex::encode(bytes), "re-encoding {v:?}");
    v
}

/// As [`request_known_answer`] for a response; `id` is the wire RopId.
pub(crate) fn response_known_answer<T: RopResponseBody + Debug>(bytes: &[u8], ctx: &ResponseContext<'_>) -> T {
    let id = *bytes.first().expect("RopId");
    let mut r = Reader::new(bytes.get(1..).unwrap_or_default());
    let v = T::decode_body(&mut r, ctx).expect("decode");
    assert!(r.is_empty(), "{} trailing bytes after {v:?}", r.remaining());
    let mut w = vec![id];
    v.encode_body(&mut w).expect("encode");
    assert_eq!(hex::encode(&w), hex::encode(bytes), "re-encoding {v:?}");
    v
}

/// Parses space-separated hex ("02 00 01").
pub(crate) fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    hex::decode(s).expect("hex")
}

/// The directory holding the gromox 3.10 captures, if present.
fn capture_dir() -> Option<std::path::PathBuf> {
    let mut candidates = Vec::new();
    if let Ok(d) = std::env::var("MAPI_CAPTURES") {
        candidates.push(std::path::PathBuf::from(d));
    }
    candidates
        .push(std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/captures/gromox-3.10")));
    candidates.push(std::path::PathBuf::from("/work/shared/captures/gromox-3.10"));
    candidates.into_iter().find(|d| d.is_dir())
}

/// The parsed `.json` of capture `num` (e.g. "005"), or None (with a note) when absent.
pub(crate) fn capture_json(num: &str) -> Option<serde_json::Value> {
    let Some(dir) = capture_dir() else {
        eprintln!("note: captures not found; skipping capture {num}");
        return None;
    };
    let entry = std::fs::read_dir(&dir).ok()?.flatten().find(|e| {
        let n = e.file_name().to_string_lossy().into_owned();
        n.starts_with(&format!("{num}-")) && n.ends_with(".json") && !n.contains("fxstream")
    })?;
    let text = std::fs::read_to_string(entry.path()).ok()?;
    serde_json::from_str(&text).ok()
}

/// A capture's `.resp.bin` bytes.
pub(crate) fn capture_resp_bin(num: &str) -> Option<Vec<u8>> {
    let dir = capture_dir()?;
    let entry = std::fs::read_dir(&dir).ok()?.flatten().find(|e| {
        let n = e.file_name().to_string_lossy().into_owned();
        n.starts_with(&format!("{num}-")) && n.ends_with(".resp.bin")
    })?;
    std::fs::read(entry.path()).ok()
}

/// The request ROP bytes of capture `num` (`rops[].bytes`).
pub(crate) fn capture_request_rops(json: &serde_json::Value) -> Vec<Vec<u8>> {
    json["rops"]
        .as_array()
        .map(|a| a.iter().map(|r| unhex(r["bytes"].as_str().unwrap_or(""))).collect())
        .unwrap_or_default()
}

/// The request payload (`request_fields.uncompressed_rop_payload`).
pub(crate) fn capture_request_payload(json: &serde_json::Value) -> Vec<u8> {
    unhex(json["request_fields"]["uncompressed_rop_payload"].as_str().expect("uncompressed_rop_payload"))
}

/// The uncompressed response payloads (RopSize + ROPs + handles), one per RPC_HEADER_EXT.
///
/// Taken from `decompressed_payload` when the JSON has it, else from the
/// `.resp.bin` Execute body: StatusCode, ErrorCode, Flags, RopBufferSize, RopBuffer.
pub(crate) fn capture_response_payloads(num: &str, json: &serde_json::Value) -> Vec<Vec<u8>> {
    let exts = json["response_decoded"]["rpc_header_ext"].as_array().cloned().unwrap_or_default();
    if exts.is_empty() {
        return Vec::new();
    }
    let bin = capture_resp_bin(num).expect("resp.bin");
    let offset = json["meta"]["binary_offset"].as_u64().expect("binary_offset") as usize;
    let body = &bin[offset..];
    let rop_buffer_size = u32::from_le_bytes(body[12..16].try_into().unwrap()) as usize;
    let rop_buffer = &body[16..16 + rop_buffer_size];
    let mut out = Vec::new();
    let mut at = 0;
    for ext in exts {
        let size = u16::from_le_bytes(rop_buffer[at + 4..at + 6].try_into().unwrap()) as usize;
        let payload = &rop_buffer[at + 8..at + 8 + size];
        at += 8 + size;
        match ext["decompressed_payload"].as_str() {
            Some(hex) if !hex.contains("...") => out.push(unhex(hex)),
            Some(_) => panic!("decompressed payload of {num} is cut"),
            None => out.push(payload.to_vec()),
        }
    }
    out
}

/// The response ROP bytes of capture `num`, from `responses[].bytes` when not cut.
pub(crate) fn capture_response_rops(json: &serde_json::Value) -> Vec<Option<Vec<u8>>> {
    let mut out = Vec::new();
    for ext in json["response_decoded"]["rpc_header_ext"].as_array().into_iter().flatten() {
        for r in ext["decoded"]["responses"].as_array().into_iter().flatten() {
            let s = r["bytes"].as_str().unwrap_or("");
            out.push(if s.contains("...") || s.is_empty() { None } else { Some(unhex(s)) });
        }
    }
    out
}
