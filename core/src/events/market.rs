//! Market data events.

use crate::types::{
    AggressorSide, BarType, BookAction, InstrumentId, OrderSide, Price, Quantity, TradeId,
    UnixNanos,
};
use serde::{Deserialize, Serialize};

/// Best bid and ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteTick {
    pub instrument_id: InstrumentId,
    pub bid_price: Price,
    pub ask_price: Price,
    pub bid_size: Quantity,
    pub ask_size: Quantity,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// One trade printed by the venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TradeTick {
    pub instrument_id: InstrumentId,
    pub price: Price,
    pub size: Quantity,
    pub aggressor_side: AggressorSide,
    pub trade_id: TradeId,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// One price level changed. `Add` and `Update` set the level's size, `Delete` removes it
/// (as does a zero size), `Clear` empties the whole book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookLevelDelta {
    pub action: BookAction,
    pub side: OrderSide,
    pub price: Price,
    pub size: Quantity,
}

/// A venue's depth update: the level changes between two sequence numbers.
///
/// Sequence rules: the update covers `first_sequence..=sequence`. When the venue chains
/// updates by the previous update's last sequence (Binance futures `pu`), `prev_sequence`
/// carries it and must equal the book's sequence; otherwise `first_sequence` must be the
/// book's sequence + 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookDeltas {
    pub instrument_id: InstrumentId,
    pub first_sequence: u64,
    pub sequence: u64,
    pub prev_sequence: Option<u64>,
    pub deltas: Vec<BookLevelDelta>,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// A price level: price and total size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookLevel {
    pub price: Price,
    pub size: Quantity,
}

/// The whole book at `sequence`. Bids best (highest) first, asks best (lowest) first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookSnapshot {
    pub instrument_id: InstrumentId,
    pub sequence: u64,
    pub bids: Vec<BookLevel>,
    pub asks: Vec<BookLevel>,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// An OHLCV bar; `ts_event` is the bar's close time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bar {
    pub bar_type: BarType,
    pub instrument_id: InstrumentId,
    pub open: Price,
    pub high: Price,
    pub low: Price,
    pub close: Price,
    pub volume: Quantity,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}
