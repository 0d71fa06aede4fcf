//! The report of a `lsmlab tune` session's results: report.html and
//! summary.md hold the ranked candidates, the Pareto plot (two objectives)
//! and the best options as an `engine:` block, as tune.md does.

mod support;

use lsmlab_reports::tune::{ObjectiveRecord, ObjectiveUnit, TrialRecord, TuneRecord};
use lsmlab_reports::{ReportOptions, render_report};
use serde_json::{Map, Value, json};
use support::{matrix_results, reps};

fn options(bbpk: u64) -> Map<String, Value> {
    [("bloom_bits_per_key".to_string(), json!(bbpk))]
        .into_iter()
        .collect()
}

fn trial(n: usize, bbpk: u64, ops: f64, p99_ns: f64) -> TrialRecord {
    TrialRecord {
        trial: n,
        candidate: n - 1,
        rung: 0,
        scale: 1.0,
        repetition: 1,
        cell_id: format!("c{:03}-r1", n - 1),
        options: options(bbpk),
        objectives: vec![Some(ops), Some(p99_ns)],
        violations: Vec::new(),
        predicted: vec![None, None],
        seconds: 1.0,
    }
}

#[test]
fn tune_results_report_ranks_candidates_and_gives_the_best_block() {
    let cells: Vec<(Value, Vec<support::Rep>)> = [0, 10, 16]
        .iter()
        .map(|b| (json!({"bloom_bits_per_key": b}), reps(&[1000.0])))
        .collect();
    let mut results = matrix_results("bloomtune", &cells, &["fill"]);
    results.suite.resolved["engine"] = json!({"compression": "lz4", "bloom_bits_per_key": 10});
    results.tune = Some(TuneRecord {
        space: Vec::new(),
        objectives: vec![
            ObjectiveRecord {
                metric: "ops_per_sec(read_missing)".into(),
                maximize: true,
                unit: ObjectiveUnit::Plain,
            },
            ObjectiveRecord {
                metric: "p99(read_missing)".into(),
                maximize: false,
                unit: ObjectiveUnit::Nanos,
            },
        ],
        constraints: Vec::new(),
        budget: "3 trials".into(),
        candidates: 3,
        pruned: Vec::new(),
        // 16 bits: fastest and lowest p99; 0 and 10 trade one for the other.
        trials: vec![
            trial(1, 0, 1000.0, 2_000.0),
            trial(2, 10, 3000.0, 9_000.0),
            trial(3, 16, 5000.0, 1_000.0),
        ],
        finished: true,
        best: Some(options(16)),
    });
    let dir = tempfile::tempdir().unwrap();
    results.save(&dir.path().join("results.json")).unwrap();
    let report = render_report(dir.path(), &ReportOptions::default()).expect("report renders");

    let html = std::fs::read_to_string(&report.html).unwrap();
    let section = &html[html.find("<h2 id=\"tune\">").expect("tune section")..];
    assert!(section.starts_with("<h2 id=\"tune\">tune bloomtune: 3 trials of 3 candidates (3 trials)</h2>"));
    assert!(
        html.contains("<a href=\"#tune\">"),
        "navigation links the section"
    );
    // Ranked: t3 dominates both others (rank 1); then t2 (faster) before t1.
    let rank_of = |label: &str| {
        let row = section
            .split("<tr>")
            .find(|r| r.contains(&format!(">{label}<")))
            .unwrap_or_else(|| panic!("no row {label}"));
        row[row.find('>').unwrap() + 1..row.find("</td>").unwrap()].to_string()
    };
    assert_eq!(rank_of("bloom_bits_per_key=16"), "1");
    assert_eq!(rank_of("bloom_bits_per_key=10"), "2");
    assert_eq!(rank_of("bloom_bits_per_key=0"), "3");
    assert!(section.contains("<td class=\"r\">1.0us</td>"), "p99 in its unit");
    assert!(
        section.contains("id=\"plot-pareto\""),
        "the Pareto plot is inlined"
    );
    assert!(
        section.contains("<pre>engine:\n  bloom_bits_per_key: 16\n  compression: lz4\n</pre>"),
        "best block over the suite's engine options"
    );
    assert!(report.dir.join("plots/pareto.png").is_file());

    let md = std::fs::read_to_string(&report.markdown).unwrap();
    assert!(md.contains("## tune bloomtune: 3 trials of 3 candidates (3 trials)"));
    assert!(
        md.contains("| 1 | bloom_bits_per_key=16 | 0 | 100% | t003 | 5000 | - | 1.0us | - | yes |"),
        "{md}"
    );
    assert!(md.contains("```yaml\nengine:\n  bloom_bits_per_key: 16\n  compression: lz4\n```"));
}
