//! A decoded (uncompressed) block; its iterator is in `block_iter.rs`.
//!
//! Invariants checked when a [`Block`] is built from bytes: the restart array
//! fits, restart offsets start at 0, strictly increase and point inside the
//! entry area. Entries are decoded lazily (by [`BlockIter`]) and every decode
//! is bounds-checked. Nothing here panics on bad bytes.

use std::sync::Arc;

use super::block_iter::BlockIter;
use crate::coding::decode_fixed32;
use crate::error::{Error, Result};
use crate::key::TRAILER_LEN;

/// An immutable uncompressed block, shared through the block cache.
#[derive(Debug)]
pub struct Block {
    pub(super) data: Vec<u8>,
    pub(super) restarts_offset: usize,
    pub(super) num_restarts: usize,
    file: Arc<str>,
    offset: u64,
}

impl Block {
    /// Validates the restart array of `data` (a block read from `file` at
    /// `offset`, which are kept to name the location in corruption errors).
    pub fn new(data: Vec<u8>, file: Arc<str>, offset: u64) -> Result<Block> {
        let bad = |detail: String| Error::corruption(&*file, offset, detail);
        if data.len() < 4 {
            return Err(bad(format!("block of {} bytes has no restart count", data.len())));
        }
        let num_restarts = decode_fixed32(&data[data.len() - 4..]) as usize;
        let max_restarts = (data.len() - 4) / 4;
        if num_restarts == 0 || num_restarts > max_restarts {
            return Err(bad(format!(
                "block restart count {num_restarts} does not fit {} bytes",
                data.len()
            )));
        }
        let restarts_offset = data.len() - 4 - 4 * num_restarts;
        let mut prev = None;
        for i in 0..num_restarts {
            let r = decode_fixed32(&data[restarts_offset + 4 * i..]) as usize;
            let ok = match prev {
                None => r == 0,
                Some(p) => r > p && r < restarts_offset,
            };
            if !ok {
                return Err(bad(format!(
                    "block restart point {i} at {r} is out of order or range"
                )));
            }
            prev = Some(r);
        }
        Ok(Block {
            data,
            restarts_offset,
            num_restarts,
            file,
            offset,
        })
    }

    /// Memory charged to the block cache for this block.
    pub fn charge(&self) -> usize {
        self.data.capacity() + std::mem::size_of::<Block>()
    }

    /// The block's offset in its file.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Bytes of the uncompressed block.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True for a block with no entries.
    pub fn is_empty(&self) -> bool {
        self.restarts_offset == 0
    }

    /// An iterator over the block's entries (not yet positioned).
    pub fn iter(self: &Arc<Self>) -> BlockIter {
        BlockIter::new(Arc::clone(self))
    }

    pub(super) fn restart_point(&self, i: usize) -> usize {
        decode_fixed32(&self.data[self.restarts_offset + 4 * i..]) as usize
    }

    pub(super) fn corruption(&self, detail: &str) -> Error {
        Error::corruption(&*self.file, self.offset, detail)
    }

    /// Decodes the entry header at `p`: (shared, unshared, value_len, header bytes).
    /// Checks that the whole entry lies inside the entry area.
    #[inline]
    pub(super) fn decode_entry(&self, p: usize) -> Option<(usize, usize, usize, usize)> {
        let area = &self.data[..self.restarts_offset];
        let hdr = area.get(p..)?;
        let (shared, unshared, value_len, n) = if hdr.len() >= 3 && (hdr[0] | hdr[1] | hdr[2]) < 0x80 {
            (hdr[0] as usize, hdr[1] as usize, hdr[2] as usize, 3)
        } else {
            let mut d = crate::coding::Decoder::new(hdr);
            let s = d.varint32()? as usize;
            let u = d.varint32()? as usize;
            let v = d.varint32()? as usize;
            (s, u, v, d.position())
        };
        let end = p.checked_add(n)?.checked_add(unshared)?.checked_add(value_len)?;
        (end <= area.len()).then_some((shared, unshared, value_len, n))
    }

    /// The full key stored at restart point `i` (restart entries share nothing).
    pub(super) fn restart_key(&self, i: usize) -> Option<&[u8]> {
        let p = self.restart_point(i);
        let (shared, unshared, _, n) = self.decode_entry(p)?;
        if shared != 0 || unshared < TRAILER_LEN {
            return None;
        }
        Some(&self.data[p + n..p + n + unshared])
    }
}
