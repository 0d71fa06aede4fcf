//! The storage-core workload side by side on lsmlab, fjall and mmdb, in one
//! process on one machine: N random puts of 16-byte keys and 100-byte
//! db_bench-like values (compression ratio ~0.5), then N random gets, one
//! thread, each engine with its default options (WAL on, no fsync).
//!
//! ```sh
//! cargo run --release -p lsmlab-engine --features peer-bench --example peers_putget -- [N]
//! ```
//! Prints puts/s and gets/s per engine and lsmlab's ratio to each peer.

use std::time::Instant;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// One engine behind the two calls the workload needs.
trait Engine {
    fn put(&self, key: &[u8], value: &[u8]) -> Res<()>;
    fn get(&self, key: &[u8]) -> Res<bool>;
}

struct Lsmlab(lsmlab_engine::Db);
impl Engine for Lsmlab {
    fn put(&self, key: &[u8], value: &[u8]) -> Res<()> {
        Ok(self.0.put(key, value)?)
    }
    fn get(&self, key: &[u8]) -> Res<bool> {
        Ok(self.0.get(key)?.is_some())
    }
}

struct Fjall(#[allow(dead_code)] fjall::Database, fjall::Keyspace);
impl Engine for Fjall {
    fn put(&self, key: &[u8], value: &[u8]) -> Res<()> {
        Ok(self.1.insert(key, value)?)
    }
    fn get(&self, key: &[u8]) -> Res<bool> {
        Ok(self.1.get(key)?.is_some())
    }
}

struct Mmdb(mmdb::DB);
impl Engine for Mmdb {
    fn put(&self, key: &[u8], value: &[u8]) -> Res<()> {
        Ok(self.0.put(key, value)?)
    }
    fn get(&self, key: &[u8]) -> Res<bool> {
        Ok(self.0.get(key)?.is_some())
    }
}

struct SplitMix(u64);
impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn format_key(n: u64, buf: &mut [u8; 16]) {
    let mut n = n;
    for b in buf.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// (puts/s, gets/s, found)
fn run(engine: &dyn Engine, n: u64) -> Res<(f64, f64, u64)> {
    let (mut key, mut value) = ([0u8; 16], [b'v'; 100]);
    let mut rng = SplitMix(42);
    let start = Instant::now();
    for _ in 0..n {
        format_key(rng.next() % n, &mut key);
        for chunk in value[..48].chunks_mut(8) {
            chunk.copy_from_slice(&rng.next().to_le_bytes());
        }
        value.copy_within(0..48, 48);
        engine.put(&key, &value)?;
    }
    let puts = n as f64 / start.elapsed().as_secs_f64();
    let mut rng = SplitMix(7);
    let mut found = 0;
    let start = Instant::now();
    for _ in 0..n {
        format_key(rng.next() % n, &mut key);
        found += u64::from(engine.get(&key)?);
    }
    Ok((puts, n as f64 / start.elapsed().as_secs_f64(), found))
}

fn main() -> Res<()> {
    let n: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let mut results = Vec::new();
    for name in ["lsmlab", "fjall", "mmdb"] {
        let dir = tempfile::tempdir()?;
        let engine: Box<dyn Engine> = match name {
            "lsmlab" => Box::new(Lsmlab(lsmlab_engine::Db::open(dir.path(), Default::default())?)),
            "fjall" => {
                let db = fjall::Database::builder(dir.path()).open()?;
                let ks = db.keyspace("bench", fjall::KeyspaceCreateOptions::default)?;
                Box::new(Fjall(db, ks))
            }
            _ => Box::new(Mmdb(mmdb::DB::open(mmdb::DbOptions::default(), dir.path())?)),
        };
        let (puts, gets, found) = run(engine.as_ref(), n)?;
        println!("{name:<7} puts {puts:>9.0}/s   gets {gets:>9.0}/s   ({found} of {n} found)");
        results.push((name, puts, gets));
        drop(engine);
    }
    let (_, lp, lg) = results[0];
    for (name, p, g) in &results[1..] {
        println!("lsmlab / {name:<6} puts x{:.2}   gets x{:.2}", lp / p, lg / g);
    }
    Ok(())
}
