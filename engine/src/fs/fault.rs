//! [`FaultFileSystem`]: an in-memory [`FileSystem`] that simulates power
//! loss and injects I/O errors, for crash and error-handling tests
//! (LevelDB's `FaultInjectionTestEnv` semantics).
//!
//! Model and invariants:
//! - Files are inodes holding `data` and `synced_len`; `sync()` sets
//!   `synced_len = data.len()`. Paths map to inodes in two namespaces: the
//!   *live* one every operation sees, and the *durable* one that survives a
//!   crash. `sync_dir(d)` copies the live entries of directory `d` (created,
//!   renamed, removed files) into the durable namespace.
//! - [`FaultFileSystem::crash`] is power loss: the live namespace becomes the
//!   durable one (files created since their directory's last `sync_dir`
//!   vanish, renames revert, removed files come back), every file is cut to
//!   its synced length, and locks are released. Handles opened before the
//!   crash belong to the dead process: every call on them fails with
//!   `Error::Io`; new opens see the post-crash state.
//! - `new_writable` on an existing path makes a new inode: until `sync_dir`,
//!   a crash brings the old contents back.
//! - Directories are always durable; `create_dir_all` cannot be undone.
//! - Injected failures are `Error::Io` whose message says "injected fault".
//!   `FailWrites` covers appends and namespace changes (create, rename,
//!   remove, mkdir); `FailSyncs` covers `sync` and `sync_dir`; `FailReads`
//!   covers opens for reading, reads, `list_dir` and `file_size`.
//!   `FailAfterOps(n)` lets `n` more fallible operations succeed, then fails
//!   every one; `FailPathContains(s)` fails operations on paths containing `s`.
//!   `CrashAfterOps(n)` cuts the power at the operation after the next `n`
//!   (a crash at an exact point, possibly inside a background job).
//!   [`FaultFileSystem::inject_random`] fails each operation class
//!   ([`OpClass`]) at its own seeded rate ([`FaultRates`]); a failing append
//!   still writes a random prefix of its data. `exists` never fails.
//! - [`FaultFileSystem::fault_counts`] counts every checked operation and
//!   every injected fault per class, for test reports.
//! - A [`process view`](FaultFileSystem::process_view) (what a test hands the
//!   engine) dies with the next crash: the dead process cannot delete or
//!   create anything on the post-crash disk.

mod handles;
mod random;
mod state;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;

use self::handles::{FaultLock, FaultRandomAccess, FaultSequential, FaultWritable, Handle};
use self::random::RandomFaults;
pub use self::random::{FaultCounts, FaultRates, OpClass};
use self::state::{Op, State, dead_process, not_found, parent_of};
use super::{FileLock, FileSystem, RandomAccessFile, SequentialFile, WritableFile};
use crate::error::{Error, Result};

/// A failure to inject into a [`FaultFileSystem`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Appends and namespace changes (create, rename, remove, mkdir) fail.
    FailWrites,
    /// `sync` and `sync_dir` fail.
    FailSyncs,
    /// Opens for reading, reads, `list_dir` and `file_size` fail.
    FailReads,
    /// The next N fallible operations succeed, every later one fails.
    FailAfterOps(u64),
    /// Every operation on a path containing this string fails.
    FailPathContains(String),
    /// The next N fallible operations succeed; the one after them cuts the
    /// power instead ([`FaultFileSystem::crash`], atomically with that
    /// operation, which fails) and the fault is used up.
    CrashAfterOps(u64),
}

/// In-memory file system with simulated crashes and injected faults.
/// Clones share one state, so a test keeps a clone while the engine uses
/// another (through `Options::file_system`).
#[derive(Clone, Default)]
pub struct FaultFileSystem {
    state: Arc<Mutex<State>>,
    /// For a [`process view`](FaultFileSystem::process_view): the crash
    /// generation it belongs to; `None` for the test's own handle.
    process: Option<u64>,
}

impl fmt::Debug for FaultFileSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.state.lock();
        f.debug_struct("FaultFileSystem")
            .field("files", &s.live.len())
            .field("faults", &s.faults)
            .finish()
    }
}

impl FaultFileSystem {
    /// An empty file system with no faults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Simulates power loss; see the module documentation.
    pub fn crash(&self) {
        self.state.lock().crash();
    }

    /// A view of this file system for one simulated process (give it to the
    /// engine): it works like a clone until the next crash, after which every
    /// operation through it fails with `Error::Io`, as a killed process can
    /// no longer touch the disk (no late deletes or creations after the
    /// power loss). Clones of a view are views of the same process.
    pub fn process_view(&self) -> FaultFileSystem {
        FaultFileSystem {
            state: self.state.clone(),
            process: Some(self.state.lock().generation),
        }
    }

    /// Starts injecting `fault` (in addition to those already injected).
    pub fn inject(&self, fault: Fault) {
        let mut s = self.state.lock();
        match fault {
            Fault::FailAfterOps(n) => s.ops_left = Some(n),
            Fault::CrashAfterOps(n) => s.crash_in = Some(n),
            _ => {}
        }
        s.faults.push(fault);
    }

    /// Starts failing operations at random, at `rates` per operation class,
    /// deterministically for `seed` (see [`FaultRates`]); replaces earlier
    /// random faults. A failing append still writes a random prefix (maybe
    /// empty) of its data, as a `write(2)` cut short by an error does; every
    /// other failing operation changes nothing.
    pub fn inject_random(&self, seed: u64, rates: FaultRates) {
        self.state.lock().random = Some(RandomFaults::new(seed, rates));
    }

    /// Stops injecting every fault (random ones and a pending
    /// `CrashAfterOps` included).
    pub fn clear_faults(&self) {
        let mut s = self.state.lock();
        s.faults.clear();
        s.ops_left = None;
        s.crash_in = None;
        s.random = None;
    }

    /// Operations checked and faults injected so far, per class.
    pub fn fault_counts(&self) -> FaultCounts {
        self.state.lock().counts
    }

    /// Flips every bit of the byte at `offset` of `path` (bit rot; synced or not).
    pub fn corrupt_byte(&self, path: &Path, offset: u64) -> Result<()> {
        let mut s = self.state.lock();
        let id = s.inode_of("corrupt", path)?;
        let data = &mut s
            .inodes
            .get_mut(&id)
            .ok_or_else(|| not_found("corrupt", path))?
            .data;
        let len = data.len();
        let byte = usize::try_from(offset)
            .ok()
            .and_then(|o| data.get_mut(o))
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "corrupt {}: offset {offset} past end ({len})",
                    path.display()
                ))
            })?;
        *byte ^= 0xff;
        Ok(())
    }

    /// Sets the length of `path`: cuts it (including synced data) or extends
    /// it with zeros (unsynced, like preallocated space).
    pub fn truncate(&self, path: &Path, len: u64) -> Result<()> {
        let mut s = self.state.lock();
        let id = s.inode_of("truncate", path)?;
        let inode = s.inodes.get_mut(&id).ok_or_else(|| not_found("truncate", path))?;
        let len = usize::try_from(len).map_err(|_| Error::InvalidArgument(format!("length {len}")))?;
        inode.data.resize(len, 0);
        inode.synced_len = inode.synced_len.min(len);
        Ok(())
    }

    /// Current (live) contents of `path`, synced or not.
    pub fn file_contents(&self, path: &Path) -> Option<Vec<u8>> {
        let s = self.state.lock();
        s.live
            .get(path)
            .and_then(|id| s.inodes.get(id))
            .map(|i| i.data.clone())
    }

    /// Every live file, sorted.
    pub fn list(&self) -> Vec<PathBuf> {
        self.state.lock().live.keys().cloned().collect()
    }

    /// Locks the state for operation `op` on `paths`: fails if this is a
    /// dead process's view, then applies the injected faults.
    fn op(&self, what: &str, op: Op, paths: &[&Path]) -> Result<parking_lot::MutexGuard<'_, State>> {
        let mut s = self.state.lock();
        if self.process.is_some_and(|g| g != s.generation) {
            return Err(dead_process(what, paths[0]));
        }
        s.check(what, op, paths)?;
        Ok(s)
    }

    fn handle(&self, path: &Path, inode: u64) -> Handle {
        Handle {
            state: self.state.clone(),
            path: path.to_path_buf(),
            inode,
            generation: self.process.unwrap_or_else(|| self.state.lock().generation),
        }
    }
}

impl FileSystem for FaultFileSystem {
    fn create_dir_all(&self, path: &Path) -> Result<()> {
        let mut s = self.op("create directory", Op::Create, &[path])?;
        for dir in path.ancestors().filter(|d| !d.as_os_str().is_empty()) {
            if s.live.contains_key(dir) {
                return Err(Error::io(
                    format!("create directory {}", path.display()),
                    std::io::Error::new(std::io::ErrorKind::AlreadyExists, "a file is in the way"),
                ));
            }
            s.dirs.insert(dir.to_path_buf());
        }
        Ok(())
    }
    fn new_writable(&self, path: &Path) -> Result<Box<dyn WritableFile>> {
        let inode = {
            let mut s = self.op("create", Op::Create, &[path])?;
            s.require_dir("create", parent_of(path))?;
            let id = s.new_inode();
            s.live.insert(path.to_path_buf(), id);
            id
        };
        Ok(Box::new(FaultWritable {
            handle: self.handle(path, inode),
            size: 0,
        }))
    }
    fn reopen_writable(&self, path: &Path) -> Result<Box<dyn WritableFile>> {
        let (inode, size) = {
            let s = self.op("open for append", Op::Create, &[path])?;
            let id = s.inode_of("open for append", path)?;
            (id, s.inodes.get(&id).map_or(0, |i| i.data.len() as u64))
        };
        Ok(Box::new(FaultWritable {
            handle: self.handle(path, inode),
            size,
        }))
    }
    fn open_random_access(&self, path: &Path) -> Result<Arc<dyn RandomAccessFile>> {
        let (inode, size) = {
            let s = self.op("open", Op::OpenRead, &[path])?;
            let id = s.inode_of("open", path)?;
            (id, s.inodes.get(&id).map_or(0, |i| i.data.len() as u64))
        };
        Ok(Arc::new(FaultRandomAccess {
            handle: self.handle(path, inode),
            size,
        }))
    }
    fn open_sequential(&self, path: &Path) -> Result<Box<dyn SequentialFile>> {
        let inode = self.op("open", Op::OpenRead, &[path])?.inode_of("open", path)?;
        Ok(Box::new(FaultSequential {
            handle: self.handle(path, inode),
            pos: 0,
        }))
    }
    fn exists(&self, path: &Path) -> bool {
        let s = self.state.lock();
        s.live.contains_key(path) || s.dirs.contains(path)
    }
    fn remove_file(&self, path: &Path) -> Result<()> {
        let mut s = self.op("remove", Op::Remove, &[path])?;
        s.live
            .remove(path)
            .map(|_| ())
            .ok_or_else(|| not_found("remove", path))
    }
    fn rename(&self, from: &Path, to: &Path) -> Result<()> {
        let mut s = self.op("rename", Op::Rename, &[from, to])?;
        s.require_dir("rename", parent_of(to))?;
        let id = s.live.remove(from).ok_or_else(|| not_found("rename", from))?;
        s.live.insert(to.to_path_buf(), id);
        Ok(())
    }
    fn list_dir(&self, path: &Path) -> Result<Vec<String>> {
        let s = self.op("list", Op::Stat, &[path])?;
        if !s.dirs.contains(path) {
            return Err(not_found("list", path));
        }
        let files = s.live.keys().map(PathBuf::as_path);
        let dirs = s.dirs.iter().map(PathBuf::as_path);
        let mut names: Vec<String> = files
            .chain(dirs)
            .filter(|p| p.parent() == Some(path))
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        names.sort();
        Ok(names)
    }
    fn file_size(&self, path: &Path) -> Result<u64> {
        let s = self.op("stat", Op::Stat, &[path])?;
        let id = s.inode_of("stat", path)?;
        Ok(s.inodes.get(&id).map_or(0, |i| i.data.len() as u64))
    }
    fn sync_dir(&self, path: &Path) -> Result<()> {
        let mut s = self.op("fsync directory", Op::SyncDir, &[path])?;
        s.require_dir("fsync directory", path)?;
        let State { live, durable, .. } = &mut *s;
        durable.retain(|p, _| parent_of(p) != path);
        for (p, id) in live.iter().filter(|(p, _)| parent_of(p) == path) {
            durable.insert(p.clone(), *id);
        }
        Ok(())
    }
    fn lock_file(&self, path: &Path) -> Result<Box<dyn FileLock>> {
        let mut s = self.op("lock", Op::Create, &[path])?;
        if s.locks.contains_key(path) {
            return Err(Error::Busy(format!(
                "{} is locked: another Db in this process has this database open",
                path.display()
            )));
        }
        if !s.live.contains_key(path) {
            s.require_dir("lock", parent_of(path))?;
            let id = s.new_inode();
            s.live.insert(path.to_path_buf(), id);
        }
        s.next_lock += 1;
        let id = s.next_lock;
        s.locks.insert(path.to_path_buf(), id);
        Ok(Box::new(FaultLock {
            state: self.state.clone(),
            path: path.to_path_buf(),
            id,
        }))
    }
}
