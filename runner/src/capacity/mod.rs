//! `lsmlab plan RESULTS_DIR... --dataset SIZE`: a capacity plan for a
//! target data set from calibration runs and a device probe.
//!
//! Steps: [`calibrate`] reads each results directory (measured write-amp,
//! space-amp, CPU per write and per read, blocks per get) and predicts the
//! same run with the cost model; the largest run's load, scaled to the
//! target's keys, is predicted at the target; [`project`] calibrates the
//! model's figures (mean measured / predicted) and turns them, with the
//! device probe, into cost per 1k ops/s, the rate each resource allows,
//! disk and memory. The plan is printed, and saved as `capacity.json` and
//! `capacity.html` (the report's page) in `--out` (default: the first
//! results directory).

pub mod calibrate;
pub mod error;
pub mod measured;
pub mod project;

use std::path::{Path, PathBuf};

use lsmlab_reports::capacity::{CapacityPlan, PlannedLevel};
use lsmlab_reports::{DeviceProbe, Results};
use lsmlab_workloads::DataSpec;
use lsmlab_workloads::model::predict;

use calibrate::{Calibration, calibrate, scaled};
use error::PlanError;
use project::{Device, Inputs, ModelAtTarget, project};

/// What `lsmlab plan` was asked.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    /// Calibration results directories (or results.json files).
    pub results: Vec<PathBuf>,
    /// Target live user bytes.
    pub dataset_bytes: u64,
    /// Read and write weights of the mix.
    pub mix: (f64, f64),
    /// Value size of the target (default: the runs').
    pub value_size: Option<u64>,
    /// A probe.json, or a results.json with `host.probe`.
    pub device_probe: Option<PathBuf>,
    /// Cache hit rate to size the block cache for.
    pub hit_rate: f64,
    /// Threads (queue depth) for the read IOPS (default: the runs' read threads).
    pub threads: Option<usize>,
    /// Cores available (default: the runs' host).
    pub cores: Option<usize>,
}

/// Parses `read=0.7,write=0.3` (either weight may be left out; at least one positive).
pub fn parse_mix(text: &str) -> Result<(f64, f64), String> {
    let (mut read, mut write) = (0.0, 0.0);
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((name, value)) = part.split_once('=') else {
            return Err(format!(
                "mix part {part:?} is not NAME=WEIGHT (e.g. read=0.7,write=0.3)"
            ));
        };
        let w: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|w: &f64| w.is_finite() && *w >= 0.0)
            .ok_or_else(|| format!("mix weight {value:?} of {name} is not a non-negative number"))?;
        match name.trim() {
            "read" => read = w,
            "write" => write = w,
            other => return Err(format!("mix has {other:?}; a plan's mix has `read` and `write`")),
        }
    }
    if read + write <= 0.0 {
        return Err(format!("mix {text:?} needs a positive read or write weight"));
    }
    Ok((read, write))
}

/// Parses a target data size (`500GiB`, `2TB`) with `lsmlab_units::parse_size`.
pub fn parse_dataset(text: &str) -> Result<u64, String> {
    match lsmlab_units::parse_size(text) {
        Ok(0) => Err(format!("dataset size {text:?} must be more than 0 bytes")),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("dataset size {text:?}: {e} (e.g. 500GiB, 2TB)")),
    }
}

/// Parses a cache hit rate in [0, 1).
pub fn parse_hit_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(h) if (0.0..1.0).contains(&h) => Ok(h),
        _ => Err(format!("hit rate {text:?} must be a number in [0, 1), e.g. 0.9")),
    }
}

/// The device figures: `--device-probe`, else the first run's `host.probe`.
fn device_probe(req: &PlanRequest, first: &Results) -> Result<DeviceProbe, PlanError> {
    if let Some(path) = &req.device_probe {
        let text = std::fs::read_to_string(path)
            .map_err(|e| PlanError::Usage(format!("{}: {e}", path.display())))?;
        if let Ok(p) = serde_json::from_str::<DeviceProbe>(&text) {
            return Ok(p);
        }
        return match serde_json::from_str::<Results>(&text) {
            Ok(r) => r.host.probe.ok_or_else(|| {
                PlanError::Usage(format!(
                    "{}: results without host.probe (run with --probe)",
                    path.display()
                ))
            }),
            Err(_) => Err(PlanError::Usage(format!(
                "{}: neither a probe.json (lsmlab probe --out) nor a results.json",
                path.display()
            ))),
        };
    }
    first.host.probe.clone().ok_or_else(|| PlanError::Missing {
        results: req.results[0].display().to_string(),
        missing: vec![
            "a device probe (host.probe: run with --probe, or pass --device-probe FILE from `lsmlab probe --out FILE`)"
                .into(),
        ],
    })
}

/// Makes the plan.
pub fn plan(req: &PlanRequest) -> Result<CapacityPlan, PlanError> {
    let needs_reads = req.mix.0 > 0.0;
    let mut runs: Vec<Calibration> = Vec::new();
    let mut first: Option<Results> = None;
    for dir in &req.results {
        let (results, cal) = calibrate(dir, needs_reads)?;
        runs.extend(cal);
        first.get_or_insert(results);
    }
    let Some(first) = first else {
        return Err(PlanError::Usage("no results directory given".into()));
    };
    let probe = device_probe(req, &first)?;
    let Some(template) = runs.iter().max_by_key(|c| c.data.keys) else {
        return Err(PlanError::Usage("no calibration run".into()));
    };
    let key_size = template.data.key_size as f64;
    let value_size = req
        .value_size
        .map_or(template.data.value_size as f64, |v| v as f64);
    let keys = (req.dataset_bytes as f64 / (key_size + value_size))
        .round()
        .max(1.0);
    let data = DataSpec {
        keys: keys as u64,
        value_size: value_size as usize,
        ..template.data
    };
    let workload = scaled(
        &template.workload,
        &template.timed,
        keys / template.data.keys.max(1) as f64,
        keys,
    );
    let p = predict(&template.options, &data, &workload);
    // The largest run's max_rate phases at the target: the model's compaction per write.
    let mut template_point = template.point.clone();
    for (m, &i) in template_point.max_rate.iter_mut().zip(&template.sustained_at) {
        m.model_compaction_per_write_at_target =
            calibrate::phase_compaction_per_write(&template.options, &data, &workload, i);
    }
    let threads = req.threads.unwrap_or(template.read_threads).max(1);
    let Some(iops) = probe.iops_at(threads) else {
        return Err(PlanError::Usage(
            "the device probe measured no random reads".into(),
        ));
    };
    let host_cores = first.host.cpu_logical_cores.max(1);
    let used = runs
        .iter()
        .filter_map(|c| c.point.cores_used)
        .max_by(f64::total_cmp);
    let (cores, cores_source) = match (req.cores, used) {
        (Some(n), _) => (n.max(1) as f64, format!("{n} cores (--cores)")),
        (None, Some(u)) => (
            u.min(host_cores as f64),
            format!(
                "{:.2} of the host's {host_cores} cores: the most the engine got in one calibration phase (CPU / wall seconds; other load on a shared machine is left out)",
                u.min(host_cores as f64)
            ),
        ),
        (None, None) => (
            host_cores as f64,
            format!(
                "the host's {host_cores} cores (no phase of 1 s or more measured the CPU the engine got)"
            ),
        ),
    };
    let direct = if probe.direct_io { "O_DIRECT" } else { "buffered" };
    let inputs = Inputs {
        dataset_bytes: req.dataset_bytes as f64,
        key_size,
        value_size,
        read: req.mix.0,
        write: req.mix.1,
        threads,
        hit_rate: req.hit_rate,
        block_size: template.options.block_size as f64,
        calibration: runs
            .iter()
            .map(|c| {
                if std::ptr::eq(c, template) {
                    template_point.clone()
                } else {
                    c.point.clone()
                }
            })
            .collect(),
        model: ModelAtTarget {
            write_amp: p.user_write_amp.unwrap_or(0.0),
            space_amp: calibrate::bytes_per_live_byte(&p).unwrap_or(1.0),
            levels: p
                .levels
                .iter()
                .map(|l| PlannedLevel {
                    level: l.level,
                    target_bytes: l.target_bytes,
                    bytes: l.bytes,
                })
                .collect(),
            filters: p.memory.bloom,
            index: p.memory.index,
            memtables: p.memory.memtables,
            blocks_per_get: p.read.blocks_per_get,
        },
        device: Device {
            write_bytes_per_sec: probe.seq_write.bytes_per_sec,
            read_iops: iops,
            cores,
            cores_source,
            description: format!(
                "{} ({}): {:.1} MB/s synced sequential write, {iops:.0} IOPS of 4 KiB at QD{threads}, {direct}; {cores:.2} cores for the engine",
                probe.dir,
                probe.filesystem.as_deref().unwrap_or("?"),
                probe.seq_write.bytes_per_sec / 1e6,
            ),
        },
    };
    let mut plan = project(&inputs);
    plan.assumptions = assumptions(&plan, &probe, p.truncated);
    Ok(plan)
}

fn assumptions(plan: &CapacityPlan, probe: &DeviceProbe, truncated: bool) -> Vec<String> {
    let mut a = vec![
        format!(
            "the target runs the largest calibration run's phases scaled to {:.0} keys (same ops per key, at the rates they ran; max_rate phases as they ran), with the same engine options",
            plan.keys
        ),
        format!(
            "write-amp: the cost model at the target x {:.3} ({})",
            plan.write_amp_factor.value, plan.write_amp_factor.method
        ),
        format!(
            "space-amp (bytes per live byte): the cost model at the target x {:.3} ({}; the model's bytes per live byte, tables + live WAL over live user bytes)",
            plan.space_amp_factor.value, plan.space_amp_factor.method
        ),
        "keys are uniform: every read misses the cache at the same rate, and a cache of h x the table bytes hits h".into(),
        "a cache miss reads one block from the device (bloom filters screen the other tables); compaction reads about what it writes".into(),
        "CPU per write grows with (1 + write-amp); CPU per read is as measured".into(),
        "the rate is steady state: compaction keeps up (the compaction resources), and devices deliver their probed figures under the mixed load".into(),
    ];
    if let Some(note) = &probe.note {
        a.push(format!("device probe: {note}"));
    }
    if truncated {
        a.push("the cost model truncated its simulation at this size: figures are approximate".into());
    }
    a
}

/// Saves `plan` as `capacity.json` and `capacity.html` in `dir`; returns the page.
pub fn save(plan: &CapacityPlan, dir: &Path) -> Result<PathBuf, PlanError> {
    let out = |e: std::io::Error, p: &Path| PlanError::Output(format!("{}: {e}", p.display()));
    std::fs::create_dir_all(dir).map_err(|e| out(e, dir))?;
    let json = dir.join("capacity.json");
    let text = serde_json::to_string_pretty(plan).map_err(|e| PlanError::Output(e.to_string()))?;
    std::fs::write(&json, text + "\n").map_err(|e| out(e, &json))?;
    let html = dir.join("capacity.html");
    std::fs::write(&html, lsmlab_reports::render::capacity::html(plan)).map_err(|e| out(e, &html))?;
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_or_say_why() {
        assert_eq!(parse_mix("read=0.7,write=0.3"), Ok((0.7, 0.3)));
        assert_eq!(parse_mix("write=1"), Ok((0.0, 1.0)));
        assert!(parse_mix("scan=1").unwrap_err().contains("`read` and `write`"));
        assert!(parse_mix("read=x").unwrap_err().contains("non-negative"));
        assert!(parse_mix("read=0").unwrap_err().contains("positive"));
        assert!(parse_mix("read").unwrap_err().contains("NAME=WEIGHT"));
        assert_eq!(parse_dataset("500GiB"), Ok(500 << 30));
        assert!(
            parse_dataset("lots")
                .unwrap_err()
                .contains("dataset size \"lots\"")
        );
        assert!(parse_dataset("0B").is_err());
        assert_eq!(parse_hit_rate("0.9"), Ok(0.9));
        assert!(parse_hit_rate("1").is_err());
    }
}
