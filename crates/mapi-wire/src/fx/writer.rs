//! The FastTransfer stream writer ([MS-OXCFXICS] 2.2.4.1), for servers and
//! test peers, and the buffer splitter of RopFastTransferSourceGetBuffer.

use super::marker::Marker;
use super::scan::{Layout, layout};
use super::value::encode_value;
use super::{FxElement, FxProperty};
use crate::codec::Put;
use crate::error::EncodeError;
use crate::named::PropertyName;
use crate::prop_tag::PropTag;
use crate::prop_value::PropContext;

/// Builds a FastTransfer stream element by element ([MS-OXCFXICS] 2.2.4.1).
///
/// Writes exactly what [`super::FxReader`] reads back: the same elements
/// give the same bytes.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FxWriter {
    out: Vec<u8>,
    /// Value bytes promised by `value_start` and not yet written.
    pending: u64,
}

impl FxWriter {
    /// An empty stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a marker ([MS-OXCFXICS] 2.2.4.1.4).
    pub fn marker(&mut self, m: Marker) {
        self.out.put_u32(m.0);
    }

    /// Appends a propValue ([MS-OXCFXICS] 2.2.4.1.1): tag, the name for
    /// named ids (≥ 0x8000), the value.
    pub fn property(&mut self, p: &FxProperty) -> Result<(), EncodeError> {
        let at = self.out.len();
        let r = self.head(p.tag, p.name.as_ref()).and_then(|()| encode_value(p.tag, &p.value, &mut self.out));
        if r.is_err() {
            self.out.truncate(at);
        }
        r
    }

    /// Shorthand for an unnamed property.
    pub fn prop(&mut self, tag: PropTag, value: crate::prop_value::PropValue) -> Result<(), EncodeError> {
        self.property(&FxProperty { tag, name: None, value })
    }

    /// Starts a long string/binary value written in pieces: tag, name and
    /// the u32 length; exactly `len` bytes must follow through
    /// [`FxWriter::value_chunk`].
    pub fn value_start(&mut self, tag: PropTag, name: Option<&PropertyName>, len: u32) -> Result<(), EncodeError> {
        if layout(tag) != Some(Layout::Var) {
            return Err(EncodeError::NotRepresentable {
                what: "FastTransfer value",
                reason: "only string, binary and object values can be written in pieces",
            });
        }
        let at = self.out.len();
        if let Err(e) = self.head(tag, name) {
            self.out.truncate(at);
            return Err(e);
        }
        self.out.put_u32(len);
        self.pending = len.into();
        Ok(())
    }

    /// Appends raw value bytes of a value begun with [`FxWriter::value_start`].
    pub fn value_chunk(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        if bytes.len() as u64 > self.pending {
            return Err(EncodeError::TooLong {
                what: "FastTransfer value chunk",
                len: bytes.len(),
                max: usize::try_from(self.pending).unwrap_or(usize::MAX),
            });
        }
        self.pending -= bytes.len() as u64;
        self.out.put_bytes(bytes);
        Ok(())
    }

    /// Appends any element (the inverse of [`super::FxReader::next`]).
    pub fn element(&mut self, e: &FxElement) -> Result<(), EncodeError> {
        match e {
            FxElement::Marker(m) => {
                self.marker(*m);
                Ok(())
            }
            FxElement::Property(p) => self.property(p),
            FxElement::ValueStart { tag, name, len } => self.value_start(*tag, name.as_ref(), *len),
            FxElement::ValueChunk(b) => self.value_chunk(b),
            FxElement::ValueEnd => {
                if self.pending != 0 {
                    return Err(EncodeError::NotRepresentable {
                        what: "FastTransfer value",
                        reason: "value ended before its announced length",
                    });
                }
                Ok(())
            }
        }
    }

    /// The stream written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.out
    }

    /// Bytes written and not yet taken.
    pub fn len(&self) -> usize {
        self.out.len()
    }

    /// True when nothing is waiting to be taken.
    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// The whole stream.
    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }

    /// Removes and returns up to `max` bytes from the front, as one
    /// TransferBuffer of RopFastTransferSourceGetBuffer ([MS-OXCROPS]
    /// 2.2.13.5) — the cut may fall anywhere.
    pub fn take_buffer(&mut self, max: usize) -> Vec<u8> {
        let n = max.min(self.out.len());
        self.out.drain(..n).collect()
    }

    fn head(&mut self, tag: PropTag, name: Option<&PropertyName>) -> Result<(), EncodeError> {
        if Marker::is_marker(tag.0) {
            return Err(EncodeError::NotRepresentable {
                what: "FastTransfer propValue",
                reason: "the tag is a marker and would be read back as one",
            });
        }
        if layout(tag).is_none() {
            return Err(EncodeError::NotRepresentable {
                what: "FastTransfer propValue",
                reason: "the property type has no FastTransfer form",
            });
        }
        self.out.put_u32(tag.0);
        match (tag.id() >= 0x8000, name) {
            (true, Some(n)) => n.encode_with(&mut self.out, PropContext::FastTransfer),
            (false, None) => Ok(()),
            (true, None) => Err(EncodeError::NotRepresentable {
                what: "FastTransfer propValue",
                reason: "a named property id (>= 0x8000) needs its PropertyName",
            }),
            (false, Some(_)) => Err(EncodeError::NotRepresentable {
                what: "FastTransfer propValue",
                reason: "only ids >= 0x8000 carry a PropertyName",
            }),
        }
    }
}

/// Cuts a stream into TransferBuffers of at most `size` bytes (the last
/// one shorter), as a server answering RopFastTransferSourceGetBuffer with
/// BufferSize `size` may; `size` 0 is treated as 1.
pub fn split_buffers(stream: &[u8], size: usize) -> std::slice::Chunks<'_, u8> {
    stream.chunks(size.max(1))
}
