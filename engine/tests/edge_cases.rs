//! Edge cases of the public API: the empty key, values far larger than a
//! block, a memtable or a WAL block, range deletes starting at the empty key,
//! empty batches, and impossible requests that must be errors, not panics.

use lsmlab_engine::{Db, Error, Options, ReadOptions, WriteBatch, WriteOptions};

fn small() -> Options {
    Options {
        write_buffer_size: 64 << 10,
        target_file_size_base: 64 << 10,
        ..Default::default()
    }
}

#[test]
fn empty_key_and_huge_values_survive_flush_compaction_and_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big: Vec<u8> = (0..10 << 20)
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    {
        let db = Db::open(dir.path(), small()).expect("open");
        db.put(b"", b"empty key").expect("put empty key");
        db.put(b"big", &big).expect("put 10 MiB value");
        db.put(b"small", b"s").expect("put");
        assert_eq!(db.get(b"").expect("get").as_deref(), Some(&b"empty key"[..]));
        db.flush().expect("flush");
        db.compact_range(None, None).expect("compact");
        assert_eq!(db.get(b"big").expect("get").as_deref(), Some(big.as_slice()));
        db.close().expect("close");
    }
    let db = Db::open(dir.path(), small()).expect("reopen");
    assert_eq!(db.get(b"").expect("get").as_deref(), Some(&b"empty key"[..]));
    assert_eq!(db.get(b"big").expect("get").as_deref(), Some(big.as_slice()));
    // A range delete from the empty key removes it and everything below "c".
    db.delete_range(b"", b"c").expect("delete_range");
    assert_eq!(db.get(b"").expect("get"), None);
    assert_eq!(db.get(b"big").expect("get"), None);
    assert_eq!(db.get(b"small").expect("get").as_deref(), Some(&b"s"[..]));
    let mut it = db.iter(&ReadOptions::default()).expect("iter");
    it.seek_to_first();
    assert!(it.valid() && it.key() == b"small");
    it.next();
    assert!(!it.valid());
    it.status().expect("status");
}

#[test]
fn big_values_through_the_wal_recover() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = vec![7u8; 3 << 20];
    {
        let db = Db::open(dir.path(), Options::default()).expect("open");
        let mut b = WriteBatch::new();
        b.put(b"a", &big);
        b.put(b"b", b"after");
        db.write(
            b,
            &WriteOptions {
                sync: true,
                ..Default::default()
            },
        )
        .expect("write");
        db.close().expect("close");
    }
    let db = Db::open(dir.path(), Options::default()).expect("reopen");
    assert_eq!(db.get(b"a").expect("get").map(|v| v.len()), Some(3 << 20));
    assert_eq!(db.get(b"b").expect("get").as_deref(), Some(&b"after"[..]));
}

#[test]
fn impossible_requests_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(dir.path(), Options::default()).expect("open");
    db.write(WriteBatch::new(), &WriteOptions::default())
        .expect("an empty batch is a no-op");
    assert!(matches!(
        db.delete_range(b"z", b"a"),
        Err(Error::InvalidArgument(_))
    ));
    assert!(
        matches!(Db::open(dir.path(), Options::default()), Err(Error::Busy(_))),
        "second open of a locked db"
    );
    let bad = Options {
        num_levels: 1,
        ..Default::default()
    };
    assert!(matches!(
        Db::open(dir.path().join("other"), bad),
        Err(Error::InvalidArgument(_))
    ));
    let missing = Options {
        create_if_missing: false,
        ..Default::default()
    };
    assert!(matches!(
        Db::open(dir.path().join("missing"), missing),
        Err(Error::InvalidArgument(_))
    ));
    db.close().expect("close");
    assert!(matches!(db.put(b"k", b"v"), Err(Error::Closed)));
    assert!(matches!(db.get(b"k"), Err(Error::Closed)));
    let again = Db::open(
        dir.path(),
        Options {
            error_if_exists: true,
            ..Default::default()
        },
    );
    assert!(matches!(again, Err(Error::InvalidArgument(_))));
}
