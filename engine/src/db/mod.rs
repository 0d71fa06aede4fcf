//! The database: the one orchestrator of the engine, split by path.
//!
//! - [`open`](self::open): lock, MANIFEST recovery, WAL replay, orphan cleanup.
//! - [`write`](self::write): group commit (one WAL append + one fsync per group),
//!   memtable switch, write stalls.
//! - [`read`](self::read): point reads, snapshots, iterators.
//! - [`background`](self::background): flush and compaction threads.
//! - [`flush`](self::flush) / [`compact`](self::compact): the jobs themselves.
//! - [`properties`](self::properties): `Db::property` names.
//!
//! Invariants:
//! - Only the write-group leader appends to the WAL, switches memtables and
//!   inserts into the active memtable; readers never take the write lock.
//! - `visible_seq` is published after a group's memtable inserts complete, so
//!   a reader never sees half a batch.
//! - A file is deleted only when no live `Version` (including ones pinned by
//!   iterators) references it and no running job will install it.
//! - The MANIFEST is synced before any file it obsoletes is deleted; a file
//!   named by an edit whose MANIFEST write failed is never deleted
//!   (quarantine, see `cleanup`).
//!
//! Lock order of `DbInner` (a lock may only be taken while holding locks
//! listed before it; functions say what they need in LevelDB's
//! `REQUIRES:` style):
//!
//! 1. `write_queue`: held only to queue, dequeue and hand results to
//!    followers (each `Writer`'s own `result` mutex is taken under it); never
//!    held while committing, so it is never held with the locks below.
//! 2. `state`: the background bookkeeping. While holding it, code may take
//!    `wal` (the leader switching logs in `make_room`), `super_version` (for
//!    writing, in `install_super_version`) and the version set's internal
//!    locks (`current`, `live_files`); never `write_queue`.
//! 3. `wal`: the active log; a leaf (only the file is touched under it).
//!    The leader appends and syncs under it without holding `state`.
//! 4. `super_version`: a leaf; readers take it alone, for an `Arc` clone.
//! 5. `lock`: the LOCK file handle; a leaf, taken alone (iterator creation,
//!    close).
//!
//! Who may touch the files after `close` begins: an iterator holds a clone
//! of the LOCK, so it stays released until the last iterator is dropped; a
//! point read registers in `reads_in_flight` before its open check, and
//! close releases the LOCK only once that count is zero (a `get` either
//! fails with `Closed` or finishes against files no other process owns).
//!
//! Outside `DbInner`: `VersionSet::log_and_apply` holds the version set's
//! writer lock across a MANIFEST write and takes no `DbInner` lock (callers
//! must not hold `state`); the snapshot list's lock is a leaf (a snapshot
//! reads `visible_seq`, an atomic, under it); condition variables
//! (`work_cv`, `done_cv`) are waited on with `state` held.

mod active_wal;
mod background;
mod cleanup;
mod close;
mod compact;
mod flush;
#[cfg(test)]
mod hooks;
mod open;
mod properties;
mod read;
mod state;
mod write;

#[cfg(test)]
mod rollover_tests;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;

use parking_lot::{Condvar, Mutex, RwLock};

use crate::batch::WriteBatch;
use crate::cache::{BlockCache, TableCache};
use crate::error::{Error, Result};
use crate::fs::{FileLock, FileSystem};
use crate::options::{Options, ReadOptions, WriteOptions};
use crate::rate_limiter::RateLimiter;
use crate::snapshot::{Snapshot, SnapshotList};
use crate::stats::{Counters, Stats};
use crate::version::VersionSet;

pub use crate::iter::db_iter::DbIterator;
use state::{DbState, SuperVersion};
use write::WriteQueue;

/// An open database. `Send + Sync`: share it between threads by reference
/// or in an `Arc`. Dropping it closes it (as [`Db::close`], errors ignored).
pub struct Db {
    inner: Arc<DbInner>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

/// Everything the handle, the writers and the background threads share.
pub(crate) struct DbInner {
    pub(crate) dir: PathBuf,
    pub(crate) options: Options,
    pub(crate) fs: Arc<dyn FileSystem>,
    pub(crate) versions: VersionSet,
    pub(crate) table_cache: Arc<TableCache>,
    pub(crate) block_cache: Option<Arc<BlockCache>>,
    pub(crate) counters: Arc<Counters>,
    pub(crate) snapshots: Arc<SnapshotList>,
    pub(crate) rate_limiter: Option<Arc<RateLimiter>>,
    /// The compaction policy's view of the options.
    pub(crate) picker_config: crate::compaction::picker::PickerConfig,
    /// Threads for subcompactions (only when `max_subcompactions > 1`).
    pub(crate) subcompaction_pool: Option<rayon::ThreadPool>,
    /// Memtables, background-job bookkeeping, errors.
    pub(crate) state: Mutex<DbState>,
    /// Wakes background workers: new work or shutdown.
    pub(crate) work_cv: Condvar,
    /// Wakes waiters: a flush or compaction finished (stalled writers,
    /// `flush()`, `wait_for_compaction()`, manual compactions).
    pub(crate) done_cv: Condvar,
    /// What readers use: memtables + version, swapped as a unit.
    pub(crate) super_version: RwLock<Arc<SuperVersion>>,
    /// Writers waiting to commit; the front one leads a group.
    pub(crate) write_queue: Mutex<WriteQueue>,
    /// The active WAL; touched only by the write leader (and close).
    pub(crate) wal: Mutex<active_wal::ActiveWal>,
    /// Highest sequence number whose writes are fully applied and readable.
    pub(crate) visible_seq: AtomicU64,
    /// Highest sequence number written with the WAL disabled (0: none).
    pub(crate) last_unlogged_seq: AtomicU64,
    /// Set by `close`; every later call fails with `Error::Closed`.
    pub(crate) closed: AtomicBool,
    /// Point reads between their open check and their return; close waits
    /// for none to be left before it releases the LOCK (see `close`).
    pub(crate) reads_in_flight: std::sync::atomic::AtomicUsize,
    /// Code unit tests run inside race windows.
    #[cfg(test)]
    pub(crate) hooks: hooks::Hooks,
    /// The LOCK file, held from open until `close` (or drop) and until the
    /// last iterator is dropped (each holds a clone).
    lock: Mutex<Option<Arc<dyn FileLock>>>,
}

impl Db {
    /// Opens (and, with `create_if_missing`, creates) the database at `path`.
    pub fn open(path: impl AsRef<Path>, options: Options) -> Result<Db> {
        let inner = open::open(path.as_ref(), options)?;
        let workers = background::start_workers(&inner)?;
        let db = Db {
            inner,
            workers: Mutex::new(workers),
        };
        if db.inner.options.deterministic
            && let Err(e) = background::run_inline(&db.inner)
        {
            // What recovery left to flush or compact could not be done.
            let _ = db.close();
            return Err(e);
        }
        Ok(db)
    }

    fn check_open(&self) -> Result<()> {
        if self.inner.closed.load(Ordering::Acquire) {
            Err(Error::Closed)
        } else {
            Ok(())
        }
    }

    /// Sets `key` to `value`. A key over [`MAX_KEY_SIZE`](crate::batch::MAX_KEY_SIZE)
    /// (8 MiB) or a value over [`MAX_VALUE_SIZE`](crate::batch::MAX_VALUE_SIZE)
    /// (512 MiB) is `InvalidArgument`, and nothing is written.
    pub fn put(&self, key: &[u8], value: &[u8]) -> Result<()> {
        let mut b = WriteBatch::new();
        b.put(key, value);
        self.write(b, &WriteOptions::default())
    }

    /// Deletes `key`.
    pub fn delete(&self, key: &[u8]) -> Result<()> {
        let mut b = WriteBatch::new();
        b.delete(key);
        self.write(b, &WriteOptions::default())
    }

    /// Deletes every key in `[begin, end)`. `InvalidArgument` if `begin` is
    /// after `end` or a bound is over the key size limit.
    pub fn delete_range(&self, begin: &[u8], end: &[u8]) -> Result<()> {
        let mut b = WriteBatch::new();
        b.delete_range(begin, end);
        b.check()?;
        if begin > end {
            return Err(Error::InvalidArgument(format!(
                "delete_range begin {} is after end {}",
                show_key(begin),
                show_key(end)
            )));
        }
        self.write(b, &WriteOptions::default())
    }

    /// Applies `batch` atomically: all of it or, on an error, none of it is
    /// visible. `InvalidArgument`, before anything is written, if the batch
    /// holds an update over the size limits (keys and range-deletion bounds
    /// at most [`MAX_KEY_SIZE`](crate::batch::MAX_KEY_SIZE) = 8 MiB, values at most
    /// [`MAX_VALUE_SIZE`](crate::batch::MAX_VALUE_SIZE) = 512 MiB; see
    /// [`WriteBatch`]).
    pub fn write(&self, batch: WriteBatch, options: &WriteOptions) -> Result<()> {
        self.check_open()?;
        write::write(&self.inner, batch, options)
    }

    /// Reads the latest value of `key`.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.get_with(key, &ReadOptions::default())
    }

    /// Reads `key` with read options (e.g. at a snapshot).
    pub fn get_with(&self, key: &[u8], options: &ReadOptions) -> Result<Option<Vec<u8>>> {
        let _in_flight = close::ReadInFlight::enter(&self.inner)?;
        read::get(&self.inner, key, options)
    }

    /// A consistent view of the current state; released when dropped.
    pub fn snapshot(&self) -> Snapshot {
        // The sequence is read under the snapshot list's lock (see
        // `SnapshotList::acquire_with`): no compaction can drop a version
        // this snapshot needs in between.
        self.inner.snapshots.acquire_with(|| {
            let seq = self.inner.visible_seq.load(Ordering::Acquire);
            // Tests race a flush and compaction between reading and
            // registering the sequence.
            #[cfg(test)]
            self.inner.hooks.fire_read_window(&self.inner);
            seq
        })
    }

    /// An iterator over user keys and values (bounds and snapshot from
    /// `options`). It pins what it reads, and keeps working after `close`
    /// (holding the LOCK file until it is dropped).
    pub fn iter(&self, options: &ReadOptions) -> Result<DbIterator> {
        self.check_open()?;
        read::iter(&self.inner, options)
    }

    /// Flushes the memtable to an L0 table and waits for it.
    pub fn flush(&self) -> Result<()> {
        self.check_open()?;
        flush::flush_and_wait(&self.inner)
    }

    /// Compacts every file overlapping `[begin, end]` (None = unbounded) down
    /// the levels, dropping what can be dropped; waits for it.
    pub fn compact_range(&self, begin: Option<&[u8]>, end: Option<&[u8]>) -> Result<()> {
        self.check_open()?;
        flush::flush_and_wait(&self.inner)?;
        compact::compact_range(&self.inner, begin, end)
    }

    /// Waits until no flush or compaction is running or needed.
    pub fn wait_for_compaction(&self) -> Result<()> {
        self.check_open()?;
        background::wait_for_idle(&self.inner)
    }

    /// A snapshot of every statistic.
    pub fn stats(&self) -> Stats {
        properties::stats(&self.inner)
    }

    /// Zeroes the cumulative statistics (the LSM shape is unaffected).
    pub fn reset_stats(&self) {
        self.inner.counters.reset();
    }

    /// A named property (`lsmlab.num-files-at-level<N>`, `lsmlab.stats`, ...);
    /// `None` for an unknown name.
    pub fn property(&self, name: &str) -> Option<String> {
        properties::property(&self.inner, name)
    }

    /// The directory this database lives in.
    pub fn path(&self) -> &Path {
        &self.inner.dir
    }

    /// Closes the database: stalled and queued writers, `flush()` and
    /// compaction waits fail with `Closed` (as does every later call);
    /// running compactions stop; the WAL is synced; memtables are flushed if
    /// they hold writes made with `disable_wal` (logged writes are recovered
    /// from the WAL on the next open instead); background threads stop and
    /// the LOCK file is released. Iterators created before keep working and
    /// keep the LOCK held until they are dropped (so no other `Db` can change
    /// the files under them). Returns promptly even when writers are stalled.
    /// Returns the WAL sync error or the background error that kept unlogged
    /// writes from being flushed; a second call returns `Ok`.
    pub fn close(&self) -> Result<()> {
        // SeqCst: pairs with `ReadInFlight::enter` (see `close`).
        if self.inner.closed.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        close::close(&self.inner, &self.workers)
    }
}

/// A key for an error message: lossy UTF-8, cut after 64 bytes.
fn show_key(key: &[u8]) -> String {
    const SHOWN: usize = 64;
    let shown = String::from_utf8_lossy(&key[..key.len().min(SHOWN)]);
    if key.len() > SHOWN {
        format!("{shown:?}... ({} bytes)", key.len())
    } else {
        format!("{shown:?}")
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("dir", &self.inner.dir).finish()
    }
}
