//! Power loss at random points, many cycles: each cycle opens the database
//! (sometimes cutting the power during recovery itself first), checks the
//! recovered state against the oracle, then runs a random workload (writes
//! synced and unsynced, range deletes, batches, reads, flushes, manual
//! compactions, with background flushes and compactions on tiny buffers)
//! while `Fault::CrashAfterOps(n)` cuts the power at a random file-system
//! operation, possibly inside a background job: unsynced data, file
//! creations and renames not yet made durable are dropped, and the dead
//! process can touch nothing afterwards.
//!
//! After every power loss the state must be prefix-consistent
//! (`support/oracle.rs`): every acknowledged synced write present, nothing
//! invented, no holes. Recovery interrupted by power loss must be
//! restartable. `--nocapture` prints cycles and operations verified;
//! `LSMLAB_LONG=1` runs 10x the cycles, `LSMLAB_SEED=n` another seed.

mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lsmlab_engine::fs::fault::{Fault, FaultFileSystem};
use lsmlab_engine::{Db, Options};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use support::oracle::{History, Model, Survives};
use support::watchdog::Watchdog;
use support::workload::{self, RunStats, Step};

/// Option sets (one database each), and power-loss cycles on each.
const OPTION_SETS: u64 = 4;
const CYCLES: u64 = 50;
/// Workload steps per cycle (the power goes out somewhere among them).
const STEPS: u64 = 120;

#[derive(Default)]
struct Totals {
    cycles: u64,
    crashes_in_recovery: u64,
    writes_acked: u64,
    writes_verified: u64,
    reads_verified: u64,
    steps: u64,
}

fn open(fs: &FaultFileSystem, options: &Options) -> lsmlab_engine::Result<Db> {
    Db::open(
        Path::new("/db"),
        Options {
            file_system: Some(Arc::new(fs.process_view())),
            ..options.clone()
        },
    )
}

fn run_database(seed: u64, cycles: u64, dog: &Watchdog, totals: &mut Totals) {
    let mut rng = StdRng::seed_from_u64(seed);
    let options = workload::tiny_options(&mut rng);
    let fs = FaultFileSystem::new();
    let mut history = History::new(Model::new());
    let mut write_no = 0u64;
    // Operations one cycle typically makes; the crash point is drawn below it.
    let mut ops_per_cycle = 2000u64;
    for cycle in 0..=cycles {
        let ctx = format!("seed {seed} cycle {cycle}");
        if cycle > 0 && rng.random_bool(0.25) {
            // Power loss during recovery: the next open must still work.
            fs.inject(Fault::CrashAfterOps(rng.random_range(0..80)));
            dog.progress(|| format!("{ctx}: open with power loss"));
            if let Ok(db) = open(&fs, &options) {
                drop(db);
            }
            fs.clear_faults();
            fs.crash();
            totals.crashes_in_recovery += 1;
        }
        dog.progress(|| format!("{ctx}: open"));
        let db =
            open(&fs, &options).unwrap_or_else(|e| panic!("{ctx}: open after power loss: {e} ({options:?})"));
        let recovered = workload::read_all(&db).unwrap_or_else(|e| panic!("{ctx}: scan after open: {e}"));
        let prefix = history
            .check_recovered(&recovered, Survives::Synced)
            .unwrap_or_else(|e| panic!("{ctx}: {e} ({options:?})"));
        totals.writes_verified += prefix as u64;
        if cycle == cycles {
            break;
        }
        history = History::new(recovered);
        totals.cycles += 1;

        let before = fs.fault_counts().total_operations();
        fs.inject(Fault::CrashAfterOps(rng.random_range(0..ops_per_cycle)));
        let mut stats = RunStats::default();
        for i in 0..STEPS {
            let step = workload::step(&mut rng, write_no);
            write_no += u64::from(matches!(step, Step::Write(..)));
            dog.progress(|| format!("{ctx} step {i}: {}", step.describe()));
            workload::run(&db, &step, &mut history, &mut stats, &ctx);
        }
        // If the power is still on, cut it now (with the database open).
        fs.clear_faults();
        fs.crash();
        dog.progress(|| format!("{ctx}: drop after power loss"));
        drop(db);
        ops_per_cycle = ops_per_cycle.max(fs.fault_counts().total_operations() - before);
        totals.writes_acked += history.counts().1 as u64;
        totals.reads_verified += stats.reads_verified;
        totals.steps += stats.steps;
    }
}

#[test]
fn power_loss_at_random_points_keeps_a_prefix_with_every_synced_write() {
    let started = Instant::now();
    let long = std::env::var_os("LSMLAB_LONG").is_some_and(|v| v != "0");
    let seed: u64 = std::env::var("LSMLAB_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9057_1055);
    let cycles = if long { CYCLES * 10 } else { CYCLES };
    let dog = Watchdog::new("power_loss", Duration::from_secs(60));
    let mut t = Totals::default();
    for set in 0..OPTION_SETS {
        run_database(seed.wrapping_add(set), cycles, &dog, &mut t);
    }
    println!(
        "power loss: {} cycles ({} more inside recovery), {} steps, {} writes acked, {} operations verified \
         ({} writes, {} reads) in {:.1?}",
        t.cycles,
        t.crashes_in_recovery,
        t.steps,
        t.writes_acked,
        t.writes_verified + t.reads_verified,
        t.writes_verified,
        t.reads_verified,
        started.elapsed()
    );
    assert!(
        t.writes_verified > 0,
        "no write ever survived: the test checks nothing"
    );
}
