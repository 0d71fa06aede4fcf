//! Regression tests for the engine defects of issue 7 (and the error and
//! compaction-filter items of issue 13): each test reproduces one defect
//! through the public API and failed before its fix. The module names the
//! area; each test names its scenario.

mod support;

mod close;
mod errors;
mod filter;
mod inflight_reads;
mod limits;
mod manifest;
mod recovery;
mod wal;
