//! lsmlab-crashtest: a SIGKILL crash test of the lsmlab engine.
//!
//! The parent ([`parent`]) spawns this same program as a child ([`child`])
//! that writes from several threads (synced and unsynced batches, range
//! deletes) into a database with tiny buffers and files, so flushes and
//! compactions are always in flight; it kills the child with SIGKILL at a
//! random moment, reopens the database and verifies every writer's keys
//! against a model recomputed from the writer's acknowledgement count
//! ([`acks`], [`ops`]). Cycles rotate over databases and option sets
//! ([`plan`]). See RELIABILITY.md for what it proves and how to run it long.

pub mod acks;
pub mod child;
pub mod ops;
pub mod parent;
pub mod plan;

use std::path::{Path, PathBuf};

/// The database directory and the ack-log directory of database `d`.
pub fn paths(db_dir: &Path, d: usize) -> (PathBuf, PathBuf) {
    (db_dir.join(format!("db{d}")), db_dir.join(format!("acks{d}")))
}
