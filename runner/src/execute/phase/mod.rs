//! One phase: spawn its workers and the sampler, wait, then turn what they
//! measured plus before/after readings (procfs, engine stats, disk size)
//! into a [`PhaseResult`] (`result.rs`).
//!
//! Invariants:
//! - Warmup (`warmup:`) runs first and is excluded from histograms, ops,
//!   bytes and seconds; a duration-bound phase measures `duration` after it.
//! - The measured time runs from the start of the first measured operation
//!   (never before the end of warmup) to the end of the last one.
//! - Open-loop `rate:` is the whole phase's rate in operations per second,
//!   split evenly over its workers with staggered schedules; for
//!   `read_while_writing` over its readers only, the writer being paced by
//!   `write_rate` alone. The writer is stopped as the last reader leaves,
//!   and its figures are reported beside the readers', never mixed in.
//! - `drop_caches: true` drops the OS page cache before the phase starts
//!   (outside the measured time) and records whether it could.
//! - A store error from any worker stops the phase and is returned after
//!   every thread has been joined (no thread outlives its phase).

pub mod result;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant, SystemTime};

use lsmlab_reports::PhaseResult;
use lsmlab_workloads::{KeySpace, OpStream, Phase, PhaseKind, Suite};

use super::sampler::{self, HlogTarget, Sampler, SamplerOutput};
use super::schedule::Schedule;
use super::worker::{self, WorkerShared, WorkerSpec};
use crate::measure::histograms::LazyHistogram;
use crate::measure::page_cache::PageCache;
use crate::measure::procfs::{self, ProcSnapshot};
use crate::store::{Store, StoreError};

/// Phase-independent settings.
#[derive(Debug, Clone)]
pub struct PhaseSettings {
    /// Sampling interval of the time series.
    pub interval: Duration,
    /// Repetition number of the cell (seeds the operation streams).
    pub repetition: u32,
    /// Directory the cell's `.hlog` files are streamed to (`None`: none kept).
    pub hist_dir: Option<PathBuf>,
    /// Header comment of those files (suite and cell).
    pub hist_comment: String,
    /// The cell's key space: the acknowledged-insert high-water mark shared
    /// by every thread and phase.
    pub key_space: Arc<KeySpace>,
    /// How `drop_caches: true` drops the page cache.
    pub page_cache: PageCache,
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
    /// The totals, time series and streamed `.hlog` files.
    pub sampled: SamplerOutput,
}

/// Where a saved histogram's files are recorded in the phase result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistogramSlot {
    /// `histograms[<op>]`: latency of one operation type.
    Op(String),
    /// `open_loop.start_delay_histogram`.
    StartDelay,
    /// `writer.histograms[<op>]`: the `read_while_writing` writer's.
    Writer(String),
}

/// One whole-phase histogram to save, with where it belongs in the result.
#[derive(Debug)]
pub struct SavedHistogram<'a> {
    /// File name part and `.hlog` tag (`get`, `start_delay`, `writer_put`).
    pub file_name: String,
    /// Where its files are recorded.
    pub slot: HistogramSlot,
    /// The histogram.
    pub histogram: &'a LazyHistogram,
}

impl PhaseRun {
    /// Every non-empty whole-phase histogram: per operation type, the start
    /// delay, and the writer's per operation type.
    pub fn histograms(&self) -> Vec<SavedHistogram<'_>> {
        let s = &self.sampled;
        let mut out: Vec<SavedHistogram<'_>> = s
            .totals
            .latency
            .iter()
            .map(|(op, h)| SavedHistogram {
                file_name: op.to_string(),
                slot: HistogramSlot::Op(op.to_string()),
                histogram: h,
            })
            .collect();
        if s.totals.start_delay.count() > 0 {
            out.push(SavedHistogram {
                file_name: sampler::START_DELAY.to_string(),
                slot: HistogramSlot::StartDelay,
                histogram: &s.totals.start_delay,
            });
        }
        out.extend(s.writer_totals.latency.iter().map(|(op, h)| SavedHistogram {
            file_name: format!("{}{op}", sampler::WRITER_PREFIX),
            slot: HistogramSlot::Writer(op.to_string()),
            histogram: h,
        }));
        out
    }
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

/// The open-loop schedule of `thread` (of `threads`), when the phase has one.
fn thread_schedule(phase: &Phase, thread: usize, threads: usize, start: Instant) -> Option<Schedule> {
    if let PhaseKind::ReadWhileWriting { write_rate } = phase.kind {
        let readers = threads.saturating_sub(1).max(1);
        if thread + 1 == threads {
            // The writer is paced by write_rate alone (never by the readers' rate).
            return write_rate
                .filter(|r| *r > 0.0)
                .map(|r| Schedule::new(start, r, 0, 1));
        }
        // `rate:` is the readers' rate, shared by the readers only.
        let rate = phase.common.rate.filter(|r| *r > 0.0)?;
        return Some(Schedule::new(start, rate / readers as f64, thread, readers));
    }
    let rate = phase.common.rate.filter(|r| *r > 0.0)?;
    Some(Schedule::new(start, rate / threads as f64, thread, threads))
}

/// What the workers reported at the end, summed.
#[derive(Debug, Default)]
pub(crate) struct Ends {
    /// First measured start of the ordinary workers (readers).
    pub first_start: Option<Instant>,
    /// Last measured end of the ordinary workers.
    pub last_finish: Option<Instant>,
    /// The same for the writer.
    pub writer_span: (Option<Instant>, Option<Instant>),
    /// Open-loop operations that were due but never issued.
    pub missed_ops: u64,
    /// Missed operations' charged waits.
    pub missed: LazyHistogram,
}

fn merge_span(span: &mut (Option<Instant>, Option<Instant>), first: Option<Instant>, last: Option<Instant>) {
    span.0 = match (span.0, first) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    span.1 = span.1.max(last);
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
    let drop_caches = phase.common.drop_caches.then(|| settings.page_cache.drop_all());
    let stats_before = store.stats();
    procfs::reset_peak_rss();
    let proc_before = ProcSnapshot::now();

    let seed = super::cell::phase_stream_seed(suite.seed, settings.repetition, index);
    let streams: Vec<OpStream> = (0..threads)
        .map(|t| OpStream::new_shared(suite, index, seed, t, threads, Arc::clone(&settings.key_space)))
        .collect();
    let shared: Vec<Arc<WorkerShared>> = streams
        .iter()
        .map(|s| Arc::new(WorkerShared::new(s.is_writer())))
        .collect();
    let readers = shared.iter().filter(|w| !w.writer).count();
    let has_writer = readers < shared.len();
    let readers_left = AtomicUsize::new(readers);
    let stop = AtomicBool::new(false);
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let publish_every = (settings.interval / 20).clamp(Duration::from_millis(1), Duration::from_millis(100));

    let base_time = SystemTime::now();
    let start = Instant::now();
    let warmup_end = start + phase.common.warmup.unwrap_or(Duration::ZERO);
    let deadline = phase.common.duration.map(|d| warmup_end + d);
    let target = settings.hist_dir.as_ref().map(|dir| HlogTarget {
        dir: dir.clone(),
        index,
        phase: phase.name.clone(),
        comment: format!("{} phase {}", settings.hist_comment, phase.name),
    });
    let sampler = Sampler::new(store, shared.clone(), start, base_time, warmup_end, target);

    let (outcomes, sampled) = std::thread::scope(|scope| {
        let sampler = scope.spawn(|| sampler::run(sampler, settings.interval, stop_rx));
        let handles: Vec<_> = streams
            .into_iter()
            .enumerate()
            .map(|(t, stream)| {
                let writer = shared[t].writer;
                let spec = WorkerSpec {
                    store,
                    stream,
                    shared: &shared[t],
                    stop: &stop,
                    last_out: (has_writer && !writer).then_some(&readers_left),
                    warmup_end,
                    deadline,
                    schedule: thread_schedule(phase, t, threads, start),
                    sync: phase.common.sync,
                    publish_every,
                };
                (writer, scope.spawn(move || worker::run(spec)))
            })
            .collect();
        while !handles.iter().all(|(_, h)| h.is_finished()) {
            std::thread::sleep(Duration::from_millis(10));
            let ops = shared.iter().map(|w| w.ops.load(Relaxed)).sum();
            progress.update(ops, start.elapsed());
        }
        let outcomes: Vec<_> = handles.into_iter().map(|(w, h)| (w, h.join())).collect();
        let _ = stop_tx.send(());
        (outcomes, sampler.join())
    });

    let mut ends = Ends::default();
    let mut span = (None, None);
    let mut error = None;
    for (writer, outcome) in outcomes {
        let outcome = outcome.map_err(|_| StoreError::Panicked("a worker"))?;
        if writer {
            merge_span(&mut ends.writer_span, outcome.first_start, outcome.last_finish);
        } else {
            merge_span(&mut span, outcome.first_start, outcome.last_finish);
            ends.missed_ops += outcome.missed_ops;
            ends.missed.add(&outcome.missed);
        }
        if error.is_none() {
            error = outcome.error;
        }
    }
    (ends.first_start, ends.last_finish) = span;
    let sampled = sampled.map_err(|_| StoreError::Panicked("the sampler"))?;
    if let Some(e) = error {
        return Err(e);
    }
    let mut sampled = sampled;
    if let Some(e) = sampled.error.take() {
        return Err(StoreError::Histograms(Arc::new(e)));
    }
    let after = result::After {
        proc: ProcSnapshot::now(),
        stats: store.stats(),
        db_size_bytes: procfs::dir_size_bytes(db_dir),
    };
    let result = result::build(result::Inputs {
        phase,
        index,
        threads,
        start,
        warmup_end,
        sampled: &sampled,
        ends: &ends,
        proc_before,
        stats_before: &stats_before,
        after,
        drop_caches,
    });
    Ok(PhaseRun { result, sampled })
}
