//! The `max_rate` phase: the highest open-loop rate of a mix the store
//! sustains in steady state.
//!
//! Each probe runs one window: the phase's mix as a `mixed` phase with
//! `rate:` = the probe rate and `duration:` = the window, through the same
//! [`phase::run`] as every phase (open-loop pacing, latency from intended
//! starts). [`judge`] decides whether the window held; [`search`] picks the
//! next rate (double, halve, then bisect to the precision).
//!
//! What the result holds (`PhaseResult::max_rate`): every window with its
//! rate, verdict, reasons and figures; the sustained and the failing rate.
//! The phase's own figures (ops, seconds, latency, histograms, I/O) are the
//! window of the sustained rate, or of the last window when none held (its
//! `target_rate` is that window's rate); its time series is every window's,
//! one after the other, each sample tagged with the rate offered
//! (`target_rate`) and `t_seconds` counted from the phase's start.
//!
//! Invariants and caveats:
//! - Windows run back to back on the same database, so later windows see a
//!   larger (written-to) database; the search assumes capacity does not
//!   change much over the search, as Pebble's does.
//! - The growth slack comes from the suite's `engine:` options
//!   (`l0_compaction_trigger`, `write_buffer_size`, else the engine's
//!   defaults); a matrix value of those two is not seen by it.
//! - A window that fails on L0 or pending-bytes growth alone is followed
//!   by a second window at the same rate (`confirms: true` in its record),
//!   whose verdict is the rate's ([`judge::failed_on_growth_only`]). The
//!   search sees one verdict per rate; `max_probes` counts rates, so a
//!   search runs at most twice that many windows.
//! - Window `k`'s operation streams are seeded apart from every other
//!   window's (the repetition number is offset by `k << 16` for the seed
//!   only), so windows do not replay the same keys.
//! - Each window's interval logs are streamed as `NN-<phase>-wK.<op>.hlog`;
//!   the kept window's are also copied to the phase's own name, which is
//!   what `histograms` in results.json points at.

pub mod judge;
pub mod search;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::time::Instant;

use lsmlab_reports::MaxRateResult;
use lsmlab_workloads::{CommonFields, Mix, Phase, PhaseKind, RateSearch, Suite};

use super::phase::{self, PhaseRun, PhaseSettings, Progress};
use crate::measure::hist_files::hist_file;
use crate::store::{Store, StoreError, StoreStats};
use judge::{Bounds, Window};
use search::SearchSpec;

/// The engine's default `l0_compaction_trigger` (growth slack when the suite sets none).
const ENGINE_L0_TRIGGER: f64 = 4.0;
/// The engine's default `write_buffer_size`.
const ENGINE_WRITE_BUFFER: f64 = 64.0 * 1048576.0;

/// Lowest rate a search probes, ops/s.
pub const FLOOR: f64 = 1.0;

/// Engine counters that count write stops.
const STOP_COUNTERS: [&str; 3] = [
    "stall_l0_stop_count",
    "stall_memtable_limit_count",
    "stall_pending_compaction_stop_count",
];
/// Engine counters of slowdown seconds.
const SLOWDOWN_COUNTERS: [&str; 2] = [
    "stall_l0_slowdown_seconds",
    "stall_pending_compaction_slowdown_seconds",
];
/// The gauge of pending compaction bytes (`store/engine.rs`).
pub const PENDING_GAUGE: &str = "pending_compaction_bytes";

/// The suite with phase `index` replaced by window `k` at `rate`.
fn window_suite(suite: &Suite, index: usize, k: usize, rate: f64, mix: &Mix, search: &RateSearch) -> Suite {
    let mut s = suite.clone();
    let p = &suite.phases[index];
    s.phases[index] = Phase {
        name: format!("{}-w{k}", p.name),
        kind: PhaseKind::Mixed {
            read: mix.read,
            write: mix.write,
            delete: mix.delete,
            scan: mix.scan,
            scan_len: mix.scan_len,
            update: mix.update,
            insert: mix.insert,
        },
        common: CommonFields {
            ops: None,
            duration: Some(search.window),
            rate: Some(rate),
            warmup: None,
            ..p.common.clone()
        },
    };
    s
}

fn counter(s: &StoreStats, name: &str) -> f64 {
    s.summary.counters.get(name).copied().unwrap_or(0.0)
}

fn delta(before: &StoreStats, after: &StoreStats, names: &[&str]) -> f64 {
    names
        .iter()
        .map(|n| (counter(after, n) - counter(before, n)).max(0.0))
        .sum()
}

/// What window `run` at `rate` measured, for [`judge::judge`].
fn observe(run: &PhaseRun, before: &StoreStats, after: &StoreStats, rate: f64) -> Window {
    let r = &run.result;
    // With missed operations, their charged waits belong in the p99 too.
    let p99_ns = r
        .open_loop
        .as_ref()
        .and_then(|o| o.latency_with_missed.as_ref())
        .or(r.latency.get("all"))
        .map_or(0, |l| l.p99_ns);
    let timeline = &run.sampled.timeline;
    Window {
        rate,
        ops: r.ops,
        achieved: r.ops_per_sec,
        p99_ns,
        sub_p99_ns: timeline
            .iter()
            .filter(|s| s.ops > 0 && !s.warmup)
            .map(|s| s.p99_ns)
            .collect(),
        stops: delta(before, after, &STOP_COUNTERS) as u64,
        slowdown_seconds: delta(before, after, &SLOWDOWN_COUNTERS),
        seconds: r.seconds,
        threads: r.threads,
        l0: timeline
            .iter()
            .map(|s| s.files_per_level.first().copied().unwrap_or(0) as f64)
            .collect(),
        pending: timeline
            .iter()
            .map(|s| s.counters.get(PENDING_GAUGE).copied().unwrap_or(0.0))
            .collect(),
    }
}

/// Runs `max_rate` phase `index` of `suite` (any other kind runs as usual).
pub fn run(
    store: &dyn Store,
    db_dir: &Path,
    suite: &Suite,
    index: usize,
    settings: &PhaseSettings,
    progress: &dyn Progress,
) -> Result<PhaseRun, StoreError> {
    let phase = &suite.phases[index];
    let PhaseKind::MaxRate { mix, search: rs } = &phase.kind else {
        return phase::run(store, db_dir, suite, index, settings, progress);
    };
    let spec = SearchSpec {
        start: rs.start_rate,
        precision: rs.precision,
        max_probes: rs.max_probes,
        ceiling: rs.ceiling,
        floor: FLOOR,
    };
    // Sizes may be written with units (`8MiB`).
    let option = |name: &str, default: f64| {
        suite
            .engine
            .get(name)
            .and_then(|v| {
                v.as_f64().or_else(|| {
                    v.as_str()
                        .and_then(|s| lsmlab_units::parse_size(s).ok())
                        .map(|n| n as f64)
                })
            })
            .unwrap_or(default)
    };
    let (l0_slack, pending_slack) = Bounds::slack_for(
        option("l0_compaction_trigger", ENGINE_L0_TRIGGER),
        option("write_buffer_size", ENGINE_WRITE_BUFFER),
    );
    let bounds = Bounds {
        p99_ns: rs.p99.as_nanos().min(u64::MAX as u128) as u64,
        slowdown: rs.slowdown,
        l0_slack,
        pending_slack,
    };
    let start = Instant::now();
    let mut probes = Vec::new();
    let mut timeline = Vec::new();
    // The highest holding window, and the last one that was not kept.
    let mut kept: Option<PhaseRun> = None;
    let mut last: Option<PhaseRun> = None;
    let outcome = search::search(&spec, |rate| {
        judge::rate_verdict(&mut probes, |k, confirms| {
            let window = window_suite(suite, index, k, rate, mix, rs);
            let window_settings = PhaseSettings {
                repetition: settings.repetition ^ ((k as u32 + 1) << 16),
                ..settings.clone()
            };
            let offset = start.elapsed().as_secs_f64();
            let before = store.stats();
            let run = phase::run(store, db_dir, &window, index, &window_settings, progress)?;
            let after = store.stats();
            let mut probe = judge::judge(&observe(&run, &before, &after, rate), &bounds);
            probe.start_seconds = offset;
            probe.end_seconds = start.elapsed().as_secs_f64();
            probe.confirms = confirms;
            timeline.extend(run.sampled.timeline.iter().map(|s| {
                let mut s = s.clone();
                s.t_seconds += offset;
                s.target_rate = Some(rate);
                s
            }));
            // Bisection only probes above the highest holding rate, so a
            // holding window is always the best so far.
            if probe.held {
                kept = Some(run);
            } else {
                last = Some(run);
            }
            Ok::<_, StoreError>(probe)
        })
    })?;
    let Some(mut run) = kept.or(last) else {
        return Err(StoreError::Panicked("max_rate search (no window ran)"));
    };
    copy_window_logs(&mut run, settings, index, &phase.name)?;
    let r = &mut run.result;
    r.name = phase.name.clone();
    r.kind = phase.kind.name().to_string();
    r.timeline = timeline.clone();
    r.max_rate = Some(MaxRateResult {
        window_seconds: rs.window.as_secs_f64(),
        p99_bound_ns: bounds.p99_ns,
        slowdown_fraction: rs.slowdown,
        precision: rs.precision,
        sustained_rate: outcome.sustained,
        failing_rate: outcome.failing,
        converged: outcome.converged,
        stopped: outcome.stopped,
        probes,
    });
    run.sampled.timeline = timeline;
    Ok(run)
}

/// Copies the kept window's `.hlog` files to the phase's own names.
fn copy_window_logs(
    run: &mut PhaseRun,
    settings: &PhaseSettings,
    index: usize,
    name: &str,
) -> Result<(), StoreError> {
    let Some(dir) = &settings.hist_dir else {
        return Ok(());
    };
    for (op, from) in run.sampled.hlogs.iter_mut() {
        let to = hist_file(dir, index, name, op, "hlog");
        std::fs::copy(&*from, &to).map_err(|source| {
            StoreError::Histograms(std::sync::Arc::new(lsmlab_reports::HdrError::Io {
                path: to.clone(),
                source,
            }))
        })?;
        *from = to;
    }
    Ok(())
}
