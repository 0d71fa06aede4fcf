//! Flush: an immutable memtable becomes an L0 table.
//!
//! Flushes run one at a time, oldest memtable first, so L0 files are ordered
//! by age and the WAL horizon (`log_number`) only moves forward. Installing
//! a flush records the new file and the oldest WAL still needed in one
//! MANIFEST edit; WALs below that number are then deleted.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{DbInner, cleanup, write};
use crate::compaction::compaction_iter::{CompactionIterConfig, CompactionIterator};
use crate::error::{Error, Result};
use crate::filename;
use crate::iter::fragmenter::FragmentedTombstones;
use crate::key::parse_internal_key;
use crate::memtable::MemTable;
use crate::sst::{TableBuilder, TableBuilderOptions, TableProperties};
use crate::stats::LevelWork;
use crate::version::{FileMeta, VersionEdit};

/// Switches the active memtable and waits until every memtable queued
/// before this call is flushed.
/// REQUIRES: no lock held.
pub(crate) fn flush_and_wait(db: &DbInner) -> Result<()> {
    write::switch_memtable(db)?;
    let mut st = db.state.lock();
    // Wait for the memtables that exist now (the active one is empty or new).
    let target = st.imm.back().map(|m| m.log_number());
    db.work_cv.notify_all();
    while let Some(t) = target {
        if let Some(e) = &st.bg_error {
            return Err(e.clone());
        }
        if st.closing {
            return Err(Error::Closed);
        }
        if st.imm.front().is_none_or(|m| m.log_number() > t) {
            break;
        }
        db.done_cv.wait_for(&mut st, Duration::from_millis(100));
    }
    Ok(())
}

/// Writes memtable `mem` into table `number` at `level`; returns its
/// metadata, or `None` if there was nothing to write (the file is then
/// removed). Rate-limited when a limiter is configured.
///
/// The entries pass through the [`CompactionIterator`] (as RocksDB's
/// flush does): a version shadowed by a newer one of the same key with no
/// live snapshot between them, or covered by a newer range tombstone of the
/// memtable in its stripe, is dropped, so a memtable of overwrites writes
/// each key once. Tombstones are all kept (not bottommost), and the
/// compaction filter is not applied. A snapshot taken after the sequences
/// are read sits above every entry of the (immutable) memtable, so it reads
/// the newest versions, which are kept.
pub(crate) fn build_table(
    db: &DbInner,
    number: u64,
    level: usize,
    mem: &Arc<MemTable>,
) -> Result<Option<(FileMeta, TableProperties)>> {
    let tombstones = mem.raw_range_tombstones();
    let mut iter = CompactionIterator::new(
        Box::new(mem.iter()),
        CompactionIterConfig {
            snapshots: db.snapshots.sequences(),
            bottommost: false,
            output_level: level,
            filter: None,
            tombstones: Arc::new(FragmentedTombstones::new(tombstones.clone())),
            lower: None,
            upper: None,
        },
    );
    let path = filename::table_file(&db.dir, number);
    let file = db.fs.new_writable(&path)?;
    let mut builder = TableBuilder::new(
        TableBuilderOptions::for_level(&db.options, level),
        file,
        path.display().to_string(),
    );
    let mut unthrottled = 0u64;
    iter.seek_to_start();
    while iter.valid() {
        builder.add(iter.key(), iter.value())?;
        unthrottled += (iter.key().len() + iter.value().len()) as u64;
        if unthrottled >= RATE_LIMIT_CHUNK {
            if let Some(rl) = &db.rate_limiter {
                rl.request(unthrottled);
            }
            unthrottled = 0;
        }
        iter.next();
    }
    iter.status()?;
    for t in &tombstones {
        builder.add_range_tombstone(t);
    }
    if builder.is_empty() {
        drop(builder);
        db.fs.remove_file(&path)?;
        return Ok(None);
    }
    let props = builder.finish()?;
    if let Some(rl) = db.rate_limiter.as_ref().filter(|_| unthrottled > 0) {
        rl.request(unthrottled);
    }
    db.counters
        .range_tombstones_written
        .fetch_add(props.num_range_deletions, Ordering::Relaxed);
    Ok(Some((file_meta(number, &props, &path)?, props)))
}

/// Bytes written between rate-limiter requests.
pub(crate) const RATE_LIMIT_CHUNK: u64 = 64 << 10;

/// The MANIFEST's description of a finished table.
pub(crate) fn file_meta(number: u64, p: &TableProperties, path: &Path) -> Result<FileMeta> {
    if parse_internal_key(p.smallest_key.encoded()).is_none()
        || parse_internal_key(p.largest_key.encoded()).is_none()
    {
        return Err(Error::corruption(
            path.display().to_string(),
            0,
            "table properties hold an invalid key range",
        ));
    }
    let mut meta = FileMeta::new(number, p.file_size, p.smallest_key.clone(), p.largest_key.clone());
    meta.smallest_seq = p.smallest_seq;
    meta.largest_seq = p.largest_seq;
    meta.num_entries = p.num_entries;
    meta.num_deletions = p.num_deletions;
    meta.num_range_deletions = p.num_range_deletions;
    meta.raw_key_bytes = p.raw_key_bytes;
    meta.raw_value_bytes = p.raw_value_bytes;
    Ok(meta)
}

/// Flushes the oldest immutable memtable (the caller set `flush_running`).
/// REQUIRES: no lock held; the caller set `flush_running` and `mem` is the oldest immutable memtable.
pub(crate) fn run_flush(db: &DbInner, mem: Arc<MemTable>) -> Result<()> {
    #[cfg(test)]
    db.hooks.fire_flush_start(db);
    let start = Instant::now();
    let number = db.versions.new_file_number();
    db.state.lock().pending_outputs.insert(number);
    let result: Result<()> = (|| {
        let built = build_table(db, number, 0, &mem)?;
        let mut edit = VersionEdit::default();
        // The oldest WAL still needed: the next memtable's log.
        let next_log = {
            let st = db.state.lock();
            st.imm.get(1).map_or(st.mem.log_number(), |m| m.log_number())
        };
        edit.log_number = Some(next_log);
        if let Some((meta, props)) = &built {
            edit.new_files.push((0, meta.clone()));
            db.counters
                .flush_bytes
                .fetch_add(meta.file_size, Ordering::Relaxed);
            db.counters.add_level_work(
                0,
                &LevelWork {
                    write_bytes: meta.file_size,
                    count: 1,
                    micros: start.elapsed().as_micros() as u64,
                    keys_in: props.num_entries + props.num_range_deletions,
                    ..Default::default()
                },
            );
        }
        if built.is_some() {
            // Table data was synced by the builder; its directory entry too, now.
            db.fs.sync_dir(&db.dir)?;
        }
        cleanup::log_and_apply(db, edit)?;
        Ok(())
    })();
    {
        let mut st = db.state.lock();
        st.pending_outputs.remove(&number);
        st.flush_running = false;
        match &result {
            Ok(()) => {
                let flushed = st.imm.pop_front();
                debug_assert!(flushed.is_some_and(|m| Arc::ptr_eq(&m, &mem)));
                db.install_super_version(&mut st);
                db.counters.flushes.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => db.set_background_error(&mut st, e.clone()),
        }
        db.done_cv.notify_all();
        db.work_cv.notify_all();
    }
    if result.is_ok() {
        cleanup::delete_obsolete_files(db);
    }
    result
}
