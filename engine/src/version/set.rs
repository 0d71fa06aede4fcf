//! [`VersionSet`]: the current [`Version`], the counters that must survive a
//! restart, and the MANIFEST that makes changes to them durable.
//!
//! Invariants:
//! - `log_and_apply` installs a version only after its edit is synced to the
//!   MANIFEST that CURRENT names; a failed write installs nothing.
//! - Edits are serialized by the writer lock; readers (`current`,
//!   `compact_pointer`, `live_files`) never wait for a MANIFEST sync.
//! - After any failed MANIFEST append the old MANIFEST may end in a torn
//!   record, so it is never appended to again: the next `log_and_apply`
//!   starts a new MANIFEST from a snapshot and switches CURRENT to it.
//! - Every version handed out is remembered as a `Weak`, so `live_files`
//!   includes the files of any version a reader still holds.
//! - File numbers come from one counter and are never reused.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Weak};

use parking_lot::{Mutex, RwLock};

use crate::error::{Error, Result};
use crate::filename::{current_file, manifest_file, manifest_name};
use crate::fs::FileSystem;
use crate::key::{InternalKey, SequenceNumber};
use crate::options::Options;
use crate::wal::LogWriter;

use super::builder::VersionBuilder;
use super::edit::MAX_LEVELS;
use super::recovery::{self, Recovered};
use super::{Version, VersionEdit};

/// A MANIFEST grows to this size before `log_and_apply` rolls over to a new
/// one holding only a snapshot (bounds replay time on open).
pub const MAX_MANIFEST_SIZE: u64 = 64 << 20;

/// What the caller needs from recovery to replay WALs and continue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryInfo {
    /// WALs numbered below this are obsolete; replay those `>=` it.
    pub log_number: u64,
    /// Last sequence number recorded in the MANIFEST (WAL replay may raise it).
    pub last_sequence: SequenceNumber,
    /// Next unused file number after recovery (the new MANIFEST took one).
    pub next_file_number: u64,
    /// True if this open created the database.
    pub created_new_db: bool,
}

/// State guarded by the writer lock (held across a MANIFEST write + sync).
struct Writer {
    /// The open MANIFEST; `None` after a failed write, forcing a rollover.
    log: Option<LogWriter>,
    /// Rollover threshold (a field so tests can shrink it).
    max_manifest_size: u64,
}

/// Short-held bookkeeping shared with readers.
struct Bookkeeping {
    compact_pointers: Vec<Option<InternalKey>>,
    /// Every version installed; dead entries are pruned as we go.
    versions: Vec<Weak<Version>>,
}

/// The versions of one database and its MANIFEST. `Send + Sync`.
pub struct VersionSet {
    fs: Arc<dyn FileSystem>,
    dir: PathBuf,
    num_levels: usize,
    paranoid_checks: bool,
    next_file_number: AtomicU64,
    last_sequence: AtomicU64,
    log_number: AtomicU64,
    manifest_number: AtomicU64,
    current: RwLock<Arc<Version>>,
    writer: Mutex<Writer>,
    book: Mutex<Bookkeeping>,
}

impl VersionSet {
    /// Opens the database's MANIFEST (dir/CURRENT -> MANIFEST-n), replays it,
    /// then writes a fresh MANIFEST holding a snapshot of the state and
    /// switches CURRENT to it atomically. A missing CURRENT creates a new
    /// database if `options.create_if_missing`, else InvalidArgument; an
    /// existing database with `error_if_exists` is InvalidArgument. Files at a
    /// level `>= options.num_levels` are InvalidArgument (raise num_levels).
    /// Any undecodable record is Corruption naming the MANIFEST and offset.
    ///
    /// The previous MANIFEST is deleted once CURRENT names the new one.
    pub fn open(
        fs: Arc<dyn FileSystem>,
        dir: &Path,
        options: &Options,
    ) -> Result<(VersionSet, RecoveryInfo)> {
        if options.num_levels == 0 || options.num_levels > MAX_LEVELS {
            return Err(Error::InvalidArgument(format!(
                "num_levels must be between 1 and {MAX_LEVELS}, got {}",
                options.num_levels
            )));
        }
        let exists = fs.exists(&current_file(dir));
        let (rec, old_manifest) = if exists {
            if options.error_if_exists {
                return Err(Error::InvalidArgument(format!(
                    "database {} already exists (error_if_exists is true)",
                    dir.display()
                )));
            }
            let n = recovery::read_current(fs.as_ref(), dir)?;
            (recovery::replay(fs.as_ref(), dir, n, options)?, Some(n))
        } else {
            if !options.create_if_missing {
                return Err(Error::InvalidArgument(format!(
                    "database {} does not exist (create_if_missing is false)",
                    dir.display()
                )));
            }
            fs.create_dir_all(dir)?;
            if recovery::has_table_files(fs.as_ref(), dir)? {
                return Err(Error::corruption(
                    current_file(dir).display().to_string(),
                    0,
                    "CURRENT is missing but the directory holds table files; refusing to create a new \
                     database over them",
                ));
            }
            (Recovered::new_db(options.num_levels), None)
        };

        let manifest_number = rec.next_file_number;
        let next_file_number = manifest_number + 1;
        let snapshot = recovery::snapshot_edit(
            &rec.version,
            rec.log_number,
            next_file_number,
            rec.last_sequence,
            &rec.compact_pointers,
        );
        let log = recovery::write_manifest(fs.as_ref(), dir, manifest_number, &snapshot)?;
        recovery::set_current(fs.as_ref(), dir, manifest_number)?;
        if let Some(old) = old_manifest.filter(|&o| o != manifest_number) {
            // Best effort: CURRENT no longer names it, so orphan cleanup
            // removes it later if this fails.
            let _ = fs.remove_file(&manifest_file(dir, old));
        }

        let version = Arc::new(rec.version);
        let info = RecoveryInfo {
            log_number: rec.log_number,
            last_sequence: rec.last_sequence,
            next_file_number,
            created_new_db: !exists,
        };
        let set = VersionSet {
            fs,
            dir: dir.to_path_buf(),
            num_levels: options.num_levels,
            paranoid_checks: options.paranoid_checks,
            next_file_number: AtomicU64::new(next_file_number),
            last_sequence: AtomicU64::new(rec.last_sequence),
            log_number: AtomicU64::new(rec.log_number),
            manifest_number: AtomicU64::new(manifest_number),
            current: RwLock::new(Arc::clone(&version)),
            writer: Mutex::new(Writer {
                log: Some(log),
                max_manifest_size: MAX_MANIFEST_SIZE,
            }),
            book: Mutex::new(Bookkeeping {
                compact_pointers: rec.compact_pointers,
                versions: vec![Arc::downgrade(&version)],
            }),
        };
        Ok((set, info))
    }

    /// The current version (cheap: one read lock and an `Arc` clone).
    pub fn current(&self) -> Arc<Version> {
        Arc::clone(&self.current.read())
    }

    /// Fills `next_file_number` / `last_sequence` into the edit, appends it
    /// to the MANIFEST, syncs it, then installs the new version and returns
    /// it. Concurrent callers are serialized. An edit inconsistent with the
    /// current version (deleting a file that is not live, adding one twice,
    /// creating overlap on a sorted level, a level out of range) is
    /// InvalidArgument and writes nothing. If the write fails nothing is
    /// installed and the error is returned; the edit may or may not be
    /// durable, so the caller must treat it as a sticky background error and
    /// never delete the edit's new files (the engine quarantines them, see
    /// `db/cleanup.rs`). Rolls over to a
    /// new MANIFEST when the current one exceeds [`MAX_MANIFEST_SIZE`].
    pub fn log_and_apply(&self, mut edit: VersionEdit) -> Result<Arc<Version>> {
        let mut w = self.writer.lock();
        let base = self.current();
        self.validate_edit(&edit)?;

        let mut builder = VersionBuilder::new(Arc::clone(&base));
        let name = manifest_name(self.manifest_file_number());
        builder.apply(&edit, &name, 0).map_err(as_invalid_argument)?;
        let version = builder.build();
        if self.paranoid_checks {
            for level in (0..version.num_levels()).filter(|&l| builder.level_changed(l)) {
                version
                    .check_level(level, &name, 0)
                    .map_err(as_invalid_argument)?;
            }
        }

        if let Some(n) = edit.last_sequence {
            self.last_sequence.fetch_max(n, SeqCst);
        }
        if let Some(n) = edit.next_file_number {
            self.next_file_number.fetch_max(n, SeqCst);
        }
        let log_number = edit.log_number.unwrap_or_else(|| self.log_number());
        let needs_rollover = match &w.log {
            Some(log) => log.file_size() >= w.max_manifest_size,
            None => true,
        };
        if needs_rollover {
            self.roll_over(&mut w, &version, &edit, log_number)?;
        } else {
            edit.next_file_number = Some(self.next_file_number.load(SeqCst));
            edit.last_sequence = Some(self.last_sequence());
            let log = w.log.as_mut().ok_or(Error::Closed)?;
            let written = log.add_record(&edit.encode()).and_then(|_| log.sync());
            if let Err(e) = written {
                w.log = None;
                return Err(e);
            }
        }

        // Durable: install.
        if let Some(n) = edit.log_number {
            self.log_number.fetch_max(n, SeqCst);
        }
        let version = Arc::new(version);
        let mut book = self.book.lock();
        for (level, key) in edit.compact_pointers {
            book.compact_pointers[level] = Some(key);
        }
        book.versions.retain(|v| v.strong_count() > 0);
        book.versions.push(Arc::downgrade(&version));
        *self.current.write() = Arc::clone(&version);
        drop(book);
        Ok(version)
    }

    /// Rejects edits that could never be valid on this database.
    fn validate_edit(&self, edit: &VersionEdit) -> Result<()> {
        // Never write a record that a reopen could not read back (a malformed
        // key or inverted file bounds would make the database unopenable).
        if let Err(e) = VersionEdit::decode(&edit.encode(), "<version edit>", 0) {
            return Err(Error::InvalidArgument(format!(
                "malformed version edit: {}",
                as_invalid_argument(e)
            )));
        }
        let bad_level = edit
            .compact_pointers
            .iter()
            .map(|(l, _)| *l)
            .chain(edit.deleted_files.iter().map(|(l, _)| *l))
            .find(|&l| l >= self.num_levels);
        if let Some(l) = bad_level {
            return Err(Error::InvalidArgument(format!(
                "version edit names level {l}, but num_levels is {}",
                self.num_levels
            )));
        }
        if let Some(n) = edit.num_levels.filter(|&n| n as usize != self.num_levels) {
            return Err(Error::InvalidArgument(format!(
                "version edit sets num_levels {n}, but the database is open with {}",
                self.num_levels
            )));
        }
        if let Some(n) = edit.log_number {
            let next = self
                .next_file_number
                .load(SeqCst)
                .max(edit.next_file_number.unwrap_or(0));
            if n < self.log_number() || n >= next {
                return Err(Error::InvalidArgument(format!(
                    "version edit log number {n} is outside [{}, {next})",
                    self.log_number()
                )));
            }
        }
        Ok(())
    }

    /// Writes a new MANIFEST holding a snapshot of `version` (which already
    /// includes `edit`), switches CURRENT to it, and deletes the old one.
    fn roll_over(
        &self,
        w: &mut Writer,
        version: &Version,
        edit: &VersionEdit,
        log_number: u64,
    ) -> Result<()> {
        let number = self.new_file_number();
        let mut pointers = self.book.lock().compact_pointers.clone();
        for (level, key) in &edit.compact_pointers {
            pointers[*level] = Some(key.clone());
        }
        let snapshot = recovery::snapshot_edit(
            version,
            log_number,
            self.next_file_number.load(SeqCst),
            self.last_sequence(),
            &pointers,
        );
        let fs = self.fs.as_ref();
        w.log = None;
        let log = match recovery::write_manifest(fs, &self.dir, number, &snapshot) {
            Ok(log) => log,
            Err(e) => {
                // CURRENT still names the old MANIFEST: the new one is garbage.
                let _ = fs.remove_file(&manifest_file(&self.dir, number));
                return Err(e);
            }
        };
        // If this fails CURRENT may name either MANIFEST; both are complete,
        // so leave both for the next open (and retry the switch next time).
        recovery::set_current(fs, &self.dir, number)?;
        let old = self.manifest_number.swap(number, SeqCst);
        let _ = fs.remove_file(&manifest_file(&self.dir, old));
        w.log = Some(log);
        Ok(())
    }

    /// Allocates a fresh file number (for a table, WAL or MANIFEST).
    pub fn new_file_number(&self) -> u64 {
        self.next_file_number.fetch_add(1, SeqCst)
    }

    /// Makes sure `n` is never handed out again (a WAL found on recovery).
    pub fn mark_file_number_used(&self, n: u64) {
        self.next_file_number.fetch_max(n.saturating_add(1), SeqCst);
    }

    /// The next file number `new_file_number` would return.
    pub fn next_file_number(&self) -> u64 {
        self.next_file_number.load(SeqCst)
    }

    /// The last sequence number assigned to a write.
    pub fn last_sequence(&self) -> SequenceNumber {
        self.last_sequence.load(SeqCst)
    }

    /// Publishes the last sequence number assigned (after a write group is
    /// in the memtable). Never moves backwards.
    pub fn set_last_sequence(&self, s: SequenceNumber) {
        self.last_sequence.fetch_max(s, SeqCst);
    }

    /// WALs numbered below this are obsolete.
    pub fn log_number(&self) -> u64 {
        self.log_number.load(SeqCst)
    }

    /// Number of the MANIFEST CURRENT names.
    pub fn manifest_file_number(&self) -> u64 {
        self.manifest_number.load(SeqCst)
    }

    /// Levels the database is open with.
    pub fn num_levels(&self) -> usize {
        self.num_levels
    }

    /// File numbers referenced by the current version or any older version
    /// still alive (held by an iterator or read); obsolete-file deletion must
    /// keep these.
    pub fn live_files(&self) -> HashSet<u64> {
        let mut book = self.book.lock();
        book.versions.retain(|v| v.strong_count() > 0);
        let mut live = HashSet::new();
        for v in book.versions.iter().filter_map(Weak::upgrade) {
            live.extend(v.all_file_numbers());
        }
        drop(book);
        live.extend(self.current().all_file_numbers());
        live
    }

    /// The round-robin compaction position of `level`: the largest key of
    /// the last compaction out of it, if any.
    pub fn compact_pointer(&self, level: usize) -> Option<InternalKey> {
        self.book.lock().compact_pointers.get(level).cloned().flatten()
    }

    /// Changes the MANIFEST rollover threshold (tests exercise rollover
    /// without writing 64 MiB).
    pub fn set_max_manifest_size(&self, bytes: u64) {
        self.writer.lock().max_manifest_size = bytes;
    }
}

impl std::fmt::Debug for VersionSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VersionSet")
            .field("dir", &self.dir)
            .field("manifest", &self.manifest_file_number())
            .field("next_file_number", &self.next_file_number())
            .field("last_sequence", &self.last_sequence())
            .field("log_number", &self.log_number())
            .field("current", &*self.current())
            .finish()
    }
}

/// An edit that contradicts the current version is the caller's mistake,
/// not damage on disk.
fn as_invalid_argument(e: Error) -> Error {
    match e {
        Error::Corruption { detail, .. } => Error::InvalidArgument(detail),
        other => other,
    }
}
