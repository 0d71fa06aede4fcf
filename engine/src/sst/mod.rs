//! Sorted string tables, format version 1 (byte layout in
//! `engine/docs/sst_format.md`).
//!
//! A table is written once by a [`TableBuilder`] and then only read through
//! an [`Table`] (shared as `Arc<Table>`, `Send + Sync`). Invariants across
//! the module:
//! - Keys are internal keys ordered by
//!   [`compare_internal_keys`](crate::key::compare_internal_keys); point keys
//!   in a table are strictly increasing.
//! - Every byte of a table file is covered by a CRC32C (per block, and the
//!   footer's own); a mismatch or any undecodable structure is
//!   `Error::Corruption` naming the file and the block offset. Nothing in
//!   this module panics on bytes read from disk.
//! - The index, filter, range-deletion and properties blocks are loaded at
//!   open (the index decoded into flat arrays, [`index`]); data blocks are read on demand (through the block cache if any).
//!
//! One concept per file: [`format`] (handles, trailer, compression,
//! footer), [`block_builder`] / [`block`] / [`block_iter`] (prefix-compressed
//! blocks), [`filter`] (bloom), [`range_del`], [`properties`], and
//! [`table_builder`] / [`table`] / [`table_iter`].

pub mod block;
pub mod block_builder;
pub mod block_iter;
pub mod filter;
pub mod format;
pub mod index;
pub mod properties;
pub mod range_del;
pub mod table;
pub mod table_builder;
pub mod table_iter;

#[cfg(test)]
mod tests;

pub use block::Block;
pub use block_iter::BlockIter;
pub use properties::TableProperties;
pub use table::Table;
pub use table_builder::{TableBuilder, TableBuilderOptions};
pub use table_iter::TableIterator;
