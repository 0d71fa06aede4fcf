//! `lsmlab merge DIR... --out DIR`: joins shard results (lsmlab-reports'
//! `merge` checks them) and copies each cell's histogram files from the
//! shard it came from, so the merged directory re-renders and compares
//! like an unsharded run.

use std::path::{Path, PathBuf};

use lsmlab_reports::merge::merge;

use super::{GateError, load, results_file};

/// `lsmlab merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Shard results directories (from `lsmlab run --shard K/N`).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Directory for the merged results (must not hold results already).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// The directory holding `arg`'s results.json.
fn base_dir(arg: &Path) -> PathBuf {
    results_file(arg)
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Runs `merge`; warnings go to stderr.
pub fn run(args: &MergeArgs) -> Result<(), GateError> {
    let out_file = args.out.join("results.json");
    if out_file.exists() {
        return Err(GateError::Usage(format!(
            "--out {}: already holds a results.json; choose a new directory",
            args.out.display()
        )));
    }
    let mut parts = Vec::with_capacity(args.dirs.len());
    for (i, dir) in args.dirs.iter().enumerate() {
        let results = load(dir, &format!("part {}", i + 1))?;
        parts.push((dir.display().to_string(), results));
    }
    let merged = merge(&parts).map_err(|e| GateError::Usage(e.to_string()))?;
    for w in &merged.warnings {
        eprintln!("warning: {w}");
    }
    std::fs::create_dir_all(&args.out)
        .map_err(|e| GateError::Failed(format!("cannot create {}: {e}", args.out.display())))?;
    let mut missing = 0usize;
    for (cell, &source) in merged.results.cells.iter().zip(&merged.sources) {
        let from = base_dir(&args.dirs[source]);
        for files in cell.phases.iter().flat_map(|p| p.histograms.values()) {
            for rel in [&files.hlog, &files.hgrm] {
                let (src, dst) = (from.join(rel), args.out.join(rel));
                if !src.exists() {
                    missing += 1;
                    continue;
                }
                if let Some(parent) = dst.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| GateError::Failed(format!("cannot create {}: {e}", parent.display())))?;
                }
                std::fs::copy(&src, &dst).map_err(|e| {
                    GateError::Failed(format!("cannot copy {} to {}: {e}", src.display(), dst.display()))
                })?;
            }
        }
    }
    if missing > 0 {
        eprintln!(
            "warning: {missing} histogram file(s) named in the parts do not exist; their plots will be missing"
        );
    }
    merged
        .results
        .save(&out_file)
        .map_err(|e| GateError::Failed(e.to_string()))?;
    println!(
        "merged {} part(s), {} cell repetition(s): {}",
        parts.len(),
        merged.results.cells.len(),
        out_file.display()
    );
    Ok(())
}
