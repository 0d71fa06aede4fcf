//! Zipf sampling by rejection-inversion: rand_distr's `Zipf` algorithm,
//! restated with two `powf` calls per draw instead of three
//! (`x^-s * b^s` computed as `(b/x)^s`) because key choice is on the
//! per-operation hot path.
//!
//! Invariants: [`ZipfSampler::sample`] returns a rank in `[1, n]` where rank
//! r has probability proportional to `1 / r^s`; the distribution is
//! identical to `rand_distr::Zipf::new(n, s)` (the test compares the two);
//! construction is O(1) (no zeta table), so it is cheap to rebuild when the
//! key space grows.

use crate::r#gen::rng::WorkloadRng;

/// Draws zipf-distributed ranks in `[1, n]` with exponent `s`.
#[derive(Debug, Clone, Copy)]
pub struct ZipfSampler {
    n: u64,
    s: f64,
    t: f64,
    q: f64,
}

impl ZipfSampler {
    /// A sampler over ranks `1..=n` with exponent `s` (`None` if `n == 0`
    /// or `s` is negative or not finite).
    pub fn new(n: u64, s: f64) -> Option<ZipfSampler> {
        if n == 0 || !(s.is_finite() && s >= 0.0) {
            return None;
        }
        let nf = n as f64;
        let (t, q) = if s != 1.0 {
            let q = 1.0 / (1.0 - s);
            ((nf.powf(1.0 - s) - s) * q, q)
        } else {
            (1.0 + nf.ln(), 0.0)
        };
        Some(ZipfSampler { n, s, t, q })
    }

    /// Inverse of the hat function's cumulative distribution.
    #[inline]
    fn inv_cdf(&self, p: f64) -> f64 {
        let pt = p * self.t;
        if pt <= 1.0 {
            pt
        } else if self.s != 1.0 {
            (pt * (1.0 - self.s) + self.s).powf(self.q)
        } else {
            (pt - 1.0).exp()
        }
    }

    /// The next rank, in `[1, n]`.
    #[inline]
    pub fn sample(&self, rng: &mut WorkloadRng) -> u64 {
        loop {
            let b = self.inv_cdf(rng.unit());
            let x = (b + 1.0).floor();
            // Acceptance ratio x^-s * b^s; always 1 for x == 1.
            let ratio = if x > 1.0 { (b / x).powf(self.s) } else { 1.0 };
            if rng.unit() < ratio {
                return (x as u64).clamp(1, self.n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::distr::Distribution as _;

    use super::*;

    /// Share of the first `k` ranks in `samples` draws.
    fn shares(counts: &[u64], samples: usize) -> Vec<f64> {
        let mut acc = 0;
        counts
            .iter()
            .map(|&c| {
                acc += c;
                acc as f64 / samples as f64
            })
            .collect()
    }

    #[test]
    fn matches_rand_distr_zipf() {
        let samples = 200_000;
        for (n, s) in [
            (50u64, 0.5),
            (50, 0.99),
            (50, 1.0),
            (50, 1.5),
            (1, 0.99),
            (7, 3.0),
        ] {
            let ours = ZipfSampler::new(n, s).unwrap();
            let oracle = rand_distr::Zipf::new(n as f64, s).unwrap();
            let mut a = vec![0u64; n as usize];
            let mut b = vec![0u64; n as usize];
            let mut rng = WorkloadRng::new(11);
            for _ in 0..samples {
                let r = ours.sample(&mut rng);
                assert!((1..=n).contains(&r));
                a[r as usize - 1] += 1;
                b[oracle.sample(&mut rng) as usize - 1] += 1;
            }
            for (x, y) in shares(&a, samples).iter().zip(shares(&b, samples)) {
                assert!((x - y).abs() < 0.01, "n={n} s={s}: {x} vs {y}");
            }
        }
    }

    #[test]
    fn rejects_bad_parameters() {
        assert!(ZipfSampler::new(0, 1.0).is_none());
        assert!(ZipfSampler::new(10, -1.0).is_none());
        assert!(ZipfSampler::new(10, f64::NAN).is_none());
        let huge = ZipfSampler::new(u64::MAX, 0.99).unwrap();
        let mut rng = WorkloadRng::new(1);
        for _ in 0..1000 {
            assert!(huge.sample(&mut rng) >= 1);
        }
    }
}
