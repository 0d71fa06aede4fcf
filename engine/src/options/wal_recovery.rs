//! [`WalRecoveryMode`]: how WAL recovery treats damaged records.

use serde::{Deserialize, Serialize};

/// How WAL recovery treats damaged records (RocksDB's WALRecoveryMode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum WalRecoveryMode {
    /// A torn record at the very end of the newest log holding records (a
    /// crash during append) is dropped; newer logs with no record at all
    /// (left by an interrupted open or WAL switch) do not count. Corruption
    /// anywhere else fails the open.
    #[default]
    TolerateCorruptedTail,
    /// Any damage, even a torn tail, fails the open.
    AbsoluteConsistency,
    /// Recover up to the first damaged record and stop there, discarding
    /// everything after it (consistent prefix).
    PointInTime,
    /// Skip every damaged record and keep going (salvage).
    SkipAnyCorrupted,
}
