//! Compaction: choosing work (policy, no I/O) and doing it (merge with drop
//! rules, output files, installing the result).

pub mod compaction_iter;
pub mod output_tombstones;
pub mod picker;
