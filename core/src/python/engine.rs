//! The engine for Python (`nautui._core.Engine`; users build it through `nautui.Engine`).
//! Configs and events cross as MessagePack (decoded by serde here, by msgspec in Python), the
//! quote columns as numpy arrays read in place.

// pyo3 hands extracted arguments over by value; they are read, not consumed.
#![allow(clippy::needless_pass_by_value)]

use super::errors;
use super::orders;
use super::store::PyEventLog;
use super::strategy::{Action, FailureSlot, PyStrategyAdapter, PyStrategyLink};
use super::types::PyInstrument;
use super::views::{PyBalance, PyOrder, PyPosition};
use crate::engine::{Engine, EngineConfig, EngineError, QuoteColumns};
use crate::error::CoreError;
use crate::events::Event;
use crate::performance::PerformanceRecord;
use crate::stats::LatencyKind;
use crate::store::{self, Recorder};
use crate::types::{ClientOrderId, Currency, InstrumentId, StrategyId, UnixNanos, FIXED_SCALE};
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyDict};
use std::sync::{Arc, Mutex};

/// `Engine.recover`'s answer: the engine, its last seq, in-flight ids, unlogged events.
type Recovery<'py> = (PyEngine, Bound<'py, PyBytes>, u64, Vec<String>, Vec<Bound<'py, PyBytes>>);

/// The trading engine: one ordered event loop over book, orders, portfolio, risk, the
/// simulated venue and strategies.
#[pyclass(name = "Engine", module = "nautui._core", unsendable)]
pub struct PyEngine {
    engine: Engine,
    failure: FailureSlot,
    /// The event log this engine records into, once attached.
    recorder: Option<Recorder>,
}

impl PyEngine {
    /// Maps an engine error; a strategy failure gets the Python exception chained.
    fn error(&self, error: EngineError) -> PyErr {
        let error = CoreError::from(error);
        if let CoreError::Strategy(failed) = &error {
            let cause = self.failure.lock().ok().and_then(|mut slot| slot.take());
            return errors::strategy(failed.to_string(), cause);
        }
        errors::core(error)
    }

    /// Records what the call produced (when a log is attached), then maps its error.
    fn check<T>(&mut self, result: Result<T, EngineError>) -> PyResult<T> {
        if let Some(recorder) = self.recorder.as_mut() {
            let recorded = if result.is_ok() {
                recorder.record(&mut self.engine)
            } else {
                recorder.record_events(&mut self.engine)
            };
            recorded.map_err(|e| errors::core(e.into()))?;
        }
        result.map_err(|e| self.error(e))
    }

    /// For the other binding files: runs `f` on the engine, then records and maps its result
    /// as every call here does.
    pub(super) fn call<T>(
        &mut self,
        f: impl FnOnce(&mut Engine) -> Result<T, EngineError>,
    ) -> PyResult<T> {
        let result = f(&mut self.engine);
        self.check(result)
    }

    pub(super) fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Everything that happened since the last drain (through the attached log, if any).
    pub(super) fn drain(&mut self) -> PyResult<Vec<Event>> {
        match self.recorder.as_mut() {
            Some(recorder) => {
                recorder.record_events(&mut self.engine).map_err(|e| errors::core(e.into()))?;
                Ok(recorder.take_events())
            }
            None => Ok(self.engine.drain_events()),
        }
    }
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

#[pymethods]
impl PyEngine {
    /// `config`: an `EngineConfig` as MessagePack with named fields.
    #[new]
    fn new(config: &[u8]) -> PyResult<Self> {
        let config =
            EngineConfig::from_msgpack(config).map_err(|e| errors::config(e.to_string()))?;
        let engine = Engine::new(config).map_err(|e| errors::core(e.into()))?;
        Ok(Self { engine, failure: Arc::new(Mutex::new(None)), recorder: None })
    }

    /// Loads an instrument; returns its index (for `run_quotes`).
    fn add_instrument(&mut self, instrument: PyRef<'_, PyInstrument>) -> PyResult<usize> {
        self.engine.add_instrument(instrument.0.clone()).map_err(|e| self.error(e))
    }

    /// Registers a Python strategy; `callbacks` names the methods its class overrides.
    fn add_strategy(
        &mut self,
        strategy: &Bound<'_, PyAny>,
        strategy_id: &str,
        callbacks: Vec<String>,
    ) -> PyResult<Py<PyStrategyLink>> {
        let id = self::strategy_id(strategy_id)?;
        let (adapter, link) =
            PyStrategyAdapter::new(strategy, id, &callbacks, Arc::clone(&self.failure))?;
        self.engine.add_strategy(Box::new(adapter)).map_err(|e| self.error(e))?;
        Ok(link)
    }

    /// Registers a built-in Rust strategy by name, configured from MessagePack `params`.
    fn add_builtin_strategy(&mut self, name: &str, params: &[u8]) -> PyResult<()> {
        let strategy =
            crate::strategies::build(name, params).map_err(|e| errors::core(e.into()))?;
        self.engine.add_strategy(strategy).map_err(|e| self.error(e))
    }

    /// Opens a batch callback for the strategy behind `link` (its actions are allowed and
    /// counted from the engine's order counter).
    fn begin_batch(&self, link: &Bound<'_, PyStrategyLink>) {
        let mut link = link.borrow_mut();
        let state = self.engine.state();
        let count = state.order_counts.get(&link.id()).copied().unwrap_or(0);
        link.begin_batch(self.engine.now(), count, state.instruments.iter().map(|s| &s.instrument));
    }

    /// Closes a batch callback; when it `succeeded`, applies its actions now, in order.
    #[pyo3(signature = (link, *, succeeded))]
    fn end_batch(&mut self, link: &Bound<'_, PyStrategyLink>, succeeded: bool) -> PyResult<()> {
        let (strategy_id, actions) = {
            let mut link = link.borrow_mut();
            (link.id(), link.end_batch(succeeded))
        };
        let source = strategy_id.to_string();
        for action in actions {
            let result = match action {
                Action::Submit(request) => {
                    self.engine.submit_order(strategy_id, &request).map(|_| ())
                }
                Action::Cancel(id) => self.engine.cancel_order(id),
                Action::Modify(id, q, p, t) => self.engine.modify_order(id, q, p, t),
                Action::CancelAll(i) => {
                    self.engine.cancel_all_orders(Some(strategy_id), i, &source)
                }
                Action::CloseAll(i) => self.engine.flatten(Some(strategy_id), i, &source),
                Action::SetTimer(..) | Action::CancelTimer(_) => {
                    return Err(errors::not_running(format!(
                        "strategy {strategy_id}: timers cannot be set from on_quote_batch"
                    )));
                }
            };
            self.check(result)?;
        }
        Ok(())
    }

    /// Processes one event given as MessagePack.
    fn process(&mut self, payload: &[u8]) -> PyResult<()> {
        let event = Event::from_msgpack(payload).map_err(|e| errors::codec(&e))?;
        let result = self.engine.process(event);
        self.check(result)
    }

    fn advance_to(&mut self, ts: u64) -> PyResult<()> {
        let result = self.engine.advance_to(UnixNanos(ts));
        self.check(result)
    }

    fn start(&mut self) -> PyResult<()> {
        let result = self.engine.start();
        self.check(result)
    }

    fn stop(&mut self) -> PyResult<()> {
        let result = self.engine.stop();
        self.check(result)
    }

    /// Engine time (ns).
    #[getter]
    fn now(&self) -> u64 {
        self.engine.now().0
    }

    /// Submits an order for `strategy_id`; returns its client order id.
    #[pyo3(signature = (
        strategy_id, instrument_id, side, order_type, quantity, price=None, trigger_price=None,
        time_in_force=None, expire_time=None, post_only=false, reduce_only=false,
    ))]
    #[allow(clippy::too_many_arguments)] // one argument per field of an order
    fn submit(
        &mut self,
        strategy_id: &str,
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
        let sid = self::strategy_id(strategy_id)?;
        let iid = self::instrument_id(instrument_id)?;
        let instrument = self
            .engine
            .state()
            .instrument(iid)
            .ok_or_else(|| errors::unknown_instrument(instrument_id))?;
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
        let result = self.engine.submit_order(sid, &request);
        Ok(self.check(result)?.to_string())
    }

    fn cancel(&mut self, client_order_id: &str) -> PyResult<()> {
        let id = order_id(client_order_id)?;
        let result = self.engine.cancel_order(id);
        self.check(result)
    }

    #[pyo3(signature = (client_order_id, quantity=None, price=None, trigger_price=None))]
    fn modify(
        &mut self,
        client_order_id: &str,
        quantity: Option<&Bound<'_, PyAny>>,
        price: Option<&Bound<'_, PyAny>>,
        trigger_price: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let id = order_id(client_order_id)?;
        let state = self.engine.state();
        let order = state.order(id).ok_or_else(|| errors::unknown_order(client_order_id))?;
        let instrument = state
            .instrument(order.instrument_id())
            .ok_or_else(|| errors::unknown_order(client_order_id))?;
        let (pp, sp) = (instrument.price_precision, instrument.size_precision);
        let q = quantity.map(|q| orders::quantity("quantity", q, sp)).transpose()?;
        let p = price.map(|p| orders::price("price", p, pp)).transpose()?;
        let t = trigger_price.map(|p| orders::price("trigger_price", p, pp)).transpose()?;
        let result = self.engine.modify_order(id, q, p, t);
        self.check(result)
    }

    #[pyo3(signature = (strategy_id=None, instrument_id=None, source="api"))]
    fn cancel_all(
        &mut self,
        strategy_id: Option<&str>,
        instrument_id: Option<&str>,
        source: &str,
    ) -> PyResult<()> {
        let sid = strategy_id.map(self::strategy_id).transpose()?;
        let iid = instrument_id.map(self::instrument_id).transpose()?;
        let result = self.engine.cancel_all_orders(sid, iid, source);
        self.check(result)
    }

    #[pyo3(signature = (strategy_id=None, instrument_id=None, source="api"))]
    fn flatten(
        &mut self,
        strategy_id: Option<&str>,
        instrument_id: Option<&str>,
        source: &str,
    ) -> PyResult<()> {
        let sid = strategy_id.map(self::strategy_id).transpose()?;
        let iid = instrument_id.map(self::instrument_id).transpose()?;
        let result = self.engine.flatten(sid, iid, source);
        self.check(result)
    }

    #[pyo3(signature = (reason, source="api"))]
    fn halt(&mut self, reason: &str, source: &str) -> PyResult<()> {
        let result = self.engine.halt(reason, source);
        self.check(result)
    }

    #[pyo3(signature = (reason, source="api"))]
    fn resume(&mut self, reason: &str, source: &str) -> PyResult<()> {
        let result = self.engine.resume(reason, source);
        self.check(result)
    }

    /// Runs a block of L1 quotes from numpy columns, read in place: instrument indexes
    /// (uint32), bid/ask raw prices (int64, 10^-9 units), bid/ask raw sizes (uint64),
    /// `ts_event` and `ts_init` (uint64 ns, sorted).
    #[allow(clippy::too_many_arguments)] // one argument per column
    fn run_quotes(
        &mut self,
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
        let result = self.engine.run_quotes(&cols);
        self.check(result)
    }

    /// Everything that happened since the last drain, as one MessagePack array of events.
    fn drain_events<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let events = match self.recorder.as_mut() {
            Some(recorder) => {
                recorder.record_events(&mut self.engine).map_err(|e| errors::core(e.into()))?;
                recorder.take_events()
            }
            None => self.engine.drain_events(),
        };
        let bytes = crate::events::encode_many(&events).map_err(|e| errors::codec(&e))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Commands for a live venue adapter, as MessagePack payloads. With a log attached they are
    /// released only once they are committed under synchronous=FULL (write-ahead): with `wait`
    /// this blocks until they are (the interpreter lock released, so other threads run), without
    /// it only those already durable are returned and the rest stay for a later call.
    #[pyo3(signature = (wait = true))]
    fn drain_outbound<'py>(
        &mut self,
        py: Python<'py>,
        wait: bool,
    ) -> PyResult<Vec<Bound<'py, PyBytes>>> {
        let outbound = match self.recorder.as_mut() {
            Some(recorder) => {
                let mut ready = recorder
                    .release_outbound(&mut self.engine)
                    .map_err(|e| errors::core(e.into()))?;
                if wait && recorder.outbound_waiting() > 0 {
                    let rest = py
                        .allow_threads(|| recorder.wait_outbound())
                        .map_err(|e| errors::core(e.into()))?;
                    ready.extend(rest);
                }
                ready
            }
            None => self.engine.drain_outbound(),
        };
        outbound
            .iter()
            .map(|e| e.to_msgpack().map(|b| PyBytes::new(py, &b)).map_err(|e| errors::codec(&e)))
            .collect()
    }

    /// Commands held until their events are durable (see `drain_outbound`).
    fn outbound_waiting(&self) -> usize {
        self.recorder.as_ref().map_or(0, Recorder::outbound_waiting)
    }

    /// Records everything this engine produces into `log` from now on (events appended after
    /// the log's head, a snapshot every `snapshot_every` events; 0: none). What the engine
    /// produced before is recorded first.
    #[pyo3(signature = (log, snapshot_every = 10_000))]
    fn attach_log(&mut self, log: PyRef<'_, PyEventLog>, snapshot_every: u64) -> PyResult<()> {
        if self.recorder.is_some() {
            return Err(errors::invalid_value("log", String::from("a log is already attached")));
        }
        let mut recorder = Recorder::new(log.shared(), &self.engine, snapshot_every)
            .map_err(|e| errors::core(e.into()))?;
        recorder.record(&mut self.engine).map_err(|e| errors::core(e.into()))?;
        self.recorder = Some(recorder);
        Ok(())
    }

    /// Records what is left, commits it durably and detaches the log: returns the head
    /// (last seq and its hash). None when no log is attached.
    fn finish_log<'py>(&mut self, py: Python<'py>) -> PyResult<Option<(u64, Bound<'py, PyBytes>)>> {
        let Some(mut recorder) = self.recorder.take() else { return Ok(None) };
        let (seq, hash) = recorder.finish(&mut self.engine).map_err(|e| errors::core(e.into()))?;
        self.recorder = Some(recorder);
        Ok(Some((seq, PyBytes::new(py, &hash))))
    }

    /// The last seq recorded and the last one known durable (synchronous=FULL), or None.
    fn log_seqs(&self) -> Option<(u64, u64)> {
        self.recorder.as_ref().map(|r| (r.last_seq(), r.durable_seq()))
    }

    /// The engine state the log describes (latest snapshot plus the re-folded tail), without
    /// strategies: `(engine, config as MessagePack, last_seq, in-flight client order ids,
    /// events the re-fold derived that the log lacks, as MessagePack)`. The configuration and
    /// instruments are the log's own (its engine header) unless given. With `from_start`, no
    /// snapshot is used: the whole log is re-folded. Nothing is written.
    #[staticmethod]
    #[pyo3(signature = (log, config = None, instruments = None, from_start = false))]
    fn recover<'py>(
        py: Python<'py>,
        log: PyRef<'_, PyEventLog>,
        config: Option<&[u8]>,
        instruments: Option<Vec<PyRef<'_, PyInstrument>>>,
        from_start: bool,
    ) -> PyResult<Recovery<'py>> {
        let shared = log.shared();
        let core = |e: CoreError| errors::core(e);
        let (config, instruments) = if let (Some(config), Some(instruments)) = (config, instruments)
        {
            let config =
                EngineConfig::from_msgpack(config).map_err(|e| errors::config(e.to_string()))?;
            (config, instruments.iter().map(|i| i.0.clone()).collect())
        } else {
            let header = store::run_header(&shared).map_err(|e| core(e.into()))?;
            (header.config, header.instruments)
        };
        let recovered = if from_start {
            store::refold_log(&shared, &config, &instruments)
        } else {
            store::recover_log(&shared, &config, &instruments)
        }
        .map_err(|e| core(e.into()))?;
        let unlogged = recovered
            .unlogged
            .iter()
            .map(|e| e.to_msgpack().map(|b| PyBytes::new(py, &b)).map_err(|e| errors::codec(&e)))
            .collect::<PyResult<_>>()?;
        let in_flight = recovered.in_flight.iter().map(ToString::to_string).collect();
        let config = config.to_msgpack().map_err(|e| errors::codec(&e))?;
        let engine =
            Self { engine: recovered.engine, failure: Arc::new(Mutex::new(None)), recorder: None };
        Ok((engine, PyBytes::new(py, &config), recovered.last_seq, in_flight, unlogged))
    }

    /// The instruments loaded, by index.
    fn instruments(&self) -> Vec<PyInstrument> {
        self.engine.state().instruments().map(|i| PyInstrument(i.clone())).collect()
    }

    /// What a recording log keeps in its `meta.config` so it can be recovered on its own: this
    /// engine's configuration and instruments.
    fn recording_header(&self) -> PyResult<String> {
        store::RunHeader::of(&self.engine).to_meta().map_err(|e| errors::core(e.into()))
    }

    /// Appends events to the attached log that this engine did not produce in this run: the
    /// ones a recovery derived and found missing from the log (MessagePack payloads).
    fn append_to_log(&mut self, payloads: Vec<PyBackedBytes>) -> PyResult<()> {
        let events = payloads
            .iter()
            .map(|p| Event::from_msgpack(p).map_err(|e| errors::codec(&e)))
            .collect::<PyResult<Vec<_>>>()?;
        let recorder = self
            .recorder
            .as_mut()
            .ok_or_else(|| errors::invalid_value("log", String::from("no log is attached")))?;
        recorder.append(&events).map_err(|e| errors::core(e.into()))
    }

    /// The engine's full state as bytes (what a snapshot in the log holds).
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.engine.snapshot().map_err(|e| errors::core(e.into()))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// What the engine did: events in and out, quotes, orders, fills, denials, rejections.
    fn counters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = self.engine.counters();
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
        let s = self.engine.stats().summary(kind);
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

    fn order(&self, client_order_id: &str) -> PyResult<Option<PyOrder>> {
        let id = order_id(client_order_id)?;
        Ok(self.engine.state().order(id).map(|o| PyOrder(o.clone())))
    }

    /// Open and in-flight orders, oldest first.
    fn open_orders(&self) -> Vec<PyOrder> {
        self.engine.state().open_orders().map(|o| PyOrder(o.clone())).collect()
    }

    /// Every position (flat ones included), by instrument then strategy.
    fn positions(&self) -> Vec<PyPosition> {
        self.engine.state().portfolio().positions().map(|p| PyPosition(p.clone())).collect()
    }

    /// Every balance, by currency.
    fn balances(&self) -> PyResult<Vec<PyBalance>> {
        let balances = self.engine.balances().map_err(|e| errors::core(e.into()))?;
        Ok(balances.into_iter().map(PyBalance).collect())
    }

    /// `ACTIVE`, `REDUCING` or `HALTED`.
    #[getter]
    fn trading_state(&self) -> &'static str {
        self.engine.state().risk().state().as_str()
    }

    /// Starts recording the equity curve in `currency` (sampled every `interval_ns` of engine
    /// time) and round trips.
    fn record_performance(&mut self, currency: &str, interval_ns: u64) -> PyResult<()> {
        let currency = Currency::new(currency).map_err(|e| errors::identifier("currency", &e))?;
        let result = self.engine.record_performance(currency, interval_ns);
        self.check(result)
    }

    /// The record as numpy columns: equity sample times (ns), equity (account currency units),
    /// round-trip close times (ns), round-trip PnL net of fees (units). Empty when off.
    #[allow(clippy::type_complexity)] // four columns, named in the docstring
    fn performance<'py>(
        &self,
        py: Python<'py>,
    ) -> (
        Bound<'py, PyArray1<u64>>,
        Bound<'py, PyArray1<f64>>,
        Bound<'py, PyArray1<u64>>,
        Bound<'py, PyArray1<f64>>,
    ) {
        let empty = PerformanceRecord::default();
        let r = self.engine.performance().unwrap_or(&empty);
        #[allow(clippy::cast_precision_loss)] // display values; the raw record stays exact
        let units = |raw: &[i128]| raw.iter().map(|&v| v as f64 / FIXED_SCALE as f64).collect();
        (
            PyArray1::from_slice(py, &r.equity_ts),
            PyArray1::from_vec(py, units(&r.equity_raw)),
            PyArray1::from_slice(py, &r.trade_ts),
            PyArray1::from_vec(py, units(&r.trade_pnl_raw)),
        )
    }

    /// The statistics of the record, annualised with `periods_per_year` equity samples a year.
    fn statistics<'py>(
        &self,
        py: Python<'py>,
        periods_per_year: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let empty = PerformanceRecord::default();
        let s = self.engine.performance().unwrap_or(&empty).statistics(periods_per_year);
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
    m.add_function(wrap_pyfunction!(engine_config_roundtrip, m)?)?;
    m.add_function(wrap_pyfunction!(engine_config_example, m)?)?;
    Ok(())
}
