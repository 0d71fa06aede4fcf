//! The bundled engine (`lsmlab_engine`) behind the [`Store`] trait, through its
//! public API only (`Db`, `Options`, `WriteBatch`, `ReadOptions`).
//!
//! Invariants:
//! - Options come from the cell's option map via `serde_json::from_value`
//!   (sizes as written, e.g. "8MiB"), then `Options::validate()`; the same
//!   path checks suites ([`LsmlabOptionChecker`]), so a suite that validates
//!   opens.
//! - Unsynced single writes use `Db::put`/`delete`; synced ones go through a
//!   one-entry batch with `WriteOptions { sync: true }`.
//! - Files per level come from `lsmlab.num-files-at-level<N>`, read until
//!   the engine answers `None`.

use std::collections::BTreeMap;
use std::path::Path;

use lsmlab_engine::{Db, Options, ReadOptions, WriteBatch, WriteOptions};
use lsmlab_workloads::{BatchEntry, OptionChecker};
use serde_json::{Map, Value};

use super::{StatsSummary, Store, StoreError, StoreResult, StoreStats};

/// Deserializes and validates engine options from a suite's option map.
pub fn options_from_map(map: &Map<String, Value>) -> Result<Options, String> {
    let options: Options = serde_json::from_value(Value::Object(map.clone())).map_err(|e| e.to_string())?;
    options.validate().map_err(|e| e.to_string())?;
    Ok(options)
}

/// Checks suites against the engine's option names and `Options::validate`.
#[derive(Debug, Default, Clone, Copy)]
pub struct LsmlabOptionChecker;

impl OptionChecker for LsmlabOptionChecker {
    fn known_options(&self) -> Vec<String> {
        match serde_json::to_value(Options::default()) {
            Ok(Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    fn check(&self, options: &Map<String, Value>) -> Result<(), String> {
        options_from_map(options).map(|_| ())
    }
}

/// The bundled engine.
pub struct LsmlabStore {
    db: Db,
}

fn err(e: lsmlab_engine::Error) -> StoreError {
    StoreError(e.to_string())
}

impl LsmlabStore {
    /// Opens (creating) a database in `dir` with `options`.
    pub fn open(dir: &Path, options: &Map<String, Value>) -> StoreResult<LsmlabStore> {
        let options = options_from_map(options).map_err(|e| StoreError(format!("engine options: {e}")))?;
        let db = Db::open(dir, options).map_err(err)?;
        Ok(LsmlabStore { db })
    }

    fn synced(&self, batch: WriteBatch) -> StoreResult<()> {
        self.db
            .write(
                batch,
                &WriteOptions {
                    sync: true,
                    ..Default::default()
                },
            )
            .map_err(err)
    }

    fn files_per_level(&self) -> Vec<u64> {
        (0..)
            .map_while(|level| self.db.property(&format!("lsmlab.num-files-at-level{level}")))
            .map(|n| n.trim().parse().unwrap_or(0))
            .collect()
    }
}

impl Store for LsmlabStore {
    fn put(&self, key: &[u8], value: &[u8], sync: bool) -> StoreResult<()> {
        if sync {
            let mut b = WriteBatch::new();
            b.put(key, value);
            self.synced(b)
        } else {
            self.db.put(key, value).map_err(err)
        }
    }

    fn get(&self, key: &[u8]) -> StoreResult<Option<usize>> {
        Ok(self.db.get(key).map_err(err)?.map(|v| v.len()))
    }

    fn delete(&self, key: &[u8], sync: bool) -> StoreResult<()> {
        if sync {
            let mut b = WriteBatch::new();
            b.delete(key);
            self.synced(b)
        } else {
            self.db.delete(key).map_err(err)
        }
    }

    fn delete_range(&self, begin: &[u8], end: &[u8], sync: bool) -> StoreResult<()> {
        if sync {
            let mut b = WriteBatch::new();
            b.delete_range(begin, end);
            self.synced(b)
        } else {
            self.db.delete_range(begin, end).map_err(err)
        }
    }

    fn write_batch(&self, entries: &[BatchEntry], sync: bool) -> StoreResult<()> {
        let mut b = WriteBatch::new();
        for e in entries {
            match e {
                BatchEntry::Put { key, value } => b.put(key, value),
                BatchEntry::Delete { key } => b.delete(key),
            }
        }
        self.db
            .write(
                b,
                &WriteOptions {
                    sync,
                    ..Default::default()
                },
            )
            .map_err(err)
    }

    fn scan(&self, start: &[u8], len: usize) -> StoreResult<(usize, u64)> {
        let mut it = self.db.iter(&ReadOptions::default()).map_err(err)?;
        it.seek(start);
        let mut n = 0;
        let mut bytes = 0u64;
        while n < len && it.valid() {
            bytes += (it.key().len() + it.value().len()) as u64;
            n += 1;
            it.next();
        }
        it.status().map_err(err)?;
        Ok((n, bytes))
    }

    fn flush(&self) -> StoreResult<()> {
        self.db.flush().map_err(err)
    }

    fn compact(&self) -> StoreResult<()> {
        self.db.compact_range(None, None).map_err(err)
    }

    fn wait_for_compaction(&self) -> StoreResult<()> {
        self.db.wait_for_compaction().map_err(err)
    }

    fn stats(&self) -> StoreStats {
        let stats = self.db.stats();
        let raw = serde_json::to_value(&stats).ok();
        let mut counters = BTreeMap::new();
        if let Some(Value::Object(map)) = &raw {
            for (k, v) in map {
                if let Some(x) = v.as_f64() {
                    counters.insert(k.clone(), x);
                }
            }
            // Stalls are a list by cause; the time series wants flat names.
            if let Some(Value::Array(stalls)) = map.get("stalls") {
                for s in stalls {
                    if let (Some(cause), Some(count), Some(secs)) = (
                        s.get("cause").and_then(Value::as_str),
                        s.get("count").and_then(Value::as_f64),
                        s.get("seconds").and_then(Value::as_f64),
                    ) {
                        counters.insert(format!("stall_{cause}_count"), count);
                        counters.insert(format!("stall_{cause}_seconds"), secs);
                    }
                }
            }
        }
        let summary = StatsSummary {
            user_bytes: stats.user_bytes,
            wal_bytes: stats.wal_bytes,
            flush_bytes: stats.flush_bytes,
            compaction_bytes: stats.compaction_bytes_written,
            files_per_level: self.files_per_level(),
            level_bytes: stats.levels.iter().map(|l| l.bytes).collect(),
            counters,
        };
        StoreStats { raw, summary }
    }

    fn close(self: Box<Self>) -> StoreResult<()> {
        self.db.close().map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checker_knows_engine_options_and_rejects_bad_ones() {
        let c = LsmlabOptionChecker;
        let known = c.known_options();
        assert!(known.iter().any(|k| k == "write_buffer_size"));
        assert!(known.iter().any(|k| k == "num_levels"));
        let mut m = Map::new();
        m.insert("write_buffer_size".into(), Value::from("8MiB"));
        m.insert("compression".into(), Value::from("zstd"));
        assert_eq!(c.check(&m), Ok(()));
        m.insert("num_level".into(), Value::from(3));
        let e = c.check(&m).unwrap_err();
        assert!(e.contains("num_level"), "{e}");
    }

    #[test]
    fn open_write_read_scan_close() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = Map::new();
        m.insert("write_buffer_size".into(), Value::from("1MiB"));
        let s = Box::new(LsmlabStore::open(&dir.path().join("db"), &m).unwrap());
        for i in 0..50u32 {
            s.put(format!("k{i:03}").as_bytes(), b"value", i % 10 == 0)
                .unwrap();
        }
        assert_eq!(s.get(b"k007").unwrap(), Some(5));
        assert_eq!(s.get(b"nope").unwrap(), None);
        assert_eq!(s.scan(b"k010", 5).unwrap(), (5, 5 * 9));
        s.flush().unwrap();
        s.wait_for_compaction().unwrap();
        let st = s.stats();
        assert!(st.raw.is_some());
        assert!(!st.summary.files_per_level.is_empty());
        s.close().unwrap();
    }
}
