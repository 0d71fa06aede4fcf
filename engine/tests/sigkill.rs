//! SIGKILL crash test with real processes: the test re-runs itself as a
//! child that writes (single puts, batches and range deletes, WAL without
//! fsync, tiny memtables so flushes and compactions are in flight) and prints
//! one line per acknowledged write; the parent kills it with SIGKILL at a
//! random moment, reopens the database and checks that every acknowledged
//! write is there and nothing was invented. A process crash (unlike power
//! loss) must lose nothing that was acknowledged, even without `sync`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lsmlab_engine::{Db, Options, WriteBatch, WriteOptions};

const CHILD_ENV: &str = "LSMLAB_SIGKILL_CHILD_DIR";
const KEYS: u64 = 500;

fn options() -> Options {
    Options {
        write_buffer_size: 16 << 10,
        target_file_size_base: 16 << 10,
        max_bytes_for_level_base: 64 << 10,
        l0_compaction_trigger: 2,
        num_levels: 4,
        max_subcompactions: 2,
        ..Default::default()
    }
}

fn key(i: u64) -> Vec<u8> {
    format!("key{:04}", i % KEYS).into_bytes()
}

fn value(i: u64) -> Vec<u8> {
    format!("value-{i:08}-{}", "x".repeat((i % 64) as usize)).into_bytes()
}

/// Write number `i` of the history: mostly puts, some batches of two puts,
/// every 97th a range delete of 5 keys. Applies it to `model` too.
fn apply(i: u64, db: Option<&Db>, model: &mut std::collections::BTreeMap<Vec<u8>, Vec<u8>>) {
    if i % 97 == 96 {
        let (a, b) = (key(i), key(i + 5));
        if a < b {
            if let Some(db) = db {
                db.delete_range(&a, &b).expect("delete_range");
            }
            let doomed: Vec<_> = model.range(a..b).map(|(k, _)| k.clone()).collect();
            for k in doomed {
                model.remove(&k);
            }
        }
    } else if i.is_multiple_of(13) {
        let (k2, v2) = (key(i * 7 + 3), value(i + 1_000_000));
        if let Some(db) = db {
            let mut b = WriteBatch::new();
            b.put(&key(i), &value(i));
            b.put(&k2, &v2);
            db.write(b, &WriteOptions::default()).expect("write");
        }
        model.insert(key(i), value(i));
        model.insert(k2, v2);
    } else {
        if let Some(db) = db {
            db.put(&key(i), &value(i)).expect("put");
        }
        model.insert(key(i), value(i));
    }
}

/// The child: reopen, continue the history from where the database is, and
/// report each acknowledged write on stdout.
fn child(dir: &Path) {
    let db = Db::open(dir, options()).expect("child open");
    let start: u64 = db
        .get(b"~next")
        .expect("get")
        .map_or(0, |v| String::from_utf8_lossy(&v).parse().expect("counter"));
    let mut ignored = std::collections::BTreeMap::new();
    for i in start.. {
        apply(i, Some(&db), &mut ignored);
        db.put(b"~next", (i + 1).to_string().as_bytes()).expect("counter");
        println!("ack {i}");
    }
}

#[test]
fn sigkill_never_loses_an_acknowledged_write() {
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        child(Path::new(&dir));
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = std::env::current_exe().expect("test binary");
    let mut acked: Option<u64> = None;
    for (round, kill_after_ms) in [30u64, 120, 5, 250, 60, 400].into_iter().enumerate() {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "sigkill_never_loses_an_acknowledged_write",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        let stdout = child.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            let mut last = None;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(n) = line.strip_prefix("ack ") {
                    last = n.trim().parse::<u64>().ok();
                }
            }
            last
        });
        // Let it get going (past its open), then kill it mid-write.
        let deadline = Instant::now() + Duration::from_millis(kill_after_ms + 200);
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        if let Some(n) = reader.join().expect("reader") {
            acked = Some(n);
        }

        let db = Db::open(dir.path(), options()).expect("reopen after SIGKILL");
        let next: u64 = db
            .get(b"~next")
            .expect("get")
            .map_or(0, |v| String::from_utf8_lossy(&v).parse().expect("counter"));
        let acked_next = acked.map_or(0, |n| n + 1);
        assert!(
            next >= acked_next,
            "round {round}: acknowledged {acked_next} writes but recovered {next}"
        );
        // The recovered state is exactly the first `next` writes, or the
        // first `next + 1` (write `next` landed, its counter update did not).
        let mut it = db.iter(&Default::default()).expect("iter");
        it.seek_to_first();
        let mut got = std::collections::BTreeMap::new();
        while it.valid() {
            if it.key() != b"~next" {
                got.insert(it.key().to_vec(), it.value().to_vec());
            }
            it.next();
        }
        it.status().expect("scan");
        let mut model = std::collections::BTreeMap::new();
        for i in 0..next {
            apply(i, None, &mut model);
        }
        let matches_next = got == model;
        apply(next, None, &mut model);
        assert!(
            matches_next || got == model,
            "round {round}: state after SIGKILL is neither the first {next} writes nor one more"
        );
        db.close().expect("close");
    }
    assert!(
        acked.is_some_and(|n| n > 100),
        "the child never got going: {acked:?}"
    );
}
