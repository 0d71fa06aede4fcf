//! Matrix expansion: the cartesian product of the matrix values, in file
//! order (the last option varies fastest), minus excluded cells.
//!
//! Invariants: cell indices are positions in the full product (before
//! exclusion), so a cell keeps its index — and therefore its seeds and
//! result name — when exclusions change. `options` is `engine:` with the
//! cell's matrix values applied on top.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::suite::schema::Suite;

/// One matrix cell: a complete set of engine options to run the phases with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// Position in the full cartesian product (stable under exclusions).
    pub index: usize,
    /// The matrix values of this cell, in matrix order.
    pub overrides: Vec<(String, Value)>,
    /// Base engine options with the overrides applied.
    pub options: Map<String, Value>,
}

impl Cell {
    /// A short label like `num_levels=3,max_subcompactions=4` (`base` when
    /// there is no matrix); strings are shown without quotes.
    pub fn label(&self) -> String {
        if self.overrides.is_empty() {
            return "base".to_string();
        }
        render_pairs(self.overrides.iter().map(|(k, v)| (k, v)))
    }
}

/// An option value as written in a label: strings bare, everything else as
/// JSON (`zstd`, `3`, `true`).
pub fn render_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Options as a label: `key=value` pairs ([`render_value`]) joined by `,`,
/// the one spelling of cells in results, `--only` and the console.
pub fn render_pairs<'a>(pairs: impl Iterator<Item = (&'a String, &'a Value)>) -> String {
    pairs
        .map(|(k, v)| format!("{k}={}", render_value(v)))
        .collect::<Vec<_>>()
        .join(",")
}

/// Number of cells in the full product (saturating).
pub fn cell_count(matrix: &[(String, Vec<Value>)]) -> usize {
    matrix
        .iter()
        .fold(1usize, |acc, (_, v)| acc.saturating_mul(v.len()))
}

fn excluded(overrides: &[(String, Value)], exclude: &[Map<String, Value>]) -> bool {
    exclude.iter().any(|entry| {
        !entry.is_empty()
            && entry
                .iter()
                .all(|(k, v)| overrides.iter().any(|(ok, ov)| ok == k && ov == v))
    })
}

/// Every non-excluded cell of `matrix` over `engine`.
pub fn cells_of(
    engine: &Map<String, Value>,
    matrix: &[(String, Vec<Value>)],
    exclude: &[Map<String, Value>],
) -> Vec<Cell> {
    let total = cell_count(matrix);
    let mut cells = Vec::new();
    for index in 0..total {
        let mut rest = index;
        let mut overrides = Vec::with_capacity(matrix.len());
        for (name, values) in matrix.iter().rev() {
            overrides.push((name.clone(), values[rest % values.len()].clone()));
            rest /= values.len();
        }
        overrides.reverse();
        if excluded(&overrides, exclude) {
            continue;
        }
        let mut options = engine.clone();
        for (k, v) in &overrides {
            options.insert(k.clone(), v.clone());
        }
        cells.push(Cell {
            index,
            overrides,
            options,
        });
    }
    cells
}

impl Suite {
    /// The cells to run, in product order, exclusions removed.
    pub fn cells(&self) -> Vec<Cell> {
        cells_of(&self.engine, &self.matrix, &self.exclude)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_order_and_exclusion() {
        let mut engine = Map::new();
        engine.insert("compression".into(), Value::from("lz4"));
        let matrix = vec![
            ("num_levels".to_string(), vec![Value::from(3), Value::from(5)]),
            (
                "max_subcompactions".to_string(),
                vec![Value::from(1), Value::from(4)],
            ),
        ];
        let all = cells_of(&engine, &matrix, &[]);
        let labels: Vec<String> = all.iter().map(Cell::label).collect();
        assert_eq!(
            labels,
            [
                "num_levels=3,max_subcompactions=1",
                "num_levels=3,max_subcompactions=4",
                "num_levels=5,max_subcompactions=1",
                "num_levels=5,max_subcompactions=4"
            ]
        );
        assert_eq!(all[3].options["compression"], Value::from("lz4"));
        let mut ex = Map::new();
        ex.insert("num_levels".into(), Value::from(3));
        ex.insert("max_subcompactions".into(), Value::from(4));
        let kept = cells_of(&engine, &matrix, &[ex]);
        let idx: Vec<usize> = kept.iter().map(|c| c.index).collect();
        assert_eq!(idx, [0, 2, 3]);
        let none = cells_of(&engine, &[], &[]);
        assert_eq!(none.len(), 1);
        assert_eq!(none[0].label(), "base");
    }
}
