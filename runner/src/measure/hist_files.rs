//! Where a phase's histogram files go: `hist/<cell id>/<NN>-<phase>.<name>.{hlog,hgrm}`
//! under the results directory.
//!
//! Invariants: one function names every file, so the sampler (which
//! streams the `.hlog` while the phase runs) and the results writer (which
//! writes the `.hgrm` after it) agree; phase names are reduced to
//! `[A-Za-z0-9_-]` (`plan::sanitize`) so any name is a safe file name.

use std::path::{Path, PathBuf};

use crate::plan::sanitize;

/// The directory of a cell's histograms, relative to the results directory.
pub fn cell_dir(cell_id: &str) -> PathBuf {
    PathBuf::from("hist").join(cell_id)
}

/// `<dir>/<NN>-<phase>.<name>.<ext>`: the histogram `name` (`get`,
/// `start_delay`, `writer_put`, ...) of phase `index` called `phase`.
pub fn hist_file(dir: &Path, index: usize, phase: &str, name: &str, ext: &str) -> PathBuf {
    dir.join(format!("{index:02}-{}.{name}.{ext}", sanitize(phase)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_and_stable() {
        assert_eq!(
            hist_file(&cell_dir("c000-r1"), 3, "read_random#2", "get", "hlog"),
            PathBuf::from("hist/c000-r1/03-read_random_2.get.hlog")
        );
    }
}
