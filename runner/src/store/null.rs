//! `null`: a store that does nothing and answers instantly, so a run
//! against it measures the harness's own cost per operation (generation,
//! timing, histogram recording).
//!
//! Invariants: no state; `get` always misses; `scan` returns nothing; stats
//! are empty. `black_box` keeps the compiler from deleting the calls.

use std::hint::black_box;

use lsmlab_workloads::BatchEntry;

use super::{Store, StoreResult, StoreStats};

/// The do-nothing store.
#[derive(Debug, Default, Clone, Copy)]
pub struct NullStore;

impl Store for NullStore {
    fn put(&self, key: &[u8], value: &[u8], _sync: bool) -> StoreResult<()> {
        black_box((key, value));
        Ok(())
    }

    fn get(&self, key: &[u8]) -> StoreResult<Option<usize>> {
        black_box(key);
        Ok(None)
    }

    fn delete(&self, key: &[u8], _sync: bool) -> StoreResult<()> {
        black_box(key);
        Ok(())
    }

    fn delete_range(&self, begin: &[u8], end: &[u8], _sync: bool) -> StoreResult<()> {
        black_box((begin, end));
        Ok(())
    }

    fn write_batch(&self, entries: &[BatchEntry], _sync: bool) -> StoreResult<()> {
        black_box(entries);
        Ok(())
    }

    fn scan(&self, start: &[u8], _len: usize) -> StoreResult<(usize, u64)> {
        black_box(start);
        Ok((0, 0))
    }

    fn stats(&self) -> StoreStats {
        StoreStats::default()
    }

    fn close(self: Box<Self>) -> StoreResult<()> {
        Ok(())
    }
}
