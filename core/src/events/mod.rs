//! Every event the engine knows, in one enum. Each carries `ts_event` (when it happened at the
//! source) and `ts_init` (when the engine saw it), in nanoseconds. The wire form is `MessagePack`
//! with named fields and a `type` tag, so Python reads any payload without the engine.

mod account;
mod commands;
pub mod fixtures;
mod market;
mod order;

pub use account::{
    AccountBalance, AccountState, PositionState, TimerFired, TradingStateChanged, VenueConnected,
    VenueDisconnected,
};
pub use commands::{CancelAllOrders, CancelOrder, Flatten, Halt, ModifyOrder, Resume, SubmitOrder};
pub use market::{Bar, BookDeltas, BookLevel, BookLevelDelta, BookSnapshot, QuoteTick, TradeTick};
pub use order::{
    OrderAccepted, OrderCancelRejected, OrderCanceled, OrderDenied, OrderExpired, OrderFilled,
    OrderInitialized, OrderModifyRejected, OrderPendingCancel, OrderPendingUpdate, OrderRejected,
    OrderSubmitted, OrderTriggered, OrderUpdated,
};

use crate::types::{ClientOrderId, InstrumentId, StrategyId, UnixNanos};
use serde::{Deserialize, Serialize};

/// The header every event shares: its times and the ids an operator filters by.
pub trait EventHeader {
    fn ts_event(&self) -> UnixNanos;
    fn ts_init(&self) -> UnixNanos;
    fn instrument_id(&self) -> Option<InstrumentId> {
        None
    }
    fn strategy_id(&self) -> Option<StrategyId> {
        None
    }
    fn client_order_id(&self) -> Option<ClientOrderId> {
        None
    }
}

macro_rules! header {
    (@times) => {
        fn ts_event(&self) -> UnixNanos { self.ts_event }
        fn ts_init(&self) -> UnixNanos { self.ts_init }
    };
    (order: $($t:ty),+) => {$(
        impl EventHeader for $t {
            header!(@times);
            fn instrument_id(&self) -> Option<InstrumentId> { Some(self.instrument_id) }
            fn strategy_id(&self) -> Option<StrategyId> { Some(self.strategy_id) }
            fn client_order_id(&self) -> Option<ClientOrderId> { Some(self.client_order_id) }
        }
    )+};
    (instrument: $($t:ty),+) => {$(
        impl EventHeader for $t {
            header!(@times);
            fn instrument_id(&self) -> Option<InstrumentId> { Some(self.instrument_id) }
        }
    )+};
    (scoped: $($t:ty),+) => {$(
        impl EventHeader for $t {
            header!(@times);
            fn instrument_id(&self) -> Option<InstrumentId> { self.instrument_id }
            fn strategy_id(&self) -> Option<StrategyId> { self.strategy_id }
        }
    )+};
    (plain: $($t:ty),+) => {$(
        impl EventHeader for $t { header!(@times); }
    )+};
}

header!(order: SubmitOrder, CancelOrder, ModifyOrder, OrderInitialized, OrderDenied,
    OrderSubmitted, OrderAccepted, OrderRejected, OrderCanceled, OrderExpired, OrderTriggered,
    OrderPendingUpdate, OrderPendingCancel, OrderUpdated, OrderModifyRejected,
    OrderCancelRejected, OrderFilled);
header!(instrument: QuoteTick, TradeTick, BookDeltas, BookSnapshot, Bar);
header!(scoped: CancelAllOrders, Flatten);
header!(plain: Halt, Resume, AccountState, VenueConnected, VenueDisconnected,
    TradingStateChanged);

impl EventHeader for PositionState {
    header!(@times);
    fn instrument_id(&self) -> Option<InstrumentId> {
        Some(self.instrument_id)
    }
    fn strategy_id(&self) -> Option<StrategyId> {
        Some(self.strategy_id)
    }
}

impl EventHeader for TimerFired {
    header!(@times);
    fn strategy_id(&self) -> Option<StrategyId> {
        self.strategy_id
    }
}

macro_rules! event_enum {
    ($($variant:ident($ty:ty)),+ $(,)?) => {
        /// Any event. The variant name is the `type` tag on the wire and the `kind` in the log.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(tag = "type")]
        pub enum Event {
            $($variant($ty)),+
        }

        impl<'de> Deserialize<'de> for Event {
            /// A map whose first entry is the `type` tag (as this engine and Python's msgspec
            /// write it), then the variant's fields, read straight into the variant: serde's
            /// derive for a tagged enum buffers every field first, which made decoding the
            /// costliest step of a re-fold.
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visit;
                impl<'de> serde::de::Visitor<'de> for Visit {
                    type Value = Event;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("an event: a map with its `type` first")
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<Event, A::Error> {
                        use serde::de::Error;
                        if map.next_key::<Tag>()?.is_none() {
                            return Err(A::Error::missing_field("type"));
                        }
                        let Kind(kind) = map.next_value()?;
                        let rest = serde::de::value::MapAccessDeserializer::new(map);
                        let mut n = 0;
                        $(
                            if kind == n {
                                return <$ty>::deserialize(rest).map(Event::$variant);
                            }
                            n += 1;
                        )+
                        Err(A::Error::custom(format_args!("no event kind {kind} of {n}")))
                    }
                }
                deserializer.deserialize_map(Visit)
            }
        }

        /// The first key of an event's map, which must be `type`.
        struct Tag;

        impl<'de> Deserialize<'de> for Tag {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visit;
                impl serde::de::Visitor<'_> for Visit {
                    type Value = Tag;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("the field `type` first")
                    }
                    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Tag, E> {
                        if key == "type" {
                            Ok(Tag)
                        } else {
                            Err(E::custom(format_args!("the first field must be `type`, not `{key}`")))
                        }
                    }
                }
                deserializer.deserialize_str(Visit)
            }
        }

        /// An event kind, by its position in `Event::KINDS`.
        struct Kind(usize);

        impl<'de> Deserialize<'de> for Kind {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visit;
                impl serde::de::Visitor<'_> for Visit {
                    type Value = Kind;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("an event kind")
                    }
                    fn visit_str<E: serde::de::Error>(self, kind: &str) -> Result<Kind, E> {
                        Event::KINDS
                            .iter()
                            .position(|k| *k == kind)
                            .map(Kind)
                            .ok_or_else(|| E::unknown_variant(kind, Event::KINDS))
                    }
                }
                deserializer.deserialize_str(Visit)
            }
        }

        impl Event {
            /// Every kind name, in declaration order.
            pub const KINDS: &'static [&'static str] = &[$(stringify!($variant)),+];

            pub fn kind(&self) -> &'static str {
                match self { $(Self::$variant(_) => stringify!($variant)),+ }
            }

            fn header(&self) -> &dyn EventHeader {
                match self { $(Self::$variant(e) => e),+ }
            }
        }
    };
}

macro_rules! into_event {
    ($($ty:ident),+ $(,)?) => {$(
        impl From<$ty> for Event {
            fn from(e: $ty) -> Self { Self::$ty(e) }
        }
    )+};
}

// Position states are not here: one struct serves three variants, so callers name the variant.
into_event!(
    QuoteTick,
    TradeTick,
    BookDeltas,
    BookSnapshot,
    Bar,
    SubmitOrder,
    CancelOrder,
    ModifyOrder,
    CancelAllOrders,
    Flatten,
    Halt,
    Resume,
    OrderInitialized,
    OrderDenied,
    OrderSubmitted,
    OrderAccepted,
    OrderRejected,
    OrderCanceled,
    OrderExpired,
    OrderTriggered,
    OrderPendingUpdate,
    OrderPendingCancel,
    OrderUpdated,
    OrderModifyRejected,
    OrderCancelRejected,
    OrderFilled,
    AccountState,
    VenueConnected,
    VenueDisconnected,
    TradingStateChanged,
    TimerFired
);

event_enum!(
    QuoteTick(QuoteTick),
    TradeTick(TradeTick),
    BookDeltas(BookDeltas),
    BookSnapshot(BookSnapshot),
    Bar(Bar),
    SubmitOrder(SubmitOrder),
    CancelOrder(CancelOrder),
    ModifyOrder(ModifyOrder),
    CancelAllOrders(CancelAllOrders),
    Flatten(Flatten),
    Halt(Halt),
    Resume(Resume),
    OrderInitialized(OrderInitialized),
    OrderDenied(OrderDenied),
    OrderSubmitted(OrderSubmitted),
    OrderAccepted(OrderAccepted),
    OrderRejected(OrderRejected),
    OrderCanceled(OrderCanceled),
    OrderExpired(OrderExpired),
    OrderTriggered(OrderTriggered),
    OrderPendingUpdate(OrderPendingUpdate),
    OrderPendingCancel(OrderPendingCancel),
    OrderUpdated(OrderUpdated),
    OrderModifyRejected(OrderModifyRejected),
    OrderCancelRejected(OrderCancelRejected),
    OrderFilled(OrderFilled),
    PositionOpened(PositionState),
    PositionChanged(PositionState),
    PositionClosed(PositionState),
    AccountState(AccountState),
    VenueConnected(VenueConnected),
    VenueDisconnected(VenueDisconnected),
    TradingStateChanged(TradingStateChanged),
    TimerFired(TimerFired),
);

impl Event {
    pub fn ts_event(&self) -> UnixNanos {
        self.header().ts_event()
    }
    pub fn ts_init(&self) -> UnixNanos {
        self.header().ts_init()
    }
    pub fn instrument_id(&self) -> Option<InstrumentId> {
        self.header().instrument_id()
    }
    pub fn strategy_id(&self) -> Option<StrategyId> {
        self.header().strategy_id()
    }
    pub fn client_order_id(&self) -> Option<ClientOrderId> {
        self.header().client_order_id()
    }

    /// True for market data (quotes, trades, book, bars).
    pub fn is_market_data(&self) -> bool {
        matches!(
            self,
            Self::QuoteTick(_)
                | Self::TradeTick(_)
                | Self::BookDeltas(_)
                | Self::BookSnapshot(_)
                | Self::Bar(_)
        )
    }

    /// True for commands (what someone asked for, as opposed to what happened).
    pub fn is_command(&self) -> bool {
        matches!(
            self,
            Self::SubmitOrder(_)
                | Self::CancelOrder(_)
                | Self::ModifyOrder(_)
                | Self::CancelAllOrders(_)
                | Self::Flatten(_)
                | Self::Halt(_)
                | Self::Resume(_)
        )
    }

    /// `MessagePack` with named fields.
    pub fn to_msgpack(&self) -> Result<Vec<u8>, CodecError> {
        rmp_serde::to_vec_named(self).map_err(|e| CodecError::Encode(e.to_string()))
    }

    pub fn from_msgpack(bytes: &[u8]) -> Result<Self, CodecError> {
        rmp_serde::from_slice(bytes).map_err(|e| CodecError::Decode(e.to_string()))
    }
}

/// Events as one `MessagePack` array, named fields.
pub fn encode_many(events: &[Event]) -> Result<Vec<u8>, CodecError> {
    rmp_serde::to_vec_named(events).map_err(|e| CodecError::Encode(e.to_string()))
}

/// Events from several places (slices of shared batches) as one MessagePack array, the same
/// bytes `encode_many` gives for them in one slice.
pub fn encode_all<'a>(
    events: impl ExactSizeIterator<Item = &'a Event>,
) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(events.len() * 96 + 5);
    let len =
        u32::try_from(events.len()).map_err(|_| CodecError::Encode("too many events".into()))?;
    rmp::encode::write_array_len(&mut out, len).map_err(|e| CodecError::Encode(e.to_string()))?;
    for event in events {
        let mut serializer = rmp_serde::Serializer::new(&mut out).with_struct_map();
        serde::Serialize::serialize(event, &mut serializer)
            .map_err(|e| CodecError::Encode(e.to_string()))?;
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("cannot encode event: {0}")]
    Encode(String),
    #[error("cannot decode event: {0}")]
    Decode(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fixture_round_trips() {
        let all = fixtures::all();
        let kinds: Vec<&str> = all.iter().map(Event::kind).collect();
        assert_eq!(kinds, Event::KINDS, "one fixture per kind, in order");
        for event in all {
            let bytes = event.to_msgpack().unwrap();
            assert_eq!(Event::from_msgpack(&bytes).unwrap(), event);
        }
    }

    #[test]
    fn committed_fixture_file_matches_the_engine() {
        // tests/fixtures/events.msgpack is what the Python round-trip test reads. Regenerate
        // with NAUTUI_UPDATE_FIXTURES=1 when an event changes on purpose.
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/events.msgpack");
        let fresh = fixtures::encode_all().unwrap();
        if std::env::var_os("NAUTUI_UPDATE_FIXTURES").is_some() {
            std::fs::write(path, &fresh).unwrap();
        }
        let committed = std::fs::read(path).expect("tests/fixtures/events.msgpack is missing");
        assert!(committed == fresh, "event wire format drifted from tests/fixtures/events.msgpack");
    }

    #[test]
    fn header_names_the_order() {
        let e = &fixtures::all()
            [fixtures::all().iter().position(|e| e.kind() == "OrderFilled").unwrap()];
        assert!(e.client_order_id().is_some());
        assert!(e.instrument_id().is_some());
        assert!(!e.is_market_data());
    }

    #[test]
    fn garbage_is_a_decode_error() {
        assert!(Event::from_msgpack(b"\x81\xa4type\xa5Bogus").is_err());
        assert!(Event::from_msgpack(&[0xc1]).is_err());
        assert!(Event::from_msgpack(&[]).is_err());
    }
}
