//! Message sequence numbers of a selected mailbox (RFC 9051 §2.3.1.2): the
//! UIDs in ascending order.
//!
//! Right after SELECT a session holds the folder's UID list as the backend
//! shares it between every session that selected the folder (an `Arc`, no
//! copy), plus the UIDs announced since. A session whose view diverges (an
//! EXPUNGE it was told of) keeps its own list, as runs of consecutive UIDs:
//! mailboxes are mostly long runs (UIDs are given in delivery order and
//! expunges are rare), so even then an idle connection with a
//! 10,000-message INBOX selected holds a few runs instead of 40 KB of UIDs.

use std::sync::Arc;

use mailbox::Uid;

/// Announced arrivals a shared view keeps apart before it takes a list of
/// its own.
const MAX_TAIL: usize = 4096;

/// UIDs `first .. first + count`, the `before`-th UID of the mailbox
/// being `first` (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    first: u32,
    count: u32,
    before: u32,
}

impl Run {
    fn last(&self) -> u32 {
        self.first + (self.count - 1)
    }
}

/// Ascending UIDs with positions; see the module doc.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SeqMap {
    /// The backend's shared list and the UIDs announced since (all above
    /// the list's last).
    Shared { base: Arc<[Uid]>, tail: Vec<Uid> },
    /// A list of this session's own.
    Runs(Runs),
}

impl Default for SeqMap {
    fn default() -> Self {
        Self::Runs(Runs::default())
    }
}

impl SeqMap {
    /// The map of ascending `uids` (duplicates and disorder are dropped).
    pub(crate) fn from_sorted(uids: impl IntoIterator<Item = Uid>) -> Self {
        Self::Runs(Runs::from_sorted(uids))
    }

    /// A view of the backend's shared list (not copied while it is strictly
    /// ascending, as the model promises). A list nobody else holds (a
    /// backend that hands out copies) or out of order becomes runs.
    pub(crate) fn shared(base: Arc<[Uid]>) -> Self {
        if Arc::strong_count(&base) > 1 && base.windows(2).all(|w| w[0] < w[1]) {
            Self::Shared { base, tail: Vec::new() }
        } else {
            Self::from_sorted(base.iter().copied())
        }
    }

    /// Whether the list is still the one shared with other sessions.
    #[cfg(test)]
    pub(crate) fn is_shared(&self) -> bool {
        matches!(self, Self::Shared { .. })
    }

    /// How many UIDs.
    pub(crate) fn len(&self) -> usize {
        match self {
            Self::Shared { base, tail } => base.len() + tail.len(),
            Self::Runs(r) => r.len as usize,
        }
    }

    /// The highest UID.
    pub(crate) fn last(&self) -> Option<Uid> {
        match self {
            Self::Shared { base, tail } => tail.last().or(base.last()).copied(),
            Self::Runs(r) => r.last(),
        }
    }

    /// The UID at 0-based `index`.
    pub(crate) fn get(&self, index: usize) -> Option<Uid> {
        match self {
            Self::Shared { base, tail } => match index.checked_sub(base.len()) {
                None => base.get(index).copied(),
                Some(i) => tail.get(i).copied(),
            },
            Self::Runs(r) => r.get(index),
        }
    }

    /// The 0-based position of `uid`.
    pub(crate) fn position(&self, uid: Uid) -> Option<usize> {
        match self {
            Self::Shared { base, tail } => {
                base.binary_search(&uid).ok().or_else(|| tail.binary_search(&uid).ok().map(|i| base.len() + i))
            }
            Self::Runs(r) => r.position(uid),
        }
    }

    /// Appends `uid`; ignored unless above the highest.
    pub(crate) fn push(&mut self, uid: Uid) {
        if self.last().is_some_and(|last| uid <= last) {
            return;
        }
        match self {
            Self::Shared { tail, .. } if tail.len() < MAX_TAIL => tail.push(uid),
            Self::Shared { .. } => {
                let mut own = Runs::from_sorted(self.iter());
                own.push(uid);
                *self = Self::Runs(own);
            }
            Self::Runs(r) => r.push(uid),
        }
    }

    /// The UIDs, ascending.
    pub(crate) fn iter(&self) -> Box<dyn Iterator<Item = Uid> + '_> {
        match self {
            Self::Shared { base, tail } => Box::new(base.iter().chain(tail.iter()).copied()),
            Self::Runs(r) => Box::new(r.iter()),
        }
    }

    /// The UIDs from `from` upwards, ascending.
    pub(crate) fn iter_from(&self, from: Uid) -> Box<dyn Iterator<Item = Uid> + '_> {
        match self {
            Self::Shared { base, tail } => {
                let b = base.partition_point(|u| *u < from);
                let t = tail.partition_point(|u| *u < from);
                Box::new(base.get(b..).unwrap_or_default().iter().chain(tail.get(t..).unwrap_or_default()).copied())
            }
            Self::Runs(r) => Box::new(r.iter_from(from)),
        }
    }

    /// Keeps the UIDs for which `keep` holds (the view diverges from the
    /// shared list: it keeps its own from now on).
    pub(crate) fn retain(&mut self, keep: impl Fn(Uid) -> bool) {
        *self = Self::Runs(Runs::from_sorted(self.iter().filter(|u| keep(*u))));
    }
}

/// Ascending UIDs as runs of consecutive ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Runs {
    runs: Vec<Run>,
    len: u32,
}

impl Runs {
    fn from_sorted(uids: impl IntoIterator<Item = Uid>) -> Self {
        let mut map = Self::default();
        for u in uids {
            map.push(u);
        }
        map.runs.shrink_to_fit();
        map
    }

    fn last(&self) -> Option<Uid> {
        self.runs.last().and_then(|r| Uid::new(r.last()))
    }

    fn get(&self, index: usize) -> Option<Uid> {
        let index = u32::try_from(index).ok().filter(|i| *i < self.len)?;
        let i = self.runs.partition_point(|r| r.before <= index).checked_sub(1)?;
        let r = self.runs.get(i)?;
        Uid::new(r.first + (index - r.before))
    }

    fn position(&self, uid: Uid) -> Option<usize> {
        let u = uid.get();
        let i = self.runs.partition_point(|r| r.first <= u).checked_sub(1)?;
        let r = self.runs.get(i)?;
        (u <= r.last()).then(|| (r.before + (u - r.first)) as usize)
    }

    fn push(&mut self, uid: Uid) {
        let u = uid.get();
        match self.runs.last_mut() {
            Some(r) if u <= r.last() => return,
            Some(r) if u == r.last() + 1 => r.count += 1,
            _ => self.runs.push(Run { first: u, count: 1, before: self.len }),
        }
        self.len += 1;
    }

    fn iter(&self) -> impl Iterator<Item = Uid> + '_ {
        self.runs.iter().flat_map(|r| (r.first..=r.last()).filter_map(Uid::new))
    }

    fn iter_from(&self, from: Uid) -> impl Iterator<Item = Uid> + '_ {
        let f = from.get();
        let start = self.runs.partition_point(|r| r.last() < f);
        self.runs
            .get(start..)
            .unwrap_or_default()
            .iter()
            .flat_map(move |r| (r.first.max(f)..=r.last()).filter_map(Uid::new))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uid(n: u32) -> Uid {
        Uid::new(n).expect("non-zero")
    }

    #[test]
    fn positions_and_lookups_across_runs() {
        let m = SeqMap::from_sorted([1, 2, 3, 7, 8, 20].map(uid));
        assert_eq!(m.len(), 6);
        assert!(matches!(&m, SeqMap::Runs(r) if r.runs.len() == 3));
        assert_eq!(m.get(0), Some(uid(1)));
        assert_eq!(m.get(3), Some(uid(7)));
        assert_eq!(m.get(5), Some(uid(20)));
        assert_eq!(m.get(6), None);
        assert_eq!(m.position(uid(8)), Some(4));
        assert_eq!(m.position(uid(5)), None);
        assert_eq!(m.position(uid(21)), None);
        assert_eq!(m.last(), Some(uid(20)));
        assert_eq!(m.iter_from(uid(4)).map(|u| u.get()).collect::<Vec<_>>(), vec![7, 8, 20]);
        assert_eq!(m.iter_from(uid(8)).map(|u| u.get()).collect::<Vec<_>>(), vec![8, 20]);
    }

    #[test]
    fn push_extends_runs_and_retain_rebuilds() {
        let mut m = SeqMap::default();
        for n in [1, 2, 3, 3, 2, 5] {
            m.push(uid(n));
        }
        assert_eq!(m.iter().map(|u| u.get()).collect::<Vec<_>>(), vec![1, 2, 3, 5]);
        m.retain(|u| u.get() != 2);
        assert_eq!(m.iter().map(|u| u.get()).collect::<Vec<_>>(), vec![1, 3, 5]);
        assert_eq!(m.position(uid(5)), Some(2));
        assert_eq!(m.get(1), Some(uid(3)));
    }

    #[test]
    fn agrees_with_a_plain_vector() {
        let mut x: u32 = 0x9E37_79B9;
        let mut v: Vec<u32> = Vec::new();
        let mut n = 0;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            n += 1 + u32::from(x.is_multiple_of(4)) * (x % 7);
            v.push(n);
        }
        let m = SeqMap::from_sorted(v.iter().map(|&n| uid(n)));
        for (i, &u) in v.iter().enumerate() {
            assert_eq!(m.get(i), Some(uid(u)));
            assert_eq!(m.position(uid(u)), Some(i));
        }
    }

    #[test]
    fn a_shared_list_answers_like_its_own_copy_and_diverges_on_retain() {
        let base: Arc<[Uid]> = [1, 2, 3, 7, 8, 20].map(uid).into();
        assert!(!SeqMap::shared(Arc::from(&base[..])).is_shared(), "a list held by nobody else becomes runs");
        let mut shared = SeqMap::shared(base.clone());
        let mut own = SeqMap::from_sorted(base.iter().copied());
        for m in [&mut shared, &mut own] {
            m.push(uid(21));
            m.push(uid(21));
            m.push(uid(5));
            m.push(uid(30));
        }
        assert!(shared.is_shared(), "arrivals do not copy the shared list");
        assert_eq!(shared.len(), own.len());
        assert_eq!(shared.iter().collect::<Vec<_>>(), own.iter().collect::<Vec<_>>());
        for n in 0..40 {
            assert_eq!(shared.position(uid(n + 1)), own.position(uid(n + 1)), "position of {}", n + 1);
            assert_eq!(shared.get(n as usize), own.get(n as usize), "index {n}");
            assert_eq!(shared.iter_from(uid(n + 1)).collect::<Vec<_>>(), own.iter_from(uid(n + 1)).collect::<Vec<_>>());
        }
        assert_eq!(shared.last(), Some(uid(30)));
        shared.retain(|u| u.get() != 7);
        assert!(!shared.is_shared());
        assert_eq!(shared.iter().map(|u| u.get()).collect::<Vec<_>>(), vec![1, 2, 3, 8, 20, 21, 30]);
        assert_eq!(base.len(), 6, "the other sessions' list is untouched");
    }
}
