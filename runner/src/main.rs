//! The `lsmlab` command. `main` reads like the pipeline:
//! parse arguments -> load suites -> validated plans -> run cells -> write
//! results (after every cell) -> summary.
//!
//! Exit codes: 0 success; 1 a run failed (a cell failed or results could
//! not be written); 2 a usage or suite error, reported as one message
//! before anything runs.

mod cli;
mod execute;
mod gate;
mod measure;
mod output;
mod plan;
mod store;
#[cfg(test)]
mod test_support;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use clap::Parser;
use lsmlab_reports::{CellStatus, Results, RunSettings, SCHEMA_VERSION, SuiteInfo};

use cli::{Cli, Command, RunArgs, SysinfoArgs, ValidateArgs};
use execute::cell::{self, CellSettings};
use output::console::Console;
use output::writer::{ResultsWriter, dir_timestamp, git_revision, utc_timestamp};
use plan::{OnlyFilter, Plan};
use store::StoreKind;

/// Why the command failed, and so its exit code.
#[derive(Debug)]
enum Failure {
    /// Bad arguments or a bad suite: exit 2.
    Usage(String),
    /// A run failed: exit 1.
    Run(String),
}

impl From<gate::GateError> for Failure {
    fn from(e: gate::GateError) -> Failure {
        match e {
            gate::GateError::Usage(m) => Failure::Usage(m),
            gate::GateError::Failed(m) => Failure::Run(m),
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let outcome = match cli.command {
        Command::Run(args) => run(args),
        Command::Validate(args) => validate(args),
        Command::Sysinfo(args) => sysinfo(args),
        Command::Compare(args) => gate::compare::run(&args).map_err(Failure::from),
        Command::Export(args) => gate::export::run(&args).map_err(Failure::from),
        Command::Merge(args) => gate::merge::run(&args).map_err(Failure::from),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Run(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
    }
}

/// Loads (with `--set` overrides), expands and checks every suite before
/// anything runs.
fn plans(
    suites: &[PathBuf],
    only: Option<&str>,
    repeat: Option<u32>,
    store: StoreKind,
    sets: &[gate::set::SetArg],
    deterministic: bool,
) -> Result<Vec<Plan>, Failure> {
    let only = only.map(OnlyFilter::parse).transpose().map_err(Failure::Usage)?;
    let checker = store.checker();
    suites
        .iter()
        .map(|path| {
            let mut suite = gate::set::load(path, sets, checker.as_ref()).map_err(Failure::Usage)?;
            suite.deterministic |= deterministic;
            if suite.deterministic {
                gate::deterministic::check(&suite).map_err(Failure::Usage)?;
            }
            Plan::new(suite, only.as_ref(), repeat, checker.as_ref())
                .map_err(|e| Failure::Usage(e.to_string()))
        })
        .collect()
}

fn validate(args: ValidateArgs) -> Result<(), Failure> {
    let console = Console::new();
    for (i, plan) in plans(&args.suites, args.only.as_deref(), None, args.store, &[], false)?
        .iter()
        .enumerate()
    {
        if i > 0 {
            println!();
        }
        console.print_plan(plan);
    }
    Ok(())
}

fn sysinfo(args: SysinfoArgs) -> Result<(), Failure> {
    let dir = args.db_dir.unwrap_or_else(|| PathBuf::from("."));
    let host = measure::host::fingerprint(&dir);
    println!("lsmlab         {}", env!("CARGO_PKG_VERSION"));
    println!("git revision   {}", git_revision());
    println!("host           {}", host.hostname);
    println!("cpu            {}", host.cpu_model);
    println!(
        "cores          {} logical, {} physical",
        host.cpu_logical_cores,
        host.cpu_physical_cores.map_or("?".to_string(), |n| n.to_string())
    );
    println!(
        "memory         {}",
        output::console::human_bytes(host.memory_bytes)
    );
    println!("os             {}", host.os);
    println!("kernel         {}", host.kernel);
    println!(
        "file system    {} ({} on {})",
        host.filesystem.as_deref().unwrap_or("unknown"),
        host.db_dir,
        host.device.as_deref().unwrap_or("?")
    );
    Ok(())
}

fn run(args: RunArgs) -> Result<(), Failure> {
    let plans = plans(
        &args.suites,
        args.only.as_deref(),
        args.repeat,
        args.store,
        &args.set,
        args.deterministic,
    )?;
    let console = Console::new();
    let stamp = dir_timestamp(SystemTime::now());
    let mut failures = Vec::new();
    for plan in &plans {
        let out = match &args.out {
            Some(dir) if plans.len() == 1 => dir.clone(),
            Some(dir) => dir.join(&plan.suite.name),
            None => PathBuf::from("results").join(format!("{}-{stamp}", plan.suite.name)),
        };
        if let Err(e) = run_plan(plan, &args, &out, &console) {
            failures.push(e);
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Failure::Run(failures.join("; ")))
    }
}

/// Runs one plan into `out`; Err names what failed.
fn run_plan(plan: &Plan, args: &RunArgs, out: &Path, console: &Console) -> Result<(), String> {
    let db_root = args.db_dir.clone().unwrap_or_else(|| out.to_path_buf());
    let results = Results {
        schema_version: SCHEMA_VERSION,
        suite: SuiteInfo {
            name: plan.suite.name.clone(),
            description: plan.suite.description.clone(),
            file: plan.suite.file.clone(),
            seed: plan.suite.seed,
            repeat: plan.repeat,
            resolved: plan.resolved(),
        },
        lsmlab_version: env!("CARGO_PKG_VERSION").to_string(),
        git_revision: git_revision(),
        store: args.store.name().to_string(),
        interval_seconds: args.interval.as_secs_f64(),
        started_at: utc_timestamp(SystemTime::now()),
        finished_at: None,
        host: measure::host::fingerprint(&db_root),
        settings: RunSettings {
            deterministic: plan.suite.deterministic,
            set: args.set.iter().map(ToString::to_string).collect(),
            shard: args.shard,
            calibration_slowdown: args.calibrate_slowdown,
        },
        cells: Vec::new(),
    };
    let mut writer = ResultsWriter::create(out, results)?;
    console.run_start(plan, args.store.name(), out);
    let settings = CellSettings {
        store: args.store,
        db_root,
        keep_db: args.keep_db,
        interval: args.interval,
        slowdown: args.calibrate_slowdown,
    };
    let runs = gate::shard::share(plan.runs().collect(), args.shard);
    let total = runs.len();
    if let Some(s) = args.shard {
        println!(
            "shard {}/{}: {total} of {} cell repetition(s)",
            s.index,
            s.count,
            plan.cells.len() * plan.repeat as usize
        );
    }
    let mut failed = 0;
    for (n, (c, repetition)) in runs.into_iter().enumerate() {
        console.cell_start(c, repetition, n + 1, total);
        let run = cell::run(&plan.suite, c, repetition, &settings, console);
        console.cell_end(&run.result);
        if run.result.status == CellStatus::Failed {
            failed += 1;
        }
        writer.add_cell(run)?;
    }
    writer.finish()?;
    console.summary(writer.results());
    println!("results: {}", out.join("results.json").display());
    if failed > 0 {
        return Err(format!("{}: {failed} of {total} cell(s) failed", plan.suite.name));
    }
    Ok(())
}
