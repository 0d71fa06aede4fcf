//! [`MemTableIterator`]: the memtable's point entries as an
//! [`InternalIterator`].
//!
//! Invariants: the iterator holds an `Arc<MemTable>`, so the arena its
//! position points into outlives it. It sees every entry linked before each
//! positioning call, and possibly entries added concurrently (the skiplist
//! is read lock-free). It never fails: `status()` is always `Ok`.

use std::sync::Arc;

use super::MemTable;
use super::cursor::OwnedIter;
use crate::error::Result;
use crate::iter::InternalIterator;

/// Iterator over a memtable's point entries (puts and point deletes) in
/// internal-key order. `prev` is an O(log n) search, as in LevelDB.
pub struct MemTableIterator {
    inner: OwnedIter<Arc<MemTable>>,
}

impl MemTableIterator {
    /// An unpositioned iterator over `mem`.
    pub(super) fn new(mem: Arc<MemTable>) -> Self {
        MemTableIterator {
            inner: OwnedIter::new(mem),
        }
    }

    /// The memtable being iterated.
    pub fn memtable(&self) -> &Arc<MemTable> {
        self.inner.owner()
    }
}

impl InternalIterator for MemTableIterator {
    fn valid(&self) -> bool {
        self.inner.valid()
    }
    fn seek_to_first(&mut self) {
        self.inner.seek_to_first();
    }
    fn seek_to_last(&mut self) {
        self.inner.seek_to_last();
    }
    fn seek(&mut self, target: &[u8]) {
        self.inner.seek(target);
    }
    fn seek_for_prev(&mut self, target: &[u8]) {
        self.inner.seek_for_prev(target);
    }
    fn next(&mut self) {
        self.inner.next();
    }
    fn prev(&mut self) {
        self.inner.prev();
    }
    fn key(&self) -> &[u8] {
        self.inner.key()
    }
    fn value(&self) -> &[u8] {
        self.inner.value()
    }
    fn status(&self) -> Result<()> {
        Ok(())
    }
}
