//! The file handles a [`FaultFileSystem`](super::FaultFileSystem) hands out.
//!
//! Invariants: every call locks the shared state, fails with `Error::Io` if
//! the handle was opened before a simulated crash (its generation is stale),
//! then applies the injected faults for its path before touching the inode.
//! A lock handle releases its lock on drop only if it still owns it.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use parking_lot::Mutex;

use super::state::{Inode, Op, State, dead_process, not_found};
use crate::error::{Error, Result};
use crate::fs::{FileLock, RandomAccessFile, SequentialFile, WritableFile};

/// What every open file remembers: which inode, and from which "process".
pub(super) struct Handle {
    pub(super) state: Arc<Mutex<State>>,
    pub(super) path: PathBuf,
    pub(super) inode: u64,
    pub(super) generation: u64,
}

impl Handle {
    /// Locks the state, checks faults and liveness, and runs `f` on the inode.
    fn with<T>(&self, what: &str, op: Op, f: impl FnOnce(&mut Inode) -> Result<T>) -> Result<T> {
        self.with_fault(what, op, |inode, _| f(inode))
    }

    /// As [`Handle::with`], but a failing random fault still runs `f` with
    /// `Some(hash)` (for a partial append); `f`'s result is then replaced by
    /// the injected error.
    fn with_fault<T>(
        &self,
        what: &str,
        op: Op,
        f: impl FnOnce(&mut Inode, Option<u64>) -> Result<T>,
    ) -> Result<T> {
        let mut s = self.state.lock();
        if s.generation != self.generation {
            return Err(dead_process(what, &self.path));
        }
        let checked = s.check(what, op, &[&self.path]);
        let inode = s
            .inodes
            .get_mut(&self.inode)
            .ok_or_else(|| not_found(what, &self.path))?;
        match checked {
            Ok(()) => f(inode, None),
            Err(injected) => {
                if let Some(h) = injected.random {
                    // Only the side effect matters; the fault is the result.
                    let _ = f(inode, Some(h));
                }
                Err(injected.error)
            }
        }
    }
}

/// An appendable file: appends go to the end of its inode.
pub(super) struct FaultWritable {
    pub(super) handle: Handle,
    pub(super) size: u64,
}

impl WritableFile for FaultWritable {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        let mut landed = 0;
        let result = self.handle.with_fault("append", Op::Append, |i, fault| {
            // A failing random append lands a prefix of 0..=len bytes.
            landed = fault.map_or(data.len(), |h| (h % (data.len() as u64 + 1)) as usize);
            i.data.extend_from_slice(&data[..landed]);
            Ok(())
        });
        self.size += landed as u64;
        result
    }
    fn flush(&mut self) -> Result<()> {
        self.handle.with("flush", Op::Append, |_| Ok(()))
    }
    fn sync(&mut self) -> Result<()> {
        self.handle.with("sync", Op::Sync, |i| {
            i.synced_len = i.data.len();
            Ok(())
        })
    }
    fn size(&self) -> u64 {
        self.size
    }
}

/// A positional reader; `size` is the length at open time.
pub(super) struct FaultRandomAccess {
    pub(super) handle: Handle,
    pub(super) size: u64,
}

impl RandomAccessFile for FaultRandomAccess {
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<()> {
        let path = self.handle.path.display().to_string();
        self.handle.with("read", Op::Read, |i| {
            let src = usize::try_from(offset)
                .ok()
                .and_then(|o| i.data.get(o..o.checked_add(buf.len())?))
                .ok_or_else(|| {
                    let size = i.data.len();
                    Error::corruption(
                        path,
                        offset,
                        format!("read of {} bytes past end of file (size {size})", buf.len()),
                    )
                })?;
            buf.copy_from_slice(src);
            Ok(())
        })
    }
    fn size(&self) -> u64 {
        self.size
    }
}

/// A front-to-back reader seeing the inode's current contents.
pub(super) struct FaultSequential {
    pub(super) handle: Handle,
    pub(super) pos: usize,
}

impl SequentialFile for FaultSequential {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        let pos = self.pos;
        let n = self.handle.with("read", Op::Read, |i| {
            let avail = i.data.get(pos..).unwrap_or(&[]);
            let n = avail.len().min(buf.len());
            buf[..n].copy_from_slice(&avail[..n]);
            Ok(n)
        })?;
        self.pos += n;
        Ok(n)
    }
}

/// A held lock; `id` tells it apart from a later holder after a crash.
pub(super) struct FaultLock {
    pub(super) state: Arc<Mutex<State>>,
    pub(super) path: PathBuf,
    pub(super) id: u64,
}

impl fmt::Debug for FaultLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultLock").field("path", &self.path).finish()
    }
}

impl FileLock for FaultLock {}

impl Drop for FaultLock {
    fn drop(&mut self) {
        let mut s = self.state.lock();
        if s.locks.get(&self.path) == Some(&self.id) {
            s.locks.remove(&self.path);
        }
    }
}
