//! The cost model: from engine options, the data set and the phases' op
//! mix, predict per level the target and the bytes held, which levels hold
//! data, write amplification (per level and in total), point-read costs
//! with bloom filters, space amplification and memory.
//!
//! Pure functions, no I/O and no dependency on the engine crate, so the
//! runner (matrix checks, `lsmlab tune`, predictions in results) and a
//! capacity planner can call it freely. It lives in `workloads` because its
//! inputs are a suite's: [`DataSpec`](crate::DataSpec) and the phases
//! ([`Workload::from_suite`]); the engine options come in as
//! [`ModelOptions`], which the runner builds from the engine's `Options`.
//!
//! Parts, each documented with its formulas and sources:
//! - [`targets`]: level targets, static and dynamic (RocksDB's leveled
//!   compaction wiki and tuning guide).
//! - [`sizes`]: bytes per entry in memtables, WAL and tables (the engine's
//!   formats, calibrated on its tables).
//! - [`run`]: sorted runs as counts, and merges that drop duplicates
//!   (Lim et al., FAST'16).
//! - [`flow`]: the leveled compaction policy replayed on counts (per-level
//!   rewrite cost as in the RocksDB tuning guide and Dostoevsky, SIGMOD'18).
//! - [`speed`]: the host's speeds, which decide how far compaction falls
//!   behind a write load.
//! - [`predict`]: the figures (read costs after Monkey, SIGMOD'17).
//! - [`matrix`]: matrix cells that cannot differ at this data size.
//! - [`workload`]: the phases as counts.
//!
//! Assumptions, stated once: keys are drawn uniformly unless the
//! distribution says otherwise (skew only collapses duplicates in
//! memtables); compaction runs as fast as [`Speed`] says (in the engine's
//! deterministic mode it keeps up with writes); the block cache holds
//! uniformly read blocks.

pub mod flow;
pub mod matrix;
pub mod options;
pub mod predict;
pub mod run;
pub mod sizes;
pub mod speed;
pub mod targets;
pub mod workload;

pub use options::{Codec, ModelOptions};
pub use predict::{LevelPrediction, MemoryPrediction, Prediction, ReadPrediction, bloom_fpr, predict};
pub use speed::Speed;
pub use workload::{PhaseLoad, Workload};
