//! Test-only hooks: code a unit test runs at a chosen point inside an
//! operation, to hit a race window deterministically instead of hoping a
//! thread interleaving happens.

use std::sync::Arc;

use parking_lot::Mutex;

use super::DbInner;

/// A hook: runs on the thread doing the operation.
pub(crate) type Hook = Arc<dyn Fn(&DbInner) + Send + Sync>;

/// The hooks of one database (none set by default).
#[derive(Default)]
pub(crate) struct Hooks {
    /// Between the two captures of a read: the super version and the
    /// sequence (`get`, `iter`), or inside `snapshot()` before its sequence
    /// is read. Runs once, then is cleared.
    pub(crate) read_window: Mutex<Option<Hook>>,
    /// In `close`, right after the write queue drained (where a writer that
    /// passed its open check before close could still slip in). Runs once.
    pub(crate) close_drained: Mutex<Option<Hook>>,
    /// At the start of every automatic (not manual) compaction, on its
    /// worker thread, before anything is read. Stays set.
    pub(crate) compaction_start: Mutex<Option<Hook>>,
    /// At the start of every memtable flush, on its thread, before the
    /// table is built. Stays set.
    pub(crate) flush_start: Mutex<Option<Hook>>,
}

impl Hooks {
    /// Runs (and clears) the read-window hook, if one is set.
    pub(crate) fn fire_read_window(&self, db: &DbInner) {
        let hook = self.read_window.lock().take();
        if let Some(hook) = hook {
            hook(db);
        }
    }

    /// Runs the compaction-start hook, if one is set.
    pub(crate) fn fire_compaction_start(&self, db: &DbInner) {
        let hook = self.compaction_start.lock().clone();
        if let Some(hook) = hook {
            hook(db);
        }
    }

    /// Runs the flush-start hook, if one is set.
    pub(crate) fn fire_flush_start(&self, db: &DbInner) {
        let hook = self.flush_start.lock().clone();
        if let Some(hook) = hook {
            hook(db);
        }
    }

    /// Runs (and clears) the close-drained hook, if one is set.
    pub(crate) fn fire_close_drained(&self, db: &DbInner) {
        let hook = self.close_drained.lock().take();
        if let Some(hook) = hook {
            hook(db);
        }
    }
}
