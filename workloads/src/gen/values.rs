//! Values with a target compressibility, like db_bench's `RandomGenerator`
//! and `--compression_ratio`.
//!
//! Invariants: the pool is a sequence of pieces, each exactly `value_size`
//! bytes; a piece is `round(value_size * compressibility)` random bytes
//! repeated to fill it, so an LZ-style compressor (snappy, lz4, zstd)
//! shrinks each value to about `compressibility` of its size (values under
//! ~64 bytes compress less well than the target because of format
//! overhead). Values are slices of the pool returned in turn, without
//! copying or allocating; the pool is about 1 MiB (at least two pieces), so
//! consecutive values in a data block are independent random data. The pool
//! is a pure function of (value_size, compressibility, seed).

use rand::RngCore;

use crate::r#gen::rng::WorkloadRng;

/// Bytes of pre-generated values (db_bench uses 1 MB).
const POOL_BYTES: usize = 1 << 20;

/// A pool of values with a target compressibility.
#[derive(Debug, Clone)]
pub struct ValuePool {
    pool: Vec<u8>,
    value_size: usize,
    pieces: usize,
    next: usize,
}

impl ValuePool {
    /// A pool of `value_size`-byte values that compress to about
    /// `compressibility` (clamped to (0, 1]; 1.0 = incompressible) of their size.
    pub fn new(value_size: usize, compressibility: f64, seed: u64) -> ValuePool {
        let ratio = if compressibility.is_finite() {
            compressibility.clamp(0.0, 1.0)
        } else {
            1.0
        };
        let pieces = POOL_BYTES.checked_div(value_size).map_or(1, |p| p.max(2));
        let mut pool = vec![0u8; value_size * pieces];
        let raw_len = ((value_size as f64 * ratio).round() as usize).clamp(1, value_size.max(1));
        let mut rng = WorkloadRng::new(seed);
        if value_size > 0 {
            for piece in pool.chunks_exact_mut(value_size) {
                let (raw, rest) = piece.split_at_mut(raw_len.min(value_size));
                rng.fill_bytes(raw);
                let mut filled = 0;
                while filled < rest.len() {
                    let n = raw.len().min(rest.len() - filled);
                    rest[filled..filled + n].copy_from_slice(&raw[..n]);
                    filled += n;
                }
            }
        }
        ValuePool {
            pool,
            value_size,
            pieces,
            next: 0,
        }
    }

    /// Starts handing out values at piece `start` (streams start at different
    /// pieces so threads do not write identical value sequences).
    pub fn with_start(mut self, start: u64) -> ValuePool {
        self.next = (start % self.pieces as u64) as usize;
        self
    }

    /// The size of every value.
    pub fn value_size(&self) -> usize {
        self.value_size
    }

    /// The next value, valid until the pool is dropped.
    #[inline]
    pub fn next_value(&mut self) -> &[u8] {
        let start = self.next * self.value_size;
        self.next += 1;
        if self.next == self.pieces {
            self.next = 0;
        }
        &self.pool[start..start + self.value_size]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snappy_ratio(data: &[u8]) -> f64 {
        let compressed = snap::raw::Encoder::new().compress_vec(data).expect("compress");
        compressed.len() as f64 / data.len() as f64
    }

    fn lz4_ratio(data: &[u8]) -> f64 {
        lz4_flex::block::compress(data).len() as f64 / data.len() as f64
    }

    #[test]
    fn single_values_hit_the_target_ratio() {
        for target in [0.25, 0.5, 0.75, 1.0] {
            let mut pool = ValuePool::new(1000, target, 7);
            for _ in 0..20 {
                let r = lz4_ratio(pool.next_value());
                assert!((r - target).abs() <= 0.1 * target, "lz4: target {target} got {r}");
            }
            // Snappy caps copies at 64 bytes, so its overhead is larger at
            // low ratios; it is still within 10% from 0.5 up.
            if target >= 0.5 {
                let r = snappy_ratio(pool.next_value());
                assert!(
                    (r - target).abs() <= 0.1 * target,
                    "snappy: target {target} got {r}"
                );
            }
        }
    }

    #[test]
    fn a_block_of_values_hits_the_target_ratio() {
        let mut pool = ValuePool::new(400, 0.5, 3);
        let mut block = Vec::new();
        for _ in 0..10 {
            block.extend_from_slice(pool.next_value());
        }
        let r = snappy_ratio(&block);
        assert!((r - 0.5).abs() <= 0.05, "got {r}");
    }

    #[test]
    fn deterministic_and_distinct_values() {
        let mut a = ValuePool::new(100, 0.5, 1);
        let mut b = ValuePool::new(100, 0.5, 1);
        let mut c = ValuePool::new(100, 0.5, 2).with_start(5);
        let va = a.next_value().to_vec();
        assert_eq!(va, b.next_value());
        assert_ne!(va, c.next_value());
        assert_ne!(va, a.next_value());
        assert_eq!(a.value_size(), 100);
    }

    #[test]
    fn wraps_around_and_handles_edge_sizes() {
        let mut p = ValuePool::new(600_000, 1.0, 1);
        let first = p.next_value().to_vec();
        p.next_value();
        assert_eq!(p.next_value(), first.as_slice());
        let mut z = ValuePool::new(0, 0.5, 1);
        assert!(z.next_value().is_empty());
        let mut tiny = ValuePool::new(1, 0.01, 1);
        assert_eq!(tiny.next_value().len(), 1);
    }
}
