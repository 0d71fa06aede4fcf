//! From a results directory to calibration figures: what was measured
//! (write-amp, space-amp, CPU per write and per read, blocks per get) and
//! what the cost model predicts for the same run, plus the run's load in
//! the model's terms so it can be scaled to the target.
//!
//! The load is rebuilt from the measured phases (not from the suite
//! file, which may have changed): a fill's ops are new keys up to the data
//! set's size; in other phases every `put` and `update` is an overwrite,
//! every `get` and `update` a read, every `delete` a delete, every `scan`
//! a scan; `flush` and `compact` flush (and compact); a `max_rate` phase's
//! counts (one window's) are scaled to all its windows' ops. A write batch
//! counts as one write. Keys are assumed uniform (no distribution is replayed).

use std::path::Path;

use lsmlab_reports::capacity::CalibrationPoint;
use lsmlab_reports::{CellResult, CellStatus, Results};
use lsmlab_workloads::DataSpec;
use lsmlab_workloads::model::{ModelOptions, PhaseLoad, Prediction, Workload, predict};
use serde_json::Value;

use super::error::PlanError;
use super::measured::{self, READ_KINDS, count, per_op};
use crate::check::model_options;
use crate::store::engine::options_from_map;

/// One calibration run, ready for the projection.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// What was measured and predicted.
    pub point: CalibrationPoint,
    /// The run's data set.
    pub data: DataSpec,
    /// The cell's options in the model's terms.
    pub options: ModelOptions,
    /// The run's load.
    pub workload: Workload,
    /// Largest thread count of its read phases (1 without any).
    pub read_threads: usize,
}

/// The load of `cell`'s phases on a data set of `keys` keys.
pub fn workload_of(cell: &CellResult, keys: f64) -> Workload {
    let mut loaded = 0.0f64;
    let phases = cell
        .phases
        .iter()
        .map(|p| {
            let ops = (p.ops + p.warmup_ops) as f64;
            let mut load = PhaseLoad {
                name: p.name.clone(),
                sequential: false,
                effective_keys: Some(keys.max(1.0)),
                per_group: (p.threads.clamp(1, 2)) as f64,
                flush: p.kind == "flush" || p.kind == "compact",
                compact: p.kind == "compact",
                assumed: false,
                ..Default::default()
            };
            if p.kind == "fill" {
                let n = ops.min(keys);
                load.new_puts = (n - loaded).max(0.0);
                load.overwrites = n - load.new_puts;
                loaded = loaded.max(n);
                load.effective_keys = None;
            } else {
                // A max_rate phase's figures are one window's; its load is every window's.
                let windows = p.max_rate.as_ref().map_or(1.0, |m| {
                    let all: u64 = m.probes.iter().map(|w| w.ops).sum();
                    if p.ops > 0 { all as f64 / p.ops as f64 } else { 0.0 }
                });
                load.overwrites = windows * (count(p, "put") + count(p, "update") + count(p, "batch"));
                load.reads = windows * (count(p, "get") + count(p, "update"));
                load.deletes = windows * count(p, "delete");
                load.scans = windows * count(p, "scan");
            }
            load
        })
        .collect();
    Workload { phases }
}

/// `w` scaled to `factor` times the keys (every count scaled).
pub fn scaled(w: &Workload, factor: f64, keys: f64) -> Workload {
    Workload {
        phases: w
            .phases
            .iter()
            .map(|p| PhaseLoad {
                new_puts: p.new_puts * factor,
                overwrites: p.overwrites * factor,
                deletes: p.deletes * factor,
                range_deleted: p.range_deleted * factor,
                reads: p.reads * factor,
                missing_reads: p.missing_reads * factor,
                scans: p.scans * factor,
                effective_keys: p.effective_keys.map(|_| keys.max(1.0)),
                ..p.clone()
            })
            .collect(),
    }
}

fn data_spec(results: &Results) -> Option<DataSpec> {
    let d = results.suite.resolved.get("data")?;
    let num = |k: &str| d.get(k).and_then(Value::as_f64);
    Some(DataSpec {
        keys: num("keys")? as u64,
        key_size: num("key_size")? as usize,
        value_size: num("value_size")? as usize,
        compressibility: num("compressibility").unwrap_or(0.5),
    })
}

/// The model's engine bytes per live user byte (tables + live WAL over
/// live key + value bytes): the model's counterpart of the measured
/// `amplification.bytes_per_live_byte`. (The model's `space_amp` is
/// RocksDB's, all levels over the last one, another figure.)
pub fn bytes_per_live_byte(p: &Prediction) -> Option<f64> {
    (p.live_user_bytes > 0.0).then(|| p.db_size_bytes / p.live_user_bytes)
}

/// The calibration figures of the results at `dir`; `needs_reads` asks
/// for the read figures too. Every missing figure is named in one error.
pub fn calibrate(dir: &Path, needs_reads: bool) -> Result<(Results, Vec<Calibration>), PlanError> {
    let file = lsmlab_reports::report::results_file(dir);
    let results = Results::load(&file).map_err(|e| PlanError::Results(e.to_string()))?;
    let shown = dir.display().to_string();
    let cells: Vec<&CellResult> = results
        .cells
        .iter()
        .filter(|c| c.status == CellStatus::Ok)
        .collect();
    let mut missing = Vec::new();
    let mut indices: Vec<usize> = cells.iter().map(|c| c.index).collect();
    indices.dedup();
    if cells.is_empty() {
        missing.push("a cell that finished (none did)".to_string());
    } else if indices.len() > 1 {
        return Err(PlanError::Usage(format!(
            "{shown}: {} matrix cells; a plan calibrates one configuration (run the suite with --only)",
            indices.len()
        )));
    }
    let data = data_spec(&results);
    if data.is_none() {
        missing.push("suite.resolved.data (keys, key_size, value_size)".to_string());
    }
    let mut out = Vec::new();
    for cell in &cells {
        let a = &cell.amplification;
        let mut need = |what: &str, ok: bool| {
            if !ok && !missing.iter().any(|m| m == what) {
                missing.push(what.to_string());
            }
        };
        need(
            "amplification.user_write_amp (run with --store lsmlab)",
            a.user_write_amp.is_some(),
        );
        need(
            "amplification.bytes_per_live_byte",
            a.bytes_per_live_byte.is_some(),
        );
        let cpu_write = measured::cpu_per_write(&cell.phases);
        need(
            "CPU seconds per write (a fill or overwrite phase)",
            cpu_write.is_some(),
        );
        let cpu_read = per_op(&cell.phases, &READ_KINDS);
        let blocks = cell
            .phases
            .iter()
            .filter(|p| READ_KINDS.contains(&p.kind.as_str()))
            .find_map(|p| p.read_amp.as_ref().map(|r| r.blocks_per_get));
        if needs_reads {
            need(
                "CPU seconds per read and blocks per get (a read_random phase on the lsmlab store)",
                cpu_read.is_some() && blocks.is_some(),
            );
        }
        let engine = options_from_map(&cell.options)
            .map_err(|e| PlanError::Usage(format!("{shown}: cell {}: {e}", cell.id)))?;
        let options = model_options(&engine);
        let stats = cell.final_stats.as_ref();
        let wal_flush = stats.and_then(measured::wal_flush_per_user_byte);
        need(
            "final_stats with user_bytes, wal_bytes and flush_bytes (run with --store lsmlab)",
            wal_flush.is_some(),
        );
        let (Some(data), Some(wa), Some(sa), Some(cpu_write), Some(wal_flush)) = (
            data,
            a.user_write_amp,
            a.bytes_per_live_byte,
            cpu_write,
            wal_flush,
        ) else {
            continue;
        };
        let workload = workload_of(cell, data.keys as f64);
        let p: Prediction = predict(&options, &data, &workload);
        let read_threads = cell
            .phases
            .iter()
            .filter(|p| READ_KINDS.contains(&p.kind.as_str()))
            .map(|p| p.threads)
            .max()
            .unwrap_or(1);
        out.push(Calibration {
            point: CalibrationPoint {
                results: shown.clone(),
                keys: data.keys,
                measured_write_amp: wa,
                model_write_amp: p.user_write_amp.unwrap_or(0.0),
                measured_space_amp: sa,
                model_space_amp: bytes_per_live_byte(&p).unwrap_or(0.0),
                cpu_seconds_per_write: cpu_write,
                cpu_seconds_per_read: cpu_read,
                blocks_per_get: blocks,
                wal_flush_per_user_byte: wal_flush,
                compaction_bytes_per_second: stats.and_then(measured::compaction_bytes_per_second),
                compaction_jobs: measured::compaction_jobs(engine.max_background_jobs, engine.deterministic),
                cores_used: measured::cores_used(&cell.phases),
                max_rate: measured::sustained_rates(
                    &cell.phases,
                    (data.key_size + data.value_size) as f64,
                    wa - wal_flush,
                ),
            },
            data,
            options,
            workload,
            read_threads,
        });
    }
    if !missing.is_empty() {
        return Err(PlanError::Missing {
            results: shown,
            missing,
        });
    }
    Ok((results, out))
}
