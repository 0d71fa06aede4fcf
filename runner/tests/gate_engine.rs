//! The gate on the real engine: an A/A comparison (the same small suite
//! twice, 5 repetitions each) reports no regression, and an A/B comparison
//! with a known effect (bloom filters off, `--set bloom_bits_per_key=0`,
//! on `read_missing`) is reported as a regression.
//!
//! Both sides run interleaved, one repetition each in turn (`--shard k/5`,
//! then `merge`), as docs/ci.md recommends: a machine that gets slower
//! halfway (other jobs on a shared CI host) then slows both sides alike
//! instead of faking a regression.

mod common;

use std::path::Path;

use common::{both, expect, lsmlab, stdout};

const SUITE: &str = "name: engine-gate
description: bloom filters and missing keys
seed: 11
repeat: 5
data: {keys: 10000, key_size: 16, value_size: 100}
engine: {write_buffer_size: 128KiB, target_file_size_base: 128KiB, max_bytes_for_level_base: 512KiB, compression: none}
phases:
  - fill: {order: random}
  - flush
  - read_missing: {ops: 50000}
";

/// Runs the suite into `a` and `b` (with `b_flags`), alternating
/// repetitions, then merges each side.
fn interleaved(dir: &Path, a: &str, b: &str, b_flags: &[&str]) {
    for k in 1..=5 {
        let shard = format!("{k}/5");
        for (side, extra) in [(a, &[][..]), (b, b_flags)] {
            let out = format!("{side}.s{k}");
            let mut args = vec![
                "run",
                "s.yaml",
                "--shard",
                &shard,
                "--out",
                &out,
                "--interval",
                "50ms",
            ];
            args.extend_from_slice(extra);
            expect(0, &args, dir);
        }
    }
    for side in [a, b] {
        let parts: Vec<String> = (1..=5).map(|k| format!("{side}.s{k}")).collect();
        let mut args: Vec<&str> = vec!["merge"];
        args.extend(parts.iter().map(String::as_str));
        args.extend(["--out", side]);
        expect(0, &args, dir);
    }
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("s.yaml"), SUITE).expect("write suite");
    dir
}

#[test]
fn aa_same_suite_twice_reports_no_regression() {
    let d = setup();
    interleaved(d.path(), "a1", "a2", &[]);
    let out = lsmlab(&["compare", "a1", "a2"], d.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "A/A reported a regression:\n{}",
        both(&out)
    );
    let text = stdout(&out);
    assert!(text.contains("0 regressions"), "{text}");
    assert!(!text.contains("engine options differ"), "{text}");
}

#[test]
fn ab_bloom_filters_off_on_read_missing_is_a_regression() {
    let d = setup();
    interleaved(d.path(), "bloom", "nobloom", &["--set", "bloom_bits_per_key=0"]);
    let out = lsmlab(
        &["compare", "bloom", "nobloom", "--metric", "ops_per_sec,p50"],
        d.path(),
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(
        text.contains("REGRESSION: read_missing ops_per_sec (cell base):"),
        "{text}"
    );
    assert!(
        text.contains("REGRESSION: read_missing p50 (cell base):"),
        "{text}"
    );
    assert!(
        text.contains("engine options differ: bloom_bits_per_key: (default) -> 0"),
        "{text}"
    );
    assert!(text.contains("--set bloom_bits_per_key=0"), "{text}");
}
