//! lsmlab-reports: the results model, tables, plots and comparison.
//!
//! `results.json` (the [`model::Results`] type, versioned by
//! [`model::SCHEMA_VERSION`]) is the source of truth of a run; everything
//! else is rendered from it. This crate never depends on the runner, so a
//! saved results directory can be re-read without it.
//!
//! - [`model`]: the serde results schema.
//! - [`hdr`]: HdrHistogram save/load in the standard interval-log and
//!   `.hgrm` percentile-distribution forms, and latency summaries.
//! - [`dbbench_line`]: the familiar one-line db_bench phase summary.
//! - [`prediction`]: the cost model's predictions beside the measurements.
//! - [`tune`]: the trials of `lsmlab tune`, ranking and the Pareto front.

pub mod dbbench_line;
pub mod hdr;
pub mod model;
pub mod prediction;
pub mod tune;

pub use dbbench_line::format_dbbench_line;
pub use hdr::{HdrError, LatencyHistogram};
pub use model::{
    Amplification, BuildInfo, CellResult, CellStatus, CpuTimes, HistogramFiles, Host, IntervalLatency,
    IoBytes, LatencySummary, PhaseResult, Results, ResultsError, SCHEMA_VERSION, SuiteInfo, TimelineSample,
};
