//! The memtable: recent writes held in memory until they are flushed to an
//! L0 table.
//!
//! Point entries (puts and point deletes) live in a concurrent arena
//! [`SkipList`] keyed by internal key, with a whole-key bloom filter in
//! front of it for point reads ([`MemFilter`], when the memtable was made
//! with one); range deletions live apart, in a small
//! list plus a cached [`FragmentedTombstones`] built from it, so that point
//! reads never scan a list and the flush can write them into the table's
//! range-deletion block.
//!
//! Invariants:
//! - `add` may run concurrently with any reader; concurrent `add`s are
//!   serialized inside the skiplist (and the range-delete lock).
//! - The point skiplist never holds a `RangeDelete` entry.
//! - The cached fragmented set always reflects every range deletion whose
//!   `add` returned before `range_tombstones()` was called: `add` invalidates
//!   the cache under the same lock that appends the tombstone.
//! - Memory is released when the last `Arc<MemTable>` (including iterators)
//!   drops.

mod arena;
mod cursor;
mod filter;
mod iterator;
mod node;
mod skiplist;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

use parking_lot::RwLock;

pub use arena::{Arena, CHUNK_SIZE};
pub use cursor::{ListOwner, OwnedIter};
pub use filter::{MemFilter, filter_bytes};
pub use iterator::MemTableIterator;
pub use node::{MAX_HEIGHT, Target};
pub use skiplist::SkipList;

use crate::iter::fragmenter::{FragmentedTombstones, RangeTombstone};
use crate::key::{KIND_FOR_SEEK, MAX_SEQUENCE, SequenceNumber, ValueKind, pack_trailer, parse_internal_key};

/// Result of a memtable point lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemGet {
    /// The newest visible point entry is a put of `value`.
    Found {
        /// Sequence number of the put.
        seq: SequenceNumber,
        /// The user value.
        value: Vec<u8>,
    },
    /// The newest visible point entry is a point deletion.
    Deleted {
        /// Sequence number of the deletion.
        seq: SequenceNumber,
    },
    /// No point entry for the key is visible; look in older data.
    NotFound,
}

/// Range deletions: the raw list and its cached fragmented form.
struct RangeDels {
    raw: Vec<RangeTombstone>,
    /// `None` after a new range deletion, rebuilt lazily by the next reader.
    fragmented: Option<Arc<FragmentedTombstones>>,
}

/// An in-memory write buffer; `Send + Sync`, shared as `Arc<MemTable>`.
pub struct MemTable {
    list: SkipList,
    /// Every point key added (see [`MemFilter`] for why reads may trust it).
    filter: Option<MemFilter>,
    log_number: u64,
    range_dels: RwLock<RangeDels>,
    /// Bytes of range tombstones (outside the arena), for memory accounting.
    range_del_bytes: AtomicUsize,
    num_entries: AtomicU64,
    num_deletes: AtomicU64,
    num_range_deletes: AtomicU64,
    /// Smallest sequence added; `u64::MAX` while empty.
    first_seq: AtomicU64,
    /// Largest sequence added; meaningful only when not empty.
    last_seq: AtomicU64,
}

// SAFETY: `list` is a field of the `MemTable` an `Arc` points to, so it never
// moves while the `Arc` exists and the projection always yields the same list.
unsafe impl ListOwner for Arc<MemTable> {
    fn list(&self) -> &SkipList {
        &self.list
    }
}

impl MemTable {
    /// A new, empty memtable without a filter. `log_number`: the WAL file
    /// whose records this memtable holds (the WAL may be deleted once the
    /// memtable is flushed).
    pub fn new(log_number: u64) -> Arc<MemTable> {
        Self::build(log_number, None)
    }

    /// A new, empty memtable whose point reads go through a bloom filter of
    /// `filter_bytes` bytes first (the live memtable; see [`filter_bytes`]).
    pub fn with_filter(log_number: u64, filter_bytes: usize) -> Arc<MemTable> {
        Self::build(log_number, Some(MemFilter::new(filter_bytes)))
    }

    fn build(log_number: u64, filter: Option<MemFilter>) -> Arc<MemTable> {
        Arc::new(MemTable {
            list: SkipList::new(),
            filter,
            log_number,
            range_dels: RwLock::new(RangeDels {
                raw: Vec::new(),
                fragmented: Some(Arc::new(FragmentedTombstones::default())),
            }),
            range_del_bytes: AtomicUsize::new(0),
            num_entries: AtomicU64::new(0),
            num_deletes: AtomicU64::new(0),
            num_range_deletes: AtomicU64::new(0),
            first_seq: AtomicU64::new(u64::MAX),
            last_seq: AtomicU64::new(0),
        })
    }

    /// The WAL file number whose records this memtable holds.
    pub fn log_number(&self) -> u64 {
        self.log_number
    }

    /// Inserts one entry. `Value`: `value` is the user value; `Delete`:
    /// `value` is empty; `RangeDelete`: `key` is the inclusive begin and
    /// `value` the exclusive end, kept in the range-tombstone set only (not in
    /// the point skiplist). Safe to call concurrently with readers and other
    /// writers (writers serialize on an internal mutex).
    pub fn add(&self, seq: SequenceNumber, kind: ValueKind, key: &[u8], value: &[u8]) {
        debug_assert!(seq <= MAX_SEQUENCE);
        match kind {
            ValueKind::RangeDelete => {
                let t = RangeTombstone::new(key, value, seq);
                let bytes = t.begin.len() + t.end.len() + size_of::<RangeTombstone>();
                let mut r = self.range_dels.write();
                r.raw.push(t);
                r.fragmented = None;
                drop(r);
                self.range_del_bytes.fetch_add(bytes, Relaxed);
                self.num_range_deletes.fetch_add(1, Relaxed);
            }
            ValueKind::Delete | ValueKind::Value => {
                // Bits before the link: see the filter's concurrency note.
                if let Some(f) = &self.filter {
                    f.add(MemFilter::hash(key));
                }
                self.list.insert(key, pack_trailer(seq, kind), value);
                if kind == ValueKind::Delete {
                    self.num_deletes.fetch_add(1, Relaxed);
                }
            }
        }
        self.num_entries.fetch_add(1, Relaxed);
        // `last_seq` first: a reader that sees `first_seq` set sees a real `last_seq`.
        self.last_seq.fetch_max(seq, Relaxed);
        self.first_seq.fetch_min(seq, Relaxed);
    }

    /// The newest point entry (put or delete) of `user_key` with
    /// `seq <= read_seq`. Range tombstones are not applied here: the caller
    /// combines the result with [`MemTable::range_tombstones`].
    pub fn get(&self, user_key: &[u8], read_seq: SequenceNumber) -> MemGet {
        if let Some(f) = &self.filter
            && !f.may_contain(MemFilter::hash(user_key))
        {
            return MemGet::NotFound;
        }
        let target = Target {
            user_key,
            trailer: pack_trailer(read_seq.min(MAX_SEQUENCE), KIND_FOR_SEEK),
        };
        let Some((ikey, value)) = self.list.first_at_or_after(&target) else {
            return MemGet::NotFound;
        };
        // Keys in the list were built by `add`, so they always parse.
        match parse_internal_key(ikey) {
            Some(p) if p.user_key == user_key => match p.kind {
                ValueKind::Value => MemGet::Found {
                    seq: p.seq,
                    value: value.to_vec(),
                },
                ValueKind::Delete | ValueKind::RangeDelete => MemGet::Deleted { seq: p.seq },
            },
            _ => MemGet::NotFound,
        }
    }

    /// An iterator over the point entries in internal-key order; it keeps the
    /// memtable alive.
    pub fn iter(self: &Arc<Self>) -> MemTableIterator {
        MemTableIterator::new(Arc::clone(self))
    }

    /// The memtable's range tombstones, fragmented. Cached: rebuilt only on
    /// the first call after new range deletions, otherwise a read lock and an
    /// `Arc` clone, so it is cheap enough to call on every get.
    pub fn range_tombstones(&self) -> Arc<FragmentedTombstones> {
        if let Some(f) = &self.range_dels.read().fragmented {
            return Arc::clone(f);
        }
        let mut r = self.range_dels.write();
        let RangeDels { raw, fragmented } = &mut *r;
        let f = fragmented.get_or_insert_with(|| Arc::new(FragmentedTombstones::new(raw.iter().cloned())));
        Arc::clone(f)
    }

    /// True if any range deletion was added: lets a reader skip
    /// [`MemTable::range_tombstones`] entirely on the common path.
    pub fn has_range_tombstones(&self) -> bool {
        self.num_range_deletes.load(Relaxed) > 0
    }

    /// Every range tombstone as added (unfragmented), for the flush.
    pub fn raw_range_tombstones(&self) -> Vec<RangeTombstone> {
        self.range_dels.read().raw.clone()
    }

    /// Approximate bytes used: the skiplist arena, the filter and range
    /// tombstones. This is what `write_buffer_size` is compared to.
    pub fn approximate_memory_usage(&self) -> usize {
        self.list.memory_usage()
            + self.filter.as_ref().map_or(0, MemFilter::memory_usage)
            + self.range_del_bytes.load(Relaxed)
    }

    /// Entries added: puts, point deletes and range deletes.
    pub fn num_entries(&self) -> u64 {
        self.num_entries.load(Relaxed)
    }

    /// Point deletes added.
    pub fn num_deletes(&self) -> u64 {
        self.num_deletes.load(Relaxed)
    }

    /// Range deletes added.
    pub fn num_range_deletes(&self) -> u64 {
        self.num_range_deletes.load(Relaxed)
    }

    /// True if nothing was added.
    pub fn is_empty(&self) -> bool {
        self.num_entries() == 0
    }

    /// The smallest sequence number added, `None` if empty.
    pub fn first_seq(&self) -> Option<SequenceNumber> {
        let s = self.first_seq.load(Relaxed);
        (s != u64::MAX).then_some(s)
    }

    /// The largest sequence number added, `None` if empty.
    pub fn last_seq(&self) -> Option<SequenceNumber> {
        self.first_seq()?;
        Some(self.last_seq.load(Relaxed))
    }
}

#[cfg(test)]
mod tests;
