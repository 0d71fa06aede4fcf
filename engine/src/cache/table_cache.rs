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
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use super::block_cache::BlockCache;
use super::lru::{Lru, mix64};
use crate::error::Result;
use crate::filename::table_file;
use crate::fs::FileSystem;
use crate::sst::Table;
use crate::stats::Counters;

/// Fewest open tables a shard holds: below this, fewer shards are used, so
/// small `max_open_files` settings keep one exact LRU.
const MIN_SHARD_FILES: usize = 64;
/// Most shards used.
const MAX_SHARD_BITS: u32 = 4;

/// One file's entry. `table` is set once, by the first caller to take
/// `opening`; later callers read it without any lock but their shard's.
#[derive(Default)]
struct SlotInner {
    table: OnceLock<Arc<Table>>,
    opening: Mutex<()>,
}

type Slot = Arc<SlotInner>;

/// A bounded cache of open tables, keyed by file number, sharded by file
/// number hash (each shard an LRU of `max_open_files / shards` tables) so
/// readers on several threads rarely meet on one lock.
///
/// Lock order: a shard lock is never held while taking a slot's `opening`
/// lock or doing I/O; `opening` may be held while taking a shard lock.
pub struct TableCache {
    fs: Arc<dyn FileSystem>,
    dir: PathBuf,
    block_cache: Option<Arc<BlockCache>>,
    counters: Arc<Counters>,
    verify_checksums: bool,
    shards: Box<[Mutex<Lru<u64, Slot>>]>,
    shard_bits: u32,
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
        let max_open_files = max_open_files.max(1);
        let mut bits = 0;
        while bits < MAX_SHARD_BITS && max_open_files >> (bits + 1) >= MIN_SHARD_FILES {
            bits += 1;
        }
        let per_shard = max_open_files >> bits;
        TableCache {
            fs,
            dir,
            block_cache,
            counters,
            verify_checksums,
            shards: (0..1usize << bits)
                .map(|_| Mutex::new(Lru::new(per_shard)))
                .collect(),
            shard_bits: bits,
        }
    }

    fn shard(&self, file_number: u64) -> &Mutex<Lru<u64, Slot>> {
        if self.shard_bits == 0 {
            return &self.shards[0];
        }
        &self.shards[(mix64(file_number) >> (64 - self.shard_bits)) as usize]
    }

    /// Opens (or finds) table `file_number`.
    pub fn get(&self, file_number: u64) -> Result<Arc<Table>> {
        let shard = self.shard(file_number);
        let (slot, evicted) = {
            let mut lru = shard.lock();
            match lru.get(&file_number) {
                // The common case: open already, one lock and one clone.
                Some(s) => match s.table.get() {
                    Some(t) => return Ok(Arc::clone(t)),
                    None => (Arc::clone(s), Vec::new()),
                },
                None => {
                    let s: Slot = Arc::default();
                    let evicted = lru.insert(file_number, Arc::clone(&s), 1);
                    (s, evicted)
                }
            }
        };
        // Evicted tables close their files here, outside the shard lock.
        drop(evicted);
        let _opening = slot.opening.lock();
        if let Some(t) = slot.table.get() {
            return Ok(Arc::clone(t));
        }
        match self.open(file_number) {
            Ok(t) => Ok(Arc::clone(slot.table.get_or_init(|| t))),
            Err(e) => {
                let mut lru = shard.lock();
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
        let removed = self.shard(file_number).lock().remove(&file_number);
        drop(removed);
    }

    /// Tables currently held open by the cache.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().len()).sum()
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

    #[test]
    fn sharded_cache_stays_within_max_open_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fs: Arc<dyn FileSystem> = Arc::new(RealFileSystem);
        for n in 1..=300 {
            write_table(&*fs, dir.path(), n);
        }
        let cache = TableCache::new(
            fs,
            dir.path().to_path_buf(),
            256,
            None,
            Arc::new(Counters::new(7)),
            true,
        );
        assert_eq!(cache.shards.len(), 4, "256 files: 4 shards of 64");
        let mut held = Vec::new();
        for n in 1..=300 {
            let t = cache.get(n).expect("open");
            assert_eq!(t.file_number(), n);
            assert!(Arc::ptr_eq(&t, &cache.get(n).expect("cached")));
            held.push(t);
            assert!(cache.len() <= 256);
        }
        assert!(cache.len() > 128, "shards fill up: {}", cache.len());
        // Every handle, evicted or not, still reads its table.
        for (i, t) in held.iter().enumerate() {
            let n = i as u64 + 1;
            assert!(t.get(format!("key{n}").as_bytes(), n).expect("get").is_some());
        }
        cache.evict(300);
        assert!(!Arc::ptr_eq(&held[299], &cache.get(300).expect("reopen")));
    }
}
