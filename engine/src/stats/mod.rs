//! Engine statistics: live atomic counters bumped on the hot paths
//! ([`Counters`]) and the serde snapshot a caller reads ([`Stats`]).
//!
//! Write amplification follows RocksDB:
//! - `write_amp` (per level) = bytes written into the level / bytes read from
//!   level n (`Rn`); for L0 the flush bytes count as the level's input.
//! - `total_write_amp` = (flush + compaction bytes written) / flush bytes.
//! - `user_write_amp`  = (WAL + flush + compaction bytes written) / user bytes.

pub mod counters;
pub mod level;
pub mod snapshot;
pub mod stall;

pub use counters::Counters;
pub use level::{LevelShape, LevelStats, LevelWork};
pub use snapshot::Stats;
pub use stall::{StallCause, StallStats};
