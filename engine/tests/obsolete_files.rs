//! Tables made obsolete while an iterator pinned them are deleted by close
//! at the latest, so a closed database's directory holds only live tables
//! (the runner measures space amplification from the directory's size).

use lsmlab_engine::{Db, Options, ReadOptions};

fn sst_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .expect("list")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".sst"))
        })
        .count()
}

#[test]
fn close_deletes_tables_an_iterator_kept_alive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = Options {
        write_buffer_size: 16 << 10,
        target_file_size_base: 16 << 10,
        l0_compaction_trigger: 2,
        ..Default::default()
    };
    let db = Db::open(dir.path(), opts).expect("open");
    for round in 0..3u32 {
        for i in 0..300u32 {
            db.put(format!("k{:06}", (i * 7 + round) % 1000).as_bytes(), &[b'v'; 80])
                .expect("put");
        }
        db.flush().expect("flush");
    }
    db.wait_for_compaction().expect("wait");
    // Pin the current tables, then make them obsolete.
    let mut it = db.iter(&ReadOptions::default()).expect("iter");
    it.seek_to_first();
    db.compact_range(None, None).expect("compact");
    drop(it);
    let live: usize = db.stats().levels.iter().map(|l| l.files).sum();
    db.close().expect("close");
    assert_eq!(sst_files(dir.path()), live, "only live tables remain after close");
}
