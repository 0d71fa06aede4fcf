//! github-action-benchmark's custom JSON: an array of
//! `{"name", "unit", "value", "range"?, "extra"?}` objects, read by its
//! `customBiggerIsBetter` and `customSmallerIsBetter` tools (the tool, not
//! the file, says which direction is better, so each direction is its own
//! file). Format as documented in the project's README ("Every entry in the
//! JSON file you provide only needs to provide name, unit, and value. You
//! can also provide optional range ... and extra ..."); its parser coerces
//! `value` to a number and `range`/`extra` to strings.
//!
//! - `name`: `SUITE/CELL/PHASE/METRIC`, or `SUITE/CELL/METRIC` for cell
//!   metrics: stable across runs, so the action's history lines up.
//! - `value`: the median over repetitions.
//! - `range`: `± H` with H the largest distance of the spread's bounds
//!   from the median (the 95% CI with >= 6 repetitions, else min..max),
//!   in the metric's unit; absent for a single repetition.
//! - `extra`: repetitions and min/max, shown in the chart's tooltip.

use serde::Serialize;

use super::Entry;
use crate::compare::metric::Better;

/// One benchmark of github-action-benchmark's custom format.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchmarkEntry {
    /// Benchmark name (the chart's identity).
    pub name: String,
    /// Unit shown next to the value.
    pub unit: String,
    /// The value (median of repetitions).
    pub value: f64,
    /// Variance shown as `± x`; omitted for one repetition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    /// Tooltip text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra: Option<String>,
}

/// The github-action-benchmark tool name for a direction.
pub fn tool_name(better: Better) -> Option<&'static str> {
    match better {
        Better::Higher => Some("customBiggerIsBetter"),
        Better::Lower => Some("customSmallerIsBetter"),
        Better::Neither => None,
    }
}

/// Entries whose better direction is `better` (Higher or Lower), in order.
pub fn benchmarks(entries: &[Entry], better: Better) -> Vec<BenchmarkEntry> {
    entries
        .iter()
        .filter(|e| e.better == better)
        .map(|e| {
            let v = &e.values;
            let name = match &e.phase {
                Some(p) => format!("{}/{}/{}/{}", e.suite, e.cell, p, e.metric),
                None => format!("{}/{}/{}", e.suite, e.cell, e.metric),
            };
            let half = v.spread.map(|s| s * v.median.abs());
            BenchmarkEntry {
                name,
                unit: e.unit.as_str().to_string(),
                value: v.median,
                range: half.filter(|_| v.n > 1).map(|h| format!("± {}", trim(h))),
                extra: Some(format!(
                    "{} repetition{}; min {} max {}",
                    v.n,
                    if v.n == 1 { "" } else { "s" },
                    trim(v.min),
                    trim(v.max)
                )),
            }
        })
        .collect()
}

/// A number without needless digits (`1234.5`, `3`, `0.0123`).
fn trim(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}
