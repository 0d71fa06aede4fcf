//! Shared by the runner's scenario tests: running the `lsmlab` binary in a
//! directory and reading what it wrote.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// The `lsmlab` binary under test, for a test that spawns it itself
/// (to signal it, or to pipe its output).
pub fn command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lsmlab"))
}

/// Runs `lsmlab ARGS` in `cwd`.
pub fn lsmlab(args: &[&str], cwd: &Path) -> Output {
    command()
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run lsmlab")
}

/// stdout and stderr, for assertion messages.
pub fn both(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `lsmlab ARGS` and asserts exit code `code`; returns the output.
pub fn expect(code: i32, args: &[&str], cwd: &Path) -> Output {
    let out = lsmlab(args, cwd);
    assert_eq!(
        out.status.code(),
        Some(code),
        "lsmlab {}\n{}",
        args.join(" "),
        both(&out)
    );
    out
}

/// stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The results.json of a results directory.
pub fn results(dir: &Path) -> lsmlab_reports::Results {
    lsmlab_reports::Results::load(&dir.join("results.json")).expect("results.json")
}
