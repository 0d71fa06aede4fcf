//! Iterating a [`Block`]: seek by binary search over the restart points,
//! then a linear scan; `prev` rescans from the restart point before.
//!
//! A malformed entry (bad varint, shared prefix longer than the previous key,
//! key shorter than an internal-key trailer, lengths past the entry area, a
//! restart entry with `shared != 0`) makes the iterator invalid with
//! `Error::Corruption` naming the file and the block offset. Nothing here
//! panics on bad bytes. Iteration reuses one key buffer: no allocation per
//! entry.

use std::cmp::Ordering;
use std::sync::Arc;

use super::block::Block;
use crate::error::{Error, Result};
use crate::iter::InternalIterator;
use crate::key::{TRAILER_LEN, compare_internal_keys};

/// Iterates one block. Implements [`InternalIterator`]; keys are internal keys.
pub struct BlockIter {
    block: Arc<Block>,
    /// Offset of the current entry; `restarts_offset` when not valid.
    current: usize,
    /// Offset of the entry after the current one.
    next: usize,
    /// Restart point at or before `current`.
    restart_index: usize,
    key: Vec<u8>,
    value: (usize, usize),
    err: Option<Error>,
}

impl BlockIter {
    /// An unpositioned iterator over `block`.
    pub fn new(block: Arc<Block>) -> Self {
        Self::with_key_buffer(block, Vec::new())
    }

    /// An unpositioned iterator that reuses `buf` (cleared) as its key
    /// buffer, so a point read can run several block seeks on one allocation.
    pub fn with_key_buffer(block: Arc<Block>, mut buf: Vec<u8>) -> Self {
        buf.clear();
        let end = block.restarts_offset;
        BlockIter {
            block,
            current: end,
            next: end,
            restart_index: 0,
            key: buf,
            value: (0, 0),
            err: None,
        }
    }

    /// Consumes the iterator, returning its key buffer (the current key if valid).
    pub fn into_key(self) -> Vec<u8> {
        self.key
    }

    /// Switches to another block, keeping the key buffer (unpositioned).
    pub fn set_block(&mut self, block: Arc<Block>) {
        self.current = block.restarts_offset;
        self.next = self.current;
        self.block = block;
        self.restart_index = 0;
        self.err = None;
    }

    /// The block being iterated.
    pub fn block(&self) -> &Arc<Block> {
        &self.block
    }

    fn invalidate(&mut self) {
        self.current = self.block.restarts_offset;
        self.next = self.current;
    }

    fn fail(&mut self, detail: &str) {
        self.err = Some(self.block.corruption(detail));
        self.invalidate();
    }

    fn seek_to_restart(&mut self, i: usize) {
        self.key.clear();
        self.restart_index = i;
        self.next = self.block.restart_point(i);
        self.current = self.next;
    }

    /// Decodes the entry at `self.next`; false at the end or on corruption.
    #[inline]
    fn parse_next(&mut self) -> bool {
        let b = &*self.block;
        let p = self.next;
        if p >= b.restarts_offset {
            self.invalidate();
            return false;
        }
        let Some((shared, unshared, value_len, n)) = b.decode_entry(p) else {
            self.fail("malformed block entry");
            return false;
        };
        if shared > self.key.len() || shared + unshared < TRAILER_LEN {
            self.fail("block entry key shares more than the previous key or is too short");
            return false;
        }
        let key_start = p + n;
        self.key.truncate(shared);
        self.key
            .extend_from_slice(&b.data[key_start..key_start + unshared]);
        self.value = (key_start + unshared, key_start + unshared + value_len);
        self.current = p;
        self.next = self.value.1;
        while self.restart_index + 1 < b.num_restarts
            && b.restart_point(self.restart_index + 1) < self.current
        {
            self.restart_index += 1;
        }
        true
    }

    /// Positions at the first entry >= target; returns whether one exists.
    fn seek_inner(&mut self, target: &[u8]) {
        if self.err.is_some() {
            return;
        }
        let (mut left, mut right) = (0usize, self.block.num_restarts - 1);
        while left < right {
            let mid = (left + right).div_ceil(2);
            let Some(k) = self.block.restart_key(mid) else {
                self.fail("malformed restart entry");
                return;
            };
            if compare_internal_keys(k, target) == Ordering::Less {
                left = mid;
            } else {
                right = mid - 1;
            }
        }
        self.seek_to_restart(left);
        while self.parse_next() {
            if compare_internal_keys(&self.key, target) != Ordering::Less {
                return;
            }
        }
    }
}

impl InternalIterator for BlockIter {
    fn valid(&self) -> bool {
        self.current < self.block.restarts_offset
    }

    fn seek_to_first(&mut self) {
        if self.err.is_some() {
            return;
        }
        self.seek_to_restart(0);
        self.parse_next();
    }

    fn seek_to_last(&mut self) {
        if self.err.is_some() {
            return;
        }
        self.seek_to_restart(self.block.num_restarts - 1);
        while self.parse_next() && self.next < self.block.restarts_offset {}
    }

    fn seek(&mut self, target: &[u8]) {
        self.seek_inner(target);
    }

    fn seek_for_prev(&mut self, target: &[u8]) {
        self.seek_inner(target);
        if self.err.is_some() {
            return;
        }
        if !self.valid() {
            self.seek_to_last();
        } else if compare_internal_keys(&self.key, target) == Ordering::Greater {
            self.prev();
        }
    }

    fn next(&mut self) {
        debug_assert!(self.valid());
        self.parse_next();
    }

    fn prev(&mut self) {
        debug_assert!(self.valid());
        let original = self.current;
        while self.block.restart_point(self.restart_index) >= original {
            if self.restart_index == 0 {
                self.invalidate();
                return;
            }
            self.restart_index -= 1;
        }
        self.seek_to_restart(self.restart_index);
        while self.parse_next() && self.next < original {}
        if self.err.is_none() && self.next != original && self.valid() {
            self.fail("block entries do not chain back to the previous entry");
        }
    }

    fn key(&self) -> &[u8] {
        &self.key
    }

    fn value(&self) -> &[u8] {
        &self.block.data[self.value.0..self.value.1]
    }

    fn status(&self) -> Result<()> {
        match &self.err {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::key::{InternalKey, ValueKind};
    use crate::sst::block_builder::BlockBuilder;

    fn build(entries: &BTreeMap<InternalKey, Vec<u8>>, interval: usize) -> Arc<Block> {
        let mut b = BlockBuilder::new(interval);
        for (k, v) in entries {
            b.add(k.encoded(), v);
        }
        Arc::new(Block::new(b.finish().to_vec(), Arc::from("test.sst"), 0).expect("valid block"))
    }

    fn ik(user: &[u8], seq: u64) -> InternalKey {
        InternalKey::new(user, seq, ValueKind::Value)
    }

    fn model_strategy() -> impl Strategy<Value = BTreeMap<InternalKey, Vec<u8>>> {
        prop::collection::btree_map(
            (prop::collection::vec(0u8..4, 0..6), 0u64..50).prop_map(|(u, s)| ik(&u, s)),
            prop::collection::vec(any::<u8>(), 0..20),
            0..80,
        )
    }

    fn check_against_model(model: &BTreeMap<InternalKey, Vec<u8>>, interval: usize, probes: &[InternalKey]) {
        let block = build(model, interval);
        let mut it = block.iter();
        // Forward.
        it.seek_to_first();
        let mut got = Vec::new();
        while it.valid() {
            got.push((it.key().to_vec(), it.value().to_vec()));
            it.next();
        }
        let want: Vec<_> = model.iter().map(|(k, v)| (k.0.clone(), v.clone())).collect();
        assert_eq!(got, want);
        // Backward.
        it.seek_to_last();
        let mut back = Vec::new();
        while it.valid() {
            back.push((it.key().to_vec(), it.value().to_vec()));
            it.prev();
        }
        back.reverse();
        assert_eq!(back, want);
        it.status().expect("no error");
        // Seeks: exact, between, before first, after last.
        for p in probes {
            it.seek(p.encoded());
            let expect = model.range(p.clone()..).next();
            assert_eq!(it.valid(), expect.is_some());
            if let Some((k, v)) = expect {
                assert_eq!((it.key(), it.value()), (k.encoded(), v.as_slice()));
                // prev from a seek lands on the predecessor.
                it.prev();
                let before = model.range(..k.clone()).next_back();
                assert_eq!(it.valid(), before.is_some());
                if let Some((bk, _)) = before {
                    assert_eq!(it.key(), bk.encoded());
                }
            }
            it.seek_for_prev(p.encoded());
            let expect = model.range(..=p.clone()).next_back();
            assert_eq!(it.valid(), expect.is_some());
            if let Some((k, _)) = expect {
                assert_eq!(it.key(), k.encoded());
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn block_matches_btreemap(model in model_strategy(),
                                  probes in prop::collection::vec((prop::collection::vec(0u8..5, 0..7), 0u64..60), 1..20)) {
            let probes: Vec<InternalKey> = probes.iter().map(|(u, s)| ik(u, *s)).collect();
            for interval in [1, 2, 16] {
                check_against_model(&model, interval, &probes);
            }
        }
    }

    #[test]
    fn empty_block_is_never_valid() {
        let block = build(&BTreeMap::new(), 16);
        let mut it = block.iter();
        it.seek_to_first();
        assert!(!it.valid());
        it.seek_to_last();
        assert!(!it.valid());
        it.seek(ik(b"a", 1).encoded());
        assert!(!it.valid());
        it.status().expect("no error");
    }

    #[test]
    fn damaged_blocks_are_corruption_never_panic() {
        let mut model = BTreeMap::new();
        for i in 0..40u32 {
            model.insert(
                ik(format!("key{i:03}").as_bytes(), 7),
                vec![i as u8; (i % 5) as usize],
            );
        }
        let block = build(&model, 4);
        let bytes = block.data.clone();
        for i in 0..bytes.len() {
            for bit in [0x01u8, 0x80] {
                let mut b = bytes.clone();
                b[i] ^= bit;
                let Ok(block) = Block::new(b, Arc::from("x.sst"), 42) else {
                    continue;
                };
                let block = Arc::new(block);
                let mut it = block.iter();
                it.seek_to_first();
                while it.valid() {
                    it.next();
                }
                it.seek_to_last();
                while it.valid() {
                    it.prev();
                }
                it.seek(ik(b"key020", 7).encoded());
                if let Err(e) = it.status() {
                    assert!(matches!(e, Error::Corruption { ref file, offset: 42, .. } if file == "x.sst"));
                }
            }
        }
        assert!(Block::new(vec![1, 2], Arc::from("x"), 0).is_err());
        assert!(Block::new(vec![0, 0, 0, 0], Arc::from("x"), 0).is_err());
    }
}
