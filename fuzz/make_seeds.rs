//! Writes the seed corpora of the fuzz targets (`corpus/<target>/seed-*`):
//! real files the engine wrote (a table per compression type, a WAL, a
//! MANIFEST), encoded edits, batches and blocks, and the ready-made suites.
//! `scripts/fuzz.sh` runs it when a corpus directory is missing.

use std::fs;
use std::path::{Path, PathBuf};

use lsmlab_engine::key::{InternalKey, ValueKind};
use lsmlab_engine::sst::block_builder::BlockBuilder;
use lsmlab_engine::version::VersionEdit;
use lsmlab_engine::{CompressionType, Db, Options, WriteBatch, WriteOptions};

fn save(corpus: &Path, target: &str, name: &str, data: &[u8]) {
    let dir = corpus.join(target);
    fs::create_dir_all(&dir).expect("create corpus dir");
    fs::write(dir.join(format!("seed-{name}")), data).expect("write seed");
}

fn files_with(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .expect("list db")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(suffix) || p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(suffix)))
        .collect();
    v.sort_by_key(|p| fs::metadata(p).map(|m| m.len()).unwrap_or(0));
    v
}

fn main() {
    let corpus = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "corpus".into()));
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for c in CompressionType::ALL {
        let tmp = std::env::temp_dir().join(format!("lsmlab-seeds-{}-{}", std::process::id(), c.name()));
        let _ = fs::remove_dir_all(&tmp);
        let options = Options {
            compression: c,
            block_size: 256,
            block_restart_interval: 4,
            write_buffer_size: 4096,
            ..Default::default()
        };
        let db = Db::open(&tmp, options).expect("open seed db");
        for i in 0..40u32 {
            db.put(format!("key{i:03}").as_bytes(), format!("value-{i}-{}", "x".repeat(i as usize)).as_bytes())
                .expect("put");
        }
        db.delete(b"key005").expect("delete");
        db.delete_range(b"key010", b"key015").expect("delete_range");
        db.flush().expect("flush");
        let mut b = WriteBatch::new();
        b.put(b"after", b"flush");
        b.delete(b"key001");
        db.write(b, &WriteOptions { sync: true, ..Default::default() }).expect("write");
        db.close().expect("close");
        if let Some(sst) = files_with(&tmp, ".sst").first() {
            save(&corpus, "table", c.name(), &fs::read(sst).expect("read sst"));
        }
        if c == CompressionType::None {
            for (i, log) in files_with(&tmp, ".log").iter().enumerate() {
                save(&corpus, "wal", &format!("log{i}"), &fs::read(log).expect("read log"));
            }
            for (i, m) in files_with(&tmp, "MANIFEST-").iter().enumerate() {
                save(&corpus, "manifest", &format!("manifest{i}"), &fs::read(m).expect("read manifest"));
            }
        }
        let _ = fs::remove_dir_all(&tmp);
    }
    let mut edit = VersionEdit::new();
    edit.log_number = Some(7);
    edit.delete_file(1, 3);
    save(&corpus, "manifest", "edit", &edit.encode());
    let mut b = WriteBatch::new();
    b.put(b"k1", b"v1");
    b.delete(b"k2");
    b.delete_range(b"a", b"m");
    b.set_sequence(42);
    save(&corpus, "batch", "mixed", b.encoded());
    for restart in [1, 16] {
        let mut bb = BlockBuilder::new(restart);
        for i in 0..20u64 {
            let k = InternalKey::new(format!("key{i:03}").as_bytes(), 100 - i, ValueKind::Value);
            bb.add(k.encoded(), format!("v{i}").as_bytes());
        }
        save(&corpus, "block", &format!("restart{restart}"), bb.finish());
    }
    for entry in fs::read_dir(repo.join("configs")).expect("configs") {
        let p = entry.expect("entry").path();
        let name = p.file_stem().expect("name").to_string_lossy().into_owned();
        save(&corpus, "suite", &name, &fs::read(&p).expect("read suite"));
    }
}
