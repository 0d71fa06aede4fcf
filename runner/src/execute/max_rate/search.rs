//! The rate search of `max_rate`, apart from any store: given a way to
//! probe one rate (held or not), find the highest rate that holds.
//!
//! Algorithm (as Pebble's write benchmark, with a stated precision):
//! 1. Probe `start`. While rates hold, double (capped at `ceiling`); while
//!    they fail, halve (down to `floor`). This brackets the capacity
//!    between a holding rate `lo` and a failing rate `hi`.
//! 2. Bisect: probe `(lo + hi) / 2`, which replaces `lo` when it holds and
//!    `hi` when it fails.
//! 3. Stop when `hi - lo <= precision * hi` (converged), when `max_probes`
//!    rates have been probed (one probe may run two windows:
//!    `judge::rate_verdict`), when the ceiling held, or when the floor failed.
//!
//! Invariant (what the tests check against a store of known capacity `C`,
//! i.e. rates `<= C` hold and rates `> C` fail): a converged search ends
//! with `lo <= C < hi` and `lo >= (1 - precision) * hi > (1 - precision) * C`,
//! so the reported sustained rate is within `precision` below the capacity.
//! Rates are probed at most once each, and each probe narrows the bracket.

/// What to search and when to stop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchSpec {
    /// First rate probed, ops/s.
    pub start: f64,
    /// Relative gap at which the search has converged, in (0, 1).
    pub precision: f64,
    /// Most probes run.
    pub max_probes: usize,
    /// Highest rate probed (`None`: no ceiling).
    pub ceiling: Option<f64>,
    /// Lowest rate probed; a failure there ends the search.
    pub floor: f64,
}

/// Where the search ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Highest rate that held.
    pub sustained: Option<f64>,
    /// Lowest rate that failed.
    pub failing: Option<f64>,
    /// `failing - sustained <= precision * failing`.
    pub converged: bool,
    /// Why the search stopped, in words.
    pub stopped: String,
}

/// Runs the search; `probe(rate)` runs one window and says whether the rate
/// held. An error from `probe` ends the search with that error.
pub fn search<E>(spec: &SearchSpec, mut probe: impl FnMut(f64) -> Result<bool, E>) -> Result<Outcome, E> {
    let ceiling = spec.ceiling.unwrap_or(f64::INFINITY);
    let floor = spec.floor.max(f64::MIN_POSITIVE);
    let mut lo: Option<f64> = None;
    let mut hi: Option<f64> = None;
    let mut rate = spec.start.clamp(floor, ceiling);
    let mut probes = 0;
    let outcome = |lo: Option<f64>, hi: Option<f64>, stopped: String| {
        let converged = matches!((lo, hi), (Some(l), Some(h)) if h - l <= spec.precision * h);
        Outcome {
            sustained: lo,
            failing: hi,
            converged,
            stopped,
        }
    };
    loop {
        if probes >= spec.max_probes.max(1) {
            return Ok(outcome(
                lo,
                hi,
                format!("ran the most probes asked for ({probes})"),
            ));
        }
        probes += 1;
        if probe(rate)? {
            lo = Some(lo.map_or(rate, |l: f64| l.max(rate)));
        } else {
            hi = Some(hi.map_or(rate, |h: f64| h.min(rate)));
        }
        rate = match (lo, hi) {
            (Some(l), Some(h)) => {
                if h - l <= spec.precision * h {
                    return Ok(outcome(
                        lo,
                        hi,
                        format!(
                            "converged: {l:.0} ops/s held, {h:.0} ops/s failed (within {:.0}%)",
                            spec.precision * 100.0
                        ),
                    ));
                }
                (l + h) / 2.0
            }
            (Some(l), None) => {
                if l >= ceiling {
                    return Ok(outcome(
                        lo,
                        hi,
                        format!("held at the ceiling ({ceiling:.0} ops/s)"),
                    ));
                }
                (l * 2.0).min(ceiling)
            }
            (None, Some(h)) => {
                if h <= floor {
                    return Ok(outcome(lo, hi, format!("no rate held, down to {floor} ops/s")));
                }
                (h / 2.0).max(floor)
            }
            // Not reached: the probe just set one side of the bracket.
            (None, None) => rate,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(start: f64) -> SearchSpec {
        SearchSpec {
            start,
            precision: 0.05,
            max_probes: 30,
            ceiling: None,
            floor: 1.0,
        }
    }

    /// A store of capacity `c`: rates up to `c` hold. Returns the outcome
    /// and the rates probed.
    fn against(spec: &SearchSpec, c: f64) -> (Outcome, Vec<f64>) {
        let mut seen = Vec::new();
        let out = search::<()>(spec, |r| {
            seen.push(r);
            Ok(r <= c)
        })
        .unwrap();
        (out, seen)
    }

    #[test]
    fn finds_a_known_capacity_within_the_precision_from_either_side() {
        for c in [1.0, 3.0, 777.0, 1000.0, 12_345.0, 250_000.0, 3.3e6] {
            for start in [1.0, 1000.0, 1e7] {
                let s = spec(start);
                let (out, seen) = against(&s, c);
                let (lo, hi) = (out.sustained.unwrap(), out.failing.unwrap());
                assert!(out.converged, "c={c} start={start}: {out:?}");
                assert!(lo <= c && c < hi, "c={c} start={start}: [{lo}, {hi})");
                assert!(hi - lo <= s.precision * hi, "c={c}: [{lo}, {hi})");
                assert!(lo >= (1.0 - s.precision) * c, "c={c}: {lo}");
                // log2 steps to bracket + log2(1/precision) to bisect.
                assert!(seen.len() <= 30, "{} probes", seen.len());
                let mut sorted = seen.clone();
                sorted.sort_by(f64::total_cmp);
                sorted.dedup();
                assert_eq!(sorted.len(), seen.len(), "a rate probed twice: {seen:?}");
            }
        }
    }

    #[test]
    fn ceiling_floor_and_probe_budget_stop_the_search() {
        let s = SearchSpec {
            ceiling: Some(5000.0),
            ..spec(1000.0)
        };
        let (out, seen) = against(&s, 1e9);
        assert_eq!(seen, [1000.0, 2000.0, 4000.0, 5000.0]);
        assert_eq!(
            (out.sustained, out.failing, out.converged),
            (Some(5000.0), None, false)
        );
        assert!(out.stopped.contains("ceiling"), "{}", out.stopped);

        let (out, seen) = against(&spec(8.0), 0.5);
        assert_eq!(seen, [8.0, 4.0, 2.0, 1.0]);
        assert_eq!((out.sustained, out.failing), (None, Some(1.0)));
        assert!(out.stopped.contains("no rate held"), "{}", out.stopped);

        let s = SearchSpec {
            max_probes: 3,
            ..spec(1000.0)
        };
        let (out, seen) = against(&s, 1500.0);
        assert_eq!(seen, [1000.0, 2000.0, 1500.0]);
        assert_eq!((out.sustained, out.failing), (Some(1500.0), Some(2000.0)));
        assert!(!out.converged);
        assert!(out.stopped.contains("most probes"), "{}", out.stopped);
    }

    #[test]
    fn a_probe_error_ends_the_search() {
        let mut n = 0;
        let r = search(&spec(100.0), |_| {
            n += 1;
            if n == 3 { Err("disk full") } else { Ok(true) }
        });
        assert_eq!(r, Err("disk full"));
        assert_eq!(n, 3);
    }
}
