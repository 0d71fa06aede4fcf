//! Phases: what one step of a suite does (the schema, not the timing).
//!
//! Invariants: a [`Phase`] produced by the parser is fully resolved and
//! valid: `ops` is set unless the phase is duration-bound (never both, never
//! zero), `threads >= 1` (`>= 2` for `read_while_writing`, exactly 1 for
//! flush/compact/wait_for_compaction), mixed weights are non-negative with
//! a positive sum, and fractions lie in their ranges. Field meanings are
//! documented on each item and in DESIGN.md ("Workloads").

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::r#gen::distribution::Distribution;

/// One step of a suite, run on the same database as the steps before it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    /// The phase's `name:` as written (`fillseq`, as db_bench users call
    /// phases), else the kind's YAML name with `#2`, `#3`, ... appended when
    /// a kind repeats (`overwrite`, `overwrite#2`). Unique within a suite.
    pub name: String,
    /// What the phase does.
    pub kind: PhaseKind,
    /// Sizing and pacing shared by all kinds.
    pub common: CommonFields,
}

/// Key order of a `fill`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    /// Ascending key numbers (db_bench fillseq); each thread fills a contiguous range.
    #[default]
    #[serde(alias = "sequential")]
    Seq,
    /// A seeded permutation of all keys (db_bench fillrandom, but each key
    /// exactly once), split across threads.
    Random,
}

/// What a phase does. YAML names are the snake_case variant names.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseKind {
    /// Write every key of `data.keys` once (or the first `ops` of them).
    Fill {
        /// Sequential or random key order.
        order: Order,
    },
    /// Put existing keys chosen by the distribution.
    Overwrite,
    /// Read-modify-write of existing keys (`Op::Update`).
    Update,
    /// Get existing keys chosen by the distribution.
    ReadRandom,
    /// Get keys from the first `hot_fraction` of the key space (db_bench readhot).
    ReadHot {
        /// Share of the key space read, in (0, 1]; default 0.01.
        hot_fraction: f64,
    },
    /// Get keys that do not exist (`key(n) + "."`, interleaved with real keys).
    ReadMissing,
    /// Iterate each thread's share of the key space in order (`Op::ReadSeq` chunks).
    ReadSeq,
    /// Seek to a key chosen by the distribution, then `nexts` nexts (`Op::Scan`).
    SeekRandom {
        /// Entries read after the seek (db_bench seek_nexts); default 0.
        nexts: usize,
    },
    /// Delete existing keys chosen by the distribution.
    DeleteRandom,
    /// `ranges` range deletes, each of `width` consecutive keys.
    DeleteRange {
        /// Number of range deletes (the phase's ops); default 100.
        ranges: u64,
        /// Keys covered by each range; default 100.
        width: u64,
    },
    /// Operations picked at random by weight (weights need not sum to 1).
    Mixed {
        /// Weight of gets.
        read: f64,
        /// Weight of puts to existing keys (YCSB "update": a blind write).
        write: f64,
        /// Weight of deletes.
        delete: f64,
        /// Weight of scans of `scan_len` entries.
        scan: f64,
        /// Entries per scan; default 100.
        scan_len: usize,
        /// Weight of read-modify-writes (`Op::Update`; YCSB F).
        update: f64,
        /// Weight of puts of new keys beyond the loaded ones (YCSB insert).
        insert: f64,
    },
    /// Readers plus one writer: thread `threads - 1` writes, the others read.
    ReadWhileWriting {
        /// Writer's open-loop rate in ops/s; `None` = as fast as possible.
        write_rate: Option<f64>,
    },
    /// Flush the memtable (one op on thread 0).
    Flush,
    /// Manual full compaction (one op on thread 0).
    Compact,
    /// Wait until no flush or compaction is pending (one op on thread 0).
    WaitForCompaction,
    /// Search the highest open-loop rate of `mix` the store sustains: one
    /// window per probe rate, bisected (see [`RateSearch`]).
    MaxRate {
        /// The operations, by weight (as `mixed`, without inserts).
        mix: Mix,
        /// The window, the bounds and the precision of the search.
        search: RateSearch,
    },
}

/// Weights of a mix of operations (`mixed`'s weights, the `mix:` of
/// `max_rate`); they need not sum to 1, at least one is positive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Mix {
    /// Weight of gets.
    pub read: f64,
    /// Weight of puts to existing keys.
    pub write: f64,
    /// Weight of deletes.
    pub delete: f64,
    /// Weight of scans of `scan_len` entries.
    pub scan: f64,
    /// Entries per scan; default 100.
    pub scan_len: usize,
    /// Weight of read-modify-writes.
    pub update: f64,
    /// Weight of puts of new keys (always 0 in `max_rate`).
    pub insert: f64,
}

/// A duration as the suite writes it (`20s`).
fn serialize_duration<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    lsmlab_units::serialize_opt_duration(&Some(*d), s)
}

/// The empty mix (no weights), for kinds without one.
pub const NO_MIX: Mix = Mix {
    read: 0.0,
    write: 0.0,
    delete: 0.0,
    scan: 0.0,
    scan_len: 1,
    update: 0.0,
    insert: 0.0,
};

impl Mix {
    /// Whether any operation of the mix puts a value (write, update, insert).
    pub fn puts(&self) -> bool {
        self.write > 0.0 || self.update > 0.0 || self.insert > 0.0
    }
}

/// How `max_rate` searches: probe rates of one `window` each; a rate holds
/// when, over its window, no write stopped, writers were slowed for under
/// `slowdown` of the window, the p99 latency (from each op's intended
/// start) stayed under `p99`, the offered rate was achieved, and neither
/// the L0 file count nor the pending compaction bytes grew. Starting at
/// `start_rate`, the rate doubles while it holds and halves while it fails;
/// then it bisects between the highest holding and the lowest failing rate
/// until they are within `precision` of the failing one, or `max_probes`
/// windows have run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RateSearch {
    /// Length of each probe window.
    #[serde(serialize_with = "serialize_duration")]
    pub window: Duration,
    /// Bound on the window's p99 latency.
    #[serde(serialize_with = "serialize_duration")]
    pub p99: Duration,
    /// Largest share of the window writers may spend slowed down (summed
    /// over writer threads, per thread); default 0.05.
    pub slowdown: f64,
    /// Relative precision: stop when `(failing - holding) <= precision *
    /// failing`; default 0.05.
    pub precision: f64,
    /// First rate probed, ops/s; default 1000.
    pub start_rate: f64,
    /// Highest rate probed, ops/s (`None`: no ceiling).
    pub ceiling: Option<f64>,
    /// Most windows run; default 12.
    pub max_probes: usize,
}

/// Every phase kind's YAML name, in documentation order.
pub const PHASE_KINDS: &[&str] = &[
    "fill",
    "overwrite",
    "update",
    "read_random",
    "read_hot",
    "read_missing",
    "read_seq",
    "seek_random",
    "delete_random",
    "delete_range",
    "mixed",
    "read_while_writing",
    "flush",
    "compact",
    "wait_for_compaction",
    "max_rate",
];

impl PhaseKind {
    /// The YAML name of this kind.
    pub fn name(&self) -> &'static str {
        match self {
            PhaseKind::Fill { .. } => "fill",
            PhaseKind::Overwrite => "overwrite",
            PhaseKind::Update => "update",
            PhaseKind::ReadRandom => "read_random",
            PhaseKind::ReadHot { .. } => "read_hot",
            PhaseKind::ReadMissing => "read_missing",
            PhaseKind::ReadSeq => "read_seq",
            PhaseKind::SeekRandom { .. } => "seek_random",
            PhaseKind::DeleteRandom => "delete_random",
            PhaseKind::DeleteRange { .. } => "delete_range",
            PhaseKind::Mixed { .. } => "mixed",
            PhaseKind::ReadWhileWriting { .. } => "read_while_writing",
            PhaseKind::Flush => "flush",
            PhaseKind::Compact => "compact",
            PhaseKind::WaitForCompaction => "wait_for_compaction",
            PhaseKind::MaxRate { .. } => "max_rate",
        }
    }

    /// Flush, compact and wait_for_compaction: one maintenance op, no load.
    pub fn is_maintenance(&self) -> bool {
        matches!(
            self,
            PhaseKind::Flush | PhaseKind::Compact | PhaseKind::WaitForCompaction
        )
    }

    /// Whether the phase writes new keys beyond `data.keys` (mixed with `insert`).
    pub fn inserts(&self) -> bool {
        self.mix().is_some_and(|m| m.insert > 0.0)
    }

    /// The weights of `mixed` and `max_rate`.
    pub fn mix(&self) -> Option<Mix> {
        match *self {
            PhaseKind::Mixed {
                read,
                write,
                delete,
                scan,
                scan_len,
                update,
                insert,
            } => Some(Mix {
                read,
                write,
                delete,
                scan,
                scan_len,
                update,
                insert,
            }),
            PhaseKind::MaxRate { mix, .. } => Some(mix),
            _ => None,
        }
    }
}

/// Sizing and pacing fields shared by every phase kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommonFields {
    /// Total operations over all threads (a batch of N writes counts N; a
    /// `read_seq` chunk counts its entries). `None` = duration-bound.
    pub ops: Option<u64>,
    /// Run for this long instead of a count (`None` = ops-bound).
    #[serde(serialize_with = "lsmlab_units::serialize_opt_duration")]
    pub duration: Option<Duration>,
    /// Worker threads; ops are split evenly between them.
    pub threads: usize,
    /// How keys are chosen (default uniform).
    pub distribution: Distribution,
    /// Open-loop target rate in ops/s for the whole phase; latency then counts
    /// from each op's intended start (coordinated omission corrected).
    pub rate: Option<f64>,
    /// Initial time excluded from the measurements.
    #[serde(serialize_with = "lsmlab_units::serialize_opt_duration")]
    pub warmup: Option<Duration>,
    /// Writes per write batch; 1 = no batching.
    pub batch: usize,
    /// fsync the WAL on every write.
    pub sync: bool,
    /// Drop the OS page cache before the phase, so reads come from the
    /// device (needs permission; the result records whether it happened).
    pub drop_caches: bool,
}

impl Default for CommonFields {
    fn default() -> Self {
        CommonFields {
            ops: None,
            duration: None,
            threads: 1,
            distribution: Distribution::Uniform,
            rate: None,
            warmup: None,
            batch: 1,
            sync: false,
            drop_caches: false,
        }
    }
}

impl CommonFields {
    /// This thread's share of `ops` (even split, the first `ops % threads`
    /// threads take one more); `None` when the phase is duration-bound.
    pub fn ops_for_thread(&self, thread: usize, threads: usize) -> Option<u64> {
        self.ops.map(|ops| split_ops(ops, thread, threads))
    }
}

/// Thread `thread`'s share of `ops` split evenly over `threads` threads (the
/// first `ops % threads` threads take one more).
pub fn split_ops(ops: u64, thread: usize, threads: usize) -> u64 {
    let threads = threads.max(1) as u64;
    let t = thread as u64;
    if t >= threads {
        return 0;
    }
    ops / threads + u64::from(t < ops % threads)
}

impl fmt::Display for Phase {
    /// A one-line summary for plans and logs, e.g.
    /// `overwrite#2: 2000000 ops, 2 threads, uniform` or
    /// `mixed: 30s, 1 thread, zipf(theta=0.99, scrambled), rate 50000/s, read 0.9 write 0.1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind.name();
        let generated = self.name == kind || self.name.strip_prefix(kind).is_some_and(|r| r.starts_with('#'));
        if generated {
            write!(f, "{}", self.name)?;
        } else {
            write!(f, "{} ({kind})", self.name)?;
        }
        if self.kind.is_maintenance() {
            if self.common.drop_caches {
                write!(f, ": drop_caches")?;
            }
            return Ok(());
        }
        let c = &self.common;
        match (c.ops, c.duration) {
            (Some(ops), _) => write!(f, ": {ops} ops")?,
            (None, Some(d)) => write!(f, ": {}", lsmlab_units::format_duration(d))?,
            (None, None) => write!(f, ":")?,
        }
        write!(
            f,
            ", {} thread{}",
            c.threads,
            if c.threads == 1 { "" } else { "s" }
        )?;
        let keyed = !matches!(self.kind, PhaseKind::Fill { .. } | PhaseKind::ReadSeq);
        if keyed {
            write!(f, ", {}", c.distribution)?;
        }
        if let Some(rate) = c.rate {
            write!(f, ", rate {rate}/s")?;
        }
        if let Some(w) = c.warmup {
            write!(f, ", warmup {}", lsmlab_units::format_duration(w))?;
        }
        if c.batch > 1 {
            write!(f, ", batch {}", c.batch)?;
        }
        if c.sync {
            write!(f, ", sync")?;
        }
        if c.drop_caches {
            write!(f, ", drop_caches")?;
        }
        match &self.kind {
            PhaseKind::Fill { order } => write!(
                f,
                ", order {}",
                if *order == Order::Seq { "seq" } else { "random" }
            ),
            PhaseKind::ReadHot { hot_fraction } => write!(f, ", hot_fraction {hot_fraction}"),
            PhaseKind::SeekRandom { nexts } => write!(f, ", nexts {nexts}"),
            PhaseKind::DeleteRange { ranges, width } => write!(f, ", {ranges} ranges x {width} keys"),
            PhaseKind::Mixed { .. } | PhaseKind::MaxRate { .. } => {
                if let PhaseKind::MaxRate { search: s, .. } = &self.kind {
                    write!(
                        f,
                        ", window {}, p99 {}, slowdown {}, precision {}, start_rate {}/s",
                        lsmlab_units::format_duration(s.window),
                        lsmlab_units::format_duration(s.p99),
                        s.slowdown,
                        s.precision,
                        s.start_rate
                    )?;
                    if let Some(c) = s.ceiling {
                        write!(f, ", ceiling {c}/s")?;
                    }
                }
                let Some(m) = self.kind.mix() else {
                    return Ok(());
                };
                for (name, w) in [
                    ("read", m.read),
                    ("write", m.write),
                    ("delete", m.delete),
                    ("scan", m.scan),
                    ("update", m.update),
                    ("insert", m.insert),
                ] {
                    if w > 0.0 {
                        write!(f, ", {name} {w}")?;
                    }
                }
                if m.scan > 0.0 {
                    write!(f, ", scan_len {}", m.scan_len)?;
                }
                Ok(())
            }
            PhaseKind::ReadWhileWriting { write_rate: Some(r) } => write!(f, ", writer rate {r}/s"),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_split_sums_to_total() {
        for ops in [0u64, 1, 7, 100, 1001] {
            for threads in 1..6 {
                let c = CommonFields {
                    ops: Some(ops),
                    ..Default::default()
                };
                let sum: u64 = (0..threads).map(|t| c.ops_for_thread(t, threads).unwrap()).sum();
                assert_eq!(sum, ops);
            }
        }
        let c = CommonFields {
            duration: Some(Duration::from_secs(1)),
            ..Default::default()
        };
        assert_eq!(c.ops_for_thread(0, 1), None);
    }

    #[test]
    fn display_summarises_a_phase() {
        let p = Phase {
            name: "mixed".into(),
            kind: PhaseKind::Mixed {
                read: 0.9,
                write: 0.1,
                delete: 0.0,
                scan: 0.0,
                scan_len: 100,
                update: 0.0,
                insert: 0.0,
            },
            common: CommonFields {
                duration: Some(Duration::from_secs(30)),
                rate: Some(50_000.0),
                ..Default::default()
            },
        };
        assert_eq!(
            p.to_string(),
            "mixed: 30s, 1 thread, uniform, rate 50000/s, read 0.9, write 0.1"
        );
        let p = Phase {
            name: "flush".into(),
            kind: PhaseKind::Flush,
            common: CommonFields::default(),
        };
        assert_eq!(p.to_string(), "flush");
        let p = Phase {
            name: "fillseq".into(),
            kind: PhaseKind::Fill { order: Order::Seq },
            common: CommonFields {
                ops: Some(10),
                drop_caches: true,
                ..Default::default()
            },
        };
        assert_eq!(
            p.to_string(),
            "fillseq (fill): 10 ops, 1 thread, drop_caches, order seq"
        );
    }

    #[test]
    fn names_cover_every_kind() {
        let kinds = [
            PhaseKind::Fill { order: Order::Seq },
            PhaseKind::Overwrite,
            PhaseKind::Update,
            PhaseKind::ReadRandom,
            PhaseKind::ReadHot { hot_fraction: 0.1 },
            PhaseKind::ReadMissing,
            PhaseKind::ReadSeq,
            PhaseKind::SeekRandom { nexts: 1 },
            PhaseKind::DeleteRandom,
            PhaseKind::DeleteRange { ranges: 1, width: 1 },
            PhaseKind::Mixed {
                read: 1.0,
                write: 0.0,
                delete: 0.0,
                scan: 0.0,
                scan_len: 1,
                update: 0.0,
                insert: 0.0,
            },
            PhaseKind::ReadWhileWriting { write_rate: None },
            PhaseKind::Flush,
            PhaseKind::Compact,
            PhaseKind::WaitForCompaction,
            PhaseKind::MaxRate {
                mix: Mix {
                    read: 1.0,
                    write: 0.0,
                    delete: 0.0,
                    scan: 0.0,
                    scan_len: 1,
                    update: 0.0,
                    insert: 0.0,
                },
                search: RateSearch {
                    window: Duration::from_secs(1),
                    p99: Duration::from_millis(1),
                    slowdown: 0.05,
                    precision: 0.05,
                    start_rate: 1000.0,
                    ceiling: None,
                    max_probes: 12,
                },
            },
        ];
        let names: Vec<&str> = kinds.iter().map(PhaseKind::name).collect();
        assert_eq!(names, PHASE_KINDS);
        assert!(PhaseKind::Flush.is_maintenance());
        assert!(!PhaseKind::Overwrite.is_maintenance());
    }
}
