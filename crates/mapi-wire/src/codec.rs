//! The one cursor every decoder reads through, and the little-endian writer
//! every encoder appends to.
//!
//! All MAPI wire integers are little-endian unless a structure says otherwise
//! ([MS-OXCDATA] 2.1). Decoders never index slices directly: a length field
//! becomes a sub-reader ([`Reader::sub`]), so a bad length can neither read a
//! neighbour's bytes nor make us allocate more than the input holds
//! ([`Reader::count`]).

use crate::error::{DecodeError, EncodeError};

/// A value that can be read from its wire form.
pub trait Decode<'a>: Sized {
    /// Reads one value, advancing the reader past it.
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError>;

    /// Decodes a value that must fill `bytes` exactly.
    fn decode_exact(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let v = Self::decode(&mut r)?;
        r.expect_end(std::any::type_name::<Self>())?;
        Ok(v)
    }
}

/// A value that can be written in its wire form.
pub trait Encode {
    /// Appends the wire form to `w`.
    ///
    /// Fails only when a value does not fit its wire field (for example a
    /// binary value longer than a 16-bit count allows); nothing is truncated
    /// silently.
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError>;

    /// Encodes into a fresh buffer.
    fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut w = Vec::new();
        self.encode(&mut w)?;
        Ok(w)
    }
}

/// A borrowed cursor over wire bytes.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Offset of `buf[0]` in the outermost input, so errors point at the
    /// right byte even inside sub-readers.
    base: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading at the first byte of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0, base: 0 }
    }

    /// Offset of the next byte, counted from the start of the outermost input.
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// True when every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The unread bytes, without consuming them.
    pub fn peek_rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    /// Consumes and returns every unread byte.
    pub fn rest(&mut self) -> &'a [u8] {
        let rest = &self.buf[self.pos..];
        self.pos = self.buf.len();
        rest
    }

    /// Fails with [`DecodeError::TrailingBytes`] unless every byte was read.
    pub fn expect_end(&self, what: &'static str) -> Result<(), DecodeError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes { what, offset: self.offset(), count: self.remaining() })
        }
    }

    /// Reads `n` bytes.
    pub fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        if n > self.remaining() {
            return Err(DecodeError::Incomplete { what, offset: self.offset(), needed: n - self.remaining() });
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// Reads a fixed-size array.
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], DecodeError> {
        let b = self.bytes(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    /// Splits off the next `n` bytes as their own reader (for length-prefixed
    /// structures); the parent moves past them.
    pub fn sub(&mut self, n: usize, what: &'static str) -> Result<Self, DecodeError> {
        let base = self.offset();
        let buf = self.bytes(n, what)?;
        Ok(Self { buf, pos: 0, base })
    }

    /// Checks that `count` elements of at least `min_size` bytes each can
    /// still be present, so a hostile count cannot drive a huge allocation.
    pub fn count(&self, count: usize, min_size: usize, what: &'static str) -> Result<usize, DecodeError> {
        let need = count.saturating_mul(min_size.max(1));
        if need > self.remaining() && min_size > 0 {
            return Err(DecodeError::Incomplete { what, offset: self.offset(), needed: need - self.remaining() });
        }
        if min_size == 0 && count > self.remaining().saturating_add(1).saturating_mul(64) {
            // Zero-size elements still cost memory; cap them at a small
            // multiple of the input.
            return Err(DecodeError::TooLarge {
                what,
                offset: self.offset(),
                size: count as u64,
                limit: self.remaining() as u64 * 64,
            });
        }
        Ok(count)
    }

    /// Looks at the next byte without consuming it.
    pub fn peek_u8(&self, what: &'static str) -> Result<u8, DecodeError> {
        self.buf.get(self.pos).copied().ok_or(DecodeError::Incomplete { what, offset: self.offset(), needed: 1 })
    }

    /// Reads a `u8`.
    pub fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(what)?[0])
    }

    /// Reads a little-endian `u16`.
    pub fn u16(&mut self, what: &'static str) -> Result<u16, DecodeError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    /// Reads a little-endian `u32`.
    pub fn u32(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    /// Reads a little-endian `u64`.
    pub fn u64(&mut self, what: &'static str) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// Reads a little-endian `i16`.
    pub fn i16(&mut self, what: &'static str) -> Result<i16, DecodeError> {
        Ok(i16::from_le_bytes(self.array(what)?))
    }

    /// Reads a little-endian `i32`.
    pub fn i32(&mut self, what: &'static str) -> Result<i32, DecodeError> {
        Ok(i32::from_le_bytes(self.array(what)?))
    }

    /// Reads a little-endian `i64`.
    pub fn i64(&mut self, what: &'static str) -> Result<i64, DecodeError> {
        Ok(i64::from_le_bytes(self.array(what)?))
    }

    /// Reads a little-endian IEEE 754 `f32`.
    pub fn f32(&mut self, what: &'static str) -> Result<f32, DecodeError> {
        Ok(f32::from_le_bytes(self.array(what)?))
    }

    /// Reads a little-endian IEEE 754 `f64`.
    pub fn f64(&mut self, what: &'static str) -> Result<f64, DecodeError> {
        Ok(f64::from_le_bytes(self.array(what)?))
    }

    /// Reads an 8-bit string up to and including its NUL; returns it without
    /// the NUL. The code page is the caller's business.
    pub fn asciiz(&mut self, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let rest = self.peek_rest();
        match rest.iter().position(|&b| b == 0) {
            Some(n) => {
                let s = &rest[..n];
                self.pos += n + 1;
                Ok(s)
            }
            None => Err(DecodeError::Incomplete { what, offset: self.offset() + rest.len(), needed: 1 }),
        }
    }

    /// Reads UTF-16LE code units up to and including a 0x0000 unit; returns the
    /// raw bytes without the terminator.
    pub fn utf16z_bytes(&mut self, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let rest = self.peek_rest();
        if let Some(units) = rest.chunks_exact(2).position(|c| c == [0, 0]) {
            let s = &rest[..2 * units];
            self.pos += 2 * units + 2;
            return Ok(s);
        }
        Err(DecodeError::Incomplete { what, offset: self.offset() + rest.len(), needed: 2 - (rest.len() % 2) })
    }

    /// Reads a NUL-terminated UTF-16LE string.
    ///
    /// Unpaired surrogates become U+FFFD: Exchange truncates long strings in
    /// tables by code unit, and a mail gateway must still show the item.
    pub fn utf16z(&mut self, what: &'static str) -> Result<String, DecodeError> {
        Ok(utf16le_to_string(self.utf16z_bytes(what)?))
    }
}

/// Decodes UTF-16LE bytes (an odd trailing byte is ignored), replacing
/// unpaired surrogates with U+FFFD.
pub fn utf16le_to_string(bytes: &[u8]) -> String {
    // Most strings in mail tables are ASCII: copy that prefix a byte per code
    // unit, then hand the rest (if any) to the general decoder.
    let ascii = bytes.chunks_exact(2).take_while(|c| c[1] == 0 && c[0] < 0x80).count();
    let mut prefix = Vec::with_capacity(bytes.len() / 2);
    prefix.extend(bytes[..2 * ascii].iter().step_by(2));
    // Every byte is below 0x80, so this is valid UTF-8; the fallback is never taken.
    let mut out = String::from_utf8(prefix).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    let rest = bytes[2 * ascii..].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]));
    out.extend(char::decode_utf16(rest).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
    out
}

/// Little-endian appends onto a byte buffer.
pub trait Put {
    /// Appends a `u8`.
    fn put_u8(&mut self, v: u8);
    /// Appends a little-endian `u16`.
    fn put_u16(&mut self, v: u16);
    /// Appends a little-endian `u32`.
    fn put_u32(&mut self, v: u32);
    /// Appends a little-endian `u64`.
    fn put_u64(&mut self, v: u64);
    /// Appends raw bytes.
    fn put_bytes(&mut self, v: &[u8]);
    /// Appends `s` as UTF-16LE plus a 0x0000 terminator.
    fn put_utf16z(&mut self, s: &str);
    /// Appends `s` plus a 0x00 terminator.
    fn put_asciiz(&mut self, s: &[u8]);
    /// Appends a `u16` placeholder and returns its position for [`Put::patch_u16`].
    fn reserve_u16(&mut self) -> usize;
    /// Appends a `u32` placeholder and returns its position for [`Put::patch_u32`].
    fn reserve_u32(&mut self) -> usize;
    /// Overwrites the `u16` at `at` with the number of bytes written after it.
    fn patch_len_u16(&mut self, at: usize, what: &'static str) -> Result<(), EncodeError>;
    /// Overwrites the `u32` at `at` with the number of bytes written after it.
    fn patch_len_u32(&mut self, at: usize, what: &'static str) -> Result<(), EncodeError>;
}

impl Put for Vec<u8> {
    fn put_u8(&mut self, v: u8) {
        self.push(v);
    }
    fn put_u16(&mut self, v: u16) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn put_u32(&mut self, v: u32) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn put_u64(&mut self, v: u64) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn put_bytes(&mut self, v: &[u8]) {
        self.extend_from_slice(v);
    }
    fn put_utf16z(&mut self, s: &str) {
        for u in s.encode_utf16() {
            self.extend_from_slice(&u.to_le_bytes());
        }
        self.extend_from_slice(&[0, 0]);
    }
    fn put_asciiz(&mut self, s: &[u8]) {
        self.extend_from_slice(s);
        self.push(0);
    }
    fn reserve_u16(&mut self) -> usize {
        let at = self.len();
        self.extend_from_slice(&[0, 0]);
        at
    }
    fn reserve_u32(&mut self) -> usize {
        let at = self.len();
        self.extend_from_slice(&[0, 0, 0, 0]);
        at
    }
    fn patch_len_u16(&mut self, at: usize, what: &'static str) -> Result<(), EncodeError> {
        let len = self.len() - at - 2;
        let v = u16::try_from(len).map_err(|_| EncodeError::TooLong { what, len, max: u16::MAX as usize })?;
        self[at..at + 2].copy_from_slice(&v.to_le_bytes());
        Ok(())
    }
    fn patch_len_u32(&mut self, at: usize, what: &'static str) -> Result<(), EncodeError> {
        let len = self.len() - at - 4;
        let v = u32::try_from(len).map_err(|_| EncodeError::TooLong { what, len, max: u32::MAX as usize })?;
        self[at..at + 4].copy_from_slice(&v.to_le_bytes());
        Ok(())
    }
}

/// Converts a length to a `u16` wire field, or fails naming the field.
pub fn len_u16(len: usize, what: &'static str) -> Result<u16, EncodeError> {
    u16::try_from(len).map_err(|_| EncodeError::TooLong { what, len, max: u16::MAX as usize })
}

/// Converts a length to a `u32` wire field, or fails naming the field.
pub fn len_u32(len: usize, what: &'static str) -> Result<u32, EncodeError> {
    u32::try_from(len).map_err(|_| EncodeError::TooLong { what, len, max: u32::MAX as usize })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_reader_cannot_read_past_its_length() {
        let data = [3u8, 0, 1, 2, 3, 4];
        let mut r = Reader::new(&data);
        let n = r.u16("len").unwrap();
        let mut sub = r.sub(n as usize, "body").unwrap();
        assert_eq!(sub.bytes(3, "x").unwrap(), &[1, 2, 3]);
        assert!(matches!(sub.u8("y"), Err(DecodeError::Incomplete { offset: 5, .. })));
        assert_eq!(r.u8("z").unwrap(), 4);
    }

    #[test]
    fn hostile_count_is_refused_before_allocation() {
        let data = [0u8; 10];
        let r = Reader::new(&data);
        assert!(r.count(0xFFFF_FFFF, 4, "values").is_err());
        assert_eq!(r.count(2, 4, "values").unwrap(), 2);
    }

    #[test]
    fn utf16z_round_trip_and_lossy_surrogates() {
        let mut w = Vec::new();
        w.put_utf16z("Grüße ✉");
        let mut r = Reader::new(&w);
        assert_eq!(r.utf16z("s").unwrap(), "Grüße ✉");
        assert!(r.is_empty());
        // A lone high surrogate followed by the terminator.
        let mut r = Reader::new(&[0x3D, 0xD8, 0, 0]);
        assert_eq!(r.utf16z("s").unwrap(), "\u{FFFD}");
        assert!(Reader::new(&[0x41, 0]).utf16z("s").is_err());
    }

    #[test]
    fn utf16_ascii_prefix_then_non_ascii_decodes_whole_string() {
        let mut w = Vec::new();
        w.put_utf16z("RE: Grüße 😀 ok");
        let raw = &w[..w.len() - 2];
        assert_eq!(utf16le_to_string(raw), "RE: Grüße 😀 ok");
        // A lone low surrogate after ASCII, then ASCII again.
        assert_eq!(utf16le_to_string(&[0x41, 0, 0x00, 0xDC, 0x42, 0]), "A\u{FFFD}B");
    }

    #[test]
    fn length_patches_refuse_overflow() {
        let mut w = Vec::new();
        let at = w.reserve_u16();
        w.extend(std::iter::repeat_n(0u8, 70_000));
        assert!(matches!(w.patch_len_u16(at, "blob"), Err(EncodeError::TooLong { len: 70_000, .. })));
    }
}
