//! Shared by the crash, fault and metamorphic tests (`faults.rs`,
//! `power_loss.rs`, `metamorphic.rs`): the
//! expected-state oracle, the random workload, and a hang watchdog.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

pub mod oracle;
pub mod watchdog;
pub mod workload;
