//! The compaction flow: the engine's leveled policy replayed on counts.
//!
//! Writes fill the memtable (`write_buffer_size / memtable_entry_bytes`
//! versions); a full memtable flushes to one L0 table holding its distinct
//! keys. Compactions run on a clock ([`clock`]): busy workers leave flushed
//! tables in L0, so compactions take what piled up (in the engine's
//! deterministic mode, every flush is followed by all the compactions it
//! makes due). Work is chosen as the engine's picker
//! does (`engine/src/compaction/picker.rs`, RocksDB's leveled compaction):
//! the highest score first, L0 by file count / `l0_compaction_trigger`, Ln
//! by bytes / target ([`super::targets`]).
//!
//! - **L0 -> base level** merges every L0 table with the base level's
//!   overlapping data: all of it for random keys, none for key-ordered
//!   writes.
//! - **Ln -> Ln+1** moves one table of `target_file_size(n)` bytes, a share
//!   `g = file / bytes(Ln)` of Ln's key range, and rewrites the share of
//!   Ln+1 it overlaps: `g * bytes(Ln+1)` plus one boundary table, so each
//!   byte moved down costs about `1 + bytes(Ln+1) / bytes(Ln)` bytes
//!   written, the per-level write amplification of leveled compaction in
//!   the RocksDB tuning guide and Dostoevsky (SIGMOD'18, §3: a full level
//!   rewrites `T` bytes of the level below per byte merged into it).
//! - Levels track the share of the key space their tables cover: a level
//!   fed by moves covers only what was moved into it, and while a table
//!   fits in its gaps the picker (least overlap first) moves it there
//!   instead of merging ([`Sim::compact_level`]).
//! - With nothing to overlap the table is moved (a metadata edit, no
//!   bytes written), unless its compression differs from its destination's
//!   (then it is rewritten, as the engine does).
//! - Outputs at the deepest level holding data use `bottommost_compression`
//!   and drop tombstones.
//! - Duplicate keys collapse in memtables (by the distribution's effective
//!   key count) and in merges ([`super::run`]).
//!
//! A `compact` phase pushes every level into the next down to the deepest
//! (the engine's manual compaction). What is still in the memtable at the
//! end is not flushed (the runner reads statistics before closing).
//!
//! The result counts bytes exactly as the engine's statistics do: flush
//! bytes into L0's row, compaction output bytes into the output level's
//! row, moved bytes apart.

mod clock;

use clock::{Clock, phase_seconds};

use crate::model::options::ModelOptions;
use crate::model::run::{Run, encode, merge_counts};
use crate::model::sizes::{Layout, memtable_entry_bytes, wal_bytes_per_put};
use crate::model::targets::{TargetConfig, base_level, level_targets};
use crate::model::workload::Workload;
use crate::suite::data::DataSpec;

/// Compactions simulated at most (a runaway guard; `truncated` says so).
const MAX_STEPS: usize = 2_000_000;

/// Work done into one level, as the engine's per-level statistics count it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LevelWork {
    /// Bytes written into the level (flushes for L0).
    pub write_bytes: f64,
    /// Bytes moved into it by trivial moves.
    pub moved_bytes: f64,
    /// Bytes compactions into it read (from both levels).
    pub read_bytes: f64,
    /// Compactions (flushes for L0) that wrote into it.
    pub count: f64,
}

/// The state at the end of the workload.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowOutcome {
    /// L0 tables, oldest first.
    pub l0: Vec<Run>,
    /// Levels 1.. (index 0 unused, kept empty).
    pub levels: Vec<Run>,
    /// Work per level (index = level).
    pub work: Vec<LevelWork>,
    /// Targets at the end (index = level).
    pub targets: Vec<Option<f64>>,
    /// User key + value bytes written.
    pub user_bytes: f64,
    /// WAL bytes written.
    pub wal_bytes: f64,
    /// WAL bytes of writes still in the memtable (live WAL at the end).
    pub wal_live_bytes: f64,
    /// Flush bytes.
    pub flush_bytes: f64,
    /// Bytes written by compactions.
    pub compaction_bytes: f64,
    /// Live keys at the end.
    pub live_keys: f64,
    /// Key numbers in use (loaded plus inserted).
    pub key_space: f64,
    /// Versions still in the memtable.
    pub memtable_ops: f64,
    /// Compactions (L0 and Ln, not moves).
    pub compactions: f64,
    /// Stopped at [`MAX_STEPS`] compactions.
    pub truncated: bool,
}

struct Sim<'a> {
    o: &'a ModelOptions,
    layout: Layout,
    cfg: TargetConfig,
    key_space: f64,
    live: f64,
    mem_capacity: f64,
    mem: (f64, f64, f64),
    mem_eff: Option<f64>,
    mem_seq: bool,
    mem_wal: f64,
    l0: Vec<Run>,
    levels: Vec<Run>,
    work: Vec<LevelWork>,
    out: (f64, f64, f64, f64),
    compactions: f64,
    steps: usize,
    /// `None` in deterministic mode (compaction keeps up).
    clock: Option<Clock>,
    /// Bytes compactions read and wrote so far (their cost in time).
    io: f64,
    /// Point reads (all, of present keys) per write of the current phase.
    reads_per_write: (f64, f64),
    /// Share of the key space each level's tables cover (index = level).
    cover: Vec<f64>,
}

/// Replays `workload` on a tree configured by `o` holding `data`.
pub fn simulate(o: &ModelOptions, data: &DataSpec, workload: &Workload) -> FlowOutcome {
    let n = o.num_levels.max(2);
    let layout = Layout {
        key_size: data.key_size as f64,
        value_size: data.value_size as f64,
        compressibility: data.compressibility,
        block_size: o.block_size as f64,
        restart_interval: o.block_restart_interval as f64,
        bloom_bits: o.bloom_bits_per_key,
    };
    let mut sim = Sim {
        o,
        layout,
        cfg: TargetConfig {
            num_levels: n,
            base: o.max_bytes_for_level_base as f64,
            multiplier: o.max_bytes_for_level_multiplier,
            dynamic: o.level_compaction_dynamic_level_bytes,
        },
        key_space: data.keys as f64,
        live: 0.0,
        mem_capacity: (o.write_buffer_size as f64 / memtable_entry_bytes(layout.key_size, layout.value_size))
            .max(1.0),
        mem: (0.0, 0.0, 0.0),
        mem_eff: None,
        mem_seq: true,
        mem_wal: 0.0,
        l0: Vec::new(),
        levels: vec![Run::empty(); n],
        work: vec![LevelWork::default(); n],
        out: (0.0, 0.0, 0.0, 0.0),
        compactions: 0.0,
        steps: 0,
        clock: (!o.deterministic).then(|| Clock::new(o.compaction_threads())),
        io: 0.0,
        reads_per_write: (0.0, 0.0),
        cover: vec![0.0; n],
    };
    for p in &workload.phases {
        sim.key_space = sim.key_space.max(data.keys as f64) + p.new_puts;
        let writes = p.new_puts + p.overwrites + p.deletes;
        let seconds = p.seconds.unwrap_or_else(|| {
            phase_seconds(&o.speed, writes, p.reads + p.missing_reads + p.scans, p.threads)
        });
        if let Some(c) = sim.clock.as_mut() {
            c.per_write = if writes > 0.0 { seconds / writes } else { 0.0 };
        }
        let reads = p.reads + p.missing_reads;
        sim.reads_per_write = if writes > 0.0 {
            (reads / writes, p.reads / writes)
        } else {
            (0.0, 0.0)
        };
        if writes <= 0.0 {
            sim.read_triggered(reads, p.reads);
            sim.advance(seconds);
        }
        sim.write(
            p.new_puts,
            p.overwrites,
            p.deletes,
            p.effective_keys,
            p.sequential,
            p.per_group,
        );
        if p.range_deleted > 0.0 {
            sim.live = (sim.live - p.range_deleted).max(0.0);
        }
        if p.flush {
            sim.flush();
            sim.compact_all();
        }
        if p.compact {
            sim.manual_compaction();
        }
        if p.wait {
            sim.wait_timed();
        }
    }
    let bytes = sim.level_bytes();
    FlowOutcome {
        targets: level_targets(&sim.cfg, &bytes),
        l0: sim.l0,
        levels: sim.levels,
        work: sim.work,
        user_bytes: sim.out.0,
        wal_bytes: sim.out.1,
        wal_live_bytes: sim.mem_wal,
        flush_bytes: sim.out.2,
        compaction_bytes: sim.out.3,
        live_keys: sim.live,
        key_space: sim.key_space,
        memtable_ops: sim.mem.0 + sim.mem.1 + sim.mem.2,
        compactions: sim.compactions,
        truncated: sim.steps >= MAX_STEPS,
    }
}

impl Sim<'_> {
    fn level_bytes(&self) -> Vec<f64> {
        let mut b: Vec<f64> = self.levels.iter().map(|r| r.bytes).collect();
        b[0] = self.l0.iter().map(|r| r.bytes).sum();
        b
    }

    fn deepest(&self) -> usize {
        (1..self.levels.len())
            .rev()
            .find(|&l| !self.levels[l].is_empty())
            .unwrap_or(0)
    }

    fn write(&mut self, new: f64, over: f64, dels: f64, eff: Option<f64>, seq: bool, per_group: f64) {
        let total = new + over + dels;
        if total <= 0.0 {
            return;
        }
        let (k, v) = (self.layout.key_size, self.layout.value_size);
        let (put_wal, del_wal) = (
            wal_bytes_per_put(k, v, per_group),
            wal_bytes_per_put(k, 0.0, per_group) - 1.0,
        );
        self.out.0 += (new + over) * (k + v) + dels * k;
        let wal = (new + over) * put_wal + dels * del_wal;
        self.out.1 += wal;
        self.live += new;
        self.live -= dels * (self.live / self.key_space.max(1.0)).min(1.0);
        self.mem_eff = eff;
        self.mem_seq = seq;
        let mut left = total;
        while left > 0.0 {
            let room = self.mem_capacity - (self.mem.0 + self.mem.1 + self.mem.2);
            let take = room.min(left);
            let share = take / total;
            self.mem.0 += new * share;
            self.mem.1 += over * share;
            self.mem.2 += dels * share;
            self.mem_wal += wal * share;
            left -= take;
            if let Some(c) = self.clock.as_mut() {
                c.now += take * c.per_write;
            }
            if self.mem.0 + self.mem.1 + self.mem.2 >= self.mem_capacity - 1e-6 {
                self.flush();
                self.compact_all();
                // The reads until the next flush charge the table just flushed.
                let (all, present) = self.reads_per_write;
                self.read_triggered(all * self.mem_capacity, present * self.mem_capacity);
            }
            if self.steps >= MAX_STEPS {
                return;
            }
        }
    }

    fn flush(&mut self) {
        let (new, over, dels) = self.mem;
        // Less than one entry is rounding left over from a full memtable.
        if new + over + dels < 1.0 {
            return;
        }
        // Workers that came free before this flush start from the tree without it.
        self.schedule();
        let repeats = over + dels;
        let distinct = match self.mem_eff {
            Some(e) if e > 0.0 => e * (1.0 - (-repeats / e).exp()),
            _ => repeats,
        };
        let tombs = if repeats > 0.0 {
            distinct * dels / repeats
        } else {
            0.0
        };
        let counts = Run {
            entries: new + distinct,
            new,
            tombs,
            seq: self.mem_seq,
            ..Run::empty()
        };
        let codec = self.o.level_codec(0);
        let run = encode(counts, &self.layout, codec, 1.0, self.key_space, f64::INFINITY);
        self.out.2 += run.bytes;
        self.work[0].write_bytes += run.bytes;
        self.work[0].count += 1.0;
        self.l0.push(run);
        self.mem = (0.0, 0.0, 0.0);
        self.mem_wal = 0.0;
        if let Some(c) = self.clock.as_mut() {
            c.last = c.now;
        }
    }

    /// Encodes merge output for `level` and books the work.
    /// `deepest` is measured before the compaction (inputs in place).
    fn output(&mut self, counts: Run, level: usize, deepest: usize, range: f64, read: f64) -> Run {
        let codec = self.o.output_codec(level, deepest);
        let run = encode(
            counts,
            &self.layout,
            codec,
            range,
            self.key_space,
            self.o.target_file_size(level),
        );
        self.io += read + run.bytes;
        let w = &mut self.work[level];
        w.write_bytes += run.bytes;
        w.read_bytes += read;
        w.count += 1.0;
        self.out.3 += run.bytes;
        self.compactions += 1.0;
        run
    }

    /// After a flush: the compactions that start now (timed), or all that
    /// are due (deterministic).
    fn compact_all(&mut self) {
        if self.clock.is_some() {
            self.schedule();
        } else {
            self.drain();
        }
    }

    /// Every compaction that is due, at once (the engine's deterministic mode).
    fn drain(&mut self) {
        while self.steps < MAX_STEPS {
            let Some(level) = self.pick() else {
                return;
            };
            self.steps += 1;
            self.run_level(level);
        }
    }

    /// The level the engine's picker compacts next (the highest score >= 1).
    fn pick(&self) -> Option<usize> {
        let bytes = self.level_bytes();
        let targets = level_targets(&self.cfg, &bytes);
        let mut best: Option<(usize, f64)> = None;
        let l0_score = self.l0.len() as f64 / self.o.l0_compaction_trigger.max(1) as f64;
        let n = self.levels.len();
        for level in 0..n - 1 {
            let score = if level == 0 {
                l0_score
            } else {
                match targets[level] {
                    Some(t) => bytes[level] / t.max(1.0),
                    None => 0.0,
                }
            };
            if score >= 1.0 && best.is_none_or(|(_, s)| score > s) {
                best = Some((level, score));
            }
        }
        best.map(|(level, _)| level)
    }

    /// Runs the compaction of `level` into the next (L0: into the base level).
    fn run_level(&mut self, level: usize) {
        if level == 0 {
            let base = base_level(&self.cfg, &self.level_bytes()).0.max(1);
            self.compact_l0(base);
        } else {
            self.compact_level(level);
        }
    }

    fn compact_l0(&mut self, base: usize) {
        let files = std::mem::take(&mut self.l0);
        let read: f64 = files.iter().map(|r| r.bytes).sum();
        let mut acc = files[0];
        for f in &files[1..] {
            acc = merge_counts(f, &acc, self.live, false);
        }
        let target = self.levels[base];
        let deepest = self.deepest();
        let bottom = base >= deepest;
        // L0 tables span the key space (random keys; key-ordered runs
        // never overlap, so coverage does not decide their moves).
        self.cover[base] = 1.0;
        if acc.seq && target.seq {
            if files.len() == 1 && files[0].codec == self.o.output_codec(base, deepest) {
                self.work[base].moved_bytes += files[0].bytes;
                self.levels[base] = target.plus(&files[0]);
                return;
            }
            let counts = merge_counts(&acc, &Run::empty(), self.live, bottom);
            let out = self.output(counts, base, deepest, 1.0, read);
            self.levels[base] = target.plus(&out);
        } else {
            let counts = merge_counts(&acc, &target, self.live, bottom);
            let out = self.output(counts, base, deepest, 1.0, read + target.bytes);
            self.levels[base] = out;
        }
    }

    /// One table of `level` into the next. Coverage: a table holding a
    /// share `g` of the level's bytes spans `w = g * cover(level)` of the key
    /// space. While the next level leaves `w` uncovered the picker (least
    /// overlap first) finds a table that overlaps nothing there and moves
    /// it; otherwise it overlaps `w / cover(next)` of the next level's bytes
    /// plus one boundary table.
    fn compact_level(&mut self, level: usize) {
        let src = self.levels[level];
        let file = self.o.target_file_size(level);
        let g = (file / src.bytes.max(1.0)).min(1.0);
        let w = (g * self.cover[level]).clamp(1e-9, 1.0);
        let a = src.scaled(g);
        let next = self.levels[level + 1];
        let deepest = self.deepest();
        self.levels[level] = src.minus(&a);
        self.cover[level] = if self.levels[level].is_empty() {
            0.0
        } else {
            (self.cover[level] - w).max(0.0)
        };
        let room = next.is_empty() || self.cover[level + 1] + w <= 1.0 + 1e-9;
        if room || (a.seq && next.seq) {
            if next.is_empty() {
                self.cover[level + 1] = 0.0;
            }
            self.cover[level + 1] = (self.cover[level + 1] + w).min(1.0);
            if a.codec == self.o.output_codec(level + 1, deepest) {
                self.work[level + 1].moved_bytes += a.bytes;
                self.levels[level + 1] = next.plus(&a);
            } else {
                let counts = merge_counts(&a, &Run::empty(), self.live * w, level + 1 >= deepest);
                let out = self.output(counts, level + 1, deepest, w, a.bytes);
                self.levels[level + 1] = next.plus(&out);
            }
            return;
        }
        let c = self.cover[level + 1].max(w);
        let boundary = self.o.target_file_size(level + 1) / next.bytes.max(1.0);
        let h = (w / c + boundary).min(1.0);
        let b = next.scaled(h);
        // Collisions are with the live keys of the range compacted, `h * c * live`.
        let counts = merge_counts(&a, &b, self.live * h * c, level + 1 >= deepest);
        let out = self.output(counts, level + 1, deepest, h * c, a.bytes + b.bytes);
        self.levels[level + 1] = next.minus(&b).plus(&out);
        // The output fills the holes of the next level in the table's range.
        self.cover[level + 1] = (c + w * (1.0 - c)).min(1.0);
    }

    fn manual_compaction(&mut self) {
        let deepest = self.deepest();
        if deepest == 0 && self.l0.is_empty() {
            return;
        }
        let deepest = deepest.max(1);
        if !self.l0.is_empty() {
            let files = std::mem::take(&mut self.l0);
            let read: f64 = files.iter().map(|r| r.bytes).sum();
            let mut acc = files[0];
            for f in &files[1..] {
                acc = merge_counts(f, &acc, self.live, false);
            }
            let next = self.levels[1];
            self.cover[1] = 1.0;
            let counts = merge_counts(&acc, &next, self.live, deepest == 1);
            self.levels[1] = self.output(counts, 1, deepest, 1.0, read + next.bytes);
        }
        for level in 1..deepest {
            let src = self.levels[level];
            if src.is_empty() {
                continue;
            }
            let next = self.levels[level + 1];
            self.levels[level] = Run::empty();
            self.cover[level] = 0.0;
            self.cover[level + 1] = 1.0;
            let counts = merge_counts(&src, &next, self.live, level + 1 == deepest);
            self.levels[level + 1] = self.output(counts, level + 1, deepest, 1.0, src.bytes + next.bytes);
        }
    }
}
