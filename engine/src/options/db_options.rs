//! [`Options`]: the per-database options and their defaults.
//! Checks of impossible combinations are in `validate.rs`.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::compaction_filter::CompactionFilter;
use super::compression::CompressionType;
use super::wal_recovery::WalRecoveryMode;
use crate::fs::FileSystem;

/// Per-database options. See DESIGN.md for the list; defaults in brackets on
/// each field.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// Create the database if it does not exist [true].
    pub create_if_missing: bool,
    /// Fail to open if the database already exists [false].
    pub error_if_exists: bool,
    /// Bytes a memtable holds before it becomes immutable and is flushed [64MiB].
    #[serde(with = "lsmlab_units::size_serde")]
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
    #[serde(with = "lsmlab_units::size_serde")]
    pub max_bytes_for_level_base: u64,
    /// Growth factor between level targets [10.0].
    pub max_bytes_for_level_multiplier: f64,
    /// Size level targets from the last level upward (RocksDB's dynamic level bytes) [false].
    pub level_compaction_dynamic_level_bytes: bool,
    /// Target SST size at L1 [64MiB].
    #[serde(with = "lsmlab_units::size_serde")]
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
    /// Compression of compaction outputs at (or below) the deepest level
    /// holding data, RocksDB's meaning (see `compaction::output_compression`);
    /// unset means the level's normal compression [unset].
    pub bottommost_compression: Option<CompressionType>,
    /// Zstandard level [3].
    pub zstd_level: i32,
    /// Uncompressed data block size target [4KiB].
    #[serde(with = "lsmlab_units::size_serde")]
    pub block_size: usize,
    /// Keys between restart points in a data block [16].
    pub block_restart_interval: usize,
    /// Bloom filter bits per key; 0 disables filters [10].
    pub bloom_bits_per_key: f64,
    /// Block cache capacity in bytes; 0 disables the cache [64MiB].
    #[serde(with = "lsmlab_units::size_serde")]
    pub block_cache_size: usize,
    /// Table files kept open (table cache capacity) [1000].
    pub max_open_files: usize,
    /// Flush+compaction write rate limit in bytes/s; 0 = unlimited [0].
    #[serde(with = "lsmlab_units::size_serde")]
    pub rate_limit_bytes_per_sec: u64,
    /// Pending compaction bytes at which writes slow down [64GiB].
    #[serde(with = "lsmlab_units::size_serde")]
    pub soft_pending_compaction_bytes_limit: u64,
    /// Pending compaction bytes at which writes stop [256GiB].
    #[serde(with = "lsmlab_units::size_serde")]
    pub hard_pending_compaction_bytes_limit: u64,
    /// Sampled reads that look past files nominate them for compaction [true].
    pub read_triggered_compaction: bool,
    /// Deterministic schedule [false]: every flush and compaction runs
    /// synchronously in the thread that made it necessary, at points fixed
    /// by the sequence of operations, so the engine's counters (bytes per
    /// level, compactions, files, amplification, size) repeat exactly for
    /// the same operations. When a write switches the memtable, that writer
    /// flushes it and then compacts until no level scores >= 1 (and a file
    /// nominated by read sampling is compacted); `flush`, `compact_range`,
    /// `wait_for_compaction` and `open` do the same. No background threads
    /// are started (`max_background_jobs` does not apply), subcompaction
    /// ranges run one after another, and writes never stall or slow down
    /// (nothing can pile up). Throughput then describes this schedule, not
    /// the background one.
    pub deterministic: bool,
    /// How WAL damage is handled on recovery [tolerate_corrupted_tail].
    pub wal_recovery_mode: WalRecoveryMode,
    /// Verify checksums on every read, and fail opens on any inconsistency [true].
    pub paranoid_checks: bool,
    /// Hook run on entries written by compactions, not flushes (code only) [None].
    #[serde(skip)]
    pub compaction_filter: Option<Arc<dyn CompactionFilter>>,
    /// File system used for every file (code only; tests inject faults) [real files].
    #[serde(skip)]
    pub file_system: Option<Arc<dyn FileSystem>>,
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
            deterministic: false,
            wal_recovery_mode: WalRecoveryMode::TolerateCorruptedTail,
            paranoid_checks: true,
            compaction_filter: None,
            file_system: None,
        }
    }
}

impl Options {
    /// The level's own compression: `compression_per_level[level]`, else
    /// `compression`. `bottommost_compression` is not a property of a level
    /// number; compactions apply it where the data ends
    /// (`compaction::output_compression`).
    pub fn compression_for_level(&self, level: usize) -> CompressionType {
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
    fn debug_shows_every_field_and_the_hooks() {
        struct DropAll;
        impl CompactionFilter for DropAll {
            fn filter(&self, _: usize, _: &[u8], _: &[u8]) -> crate::options::FilterDecision {
                crate::options::FilterDecision::Remove
            }
            fn name(&self) -> &str {
                "drop-all"
            }
        }
        let o = Options {
            error_if_exists: true,
            compaction_filter: Some(Arc::new(DropAll)),
            ..Default::default()
        };
        let text = format!("{o:?}");
        // Every serialized option appears by name (the old hand-written
        // Debug forgot create_if_missing and error_if_exists).
        let names = match serde_json::to_value(&o) {
            Ok(serde_json::Value::Object(m)) => m.keys().cloned().collect::<Vec<_>>(),
            other => panic!("options serialize to a map, got {other:?}"),
        };
        assert!(names.len() >= 30, "{names:?}");
        for name in &names {
            assert!(text.contains(&format!("{name}: ")), "{name} missing from {text}");
        }
        assert!(text.contains("error_if_exists: true"), "{text}");
        assert!(
            text.contains("compaction_filter: Some(CompactionFilter(\"drop-all\"))"),
            "{text}"
        );
        assert!(text.contains("file_system: None"), "{text}");
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
        // The last level by number has no special compression of its own.
        assert_eq!(o.compression_for_level(3), CompressionType::Snappy);
    }
}
