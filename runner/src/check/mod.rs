//! The cost model (`lsmlab_workloads::model`) in the runner: the engine's
//! options in the model's terms, warnings about matrix cells that cannot
//! differ (before `validate` and `run`), the prediction stored with each
//! cell, and the after-run flag on cells whose deterministic behaviour came
//! out the same.
//!
//! Only the bundled engine (`--store lsmlab`) is modelled; other stores get
//! no warnings and no predictions.

mod convert;

pub use convert::model_options;

use lsmlab_reports::prediction::{CellPrediction, PredictedLevel, same_behaviour};
use lsmlab_reports::{CellResult, Results};
use lsmlab_workloads::model::matrix::check_matrix;
use lsmlab_workloads::model::{Prediction, Workload, predict};
use lsmlab_workloads::{Cell, Suite};

use crate::plan::Plan;
use crate::store::StoreKind;
use crate::store::engine::options_from_map;

/// Matrix warnings for `plan` (`FILE: warning: MESSAGE` each), over the
/// cells that run on the bundled engine (cells of other stores are not
/// modelled, and a `store` sweep is not an engine option).
pub fn matrix_warnings(plan: &Plan) -> Vec<String> {
    let cells: Vec<_> = plan
        .cells
        .iter()
        .filter(|c| Plan::store_of(c) == StoreKind::Lsmlab)
        .filter_map(|c| {
            options_from_map(&c.options)
                .ok()
                .map(|o| (c.clone(), model_options(&o)))
        })
        .collect();
    if cells.len() < 2 {
        return Vec::new();
    }
    let workload = Workload::from_suite(&plan.suite, None);
    let mut out: Vec<String> = check_matrix(&cells, &plan.suite.data, &workload)
        .into_iter()
        .map(|w| format!("{}: warning: {}", plan.suite.file, w.message))
        .collect();
    if !out.is_empty() && workload.has_assumed_counts() {
        out.push(format!(
            "{}: note: duration-bound phases were counted at their rate, or {} ops/s per thread without one",
            plan.suite.file,
            lsmlab_workloads::model::workload::ASSUMED_OPS_PER_SEC
        ));
    }
    out
}

/// The model's prediction for `cell` as it ran (`result` supplies each
/// phase's measured op count); `None` for cells of other stores or invalid
/// options.
pub fn predict_cell(suite: &Suite, cell: &Cell, result: &CellResult) -> Option<CellPrediction> {
    if Plan::store_of(cell) != StoreKind::Lsmlab {
        return None;
    }
    let o = options_from_map(&cell.options).ok()?;
    let mut ops: Vec<u64> = Vec::with_capacity(suite.phases.len());
    let mut seconds: Vec<Option<f64>> = Vec::with_capacity(suite.phases.len());
    for i in 0..suite.phases.len() {
        let measured = result.phases.iter().find(|p| p.index == i);
        // A phase that did not run (the cell failed) did nothing.
        ops.push(measured.map_or(0, |p| p.ops + p.warmup_ops));
        seconds.push(measured.map(|p| p.seconds + p.warmup_seconds));
    }
    let mut workload = Workload::from_suite(suite, Some(&ops));
    // The measured wall times set the model's clock (how far compaction fell behind).
    workload.set_seconds(&seconds);
    let mut mo = model_options(&o);
    if let Some(c) = measured_compaction_speed(result) {
        // A job runs as fast as this cell's compactions did.
        mo.speed.compaction_bytes_per_sec = c / mo.speed.parallelism(mo.max_subcompactions);
    }
    Some(stored(&result.id, &predict(&mo, &suite.data, &workload)))
}

/// Bytes the cell's compactions read and wrote per second of compaction
/// (the engine's per-level `read_bytes + write_bytes` over
/// `compaction_seconds`, L0's row being flushes); `None` without compactions.
pub fn measured_compaction_speed(result: &CellResult) -> Option<f64> {
    let levels = result.final_stats.as_ref()?.get("levels")?.as_array()?;
    let (mut bytes, mut seconds) = (0.0, 0.0);
    for l in levels.iter().skip(1) {
        let f = |k: &str| l.get(k).and_then(serde_json::Value::as_f64).unwrap_or(0.0);
        bytes += f("read_bytes") + f("write_bytes");
        seconds += f("compaction_seconds");
    }
    (seconds > 0.1 && bytes > 0.0).then(|| bytes / seconds)
}

/// A prediction in the results schema.
pub fn stored(id: &str, p: &Prediction) -> CellPrediction {
    CellPrediction {
        id: id.to_string(),
        total_write_amp: p.total_write_amp,
        user_write_amp: p.user_write_amp,
        space_amp: p.space_amp,
        read_amp: Some(p.read.tables),
        db_size_bytes: p.db_size_bytes,
        memory_bytes: p.memory.total,
        bloom_fpr: p.read.bloom_fpr,
        blocks_per_get: p.read.blocks_per_get,
        blocks_per_missing_get: p.read.blocks_per_missing_get,
        levels_with_data: p.levels_with_data.clone(),
        levels: p
            .levels
            .iter()
            .map(|l| PredictedLevel {
                level: l.level,
                target_bytes: l.target_bytes,
                bytes: l.bytes,
                write_bytes: l.write_bytes,
                compactions: l.compactions,
                compression: l.compression.to_string(),
            })
            .collect(),
        assumed_counts: p.assumed_counts,
    }
}

/// After a run: one line per group of cells that wrote the same bytes per
/// level with the same compactions (their swept option changed nothing
/// deterministic).
pub fn behaviour_flags(results: &Results) -> Vec<String> {
    same_behaviour(results)
        .into_iter()
        .map(|ids| {
            let labels: Vec<String> = ids
                .iter()
                .map(|id| {
                    let c = results.cells.iter().find(|c| &c.id == id);
                    format!("{id} ({})", c.map_or("", |c| c.label.as_str()))
                })
                .collect();
            format!(
                "warning: cells {} wrote the same bytes per level and ran the same compactions: their options changed only timing",
                labels.join(", ")
            )
        })
        .collect()
}
