//! Replays the saved inputs of the `convert_vcard` fuzz target
//! (`fuzz/corpus/convert_vcard/`, minimized) through the same entry point,
//! so CI keeps them passing.

use std::path::Path;

#[test]
fn every_saved_vcard_fuzz_input_is_handled_without_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/convert_vcard");
    let mut replayed = 0;
    for file in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display())) {
        let path = file.expect("dir entry").path();
        // A running fuzzer may remove inputs while we list them.
        let Ok(data) = std::fs::read(&path) else { continue };
        let outcome = std::panic::catch_unwind(|| convert::vcard::fuzzing::fuzz_vcard(&data));
        assert!(outcome.is_ok(), "{} panicked", path.display());
        replayed += 1;
    }
    assert!(replayed >= 20, "only {replayed} corpus inputs");
}
