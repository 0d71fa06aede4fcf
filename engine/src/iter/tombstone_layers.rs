//! [`TombstoneLayers`]: the range tombstones one read applies, kept as a few
//! independently fragmented layers instead of one set built per read.
//!
//! A database iterator applies every range tombstone of every source. The
//! layers are each fragmented once and shared by all reads that use them
//! (RocksDB caches a `FragmentedRangeTombstoneList` per memtable and per
//! table the same way): the active memtable's set (cached by the memtable,
//! rebuilt only after a new range delete) and the rest of the super version
//! (immutable memtables and tables: they never change, so the super version
//! fragments them once, on first use). Creating an iterator then costs no
//! work in the number of tombstones, and each coverage check is
//! O(layers * log fragments).
//!
//! Invariant: a version of a key is covered iff a tombstone of some layer
//! covers it, so the highest covering sequence is the maximum over layers
//! (tombstones may appear in several layers; the maximum is unaffected).

use std::sync::Arc;

use super::fragmenter::FragmentedTombstones;
use crate::key::SequenceNumber;

/// A few fragmented tombstone sets applied together (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct TombstoneLayers {
    layers: Vec<Arc<FragmentedTombstones>>,
}

impl TombstoneLayers {
    /// The union of `layers` (empty ones are left out).
    pub fn new(layers: impl IntoIterator<Item = Arc<FragmentedTombstones>>) -> Self {
        TombstoneLayers {
            layers: layers.into_iter().filter(|l| !l.is_empty()).collect(),
        }
    }

    /// True if no layer holds a tombstone.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// The highest sequence of a tombstone of any layer covering `user_key`
    /// and visible at `read_seq`; 0 if none.
    #[inline]
    pub fn max_covering_seq(&self, user_key: &[u8], read_seq: SequenceNumber) -> SequenceNumber {
        self.layers
            .iter()
            .map(|l| l.max_covering_seq(user_key, read_seq))
            .max()
            .unwrap_or(0)
    }
}

impl From<Arc<FragmentedTombstones>> for TombstoneLayers {
    fn from(set: Arc<FragmentedTombstones>) -> Self {
        TombstoneLayers::new([set])
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::iter::fragmenter::RangeTombstone;

    fn tombstones() -> impl Strategy<Value = Vec<RangeTombstone>> {
        let key = || prop::collection::vec(b'a'..b'f', 0..3);
        prop::collection::vec(
            (key(), key(), 1u64..30).prop_map(|(b, e, seq)| RangeTombstone {
                begin: b,
                end: e,
                seq,
            }),
            0..20,
        )
    }

    proptest! {
        /// Layers answer as one set built from all their tombstones.
        #[test]
        fn layers_match_one_merged_set(
            a in tombstones(),
            b in tombstones(),
            queries in prop::collection::vec((prop::collection::vec(b'a'..b'f', 0..3), 0u64..32), 1..30),
        ) {
            let layers = TombstoneLayers::new([
                Arc::new(FragmentedTombstones::new(a.clone())),
                Arc::new(FragmentedTombstones::new(b.clone())),
            ]);
            let all = FragmentedTombstones::new(a.into_iter().chain(b));
            prop_assert_eq!(layers.is_empty(), all.is_empty());
            for (k, s) in &queries {
                prop_assert_eq!(layers.max_covering_seq(k, *s), all.max_covering_seq(k, *s));
            }
        }
    }
}
