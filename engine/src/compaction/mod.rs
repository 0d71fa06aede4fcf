//! Compaction: choosing work (policy, no I/O) and doing it (merge with drop
//! rules, output files, installing the result).
//!
//! - [`picker`]: a pure function from the LSM shape to a decision (none,
//!   trivial move, merge), never touching files being compacted.
//! - [`compaction_iter`]: the merge's drop rules (snapshot stripes, range
//!   tombstones, bottommost tombstone and sequence-number elision, the
//!   compaction filter) over any sorted input, bounded to one subcompaction.
//! - [`output_tombstones`]: the range tombstones a subcompaction's output
//!   carries (clipped to its bounds, garbage dropped at the bottom).
//! - [`pressure`]: the picker's view of a `Version`, and the pending
//!   compaction bytes estimate behind write stalls.
//! - [`output_compression`]: the compression of a compaction's outputs
//!   (`bottommost_compression` at the deepest level holding data).
//!
//! The jobs that run these (I/O, installing results) live in `db::compact`.
//!
//! Invariant shared by all of them: a compaction never changes what any
//! live snapshot or the latest state reads; it only removes versions that no
//! reader can see.

pub mod compaction_iter;
pub mod output_compression;
pub mod output_tombstones;
pub mod picker;
pub mod pressure;

pub use output_compression::{deepest_level_with_data, output_compression};
pub use pressure::{pending_compaction_bytes, shape_of};
