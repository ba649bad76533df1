use super::*;
use proptest::prelude::*;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

use crate::testdata::capture;

fn capture_json(stem: &str) -> Option<serde_json::Value> {
    capture(&format!("{stem}.json")).map(|b| serde_json::from_slice(&b).unwrap())
}

fn round_trip(data: &[u8]) -> Vec<u8> {
    let c = compress(data);
    assert_eq!(decompress(&c, data.len()).unwrap(), data);
    c
}

#[test]
fn tv1_alphabet_is_all_literals() {
    let plain = b"abcdefghijklmnopqrstuvwxyz";
    let wire = h("3f000000 6162636465666768696a6b6c6d6e6f707172737475767778797a");
    assert_eq!(compress(plain), wire);
    assert_eq!(decompress(&wire, 26).unwrap(), plain);
}

#[test]
fn tv2_abc_times_100_uses_u16_length() {
    let plain = b"abc".repeat(100);
    let wire = h("ffffff1f 616263 1700 0f ff 2601");
    assert_eq!(compress(&plain), wire);
    assert_eq!(decompress(&wire, 300).unwrap(), plain);
}

#[test]
fn tv3_both_trailer_styles_decode() {
    let plain = b"this is a test. and this is a test too";
    let old = h("00200004 7468697320 1000 6120746573742e20616e6420 9f00 04 20746f6f");
    let new = h("ff210004 7468697320 1000 6120746573742e20616e6420 9f00 04 20746f6f");
    assert_eq!(decompress(&old, plain.len()).unwrap(), plain);
    assert_eq!(decompress(&new, plain.len()).unwrap(), plain);
    assert_eq!(compress(plain), new);
}

#[test]
fn tv4_run_of_147_a() {
    let plain = [b'A'; 147];
    let wire = h("ffffff7f 41 0700 0f 79");
    assert_eq!(compress(&plain), wire);
    assert_eq!(decompress(&wire, 147).unwrap(), plain);
}

#[test]
fn tv5_logon_like_bytes() {
    let plain = h("0c00fe00000100000001000000 00ffffffff");
    let wire = h("ffff3f01 0c00fe00000100 1b00 00ff 0000");
    assert_eq!(compress(&plain), wire);
    assert_eq!(decompress(&wire, 18).unwrap(), plain);
}

#[test]
fn shared_nibble_serves_two_long_matches() {
    // "xyz" then a length-12 match (nibble 2), 'Q', then a length-20 match
    // (nibble 10) that takes the high half of the same nibble byte.
    let wire = h("ffffff17 78797a 1700 a2 51 7f00");
    let mut plain = b"xyz".repeat(5);
    plain.push(b'Q');
    plain.extend_from_slice(&plain.clone()[..16]);
    plain.extend_from_slice(b"xyzx");
    assert_eq!(decompress(&wire, 36).unwrap(), plain);
    let c = round_trip(&plain);
    assert_eq!(c, wire);
}

#[test]
fn length_280_uses_ff_then_u16() {
    let plain = [7u8; 281];
    let c = round_trip(&plain);
    assert_eq!(c, h("ffffff7f 07 0700 0f ff 1501"));
}

#[test]
fn huge_match_uses_u32_length() {
    let plain = vec![0u8; 70_000];
    let c = round_trip(&plain);
    // literal, match 69_999: m=0x0007, nibble 15, 0xFF, u16 0, u32 69_996.
    assert_eq!(c, [h("ffffff7f 00 0700 0f ff 0000"), 69_996u32.to_le_bytes().to_vec()].concat());
}

#[test]
fn exactly_32_elements_get_an_extra_all_ones_word() {
    let plain: Vec<u8> = (0..32u8).collect();
    let c = round_trip(&plain);
    assert_eq!(c.len(), 4 + 32 + 4);
    assert_eq!(&c[..4], &[0, 0, 0, 0]);
    assert_eq!(&c[36..], &[0xff; 4]);
}

#[test]
fn edge_cases_empty_and_one_byte() {
    assert_eq!(compress(&[]), h("ffffffff"));
    assert_eq!(decompress(&[], 0).unwrap(), Vec::<u8>::new());
    assert_eq!(decompress(&h("ffffffff"), 0).unwrap(), Vec::<u8>::new());
    assert_eq!(compress(&[0x42]), h("ffffff7f 42"));
    round_trip(&[0x42]);
}

#[test]
fn one_mib_random_round_trips() {
    let mut x: u64 = 0x1234_5678_9abc_def0;
    let data: Vec<u8> = (0..1 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let c = round_trip(&data);
    assert!(c.len() <= data.len() + data.len() / 8 + 8);
}

#[test]
fn one_mib_repetitive_compresses_below_5_percent() {
    let unit = b"Subject: Quarterly report, From: Alice Tester <alice@example.test>, Size: 12345\r\n";
    let data: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
    let c = round_trip(&data);
    assert!(c.len() * 20 <= data.len(), "compressed to {} bytes", c.len());
}

#[test]
fn table_like_data_compresses() {
    let mut data = Vec::new();
    for i in 0..2000u32 {
        data.extend_from_slice(
            format!("row {i:05} subject Meeting notes {} sender Bob {}\0", i % 17, i % 5).as_bytes(),
        );
        data.extend_from_slice(&(0x01DA_0000_0000_0000u64 + u64::from(i) * 600_000_000).to_le_bytes());
    }
    let c = round_trip(&data);
    assert!(c.len() * 3 < data.len(), "{} -> {}", data.len(), c.len());
}

#[test]
fn malformed_streams_are_errors() {
    // Truncated flag word.
    assert!(matches!(decompress(&[0, 0], 0), Err(DecodeError::Incomplete { .. })));
    // Match before the start of the output.
    assert!(matches!(
        decompress(&h("ffffffff 0000"), 3),
        Err(DecodeError::Invalid { reason: "match offset points before the start of the output", .. })
    ));
    // Match cut in the middle of its u16.
    assert!(matches!(decompress(&h("ffffff7f 41 07"), 10), Err(DecodeError::Incomplete { .. })));
    // Missing nibble byte.
    assert!(matches!(decompress(&h("ffffff7f 41 0700"), 20), Err(DecodeError::Incomplete { .. })));
    // Explicit u16 length below 22.
    assert!(matches!(decompress(&h("ffffff7f 41 0700 0f ff 0500"), 20), Err(DecodeError::Invalid { .. })));
    // More output than SizeActual: refused, never written.
    let wire = h("ffffff7f 41 0700 0f 79");
    assert!(matches!(decompress(&wire, 146), Err(DecodeError::TooLarge { .. })));
    assert!(matches!(decompress(&h("00000000 414243"), 2), Err(DecodeError::TooLarge { .. })));
    // Less output than SizeActual.
    assert!(matches!(decompress(&wire, 148), Err(DecodeError::Invalid { .. })));
    // A u32 length of 4 GiB with a small limit fails without allocating it.
    let bomb = [h("ffffff7f 00 0700 0f ff 0000"), u32::MAX.to_le_bytes().to_vec()].concat();
    assert!(matches!(decompress(&bomb, 1 << 16), Err(DecodeError::TooLarge { .. })));
}

#[test]
fn unbounded_limit_allocates_only_what_is_produced() {
    let mut out = Vec::new();
    let wire = h("ffffff7f 41 0700 0f 79");
    assert_eq!(decompress_into(&wire, &mut out, usize::MAX).unwrap(), 147);
    assert_eq!(out, [b'A'; 147]);
    assert!(out.capacity() < 1 << 20);
    let bomb = [h("ffffff7f 00 0700 0f ff 0000"), 0x0100_0000u32.to_le_bytes().to_vec()].concat();
    let mut out = Vec::new();
    assert_eq!(decompress_into(&bomb, &mut out, usize::MAX).unwrap(), 0x0100_0000 + 4);
}

#[test]
fn decompress_into_matches_cannot_reach_earlier_content() {
    let mut out = b"prefix".to_vec();
    assert!(decompress_into(&h("ffffffff 0000"), &mut out, 10).is_err());
    let mut out = b"prefix".to_vec();
    assert_eq!(decompress_into(&h("ffffff7f 41 0700 0f 79"), &mut out, 1000).unwrap(), 147);
    assert_eq!(out.len(), 6 + 147);
}

/// Finds the binary part of a captured response (after the text block).
fn binary_body(resp: &[u8], json: &serde_json::Value) -> Vec<u8> {
    let off = json["meta"]["binary_offset"].as_u64().unwrap() as usize;
    let text_end = resp.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert_eq!(off, text_end);
    resp[off..].to_vec()
}

/// Checks one compressed server response: RopBuffer = one RPC_HEADER_EXT with
/// Compressed|Last, its payload decompresses to the decoded payload.
fn check_compressed_response(stem: &str, size: usize, size_actual: usize) {
    let (Some(resp), Some(json)) = (capture(&format!("{stem}.resp.bin")), capture_json(stem)) else {
        return;
    };
    let body = binary_body(&resp, &json);
    let mut r = crate::codec::Reader::new(&body);
    assert_eq!(r.u32("StatusCode").unwrap(), 0);
    assert_eq!(r.u32("ErrorCode").unwrap(), 0);
    let _flags = r.u32("Flags").unwrap();
    let rop_size = r.u32("RopBufferSize").unwrap() as usize;
    let mut rop = r.sub(rop_size, "RopBuffer").unwrap();
    assert_eq!(rop.u16("Version").unwrap(), 0);
    assert_eq!(rop.u16("Flags").unwrap(), 0x0005);
    assert_eq!(rop.u16("Size").unwrap() as usize, size);
    assert_eq!(rop.u16("SizeActual").unwrap() as usize, size_actual);
    let transmitted = rop.rest();
    let ext = &json["response_decoded"]["rpc_header_ext"][0];
    assert_eq!(transmitted, h(ext["transmitted_payload"].as_str().unwrap()));
    let plain = decompress(transmitted, size_actual).unwrap();
    assert_eq!(plain, h(ext["decompressed_payload"].as_str().unwrap()));
    // Our encoder's output decodes back and is no bigger than the server's
    // (Samba's greedy encoder).
    let ours = round_trip(&plain);
    assert!(ours.len() <= transmitted.len(), "{stem}: ours {} vs server {}", ours.len(), transmitted.len());
    eprintln!("{stem}: ours {} bytes, server {} bytes", ours.len(), transmitted.len());
    let aux_size = r.u32("AuxiliaryBufferSize").unwrap() as usize;
    r.bytes(aux_size, "AuxiliaryBuffer").unwrap();
    r.expect_end("body").unwrap();
}

#[test]
fn capture_118_compressed_contents_table_response() {
    check_compressed_response("118-execute-inbox-contents-compressed-flags0", 408, 770);
}

#[test]
fn capture_120_compressed_contents_table_response() {
    check_compressed_response("120-execute-inbox-contents-compressed-flags-noxor", 410, 770);
}

#[test]
fn capture_121_compressed_hierarchy_table_response() {
    check_compressed_response("121-execute-ipmsubtree-hierarchy-compressed-flags0", 514, 1344);
}

#[test]
fn capture_122_compressed_response() {
    check_compressed_response("122-execute-request-compressed-xormagic-compressed", 412, 770);
}

/// Checks one compressed request: Execute request body with one
/// RPC_HEADER_EXT whose payload (un-XORed if needed) decompresses to the
/// capture's uncompressed ROP payload.
fn check_compressed_request(stem: &str, flags: u16) {
    let (Some(req), Some(json)) = (capture(&format!("{stem}.req.bin")), capture_json(stem)) else {
        return;
    };
    let mut r = crate::codec::Reader::new(&req);
    let _exec_flags = r.u32("Flags").unwrap();
    let rop_size = r.u32("RopBufferSize").unwrap() as usize;
    let mut rop = r.sub(rop_size, "RopBuffer").unwrap();
    assert_eq!(rop.u16("Version").unwrap(), 0);
    assert_eq!(rop.u16("Flags").unwrap(), flags);
    let size = rop.u16("Size").unwrap() as usize;
    let size_actual = rop.u16("SizeActual").unwrap() as usize;
    let mut transmitted = rop.bytes(size, "payload").unwrap().to_vec();
    rop.expect_end("RopBuffer").unwrap();
    let fields = &json["request_fields"];
    if let Some(t) = fields["transmitted_rop_payload"].as_str() {
        assert_eq!(transmitted, h(t));
    }
    if flags & 0x2 != 0 {
        for b in &mut transmitted {
            *b ^= 0xA5;
        }
    }
    let plain = decompress(&transmitted, size_actual).unwrap();
    assert_eq!(plain, h(fields["uncompressed_rop_payload"].as_str().unwrap()));
    // The capture tool's encoder follows the digest; ours must agree byte for byte.
    assert_eq!(compress(&plain), transmitted, "{stem}");
    r.u32("MaxRopOut").unwrap();
    let aux = r.u32("AuxiliaryBufferSize").unwrap() as usize;
    r.bytes(aux, "AuxiliaryBuffer").unwrap();
    r.expect_end("request body").unwrap();
}

#[test]
fn capture_083_compressed_request() {
    check_compressed_request("083-execute-request-compressed", 0x0005);
}

#[test]
fn capture_084_compressed_xormagic_request() {
    check_compressed_request("084-execute-request-compressed-xormagic", 0x0007);
}

#[test]
fn capture_122_compressed_xormagic_request() {
    check_compressed_request("122-execute-request-compressed-xormagic-compressed", 0x0007);
}

proptest! {
    #[test]
    fn compress_then_decompress_is_identity(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let c = compress(&data);
        prop_assert_eq!(decompress(&c, data.len()).unwrap(), data);
    }

    #[test]
    fn repetitive_data_round_trips(unit in proptest::collection::vec(any::<u8>(), 1..40), reps in 1usize..400) {
        let data: Vec<u8> = unit.iter().copied().cycle().take(unit.len() * reps).collect();
        let c = compress(&data);
        prop_assert_eq!(decompress(&c, data.len()).unwrap(), data);
    }

    #[test]
    fn mutated_streams_never_panic(
        unit in proptest::collection::vec(0u8..6, 1..30),
        reps in 1usize..200,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        slack in 0usize..40,
    ) {
        let data: Vec<u8> = unit.iter().copied().cycle().take(unit.len() * reps).collect();
        let mut c = compress(&data);
        for (i, b) in flips {
            let i = i.index(c.len());
            c[i] = b;
        }
        if let Ok(out) = decompress(&c, data.len()) {
            prop_assert_eq!(out.len(), data.len());
        }
        let mut out = vec![9u8; slack];
        if let Ok(n) = decompress_into(&c, &mut out, data.len() + slack) {
            prop_assert_eq!(out.len(), slack + n);
            prop_assert!(out[..slack].iter().all(|&b| b == 9));
        }
    }

    #[test]
    fn arbitrary_input_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512), limit in 0usize..70_000) {
        if let Ok(out) = decompress(&data, limit) {
            prop_assert_eq!(out.len(), limit);
        }
        let mut out = Vec::new();
        if let Ok(n) = decompress_into(&data, &mut out, limit) {
            prop_assert!(n <= limit);
        }
    }
}

/// Inputs for the cross-check against the independent `rust-lzxpress` codec.
fn cross_check_inputs() -> Vec<Vec<u8>> {
    let mut x: u64 = 42;
    let random: Vec<u8> = (0..70_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let mut text = Vec::new();
    for i in 0..3000u32 {
        text.extend_from_slice(format!("row {i} subject Meeting notes {} sender Bob {}\0", i % 17, i % 5).as_bytes());
    }
    vec![
        Vec::new(),
        vec![0x42],
        b"abcdefghijklmnopqrstuvwxyz".to_vec(),
        b"abc".repeat(100),
        vec![b'A'; 147],
        vec![0u8; 70_000],
        b"this is a test. and this is a test too".to_vec(),
        // 31 literals, then a match as the 32nd element of the first flag word.
        [&(0..31u8).collect::<Vec<_>>()[..], &[0, 1, 2, 3, 4, 200, 201]].concat(),
        random,
        text,
    ]
}

#[test]
fn rust_lzxpress_decodes_our_output_and_we_decode_its_output() {
    for data in cross_check_inputs() {
        let ours = compress(&data);
        if !data.is_empty() {
            assert_eq!(lzxpress::data::decompress(&ours).unwrap(), data, "len {}", data.len());
        }
    }
}

/// rust-lzxpress 0.7.1's compressor has two bugs (see the report): it
/// panics on `1 << 32` when the element count is a multiple of 32, and when
/// the 32nd element of a flag word is a match it places the next flag word
/// over that match's bytes. Where its own decompressor accepts its output, our
/// decoder must produce the same bytes.
#[test]
fn we_decode_rust_lzxpress_output_where_it_is_valid() {
    let mut checked = 0;
    let mut broken = 0;
    // Their match search is brute force over the whole window: keep inputs small.
    for data in cross_check_inputs().into_iter().filter(|d| d.len() <= 4096) {
        let Ok(Ok(theirs)) = std::panic::catch_unwind(|| lzxpress::data::compress(&data)) else {
            eprintln!("rust-lzxpress compress panicked on {} bytes", data.len());
            broken += 1;
            continue;
        };
        match lzxpress::data::decompress(&theirs) {
            Ok(back) if back == data => {
                assert_eq!(decompress(&theirs, data.len()).unwrap(), data, "len {}", data.len());
                checked += 1;
            }
            _ => {
                eprintln!("rust-lzxpress output for {} bytes does not round-trip", data.len());
                broken += 1;
            }
        }
    }
    eprintln!("rust-lzxpress compress: {checked} valid, {broken} broken outputs");
    assert!(checked >= 4);
}

#[test]
fn rust_lzxpress_agrees_on_server_payloads() {
    for stem in [
        "118-execute-inbox-contents-compressed-flags0",
        "120-execute-inbox-contents-compressed-flags-noxor",
        "121-execute-ipmsubtree-hierarchy-compressed-flags0",
        "122-execute-request-compressed-xormagic-compressed",
    ] {
        let Some(json) = capture_json(stem) else { return };
        let ext = &json["response_decoded"]["rpc_header_ext"][0];
        let transmitted = h(ext["transmitted_payload"].as_str().unwrap());
        let plain = h(ext["decompressed_payload"].as_str().unwrap());
        assert_eq!(lzxpress::data::decompress(&transmitted).unwrap(), plain, "{stem}");
    }
}
