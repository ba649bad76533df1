//! Replays the saved inputs of the `imap_commands` fuzz target (`fuzz/corpus/`)
//! and the crashes it found (`tests/fuzz_regressions/`) through the same
//! entry point, so CI keeps them passing.

#[test]
fn every_saved_fuzz_input_is_handled_without_panic() {
    test_support::fuzz_corpus::replay_target(env!("CARGO_MANIFEST_DIR"), "imap_commands", imap::fuzzing::commands);
}
