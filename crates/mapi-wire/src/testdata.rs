//! Test-only access to the recorded captures in `testdata/captures/`.
//!
//! The captures are part of the repository, so a missing file is a broken
//! checkout: the test fails instead of skipping.

use std::path::PathBuf;

/// The directory of the gromox 3.10 captures (`MAPI_CAPTURES` overrides it).
pub(crate) fn capture_dir() -> PathBuf {
    std::env::var_os("MAPI_CAPTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/captures/gromox-3.10"))
}

/// The bytes of one capture file. Always `Some`: the `Option` keeps the
/// `let Some(..) = capture(..) else { .. }` call sites readable.
pub(crate) fn capture(name: &str) -> Option<Vec<u8>> {
    let path = capture_dir().join(name);
    match std::fs::read(&path) {
        Ok(b) => Some(b),
        Err(e) => panic!("capture {}: {e}", path.display()),
    }
}
