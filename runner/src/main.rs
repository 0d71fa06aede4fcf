//! The `lsmlab` command. `main` reads like the pipeline:
//! parse arguments -> load suites -> validated plans -> run cells -> write
//! results (after every cell) -> summary.
//!
//! Exit codes: 0 success; 1 a run failed (a cell failed or results could
//! not be written); 2 a usage or suite error, reported as one message
//! before anything runs.

mod capacity;
mod check;
mod cli;
mod error;
mod execute;
mod gate;
mod measure;
mod output;
mod plan;
mod probe;
mod store;
#[cfg(test)]
mod test_support;
mod tune;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use clap::Parser;
use lsmlab_reports::{CellStatus, RunSettings};

use cli::{Cli, Command, PlanArgs, ProbeArgs, ReportArgs, RunArgs, SysinfoArgs, ValidateArgs};
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
        Command::Probe(args) => probe_command(args),
        Command::Plan(args) => plan_command(args),
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
/// anything runs. `store` is the `--store` flag: it overrides a suite's
/// `store:` and selects among swept stores (see `plan`).
fn plans(
    suites: &[PathBuf],
    only: Option<&str>,
    repeat: Option<u32>,
    store: Option<StoreKind>,
    sets: &[gate::set::SetArg],
    deterministic: bool,
) -> Result<Vec<Plan>, Error> {
    let only = only.map(OnlyFilter::parse).transpose()?;
    let checker = store.unwrap_or(StoreKind::Lsmlab).checker();
    suites
        .iter()
        .map(|path| {
            let mut suite = gate::set::load(path, sets, &checker).map_err(gate::GateError::Usage)?;
            suite.deterministic |= deterministic;
            if suite.deterministic {
                gate::deterministic::check(&suite).map_err(gate::GateError::Usage)?;
                gate::deterministic::apply(&mut suite);
            }
            Plan::new(suite, only.as_ref(), repeat, store, &checker)
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
        // The plan is valid for every store; `run` also needs them compiled in.
        for k in plan.stores() {
            if let Err(e) = k.require_compiled() {
                println!("  note: {e}");
            }
        }
        for w in check::matrix_warnings(plan) {
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

fn probe_command(args: ProbeArgs) -> Result<(), Error> {
    let queue_depth = args.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |t| t as usize,
    );
    let settings = probe::ProbeSettings {
        budget: args.duration,
        max_bytes: args.size,
        ..probe::ProbeSettings::new(&args.db_dir, queue_depth)
    };
    let figures = probe::run(&settings)?;
    print!("{}", probe::table::render(&figures));
    if let Some(out) = &args.out {
        save_probe(&figures, out)?;
        println!("probe: {}", out.display());
    }
    Ok(())
}

fn plan_command(args: PlanArgs) -> Result<(), Error> {
    let req = capacity::PlanRequest {
        results: args.results.clone(),
        dataset_bytes: args.dataset,
        mix: args.mix,
        value_size: args.value_size,
        device_probe: args.device_probe,
        hit_rate: args.hit_rate,
        threads: args.threads.map(|t| t as usize),
        cores: args.cores.map(|c| c as usize),
    };
    let plan = capacity::plan(&req)?;
    print!("{}", lsmlab_reports::render::capacity::text(&plan));
    let dir = args.out.unwrap_or_else(|| {
        let first = &args.results[0];
        if first.is_dir() {
            first.clone()
        } else {
            first
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        }
    });
    let page = capacity::save(&plan, &dir)?;
    println!("plan: {}", page.display());
    if dir.join("results.json").is_file() {
        // Re-render the run's report so report.html links the page.
        let out = lsmlab_reports::render_report(&dir, &lsmlab_reports::ReportOptions::default())?;
        print_report_location(&out);
    }
    Ok(())
}

/// Writes the probe's figures as pretty JSON.
fn save_probe(figures: &lsmlab_reports::DeviceProbe, out: &Path) -> Result<(), Error> {
    let io = |source| {
        Error::Probe(probe::error::ProbeError::Io {
            path: out.to_path_buf(),
            op: "write",
            source,
        })
    };
    let text = serde_json::to_string_pretty(figures).map_err(|e| io(std::io::Error::other(e)))?;
    std::fs::write(out, text + "\n").map_err(io)
}

/// `run --probe`: probes `db_root` at the plan's largest thread count.
fn probe_for_run(
    plan: &Plan,
    db_root: &Path,
    budget: Duration,
) -> Result<lsmlab_reports::DeviceProbe, Error> {
    let threads = plan
        .suite
        .phases
        .iter()
        .map(|p| p.common.threads)
        .max()
        .unwrap_or(1);
    println!(
        "probing the device under {} (queue depth 1 and {threads}) ...",
        db_root.display()
    );
    let figures = probe::run(&probe::ProbeSettings {
        budget,
        ..probe::ProbeSettings::new(db_root, threads)
    })?;
    print!("{}", probe::table::render(&figures));
    Ok(figures)
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
        plan.require_compiled()?;
        plan.order = args.repetition_order;
        for w in check::matrix_warnings(plan) {
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
    let mut host = measure::host::fingerprint(&db_root);
    if args.probe {
        host.probe = Some(probe_for_run(plan, &db_root, args.probe_duration)?);
    }
    let mut results = results_header(plan, args.interval, host);
    results.settings = RunSettings {
        deterministic: plan.suite.deterministic,
        set: args.set.iter().map(ToString::to_string).collect(),
        shard: args.shard,
        calibration_slowdown: args.calibrate_slowdown,
    };
    let mut writer = ResultsWriter::create(out, results)?;
    console.run_start(plan, &plan.store_names(), out);
    let settings = CellSettings {
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
        if let Some(p) = check::predict_cell(&plan.suite, c, &run.result) {
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
