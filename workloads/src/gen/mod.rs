//! Generation: what each worker thread does, deterministically.
//!
//! [`rng`] seeds a stream per (suite, cell, repetition, phase, thread);
//! [`keys`] formats key numbers, [`values`] serves values of a target
//! compressibility; [`distribution`], [`chooser`], [`zipf`] and
//! [`permutation`] pick key numbers from the [`keyspace`] (the cell's
//! acknowledged keys); [`op`] and [`opstream`] turn a phase
//! into operations.

pub mod chooser;
pub mod distribution;
pub mod keys;
pub mod keyspace;
pub mod op;
pub mod opstream;
pub mod permutation;
pub mod rng;
pub mod values;
pub mod zipf;
