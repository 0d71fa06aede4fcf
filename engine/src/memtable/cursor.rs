//! [`OwnedIter`]: a cursor over a [`SkipList`] that owns (keeps alive) the
//! list instead of borrowing it, so it can be stored in a long-lived
//! iterator such as [`MemTableIterator`](super::MemTableIterator).
//!
//! Invariants: the cursor's raw position always points at a node of the list
//! its owner keeps alive ([`ListOwner`]'s contract); `None` means not valid.

use std::ptr::NonNull;

use super::node::{Node, Target};
use super::skiplist::SkipList;

/// Something that owns (keeps alive) a [`SkipList`], for iterators that
/// must not borrow (e.g. `Arc<MemTable>`).
///
/// # Safety
/// `list()` must return the same list every time, and that list must stay
/// at the same address and alive for as long as the owner value exists
/// (moving the owner must not move the list, e.g. the list is behind an `Arc`).
pub unsafe trait ListOwner: Send {
    /// The owned list.
    fn list(&self) -> &SkipList;
}

/// A positioned cursor over a list kept alive by its owner `O`.
pub struct OwnedIter<O: ListOwner> {
    owner: O,
    /// Current node's `p`; `None` when not valid.
    node: Option<NonNull<u8>>,
}

// SAFETY: `node` points into the list that `owner` keeps alive; node bytes
// are immutable and towers atomic, so the cursor may move between threads
// whenever the owner may (`O: Send`).
unsafe impl<O: ListOwner> Send for OwnedIter<O> {}

impl<O: ListOwner> OwnedIter<O> {
    /// An unpositioned cursor.
    pub fn new(owner: O) -> Self {
        OwnedIter { owner, node: None }
    }

    /// The owner.
    pub fn owner(&self) -> &O {
        &self.owner
    }

    fn current(&self) -> Node<'_> {
        // Invariant: `node` came from `owner.list()` (ListOwner contract).
        Node::new(self.node.expect("iterator not valid"))
    }

    /// True if positioned at an entry.
    pub fn valid(&self) -> bool {
        self.node.is_some()
    }

    /// Positions at the first entry.
    pub fn seek_to_first(&mut self) {
        let n = self.owner.list().head().next(0).map(|n| n.ptr);
        self.node = n;
    }

    /// Positions at the last entry.
    pub fn seek_to_last(&mut self) {
        let n = self.owner.list().find_last().map(|n| n.ptr);
        self.node = n;
    }

    /// Positions at the first entry `>= target` (an internal key).
    pub fn seek(&mut self, target: &[u8]) {
        let n = self
            .owner
            .list()
            .find_greater_or_equal(&Target::from_internal(target));
        self.node = n.map(|n| n.ptr);
    }

    /// Positions at the last entry `<= target` (an internal key).
    pub fn seek_for_prev(&mut self, target: &[u8]) {
        let n = self.owner.list().find_less(&Target::from_internal(target), true);
        self.node = n.map(|n| n.ptr);
    }

    /// Advances. Panics if not valid (caller contract).
    pub fn next(&mut self) {
        let n = self.current().next(0).map(|n| n.ptr);
        self.node = n;
    }

    /// Steps back: a fresh search for the last entry before the current key
    /// (O(log n), as in LevelDB). Panics if not valid (caller contract).
    pub fn prev(&mut self) {
        let key = self.current().key();
        let n = self.owner.list().find_less(&Target::from_internal(key), false);
        let p = n.map(|n| n.ptr);
        self.node = p;
    }

    /// The current internal key. Panics if not valid (caller contract).
    pub fn key(&self) -> &[u8] {
        self.current().key()
    }

    /// The current value. Panics if not valid (caller contract).
    pub fn value(&self) -> &[u8] {
        self.current().value()
    }
}
