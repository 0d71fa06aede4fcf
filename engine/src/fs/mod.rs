//! The file-system boundary: every byte the engine reads or writes goes
//! through [`FileSystem`], so tests can swap in a fault-injecting
//! implementation (drop unsynced data, fail I/O) without touching the engine.
//!
//! Contract:
//! - `WritableFile::append` buffers or writes; data is durable only after
//!   `sync` returns Ok. A crash may lose anything appended after the last sync.
//! - `RandomAccessFile::read_at` is positional (`pread`): many threads may read
//!   one file at once with no lock.
//! - A directory's entries (created, renamed, removed files) are durable only
//!   after `sync_dir` on that directory.

pub mod fault;
#[cfg(test)]
pub(crate) mod mem_file;
pub mod real;

use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::Result;

pub use real::RealFileSystem;

/// A file opened for appending.
pub trait WritableFile: Send + Sync {
    /// Appends bytes at the end.
    fn append(&mut self, data: &[u8]) -> Result<()>;
    /// Pushes buffered bytes to the operating system (not durable).
    fn flush(&mut self) -> Result<()>;
    /// Makes every appended byte durable (fdatasync).
    fn sync(&mut self) -> Result<()>;
    /// Bytes appended so far (the file's logical size).
    fn size(&self) -> u64;
}

/// A file read at arbitrary offsets, safely from many threads at once.
pub trait RandomAccessFile: Send + Sync {
    /// Reads exactly `buf.len()` bytes at `offset`; reading past the end is an error.
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<()>;
    /// The file's size in bytes.
    fn size(&self) -> u64;
    /// Reads `len` bytes at `offset` into a new buffer.
    fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>> {
        let mut v = vec![0u8; len];
        self.read_exact_at(offset, &mut v)?;
        Ok(v)
    }
}

/// A file read front to back.
pub trait SequentialFile: Send {
    /// Reads up to `buf.len()` bytes; 0 means end of file.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize>;
}

/// An exclusive lock on a file, held until dropped.
pub trait FileLock: Send + Sync + Debug {}

/// The operations the engine needs from a file system.
pub trait FileSystem: Send + Sync + Debug {
    /// Creates `path` and its parents if missing.
    fn create_dir_all(&self, path: &Path) -> Result<()>;
    /// Creates (or truncates) a file for appending.
    fn new_writable(&self, path: &Path) -> Result<Box<dyn WritableFile>>;
    /// Opens an existing file for appending at its end (used to reuse a log).
    fn reopen_writable(&self, path: &Path) -> Result<Box<dyn WritableFile>>;
    /// Opens a file for positional reads.
    fn open_random_access(&self, path: &Path) -> Result<Arc<dyn RandomAccessFile>>;
    /// Opens a file for sequential reads.
    fn open_sequential(&self, path: &Path) -> Result<Box<dyn SequentialFile>>;
    /// True if `path` exists.
    fn exists(&self, path: &Path) -> bool;
    /// Removes a file.
    fn remove_file(&self, path: &Path) -> Result<()>;
    /// Atomically renames `from` to `to` (replacing `to`).
    fn rename(&self, from: &Path, to: &Path) -> Result<()>;
    /// Names (not paths) of the entries in a directory.
    fn list_dir(&self, path: &Path) -> Result<Vec<String>>;
    /// Size of a file in bytes.
    fn file_size(&self, path: &Path) -> Result<u64>;
    /// Makes the directory's entries durable.
    fn sync_dir(&self, path: &Path) -> Result<()>;
    /// Takes an exclusive lock on `path` (creating it); fails with
    /// `Error::Busy` if another process (or this one) holds it.
    fn lock_file(&self, path: &Path) -> Result<Box<dyn FileLock>>;
}

/// Reads a whole file through `fs`.
pub fn read_file(fs: &dyn FileSystem, path: &Path) -> Result<Vec<u8>> {
    let mut f = fs.open_sequential(path)?;
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// Writes `data` to `path` durably and atomically: write a temporary file,
/// sync it, rename it over `path`, sync the directory.
pub fn write_file_atomic(fs: &dyn FileSystem, path: &Path, data: &[u8]) -> Result<()> {
    let tmp: PathBuf = path.with_extension("dbtmp");
    {
        let mut f = fs.new_writable(&tmp)?;
        f.append(data)?;
        f.sync()?;
    }
    fs.rename(&tmp, path)?;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    fs.sync_dir(dir)
}
