//! The CI regression gate on the runner side: the `compare`, `export` and
//! `merge` commands, and the `run` options `--shard`, `--set` and
//! `--deterministic`. The logic that needs no I/O lives in lsmlab-reports
//! (`compare`, `export`, `merge`); these modules parse arguments, read and
//! write files, and print.
//!
//! - [`compare`], [`export`], [`merge`]: one subcommand each.
//! - [`shard`]: `--shard K/N` parsing and the share of a plan it selects.
//! - [`set`]: `--set NAME=VALUE` applied to a suite and re-validated.
//! - [`deterministic`]: the checks and engine option of deterministic mode.
//! - [`slowdown`]: the hidden `--calibrate-slowdown` knob (sensitivity tests).
//!
//! Exit codes follow `main`: [`GateError::Usage`] is 2, [`GateError::Failed`]
//! is 1 (a regression, or a file that could not be written).

pub mod compare;
pub mod deterministic;
pub mod export;
pub mod merge;
pub mod set;
pub mod shard;
pub mod slowdown;

use std::path::{Path, PathBuf};

use lsmlab_reports::Results;

/// Why a gate command did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GateError {
    /// Bad arguments or unreadable/mismatched inputs: exit 2.
    #[error("{0}")]
    Usage(String),
    /// The gate failed (a regression) or output could not be written: exit 1.
    #[error("{0}")]
    Failed(String),
}

impl GateError {
    /// 2 for [`GateError::Usage`], 1 for [`GateError::Failed`].
    pub fn exit_code(&self) -> u8 {
        match self {
            GateError::Usage(_) => 2,
            GateError::Failed(_) => 1,
        }
    }
}

/// `DIR/results.json` for a directory, the path itself for a file.
pub fn results_file(arg: &Path) -> PathBuf {
    if arg.is_dir() {
        arg.join("results.json")
    } else {
        arg.to_path_buf()
    }
}

/// Loads the results named by `arg` (a results directory or a results.json);
/// `role` names the argument in messages ("baseline", "shard 2").
pub fn load(arg: &Path, role: &str) -> Result<Results, GateError> {
    let file = results_file(arg);
    if !file.exists() {
        return Err(GateError::Usage(if arg.is_dir() {
            format!("{role} {}: no results.json in this directory", arg.display())
        } else {
            format!("{role} {}: no such results directory or file", arg.display())
        }));
    }
    Results::load(&file).map_err(|e| GateError::Usage(format!("{role}: {e}")))
}
