//! IMAP message flags (RFC 9051 §2.3.2) as the model carries them.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;

/// A keyword (RFC 9051 §2.3.2 `flag-keyword`): an atom, compared
/// case-insensitively (ASCII), spelled as first given.
#[derive(Clone)]
pub struct Keyword(String);

impl Keyword {
    /// A keyword; `None` when `s` is not an IMAP atom or starts with `\`.
    pub fn new(s: impl Into<String>) -> Option<Self> {
        let s = s.into();
        (!s.is_empty() && s.bytes().all(is_atom_char)).then_some(Self(s))
    }

    /// The keyword as spelled.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn folded(&self) -> impl Iterator<Item = u8> + '_ {
        self.0.bytes().map(|b| b.to_ascii_lowercase())
    }
}

/// RFC 9051 §9 ATOM-CHAR: any CHAR except atom-specials (`(){ %*"\]`,
/// controls). Non-ASCII is not an atom character.
pub(crate) fn is_atom_char(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']')
}

impl PartialEq for Keyword {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for Keyword {}

impl PartialOrd for Keyword {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Keyword {
    fn cmp(&self, other: &Self) -> Ordering {
        self.folded().cmp(other.folded())
    }
}

impl std::hash::Hash for Keyword {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for b in self.folded() {
            state.write_u8(b);
        }
    }
}

impl fmt::Debug for Keyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// One flag.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Flag {
    /// `\Seen`.
    Seen,
    /// `\Answered`.
    Answered,
    /// `\Flagged`.
    Flagged,
    /// `\Deleted` (gateway state until EXPUNGE).
    Deleted,
    /// `\Draft`.
    Draft,
    /// The `$Forwarded` keyword (RFC 5788), backed by the item itself rather
    /// than by categories.
    Forwarded,
    /// Any other keyword.
    Keyword(Keyword),
}

impl Flag {
    /// A flag from its IMAP spelling (`\Seen`, `$Forwarded`, `Work`),
    /// case-insensitive; `None` for `\Recent`, unknown system flags and
    /// non-atoms.
    pub fn parse(s: &str) -> Option<Self> {
        if let Some(system) = s.strip_prefix('\\') {
            return match system.to_ascii_lowercase().as_str() {
                "seen" => Some(Self::Seen),
                "answered" => Some(Self::Answered),
                "flagged" => Some(Self::Flagged),
                "deleted" => Some(Self::Deleted),
                "draft" => Some(Self::Draft),
                _ => None,
            };
        }
        Self::keyword(s)
    }

    /// A keyword flag: `$Forwarded` becomes [`Flag::Forwarded`].
    pub fn keyword(s: &str) -> Option<Self> {
        if s.eq_ignore_ascii_case("$Forwarded") {
            return Some(Self::Forwarded);
        }
        Keyword::new(s).map(Self::Keyword)
    }

    /// The IMAP spelling.
    pub fn as_imap(&self) -> &str {
        match self {
            Self::Seen => "\\Seen",
            Self::Answered => "\\Answered",
            Self::Flagged => "\\Flagged",
            Self::Deleted => "\\Deleted",
            Self::Draft => "\\Draft",
            Self::Forwarded => "$Forwarded",
            Self::Keyword(k) => k.as_str(),
        }
    }
}

/// A set of flags.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flags(BTreeSet<Flag>);

impl Flags {
    /// No flag.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `flag` is set.
    pub fn contains(&self, flag: &Flag) -> bool {
        self.0.contains(flag)
    }

    /// Sets `flag`; returns whether it was new.
    pub fn insert(&mut self, flag: Flag) -> bool {
        self.0.insert(flag)
    }

    /// Clears `flag`; returns whether it was set.
    pub fn remove(&mut self, flag: &Flag) -> bool {
        self.0.remove(flag)
    }

    /// Sets or clears `flag`.
    pub fn set(&mut self, flag: Flag, on: bool) {
        if on {
            self.0.insert(flag);
        } else {
            self.0.remove(&flag);
        }
    }

    /// The flags in a stable order (system flags, `$Forwarded`, keywords).
    pub fn iter(&self) -> impl Iterator<Item = &Flag> {
        self.0.iter()
    }

    /// The keywords (without `$Forwarded`).
    pub fn keywords(&self) -> impl Iterator<Item = &Keyword> {
        self.0.iter().filter_map(|f| match f {
            Flag::Keyword(k) => Some(k),
            _ => None,
        })
    }

    /// Whether no flag is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many flags are set.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `self` changed by `op`.
    pub fn apply(&self, op: &FlagOp) -> Self {
        match op {
            FlagOp::Replace(f) => f.clone(),
            FlagOp::Add(f) => Self(self.0.union(&f.0).cloned().collect()),
            FlagOp::Remove(f) => Self(self.0.difference(&f.0).cloned().collect()),
        }
    }
}

impl FromIterator<Flag> for Flags {
    fn from_iter<I: IntoIterator<Item = Flag>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl<const N: usize> From<[Flag; N]> for Flags {
    fn from(flags: [Flag; N]) -> Self {
        flags.into_iter().collect()
    }
}

/// How a STORE changes flags (RFC 9051 §6.4.6 `FLAGS`, `+FLAGS`, `-FLAGS`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlagOp {
    /// Set exactly these.
    Replace(Flags),
    /// Add these.
    Add(Flags),
    /// Remove these.
    Remove(Flags),
}
