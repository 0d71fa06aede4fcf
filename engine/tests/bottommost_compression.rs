//! `bottommost_compression` with RocksDB's meaning: compaction outputs at
//! the deepest level holding data get it (L1 while everything fits in L1,
//! the last level with dynamic level sizes), upper levels keep their own
//! compression, and flushes never get it. Checked through the compression
//! recorded in each live table's properties, per level.

use std::path::Path;
use std::sync::Arc;

use lsmlab_engine::fs::FileSystem;
use lsmlab_engine::fs::real::RealFileSystem;
use lsmlab_engine::sst::Table;
use lsmlab_engine::stats::Counters;
use lsmlab_engine::{CompressionType, Db, Options};

/// (level, file number) of every live table, from `lsmlab.sstables`.
fn live_files(db: &Db) -> Vec<(usize, u64)> {
    let text = db.property("lsmlab.sstables").expect("sstables property");
    let mut level = 0;
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("--- level ") {
            level = rest.trim_end_matches(" ---").parse().expect("level number");
        } else if let Some((number, _)) = line.trim().split_once(':') {
            out.push((level, number.parse().expect("file number")));
        }
    }
    out
}

/// The compression each live table's properties record, with its level and number.
fn compressions(db: &Db, dir: &Path) -> Vec<(usize, u64, CompressionType)> {
    live_files(db)
        .into_iter()
        .map(|(level, number)| {
            let path = lsmlab_engine::filename::table_file(dir, number);
            let file = RealFileSystem.open_random_access(&path).expect("open table");
            let t = Table::open(
                file,
                path.display().to_string(),
                number,
                None,
                Arc::new(Counters::new(8)),
                true,
            )
            .expect("read table");
            (level, number, t.properties().compression)
        })
        .collect()
}

fn options(num_levels: usize, dynamic: bool) -> Options {
    Options {
        write_buffer_size: 16 << 10,
        target_file_size_base: 16 << 10,
        max_bytes_for_level_base: 64 << 10,
        max_bytes_for_level_multiplier: 4.0,
        level_compaction_dynamic_level_bytes: dynamic,
        l0_compaction_trigger: 2,
        num_levels,
        compression: CompressionType::None,
        bottommost_compression: Some(CompressionType::Zstd),
        read_triggered_compaction: false,
        ..Default::default()
    }
}

/// Writes `count` keys scattered over a 100k key space (no trivial moves),
/// then flushes and waits for compactions.
fn write_round(db: &Db, round: u64, count: u64) {
    for i in 0..count {
        let k = (i * 7919 + round * 104_729) % 100_000;
        let v = format!("{round:04}-{}", "x".repeat(60));
        db.put(format!("key{k:08}").as_bytes(), v.as_bytes())
            .expect("put");
    }
    db.flush().expect("flush");
    db.wait_for_compaction().expect("wait");
}

fn deepest(files: &[(usize, u64, CompressionType)]) -> usize {
    files.iter().map(|f| f.0).max().expect("some files")
}

#[test]
fn l1_gets_bottommost_while_it_is_the_deepest_level_then_l2_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), options(7, false)).expect("open");
    // Two flushes: one L0->L1 compaction, everything in L1 of 7 levels.
    write_round(&db, 0, 200);
    write_round(&db, 1, 200);
    let files = compressions(&db, dir.path());
    assert_eq!(deepest(&files), 1, "{files:?}");
    for (level, number, c) in &files {
        if *level == 1 {
            assert_eq!(
                *c,
                CompressionType::Zstd,
                "L1 file {number} is the bottom: {files:?}"
            );
        }
    }
    // Grow until L2 holds data.
    let mut round = 2;
    while deepest(&compressions(&db, dir.path())) < 2 {
        write_round(&db, round, 400);
        round += 1;
        assert!(round < 60, "data never reached L2");
    }
    let mark = live_files(&db).iter().map(|f| f.1).max().expect("files");
    // Two more flushes: an L0->L1 compaction while L2 holds data.
    write_round(&db, round, 200);
    write_round(&db, round + 1, 200);
    let files = compressions(&db, dir.path());
    assert_eq!(deepest(&files), 2, "the test keeps data within L2: {files:?}");
    let mut new_l1 = 0;
    for (level, number, c) in &files {
        match level {
            0 => assert_eq!(*c, CompressionType::None, "flushes never get bottommost"),
            1 if *number > mark => {
                new_l1 += 1;
                assert_eq!(*c, CompressionType::None, "L1 is no longer the bottom: {files:?}");
            }
            2 => assert_eq!(
                *c,
                CompressionType::Zstd,
                "L2 file {number} is the bottom: {files:?}"
            ),
            _ => {}
        }
    }
    assert!(new_l1 > 0, "an L0->L1 compaction wrote new L1 files: {files:?}");
    db.close().expect("close");
}

#[test]
fn dynamic_levels_put_bottommost_on_the_last_level_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), options(5, true)).expect("open");
    let mut round = 0;
    // Until the base level moves up from the last level (L4).
    loop {
        write_round(&db, round, 400);
        round += 1;
        let files = compressions(&db, dir.path());
        let upper = files.iter().any(|f| f.0 > 0 && f.0 < 4);
        if upper {
            break;
        }
        assert!(round < 60, "the base level never moved up: {files:?}");
    }
    write_round(&db, round, 200);
    write_round(&db, round + 1, 200);
    let files = compressions(&db, dir.path());
    assert_eq!(deepest(&files), 4, "{files:?}");
    for (level, number, c) in &files {
        let want = if *level == 4 {
            CompressionType::Zstd
        } else {
            CompressionType::None
        };
        assert_eq!(*c, want, "L{level} file {number}: {files:?}");
    }
    db.close().expect("close");
}
