//! Exports on doctored results with hand-computed medians and spreads:
//! github-action-benchmark's custom JSON (one file per direction) and CSV
//! (one row per cell x phase x metric).

mod support;

use lsmlab_reports::compare::metric::Better;
use lsmlab_reports::export::{csv, entries, github};
use serde_json::{Value, json};
use support::{matrix_results, reps};

fn two_cells() -> lsmlab_reports::Results {
    matrix_results(
        "s",
        &[
            (json!({"compression": "lz4"}), reps(&[1000.0, 1100.0, 900.0])),
            (json!({"compression": "none"}), reps(&[500.0])),
        ],
        &["fill", "read_random"],
    )
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn github_benchmark_json_has_one_entry_per_cell_phase_and_metric() {
    let e = entries(&two_cells(), &names(&["ops_per_sec", "p99", "write_amp"])).unwrap();
    let bigger = github::benchmarks(&e, Better::Higher);
    let smaller = github::benchmarks(&e, Better::Lower);
    // ops_per_sec: 2 cells x 2 phases; p99: 2 x 2, write_amp: 2 cells.
    assert_eq!(bigger.len(), 4);
    assert_eq!(smaller.len(), 6);
    let v: Value = serde_json::from_str(&serde_json::to_string(&bigger).unwrap()).unwrap();
    // Median of 1000, 1100, 900 = 1000; spread = min..max (3 < 6 repetitions): ±100.
    assert_eq!(
        v[0],
        json!({"name": "s/compression=lz4/fill/ops_per_sec", "unit": "ops/s", "value": 1000.0,
               "range": "± 100", "extra": "3 repetitions; min 900 max 1100"})
    );
    // One repetition: no range.
    assert_eq!(v[2]["name"], "s/compression=none/fill/ops_per_sec");
    assert!(v[2].get("range").is_none(), "{}", v[2]);
    let wa = smaller
        .iter()
        .find(|b| b.name == "s/compression=none/write_amp")
        .unwrap();
    assert_eq!((wa.unit.as_str(), wa.value), ("x", 3.0));
    assert_eq!(github::tool_name(Better::Higher), Some("customBiggerIsBetter"));
    assert_eq!(github::tool_name(Better::Lower), Some("customSmallerIsBetter"));
    assert_eq!(github::tool_name(Better::Neither), None);
}

#[test]
fn csv_has_a_row_per_cell_phase_metric() {
    let e = entries(&two_cells(), &names(&["ops_per_sec", "compactions"])).unwrap();
    let text = csv::render(&e);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "suite,cell,phase,metric,unit,better,n,median,min,max,spread,values"
    );
    // 2 cells x (2 phases x ops_per_sec + compactions) = 6 rows.
    assert_eq!(lines.len(), 1 + 6);
    assert_eq!(
        lines[1],
        "s,compression=lz4,fill,ops_per_sec,ops/s,higher,3,1000,900,1100,0.1,1000;1100;900"
    );
    assert_eq!(
        lines[3],
        "s,compression=lz4,,compactions,count,lower,3,3,3,3,0,3;3;3"
    );
    assert_eq!(
        lines[4],
        "s,compression=none,fill,ops_per_sec,ops/s,higher,1,500,500,500,,500"
    );
}

#[test]
fn unknown_metric_is_an_error() {
    let e = entries(&two_cells(), &names(&["throughput"])).unwrap_err();
    assert!(e.contains("unknown metric \"throughput\""), "{e}");
}
