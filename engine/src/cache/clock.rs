//! A charge-bounded CLOCK map (second-chance eviction), the block cache's
//! shard. Not thread-safe: the block cache wraps each one in a mutex.
//!
//! Why not the LRU of `lru.rs`: an LRU hit unlinks the entry and relinks it
//! at the head, writing two neighbours and the head, which for a cache of
//! thousands of blocks are cache misses on every read. A CLOCK hit only sets
//! the entry's `referenced` bit (in the slot it reads anyway); eviction then
//! sweeps a hand over the slots, giving each referenced entry a second
//! chance (clearing its bit) and evicting the first unreferenced one.
//!
//! Invariants: `usage` is the sum of the charges of the entries held and is
//! at most `capacity` after every `insert` returns; `map` holds exactly the
//! occupied slots; a new entry starts unreferenced; the hand visits slots in
//! index order, wrapping, so every entry is either evicted or has its bit
//! cleared within two sweeps (eviction terminates).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash};

use super::lru::MixHasher;

struct Slot<K, V> {
    key: K,
    value: Option<V>,
    charge: usize,
    referenced: bool,
}

/// A map that evicts by the CLOCK policy to stay within a total charge.
pub struct Clock<K, V> {
    map: HashMap<K, u32, BuildHasherDefault<MixHasher>>,
    slots: Vec<Slot<K, V>>,
    free: Vec<u32>,
    hand: usize,
    usage: usize,
    capacity: usize,
}

impl<K: Copy + Eq + Hash, V> Clock<K, V> {
    /// An empty map holding at most `capacity` total charge.
    pub fn new(capacity: usize) -> Self {
        Clock {
            map: HashMap::default(),
            slots: Vec::new(),
            free: Vec::new(),
            hand: 0,
            usage: 0,
            capacity,
        }
    }

    /// Total charge held.
    pub fn usage(&self) -> usize {
        self.usage
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True if nothing is held.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Looks up `key`, marking it referenced.
    #[inline]
    pub fn get(&mut self, key: &K) -> Option<&V> {
        let i = *self.map.get(key)? as usize;
        let slot = &mut self.slots[i];
        slot.referenced = true;
        slot.value.as_ref()
    }

    /// Inserts (or replaces) `key` unreferenced, then evicts until the
    /// charge fits. Values pushed out (the replaced one, evicted ones, or
    /// `value` itself if its charge alone exceeds the capacity) are appended
    /// to `out`, so the caller can drop them outside its lock.
    pub fn insert(&mut self, key: K, value: V, charge: usize, out: &mut Vec<V>) {
        out.extend(self.remove(&key));
        if charge > self.capacity {
            out.push(value);
            return;
        }
        let slot = Slot {
            key,
            value: Some(value),
            charge,
            referenced: false,
        };
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = slot;
                i
            }
            None => {
                self.slots.push(slot);
                (self.slots.len() - 1) as u32
            }
        };
        self.map.insert(key, i);
        self.usage += charge;
        while self.usage > self.capacity {
            if self.hand >= self.slots.len() {
                self.hand = 0;
            }
            let h = self.hand;
            self.hand += 1;
            let s = &mut self.slots[h];
            if s.value.is_none() {
                continue;
            }
            if s.referenced {
                s.referenced = false;
                continue;
            }
            let k = s.key;
            out.extend(self.remove(&k));
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let i = self.map.remove(key)?;
        self.free.push(i);
        let s = &mut self.slots[i as usize];
        self.usage -= s.charge;
        s.charge = 0;
        s.referenced = false;
        s.value.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::lru::mix64;

    /// The oracle: the same policy written naively, a ring of optional
    /// entries searched linearly.
    struct Model {
        ring: Vec<Option<(u64, usize, bool)>>,
        hand: usize,
        cap: usize,
    }

    impl Model {
        fn usage(&self) -> usize {
            self.ring.iter().flatten().map(|e| e.1).sum()
        }
        fn pos(&self, k: u64) -> Option<usize> {
            self.ring.iter().position(|e| e.is_some_and(|e| e.0 == k))
        }
        fn get(&mut self, k: u64) -> Option<usize> {
            let p = self.pos(k)?;
            let e = self.ring[p].as_mut().expect("present");
            e.2 = true;
            Some(e.1)
        }
        fn insert(&mut self, k: u64, charge: usize, free: &mut Vec<usize>) {
            if let Some(p) = self.pos(k) {
                self.ring[p] = None;
                free.push(p);
            }
            if charge > self.cap {
                return;
            }
            match free.pop() {
                Some(p) => self.ring[p] = Some((k, charge, false)),
                None => self.ring.push(Some((k, charge, false))),
            }
            while self.usage() > self.cap {
                if self.hand >= self.ring.len() {
                    self.hand = 0;
                }
                let h = self.hand;
                self.hand += 1;
                match &mut self.ring[h] {
                    None => {}
                    Some(e) if e.2 => e.2 = false,
                    Some(_) => {
                        self.ring[h] = None;
                        free.push(h);
                    }
                }
            }
        }
    }

    #[test]
    fn matches_a_naive_model() {
        let mut clock = Clock::new(100);
        let mut model = Model {
            ring: Vec::new(),
            hand: 0,
            cap: 100,
        };
        let mut model_free = Vec::new();
        let mut out = Vec::new();
        let mut x = 99u64;
        for _ in 0..20_000 {
            x = mix64(x);
            let key = x % 40;
            if x.is_multiple_of(3) {
                assert_eq!(clock.get(&key).copied(), model.get(key));
            } else {
                let charge = (x >> 8) as usize % 30 + 1;
                out.clear();
                clock.insert(key, charge, charge, &mut out);
                model.insert(key, charge, &mut model_free);
            }
            assert_eq!(clock.usage(), model.usage());
            assert!(clock.usage() <= 100);
            assert_eq!(clock.len(), model.ring.iter().flatten().count());
        }
    }

    #[test]
    fn referenced_entries_get_a_second_chance() {
        let mut c = Clock::new(30);
        let mut out = Vec::new();
        for k in 0..3u64 {
            c.insert(k, k, 10, &mut out);
        }
        assert!(out.is_empty());
        assert_eq!(c.get(&0), Some(&0));
        c.insert(3, 3, 10, &mut out);
        assert_eq!(out, vec![1]); // 0 was referenced, 1 was not
        assert_eq!(c.get(&0), Some(&0));
        assert_eq!(c.get(&1), None);
        out.clear();
        c.insert(9, 9, 31, &mut out);
        assert_eq!(out, vec![9]); // larger than the whole map: not kept
        out.clear();
        c.insert(0, 100, 5, &mut out);
        assert_eq!(out, vec![0]); // replaced
        assert_eq!(c.get(&0), Some(&100));
        assert_eq!(c.usage(), 25);
    }
}
