//! One worker thread: pulls operations from its `OpStream`, runs them on
//! the store, and records what each cost in its own [`Tally`].
//!
//! Invariants:
//! - The hot loop touches no shared cache line except this worker's own
//!   [`WorkerShared`] (padded to 128 bytes): a relaxed store of the op
//!   count per op, and a short lock every `publish_every` to swap the whole
//!   tally (histograms and counts together) for the empty one the sampler
//!   left. Each latency is recorded once; the phase totals are the
//!   sampler's sum.
//! - Ops are counted as the workload defines them (`Op::ops`: a batch of N
//!   writes is N ops, a `read_seq` chunk its entries), as db_bench does;
//!   latency is recorded once per store call. An open-loop schedule
//!   advances by the same count, so `rate:` is operations per second.
//! - Latency is taken around the store call only (operation generation is
//!   outside). Open-loop, it counts from the intended start (coordinated
//!   omission corrected) and the start delay (actual - intended start) is
//!   recorded beside it.
//! - Operations finishing before `warmup_end` count as warmup: executed,
//!   counted in the time series, but not in histograms or totals.
//! - A duration-bound open-loop worker that reaches its deadline behind
//!   schedule charges the operations it never issued
//!   ([`Schedule::charge_missed`]); a worker stopped by `stop` charges none.
//! - A store error stops this worker and raises `stop` so siblings stop too.
//!   The last reader of a `read_while_writing` phase raises `stop` as it
//!   leaves (`last_out`), which ends the writer within one operation or
//!   one `STOP_CHECK` of its wait.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use lsmlab_workloads::{BatchEntry, Op, OpStream};

use super::schedule::{Schedule, SystemClock};
use crate::measure::histograms::LazyHistogram;
use crate::measure::tally::Tally;
use crate::measure::timer;
use crate::store::{Store, StoreError, StoreResult};

/// What a worker shares with the sampler.
#[derive(Debug, Default)]
#[repr(align(128))]
pub struct WorkerShared {
    /// Operations finished so far (warmup included), for progress.
    pub ops: AtomicU64,
    /// What the worker measured since the sampler last took it.
    pub pending: Mutex<Tally>,
    /// Whether this is `read_while_writing`'s writer (reported apart).
    pub writer: bool,
}

impl WorkerShared {
    /// Shared state of a reader/ordinary worker (`writer == false`) or of
    /// `read_while_writing`'s writer.
    pub fn new(writer: bool) -> WorkerShared {
        WorkerShared {
            writer,
            ..WorkerShared::default()
        }
    }
}

/// How one worker runs.
pub struct WorkerSpec<'a> {
    /// The store under test.
    pub store: &'a dyn Store,
    /// This thread's operations.
    pub stream: OpStream,
    /// Shared with the sampler.
    pub shared: &'a WorkerShared,
    /// Raised by any worker on error (and by the last reader of a
    /// `read_while_writing` phase); checked before each op and while waiting.
    pub stop: &'a AtomicBool,
    /// Readers still running; the one that brings it to zero raises `stop`.
    pub last_out: Option<&'a AtomicUsize>,
    /// End of warmup (== phase start when there is none).
    pub warmup_end: Instant,
    /// Stop after this instant (duration-bound phases).
    pub deadline: Option<Instant>,
    /// Open-loop intended starts, when rate-limited.
    pub schedule: Option<Schedule>,
    /// Write with sync.
    pub sync: bool,
    /// How often the tally is handed to the sampler.
    pub publish_every: Duration,
}

/// What a worker reports when it ends (its measurements went to the sampler).
#[derive(Debug, Default)]
pub struct WorkerOutcome {
    /// When the first measured operation started (intended start if open-loop).
    pub first_start: Option<Instant>,
    /// When the last measured operation finished.
    pub last_finish: Option<Instant>,
    /// Open loop: intended operations never issued (duration ran out).
    pub missed_ops: u64,
    /// Open loop: each missed operation charged its wait at the deadline.
    pub missed: LazyHistogram,
    /// The error that stopped the worker, if any.
    pub error: Option<StoreError>,
}

/// What one operation moved (see `measure::tally` for the byte rules).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Moved {
    /// User bytes.
    pub bytes: u64,
    /// Point reads issued.
    pub reads: u64,
    /// Point reads that found their key.
    pub found: u64,
}

/// Runs one operation.
#[inline]
pub fn execute(store: &dyn Store, op: &Op<'_>, sync: bool) -> StoreResult<Moved> {
    let written = |bytes| Moved {
        bytes,
        ..Moved::default()
    };
    let read = |key: &[u8], got: Option<usize>| Moved {
        bytes: got.map_or(0, |v| (key.len() + v) as u64),
        reads: 1,
        found: u64::from(got.is_some()),
    };
    Ok(match *op {
        Op::Put { key, value } => {
            store.put(key, value, sync)?;
            written((key.len() + value.len()) as u64)
        }
        Op::Get { key } => read(key, store.get(key)?),
        Op::Delete { key } => {
            store.delete(key, sync)?;
            written(key.len() as u64)
        }
        Op::DeleteRange { begin, end } => {
            store.delete_range(begin, end, sync)?;
            written((begin.len() + end.len()) as u64)
        }
        Op::Scan { start, len } | Op::ReadSeq { start, len } => written(store.scan(start, len)?.1),
        Op::Update { key, value } => {
            let r = read(key, store.get(key)?);
            store.put(key, value, sync)?;
            Moved {
                bytes: r.bytes + (key.len() + value.len()) as u64,
                ..r
            }
        }
        Op::Batch(entries) => {
            store.write_batch(entries, sync)?;
            written(
                entries
                    .iter()
                    .map(|e| match e {
                        BatchEntry::Put { key, value } => (key.len() + value.len()) as u64,
                        BatchEntry::Delete { key } => key.len() as u64,
                    })
                    .sum(),
            )
        }
        Op::Flush => {
            store.flush()?;
            Moved::default()
        }
        Op::Compact => {
            store.compact()?;
            Moved::default()
        }
        Op::WaitForCompaction => {
            store.wait_for_compaction()?;
            Moved::default()
        }
    })
}

/// Runs the worker to the end of its stream, its deadline, or `stop`.
pub fn run(mut spec: WorkerSpec<'_>) -> WorkerOutcome {
    if spec.schedule.is_some() {
        // Sleeps towards intended starts must not end 50 us late.
        timer::reduce_timer_slack();
    }
    let clock = SystemClock;
    let mut out = WorkerOutcome::default();
    let mut tally = Tally::default();
    let mut next_publish = Instant::now() + spec.publish_every;
    let mut done = 0u64;
    let mut reached_deadline = false;
    loop {
        if spec.stop.load(Relaxed) {
            break;
        }
        let Some(op) = spec.stream.next_op() else {
            break;
        };
        let count = op.ops();
        let (intended, began) = match spec.schedule.as_mut() {
            Some(schedule) => {
                let at = schedule.next_start(count);
                let began = if spec.deadline.is_some_and(|d| at >= d) {
                    None
                } else {
                    schedule.wait_until(&clock, at, spec.stop)
                };
                match began {
                    Some(now) => (at, now),
                    None => {
                        // Not issued: the phase ended (or stopped) first.
                        spec.stream.abandon();
                        break;
                    }
                }
            }
            None => {
                let now = Instant::now();
                (now, now)
            }
        };
        let result = execute(spec.store, &op, spec.sync);
        let end = Instant::now();
        let kind = op.kind();
        let moved = match result {
            Ok(m) => m,
            Err(e) => {
                out.error = Some(e);
                spec.stop.store(true, Relaxed);
                break;
            }
        };
        spec.stream.acknowledge();
        done += count;
        spec.shared.ops.store(done, Relaxed);
        tally.ops += count;
        if end < spec.warmup_end {
            tally.warmup_ops += count;
        } else {
            tally
                .latency
                .record(kind, end.saturating_duration_since(intended).as_nanos() as u64);
            if spec.schedule.is_some() {
                tally
                    .start_delay
                    .record(began.saturating_duration_since(intended).as_nanos() as u64);
            }
            tally.bytes += moved.bytes;
            tally.reads += moved.reads;
            tally.found += moved.found;
            out.first_start.get_or_insert(intended);
            out.last_finish = Some(end);
        }
        if end >= next_publish {
            publish(spec.shared, &mut tally);
            next_publish = end + spec.publish_every;
        }
        if spec.deadline.is_some_and(|d| end >= d) {
            reached_deadline = true;
            break;
        }
    }
    publish(spec.shared, &mut tally);
    if let (Some(schedule), Some(deadline), true) = (&spec.schedule, spec.deadline, reached_deadline) {
        out.missed_ops = schedule.charge_missed(deadline, out.missed.histogram_mut());
    }
    if let Some(left) = spec.last_out
        && left.fetch_sub(1, Relaxed) == 1
    {
        spec.stop.store(true, Relaxed);
    }
    out
}

/// Hands `tally` to the sampler. Usually O(1) under the lock: the sampler
/// leaves emptied (still allocated) buffers in the slot, and the worker
/// swaps its full tally for them, so the measured thread never walks a
/// histogram here; only when the sampler has not taken the previous hand-over
/// yet are the two merged.
fn publish(shared: &WorkerShared, tally: &mut Tally) {
    if tally.is_empty() {
        return;
    }
    // A poisoned lock means the sampler panicked; the phase reports that.
    let Ok(mut slot) = shared.pending.lock() else {
        return;
    };
    if slot.is_empty() {
        // The slot holds what the sampler emptied: `tally` is now empty too.
        std::mem::swap(&mut *slot, tally);
    } else {
        slot.add(tally);
        drop(slot);
        tally.reset();
    }
}
