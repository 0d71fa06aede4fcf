//! The parent: for each cycle, spawn a child on the cycle's database, let
//! it write for a random time, SIGKILL it, then reopen the database itself
//! and verify every writer's key space.
//!
//! Verification, per writer `w` with ack count `L` (from its ack log) and
//! `P` writes verified before: the writer's keys must equal the model after
//! its first `L` writes, or after `L + 1` (write `L` was in flight, or
//! acknowledged but killed before its ack was recorded). Nothing else: a
//! process kill loses no acknowledged write, synced or not (the WAL's
//! `write(2)` happened before the acknowledgement), and no write is
//! half-applied. `L` is taken as at least `P`: when the last cycle found a
//! writer's in-flight write applied (`P = L + 1`) and the next child died
//! before acknowledging anything, its log still says `L`; `L + 1 < P` is an
//! error (the log went backwards). The matching count becomes `P` and the
//! next child continues from it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lsmlab_engine::{Db, ReadOptions};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::ops::{self, Model};
use crate::{acks, paths, plan};

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// The `lsmlab-crashtest` executable (spawned as the child).
    pub exe: PathBuf,
    /// Directory holding the databases and ack logs; must be empty or missing.
    pub db_dir: PathBuf,
    /// Seed of writes, options and kill times.
    pub seed: u64,
    /// Stop after this many cycles (if set).
    pub cycles: Option<u64>,
    /// Stop after this long (if set); at least one of the two is set.
    pub duration: Option<Duration>,
    /// Writer threads in the child.
    pub writers: usize,
    /// The child is killed a random time in `kill_min..kill_max` after spawn.
    pub kill_min: Duration,
    /// See `kill_min`.
    pub kill_max: Duration,
    /// Print a line per cycle.
    pub verbose: bool,
}

/// What a run verified.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Kill/reopen/verify cycles completed.
    pub cycles: u64,
    /// Writes whose effects were verified after a kill (each once).
    pub writes_verified: u64,
    /// Key-value pairs compared against the model (all cycles).
    pub keys_checked: u64,
    /// Cycles whose child was killed before it acknowledged anything
    /// (typically during open or recovery).
    pub killed_early: u64,
    /// Wall time.
    pub elapsed: Duration,
}

/// Per database: how far each writer is verified, and its model there.
struct Tracked {
    verified: Vec<u64>,
    models: Vec<Model>,
}

/// Runs the crash test; `Err` describes the first failure.
pub fn run(cfg: &Config) -> Result<Report, String> {
    if cfg.cycles.is_none() && cfg.duration.is_none() {
        return Err("give --cycles or --duration (or both)".into());
    }
    if !(1..=99).contains(&cfg.writers) {
        return Err(format!("--writers must be between 1 and 99, got {}", cfg.writers));
    }
    if cfg.kill_min > cfg.kill_max {
        return Err("--kill-min must not be above --kill-max".into());
    }
    if std::fs::read_dir(&cfg.db_dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(format!(
            "--db-dir {} is not empty: the test must start from empty databases",
            cfg.db_dir.display()
        ));
    }
    for d in 0..plan::DATABASES {
        let (_, ack_dir) = paths(&cfg.db_dir, d);
        std::fs::create_dir_all(&ack_dir).map_err(|e| format!("create {}: {e}", ack_dir.display()))?;
    }
    let mut tracked: Vec<Tracked> = (0..plan::DATABASES)
        .map(|_| Tracked {
            verified: vec![0; cfg.writers],
            models: vec![Model::new(); cfg.writers],
        })
        .collect();
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let started = Instant::now();
    let mut report = Report::default();
    let mut last_note = Instant::now();
    for cycle in 0.. {
        if cfg.cycles.is_some_and(|n| cycle >= n) || cfg.duration.is_some_and(|d| started.elapsed() >= d) {
            break;
        }
        let t = &mut tracked[plan::database_of(cycle)];
        let before: u64 = t.verified.iter().sum();
        let kill_after = rng.random_range(cfg.kill_min..=cfg.kill_max);
        kill_child(cfg, cycle, &t.verified, kill_after)?;
        let keys = verify(cfg, cycle, t).map_err(|e| {
            format!(
                "cycle {cycle} (seed {}, {}): {e}",
                cfg.seed,
                plan::describe(&plan::options(cfg.seed, cycle))
            )
        })?;
        let gained = t.verified.iter().sum::<u64>() - before;
        report.cycles += 1;
        report.writes_verified += gained;
        report.keys_checked += keys;
        report.killed_early += u64::from(gained == 0);
        if cfg.verbose || last_note.elapsed() > Duration::from_secs(60) {
            last_note = Instant::now();
            println!(
                "cycle {cycle}: killed after {kill_after:?}, {gained} new writes verified, {keys} keys checked ({})",
                plan::describe(&plan::options(cfg.seed, cycle))
            );
        }
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Spawns the child of `cycle`, lets it run for `after`, and SIGKILLs it.
fn kill_child(cfg: &Config, cycle: u64, starts: &[u64], after: Duration) -> Result<(), String> {
    let log_path = cfg.db_dir.join("child.log");
    let log = std::fs::File::create(&log_path).map_err(|e| format!("create {}: {e}", log_path.display()))?;
    let starts_arg: Vec<String> = starts.iter().map(u64::to_string).collect();
    let mut child = Command::new(&cfg.exe)
        .arg("child")
        .arg("--db-dir")
        .arg(&cfg.db_dir)
        .args(["--seed", &cfg.seed.to_string(), "--cycle", &cycle.to_string()])
        .args(["--starts", &starts_arg.join(",")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("spawn {}: {e}", cfg.exe.display()))?;
    std::thread::sleep(after);
    let exited = child.try_wait().map_err(|e| format!("wait for child: {e}"))?;
    if let Some(status) = exited {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        return Err(format!(
            "cycle {cycle}: the child exited by itself ({status}): {}",
            log.trim()
        ));
    }
    child.kill().map_err(|e| format!("SIGKILL child: {e}"))?; // Child::kill is SIGKILL on Unix
    child.wait().map_err(|e| format!("reap child: {e}"))?;
    Ok(())
}

/// Reopens the database of `cycle` and checks every writer (see the module
/// docs); advances `t`. Returns the number of keys compared.
fn verify(cfg: &Config, cycle: u64, t: &mut Tracked) -> Result<u64, String> {
    let (db_path, ack_dir) = paths(&cfg.db_dir, plan::database_of(cycle));
    let db = Db::open(&db_path, plan::options(cfg.seed, cycle))
        .map_err(|e| format!("reopen after SIGKILL: {e}"))?;
    let mut found: Vec<Model> = vec![Model::new(); cfg.writers];
    let mut it = db
        .iter(&ReadOptions::default())
        .map_err(|e| format!("iter: {e}"))?;
    it.seek_to_first();
    while it.valid() {
        let w = ops::writer_of(it.key())
            .filter(|&w| w < cfg.writers)
            .ok_or_else(|| format!("invented key {:?}", String::from_utf8_lossy(it.key())))?;
        found[w].insert(it.key().to_vec(), it.value().to_vec());
        it.next();
    }
    it.status().map_err(|e| format!("scan: {e}"))?;
    drop(it);
    let mut keys = 0;
    for (w, got) in found.iter().enumerate() {
        let logged = acks::read(&acks::path(&ack_dir, w)).map_err(|e| format!("ack log: {e}"))?;
        let verified = t.verified[w];
        // The log may trail by one: the last cycle found its in-flight
        // write applied, and this child was killed before acknowledging.
        if logged + 1 < verified {
            return Err(format!(
                "writer {w}: ack log says {logged}, but {verified} writes were verified before"
            ));
        }
        let acked = logged.max(verified);
        for i in verified..acked {
            ops::op(cfg.seed, w, i).apply(&mut t.models[w]);
        }
        keys += got.len() as u64;
        if *got == t.models[w] {
            t.verified[w] = acked;
            continue;
        }
        let mut one_more = t.models[w].clone();
        ops::op(cfg.seed, w, acked).apply(&mut one_more);
        if *got == one_more {
            t.models[w] = one_more;
            t.verified[w] = acked + 1;
            continue;
        }
        return Err(format!(
            "writer {w}: {acked} writes acknowledged, but the recovered keys match neither the first {acked} \
             nor {} writes: {}",
            acked + 1,
            first_difference(&t.models[w], got)
        ));
    }
    // Point reads agree with the scan.
    for (w, got) in found.iter().enumerate() {
        for (k, v) in got.iter().step_by(97) {
            let read = db.get(k).map_err(|e| format!("get: {e}"))?;
            if read.as_ref() != Some(v) {
                return Err(format!(
                    "writer {w}: get({:?}) disagrees with the scan",
                    String::from_utf8_lossy(k)
                ));
            }
        }
    }
    db.close().map_err(|e| format!("close: {e}"))?;
    Ok(keys)
}

fn first_difference(want: &Model, got: &Model) -> String {
    let all: std::collections::BTreeSet<&Vec<u8>> = want.keys().chain(got.keys()).collect();
    for k in all {
        let (a, b) = (want.get(k), got.get(k));
        if a != b {
            let show =
                |v: Option<&Vec<u8>>| v.map(|v| String::from_utf8_lossy(&v[..v.len().min(32)]).into_owned());
            return format!(
                "key {:?}: expected {:?}, found {:?}",
                String::from_utf8_lossy(k),
                show(a),
                show(b)
            );
        }
    }
    "no difference".into()
}

/// Where the databases live, for the report.
pub fn database_paths(db_dir: &Path) -> Vec<PathBuf> {
    (0..plan::DATABASES).map(|d| paths(db_dir, d).0).collect()
}
