//! I/O error injection: long random workloads (puts, deletes, range deletes,
//! batches, synced and unsynced; gets, scans, flushes, manual compactions)
//! with background flushes and compactions on tiny buffers, while the
//! fault-injecting file system fails reads, writes, syncs, renames, opens,
//! directory syncs and removes at random (seeded) rates from 1/32 to 1/1000.
//!
//! Each round opens the database on a healthy file system and checks the
//! recovered state, then turns the faults on and runs the workload. It must
//! return errors, never panic (in any thread) or hang (a watchdog aborts
//! after 60 s without progress), and a background error must be sticky:
//! once `lsmlab.background-errors` is 1, no write succeeds. Every successful
//! read must agree with the oracle. The round ends in one of three ways:
//! close under faults (no crash), power loss while open, or close then power
//! loss. Faults are cleared and the next round's open must succeed with a
//! prefix-consistent state (see `support/oracle.rs` for the exact
//! definition): every acknowledged synced write present, every acknowledged
//! write when there was no power loss (or `close` returned Ok), nothing
//! invented, no holes.
//!
//! `--nocapture` prints rounds, faults injected and operations verified.
//! `LSMLAB_LONG=1` runs 10x the rounds; `LSMLAB_SEED=n` picks another seed.

mod support;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use lsmlab_engine::Db;
use lsmlab_engine::fs::fault::{FaultCounts, FaultFileSystem, FaultRates};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use support::oracle::{History, Model, Survives};
use support::watchdog::Watchdog;
use support::workload::{self, RunStats, Step};

/// Panics seen in any thread (a background job panicking is a failure even
/// if nothing else notices).
static PANICS: AtomicU64 = AtomicU64::new(0);

fn count_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default(info);
    }));
}

/// Steps per round, and rounds per rate in the default run.
const STEPS: u64 = 300;
const ROUNDS: u64 = 150;

fn long() -> bool {
    std::env::var_os("LSMLAB_LONG").is_some_and(|v| v != "0")
}

fn base_seed() -> u64 {
    std::env::var("LSMLAB_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_f417)
}

#[derive(Default)]
struct Totals {
    rounds: u64,
    steps: u64,
    errors: u64,
    writes_acked: u64,
    writes_failed: u64,
    writes_verified: u64,
    reads_verified: u64,
    power_losses: u64,
    failed_opens: u64,
    faults: FaultCounts,
}

/// How a round ends.
#[derive(Debug, Clone, Copy)]
enum Ending {
    CloseUnderFaults,
    PowerLossWhileOpen,
    CloseThenPowerLoss,
}

fn run_rate(one_in: u32, seed: u64, rounds: u64, dog: &Watchdog) -> Totals {
    let mut rng = StdRng::seed_from_u64(seed);
    let fs = FaultFileSystem::new();
    let dir = Path::new("/db");
    let base_options = workload::tiny_options(&mut rng);
    let mut totals = Totals::default();
    let mut history = History::new(Model::new());
    let mut survives = Survives::Acknowledged;
    let mut write_no = 0u64;
    for round in 0..=rounds {
        let ctx = format!("rate 1/{one_in} seed {seed} round {round}");
        let options = || lsmlab_engine::Options {
            file_system: Some(Arc::new(fs.process_view())),
            ..base_options.clone()
        };
        // Sometimes recovery itself runs under faults first: it may fail,
        // but must leave a database the healthy open below recovers.
        if round > 0 && rng.random_bool(0.3) {
            fs.inject_random(
                seed ^ round.wrapping_mul(0x51_7cc1),
                FaultRates::uniform(one_in.min(100)),
            );
            dog.progress(|| format!("{ctx}: open under faults"));
            match Db::open(dir, options()) {
                Ok(db) => {
                    let got = workload::read_all(&db);
                    if let Ok(got) = got {
                        history
                            .check_recovered(&got, survives)
                            .unwrap_or_else(|e| panic!("{ctx}: open under faults: {e}"));
                    }
                    drop(db);
                }
                Err(_) => totals.failed_opens += 1,
            }
        }
        // Reopen on a healthy file system and check what survived.
        fs.clear_faults();
        dog.progress(|| format!("{ctx}: healthy open"));
        let options = options();
        let db = Db::open(dir, options).unwrap_or_else(|e| panic!("{ctx}: healthy open failed: {e}"));
        let recovered = workload::read_all(&db).unwrap_or_else(|e| panic!("{ctx}: scan after open: {e}"));
        let prefix = history
            .check_recovered(&recovered, survives)
            .unwrap_or_else(|e| panic!("{ctx}: {e} (options {base_options:?})"));
        totals.writes_verified += prefix as u64;
        assert_eq!(PANICS.load(Ordering::SeqCst), 0, "{ctx}: a thread panicked");
        if round == rounds {
            db.close().unwrap_or_else(|e| panic!("{ctx}: healthy close: {e}"));
            break;
        }
        history = History::new(recovered);
        totals.rounds += 1;

        fs.inject_random(
            seed ^ (round + 1).wrapping_mul(0x9e37_79b9),
            FaultRates::uniform(one_in),
        );
        let mut stats = RunStats::default();
        for i in 0..STEPS {
            let step = workload::step(&mut rng, write_no);
            let is_write = matches!(step, Step::Write(..));
            write_no += u64::from(is_write);
            dog.progress(|| format!("{ctx} step {i}: {}", step.describe()));
            let sticky = db.property("lsmlab.background-errors").as_deref() == Some("1");
            let before = history.counts().1;
            workload::run(&db, &step, &mut history, &mut stats, &ctx);
            if sticky && is_write {
                assert_eq!(
                    history.counts().1,
                    before,
                    "{ctx}: a write succeeded after a background error"
                );
            }
        }
        let ending = [
            Ending::CloseUnderFaults,
            Ending::PowerLossWhileOpen,
            Ending::CloseThenPowerLoss,
        ][rng.random_range(0..3)];
        dog.progress(|| format!("{ctx}: ending {ending:?}"));
        survives = match ending {
            Ending::CloseUnderFaults => {
                drop(db);
                Survives::Acknowledged
            }
            Ending::PowerLossWhileOpen => {
                fs.crash();
                drop(db);
                Survives::Synced
            }
            Ending::CloseThenPowerLoss => {
                let closed = db.close();
                drop(db);
                fs.crash();
                if closed.is_ok() {
                    Survives::Acknowledged
                } else {
                    Survives::Synced
                }
            }
        };
        totals.power_losses += u64::from(!matches!(ending, Ending::CloseUnderFaults));
        let (_, acked, failed) = history.counts();
        totals.writes_acked += acked as u64;
        totals.writes_failed += failed as u64;
        totals.steps += stats.steps;
        totals.errors += stats.errors;
        totals.reads_verified += stats.reads_verified;
    }
    totals.faults = fs.fault_counts();
    totals
}

#[test]
fn random_io_faults_never_lose_acknowledged_writes() {
    count_panics();
    let started = Instant::now();
    let dog = Watchdog::new("faults", Duration::from_secs(60));
    let rounds = if long() { ROUNDS * 10 } else { ROUNDS };
    let mut all = Totals::default();
    for (i, one_in) in [32u32, 100, 300, 1000].into_iter().enumerate() {
        let seed = base_seed().wrapping_add(i as u64);
        let t = run_rate(one_in, seed, rounds, &dog);
        println!(
            "faults 1/{one_in} (seed {seed}): {} rounds ({} power losses, {} failed opens under faults), {} steps ({} errors), \
             writes {} acked / {} failed, verified {} writes + {} reads; injected {} of {} fs ops [{}]",
            t.rounds,
            t.power_losses,
            t.failed_opens,
            t.steps,
            t.errors,
            t.writes_acked,
            t.writes_failed,
            t.writes_verified,
            t.reads_verified,
            t.faults.total_injected(),
            t.faults.total_operations(),
            t.faults
        );
        assert!(
            t.errors > 0,
            "1/{one_in}: no operation ever failed: faults not reaching the engine"
        );
        assert!(t.writes_acked > 0, "1/{one_in}: nothing was ever acknowledged");
        all.rounds += t.rounds;
        all.writes_verified += t.writes_verified;
        all.reads_verified += t.reads_verified;
        all.faults.add(&t.faults);
    }
    println!(
        "faults total: {} rounds, {} faults injected, {} operations verified ({} writes, {} reads) in {:.1?}",
        all.rounds,
        all.faults.total_injected(),
        all.writes_verified + all.reads_verified,
        all.writes_verified,
        all.reads_verified,
        started.elapsed()
    );
}
