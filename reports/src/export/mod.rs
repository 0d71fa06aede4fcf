//! Exports of a results file for other tools: the JSON that
//! github-action-benchmark reads ([`github`]) and CSV for spreadsheets
//! ([`csv`]).
//!
//! Both are built from the same [`Entry`] list: one entry per cell, phase
//! (or the cell itself, for cell metrics) and metric, its repetitions
//! summarised (median, min, max, spread), with the metric names, units and
//! directions of [`crate::compare::metric`]. Failed repetitions are left
//! out; a cell with none left has no entries. Pure: callers write the text.

pub mod csv;
pub mod github;

use crate::compare::Values;
use crate::compare::group::groups;
use crate::compare::metric::{self, Better, Unit};
use crate::model::Results;

/// One exported value: a metric of one cell (and phase) over its repetitions.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Suite name.
    pub suite: String,
    /// Cell label (`num_levels=3,compression=lz4`, or `base`).
    pub cell: String,
    /// Phase name; `None` for cell metrics.
    pub phase: Option<String>,
    /// Metric name.
    pub metric: String,
    /// Unit of the values.
    pub unit: Unit,
    /// Which direction is better.
    pub better: Better,
    /// The repetitions, summarised.
    pub values: Values,
}

/// Every entry of `results` for the metric names `metrics` (defaults when
/// empty), in plan order: per cell, its phases' metrics then its cell metrics.
pub fn entries(results: &Results, metrics: &[String]) -> Result<Vec<Entry>, String> {
    let metrics = metric::resolve(metrics, results.cells.iter())?;
    let mut out = Vec::new();
    for g in groups(results) {
        for phase in g.scopes() {
            for m in metrics.iter().filter(|m| m.measured_in(phase)) {
                let values = g.values(phase, m);
                if let Some(values) = Values::of(values) {
                    out.push(Entry {
                        suite: results.suite.name.clone(),
                        cell: g.label.clone(),
                        phase: phase.map(str::to_string),
                        metric: m.name.clone(),
                        unit: m.unit,
                        better: m.better,
                        values,
                    });
                }
            }
        }
    }
    Ok(out)
}
