//! Shared helpers of the from_mime tests: a readable, deterministic dump of
//! a converted message for insta snapshots, and corpus loading.
#![allow(dead_code)]

use std::fmt::Write;
use std::path::PathBuf;

use convert::from_mime::Parsed;
use convert::{Message, NamedId, PropKey, PropertyBag};
use mapi_wire::prop_value::PropValue;
use mapi_wire::tags;

/// The corpus directory.
pub(crate) fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// Every corpus message as (stem, bytes), sorted by name.
pub(crate) fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(corpus_dir())
        .expect("corpus dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .map(|p| {
            let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
            (stem, std::fs::read(&p).expect("read"))
        })
        .collect();
    v.sort();
    v
}

/// A fixture of the from_mime tests (tests/fixtures/from_mime/…).
pub(crate) fn fixture(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/from_mime").join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// FNV-1a 64, to name big binary values in snapshots.
pub(crate) fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// The dump of a parse result.
pub(crate) fn dump(p: &Parsed) -> String {
    let mut s = String::new();
    if !p.warnings.is_empty() {
        s.push_str("warnings:\n");
        for w in &p.warnings {
            let _ = writeln!(s, "  [{}] {:?}: {}", w.part, w.kind, w.detail);
        }
    }
    dump_message(&mut s, &p.message, 0);
    s
}

fn dump_message(s: &mut String, m: &Message, indent: usize) {
    let pad = " ".repeat(indent);
    let _ = writeln!(s, "{pad}props:");
    dump_bag(s, &m.props, indent + 2);
    for (i, r) in m.recipients.iter().enumerate() {
        let _ = writeln!(s, "{pad}recipient {i}:");
        dump_bag(s, &r.props, indent + 2);
    }
    for (i, a) in m.attachments.iter().enumerate() {
        let _ = writeln!(s, "{pad}attachment {i}:");
        dump_bag(s, &a.props, indent + 2);
        if let Some(e) = &a.embedded {
            let _ = writeln!(s, "{pad}  embedded message:");
            dump_message(s, e, indent + 4);
        }
    }
}

fn key_name(k: &PropKey, v: &PropValue) -> String {
    match k {
        PropKey::Tag(id) => {
            let tag = mapi_wire::PropTag::new(*id, v.prop_type());
            format!("{} {:#010X}", tags::name_of(tag).or_else(|| tags::name_of_id(*id)).unwrap_or("?"), tag.0)
        }
        PropKey::Named(n) => {
            let set = tags::set_name(n.set).map(str::to_owned).unwrap_or_else(|| format!("{:?}", n.set));
            match &n.id {
                NamedId::Lid(l) => format!("{set}:{l:#06X}"),
                NamedId::Name(name) => format!("{set}:{name:?}"),
            }
        }
    }
}

fn dump_bag(s: &mut String, bag: &PropertyBag, indent: usize) {
    let pad = " ".repeat(indent);
    for (k, v) in bag.iter() {
        let _ = writeln!(s, "{pad}{} = {}", key_name(k, v), value(v));
    }
}

fn value(v: &PropValue) -> String {
    match v {
        PropValue::String(t) => {
            if t.chars().count() > 600 {
                let head: String = t.chars().take(600).collect();
                format!("{head:?}… ({} chars, fnv {:016x})", t.chars().count(), fnv(t.as_bytes()))
            } else {
                format!("{t:?}")
            }
        }
        PropValue::Binary(b) => {
            if let Ok(t) = std::str::from_utf8(b)
                && b.len() <= 600
                && !t.contains('\0')
                && !b.is_empty()
            {
                return format!("bin {} bytes {t:?}", b.len());
            }
            if b.len() <= 96 {
                format!("bin {}", hex::encode(b))
            } else {
                format!("bin {} bytes fnv {:016x} head {}", b.len(), fnv(b), hex::encode(&b[..32]))
            }
        }
        PropValue::Time(t) => format!("time unix {}", t.unix_seconds()),
        other => format!("{other:?}"),
    }
}
