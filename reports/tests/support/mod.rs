//! Doctored results for the compare/export/merge tests: cells whose
//! repetitions carry chosen throughputs, latencies and counters, so every
//! verdict is known by hand.

#![allow(dead_code)]

use std::collections::BTreeMap;

use lsmlab_reports::{
    Amplification, CellResult, CellStatus, CpuTimes, Host, IoBytes, LatencySummary, PhaseResult, Results,
    RunSettings, SCHEMA_VERSION, SuiteInfo,
};
use serde_json::{Map, Value, json};

/// One repetition's measured values.
#[derive(Debug, Clone, Copy)]
pub struct Rep {
    /// ops/s of the `fill` phase.
    pub ops_per_sec: f64,
    /// p99 of the fill phase, ns.
    pub p99_ns: u64,
    /// End-of-cell write amplification.
    pub write_amp: f64,
}

/// A repetition with throughput `ops`, p99 1000 ns, write-amp 3.0.
pub fn rep(ops: f64) -> Rep {
    Rep {
        ops_per_sec: ops,
        p99_ns: 1000,
        write_amp: 3.0,
    }
}

/// Repetitions with these throughputs.
pub fn reps(ops: &[f64]) -> Vec<Rep> {
    ops.iter().map(|&o| rep(o)).collect()
}

fn phase(index: usize, name: &str, r: &Rep) -> PhaseResult {
    let mut latency = BTreeMap::new();
    latency.insert(
        "all".to_string(),
        LatencySummary {
            count: 1000,
            p50_ns: r.p99_ns / 4,
            p90_ns: r.p99_ns / 2,
            p99_ns: r.p99_ns,
            p999_ns: r.p99_ns * 2,
            p9999_ns: r.p99_ns * 3,
            max_ns: r.p99_ns * 4,
            ..Default::default()
        },
    );
    PhaseResult {
        index,
        name: name.to_string(),
        kind: name.split('#').next().unwrap_or(name).to_string(),
        threads: 1,
        target_rate: None,
        ops: 1000,
        seconds: 1000.0 / r.ops_per_sec,
        ops_per_sec: r.ops_per_sec,
        bytes: 116_000,
        mb_per_sec: 116_000.0 * r.ops_per_sec / 1000.0 / 1048576.0,
        warmup_ops: 0,
        warmup_seconds: 0.0,
        latency,
        histograms: BTreeMap::new(),
        timeline: Vec::new(),
        io: IoBytes::default(),
        cpu: CpuTimes::default(),
        peak_rss_bytes: 0,
        db_size_bytes: 1 << 20,
        engine_stats_delta: None,
        write_amp: None,
        ..Default::default()
    }
}

/// A cell repetition of matrix `matrix` (e.g. `{"num_levels": 3}`).
pub fn cell(index: usize, repetition: u32, matrix: &Value, r: &Rep, phases: &[&str]) -> CellResult {
    let matrix: Map<String, Value> = matrix.as_object().cloned().unwrap_or_default();
    let label = lsmlab_reports::compare::group::matrix_label(&matrix);
    let mut options = matrix.clone();
    options.insert("write_buffer_size".into(), json!("1MiB"));
    CellResult {
        id: format!("c{index:03}-r{repetition}"),
        store: "lsmlab".into(),
        index,
        repetition,
        label,
        matrix,
        options,
        status: CellStatus::Ok,
        error: None,
        started_at: "2024-01-01T00:00:00Z".into(),
        seconds: 1.0,
        phases: phases.iter().enumerate().map(|(i, n)| phase(i, n, r)).collect(),
        final_stats: Some(json!({
            "flushes": 4, "flush_bytes": 4_000_000, "compaction_bytes_written": 8_000_000,
            "total": {"compaction_count": 3},
            "levels": [{"level": 0, "files": 2, "bytes": 1000, "write_bytes": 4_000_000},
                       {"level": 1, "files": 5, "bytes": 9000, "write_bytes": 8_000_000}],
            "stalls": [],
        })),
        amplification: Amplification {
            total_write_amp: Some(r.write_amp),
            user_write_amp: Some(r.write_amp + 1.0),
            space_amp: Some(1.1),
            read_amp: Some(3.0),
            db_size_bytes: 12_000_000,
            live_bytes_estimate: 11_000_000,
            ..Default::default()
        },
    }
}

/// Results of suite `suite` with one cell (no matrix) and phase `fill`,
/// one repetition per entry of `reps`.
pub fn results(suite: &str, reps: &[Rep]) -> Results {
    matrix_results(suite, &[(json!({}), reps.to_vec())], &["fill"])
}

/// Results with several cells: (matrix values, repetitions) each.
pub fn matrix_results(suite: &str, cells: &[(Value, Vec<Rep>)], phases: &[&str]) -> Results {
    let mut out = Vec::new();
    for (index, (matrix, reps)) in cells.iter().enumerate() {
        for (i, r) in reps.iter().enumerate() {
            out.push(cell(index, i as u32 + 1, matrix, r, phases));
        }
    }
    let repeat = cells.iter().map(|(_, r)| r.len()).max().unwrap_or(1) as u32;
    Results {
        schema_version: SCHEMA_VERSION,
        suite: SuiteInfo {
            name: suite.into(),
            description: "doctored".into(),
            file: format!("{suite}.yaml"),
            seed: 1,
            repeat,
            resolved: json!({
                "name": suite, "seed": 1, "data": {"keys": 1000}, "repeat": repeat,
                "cells": cells.iter().enumerate()
                    .map(|(i, (m, _))| json!({"index": i, "matrix": m})).collect::<Vec<_>>(),
            }),
        },
        lsmlab_version: "0.1.0".into(),
        git_revision: "abc".into(),
        build: Default::default(),
        store: "lsmlab".into(),
        interval_seconds: 1.0,
        started_at: "2024-01-01T00:00:00Z".into(),
        finished_at: Some("2024-01-01T00:01:00Z".into()),
        host: Host {
            hostname: "ci-1".into(),
            cpu_model: "test cpu".into(),
            ..Default::default()
        },
        settings: RunSettings::default(),
        harness: Default::default(),
        predictions: Vec::new(),
        tune: None,
        cells: out,
    }
}
