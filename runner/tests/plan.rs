//! Scenario tests of `lsmlab plan`: a tiny calibration run (with `--probe`)
//! planned for a larger data set end to end (table, capacity.json,
//! capacity.html), and every bad input with exit 2 and one message naming
//! the problem: an unparsable dataset size, a results directory without the
//! figures the plan needs, no device probe, and a `max_rate` phase with an
//! impossible bound.

mod common;

use std::path::Path;
use std::process::Output;

use common::lsmlab;
use lsmlab_reports::capacity::CapacityPlan;

/// `lsmlab plan RESULTS --dataset 1GiB` with the probe of the `cal` run.
fn plan_with_cal_probe(results: &str, d: &Path) -> Output {
    lsmlab(
        &[
            "plan",
            results,
            "--dataset",
            "1GiB",
            "--device-probe",
            "cal/results.json",
        ],
        d,
    )
}

const CALIBRATION: &str = "name: cal
seed: 4
data: {keys: 5000, key_size: 16, value_size: 100}
engine: {write_buffer_size: 64KiB, target_file_size_base: 64KiB, max_bytes_for_level_base: 256KiB}
phases:
  - fill: {order: random}
  - overwrite: {ops: 5000}
  - read_random: {ops: 2000, threads: 2}
";

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit 2 and a single `error:` line containing `needle`.
fn bad(o: &Output, needle: &str) {
    let e = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert_eq!(e.lines().filter(|l| l.starts_with("error")).count(), 1, "{e}");
    assert!(e.contains(needle), "{needle:?} not in {e}");
}

#[test]
fn a_calibrated_plan_end_to_end_and_every_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("cal.yaml"), CALIBRATION).unwrap();
    let run = lsmlab(
        &[
            "run",
            "cal.yaml",
            "--probe",
            "--probe-duration",
            "1s",
            "--out",
            "cal",
            "--no-report",
        ],
        d,
    );
    assert!(run.status.success(), "{}", stderr(&run));

    let plan = lsmlab(
        &["plan", "cal", "--dataset", "1GiB", "--mix", "read=0.7,write=0.3"],
        d,
    );
    let text = String::from_utf8_lossy(&plan.stdout);
    assert!(plan.status.success(), "{}{text}", stderr(&plan));
    for needle in [
        "Levels at the target size",
        "device write bandwidth",
        "bounded by",
        "Assumptions",
    ] {
        assert!(text.contains(needle), "{needle} missing from\n{text}");
    }
    let p: CapacityPlan =
        serde_json::from_str(&std::fs::read_to_string(d.join("cal/capacity.json")).unwrap()).unwrap();
    assert_eq!(p.dataset_bytes, (1u64 << 30) as f64);
    assert_eq!(p.keys, (1u64 << 30) as f64 / 116.0);
    assert_eq!((p.read_share, p.write_share), (0.7, 0.3));
    assert_eq!(p.calibration.len(), 1);
    assert_eq!(p.calibration[0].keys, 5000);
    assert!(p.write_amp > 1.0 && p.disk_bytes > 0.0, "{p:?}");
    let lowest = p
        .limits
        .iter()
        .map(|l| l.max_ops_per_sec)
        .fold(f64::MAX, f64::min);
    assert_eq!(p.max_ops_per_sec, lowest);
    assert!(p.limits.iter().any(|l| l.resource == p.bound_by));
    let page = std::fs::read_to_string(d.join("cal/capacity.html")).unwrap();
    assert!(page.contains("Capacity plan for 1.0 GiB") && page.contains(&p.bound_by));
    // The report links the page (plan re-rendered it), and `lsmlab report` keeps it.
    let report = std::fs::read_to_string(d.join("cal/report.html")).unwrap();
    assert!(report.contains("<a href=\"capacity.html\">capacity plan</a>"));

    // A dataset size that does not parse.
    bad(
        &lsmlab(&["plan", "cal", "--dataset", "lots"], d),
        "dataset size \"lots\"",
    );
    // A results directory without the figures: the memory store writes no engine bytes.
    let mem = lsmlab(
        &[
            "run",
            "cal.yaml",
            "--store",
            "memory",
            "--out",
            "mem",
            "--no-report",
        ],
        d,
    );
    assert!(mem.status.success(), "{}", stderr(&mem));
    bad(
        &plan_with_cal_probe("mem", d),
        "lacks what the plan needs: amplification.user_write_amp",
    );
    // No probe anywhere: named, with how to get one.
    let bare = lsmlab(&["run", "cal.yaml", "--out", "bare", "--no-report"], d);
    assert!(bare.status.success(), "{}", stderr(&bare));
    bad(
        &lsmlab(&["plan", "bare", "--dataset", "1GiB"], d),
        "a device probe (host.probe",
    );
    // ... and a --device-probe from the run that had one works.
    let ok = plan_with_cal_probe("bare", d);
    assert!(ok.status.success(), "{}", stderr(&ok));
    // Not a results directory at all.
    bad(&lsmlab(&["plan", "nowhere", "--dataset", "1GiB"], d), "nowhere");
    // A max_rate bound that cannot hold is a suite error.
    std::fs::write(
        d.join("mr.yaml"),
        "name: mr\ndata: {keys: 10}\nphases:\n  - max_rate: {mix: {write: 1}, window: 2s, p99: 0ms}\n",
    )
    .unwrap();
    bad(&lsmlab(&["validate", "mr.yaml"], d), "cannot hold");
}
