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

/// Why a cell's option map is not a valid `Options`.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OptionsError {
    /// One option's value does not deserialize (wrong type, malformed size,
    /// unknown name); the message is serde's, which does not name the field.
    #[error("{option}: {message}")]
    Value {
        /// The option at fault.
        option: String,
        /// What is wrong with its value.
        message: String,
    },
    /// The map does not deserialize, and no single option is at fault.
    #[error("{0}")]
    Map(String),
    /// The values are each well-formed but `Options::validate` rejects
    /// them (its message names the option).
    #[error(transparent)]
    Invalid(lsmlab_engine::Error),
}

/// Deserializes and validates engine options from a suite's option map.
/// A value that does not deserialize is blamed on its option by reading
/// each option alone, so the suite error can point at its line.
pub fn options_from_map(map: &Map<String, Value>) -> Result<Options, OptionsError> {
    let read = |m: Map<String, Value>| serde_json::from_value::<Options>(Value::Object(m));
    let options = read(map.clone()).map_err(|whole| {
        map.iter()
            .find_map(|(k, v)| {
                let alone = Map::from_iter([(k.clone(), v.clone())]);
                read(alone).err().map(|e| OptionsError::Value {
                    option: k.clone(),
                    message: e.to_string(),
                })
            })
            .unwrap_or_else(|| OptionsError::Map(whole.to_string()))
    })?;
    options.validate().map_err(OptionsError::Invalid)?;
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
        options_from_map(options).map(|_| ()).map_err(|e| e.to_string())
    }
}

/// The bundled engine.
pub struct LsmlabStore {
    db: Db,
}

impl LsmlabStore {
    /// Opens (creating) a database in `dir` with `options`.
    pub fn open(dir: &Path, options: &Map<String, Value>) -> StoreResult<LsmlabStore> {
        let options = options_from_map(options)?;
        let db = Db::open(dir, options)?;
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
            .map_err(StoreError::from)
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
            self.db.put(key, value).map_err(StoreError::from)
        }
    }

    fn get(&self, key: &[u8]) -> StoreResult<Option<usize>> {
        Ok(self.db.get(key)?.map(|v| v.len()))
    }

    fn delete(&self, key: &[u8], sync: bool) -> StoreResult<()> {
        if sync {
            let mut b = WriteBatch::new();
            b.delete(key);
            self.synced(b)
        } else {
            self.db.delete(key).map_err(StoreError::from)
        }
    }

    fn delete_range(&self, begin: &[u8], end: &[u8], sync: bool) -> StoreResult<()> {
        if sync {
            let mut b = WriteBatch::new();
            b.delete_range(begin, end);
            self.synced(b)
        } else {
            self.db.delete_range(begin, end).map_err(StoreError::from)
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
            .map_err(StoreError::from)
    }

    fn scan(&self, start: &[u8], len: usize) -> StoreResult<(usize, u64)> {
        let mut it = self.db.iter(&ReadOptions::default())?;
        it.seek(start);
        let mut n = 0;
        let mut bytes = 0u64;
        while n < len && it.valid() {
            bytes += (it.key().len() + it.value().len()) as u64;
            n += 1;
            it.next();
        }
        it.status()?;
        Ok((n, bytes))
    }

    fn flush(&self) -> StoreResult<()> {
        self.db.flush().map_err(StoreError::from)
    }

    fn compact(&self) -> StoreResult<()> {
        self.db.compact_range(None, None).map_err(StoreError::from)
    }

    fn wait_for_compaction(&self) -> StoreResult<()> {
        self.db.wait_for_compaction().map_err(StoreError::from)
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
        // Gauge for `max_rate`'s "compaction keeps up" check.
        if let Some(p) = self.db.property("lsmlab.estimate-pending-compaction-bytes")
            && let Ok(n) = p.trim().parse::<f64>()
        {
            counters.insert("pending_compaction_bytes".to_string(), n);
        }
        let summary = StatsSummary {
            user_bytes: stats.user_bytes,
            wal_bytes: stats.wal_bytes,
            flush_bytes: stats.flush_bytes,
            compaction_bytes: stats.compaction_bytes_written,
            files_per_level: self.files_per_level(),
            level_bytes: stats.levels.iter().map(|l| l.bytes).collect(),
            level_raw_bytes: stats.levels.iter().map(|l| l.raw_bytes).collect(),
            counters,
        };
        StoreStats { raw, summary }
    }

    fn close(self: Box<Self>) -> StoreResult<()> {
        self.db.close().map_err(StoreError::from)
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

    /// Issue 7 with the real engine checker: a value that does not
    /// deserialize names its option, so the suite error points at that
    /// option's own line and column, not at `engine:`.
    #[test]
    fn wrong_option_values_point_at_their_own_line() {
        let suite =
            |opt: &str| format!("data: {{keys: 10}}\nengine:\n  compression: lz4\n  {opt}\nphases: [fill]\n");
        for (opt, want) in [
            (
                "num_levels: seven",
                "t.yaml:4:3: invalid engine options: num_levels: invalid type: string \"seven\", expected usize",
            ),
            (
                "write_buffer_size: -5",
                "t.yaml:4:3: invalid engine options: write_buffer_size: expected a size like 4096, \"64MiB\" or \"1GB\", found negative number -5",
            ),
            (
                "write_buffer_size: 64XB",
                "t.yaml:4:3: invalid engine options: write_buffer_size: unknown size unit \"XB\" in \"64XB\"; expected B, KiB, MiB, GiB, TiB, KB, MB, GB or TB",
            ),
            (
                "max_bytes_for_level_base: 1.3B",
                "t.yaml:4:3: invalid engine options: max_bytes_for_level_base: size \"1.3B\" is not a whole number of bytes",
            ),
        ] {
            let e = lsmlab_workloads::parse_suite(&suite(opt), "t.yaml", &LsmlabOptionChecker).unwrap_err();
            assert_eq!(e.to_string(), want);
        }
        // A value valid alone but invalid in combination is named by validate().
        let e = options_from_map(&Map::from_iter([
            ("l0_compaction_trigger".to_string(), Value::from(30)),
            ("l0_slowdown_trigger".to_string(), Value::from(8)),
        ]))
        .unwrap_err();
        assert!(matches!(e, OptionsError::Invalid(_)), "{e:?}");
        assert!(e.to_string().contains("l0_slowdown_trigger (8)"), "{e}");
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
