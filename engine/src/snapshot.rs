//! Snapshots: a pinned sequence number that reads can use and that
//! compaction must respect (every version some snapshot can see is kept).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::key::SequenceNumber;

/// The set of live snapshots, shared by the database and its snapshots.
#[derive(Debug, Default)]
pub struct SnapshotList {
    /// sequence -> number of live snapshots at it.
    live: Mutex<BTreeMap<SequenceNumber, usize>>,
}

impl SnapshotList {
    /// An empty list.
    pub fn new() -> Arc<Self> {
        Arc::new(SnapshotList::default())
    }

    /// Registers a snapshot at `seq`; released when the last clone drops.
    pub fn acquire(self: &Arc<Self>, seq: SequenceNumber) -> Snapshot {
        self.acquire_with(|| seq)
    }

    /// Registers a snapshot at the sequence `seq()` returns, called under
    /// the list's lock. A compaction reads the list ([`Self::sequences`])
    /// under the same lock, so it either sees this snapshot or ran before
    /// its sequence was read, when everything it compacts was older than
    /// that sequence anyway: no version the snapshot needs can be dropped
    /// between reading the sequence and registering it.
    pub fn acquire_with(self: &Arc<Self>, seq: impl FnOnce() -> SequenceNumber) -> Snapshot {
        let mut live = self.live.lock();
        let seq = seq();
        *live.entry(seq).or_insert(0) += 1;
        drop(live);
        Snapshot(Arc::new(SnapshotInner {
            seq,
            list: Arc::clone(self),
        }))
    }

    /// Sequence numbers of all live snapshots, ascending, deduplicated.
    pub fn sequences(&self) -> Vec<SequenceNumber> {
        self.live.lock().keys().copied().collect()
    }

    /// The oldest live snapshot, if any.
    pub fn oldest(&self) -> Option<SequenceNumber> {
        self.live.lock().keys().next().copied()
    }

    fn release(&self, seq: SequenceNumber) {
        let mut live = self.live.lock();
        if let Some(n) = live.get_mut(&seq) {
            *n -= 1;
            if *n == 0 {
                live.remove(&seq);
            }
        }
    }
}

struct SnapshotInner {
    seq: SequenceNumber,
    list: Arc<SnapshotList>,
}

impl Drop for SnapshotInner {
    fn drop(&mut self) {
        self.list.release(self.seq);
    }
}

/// A consistent point-in-time view. Cheap to clone; released when the last
/// clone drops.
#[derive(Clone)]
pub struct Snapshot(Arc<SnapshotInner>);

impl Snapshot {
    /// The sequence number this snapshot reads at.
    pub fn sequence(&self) -> SequenceNumber {
        self.0.seq
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Snapshot({})", self.0.seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn released_when_last_clone_drops() {
        let list = SnapshotList::new();
        let a = list.acquire(5);
        let b = a.clone();
        let c = list.acquire(9);
        assert_eq!(list.sequences(), vec![5, 9]);
        drop(a);
        assert_eq!(list.oldest(), Some(5));
        drop(b);
        assert_eq!(list.sequences(), vec![9]);
        drop(c);
        assert!(list.sequences().is_empty());
    }
}
