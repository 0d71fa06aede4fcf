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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::RealFileSystem;
    use crate::key::{ValueKind, make_internal_key};
    use crate::sst::{TableBuilder, TableBuilderOptions};

    fn write_table(fs: &dyn FileSystem, dir: &std::path::Path, n: u64) {
        let path = table_file(dir, n);
        let file = fs.new_writable(&path).expect("create");
        let mut b = TableBuilder::new(TableBuilderOptions::default(), file, path.display().to_string());
        b.add(
            &make_internal_key(format!("key{n}").as_bytes(), n, ValueKind::Value),
            b"v",
        )
        .expect("add");
        b.finish().expect("finish");
    }

    #[test]
    fn bounded_shared_and_retrying() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fs: Arc<dyn FileSystem> = Arc::new(RealFileSystem);
        for n in 1..=5 {
            write_table(&*fs, dir.path(), n);
        }
        let cache = TableCache::new(
            Arc::clone(&fs),
            dir.path().to_path_buf(),
            2,
            None,
            Arc::new(Counters::new(7)),
            true,
        );
        let t1 = cache.get(1).expect("open 1");
        assert!(Arc::ptr_eq(&t1, &cache.get(1).expect("cached 1")));
        for n in 1..=5 {
            let t = cache.get(n).expect("open");
            assert_eq!(t.file_number(), n);
            assert_eq!(
                t.get(format!("key{n}").as_bytes(), n).expect("get").map(|e| e.1),
                Some(b"v".to_vec())
            );
            assert!(cache.len() <= 2);
        }
        // Table 1 was evicted: a new open gives a new Table; the old Arc stays usable.
        let t1b = cache.get(1).expect("reopen 1");
        assert!(!Arc::ptr_eq(&t1, &t1b));
        assert!(t1.get(b"key1", 1).expect("old handle").is_some());
        cache.evict(1);
        assert!(cache.len() <= 1);
        // A missing file is an error and leaves no slot behind; once it exists it opens.
        assert!(cache.get(9).is_err());
        assert_eq!(cache.len(), 1);
        write_table(&*fs, dir.path(), 9);
        assert_eq!(cache.get(9).expect("now present").file_number(), 9);
    }

    #[test]
    fn concurrent_gets_share_one_table() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fs: Arc<dyn FileSystem> = Arc::new(RealFileSystem);
        write_table(&*fs, dir.path(), 3);
        let cache = Arc::new(TableCache::new(
            fs,
            dir.path().to_path_buf(),
            16,
            None,
            Arc::new(Counters::new(7)),
            true,
        ));
        let tables: Vec<Arc<Table>> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..4).map(|_| s.spawn(|| cache.get(3).expect("open"))).collect();
            hs.into_iter().map(|h| h.join().expect("thread")).collect()
        });
        assert!(tables.windows(2).all(|w| Arc::ptr_eq(&w[0], &w[1])));
    }
}
