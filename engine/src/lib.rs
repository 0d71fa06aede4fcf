//! lsmlab-engine: a leveled LSM-tree key-value store.
//!
//! The public API is the [`Db`] handle and the option/batch/snapshot types
//! re-exported here; everything else is public for benchmarks and tests of
//! the parts, not as a stable interface. See `engine/docs/` for the on-disk
//! formats.

pub mod batch;
pub mod cache;
pub mod coding;
pub mod compaction;
pub mod db;
pub mod error;
pub mod filename;
pub mod fs;
pub mod iter;
pub mod key;
pub mod memtable;
pub mod options;
pub mod rate_limiter;
pub mod snapshot;
pub mod sst;
pub mod stats;
pub mod version;
pub mod wal;

pub use batch::WriteBatch;
pub use db::{Db, DbIterator};
pub use error::{Error, Result};
pub use options::{
    CompactionFilter, CompressionType, FilterDecision, Options, ReadOptions, WalRecoveryMode, WriteOptions,
};
pub use snapshot::Snapshot;
pub use stats::Stats;
