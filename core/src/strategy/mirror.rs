//! What a strategy outside Rust reads between its callbacks: its own orders (working ones, and
//! the most recent closed ones), its positions, the account's balances, the instruments and the
//! last quotes it received. Kept current from the strategy's own events as they pass, so reads
//! cost nothing and never touch the engine, and bounded by what is live: a strategy that runs
//! for months holds its working orders and the last `RECENT_CLOSED` closed ones, not every order
//! it ever made.
//!
//! A strategy added to a recovered engine is seeded from the engine when it starts: it sees the
//! orders and positions the engine holds for its id, so it never believes it is flat when it is
//! not.

use super::Context;
use crate::events::{AccountBalance, QuoteTick};
use crate::orders::Order;
use crate::portfolio::Position;
use crate::types::{ClientOrderId, IdMap, Instrument, InstrumentId, StrategyId};
use std::collections::{BTreeMap, VecDeque};

/// Closed orders a mirror keeps, newest last.
pub const RECENT_CLOSED: usize = 1_000;

/// See the module documentation.
#[derive(Debug)]
pub struct Mirror {
    strategy_id: StrategyId,
    instruments: BTreeMap<InstrumentId, Instrument>,
    open: IdMap<ClientOrderId, Order>,
    closed: VecDeque<Order>,
    positions: BTreeMap<InstrumentId, Position>,
    balances: Vec<AccountBalance>,
    quotes: BTreeMap<InstrumentId, QuoteTick>,
}

/// Oldest first, as the engine created them.
fn by_age(orders: &mut [&Order]) {
    orders.sort_by_key(|o| (o.ts_init(), o.client_order_id()));
}

impl Mirror {
    pub fn new(strategy_id: StrategyId) -> Self {
        Self {
            strategy_id,
            instruments: BTreeMap::new(),
            open: IdMap::default(),
            closed: VecDeque::new(),
            positions: BTreeMap::new(),
            balances: Vec::new(),
            quotes: BTreeMap::new(),
        }
    }

    /// At start: instruments and balances, and what the engine holds for this strategy (its
    /// working orders and positions, after a recovery).
    pub fn seed(&mut self, ctx: &Context<'_>) {
        self.refresh_instruments(ctx);
        self.balances = ctx.balances();
        for order in ctx.open_orders() {
            self.open.insert(order.client_order_id(), order.clone());
        }
        for instrument in ctx.instruments() {
            if let Some(p) = ctx.position(instrument.id) {
                self.positions.insert(p.instrument_id(), p.clone());
            }
        }
    }

    /// Takes the instruments again when some were loaded since the last look.
    pub fn refresh_instruments(&mut self, ctx: &Context<'_>) {
        if self.instruments.len() != ctx.instrument_count() {
            self.instruments = ctx.instruments().map(|i| (i.id, i.clone())).collect();
            self.balances = ctx.balances();
        }
    }

    /// Takes the instruments when some were loaded since the last look (a batch callback, which
    /// has no `Context` before it runs).
    pub fn refresh_instruments_from(&mut self, instruments: Vec<Instrument>) {
        if self.instruments.len() != instruments.len() {
            self.instruments = instruments.into_iter().map(|i| (i.id, i)).collect();
        }
    }

    /// The order after one of its events.
    pub fn on_order(&mut self, order: &Order) {
        let id = order.client_order_id();
        if order.is_open() || order.is_in_flight() {
            self.open.insert(id, order.clone());
            return;
        }
        self.open.remove(&id);
        self.closed.retain(|o| o.client_order_id() != id);
        self.closed.push_back(order.clone());
        if self.closed.len() > RECENT_CLOSED {
            self.closed.pop_front();
        }
    }

    pub fn on_position(&mut self, position: &Position) {
        self.positions.insert(position.instrument_id(), position.clone());
    }

    pub fn on_quote(&mut self, quote: &QuoteTick) {
        self.quotes.insert(quote.instrument_id, *quote);
    }

    pub fn set_balances(&mut self, balances: Vec<AccountBalance>) {
        self.balances = balances;
    }

    pub fn strategy_id(&self) -> StrategyId {
        self.strategy_id
    }

    pub fn instrument(&self, id: InstrumentId) -> Option<&Instrument> {
        self.instruments.get(&id)
    }

    /// A working order, or one of the recent closed ones.
    pub fn order(&self, id: ClientOrderId) -> Option<&Order> {
        self.open.get(&id).or_else(|| self.closed.iter().rev().find(|o| o.client_order_id() == id))
    }

    /// Working and in-flight orders, oldest first.
    pub fn open_orders(&self) -> Vec<&Order> {
        let mut open: Vec<&Order> = self.open.values().collect();
        by_age(&mut open);
        open
    }

    /// Working orders and the recent closed ones, oldest first.
    pub fn orders(&self) -> Vec<&Order> {
        let mut all: Vec<&Order> = self.open.values().chain(&self.closed).collect();
        by_age(&mut all);
        all
    }

    pub fn position(&self, id: InstrumentId) -> Option<&Position> {
        self.positions.get(&id)
    }

    pub fn positions(&self) -> impl Iterator<Item = &Position> {
        self.positions.values()
    }

    pub fn balances(&self) -> &[AccountBalance] {
        &self.balances
    }

    pub fn quote(&self, id: InstrumentId) -> Option<&QuoteTick> {
        self.quotes.get(&id)
    }
}
