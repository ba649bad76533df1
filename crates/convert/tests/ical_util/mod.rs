//! Test helper of the ical tests: messages built from the gromox oracle
//! captures of `testdata/captures/gromox-3.10-conversions` (with the
//! loader of the MIME tests, `common`), the fixture sources, and a diff of
//! two messages.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

use std::path::PathBuf;

use convert::{Message, PropKey};

pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/captures/gromox-3.10-conversions")
}

/// The conversion captures print every error value, strings included, as
/// "0x8004010F ecNotFound".
fn captures() -> common::Captures {
    common::Captures { dir: fixture_dir(), string_errors: true }
}

/// Builds the message of capture `fixture` (e.g. `ical-01-berlin-single`).
pub fn message(fixture: &str) -> Message {
    captures().message(fixture)
}

/// The iCalendar source of a fixture (`ical-01-berlin-single`).
pub fn source(fixture: &str) -> String {
    String::from_utf8(captures().read(&format!("sources/{fixture}.ics"))).unwrap()
}

/// Names of every ical fixture with a capture.
pub fn ical_fixtures() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(fixture_dir().join("sources"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("ical-") && n.ends_with(".ics"))
        .map(|n| n.trim_end_matches(".ics").to_owned())
        .collect();
    v.sort();
    v
}

/// Every difference between two messages (properties, recipients,
/// attachments, embedded messages), one line each.
pub fn message_diff(out: &mut Vec<String>, obj: &str, a: &Message, b: &Message) {
    let keys: std::collections::BTreeSet<&PropKey> =
        a.props.iter().map(|(k, _)| k).chain(b.props.iter().map(|(k, _)| k)).collect();
    for k in keys {
        let (x, y) = (a.props.get(k.clone()), b.props.get(k.clone()));
        if x != y {
            out.push(format!("{obj} | {k:?}: {x:?} / {y:?}"));
        }
    }
    if a.recipients != b.recipients {
        out.push(format!("{obj} | recipients: {:?} / {:?}", a.recipients, b.recipients));
    }
    if a.attachments.len() != b.attachments.len() {
        out.push(format!("{obj} | attachments: {} / {}", a.attachments.len(), b.attachments.len()));
    }
    for (i, (x, y)) in a.attachments.iter().zip(&b.attachments).enumerate() {
        if x.props != y.props {
            out.push(format!("{obj} | attachment {i}: {:?} / {:?}", x.props, y.props));
        }
        if let (Some(e), Some(f)) = (&x.embedded, &y.embedded) {
            message_diff(out, &format!("{obj} | attachment {i} embedded"), e, f);
        }
    }
}
