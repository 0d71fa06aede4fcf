//! [`Options`]: the per-database options, their defaults and `Debug`.
//! Checks of impossible combinations are in `validate.rs`.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::compaction_filter::CompactionFilter;
use super::compression::CompressionType;
use super::size;
use super::wal_recovery::WalRecoveryMode;
use crate::fs::FileSystem;

/// Per-database options. See DESIGN.md for the list; defaults in brackets on
/// each field.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// Create the database if it does not exist [true].
    pub create_if_missing: bool,
    /// Fail to open if the database already exists [false].
    pub error_if_exists: bool,
    /// Bytes a memtable holds before it becomes immutable and is flushed [64MiB].
    #[serde(with = "usize_size")]
    pub write_buffer_size: usize,
    /// Memtables (active + immutable) allowed before writers stall [2].
    pub max_write_buffer_number: usize,
    /// Number of levels, L0 included [7].
    pub num_levels: usize,
    /// L0 file count that triggers an L0->L1 compaction [4].
    #[serde(alias = "level0_file_num_compaction_trigger")]
    pub l0_compaction_trigger: usize,
    /// L0 file count at which writes are slowed [20].
    #[serde(alias = "level0_slowdown_writes_trigger")]
    pub l0_slowdown_trigger: usize,
    /// L0 file count at which writes stop until compaction catches up [36].
    #[serde(alias = "level0_stop_writes_trigger")]
    pub l0_stop_trigger: usize,
    /// Target size of L1 [256MiB].
    #[serde(with = "size")]
    pub max_bytes_for_level_base: u64,
    /// Growth factor between level targets [10.0].
    pub max_bytes_for_level_multiplier: f64,
    /// Size level targets from the last level upward (RocksDB's dynamic level bytes) [false].
    pub level_compaction_dynamic_level_bytes: bool,
    /// Target SST size at L1 [64MiB].
    #[serde(with = "size")]
    pub target_file_size_base: u64,
    /// Growth factor of the target file size per level [1].
    pub target_file_size_multiplier: u32,
    /// Parallel key-range pieces one compaction may split into [1].
    pub max_subcompactions: usize,
    /// Background threads for flushes and compactions [2].
    pub max_background_jobs: usize,
    /// Block compression for all levels unless overridden [lz4].
    pub compression: CompressionType,
    /// Compression per level (index = level); shorter lists fall back to `compression` [[]].
    pub compression_per_level: Vec<CompressionType>,
    /// Compression of the bottommost level; unset means the level's normal compression [unset].
    pub bottommost_compression: Option<CompressionType>,
    /// Zstandard level [3].
    pub zstd_level: i32,
    /// Uncompressed data block size target [4KiB].
    #[serde(with = "usize_size")]
    pub block_size: usize,
    /// Keys between restart points in a data block [16].
    pub block_restart_interval: usize,
    /// Bloom filter bits per key; 0 disables filters [10].
    pub bloom_bits_per_key: f64,
    /// Block cache capacity in bytes; 0 disables the cache [64MiB].
    #[serde(with = "usize_size")]
    pub block_cache_size: usize,
    /// Table files kept open (table cache capacity) [1000].
    pub max_open_files: usize,
    /// Flush+compaction write rate limit in bytes/s; 0 = unlimited [0].
    #[serde(with = "size")]
    pub rate_limit_bytes_per_sec: u64,
    /// Pending compaction bytes at which writes slow down [64GiB].
    #[serde(with = "size")]
    pub soft_pending_compaction_bytes_limit: u64,
    /// Pending compaction bytes at which writes stop [256GiB].
    #[serde(with = "size")]
    pub hard_pending_compaction_bytes_limit: u64,
    /// Sampled reads that look past files nominate them for compaction [true].
    pub read_triggered_compaction: bool,
    /// How WAL damage is handled on recovery [tolerate_corrupted_tail].
    pub wal_recovery_mode: WalRecoveryMode,
    /// Verify checksums on every read, and fail opens on any inconsistency [true].
    pub paranoid_checks: bool,
    /// Hook run on entries written by compactions (code only) [None].
    #[serde(skip)]
    pub compaction_filter: Option<Arc<dyn CompactionFilter>>,
    /// File system used for every file (code only; tests inject faults) [real files].
    #[serde(skip)]
    pub file_system: Option<Arc<dyn FileSystem>>,
}

/// `size` for `usize` fields.
mod usize_size {
    use serde::{Deserializer, Serializer};
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
        super::size::deserialize(d)
    }
    pub fn serialize<S: Serializer>(v: &usize, s: S) -> Result<S::Ok, S::Error> {
        super::size::serialize_usize(v, s)
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            create_if_missing: true,
            error_if_exists: false,
            write_buffer_size: 64 << 20,
            max_write_buffer_number: 2,
            num_levels: 7,
            l0_compaction_trigger: 4,
            l0_slowdown_trigger: 20,
            l0_stop_trigger: 36,
            max_bytes_for_level_base: 256 << 20,
            max_bytes_for_level_multiplier: 10.0,
            level_compaction_dynamic_level_bytes: false,
            target_file_size_base: 64 << 20,
            target_file_size_multiplier: 1,
            max_subcompactions: 1,
            max_background_jobs: 2,
            compression: CompressionType::Lz4,
            compression_per_level: Vec::new(),
            bottommost_compression: None,
            zstd_level: 3,
            block_size: 4 << 10,
            block_restart_interval: 16,
            bloom_bits_per_key: 10.0,
            block_cache_size: 64 << 20,
            max_open_files: 1000,
            rate_limit_bytes_per_sec: 0,
            soft_pending_compaction_bytes_limit: 64 << 30,
            hard_pending_compaction_bytes_limit: 256 << 30,
            read_triggered_compaction: true,
            wal_recovery_mode: WalRecoveryMode::TolerateCorruptedTail,
            paranoid_checks: true,
            compaction_filter: None,
            file_system: None,
        }
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Serialize the data options; show hooks by presence only.
        let json = serde_json_like(self);
        write!(
            f,
            "Options {{ {json}, compaction_filter: {}, file_system: {} }}",
            self.compaction_filter.as_ref().map_or("none", |c| c.name()),
            if self.file_system.is_some() {
                "custom"
            } else {
                "default"
            }
        )
    }
}

/// Renders the option fields as `name: value` pairs without a JSON dependency.
fn serde_json_like(o: &Options) -> String {
    format!(
        "write_buffer_size: {}, max_write_buffer_number: {}, num_levels: {}, l0_compaction_trigger: {}, \
         l0_slowdown_trigger: {}, l0_stop_trigger: {}, max_bytes_for_level_base: {}, \
         max_bytes_for_level_multiplier: {}, level_compaction_dynamic_level_bytes: {}, \
         target_file_size_base: {}, target_file_size_multiplier: {}, max_subcompactions: {}, \
         max_background_jobs: {}, compression: {:?}, compression_per_level: {:?}, \
         bottommost_compression: {:?}, zstd_level: {}, block_size: {}, block_restart_interval: {}, \
         bloom_bits_per_key: {}, block_cache_size: {}, max_open_files: {}, rate_limit_bytes_per_sec: {}, \
         soft_pending_compaction_bytes_limit: {}, hard_pending_compaction_bytes_limit: {}, \
         read_triggered_compaction: {}, wal_recovery_mode: {:?}, paranoid_checks: {}",
        o.write_buffer_size,
        o.max_write_buffer_number,
        o.num_levels,
        o.l0_compaction_trigger,
        o.l0_slowdown_trigger,
        o.l0_stop_trigger,
        o.max_bytes_for_level_base,
        o.max_bytes_for_level_multiplier,
        o.level_compaction_dynamic_level_bytes,
        o.target_file_size_base,
        o.target_file_size_multiplier,
        o.max_subcompactions,
        o.max_background_jobs,
        o.compression,
        o.compression_per_level,
        o.bottommost_compression,
        o.zstd_level,
        o.block_size,
        o.block_restart_interval,
        o.bloom_bits_per_key,
        o.block_cache_size,
        o.max_open_files,
        o.rate_limit_bytes_per_sec,
        o.soft_pending_compaction_bytes_limit,
        o.hard_pending_compaction_bytes_limit,
        o.read_triggered_compaction,
        o.wal_recovery_mode,
        o.paranoid_checks,
    )
}

impl Options {
    /// Compression used for blocks written to `level` (of `num_levels`).
    pub fn compression_for_level(&self, level: usize) -> CompressionType {
        if let Some(c) = self
            .bottommost_compression
            .filter(|_| level + 1 == self.num_levels)
        {
            return c;
        }
        self.compression_per_level
            .get(level)
            .copied()
            .unwrap_or(self.compression)
    }

    /// Target output file size for compactions into `level` (L0 and L1 use the base).
    pub fn target_file_size(&self, level: usize) -> u64 {
        let mut size = self.target_file_size_base;
        for _ in 1..level.max(1) {
            size = size.saturating_mul(self.target_file_size_multiplier as u64);
        }
        size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserializes_names_aliases_and_sizes() {
        let o: Options = serde_json::from_str(
            r#"{"write_buffer_size": "8MiB", "level0_file_num_compaction_trigger": 2,
                "compression": "zstd", "num_levels": 5, "block_size": 8192}"#,
        )
        .expect("valid options");
        assert_eq!(o.write_buffer_size, 8 << 20);
        assert_eq!(o.l0_compaction_trigger, 2);
        assert_eq!(o.compression, CompressionType::Zstd);
        assert_eq!(o.block_size, 8192);
        o.validate().expect("valid");
    }

    #[test]
    fn unknown_option_is_an_error() {
        let err = serde_json::from_str::<Options>(r#"{"num_level": 3}"#).expect_err("must fail");
        assert!(err.to_string().contains("unknown field `num_level`"), "{err}");
    }

    #[test]
    fn per_level_compression() {
        let o = Options {
            num_levels: 4,
            compression_per_level: vec![CompressionType::None, CompressionType::Lz4],
            bottommost_compression: Some(CompressionType::Zstd),
            compression: CompressionType::Snappy,
            ..Default::default()
        };
        assert_eq!(o.compression_for_level(0), CompressionType::None);
        assert_eq!(o.compression_for_level(1), CompressionType::Lz4);
        assert_eq!(o.compression_for_level(2), CompressionType::Snappy);
        assert_eq!(o.compression_for_level(3), CompressionType::Zstd);
    }
}
