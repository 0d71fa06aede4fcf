//! Engine options: `Options` (per database), `ReadOptions`, `WriteOptions`.
//!
//! `Options` deserializes from a map of option names (JSON or YAML), rejects
//! unknown names, and accepts sizes as integers or strings like `"64MiB"`.
//! Names follow the seed engine; RocksDB spellings are accepted as aliases.
//! Every option changes behaviour: [`Options::validate`] rejects impossible
//! combinations before a database opens.

pub mod size;

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fs::FileSystem;
use crate::snapshot::Snapshot;

/// Block compression algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CompressionType {
    /// Stored raw.
    None,
    /// LZ4 block format (lz4_flex).
    #[default]
    Lz4,
    /// Zstandard at `Options::zstd_level`.
    Zstd,
    /// Snappy raw format.
    Snappy,
}

impl CompressionType {
    /// Every compression type, for sweeps and tests.
    pub const ALL: [CompressionType; 4] = [
        CompressionType::None,
        CompressionType::Lz4,
        CompressionType::Zstd,
        CompressionType::Snappy,
    ];

    /// The one-byte tag stored on disk after each block.
    pub fn tag(self) -> u8 {
        match self {
            CompressionType::None => 0,
            CompressionType::Snappy => 1,
            CompressionType::Lz4 => 2,
            CompressionType::Zstd => 3,
        }
    }

    /// Decodes an on-disk tag.
    pub fn from_tag(tag: u8) -> Option<CompressionType> {
        match tag {
            0 => Some(CompressionType::None),
            1 => Some(CompressionType::Snappy),
            2 => Some(CompressionType::Lz4),
            3 => Some(CompressionType::Zstd),
            _ => None,
        }
    }

    /// The lowercase name (as spelt in options).
    pub fn name(self) -> &'static str {
        match self {
            CompressionType::None => "none",
            CompressionType::Lz4 => "lz4",
            CompressionType::Zstd => "zstd",
            CompressionType::Snappy => "snappy",
        }
    }
}

/// How WAL recovery treats damaged records (RocksDB's WALRecoveryMode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum WalRecoveryMode {
    /// A torn or corrupt record at the very end of the last log (a crash
    /// during append) is dropped; corruption anywhere else fails the open.
    #[default]
    TolerateCorruptedTail,
    /// Any damage, even a torn tail, fails the open.
    AbsoluteConsistency,
    /// Recover up to the first damaged record and stop there, discarding
    /// everything after it (consistent prefix).
    PointInTime,
    /// Skip every damaged record and keep going (salvage).
    SkipAnyCorrupted,
}

/// What a compaction filter decides for one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterDecision {
    /// Keep the entry unchanged.
    Keep,
    /// Drop the entry (it becomes as if deleted below this point).
    Remove,
    /// Keep the key with a new value.
    ChangeValue(Vec<u8>),
}

/// A user hook run on every live value that a compaction (or flush) writes.
///
/// Entries still visible to a snapshot are not filtered.
pub trait CompactionFilter: Send + Sync {
    /// Decides the fate of `key`/`value` being written to `level`.
    fn filter(&self, level: usize, key: &[u8], value: &[u8]) -> FilterDecision;
    /// A short name for logs and statistics.
    fn name(&self) -> &str {
        "compaction-filter"
    }
}

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
    /// Rejects impossible option values with a message naming the option.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::InvalidArgument(msg));
        if self.write_buffer_size < 4096 {
            return bad(format!(
                "write_buffer_size must be at least 4096 bytes, got {}",
                self.write_buffer_size
            ));
        }
        if self.max_write_buffer_number < 1 {
            return bad("max_write_buffer_number must be at least 1".into());
        }
        if !(2..=64).contains(&self.num_levels) {
            return bad(format!(
                "num_levels must be between 2 and 64, got {}",
                self.num_levels
            ));
        }
        if self.l0_compaction_trigger < 1 {
            return bad("l0_compaction_trigger must be at least 1".into());
        }
        if self.l0_slowdown_trigger < self.l0_compaction_trigger {
            return bad(format!(
                "l0_slowdown_trigger ({}) must be >= l0_compaction_trigger ({})",
                self.l0_slowdown_trigger, self.l0_compaction_trigger
            ));
        }
        if self.l0_stop_trigger < self.l0_slowdown_trigger {
            return bad(format!(
                "l0_stop_trigger ({}) must be >= l0_slowdown_trigger ({})",
                self.l0_stop_trigger, self.l0_slowdown_trigger
            ));
        }
        if self.max_bytes_for_level_base == 0 {
            return bad("max_bytes_for_level_base must be positive".into());
        }
        if !(self.max_bytes_for_level_multiplier.is_finite() && self.max_bytes_for_level_multiplier > 1.0) {
            return bad(format!(
                "max_bytes_for_level_multiplier must be greater than 1, got {}",
                self.max_bytes_for_level_multiplier
            ));
        }
        if self.target_file_size_base < 1024 {
            return bad(format!(
                "target_file_size_base must be at least 1KiB, got {}",
                self.target_file_size_base
            ));
        }
        if self.target_file_size_multiplier < 1 {
            return bad("target_file_size_multiplier must be at least 1".into());
        }
        if !(1..=64).contains(&self.max_subcompactions) {
            return bad(format!(
                "max_subcompactions must be between 1 and 64, got {}",
                self.max_subcompactions
            ));
        }
        if !(1..=64).contains(&self.max_background_jobs) {
            return bad(format!(
                "max_background_jobs must be between 1 and 64, got {}",
                self.max_background_jobs
            ));
        }
        if self.compression_per_level.len() > self.num_levels {
            return bad(format!(
                "compression_per_level has {} entries but num_levels is {}",
                self.compression_per_level.len(),
                self.num_levels
            ));
        }
        if !(1..=22).contains(&self.zstd_level) && !(-7..=-1).contains(&self.zstd_level) {
            return bad(format!(
                "zstd_level must be in 1..=22 (or -7..=-1 for fast modes), got {}",
                self.zstd_level
            ));
        }
        if !(256..=(64 << 20)).contains(&self.block_size) {
            return bad(format!(
                "block_size must be between 256 bytes and 64MiB, got {}",
                self.block_size
            ));
        }
        if !(1..=1024).contains(&self.block_restart_interval) {
            return bad(format!(
                "block_restart_interval must be between 1 and 1024, got {}",
                self.block_restart_interval
            ));
        }
        if !(self.bloom_bits_per_key.is_finite() && (0.0..=64.0).contains(&self.bloom_bits_per_key)) {
            return bad(format!(
                "bloom_bits_per_key must be between 0 and 64, got {}",
                self.bloom_bits_per_key
            ));
        }
        if self.max_open_files < 16 {
            return bad(format!(
                "max_open_files must be at least 16, got {}",
                self.max_open_files
            ));
        }
        if self.hard_pending_compaction_bytes_limit < self.soft_pending_compaction_bytes_limit {
            return bad(format!(
                "hard_pending_compaction_bytes_limit ({}) must be >= soft_pending_compaction_bytes_limit ({})",
                self.hard_pending_compaction_bytes_limit, self.soft_pending_compaction_bytes_limit
            ));
        }
        Ok(())
    }

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

/// Options for one read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Read as of this snapshot; `None` reads the latest committed state.
    pub snapshot: Option<Snapshot>,
    /// Inclusive lower bound for iterators.
    pub lower_bound: Option<Vec<u8>>,
    /// Exclusive upper bound for iterators.
    pub upper_bound: Option<Vec<u8>>,
    /// Do not insert blocks read by this operation into the block cache
    /// (for scans that would evict the hot set).
    pub skip_cache_fill: bool,
}

/// Options for one write.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// fsync the WAL before acknowledging the write.
    pub sync: bool,
    /// Do not write the WAL (the write is lost on a crash before the next flush).
    pub disable_wal: bool,
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
    fn impossible_options_are_rejected() {
        let o = Options {
            num_levels: 1,
            ..Default::default()
        };
        assert!(o.validate().is_err());
        let o = Options {
            l0_stop_trigger: 2,
            ..Default::default()
        };
        assert!(o.validate().is_err());
        Options::default().validate().expect("defaults are valid");
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
