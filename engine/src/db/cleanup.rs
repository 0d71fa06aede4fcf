//! Deleting files nothing needs any more: tables not referenced by any live
//! version (current, or pinned by a reader) nor being written by a running
//! job, WALs older than the MANIFEST's log number, superseded MANIFESTs.
//! Runs only after the MANIFEST edit that obsoleted them was synced.

use std::collections::HashSet;

use super::DbInner;
use crate::filename::{FileKind, parse_file_name};

/// Removes obsolete files. Failures are ignored (the files are retried on
/// the next call and at the next open); they never affect correctness.
pub(crate) fn delete_obsolete_files(db: &DbInner) {
    let (live, pending, log_number, manifest): (HashSet<u64>, HashSet<u64>, u64, u64) = {
        let st = db.state.lock();
        (
            db.versions.live_files(),
            st.pending_outputs.clone(),
            db.versions.log_number(),
            db.versions.manifest_file_number(),
        )
    };
    remove_unneeded(db, &live, &pending, log_number, manifest, false);
}

/// Shared by runtime cleanup and open (which also removes temporary files).
pub(crate) fn remove_unneeded(
    db: &DbInner,
    live: &HashSet<u64>,
    pending: &HashSet<u64>,
    log_number: u64,
    manifest: u64,
    remove_temp: bool,
) {
    let Ok(names) = db.fs.list_dir(&db.dir) else {
        return;
    };
    for name in names {
        let obsolete = match parse_file_name(&name) {
            Some(FileKind::Table(n)) => {
                let dead = !live.contains(&n) && !pending.contains(&n);
                if dead {
                    db.table_cache.evict(n);
                }
                dead
            }
            Some(FileKind::Log(n)) => n < log_number,
            Some(FileKind::Manifest(n)) => n != manifest,
            Some(FileKind::Temp) => remove_temp,
            Some(FileKind::Current | FileKind::Lock) | None => false,
        };
        if obsolete {
            let _ = db.fs.remove_file(&db.dir.join(&name));
        }
    }
}
