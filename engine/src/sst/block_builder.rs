//! Builds one block (data or index) in the prefix-compressed format.
//!
//! ```text
//! entry    = shared varint32 | unshared varint32 | value_len varint32 | key[shared..] | value
//! block    = entry* | restart offset fixed32 * num_restarts | num_restarts fixed32
//! ```
//!
//! Invariants: keys are added in strictly increasing internal-key order (the
//! caller checks); every `restart_interval`-th entry is a restart point with
//! `shared == 0`; there is always at least one restart point (offset 0), so
//! even an empty block decodes.

use crate::coding::{put_fixed32, put_varint32};

/// Accumulates sorted entries into one encoded block.
#[derive(Debug)]
pub struct BlockBuilder {
    buf: Vec<u8>,
    restarts: Vec<u32>,
    restart_interval: usize,
    counter: usize,
    entries: usize,
    last_key: Vec<u8>,
}

impl BlockBuilder {
    /// An empty builder with a restart point every `restart_interval` entries
    /// (values below 1 are treated as 1).
    pub fn new(restart_interval: usize) -> Self {
        BlockBuilder {
            buf: Vec::new(),
            restarts: vec![0],
            restart_interval: restart_interval.max(1),
            counter: 0,
            entries: 0,
            last_key: Vec::new(),
        }
    }

    /// Appends an entry; `key` must sort after the previous key.
    pub fn add(&mut self, key: &[u8], value: &[u8]) {
        let mut shared = 0;
        if self.counter < self.restart_interval {
            let max = self.last_key.len().min(key.len());
            while shared < max && self.last_key[shared] == key[shared] {
                shared += 1;
            }
        } else {
            self.restarts.push(self.buf.len() as u32);
            self.counter = 0;
        }
        let unshared = key.len() - shared;
        put_varint32(&mut self.buf, shared as u32);
        put_varint32(&mut self.buf, unshared as u32);
        put_varint32(&mut self.buf, value.len() as u32);
        self.buf.extend_from_slice(&key[shared..]);
        self.buf.extend_from_slice(value);
        self.last_key.truncate(shared);
        self.last_key.extend_from_slice(&key[shared..]);
        self.counter += 1;
        self.entries += 1;
    }

    /// Size of the block if finished now.
    pub fn estimated_size(&self) -> usize {
        self.buf.len() + 4 * self.restarts.len() + 4
    }

    /// True if no entry has been added since the last reset.
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// Entries added since the last reset.
    pub fn len(&self) -> usize {
        self.entries
    }

    /// The last key added (empty if none).
    pub fn last_key(&self) -> &[u8] {
        &self.last_key
    }

    /// Appends the restart array and returns the finished block. The builder
    /// must be [`reset`](Self::reset) before reuse.
    pub fn finish(&mut self) -> &[u8] {
        for &r in &self.restarts {
            put_fixed32(&mut self.buf, r);
        }
        put_fixed32(&mut self.buf, self.restarts.len() as u32);
        &self.buf
    }

    /// Clears the builder, keeping its buffers' capacity.
    pub fn reset(&mut self) {
        self.buf.clear();
        self.restarts.clear();
        self.restarts.push(0);
        self.counter = 0;
        self.entries = 0;
        self.last_key.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coding::decode_fixed32;

    #[test]
    fn layout_matches_the_grammar() {
        let mut b = BlockBuilder::new(2);
        b.add(b"apple", b"1");
        b.add(b"apply", b"22");
        b.add(b"banana", b"");
        let est = b.estimated_size();
        let block = b.finish().to_vec();
        assert_eq!(block.len(), est);
        // entry 0: full key.
        assert_eq!(&block[..3], &[0, 5, 1]);
        assert_eq!(&block[3..9], b"apple1");
        // entry 1: shares "appl".
        assert_eq!(&block[9..12], &[4, 1, 2]);
        assert_eq!(&block[12..15], b"y22");
        // entry 2: restart point, full key.
        assert_eq!(&block[15..18], &[0, 6, 0]);
        let n = block.len();
        assert_eq!(decode_fixed32(&block[n - 4..]), 2);
        assert_eq!(decode_fixed32(&block[n - 12..]), 0);
        assert_eq!(decode_fixed32(&block[n - 8..]), 15);
        b.reset();
        assert!(b.is_empty());
        assert_eq!(b.finish(), &[0, 0, 0, 0, 1, 0, 0, 0]);
    }
}
