//! Every suite shipped in configs/ parses and validates, states the
//! question it answers, and (for the CI smoke suite) generates exactly the
//! operations it asks for.

mod common;

use std::path::{Path, PathBuf};

use common::StubChecker;
use lsmlab_workloads::{Op, OpStream, PhaseKind, load_suite, stream_seed};

fn config_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("configs/ exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_config_parses_and_has_a_question_header() {
    let files = config_files();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap_or_default().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "quick.yaml",
        "dbbench.yaml",
        "levels.yaml",
        "subcompactions.yaml",
        "compression.yaml",
        "range-delete.yaml",
        "read-hot.yaml",
        "ycsb-a.yaml",
        "ycsb-b.yaml",
        "ycsb-c.yaml",
        "ycsb-d.yaml",
        "ycsb-e.yaml",
        "ycsb-f.yaml",
    ] {
        assert!(names.iter().any(|n| n == expected), "missing configs/{expected}");
    }
    for path in files {
        let suite = load_suite(&path, &StubChecker).unwrap_or_else(|e| panic!("{e}"));
        let text = std::fs::read_to_string(&path).expect("readable");
        assert!(
            text.starts_with("# "),
            "{}: needs a comment header",
            path.display()
        );
        assert!(
            text.contains("Question:"),
            "{}: header must say what question it answers",
            path.display()
        );
        assert!(!suite.description.is_empty(), "{}", path.display());
        assert!(!suite.phases.is_empty());
        assert!(!suite.cells().is_empty());
    }
}

#[test]
fn matrix_suites_expand_as_written() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs");
    let levels = load_suite(&dir.join("levels.yaml"), &StubChecker).expect("levels");
    assert_eq!(levels.cells().len(), 6);
    assert_eq!(levels.repeat, 3);
    assert_eq!(levels.matrix[0].0, "num_levels");
    let sub = load_suite(&dir.join("subcompactions.yaml"), &StubChecker).expect("subcompactions");
    assert_eq!(sub.cells().len(), 5, "one of 6 cells is excluded");
    let comp = load_suite(&dir.join("compression.yaml"), &StubChecker).expect("compression");
    assert_eq!(comp.cells().len(), 7);
}

#[test]
fn ycsb_mixes_follow_the_core_workloads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs");
    let mix = |f: &str| {
        let s = load_suite(&dir.join(f), &StubChecker).expect("ycsb parses");
        s.phases.iter().find_map(|p| match &p.kind {
            PhaseKind::Mixed {
                read,
                write,
                scan,
                update,
                insert,
                ..
            } => Some([*read, *write, *scan, *update, *insert]),
            PhaseKind::ReadRandom => Some([1.0, 0.0, 0.0, 0.0, 0.0]),
            _ => None,
        })
    };
    assert_eq!(mix("ycsb-a.yaml"), Some([0.5, 0.5, 0.0, 0.0, 0.0]));
    assert_eq!(mix("ycsb-b.yaml"), Some([0.95, 0.05, 0.0, 0.0, 0.0]));
    assert_eq!(mix("ycsb-c.yaml"), Some([1.0, 0.0, 0.0, 0.0, 0.0]));
    assert_eq!(mix("ycsb-d.yaml"), Some([0.95, 0.0, 0.0, 0.0, 0.05]));
    assert_eq!(mix("ycsb-e.yaml"), Some([0.0, 0.0, 0.95, 0.0, 0.05]));
    assert_eq!(mix("ycsb-f.yaml"), Some([0.5, 0.0, 0.0, 0.5, 0.0]));
}

#[test]
fn quick_suite_generates_exactly_its_ops() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs/quick.yaml");
    let suite = load_suite(&path, &StubChecker).expect("quick parses");
    for (i, phase) in suite.phases.iter().enumerate() {
        let Some(ops) = phase.common.ops else { continue };
        let threads = phase.common.threads;
        let mut total = 0u64;
        for t in 0..threads {
            let mut s = OpStream::new(&suite, i, stream_seed(suite.seed, 0, 0, i), t, threads);
            if s.is_writer() {
                // The writer never ends on its own; take a few ops.
                for _ in 0..100 {
                    assert!(matches!(s.next_op(), Some(Op::Put { .. })));
                }
                continue;
            }
            while let Some(op) = s.next_op() {
                total += op.ops();
            }
        }
        assert_eq!(total, ops, "phase {}", phase.name);
    }
}

#[test]
fn resolved_suite_serializes_in_suite_spelling() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs");
    let suite = load_suite(&dir.join("levels.yaml"), &StubChecker).expect("levels");
    let v = serde_json::to_value(&suite).expect("serializable");
    assert_eq!(v["phases"][5]["common"]["duration"], "20s");
    assert_eq!(v["phases"][5]["kind"], "read_random");
    assert_eq!(v["phases"][0]["kind"]["fill"]["order"], "random");
    assert_eq!(v["phases"][1]["common"]["distribution"], "uniform");
    assert_eq!(v["engine"]["write_buffer_size"], "2MiB");
    assert_eq!(v["matrix"][0][0], "num_levels");
    assert_eq!(v["data"]["keys"], 2_000_000);
}
