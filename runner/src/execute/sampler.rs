//! The sampler thread: every interval it collects the workers' interval
//! histograms and op counts and the store's counters into one
//! [`TimelineSample`], and keeps the interval histograms for the `.hlog`.
//!
//! Invariants:
//! - Ticks are at `start + k * interval` (absolute), so samples do not
//!   drift; the last sample covers the partial interval up to the stop.
//! - Every measured latency handed over by a worker lands in exactly one
//!   interval, so the intervals sum to the phase histogram.
//! - Store counters are cumulative since the store was opened.

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

use lsmlab_reports::TimelineSample;
use lsmlab_reports::hdr::interval_latency;

use super::worker::WorkerShared;
use crate::measure::histograms::OpHistograms;
use crate::store::Store;

/// One interval's histograms, relative to the phase start.
#[derive(Debug)]
pub struct IntervalHistograms {
    /// Start of the interval since the phase started.
    pub start: Duration,
    /// Length of the interval.
    pub duration: Duration,
    /// Latencies measured in it, per operation type.
    pub histograms: OpHistograms,
}

/// What the sampler collected over a phase.
#[derive(Debug)]
pub struct SamplerOutput {
    /// Wall-clock time the phase started (the interval log's base time).
    pub base_time: SystemTime,
    /// The time series.
    pub timeline: Vec<TimelineSample>,
    /// Per-interval histograms (intervals without measured ops omitted).
    pub intervals: Vec<IntervalHistograms>,
}

/// Runs until `stop` receives a message or disconnects.
pub fn run(
    store: &dyn Store,
    workers: &[Arc<WorkerShared>],
    start: Instant,
    base_time: SystemTime,
    warmup_end: Instant,
    interval: Duration,
    stop: Receiver<()>,
) -> SamplerOutput {
    let mut out = SamplerOutput {
        base_time,
        timeline: Vec::new(),
        intervals: Vec::new(),
    };
    let mut last = start;
    let mut last_ops = 0u64;
    let mut tick = 1u32;
    loop {
        let next = start + interval * tick;
        let stopping = match stop.recv_timeout(next.saturating_duration_since(Instant::now())) {
            Err(RecvTimeoutError::Timeout) => false,
            Ok(()) | Err(RecvTimeoutError::Disconnected) => true,
        };
        let now = if stopping { Instant::now() } else { next };
        // A final sliver shorter than 1 ms carries no information.
        if !stopping
            || now.saturating_duration_since(last) >= Duration::from_millis(1)
            || out.timeline.is_empty()
        {
            sample(
                store,
                workers,
                start,
                warmup_end,
                last,
                now,
                &mut last_ops,
                &mut out,
            );
            last = now;
        }
        if stopping {
            return out;
        }
        tick += 1;
    }
}

#[allow(clippy::too_many_arguments)]
fn sample(
    store: &dyn Store,
    workers: &[Arc<WorkerShared>],
    start: Instant,
    warmup_end: Instant,
    from: Instant,
    to: Instant,
    last_ops: &mut u64,
    out: &mut SamplerOutput,
) {
    let mut merged = OpHistograms::new();
    let mut ops = 0u64;
    for w in workers {
        ops += w.ops.load(Relaxed);
        if let Ok(mut h) = w.interval.lock() {
            h.drain_into(&mut merged);
        }
    }
    let delta = ops.saturating_sub(*last_ops);
    *last_ops = ops;
    let secs = to.saturating_duration_since(from).as_secs_f64().max(1e-9);
    let all = interval_latency(&merged.combined());
    let stats = store.stats();
    let bytes_per_level = lsmlab_reports::digest::EngineStats::from_json(stats.raw.as_ref())
        .map(|s| s.levels.iter().map(|l| l.bytes as u64).collect())
        .unwrap_or_default();
    out.timeline.push(TimelineSample {
        t_seconds: to.saturating_duration_since(start).as_secs_f64(),
        interval_seconds: secs,
        ops: delta,
        ops_per_sec: delta as f64 / secs,
        warmup: from < warmup_end,
        p50_ns: all.p50_ns,
        p99_ns: all.p99_ns,
        max_ns: all.max_ns,
        per_op: merged
            .iter()
            .map(|(name, h)| (name.to_string(), interval_latency(h)))
            .collect(),
        counters: stats.summary.counters,
        files_per_level: stats.summary.files_per_level,
        bytes_per_level,
    });
    if merged.count() > 0 {
        out.intervals.push(IntervalHistograms {
            start: from.saturating_duration_since(start),
            duration: to.saturating_duration_since(from),
            histograms: merged,
        });
    }
}
