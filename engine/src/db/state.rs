//! The mutable state behind `DbInner::state`, and the super version readers use.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, OnceLock};

use super::DbInner;
use crate::cache::TableCache;
use crate::error::{Error, Result};
use crate::iter::fragmenter::FragmentedTombstones;
use crate::iter::level::LevelFile;
use crate::memtable::MemTable;
use crate::version::Version;

/// What one read needs, swapped as a unit: the active memtable, the
/// immutable ones (newest first) and the current version.
pub(crate) struct SuperVersion {
    pub(crate) mem: Arc<MemTable>,
    pub(crate) imm: Vec<Arc<MemTable>>,
    pub(crate) version: Arc<Version>,
    /// Each level's files as iterators need them, built once per version
    /// (index = level; L0 is empty: its files are iterated one by one).
    pub(crate) level_files: Vec<Arc<[LevelFile]>>,
    /// The range tombstones of everything but the active memtable, built
    /// on first use by [`SuperVersion::frozen_tombstones`]. Never stale:
    /// immutable memtables and tables do not change, and any change of
    /// which ones exist installs a new super version.
    pub(crate) frozen_tombstones: OnceLock<Arc<FragmentedTombstones>>,
}

impl SuperVersion {
    /// A super version over these sources (tombstones not built yet).
    pub(crate) fn new(
        mem: Arc<MemTable>,
        imm: Vec<Arc<MemTable>>,
        version: Arc<Version>,
        level_files: Vec<Arc<[LevelFile]>>,
    ) -> Self {
        SuperVersion {
            mem,
            imm,
            version,
            level_files,
            frozen_tombstones: OnceLock::new(),
        }
    }

    /// The range tombstones of the immutable memtables and of every table of
    /// the version, fragmented once and shared by every iterator of this
    /// super version (the active memtable caches its own set). An error
    /// opening a table is returned and nothing is cached.
    pub(crate) fn frozen_tombstones(&self, tables: &TableCache) -> Result<Arc<FragmentedTombstones>> {
        if let Some(f) = self.frozen_tombstones.get() {
            return Ok(Arc::clone(f));
        }
        let mut all = Vec::new();
        for m in self.imm.iter().filter(|m| m.has_range_tombstones()) {
            all.extend(m.raw_range_tombstones());
        }
        for level in 0..self.version.num_levels() {
            for f in self
                .version
                .files(level)
                .iter()
                .filter(|f| f.num_range_deletions > 0)
            {
                all.extend(tables.get(f.number)?.range_tombstones().iter().cloned());
            }
        }
        let built = Arc::new(FragmentedTombstones::new(all));
        // A racing builder may have won; both built the same set.
        Ok(Arc::clone(self.frozen_tombstones.get_or_init(|| built)))
    }

    /// The level file lists of `version`.
    pub(crate) fn level_files_of(version: &Version) -> Vec<Arc<[LevelFile]>> {
        (0..version.num_levels())
            .map(|level| {
                if level == 0 {
                    return Arc::from(Vec::new());
                }
                version
                    .files(level)
                    .iter()
                    .map(|f| LevelFile {
                        number: f.number,
                        smallest: f.smallest.encoded().to_vec(),
                        largest: f.largest.encoded().to_vec(),
                    })
                    .collect()
            })
            .collect()
    }
}

/// State guarded by `DbInner::state`.
pub(crate) struct DbState {
    /// The memtable taking writes.
    pub(crate) mem: Arc<MemTable>,
    /// Full memtables waiting for flush, oldest first.
    pub(crate) imm: VecDeque<Arc<MemTable>>,
    /// First background failure; the database refuses writes after it.
    pub(crate) bg_error: Option<Error>,
    /// A flush job is running (flushes run one at a time, oldest first).
    pub(crate) flush_running: bool,
    /// Compactions running now.
    pub(crate) compactions_running: usize,
    /// Files that are inputs of a running compaction.
    pub(crate) compacting: HashSet<u64>,
    /// (output level, smallest, largest user key) of each running compaction.
    pub(crate) running_outputs: Vec<(usize, Vec<u8>, Vec<u8>)>,
    /// Pending compaction bytes of the current version (for write stalls).
    pub(crate) pending_compaction_bytes: u64,
    /// L0 file count of the current version (for write stalls).
    pub(crate) l0_files: usize,
    /// Bytes written while slowed down and not yet paid for by a pacing sleep.
    pub(crate) slowdown_debt: u64,
    /// File numbers allocated to running jobs and not yet installed.
    pub(crate) pending_outputs: HashSet<u64>,
    /// Files named by a version edit whose MANIFEST write failed: the record
    /// may be durable, so they are never deleted while this process runs
    /// (the next open decides: live if the record replays, orphan if not).
    pub(crate) quarantined: HashSet<u64>,
    /// A manual compaction owns the LSM; automatic picks pause.
    pub(crate) manual_compaction: bool,
    /// Manual compactions waiting to own the LSM; automatic picks pause
    /// while any waits, so running ones drain and the wait ends.
    pub(crate) manual_waiting: usize,
    /// A file nominated by read sampling: (level, file number).
    pub(crate) read_nominated: Option<(usize, u64)>,
    /// Set first by close: stalled writers, `flush()` and compaction waits
    /// and manual compactions give up with `Closed`; no compaction starts
    /// (flushes still run, so close can flush unlogged writes).
    pub(crate) closing: bool,
    /// Set last by close: workers exit.
    pub(crate) shutting_down: bool,
}

impl DbState {
    pub(crate) fn new(mem: Arc<MemTable>) -> Self {
        DbState {
            mem,
            imm: VecDeque::new(),
            bg_error: None,
            flush_running: false,
            compactions_running: 0,
            compacting: HashSet::new(),
            running_outputs: Vec::new(),
            pending_compaction_bytes: 0,
            l0_files: 0,
            slowdown_debt: 0,
            pending_outputs: HashSet::new(),
            quarantined: HashSet::new(),
            manual_compaction: false,
            manual_waiting: 0,
            read_nominated: None,
            closing: false,
            shutting_down: false,
        }
    }
}

impl DbInner {
    /// Publishes a new super version from the state (call with the state lock held).
    /// REQUIRES: `state` held (it is `st`); takes `super_version` for writing.
    pub(crate) fn install_super_version(&self, st: &mut DbState) {
        let version = self.versions.current();
        let old = self.current_super_version();
        st.l0_files = version.files(0).len();
        let level_files = if Arc::ptr_eq(&version, &old.version) {
            old.level_files.clone()
        } else {
            // Invariant builds: every installed version keeps levels >= 1
            // sorted and non-overlapping, and no file twice.
            #[cfg(feature = "paranoid-invariants")]
            if let Err(e) = version.check_invariants() {
                panic!("installed version breaks LSM invariants: {e}");
            }
            st.pending_compaction_bytes =
                crate::compaction::pending_compaction_bytes(&version, &self.picker_config);
            SuperVersion::level_files_of(&version)
        };
        let sv = SuperVersion::new(
            Arc::clone(&st.mem),
            st.imm.iter().rev().cloned().collect(),
            version,
            level_files,
        );
        *self.super_version.write() = Arc::new(sv);
    }

    /// The super version for a read.
    pub(crate) fn current_super_version(&self) -> Arc<SuperVersion> {
        Arc::clone(&self.super_version.read())
    }

    /// Records a background failure and wakes everyone waiting on progress.
    /// REQUIRES: `state` held (it is `st`).
    pub(crate) fn set_background_error(&self, st: &mut DbState, err: Error) {
        if st.bg_error.is_none() {
            st.bg_error = Some(Error::background(err));
        }
        self.done_cv.notify_all();
    }
}
