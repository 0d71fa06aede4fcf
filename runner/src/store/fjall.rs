//! fjall (pure-Rust LSM) behind the [`Store`] trait: one database with one
//! keyspace, options mapped from [`PeerOptions`] (table in docs/peers.md).
//!
//! Invariants:
//! - Every `Some` field that `peer_options::honours` admits for fjall is
//!   applied here; a field fjall cannot express was rejected before open.
//! - Writes go to the journal and to the OS per write (fjall's default,
//!   `manual_journal_persist = false`: RocksDB's WAL without sync); a
//!   `sync` write is followed by `persist(SyncAll)` before returning.
//! - fjall has no range deletion: `delete_range` reads the keys in the
//!   range and deletes them in one atomic batch (docs/peers.md says so).
//! - User bytes are counted here (key + value per put, key per delete,
//!   both bounds per range delete), as the memory store counts them.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use fjall::compaction::Leveled;
use fjall::config::{
    BlockSizePolicy, BloomConstructionPolicy, CompressionPolicy, FilterPolicy, FilterPolicyEntry,
    RestartIntervalPolicy,
};
use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode};
use lsmlab_engine::CompressionType;
use lsmlab_workloads::BatchEntry;

use super::peer_options::PeerOptions;
use super::{StatsSummary, Store, StoreError, StoreResult, StoreStats, entry_bytes, settle};

/// The keyspace every cell writes to.
const KEYSPACE: &str = "lsmlab";

/// An open fjall database.
pub struct FjallStore {
    db: Database,
    ks: Keyspace,
    user_bytes: AtomicU64,
}

fn err(e: fjall::Error) -> StoreError {
    StoreError::peer("fjall", e)
}

/// The keyspace options for `p` (fjall's defaults where `p` is silent).
fn keyspace_options(p: &PeerOptions) -> KeyspaceCreateOptions {
    let mut o = KeyspaceCreateOptions::default();
    if let Some(n) = p.write_buffer_size {
        o = o.max_memtable_size(n as u64);
    }
    if let Some(c) = p.compression {
        o = o.data_block_compression_policy(match c {
            CompressionType::Lz4 => CompressionPolicy::all(fjall::CompressionType::Lz4),
            // honours() admits only none and lz4.
            _ => CompressionPolicy::disabled(),
        });
    }
    if let Some(bits) = p.bloom_bits_per_key {
        o = o.filter_policy(if bits == 0.0 {
            FilterPolicy::disabled()
        } else {
            FilterPolicy::all(FilterPolicyEntry::Bloom(BloomConstructionPolicy::BitsPerKey(
                bits as f32,
            )))
        });
    }
    if let Some(n) = p.block_size {
        o = o.data_block_size_policy(BlockSizePolicy::all(n as u32));
    }
    if let Some(n) = p.block_restart_interval {
        o = o.data_block_restart_interval_policy(RestartIntervalPolicy::all(n as u8));
    }
    // num_levels (always 7), max_bytes_for_level_base (always target x L0
    // threshold), dynamic level bytes (always) and max_subcompactions
    // (always 1) are admitted only at the value fjall has: nothing to set.
    if p.target_file_size_base.is_some()
        || p.l0_compaction_trigger.is_some()
        || p.max_bytes_for_level_multiplier.is_some()
    {
        let mut leveled = Leveled::default();
        if let Some(n) = p.target_file_size_base {
            leveled = leveled.with_table_target_size(n);
        }
        if let Some(n) = p.l0_compaction_trigger {
            leveled = leveled.with_l0_threshold(n as u8);
        }
        if let Some(m) = p.max_bytes_for_level_multiplier {
            leveled = leveled.with_level_ratio_policy(vec![m as f32]);
        }
        o = o.compaction_strategy(Arc::new(leveled));
    }
    o
}

impl FjallStore {
    /// Opens (creating) a database in `dir` with options `p`.
    pub fn open(dir: &Path, p: &PeerOptions) -> StoreResult<FjallStore> {
        let mut b = Database::builder(dir);
        if let Some(n) = p.block_cache_size {
            b = b.cache_size(n as u64);
        }
        if let Some(n) = p.max_background_jobs {
            b = b.worker_threads(n);
        }
        if let Some(n) = p.max_open_files {
            b = b.max_cached_files(Some(n));
        }
        let db = b.open().map_err(err)?;
        let opts = keyspace_options(p);
        let ks = db.keyspace(KEYSPACE, || opts).map_err(err)?;
        Ok(FjallStore {
            db,
            ks,
            user_bytes: AtomicU64::new(0),
        })
    }

    fn persist_if(&self, sync: bool) -> StoreResult<()> {
        if sync {
            self.db.persist(PersistMode::SyncAll).map_err(err)?;
        }
        Ok(())
    }

    fn count(&self, bytes: usize) {
        self.user_bytes.fetch_add(bytes as u64, Relaxed);
    }

    /// Background work in flight: flushes queued or running, compactions running.
    fn busy(&self) -> bool {
        self.db.outstanding_flushes() > 0 || self.db.active_compactions() > 0
    }
}

impl Store for FjallStore {
    fn put(&self, key: &[u8], value: &[u8], sync: bool) -> StoreResult<()> {
        self.count(key.len() + value.len());
        self.ks.insert(key, value).map_err(err)?;
        self.persist_if(sync)
    }

    fn get(&self, key: &[u8]) -> StoreResult<Option<usize>> {
        Ok(self.ks.get(key).map_err(err)?.map(|v| v.len()))
    }

    fn delete(&self, key: &[u8], sync: bool) -> StoreResult<()> {
        self.count(key.len());
        self.ks.remove(key).map_err(err)?;
        self.persist_if(sync)
    }

    fn delete_range(&self, begin: &[u8], end: &[u8], sync: bool) -> StoreResult<()> {
        self.count(begin.len() + end.len());
        if begin >= end {
            return Ok(());
        }
        let mut batch = self.db.batch();
        for guard in self.ks.range(begin..end) {
            batch.remove(&self.ks, guard.key().map_err(err)?);
        }
        if sync {
            batch = batch.durability(Some(PersistMode::SyncAll));
        }
        batch.commit().map_err(err)
    }

    fn write_batch(&self, entries: &[BatchEntry], sync: bool) -> StoreResult<()> {
        self.count(entry_bytes(entries));
        let mut batch = self.db.batch();
        for e in entries {
            match e {
                BatchEntry::Put { key, value } => batch.insert(&self.ks, key.as_slice(), value.as_slice()),
                BatchEntry::Delete { key } => batch.remove(&self.ks, key.as_slice()),
            }
        }
        if sync {
            batch = batch.durability(Some(PersistMode::SyncAll));
        }
        batch.commit().map_err(err)
    }

    fn scan(&self, start: &[u8], len: usize) -> StoreResult<(usize, u64)> {
        let mut n = 0;
        let mut bytes = 0u64;
        for guard in self.ks.range(start..).take(len) {
            let (k, v) = guard.into_inner().map_err(err)?;
            bytes += (k.len() + v.len()) as u64;
            n += 1;
        }
        Ok((n, bytes))
    }

    fn flush(&self) -> StoreResult<()> {
        self.ks.rotate_memtable_and_wait().map_err(err)
    }

    fn compact(&self) -> StoreResult<()> {
        self.ks.major_compact().map_err(err)
    }

    fn wait_for_compaction(&self) -> StoreResult<()> {
        settle("fjall", Duration::from_secs(600), || Ok(self.busy()))
    }

    fn stats(&self) -> StoreStats {
        let mut counters = BTreeMap::new();
        let mut put = |k: &str, v: f64| {
            counters.insert(k.to_string(), v);
        };
        put("user_bytes", self.user_bytes.load(Relaxed) as f64);
        put("table_count", self.ks.table_count() as f64);
        put("l0_table_count", self.ks.l0_table_count() as f64);
        put("journal_count", self.db.journal_count() as f64);
        put("outstanding_flushes", self.db.outstanding_flushes() as f64);
        put("active_compactions", self.db.active_compactions() as f64);
        put("compactions_completed", self.db.compactions_completed() as f64);
        put("compaction_seconds", self.db.time_compacting().as_secs_f64());
        put("cache_bytes", self.db.cache_size() as f64);
        StoreStats::of_peer(StatsSummary {
            user_bytes: self.user_bytes.load(Relaxed),
            counters,
            ..Default::default()
        })
    }

    fn close(self: Box<Self>) -> StoreResult<()> {
        // fjall closes on drop; make the journal durable first, as the
        // bundled engine's close() does.
        self.db.persist(PersistMode::SyncAll).map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_peer::round_trip;

    #[test]
    fn fjall_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        round_trip(|p| Ok(Box::new(FjallStore::open(dir.path(), p)?)));
    }
}
