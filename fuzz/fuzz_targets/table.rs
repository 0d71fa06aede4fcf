//! Fuzz target: opening a table file (footer, index, filter, properties,
//! range-deletion blocks), then a full scan and point reads on it; once
//! with checksum verification and once without (`paranoid_checks: false`),
//! so the decoders behind the checksums see damaged bytes too.
#![no_main]

use std::path::Path;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use lsmlab_engine::fs::FileSystem;
use lsmlab_engine::iter::InternalIterator;
use lsmlab_engine::key::{MAX_SEQUENCE, user_key};
use lsmlab_engine::sst::table::Table;
use lsmlab_engine::stats::Counters;
use lsmlab_fuzz::{assert_decode_error, fs_with_file};

fuzz_target!(|data: &[u8]| {
    let dir = Path::new("/db");
    let fs = fs_with_file(dir, "000001.sst", data);
    for verify in [true, false] {
        let file = fs.open_random_access(&dir.join("000001.sst")).expect("open in memory");
        check_table(file, verify);
    }
});

fn check_table(file: Arc<dyn lsmlab_engine::fs::RandomAccessFile>, verify: bool) {
    let counters = Arc::new(Counters::new(7));
    let table = match Table::open(file, "000001.sst".into(), 1, None, counters, verify) {
        Ok(t) => t,
        Err(e) => return assert_decode_error(&e),
    };
    let mut it = table.iter(false);
    let mut keys = Vec::new();
    it.seek_to_first();
    while it.valid() && keys.len() < 10_000 {
        keys.push(it.key().to_vec());
        it.next();
    }
    if let Err(e) = it.status() {
        assert_decode_error(&e);
    }
    it.seek_to_last();
    if it.valid() {
        it.prev();
    }
    for k in keys.iter().step_by(7).take(32) {
        if let Err(e) = table.get(user_key(k), MAX_SEQUENCE) {
            assert_decode_error(&e);
        }
        it.seek(k);
    }
    let _ = table.get(b"", MAX_SEQUENCE).map_err(|e| assert_decode_error(&e));
    let _ = table.range_tombstones().len();
    let _ = table.sample_keys(4);
}
