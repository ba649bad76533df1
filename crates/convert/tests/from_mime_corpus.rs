//! Golden corpus: every tests/corpus/*.eml converted MIME → MAPI and its
//! property bags snapshotted with insta (tests/snapshots/).
//!
//! To refresh after an intended change: `INSTA_UPDATE=always cargo test -p
//! convert --test from_mime_corpus` and review the diff.

mod from_mime_util;

use convert::from_mime::{ParseOptions, from_mime_with_warnings};

#[test]
fn corpus_has_at_least_forty_messages() {
    assert!(from_mime_util::corpus().len() >= 40);
}

#[test]
fn corpus_snapshots() {
    let opts = ParseOptions::default();
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for (name, raw) in from_mime_util::corpus() {
            let parsed = from_mime_with_warnings(&raw, &opts).expect("converts");
            insta::assert_snapshot!(name.as_str(), from_mime_util::dump(&parsed));
        }
    });
}
