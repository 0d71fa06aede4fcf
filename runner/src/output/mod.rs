//! Output: the console (progress, db_bench lines, amplification) and the
//! results directory writer.

#[cfg(test)]
mod cell_runs;
pub mod console;
pub mod writer;
