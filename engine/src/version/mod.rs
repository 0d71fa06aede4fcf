//! The version set: which table files make up the LSM tree, and the MANIFEST
//! that makes that knowledge durable (format: `engine/docs/manifest_format.md`).
//!
//! - [`FileMeta`] describes one table file.
//! - [`VersionEdit`] is a delta (files added/removed, counters); its encoding
//!   is one MANIFEST record.
//! - [`Version`] is an immutable snapshot of the files per level, shared as
//!   `Arc<Version>` by readers; a reader holding one keeps its files alive
//!   (see [`VersionSet::live_files`]).
//! - [`VersionSet`] owns the current version, the file-number and sequence
//!   counters, and the MANIFEST writer; [`VersionSet::log_and_apply`] makes
//!   an edit durable before installing it.
//! - `builder` applies edits with consistency checks; `recovery` reads
//!   CURRENT, replays a MANIFEST and writes new ones.
//!
//! Invariants: a version is installed only after the edit that produced it
//! is synced to the MANIFEST named by CURRENT; L0 is ordered newest first;
//! levels >= 1 are sorted and never overlap; a file number is live at most
//! once and is never reused.

mod builder;
mod edit;
mod file_meta;
mod recovery;
mod set;
#[allow(
    clippy::module_inception,
    reason = "the file holds `Version` and is named after it, like its siblings `edit` and `set`"
)]
mod version;

#[cfg(test)]
mod crash_tests;
#[cfg(test)]
mod tests;

pub use edit::{MANIFEST_FORMAT_VERSION, MAX_LEVELS, VersionEdit};
pub use file_meta::{FileMeta, initial_allowed_seeks};
pub use set::{MAX_MANIFEST_SIZE, RecoveryInfo, VersionSet};
pub use version::{FilesForGet, Version};
