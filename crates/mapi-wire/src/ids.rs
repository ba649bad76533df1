//! [MS-OXCDATA] 2.2.1 Object identifiers (Folder ID, Message ID, GID,
//! LongTermID) and [MS-OXCFXICS] 2.2.2 change identifiers (CN, XID,
//! PredecessorChangeList).
//!
//! An 8-byte object id is `ReplicaId u16` (little-endian) followed by a
//! 6-byte **big-endian** global counter ([MS-OXCDATA] 2.2.1.1). Read as a
//! little-endian `u64` the replica id is the low 16 bits and the counter sits
//! byte-swapped in the high 48 bits, so never do arithmetic on the raw `u64`:
//! use [`FolderId::replica_id`] and [`FolderId::global_counter`].

use crate::codec::{Decode, Encode, Put, Reader};
use crate::error::{DecodeError, EncodeError};
use crate::guid::Guid;

/// A 6-byte global counter ([MS-OXCDATA] 2.2.1.1 GlobalCounter), kept in its
/// big-endian wire order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct GlobalCounter(pub [u8; 6]);

impl GlobalCounter {
    /// The largest counter value (2^48 − 1).
    pub const MAX: u64 = 0xFFFF_FFFF_FFFF;

    /// Builds a counter from its numeric value; only the low 48 bits are used.
    pub const fn from_value(value: u64) -> Self {
        let b = value.to_be_bytes();
        Self([b[2], b[3], b[4], b[5], b[6], b[7]])
    }

    /// The numeric value of the counter.
    pub const fn value(self) -> u64 {
        let b = self.0;
        u64::from_be_bytes([0, 0, b[0], b[1], b[2], b[3], b[4], b[5]])
    }
}

impl std::fmt::Debug for GlobalCounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GlobalCounter({:#x})", self.value())
    }
}

impl<'a> Decode<'a> for GlobalCounter {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self(r.array("GlobalCounter")?))
    }
}

impl Encode for GlobalCounter {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_bytes(&self.0);
        Ok(())
    }
}

/// Declares an 8-byte `ReplicaId + GlobalCounter` id type.
macro_rules! object_id {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub u64);

        impl $name {
            /// Builds the id from a replica id and a global counter value
            /// (only the low 48 bits of `counter` are used).
            pub const fn new(replid: u16, counter: u64) -> Self {
                Self::from_parts(replid, GlobalCounter::from_value(counter))
            }

            /// Builds the id from a replica id and a wire-order counter.
            pub const fn from_parts(replid: u16, counter: GlobalCounter) -> Self {
                let r = replid.to_le_bytes();
                let c = counter.0;
                Self(u64::from_le_bytes([r[0], r[1], c[0], c[1], c[2], c[3], c[4], c[5]]))
            }

            /// The replica id (REPLID), the first two wire bytes.
            pub const fn replica_id(self) -> u16 {
                self.0 as u16
            }

            /// The global counter, the last six wire bytes.
            pub const fn global_counter(self) -> GlobalCounter {
                let b = self.0.to_le_bytes();
                GlobalCounter([b[2], b[3], b[4], b[5], b[6], b[7]])
            }

            /// The 8 wire bytes.
            pub const fn to_wire(self) -> [u8; 8] {
                self.0.to_le_bytes()
            }

            /// The id for 8 wire bytes.
            pub const fn from_wire(bytes: [u8; 8]) -> Self {
                Self(u64::from_le_bytes(bytes))
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(
                    f,
                    concat!(stringify!($name), "({}:{:#x})"),
                    self.replica_id(),
                    self.global_counter().value()
                )
            }
        }

        #[cfg(feature = "serde")]
        impl ::serde::Serialize for $name {
            /// `0x0d00000000000001 (replid 1, gc 0xd)`, as the capture
            /// annotations print ids.
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&format_args!(
                    "{:#018x} (replid {}, gc {:#x})",
                    self.0,
                    self.replica_id(),
                    self.global_counter().value()
                ))
            }
        }

        impl<'a> Decode<'a> for $name {
            fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
                Ok(Self(r.u64($what)?))
            }
        }

        impl Encode for $name {
            fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
                w.put_u64(self.0);
                Ok(())
            }
        }
    };
}

object_id! {
    /// A Folder ID (FID), [MS-OXCDATA] 2.2.1.1: replica id and global counter.
    /// Valid only within one logon session ([MS-OXCSTOR] 3.1.4.2).
    FolderId, "FolderId"
}

object_id! {
    /// A Message ID (MID), [MS-OXCDATA] 2.2.1.2: same layout as a Folder ID.
    MessageId, "MessageId"
}

object_id! {
    /// A change number (CN), [MS-OXCFXICS] 2.2.2.1: same layout as a Folder ID.
    ChangeNumber, "ChangeNumber"
}

/// A Global Identifier (GID), [MS-OXCDATA] 2.2.1.3: a 22-byte
/// `DatabaseReplicationGuid + GlobalCounter`. PidTagSourceKey values are GIDs.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Gid {
    /// The replica GUID (REPLGUID) the counter belongs to.
    pub guid: Guid,
    /// The counter, big-endian on the wire.
    pub counter: GlobalCounter,
}

impl Gid {
    /// The wire size.
    pub const SIZE: usize = 22;

    /// The long-term id with the same GUID and counter (and a zero pad).
    pub const fn to_long_term_id(self) -> LongTermId {
        LongTermId { guid: self.guid, counter: self.counter, pad: 0 }
    }
}

impl<'a> Decode<'a> for Gid {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self { guid: Guid::decode(r)?, counter: GlobalCounter::decode(r)? })
    }
}

impl Encode for Gid {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_bytes(&self.guid.0);
        w.put_bytes(&self.counter.0);
        Ok(())
    }
}

/// A LongTermID, [MS-OXCDATA] 2.2.1.3.1: 24 bytes `DatabaseGuid,
/// GlobalCounter, Pad u16` (RopLongTermIdFromId / RopIdFromLongTermId).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LongTermId {
    /// The replica GUID.
    pub guid: Guid,
    /// The counter, big-endian on the wire.
    pub counter: GlobalCounter,
    /// Padding; 0 when written by a conforming peer (kept for round trips).
    pub pad: u16,
}

impl LongTermId {
    /// The wire size.
    pub const SIZE: usize = 24;

    /// The GID part (GUID and counter).
    pub const fn gid(self) -> Gid {
        Gid { guid: self.guid, counter: self.counter }
    }
}

impl<'a> Decode<'a> for LongTermId {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self { guid: Guid::decode(r)?, counter: GlobalCounter::decode(r)?, pad: r.u16("LongTermId.Pad")? })
    }
}

impl Encode for LongTermId {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        w.put_bytes(&self.guid.0);
        w.put_bytes(&self.counter.0);
        w.put_u16(self.pad);
        Ok(())
    }
}

/// An XID, [MS-OXCFXICS] 2.2.2.2: `NamespaceGuid` then a 1–8 byte
/// `LocalId` (6 bytes in practice). PidTagChangeKey values are XIDs.
///
/// The XID carries no length of its own: decode it from a sized context with
/// [`Xid::decode_sized`] (a binary property's length, or a [`SizedXid`]).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Xid {
    /// The namespace (usually a replica GUID).
    pub guid: Guid,
    /// The local id, 1–8 bytes, compared as a big-endian number.
    pub local_id: Vec<u8>,
}

impl Xid {
    /// Smallest wire size (GUID + 1 byte).
    pub const MIN_SIZE: usize = 17;
    /// Largest wire size (GUID + 8 bytes).
    pub const MAX_SIZE: usize = 24;

    /// The usual 22-byte XID made of a GUID and a 6-byte global counter
    /// (a change key).
    pub fn from_counter(guid: Guid, counter: GlobalCounter) -> Self {
        Self { guid, local_id: counter.0.to_vec() }
    }

    /// The wire size of this XID.
    pub fn size(&self) -> usize {
        16 + self.local_id.len()
    }

    /// Reads an XID of exactly `size` bytes (17..=24).
    pub fn decode_sized(r: &mut Reader<'_>, size: usize) -> Result<Self, DecodeError> {
        if !(Self::MIN_SIZE..=Self::MAX_SIZE).contains(&size) {
            return Err(DecodeError::Invalid {
                what: "XID",
                offset: r.offset(),
                reason: "an XID is 17 to 24 bytes (GUID + 1..8-byte LocalId)",
            });
        }
        let guid = Guid::decode(r)?;
        let local_id = r.bytes(size - 16, "XID.LocalId")?.to_vec();
        Ok(Self { guid, local_id })
    }

    /// Decodes an XID that fills `bytes` (e.g. a PidTagChangeKey value).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        Self::decode_sized(&mut r, bytes.len())
    }

    /// Orders two local ids as big-endian numbers (leading zeros ignored).
    fn cmp_local(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
        fn strip(x: &[u8]) -> &[u8] {
            let n = x.iter().take_while(|&&b| b == 0).count();
            x.get(n..).unwrap_or_default()
        }
        let (a, b) = (strip(a), strip(b));
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    }
}

impl Encode for Xid {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        if self.local_id.is_empty() || self.local_id.len() > 8 {
            return Err(EncodeError::NotRepresentable { what: "XID.LocalId", reason: "must be 1 to 8 bytes" });
        }
        w.put_bytes(&self.guid.0);
        w.put_bytes(&self.local_id);
        Ok(())
    }
}

/// A SizedXid, [MS-OXCFXICS] 2.2.2.3: `XidSize u8` followed by an XID of
/// that many bytes.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SizedXid(pub Xid);

impl<'a> Decode<'a> for SizedXid {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let size = r.u8("SizedXid.XidSize")?;
        Ok(Self(Xid::decode_sized(r, size.into())?))
    }
}

impl Encode for SizedXid {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        // Xid::encode checks the size, so the cast cannot truncate.
        let size = self.0.size();
        if size > Xid::MAX_SIZE {
            return Err(EncodeError::NotRepresentable { what: "XID.LocalId", reason: "must be 1 to 8 bytes" });
        }
        w.put_u8(size as u8);
        self.0.encode(w)
    }
}

/// A PredecessorChangeList, [MS-OXCFXICS] 2.2.2.3: SizedXids concatenated
/// with no count or padding, one per namespace GUID, sorted by GUID (byte
/// order). PidTagPredecessorChangeList values have this form.
///
/// [`Decode`] reads SizedXids until the reader is empty (the list is always
/// the whole of a binary value); it keeps the order it finds. Build lists with
/// [`PredecessorChangeList::insert`], which keeps the sort order and one entry
/// per GUID.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PredecessorChangeList(pub Vec<Xid>);

impl PredecessorChangeList {
    /// An empty list.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Adds a change: the entry for `xid.guid` becomes the greater of its
    /// local id and `xid`'s ([MS-OXCFXICS] 3.1.5.6: keep the highest change
    /// per namespace), inserted in GUID order.
    pub fn insert(&mut self, xid: Xid) {
        match self.0.binary_search_by(|e| e.guid.cmp(&xid.guid)) {
            Ok(i) => {
                if let Some(e) = self.0.get_mut(i)
                    && Xid::cmp_local(&xid.local_id, &e.local_id).is_gt()
                {
                    *e = xid;
                }
            }
            Err(i) => self.0.insert(i, xid),
        }
    }

    /// Merges every entry of `other` into this list (see [`Self::insert`]).
    pub fn merge(&mut self, other: &Self) {
        for x in &other.0 {
            self.insert(x.clone());
        }
    }

    /// The entry for a namespace GUID.
    pub fn find(&self, guid: &Guid) -> Option<&Xid> {
        self.0.iter().find(|e| e.guid == *guid)
    }

    /// True when this list contains every change `other` does (each of its
    /// XIDs has an entry here with an equal or greater local id): `self` is
    /// the same as or newer than `other` ([MS-OXCFXICS] 3.1.5.6 conflict
    /// detection).
    pub fn includes(&self, other: &Self) -> bool {
        other.0.iter().all(|o| self.find(&o.guid).is_some_and(|s| Xid::cmp_local(&s.local_id, &o.local_id).is_ge()))
    }

    /// True when the entries are in strictly increasing GUID order.
    pub fn is_sorted(&self) -> bool {
        self.0.windows(2).all(|w| matches!(w, [a, b] if a.guid < b.guid))
    }
}

impl<'a> Decode<'a> for PredecessorChangeList {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let mut out = Vec::new();
        while !r.is_empty() {
            out.push(SizedXid::decode(r)?.0);
        }
        Ok(Self(out))
    }
}

impl Encode for PredecessorChangeList {
    fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        for x in &self.0 {
            if x.local_id.is_empty() || x.local_id.len() > 8 {
                return Err(EncodeError::NotRepresentable { what: "XID.LocalId", reason: "must be 1 to 8 bytes" });
            }
            w.put_u8(x.size() as u8);
            x.encode(w)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
