//! The block cache: uncompressed blocks keyed by (file number, block
//! offset), sharded by key hash so concurrent readers rarely contend, each
//! shard a byte-bounded CLOCK map (`clock.rs`: a hit sets one bit instead
//! of relinking an LRU list).
//!
//! Invariants: the charge of a block is its memory size
//! ([`Block::charge`]); each shard holds at most `capacity / shards` bytes,
//! so the whole cache holds at most `capacity`. File numbers are never
//! reused, so a cached block can never be returned for a different file.

use std::sync::Arc;

use parking_lot::Mutex;

use super::clock::Clock;
use super::lru::mix64;
use crate::sst::Block;

/// Smallest shard worth having: below this, fewer shards are used.
const MIN_SHARD_BYTES: usize = 512 << 10;
/// Most shards used.
const MAX_SHARD_BITS: u32 = 4;

type BlockKey = (u64, u64);
type Shard = Mutex<Clock<BlockKey, Arc<Block>>>;

/// A sharded, byte-bounded CLOCK cache of decoded blocks.
pub struct BlockCache {
    shards: Box<[Shard]>,
    shard_bits: u32,
    capacity: usize,
}

impl std::fmt::Debug for BlockCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockCache")
            .field("shards", &self.shards.len())
            .field("capacity", &self.capacity)
            .field("usage", &self.usage())
            .finish()
    }
}

impl BlockCache {
    /// A cache of `capacity_bytes`, with up to 16 shards of at least 512 KiB.
    pub fn new(capacity_bytes: usize) -> Arc<BlockCache> {
        let mut bits = 0;
        while bits < MAX_SHARD_BITS && capacity_bytes >> (bits + 1) >= MIN_SHARD_BYTES {
            bits += 1;
        }
        Self::with_shard_bits(capacity_bytes, bits)
    }

    /// A cache of `capacity_bytes` split into `2^shard_bits` shards.
    pub fn with_shard_bits(capacity_bytes: usize, shard_bits: u32) -> Arc<BlockCache> {
        let shard_bits = shard_bits.min(16);
        let n = 1usize << shard_bits;
        let per_shard = capacity_bytes / n;
        Arc::new(BlockCache {
            shards: (0..n).map(|_| Mutex::new(Clock::new(per_shard))).collect(),
            shard_bits,
            capacity: capacity_bytes,
        })
    }

    fn shard(&self, file_number: u64, offset: u64) -> &Shard {
        if self.shard_bits == 0 {
            return &self.shards[0];
        }
        let h = mix64(file_number.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ offset);
        &self.shards[(h >> (64 - self.shard_bits)) as usize]
    }

    /// The cached block at `offset` of table `file_number`, if present.
    pub fn get(&self, file_number: u64, offset: u64) -> Option<Arc<Block>> {
        self.shard(file_number, offset)
            .lock()
            .get(&(file_number, offset))
            .cloned()
    }

    /// Caches `block`, evicting blocks of its shard by the CLOCK policy as
    /// needed. A block larger than a whole shard is not cached.
    pub fn insert(&self, file_number: u64, offset: u64, block: Arc<Block>) {
        let charge = block.charge();
        let mut evicted = Vec::new();
        self.shard(file_number, offset)
            .lock()
            .insert((file_number, offset), block, charge, &mut evicted);
        // Blocks are freed here, outside the shard lock.
        drop(evicted);
    }

    /// Bytes currently charged.
    pub fn usage(&self) -> usize {
        self.shards.iter().map(|s| s.lock().usage()).sum()
    }

    /// Configured capacity in bytes.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty block (restart array [0], count 1) whose buffer has `len`
    /// bytes of capacity, so its charge is about `len`.
    fn block(len: usize) -> Arc<Block> {
        let mut data = Vec::with_capacity(len.max(8));
        data.extend_from_slice(&[0, 0, 0, 0, 1, 0, 0, 0]);
        Arc::new(Block::new(data, Arc::from("t"), 0).expect("valid"))
    }

    #[test]
    fn respects_byte_capacity_and_gives_a_second_chance() {
        let one = block(1000).charge();
        let cache = BlockCache::with_shard_bits(one * 3, 0);
        for off in 0..3 {
            cache.insert(1, off, block(1000));
        }
        assert_eq!(cache.usage(), one * 3);
        assert!(cache.get(1, 0).is_some()); // 0 referenced: 1 goes first
        cache.insert(1, 3, block(1000));
        assert!(cache.usage() <= cache.capacity());
        assert!(cache.get(1, 1).is_none());
        assert!(cache.get(1, 0).is_some());
        assert!(cache.get(1, 3).is_some());
        // Oversized blocks are not cached.
        cache.insert(2, 0, block(one * 4));
        assert!(cache.get(2, 0).is_none());
    }

    #[test]
    fn sharded_cache_stays_bounded() {
        let cache = BlockCache::new(4 << 20);
        assert_eq!(cache.shards.len(), 8);
        for i in 0..10_000u64 {
            cache.insert(i % 7, i, block(4096));
            assert!(cache.usage() <= cache.capacity());
        }
        assert!(cache.usage() > cache.capacity() / 2);
        assert_eq!(BlockCache::new(100).shards.len(), 1);
        assert_eq!(BlockCache::new(1 << 30).shards.len(), 16);
    }
}
