//! lsmlab-units: the one parser per unit that the CLI, the suite files and
//! the engine options all use, so `2M`, `64MiB` and `1m30s` mean the same
//! everywhere.
//!
//! A leaf crate (std and serde only) because the engine depends on none of
//! lsmlab's other crates and must still read sizes such as `"8MiB"` in its
//! `Options`.
//!
//! | unit | accepted | rejected |
//! |---|---|---|
//! | count ([`parse_count`]) | `1000`, `50k`, `2M`, `1.5M`, `2_000`, `1G` = `1B` = 10^9, `1T` | `1.5` (not whole), `2X`, `-1`, `1e6` |
//! | rate ([`parse_rate`]) | `50000`, `50k`, `1.5M`, `0.5` | `2X`, `-1` |
//! | size ([`parse_size`]) | `4096`, `64MiB`, `4 KiB`, `1GB`, `512k`, `1.5KiB` = 1536 | `1.3B`, `0.3B`, `1.1KiB` (not a whole number of bytes), `-5`, `64XB` |
//! | duration ([`parse_duration`]) | `30s`, `500ms`, `2m`, `1h`, `1m30s`, `1.5s`, `250us`, `250µs`, `10ns` | `30` (no unit), `3y`, `0.5ns` |
//!
//! Rules, the same for every unit:
//! - A number is decimal digits with an optional fraction (`1.5`); `_`
//!   separates digit groups; no sign and no exponent. Spaces around the
//!   text and between number and unit are ignored.
//! - Counts and sizes are computed exactly (no floating point): a
//!   fraction is accepted only when the result is whole (`1.5M` =
//!   1 500 000, `1.5KiB` = 1536, but `1.3B` is rejected, never rounded).
//! - Count suffixes are decimal (k = 10^3, M = 10^6, G or B = 10^9, T =
//!   10^12), like db_bench's `--num`. Size units are case-insensitive:
//!   binary `K`/`KiB` = 1024, `M`/`MiB`, `G`/`GiB`, `T`/`TiB`; decimal `KB` =
//!   1000, `MB`, `GB`, `TB`; `B` or nothing = bytes.
//! - A duration needs a unit, always (a bare `30` could be seconds or
//!   milliseconds): ns, us (or µs), ms, s (or sec), m (or min), h; parts
//!   add up (`1m30s`) and the total must be a whole number of nanoseconds.
//!
//! Every parser returns [`ParseError`] (never panics) whose message says
//! what was expected and quotes what was found. The serde wrappers
//! ([`Count`], [`Size`], [`HumanDuration`], [`Rate`], [`PositiveInt`]) and
//! [`size_serde`] accept a YAML/JSON integer or a string, so the position of
//! a bad value is reported by the deserializer.

mod de;
mod decimal;
mod duration;
mod error;
mod scaled;

pub use de::{Count, HumanDuration, PositiveInt, Rate, Size, serialize_opt_duration, size_serde};
pub use duration::{format_duration, parse_duration};
pub use error::ParseError;
pub use scaled::{parse_count, parse_rate, parse_size};
