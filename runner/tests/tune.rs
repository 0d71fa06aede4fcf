//! Scenario tests of `lsmlab tune` on the bundled engine with tiny data:
//! it finds the known best of a small clear space, saves every finished
//! trial when stopped with Ctrl-C, and rejects a bad `tune:` block with
//! file:line:col and exit code 2.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lsmlab_reports::Results;

mod common;
use common::lsmlab;

/// Absent-key lookups without a block cache: with 0 bloom bits every one
/// reads a data block per sorted run, with 1 bit about 62% of them do
/// (false-positive rate e^(-1 ln2^2)), with 16 bits 0.05%. The answer is
/// clear: 16 bits are fastest.
const BLOOM: &str = "name: bloom
seed: 5
data: {keys: 8000, key_size: 16, value_size: 64}
engine:
  write_buffer_size: 128KiB
  target_file_size_base: 128KiB
  max_bytes_for_level_base: 512KiB
  block_cache_size: 0
phases:
  - fill: {order: random}
  - wait_for_compaction: {}
  - read_missing: {ops: 8000}
tune:
  space:
    bloom_bits_per_key: [0, 1, 16]
  objective: maximize ops_per_sec(read_missing)
  constraints: [\"memory < 64MiB\"]
  budget: {trials: 9}
  repeat: 3
";

/// The timing tests run one at a time (their ops/s are the objective).
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn results(dir: &Path) -> Results {
    let text = std::fs::read_to_string(dir.join("results.json")).expect("results.json");
    serde_json::from_str(&text).expect("results.json parses")
}

#[test]
fn tune_finds_the_bloom_size_that_makes_absent_keys_fastest() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bloom.yaml"), BLOOM).unwrap();
    let out = lsmlab(&["tune", "bloom.yaml", "--out", "res"], dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = results(&dir.path().join("res"));
    let tune = r.tune.expect("tune record");
    assert!(tune.finished);
    // Three candidates are all finalists: 3 x 3 trials at full length.
    assert_eq!(tune.candidates, 3);
    assert_eq!(tune.trials.len(), 9);
    assert!(tune.trials.iter().all(|t| t.scale == 1.0 && t.feasible()));
    assert_eq!(r.cells.len(), 9, "every trial's cell result is saved");
    for c in &r.cells {
        for p in &c.phases {
            for files in p.histograms.values() {
                assert!(
                    dir.path().join("res").join(&files.hlog).is_file(),
                    "{}: {} is missing",
                    c.id,
                    files.hlog
                );
            }
        }
    }
    for (t, c) in tune.trials.iter().zip(&r.cells) {
        assert_eq!(t.cell_id, c.id);
    }
    let best = tune.best.expect("a best candidate");
    assert_eq!(
        best.get("bloom_bits_per_key"),
        Some(&serde_json::json!(16)),
        "{stdout}"
    );
    let yaml = std::fs::read_to_string(dir.path().join("res/best.yaml")).unwrap();
    assert!(
        yaml.starts_with("engine:\n") && yaml.contains("  bloom_bits_per_key: 16\n"),
        "{yaml}"
    );
    assert!(
        yaml.contains("  block_cache_size: 0\n"),
        "the suite's engine options are kept: {yaml}"
    );
    // The ranked table puts 16 bits first (0 and 1 bit are close: noise
    // may order them either way).
    let table: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("bloom_bits_per_key="))
        .collect();
    assert_eq!(table.len(), 3, "{stdout}");
    assert!(table[0].contains("bloom_bits_per_key=16"), "{stdout}");
    assert!(stdout.contains("trial 9/9"), "progress per trial: {stdout}");
}

#[test]
fn ctrl_c_keeps_the_finished_trials() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bloom.yaml"), BLOOM).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lsmlab"))
        .args(["tune", "bloom.yaml", "--out", "res"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let done = |dir: &Path| {
        std::fs::read_to_string(dir.join("res/results.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<Results>(&t).ok())
            .and_then(|r| r.tune)
            .map_or(0, |t| t.trials.len())
    };
    while done(dir.path()) == 0 {
        assert!(started.elapsed() < Duration::from_secs(60), "no trial finished");
        std::thread::sleep(Duration::from_millis(50));
    }
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "interrupted");
    let r = results(&dir.path().join("res"));
    let tune = r.tune.expect("tune record");
    assert!(!tune.finished);
    assert!(
        !tune.trials.is_empty() && tune.trials.len() < 9,
        "{}",
        tune.trials.len()
    );
    assert_eq!(
        r.cells.len(),
        tune.trials.len(),
        "each finished trial has its cell result"
    );
    assert!(r.finished_at.is_some(), "results.json was closed properly");
}

#[test]
fn bad_tune_block_fails_with_position_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = BLOOM.replace("ops_per_sec(read_missing)", "ops_per_sec(read_mising)");
    std::fs::write(dir.path().join("bad.yaml"), bad).unwrap();
    for cmd in ["tune", "validate"] {
        let out = lsmlab(&[cmd, "bad.yaml"], dir.path());
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("bad.yaml:16:23:"), "{cmd}: {stderr}");
        assert!(stderr.contains("did you mean `read_missing`"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // A suite without a `tune:` block cannot be tuned.
    std::fs::write(
        dir.path().join("plain.yaml"),
        "data: {keys: 10}\nphases: [fill]\n",
    )
    .unwrap();
    let out = lsmlab(&["tune", "plain.yaml", "--out", "res"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no `tune:` block"));
    assert!(
        !dir.path().join("res").exists(),
        "nothing runs before the suite is valid"
    );
}

#[test]
fn everything_pruned_runs_nothing_and_exits_1() {
    // Two 128 KiB memtables alone break "memory < 128KiB" for every candidate.
    let dir = tempfile::tempdir().unwrap();
    let tight = BLOOM.replace("memory < 64MiB", "memory < 128KiB");
    std::fs::write(dir.path().join("tight.yaml"), tight).unwrap();
    let out = lsmlab(&["tune", "tight.yaml", "--out", "res"], dir.path());
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(
            "tight.yaml: no candidate meets every constraint (3 pruned by the cost model, 0 trials ran"
        ),
        "{stderr}"
    );
    assert!(stdout.contains("3 pruned by the model"), "{stdout}");
    assert!(
        stdout.contains("Pruned by the cost model before running:"),
        "{stdout}"
    );
    assert!(stdout.contains("No candidate met every constraint."), "{stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let r = results(&dir.path().join("res"));
    let tune = r.tune.expect("tune record");
    assert_eq!(tune.pruned.len(), 3);
    for p in &tune.pruned {
        assert!(p.reason.contains("memory < 128KiB"), "{}", p.reason);
    }
    assert!(tune.trials.is_empty() && r.cells.is_empty());
    assert!(tune.best.is_none());
    assert!(r.finished_at.is_some(), "results.json was closed properly");
}

#[test]
fn long_labels_are_abbreviated_with_a_legend() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let many = BLOOM.replace(
        "    bloom_bits_per_key: [0, 1, 16]",
        "    bloom_bits_per_key: [10]\n    write_buffer_size: [131072]\n    max_bytes_for_level_base: [524288]\n    target_file_size_base: [128KiB]",
    )
    .replace("budget: {trials: 9}", "budget: {trials: 1}");
    std::fs::write(dir.path().join("many.yaml"), many).unwrap();
    let out = lsmlab(&["tune", "many.yaml", "--out", "res"], dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let row = stdout
        .lines()
        .find(|l| l.starts_with("| 1 |"))
        .unwrap_or_else(|| panic!("no ranked row: {stdout}"));
    assert!(
        row.contains("| bbpk=10,mbflb=512KiB,tfsb=128KiB,wbs=128KiB |"),
        "{row}"
    );
    assert!(
        stdout.contains(
            "Options: bbpk = bloom_bits_per_key, mbflb = max_bytes_for_level_base, tfsb = target_file_size_base, wbs = write_buffer_size."
        ),
        "{stdout}"
    );
    // The pasteable block keeps the full names and the values as written.
    assert!(
        stdout.contains("  max_bytes_for_level_base: 524288\n"),
        "{stdout}"
    );
}

/// Trials of one candidate at two rungs are two report cells (index and
/// label name the rung), never repetitions of one cell.
#[test]
fn rungs_of_one_candidate_are_separate_cells() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let rungs = BLOOM
        .replace("[0, 1, 16]", "[0, 1, 4, 16]")
        .replace("  repeat: 3\n", "  repeat: 1\n");
    std::fs::write(dir.path().join("rungs.yaml"), rungs).unwrap();
    let out = lsmlab(&["tune", "rungs.yaml", "--out", "res"], dir.path());
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let r = results(&dir.path().join("res"));
    let tune = r.tune.clone().expect("tune record");
    assert!(
        tune.trials.iter().any(|t| t.rung > 0),
        "the schedule has two rungs: {:?}",
        tune.trials
    );
    let mut seen = std::collections::HashSet::new();
    for (t, c) in tune.trials.iter().zip(&r.cells) {
        assert!(seen.insert((c.index, c.repetition)), "{} repeats a cell", c.id);
        assert_eq!(c.label.ends_with('%'), t.scale < 1.0, "{}", c.label);
    }
    let digest = lsmlab_reports::digest::Digest::new(&r, None).expect("digest");
    assert!(digest.cells.iter().all(|g| g.reps.len() == 1));
}
