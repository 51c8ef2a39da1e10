//! Python strategies on the Rust engine. `nautui.Strategy` subclasses `StrategyBase`, whose
//! methods are the strategy's actions and reads (spelled here once, backed by the core's
//! `strategy::Link`). `PyStrategyAdapter` implements the engine's `Strategy` trait by calling
//! the Python object, but only for the callbacks its class overrides (found when it is
//! registered), so data nobody subscribed to never enters Python.

// pyo3 hands extracted arguments over by value; they are read, not consumed.
#![allow(clippy::needless_pass_by_value)]

use super::errors;
use super::orders::{self, Extras};
use super::views::{PyBalance, PyBookView, PyOrder, PyPosition, PyQuoteTick, PyTradeTick};
use crate::events::{Bar, Event, PositionState, QuoteTick, TimerFired, TradeTick};
use crate::strategy::{
    ActionBuffer, CallbackResult, Context, Link, Strategy, StrategyError, Subscriptions,
};
use crate::types::{ClientOrderId, InstrumentId, StrategyId, UnixNanos};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};
use std::sync::{Arc, Mutex};

/// Where a failed callback leaves its Python exception for the engine binding to chain.
pub type FailureSlot = Arc<Mutex<Option<PyErr>>>;

/// Levels of each side a `BookView` carries.
const BOOK_DEPTH: usize = 10;

/// The base of every Python strategy: its actions (inside callbacks) and reads.
#[pyclass(name = "StrategyBase", module = "nautui._core", subclass)]
pub struct PyStrategy {
    link: Option<Link>,
}

impl PyStrategy {
    fn link(&self) -> PyResult<&Link> {
        self.link.as_ref().ok_or_else(|| errors::not_running(NOT_ADDED.into()))
    }

    fn link_mut(&mut self) -> PyResult<&mut Link> {
        self.link.as_mut().ok_or_else(|| errors::not_running(NOT_ADDED.into()))
    }

    pub fn id(&self) -> PyResult<StrategyId> {
        Ok(self.link()?.mirror.strategy_id())
    }

    fn attach(&mut self, id: StrategyId) -> PyResult<()> {
        if let Some(link) = &self.link {
            let message =
                format!("strategy {} is already added to an engine", link.mirror.strategy_id());
            return Err(errors::not_running(message));
        }
        self.link = Some(Link::new(id));
        Ok(())
    }

    /// Undoes `attach` (the engine refused the strategy).
    pub fn detach(&mut self) {
        self.link = None;
    }

    pub fn begin_batch(
        &mut self,
        now: UnixNanos,
        order_count: u64,
        instruments: Vec<crate::types::Instrument>,
    ) -> PyResult<()> {
        let link = self.link_mut()?;
        link.mirror.refresh_instruments_from(instruments);
        link.actions.begin(now, order_count);
        Ok(())
    }

    /// The actions asked for in a batch callback, taken out to be applied without the
    /// interpreter lock (`put_actions` returns the emptied buffer).
    pub fn take_actions(&mut self) -> PyResult<ActionBuffer> {
        let link = self.link_mut()?;
        let id = link.mirror.strategy_id();
        Ok(std::mem::replace(&mut link.actions, ActionBuffer::new(id)))
    }

    pub fn put_actions(&mut self, actions: ActionBuffer) {
        if let Some(link) = self.link.as_mut() {
            link.actions = actions;
        }
    }
}

const NOT_ADDED: &str = "the strategy is not added to an engine";

fn instrument_id(text: &str) -> PyResult<InstrumentId> {
    InstrumentId::new(text).map_err(|e| errors::identifier("instrument_id", &e))
}

fn order_id(text: &str) -> PyResult<ClientOrderId> {
    ClientOrderId::new(text).map_err(|e| errors::identifier("client_order_id", &e))
}

#[pymethods]
impl PyStrategy {
    /// Any arguments: they belong to the subclass's `__init__`.
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        Self { link: None }
    }

    /// Engine time of the current callback (ns).
    #[getter]
    fn now(&self) -> PyResult<u64> {
        Ok(self.link()?.actions.now().0)
    }

    /// Submits an order (MARKET, LIMIT, STOP_MARKET or STOP_LIMIT; time in force IOC for market
    /// orders, GTC otherwise, unless given); returns its client order id `O-<strategy>-<n>`.
    /// Checked at once (a bad price raises here); it reaches the engine when the callback
    /// returns.
    #[pyo3(signature = (
        instrument_id, side, quantity, order_type="MARKET", *, price=None, trigger_price=None,
        time_in_force=None, expire_time=None, post_only=false, reduce_only=false,
    ))]
    #[allow(clippy::too_many_arguments)] // one argument per field of an order
    fn submit_order<'py>(
        &mut self,
        instrument_id: &str,
        side: &str,
        quantity: &Bound<'py, PyAny>,
        order_type: &str,
        price: Option<Bound<'py, PyAny>>,
        trigger_price: Option<Bound<'py, PyAny>>,
        time_in_force: Option<String>,
        expire_time: Option<u64>,
        post_only: bool,
        reduce_only: bool,
    ) -> PyResult<String> {
        let link = self.link_mut()?;
        link.acting().map_err(errors::action)?;
        let instrument =
            link.instrument(self::instrument_id(instrument_id)?).map_err(errors::action)?;
        let extras =
            Extras { price, trigger_price, time_in_force, expire_time, post_only, reduce_only };
        let request = orders::request(instrument, side, quantity, order_type, &extras)?;
        Ok(link.submit(request).map_err(errors::action)?.to_string())
    }

    /// Changes an open order's quantity and/or prices.
    #[pyo3(signature = (client_order_id, quantity=None, price=None, trigger_price=None))]
    fn modify_order(
        &mut self,
        client_order_id: &str,
        quantity: Option<&Bound<'_, PyAny>>,
        price: Option<&Bound<'_, PyAny>>,
        trigger_price: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let id = order_id(client_order_id)?;
        let link = self.link_mut()?;
        link.acting().map_err(errors::action)?;
        let order = link.mirror.order(id).ok_or_else(|| errors::unknown_order(client_order_id))?;
        let instrument = link.instrument(order.instrument_id()).map_err(errors::action)?;
        let (q, p, t) = orders::amendments(instrument, quantity, price, trigger_price)?;
        link.modify(id, q, p, t).map_err(errors::action)
    }

    fn cancel_order(&mut self, client_order_id: &str) -> PyResult<()> {
        let id = order_id(client_order_id)?;
        self.link_mut()?.cancel(id).map_err(errors::action)
    }

    /// Cancels this strategy's open orders (of one instrument, or all).
    #[pyo3(signature = (instrument_id=None))]
    fn cancel_all_orders(&mut self, instrument_id: Option<&str>) -> PyResult<()> {
        let id = instrument_id.map(self::instrument_id).transpose()?;
        self.link_mut()?.cancel_all(id).map_err(errors::action)
    }

    /// Cancels this strategy's open orders and closes its positions at market.
    #[pyo3(signature = (instrument_id=None))]
    fn close_all_positions(&mut self, instrument_id: Option<&str>) -> PyResult<()> {
        let id = instrument_id.map(self::instrument_id).transpose()?;
        self.link_mut()?.close_all(id).map_err(errors::action)
    }

    /// A timer firing at `at` (ns), then every `interval_ns` until `stop`.
    #[pyo3(signature = (name, at, interval_ns=None, stop=None))]
    fn set_timer(
        &mut self,
        name: &str,
        at: u64,
        interval_ns: Option<u64>,
        stop: Option<u64>,
    ) -> PyResult<()> {
        let link = self.link_mut()?;
        link.set_timer(name, UnixNanos(at), interval_ns, stop.map(UnixNanos))
            .map_err(errors::action)
    }

    fn cancel_timer(&mut self, name: &str) -> PyResult<()> {
        self.link_mut()?.cancel_timer(name).map_err(errors::action)
    }

    /// One of this strategy's orders: working, or among its recent closed ones.
    fn order(&self, client_order_id: &str) -> PyResult<Option<PyOrder>> {
        let Ok(id) = ClientOrderId::new(client_order_id) else { return Ok(None) };
        Ok(self.link()?.mirror.order(id).map(|o| PyOrder(o.clone())))
    }

    /// This strategy's working orders and its recent closed ones, oldest first.
    fn orders(&self) -> PyResult<Vec<PyOrder>> {
        Ok(self.link()?.mirror.orders().into_iter().map(|o| PyOrder(o.clone())).collect())
    }

    /// This strategy's working and in-flight orders, oldest first.
    fn open_orders(&self) -> PyResult<Vec<PyOrder>> {
        Ok(self.link()?.mirror.open_orders().into_iter().map(|o| PyOrder(o.clone())).collect())
    }

    fn position(&self, instrument_id: &str) -> PyResult<Option<PyPosition>> {
        let Ok(id) = InstrumentId::new(instrument_id) else { return Ok(None) };
        Ok(self.link()?.mirror.position(id).map(|p| PyPosition(p.clone())))
    }

    fn positions(&self) -> PyResult<Vec<PyPosition>> {
        Ok(self.link()?.mirror.positions().map(|p| PyPosition(p.clone())).collect())
    }

    /// The account's balances (as of this strategy's last fill, or its start).
    fn balances(&self) -> PyResult<Vec<PyBalance>> {
        Ok(self.link()?.mirror.balances().iter().map(|b| PyBalance(*b)).collect())
    }

    /// The last quote this strategy received for the instrument.
    fn quote(&self, instrument_id: &str) -> PyResult<Option<PyQuoteTick>> {
        let Ok(id) = InstrumentId::new(instrument_id) else { return Ok(None) };
        Ok(self.link()?.mirror.quote(id).map(|q| PyQuoteTick(*q)))
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
    strategy: Py<PyStrategy>,
    callbacks: Callbacks,
    decode: Py<PyAny>,
    failure: FailureSlot,
    /// The last `QuoteTick` handed to Python, refilled when Python kept no reference to it.
    tick: Option<Py<PyQuoteTick>>,
}

impl PyStrategyAdapter {
    /// Attaches `strategy` under `id` and looks up its overridden `callbacks`.
    pub fn new(
        strategy: &Bound<'_, PyStrategy>,
        id: StrategyId,
        callbacks: &[String],
        failure: FailureSlot,
    ) -> PyResult<Self> {
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
        let decode = py.import("nautui.events")?.getattr("decode")?.unbind();
        strategy.borrow_mut().attach(id)?;
        Ok(Self {
            id,
            subscriptions,
            strategy: strategy.clone().unbind(),
            callbacks: slots,
            decode,
            failure,
            tick: None,
        })
    }

    /// Runs one Python callback: actions opened, called, then handed to the engine (dropped if
    /// it raised). A Python exception is kept for the engine binding and reported as a
    /// `StrategyError`.
    fn invoke(
        &self,
        ctx: &mut Context<'_>,
        name: &'static str,
        call: impl FnOnce(Python<'_>) -> PyResult<Bound<'_, PyAny>>,
    ) -> CallbackResult {
        Python::with_gil(|py| {
            self.with_link(py, |link| link.begin(ctx));
            let called = call(py);
            let finished = self
                .with_link(py, |link| link.finish(ctx, called.is_ok()).map_err(|e| e.to_string()));
            match (called, finished) {
                (Ok(_), Some(Ok(()))) => Ok(()),
                (Err(error), _) => {
                    let message = error.to_string();
                    if let Ok(mut slot) = self.failure.lock() {
                        *slot = Some(error);
                    }
                    Err(StrategyError { strategy_id: self.id, callback: name, message })
                }
                (Ok(_), Some(Err(message))) => {
                    Err(StrategyError { strategy_id: self.id, callback: name, message })
                }
                (Ok(_), None) => Err(StrategyError {
                    strategy_id: self.id,
                    callback: name,
                    message: NOT_ADDED.into(),
                }),
            }
        })
    }

    /// Runs `f` on the strategy's link (None if Python code detached it).
    fn with_link<T>(&self, py: Python<'_>, f: impl FnOnce(&mut Link) -> T) -> Option<T> {
        self.strategy.borrow_mut(py).link.as_mut().map(f)
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
        Python::with_gil(|py| self.with_link(py, |link| link.mirror.seed(ctx)));
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
            self.with_link(py, |link| link.mirror.on_quote(quote));
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
        if let Some(order) = event.client_order_id().and_then(|id| ctx.order(id)) {
            let balances = matches!(event, Event::OrderFilled(_)).then(|| ctx.balances());
            Python::with_gil(|py| {
                self.with_link(py, |link| {
                    link.mirror.on_order(order);
                    if let Some(b) = balances {
                        link.mirror.set_balances(b);
                    }
                })
            });
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
            Python::with_gil(|py| self.with_link(py, |link| link.mirror.on_position(p)));
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
    m.add_class::<PyStrategy>()?;
    Ok(())
}
