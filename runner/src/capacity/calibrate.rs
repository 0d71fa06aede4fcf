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
use crate::check::{measured_compaction_speed, model_options};
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
    /// Per phase of `workload`: whether its load is set by time, not by the
    /// data set (`max_rate`: windows of a fixed length at the rates found),
    /// so it is not scaled with the keys.
    pub timed: Vec<bool>,
    /// The phase index of each of `point.max_rate`'s sustained rates.
    pub sustained_at: Vec<usize>,
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
                // The measured wall time sets the model's clock (a max_rate
                // phase's is every window's: up to its last window's end).
                seconds: Some(
                    p.max_rate
                        .as_ref()
                        .and_then(|m| m.probes.last().map(|w| w.end_seconds))
                        .unwrap_or(p.seconds + p.warmup_seconds),
                ),
                threads: p.threads.max(1) as f64,
                wait: p.kind == "wait_for_compaction",
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

/// The cost model's compaction bytes per user write of phase `i` of `w`:
/// the compaction bytes of the phases up to `i` followed by a wait for
/// compaction (the catch-up its writes leave), minus those of the phases
/// before `i`, over the user bytes phase `i` wrote, times the entry bytes.
/// `None` when the phase writes nothing.
pub fn phase_compaction_per_write(o: &ModelOptions, data: &DataSpec, w: &Workload, i: usize) -> Option<f64> {
    let before = predict(
        o,
        data,
        &Workload {
            phases: w.phases[..i.min(w.phases.len())].to_vec(),
        },
    );
    let mut upto = w.phases[..(i + 1).min(w.phases.len())].to_vec();
    upto.push(PhaseLoad {
        name: "catch-up".into(),
        wait: true,
        threads: 1.0,
        ..Default::default()
    });
    let after = predict(o, data, &Workload { phases: upto });
    let user = after.user_bytes - before.user_bytes;
    let entry = (data.key_size + data.value_size) as f64;
    (user > 0.0).then(|| entry * (after.compaction_bytes - before.compaction_bytes).max(0.0) / user)
}

/// `w` scaled to `factor` times the keys: every count and wall time of a
/// phase scaled (each phase runs at the rate it ran), except the phases
/// `timed` marks, which keep theirs.
pub fn scaled(w: &Workload, timed: &[bool], factor: f64, keys: f64) -> Workload {
    Workload {
        phases: w
            .phases
            .iter()
            .enumerate()
            .map(|(i, p)| {
                (
                    p,
                    if timed.get(i).copied().unwrap_or(false) {
                        1.0
                    } else {
                        factor
                    },
                )
            })
            .map(|(p, factor)| PhaseLoad {
                new_puts: p.new_puts * factor,
                overwrites: p.overwrites * factor,
                deletes: p.deletes * factor,
                range_deleted: p.range_deleted * factor,
                reads: p.reads * factor,
                missing_reads: p.missing_reads * factor,
                scans: p.scans * factor,
                effective_keys: p.effective_keys.map(|_| keys.max(1.0)),
                seconds: p.seconds.map(|s| s * factor),
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
        let mut options = model_options(&engine);
        if let Some(c) = measured_compaction_speed(cell) {
            // A compaction job runs as fast as this cell's did (as `lsmlab run`'s predictions do).
            options.speed.compaction_bytes_per_sec =
                c / options.speed.parallelism(options.max_subcompactions);
        }
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
        let timed = cell.phases.iter().map(|p| p.max_rate.is_some()).collect();
        let sustained = measured::sustained_rates(&cell.phases, |i| {
            phase_compaction_per_write(&options, &data, &workload, i)
        });
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
                max_rate: sustained.iter().map(|(_, r)| r.clone()).collect(),
            },
            data,
            options,
            workload,
            timed,
            sustained_at: sustained.iter().map(|(i, _)| *i).collect(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_keeps_timed_phases_as_they_ran() {
        let phase = |overwrites: f64, seconds: f64| PhaseLoad {
            overwrites,
            reads: overwrites / 2.0,
            seconds: Some(seconds),
            effective_keys: Some(100.0),
            ..Default::default()
        };
        let w = Workload {
            phases: vec![phase(100.0, 2.0), phase(50.0, 10.0)],
        };
        let s = scaled(&w, &[false, true], 4.0, 400.0);
        // The first phase has 4x the ops in 4x the time (the same rate).
        assert_eq!(s.phases[0].overwrites, 400.0);
        assert_eq!(s.phases[0].reads, 200.0);
        assert_eq!(s.phases[0].seconds, Some(8.0));
        // The timed one (max_rate) keeps its ops and seconds; both see the target's keys.
        assert_eq!(s.phases[1].overwrites, 50.0);
        assert_eq!(s.phases[1].seconds, Some(10.0));
        assert_eq!(s.phases[1].effective_keys, Some(400.0));
    }
}
