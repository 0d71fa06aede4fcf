//! The version set: which table files make up the LSM tree, and the MANIFEST
//! that makes that knowledge durable.
//!
//! - [`FileMeta`] describes one table file.
//! - [`VersionEdit`] is a delta (files added/removed, counters); its encoding
//!   is one MANIFEST record (`engine/docs/manifest_format.md`).
//! - [`Version`] is an immutable snapshot of the files per level, shared as
//!   `Arc<Version>` by readers; a reader holding one keeps its files alive.
//! - `VersionSet` owns the current version, the file-number and sequence
//!   counters, and the MANIFEST writer; `log_and_apply` makes an edit durable
//!   before installing it.
//!
//! Invariants: a version is installed only after the edit that produced it
//! is synced to the MANIFEST named by CURRENT; levels >= 1 never overlap;
//! file numbers are never reused.

mod builder;
mod edit;
mod file_meta;
mod levels;

pub use edit::{MANIFEST_FORMAT_VERSION, MAX_LEVELS, VersionEdit};
pub use file_meta::{FileMeta, initial_allowed_seeks};
pub use levels::{FilesForGet, Version};
mod recovery;
mod set;

pub use set::{MAX_MANIFEST_SIZE, RecoveryInfo, VersionSet};

#[cfg(test)]
mod tests;
