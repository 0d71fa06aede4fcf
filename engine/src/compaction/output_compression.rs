//! Which compression a compaction's output tables get.
//!
//! RocksDB's rule (`GetCompressionType` in `compaction_picker.cc`):
//! `bottommost_compression`, when set, applies to every compaction whose
//! output level is at or below the deepest level holding data
//! (`output_level >= num_non_empty_levels - 1`), so it reaches the data
//! that actually sits at the bottom of the tree: L1 while everything fits
//! there, the last level with dynamic level sizes, and never a level that
//! merely has the highest number. Otherwise the level's own compression
//! applies ([`Options::compression_for_level`]). Flushes never use
//! `bottommost_compression` (RocksDB's flush does not either).
//!
//! "Deepest level holding data" is measured in the version the compaction
//! was picked from, with its inputs still in place, so an L0->L1 compaction
//! of a database that holds nothing below L0 writes bottommost tables.
//!
//! A trivial move keeps a file's bytes, so a file whose compression differs
//! from what its destination would get is rewritten instead of moved (as
//! RocksDB does for per-level compression).

use crate::options::{CompressionType, Options};
use crate::version::Version;

/// The deepest level of `v` that holds at least one file (`None` when the
/// tree is empty).
pub fn deepest_level_with_data(v: &Version) -> Option<usize> {
    (0..v.num_levels()).rev().find(|&l| !v.files(l).is_empty())
}

/// Compression of tables a compaction writes into `output_level`, given the
/// deepest level holding data before it runs.
pub fn output_compression(opts: &Options, output_level: usize, deepest: Option<usize>) -> CompressionType {
    match opts.bottommost_compression {
        Some(c) if output_level >= deepest.unwrap_or(0) => c,
        _ => opts.compression_for_level(output_level),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bottommost_follows_the_deepest_level_with_data() {
        let o = Options {
            num_levels: 7,
            compression: CompressionType::Lz4,
            compression_per_level: vec![CompressionType::None, CompressionType::Snappy],
            bottommost_compression: Some(CompressionType::Zstd),
            ..Default::default()
        };
        // Nothing below L0: an L0->L1 compaction writes the bottom.
        assert_eq!(output_compression(&o, 1, Some(0)), CompressionType::Zstd);
        assert_eq!(output_compression(&o, 1, None), CompressionType::Zstd);
        // Data in L2: L0->L1 output is not bottommost, L1->L2 output is.
        assert_eq!(output_compression(&o, 1, Some(2)), CompressionType::Snappy);
        assert_eq!(output_compression(&o, 2, Some(2)), CompressionType::Zstd);
        assert_eq!(output_compression(&o, 3, Some(2)), CompressionType::Zstd);
        // Not level num_levels-1 by number: L6 is bottommost only once data is there.
        assert_eq!(output_compression(&o, 5, Some(6)), CompressionType::Lz4);
        assert_eq!(output_compression(&o, 6, Some(6)), CompressionType::Zstd);
        let unset = Options {
            bottommost_compression: None,
            ..o
        };
        assert_eq!(output_compression(&unset, 2, Some(2)), CompressionType::Lz4);
        assert_eq!(output_compression(&unset, 1, Some(0)), CompressionType::Snappy);
    }
}
