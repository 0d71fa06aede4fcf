//! Shared pieces of the SST format v1 (see `engine/docs/sst_format.md`):
//! block handles, the block trailer (compression tag + masked CRC32C), block
//! compression, and the fixed-size footer.
//!
//! Invariants:
//! - Every block on disk is `stored bytes | tag (1) | masked crc32c (4)`; the
//!   CRC covers the stored bytes and the tag, so every byte of a table file is
//!   covered by exactly one checksum (blocks are contiguous; the footer has
//!   its own CRC).
//! - A handle's `size` counts the stored bytes only, never the trailer.
//! - Decoding never panics on bad bytes: it returns `Error::Corruption`
//!   naming the file and the offset of the block (or footer).

use crate::coding::{Decoder, decode_fixed32, decode_fixed64, put_fixed32, put_fixed64, put_varint64};
use crate::error::{Error, Result};
use crate::fs::RandomAccessFile;
use crate::options::CompressionType;

/// The on-disk format version written into the footer and properties.
pub const FORMAT_VERSION: u32 = 1;
/// Magic number at the very end of every table file ("lsmlabST" in ASCII).
pub const TABLE_MAGIC: u64 = 0x6c73_6d6c_6162_5354;
/// Bytes after each block: compression tag + masked CRC32C.
pub const BLOCK_TRAILER_LEN: usize = 5;
/// Fixed footer size: 4 handles x 16 bytes + version (4) + magic (8) + crc (4).
pub const FOOTER_LEN: usize = 4 * 16 + 4 + 8 + 4;
/// Largest uncompressed block a reader accepts (guards allocations driven by
/// a corrupted size field when data-block checksums are not verified).
pub const MAX_BLOCK_LEN: usize = 1 << 30;

const MASK_DELTA: u32 = 0xa282_ead8;

/// LevelDB's CRC masking: storing the CRC of data that itself contains CRCs
/// is error-prone, so the stored value is rotated and offset.
pub fn mask_crc(crc: u32) -> u32 {
    crc.rotate_right(15).wrapping_add(MASK_DELTA)
}

/// Inverse of [`mask_crc`].
pub fn unmask_crc(masked: u32) -> u32 {
    masked.wrapping_sub(MASK_DELTA).rotate_left(15)
}

/// Where a block lives in the file: offset and stored size (trailer excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct BlockHandle {
    /// Byte offset of the block's first stored byte.
    pub offset: u64,
    /// Stored (possibly compressed) bytes, not counting the 5-byte trailer.
    pub size: u64,
}

impl BlockHandle {
    /// A handle for `size` stored bytes at `offset`.
    pub fn new(offset: u64, size: u64) -> Self {
        BlockHandle { offset, size }
    }

    /// Appends the varint form used in index entries.
    pub fn encode_varint(&self, dst: &mut Vec<u8>) {
        put_varint64(dst, self.offset);
        put_varint64(dst, self.size);
    }

    /// Decodes the varint form; `None` if malformed or followed by junk.
    pub fn decode_varint(src: &[u8]) -> Option<BlockHandle> {
        let mut d = Decoder::new(src);
        let h = BlockHandle {
            offset: d.varint64()?,
            size: d.varint64()?,
        };
        d.is_empty().then_some(h)
    }

    /// Offset one past the block's trailer.
    pub fn end(&self) -> u64 {
        self.offset
            .saturating_add(self.size)
            .saturating_add(BLOCK_TRAILER_LEN as u64)
    }
}

/// The fixed-size footer at the end of every table file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Footer {
    /// Index block (one entry per data block).
    pub index: BlockHandle,
    /// Filter block; `size == 0` means the table has no filter.
    pub filter: BlockHandle,
    /// Range-deletion block (always present, possibly with zero tombstones).
    pub range_del: BlockHandle,
    /// Properties block.
    pub properties: BlockHandle,
}

impl Footer {
    /// Encodes the footer into exactly [`FOOTER_LEN`] bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(FOOTER_LEN);
        for h in [self.index, self.filter, self.range_del, self.properties] {
            put_fixed64(&mut v, h.offset);
            put_fixed64(&mut v, h.size);
        }
        put_fixed32(&mut v, FORMAT_VERSION);
        put_fixed64(&mut v, TABLE_MAGIC);
        let crc = mask_crc(crc32c::crc32c(&v));
        put_fixed32(&mut v, crc);
        debug_assert_eq!(v.len(), FOOTER_LEN);
        v
    }

    /// Decodes and checks a footer read from `offset` of `file`. Every handle
    /// must lie before the footer.
    pub fn decode(src: &[u8], file: &str, offset: u64) -> Result<Footer> {
        let bad = |detail: String| Error::corruption(file, offset, detail);
        if src.len() != FOOTER_LEN {
            return Err(bad(format!(
                "footer is {} bytes, expected {FOOTER_LEN}",
                src.len()
            )));
        }
        let body = &src[..FOOTER_LEN - 4];
        let stored = unmask_crc(decode_fixed32(&src[FOOTER_LEN - 4..]));
        let actual = crc32c::crc32c(body);
        if stored != actual {
            return Err(bad(format!(
                "footer checksum mismatch: stored {stored:#010x}, computed {actual:#010x}"
            )));
        }
        let magic = decode_fixed64(&body[68..76]);
        if magic != TABLE_MAGIC {
            return Err(bad(format!(
                "bad table magic {magic:#018x} (not an lsmlab table)"
            )));
        }
        let version = decode_fixed32(&body[64..68]);
        if version != FORMAT_VERSION {
            return Err(bad(format!("unsupported table format version {version}")));
        }
        let h = |i: usize| {
            BlockHandle::new(
                decode_fixed64(&body[i * 16..]),
                decode_fixed64(&body[i * 16 + 8..]),
            )
        };
        let footer = Footer {
            index: h(0),
            filter: h(1),
            range_del: h(2),
            properties: h(3),
        };
        for (name, handle) in [
            ("index", footer.index),
            ("filter", footer.filter),
            ("range-del", footer.range_del),
            ("properties", footer.properties),
        ] {
            if handle.end() > offset {
                return Err(bad(format!("{name} handle {handle:?} extends past the footer")));
            }
        }
        Ok(footer)
    }
}

/// Reusable state for compressing blocks (keeps the zstd context and output
/// buffer between blocks).
pub struct Compressor {
    kind: CompressionType,
    zstd: Option<zstd::bulk::Compressor<'static>>,
    snappy: snap::raw::Encoder,
    out: Vec<u8>,
}

impl Compressor {
    /// A compressor for `kind`; `zstd_level` is used only for zstd.
    pub fn new(kind: CompressionType, zstd_level: i32) -> Self {
        // A level zstd rejects falls back to its default rather than failing every block.
        let zstd = (kind == CompressionType::Zstd).then(|| {
            zstd::bulk::Compressor::new(zstd_level)
                .or_else(|_| zstd::bulk::Compressor::new(0))
                .ok()
        });
        Compressor {
            kind,
            zstd: zstd.flatten(),
            snappy: snap::raw::Encoder::new(),
            out: Vec::new(),
        }
    }

    /// Compresses `raw`; returns the bytes to store and the compression
    /// actually used. Falls back to raw storage when compression saves less
    /// than 12.5% (or fails).
    pub fn compress<'a>(&'a mut self, raw: &'a [u8]) -> (&'a [u8], CompressionType) {
        let ok = match self.kind {
            CompressionType::None => false,
            CompressionType::Lz4 => {
                let bound = lz4_flex::block::get_maximum_output_size(raw.len()) + 4;
                self.out.clear();
                self.out.resize(bound, 0);
                self.out[..4].copy_from_slice(&(raw.len() as u32).to_le_bytes());
                match lz4_flex::block::compress_into(raw, &mut self.out[4..]) {
                    Ok(n) => {
                        self.out.truncate(n + 4);
                        raw.len() <= u32::MAX as usize
                    }
                    Err(_) => false,
                }
            }
            CompressionType::Zstd => match self.zstd.as_mut() {
                Some(z) => {
                    self.out.clear();
                    self.out.reserve(zstd::zstd_safe::compress_bound(raw.len()));
                    z.compress_to_buffer(raw, &mut self.out).is_ok()
                }
                None => false,
            },
            CompressionType::Snappy => {
                self.out.clear();
                self.out.resize(snap::raw::max_compress_len(raw.len()), 0);
                match self.snappy.compress(raw, &mut self.out) {
                    Ok(n) => {
                        self.out.truncate(n);
                        true
                    }
                    Err(_) => false,
                }
            }
        };
        if ok && self.out.len() < raw.len() - raw.len() / 8 {
            (&self.out, self.kind)
        } else {
            (raw, CompressionType::None)
        }
    }
}

/// Builds the 5-byte trailer for `stored` bytes compressed with `kind`.
pub fn block_trailer(stored: &[u8], kind: CompressionType) -> [u8; BLOCK_TRAILER_LEN] {
    let tag = kind.tag();
    let crc = crc32c::crc32c_append(crc32c::crc32c(stored), &[tag]);
    let mut t = [0u8; BLOCK_TRAILER_LEN];
    t[0] = tag;
    t[1..].copy_from_slice(&mask_crc(crc).to_le_bytes());
    t
}

/// Reads the block at `handle` (with its trailer), verifies the CRC when
/// `verify` is set, and returns the uncompressed contents.
pub fn read_block_contents(
    file: &dyn RandomAccessFile,
    file_name: &str,
    handle: BlockHandle,
    verify: bool,
) -> Result<Vec<u8>> {
    let bad = |detail: String| Error::corruption(file_name, handle.offset, detail);
    let size = usize::try_from(handle.size)
        .ok()
        .filter(|&s| s <= MAX_BLOCK_LEN)
        .ok_or_else(|| bad(format!("block size {} is implausible", handle.size)))?;
    if handle.end() > file.size() {
        return Err(bad(format!(
            "block {handle:?} extends past the end of the file ({} bytes)",
            file.size()
        )));
    }
    let mut buf = vec![0u8; size + BLOCK_TRAILER_LEN];
    file.read_exact_at(handle.offset, &mut buf)?;
    let tag = buf[size];
    if verify {
        let stored = unmask_crc(decode_fixed32(&buf[size + 1..]));
        let actual = crc32c::crc32c(&buf[..size + 1]);
        if stored != actual {
            return Err(bad(format!(
                "block checksum mismatch: stored {stored:#010x}, computed {actual:#010x}"
            )));
        }
    }
    let kind = CompressionType::from_tag(tag).ok_or_else(|| bad(format!("unknown compression tag {tag}")))?;
    if kind == CompressionType::None {
        buf.truncate(size);
        return Ok(buf);
    }
    decompress(kind, &buf[..size]).map_err(bad)
}

/// Decompresses one stored block; the error is a human-readable detail.
pub fn decompress(kind: CompressionType, src: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let check_len = |n: usize| {
        if n > MAX_BLOCK_LEN {
            Err(format!("{} block claims {n} uncompressed bytes", kind.name()))
        } else {
            Ok(n)
        }
    };
    match kind {
        CompressionType::None => Ok(src.to_vec()),
        CompressionType::Lz4 => {
            if src.len() < 4 {
                return Err("lz4 block shorter than its size prefix".into());
            }
            let n = check_len(decode_fixed32(src) as usize)?;
            // LZ4 expands at most ~255x; a larger claim is a damaged prefix.
            if n > (src.len() - 4).saturating_mul(255).saturating_add(64) {
                return Err(format!("lz4 block claims {n} bytes from {} stored", src.len()));
            }
            let mut out = vec![0u8; n];
            match lz4_flex::block::decompress_into(&src[4..], &mut out) {
                Ok(got) if got == n => Ok(out),
                Ok(got) => Err(format!("lz4 block decompressed to {got} bytes, expected {n}")),
                Err(e) => Err(format!("lz4 decompression failed: {e}")),
            }
        }
        CompressionType::Zstd => {
            let n = match zstd::zstd_safe::get_frame_content_size(src) {
                Ok(Some(n)) => check_len(usize::try_from(n).unwrap_or(usize::MAX))?,
                _ => return Err("zstd block without a valid frame content size".into()),
            };
            let mut out = Vec::with_capacity(n);
            // One decompression context per thread, reused across blocks.
            thread_local! {
                static ZSTD: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
                    std::cell::RefCell::new(zstd::bulk::Decompressor::new().ok());
            }
            let r = ZSTD.with(|z| match z.borrow_mut().as_mut() {
                Some(d) => d.decompress_to_buffer(src, &mut out),
                None => Err(std::io::Error::other("cannot create a zstd context")),
            });
            match r {
                Ok(got) if got == n => Ok(out),
                Ok(got) => Err(format!("zstd block decompressed to {got} bytes, expected {n}")),
                Err(e) => Err(format!("zstd decompression failed: {e}")),
            }
        }
        CompressionType::Snappy => {
            let n = snap::raw::decompress_len(src).map_err(|e| format!("snappy header: {e}"))?;
            let n = check_len(n)?;
            let mut out = vec![0u8; n];
            match snap::raw::Decoder::new().decompress(src, &mut out) {
                Ok(got) if got == n => Ok(out),
                Ok(got) => Err(format!("snappy block decompressed to {got} bytes, expected {n}")),
                Err(e) => Err(format!("snappy decompression failed: {e}")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_mask_round_trips_and_differs() {
        for c in [0u32, 1, 0xdead_beef, u32::MAX] {
            assert_eq!(unmask_crc(mask_crc(c)), c);
            assert_ne!(mask_crc(c), c);
        }
    }

    #[test]
    fn footer_round_trip_and_rejects_damage() {
        let f = Footer {
            index: BlockHandle::new(100, 20),
            filter: BlockHandle::new(0, 0),
            range_del: BlockHandle::new(50, 3),
            properties: BlockHandle::new(58, 37),
        };
        let bytes = f.encode();
        assert_eq!(bytes.len(), FOOTER_LEN);
        assert_eq!(Footer::decode(&bytes, "t", 200).expect("valid"), f);
        // Handle past the footer.
        assert!(Footer::decode(&bytes, "t", 110).is_err());
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x10;
            let e = Footer::decode(&b, "t", 200).expect_err("damaged footer accepted");
            assert!(e.is_corruption());
        }
    }

    #[test]
    fn compression_round_trips_and_falls_back() {
        let compressible: Vec<u8> = (0..5000u32).flat_map(|i| (i % 7).to_le_bytes()).collect();
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let random: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        for kind in CompressionType::ALL {
            let mut c = Compressor::new(kind, 3);
            let (stored, used) = c.compress(&compressible);
            let stored = stored.to_vec();
            if kind == CompressionType::None {
                assert_eq!(used, CompressionType::None);
            } else {
                assert_eq!(used, kind);
                assert!(stored.len() < compressible.len() / 2);
            }
            assert_eq!(decompress(used, &stored).expect("round trip"), compressible);
            let (_, used) = c.compress(&random);
            assert_eq!(
                used,
                CompressionType::None,
                "{kind:?} kept an incompressible block"
            );
        }
    }

    #[test]
    fn decompress_garbage_is_an_error_not_a_panic() {
        for kind in CompressionType::ALL {
            for garbage in [
                &b""[..],
                b"\x01",
                b"\xff\xff\xff\xff\xff\xff",
                b"\x05\x00\x00\x00abc",
            ] {
                let _ = decompress(kind, garbage);
            }
        }
        assert!(decompress(CompressionType::Lz4, b"\xff\xff\xff\x7fxx").is_err());
    }
}
