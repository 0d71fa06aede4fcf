//! [`KeySpace`]: how many keys exist, shared by every thread and every
//! phase of one cell, as YCSB's `AcknowledgedCounterGenerator` is shared by
//! its client threads.
//!
//! Invariants:
//! - Key numbers `[0, len())` all exist: loaded ones and inserts the store
//!   has acknowledged. `len()` only grows, and only by whole contiguous runs:
//!   an insert acknowledged out of order waits in `pending` until every key
//!   below it is acknowledged too. Readers sample `[0, len())`, so no thread
//!   ever reads a key that is not yet (or never) inserted.
//! - [`KeySpace::claim`] hands every inserting thread a distinct, new key
//!   number, continuing across phases: an insert phase after another
//!   starts where the first ended instead of overwriting its keys.
//! - Lock order: `pending` is the only lock; `len` changes only under it.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// The acknowledged key space of a cell, and the counter of new keys.
#[derive(Debug)]
pub struct KeySpace {
    /// Next key number an insert will claim.
    next: AtomicU64,
    /// Every key below this is loaded or acknowledged.
    len: AtomicU64,
    /// Acknowledged keys above `len` (acknowledged out of order).
    pending: Mutex<BTreeSet<u64>>,
}

impl KeySpace {
    /// A key space of `loaded` keys (`data.keys`), numbers `[0, loaded)`.
    pub fn new(loaded: u64) -> KeySpace {
        KeySpace {
            next: AtomicU64::new(loaded),
            len: AtomicU64::new(loaded),
            pending: Mutex::new(BTreeSet::new()),
        }
    }

    /// Keys that exist: all of `[0, len())`.
    #[inline]
    pub fn len(&self) -> u64 {
        self.len.load(Ordering::Acquire)
    }

    /// Whether no key exists.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Key numbers handed out so far (loaded plus claimed inserts).
    pub fn claimed(&self) -> u64 {
        self.next.load(Ordering::Relaxed)
    }

    /// A new key number for an insert (distinct across threads and phases).
    #[inline]
    pub fn claim(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    /// Marks the insert of `key` (from [`KeySpace::claim`]) acknowledged by
    /// the store; `len()` then covers it once every key below it is too.
    pub fn acknowledge(&self, key: u64) {
        // A poisoned lock only means another thread panicked mid-update of
        // the set; the set itself is still a valid set of numbers.
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let mut len = self.len.load(Ordering::Acquire);
        if key < len {
            return;
        }
        if key > len {
            pending.insert(key);
            return;
        }
        len += 1;
        while pending.remove(&len) {
            len += 1;
        }
        self.len.store(len, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_grows_only_over_contiguous_acknowledgements() {
        let ks = KeySpace::new(10);
        let (a, b, c) = (ks.claim(), ks.claim(), ks.claim());
        assert_eq!((a, b, c), (10, 11, 12));
        ks.acknowledge(c);
        ks.acknowledge(b);
        assert_eq!(ks.len(), 10, "key 10 is still in flight");
        ks.acknowledge(a);
        assert_eq!(ks.len(), 13);
        ks.acknowledge(a);
        assert_eq!(ks.len(), 13, "a repeated acknowledgement changes nothing");
        assert_eq!(ks.claimed(), 13);
    }

    #[test]
    fn threads_claim_distinct_keys_and_all_become_visible() {
        let ks = KeySpace::new(0);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..1000 {
                        let k = ks.claim();
                        ks.acknowledge(k);
                    }
                });
            }
        });
        assert_eq!(ks.len(), 4000);
        assert!(!ks.is_empty());
    }
}
