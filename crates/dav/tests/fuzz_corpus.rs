//! Replays the saved inputs of the `dav_request` fuzz target (`fuzz/corpus/`)
//! and the crashes it found (`tests/fuzz_regressions/`) through the same
//! entry point, so CI keeps them passing.

#![allow(clippy::unwrap_used)]

use std::path::Path;

fn replay(dir: &Path) -> usize {
    let mut replayed = 0;
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    for file in entries {
        let path = file.unwrap().path();
        // A running fuzzer may remove inputs while we list them.
        let Ok(data) = std::fs::read(&path) else { continue };
        assert!(std::panic::catch_unwind(|| dav::fuzzing::request(&data)).is_ok(), "{} panicked", path.display());
        replayed += 1;
    }
    replayed
}

#[test]
fn every_saved_fuzz_input_is_handled_without_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let replayed = replay(&root.join("../../fuzz/corpus/dav_request"));
    assert!(replayed > 0, "no fuzz corpus found");
    replay(&root.join("tests/fuzz_regressions"));
}
