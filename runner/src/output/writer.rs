//! The results directory: `results.json` rewritten after every cell (so a
//! later failure loses nothing) and each phase's histograms in
//! HdrHistogram's standard forms.
//!
//! Layout of `--out DIR`:
//! ```text
//! results.json                                   the Results model (lsmlab-reports)
//! hist/<cell id>/<NN>-<phase>.<op>.hlog          interval log, one histogram per sample interval
//!                                                (streamed by the sampler while the phase runs)
//! hist/<cell id>/<NN>-<phase>.<op>.hgrm          percentile distribution of the whole phase (us)
//! <op> is an operation type (`get`, `put`, ...), `start_delay` (open
//! loop: actual minus intended start) or `writer_<op>` (read_while_writing).
//! ```
//! Invariant: paths stored in results are relative to DIR.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use lsmlab_reports::hdr::save_hgrm;
use lsmlab_reports::{BuildInfo, CellResult, HistogramFiles, Host, Results, SCHEMA_VERSION, SuiteInfo};

use super::timestamp::utc_timestamp;
use crate::error::Error;
use crate::execute::cell::CellRun;
use crate::execute::harness::harness;
use crate::execute::phase::HistogramSlot;
use crate::measure::hist_files;
use crate::plan::Plan;

/// The results of `plan` before any cell has run: suite, versions, build
/// fingerprint, store(s) (comma separated when the matrix sweeps `store`;
/// each cell also names its own), interval, start time, `host` and the
/// harness settings. The one place a results header is built.
pub fn results_header(plan: &Plan, interval: Duration, host: Host) -> Results {
    Results {
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
        build: build_info(),
        store: plan.store_names(),
        interval_seconds: interval.as_secs_f64(),
        started_at: utc_timestamp(SystemTime::now()),
        finished_at: None,
        host,
        settings: Default::default(),
        harness: harness(&plan.stores(), plan.order),
        cells: Vec::new(),
        predictions: Vec::new(),
        tune: None,
    }
}

/// This binary's build fingerprint, recorded by `runner/build.rs`.
pub fn build_info() -> BuildInfo {
    let features = env!("LSMLAB_BUILD_FEATURES");
    BuildInfo {
        rustc: env!("LSMLAB_BUILD_RUSTC").to_string(),
        profile: env!("LSMLAB_BUILD_PROFILE").to_string(),
        features: features
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect(),
        dirty: match env!("LSMLAB_BUILD_DIRTY") {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
    }
}

/// Writes one results directory.
#[derive(Debug)]
pub struct ResultsWriter {
    dir: PathBuf,
    results: Results,
}

impl ResultsWriter {
    /// Creates `dir` and writes the (cell-less) results file.
    pub fn create(dir: &Path, results: Results) -> Result<ResultsWriter, Error> {
        std::fs::create_dir_all(dir).map_err(|source| Error::CreateOutputDir {
            dir: dir.to_path_buf(),
            source,
        })?;
        let w = ResultsWriter {
            dir: dir.to_path_buf(),
            results,
        };
        w.save()?;
        Ok(w)
    }

    /// The results so far.
    pub fn results(&self) -> &Results {
        &self.results
    }

    /// The results so far, to add predictions or tune records; they are
    /// written with the next cell or [`ResultsWriter::finish`].
    pub fn results_mut(&mut self) -> &mut Results {
        &mut self.results
    }

    /// Saves a finished cell's `.hgrm` files, records every histogram's
    /// files (the `.hlog` were streamed while the phase ran), appends the
    /// cell and rewrites results.json.
    pub fn add_cell(&mut self, run: CellRun) -> Result<(), Error> {
        let CellRun {
            mut result,
            started,
            phases,
        } = run;
        result.started_at = utc_timestamp(started);
        let rel_dir = hist_files::cell_dir(&result.id);
        let abs_dir = self.dir.join(&rel_dir);
        if !phases.is_empty() {
            std::fs::create_dir_all(&abs_dir).map_err(|source| Error::CreateHistogramDir {
                dir: abs_dir.clone(),
                source,
            })?;
        }
        for (phase, phase_result) in phases.iter().zip(result.phases.iter_mut()) {
            for saved in phase.histograms() {
                let Some(total) = saved.histogram.get() else {
                    continue;
                };
                let file = |ext| {
                    hist_files::hist_file(
                        &rel_dir,
                        phase_result.index,
                        &phase_result.name,
                        &saved.file_name,
                        ext,
                    )
                };
                let (hlog, hgrm) = (file("hlog"), file("hgrm"));
                save_hgrm(&self.dir.join(&hgrm), total)?;
                let files = HistogramFiles {
                    hlog: slash_path(&hlog),
                    hgrm: slash_path(&hgrm),
                };
                match saved.slot {
                    HistogramSlot::Op(op) => {
                        phase_result.histograms.insert(op, files);
                    }
                    HistogramSlot::StartDelay => {
                        if let Some(o) = phase_result.open_loop.as_mut() {
                            o.start_delay_histogram = Some(files);
                        }
                    }
                    HistogramSlot::Writer(op) => {
                        if let Some(w) = phase_result.writer.as_mut() {
                            w.histograms.insert(op, files);
                        }
                    }
                }
            }
        }
        self.push(result)
    }

    fn push(&mut self, cell: CellResult) -> Result<(), Error> {
        self.results.cells.push(cell);
        self.save()
    }

    /// Marks the run finished and rewrites results.json.
    pub fn finish(&mut self) -> Result<(), Error> {
        self.results.finished_at = Some(utc_timestamp(SystemTime::now()));
        self.save()
    }

    fn save(&self) -> Result<(), Error> {
        Ok(self.results.save(&self.dir.join("results.json"))?)
    }
}

fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The git revision the runner was built from (recorded by build.rs), or
/// "unknown" outside a git checkout. Not the revision of the directory the
/// run starts in: that may be another project, or a tree committed to since.
pub fn git_revision() -> String {
    env!("LSMLAB_BUILD_GIT_REVISION").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_revision_is_the_build_trees_not_the_working_directorys() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let here = std::process::Command::new("git")
            .arg("-C")
            .arg(&root)
            .args(["rev-parse", "HEAD"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
        match here {
            Some(rev) => assert_eq!(git_revision(), rev),
            None => assert_eq!(git_revision(), "unknown"),
        }
    }

    #[test]
    fn header_records_the_build_fingerprint() {
        let b = build_info();
        assert!(b.rustc.starts_with("rustc "), "{}", b.rustc);
        // Tests build with the dev/test profile, which cargo reports as `debug`.
        assert_eq!(
            b.profile,
            if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
        );
        assert!(b.features.iter().all(|f| !f.is_empty()));
        let plan = Plan::new(
            crate::test_support::tiny_suite(),
            None,
            None,
            Some(crate::store::StoreKind::Null),
            &crate::test_support::AcceptAll,
        )
        .unwrap();
        let h = results_header(&plan, Duration::from_millis(250), Host::default());
        assert_eq!(h.build, b);
        assert_eq!((h.store.as_str(), h.interval_seconds), ("null", 0.25));
        assert_eq!(h.suite.repeat, plan.repeat);
        assert!(h.started_at.ends_with('Z') && h.finished_at.is_none());
    }

    #[test]
    fn paths_use_forward_slashes() {
        assert_eq!(
            slash_path(&PathBuf::from("hist").join("c000-r1").join("x.hlog")),
            "hist/c000-r1/x.hlog"
        );
    }
}
