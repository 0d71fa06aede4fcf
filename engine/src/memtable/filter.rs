//! The memtable's whole-key bloom filter (RocksDB's
//! `memtable_whole_key_filtering`): a point read of a key the memtable does
//! not hold answers from one cache line instead of a skiplist descent of a
//! dozen or more cache misses. Most point reads miss the memtable (keys
//! written long ago, missing keys), so this is the common case.
//!
//! Layout: the table filter's (see [`crate::sst::filter`]): 512-bit lines,
//! the line chosen by the high half of [`hash64`], [`PROBES`] bits inside it
//! by double hashing ([`probe`]); held in memory only, never persisted, so
//! its size is free to follow the write buffer: [`filter_bytes`].
//!
//! Concurrency: the single memtable writer sets a key's bits (atomic
//! `fetch_or`, `Relaxed`) *before* it links the key into the skiplist, and
//! the write path publishes the key's sequence (`visible_seq`, `Release`)
//! after that. A reader whose read sequence covers the key loaded that
//! sequence with `Acquire`, so it sees the bits: no false negatives for any
//! entry a read may return. Bits are never cleared.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::sst::filter::{LINE_WORDS, hash64, probe};

/// Bits probed per key: the best `k` for about 9 to 14 bits per key.
pub const PROBES: u8 = 6;

/// Filter bytes for a memtable of `write_buffer_size` bytes: one bit per 8
/// bytes of write buffer (1 MiB for 64 MiB). Entries of 116 user bytes take
/// about 140 arena bytes, so that is ~17 bits per key (false-positive rate
/// well under 1%); entries of 30 bytes still get ~7 bits.
pub fn filter_bytes(write_buffer_size: usize) -> usize {
    write_buffer_size / 64
}

/// A concurrent blocked bloom filter over user keys.
pub struct MemFilter {
    words: Box<[AtomicU64]>,
    lines: u32,
}

impl MemFilter {
    /// A filter of about `bytes` bytes (at least one 64-byte line).
    pub fn new(bytes: usize) -> MemFilter {
        let lines = (bytes / (LINE_WORDS * 8)).clamp(1, u32::MAX as usize) as u32;
        MemFilter {
            words: (0..lines as usize * LINE_WORDS)
                .map(|_| AtomicU64::new(0))
                .collect(),
            lines,
        }
    }

    /// The hash both `add` and `may_contain` take (computed once per read).
    #[inline]
    pub fn hash(user_key: &[u8]) -> u64 {
        hash64(user_key)
    }

    /// Records a key by its [`MemFilter::hash`].
    #[inline]
    pub fn add(&self, h: u64) {
        let (line, masks) = probe(h, self.lines, PROBES);
        let words = &self.words[line * LINE_WORDS..][..LINE_WORDS];
        for (w, m) in words.iter().zip(masks) {
            if m != 0 && w.load(Relaxed) & m != m {
                w.fetch_or(m, Relaxed);
            }
        }
    }

    /// False only if no key with hash `h` was added.
    #[inline]
    pub fn may_contain(&self, h: u64) -> bool {
        let (line, masks) = probe(h, self.lines, PROBES);
        let words = &self.words[line * LINE_WORDS..][..LINE_WORDS];
        words.iter().zip(masks).all(|(w, m)| w.load(Relaxed) & m == m)
    }

    /// Bytes held.
    pub fn memory_usage(&self) -> usize {
        self.words.len() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_false_negatives_and_few_false_positives() {
        let f = MemFilter::new(filter_bytes(4 << 20)); // 64 KiB = 512k bits
        let n = 40_000u32; // ~13 bits per key
        for i in 0..n {
            f.add(MemFilter::hash(format!("{i:016}").as_bytes()));
        }
        for i in 0..n {
            assert!(
                f.may_contain(MemFilter::hash(format!("{i:016}").as_bytes())),
                "false negative {i}"
            );
        }
        let fp = (0..100_000u32)
            .filter(|i| f.may_contain(MemFilter::hash(format!("{i:016}.").as_bytes())))
            .count();
        // Standard bloom theory at 13.1 bits/key, k = 6: 0.25%; a blocked
        // filter does somewhat worse. An always-true filter would give 100%.
        assert!(fp < 1_000, "{fp} false positives in 100000");
        assert_eq!(f.memory_usage(), 64 << 10);
    }

    #[test]
    fn tiny_filters_have_one_line_and_stay_correct() {
        let f = MemFilter::new(0);
        assert_eq!(f.memory_usage(), 64);
        assert!(!f.may_contain(MemFilter::hash(b"a")));
        f.add(MemFilter::hash(b"a"));
        assert!(f.may_contain(MemFilter::hash(b"a")));
    }

    #[test]
    fn probes_the_same_bits_as_the_table_filter() {
        // A table filter built from the same keys, at the same line count and
        // probe count, sets exactly the same bits.
        let keys: Vec<Vec<u8>> = (0..500u32).map(|i| format!("k{i}").into_bytes()).collect();
        let f = MemFilter::new(8 * 64);
        let mut b = crate::sst::filter::FilterBuilder::new(PROBES as f64 / std::f64::consts::LN_2);
        for k in &keys {
            f.add(MemFilter::hash(k));
            b.add(k);
        }
        let block = b.finish();
        // bits_per_key 8.66 x 500 keys = 4330 bits -> 9 lines; rebuild ours at 9.
        let lines = (block.len() - 5) / 64;
        let f9 = MemFilter::new(lines * 64);
        for k in &keys {
            f9.add(MemFilter::hash(k));
        }
        let ours: Vec<u8> = f9
            .words
            .iter()
            .flat_map(|w| w.load(Relaxed).to_le_bytes())
            .collect();
        assert_eq!(ours, block[..block.len() - 5]);
        assert!(keys.iter().all(|k| f.may_contain(MemFilter::hash(k))));
    }
}
