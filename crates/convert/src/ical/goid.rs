//! PidLidGlobalObjectId / PidLidCleanGlobalObjectId ([MS-OXOCAL] 2.2.1.27,
//! 2.2.1.28) and their iCalendar UID form ([MS-OXCICAL] 2.1.3.1.1.20.26).

use mapi_wire::{DecodeError, Put, Reader};

/// ByteArrayID: the fixed first 16 bytes of every GlobalObjectId.
pub const BYTE_ARRAY_ID: [u8; 16] =
    [0x04, 0x00, 0x00, 0x00, 0x82, 0x00, 0xE0, 0x00, 0x74, 0xC5, 0xB7, 0x10, 0x1A, 0x82, 0xE0, 0x08];

/// The Data prefix of a GlobalObjectId that wraps a third-party UID.
const VCAL_UID: &[u8] = b"vCal-Uid\x01\x00\x00\x00";

/// A GlobalObjectId ([MS-OXOCAL] 2.2.1.27).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GlobalObjectId {
    /// Instance year (YH, YL; 0 in the clean form and the series).
    pub year: u16,
    /// Instance month.
    pub month: u8,
    /// Instance day.
    pub day: u8,
    /// CreationTime (FILETIME).
    pub creation_time: u64,
    /// X: 8 reserved bytes.
    pub reserved: [u8; 8],
    /// Data.
    pub data: Vec<u8>,
}

impl GlobalObjectId {
    /// Decodes the binary property.
    pub fn decode(blob: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(blob);
        let id = r.array::<16>("ByteArrayID")?;
        if id != BYTE_ARRAY_ID {
            return Err(DecodeError::Invalid { what: "ByteArrayID", offset: 0, reason: "not the GlobalObjectId GUID" });
        }
        let year = u16::from_be_bytes([r.u8("YH")?, r.u8("YL")?]);
        let month = r.u8("M")?;
        let day = r.u8("D")?;
        let creation_time = r.u64("CreationTime")?;
        let reserved = r.array::<8>("X")?;
        let size = r.u32("Size")? as usize;
        let data = r.bytes(size, "Data")?.to_vec();
        Ok(Self { year, month, day, creation_time, reserved, data })
    }

    /// Encodes the binary property.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(40 + self.data.len());
        out.put_bytes(&BYTE_ARRAY_ID);
        out.put_bytes(&self.year.to_be_bytes());
        out.put_u8(self.month);
        out.put_u8(self.day);
        out.put_u64(self.creation_time);
        out.put_bytes(&self.reserved);
        out.put_u32(self.data.len() as u32);
        out.put_bytes(&self.data);
        out
    }

    /// The id of a UID ([MS-OXCICAL] 2.1.3.1.1.20.26): a hex-encoded
    /// GlobalObjectId as such (instance date cleared), anything else wrapped
    /// as `vCal-Uid` data with a terminating NUL.
    pub fn from_uid(uid: &str) -> Self {
        if uid.len() >= 80
            && uid.len().is_multiple_of(2)
            && let Some(bytes) = hex_decode(uid)
            && let Ok(mut id) = Self::decode(&bytes)
            && 40 + id.data.len() == bytes.len()
        {
            (id.year, id.month, id.day) = (0, 0, 0);
            return id;
        }
        let mut data = Vec::with_capacity(VCAL_UID.len() + uid.len() + 1);
        data.extend_from_slice(VCAL_UID);
        data.extend_from_slice(uid.as_bytes());
        data.push(0);
        Self { data, ..Self::default() }
    }

    /// The UID of this id: the wrapped third-party UID, else the hex of the
    /// clean id (uppercase).
    pub fn uid(&self) -> String {
        if let Some(rest) = self.data.strip_prefix(VCAL_UID) {
            let rest = rest.strip_suffix(&[0]).unwrap_or(rest);
            return String::from_utf8_lossy(rest).into_owned();
        }
        let clean = Self { year: 0, month: 0, day: 0, ..self.clone() };
        clean.encode().iter().map(|b| format!("{b:02X}")).collect()
    }

    /// The same id for one instance (the original start date of the
    /// occurrence), as exception objects carry it.
    pub fn for_instance(&self, year: u16, month: u8, day: u8) -> Self {
        Self { year, month, day, ..self.clone() }
    }

    /// The clean form (instance date zero).
    pub fn clean(&self) -> Self {
        self.for_instance(0, 0, 0)
    }
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    b.chunks(2)
        .map(|p| {
            let h = |c: u8| (c as char).to_digit(16);
            Some((h(*p.first()?)? * 16 + h(*p.get(1)?)?) as u8)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn third_party_uid_round_trips() {
        let id = GlobalObjectId::from_uid("oracle-ical-09-overrides@example.test");
        assert!(id.data.starts_with(b"vCal-Uid\x01\x00\x00\x00oracle"));
        let back = GlobalObjectId::decode(&id.encode()).map(|i| i.uid());
        assert_eq!(back.as_deref(), Ok("oracle-ical-09-overrides@example.test"));
    }

    #[test]
    fn hex_uid_is_a_global_object_id_only_when_fully_hex() {
        // ical-13: hex GOID with a non-hex tail stays a third-party UID, whole.
        let uid = "040000008200E00074C5B7101A82E00800000000B0C5D1A2F36CDA01000000000000000010000000ORACLE13";
        assert_eq!(GlobalObjectId::from_uid(uid).uid(), uid);
        let outlook = "040000008200E00074C5B7101A82E00800000000B0C5D1A2F36CDA0100000000000000001000000012345678ABCDEF001122334455667788";
        let id = GlobalObjectId::from_uid(outlook);
        assert_eq!(id.data.len(), 16);
        assert_eq!(id.uid(), outlook);
    }
}
