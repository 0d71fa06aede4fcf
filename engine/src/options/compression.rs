//! [`CompressionType`]: block compression, and its on-disk tag.

use serde::{Deserialize, Serialize};

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
