//! Deterministic random numbers for workload generation.
//!
//! Invariants: [`WorkloadRng`] is xoshiro256++ seeded through SplitMix64, a
//! fixed algorithm written out here so that a suite seed produces the same
//! operation sequence on every platform and with every `rand` version (the
//! `rand` crate's `SmallRng` makes no such promise). It implements
//! [`rand::RngCore`], so `rand_distr` distributions can draw from it.
//! [`mix`] derives independent seeds (per thread, per purpose) from one seed;
//! [`fnv64`] is the FNV-1a hash YCSB uses to scramble zipf ranks.

use rand::RngCore;

/// One SplitMix64 step: advances `state` and returns a well-mixed 64-bit value.
#[inline]
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Combines a seed with a tag into a new, statistically independent seed
/// (used to derive per-thread and per-purpose streams from one seed).
#[inline]
pub fn mix(seed: u64, tag: u64) -> u64 {
    let mut s = seed ^ tag.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    splitmix64(&mut s) ^ splitmix64(&mut s).rotate_left(17)
}

/// The seed of one operation stream: deterministic for (suite seed, matrix
/// cell index, repetition, phase index). Threads of the phase share it and
/// are told apart by their thread number in [`crate::OpStream::new`].
pub fn stream_seed(suite_seed: u64, cell: usize, repetition: usize, phase_index: usize) -> u64 {
    mix(
        mix(mix(suite_seed, cell as u64), repetition as u64 ^ 0x5245_5045),
        phase_index as u64 ^ 0x5048_4153,
    )
}

/// 64-bit FNV-1a of the little-endian bytes of `value` (YCSB's `fnvhash64`).
#[inline]
pub fn fnv64(value: u64) -> u64 {
    const OFFSET: u64 = 0xCBF2_9CE4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01B3;
    let mut hash = OFFSET;
    for byte in value.to_le_bytes() {
        hash ^= byte as u64;
        hash = hash.wrapping_mul(PRIME);
    }
    hash
}

/// xoshiro256++: fast (about 1 ns per draw), 256 bits of state, passes BigCrush.
#[derive(Debug, Clone)]
pub struct WorkloadRng {
    s: [u64; 4],
}

impl WorkloadRng {
    /// A generator whose whole output is determined by `seed`.
    pub fn new(seed: u64) -> WorkloadRng {
        let mut sm = seed;
        let mut s = [0u64; 4];
        for word in &mut s {
            *word = splitmix64(&mut sm);
        }
        // All-zero state is the one fixed point; SplitMix64 never yields four
        // zeros in a row, but keep the guarantee explicit.
        if s == [0; 4] {
            s[0] = 1;
        }
        WorkloadRng { s }
    }

    /// The next 64 random bits.
    #[inline]
    pub fn draw(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A uniform integer in `[0, n)` (Lemire's multiply-shift; `n == 0` gives 0).
    /// Each value's probability is off by at most n/2^64, negligible for any
    /// benchmark key space; it trades exactness for a branch-free draw.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.draw() as u128 * n as u128) >> 64) as u64
    }

    /// A uniform float in `[0, 1)` with 53 random bits.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.draw() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

impl RngCore for WorkloadRng {
    fn next_u32(&mut self) -> u32 {
        (self.draw() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        self.draw()
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        let mut chunks = dst.chunks_exact_mut(8);
        for chunk in &mut chunks {
            chunk.copy_from_slice(&self.draw().to_le_bytes());
        }
        let rest = chunks.into_remainder();
        if !rest.is_empty() {
            let bytes = self.draw().to_le_bytes();
            rest.copy_from_slice(&bytes[..rest.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_different_seed_differs() {
        let mut a = WorkloadRng::new(7);
        let mut b = WorkloadRng::new(7);
        let mut c = WorkloadRng::new(8);
        let xs: Vec<u64> = (0..100).map(|_| a.draw()).collect();
        let ys: Vec<u64> = (0..100).map(|_| b.draw()).collect();
        let zs: Vec<u64> = (0..100).map(|_| c.draw()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn below_stays_in_range_and_unit_in_unit_interval() {
        let mut r = WorkloadRng::new(1);
        for n in [1u64, 2, 3, 10, 1000, u64::MAX] {
            for _ in 0..1000 {
                assert!(r.below(n) < n);
            }
        }
        assert_eq!(r.below(0), 0);
        for _ in 0..10_000 {
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
    }

    #[test]
    fn fnv64_matches_reference_values() {
        // FNV-1a of eight zero bytes, computed independently byte by byte.
        let mut h: u64 = 0xcbf29ce484222325;
        for _ in 0..8 {
            h ^= 0;
            h = h.wrapping_mul(0x100000001b3);
        }
        assert_eq!(fnv64(0), h);
        assert_ne!(fnv64(1), fnv64(2));
    }

    #[test]
    fn mixed_seeds_are_distinct() {
        let seeds: std::collections::HashSet<u64> = (0..1000).map(|t| mix(42, t)).collect();
        assert_eq!(seeds.len(), 1000);
        assert_ne!(stream_seed(1, 0, 0, 0), stream_seed(1, 0, 0, 1));
        assert_ne!(stream_seed(1, 0, 0, 0), stream_seed(1, 1, 0, 0));
        assert_ne!(stream_seed(1, 0, 0, 0), stream_seed(1, 0, 1, 0));
    }

    #[test]
    fn fill_bytes_covers_odd_lengths() {
        let mut r = WorkloadRng::new(3);
        let mut buf = [0u8; 13];
        r.fill_bytes(&mut buf);
        assert!(buf.iter().any(|&b| b != 0));
    }
}
