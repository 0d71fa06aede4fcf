//! A charge-bounded LRU map, the building block of both caches. Not
//! thread-safe: each cache wraps it in a mutex (per shard).
//!
//! Invariants: `usage` is the sum of the charges of the entries held and is
//! at most `capacity` after every `insert` returns; entries form one doubly
//! linked list from most (head) to least (tail) recently used, stored in a
//! slab (`nodes`) indexed by `u32` with a free list, so inserts and hits do
//! not allocate once the slab has grown.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

const NIL: u32 = u32::MAX;

/// A fast hasher for small integer keys (file numbers, block offsets).
#[derive(Default, Clone, Copy)]
pub struct MixHasher(u64);

impl Hasher for MixHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0 ^ x).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
    }
    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
    fn finish(&self) -> u64 {
        mix64(self.0)
    }
}

/// A strong 64-bit mixer (murmur3 fmix64), used to pick cache shards.
pub fn mix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

struct Node<K, V> {
    key: K,
    value: Option<V>,
    charge: usize,
    prev: u32,
    next: u32,
}

/// A map that evicts its least recently used entries to stay within a total charge.
pub struct Lru<K, V> {
    map: HashMap<K, u32, BuildHasherDefault<MixHasher>>,
    nodes: Vec<Node<K, V>>,
    free: Vec<u32>,
    head: u32,
    tail: u32,
    usage: usize,
    capacity: usize,
}

impl<K: Copy + Eq + Hash, V> Lru<K, V> {
    /// An empty map holding at most `capacity` total charge.
    pub fn new(capacity: usize) -> Self {
        Lru {
            map: HashMap::default(),
            nodes: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
            usage: 0,
            capacity,
        }
    }

    /// Total charge held.
    pub fn usage(&self) -> usize {
        self.usage
    }

    /// Maximum total charge.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True if nothing is held.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Looks up `key`, marking it most recently used.
    pub fn get(&mut self, key: &K) -> Option<&V> {
        let i = *self.map.get(key)?;
        self.unlink(i);
        self.push_front(i);
        self.nodes[i as usize].value.as_ref()
    }

    /// Inserts (or replaces) `key`, then evicts least recently used entries
    /// until the charge fits. Returns the values pushed out (the replaced
    /// one, evicted ones, or `value` itself if its charge alone exceeds the
    /// capacity) so the caller can drop them outside its lock.
    pub fn insert(&mut self, key: K, value: V, charge: usize) -> Vec<V> {
        let mut out = Vec::new();
        if charge > self.capacity {
            out.push(value);
            out.extend(self.remove(&key));
            return out;
        }
        out.extend(self.remove(&key));
        let node = Node {
            key,
            value: Some(value),
            charge,
            prev: NIL,
            next: NIL,
        };
        let i = match self.free.pop() {
            Some(i) => {
                self.nodes[i as usize] = node;
                i
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        };
        self.map.insert(key, i);
        self.push_front(i);
        self.usage += charge;
        while self.usage > self.capacity && self.tail != NIL {
            let t = self.tail;
            let k = self.nodes[t as usize].key;
            out.extend(self.remove(&k));
        }
        out
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let i = self.map.remove(key)?;
        self.unlink(i);
        self.free.push(i);
        let n = &mut self.nodes[i as usize];
        self.usage -= n.charge;
        n.charge = 0;
        n.value.take()
    }

    fn unlink(&mut self, i: u32) {
        let (prev, next) = {
            let n = &self.nodes[i as usize];
            (n.prev, n.next)
        };
        if prev == NIL {
            self.head = next;
        } else {
            self.nodes[prev as usize].next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.nodes[next as usize].prev = prev;
        }
    }

    fn push_front(&mut self, i: u32) {
        let old = self.head;
        {
            let n = &mut self.nodes[i as usize];
            n.prev = NIL;
            n.next = old;
        }
        if old == NIL {
            self.tail = i;
        } else {
            self.nodes[old as usize].prev = i;
        }
        self.head = i;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;

    #[test]
    fn evicts_least_recently_used_within_capacity() {
        let mut lru = Lru::new(10);
        assert!(lru.insert(1u64, "a", 4).is_empty());
        assert!(lru.insert(2, "b", 4).is_empty());
        assert_eq!(lru.get(&1), Some(&"a")); // 2 is now the oldest
        assert_eq!(lru.insert(3, "c", 4), vec!["b"]);
        assert_eq!(lru.usage(), 8);
        assert_eq!(lru.get(&2), None);
        assert_eq!(lru.insert(4, "huge", 11), vec!["huge"]);
        assert_eq!(lru.insert(1, "a2", 2), vec!["a"]);
        assert_eq!(lru.usage(), 6);
        assert_eq!(lru.remove(&3), Some("c"));
        assert_eq!((lru.len(), lru.usage()), (1, 2));
    }

    #[test]
    fn matches_a_simple_model() {
        // Model: a deque of (key, charge), front = most recent.
        let mut lru = Lru::new(100);
        let mut model: VecDeque<(u64, usize)> = VecDeque::new();
        let mut x = 12345u64;
        for _ in 0..5000 {
            x = mix64(x);
            let key = x % 40;
            if x.is_multiple_of(3) {
                let got = lru.get(&key).copied();
                let pos = model.iter().position(|e| e.0 == key);
                assert_eq!(got, pos.map(|p| model[p].1));
                if let Some(p) = pos {
                    let e = model.remove(p).expect("present");
                    model.push_front(e);
                }
            } else {
                let charge = (x >> 8) as usize % 30 + 1;
                lru.insert(key, charge, charge);
                model.retain(|e| e.0 != key);
                model.push_front((key, charge));
                while model.iter().map(|e| e.1).sum::<usize>() > 100 {
                    model.pop_back();
                }
            }
            assert_eq!(lru.usage(), model.iter().map(|e| e.1).sum::<usize>());
            assert!(lru.usage() <= 100);
            assert_eq!(lru.len(), model.len());
        }
    }
}
