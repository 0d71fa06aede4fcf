//! [`Harness`]: how this build measures, recorded in every results file so
//! a reader can judge the numbers (timer slack, spin margins, page cache,
//! repetition order). Definitions: docs/metrics.md.

use lsmlab_reports::Harness;

use super::schedule::{MAX_SPIN, MIN_SPIN};
use crate::measure::timer;
use crate::plan::RepetitionOrder;
use crate::store::StoreKind;

/// The harness settings of a run against `store` with repetitions in `order`.
pub fn harness(store: StoreKind, order: RepetitionOrder) -> Harness {
    // Timer slack is per thread: ask a scratch thread what a worker would get.
    let timer_slack_ns = std::thread::spawn(timer::reduce_timer_slack)
        .join()
        .ok()
        .flatten();
    let on_disk = store == StoreKind::Lsmlab;
    let note = if on_disk {
        "Reads may be served by the OS page cache: the bundled engine uses buffered I/O \
         (no O_DIRECT). Use `drop_caches: true` on a phase for cold reads where permitted, \
         and a data set larger than memory for device-bound figures."
    } else {
        "In-process store: no files, no page cache."
    };
    Harness {
        repetition_order: order.name().to_string(),
        timer_slack_ns,
        spin_margin_ns: [MIN_SPIN.as_nanos() as u64, MAX_SPIN.as_nanos() as u64],
        page_cache_reads: on_disk,
        direct_io: false,
        note: note.to_string(),
    }
}
