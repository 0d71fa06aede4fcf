//! `memory`: a BTreeMap under a RwLock. The reference store for runner
//! tests: its contents are an exact oracle of what was written.
//!
//! Invariants: every write holds the write lock for its whole batch, so a
//! batch is atomic; `flush`, `compact` and `wait_for_compaction` have
//! nothing to do; `user_bytes` counts key+value bytes accepted by writes.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use lsmlab_workloads::BatchEntry;
use serde_json::json;

use super::{StatsSummary, Store, StoreError, StoreResult, StoreStats};

/// An in-memory ordered map.
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: RwLock<BTreeMap<Vec<u8>, Vec<u8>>>,
    user_bytes: AtomicU64,
    writes: AtomicU64,
}

type Map = BTreeMap<Vec<u8>, Vec<u8>>;

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of live keys.
    fn live_keys(&self) -> usize {
        self.read().map_or(0, |m| m.len())
    }

    fn read(&self) -> StoreResult<std::sync::RwLockReadGuard<'_, Map>> {
        self.map.read().map_err(|_| StoreError::Poisoned("memory"))
    }

    fn write(&self, bytes: u64) -> StoreResult<std::sync::RwLockWriteGuard<'_, Map>> {
        self.user_bytes.fetch_add(bytes, Relaxed);
        self.writes.fetch_add(1, Relaxed);
        self.map.write().map_err(|_| StoreError::Poisoned("memory"))
    }
}

impl Store for MemoryStore {
    fn put(&self, key: &[u8], value: &[u8], _sync: bool) -> StoreResult<()> {
        let mut map = self.write((key.len() + value.len()) as u64)?;
        match map.get_mut(key) {
            Some(v) => {
                v.clear();
                v.extend_from_slice(value);
            }
            None => {
                map.insert(key.to_vec(), value.to_vec());
            }
        }
        Ok(())
    }

    fn get(&self, key: &[u8]) -> StoreResult<Option<usize>> {
        Ok(self.read()?.get(key).map(Vec::len))
    }

    fn delete(&self, key: &[u8], _sync: bool) -> StoreResult<()> {
        self.write(key.len() as u64)?.remove(key);
        Ok(())
    }

    fn delete_range(&self, begin: &[u8], end: &[u8], _sync: bool) -> StoreResult<()> {
        let mut map = self.write((begin.len() + end.len()) as u64)?;
        if begin < end {
            let doomed: Vec<Vec<u8>> = map
                .range::<[u8], _>((Bound::Included(begin), Bound::Excluded(end)))
                .map(|(k, _)| k.clone())
                .collect();
            for k in doomed {
                map.remove(&k);
            }
        }
        Ok(())
    }

    fn write_batch(&self, entries: &[BatchEntry], _sync: bool) -> StoreResult<()> {
        let bytes = entries
            .iter()
            .map(|e| match e {
                BatchEntry::Put { key, value } => key.len() + value.len(),
                BatchEntry::Delete { key } => key.len(),
            })
            .sum::<usize>();
        let mut map = self.write(bytes as u64)?;
        for e in entries {
            match e {
                BatchEntry::Put { key, value } => {
                    map.insert(key.to_vec(), value.to_vec());
                }
                BatchEntry::Delete { key } => {
                    map.remove(&key[..]);
                }
            }
        }
        Ok(())
    }

    fn scan(&self, start: &[u8], len: usize) -> StoreResult<(usize, u64)> {
        let map = self.read()?;
        let mut n = 0;
        let mut bytes = 0;
        for (k, v) in map
            .range::<[u8], _>((Bound::Included(start), Bound::Unbounded))
            .take(len)
        {
            n += 1;
            bytes += (k.len() + v.len()) as u64;
        }
        Ok((n, bytes))
    }

    fn stats(&self) -> StoreStats {
        let user_bytes = self.user_bytes.load(Relaxed);
        let writes = self.writes.load(Relaxed);
        let keys = self.live_keys() as u64;
        let mut summary = StatsSummary {
            user_bytes,
            ..Default::default()
        };
        summary.counters.insert("user_bytes".into(), user_bytes as f64);
        summary.counters.insert("writes".into(), writes as f64);
        summary.counters.insert("keys".into(), keys as f64);
        StoreStats {
            raw: Some(json!({"user_bytes": user_bytes, "writes": writes, "keys": keys})),
            summary,
        }
    }

    fn close(self: Box<Self>) -> StoreResult<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_an_ordered_map() {
        let s = MemoryStore::new();
        for i in 0..100u32 {
            s.put(format!("k{i:03}").as_bytes(), &[7u8; 10], false).unwrap();
        }
        assert_eq!(s.get(b"k005").unwrap(), Some(10));
        s.delete(b"k005", false).unwrap();
        assert_eq!(s.get(b"k005").unwrap(), None);
        s.delete_range(b"k010", b"k020", false).unwrap();
        assert_eq!(s.live_keys(), 89);
        assert_eq!(s.get(b"k019").unwrap(), None);
        assert_eq!(s.get(b"k020").unwrap(), Some(10));
        // Scan from a deleted key starts at the next live one.
        assert_eq!(s.scan(b"k010", 3).unwrap(), (3, 3 * 14));
        s.write_batch(
            &[
                BatchEntry::Put {
                    key: b"a".to_vec(),
                    value: b"1".to_vec(),
                },
                BatchEntry::Delete {
                    key: b"k000".to_vec(),
                },
            ],
            true,
        )
        .unwrap();
        assert_eq!(s.live_keys(), 89);
        assert_eq!(s.get(b"a").unwrap(), Some(1));
        let st = s.stats();
        assert_eq!(st.summary.user_bytes, 100 * 14 + 4 + 8 + 2 + 4);
        assert_eq!(st.raw.unwrap()["keys"], 89);
    }
}
