//! The compaction filter hook: [`CompactionFilter`] and its [`FilterDecision`].

use std::fmt;

/// What a compaction filter decides for one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterDecision {
    /// Keep the entry unchanged.
    Keep,
    /// Drop the entry (it becomes as if deleted below this point).
    Remove,
    /// Keep the key with a new value.
    ChangeValue(Vec<u8>),
}

/// A user hook run on every live value that a compaction writes. Flushes do
/// not run it (RocksDB's default): a flushed memtable keeps every entry, and
/// the filter decides when the entry is next compacted, so a key the filter
/// removes stays readable until then. Manual compactions run it on every
/// file in their range.
///
/// Entries still visible to a snapshot are not filtered.
pub trait CompactionFilter: Send + Sync {
    /// Decides the fate of `key`/`value` being written to `level`.
    fn filter(&self, level: usize, key: &[u8], value: &[u8]) -> FilterDecision;
    /// A short name for logs and statistics.
    fn name(&self) -> &str {
        "compaction-filter"
    }
}

/// Shows a filter by its [`CompactionFilter::name`], so `Options` can
/// derive `Debug`.
impl fmt::Debug for dyn CompactionFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CompactionFilter").field(&self.name()).finish()
    }
}
