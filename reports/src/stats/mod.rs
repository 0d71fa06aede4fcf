//! Pure statistics (no I/O), in the manner of criterion's `stats/` and
//! benchstat's `benchmath`: repetition summaries (median, range, 95%
//! confidence interval of the median from order statistics) and the
//! Mann-Whitney U test that `compare` uses.
//!
//! - [`summary`]: [`Summary`] of one metric over a cell's repetitions.
//! - [`median_ci`]: which order statistics bound the median's interval.
//! - [`mann_whitney`]: the two-sided U test, exact for small samples.
//! - [`normal`]: the standard normal distribution both need.

pub mod mann_whitney;
pub mod median_ci;
pub mod normal;
pub mod summary;

pub use mann_whitney::{UTest, mann_whitney_u};
pub use summary::{CONFIDENCE, Summary};
