//! [MS-DTYP] 2.3.4 GUID in its little-endian wire packing, as MAPI uses it
//! everywhere (property sets, replica GUIDs, provider UIDs).

use crate::codec::{Decode, Encode, Put, Reader};
use crate::error::{DecodeError, EncodeError};

/// A GUID as its 16 wire bytes (`Data1` u32 LE, `Data2` u16 LE, `Data3` u16
/// LE, `Data4` 8 bytes as is; [MS-DTYP] 2.3.4.2).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Guid(pub [u8; 16]);

impl Guid {
    /// The all-zero GUID.
    pub const NIL: Self = Self([0; 16]);

    /// Builds a GUID from the fields of its textual form
    /// `{d1-d2-d3-d4[0..2]-d4[2..8]}`.
    pub const fn from_fields(d1: u32, d2: u16, d3: u16, d4: [u8; 8]) -> Self {
        let a = d1.to_le_bytes();
        let b = d2.to_le_bytes();
        let c = d3.to_le_bytes();
        Self([a[0], a[1], a[2], a[3], b[0], b[1], c[0], c[1], d4[0], d4[1], d4[2], d4[3], d4[4], d4[5], d4[6], d4[7]])
    }

    /// Parses the textual form, with or without braces
    /// (`00020329-0000-0000-c000-000000000046`).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.strip_prefix('{').and_then(|s| s.strip_suffix('}')).unwrap_or(s);
        let parts: Vec<&str> = s.split('-').collect();
        if parts.len() != 5
            || [8, 4, 4, 4, 12] != [parts[0].len(), parts[1].len(), parts[2].len(), parts[3].len(), parts[4].len()]
        {
            return None;
        }
        let d1 = u32::from_str_radix(parts[0], 16).ok()?;
        let d2 = u16::from_str_radix(parts[1], 16).ok()?;
        let d3 = u16::from_str_radix(parts[2], 16).ok()?;
        let tail = format!("{}{}", parts[3], parts[4]);
        let mut d4 = [0u8; 8];
        for (i, b) in d4.iter_mut().enumerate() {
            *b = u8::from_str_radix(tail.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Self::from_fields(d1, d2, d3, d4))
    }

    fn fields(&self) -> (u32, u16, u16, &[u8]) {
        let b = &self.0;
        (
            u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            u16::from_le_bytes([b[4], b[5]]),
            u16::from_le_bytes([b[6], b[7]]),
            &b[8..],
        )
    }
}

impl std::fmt::Display for Guid {
    /// The registry form without braces, lower case.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (d1, d2, d3, d4) = self.fields();
        write!(f, "{d1:08x}-{d2:04x}-{d3:04x}-{:02x}{:02x}-", d4[0], d4[1])?;
        for b in &d4[2..] {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for Guid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{{{self}}}")
    }
}

impl<'a> Decode<'a> for Guid {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self(r.array("GUID")?))
    }
}

impl Encode for Guid {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_bytes(&self.0);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_wire_forms_agree() {
        // PS_PUBLIC_STRINGS {00020329-0000-0000-C000-000000000046}
        let g = Guid::parse("{00020329-0000-0000-C000-000000000046}").unwrap();
        assert_eq!(g.0, [0x29, 0x03, 0x02, 0x00, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46]);
        assert_eq!(g.to_string(), "00020329-0000-0000-c000-000000000046");
        assert_eq!(Guid::parse(&g.to_string()), Some(g));
        assert_eq!(Guid::parse("nonsense"), None);
        assert_eq!(Guid::parse("0002032-90000-0000-c000-000000000046"), None);
    }
}
