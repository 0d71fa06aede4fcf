//! What the defect tests share: a file system wrapper that fails or slows
//! chosen operations ([`FlakyFs`]), a watchdog for calls that used to hang,
//! and small data helpers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::time::Duration;

use parking_lot::Mutex;

use lsmlab_engine::error::{Error, Result};
use lsmlab_engine::fs::fault::FaultFileSystem;
use lsmlab_engine::fs::{FileLock, FileSystem, RandomAccessFile, SequentialFile, WritableFile};
use lsmlab_engine::{Db, Options};

/// Which operations a [`FlakyFs`] fails or slows right now.
#[derive(Debug, Default)]
pub struct Rules {
    /// `sync` fails on files whose path contains this (appends still succeed,
    /// so a record reaches the file and only its durability is unknown).
    pub fail_sync_of: Mutex<Option<String>>,
    /// Every `read_exact_at` of a table file sleeps this long (microseconds).
    pub table_read_delay_us: AtomicU64,
    /// Table-file reads done so far.
    pub table_reads: AtomicU64,
    /// `new_writable` fails for paths containing this.
    pub fail_create_of: Mutex<Option<String>>,
    /// Set: the next `sync_dir` fails (and clears it).
    pub fail_next_sync_dir: AtomicBool,
}

fn injected(what: &str, path: &Path) -> Error {
    Error::io(
        format!("{what} {}", path.display()),
        std::io::Error::other("injected by FlakyFs"),
    )
}

fn matches(rule: &Mutex<Option<String>>, path: &Path) -> bool {
    rule.lock()
        .as_deref()
        .is_some_and(|s| path.to_string_lossy().contains(s))
}

/// A [`FaultFileSystem`] with targeted failures and delays on top (see [`Rules`]).
#[derive(Debug, Clone)]
pub struct FlakyFs {
    /// The file system underneath (crash it, corrupt it, list it).
    pub inner: FaultFileSystem,
    /// What to fail or slow; change it at any time.
    pub rules: Arc<Rules>,
}

impl FlakyFs {
    /// A fresh in-memory file system with no rules armed.
    pub fn new() -> FlakyFs {
        FlakyFs {
            inner: FaultFileSystem::new(),
            rules: Arc::new(Rules::default()),
        }
    }

    /// Options using this file system, with tiny buffers and no automatic
    /// compaction (triggers far away) unless a test lowers them.
    pub fn options(&self) -> Options {
        Options {
            write_buffer_size: 64 << 10,
            target_file_size_base: 64 << 10,
            l0_compaction_trigger: 100,
            l0_slowdown_trigger: 200,
            l0_stop_trigger: 300,
            file_system: Some(Arc::new(self.clone())),
            ..Default::default()
        }
    }

    /// Disarms every rule.
    pub fn heal(&self) {
        *self.rules.fail_sync_of.lock() = None;
        *self.rules.fail_create_of.lock() = None;
        self.rules.table_read_delay_us.store(0, SeqCst);
        self.rules.fail_next_sync_dir.store(false, SeqCst);
    }
}

fn is_table(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "sst")
}

struct FlakyWritable {
    inner: Box<dyn WritableFile>,
    path: PathBuf,
    rules: Arc<Rules>,
}

impl WritableFile for FlakyWritable {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        self.inner.append(data)
    }
    fn flush(&mut self) -> Result<()> {
        self.inner.flush()
    }
    fn sync(&mut self) -> Result<()> {
        if matches(&self.rules.fail_sync_of, &self.path) {
            return Err(injected("sync", &self.path));
        }
        self.inner.sync()
    }
    fn size(&self) -> u64 {
        self.inner.size()
    }
}

struct FlakyRandom {
    inner: Arc<dyn RandomAccessFile>,
    table: bool,
    rules: Arc<Rules>,
}

impl RandomAccessFile for FlakyRandom {
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<()> {
        if self.table {
            self.rules.table_reads.fetch_add(1, SeqCst);
            let delay = self.rules.table_read_delay_us.load(SeqCst);
            if delay > 0 {
                std::thread::sleep(Duration::from_micros(delay));
            }
        }
        self.inner.read_exact_at(offset, buf)
    }
    fn size(&self) -> u64 {
        self.inner.size()
    }
}

impl FileSystem for FlakyFs {
    fn create_dir_all(&self, path: &Path) -> Result<()> {
        self.inner.create_dir_all(path)
    }
    fn new_writable(&self, path: &Path) -> Result<Box<dyn WritableFile>> {
        if matches(&self.rules.fail_create_of, path) {
            return Err(injected("create", path));
        }
        Ok(Box::new(FlakyWritable {
            inner: self.inner.new_writable(path)?,
            path: path.to_path_buf(),
            rules: Arc::clone(&self.rules),
        }))
    }
    fn reopen_writable(&self, path: &Path) -> Result<Box<dyn WritableFile>> {
        Ok(Box::new(FlakyWritable {
            inner: self.inner.reopen_writable(path)?,
            path: path.to_path_buf(),
            rules: Arc::clone(&self.rules),
        }))
    }
    fn open_random_access(&self, path: &Path) -> Result<Arc<dyn RandomAccessFile>> {
        Ok(Arc::new(FlakyRandom {
            inner: self.inner.open_random_access(path)?,
            table: is_table(path),
            rules: Arc::clone(&self.rules),
        }))
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
        self.inner.rename(from, to)
    }
    fn list_dir(&self, path: &Path) -> Result<Vec<String>> {
        self.inner.list_dir(path)
    }
    fn file_size(&self, path: &Path) -> Result<u64> {
        self.inner.file_size(path)
    }
    fn sync_dir(&self, path: &Path) -> Result<()> {
        if self.rules.fail_next_sync_dir.swap(false, SeqCst) {
            return Err(injected("fsync directory", path));
        }
        self.inner.sync_dir(path)
    }
    fn lock_file(&self, path: &Path) -> Result<Box<dyn FileLock>> {
        self.inner.lock_file(path)
    }
}

/// Runs `f` on its own thread and returns its result, or `None` if it has
/// not returned within `limit` (the thread is left behind: the test fails).
pub fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).ok()
}

/// The database directory every in-memory test uses.
pub const DIR: &str = "/db";

/// Key `i` of a test's key space.
pub fn key(i: u64) -> Vec<u8> {
    format!("key{i:06}").into_bytes()
}

/// The value written to key `i` in round `round`.
pub fn value(i: u64, round: u64) -> Vec<u8> {
    format!("value-{i}-{round}-{}", "x".repeat((i % 40) as usize)).into_bytes()
}

/// Writes keys `range` with `round`'s values, recording them in `model`.
pub fn put_range(db: &Db, range: std::ops::Range<u64>, round: u64, model: &mut BTreeMap<Vec<u8>, Vec<u8>>) {
    for i in range {
        db.put(&key(i), &value(i, round)).expect("put");
        model.insert(key(i), value(i, round));
    }
}

/// Every key and value, by a full scan (errors fail the test).
pub fn scan(db: &Db) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut it = db.iter(&Default::default()).expect("iter");
    it.seek_to_first();
    let mut m = BTreeMap::new();
    while it.valid() {
        m.insert(it.key().to_vec(), it.value().to_vec());
        it.next();
    }
    it.status().expect("scan");
    m
}

/// Checks every key of `model` with a point read and the whole database
/// with a scan.
pub fn assert_matches(db: &Db, model: &BTreeMap<Vec<u8>, Vec<u8>>, context: &str) {
    for (k, v) in model {
        let got = db
            .get(k)
            .unwrap_or_else(|e| panic!("{context}: get {:?}: {e}", String::from_utf8_lossy(k)));
        assert_eq!(
            got.as_deref(),
            Some(v.as_slice()),
            "{context}: key {:?}",
            String::from_utf8_lossy(k)
        );
    }
    assert_eq!(&scan(db), model, "{context}: scan differs from the model");
}
