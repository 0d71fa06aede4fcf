//! Turning what a phase's workers and sampler measured, plus the
//! before/after readings, into its [`PhaseResult`].
//!
//! Invariants (definitions in docs/metrics.md):
//! - `ops`, `bytes`, `latency`, `reads_*` are the ordinary workers' (for
//!   `read_while_writing`, the readers'); the writer is in `writer`.
//! - `saturated`: the phase had a target rate and achieved below 99% of it.
//! - `too_short`: a load phase measured under 1 s or under 10,000 ops.
//! - `latency.<op>.clamped` counts values above the histogram ceiling.

use std::collections::BTreeMap;
use std::time::Instant;

use lsmlab_reports::hdr::summarize;
use lsmlab_reports::stats::amplification::{ReadCounters, read_amp_measured};
use lsmlab_reports::{CacheDrop, LatencySummary, MeasuredReadAmp, OpenLoop, PhaseResult, WriterResult};
use lsmlab_workloads::{Phase, PhaseKind};

use super::Ends;
use crate::execute::sampler::SamplerOutput;
use crate::measure::histograms::{LazyHistogram, OpHistograms};
use crate::measure::procfs::ProcSnapshot;
use crate::store::{StoreStats, json_delta};

/// A phase measured under this many seconds is too short for stable figures.
pub const MIN_SECONDS: f64 = 1.0;
/// A phase measured under this many operations is too short for stable figures.
pub const MIN_OPS: u64 = 10_000;
/// Below this share of the target rate a phase is saturated.
pub const SATURATED_BELOW: f64 = 0.99;

/// Readings taken after the workers stopped.
pub(crate) struct After {
    /// Process counters.
    pub proc: ProcSnapshot,
    /// Engine statistics.
    pub stats: StoreStats,
    /// Database directory size.
    pub db_size_bytes: u64,
}

/// Everything [`build`] needs.
pub(crate) struct Inputs<'a> {
    pub phase: &'a Phase,
    pub index: usize,
    pub threads: usize,
    pub start: Instant,
    pub warmup_end: Instant,
    pub sampled: &'a SamplerOutput,
    pub ends: &'a Ends,
    pub proc_before: ProcSnapshot,
    pub stats_before: &'a StoreStats,
    pub after: After,
    pub drop_caches: Option<CacheDrop>,
}

/// The summary of `h` with its clamp count.
pub fn summary(h: &LazyHistogram) -> LatencySummary {
    let mut s = h.get().map(summarize).unwrap_or_default();
    s.clamped = h.clamped();
    s
}

/// Per-type summaries plus `all` (when anything was measured).
fn latency_map(h: &OpHistograms) -> BTreeMap<String, LatencySummary> {
    let mut latency: BTreeMap<String, LatencySummary> =
        h.iter().map(|(n, h)| (n.to_string(), summary(h))).collect();
    if h.count() > 0 {
        latency.insert("all".to_string(), summary(&h.combined()));
    }
    latency
}

/// Seconds from the first measured start (not before warmup's end) to the last end.
fn span_seconds(first: Option<Instant>, last: Option<Instant>, warmup_end: Instant) -> f64 {
    match (first, last) {
        (Some(a), Some(b)) => b
            .saturating_duration_since(a.max(warmup_end).min(b))
            .as_secs_f64(),
        _ => 0.0,
    }
}

fn per_second(x: f64, seconds: f64) -> f64 {
    if seconds > 0.0 { x / seconds } else { 0.0 }
}

/// Whether a phase that achieved `achieved` ops/s missed its `target`.
pub fn is_saturated(target: Option<f64>, achieved: f64, ops: u64) -> bool {
    target.is_some_and(|t| t > 0.0 && ops > 0 && achieved < SATURATED_BELOW * t)
}

/// Why a load phase measured too little to trust, if it did. `asked` is a
/// duration-bound phase's `duration:` (its measured span ends a hair
/// before it, which is not "too short").
pub fn too_short(kind: &PhaseKind, asked: Option<f64>, seconds: f64, ops: u64) -> Option<String> {
    if kind.is_maintenance() {
        return None;
    }
    let timed = asked.map_or(seconds, |d| d.max(seconds));
    match (timed < MIN_SECONDS, ops < MIN_OPS) {
        (false, false) => None,
        (true, false) => Some(format!("measured {seconds:.2} s, under {MIN_SECONDS} s")),
        (false, true) => Some(format!("measured {ops} ops, under {MIN_OPS}")),
        (true, true) => Some(format!(
            "measured {seconds:.2} s and {ops} ops, under {MIN_SECONDS} s and {MIN_OPS} ops"
        )),
    }
}

/// Engine read counters accumulated between two statistics readings.
fn read_counters(before: &StoreStats, after: &StoreStats) -> ReadCounters {
    let delta = |name: &str| {
        let get = |s: &StoreStats| s.summary.counters.get(name).copied().unwrap_or(0.0);
        (get(after) - get(before)).max(0.0) as u64
    };
    ReadCounters {
        gets: delta("gets"),
        block_cache_hits: delta("block_cache_hits"),
        block_cache_misses: delta("block_cache_misses"),
        bloom_checks: delta("bloom_checks"),
        bloom_useful: delta("bloom_useful"),
    }
}

/// Builds the result row.
pub(crate) fn build(i: Inputs<'_>) -> PhaseResult {
    let phase = i.phase;
    let totals = &i.sampled.totals;
    let ops = totals.measured_ops();
    let seconds = span_seconds(i.ends.first_start, i.ends.last_finish, i.warmup_end);
    let ops_per_sec = per_second(ops as f64, seconds);
    let latency = latency_map(&totals.latency);
    let (io, cpu) = i.after.proc.since(&i.proc_before);
    let open_loop = (totals.start_delay.count() > 0 || i.ends.missed_ops > 0).then(|| {
        let latency_with_missed = (i.ends.missed_ops > 0).then(|| {
            let mut all = totals.latency.combined();
            all.add(&i.ends.missed);
            summary(&all)
        });
        OpenLoop {
            intended_ops: ops + i.ends.missed_ops,
            missed_ops: i.ends.missed_ops,
            start_delay: summary(&totals.start_delay),
            start_delay_histogram: None,
            latency_with_missed,
        }
    });
    let writer = matches!(phase.kind, PhaseKind::ReadWhileWriting { .. }).then(|| {
        let w = &i.sampled.writer_totals;
        let (first, last) = i.ends.writer_span;
        let secs = span_seconds(first, last, i.warmup_end);
        WriterResult {
            ops: w.measured_ops(),
            seconds: secs,
            ops_per_sec: per_second(w.measured_ops() as f64, secs),
            bytes: w.bytes,
            target_rate: match phase.kind {
                PhaseKind::ReadWhileWriting { write_rate } => write_rate,
                _ => None,
            },
            latency: latency_map(&w.latency),
            histograms: BTreeMap::new(),
        }
    });
    let read_amp: Option<MeasuredReadAmp> = read_amp_measured(read_counters(i.stats_before, &i.after.stats));
    let engine_stats_delta = match (&i.stats_before.raw, &i.after.stats.raw) {
        (Some(b), Some(a)) => Some(json_delta(b, a)),
        _ => None,
    };
    PhaseResult {
        index: i.index,
        name: phase.name.clone(),
        kind: phase.kind.name().to_string(),
        threads: i.threads,
        target_rate: phase.common.rate,
        ops,
        seconds,
        ops_per_sec,
        bytes: totals.bytes,
        mb_per_sec: per_second(totals.bytes as f64, seconds) / 1048576.0,
        warmup_ops: totals.warmup_ops,
        warmup_seconds: i.warmup_end.saturating_duration_since(i.start).as_secs_f64(),
        latency,
        histograms: BTreeMap::new(),
        timeline: i.sampled.timeline.clone(),
        io,
        cpu,
        peak_rss_bytes: crate::measure::procfs::peak_rss_bytes(),
        db_size_bytes: i.after.db_size_bytes,
        engine_stats_delta,
        write_amp: i
            .after
            .stats
            .summary
            .since(&i.stats_before.summary)
            .total_write_amp(),
        reads_found: totals.found,
        reads_missed: totals.reads - totals.found,
        saturated: is_saturated(phase.common.rate, ops_per_sec, ops),
        open_loop,
        too_short: too_short(
            &phase.kind,
            phase.common.duration.map(|d| d.as_secs_f64()),
            seconds,
            ops,
        )
        .is_some(),
        single_operation: phase.kind.is_maintenance(),
        writer,
        read_amp,
        drop_caches: i.drop_caches,
        max_rate: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saturation_is_below_99_percent_of_the_target() {
        assert!(is_saturated(Some(1000.0), 989.0, 989));
        assert!(!is_saturated(Some(1000.0), 995.0, 995));
        assert!(!is_saturated(None, 1.0, 1));
        assert!(
            !is_saturated(Some(1000.0), 0.0, 0),
            "nothing measured is not saturation"
        );
    }

    #[test]
    fn too_short_under_one_second_or_ten_thousand_ops() {
        let read = PhaseKind::ReadRandom;
        assert_eq!(
            too_short(&read, None, 0.5, 1_000_000).as_deref(),
            Some("measured 0.50 s, under 1 s")
        );
        assert_eq!(
            too_short(&read, None, 5.0, 9_999).as_deref(),
            Some("measured 9999 ops, under 10000")
        );
        assert!(
            too_short(&read, None, 0.2, 50)
                .unwrap()
                .contains("under 1 s and 10000 ops")
        );
        assert_eq!(too_short(&read, None, 1.0, 10_000), None);
        // `duration: 1s` measures 0.99999 s from first start to last end: not too short.
        assert_eq!(too_short(&read, Some(1.0), 0.99999, 180_000), None);
        assert_eq!(
            too_short(&PhaseKind::Compact, None, 0.05, 1),
            None,
            "single operations are exempt"
        );
    }
}
