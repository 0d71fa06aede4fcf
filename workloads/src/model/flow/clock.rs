//! The timed replay: compactions take time, so L0 piles up behind them.
//!
//! The engine runs `compaction_threads` compactions at once
//! ([`ModelOptions::compaction_threads`]) on background workers while
//! writers go on filling memtables; flushes have a thread of their own.
//! The replay keeps a clock:
//! - a write advances it by the phase's seconds per write (its measured or
//!   given wall time over its writes, else [`Speed`]'s put rate); a phase
//!   without writes advances it by its seconds;
//! - a worker that is free picks the next compaction from the tree as it
//!   is then (before a flush's table arrives, and again after) (the picker's rule, [`Sim::pick`]) and is busy for
//!   `(bytes read + bytes written) / (compaction_bytes_per_sec * p)`
//!   seconds, `p` the speed-up of its subcompactions
//!   ([`Speed::parallelism`]);
//! - the job's inputs leave their levels when it starts (the picker skips
//!   busy files, `engine/src/compaction/picker.rs`) and, to keep the
//!   replay simple, its outputs arrive then too;
//! - with `l0_stop_trigger` tables in L0, writes stop until an L0
//!   compaction ends (the engine's L0 stop); the L0 slowdown paces writes
//!   at 16 MiB/s, no slower than these writers, so it is not modelled;
//! - `wait_for_compaction` runs jobs until none is due and moves the clock
//!   to the end of the last;
//! - read-triggered compaction (LevelDB's seek compaction, the engine's
//!   `read_triggered_compaction`): a point read that looks past the first
//!   table it consults charges that table, and a table whose budget of
//!   `max(100, bytes / 16 KiB)` charges is spent is compacted. L0 tables
//!   are consulted first by every read, so once a phase has made
//!   `budget / miss` reads since the newest L0 table was flushed (`miss`:
//!   the share of reads it does not answer) L0 is compacted into the base
//!   level even below its trigger. Tables of deeper levels are charged a
//!   share each, and the engine nominates one table at a time, so the few
//!   they yield are left out.
//!
//! In the engine's deterministic mode there is no clock: every flush is
//! followed by all the compactions it makes due ([`Sim::drain`]).
//!
//! Invariant: `last <= now`, and a job never starts before `last` (the
//! tree it was picked from existed then).

use super::Sim;
use crate::model::speed::Speed;

/// Time in the timed replay (see the module doc), in seconds.
#[derive(Debug, Clone)]
pub(super) struct Clock {
    /// Now, for the writers.
    pub now: f64,
    /// When the tree last changed (a flush or a job's start).
    pub last: f64,
    /// When each compaction worker is next free.
    pub workers: Vec<f64>,
    /// Seconds per write of the phase being replayed.
    pub per_write: f64,
}

impl Clock {
    /// A clock at 0 with `threads` idle workers.
    pub fn new(threads: usize) -> Clock {
        Clock {
            now: 0.0,
            last: 0.0,
            workers: vec![0.0; threads.max(1)],
            per_write: 0.0,
        }
    }

    fn earliest(&self) -> (usize, f64) {
        self.workers
            .iter()
            .copied()
            .enumerate()
            .fold((0, f64::INFINITY), |b, (i, t)| if t < b.1 { (i, t) } else { b })
    }
}

/// Seconds a phase of `writes` writes and `reads` reads takes when its
/// wall time is unknown, at `speed`'s rates on `threads` client threads.
pub(super) fn phase_seconds(speed: &Speed, writes: f64, reads: f64, threads: f64) -> f64 {
    let t = threads.max(1.0).min(speed.cores.max(1.0));
    writes / (speed.put_ops_per_sec.max(1.0) * t) + reads / (speed.get_ops_per_sec.max(1.0) * t)
}

impl Sim<'_> {
    /// Runs one compaction picked now; returns the bytes it read and wrote
    /// and whether it was an L0 compaction, or `None` when nothing is due.
    fn run_one(&mut self) -> Option<(f64, bool)> {
        let level = self.pick()?;
        self.steps += 1;
        let before = self.io;
        self.run_level(level);
        Some((self.io - before, level == 0))
    }

    fn job_seconds(&self, io: f64) -> f64 {
        let s = &self.o.speed;
        io / (s.compaction_bytes_per_sec.max(1.0) * s.parallelism(self.o.max_subcompactions))
    }

    /// After a flush or a clock advance: free workers start what is due;
    /// with L0 at its stop trigger the writers wait for an L0 compaction.
    pub(super) fn schedule(&mut self) {
        while self.steps < super::MAX_STEPS {
            let Some(c) = self.clock.as_ref() else {
                return;
            };
            let (worker, free) = c.earliest();
            let stopped = self.l0.len() >= self.o.l0_stop_trigger.max(1);
            if free > c.now && !stopped {
                return;
            }
            let start = free.max(c.last);
            let Some((io, l0)) = self.run_one() else {
                let now = self.clock.as_ref().map_or(0.0, |c| c.now);
                if let Some(c) = self.clock.as_mut() {
                    c.workers[worker] = free.max(now);
                }
                return;
            };
            let end = start + self.job_seconds(io);
            if let Some(c) = self.clock.as_mut() {
                c.workers[worker] = end;
                c.last = start;
                if stopped {
                    c.now = c.now.max(if l0 { end } else { start });
                }
            }
        }
    }

    /// Moves the clock on by `seconds` (a phase without writes), running
    /// the jobs that fall due meanwhile.
    pub(super) fn advance(&mut self, seconds: f64) {
        if let Some(c) = self.clock.as_mut() {
            c.now += seconds.max(0.0);
        }
        self.schedule();
    }

    /// `wait_for_compaction`: every job until none is due, the clock at the
    /// end of the last one.
    pub(super) fn wait_timed(&mut self) {
        while self.steps < super::MAX_STEPS {
            let Some(c) = self.clock.as_ref() else {
                return;
            };
            let (worker, free) = c.earliest();
            let start = free.max(c.last);
            let Some((io, _)) = self.run_one() else {
                break;
            };
            let end = start + self.job_seconds(io);
            if let Some(c) = self.clock.as_mut() {
                c.workers[worker] = end;
                c.last = start;
            }
        }
        if let Some(c) = self.clock.as_mut() {
            let busy = c.workers.iter().copied().fold(c.now, f64::max);
            c.now = busy;
            c.last = busy;
        }
    }
}

/// Charges a table takes before reads nominate it (the engine's
/// `initial_allowed_seeks`: one per 16 KiB, at least 100).
pub(super) fn seek_budget(table_bytes: f64) -> f64 {
    (table_bytes / 16384.0).floor().max(100.0)
}

impl Sim<'_> {
    /// `reads` point reads (`present` of them of keys that exist) since the
    /// newest L0 table was flushed: a read-triggered L0 compaction when
    /// they spent its budget (timed replay only: in deterministic mode the
    /// nomination waits for the next inline point, which the model leaves out).
    pub(super) fn read_triggered(&mut self, reads: f64, present: f64) {
        if !self.o.read_triggered_compaction || self.clock.is_none() || reads <= 0.0 {
            return;
        }
        let Some(newest) = self.l0.last().copied() else {
            return;
        };
        let found = (newest.entries / self.live.max(1.0)).min(1.0) * (present / reads).min(1.0);
        let miss = 1.0 - found;
        if reads * miss < seek_budget(newest.bytes) {
            return;
        }
        let Some(c) = self.clock.as_ref() else {
            return;
        };
        let (worker, free) = c.earliest();
        let start = free.max(c.last);
        let before = self.io;
        let base = crate::model::targets::base_level(&self.cfg, &self.level_bytes())
            .0
            .max(1);
        self.steps += 1;
        self.compact_l0(base);
        let end = start + self.job_seconds(self.io - before);
        if let Some(c) = self.clock.as_mut() {
            c.workers[worker] = end;
            c.last = start;
        }
        self.schedule();
    }
}
