//! [MS-OXCRPC] 3.1.4.1.1.2 Compression Algorithm: [MS-XCA] 2.3–2.4 "Plain
//! LZ77" compression and decompression.
//!
//! The stream is a sequence of 32-bit little-endian flag words, each
//! followed by the elements it describes, most significant bit first: a 0 bit
//! is one literal byte, a 1 bit is a match `u16` (`offset = (m >> 3) + 1`,
//! 1..=8192; `m & 7` is the length − 3, with 7 meaning "more": a 4-bit value
//! from a nibble byte shared by two consecutive long matches, then a byte,
//! then a `u16`, then a `u32`). The stream ends when the input is exhausted;
//! encoders terminate the last flag word with a 1 bit and fill it with 1s.
//!
//! [`decompress`] never writes more than the caller's expected size (the
//! RPC_HEADER_EXT `SizeActual`), refuses matches that point before the start
//! of the output, and never panics. [`compress`] is a greedy longest-match
//! encoder over a hash-chain match finder; on the [MS-XCA] 3.1 examples and
//! the other digest vectors its output is byte-identical to Samba's
//! `lzxpress_compress` (which gromox uses).

use crate::error::DecodeError;

/// Largest match distance the format can express ([MS-XCA] 2.3: 13 bits + 1).
pub const MAX_OFFSET: usize = 8192;

/// Shortest match the format can express ([MS-XCA] 2.3).
pub const MIN_MATCH: usize = 3;

/// Decompresses an [MS-XCA] 2.4 Plain LZ77 stream that must expand to exactly
/// `expected_len` bytes ([MS-OXCRPC] 3.1.4.1.1.2; `expected_len` is the
/// RPC_HEADER_EXT `SizeActual`).
///
/// Fails with [`DecodeError::TooLarge`] as soon as the output would exceed
/// `expected_len`, with [`DecodeError::Invalid`] for a match before the start
/// of the output or a short result, and with [`DecodeError::Incomplete`] for a
/// stream cut inside a flag word or a match. Accepts both terminations: a
/// final flag word padded with 1 bits (current encoders) or with 0 bits (old
/// encoders, [MS-XCA] examples in Samba's tests).
pub fn decompress(input: &[u8], expected_len: usize) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    decompress_into(input, &mut out, expected_len)?;
    if out.len() != expected_len {
        return Err(DecodeError::Invalid {
            what: "LZ77 stream",
            offset: input.len(),
            reason: "decompressed size is smaller than SizeActual",
        });
    }
    Ok(out)
}

/// Decompresses an [MS-XCA] 2.4 Plain LZ77 stream, appending at most `limit`
/// bytes to `out`; returns how many bytes were appended.
///
/// Matches may only refer to bytes produced by this call, never to what `out`
/// held before. Unlike [`decompress`], a result shorter than `limit` is not an
/// error. On error `out` may hold a partial result.
pub fn decompress_into(input: &[u8], out: &mut Vec<u8>, limit: usize) -> Result<usize, DecodeError> {
    let base = out.len();
    // Expect the caller's size, but no more than a generous multiple of the
    // input, so a huge `limit` alone cannot allocate.
    let initial = limit.min(input.len().saturating_mul(16).saturating_add(4096));
    out.resize(base + initial + SLACK, 0);
    let mut sink = Sink { buf: out, base, o: base, limit };
    let result = decode(input, &mut sink);
    let end = sink.o;
    out.truncate(end);
    result.map(|()| end - base)
}

/// Extra bytes kept writable past the output so short copies can move whole
/// 16-byte chunks; they are cut off at the end.
const SLACK: usize = 32;

/// The decoder's output: `buf[base..o]` is produced, `buf[o..]` is scratch.
struct Sink<'o> {
    buf: &'o mut Vec<u8>,
    base: usize,
    o: usize,
    limit: usize,
}

impl Sink<'_> {
    fn produced(&self) -> usize {
        self.o - self.base
    }

    /// Checks `n` more bytes against the limit and makes room for them plus
    /// [`SLACK`]. Grows geometrically, so a huge limit with a tiny input
    /// allocates only what is produced.
    fn reserve(&mut self, n: usize, at: usize) -> Result<(), DecodeError> {
        let too_large = DecodeError::TooLarge {
            what: "LZ77 output",
            offset: at,
            size: self.produced().saturating_add(n) as u64,
            limit: self.limit as u64,
        };
        if n > self.limit - self.produced() {
            return Err(too_large);
        }
        let Some(need) = self.o.checked_add(n).and_then(|e| e.checked_add(SLACK)) else {
            return Err(too_large);
        };
        if self.buf.len() < need {
            let cap = self.base.saturating_add(self.limit).saturating_add(SLACK);
            let grown = (self.base + 2 * (self.buf.len() - self.base).max(2048)).min(cap);
            self.buf.resize(need.max(grown), 0);
        }
        Ok(())
    }

    /// Appends `input[pos..pos + n]` (in bounds, checked by the caller).
    fn literals(&mut self, input: &[u8], pos: usize, n: usize) {
        // reserve() made buf[o..o + n + SLACK] writable.
        let o = self.o;
        let short: Option<[u8; 16]> =
            if n <= 16 { input.get(pos..pos + 16).and_then(|c| c.try_into().ok()) } else { None };
        if let (Some(chunk), Some(d)) = (short, self.buf.get_mut(o..o + 16)) {
            // One fixed-size move; bytes past n are scratch.
            d.copy_from_slice(&chunk);
        } else if let (Some(d), Some(s)) = (self.buf.get_mut(o..o + n), input.get(pos..pos + n)) {
            d.copy_from_slice(s);
        }
        self.o += n;
    }

    /// Copies `len` bytes from `offset` back (1 ≤ offset ≤ produced, checked
    /// by the caller); overlapping copies repeat the pattern.
    fn copy_match(&mut self, offset: usize, len: usize) {
        let dst = self.o;
        let src = dst - offset;
        if offset >= 16 && len <= 64 {
            // Whole 16-byte chunks: each reads only final bytes (src + 16 ≤
            // dst) and may write up to 15 bytes of scratch past the end.
            let mut i = 0;
            while i < len {
                let chunk: Option<[u8; 16]> = self.buf.get(src + i..src + i + 16).and_then(|c| c.try_into().ok());
                if let (Some(chunk), Some(d)) = (chunk, self.buf.get_mut(dst + i..dst + i + 16)) {
                    d.copy_from_slice(&chunk);
                }
                i += 16;
            }
        } else if offset >= len {
            self.buf.copy_within(src..src + len, dst);
        } else if offset == 1 {
            let b = self.buf.get(src).copied().unwrap_or_default();
            if let Some(d) = self.buf.get_mut(dst..dst + len) {
                d.fill(b);
            }
        } else {
            // Periodic with period `offset`: copy ever longer chunks.
            let mut done = 0;
            while done < len {
                let chunk = (len - done).min(dst + done - src);
                self.buf.copy_within(src..src + chunk, dst + done);
                done += chunk;
            }
        }
        self.o += len;
    }
}

fn decode(input: &[u8], out: &mut Sink<'_>) -> Result<(), DecodeError> {
    let mut pos = 0usize;
    let mut flags: u32 = 0;
    let mut nflags: u32 = 0;
    let mut nibble: Option<usize> = None;

    while pos < input.len() {
        if nflags == 0 {
            flags = read_u32(input, pos, "LZ77 flag word")?;
            pos += 4;
            nflags = 32;
            continue;
        }
        let zeros = flags.leading_zeros().min(nflags);
        if zeros > 0 {
            // A run of literals: copy it in one go. Old encoders pad the last
            // flag word with 0 bits, so the run may be cut by the end of input.
            let n = (zeros as usize).min(input.len() - pos);
            out.reserve(n, pos)?;
            out.literals(input, pos, n);
            pos += n;
            flags = flags.checked_shl(zeros).unwrap_or(0);
            nflags -= zeros;
            continue;
        }

        // A 1 bit: a match, or the end marker when the input is exhausted.
        flags <<= 1;
        nflags -= 1;
        if pos >= input.len() {
            break;
        }
        let at = pos;
        let m = read_u16(input, pos, "LZ77 match")?;
        pos += 2;
        let offset = usize::from(m >> 3) + 1;
        let mut len = usize::from(m & 7);
        if len == 7 {
            len = match nibble.take() {
                None => {
                    let b = read_u8(input, pos, "LZ77 match length nibble")?;
                    nibble = Some(pos);
                    pos += 1;
                    usize::from(b & 0x0F)
                }
                Some(p) => usize::from(read_u8(input, p, "LZ77 match length nibble")? >> 4),
            };
            if len == 15 {
                len = usize::from(read_u8(input, pos, "LZ77 match length byte")?);
                pos += 1;
                if len == 255 {
                    len = usize::from(read_u16(input, pos, "LZ77 match length u16")?);
                    pos += 2;
                    if len == 0 {
                        len = read_u32(input, pos, "LZ77 match length u32")? as usize;
                        pos += 4;
                    }
                    if len < 15 + 7 {
                        return Err(DecodeError::Invalid {
                            what: "LZ77 match length",
                            offset: at,
                            reason: "explicit length below 22",
                        });
                    }
                    len -= 15 + 7;
                }
                len += 15;
            }
            len += 7;
        }
        len += MIN_MATCH;

        if offset > out.produced() {
            return Err(DecodeError::Invalid {
                what: "LZ77 match",
                offset: at,
                reason: "match offset points before the start of the output",
            });
        }
        out.reserve(len, at)?;
        out.copy_match(offset, len);
    }
    Ok(())
}

/// Compresses `input` as an [MS-XCA] 2.3 Plain LZ77 stream
/// ([MS-OXCRPC] 3.1.4.1.1.2).
///
/// Greedy longest match within the 8 KiB window, nearest match on ties; the
/// last flag word is closed with a 1 bit and filled with 1s (an extra
/// all-ones word when the last one was full), as Samba does. The output may
/// be longer than the input for incompressible data (at most by 4 bytes per
/// 32 input bytes, plus 4); callers decide whether compression helped.
pub fn compress(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() + input.len() / 8 + 16);
    compress_into(input, &mut out);
    out
}

/// Like [`compress`], appending to `out` ([MS-XCA] 2.3).
pub fn compress_into(input: &[u8], out: &mut Vec<u8>) {
    out.reserve(input.len() + input.len() / 8 + 16);
    let mut enc = Encoder { out, flag_pos: 0, flags: 0, nbits: 0, nibble: None };
    enc.flag_pos = enc.out.len();
    enc.out.extend_from_slice(&[0; 4]);

    let mut finder = MatchFinder::new();
    let n = input.len();
    let mut i = 0usize;
    let mut lit_start = 0usize;
    while i < n {
        let (len, dist) = finder.find_and_insert(input, i);
        if len >= MIN_MATCH {
            enc.literals(input.get(lit_start..i).unwrap_or_default());
            enc.matched(dist, len);
            finder.insert_range(input, i + 1, i + len);
            i += len;
            lit_start = i;
        } else {
            i += 1;
        }
    }
    enc.literals(input.get(lit_start..).unwrap_or_default());
    enc.finish();
}

/// The bit and byte writer of the compressor.
struct Encoder<'o> {
    out: &'o mut Vec<u8>,
    /// Where the current flag word goes.
    flag_pos: usize,
    /// Flag bits of the current word, the oldest in the highest used bit.
    flags: u32,
    /// How many bits of the current word are used.
    nbits: u32,
    /// Position of a nibble byte whose high half is still free.
    nibble: Option<usize>,
}

impl Encoder<'_> {
    fn push_bits(&mut self, bits: u32, n: u32) {
        // n ≤ 32 - nbits, so the shift never loses a used bit.
        self.flags = self.flags.checked_shl(n).unwrap_or(0) | bits;
        self.nbits += n;
        if self.nbits == 32 {
            self.write_flags(self.flags);
            self.flag_pos = self.out.len();
            self.out.extend_from_slice(&[0; 4]);
            self.flags = 0;
            self.nbits = 0;
        }
    }

    fn write_flags(&mut self, word: u32) {
        if let Some(slot) = self.out.get_mut(self.flag_pos..self.flag_pos + 4) {
            slot.copy_from_slice(&word.to_le_bytes());
        }
    }

    fn literals(&mut self, mut lits: &[u8]) {
        while !lits.is_empty() {
            let take = lits.len().min((32 - self.nbits) as usize);
            let (now, later) = lits.split_at(take);
            self.out.extend_from_slice(now);
            self.push_bits(0, take as u32);
            lits = later;
        }
    }

    fn matched(&mut self, dist: usize, len: usize) {
        let code = ((dist - 1) << 3) as u16;
        let extra = len - MIN_MATCH;
        if extra < 7 {
            self.out.extend_from_slice(&(code | extra as u16).to_le_bytes());
        } else {
            self.out.extend_from_slice(&(code | 7).to_le_bytes());
            let more = extra - 7;
            let nib = more.min(15) as u8;
            match self.nibble.take() {
                None => {
                    self.nibble = Some(self.out.len());
                    self.out.push(nib);
                }
                Some(p) => {
                    if let Some(b) = self.out.get_mut(p) {
                        *b |= nib << 4;
                    }
                }
            }
            if more >= 15 {
                let more = more - 15;
                if more < 255 {
                    self.out.push(more as u8);
                } else {
                    self.out.push(255);
                    let total = len - MIN_MATCH;
                    if total <= usize::from(u16::MAX) {
                        self.out.extend_from_slice(&(total as u16).to_le_bytes());
                    } else {
                        self.out.extend_from_slice(&[0, 0]);
                        self.out.extend_from_slice(&(total as u32).to_le_bytes());
                    }
                }
            }
        }
        self.push_bits(1, 1);
    }

    fn finish(&mut self) {
        let word =
            if self.nbits == 0 { u32::MAX } else { (self.flags << (32 - self.nbits)) | (u32::MAX >> self.nbits) };
        self.write_flags(word);
    }
}

/// Longest match the encoder emits (the `u32` length field holds length − 3).
const MAX_MATCH: usize = u32::MAX as usize;
/// Chain candidates examined per position.
const MAX_CHAIN: usize = 16;
/// A match this long ends the search early.
const NICE_MATCH: usize = 256;
/// Inside a long match only this many leading positions (and the last few)
/// are entered into the hash chains: they cannot find anything closer.
const LONG_MATCH_INSERT: usize = 64;
const HASH_BITS: u32 = 15;
const NONE: u32 = u32::MAX;

/// Hash-chain match finder over the 8 KiB window.
struct MatchFinder {
    head: Vec<u32>,
    prev: Vec<u32>,
}

impl MatchFinder {
    fn new() -> Self {
        Self { head: vec![NONE; 1 << HASH_BITS], prev: vec![NONE; MAX_OFFSET] }
    }

    fn hash(input: &[u8], i: usize) -> Option<usize> {
        let b = input.get(i..i + 3)?;
        let v = u32::from(b[0]) | (u32::from(b[1]) << 8) | (u32::from(b[2]) << 16);
        Some((v.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize)
    }

    fn insert(&mut self, input: &[u8], i: usize) {
        if let Some(h) = Self::hash(input, i) {
            self.prev[i % MAX_OFFSET] = self.head[h];
            self.head[h] = i as u32;
        }
    }

    fn insert_range(&mut self, input: &[u8], from: usize, to: usize) {
        if to - from > 2 * LONG_MATCH_INSERT {
            for i in from..from + LONG_MATCH_INSERT {
                self.insert(input, i);
            }
            for i in to - LONG_MATCH_INSERT..to {
                self.insert(input, i);
            }
        } else {
            for i in from..to {
                self.insert(input, i);
            }
        }
    }

    /// Finds the longest (then nearest) match for position `i`, then enters
    /// `i` into the chains. Returns (length, distance); length < 3 = none.
    fn find_and_insert(&mut self, input: &[u8], i: usize) -> (usize, usize) {
        let Some(h) = Self::hash(input, i) else {
            return (0, 0);
        };
        let max = (input.len() - i).min(MAX_MATCH);
        let here = input.get(i..).unwrap_or_default();
        let mut best_len = MIN_MATCH - 1;
        let mut best_dist = 0;
        let mut cand = self.head[h];
        let mut depth = 0;
        while cand != NONE && depth < MAX_CHAIN {
            let c = cand as usize;
            let dist = i - c;
            if dist > MAX_OFFSET {
                break;
            }
            let there = input.get(c..).unwrap_or_default();
            // Cheap reject: the byte that would make this match longer.
            if there.get(best_len) == here.get(best_len) {
                let len = common_prefix(there, here, max);
                if len > best_len {
                    best_len = len;
                    best_dist = dist;
                    if len >= NICE_MATCH || len == max {
                        break;
                    }
                }
            }
            let next = self.prev[c % MAX_OFFSET];
            if next == NONE || next as usize >= c {
                break;
            }
            cand = next;
            depth += 1;
        }
        self.prev[i % MAX_OFFSET] = self.head[h];
        self.head[h] = i as u32;
        if best_len >= MIN_MATCH { (best_len, best_dist) } else { (0, 0) }
    }
}

/// Length of the common prefix of `a` and `b`, at most `max`.
fn common_prefix(a: &[u8], b: &[u8], max: usize) -> usize {
    let max = max.min(a.len()).min(b.len());
    let mut k = 0;
    while k + 8 <= max {
        let (Some(x), Some(y)) = (a.get(k..k + 8), b.get(k..k + 8)) else { break };
        let x = u64::from_le_bytes(x.try_into().unwrap_or_default());
        let y = u64::from_le_bytes(y.try_into().unwrap_or_default());
        let d = x ^ y;
        if d != 0 {
            return k + (d.trailing_zeros() / 8) as usize;
        }
        k += 8;
    }
    while k < max && a.get(k) == b.get(k) {
        k += 1;
    }
    k
}

fn read_u8(input: &[u8], pos: usize, what: &'static str) -> Result<u8, DecodeError> {
    input.get(pos).copied().ok_or(DecodeError::Incomplete { what, offset: pos, needed: 1 })
}

fn read_u16(input: &[u8], pos: usize, what: &'static str) -> Result<u16, DecodeError> {
    match input.get(pos..pos + 2) {
        Some(&[a, b]) => Ok(u16::from_le_bytes([a, b])),
        _ => Err(DecodeError::Incomplete { what, offset: pos, needed: pos + 2 - input.len() }),
    }
}

fn read_u32(input: &[u8], pos: usize, what: &'static str) -> Result<u32, DecodeError> {
    match input.get(pos..pos + 4) {
        Some(&[a, b, c, d]) => Ok(u32::from_le_bytes([a, b, c, d])),
        _ => Err(DecodeError::Incomplete { what, offset: pos, needed: pos + 4 - input.len() }),
    }
}

#[cfg(test)]
mod tests;
