//! Builders shared by the unit tests.

use std::time::Duration;

use lsmlab_workloads::{CommonFields, DataSpec, Distribution, Order, Phase, PhaseKind, Suite};
use serde_json::Map;

/// Common fields of a closed-loop, single-thread phase of `ops` operations.
pub fn common(ops: Option<u64>, duration: Option<Duration>) -> CommonFields {
    CommonFields {
        ops,
        duration,
        threads: 1,
        distribution: Distribution::Uniform,
        rate: None,
        warmup: None,
        batch: 1,
        sync: false,
    }
}

/// A suite of 1000 keys with a fill and a read phase and no matrix.
pub fn tiny_suite() -> Suite {
    Suite {
        name: "tiny".into(),
        description: "unit test suite".into(),
        seed: 7,
        repeat: 1,
        data: DataSpec {
            keys: 1000,
            key_size: 16,
            value_size: 100,
            compressibility: 0.5,
        },
        engine: Map::new(),
        matrix: Vec::new(),
        exclude: Vec::new(),
        phases: vec![
            Phase {
                name: "fill".into(),
                kind: PhaseKind::Fill { order: Order::Random },
                common: common(None, None),
            },
            Phase {
                name: "read_random".into(),
                kind: PhaseKind::ReadRandom,
                common: common(Some(500), None),
            },
        ],
        file: "tiny.yaml".into(),
    }
}
