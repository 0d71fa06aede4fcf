//! Errors keep their cause.

use std::collections::BTreeMap;
use std::path::Path;

use lsmlab_engine::{Db, Error};

use super::support::{DIR, FlakyFs, put_range};

/// A corruption found by a compaction becomes the sticky background error;
/// the error every later write gets must still say "corruption", naming the
/// file and offset (it used to be flattened into a string).
#[test]
fn background_error_from_compaction_is_still_corruption() {
    let fs = FlakyFs::new();
    let db = Db::open(DIR, fs.options()).expect("open");
    let mut model = BTreeMap::new();
    put_range(&db, 0..200, 0, &mut model);
    db.flush().expect("flush");
    put_range(&db, 100..300, 1, &mut model);
    db.flush().expect("flush");
    let table = fs
        .inner
        .list()
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "sst"))
        .expect("a table exists");
    fs.inner.corrupt_byte(&table, 20).expect("corrupt");

    let direct = db
        .compact_range(None, None)
        .expect_err("compaction reads the bad block");
    assert!(direct.is_corruption(), "{direct}");
    let sticky = db
        .put(b"k", b"v")
        .expect_err("writes stop after a background error");
    assert!(matches!(sticky, Error::Background(_)), "{sticky:?}");
    assert!(
        sticky.is_corruption(),
        "background error lost its cause: {sticky}"
    );
    let Error::Corruption { file, .. } = sticky.root() else {
        panic!("root of {sticky:?} is not a corruption");
    };
    assert_eq!(Path::new(file), table, "{sticky}");
    assert!(
        sticky.to_string().contains(&table.display().to_string()),
        "{sticky}"
    );
}
