//! Entry points shared by the fuzz targets in `fuzz/` and by the corpus
//! replay test, so CI runs every saved fuzz input through exactly the code
//! the fuzzer exercised.
//!
//! Each function must never panic on any input except where it asserts an
//! invariant (a round trip) — a panic there is a bug the fuzzer found.

use crate::lz77;

/// [MS-XCA] 2.4 decompressor: the first two bytes are the expected size
/// (`SizeActual`), the rest the compressed stream. The output never exceeds
/// the expected size.
pub fn lz77_decompress(data: &[u8]) {
    let Some((size, stream)) = data.split_first_chunk::<2>() else { return };
    let expected = u16::from_le_bytes(*size) as usize;
    if let Ok(out) = lz77::decompress(stream, expected) {
        assert_eq!(out.len(), expected);
    }
}

/// [MS-XCA] 2.3 compressor: everything compressed must decompress to itself.
pub fn lz77_round_trip(data: &[u8]) {
    let packed = lz77::compress(data);
    let unpacked = lz77::decompress(&packed, data.len());
    assert_eq!(unpacked.as_deref(), Ok(data));
}
