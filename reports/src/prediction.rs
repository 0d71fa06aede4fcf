//! What the cost model predicted for a cell (stored in results.json beside
//! what was measured), the predicted-vs-measured comparison, and cells whose
//! deterministic behaviour came out the same.
//!
//! Fields of [`CellPrediction`] use the same definitions as the measured
//! figures in [`Amplification`](crate::Amplification) and the engine's
//! per-level statistics, so each pair compares one to one. Predictions are
//! made after the cell ran, with the op counts its phases really did (a
//! duration-bound phase has no count before), so their error is the
//! model's, not a guess of throughput.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{CellResult, CellStatus, Results};

/// One level as predicted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictedLevel {
    /// Level number.
    pub level: usize,
    /// Target bytes at the end (`None` for L0, the last level, unused levels).
    pub target_bytes: Option<f64>,
    /// Bytes held at the end.
    pub bytes: f64,
    /// Bytes written into the level (flushes for L0).
    pub write_bytes: f64,
    /// Compactions (flushes for L0) writing into it.
    pub compactions: f64,
    /// Compression of what it holds.
    pub compression: String,
}

/// The cost model's prediction for one cell repetition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellPrediction {
    /// The cell repetition (`c003-r1`).
    pub id: String,
    /// (flush + compaction) / flush bytes.
    pub total_write_amp: Option<f64>,
    /// (WAL + flush + compaction) / user bytes.
    pub user_write_amp: Option<f64>,
    /// Table bytes of all levels / of the last non-empty level.
    pub space_amp: Option<f64>,
    /// L0 tables + non-empty deeper levels.
    pub read_amp: Option<f64>,
    /// Bytes on disk at the end.
    pub db_size_bytes: f64,
    /// Memtables + block cache + filters + indexes.
    pub memory_bytes: f64,
    /// Bloom false-positive rate.
    pub bloom_fpr: f64,
    /// Data blocks read per get of a present key.
    pub blocks_per_get: f64,
    /// Data blocks read per get of an absent key.
    pub blocks_per_missing_get: f64,
    /// Levels holding data at the end.
    pub levels_with_data: Vec<usize>,
    /// Per level (index = level).
    pub levels: Vec<PredictedLevel>,
    /// Some phase op counts were assumed rather than measured.
    #[serde(default)]
    pub assumed_counts: bool,
}

/// One figure, predicted and measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Compared {
    /// What it is (`write-amp`, `user-wa`, `space-amp`, `read-amp`).
    pub name: &'static str,
    /// The model's value.
    pub predicted: Option<f64>,
    /// The measured value.
    pub measured: Option<f64>,
}

impl Compared {
    /// (predicted - measured) / measured, when both exist.
    pub fn error(&self) -> Option<f64> {
        match (self.predicted, self.measured) {
            (Some(p), Some(m)) if m != 0.0 => Some((p - m) / m),
            _ => None,
        }
    }
}

/// The figures of one cell compared.
pub fn compare(cell: &CellResult, p: &CellPrediction) -> Vec<Compared> {
    let a = &cell.amplification;
    vec![
        Compared {
            name: "write-amp",
            predicted: p.total_write_amp,
            measured: a.total_write_amp,
        },
        Compared {
            name: "user-wa",
            predicted: p.user_write_amp,
            measured: a.user_write_amp,
        },
        Compared {
            name: "space-amp",
            predicted: p.space_amp,
            measured: a.space_amp,
        },
        Compared {
            name: "read-amp",
            predicted: p.read_amp,
            measured: a.read_amp,
        },
    ]
}

/// Mean absolute relative error of each figure over every cell that has
/// both values: (name, mean |error|, cells).
pub fn mean_errors(results: &Results) -> Vec<(&'static str, f64, usize)> {
    let mut sums: Vec<(&'static str, f64, usize)> = Vec::new();
    for cell in &results.cells {
        let Some(p) = results.predictions.iter().find(|p| p.id == cell.id) else {
            continue;
        };
        for c in compare(cell, p) {
            if let Some(e) = c.error() {
                match sums.iter_mut().find(|(n, _, _)| *n == c.name) {
                    Some(s) => {
                        s.1 += e.abs();
                        s.2 += 1;
                    }
                    None => sums.push((c.name, e.abs(), 1)),
                }
            }
        }
    }
    sums.into_iter().map(|(n, s, k)| (n, s / k as f64, k)).collect()
}

/// Measured bytes written per level and compactions per level, from the
/// engine's final statistics (`levels[].write_bytes`, `compaction_count`),
/// plus subcompactions run.
pub fn behaviour(cell: &CellResult) -> Option<(Vec<u64>, Vec<u64>, u64)> {
    let stats = cell.final_stats.as_ref()?;
    let levels = stats.get("levels")?.as_array()?;
    let field = |l: &Value, k: &str| l.get(k).and_then(Value::as_u64).unwrap_or(0);
    let written = levels.iter().map(|l| field(l, "write_bytes")).collect();
    let counts = levels.iter().map(|l| field(l, "compaction_count")).collect();
    let subs = stats.get("subcompactions").and_then(Value::as_u64).unwrap_or(0);
    Some((written, counts, subs))
}

/// Relative difference below which two byte counts are "the same".
pub const SAME_BYTES: f64 = 0.01;

/// Groups of cells (same repetition, at least two) whose deterministic
/// behaviour came out the same: bytes written per level within
/// [`SAME_BYTES`] of each other (trailing empty levels ignored), the same
/// compactions per level and the same subcompaction count. Each group is the
/// ids of its cells.
pub fn same_behaviour(results: &Results) -> Vec<Vec<String>> {
    type Shape = (Vec<u64>, Vec<u64>, u64);
    let trim = |v: &[u64]| {
        let n = v.iter().rposition(|&x| x > 0).map_or(0, |i| i + 1);
        v[..n].to_vec()
    };
    let same = |a: &Shape, b: &Shape| {
        let (wa, wb) = (trim(&a.0), trim(&b.0));
        wa.len() == wb.len()
            && wa.iter().zip(&wb).all(|(&x, &y)| {
                let (x, y) = (x as f64, y as f64);
                (x - y).abs() <= SAME_BYTES * x.max(y)
            })
            && trim(&a.1) == trim(&b.1)
            && a.2 == b.2
    };
    let mut groups: Vec<(u32, Shape, Vec<String>)> = Vec::new();
    for cell in results.cells.iter().filter(|c| c.status == CellStatus::Ok) {
        let Some(shape) = behaviour(cell) else { continue };
        match groups
            .iter_mut()
            .find(|(rep, s, _)| *rep == cell.repetition && same(s, &shape))
        {
            Some((_, _, ids)) => ids.push(cell.id.clone()),
            None => groups.push((cell.repetition, shape, vec![cell.id.clone()])),
        }
    }
    groups
        .into_iter()
        .filter(|(_, _, ids)| ids.len() > 1)
        .map(|(_, _, ids)| ids)
        .collect()
}
