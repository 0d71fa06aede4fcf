//! What a `max_rate` phase found (`PhaseResult::max_rate`): every rate it
//! probed, with the verdict and the reasons, and the rate it settled on.
//!
//! The phase's own figures (ops, latency, histograms) are those of the
//! window at the sustained rate (or, when no rate held, of the last window);
//! its time series holds every window in order, each sample tagged with the
//! rate offered ([`crate::TimelineSample::target_rate`]).

use serde::{Deserialize, Serialize};

/// The search and its outcome.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MaxRateResult {
    /// Length of each probe window, seconds.
    pub window_seconds: f64,
    /// The p99 bound, nanoseconds.
    pub p99_bound_ns: u64,
    /// Largest share of a window writers may spend slowed down.
    pub slowdown_fraction: f64,
    /// Relative precision asked for.
    pub precision: f64,
    /// Highest rate that held, ops/s (`None`: none held).
    pub sustained_rate: Option<f64>,
    /// Lowest rate that failed, ops/s (`None`: none failed).
    pub failing_rate: Option<f64>,
    /// Whether the two are within `precision` (`(failing - sustained) <=
    /// precision * failing`).
    pub converged: bool,
    /// Why the search stopped, in words.
    pub stopped: String,
    /// Every window, in the order run.
    pub probes: Vec<RateProbe>,
}

/// One window at one offered rate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RateProbe {
    /// Offered open-loop rate, ops/s.
    pub rate: f64,
    /// Whether the rate held over the window.
    pub held: bool,
    /// Why it failed (empty when it held): one reason per failed condition.
    pub reasons: Vec<String>,
    /// Window start, seconds since the phase started.
    pub start_seconds: f64,
    /// Window end, seconds since the phase started.
    pub end_seconds: f64,
    /// Operations measured in the window.
    #[serde(default)]
    pub ops: u64,
    /// Achieved rate over the window, ops/s.
    pub achieved_ops_per_sec: f64,
    /// p99 latency over the window (from intended starts), nanoseconds.
    pub p99_ns: u64,
    /// Share of the window's sub-windows (its time-series intervals with
    /// operations) whose p99 exceeded the bound; the window fails on p99
    /// only when this exceeds the judge's tolerated share (0.25).
    #[serde(default)]
    pub p99_over_share: f64,
    /// Write stops in the window (L0 stop, memtable limit, pending
    /// compaction stop).
    pub stops: u64,
    /// Seconds writers were slowed down (summed over threads) over
    /// `window x threads`.
    pub slowdown_fraction: f64,
    /// L0 files: mean of the first and of the second half of the window.
    pub l0_files: [f64; 2],
    /// Pending compaction bytes: mean of the first and of the second half.
    pub pending_compaction_bytes: [f64; 2],
    /// Whether this window re-ran the rate of the window before it, which
    /// failed on L0 or pending-bytes growth alone. One step of the pending
    /// estimate (L0 reaching its trigger charges L0 and its L1 overlap at
    /// once) can fail one window's halves test; a climb fails two windows in
    /// a row. The rate's verdict is this window's.
    #[serde(default)]
    pub confirms: bool,
}
