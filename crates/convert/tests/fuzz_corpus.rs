//! Replays the saved fuzz inputs of the convert targets (`fuzz/corpus/`)
//! through the same entry points, so CI keeps them passing.

use std::path::Path;

type Entry = fn(&[u8]);

const TARGETS: &[(&str, Entry)] = &[
    ("convert_to_mime", convert::fuzzing::fuzz_to_mime),
    ("convert_rtf", convert::fuzzing::fuzz_rtf),
    ("convert_from_mime", convert::fuzzing::fuzz_mime_round_trip),
    ("convert_ical", convert::fuzzing::fuzz_ical),
];

#[test]
fn every_saved_fuzz_input_is_handled_without_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let mut replayed = 0;
    for (target, entry) in TARGETS {
        let dir = root.join(target);
        for file in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display())) {
            let path = file.unwrap().path();
            // A running fuzzer may remove inputs while we list them.
            let Ok(data) = std::fs::read(&path) else { continue };
            assert!(std::panic::catch_unwind(|| entry(&data)).is_ok(), "{target}: {} panicked", path.display());
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no fuzz corpus found");
}
