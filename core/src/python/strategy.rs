//! Python strategies on the Rust engine. `PyStrategyAdapter` implements the engine's
//! `Strategy` trait by calling the Python object, but only for the callbacks its class
//! overrides (found when it is registered), so data nobody subscribed to never enters Python.
//! During a callback the Python side reads and acts through a `StrategyLink`: actions are
//! checked at once (raising at the call site) and buffered, then handed to the engine's
//! `Context` when the callback returns; reads come from copies the adapter keeps current as
//! the strategy's order and position events pass through it.

// pyo3 hands extracted arguments over by value; they are read, not consumed.
#![allow(clippy::needless_pass_by_value)]

use super::errors;
use super::orders;
use super::views::{PyBalance, PyBookView, PyOrder, PyPosition, PyQuoteTick, PyTradeTick};
use crate::events::{AccountBalance, Bar, Event, PositionState, QuoteTick, TimerFired, TradeTick};
use crate::orders::Order;
use crate::portfolio::Position;
use crate::strategy::{
    client_order_id, CallbackResult, Context, OrderRequest, Strategy, StrategyError, Subscriptions,
};
use crate::types::{
    ClientOrderId, Instrument, InstrumentId, Price, Quantity, StrategyId, UnixNanos,
};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Where a failed callback leaves its Python exception for the engine binding to chain.
pub type FailureSlot = Arc<Mutex<Option<PyErr>>>;

/// Levels of each side a `BookView` carries.
const BOOK_DEPTH: usize = 10;

/// One thing a strategy asked for during a callback.
pub enum Action {
    Submit(OrderRequest),
    Cancel(ClientOrderId),
    Modify(ClientOrderId, Option<Quantity>, Option<Price>, Option<Price>),
    CancelAll(Option<InstrumentId>),
    CloseAll(Option<InstrumentId>),
    SetTimer(String, UnixNanos, Option<u64>, Option<UnixNanos>),
    CancelTimer(String),
}

/// A strategy's window on the engine from Python (`Strategy._link`).
#[pyclass(name = "StrategyLink", module = "nautui._core")]
pub struct PyStrategyLink {
    strategy_id: StrategyId,
    now: UnixNanos,
    in_callback: bool,
    order_count: u64,
    instruments: BTreeMap<InstrumentId, Instrument>,
    orders: BTreeMap<ClientOrderId, Order>,
    positions: BTreeMap<InstrumentId, Position>,
    balances: Vec<AccountBalance>,
    quotes: BTreeMap<InstrumentId, QuoteTick>,
    actions: Vec<Action>,
}

impl PyStrategyLink {
    fn new(strategy_id: StrategyId) -> Self {
        Self {
            strategy_id,
            now: UnixNanos(0),
            in_callback: false,
            order_count: 0,
            instruments: BTreeMap::new(),
            orders: BTreeMap::new(),
            positions: BTreeMap::new(),
            balances: Vec::new(),
            quotes: BTreeMap::new(),
            actions: Vec::new(),
        }
    }

    /// Before a callback: the time, the order counter, and instruments loaded since the last.
    #[inline]
    fn begin(&mut self, ctx: &Context<'_>) {
        self.now = ctx.now();
        self.order_count = ctx.order_count();
        self.in_callback = true;
        if self.instruments.len() != ctx.instrument_count() {
            self.instruments = ctx.instruments().map(|i| (i.id, i.clone())).collect();
            self.balances = ctx.balances();
        }
    }

    /// After a callback: hands the buffered actions to the engine.
    fn finish(&mut self, ctx: &mut Context<'_>) -> Result<(), String> {
        self.in_callback = false;
        if self.actions.is_empty() {
            return Ok(());
        }
        for action in self.actions.drain(..) {
            let result = match action {
                Action::Submit(request) => ctx.submit(request).map(|_| ()),
                Action::Cancel(id) => ctx.cancel(id),
                Action::Modify(id, q, p, t) => ctx.modify(id, q, p, t),
                Action::CancelAll(instrument) => {
                    ctx.cancel_all(instrument);
                    Ok(())
                }
                Action::CloseAll(instrument) => {
                    ctx.close_all_positions(instrument);
                    Ok(())
                }
                Action::SetTimer(name, at, interval, stop) => {
                    ctx.set_timer(&name, at, interval, stop);
                    Ok(())
                }
                Action::CancelTimer(name) => {
                    ctx.cancel_timer(&name);
                    Ok(())
                }
            };
            result.map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Opens a batch callback: actions allowed, ids counted from `order_count`.
    pub fn begin_batch<'a>(
        &mut self,
        now: UnixNanos,
        order_count: u64,
        instruments: impl ExactSizeIterator<Item = &'a Instrument>,
    ) {
        self.now = now;
        self.order_count = order_count;
        self.in_callback = true;
        if self.instruments.len() != instruments.len() {
            self.instruments = instruments.map(|i| (i.id, i.clone())).collect();
        }
    }

    /// Closes a batch callback and hands over what it asked for; `None` for a failed one.
    pub fn end_batch(&mut self, succeeded: bool) -> Vec<Action> {
        self.in_callback = false;
        let actions = std::mem::take(&mut self.actions);
        if succeeded {
            actions
        } else {
            Vec::new()
        }
    }

    pub fn id(&self) -> StrategyId {
        self.strategy_id
    }

    fn acting(&self) -> PyResult<()> {
        if self.in_callback {
            Ok(())
        } else {
            Err(errors::not_running(format!(
                "strategy {}: actions are only possible inside a callback",
                self.strategy_id
            )))
        }
    }

    fn instrument(&self, id: &str) -> PyResult<&Instrument> {
        let key = InstrumentId::new(id).map_err(|e| errors::identifier("instrument_id", &e))?;
        self.instruments.get(&key).ok_or_else(|| errors::unknown_instrument(id))
    }

    /// An order of this strategy the engine has seen (not one submitted in this callback).
    fn known_order(&self, id: &str) -> PyResult<ClientOrderId> {
        let key = ClientOrderId::new(id).map_err(|e| errors::identifier("client_order_id", &e))?;
        if self.orders.contains_key(&key) {
            Ok(key)
        } else {
            Err(errors::unknown_order(id))
        }
    }

    fn instrument_opt(&self, id: Option<&str>) -> PyResult<Option<InstrumentId>> {
        id.map(|i| self.instrument(i).map(|i| i.id)).transpose()
    }
}

#[pymethods]
impl PyStrategyLink {
    #[getter]
    fn strategy_id(&self) -> &str {
        self.strategy_id.as_str()
    }

    /// Engine time of the current callback (ns).
    #[getter]
    fn now(&self) -> u64 {
        self.now.0
    }

    #[pyo3(signature = (
        instrument_id, side, order_type, quantity, price=None, trigger_price=None,
        time_in_force=None, expire_time=None, post_only=false, reduce_only=false,
    ))]
    #[allow(clippy::too_many_arguments)] // one argument per field of an order
    fn submit(
        &mut self,
        instrument_id: &str,
        side: &str,
        order_type: &str,
        quantity: &Bound<'_, PyAny>,
        price: Option<&Bound<'_, PyAny>>,
        trigger_price: Option<&Bound<'_, PyAny>>,
        time_in_force: Option<&str>,
        expire_time: Option<u64>,
        post_only: bool,
        reduce_only: bool,
    ) -> PyResult<String> {
        self.acting()?;
        let instrument = self.instrument(instrument_id)?;
        let request = orders::request(
            instrument,
            side,
            order_type,
            quantity,
            price,
            trigger_price,
            time_in_force,
            expire_time,
            post_only,
            reduce_only,
        )?;
        let pending = self.actions.iter().filter(|a| matches!(a, Action::Submit(_))).count();
        let id = client_order_id(self.strategy_id, self.order_count + pending as u64 + 1)
            .map_err(|e| errors::identifier(ClientOrderId::FIELD, &e))?;
        self.actions.push(Action::Submit(request));
        Ok(id.to_string())
    }

    fn cancel(&mut self, client_order_id: &str) -> PyResult<()> {
        self.acting()?;
        let id = self.known_order(client_order_id)?;
        self.actions.push(Action::Cancel(id));
        Ok(())
    }

    #[pyo3(signature = (client_order_id, quantity=None, price=None, trigger_price=None))]
    fn modify(
        &mut self,
        client_order_id: &str,
        quantity: Option<&Bound<'_, PyAny>>,
        price: Option<&Bound<'_, PyAny>>,
        trigger_price: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        self.acting()?;
        let id = self.known_order(client_order_id)?;
        let instrument_id = self.orders.get(&id).map(Order::instrument_id);
        let instrument = instrument_id
            .and_then(|i| self.instruments.get(&i))
            .ok_or_else(|| errors::unknown_order(client_order_id))?;
        let (pp, sp) = (instrument.price_precision, instrument.size_precision);
        let q = quantity.map(|q| orders::quantity("quantity", q, sp)).transpose()?;
        let p = price.map(|p| orders::price("price", p, pp)).transpose()?;
        let t = trigger_price.map(|p| orders::price("trigger_price", p, pp)).transpose()?;
        for px in [p, t].into_iter().flatten() {
            instrument.check_price(px).map_err(|e| errors::instrument(&e))?;
        }
        if let Some(q) = q {
            instrument.check_quantity(q).map_err(|e| errors::instrument(&e))?;
        }
        self.actions.push(Action::Modify(id, q, p, t));
        Ok(())
    }

    #[pyo3(signature = (instrument_id=None))]
    fn cancel_all(&mut self, instrument_id: Option<&str>) -> PyResult<()> {
        self.acting()?;
        let id = self.instrument_opt(instrument_id)?;
        self.actions.push(Action::CancelAll(id));
        Ok(())
    }

    #[pyo3(signature = (instrument_id=None))]
    fn close_all(&mut self, instrument_id: Option<&str>) -> PyResult<()> {
        self.acting()?;
        let id = self.instrument_opt(instrument_id)?;
        self.actions.push(Action::CloseAll(id));
        Ok(())
    }

    #[pyo3(signature = (name, at, interval_ns=None, stop=None))]
    fn set_timer(
        &mut self,
        name: &str,
        at: u64,
        interval_ns: Option<u64>,
        stop: Option<u64>,
    ) -> PyResult<()> {
        self.acting()?;
        if interval_ns == Some(0) {
            return Err(errors::invalid_value("interval_ns", "must be positive"));
        }
        if at < self.now.0 {
            return Err(errors::invalid_value("at", format!("{at} is before now {}", self.now.0)));
        }
        let stop = stop.map(UnixNanos);
        self.actions.push(Action::SetTimer(name.to_owned(), UnixNanos(at), interval_ns, stop));
        Ok(())
    }

    fn cancel_timer(&mut self, name: &str) -> PyResult<()> {
        self.acting()?;
        self.actions.push(Action::CancelTimer(name.to_owned()));
        Ok(())
    }

    fn order(&self, client_order_id: &str) -> Option<PyOrder> {
        let key = ClientOrderId::new(client_order_id).ok()?;
        self.orders.get(&key).map(|o| PyOrder(o.clone()))
    }

    /// This strategy's orders, oldest first.
    fn orders(&self) -> Vec<PyOrder> {
        let mut all: Vec<&Order> = self.orders.values().collect();
        all.sort_by_key(|o| (o.ts_init(), o.client_order_id()));
        all.into_iter().map(|o| PyOrder(o.clone())).collect()
    }

    /// This strategy's open orders, oldest first.
    fn open_orders(&self) -> Vec<PyOrder> {
        let mut open: Vec<&Order> =
            self.orders.values().filter(|o| o.is_open() || o.is_in_flight()).collect();
        open.sort_by_key(|o| (o.ts_init(), o.client_order_id()));
        open.into_iter().map(|o| PyOrder(o.clone())).collect()
    }

    fn position(&self, instrument_id: &str) -> Option<PyPosition> {
        let key = InstrumentId::new(instrument_id).ok()?;
        self.positions.get(&key).map(|p| PyPosition(p.clone()))
    }

    fn positions(&self) -> Vec<PyPosition> {
        self.positions.values().map(|p| PyPosition(p.clone())).collect()
    }

    fn balances(&self) -> Vec<PyBalance> {
        self.balances.iter().map(|b| PyBalance(*b)).collect()
    }

    /// The last quote this strategy received for the instrument.
    fn quote(&self, instrument_id: &str) -> Option<PyQuoteTick> {
        let key = InstrumentId::new(instrument_id).ok()?;
        self.quotes.get(&key).map(|q| PyQuoteTick(*q))
    }
}

/// The Python callbacks a strategy overrides, as bound methods (looked up once).
#[allow(clippy::struct_field_names)] // named exactly as the Python methods
#[derive(Default)]
struct Callbacks {
    on_start: Option<Py<PyAny>>,
    on_stop: Option<Py<PyAny>>,
    on_quote_tick: Option<Py<PyAny>>,
    on_trade_tick: Option<Py<PyAny>>,
    on_bar: Option<Py<PyAny>>,
    on_book: Option<Py<PyAny>>,
    on_order_accepted: Option<Py<PyAny>>,
    on_order_rejected: Option<Py<PyAny>>,
    on_order_denied: Option<Py<PyAny>>,
    on_order_filled: Option<Py<PyAny>>,
    on_order_canceled: Option<Py<PyAny>>,
    on_order_expired: Option<Py<PyAny>>,
    on_position_changed: Option<Py<PyAny>>,
    on_timer: Option<Py<PyAny>>,
}

impl Callbacks {
    fn slot(&mut self, name: &str) -> Option<&mut Option<Py<PyAny>>> {
        Some(match name {
            "on_start" => &mut self.on_start,
            "on_stop" => &mut self.on_stop,
            "on_quote_tick" => &mut self.on_quote_tick,
            "on_trade_tick" => &mut self.on_trade_tick,
            "on_bar" => &mut self.on_bar,
            "on_book" => &mut self.on_book,
            "on_order_accepted" => &mut self.on_order_accepted,
            "on_order_rejected" => &mut self.on_order_rejected,
            "on_order_denied" => &mut self.on_order_denied,
            "on_order_filled" => &mut self.on_order_filled,
            "on_order_canceled" => &mut self.on_order_canceled,
            "on_order_expired" => &mut self.on_order_expired,
            "on_position_changed" => &mut self.on_position_changed,
            "on_timer" => &mut self.on_timer,
            _ => return None,
        })
    }

    /// The callback for one of the strategy's order events, with its name.
    fn for_order_event(&self, event: &Event) -> Option<(&Py<PyAny>, &'static str)> {
        let (slot, name) = match event {
            Event::OrderAccepted(_) => (&self.on_order_accepted, "on_order_accepted"),
            Event::OrderRejected(_) => (&self.on_order_rejected, "on_order_rejected"),
            Event::OrderDenied(_) => (&self.on_order_denied, "on_order_denied"),
            Event::OrderFilled(_) => (&self.on_order_filled, "on_order_filled"),
            Event::OrderCanceled(_) => (&self.on_order_canceled, "on_order_canceled"),
            Event::OrderExpired(_) => (&self.on_order_expired, "on_order_expired"),
            _ => return None,
        };
        slot.as_ref().map(|s| (s, name))
    }
}

/// A Python `Strategy` object as an engine strategy.
pub struct PyStrategyAdapter {
    id: StrategyId,
    subscriptions: Subscriptions,
    link: Py<PyStrategyLink>,
    callbacks: Callbacks,
    decode: Py<PyAny>,
    failure: FailureSlot,
    /// The last `QuoteTick` handed to Python, refilled when Python kept no reference to it.
    tick: Option<Py<PyQuoteTick>>,
}

impl PyStrategyAdapter {
    /// Looks up the overridden `callbacks` on `strategy` and makes its link.
    pub fn new(
        strategy: &Bound<'_, PyAny>,
        id: StrategyId,
        callbacks: &[String],
        failure: FailureSlot,
    ) -> PyResult<(Self, Py<PyStrategyLink>)> {
        let py = strategy.py();
        let mut slots = Callbacks::default();
        for name in callbacks {
            let slot = slots.slot(name).ok_or_else(|| {
                errors::invalid_value("callbacks", format!("{name:?} is not a strategy callback"))
            })?;
            *slot = Some(strategy.getattr(name.as_str())?.unbind());
        }
        let subscriptions = Subscriptions {
            quotes: slots.on_quote_tick.is_some(),
            trades: slots.on_trade_tick.is_some(),
            book: slots.on_book.is_some(),
            bars: slots.on_bar.is_some(),
        };
        let link = Py::new(py, PyStrategyLink::new(id))?;
        let decode = py.import("nautui.events")?.getattr("decode")?.unbind();
        let adapter = Self {
            id,
            subscriptions,
            link: link.clone_ref(py),
            callbacks: slots,
            decode,
            failure,
            tick: None,
        };
        Ok((adapter, link))
    }

    /// Runs one Python callback: link ready, call, buffered actions applied. A Python
    /// exception is kept for the engine binding and reported as a `StrategyError`.
    fn invoke(
        &self,
        ctx: &mut Context<'_>,
        name: &'static str,
        call: impl FnOnce(Python<'_>) -> PyResult<Bound<'_, PyAny>>,
    ) -> CallbackResult {
        Python::with_gil(|py| {
            self.link.borrow_mut(py).begin(ctx);
            let called = call(py);
            let mut link = self.link.borrow_mut(py);
            if called.is_err() {
                // A failed callback's half-made actions are dropped, not applied.
                link.actions.clear();
            }
            let finished = link.finish(ctx);
            drop(link);
            match (called, finished) {
                (Ok(_), Ok(())) => Ok(()),
                (Err(error), _) => {
                    let message = error.to_string();
                    if let Ok(mut slot) = self.failure.lock() {
                        *slot = Some(error);
                    }
                    Err(StrategyError { strategy_id: self.id, callback: name, message })
                }
                (Ok(_), Err(message)) => {
                    Err(StrategyError { strategy_id: self.id, callback: name, message })
                }
            }
        })
    }

    /// An engine event as its `nautui.events` Struct.
    fn decoded<'py>(&self, py: Python<'py>, event: &Event) -> PyResult<Bound<'py, PyAny>> {
        let bytes = event.to_msgpack().map_err(|e| errors::codec(&e))?;
        self.decode.bind(py).call1((PyBytes::new(py, &bytes),))
    }
}

impl Strategy for PyStrategyAdapter {
    fn id(&self) -> StrategyId {
        self.id
    }

    fn subscriptions(&self) -> Subscriptions {
        self.subscriptions
    }

    fn on_start(&mut self, ctx: &mut Context<'_>) -> CallbackResult {
        Python::with_gil(|py| {
            let mut link = self.link.borrow_mut(py);
            link.instruments = ctx.instruments().map(|i| (i.id, i.clone())).collect();
            link.balances = ctx.balances();
        });
        match &self.callbacks.on_start {
            Some(f) => self.invoke(ctx, "on_start", |py| f.bind(py).call0()),
            None => Ok(()),
        }
    }

    fn on_stop(&mut self, ctx: &mut Context<'_>) -> CallbackResult {
        match &self.callbacks.on_stop {
            Some(f) => self.invoke(ctx, "on_stop", |py| f.bind(py).call0()),
            None => Ok(()),
        }
    }

    fn on_quote(&mut self, ctx: &mut Context<'_>, quote: &QuoteTick) -> CallbackResult {
        if self.callbacks.on_quote_tick.is_none() {
            return Ok(());
        }
        let tick = Python::with_gil(|py| {
            self.link.borrow_mut(py).quotes.insert(quote.instrument_id, *quote);
            match &self.tick {
                // Only this adapter holds it: refill it rather than allocate.
                Some(tick) if tick.get_refcnt(py) == 1 => {
                    tick.borrow_mut(py).0 = *quote;
                    Ok(tick.clone_ref(py))
                }
                _ => {
                    Py::new(py, PyQuoteTick(*quote)).inspect(|t| self.tick = Some(t.clone_ref(py)))
                }
            }
        });
        let Some(f) = &self.callbacks.on_quote_tick else { return Ok(()) };
        self.invoke(ctx, "on_quote_tick", |py| f.bind(py).call1((tick?,)))
    }

    fn on_trade(&mut self, ctx: &mut Context<'_>, trade: &TradeTick) -> CallbackResult {
        let Some(f) = &self.callbacks.on_trade_tick else { return Ok(()) };
        self.invoke(ctx, "on_trade_tick", |py| {
            f.bind(py).call1((Bound::new(py, PyTradeTick(*trade))?,))
        })
    }

    fn on_book(&mut self, ctx: &mut Context<'_>, instrument_id: InstrumentId) -> CallbackResult {
        let Some(f) = &self.callbacks.on_book else { return Ok(()) };
        let Some(book) = ctx.book(instrument_id) else { return Ok(()) };
        let view = PyBookView::new(book, BOOK_DEPTH);
        self.invoke(ctx, "on_book", |py| f.bind(py).call1((Bound::new(py, view)?,)))
    }

    fn on_bar(&mut self, ctx: &mut Context<'_>, bar: &Bar) -> CallbackResult {
        let Some(f) = &self.callbacks.on_bar else { return Ok(()) };
        let event = Event::Bar(*bar);
        self.invoke(ctx, "on_bar", |py| f.bind(py).call1((self.decoded(py, &event)?,)))
    }

    fn on_order_event(&mut self, ctx: &mut Context<'_>, event: &Event) -> CallbackResult {
        if let Some(id) = event.client_order_id() {
            if let Some(order) = ctx.order(id) {
                let order = order.clone();
                let fill = matches!(event, Event::OrderFilled(_));
                let balances = if fill { Some(ctx.balances()) } else { None };
                Python::with_gil(|py| {
                    let mut link = self.link.borrow_mut(py);
                    link.orders.insert(id, order);
                    if let Some(b) = balances {
                        link.balances = b;
                    }
                });
            }
        }
        let Some((f, name)) = self.callbacks.for_order_event(event) else { return Ok(()) };
        self.invoke(ctx, name, |py| f.bind(py).call1((self.decoded(py, event)?,)))
    }

    fn on_position(
        &mut self,
        ctx: &mut Context<'_>,
        kind: &'static str,
        position: &PositionState,
    ) -> CallbackResult {
        if let Some(p) = ctx.position(position.instrument_id) {
            let p = p.clone();
            Python::with_gil(|py| self.link.borrow_mut(py).positions.insert(p.instrument_id(), p));
        }
        let Some(f) = &self.callbacks.on_position_changed else { return Ok(()) };
        let event = match kind {
            "PositionOpened" => Event::PositionOpened(*position),
            "PositionClosed" => Event::PositionClosed(*position),
            _ => Event::PositionChanged(*position),
        };
        self.invoke(ctx, "on_position_changed", |py| f.bind(py).call1((self.decoded(py, &event)?,)))
    }

    fn on_timer(&mut self, ctx: &mut Context<'_>, timer: &TimerFired) -> CallbackResult {
        let Some(f) = &self.callbacks.on_timer else { return Ok(()) };
        let event = Event::TimerFired(timer.clone());
        self.invoke(ctx, "on_timer", |py| f.bind(py).call1((self.decoded(py, &event)?,)))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyStrategyLink>()?;
    Ok(())
}
