//! The figures of one calibration cell that bound its rate: CPU per write
//! (background catch-up included), the CPU the process got, compaction
//! throughput per job-second, the non-compaction part of write-amp, and
//! the rates its `max_rate` phases sustained.
//!
//! Sources in results.json: `phases[].cpu` and `seconds`; `final_stats`
//! (the engine's cumulative `Stats`, engine/src/stats/snapshot.rs, as JSON: `user_bytes`,
//! `wal_bytes`, `flush_bytes`, `levels[].write_bytes` and
//! `levels[].compaction_seconds`, the summed wall time of the compaction
//! jobs that wrote into that level); `phases[].max_rate.sustained_rate`
//! with the kept window's operation counts.

use lsmlab_reports::capacity::{RateLimitedBy, SustainedRate};
use lsmlab_reports::{MaxRateResult, PhaseResult};
use serde_json::Value;

use crate::execute::max_rate::judge::compaction_fell_behind;

/// Phase kinds whose operations are writes the plan calibrates on.
pub const WRITE_KINDS: [&str; 2] = ["fill", "overwrite"];
/// Phase kinds whose operations are point reads.
pub const READ_KINDS: [&str; 3] = ["read_random", "read_hot", "read_missing"];

/// Operations of type `op` measured in `p`.
pub fn count(p: &PhaseResult, op: &str) -> f64 {
    p.latency.get(op).map_or(0.0, |l| l.count as f64)
}

fn cpu(p: &PhaseResult) -> f64 {
    p.cpu.user_seconds + p.cpu.system_seconds
}

/// CPU seconds per measured operation of the phases of `kinds`.
pub fn per_op(phases: &[PhaseResult], kinds: &[&str]) -> Option<f64> {
    let (cpu, ops) = phases
        .iter()
        .filter(|p| kinds.contains(&p.kind.as_str()))
        .fold((0.0, 0u64), |(c, n), p| (c + cpu(p), n + p.ops));
    (ops > 0).then(|| cpu / ops as f64)
}

/// CPU seconds per write of the fill and overwrite phases, counting the
/// CPU of a `wait_for_compaction` that directly follows one of them: the
/// background compaction those writes left behind is part of their cost.
/// (Process CPU counts every thread, background ones included.)
pub fn cpu_per_write(phases: &[PhaseResult]) -> Option<f64> {
    let mut cpu_sum = 0.0;
    let mut ops = 0u64;
    let mut after_write = false;
    for p in phases {
        if WRITE_KINDS.contains(&p.kind.as_str()) {
            cpu_sum += cpu(p);
            ops += p.ops;
            after_write = true;
        } else {
            if after_write && p.kind == "wait_for_compaction" {
                cpu_sum += cpu(p);
            }
            after_write = false;
        }
    }
    (ops > 0).then(|| cpu_sum / ops as f64)
}

/// The most CPU the process got in one phase of at least 1 s: CPU
/// seconds / wall seconds (background threads included). On a shared
/// machine this is what was free for the engine, not the core count.
pub fn cores_used(phases: &[PhaseResult]) -> Option<f64> {
    phases
        .iter()
        .filter(|p| p.seconds >= 1.0)
        .map(|p| cpu(p) / p.seconds)
        .max_by(f64::total_cmp)
}

fn num(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64)
}

/// `(WAL + flush bytes) / user bytes` from the final engine stats.
pub fn wal_flush_per_user_byte(stats: &Value) -> Option<f64> {
    let user = num(stats, "user_bytes").filter(|u| *u > 0.0)?;
    Some((num(stats, "wal_bytes")? + num(stats, "flush_bytes")?) / user)
}

/// Compaction bytes written into L1 and below per second of compaction
/// job (L0's row is flushes and is left out); `None` when no compaction ran.
pub fn compaction_bytes_per_second(stats: &Value) -> Option<f64> {
    let levels = stats.get("levels")?.as_array()?;
    let (bytes, seconds) = levels
        .iter()
        .filter(|l| num(l, "level").is_some_and(|n| n >= 1.0))
        .fold((0.0, 0.0), |(b, s), l| {
            (
                b + num(l, "write_bytes").unwrap_or(0.0),
                s + num(l, "compaction_seconds").unwrap_or(0.0),
            )
        });
    (bytes > 0.0 && seconds > 0.0).then(|| bytes / seconds)
}

/// Compaction jobs that run at once: one worker of `max_background_jobs`
/// is kept for flushes (`engine/src/db/background.rs`), so `jobs - 1`, at
/// least 1; deterministic mode runs them one at a time in the writer.
/// Subcompactions run inside a job, so they are in its bytes per second.
pub fn compaction_jobs(max_background_jobs: usize, deterministic: bool) -> usize {
    if deterministic {
        1
    } else {
        max_background_jobs.saturating_sub(1).max(1)
    }
}

/// What stopped `search`: the reasons of its windows at the lowest failing
/// rate (deduplicated, in order), compaction when any of them says
/// compaction fell behind, else the foreground; unknown when none failed.
pub fn stopped_by(search: &MaxRateResult) -> (RateLimitedBy, Vec<String>) {
    let Some(failing) = search.failing_rate else {
        return (RateLimitedBy::Unknown, Vec::new());
    };
    let mut reasons: Vec<String> = Vec::new();
    for probe in search.probes.iter().filter(|p| !p.held && p.rate == failing) {
        for r in &probe.reasons {
            if !reasons.contains(r) {
                reasons.push(r.clone());
            }
        }
    }
    let by = if reasons.is_empty() {
        RateLimitedBy::Unknown
    } else if compaction_fell_behind(&reasons) {
        RateLimitedBy::Compaction
    } else {
        RateLimitedBy::Foreground
    };
    (by, reasons)
}

/// The sustained rates of the `max_rate` phases among `phases`;
/// `model_per_write(i)` is the cost model's compaction bytes per user write
/// of phase `i` at the run's size. Each rate's compaction bytes per second
/// is `rate x write share x model_per_write`: the steady-state compaction
/// throughput the search found, in the units the plan scales.
/// Each comes with its phase's index.
pub fn sustained_rates(
    phases: &[PhaseResult],
    model_per_write: impl Fn(usize) -> Option<f64>,
) -> Vec<(usize, SustainedRate)> {
    phases
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let search = p.max_rate.as_ref()?;
            let rate = search.sustained_rate?;
            let (limited_by, failing_reasons) = stopped_by(search);
            let all = count(p, "all");
            let writes = count(p, "put") + count(p, "update") + count(p, "delete") + count(p, "batch");
            let write_share = if all > 0.0 { (writes / all).min(1.0) } else { 0.0 };
            let per_write = model_per_write(i).unwrap_or(0.0);
            Some((
                i,
                SustainedRate {
                    phase: p.name.clone(),
                    write_share,
                    ops_per_sec: rate,
                    model_compaction_per_write: per_write,
                    model_compaction_per_write_at_target: None,
                    compaction_bytes_per_second: rate * write_share * per_write,
                    limited_by,
                    failing_ops_per_sec: search.failing_rate,
                    failing_reasons,
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use lsmlab_reports::{CpuTimes, LatencySummary, MaxRateResult};
    use serde_json::json;

    use super::*;

    fn phase(kind: &str, ops: u64, seconds: f64, cpu: f64) -> PhaseResult {
        PhaseResult {
            name: kind.into(),
            kind: kind.into(),
            ops,
            seconds,
            cpu: CpuTimes {
                user_seconds: cpu * 0.75,
                system_seconds: cpu * 0.25,
            },
            ..Default::default()
        }
    }

    #[test]
    fn write_cpu_counts_the_compaction_catch_up_after_writes_only() {
        let phases = [
            phase("fill", 1000, 2.0, 3.0),
            phase("wait_for_compaction", 1, 0.5, 1.0), // after a write: counted
            phase("read_random", 500, 1.0, 1.8),
            phase("wait_for_compaction", 1, 0.5, 0.4), // after reads: not counted
            phase("overwrite", 1000, 4.0, 5.0),
        ];
        // (3 + 1 + 5) s over 2000 writes.
        assert_eq!(cpu_per_write(&phases), Some(9.0 / 2000.0));
        assert_eq!(per_op(&phases, &READ_KINDS), Some(1.8 / 500.0));
        // Phases of 1 s or more: 1.5, 1.8 and 1.25 cores; the wait phases are too short.
        assert_eq!(cores_used(&phases), Some(1.8));
        assert_eq!(cpu_per_write(&phases[2..3]), None);
    }

    #[test]
    fn engine_stats_give_compaction_throughput_and_the_non_compaction_share() {
        let stats = json!({
            "user_bytes": 1000, "wal_bytes": 1100, "flush_bytes": 600,
            "levels": [
                {"level": 0, "write_bytes": 600, "compaction_seconds": 9.0},
                {"level": 1, "write_bytes": 3000, "compaction_seconds": 1.5},
                {"level": 2, "write_bytes": 5000, "compaction_seconds": 2.5},
            ]
        });
        assert_eq!(wal_flush_per_user_byte(&stats), Some(1.7));
        // (3000 + 5000) B over (1.5 + 2.5) s; L0 (flushes) is left out.
        assert_eq!(compaction_bytes_per_second(&stats), Some(2000.0));
        assert_eq!(
            compaction_bytes_per_second(
                &json!({"levels": [{"level": 0, "write_bytes": 5, "compaction_seconds": 1.0}]})
            ),
            None
        );
        assert_eq!(wal_flush_per_user_byte(&json!({"user_bytes": 0})), None);
        assert_eq!(compaction_jobs(2, false), 1);
        assert_eq!(compaction_jobs(1, false), 1);
        assert_eq!(compaction_jobs(4, false), 3);
        assert_eq!(compaction_jobs(4, true), 1);
    }

    #[test]
    fn a_sustained_rate_carries_its_write_share_and_compaction_bytes() {
        let counts = |pairs: &[(&str, u64)]| -> BTreeMap<String, LatencySummary> {
            pairs
                .iter()
                .map(|(k, n)| {
                    (
                        k.to_string(),
                        LatencySummary {
                            count: *n,
                            ..Default::default()
                        },
                    )
                })
                .collect()
        };
        let mut mixed = phase("max_rate", 1000, 10.0, 1.0);
        mixed.latency = counts(&[("get", 700), ("put", 300), ("all", 1000)]);
        mixed.max_rate = Some(MaxRateResult {
            sustained_rate: Some(100.0),
            ..Default::default()
        });
        let mut none_held = phase("max_rate", 10, 10.0, 1.0);
        none_held.max_rate = Some(MaxRateResult::default());
        let r = sustained_rates(&[phase("fill", 1, 1.0, 1.0), mixed, none_held], |i| {
            (i == 1).then_some(290.0)
        });
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].0, 1);
        assert!((r[0].1.write_share - 0.3).abs() < 1e-12);
        // 100 ops/s x 0.3 x 290 B = 8,700 B/s.
        assert!((r[0].1.compaction_bytes_per_second - 8700.0).abs() < 1e-9);
        assert_eq!(r[0].1.limited_by, RateLimitedBy::Unknown);
    }

    #[test]
    fn the_lowest_failing_probe_says_what_stopped_the_search() {
        use lsmlab_reports::RateProbe;
        let probe = |rate: f64, reasons: &[&str]| RateProbe {
            rate,
            held: reasons.is_empty(),
            reasons: reasons.iter().map(|r| r.to_string()).collect(),
            ..Default::default()
        };
        let p99 = "p99 over the bound 100.0ms in 4 of 10 sub-windows (at most 25%; window p99 130ms)";
        let mut search = MaxRateResult {
            sustained_rate: Some(80_000.0),
            failing_rate: Some(90_000.0),
            probes: vec![
                // A higher rate that failed on compaction does not decide:
                // the search's bound is the lowest failing rate.
                probe(160_000.0, &["2 write stops", "L0 files grew from 3.0 to 9.0"]),
                probe(80_000.0, &[]),
                probe(90_000.0, &[p99, "achieved 88,000 of 90,000 ops/s"]),
                probe(90_000.0, &[p99]), // a repeat: its reason once
            ],
            ..Default::default()
        };
        let (by, reasons) = stopped_by(&search);
        assert_eq!(by, RateLimitedBy::Foreground);
        assert_eq!(
            reasons,
            vec![p99.to_string(), "achieved 88,000 of 90,000 ops/s".into()]
        );
        // One window at that rate with pending bytes growing: compaction.
        search.probes.push(probe(
            90_000.0,
            &["pending compaction bytes grew from 10.0 to 40.0 MiB"],
        ));
        assert_eq!(stopped_by(&search).0, RateLimitedBy::Compaction);
        // No failing rate: unknown.
        search.failing_rate = None;
        assert_eq!(stopped_by(&search), (RateLimitedBy::Unknown, Vec::new()));
    }
}
