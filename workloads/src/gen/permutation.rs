//! A seeded random permutation of `[0, n)` computed on the fly, so `fill`
//! with `order: random` writes every key exactly once without holding a
//! shuffled array of all keys.
//!
//! Invariants: [`Permutation::get`] is a bijection on `[0, n)` for every
//! seed. It is a 4-round Feistel network over the smallest even-bit-width
//! domain covering `n`, with cycle walking: values that land outside
//! `[0, n)` are encrypted again until they land inside (at most 4x the
//! domain on average, so about 2 rounds of walking per call in the worst case).

use crate::r#gen::rng::mix;

/// A bijection on `[0, n)` determined by a seed.
#[derive(Debug, Clone)]
pub struct Permutation {
    n: u64,
    half_bits: u32,
    mask: u64,
    keys: [u64; 4],
}

impl Permutation {
    /// A permutation of `[0, n)` chosen by `seed`.
    pub fn new(n: u64, seed: u64) -> Permutation {
        let bits = 64 - n.saturating_sub(1).leading_zeros();
        let half_bits = bits.div_ceil(2).max(1);
        let mask = if half_bits >= 64 {
            u64::MAX
        } else {
            (1u64 << half_bits) - 1
        };
        let keys = [mix(seed, 1), mix(seed, 2), mix(seed, 3), mix(seed, 4)];
        Permutation {
            n,
            half_bits,
            mask,
            keys,
        }
    }

    /// The size of the permuted range.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// Whether the range is empty.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    #[inline]
    fn round(&self, x: u64, key: u64) -> u64 {
        let mut h = (x ^ key).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        h ^= h >> 29;
        h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        (h ^ (h >> 32)) & self.mask
    }

    #[inline]
    fn encrypt(&self, x: u64) -> u64 {
        let mut left = (x >> self.half_bits) & self.mask;
        let mut right = x & self.mask;
        for &k in &self.keys {
            let next = left ^ self.round(right, k);
            left = right;
            right = next;
        }
        (left << self.half_bits) | right
    }

    /// The image of `i` (`i` must be below `len()`; larger inputs are reduced mod n).
    #[inline]
    pub fn get(&self, i: u64) -> u64 {
        if self.n <= 1 {
            return 0;
        }
        let mut x = i % self.n;
        loop {
            x = self.encrypt(x);
            if x < self.n {
                return x;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_a_bijection_for_many_sizes() {
        for n in [1u64, 2, 3, 4, 5, 17, 100, 1000, 4096, 4097, 65_537] {
            let p = Permutation::new(n, n * 31 + 7);
            let mut seen = vec![false; n as usize];
            for i in 0..n {
                let v = p.get(i);
                assert!(v < n);
                assert!(!seen[v as usize], "n={n} duplicate {v}");
                seen[v as usize] = true;
            }
        }
    }

    #[test]
    fn different_seeds_differ_and_order_is_scrambled() {
        let a = Permutation::new(10_000, 1);
        let b = Permutation::new(10_000, 2);
        let va: Vec<u64> = (0..100).map(|i| a.get(i)).collect();
        let vb: Vec<u64> = (0..100).map(|i| b.get(i)).collect();
        assert_ne!(va, vb);
        let ascending = va.windows(2).filter(|w| w[0] < w[1]).count();
        assert!((25..75).contains(&ascending), "looks sorted: {ascending}");
    }
}
