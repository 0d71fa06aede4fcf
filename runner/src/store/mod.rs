//! The `Store` trait: the only way the runner reaches an engine. The
//! bundled engine, two in-process stores, and peer engines (RocksDB,
//! fjall, mmdb) behind cargo features of the runner (docs/peers.md).
//!
//! Invariants:
//! - A store is `Send + Sync`; worker threads share one `&dyn Store`.
//! - Every method reports engine failures as [`StoreError`] (never panics);
//!   a failure fails the cell, not the run.
//! - `get` returns the value's length, not its bytes, so stores that can
//!   avoid a copy do (the runner only counts bytes).
//! - `stats` is cheap enough to call once per sampling interval.

pub mod engine;
#[cfg(feature = "fjall")]
pub mod fjall;
pub mod kind;
pub mod memory;
#[cfg(feature = "mmdb")]
pub mod mmdb;
pub mod null;
pub mod peer_options;
#[cfg(feature = "rocksdb")]
pub mod rocksdb;
#[cfg(all(test, any(feature = "rocksdb", feature = "fjall", feature = "mmdb")))]
#[allow(clippy::unwrap_used)] // test helpers, like #[cfg(test)] code (clippy.toml)
pub mod test_peer;

pub use kind::{NotCompiled, StoreKind};

use std::collections::BTreeMap;

use lsmlab_reports::stats::amplification;
use lsmlab_workloads::BatchEntry;
use serde_json::Value;

/// Why a store call failed; it fails the cell, whose result records the
/// message.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The bundled engine returned an error.
    #[error(transparent)]
    Engine(#[from] lsmlab_engine::Error),
    /// The cell's engine options were rejected when the store opened.
    #[error("engine options: {0}")]
    Options(#[from] engine::OptionsError),
    /// A store's lock was poisoned by a thread that panicked holding it.
    #[error("{0} store lock poisoned")]
    Poisoned(&'static str),
    /// A thread of the phase panicked (`"a worker"`, `"the sampler"`).
    #[error("{0} thread panicked")]
    Panicked(&'static str),
    /// The cell's options cannot be mapped onto a peer engine (the message
    /// names store and option).
    #[error("engine options: {0}")]
    PeerOptions(String),
    /// The cell runs on a peer store this build does not include.
    #[error(transparent)]
    NotCompiled(#[from] NotCompiled),
    /// A peer engine (RocksDB, fjall, mmdb) returned an error.
    #[cfg(any(feature = "rocksdb", feature = "fjall", feature = "mmdb"))]
    #[error("{store}: {message}")]
    Peer {
        /// The store's name.
        store: &'static str,
        /// The engine's message.
        message: String,
    },
    /// The phase's interval log could not be written while it ran.
    #[error("cannot write histograms: {0}")]
    Histograms(std::sync::Arc<lsmlab_reports::hdr::HdrError>),
}

#[cfg(any(feature = "rocksdb", feature = "fjall", feature = "mmdb"))]
impl StoreError {
    /// A peer engine's error `e`, prefixed with the store's name.
    pub fn peer(store: &'static str, e: impl std::fmt::Display) -> StoreError {
        StoreError::Peer {
            store,
            message: e.to_string(),
        }
    }
}

/// Result alias for store calls.
pub type StoreResult<T> = Result<T, StoreError>;

/// A key-value engine under test.
pub trait Store: Send + Sync {
    /// Writes `key` = `value` (durably before returning when `sync`).
    fn put(&self, key: &[u8], value: &[u8], sync: bool) -> StoreResult<()>;
    /// Reads `key`: the length of its value, or `None` when absent.
    fn get(&self, key: &[u8]) -> StoreResult<Option<usize>>;
    /// Deletes `key`.
    fn delete(&self, key: &[u8], sync: bool) -> StoreResult<()>;
    /// Deletes every key in `[begin, end)`.
    fn delete_range(&self, begin: &[u8], end: &[u8], sync: bool) -> StoreResult<()>;
    /// Applies `entries` atomically.
    fn write_batch(&self, entries: &[BatchEntry], sync: bool) -> StoreResult<()>;
    /// Reads up to `len` entries from the first key >= `start`: (entries, key+value bytes).
    fn scan(&self, start: &[u8], len: usize) -> StoreResult<(usize, u64)>;
    /// Flushes in-memory data to disk and waits. The default does nothing,
    /// for stores without a write buffer.
    fn flush(&self) -> StoreResult<()> {
        Ok(())
    }
    /// Compacts the whole key space and waits. The default does nothing,
    /// for stores that never compact.
    fn compact(&self) -> StoreResult<()> {
        Ok(())
    }
    /// Waits until no background work is pending. The default returns at
    /// once, for stores without background work.
    fn wait_for_compaction(&self) -> StoreResult<()> {
        Ok(())
    }
    /// Engine statistics now.
    fn stats(&self) -> StoreStats;
    /// Closes the store, flushing what it must.
    fn close(self: Box<Self>) -> StoreResult<()>;
}

/// Engine statistics: the engine's own JSON plus what the runner needs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreStats {
    /// The engine's statistics as JSON (`None` for stores without any).
    pub raw: Option<Value>,
    /// Typed summary.
    pub summary: StatsSummary,
}

#[cfg(any(feature = "fjall", feature = "mmdb", feature = "rocksdb"))]
impl StoreStats {
    /// A peer store's statistics: `summary` as its adapter filled it in,
    /// and as the raw JSON results.json keeps, the summary's named counters
    /// plus `files_per_level` when the peer reports levels.
    pub fn of_peer(summary: StatsSummary) -> StoreStats {
        let mut raw: serde_json::Map<String, Value> = summary
            .counters
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(*v)))
            .collect();
        if !summary.files_per_level.is_empty() {
            raw.insert(
                "files_per_level".into(),
                Value::from(summary.files_per_level.clone()),
            );
        }
        StoreStats {
            raw: Some(Value::Object(raw)),
            summary,
        }
    }
}

/// The statistics the runner computes amplification and time series from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatsSummary {
    /// User key+value bytes written.
    pub user_bytes: u64,
    /// WAL bytes written.
    pub wal_bytes: u64,
    /// Table bytes written by flushes.
    pub flush_bytes: u64,
    /// Table bytes written by compactions.
    pub compaction_bytes: u64,
    /// Live table files per level.
    pub files_per_level: Vec<u64>,
    /// Live table bytes per level (empty for stores without tables).
    pub level_bytes: Vec<u64>,
    /// Raw (uncompressed) key + value bytes of the live tables per level
    /// (empty for stores that do not report them).
    pub level_raw_bytes: Vec<u64>,
    /// Flat numeric counters for the time series (name -> cumulative value).
    pub counters: BTreeMap<String, f64>,
}

impl StatsSummary {
    /// RocksDB's write amplification: (flush + compaction) / flush bytes.
    pub fn total_write_amp(&self) -> Option<f64> {
        amplification::write_amp_rocksdb(self.flush_bytes, self.compaction_bytes)
    }

    /// (WAL + flush + compaction) / user bytes; `None` for a store that
    /// writes nothing of its own (no WAL, no tables).
    pub fn user_write_amp(&self) -> Option<f64> {
        amplification::write_amp_user(
            self.user_bytes,
            self.wal_bytes,
            self.flush_bytes,
            self.compaction_bytes,
        )
    }

    /// Tables a point read may consult: every L0 file plus one per
    /// non-empty deeper level (`None` when the store has no levels).
    pub fn read_amp(&self) -> Option<f64> {
        amplification::read_amp_structural(&self.files_per_level)
    }

    /// The byte counters accumulated since `earlier`.
    pub fn since(&self, earlier: &StatsSummary) -> StatsSummary {
        StatsSummary {
            user_bytes: self.user_bytes.saturating_sub(earlier.user_bytes),
            wal_bytes: self.wal_bytes.saturating_sub(earlier.wal_bytes),
            flush_bytes: self.flush_bytes.saturating_sub(earlier.flush_bytes),
            compaction_bytes: self.compaction_bytes.saturating_sub(earlier.compaction_bytes),
            files_per_level: self.files_per_level.clone(),
            level_bytes: self.level_bytes.clone(),
            level_raw_bytes: self.level_raw_bytes.clone(),
            counters: BTreeMap::new(),
        }
    }
}

/// User bytes of a batch as the stores count them: key + value per put,
/// key per delete.
pub fn entry_bytes(entries: &[BatchEntry]) -> usize {
    entries
        .iter()
        .map(|e| match e {
            BatchEntry::Put { key, value } => key.len() + value.len(),
            BatchEntry::Delete { key } => key.len(),
        })
        .sum()
}

#[cfg(any(feature = "fjall", feature = "mmdb"))]
/// Waits until `busy()` has answered false three polls in a row (20 ms
/// apart), for peers whose "no work pending" is only observable by
/// polling; Err after `limit` (naming `store`), or when `busy` fails.
pub fn settle(
    store: &'static str,
    limit: std::time::Duration,
    mut busy: impl FnMut() -> StoreResult<bool>,
) -> StoreResult<()> {
    let started = std::time::Instant::now();
    let mut quiet = 0;
    while quiet < 3 {
        if busy()? {
            quiet = 0;
        } else {
            quiet += 1;
        }
        if started.elapsed() > limit {
            return Err(StoreError::Peer {
                store,
                message: format!("background work still pending after {} s", limit.as_secs()),
            });
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Ok(())
}

/// The difference `after - before` of two engine statistics documents:
/// numbers are subtracted field by field (arrays element by element), except
/// ratios (`*amp*`, `score`), which are gauges and keep their `after` value.
pub fn json_delta(before: &Value, after: &Value) -> Value {
    fn go(key: &str, b: Option<&Value>, a: &Value) -> Value {
        match a {
            Value::Object(am) => {
                let bm = b.and_then(Value::as_object);
                Value::Object(
                    am.iter()
                        .map(|(k, av)| (k.clone(), go(k, bm.and_then(|m| m.get(k)), av)))
                        .collect(),
                )
            }
            Value::Array(aa) => {
                let ba = b.and_then(Value::as_array);
                Value::Array(
                    aa.iter()
                        .enumerate()
                        .map(|(i, av)| go(key, ba.and_then(|v| v.get(i)), av))
                        .collect(),
                )
            }
            Value::Number(an)
                if !(key.contains("amp")
                    || key == "score"
                    || key == "level"
                    || key == "files"
                    || key == "bytes") =>
            {
                match (an.as_u64(), b.and_then(Value::as_u64)) {
                    (Some(x), Some(y)) => Value::from(x as i64 - y as i64),
                    _ => match (an.as_f64(), b.and_then(Value::as_f64)) {
                        (Some(x), Some(y)) => Value::from(x - y),
                        _ => a.clone(),
                    },
                }
            }
            _ => a.clone(),
        }
    }
    go("", Some(before), after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amplification_from_summary() {
        let s = StatsSummary {
            user_bytes: 1000,
            wal_bytes: 1100,
            flush_bytes: 500,
            compaction_bytes: 1500,
            files_per_level: vec![3, 0, 4, 9],
            level_bytes: vec![30, 0, 40, 900],
            level_raw_bytes: vec![60, 0, 80, 1800],
            counters: BTreeMap::new(),
        };
        assert_eq!(s.total_write_amp(), Some(4.0));
        assert_eq!(s.user_write_amp(), Some(3.1));
        assert_eq!(s.read_amp(), Some(5.0));
        assert_eq!(StatsSummary::default().total_write_amp(), None);
        assert_eq!(StatsSummary::default().read_amp(), None);
        let in_memory = StatsSummary {
            user_bytes: 10,
            ..Default::default()
        };
        assert_eq!(in_memory.user_write_amp(), None);
        let d = s.since(&StatsSummary {
            flush_bytes: 100,
            ..s.clone()
        });
        assert_eq!((d.flush_bytes, d.user_bytes), (400, 0));
    }

    #[test]
    fn json_delta_subtracts_counters_and_keeps_gauges() {
        let before = json!({"flush_bytes": 100, "total_write_amp": 2.0, "stalls": [{"seconds": 1.5}],
                            "levels": [{"level": 0, "files": 3, "write_bytes": 10}]});
        let after = json!({"flush_bytes": 250, "total_write_amp": 3.0, "stalls": [{"seconds": 2.0}],
                           "levels": [{"level": 0, "files": 2, "write_bytes": 30}, {"level": 1, "files": 1, "write_bytes": 5}]});
        let d = json_delta(&before, &after);
        assert_eq!(d["flush_bytes"], json!(150));
        assert_eq!(d["total_write_amp"], json!(3.0));
        assert_eq!(d["stalls"][0]["seconds"], json!(0.5));
        assert_eq!(d["levels"][0], json!({"level": 0, "files": 2, "write_bytes": 20}));
        assert_eq!(d["levels"][1]["write_bytes"], json!(5));
    }
}
