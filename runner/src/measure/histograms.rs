//! Latency histograms per operation type, one set per worker thread (no
//! sharing on the hot path), merged per sampling interval and per phase.
//!
//! Invariants:
//! - Values are nanoseconds. A histogram tracks 1 ns .. 1 hour
//!   (`lsmlab_reports::hdr::HIGHEST_TRACKABLE_NS`); a larger value is
//!   recorded as the ceiling *and counted* in [`LazyHistogram::clamped`], so
//!   a clamp is never silent. A zero is recorded as 1 ns.
//! - Slot `i` of [`OpHistograms`] holds the operation type with
//!   `OpKind::index() == i` (histogram name `OpKind::name()`); a slot is
//!   allocated on its first record (a histogram is ~270 KiB, so a worker
//!   that only reads never pays for a put histogram).

use lsmlab_reports::hdr::{HIGHEST_TRACKABLE_NS, LatencyHistogram, new_histogram};
use lsmlab_workloads::OpKind;

/// Number of operation types.
pub const OP_TYPES: usize = OpKind::ALL.len();

/// One latency histogram, allocated on first use, with its clamp count.
#[derive(Debug, Clone, Default)]
pub struct LazyHistogram {
    h: Option<Box<LatencyHistogram>>,
    clamped: u64,
}

impl LazyHistogram {
    /// Records one latency in nanoseconds.
    #[inline]
    pub fn record(&mut self, nanos: u64) {
        if nanos > HIGHEST_TRACKABLE_NS {
            self.clamped += 1;
        }
        self.histogram_mut().saturating_record(nanos.max(1));
    }

    /// The histogram, allocating it if needed.
    pub fn histogram_mut(&mut self) -> &mut LatencyHistogram {
        self.h.get_or_insert_with(|| Box::new(new_histogram()))
    }

    /// The histogram when it holds at least one value.
    pub fn get(&self) -> Option<&LatencyHistogram> {
        self.h.as_deref().filter(|h| !h.is_empty())
    }

    /// Values recorded.
    pub fn count(&self) -> u64 {
        self.get().map_or(0, |h| h.len())
    }

    /// Values above the ceiling that were recorded as the ceiling.
    pub fn clamped(&self) -> u64 {
        self.clamped
    }

    /// Adds `other` into `self`.
    pub fn add(&mut self, other: &LazyHistogram) {
        if let Some(theirs) = other.get() {
            // Same bounds on both sides, so adding cannot fail.
            let _ = self.histogram_mut().add(theirs);
        }
        self.clamped += other.clamped;
    }

    /// Empties the histogram, keeping its allocation.
    pub fn reset(&mut self) {
        if let Some(h) = self.h.as_mut() {
            h.reset();
        }
        self.clamped = 0;
    }
}

/// One histogram per operation type.
#[derive(Debug, Clone, Default)]
pub struct OpHistograms {
    slots: [LazyHistogram; OP_TYPES],
}

impl OpHistograms {
    /// Records one latency of an operation of type `kind`.
    #[inline]
    pub fn record(&mut self, kind: OpKind, nanos: u64) {
        self.slots[kind.index()].record(nanos);
    }

    /// Total values recorded over every type.
    pub fn count(&self) -> u64 {
        self.slots.iter().map(LazyHistogram::count).sum()
    }

    /// Adds every histogram of `other` into `self`.
    pub fn add(&mut self, other: &OpHistograms) {
        for (mine, theirs) in self.slots.iter_mut().zip(other.slots.iter()) {
            mine.add(theirs);
        }
    }

    /// Empties every histogram (allocations kept).
    pub fn reset(&mut self) {
        self.slots.iter_mut().for_each(LazyHistogram::reset);
    }

    /// Non-empty histograms with their type names, in `OpKind::ALL` order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &LazyHistogram)> {
        OpKind::ALL
            .iter()
            .zip(self.slots.iter())
            .filter(|(_, h)| h.count() > 0)
            .map(|(kind, h)| (kind.name(), h))
    }

    /// All types merged into one histogram.
    pub fn combined(&self) -> LazyHistogram {
        let mut all = LazyHistogram::default();
        for (_, h) in self.iter() {
            all.add(h);
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_merge_and_reset() {
        let mut a = OpHistograms::default();
        let mut b = OpHistograms::default();
        for i in 1..=100 {
            a.record(OpKind::Get, i * 10);
            b.record(OpKind::Put, i * 1000);
        }
        b.record(OpKind::Get, 5);
        let mut total = OpHistograms::default();
        total.add(&a);
        total.add(&b);
        assert_eq!(total.count(), 201);
        let names: Vec<&str> = total.iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec!["get", "put"]);
        assert_eq!(total.iter().next().unwrap().1.count(), 101);
        assert_eq!(total.combined().count(), 201);
        let combined_max = total.combined().get().unwrap().max();
        assert_eq!(combined_max, total.iter().nth(1).unwrap().1.get().unwrap().max());

        a.reset();
        assert_eq!(a.count(), 0);
        assert_eq!(a.iter().count(), 0, "empty slots are skipped");
    }

    #[test]
    fn zero_latency_is_recorded_as_one_ns() {
        let mut a = OpHistograms::default();
        a.record(OpKind::Scan, 0);
        assert_eq!(a.count(), 1);
        assert_eq!(a.iter().next().unwrap().1.get().unwrap().min(), 1);
    }

    #[test]
    fn values_above_the_ceiling_are_counted_not_silently_clamped() {
        // Before: a 2-hour stall was recorded as 1 hour and nobody knew.
        let mut a = OpHistograms::default();
        a.record(OpKind::Get, 7_200 * 1_000_000_000);
        a.record(OpKind::Get, u64::MAX);
        a.record(OpKind::Get, HIGHEST_TRACKABLE_NS);
        a.record(OpKind::Put, 10);
        let get = a.iter().next().unwrap().1;
        assert_eq!(get.count(), 3);
        assert_eq!(get.clamped(), 2, "exactly the two values above 1 hour");
        let mut merged = OpHistograms::default();
        merged.add(&a);
        merged.add(&a);
        assert_eq!(merged.combined().clamped(), 4);
        merged.reset();
        assert_eq!(merged.combined().clamped(), 0);
    }
}
