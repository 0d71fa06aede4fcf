//! WAL append throughput: `LogWriter::add_record` of 100-byte and 4 KiB
//! records to a real file in a temporary directory, without sync (measures
//! framing, checksumming and buffered writes, not the device).

use criterion::{BatchSize, Criterion, Throughput, criterion_main};
use lsmlab_engine::fs::{FileSystem, RealFileSystem};
use lsmlab_engine::wal::LogWriter;

/// Records appended per measured batch (one fresh log each).
const RECORDS_PER_LOG: usize = 4096;

fn append(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut group = c.benchmark_group("wal_append");
    for size in [100usize, 4096] {
        let payload: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
        group.throughput(Throughput::Bytes((size * RECORDS_PER_LOG) as u64));
        let path = dir.path().join(format!("{size}.log"));
        group.bench_function(format!("{size}B"), |b| {
            b.iter_batched(
                || {
                    let f = RealFileSystem.new_writable(&path).expect("create log");
                    LogWriter::new(f, "bench.log".into())
                },
                |mut w| {
                    for _ in 0..RECORDS_PER_LOG {
                        w.add_record(&payload).expect("append");
                    }
                    w.flush().expect("flush");
                    w
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

/// The criterion group, in a private module so its generated function needs no docs.
mod group {
    criterion::criterion_group!(benches, super::append);
}
criterion_main!(group::benches);
