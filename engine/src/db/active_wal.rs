//! [`ActiveWal`]: the log the write leader appends to, and the older logs
//! written since the last sync whose memtables are not flushed yet.
//!
//! A memtable switch does not sync the old log (see
//! [`wal::predecessor`](crate::wal::predecessor)): it moves to `unsynced`,
//! and the new log starts with a predecessor record naming it and its final
//! length. Invariants:
//! - Before a `sync` write (or close) returns, every log in `unsynced` and
//!   then the active log are synced, so a synced write never sits behind a
//!   log that may lose its tail.
//! - A log leaves `unsynced` when synced or when obsolete (below the
//!   MANIFEST's log number: its writes are in synced tables); its file
//!   handle is closed then, so the kernel can drop the deleted file's dirty
//!   pages instead of writing them back.
//!
//! Lock order: `state` -> `wal` (a switch holds both); a write takes `wal` alone.

use super::DbInner;
use crate::error::Result;
use crate::filename;
use crate::wal::{LogWriter, Predecessor};

/// The active WAL, its number, older unsynced logs, and a buffer reused for
/// each group's record.
pub(crate) struct ActiveWal {
    pub(crate) writer: LogWriter,
    number: u64,
    unsynced: Vec<(u64, LogWriter)>,
    pub(crate) record: Vec<u8>,
}

impl ActiveWal {
    /// The WAL numbered `number`, written through `writer`.
    pub(crate) fn new(writer: LogWriter, number: u64) -> Self {
        ActiveWal {
            writer,
            number,
            unsynced: Vec::new(),
            record: Vec::with_capacity(4096),
        }
    }

    /// Syncs every unsynced older log, then the active one.
    pub(crate) fn sync_all(&mut self) -> Result<()> {
        for (_, w) in &mut self.unsynced {
            w.sync()?;
        }
        self.unsynced.clear();
        self.writer.sync()
    }

    /// Closes the older logs below `min_log` (obsolete: their writes are in
    /// tables the MANIFEST lists).
    /// `min_log` is only asked for when there are older logs.
    pub(crate) fn drop_obsolete(&mut self, min_log: impl FnOnce() -> u64) {
        if !self.unsynced.is_empty() {
            let min_log = min_log();
            self.unsynced.retain(|(n, _)| *n >= min_log);
        }
    }
}

/// Creates the next WAL, makes its directory entry durable, writes its
/// predecessor record and makes it active; returns its number. The old log
/// is flushed to the OS, not synced (module doc).
/// REQUIRES: the caller is the write leader and holds the state lock.
pub(crate) fn switch_wal(db: &DbInner) -> Result<u64> {
    let log_number = db.versions.new_file_number();
    let path = filename::log_file(&db.dir, log_number);
    let file = db.fs.new_writable(&path)?;
    db.fs.sync_dir(&db.dir)?;
    let mut wal = db.wal.lock();
    wal.writer.flush()?;
    let mut writer = LogWriter::new(file, path.display().to_string());
    let predecessor = Predecessor {
        log_number: wal.number,
        length: wal.writer.file_size(),
    };
    let n = writer.add_record(&predecessor.encode())?;
    writer.flush()?;
    db.counters
        .wal_bytes
        .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    let old = std::mem::replace(&mut wal.writer, writer);
    let old_number = std::mem::replace(&mut wal.number, log_number);
    wal.unsynced.push((old_number, old));
    wal.drop_obsolete(|| db.versions.log_number());
    Ok(log_number)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
    use std::time::Duration;

    use crate::db::Db;
    use crate::fs::fault::FaultFileSystem;
    use crate::options::{Options, WriteOptions};

    /// A sync write right after a switch, while the old log's memtable is
    /// still unflushed (its flush is held at its start), survives a power
    /// loss together with every write before it: the sync synced the old
    /// log too. Without that the old log would come back empty, replay
    /// would stop at it, and the synced write would be lost.
    #[test]
    fn a_sync_write_syncs_the_older_unflushed_log_first() {
        let fs = FaultFileSystem::new();
        let options = |fs: &FaultFileSystem| Options {
            file_system: Some(Arc::new(fs.process_view())),
            write_buffer_size: 4 << 10,
            ..Default::default()
        };
        let db = Db::open("/db", options(&fs)).expect("open");
        let hold = Arc::new(AtomicBool::new(true));
        let held = Arc::clone(&hold);
        *db.inner.hooks.flush_start.lock() = Some(Arc::new(move |_| {
            while held.load(SeqCst) {
                std::thread::sleep(Duration::from_millis(1));
            }
        }));
        let mut n = 0u32;
        while db.inner.state.lock().imm.is_empty() {
            db.put(format!("k{n:05}").as_bytes(), &[7; 100]).expect("put");
            n += 1;
        }
        let mut b = crate::batch::WriteBatch::new();
        b.put(b"synced", b"yes");
        db.write(
            b,
            &WriteOptions {
                sync: true,
                ..Default::default()
            },
        )
        .expect("sync write");
        fs.crash();
        hold.store(false, SeqCst);
        drop(db);

        let db = Db::open("/db", options(&fs)).expect("reopen");
        assert_eq!(db.get(b"synced").unwrap().as_deref(), Some(&b"yes"[..]));
        for i in 0..n {
            assert!(
                db.get(format!("k{i:05}").as_bytes()).unwrap().is_some(),
                "k{i:05} lost"
            );
        }
    }
}
