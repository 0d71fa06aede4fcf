//! The suite file: reading YAML into a validated [`Suite`](schema::Suite).
//!
//! `load` drives the two passes (`data:` first, then the rest);
//! [`schema`] and [`data`] are the top-level shapes; [`phase`],
//! `phase_de` and `phase_fields` the phases; [`cells`] the matrix;
//! [`check`] the cross-field and engine-option checks; [`tune`] the
//! `tune:` block; `locate` maps
//! serde paths to file positions; [`error`] and [`suggest`] make the
//! messages.

pub mod cells;
pub mod check;
pub mod data;
pub mod error;
mod load;
mod locate;
pub mod phase;
mod phase_de;
mod phase_fields;
pub mod schema;
pub mod suggest;
pub mod tune;

pub use load::{load_suite, parse_suite};
pub use phase_fields::{MAX_BATCH, MAX_THREADS, fields_of};
