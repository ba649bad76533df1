//! [MS-OXCDATA] 2.7 PropertyProblem, 2.8.1 PropertyRow, 2.10
//! PropertyTagArray and 2.11.3–2.11.6 typed, tagged and flagged values.

use super::{PropContext, PropValue};
use crate::codec::{Decode, Encode, Put, Reader, len_u16, len_u32};
use crate::error::{DecodeError, EncodeError};
use crate::error_code::ErrorCode;
use crate::prop_tag::{PropTag, PropType};

/// The width of a count field in front of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum CountWidth {
    /// A u16 count (ROP buffers).
    U16,
    /// A u32 count (address book, extended rules).
    U32,
}

impl CountWidth {
    fn read(self, r: &mut Reader<'_>, what: &'static str) -> Result<usize, DecodeError> {
        Ok(match self {
            Self::U16 => r.u16(what)? as usize,
            Self::U32 => r.u32(what)? as usize,
        })
    }

    fn write(self, w: &mut Vec<u8>, n: usize, what: &'static str) -> Result<(), EncodeError> {
        match self {
            Self::U16 => w.put_u16(len_u16(n, what)?),
            Self::U32 => w.put_u32(len_u32(n, what)?),
        }
        Ok(())
    }

    /// The width a context uses for tag and value lists: u16 in ROP buffers,
    /// u32 elsewhere ([MS-OXCDATA] 2.10, [MS-OXCMAPIHTTP] 2.2.1.8).
    pub fn for_context(ctx: PropContext) -> Self {
        match ctx {
            PropContext::Rop => Self::U16,
            _ => Self::U32,
        }
    }
}

/// [MS-OXCDATA] 2.11.4 TaggedPropertyValue: a property tag and a value of
/// the tag's type ([MS-OXCMAPIHTTP] 2.2.1.3 AddressBookTaggedPropertyValue in
/// the address book context).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TaggedValue {
    /// The tag; its type decides the value's wire form.
    pub tag: PropTag,
    /// The value.
    pub value: PropValue,
}

impl TaggedValue {
    /// Builds a tagged value whose tag has the value's type.
    pub fn new(id: u16, value: PropValue) -> Self {
        Self { tag: PropTag::new(id, value.prop_type()), value }
    }

    /// Reads a PropertyTag and a value of its type.
    pub fn decode_with(r: &mut Reader<'_>, ctx: PropContext) -> Result<Self, DecodeError> {
        let tag = PropTag::decode(r)?;
        let value = PropValue::decode_with(r, tag.prop_type(), ctx)?;
        Ok(Self { tag, value })
    }

    /// Writes the tag and the value; fails if the value's type is not the
    /// tag's type (see [`PropValue::encode_as`]).
    pub fn encode_with(&self, w: &mut Vec<u8>, ctx: PropContext) -> Result<(), EncodeError> {
        self.tag.encode(w)?;
        self.value.encode_as(w, self.tag.prop_type(), ctx)
    }
}

/// Reads a count of the given width and that many [`TaggedValue`]s (e.g.
/// RopGetPropertiesAll's PropertyValueCount u16 + PropertyValues,
/// [MS-OXCROPS] 2.2.8.4; AddressBookPropertyValueList with a u32 count,
/// [MS-OXCMAPIHTTP] 2.2.1.4).
pub fn decode_tagged_list(
    r: &mut Reader<'_>,
    width: CountWidth,
    ctx: PropContext,
) -> Result<Vec<TaggedValue>, DecodeError> {
    let n = width.read(r, "PropertyValueCount")?;
    let n = r.count(n, 4, "PropertyValueCount")?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(TaggedValue::decode_with(r, ctx)?);
    }
    Ok(out)
}

/// Writes a count of the given width and the [`TaggedValue`]s; the inverse
/// of [`decode_tagged_list`].
pub fn encode_tagged_list(
    w: &mut Vec<u8>,
    values: &[TaggedValue],
    width: CountWidth,
    ctx: PropContext,
) -> Result<(), EncodeError> {
    width.write(w, values.len(), "PropertyValueCount")?;
    for v in values {
        v.encode_with(w, ctx)?;
    }
    Ok(())
}

/// [MS-OXCDATA] 2.11.3 TypedPropertyValue: PropertyType u16 and a value of
/// that type (used for PtypUnspecified columns and in restrictions).
///
/// In the address book context an absent value (HasValue 0x00) decodes as
/// [`PropValue::Null`] and re-encodes as type PtypNull: the original type is
/// not kept.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TypedValue(pub PropValue);

impl TypedValue {
    /// Reads the type and the value.
    pub fn decode_with(r: &mut Reader<'_>, ctx: PropContext) -> Result<Self, DecodeError> {
        let ty = PropType::decode(r)?;
        PropValue::decode_with(r, ty, ctx).map(Self)
    }

    /// Writes the value's type and the value.
    pub fn encode_with(&self, w: &mut Vec<u8>, ctx: PropContext) -> Result<(), EncodeError> {
        self.0.prop_type().encode(w)?;
        self.0.encode_with(w, ctx)
    }
}

/// [MS-OXCDATA] 2.11.5 FlaggedPropertyValue: Flag 0x00 + value, 0x01 (not
/// present) or 0x0A + PtypErrorCode value.
#[derive(Clone, Debug, PartialEq)]
pub enum FlaggedValue {
    /// Flag 0x00: the value follows.
    Value(PropValue),
    /// Flag 0x01: the property has no value.
    Missing,
    /// Flag 0x0A: an error code instead of the value.
    Error(ErrorCode),
}

impl FlaggedValue {
    /// Flag byte for a present value.
    pub const FLAG_VALUE: u8 = 0x00;
    /// Flag byte for a missing value.
    pub const FLAG_MISSING: u8 = 0x01;
    /// Flag byte for an error.
    pub const FLAG_ERROR: u8 = 0x0A;

    /// Reads a FlaggedPropertyValue for a column of (concrete) type `ty`.
    pub fn decode_with(r: &mut Reader<'_>, ty: PropType, ctx: PropContext) -> Result<Self, DecodeError> {
        let offset = r.offset();
        match r.u8("Flag")? {
            Self::FLAG_VALUE => PropValue::decode_with(r, ty, ctx).map(Self::Value),
            Self::FLAG_MISSING => Ok(Self::Missing),
            Self::FLAG_ERROR => Ok(Self::Error(ErrorCode(r.u32("ErrorCode")?))),
            _ => Err(DecodeError::Invalid {
                what: "FlaggedPropertyValue.Flag",
                offset,
                reason: "not 0x00, 0x01 or 0x0A",
            }),
        }
    }

    /// Writes a FlaggedPropertyValue for a column of type `ty`.
    pub fn encode_with(&self, w: &mut Vec<u8>, ty: PropType, ctx: PropContext) -> Result<(), EncodeError> {
        match self {
            Self::Value(v) => {
                w.put_u8(Self::FLAG_VALUE);
                v.encode_as(w, ty, ctx)
            }
            Self::Missing => {
                w.put_u8(Self::FLAG_MISSING);
                Ok(())
            }
            Self::Error(e) => {
                w.put_u8(Self::FLAG_ERROR);
                w.put_u32(e.0);
                Ok(())
            }
        }
    }

    /// Reads a FlaggedPropertyValueWithType ([MS-OXCDATA] 2.11.6):
    /// PropertyType u16, Flag, value. The type of a missing or errored value
    /// is not kept.
    pub fn decode_with_type(r: &mut Reader<'_>, ctx: PropContext) -> Result<Self, DecodeError> {
        let ty = PropType::decode(r)?;
        Self::decode_with(r, ty, ctx)
    }

    /// Writes a FlaggedPropertyValueWithType. A missing value is written with
    /// type PtypNull and an error with type PtypErrorCode.
    pub fn encode_with_type(&self, w: &mut Vec<u8>, ctx: PropContext) -> Result<(), EncodeError> {
        let ty = match self {
            Self::Value(v) => v.prop_type(),
            Self::Missing => PropType::NULL,
            Self::Error(_) => PropType::ERROR_CODE,
        };
        ty.encode(w)?;
        self.encode_with(w, ty, ctx)
    }
}

/// [MS-OXCDATA] 2.7 PropertyProblem: which property of a request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PropertyProblem {
    /// Index of the property in the request.
    pub index: u16,
    /// Its tag.
    pub tag: PropTag,
    /// Why it failed.
    pub error: ErrorCode,
}

impl<'a> Decode<'a> for PropertyProblem {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self { index: r.u16("Index")?, tag: PropTag::decode(r)?, error: ErrorCode(r.u32("ErrorCode")?) })
    }
}

impl Encode for PropertyProblem {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u16(self.index);
        self.tag.encode(w)?;
        w.put_u32(self.error.0);
        Ok(())
    }
}

/// PropertyProblemCount u16 followed by that many [`PropertyProblem`]s
/// ([MS-OXCROPS] 2.2.8.6 RopSetProperties response; [MS-OXCDATA] 2.7).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PropertyProblemList(pub Vec<PropertyProblem>);

impl<'a> Decode<'a> for PropertyProblemList {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let n = r.u16("PropertyProblemCount")? as usize;
        let n = r.count(n, 10, "PropertyProblemCount")?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(PropertyProblem::decode(r)?);
        }
        Ok(Self(out))
    }
}

impl Encode for PropertyProblemList {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u16(len_u16(self.0.len(), "PropertyProblemCount")?);
        for p in &self.0 {
            p.encode(w)?;
        }
        Ok(())
    }
}

/// [MS-OXCDATA] 2.10 PropertyTagArray: a count and that many tags. The
/// [`Decode`]/[`Encode`] impls use the ROP form (u16 count);
/// [`PropTagArray::decode_with`] picks the width from a context (u32 for
/// the address book LargePropertyTagArray, [MS-OXCMAPIHTTP] 2.2.1.8).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PropTagArray(pub Vec<PropTag>);

impl PropTagArray {
    /// Reads a count of the width `ctx` uses ([`CountWidth::for_context`])
    /// and the tags.
    pub fn decode_with(r: &mut Reader<'_>, ctx: PropContext) -> Result<Self, DecodeError> {
        Self::decode_width(r, CountWidth::for_context(ctx))
    }

    /// Writes the count in the width `ctx` uses and the tags.
    pub fn encode_with(&self, w: &mut Vec<u8>, ctx: PropContext) -> Result<(), EncodeError> {
        self.encode_width(w, CountWidth::for_context(ctx))
    }

    /// Reads a count of the given width and the tags.
    pub fn decode_width(r: &mut Reader<'_>, width: CountWidth) -> Result<Self, DecodeError> {
        let n = width.read(r, "PropertyTagCount")?;
        let n = r.count(n, 4, "PropertyTagCount")?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(PropTag::decode(r)?);
        }
        Ok(Self(out))
    }

    /// Writes a count of the given width and the tags.
    pub fn encode_width(&self, w: &mut Vec<u8>, width: CountWidth) -> Result<(), EncodeError> {
        width.write(w, self.0.len(), "PropertyTagCount")?;
        for t in &self.0 {
            t.encode(w)?;
        }
        Ok(())
    }
}

impl<'a> Decode<'a> for PropTagArray {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Self::decode_width(r, CountWidth::U16)
    }
}

impl Encode for PropTagArray {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.encode_width(w, CountWidth::U16)
    }
}

/// [MS-OXCDATA] 2.8.1 PropertyRow: one value per column, in the standard
/// (Flag 0x00) or flagged (Flag 0x01) form ([MS-OXCMAPIHTTP] 2.2.1.7
/// AddressBookPropertyRow in the address book context).
///
/// Columns of type PtypUnspecified carry TypedPropertyValue (standard) or
/// FlaggedPropertyValueWithType (flagged); columns with the
/// multi-value-instance bit (0x2000) carry single values
/// ([`PropType::value_type`]).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum PropertyRow {
    /// StandardPropertyRow: every column has a value.
    Standard(Vec<PropValue>),
    /// FlaggedPropertyRow: some columns may be missing or errored.
    Flagged(Vec<FlaggedValue>),
}

impl PropertyRow {
    /// Flag byte of a standard row.
    pub const FLAG_STANDARD: u8 = 0x00;
    /// Flag byte of a flagged row.
    pub const FLAG_FLAGGED: u8 = 0x01;

    /// The number of values in the row.
    pub fn len(&self) -> usize {
        match self {
            Self::Standard(v) => v.len(),
            Self::Flagged(v) => v.len(),
        }
    }

    /// True if the row has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads a row for `columns`.
    pub fn decode_with(r: &mut Reader<'_>, columns: &[PropTag], ctx: PropContext) -> Result<Self, DecodeError> {
        let offset = r.offset();
        match r.u8("PropertyRow.Flag")? {
            Self::FLAG_STANDARD => {
                let mut out = Vec::with_capacity(columns.len());
                for c in columns {
                    let ty = c.prop_type();
                    out.push(if ty == PropType::UNSPECIFIED {
                        TypedValue::decode_with(r, ctx)?.0
                    } else {
                        PropValue::decode_with(r, ty.value_type(), ctx)?
                    });
                }
                Ok(Self::Standard(out))
            }
            Self::FLAG_FLAGGED => {
                let mut out = Vec::with_capacity(columns.len());
                for c in columns {
                    let ty = c.prop_type();
                    out.push(if ty == PropType::UNSPECIFIED {
                        FlaggedValue::decode_with_type(r, ctx)?
                    } else {
                        FlaggedValue::decode_with(r, ty.value_type(), ctx)?
                    });
                }
                Ok(Self::Flagged(out))
            }
            _ => Err(DecodeError::Invalid { what: "PropertyRow.Flag", offset, reason: "not 0x00 or 0x01" }),
        }
    }

    /// Reads `count` rows for `columns` (the rows of RopQueryRows,
    /// RopFindRow, NSPI QueryRows, [MS-OXCROPS] 2.2.5.4), refusing a count
    /// the remaining input cannot hold (every row has at least its flag
    /// byte).
    pub fn decode_many(
        r: &mut Reader<'_>,
        count: usize,
        columns: &[PropTag],
        ctx: PropContext,
    ) -> Result<Vec<Self>, DecodeError> {
        let n = r.count(count, 1, "RowCount")?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(Self::decode_with(r, columns, ctx)?);
        }
        Ok(out)
    }

    /// Writes the row for `columns`; fails if the number of values differs
    /// from the number of columns or a value's type from its column's.
    pub fn encode_with(&self, w: &mut Vec<u8>, columns: &[PropTag], ctx: PropContext) -> Result<(), EncodeError> {
        if self.len() != columns.len() {
            return Err(EncodeError::NotRepresentable {
                what: "PropertyRow",
                reason: "the number of values differs from the number of columns",
            });
        }
        match self {
            Self::Standard(values) => {
                w.put_u8(Self::FLAG_STANDARD);
                for (v, c) in values.iter().zip(columns) {
                    let ty = c.prop_type();
                    if ty == PropType::UNSPECIFIED {
                        v.prop_type().encode(w)?;
                        v.encode_with(w, ctx)?;
                    } else {
                        v.encode_as(w, ty.value_type(), ctx)?;
                    }
                }
            }
            Self::Flagged(values) => {
                w.put_u8(Self::FLAG_FLAGGED);
                for (v, c) in values.iter().zip(columns) {
                    let ty = c.prop_type();
                    if ty == PropType::UNSPECIFIED {
                        v.encode_with_type(w, ctx)?;
                    } else {
                        v.encode_with(w, ty.value_type(), ctx)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// [MS-OXCDATA] 2.8.2 PropertyRowSet: RowCount u16 and that many
/// [`PropertyRow`]s, all for the same columns (e.g. RopGetReceiveFolderTable,
/// [MS-OXCROPS] 2.2.3.3).
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PropertyRowSet(pub Vec<PropertyRow>);

impl PropertyRowSet {
    /// Reads RowCount u16 and the rows for `columns`.
    pub fn decode_with(r: &mut Reader<'_>, columns: &[PropTag], ctx: PropContext) -> Result<Self, DecodeError> {
        let n = r.u16("RowCount")?;
        PropertyRow::decode_many(r, n.into(), columns, ctx).map(Self)
    }

    /// Writes RowCount u16 and the rows for `columns`.
    pub fn encode_with(&self, w: &mut Vec<u8>, columns: &[PropTag], ctx: PropContext) -> Result<(), EncodeError> {
        w.put_u16(len_u16(self.0.len(), "RowCount")?);
        for row in &self.0 {
            row.encode_with(w, columns, ctx)?;
        }
        Ok(())
    }
}
