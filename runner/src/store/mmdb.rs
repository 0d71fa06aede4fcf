//! mmdb (pure-Rust leveled LSM) behind the [`Store`] trait, options mapped
//! from [`PeerOptions`] (table in docs/peers.md).
//!
//! Invariants:
//! - Every `Some` field that `peer_options::honours` admits for mmdb is
//!   applied here; mmdb's option names mostly match the bundled engine's.
//! - mmdb flushes a full memtable in the write path and compacts on its
//!   own threads: `max_background_jobs` sets its compaction threads.
//! - Writes go to its WAL without sync unless the phase asks for `sync`
//!   (mmdb's `WriteOptions::sync`).
//! - `wait_for_compaction` polls mmdb's `compaction-pending` property
//!   until it stays "0" (mmdb has no blocking wait).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use lsmlab_engine::CompressionType;
use lsmlab_workloads::BatchEntry;
use mmdb::{DB, DbOptions, WriteBatch, WriteOptions};

use super::peer_options::PeerOptions;
use super::{StatsSummary, Store, StoreError, StoreResult, StoreStats, entry_bytes, settle};

/// An open mmdb database.
pub struct MmdbStore {
    db: DB,
    user_bytes: AtomicU64,
    num_levels: usize,
}

fn err(e: mmdb::Error) -> StoreError {
    StoreError::peer("mmdb", e)
}

/// mmdb's options for `p` (mmdb's defaults where `p` is silent).
fn db_options(p: &PeerOptions) -> DbOptions {
    let mut o = DbOptions::default();
    let set = |dst: &mut usize, src: Option<usize>| {
        if let Some(v) = src {
            *dst = v;
        }
    };
    set(&mut o.write_buffer_size, p.write_buffer_size);
    set(&mut o.block_size, p.block_size);
    set(&mut o.block_restart_interval, p.block_restart_interval);
    set(&mut o.num_levels, p.num_levels);
    set(&mut o.l0_compaction_trigger, p.l0_compaction_trigger);
    set(&mut o.l0_slowdown_trigger, p.l0_slowdown_trigger);
    set(&mut o.l0_stop_trigger, p.l0_stop_trigger);
    set(&mut o.max_subcompactions, p.max_subcompactions);
    set(&mut o.max_background_compactions, p.max_background_jobs);
    if let Some(c) = p.compression {
        o.compression = match c {
            CompressionType::Lz4 => mmdb::CompressionType::Lz4,
            CompressionType::Zstd => mmdb::CompressionType::Zstd,
            // honours() admits only none, lz4 and zstd.
            _ => mmdb::CompressionType::None,
        };
    }
    if let Some(b) = p.bloom_bits_per_key {
        o.bloom_bits_per_key = b as u32; // whole numbers only (honours)
    }
    if let Some(n) = p.block_cache_size {
        o.block_cache_capacity = n as u64;
    }
    if let Some(n) = p.max_open_files {
        o.max_open_files = n as u64;
    }
    if let Some(n) = p.target_file_size_base {
        o.target_file_size_base = n;
    }
    if let Some(n) = p.max_bytes_for_level_base {
        o.max_bytes_for_level_base = n;
    }
    if let Some(m) = p.max_bytes_for_level_multiplier {
        o.max_bytes_for_level_multiplier = m;
    }
    // level_compaction_dynamic_level_bytes is admitted only as false: mmdb's way.
    o
}

impl MmdbStore {
    /// Opens (creating) a database in `dir` with options `p`.
    pub fn open(dir: &Path, p: &PeerOptions) -> StoreResult<MmdbStore> {
        let o = db_options(p);
        let num_levels = o.num_levels;
        let db = DB::open(o, dir).map_err(err)?;
        Ok(MmdbStore {
            db,
            user_bytes: AtomicU64::new(0),
            num_levels,
        })
    }

    fn count(&self, bytes: usize) {
        self.user_bytes.fetch_add(bytes as u64, Relaxed);
    }

    fn write_options(sync: bool) -> WriteOptions {
        WriteOptions {
            sync,
            ..WriteOptions::default()
        }
    }

    fn property_u64(&self, name: &str) -> u64 {
        self.db
            .get_property(name)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    }
}

impl Store for MmdbStore {
    fn put(&self, key: &[u8], value: &[u8], sync: bool) -> StoreResult<()> {
        self.count(key.len() + value.len());
        self.db
            .put_with_options(&Self::write_options(sync), key, value)
            .map_err(err)
    }

    fn get(&self, key: &[u8]) -> StoreResult<Option<usize>> {
        Ok(self.db.get(key).map_err(err)?.map(|v| v.len()))
    }

    fn delete(&self, key: &[u8], sync: bool) -> StoreResult<()> {
        self.count(key.len());
        self.db
            .delete_with_options(&Self::write_options(sync), key)
            .map_err(err)
    }

    fn delete_range(&self, begin: &[u8], end: &[u8], sync: bool) -> StoreResult<()> {
        self.count(begin.len() + end.len());
        if begin >= end {
            return Ok(());
        }
        self.db
            .delete_range_with_options(&Self::write_options(sync), begin, end)
            .map_err(err)
    }

    fn write_batch(&self, entries: &[BatchEntry], sync: bool) -> StoreResult<()> {
        self.count(entry_bytes(entries));
        let mut b = WriteBatch::new();
        for e in entries {
            match e {
                BatchEntry::Put { key, value } => b.put(key, value),
                BatchEntry::Delete { key } => b.delete(key),
            }
        }
        self.db
            .write_with_options(&Self::write_options(sync), b)
            .map_err(err)
    }

    fn scan(&self, start: &[u8], len: usize) -> StoreResult<(usize, u64)> {
        let mut it = self.db.iter().map_err(err)?;
        it.seek(start);
        let mut n = 0;
        let mut bytes = 0u64;
        while n < len && it.valid() {
            let k = it.key().map_or(0, <[u8]>::len);
            let v = it.value().map_or(0, <[u8]>::len);
            bytes += (k + v) as u64;
            n += 1;
            it.advance();
        }
        match it.error() {
            Some(e) => Err(StoreError::peer("mmdb", format!("iterator: {e}"))),
            None => Ok((n, bytes)),
        }
    }

    fn flush(&self) -> StoreResult<()> {
        self.db.flush().map_err(err)
    }

    fn compact(&self) -> StoreResult<()> {
        self.db.compact().map_err(err)
    }

    fn wait_for_compaction(&self) -> StoreResult<()> {
        settle("mmdb", Duration::from_secs(600), || {
            Ok(self.db.get_property("compaction-pending").as_deref() != Some("0"))
        })
    }

    fn stats(&self) -> StoreStats {
        let mut counters = BTreeMap::new();
        for name in [
            "stats.bytes_written",
            "stats.compactions_completed",
            "stats.compaction_bytes_written",
            "stats.flushes_completed",
            "stats.block_cache_hits",
            "stats.block_cache_misses",
            "total-sst-size",
        ] {
            counters.insert(name.replace(['.', '-'], "_"), self.property_u64(name) as f64);
        }
        let files_per_level: Vec<u64> = (0..self.num_levels)
            .map(|l| self.property_u64(&format!("num-files-at-level{l}")))
            .collect();
        StoreStats::of_peer(StatsSummary {
            // mmdb counts compaction bytes but not WAL or flush bytes, so
            // the engine-counter write-amps stay unset (device write-amp
            // is the comparable figure); the counter is in `counters`.
            user_bytes: self.user_bytes.load(Relaxed),
            files_per_level,
            counters,
            ..Default::default()
        })
    }

    fn close(self: Box<Self>) -> StoreResult<()> {
        self.db.close().map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_peer::round_trip;

    #[test]
    fn mmdb_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        round_trip(|p| Ok(Box::new(MmdbStore::open(dir.path(), p)?)));
    }
}
