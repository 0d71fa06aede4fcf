//! The range tombstones a compaction output must carry.
//!
//! Invariants of the result of [`output_tombstones`]:
//! - every tombstone lies inside the subcompaction's `[lower, upper)`: a
//!   tombstone spanning a bound is clipped, so two adjacent subcompactions
//!   each write their own piece and their outputs never overlap;
//! - at a bottommost compaction, a tombstone in the oldest snapshot stripe
//!   (`seq <=` the earliest snapshot, or any seq without snapshots) is
//!   dropped: every version it covered is in that stripe too and was dropped
//!   by the [`CompactionIterator`](super::compaction_iter::CompactionIterator),
//!   and nothing below the output level overlaps the range;
//! - the list is sorted like range-deletion internal keys (begin ascending,
//!   then seq descending, then end) and holds no exact duplicates (the same
//!   tombstone read from two input files).
//!
//! Example: tombstones `[a,k)@9` and `[c,f)@3`, snapshot 5, bottommost,
//! bounds `[d, h)`: the output is `[d,h)@9` and one piece is dropped
//! (`[d,f)@3`, in stripe 0).

use std::cmp::Reverse;

use crate::iter::fragmenter::{FragmentedTombstones, RangeTombstone};
use crate::key::SequenceNumber;

/// Range tombstones to write into an output covering `[lower, upper)`:
/// clipped to the bounds; at a bottommost compaction those with
/// `seq <=` the earliest snapshot (or all, if there are no snapshots) are
/// dropped. Returns `(kept, dropped_count)`, where `dropped_count` counts the
/// clipped pieces inside the bounds that were dropped (so adjacent
/// subcompactions never count the same piece twice).
pub fn output_tombstones(
    all: &FragmentedTombstones,
    snapshots: &[SequenceNumber],
    bottommost: bool,
    lower: Option<&[u8]>,
    upper: Option<&[u8]>,
) -> (Vec<RangeTombstone>, u64) {
    let earliest = snapshots.iter().copied().min();
    let mut kept = Vec::new();
    let mut dropped = 0u64;
    for t in all.tombstones() {
        let begin = match lower {
            Some(lo) if lo > t.begin.as_slice() => lo,
            _ => t.begin.as_slice(),
        };
        let end = match upper {
            Some(hi) if hi < t.end.as_slice() => hi,
            _ => t.end.as_slice(),
        };
        if begin >= end {
            continue;
        }
        let in_oldest_stripe = earliest.is_none_or(|e| t.seq <= e);
        if bottommost && in_oldest_stripe {
            dropped += 1;
            continue;
        }
        kept.push(RangeTombstone::new(begin, end, t.seq));
    }
    kept.sort_unstable_by(|a, b| (&a.begin, Reverse(a.seq), &a.end).cmp(&(&b.begin, Reverse(b.seq), &b.end)));
    kept.dedup();
    (kept, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ts: &[(&str, &str, u64)]) -> FragmentedTombstones {
        FragmentedTombstones::new(
            ts.iter()
                .map(|&(b, e, s)| RangeTombstone::new(b.as_bytes(), e.as_bytes(), s)),
        )
    }

    fn t(b: &str, e: &str, s: u64) -> RangeTombstone {
        RangeTombstone::new(b.as_bytes(), e.as_bytes(), s)
    }

    #[test]
    fn clips_to_bounds_and_skips_disjoint() {
        let all = set(&[("a", "k", 9), ("m", "p", 4), ("x", "z", 2)]);
        let (kept, dropped) = output_tombstones(&all, &[], false, Some(b"d"), Some(b"n"));
        assert_eq!(kept, vec![t("d", "k", 9), t("m", "n", 4)]);
        assert_eq!(dropped, 0);
        // A bound exactly at a tombstone's end leaves nothing of it.
        let (kept, _) = output_tombstones(&all, &[], false, Some(b"k"), Some(b"m"));
        assert!(kept.is_empty());
    }

    #[test]
    fn bottommost_drops_only_the_oldest_stripe() {
        let all = set(&[("a", "k", 9), ("c", "f", 3), ("c", "f", 5)]);
        let (kept, dropped) = output_tombstones(&all, &[5, 7], true, Some(b"d"), Some(b"h"));
        assert_eq!(kept, vec![t("d", "h", 9)]);
        assert_eq!(dropped, 2);
        // Without snapshots everything goes at the bottom; nothing goes above it.
        let (kept, dropped) = output_tombstones(&all, &[], true, None, None);
        assert!(kept.is_empty());
        assert_eq!(dropped, 3);
        let (kept, dropped) = output_tombstones(&all, &[], false, None, None);
        assert_eq!(kept.len(), 3);
        assert_eq!(dropped, 0);
    }

    #[test]
    fn sorted_like_internal_keys_without_duplicates() {
        let all = set(&[
            ("c", "d", 1),
            ("a", "b", 2),
            ("a", "c", 7),
            ("c", "d", 1),
            ("a", "b", 9),
        ]);
        let (kept, _) = output_tombstones(&all, &[], false, None, None);
        assert_eq!(
            kept,
            vec![t("a", "b", 9), t("a", "c", 7), t("a", "b", 2), t("c", "d", 1)]
        );
    }

    #[test]
    fn adjacent_bounds_split_a_spanning_tombstone() {
        let all = set(&[("b", "y", 6)]);
        let (left, _) = output_tombstones(&all, &[], false, None, Some(b"m"));
        let (right, _) = output_tombstones(&all, &[], false, Some(b"m"), None);
        assert_eq!(left, vec![t("b", "m", 6)]);
        assert_eq!(right, vec![t("m", "y", 6)]);
    }
}
