use super::*;
use proptest::prelude::*;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

use crate::testdata::capture;

fn capture_json(stem: &str) -> Option<serde_json::Value> {
    capture(&format!("{stem}.json")).map(|b| serde_json::from_slice(&b).unwrap())
}

fn reencode(bufs: &[ExtendedBuffer]) -> Vec<u8> {
    let mut w = Vec::new();
    for b in bufs {
        b.encode(&mut w).unwrap();
    }
    w
}

#[test]
fn tv6_xor_magic() {
    let mut b = h("0001a5ff");
    xor_magic(&mut b);
    assert_eq!(b, h("a5a4005a"));
    xor_magic(&mut b);
    assert_eq!(b, h("0001a5ff"));
}

#[test]
fn tv16_empty_rop_buffer() {
    let wire = h("0000 0400 0200 0200 0200");
    let chain = decode_chain(&wire, &ChainLimits::default()).unwrap();
    assert_eq!(chain.len(), 1);
    assert_eq!(chain[0].header, RpcHeaderExt { version: 0, flags: ExtFlags::LAST, size: 2, size_actual: 2 });
    assert_eq!(chain[0].payload, h("0200"));
    assert_eq!(reencode(&chain), wire);
    assert_eq!(encode_chain([&h("0200")[..]], &EncodeOptions::default()).unwrap(), wire);
}

#[test]
fn tv7_logon_rop_buffer_plain() {
    let payload = h("1C00 FE00000100000001000000000C00 2F6F3D4F72672F636E3D7500 FFFFFFFF");
    let wire = encode_chain([&payload[..]], &EncodeOptions::default()).unwrap();
    assert_eq!(&wire[..8], &h("00000400 20002000")[..]);
    let chain = decode_chain(&wire, &ChainLimits::default()).unwrap();
    assert_eq!(chain[0].payload, payload);
}

#[test]
fn compress_flag_dropped_when_it_does_not_help() {
    let opts = EncodeOptions { compress: true, xor_magic: false };
    let b = ExtendedBuffer::new(b"abcdefgh", &opts, true).unwrap();
    assert_eq!(b.header.flags, ExtFlags::LAST);
    let payload = b"abc".repeat(100);
    let b = ExtendedBuffer::new(&payload, &opts, true).unwrap();
    assert_eq!(b.header.flags, ExtFlags::COMPRESSED | ExtFlags::LAST);
    assert_eq!(b.transmitted, h("ffffff1f 616263 1700 0f ff 2601"));
    assert_eq!((b.header.size, b.header.size_actual), (13, 300));
}

#[test]
fn compressed_and_xored_is_xor_of_compressed() {
    let payload = b"abc".repeat(100);
    let opts = EncodeOptions { compress: true, xor_magic: true };
    let b = ExtendedBuffer::new(&payload, &opts, false).unwrap();
    let mut expect = h("ffffff1f 616263 1700 0f ff 2601");
    xor_magic(&mut expect);
    assert_eq!(b.transmitted, expect);
    assert_eq!(b.header.flags, ExtFlags::COMPRESSED | ExtFlags::XOR_MAGIC);
}

#[test]
fn chain_of_three_round_trips_with_last_only_on_the_final_header() {
    let payloads = [b"first".to_vec(), b"x".repeat(500), Vec::new()];
    let opts = EncodeOptions { compress: true, xor_magic: true };
    let wire = encode_chain(payloads.iter().map(|p| &p[..]), &opts).unwrap();
    let chain = decode_chain(&wire, &ChainLimits::default()).unwrap();
    assert_eq!(chain.iter().map(|b| b.is_last()).collect::<Vec<_>>(), [false, false, true]);
    assert_eq!(chain.iter().map(|b| b.payload.clone()).collect::<Vec<_>>(), payloads);
    assert_eq!(reencode(&chain), wire);
    assert_eq!(encode_chain(std::iter::empty(), &opts).unwrap(), Vec::<u8>::new());
    assert!(decode_chain(&[], &ChainLimits::default()).unwrap().is_empty());
}

#[test]
fn payload_too_big_for_u16_is_refused() {
    let big = vec![0u8; 65_536];
    assert!(matches!(
        ExtendedBuffer::new(&big, &EncodeOptions::default(), true),
        Err(EncodeError::TooLong { max: 65_535, .. })
    ));
    // Compressible but still too big for SizeActual.
    assert!(ExtendedBuffer::new(&big, &EncodeOptions { compress: true, xor_magic: false }, true).is_err());
    assert!(ExtendedBuffer::new(&big[..65_535], &EncodeOptions::default(), true).is_ok());
}

#[test]
fn malformed_chains_are_errors() {
    let lim = ChainLimits::default();
    // Version 1.
    assert!(matches!(decode_chain(&h("0100 0400 0000 0000"), &lim), Err(DecodeError::Unsupported { .. })));
    // Truncated header and truncated payload.
    assert!(matches!(decode_chain(&h("0000 0400 02"), &lim), Err(DecodeError::Incomplete { .. })));
    assert!(matches!(decode_chain(&h("0000 0400 0300 0300 0102"), &lim), Err(DecodeError::Incomplete { .. })));
    // No Last header.
    assert!(matches!(decode_chain(&h("0000 0000 0100 0100 aa"), &lim), Err(DecodeError::Incomplete { .. })));
    // Bytes after the Last header.
    assert!(matches!(decode_chain(&h("0000 0400 0100 0100 aa bb"), &lim), Err(DecodeError::TrailingBytes { .. })));
    // SizeActual ≠ Size without compression.
    assert!(matches!(decode_chain(&h("0000 0400 0100 0200 aa"), &lim), Err(DecodeError::Invalid { .. })));
    // Compressed payload that expands past SizeActual: error offset points into the payload.
    let e = decode_chain(&h("0000 0500 0900 9100 ffffff7f 41 0700 0f 79"), &lim).unwrap_err();
    assert!(matches!(e, DecodeError::TooLarge { offset: 13, .. }), "{e:?}");
    // Compressed payload with a match before the start.
    assert!(matches!(decode_chain(&h("0000 0500 0600 0300 ffffffff 0000"), &lim), Err(DecodeError::Invalid { .. })));
}

#[test]
fn limits_bound_decoded_size_and_chain_length() {
    // 20 headers, each a compressed payload of 147 'A' from 9 bytes.
    let mut wire = Vec::new();
    for i in 0..20 {
        let flags: u16 = if i == 19 { 5 } else { 1 };
        wire.extend_from_slice(&h("0000"));
        wire.extend_from_slice(&flags.to_le_bytes());
        wire.extend_from_slice(&h("0900 9300 ffffff7f 41 0700 0f 79"));
    }
    assert_eq!(decode_chain(&wire, &ChainLimits::default()).unwrap().len(), 20);
    let small = ChainLimits { max_total: 147 * 10, max_buffers: 1024 };
    assert!(matches!(decode_chain(&wire, &small), Err(DecodeError::TooLarge { limit: 1470, .. })));
    let few = ChainLimits { max_total: 1 << 20, max_buffers: 5 };
    assert!(matches!(decode_chain(&wire, &few), Err(DecodeError::TooLarge { limit: 5, .. })));
}

#[test]
fn flags_debug_names() {
    assert_eq!(format!("{:?}", ExtFlags(0x0007)), "Compressed|XorMagic|Last");
    assert_eq!(format!("{:?}", ExtFlags(0x0104)), "Last|0x0100");
    assert_eq!(format!("{:?}", ExtFlags(0)), "ExtFlags(0)");
}

/// The RopBuffer of an Execute response body (after the text block).
fn response_rop_buffer(stem: &str) -> Option<(Vec<u8>, serde_json::Value)> {
    let (resp, json) = (capture(&format!("{stem}.resp.bin"))?, capture_json(stem)?);
    let off = json["meta"]["binary_offset"].as_u64().unwrap() as usize;
    let mut r = Reader::new(&resp[off..]);
    r.u32("StatusCode").unwrap();
    r.u32("ErrorCode").unwrap();
    r.u32("Flags").unwrap();
    let n = r.u32("RopBufferSize").unwrap() as usize;
    Some((r.bytes(n, "RopBuffer").unwrap().to_vec(), json))
}

fn check_response_chain(stem: &str, flags: &[u16]) {
    let Some((rop, json)) = response_rop_buffer(stem) else { return };
    let chain = decode_chain(&rop, &ChainLimits::default()).unwrap();
    assert_eq!(chain.iter().map(|b| b.header.flags.0).collect::<Vec<_>>(), flags);
    for (b, j) in chain.iter().zip(json["response_decoded"]["rpc_header_ext"].as_array().unwrap()) {
        assert_eq!(u64::from(b.header.size_actual), j["size_actual"].as_u64().unwrap());
        if let Some(p) = j["decompressed_payload"].as_str() {
            assert_eq!(b.payload, h(p));
        }
        if let Some(p) = j["transmitted_payload"].as_str() {
            assert_eq!(b.transmitted, h(p));
        }
    }
    assert_eq!(reencode(&chain), rop, "{stem}: re-encoding is byte-identical");
}

#[test]
fn capture_048_chained_response_has_six_headers() {
    check_response_chain("048-execute-ics-hierarchy-ipmsubtree-chained", &[0, 0, 0, 0, 0, 4]);
}

#[test]
fn capture_118_compressed_response_chain() {
    check_response_chain("118-execute-inbox-contents-compressed-flags0", &[5]);
}

#[test]
fn capture_119_uncompressed_response_chain() {
    check_response_chain("119-execute-inbox-contents-compressed-flags-nocompression", &[4]);
}

#[test]
fn capture_120_121_122_compressed_response_chains() {
    check_response_chain("120-execute-inbox-contents-compressed-flags-noxor", &[5]);
    check_response_chain("121-execute-ipmsubtree-hierarchy-compressed-flags0", &[5]);
    check_response_chain("122-execute-request-compressed-xormagic-compressed", &[5]);
}

/// Request RopBuffer: decode, compare with the capture's uncompressed payload
/// and re-encode from the payload with the same options.
fn check_request_chain(stem: &str, flags: u16) {
    let (Some(req), Some(json)) = (capture(&format!("{stem}.req.bin")), capture_json(stem)) else { return };
    let mut r = Reader::new(&req);
    r.u32("Flags").unwrap();
    let n = r.u32("RopBufferSize").unwrap() as usize;
    let rop = r.bytes(n, "RopBuffer").unwrap();
    let chain = decode_chain(rop, &ChainLimits::default()).unwrap();
    assert_eq!(chain.len(), 1);
    assert_eq!(chain[0].header.flags.0, flags);
    let plain = h(json["request_fields"]["uncompressed_rop_payload"].as_str().unwrap());
    assert_eq!(chain[0].payload, plain);
    let opts = EncodeOptions { compress: flags & 1 != 0, xor_magic: flags & 2 != 0 };
    assert_eq!(encode_chain([&plain[..]], &opts).unwrap(), rop, "{stem}");
}

#[test]
fn capture_082_xormagic_request_chain() {
    check_request_chain("082-execute-request-xormagic", 0x0006);
}

#[test]
fn capture_083_084_122_compressed_request_chains() {
    check_request_chain("083-execute-request-compressed", 0x0005);
    check_request_chain("084-execute-request-compressed-xormagic", 0x0007);
    check_request_chain("122-execute-request-compressed-xormagic-compressed", 0x0007);
}

proptest! {
    #[test]
    fn encode_then_decode_is_identity(
        payloads in proptest::collection::vec(proptest::collection::vec(0u8..4, 0..600), 0..5),
        compress in any::<bool>(),
        xor in any::<bool>(),
    ) {
        let opts = EncodeOptions { compress, xor_magic: xor };
        let wire = encode_chain(payloads.iter().map(|p| &p[..]), &opts).unwrap();
        let chain = decode_chain(&wire, &ChainLimits::default()).unwrap();
        prop_assert_eq!(chain.iter().map(|b| b.payload.clone()).collect::<Vec<_>>(), payloads);
        prop_assert_eq!(reencode(&chain), wire);
    }

    #[test]
    fn arbitrary_chains_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        let lim = ChainLimits { max_total: 4096, max_buffers: 8 };
        if let Ok(chain) = decode_chain(&data, &lim) {
            prop_assert!(chain.iter().map(|b| b.payload.len()).sum::<usize>() <= 4096);
            prop_assert_eq!(reencode(&chain), data);
        }
    }
}
