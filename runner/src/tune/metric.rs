//! Values of tune metrics: measured from a cell's results, and estimated
//! from the cost model to rank candidates before anything runs.
//!
//! `memory` is the model's engine memory (memtables + block cache + filter
//! and index blocks) in both cases: the process RSS also counts the
//! harness. The model's estimates of throughput and latency are a ranking
//! device, not a prediction: a point read costs 0.5 µs plus 0.05 µs per
//! bloom probe and 0.5 µs per cached data block (4 µs uncached); a write
//! costs 1 µs times the user-level write-amp.

use lsmlab_reports::CellResult;
use lsmlab_reports::prediction::CellPrediction;
use lsmlab_workloads::model::Prediction;
use lsmlab_workloads::suite::tune::Metric;
use lsmlab_workloads::{PhaseKind, Suite};

/// The measured value of `m` for `cell` (`None` if it was not measured).
pub fn measured(m: &Metric, cell: &CellResult, prediction: Option<&CellPrediction>) -> Option<f64> {
    let a = &cell.amplification;
    match m {
        Metric::Cell(name) => match name.as_str() {
            "write_amp" => a.total_write_amp,
            "user_write_amp" => a.user_write_amp,
            "space_amp" => a.space_amp,
            "read_amp" => a.read_amp,
            "db_size" => Some(a.db_size_bytes as f64),
            "memory" => prediction.map(|p| p.memory_bytes),
            _ => None,
        },
        Metric::Phase { stat, phase } => {
            let p = cell.phases.iter().find(|p| &p.name == phase)?;
            let lat = p.latency.get("all");
            match stat.as_str() {
                "ops_per_sec" => Some(p.ops_per_sec),
                "mb_per_sec" => Some(p.mb_per_sec),
                "seconds" => Some(p.seconds),
                "p50" => lat.map(|l| l.p50_ns as f64),
                "p90" => lat.map(|l| l.p90_ns as f64),
                "p99" => lat.map(|l| l.p99_ns as f64),
                "p999" => lat.map(|l| l.p999_ns as f64),
                "p9999" => lat.map(|l| l.p9999_ns as f64),
                "max" => lat.map(|l| l.max_ns as f64),
                "mean" => lat.map(|l| l.mean_ns),
                _ => None,
            }
        }
    }
}

/// Microseconds per operation of `kind`, as the model ranks them.
fn cost_us(kind: &PhaseKind, p: &Prediction) -> f64 {
    let block = |blocks: f64| blocks * (p.read.cache_hit_ratio * 0.5 + (1.0 - p.read.cache_hit_ratio) * 4.0);
    let get = 0.5 + 0.05 * p.read.tables + block(p.read.blocks_per_get);
    let write = p.user_write_amp.unwrap_or(1.0);
    match kind {
        PhaseKind::ReadMissing => 0.5 + 0.05 * p.read.tables + block(p.read.blocks_per_missing_get),
        PhaseKind::ReadRandom
        | PhaseKind::ReadHot { .. }
        | PhaseKind::SeekRandom { .. }
        | PhaseKind::ReadSeq => get,
        PhaseKind::Update => get + write,
        PhaseKind::Mixed {
            read,
            write: w,
            update,
            ..
        } => {
            let total = (read + w + update).max(f64::MIN_POSITIVE);
            (read * get + w * write + update * (get + write)) / total
        }
        _ => write,
    }
}

/// The model's estimate of `m` (see the module doc).
pub fn estimated(m: &Metric, suite: &Suite, p: &Prediction) -> Option<f64> {
    match m {
        Metric::Cell(name) => match name.as_str() {
            "write_amp" => p.total_write_amp,
            "user_write_amp" => p.user_write_amp,
            "space_amp" => p.space_amp,
            "read_amp" => Some(p.read.tables),
            "db_size" => Some(p.db_size_bytes),
            "memory" => Some(p.memory.total),
            _ => None,
        },
        Metric::Phase { stat, phase } => {
            let ph = suite.phases.iter().find(|x| &x.name == phase)?;
            let c = cost_us(&ph.kind, p);
            match stat.as_str() {
                "ops_per_sec" => Some(1e6 / c),
                "mb_per_sec" => {
                    Some(1e6 / c * (suite.data.key_size + suite.data.value_size) as f64 / 1048576.0)
                }
                "seconds" => ph.common.ops.map(|n| n as f64 * c / 1e6),
                _ => Some(c * 1000.0),
            }
        }
    }
}
