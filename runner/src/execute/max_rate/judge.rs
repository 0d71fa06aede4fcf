//! Whether one probe window held its rate: the steady-state conditions of
//! `max_rate`, as pure arithmetic on what the window measured.
//!
//! A rate holds over a window when every one of these is true (the reasons
//! a window failed name each one that is not):
//! 1. no write stopped (L0 stop, memtable limit, pending compaction stop);
//! 2. writers spent at most `slowdown` of the window slowed down (stall
//!    seconds of L0 and pending-compaction slowdowns, summed over threads,
//!    divided by `window x threads`);
//! 3. the p99 latency, counted from each operation's intended start (so a
//!    queue behind a slow operation counts), is at most the bound in all
//!    but a tolerated share of the window: the window is cut into its
//!    time-series intervals (sub-windows, 1 s by default) and fails on p99
//!    only when more than [`P99_SHARE`] of those with operations have a
//!    p99 over the bound. One scheduling hiccup on a shared machine (a
//!    descheduled process, another job's I/O burst) spoils the whole
//!    window's p99 but only the one or two sub-windows it and its queue
//!    fall into; an engine that cannot keep up spoils every sub-window
//!    after it falls behind, since latency counts from intended starts.
//!    Without sub-windows the whole window's p99 decides;
//! 4. the offered rate was achieved (not saturated: at least 99% of it);
//! 5. compaction kept up: the L0 file count and the pending compaction
//!    bytes did not grow. "Grew" compares the mean of the window's second
//!    half of samples with its first half: `second > 1.25 x first + slack`,
//!    the slack being one compaction's worth: `l0_compaction_trigger` files
//!    for L0 and `l0_compaction_trigger x write_buffer_size` bytes pending
//!    ([`Bounds`]), so the flush or the L0 compaction that happens to land
//!    in the second half is not growth, but a steady climb is. A window
//!    that fails on growth alone is not the rate's verdict: the search runs
//!    a second window at the same rate (`confirms` in its record), and the
//!    rate fails only when that one fails too
//!    ([`failed_on_growth_only`]): the pending estimate moves in steps
//!    larger than the slack (L0 reaching its trigger charges L0 and its L1
//!    overlap at once), and a step is not a climb.

use lsmlab_reports::RateProbe;

use crate::execute::phase::result::is_saturated;

/// Growth factor allowed between the halves of a window.
pub const GROWTH: f64 = 1.25;

/// Largest share of a window's sub-windows whose p99 may exceed the bound
/// (2 of 10 one-second sub-windows of a 10 s window may; 3 may not).
pub const P99_SHARE: f64 = 0.25;

/// Reason text of a window with write stops (after the count).
pub const REASON_STOP: &str = "write stop";
/// Reason text of a window whose writers were slowed down too long.
pub const REASON_SLOWDOWN: &str = "writers slowed down";
/// Reason text of a window whose L0 file count grew.
pub const REASON_L0_GREW: &str = "L0 files grew";
/// Reason text of a window whose pending compaction bytes grew.
pub const REASON_PENDING_GREW: &str = "pending compaction bytes grew";

/// Whether a failed window's reasons say compaction fell behind
/// (conditions 1, 2 and 5) rather than only the foreground (3 and 4).
pub fn compaction_fell_behind(reasons: &[String]) -> bool {
    reasons.iter().any(|r| {
        [REASON_STOP, REASON_SLOWDOWN, REASON_L0_GREW, REASON_PENDING_GREW]
            .iter()
            .any(|needle| r.contains(needle))
    })
}

/// Whether a failed window's reasons are L0 or pending-bytes growth and
/// nothing else: the one verdict a second window at the same rate must
/// confirm before the rate fails. The pending estimate moves in steps (L0
/// reaching its trigger charges L0 and the L1 bytes it overlaps at once,
/// times the fanout), so one step landing in a window's second half looks
/// like growth to the halves test; compaction that cannot keep up grows in
/// the next window too, from the higher level it reached.
pub fn failed_on_growth_only(reasons: &[String]) -> bool {
    !reasons.is_empty()
        && reasons
            .iter()
            .all(|r| r.starts_with(REASON_L0_GREW) || r.starts_with(REASON_PENDING_GREW))
}

/// The verdict on one rate: runs `window(k, confirms)` (`k` the window's
/// number, `probes.len()` at its start) once, and once more with
/// `confirms` set when the first failed on growth alone
/// ([`failed_on_growth_only`]); appends each window's probe to `probes`.
/// The rate holds when its last window held.
pub fn rate_verdict<E>(
    probes: &mut Vec<RateProbe>,
    mut window: impl FnMut(usize, bool) -> Result<RateProbe, E>,
) -> Result<bool, E> {
    let first = window(probes.len(), false)?;
    let confirm = !first.held && failed_on_growth_only(&first.reasons);
    let mut held = first.held;
    probes.push(first);
    if confirm {
        let mut second = window(probes.len(), true)?;
        second.confirms = true;
        held = second.held;
        probes.push(second);
    }
    Ok(held)
}

/// What one window at one offered rate measured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Window {
    /// Offered rate, ops/s.
    pub rate: f64,
    /// Measured operations.
    pub ops: u64,
    /// Achieved rate, ops/s.
    pub achieved: f64,
    /// p99 latency from intended starts, nanoseconds.
    pub p99_ns: u64,
    /// p99 of each sub-window (time-series interval) that had operations,
    /// in order, nanoseconds.
    pub sub_p99_ns: Vec<u64>,
    /// Write stops in the window.
    pub stops: u64,
    /// Slowdown seconds in the window, summed over threads.
    pub slowdown_seconds: f64,
    /// Window length, seconds.
    pub seconds: f64,
    /// Worker threads.
    pub threads: usize,
    /// L0 file count per sample, in order.
    pub l0: Vec<f64>,
    /// Pending compaction bytes per sample, in order.
    pub pending: Vec<f64>,
}

/// The bounds a window is judged against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Largest p99, nanoseconds.
    pub p99_ns: u64,
    /// Largest slowdown share of the window.
    pub slowdown: f64,
    /// L0 files the second half may add beyond [`GROWTH`].
    pub l0_slack: f64,
    /// Pending compaction bytes the second half may add beyond [`GROWTH`].
    pub pending_slack: f64,
}

impl Bounds {
    /// The growth slack of an engine with `l0_compaction_trigger` and
    /// `write_buffer_size` (one L0 compaction's worth).
    pub fn slack_for(l0_compaction_trigger: f64, write_buffer_size: f64) -> (f64, f64) {
        (l0_compaction_trigger, l0_compaction_trigger * write_buffer_size)
    }
}

/// Means of the first and the second half of `v` (a single sample is both).
pub fn halves(v: &[f64]) -> [f64; 2] {
    let mean = |s: &[f64]| {
        if s.is_empty() {
            0.0
        } else {
            s.iter().sum::<f64>() / s.len() as f64
        }
    };
    let half = (v.len() / 2).max(1).min(v.len());
    [mean(&v[..half]), mean(&v[v.len() - half..])]
}

/// Share of `w`'s sub-windows whose p99 exceeds `bound` (without
/// sub-windows: 1 when the whole window's p99 does, else 0).
pub fn over_share(w: &Window, bound: u64) -> f64 {
    if w.sub_p99_ns.is_empty() {
        return if w.p99_ns > bound { 1.0 } else { 0.0 };
    }
    let over = w.sub_p99_ns.iter().filter(|&&p| p > bound).count();
    over as f64 / w.sub_p99_ns.len() as f64
}

fn grew(h: [f64; 2], slack: f64) -> bool {
    h[1] > GROWTH * h[0] + slack
}

/// The verdict on `w` (window times are filled in by the caller).
pub fn judge(w: &Window, b: &Bounds) -> RateProbe {
    let mut reasons = Vec::new();
    if w.stops > 0 {
        reasons.push(format!(
            "{} {REASON_STOP}{}",
            w.stops,
            if w.stops == 1 { "" } else { "s" }
        ));
    }
    let slowdown = if w.seconds > 0.0 {
        w.slowdown_seconds / (w.seconds * w.threads.max(1) as f64)
    } else {
        0.0
    };
    if slowdown > b.slowdown {
        reasons.push(format!(
            "{REASON_SLOWDOWN} for {:.1}% of the window (at most {:.1}%)",
            slowdown * 100.0,
            b.slowdown * 100.0
        ));
    }
    let fmt = lsmlab_reports::dbbench_line::format_latency;
    let p99_over_share = over_share(w, b.p99_ns);
    if p99_over_share > P99_SHARE {
        if w.sub_p99_ns.is_empty() {
            reasons.push(format!("p99 {} over the bound {}", fmt(w.p99_ns), fmt(b.p99_ns)));
        } else {
            let over = w.sub_p99_ns.iter().filter(|&&p| p > b.p99_ns).count();
            reasons.push(format!(
                "p99 over the bound {} in {over} of {} sub-windows (at most {:.0}%; window p99 {})",
                fmt(b.p99_ns),
                w.sub_p99_ns.len(),
                P99_SHARE * 100.0,
                fmt(w.p99_ns)
            ));
        }
    }
    if w.ops == 0 || is_saturated(Some(w.rate), w.achieved, w.ops) {
        reasons.push(format!("achieved {:.0} of {:.0} ops/s", w.achieved, w.rate));
    }
    let l0 = halves(&w.l0);
    if grew(l0, b.l0_slack) {
        reasons.push(format!("{REASON_L0_GREW} from {:.1} to {:.1}", l0[0], l0[1]));
    }
    let pending = halves(&w.pending);
    if grew(pending, b.pending_slack) {
        reasons.push(format!(
            "{REASON_PENDING_GREW} from {:.1} to {:.1} MiB",
            pending[0] / 1048576.0,
            pending[1] / 1048576.0
        ));
    }
    RateProbe {
        rate: w.rate,
        held: reasons.is_empty(),
        reasons,
        start_seconds: 0.0,
        end_seconds: 0.0,
        ops: w.ops,
        achieved_ops_per_sec: w.achieved,
        p99_ns: w.p99_ns,
        p99_over_share,
        stops: w.stops,
        slowdown_fraction: slowdown,
        l0_files: l0,
        pending_compaction_bytes: pending,
        confirms: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steady(rate: f64) -> Window {
        Window {
            rate,
            ops: (rate * 10.0) as u64,
            achieved: rate,
            p99_ns: 1_000_000,
            sub_p99_ns: vec![1_000_000; 10],
            stops: 0,
            slowdown_seconds: 0.0,
            seconds: 10.0,
            threads: 2,
            l0: vec![1.0, 3.0, 0.0, 2.0, 1.0, 3.0],
            pending: vec![5e6, 6e6, 5e6, 5.5e6, 6e6, 5e6],
        }
    }

    const B: Bounds = Bounds {
        p99_ns: 5_000_000,
        slowdown: 0.05,
        l0_slack: 1.0,
        pending_slack: 1048576.0,
    };

    #[test]
    fn a_steady_window_holds_and_each_condition_fails_it_alone() {
        let p = judge(&steady(1000.0), &B);
        assert!(p.held, "{:?}", p.reasons);
        assert_eq!(p.l0_files, [4.0 / 3.0, 2.0]);

        type Spoil = fn(&mut Window);
        let cases: [(Spoil, &str); 7] = [
            (|w| w.stops = 2, "2 write stops"),
            // 1.1 s over 10 s x 2 threads = 5.5%.
            (
                |w| w.slowdown_seconds = 1.1,
                "slowed down for 5.5% of the window (at most 5.0%)",
            ),
            // 3 of 10 sub-windows over: 30% > 25%.
            (
                |w| {
                    w.p99_ns = 6_000_000;
                    w.sub_p99_ns[2..5].fill(6_000_000);
                },
                "p99 over the bound 5.0ms in 3 of 10 sub-windows (at most 25%; window p99 6.0ms)",
            ),
            // No sub-windows: the whole window's p99 decides.
            (
                |w| {
                    w.p99_ns = 6_000_000;
                    w.sub_p99_ns.clear();
                },
                "p99 6.0ms over the bound 5.0ms",
            ),
            (|w| w.achieved = 980.0, "achieved 980 of 1000 ops/s"),
            (
                |w| w.l0 = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                "L0 files grew from 2.0 to 5.0",
            ),
            (
                |w| w.pending = vec![1e6, 2e6, 3e6, 6e6, 8e6, 9e6],
                "pending compaction bytes grew",
            ),
        ];
        for (spoil, needle) in cases {
            let mut w = steady(1000.0);
            spoil(&mut w);
            let p = judge(&w, &B);
            assert!(!p.held, "{needle}");
            assert_eq!(p.reasons.len(), 1, "{:?}", p.reasons);
            assert!(p.reasons[0].contains(needle), "{:?} lacks {needle}", p.reasons);
            // Stops, slowdowns and growth are compaction falling behind;
            // p99 and the achieved rate are the foreground alone.
            let foreground = needle.starts_with("p99") || needle.starts_with("achieved");
            assert_eq!(compaction_fell_behind(&p.reasons), !foreground, "{needle}");
        }
        // At the bound exactly still holds; slowdown under the share holds.
        let mut w = steady(1000.0);
        w.p99_ns = B.p99_ns;
        w.slowdown_seconds = 0.9;
        assert!(judge(&w, &B).held);
        // One hiccup: 2 of 10 sub-windows over (20% <= 25%) hold although
        // the whole window's p99 is over the bound; the share is recorded.
        let mut w = steady(1000.0);
        w.p99_ns = 120_000_000;
        w.sub_p99_ns[6] = 150_000_000;
        w.sub_p99_ns[7] = 60_000_000;
        let p = judge(&w, &B);
        assert!(p.held, "{:?}", p.reasons);
        assert!((p.p99_over_share - 0.2).abs() < 1e-12);
        // Exactly a quarter (1 of 4) holds; 2 of 4 fail.
        w.sub_p99_ns = vec![1_000_000, 6_000_000, 1_000_000, 1_000_000];
        assert!(judge(&w, &B).held);
        w.sub_p99_ns[0] = 5_000_001;
        assert!(!judge(&w, &B).held);
    }

    #[test]
    fn growth_alone_is_confirmed_by_a_second_window_and_nothing_else_is() {
        let growth = |w: &mut Window| w.pending = vec![0.0, 0.0, 0.0, 35e6, 35e6, 35e6];
        let p99 = |w: &mut Window| w.sub_p99_ns.fill(9_000_000);
        let held = |_: &mut Window| {};
        type Spoil = fn(&mut Window);
        // The windows each case runs, and the rate's verdict.
        let cases: [(&[Spoil], bool); 5] = [
            (&[held], true),
            (&[p99], false),
            // A step: the second window holds, so the rate holds.
            (&[growth, held], true),
            // A climb: both windows grow.
            (&[growth, growth], false),
            // Growth with p99 over the bound is not growth alone.
            (
                &[|w| {
                    w.pending = vec![0.0, 0.0, 0.0, 35e6, 35e6, 35e6];
                    w.sub_p99_ns.fill(9_000_000);
                }],
                false,
            ),
        ];
        for (i, (windows, verdict)) in cases.into_iter().enumerate() {
            let mut probes = vec![judge(&steady(500.0), &B)];
            let mut calls = Vec::new();
            let got = rate_verdict::<()>(&mut probes, |k, confirms| {
                calls.push((k, confirms));
                let mut w = steady(1000.0);
                windows[calls.len() - 1](&mut w);
                Ok(judge(&w, &B))
            })
            .unwrap();
            assert_eq!(got, verdict, "case {i}");
            let expected: Vec<(usize, bool)> = (0..windows.len()).map(|n| (1 + n, n == 1)).collect();
            assert_eq!(calls, expected, "case {i}");
            assert_eq!(probes.len(), 1 + windows.len(), "case {i}");
            assert!(!probes[1].confirms);
            if windows.len() == 2 {
                assert!(probes[2].confirms && probes[2].rate == 1000.0);
            }
        }
        assert!(failed_on_growth_only(&[
            "L0 files grew from 1.0 to 9.0".into(),
            "pending compaction bytes grew from 0.0 to 35.0 MiB".into()
        ]));
        assert!(!failed_on_growth_only(&[]));
        assert!(!failed_on_growth_only(&[
            "1 write stop".into(),
            "L0 files grew from 1.0 to 9.0".into()
        ]));
    }

    #[test]
    fn halves_of_short_series() {
        assert_eq!(halves(&[]), [0.0, 0.0]);
        assert_eq!(halves(&[3.0]), [3.0, 3.0]);
        assert_eq!(halves(&[1.0, 5.0]), [1.0, 5.0]);
        assert_eq!(halves(&[1.0, 2.0, 9.0]), [1.0, 9.0]);
    }
}
