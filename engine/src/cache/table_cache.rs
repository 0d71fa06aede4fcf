//! The table cache: open [`Table`]s (file handle, index, filter, range
//! tombstones, properties) kept in an LRU bounded by `max_open_files`.
//!
//! Invariants: at most `max_open_files` tables are held (a table in use by a
//! reader stays alive through its `Arc` even after eviction, but the cache
//! forgets it). Each file number has one slot; the first caller to reach an
//! empty slot opens the table while later callers for the same file wait on
//! the slot's lock, so concurrent opens of one file do the I/O once. A failed
//! open leaves no slot behind, so the next call retries.

use std::path::PathBuf;
use std::sync::Arc;

use parking_lot::Mutex;

use super::block_cache::BlockCache;
use super::lru::Lru;
use crate::error::Result;
use crate::filename::table_file;
use crate::fs::FileSystem;
use crate::sst::Table;
use crate::stats::Counters;

type Slot = Arc<Mutex<Option<Arc<Table>>>>;

/// A bounded cache of open tables, keyed by file number.
pub struct TableCache {
    fs: Arc<dyn FileSystem>,
    dir: PathBuf,
    block_cache: Option<Arc<BlockCache>>,
    counters: Arc<Counters>,
    verify_checksums: bool,
    lru: Mutex<Lru<u64, Slot>>,
}

impl TableCache {
    /// A cache opening tables in `dir` through `fs`, holding at most
    /// `max_open_files` (at least 1) open at once.
    pub fn new(
        fs: Arc<dyn FileSystem>,
        dir: PathBuf,
        max_open_files: usize,
        block_cache: Option<Arc<BlockCache>>,
        counters: Arc<Counters>,
        verify_checksums: bool,
    ) -> Self {
        TableCache {
            fs,
            dir,
            block_cache,
            counters,
            verify_checksums,
            lru: Mutex::new(Lru::new(max_open_files.max(1))),
        }
    }

    /// Opens (or finds) table `file_number`.
    pub fn get(&self, file_number: u64) -> Result<Arc<Table>> {
        let (slot, evicted) = {
            let mut lru = self.lru.lock();
            match lru.get(&file_number) {
                Some(s) => (Arc::clone(s), Vec::new()),
                None => {
                    let s: Slot = Arc::default();
                    let evicted = lru.insert(file_number, Arc::clone(&s), 1);
                    (s, evicted)
                }
            }
        };
        // Evicted tables close their files here, outside the cache lock.
        drop(evicted);
        let mut guard = slot.lock();
        if let Some(t) = &*guard {
            return Ok(Arc::clone(t));
        }
        match self.open(file_number) {
            Ok(t) => {
                *guard = Some(Arc::clone(&t));
                Ok(t)
            }
            Err(e) => {
                drop(guard);
                let mut lru = self.lru.lock();
                if lru.get(&file_number).is_some_and(|s| Arc::ptr_eq(s, &slot)) {
                    lru.remove(&file_number);
                }
                Err(e)
            }
        }
    }

    fn open(&self, file_number: u64) -> Result<Arc<Table>> {
        let path = table_file(&self.dir, file_number);
        let file = self.fs.open_random_access(&path)?;
        Table::open(
            file,
            path.display().to_string(),
            file_number,
            self.block_cache.clone(),
            Arc::clone(&self.counters),
            self.verify_checksums,
        )
    }

    /// Forgets table `file_number` (call when the file is deleted).
    pub fn evict(&self, file_number: u64) {
        let removed = self.lru.lock().remove(&file_number);
        drop(removed);
    }

    /// Tables currently held open by the cache.
    pub fn len(&self) -> usize {
        self.lru.lock().len()
    }

    /// True if no table is held open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
