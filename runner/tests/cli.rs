//! Scenario tests of the `lsmlab` binary: a tiny suite end to end on the
//! memory store (results.json fields, histogram files), `validate`, and
//! exit code 2 with one clear message for bad suites and bad flags.

use lsmlab_reports::hdr::sum_interval_log;
use lsmlab_reports::{CellStatus, Results, SCHEMA_VERSION};

mod common;
use common::lsmlab;

const TINY: &str = "name: tiny
description: end-to-end test
seed: 3
data: {keys: 2000, key_size: 16, value_size: 64}
engine: {write_buffer_size: 1MiB}
matrix:
  compression: [lz4, none]
phases:
  - fill: {order: random, threads: 2}
  - read_random: {ops: 1000}
  - mixed: {ops: 500, read: 0.5, write: 0.3, delete: 0.1, scan: 0.1, scan_len: 5}
  - flush
";

#[test]
fn memory_store_run_writes_results_and_histograms() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tiny.yaml"), TINY).unwrap();
    let out = lsmlab(
        &[
            "run",
            "tiny.yaml",
            "--store",
            "memory",
            "--out",
            "res",
            "--interval",
            "100ms",
            "--only",
            "compression=none",
        ],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("micros/op"), "{stdout}");
    assert!(stdout.contains("write-amp"), "{stdout}");

    let res = dir.path().join("res");
    let r = Results::load(&res.join("results.json")).unwrap();
    assert_eq!(r.schema_version, SCHEMA_VERSION);
    assert_eq!(r.suite.name, "tiny");
    assert_eq!(r.store, "memory");
    assert_eq!(r.lsmlab_version, env!("CARGO_PKG_VERSION"));
    assert!(!r.git_revision.is_empty());
    assert!(r.finished_at.is_some());
    assert!(r.host.cpu_logical_cores >= 1);
    assert_eq!(r.interval_seconds, 0.1);
    // --only kept cell 1 of 2 (compression=none), with its stable index.
    assert_eq!(r.cells.len(), 1);
    let cell = &r.cells[0];
    assert_eq!((cell.index, cell.id.as_str()), (1, "c001-r1"));
    assert_eq!(cell.label, "compression=none");
    assert_eq!(cell.status, CellStatus::Ok);
    assert_eq!(cell.options["write_buffer_size"], "1MiB");
    let names: Vec<&str> = cell.phases.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["fill", "read_random", "mixed", "flush"]);
    let fill = &cell.phases[0];
    assert_eq!(fill.ops, 2000);
    assert_eq!(fill.threads, 2);
    assert_eq!(fill.bytes, 2000 * 80);
    assert!(fill.ops_per_sec > 0.0 && fill.seconds > 0.0);
    assert_eq!(fill.latency["put"].count, 2000);
    assert!(fill.latency["put"].p99_ns >= fill.latency["put"].p50_ns);
    assert!(!fill.timeline.is_empty());
    let read = &cell.phases[1];
    assert_eq!(read.latency["get"].count, 1000);
    let mixed = &cell.phases[2];
    assert_eq!(mixed.ops, 500);
    assert!(mixed.latency.contains_key("get") && mixed.latency.contains_key("put"));
    // Every histogram exists in both standard forms and the log sums to the count.
    for phase in &cell.phases {
        for (op, files) in &phase.histograms {
            assert!(res.join(&files.hgrm).is_file(), "{}", files.hgrm);
            let total = sum_interval_log(&res.join(&files.hlog)).unwrap();
            assert_eq!(total.len(), phase.latency[op].count, "{} {op}", phase.name);
        }
    }
    assert!(fill.histograms.contains_key("put"));
    // The live data is exact for the memory store: 2000 keys of 80 bytes minus deletes.
    assert!(cell.amplification.live_bytes_estimate <= 2000 * 80 + 500 * 80);
    assert!(cell.amplification.live_bytes_estimate > 1500 * 80);
    // Database directories are removed after each cell.
    assert!(
        std::fs::read_dir(&res).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("db-"))
    );
}

#[test]
fn bad_suite_exits_2_with_one_positioned_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "name: bad\nengine: {write_bufer_size: 8MiB}\nphases:\n  - fill: {}\n",
    )
    .unwrap();
    let out = lsmlab(
        &["run", "bad.yaml", "--store", "memory", "--out", "res"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.yaml:2:"), "{stderr}");
    assert!(stderr.contains("write_buffer_size"), "did you mean: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        !dir.path().join("res").exists(),
        "nothing runs before the suite is valid"
    );

    let missing = lsmlab(&["validate", "nope.yaml"], dir.path());
    assert_eq!(missing.status.code(), Some(2));
    let bad_flag = lsmlab(&["run", "bad.yaml", "--repeat", "zero"], dir.path());
    assert_eq!(bad_flag.status.code(), Some(2));
    let bad_only = lsmlab(&["validate", "bad.yaml", "--only", "a,,b"], dir.path());
    assert_eq!(bad_only.status.code(), Some(2));
}

#[test]
fn validate_prints_the_plan_without_running() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tiny.yaml"), TINY).unwrap();
    let out = lsmlab(&["validate", "tiny.yaml"], dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("2 cell(s) x 1 repetition(s) x 4 phase(s)"),
        "{stdout}"
    );
    assert!(stdout.contains("c000  compression=lz4"), "{stdout}");
    assert!(stdout.contains("c001  compression=none"), "{stdout}");
    assert!(stdout.contains("read_random"), "{stdout}");
    assert!(
        std::fs::read_dir(dir.path()).unwrap().count() == 1,
        "validate wrote nothing"
    );
}

#[test]
fn sysinfo_prints_the_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let out = lsmlab(&["sysinfo"], dir.path());
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("cpu") && stdout.contains("kernel") && stdout.contains("file system"),
        "{stdout}"
    );
}

const STORES: &str = "name: stores
description: store sweep
data: {keys: 500, key_size: 16, value_size: 32}
engine: {write_buffer_size: 1MiB}
matrix:
  store: [memory, \"null\", mmdb]
phases:
  - fill: {order: random}
  - read_random: {ops: 200}
";

#[test]
fn swept_stores_run_per_cell_and_a_missing_feature_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("stores.yaml"), STORES).unwrap();
    if !cfg!(feature = "mmdb") {
        // Not compiled in: exit 2 before anything runs, naming the feature.
        let out = lsmlab(&["run", "stores.yaml", "--out", "res"], dir.path());
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("store `mmdb` is not compiled into this lsmlab"),
            "{stderr}"
        );
        assert!(stderr.contains("--features mmdb"), "{stderr}");
        assert!(!dir.path().join("res").exists());
        // validate still checks it, and says so.
        let out = lsmlab(&["validate", "stores.yaml"], dir.path());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("note: store `mmdb` is not compiled"));
    }
    // --store selects the swept cell it names.
    let out = lsmlab(
        &["run", "stores.yaml", "--store", "memory", "--out", "res"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = Results::load(&dir.path().join("res/results.json")).unwrap();
    assert_eq!(r.store, "memory");
    assert_eq!(r.cells.len(), 1);
    assert_eq!(
        (r.cells[0].store.as_str(), r.cells[0].label.as_str()),
        ("memory", "store=memory")
    );
    assert_eq!(
        r.cells[0].amplification.user_bytes,
        500 * 48,
        "500 distinct keys of 16 + 32 bytes"
    );
    assert!(!r.cells[0].options.contains_key("store"));
}

#[test]
fn an_option_a_peer_cannot_honour_is_an_error_naming_store_and_option() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("levels.yaml"),
        "name: levels\ndata: {keys: 100}\nengine: {num_levels: 5}\nphases:\n  - fill: {}\n",
    )
    .unwrap();
    let out = lsmlab(&["validate", "levels.yaml", "--store", "fjall"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("levels.yaml:3:10:")
            && stderr.contains(
                "store `fjall` cannot honour option `num_levels`: fjall's level count is fixed at 7"
            ),
        "{stderr}"
    );
    let ok = lsmlab(&["validate", "levels.yaml", "--store", "rocksdb"], dir.path());
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
}
