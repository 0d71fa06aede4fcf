//! Writes a table file: data blocks as keys arrive, then the filter,
//! range-deletion, index and properties blocks and the footer.
//!
//! File layout (see `engine/docs/sst_format.md`):
//! ```text
//! data block* | filter block? | range-del block | index block | properties block | footer
//! ```
//! Invariants: point keys arrive in strictly increasing internal-key order
//! (violations are `InvalidArgument`); each index entry's key `s` satisfies
//! `last key of its block <= s < first key of the next block`; blocks are
//! contiguous, each followed by its 5-byte trailer. After an I/O error the
//! builder refuses further work and returns that error again.

use std::cmp::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use super::block_builder::BlockBuilder;
use super::filter::FilterBuilder;
use super::format::{BLOCK_TRAILER_LEN, BlockHandle, Compressor, FORMAT_VERSION, Footer, block_trailer};
use super::properties::TableProperties;
use super::range_del;
use crate::error::{Error, Result};
use crate::fs::WritableFile;
use crate::iter::fragmenter::RangeTombstone;
use crate::key::{
    InternalKey, KIND_FOR_SEEK, MAX_SEQUENCE, ValueKind, append_internal_key, compare_internal_keys,
    parse_internal_key, user_key,
};
use crate::options::{CompressionType, Options};

/// How a table is laid out; derived from [`Options`] per output level.
#[derive(Clone, Debug)]
pub struct TableBuilderOptions {
    /// Target uncompressed data block size; a block is cut once it reaches it.
    pub block_size: usize,
    /// Entries between restart points in data blocks.
    pub block_restart_interval: usize,
    /// Bloom filter bits per user key; 0 writes no filter block.
    pub bloom_bits_per_key: f64,
    /// Compression for data and index blocks.
    pub compression: CompressionType,
    /// Zstandard level when `compression` is zstd.
    pub zstd_level: i32,
}

impl TableBuilderOptions {
    /// The layout for tables written to `level` under `o`.
    pub fn for_level(o: &Options, level: usize) -> Self {
        TableBuilderOptions {
            block_size: o.block_size,
            block_restart_interval: o.block_restart_interval,
            bloom_bits_per_key: o.bloom_bits_per_key,
            compression: o.compression_for_level(level),
            zstd_level: o.zstd_level,
        }
    }
}

impl Default for TableBuilderOptions {
    fn default() -> Self {
        TableBuilderOptions::for_level(&Options::default(), 0)
    }
}

/// Streams sorted entries into a new table file.
pub struct TableBuilder {
    opts: TableBuilderOptions,
    file: Box<dyn WritableFile>,
    file_name: String,
    offset: u64,
    data_block: BlockBuilder,
    index_block: BlockBuilder,
    compressor: Compressor,
    filter: Option<FilterBuilder>,
    last_key: Vec<u8>,
    pending_index: Option<BlockHandle>,
    index_key: Vec<u8>,
    handle_buf: Vec<u8>,
    tombstones: Vec<RangeTombstone>,
    props: TableProperties,
    error: Option<Error>,
}

impl TableBuilder {
    /// A builder writing to `file` (named `file_name` in errors).
    pub fn new(opts: TableBuilderOptions, file: Box<dyn WritableFile>, file_name: String) -> Self {
        let filter = (opts.bloom_bits_per_key > 0.0).then(|| FilterBuilder::new(opts.bloom_bits_per_key));
        TableBuilder {
            data_block: BlockBuilder::new(opts.block_restart_interval),
            index_block: BlockBuilder::new(1),
            compressor: Compressor::new(opts.compression, opts.zstd_level),
            filter,
            file,
            file_name,
            offset: 0,
            last_key: Vec::new(),
            pending_index: None,
            index_key: Vec::new(),
            handle_buf: Vec::new(),
            tombstones: Vec::new(),
            props: TableProperties {
                compression: opts.compression,
                format_version: FORMAT_VERSION,
                smallest_seq: u64::MAX,
                ..Default::default()
            },
            opts,
            error: None,
        }
    }

    /// Adds a point entry. `ikey` must be a valid internal key strictly
    /// greater than the previous one (checked with `debug_assert`, and an
    /// `InvalidArgument` error in release builds).
    pub fn add(&mut self, ikey: &[u8], value: &[u8]) -> Result<()> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let Some(parsed) = parse_internal_key(ikey) else {
            return Err(Error::InvalidArgument(format!(
                "{}: malformed internal key {ikey:?}",
                self.file_name
            )));
        };
        let first = self.props.num_entries == 0;
        let ordered = first || compare_internal_keys(&self.last_key, ikey) == Ordering::Less;
        debug_assert!(
            ordered,
            "table keys out of order: {:?} then {:?}",
            self.last_key, ikey
        );
        if !ordered {
            return Err(Error::InvalidArgument(format!(
                "{}: keys added out of order ({:?} after {:?})",
                self.file_name,
                InternalKey(ikey.to_vec()),
                InternalKey(self.last_key.clone())
            )));
        }
        if let Some(handle) = self.pending_index.take() {
            shortest_separator(&self.last_key, ikey, &mut self.index_key);
            self.add_index_entry(handle);
        }
        if let Some(f) = &mut self.filter
            && (first || user_key(&self.last_key) != parsed.user_key)
        {
            f.add(parsed.user_key);
        }
        let p = &mut self.props;
        if first {
            p.smallest_key = InternalKey(ikey.to_vec());
        }
        p.num_entries += 1;
        p.num_deletions += (parsed.kind == ValueKind::Delete) as u64;
        p.raw_key_bytes += ikey.len() as u64;
        p.raw_value_bytes += value.len() as u64;
        p.smallest_seq = p.smallest_seq.min(parsed.seq);
        p.largest_seq = p.largest_seq.max(parsed.seq);
        self.last_key.clear();
        self.last_key.extend_from_slice(ikey);
        self.data_block.add(ikey, value);
        if self.data_block.estimated_size() >= self.opts.block_size {
            self.flush_data_block()?;
        }
        Ok(())
    }

    /// Records a range tombstone (written at `finish`). Empty ranges
    /// (`begin >= end`) delete nothing and are dropped.
    pub fn add_range_tombstone(&mut self, t: &RangeTombstone) {
        if t.begin < t.end {
            self.tombstones.push(t.clone());
        }
    }

    /// Point entries added so far.
    pub fn num_entries(&self) -> u64 {
        self.props.num_entries
    }

    /// Bytes written so far plus the pending data block (for cutting outputs).
    pub fn estimated_file_size(&self) -> u64 {
        self.offset + self.data_block.estimated_size() as u64
    }

    /// True if neither a point entry nor a range tombstone was added.
    pub fn is_empty(&self) -> bool {
        self.props.num_entries == 0 && self.tombstones.is_empty()
    }

    /// Writes the remaining blocks and the footer, syncs the file and
    /// returns the table's properties (with `file_size`).
    pub fn finish(mut self) -> Result<TableProperties> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if !self.data_block.is_empty() {
            self.flush_data_block()?;
        }
        if let Some(handle) = self.pending_index.take() {
            short_successor(&self.last_key, &mut self.index_key);
            self.add_index_entry(handle);
        }
        let mut footer = Footer::default();
        if let Some(f) = self.filter.take() {
            footer.filter = self.write_block(&f.finish(), false)?;
            self.props.filter_bytes = footer.filter.size + BLOCK_TRAILER_LEN as u64;
        }
        self.tombstones.sort_by(range_del::tombstone_order);
        self.tombstones.dedup();
        footer.range_del = self.write_block(&range_del::encode(&self.tombstones), false)?;
        self.props.range_del_bytes = footer.range_del.size + BLOCK_TRAILER_LEN as u64;
        let index = std::mem::replace(&mut self.index_block, BlockBuilder::new(1));
        let mut index = index;
        footer.index = self.write_block(index.finish(), true)?;
        self.props.index_bytes = footer.index.size + BLOCK_TRAILER_LEN as u64;
        self.fill_key_range();
        self.props.creation_time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        footer.properties = self.write_block(&self.props.encode(), false)?;
        let f = footer.encode();
        self.file.append(&f)?;
        self.offset += f.len() as u64;
        self.file.sync()?;
        self.props.file_size = self.offset;
        Ok(self.props)
    }

    /// Extends the key range and sequence range over the range tombstones.
    fn fill_key_range(&mut self) {
        let p = &mut self.props;
        p.num_range_deletions = self.tombstones.len() as u64;
        if p.num_entries > 0 {
            p.largest_key = InternalKey(self.last_key.clone());
        }
        for t in &self.tombstones {
            let lo = InternalKey::new(&t.begin, t.seq, ValueKind::RangeDelete);
            let hi = InternalKey::new(&t.end, MAX_SEQUENCE, ValueKind::RangeDelete);
            if p.smallest_key.0.is_empty() || lo < p.smallest_key {
                p.smallest_key = lo;
            }
            if p.largest_key.0.is_empty() || hi > p.largest_key {
                p.largest_key = hi;
            }
            p.smallest_seq = p.smallest_seq.min(t.seq);
            p.largest_seq = p.largest_seq.max(t.seq);
        }
        if p.smallest_seq == u64::MAX {
            p.smallest_seq = 0;
        }
    }

    fn add_index_entry(&mut self, handle: BlockHandle) {
        self.handle_buf.clear();
        handle.encode_varint(&mut self.handle_buf);
        self.index_block.add(&self.index_key, &self.handle_buf);
    }

    fn flush_data_block(&mut self) -> Result<()> {
        let raw = self.data_block.finish();
        let (stored, kind) = self.compressor.compress(raw);
        let handle = write_raw(&mut *self.file, &mut self.offset, stored, kind);
        self.data_block.reset();
        let handle = handle.inspect_err(|e| self.error = Some(e.clone()))?;
        self.props.num_data_blocks += 1;
        self.props.data_bytes += handle.size + BLOCK_TRAILER_LEN as u64;
        self.pending_index = Some(handle);
        Ok(())
    }

    fn write_block(&mut self, raw: &[u8], compress: bool) -> Result<BlockHandle> {
        let (stored, kind) = if compress {
            self.compressor.compress(raw)
        } else {
            (raw, CompressionType::None)
        };
        write_raw(&mut *self.file, &mut self.offset, stored, kind)
    }
}

fn write_raw(
    file: &mut dyn WritableFile,
    offset: &mut u64,
    stored: &[u8],
    kind: CompressionType,
) -> Result<BlockHandle> {
    let handle = BlockHandle::new(*offset, stored.len() as u64);
    file.append(stored)?;
    file.append(&block_trailer(stored, kind))?;
    *offset += (stored.len() + BLOCK_TRAILER_LEN) as u64;
    Ok(handle)
}

/// Sets `out` to a short internal key `s` with `start <= s < limit`
/// (LevelDB's FindShortestSeparator on the user keys).
pub fn shortest_separator(start: &[u8], limit: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let (us, ul) = (user_key(start), user_key(limit));
    let min_len = us.len().min(ul.len());
    let diff = us.iter().zip(ul).take_while(|(a, b)| a == b).count();
    if diff < min_len {
        let b = us[diff];
        if b < 0xff && b + 1 < ul[diff] {
            out.extend_from_slice(&us[..diff]);
            out.push(b + 1);
            let shortened = out.clone();
            out.clear();
            append_internal_key(out, &shortened, MAX_SEQUENCE, KIND_FOR_SEEK);
            debug_assert_eq!(compare_internal_keys(start, out), Ordering::Less);
            debug_assert_eq!(compare_internal_keys(out, limit), Ordering::Less);
            return;
        }
    }
    out.extend_from_slice(start);
}

/// Sets `out` to a short internal key `>= key` (LevelDB's FindShortSuccessor).
pub fn short_successor(key: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let uk = user_key(key);
    if let Some(i) = uk.iter().position(|&b| b != 0xff) {
        let mut succ = uk[..=i].to_vec();
        succ[i] += 1;
        append_internal_key(out, &succ, MAX_SEQUENCE, KIND_FOR_SEEK);
    } else {
        out.extend_from_slice(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::make_internal_key;

    fn ik(u: &[u8], s: u64) -> Vec<u8> {
        make_internal_key(u, s, ValueKind::Value)
    }

    #[test]
    fn separators_shorten_and_keep_order() {
        let mut out = Vec::new();
        shortest_separator(&ik(b"helloworld", 5), &ik(b"hellz", 9), &mut out);
        assert_eq!(user_key(&out), b"hellp");
        shortest_separator(&ik(b"abc", 5), &ik(b"abd", 9), &mut out);
        assert_eq!(out, ik(b"abc", 5), "adjacent bytes cannot be shortened");
        shortest_separator(&ik(b"ab", 5), &ik(b"abc", 9), &mut out);
        assert_eq!(out, ik(b"ab", 5), "prefix cannot be shortened");
        shortest_separator(&ik(b"a", 5), &ik(b"a", 3), &mut out);
        assert_eq!(out, ik(b"a", 5), "same user key keeps the full key");
        short_successor(&ik(b"abc", 5), &mut out);
        assert_eq!(user_key(&out), b"b");
        short_successor(&ik(b"\xff\xff", 5), &mut out);
        assert_eq!(out, ik(b"\xff\xff", 5));
    }
}
