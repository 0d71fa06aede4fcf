//! Names of the files in a database directory.
//!
//! ```text
//! 000007.log        write-ahead log number 7
//! 000012.sst        table file number 12
//! MANIFEST-000003   version log number 3
//! CURRENT           names the live MANIFEST ("MANIFEST-000003\n")
//! LOCK              held (flock) while a process has the database open
//! *.dbtmp           a temporary file being written (removed on open)
//! ```
//! All numbers come from one counter in the VersionSet, so they never repeat.

use std::path::{Path, PathBuf};

/// What a file in the database directory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A write-ahead log.
    Log(u64),
    /// A table (SST) file.
    Table(u64),
    /// A MANIFEST.
    Manifest(u64),
    /// The CURRENT pointer file.
    Current,
    /// The LOCK file.
    Lock,
    /// A temporary file.
    Temp,
}

/// Path of WAL `number`.
pub fn log_file(dir: &Path, number: u64) -> PathBuf {
    dir.join(format!("{number:06}.log"))
}

/// Path of table `number`.
pub fn table_file(dir: &Path, number: u64) -> PathBuf {
    dir.join(format!("{number:06}.sst"))
}

/// Path of MANIFEST `number`.
pub fn manifest_file(dir: &Path, number: u64) -> PathBuf {
    dir.join(manifest_name(number))
}

/// File name (no directory) of MANIFEST `number`.
pub fn manifest_name(number: u64) -> String {
    format!("MANIFEST-{number:06}")
}

/// Path of CURRENT.
pub fn current_file(dir: &Path) -> PathBuf {
    dir.join("CURRENT")
}

/// Path of LOCK.
pub fn lock_file(dir: &Path) -> PathBuf {
    dir.join("LOCK")
}

/// Classifies a file name; `None` for files that are not the engine's.
pub fn parse_file_name(name: &str) -> Option<FileKind> {
    if name == "CURRENT" {
        return Some(FileKind::Current);
    }
    if name == "LOCK" {
        return Some(FileKind::Lock);
    }
    if name.ends_with(".dbtmp") {
        return Some(FileKind::Temp);
    }
    if let Some(n) = name.strip_prefix("MANIFEST-") {
        return n.parse().ok().map(FileKind::Manifest);
    }
    if let Some(n) = name.strip_suffix(".log") {
        return n.parse().ok().map(FileKind::Log);
    }
    if let Some(n) = name.strip_suffix(".sst") {
        return n.parse().ok().map(FileKind::Table);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        let d = Path::new("/db");
        assert_eq!(log_file(d, 7), Path::new("/db/000007.log"));
        assert_eq!(parse_file_name("000007.log"), Some(FileKind::Log(7)));
        assert_eq!(parse_file_name("1234567.sst"), Some(FileKind::Table(1234567)));
        assert_eq!(parse_file_name("MANIFEST-000003"), Some(FileKind::Manifest(3)));
        assert_eq!(parse_file_name("CURRENT.dbtmp"), Some(FileKind::Temp));
        assert_eq!(parse_file_name("notes.txt"), None);
        assert_eq!(parse_file_name("x.sst"), None);
    }
}
