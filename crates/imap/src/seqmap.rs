//! Message sequence numbers of a selected mailbox (RFC 9051 §2.3.1.2): the
//! UIDs in ascending order, kept as runs of consecutive UIDs. Mailboxes are
//! mostly long runs (UIDs are given in delivery order and expunges are
//! rare), so an idle connection with a 10,000-message INBOX selected holds
//! a few runs instead of 40 KB of UIDs.

use mailbox::Uid;

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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SeqMap {
    runs: Vec<Run>,
    len: u32,
}

impl SeqMap {
    /// The map of ascending `uids` (duplicates and disorder are dropped).
    pub(crate) fn from_sorted(uids: impl IntoIterator<Item = Uid>) -> Self {
        let mut map = Self::default();
        for u in uids {
            map.push(u);
        }
        map.runs.shrink_to_fit();
        map
    }

    /// How many UIDs.
    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    /// The highest UID.
    pub(crate) fn last(&self) -> Option<Uid> {
        self.runs.last().and_then(|r| Uid::new(r.last()))
    }

    /// The UID at 0-based `index`.
    pub(crate) fn get(&self, index: usize) -> Option<Uid> {
        let index = u32::try_from(index).ok().filter(|i| *i < self.len)?;
        let i = self.runs.partition_point(|r| r.before <= index).checked_sub(1)?;
        let r = self.runs.get(i)?;
        Uid::new(r.first + (index - r.before))
    }

    /// The 0-based position of `uid`.
    pub(crate) fn position(&self, uid: Uid) -> Option<usize> {
        let u = uid.get();
        let i = self.runs.partition_point(|r| r.first <= u).checked_sub(1)?;
        let r = self.runs.get(i)?;
        (u <= r.last()).then(|| (r.before + (u - r.first)) as usize)
    }

    /// Appends `uid`; ignored unless above the highest.
    pub(crate) fn push(&mut self, uid: Uid) {
        let u = uid.get();
        match self.runs.last_mut() {
            Some(r) if u <= r.last() => return,
            Some(r) if u == r.last() + 1 => r.count += 1,
            _ => self.runs.push(Run { first: u, count: 1, before: self.len }),
        }
        self.len += 1;
    }

    /// The UIDs, ascending.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Uid> + '_ {
        self.runs.iter().flat_map(|r| (r.first..=r.last()).filter_map(Uid::new))
    }

    /// The UIDs from `from` upwards, ascending.
    pub(crate) fn iter_from(&self, from: Uid) -> impl Iterator<Item = Uid> + '_ {
        let f = from.get();
        let start = self.runs.partition_point(|r| r.last() < f);
        self.runs
            .get(start..)
            .unwrap_or_default()
            .iter()
            .flat_map(move |r| (r.first.max(f)..=r.last()).filter_map(Uid::new))
    }

    /// Keeps the UIDs for which `keep` holds.
    pub(crate) fn retain(&mut self, keep: impl Fn(Uid) -> bool) {
        let kept: Vec<Uid> = self.iter().filter(|u| keep(*u)).collect();
        *self = Self::from_sorted(kept);
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
        assert_eq!(m.runs.len(), 3);
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
}
