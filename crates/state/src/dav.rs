//! DAV collection sync tokens and change logs. RFC 6578
//!
//! A token is the collection's *validity* (drawn from the same per-account
//! counter as UIDVALIDITY, so a deleted and recreated collection never accepts
//! an old token) and a sequence number that grows by one per change batch. The
//! log keeps one row per resource with the sequence of its latest change, so
//! it is bounded by the number of resources plus deleted ones not yet expired.

use std::fmt;
use std::str::FromStr;

/// The store's handle of one DAV collection's state; never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CollectionId(pub(crate) i64);

/// A sync token (RFC 6578 §3.4 `DAV:sync-token`): validity and sequence. Its
/// text form is `<validity>-<sequence>`; the DAV layer wraps it in a URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SyncToken {
    /// The collection's validity, fixed for its lifetime.
    pub validity: u32,
    /// The change batch the token stands after; 0 for a new collection.
    pub seq: u64,
}

impl fmt::Display for SyncToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.validity, self.seq)
    }
}

/// A text that is not `<validity>-<sequence>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed sync token")]
pub struct MalformedToken;

impl FromStr for SyncToken {
    type Err = MalformedToken;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (v, q) = s.split_once('-').ok_or(MalformedToken)?;
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(v) || !digits(q) {
            return Err(MalformedToken);
        }
        Ok(Self { validity: v.parse().map_err(|_| MalformedToken)?, seq: q.parse().map_err(|_| MalformedToken)? })
    }
}

/// A DAV collection's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectionState {
    /// The store's handle.
    pub id: CollectionId,
    /// The current token.
    pub token: SyncToken,
}

/// What happened to a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DavChangeKind {
    /// Created or modified: report it with its properties.
    Changed,
    /// Deleted: report it as 404 (RFC 6578 §3.5).
    Removed,
}

/// One resource change; the resource is named as the DAV layer names it (the
/// last path segment, for example).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DavChange {
    /// The resource name within the collection.
    pub resource: String,
    /// What happened.
    pub kind: DavChangeKind,
}

/// The answer of [`crate::StateStore::dav_changes_since`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DavDelta {
    /// Resources changed since the token, each once with its latest state,
    /// ordered by the change batch that touched it last; and the token to hand
    /// out now.
    Changes {
        /// The changes.
        changes: Vec<DavChange>,
        /// The collection's current token.
        token: SyncToken,
    },
    /// The token belongs to another collection or an earlier incarnation of
    /// this one, lies in the future, or predates expired log entries: the
    /// client must sync from scratch (RFC 6578 §3.2 `DAV:valid-sync-token`).
    InvalidToken,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_text_round_trips() {
        let t = SyncToken { validity: 1_790_000_000, seq: 42 };
        assert_eq!(t.to_string(), "1790000000-42");
        assert_eq!("1790000000-42".parse::<SyncToken>(), Ok(t));
        for bad in ["", "1-", "-1", "1-2-3", "a-1", "1-+2", "99999999999-1"] {
            assert_eq!(bad.parse::<SyncToken>(), Err(MalformedToken), "{bad}");
        }
    }
}
