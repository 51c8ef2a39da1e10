//! Identifier newtypes, in two kinds by how many of them a process meets:
//!
//! - Interned (`interned!`): instruments, venues, strategies, accounts, positions, bar types,
//!   currencies. Their number is bounded by the configuration, so each text is kept once for
//!   the life of the process: copying one copies a pointer, comparing two compares pointers.
//! - Inline (`inline!`): client and venue order ids and trade ids, whose number grows with
//!   history (an id per order, per fill, per market trade). Each holds its text in a fixed
//!   array (`Copy`, no heap, no interner), so a node that runs for months keeps only the ids of
//!   what it still holds. The capacity, 36 bytes, is what real venues use: Binance client order
//!   ids are at most 36 characters, Coinbase order ids are 36-character UUIDs, trade ids are
//!   numbers or UUIDs. A longer id is refused with an error naming the field.
//!
//! Both kinds have `new`, `from_static`, `as_str`, `Display`, serde as a plain string and
//! ordering by the text.

use super::inline_str::{InlineError, InlineStr};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use ustr::Ustr;

/// Bytes an inline identifier holds.
pub const INLINE_ID_CAPACITY: usize = 36;

/// An empty string, or whitespace or control characters: never an identifier.
fn malformed(value: &str) -> bool {
    value.is_empty() || value.chars().any(|c| c.is_whitespace() || c.is_control())
}

macro_rules! interned {
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
                if malformed(value) {
                    return Err(IdentifierError::Invalid {
                        kind: stringify!($name),
                        value: value.into(),
                    });
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

macro_rules! inline {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        ///
        /// Held inline (see the module documentation); equality, hashing and ordering are
        /// those of the text.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(InlineStr<INLINE_ID_CAPACITY>);

        impl $name {
            /// The name of the field that holds this identifier, in errors.
            pub const FIELD: &'static str = $field;

            /// Makes the identifier; an empty string, one with whitespace or control characters
            /// and one longer than [`INLINE_ID_CAPACITY`] bytes are refused.
            pub fn new(value: &str) -> Result<Self, IdentifierError> {
                if malformed(value) {
                    return Err(IdentifierError::Invalid {
                        kind: stringify!($name),
                        value: value.into(),
                    });
                }
                Self::stored(value)
            }

            /// Makes the identifier from a string the caller knows is valid (literals, ids the
            /// engine formats within the capacity).
            ///
            /// # Panics
            /// When `value` is longer than [`INLINE_ID_CAPACITY`] bytes or holds a NUL byte: a
            /// bug in the caller, which must use [`Self::new`] for text it does not control.
            #[must_use]
            pub fn from_static(value: &str) -> Self {
                debug_assert!(!value.is_empty());
                match Self::stored(value) {
                    Ok(id) => id,
                    Err(error) => panic!("{error}"),
                }
            }

            /// The text as stored: only its length (and a NUL) can be refused.
            fn stored(value: &str) -> Result<Self, IdentifierError> {
                InlineStr::new(value).map(Self).map_err(|error| match error {
                    InlineError::TooLong { len } => IdentifierError::TooLong {
                        field: $field,
                        value: value.into(),
                        len,
                        max: INLINE_ID_CAPACITY,
                    },
                    InlineError::Nul => IdentifierError::Invalid {
                        kind: stringify!($name),
                        value: value.into(),
                    },
                })
            }

            #[inline]
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str(InlineVisitor(Self::stored))
            }
        }
    };
}

/// Reads an inline identifier from a string, borrowed or not, without an allocation.
struct InlineVisitor<T>(fn(&str) -> Result<T, IdentifierError>);

impl<T> serde::de::Visitor<'_> for InlineVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an identifier of at most {INLINE_ID_CAPACITY} bytes")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
        (self.0)(value).map_err(E::custom)
    }
}

/// A hasher for maps keyed by identifiers (or tuples of them). An interned identifier hashes
/// as the string hash its interner already computed, an inline one as one well-mixed `u64` of
/// its text, so this only folds those `u64`s together (FxHash's step) instead of running
/// SipHash over them again on every lookup. Not
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

/// An identifier the engine refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    /// Empty, or with whitespace or control characters.
    #[error("invalid {kind}: {value:?} (must be non-empty, without whitespace)")]
    Invalid { kind: &'static str, value: String },
    /// Longer than an inline identifier holds; `field` names where it was given.
    #[error("{field}: {value:?} is {len} bytes long; at most {max} fit")]
    TooLong { field: &'static str, value: String, len: usize, max: usize },
}

impl IdentifierError {
    /// The field the refused id was given for, when the error knows it.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::Invalid { .. } => None,
            Self::TooLong { field, .. } => Some(field),
        }
    }
}

interned!(
    /// An instrument, written `SYMBOL.VENUE` (e.g. `BTCUSDT.BINANCE`).
    InstrumentId
);
interned!(
    /// A trading venue (e.g. `BINANCE`, `SIM`).
    Venue
);
inline!(
    /// The client's own order identifier: unique and deterministic per strategy.
    ClientOrderId,
    "client_order_id"
);
inline!(
    /// The identifier a venue gives an order when it accepts it.
    VenueOrderId,
    "venue_order_id"
);
interned!(
    /// A strategy instance.
    StrategyId
);
inline!(
    /// A venue's identifier of one trade (a fill or a market trade).
    TradeId,
    "trade_id"
);
interned!(
    /// A trading account at a venue.
    AccountId
);
interned!(
    /// A netting position: one per instrument and strategy (`<instrument>-<strategy>`), so
    /// bounded by the configuration.
    PositionId
);
interned!(
    /// A bar specification, e.g. `BTCUSDT.BINANCE-1-MINUTE-LAST`.
    BarType
);
interned!(
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

    const UUID: &str = "0f5b2c34-9d6e-4a1f-8c7b-3e2d1a0b9c8d";

    #[test]
    fn inline_ids_hold_what_real_venues_send() {
        assert_eq!(UUID.len(), INLINE_ID_CAPACITY);
        for text in [UUID, "x-Q4Vm3Nn0eX2Mz1rA7Ty6Pu5Os8Lk9Ji4H", "3735683259", "SIM-1-1"] {
            assert_eq!(ClientOrderId::new(text).unwrap().as_str(), text);
            assert_eq!(VenueOrderId::new(text).unwrap().to_string(), text);
            assert_eq!(TradeId::new(text).unwrap().as_str(), text);
        }
        assert_eq!(format!("{:?}", TradeId::from_static("7")), "TradeId(\"7\")");
        assert_eq!(std::mem::size_of::<TradeId>(), INLINE_ID_CAPACITY);
    }

    #[test]
    fn an_inline_id_too_long_is_refused_naming_the_field() {
        let long = format!("{UUID}-");
        let err = ClientOrderId::new(&long).unwrap_err();
        assert_eq!(err.field(), Some("client_order_id"));
        assert_eq!(
            err.to_string(),
            format!("client_order_id: {long:?} is 37 bytes long; at most 36 fit")
        );
        assert!(VenueOrderId::new(&long).unwrap_err().to_string().starts_with("venue_order_id: "));
        assert!(TradeId::new(&long).unwrap_err().to_string().starts_with("trade_id: "));
        assert!(TradeId::new("T 1").is_err());
        assert!(TradeId::new("T\u{0}1").is_err());
        assert_eq!(StrategyId::new("").unwrap_err().field(), None);
    }

    #[test]
    #[should_panic(expected = "trade_id: ")]
    fn from_static_with_an_id_too_long_is_a_bug_that_panics() {
        let _ = TradeId::from_static(&format!("{UUID}{UUID}"));
    }

    #[test]
    fn inline_ids_are_plain_strings_on_the_wire() {
        let id = ClientOrderId::from_static("O-ema-1");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"O-ema-1\"");
        assert_eq!(rmp_serde::to_vec(&id).unwrap(), rmp_serde::to_vec("O-ema-1").unwrap());
        let back: ClientOrderId = rmp_serde::from_slice(&rmp_serde::to_vec(&id).unwrap()).unwrap();
        assert_eq!(back, id);
        let json: TradeId = serde_json::from_str(&format!("\"{UUID}\"")).unwrap();
        assert_eq!(json.as_str(), UUID);
        let too_long = rmp_serde::to_vec(&format!("{UUID}{UUID}")).unwrap();
        let err = rmp_serde::from_slice::<TradeId>(&too_long).unwrap_err().to_string();
        assert!(err.contains("trade_id: ") && err.contains("at most 36 fit"), "{err}");
        assert!(rmp_serde::from_slice::<TradeId>(&rmp_serde::to_vec(&7u32).unwrap()).is_err());
    }

    #[test]
    fn inline_ids_are_not_interned() {
        // Other tests intern a few names meanwhile; 20,000 trade ids must add none.
        let before = ustr::num_entries();
        let ids: Vec<TradeId> =
            (0..20_000u64).map(|n| TradeId::new(&format!("inline-{n}")).unwrap()).collect();
        assert!(ustr::num_entries() < before + 1_000);
        assert_eq!(ids[19_999].as_str(), "inline-19999");
    }

    #[test]
    fn inline_ids_order_by_their_text_and_key_maps() {
        let mut ids = ["O-ema-2", "O-ema-10", "O-ema-1", "A"].map(ClientOrderId::from_static);
        ids.sort();
        let text: Vec<&str> = ids.iter().map(ClientOrderId::as_str).collect();
        assert_eq!(text, ["A", "O-ema-1", "O-ema-10", "O-ema-2"]);
        let mut by_id: IdMap<VenueOrderId, usize> = IdMap::default();
        for n in 0..1_000 {
            by_id.insert(VenueOrderId::from_static(&format!("SIM-{n}")), n);
        }
        assert!((0..1_000).all(|n| by_id[&VenueOrderId::from_static(&format!("SIM-{n}"))] == n));
    }
}
