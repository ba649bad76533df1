//! [MS-OXCFXICS] 2.2.2.5–2.2.2.6 GLOBSET and 3.1.5.4.3 its command encoding.

use crate::codec::{Put, Reader};
use crate::error::{DecodeError, EncodeError};

/// The largest global counter: GLOBCNTs are 48-bit ([MS-OXCFXICS] 2.2.2.5).
pub const MAX_GLOBCNT: u64 = 0xFFFF_FFFF_FFFF;

/// An inclusive range of global counters ([MS-OXCFXICS] 2.2.2.6 GLOBSET).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GlobRange {
    /// The first counter in the range.
    pub low: u64,
    /// The last counter in the range (inclusive).
    pub high: u64,
}

impl GlobRange {
    /// The range `low..=high`.
    pub const fn new(low: u64, high: u64) -> Self {
        Self { low, high }
    }

    /// The one-counter range `v..=v`.
    pub const fn single(v: u64) -> Self {
        Self { low: v, high: v }
    }
}

impl std::fmt::Debug for GlobRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.low == self.high { write!(f, "{:#x}", self.low) } else { write!(f, "{:#x}-{:#x}", self.low, self.high) }
    }
}

/// A set of 48-bit global counters ([MS-OXCFXICS] 2.2.2.6 GLOBSET), kept as
/// sorted, disjoint, non-adjacent inclusive ranges.
///
/// The wire form is a program for a byte stack ([MS-OXCFXICS] 3.1.5.4.3):
/// Push 0x01–0x06, Pop 0x50, Bitmask 0x42, Range 0x52, End 0x00. GLOBCNTs are
/// big-endian, so pushed bytes are the high-order bytes shared by the
/// following values.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct GlobSet {
    ranges: Vec<GlobRange>,
}

impl std::fmt::Debug for GlobSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(&self.ranges).finish()
    }
}

/// GLOBSET command bytes ([MS-OXCFXICS] 3.1.5.4.3.1).
mod cmd {
    pub(super) const END: u8 = 0x00;
    pub(super) const BITMASK: u8 = 0x42;
    pub(super) const POP: u8 = 0x50;
    pub(super) const RANGE: u8 = 0x52;
}

impl GlobSet {
    /// The empty set.
    pub const fn new() -> Self {
        Self { ranges: Vec::new() }
    }

    /// Builds a set from ranges in any order, merging overlaps and
    /// neighbours; ranges with `low > high` are ignored.
    pub fn from_ranges(ranges: impl IntoIterator<Item = GlobRange>) -> Self {
        let mut ranges: Vec<GlobRange> = ranges.into_iter().filter(|r| r.low <= r.high).collect();
        ranges.sort_unstable();
        let mut out: Vec<GlobRange> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match out.last_mut() {
                Some(last) if r.low <= last.high.saturating_add(1) => last.high = last.high.max(r.high),
                _ => out.push(r),
            }
        }
        Self { ranges: out }
    }

    /// The ranges, sorted, disjoint and never adjacent.
    pub fn ranges(&self) -> &[GlobRange] {
        &self.ranges
    }

    /// True when the set holds no counter.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The number of counters in the set.
    pub fn len(&self) -> u64 {
        self.ranges.iter().map(|r| r.high - r.low + 1).fold(0u64, u64::saturating_add)
    }

    /// The largest counter in the set.
    pub fn max(&self) -> Option<u64> {
        self.ranges.last().map(|r| r.high)
    }

    /// True when `v` is in the set.
    pub fn contains(&self, v: u64) -> bool {
        let i = self.ranges.partition_point(|r| r.high < v);
        self.ranges.get(i).is_some_and(|r| r.low <= v)
    }

    /// Adds one counter.
    pub fn insert(&mut self, v: u64) {
        self.insert_range(v, v);
    }

    /// Adds every counter in `low..=high` (nothing when `low > high`).
    pub fn insert_range(&mut self, low: u64, high: u64) {
        if low > high {
            return;
        }
        // First range that could touch or follow `low`.
        let start = self.ranges.partition_point(|r| r.high.saturating_add(1) < low);
        // First range entirely after `high` (not even adjacent).
        let end = self.ranges.partition_point(|r| r.low <= high.saturating_add(1));
        if start >= end {
            self.ranges.insert(start, GlobRange::new(low, high));
            return;
        }
        let merged = GlobRange::new(
            low.min(self.ranges.get(start).map_or(low, |r| r.low)),
            high.max(self.ranges.get(end - 1).map_or(high, |r| r.high)),
        );
        self.ranges.splice(start..end, [merged]);
    }

    /// Removes one counter.
    pub fn remove(&mut self, v: u64) {
        self.remove_range(v, v);
    }

    /// Removes every counter in `low..=high`.
    pub fn remove_range(&mut self, low: u64, high: u64) {
        if low > high {
            return;
        }
        let mut out = Vec::with_capacity(self.ranges.len() + 1);
        for r in &self.ranges {
            if r.high < low || r.low > high {
                out.push(*r);
                continue;
            }
            if r.low < low {
                out.push(GlobRange::new(r.low, low - 1));
            }
            if r.high > high {
                out.push(GlobRange::new(high + 1, r.high));
            }
        }
        self.ranges = out;
    }

    /// Adds every counter of `other`.
    pub fn extend(&mut self, other: &Self) {
        *self = self.union(other);
    }

    /// The union of two sets.
    pub fn union(&self, other: &Self) -> Self {
        Self::from_ranges(self.ranges.iter().chain(other.ranges.iter()).copied())
    }

    /// Decodes one GLOBSET, up to and including its End command
    /// ([MS-OXCFXICS] 3.1.5.4.3.1).
    ///
    /// Every command form is accepted. Like gromox, a Pop on an empty stack
    /// and an End with bytes still on the stack are tolerated; a stack of
    /// more than 6 bytes, a Bitmask without exactly 5 stacked bytes, an
    /// inverted Range and unknown commands are refused.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        // The common byte stack: at most 6 bytes; `lens` holds each push's size.
        let mut stack = [0u8; 6];
        let mut depth = 0usize;
        let mut lens: Vec<usize> = Vec::with_capacity(6);
        let mut ranges = Vec::new();
        loop {
            let at = r.offset();
            let command = r.u8("GLOBSET command")?;
            match command {
                cmd::END => break,
                n @ 0x01..=0x06 => {
                    let n = usize::from(n);
                    if depth + n > 6 {
                        return Err(DecodeError::Invalid {
                            what: "GLOBSET push",
                            offset: at,
                            reason: "common byte stack exceeds 6 bytes",
                        });
                    }
                    let bytes = r.bytes(n, "GLOBSET push bytes")?;
                    stack[depth..depth + n].copy_from_slice(bytes);
                    if depth + n == 6 {
                        // A full stack is a singleton and pops itself
                        // ([MS-OXCFXICS] 3.1.5.4.3.1.1).
                        ranges.push(GlobRange::single(be48(&stack)));
                    } else {
                        depth += n;
                        lens.push(n);
                    }
                }
                cmd::POP => {
                    if let Some(n) = lens.pop() {
                        depth -= n;
                    }
                }
                cmd::BITMASK => {
                    if depth != 5 {
                        return Err(DecodeError::Invalid {
                            what: "GLOBSET bitmask",
                            offset: at,
                            reason: "needs exactly 5 bytes on the common byte stack",
                        });
                    }
                    let start = r.u8("GLOBSET bitmask start")?;
                    let mask = r.u8("GLOBSET bitmask")?;
                    stack[5] = start;
                    let base = be48(&stack);
                    ranges.push(GlobRange::single(base));
                    for i in 0..8u64 {
                        if mask & (1 << i) != 0 {
                            let v = base + i + 1;
                            if v > MAX_GLOBCNT {
                                return Err(DecodeError::Invalid {
                                    what: "GLOBSET bitmask",
                                    offset: at,
                                    reason: "value beyond the 48-bit counter space",
                                });
                            }
                            ranges.push(GlobRange::single(v));
                        }
                    }
                }
                cmd::RANGE => {
                    let n = 6 - depth;
                    let low = r.bytes(n, "GLOBSET range low")?;
                    stack[depth..].copy_from_slice(low);
                    let low = be48(&stack);
                    let high = r.bytes(n, "GLOBSET range high")?;
                    stack[depth..].copy_from_slice(high);
                    let high = be48(&stack);
                    if low > high {
                        return Err(DecodeError::Invalid {
                            what: "GLOBSET range",
                            offset: at,
                            reason: "low value above high value",
                        });
                    }
                    ranges.push(GlobRange::new(low, high));
                }
                other => {
                    return Err(DecodeError::Unsupported { what: "GLOBSET command", offset: at, value: other.into() });
                }
            }
        }
        Ok(Self::from_ranges(ranges))
    }

    /// Encodes the set the way gromox does (`lib/mapi/idset.cpp`), which is
    /// compact and canonical: one range as `52 <low 6> <high 6> 00`, one
    /// counter as `06 <6 bytes> 00`; several ranges push the high-order bytes
    /// shared by the first and last counter, then per range either a push of
    /// the remaining bytes (a singleton) or [push of further shared bytes]
    /// Range [Pop], then Pop and End ([MS-OXCFXICS] 3.1.5.4.3.1).
    pub fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        if self.max().is_some_and(|m| m > MAX_GLOBCNT) {
            return Err(EncodeError::NotRepresentable { what: "GLOBSET", reason: "counter above 48 bits" });
        }
        match self.ranges.as_slice() {
            [] => {}
            [only] => {
                let (lo, hi) = (to_be48(only.low), to_be48(only.high));
                if only.low == only.high {
                    w.put_u8(6);
                    w.put_bytes(&lo);
                } else {
                    w.put_u8(cmd::RANGE);
                    w.put_bytes(&lo);
                    w.put_bytes(&hi);
                }
            }
            [first, .., last] => {
                let (a, b) = (to_be48(first.low), to_be48(last.high));
                let shared = common_prefix(&a, &b, 0);
                if shared > 0 {
                    push(w, &a[..shared]);
                }
                for r in &self.ranges {
                    let (lo, hi) = (to_be48(r.low), to_be48(r.high));
                    if r.low == r.high {
                        push(w, &lo[shared..]);
                        continue;
                    }
                    let more = common_prefix(&lo, &hi, shared);
                    if more > shared {
                        push(w, &lo[shared..more]);
                    }
                    w.put_u8(cmd::RANGE);
                    w.put_bytes(&lo[more..]);
                    w.put_bytes(&hi[more..]);
                    if more > shared {
                        w.put_u8(cmd::POP);
                    }
                }
                if shared > 0 {
                    w.put_u8(cmd::POP);
                }
            }
        }
        w.put_u8(cmd::END);
        Ok(())
    }
}

fn push(w: &mut Vec<u8>, bytes: &[u8]) {
    // `bytes` is a slice of a 6-byte array, so its length fits the command.
    w.put_u8(bytes.len() as u8);
    w.put_bytes(bytes);
}

fn common_prefix(a: &[u8; 6], b: &[u8; 6], from: usize) -> usize {
    let mut i = from;
    while i < 6 && a[i] == b[i] {
        i += 1;
    }
    i
}

fn be48(b: &[u8; 6]) -> u64 {
    u64::from_be_bytes([0, 0, b[0], b[1], b[2], b[3], b[4], b[5]])
}

fn to_be48(v: u64) -> [u8; 6] {
    let b = v.to_be_bytes();
    [b[2], b[3], b[4], b[5], b[6], b[7]]
}

/// The 6-byte big-endian GLOBCNT of a counter ([MS-OXCFXICS] 2.2.2.5).
pub fn globcnt_bytes(v: u64) -> [u8; 6] {
    to_be48(v)
}

/// The counter of a 6-byte big-endian GLOBCNT ([MS-OXCFXICS] 2.2.2.5).
pub fn globcnt_value(b: [u8; 6]) -> u64 {
    be48(&b)
}
