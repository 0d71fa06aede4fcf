//! The verdict for one metric of one cell (and phase): benchstat's rule,
//! plus the two cases benchstat does not have.
//!
//! - Repetitions on both sides (>= 2 each): the metric regressed only when
//!   the two-sided Mann-Whitney U test finds the samples different
//!   (p < alpha) AND the medians differ by more than the threshold, in the
//!   worse direction. Otherwise "~" (unchanged).
//! - A single repetition on either side: no noise estimate exists, so the
//!   threshold alone decides, and the row says that noise is unknown.
//! - Exact (counter metrics when both runs were deterministic and hold the
//!   same number of repetitions): a deterministic counter is a function of
//!   the operations alone, and repetition r runs the same operations in
//!   both runs (its seed depends on the suite seed and r), so there is no
//!   noise to test against: the threshold decides on the medians. The
//!   repetitions of one run may differ from each other (their seeds do).
//!
//! The change is `(candidate median - baseline median) / |baseline median|`;
//! with a zero baseline median any non-zero candidate is beyond every
//! threshold (the change itself is then undefined: `None`).

use serde::Serialize;

use super::metric::Better;
use crate::stats::Summary;
use crate::stats::mann_whitney::{mann_whitney_u, min_p_value_for};

/// How a row's verdict was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Mann-Whitney U test and threshold.
    MannWhitney,
    /// A single repetition on a side: threshold alone, noise unknown.
    ThresholdOnly,
    /// Deterministic counters: exact values and threshold.
    Exact,
}

/// What happened to a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Worse beyond the threshold (and significant): fails the gate.
    Regression,
    /// Better beyond the threshold (and significant).
    Improvement,
    /// Changed beyond the threshold, for a metric without a better direction.
    Changed,
    /// No significant change beyond the threshold ("~").
    Unchanged,
}

/// The decision for one row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// The outcome.
    pub verdict: Verdict,
    /// How it was reached.
    pub method: Method,
    /// Relative change of the median; `None` when the baseline median is 0
    /// and the candidate's is not.
    pub change: Option<f64>,
    /// p-value of the U test, when one ran.
    pub p: Option<f64>,
    /// Why the verdict may be weaker than it looks, when it may.
    pub note: Option<String>,
}

/// Decides one row. `base` and `cand` are the finite per-repetition values
/// (each non-empty); `exact` is whether the metric is a counter of two
/// deterministic runs; `threshold` a fraction (0.05 = 5%).
pub fn decide(
    base: &[f64],
    cand: &[f64],
    better: Better,
    exact: bool,
    threshold: f64,
    alpha: f64,
) -> Decision {
    let (Some(b), Some(c)) = (Summary::of(base), Summary::of(cand)) else {
        return Decision {
            verdict: Verdict::Unchanged,
            method: Method::ThresholdOnly,
            change: None,
            p: None,
            note: Some("no values to compare".into()),
        };
    };
    let (bm, cm) = (b.median, c.median);
    let change = if bm != 0.0 {
        Some((cm - bm) / bm.abs())
    } else if cm == 0.0 {
        Some(0.0)
    } else {
        None
    };
    let beyond = (cm - bm).abs() > threshold * bm.abs();
    let by_threshold = || {
        if !beyond {
            Verdict::Unchanged
        } else {
            match better {
                Better::Neither => Verdict::Changed,
                Better::Higher if cm < bm => Verdict::Regression,
                Better::Lower if cm > bm => Verdict::Regression,
                _ => Verdict::Improvement,
            }
        }
    };
    if exact && b.n == c.n {
        return Decision {
            verdict: by_threshold(),
            method: Method::Exact,
            change,
            p: None,
            note: None,
        };
    }
    let mut note = None;
    if b.n == 1 || c.n == 1 {
        return Decision {
            verdict: by_threshold(),
            method: Method::ThresholdOnly,
            change,
            p: None,
            note: Some(format!("noise unknown with {} vs {} repetitions", b.n, c.n)),
        };
    }
    let p = mann_whitney_u(base, cand).map_or(1.0, |t| t.p);
    let verdict = if p < alpha {
        by_threshold()
    } else {
        Verdict::Unchanged
    };
    let floor = min_p_value_for(b.n, c.n);
    if floor >= alpha {
        note = Some(format!(
            "{} vs {} repetitions can never reach p < {alpha} (smallest p = {floor:.3}); use >= 4 on each side",
            b.n, c.n
        ));
    }
    Decision {
        verdict,
        method: Method::MannWhitney,
        change,
        p: Some(p),
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: f64 = 0.05;
    const A: f64 = 0.05;

    #[test]
    fn separated_samples_beyond_threshold_regress() {
        // 5 vs 5 fully separated: exact p = 2/252 = 0.0079 < 0.05; medians 100 -> 80 (-20%).
        let d = decide(
            &[100., 101., 99., 102., 98.],
            &[80., 81., 79., 82., 78.],
            Better::Higher,
            false,
            T,
            A,
        );
        assert_eq!(d.verdict, Verdict::Regression);
        assert_eq!(d.method, Method::MannWhitney);
        assert!((d.p.unwrap() - 2.0 / 252.0).abs() < 1e-12);
        assert!((d.change.unwrap() + 0.2).abs() < 1e-12);
        // The same drop is an improvement for a lower-is-better metric.
        let d = decide(
            &[100., 101., 99., 102., 98.],
            &[80., 81., 79., 82., 78.],
            Better::Lower,
            false,
            T,
            A,
        );
        assert_eq!(d.verdict, Verdict::Improvement);
    }

    #[test]
    fn overlapping_samples_are_unchanged_even_beyond_threshold() {
        // Medians 100 -> 90 (-10%) but the spreads overlap: U test p > 0.05.
        let d = decide(
            &[100., 70., 130., 95., 105.],
            &[90., 60., 125., 85., 110.],
            Better::Higher,
            false,
            T,
            A,
        );
        assert_eq!(d.verdict, Verdict::Unchanged);
        assert!(d.p.unwrap() > A);
    }

    #[test]
    fn significant_within_threshold_is_unchanged() {
        let d = decide(
            &[100., 100.1, 100.2, 100.3, 100.4],
            &[98., 98.1, 98.2, 98.3, 98.4],
            Better::Higher,
            false,
            T,
            A,
        );
        assert!(d.p.unwrap() < A);
        assert_eq!(d.verdict, Verdict::Unchanged, "-2% is inside 5%");
    }

    #[test]
    fn single_repetition_uses_threshold_and_says_noise_unknown() {
        let d = decide(&[100.], &[94.], Better::Higher, false, T, A);
        assert_eq!(
            (d.verdict, d.method),
            (Verdict::Regression, Method::ThresholdOnly)
        );
        assert!(d.note.unwrap().contains("noise unknown"));
        let d = decide(&[100., 101.], &[96.], Better::Higher, false, T, A);
        assert_eq!(d.verdict, Verdict::Unchanged, "-4.5% is inside 5%");
    }

    #[test]
    fn exact_counters_need_no_test() {
        let d = decide(&[3.0, 3.0], &[3.3, 3.3], Better::Lower, true, T, A);
        assert_eq!((d.verdict, d.method), (Verdict::Regression, Method::Exact));
        let d = decide(&[3.0; 3], &[3.0; 3], Better::Lower, true, 0.0, A);
        assert_eq!((d.verdict, d.change), (Verdict::Unchanged, Some(0.0)));
        let d = decide(&[3.0], &[3.01], Better::Lower, true, 0.0, A);
        assert_eq!(d.verdict, Verdict::Regression, "0% flags any worse change");
        let d = decide(&[7.0], &[9.0], Better::Neither, true, T, A);
        assert_eq!(d.verdict, Verdict::Changed);
        // Repetitions differ (their seeds do): medians compared exactly.
        let d = decide(&[3.0, 3.2, 3.1], &[3.0, 3.2, 3.1], Better::Lower, true, 0.0, A);
        assert_eq!(
            (d.verdict, d.method, d.change),
            (Verdict::Unchanged, Method::Exact, Some(0.0))
        );
        let d = decide(&[3.0, 3.2, 3.1], &[3.0, 3.6, 3.4], Better::Lower, true, T, A);
        assert_eq!((d.verdict, d.method), (Verdict::Regression, Method::Exact));
        // Different repetition counts: no pairing, statistics instead.
        let d = decide(&[3.0, 3.2, 3.1], &[3.0, 3.2], Better::Lower, true, T, A);
        assert_eq!(d.method, Method::MannWhitney);
    }

    #[test]
    fn zero_baseline_and_too_few_samples() {
        let d = decide(&[0.0], &[5.0], Better::Lower, false, T, A);
        assert_eq!((d.verdict, d.change), (Verdict::Regression, None));
        // 3 vs 3 can never reach p < 0.05 (smallest p = 0.1): always "~", with a warning.
        let d = decide(&[10., 11., 12.], &[20., 21., 22.], Better::Lower, false, T, A);
        assert_eq!(d.verdict, Verdict::Unchanged);
        assert!(d.note.unwrap().contains("can never reach"));
    }
}
