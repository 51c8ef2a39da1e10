//! `nautui._core.Replay`: the replay timeline over a log's events (MessagePack payloads), with a
//! light, read-only view of the engine state at the current seq for the console's scrubber.

use super::errors::{invalid_value, wrong_type};
use super::types::PyInstrument;
use crate::engine::{Engine, EngineConfig};
use crate::events::Event;
use crate::orders::Order;
use crate::replay::{
    EventSource, Moment, Replay, ReplayError, ReplayOptions, ReplayView, VecSource,
};
use crate::store::EventLog;
use crate::types::ClientOrderId;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::PyBytes;
use std::path::PathBuf;

fn replay_error(error: &ReplayError) -> PyErr {
    super::errors::replay(error)
}

/// One order at the current seq.
#[pyclass(name = "ReplayOrder", module = "nautui._core", frozen, get_all)]
pub struct PyReplayOrder {
    client_order_id: String,
    strategy_id: String,
    instrument_id: String,
    side: String,
    order_type: String,
    status: String,
    quantity: String,
    filled_qty: String,
    price: Option<String>,
}

/// One position at the current seq (`quantity` is signed: negative is short).
#[pyclass(name = "ReplayPosition", module = "nautui._core", frozen, get_all)]
pub struct PyReplayPosition {
    instrument_id: String,
    strategy_id: String,
    quantity: String,
    avg_px_open: Option<String>,
    realized_pnl: String,
}

/// One balance at the current seq.
#[pyclass(name = "ReplayBalance", module = "nautui._core", frozen, get_all)]
pub struct PyReplayBalance {
    currency: String,
    total: String,
    locked: String,
    free: String,
}

/// Top of one instrument's book (levels best first, `(price, size)`), from the L2 book when
/// there is one, else from the last quote.
#[pyclass(name = "ReplayBook", module = "nautui._core", frozen, get_all)]
pub struct PyReplayBook {
    instrument_id: String,
    bids: Vec<(String, String)>,
    asks: Vec<(String, String)>,
}

/// The engine state at one seq, and the events up to it.
#[pyclass(name = "ReplayState", module = "nautui._core", frozen, get_all)]
pub struct PyReplayState {
    seq: u64,
    ts: u64,
    trading_state: String,
    /// Orders working or in flight, oldest first.
    open_orders: Vec<Py<PyReplayOrder>>,
    /// The orders that reached a final state most recently (up to `RECENT_CLOSED`), oldest
    /// first; `Replay.order` finds any other.
    closed_orders: Vec<Py<PyReplayOrder>>,
    positions: Vec<Py<PyReplayPosition>>,
    balances: Vec<Py<PyReplayBalance>>,
    books: Vec<Py<PyReplayBook>>,
    /// `(seq, MessagePack payload)` of the recent events, oldest first.
    recent: Vec<(u64, Py<PyBytes>)>,
}

const BOOK_LEVELS: usize = 10;
/// Closed orders a state carries: a view costs what a screen shows, not what the run made.
const RECENT_CLOSED: usize = 100;

fn order(o: &Order) -> PyReplayOrder {
    PyReplayOrder {
        client_order_id: o.client_order_id().to_string(),
        strategy_id: o.strategy_id().to_string(),
        instrument_id: o.instrument_id().to_string(),
        side: o.side().to_string(),
        order_type: o.order_type().to_string(),
        status: o.status().to_string(),
        quantity: o.quantity().to_string(),
        filled_qty: o.filled_qty().to_string(),
        price: o.price().map(|p| p.to_string()),
    }
}

fn py_orders<'a>(
    py: Python<'_>,
    orders: impl Iterator<Item = &'a Order>,
) -> PyResult<Vec<Py<PyReplayOrder>>> {
    orders.map(|o| Py::new(py, order(o))).collect()
}

fn books(engine: &Engine) -> Vec<PyReplayBook> {
    let level = |l: crate::events::BookLevel| (l.price.to_string(), l.size.to_string());
    engine
        .state()
        .instruments()
        .map(|instrument| {
            let id = instrument.id;
            let (bids, asks) = match (engine.state().book(id), engine.state().quote(id)) {
                (Some(book), _) => (
                    book.bids().take(BOOK_LEVELS).map(level).collect(),
                    book.asks().take(BOOK_LEVELS).map(level).collect(),
                ),
                (None, Some(q)) => (
                    vec![(q.bid_price.to_string(), q.bid_size.to_string())],
                    vec![(q.ask_price.to_string(), q.ask_size.to_string())],
                ),
                (None, None) => (Vec::new(), Vec::new()),
            };
            PyReplayBook { instrument_id: id.to_string(), bids, asks }
        })
        .collect()
}

fn state(py: Python<'_>, view: &ReplayView<'_>) -> PyResult<PyReplayState> {
    let engine = view.engine;
    let portfolio = engine.state().portfolio();
    let positions = portfolio
        .positions()
        .map(|p| PyReplayPosition {
            instrument_id: p.instrument_id().to_string(),
            strategy_id: p.strategy_id().to_string(),
            quantity: p.quantity().map_or_else(
                |_| String::new(),
                |q| {
                    if p.signed_qty_raw() < 0 {
                        format!("-{q}")
                    } else {
                        q.to_string()
                    }
                },
            ),
            avg_px_open: p.avg_px_open().ok().map(|px| px.to_string()),
            realized_pnl: p.realized_pnl().to_string(),
        })
        .map(|p| Py::new(py, p))
        .collect::<PyResult<_>>()?;
    let account = portfolio
        .account_state(engine.now(), engine.now())
        .map_err(|e| invalid_value("replay", e.to_string()))?;
    let balances = account
        .balances
        .iter()
        .map(|b| PyReplayBalance {
            currency: b.currency.to_string(),
            total: b.total.to_string(),
            locked: b.locked.to_string(),
            free: b.free.to_string(),
        })
        .map(|b| Py::new(py, b))
        .collect::<PyResult<_>>()?;
    let recent = view
        .recent
        .iter()
        .map(|(seq, event)| {
            let bytes = event.to_msgpack().map_err(|e| super::errors::codec(&e))?;
            Ok((*seq, PyBytes::new(py, &bytes).unbind()))
        })
        .collect::<PyResult<_>>()?;
    Ok(PyReplayState {
        seq: view.seq,
        ts: engine.now().0,
        trading_state: engine.state().risk().state().to_string(),
        open_orders: py_orders(py, engine.state().open_orders())?,
        closed_orders: py_orders(py, {
            let closed = engine.state().closed_orders();
            closed.since(closed.len().saturating_sub(RECENT_CLOSED))
        })?,
        positions,
        balances,
        books: books(engine).into_iter().map(|b| Py::new(py, b)).collect::<PyResult<_>>()?,
        recent,
    })
}

fn moment(kind: &str) -> PyResult<Moment> {
    Moment::parse(kind).ok_or_else(|| {
        invalid_value(
            "kind",
            format!("{kind:?} is not one of fill, reject, denial, disconnect, halt"),
        )
    })
}

fn order_id(id: &str) -> PyResult<ClientOrderId> {
    ClientOrderId::new(id).map_err(|e| super::errors::identifier("client_order_id", &e))
}

/// A log opened for scrubbing: seek, step, and jump to moments or to one order's events.
#[pyclass(name = "Replay", module = "nautui._core", unsendable)]
pub struct PyReplay(Replay<Box<dyn EventSource>>);

#[pymethods]
impl PyReplay {
    /// `config`: the engine configuration as MessagePack (named fields); `events`: the log's
    /// payloads from seq 1.
    #[new]
    #[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments as owned values
    #[pyo3(signature = (config, instruments, events, *, snapshot_every=10_000, window=50))]
    #[pyo3(text_signature = "(config, instruments, events, *, snapshot_every=10000, window=50)")]
    fn new(
        config: &[u8],
        instruments: Vec<PyInstrument>,
        events: Vec<PyBackedBytes>,
        snapshot_every: u64,
        window: usize,
    ) -> PyResult<Self> {
        let config: EngineConfig =
            rmp_serde::from_slice(config).map_err(|e| invalid_value("config", e.to_string()))?;
        let events = events
            .iter()
            .enumerate()
            .map(|(i, payload)| {
                Event::from_msgpack(payload)
                    .map_err(|e| invalid_value(&format!("events[{i}]"), e.to_string()))
            })
            .collect::<PyResult<Vec<_>>>()?;
        if snapshot_every == 0 {
            return Err(wrong_type("snapshot_every must be positive"));
        }
        let instruments = instruments.into_iter().map(|i| i.0).collect();
        let options = ReplayOptions { snapshot_every, window };
        let source: Box<dyn EventSource> = Box::new(VecSource::new(events));
        Replay::new(source, config, instruments, options).map(Self).map_err(|e| replay_error(&e))
    }

    /// A replay reading the log file at `path` (opened read-only; with `verify`, the whole
    /// chain is checked first and a log that does not verify is refused). The configuration and
    /// instruments are the log's own (its engine header) unless both are given.
    #[staticmethod]
    #[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments as owned values
    #[pyo3(signature = (path, config=None, instruments=None, *, verify=true, snapshot_every=10_000, window=50))]
    fn open(
        py: Python<'_>,
        path: PathBuf,
        config: Option<&[u8]>,
        instruments: Option<Vec<PyInstrument>>,
        verify: bool,
        snapshot_every: u64,
        window: usize,
    ) -> PyResult<Self> {
        if snapshot_every == 0 {
            return Err(wrong_type("snapshot_every must be positive"));
        }
        let log = EventLog::open_readonly(&path).map_err(|e| super::errors::store(&e))?;
        let (config, instruments): (EngineConfig, Vec<_>) =
            if let (Some(config), Some(instruments)) = (config, instruments) {
                let config = rmp_serde::from_slice(config)
                    .map_err(|e| invalid_value("config", e.to_string()))?;
                (config, instruments.into_iter().map(|i| i.0).collect())
            } else {
                let header =
                    crate::store::run_header(&log).map_err(|e| super::errors::core(e.into()))?;
                (header.config, header.instruments)
            };
        if verify {
            let report = py.allow_threads(|| log.verify()).map_err(|e| super::errors::store(&e))?;
            if !report.ok() {
                return Err(super::errors::event_log(report.summary(&path)));
            }
        }
        let options = ReplayOptions { snapshot_every, window };
        let source: Box<dyn EventSource> = Box::new(log);
        Replay::new(source, config, instruments, options).map(Self).map_err(|e| replay_error(&e))
    }

    #[getter]
    fn seq(&self) -> u64 {
        self.0.seq()
    }

    #[getter]
    fn last_seq(&self) -> u64 {
        self.0.last_seq()
    }

    /// Any order at the current position (open or closed), or None if it was not made yet.
    fn order(&self, client_order_id: &str) -> PyResult<Option<PyReplayOrder>> {
        let id = order_id(client_order_id)?;
        let view = self.0.view().map_err(|e| replay_error(&e))?;
        Ok(view.engine.state().order(id).map(order))
    }

    fn state(&self, py: Python<'_>) -> PyResult<PyReplayState> {
        let view = self.0.view().map_err(|e| replay_error(&e))?;
        state(py, &view)
    }

    fn seek(&mut self, py: Python<'_>, seq: u64) -> PyResult<PyReplayState> {
        let view = self.0.seek(seq).map_err(|e| replay_error(&e))?;
        state(py, &view)
    }

    fn seek_ts(&mut self, py: Python<'_>, ts: u64) -> PyResult<PyReplayState> {
        let view = self.0.seek_ts(crate::types::UnixNanos(ts)).map_err(|e| replay_error(&e))?;
        state(py, &view)
    }

    fn step_forward(&mut self, py: Python<'_>) -> PyResult<PyReplayState> {
        let view = self.0.step_forward().map_err(|e| replay_error(&e))?;
        state(py, &view)
    }

    fn step_back(&mut self, py: Python<'_>) -> PyResult<PyReplayState> {
        let view = self.0.step_back().map_err(|e| replay_error(&e))?;
        state(py, &view)
    }

    fn next_of_kind(&mut self, py: Python<'_>, kind: &str) -> PyResult<Option<PyReplayState>> {
        let found = self.0.next_of_kind(moment(kind)?).map_err(|e| replay_error(&e))?;
        found.map(|view| state(py, &view)).transpose()
    }

    fn prev_of_kind(&mut self, py: Python<'_>, kind: &str) -> PyResult<Option<PyReplayState>> {
        let found = self.0.prev_of_kind(moment(kind)?).map_err(|e| replay_error(&e))?;
        found.map(|view| state(py, &view)).transpose()
    }

    fn next_for_order(
        &mut self,
        py: Python<'_>,
        client_order_id: &str,
    ) -> PyResult<Option<PyReplayState>> {
        let found =
            self.0.next_for_order(order_id(client_order_id)?).map_err(|e| replay_error(&e))?;
        found.map(|view| state(py, &view)).transpose()
    }

    fn prev_for_order(
        &mut self,
        py: Python<'_>,
        client_order_id: &str,
    ) -> PyResult<Option<PyReplayState>> {
        let found =
            self.0.prev_for_order(order_id(client_order_id)?).map_err(|e| replay_error(&e))?;
        found.map(|view| state(py, &view)).transpose()
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyReplay>()?;
    m.add_class::<PyReplayState>()?;
    m.add_class::<PyReplayOrder>()?;
    m.add_class::<PyReplayPosition>()?;
    m.add_class::<PyReplayBalance>()?;
    m.add_class::<PyReplayBook>()?;
    Ok(())
}
