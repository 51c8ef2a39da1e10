//! The simulated venue: a pure, deterministic exchange for backtests and paper trading.
//!
//! The engine calls it with market data and with commands at the time they arrive at the
//! venue (after the latency a [`LatencyModel`] drew); the venue pushes its responses into an
//! output `Vec` with `ts_event = now`, and the engine delivers them after a response latency.
//! It has no clock, threads or I/O, and keeps its own view of orders and of the book, as a
//! real exchange would: nothing here depends on the engine's order or book modules.
//!
//! Market data methods that take a typed event use its `ts_init` (the engine's time) as `now`.
//! Per-instrument state lives in a `Vec` indexed by a dense instrument index, so the hot path
//! (`on_quote_raw` with no open orders on the instrument) is a few stores and one branch.
//!
//! Rules, in short:
//! - Taking (market, marketable limit, triggered stop) fills level by level at each level's
//!   price as taker; market and IOC remainders are canceled, FOK is all or nothing.
//! - A resting limit fills at its own price as maker when the book (L1 quote, L2
//!   snapshot/delta) moves through it, taking the crossing volume, or when a trade reaches it:
//!   through its price up to the trade's size, at its price after the queue ahead (see
//!   `queue`) and only when the aggressor came from the other side.
//! - In L2 mode quotes only trigger stops: the book is the source of resting fills, so the
//!   same liquidity is not counted from both the quote and the delta that follows it.
//! - Liquidity the venue's orders take is removed from its view until market data sets that
//!   level again (see `book_state`). The venue's orders never match each other.
//! - Stops fire when the ask (buy) or bid (sell) or a trade reaches the trigger, including on
//!   arrival, then act as market or limit orders.
//! - Checks (see `checks`) run at arrival. Funds are not re-checked when a resting order fills
//!   later, because the venue sees the account's balances only on commands. Reduce-only and
//!   post-only are also checked when an order becomes active or fills, as at Binance futures:
//!   the venue keeps its own net position per instrument (every fill moves it), a reduce-only
//!   order never fills past flat (it fills what reduces, then the rest expires:
//!   `OrderExpired` with reason `REDUCE_ONLY_WOULD_INCREASE`), and a triggered post-only
//!   stop-limit whose limit would take expires (`POST_ONLY_WOULD_CROSS`).
//! - During an outage commands are refused with `VENUE_DOWN`; matching of working orders
//!   continues, as at an exchange whose order gateway failed.

mod book_state;
mod checks;
mod commands;
mod exec;
pub mod latency;
mod order;
mod outage;
mod queue;
#[cfg(test)]
mod reference;
#[cfg(test)]
mod testkit;

pub use latency::{
    FixedLatency, LatencyConfig, LatencyError, LatencyModel, LatencyRange, RandomLatency,
};
pub use outage::Outages;

use crate::events::{BookDeltas, BookSnapshot, Event, QuoteTick, TradeTick};
use crate::recent::Recent;
use crate::types::{
    AccountId, AccountType, AggressorSide, BookAction, ClientOrderId, Currency, IdMap, Instrument,
    InstrumentError, InstrumentId, UnixNanos, Venue,
};
use book_state::{Depth, Level};
use order::VenueOrder;
use serde::{Deserialize, Serialize};
use std::cell::Cell;

/// Which market data builds the venue's book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BookMode {
    /// Top of book from quotes.
    L1,
    /// Price levels from snapshots and deltas.
    L2,
}

/// How the simulated venue behaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VenueConfig {
    /// The venue's name (used in reasons).
    pub venue: Venue,
    /// The account every response names.
    pub account_id: AccountId,
    /// Which market data builds the book.
    pub book_mode: BookMode,
    /// Half-open windows `[start, end)` when the venue refuses every command.
    #[serde(default)]
    pub outages: Vec<(UnixNanos, UnixNanos)>,
    /// Resting orders wait behind the volume already at their price.
    #[serde(default)]
    pub queue_position: bool,
    /// Market trades fill resting limit orders they reach.
    #[serde(default = "default_true")]
    pub trade_fills: bool,
}

fn default_true() -> bool {
    true
}

impl VenueConfig {
    /// An L1 venue without outages, queue model off, trades filling resting orders.
    pub fn new(venue: Venue, account_id: AccountId, book_mode: BookMode) -> Self {
        Self {
            venue,
            account_id,
            book_mode,
            outages: Vec::new(),
            queue_position: false,
            trade_fills: true,
        }
    }
}

/// What the venue needs to know about the trading account's balances; the engine's portfolio
/// implements it. Positions the venue keeps itself, from its own fills: the portfolio hears of
/// a fill only after the response latency, the venue at once.
pub trait AccountView {
    /// Free balance of one currency, raw 10^-9 units.
    fn free_balance(&self, currency: Currency) -> i128;
    /// Cash or margin.
    fn account_type(&self) -> AccountType;
}

/// A venue that cannot be built from its configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatchingError {
    /// The instrument's specification is incoherent.
    #[error(transparent)]
    Instrument(#[from] InstrumentError),
    /// The instrument was listed twice.
    #[error("instrument {0} is already listed at the venue")]
    DuplicateInstrument(InstrumentId),
}

/// One instrument's market view and working orders.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct InstrumentState {
    instrument: Instrument,
    /// The venue's book (L1: top from quotes; L2: levels from snapshots and deltas).
    depth: Depth,
    /// Working orders (resting limits and stops waiting for their trigger), arrival order.
    orders: Vec<VenueOrder>,
    /// The account's signed net position, raw (positive long), from the venue's own fills.
    position: Cell<i128>,
}

/// The simulated exchange. See the module docs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimulatedVenue {
    config: VenueConfig,
    outages: Outages,
    states: Vec<InstrumentState>,
    #[serde(with = "crate::sorted_map")]
    index: IdMap<InstrumentId, usize>,
    /// Working orders: the index of their instrument.
    #[serde(with = "crate::sorted_map")]
    working: IdMap<ClientOrderId, usize>,
    /// Ids of the orders filled, canceled or expired most recently, in that order: a duplicate
    /// of one is refused (as venues refuse a client order id reused while it is fresh).
    closed_ids: Recent<ClientOrderId>,
    /// Number of the next accepted order (`SIM-<n>`).
    next_n: u64,
    /// Next time priority handed out (on arrival and on re-queue).
    next_priority: u64,
    /// No order expires before this time.
    next_expiry: u64,
}

impl SimulatedVenue {
    /// A venue listing `instruments`; each must be valid and listed once.
    pub fn new(config: VenueConfig, instruments: Vec<Instrument>) -> Result<Self, MatchingError> {
        let outages = Outages::new(&config.outages);
        let mut venue = Self {
            config,
            outages,
            states: Vec::new(),
            index: IdMap::default(),
            working: IdMap::default(),
            closed_ids: Recent::new(crate::engine::RECENT_VENUE_IDS),
            next_n: 1,
            next_priority: 1,
            next_expiry: u64::MAX,
        };
        for instrument in instruments {
            venue.add_instrument(instrument)?;
        }
        Ok(venue)
    }

    /// Lists one more instrument and returns its dense index.
    pub fn add_instrument(&mut self, instrument: Instrument) -> Result<usize, MatchingError> {
        instrument.validate()?;
        if self.index.contains_key(&instrument.id) {
            return Err(MatchingError::DuplicateInstrument(instrument.id));
        }
        let idx = self.states.len();
        self.index.insert(instrument.id, idx);
        self.states.push(InstrumentState {
            instrument,
            depth: Depth::default(),
            orders: Vec::new(),
            position: Cell::new(0),
        });
        Ok(idx)
    }

    /// The dense index of a listed instrument, for the `*_raw` fast paths.
    #[inline]
    pub fn instrument_index(&self, instrument_id: InstrumentId) -> Option<usize> {
        self.index.get(&instrument_id).copied()
    }

    /// The venue's configuration.
    pub fn config(&self) -> &VenueConfig {
        &self.config
    }

    /// True when `now` falls in an outage window.
    pub fn is_down(&self, now: UnixNanos) -> bool {
        self.outages.is_down(now)
    }

    /// Number of working orders on an instrument.
    pub fn open_order_count(&self, idx: usize) -> usize {
        self.states.get(idx).map_or(0, |s| s.orders.len())
    }

    /// The account's signed net position in an instrument as the venue sees it, raw.
    pub fn position_raw(&self, idx: usize) -> i128 {
        self.states.get(idx).map_or(0, |s| s.position.get())
    }

    /// Ids of the orders the venue closed most recently, oldest first.
    pub fn closed_ids(&self) -> &Recent<ClientOrderId> {
        &self.closed_ids
    }

    /// Volume (raw, 10^-9 units) queued ahead of a working order at its price, when the venue
    /// tracks its place (queue-position model on, the order resting and its place known).
    pub fn queue_ahead_raw(&self, id: ClientOrderId) -> Option<u64> {
        if !self.config.queue_position {
            return None;
        }
        let state = self.states.get(*self.working.get(&id)?)?;
        let order = state.orders.iter().find(|o| o.client_order_id == id)?;
        let known = order.queue_ahead != queue::UNKNOWN && order.queue_ahead != queue::PENDING;
        known.then_some(order.queue_ahead)
    }

    /// Client order ids of the working orders on an instrument, in arrival order.
    pub fn open_orders(&self, idx: usize) -> Vec<ClientOrderId> {
        self.states
            .get(idx)
            .map_or_else(Vec::new, |s| s.orders.iter().map(|o| o.client_order_id).collect())
    }

    /// A quote: sets the top of book and matches resting and stop orders against it (L1);
    /// triggers stops only (L2, where the book comes from snapshots and deltas).
    pub fn on_quote(&mut self, quote: &QuoteTick, out: &mut Vec<Event>) {
        if let Some(idx) = self.instrument_index(quote.instrument_id) {
            self.on_quote_raw(
                idx,
                quote.bid_price.raw(),
                quote.ask_price.raw(),
                quote.bid_size.raw(),
                quote.ask_size.raw(),
                quote.ts_init,
                out,
            );
        }
    }

    /// The quote fast path by instrument index and raw values; no allocation, and only a few
    /// stores when the instrument has no working orders.
    #[inline]
    #[allow(clippy::too_many_arguments)] // The raw columns of a quote, on purpose.
    pub fn on_quote_raw(
        &mut self,
        idx: usize,
        bid_raw: i64,
        ask_raw: i64,
        bid_size_raw: u64,
        ask_size_raw: u64,
        now: UnixNanos,
        out: &mut Vec<Event>,
    ) {
        let l1 = self.config.book_mode == BookMode::L1;
        let Some(state) = self.states.get_mut(idx) else {
            return;
        };
        if l1 {
            state.depth.set_top(bid_raw, bid_size_raw, ask_raw, ask_size_raw);
        }
        if state.orders.is_empty() {
            return;
        }
        let bid = (bid_size_raw > 0).then_some(bid_raw);
        let ask = (ask_size_raw > 0).then_some(ask_raw);
        self.after_quote(idx, (bid, ask), now, out);
    }

    /// A market trade: triggers stops and (with `trade_fills`) fills resting limits it reaches.
    pub fn on_trade(&mut self, trade: &TradeTick, out: &mut Vec<Event>) {
        if let Some(idx) = self.instrument_index(trade.instrument_id) {
            self.on_trade_raw(
                idx,
                trade.price.raw(),
                trade.size.raw(),
                trade.aggressor_side,
                trade.ts_init,
                out,
            );
        }
    }

    /// The trade fast path by instrument index and raw values.
    #[inline]
    pub fn on_trade_raw(
        &mut self,
        idx: usize,
        price_raw: i64,
        size_raw: u64,
        aggressor: AggressorSide,
        now: UnixNanos,
        out: &mut Vec<Event>,
    ) {
        if self.states.get(idx).is_none_or(|s| s.orders.is_empty()) {
            return;
        }
        self.after_trade(idx, price_raw, size_raw, aggressor, now, out);
    }

    /// A full book (L2 mode; ignored in L1 mode): replaces the venue's levels.
    pub fn on_book_snapshot(&mut self, snapshot: &BookSnapshot, out: &mut Vec<Event>) {
        if self.config.book_mode != BookMode::L2 {
            return;
        }
        let Some(idx) = self.instrument_index(snapshot.instrument_id) else {
            return;
        };
        let state = &mut self.states[idx];
        let level =
            |l: &crate::events::BookLevel| Level { price: l.price.raw(), size: l.size.raw() };
        state.depth.set_all(snapshot.bids.iter().map(level), snapshot.asks.iter().map(level));
        if state.orders.is_empty() {
            return;
        }
        if self.config.queue_position {
            let InstrumentState { depth, orders, .. } = state;
            for o in orders.iter_mut().filter(|o| o.is_resting_limit()) {
                let size = o.price.and_then(|p| depth.level_size(o.side, p.raw())).unwrap_or(0);
                queue::cap_to_level(&mut o.queue_ahead, size);
            }
        }
        self.sweep(idx, None, snapshot.ts_init, out);
    }

    /// Book level changes (L2 mode; ignored in L1 mode). Sequence gaps are the book module's
    /// concern: the venue applies what it is given.
    pub fn on_book_deltas(&mut self, deltas: &BookDeltas, out: &mut Vec<Event>) {
        if self.config.book_mode != BookMode::L2 {
            return;
        }
        let Some(idx) = self.instrument_index(deltas.instrument_id) else {
            return;
        };
        let queue_position = self.config.queue_position;
        let InstrumentState { depth, orders, .. } = &mut self.states[idx];
        for d in &deltas.deltas {
            let (price, size) = (d.price.raw(), d.size.raw());
            match d.action {
                BookAction::Clear => depth.clear(),
                BookAction::Delete => depth.set_level(d.side, price, 0),
                BookAction::Add | BookAction::Update => depth.set_level(d.side, price, size),
            }
            if queue_position {
                let new_size =
                    if matches!(d.action, BookAction::Add | BookAction::Update) { size } else { 0 };
                for o in orders.iter_mut().filter(|o| o.is_resting_limit()) {
                    let at_level = o.side == d.side && o.price.is_some_and(|p| p.raw() == price);
                    if d.action == BookAction::Clear || at_level {
                        queue::cap_to_level(&mut o.queue_ahead, new_size);
                    }
                }
            }
        }
        if !orders.is_empty() {
            self.sweep(idx, None, deltas.ts_init, out);
        }
    }

    /// The earliest time a working order expires (GTD or DAY), if any: the engine wakes the
    /// venue then even when no other traffic is due.
    pub fn next_expiry(&self) -> Option<UnixNanos> {
        (self.next_expiry != u64::MAX).then_some(UnixNanos(self.next_expiry))
    }

    /// Time passes: GTD and DAY orders whose expiry is at or before `now` expire.
    pub fn on_time(&mut self, now: UnixNanos, out: &mut Vec<Event>) {
        if now.0 < self.next_expiry {
            return;
        }
        let mut next = u64::MAX;
        for idx in 0..self.states.len() {
            let mut any = false;
            for o in &mut self.states[idx].orders {
                match o.expire_at {
                    Some(t) if t <= now => {
                        o.expire(now, None, out);
                        any = true;
                    }
                    Some(t) => next = next.min(t.0),
                    None => {}
                }
            }
            if any {
                self.finish(idx);
            }
        }
        self.next_expiry = next;
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::*;
    use super::*;

    #[test]
    fn config_deserializes_with_defaults_and_refuses_unknown_fields() {
        let cfg: VenueConfig = serde_json::from_str(
            r#"{"venue":"SIM","account_id":"SIM-001","book_mode":"L2","outages":[[10,20]]}"#,
        )
        .unwrap();
        assert_eq!(cfg.book_mode, BookMode::L2);
        assert_eq!(cfg.outages, [(UnixNanos(10), UnixNanos(20))]);
        assert!(!cfg.queue_position);
        assert!(cfg.trade_fills);
        let bad = r#"{"venue":"SIM","account_id":"A","book_mode":"L1","latency":1}"#;
        assert!(serde_json::from_str::<VenueConfig>(bad).is_err());
        let v = SimulatedVenue::new(cfg, vec![]).unwrap();
        assert!(v.is_down(UnixNanos(15)));
        assert_eq!(v.config().venue.as_str(), "SIM");
    }

    #[test]
    fn instruments_are_validated_and_listed_once() {
        let mut v = venue(BookMode::L1);
        assert_eq!(v.instrument_index(iid()), Some(0));
        assert!(matches!(
            v.add_instrument(instrument()),
            Err(MatchingError::DuplicateInstrument(_))
        ));
        let mut bad = instrument();
        bad.id = InstrumentId::from_static("BAD.SIM");
        bad.lot_size = crate::types::Quantity::zero(0);
        assert!(matches!(v.add_instrument(bad), Err(MatchingError::Instrument(_))));
        let mut eth = instrument();
        eth.id = InstrumentId::from_static("ETHUSDT.SIM");
        assert_eq!(v.add_instrument(eth).unwrap(), 1);
        assert_eq!(v.instrument_index(InstrumentId::from_static("ETHUSDT.SIM")), Some(1));
    }

    #[test]
    fn l1_venue_ignores_book_data() {
        let mut v = venue(BookMode::L1);
        let mut out = Vec::new();
        v.on_book_snapshot(&snapshot(&[("100.00", "5")], &[("100.10", "5")], 1), &mut out);
        let o = {
            let mut o = Vec::new();
            v.on_submit(
                &market("a", crate::types::OrderSide::Buy, "1"),
                UnixNanos(2),
                &TestAccount::rich(),
                &mut o,
            );
            o
        };
        assert_eq!(kinds(&o), ["OrderAccepted", "OrderCanceled"], "no quote yet, no liquidity");
    }

    #[test]
    fn same_inputs_same_events() {
        let run = || {
            let mut v = venue(BookMode::L1);
            let mut out = Vec::new();
            let rich = TestAccount::rich();
            v.on_quote(&quote("100.00", "100.10", "5", "5", 1), &mut out);
            v.on_submit(
                &limit("a", crate::types::OrderSide::Buy, "3", "99.90"),
                UnixNanos(2),
                &rich,
                &mut out,
            );
            v.on_submit(
                &market("b", crate::types::OrderSide::Sell, "2"),
                UnixNanos(3),
                &rich,
                &mut out,
            );
            v.on_trade(&trade("99.80", "2", crate::types::AggressorSide::Seller, 4), &mut out);
            out.iter().map(|e| e.to_msgpack().unwrap()).collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
    }
}
