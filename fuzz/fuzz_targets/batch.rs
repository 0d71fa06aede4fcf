//! Fuzz target: a write batch as decoded from a WAL record; a batch that
//! decodes must rebuild into one with the same records and sequence.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lsmlab_engine::WriteBatch;
use lsmlab_engine::batch::BatchOp;
use lsmlab_fuzz::assert_decode_error;

fuzz_target!(|data: &[u8]| {
    let batch = match WriteBatch::from_encoded(data.to_vec(), "000003.log", 0) {
        Ok(b) => b,
        Err(e) => return assert_decode_error(&e),
    };
    let mut rebuilt = WriteBatch::new();
    for op in batch.iter() {
        match op.expect("a validated batch iterates cleanly") {
            BatchOp::Put { key, value } => rebuilt.put(key, value),
            BatchOp::Delete { key } => rebuilt.delete(key),
            BatchOp::DeleteRange { begin, end } => rebuilt.delete_range(begin, end),
        }
    }
    rebuilt.set_sequence(batch.sequence());
    assert_eq!(rebuilt.count(), batch.count());
    assert_eq!(rebuilt.user_bytes(), batch.user_bytes());
    let again = WriteBatch::from_encoded(rebuilt.encoded().to_vec(), "rebuilt", 0).expect("rebuilt batch decodes");
    let ops = |b: &WriteBatch| format!("{:?}", b.iter().collect::<Vec<_>>());
    assert_eq!(ops(&again), ops(&batch));
});
