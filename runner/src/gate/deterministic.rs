//! Deterministic mode on the runner side (`deterministic: true` in a suite,
//! or `run --deterministic`): only workloads whose operation sequence is
//! fixed by the seed may run, so the engine sees the same operations in the
//! same order every time.
//!
//! Refused, with one message naming the phase:
//! - `threads` > 1: the interleaving of several writers depends on thread
//!   timing (deterministic runs use one thread per phase);
//! - `duration:` phases and `warmup:`: how many operations run depends on
//!   the speed of the machine;
//! - `read_while_writing`: its writer runs until the readers finish.
//!
//! Open-loop `rate:` is allowed: it changes when operations start, not which.
//!
//! [`apply`] then sets the engine option `deterministic: true` in the
//! suite's `engine:` map, so every cell opens the engine in its
//! deterministic schedule (flush and compaction inline in the writing
//! thread; see `lsmlab_engine::Options::deterministic`) and the option shows
//! in each cell's recorded options.

use lsmlab_workloads::{PhaseKind, Suite};

/// Puts the engine in its deterministic schedule for every cell of `suite`.
pub fn apply(suite: &mut Suite) {
    suite
        .engine
        .insert("deterministic".into(), serde_json::Value::Bool(true));
}

/// Checks that `suite` can run deterministically; Err names the first
/// phase that cannot.
pub fn check(suite: &Suite) -> Result<(), String> {
    for (i, phase) in suite.phases.iter().enumerate() {
        let at = format!(
            "{}: deterministic mode: phase {} ({})",
            suite.file,
            i + 1,
            phase.name
        );
        let c = &phase.common;
        if matches!(phase.kind, PhaseKind::ReadWhileWriting { .. }) {
            return Err(format!(
                "{at}: read_while_writing's writer runs until its readers finish, so the writes depend on timing; use separate read and write phases"
            ));
        }
        if c.threads > 1 {
            return Err(format!(
                "{at} has threads: {}; deterministic runs use one thread per phase (several threads interleave by timing); set threads: 1 or drop deterministic mode",
                c.threads
            ));
        }
        if c.duration.is_some() {
            return Err(format!(
                "{at} is bound by duration; the number of operations would depend on the machine's speed; give it ops: instead"
            ));
        }
        if c.warmup.is_some() {
            return Err(format!(
                "{at} has a warmup; its operation count depends on the machine's speed; drop warmup in deterministic mode"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::suite_from_yaml;

    fn suite(phase: &str) -> Suite {
        suite_from_yaml(&format!(
            "name: d\ndata: {{keys: 1000}}\nphases:\n  - fill: {{}}\n  - {phase}\n"
        ))
    }

    #[test]
    fn timing_dependent_phases_are_refused_by_name() {
        assert_eq!(check(&suite("overwrite: {ops: 100, rate: 1000}")), Ok(()));
        let e = check(&suite("overwrite: {ops: 100, threads: 2}")).unwrap_err();
        assert!(
            e.starts_with("test.yaml: deterministic mode: phase 2 (overwrite) has threads: 2;"),
            "{e}"
        );
        let e = check(&suite("read_random: {duration: 1s}")).unwrap_err();
        assert!(e.contains("phase 2 (read_random) is bound by duration"), "{e}");
        let e = check(&suite("read_random: {ops: 10, warmup: 1s}")).unwrap_err();
        assert!(e.contains("has a warmup"), "{e}");
        let e = check(&suite("read_while_writing: {ops: 100}")).unwrap_err();
        assert!(e.contains("read_while_writing's writer"), "{e}");
    }
}
