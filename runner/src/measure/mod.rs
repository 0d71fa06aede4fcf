//! Measuring: latency histograms per operation type, process counters
//! from procfs, and the host fingerprint. No timing policy lives here; the
//! `execute` module decides what to measure when.

pub mod histograms;
pub mod host;
pub mod procfs;
