//! Cost of generating one operation (key formatting, key choice, value
//! slicing) for the hot phase kinds. Target: well under 100 ns per op.

// criterion_group! generates an undocumented pub fn.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lsmlab_workloads::{Op, OpStream, OptionChecker, Suite, parse_suite};
use serde_json::{Map, Value};

struct AnyOptions;

impl OptionChecker for AnyOptions {
    fn known_options(&self) -> Vec<String> {
        Vec::new()
    }
    fn check(&self, _: &Map<String, Value>) -> Result<(), String> {
        Ok(())
    }
}

fn suite(phase: &str) -> Suite {
    let text = format!("data: {{keys: 10M, key_size: 16, value_size: 100}}\nphases:\n  - {phase}\n");
    parse_suite(&text, "bench.yaml", &AnyOptions).expect("bench suite parses")
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate");
    group.throughput(Throughput::Elements(1));
    for (name, phase) in [
        ("fill_seq", "fill: {order: seq}"),
        ("fill_random", "fill: {order: random}"),
        ("overwrite_uniform", "overwrite: {duration: 1s}"),
        (
            "read_zipf_scrambled",
            "read_random: {duration: 1s, distribution: zipf}",
        ),
        ("read_latest", "read_random: {duration: 1s, distribution: latest}"),
        (
            "read_hotspot",
            "read_random: {duration: 1s, distribution: hotspot}",
        ),
        (
            "read_exponential",
            "read_random: {duration: 1s, distribution: exponential}",
        ),
        (
            "mixed_ycsb_a",
            "mixed: {duration: 1s, read: 0.5, write: 0.5, distribution: zipf}",
        ),
    ] {
        let suite = suite(phase);
        let mut stream = OpStream::new(&suite, 0, 42, 0, 1);
        group.bench_function(name, |b| {
            b.iter(|| match stream.next_op() {
                Some(Op::Put { key, value }) => black_box(key.len() + value.len()),
                Some(Op::Get { key }) => black_box(key.len()),
                Some(other) => black_box(other.ops() as usize),
                None => {
                    stream = OpStream::new(&suite, 0, 42, 0, 1);
                    0
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
