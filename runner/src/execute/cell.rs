//! One repetition of one matrix cell: a fresh database directory, the
//! store opened with the cell's options, every phase in order, the end
//! statistics and amplification, close, and cleanup.
//!
//! Invariants:
//! - The database directory is removed before the cell (fresh state) and
//!   after it unless `keep_db`.
//! - A failing phase fails the cell: the phases that finished are kept,
//!   later phases are skipped, the store is still closed.
//! - Operation streams depend on (suite seed, repetition), not on the cell,
//!   so every cell of a matrix runs the same operations and differs only
//!   in its options.
//! - Live bytes for space amplification are measured exactly with an
//!   untimed full scan after the last phase.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lsmlab_reports::{Amplification, CellResult, CellStatus};
use lsmlab_workloads::Suite;

use super::phase::{self, PhaseRun, PhaseSettings};
use crate::measure::procfs;
use crate::output::console::Console;
use crate::output::writer::utc_timestamp;
use crate::plan::Cell;
use crate::store::{Store, StoreKind};

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
}

/// A finished (or failed) cell with the phases' raw histograms.
#[derive(Debug)]
pub struct CellRun {
    /// The result row (histogram file names not yet filled in).
    pub result: CellResult,
    /// The phases that finished, in order.
    pub phases: Vec<PhaseRun>,
}

/// Seed of the operation streams of `repetition` (splitmix64 of the suite
/// seed and the repetition).
pub fn stream_seed(suite_seed: u64, repetition: u32) -> u64 {
    let mut z = suite_seed ^ u64::from(repetition).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The database directory of one cell repetition.
pub fn db_dir(root: &Path, suite: &Suite, cell: &Cell, repetition: u32) -> PathBuf {
    let name: String = suite
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    root.join(format!("db-{name}-{}", cell.id(repetition)))
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
        id: cell.id(repetition),
        index: cell.index,
        repetition,
        label: cell.label(),
        matrix: cell.matrix_map(),
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
            settings.store.open(&dir, &cell.options).map_err(|e| {
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
                stream_seed: stream_seed(suite.seed, repetition),
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
