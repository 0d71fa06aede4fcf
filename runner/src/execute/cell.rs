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
//! - Amplification is taken after the last phase from the engine's own
//!   figures (live table bytes per level, write counters), never from the
//!   directory listing, which still holds files the engine has dropped;
//!   the listing is reported as "bytes on disk". Live user bytes are
//!   measured exactly with an untimed full scan. Formulas:
//!   `lsmlab_reports::stats::amplification`; definitions: docs/metrics.md.
//! - One [`KeySpace`] per cell repetition: inserts of one phase are visible
//!   to (and continued by) the next.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use lsmlab_reports::stats::amplification;
use lsmlab_reports::{Amplification, CellResult, CellStatus};
use lsmlab_workloads::{KeySpace, Suite};

use super::max_rate;
use super::observer::Observer;
use super::phase::{PhaseRun, PhaseSettings};
use crate::measure::hist_files;
use crate::measure::page_cache::PageCache;
use crate::measure::procfs;
use crate::plan::{Plan, cell_id, matrix_map, sanitize};
use crate::store::Store;
use lsmlab_workloads::Cell;

/// Settings shared by every cell of a run (each cell names its own store).
#[derive(Debug, Clone)]
pub struct CellSettings {
    /// Directory under which each cell's database directory is created.
    pub db_root: PathBuf,
    /// Keep each cell's database after it finishes.
    pub keep_db: bool,
    /// Sampling interval.
    pub interval: Duration,
    /// `--calibrate-slowdown`: data operations take this fraction longer.
    pub slowdown: Option<f64>,
    /// Results directory the `.hlog` files are streamed into
    /// (`hist/<cell id>/` below it); `None` keeps none.
    pub hist_root: Option<PathBuf>,
    /// How `drop_caches: true` drops the page cache.
    pub page_cache: PageCache,
}

/// A finished (or failed) cell with the phases' raw histograms.
#[derive(Debug)]
pub struct CellRun {
    /// The result row (histogram file names and `started_at` not yet
    /// filled in: the results writer formats [`CellRun::started`]).
    pub result: CellResult,
    /// When the cell started.
    pub started: SystemTime,
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
    observer: &dyn Observer,
) -> CellRun {
    let started = Instant::now();
    let started_at = SystemTime::now();
    let dir = db_dir(&settings.db_root, suite, cell, repetition);
    let kind = Plan::store_of(cell);
    let mut result = CellResult {
        id: cell_id(cell, repetition),
        store: kind.name().to_string(),
        index: cell.index,
        repetition,
        label: cell.label(),
        matrix: matrix_map(cell),
        options: cell.options.clone(),
        status: CellStatus::Ok,
        error: None,
        started_at: String::new(),
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
    // Device bytes from before open to after close: everything the store
    // wrote for this cell (WAL, flushes, compactions, its own metadata).
    let io_before = procfs::ProcSnapshot::now();
    let mut user_bytes = 0;
    let opened = std::fs::create_dir_all(&dir)
        .map_err(|e| format!("cannot create database directory {}: {e}", dir.display()))
        .and_then(|()| {
            kind.open(&dir, &cell.options)
                .map(|s| crate::gate::slowdown::wrap(s, settings.slowdown))
                .map_err(|e| format!("cannot open {} store in {}: {e}", kind.name(), dir.display()))
        });
    match opened {
        Err(e) => fail(&mut result, e),
        Ok(store) => {
            let phase_settings = PhaseSettings {
                interval: settings.interval,
                repetition,
                hist_dir: settings
                    .hist_root
                    .as_ref()
                    .map(|root| root.join(hist_files::cell_dir(&result.id))),
                hist_comment: format!(
                    "lsmlab {} suite {} cell {}",
                    env!("CARGO_PKG_VERSION"),
                    suite.name,
                    result.id
                ),
                key_space: Arc::new(KeySpace::new(suite.data.keys)),
                page_cache: settings.page_cache.clone(),
            };
            for index in 0..suite.phases.len() {
                let progress = observer.phase_started(suite, index);
                match max_rate::run(store.as_ref(), &dir, suite, index, &phase_settings, &*progress) {
                    Ok(run) => {
                        progress.finished(&run.result);
                        phases.push(run);
                    }
                    Err(e) => {
                        progress.failed();
                        fail(
                            &mut result,
                            format!("phase {} failed: {e}", suite.phases[index].name),
                        );
                        break;
                    }
                }
            }
            user_bytes = finish(store.as_ref(), suite, &mut result);
            if let Err(e) = store.close() {
                fail(&mut result, format!("close failed: {e}"));
            }
        }
    }
    let (io, _) = procfs::ProcSnapshot::now().since(&io_before);
    let amp = &mut result.amplification;
    amp.user_bytes = user_bytes;
    amp.device_write_bytes = io.write_bytes;
    amp.device_write_amp = device_write_amp(io.write_bytes, user_bytes);
    amp.db_size_bytes = procfs::dir_size_bytes(&dir);
    amp.wal_bytes_on_disk = procfs::files_size_bytes(&dir, "log");
    amp.bytes_per_live_byte = if amp.level_bytes.is_empty() {
        // Peer engines report no live table bytes per level: their whole
        // directory stands in for tables + WAL.
        amplification::bytes_per_live_byte(amp.db_size_bytes, 0, amp.live_bytes_estimate)
    } else {
        amplification::bytes_per_live_byte(amp.table_bytes, amp.wal_bytes_on_disk, amp.live_bytes_estimate)
    };
    if !settings.keep_db {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result.phases = phases.iter().map(|p| p.result.clone()).collect();
    result.seconds = started.elapsed().as_secs_f64();
    CellRun {
        result,
        started: started_at,
        phases,
    }
}

/// Device write amplification: bytes the process wrote to the device
/// (/proc/self/io `write_bytes`) / user key+value bytes written; `None`
/// when nothing was written by either.
pub fn device_write_amp(device_bytes: u64, user_bytes: u64) -> Option<f64> {
    (user_bytes > 0 && device_bytes > 0).then(|| device_bytes as f64 / user_bytes as f64)
}

/// End-of-cell statistics: engine stats, write/space/read amp, live bytes.
/// Returns the user bytes the store counted over the cell.
fn finish(store: &dyn Store, suite: &Suite, result: &mut CellResult) -> u64 {
    let stats = store.stats();
    let s = &stats.summary;
    let amp = &mut result.amplification;
    amp.total_write_amp = s.total_write_amp();
    amp.user_write_amp = s.user_write_amp();
    amp.read_amp = s.read_amp();
    amp.live_bytes_estimate = match store.scan(b"", usize::MAX) {
        Ok((_, bytes)) => bytes,
        // Fall back to the data spec when the store cannot scan.
        Err(_) => suite.data.keys * (suite.data.key_size + suite.data.value_size) as u64,
    };
    amp.level_bytes = s.level_bytes.clone();
    amp.table_bytes = s.level_bytes.iter().sum();
    amp.space_amp = amplification::space_amp(&s.level_bytes);
    amp.compression_ratio = amplification::compression_ratio(s.level_raw_bytes.iter().sum(), amp.table_bytes);
    result.final_stats = stats.raw;
    stats.summary.user_bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::execute::observer::Silent;
    use crate::store::StoreKind;

    /// Runs the suite's only cell once on the bundled engine; asserts it finished.
    fn run_one_lsmlab_cell(suite: Suite) -> CellResult {
        let plan = Plan::new(
            suite,
            None,
            Some(1),
            Some(StoreKind::Lsmlab),
            &crate::test_support::AcceptAll,
        )
        .unwrap();
        let out = tempfile::tempdir().unwrap();
        let settings = crate::test_support::cell_settings(out.path(), false);
        let run = run(&plan.suite, &plan.cells[0], 1, &settings, &Silent);
        assert_eq!(run.result.status, CellStatus::Ok, "{:?}", run.result.error);
        run.result
    }

    #[test]
    fn space_amp_is_rocksdbs_from_live_tables_not_the_directory() {
        // Before: the directory listing (which still held compaction inputs)
        // over live user bytes: 2.08 after `compact` with no compression.
        let suite = crate::test_support::suite_from_yaml(
            "name: sa\nseed: 5\ndata: {keys: 20000, key_size: 16, value_size: 100}\n\
             engine: {write_buffer_size: 64KiB, target_file_size_base: 64KiB, max_bytes_for_level_base: 256KiB, compression: none}\n\
             phases:\n  - fill: {order: random}\n  - overwrite: {ops: 20000}\n  - compact\n",
        );
        let result = run_one_lsmlab_cell(suite);
        let a = &result.amplification;
        // After a full compaction every live byte is in one (the last) level.
        assert_eq!(
            a.level_bytes.iter().filter(|&&b| b > 0).count(),
            1,
            "{:?}",
            a.level_bytes
        );
        assert_eq!(a.space_amp, Some(1.0));
        assert_eq!(a.table_bytes, a.level_bytes.iter().sum::<u64>());
        // 20000 live entries of 116 B; uncompressed tables are a little larger.
        assert_eq!(a.live_bytes_estimate, 20_000 * 116);
        let c = a.compression_ratio.unwrap();
        assert!(
            c > 0.9 && c < 1.1,
            "no compression: table format overhead only, {c}"
        );
        assert!(
            a.db_size_bytes >= a.table_bytes,
            "bytes on disk include every file"
        );
    }

    /// The compression ratio is raw table bytes over stored table bytes
    /// (RocksDB's), hand-computed here: after a full compaction each of the
    /// 4000 keys is one entry of 16 + 8 (internal key) + 100 bytes raw. The
    /// old definition (live user bytes / last-level bytes) read 0.5x for
    /// incompressible lz4 tables whose live data sat in two levels; it must
    /// be ~1.0x there, and ~2x for values that compress to half.
    #[test]
    fn compression_ratio_is_raw_over_stored_table_bytes() {
        let ratio_for = |compressibility: f64, compact: bool| {
            let suite = crate::test_support::suite_from_yaml(&format!(
                "name: cr\nseed: 5\ndata: {{keys: 4000, key_size: 16, value_size: 100, compressibility: {compressibility}}}\n\
                 engine: {{write_buffer_size: 64KiB, target_file_size_base: 64KiB, l0_compaction_trigger: 100, l0_slowdown_trigger: 200, l0_stop_trigger: 300, compression: lz4}}\n\
                 phases:\n  - fill: {{order: random}}\n  - flush\n  - overwrite: {{ops: 4000}}\n  - flush\n{}",
                if compact { "  - compact\n" } else { "" }
            ));
            run_one_lsmlab_cell(suite).amplification
        };
        // Incompressible values, two versions of most keys in L0 files: the
        // raw bytes count both versions, as the stored bytes do.
        let a = ratio_for(1.0, false);
        let c = a.compression_ratio.unwrap();
        assert!(c > 0.9 && c < 1.1, "incompressible: ~1.0x, got {c}");
        let a = ratio_for(1.0, true);
        let c = a.compression_ratio.unwrap();
        let raw = 4000.0 * (16.0 + 8.0 + 100.0);
        assert!(
            (c - raw / a.table_bytes as f64).abs() < 1e-9,
            "one version per key: {raw} raw bytes over {} stored, got {c}",
            a.table_bytes
        );
        let c = ratio_for(0.5, true).compression_ratio.unwrap();
        assert!(c > 1.6 && c < 2.4, "values compressing to half: ~2x, got {c}");
    }
}
