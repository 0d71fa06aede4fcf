//! lsmlab-workloads: what a benchmark does, not how it is timed.
//!
//! A suite file (YAML) is parsed and validated into a [`Suite`]
//! ([`load_suite`], [`parse_suite`]); its matrix expands into [`Cell`]s;
//! each phase's work per thread comes from an [`OpStream`], deterministic
//! for (suite seed, cell, repetition, phase, thread) — see [`stream_seed`].
//! Keys are fixed-width zero-padded numbers ([`KeyFormatter`]), values come from a
//! pool with a target compressibility ([`ValuePool`]), and key choice follows
//! a [`Distribution`]. The YAML format is documented in `workloads/docs/suite_format.md`.
//!
//! Folders: [`suite`] reads and checks the YAML; [`model`] is the cost
//! model that predicts what a suite does to the tree; `gen` (folder `gen/`;
//! `gen` is a reserved word in edition 2024, hence the raw identifier)
//! generates keys, values and operations. Counts, sizes and durations are
//! parsed by `lsmlab-units`, the same parsers the CLI and the engine use.
//!
//! Invariants: nothing here panics on suite input; every suite problem is a
//! [`SuiteError`] with file, line and column. Generation allocates nothing
//! per operation.

pub mod r#gen;
pub mod model;
pub mod suite;

pub use r#gen::chooser::KeyChooser;
pub use r#gen::distribution::Distribution;
pub use r#gen::keys::KeyFormatter;
pub use r#gen::keyspace::KeySpace;
pub use r#gen::op::{BatchEntry, Op, OpKind};
pub use r#gen::opstream::OpStream;
pub use r#gen::rng::{WorkloadRng, stream_seed};
pub use r#gen::values::ValuePool;
pub use suite::cells::{Cell, render_pairs, render_value};
pub use suite::check::OptionChecker;
pub use suite::data::DataSpec;
pub use suite::error::SuiteError;
pub use suite::phase::{CommonFields, Mix, NO_MIX, Order, PHASE_KINDS, Phase, PhaseKind, RateSearch};
pub use suite::schema::{STORE_KEY, Suite};
pub use suite::{MAX_BATCH, MAX_THREADS, fields_of, load_suite, parse_suite};
