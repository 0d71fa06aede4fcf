//! The runner's one error type: every way `lsmlab` fails, and the exit code
//! each variant earns.
//!
//! Exit codes (DESIGN.md): 2 for a usage or suite error, reported as one
//! message before anything runs; 1 for a run that failed (a cell failed or
//! results could not be written). Failures of a single store call are
//! [`StoreError`](crate::store::StoreError)s: they fail their cell and are
//! recorded in its result, not here.

use std::path::PathBuf;
use std::process::ExitCode;

use lsmlab_reports::ResultsError;
use lsmlab_reports::hdr::HdrError;
use lsmlab_units::ParseError;
use lsmlab_workloads::SuiteError;

use crate::store::NotCompiled;

/// Why the command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    // Usage and suite errors (exit 2).
    /// A suite file that cannot be read, or is malformed.
    #[error(transparent)]
    Suite(#[from] SuiteError),
    /// `--only` with an empty term.
    #[error("--only {text:?}: empty term (use key=value or a substring, comma separated)")]
    EmptyOnlyTerm {
        /// The whole filter as given.
        text: String,
    },
    /// `--only` selects none of a suite's cells.
    #[error("{file}: --only {filter} matches none of the suite's {total} cells")]
    NoCellMatches {
        /// The suite file.
        file: String,
        /// The filter as given.
        filter: String,
        /// Cells the suite has.
        total: usize,
    },
    /// `exclude:` removes every cell.
    #[error("{file}: every matrix cell is excluded")]
    AllCellsExcluded {
        /// The suite file.
        file: String,
    },
    /// A cell's options are rejected by the option checker of its store.
    #[error("{file}: cell c{index:03} ({label}) on store {store}: {message}")]
    InvalidCell {
        /// The suite file.
        file: String,
        /// The cell's index in the full matrix product.
        index: usize,
        /// The cell's label (`num_levels=3,...`).
        label: String,
        /// The store the cell runs on.
        store: String,
        /// The checker's message, naming the option.
        message: String,
    },
    /// `--store` names a store the suite's `store` sweep leaves out.
    #[error(
        "{file}: --store {store}: the suite's matrix sweeps `store` and no selected cell runs on {store}"
    )]
    StoreNotSwept {
        /// The suite file.
        file: String,
        /// The store given.
        store: &'static str,
    },
    /// A planned cell runs on a peer store this build does not include.
    #[error("{file}: {source}")]
    NotCompiled {
        /// The suite file.
        file: String,
        /// The store and the cargo feature it needs.
        source: NotCompiled,
    },
    /// `lsmlab tune` on a suite it cannot search.
    #[error("{file}: {message}")]
    Tune {
        /// The suite file.
        file: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// `lsmlab tune` was stopped with Ctrl-C (finished trials are saved).
    #[error("interrupted: {trials} finished trials are in {results}")]
    Interrupted {
        /// Trials that finished.
        trials: usize,
        /// The results file holding them.
        results: String,
    },
    /// `lsmlab tune` found no candidate that meets every constraint: the
    /// model pruned them all, or none of the trials that ran was feasible
    /// (every trial and the pruned list are saved).
    #[error(
        "{file}: no candidate meets every constraint ({pruned} pruned by the cost model, {trials} trials ran, none feasible); results: {results}"
    )]
    NoFeasible {
        /// The suite file.
        file: String,
        /// Candidates the model pruned unrun.
        pruned: usize,
        /// Trials that ran.
        trials: usize,
        /// The results file.
        results: String,
    },
    /// A duration argument that does not parse.
    #[error(transparent)]
    Duration(#[from] ParseError),
    /// A duration argument that must be positive is zero.
    #[error("duration {text:?} must be positive")]
    ZeroDuration {
        /// The argument as given.
        text: String,
    },

    // Run failures (exit 1).
    /// The results directory cannot be created.
    #[error("cannot create output directory {}: {source}", dir.display())]
    CreateOutputDir {
        /// The directory.
        dir: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A cell's histogram directory cannot be created.
    #[error("{}: {source}", dir.display())]
    CreateHistogramDir {
        /// The directory.
        dir: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A histogram file cannot be written.
    #[error(transparent)]
    Histogram(#[from] HdrError),
    /// `results.json` cannot be written.
    #[error(transparent)]
    Results(#[from] ResultsError),
    /// `lsmlab report` could not render: a bad results.json or option
    /// (exit 2), or a rendering failure (exit 1).
    #[error(transparent)]
    Report(#[from] lsmlab_reports::report::ReportError),
    /// Some cells of a suite failed (each failure is in results.json).
    #[error("{suite}: {failed} of {total} cell(s) failed")]
    CellsFailed {
        /// The suite's name.
        suite: String,
        /// Cells that failed.
        failed: usize,
        /// Cells run.
        total: usize,
    },
    /// A gate command (compare, export, merge) or gate option (`--set`,
    /// deterministic mode) refused its input (exit 2) or failed (exit 1).
    #[error(transparent)]
    Gate(#[from] crate::gate::GateError),
    /// The device probe failed or was interrupted (exit code by cause).
    #[error(transparent)]
    Probe(#[from] crate::probe::error::ProbeError),
    /// `lsmlab plan` could not make a plan (exit code by cause).
    #[error(transparent)]
    Plan(#[from] crate::capacity::error::PlanError),
    /// Several suites failed; one message each, in run order.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Several(Vec<Error>),
}

impl Error {
    /// The process exit code for this error: 2 for usage and suite errors,
    /// 1 for run failures (the highest of several).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Suite(_)
            | Error::EmptyOnlyTerm { .. }
            | Error::NoCellMatches { .. }
            | Error::AllCellsExcluded { .. }
            | Error::InvalidCell { .. }
            | Error::StoreNotSwept { .. }
            | Error::NotCompiled { .. }
            | Error::Duration(_)
            | Error::ZeroDuration { .. }
            | Error::Tune { .. } => 2,
            Error::Interrupted { .. } => 130,
            Error::CreateOutputDir { .. }
            | Error::CreateHistogramDir { .. }
            | Error::Histogram(_)
            | Error::Results(_)
            | Error::NoFeasible { .. }
            | Error::CellsFailed { .. } => 1,
            Error::Gate(g) => g.exit_code(),
            Error::Probe(e) => e.exit_code(),
            Error::Plan(e) => e.exit_code(),
            Error::Report(e) => {
                if e.is_bad_input() {
                    2
                } else {
                    1
                }
            }
            Error::Several(all) => all.iter().map(Error::exit_code).max().unwrap_or(1),
        }
    }

    /// [`Error::exit_code`] as a process exit code.
    pub fn exit(&self) -> ExitCode {
        ExitCode::from(self.exit_code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suite_errors_exit_2_and_run_failures_exit_1() {
        let suite = Error::Suite(SuiteError::new("a.yaml", 3, 1, "bad"));
        assert_eq!(suite.exit_code(), 2);
        let failed = Error::CellsFailed {
            suite: "s".into(),
            failed: 1,
            total: 4,
        };
        assert_eq!(failed.exit_code(), 1);
        assert_eq!(failed.to_string(), "s: 1 of 4 cell(s) failed");
        let both = Error::Several(vec![
            failed,
            Error::CreateOutputDir {
                dir: "out".into(),
                source: std::io::Error::other("read-only"),
            },
        ]);
        assert_eq!(both.exit_code(), 1);
        assert_eq!(
            both.to_string(),
            "s: 1 of 4 cell(s) failed; cannot create output directory out: read-only"
        );
    }
}
