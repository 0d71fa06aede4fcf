//! Quick A/B driver for the write path: db_bench's fillseq, fillrandom and
//! overwrite (16-byte keys, 100-byte values of compression ratio ~0.5, WAL
//! on without fsync, default options), each with 1 and 2 writer threads on
//! a fresh database, printing ops/s.
//!
//! ```sh
//! cargo run --release -p lsmlab-engine --example writepath -- [N]
//! ```
//!
//! `N` (default 1,000,000) is the number of puts per run, split evenly
//! between the threads. `overwrite` first loads `N` random keys (untimed),
//! then times `N` random puts over the same key space.

mod support;

use support::{SplitMix, fill_value, format_key};

use std::time::Instant;

use lsmlab_engine::{Db, Options};

/// Which keys a run writes.
#[derive(Clone, Copy)]
enum Order {
    /// Ascending keys `0..n`, each thread its own contiguous slice.
    Seq,
    /// Uniformly random keys in `0..n`.
    Random,
}

/// Puts `n` keys split over `threads` threads; returns the seconds taken.
fn fill(db: &Db, n: u64, threads: u64, order: Order, seed: u64) -> Result<f64, lsmlab_engine::Error> {
    let per = n / threads;
    let start = Instant::now();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || -> Result<(), lsmlab_engine::Error> {
                    let mut rng = SplitMix(seed.wrapping_mul(31).wrapping_add(t));
                    let mut key = [0u8; 16];
                    let mut value = [b'v'; 100];
                    for i in 0..per {
                        let k = match order {
                            Order::Seq => t * per + i,
                            Order::Random => rng.next() % n,
                        };
                        format_key(k, &mut key);
                        fill_value(&mut rng, &mut value, 0.5);
                        db.put(&key, &value)?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .try_for_each(|h| h.join().expect("writer thread panicked"))
    })?;
    Ok(start.elapsed().as_secs_f64())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    for threads in [1, 2] {
        for (name, order, preload) in [
            ("fillseq", Order::Seq, false),
            ("fillrandom", Order::Random, false),
            ("overwrite", Order::Random, true),
        ] {
            let dir = tempfile::tempdir()?;
            let db = Db::open(dir.path(), Options::default())?;
            if preload {
                fill(&db, n, 1, Order::Random, 99)?;
            }
            let secs = fill(&db, n, threads, order, 7)?;
            let done = n / threads * threads;
            println!(
                "{name:<10} threads={threads} : {:>8.3} micros/op {:>9.0} ops/sec",
                secs * 1e6 / done as f64,
                done as f64 / secs
            );
            db.close()?;
        }
    }
    Ok(())
}
