//! Amplification formulas, pure (numbers in, ratios out), shared by the
//! runner (which measures) and the reports (which render). Definitions,
//! beside RocksDB's, are in docs/metrics.md.
//!
//! Invariants: every ratio is `None` when its denominator is zero (a store
//! without tables, a phase without gets), never NaN or infinity; byte
//! arguments are the engine's own counters or live-file sizes, never a
//! directory listing (which still holds files the engine has dropped).

use crate::model::MeasuredReadAmp;

/// `num / den`, or `None` when `den` is zero.
fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// RocksDB's write amplification (the `Sum` row of its compaction stats):
/// bytes written by flushes and compactions / bytes written by flushes.
pub fn write_amp_rocksdb(flush_bytes: u64, compaction_bytes: u64) -> Option<f64> {
    ratio(flush_bytes + compaction_bytes, flush_bytes)
}

/// The user-level write amplification: bytes the engine wrote (WAL +
/// flush + compaction) / user key and value bytes accepted. `None` for a
/// store that writes nothing of its own.
pub fn write_amp_user(
    user_bytes: u64,
    wal_bytes: u64,
    flush_bytes: u64,
    compaction_bytes: u64,
) -> Option<f64> {
    let engine = wal_bytes + flush_bytes + compaction_bytes;
    if engine == 0 {
        return None;
    }
    ratio(engine, user_bytes)
}

/// Live table bytes of the last non-empty level (0 when every level is empty).
pub fn last_level_bytes(level_bytes: &[u64]) -> u64 {
    level_bytes.iter().rev().copied().find(|&b| b > 0).unwrap_or(0)
}

/// RocksDB's space amplification of leveled compaction: live table bytes
/// of all levels / live table bytes of the last non-empty level (the data
/// a full compaction would leave). 1.0 means no dead versions are kept.
pub fn space_amp(level_bytes: &[u64]) -> Option<f64> {
    ratio(level_bytes.iter().sum(), last_level_bytes(level_bytes))
}

/// RocksDB's compression ratio of the live tables: raw (uncompressed) table
/// bytes over stored table bytes, both summed over every live table. Raw
/// bytes are the internal keys and values the tables hold (RocksDB's
/// `raw_key_size + raw_value_size` table properties), so dead versions
/// count on both sides and a table of incompressible values is ~1.0x.
/// `None` without tables or without raw sizes (a store that reports none).
pub fn compression_ratio(raw_table_bytes: u64, table_bytes: u64) -> Option<f64> {
    if raw_table_bytes == 0 {
        return None;
    }
    ratio(raw_table_bytes, table_bytes)
}

/// Engine bytes per live user byte: (live table bytes + WAL bytes) / live
/// user bytes. Dead versions and compression together, for capacity planning.
pub fn bytes_per_live_byte(table_bytes: u64, wal_bytes: u64, live_user_bytes: u64) -> Option<f64> {
    if table_bytes + wal_bytes == 0 {
        return None;
    }
    ratio(table_bytes + wal_bytes, live_user_bytes)
}

/// Structural read-amp: tables a point read may consult in the worst case,
/// every L0 file plus one per non-empty deeper level (`None` without levels).
pub fn read_amp_structural(files_per_level: &[u64]) -> Option<f64> {
    let (l0, deeper) = files_per_level.split_first()?;
    Some((*l0 + deeper.iter().filter(|&&n| n > 0).count() as u64) as f64)
}

/// Engine counters over one phase, for [`read_amp_measured`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadCounters {
    /// Point reads served.
    pub gets: u64,
    /// Data blocks found in the block cache.
    pub block_cache_hits: u64,
    /// Data blocks read from a file.
    pub block_cache_misses: u64,
    /// Bloom filter probes.
    pub bloom_checks: u64,
    /// Probes that ruled a table out.
    pub bloom_useful: u64,
}

/// Read-amp measured over a phase: blocks and bloom probes per get
/// (`None` when the phase served no gets).
pub fn read_amp_measured(c: ReadCounters) -> Option<MeasuredReadAmp> {
    let per_get = |n: u64| n as f64 / c.gets as f64;
    (c.gets > 0).then(|| MeasuredReadAmp {
        gets: c.gets,
        blocks_per_get: per_get(c.block_cache_hits + c.block_cache_misses),
        block_reads_per_get: per_get(c.block_cache_misses),
        bloom_checks_per_get: per_get(c.bloom_checks),
        bloom_useful_per_get: per_get(c.bloom_useful),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_amp_both_definitions() {
        // 500 B flushed, 1500 B compacted, 1100 B of WAL for 1000 user bytes.
        assert_eq!(write_amp_rocksdb(500, 1500), Some(4.0));
        assert_eq!(write_amp_user(1000, 1100, 500, 1500), Some(3.1));
        assert_eq!(write_amp_rocksdb(0, 0), None);
        assert_eq!(
            write_amp_user(10, 0, 0, 0),
            None,
            "an in-memory store writes nothing"
        );
        assert_eq!(write_amp_user(0, 5, 0, 0), None);
    }

    #[test]
    fn space_amp_is_all_levels_over_the_last() {
        // quick.yaml before the fix: one live level (L2, 2,694,668 B) while the
        // directory still held the compaction inputs (5.5 MB): RocksDB's
        // space-amp is 1.00, the directory/user-bytes ratio said 1.10.
        let after_compact = [0, 0, 2_694_668, 0, 0, 0, 0];
        assert_eq!(space_amp(&after_compact), Some(1.0));
        assert_eq!(last_level_bytes(&after_compact), 2_694_668);
        // L0 30, L1 70, L2 900: (30 + 70 + 900) / 900.
        let levels = [30, 70, 900, 0];
        assert_eq!(space_amp(&levels), Some(1000.0 / 900.0));
        assert_eq!(space_amp(&[0, 0]), None);
        assert_eq!(space_amp(&[]), None);
    }

    #[test]
    fn compression_and_bytes_per_live_byte() {
        // 1000 entries of a 16-byte user key (+ 8-byte trailer) and a
        // 100-byte value: 124,000 raw bytes, stored in 62,000 B: 2.0x.
        assert_eq!(compression_ratio(1000 * (16 + 8 + 100), 62_000), Some(2.0));
        assert_eq!(compression_ratio(0, 1), None, "no raw sizes reported");
        assert_eq!(compression_ratio(10, 0), None, "no tables");
        assert_eq!(bytes_per_live_byte(900, 100, 2000), Some(0.5));
        assert_eq!(bytes_per_live_byte(0, 0, 2000), None);
    }

    #[test]
    fn read_amp_structural_counts_l0_files_and_deeper_levels() {
        assert_eq!(read_amp_structural(&[3, 0, 4, 9]), Some(5.0));
        assert_eq!(read_amp_structural(&[0, 0, 11]), Some(1.0));
        assert_eq!(read_amp_structural(&[]), None);
    }

    #[test]
    fn read_amp_measured_per_get() {
        let m = read_amp_measured(ReadCounters {
            gets: 1000,
            block_cache_hits: 1500,
            block_cache_misses: 500,
            bloom_checks: 3000,
            bloom_useful: 2000,
        })
        .unwrap();
        assert_eq!(m.gets, 1000);
        assert_eq!(m.blocks_per_get, 2.0);
        assert_eq!(m.block_reads_per_get, 0.5);
        assert_eq!(m.bloom_checks_per_get, 3.0);
        assert_eq!(m.bloom_useful_per_get, 2.0);
        assert_eq!(read_amp_measured(ReadCounters::default()), None);
    }
}
