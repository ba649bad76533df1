//! Atom framing for [MS-OXCFXICS] 2.2.4.1 FastTransfer streams: where each
//! marker or propValue ends, checked against size limits before any byte of
//! a value is buffered.

use super::marker::{Marker, meta};
use crate::codec::Reader;
use crate::error::DecodeError;
use crate::prop_tag::{PropTag, PropType};

/// Size limits of a [`super::FxReader`]; the stream is refused with
/// [`DecodeError::TooLarge`] beyond them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FxLimits {
    /// Largest value in bytes (a string, a binary, or a whole multi-valued
    /// property). Default 64 MiB.
    pub max_value_len: u32,
    /// Most elements of a multi-valued property. Default 1 Mi.
    pub max_mv_count: u32,
    /// Longest MNID_STRING property name in bytes (UTF-16, terminator
    /// included). Default 1024, gromox's limit.
    pub max_name_len: usize,
    /// Values (single strings or binaries) longer than this are delivered
    /// in pieces ([`super::FxElement::ValueStart`], `ValueChunk`,
    /// `ValueEnd`) instead of being buffered whole. `None` (the default)
    /// buffers every value up to `max_value_len`.
    pub chunk_threshold: Option<u32>,
}

impl Default for FxLimits {
    fn default() -> Self {
        Self { max_value_len: 64 << 20, max_mv_count: 1 << 20, max_name_len: 1024, chunk_threshold: None }
    }
}

/// How a value of a given wire type is laid out ([MS-OXCFXICS] 2.2.4.1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub(crate) enum Layout {
    /// fixedSizeValue of this many bytes (PtypBoolean is 2).
    Fixed(usize),
    /// varSizeValue: u32 length + bytes (strings, binary, ServerId, Object,
    /// code-page strings, MetaTagIdsetGiven).
    Var,
    /// Multi-valued fixed-size elements: u32 count + elements.
    MvFixed(usize),
    /// Multi-valued variable-size elements: u32 count + (u32 length + bytes)*.
    MvVar,
}

/// The value layout of a propValue with this tag, or `None` when the type
/// has no FastTransfer encoding.
pub(crate) fn layout(tag: PropTag) -> Option<Layout> {
    if tag == meta::IDSET_GIVEN {
        // [MS-OXCFXICS] 3.2.5.2.1: PtypInteger32 on the wire, blob inside.
        return Some(Layout::Var);
    }
    let ty = tag.prop_type().0;
    if ty & 0x8000 != 0 {
        // Code-page string ([MS-OXCFXICS] 2.2.4.1.1.1).
        return Some(Layout::Var);
    }
    let fixed = |t: u16| -> Option<usize> {
        Some(match PropType(t) {
            PropType::INTEGER16 | PropType::BOOLEAN => 2,
            PropType::INTEGER32 | PropType::FLOATING32 | PropType::ERROR_CODE => 4,
            PropType::FLOATING64
            | PropType::CURRENCY
            | PropType::FLOATING_TIME
            | PropType::INTEGER64
            | PropType::TIME => 8,
            PropType::GUID => 16,
            _ => return None,
        })
    };
    let var = |t: u16| {
        matches!(
            PropType(t),
            PropType::STRING | PropType::STRING8 | PropType::BINARY | PropType::SERVER_ID | PropType::OBJECT
        )
    };
    if ty & PropType::MV_FLAG != 0 {
        let elem = ty & !PropType::MV_FLAG;
        if elem == PropType::BOOLEAN.0 {
            return None;
        }
        if let Some(n) = fixed(elem) {
            return Some(Layout::MvFixed(n));
        }
        if matches!(PropType(elem), PropType::STRING | PropType::STRING8 | PropType::BINARY) {
            return Some(Layout::MvVar);
        }
        return None;
    }
    if let Some(n) = fixed(ty) {
        return Some(Layout::Fixed(n));
    }
    var(ty).then_some(Layout::Var)
}

/// One framed atom at the start of the unread bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub(crate) enum Atom {
    /// A marker: 4 bytes.
    Marker(Marker),
    /// A whole propValue. `name` and `value` are byte ranges within the atom.
    Property { tag: PropTag, name: Option<(usize, usize)>, value: (usize, usize), len: usize },
    /// The head of a long varSizeValue to be streamed: tag, name and length
    /// field take `head` bytes; `value_len` bytes of value follow.
    LongValue { tag: PropTag, name: Option<(usize, usize)>, head: usize, value_len: u32 },
}

/// Where an incomplete scan of a multi-valued string/binary stopped, so
/// the next scan of the same atom skips the elements already framed (a
/// value of a million elements arriving in small buffers is then framed in
/// linear time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub(crate) struct MvResume {
    /// Offset (within the atom) of the first element not yet complete.
    pos: usize,
    /// Elements left from there.
    left: u32,
}

/// Frames the atom at the start of `buf`. `Incomplete` means more bytes are
/// needed (and may leave a `resume` hint for the next call on the same
/// atom); any other error is fatal. Offsets in errors are relative to `buf`.
pub(crate) fn scan(buf: &[u8], limits: &FxLimits, resume: &mut Option<MvResume>) -> Result<Atom, DecodeError> {
    let mut r = Reader::new(buf);
    let tag = r.u32("FastTransfer tag")?;
    if Marker::is_marker(tag) {
        return Ok(Atom::Marker(Marker(tag)));
    }
    let tag = PropTag(tag);
    let Some(layout) = layout(tag) else {
        return Err(DecodeError::Unsupported { what: "FastTransfer property type", offset: 0, value: tag.0.into() });
    };
    let name = if tag.id() >= 0x8000 { Some(scan_name(&mut r, limits)?) } else { None };
    let start = r.offset();
    match layout {
        Layout::Fixed(n) => {
            r.bytes(n, "FastTransfer fixedSizeValue")?;
        }
        Layout::Var => {
            let at = r.offset();
            let len = r.u32("FastTransfer value length")?;
            check_len(len, limits.max_value_len, at, "FastTransfer value length")?;
            if limits.chunk_threshold.is_some_and(|t| len > t) {
                return Ok(Atom::LongValue { tag, name, head: r.offset(), value_len: len });
            }
            r.bytes(len as usize, "FastTransfer varSizeValue")?;
        }
        Layout::MvFixed(n) => {
            let at = r.offset();
            let count = r.u32("FastTransfer value count")?;
            check_len(count, limits.max_mv_count, at, "FastTransfer value count")?;
            let total = u64::from(count) * n as u64;
            check_len(u32::try_from(total).unwrap_or(u32::MAX), limits.max_value_len, at, "FastTransfer MV value")?;
            r.bytes(total as usize, "FastTransfer MV values")?;
        }
        Layout::MvVar => {
            let at = r.offset();
            let count = r.u32("FastTransfer value count")?;
            check_len(count, limits.max_mv_count, at, "FastTransfer value count")?;
            let mut left = count;
            // Skip the elements already framed by an earlier, incomplete scan.
            if let Some(m) = resume.take().filter(|m| m.left <= count && m.pos >= r.offset()) {
                r.bytes(m.pos - r.offset(), "FastTransfer MV elements")?;
                left = m.left;
            }
            while left > 0 {
                let at = r.offset();
                if let Err(e) = mv_element(&mut r, at - start, limits) {
                    if e.is_incomplete() {
                        *resume = Some(MvResume { pos: at, left });
                    }
                    return Err(e);
                }
                left -= 1;
            }
        }
    }
    let end = r.offset();
    Ok(Atom::Property { tag, name, value: (start, end), len: end })
}

/// Frames one element of a multi-valued string/binary; `so_far` is its
/// offset from the start of the value.
fn mv_element(r: &mut Reader<'_>, so_far: usize, limits: &FxLimits) -> Result<(), DecodeError> {
    let at = r.offset();
    let len = r.u32("FastTransfer MV element length")?;
    let total = u64::from(len) + so_far as u64;
    check_len(u32::try_from(total).unwrap_or(u32::MAX), limits.max_value_len, at, "FastTransfer MV value")?;
    r.bytes(len as usize, "FastTransfer MV element")?;
    Ok(())
}

fn check_len(len: u32, limit: u32, offset: usize, what: &'static str) -> Result<(), DecodeError> {
    if len > limit {
        return Err(DecodeError::TooLarge { what, offset, size: len.into(), limit: limit.into() });
    }
    Ok(())
}

/// Frames a namedPropInfo ([MS-OXCFXICS] 2.2.4.1.1): GUID, Kind, then a LID
/// (Kind 0) or a NUL-terminated UTF-16LE name without a size (Kind 1).
fn scan_name(r: &mut Reader<'_>, limits: &FxLimits) -> Result<(usize, usize), DecodeError> {
    let start = r.offset();
    r.bytes(16, "namedPropInfo GUID")?;
    let at = r.offset();
    match r.u8("namedPropInfo Kind")? {
        0x00 => {
            r.u32("namedPropInfo LID")?;
        }
        0x01 => {
            let avail = r.remaining();
            match r.utf16z_bytes("namedPropInfo Name") {
                Ok(s) if s.len() + 2 > limits.max_name_len => {
                    return Err(DecodeError::TooLarge {
                        what: "namedPropInfo Name",
                        offset: at + 1,
                        size: s.len() as u64 + 2,
                        limit: limits.max_name_len as u64,
                    });
                }
                Ok(_) => {}
                Err(e) if avail >= limits.max_name_len => {
                    let _ = e;
                    return Err(DecodeError::TooLarge {
                        what: "namedPropInfo Name",
                        offset: at + 1,
                        size: avail as u64,
                        limit: limits.max_name_len as u64,
                    });
                }
                Err(e) => return Err(e),
            }
        }
        other => {
            return Err(DecodeError::Unsupported { what: "namedPropInfo Kind", offset: at, value: other.into() });
        }
    }
    Ok((start, r.offset()))
}
