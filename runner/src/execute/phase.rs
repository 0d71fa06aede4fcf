//! One phase: spawn its workers and the sampler, wait, then turn what they
//! measured plus before/after readings (procfs, engine stats, disk size)
//! into a [`PhaseResult`].
//!
//! Invariants:
//! - Warmup (`warmup:`) runs first and is excluded from histograms, ops,
//!   bytes and seconds; a duration-bound phase measures `duration` after it.
//! - The measured time runs from the start of the first measured operation
//!   (never before the end of warmup) to the end of the last one.
//! - Open-loop `rate:` is the whole phase's rate, split evenly over its
//!   threads with staggered schedules. `read_while_writing`'s `write_rate`
//!   paces its writer thread (`OpStream::is_writer`), which is stopped when
//!   the readers finish.
//! - A store error from any worker stops the phase and is returned after
//!   every thread has been joined (no thread outlives its phase).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::{Duration, Instant, SystemTime};

use lsmlab_reports::PhaseResult;
use lsmlab_reports::hdr::summarize;
use lsmlab_workloads::{OpStream, Phase, PhaseKind, Suite};

use super::sampler::{self, SamplerOutput};
use super::schedule::Schedule;
use super::worker::{self, WorkerShared, WorkerSpec};
use crate::measure::histograms::OpHistograms;
use crate::measure::procfs::{self, ProcSnapshot};
use crate::store::{Store, StoreError, json_delta};

/// Phase-independent settings.
#[derive(Debug, Clone)]
pub struct PhaseSettings {
    /// Sampling interval of the time series.
    pub interval: Duration,
    /// Repetition number of the cell (seeds the operation streams).
    pub repetition: u32,
}

/// Called while a phase runs so the console can show progress.
pub trait Progress {
    /// `ops` finished so far (warmup included), `elapsed` since the phase started.
    fn update(&self, ops: u64, elapsed: Duration);
}

/// A finished phase: the result row plus the raw histograms to save.
#[derive(Debug)]
pub struct PhaseRun {
    /// The result (histogram file names not yet filled in).
    pub result: PhaseResult,
    /// Whole-phase histograms per operation type.
    pub totals: OpHistograms,
    /// The time series and interval histograms.
    pub sampled: SamplerOutput,
}

/// Operations the phase is expected to run (for progress), when known.
pub fn expected_ops(suite: &Suite, phase: &Phase) -> Option<u64> {
    match phase.kind {
        PhaseKind::Flush | PhaseKind::Compact | PhaseKind::WaitForCompaction => Some(1),
        PhaseKind::DeleteRange { ranges, .. } => Some(phase.common.ops.unwrap_or(ranges)),
        PhaseKind::Fill { .. } => Some(phase.common.ops.unwrap_or(suite.data.keys)),
        _ if phase.common.duration.is_some() => None,
        _ => phase.common.ops,
    }
}

fn thread_schedule(
    phase: &Phase,
    stream: &OpStream,
    thread: usize,
    threads: usize,
    start: Instant,
) -> Option<Schedule> {
    if let PhaseKind::ReadWhileWriting { write_rate } = phase.kind
        && stream.is_writer()
    {
        // The writer is paced by write_rate alone (and never by the readers' rate).
        return write_rate
            .filter(|r| *r > 0.0)
            .map(|r| Schedule::new(start, r, 0, 1));
    }
    let rate = phase.common.rate.filter(|r| *r > 0.0)?;
    Some(Schedule::new(start, rate / threads as f64, thread, threads))
}

/// Runs phase `index` of `suite` on `store` (whose files live in `db_dir`).
pub fn run(
    store: &dyn Store,
    db_dir: &Path,
    suite: &Suite,
    index: usize,
    settings: &PhaseSettings,
    progress: &dyn Progress,
) -> Result<PhaseRun, StoreError> {
    let phase = &suite.phases[index];
    let threads = phase.common.threads.max(1);
    let stats_before = store.stats();
    procfs::reset_peak_rss();
    let proc_before = ProcSnapshot::now();

    let seed = super::cell::phase_stream_seed(suite.seed, settings.repetition, index);
    let shared: Vec<Arc<WorkerShared>> = (0..threads).map(|_| Arc::new(WorkerShared::default())).collect();
    let stop = AtomicBool::new(false);
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let publish_every = (settings.interval / 20).clamp(Duration::from_millis(1), Duration::from_millis(100));
    let streams: Vec<OpStream> = (0..threads)
        .map(|t| OpStream::new(suite, index, seed, t, threads))
        .collect();

    let base_time = SystemTime::now();
    let start = Instant::now();
    let warmup_end = start + phase.common.warmup.unwrap_or(Duration::ZERO);
    let deadline = phase.common.duration.map(|d| warmup_end + d);

    let (outcomes, sampled) = std::thread::scope(|scope| {
        let sampler_shared = shared.clone();
        let sampler = scope.spawn(move || {
            sampler::run(
                store,
                &sampler_shared,
                start,
                base_time,
                warmup_end,
                settings.interval,
                stop_rx,
            )
        });
        let handles: Vec<_> = streams
            .into_iter()
            .enumerate()
            .map(|(t, stream)| {
                let is_writer = stream.is_writer();
                let schedule = thread_schedule(phase, &stream, t, threads, start);
                let spec = WorkerSpec {
                    store,
                    stream,
                    shared: &shared[t],
                    stop: &stop,
                    warmup_end,
                    deadline,
                    schedule,
                    sync: phase.common.sync,
                    publish_every,
                };
                (is_writer, scope.spawn(move || worker::run(spec)))
            })
            .collect();
        let has_readers = handles.iter().any(|(w, _)| !w);
        while !handles.iter().all(|(_, h)| h.is_finished()) {
            // read_while_writing's writer never ends on its own: stop it
            // when the readers are done.
            if has_readers && handles.iter().all(|(w, h)| *w || h.is_finished()) {
                stop.store(true, Relaxed);
            }
            std::thread::sleep(Duration::from_millis(10));
            let ops = shared.iter().map(|w| w.ops.load(Relaxed)).sum();
            progress.update(ops, start.elapsed());
        }
        let outcomes: Vec<_> = handles.into_iter().map(|(_, h)| h.join()).collect();
        let _ = stop_tx.send(());
        (outcomes, sampler.join())
    });

    let mut totals = OpHistograms::new();
    let (mut ops, mut bytes, mut warmup_ops) = (0u64, 0u64, 0u64);
    let mut first_start: Option<Instant> = None;
    let mut last_finish: Option<Instant> = None;
    let mut error = None;
    for outcome in outcomes {
        let outcome = outcome.map_err(|_| StoreError::Panicked("a worker"))?;
        totals.add(&outcome.histograms);
        ops += outcome.ops;
        bytes += outcome.bytes;
        warmup_ops += outcome.warmup_ops;
        first_start = match (first_start, outcome.first_start) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        last_finish = last_finish.max(outcome.last_finish);
        if error.is_none() {
            error = outcome.error;
        }
    }
    let sampled = sampled.map_err(|_| StoreError::Panicked("the sampler"))?;
    if let Some(e) = error {
        return Err(e);
    }
    let proc_after = ProcSnapshot::now();
    let stats_after = store.stats();
    let (io, cpu) = proc_after.since(&proc_before);
    // Measured time: from the first measured operation's start (not from
    // thread spawn, which a loaded machine can delay by milliseconds) to the
    // last one's end.
    let seconds = match (first_start, last_finish) {
        (Some(a), Some(b)) => b
            .saturating_duration_since(a.max(warmup_end).min(b))
            .as_secs_f64(),
        _ => 0.0,
    };
    let rate = |x: f64| if seconds > 0.0 { x / seconds } else { 0.0 };

    let mut latency: BTreeMap<String, _> = totals
        .iter()
        .map(|(n, h)| (n.to_string(), summarize(h)))
        .collect();
    if ops > 0 {
        latency.insert("all".to_string(), summarize(&totals.combined()));
    }
    let engine_stats_delta = match (&stats_before.raw, &stats_after.raw) {
        (Some(b), Some(a)) => Some(json_delta(b, a)),
        _ => None,
    };
    let result = PhaseResult {
        index,
        name: phase.name.clone(),
        kind: phase.kind.name().to_string(),
        threads,
        target_rate: phase.common.rate,
        ops,
        seconds,
        ops_per_sec: rate(ops as f64),
        bytes,
        mb_per_sec: rate(bytes as f64) / 1048576.0,
        warmup_ops,
        warmup_seconds: warmup_end.saturating_duration_since(start).as_secs_f64(),
        latency,
        histograms: BTreeMap::new(),
        timeline: sampled.timeline.clone(),
        io,
        cpu,
        peak_rss_bytes: procfs::peak_rss_bytes(),
        db_size_bytes: procfs::dir_size_bytes(db_dir),
        engine_stats_delta,
        write_amp: stats_after.summary.since(&stats_before.summary).total_write_amp(),
    };
    Ok(PhaseRun {
        result,
        totals,
        sampled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::console::Console;
    use crate::store::memory::MemoryStore;
    use crate::store::null::NullStore;
    use crate::test_support::{suite_from_yaml, tiny_suite};
    use lsmlab_workloads::BatchEntry;

    struct NoProgress;
    impl Progress for NoProgress {
        fn update(&self, _ops: u64, _elapsed: Duration) {}
    }

    fn settings(interval_ms: u64) -> PhaseSettings {
        PhaseSettings {
            interval: Duration::from_millis(interval_ms),
            repetition: 1,
        }
    }

    #[test]
    fn fill_then_read_counts_every_op() {
        let suite = tiny_suite();
        let store = MemoryStore::new();
        let dir = tempfile::tempdir().unwrap();
        let fill = run(&store, dir.path(), &suite, 0, &settings(1000), &NoProgress).unwrap();
        assert_eq!(fill.result.ops, 1000);
        assert_eq!(fill.result.kind, "fill");
        assert_eq!(fill.result.latency["put"].count, 1000);
        assert_eq!(fill.result.latency["all"].count, 1000);
        assert_eq!(fill.result.bytes, 1000 * 116);
        assert_eq!(fill.totals.count(), 1000);
        // Interval histograms sum to the phase histogram.
        let logged: u64 = fill
            .sampled
            .intervals
            .iter()
            .map(|iv| iv.histograms.count())
            .sum();
        assert_eq!(logged, 1000);
        assert!(!fill.result.timeline.is_empty());
        assert_eq!(fill.result.timeline.iter().map(|s| s.ops).sum::<u64>(), 1000);
        let read = run(&store, dir.path(), &suite, 1, &settings(1000), &NoProgress).unwrap();
        assert_eq!(read.result.ops, 500);
        assert_eq!(read.result.latency["get"].count, 500);
        assert!(read.result.engine_stats_delta.is_some());
    }

    #[test]
    fn open_loop_rate_is_achieved_within_5_percent() {
        let suite = suite_from_yaml(
            "name: r\ndata: {keys: 1000}\nphases:\n  - overwrite: {duration: 1s, rate: 2000, threads: 2}\n",
        );
        let dir = tempfile::tempdir().unwrap();
        let r = run(&NullStore, dir.path(), &suite, 0, &settings(250), &NoProgress)
            .unwrap()
            .result;
        assert!((r.ops as f64 - 2000.0).abs() <= 100.0, "{} ops in 1 s", r.ops);
        assert!((r.seconds - 1.0).abs() < 0.05, "{} s", r.seconds);
        assert!((r.ops_per_sec - 2000.0).abs() <= 100.0, "{} ops/s", r.ops_per_sec);
        assert_eq!(r.target_rate, Some(2000.0));
        assert!(r.timeline.len() >= 4);
    }

    #[test]
    fn warmup_is_excluded_from_totals() {
        let suite = suite_from_yaml(
            "name: w\ndata: {keys: 1000}\nphases:\n  - read_random: {duration: 300ms, warmup: 200ms, rate: 1000}\n",
        );
        let dir = tempfile::tempdir().unwrap();
        let r = run(&NullStore, dir.path(), &suite, 0, &settings(100), &NoProgress)
            .unwrap()
            .result;
        assert!(
            (r.warmup_ops as f64 - 200.0).abs() <= 10.0,
            "warmup {}",
            r.warmup_ops
        );
        assert!((r.ops as f64 - 300.0).abs() <= 15.0, "measured {}", r.ops);
        assert_eq!(r.latency["get"].count, r.ops);
        assert!((r.warmup_seconds - 0.2).abs() < 1e-3);
        assert!(r.timeline.first().unwrap().warmup);
        assert!(!r.timeline.last().unwrap().warmup);
    }

    #[test]
    fn read_while_writing_stops_the_writer_when_readers_finish() {
        let suite = suite_from_yaml(
            "name: rww\ndata: {keys: 1000}\nphases:\n  - read_while_writing: {ops: 2000, threads: 3, write_rate: 1000}\n",
        );
        let store = MemoryStore::new();
        let dir = tempfile::tempdir().unwrap();
        let r = run(&store, dir.path(), &suite, 0, &settings(1000), &NoProgress)
            .unwrap()
            .result;
        assert_eq!(r.latency["get"].count, 2000);
        let puts =
            r.latency.get("put").map_or(0, |s| s.count) + r.latency.get("batch").map_or(0, |s| s.count);
        // Paced at 1000/s for however long the readers took (well under a second here).
        assert!(
            puts as f64 <= r.seconds * 1000.0 + 20.0,
            "{puts} writes in {} s",
            r.seconds
        );
    }

    /// A store whose writes fail after `ok` of them.
    struct FailingStore {
        inner: MemoryStore,
        ok: std::sync::atomic::AtomicU64,
    }
    impl Store for FailingStore {
        fn put(&self, k: &[u8], v: &[u8], s: bool) -> crate::store::StoreResult<()> {
            if self.ok.fetch_sub(1, Relaxed) == 0 {
                return Err(StoreError::Engine(lsmlab_engine::Error::io(
                    "disk on fire",
                    std::io::Error::other("no space left"),
                )));
            }
            self.inner.put(k, v, s)
        }
        fn get(&self, k: &[u8]) -> crate::store::StoreResult<Option<usize>> {
            self.inner.get(k)
        }
        fn delete(&self, k: &[u8], s: bool) -> crate::store::StoreResult<()> {
            self.inner.delete(k, s)
        }
        fn delete_range(&self, b: &[u8], e: &[u8], s: bool) -> crate::store::StoreResult<()> {
            self.inner.delete_range(b, e, s)
        }
        fn write_batch(&self, e: &[BatchEntry], s: bool) -> crate::store::StoreResult<()> {
            self.inner.write_batch(e, s)
        }
        fn scan(&self, k: &[u8], n: usize) -> crate::store::StoreResult<(usize, u64)> {
            self.inner.scan(k, n)
        }
        fn stats(&self) -> crate::store::StoreStats {
            self.inner.stats()
        }
        fn close(self: Box<Self>) -> crate::store::StoreResult<()> {
            Ok(())
        }
    }

    #[test]
    fn store_error_stops_every_worker_and_is_returned() {
        let suite = suite_from_yaml("name: f\ndata: {keys: 1000}\nphases:\n  - fill: {threads: 4}\n");
        let store = FailingStore {
            inner: MemoryStore::new(),
            ok: 100.into(),
        };
        let dir = tempfile::tempdir().unwrap();
        let e = run(
            &store,
            dir.path(),
            &suite,
            0,
            &settings(1000),
            &Console::quiet().phase_progress(&suite, 0),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "I/O error: disk on fire: no space left");
    }
}
