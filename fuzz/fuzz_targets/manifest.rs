//! Fuzz target: `VersionEdit` decoding (with an encode/decode round trip),
//! and MANIFEST recovery through `VersionSet::open` on a CURRENT naming the
//! input as the MANIFEST.
#![no_main]

use std::path::Path;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use lsmlab_engine::Options;
use lsmlab_engine::fs::FileSystem;
use lsmlab_engine::version::{VersionEdit, VersionSet};
use lsmlab_fuzz::{assert_decode_error, fs_with_file};

fuzz_target!(|data: &[u8]| {
    match VersionEdit::decode(data, "MANIFEST-000001", 0) {
        Ok(edit) => {
            let again = VersionEdit::decode(&edit.encode(), "re-encoded", 0).expect("re-encoded edit decodes");
            assert_eq!(edit, again, "encode/decode round trip changed the edit");
        }
        Err(e) => assert_decode_error(&e),
    }
    let dir = Path::new("/db");
    let fs = fs_with_file(dir, "MANIFEST-000001", data);
    let mut current = fs.new_writable(&dir.join("CURRENT")).expect("create in memory");
    current.append(b"MANIFEST-000001\n").expect("append in memory");
    current.sync().expect("sync in memory");
    fs.sync_dir(dir).expect("sync dir in memory");
    let options = Options {
        create_if_missing: false,
        ..Default::default()
    };
    if let Err(e) = VersionSet::open(Arc::new(fs), dir, &options) {
        assert_decode_error(&e);
    }
});
