//! The summary of one metric over a cell's repetitions, as benchstat's
//! benchmath makes it: the median, the range, and a 95% confidence interval
//! of the median from order statistics ([`super::median_ci`]). With fewer
//! than 6 values no 95% interval exists; the summary then has no interval
//! and a [`Summary::note`] says so, and renderers show the range instead.

use super::median_ci::median_ci;

/// Confidence level of every interval in lsmlab's reports.
pub const CONFIDENCE: f64 = 0.95;

/// Median, range and median confidence interval of a set of repetitions.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    /// Median (mean of the two middle values when `n` is even).
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// 95% confidence interval of the median, when `n` is large enough.
    pub ci: Option<(f64, f64)>,
    /// Actual confidence of `ci` (>= [`CONFIDENCE`]).
    pub ci_confidence: f64,
}

impl Summary {
    /// Summarises the finite values of `values`; `None` when there is none.
    pub fn of(values: &[f64]) -> Option<Summary> {
        let mut xs: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if xs.is_empty() {
            return None;
        }
        xs.sort_by(f64::total_cmp);
        let n = xs.len();
        let median = if n % 2 == 1 {
            xs[n / 2]
        } else {
            (xs[n / 2 - 1] + xs[n / 2]) / 2.0
        };
        let orders = median_ci(n, CONFIDENCE);
        let ci = orders
            .is_finite(n)
            .then(|| (xs[orders.lo - 1], xs[orders.hi - 1]));
        Some(Summary {
            n,
            median,
            min: xs[0],
            max: xs[n - 1],
            ci,
            ci_confidence: orders.confidence,
        })
    }

    /// The spread renderers show: the confidence interval when there is
    /// one, otherwise the range.
    pub fn spread(&self) -> (f64, f64) {
        self.ci.unwrap_or((self.min, self.max))
    }

    /// Largest distance of the spread's bounds from the median, relative
    /// to the median (benchstat's `± x%`); `None` for a zero median.
    pub fn spread_relative(&self) -> Option<f64> {
        let (lo, hi) = self.spread();
        (self.median != 0.0).then(|| (self.median - lo).max(hi - self.median) / self.median.abs())
    }

    /// Why there is no confidence interval, when there is none.
    pub fn note(&self) -> Option<String> {
        (self.ci.is_none() && self.n > 1).then(|| {
            format!(
                "need >= {} samples for a {:.0}% confidence interval (have {}); spread is min..max",
                min_samples_for_ci(),
                CONFIDENCE * 100.0,
                self.n
            )
        })
    }
}

/// Smallest sample with a finite interval at [`CONFIDENCE`] (6 at 95%).
pub fn min_samples_for_ci() -> usize {
    (2..=50)
        .find(|&n| median_ci(n, CONFIDENCE).is_finite(n))
        .unwrap_or(51)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_repetitions_give_median_and_range() {
        let s = Summary::of(&[12.0, 10.0, 11.0]).unwrap();
        assert_eq!((s.n, s.median, s.min, s.max), (3, 11.0, 10.0, 12.0));
        assert_eq!(s.ci, None);
        assert_eq!(s.spread(), (10.0, 12.0));
        assert!((s.spread_relative().unwrap() - 1.0 / 11.0).abs() < 1e-15);
        assert!(s.note().unwrap().contains("need >= 6 samples"));
    }

    #[test]
    fn even_count_median_is_mean_of_middle_pair() {
        let s = Summary::of(&[4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(s.median, 2.5);
    }

    #[test]
    fn ten_repetitions_give_a_confidence_interval() {
        // n = 10 -> orders 2..9 (see median_ci): the 2nd smallest and 2nd largest.
        let values = [5.0, 9.0, 1.0, 7.0, 3.0, 10.0, 2.0, 8.0, 4.0, 6.0];
        let s = Summary::of(&values).unwrap();
        assert_eq!(s.median, 5.5);
        assert_eq!(s.ci, Some((2.0, 9.0)));
        assert_eq!(s.spread(), (2.0, 9.0));
        assert_eq!(s.note(), None);
        assert!(s.ci_confidence >= CONFIDENCE);
    }

    #[test]
    fn six_repetitions_interval_is_the_range() {
        let s = Summary::of(&[3.0, 1.0, 2.0, 6.0, 5.0, 4.0]).unwrap();
        assert_eq!(s.ci, Some((1.0, 6.0)));
        assert_eq!(min_samples_for_ci(), 6);
    }

    #[test]
    fn non_finite_values_are_ignored_and_empty_is_none() {
        assert_eq!(Summary::of(&[]), None);
        assert_eq!(Summary::of(&[f64::NAN]), None);
        let s = Summary::of(&[f64::NAN, 2.0, f64::INFINITY]).unwrap();
        assert_eq!((s.n, s.median), (1, 2.0));
        assert_eq!(s.note(), None, "one value: nothing to explain");
        assert_eq!(Summary::of(&[0.0, 0.0]).unwrap().spread_relative(), None);
    }
}
