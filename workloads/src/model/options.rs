//! [`ModelOptions`]: the engine options the cost model reads, with the
//! engine's defaults. The model does not depend on the engine crate
//! (`workloads` never does); the runner converts an engine `Options` into
//! this and a runner test checks the defaults agree.

/// Block compression, as the model sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Codec {
    /// Stored raw.
    None,
    /// LZ4 (the engine's default).
    #[default]
    Lz4,
    /// Snappy.
    Snappy,
    /// Zstandard.
    Zstd,
}

impl Codec {
    /// Parses the engine's spelling (none, lz4, snappy, zstd).
    pub fn from_name(name: &str) -> Option<Codec> {
        match name {
            "none" => Some(Codec::None),
            "lz4" => Some(Codec::Lz4),
            "snappy" => Some(Codec::Snappy),
            "zstd" => Some(Codec::Zstd),
            _ => None,
        }
    }

    /// The engine's spelling.
    pub fn name(self) -> &'static str {
        match self {
            Codec::None => "none",
            Codec::Lz4 => "lz4",
            Codec::Snappy => "snappy",
            Codec::Zstd => "zstd",
        }
    }
}

use crate::model::speed::Speed;

/// The engine options the model depends on (names and defaults as in
/// DESIGN.md's option list).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelOptions {
    /// Memtable size in bytes of arena use [64MiB].
    pub write_buffer_size: u64,
    /// Memtables kept (active + immutable) [2].
    pub max_write_buffer_number: u64,
    /// Levels, L0 included [7].
    pub num_levels: usize,
    /// L0 files that trigger L0 -> base level [4].
    pub l0_compaction_trigger: usize,
    /// Target of L1 (static) or ceiling of the base level (dynamic) [256MiB].
    pub max_bytes_for_level_base: u64,
    /// Growth between level targets [10].
    pub max_bytes_for_level_multiplier: f64,
    /// Targets derived from the last level [false].
    pub level_compaction_dynamic_level_bytes: bool,
    /// Output file size at L1 [64MiB].
    pub target_file_size_base: u64,
    /// Growth of the output file size per level [1].
    pub target_file_size_multiplier: u64,
    /// Compression of every level without its own [lz4].
    pub compression: Codec,
    /// Compression per level (index = level).
    pub compression_per_level: Vec<Codec>,
    /// Compression of compaction outputs at the deepest level holding data.
    pub bottommost_compression: Option<Codec>,
    /// Uncompressed data block size [4KiB].
    pub block_size: u64,
    /// Entries between restart points [16].
    pub block_restart_interval: u64,
    /// Bloom bits per key; 0 = no filters [10].
    pub bloom_bits_per_key: f64,
    /// Block cache bytes [64MiB].
    pub block_cache_size: u64,
    /// L0 files at which writes stop until compaction catches up [36].
    pub l0_stop_trigger: usize,
    /// Background threads; all but one compact (at least one) [2].
    pub max_background_jobs: usize,
    /// Parallel ranges of one compaction [1].
    pub max_subcompactions: usize,
    /// Compactions run inline after every flush, so the tree never falls
    /// behind (the engine's deterministic mode) [false].
    pub deterministic: bool,
    /// Reads that look past a table charge it; a spent budget compacts it [true].
    pub read_triggered_compaction: bool,
    /// The host's speeds (not an engine option; see [`Speed`]).
    pub speed: Speed,
}

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions {
            write_buffer_size: 64 << 20,
            max_write_buffer_number: 2,
            num_levels: 7,
            l0_compaction_trigger: 4,
            max_bytes_for_level_base: 256 << 20,
            max_bytes_for_level_multiplier: 10.0,
            level_compaction_dynamic_level_bytes: false,
            target_file_size_base: 64 << 20,
            target_file_size_multiplier: 1,
            compression: Codec::Lz4,
            compression_per_level: Vec::new(),
            bottommost_compression: None,
            block_size: 4 << 10,
            block_restart_interval: 16,
            bloom_bits_per_key: 10.0,
            block_cache_size: 64 << 20,
            l0_stop_trigger: 36,
            max_background_jobs: 2,
            max_subcompactions: 1,
            deterministic: false,
            read_triggered_compaction: true,
            speed: Speed::default(),
        }
    }
}

impl ModelOptions {
    /// The level's own compression (per-level list, else `compression`).
    pub fn level_codec(&self, level: usize) -> Codec {
        self.compression_per_level
            .get(level)
            .copied()
            .unwrap_or(self.compression)
    }

    /// Compression of a compaction's output into `level` when `deepest` is
    /// the deepest level holding data (the engine's
    /// `compaction::output_compression`, RocksDB's rule).
    pub fn output_codec(&self, level: usize, deepest: usize) -> Codec {
        match self.bottommost_compression {
            Some(c) if level >= deepest => c,
            _ => self.level_codec(level),
        }
    }

    /// Compactions that run at once: `max_background_jobs - 1` (one thread
    /// stays free for flushes, the engine's rule), at least one, at most
    /// the cores.
    pub fn compaction_threads(&self) -> usize {
        let threads = self.max_background_jobs.saturating_sub(1).max(1);
        threads.min(self.speed.cores.max(1.0) as usize)
    }

    /// Output file size of compactions into `level`.
    pub fn target_file_size(&self, level: usize) -> f64 {
        let mut size = self.target_file_size_base as f64;
        for _ in 1..level.max(1) {
            size *= self.target_file_size_multiplier.max(1) as f64;
        }
        size
    }
}
