//! Pure statistics over results: no I/O, so every formula is tested alone.
//!
//! - [`amplification`]: write, space and read amplification as RocksDB
//!   and we define them (docs/metrics.md).

pub mod amplification;
