//! `serde::Serialize` for the types whose JSON form is not their structure
//! (feature `serde`; used by `mapi-inspect --json`).
//!
//! The forms follow the capture annotations administrators already read:
//! tags as `0x0037001F PidTagSubject`, error codes as `0x8004010F NotFound`,
//! binary values as spaced hex, times as RFC 3339 UTC.

use serde::ser::{Serialize, SerializeSeq, Serializer};

use crate::error_code::ErrorCode;
use crate::prop_tag::PropTag;
use crate::prop_value::{Currency, FileTime, FlaggedValue, PropValue};

/// Serializes a value as its `Debug` text, for small newtypes whose Debug
/// already is the readable form (GUIDs, flag sets, ranges).
macro_rules! via_debug {
    ($($ty:ty),* $(,)?) => {$(
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&format_args!("{self:?}"))
            }
        }
    )*};
}

via_debug!(
    crate::guid::Guid,
    crate::http::RequestType,
    crate::idset::GlobRange,
    crate::idset::GlobSet,
    crate::rpc_ext::ExtFlags,
    crate::recipient::RecipientFlags,
    crate::nspi::MinimalId,
    crate::ids::GlobalCounter,
    crate::entry_id::OneOffFlags,
);

/// Spaced lower-case hex, as in the capture annotations.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// `serialize_with` helper: raw bytes as spaced hex.
pub(crate) fn hex_bytes<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex(bytes))
}

impl Serialize for PropTag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match crate::tags::name_of(*self) {
            Some(name) => s.collect_str(&format_args!("0x{:08X} {name}", self.0)),
            None => s.collect_str(&format_args!("0x{:08X}", self.0)),
        }
    }
}

/// `0x8004010F NotFound`, or the bare hex for an unnamed code.
pub(crate) fn error_code_text(e: ErrorCode) -> String {
    match e.name() {
        Some(n) => format!("0x{:08X} {n}", e.0),
        None => format!("0x{:08X}", e.0),
    }
}

impl Serialize for FileTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&rfc3339(*self))
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl Serialize for FlaggedValue {
    /// A present value as itself, a missing one as `null`, an error as its
    /// code text.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Value(v) => v.serialize(s),
            Self::Missing => s.serialize_none(),
            Self::Error(e) => s.collect_str(&error_code_text(*e)),
        }
    }
}

impl Serialize for PropValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        fn seq<S: Serializer, T: Serialize>(s: S, items: &[T]) -> Result<S::Ok, S::Error> {
            let mut q = s.serialize_seq(Some(items.len()))?;
            for i in items {
                q.serialize_element(i)?;
            }
            q.end()
        }
        match self {
            Self::Null => s.serialize_none(),
            Self::I16(v) => s.serialize_i16(*v),
            Self::I32(v) => s.serialize_i32(*v),
            Self::F32(v) => s.serialize_f32(*v),
            Self::F64(v) | Self::FloatingTime(v) => s.serialize_f64(*v),
            Self::Currency(v) | Self::I64(v) => s.serialize_i64(*v),
            Self::Error(e) => s.collect_str(&error_code_text(*e)),
            Self::Bool(v) => s.serialize_bool(*v),
            // 8-bit strings are in the session code page; show them as
            // Latin-1 so every byte stays visible.
            Self::String8(b) => s.collect_str(&b.iter().map(|&c| char::from(c)).collect::<String>()),
            Self::String(v) => s.serialize_str(v),
            Self::Time(t) => t.serialize(s),
            Self::Guid(g) => g.serialize(s),
            Self::ServerId(b) | Self::RuleAction(b) | Self::Binary(b) => s.serialize_str(&hex(b)),
            Self::Restriction(r) => r.serialize(s),
            Self::Object(v) => s.serialize_u32(*v),
            Self::MvI16(v) => seq(s, v),
            Self::MvI32(v) => seq(s, v),
            Self::MvF32(v) => seq(s, v),
            Self::MvF64(v) | Self::MvFloatingTime(v) => seq(s, v),
            Self::MvCurrency(v) | Self::MvI64(v) => seq(s, v),
            Self::MvString8(v) => {
                let texts: Vec<String> = v.iter().map(|b| b.iter().map(|&c| char::from(c)).collect()).collect();
                seq(s, &texts)
            }
            Self::MvString(v) => seq(s, v),
            Self::MvTime(v) => seq(s, v),
            Self::MvGuid(v) => seq(s, v),
            Self::MvBinary(v) => seq(s, &v.iter().map(|b| hex(b)).collect::<Vec<_>>()),
        }
    }
}

/// A FILETIME as RFC 3339 UTC (`2026-11-27T01:27:56Z`, fractions when present).
pub(crate) fn rfc3339(t: FileTime) -> String {
    let secs = t.unix_seconds();
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm), valid for the whole
    // FILETIME range.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, sec) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let frac = t.subsecond_ticks();
    if frac == 0 {
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{sec:02}Z")
    } else {
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{sec:02}.{frac:07}Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_like_the_capture_annotations() {
        let t = FileTime::from_unix_seconds(1_795_742_876).unwrap();
        assert_eq!(rfc3339(t), "2026-11-27T01:27:56Z");
        assert_eq!(rfc3339(FileTime(0)), "1601-01-01T00:00:00Z");
    }

    #[test]
    fn values_and_tags_serialize_readably() {
        let v = serde_json::to_value(crate::prop_value::TaggedValue {
            tag: PropTag::SUBJECT,
            value: PropValue::String("Hi".into()),
        })
        .unwrap();
        assert_eq!(v, serde_json::json!({"tag": "0x0037001F PidTagSubject", "value": "Hi"}));
        assert_eq!(serde_json::to_value(PropValue::Binary(vec![1, 0xab])).unwrap(), "01 ab");
        assert_eq!(serde_json::to_value(PropValue::Error(ErrorCode::NOT_FOUND)).unwrap(), "0x8004010F NotFound");
    }
}
