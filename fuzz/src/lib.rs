//! Helpers shared by the fuzz targets: put the input into an in-memory file
//! of a [`FaultFileSystem`], and the rule every target enforces on errors.

use std::path::Path;

use lsmlab_engine::Error;
use lsmlab_engine::fs::FileSystem;
use lsmlab_engine::fs::fault::FaultFileSystem;

/// A fresh in-memory file system holding `data` at `dir/name` (synced).
pub fn fs_with_file(dir: &Path, name: &str, data: &[u8]) -> FaultFileSystem {
    let fs = FaultFileSystem::new();
    fs.create_dir_all(dir).expect("mkdir in memory");
    let mut f = fs.new_writable(&dir.join(name)).expect("create in memory");
    f.append(data).expect("append in memory");
    f.sync().expect("sync in memory");
    fs.sync_dir(dir).expect("sync dir in memory");
    fs
}

/// Bad input must be reported as corruption (never `Io`, which would mean
/// the decoder read outside the file, nor a panic); a few decoders also
/// return `InvalidArgument` for impossible values.
pub fn assert_decode_error(e: &Error) {
    assert!(
        matches!(e, Error::Corruption { .. } | Error::InvalidArgument(_)),
        "bad input gave a non-corruption error: {e:?}"
    );
}
