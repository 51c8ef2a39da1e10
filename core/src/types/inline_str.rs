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
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct InlineStr<const N: usize>([u8; N]);

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
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Up to the last 8-byte word that holds text: the padding after it is all zeros.
        let words = self.len().div_ceil(8) * 8;
        state.write(&self.0[..words.min(N)]);
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
    fn is_small_and_plain() {
        assert_eq!(std::mem::size_of::<InlineStr<36>>(), 36);
        assert_eq!(std::mem::align_of::<InlineStr<36>>(), 1);
    }
}
