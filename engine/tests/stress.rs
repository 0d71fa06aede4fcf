//! Multi-threaded stress: writers (puts, deletes, range deletes, batches),
//! snapshot readers, free readers and manual compactions run at once while
//! tiny buffers keep flushes and compactions running constantly.
//!
//! Oracle: each writer owns a key prefix and keeps an exact model of it.
//! A snapshot a writer takes between two of its own writes must show exactly
//! its model for its prefix, then and at any later time; at the end every
//! prefix must match its model, before and after reopening.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use lsmlab_engine::{CompressionType, Db, Options, ReadOptions, Snapshot, WriteBatch, WriteOptions};

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

fn options() -> Options {
    Options {
        write_buffer_size: 32 << 10,
        target_file_size_base: 16 << 10,
        max_bytes_for_level_base: 64 << 10,
        l0_compaction_trigger: 2,
        l0_slowdown_trigger: 8,
        l0_stop_trigger: 16,
        num_levels: 5,
        max_background_jobs: 3,
        max_subcompactions: 2,
        compression: CompressionType::Lz4,
        block_size: 1024,
        ..Default::default()
    }
}

fn key(w: usize, k: u64) -> Vec<u8> {
    format!("w{w}-{k:05}").into_bytes()
}

/// Values name their key, so a reader can tell a misplaced value from a right one.
fn value(key: &[u8], n: u64) -> Vec<u8> {
    let mut v = key.to_vec();
    v.extend_from_slice(format!("#{n}#").as_bytes());
    v.resize(v.len() + (n % 40) as usize, b'.');
    v
}

fn scan(db: &Db, ro: &ReadOptions) -> Model {
    let mut it = db.iter(ro).expect("iter");
    it.seek_to_first();
    let mut m = Model::new();
    while it.valid() {
        m.insert(it.key().to_vec(), it.value().to_vec());
        it.next();
    }
    it.status().expect("scan status");
    m
}

fn prefix_bounds(w: usize) -> (Vec<u8>, Vec<u8>) {
    (format!("w{w}-").into_bytes(), format!("w{w}.").into_bytes())
}

fn writer(db: &Db, w: usize, ops: u64, seed: u64) -> Model {
    let mut model = Model::new();
    let mut snaps: Vec<(Snapshot, Model)> = Vec::new();
    let mut x = seed;
    let mut rnd = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let (lo, hi) = prefix_bounds(w);
    for n in 0..ops {
        let k = rnd(300);
        match rnd(100) {
            0..=59 => {
                let kk = key(w, k);
                let v = value(&kk, n);
                db.put(&kk, &v).expect("put");
                model.insert(kk, v);
            }
            60..=74 => {
                db.delete(&key(w, k)).expect("delete");
                model.remove(&key(w, k));
            }
            75..=79 => {
                let end = k + 1 + rnd(20);
                db.delete_range(&key(w, k), &key(w, end)).expect("delete_range");
                let doomed: Vec<_> = model
                    .range(key(w, k)..key(w, end))
                    .map(|(k, _)| k.clone())
                    .collect();
                for d in doomed {
                    model.remove(&d);
                }
            }
            80..=89 => {
                let mut b = WriteBatch::new();
                for j in 0..5 {
                    let kk = key(w, (k + j * 7) % 300);
                    let v = value(&kk, n);
                    b.put(&kk, &v);
                    model.insert(kk, v);
                }
                db.write(b, &WriteOptions::default()).expect("write");
            }
            90..=93 => {
                if snaps.len() < 6 {
                    snaps.push((db.snapshot(), model.clone()));
                } else {
                    snaps.remove(0);
                }
            }
            _ => {
                for (snap, expected) in &snaps {
                    let ro = ReadOptions {
                        snapshot: Some(snap.clone()),
                        lower_bound: Some(lo.clone()),
                        upper_bound: Some(hi.clone()),
                        ..Default::default()
                    };
                    assert_eq!(&scan(db, &ro), expected, "writer {w}: snapshot view changed");
                    let probe = key(w, rnd(300));
                    assert_eq!(
                        db.get_with(&probe, &ro).expect("get"),
                        expected.get(&probe).cloned()
                    );
                }
                let probe = key(w, k);
                assert_eq!(
                    db.get(&probe).expect("get"),
                    model.get(&probe).cloned(),
                    "writer {w}: own read"
                );
            }
        }
    }
    model
}

#[test]
fn concurrent_writers_readers_snapshots_and_compactions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Arc::new(Db::open(dir.path(), options()).expect("open"));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let db = Arc::clone(&db);
            thread::spawn(move || writer(&db, w, 6000, 0x9e37_79b9 + w as u64))
        })
        .collect();
    let readers: Vec<_> = (0..2)
        .map(|r| {
            let db = Arc::clone(&db);
            let stop = Arc::clone(&stop);
            thread::spawn(move || {
                let mut checked = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let m = scan(&db, &ReadOptions::default());
                    for (k, v) in &m {
                        assert!(
                            v.starts_with(k),
                            "reader {r}: value of {k:?} belongs to another key"
                        );
                    }
                    checked += m.len() as u64;
                }
                checked
            })
        })
        .collect();
    let compactor = {
        let db = Arc::clone(&db);
        let stop = Arc::clone(&stop);
        thread::spawn(move || {
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let w = (i % 3) as usize;
                let (a, b) = (key(w, i * 37 % 300), key(w, (i * 37 % 300) + 50));
                db.compact_range(Some(&a), Some(&b)).expect("compact_range");
                thread::sleep(Duration::from_millis(20));
                i += 1;
            }
        })
    };
    let models: Vec<Model> = writers.into_iter().map(|h| h.join().expect("writer")).collect();
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().expect("reader");
    }
    compactor.join().expect("compactor");

    let deadline = Instant::now();
    db.wait_for_compaction().expect("wait_for_compaction");
    assert!(deadline.elapsed() < Duration::from_secs(60));
    let check = |db: &Db| {
        for (w, model) in models.iter().enumerate() {
            let (lo, hi) = prefix_bounds(w);
            let ro = ReadOptions {
                lower_bound: Some(lo),
                upper_bound: Some(hi),
                ..Default::default()
            };
            assert_eq!(&scan(db, &ro), model, "writer {w}: final state");
        }
    };
    check(&db);
    let stats = db.stats();
    assert!(stats.flushes > 0 && stats.levels.iter().skip(1).any(|l| l.compaction_count > 0));
    Arc::try_unwrap(db).expect("sole owner").close().expect("close");
    let db = Db::open(dir.path(), options()).expect("reopen");
    check(&db);
}
