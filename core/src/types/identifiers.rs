//! Identifier newtypes. Each wraps an interned string: copying one is copying a pointer,
//! comparing two is comparing pointers, and the wire form is the plain string.

use serde::{Deserialize, Serialize};
use std::fmt;
use ustr::Ustr;

macro_rules! identifier {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Ustr);

        // Ordered by the text. Interned: equal text is the same pointer, so the common
        // equal case (a lookup hitting its key in an ordered map) skips comparing bytes.
        impl Ord for $name {
            #[inline]
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                if self.0 == other.0 {
                    std::cmp::Ordering::Equal
                } else {
                    self.0.as_str().cmp(other.0.as_str())
                }
            }
        }

        impl PartialOrd for $name {
            #[inline]
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl $name {
            /// Makes the identifier; an empty string or one with whitespace or control
            /// characters is refused.
            pub fn new(value: &str) -> Result<Self, IdentifierError> {
                if value.is_empty() {
                    return Err(IdentifierError { kind: stringify!($name), value: value.into() });
                }
                if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(IdentifierError { kind: stringify!($name), value: value.into() });
                }
                Ok(Self(Ustr::from(value)))
            }

            /// Makes the identifier from a string the caller knows is valid (literals, formatted ids).
            #[must_use]
            pub fn from_static(value: &str) -> Self {
                debug_assert!(!value.is_empty());
                Self(Ustr::from(value))
            }

            #[inline]
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0.as_str())
            }
        }
    };
}

/// A hasher for maps keyed by identifiers (or tuples of them). An identifier hashes as the
/// string hash its interner already computed, so this only folds those `u64`s together
/// (FxHash's step) instead of running SipHash over them again on every lookup. Not
/// DoS-resistant, and it need not be: keys are ids the engine or its venue created.
#[derive(Debug, Default, Clone, Copy)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    #[inline]
    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` keyed by identifiers, hashed with [`IdHasher`]. Like any `HashMap`, never
/// iterate one to produce output.
pub type IdMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<IdHasher>>;

/// An identifier that is empty or holds whitespace.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind}: {value:?} (must be non-empty, without whitespace)")]
pub struct IdentifierError {
    pub kind: &'static str,
    pub value: String,
}

identifier!(
    /// An instrument, written `SYMBOL.VENUE` (e.g. `BTCUSDT.BINANCE`).
    InstrumentId
);
identifier!(
    /// A trading venue (e.g. `BINANCE`, `SIM`).
    Venue
);
identifier!(
    /// The client's own order identifier: unique and deterministic per strategy.
    ClientOrderId
);
identifier!(
    /// The identifier a venue gives an order when it accepts it.
    VenueOrderId
);
identifier!(
    /// A strategy instance.
    StrategyId
);
identifier!(
    /// A venue's identifier of one trade (a fill or a market trade).
    TradeId
);
identifier!(
    /// A trading account at a venue.
    AccountId
);
identifier!(
    /// A netting position: one per instrument and strategy.
    PositionId
);
identifier!(
    /// A bar specification, e.g. `BTCUSDT.BINANCE-1-MINUTE-LAST`.
    BarType
);
identifier!(
    /// A currency or asset code (e.g. `USD`, `USDT`, `BTC`).
    Currency
);

impl InstrumentId {
    /// The venue part: the text after the last `.`, or the whole id when there is none.
    pub fn venue(&self) -> Venue {
        let s = self.as_str();
        Venue::from_static(s.rsplit_once('.').map_or(s, |(_, v)| v))
    }

    /// The symbol part: the text before the last `.`.
    pub fn symbol(&self) -> &str {
        let s = self.as_str();
        s.rsplit_once('.').map_or(s, |(sym, _)| sym)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instrument_id_splits_symbol_and_venue() {
        let id = InstrumentId::new("BTCUSDT.BINANCE").unwrap();
        assert_eq!(id.symbol(), "BTCUSDT");
        assert_eq!(id.venue().as_str(), "BINANCE");
    }

    #[test]
    fn identifiers_refuse_empty_and_whitespace() {
        assert!(ClientOrderId::new("").is_err());
        assert!(ClientOrderId::new("O 1").is_err());
        let err = StrategyId::new("").unwrap_err();
        assert!(err.to_string().contains("StrategyId"));
    }

    #[test]
    fn id_map_finds_what_it_holds() {
        let mut map: IdMap<ClientOrderId, u64> = IdMap::default();
        for n in 0..1_000u64 {
            map.insert(ClientOrderId::from_static(&format!("O-{n}")), n);
        }
        assert_eq!(map.len(), 1_000);
        for n in 0..1_000u64 {
            assert_eq!(map.get(&ClientOrderId::from_static(&format!("O-{n}"))), Some(&n));
        }
        assert!(!map.contains_key(&ClientOrderId::from_static("O-1000")));
        let mut pairs: IdMap<(InstrumentId, StrategyId), u8> = IdMap::default();
        pairs.insert((InstrumentId::from_static("A.X"), StrategyId::from_static("s")), 1);
        pairs.insert((InstrumentId::from_static("s"), StrategyId::from_static("A.X")), 2);
        assert_eq!(pairs.len(), 2);
    }

    #[test]
    fn identifiers_order_by_their_text() {
        let ids = ["b", "a", "ab", "B", "a"].map(Currency::from_static);
        let mut sorted = ids;
        sorted.sort();
        let text: Vec<&str> = sorted.iter().map(Currency::as_str).collect();
        assert_eq!(text, ["B", "a", "a", "ab", "b"]);
        assert_eq!(ids[1].cmp(&ids[4]), std::cmp::Ordering::Equal);
    }

    #[test]
    fn equal_strings_are_equal_identifiers() {
        assert_eq!(TradeId::new("T-1").unwrap(), TradeId::from_static("T-1"));
    }
}
