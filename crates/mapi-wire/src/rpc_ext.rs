//! [MS-OXCRPC] 2.2.2.1 RPC_HEADER_EXT: the framing of the Execute ROP
//! buffers (`rgbIn`/`rgbOut`) and of every auxiliary buffer.
//!
//! A buffer is a chain of `RPC_HEADER_EXT` + payload pairs; only the last
//! header carries [`ExtFlags::LAST`]. A payload may be compressed with
//! [MS-XCA] Plain LZ77 ([`crate::lz77`], [MS-OXCRPC] 3.1.4.1.1.2) and/or
//! obfuscated with XorMagic ([MS-OXCRPC] 3.1.4.1.1.3). The sender compresses,
//! then XORs; the receiver un-XORs, then decompresses ([MS-OXCRPC]
//! 3.1.4.1.1.1.1).
//!
//! [`decode_chain`] frames a whole buffer with limits ([`ChainLimits`]) and
//! returns one [`ExtendedBuffer`] per header, each holding the header as
//! received, the bytes as transmitted (so [`ExtendedBuffer::encode`]
//! reproduces the input byte for byte) and the decoded payload.
//! [`encode_chain`] builds a buffer from payloads ([`EncodeOptions`]).

use crate::codec::{Decode, Encode, Put, Reader, len_u16};
use crate::error::{DecodeError, EncodeError};
use crate::lz77;

/// [MS-OXCRPC] 3.1.4.1.1.3 the byte every payload byte is XORed with when
/// [`ExtFlags::XOR_MAGIC`] is set.
pub const XOR_MAGIC: u8 = 0xA5;

/// [MS-OXCRPC] 3.1.4.1.1 / 3.1.4.2.1 the largest uncompressed payload a
/// sender should put behind one header (32 KiB). The wire allows up to
/// 65535 (`SizeActual` is a `u16`); decoders accept that.
pub const RECOMMENDED_MAX_PAYLOAD: usize = 0x8000;

/// [MS-OXCRPC] 2.2.2.1 the `Flags` field of an RPC_HEADER_EXT.
///
/// A bit set; unknown bits are kept so they round-trip.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ExtFlags(pub u16);

impl ExtFlags {
    /// The payload is [MS-XCA] Plain LZ77 compressed.
    pub const COMPRESSED: Self = Self(0x0001);
    /// Every payload byte is XORed with [`XOR_MAGIC`].
    pub const XOR_MAGIC: Self = Self(0x0002);
    /// This is the last header of the buffer.
    pub const LAST: Self = Self(0x0004);

    /// True when every bit of `other` is set.
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Bits outside COMPRESSED, XOR_MAGIC and LAST.
    pub fn unknown_bits(self) -> u16 {
        self.0 & !0x0007
    }
}

impl std::ops::BitOr for ExtFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for ExtFlags {
    fn bitor_assign(&mut self, rhs: Self) {
        self.0 |= rhs.0;
    }
}

impl std::fmt::Debug for ExtFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        for (flag, name) in [(Self::COMPRESSED, "Compressed"), (Self::XOR_MAGIC, "XorMagic"), (Self::LAST, "Last")] {
            if self.contains(flag) {
                parts.push(name.to_string());
            }
        }
        if self.unknown_bits() != 0 {
            parts.push(format!("{:#06x}", self.unknown_bits()));
        }
        if parts.is_empty() { f.write_str("ExtFlags(0)") } else { f.write_str(&parts.join("|")) }
    }
}

/// [MS-OXCRPC] 2.2.2.1 RPC_HEADER_EXT: 8 bytes in front of every payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RpcHeaderExt {
    /// Version; MUST be 0x0000.
    pub version: u16,
    /// Compressed / XorMagic / Last.
    pub flags: ExtFlags,
    /// Payload bytes after this header, as transmitted.
    pub size: u16,
    /// Payload bytes after decompression (= `size` when not compressed).
    pub size_actual: u16,
}

impl RpcHeaderExt {
    /// Wire size of the header.
    pub const LEN: usize = 8;
}

impl<'a> Decode<'a> for RpcHeaderExt {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            version: r.u16("RPC_HEADER_EXT Version")?,
            flags: ExtFlags(r.u16("RPC_HEADER_EXT Flags")?),
            size: r.u16("RPC_HEADER_EXT Size")?,
            size_actual: r.u16("RPC_HEADER_EXT SizeActual")?,
        })
    }
}

impl Encode for RpcHeaderExt {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_u16(self.version);
        w.put_u16(self.flags.0);
        w.put_u16(self.size);
        w.put_u16(self.size_actual);
        Ok(())
    }
}

/// [MS-OXCRPC] 2.2.2.1 one RPC_HEADER_EXT with its payload, in both forms.
///
/// Invariants kept by [`decode_chain`] and [`ExtendedBuffer::new`]:
/// `transmitted.len() == header.size`, `payload.len() == header.size_actual`,
/// and un-XORing then decompressing `transmitted` (as `header.flags` say)
/// gives `payload`. Encoding writes `header` + `transmitted`, so a decoded
/// buffer re-encodes byte for byte.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ExtendedBuffer {
    /// The header as received or built.
    pub header: RpcHeaderExt,
    /// The payload after un-XORing and decompression: ROP requests/responses
    /// plus handle table, or AUX blocks.
    pub payload: Vec<u8>,
    /// The payload bytes as they are on the wire (compressed and/or XORed).
    pub transmitted: Vec<u8>,
}

/// [MS-OXCRPC] 3.1.4.1.1 how [`encode_chain`] and [`ExtendedBuffer::new`]
/// transform payloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EncodeOptions {
    /// Compress with [MS-XCA] Plain LZ77 when that makes the payload smaller
    /// (the flag is dropped otherwise, as gromox does).
    pub compress: bool,
    /// Obfuscate with XorMagic (after compression).
    pub xor_magic: bool,
}

/// Limits that protect a decoder from a hostile chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ChainLimits {
    /// Most decoded payload bytes, summed over the chain (default 32 MiB).
    pub max_total: usize,
    /// Most headers in one chain (default 1024; gromox sends at most 96).
    pub max_buffers: usize,
}

impl Default for ChainLimits {
    fn default() -> Self {
        Self { max_total: 32 << 20, max_buffers: 1024 }
    }
}

/// [MS-OXCRPC] 3.1.4.1.1.3 XorMagic: XORs every byte with 0xA5 (its own
/// inverse).
pub fn xor_magic(buf: &mut [u8]) {
    for b in buf {
        *b ^= XOR_MAGIC;
    }
}

/// [MS-OXCRPC] 2.2.2.1, 3.1.4.1.1.1.1 decodes a whole `rgbIn`/`rgbOut` or
/// auxiliary buffer into its payloads, in order.
///
/// Empty input is an empty chain (an absent auxiliary buffer). Otherwise
/// headers are read until one with [`ExtFlags::LAST`]; bytes after it are an
/// error ([`DecodeError::TrailingBytes`]), and so is input that ends before
/// it ([`DecodeError::Incomplete`]). A non-zero Version is
/// [`DecodeError::Unsupported`]; an uncompressed payload whose SizeActual
/// differs from Size is [`DecodeError::Invalid`]. Decoded bytes are bounded
/// by `limits` ([`DecodeError::TooLarge`]).
pub fn decode_chain(bytes: &[u8], limits: &ChainLimits) -> Result<Vec<ExtendedBuffer>, DecodeError> {
    let mut r = Reader::new(bytes);
    let mut out = Vec::new();
    let mut budget = limits.max_total;
    while !r.is_empty() {
        if out.len() >= limits.max_buffers {
            return Err(DecodeError::TooLarge {
                what: "RPC_HEADER_EXT chain length",
                offset: r.offset(),
                size: out.len() as u64 + 1,
                limit: limits.max_buffers as u64,
            });
        }
        let buf = ExtendedBuffer::decode_limited(&mut r, &mut budget, limits.max_total)?;
        let last = buf.is_last();
        out.push(buf);
        if last {
            r.expect_end("RPC_HEADER_EXT chain after the Last header")?;
            return Ok(out);
        }
    }
    if out.is_empty() {
        Ok(out)
    } else {
        Err(DecodeError::Incomplete {
            what: "RPC_HEADER_EXT chain without a Last header",
            offset: r.offset(),
            needed: RpcHeaderExt::LEN,
        })
    }
}

/// [MS-OXCRPC] 2.2.2.1 encodes payloads as one chain: one header per
/// payload, [`ExtFlags::LAST`] on the final one. No payloads = empty buffer.
///
/// Each payload must fit a `u16` SizeActual (≤ 65535 bytes; senders should
/// stay within [`RECOMMENDED_MAX_PAYLOAD`]); a payload is never split, since
/// ROP buffers must hold whole ROPs.
pub fn encode_chain<'p, I>(payloads: I, opts: &EncodeOptions) -> Result<Vec<u8>, EncodeError>
where
    I: IntoIterator<Item = &'p [u8]>,
{
    let mut w = Vec::new();
    encode_chain_into(payloads, opts, &mut w)?;
    Ok(w)
}

/// Like [`encode_chain`], appending to `w` ([MS-OXCRPC] 2.2.2.1).
pub fn encode_chain_into<'p, I>(payloads: I, opts: &EncodeOptions, w: &mut Vec<u8>) -> Result<(), EncodeError>
where
    I: IntoIterator<Item = &'p [u8]>,
{
    let mut iter = payloads.into_iter().peekable();
    while let Some(p) = iter.next() {
        let last = iter.peek().is_none();
        ExtendedBuffer::new(p, opts, last)?.encode(w)?;
    }
    Ok(())
}

impl ExtendedBuffer {
    /// [MS-OXCRPC] 3.1.4.1.1.1.1 builds the wire form of `payload`:
    /// compressed when `opts.compress` and it helps, then XORed when
    /// `opts.xor_magic`; `last` sets [`ExtFlags::LAST`].
    pub fn new(payload: &[u8], opts: &EncodeOptions, last: bool) -> Result<Self, EncodeError> {
        let size_actual = len_u16(payload.len(), "RPC_HEADER_EXT SizeActual")?;
        let mut flags = if last { ExtFlags::LAST } else { ExtFlags::default() };
        let mut transmitted = None;
        if opts.compress {
            let c = lz77::compress(payload);
            if c.len() < payload.len() {
                flags |= ExtFlags::COMPRESSED;
                transmitted = Some(c);
            }
        }
        let mut transmitted = transmitted.unwrap_or_else(|| payload.to_vec());
        if opts.xor_magic {
            flags |= ExtFlags::XOR_MAGIC;
            xor_magic(&mut transmitted);
        }
        let size = len_u16(transmitted.len(), "RPC_HEADER_EXT Size")?;
        Ok(Self {
            header: RpcHeaderExt { version: 0, flags, size, size_actual },
            payload: payload.to_vec(),
            transmitted,
        })
    }

    /// True when this header ends its chain.
    pub fn is_last(&self) -> bool {
        self.header.flags.contains(ExtFlags::LAST)
    }

    /// Reads one header and its payload with the default per-chain limit
    /// ([MS-OXCRPC] 2.2.2.1).
    pub fn decode_one(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let max = ChainLimits::default().max_total;
        let mut budget = max;
        Self::decode_limited(r, &mut budget, max)
    }

    /// Reads one header and payload, charging the decoded size to `budget`.
    fn decode_limited(r: &mut Reader<'_>, budget: &mut usize, max_total: usize) -> Result<Self, DecodeError> {
        let at = r.offset();
        let header = RpcHeaderExt::decode(r)?;
        if header.version != 0 {
            return Err(DecodeError::Unsupported {
                what: "RPC_HEADER_EXT Version",
                offset: at,
                value: header.version.into(),
            });
        }
        let size_actual = usize::from(header.size_actual);
        if size_actual > *budget {
            return Err(DecodeError::TooLarge {
                what: "RPC_HEADER_EXT chain decoded size",
                offset: at,
                size: (max_total - *budget + size_actual) as u64,
                limit: max_total as u64,
            });
        }
        let payload_at = r.offset();
        let transmitted = r.bytes(usize::from(header.size), "RPC_HEADER_EXT payload")?.to_vec();
        let compressed = header.flags.contains(ExtFlags::COMPRESSED);
        if !compressed && header.size != header.size_actual {
            return Err(DecodeError::Invalid {
                what: "RPC_HEADER_EXT SizeActual",
                offset: at + 6,
                reason: "differs from Size on an uncompressed payload",
            });
        }
        let mut payload = transmitted.clone();
        if header.flags.contains(ExtFlags::XOR_MAGIC) {
            xor_magic(&mut payload);
        }
        if compressed {
            payload = lz77::decompress(&payload, size_actual).map_err(|e| shift(e, payload_at))?;
        }
        *budget -= size_actual;
        Ok(Self { header, payload, transmitted })
    }
}

impl Encode for ExtendedBuffer {
    /// Writes the header and the transmitted bytes unchanged.
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.header.encode(w)?;
        w.put_bytes(&self.transmitted);
        Ok(())
    }
}

/// Makes an LZ77 error offset (relative to the payload) absolute.
fn shift(e: DecodeError, by: usize) -> DecodeError {
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

#[cfg(test)]
mod tests;
