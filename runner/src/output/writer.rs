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
use std::time::SystemTime;

use lsmlab_reports::hdr::save_hgrm;
use lsmlab_reports::{CellResult, HistogramFiles, Results};

use crate::execute::cell::CellRun;
use crate::execute::phase::HistogramSlot;
use crate::measure::hist_files;

/// Writes one results directory.
#[derive(Debug)]
pub struct ResultsWriter {
    dir: PathBuf,
    results: Results,
}

impl ResultsWriter {
    /// Creates `dir` and writes the (cell-less) results file.
    pub fn create(dir: &Path, results: Results) -> Result<ResultsWriter, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create output directory {}: {e}", dir.display()))?;
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

    /// Saves a finished cell's `.hgrm` files, records every histogram's
    /// files (the `.hlog` were streamed while the phase ran), appends the
    /// cell and rewrites results.json.
    pub fn add_cell(&mut self, run: CellRun) -> Result<(), String> {
        let CellRun {
            mut result,
            started,
            phases,
        } = run;
        result.started_at = utc_timestamp(started);
        let rel_dir = hist_files::cell_dir(&result.id);
        let abs_dir = self.dir.join(&rel_dir);
        if !phases.is_empty() {
            std::fs::create_dir_all(&abs_dir).map_err(|e| format!("{}: {e}", abs_dir.display()))?;
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
                save_hgrm(&self.dir.join(&hgrm), total).map_err(|e| e.to_string())?;
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

    fn push(&mut self, cell: CellResult) -> Result<(), String> {
        self.results.cells.push(cell);
        self.save()
    }

    /// Marks the run finished and rewrites results.json.
    pub fn finish(&mut self) -> Result<(), String> {
        self.results.finished_at = Some(utc_timestamp(SystemTime::now()));
        self.save()
    }

    fn save(&self) -> Result<(), String> {
        self.results
            .save(&self.dir.join("results.json"))
            .map_err(|e| e.to_string())
    }
}

fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// `t` as RFC 3339 UTC with second precision (`2024-05-01T12:34:56Z`).
pub fn utc_timestamp(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s) = civil(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `t` as a compact UTC stamp for directory names (`20240501-123456`).
pub fn dir_timestamp(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s) = civil(t);
    format!("{y:04}{mo:02}{d:02}-{h:02}{mi:02}{s:02}")
}

/// UTC calendar fields of `t` (Howard Hinnant's days-to-civil algorithm).
fn civil(t: SystemTime) -> (i64, u32, u32, u32, u32, u32) {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

/// `git rev-parse HEAD` in the current directory, or "unknown".
pub fn git_revision() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_match_known_dates() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(utc_timestamp(t), "2023-11-14T22:13:20Z");
        assert_eq!(dir_timestamp(t), "20231114-221320");
        assert_eq!(utc_timestamp(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        // Leap day.
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(utc_timestamp(t), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn paths_use_forward_slashes() {
        assert_eq!(
            slash_path(&PathBuf::from("hist").join("c000-r1").join("x.hlog")),
            "hist/c000-r1/x.hlog"
        );
    }
}
