//! Test helper: build a `convert::Message` from a gromox oracle capture
//! (`NNN-<fixture>-*.json`, the `objects[]` property lists and the
//! `tables_readable` recipient rows). The functions read the MIME fixtures
//! (`tests/fixtures/gromox`); [`Captures`] reads another directory (the
//! ical tests use it on `testdata/captures/gromox-3.10-conversions`).

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::PathBuf;

use convert::{Attachment, Message, NamedKey, PropKey, PropertyBag, Recipient};
use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::{Guid, PropTag};
use serde_json::Value;

pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gromox")
}

/// The MIME fixtures.
fn mime() -> Captures {
    Captures { dir: fixture_dir(), string_errors: false }
}

pub fn read(name: &str) -> Vec<u8> {
    mime().read(name)
}

/// Builds the message of fixture `fixture` (e.g. `mime-06-nested-rfc822`).
pub fn message(fixture: &str) -> Message {
    mime().message(fixture)
}

/// A directory of gromox captures.
pub struct Captures {
    pub dir: PathBuf,
    /// Whether a PtypString "0x8004… ec…" is gromox printing an error
    /// (ecNotFound) rather than text. The MIME fixtures' golden files were
    /// written with such strings kept as text.
    pub string_errors: bool,
}

impl Captures {
    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn json(&self, name: &str) -> Value {
        serde_json::from_slice(&self.read(name)).unwrap()
    }

    /// All JSON files of one fixture (`mime-05-mixed-rfc2231`), sorted.
    fn files_of(&self, fixture: &str) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".json") && n.get(4..).is_some_and(|r| r.starts_with(fixture)))
            .collect();
        v.sort();
        v
    }

    /// Builds the message of fixture `fixture`.
    pub fn message(&self, fixture: &str) -> Message {
        let files = self.files_of(fixture);
        assert!(!files.is_empty(), "no fixture {fixture}");
        let mut msg = Message::new();
        for f in &files {
            let j = self.json(f);
            for o in j["objects"].as_array().unwrap() {
                let name = o["object"].as_str().unwrap();
                let props = &o["properties"];
                let mut words = name.split_whitespace();
                match (words.next(), words.next(), words.next(), words.next(), words.next(), words.next()) {
                    (Some("message"), ..) => {
                        self.fill(&mut msg.props, props);
                        if !name.contains('(') {
                            msg.recipients = self.recipients(&j["tables_readable"]);
                        }
                    }
                    (Some("attachment"), Some(n), None, ..) => {
                        let n: usize = n.parse().unwrap();
                        let a = attachment_at(&mut msg, n);
                        self.fill(&mut a.props, props);
                    }
                    (Some("attachment"), Some(n), Some("embedded"), Some("message"), None, ..) => {
                        let n: usize = n.parse().unwrap();
                        let a = attachment_at(&mut msg, n);
                        let e = a.embedded.get_or_insert_with(Default::default);
                        self.fill(&mut e.props, props);
                        e.recipients = self.recipients(&j["tables_readable"]);
                    }
                    (Some("attachment"), Some(n), Some("/"), Some("embedded"), Some("message"), Some("/")) => {
                        let n: usize = n.parse().unwrap();
                        let m: usize = name.rsplit(' ').next().unwrap().parse().unwrap();
                        let a = attachment_at(&mut msg, n);
                        let e = a.embedded.get_or_insert_with(Default::default);
                        while e.attachments.len() <= m {
                            e.attachments.push(Attachment::default());
                        }
                        self.fill(&mut e.attachments[m].props, props);
                    }
                    _ => panic!("unknown object {name}"),
                }
            }
        }
        msg
    }

    /// One property from its JSON form; `None` for error values (ecNotFound).
    fn value(&self, ty: &str, v: &Value) -> Option<PropValue> {
        if let Value::String(s) = v
            && s.starts_with("0x8004")
            && (ty != "PtypString" || (self.string_errors && s.contains(" ec")))
        {
            return None;
        }
        Some(match ty {
            "PtypString" => PropValue::String(v.as_str()?.to_owned()),
            "PtypString8" => PropValue::String8(v.as_str()?.as_bytes().to_vec()),
            "PtypBinary" => PropValue::Binary(hex_bytes(v.as_str()?)),
            "PtypInteger32" => PropValue::I32(as_i64(v)? as i32),
            "PtypInteger16" => PropValue::I16(as_i64(v)? as i16),
            "PtypInteger64" => PropValue::I64(as_i64(v)?),
            "PtypBoolean" => PropValue::Bool(match v {
                Value::Bool(b) => *b,
                Value::String(s) => s == "True",
                _ => return None,
            }),
            "PtypTime" => PropValue::Time(parse_time(v.as_str()?)?),
            "PtypFloating64" => PropValue::F64(v.as_f64()?),
            "PtypMultipleString" => {
                PropValue::MvString(v.as_array()?.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
            }
            "PtypGuid" => PropValue::Guid(Guid::parse(v.as_str()?)?),
            _ => return None,
        })
    }

    /// Adds the properties of one `objects[]` entry to `bag`.
    fn fill(&self, bag: &mut PropertyBag, props: &Value) {
        for p in props.as_array().unwrap() {
            let tag = u32::from_str_radix(p["tag"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
            let ty = p["type"].as_str().unwrap_or_else(|| type_of_tag(tag));
            let Some(v) = self.value(ty, &p["value"]) else { continue };
            let key = if let Some(named) = p.get("named") {
                let set = Guid::parse(named["guid"].as_str().unwrap()).unwrap();
                match (named.get("lid"), named.get("name")) {
                    (Some(lid), _) => NamedKey::lid(
                        set,
                        u32::from_str_radix(lid.as_str().unwrap().trim_start_matches("0x"), 16).unwrap(),
                    ),
                    (_, Some(name)) => NamedKey::name(set, name.as_str().unwrap()),
                    _ => continue,
                }
                .into()
            } else {
                match PropKey::from_tag(PropTag(tag)) {
                    Some(k) => k,
                    None => panic!("unresolved named id {tag:#x}"),
                }
            };
            bag.insert(key, v).unwrap();
        }
    }

    /// Recipient rows from a `RopReadRecipients` table.
    fn recipients(&self, tables: &Value) -> Vec<Recipient> {
        let mut out = Vec::new();
        for t in tables.as_array().into_iter().flatten() {
            if t["rop"] != "RopReadRecipients" {
                continue;
            }
            for row in t["rows"].as_array().into_iter().flatten() {
                let mut bag = PropertyBag::new();
                bag.insert(PropTag::RECIPIENT_TYPE, PropValue::I32(row["RecipientType"].as_i64().unwrap() as i32))
                    .unwrap();
                let rr = &row["RecipientRow"];
                if let Some(n) = rr["DisplayName"].as_str() {
                    bag.insert(PropTag::DISPLAY_NAME, PropValue::String(n.into())).unwrap();
                }
                if let Some(e) = rr["EmailAddress"].as_str() {
                    bag.insert(PropTag::EMAIL_ADDRESS, PropValue::String(e.into())).unwrap();
                    // RecipientRow Type 3 = SMTP one-off ([MS-OXCDATA] 2.8.3.1).
                    if rr["Type"] == 3 {
                        bag.insert(PropTag::ADDRESS_TYPE, PropValue::String("SMTP".into())).unwrap();
                    }
                }
                for v in rr["row"]["values"].as_array().into_iter().flatten() {
                    let tag_s = v["tag"].as_str().unwrap().split_whitespace().next().unwrap();
                    let tag = u32::from_str_radix(tag_s.trim_start_matches("0x"), 16).unwrap();
                    if let Some(val) = self.value(type_of_tag(tag), &v["value"]) {
                        bag.insert(PropTag(tag), val).unwrap();
                    }
                }
                out.push(Recipient { props: bag });
            }
        }
        out
    }
}

/// Parses "2026-11-19T09:05:00Z" / "2026-11-27T02:19:15.899859Z".
fn parse_time(s: &str) -> Option<FileTime> {
    let s = s.strip_suffix('Z')?;
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-').map(|x| x.parse::<i64>());
    let (y, m, dd) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let mut t = hms.split(':').map(|x| x.parse::<i64>());
    let (h, mi, se) = (t.next()?.ok()?, t.next()?.ok()?, t.next()?.ok()?);
    // days_from_civil (H. Hinnant)
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + dd - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + se;
    let mut ft = FileTime::from_unix_seconds(secs)?.0;
    let frac7: String = frac.chars().chain(std::iter::repeat('0')).take(7).collect();
    ft += frac7.parse::<u64>().ok()?;
    Some(FileTime(ft))
}

fn hex_bytes(s: &str) -> Vec<u8> {
    s.split_whitespace().map(|b| u8::from_str_radix(b, 16).unwrap()).collect()
}

fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn type_of_tag(tag: u32) -> &'static str {
    match tag & 0xFFFF {
        0x001F => "PtypString",
        0x001E => "PtypString8",
        0x0102 => "PtypBinary",
        0x0003 => "PtypInteger32",
        0x0002 => "PtypInteger16",
        0x0014 => "PtypInteger64",
        0x000B => "PtypBoolean",
        0x0040 => "PtypTime",
        0x101F => "PtypMultipleString",
        0x0048 => "PtypGuid",
        0x0005 => "PtypFloating64",
        _ => "?",
    }
}

fn attachment_at(msg: &mut Message, n: usize) -> &mut Attachment {
    while msg.attachments.len() <= n {
        msg.attachments.push(Attachment::default());
    }
    &mut msg.attachments[n]
}

/// The identity a mailbox would pass: source key + change key.
pub fn identity(msg: &Message) -> Vec<u8> {
    let mut id = msg.props.binary(PropTag::SOURCE_KEY).unwrap_or_default().to_vec();
    id.extend_from_slice(msg.props.binary(PropTag::CHANGE_KEY).unwrap_or_default());
    id
}
