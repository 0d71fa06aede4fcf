//! Repetitions grouped into cells, and cells matched across two results.
//!
//! A cell is identified by its matrix values (`CellResult::matrix`), not by
//! its full option map: a candidate run with `--set bloom_bits_per_key=0`
//! must still match the baseline's cells, since that option difference is
//! what is being compared. Phases are matched by name (`fill`,
//! `overwrite#2`).
//!
//! Invariants: groups keep the results' plan order (first repetition seen);
//! failed repetitions are kept apart from the ones that finished.

use serde_json::Value;

use super::metric::Metric;
use crate::model::{CellResult, CellStatus, Results};

/// One matrix cell with all its repetitions.
#[derive(Debug)]
pub struct Group<'a> {
    /// Canonical identity: the matrix values as JSON.
    pub key: String,
    /// Label shown to people (`num_levels=3,compression=lz4`, or `base`).
    pub label: String,
    /// Repetitions that finished.
    pub ok: Vec<&'a CellResult>,
    /// Repetitions that failed.
    pub failed: Vec<&'a CellResult>,
}

impl Group<'_> {
    /// Phase names of the first finished repetition, in suite order.
    pub fn phases(&self) -> Vec<&str> {
        self.ok
            .first()
            .map(|c| c.phases.iter().map(|p| p.name.as_str()).collect())
            .unwrap_or_default()
    }

    /// What metrics are measured per: each phase (`Some(name)`), then the
    /// cell itself (`None`).
    pub fn scopes(&self) -> Vec<Option<&str>> {
        self.phases().into_iter().map(Some).chain([None]).collect()
    }

    /// The values of `metric` over the finished repetitions, in scope
    /// `phase` (`None` for cell metrics); repetitions without it are skipped.
    pub fn values(&self, phase: Option<&str>, metric: &Metric) -> Vec<f64> {
        self.ok
            .iter()
            .filter_map(|cell| {
                let p = phase.and_then(|name| cell.phases.iter().find(|p| p.name == name));
                metric.value(cell, p)
            })
            .collect()
    }
}

/// The matrix identity of a cell.
pub fn cell_key(cell: &CellResult) -> String {
    Value::Object(cell.matrix.clone()).to_string()
}

/// A cell's label for people.
pub fn cell_label(cell: &CellResult) -> String {
    if cell.label.is_empty() {
        matrix_label(&cell.matrix)
    } else {
        cell.label.clone()
    }
}

/// `name=value,...` of matrix values (strings bare), or `base` without any.
pub fn matrix_label(matrix: &serde_json::Map<String, Value>) -> String {
    if matrix.is_empty() {
        return "base".to_string();
    }
    matrix
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}={s}"),
            v => format!("{k}={v}"),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The cells of `results`, repetitions grouped, in plan order.
pub fn groups(results: &Results) -> Vec<Group<'_>> {
    let mut out: Vec<Group<'_>> = Vec::new();
    for cell in &results.cells {
        let key = cell_key(cell);
        let i = match out.iter().position(|g| g.key == key) {
            Some(i) => i,
            None => {
                out.push(Group {
                    key,
                    label: cell_label(cell),
                    ok: Vec::new(),
                    failed: Vec::new(),
                });
                out.len() - 1
            }
        };
        match cell.status {
            CellStatus::Ok => out[i].ok.push(cell),
            CellStatus::Failed => out[i].failed.push(cell),
        }
    }
    out
}

/// `name: a -> b` for every option whose value differs between two option maps.
pub fn option_changes(
    base: &serde_json::Map<String, Value>,
    cand: &serde_json::Map<String, Value>,
) -> Vec<String> {
    let shown = |v: Option<&Value>| match v {
        None => "(default)".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    };
    let mut names: Vec<&String> = base.keys().chain(cand.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|n| base.get(*n) != cand.get(*n))
        .map(|n| format!("{n}: {} -> {}", shown(base.get(n)), shown(cand.get(n))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn option_changes_lists_differences_and_defaults() {
        let a = json!({"bloom_bits_per_key": 10, "compression": "lz4"});
        let b = json!({"bloom_bits_per_key": 0, "compression": "lz4", "num_levels": 5});
        let changes = option_changes(a.as_object().unwrap(), b.as_object().unwrap());
        assert_eq!(
            changes,
            ["bloom_bits_per_key: 10 -> 0", "num_levels: (default) -> 5"]
        );
    }
}
