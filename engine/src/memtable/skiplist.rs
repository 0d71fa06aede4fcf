//! A concurrent skiplist of internal keys whose nodes live in an [`Arena`]
//! (LevelDB's `SkipList`, RocksDB's `InlineSkipList` layout).
//!
//! Concurrency: one writer at a time, any number of lock-free readers.
//! Writers are serialized by a small mutex taken inside [`SkipList::insert`]
//! (it also guards the arena and the height RNG); readers take no lock. A new
//! node is fully written (tower, key, value) before it is linked, and each
//! level is linked with a `Release` store that readers pair with `Acquire`
//! loads, so a reader that reaches a node sees all of its bytes. Links are
//! published bottom-up, so a node reachable at level `i` is reachable at
//! every level below it.
//!
//! Invariants:
//! - Nodes are never modified after being linked (except their `next`
//!   pointers being set to newer nodes) and never freed before the list
//!   drops: the arena frees everything at once.
//! - At every level the list is sorted by
//!   [`compare_internal_keys`](crate::key::compare_internal_keys) (user key
//!   ascending, trailer descending). Equal internal keys are not expected (the
//!   engine gives every write its own sequence number); if inserted anyway the
//!   newer one is placed first and `prev` may step over its twin.
//! - Splice hint (RocksDB's `InlineSkipList` `seq_splice_`): the writer state
//!   keeps, for every level `i`, `splice[i]` = the last node at level `i`
//!   whose key is `<=` the most recently inserted key (the head if none).
//!   It lives under the writer mutex and only the mutex holder links nodes,
//!   so it is never stale: no insert can happen between the one that set it
//!   and the one that reads it. `splice[i]` always has a tower slot at level
//!   `i` (it is the head, or a node of height `> i`), and levels at or above
//!   `max_height` hold the head. Because level `i + 1` is a subset of level
//!   `i`, `splice[i + 1] <= splice[i]` and their successors are ordered the
//!   other way, so if `splice[L]` brackets a new key `t` (`splice[L] < t <=
//!   succ`) every higher level does too, and only the levels below `L` need
//!   a search, starting from `splice[L]`. An ascending insert (fillseq, or
//!   a batch of ascending keys) brackets at level 0: two comparisons
//!   instead of a descent from the head. The climb is capped at
//!   `SPLICE_CLIMB` levels; past that (a random key) the insert searches
//!   from the head as without the hint.
//!
//! Node layout and access: see [`super::node`].

use std::cmp::Ordering;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering::Relaxed, Ordering::Release};

use parking_lot::Mutex;

use super::arena::Arena;
use super::node::{MAX_HEIGHT, Node, Target, alloc_node, compare_to_target, prefetch, tower_slot};

/// A node grows one level taller with probability 1/BRANCHING.
const BRANCHING: u64 = 4;

/// Levels of the splice the hint tries before it searches from the head.
/// An ascending insert brackets at level 0, where the last insert's
/// successor is usually none (an append) or the one node already compared.
/// A random key would climb nearly to the top, loading one successor's key
/// per level (a cache miss each), which costs about what the descent it
/// saves does: without a cap random inserts measured up to 10-20% slower
/// under load; with one level they cost at most one extra load.
const SPLICE_CLIMB: usize = 1;

/// State only the (single, mutex-holding) writer touches.
struct Writer {
    arena: Arena,
    /// xorshift64* state for tower heights.
    rng: u64,
    /// The splice of the last insert: `splice[i]` is the last node at level
    /// `i` with key `<=` the last inserted key, or the head (see the module
    /// docs for why it is always exact).
    splice: [NonNull<u8>; MAX_HEIGHT],
}

impl Writer {
    fn random_height(&mut self) -> usize {
        let mut h = 1;
        while h < MAX_HEIGHT {
            self.rng ^= self.rng >> 12;
            self.rng ^= self.rng << 25;
            self.rng ^= self.rng >> 27;
            if !(self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32).is_multiple_of(BRANCHING) {
                break;
            }
            h += 1;
        }
        h
    }
}

/// The skiplist; see the module docs for the concurrency contract.
pub struct SkipList {
    head: NonNull<u8>,
    /// Height of the tallest tower linked so far (readers: `Relaxed` is
    /// enough, a stale value only makes a search start lower).
    max_height: AtomicUsize,
    /// Arena bytes in use, readable without the writer lock.
    memory: AtomicUsize,
    writer: Mutex<Writer>,
}

// SAFETY: `head` points into the arena owned by `writer`; all shared mutation
// goes through atomics (towers, counters) or the writer mutex (arena, rng),
// and linked node bytes are immutable, so sharing and sending are sound.
unsafe impl Send for SkipList {}
// SAFETY: see `Send` above.
unsafe impl Sync for SkipList {}

impl Default for SkipList {
    fn default() -> Self {
        Self::new()
    }
}

impl SkipList {
    /// An empty list (allocates the head tower).
    pub fn new() -> Self {
        let mut arena = Arena::new();
        let head = alloc_node(&mut arena, MAX_HEIGHT, None, &[]);
        for level in 0..MAX_HEIGHT {
            // SAFETY: the head tower has MAX_HEIGHT slots just before `head`.
            unsafe { tower_slot(head, level).write(AtomicPtr::new(ptr::null_mut())) };
        }
        SkipList {
            head,
            max_height: AtomicUsize::new(1),
            memory: AtomicUsize::new(arena.memory_usage()),
            writer: Mutex::new(Writer {
                arena,
                rng: 0x9E37_79B9_7F4A_7C15,
                splice: [head; MAX_HEIGHT],
            }),
        }
    }

    pub(super) fn head(&self) -> Node<'_> {
        Node::new(self.head)
    }

    /// Arena bytes in use (see [`Arena::memory_usage`]).
    pub fn memory_usage(&self) -> usize {
        self.memory.load(Relaxed)
    }

    /// Inserts the entry `(user_key | trailer) -> value`. Takes the writer
    /// mutex; readers are never blocked.
    ///
    /// # Panics
    /// If the internal key or the value exceeds `u32::MAX` bytes (a caller
    /// bug: `WriteBatch` bounds keys to 8 MiB and values to 512 MiB).
    pub fn insert(&self, user_key: &[u8], trailer: u64, value: &[u8]) {
        let target = Target { user_key, trailer };
        let mut w = self.writer.lock();
        // Find the predecessor at every level. Under the writer lock no other
        // thread links nodes, so the result stays correct until we link.
        let top = self.max_height.load(Relaxed);
        let mut prev = w.splice.map(Node::new);
        let (start, level) = self.splice_bracket(&prev, top, &target);
        if level > 0 {
            // Levels >= `level` keep the splice's nodes; search the rest.
            let known_ge = if level < top { start.next(level) } else { None };
            self.search_ge_from(start, level - 1, known_ge, &target, |l, x| prev[l] = x);
        }
        let height = w.random_height();
        if height > top {
            // `prev` already holds the head for the new levels.
            self.max_height.store(height, Relaxed);
        }
        let node = alloc_node(&mut w.arena, height, Some((user_key, trailer)), value);
        for (level, p) in prev.iter().enumerate().take(height) {
            let succ = p.slot(level).load(Relaxed);
            // SAFETY: the new node has `height` slots; it is not yet linked,
            // so this thread is its only user.
            unsafe { tower_slot(node, level).write(AtomicPtr::new(succ)) };
            // Publish: the node's bytes happen-before any Acquire load that
            // observes this pointer.
            p.slot(level).store(node.as_ptr(), Release);
        }
        // The new splice: the new node below its height, the old
        // predecessors (which are at those levels) above it.
        for (level, slot) in w.splice.iter_mut().enumerate() {
            *slot = if level < height { node } else { prev[level].ptr };
        }
        self.memory.store(w.arena.memory_usage(), Relaxed);
    }

    /// The lowest level `L < SPLICE_CLIMB` at which the splice `prev` brackets `t`
    /// (`prev[L] < t <= prev[L].next(L)`, the head counting as below every key
    /// and a missing successor as above), with `prev[L]`; `(head, top)` if no
    /// level below `top.min(SPLICE_CLIMB)` does. A key before the last insert (`t <= prev[0]`)
    /// gets `(head, top)` at once: walking up from there would cost more
    /// comparisons than a random insert saves.
    /// REQUIRES: the writer lock; `prev` is the writer's splice (module docs).
    #[inline]
    fn splice_bracket<'a>(
        &'a self,
        prev: &[Node<'a>; MAX_HEIGHT],
        top: usize,
        t: &Target<'_>,
    ) -> (Node<'a>, usize) {
        let head = self.head();
        if prev[0] != head && compare_to_target(prev[0].key(), t) != Ordering::Less {
            return (head, top);
        }
        // Every `prev[level]` is now `< t` (`prev[level] <= prev[0]`); find the
        // lowest level whose successor is `>= t`. A successor already
        // compared one level down needs no second comparison.
        let mut below: Option<Node<'a>> = None;
        for (level, &p) in prev.iter().enumerate().take(top.min(SPLICE_CLIMB)) {
            let next = p.next(level);
            match next {
                None => return (p, level),
                Some(n) if next == below => debug_assert!(n != head),
                Some(n) => {
                    if compare_to_target(n.key(), t) != Ordering::Less {
                        return (p, level);
                    }
                    below = next;
                }
            }
        }
        (head, top)
    }

    /// First node `>= t`, or `None`.
    pub(super) fn find_greater_or_equal(&self, t: &Target<'_>) -> Option<Node<'_>> {
        self.search_ge(t, |_, _| {})
    }

    /// The descent shared by lookups and inserts: returns the first node
    /// `>= t` and reports, for each level from the top down, the last node
    /// `< t` at that level (the head if none) to `on_level`.
    #[inline(always)]
    fn search_ge<'a>(&'a self, t: &Target<'_>, on_level: impl FnMut(usize, Node<'a>)) -> Option<Node<'a>> {
        self.search_ge_from(self.head(), self.max_height.load(Relaxed) - 1, None, t, on_level)
    }

    /// [`Self::search_ge`] starting at node `x` (`< t`, or the head) on
    /// `level` instead of the head on the top level; `known_ge` is a node
    /// already known `>= t` (or `None`), skipped without a comparison.
    #[inline(always)]
    fn search_ge_from<'a>(
        &'a self,
        mut x: Node<'a>,
        mut level: usize,
        mut known_ge: Option<Node<'a>>,
        t: &Target<'_>,
        mut on_level: impl FnMut(usize, Node<'a>),
    ) -> Option<Node<'a>> {
        // `known_ge`: the node that stopped the search one level up: known
        // `>= t`, so meeting it again needs no comparison (RocksDB's trick).
        loop {
            let next = x.next(level);
            if level > 0 {
                // If `next` turns out `>= t` the search continues at
                // `x.next(level - 1)`: start that load now, in parallel with
                // the load of `next` (x's tower is already in cache). This
                // overlap of two cache misses cut lookups by a third.
                if let Some(down) = x.next(level - 1) {
                    prefetch(down.ptr);
                }
            }
            match next {
                Some(n) if next != known_ge && compare_to_target(n.key(), t) == Ordering::Less => x = n,
                _ => {
                    on_level(level, x);
                    if level == 0 {
                        return next;
                    }
                    known_ge = next;
                    level -= 1;
                }
            }
        }
    }

    /// Last node `< t` (or `<= t` if `inclusive`), or `None` if there is none.
    pub(super) fn find_less(&self, t: &Target<'_>, inclusive: bool) -> Option<Node<'_>> {
        let mut x = self.head();
        let mut level = self.max_height.load(Relaxed) - 1;
        let mut known_after: Option<Node<'_>> = None;
        loop {
            let next = x.next(level);
            if level > 0 {
                // As in `search_ge`: overlap the load of the next level's successor.
                if let Some(down) = x.next(level - 1) {
                    prefetch(down.ptr);
                }
            }
            let advance = match next {
                Some(n) if next != known_after => match compare_to_target(n.key(), t) {
                    Ordering::Less => true,
                    Ordering::Equal => inclusive,
                    Ordering::Greater => false,
                },
                _ => false,
            };
            if let (true, Some(n)) = (advance, next) {
                x = n;
            } else {
                if level == 0 {
                    return (x != self.head()).then_some(x);
                }
                known_after = next;
                level -= 1;
            }
        }
    }

    /// Last node, or `None` if the list is empty.
    pub(super) fn find_last(&self) -> Option<Node<'_>> {
        let mut x = self.head();
        let mut level = self.max_height.load(Relaxed) - 1;
        loop {
            match x.next(level) {
                Some(n) => x = n,
                None if level == 0 => return (x != self.head()).then_some(x),
                None => level -= 1,
            }
        }
    }

    /// The first entry `>= t` as `(internal key, value)`: the point-lookup
    /// primitive (a target of `(user_key, seq, KIND_FOR_SEEK)` finds the newest
    /// version visible at `seq`).
    pub fn first_at_or_after(&self, t: &Target<'_>) -> Option<(&[u8], &[u8])> {
        self.find_greater_or_equal(t).map(|n| (n.key(), n.value()))
    }

    /// True if no entry was inserted.
    pub fn is_empty(&self) -> bool {
        self.head().next(0).is_none()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use std::sync::atomic::Ordering::Acquire;

    use super::super::arena::CHUNK_SIZE;
    use super::super::cursor::{ListOwner, OwnedIter};
    use super::*;
    use crate::key::{
        InternalKey, MAX_SEQUENCE, ValueKind, compare_internal_keys, make_internal_key, pack_trailer,
    };

    struct Owned(Arc<SkipList>);
    // SAFETY: the list is behind an Arc held by the wrapper.
    unsafe impl ListOwner for Owned {
        fn list(&self) -> &SkipList {
            &self.0
        }
    }

    /// The value stored for an internal key: derived from it, so a reader can
    /// check it got a complete, matching entry.
    fn value_for(ikey: &[u8]) -> Vec<u8> {
        let mut v: Vec<u8> = ikey.iter().rev().copied().collect();
        v.extend_from_slice(&(ikey.len() as u32).to_le_bytes());
        v
    }

    fn insert(list: &SkipList, k: &InternalKey) {
        let t = Target::from_internal(k.encoded());
        list.insert(t.user_key, t.trailer, &value_for(k.encoded()));
    }

    fn random_keys(n: usize, seed: u64) -> Vec<InternalKey> {
        let mut rng = StdRng::seed_from_u64(seed);
        (0..n)
            .map(|i| {
                let len = rng.random_range(0..12);
                let uk: Vec<u8> = (0..len).map(|_| rng.random_range(b'a'..b'e')).collect();
                InternalKey::new(&uk, i as u64 + 1, ValueKind::Value)
            })
            .collect()
    }

    #[test]
    fn empty_list_is_never_valid() {
        let list = Arc::new(SkipList::new());
        assert!(list.is_empty());
        let mut it = OwnedIter::new(Owned(list.clone()));
        it.seek_to_first();
        assert!(!it.valid());
        it.seek_to_last();
        assert!(!it.valid());
        it.seek(b"anything");
        assert!(!it.valid());
        it.seek_for_prev(&make_internal_key(b"z", 9, ValueKind::Value));
        assert!(!it.valid());
        assert!(list.first_at_or_after(&Target::from_internal(b"")).is_none());
    }

    /// Iterates `list` from the first key and asserts it yields exactly
    /// `oracle`, in order, with each key's value; returns the exhausted
    /// iterator for further checks.
    fn assert_forward_order(list: &Arc<SkipList>, oracle: &BTreeSet<InternalKey>) -> OwnedIter<Owned> {
        let mut it = OwnedIter::new(Owned(list.clone()));
        it.seek_to_first();
        for k in oracle {
            assert!(it.valid());
            assert_eq!(it.key(), k.encoded());
            assert_eq!(it.value(), value_for(k.encoded()));
            it.next();
        }
        assert!(!it.valid());
        it
    }

    #[test]
    fn iteration_matches_sorted_oracle_both_ways() {
        let list = Arc::new(SkipList::new());
        let keys = random_keys(3000, 7);
        for k in &keys {
            insert(&list, k);
        }
        let oracle: BTreeSet<InternalKey> = keys.into_iter().collect();
        let mut it = assert_forward_order(&list, &oracle);
        it.seek_to_last();
        for k in oracle.iter().rev() {
            assert_eq!(it.key(), k.encoded());
            it.prev();
        }
        assert!(!it.valid());
    }

    #[test]
    fn seeks_match_oracle() {
        let list = Arc::new(SkipList::new());
        let keys = random_keys(2000, 11);
        for k in &keys {
            insert(&list, k);
        }
        let oracle: BTreeSet<InternalKey> = keys.into_iter().collect();
        let mut it = OwnedIter::new(Owned(list.clone()));
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..2000 {
            let len = rng.random_range(0..12);
            let uk: Vec<u8> = (0..len).map(|_| rng.random_range(b'a'..b'f')).collect();
            let target = InternalKey::new(&uk, rng.random_range(0..2100), ValueKind::Value);
            it.seek(target.encoded());
            let want = oracle.range(target.clone()..).next();
            assert_eq!(it.valid().then(|| it.key().to_vec()), want.map(|k| k.0.clone()));
            it.seek_for_prev(target.encoded());
            let want = oracle.range(..=target.clone()).next_back();
            assert_eq!(it.valid().then(|| it.key().to_vec()), want.map(|k| k.0.clone()));
        }
        // A short (non-internal) target sorts before every version of itself.
        it.seek(b"b");
        let want = oracle
            .range(InternalKey::new(b"b", MAX_SEQUENCE, ValueKind::RangeDelete)..)
            .next();
        assert_eq!(it.key(), want.expect("some key >= b").encoded());
    }

    /// Every level is strictly sorted and a subset of the level below (so a
    /// wrongly spliced node would show up here even if level 0 is right).
    fn check_levels(list: &SkipList) {
        let mut below: Option<BTreeSet<usize>> = None;
        for level in 0..list.max_height.load(Relaxed) {
            let mut seen = BTreeSet::new();
            let mut x = list.head();
            let mut last: Option<&[u8]> = None;
            while let Some(n) = x.next(level) {
                if let Some(l) = last {
                    assert_eq!(
                        compare_internal_keys(l, n.key()),
                        Ordering::Less,
                        "level {level} unsorted"
                    );
                }
                last = Some(n.key());
                seen.insert(n.ptr.as_ptr() as usize);
                x = n;
            }
            if let Some(b) = &below {
                assert!(
                    seen.is_subset(b),
                    "level {level} holds a node level {} lacks",
                    level - 1
                );
            }
            below = Some(seen);
        }
    }

    /// The splice hint under every insert order it treats differently:
    /// ascending runs (bracket at level 0), jumps forward (bracket higher
    /// up), keys before the last insert (full search), new versions of the
    /// last key, and random keys; the list must match the oracle exactly.
    #[test]
    fn splice_hint_orders_match_oracle() {
        let list = Arc::new(SkipList::new());
        let mut rng = StdRng::seed_from_u64(5);
        let mut keys = Vec::new();
        let mut seq = 0u64;
        let mut cursor = 0u32;
        for _ in 0..400 {
            let run = rng.random_range(1..60);
            match rng.random_range(0..5) {
                0 => cursor = cursor.wrapping_add(rng.random_range(1..5000)),
                1 => cursor = cursor.saturating_sub(rng.random_range(1..5000)),
                2 => cursor = rng.random(),
                _ => {}
            }
            for _ in 0..run {
                seq += 1;
                // Mostly ascending; sometimes the same user key again (a
                // newer version sorts before the older one) or a step back.
                match rng.random_range(0..10) {
                    0 => {}
                    1 => cursor = cursor.saturating_sub(1),
                    _ => cursor = cursor.wrapping_add(rng.random_range(1..4)),
                }
                let k = InternalKey::new(&cursor.to_be_bytes(), seq, ValueKind::Value);
                insert(&list, &k);
                keys.push(k);
            }
        }
        check_levels(&list);
        let oracle: BTreeSet<InternalKey> = keys.iter().cloned().collect();
        assert_eq!(oracle.len(), keys.len());
        assert_forward_order(&list, &oracle);
        for k in keys.iter().step_by(7) {
            let (got, _) = list
                .first_at_or_after(&Target::from_internal(k.encoded()))
                .expect("present");
            assert_eq!(got, k.encoded());
        }
    }

    /// Two writers insert interleaved ascending keys at once: the splice one
    /// leaves is the other's hint (valid, as it is kept under the writer
    /// lock), and no insert is lost or misplaced.
    #[test]
    fn concurrent_writers_share_the_splice_safely() {
        const PER: u32 = 20_000;
        let list = Arc::new(SkipList::new());
        let writers: Vec<_> = (0..2u32)
            .map(|t| {
                let list = list.clone();
                std::thread::spawn(move || {
                    for i in 0..PER {
                        let uk = (i * 2 + t).to_be_bytes();
                        let k = InternalKey::new(&uk, u64::from(i * 2 + t) + 1, ValueKind::Value);
                        insert(&list, &k);
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().expect("writer panicked");
        }
        check_levels(&list);
        let mut it = OwnedIter::new(Owned(list.clone()));
        it.seek_to_first();
        for i in 0..2 * PER {
            assert!(it.valid());
            assert_eq!(
                it.key(),
                make_internal_key(&i.to_be_bytes(), u64::from(i) + 1, ValueKind::Value)
            );
            it.next();
        }
        assert!(!it.valid());
    }

    #[test]
    fn random_inserts_keep_levels_consistent() {
        let list = SkipList::new();
        for k in &random_keys(5000, 17) {
            insert(&list, k);
        }
        check_levels(&list);
    }

    #[test]
    fn heights_are_bounded_and_geometric() {
        let mut arena = Arena::new();
        let head = alloc_node(&mut arena, 1, None, &[]);
        let mut w = Writer {
            arena,
            rng: 1,
            splice: [head; MAX_HEIGHT],
        };
        let mut counts = [0usize; MAX_HEIGHT + 1];
        for _ in 0..100_000 {
            counts[w.random_height()] += 1;
        }
        assert_eq!(counts[0], 0);
        // ~3/4 of towers have height 1, ~3/16 height 2.
        assert!((70_000..80_000).contains(&counts[1]), "{counts:?}");
        assert!((16_000..21_000).contains(&counts[2]), "{counts:?}");
    }

    #[test]
    fn large_entries_round_trip() {
        let list = SkipList::new();
        let big = vec![0xabu8; CHUNK_SIZE + 3];
        list.insert(b"big", pack_trailer(1, ValueKind::Value), &big);
        list.insert(b"small", pack_trailer(2, ValueKind::Value), b"v");
        let (k, v) = list
            .first_at_or_after(&Target {
                user_key: b"big",
                trailer: u64::MAX,
            })
            .expect("found");
        assert_eq!(k, make_internal_key(b"big", 1, ValueKind::Value));
        assert_eq!(v, &big[..]);
        assert!(list.memory_usage() > big.len());
    }

    /// One writer inserts while readers scan: every scan is strictly sorted,
    /// every entry seen is complete (value matches key), and every entry whose
    /// insert finished before the scan began is present.
    #[test]
    fn concurrent_readers_see_sorted_complete_entries() {
        const N: usize = 20_000;
        let list = Arc::new(SkipList::new());
        let keys = Arc::new(random_keys(N, 99));
        let done = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let readers: Vec<_> = (0..3)
            .map(|r| {
                let (list, keys, done, stop) = (list.clone(), keys.clone(), done.clone(), stop.clone());
                std::thread::spawn(move || {
                    let mut rng = StdRng::seed_from_u64(r);
                    let mut scans = 0;
                    while !stop.load(Acquire) || scans < 3 {
                        let committed = done.load(Acquire);
                        let mut it = OwnedIter::new(Owned(list.clone()));
                        let mut seen = Vec::with_capacity(committed);
                        if r == 0 {
                            it.seek_to_last();
                            while it.valid() {
                                seen.push(it.key().to_vec());
                                assert_eq!(it.value(), value_for(it.key()));
                                it.prev();
                            }
                            seen.reverse();
                        } else {
                            it.seek_to_first();
                            while it.valid() {
                                seen.push(it.key().to_vec());
                                assert_eq!(it.value(), value_for(it.key()));
                                it.next();
                            }
                        }
                        for w in seen.windows(2) {
                            assert_eq!(compare_internal_keys(&w[0], &w[1]), Ordering::Less);
                        }
                        for k in &keys[..committed] {
                            let found = seen
                                .binary_search_by(|s| compare_internal_keys(s, k.encoded()))
                                .is_ok();
                            assert!(found, "committed key {k:?} missing from a later scan");
                        }
                        // Point lookups of committed keys.
                        for _ in 0..200.min(committed) {
                            let k = &keys[rng.random_range(0..committed)];
                            let (got, v) = list
                                .first_at_or_after(&Target::from_internal(k.encoded()))
                                .expect("committed key present");
                            assert_eq!(got, k.encoded());
                            assert_eq!(v, value_for(got));
                        }
                        scans += 1;
                    }
                    scans
                })
            })
            .collect();
        for (i, k) in keys.iter().enumerate() {
            insert(&list, k);
            done.store(i + 1, Release);
        }
        stop.store(true, Release);
        for r in readers {
            assert!(r.join().expect("reader panicked") >= 3);
        }
    }
}
