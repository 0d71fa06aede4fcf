//! Reading a database's persistent version state: CURRENT names the live
//! MANIFEST; replaying the MANIFEST's edits rebuilds the files per level and
//! the counters. Writing a fresh MANIFEST and switching CURRENT to it also
//! lives here, since open and rollover share it.
//!
//! Invariants:
//! - Replay never trusts a record: each is checksummed by the log reader,
//!   decoded strictly, and applied through the builder's consistency checks;
//!   any failure is Corruption naming the MANIFEST path and record offset.
//! - A MANIFEST is only named by CURRENT after its snapshot record is synced
//!   (`write_manifest` returns only then), and CURRENT is replaced atomically
//!   (temp file + rename + directory sync), so after a crash CURRENT names
//!   either the old complete MANIFEST or the new complete one.

use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::filename::{FileKind, current_file, manifest_file, manifest_name, parse_file_name};
use crate::fs::{FileSystem, read_file, write_file_atomic};
use crate::key::{InternalKey, SequenceNumber};
use crate::options::{Options, WalRecoveryMode};
use crate::wal::{LogReader, LogWriter};

use super::builder::VersionBuilder;
use super::edit::MAX_LEVELS;
use super::{Version, VersionEdit};

/// The state rebuilt from a MANIFEST (or made up for a new database).
pub(crate) struct Recovered {
    /// Files per level, with the configured number of levels.
    pub version: Version,
    /// WALs numbered below this are obsolete.
    pub log_number: u64,
    /// Next unused file number, already past every number the MANIFEST names.
    pub next_file_number: u64,
    /// Last sequence number used.
    pub last_sequence: SequenceNumber,
    /// Round-robin compaction positions, one slot per configured level.
    pub compact_pointers: Vec<Option<InternalKey>>,
}

impl Recovered {
    /// The state of a database that does not exist yet.
    pub(crate) fn new_db(num_levels: usize) -> Recovered {
        Recovered {
            version: Version::empty(num_levels),
            log_number: 0,
            next_file_number: 1,
            last_sequence: 0,
            compact_pointers: vec![None; num_levels],
        }
    }
}

/// Reads CURRENT and returns the MANIFEST number it names.
pub(crate) fn read_current(fs: &dyn FileSystem, dir: &Path) -> Result<u64> {
    let path = current_file(dir);
    let data = read_file(fs, &path)?;
    let bad = |detail: String| Error::corruption(path.display().to_string(), 0, detail);
    let text = std::str::from_utf8(&data).map_err(|_| bad("CURRENT is not UTF-8".into()))?;
    let Some(name) = text.strip_suffix('\n') else {
        return Err(bad(format!("CURRENT does not end with a newline: {text:?}")));
    };
    match parse_file_name(name) {
        Some(FileKind::Manifest(n)) if name == manifest_name(n) => Ok(n),
        _ => Err(bad(format!("CURRENT does not name a MANIFEST: {name:?}"))),
    }
}

/// Replays MANIFEST `number` in `dir` (read only; writes nothing).
pub(crate) fn replay(fs: &dyn FileSystem, dir: &Path, number: u64, options: &Options) -> Result<Recovered> {
    let path = manifest_file(dir, number);
    let file = path.display().to_string();
    if !fs.exists(&path) {
        let current = current_file(dir).display().to_string();
        return Err(Error::corruption(
            current,
            0,
            format!("CURRENT names {file}, which does not exist"),
        ));
    }
    // A torn last record is an edit whose log_and_apply never returned, so
    // dropping it is exact; with paranoid checks off, salvage a prefix.
    let mode = if options.paranoid_checks {
        WalRecoveryMode::TolerateCorruptedTail
    } else {
        WalRecoveryMode::PointInTime
    };
    let mut reader = LogReader::new(fs.open_sequential(&path)?, file.clone(), mode);
    let mut builder = VersionBuilder::new(Arc::new(Version::empty(MAX_LEVELS)));
    let (mut log_number, mut next_file, mut last_seq) = (None, None, None);
    let mut pointers: Vec<Option<InternalKey>> = vec![None; MAX_LEVELS];
    let mut records = 0u64;
    let mut last_offset = 0;
    while let Some((record, offset)) = reader.read_record()? {
        let edit = VersionEdit::decode(&record, &file, offset)?;
        builder.apply(&edit, &file, offset)?;
        log_number = edit.log_number.or(log_number);
        next_file = edit.next_file_number.or(next_file);
        last_seq = edit.last_sequence.or(last_seq);
        for (level, key) in edit.compact_pointers {
            pointers[level] = Some(key);
        }
        records += 1;
        last_offset = offset;
    }
    let missing =
        |what: &str| Error::corruption(&file, last_offset, format!("MANIFEST never records the {what}"));
    if records == 0 {
        return Err(Error::corruption(&file, 0, "MANIFEST holds no complete record"));
    }
    let log_number = log_number.ok_or_else(|| missing("log number"))?;
    let next_file = next_file.ok_or_else(|| missing("next file number"))?;
    let last_sequence = last_seq.ok_or_else(|| missing("last sequence"))?;

    let version = builder.build_with_levels(options.num_levels)?;
    version.check_invariants_in(&file, last_offset)?;
    // Never hand out a number that is already on disk.
    let max_used = version
        .all_file_numbers()
        .chain([number, log_number])
        .max()
        .unwrap_or(0);
    pointers.truncate(options.num_levels);
    Ok(Recovered {
        version,
        log_number,
        next_file_number: next_file.max(max_used + 1),
        last_sequence,
        compact_pointers: pointers,
    })
}

/// The edit that recreates `version` and the counters from nothing: the
/// first record of every MANIFEST.
pub(crate) fn snapshot_edit(
    version: &Version,
    log_number: u64,
    next_file_number: u64,
    last_sequence: SequenceNumber,
    compact_pointers: &[Option<InternalKey>],
) -> VersionEdit {
    let mut e = VersionEdit {
        log_number: Some(log_number),
        next_file_number: Some(next_file_number),
        last_sequence: Some(last_sequence),
        num_levels: Some(version.num_levels() as u32),
        ..Default::default()
    };
    for (level, key) in compact_pointers.iter().enumerate() {
        if let Some(key) = key {
            e.compact_pointers.push((level, key.clone()));
        }
    }
    for level in 0..version.num_levels() {
        for f in version.files(level) {
            e.new_files.push((level, (**f).clone()));
        }
    }
    e
}

/// Creates MANIFEST `number` holding `snapshot` as its first record and
/// syncs it. Does not touch CURRENT.
pub(crate) fn write_manifest(
    fs: &dyn FileSystem,
    dir: &Path,
    number: u64,
    snapshot: &VersionEdit,
) -> Result<LogWriter> {
    let path = manifest_file(dir, number);
    let mut w = LogWriter::new(fs.new_writable(&path)?, path.display().to_string());
    w.add_record(&snapshot.encode())?;
    w.sync()?;
    Ok(w)
}

/// Points CURRENT at MANIFEST `number` atomically and durably.
pub(crate) fn set_current(fs: &dyn FileSystem, dir: &Path, number: u64) -> Result<()> {
    let contents = format!("{}\n", manifest_name(number));
    write_file_atomic(fs, &current_file(dir), contents.as_bytes())
}

/// True if `dir` holds table files (used to refuse creating a new database
/// over the remains of one whose CURRENT was lost).
pub(crate) fn has_table_files(fs: &dyn FileSystem, dir: &Path) -> Result<bool> {
    Ok(fs
        .list_dir(dir)?
        .iter()
        .any(|n| matches!(parse_file_name(n), Some(FileKind::Table(_)))))
}
