//! Which order statistics bound a confidence interval of the median, as
//! benchstat's benchmath computes it (go-moremath `QuantileCI` at q = 0.5).
//!
//! The number of sample values below the population median is
//! Binomial(n, 1/2); interval k (0..=n) lies between the k-th and
//! (k+1)-th order statistics. Starting from the mode, whole intervals are
//! added, the more probable neighbour first (the left one on a tie), until
//! their probability reaches the requested confidence. For n > 30 the
//! binomial is replaced by its normal approximation with continuity
//! correction, and the symmetric band is tightened on the right when that
//! still meets the confidence.
//!
//! Result convention: 1-based orders `lo..=hi`; `lo == 0` or `hi == n + 1`
//! mean the bound is outside the sample (the sample is too small for the
//! confidence), which [`super::summary`] reports as "no interval".

use super::normal;

/// Sample size above which the normal approximation is used.
const EXACT_LIMIT: usize = 30;

/// The order statistics of a median confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MedianCi {
    /// 1-based order statistic of the lower bound (0 = minus infinity).
    pub lo: usize,
    /// 1-based order statistic of the upper bound (n + 1 = plus infinity).
    pub hi: usize,
    /// The interval's actual confidence (>= the requested one).
    pub confidence: f64,
}

impl MedianCi {
    /// Whether both bounds are sample values.
    pub fn is_finite(&self, n: usize) -> bool {
        self.lo >= 1 && self.hi <= n
    }
}

/// The median confidence interval for a sample of `n` at `confidence`.
pub fn median_ci(n: usize, confidence: f64) -> MedianCi {
    if confidence >= 1.0 || n == 0 {
        return MedianCi {
            lo: 0,
            hi: n + 1,
            confidence: 1.0,
        };
    }
    let (lo, hi, confidence) = if n <= EXACT_LIMIT {
        exact(n, confidence)
    } else {
        approximate(n, confidence)
    };
    MedianCi {
        lo: lo.max(0) as usize,
        hi: (hi as usize).min(n + 1),
        confidence,
    }
}

/// P(X = k) for X ~ Binomial(n, 1/2); 0 outside 0..=n.
fn pmf(n: usize, k: i64) -> f64 {
    if k < 0 || k as usize > n {
        return 0.0;
    }
    let k = k as usize;
    let k = k.min(n - k);
    // C(n, k) / 2^n, built as a product that stays in range for n <= 30.
    let mut c = 1.0f64;
    for i in 0..k {
        c = c * (n - i) as f64 / (i + 1) as f64;
    }
    c / 2f64.powi(n as i32)
}

/// Accumulates binomial intervals outward from the (left) mode.
fn exact(n: usize, confidence: f64) -> (i64, i64, f64) {
    let x = ((n as f64 + 1.0) * 0.5).ceil() as i64 - 1;
    let mut accum = pmf(n, x);
    let (mut l, mut r) = (x, x + 1);
    let (mut lp, mut rp) = (pmf(n, l - 1), pmf(n, r));
    while accum < confidence && (lp > 0.0 || rp > 0.0) {
        if lp >= rp {
            accum += lp;
            l -= 1;
            lp = pmf(n, l - 1);
        } else {
            accum += rp;
            r += 1;
            rp = pmf(n, r);
        }
    }
    (l, r, accum)
}

/// The normal approximation N(n/2, n/4) with continuity correction.
fn approximate(n: usize, confidence: f64) -> (i64, i64, f64) {
    let mu = n as f64 / 2.0;
    let sigma = (n as f64 / 4.0).sqrt();
    let alpha = (1.0 - confidence) / 2.0;
    let l1 = mu + sigma * normal::inv_cdf(alpha);
    let r1 = 2.0 * mu - l1;
    let l = ((l1 - 0.5).floor() + 0.5).floor() as i64 + 1;
    let mut r = ((r1 - 0.5).ceil() + 0.5).floor() as i64 + 1;
    let band = |l: i64, r: i64| {
        normal::cdf((r as f64 - 0.5 - mu) / sigma) - normal::cdf((l as f64 - 0.5 - mu) / sigma)
    };
    let mut conf = band(l, r);
    let biased = band(l, r - 1);
    if biased >= confidence && biased < conf {
        conf = biased;
        r -= 1;
    }
    if l <= 0 && r > n as i64 {
        conf = 1.0;
    }
    (l, r, conf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_intervals_computed_by_hand() {
        // n = 6: PMF x 64 = 1 6 15 20 15 6 1. From the mode (interval 3):
        // 20, +15 left, +15 right, +6 left, +6 right = 62/64 >= 0.95,
        // so the interval is x(1)..x(6): the whole sample.
        let ci = median_ci(6, 0.95);
        assert_eq!((ci.lo, ci.hi), (1, 6));
        assert!((ci.confidence - 62.0 / 64.0).abs() < 1e-15);
        assert!(ci.is_finite(6));
        // n = 5: 10,10,5,5 /32 = 30/32 < 0.95, then +1 left: lo = 0 (minus infinity).
        let ci = median_ci(5, 0.95);
        assert_eq!((ci.lo, ci.hi), (0, 5));
        assert!(!ci.is_finite(5));
        // n = 10: PMF x 1024 = 1 10 45 120 210 252 210 120 45 10 1;
        // 252+210+210+120+120+45+45 = 1002/1024 = 0.9785 -> x(2)..x(9).
        let ci = median_ci(10, 0.95);
        assert_eq!((ci.lo, ci.hi), (2, 9));
        assert!((ci.confidence - 1002.0 / 1024.0).abs() < 1e-15);
    }

    #[test]
    fn matches_go_moremath_low_confidence_cases() {
        // From go-moremath's quantileci tests (q = 0.5).
        let ci = median_ci(4, 0.001);
        assert_eq!((ci.lo, ci.hi, ci.confidence), (2, 3, 0.375));
        let ci = median_ci(4, 0.3750001);
        assert_eq!((ci.lo, ci.hi), (1, 3));
        let ci = median_ci(5, 0.3125001);
        assert_eq!((ci.lo, ci.hi), (2, 4));
        assert_eq!((median_ci(5, 0.99).lo, median_ci(5, 0.99).hi), (0, 6));
    }

    #[test]
    fn smallest_sample_with_a_95_percent_interval_is_six() {
        for n in 1..6 {
            assert!(!median_ci(n, 0.95).is_finite(n), "n={n}");
        }
        for n in 6..200 {
            let ci = median_ci(n, 0.95);
            assert!(ci.is_finite(n), "n={n}");
            assert!(ci.confidence >= 0.95, "n={n}: {}", ci.confidence);
            assert!(ci.lo <= n.div_ceil(2) && ci.hi > n / 2, "n={n}: {ci:?}");
        }
    }

    #[test]
    fn normal_approximation_for_large_samples() {
        // n = 100: mu 50, sigma 5; 50 -/+ 1.96*5 = 40.2 .. 59.8 rounds out to
        // intervals [40, 61) -> orders 40..61; the left-biased [40, 60) has
        // confidence Phi(1.9) - Phi(-2.1) = 0.9534 (scipy) >= 0.95, so hi = 60.
        let ci = median_ci(100, 0.95);
        assert_eq!((ci.lo, ci.hi), (40, 60));
        assert!(
            (ci.confidence - 0.953_419_019_621_181_6).abs() < 1e-12,
            "{}",
            ci.confidence
        );
    }
}
