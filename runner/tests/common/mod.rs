//! Helpers shared by the scenario tests of the `lsmlab` binary.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `lsmlab ARGS` in `cwd` and returns what it did.
pub fn lsmlab(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lsmlab"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run lsmlab")
}
