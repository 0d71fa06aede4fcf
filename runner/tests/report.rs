//! Scenario tests of `lsmlab report` and the report at the end of
//! `lsmlab run`: a re-render from a saved results directory, `--no-report`,
//! and exit code 2 with one message for bad results files.

use std::process::Output;

mod common;
use common::lsmlab;

const TINY: &str = "name: tiny
description: Does the report render at the end of a run?
seed: 3
data: {keys: 500, key_size: 16, value_size: 32}
matrix:
  compression: [lz4, none]
phases:
  - fill: {order: random}
  - read_random: {ops: 300}
";

#[test]
fn run_renders_the_report_and_report_re_renders_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tiny.yaml"), TINY).unwrap();
    let args = ["run", "tiny.yaml", "--store", "memory", "--interval", "50ms"];
    let out = lsmlab(&[&args[..], &["--out", "res"]].concat(), dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("report: res/report.html"), "{stdout}");
    // The cell table closes the run: one row per cell.
    assert!(stdout.contains("c000 compression=lz4"), "{stdout}");
    assert!(stdout.contains("c001 compression=none"), "{stdout}");
    for f in [
        "res/report.html",
        "res/summary.md",
        "res/plots/latency-01-read_random-get.svg",
    ] {
        assert!(dir.path().join(f).exists(), "{f}");
    }

    let out = lsmlab(&["report", "res", "--out", "again"], dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("report: again/report.html"), "{stdout}");
    let a = std::fs::read_to_string(dir.path().join("res/summary.md")).unwrap();
    let b = std::fs::read_to_string(dir.path().join("again/summary.md")).unwrap();
    assert_eq!(a, b, "a re-render from results.json gives the same summary");

    let out = lsmlab(
        &[&args[..], &["--out", "quiet", "--no-report"]].concat(),
        dir.path(),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("report:"));
    assert!(!dir.path().join("quiet/report.html").exists());
    assert!(dir.path().join("quiet/results.json").exists());
}

#[test]
fn bad_results_exit_2_with_one_message() {
    let dir = tempfile::tempdir().unwrap();
    let check = |what: &str, out: Output, expect: &str| {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{what}: one line: {stderr}");
        assert!(stderr.contains(expect), "{what}: {stderr}");
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    };
    check("missing", lsmlab(&["report", "nowhere"], dir.path()), "nowhere");
    std::fs::write(
        dir.path().join("results.json"),
        "{\"schema_version\": 1, \"suite\"",
    )
    .unwrap();
    check(
        "truncated",
        lsmlab(&["report", "."], dir.path()),
        "not a results file",
    );
    std::fs::write(dir.path().join("results.json"), "<html>").unwrap();
    check(
        "not json",
        lsmlab(&["report", "results.json"], dir.path()),
        "not a results file",
    );
    std::fs::write(dir.path().join("results.json"), "{\"schema_version\": 7}").unwrap();
    check(
        "newer",
        lsmlab(&["report", "."], dir.path()),
        "schema_version 7 is newer",
    );
}
