//! Hostile input: random and mutated ROP buffers never panic the executor;
//! every answer is a whole-call error or a ROP buffer that decodes.
#![allow(missing_docs, clippy::unwrap_used)]

mod rops_common;

use mapi_wire::rop::{ExecuteContext, RopRequestBuffer, RopResponseBuffer};
use mapi_wire::{Decode, ErrorCode};
use proptest::prelude::*;
use rops_common::*;

/// ROP payloads of a few captures (logon handle 0 in slot 0).
fn seeds() -> Vec<Vec<u8>> {
    ["008", "010", "014", "016", "031", "036", "041", "046", "051"]
        .iter()
        .filter_map(|c| capture_json(c))
        .map(|j| hex(j["request_fields"]["uncompressed_rop_payload"].as_str().unwrap()))
        .collect()
}

/// One store for all cases (a session per case).
fn store() -> exchange_sim::store::Store {
    static STORE: std::sync::OnceLock<exchange_sim::store::Store> = std::sync::OnceLock::new();
    STORE.get_or_init(seeded_store).clone()
}

fn check(h: &mut Harness, payload: &[u8], max: u32) {
    let (code, out) = h.execute_raw(payload, max, 3);
    if code != ErrorCode::SUCCESS {
        assert!(out.is_empty());
        return;
    }
    // A request that executed decodes, and so does its answer.
    let req = RopRequestBuffer::decode_exact(payload).unwrap();
    RopResponseBuffer::decode_with(&out, &ExecuteContext::new(&req)).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_payloads_never_panic(payload in proptest::collection::vec(any::<u8>(), 0..200), max in 0u32..0x20000) {
        let store = store();
        let mut h = Harness::new(&store, ALICE);
        h.logon();
        check(&mut h, &payload, max);
    }

    #[test]
    fn mutated_capture_requests_never_panic(which in 0usize..9, flips in proptest::collection::vec((any::<u16>(), any::<u8>()), 1..6)) {
        let seeds = seeds();
        prop_assume!(!seeds.is_empty());
        let mut payload = seeds[which % seeds.len()].clone();
        for (at, v) in flips {
            let i = usize::from(at) % payload.len();
            payload[i] = v;
        }
        let store = store();
        let mut h = Harness::new(&store, ALICE);
        h.logon();
        check(&mut h, &payload, 0x10008);
    }
}
