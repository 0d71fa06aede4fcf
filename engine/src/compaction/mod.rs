//! Compaction: choosing work (policy, no I/O: [`picker`], [`pressure`]) and
//! the merge rules a compaction applies ([`compaction_iter`],
//! [`output_tombstones`]). The jobs that run them live in `db::compact`.

pub mod compaction_iter;
pub mod output_tombstones;
pub mod picker;
pub mod pressure;

pub use pressure::{pending_compaction_bytes, shape_of};
