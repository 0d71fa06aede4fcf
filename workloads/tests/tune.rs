//! A valid `tune:` block: ranges expand as written, metrics and
//! constraints parse into their units, the budget and defaults hold.

mod common;

use common::parse;
use lsmlab_workloads::suite::tune::{Cmp, Metric};
use serde_json::json;

const SUITE: &str = "\
data: {keys: 1000}
phases:
  - fill: {}
  - read_random: {ops: 100}
tune:
  space:
    max_bytes_for_level_base: {min: 4MiB, max: 64MiB, steps: 3, scale: log}
    bloom_bits_per_key: {min: 0, max: 12, steps: 4}
    compression: [none, lz4]
  objective: [maximize ops_per_sec(read_random), minimize user_write_amp]
  constraints: [\"p99(read_random) < 50us\", \"memory <= 1GiB\", \"space_amp < 1.3\"]
  budget: {trials: 20, duration: 10m}
";

#[test]
fn a_tune_block_parses_into_its_units() {
    let t = parse(SUITE).expect("valid").tune.expect("a tune block");
    let axis = |name: &str| {
        t.space
            .iter()
            .find(|(o, _)| o == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    // Log scale: 4 MiB x 4^k; sizes stay sizes.
    assert_eq!(
        axis("max_bytes_for_level_base"),
        vec![json!("4MiB"), json!("16MiB"), json!("64MiB")]
    );
    // Linear integers: 0, 4, 8, 12.
    assert_eq!(
        axis("bloom_bits_per_key"),
        vec![json!(0), json!(4), json!(8), json!(12)]
    );
    assert_eq!(axis("compression"), vec![json!("none"), json!("lz4")]);
    assert_eq!(t.objectives.len(), 2);
    assert!(t.objectives[0].maximize && !t.objectives[1].maximize);
    assert_eq!(
        t.objectives[0].metric,
        Metric::Phase {
            stat: "ops_per_sec".into(),
            phase: "read_random".into()
        }
    );
    let c = &t.constraints;
    assert_eq!(
        (c[0].cmp, c[0].bound),
        (Cmp::Lt, 50_000.0),
        "latency bounds in ns"
    );
    assert_eq!(
        (c[1].cmp, c[1].bound),
        (Cmp::Le, (1u64 << 30) as f64),
        "sizes in bytes"
    );
    assert_eq!(c[2].bound, 1.3);
    assert!(c[2].holds(1.29) && !c[2].holds(1.3));
    assert_eq!(t.budget.trials, Some(20));
    assert_eq!(t.budget.duration, Some(std::time::Duration::from_secs(600)));
    assert_eq!((t.eta, t.repeat), (3, 3), "defaults");
}
