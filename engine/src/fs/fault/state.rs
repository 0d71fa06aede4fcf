//! The shared state behind every clone of a
//! [`FaultFileSystem`](super::FaultFileSystem): inodes, the live and durable
//! namespaces, locks, and the fault check every fallible operation passes.
//!
//! Invariant: every fallible operation calls [`State::check`] exactly once,
//! with the state locked, before it changes anything; so counters, random
//! decisions and `CrashAfterOps` see operations in one total order.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::Fault;
use super::random::{FaultCounts, OpClass, RandomFaults};
use crate::error::{Error, Result};

/// One operation, as the fault check sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    /// Reading file data.
    Read,
    /// `list_dir`, `file_size`.
    Stat,
    /// Opening an existing file for reading.
    OpenRead,
    /// Creating or opening a file for writing, a lock file, a directory.
    Create,
    /// Appending to (or flushing) a writable file.
    Append,
    /// `sync` of a file.
    Sync,
    /// `sync_dir`.
    SyncDir,
    /// `rename`.
    Rename,
    /// `remove_file`.
    Remove,
}

impl Op {
    fn class(self) -> OpClass {
        match self {
            Op::Read | Op::Stat => OpClass::Read,
            Op::OpenRead | Op::Create => OpClass::Open,
            Op::Append => OpClass::Write,
            Op::Sync => OpClass::Sync,
            Op::SyncDir => OpClass::SyncDir,
            Op::Rename => OpClass::Rename,
            Op::Remove => OpClass::Remove,
        }
    }

    /// Matched by `Fault::FailWrites`: appends and namespace changes.
    fn writes(self) -> bool {
        matches!(self, Op::Create | Op::Append | Op::Rename | Op::Remove)
    }

    /// Matched by `Fault::FailSyncs`.
    fn syncs(self) -> bool {
        matches!(self, Op::Sync | Op::SyncDir)
    }

    /// Matched by `Fault::FailReads`.
    fn reads(self) -> bool {
        matches!(self, Op::Read | Op::Stat | Op::OpenRead)
    }
}

/// An injected failure: the error to return and, for a random fault, a hash
/// an append uses to decide how much of its data still lands.
pub(super) struct Injected {
    pub(super) error: Error,
    pub(super) random: Option<u64>,
}

impl From<Injected> for Error {
    fn from(i: Injected) -> Error {
        i.error
    }
}

#[derive(Default)]
pub(super) struct Inode {
    pub(super) data: Vec<u8>,
    pub(super) synced_len: usize,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) inodes: HashMap<u64, Inode>,
    pub(super) next_inode: u64,
    pub(super) live: BTreeMap<PathBuf, u64>,
    pub(super) durable: BTreeMap<PathBuf, u64>,
    pub(super) dirs: BTreeSet<PathBuf>,
    /// Held locks: path -> lock id.
    pub(super) locks: HashMap<PathBuf, u64>,
    pub(super) next_lock: u64,
    /// Bumped by every crash; handles and process views from an older
    /// generation are dead.
    pub(super) generation: u64,
    pub(super) faults: Vec<Fault>,
    /// Remaining operations before `FailAfterOps` trips.
    pub(super) ops_left: Option<u64>,
    /// Remaining operations before `CrashAfterOps` cuts the power.
    pub(super) crash_in: Option<u64>,
    /// Seeded probabilistic faults, if injected.
    pub(super) random: Option<RandomFaults>,
    pub(super) counts: FaultCounts,
}

pub(super) fn parent_of(path: &Path) -> &Path {
    path.parent().unwrap_or_else(|| Path::new(""))
}

pub(super) fn not_found(op: &str, path: &Path) -> Error {
    Error::io(
        format!("{op} {}", path.display()),
        std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
    )
}

/// The error of an operation attempted by a process that a crash killed.
pub(super) fn dead_process(op: &str, path: &Path) -> Error {
    Error::io(
        format!("{op} {}", path.display()),
        std::io::Error::other("simulated crash: the process that opened this is gone"),
    )
}

impl State {
    /// Applies the injected faults to one operation `op` on `paths`
    /// (described as `what` in errors), and counts it.
    pub(super) fn check(&mut self, what: &str, op: Op, paths: &[&Path]) -> std::result::Result<(), Injected> {
        let class = op.class();
        self.counts.operations[class.index()] += 1;
        let context = || {
            let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            format!("{what} {}", names.join(" -> "))
        };
        let injected = |detail: String, random: Option<u64>| Injected {
            error: Error::io(
                context(),
                std::io::Error::other(format!("injected fault: {detail}")),
            ),
            random,
        };
        if let Some(left) = self.crash_in.as_mut() {
            if *left == 0 {
                self.crash_in = None;
                self.crash();
                self.counts.injected[class.index()] += 1;
                return Err(injected("power loss (CrashAfterOps)".into(), None));
            }
            *left -= 1;
        }
        let mut hit: Option<(String, Option<u64>)> = None;
        if let Some(left) = self.ops_left.as_mut() {
            if *left == 0 {
                hit = Some(("operation after FailAfterOps limit".into(), None));
            } else {
                *left -= 1;
            }
        }
        if hit.is_none() {
            hit = self
                .faults
                .iter()
                .find(|f| match f {
                    Fault::FailWrites => op.writes(),
                    Fault::FailSyncs => op.syncs(),
                    Fault::FailReads => op.reads(),
                    Fault::FailAfterOps(_) | Fault::CrashAfterOps(_) => false,
                    Fault::FailPathContains(s) => {
                        paths.iter().any(|p| p.to_string_lossy().contains(s.as_str()))
                    }
                })
                .map(|f| (format!("{f:?}"), None));
        }
        if hit.is_none()
            && let Some(random) = self.random.as_mut()
            && let Some(h) = random.decide(class)
        {
            hit = Some((format!("random {} fault", class.name()), Some(h)));
        }
        match hit {
            None => Ok(()),
            Some((detail, random)) => {
                self.counts.injected[class.index()] += 1;
                Err(injected(detail, random))
            }
        }
    }

    /// Power loss: see the module documentation of `fault`.
    pub(super) fn crash(&mut self) {
        self.generation += 1;
        self.live = self.durable.clone();
        self.locks.clear();
        let State { inodes, live, .. } = self;
        inodes.retain(|id, _| live.values().any(|v| v == id));
        for inode in inodes.values_mut() {
            inode.data.truncate(inode.synced_len);
        }
    }

    pub(super) fn inode_of(&self, op: &str, path: &Path) -> Result<u64> {
        self.live.get(path).copied().ok_or_else(|| not_found(op, path))
    }

    pub(super) fn require_dir(&self, op: &str, dir: &Path) -> Result<()> {
        if dir.as_os_str().is_empty() || self.dirs.contains(dir) {
            Ok(())
        } else {
            Err(not_found(op, dir))
        }
    }

    pub(super) fn new_inode(&mut self) -> u64 {
        self.next_inode += 1;
        self.inodes.insert(self.next_inode, Inode::default());
        self.next_inode
    }
}
