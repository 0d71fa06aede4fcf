//! Range tombstones and their fragmented form (RocksDB's
//! `FragmentedRangeTombstoneList`).
//!
//! A range tombstone `[begin, end)@seq` deletes every version of every user
//! key `k` with `begin <= k < end` whose sequence is below `seq`.
//!
//! Overlapping tombstones are split at every begin and end key into
//! *fragments*: `[begin, end)` ranges that do not overlap, each carrying the
//! sequence numbers of every tombstone covering it. For example
//!
//! ```text
//! input:      [a, e)@5   [c, g)@9   [c, d)@3
//! fragments:  [a, c){5}  [c, d){9,5,3}  [d, e){9,5}  [e, g){9}
//! ```
//!
//! Invariants of [`FragmentedTombstones`]:
//! - fragments are sorted by `begin`, non-overlapping (`f.end <= next.begin`),
//!   and non-empty (`begin < end`, at least one seq);
//! - each fragment's `seqs` is strictly descending (duplicates removed);
//! - a user key is covered by some input tombstone iff it lies in a fragment,
//!   and that fragment's `seqs` are exactly the seqs of the tombstones
//!   covering it;
//! - adjacent fragments that touch and carry the same seqs are coalesced;
//! - `tombstones()` keeps the input (minus empty or inverted ranges, which
//!   delete nothing) for writing into a table.
//!
//! `max_covering_seq` is two binary searches: O(log fragments + log seqs).

use crate::key::SequenceNumber;

/// One range deletion: every key in `[begin, end)` older than `seq` is deleted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RangeTombstone {
    /// Inclusive start user key.
    pub begin: Vec<u8>,
    /// Exclusive end user key.
    pub end: Vec<u8>,
    /// Sequence number of the deletion.
    pub seq: SequenceNumber,
}

impl RangeTombstone {
    /// A new tombstone.
    pub fn new(begin: &[u8], end: &[u8], seq: SequenceNumber) -> Self {
        RangeTombstone {
            begin: begin.to_vec(),
            end: end.to_vec(),
            seq,
        }
    }
    /// True if `user_key` lies in `[begin, end)`.
    pub fn contains(&self, user_key: &[u8]) -> bool {
        self.begin.as_slice() <= user_key && user_key < self.end.as_slice()
    }
}

/// A non-overlapping piece of the tombstones' union: every key in
/// `[begin, end)` is covered by exactly the tombstones whose seqs are listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    /// Inclusive start user key.
    pub begin: Vec<u8>,
    /// Exclusive end user key.
    pub end: Vec<u8>,
    /// Seqs of the covering tombstones, strictly descending, never empty.
    pub seqs: Vec<SequenceNumber>,
}

impl Fragment {
    /// The highest seq `<= read_seq`, or 0 if every covering tombstone is
    /// newer than the read.
    pub fn max_seq_at(&self, read_seq: SequenceNumber) -> SequenceNumber {
        let i = self.seqs.partition_point(|&s| s > read_seq);
        self.seqs.get(i).copied().unwrap_or(0)
    }
}

/// A set of range tombstones that answers "which tombstone covers this key"
/// by binary search over its fragments; see the module docs.
#[derive(Debug, Clone, Default)]
pub struct FragmentedTombstones {
    tombstones: Vec<RangeTombstone>,
    fragments: Vec<Fragment>,
}

impl FragmentedTombstones {
    /// Builds the set (empty and inverted ranges are ignored).
    pub fn new(tombstones: impl IntoIterator<Item = RangeTombstone>) -> Self {
        let tombstones: Vec<RangeTombstone> = tombstones.into_iter().filter(|t| t.begin < t.end).collect();
        let fragments = fragment(&tombstones);
        FragmentedTombstones {
            tombstones,
            fragments,
        }
    }

    /// The union of several sets (e.g. the memtables' and a level's).
    pub fn merge(sets: &[&FragmentedTombstones]) -> FragmentedTombstones {
        let mut all = Vec::with_capacity(sets.iter().map(|s| s.tombstones.len()).sum());
        for s in sets {
            all.extend_from_slice(&s.tombstones);
        }
        FragmentedTombstones::new(all)
    }

    /// True if there are no tombstones.
    pub fn is_empty(&self) -> bool {
        self.tombstones.is_empty()
    }

    /// Number of fragments (not of input tombstones).
    pub fn len(&self) -> usize {
        self.fragments.len()
    }

    /// The highest sequence of a tombstone covering `user_key` that is visible
    /// at `read_seq` (tombstone seq <= read_seq); 0 if none.
    pub fn max_covering_seq(&self, user_key: &[u8], read_seq: SequenceNumber) -> SequenceNumber {
        let i = self.fragments.partition_point(|f| f.begin.as_slice() <= user_key);
        match i.checked_sub(1).map(|i| &self.fragments[i]) {
            Some(f) if user_key < f.end.as_slice() => f.max_seq_at(read_seq),
            _ => 0,
        }
    }

    /// The fragments, sorted and non-overlapping.
    pub fn fragments(&self) -> &[Fragment] {
        &self.fragments
    }

    /// The fragments intersecting `[begin, end)` (empty if `begin >= end`).
    pub fn overlapping(&self, begin: &[u8], end: &[u8]) -> &[Fragment] {
        if begin >= end {
            return &[];
        }
        let lo = self.fragments.partition_point(|f| f.end.as_slice() <= begin);
        let hi = self.fragments.partition_point(|f| f.begin.as_slice() < end);
        if lo >= hi { &[] } else { &self.fragments[lo..hi] }
    }

    /// The tombstones as given (unfragmented, empty ranges dropped).
    pub fn tombstones(&self) -> &[RangeTombstone] {
        &self.tombstones
    }
}

/// Sweeps the sorted begin/end boundaries, keeping the set of tombstones
/// active at each boundary. Cost is O(n log n + output size).
fn fragment(tombstones: &[RangeTombstone]) -> Vec<Fragment> {
    if tombstones.is_empty() {
        return Vec::new();
    }
    let mut by_begin: Vec<&RangeTombstone> = tombstones.iter().collect();
    by_begin.sort_unstable_by(|a, b| a.begin.cmp(&b.begin));
    let mut bounds: Vec<&[u8]> = Vec::with_capacity(tombstones.len() * 2);
    for t in tombstones {
        bounds.push(&t.begin);
        bounds.push(&t.end);
    }
    bounds.sort_unstable();
    bounds.dedup();

    let mut fragments: Vec<Fragment> = Vec::new();
    let mut active: Vec<&RangeTombstone> = Vec::new();
    let mut seqs: Vec<SequenceNumber> = Vec::new();
    let mut next = 0;
    for w in bounds.windows(2) {
        let (lo, hi) = (w[0], w[1]);
        while next < by_begin.len() && by_begin[next].begin.as_slice() <= lo {
            active.push(by_begin[next]);
            next += 1;
        }
        active.retain(|t| t.end.as_slice() > lo);
        if active.is_empty() {
            continue;
        }
        seqs.clear();
        seqs.extend(active.iter().map(|t| t.seq));
        seqs.sort_unstable_by(|a, b| b.cmp(a));
        seqs.dedup();
        match fragments.last_mut() {
            Some(last) if last.end.as_slice() == lo && last.seqs == seqs => last.end = hi.to_vec(),
            _ => fragments.push(Fragment {
                begin: lo.to_vec(),
                end: hi.to_vec(),
                seqs: seqs.clone(),
            }),
        }
    }
    fragments
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn t(b: &str, e: &str, seq: SequenceNumber) -> RangeTombstone {
        RangeTombstone::new(b.as_bytes(), e.as_bytes(), seq)
    }

    fn frag(b: &str, e: &str, seqs: &[SequenceNumber]) -> Fragment {
        Fragment {
            begin: b.as_bytes().to_vec(),
            end: e.as_bytes().to_vec(),
            seqs: seqs.to_vec(),
        }
    }

    #[test]
    fn worked_example_from_module_docs() {
        let f = FragmentedTombstones::new([t("a", "e", 5), t("c", "g", 9), t("c", "d", 3), t("x", "x", 1)]);
        assert_eq!(
            f.fragments(),
            &[
                frag("a", "c", &[5]),
                frag("c", "d", &[9, 5, 3]),
                frag("d", "e", &[9, 5]),
                frag("e", "g", &[9]),
            ]
        );
        assert_eq!(f.tombstones().len(), 3, "the empty range is dropped");
        assert_eq!(f.len(), 4);
        assert_eq!(f.max_covering_seq(b"c", 100), 9);
        assert_eq!(f.max_covering_seq(b"c", 8), 5);
        assert_eq!(f.max_covering_seq(b"c", 4), 3);
        assert_eq!(f.max_covering_seq(b"c", 2), 0);
        assert_eq!(f.max_covering_seq(b"g", 100), 0);
        assert_eq!(f.max_covering_seq(b"0", 100), 0);
        assert_eq!(f.overlapping(b"b", b"d").len(), 2);
        assert_eq!(f.overlapping(b"g", b"z"), &[] as &[Fragment]);
        assert_eq!(f.overlapping(b"d", b"c"), &[] as &[Fragment]);
    }

    #[test]
    fn touching_equal_fragments_coalesce_and_gaps_stay() {
        let f = FragmentedTombstones::new([t("a", "c", 4), t("c", "e", 4), t("g", "h", 4)]);
        assert_eq!(f.fragments(), &[frag("a", "e", &[4]), frag("g", "h", &[4])]);
        assert_eq!(f.max_covering_seq(b"f", 10), 0);
        assert!(FragmentedTombstones::new([]).is_empty());
        assert_eq!(FragmentedTombstones::default().max_covering_seq(b"a", 9), 0);
    }

    fn key() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(b'a'..b'f', 0..3)
    }

    fn tombstones() -> impl Strategy<Value = Vec<RangeTombstone>> {
        prop::collection::vec(
            (key(), key(), 1u64..30).prop_map(|(b, e, seq)| RangeTombstone {
                begin: b,
                end: e,
                seq,
            }),
            0..25,
        )
    }

    fn oracle_max(ts: &[RangeTombstone], k: &[u8], read_seq: SequenceNumber) -> SequenceNumber {
        ts.iter()
            .filter(|t| t.seq <= read_seq && t.contains(k))
            .map(|t| t.seq)
            .max()
            .unwrap_or(0)
    }

    proptest! {
        #[test]
        fn matches_brute_force(ts in tombstones(), queries in prop::collection::vec((key(), 0u64..32), 1..40)) {
            let f = FragmentedTombstones::new(ts.clone());
            for (k, read_seq) in &queries {
                prop_assert_eq!(f.max_covering_seq(k, *read_seq), oracle_max(&ts, k, *read_seq));
            }
            // Structural invariants.
            for w in f.fragments().windows(2) {
                prop_assert!(w[0].end <= w[1].begin);
                prop_assert!(!(w[0].end == w[1].begin && w[0].seqs == w[1].seqs), "not coalesced");
            }
            for fr in f.fragments() {
                prop_assert!(fr.begin < fr.end);
                prop_assert!(!fr.seqs.is_empty());
                prop_assert!(fr.seqs.windows(2).all(|s| s[0] > s[1]));
                // The seqs are exactly those of the tombstones covering the fragment.
                let mut want: Vec<u64> = ts.iter().filter(|t| t.contains(&fr.begin)).map(|t| t.seq).collect();
                want.sort_unstable_by(|a, b| b.cmp(a));
                want.dedup();
                prop_assert_eq!(&fr.seqs, &want);
            }
        }

        #[test]
        fn overlapping_matches_filter(ts in tombstones(), b in key(), e in key()) {
            let f = FragmentedTombstones::new(ts);
            let want: Vec<Fragment> = f
                .fragments()
                .iter()
                .filter(|fr| b < e && fr.begin < e && fr.end > b)
                .cloned()
                .collect();
            prop_assert_eq!(f.overlapping(&b, &e), &want[..]);
        }

        #[test]
        fn merge_is_union(a in tombstones(), b in tombstones(), queries in prop::collection::vec((key(), 0u64..32), 1..20)) {
            let (fa, fb) = (FragmentedTombstones::new(a.clone()), FragmentedTombstones::new(b.clone()));
            let m = FragmentedTombstones::merge(&[&fa, &fb]);
            let all: Vec<RangeTombstone> = a.into_iter().chain(b).collect();
            let direct = FragmentedTombstones::new(all.clone());
            prop_assert_eq!(m.fragments(), direct.fragments());
            for (k, s) in &queries {
                prop_assert_eq!(m.max_covering_seq(k, *s), oracle_max(&all, k, *s));
            }
        }
    }
}
