//! The log file format shared by the write-ahead log and the MANIFEST
//! (LevelDB's log format; byte grammar in `engine/docs/wal_format.md`).
//!
//! A log is a sequence of 32 KiB blocks holding checksummed fragments; a
//! logical record (a write batch, a version edit) is split into as many
//! fragments as it needs. [`LogWriter`] appends records; [`LogReader`] reads
//! them back and applies a [`WalRecoveryMode`](crate::options::WalRecoveryMode)
//! to whatever damage it finds, describing it in a [`ReadReport`].
//!
//! Invariants:
//! - A record read back is byte-for-byte a record written; damage is never
//!   returned as data.
//! - Every fragment is independently checksummed and never crosses a block
//!   boundary, so a reader can resynchronise at the next block.

pub mod format;
mod fragments;
pub mod predecessor;
pub mod reader;
pub mod writer;

#[cfg(test)]
mod recovery_tests;
#[cfg(test)]
mod tests;

pub use format::{BLOCK_SIZE, FORMAT_VERSION, HEADER_SIZE, RecordType};
pub use predecessor::Predecessor;
pub use reader::{LogReader, ReadReport};
pub use writer::LogWriter;
