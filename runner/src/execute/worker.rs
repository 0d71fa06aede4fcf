//! One worker thread: pulls operations from its `OpStream`, runs them on
//! the store, and records each latency in its own histograms.
//!
//! Invariants:
//! - The hot loop touches no shared cache line except this worker's own
//!   [`WorkerShared`] (padded to 128 bytes): a relaxed store of the op
//!   count per op, and a short lock every `publish_every` to hand the
//!   interval histograms to the sampler.
//! - Ops are counted as the workload defines them (`Op::ops`: a batch of N
//!   writes is N ops, a `read_seq` chunk its entries), as db_bench does;
//!   latency is recorded once per store call.
//! - Latency is taken around the store call only (operation generation is
//!   outside), from the intended start when open-loop.
//! - Operations finishing before `warmup_end` count as warmup: executed,
//!   counted in the time series, but not in histograms or totals.
//! - A store error stops this worker and raises `stop` so siblings stop too.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use lsmlab_workloads::{BatchEntry, Op, OpStream};

use super::schedule::Schedule;
use crate::measure::histograms::OpHistograms;
use crate::store::{Store, StoreError, StoreResult};

/// What a worker shares with the sampler.
#[derive(Debug, Default)]
#[repr(align(128))]
pub struct WorkerShared {
    /// Operations finished so far (warmup included).
    pub ops: AtomicU64,
    /// Measured latencies not yet taken by the sampler.
    pub interval: Mutex<OpHistograms>,
}

/// How one worker runs.
pub struct WorkerSpec<'a> {
    /// The store under test.
    pub store: &'a dyn Store,
    /// This thread's operations.
    pub stream: OpStream,
    /// Shared with the sampler.
    pub shared: &'a WorkerShared,
    /// Raised by any worker on error; checked before each op.
    pub stop: &'a AtomicBool,
    /// End of warmup (== phase start when there is none).
    pub warmup_end: Instant,
    /// Stop after this instant (duration-bound phases).
    pub deadline: Option<Instant>,
    /// Open-loop intended starts, when rate-limited.
    pub schedule: Option<Schedule>,
    /// Write with sync.
    pub sync: bool,
    /// How often interval histograms are handed to the sampler.
    pub publish_every: Duration,
}

/// What a worker measured.
#[derive(Debug, Default)]
pub struct WorkerOutcome {
    /// Measured latencies per operation type.
    pub histograms: OpHistograms,
    /// Measured operations.
    pub ops: u64,
    /// User bytes moved by measured operations.
    pub bytes: u64,
    /// Warmup operations.
    pub warmup_ops: u64,
    /// When the first measured operation started (intended start if open-loop).
    pub first_start: Option<Instant>,
    /// When the last measured operation finished.
    pub last_finish: Option<Instant>,
    /// The error that stopped the worker, if any.
    pub error: Option<StoreError>,
}

/// Runs one operation; returns the user bytes it moved (key + value
/// written or found).
#[inline]
pub fn execute(store: &dyn Store, op: &Op<'_>, sync: bool) -> StoreResult<u64> {
    Ok(match *op {
        Op::Put { key, value } => {
            store.put(key, value, sync)?;
            (key.len() + value.len()) as u64
        }
        Op::Get { key } => (key.len() + store.get(key)?.unwrap_or(0)) as u64,
        Op::Delete { key } => {
            store.delete(key, sync)?;
            key.len() as u64
        }
        Op::DeleteRange { begin, end } => {
            store.delete_range(begin, end, sync)?;
            (begin.len() + end.len()) as u64
        }
        Op::Scan { start, len } | Op::ReadSeq { start, len } => store.scan(start, len)?.1,
        Op::Update { key, value } => {
            let found = store.get(key)?.unwrap_or(0);
            store.put(key, value, sync)?;
            (2 * key.len() + found + value.len()) as u64
        }
        Op::Batch(entries) => {
            store.write_batch(entries, sync)?;
            entries
                .iter()
                .map(|e| match e {
                    BatchEntry::Put { key, value } => (key.len() + value.len()) as u64,
                    BatchEntry::Delete { key } => key.len() as u64,
                })
                .sum()
        }
        Op::Flush => {
            store.flush()?;
            0
        }
        Op::Compact => {
            store.compact()?;
            0
        }
        Op::WaitForCompaction => {
            store.wait_for_compaction()?;
            0
        }
    })
}

/// Runs the worker to the end of its stream, its deadline, or `stop`.
pub fn run(mut spec: WorkerSpec<'_>) -> WorkerOutcome {
    let mut out = WorkerOutcome::default();
    let mut interval = OpHistograms::new();
    let mut next_publish = Instant::now() + spec.publish_every;
    let mut done = 0u64;
    loop {
        if spec.stop.load(Relaxed) {
            break;
        }
        let Some(op) = spec.stream.next_op() else {
            break;
        };
        let start = match spec.schedule.as_mut() {
            Some(schedule) => {
                let at = schedule.next_start();
                if spec.deadline.is_some_and(|d| at >= d) {
                    break;
                }
                Schedule::wait_until(at);
                at
            }
            None => Instant::now(),
        };
        let result = execute(spec.store, &op, spec.sync);
        let end = Instant::now();
        let kind = op.kind();
        let count = op.ops();
        let bytes = match result {
            Ok(b) => b,
            Err(e) => {
                out.error = Some(e);
                spec.stop.store(true, Relaxed);
                break;
            }
        };
        done += count;
        spec.shared.ops.store(done, Relaxed);
        if end < spec.warmup_end {
            out.warmup_ops += count;
        } else {
            let nanos = end.saturating_duration_since(start).as_nanos() as u64;
            out.histograms.record(kind, nanos);
            interval.record(kind, nanos);
            out.ops += count;
            out.bytes += bytes;
            out.first_start.get_or_insert(start);
            out.last_finish = Some(end);
        }
        if end >= next_publish {
            publish(spec.shared, &mut interval);
            next_publish = end + spec.publish_every;
        }
        if spec.deadline.is_some_and(|d| end >= d) {
            break;
        }
    }
    publish(spec.shared, &mut interval);
    out
}

fn publish(shared: &WorkerShared, interval: &mut OpHistograms) {
    if interval.count() == 0 {
        return;
    }
    // A poisoned lock means the sampler panicked; the totals are still ours.
    if let Ok(mut slot) = shared.interval.lock() {
        interval.drain_into(&mut slot);
    }
}
