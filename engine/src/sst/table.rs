//! An open table: footer, index, filter, range tombstones and properties
//! are read and verified at open and held in memory; data blocks are read on
//! demand through the block cache.
//!
//! Invariants: metadata blocks are always checksum-verified; data blocks are
//! verified unless `verify_checksums` is false. Every index entry's handle
//! must lie inside the data region (before the first metadata block). Any
//! decoding failure is `Error::Corruption` naming the file and the offset of
//! the damaged block; no read returns a value that failed its checksum.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, OnceLock};

use super::block::Block;
use super::block_iter::BlockIter;
use super::filter::BloomFilter;
use super::format::{BlockHandle, FOOTER_LEN, Footer, read_block_contents};
use super::index::{IndexIter, TableIndex};
use super::properties::TableProperties;
use super::range_del;
use super::table_iter::TableIterator;
use crate::cache::BlockCache;
use crate::error::{Error, Result};
use crate::fs::RandomAccessFile;
use crate::iter::InternalIterator;
use crate::iter::fragmenter::{FragmentedTombstones, RangeTombstone};
use crate::key::{
    KIND_FOR_SEEK, MAX_SEQUENCE, SequenceNumber, TRAILER_LEN, pack_trailer, parse_internal_key, seek_key,
    user_key as user_keyof,
};
use crate::stats::Counters;

/// An open, immutable table file. `Send + Sync`; shared as `Arc<Table>`.
pub struct Table {
    file: Arc<dyn RandomAccessFile>,
    file_name: Arc<str>,
    file_number: u64,
    block_cache: Option<Arc<BlockCache>>,
    counters: Arc<Counters>,
    verify_checksums: bool,
    /// The index block, decoded at open (handles checked against `data_end`).
    index: Arc<TableIndex>,
    filter: Option<BloomFilter>,
    tombstones: Vec<RangeTombstone>,
    /// `tombstones` fragmented for O(log n) point-read checks, built once on first use.
    fragmented: OnceLock<FragmentedTombstones>,
    props: TableProperties,
    /// End of the data region: the offset of the first metadata block.
    data_end: u64,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("file", &self.file_name)
            .field("file_number", &self.file_number)
            .field("properties", &self.props)
            .finish()
    }
}

impl Table {
    /// Opens a table: reads and verifies the footer and every metadata block.
    pub fn open(
        file: Arc<dyn RandomAccessFile>,
        file_name: String,
        file_number: u64,
        block_cache: Option<Arc<BlockCache>>,
        counters: Arc<Counters>,
        verify_checksums: bool,
    ) -> Result<Arc<Table>> {
        let size = file.size();
        if size < FOOTER_LEN as u64 {
            return Err(Error::corruption(
                file_name,
                0,
                format!("file of {size} bytes is too short to be a table"),
            ));
        }
        let footer_offset = size - FOOTER_LEN as u64;
        let footer = Footer::decode(
            &file.read_at(footer_offset, FOOTER_LEN)?,
            &file_name,
            footer_offset,
        )?;
        let name: Arc<str> = Arc::from(file_name);
        let meta = |h: BlockHandle| read_block_contents(&*file, &name, h, true);
        let bad = |h: BlockHandle, detail: String| Error::corruption(&*name, h.offset, detail);

        let index_block = Arc::new(Block::new(
            meta(footer.index)?,
            Arc::clone(&name),
            footer.index.offset,
        )?);
        let filter = if footer.filter.size == 0 {
            None
        } else {
            let bytes = meta(footer.filter)?;
            Some(BloomFilter::decode(bytes).map_err(|d| bad(footer.filter, d))?)
        };
        let tombstones = range_del::decode(&meta(footer.range_del)?).map_err(|d| bad(footer.range_del, d))?;
        let mut props =
            TableProperties::decode(&meta(footer.properties)?).map_err(|d| bad(footer.properties, d))?;
        props.file_size = size;
        if props.num_range_deletions != tombstones.len() as u64 {
            return Err(bad(
                footer.properties,
                format!(
                    "properties count {} range tombstones, block holds {}",
                    props.num_range_deletions,
                    tombstones.len()
                ),
            ));
        }
        let data_end = [footer.index, footer.filter, footer.range_del, footer.properties]
            .iter()
            .filter(|h| h.size > 0 || h.offset > 0)
            .map(|h| h.offset)
            .min()
            .unwrap_or(0);
        let index = Arc::new(TableIndex::decode(
            index_block,
            &name,
            footer.index.offset,
            data_end,
        )?);
        Ok(Arc::new(Table {
            file,
            file_name: name,
            file_number,
            block_cache,
            counters,
            verify_checksums,
            index,
            filter,
            tombstones,
            fragmented: OnceLock::new(),
            props,
            data_end,
        }))
    }

    /// Bloom check (bumps `bloom_checks` / `bloom_useful`), then the first
    /// entry `>= seek_key(user_key, read_seq)` if its user key is `user_key`:
    /// the newest version visible at `read_seq`, as (internal key, value).
    /// Range tombstones are not applied.
    pub fn get(&self, user_key: &[u8], read_seq: SequenceNumber) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        if let Some(f) = &self.filter {
            self.counters.bloom_checks.fetch_add(1, Relaxed);
            if !f.may_contain(user_key) {
                self.counters.bloom_useful.fetch_add(1, Relaxed);
                return Ok(None);
            }
        }
        // The seek target lives on the stack for ordinary key sizes.
        let mut stack = [0u8; 72];
        let heap;
        let target: &[u8] = if user_key.len() + TRAILER_LEN <= stack.len() {
            let n = user_key.len();
            stack[..n].copy_from_slice(user_key);
            stack[n..n + TRAILER_LEN]
                .copy_from_slice(&pack_trailer(read_seq.min(MAX_SEQUENCE), KIND_FOR_SEEK).to_le_bytes());
            &stack[..n + TRAILER_LEN]
        } else {
            heap = seek_key(user_key, read_seq.min(MAX_SEQUENCE));
            &heap
        };
        let i = self.index.seek(target);
        if i == self.index.len() {
            return Ok(None);
        }
        let handle = self.index.handle(i);
        let block = self.read_data_block(handle, true)?;
        let mut it = BlockIter::new(block);
        it.seek(target);
        // The index key bounding this block is < the next block's first
        // key with a greater user key (see builder), so if the block has no
        // entry >= target, no entry of `user_key` follows either.
        if !it.valid() {
            it.status()?;
            return Ok(None);
        }
        let key = it.key();
        if parse_internal_key(key).is_none() {
            return Err(Error::corruption(
                &*self.file_name,
                handle.offset,
                "entry with an unknown value kind",
            ));
        }
        if user_keyof(key) != user_key {
            return Ok(None);
        }
        let value = it.value().to_vec();
        Ok(Some((it.into_key(), value)))
    }

    /// False if the bloom filter rules `user_key` out (no counters touched).
    pub fn may_contain(&self, user_key: &[u8]) -> bool {
        self.filter.as_ref().is_none_or(|f| f.may_contain(user_key))
    }

    /// An iterator over the table's point entries (prev and seek_for_prev
    /// included). `fill_cache` false keeps scans from evicting hot blocks.
    pub fn iter(self: &Arc<Self>, fill_cache: bool) -> TableIterator {
        TableIterator::new(Arc::clone(self), fill_cache)
    }

    /// The table's range tombstones, sorted by (begin, seq descending).
    pub fn range_tombstones(&self) -> &[RangeTombstone] {
        &self.tombstones
    }

    /// The range tombstones fragmented for point reads (built once, on first use).
    pub fn fragmented_tombstones(&self) -> &FragmentedTombstones {
        self.fragmented
            .get_or_init(|| FragmentedTombstones::new(self.tombstones.iter().cloned()))
    }

    /// The table's properties (with `file_size`).
    pub fn properties(&self) -> &TableProperties {
        &self.props
    }

    /// The table's file number.
    pub fn file_number(&self) -> u64 {
        self.file_number
    }

    /// The file name used in errors.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// Approximate file offset where `ikey` would be: the offset of the
    /// data block that would hold it, or the end of the data region.
    pub fn approximate_offset_of(&self, ikey: &[u8]) -> u64 {
        match self.index.seek(ikey) {
            i if i < self.index.len() => self.index.handle(i).offset.min(self.data_end),
            _ => self.data_end,
        }
    }

    /// Up to `n` evenly spaced, distinct user keys taken from the index
    /// (split points for subcompactions), in increasing order. Only the
    /// separators *between* data blocks are candidates, so every sample lies
    /// within the table's key range; a one-block table yields none.
    pub fn sample_keys(&self, n: usize) -> Vec<Vec<u8>> {
        let mut separators: Vec<Vec<u8>> = (0..self.index.len())
            .map(|i| user_keyof(self.index.key(i)).to_vec())
            .collect();
        separators.pop(); // the last entry bounds the table from above
        let c = separators.len();
        let m = n.min(c);
        let mut out: Vec<Vec<u8>> = Vec::with_capacity(m);
        for j in 0..m {
            let k = &separators[(2 * j + 1) * c / (2 * m)];
            if out.last().is_none_or(|last| last < k) {
                out.push(k.clone());
            }
        }
        out
    }

    pub(super) fn index_iter(&self) -> IndexIter {
        IndexIter::new(Arc::clone(&self.index))
    }

    /// Reads a data block through the block cache.
    pub(super) fn read_data_block(&self, handle: BlockHandle, fill_cache: bool) -> Result<Arc<Block>> {
        if let Some(cache) = &self.block_cache
            && let Some(b) = cache.get(self.file_number, handle.offset)
        {
            self.counters.block_cache_hits.fetch_add(1, Relaxed);
            return Ok(b);
        }
        self.counters.block_cache_misses.fetch_add(1, Relaxed);
        let data = read_block_contents(&*self.file, &self.file_name, handle, self.verify_checksums)?;
        let block = Arc::new(Block::new(data, Arc::clone(&self.file_name), handle.offset)?);
        if fill_cache && let Some(cache) = &self.block_cache {
            cache.insert(self.file_number, handle.offset, Arc::clone(&block));
        }
        Ok(block)
    }
}
