//! Shared helpers of the vCard tests: fixtures, a readable dump of a
//! converted message, and an in-memory member directory.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use convert::vcard::{DirectoryMember, MemberDirectory, WrappedEntryId};
use convert::{Message, NamedId, PropKey, PropertyBag};
use mapi_wire::entry_id::EntryId;
use mapi_wire::prop_value::PropValue;
use mapi_wire::tags::{NamedKind, name_of, name_of_id, named_of, set_name};

pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vcard")
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Our own fixtures (not the gromox ones), sorted by name.
pub fn fixtures() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir())
        .expect("fixture dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "vcf"))
        .map(|p| {
            let name = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
            (name, std::fs::read(&p).expect("read"))
        })
        .collect();
    v.sort();
    v
}

/// A readable, deterministic dump of a message's properties and
/// attachments.
pub fn dump(m: &Message) -> String {
    let mut out = String::new();
    dump_bag(&mut out, "", &m.props);
    for (i, a) in m.attachments.iter().enumerate() {
        let _ = writeln!(out, "attachment {i}:");
        dump_bag(&mut out, "  ", &a.props);
    }
    out
}

fn dump_bag(out: &mut String, indent: &str, bag: &PropertyBag) {
    for (k, v) in bag.iter() {
        let name = match k {
            PropKey::Tag(id) => name_of(mapi_wire::PropTag::new(*id, v.prop_type())).map(str::to_owned),
            PropKey::Named(_) => None,
        };
        let _ = writeln!(out, "{indent}{} = {}", name.unwrap_or_else(|| key_name(k)), value(v));
    }
}

pub fn key_name(k: &PropKey) -> String {
    match k {
        PropKey::Tag(id) => name_of_id(*id).map_or_else(|| format!("0x{id:04X}"), str::to_owned),
        PropKey::Named(n) => {
            let kind = match &n.id {
                NamedId::Lid(l) => NamedKind::Id(*l),
                NamedId::Name(s) => NamedKind::Name(s),
            };
            named_of(n.set, kind)
                .map_or_else(|| format!("{}:{:?}", set_name(n.set).unwrap_or("?"), n.id), |p| p.canonical.to_owned())
        }
    }
}

fn value(v: &PropValue) -> String {
    match v {
        PropValue::String(s) => format!("{s:?}"),
        PropValue::Time(t) => iso(t.unix_seconds()),
        PropValue::Binary(b) => binary(b),
        PropValue::MvBinary(list) => format!("[{}]", list.iter().map(|b| binary(b)).collect::<Vec<_>>().join(", ")),
        other => format!("{other:?}"),
    }
}

fn binary(b: &[u8]) -> String {
    if let Some(w) = WrappedEntryId::parse(b) {
        return format!("Wrapped(type {:#04x}, {} bytes)", w.kind, w.embedded.len());
    }
    match EntryId::parse(b) {
        Ok(EntryId::OneOff(o)) => format!("OneOff({:?}, {}, {:?})", o.display_name, o.address_type, o.email_address),
        _ if b.len() > 48 => format!("{} bytes {}…", b.len(), hex::encode(&b[..16])),
        _ => hex::encode(b),
    }
}

pub fn iso(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// An address book in memory: UID → (entry id, name, email).
#[derive(Default)]
pub struct TestDirectory {
    pub by_uid: BTreeMap<String, DirectoryMember>,
}

impl TestDirectory {
    pub fn with(mut self, uid: &str, name: &str, email: &str) -> Self {
        let mut entry_id = vec![0u8; 70];
        for (i, b) in uid.bytes().enumerate() {
            if let Some(slot) = entry_id.get_mut(22 + i % 46) {
                *slot ^= b;
            }
        }
        self.by_uid.insert(
            uid.to_owned(),
            DirectoryMember {
                entry_id,
                display_name: name.to_owned(),
                email: email.to_owned(),
                email_index: 0,
                is_list: false,
            },
        );
        self
    }
}

impl MemberDirectory for TestDirectory {
    fn member_by_uid(&self, uid: &str) -> Option<DirectoryMember> {
        let bare = uid.strip_prefix("urn:uuid:").unwrap_or(uid);
        self.by_uid.get(uid).or_else(|| self.by_uid.get(bare)).cloned()
    }
    fn uid_by_entry_id(&self, entry_id: &[u8]) -> Option<String> {
        self.by_uid.iter().find(|(_, m)| m.entry_id == entry_id).map(|(u, _)| u.clone())
    }
}
