//! Bytes per entry in each place an entry is stored, from the engine's
//! formats (engine/docs/*_format.md), calibrated against tables the engine
//! wrote (16..24-byte keys, 100..1000-byte values, compressibility 0.5 and
//! 1.0, every codec: within 2% of file sizes).
//!
//! - **Memtable** (`memtable/node.rs`): a node is its tower (8 bytes per
//!   level, mean height 4/3 with branching 4), an 8-byte header, the
//!   internal key (key + 8) and the value, 8-aligned (3.5 bytes on average).
//! - **WAL** (`wal_format.md`): per put `1 + varint + key + varint + value`,
//!   plus the batch header (12) and fragment header (7) per write group.
//! - **Table data** (`sst_format.md`): three varints, the unshared key bytes
//!   (the 8-byte trailer plus the low digits that differ between
//!   neighbouring keys, about `log10(gap) + 1.3` of them, where gap = key
//!   space / entries in the table's range), restart points every
//!   `block_restart_interval` entries (full key + 4 bytes), and the value,
//!   compressed to about `compressibility * 1.025` of its size by LZ-style
//!   codecs (zstd also shrinks key bytes to ~0.75). A block that compresses
//!   by less than 1/8 is stored raw (engine rule), so compressibility 1
//!   costs the raw size.
//! - **Index**: one entry per data block (separator key + handle + varints +
//!   restart), halved by LZ-style codecs. **Filter**: `bits / 8` per key.
//!   **Fixed**: footer and properties, ~300 bytes per table.

use crate::model::options::Codec;

/// Tower + header + alignment bytes of a memtable node.
const NODE_OVERHEAD: f64 = 8.0 * 4.0 / 3.0 + 8.0 + 3.5;

/// Footer, properties and block trailers of the index/filter blocks, per table.
pub const TABLE_FIXED_BYTES: f64 = 300.0;

/// Bytes of the internal-key trailer.
const TRAILER: f64 = 8.0;

/// Arena bytes one entry takes in the memtable.
pub fn memtable_entry_bytes(key_size: f64, value_size: f64) -> f64 {
    NODE_OVERHEAD + key_size + TRAILER + value_size
}

fn varint_len(n: f64) -> f64 {
    let mut len = 1.0;
    let mut v = n.max(0.0);
    while v >= 128.0 {
        v /= 128.0;
        len += 1.0;
    }
    len
}

/// WAL bytes per put when `per_group` puts share one record.
pub fn wal_bytes_per_put(key_size: f64, value_size: f64, per_group: f64) -> f64 {
    1.0 + varint_len(key_size) + key_size + varint_len(value_size) + value_size + 19.0 / per_group.max(1.0)
}

/// Per-entry table bytes (data + index + filter, without the fixed part).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EntryBytes {
    /// Data block bytes as stored, per entry.
    pub data: f64,
    /// Uncompressed data block bytes per entry (what the block cache holds).
    pub data_raw: f64,
    /// Index bytes per entry.
    pub index: f64,
    /// Filter bytes per entry.
    pub filter: f64,
}

impl EntryBytes {
    /// Everything a table stores per entry.
    pub fn total(&self) -> f64 {
        self.data + self.index + self.filter
    }
}

/// The table layout inputs of [`entry_bytes`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    /// User key bytes.
    pub key_size: f64,
    /// Value bytes.
    pub value_size: f64,
    /// Target compressed/original size of values, (0, 1].
    pub compressibility: f64,
    /// Uncompressed data block size.
    pub block_size: f64,
    /// Entries between restart points.
    pub restart_interval: f64,
    /// Bloom bits per key.
    pub bloom_bits: f64,
}

/// Table bytes per entry under `codec` when neighbouring keys are `gap`
/// key numbers apart.
pub fn entry_bytes(l: &Layout, codec: Codec, gap: f64) -> EntryBytes {
    let ikey = l.key_size + TRAILER;
    let unshared = (gap.max(1.0).log10() + 1.3).min(l.key_size) + TRAILER;
    let r = l.restart_interval.max(1.0);
    let key_part = 3.0 + unshared + (ikey - unshared) / r + 4.0 / r;
    let per_block = (l.block_size / (key_part + l.value_size)).max(1.0);
    let raw = key_part + l.value_size + 9.0 / per_block;
    let (key_c, value_c) = match codec {
        Codec::None => (key_part, l.value_size),
        Codec::Lz4 | Codec::Snappy => (key_part, l.value_size * (l.compressibility * 1.025).min(1.0)),
        Codec::Zstd => (
            key_part * 0.75,
            l.value_size * (l.compressibility * 1.018).min(1.0),
        ),
    };
    let compressed = key_c + value_c + 9.0 / per_block;
    let data = if compressed < raw - raw / 8.0 {
        compressed
    } else {
        raw
    };
    let index_raw = ikey + 14.0;
    let index = match codec {
        Codec::None => index_raw,
        Codec::Lz4 | Codec::Snappy => index_raw * 0.5,
        Codec::Zstd => index_raw * 0.4,
    } / per_block;
    let filter = if l.bloom_bits > 0.0 {
        l.bloom_bits / 8.0
    } else {
        0.0
    };
    EntryBytes {
        data,
        data_raw: raw,
        index,
        filter,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(key: f64, value: f64, c: f64) -> Layout {
        Layout {
            key_size: key,
            value_size: value,
            compressibility: c,
            block_size: 4096.0,
            restart_interval: 16.0,
            bloom_bits: 10.0,
        }
    }

    fn close(got: f64, want: f64, tol: f64) {
        assert!(
            (got - want).abs() <= want * tol,
            "got {got}, want {want} (±{tol})"
        );
    }

    /// Per-entry sizes of real flushed tables (300k keys, 4 MiB memtables:
    /// 28594 entries per table, gap ~10): data, index, filter bytes per entry.
    #[test]
    fn matches_tables_the_engine_wrote() {
        let l = layout(16.0, 100.0, 0.5);
        let e = entry_bytes(&l, Codec::None, 10.5);
        close(e.data, 114.37, 0.02);
        close(e.index, 1.01, 0.1);
        close(e.filter, 1.25, 0.0);
        close(entry_bytes(&l, Codec::Lz4, 10.5).data, 65.63, 0.02);
        close(entry_bytes(&l, Codec::Snappy, 10.5).data, 65.07, 0.02);
        close(entry_bytes(&l, Codec::Zstd, 10.5).data, 61.60, 0.03);
        // Incompressible values are stored raw.
        close(
            entry_bytes(&layout(16.0, 100.0, 1.0), Codec::Lz4, 10.5).data,
            114.37,
            0.02,
        );
        close(
            entry_bytes(&layout(16.0, 200.0, 0.5), Codec::Lz4, 17.4).data,
            117.42,
            0.02,
        );
        close(
            entry_bytes(&layout(24.0, 1000.0, 0.5), Codec::Lz4, 25.1).data,
            524.15,
            0.02,
        );
        close(
            entry_bytes(&layout(16.0, 400.0, 0.5), Codec::Zstd, 31.7).data,
            217.88,
            0.02,
        );
    }

    #[test]
    fn memtable_and_wal_bytes() {
        // 4 MiB arena held 28594 entries of 16 + 100 bytes: 146.7 bytes each.
        close(memtable_entry_bytes(16.0, 100.0), 4194304.0 / 28594.0, 0.01);
        // 300k single puts wrote 41408562 WAL bytes: 138.03 per put.
        close(wal_bytes_per_put(16.0, 100.0, 1.0), 41408562.0 / 300000.0, 0.001);
    }
}
