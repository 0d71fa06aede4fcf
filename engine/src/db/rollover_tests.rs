//! Issue 7, defect 1's second path: a MANIFEST rollover in which CURRENT
//! was renamed to name the new MANIFEST and then the directory sync failed.
//! Whether CURRENT names the new MANIFEST after a power loss is unknown, so
//! the edit's durability is unknown: the edit's new table and the new
//! MANIFEST must stay on disk, the error is sticky, and a reopen on a
//! healthy file system (after a plain close, or after a power loss) holds
//! every acknowledged write. A unit test because a rollover needs a full
//! MANIFEST (64 MiB) unless `VersionSet::set_max_manifest_size` shrinks it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};

use super::Db;
use crate::error::{Error, Result};
use crate::fs::fault::FaultFileSystem;
use crate::fs::{FileLock, FileSystem, RandomAccessFile, SequentialFile, WritableFile};
use crate::options::{Options, WriteOptions};

/// A fault file system whose first directory sync after a rename onto
/// CURRENT fails (once armed): the rename itself happened.
#[derive(Debug)]
struct CurrentDirSyncFails {
    inner: FaultFileSystem,
    armed: AtomicBool,
    current_renamed: AtomicBool,
    failed: AtomicBool,
}

impl FileSystem for CurrentDirSyncFails {
    fn create_dir_all(&self, path: &Path) -> Result<()> {
        self.inner.create_dir_all(path)
    }
    fn new_writable(&self, path: &Path) -> Result<Box<dyn WritableFile>> {
        self.inner.new_writable(path)
    }
    fn reopen_writable(&self, path: &Path) -> Result<Box<dyn WritableFile>> {
        self.inner.reopen_writable(path)
    }
    fn open_random_access(&self, path: &Path) -> Result<Arc<dyn RandomAccessFile>> {
        self.inner.open_random_access(path)
    }
    fn open_sequential(&self, path: &Path) -> Result<Box<dyn SequentialFile>> {
        self.inner.open_sequential(path)
    }
    fn exists(&self, path: &Path) -> bool {
        self.inner.exists(path)
    }
    fn remove_file(&self, path: &Path) -> Result<()> {
        self.inner.remove_file(path)
    }
    fn rename(&self, from: &Path, to: &Path) -> Result<()> {
        self.inner.rename(from, to)?;
        if self.armed.load(SeqCst) && to.file_name().is_some_and(|n| n == "CURRENT") {
            self.current_renamed.store(true, SeqCst);
        }
        Ok(())
    }
    fn list_dir(&self, path: &Path) -> Result<Vec<String>> {
        self.inner.list_dir(path)
    }
    fn file_size(&self, path: &Path) -> Result<u64> {
        self.inner.file_size(path)
    }
    fn sync_dir(&self, path: &Path) -> Result<()> {
        if self.current_renamed.swap(false, SeqCst) && self.armed.swap(false, SeqCst) {
            self.failed.store(true, SeqCst);
            return Err(Error::io(
                format!("fsync directory {}", path.display()),
                std::io::Error::other("injected after the CURRENT rename"),
            ));
        }
        self.inner.sync_dir(path)
    }
    fn lock_file(&self, path: &Path) -> Result<Box<dyn FileLock>> {
        self.inner.lock_file(path)
    }
}

fn names(fs: &FaultFileSystem, suffix_or_prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = fs
        .list_dir(Path::new("/db"))
        .expect("list")
        .into_iter()
        .filter(|n| n.ends_with(suffix_or_prefix) || n.starts_with(suffix_or_prefix))
        .collect();
    v.sort();
    v
}

/// Writes synced keys, then makes the next flush's MANIFEST edit roll over
/// with the failing directory sync. Returns the acknowledged writes and the
/// table files left on disk once the database is closed.
fn fail_a_rollover(disk: &FaultFileSystem) -> (BTreeMap<Vec<u8>, Vec<u8>>, Vec<String>) {
    let fs = Arc::new(CurrentDirSyncFails {
        inner: disk.process_view(),
        armed: AtomicBool::new(false),
        current_renamed: AtomicBool::new(false),
        failed: AtomicBool::new(false),
    });
    let options = Options {
        file_system: Some(fs.clone()),
        l0_compaction_trigger: 100,
        l0_slowdown_trigger: 100,
        l0_stop_trigger: 100,
        ..Default::default()
    };
    let sync = WriteOptions {
        sync: true,
        ..Default::default()
    };
    let db = Db::open("/db", options).expect("open");
    let mut model = BTreeMap::new();
    let mut put = |db: &Db, i: u32| {
        let (k, v) = (
            format!("key{i:05}").into_bytes(),
            format!("value{i}").into_bytes(),
        );
        let mut b = crate::batch::WriteBatch::new();
        b.put(&k, &v);
        db.write(b, &sync).expect("acknowledged put");
        model.insert(k, v);
    };
    for i in 0..200 {
        put(&db, i);
    }
    db.flush().expect("flush before the fault");
    for i in 200..400 {
        put(&db, i);
    }
    db.inner.versions.set_max_manifest_size(1);
    fs.armed.store(true, SeqCst);
    let manifests_before = names(disk, "MANIFEST-");
    let err = db
        .flush()
        .expect_err("the directory sync after the CURRENT rename fails");
    assert!(fs.failed.load(SeqCst), "the fault fired: {err}");
    let after = names(disk, "MANIFEST-");
    assert_eq!(
        after.len(),
        2,
        "old and new MANIFEST both kept: {manifests_before:?} -> {after:?}"
    );
    let tables_at_failure = names(disk, ".sst");
    assert!(
        db.put(b"later", b"write").is_err(),
        "the background error is sticky"
    );
    let _ = db.close();
    drop(db);
    let tables = names(disk, ".sst");
    assert_eq!(
        tables, tables_at_failure,
        "close deleted none of the tables (quarantine)"
    );
    assert_eq!(names(disk, "MANIFEST-"), after, "close deleted no MANIFEST");
    (model, tables)
}

fn assert_holds(disk: &FaultFileSystem, model: &BTreeMap<Vec<u8>, Vec<u8>>, what: &str) {
    let options = Options {
        file_system: Some(Arc::new(disk.process_view())),
        ..Default::default()
    };
    let db = Db::open("/db", options).unwrap_or_else(|e| panic!("{what}: reopen: {e}"));
    for (k, v) in model {
        assert_eq!(db.get(k).expect("get").as_ref(), Some(v), "{what}: key {k:?}");
    }
    db.close().expect("close");
}

#[test]
fn failed_dir_sync_after_current_rename_loses_nothing() {
    let disk = FaultFileSystem::new();
    let (model, tables) = fail_a_rollover(&disk);
    assert!(!tables.is_empty());
    assert_holds(&disk, &model, "reopen after close");
    // Reopen again: the first reopen's orphan cleanup removed nothing needed.
    assert_holds(&disk, &model, "second reopen");
}

#[test]
fn failed_dir_sync_after_current_rename_then_power_loss_loses_nothing() {
    let disk = FaultFileSystem::new();
    let (model, _) = fail_a_rollover(&disk);
    // The rename was not made durable: after power loss CURRENT may name the
    // old MANIFEST again, which must still exist, with the WAL it needs.
    disk.crash();
    assert_holds(&disk, &model, "reopen after power loss");
}
