//! Pure statistics (no I/O), in the manner of criterion's `stats/` and
//! benchstat's `benchmath`, so every formula is tested alone: repetition
//! summaries (median, range, 95% confidence interval of the median from
//! order statistics), the Mann-Whitney U test that `compare` uses, and the
//! amplification formulas.
//!
//! - [`summary`]: [`Summary`] of one metric over a cell's repetitions.
//! - [`median_ci`]: which order statistics bound the median's interval.
//! - [`mann_whitney`]: the two-sided U test, exact for small samples.
//! - [`normal`]: the standard normal distribution both need.
//! - [`amplification`]: write, space and read amplification as RocksDB
//!   and we define them (docs/metrics.md).

pub mod amplification;
pub mod mann_whitney;
pub mod median_ci;
pub mod normal;
pub mod summary;

pub use mann_whitney::{UTest, mann_whitney_u};
pub use summary::{CONFIDENCE, Summary};
