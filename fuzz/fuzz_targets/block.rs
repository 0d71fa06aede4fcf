//! Fuzz target: a data/index block's decoder (`Block::new` + `BlockIter`):
//! walk forward and backward and seek; bad bytes must be a corruption error.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use lsmlab_engine::iter::InternalIterator;
use lsmlab_engine::sst::block::Block;
use lsmlab_engine::sst::block_iter::BlockIter;
use lsmlab_fuzz::assert_decode_error;

fuzz_target!(|data: &[u8]| {
    let block = match Block::new(data.to_vec(), Arc::from("fuzz.sst"), 0) {
        Ok(b) => Arc::new(b),
        Err(e) => return assert_decode_error(&e),
    };
    let mut it = BlockIter::new(block);
    let mut keys = Vec::new();
    it.seek_to_first();
    while it.valid() && keys.len() < 10_000 {
        keys.push(it.key().to_vec());
        let _ = it.value();
        it.next();
    }
    if let Err(e) = it.status() {
        assert_decode_error(&e);
    }
    it.seek_to_last();
    for _ in 0..10_000 {
        if !it.valid() {
            break;
        }
        it.prev();
    }
    for k in keys.iter().take(16) {
        it.seek(k);
        it.seek_for_prev(k);
    }
    it.seek(data.get(..data.len().min(12)).unwrap_or_default());
    if let Err(e) = it.status() {
        assert_decode_error(&e);
    }
});
