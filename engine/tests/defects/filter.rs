//! The compaction filter runs on compactions, not on flushes (RocksDB's
//! default), as its documentation now says (it used to promise flushes too).

use std::sync::Arc;

use lsmlab_engine::{CompactionFilter, Db, FilterDecision, Options};

use super::support::{DIR, FlakyFs};

/// Removes every key starting with "drop".
struct DropPrefix;

impl CompactionFilter for DropPrefix {
    fn filter(&self, _level: usize, key: &[u8], _value: &[u8]) -> FilterDecision {
        if key.starts_with(b"drop") {
            FilterDecision::Remove
        } else {
            FilterDecision::Keep
        }
    }
}

#[test]
fn flush_keeps_what_the_filter_removes_and_compaction_removes_it() {
    let fs = FlakyFs::new();
    let options = Options {
        compaction_filter: Some(Arc::new(DropPrefix)),
        ..fs.options()
    };
    let db = Db::open(DIR, options).expect("open");
    db.put(b"drop-me", b"1").expect("put");
    db.put(b"keep-me", b"2").expect("put");
    db.flush().expect("flush");
    assert_eq!(
        db.property("lsmlab.num-files-at-level0").as_deref(),
        Some("1"),
        "the flush wrote a table"
    );
    assert_eq!(
        db.get(b"drop-me").expect("get").as_deref(),
        Some(&b"1"[..]),
        "a flush must not run the compaction filter"
    );
    db.compact_range(None, None).expect("compact");
    assert_eq!(
        db.get(b"drop-me").expect("get"),
        None,
        "the compaction ran the filter"
    );
    assert_eq!(db.get(b"keep-me").expect("get").as_deref(), Some(&b"2"[..]));
}
