//! The sampler: every interval it takes the workers' tallies and the
//! store's counters, adds them to the phase totals, appends the interval's
//! histograms to the `.hlog` files and one [`TimelineSample`] to the time
//! series.
//!
//! Invariants:
//! - Ticks are at `start + k * interval` (absolute), so samples do not
//!   drift; the last sample covers the partial interval up to the stop.
//! - Every tally handed over by a worker lands in exactly one interval, and
//!   the phase totals are the sum of the intervals, so the intervals of a
//!   `.hlog` sum to the phase histogram exactly and each sample's op count
//!   describes the same operations as its histograms.
//! - Interval histograms are streamed to disk as they close (one interval
//!   is held back so a final sliver shorter than [`MIN_FINAL`] can be merged
//!   into it instead of becoming a meaningless 0.2 ms sample); memory does
//!   not grow with the phase's length.
//! - `read_while_writing`'s writer is tallied apart (`writer_totals`,
//!   `writer_*` histograms, `TimelineSample::writer_ops`).
//! - Store counters are cumulative since the store was opened.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

use lsmlab_reports::TimelineSample;
use lsmlab_reports::hdr::{HdrError, IntervalLogStream, interval_latency};

use super::worker::WorkerShared;
use crate::measure::hist_files::hist_file;
use crate::measure::histograms::LazyHistogram;
use crate::measure::tally::Tally;
use crate::store::{StatsSummary, Store};

/// A final interval shorter than this is merged into the one before it.
pub const MIN_FINAL: Duration = Duration::from_millis(1);

/// Histogram name of the start-delay histogram (open loop).
pub const START_DELAY: &str = "start_delay";

/// Prefix of the writer's histogram names (`writer_put`).
pub const WRITER_PREFIX: &str = "writer_";

/// Where and how to stream a phase's interval logs.
#[derive(Debug, Clone)]
pub struct HlogTarget {
    /// Directory of the cell's histograms (created if missing).
    pub dir: PathBuf,
    /// Phase index in the suite.
    pub index: usize,
    /// Phase name.
    pub phase: String,
    /// Header comment start (suite, cell); the histogram name is appended.
    pub comment: String,
}

/// What the sampler collected over a phase.
#[derive(Debug, Default)]
pub struct SamplerOutput {
    /// The time series.
    pub timeline: Vec<TimelineSample>,
    /// Everything the ordinary workers (readers) measured.
    pub totals: Tally,
    /// Everything `read_while_writing`'s writer measured.
    pub writer_totals: Tally,
    /// The `.hlog` written per histogram name.
    pub hlogs: BTreeMap<String, PathBuf>,
    /// The first error writing an `.hlog` (the phase fails with it).
    pub error: Option<HdrError>,
}

/// One closed interval waiting to be emitted.
struct Interval {
    from: Instant,
    to: Instant,
    main: Tally,
    writer: Tally,
    stats: StatsSummary,
}

/// Collects the workers' tallies into intervals and totals.
pub struct Sampler<'a> {
    store: &'a dyn Store,
    workers: Vec<Arc<WorkerShared>>,
    /// One emptied tally per worker, swapped into its slot at each collect.
    spares: Vec<Tally>,
    start: Instant,
    base_time: SystemTime,
    warmup_end: Instant,
    target: Option<HlogTarget>,
    logs: BTreeMap<String, IntervalLogStream>,
    last: Instant,
    held: Option<Interval>,
    out: SamplerOutput,
}

impl<'a> Sampler<'a> {
    /// A sampler of `workers` for a phase that started at `start`
    /// (`base_time` on the wall clock); `target` None keeps no `.hlog`.
    pub fn new(
        store: &'a dyn Store,
        workers: Vec<Arc<WorkerShared>>,
        start: Instant,
        base_time: SystemTime,
        warmup_end: Instant,
        target: Option<HlogTarget>,
    ) -> Sampler<'a> {
        Sampler {
            store,
            spares: workers.iter().map(|_| Tally::default()).collect(),
            workers,
            start,
            base_time,
            warmup_end,
            target,
            logs: BTreeMap::new(),
            last: start,
            held: None,
            out: SamplerOutput::default(),
        }
    }

    /// Closes the interval ending at `now` (a tick).
    pub fn tick(&mut self, now: Instant) {
        let iv = self.collect(now);
        if let Some(previous) = self.held.replace(iv) {
            self.emit(previous);
        }
    }

    /// Closes the last interval at `now` and returns everything collected.
    pub fn finish(mut self, now: Instant) -> SamplerOutput {
        let last = self.collect(now);
        match self.held.take() {
            Some(mut previous) if last.to.saturating_duration_since(last.from) < MIN_FINAL => {
                previous.to = last.to;
                previous.main.add(&last.main);
                previous.writer.add(&last.writer);
                previous.stats = last.stats;
                self.emit(previous);
            }
            Some(previous) => {
                self.emit(previous);
                self.emit(last);
            }
            None => self.emit(last),
        }
        self.out
    }

    /// Takes every worker's pending tally and the store's counters.
    fn collect(&mut self, now: Instant) -> Interval {
        let mut main = Tally::default();
        let mut writer = Tally::default();
        for (w, spare) in self.workers.iter().zip(self.spares.iter_mut()) {
            // Swap under the lock (O(1)); merge and empty outside it, and
            // leave the emptied buffers for the worker's next hand-over.
            if let Ok(mut pending) = w.pending.lock() {
                std::mem::swap(&mut *pending, spare);
            }
            spare.drain_into(if w.writer { &mut writer } else { &mut main });
        }
        let from = std::mem::replace(&mut self.last, now);
        Interval {
            from,
            to: now,
            main,
            writer,
            stats: self.store.stats().summary,
        }
    }

    /// Adds an interval to the totals, the `.hlog` files and the time series.
    fn emit(&mut self, iv: Interval) {
        let secs = iv.to.saturating_duration_since(iv.from).as_secs_f64().max(1e-9);
        let all = iv.main.latency.combined();
        let summary = |h: &LazyHistogram| h.get().map(interval_latency).unwrap_or_default();
        let all_summary = summary(&all);
        self.out.timeline.push(TimelineSample {
            t_seconds: iv.to.saturating_duration_since(self.start).as_secs_f64(),
            interval_seconds: secs,
            ops: iv.main.ops,
            writer_ops: iv.writer.ops,
            ops_per_sec: iv.main.ops as f64 / secs,
            warmup: iv.from < self.warmup_end,
            p50_ns: all_summary.p50_ns,
            p99_ns: all_summary.p99_ns,
            max_ns: all_summary.max_ns,
            per_op: iv
                .main
                .latency
                .iter()
                .map(|(name, h)| (name.to_string(), summary(h)))
                .collect(),
            counters: iv.stats.counters.clone(),
            files_per_level: iv.stats.files_per_level.clone(),
            bytes_per_level: iv.stats.level_bytes.clone(),
            target_rate: None,
        });
        let start = iv.from.saturating_duration_since(self.start);
        let duration = iv.to.saturating_duration_since(iv.from);
        let mut named: Vec<(String, &LazyHistogram)> = Vec::new();
        named.extend(iv.main.latency.iter().map(|(n, h)| (n.to_string(), h)));
        named.push((START_DELAY.to_string(), &iv.main.start_delay));
        named.extend(
            iv.writer
                .latency
                .iter()
                .map(|(n, h)| (format!("{WRITER_PREFIX}{n}"), h)),
        );
        for (name, h) in named {
            if let Some(h) = h.get()
                && let Err(e) = self.append(&name, h, start, duration)
            {
                self.out.error.get_or_insert(e);
            }
        }
        self.out.totals.add(&iv.main);
        self.out.writer_totals.add(&iv.writer);
    }

    /// Appends one interval histogram to the `.hlog` of `name`, creating it.
    fn append(
        &mut self,
        name: &str,
        h: &lsmlab_reports::LatencyHistogram,
        start: Duration,
        duration: Duration,
    ) -> Result<(), HdrError> {
        let Some(target) = &self.target else {
            return Ok(());
        };
        if !self.logs.contains_key(name) {
            let path = hist_file(&target.dir, target.index, &target.phase, name, "hlog");
            create_dir(&target.dir)?;
            let comment = format!("{} op {name}", target.comment);
            let log = IntervalLogStream::create(&path, self.base_time, &comment)?;
            self.logs.insert(name.to_string(), log);
            self.out.hlogs.insert(name.to_string(), path);
        }
        match self.logs.get_mut(name) {
            Some(log) => log.append(h, start, duration, Some(name)),
            None => Ok(()),
        }
    }
}

fn create_dir(dir: &Path) -> Result<(), HdrError> {
    std::fs::create_dir_all(dir).map_err(|source| HdrError::Io {
        path: dir.to_path_buf(),
        source,
    })
}

/// The sampler thread: ticks every `interval` until `stop` receives a
/// message or disconnects, then closes the last interval.
pub fn run(mut sampler: Sampler<'_>, interval: Duration, stop: Receiver<()>) -> SamplerOutput {
    let mut tick = 1u32;
    loop {
        let next = sampler.start + interval * tick;
        match stop.recv_timeout(next.saturating_duration_since(Instant::now())) {
            Err(RecvTimeoutError::Timeout) => {
                sampler.tick(Instant::now().max(next));
                tick += 1;
            }
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return sampler.finish(Instant::now()),
        }
    }
}

#[cfg(test)]
mod tests {
    use lsmlab_reports::hdr::sum_interval_log;
    use lsmlab_workloads::OpKind;

    use super::*;
    use crate::store::null::NullStore;

    fn hand_over(w: &WorkerShared, ops: u64, latency_ns: u64) {
        let mut t = w.pending.lock().unwrap();
        for _ in 0..ops {
            t.latency.record(OpKind::Get, latency_ns);
        }
        t.ops += ops;
    }

    #[test]
    fn a_final_sliver_under_1ms_is_kept_not_lost() {
        // Before: a stop 0.5 ms after the last tick dropped what came after
        // the tick (the .hlog summed to 4,197 of a phase's 4,227 ops).
        let dir = tempfile::tempdir().unwrap();
        let w = Arc::new(WorkerShared::new(false));
        let t0 = Instant::now();
        let target = HlogTarget {
            dir: dir.path().to_path_buf(),
            index: 0,
            phase: "read_random".into(),
            comment: "test".into(),
        };
        let mut s = Sampler::new(
            &NullStore,
            vec![w.clone()],
            t0,
            SystemTime::now(),
            t0,
            Some(target),
        );
        hand_over(&w, 4_197, 1_000);
        s.tick(t0 + Duration::from_secs(1));
        hand_over(&w, 30, 2_000);
        let out = s.finish(t0 + Duration::from_micros(1_000_500));
        assert!(out.error.is_none());
        assert_eq!(out.totals.ops, 4_227);
        assert_eq!(out.totals.latency.count(), 4_227);
        // Merged into the one interval before it, which now ends at the stop.
        assert_eq!(out.timeline.len(), 1);
        assert_eq!(out.timeline[0].ops, 4_227);
        assert!((out.timeline[0].interval_seconds - 1.0005).abs() < 1e-9);
        let logged = sum_interval_log(&out.hlogs["get"]).unwrap();
        assert_eq!(logged.len(), 4_227);
        assert_eq!(
            logged,
            *out.totals.latency.iter().next().unwrap().1.get().unwrap()
        );
    }

    #[test]
    fn every_interval_is_streamed_and_counts_match_histograms() {
        let dir = tempfile::tempdir().unwrap();
        let reader = Arc::new(WorkerShared::new(false));
        let writer = Arc::new(WorkerShared::new(true));
        let t0 = Instant::now();
        let target = HlogTarget {
            dir: dir.path().join("nested"),
            index: 3,
            phase: "rww".into(),
            comment: "test".into(),
        };
        let workers = vec![reader.clone(), writer.clone()];
        let mut s = Sampler::new(&NullStore, workers, t0, SystemTime::now(), t0, Some(target));
        for k in 1..=5u64 {
            hand_over(&reader, 100 * k, 1_000 * k);
            writer.pending.lock().unwrap().latency.record(OpKind::Put, 50);
            writer.pending.lock().unwrap().ops += 1;
            s.tick(t0 + Duration::from_millis(100 * k));
        }
        let out = s.finish(t0 + Duration::from_millis(520));
        // 5 ticks + a final 20 ms interval (empty, but still a sample).
        assert_eq!(out.timeline.len(), 6);
        for (k, sample) in out.timeline.iter().take(5).enumerate() {
            let per_op: u64 = sample.per_op.values().map(|l| l.ops).sum();
            assert_eq!(sample.ops, per_op, "interval {k}");
            assert_eq!(sample.ops, 100 * (k as u64 + 1));
            assert_eq!(sample.writer_ops, 1);
        }
        assert_eq!(out.totals.ops, 1_500);
        assert_eq!(out.writer_totals.ops, 5);
        assert_eq!(sum_interval_log(&out.hlogs["get"]).unwrap().len(), 1_500);
        assert_eq!(sum_interval_log(&out.hlogs["writer_put"]).unwrap().len(), 5);
        assert!(out.hlogs["get"].ends_with("03-rww.get.hlog"));
        assert!(
            !out.hlogs.contains_key(START_DELAY),
            "closed loop: no start delays"
        );
    }
}
