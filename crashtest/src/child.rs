//! The child process: opens the database of its cycle, then runs one thread
//! per writer, each committing its deterministic writes (see [`ops`]) from
//! where the parent says it stands and recording every acknowledgement in
//! its ack log, while the main thread issues flushes, manual compactions,
//! scans and point reads. It runs until the parent kills it (or exits when
//! the parent is gone). Any engine error is fatal: exit code 3 with the
//! error on stderr.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use lsmlab_engine::{Db, ReadOptions, WriteOptions};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::{acks, ops, paths, plan};

fn fatal(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("child: {what}: {e}");
    std::process::exit(3)
}

/// Runs the child of cycle `cycle`; writer `w` starts at write `starts[w]`.
pub fn run(db_dir: &Path, seed: u64, cycle: u64, starts: &[u64]) -> ! {
    let parent = std::os::unix::process::parent_id();
    let (db_path, ack_dir) = paths(db_dir, plan::database_of(cycle));
    let db = match Db::open(&db_path, plan::options(seed, cycle)) {
        Ok(db) => Arc::new(db),
        Err(e) => fatal("open", e),
    };
    for (w, &start) in starts.iter().enumerate() {
        let db = db.clone();
        let log = acks::AckLog::open(&acks::path(&ack_dir, w)).unwrap_or_else(|e| fatal("ack log", e));
        std::thread::spawn(move || {
            // The parent may have verified one write more than the log holds
            // (an in-flight write found applied). Record that start first, so
            // a kill during this child's first write leaves the log at most
            // one behind what the database can hold, not two (found by a 2h
            // run: cycle 4628 of seed 7, log 475501 after 475503 verified).
            log.record(start).unwrap_or_else(|e| fatal("ack log", e));
            for i in start.. {
                let op = ops::op(seed, w, i);
                let wo = WriteOptions {
                    sync: op.sync,
                    ..Default::default()
                };
                if let Err(e) = db.write(op.batch(), &wo) {
                    fatal(&format!("writer {w} write {i}"), e);
                }
                log.record(i + 1).unwrap_or_else(|e| fatal("ack log", e));
            }
        });
    }
    let mut rng = StdRng::seed_from_u64(seed ^ cycle);
    loop {
        std::thread::sleep(Duration::from_millis(rng.random_range(5..100)));
        if std::os::unix::process::parent_id() != parent {
            std::process::exit(0); // orphaned: nobody will kill or verify us
        }
        let w = rng.random_range(0..starts.len());
        let (lo, hi) = ops::writer_range(w);
        match rng.random_range(0..10) {
            0 => db.flush().unwrap_or_else(|e| fatal("flush", e)),
            1 => db
                .compact_range(Some(&lo), Some(&hi))
                .unwrap_or_else(|e| fatal("compact_range", e)),
            2..=5 => {
                let ro = ReadOptions {
                    lower_bound: Some(lo),
                    upper_bound: Some(hi),
                    ..Default::default()
                };
                let mut it = db.iter(&ro).unwrap_or_else(|e| fatal("iter", e));
                it.seek_to_first();
                while it.valid() {
                    if ops::writer_of(it.key()) != Some(w) {
                        fatal("scan", format!("key {:?} outside writer {w}'s bounds", it.key()));
                    }
                    it.next();
                }
                it.status().unwrap_or_else(|e| fatal("scan", e));
            }
            _ => {
                let k = ops::key(w, rng.random_range(0..ops::KEYS_PER_WRITER));
                db.get(&k).unwrap_or_else(|e| fatal("get", e));
            }
        }
    }
}
