//! The engine for Python (`nautui._core.Engine`; users build it through `nautui.Engine`, a
//! subclass that adds the conversions to `nautui.events` Structs). Every call takes the host's
//! lock with the interpreter lock released, so other Python threads run while the engine works
//! and an engine served on its own thread is called from any other; the interpreter lock is
//! taken again only inside a Python strategy's callbacks. Configs and events cross as
//! MessagePack, quote columns as numpy arrays read in place.

// pyo3 hands extracted arguments over by value; they are read, not consumed.
#![allow(clippy::needless_pass_by_value)]

use super::errors;
use super::orders::{self, Extras};
use super::store::PyEventLog;
use super::strategy::{FailureSlot, PyStrategy, PyStrategyAdapter};
use super::types::PyInstrument;
use super::views::{PyBalance, PyOrder, PyPosition};
use crate::clock::ClockKind;
use crate::engine::{Engine, EngineConfig, QuoteColumns};
use crate::error::CoreError;
use crate::events::Event;
use crate::host::{Host, HostError, Shared};
use crate::performance::PerformanceRecord;
use crate::stats::LatencyKind;
use crate::types::{ClientOrderId, Currency, InstrumentId, StrategyId, UnixNanos, FIXED_SCALE};
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyDict};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

const _: () = assert!(crate::views::DEFAULT_DEPTH == 25);

/// A host recovered from a log, waiting to become an `Engine` (`Engine.__new__(recovered=)`).
#[pyclass(name = "RecoveredEngine", module = "nautui._core", frozen)]
pub struct PyRecovered {
    host: Mutex<Option<Host>>,
    #[pyo3(get)]
    last_seq: u64,
    #[pyo3(get)]
    in_flight: Vec<String>,
    #[pyo3(get)]
    unlogged: usize,
    config: Vec<u8>,
}

#[pymethods]
impl PyRecovered {
    /// The configuration the engine was recovered with, as MessagePack.
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.config)
    }
}

/// The trading engine: one ordered event loop over book, orders, portfolio, risk, the
/// simulated venue and strategies, with its recorder, fan-out and views.
#[pyclass(name = "Engine", module = "nautui._core", subclass, frozen)]
pub struct PyEngine {
    shared: Arc<Shared>,
    failure: FailureSlot,
}

fn instrument_id(text: &str) -> PyResult<InstrumentId> {
    InstrumentId::new(text).map_err(|e| errors::identifier("instrument_id", &e))
}

fn strategy_id(text: &str) -> PyResult<StrategyId> {
    StrategyId::new(text).map_err(|e| errors::identifier("strategy_id", &e))
}

fn order_id(text: &str) -> PyResult<ClientOrderId> {
    ClientOrderId::new(text).map_err(|e| errors::identifier("client_order_id", &e))
}

fn encode(events: &[Event]) -> PyResult<Vec<Vec<u8>>> {
    events.iter().map(|e| e.to_msgpack().map_err(|e| errors::codec(&e))).collect()
}

impl PyEngine {
    /// A reader of everything the engine produces from now on (see `host::Bus`).
    pub(super) fn subscribe_all(&self) -> crate::host::Subscription {
        self.shared.bus().subscribe(None)
    }

    fn new_shared(host: Host) -> Self {
        Self { shared: Arc::new(Shared::new(host)), failure: Arc::new(Mutex::new(None)) }
    }

    /// Maps a host error; a strategy failure gets the Python exception chained.
    fn error(&self, error: HostError) -> PyErr {
        let error = CoreError::from(error);
        if let CoreError::Strategy(failed) = &error {
            let cause = self.failure.lock().ok().and_then(|mut slot| slot.take());
            return errors::strategy(failed.to_string(), cause);
        }
        errors::core(error)
    }

    /// Runs `f` on the host under its lock, with the interpreter lock released.
    fn with_host<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut Host) -> Result<T, HostError> + Send,
    ) -> PyResult<T> {
        let shared = &self.shared;
        py.allow_threads(|| {
            let mut host = shared.lock()?;
            f(&mut host)
        })
        .map_err(|e| self.error(e))
    }

    /// Calls the engine through the host (recorded and published afterwards).
    pub(super) fn call<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut Engine) -> Result<T, crate::engine::EngineError> + Send,
    ) -> PyResult<T> {
        self.with_host(py, |host| host.call(f))
    }

    /// Reads the engine under the host's lock.
    pub(super) fn read<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Engine) -> T + Send,
    ) -> PyResult<T> {
        self.with_host(py, |host| Ok(f(host.engine())))
    }

    fn instrument_of(
        &self,
        py: Python<'_>,
        id: InstrumentId,
    ) -> PyResult<crate::types::Instrument> {
        self.read(py, |e| e.state().instrument(id).cloned())?
            .ok_or_else(|| errors::unknown_instrument(id.as_str()))
    }
}

#[pymethods]
impl PyEngine {
    /// `config`: an `EngineConfig` as MessagePack with named fields; `clock`: `test` (time
    /// moves with the data) or `live` (commands stamped with wall time; serve it to fire timers
    /// on time). `recovered`: a host from `recover_engine` (then `config` is not read).
    #[new]
    #[pyo3(signature = (config = None, clock = "test", recovered = None))]
    fn new(
        config: Option<&[u8]>,
        clock: &str,
        recovered: Option<PyRef<'_, PyRecovered>>,
    ) -> PyResult<Self> {
        let kind = ClockKind::parse(clock).ok_or_else(|| {
            errors::invalid_value("clock", format!("{clock:?} is not test or live"))
        })?;
        if let Some(recovered) = recovered {
            let mut slot =
                recovered.host.lock().map_err(|_| errors::not_running("poisoned".into()))?;
            let mut host = slot.take().ok_or_else(|| {
                errors::not_running("this recovered engine is already in use".into())
            })?;
            host.call(|e| {
                e.use_clock(kind);
                Ok(())
            })
            .map_err(|e| errors::core(e.into()))?;
            return Ok(Self::new_shared(host));
        }
        let config = config.ok_or_else(|| errors::config("an engine needs a config".into()))?;
        let config =
            EngineConfig::from_msgpack(config).map_err(|e| errors::config(e.to_string()))?;
        let mut engine = Engine::new(config).map_err(|e| errors::core(e.into()))?;
        engine.use_clock(kind);
        Ok(Self::new_shared(Host::new(engine)))
    }

    /// Loads an instrument; returns its index (for `run_quotes`).
    fn add_instrument(
        &self,
        py: Python<'_>,
        instrument: PyRef<'_, PyInstrument>,
    ) -> PyResult<usize> {
        let instrument = instrument.0.clone();
        self.call(py, |e| e.add_instrument(instrument))
    }

    /// The index `add_instrument` gave an instrument.
    fn instrument_index(&self, py: Python<'_>, instrument_id: &str) -> PyResult<usize> {
        let id = self::instrument_id(instrument_id)?;
        self.read(py, |e| e.state().instrument_index(id))?
            .ok_or_else(|| errors::unknown_instrument(instrument_id))
    }

    /// The instruments loaded, by index.
    fn instruments(&self, py: Python<'_>) -> PyResult<Vec<PyInstrument>> {
        self.read(py, |e| e.state().instruments().map(|i| PyInstrument(i.clone())).collect())
    }

    /// Registers a Python strategy under `strategy_id`; `callbacks` names the methods its class
    /// overrides (the only ones called).
    #[pyo3(name = "_add_strategy")]
    fn add_strategy(
        &self,
        py: Python<'_>,
        strategy: &Bound<'_, PyStrategy>,
        strategy_id: &str,
        callbacks: Vec<String>,
    ) -> PyResult<()> {
        let id = self::strategy_id(strategy_id)?;
        let adapter = PyStrategyAdapter::new(strategy, id, &callbacks, Arc::clone(&self.failure))?;
        let result = self.call(py, |e| e.add_strategy(Box::new(adapter)));
        if result.is_err() {
            strategy.borrow_mut().detach();
        }
        result
    }

    /// Registers a built-in Rust strategy by name, configured from MessagePack `params`.
    #[pyo3(name = "_add_builtin_strategy")]
    fn add_builtin_strategy(&self, py: Python<'_>, name: &str, params: &[u8]) -> PyResult<()> {
        let strategy =
            crate::strategies::build(name, params).map_err(|e| errors::core(e.into()))?;
        self.call(py, |e| e.add_strategy(strategy))
    }

    /// Opens a batch callback for `strategy`: its actions are allowed, numbered after the
    /// engine's count of its orders.
    fn begin_batch(&self, py: Python<'_>, strategy: &Bound<'_, PyStrategy>) -> PyResult<()> {
        let id = strategy.borrow().id()?;
        let (now, count, instruments) = self.read(py, |e| {
            let state = e.state();
            (e.now(), state.order_count(id), state.instruments().cloned().collect())
        })?;
        strategy.borrow_mut().begin_batch(now, count, instruments)
    }

    /// Closes a batch callback; when it `succeeded`, applies its actions now, in order, exactly
    /// as after any callback.
    #[pyo3(signature = (strategy, *, succeeded))]
    fn end_batch(
        &self,
        py: Python<'_>,
        strategy: &Bound<'_, PyStrategy>,
        succeeded: bool,
    ) -> PyResult<()> {
        let id = strategy.borrow().id()?;
        let mut actions = strategy.borrow_mut().take_actions()?;
        let result = self.call(py, |e| e.act_as(id, |ctx| actions.finish(ctx, succeeded)));
        strategy.borrow_mut().put_actions(actions);
        result
    }

    /// Processes one event given as MessagePack.
    #[pyo3(name = "_process")]
    fn process(&self, py: Python<'_>, payload: &[u8]) -> PyResult<()> {
        let event = Event::from_msgpack(payload).map_err(|e| errors::codec(&e))?;
        self.call(py, |e| e.process(event))
    }

    /// Moves engine time to `ts` (ns), running venue traffic and timers due by then.
    fn advance_to(&self, py: Python<'_>, ts: u64) -> PyResult<()> {
        self.call(py, |e| e.advance_to(UnixNanos(ts)))
    }

    /// Calls every strategy's `on_start`.
    fn start(&self, py: Python<'_>) -> PyResult<()> {
        self.call(py, Engine::start)
    }

    /// Runs the venue traffic still in flight, then every strategy's `on_stop`.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        self.call(py, Engine::stop)
    }

    /// Engine time (ns).
    #[getter]
    fn now(&self, py: Python<'_>) -> PyResult<u64> {
        self.read(py, |e| e.now().0)
    }

    /// `test` or `live`.
    #[getter]
    fn clock(&self, py: Python<'_>) -> PyResult<&'static str> {
        self.read(py, |e| if e.clock().is_live() { "live" } else { "test" })
    }

    /// Submits an order for `strategy_id`; returns its client order id `O-<strategy>-<n>`.
    /// Prices and quantities are read at the instrument's precision and checked against its
    /// grid (`InvalidValueError` names the field); risk denials and venue rejections arrive as
    /// events.
    #[pyo3(signature = (
        strategy_id, instrument_id, side, quantity, order_type="MARKET", *, price=None,
        trigger_price=None, time_in_force=None, expire_time=None, post_only=false,
        reduce_only=false,
    ))]
    #[allow(clippy::too_many_arguments)] // one argument per field of an order
    fn submit<'py>(
        &self,
        py: Python<'py>,
        strategy_id: &str,
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
        let sid = self::strategy_id(strategy_id)?;
        let instrument = self.instrument_of(py, self::instrument_id(instrument_id)?)?;
        let extras =
            Extras { price, trigger_price, time_in_force, expire_time, post_only, reduce_only };
        let request = orders::request(&instrument, side, quantity, order_type, &extras)?;
        Ok(self.call(py, |e| e.submit_order(sid, &request))?.to_string())
    }

    /// Cancels one order on behalf of its strategy.
    fn cancel(&self, py: Python<'_>, client_order_id: &str) -> PyResult<()> {
        let id = order_id(client_order_id)?;
        self.call(py, |e| e.cancel_order(id))
    }

    /// Changes an order's quantity and/or prices (read at its instrument's precision).
    #[pyo3(signature = (client_order_id, quantity=None, price=None, trigger_price=None))]
    fn modify(
        &self,
        py: Python<'_>,
        client_order_id: &str,
        quantity: Option<&Bound<'_, PyAny>>,
        price: Option<&Bound<'_, PyAny>>,
        trigger_price: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let id = order_id(client_order_id)?;
        let instrument = self
            .read(py, |e| {
                let order = e.state().order(id)?;
                e.state().instrument(order.instrument_id()).cloned()
            })?
            .ok_or_else(|| errors::unknown_order(client_order_id))?;
        let (q, p, t) = orders::amendments(&instrument, quantity, price, trigger_price)?;
        self.call(py, |e| e.modify_order(id, q, p, t))
    }

    /// Cancels open orders, of one strategy and/or instrument or all; `source` names who asked
    /// (it is in the logged command).
    #[pyo3(signature = (strategy_id=None, instrument_id=None, source="api"))]
    fn cancel_all(
        &self,
        py: Python<'_>,
        strategy_id: Option<&str>,
        instrument_id: Option<&str>,
        source: &str,
    ) -> PyResult<()> {
        let sid = strategy_id.map(self::strategy_id).transpose()?;
        let iid = instrument_id.map(self::instrument_id).transpose()?;
        self.call(py, |e| e.cancel_all_orders(sid, iid, source))
    }

    /// Cancels open orders and closes positions at market, in scope (all by default).
    #[pyo3(signature = (strategy_id=None, instrument_id=None, source="api"))]
    fn flatten(
        &self,
        py: Python<'_>,
        strategy_id: Option<&str>,
        instrument_id: Option<&str>,
        source: &str,
    ) -> PyResult<()> {
        let sid = strategy_id.map(self::strategy_id).transpose()?;
        let iid = instrument_id.map(self::instrument_id).transpose()?;
        self.call(py, |e| e.flatten(sid, iid, source))
    }

    /// Stops all trading (HALTED) until `resume`.
    #[pyo3(signature = (reason, source="api"))]
    fn halt(&self, py: Python<'_>, reason: &str, source: &str) -> PyResult<()> {
        self.call(py, |e| e.halt(reason, source))
    }

    /// Returns to ACTIVE trading.
    #[pyo3(signature = (reason, source="api"))]
    fn resume(&self, py: Python<'_>, reason: &str, source: &str) -> PyResult<()> {
        self.call(py, |e| e.resume(reason, source))
    }

    /// Runs a block of L1 quotes from numpy columns, read in place: instrument indexes
    /// (uint32), bid/ask raw prices (int64, 10^-9 units), bid/ask raw sizes (uint64),
    /// `ts_event` and `ts_init` (uint64 ns, sorted).
    #[allow(clippy::too_many_arguments)] // one argument per column
    #[pyo3(name = "_run_quotes")]
    fn run_quotes(
        &self,
        py: Python<'_>,
        instrument: PyReadonlyArray1<'_, u32>,
        bid_price: PyReadonlyArray1<'_, i64>,
        ask_price: PyReadonlyArray1<'_, i64>,
        bid_size: PyReadonlyArray1<'_, u64>,
        ask_size: PyReadonlyArray1<'_, u64>,
        ts_event: PyReadonlyArray1<'_, u64>,
        ts_init: PyReadonlyArray1<'_, u64>,
    ) -> PyResult<()> {
        let column = |name: &str, e: numpy::NotContiguousError| {
            errors::invalid_value(name, format!("column is not contiguous: {e}"))
        };
        let cols = QuoteColumns {
            instrument: instrument.as_slice().map_err(|e| column("instrument", e))?,
            bid_price: bid_price.as_slice().map_err(|e| column("bid_price", e))?,
            ask_price: ask_price.as_slice().map_err(|e| column("ask_price", e))?,
            bid_size: bid_size.as_slice().map_err(|e| column("bid_size", e))?,
            ask_size: ask_size.as_slice().map_err(|e| column("ask_size", e))?,
            ts_event: ts_event.as_slice().map_err(|e| column("ts_event", e))?,
            ts_init: ts_init.as_slice().map_err(|e| column("ts_init", e))?,
        };
        self.call(py, |e| e.run_quotes(&cols))
    }

    /// Serves the engine on the calling thread (start a thread for it) until `stop_serving`:
    /// inputs posted with `post`, timers and venue traffic on time on a live clock, views when
    /// asked. Raises what stopped it otherwise (a strategy failing, a refused input); the engine
    /// keeps its state and can be served again.
    fn serve(&self, py: Python<'_>) -> PyResult<()> {
        self.shared.inbox().reopen();
        let shared = &self.shared;
        py.allow_threads(|| crate::host::serve(shared)).map_err(|e| self.error(e))
    }

    /// Asks the serving thread to return after its current step (inputs still queued stay).
    fn stop_serving(&self) {
        self.shared.inbox().stop();
    }

    /// Queues input events (MessagePack payloads) for the serving thread, in order; never
    /// waits for the engine. A payload that is not an event is refused before any is queued.
    #[pyo3(name = "_post")]
    fn post(&self, payloads: Vec<PyBackedBytes>) -> PyResult<()> {
        let events = payloads
            .iter()
            .enumerate()
            .map(|(i, p)| {
                Event::from_msgpack(p)
                    .map_err(|e| errors::invalid_value(&format!("payloads[{i}]"), e.to_string()))
            })
            .collect::<PyResult<Vec<_>>>()?;
        self.shared.inbox().post(events);
        Ok(())
    }

    /// Inputs posted and not yet taken by the serving thread.
    fn posted(&self) -> usize {
        self.shared.inbox().pending()
    }

    /// A reader of everything the engine produces from now on: `max_events` bounds what waits
    /// (the oldest are dropped and counted), None keeps everything until read.
    #[pyo3(signature = (max_events = None))]
    fn subscribe(&self, max_events: Option<usize>) -> PySubscription {
        PySubscription(self.shared.bus().subscribe(max_events))
    }

    /// Asks for fresh views: published after the engine's next step (a served engine that is
    /// idle wakes for it).
    fn request_views(&self) {
        self.shared.request_views();
    }

    /// Publishes the views now (an engine nobody serves).
    fn publish_views(&self, py: Python<'_>) -> PyResult<()> {
        self.with_host(py, Host::publish_views)
    }

    /// Ladder levels a side the views show.
    fn set_view_depth(&self, depth: usize) {
        self.shared.board().set_depth(depth);
    }

    /// The views whose version is newer than `seen[key]` (absent: all): `(key, version,
    /// MessagePack)`.
    #[pyo3(signature = (seen = None))]
    fn read_views<'py>(
        &self,
        py: Python<'py>,
        seen: Option<BTreeMap<String, u64>>,
    ) -> Vec<(String, u64, Bound<'py, PyBytes>)> {
        let seen = seen.unwrap_or_default();
        self.shared
            .board()
            .read(&seen)
            .into_iter()
            .map(|(key, (version, bytes))| (key, version, PyBytes::new(py, &bytes)))
            .collect()
    }

    /// Every view now, as one MessagePack `Frame`, ladders `depth` levels deep.
    #[pyo3(signature = (depth = 25))] // `views::DEFAULT_DEPTH`, asserted below
    fn frame<'py>(&self, py: Python<'py>, depth: usize) -> PyResult<Bound<'py, PyBytes>> {
        let frame = self.read(py, |e| crate::views::Frame::of(e, depth))?;
        let bytes = rmp_serde::to_vec_named(&frame)
            .map_err(|e| errors::not_running(format!("views cannot be encoded: {e}")))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Commands for a live venue adapter, as MessagePack payloads. With a log attached they are
    /// released only once they are committed under synchronous=FULL (write-ahead): with `wait`
    /// this blocks until they are (other threads run meanwhile), without it only those already
    /// durable are returned and the rest stay for a later call.
    #[pyo3(signature = (wait = true))]
    #[pyo3(name = "_drain_outbound")]
    fn drain_outbound<'py>(
        &self,
        py: Python<'py>,
        wait: bool,
    ) -> PyResult<Vec<Bound<'py, PyBytes>>> {
        let events = self.with_host(py, |host| host.drain_outbound(wait))?;
        Ok(encode(&events)?.iter().map(|b| PyBytes::new(py, b)).collect())
    }

    /// Commands held until their events are durable (see `drain_outbound`).
    #[getter]
    fn outbound_waiting(&self, py: Python<'_>) -> PyResult<usize> {
        self.with_host(py, |host| Ok(host.outbound_waiting()))
    }

    /// Records everything this engine produces into `log` from now on (after the log's head, a
    /// snapshot every `snapshot_every` events; 0: none). What the engine produced before and
    /// nobody took is recorded first.
    #[pyo3(signature = (log, snapshot_every = 10_000))]
    #[pyo3(name = "_attach_log")]
    fn attach_log(
        &self,
        py: Python<'_>,
        log: PyRef<'_, PyEventLog>,
        snapshot_every: u64,
    ) -> PyResult<()> {
        let log = log.shared();
        self.with_host(py, |host| host.attach(log, snapshot_every))
    }

    /// Records what is left and commits it durably: the head (last seq and its hash), or None
    /// when no log is attached.
    #[pyo3(name = "_finish_log")]
    fn finish_log<'py>(&self, py: Python<'py>) -> PyResult<Option<(u64, Bound<'py, PyBytes>)>> {
        let head = self.with_host(py, Host::finish_log)?;
        Ok(head.map(|(seq, hash)| (seq, PyBytes::new(py, &hash))))
    }

    /// The last seq recorded and the last one known durable (synchronous=FULL), or None.
    fn log_seqs(&self, py: Python<'_>) -> PyResult<Option<(u64, u64)>> {
        self.with_host(py, |host| Ok(host.recorder().map(|r| (r.last_seq(), r.durable_seq()))))
    }

    /// What a recording log keeps in its `meta.config` so it can be recovered on its own: this
    /// engine's configuration and instruments.
    fn recording_header(&self, py: Python<'_>) -> PyResult<String> {
        self.read(py, |e| crate::store::RunHeader::of(e).to_meta())?
            .map_err(|e| errors::core(e.into()))
    }

    /// The engine's full state as bytes (what a snapshot in the log holds).
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.read(py, Engine::snapshot)?.map_err(|e| errors::core(e.into()))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// What the engine did: events in and out, quotes, orders, fills, denials, rejections.
    fn counters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = self.read(py, Engine::counters)?;
        let dict = PyDict::new(py);
        dict.set_item("events_in", c.events_in)?;
        dict.set_item("events_out", c.events_out)?;
        dict.set_item("quotes", c.quotes)?;
        dict.set_item("orders", c.orders)?;
        dict.set_item("fills", c.fills)?;
        dict.set_item("denials", c.denials)?;
        dict.set_item("rejections", c.rejections)?;
        dict.set_item("illegal_transitions", c.illegal_transitions)?;
        Ok(dict)
    }

    /// Percentiles of one latency histogram (ns): `data_to_callback`, `callback_duration`,
    /// `submit_to_ack` or `ack_to_fill`.
    fn latency<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyDict>> {
        let kind = LatencyKind::parse(name).ok_or_else(|| {
            let names: Vec<&str> = LatencyKind::ALL.iter().map(|k| k.name()).collect();
            errors::invalid_value("name", format!("{name:?} is not one of {names:?}"))
        })?;
        let s = self.read(py, |e| e.stats().summary(kind))?;
        let dict = PyDict::new(py);
        dict.set_item("count", s.count)?;
        dict.set_item("min", s.min)?;
        dict.set_item("p50", s.p50)?;
        dict.set_item("p90", s.p90)?;
        dict.set_item("p99", s.p99)?;
        dict.set_item("p999", s.p999)?;
        dict.set_item("max", s.max)?;
        Ok(dict)
    }

    /// Any order: live or recently closed, else (closed long ago) from the attached log.
    fn order(&self, py: Python<'_>, client_order_id: &str) -> PyResult<Option<PyOrder>> {
        let id = order_id(client_order_id)?;
        Ok(self.with_host(py, |host| host.order(id))?.map(PyOrder))
    }

    /// Open and in-flight orders, oldest first.
    fn open_orders(&self, py: Python<'_>) -> PyResult<Vec<PyOrder>> {
        self.read(py, |e| e.state().open_orders().map(|o| PyOrder(o.clone())).collect())
    }

    /// Every position (flat ones included), by instrument then strategy.
    fn positions(&self, py: Python<'_>) -> PyResult<Vec<PyPosition>> {
        self.read(py, |e| {
            e.state().portfolio().positions().map(|p| PyPosition(p.clone())).collect()
        })
    }

    /// Every balance, by currency.
    fn balances(&self, py: Python<'_>) -> PyResult<Vec<PyBalance>> {
        let balances = self.read(py, Engine::balances)?.map_err(|e| errors::core(e.into()))?;
        Ok(balances.into_iter().map(PyBalance).collect())
    }

    /// `ACTIVE`, `REDUCING` or `HALTED`.
    #[getter]
    fn trading_state(&self, py: Python<'_>) -> PyResult<&'static str> {
        self.read(py, |e| e.state().risk().state().as_str())
    }

    /// Starts recording the equity curve in `currency` (balances plus open positions at the
    /// last quote's mid, sampled every `interval_ns` of engine time) and the PnL of every round
    /// trip net of fees (booked when a position closes or flips).
    fn record_performance(&self, py: Python<'_>, currency: &str, interval_ns: u64) -> PyResult<()> {
        let currency = Currency::new(currency).map_err(|e| errors::identifier("currency", &e))?;
        self.call(py, |e| e.record_performance(currency, interval_ns))
    }

    /// The record as numpy columns: equity sample times (ns), equity (account currency units),
    /// round-trip close times (ns), round-trip PnL net of fees (units). Empty when off.
    #[allow(clippy::type_complexity)] // four columns, named in the docstring
    fn performance<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(
        Bound<'py, PyArray1<u64>>,
        Bound<'py, PyArray1<f64>>,
        Bound<'py, PyArray1<u64>>,
        Bound<'py, PyArray1<f64>>,
    )> {
        let r = self.read(py, |e| e.performance().cloned().unwrap_or_default())?;
        #[allow(clippy::cast_precision_loss)] // display values; the raw record stays exact
        let units = |raw: &[i128]| raw.iter().map(|&v| v as f64 / FIXED_SCALE as f64).collect();
        Ok((
            PyArray1::from_slice(py, &r.equity_ts),
            PyArray1::from_vec(py, units(&r.equity_raw)),
            PyArray1::from_slice(py, &r.trade_ts),
            PyArray1::from_vec(py, units(&r.trade_pnl_raw)),
        ))
    }

    /// The statistics of the record, annualised with `periods_per_year` equity samples a year.
    fn statistics<'py>(
        &self,
        py: Python<'py>,
        periods_per_year: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let s = self.read(py, |e| {
            let empty = PerformanceRecord::default();
            e.performance().unwrap_or(&empty).statistics(periods_per_year)
        })?;
        let dict = PyDict::new(py);
        dict.set_item("pnl", s.pnl)?;
        dict.set_item("return", s.total_return)?;
        dict.set_item("sharpe", s.sharpe)?;
        dict.set_item("sortino", s.sortino)?;
        dict.set_item("max_drawdown", s.max_drawdown)?;
        dict.set_item("profit_factor", s.profit_factor)?;
        dict.set_item("win_rate", s.win_rate)?;
        dict.set_item("expectancy", s.expectancy)?;
        dict.set_item("trades", s.trades)?;
        Ok(dict)
    }
}

/// A reader of the engine's output (`Engine.subscribe`).
#[pyclass(name = "Subscription", module = "nautui._core", frozen)]
pub struct PySubscription(crate::host::Subscription);

#[pymethods]
impl PySubscription {
    /// Up to `max_events` events as one MessagePack array, waiting up to `timeout` seconds for
    /// the first (None: as long as it takes): `(payload, first, missed, closed)` where `first`
    /// is the stream position of the first event, `missed` how many this reader lost since its
    /// last read (a bounded reader that fell behind) and `closed` that no more will come.
    #[pyo3(signature = (max_events = 10_000, timeout = 0.0))]
    fn read<'py>(
        &self,
        py: Python<'py>,
        max_events: usize,
        timeout: Option<f64>,
    ) -> PyResult<(Bound<'py, PyBytes>, u64, u64, bool)> {
        let timeout = timeout.map(|s| std::time::Duration::from_secs_f64(s.max(0.0)));
        let received = py.allow_threads(|| self.0.read(max_events, timeout));
        let events: Vec<&Event> = received.events().collect();
        let bytes = crate::events::encode_all(events.into_iter()).map_err(|e| errors::codec(&e))?;
        Ok((PyBytes::new(py, &bytes), received.first, received.missed, received.closed))
    }

    /// Events waiting to be read.
    fn pending(&self) -> usize {
        self.0.pending()
    }
}

/// The engine state `log` describes (latest snapshot plus the re-folded tail, or the whole log
/// re-folded with `from_start`), without strategies, to be made an `Engine` with
/// `Engine.__new__(recovered=...)`. The configuration and instruments are the log's own unless
/// given. With `attach` (a snapshot interval) the events the re-fold derived that the log lacks
/// are appended, and the engine records into the log again.
#[pyfunction]
#[pyo3(signature = (log, config = None, instruments = None, from_start = false, attach = None))]
fn recover_engine(
    py: Python<'_>,
    log: PyRef<'_, PyEventLog>,
    config: Option<&[u8]>,
    instruments: Option<Vec<PyRef<'_, PyInstrument>>>,
    from_start: bool,
    attach: Option<u64>,
) -> PyResult<PyRecovered> {
    let given = match (config, instruments) {
        (Some(config), Some(instruments)) => Some((
            EngineConfig::from_msgpack(config).map_err(|e| errors::config(e.to_string()))?,
            instruments.iter().map(|i| i.0.clone()).collect(),
        )),
        _ => None,
    };
    let options = crate::host::RecoverOptions { given, from_start, attach };
    let shared = log.shared();
    let (host, recovery) =
        py.allow_threads(|| Host::recover(shared, options)).map_err(|e| errors::core(e.into()))?;
    let config = recovery.config.to_msgpack().map_err(|e| errors::codec(&e))?;
    Ok(PyRecovered {
        host: Mutex::new(Some(host)),
        last_seq: recovery.last_seq,
        in_flight: recovery.in_flight.iter().map(ToString::to_string).collect(),
        unlogged: recovery.unlogged,
        config,
    })
}

/// Decodes an engine config and writes it back (the drift test's Rust half).
#[pyfunction]
fn engine_config_roundtrip<'py>(py: Python<'py>, config: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    let config = EngineConfig::from_msgpack(config).map_err(|e| errors::config(e.to_string()))?;
    let bytes = config.to_msgpack().map_err(|e| errors::codec(&e))?;
    Ok(PyBytes::new(py, &bytes))
}

/// A config with every field set, written by the engine.
#[pyfunction]
fn engine_config_example(py: Python<'_>) -> PyResult<Bound<'_, PyBytes>> {
    let config = EngineConfig::example().map_err(|e| errors::fixed("config", &e))?;
    let bytes = config.to_msgpack().map_err(|e| errors::codec(&e))?;
    Ok(PyBytes::new(py, &bytes))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEngine>()?;
    m.add_class::<PyRecovered>()?;
    m.add_class::<PySubscription>()?;
    m.add_function(wrap_pyfunction!(recover_engine, m)?)?;
    m.add_function(wrap_pyfunction!(engine_config_roundtrip, m)?)?;
    m.add_function(wrap_pyfunction!(engine_config_example, m)?)?;
    Ok(())
}
