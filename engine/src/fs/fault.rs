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
//!   `exists` never fails.

mod handles;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;

use self::handles::{FaultLock, FaultRandomAccess, FaultSequential, FaultWritable, Handle};
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
}

/// What an operation does, for matching against faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpKind {
    Write,
    Sync,
    Read,
}

#[derive(Default)]
struct Inode {
    data: Vec<u8>,
    synced_len: usize,
}

#[derive(Default)]
struct State {
    inodes: HashMap<u64, Inode>,
    next_inode: u64,
    live: BTreeMap<PathBuf, u64>,
    durable: BTreeMap<PathBuf, u64>,
    dirs: BTreeSet<PathBuf>,
    /// Held locks: path -> lock id.
    locks: HashMap<PathBuf, u64>,
    next_lock: u64,
    /// Bumped by every crash; handles from an older generation are dead.
    generation: u64,
    faults: Vec<Fault>,
    /// Remaining operations before `FailAfterOps` trips.
    ops_left: Option<u64>,
}

fn parent_of(path: &Path) -> &Path {
    path.parent().unwrap_or_else(|| Path::new(""))
}

fn not_found(op: &str, path: &Path) -> Error {
    Error::io(
        format!("{op} {}", path.display()),
        std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
    )
}

impl State {
    /// Applies the injected faults to one operation on `paths`.
    fn check(&mut self, op: &str, kind: OpKind, paths: &[&Path]) -> Result<()> {
        let context = || {
            let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            format!("{op} {}", names.join(" -> "))
        };
        let injected = |what: String| {
            Error::io(
                context(),
                std::io::Error::other(format!("injected fault: {what}")),
            )
        };
        if let Some(left) = self.ops_left.as_mut() {
            if *left == 0 {
                return Err(injected("operation after FailAfterOps limit".into()));
            }
            *left -= 1;
        }
        for f in &self.faults {
            let hit = match f {
                Fault::FailWrites => kind == OpKind::Write,
                Fault::FailSyncs => kind == OpKind::Sync,
                Fault::FailReads => kind == OpKind::Read,
                Fault::FailAfterOps(_) => false,
                Fault::FailPathContains(s) => paths.iter().any(|p| p.to_string_lossy().contains(s.as_str())),
            };
            if hit {
                return Err(injected(format!("{f:?}")));
            }
        }
        Ok(())
    }

    fn inode_of(&self, op: &str, path: &Path) -> Result<u64> {
        self.live.get(path).copied().ok_or_else(|| not_found(op, path))
    }

    fn require_dir(&self, op: &str, dir: &Path) -> Result<()> {
        if dir.as_os_str().is_empty() || self.dirs.contains(dir) {
            Ok(())
        } else {
            Err(not_found(op, dir))
        }
    }

    fn new_inode(&mut self) -> u64 {
        self.next_inode += 1;
        self.inodes.insert(self.next_inode, Inode::default());
        self.next_inode
    }
}

/// In-memory file system with simulated crashes and injected faults.
/// Clones share one state, so a test keeps a clone while the engine uses
/// another (through `Options::file_system`).
#[derive(Clone, Default)]
pub struct FaultFileSystem {
    state: Arc<Mutex<State>>,
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
        let mut s = self.state.lock();
        s.generation += 1;
        s.live = s.durable.clone();
        s.locks.clear();
        let State { inodes, live, .. } = &mut *s;
        inodes.retain(|id, _| live.values().any(|v| v == id));
        for inode in inodes.values_mut() {
            inode.data.truncate(inode.synced_len);
        }
    }

    /// Starts injecting `fault` (in addition to those already injected).
    pub fn inject(&self, fault: Fault) {
        let mut s = self.state.lock();
        if let Fault::FailAfterOps(n) = fault {
            s.ops_left = Some(n);
        }
        s.faults.push(fault);
    }

    /// Stops injecting every fault.
    pub fn clear_faults(&self) {
        let mut s = self.state.lock();
        s.faults.clear();
        s.ops_left = None;
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

    fn op(&self, op: &str, kind: OpKind, path: &Path) -> Result<parking_lot::MutexGuard<'_, State>> {
        let mut s = self.state.lock();
        s.check(op, kind, &[path])?;
        Ok(s)
    }

    fn handle(&self, path: &Path, inode: u64) -> Handle {
        Handle {
            state: self.state.clone(),
            path: path.to_path_buf(),
            inode,
            generation: self.state.lock().generation,
        }
    }
}

impl FileSystem for FaultFileSystem {
    fn create_dir_all(&self, path: &Path) -> Result<()> {
        let mut s = self.op("create directory", OpKind::Write, path)?;
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
            let mut s = self.op("create", OpKind::Write, path)?;
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
            let s = self.op("open for append", OpKind::Write, path)?;
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
            let s = self.op("open", OpKind::Read, path)?;
            let id = s.inode_of("open", path)?;
            (id, s.inodes.get(&id).map_or(0, |i| i.data.len() as u64))
        };
        Ok(Arc::new(FaultRandomAccess {
            handle: self.handle(path, inode),
            size,
        }))
    }
    fn open_sequential(&self, path: &Path) -> Result<Box<dyn SequentialFile>> {
        let inode = self.op("open", OpKind::Read, path)?.inode_of("open", path)?;
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
        let mut s = self.op("remove", OpKind::Write, path)?;
        s.live
            .remove(path)
            .map(|_| ())
            .ok_or_else(|| not_found("remove", path))
    }
    fn rename(&self, from: &Path, to: &Path) -> Result<()> {
        let mut s = self.state.lock();
        s.check("rename", OpKind::Write, &[from, to])?;
        s.require_dir("rename", parent_of(to))?;
        let id = s.live.remove(from).ok_or_else(|| not_found("rename", from))?;
        s.live.insert(to.to_path_buf(), id);
        Ok(())
    }
    fn list_dir(&self, path: &Path) -> Result<Vec<String>> {
        let s = self.op("list", OpKind::Read, path)?;
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
        let s = self.op("stat", OpKind::Read, path)?;
        let id = s.inode_of("stat", path)?;
        Ok(s.inodes.get(&id).map_or(0, |i| i.data.len() as u64))
    }
    fn sync_dir(&self, path: &Path) -> Result<()> {
        let mut s = self.op("fsync directory", OpKind::Sync, path)?;
        s.require_dir("fsync directory", path)?;
        let State { live, durable, .. } = &mut *s;
        durable.retain(|p, _| parent_of(p) != path);
        for (p, id) in live.iter().filter(|(p, _)| parent_of(p) == path) {
            durable.insert(p.clone(), *id);
        }
        Ok(())
    }
    fn lock_file(&self, path: &Path) -> Result<Box<dyn FileLock>> {
        let mut s = self.op("lock", OpKind::Write, path)?;
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
