//! Restriction evaluation ([MS-OXCDATA] 2.12) against property bags.
//!
//! Pure: no store access. The ROP layer evaluates RopRestrict, RopFindRow
//! and ICS restrictions with [`matches`] (one row) or [`RowFilter`] (a run
//! of rows, for the stateful CountRestriction).
//!
//! Semantics, as Exchange/gromox apply them:
//! * a missing property makes Content, Property, CompareProperties,
//!   Bitmask and Size restrictions false (also for RELOP_NE);
//! * strings compare case-insensitively (Unicode lower-case) in Property and
//!   CompareProperties restrictions; Content honours FL_IGNORECASE (and
//!   treats FL_LOOSE like it; FL_IGNORENONSPACE is accepted and ignored);
//! * a multi-valued property matches a single-valued value if any element
//!   does; two multi-valued values compare element by element;
//! * integers of different widths compare numerically;
//! * SubObject holds if any recipient (PidTagMessageRecipients) or
//!   attachment (PidTagMessageAttachments) matches;
//! * Comment evaluates its restriction (true without one);
//! * Count: [`matches`] treats it as its subrestriction (false for count
//!   0); [`RowFilter`] lets only the first `count` matching rows through.
//! * RELOP_RE matches string values (any element of a multi-valued one)
//!   against the value as a regular expression (Rust `regex` syntax, search
//!   anywhere, case-sensitive; a pattern that does not compile or exceeds
//!   the size limit matches nothing);
//! * RELOP_MEMBER_OF_DL is not supported (distribution lists live in the
//!   address book, not here) and never matches.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;

use mapi_wire::prop_value::PropValue;
use mapi_wire::restriction::{BitmapRelOp, FuzzyLevel, RelOp, Restriction};
use mapi_wire::{PropTag, PropType};

use super::props::{MessageContent, PropBag, value_size};

/// Read access to an object's properties and sub-objects for evaluation.
pub trait PropLookup {
    /// The value of `tag` (PtypUnspecified = any type; strings may be
    /// converted between PtypString and PtypString8).
    fn prop(&self, tag: PropTag) -> Option<Cow<'_, PropValue>>;

    /// The recipient rows (for SubObject restrictions).
    fn recipients(&self) -> Vec<&dyn PropLookup> {
        Vec::new()
    }

    /// The attachments (for SubObject restrictions).
    fn attachments(&self) -> Vec<&dyn PropLookup> {
        Vec::new()
    }
}

impl PropLookup for PropBag {
    fn prop(&self, tag: PropTag) -> Option<Cow<'_, PropValue>> {
        self.get_as(tag)
    }
}

impl PropLookup for MessageContent {
    fn prop(&self, tag: PropTag) -> Option<Cow<'_, PropValue>> {
        self.props.get_as(tag)
    }

    fn recipients(&self) -> Vec<&dyn PropLookup> {
        self.recipients.iter().map(|r| r as &dyn PropLookup).collect()
    }

    fn attachments(&self) -> Vec<&dyn PropLookup> {
        self.attachments.iter().map(|a| &a.props as &dyn PropLookup).collect()
    }
}

impl PropLookup for super::MessageRow {
    fn prop(&self, tag: PropTag) -> Option<Cow<'_, PropValue>> {
        self.content.prop(tag)
    }

    fn recipients(&self) -> Vec<&dyn PropLookup> {
        self.content.recipients()
    }

    fn attachments(&self) -> Vec<&dyn PropLookup> {
        self.content.attachments()
    }
}

impl PropLookup for super::FolderRow {
    fn prop(&self, tag: PropTag) -> Option<Cow<'_, PropValue>> {
        self.props.get_as(tag)
    }
}

impl<L: PropLookup + ?Sized> PropLookup for &L {
    fn prop(&self, tag: PropTag) -> Option<Cow<'_, PropValue>> {
        (**self).prop(tag)
    }

    fn recipients(&self) -> Vec<&dyn PropLookup> {
        (**self).recipients()
    }

    fn attachments(&self) -> Vec<&dyn PropLookup> {
        (**self).attachments()
    }
}

impl<L: PropLookup + ?Sized> PropLookup for std::sync::Arc<L> {
    fn prop(&self, tag: PropTag) -> Option<Cow<'_, PropValue>> {
        (**self).prop(tag)
    }

    fn recipients(&self) -> Vec<&dyn PropLookup> {
        (**self).recipients()
    }

    fn attachments(&self) -> Vec<&dyn PropLookup> {
        (**self).attachments()
    }
}

/// A row given as (id, properties).
impl<L: PropLookup> PropLookup for (u64, L) {
    fn prop(&self, tag: PropTag) -> Option<Cow<'_, PropValue>> {
        self.1.prop(tag)
    }

    fn recipients(&self) -> Vec<&dyn PropLookup> {
        self.1.recipients()
    }

    fn attachments(&self) -> Vec<&dyn PropLookup> {
        self.1.attachments()
    }
}

/// True if `props` satisfies `restriction` ([MS-OXCDATA] 2.12).
pub fn matches<L: PropLookup + ?Sized>(restriction: &Restriction, props: &L) -> bool {
    let mut f = RowFilter::new(restriction);
    f.stateless = true;
    f.eval(restriction, &Dyn(props))
}

struct Dyn<'a, L: ?Sized>(&'a L);

impl<L: PropLookup + ?Sized> PropLookup for Dyn<'_, L> {
    fn prop(&self, tag: PropTag) -> Option<Cow<'_, PropValue>> {
        self.0.prop(tag)
    }
    fn recipients(&self) -> Vec<&dyn PropLookup> {
        self.0.recipients()
    }
    fn attachments(&self) -> Vec<&dyn PropLookup> {
        self.0.attachments()
    }
}

/// Evaluates one restriction over a sequence of rows, keeping the state of
/// CountRestrictions ([MS-OXCDATA] 2.12.12: at most `count` rows pass).
#[derive(Debug)]
pub struct RowFilter<'r> {
    restriction: &'r Restriction,
    counts: HashMap<usize, u32>,
    regexes: HashMap<usize, Option<regex::Regex>>,
    stateless: bool,
}

impl<'r> RowFilter<'r> {
    /// A filter with fresh counters.
    pub fn new(restriction: &'r Restriction) -> Self {
        Self { restriction, counts: HashMap::new(), regexes: HashMap::new(), stateless: false }
    }

    /// True if the next row passes.
    pub fn accept<L: PropLookup + ?Sized>(&mut self, props: &L) -> bool {
        let r = self.restriction;
        self.eval(r, &Dyn(props))
    }

    fn eval(&mut self, r: &Restriction, p: &dyn PropLookup) -> bool {
        match r {
            Restriction::And(rs) => rs.iter().all(|r| self.eval(r, p)),
            Restriction::Or(rs) => rs.iter().any(|r| self.eval(r, p)),
            Restriction::Not(r) => !self.eval(r, p),
            Restriction::Content { fuzzy, tag, value } => {
                p.prop(tag.with_type(PropType::UNSPECIFIED)).is_some_and(|v| content_match(*fuzzy, &v, &value.value))
            }
            Restriction::Property { op, tag, value } if *op == RelOp::RE => {
                let key = std::ptr::from_ref(r) as usize;
                let re = self.regexes.entry(key).or_insert_with(|| compile_regex(&value.value));
                let Some(re) = re.as_ref() else { return false };
                p.prop(lookup_tag(*tag))
                    .is_some_and(|v| elements(&v).iter().any(|e| matches!(e, Scalar::Str(s) if re.is_match(s))))
            }
            Restriction::Property { op, tag, value } => {
                p.prop(lookup_tag(*tag)).is_some_and(|v| relop_values(*op, &v, &value.value))
            }
            Restriction::CompareProperties { op, tag1, tag2 } => {
                match (p.prop(lookup_tag(*tag1)), p.prop(lookup_tag(*tag2))) {
                    (Some(a), Some(b)) => relop_values(*op, &a, &b),
                    _ => false,
                }
            }
            Restriction::Bitmask { op, tag, mask } => {
                let v = match p.prop(tag.with_type(PropType::UNSPECIFIED)).as_deref() {
                    Some(PropValue::I32(v)) => *v as u32,
                    Some(PropValue::I16(v)) => u32::from(*v as u16),
                    Some(PropValue::I64(v)) => *v as u32,
                    Some(PropValue::Bool(b)) => u32::from(*b),
                    _ => return false,
                };
                let zero = v & mask == 0;
                if *op == BitmapRelOp::EQZ { zero } else { !zero }
            }
            Restriction::Size { op, tag, size } => p
                .prop(tag.with_type(PropType::UNSPECIFIED))
                .is_some_and(|v| relop(*op, value_size(&v).cmp(&u64::from(*size)))),
            Restriction::Exist { tag } => p.prop(tag.with_type(PropType::UNSPECIFIED)).is_some(),
            Restriction::SubObject { subobject, restriction } => {
                let subs = if subobject.id() == PropTag::MESSAGE_RECIPIENTS.id() {
                    p.recipients()
                } else if subobject.id() == PropTag::MESSAGE_ATTACHMENTS.id() {
                    p.attachments()
                } else {
                    return false;
                };
                subs.into_iter().any(|s| self.eval(restriction, s))
            }
            Restriction::Comment { restriction, .. } => restriction.as_ref().is_none_or(|r| self.eval(r, p)),
            Restriction::Count { count, restriction } => {
                if *count == 0 {
                    return false;
                }
                if !self.eval(restriction, p) {
                    return false;
                }
                if self.stateless {
                    return true;
                }
                let key = std::ptr::from_ref(r) as usize;
                let used = self.counts.entry(key).or_insert(0);
                if *used >= *count {
                    return false;
                }
                *used += 1;
                true
            }
        }
    }
}

/// Property restrictions name a typed tag; look the value up by id and let
/// the comparison decide (an MV-instance bit is dropped).
fn lookup_tag(tag: PropTag) -> PropTag {
    tag.with_type(PropType::UNSPECIFIED)
}

/// Compiles a RELOP_RE pattern with a size limit (peer input).
fn compile_regex(v: &PropValue) -> Option<regex::Regex> {
    let pattern = match v {
        PropValue::String(s) => s.clone(),
        PropValue::String8(b) => b.iter().map(|&c| char::from(c)).collect(),
        _ => return None,
    };
    regex::RegexBuilder::new(&pattern).size_limit(1 << 20).nest_limit(64).build().ok()
}

fn relop(op: RelOp, ord: Ordering) -> bool {
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

/// Applies `op` between a property value and a restriction value.
pub fn relop_values(op: RelOp, prop: &PropValue, value: &PropValue) -> bool {
    if !matches!(op, RelOp::LT | RelOp::LE | RelOp::GT | RelOp::GE | RelOp::EQ | RelOp::NE) {
        return false;
    }
    let (pe, ve) = (elements(prop), elements(value));
    match (prop.prop_type().is_multi(), value.prop_type().is_multi()) {
        (true, false) => {
            let Some(v) = ve.first() else { return false };
            pe.iter().any(|e| compare_scalar(e, v).is_some_and(|o| relop(op, o)))
        }
        _ => compare_lists(&pe, &ve).is_some_and(|o| relop(op, o)),
    }
}

fn compare_lists(a: &[Scalar<'_>], b: &[Scalar<'_>]) -> Option<Ordering> {
    for (x, y) in a.iter().zip(b) {
        match compare_scalar(x, y)? {
            Ordering::Equal => {}
            o => return Some(o),
        }
    }
    Some(a.len().cmp(&b.len()))
}

/// One comparable element of a value.
#[derive(Debug)]
pub(crate) enum Scalar<'a> {
    Int(i128),
    Float(f64),
    Str(Cow<'a, str>),
    Bytes(&'a [u8]),
    Guid(&'a [u8; 16]),
    Null,
}

/// The elements of a value (one for single-valued values).
pub(crate) fn elements(v: &PropValue) -> Vec<Scalar<'_>> {
    use PropValue as P;
    use Scalar as S;
    match v {
        P::Null => vec![S::Null],
        P::I16(x) => vec![S::Int((*x).into())],
        P::I32(x) => vec![S::Int((*x).into())],
        P::I64(x) | P::Currency(x) => vec![S::Int((*x).into())],
        P::Bool(b) => vec![S::Int((*b).into())],
        P::Error(e) => vec![S::Int(e.0.into())],
        P::Object(o) => vec![S::Int((*o).into())],
        P::Time(t) => vec![S::Int(t.0.into())],
        P::F32(x) => vec![S::Float((*x).into())],
        P::F64(x) | P::FloatingTime(x) => vec![S::Float(*x)],
        P::String(s) => vec![S::Str(Cow::Borrowed(s))],
        P::String8(b) => vec![S::Str(Cow::Owned(b.iter().map(|&c| char::from(c)).collect()))],
        P::Guid(g) => vec![S::Guid(&g.0)],
        P::Binary(b) | P::ServerId(b) | P::RuleAction(b) => vec![S::Bytes(b)],
        // A restriction value compares with nothing.
        P::Restriction(_) => Vec::new(),
        P::MvI16(v) => v.iter().map(|x| S::Int((*x).into())).collect(),
        P::MvI32(v) => v.iter().map(|x| S::Int((*x).into())).collect(),
        P::MvI64(v) | P::MvCurrency(v) => v.iter().map(|x| S::Int((*x).into())).collect(),
        P::MvF32(v) => v.iter().map(|x| S::Float((*x).into())).collect(),
        P::MvF64(v) | P::MvFloatingTime(v) => v.iter().map(|x| S::Float(*x)).collect(),
        P::MvTime(v) => v.iter().map(|t| S::Int(t.0.into())).collect(),
        P::MvGuid(v) => v.iter().map(|g| S::Guid(&g.0)).collect(),
        P::MvString(v) => v.iter().map(|s| S::Str(Cow::Borrowed(s.as_str()))).collect(),
        P::MvString8(v) => v.iter().map(|b| S::Str(Cow::Owned(b.iter().map(|&c| char::from(c)).collect()))).collect(),
        P::MvBinary(v) => v.iter().map(|b| S::Bytes(b.as_slice())).collect(),
    }
}

/// Case-insensitive string order (Exchange's default collation, roughly):
/// compares the Unicode lower-case forms.
pub fn compare_strings(a: &str, b: &str) -> Ordering {
    let mut x = a.chars().flat_map(char::to_lowercase);
    let mut y = b.chars().flat_map(char::to_lowercase);
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) => match c.cmp(&d) {
                Ordering::Equal => {}
                o => return o,
            },
        }
    }
}

/// Compares two elements of compatible kinds; `None` if incomparable.
pub(crate) fn compare_scalar(a: &Scalar<'_>, b: &Scalar<'_>) -> Option<Ordering> {
    use Scalar as S;
    Some(match (a, b) {
        (S::Int(x), S::Int(y)) => x.cmp(y),
        (S::Float(x), S::Float(y)) => x.partial_cmp(y)?,
        (S::Int(x), S::Float(y)) => (*x as f64).partial_cmp(y)?,
        (S::Float(x), S::Int(y)) => x.partial_cmp(&(*y as f64))?,
        (S::Str(x), S::Str(y)) => compare_strings(x, y),
        (S::Bytes(x), S::Bytes(y)) => x.cmp(y),
        (S::Guid(x), S::Guid(y)) => x.cmp(y),
        (S::Null, S::Null) => Ordering::Equal,
        _ => return None,
    })
}

fn content_match(fuzzy: FuzzyLevel, prop: &PropValue, pattern: &PropValue) -> bool {
    let pats = elements(pattern);
    let Some(pat) = pats.first() else { return false };
    let fold = fuzzy.high & (FuzzyLevel::IGNORE_CASE | FuzzyLevel::LOOSE) != 0;
    elements(prop).iter().any(|e| match (e, pat) {
        (Scalar::Str(s), Scalar::Str(p)) => {
            if fold {
                let (s, p) = (s.to_lowercase(), p.to_lowercase());
                fuzzy_bytes(fuzzy.low, s.as_bytes(), p.as_bytes())
            } else {
                fuzzy_bytes(fuzzy.low, s.as_bytes(), p.as_bytes())
            }
        }
        (Scalar::Bytes(b), Scalar::Bytes(p)) => {
            if fold {
                fuzzy_bytes(fuzzy.low, &b.to_ascii_lowercase(), &p.to_ascii_lowercase())
            } else {
                fuzzy_bytes(fuzzy.low, b, p)
            }
        }
        _ => false,
    })
}

fn fuzzy_bytes(low: u16, s: &[u8], p: &[u8]) -> bool {
    match low & 0x000F {
        FuzzyLevel::SUBSTRING => p.is_empty() || s.windows(p.len()).any(|w| w == p),
        FuzzyLevel::PREFIX => s.starts_with(p),
        _ => s == p,
    }
}

#[cfg(test)]
mod tests;
