//! Everything the engine knows at one instant: instruments and their market, orders,
//! portfolio, risk. Strategies read it; only the engine writes it.

use crate::book::OrderBook;
use crate::events::{QuoteTick, TradeTick};
use crate::orders::Order;
use crate::portfolio::Portfolio;
use crate::recent::{Keyed, Recent};
use crate::risk::RiskEngine;
use crate::types::{
    ClientOrderId, IdMap, Instrument, InstrumentId, Price, StrategyId, FIXED_PRECISION,
};

/// One instrument's specification and latest market data.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct InstrumentState {
    pub instrument: Instrument,
    pub quote: Option<QuoteTick>,
    pub last_trade: Option<TradeTick>,
    pub book: Option<OrderBook>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct EngineState {
    pub(crate) instruments: Vec<InstrumentState>,
    #[serde(with = "crate::sorted_map")]
    pub(crate) instrument_index: IdMap<InstrumentId, usize>,
    /// Orders not yet in a final state. Boxed: the table stays small (a rehash moves 16-byte
    /// entries, not whole orders) and an order never moves while it lives here.
    #[serde(with = "crate::sorted_map")]
    pub(crate) orders: IdMap<ClientOrderId, Box<Order>>,
    /// The orders that reached a final state most recently, in the order they got there (see
    /// `crate::recent`: older ones are in the event log).
    pub(crate) closed: Recent<Order>,
    /// Open and in-flight orders in submission order (deterministic iteration for cancel-all).
    pub(crate) open_orders: Vec<ClientOrderId>,
    pub(crate) portfolio: Portfolio,
    pub(crate) risk: RiskEngine,
    /// Orders created per strategy, for deterministic client order ids.
    #[serde(with = "crate::sorted_map")]
    pub(crate) order_counts: IdMap<StrategyId, u64>,
    /// The highest `n` of an engine-made id `O-<strategy>-<n>` that became an order, per
    /// strategy: such ids are handed out in order, so every one up to it was used (it is how
    /// an order that left memory long ago is still known).
    #[serde(with = "crate::sorted_map")]
    pub(crate) initialized: IdMap<StrategyId, u64>,
}

impl EngineState {
    pub fn instrument_index(&self, id: InstrumentId) -> Option<usize> {
        self.instrument_index.get(&id).copied()
    }
    pub fn instrument(&self, id: InstrumentId) -> Option<&Instrument> {
        self.instrument_index(id).map(|i| &self.instruments[i].instrument)
    }
    pub fn instruments(&self) -> impl Iterator<Item = &Instrument> {
        self.instruments.iter().map(|s| &s.instrument)
    }
    pub fn quote(&self, id: InstrumentId) -> Option<&QuoteTick> {
        self.instrument_index(id).and_then(|i| self.instruments[i].quote.as_ref())
    }
    pub fn last_trade(&self, id: InstrumentId) -> Option<&TradeTick> {
        self.instrument_index(id).and_then(|i| self.instruments[i].last_trade.as_ref())
    }
    /// Mid of the last quote, else of the L2 book, at 9 decimals: where open positions are marked.
    pub fn mid(&self, id: InstrumentId) -> Option<Price> {
        let state = &self.instruments[self.instrument_index(id)?];
        let raw = match (&state.quote, &state.book) {
            (Some(q), _) => i64::midpoint(q.bid_price.raw(), q.ask_price.raw()),
            (None, Some(book)) => book.mid_raw()?,
            (None, None) => return None,
        };
        Price::from_raw(raw, FIXED_PRECISION).ok()
    }
    pub fn book(&self, id: InstrumentId) -> Option<&OrderBook> {
        self.instrument_index(id).and_then(|i| self.instruments[i].book.as_ref())
    }
    /// A live order, or one of the recently closed.
    pub fn order(&self, id: ClientOrderId) -> Option<&Order> {
        self.orders.get(&id).map(AsRef::as_ref).or_else(|| self.closed.get(id))
    }
    /// True when an order with this id was created: live, recently closed, or an engine-made id
    /// (`O-<strategy>-<n>`) the engine already numbered.
    pub fn knows_order(&self, id: ClientOrderId) -> bool {
        self.orders.contains_key(&id)
            || self.closed.contains(id)
            || self.initialized.iter().any(|(&strategy, &highest)| {
                crate::strategy::order_number(strategy, id).is_some_and(|n| n <= highest)
            })
    }
    /// The live orders and the recently closed, in no particular order.
    pub fn orders(&self) -> impl Iterator<Item = &Order> {
        self.orders.values().map(AsRef::as_ref).chain(self.closed.iter())
    }
    /// The orders that reached a final state most recently, oldest first.
    pub fn closed_orders(&self) -> &Recent<Order> {
        &self.closed
    }
    /// Moves an order that reached a final state out of the live table.
    pub(crate) fn close_order(&mut self, id: ClientOrderId) {
        self.open_orders.retain(|o| *o != id);
        if let Some(order) = self.orders.remove(&id) {
            self.closed.push(*order);
        }
    }
    /// Open and in-flight orders, oldest first.
    pub fn open_orders(&self) -> impl Iterator<Item = &Order> {
        self.open_orders.iter().filter_map(|id| self.orders.get(id).map(AsRef::as_ref))
    }
    pub fn open_order_count(&self) -> usize {
        self.open_orders.len()
    }
    /// Orders `strategy_id` has created so far (the `n` of its last client order id).
    pub fn order_count(&self, strategy_id: StrategyId) -> u64 {
        self.order_counts.get(&strategy_id).copied().unwrap_or(0)
    }
    pub fn portfolio(&self) -> &Portfolio {
        &self.portfolio
    }
    pub fn risk(&self) -> &RiskEngine {
        &self.risk
    }
}

impl Keyed for Order {
    fn key(&self) -> ClientOrderId {
        self.client_order_id()
    }
}

/// Closed orders the engine keeps in memory (a late venue event on one of them is still
/// recognised; the replay's frames show the last 100).
pub const RECENT_CLOSED_ORDERS: usize = 256;
/// Closed ids the simulated venue keeps, to refuse a duplicate sent again soon after.
pub const RECENT_VENUE_IDS: usize = 1_024;
