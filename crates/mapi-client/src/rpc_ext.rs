//! Adapter over [MS-OXCRPC] 2.2.2.1 RPC_HEADER_EXT until `mapi_wire::rpc_ext` lands:
//! builds the Execute `rgbIn` (one header, `Last`, optionally `Compressed`) and splits a
//! response `rgbOut` chain into plain payloads (un-XOR, then LZ77-decompress,
//! [MS-OXCRPC] 3.1.4.1.1.1.1). Delete in favour of the codec module once merged.

use mapi_wire::lz77;

use crate::{Error, Result};

const FLAG_COMPRESSED: u16 = 0x0001;
const FLAG_XOR_MAGIC: u16 = 0x0002;
const FLAG_LAST: u16 = 0x0004;
/// Largest payload of one header ([MS-OXCRPC] 3.1.4.1.1: 32 KB).
pub(crate) const MAX_PAYLOAD: usize = 0x8000;
/// Most headers accepted in one chained response (gromox: up to 96).
const MAX_CHAIN: usize = 256;

/// Wraps a ROP input buffer in one RPC_HEADER_EXT with `Last`; compresses it when
/// `compress` and LZ77 makes it smaller.
pub(crate) fn wrap_request(payload: &[u8], compress: bool) -> Result<Vec<u8>> {
    if payload.len() > MAX_PAYLOAD {
        return Err(Error::Config(format!(
            "ROP buffer of {} bytes exceeds the 32 KB RPC_HEADER_EXT limit",
            payload.len()
        )));
    }
    let actual = u16::try_from(payload.len()).map_err(|_| Error::Protocol("size".into()))?;
    let compressed = if compress { Some(lz77::compress(payload)).filter(|c| c.len() < payload.len()) } else { None };
    let (flags, body) = match &compressed {
        Some(c) => (FLAG_LAST | FLAG_COMPRESSED, c.as_slice()),
        None => (FLAG_LAST, payload),
    };
    let size = u16::try_from(body.len()).map_err(|_| Error::Protocol("size".into()))?;
    let mut out = Vec::with_capacity(8 + body.len());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&flags.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&actual.to_le_bytes());
    out.extend_from_slice(body);
    Ok(out)
}

/// Splits a response `rgbOut` into the plain payloads of its headers, in order; stops
/// after the header with `Last`.
pub(crate) fn unwrap_response(mut buf: &[u8]) -> Result<Vec<Vec<u8>>> {
    let bad = |what: &str| Error::Protocol(format!("RPC_HEADER_EXT: {what}"));
    let mut out = Vec::new();
    loop {
        if out.len() >= MAX_CHAIN {
            return Err(bad("too many chained headers"));
        }
        let (version, flags, size, actual, rest) = match buf {
            [v0, v1, f0, f1, s0, s1, a0, a1, rest @ ..] => (
                u16::from_le_bytes([*v0, *v1]),
                u16::from_le_bytes([*f0, *f1]),
                usize::from(u16::from_le_bytes([*s0, *s1])),
                usize::from(u16::from_le_bytes([*a0, *a1])),
                rest,
            ),
            [] if !out.is_empty() => return Ok(out),
            _ => return Err(bad("truncated header")),
        };
        if version != 0 {
            return Err(bad("version"));
        }
        let body = rest.get(..size).ok_or_else(|| bad("size beyond buffer"))?;
        let mut plain = body.to_vec();
        if flags & FLAG_XOR_MAGIC != 0 {
            plain.iter_mut().for_each(|b| *b ^= 0xA5);
        }
        if flags & FLAG_COMPRESSED != 0 {
            plain = lz77::decompress(&plain, actual)?;
        } else if actual != size {
            return Err(bad("SizeActual differs from Size without compression"));
        }
        if plain.len() != actual {
            return Err(bad("decompressed size"));
        }
        out.push(plain);
        buf = rest.get(size..).unwrap_or_default();
        if flags & FLAG_LAST != 0 {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trip_plain_compressed_and_xor() {
        let payload: Vec<u8> = (0..3000u32).map(|i| (i % 7) as u8).collect();
        let plain = wrap_request(&payload, false).unwrap();
        assert_eq!(&plain[..4], &[0, 0, 4, 0]);
        assert_eq!(unwrap_response(&plain).unwrap(), vec![payload.clone()]);
        let packed = wrap_request(&payload, true).unwrap();
        assert_eq!(&packed[2..4], &[5, 0]);
        assert!(packed.len() < plain.len());
        assert_eq!(unwrap_response(&packed).unwrap(), vec![payload.clone()]);
        let mut xored = plain.clone();
        xored[2] |= 2;
        xored[8..].iter_mut().for_each(|b| *b ^= 0xA5);
        assert_eq!(unwrap_response(&xored).unwrap(), vec![payload]);
    }

    #[test]
    fn hostile_sizes_fail_cleanly() {
        assert!(unwrap_response(&[0, 0, 4, 0, 9, 0, 9, 0, 1]).is_err());
        assert!(unwrap_response(&[0, 0, 5, 0, 1, 0, 0xff, 0xff, 0]).is_err());
        assert!(unwrap_response(&[]).is_err());
        assert!(unwrap_response(&[0, 0, 0, 0, 0, 0, 0, 0]).is_ok());
    }
}
