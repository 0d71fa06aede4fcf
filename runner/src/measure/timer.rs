//! The calling thread's timer slack (Linux `PR_SET_TIMERSLACK`).
//!
//! Linux lets a sleep end up to the thread's timer slack (50 us by
//! default) late so it can batch wake-ups; an open-loop worker sleeping
//! towards an intended start would inherit that lateness. Workers with a
//! schedule set their slack to 1 ns before their first operation.
//!
//! Invariant: never fails a run; where the call is unsupported the slack
//! stays as it was and [`reduce_timer_slack`] returns `None`.

/// Sets this thread's timer slack to 1 ns; returns the slack now in effect
/// (nanoseconds), or `None` where it cannot be set.
pub fn reduce_timer_slack() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: prctl with PR_SET_TIMERSLACK / PR_GET_TIMERSLACK takes
        // plain integers and touches only the calling thread's settings.
        let set = unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong, 0, 0, 0) };
        if set != 0 {
            return None;
        }
        // SAFETY: as above; PR_GET_TIMERSLACK returns the slack as the result.
        let now = unsafe { libc::prctl(libc::PR_GET_TIMERSLACK, 0, 0, 0, 0) };
        u64::try_from(now).ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_is_one_nanosecond_after_reducing() {
        // Run on a fresh thread so the test thread keeps its own slack.
        let slack = std::thread::spawn(reduce_timer_slack).join().unwrap();
        if cfg!(target_os = "linux") {
            assert_eq!(slack, Some(1));
        }
    }
}
