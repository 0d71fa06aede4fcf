//! Deleting files nothing needs any more: tables not referenced by any live
//! version (current, or pinned by a reader) nor being written by a running
//! job nor quarantined, WALs older than the MANIFEST's log number,
//! superseded MANIFESTs. Runs only after the MANIFEST edit that obsoleted
//! them was synced.
//!
//! Quarantine (RocksDB keeps such files too): when `log_and_apply` fails,
//! its record may still have reached the MANIFEST (the sync failed after the
//! append, or CURRENT was renamed and the directory sync failed), so a
//! reopen may name the edit's new files. They are never deleted by this
//! process; the failure is a sticky background error, and the next open
//! keeps them if the record replays and removes them as orphans if not.
//!
//! When: after every flush and compaction; when the last iterator pinning
//! an old version is dropped ([`IteratorPins`]), so tables it kept alive go
//! at once; and at close. A point read that pins an old version past a
//! job's cleanup only delays its tables to the next of these.
//!
//! Order matters: the directory is listed *before* the live and pending
//! sets are taken. A job registers a file number as pending before creating
//! the file, so every file in the listing is, by the time the sets are taken,
//! either pending, live, or truly obsolete. (Taking the sets first would let
//! a file created in between look orphaned.)

use std::collections::HashSet;
use std::sync::Arc;

use super::DbInner;
use super::state::SuperVersion;
use crate::error::Result;
use crate::filename::{FileKind, parse_file_name};
use crate::fs::FileLock;
use crate::version::{Version, VersionEdit};

/// `VersionSet::log_and_apply`, quarantining the edit's new files if it
/// fails (see the module docs). The caller records the background error.
/// REQUIRES: the state lock is not held.
pub(crate) fn log_and_apply(db: &DbInner, edit: VersionEdit) -> Result<Arc<Version>> {
    let new_files: Vec<u64> = edit.new_files.iter().map(|(_, f)| f.number).collect();
    db.versions.log_and_apply(edit).inspect_err(|_| {
        db.state.lock().quarantined.extend(new_files);
    })
}

/// Removes obsolete files. Failures are ignored (the files are retried on
/// the next call and at the next open); they never affect correctness.
/// REQUIRES: no lock held (takes `state`, then the version set's bookkeeping).
pub(crate) fn delete_obsolete_files(db: &DbInner) {
    let Ok(names) = db.fs.list_dir(&db.dir) else {
        return;
    };
    let (live, keep) = {
        let st = db.state.lock();
        let keep: HashSet<u64> = st.pending_outputs.union(&st.quarantined).copied().collect();
        (db.versions.live_files(), keep)
    };
    remove_unneeded(db, &names, &live, &keep, false);
}

/// What a `DbIterator` holds: the super version it reads (memtables and
/// version), the LOCK file (so no other `Db` changes the files under it,
/// even after close), and the database, so that the last holder of an old
/// version deletes the tables only it kept alive.
pub(crate) struct IteratorPins {
    sv: Option<Arc<SuperVersion>>,
    db: Arc<DbInner>,
    // Dropped after `drop` ran: the cleanup happens while the lock is held.
    _lock: Arc<dyn FileLock>,
}

impl IteratorPins {
    /// Pins `sv` and `lock` for an iterator of `db`.
    pub(crate) fn new(db: &Arc<DbInner>, sv: Arc<SuperVersion>, lock: Arc<dyn FileLock>) -> Self {
        IteratorPins {
            sv: Some(sv),
            db: Arc::clone(db),
            _lock: lock,
        }
    }
}

impl Drop for IteratorPins {
    fn drop(&mut self) {
        // `Arc::into_inner` succeeds for exactly one of racing last holders.
        // The current version is always held by the version set, so a version
        // released here is an old one: its files may be obsolete now.
        let Some(SuperVersion { version, .. }) = self.sv.take().and_then(Arc::into_inner) else {
            return;
        };
        if Arc::into_inner(version).is_some() {
            delete_obsolete_files(&self.db);
        }
    }
}

/// At open: removes everything the recovered state does not need, including
/// temporary files left by an interrupted write.
pub(crate) fn remove_orphans_at_open(db: &DbInner) {
    let Ok(names) = db.fs.list_dir(&db.dir) else {
        return;
    };
    remove_unneeded(db, &names, &db.versions.live_files(), &HashSet::new(), true);
}

fn remove_unneeded(
    db: &DbInner,
    names: &[String],
    live: &HashSet<u64>,
    keep: &HashSet<u64>,
    remove_temp: bool,
) {
    let log_number = db.versions.log_number();
    let manifest = db.versions.manifest_file_number();
    for name in names {
        let obsolete = match parse_file_name(name) {
            Some(FileKind::Table(n)) => {
                let dead = !live.contains(&n) && !keep.contains(&n);
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
