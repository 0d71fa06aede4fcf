//! [`Run`]: the model's picture of a sorted run (an L0 table or a level)
//! as counts, and the merge of two runs.
//!
//! A run holds `entries` distinct keys, spread uniformly over the fraction
//! of the key space it covers. `new` counts the entries that are the oldest
//! version of their key (first writes); the rest have an older version in
//! some deeper run, so only they can collide with older runs. Merging a
//! newer run `a` into an older run `b` over the same key range drops the
//! collisions (Lim et al., "Towards Accurate and Fast Evaluation of
//! Multi-Stage Log-Structured Designs", FAST'16: keys of a uniform workload
//! are independent of the run that holds their older version):
//!
//! ```text
//! collisions = (a.entries - a.new) * b.entries / live_keys
//! out.entries = a.entries + b.entries - collisions     out.new = a.new + b.new
//! ```
//!
//! At the bottom of the tree tombstones are dropped with what they shadow.

use crate::model::options::Codec;
use crate::model::sizes::{EntryBytes, Layout, TABLE_FIXED_BYTES, entry_bytes};

/// A sorted run in counts (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Run {
    /// Distinct keys (tombstones included).
    pub entries: f64,
    /// Entries that are the oldest version of their key.
    pub new: f64,
    /// Point tombstones among the entries.
    pub tombs: f64,
    /// Bytes on disk (data + index + filter + fixed).
    pub bytes: f64,
    /// Uncompressed data block bytes (what a block cache would hold).
    pub raw: f64,
    /// Index block bytes.
    pub index: f64,
    /// Filter block bytes.
    pub filter: f64,
    /// Written in key order only (does not overlap other such runs' data).
    pub seq: bool,
    /// Compression of the last write into it.
    pub codec: Codec,
}

impl Run {
    /// An empty run.
    pub fn empty() -> Run {
        Run {
            entries: 0.0,
            new: 0.0,
            tombs: 0.0,
            bytes: 0.0,
            raw: 0.0,
            index: 0.0,
            filter: 0.0,
            seq: true,
            codec: Codec::None,
        }
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries <= 0.5 && self.bytes <= 0.5
    }

    /// The share `g` (0..=1) of the run's key range.
    pub fn scaled(&self, g: f64) -> Run {
        Run {
            entries: self.entries * g,
            new: self.new * g,
            tombs: self.tombs * g,
            bytes: self.bytes * g,
            raw: self.raw * g,
            index: self.index * g,
            filter: self.filter * g,
            ..*self
        }
    }

    /// `self - part` (part taken from this run), clamped at zero.
    pub fn minus(&self, part: &Run) -> Run {
        Run {
            entries: (self.entries - part.entries).max(0.0),
            new: (self.new - part.new).max(0.0),
            tombs: (self.tombs - part.tombs).max(0.0),
            bytes: (self.bytes - part.bytes).max(0.0),
            raw: (self.raw - part.raw).max(0.0),
            index: (self.index - part.index).max(0.0),
            filter: (self.filter - part.filter).max(0.0),
            ..*self
        }
    }

    /// `self + part` (disjoint key ranges or a move).
    pub fn plus(&self, part: &Run) -> Run {
        if self.is_empty() {
            return *part;
        }
        Run {
            entries: self.entries + part.entries,
            new: self.new + part.new,
            tombs: self.tombs + part.tombs,
            bytes: self.bytes + part.bytes,
            raw: self.raw + part.raw,
            index: self.index + part.index,
            filter: self.filter + part.filter,
            seq: self.seq && part.seq,
            codec: part.codec,
        }
    }
}

/// Counts of a merge's output (bytes not yet assigned). `live` is the number
/// of live keys in the key range the merge covers (all live keys for a
/// whole-range merge, `share * live` for a level compaction of a `share`
/// of the key range): an overwrite in `a` collides with `b` with the
/// probability that `b` holds its key, `b.entries / live`.
pub fn merge_counts(a: &Run, b: &Run, live: f64, bottom: bool) -> Run {
    let over = (a.entries - a.new).max(0.0);
    let p = if live > 0.0 {
        (b.entries / live).min(1.0)
    } else {
        0.0
    };
    let collisions = over * p;
    let shadowed_tombs = if b.entries > 0.0 {
        collisions * b.tombs / b.entries
    } else {
        0.0
    };
    let mut tombs = a.tombs + b.tombs - shadowed_tombs;
    let mut entries = a.entries + b.entries - collisions;
    if bottom {
        entries -= tombs;
        tombs = 0.0;
    }
    Run {
        entries: entries.max(0.0),
        new: (a.new + b.new).min(entries.max(0.0)),
        tombs: tombs.max(0.0),
        seq: a.seq && b.seq,
        ..Run::empty()
    }
}

/// Assigns on-disk bytes to `run`, written with `codec` as tables of
/// `file_size` bytes covering `range` (fraction) of a key space of
/// `key_space` key numbers; tombstones cost their key part only.
pub fn encode(run: Run, layout: &Layout, codec: Codec, range: f64, key_space: f64, file_size: f64) -> Run {
    if run.entries <= 0.0 {
        return Run {
            codec,
            ..Run::empty()
        };
    }
    let gap = key_space * range.clamp(0.0, 1.0) / run.entries;
    let e: EntryBytes = entry_bytes(layout, codec, gap);
    let value_bytes = match codec {
        Codec::None => layout.value_size,
        _ => (e.data
            - entry_bytes(
                &Layout {
                    value_size: 0.0,
                    ..*layout
                },
                codec,
                gap,
            )
            .data)
            .max(0.0),
    };
    let data = run.entries * e.data - run.tombs.min(run.entries) * value_bytes;
    let stored = data + run.entries * (e.index + e.filter);
    let tables = (stored / file_size.max(1.0)).ceil().max(1.0);
    Run {
        bytes: stored + tables * TABLE_FIXED_BYTES,
        raw: run.entries * e.data_raw - run.tombs * layout.value_size,
        index: run.entries * e.index,
        filter: run.entries * e.filter,
        codec,
        ..run
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(entries: f64, new: f64) -> Run {
        Run {
            entries,
            new,
            bytes: entries,
            ..Run::empty()
        }
    }

    #[test]
    fn first_writes_never_collide() {
        // A fill: both runs hold only first writes; nothing is dropped.
        let m = merge_counts(&run(100.0, 100.0), &run(300.0, 300.0), 1000.0, false);
        assert_eq!(m.entries, 400.0);
        assert_eq!(m.new, 400.0);
    }

    #[test]
    fn overwrites_collide_in_proportion_to_the_older_run() {
        // 100 overwrites into a run holding 400 of 1000 live keys: 40 collide.
        let m = merge_counts(&run(100.0, 0.0), &run(400.0, 400.0), 1000.0, false);
        assert!((m.entries - 460.0).abs() < 1e-9);
        assert_eq!(m.new, 400.0);
        // The older run holds every live key: every overwrite collides.
        let m = merge_counts(&run(100.0, 0.0), &run(1000.0, 1000.0), 1000.0, false);
        assert!((m.entries - 1000.0).abs() < 1e-9);
    }

    #[test]
    fn a_partial_merge_compares_with_the_live_keys_of_its_range() {
        // 10 overwrites merged with the 40 entries a level holds in a 5%
        // share of 1000 live keys (50 of them): 10 * 40 / 50 = 8 collide.
        let m = merge_counts(&run(10.0, 0.0), &run(40.0, 40.0), 0.05 * 1000.0, false);
        assert!((m.entries - 42.0).abs() < 1e-9, "{}", m.entries);
    }

    #[test]
    fn tombstones_vanish_at_the_bottom() {
        let a = Run {
            tombs: 50.0,
            ..run(100.0, 0.0)
        };
        let b = run(1000.0, 1000.0);
        let kept = merge_counts(&a, &b, 1000.0, false);
        assert_eq!(kept.tombs, 50.0);
        assert!((kept.entries - 1000.0).abs() < 1e-9);
        let bottom = merge_counts(&a, &b, 1000.0, true);
        assert_eq!(bottom.tombs, 0.0);
        assert!((bottom.entries - 950.0).abs() < 1e-9);
    }
}
