//! `lsmlab-crashtest`: kill a writing child with SIGKILL, reopen, verify,
//! repeat. `lsmlab-crashtest --duration 2h` for a long run,
//! `--cycles N` for a fixed number of cycles; the exit code is non-zero on
//! the first lost or invented write, with the seed and cycle to replay it.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};
use lsmlab_crashtest::{child, parent};
use lsmlab_units::parse_duration;

#[derive(Parser, Debug)]
#[command(name = "lsmlab-crashtest", about = "SIGKILL crash test of the lsmlab engine")]
struct Cli {
    #[command(subcommand)]
    child: Option<ChildCmd>,
    /// Run for this long (e.g. 2h, 30m, 90s).
    #[arg(long, value_parser = parse_duration)]
    duration: Option<Duration>,
    /// Run this many kill/reopen cycles (default 100 unless --duration is given).
    #[arg(long)]
    cycles: Option<u64>,
    /// Seed of writes, option sets and kill times.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Directory for the databases and ack logs (must be empty or missing);
    /// default: a new temporary directory, removed after a successful run.
    #[arg(long)]
    db_dir: Option<PathBuf>,
    /// Writer threads in the child.
    #[arg(long, default_value_t = 4)]
    writers: usize,
    /// Shortest time before the kill.
    #[arg(long, value_parser = parse_duration, default_value = "50ms")]
    kill_min: Duration,
    /// Longest time before the kill.
    #[arg(long, value_parser = parse_duration, default_value = "1500ms")]
    kill_max: Duration,
    /// Print a line per cycle.
    #[arg(long, short)]
    verbose: bool,
}

#[derive(Subcommand, Debug)]
enum ChildCmd {
    /// (internal) the process that writes until it is killed.
    #[command(hide = true)]
    Child {
        #[arg(long)]
        db_dir: PathBuf,
        #[arg(long)]
        seed: u64,
        #[arg(long)]
        cycle: u64,
        /// Where each writer starts, comma-separated.
        #[arg(long, value_delimiter = ',')]
        starts: Vec<u64>,
    },
}

fn main() {
    let cli = Cli::parse();
    if let Some(ChildCmd::Child {
        db_dir,
        seed,
        cycle,
        starts,
    }) = cli.child
    {
        child::run(&db_dir, seed, cycle, &starts);
    }
    let temp = match &cli.db_dir {
        Some(_) => None,
        None => match std::env::temp_dir().join(format!("lsmlab-crashtest-{}", std::process::id())) {
            p if std::fs::create_dir_all(&p).is_ok() => Some(p),
            p => {
                eprintln!("lsmlab-crashtest: cannot create {}", p.display());
                std::process::exit(2);
            }
        },
    };
    let db_dir = cli.db_dir.clone().or_else(|| temp.clone()).unwrap_or_default();
    let exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("lsmlab-crashtest: cannot find my own executable: {e}");
            std::process::exit(2);
        }
    };
    let cfg = parent::Config {
        exe,
        db_dir: db_dir.clone(),
        seed: cli.seed,
        cycles: cli
            .cycles
            .or(if cli.duration.is_none() { Some(100) } else { None }),
        duration: cli.duration,
        writers: cli.writers,
        kill_min: cli.kill_min,
        kill_max: cli.kill_max,
        verbose: cli.verbose,
    };
    match parent::run(&cfg) {
        Ok(r) => {
            println!(
                "lsmlab-crashtest: {} SIGKILL cycles passed ({} killed before any acknowledgement), \
                 {} writes verified, {} keys checked, in {:.1?} (seed {})",
                r.cycles, r.killed_early, r.writes_verified, r.keys_checked, r.elapsed, cli.seed
            );
            if let Some(t) = temp {
                let _ = std::fs::remove_dir_all(t);
            }
        }
        Err(e) => {
            eprintln!("lsmlab-crashtest: FAILED: {e}");
            eprintln!(
                "lsmlab-crashtest: databases kept in {} for inspection: {:?}",
                db_dir.display(),
                parent::database_paths(&db_dir)
            );
            std::process::exit(1);
        }
    }
}
