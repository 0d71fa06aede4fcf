//! `merge` on doctored shards: the parts of one run join back into the
//! whole cell set in plan order; duplicates, missing cells, foreign suites
//! and mixed splits are refused with a message naming the files; different
//! hosts only warn.

mod support;

use lsmlab_reports::merge::merge;
use lsmlab_reports::{Results, Shard};
use serde_json::json;
use support::{matrix_results, reps};

fn whole() -> Results {
    matrix_results(
        "s",
        &[
            (json!({"num_levels": 3}), reps(&[1.0, 2.0])),
            (json!({"num_levels": 5}), reps(&[3.0, 4.0])),
            (json!({"num_levels": 7}), reps(&[5.0, 6.0])),
        ],
        &["fill"],
    )
}

/// Splits `whole` by the given cell positions per shard.
fn shards(whole: &Results, split: &[&[usize]]) -> Vec<(String, Results)> {
    split
        .iter()
        .enumerate()
        .map(|(k, positions)| {
            let mut r = whole.clone();
            r.cells = positions.iter().map(|&i| whole.cells[i].clone()).collect();
            r.settings.shard = Some(Shard {
                index: k as u32 + 1,
                count: split.len() as u32,
            });
            (format!("shard{}", k + 1), r)
        })
        .collect()
}

#[test]
fn shards_merge_into_the_whole_cell_set_in_plan_order() {
    let w = whole();
    // Given out of order: shard 3 first.
    let mut parts = shards(&w, &[&[0, 1], &[2, 3], &[4, 5]]);
    parts.rotate_left(2);
    let m = merge(&parts).unwrap();
    assert_eq!(m.results.cells, w.cells);
    assert_eq!(m.results.settings.shard, None);
    assert_eq!(m.sources, [1, 1, 2, 2, 0, 0]);
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
}

#[test]
fn duplicates_and_missing_cells_are_refused() {
    let w = whole();
    let e = merge(&shards(&w, &[&[0, 1, 2], &[2, 3, 4, 5]])).unwrap_err();
    assert!(
        e.0.contains("c001-r1") && e.0.contains("both shard1 and shard2"),
        "{e}"
    );
    let e = merge(&shards(&w, &[&[0, 1], &[2, 4, 5]])).unwrap_err();
    assert!(
        e.0.starts_with(
            "1 of the suite's cell repetitions are in none of the parts: cell 1 (num_levels=5) repetition 2"
        ),
        "{e}"
    );
    let mut parts = shards(&w, &[&[0, 1, 2], &[3, 4, 5]]);
    parts[1].1.settings.shard = Some(Shard { index: 1, count: 2 });
    let e = merge(&parts).unwrap_err();
    assert!(
        e.0.contains("shard 1/2 is given twice (shard1 and shard2)"),
        "{e}"
    );
    parts[1].1.settings.shard = Some(Shard { index: 2, count: 3 });
    let e = merge(&parts).unwrap_err();
    assert!(
        e.0.contains("shard1 is a shard of 2 but shard2 is shard 2/3"),
        "{e}"
    );
    assert!(merge(&[]).is_err());
}

#[test]
fn foreign_parts_are_refused_and_other_hosts_warn() {
    let w = whole();
    let base = shards(&w, &[&[0, 1, 2], &[3, 4, 5]]);
    let with = |f: &dyn Fn(&mut Results)| {
        let mut p = base.clone();
        f(&mut p[1].1);
        merge(&p)
    };
    let e = with(&|r| r.suite.name = "t".into()).unwrap_err();
    assert!(e.0.contains("differ in suite (s vs t)"), "{e}");
    let e = with(&|r| r.lsmlab_version = "0.2.0".into()).unwrap_err();
    assert!(e.0.contains("lsmlab version (0.1.0 vs 0.2.0)"), "{e}");
    let e = with(&|r| r.schema_version = 0).unwrap_err();
    assert!(e.0.contains("schema_version"), "{e}");
    let e = with(&|r| r.suite.resolved["data"] = json!({"keys": 5})).unwrap_err();
    assert!(e.0.contains("different definitions of suite s"), "{e}");
    let e = with(&|r| r.settings.set = vec!["bloom_bits_per_key=0".into()]).unwrap_err();
    assert!(e.0.contains("--set overrides"), "{e}");
    // The suite file's path may differ between machines.
    assert!(with(&|r| r.suite.resolved["file"] = json!("/other/s.yaml")).is_ok());
    let m = with(&|r| r.host.hostname = "ci-2".into()).unwrap();
    assert_eq!(m.warnings.len(), 1);
    assert!(
        m.warnings[0].contains("timings of different hosts do not compare"),
        "{:?}",
        m.warnings
    );
}
