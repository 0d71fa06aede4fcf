//! What execution reports while it runs, so measuring never depends on
//! printing: `execute` calls an [`Observer`], the console (in `output`)
//! implements it. Dependencies point one way: `output -> execute`.
//!
//! Order of calls for each phase: [`Observer::phase_started`], then any
//! number of [`Progress::update`] on the returned [`PhaseObserver`], then
//! exactly one of [`PhaseObserver::finished`] or [`PhaseObserver::failed`].

use lsmlab_reports::PhaseResult;
use lsmlab_workloads::Suite;

use super::phase::Progress;

/// Receives the progress and outcome of one running phase.
pub trait PhaseObserver: Progress {
    /// The phase finished with `result`.
    fn finished(&self, result: &PhaseResult);
    /// The phase failed (the cell reports why).
    fn failed(&self);
}

/// Told about every phase a cell runs.
pub trait Observer {
    /// Phase `index` of `suite` is starting.
    fn phase_started(&self, suite: &Suite, index: usize) -> Box<dyn PhaseObserver + '_>;
}

/// An observer that shows nothing (tests, and `lsmlab tune`, which prints
/// one line per trial instead).
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn update(&self, _ops: u64, _elapsed: std::time::Duration) {}
}

impl PhaseObserver for Silent {
    fn finished(&self, _result: &PhaseResult) {}
    fn failed(&self) {}
}

impl Observer for Silent {
    fn phase_started(&self, _suite: &Suite, _index: usize) -> Box<dyn PhaseObserver + '_> {
        Box::new(Silent)
    }
}
