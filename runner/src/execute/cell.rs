//! One repetition of one matrix cell: a fresh database directory, the
//! store opened with the cell's options, every phase in order, the end
//! statistics and amplification, close, and cleanup.
//!
//! Invariants:
//! - The database directory is removed before the cell (fresh state) and
//!   after it unless `keep_db`.
//! - A failing phase fails the cell: the phases that finished are kept,
//!   later phases are skipped, the store is still closed.
//! - Operation streams depend on (suite seed, repetition, phase), not on
//!   the cell, so every cell of a matrix runs the same operations and
//!   differs only in its options ([`phase_stream_seed`]).
//! - Live bytes for space amplification are measured exactly with an
//!   untimed full scan after the last phase.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lsmlab_reports::{Amplification, CellResult, CellStatus};
use lsmlab_workloads::Suite;

use super::phase::{self, PhaseRun, PhaseSettings};
use crate::measure::procfs;
use crate::output::console::Console;
use crate::output::timestamp::utc_timestamp;
use crate::plan::{cell_id, matrix_map, sanitize};
use crate::store::{Store, StoreKind};
use lsmlab_workloads::Cell;

/// Settings shared by every cell of a run.
#[derive(Debug, Clone)]
pub struct CellSettings {
    /// Which store to open.
    pub store: StoreKind,
    /// Directory under which each cell's database directory is created.
    pub db_root: PathBuf,
    /// Keep each cell's database after it finishes.
    pub keep_db: bool,
    /// Sampling interval.
    pub interval: Duration,
    /// `--calibrate-slowdown`: data operations take this fraction longer.
    pub slowdown: Option<f64>,
}

/// A finished (or failed) cell with the phases' raw histograms.
#[derive(Debug)]
pub struct CellRun {
    /// The result row (histogram file names not yet filled in).
    pub result: CellResult,
    /// The phases that finished, in order.
    pub phases: Vec<PhaseRun>,
}

/// Seed of the operation streams of phase `phase_index` in `repetition`.
///
/// Deliberately the same for every cell (the cell index passed to
/// `lsmlab_workloads::stream_seed` is fixed at 0): cells of a matrix then run
/// identical operation sequences ("common random numbers"), so differences
/// between cells come from their options, not from the draw. Repetitions
/// get different seeds, so their spread still shows workload noise.
pub fn phase_stream_seed(suite_seed: u64, repetition: u32, phase_index: usize) -> u64 {
    lsmlab_workloads::stream_seed(suite_seed, 0, repetition as usize, phase_index)
}

/// The database directory of one cell repetition.
pub fn db_dir(root: &Path, suite: &Suite, cell: &Cell, repetition: u32) -> PathBuf {
    root.join(format!(
        "db-{}-{}",
        sanitize(&suite.name),
        cell_id(cell, repetition)
    ))
}

/// Runs `cell` once.
pub fn run(
    suite: &Suite,
    cell: &Cell,
    repetition: u32,
    settings: &CellSettings,
    console: &Console,
) -> CellRun {
    let started = Instant::now();
    let started_at = utc_timestamp(std::time::SystemTime::now());
    let dir = db_dir(&settings.db_root, suite, cell, repetition);
    let mut result = CellResult {
        id: cell_id(cell, repetition),
        index: cell.index,
        repetition,
        label: cell.label(),
        matrix: matrix_map(cell),
        options: cell.options.clone(),
        status: CellStatus::Ok,
        error: None,
        started_at,
        seconds: 0.0,
        phases: Vec::new(),
        final_stats: None,
        amplification: Amplification::default(),
    };
    let mut phases = Vec::new();
    let fail = |result: &mut CellResult, msg: String| {
        result.status = CellStatus::Failed;
        result.error.get_or_insert(msg);
    };

    let _ = std::fs::remove_dir_all(&dir);
    let opened = std::fs::create_dir_all(&dir)
        .map_err(|e| format!("cannot create database directory {}: {e}", dir.display()))
        .and_then(|()| {
            settings
                .store
                .open(&dir, &cell.options)
                .map(|s| crate::gate::slowdown::wrap(s, settings.slowdown))
                .map_err(|e| {
                    format!(
                        "cannot open {} store in {}: {e}",
                        settings.store.name(),
                        dir.display()
                    )
                })
        });
    match opened {
        Err(e) => fail(&mut result, e),
        Ok(store) => {
            let phase_settings = PhaseSettings {
                interval: settings.interval,
                repetition,
            };
            for index in 0..suite.phases.len() {
                let progress = console.phase_progress(suite, index);
                match phase::run(store.as_ref(), &dir, suite, index, &phase_settings, &progress) {
                    Ok(run) => {
                        progress.finish(&run.result);
                        phases.push(run);
                    }
                    Err(e) => {
                        progress.abandon();
                        fail(
                            &mut result,
                            format!("phase {} failed: {e}", suite.phases[index].name),
                        );
                        break;
                    }
                }
            }
            finish(store.as_ref(), suite, &mut result);
            if let Err(e) = store.close() {
                fail(&mut result, format!("close failed: {e}"));
            }
        }
    }
    result.amplification.db_size_bytes = procfs::dir_size_bytes(&dir);
    result.amplification.space_amp = match (
        result.amplification.db_size_bytes,
        result.amplification.live_bytes_estimate,
    ) {
        (0, _) | (_, 0) => None,
        (size, live) => Some(size as f64 / live as f64),
    };
    if !settings.keep_db {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result.phases = phases.iter().map(|p| p.result.clone()).collect();
    result.seconds = started.elapsed().as_secs_f64();
    CellRun { result, phases }
}

/// End-of-cell statistics: engine stats, write/read amp, live bytes.
fn finish(store: &dyn Store, suite: &Suite, result: &mut CellResult) {
    let stats = store.stats();
    let amp = &mut result.amplification;
    amp.total_write_amp = stats.summary.total_write_amp();
    amp.user_write_amp = stats.summary.user_write_amp();
    amp.read_amp = stats.summary.read_amp();
    amp.live_bytes_estimate = match store.scan(b"", usize::MAX) {
        Ok((_, bytes)) => bytes,
        // Fall back to the data spec when the store cannot scan.
        Err(_) => suite.data.keys * (suite.data.key_size + suite.data.value_size) as u64,
    };
    result.final_stats = stats.raw;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::writer::ResultsWriter;
    use crate::output::writer::results_header;
    use crate::plan::Plan;
    use crate::test_support::tiny_suite;
    use lsmlab_reports::hdr::{load_interval_log, sum_interval_log};
    use lsmlab_reports::{Host, Results};

    #[test]
    fn memory_cell_writes_results_and_histograms() {
        let plan = Plan::new(tiny_suite(), None, Some(2), &crate::test_support::AcceptAll).unwrap();
        let out = tempfile::tempdir().unwrap();
        let settings = CellSettings {
            store: StoreKind::Memory,
            db_root: out.path().to_path_buf(),
            keep_db: false,
            interval: Duration::from_millis(100),
            slowdown: None,
        };
        let mut writer = ResultsWriter::create(
            out.path(),
            results_header(&plan, StoreKind::Memory, settings.interval, Host::default()),
        )
        .unwrap();
        for (cell, rep) in plan.runs() {
            let run = run(&plan.suite, cell, rep, &settings, &Console::quiet());
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
}
