//! Replays every saved fuzz input (`fuzz/corpus/<target>/*`) through the same
//! entry point its fuzz target calls, so CI catches regressions on inputs the
//! fuzzer once found interesting without needing nightly or libFuzzer.

use std::path::Path;

type Entry = fn(&[u8]);

const TARGETS: &[(&str, &[Entry])] = &[
    ("lz77_decompress", &[mapi_wire::fuzzing::lz77_decompress, mapi_wire::fuzzing::lz77_round_trip]),
    ("fx_reader", &[mapi_wire::fuzzing::fx_reader]),
    ("restriction", &[mapi_wire::fuzzing::restriction]),
    ("idset", &[mapi_wire::fuzzing::idset]),
    ("response_framer", &[mapi_wire::fuzzing::response_framer]),
    ("execute_request", &[mapi_wire::fuzzing::execute_request]),
    ("execute_response", &[mapi_wire::fuzzing::execute_response]),
];

#[test]
fn every_saved_fuzz_input_is_handled_without_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let mut replayed = 0;
    for (target, entries) in TARGETS {
        let dir = root.join(target);
        let files = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()));
        for file in files {
            let path = file.unwrap().path();
            // A running fuzzer may remove inputs while we list them.
            let Ok(data) = std::fs::read(&path) else { continue };
            for entry in *entries {
                let outcome = std::panic::catch_unwind(|| entry(&data));
                assert!(outcome.is_ok(), "{target}: {} panicked", path.display());
            }
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no fuzz corpus found");
}
