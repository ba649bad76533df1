//! [MS-OXCDATA] 2.11 Property values in their four wire contexts, and the
//! wrappers built on them (2.7 PropertyProblem, 2.8.1 PropertyRow,
//! 2.10 PropertyTagArray, 2.11.3–2.11.6 typed/tagged/flagged values).
//!
//! The same property value has different byte forms depending on where it
//! travels ([`PropContext`]): ROP buffers, the MAPI/HTTP address book
//! endpoint, FastTransfer streams and extended rules. Every codec here takes
//! the context explicitly.
//!
//! PtypRestriction and PtypRuleAction values use u16 counts in the ROP
//! context and u32 counts in the other three; [MS-OXCFXICS] gives them no
//! FastTransfer form of their own, so that context uses the u32 form (the
//! `fx` writer refuses them anyway). PtypObject has a wire form only in the
//! address book context (a u32 MId).

#[cfg(test)]
mod capture_tests;
mod row;
#[cfg(test)]
mod tests;

pub use row::{
    CountWidth, FlaggedValue, PropTagArray, PropertyProblem, PropertyProblemList, PropertyRow, PropertyRowSet,
    TaggedValue, TypedValue, decode_tagged_list, encode_tagged_list,
};

use crate::codec::{Put, Reader, len_u16, len_u32, utf16le_to_string};
use crate::error::{DecodeError, EncodeError};
use crate::error_code::ErrorCode;
use crate::guid::Guid;
use crate::prop_tag::PropType;
use crate::restriction::Restriction;
use std::cell::Cell;

/// Where a property value travels; selects count widths, Boolean width and
/// the address book HasValue bytes ([MS-OXCDATA] 2.11.1.1 COUNT Data Type
/// Values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PropContext {
    /// ROP buffers ([MS-OXCROPS]): PtypBinary, PtypServerId and the elements
    /// of PtypMultipleBinary have u16 counts, multi-value counts are u32,
    /// PtypBoolean is 1 byte, strings are NUL-terminated.
    Rop,
    /// [MS-OXCMAPIHTTP] 2.2.1.1 AddressBookPropertyValue: u32 counts, a
    /// HasValue byte (0xFF present / 0x00 absent) before PtypString,
    /// PtypString8, PtypBinary and every multi-valued value, and another 0xFF
    /// before each element of a multi-valued string or binary value (seen
    /// from gromox, captures 093/094/104). PtypObject is a u32 MId.
    AddressBook,
    /// [MS-OXCFXICS] 2.2.4.1.3 FastTransfer propValue: u32 lengths for every
    /// variable-size value (strings include their terminator), u32 multi-value
    /// counts, PtypBoolean is 2 bytes.
    FastTransfer,
    /// Extended rules ([MS-OXCDATA] 2.11.1.1; the condition and action
    /// blobs of [MS-OXORULE]): u32 counts everywhere, no HasValue,
    /// NUL-terminated strings, PtypBoolean 1 byte.
    ExtendedRule,
}

impl PropContext {
    /// True if binary lengths are u16 (only in ROP buffers).
    fn short_binary(self) -> bool {
        self == Self::Rop
    }
}

/// A PtypTime value: 100-nanosecond intervals since 1601-01-01 00:00 UTC
/// ([MS-OXCDATA] 2.11.1, [MS-DTYP] 2.3.3 FILETIME).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileTime(pub u64);

impl FileTime {
    /// Seconds from 1601-01-01 to 1970-01-01.
    pub const UNIX_EPOCH_SECONDS: u64 = 11_644_473_600;
    /// FILETIME ticks per second.
    pub const TICKS_PER_SECOND: u64 = 10_000_000;

    /// The FILETIME for a Unix time in whole seconds; `None` before 1601 or
    /// beyond the u64 range.
    pub fn from_unix_seconds(secs: i64) -> Option<Self> {
        let since_1601 = i128::from(secs) + i128::from(Self::UNIX_EPOCH_SECONDS);
        let ticks = since_1601.checked_mul(i128::from(Self::TICKS_PER_SECOND))?;
        u64::try_from(ticks).ok().map(Self)
    }

    /// Whole Unix seconds (rounded towards the past).
    pub fn unix_seconds(self) -> i64 {
        // Both operands fit in i64: u64::MAX / 10^7 < 2^41.
        (self.0 / Self::TICKS_PER_SECOND) as i64 - Self::UNIX_EPOCH_SECONDS as i64
    }

    /// The sub-second part in 100-ns ticks.
    pub fn subsecond_ticks(self) -> u32 {
        (self.0 % Self::TICKS_PER_SECOND) as u32
    }
}

/// A PtypCurrency value: a signed 64-bit integer scaled by 10 000
/// ([MS-OXCDATA] 2.11.1). [`PropValue::Currency`] carries the raw `i64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Currency(pub i64);

impl From<Currency> for PropValue {
    fn from(c: Currency) -> Self {
        Self::Currency(c.0)
    }
}

/// One property value ([MS-OXCDATA] 2.11.2 PropertyValue); the variant is the
/// property type.
///
/// PtypString8 values keep their raw bytes (the code page belongs to the
/// caller); PtypString values are decoded lossily (unpaired surrogates become
/// U+FFFD). PtypBoolean decoding accepts any non-zero byte as true; encoding
/// always writes 1, so a non-canonical true does not re-encode byte for byte.
///
/// In the address book context a HasValue byte of 0x00 (value absent) decodes
/// as [`PropValue::Null`]; [`PropValue::encode_as`] writes it back as 0x00.
#[derive(Clone, Debug, PartialEq)]
pub enum PropValue {
    /// PtypNull (0x0001): no bytes.
    Null,
    /// PtypInteger16 (0x0002).
    I16(i16),
    /// PtypInteger32 (0x0003).
    I32(i32),
    /// PtypFloating32 (0x0004).
    F32(f32),
    /// PtypFloating64 (0x0005).
    F64(f64),
    /// PtypCurrency (0x0006), scaled by 10 000.
    Currency(i64),
    /// PtypFloatingTime (0x0007), an OLE automation date.
    FloatingTime(f64),
    /// PtypErrorCode (0x000A).
    Error(ErrorCode),
    /// PtypBoolean (0x000B).
    Bool(bool),
    /// PtypInteger64 (0x0014).
    I64(i64),
    /// PtypString8 (0x001E): raw 8-bit bytes without the terminator.
    String8(Vec<u8>),
    /// PtypString (0x001F).
    String(String),
    /// PtypTime (0x0040).
    Time(FileTime),
    /// PtypGuid (0x0048).
    Guid(Guid),
    /// PtypServerId (0x00FB): the raw bytes after the count.
    ServerId(Vec<u8>),
    /// PtypRestriction (0x00FD): a restriction tree ([MS-OXCDATA] 2.12) in
    /// the count widths of the context.
    ///
    /// A restriction holds TaggedValues, which may be PtypRestriction values
    /// again; decoding allows [`MAX_NESTED_RESTRICTION_VALUES`] such levels.
    Restriction(Box<Restriction>),
    /// PtypRuleAction (0x00FE): the whole RuleAction structure of
    /// [MS-OXORULE] 2.2.5 (NoOfActions and ActionBlocks) as raw bytes, in the
    /// count widths of the context it was read in.
    RuleAction(Vec<u8>),
    /// PtypBinary (0x0102): the bytes after the count.
    Binary(Vec<u8>),
    /// PtypObject / PtypEmbeddedTable (0x000D): only representable in the
    /// address book context, where it is a u32 MId.
    Object(u32),
    /// PtypMultipleInteger16 (0x1002).
    MvI16(Vec<i16>),
    /// PtypMultipleInteger32 (0x1003).
    MvI32(Vec<i32>),
    /// PtypMultipleFloating32 (0x1004).
    MvF32(Vec<f32>),
    /// PtypMultipleFloating64 (0x1005).
    MvF64(Vec<f64>),
    /// PtypMultipleCurrency (0x1006).
    MvCurrency(Vec<i64>),
    /// PtypMultipleFloatingTime (0x1007).
    MvFloatingTime(Vec<f64>),
    /// PtypMultipleInteger64 (0x1014).
    MvI64(Vec<i64>),
    /// PtypMultipleString8 (0x101E).
    MvString8(Vec<Vec<u8>>),
    /// PtypMultipleString (0x101F).
    MvString(Vec<String>),
    /// PtypMultipleTime (0x1040).
    MvTime(Vec<FileTime>),
    /// PtypMultipleGuid (0x1048).
    MvGuid(Vec<Guid>),
    /// PtypMultipleBinary (0x1102).
    MvBinary(Vec<Vec<u8>>),
}

/// How many PtypRestriction values may nest inside each other (a restriction
/// whose TaggedValue is a PtypRestriction value whose restriction …). Each
/// level is itself limited to `Restriction::MAX_DEPTH`; real restrictions
/// never hold restriction values, so one level of nesting is generous.
pub const MAX_NESTED_RESTRICTION_VALUES: usize = 2;

std::thread_local! {
    /// Current PtypRestriction nesting while decoding / encoding on this thread.
    static DECODE_DEPTH: Cell<usize> = const { Cell::new(0) };
    static ENCODE_DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Decodes a PtypRestriction value one nesting level deeper, refusing to go
/// beyond [`MAX_NESTED_RESTRICTION_VALUES`]. `Restriction::decode_with`
/// restarts its own depth count, so without this a peer could nest
/// Restriction → TaggedValue → PtypRestriction → Restriction until the stack
/// overflows.
fn decode_restriction(r: &mut Reader<'_>, ctx: PropContext) -> Result<Restriction, DecodeError> {
    let level = DECODE_DEPTH.with(Cell::get) + 1;
    if level > MAX_NESTED_RESTRICTION_VALUES {
        return Err(DecodeError::TooLarge {
            what: "PtypRestriction nesting",
            offset: r.offset(),
            size: level as u64,
            limit: MAX_NESTED_RESTRICTION_VALUES as u64,
        });
    }
    DECODE_DEPTH.with(|d| d.set(level));
    let out = Restriction::decode_with(r, ctx);
    DECODE_DEPTH.with(|d| d.set(level - 1));
    out
}

/// Encodes a PtypRestriction value with the same nesting limit as
/// [`decode_restriction`], so we never write what we would refuse to read.
fn encode_restriction(x: &Restriction, w: &mut Vec<u8>, ctx: PropContext) -> Result<(), EncodeError> {
    let level = ENCODE_DEPTH.with(Cell::get) + 1;
    if level > MAX_NESTED_RESTRICTION_VALUES {
        return Err(not_representable("PtypRestriction values nested deeper than MAX_NESTED_RESTRICTION_VALUES"));
    }
    ENCODE_DEPTH.with(|d| d.set(level));
    let out = x.encode_with(w, ctx);
    ENCODE_DEPTH.with(|d| d.set(level - 1));
    out
}

/// True for the types that carry a HasValue byte in the address book context
/// ([MS-OXCMAPIHTTP] 2.2.1.1).
fn has_value_byte(ty: PropType) -> bool {
    ty == PropType::STRING || ty == PropType::STRING8 || ty == PropType::BINARY || ty.is_multi()
}

const WHAT: &str = "PropertyValue";

fn not_representable(reason: &'static str) -> EncodeError {
    EncodeError::NotRepresentable { what: WHAT, reason }
}

impl PropValue {
    /// The property type of this value ([MS-OXCDATA] 2.11.1).
    pub fn prop_type(&self) -> PropType {
        match self {
            Self::Null => PropType::NULL,
            Self::I16(_) => PropType::INTEGER16,
            Self::I32(_) => PropType::INTEGER32,
            Self::F32(_) => PropType::FLOATING32,
            Self::F64(_) => PropType::FLOATING64,
            Self::Currency(_) => PropType::CURRENCY,
            Self::FloatingTime(_) => PropType::FLOATING_TIME,
            Self::Error(_) => PropType::ERROR_CODE,
            Self::Bool(_) => PropType::BOOLEAN,
            Self::I64(_) => PropType::INTEGER64,
            Self::String8(_) => PropType::STRING8,
            Self::String(_) => PropType::STRING,
            Self::Time(_) => PropType::TIME,
            Self::Guid(_) => PropType::GUID,
            Self::ServerId(_) => PropType::SERVER_ID,
            Self::Restriction(_) => PropType::RESTRICTION,
            Self::RuleAction(_) => PropType::RULE_ACTION,
            Self::Binary(_) => PropType::BINARY,
            Self::Object(_) => PropType::OBJECT,
            Self::MvI16(_) => PropType::MULTIPLE_INTEGER16,
            Self::MvI32(_) => PropType::MULTIPLE_INTEGER32,
            Self::MvF32(_) => PropType::MULTIPLE_FLOATING32,
            Self::MvF64(_) => PropType::MULTIPLE_FLOATING64,
            Self::MvCurrency(_) => PropType::MULTIPLE_CURRENCY,
            Self::MvFloatingTime(_) => PropType::MULTIPLE_FLOATING_TIME,
            Self::MvI64(_) => PropType::MULTIPLE_INTEGER64,
            Self::MvString8(_) => PropType::MULTIPLE_STRING8,
            Self::MvString(_) => PropType::MULTIPLE_STRING,
            Self::MvTime(_) => PropType::MULTIPLE_TIME,
            Self::MvGuid(_) => PropType::MULTIPLE_GUID,
            Self::MvBinary(_) => PropType::MULTIPLE_BINARY,
        }
    }

    /// Reads a value of type `ty` ([MS-OXCDATA] 2.11.2 PropertyValue;
    /// [MS-OXCMAPIHTTP] 2.2.1.1; [MS-OXCFXICS] 2.2.4.1.3).
    ///
    /// `ty` must be a concrete type: PtypUnspecified is refused (such values
    /// travel as [`TypedValue`]), as are the multi-value-instance bit (use
    /// [`PropType::value_type`] first) and types without a wire form in
    /// `ctx` (PtypObject outside the address book context).
    pub fn decode_with(r: &mut Reader<'_>, ty: PropType, ctx: PropContext) -> Result<Self, DecodeError> {
        let start = r.offset();
        if ctx == PropContext::AddressBook && has_value_byte(ty) && r.u8("HasValue")? == 0 {
            return Ok(Self::Null);
        }
        let v = match ty {
            PropType::NULL => Self::Null,
            PropType::INTEGER16 => Self::I16(r.i16(WHAT)?),
            PropType::INTEGER32 => Self::I32(r.i32(WHAT)?),
            PropType::FLOATING32 => Self::F32(r.f32(WHAT)?),
            PropType::FLOATING64 => Self::F64(r.f64(WHAT)?),
            PropType::CURRENCY => Self::Currency(r.i64(WHAT)?),
            PropType::FLOATING_TIME => Self::FloatingTime(r.f64(WHAT)?),
            PropType::ERROR_CODE => Self::Error(ErrorCode(r.u32(WHAT)?)),
            PropType::BOOLEAN => Self::Bool(match ctx {
                PropContext::FastTransfer => r.u16(WHAT)? != 0,
                _ => r.u8(WHAT)? != 0,
            }),
            PropType::INTEGER64 => Self::I64(r.i64(WHAT)?),
            PropType::STRING8 => Self::String8(string8(r, ctx)?),
            PropType::STRING => Self::String(string(r, ctx)?),
            PropType::TIME => Self::Time(FileTime(r.u64(WHAT)?)),
            PropType::GUID => Self::Guid(Guid(r.array(WHAT)?)),
            PropType::SERVER_ID => Self::ServerId(binary(r, ctx)?),
            PropType::BINARY => Self::Binary(binary(r, ctx)?),
            PropType::RULE_ACTION => Self::RuleAction(rule_action(r, ctx)?),
            PropType::RESTRICTION => Self::Restriction(Box::new(decode_restriction(r, ctx)?)),
            PropType::OBJECT if ctx == PropContext::AddressBook => Self::Object(r.u32(WHAT)?),
            PropType::MULTIPLE_INTEGER16 => Self::MvI16(mv(r, 2, |r| r.i16(WHAT))?),
            PropType::MULTIPLE_INTEGER32 => Self::MvI32(mv(r, 4, |r| r.i32(WHAT))?),
            PropType::MULTIPLE_FLOATING32 => Self::MvF32(mv(r, 4, |r| r.f32(WHAT))?),
            PropType::MULTIPLE_FLOATING64 => Self::MvF64(mv(r, 8, |r| r.f64(WHAT))?),
            PropType::MULTIPLE_CURRENCY => Self::MvCurrency(mv(r, 8, |r| r.i64(WHAT))?),
            PropType::MULTIPLE_FLOATING_TIME => Self::MvFloatingTime(mv(r, 8, |r| r.f64(WHAT))?),
            PropType::MULTIPLE_INTEGER64 => Self::MvI64(mv(r, 8, |r| r.i64(WHAT))?),
            PropType::MULTIPLE_TIME => Self::MvTime(mv(r, 8, |r| Ok(FileTime(r.u64(WHAT)?)))?),
            PropType::MULTIPLE_GUID => Self::MvGuid(mv(r, 16, |r| Ok(Guid(r.array(WHAT)?)))?),
            PropType::MULTIPLE_STRING8 => Self::MvString8(mv(r, mv_var_min(ctx, 1), |r| mv_element(r, ctx, string8))?),
            PropType::MULTIPLE_STRING => Self::MvString(mv(r, mv_var_min(ctx, 2), |r| mv_element(r, ctx, string))?),
            PropType::MULTIPLE_BINARY => {
                let min = if ctx.short_binary() { 2 } else { mv_var_min(ctx, 4) };
                Self::MvBinary(mv(r, min, |r| mv_element(r, ctx, binary))?)
            }
            PropType::UNSPECIFIED => {
                return Err(DecodeError::Invalid {
                    what: WHAT,
                    offset: start,
                    reason: "PtypUnspecified values must carry their own type (TypedPropertyValue)",
                });
            }
            _ => return Err(DecodeError::Unsupported { what: "PropertyType", offset: start, value: ty.0.into() }),
        };
        Ok(v)
    }

    /// Appends this value in the form of `ctx` ([MS-OXCDATA] 2.11.2).
    ///
    /// Fails with [`EncodeError::NotRepresentable`] for PtypObject outside
    /// the address book context, for strings containing a NUL where strings
    /// are NUL-terminated, and with [`EncodeError::TooLong`] when a count
    /// does not fit its field. [`PropValue::Null`] writes nothing; to write an
    /// absent address book value of a given type use [`PropValue::encode_as`].
    pub fn encode_with(&self, w: &mut Vec<u8>, ctx: PropContext) -> Result<(), EncodeError> {
        if ctx == PropContext::AddressBook && has_value_byte(self.prop_type()) {
            w.put_u8(0xFF);
        }
        match self {
            Self::Null => {}
            Self::I16(v) => w.put_u16(*v as u16),
            Self::I32(v) => w.put_u32(*v as u32),
            Self::F32(v) => w.put_u32(v.to_bits()),
            Self::F64(v) | Self::FloatingTime(v) => w.put_u64(v.to_bits()),
            Self::Currency(v) | Self::I64(v) => w.put_u64(*v as u64),
            Self::Error(e) => w.put_u32(e.0),
            Self::Bool(b) => match ctx {
                PropContext::FastTransfer => w.put_u16(u16::from(*b)),
                _ => w.put_u8(u8::from(*b)),
            },
            Self::String8(s) => put_string8(w, s, ctx)?,
            Self::String(s) => put_string(w, s, ctx)?,
            Self::Time(t) => w.put_u64(t.0),
            Self::Guid(g) => w.put_bytes(&g.0),
            Self::ServerId(b) | Self::Binary(b) => put_binary(w, b, ctx)?,
            Self::Restriction(x) => encode_restriction(x, w, ctx)?,
            Self::RuleAction(b) => w.put_bytes(b),
            Self::Object(v) => {
                if ctx != PropContext::AddressBook {
                    return Err(not_representable("PtypObject values only travel in the address book context"));
                }
                w.put_u32(*v);
            }
            Self::MvI16(v) => put_mv(w, v, |w, x| w.put_u16(*x as u16))?,
            Self::MvI32(v) => put_mv(w, v, |w, x| w.put_u32(*x as u32))?,
            Self::MvF32(v) => put_mv(w, v, |w, x| w.put_u32(x.to_bits()))?,
            Self::MvF64(v) | Self::MvFloatingTime(v) => put_mv(w, v, |w, x| w.put_u64(x.to_bits()))?,
            Self::MvCurrency(v) | Self::MvI64(v) => put_mv(w, v, |w, x| w.put_u64(*x as u64))?,
            Self::MvTime(v) => put_mv(w, v, |w, x| w.put_u64(x.0))?,
            Self::MvGuid(v) => put_mv(w, v, |w, x| w.put_bytes(&x.0))?,
            Self::MvString8(v) => put_mv_var(w, v, ctx, |w, x| put_string8(w, x, ctx))?,
            Self::MvString(v) => put_mv_var(w, v, ctx, |w, x| put_string(w, x, ctx))?,
            Self::MvBinary(v) => put_mv_var(w, v, ctx, |w, x| put_binary(w, x, ctx))?,
        }
        Ok(())
    }

    /// Appends this value as a value of property type `ty` (the type of its
    /// tag or column), checking that they agree.
    ///
    /// In the address book context a [`PropValue::Null`] for a type with a
    /// HasValue byte is written as HasValue 0x00 (absent), the inverse of
    /// [`PropValue::decode_with`]. Any other mismatch is
    /// [`EncodeError::NotRepresentable`]: the peer would read the bytes with
    /// the wrong type.
    pub fn encode_as(&self, w: &mut Vec<u8>, ty: PropType, ctx: PropContext) -> Result<(), EncodeError> {
        if ctx == PropContext::AddressBook && matches!(self, Self::Null) && has_value_byte(ty) {
            w.put_u8(0);
            return Ok(());
        }
        if self.prop_type() != ty {
            return Err(not_representable("the value's type differs from its tag or column type"));
        }
        self.encode_with(w, ctx)
    }
}

/// Minimum wire size of one multi-valued string/binary element.
fn mv_var_min(ctx: PropContext, base: usize) -> usize {
    match ctx {
        PropContext::AddressBook => base + 1,
        _ => base,
    }
}

/// Reads a multi-value count and `count` elements of at least `min` bytes.
fn mv<'a, T>(
    r: &mut Reader<'a>,
    min: usize,
    mut one: impl FnMut(&mut Reader<'a>) -> Result<T, DecodeError>,
) -> Result<Vec<T>, DecodeError> {
    let n = r.u32("MultiValueCount")? as usize;
    let n = r.count(n, min, "MultiValueCount")?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(one(r)?);
    }
    Ok(out)
}

/// One string/binary element of a multi-valued value; in the address book
/// context each element has its own HasValue byte (an absent element reads
/// as empty).
fn mv_element<T: Default>(
    r: &mut Reader<'_>,
    ctx: PropContext,
    one: fn(&mut Reader<'_>, PropContext) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    if ctx == PropContext::AddressBook && r.u8("HasValue")? == 0 {
        return Ok(T::default());
    }
    one(r, ctx)
}

fn put_mv<T>(w: &mut Vec<u8>, v: &[T], mut one: impl FnMut(&mut Vec<u8>, &T)) -> Result<(), EncodeError> {
    w.put_u32(len_u32(v.len(), "MultiValueCount")?);
    for x in v {
        one(w, x);
    }
    Ok(())
}

fn put_mv_var<T>(
    w: &mut Vec<u8>,
    v: &[T],
    ctx: PropContext,
    mut one: impl FnMut(&mut Vec<u8>, &T) -> Result<(), EncodeError>,
) -> Result<(), EncodeError> {
    w.put_u32(len_u32(v.len(), "MultiValueCount")?);
    for x in v {
        if ctx == PropContext::AddressBook {
            w.put_u8(0xFF);
        }
        one(w, x)?;
    }
    Ok(())
}

/// A length-prefixed FastTransfer value (u32 length).
fn fx_bytes<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], DecodeError> {
    let n = r.u32("Length")? as usize;
    r.bytes(n, WHAT)
}

fn string8(r: &mut Reader<'_>, ctx: PropContext) -> Result<Vec<u8>, DecodeError> {
    Ok(match ctx {
        PropContext::FastTransfer => {
            let b = fx_bytes(r)?;
            b.strip_suffix(&[0]).unwrap_or(b).to_vec()
        }
        _ => r.asciiz(WHAT)?.to_vec(),
    })
}

fn string(r: &mut Reader<'_>, ctx: PropContext) -> Result<String, DecodeError> {
    match ctx {
        PropContext::FastTransfer => {
            let b = fx_bytes(r)?;
            let b = if b.len() % 2 == 0 { b.strip_suffix(&[0, 0]).unwrap_or(b) } else { b };
            Ok(utf16le_to_string(b))
        }
        _ => r.utf16z(WHAT),
    }
}

fn binary(r: &mut Reader<'_>, ctx: PropContext) -> Result<Vec<u8>, DecodeError> {
    let n = if ctx.short_binary() { r.u16("Count")? as usize } else { r.u32("Count")? as usize };
    Ok(r.bytes(n, WHAT)?.to_vec())
}

/// [MS-OXORULE] 2.2.5 RuleAction: NoOfActions, then ActionBlocks each led by
/// its ActionLength (u16 in ROP buffers, u32 in extended rules). Kept raw.
fn rule_action(r: &mut Reader<'_>, ctx: PropContext) -> Result<Vec<u8>, DecodeError> {
    let start = r.peek_rest();
    let before = r.remaining();
    let n = if ctx.short_binary() { r.u16("NoOfActions")? as usize } else { r.u32("NoOfActions")? as usize };
    let n = r.count(n, if ctx.short_binary() { 2 } else { 4 }, "NoOfActions")?;
    for _ in 0..n {
        let len = if ctx.short_binary() { r.u16("ActionLength")? as usize } else { r.u32("ActionLength")? as usize };
        r.bytes(len, "ActionBlock")?;
    }
    let used = before - r.remaining();
    Ok(start.get(..used).unwrap_or(start).to_vec())
}

fn put_string8(w: &mut Vec<u8>, s: &[u8], ctx: PropContext) -> Result<(), EncodeError> {
    match ctx {
        PropContext::FastTransfer => {
            w.put_u32(len_u32(s.len() + 1, "Length")?);
            w.put_asciiz(s);
        }
        _ => {
            if s.contains(&0) {
                return Err(not_representable("PtypString8 value contains a NUL byte"));
            }
            w.put_asciiz(s);
        }
    }
    Ok(())
}

fn put_string(w: &mut Vec<u8>, s: &str, ctx: PropContext) -> Result<(), EncodeError> {
    match ctx {
        PropContext::FastTransfer => {
            let at = w.reserve_u32();
            w.put_utf16z(s);
            w.patch_len_u32(at, "Length")?;
        }
        _ => {
            if s.contains('\0') {
                return Err(not_representable("PtypString value contains a NUL character"));
            }
            w.put_utf16z(s);
        }
    }
    Ok(())
}

fn put_binary(w: &mut Vec<u8>, b: &[u8], ctx: PropContext) -> Result<(), EncodeError> {
    if ctx.short_binary() {
        w.put_u16(len_u16(b.len(), "Count")?);
    } else {
        w.put_u32(len_u32(b.len(), "Count")?);
    }
    w.put_bytes(b);
    Ok(())
}
