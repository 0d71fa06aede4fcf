//! Engine options: `Options` (per database), `ReadOptions`, `WriteOptions`.
//!
//! `Options` deserializes from a map of option names (JSON or YAML), rejects
//! unknown names, and accepts sizes as integers or strings like `"64MiB"`
//! (parsed by `lsmlab-units`, the same parser suites and the CLI use).
//! Names follow the seed engine; RocksDB spellings are accepted as aliases.
//! Every option changes behaviour: [`Options::validate`] rejects impossible
//! combinations before a database opens.

pub mod compaction_filter;
pub mod compression;
pub mod db_options;
pub mod read_write;
mod validate;
pub mod wal_recovery;

pub use compaction_filter::{CompactionFilter, FilterDecision};
pub use compression::CompressionType;
pub use db_options::Options;
pub use read_write::{ReadOptions, WriteOptions};
pub use wal_recovery::WalRecoveryMode;
