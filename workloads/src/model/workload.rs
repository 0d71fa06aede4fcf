//! [`Workload`]: what a suite's phases do to the tree, in counts the cost
//! model uses (writes of new and of existing keys, deletes, point reads of
//! present and missing keys, scans, flushes and manual compactions).
//!
//! Counting rules:
//! - `fill` writes its keys once each: keys beyond those already loaded
//!   are *new*, the rest overwrite (a second fill rewrites every key).
//! - overwrite, update and mixed writes/updates overwrite existing keys;
//!   mixed `insert` writes new keys; `read_while_writing`'s writer thread
//!   does `1/threads` of the ops (or `write_rate * duration`).
//! - A duration-bound phase has no op count before it runs: it is counted
//!   at its `rate` when set, else at [`ASSUMED_OPS_PER_SEC`] per thread
//!   (a planning assumption, stated in the matrix warnings); after a run
//!   the measured counts replace it ([`Workload::from_suite`] with `measured`).
//! - Duplicate writes inside one memtable collapse. How often depends on
//!   the key distribution through its collision probability `sum p_i^2`:
//!   the model draws duplicates as if the key space had
//!   `effective_keys = 1 / sum p_i^2` equally likely keys (n for uniform;
//!   smaller for zipf and hotspot; a fill and `sequential` never repeat a
//!   key within a memtable).

use crate::r#gen::distribution::Distribution;
use crate::suite::data::DataSpec;
use crate::suite::phase::{NO_MIX, Order, PhaseKind};
use crate::suite::schema::Suite;

/// Ops per second per thread assumed for a duration-bound phase without a
/// rate, before it has run.
pub const ASSUMED_OPS_PER_SEC: f64 = 100_000.0;

/// One phase in the model's terms.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhaseLoad {
    /// The phase's name in the suite.
    pub name: String,
    /// Puts of keys that did not exist.
    pub new_puts: f64,
    /// Puts of existing keys.
    pub overwrites: f64,
    /// Point deletes.
    pub deletes: f64,
    /// Keys removed by range deletes.
    pub range_deleted: f64,
    /// Point reads of present keys.
    pub reads: f64,
    /// Point reads of absent keys.
    pub missing_reads: f64,
    /// Scans (seek + entries).
    pub scans: f64,
    /// Writes come in key order (fill seq, `sequential`): tables do not overlap.
    pub sequential: bool,
    /// `1 / sum p_i^2` of the write distribution (`None`: no repeats in a memtable).
    pub effective_keys: Option<f64>,
    /// Puts per write group (batch size times concurrent writers, at least 1).
    pub per_group: f64,
    /// The phase flushes the memtable (`flush`, `compact`).
    pub flush: bool,
    /// The phase compacts everything (`compact`).
    pub compact: bool,
    /// The op count was assumed (duration-bound phase before it ran).
    pub assumed: bool,
    /// The phase's wall time when known: its `duration`, its ops at its
    /// `rate`, or (after a run) the measured time; `None`: the flow derives
    /// it from [`Speed`](crate::model::Speed).
    pub seconds: Option<f64>,
    /// Client threads (0 counts as 1).
    pub threads: f64,
    /// The phase waits until no compaction is pending (`wait_for_compaction`).
    pub wait: bool,
}

/// The whole suite's load, phases in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// Phases in suite order.
    pub phases: Vec<PhaseLoad>,
}

/// `1 / sum p_i^2` of `dist` over `n` keys.
pub fn effective_keys(dist: &Distribution, n: f64) -> Option<f64> {
    let n = n.max(1.0);
    match *dist {
        Distribution::Uniform => Some(n),
        Distribution::Sequential => None,
        Distribution::Hotspot {
            fraction,
            probability,
        } => {
            let hot = (fraction * n).max(1.0);
            let cold = (n - hot).max(1.0);
            let sum = probability * probability / hot + (1.0 - probability).powi(2) / cold;
            Some((1.0 / sum).min(n))
        }
        Distribution::Zipf { theta, .. } | Distribution::Latest { theta } => {
            Some((zipf_h(n, theta).powi(2) / zipf_h(n, 2.0 * theta)).min(n))
        }
        Distribution::Exponential { lambda } => {
            // density lambda e^{-lambda x} / (1 - e^{-lambda}) on [0, 1).
            let z = 1.0 - (-lambda).exp();
            let sum_sq = lambda * (1.0 - (-2.0 * lambda).exp()) / (2.0 * z * z);
            Some((n / sum_sq).min(n))
        }
    }
}

/// Generalized harmonic number `H(n, s) = sum_{r=1..n} r^-s` (exact for the
/// first 10k terms, Euler-Maclaurin integral beyond).
fn zipf_h(n: f64, s: f64) -> f64 {
    let exact = n.min(10_000.0) as u64;
    let mut h: f64 = (1..=exact).map(|r| (r as f64).powf(-s)).sum();
    if n > exact as f64 {
        let a = exact as f64 + 0.5;
        let b = n + 0.5;
        h += if (s - 1.0).abs() < 1e-9 {
            (b / a).ln()
        } else {
            (b.powf(1.0 - s) - a.powf(1.0 - s)) / (1.0 - s)
        };
    }
    h
}

impl Workload {
    /// The load of `suite`'s phases. `measured[i]`, when given, is the op
    /// count phase `i` actually ran (replacing the count or the assumption).
    pub fn from_suite(suite: &Suite, measured: Option<&[u64]>) -> Workload {
        let data: &DataSpec = &suite.data;
        let mut loaded = 0.0f64;
        let mut keys_total = data.keys as f64;
        let phases = suite
            .phases
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let c = &p.common;
                let threads = c.threads.max(1) as f64;
                let measured_ops = measured.and_then(|m| m.get(i)).map(|&n| n as f64);
                let (ops, assumed) = match (measured_ops, c.ops, c.duration) {
                    (Some(n), _, _) => (n, false),
                    (None, Some(n), _) => (n as f64, false),
                    (None, None, Some(d)) => (
                        d.as_secs_f64() * c.rate.unwrap_or(ASSUMED_OPS_PER_SEC * threads),
                        true,
                    ),
                    (None, None, None) => (0.0, false),
                };
                let seconds = match (c.duration, c.rate) {
                    (Some(d), _) => Some(d.as_secs_f64()),
                    (None, Some(r)) if r > 0.0 => Some(ops / r),
                    _ => None,
                };
                let mut load = PhaseLoad {
                    name: p.name.clone(),
                    sequential: matches!(c.distribution, Distribution::Sequential),
                    effective_keys: effective_keys(&c.distribution, keys_total),
                    per_group: (c.batch.max(1) as f64) * threads.clamp(1.0, 2.0),
                    flush: false,
                    compact: false,
                    assumed,
                    seconds,
                    threads,
                    ..Default::default()
                };
                match &p.kind {
                    PhaseKind::Fill { order } => {
                        let n = if measured_ops.is_some() || c.ops.is_some() {
                            ops
                        } else {
                            data.keys as f64
                        };
                        load.new_puts = (n - loaded).max(0.0);
                        load.overwrites = n - load.new_puts;
                        loaded = loaded.max(n);
                        load.sequential = *order == Order::Seq;
                        load.effective_keys = None;
                    }
                    PhaseKind::Overwrite => load.overwrites = ops,
                    PhaseKind::Update => {
                        load.overwrites = ops;
                        load.reads = ops;
                    }
                    PhaseKind::ReadRandom | PhaseKind::ReadHot { .. } => load.reads = ops,
                    PhaseKind::ReadMissing => load.missing_reads = ops,
                    PhaseKind::ReadSeq => {}
                    PhaseKind::SeekRandom { .. } => load.scans = ops,
                    PhaseKind::DeleteRandom => load.deletes = ops,
                    PhaseKind::DeleteRange { ranges, width } => {
                        load.range_deleted = (*ranges as f64 * *width as f64).min(keys_total)
                    }
                    PhaseKind::Mixed { .. } | PhaseKind::MaxRate { .. } => {
                        let m = p.kind.mix().unwrap_or(NO_MIX);
                        let (read, write, delete, scan, update, insert) =
                            (m.read, m.write, m.delete, m.scan, m.update, m.insert);
                        let sum = (read + write + delete + scan + update + insert).max(f64::MIN_POSITIVE);
                        load.reads = ops * (read + update) / sum;
                        load.overwrites = ops * (write + update) / sum;
                        load.deletes = ops * delete / sum;
                        load.scans = ops * scan / sum;
                        load.new_puts = ops * insert / sum;
                        keys_total += load.new_puts;
                    }
                    PhaseKind::ReadWhileWriting { write_rate } => {
                        let writes = match (write_rate, c.duration, measured_ops.or(c.ops.map(|n| n as f64)))
                        {
                            (Some(r), Some(d), _) => r * d.as_secs_f64(),
                            (_, _, Some(n)) => n / threads,
                            _ => ops / threads,
                        };
                        load.overwrites = writes;
                        load.reads = ops - writes.min(ops);
                        load.per_group = c.batch.max(1) as f64;
                    }
                    PhaseKind::Flush => load.flush = true,
                    PhaseKind::Compact => {
                        load.flush = true;
                        load.compact = true;
                    }
                    PhaseKind::WaitForCompaction => load.wait = true,
                }
                load
            })
            .collect();
        Workload { phases }
    }

    /// Sets each phase's wall time to the measured one (`seconds[i]` for
    /// phase `i`, where given).
    pub fn set_seconds(&mut self, seconds: &[Option<f64>]) {
        for (p, s) in self.phases.iter_mut().zip(seconds) {
            if s.is_some() {
                p.seconds = *s;
            }
        }
    }

    /// Whether any phase's count was assumed (duration-bound, not yet run).
    pub fn has_assumed_counts(&self) -> bool {
        self.phases
            .iter()
            .any(|p| p.assumed && (p.new_puts + p.overwrites + p.deletes) > 0.0)
    }

    /// Point reads of present and of absent keys over all phases.
    pub fn point_reads(&self) -> (f64, f64) {
        self.phases
            .iter()
            .fold((0.0, 0.0), |(r, m), p| (r + p.reads, m + p.missing_reads))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effective_keys_of_distributions() {
        assert_eq!(effective_keys(&Distribution::Uniform, 1000.0), Some(1000.0));
        assert_eq!(effective_keys(&Distribution::Sequential, 1000.0), None);
        // Hotspot 20% / 80% over 1000 keys: sum p^2 = 0.64/200 + 0.04/800 = 0.00325.
        let h = effective_keys(
            &Distribution::Hotspot {
                fraction: 0.2,
                probability: 0.8,
            },
            1000.0,
        )
        .unwrap();
        assert!((h - 1.0 / 0.00325).abs() < 1e-6, "{h}");
        // Zipf theta 1 over 3 keys: weights 1, 1/2, 1/3; H1 = 11/6, H2 = 49/36:
        // (11/6)^2 / (49/36) = 121/49.
        let z = effective_keys(
            &Distribution::Zipf {
                theta: 1.0,
                scrambled: true,
            },
            3.0,
        )
        .unwrap();
        assert!((z - 121.0 / 49.0).abs() < 1e-9, "{z}");
        // Far fewer effective keys than keys under YCSB's skew.
        let big = effective_keys(
            &Distribution::Zipf {
                theta: 0.99,
                scrambled: true,
            },
            1e6,
        )
        .unwrap();
        assert!(big < 1e5, "{big}");
    }

    #[test]
    fn harmonic_tail_matches_the_sum() {
        let exact: f64 = (1..=50_000u64).map(|r| (r as f64).powf(-0.99)).sum();
        assert!((zipf_h(50_000.0, 0.99) - exact).abs() < 1e-3 * exact);
    }
}
