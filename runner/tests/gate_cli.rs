//! Scenario tests of the gate's commands on the memory store (fast): compare
//! exit codes and messages (0 pass, 1 regression, 2 bad input: different
//! suites, missing cells, bad thresholds), shards 1/3 + 2/3 + 3/3 merged
//! equal the unsharded run, merge refusals, `--set` recorded and validated,
//! bad shards refused, exports written.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{both, expect, results, stderr, stdout};
use serde_json::Value;

const SUITE: &str = "name: gate
description: gate scenario test
seed: 5
repeat: 2
data: {keys: 500, key_size: 16, value_size: 32}
engine: {write_buffer_size: 1MiB}
matrix:
  compression: [lz4, none, zstd]
phases:
  - fill: {order: random}
  - read_random: {ops: 300}
";

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("write suite");
    write("gate.yaml", SUITE);
    write("other.yaml", &SUITE.replace("name: gate", "name: other"));
    dir
}

fn run(dir: &Path, out: &str, extra: &[&str]) {
    let mut args = vec![
        "run",
        "gate.yaml",
        "--store",
        "memory",
        "--out",
        out,
        "--interval",
        "100ms",
        "--no-report",
    ];
    args.extend_from_slice(extra);
    expect(0, &args, dir);
}

fn ids(dir: &Path) -> BTreeSet<String> {
    results(dir).cells.iter().map(|c| c.id.clone()).collect()
}

#[test]
fn shards_merged_equal_the_unsharded_cell_set() {
    let d = setup();
    let p = d.path();
    run(p, "whole", &[]);
    for k in 1..=3 {
        run(p, &format!("s{k}"), &["--shard", &format!("{k}/3")]);
    }
    // 3 cells x 2 repetitions over 3 shards: two runs each, cells kept together.
    assert_eq!(
        ids(&p.join("s2")),
        ["c001-r1", "c001-r2"].map(String::from).into()
    );
    assert_eq!(
        results(&p.join("s2")).settings.shard.map(|s| (s.index, s.count)),
        Some((2, 3))
    );
    let out = expect(0, &["merge", "s3", "s1", "s2", "--out", "merged"], p);
    assert!(
        stdout(&out).contains("merged 3 part(s), 6 cell repetition(s)"),
        "{}",
        both(&out)
    );
    let merged = results(&p.join("merged"));
    assert_eq!(ids(&p.join("merged")), ids(&p.join("whole")));
    let order: Vec<&str> = merged.cells.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        order,
        ["c000-r1", "c000-r2", "c001-r1", "c001-r2", "c002-r1", "c002-r2"]
    );
    assert_eq!(merged.settings.shard, None);
    // Histogram files came along.
    for cell in &merged.cells {
        for files in cell.phases.iter().flat_map(|ph| ph.histograms.values()) {
            assert!(p.join("merged").join(&files.hlog).exists(), "{}", files.hlog);
        }
    }
    // The merged run compares cleanly with the unsharded one (same cells).
    expect(0, &["compare", "whole", "merged", "--metric", "write_amp"], p);

    // A missing shard, a shard given twice, an existing --out: exit 2, one message.
    let e = expect(2, &["merge", "s1", "s3", "--out", "m2"], p);
    assert!(
        stderr(&e).contains("cell 1 (compression=none) repetition 1"),
        "{}",
        both(&e)
    );
    let e = expect(2, &["merge", "s1", "s1", "--out", "m3"], p);
    assert!(
        stderr(&e).contains("shard 1/3 is given twice (s1 and s1)"),
        "{}",
        both(&e)
    );
    let e = expect(2, &["merge", "s1", "--out", "merged"], p);
    assert!(
        stderr(&e).contains("already holds a results.json"),
        "{}",
        both(&e)
    );
    let e = expect(2, &["merge", "nowhere", "--out", "m4"], p);
    assert!(
        stderr(&e).contains("part 1 nowhere: no such results directory or file"),
        "{}",
        both(&e)
    );
}

#[test]
fn bad_shards_are_refused() {
    let d = setup();
    for bad in ["0/2", "3/2", "x"] {
        let e = expect(
            2,
            &["run", "gate.yaml", "--store", "memory", "--shard", bad],
            d.path(),
        );
        let msg = stderr(&e);
        assert!(msg.contains(&format!("shard {bad:?}")), "{bad}: {msg}");
        assert_eq!(msg.matches("error:").count(), 1, "{msg}");
    }
}

#[test]
fn compare_exit_codes_and_bad_input() {
    let d = setup();
    let p = d.path();
    run(p, "a", &[]);
    run(p, "b", &[]);
    // Doctor b: 50% throughput drop in every fill.
    let file = p.join("b/results.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let original = v.clone();
    for cell in v["cells"].as_array_mut().unwrap() {
        let fill = &mut cell["phases"][0];
        let ops = fill["ops_per_sec"].as_f64().unwrap();
        fill["ops_per_sec"] = Value::from(ops / 2.0);
    }
    std::fs::write(p.join("slow.json"), v.to_string()).unwrap();

    // 2 repetitions cannot reach significance: the A/B only warns with the U test...
    let out = expect(0, &["compare", "a", "slow.json", "--metric", "ops_per_sec"], p);
    assert!(
        stdout(&out).contains("can never reach p < 0.05"),
        "{}",
        both(&out)
    );
    // ...but one repetition each decides by the threshold: exit 1 with the regression named.
    // (The first repetition of b, undoctored and doctored: only fill differs.)
    for (name, doc) in [("b1.json", &original), ("slow1.json", &v)] {
        let mut one = doc.clone();
        one["cells"]
            .as_array_mut()
            .unwrap()
            .retain(|c| c["repetition"] == 1);
        std::fs::write(p.join(name), one.to_string()).unwrap();
    }
    let out = expect(
        1,
        &["compare", "b1.json", "slow1.json", "--metric", "ops_per_sec"],
        p,
    );
    let text = stdout(&out);
    assert!(
        text.contains("REGRESSION: fill ops_per_sec (cell compression=lz4):"),
        "{}",
        both(&out)
    );
    assert!(text.contains("noise unknown"), "{text}");
    assert!(
        stderr(&out).contains("error: compare: 3 regression(s) beyond the 5% threshold"),
        "{}",
        both(&out)
    );
    // JSON and markdown carry the verdicts; --summary appends the markdown.
    let out = expect(
        1,
        &[
            "compare",
            "b1.json",
            "slow1.json",
            "--metric",
            "ops_per_sec",
            "--format",
            "json",
            "--summary",
            "summary.md",
        ],
        p,
    );
    let j: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(j["tally"]["regressions"], 3);
    let md = std::fs::read_to_string(p.join("summary.md")).unwrap();
    assert!(md.starts_with("### lsmlab compare: :x: regression"), "{md}");
    // The same run against itself passes.
    expect(0, &["compare", "a", "a"], p);

    // Bad input: exit 2, one message each.
    run(p, "n", &["--repeat", "1", "--only", "compression=none"]);
    let cases: &[(&[&str], &str)] = &[
        (
            &["compare", "a", "b", "--threshold", "5"],
            "threshold \"5\" has no % sign",
        ),
        (
            &["compare", "a", "b", "--threshold", "-3%"],
            "threshold \"-3%\" is negative",
        ),
        (&["compare", "a", "b", "--threshold", "abc"], "threshold \"abc\""),
        (
            &["compare", "a", "nowhere"],
            "candidate nowhere: no such results directory or file",
        ),
        (
            &["compare", "a", "b", "--metric", "speed"],
            "unknown metric \"speed\"",
        ),
        (
            &["compare", "a", "n"],
            "the candidate is missing cell compression=lz4, cell compression=zstd",
        ),
    ];
    for (args, want) in cases {
        let e = expect(2, args, p);
        let msg = stderr(&e);
        assert!(msg.contains(want), "{args:?}: {msg}");
        assert_eq!(msg.matches("error:").count(), 1, "{args:?}: {msg}");
    }
    std::fs::create_dir(p.join("o")).unwrap();
    let mut other = v.clone();
    other["suite"]["name"] = Value::from("other");
    std::fs::write(p.join("o/results.json"), other.to_string()).unwrap();
    let e = expect(2, &["compare", "a", "o"], p);
    assert!(
        stderr(&e).contains("baseline is suite \"gate\" but candidate is suite \"other\""),
        "{}",
        both(&e)
    );
    std::fs::write(p.join("garbage.json"), "{not json").unwrap();
    let e = expect(2, &["compare", "a", "garbage.json"], p);
    assert!(stderr(&e).contains("not a results file"), "{}", both(&e));
}

#[test]
fn set_overrides_are_applied_validated_and_recorded() {
    let d = setup();
    let p = d.path();
    run(
        p,
        "s",
        &[
            "--repeat",
            "1",
            "--set",
            "data.keys=400",
            "--set",
            "bloom_bits_per_key=0",
            "--only",
            "compression=none",
        ],
    );
    let r = results(&p.join("s"));
    assert_eq!(r.settings.set, ["data.keys=400", "bloom_bits_per_key=0"]);
    assert_eq!(r.suite.resolved["data"]["keys"], 400);
    assert_eq!(r.cells[0].options["bloom_bits_per_key"], 0);
    assert_eq!(r.cells[0].phases[0].ops, 400);
    for (set, want) in [
        (
            "bloom_bits_per_key=many",
            "--set bloom_bits_per_key=many: invalid engine options",
        ),
        ("num_levelz=3", "(did you mean `num_levels`?)"),
        ("compression=lz4", "`compression` is swept by the suite's matrix"),
        ("data.keys=0", "--set data.keys=0: data.keys must be at least 1"),
        ("justaname", "has no `=`"),
    ] {
        let e = expect(2, &["run", "gate.yaml", "--store", "memory", "--set", set], p);
        assert!(stderr(&e).contains(want), "{set}: {}", both(&e));
    }
}

#[test]
fn deterministic_mode_refuses_timing_dependent_phases() {
    let d = setup();
    std::fs::write(
        d.path().join("mt.yaml"),
        "name: mt\ndata: {keys: 100}\nphases:\n  - fill: {threads: 2}\n",
    )
    .unwrap();
    let e = expect(
        2,
        &["run", "mt.yaml", "--store", "memory", "--deterministic"],
        d.path(),
    );
    assert!(
        stderr(&e).contains("deterministic mode: phase 1 (fill) has threads: 2"),
        "{}",
        both(&e)
    );
    run(d.path(), "det", &["--set", "deterministic=true", "--repeat", "1"]);
    assert!(results(&d.path().join("det")).settings.deterministic);
}

#[test]
fn exports_are_written() {
    let d = setup();
    let p = d.path();
    run(p, "a", &[]);
    let out = expect(0, &["export", "a", "--format", "csv"], p);
    let csv = stdout(&out);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "suite,cell,phase,metric,unit,better,n,median,min,max,spread,values"
    );
    // Memory store: phase metrics ops_per_sec, p50, p99, p99.9 for 2 phases, plus db_bytes
    // (amplification needs tables) = 9 rows per cell, 3 cells.
    assert_eq!(lines.len(), 1 + 3 * 9, "{csv}");
    assert!(
        lines[1].starts_with("gate,compression=lz4,fill,ops_per_sec,ops/s,higher,2,"),
        "{csv}"
    );
    let out = expect(
        0,
        &["export", "a", "--format", "github-benchmark", "--out", "gh"],
        p,
    );
    assert!(stdout(&out).contains("customBiggerIsBetter"), "{}", both(&out));
    for (file, unit) in [
        ("customBiggerIsBetter.json", "ops/s"),
        ("customSmallerIsBetter.json", "ns"),
    ] {
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(p.join("gh").join(file)).unwrap()).unwrap();
        let arr = v.as_array().unwrap();
        assert!(!arr.is_empty());
        assert!(
            arr.iter()
                .all(|e| e["name"].is_string() && e["value"].is_number() && e["unit"].is_string())
        );
        assert_eq!(arr[0]["unit"], unit, "{file}");
        assert!(
            arr[0]["name"]
                .as_str()
                .unwrap()
                .starts_with("gate/compression=lz4/fill/"),
            "{}",
            arr[0]
        );
    }
    let out = expect(
        0,
        &[
            "export",
            "a",
            "--format",
            "github-benchmark",
            "--direction",
            "bigger",
        ],
        p,
    );
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(v.as_array().unwrap().iter().all(|e| e["unit"] == "ops/s"));
    let e = expect(2, &["export", "a", "--format", "csv", "--direction", "bigger"], p);
    assert!(stderr(&e).contains("--direction applies to --format github-benchmark only"));
    // The memory store keeps no engine statistics: nothing to export for them.
    let e = expect(2, &["export", "a", "--format", "csv", "--metric", "files_l0"], p);
    assert!(stderr(&e).contains("nothing to export"), "{}", both(&e));
}

#[test]
fn compare_help_lists_every_metric() {
    let d = setup();
    let out = expect(0, &["compare", "--help"], d.path());
    let help = stdout(&out);
    for name in lsmlab_reports::compare::metric::known_names() {
        assert!(help.contains(&name), "{name} missing from:\n{help}");
    }
    assert!(help.contains("Mann-Whitney U"), "{help}");
}
