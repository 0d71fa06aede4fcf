//! Key formatting: key number -> fixed-width key bytes, db_bench style.
//!
//! Invariants: a key is the zero-padded decimal of its number, right-aligned
//! in exactly `key_size` bytes (key 42 with key_size 8 is `00000042`), so
//! byte order equals numeric order and every loaded key has the same length.
//! A number with more digits than `key_size` is written in full (the key is
//! then longer, still unique and still ordered); suite validation rejects a
//! `key_size` too small for the loaded key space. A *missing* key (for
//! `read_missing`) is a loaded-style key followed by `.`: it sorts between
//! real keys, so reads must consult filters rather than file bounds, and it
//! can never equal a written key (as LevelDB's db_bench `readmissing`).

/// Decimal digits needed to write `n`.
pub fn digits(n: u64) -> usize {
    let mut d = 1;
    let mut v = n;
    while v >= 10 {
        v /= 10;
        d += 1;
    }
    d
}

const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes fixed-width keys into a reusable buffer.
#[derive(Debug, Clone)]
pub struct KeyFormatter {
    key_size: usize,
    buf: Vec<u8>,
}

impl KeyFormatter {
    /// A formatter for keys of `key_size` bytes (at least 1).
    pub fn new(key_size: usize) -> KeyFormatter {
        let key_size = key_size.max(1);
        KeyFormatter {
            key_size,
            buf: vec![b'0'; key_size + 21],
        }
    }

    /// The configured key width.
    pub fn key_size(&self) -> usize {
        self.key_size
    }

    /// The key for number `n`, valid until the next call.
    #[inline]
    pub fn key(&mut self, n: u64) -> &[u8] {
        let len = self.write(n);
        &self.buf[..len]
    }

    /// The missing-key form of `n` (`key(n)` followed by `.`).
    #[inline]
    pub fn missing_key(&mut self, n: u64) -> &[u8] {
        let len = self.write(n);
        self.buf[len] = b'.';
        &self.buf[..len + 1]
    }

    /// Writes key `n` at the start of `buf`; returns its length.
    #[inline]
    fn write(&mut self, n: u64) -> usize {
        let len = self.key_size.max(digits(n));
        let out = &mut self.buf[..len];
        let mut v = n;
        let mut i = len;
        while v >= 100 {
            let r = (v % 100) as usize * 2;
            v /= 100;
            i -= 2;
            out[i..i + 2].copy_from_slice(&PAIRS[r..r + 2]);
        }
        if v >= 10 {
            let r = v as usize * 2;
            i -= 2;
            out[i..i + 2].copy_from_slice(&PAIRS[r..r + 2]);
        } else {
            i -= 1;
            out[i] = b'0' + v as u8;
        }
        out[..i].fill(b'0');
        len
    }

    /// Appends key `n` to `out` (for owned batch entries).
    pub fn append_key(&mut self, n: u64, out: &mut Vec<u8>) {
        let len = self.write(n);
        out.extend_from_slice(&self.buf[..len]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_format_macro() {
        let mut f = KeyFormatter::new(16);
        for n in [0u64, 1, 9, 10, 99, 100, 12345, 9_999_999_999_999_999, u64::MAX] {
            let expected = format!("{n:016}");
            assert_eq!(f.key(n), expected.as_bytes(), "{n}");
        }
        let mut f = KeyFormatter::new(3);
        assert_eq!(f.key(7), b"007");
        assert_eq!(f.key(12345), b"12345");
        assert_eq!(f.missing_key(7), b"007.");
        let mut v = Vec::new();
        f.append_key(42, &mut v);
        assert_eq!(v, b"042");
    }

    #[test]
    fn order_is_numeric_order() {
        let mut f = KeyFormatter::new(8);
        let mut prev = f.key(0).to_vec();
        for n in 1..5000u64 {
            let k = f.key(n * 7).to_vec();
            assert!(k > prev);
            prev = k;
        }
    }

    #[test]
    fn missing_keys_never_equal_real_keys() {
        let mut f = KeyFormatter::new(6);
        let missing: Vec<Vec<u8>> = (0..100).map(|n| f.missing_key(n).to_vec()).collect();
        for n in 0..1000 {
            assert!(!missing.iter().any(|m| m.as_slice() == f.key(n)));
        }
        assert_eq!(digits(0), 1);
        assert_eq!(digits(999), 3);
        assert_eq!(digits(1000), 4);
        assert_eq!(digits(u64::MAX), 20);
    }
}
