//! Write stalls: why a writer waited ([`StallCause`]) and the totals per
//! cause ([`StallStats`]).

use serde::{Deserialize, Serialize};

/// Why a writer was delayed or stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StallCause {
    /// L0 file count reached `l0_slowdown_trigger`: writes delayed.
    L0Slowdown,
    /// L0 file count reached `l0_stop_trigger`: writes stopped.
    L0Stop,
    /// `max_write_buffer_number` memtables full: writes stopped until a flush.
    MemtableLimit,
    /// Pending compaction bytes past the soft limit: writes delayed.
    PendingCompactionSlowdown,
    /// Pending compaction bytes past the hard limit: writes stopped.
    PendingCompactionStop,
}

impl StallCause {
    /// Every cause, in a stable order (index = position in counters).
    pub const ALL: [StallCause; 5] = [
        StallCause::L0Slowdown,
        StallCause::L0Stop,
        StallCause::MemtableLimit,
        StallCause::PendingCompactionSlowdown,
        StallCause::PendingCompactionStop,
    ];
    pub(super) fn index(self) -> usize {
        self as usize
    }
}

/// Stall totals for one cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StallStats {
    /// The cause.
    pub cause: StallCause,
    /// Times a writer stalled for it.
    pub count: u64,
    /// Total time writers spent stalled for it.
    pub seconds: f64,
}
