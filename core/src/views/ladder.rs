//! The ladder: one instrument's book, best levels first on each side, with the engine's own
//! working orders marked at their prices and, where the simulated venue knows it, the volume
//! queued ahead of them.

use crate::engine::Engine;
use crate::events::BookLevel;
use crate::orders::Order;
use crate::types::{AggressorSide, InstrumentId, OrderSide, Price, Quantity, UnixNanos};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One price level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LadderLevel {
    pub price: Price,
    /// Size shown by the market at this price (zero for a level that only holds own orders).
    pub size: Quantity,
    /// Own working orders resting at this price, and their unfilled quantity.
    pub own_orders: u32,
    pub own_qty: Quantity,
    /// Volume ahead of the earliest own order here, when the simulated venue tracks queues.
    pub queue_ahead: Option<Quantity>,
}

/// Where the levels come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LadderSource {
    /// The L2 book rebuilt from snapshots and deltas.
    Book,
    /// The last L1 quote (one level each side).
    Quote,
    /// No market data yet.
    None,
}

/// The last trade printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastTrade {
    pub price: Price,
    pub size: Quantity,
    pub aggressor_side: AggressorSide,
    pub ts_event: UnixNanos,
}

/// One instrument's ladder. `bids` and `asks` are best first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LadderView {
    pub instrument_id: InstrumentId,
    pub source: LadderSource,
    pub bids: Vec<LadderLevel>,
    pub asks: Vec<LadderLevel>,
    /// Best ask minus best bid, when both sides are there.
    pub spread: Option<Price>,
    pub last_trade: Option<LastTrade>,
    /// Time of the latest market data shown (the data's own `ts_event`; 0: none).
    pub ts_event: UnixNanos,
}

/// Own orders resting on one side, by price: count, unfilled quantity, queue ahead of the first.
type OwnLevels = BTreeMap<Price, (u32, Quantity, Option<Quantity>)>;

/// The ladder of `instrument_id`, `depth` levels a side (own orders priced inside the shown
/// range, or anywhere when the market side is empty, appear as levels of their own).
pub fn ladder(engine: &Engine, instrument_id: InstrumentId, depth: usize) -> LadderView {
    let state = engine.state();
    let size_precision = state.instrument(instrument_id).map_or(0, |i| i.size_precision);
    let (source, market_bids, market_asks, mut ts_event): (_, Vec<BookLevel>, Vec<BookLevel>, _) =
        match (state.book(instrument_id), state.quote(instrument_id)) {
            (Some(book), _) => (
                LadderSource::Book,
                book.bids().take(depth).collect(),
                book.asks().take(depth).collect(),
                book.ts_last(),
            ),
            (None, Some(q)) => (
                LadderSource::Quote,
                vec![BookLevel { price: q.bid_price, size: q.bid_size }],
                vec![BookLevel { price: q.ask_price, size: q.ask_size }],
                q.ts_event,
            ),
            (None, None) => (LadderSource::None, Vec::new(), Vec::new(), UnixNanos(0)),
        };
    let (own_bids, own_asks) = own_levels(engine, instrument_id, size_precision);
    let last_trade = state.last_trade(instrument_id).map(|t| {
        ts_event = ts_event.max(t.ts_event);
        LastTrade {
            price: t.price,
            size: t.size,
            aggressor_side: t.aggressor_side,
            ts_event: t.ts_event,
        }
    });
    let spread = match (market_bids.first(), market_asks.first()) {
        (Some(b), Some(a)) => a.price.checked_sub(b.price).ok(),
        _ => None,
    };
    LadderView {
        instrument_id,
        source,
        bids: merge(&market_bids, &own_bids, depth, size_precision, true),
        asks: merge(&market_asks, &own_asks, depth, size_precision, false),
        spread,
        last_trade,
        ts_event,
    }
}

/// Own resting orders with a limit price, by side and price.
fn own_levels(
    engine: &Engine,
    instrument_id: InstrumentId,
    precision: u8,
) -> (OwnLevels, OwnLevels) {
    let (mut bids, mut asks) = (OwnLevels::new(), OwnLevels::new());
    let venue = engine.venue();
    for order in engine.state().open_orders().filter(|o| o.instrument_id() == instrument_id) {
        let Some(price) = order.price() else { continue };
        let side = if order.side() == OrderSide::Buy { &mut bids } else { &mut asks };
        let queue = venue
            .and_then(|v| v.queue_ahead_raw(order.client_order_id()))
            .and_then(|raw| Quantity::from_raw(raw, precision).ok());
        let entry = side.entry(price).or_insert((0, Quantity::zero(precision), queue));
        entry.0 += 1;
        entry.1 = add(entry.1, leaves(order));
    }
    (bids, asks)
}

fn leaves(order: &Order) -> Quantity {
    order.leaves_qty()
}

fn add(a: Quantity, b: Quantity) -> Quantity {
    a.checked_add(b).unwrap_or(a)
}

/// The market levels with own orders marked; own orders at prices the market does not show
/// (inside the shown range) become levels of size zero. Best first.
fn merge(
    market: &[BookLevel],
    own: &OwnLevels,
    depth: usize,
    precision: u8,
    bids: bool,
) -> Vec<LadderLevel> {
    // Own orders beyond the worst level shown are left out once the ladder is full: the ladder
    // shows the market's depth, and the orders pane lists every order.
    let worst = if market.len() >= depth { market.last().map(|l| l.price) } else { None };
    let inside = |p: Price| worst.is_none_or(|w| if bids { p >= w } else { p <= w });
    let mut levels: BTreeMap<Price, LadderLevel> = BTreeMap::new();
    for level in market {
        levels.insert(
            level.price,
            LadderLevel {
                price: level.price,
                size: level.size,
                own_orders: 0,
                own_qty: Quantity::zero(precision),
                queue_ahead: None,
            },
        );
    }
    for (&price, &(count, qty, queue)) in own {
        if !inside(price) {
            continue;
        }
        let level = levels.entry(price).or_insert(LadderLevel {
            price,
            size: Quantity::zero(precision),
            own_orders: 0,
            own_qty: Quantity::zero(precision),
            queue_ahead: None,
        });
        level.own_orders = count;
        level.own_qty = qty;
        level.queue_ahead = queue;
    }
    let ordered: Vec<LadderLevel> =
        if bids { levels.into_values().rev().collect() } else { levels.into_values().collect() };
    ordered.into_iter().take(depth).collect()
}
