//! Caches in front of table files: the [`BlockCache`] (sharded, byte-bounded
//! CLOCK map of uncompressed blocks, [`clock`]) and the [`TableCache`] (LRU
//! of open tables bounded by `max_open_files`, on the slab LRU in [`lru`]).
//!
//! Invariants: a cache never holds more than its capacity (bytes for blocks,
//! tables for open files); evicted values are dropped outside the locks.

pub mod block_cache;
pub mod clock;
pub mod lru;
pub mod table_cache;

pub use block_cache::BlockCache;
pub use table_cache::TableCache;
