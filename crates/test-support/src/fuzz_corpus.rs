//! Replays a fuzz target's saved inputs (`fuzz/corpus/<target>/`) and the
//! crashes it found (`tests/fuzz_regressions/` of the calling crate)
//! through the target's entry point, so CI keeps them passing.

use std::path::Path;

/// Replays every input of `dir` through `entry`; panics naming the input
/// that panicked. Returns how many were replayed (0 when `dir` is absent).
pub fn replay(dir: &Path, entry: fn(&[u8])) -> usize {
    let mut replayed = 0;
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    for file in entries.flatten() {
        let path = file.path();
        // A running fuzzer may remove inputs while we list them.
        let Ok(data) = std::fs::read(&path) else { continue };
        assert!(std::panic::catch_unwind(|| entry(&data)).is_ok(), "{} panicked", path.display());
        replayed += 1;
    }
    replayed
}

/// The corpus of `target` (which must not be empty) and then the crate's
/// regressions; `crate_root` is the caller's `CARGO_MANIFEST_DIR`.
pub fn replay_target(crate_root: &str, target: &str, entry: fn(&[u8])) {
    let root = Path::new(crate_root);
    let replayed = replay(&root.join("../../fuzz/corpus").join(target), entry);
    assert!(replayed > 0, "no fuzz corpus found for {target}");
    replay(&root.join("tests/fuzz_regressions"), entry);
}
