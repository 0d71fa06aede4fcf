//! Joining the results of shards (`lsmlab run --shard K/N` on several
//! machines) into one results file. Pure: the runner loads the parts,
//! copies histogram files and saves what [`merge`] returns.
//!
//! Checks, each a [`MergeError`] naming the files involved:
//! - same schema version, suite (name and resolved definition, the file
//!   path aside), lsmlab version, git revision (when both are known),
//!   store, sampling interval, deterministic mode and `--set` overrides;
//! - shards (when recorded) all of the same N, no shard number twice;
//! - no (cell, repetition) in two parts; every (cell, repetition) that the
//!   suite's plan lists (`suite.resolved.cells` x `suite.repeat`) present.
//!
//! Warnings (merged anyway): parts ran on different hosts (their timings do
//! not compare), or a part never recorded its end (`finished_at`).
//!
//! The merged file has the cells in plan order (cell index, then
//! repetition), the earliest start, the latest end, the first part's host,
//! and no shard.

use serde_json::Value;

use crate::compare::group::matrix_label;
use crate::model::{CellResult, Results};

/// Why parts cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MergeError(pub String);

/// A merged results file and what the user should know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// The joined results.
    pub results: Results,
    /// Warnings (different hosts, unfinished parts).
    pub warnings: Vec<String>,
    /// For each merged cell (same order as `results.cells`), the index of
    /// the part it came from (to copy its histogram files).
    pub sources: Vec<usize>,
}

/// The suite definition without the path it was loaded from.
fn definition(r: &Results) -> Value {
    let mut v = r.suite.resolved.clone();
    if let Value::Object(m) = &mut v {
        m.remove("file");
    }
    v
}

/// Merges `parts` (path for messages, results), in any order.
pub fn merge(parts: &[(String, Results)]) -> Result<Merged, MergeError> {
    let Some((first_path, first)) = parts.first() else {
        return Err(MergeError(
            "nothing to merge: give at least one results directory".into(),
        ));
    };
    let mut warnings = Vec::new();
    for (path, r) in &parts[1..] {
        let differ = |what: &str, a: &dyn std::fmt::Display, b: &dyn std::fmt::Display| {
            Err(MergeError(format!(
                "{first_path} and {path} differ in {what} ({a} vs {b}); merge only shards of one run"
            )))
        };
        if r.schema_version != first.schema_version {
            return differ("schema_version", &first.schema_version, &r.schema_version);
        }
        if r.suite.name != first.suite.name {
            return differ("suite", &first.suite.name, &r.suite.name);
        }
        if definition(r) != definition(first) {
            return Err(MergeError(format!(
                "{first_path} and {path} ran different definitions of suite {} (data, engine options, matrix, phases, repeat or cells differ); merge only shards of one run",
                r.suite.name
            )));
        }
        if r.lsmlab_version != first.lsmlab_version {
            return differ("lsmlab version", &first.lsmlab_version, &r.lsmlab_version);
        }
        let known = |rev: &str| rev != "unknown" && !rev.is_empty();
        if known(&r.git_revision) && known(&first.git_revision) && r.git_revision != first.git_revision {
            return differ("git revision", &first.git_revision, &r.git_revision);
        }
        if r.store != first.store {
            return differ("store", &first.store, &r.store);
        }
        if r.interval_seconds != first.interval_seconds {
            return differ("--interval", &first.interval_seconds, &r.interval_seconds);
        }
        if r.settings.deterministic != first.settings.deterministic {
            return differ(
                "deterministic mode",
                &first.settings.deterministic,
                &r.settings.deterministic,
            );
        }
        if r.settings.set != first.settings.set {
            return differ(
                "--set overrides",
                &first.settings.set.join(" "),
                &r.settings.set.join(" "),
            );
        }
        if r.settings.calibration_slowdown != first.settings.calibration_slowdown {
            return differ(
                "--calibrate-slowdown",
                &format!("{:?}", first.settings.calibration_slowdown),
                &format!("{:?}", r.settings.calibration_slowdown),
            );
        }
        if r.host.hostname != first.host.hostname || r.host.cpu_model != first.host.cpu_model {
            warnings.push(format!(
                "{path} ran on {} ({}), {first_path} on {} ({}): timings of different hosts do not compare",
                r.host.hostname, r.host.cpu_model, first.host.hostname, first.host.cpu_model
            ));
        }
    }
    check_shards(parts)?;
    for (path, r) in parts {
        if r.finished_at.is_none() {
            warnings.push(format!(
                "{path} has no finished_at: that run may have been interrupted"
            ));
        }
    }

    // Every (cell, repetition) once.
    let mut cells: Vec<(usize, &CellResult)> = Vec::new();
    for (i, (path, r)) in parts.iter().enumerate() {
        for c in &r.cells {
            if let Some((j, _)) = cells
                .iter()
                .find(|(_, o)| o.index == c.index && o.repetition == c.repetition)
            {
                return Err(MergeError(format!(
                    "cell {} ({}) is in both {} and {path}; each shard must be given once",
                    c.id, c.label, parts[*j].0
                )));
            }
            cells.push((i, c));
        }
    }
    let missing = missing_cells(first, &cells);
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(8).map(String::as_str).collect();
        return Err(MergeError(format!(
            "{} of the suite's cell repetitions are in none of the parts: {}{}; is a shard missing or unfinished?",
            missing.len(),
            shown.join(", "),
            if missing.len() > shown.len() { ", ..." } else { "" }
        )));
    }
    cells.sort_by_key(|(_, c)| (c.index, c.repetition));

    let mut results = first.clone();
    results.started_at = parts
        .iter()
        .map(|(_, r)| r.started_at.clone())
        .min()
        .unwrap_or_default();
    results.finished_at = parts
        .iter()
        .map(|(_, r)| r.finished_at.clone())
        .collect::<Option<Vec<_>>>()
        .and_then(|v| v.into_iter().max());
    results.settings.shard = None;
    results.cells = cells.iter().map(|(_, c)| (*c).clone()).collect();
    Ok(Merged {
        results,
        warnings,
        sources: cells.iter().map(|(i, _)| *i).collect(),
    })
}

/// Shards of one N, each number once.
fn check_shards(parts: &[(String, Results)]) -> Result<(), MergeError> {
    let mut seen: Vec<(u32, &str)> = Vec::new();
    let mut count: Option<(u32, &str)> = None;
    for (path, r) in parts {
        let Some(s) = r.settings.shard else { continue };
        match count {
            Some((n, other)) if n != s.count => {
                return Err(MergeError(format!(
                    "{other} is a shard of {n} but {path} is shard {}/{}; merge shards of one split",
                    s.index, s.count
                )));
            }
            _ => count = Some((s.count, path)),
        }
        if let Some((_, other)) = seen.iter().find(|(k, _)| *k == s.index) {
            return Err(MergeError(format!(
                "shard {}/{} is given twice ({other} and {path})",
                s.index, s.count
            )));
        }
        seen.push((s.index, path));
    }
    Ok(())
}

/// (cell, repetition) pairs the plan lists but no part holds, for messages.
fn missing_cells(first: &Results, have: &[(usize, &CellResult)]) -> Vec<String> {
    let planned = first.suite.resolved.get("cells").and_then(Value::as_array);
    let Some(planned) = planned else {
        return Vec::new();
    };
    let mut missing = Vec::new();
    for cell in planned {
        let Some(index) = cell.get("index").and_then(Value::as_u64) else {
            continue;
        };
        let label = cell
            .get("matrix")
            .and_then(Value::as_object)
            .map_or_else(|| "base".to_string(), matrix_label);
        for rep in 1..=first.suite.repeat.max(1) {
            if !have
                .iter()
                .any(|(_, c)| c.index as u64 == index && c.repetition == rep)
            {
                missing.push(format!("cell {index} ({label}) repetition {rep}"));
            }
        }
    }
    missing
}
