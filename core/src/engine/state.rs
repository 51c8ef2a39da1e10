//! Everything the engine knows at one instant: instruments and their market, orders,
//! portfolio, risk. Strategies read it; only the engine writes it.

use crate::book::OrderBook;
use crate::events::{QuoteTick, TradeTick};
use crate::orders::Order;
use crate::portfolio::Portfolio;
use crate::risk::RiskEngine;
use crate::types::{ClientOrderId, IdMap, Instrument, InstrumentId, StrategyId};
use std::collections::BTreeMap;

/// One instrument's specification and latest market data.
#[derive(Debug, Clone)]
pub struct InstrumentState {
    pub instrument: Instrument,
    pub quote: Option<QuoteTick>,
    pub last_trade: Option<TradeTick>,
    pub book: Option<OrderBook>,
}

#[derive(Debug, Clone)]
pub struct EngineState {
    pub(crate) instruments: Vec<InstrumentState>,
    pub(crate) instrument_index: IdMap<InstrumentId, usize>,
    /// Boxed: the table stays small (a rehash moves 16-byte entries, not whole orders) and an
    /// order never moves once created.
    pub(crate) orders: IdMap<ClientOrderId, Box<Order>>,
    /// Open and in-flight orders in submission order (deterministic iteration for cancel-all).
    pub(crate) open_orders: Vec<ClientOrderId>,
    pub(crate) portfolio: Portfolio,
    pub(crate) risk: RiskEngine,
    /// Orders created per strategy, for deterministic client order ids.
    pub(crate) order_counts: BTreeMap<StrategyId, u64>,
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
    pub fn book(&self, id: InstrumentId) -> Option<&OrderBook> {
        self.instrument_index(id).and_then(|i| self.instruments[i].book.as_ref())
    }
    pub fn order(&self, id: ClientOrderId) -> Option<&Order> {
        self.orders.get(&id).map(AsRef::as_ref)
    }
    /// Every order ever created, in no particular order.
    pub fn orders(&self) -> impl Iterator<Item = &Order> {
        self.orders.values().map(AsRef::as_ref)
    }
    /// Open and in-flight orders, oldest first.
    pub fn open_orders(&self) -> impl Iterator<Item = &Order> {
        self.open_orders.iter().filter_map(|id| self.orders.get(id).map(AsRef::as_ref))
    }
    pub fn open_order_count(&self) -> usize {
        self.open_orders.len()
    }
    pub fn portfolio(&self) -> &Portfolio {
        &self.portfolio
    }
    pub fn risk(&self) -> &RiskEngine {
        &self.risk
    }
}
