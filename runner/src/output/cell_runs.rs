//! Scenario tests of a cell run written by the results writer: the
//! results.json rows and the histogram files of real (memory-store) cells.
//! They live with the writer because they check what it writes; the cell
//! itself is observed silently, so `execute` never needs `output`.

use std::path::Path;
use std::time::Duration;

use super::writer::{ResultsWriter, results_header};
use crate::execute::cell::{db_dir, run};
use crate::execute::observer::Silent;
use crate::plan::Plan;
use crate::store::StoreKind;
use crate::test_support::{cell_settings, tiny_suite};
use lsmlab_reports::hdr::{load_interval_log, sum_interval_log};
use lsmlab_reports::{CellStatus, Host, Results};

/// A results writer in `out` for a memory-store run of `plan`.
fn memory_writer(plan: &Plan, out: &Path) -> ResultsWriter {
    let header = results_header(
        plan,
        StoreKind::Memory,
        Duration::from_millis(100),
        Host::default(),
    );
    ResultsWriter::create(out, header).unwrap()
}

#[test]
fn memory_cell_writes_results_and_histograms() {
    let plan = Plan::new(tiny_suite(), None, Some(2), &crate::test_support::AcceptAll).unwrap();
    let out = tempfile::tempdir().unwrap();
    let settings = cell_settings(StoreKind::Memory, out.path(), true);
    let mut writer = memory_writer(&plan, out.path());
    for (cell, rep) in plan.runs() {
        let run = run(&plan.suite, cell, rep, &settings, &Silent);
        assert_eq!(run.result.status, CellStatus::Ok, "{:?}", run.result.error);
        writer.add_cell(run).unwrap();
        // Written after every cell.
        let on_disk = Results::load(&out.path().join("results.json")).unwrap();
        assert_eq!(on_disk.cells.len() as u32, rep);
    }
    writer.finish().unwrap();
    let r = Results::load(&out.path().join("results.json")).unwrap();
    assert!(r.finished_at.is_some());
    assert_eq!(r.cells.len(), 2);
    let c = &r.cells[1];
    assert_eq!(c.id, "c000-r2");
    assert_eq!(c.phases.len(), 2);
    // Exact live bytes from the memory store: 1000 keys of 16 + 100 bytes at most
    // (a random fill may repeat keys, never exceed the key space).
    assert!(c.amplification.live_bytes_estimate > 0);
    assert!(c.amplification.live_bytes_estimate <= 1000 * 116);
    assert_eq!(c.amplification.space_amp, None, "memory store has no files");
    let fill = &c.phases[0];
    assert_eq!(fill.ops, 1000);
    let files = &fill.histograms["put"];
    let hlog = out.path().join(&files.hlog);
    let hgrm = out.path().join(&files.hgrm);
    assert!(hgrm.exists(), "{}", hgrm.display());
    assert_eq!(sum_interval_log(&hlog).unwrap().len(), 1000);
    assert!(
        load_interval_log(&hlog)
            .unwrap()
            .iter()
            .all(|iv| iv.tag.as_deref() == Some("put"))
    );
    assert!(
        std::fs::read_to_string(&hgrm)
            .unwrap()
            .contains("Total count    =         1000]")
    );
    assert_eq!(c.phases[1].latency["get"].count, 500);
    // The database directories were removed.
    assert!(!db_dir(out.path(), &plan.suite, &plan.cells[0], 1).exists());
}

#[test]
fn start_delay_and_writer_histograms_are_saved_apart_from_op_types() {
    let suite = crate::test_support::suite_from_yaml(
        "name: hw\ndata: {keys: 1000}\nphases:\n  - fill: {}\n  - read_random: {ops: 100, rate: 5000}\n  \
         - read_while_writing: {ops: 20000, threads: 2}\n",
    );
    let plan = Plan::new(suite, None, Some(1), &crate::test_support::AcceptAll).unwrap();
    let out = tempfile::tempdir().unwrap();
    let settings = cell_settings(StoreKind::Memory, out.path(), true);
    let mut writer = memory_writer(&plan, out.path());
    writer
        .add_cell(run(&plan.suite, &plan.cells[0], 1, &settings, &Silent))
        .unwrap();
    let r = Results::load(&out.path().join("results.json")).unwrap();
    let read = &r.cells[0].phases[1];
    assert_eq!(read.histograms.keys().collect::<Vec<_>>(), ["get"]);
    let delay = read
        .open_loop
        .as_ref()
        .unwrap()
        .start_delay_histogram
        .as_ref()
        .unwrap();
    assert_eq!(
        sum_interval_log(&out.path().join(&delay.hlog)).unwrap().len(),
        100
    );
    let rww = &r.cells[0].phases[2];
    assert_eq!(rww.histograms.keys().collect::<Vec<_>>(), ["get"]);
    let w = rww.writer.as_ref().unwrap();
    if w.ops > 0 {
        let put = &w.histograms["put"];
        assert!(
            put.hlog.ends_with("02-read_while_writing.writer_put.hlog"),
            "{}",
            put.hlog
        );
        assert_eq!(
            sum_interval_log(&out.path().join(&put.hlog)).unwrap().len(),
            w.ops
        );
    }
}
