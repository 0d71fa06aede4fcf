//! Execution: running a plan's cells against a store, phase by phase.
//!
//! - [`cell`]: one cell on a fresh database (open, phases, close, amplification).
//! - [`phase`]: one phase (workers + sampler + before/after measurements).
//! - [`max_rate`]: the `max_rate` phase: windows of rising rates, bisected.
//! - [`worker`]: one thread's loop over its operation stream.
//! - [`sampler`]: the time series thread.
//! - [`schedule`]: open-loop intended start times and precise waiting.
//! - [`harness`]: the measurement settings recorded in results.
//! - [`observer`]: what execution reports while it runs (the console
//!   implements it; `execute` never depends on `output`).

pub mod cell;
pub mod harness;
pub mod max_rate;
pub mod observer;
pub mod phase;
pub mod sampler;
pub mod schedule;
pub mod worker;
