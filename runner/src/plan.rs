//! The validated plan: a suite expanded into matrix cells and repetitions.
//!
//! Invariants:
//! - Cells are the cartesian product of the matrix in file order: the first
//!   matrix option varies slowest, like nested loops written in that order.
//! - A cell is dropped when some `exclude:` entry matches it: every option
//!   named in the entry has exactly that value in the cell.
//! - A cell's index is its position in the full product (before exclusion
//!   and `--only`), so a cell keeps its identity (`c003`) however it is
//!   filtered.
//! - Each cell's option map is the suite's engine options overridden by the
//!   cell's matrix values, and has passed the store's `OptionChecker`.

use std::fmt;

use lsmlab_workloads::{OptionChecker, Suite};
use serde_json::{Map, Value};

/// One point of the matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Position in the full product (0-based).
    pub index: usize,
    /// The matrix values of this cell, in matrix (file) order.
    pub matrix: Vec<(String, Value)>,
    /// Engine options: suite `engine:` merged with `matrix`.
    pub options: Map<String, Value>,
}

impl Cell {
    /// `option=value` pairs of the matrix values, comma separated.
    pub fn label(&self) -> String {
        render_pairs(self.matrix.iter().map(|(k, v)| (k, v)))
    }

    /// The matrix values as a JSON object (for results).
    pub fn matrix_map(&self) -> Map<String, Value> {
        self.matrix.iter().cloned().collect()
    }

    /// Stable identifier of one repetition of this cell (`c003-r1`).
    pub fn id(&self, repetition: u32) -> String {
        format!("c{:03}-r{repetition}", self.index)
    }
}

/// A suite ready to run.
#[derive(Debug)]
pub struct Plan {
    /// The suite.
    pub suite: Suite,
    /// Cells to run, in order.
    pub cells: Vec<Cell>,
    /// Repetitions of each cell.
    pub repeat: u32,
}

/// A suite that cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError(pub String);

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PlanError {}

impl Plan {
    /// Expands `suite`, keeps the cells `only` selects, and checks every
    /// cell's options. `repeat` overrides the suite's `repeat:`.
    pub fn new(
        suite: Suite,
        only: Option<&OnlyFilter>,
        repeat: Option<u32>,
        checker: &dyn OptionChecker,
    ) -> Result<Plan, PlanError> {
        let all = expand(&suite);
        let total = all.len();
        let cells: Vec<Cell> = all
            .into_iter()
            .filter(|c| only.is_none_or(|f| f.matches(c)))
            .collect();
        if cells.is_empty() {
            return Err(PlanError(match only {
                Some(f) => format!(
                    "{}: --only {f} matches none of the suite's {total} cells",
                    suite.file
                ),
                None => format!("{}: every matrix cell is excluded", suite.file),
            }));
        }
        for cell in &cells {
            checker.check(&cell.options).map_err(|e| {
                PlanError(format!(
                    "{}: cell c{:03} ({}): {e}",
                    suite.file,
                    cell.index,
                    cell.label()
                ))
            })?;
        }
        let repeat = repeat.unwrap_or(suite.repeat).max(1);
        Ok(Plan { suite, cells, repeat })
    }

    /// The resolved suite as JSON, recorded in results.
    pub fn resolved(&self) -> Value {
        let s = &self.suite;
        let phases: Vec<Value> = s
            .phases
            .iter()
            .map(|p| {
                let c = &p.common;
                serde_json::json!({
                    "name": p.name,
                    "kind": format!("{:?}", p.kind),
                    "ops": c.ops,
                    "duration_seconds": c.duration.map(|d| d.as_secs_f64()),
                    "threads": c.threads,
                    "distribution": format!("{:?}", c.distribution),
                    "rate": c.rate,
                    "warmup_seconds": c.warmup.map(|d| d.as_secs_f64()),
                    "batch": c.batch,
                    "sync": c.sync,
                })
            })
            .collect();
        serde_json::json!({
            "name": s.name,
            "description": s.description,
            "file": s.file,
            "seed": s.seed,
            "repeat": self.repeat,
            "data": {
                "keys": s.data.keys,
                "key_size": s.data.key_size,
                "value_size": s.data.value_size,
                "compressibility": s.data.compressibility,
            },
            "engine": s.engine,
            "matrix": s.matrix.iter().map(|(k, v)| serde_json::json!({k: v})).collect::<Vec<_>>(),
            "exclude": s.exclude,
            "phases": phases,
            "cells": self.cells.iter().map(|c| serde_json::json!({"index": c.index, "matrix": c.matrix_map()})).collect::<Vec<_>>(),
        })
    }

    /// (cell, repetition) pairs in run order: each cell's repetitions
    /// together.
    pub fn runs(&self) -> impl Iterator<Item = (&Cell, u32)> {
        self.cells
            .iter()
            .flat_map(move |c| (1..=self.repeat).map(move |r| (c, r)))
    }
}

/// Every cell of the suite's matrix minus its exclusions.
pub fn expand(suite: &Suite) -> Vec<Cell> {
    let mut combos: Vec<Vec<(String, Value)>> = vec![Vec::new()];
    for (name, values) in &suite.matrix {
        let mut next = Vec::with_capacity(combos.len() * values.len());
        for combo in &combos {
            for v in values {
                let mut c = combo.clone();
                c.push((name.clone(), v.clone()));
                next.push(c);
            }
        }
        combos = next;
    }
    combos
        .into_iter()
        .enumerate()
        .filter(|(_, m)| !suite.exclude.iter().any(|ex| excluded_by(m, ex)))
        .map(|(index, matrix)| {
            let mut options = suite.engine.clone();
            for (k, v) in &matrix {
                options.insert(k.clone(), v.clone());
            }
            Cell {
                index,
                matrix,
                options,
            }
        })
        .collect()
}

fn excluded_by(cell: &[(String, Value)], exclude: &Map<String, Value>) -> bool {
    !exclude.is_empty()
        && exclude
            .iter()
            .all(|(k, v)| cell.iter().any(|(ck, cv)| ck == k && same_value(cv, v)))
}

/// Equal values, treating numbers by value (1 == 1.0) and strings by text.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// A value as written in a label: strings bare, everything else as JSON.
pub fn render_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn render_pairs<'a>(pairs: impl Iterator<Item = (&'a String, &'a Value)>) -> String {
    pairs
        .map(|(k, v)| format!("{k}={}", render_value(v)))
        .collect::<Vec<_>>()
        .join(",")
}

/// `--only`: comma-separated terms, all of which a cell must match. A
/// `key=value` term matches when the cell's option `key` renders as
/// `value`; any other term matches when it is a substring of the cell's
/// `key=value,...` option list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlyFilter {
    text: String,
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Eq(String, String),
    Substring(String),
}

impl OnlyFilter {
    /// Parses a filter; fails on an empty term.
    pub fn parse(text: &str) -> Result<OnlyFilter, String> {
        let mut terms = Vec::new();
        for raw in text.split(',') {
            let t = raw.trim();
            if t.is_empty() {
                return Err(format!(
                    "--only {text:?}: empty term (use key=value or a substring, comma separated)"
                ));
            }
            terms.push(match t.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() => Term::Eq(k.trim().to_string(), v.trim().to_string()),
                _ => Term::Substring(t.to_string()),
            });
        }
        Ok(OnlyFilter {
            text: text.to_string(),
            terms,
        })
    }

    /// Whether `cell` is selected.
    pub fn matches(&self, cell: &Cell) -> bool {
        let all = render_pairs(cell.options.iter());
        self.terms.iter().all(|t| match t {
            Term::Eq(k, v) => cell.options.get(k).is_some_and(|cv| render_value(cv) == *v),
            Term::Substring(s) => all.contains(s.as_str()),
        })
    }
}

impl fmt::Display for OnlyFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::tiny_suite;
    use serde_json::json;

    struct AcceptAll;
    impl OptionChecker for AcceptAll {
        fn known_options(&self) -> Vec<String> {
            Vec::new()
        }
        fn check(&self, options: &Map<String, Value>) -> Result<(), String> {
            match options.get("num_levels") {
                Some(v) if v == &json!(99) => Err("num_levels: 99 is too many".into()),
                _ => Ok(()),
            }
        }
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn suite_with_matrix() -> Suite {
        let mut s = tiny_suite();
        s.engine = obj(json!({"write_buffer_size": "8MiB", "num_levels": 7}));
        s.matrix = vec![
            ("num_levels".into(), vec![json!(3), json!(5), json!(7)]),
            ("compression".into(), vec![json!("lz4"), json!("zstd")]),
        ];
        s
    }

    #[test]
    fn product_in_file_order_with_merged_options() {
        let cells = expand(&suite_with_matrix());
        assert_eq!(cells.len(), 6);
        let labels: Vec<String> = cells.iter().map(Cell::label).collect();
        assert_eq!(
            labels,
            [
                "num_levels=3,compression=lz4",
                "num_levels=3,compression=zstd",
                "num_levels=5,compression=lz4",
                "num_levels=5,compression=zstd",
                "num_levels=7,compression=lz4",
                "num_levels=7,compression=zstd",
            ]
        );
        assert_eq!(
            cells[2].options["num_levels"],
            json!(5),
            "matrix overrides engine"
        );
        assert_eq!(cells[2].options["write_buffer_size"], json!("8MiB"));
        assert_eq!(cells[5].id(2), "c005-r2");
    }

    #[test]
    fn no_matrix_is_one_cell() {
        let cells = expand(&tiny_suite());
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0].label(), "");
    }

    #[test]
    fn exclude_drops_matching_cells_and_keeps_indices() {
        let mut s = suite_with_matrix();
        s.exclude = vec![
            obj(json!({"num_levels": 3, "compression": "zstd"})),
            obj(json!({"num_levels": 7.0})),
        ];
        let cells = expand(&s);
        let idx: Vec<usize> = cells.iter().map(|c| c.index).collect();
        assert_eq!(idx, vec![0, 2, 3]);
    }

    #[test]
    fn only_filters_by_key_value_and_substring() {
        let s = suite_with_matrix();
        let f = OnlyFilter::parse("num_levels=5").unwrap();
        let p = Plan::new(s.clone(), Some(&f), None, &AcceptAll).unwrap();
        assert_eq!(p.cells.iter().map(|c| c.index).collect::<Vec<_>>(), vec![2, 3]);

        let f = OnlyFilter::parse("num_levels=5, compression=zstd").unwrap();
        let p = Plan::new(s.clone(), Some(&f), None, &AcceptAll).unwrap();
        assert_eq!(p.cells.len(), 1);
        assert_eq!(p.cells[0].index, 3);

        let f = OnlyFilter::parse("zstd").unwrap();
        assert_eq!(
            Plan::new(s.clone(), Some(&f), None, &AcceptAll)
                .unwrap()
                .cells
                .len(),
            3
        );
        // Engine options (not only the matrix) can be matched.
        let f = OnlyFilter::parse("write_buffer_size=8MiB").unwrap();
        assert_eq!(
            Plan::new(s.clone(), Some(&f), None, &AcceptAll)
                .unwrap()
                .cells
                .len(),
            6
        );

        let f = OnlyFilter::parse("num_levels=4").unwrap();
        let e = Plan::new(s, Some(&f), None, &AcceptAll).unwrap_err();
        assert!(e.0.contains("matches none"), "{e}");
        assert!(OnlyFilter::parse("a=1,,b").is_err());
    }

    #[test]
    fn repetitions_and_checker() {
        let mut s = suite_with_matrix();
        s.repeat = 2;
        let p = Plan::new(s.clone(), None, None, &AcceptAll).unwrap();
        assert_eq!(p.runs().count(), 12);
        let runs: Vec<(usize, u32)> = p.runs().take(3).map(|(c, r)| (c.index, r)).collect();
        assert_eq!(runs, vec![(0, 1), (0, 2), (1, 1)]);
        let p = Plan::new(s.clone(), None, Some(3), &AcceptAll).unwrap();
        assert_eq!(p.runs().count(), 18);

        s.matrix[0].1.push(json!(99));
        let e = Plan::new(s, None, None, &AcceptAll).unwrap_err();
        assert!(e.0.contains("c006") && e.0.contains("num_levels=99"), "{e}");
    }
}
