//! What a MAPI server does with a restriction ([MS-OXCDATA] 2.12) on one
//! message: the in-memory backend runs search plans through it, and tests
//! check that a plan's restriction selects what the local evaluation does.
//!
//! Semantics follow Exchange's: a Content, Property or Bitmask restriction on
//! a property the object lacks is false; Content on a multi-valued property
//! matches if any value does; FL_IGNORECASE compares lower-cased; a
//! SubObject restriction on PidTagMessageRecipients matches if any
//! recipient row does. CompareProperties, Size, Comment and Count are not
//! needed by the gateway and evaluate to false.

use std::borrow::Cow;

use convert::{Message, NamedKey, PropKey, PropertyBag};
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;
use mapi_wire::restriction::{BitmapRelOp, FuzzyLevel, RelOp, Restriction};

/// Maps a mailbox's named property id (≥ 0x8000) back to its name.
pub type Names<'a> = &'a (dyn Fn(PropTag) -> Option<NamedKey> + Sync);

/// Whether `message` satisfies `r`.
pub fn matches(r: &Restriction, message: &Message, names: Names<'_>) -> bool {
    matches_bag(r, &message.props, Some(message), names)
}

fn matches_bag(r: &Restriction, bag: &PropertyBag, message: Option<&Message>, names: Names<'_>) -> bool {
    let get = |tag: PropTag| -> Option<&PropValue> {
        match PropKey::from_tag(tag) {
            Some(key) => bag.get(key),
            None => names(tag).and_then(|n| bag.get(PropKey::Named(n))),
        }
    };
    match r {
        Restriction::And(v) => v.iter().all(|r| matches_bag(r, bag, message, names)),
        Restriction::Or(v) => v.iter().any(|r| matches_bag(r, bag, message, names)),
        Restriction::Not(r) => !matches_bag(r, bag, message, names),
        Restriction::Content { fuzzy, tag, value } => {
            let Some(pattern) = text(&value.value) else { return false };
            get(*tag).is_some_and(|v| texts(v).iter().any(|t| content_match(*fuzzy, t, &pattern)))
        }
        Restriction::Property { op, tag, value } => get(*tag).is_some_and(|v| compare(*op, v, &value.value)),
        Restriction::Bitmask { op, tag, mask } => get(*tag).and_then(int).is_some_and(|v| {
            let hit = (v as u32) & mask != 0;
            if *op == BitmapRelOp::NEZ { hit } else { !hit }
        }),
        Restriction::Exist { tag } => get(*tag).is_some(),
        Restriction::SubObject { subobject, restriction } if *subobject == PropTag::MESSAGE_RECIPIENTS => {
            message.is_some_and(|m| m.recipients.iter().any(|rcpt| matches_bag(restriction, &rcpt.props, None, names)))
        }
        Restriction::SubObject { subobject, restriction } if *subobject == PropTag::MESSAGE_ATTACHMENTS => {
            message.is_some_and(|m| m.attachments.iter().any(|a| matches_bag(restriction, &a.props, None, names)))
        }
        _ => false,
    }
}

fn text(v: &PropValue) -> Option<Cow<'_, str>> {
    match v {
        PropValue::String(s) => Some(Cow::Borrowed(s)),
        PropValue::String8(b) => Some(String::from_utf8_lossy(b)),
        _ => None,
    }
}

fn texts(v: &PropValue) -> Vec<Cow<'_, str>> {
    match v {
        PropValue::MvString(v) => v.iter().map(|s| Cow::Borrowed(s.as_str())).collect(),
        PropValue::MvString8(v) => v.iter().map(|b| String::from_utf8_lossy(b)).collect(),
        other => text(other).into_iter().collect(),
    }
}

fn content_match(f: FuzzyLevel, value: &str, pattern: &str) -> bool {
    let (v, p) = if f.high & FuzzyLevel::IGNORE_CASE != 0 {
        (Cow::Owned(value.to_lowercase()), Cow::Owned(pattern.to_lowercase()))
    } else {
        (Cow::Borrowed(value), Cow::Borrowed(pattern))
    };
    match f.low {
        FuzzyLevel::SUBSTRING => v.contains(p.as_ref()),
        FuzzyLevel::PREFIX => v.starts_with(p.as_ref()),
        _ => v == p,
    }
}

fn int(v: &PropValue) -> Option<i64> {
    match v {
        PropValue::I16(n) => Some(i64::from(*n)),
        PropValue::I32(n) => Some(i64::from(*n)),
        PropValue::I64(n) => Some(*n),
        PropValue::Bool(b) => Some(i64::from(*b)),
        PropValue::Time(t) => i64::try_from(t.0).ok(),
        _ => None,
    }
}

fn compare(op: RelOp, have: &PropValue, want: &PropValue) -> bool {
    use std::cmp::Ordering;
    let ord = match (int(have), int(want)) {
        (Some(a), Some(b)) => a.cmp(&b),
        _ => match (text(have), text(want)) {
            (Some(a), Some(b)) => a.to_lowercase().cmp(&b.to_lowercase()),
            _ => return false,
        },
    };
    match op {
        RelOp::LT => ord == Ordering::Less,
        RelOp::LE => ord != Ordering::Greater,
        RelOp::GT => ord == Ordering::Greater,
        RelOp::GE => ord != Ordering::Less,
        RelOp::EQ => ord == Ordering::Equal,
        RelOp::NE => ord != Ordering::Equal,
        _ => false,
    }
}
