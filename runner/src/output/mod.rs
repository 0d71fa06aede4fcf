//! Output: the console (progress, db_bench lines, amplification) and the
//! results directory writer, and the UTC timestamps both use.

#[cfg(test)]
mod cell_runs;
pub mod console;
pub mod timestamp;
pub mod writer;
