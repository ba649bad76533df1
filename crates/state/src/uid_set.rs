//! Sets of UIDs as sorted, disjoint, non-adjacent inclusive ranges, the shape
//! of an IMAP sequence set (RFC 9051 §9 `sequence-set`) once `*` is resolved.

use crate::types::Uid;

/// An inclusive range of UIDs, `first <= last`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UidRange {
    first: Uid,
    last: Uid,
}

impl UidRange {
    /// The range between two UIDs in either order (IMAP allows `5:2`).
    pub fn new(a: Uid, b: Uid) -> Self {
        Self { first: a.min(b), last: a.max(b) }
    }

    /// A range of one UID.
    pub fn single(uid: Uid) -> Self {
        Self { first: uid, last: uid }
    }

    /// The lowest UID.
    pub fn first(self) -> Uid {
        self.first
    }

    /// The highest UID.
    pub fn last(self) -> Uid {
        self.last
    }

    /// Whether `uid` lies in the range.
    pub fn contains(self, uid: Uid) -> bool {
        self.first <= uid && uid <= self.last
    }
}

/// A set of UIDs kept as sorted, disjoint, non-adjacent ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct UidSet {
    ranges: Vec<UidRange>,
}

impl UidSet {
    /// The empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every UID, `1:4294967295` (IMAP `1:*` before `*` is resolved).
    pub fn all() -> Self {
        Self { ranges: vec![UidRange::new(Uid::MIN, Uid::MAX)] }
    }

    /// Adds one range, merging with its neighbours.
    pub fn insert_range(&mut self, range: UidRange) {
        let first = u64::from(range.first.get());
        let last = u64::from(range.last.get());
        // Ranges that overlap or touch `range` merge into it.
        let mut merged_first = first;
        let mut merged_last = last;
        let mut kept = Vec::with_capacity(self.ranges.len() + 1);
        let mut placed = false;
        for r in self.ranges.drain(..) {
            let (rf, rl) = (u64::from(r.first.get()), u64::from(r.last.get()));
            if rl + 1 < merged_first {
                kept.push(r);
            } else if rf > merged_last + 1 {
                if !placed {
                    kept.push(range_of(merged_first, merged_last));
                    placed = true;
                }
                kept.push(r);
            } else {
                merged_first = merged_first.min(rf);
                merged_last = merged_last.max(rl);
            }
        }
        if !placed {
            kept.push(range_of(merged_first, merged_last));
        }
        self.ranges = kept;
    }

    /// Adds one UID.
    pub fn insert(&mut self, uid: Uid) {
        // Fast path for ascending inserts, the common case.
        if let Some(last) = self.ranges.last_mut() {
            if last.last < uid && u64::from(last.last.get()) + 1 == u64::from(uid.get()) {
                last.last = uid;
                return;
            }
            if last.last.get() < uid.get() {
                self.ranges.push(UidRange::single(uid));
                return;
            }
        }
        self.insert_range(UidRange::single(uid));
    }

    /// The ranges, ascending.
    pub fn ranges(&self) -> &[UidRange] {
        &self.ranges
    }

    /// Whether the set holds no UID.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Whether `uid` is in the set.
    pub fn contains(&self, uid: Uid) -> bool {
        let i = self.ranges.partition_point(|r| r.last < uid);
        self.ranges.get(i).is_some_and(|r| r.contains(uid))
    }

    /// How many UIDs the set holds.
    pub fn len(&self) -> u64 {
        self.ranges.iter().map(|r| u64::from(r.last.get()) - u64::from(r.first.get()) + 1).sum()
    }

    /// Every UID, ascending. Beware of `1:*`-sized sets.
    pub fn iter(&self) -> impl Iterator<Item = Uid> + '_ {
        self.ranges.iter().flat_map(|r| (r.first.get()..=r.last.get()).filter_map(Uid::new))
    }
}

impl FromIterator<Uid> for UidSet {
    fn from_iter<I: IntoIterator<Item = Uid>>(iter: I) -> Self {
        let mut set = Self::new();
        for uid in iter {
            set.insert(uid);
        }
        set
    }
}

impl From<UidRange> for UidSet {
    fn from(range: UidRange) -> Self {
        Self { ranges: vec![range] }
    }
}

/// A range from bounds known to lie in `1..=u32::MAX` (they come from UIDs).
fn range_of(first: u64, last: u64) -> UidRange {
    let f = u32::try_from(first).ok().and_then(Uid::new).unwrap_or(Uid::MIN);
    let l = u32::try_from(last).ok().and_then(Uid::new).unwrap_or(Uid::MAX);
    UidRange::new(f, l)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uid(n: u32) -> Uid {
        Uid::new(n).expect("non-zero")
    }

    #[test]
    fn merges_adjacent_and_overlapping_ranges() {
        let mut s = UidSet::new();
        s.insert_range(UidRange::new(uid(5), uid(7)));
        s.insert_range(UidRange::new(uid(1), uid(2)));
        s.insert(uid(3));
        s.insert_range(UidRange::new(uid(10), uid(12)));
        assert_eq!(
            s.ranges(),
            &[UidRange::new(uid(1), uid(3)), UidRange::new(uid(5), uid(7)), UidRange::new(uid(10), uid(12))]
        );
        s.insert_range(UidRange::new(uid(4), uid(9)));
        assert_eq!(s.ranges(), &[UidRange::new(uid(1), uid(12))]);
        assert_eq!(s.len(), 12);
        assert!(s.contains(uid(12)) && !s.contains(uid(13)));
    }

    #[test]
    fn reversed_range_is_normalised() {
        let r = UidRange::new(uid(9), uid(2));
        assert_eq!((r.first().get(), r.last().get()), (2, 9));
    }

    #[test]
    fn all_covers_the_top_uid() {
        let s = UidSet::all();
        assert!(s.contains(Uid::MAX) && s.contains(Uid::MIN));
        assert_eq!(s.len(), u64::from(u32::MAX));
    }

    proptest::proptest! {
        #[test]
        fn set_equals_btreeset(values in proptest::collection::vec(1u32..200, 0..60)) {
            let reference: std::collections::BTreeSet<u32> = values.iter().copied().collect();
            let set: UidSet = values.iter().filter_map(|&v| Uid::new(v)).collect();
            let got: Vec<u32> = set.iter().map(Uid::get).collect();
            proptest::prop_assert_eq!(got, reference.into_iter().collect::<Vec<_>>());
            for w in set.ranges().windows(2) {
                // disjoint and not adjacent
                proptest::prop_assert!(w[0].last().get() + 1 < w[1].first().get());
            }
        }
    }
}
