//! Range tombstones and their fragmented form.
//!
//! A range tombstone `[begin, end)@seq` deletes every version of every user
//! key `k` with `begin <= k < end` whose sequence is below `seq`.
//!
//! NOTE: this first version answers queries by a linear scan; it is replaced
//! by a fragmented, binary-searchable representation (same API).

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

/// A set of range tombstones that answers "which tombstone covers this key".
#[derive(Debug, Clone, Default)]
pub struct FragmentedTombstones {
    tombstones: Vec<RangeTombstone>,
}

impl FragmentedTombstones {
    /// Builds the set (empty and inverted ranges are ignored).
    pub fn new(tombstones: impl IntoIterator<Item = RangeTombstone>) -> Self {
        FragmentedTombstones {
            tombstones: tombstones.into_iter().filter(|t| t.begin < t.end).collect(),
        }
    }
    /// True if there are no tombstones.
    pub fn is_empty(&self) -> bool {
        self.tombstones.is_empty()
    }
    /// The highest sequence of a tombstone covering `user_key` that is visible
    /// at `read_seq` (tombstone seq <= read_seq); 0 if none.
    pub fn max_covering_seq(&self, user_key: &[u8], read_seq: SequenceNumber) -> SequenceNumber {
        self.tombstones
            .iter()
            .filter(|t| t.seq <= read_seq && t.contains(user_key))
            .map(|t| t.seq)
            .max()
            .unwrap_or(0)
    }
    /// The tombstones (unfragmented in this version).
    pub fn tombstones(&self) -> &[RangeTombstone] {
        &self.tombstones
    }
}
