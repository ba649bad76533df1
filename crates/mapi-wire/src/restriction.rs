//! [MS-OXCDATA] 2.12 Restrictions: the filter trees of RopRestrict,
//! RopFindRow, RopSynchronizationConfigure, NSPI GetMatches and rules.
//!
//! The same tree has different byte forms per [`PropContext`]:
//!
//! * counts of And/Or ("N" in the digest §4.6) are u16 in ROP buffers and u32
//!   in the address book, extended-rule and FastTransfer contexts;
//! * embedded TaggedPropertyValues use the value encoding of the context;
//! * in the address book context ([MS-OXCMAPIHTTP] 2.2.5 GetMatches filters)
//!   Content and Property restrictions carry a HasValue byte (0xFF) before
//!   their TaggedValue, in addition to the value's own HasValue byte. gromox
//!   refuses filters without both (captures 097, 098 vs 132; corrections C
//!   "§7.2 HasValue byte before the TaggedValue").
//!
//! Decoding is recursive and limited to [`Restriction::MAX_DEPTH`] levels.

use crate::codec::{Put, Reader, len_u16, len_u32};
use crate::error::{DecodeError, EncodeError};
use crate::prop_tag::PropTag;
use crate::prop_value::{PropContext, TaggedValue};

open_enum! {
    /// The `RestrictType` byte that starts every restriction ([MS-OXCDATA] 2.12).
    pub struct RestrictionType(u8) {
        AND = 0x00, "And";
        OR = 0x01, "Or";
        NOT = 0x02, "Not";
        CONTENT = 0x03, "Content";
        PROPERTY = 0x04, "Property";
        COMPARE_PROPERTIES = 0x05, "CompareProperties";
        BITMASK = 0x06, "Bitmask";
        SIZE = 0x07, "Size";
        EXIST = 0x08, "Exist";
        SUB_OBJECT = 0x09, "SubObject";
        COMMENT = 0x0A, "Comment";
        COUNT = 0x0B, "Count";
    }
}

open_enum! {
    /// A relational operator ([MS-OXCDATA] 2.12.5.1 RelOp).
    pub struct RelOp(u8) {
        LT = 0x00, "RELOP_LT";
        LE = 0x01, "RELOP_LE";
        GT = 0x02, "RELOP_GT";
        GE = 0x03, "RELOP_GE";
        EQ = 0x04, "RELOP_EQ";
        NE = 0x05, "RELOP_NE";
        /// Regular expression match.
        RE = 0x06, "RELOP_RE";
        /// Member of a distribution list.
        MEMBER_OF_DL = 0x64, "RELOP_MEMBER_OF_DL";
    }
}

open_enum! {
    /// The operator of a bitmask restriction ([MS-OXCDATA] 2.12.7.1).
    pub struct BitmapRelOp(u8) {
        /// `(value & mask) == 0`.
        EQZ = 0x00, "BMR_EQZ";
        /// `(value & mask) != 0`.
        NEZ = 0x01, "BMR_NEZ";
    }
}

/// The FuzzyLevelLow and FuzzyLevelHigh fields of a content restriction
/// ([MS-OXCDATA] 2.12.4.1).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FuzzyLevel {
    /// How to match: [`FuzzyLevel::FULL_STRING`], [`FuzzyLevel::SUBSTRING`]
    /// or [`FuzzyLevel::PREFIX`].
    pub low: u16,
    /// Comparison options, ORed: [`FuzzyLevel::IGNORE_CASE`],
    /// [`FuzzyLevel::IGNORE_NON_SPACE`], [`FuzzyLevel::LOOSE`].
    pub high: u16,
}

impl FuzzyLevel {
    /// FL_FULLSTRING: the whole value must match.
    pub const FULL_STRING: u16 = 0x0000;
    /// FL_SUBSTRING: the pattern occurs anywhere.
    pub const SUBSTRING: u16 = 0x0001;
    /// FL_PREFIX: the value starts with the pattern.
    pub const PREFIX: u16 = 0x0002;
    /// FL_IGNORECASE.
    pub const IGNORE_CASE: u16 = 0x0001;
    /// FL_IGNORENONSPACE.
    pub const IGNORE_NON_SPACE: u16 = 0x0002;
    /// FL_LOOSE.
    pub const LOOSE: u16 = 0x0004;
}

/// A restriction ([MS-OXCDATA] 2.12.1–2.12.12).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Restriction {
    /// 2.12.1 AndRestriction: all must hold.
    And(Vec<Self>),
    /// 2.12.2 OrRestriction: one must hold.
    Or(Vec<Self>),
    /// 2.12.3 NotRestriction.
    Not(Box<Self>),
    /// 2.12.4 ContentRestriction: string/binary matching.
    Content {
        /// Match mode and options.
        fuzzy: FuzzyLevel,
        /// The property to search.
        tag: PropTag,
        /// The pattern (its tag normally equals `tag`; for a multi-valued
        /// property it has the single-valued type).
        value: TaggedValue,
    },
    /// 2.12.5 PropertyRestriction: compares a property with a value.
    Property {
        /// The comparison.
        op: RelOp,
        /// The property.
        tag: PropTag,
        /// The value to compare with.
        value: TaggedValue,
    },
    /// 2.12.6 ComparePropertiesRestriction: compares two properties.
    CompareProperties {
        /// The comparison.
        op: RelOp,
        /// The left property.
        tag1: PropTag,
        /// The right property.
        tag2: PropTag,
    },
    /// 2.12.7 BitMaskRestriction.
    Bitmask {
        /// Zero or non-zero test.
        op: BitmapRelOp,
        /// A PtypInteger32 property.
        tag: PropTag,
        /// The bits to test.
        mask: u32,
    },
    /// 2.12.8 SizeRestriction: compares a value's size in bytes.
    Size {
        /// The comparison.
        op: RelOp,
        /// The property.
        tag: PropTag,
        /// The size to compare with.
        size: u32,
    },
    /// 2.12.9 ExistRestriction.
    Exist {
        /// The property that must exist.
        tag: PropTag,
    },
    /// 2.12.10 SubObjectRestriction: applies to recipients or attachments.
    SubObject {
        /// PidTagMessageRecipients (0x0E12000D) or PidTagMessageAttachments
        /// (0x0E13000D).
        subobject: PropTag,
        /// The restriction applied to the subobjects.
        restriction: Box<Self>,
    },
    /// 2.12.11 CommentRestriction: annotations, optionally with a restriction.
    Comment {
        /// Annotation values (at most 255).
        values: Vec<TaggedValue>,
        /// The restriction, if any.
        restriction: Option<Box<Self>>,
    },
    /// 2.12.12 CountRestriction: limits how many rows the subrestriction
    /// may match.
    Count {
        /// The limit.
        count: u32,
        /// The restriction being counted.
        restriction: Box<Self>,
    },
}

impl Restriction {
    /// How deeply restrictions may nest (a top-level restriction is depth 1).
    pub const MAX_DEPTH: usize = 32;

    /// The RestrictType of this restriction.
    pub fn restriction_type(&self) -> RestrictionType {
        match self {
            Self::And(_) => RestrictionType::AND,
            Self::Or(_) => RestrictionType::OR,
            Self::Not(_) => RestrictionType::NOT,
            Self::Content { .. } => RestrictionType::CONTENT,
            Self::Property { .. } => RestrictionType::PROPERTY,
            Self::CompareProperties { .. } => RestrictionType::COMPARE_PROPERTIES,
            Self::Bitmask { .. } => RestrictionType::BITMASK,
            Self::Size { .. } => RestrictionType::SIZE,
            Self::Exist { .. } => RestrictionType::EXIST,
            Self::SubObject { .. } => RestrictionType::SUB_OBJECT,
            Self::Comment { .. } => RestrictionType::COMMENT,
            Self::Count { .. } => RestrictionType::COUNT,
        }
    }

    /// Reads a restriction in the form of `ctx`.
    pub fn decode_with(r: &mut Reader<'_>, ctx: PropContext) -> Result<Self, DecodeError> {
        decode_at(r, ctx, 1)
    }

    /// Writes the restriction in the form of `ctx`; fails when it nests
    /// deeper than [`Self::MAX_DEPTH`], a count does not fit, or a value
    /// does not match its tag.
    pub fn encode_with(&self, w: &mut Vec<u8>, ctx: PropContext) -> Result<(), EncodeError> {
        encode_at(self, w, ctx, 1)
    }

    /// Reads `RestrictionDataSize u16` and, if it is not 0, a ROP-context
    /// restriction filling exactly that many bytes (RopRestrict
    /// [MS-OXCROPS] 2.2.5.3, RopFindRow 2.2.5.13, RopSynchronizationConfigure
    /// 2.2.13.1). Size 0 means no restriction.
    pub fn decode_sized(r: &mut Reader<'_>) -> Result<Option<Self>, DecodeError> {
        let size = r.u16("RestrictionDataSize")?;
        if size == 0 {
            return Ok(None);
        }
        let mut sub = r.sub(size.into(), "RestrictionData")?;
        let res = Self::decode_with(&mut sub, PropContext::Rop)?;
        sub.expect_end("RestrictionData")?;
        Ok(Some(res))
    }

    /// Writes `RestrictionDataSize u16` and the ROP-context restriction
    /// (size 0 for `None`); the inverse of [`Self::decode_sized`].
    pub fn encode_sized(restriction: Option<&Self>, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        let at = w.reserve_u16();
        if let Some(res) = restriction {
            res.encode_with(w, PropContext::Rop)?;
        }
        w.patch_len_u16(at, "RestrictionDataSize")
    }
}

/// True when And/Or counts are u16 (ROP buffers only).
fn short_counts(ctx: PropContext) -> bool {
    ctx == PropContext::Rop
}

/// The HasValue byte before a Content/Property TaggedValue (address book only).
fn has_value_byte(ctx: PropContext) -> bool {
    ctx == PropContext::AddressBook
}

fn decode_at(r: &mut Reader<'_>, ctx: PropContext, depth: usize) -> Result<Restriction, DecodeError> {
    let start = r.offset();
    if depth > Restriction::MAX_DEPTH {
        return Err(DecodeError::TooLarge {
            what: "Restriction nesting",
            offset: start,
            size: depth as u64,
            limit: Restriction::MAX_DEPTH as u64,
        });
    }
    let sub = |r: &mut Reader<'_>| decode_at(r, ctx, depth + 1).map(Box::new);
    let ty = RestrictionType(r.u8("RestrictType")?);
    Ok(match ty {
        RestrictionType::AND | RestrictionType::OR => {
            let n = if short_counts(ctx) { r.u16("RestrictCount")?.into() } else { r.u32("RestrictCount")? as usize };
            // The smallest restriction is 3 bytes (an empty Comment, or an
            // empty And/Or in a ROP buffer).
            let n = r.count(n, 3, "RestrictCount")?;
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                v.push(decode_at(r, ctx, depth + 1)?);
            }
            if ty == RestrictionType::AND { Restriction::And(v) } else { Restriction::Or(v) }
        }
        RestrictionType::NOT => Restriction::Not(sub(r)?),
        RestrictionType::CONTENT => {
            let fuzzy = FuzzyLevel { low: r.u16("FuzzyLevelLow")?, high: r.u16("FuzzyLevelHigh")? };
            let tag = PropTag(r.u32("PropertyTag")?);
            Restriction::Content { fuzzy, tag, value: restriction_value(r, ctx)? }
        }
        RestrictionType::PROPERTY => {
            let op = RelOp(r.u8("RelOp")?);
            let tag = PropTag(r.u32("PropTag")?);
            Restriction::Property { op, tag, value: restriction_value(r, ctx)? }
        }
        RestrictionType::COMPARE_PROPERTIES => Restriction::CompareProperties {
            op: RelOp(r.u8("RelOp")?),
            tag1: PropTag(r.u32("PropTag1")?),
            tag2: PropTag(r.u32("PropTag2")?),
        },
        RestrictionType::BITMASK => Restriction::Bitmask {
            op: BitmapRelOp(r.u8("BitmapRelOp")?),
            tag: PropTag(r.u32("PropTag")?),
            mask: r.u32("Mask")?,
        },
        RestrictionType::SIZE => {
            Restriction::Size { op: RelOp(r.u8("RelOp")?), tag: PropTag(r.u32("PropTag")?), size: r.u32("Size")? }
        }
        RestrictionType::EXIST => Restriction::Exist { tag: PropTag(r.u32("PropTag")?) },
        RestrictionType::SUB_OBJECT => {
            let subobject = PropTag(r.u32("SubObject")?);
            Restriction::SubObject { subobject, restriction: sub(r)? }
        }
        RestrictionType::COMMENT => {
            let n = r.u8("TaggedValuesCount")?;
            let n = r.count(n.into(), 4, "TaggedValuesCount")?;
            let mut values = Vec::with_capacity(n);
            for _ in 0..n {
                values.push(TaggedValue::decode_with(r, ctx)?);
            }
            let restriction = if r.u8("RestrictionPresent")? != 0 { Some(sub(r)?) } else { None };
            Restriction::Comment { values, restriction }
        }
        RestrictionType::COUNT => {
            let count = r.u32("Count")?;
            Restriction::Count { count, restriction: sub(r)? }
        }
        _ => return Err(DecodeError::Unsupported { what: "RestrictType", offset: start, value: ty.0.into() }),
    })
}

/// The TaggedValue of a Content/Property restriction, after the address
/// book HasValue byte where there is one.
fn restriction_value(r: &mut Reader<'_>, ctx: PropContext) -> Result<TaggedValue, DecodeError> {
    if has_value_byte(ctx) {
        // gromox accepts exactly 0xFF (present) and 0x00 (absent); an absent
        // value leaves nothing to compare with, so both are refused here.
        let at = r.offset();
        match r.u8("Restriction.HasValue")? {
            0xFF => {}
            0x00 => {
                return Err(DecodeError::Invalid {
                    what: "Restriction.HasValue",
                    offset: at,
                    reason: "a Content or Property restriction without a value cannot be evaluated",
                });
            }
            _ => {
                return Err(DecodeError::Invalid {
                    what: "Restriction.HasValue",
                    offset: at,
                    reason: "must be 0xFF (is this the ROP form without HasValue bytes?)",
                });
            }
        }
    }
    TaggedValue::decode_with(r, ctx)
}

fn encode_at(res: &Restriction, w: &mut Vec<u8>, ctx: PropContext, depth: usize) -> Result<(), EncodeError> {
    if depth > Restriction::MAX_DEPTH {
        return Err(EncodeError::NotRepresentable {
            what: "Restriction",
            reason: "nested deeper than Restriction::MAX_DEPTH; peers refuse it",
        });
    }
    w.put_u8(res.restriction_type().0);
    match res {
        Restriction::And(v) | Restriction::Or(v) => {
            if short_counts(ctx) {
                w.put_u16(len_u16(v.len(), "RestrictCount")?);
            } else {
                w.put_u32(len_u32(v.len(), "RestrictCount")?);
            }
            for x in v {
                encode_at(x, w, ctx, depth + 1)?;
            }
        }
        Restriction::Not(x) => encode_at(x, w, ctx, depth + 1)?,
        Restriction::Content { fuzzy, tag, value } => {
            w.put_u16(fuzzy.low);
            w.put_u16(fuzzy.high);
            w.put_u32(tag.0);
            if has_value_byte(ctx) {
                w.put_u8(0xFF);
            }
            value.encode_with(w, ctx)?;
        }
        Restriction::Property { op, tag, value } => {
            w.put_u8(op.0);
            w.put_u32(tag.0);
            if has_value_byte(ctx) {
                w.put_u8(0xFF);
            }
            value.encode_with(w, ctx)?;
        }
        Restriction::CompareProperties { op, tag1, tag2 } => {
            w.put_u8(op.0);
            w.put_u32(tag1.0);
            w.put_u32(tag2.0);
        }
        Restriction::Bitmask { op, tag, mask } => {
            w.put_u8(op.0);
            w.put_u32(tag.0);
            w.put_u32(*mask);
        }
        Restriction::Size { op, tag, size } => {
            w.put_u8(op.0);
            w.put_u32(tag.0);
            w.put_u32(*size);
        }
        Restriction::Exist { tag } => w.put_u32(tag.0),
        Restriction::SubObject { subobject, restriction } => {
            w.put_u32(subobject.0);
            encode_at(restriction, w, ctx, depth + 1)?;
        }
        Restriction::Comment { values, restriction } => {
            let n = u8::try_from(values.len()).map_err(|_| EncodeError::TooLong {
                what: "TaggedValuesCount",
                len: values.len(),
                max: u8::MAX.into(),
            })?;
            w.put_u8(n);
            for v in values {
                v.encode_with(w, ctx)?;
            }
            match restriction {
                Some(x) => {
                    // gromox writes 0xFF for "present" flags in the address
                    // book context; 0x01 elsewhere ([MS-OXCDATA] 2.12.11).
                    w.put_u8(if has_value_byte(ctx) { 0xFF } else { 0x01 });
                    encode_at(x, w, ctx, depth + 1)?;
                }
                None => w.put_u8(0),
            }
        }
        Restriction::Count { count, restriction } => {
            w.put_u32(*count);
            encode_at(restriction, w, ctx, depth + 1)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
