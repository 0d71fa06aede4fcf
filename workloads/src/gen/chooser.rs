//! [`KeyChooser`]: draws key numbers following a [`Distribution`].
//!
//! Invariants: [`KeyChooser::sample`] always returns a number in `[0, n)`
//! (0 when `n == 0`), never allocates, and is a pure function of the rng
//! state, so streams are reproducible. The zipf sampler is rand_distr's
//! rejection-inversion algorithm (`zipf.rs`; no O(n) zeta table), rebuilt
//! only when the key space grows (inserts). Scrambled zipf is YCSB's
//! `ScrambledZipfianGenerator`: a rank drawn over [`YCSB_ITEM_COUNT`] items
//! (independent of n, so every key is reachable and the hottest key gets
//! YCSB's 1/zeta(10^10) share), hashed with [`ycsb_fnv`] modulo n. Exact
//! meanings of each distribution are in `distribution.rs`.

use crate::r#gen::distribution::Distribution;
use crate::r#gen::rng::{WorkloadRng, fnv64};
use crate::r#gen::zipf::ZipfSampler;

/// Items YCSB's scrambled zipfian draws its rank over (`ITEM_COUNT`, 10^10),
/// whatever the key count.
pub const YCSB_ITEM_COUNT: u64 = 10_000_000_000;

/// YCSB's `Utils.fnvhash64`: FNV-1a over the 8 little-endian bytes, then
/// `Math.abs` of the signed result.
#[inline]
pub fn ycsb_fnv(value: u64) -> u64 {
    (fnv64(value) as i64).wrapping_abs() as u64
}

/// Draws key numbers in `[0, n)` following a [`Distribution`].
#[derive(Debug, Clone)]
pub struct KeyChooser {
    kind: Chooser,
    n: u64,
}

#[derive(Debug, Clone)]
enum Chooser {
    Uniform,
    /// Plain zipf (rank r is key r) or `latest` (rank r is key n-1-r),
    /// over the current key count.
    Zipf {
        zipf: Option<ZipfSampler>,
        theta: f64,
        built_for: u64,
        recency: bool,
    },
    /// YCSB's scrambled zipfian: rank over [`YCSB_ITEM_COUNT`], hashed mod n.
    Scrambled {
        zipf: Option<ZipfSampler>,
    },
    Hotspot {
        fraction: f64,
        probability: f64,
    },
    Sequential {
        next: u64,
    },
    Exponential {
        lambda: f64,
        mass: f64,
    },
}

impl KeyChooser {
    /// A chooser over `n` keys; a sequential chooser starts at `start`.
    pub fn new(dist: &Distribution, n: u64, start: u64) -> KeyChooser {
        let kind = match *dist {
            Distribution::Uniform => Chooser::Uniform,
            Distribution::Zipf {
                theta,
                scrambled: true,
            } => Chooser::Scrambled {
                zipf: ZipfSampler::new(YCSB_ITEM_COUNT, theta),
            },
            Distribution::Zipf {
                theta,
                scrambled: false,
            } => Chooser::Zipf {
                zipf: ZipfSampler::new(n.max(1), theta),
                theta,
                built_for: n,
                recency: false,
            },
            Distribution::Latest { theta } => Chooser::Zipf {
                zipf: ZipfSampler::new(n.max(1), theta),
                theta,
                built_for: n,
                recency: true,
            },
            Distribution::Hotspot {
                fraction,
                probability,
            } => Chooser::Hotspot {
                fraction,
                probability,
            },
            Distribution::Sequential => Chooser::Sequential { next: start },
            Distribution::Exponential { lambda } => Chooser::Exponential {
                lambda,
                mass: -(-lambda).exp_m1(),
            },
        };
        KeyChooser { kind, n }
    }

    /// The size of the key space being sampled.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// Whether the key space is empty (samples are then always 0).
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Changes the key-space size (the key space grows as a phase inserts).
    pub fn set_len(&mut self, n: u64) {
        self.n = n;
    }

    /// The next key number, in `[0, len())`.
    #[inline]
    pub fn sample(&mut self, rng: &mut WorkloadRng) -> u64 {
        let n = self.n;
        if n == 0 {
            return 0;
        }
        match &mut self.kind {
            Chooser::Uniform => rng.below(n),
            Chooser::Zipf {
                zipf,
                theta,
                built_for,
                recency,
            } => {
                if *built_for != n {
                    *zipf = ZipfSampler::new(n, *theta);
                    *built_for = n;
                }
                let rank = match zipf {
                    Some(z) => (z.sample(rng) - 1).min(n - 1),
                    None => rng.below(n),
                };
                if *recency { n - 1 - rank } else { rank }
            }
            Chooser::Scrambled { zipf } => match zipf {
                Some(z) => ycsb_fnv(z.sample(rng) - 1) % n,
                None => rng.below(n),
            },
            Chooser::Hotspot {
                fraction,
                probability,
            } => {
                let hot = ((*fraction * n as f64).round() as u64).clamp(1, n);
                if rng.unit() < *probability || hot == n {
                    rng.below(hot)
                } else {
                    hot + rng.below(n - hot)
                }
            }
            Chooser::Sequential { next } => {
                let k = *next % n;
                *next = k + 1;
                k
            }
            Chooser::Exponential { lambda, mass } => {
                // Inverse CDF of the exponential truncated to [0, 1).
                let x = -(-rng.unit() * *mass).ln_1p() / *lambda;
                ((x * n as f64) as u64).min(n - 1)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::r#gen::distribution::Distribution;

    #[test]
    fn samples_stay_in_range() {
        let mut rng = WorkloadRng::new(9);
        for dist in [
            Distribution::Uniform,
            Distribution::Zipf {
                theta: 0.99,
                scrambled: true,
            },
            Distribution::Zipf {
                theta: 1.5,
                scrambled: false,
            },
            Distribution::Latest { theta: 0.99 },
            Distribution::Hotspot {
                fraction: 0.1,
                probability: 0.9,
            },
            Distribution::Sequential,
            Distribution::Exponential { lambda: 0.01 },
            Distribution::Exponential { lambda: 50.0 },
        ] {
            for n in [1u64, 2, 7, 1000] {
                let mut c = KeyChooser::new(&dist, n, 5);
                for _ in 0..2000 {
                    assert!(c.sample(&mut rng) < n, "{dist:?} n={n}");
                }
            }
            let mut c = KeyChooser::new(&dist, 0, 0);
            assert_eq!(c.sample(&mut rng), 0);
        }
    }

    #[test]
    fn sequential_wraps_from_start() {
        let mut rng = WorkloadRng::new(1);
        let mut c = KeyChooser::new(&Distribution::Sequential, 5, 3);
        let got: Vec<u64> = (0..6).map(|_| c.sample(&mut rng)).collect();
        assert_eq!(got, vec![3, 4, 0, 1, 2, 3]);
    }

    #[test]
    fn ycsb_fnv_matches_java_math_abs_of_the_signed_hash() {
        // FNV-1a of 0 is 0xA8C7F832281A39C5, negative as a Java long.
        assert_eq!(fnv64(0), 0xA8C7_F832_281A_39C5);
        assert_eq!(ycsb_fnv(0), (0xA8C7_F832_281A_39C5u64 as i64).unsigned_abs());
        assert!(ycsb_fnv(0) < 1 << 63);
    }

    #[test]
    fn latest_follows_a_growing_key_space() {
        let mut rng = WorkloadRng::new(2);
        let mut c = KeyChooser::new(&Distribution::Latest { theta: 0.99 }, 100, 0);
        let hits = (0..10_000).filter(|_| c.sample(&mut rng) == 99).count();
        assert!(hits > 1000, "newest key should be hottest: {hits}");
        c.set_len(200);
        let hits = (0..10_000).filter(|_| c.sample(&mut rng) == 199).count();
        assert!(hits > 1000, "after growth the new newest key is hottest: {hits}");
    }
}
