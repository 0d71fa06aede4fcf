//! [`Tally`]: everything a worker measured over a stretch of time, handed
//! to the sampler as one unit.
//!
//! Invariants:
//! - Counts and histograms travel together: a worker moves its whole tally
//!   under one lock, so an interval's op counts and its histograms always
//!   describe the same operations (the time series and the `.hlog` cannot
//!   drift apart), and the phase totals are the sum of the intervals.
//! - `ops` counts operations as the workload does (a batch of N writes is
//!   N, a `read_seq` chunk its entries), warmup included; latency is
//!   recorded once per store call and only after warmup.
//! - Point reads (`reads`) count gets, including the read of a
//!   read-modify-write; `found` of them returned a value. `bytes` counts the
//!   user bytes moved as db_bench does: key + value written, key + value of
//!   entries found (a miss moves nothing), key of a delete.

use super::histograms::{LazyHistogram, OpHistograms};

/// Counts and histograms of one worker (or a merge of several).
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Latency (intended start, or actual start when closed-loop, to the
    /// end of the call) of measured calls, per operation type.
    pub latency: OpHistograms,
    /// Start delay of measured open-loop calls: actual start minus
    /// intended start, the harness's own lateness.
    pub start_delay: LazyHistogram,
    /// Operations finished, warmup included.
    pub ops: u64,
    /// Of `ops`, those that finished during warmup.
    pub warmup_ops: u64,
    /// User bytes moved by measured operations.
    pub bytes: u64,
    /// Measured point reads.
    pub reads: u64,
    /// Measured point reads that found their key.
    pub found: u64,
}

impl Tally {
    /// Measured (non-warmup) operations.
    pub fn measured_ops(&self) -> u64 {
        self.ops - self.warmup_ops
    }

    /// Whether nothing at all was recorded.
    pub fn is_empty(&self) -> bool {
        self.ops == 0 && self.latency.count() == 0
    }

    /// Adds `other` into `self`.
    pub fn add(&mut self, other: &Tally) {
        self.latency.add(&other.latency);
        self.start_delay.add(&other.start_delay);
        self.ops += other.ops;
        self.warmup_ops += other.warmup_ops;
        self.bytes += other.bytes;
        self.reads += other.reads;
        self.found += other.found;
    }

    /// Empties the tally, keeping the histogram allocations.
    pub fn reset(&mut self) {
        self.latency.reset();
        self.start_delay.reset();
        self.ops = 0;
        self.warmup_ops = 0;
        self.bytes = 0;
        self.reads = 0;
        self.found = 0;
    }

    /// Moves everything into `into`, leaving `self` empty.
    pub fn drain_into(&mut self, into: &mut Tally) {
        into.add(self);
        self.reset();
    }
}

#[cfg(test)]
mod tests {
    use lsmlab_workloads::OpKind;

    use super::*;

    #[test]
    fn draining_moves_counts_and_histograms_together() {
        let mut w = Tally::default();
        w.latency.record(OpKind::Get, 100);
        w.latency.record(OpKind::Get, 200);
        w.start_delay.record(30);
        w.ops = 5;
        w.warmup_ops = 3;
        w.reads = 2;
        w.found = 1;
        w.bytes = 116;
        let mut sink = Tally::default();
        w.drain_into(&mut sink);
        w.drain_into(&mut sink);
        assert!(w.is_empty());
        assert_eq!(
            (sink.ops, sink.measured_ops(), sink.reads, sink.found),
            (5, 2, 2, 1)
        );
        assert_eq!(sink.latency.count(), 2);
        assert_eq!(sink.start_delay.count(), 1);
        assert_eq!(sink.bytes, 116);
    }
}
