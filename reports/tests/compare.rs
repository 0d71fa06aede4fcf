//! `compare` on doctored results whose verdicts are known by hand: a 20%
//! throughput drop fails with the right message, a drop inside the spread
//! of 5 repetitions passes, an improvement passes and is reported, single
//! repetitions say noise is unknown, deterministic counters compare
//! exactly, and mismatched inputs are refused.

mod support;

use lsmlab_reports::compare::verdict::{Method, Verdict};
use lsmlab_reports::compare::{CompareError, CompareOptions, compare, markdown, text};
use serde_json::json;
use support::{Rep, matrix_results, rep, reps, results};

fn opts(metrics: &[&str]) -> CompareOptions {
    CompareOptions {
        metrics: metrics.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

const BASE: [f64; 5] = [1000.0, 1010.0, 990.0, 1005.0, 995.0];

#[test]
fn twenty_percent_throughput_drop_fails_with_the_right_message() {
    let base = results("s", &reps(&BASE));
    let cand = results("s", &reps(&BASE.map(|v| v * 0.8)));
    let cmp = compare(&base, "base", &cand, "cand", &opts(&["ops_per_sec"])).unwrap();
    assert!(cmp.regressed());
    assert_eq!(cmp.tally.regressions, 1);
    let row = &cmp.rows[0];
    assert_eq!(row.decision.verdict, Verdict::Regression);
    assert_eq!(row.decision.method, Method::MannWhitney);
    // 5 vs 5, fully separated: exact p = 2 / C(10, 5) = 0.0079.
    assert!((row.decision.p.unwrap() - 2.0 / 252.0).abs() < 1e-12);
    assert!((row.decision.change.unwrap() + 0.2).abs() < 1e-9);
    let t = text::render(&cmp);
    assert!(
        t.contains("REGRESSION: fill ops_per_sec (cell base): 1.000k ±1% -> 800.0 ±1% ops/s, -20.0% (p=0.008 < 0.05, threshold 5%)"),
        "{t}"
    );
}

#[test]
fn drop_inside_the_spread_of_five_repetitions_passes() {
    // Medians 1000 -> 920 (-8%, beyond 5%), but the samples overlap widely.
    let base = results("s", &reps(&[1000.0, 700.0, 1300.0, 1150.0, 850.0]));
    let cand = results("s", &reps(&[920.0, 640.0, 1250.0, 1080.0, 800.0]));
    let cmp = compare(&base, "base", &cand, "cand", &opts(&["ops_per_sec"])).unwrap();
    assert!(!cmp.regressed());
    let row = &cmp.rows[0];
    assert_eq!(row.decision.verdict, Verdict::Unchanged);
    assert!(row.decision.p.unwrap() > 0.05, "{:?}", row.decision);
    assert!((row.decision.change.unwrap() + 0.08).abs() < 1e-9);
    let t = text::render(&cmp);
    assert!(t.contains("\n~ "), "{t}");
    assert!(
        t.contains("0 regressions, 0 improvements, 0 changed, 1 unchanged"),
        "{t}"
    );
}

#[test]
fn improvement_passes_and_is_reported() {
    let base = results("s", &reps(&BASE));
    let cand = results("s", &reps(&BASE.map(|v| v * 1.25)));
    let cmp = compare(&base, "base", &cand, "cand", &opts(&["ops_per_sec"])).unwrap();
    assert!(!cmp.regressed());
    assert_eq!(cmp.tally.improvements, 1);
    let t = text::render(&cmp);
    assert!(t.contains("improvement: fill ops_per_sec (cell base):"), "{t}");
    assert!(t.contains("+25.0%"), "{t}");
}

#[test]
fn latency_rise_is_a_regression_and_throughput_unchanged_stays_quiet() {
    let slow = |r: &Rep| Rep {
        p99_ns: r.p99_ns * 3 / 2,
        ..*r
    };
    let base_reps: Vec<Rep> = BASE
        .iter()
        .enumerate()
        .map(|(i, &o)| Rep {
            p99_ns: 1000 + i as u64,
            ..rep(o)
        })
        .collect();
    let cand_reps: Vec<Rep> = base_reps.iter().map(slow).collect();
    let cmp = compare(
        &results("s", &base_reps),
        "b",
        &results("s", &cand_reps),
        "c",
        &opts(&["ops_per_sec", "p99"]),
    )
    .unwrap();
    assert_eq!(cmp.tally.regressions, 1);
    assert_eq!(cmp.rows[0].metric, "p99", "regressions come first");
    assert_eq!(cmp.rows[1].metric, "ops_per_sec");
    assert_eq!(cmp.rows[1].decision.verdict, Verdict::Unchanged);
}

#[test]
fn single_repetition_decides_by_threshold_and_says_noise_is_unknown() {
    let cmp = compare(
        &results("s", &reps(&[1000.0])),
        "b",
        &results("s", &reps(&[930.0])),
        "c",
        &opts(&["ops_per_sec"]),
    )
    .unwrap();
    assert!(cmp.regressed());
    assert_eq!(cmp.rows[0].decision.method, Method::ThresholdOnly);
    let t = text::render(&cmp);
    assert!(t.contains("noise unknown"), "{t}");
    // Inside the threshold: passes, still saying noise is unknown.
    let cmp = compare(
        &results("s", &reps(&[1000.0])),
        "b",
        &results("s", &reps(&[970.0])),
        "c",
        &opts(&["ops_per_sec"]),
    )
    .unwrap();
    assert!(!cmp.regressed());
    assert!(cmp.notes.iter().any(|n| n.contains("noise unknown")));
}

#[test]
fn deterministic_counters_are_compared_exactly() {
    let mut base = results("s", &reps(&BASE));
    let mut cand = results(
        "s",
        &BASE.map(|o| Rep {
            write_amp: 3.3,
            ..rep(o)
        }),
    );
    base.settings.deterministic = true;
    cand.settings.deterministic = true;
    let cmp = compare(&base, "b", &cand, "c", &opts(&["write_amp", "compactions"])).unwrap();
    assert!(cmp.exact_counters);
    let wa = cmp.rows.iter().find(|r| r.metric == "write_amp").unwrap();
    assert_eq!(
        (wa.decision.verdict, wa.decision.method),
        (Verdict::Regression, Method::Exact)
    );
    let c = cmp.rows.iter().find(|r| r.metric == "compactions").unwrap();
    assert_eq!(c.decision.verdict, Verdict::Unchanged);
    assert!(text::render(&cmp).contains("\n=  "), "identical counters show =");
    // Not deterministic: the same 10% write-amp rise with zero spread is
    // still significant (5 vs 5 separated) and beyond 5%.
    base.settings.deterministic = false;
    let cmp = compare(&base, "b", &cand, "c", &opts(&["write_amp"])).unwrap();
    assert_eq!(cmp.rows[0].decision.method, Method::MannWhitney);
    assert!(
        cmp.notes
            .iter()
            .any(|n| n.contains("only one run is deterministic"))
    );
}

#[test]
fn per_level_metrics_expand_to_the_levels_present() {
    let r = results("s", &reps(&BASE));
    let cmp = compare(&r, "b", &r, "c", &opts(&["bytes_written_l*", "files_l1"])).unwrap();
    let names: Vec<&str> = cmp.rows.iter().map(|r| r.metric.as_str()).collect();
    assert_eq!(names, ["bytes_written_l0", "bytes_written_l1", "files_l1"]);
    assert!(!cmp.regressed());
}

#[test]
fn mismatched_inputs_are_refused_with_one_message() {
    let a = results("s", &reps(&BASE));
    let e = compare(&a, "b", &results("other", &reps(&BASE)), "c", &opts(&[])).unwrap_err();
    assert!(matches!(e, CompareError::DifferentSuites { .. }));
    assert!(
        e.to_string().contains("\"s\"") && e.to_string().contains("\"other\""),
        "{e}"
    );

    let two = matrix_results(
        "s",
        &[
            (json!({"num_levels": 3}), reps(&BASE)),
            (json!({"num_levels": 5}), reps(&BASE)),
        ],
        &["fill"],
    );
    let one = matrix_results("s", &[(json!({"num_levels": 3}), reps(&BASE))], &["fill"]);
    let e = compare(&two, "b", &one, "c", &opts(&[])).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("the candidate is missing cell num_levels=5 (present in the baseline)"),
        "{e}"
    );
    let e = compare(&one, "b", &two, "c", &opts(&[])).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("the baseline is missing cell num_levels=5"),
        "{e}"
    );

    let more_phases = matrix_results(
        "s",
        &[(json!({"num_levels": 3}), reps(&BASE))],
        &["fill", "read_random"],
    );
    let e = compare(&more_phases, "b", &one, "c", &opts(&[])).unwrap_err();
    assert!(
        e.to_string().contains("phase read_random of cell num_levels=3"),
        "{e}"
    );

    let e = compare(&a, "b", &a, "c", &opts(&["opps"])).unwrap_err();
    assert!(e.to_string().contains("unknown metric \"opps\""), "{e}");
}

#[test]
fn failed_candidate_cell_is_a_regression() {
    let base = results("s", &reps(&BASE));
    let mut cand = results("s", &reps(&BASE));
    cand.cells[2].status = lsmlab_reports::CellStatus::Failed;
    cand.cells[2].error = Some("phase fill failed: corruption".into());
    let cmp = compare(&base, "b", &cand, "c", &opts(&["ops_per_sec"])).unwrap();
    assert!(cmp.regressed());
    assert_eq!(cmp.rows[0].metric, "status");
    assert!(
        text::render(&cmp).contains("1 of 5 candidate repetition(s) failed: phase fill failed: corruption")
    );
}

#[test]
fn markdown_is_one_table_with_regressions_first() {
    let base = matrix_results(
        "s",
        &[
            (json!({"c": "lz4"}), reps(&BASE)),
            (json!({"c": "none"}), reps(&BASE)),
        ],
        &["fill"],
    );
    let cand = matrix_results(
        "s",
        &[
            (json!({"c": "lz4"}), reps(&BASE)),
            (json!({"c": "none"}), reps(&BASE.map(|v| v * 0.7))),
        ],
        &["fill"],
    );
    let cmp = compare(&base, "b", &cand, "c", &opts(&[])).unwrap();
    let md = markdown::render(&cmp);
    assert!(md.starts_with("### lsmlab compare: :x: regression\n"), "{md}");
    let table: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(md.matches("| | cell | phase |").count(), 1, "one table");
    assert_eq!(table.len(), 2 + cmp.rows.len());
    assert!(
        table[2].starts_with("| :x: regression | c=none | fill | ops_per_sec |"),
        "{md}"
    );
    assert!(table[3..].iter().all(|l| !l.contains(":x:")), "{md}");
    assert!(md.contains("**-30.0%**"), "{md}");
    // JSON carries the same rows.
    let v = serde_json::to_value(&cmp).unwrap();
    assert_eq!(v["rows"][0]["verdict"], "regression");
    assert_eq!(v["rows"][0]["method"], "mann_whitney");
    assert_eq!(v["tally"]["regressions"], 1);
}
