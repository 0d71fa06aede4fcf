//! [`TableIterator`]: a two-level iterator (index block -> data blocks) over
//! one table's point entries.
//!
//! Invariants: when valid, the iterator is at an entry of the data block
//! named by the index entry it is on; empty or exhausted blocks are skipped
//! in the direction of travel. The first error (I/O, checksum, malformed
//! entry) is sticky: the iterator stays invalid and `status()` returns it —
//! a damaged block is never skipped as if it were the end of the data.
//! Moving between blocks reuses one data-block iterator (and its key
//! buffer); re-seeking within the current block does not re-read it.

use std::sync::Arc;

use super::block_iter::BlockIter;
use super::index::IndexIter;
use super::table::Table;
use crate::error::{Error, Result};
use crate::iter::InternalIterator;

/// Iterates a table's point entries in internal-key order.
pub struct TableIterator {
    table: Arc<Table>,
    fill_cache: bool,
    index: IndexIter,
    data: Option<BlockIter>,
    /// Offset of the block loaded in `data`.
    data_offset: Option<u64>,
    err: Option<Error>,
}

impl TableIterator {
    /// An unpositioned iterator over `table`.
    pub fn new(table: Arc<Table>, fill_cache: bool) -> Self {
        TableIterator {
            index: table.index_iter(),
            table,
            fill_cache,
            data: None,
            data_offset: None,
            err: None,
        }
    }

    fn data_valid(&self) -> bool {
        self.data.as_ref().is_some_and(|d| d.valid())
    }

    /// Loads the block named by the current index entry; false on error or
    /// when the index is exhausted.
    fn load_block(&mut self) -> bool {
        if !self.index.valid() {
            self.data_offset = None;
            if let Some(d) = &mut self.data {
                // Leave the data iterator unpositioned.
                let b = Arc::clone(d.block());
                d.set_block(b);
            }
            return false;
        }
        let handle = self.index.handle();
        if self.data_offset == Some(handle.offset) && self.data.is_some() {
            return true;
        }
        match self.table.read_data_block(handle, self.fill_cache) {
            Ok(block) => {
                match &mut self.data {
                    Some(d) => d.set_block(block),
                    None => self.data = Some(block.iter()),
                }
                self.data_offset = Some(handle.offset);
                true
            }
            Err(e) => {
                self.err = Some(e);
                false
            }
        }
    }

    /// Records a data-block error; true if there was one.
    fn data_failed(&mut self) -> bool {
        if let Some(Err(e)) = self.data.as_ref().map(|d| d.status()) {
            self.err = Some(e);
            return true;
        }
        false
    }

    fn skip_forward(&mut self) {
        while self.err.is_none() && !self.data_valid() {
            if self.data_failed() || !self.index.valid() {
                return;
            }
            self.index.next();
            if !self.load_block() {
                return;
            }
            if let Some(d) = &mut self.data {
                d.seek_to_first();
            }
        }
    }

    fn skip_backward(&mut self) {
        while self.err.is_none() && !self.data_valid() {
            if self.data_failed() || !self.index.valid() {
                return;
            }
            self.index.prev();
            if !self.load_block() {
                return;
            }
            if let Some(d) = &mut self.data {
                d.seek_to_last();
            }
        }
    }

    fn position(&mut self, f: impl FnOnce(&mut BlockIter)) -> bool {
        if self.err.is_some() || !self.load_block() {
            return false;
        }
        if let Some(d) = &mut self.data {
            f(d);
        }
        true
    }
}

impl InternalIterator for TableIterator {
    fn valid(&self) -> bool {
        self.err.is_none() && self.data_valid()
    }

    fn seek_to_first(&mut self) {
        if self.err.is_some() {
            return;
        }
        self.index.seek_to_first();
        if self.position(|d| d.seek_to_first()) {
            self.skip_forward();
        }
    }

    fn seek_to_last(&mut self) {
        if self.err.is_some() {
            return;
        }
        self.index.seek_to_last();
        if self.position(|d| d.seek_to_last()) {
            self.skip_backward();
        }
    }

    fn seek(&mut self, target: &[u8]) {
        if self.err.is_some() {
            return;
        }
        self.index.seek(target);
        if self.position(|d| d.seek(target)) {
            self.skip_forward();
        }
    }

    fn seek_for_prev(&mut self, target: &[u8]) {
        if self.err.is_some() {
            return;
        }
        self.index.seek(target);
        if !self.index.valid() {
            self.index.seek_to_last();
        }
        if self.position(|d| d.seek_for_prev(target)) {
            self.skip_backward();
        }
    }

    fn next(&mut self) {
        debug_assert!(self.valid());
        if let Some(d) = &mut self.data {
            d.next();
        }
        self.skip_forward();
    }

    fn prev(&mut self) {
        debug_assert!(self.valid());
        if let Some(d) = &mut self.data {
            d.prev();
        }
        self.skip_backward();
    }

    fn key(&self) -> &[u8] {
        self.data.as_ref().map_or(&[], |d| d.key())
    }

    fn value(&self) -> &[u8] {
        self.data.as_ref().map_or(&[], |d| d.value())
    }

    fn status(&self) -> Result<()> {
        match &self.err {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }
}
