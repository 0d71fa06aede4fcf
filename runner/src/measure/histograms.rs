//! Latency histograms per operation type, one set per worker thread (no
//! sharing on the hot path), merged per phase and per sampling interval.
//!
//! Invariants: slot `i` holds latencies, in nanoseconds, of the operation
//! type with `OpKind::index() == i` (histogram name `OpKind::name()`); a slot is allocated on its first record (a histogram is
//! ~270 KiB, so a worker that only reads never pays for a put histogram).

use lsmlab_reports::hdr::{LatencyHistogram, new_histogram};
use lsmlab_workloads::OpKind;

/// Number of operation types.
pub const OP_TYPES: usize = OpKind::ALL.len();

/// One histogram per operation type.
#[derive(Debug, Clone, Default)]
pub struct OpHistograms {
    slots: [Option<Box<LatencyHistogram>>; OP_TYPES],
}

impl OpHistograms {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one latency of an operation of type `kind`.
    #[inline]
    pub fn record(&mut self, kind: OpKind, nanos: u64) {
        self.slots[kind.index()]
            .get_or_insert_with(|| Box::new(new_histogram()))
            .saturating_record(nanos.max(1));
    }

    /// Total values recorded over every type.
    pub fn count(&self) -> u64 {
        self.slots.iter().flatten().map(|h| h.len()).sum()
    }

    /// Adds every histogram of `other` into `self`.
    pub fn add(&mut self, other: &OpHistograms) {
        for (mine, theirs) in self.slots.iter_mut().zip(other.slots.iter()) {
            if let Some(theirs) = theirs.as_deref().filter(|h| !h.is_empty()) {
                let mine = mine.get_or_insert_with(|| Box::new(new_histogram()));
                // Same bounds on both sides, so adding cannot fail.
                let _ = mine.add(theirs);
            }
        }
    }

    /// Moves every value of `self` into `into`, leaving `self` empty but
    /// keeping its allocations.
    pub fn drain_into(&mut self, into: &mut OpHistograms) {
        into.add(self);
        self.reset();
    }

    /// Empties every histogram (allocations kept).
    pub fn reset(&mut self) {
        for h in self.slots.iter_mut().flatten() {
            h.reset();
        }
    }

    /// Non-empty histograms with their type names, in `OpKind::ALL` order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &LatencyHistogram)> {
        OpKind::ALL
            .iter()
            .zip(self.slots.iter())
            .filter_map(|(kind, h)| h.as_deref().filter(|h| !h.is_empty()).map(|h| (kind.name(), h)))
    }

    /// All types merged into one histogram.
    pub fn combined(&self) -> LatencyHistogram {
        let mut all = new_histogram();
        for (_, h) in self.iter() {
            let _ = all.add(h);
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_merge_and_drain() {
        let mut a = OpHistograms::new();
        let mut b = OpHistograms::new();
        for i in 1..=100 {
            a.record(OpKind::Get, i * 10);
            b.record(OpKind::Put, i * 1000);
        }
        b.record(OpKind::Get, 5);
        let mut total = OpHistograms::new();
        total.add(&a);
        total.add(&b);
        assert_eq!(total.count(), 201);
        let names: Vec<&str> = total.iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec!["get", "put"]);
        assert_eq!(total.iter().next().unwrap().1.len(), 101);
        assert_eq!(total.combined().len(), 201);
        assert_eq!(total.combined().max(), total.iter().nth(1).unwrap().1.max());

        let mut sink = OpHistograms::new();
        a.drain_into(&mut sink);
        assert_eq!(a.count(), 0);
        assert_eq!(sink.count(), 100);
        assert_eq!(a.iter().count(), 0, "empty slots are skipped");
    }

    #[test]
    fn zero_latency_is_recorded_as_one_ns() {
        let mut a = OpHistograms::new();
        a.record(OpKind::Scan, 0);
        assert_eq!(a.count(), 1);
        assert_eq!(a.iter().next().unwrap().1.min(), 1);
    }
}
