//! The read path: point reads and iterators over memtables and tables.
//!
//! A point read consults, newest first: the active memtable, the immutable
//! memtables, every L0 file that may hold the key (newest first), then at
//! most one file per deeper level (binary search on file ranges, bloom
//! filter first). Range tombstones are applied as it goes: `cover` is the
//! highest sequence of a range tombstone (visible at the read sequence)
//! covering the key in any source consulted so far. Because newer versions
//! of a key always live in newer sources, the first point entry found is the
//! answer unless `cover` hides it.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::DbInner;
use crate::error::{Error, Result};
use crate::iter::BoxedIterator;
use crate::iter::db_iter::DbIterator;
use crate::iter::level::{LevelIterator, TableOpener};
use crate::iter::merging::MergingIterator;
use crate::iter::tombstone_layers::TombstoneLayers;
use crate::key::{SequenceNumber, ValueKind, parse_internal_key};
use crate::memtable::MemGet;
use crate::options::ReadOptions;

/// The sequence a read sees: its snapshot's, or the latest visible.
pub(crate) fn read_sequence(db: &DbInner, options: &ReadOptions) -> SequenceNumber {
    match &options.snapshot {
        Some(s) => s.sequence(),
        None => db.visible_seq.load(Ordering::Acquire),
    }
}

/// Point read.
pub(crate) fn get(db: &DbInner, key: &[u8], options: &ReadOptions) -> Result<Option<Vec<u8>>> {
    db.counters.gets.fetch_add(1, Ordering::Relaxed);
    // Super version first, then the sequence (RocksDB's order): everything
    // at or below a sequence read later is in this super version or in a
    // memtable switched in after it (whose writes are all newer than what it
    // holds), so the read sees a consistent state. The other order lets a
    // flush and compaction in between drop the version the sequence needs.
    let sv = db.current_super_version();
    #[cfg(test)]
    db.hooks.fire_read_window(db);
    let read_seq = read_sequence(db, options);
    let mut cover: SequenceNumber = 0;

    for mem in std::iter::once(&sv.mem).chain(sv.imm.iter()) {
        if mem.has_range_tombstones() {
            cover = cover.max(mem.range_tombstones().max_covering_seq(key, read_seq));
        }
        match mem.get(key, read_seq) {
            MemGet::Found { seq, value } => return Ok((seq >= cover).then_some(value)),
            MemGet::Deleted { .. } => return Ok(None),
            MemGet::NotFound => {}
        }
    }

    if cover > 0 {
        // A memtable range tombstone covers the key; tables hold only older versions.
        return Ok(None);
    }

    // Tables. Read sampling (LevelDB's seek compaction): when a read had to
    // look in more than one file, the first file it looked at is charged.
    let mut first_file: Option<(usize, &crate::version::FileMeta)> = None;
    let mut files_consulted = 0usize;
    let mut result = None;
    for (level, file) in sv.version.files_for_get(key) {
        files_consulted += 1;
        if first_file.is_none() {
            first_file = Some((level, file.as_ref()));
        }
        let table = db.table_cache.get(file.number)?;
        if file.num_range_deletions > 0 {
            cover = cover.max(table.fragmented_tombstones().max_covering_seq(key, read_seq));
        }
        if let Some((ikey, value)) = table.get(key, read_seq)? {
            let parsed = parse_internal_key(&ikey).ok_or_else(|| {
                Error::corruption(
                    crate::filename::table_file(&db.dir, file.number)
                        .display()
                        .to_string(),
                    0,
                    "table returned an undecodable internal key",
                )
            })?;
            // Covered means older than the tombstone; zeroed sequences (bottommost
            // outputs) are never covered when no tombstone applies (cover == 0).
            if parsed.seq >= cover && parsed.kind == ValueKind::Value {
                result = Some(value);
            }
            break;
        }
        if cover > 0 {
            // Versions of a key in deeper sources are older than any source
            // above them, so everything left is covered (RocksDB does the same).
            break;
        }
    }
    if files_consulted > 1
        && db.options.read_triggered_compaction
        && let Some((level, file)) = first_file
    {
        charge_read(db, level, file);
    }
    Ok(result)
}

/// Charges one "looked past" read to `file`; when its budget runs out it is
/// nominated for a read-triggered compaction.
/// REQUIRES: no lock held.
fn charge_read(db: &DbInner, level: usize, file: &crate::version::FileMeta) {
    db.counters.record_read_sample(level);
    if file.record_seek() {
        let mut st = db.state.lock();
        if st.read_nominated.is_none() && level + 1 < db.options.num_levels {
            st.read_nominated = Some((level, file.number));
            db.work_cv.notify_one();
        }
    }
}

/// An iterator over the whole database at the read options' snapshot and bounds.
pub(crate) fn iter(db: &Arc<DbInner>, options: &ReadOptions) -> Result<DbIterator> {
    // The iterator holds the LOCK file: it may open tables after close, and
    // no other Db may change the files under it until it is dropped.
    let lock = db.lock.lock().clone().ok_or(Error::Closed)?;
    // Super version first, then the sequence: see `get`.
    let sv = db.current_super_version();
    #[cfg(test)]
    db.hooks.fire_read_window(db);
    let read_seq = read_sequence(db, options);
    let lower = options.lower_bound.as_deref();
    let upper = options.upper_bound.as_deref();
    let fill_cache = !options.skip_cache_fill;
    let mut children: Vec<BoxedIterator> = Vec::new();
    for mem in std::iter::once(&sv.mem).chain(sv.imm.iter()) {
        children.push(Box::new(mem.iter()));
    }
    // Range tombstones as two cached layers, nothing fragmented per
    // iterator: the active memtable's set (taken after the sequence, so it
    // holds every range delete at or below it) and the frozen rest.
    let tombstones =
        TombstoneLayers::new([sv.mem.range_tombstones(), sv.frozen_tombstones(&db.table_cache)?]);
    let in_bounds = |f: &crate::version::FileMeta| {
        let below_upper = upper.is_none_or(|u| f.smallest.user_key() < u);
        let above_lower = lower.is_none_or(|l| f.largest.user_key() >= l);
        below_upper && above_lower
    };
    for f in sv.version.files(0).iter().filter(|f| in_bounds(f)) {
        children.push(Box::new(db.table_cache.get(f.number)?.iter(fill_cache)));
    }
    for level in 1..sv.version.num_levels() {
        let files = sv.version.files(level);
        if files.is_empty() || !files.iter().any(|f| in_bounds(f)) {
            continue;
        }
        let cache = Arc::clone(&db.table_cache);
        let opener: TableOpener = Arc::new(move |number| {
            let t = cache.get(number)?;
            Ok(Box::new(t.iter(fill_cache)) as BoxedIterator)
        });
        children.push(Box::new(LevelIterator::new(
            Arc::clone(&sv.level_files[level]),
            opener,
        )));
    }
    Ok(DbIterator::new(
        Box::new(MergingIterator::new(children)),
        read_seq,
        tombstones,
        options.lower_bound.clone(),
        options.upper_bound.clone(),
        Box::new(super::cleanup::IteratorPins::new(db, sv, lock)),
    ))
}
