use super::*;
use crate::error_code::ErrorCode;
use crate::guid::Guid;
use proptest::prelude::*;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

use crate::testdata::capture;

/// The Connect response AuxiliaryBuffer of capture 004 (corrections B4).
const CONNECT_AUX_004: &str =
    "0000 0400 1c00 1c00 0800 01 17 03000000 0c00 01 0a 0c000000 00840c24 0800 01 48 01000000";

fn check_connect_aux(aux: &[u8]) {
    let blocks = decode_aux_buffer(aux, &ChainLimits::default()).unwrap();
    assert_eq!(
        blocks.iter().map(|b| (b.version, b.kind)).collect::<Vec<_>>(),
        [
            (AuxVersion::V1, AuxType::EXORGINFO),
            (AuxVersion::V1, AuxType::CLIENT_CONTROL),
            (AuxVersion::V1, AuxType::ENDPOINT_CAPABILITIES),
        ]
    );
    assert_eq!(blocks[0].data().unwrap(), AuxData::ExOrgInfo(ExOrgInfo { org_flags: 3 }));
    assert_eq!(
        blocks[1].data().unwrap(),
        AuxData::ClientControl(ClientControl {
            enable_flags: ClientControl::ENABLE_COMPRESSION | ClientControl::ENABLE_HTTP_TUNNELING,
            expiry_time: 604_800_000,
        })
    );
    assert_eq!(
        blocks[2].data().unwrap(),
        AuxData::EndpointCapabilities(EndpointCapabilities {
            endpoint_capability_flags: EndpointCapabilities::SINGLE_ENDPOINT
        })
    );
    assert_eq!(blocks[1].header(), AuxHeader { size: 12, version: AuxVersion::V1, kind: AuxType::CLIENT_CONTROL });
    // Rebuilt from the typed data: byte-identical.
    let rebuilt: Vec<AuxBlock> =
        blocks.iter().map(|b| AuxBlock::new(b.version, b.kind, &b.data().unwrap()).unwrap()).collect();
    assert_eq!(rebuilt, blocks);
    assert_eq!(encode_aux_buffer(&rebuilt, &EncodeOptions::default()).unwrap(), aux);
}

#[test]
fn b4_connect_aux_buffer_known_answer() {
    check_connect_aux(&h(CONNECT_AUX_004));
}

#[test]
fn capture_004_connect_response_aux_buffer() {
    let Some(resp) = capture("004-emsmdb-connect-alice.resp.bin") else { return };
    let off = resp.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let mut r = Reader::new(&resp[off..]);
    assert_eq!(r.u32("StatusCode").unwrap(), 0);
    assert_eq!(r.u32("ErrorCode").unwrap(), 0);
    assert_eq!(r.u32("PollsMax").unwrap(), 60_000);
    assert_eq!(r.u32("RetryCount").unwrap(), 6);
    assert_eq!(r.u32("RetryDelay").unwrap(), 10_000);
    assert_eq!(r.asciiz("DnPrefix").unwrap(), b"");
    assert_eq!(r.utf16z("DisplayName").unwrap(), "Alice Tester");
    let n = r.u32("AuxiliaryBufferSize").unwrap() as usize;
    assert_eq!(n, 36);
    let aux = r.bytes(n, "AuxiliaryBuffer").unwrap();
    r.expect_end("Connect response").unwrap();
    assert_eq!(aux, h(CONNECT_AUX_004));
    check_connect_aux(aux);
}

#[test]
fn empty_aux_buffer_has_no_blocks() {
    assert!(decode_aux_buffer(&[], &ChainLimits::default()).unwrap().is_empty());
    assert!(encode_aux_buffer(&[], &EncodeOptions::default()).unwrap().is_empty());
}

#[test]
fn client_info_strings_sit_after_the_fixed_fields() {
    let info = PerfClientInfo {
        adapter_speed: 100_000,
        client_id: 1,
        machine_name: Some("PC".into()),
        user_name: Some("u".into()),
        client_ip: Some(vec![10, 0, 0, 1]),
        client_ip_mask: None,
        adapter_name: None,
        mac_address: Some(vec![1, 2, 3, 4, 5, 6]),
        client_mode: 2,
        reserved: 0,
    };
    let b = AuxBlock::new(AuxVersion::V1, AuxType::PERF_CLIENTINFO, &AuxData::PerfClientInfo(info.clone())).unwrap();
    let mut w = Vec::new();
    b.encode(&mut w).unwrap();
    let expect = h("
        3400 01 02
        a0860100 0100
        2000 2600 0400 2a00 0000 0000 0000 0600 2e00 0200 0000
        50004300 0000  7500 0000  0a000001  010203040506");
    assert_eq!(w, expect);
    let back = AuxBlock::decode(&mut Reader::new(&w)).unwrap();
    assert_eq!(back.data().unwrap(), AuxData::PerfClientInfo(info));
}

#[test]
fn unknown_and_v2_blocks_round_trip() {
    // Unknown type 0x77 and unknown version 3 are kept raw; a v2 session info is typed.
    let payload =
        h("0800 01 77 aabbccdd  0600 03 0a 1122  1c00 02 04 0500 0000 00112233445566778899aabbccddeeff 07000000");
    let blocks = decode_blocks(&payload).unwrap();
    assert_eq!(blocks[0].data().unwrap(), AuxData::Raw(h("aabbccdd")));
    assert_eq!(blocks[1].data().unwrap(), AuxData::Raw(h("1122")));
    assert_eq!(
        blocks[2].data().unwrap(),
        AuxData::PerfSessionInfoV2(PerfSessionInfoV2 {
            session_id: 5,
            reserved: 0,
            session_guid: Guid(h("00112233445566778899aabbccddeeff").try_into().unwrap()),
            connection_id: 7,
        })
    );
    let mut w = Vec::new();
    encode_blocks(&blocks, &mut w).unwrap();
    assert_eq!(w, payload);
}

#[test]
fn failure_block_carries_an_error_code() {
    let body = h("0100 0200 0300 0400 0a000000 14000000 0f010480 02 000000");
    let d = AuxData::decode_body(AuxVersion::V1, AuxType::PERF_BG_FAILURE, &body).unwrap();
    let AuxData::PerfFailure(f) = &d else { panic!("{d:?}") };
    assert_eq!(f.result_code, ErrorCode(0x8004_010F));
    assert_eq!((f.client_id, f.request_id, f.request_operation), (1, 4, 2));
    let mut w = Vec::new();
    d.encode_body(&mut w).unwrap();
    assert_eq!(w, body);
}

#[test]
fn malformed_blocks_are_errors() {
    // Size smaller than the header.
    assert!(matches!(decode_blocks(&h("0300 01 0a")), Err(DecodeError::Invalid { .. })));
    // Size beyond the payload.
    assert!(matches!(decode_blocks(&h("1000 01 0a 0000")), Err(DecodeError::Incomplete { .. })));
    // Fixed block too short for its fields.
    let b = AuxBlock { version: AuxVersion::V1, kind: AuxType::CLIENT_CONTROL, body: h("0c000000") };
    assert!(matches!(b.data(), Err(DecodeError::Incomplete { .. })));
    // String offset pointing outside the block / into the header.
    let b = AuxBlock { version: AuxVersion::V1, kind: AuxType::SERVER_SESSION_INFO, body: h("4000") };
    assert!(matches!(b.data(), Err(DecodeError::Invalid { .. })));
    let b = AuxBlock { version: AuxVersion::V1, kind: AuxType::SERVER_SESSION_INFO, body: h("0200") };
    assert!(matches!(b.data(), Err(DecodeError::Invalid { .. })));
    // Unterminated string.
    let b = AuxBlock { version: AuxVersion::V1, kind: AuxType::SERVER_SESSION_INFO, body: h("0600 4100") };
    assert!(matches!(b.data(), Err(DecodeError::Incomplete { .. })));
}

#[test]
fn aux_buffer_with_compression_round_trips() {
    let blocks = vec![
        AuxBlock::new(
            AuxVersion::V1,
            AuxType::SERVER_SESSION_INFO,
            &AuxData::ServerSessionInfo(ServerSessionInfo { server_session_context_info: Some("ctx ".repeat(40)) }),
        )
        .unwrap(),
        AuxBlock::new(AuxVersion::V1, AuxType::EXORGINFO, &AuxData::ExOrgInfo(ExOrgInfo { org_flags: 1 })).unwrap(),
    ];
    let wire = encode_aux_buffer(&blocks, &EncodeOptions { compress: true, xor_magic: true }).unwrap();
    assert_eq!(&wire[2..4], &[0x07, 0x00], "Compressed|XorMagic|Last");
    assert_eq!(decode_aux_buffer(&wire, &ChainLimits::default()).unwrap(), blocks);
}

fn opt_string() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[a-zA-Z0-9 äöü✉]{0,12}")
}

fn opt_blob() -> impl Strategy<Value = Option<Vec<u8>>> {
    proptest::option::of(proptest::collection::vec(any::<u8>(), 0..8))
}

fn guid() -> impl Strategy<Value = Guid> {
    any::<[u8; 16]>().prop_map(Guid)
}

fn arb_data() -> impl Strategy<Value = (AuxVersion, AuxType, AuxData)> {
    prop_oneof![
        (
            any::<u32>(),
            any::<u16>(),
            opt_string(),
            opt_string(),
            opt_blob(),
            opt_blob(),
            opt_string(),
            opt_blob(),
            any::<u16>()
        )
            .prop_map(|(s, id, m, u, ip, mask, a, mac, mode)| (
                AuxVersion::V1,
                AuxType::PERF_CLIENTINFO,
                AuxData::PerfClientInfo(PerfClientInfo {
                    adapter_speed: s,
                    client_id: id,
                    machine_name: m,
                    user_name: u,
                    client_ip: ip,
                    client_ip_mask: mask,
                    adapter_name: a,
                    mac_address: mac,
                    client_mode: mode,
                    reserved: 0,
                })
            )),
        (any::<u16>(), any::<u16>(), opt_string(), opt_string()).prop_map(|(id, t, dn, n)| (
            AuxVersion::V1,
            AuxType::PERF_SERVERINFO,
            AuxData::PerfServerInfo(PerfServerInfo { server_id: id, server_type: t, server_dn: dn, server_name: n })
        )),
        (any::<u16>(), guid(), opt_string()).prop_map(|(id, g, n)| (
            AuxVersion::V2,
            AuxType::PERF_PROCESSINFO,
            AuxData::PerfProcessInfo(PerfProcessInfo {
                process_id: id,
                reserved1: 0,
                process_guid: g,
                process_name: n,
                reserved2: 0
            })
        )),
        (guid(), any::<u32>(), any::<u32>(), opt_string()).prop_map(|(g, a, f, c)| (
            AuxVersion::V1,
            AuxType::CLIENT_CONNECTION_INFO,
            AuxData::ClientConnectionInfo(ClientConnectionInfo {
                connection_guid: g,
                reserved: 0,
                connection_attempts: a,
                connection_flags: f,
                connection_context_info: c,
            })
        )),
        (opt_string(), opt_string(), opt_string(), opt_string(), opt_string()).prop_map(|(a, b, c, d, e)| (
            AuxVersion::V1,
            AuxType::PROTOCOL_DEVICE_IDENTIFICATION,
            AuxData::ProtocolDeviceIdentification(ProtocolDeviceIdentification {
                manufacturer: a,
                model: b,
                serial_number: c,
                version: d,
                firmware_version: e,
            })
        )),
        (any::<u16>(), any::<u16>(), any::<u16>(), any::<u16>(), any::<u32>(), any::<u32>()).prop_map(
            |(p, c, s, q, t1, t2)| (
                AuxVersion::V2,
                AuxType::PERF_FG_MDB_SUCCESS,
                AuxData::PerfMdbSuccessV2(PerfMdbSuccessV2 {
                    process_id: p,
                    client_id: c,
                    server_id: s,
                    session_id: q,
                    request_id: 9,
                    reserved: 0,
                    time_since_request: t1,
                    time_to_complete_request: t2,
                })
            )
        ),
        (any::<u32>(), any::<u32>(), any::<u16>()).prop_map(|(a, b, sp)| (
            AuxVersion::V1,
            AuxType::OSVERSIONINFO,
            AuxData::OsVersionInfo(OsVersionInfo {
                os_version_info_size: 148,
                major_version: a,
                minor_version: b,
                build_number: 20_348,
                reserved1: [0; 132],
                service_pack_major: sp,
                service_pack_minor: 0,
                reserved2: 0,
            })
        )),
    ]
}

proptest! {
    #[test]
    fn typed_blocks_round_trip((version, kind, data) in arb_data()) {
        let block = AuxBlock::new(version, kind, &data).unwrap();
        let wire = encode_aux_buffer(std::slice::from_ref(&block), &EncodeOptions::default()).unwrap();
        let back = decode_aux_buffer(&wire, &ChainLimits::default()).unwrap();
        prop_assert_eq!(back.len(), 1);
        prop_assert_eq!(back[0].data().unwrap(), data);
        prop_assert_eq!(&back[0], &block);
    }

    #[test]
    fn arbitrary_blocks_never_panic(payload in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(blocks) = decode_blocks(&payload) {
            for b in &blocks {
                let _ = b.data();
            }
            let mut w = Vec::new();
            encode_blocks(&blocks, &mut w).unwrap();
            prop_assert_eq!(w, payload);
        }
    }
}
