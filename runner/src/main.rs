//! The `lsmlab` command. `main` reads like the pipeline:
//! parse arguments -> load suites -> validated plans -> run cells -> write
//! results (after every cell) -> summary.
//!
//! Exit codes: 0 success; 1 a run failed (a cell failed or results could
//! not be written); 2 a usage or suite error, reported as one message
//! before anything runs.

mod check;
mod cli;
mod error;
mod execute;
mod gate;
mod measure;
mod output;
mod plan;
mod store;
#[cfg(test)]
mod test_support;
mod tune;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use clap::Parser;
use lsmlab_reports::{CellStatus, RunSettings};

use cli::{Cli, Command, ReportArgs, RunArgs, SysinfoArgs, ValidateArgs};
use error::Error;
use execute::cell::{self, CellSettings};
use output::console::Console;
use output::timestamp::dir_timestamp;
use output::writer::{ResultsWriter, build_info, git_revision, results_header};
use plan::{OnlyFilter, Plan};
use store::StoreKind;

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
        Command::Compare(args) => gate::compare::run(&args).map_err(Error::Gate),
        Command::Export(args) => gate::export::run(&args).map_err(Error::Gate),
        Command::Merge(args) => gate::merge::run(&args).map_err(Error::Gate),
        Command::Report(args) => report(args),
        Command::Tune(args) => tune::run(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit()
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
) -> Result<Vec<Plan>, Error> {
    let only = only.map(OnlyFilter::parse).transpose()?;
    let checker = store.checker();
    suites
        .iter()
        .map(|path| {
            let mut suite = gate::set::load(path, sets, checker.as_ref()).map_err(gate::GateError::Usage)?;
            suite.deterministic |= deterministic;
            if suite.deterministic {
                gate::deterministic::check(&suite).map_err(gate::GateError::Usage)?;
                gate::deterministic::apply(&mut suite);
            }
            Plan::new(suite, only.as_ref(), repeat, checker.as_ref())
        })
        .collect()
}

fn validate(args: ValidateArgs) -> Result<(), Error> {
    let console = Console::new();
    for (i, plan) in plans(&args.suites, args.only.as_deref(), None, args.store, &[], false)?
        .iter()
        .enumerate()
    {
        if i > 0 {
            println!();
        }
        console.print_plan(plan);
        for w in check::matrix_warnings(plan, args.store) {
            println!("{w}");
        }
        if let Some(t) = &plan.suite.tune {
            println!("  {}", tune::describe(t));
        }
    }
    Ok(())
}

fn sysinfo(args: SysinfoArgs) -> Result<(), Error> {
    let dir = args.db_dir.unwrap_or_else(|| PathBuf::from("."));
    let host = measure::host::fingerprint(&dir);
    println!("lsmlab         {}", env!("CARGO_PKG_VERSION"));
    println!("git revision   {}", git_revision());
    let build = build_info();
    println!(
        "build          {}, {} profile, features [{}]{}",
        build.rustc,
        build.profile,
        build.features.join(", "),
        match build.dirty {
            Some(true) => ", dirty tree",
            Some(false) => "",
            None => ", tree state unknown",
        }
    );
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

fn report(args: ReportArgs) -> Result<(), Error> {
    let opts = lsmlab_reports::ReportOptions {
        out: args.out,
        main_phase: args.main_phase,
        heatmap_metric: args.heatmap_metric,
    };
    let out = lsmlab_reports::render_report(&args.results, &opts)?;
    print!("{}", out.cell_table);
    print_report_location(&out);
    Ok(())
}

/// Warnings, then where the report is.
fn print_report_location(out: &lsmlab_reports::ReportOutput) {
    for w in &out.warnings {
        eprintln!("warning: {w}");
    }
    println!(
        "report: {} ({} plots in {}, summary {})",
        out.html.display(),
        out.plots,
        out.dir.join(lsmlab_reports::report::PLOTS_DIR).display(),
        out.markdown.display()
    );
}

fn run(args: RunArgs) -> Result<(), Error> {
    let mut plans = plans(
        &args.suites,
        args.only.as_deref(),
        args.repeat,
        args.store,
        &args.set,
        args.deterministic,
    )?;
    for plan in &mut plans {
        plan.order = args.repetition_order;
        for w in check::matrix_warnings(plan, args.store) {
            eprintln!("{w}");
        }
    }
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
    match failures.len() {
        0 => Ok(()),
        1 => Err(failures.remove(0)),
        _ => Err(Error::Several(failures)),
    }
}

/// Runs one plan into `out`; Err names what failed.
fn run_plan(plan: &Plan, args: &RunArgs, out: &Path, console: &Console) -> Result<(), Error> {
    let db_root = args.db_dir.clone().unwrap_or_else(|| out.to_path_buf());
    let mut results = results_header(
        plan,
        args.store,
        args.interval,
        measure::host::fingerprint(&db_root),
    );
    results.settings = RunSettings {
        deterministic: plan.suite.deterministic,
        set: args.set.iter().map(ToString::to_string).collect(),
        shard: args.shard,
        calibration_slowdown: args.calibrate_slowdown,
    };
    let mut writer = ResultsWriter::create(out, results)?;
    console.run_start(plan, args.store.name(), out);
    let settings = CellSettings {
        store: args.store,
        db_root,
        keep_db: args.keep_db,
        interval: args.interval,
        slowdown: args.calibrate_slowdown,
        hist_root: Some(out.to_path_buf()),
        page_cache: measure::page_cache::PageCache::system(),
    };
    let runs = gate::shard::plan_share(plan, args.shard);
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
        if let Some(p) = check::predict_cell(&plan.suite, c, &run.result, args.store) {
            writer.results_mut().predictions.push(p);
        }
        writer.add_cell(run)?;
    }
    writer.finish()?;
    println!();
    print!("{}", lsmlab_reports::console_table(writer.results()));
    print_predictions(writer.results());
    for w in check::behaviour_flags(writer.results()) {
        println!("{w}");
    }
    println!("results: {}", out.join("results.json").display());
    if !args.no_report {
        let opts = lsmlab_reports::ReportOptions::default();
        match lsmlab_reports::report::render_results(writer.results(), out, out, &opts) {
            Ok(report) => print_report_location(&report),
            Err(e) => return Err(e.into()),
        }
    }
    if failed > 0 {
        return Err(Error::CellsFailed {
            suite: plan.suite.name.clone(),
            failed,
            total,
        });
    }
    Ok(())
}

/// Predicted next to measured write-amp and space-amp per cell, and the
/// model's mean error.
fn print_predictions(results: &lsmlab_reports::Results) {
    use lsmlab_reports::prediction::{compare, mean_errors};
    if results.predictions.is_empty() {
        return;
    }
    println!();
    println!("cost model: predicted / measured (error)");
    let f = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.2}"));
    for cell in &results.cells {
        let Some(p) = results.predictions.iter().find(|p| p.id == cell.id) else {
            continue;
        };
        let parts: Vec<String> = compare(cell, p)
            .iter()
            .map(|c| {
                let err = c
                    .error()
                    .map_or(String::new(), |e| format!(" ({:+.0}%)", e * 100.0));
                format!("{} {}/{}{err}", c.name, f(c.predicted), f(c.measured))
            })
            .collect();
        println!("{:<10} {}  {}", cell.id, parts.join("  "), cell.label);
    }
    let means: Vec<String> = mean_errors(results)
        .iter()
        .map(|(n, e, k)| format!("{n} {:.0}% over {k} cells", e * 100.0))
        .collect();
    println!("mean |error|: {}", means.join(", "));
}
