//! Measuring: latency histograms per operation type and the tallies
//! workers hand over, process counters from procfs, the page cache, the
//! timer slack, histogram file names and the host fingerprint. No timing
//! policy lives here; the `execute` module decides what to measure when.

pub mod hist_files;
pub mod histograms;
pub mod host;
pub mod page_cache;
pub mod procfs;
pub mod tally;
pub mod timer;
