//! `nautui._core.Replay`: the replay timeline over a log's events, handing the scrubber a
//! `nautui.views.ReplayFrame` (the same views a live screen shows) at every position.

use super::errors::{invalid_value, wrong_type};
use super::types::PyInstrument;
use super::views::PyOrder;
use crate::engine::EngineConfig;
use crate::events::Event;
use crate::replay::{
    EventSource, Moment, Replay, ReplayError, ReplayOptions, ReplayView, VecSource,
};
use crate::store::EventLog;
use crate::types::ClientOrderId;
use crate::views::DEFAULT_DEPTH;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::PyBytes;
use std::path::PathBuf;

fn replay_error(error: &ReplayError) -> PyErr {
    super::errors::replay(error)
}

/// A view of the replay as its `nautui.views.ReplayFrame` Struct.
fn frame(py: Python<'_>, view: &ReplayView<'_>) -> PyResult<PyObject> {
    let bytes = rmp_serde::to_vec_named(&view.frame(DEFAULT_DEPTH))
        .map_err(|e| invalid_value("replay", e.to_string()))?;
    let decode = py.import("nautui.views")?.getattr("decode_replay_frame")?;
    Ok(decode.call1((PyBytes::new(py, &bytes),))?.unbind())
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
    fn order(&self, client_order_id: &str) -> PyResult<Option<PyOrder>> {
        let id = order_id(client_order_id)?;
        Ok(self.0.order(id).map_err(|e| replay_error(&e))?.map(PyOrder))
    }

    /// The frame at the current position.
    fn state(&self, py: Python<'_>) -> PyResult<PyObject> {
        let view = self.0.view().map_err(|e| replay_error(&e))?;
        frame(py, &view)
    }

    fn seek(&mut self, py: Python<'_>, seq: u64) -> PyResult<PyObject> {
        let view = self.0.seek(seq).map_err(|e| replay_error(&e))?;
        frame(py, &view)
    }

    fn seek_ts(&mut self, py: Python<'_>, ts: u64) -> PyResult<PyObject> {
        let view = self.0.seek_ts(crate::types::UnixNanos(ts)).map_err(|e| replay_error(&e))?;
        frame(py, &view)
    }

    fn step_forward(&mut self, py: Python<'_>) -> PyResult<PyObject> {
        let view = self.0.step_forward().map_err(|e| replay_error(&e))?;
        frame(py, &view)
    }

    fn step_back(&mut self, py: Python<'_>) -> PyResult<PyObject> {
        let view = self.0.step_back().map_err(|e| replay_error(&e))?;
        frame(py, &view)
    }

    fn next_of_kind(&mut self, py: Python<'_>, kind: &str) -> PyResult<Option<PyObject>> {
        let found = self.0.next_of_kind(moment(kind)?).map_err(|e| replay_error(&e))?;
        found.map(|view| frame(py, &view)).transpose()
    }

    fn prev_of_kind(&mut self, py: Python<'_>, kind: &str) -> PyResult<Option<PyObject>> {
        let found = self.0.prev_of_kind(moment(kind)?).map_err(|e| replay_error(&e))?;
        found.map(|view| frame(py, &view)).transpose()
    }

    fn next_for_order(
        &mut self,
        py: Python<'_>,
        client_order_id: &str,
    ) -> PyResult<Option<PyObject>> {
        let found =
            self.0.next_for_order(order_id(client_order_id)?).map_err(|e| replay_error(&e))?;
        found.map(|view| frame(py, &view)).transpose()
    }

    fn prev_for_order(
        &mut self,
        py: Python<'_>,
        client_order_id: &str,
    ) -> PyResult<Option<PyObject>> {
        let found =
            self.0.prev_for_order(order_id(client_order_id)?).map_err(|e| replay_error(&e))?;
        found.map(|view| frame(py, &view)).transpose()
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyReplay>()?;
    Ok(())
}
