//! [`OpStream`]: what one thread of a phase does next.
//!
//! Invariants:
//! - Deterministic: the sequence depends only on (suite, phase index,
//!   `stream_seed`, thread, threads). Use [`crate::stream_seed`] to derive
//!   `stream_seed` from (suite seed, cell index, repetition, phase index).
//!   Different threads draw from independent generators.
//! - Thread shares: `ops` is split evenly ([`crate::CommonFields::ops_for_thread`]).
//!   `fill` splits the key *positions* `[0, ops)` into contiguous ranges, one
//!   per thread, and maps each position through a permutation shared by all
//!   threads (`order: random`) or the identity (`order: seq`), so together
//!   the threads write every key exactly once. `read_seq` gives each thread a
//!   contiguous key range and reads it in chunks of up to 1000 entries,
//!   wrapping around when `ops` asks for more.
//! - `read_while_writing`: thread `threads - 1` is the writer; its stream
//!   never ends (the runner stops it when the readers finish) and it should
//!   be paced at `write_rate` if set. The other threads split `ops` as readers.
//! - flush/compact/wait_for_compaction: thread 0 yields the one op; every
//!   other thread yields nothing.
//! - Duration-bound phases (`ops: None`) never return `None`, except `fill`,
//!   which stops when its keys are written.
//! - `batch > 1` (fill, overwrite, delete_random, the writer of
//!   read_while_writing): writes come as `Op::Batch` of up to `batch`
//!   entries; each entry counts as one op.
//! - The key space is a [`KeySpace`] shared by every thread and phase of a
//!   cell (YCSB's acknowledged insert counter): keyed phases sample
//!   `[0, key_space.len())`, the loaded keys plus every acknowledged insert.
//!   Mixed inserts claim new key numbers from it (distinct across threads,
//!   continuing across phases); the runner calls [`OpStream::acknowledge`]
//!   after the store accepted the insert, and only then may any thread read
//!   it. With inserts and several threads, which thread inserts which key
//!   depends on their interleaving (as in YCSB); everything else stays
//!   deterministic.
//! - No allocation per op: keys are formatted into reused buffers, values
//!   are slices of a pre-generated pool, batch entries reuse their buffers.

use std::sync::Arc;

use crate::r#gen::chooser::KeyChooser;
use crate::r#gen::distribution::Distribution;
use crate::r#gen::keys::KeyFormatter;
use crate::r#gen::keyspace::KeySpace;
use crate::r#gen::op::{BatchEntry, Op};
use crate::r#gen::permutation::Permutation;
use crate::r#gen::rng::{WorkloadRng, mix};
use crate::r#gen::values::ValuePool;
use crate::suite::phase::{NO_MIX, Order, PhaseKind, split_ops};
use crate::suite::schema::Suite;

/// Entries per `Op::ReadSeq` chunk.
pub const READ_SEQ_CHUNK: u64 = 1000;

const TAG_PERMUTATION: u64 = 0x7065_726d;
const TAG_VALUES: u64 = 0x7661_6c75;

/// What this thread does, with its per-kind state.
#[derive(Debug)]
enum Plan {
    /// Nothing (thread beyond the phase's threads, or a maintenance phase's
    /// other threads).
    Idle,
    Fill {
        next: u64,
        end: u64,
        perm: Option<Permutation>,
    },
    Put,
    Update,
    Get,
    GetMissing,
    ReadSeq {
        lo: u64,
        hi: u64,
        next: u64,
    },
    Seek {
        nexts: usize,
    },
    Delete,
    DeleteRange {
        width: u64,
    },
    Mixed {
        cumulative: [f64; 6],
        scan_len: usize,
    },
    Maintenance(Op<'static>),
}

/// Mixed op choices, in the order of `Plan::Mixed::cumulative`.
const MIX_READ: usize = 0;
const MIX_WRITE: usize = 1;
const MIX_DELETE: usize = 2;
const MIX_SCAN: usize = 3;
const MIX_UPDATE: usize = 4;

/// Generates the operations of one thread of one phase.
#[derive(Debug)]
pub struct OpStream {
    plan: Plan,
    rng: WorkloadRng,
    chooser: KeyChooser,
    keys: KeyFormatter,
    end_keys: KeyFormatter,
    values: ValuePool,
    remaining: Option<u64>,
    batch_size: usize,
    batch: Vec<BatchEntry>,
    key_space: Arc<KeySpace>,
    /// Whether this phase inserts, so the sampled key space grows while it runs.
    grows: bool,
    /// The insert handed out by the last `next_op`, until acknowledged.
    pending_insert: Option<u64>,
    writer: bool,
}

impl OpStream {
    /// The stream of `thread` (0-based, below `threads`) for phase
    /// `phase_index` of `suite`, over a key space of its own holding
    /// `data.keys` keys (see [`OpStream::new_shared`]). A thread at or beyond
    /// `threads`, or a phase index out of range, gets an empty stream.
    pub fn new(
        suite: &Suite,
        phase_index: usize,
        stream_seed: u64,
        thread: usize,
        threads: usize,
    ) -> OpStream {
        let key_space = Arc::new(KeySpace::new(suite.data.keys));
        OpStream::new_shared(suite, phase_index, stream_seed, thread, threads, key_space)
    }

    /// As [`OpStream::new`], over `key_space`, which the runner shares
    /// between every thread and phase of a cell.
    pub fn new_shared(
        suite: &Suite,
        phase_index: usize,
        stream_seed: u64,
        thread: usize,
        threads: usize,
        key_space: Arc<KeySpace>,
    ) -> OpStream {
        let threads = threads.max(1);
        let data = suite.data;
        let keys = key_space.len();
        let mut rng = WorkloadRng::new(mix(stream_seed, thread as u64));
        let (t, n) = (thread as u64, threads as u64);
        let thread_start = ((keys as u128 * t as u128) / n as u128) as u64;
        let mut stream = OpStream {
            plan: Plan::Idle,
            rng: WorkloadRng::new(0),
            chooser: KeyChooser::new(&Distribution::Uniform, keys, thread_start),
            keys: KeyFormatter::new(data.key_size),
            end_keys: KeyFormatter::new(data.key_size),
            values: ValuePool::new(0, 1.0, 0),
            remaining: Some(0),
            batch_size: 1,
            batch: Vec::new(),
            key_space,
            grows: false,
            pending_insert: None,
            writer: false,
        };
        let Some(phase) = suite.phases.get(phase_index) else {
            return stream;
        };
        if thread >= threads {
            return stream;
        }
        let common = &phase.common;
        stream.remaining = common.ops_for_thread(thread, threads);
        stream.batch_size = common.batch.max(1);
        let mut space = keys;
        let mut writes = false;
        stream.plan = match &phase.kind {
            PhaseKind::Fill { order } => {
                writes = true;
                // A fill writes the loaded keys `[0, data.keys)`, whatever was inserted since.
                let keys = data.keys;
                let total = common.ops.unwrap_or(keys).min(keys);
                let lo = ((total as u128 * t as u128) / n as u128) as u64;
                let hi = ((total as u128 * (t + 1) as u128) / n as u128) as u64;
                stream.remaining = Some(hi - lo);
                let perm = match order {
                    Order::Seq => None,
                    Order::Random => Some(Permutation::new(keys, mix(stream_seed, TAG_PERMUTATION))),
                };
                Plan::Fill {
                    next: lo,
                    end: hi,
                    perm,
                }
            }
            PhaseKind::Overwrite => {
                writes = true;
                Plan::Put
            }
            PhaseKind::Update => {
                writes = true;
                Plan::Update
            }
            PhaseKind::ReadRandom => Plan::Get,
            PhaseKind::ReadHot { hot_fraction } => {
                space = ((hot_fraction * keys as f64).ceil() as u64).clamp(1, keys.max(1));
                Plan::Get
            }
            PhaseKind::ReadMissing => Plan::GetMissing,
            PhaseKind::ReadSeq => {
                let hi = ((keys as u128 * (t + 1) as u128) / n as u128) as u64;
                if hi == thread_start {
                    stream.remaining = Some(0);
                }
                Plan::ReadSeq {
                    lo: thread_start,
                    hi,
                    next: thread_start,
                }
            }
            PhaseKind::SeekRandom { nexts } => Plan::Seek { nexts: *nexts },
            PhaseKind::DeleteRandom => {
                stream.batch_size = common.batch.max(1);
                Plan::Delete
            }
            PhaseKind::DeleteRange { width, .. } => {
                space = keys.saturating_sub(*width) + 1;
                Plan::DeleteRange { width: *width }
            }
            PhaseKind::Mixed { .. } | PhaseKind::MaxRate { .. } => {
                let m = phase.kind.mix().unwrap_or(NO_MIX);
                writes = m.puts();
                stream.grows = m.insert > 0.0;
                let weights = [m.read, m.write, m.delete, m.scan, m.update, m.insert];
                let total: f64 = weights.iter().sum();
                let mut cumulative = [0.0; 6];
                let mut acc = 0.0;
                for (c, w) in cumulative.iter_mut().zip(weights) {
                    acc += w / total;
                    *c = acc;
                }
                // Guard against rounding: the last positive weight catches u ~ 1.
                if let Some(last) = weights.iter().rposition(|&w| w > 0.0) {
                    cumulative[last..].fill(f64::INFINITY);
                }
                Plan::Mixed {
                    cumulative,
                    scan_len: m.scan_len,
                }
            }
            PhaseKind::ReadWhileWriting { .. } => {
                if thread + 1 == threads {
                    writes = true;
                    stream.writer = true;
                    stream.remaining = None;
                    Plan::Put
                } else {
                    stream.remaining = common.ops.map(|ops| split_ops(ops, thread, threads - 1));
                    Plan::Get
                }
            }
            PhaseKind::Flush => Plan::Maintenance(Op::Flush),
            PhaseKind::Compact => Plan::Maintenance(Op::Compact),
            PhaseKind::WaitForCompaction => Plan::Maintenance(Op::WaitForCompaction),
        };
        if !matches!(stream.plan, Plan::Fill { .. } | Plan::Put | Plan::Delete) {
            stream.batch_size = 1;
        }
        let chooser_start = if space == keys { thread_start } else { 0 };
        stream.chooser = KeyChooser::new(&common.distribution, space, chooser_start);
        if writes {
            let pool_start = rng.draw();
            stream.values =
                ValuePool::new(data.value_size, data.compressibility, mix(suite.seed, TAG_VALUES))
                    .with_start(pool_start);
        }
        stream.rng = rng;
        stream
    }

    /// Whether this thread is the writer of a `read_while_writing` phase.
    pub fn is_writer(&self) -> bool {
        self.writer
    }

    /// Tells the stream that the store accepted the operation last returned
    /// by [`OpStream::next_op`]: an insert becomes visible to every reader of
    /// the key space. Call after each successful operation.
    #[inline]
    pub fn acknowledge(&mut self) {
        if let Some(k) = self.pending_insert.take() {
            self.key_space.acknowledge(k);
        }
    }

    /// Tells the stream that the operation last returned by
    /// [`OpStream::next_op`] will not be issued (the phase ended first). A
    /// claimed insert number is passed over so the key space keeps growing:
    /// it counts as existing but holds no value, and a read of it misses.
    pub fn abandon(&mut self) {
        if let Some(k) = self.pending_insert.take() {
            self.key_space.acknowledge(k);
        }
    }

    /// The key space this stream samples.
    pub fn key_space(&self) -> &Arc<KeySpace> {
        &self.key_space
    }

    /// Ops this thread still has to issue (`None` = unbounded).
    pub fn remaining(&self) -> Option<u64> {
        self.remaining
    }

    /// The next operation, or `None` when this thread's share of `ops` is
    /// done (duration-bound phases never end on their own, except `fill`).
    #[inline]
    pub fn next_op(&mut self) -> Option<Op<'_>> {
        if self.remaining == Some(0) {
            return None;
        }
        let want = match self.remaining {
            Some(r) => r.min(self.batch_size as u64),
            None => self.batch_size as u64,
        };
        if want > 1 {
            return self.next_batch(want as usize);
        }
        self.consume(1);
        match &mut self.plan {
            Plan::Idle => {
                self.remaining = Some(0);
                None
            }
            Plan::Fill { next, end, perm } => {
                if *next >= *end {
                    self.remaining = Some(0);
                    return None;
                }
                let pos = *next;
                *next += 1;
                let k = perm.as_ref().map_or(pos, |p| p.get(pos));
                Some(Op::Put {
                    key: self.keys.key(k),
                    value: self.values.next_value(),
                })
            }
            Plan::Put => {
                let k = self.chooser.sample(&mut self.rng);
                Some(Op::Put {
                    key: self.keys.key(k),
                    value: self.values.next_value(),
                })
            }
            Plan::Update => {
                let k = self.chooser.sample(&mut self.rng);
                Some(Op::Update {
                    key: self.keys.key(k),
                    value: self.values.next_value(),
                })
            }
            Plan::Get => {
                let k = self.chooser.sample(&mut self.rng);
                Some(Op::Get {
                    key: self.keys.key(k),
                })
            }
            Plan::GetMissing => {
                let k = self.chooser.sample(&mut self.rng);
                Some(Op::Get {
                    key: self.keys.missing_key(k),
                })
            }
            Plan::ReadSeq { lo, hi, next } => {
                if *next >= *hi {
                    *next = *lo;
                }
                let mut len = (*hi - *next).min(READ_SEQ_CHUNK);
                if let Some(r) = self.remaining.as_mut() {
                    // `consume(1)` above took one; the chunk takes `len`.
                    len = len.min(*r + 1);
                    *r -= len - 1;
                }
                let start = *next;
                *next += len;
                Some(Op::ReadSeq {
                    start: self.keys.key(start),
                    len: len as usize,
                })
            }
            Plan::Seek { nexts } => {
                let k = self.chooser.sample(&mut self.rng);
                Some(Op::Scan {
                    start: self.keys.key(k),
                    len: *nexts,
                })
            }
            Plan::Delete => {
                let k = self.chooser.sample(&mut self.rng);
                Some(Op::Delete {
                    key: self.keys.key(k),
                })
            }
            Plan::DeleteRange { width } => {
                let begin = self.chooser.sample(&mut self.rng);
                let end = begin.saturating_add(*width);
                Some(Op::DeleteRange {
                    begin: self.keys.key(begin),
                    end: self.end_keys.key(end),
                })
            }
            Plan::Mixed { cumulative, scan_len } => {
                let u = self.rng.unit();
                let choice = cumulative.iter().position(|&c| u < c).unwrap_or(5);
                if choice == 5 {
                    // Insert a new key beyond every key handed out so far.
                    let k = self.key_space.claim();
                    self.pending_insert = Some(k);
                    return Some(Op::Put {
                        key: self.keys.key(k),
                        value: self.values.next_value(),
                    });
                }
                if self.grows {
                    // Sample only keys whose insert has been acknowledged.
                    let n = self.key_space.len();
                    if n != self.chooser.len() {
                        self.chooser.set_len(n);
                    }
                }
                let k = self.chooser.sample(&mut self.rng);
                let key = self.keys.key(k);
                Some(match choice {
                    MIX_READ => Op::Get { key },
                    MIX_WRITE => Op::Put {
                        key,
                        value: self.values.next_value(),
                    },
                    MIX_DELETE => Op::Delete { key },
                    MIX_SCAN => Op::Scan {
                        start: key,
                        len: *scan_len,
                    },
                    MIX_UPDATE => Op::Update {
                        key,
                        value: self.values.next_value(),
                    },
                    _ => Op::Get { key },
                })
            }
            Plan::Maintenance(op) => {
                let op = *op;
                self.remaining = Some(0);
                Some(op)
            }
        }
    }

    #[inline]
    fn consume(&mut self, n: u64) {
        if let Some(r) = self.remaining.as_mut() {
            *r = r.saturating_sub(n);
        }
    }

    /// Fills the reusable batch with up to `want` writes.
    fn next_batch(&mut self, want: usize) -> Option<Op<'_>> {
        let mut len = 0;
        while len < want {
            let (k, delete) = match &mut self.plan {
                Plan::Fill { next, end, perm } => {
                    if *next >= *end {
                        break;
                    }
                    let pos = *next;
                    *next += 1;
                    (perm.as_ref().map_or(pos, |p| p.get(pos)), false)
                }
                Plan::Put => (self.chooser.sample(&mut self.rng), false),
                Plan::Delete => (self.chooser.sample(&mut self.rng), true),
                _ => break,
            };
            if len == self.batch.len() {
                self.batch.push(if delete {
                    BatchEntry::Delete { key: Vec::new() }
                } else {
                    BatchEntry::Put {
                        key: Vec::new(),
                        value: Vec::new(),
                    }
                });
            }
            let entry = &mut self.batch[len];
            match (entry, delete) {
                (BatchEntry::Put { key, value }, false) => {
                    key.clear();
                    self.keys.append_key(k, key);
                    value.clear();
                    value.extend_from_slice(self.values.next_value());
                }
                (BatchEntry::Delete { key }, true) => {
                    key.clear();
                    self.keys.append_key(k, key);
                }
                (slot, _) => {
                    let mut key = Vec::new();
                    self.keys.append_key(k, &mut key);
                    *slot = if delete {
                        BatchEntry::Delete { key }
                    } else {
                        BatchEntry::Put {
                            key,
                            value: self.values.next_value().to_vec(),
                        }
                    };
                }
            }
            len += 1;
        }
        self.consume(len as u64);
        if len == 0 {
            self.remaining = Some(0);
            return None;
        }
        Some(Op::Batch(&self.batch[..len]))
    }
}
