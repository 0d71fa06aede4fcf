//! The real file system: `std::fs` with positional reads (`pread` via
//! `FileExt::read_exact_at`), buffered appends, and `flock`-style locks via
//! `File::try_lock`.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

use super::{FileLock, FileSystem, RandomAccessFile, SequentialFile, WritableFile};
use crate::error::{Error, Result};

/// Bytes buffered in a [`RealWritableFile`] before a `write` system call.
const WRITE_BUFFER: usize = 64 << 10;

/// `std::fs`-backed [`FileSystem`].
#[derive(Debug, Default, Clone, Copy)]
pub struct RealFileSystem;

fn ctx(op: &str, path: &Path) -> String {
    format!("{op} {}", path.display())
}

/// An appendable file with a user-space buffer.
struct RealWritableFile {
    file: File,
    path: String,
    buf: Vec<u8>,
    size: u64,
}

impl RealWritableFile {
    fn write_out(&mut self) -> Result<()> {
        if !self.buf.is_empty() {
            self.file
                .write_all(&self.buf)
                .map_err(|e| Error::io(format!("write {}", self.path), e))?;
            self.buf.clear();
        }
        Ok(())
    }
}

impl WritableFile for RealWritableFile {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        self.size += data.len() as u64;
        if self.buf.len() + data.len() > WRITE_BUFFER {
            self.write_out()?;
            if data.len() >= WRITE_BUFFER {
                return self
                    .file
                    .write_all(data)
                    .map_err(|e| Error::io(format!("write {}", self.path), e));
            }
        }
        self.buf.extend_from_slice(data);
        Ok(())
    }
    fn flush(&mut self) -> Result<()> {
        self.write_out()
    }
    fn sync(&mut self) -> Result<()> {
        self.write_out()?;
        self.file
            .sync_data()
            .map_err(|e| Error::io(format!("fsync {}", self.path), e))
    }
    fn size(&self) -> u64 {
        self.size
    }
}

impl Drop for RealWritableFile {
    fn drop(&mut self) {
        // Best effort: buffered bytes reach the OS even if the owner forgot to flush.
        let _ = self.write_out();
    }
}

struct RealRandomAccessFile {
    file: File,
    path: String,
    size: u64,
}

impl RandomAccessFile for RealRandomAccessFile {
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<()> {
        self.file.read_exact_at(buf, offset).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                Error::corruption(
                    self.path.clone(),
                    offset,
                    format!(
                        "read of {} bytes past end of file (size {})",
                        buf.len(),
                        self.size
                    ),
                )
            } else {
                Error::io(format!("read {} at {offset}", self.path), e)
            }
        })
    }
    fn size(&self) -> u64 {
        self.size
    }
}

struct RealSequentialFile {
    file: File,
    path: String,
}

impl SequentialFile for RealSequentialFile {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.file
            .read(buf)
            .map_err(|e| Error::io(format!("read {}", self.path), e))
    }
}

#[derive(Debug)]
struct RealFileLock {
    _file: File,
}
impl FileLock for RealFileLock {}

impl FileSystem for RealFileSystem {
    fn create_dir_all(&self, path: &Path) -> Result<()> {
        fs::create_dir_all(path).map_err(|e| Error::io(ctx("create directory", path), e))
    }
    fn new_writable(&self, path: &Path) -> Result<Box<dyn WritableFile>> {
        let file = File::create(path).map_err(|e| Error::io(ctx("create", path), e))?;
        Ok(Box::new(RealWritableFile {
            file,
            path: path.display().to_string(),
            buf: Vec::with_capacity(WRITE_BUFFER),
            size: 0,
        }))
    }
    fn reopen_writable(&self, path: &Path) -> Result<Box<dyn WritableFile>> {
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| Error::io(ctx("open for append", path), e))?;
        let size = file
            .metadata()
            .map_err(|e| Error::io(ctx("stat", path), e))?
            .len();
        Ok(Box::new(RealWritableFile {
            file,
            path: path.display().to_string(),
            buf: Vec::with_capacity(WRITE_BUFFER),
            size,
        }))
    }
    fn open_random_access(&self, path: &Path) -> Result<Arc<dyn RandomAccessFile>> {
        let file = File::open(path).map_err(|e| Error::io(ctx("open", path), e))?;
        let size = file
            .metadata()
            .map_err(|e| Error::io(ctx("stat", path), e))?
            .len();
        Ok(Arc::new(RealRandomAccessFile {
            file,
            path: path.display().to_string(),
            size,
        }))
    }
    fn open_sequential(&self, path: &Path) -> Result<Box<dyn SequentialFile>> {
        let file = File::open(path).map_err(|e| Error::io(ctx("open", path), e))?;
        Ok(Box::new(RealSequentialFile {
            file,
            path: path.display().to_string(),
        }))
    }
    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }
    fn remove_file(&self, path: &Path) -> Result<()> {
        fs::remove_file(path).map_err(|e| Error::io(ctx("remove", path), e))
    }
    fn rename(&self, from: &Path, to: &Path) -> Result<()> {
        fs::rename(from, to)
            .map_err(|e| Error::io(format!("rename {} to {}", from.display(), to.display()), e))
    }
    fn list_dir(&self, path: &Path) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(path).map_err(|e| Error::io(ctx("list", path), e))? {
            let entry = entry.map_err(|e| Error::io(ctx("list", path), e))?;
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names)
    }
    fn file_size(&self, path: &Path) -> Result<u64> {
        Ok(fs::metadata(path)
            .map_err(|e| Error::io(ctx("stat", path), e))?
            .len())
    }
    fn sync_dir(&self, path: &Path) -> Result<()> {
        let dir = File::open(path).map_err(|e| Error::io(ctx("open directory", path), e))?;
        dir.sync_all()
            .map_err(|e| Error::io(ctx("fsync directory", path), e))
    }
    fn lock_file(&self, path: &Path) -> Result<Box<dyn FileLock>> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| Error::io(ctx("open lock file", path), e))?;
        match file.try_lock() {
            Ok(()) => Ok(Box::new(RealFileLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Busy(format!(
                "{} is locked: another process (or another Db in this process) has this database open",
                path.display()
            ))),
            Err(std::fs::TryLockError::Error(e)) => Err(Error::io(ctx("lock", path), e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_read_and_lock() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fs = RealFileSystem;
        let p = dir.path().join("f");
        let mut w = fs.new_writable(&p).expect("create");
        w.append(b"hello ").expect("append");
        w.append(b"world").expect("append");
        w.sync().expect("sync");
        assert_eq!(w.size(), 11);
        let r = fs.open_random_access(&p).expect("open");
        assert_eq!(r.read_at(6, 5).expect("read"), b"world");
        let err = r.read_at(8, 10).expect_err("past end");
        assert!(err.is_corruption(), "{err}");
        let lock_path = dir.path().join("LOCK");
        let l = fs.lock_file(&lock_path).expect("first lock");
        assert!(matches!(fs.lock_file(&lock_path), Err(Error::Busy(_))));
        drop(l);
        fs.lock_file(&lock_path).expect("relock after drop");
    }
}
