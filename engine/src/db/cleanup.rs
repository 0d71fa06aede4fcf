//! Deleting files nothing needs any more: tables not referenced by any live
//! version (current, or pinned by a reader) nor being written by a running
//! job, WALs older than the MANIFEST's log number, superseded MANIFESTs.
//! Runs only after the MANIFEST edit that obsoleted them was synced.
//!
//! Order matters: the directory is listed *before* the live and pending
//! sets are taken. A job registers a file number as pending before creating
//! the file, so every file in the listing is, by the time the sets are taken,
//! either pending, live, or truly obsolete. (Taking the sets first would let
//! a file created in between look orphaned.)

use std::collections::HashSet;

use super::DbInner;
use crate::filename::{FileKind, parse_file_name};

/// Removes obsolete files. Failures are ignored (the files are retried on
/// the next call and at the next open); they never affect correctness.
pub(crate) fn delete_obsolete_files(db: &DbInner) {
    let Ok(names) = db.fs.list_dir(&db.dir) else { return };
    let (live, pending) = {
        let st = db.state.lock();
        (db.versions.live_files(), st.pending_outputs.clone())
    };
    remove_unneeded(db, &names, &live, &pending, false);
}

/// At open: removes everything the recovered state does not need, including
/// temporary files left by an interrupted write.
pub(crate) fn remove_orphans_at_open(db: &DbInner) {
    let Ok(names) = db.fs.list_dir(&db.dir) else { return };
    remove_unneeded(db, &names, &db.versions.live_files(), &HashSet::new(), true);
}

fn remove_unneeded(db: &DbInner, names: &[String], live: &HashSet<u64>, pending: &HashSet<u64>, remove_temp: bool) {
    let log_number = db.versions.log_number();
    let manifest = db.versions.manifest_file_number();
    for name in names {
        let obsolete = match parse_file_name(name) {
            Some(FileKind::Table(n)) => {
                let dead = !live.contains(&n) && !pending.contains(&n);
                if dead {
                    db.table_cache.evict(n);
                }
                dead
            }
            Some(FileKind::Log(n)) => n < log_number,
            // At runtime the VersionSet retires its own MANIFESTs after switching
            // CURRENT; only at open is every other MANIFEST an orphan.
            Some(FileKind::Manifest(n)) => remove_temp && n != manifest,
            Some(FileKind::Temp) => remove_temp,
            Some(FileKind::Current | FileKind::Lock) | None => false,
        };
        if obsolete {
            let _ = db.fs.remove_file(&db.dir.join(name));
        }
    }
}
