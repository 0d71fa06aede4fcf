//! Output: the console (progress, db_bench lines, amplification) and the
//! results directory writer.

pub mod console;
pub mod writer;
