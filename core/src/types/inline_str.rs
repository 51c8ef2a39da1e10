//! A short string stored inline: `N` bytes, zero-padded, `Copy`, no heap and no interner.
//!
//! Text never holds a NUL byte (identifiers refuse control characters), so the padding marks
//! the end and comparing the padded arrays compares the texts: equality, hashing and ordering
//! work on the bytes as stored, without finding the length first.

use std::hash::{Hash, Hasher};

/// Why a text cannot be stored inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InlineError {
    /// More than the capacity, in bytes.
    TooLong { len: usize },
    /// A NUL byte, which would end the text early.
    Nul,
}

/// Up to `N` bytes of UTF-8 text, inline. See the module documentation.
#[derive(Clone, Copy)]
pub(crate) struct InlineStr<const N: usize>([u8; N]);

/// The `i`-th 8-byte word of `bytes` (zero-filled past the end), big-endian: comparing words
/// compares the bytes in order.
#[inline]
fn word<const N: usize>(bytes: &[u8; N], i: usize) -> u64 {
    let mut w = [0u8; 8];
    let chunk = &bytes[i * 8..(i * 8 + 8).min(N)];
    w[..chunk.len()].copy_from_slice(chunk);
    u64::from_be_bytes(w)
}

// Word by word rather than through `memcmp`: ids are compared on every map lookup.
impl<const N: usize> PartialEq for InlineStr<N> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        (0..N.div_ceil(8)).all(|i| word(&self.0, i) == word(&other.0, i))
    }
}

impl<const N: usize> Eq for InlineStr<N> {}

impl<const N: usize> Ord for InlineStr<N> {
    #[inline]
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (0..N.div_ceil(8))
            .map(|i| word(&self.0, i).cmp(&word(&other.0, i)))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    }
}

impl<const N: usize> PartialOrd for InlineStr<N> {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<const N: usize> InlineStr<N> {
    /// The text, copied inline; refused when longer than `N` bytes or holding a NUL.
    #[inline]
    pub fn new(text: &str) -> Result<Self, InlineError> {
        let bytes = text.as_bytes();
        if bytes.len() > N {
            return Err(InlineError::TooLong { len: bytes.len() });
        }
        if bytes.contains(&0) {
            return Err(InlineError::Nul);
        }
        let mut buf = [0u8; N];
        buf[..bytes.len()].copy_from_slice(bytes);
        Ok(Self(buf))
    }

    /// Length of the text in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.0.iter().position(|&b| b == 0).unwrap_or(N)
    }

    #[inline]
    pub fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in (never cut), so this never falls back.
        std::str::from_utf8(&self.0[..self.len()]).unwrap_or_default()
    }
}

impl<const N: usize> std::fmt::Debug for InlineStr<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<const N: usize> Hash for InlineStr<N> {
    /// One well-mixed `u64` of the text: ids that differ only in a few digits (`O-s-17`,
    /// `O-s-18`) must differ in every bit a hash table looks at, and the fast `IdHasher` only
    /// folds words together. Word-wise multiply-rotate up to the first word of padding alone
    /// (every later one is padding too), then a 64-bit finalizer.
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        const K: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut h = 0u64;
        for chunk in self.0.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            let word = u64::from_le_bytes(w);
            if word == 0 {
                break;
            }
            h = (h ^ word).wrapping_mul(K).rotate_left(31);
        }
        // The finalizer of MurmurHash3: every input bit reaches every output bit.
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^= h >> 33;
        state.write_u64(h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn hash_of(s: InlineStr<36>) -> u64 {
        let mut h = DefaultHasher::new();
        s.hash(&mut h);
        h.finish()
    }

    #[test]
    fn holds_up_to_its_capacity_and_refuses_more() {
        let full = "0123456789abcdef0123456789abcdef0123";
        assert_eq!(InlineStr::<36>::new(full).unwrap().as_str(), full);
        assert_eq!(InlineStr::<36>::new("").unwrap().as_str(), "");
        assert_eq!(
            InlineStr::<36>::new(&format!("{full}4")),
            Err(InlineError::TooLong { len: 37 })
        );
        assert_eq!(InlineStr::<36>::new("a\0b"), Err(InlineError::Nul));
        // Multi-byte text counts bytes, and is never cut inside a character.
        assert_eq!(InlineStr::<4>::new("éé").unwrap().as_str(), "éé");
        assert!(InlineStr::<4>::new("ééé").is_err());
    }

    #[test]
    fn compares_and_orders_like_the_text() {
        let texts = ["b", "a", "ab", "B", "a", "", "abc", "a-1", "a-10", "a-2"];
        let mut ids: Vec<InlineStr<36>> =
            texts.iter().map(|t| InlineStr::new(t).unwrap()).collect();
        ids.sort();
        let mut sorted = texts;
        sorted.sort_unstable();
        assert_eq!(ids.iter().map(InlineStr::as_str).collect::<Vec<_>>(), sorted);
        let a = InlineStr::<36>::new("O-ema-12").unwrap();
        assert_eq!(a, InlineStr::new("O-ema-12").unwrap());
        assert_ne!(a, InlineStr::new("O-ema-1").unwrap());
        assert_eq!(hash_of(a), hash_of(InlineStr::new("O-ema-12").unwrap()));
        assert_ne!(hash_of(a), hash_of(InlineStr::new("O-ema-13").unwrap()));
    }

    #[test]
    fn sequential_ids_spread_over_the_low_bits_a_table_indexes_by() {
        use crate::types::IdHasher;
        let mut buckets = std::collections::HashSet::new();
        for n in 0..4_096u32 {
            let mut h = IdHasher::default();
            InlineStr::<36>::new(&format!("O-bench-{n}")).unwrap().hash(&mut h);
            buckets.insert(h.finish() & 4_095);
        }
        // A random function fills about 63% of the buckets; a weak one far fewer.
        assert!(buckets.len() > 2_400, "{}", buckets.len());
    }

    #[test]
    fn is_small_and_plain() {
        assert_eq!(std::mem::size_of::<InlineStr<36>>(), 36);
        assert_eq!(std::mem::align_of::<InlineStr<36>>(), 1);
    }
}
