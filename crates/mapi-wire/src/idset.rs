//! [MS-OXCFXICS] 2.2.2.4–2.2.2.6 IDSET and GLOBSET, and 3.1.5.4 their
//! serialization: the sets of message, folder and change ids an ICS client
//! keeps as synchronization state.
//!
//! An IDSET is a list of (replica key, [`GlobSet`]) pairs with no count: the
//! pairs run to the end of the property value. The replica key is a 2-byte
//! REPLID (deletion and read-state lists) or a 16-byte REPLGUID (the state
//! properties MetaTagIdsetGiven, MetaTagCnsetSeen, …); which form a blob uses
//! follows from its property ([MS-OXCFXICS] 3.1.5.4.2), see [`ReplForm`].

mod globset;

pub use globset::{GlobRange, GlobSet, MAX_GLOBCNT, globcnt_bytes, globcnt_value};

use crate::codec::{Put, Reader};
use crate::error::{DecodeError, EncodeError};
use crate::guid::Guid;

/// Which replica key an IDSET blob uses ([MS-OXCFXICS] 2.2.2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ReplForm {
    /// REPLID-based: `REPLID u16 + GLOBSET` pairs (session-local ids).
    ReplId,
    /// REPLGUID-based: `REPLGUID (16 bytes) + GLOBSET` pairs (persistable).
    ReplGuid,
}

/// The replica an IDSET entry belongs to ([MS-OXCFXICS] 2.2.2.4).
///
/// Ordered as the wire wants them: REPLIDs ascending, REPLGUIDs by byte
/// comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ReplKey {
    /// A 2-byte replica id (the low 16 bits of a FID/MID/CN).
    ReplId(u16),
    /// A replica GUID.
    ReplGuid(Guid),
}

impl ReplKey {
    /// The wire form of this key.
    pub fn form(&self) -> ReplForm {
        match self {
            Self::ReplId(_) => ReplForm::ReplId,
            Self::ReplGuid(_) => ReplForm::ReplGuid,
        }
    }
}

/// An IDSET ([MS-OXCFXICS] 2.2.2.4): per replica, a set of global counters.
///
/// Kept normalized: entries sorted by key, one entry per key, no empty
/// GLOBSETs — so two sets holding the same ids compare equal.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IdSet {
    /// The (replica, counters) pairs, sorted by replica key.
    pub entries: Vec<(ReplKey, GlobSet)>,
}

/// Splits a FID/MID/CN (as the little-endian u64 the ROPs carry) into its
/// REPLID and 48-bit global counter ([MS-OXCDATA] 2.2.1.1: REPLID u16 LE,
/// then the GLOBCNT as 6 big-endian bytes).
pub fn split_id(id: u64) -> (u16, u64) {
    let b = id.to_le_bytes();
    (u16::from_le_bytes([b[0], b[1]]), globcnt_value([b[2], b[3], b[4], b[5], b[6], b[7]]))
}

/// Joins a REPLID and a global counter into the u64 of a FID/MID/CN
/// ([MS-OXCDATA] 2.2.1.1); counter bits above 48 are dropped.
pub fn make_id(replid: u16, counter: u64) -> u64 {
    let r = replid.to_le_bytes();
    let c = globcnt_bytes(counter & MAX_GLOBCNT);
    u64::from_le_bytes([r[0], r[1], c[0], c[1], c[2], c[3], c[4], c[5]])
}

impl IdSet {
    /// The empty set.
    pub const fn new() -> Self {
        Self { entries: Vec::new() }
    }

    /// Builds a normalized set from entries in any order (duplicate keys are
    /// merged, empty GLOBSETs dropped).
    pub fn from_entries(entries: impl IntoIterator<Item = (ReplKey, GlobSet)>) -> Self {
        let mut s = Self::new();
        for (k, g) in entries {
            s.globset_mut(k).extend(&g);
        }
        s.entries.retain(|(_, g)| !g.is_empty());
        s
    }

    /// Decodes a whole IDSET property value ([MS-OXCFXICS] 2.2.2.4,
    /// 3.1.5.4.3.2): key + GLOBSET pairs until the bytes end.
    ///
    /// Never panics; allocates at most a small multiple of `bytes`.
    pub fn decode(bytes: &[u8], form: ReplForm) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let mut entries = Vec::new();
        while !r.is_empty() {
            let key = match form {
                ReplForm::ReplId => ReplKey::ReplId(r.u16("IDSET REPLID")?),
                ReplForm::ReplGuid => ReplKey::ReplGuid(Guid(r.array("IDSET REPLGUID")?)),
            };
            entries.push((key, GlobSet::decode(&mut r)?));
        }
        Ok(Self::from_entries(entries))
    }

    /// Encodes the set in its key form, entries in key order, empty entries
    /// skipped (as gromox does); fails if keys of both forms are mixed or a
    /// counter exceeds 48 bits.
    pub fn encode(&self, w: &mut Vec<u8>) -> Result<(), EncodeError> {
        let form = self.form();
        for (key, set) in &self.entries {
            if set.is_empty() {
                continue;
            }
            if Some(key.form()) != form {
                return Err(EncodeError::NotRepresentable {
                    what: "IDSET",
                    reason: "REPLID and REPLGUID entries in one set",
                });
            }
            match key {
                ReplKey::ReplId(id) => w.put_u16(*id),
                ReplKey::ReplGuid(g) => w.put_bytes(&g.0),
            }
            set.encode(w)?;
        }
        Ok(())
    }

    /// Encodes into a fresh buffer.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut w = Vec::new();
        self.encode(&mut w)?;
        Ok(w)
    }

    /// The key form of the first entry (`None` when empty).
    pub fn form(&self) -> Option<ReplForm> {
        self.entries.first().map(|(k, _)| k.form())
    }

    /// True when no counter is in the set.
    pub fn is_empty(&self) -> bool {
        self.entries.iter().all(|(_, g)| g.is_empty())
    }

    /// The counters of one replica.
    pub fn globset(&self, key: ReplKey) -> Option<&GlobSet> {
        self.entries.binary_search_by(|(k, _)| k.cmp(&key)).ok().and_then(|i| self.entries.get(i)).map(|(_, g)| g)
    }

    fn globset_mut(&mut self, key: ReplKey) -> &mut GlobSet {
        let i = match self.entries.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key, GlobSet::new()));
                i
            }
        };
        &mut self.entries[i].1
    }

    /// True when `counter` of replica `key` is in the set.
    pub fn contains(&self, key: ReplKey, counter: u64) -> bool {
        self.globset(key).is_some_and(|g| g.contains(counter))
    }

    /// Adds one counter of replica `key`.
    pub fn insert(&mut self, key: ReplKey, counter: u64) {
        self.insert_range(key, counter, counter);
    }

    /// Adds the counters `low..=high` of replica `key`.
    pub fn insert_range(&mut self, key: ReplKey, low: u64, high: u64) {
        if low <= high {
            self.globset_mut(key).insert_range(low, high);
        }
    }

    /// Removes one counter of replica `key`.
    pub fn remove(&mut self, key: ReplKey, counter: u64) {
        self.remove_range(key, counter, counter);
    }

    /// Removes the counters `low..=high` of replica `key`.
    pub fn remove_range(&mut self, key: ReplKey, low: u64, high: u64) {
        if let Ok(i) = self.entries.binary_search_by(|(k, _)| k.cmp(&key)) {
            self.entries[i].1.remove_range(low, high);
            if self.entries[i].1.is_empty() {
                self.entries.remove(i);
            }
        }
    }

    /// Adds a FID/MID/CN (REPLID form; see [`split_id`]).
    pub fn insert_id(&mut self, id: u64) {
        let (replid, counter) = split_id(id);
        self.insert(ReplKey::ReplId(replid), counter);
    }

    /// True when a FID/MID/CN is in the set (REPLID form).
    pub fn contains_id(&self, id: u64) -> bool {
        let (replid, counter) = split_id(id);
        self.contains(ReplKey::ReplId(replid), counter)
    }

    /// Removes a FID/MID/CN (REPLID form).
    pub fn remove_id(&mut self, id: u64) {
        let (replid, counter) = split_id(id);
        self.remove(ReplKey::ReplId(replid), counter);
    }

    /// Every FID/MID/CN of the REPLID entries, in order; meant for the small
    /// deletion and read-state lists (iterate [`GlobSet::ranges`] for big
    /// ranges).
    pub fn ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.entries.iter().flat_map(|(k, g)| {
            let replid = match k {
                ReplKey::ReplId(r) => Some(*r),
                ReplKey::ReplGuid(_) => None,
            };
            replid.into_iter().flat_map(move |r| {
                g.ranges().iter().flat_map(move |range| (range.low..=range.high).map(move |c| make_id(r, c)))
            })
        })
    }

    /// Adds every counter of `other`.
    pub fn extend(&mut self, other: &Self) {
        for (k, g) in &other.entries {
            if !g.is_empty() {
                self.globset_mut(*k).extend(g);
            }
        }
    }

    /// The union of two sets.
    pub fn union(&self, other: &Self) -> Self {
        let mut out = self.clone();
        out.extend(other);
        out
    }

    /// Rewrites REPLID keys to REPLGUID keys (or back) with a caller-given
    /// mapping, merging entries that map to the same key; entries the
    /// mapping does not know are dropped.
    pub fn map_keys(&self, mut f: impl FnMut(ReplKey) -> Option<ReplKey>) -> Self {
        Self::from_entries(self.entries.iter().filter_map(|(k, g)| f(*k).map(|k| (k, g.clone()))))
    }
}

#[cfg(test)]
mod tests;
