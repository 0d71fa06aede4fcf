//! RocksDB (through the `rocksdb` crate, which builds RocksDB from source)
//! behind the [`Store`] trait, options mapped from [`PeerOptions`] (table
//! in docs/peers.md).
//!
//! Invariants:
//! - RocksDB honours every mapped option; each `Some` field is set here,
//!   under RocksDB's own name (`set_level_zero_file_num_compaction_trigger`
//!   for `l0_compaction_trigger`, ...). Unset fields keep RocksDB's
//!   defaults (notably `level_compaction_dynamic_level_bytes = true` and an
//!   internal 32 MiB block cache).
//! - Statistics are enabled, so WAL, flush and compaction bytes come from
//!   RocksDB's own tickers; user bytes are counted here like every store.
//! - Writes go to the WAL without sync unless the phase asks for `sync`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use lsmlab_engine::CompressionType;
use lsmlab_workloads::BatchEntry;
use rocksdb::statistics::Ticker;
use rocksdb::{
    BlockBasedOptions, Cache, DB, DBCompressionType, Options, WaitForCompactOptions, WriteBatch, WriteOptions,
};

use super::peer_options::PeerOptions;
use super::{StatsSummary, Store, StoreError, StoreResult, StoreStats, entry_bytes};

/// An open RocksDB database.
pub struct RocksdbStore {
    db: DB,
    /// Kept for its statistics object (the tickers).
    options: Options,
    user_bytes: AtomicU64,
    num_levels: usize,
}

fn err(e: rocksdb::Error) -> StoreError {
    StoreError::peer("rocksdb", e)
}

fn compression(c: CompressionType) -> DBCompressionType {
    match c {
        CompressionType::None => DBCompressionType::None,
        CompressionType::Lz4 => DBCompressionType::Lz4,
        CompressionType::Zstd => DBCompressionType::Zstd,
        CompressionType::Snappy => DBCompressionType::Snappy,
    }
}

/// A count option as RocksDB's C int (the engine's validation bounds every
/// count far below `i32::MAX`).
fn int(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// RocksDB's options for `p` (RocksDB's defaults where `p` is silent).
fn db_options(p: &PeerOptions) -> Options {
    let mut o = Options::default();
    o.create_if_missing(true);
    o.enable_statistics();
    if let Some(n) = p.write_buffer_size {
        o.set_write_buffer_size(n);
    }
    if let Some(n) = p.max_write_buffer_number {
        o.set_max_write_buffer_number(int(n));
    }
    if let Some(c) = p.compression {
        o.set_compression_type(compression(c));
    }
    if let Some(n) = p.max_open_files {
        o.set_max_open_files(int(n));
    }
    if let Some(n) = p.num_levels {
        o.set_num_levels(int(n));
    }
    if let Some(n) = p.target_file_size_base {
        o.set_target_file_size_base(n);
    }
    if let Some(n) = p.max_bytes_for_level_base {
        o.set_max_bytes_for_level_base(n);
    }
    if let Some(m) = p.max_bytes_for_level_multiplier {
        o.set_max_bytes_for_level_multiplier(m);
    }
    if let Some(b) = p.level_compaction_dynamic_level_bytes {
        o.set_level_compaction_dynamic_level_bytes(b);
    }
    if let Some(n) = p.l0_compaction_trigger {
        o.set_level_zero_file_num_compaction_trigger(int(n));
    }
    if let Some(n) = p.l0_slowdown_trigger {
        o.set_level_zero_slowdown_writes_trigger(int(n));
    }
    if let Some(n) = p.l0_stop_trigger {
        o.set_level_zero_stop_writes_trigger(int(n));
    }
    if let Some(n) = p.max_subcompactions {
        o.set_max_subcompactions(u32::try_from(n).unwrap_or(u32::MAX));
    }
    if let Some(n) = p.max_background_jobs {
        o.set_max_background_jobs(int(n));
    }
    let mut t = BlockBasedOptions::default();
    if let Some(n) = p.block_size {
        t.set_block_size(n);
    }
    if let Some(n) = p.block_restart_interval {
        t.set_block_restart_interval(int(n));
    }
    if let Some(b) = p.bloom_bits_per_key.filter(|&b| b > 0.0) {
        t.set_bloom_filter(b, false);
    }
    if let Some(n) = p.block_cache_size {
        t.set_block_cache(&Cache::new_lru_cache(n));
    }
    o.set_block_based_table_factory(&t);
    o
}

impl RocksdbStore {
    /// Opens (creating) a database in `dir` with options `p`.
    pub fn open(dir: &Path, p: &PeerOptions) -> StoreResult<RocksdbStore> {
        let options = db_options(p);
        let db = DB::open(&options, dir).map_err(err)?;
        Ok(RocksdbStore {
            db,
            options,
            user_bytes: AtomicU64::new(0),
            num_levels: p.num_levels.unwrap_or(7),
        })
    }

    fn count(&self, bytes: usize) {
        self.user_bytes.fetch_add(bytes as u64, Relaxed);
    }

    fn write_options(sync: bool) -> WriteOptions {
        let mut w = WriteOptions::default();
        w.set_sync(sync);
        w
    }

    fn property_u64(&self, name: &str) -> u64 {
        self.db.property_int_value(name).ok().flatten().unwrap_or(0)
    }
}

impl Store for RocksdbStore {
    fn put(&self, key: &[u8], value: &[u8], sync: bool) -> StoreResult<()> {
        self.count(key.len() + value.len());
        self.db
            .put_opt(key, value, &Self::write_options(sync))
            .map_err(err)
    }

    fn get(&self, key: &[u8]) -> StoreResult<Option<usize>> {
        Ok(self.db.get_pinned(key).map_err(err)?.map(|v| v.len()))
    }

    fn delete(&self, key: &[u8], sync: bool) -> StoreResult<()> {
        self.count(key.len());
        self.db.delete_opt(key, &Self::write_options(sync)).map_err(err)
    }

    fn delete_range(&self, begin: &[u8], end: &[u8], sync: bool) -> StoreResult<()> {
        self.count(begin.len() + end.len());
        if begin >= end {
            return Ok(());
        }
        let mut b = WriteBatch::default();
        b.delete_range(begin, end);
        self.db.write_opt(b, &Self::write_options(sync)).map_err(err)
    }

    fn write_batch(&self, entries: &[BatchEntry], sync: bool) -> StoreResult<()> {
        self.count(entry_bytes(entries));
        let mut b = WriteBatch::default();
        for e in entries {
            match e {
                BatchEntry::Put { key, value } => b.put(key, value),
                BatchEntry::Delete { key } => b.delete(key),
            }
        }
        self.db.write_opt(b, &Self::write_options(sync)).map_err(err)
    }

    fn scan(&self, start: &[u8], len: usize) -> StoreResult<(usize, u64)> {
        let mut it = self.db.raw_iterator();
        it.seek(start);
        let mut n = 0;
        let mut bytes = 0u64;
        while n < len && it.valid() {
            let k = it.key().map_or(0, <[u8]>::len);
            let v = it.value().map_or(0, <[u8]>::len);
            bytes += (k + v) as u64;
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
        self.db.compact_range::<&[u8], &[u8]>(None, None);
        self.wait_for_compaction()
    }

    fn wait_for_compaction(&self) -> StoreResult<()> {
        self.db
            .wait_for_compact(&WaitForCompactOptions::default())
            .map_err(err)
    }

    fn stats(&self) -> StoreStats {
        let t = |ticker| self.options.get_ticker_count(ticker);
        let (wal, flush, compaction) = (
            t(Ticker::WalFileBytes),
            t(Ticker::FlushWriteBytes),
            t(Ticker::CompactWriteBytes),
        );
        let mut counters = BTreeMap::new();
        counters.insert("user_bytes".to_string(), self.user_bytes.load(Relaxed) as f64);
        counters.insert("wal_bytes".to_string(), wal as f64);
        counters.insert("flush_bytes".to_string(), flush as f64);
        counters.insert("compaction_bytes_written".to_string(), compaction as f64);
        counters.insert("bytes_written".to_string(), t(Ticker::BytesWritten) as f64);
        counters.insert("block_cache_hits".to_string(), t(Ticker::BlockCacheHit) as f64);
        counters.insert("block_cache_misses".to_string(), t(Ticker::BlockCacheMiss) as f64);
        counters.insert("bloom_useful".to_string(), t(Ticker::BloomFilterUseful) as f64);
        counters.insert("stall_micros".to_string(), t(Ticker::StallMicros) as f64);
        let files_per_level: Vec<u64> = (0..self.num_levels)
            .map(|l| self.property_u64(&format!("rocksdb.num-files-at-level{l}")))
            .collect();
        StoreStats::of_peer(StatsSummary {
            user_bytes: self.user_bytes.load(Relaxed),
            wal_bytes: wal,
            flush_bytes: flush,
            compaction_bytes: compaction,
            files_per_level,
            // Not read back per level (RocksDB only prints them as text):
            // space figures for peers come from the directory size.
            level_bytes: Vec::new(),
            level_raw_bytes: Vec::new(),
            counters,
        })
    }

    fn close(self: Box<Self>) -> StoreResult<()> {
        // Make the WAL durable, as the bundled engine's close() does; the
        // database closes on drop.
        self.db.flush_wal(true).map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_peer::round_trip;

    #[test]
    fn rocksdb_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        round_trip(|p| Ok(Box::new(RocksdbStore::open(dir.path(), p)?)));
    }
}
