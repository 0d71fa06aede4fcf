//! lsmlab-workloads: what a benchmark does, not how it is timed.
//!
//! A suite file (YAML) is parsed and validated into a [`Suite`]
//! ([`load_suite`], [`parse_suite`]); its matrix expands into [`Cell`]s;
//! each phase's work per thread comes from an [`OpStream`], deterministic
//! for (suite seed, cell, repetition, phase, thread) — see [`stream_seed`].
//! Keys are fixed-width zero-padded numbers ([`keygen`]), values come from a
//! pool with a target compressibility ([`valuegen`]), and key choice follows
//! a [`Distribution`]. The YAML format is documented in `workloads/docs/suite_format.md`.
//!
//! Invariants: nothing here panics on suite input; every suite problem is a
//! [`SuiteError`] with file, line and column. Generation allocates nothing
//! per operation.

pub mod cells;
pub mod check;
pub mod chooser;
pub mod distribution;
pub mod error;
pub mod keygen;
pub mod keyspace;
mod load;
mod locate;
pub mod numbers;
pub mod op;
pub mod opstream;
pub mod permutation;
pub mod phase;
mod phase_de;
mod phase_fields;
pub mod rng;
pub mod schema;
pub mod suggest;
pub mod valuegen;
pub mod zipf;

pub use cells::Cell;
pub use check::OptionChecker;
pub use chooser::KeyChooser;
pub use distribution::Distribution;
pub use error::SuiteError;
pub use keygen::KeyFormatter;
pub use keyspace::KeySpace;
pub use load::{load_suite, parse_suite};
pub use op::{BatchEntry, Op, OpKind};
pub use opstream::OpStream;
pub use phase::{CommonFields, Order, PHASE_KINDS, Phase, PhaseKind};
pub use phase_fields::{MAX_BATCH, MAX_THREADS, fields_of};
pub use rng::{WorkloadRng, stream_seed};
pub use schema::{DataSpec, Suite};
pub use valuegen::ValuePool;
