//! [`TableIndex`]: a table's index block decoded once, at open, into flat
//! arrays, so a seek is a binary search over integers instead of varint
//! decoding at every probe of the block's restart array.
//!
//! The on-disk index block is unchanged (`engine/docs/sst_format.md`); this
//! is only its in-memory form. For entry `i`:
//! - `keys[key_start(i)..key_ends[i]]` is the separator (an internal key);
//! - `handles[i]` is the data block it bounds;
//! - `prefixes[i]` is the 8 bytes of its user key that follow `common` (the
//!   prefix every user key of the index shares), big-endian, zero-padded.
//!
//! Invariants checked by [`TableIndex::decode`]: separators strictly
//! increase in internal-key order, are at least a trailer long, and every
//! handle ends (trailer included) inside the data region. A failure is
//! `Error::Corruption` naming the file and the index block's offset.
//!
//! Why the prefix search is exact: all keys and (after the check in
//! [`TableIndex::seek`]) the target start with `common`; when two
//! zero-padded 8-byte windows after it differ, the first differing byte is
//! either a real byte in both keys or the end of the shorter key, so the
//! windows order the user keys, hence the internal keys, the same way.
//! Only entries whose window equals the target's are compared in full.

use std::cmp::Ordering;
use std::sync::Arc;

use super::block::Block;
use super::format::BlockHandle;
use crate::error::{Error, Result};
use crate::iter::InternalIterator;
use crate::key::{TRAILER_LEN, compare_internal_keys, user_key};

/// A table's decoded index: one entry per data block.
#[derive(Debug)]
pub struct TableIndex {
    common: Vec<u8>,
    prefixes: Vec<u64>,
    key_ends: Vec<u32>,
    keys: Vec<u8>,
    handles: Vec<BlockHandle>,
}

/// The zero-padded 8 bytes of `user` after its first `skip` bytes, big-endian.
#[inline]
fn window(user: &[u8], skip: usize) -> u64 {
    let rest = &user[skip.min(user.len())..];
    let n = rest.len().min(8);
    let mut b = [0u8; 8];
    b[..n].copy_from_slice(&rest[..n]);
    u64::from_be_bytes(b)
}

impl TableIndex {
    /// Decodes `block` (the index block of `file`, read at `offset`), whose
    /// handles must end at or before `data_end`.
    pub fn decode(block: Arc<Block>, file: &str, offset: u64, data_end: u64) -> Result<TableIndex> {
        let bad = |detail: String| Error::corruption(file, offset, detail);
        let mut keys = Vec::new();
        let mut key_ends = Vec::new();
        let mut handles = Vec::new();
        let mut it = block.iter();
        it.seek_to_first();
        while it.valid() {
            let h = match BlockHandle::decode_varint(it.value()) {
                Some(h) if h.end() <= data_end => h,
                _ => {
                    return Err(bad(format!(
                        "index entry holds a bad block handle {:?}",
                        it.value()
                    )));
                }
            };
            let start = keys.len();
            if let Some(&prev) = key_ends.last() {
                let prev_start = key_ends.len().checked_sub(2).map_or(0, |j| key_ends[j] as usize);
                let prev_key = &keys[prev_start..prev as usize];
                if compare_internal_keys(prev_key, it.key()) != Ordering::Less {
                    return Err(bad("index keys are not in increasing order".to_string()));
                }
            }
            keys.extend_from_slice(it.key());
            let end = u32::try_from(keys.len()).map_err(|_| bad("index keys exceed 4 GiB".to_string()))?;
            debug_assert!(end as usize - start >= TRAILER_LEN);
            key_ends.push(end);
            handles.push(h);
            it.next();
        }
        it.status()?;
        let mut index = TableIndex {
            common: Vec::new(),
            prefixes: Vec::with_capacity(handles.len()),
            key_ends,
            keys,
            handles,
        };
        if let (Some(first), Some(last)) = (
            index.try_key(0),
            index.len().checked_sub(1).and_then(|l| index.try_key(l)),
        ) {
            // Sorted keys: what the first and last user keys share, all share.
            let (a, b) = (user_key(first), user_key(last));
            let cpl = a.iter().zip(b).take_while(|(x, y)| x == y).count();
            index.common = a[..cpl].to_vec();
        }
        let cpl = index.common.len();
        let prefixes = (0..index.len())
            .map(|i| window(user_key(index.key(i)), cpl))
            .collect();
        index.prefixes = prefixes;
        Ok(index)
    }

    /// Number of entries (data blocks).
    pub fn len(&self) -> usize {
        self.handles.len()
    }

    /// True if the table has no data blocks.
    pub fn is_empty(&self) -> bool {
        self.handles.is_empty()
    }

    fn try_key(&self, i: usize) -> Option<&[u8]> {
        let end = *self.key_ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.key_ends[i - 1] as usize };
        Some(&self.keys[start..end])
    }

    /// Separator `i` (an internal key). Panics if `i >= len()`.
    #[inline]
    pub fn key(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.key_ends[i - 1] as usize };
        &self.keys[start..self.key_ends[i] as usize]
    }

    /// Handle of data block `i`. Panics if `i >= len()`.
    #[inline]
    pub fn handle(&self, i: usize) -> BlockHandle {
        self.handles[i]
    }

    /// The first entry whose separator is `>= target` (an internal key), or
    /// `len()` if none is.
    pub fn seek(&self, target: &[u8]) -> usize {
        let tu = user_key(target);
        let cpl = self.common.len();
        if tu.len() < cpl || tu[..cpl] != self.common[..] {
            // The target leaves the shared prefix: it sorts before or after all.
            return if tu < &self.common[..] { 0 } else { self.len() };
        }
        let tw = window(tu, cpl);
        let lo = self.prefixes.partition_point(|&p| p < tw);
        let hi = lo + self.prefixes[lo..].partition_point(|&p| p == tw);
        let mut left = lo;
        let mut right = hi;
        while left < right {
            let mid = left + (right - left) / 2;
            if compare_internal_keys(self.key(mid), target) == Ordering::Less {
                left = mid + 1;
            } else {
                right = mid;
            }
        }
        left
    }
}

/// A cursor over a [`TableIndex`]: `pos == len()` is "not valid".
#[derive(Debug, Clone)]
pub struct IndexIter {
    index: Arc<TableIndex>,
    pos: usize,
}

impl IndexIter {
    /// An unpositioned (invalid) cursor over `index`.
    pub fn new(index: Arc<TableIndex>) -> Self {
        let pos = index.len();
        IndexIter { index, pos }
    }

    /// True when at an entry.
    #[inline]
    pub fn valid(&self) -> bool {
        self.pos < self.index.len()
    }

    /// Moves to the first entry (invalid if the index is empty).
    pub fn seek_to_first(&mut self) {
        self.pos = 0;
    }

    /// Moves to the last entry (invalid if the index is empty).
    pub fn seek_to_last(&mut self) {
        self.pos = self.index.len().saturating_sub(1);
    }

    /// Moves to the first entry whose separator is `>= target`.
    pub fn seek(&mut self, target: &[u8]) {
        self.pos = self.index.seek(target);
    }

    /// Moves to the next entry. REQUIRES: `valid()`.
    pub fn next(&mut self) {
        debug_assert!(self.valid());
        self.pos += 1;
    }

    /// Moves to the previous entry (invalid before the first). REQUIRES: `valid()`.
    pub fn prev(&mut self) {
        debug_assert!(self.valid());
        self.pos = if self.pos == 0 {
            self.index.len()
        } else {
            self.pos - 1
        };
    }

    /// The current separator. REQUIRES: `valid()`.
    pub fn key(&self) -> &[u8] {
        self.index.key(self.pos)
    }

    /// The current data block's handle. REQUIRES: `valid()`.
    pub fn handle(&self) -> BlockHandle {
        self.index.handle(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::key::{InternalKey, ValueKind};
    use crate::sst::block_builder::BlockBuilder;

    fn index_of(keys: &[InternalKey]) -> Result<TableIndex> {
        let mut b = BlockBuilder::new(1);
        let mut handle = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            handle.clear();
            BlockHandle::new(i as u64 * 100, 90).encode_varint(&mut handle);
            b.add(k.encoded(), &handle);
        }
        let block = Arc::new(Block::new(b.finish().to_vec(), Arc::from("t.sst"), 0)?);
        TableIndex::decode(block, "t.sst", 7, keys.len() as u64 * 100)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// The oracle: a linear scan for the first key >= target.
        #[test]
        fn seek_matches_linear_scan(
            prefix in prop::collection::vec(0u8..3, 0..12),
            suffixes in prop::collection::btree_set((prop::collection::vec(0u8..4, 0..10), 0u64..4), 0..40),
            probes in prop::collection::vec((prop::collection::vec(0u8..4, 0..14), 0u64..5), 1..30),
        ) {
            let mut keys: Vec<InternalKey> = suffixes
                .iter()
                .map(|(s, seq)| {
                    let mut u = prefix.clone();
                    u.extend_from_slice(s);
                    InternalKey::new(&u, *seq, ValueKind::Value)
                })
                .collect();
            keys.sort_by(|a, b| compare_internal_keys(a.encoded(), b.encoded()));
            keys.dedup();
            let index = index_of(&keys).expect("valid index");
            prop_assert_eq!(index.len(), keys.len());
            for (i, k) in keys.iter().enumerate() {
                prop_assert_eq!(index.key(i), k.encoded());
                prop_assert_eq!(index.handle(i), BlockHandle::new(i as u64 * 100, 90));
            }
            // Probes: random keys, and random keys under the shared prefix.
            for (u, seq) in &probes {
                let mut under = prefix.clone();
                under.extend_from_slice(u);
                for user in [u.clone(), under] {
                    let t = InternalKey::new(&user, *seq, ValueKind::Value);
                    let want = keys
                        .iter()
                        .position(|k| compare_internal_keys(k.encoded(), t.encoded()) != Ordering::Less)
                        .unwrap_or(keys.len());
                    prop_assert_eq!(index.seek(t.encoded()), want);
                }
            }
        }
    }

    #[test]
    fn iterator_walks_both_ways() {
        let keys: Vec<InternalKey> = (0..5u8)
            .map(|i| InternalKey::new(&[b'k', i], 1, ValueKind::Value))
            .collect();
        let mut it = IndexIter::new(Arc::new(index_of(&keys).expect("valid")));
        assert!(!it.valid());
        it.seek_to_last();
        let mut seen = Vec::new();
        while it.valid() {
            seen.push(it.key().to_vec());
            it.prev();
        }
        seen.reverse();
        assert_eq!(seen, keys.iter().map(|k| k.0.clone()).collect::<Vec<_>>());
        it.seek(keys[2].encoded());
        assert_eq!(it.key(), keys[2].encoded());
        it.next();
        it.next();
        it.next();
        assert!(!it.valid());
        let mut empty = IndexIter::new(Arc::new(index_of(&[]).expect("valid")));
        empty.seek_to_first();
        assert!(!empty.valid());
        empty.seek_to_last();
        assert!(!empty.valid());
    }

    #[test]
    fn bad_handles_and_order_are_corruption() {
        let k = |u: &[u8]| InternalKey::new(u, 1, ValueKind::Value);
        // A handle past the data region.
        let mut b = BlockBuilder::new(1);
        let mut h = Vec::new();
        BlockHandle::new(0, 500).encode_varint(&mut h);
        b.add(k(b"a").encoded(), &h);
        let block = Arc::new(Block::new(b.finish().to_vec(), Arc::from("t"), 0).expect("block"));
        let err = TableIndex::decode(block, "t.sst", 7, 100).expect_err("bad handle");
        assert!(matches!(err, Error::Corruption { offset: 7, .. }), "{err:?}");
        // Keys out of order (the builder does not check).
        let mut b = BlockBuilder::new(1);
        h.clear();
        BlockHandle::new(0, 10).encode_varint(&mut h);
        b.add(k(b"b").encoded(), &h);
        b.add(k(b"a").encoded(), &h);
        let block = Arc::new(Block::new(b.finish().to_vec(), Arc::from("t"), 0).expect("block"));
        let err = TableIndex::decode(block, "t.sst", 7, 100).expect_err("unsorted");
        assert!(matches!(err, Error::Corruption { offset: 7, .. }), "{err:?}");
    }
}
