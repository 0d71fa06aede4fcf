//! Per-operation options: [`ReadOptions`] and [`WriteOptions`].

use crate::snapshot::Snapshot;

/// Options for one read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Read as of this snapshot; `None` reads the latest committed state.
    pub snapshot: Option<Snapshot>,
    /// Inclusive lower bound for iterators.
    pub lower_bound: Option<Vec<u8>>,
    /// Exclusive upper bound for iterators.
    pub upper_bound: Option<Vec<u8>>,
    /// Do not insert blocks read by this operation into the block cache
    /// (for scans that would evict the hot set).
    pub skip_cache_fill: bool,
}

/// Options for one write.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// fsync the WAL before acknowledging the write.
    pub sync: bool,
    /// Do not write the WAL: the write is lost on a crash before the next
    /// flush (`close` flushes it). With `sync` it is `InvalidArgument`.
    pub disable_wal: bool,
}
