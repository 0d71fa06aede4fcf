//! Read-path profiling driver: loads a database the way configs/peers.yaml
//! does (fillseq, fillrandom, overwrite, wait for compaction) once, then
//! times seeks with nexts and point reads on it, on 1 or more threads, so
//! a profiler can be pointed at the read path alone and the same database
//! reused between runs.
//!
//! ```sh
//! cargo run --release -p lsmlab-engine --example readpath -- DIR KEYS MODE THREADS OPS
//! # MODE: load | seek | get | missing
//! ```
//! Options are peers.yaml's (64 MiB memtable and block cache, 10-bit bloom,
//! 4 KiB blocks, no compression); `RESTART=N` in the environment sets the
//! data blocks' restart interval (default 16) for a database loaded with it. Each thread runs OPS operations; the
//! output is ops/s in total and per thread, and the p99 in microseconds.

mod support;

use support::{SplitMix, fill_value, format_key};

use std::time::Instant;

use lsmlab_engine::{CompressionType, Db, Options, ReadOptions};

fn options() -> Options {
    Options {
        write_buffer_size: 64 << 20,
        block_cache_size: 64 << 20,
        bloom_bits_per_key: 10.0,
        block_size: 4096,
        compression: CompressionType::None,
        max_background_jobs: 2,
        target_file_size_base: 64 << 20,
        max_bytes_for_level_base: 256 << 20,
        block_restart_interval: std::env::var("RESTART")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(16),
        ..Default::default()
    }
}

fn load(db: &Db, keys: u64) -> Result<(), Box<dyn std::error::Error>> {
    let mut value = [0u8; 100];
    let mut key = [0u8; 16];
    let mut rng = SplitMix(1010);
    for i in 0..keys {
        format_key(i, &mut key);
        fill_value(&mut rng, &mut value, 0.5);
        db.put(&key, &value)?;
    }
    for _ in 0..2 * keys {
        format_key(rng.next() % keys, &mut key);
        fill_value(&mut rng, &mut value, 0.5);
        db.put(&key, &value)?;
    }
    db.wait_for_compaction()?;
    Ok(())
}

/// One thread's run: (seconds, sorted latencies in ns).
fn run(db: &Db, keys: u64, mode: &str, ops: u64, seed: u64) -> (f64, Vec<u64>) {
    let mut rng = SplitMix(seed);
    let mut key = [0u8; 17];
    let mut lat = Vec::with_capacity(ops as usize);
    let mut sink = 0usize;
    let start = Instant::now();
    for _ in 0..ops {
        format_key(rng.next() % keys, &mut key[..16]);
        let t = Instant::now();
        match mode {
            "seek" => {
                let mut it = db.iter(&ReadOptions::default()).expect("iter");
                it.seek(&key[..16]);
                let mut n = 0;
                while n < 11 && it.valid() {
                    sink += it.key().len() + it.value().len();
                    n += 1;
                    it.next();
                }
                it.status().expect("scan");
            }
            "get" => sink += db.get(&key[..16]).expect("get").map_or(0, |v| v.len()),
            _ => {
                key[16] = b'.';
                sink += db.get(&key).expect("get").map_or(0, |v| v.len());
            }
        }
        lat.push(t.elapsed().as_nanos() as u64);
    }
    let secs = start.elapsed().as_secs_f64();
    std::hint::black_box(sink);
    lat.sort_unstable();
    (secs, lat)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, keys, mode, threads, ops] = args.as_slice() else {
        return Err("usage: readpath DIR KEYS MODE THREADS OPS".into());
    };
    let keys: u64 = keys.parse()?;
    let threads: u64 = threads.parse()?;
    let ops: u64 = ops.parse()?;
    let db = Db::open(dir, options())?;
    if mode == "load" {
        let t = Instant::now();
        load(&db, keys)?;
        println!("loaded {keys} keys in {:.1}s", t.elapsed().as_secs_f64());
        return Ok(());
    }
    let start = Instant::now();
    let results: Vec<(f64, Vec<u64>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let db = &db;
                s.spawn(move || run(db, keys, mode, ops, 77 + t))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("thread")).collect()
    });
    let wall = start.elapsed().as_secs_f64();
    let mut all: Vec<u64> = results.iter().flat_map(|r| r.1.iter().copied()).collect();
    all.sort_unstable();
    let p99 = all[(all.len() * 99 / 100).min(all.len() - 1)];
    let p50 = all[all.len() / 2];
    println!(
        "{mode} x{threads}: {:>9.0} ops/s total, {:>9.0} ops/s/thread, p50 {:.1} us, p99 {:.1} us",
        (threads * ops) as f64 / wall,
        results.iter().map(|r| ops as f64 / r.0).sum::<f64>() / threads as f64,
        p50 as f64 / 1e3,
        p99 as f64 / 1e3
    );
    Ok(())
}
