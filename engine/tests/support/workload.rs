//! A random workload for the crash and fault tests: writes (puts, deletes,
//! range deletes, batches; synced or not), point reads, bounded scans,
//! flushes and manual compactions, run against a [`Db`] while a [`History`]
//! records every write and checks every successful read.

use lsmlab_engine::{CompressionType, Db, Error, Options, ReadOptions, WriteBatch, WriteOptions};
use rand::Rng;
use rand::rngs::StdRng;

use super::oracle::{History, Model, Mutation};

/// Keys per workload: small, so keys are overwritten and deleted often.
pub const KEYS: u32 = 400;

/// Key number `k`.
pub fn key(k: u32) -> Vec<u8> {
    format!("key{k:05}").into_bytes()
}

/// A value naming its key and the write that made it (so an invented or
/// misplaced value is recognisable); lengths vary up to a few blocks.
pub fn value(k: u32, write: u64, rng: &mut StdRng) -> Vec<u8> {
    let mut v = format!("k{k}-w{write}-").into_bytes();
    let len = match rng.random_range(0..20) {
        0 => 3000,
        1 => 0,
        _ => rng.random_range(10..200),
    };
    v.resize(v.len().max(len), b'a' + (write % 26) as u8);
    v
}

/// One step of the workload.
#[derive(Debug, Clone)]
pub enum Step {
    /// A write batch, synced or not.
    Write(Vec<Mutation>, bool),
    /// A point read.
    Get(Vec<u8>),
    /// A forward scan of `[lo, hi)`.
    Scan(Vec<u8>, Vec<u8>),
    /// `Db::flush`.
    Flush,
    /// `Db::compact_range` over `[lo, hi]` (None = unbounded).
    Compact(Option<Vec<u8>>, Option<Vec<u8>>),
}

impl Step {
    /// A one-line description (keys as text, values by length) for messages.
    pub fn describe(&self) -> String {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let muts = |m: &[Mutation]| {
            m.iter()
                .map(|m| match m {
                    Mutation::Put(k, v) => format!("put {} ({} bytes)", text(k), v.len()),
                    Mutation::Delete(k) => format!("delete {}", text(k)),
                    Mutation::DeleteRange(a, b) => format!("delete_range [{}, {})", text(a), text(b)),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Step::Write(m, sync) => format!("write sync={sync} [{}]", muts(m)),
            Step::Get(k) => format!("get {}", text(k)),
            Step::Scan(a, b) => format!("scan [{}, {})", text(a), text(b)),
            Step::Flush => "flush".into(),
            Step::Compact(a, b) => format!(
                "compact_range {:?}..={:?}",
                a.as_deref().map(text),
                b.as_deref().map(text)
            ),
        }
    }
}

fn mutation(rng: &mut StdRng, write: u64) -> Mutation {
    let k = rng.random_range(0..KEYS);
    match rng.random_range(0..20) {
        0..=13 => Mutation::Put(key(k), value(k, write, rng)),
        14..=17 => Mutation::Delete(key(k)),
        _ => Mutation::DeleteRange(key(k), key(k + rng.random_range(1..30))),
    }
}

/// The next random step; `write` numbers writes (it is put in values).
pub fn step(rng: &mut StdRng, write: u64) -> Step {
    match rng.random_range(0..100) {
        0..=44 => Step::Write(vec![mutation(rng, write)], rng.random_bool(0.2)),
        45..=59 => {
            let n = rng.random_range(2..8);
            Step::Write(
                (0..n).map(|_| mutation(rng, write)).collect(),
                rng.random_bool(0.3),
            )
        }
        60..=84 => Step::Get(key(rng.random_range(0..KEYS))),
        85..=94 => {
            let lo = rng.random_range(0..KEYS);
            Step::Scan(key(lo), key(lo + rng.random_range(1..80)))
        }
        95..=97 => Step::Flush,
        _ => {
            let lo = rng.random_range(0..KEYS);
            let hi = lo + rng.random_range(0..200);
            let bound = |b: bool, k: u32| b.then(|| key(k));
            Step::Compact(bound(rng.random_bool(0.7), lo), bound(rng.random_bool(0.7), hi))
        }
    }
}

/// What running steps showed.
#[derive(Debug, Default, Clone, Copy)]
pub struct RunStats {
    /// Steps run.
    pub steps: u64,
    /// Steps that returned an error.
    pub errors: u64,
    /// Successful reads checked against the oracle (gets + scanned keys).
    pub reads_verified: u64,
}

/// Runs `step` against `db`, recording writes in `history` and checking
/// successful reads against it. Panics (with `context`) on a wrong answer.
/// Returns the error, if the step failed. Writes are skipped once the
/// history takes no more (see [`History::takes_writes`]).
pub fn run(
    db: &Db,
    step: &Step,
    history: &mut History,
    stats: &mut RunStats,
    context: &str,
) -> Option<Error> {
    if matches!(step, Step::Write(..)) && !history.takes_writes() {
        return None;
    }
    stats.steps += 1;
    let result = match step {
        Step::Write(muts, sync) => {
            let r = db.write(
                batch(muts),
                &WriteOptions {
                    sync: *sync,
                    ..Default::default()
                },
            );
            history.record(muts.clone(), *sync, r.is_ok());
            r
        }
        Step::Get(k) => db.get(k).map(|got| {
            assert!(
                history.get_ok(k, got.as_deref()),
                "{context}: get({}) returned {:?}, which no acceptable state holds",
                String::from_utf8_lossy(k),
                got.map(|v| String::from_utf8_lossy(&v).into_owned())
            );
            stats.reads_verified += 1;
        }),
        Step::Scan(lo, hi) => scan(db, lo, hi).map(|got| {
            assert!(
                history.scan_ok(lo, hi, &got),
                "{context}: scan [{}, {}) returned {} entries that no acceptable state holds",
                String::from_utf8_lossy(lo),
                String::from_utf8_lossy(hi),
                got.len()
            );
            stats.reads_verified += got.len() as u64 + 1;
        }),
        Step::Flush => db.flush(),
        Step::Compact(lo, hi) => db.compact_range(lo.as_deref(), hi.as_deref()),
    };
    result.err().inspect(|_| stats.errors += 1)
}

/// The write batch of `muts`.
pub fn batch(muts: &[Mutation]) -> WriteBatch {
    let mut b = WriteBatch::new();
    for m in muts {
        match m {
            Mutation::Put(k, v) => b.put(k, v),
            Mutation::Delete(k) => b.delete(k),
            Mutation::DeleteRange(a, z) => b.delete_range(a, z),
        }
    }
    b
}

/// Key-value pairs in key order, as a scan returns them.
pub type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// A bounded forward scan; an iteration error is returned as the error.
pub fn scan(db: &Db, lo: &[u8], hi: &[u8]) -> Result<Entries, Error> {
    let mut it = db.iter(&ReadOptions {
        lower_bound: Some(lo.to_vec()),
        upper_bound: Some(hi.to_vec()),
        ..Default::default()
    })?;
    it.seek_to_first();
    let mut out = Vec::new();
    while it.valid() {
        out.push((it.key().to_vec(), it.value().to_vec()));
        it.next();
    }
    it.status()?;
    Ok(out)
}

/// Everything in the database (after recovery: must not fail).
pub fn read_all(db: &Db) -> Result<Model, Error> {
    let mut it = db.iter(&ReadOptions::default())?;
    it.seek_to_first();
    let mut m = Model::new();
    while it.valid() {
        m.insert(it.key().to_vec(), it.value().to_vec());
        it.next();
    }
    it.status()?;
    Ok(m)
}

/// Small, varied options so flushes and compactions run all the time.
pub fn tiny_options(rng: &mut StdRng) -> Options {
    Options {
        write_buffer_size: [4096, 8192, 16 << 10][rng.random_range(0..3)],
        max_write_buffer_number: rng.random_range(2..4),
        target_file_size_base: [2048, 4096, 8192][rng.random_range(0..3)],
        max_bytes_for_level_base: 16 << 10,
        max_bytes_for_level_multiplier: 4.0,
        l0_compaction_trigger: rng.random_range(1..4),
        num_levels: rng.random_range(2..6),
        max_subcompactions: rng.random_range(1..3),
        max_background_jobs: rng.random_range(1..4),
        level_compaction_dynamic_level_bytes: rng.random_bool(0.3),
        compression: CompressionType::ALL[rng.random_range(0..4)],
        block_size: [256, 1024, 4096][rng.random_range(0..3)],
        block_cache_size: [0, 64 << 10][rng.random_range(0..2)],
        max_open_files: 16,
        ..Default::default()
    }
}
