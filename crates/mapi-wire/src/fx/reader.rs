//! The incremental FastTransfer stream reader ([MS-OXCFXICS] 2.2.4.1).
//!
//! RopFastTransferSourceGetBuffer hands the stream out in buffers cut at
//! arbitrary bytes (corrections B21), so the reader takes chunks as they
//! come and yields each element once all of its bytes are in, keeping only
//! the unfinished tail.

use super::scan::{Atom, FxLimits, MvResume, scan};
use super::value::decode_value;
use super::{FxElement, FxProperty};
use crate::codec::Reader;
use crate::error::DecodeError;
use crate::named::PropertyName;
use crate::prop_value::PropContext;

/// A push-fed FastTransfer stream reader ([MS-OXCFXICS] 2.2.4.1).
///
/// Feed buffers with [`FxReader::push`], pull elements with
/// [`FxReader::next`] until it returns `Ok(None)` (more input needed), and
/// call [`FxReader::finish`] after the last buffer. Errors are sticky: once
/// the stream is found malformed every later call returns the same error.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FxReader {
    buf: Vec<u8>,
    /// Bytes of `buf` already consumed.
    pos: usize,
    /// Stream offset of `buf[0]`.
    base: usize,
    /// Do not rescan before this many unread bytes are buffered.
    need: usize,
    limits: FxLimits,
    /// Value bytes still to come of a value being streamed in pieces;
    /// `Some(0)` means only its `ValueEnd` is left.
    streaming: Option<u64>,
    /// Stream offset of the element returned last.
    last: usize,
    /// Progress of an incomplete multi-valued atom.
    resume: Option<MvResume>,
    failed: Option<DecodeError>,
}

impl FxReader {
    /// A reader with the default [`FxLimits`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A reader with the given limits.
    pub fn with_limits(limits: FxLimits) -> Self {
        Self { limits, ..Self::default() }
    }

    /// Appends the next piece of the stream (any length, cut anywhere).
    pub fn push(&mut self, data: &[u8]) {
        if self.pos > 0 && (self.pos >= 64 * 1024 || self.pos * 2 >= self.buf.len()) {
            self.buf.drain(..self.pos);
            self.base += self.pos;
            self.pos = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// Stream offset of the next unread byte.
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// Stream offset where the element most recently returned by
    /// [`FxReader::next`] starts.
    pub fn last_offset(&self) -> usize {
        self.last
    }

    /// Bytes buffered but not yet returned as (part of) an element.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The next complete element, `Ok(None)` when more input is needed.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<FxElement>, DecodeError> {
        Ok(self.next_at()?.map(|(_, e)| e))
    }

    /// Like [`FxReader::next`], with the stream offset where the element
    /// starts.
    pub fn next_at(&mut self) -> Result<Option<(usize, FxElement)>, DecodeError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        match self.step() {
            Ok(Some(e)) => Ok(Some((self.last, e))),
            Ok(None) => Ok(None),
            Err(e) => {
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Checks that the stream ended between elements: `Err(Incomplete)` if a
    /// partial element is still buffered or a streamed value is unfinished.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if let Some(left) = self.streaming {
            return Err(DecodeError::Incomplete {
                what: "FastTransfer value",
                offset: self.offset(),
                needed: usize::try_from(left).unwrap_or(usize::MAX).max(1),
            });
        }
        if self.buffered() > 0 {
            return Err(DecodeError::Incomplete {
                what: "FastTransfer element",
                offset: self.offset(),
                needed: self.need.saturating_sub(self.buffered()).max(1),
            });
        }
        Ok(())
    }

    fn step(&mut self) -> Result<Option<FxElement>, DecodeError> {
        let avail = self.buf.len() - self.pos;
        if let Some(left) = self.streaming {
            if left == 0 {
                self.streaming = None;
                return Ok(Some(FxElement::ValueEnd));
            }
            if avail == 0 {
                return Ok(None);
            }
            let n = usize::try_from(left).unwrap_or(usize::MAX).min(avail);
            // `n <= avail`, so the range lies inside the buffer.
            let chunk = self.buf[self.pos..self.pos + n].to_vec();
            self.last = self.offset();
            self.pos += n;
            self.streaming = Some(left - n as u64);
            return Ok(Some(FxElement::ValueChunk(chunk)));
        }
        if avail == 0 || avail < self.need {
            return Ok(None);
        }
        let start = self.offset();
        let bytes = &self.buf[self.pos..];
        let atom = match scan(bytes, &self.limits, &mut self.resume) {
            Ok(a) => a,
            Err(DecodeError::Incomplete { needed, .. }) => {
                self.need = avail + needed.max(1);
                return Ok(None);
            }
            Err(e) => return Err(rebase(e, start)),
        };
        self.need = 0;
        self.resume = None;
        self.last = start;
        let (element, used) = match atom {
            Atom::Marker(m) => (FxElement::Marker(m), 4),
            Atom::Property { tag, name, value, len } => {
                let name = decode_name(bytes, name, start)?;
                let v = decode_value(tag, slice(bytes, value)?).map_err(|e| rebase(e, start + value.0))?;
                (FxElement::Property(FxProperty { tag, name, value: v }), len)
            }
            Atom::LongValue { tag, name, head, value_len } => {
                let name = decode_name(bytes, name, start)?;
                self.streaming = Some(value_len.into());
                (FxElement::ValueStart { tag, name, len: value_len }, head)
            }
        };
        self.pos += used;
        Ok(Some(element))
    }
}

fn decode_name(bytes: &[u8], range: Option<(usize, usize)>, start: usize) -> Result<Option<PropertyName>, DecodeError> {
    let Some((a, b)) = range else { return Ok(None) };
    let mut r = Reader::new(slice(bytes, (a, b))?);
    let name = PropertyName::decode_with(&mut r, PropContext::FastTransfer).map_err(|e| rebase(e, start + a))?;
    r.expect_end("namedPropInfo").map_err(|e| rebase(e, start + a))?;
    Ok(Some(name))
}

/// A range that [`scan`] found inside `bytes`.
fn slice(bytes: &[u8], (a, b): (usize, usize)) -> Result<&[u8], DecodeError> {
    bytes.get(a..b).ok_or(DecodeError::Invalid { what: "FastTransfer element", offset: a, reason: "framing error" })
}

/// Shifts an error's offset from element-relative to stream-relative.
fn rebase(e: DecodeError, by: usize) -> DecodeError {
    match e {
        DecodeError::Incomplete { what, offset, needed } => {
            DecodeError::Incomplete { what, offset: offset + by, needed }
        }
        DecodeError::Invalid { what, offset, reason } => DecodeError::Invalid { what, offset: offset + by, reason },
        DecodeError::Unsupported { what, offset, value } => {
            DecodeError::Unsupported { what, offset: offset + by, value }
        }
        DecodeError::TooLarge { what, offset, size, limit } => {
            DecodeError::TooLarge { what, offset: offset + by, size, limit }
        }
        DecodeError::TrailingBytes { what, offset, count } => {
            DecodeError::TrailingBytes { what, offset: offset + by, count }
        }
    }
}

/// Reads a whole stream held in one buffer into elements with their
/// offsets ([MS-OXCFXICS] 2.2.4.1).
pub fn read_stream(bytes: &[u8]) -> Result<Vec<(usize, FxElement)>, DecodeError> {
    read_stream_with(bytes, FxLimits::default())
}

/// [`read_stream`] with explicit limits.
pub fn read_stream_with(bytes: &[u8], limits: FxLimits) -> Result<Vec<(usize, FxElement)>, DecodeError> {
    let mut r = FxReader::with_limits(limits);
    r.push(bytes);
    let mut out = Vec::new();
    while let Some(e) = r.next_at()? {
        out.push(e);
    }
    r.finish()?;
    Ok(out)
}
