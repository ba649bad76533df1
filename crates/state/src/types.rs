//! Identities and values the store hands out: accounts, opaque folder and item
//! identities, IMAP UIDs, UIDVALIDITY and mod-sequences.

use std::fmt;
use std::num::{NonZeroU32, NonZeroU64};

/// The account a piece of state belongs to: the gateway's normalised login
/// identity (for example the primary SMTP address). Every other value is
/// scoped to one account.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(String);

impl AccountId {
    /// Wraps an account name. The store compares names byte for byte, so the
    /// caller normalises case before.
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    /// The account name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A folder's identity as the backend knows it, opaque to the store (for MAPI
/// the folder's source key). The same bytes always name the same folder state
/// until [`crate::StateStore::delete_folder`].
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FolderKey(Vec<u8>);

/// An item's identity as the backend knows it, opaque to the store (for MAPI
/// the message's source key, or store id + MID).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemKey(Vec<u8>);

/// A version stamp of an item's content, opaque to the store (for MAPI the
/// change key). Cached renderings are valid for one change key only.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChangeKey(Vec<u8>);

macro_rules! opaque_bytes {
    ($($name:ident),*) => {$(
        impl $name {
            /// Wraps the backend's bytes.
            pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
                Self(bytes.into())
            }

            /// The backend's bytes.
            pub fn as_bytes(&self) -> &[u8] {
                &self.0
            }
        }

        impl From<Vec<u8>> for $name {
            fn from(bytes: Vec<u8>) -> Self {
                Self(bytes)
            }
        }

        impl From<&[u8]> for $name {
            fn from(bytes: &[u8]) -> Self {
                Self(bytes.to_vec())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "("))?;
                for b in &self.0 {
                    write!(f, "{b:02x}")?;
                }
                write!(f, ")")
            }
        }
    )*};
}
opaque_bytes!(FolderKey, ItemKey, ChangeKey);

/// An IMAP UID: a non-zero 32-bit number, unique and ascending within one
/// folder for one UIDVALIDITY, never reused. RFC 9051 §2.3.1.1
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uid(NonZeroU32);

impl Uid {
    /// The smallest UID, 1.
    pub const MIN: Self = Self(NonZeroU32::MIN);
    /// The largest UID, 4294967295.
    pub const MAX: Self = Self(NonZeroU32::MAX);

    /// A UID from its number; `None` for 0, which is not a UID.
    pub const fn new(n: u32) -> Option<Self> {
        match NonZeroU32::new(n) {
            Some(n) => Some(Self(n)),
            None => None,
        }
    }

    /// The UID's number.
    pub const fn get(self) -> u32 {
        self.0.get()
    }
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A folder's UIDVALIDITY: non-zero, and never issued twice for one account.
/// RFC 9051 §2.3.1.1
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UidValidity(NonZeroU32);

impl UidValidity {
    /// A UIDVALIDITY from its number; `None` for 0.
    pub const fn new(n: u32) -> Option<Self> {
        match NonZeroU32::new(n) {
            Some(n) => Some(Self(n)),
            None => None,
        }
    }

    /// The number.
    pub const fn get(self) -> u32 {
        self.0.get()
    }
}

impl fmt::Display for UidValidity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A mod-sequence (RFC 7162 §3.1.1): positive, at most 2^63-1, and per folder
/// strictly growing with every change batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModSeq(NonZeroU64);

impl ModSeq {
    /// The first mod-sequence of a new folder, 1.
    pub const MIN: Self = Self(NonZeroU64::MIN);
    /// The largest value RFC 7162 allows, 2^63-1.
    pub const MAX: Self = match NonZeroU64::new(i64::MAX as u64) {
        Some(n) => Self(n),
        None => Self(NonZeroU64::MIN),
    };

    /// A mod-sequence from its number; `None` for 0 or above 2^63-1.
    pub const fn new(n: u64) -> Option<Self> {
        if n > i64::MAX as u64 {
            return None;
        }
        match NonZeroU64::new(n) {
            Some(n) => Some(Self(n)),
            None => None,
        }
    }

    /// The number.
    pub const fn get(self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for ModSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The store's handle of one folder's state. Handles are never reused: after
/// [`crate::StateStore::delete_folder`] an old handle answers
/// [`crate::StateError::UnknownFolder`], and reopening the same [`FolderKey`]
/// yields a new handle with a new UIDVALIDITY.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FolderId(pub(crate) i64);

/// Flags that live only in the gateway, not in the mailbox: `\Deleted` until
/// EXPUNGE (RFC 9051 §2.3.2). A small bit set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct GatewayFlags(u32);

impl GatewayFlags {
    /// No flag.
    pub const EMPTY: Self = Self(0);
    /// `\Deleted`: marked for removal by the next EXPUNGE.
    pub const DELETED: Self = Self(1);
    /// Every flag the store knows; other bits are dropped.
    pub const ALL: Self = Self(1);

    /// The flags from their stored bits; unknown bits are dropped.
    pub const fn from_bits(bits: u32) -> Self {
        Self(bits & Self::ALL.0)
    }

    /// The stored bits.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether every flag in `other` is set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no flag is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The union.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// `self` without the flags of `other`.
    pub const fn difference(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }
}

/// A point in time as whole seconds since the Unix epoch. The store takes
/// time from its [`crate::Clock`], never from the system directly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnixTime(pub u64);
