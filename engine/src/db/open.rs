//! Opening a database: lock, MANIFEST recovery, WAL replay, orphan cleanup.
//!
//! Recovery replays every WAL at or above the MANIFEST's log number, oldest
//! first, into memtables that are flushed to L0 as they fill and at the end;
//! one MANIFEST edit then records those tables and a fresh WAL, after which
//! the replayed logs are obsolete. Damage in a log is handled per
//! `wal_recovery_mode`; replay never produces a state that is not a prefix
//! of the acknowledged writes, except in `skip_any_corrupted` (salvage).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};

use parking_lot::{Condvar, Mutex, RwLock};

use super::state::{DbState, SuperVersion};
use super::{DbInner, active_wal, cleanup, flush, write};
use crate::batch::WriteBatch;
use crate::cache::{BlockCache, TableCache};
use crate::error::{Error, Result};
use crate::filename::{self, FileKind, parse_file_name};
use crate::fs::{FileSystem, RealFileSystem};
use crate::memtable::MemTable;
use crate::options::{Options, WalRecoveryMode};
use crate::rate_limiter::RateLimiter;
use crate::snapshot::SnapshotList;
use crate::stats::Counters;
use crate::version::{VersionEdit, VersionSet};
use crate::wal::{LogReader, LogWriter, Predecessor};

/// Opens or creates the database at `dir`.
pub(crate) fn open(dir: &Path, options: Options) -> Result<Arc<DbInner>> {
    options.validate()?;
    let fs: Arc<dyn FileSystem> = options
        .file_system
        .clone()
        .unwrap_or_else(|| Arc::new(RealFileSystem));
    if options.create_if_missing {
        fs.create_dir_all(dir)?;
    } else if !fs.exists(dir) {
        return Err(Error::InvalidArgument(format!(
            "database {} does not exist (create_if_missing is false)",
            dir.display()
        )));
    }
    let lock = fs.lock_file(&filename::lock_file(dir))?;
    let (versions, info) = VersionSet::open(Arc::clone(&fs), dir, &options)?;

    let mut old_logs: Vec<u64> = fs
        .list_dir(dir)?
        .iter()
        .filter_map(|name| match parse_file_name(name) {
            Some(FileKind::Log(n)) if n >= info.log_number => Some(n),
            _ => None,
        })
        .collect();
    old_logs.sort_unstable();
    for &n in &old_logs {
        versions.mark_file_number_used(n);
    }

    let new_log = versions.new_file_number();
    let wal_path = filename::log_file(dir, new_log);
    let wal = LogWriter::new(fs.new_writable(&wal_path)?, wal_path.display().to_string());
    // The log must survive a crash as soon as a write to it is acknowledged.
    fs.sync_dir(dir)?;
    let counters = Arc::new(Counters::new(options.num_levels));
    let block_cache = (options.block_cache_size > 0).then(|| BlockCache::new(options.block_cache_size));
    let table_cache = Arc::new(TableCache::new(
        Arc::clone(&fs),
        dir.to_path_buf(),
        options.max_open_files,
        block_cache.clone(),
        Arc::clone(&counters),
        options.paranoid_checks,
    ));
    let rate_limiter =
        (options.rate_limit_bytes_per_sec > 0).then(|| RateLimiter::new(options.rate_limit_bytes_per_sec));
    let subcompaction_pool = if options.max_subcompactions > 1 && !options.deterministic {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(options.max_subcompactions)
            .thread_name(|i| format!("lsmlab-sub-{i}"))
            .build()
            .map_err(|e| {
                Error::io(
                    "start subcompaction threads",
                    std::io::Error::other(e.to_string()),
                )
            })?;
        Some(pool)
    } else {
        None
    };
    let mem = MemTable::with_filter(new_log, crate::memtable::filter_bytes(options.write_buffer_size));
    let version = versions.current();
    let sv = SuperVersion::new(
        Arc::clone(&mem),
        Vec::new(),
        Arc::clone(&version),
        SuperVersion::level_files_of(&version),
    );
    let db = Arc::new(DbInner {
        dir: dir.to_path_buf(),
        fs,
        versions,
        table_cache,
        block_cache,
        counters,
        snapshots: SnapshotList::new(),
        rate_limiter,
        subcompaction_pool,
        picker_config: crate::compaction::picker::PickerConfig::from_options(&options),
        state: Mutex::new(DbState::new(mem)),
        work_cv: Condvar::new(),
        done_cv: Condvar::new(),
        super_version: RwLock::new(Arc::new(sv)),
        write_queue: Mutex::new(Default::default()),
        wal: Mutex::new(active_wal::ActiveWal::new(wal, new_log)),
        visible_seq: AtomicU64::new(info.last_sequence),
        last_unlogged_seq: AtomicU64::new(0),
        closed: AtomicBool::new(false),
        reads_in_flight: std::sync::atomic::AtomicUsize::new(0),
        #[cfg(test)]
        hooks: Default::default(),
        lock: Mutex::new(Some(Arc::from(lock))),
        options,
    });

    let last_seq = replay_logs(&db, &old_logs, info.log_number, info.last_sequence, new_log)?;
    db.visible_seq
        .store(last_seq, std::sync::atomic::Ordering::Release);
    {
        let mut st = db.state.lock();
        db.install_super_version(&mut st);
    }
    cleanup::remove_orphans_at_open(&db);
    Ok(db)
}

/// Replays `logs` into L0 tables and installs them with the new WAL number.
/// Returns the last sequence number.
///
/// A damaged tail is a gap only if a newer log holds a record: newer logs
/// with no record at all (left by an interrupted open or a failed WAL
/// rotation, which create the next log before anything is written to it)
/// do not make an older torn tail unreplayable, so recovery can be
/// interrupted and restarted any number of times.
///
/// A log that starts with a [`Predecessor`] record names the log before it
/// and that log's final length. If that log (at or above `min_log`, so not
/// yet obsolete) replayed fewer bytes, or is missing, its tail was lost in a
/// power loss (a switch does not sync it); nothing after that point was
/// synced (a sync write syncs older logs first), so replay stops there: a
/// prefix (`absolute_consistency`: an error; `skip_any_corrupted`: go on).
fn replay_logs(db: &DbInner, logs: &[u64], min_log: u64, mut last_seq: u64, new_log: u64) -> Result<u64> {
    let mode = db.options.wal_recovery_mode;
    let mut edit = VersionEdit::default();
    let mut mem = MemTable::new(0);
    // A damaged tail seen in an older log: an error once a later record shows up.
    let mut gap: Option<Error> = None;
    // Last sequence of the last record replayed (0: none yet).
    let mut replayed_seq = 0;
    // The log replayed before this one: its number and the bytes of its records.
    let mut previous: Option<(u64, u64)> = None;
    'logs: for &number in logs {
        let path = filename::log_file(&db.dir, number);
        let name = path.display().to_string();
        let mut reader = LogReader::new(db.fs.open_sequential(&path)?, name.clone(), mode);
        let mut stop_after_this_log = false;
        let mut first_record = true;
        while let Some((record, offset)) = reader.read_record()? {
            if std::mem::take(&mut first_record)
                && let Some(p) = Predecessor::decode(&record)
            {
                if let Some(replayed) = lost_tail(p, previous, min_log) {
                    match mode {
                        WalRecoveryMode::SkipAnyCorrupted => {}
                        WalRecoveryMode::AbsoluteConsistency => {
                            return Err(Error::corruption(
                                &name,
                                offset,
                                format!(
                                    "log {} held {} bytes when this log was opened but {replayed} \
                                     were replayed (its tail was lost)",
                                    p.log_number, p.length
                                ),
                            ));
                        }
                        // The writes from the lost tail on were never synced.
                        _ => break 'logs,
                    }
                }
                // The previous log is complete: damage past its recorded
                // end is no hole in the writes.
                gap = None;
                continue;
            }
            if let Some(e) = gap.take() {
                return Err(e);
            }
            let decoded = WriteBatch::from_encoded(record, &name, offset).and_then(|b| {
                // Sequences only grow from one record to the next, across logs too.
                if b.sequence() <= replayed_seq {
                    return Err(Error::corruption(
                        &name,
                        offset,
                        format!(
                            "write batch sequence {} does not follow the previous record's {replayed_seq}",
                            b.sequence()
                        ),
                    ));
                }
                Ok(b)
            });
            let batch = match decoded {
                Ok(b) => b,
                Err(e) => match mode {
                    WalRecoveryMode::SkipAnyCorrupted => continue,
                    WalRecoveryMode::PointInTime => {
                        stop_after_this_log = true;
                        break;
                    }
                    _ => return Err(e),
                },
            };
            let first = batch.sequence();
            let next = write::insert_batch(&mem, &batch, first);
            replayed_seq = replayed_seq.max(next.saturating_sub(1));
            last_seq = last_seq.max(replayed_seq);
            if mem.approximate_memory_usage() >= db.options.write_buffer_size {
                flush_recovered(db, &mem, &mut edit)?;
                mem = MemTable::new(0);
            }
        }
        previous = Some((number, reader.valid_len()));
        let report = reader.report();
        let damaged = report.torn_tail || !report.damages.is_empty();
        if damaged && mode == WalRecoveryMode::TolerateCorruptedTail {
            gap = Some(Error::corruption(
                name,
                0,
                format!(
                    "log is damaged ({}) but a newer log holds records; refusing to replay a gap \
                     (set wal_recovery_mode to point_in_time or skip_any_corrupted to recover)",
                    report.damages.join("; ")
                ),
            ));
        }
        if stop_after_this_log || (damaged && mode == WalRecoveryMode::PointInTime) {
            break;
        }
    }
    if !mem.is_empty() {
        flush_recovered(db, &mem, &mut edit)?;
    }
    db.versions.set_last_sequence(last_seq);
    if !edit.new_files.is_empty() {
        db.fs.sync_dir(&db.dir)?;
    }
    edit.log_number = Some(new_log);
    cleanup::log_and_apply(db, edit)?;
    Ok(last_seq)
}

/// `Some(bytes replayed)` if the log `p` names (not obsolete: `>= min_log`)
/// replayed fewer than `p.length` bytes or is missing (`previous` is the
/// log replayed just before, with its replayed length).
fn lost_tail(p: Predecessor, previous: Option<(u64, u64)>, min_log: u64) -> Option<u64> {
    if p.log_number < min_log {
        return None;
    }
    match previous {
        Some((n, len)) if n == p.log_number => (len < p.length).then_some(len),
        _ => Some(0),
    }
}

fn flush_recovered(db: &DbInner, mem: &Arc<MemTable>, edit: &mut VersionEdit) -> Result<()> {
    let number = db.versions.new_file_number();
    if let Some((meta, _)) = flush::build_table(db, number, 0, mem)? {
        edit.new_files.push((0, meta));
    }
    Ok(())
}
