//! The event log for Python (`nautui.store.EventLog` wraps this). Events cross as MessagePack
//! payloads (what `nautui.events.encode` makes); they are decoded here, and the log encodes
//! them again in the engine's canonical form. Appends release the GIL while they wait.

// pyo3 hands extracted arguments over by value; they are read, not consumed.
#![allow(clippy::needless_pass_by_value)]

use super::errors;
use crate::events::CodecError;
use crate::store::{self, Durability, LogMeta, RowBatch, StoreError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyDict};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

type Row<'py> = (
    u64,
    u64,
    u64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
);

fn durability(text: &str) -> PyResult<Durability> {
    text.parse().map_err(|e: String| errors::invalid_value("durability", e))
}

/// Fills a batch from payloads (a bad one is named by its index), then appends it; all without
/// the GIL (the bytes objects are borrowed, not copied), so Python threads run meanwhile.
fn append_payloads<T: Send>(
    py: Python<'_>,
    log: &store::EventLog,
    payloads: &[PyBackedBytes],
    append: impl FnOnce(RowBatch) -> Result<T, StoreError> + Send,
) -> PyResult<T> {
    py.allow_threads(|| {
        let mut batch = log.batch();
        batch.push_payloads(payloads).map_err(CodecError::from)?;
        append(batch)
    })
    .map_err(|e| errors::store(&e))
}

#[pyclass(module = "nautui._core", name = "EventLog", frozen)]
pub struct PyEventLog {
    log: Arc<store::EventLog>,
}

impl PyEventLog {
    /// The log, shared with an engine recording into it.
    pub fn shared(&self) -> Arc<store::EventLog> {
        Arc::clone(&self.log)
    }
}

#[pymethods]
impl PyEventLog {
    #[staticmethod]
    #[pyo3(signature = (path, run_id = "", config = "", durability = "safe"))]
    fn create(
        py: Python<'_>,
        path: PathBuf,
        run_id: &str,
        config: &str,
        durability: &str,
    ) -> PyResult<Self> {
        let d = self::durability(durability)?;
        let meta = LogMeta { run_id: run_id.to_owned(), config: config.to_owned() };
        py.allow_threads(|| store::EventLog::create_with(&path, &meta, d))
            .map(|log| Self { log: Arc::new(log) })
            .map_err(|e| errors::store(&e))
    }

    #[staticmethod]
    #[pyo3(signature = (path, durability = "safe"))]
    fn open(py: Python<'_>, path: PathBuf, durability: &str) -> PyResult<Self> {
        let d = self::durability(durability)?;
        py.allow_threads(|| store::EventLog::open_with(&path, d))
            .map(|log| Self { log: Arc::new(log) })
            .map_err(|e| errors::store(&e))
    }

    #[staticmethod]
    fn open_readonly(path: PathBuf) -> PyResult<Self> {
        store::EventLog::open_readonly(&path)
            .map(|log| Self { log: Arc::new(log) })
            .map_err(|e| errors::store(&e))
    }

    #[getter]
    fn path(&self) -> String {
        self.log.path().display().to_string()
    }

    /// The torn tail cut on open: (first seq removed, rows removed, why), or None.
    #[getter]
    fn torn_tail(&self) -> Option<(u64, u64, String)> {
        self.log.torn_tail().map(|t| (t.from_seq, t.removed, t.reason.clone()))
    }

    fn append(&self, py: Python<'_>, payloads: Vec<PyBackedBytes>) -> PyResult<(u64, u64)> {
        let r = append_payloads(py, &self.log, &payloads, |b| self.log.append_batch(b))?;
        Ok((r.first_seq, r.last_seq))
    }

    fn append_durable(&self, py: Python<'_>, payloads: Vec<PyBackedBytes>) -> PyResult<(u64, u64)> {
        let r = append_payloads(py, &self.log, &payloads, |b| self.log.append_batch_durable(b))?;
        Ok((r.first_seq, r.last_seq))
    }

    /// Appends for a durable commit without waiting; `DurableTicket.wait()` waits.
    fn append_durable_nowait(
        &self,
        py: Python<'_>,
        payloads: Vec<PyBackedBytes>,
    ) -> PyResult<DurableTicket> {
        let (r, durable) =
            append_payloads(py, &self.log, &payloads, |b| self.log.append_batch_durable_async(b))?;
        Ok(DurableTicket {
            first_seq: r.first_seq,
            last_seq: r.last_seq,
            durable: Mutex::new(Some(durable)),
        })
    }

    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        py.allow_threads(|| self.log.flush()).map_err(|e| errors::store(&e))
    }

    fn head<'py>(&self, py: Python<'py>) -> PyResult<(u64, Bound<'py, PyBytes>)> {
        let (seq, hash) = self.log.head().map_err(|e| errors::store(&e))?;
        Ok((seq, PyBytes::new(py, &hash)))
    }

    /// Up to `limit` rows from `from_seq`: (seq, ts_event, ts_init, kind, instrument_id,
    /// strategy_id, client_order_id, payload, hash).
    fn read_rows<'py>(
        &self,
        py: Python<'py>,
        from_seq: u64,
        limit: usize,
    ) -> PyResult<Vec<Row<'py>>> {
        let rows = py
            .allow_threads(|| self.log.read_rows(from_seq, limit))
            .map_err(|e| errors::store(&e))?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r.seq,
                    r.ts_event,
                    r.ts_init,
                    r.kind,
                    r.instrument_id,
                    r.strategy_id,
                    r.client_order_id,
                    PyBytes::new(py, &r.payload),
                    PyBytes::new(py, &r.hash),
                )
            })
            .collect())
    }

    fn save_snapshot(&self, py: Python<'_>, seq: u64, ts: u64, payload: &[u8]) -> PyResult<()> {
        py.allow_threads(|| self.log.save_snapshot(seq, ts, payload)).map_err(|e| errors::store(&e))
    }

    fn latest_snapshot<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<Option<(u64, Bound<'py, PyBytes>)>> {
        let s = self.log.latest_snapshot().map_err(|e| errors::store(&e))?;
        Ok(s.map(|(seq, bytes)| (seq, PyBytes::new(py, &bytes))))
    }

    fn snapshot_at_or_before<'py>(
        &self,
        py: Python<'py>,
        seq: u64,
    ) -> PyResult<Option<(u64, Bound<'py, PyBytes>)>> {
        let s = self.log.snapshot_at_or_before(seq).map_err(|e| errors::store(&e))?;
        Ok(s.map(|(seq, bytes)| (seq, PyBytes::new(py, &bytes))))
    }

    /// The verification report as a dict (see `nautui.store.VerifyReport`).
    #[pyo3(signature = (deep = false))]
    fn verify<'py>(&self, py: Python<'py>, deep: bool) -> PyResult<Bound<'py, PyDict>> {
        let r = py
            .allow_threads(|| if deep { self.log.verify_deep() } else { self.log.verify() })
            .map_err(|e| errors::store(&e))?;
        let d = PyDict::new(py);
        d.set_item("ok", r.ok())?;
        d.set_item("summary", r.summary(self.log.path()))?;
        d.set_item("events", r.events)?;
        d.set_item("last_seq", r.last_seq)?;
        d.set_item("last_hash", store::to_hex(&r.last_hash))?;
        d.set_item("anchor_seq", r.anchor.map(|a| a.seq))?;
        d.set_item("anchor_hash", r.anchor.map(|a| store::to_hex(&a.hash)))?;
        d.set_item("anchor_problem", r.anchor_problem)?;
        d.set_item("first_bad", r.first_bad)?;
        d.set_item("problem", r.problem)?;
        d.set_item("snapshots", r.snapshots)?;
        d.set_item("bad_snapshots", r.bad_snapshots)?;
        Ok(d)
    }

    /// Facts about the log as a dict (see `nautui.store.LogInfo`).
    fn info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let i = py.allow_threads(|| self.log.info()).map_err(|e| errors::store(&e))?;
        let d = PyDict::new(py);
        d.set_item("path", i.path)?;
        d.set_item("schema_version", i.schema_version)?;
        d.set_item("run_id", i.run_id)?;
        d.set_item("config", i.config)?;
        d.set_item("events", i.events)?;
        d.set_item("first_seq", i.first_seq)?;
        d.set_item("last_seq", i.last_seq)?;
        d.set_item("first_ts", i.first_ts)?;
        d.set_item("last_ts", i.last_ts)?;
        d.set_item("head_hash", i.head_hash)?;
        d.set_item("anchor_seq", i.anchor.as_ref().map(|a| a.0))?;
        d.set_item("anchor_hash", i.anchor.map(|a| a.1))?;
        d.set_item("snapshots", i.snapshots)?;
        d.set_item("latest_snapshot_seq", i.latest_snapshot_seq)?;
        d.set_item("kinds", i.kinds)?;
        d.set_item("file_bytes", i.file_bytes)?;
        Ok(d)
    }

    fn close(&self, py: Python<'_>) -> PyResult<()> {
        py.allow_threads(|| self.log.close()).map_err(|e| errors::store(&e))
    }
}

/// A durable append in flight; `wait()` returns once it is on disk.
#[pyclass(module = "nautui._core", frozen)]
pub struct DurableTicket {
    #[pyo3(get)]
    first_seq: u64,
    #[pyo3(get)]
    last_seq: u64,
    durable: Mutex<Option<store::Durable>>,
}

#[pymethods]
impl DurableTicket {
    /// Blocks (without the GIL) until the events are committed under synchronous=FULL.
    fn wait(&self, py: Python<'_>) -> PyResult<()> {
        let durable = self.durable.lock().unwrap_or_else(PoisonError::into_inner).take();
        match durable {
            Some(d) => py.allow_threads(|| d.wait()).map_err(|e| errors::store(&e)),
            None => Ok(()),
        }
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEventLog>()?;
    m.add_class::<DurableTicket>()?;
    m.add("EVENT_LOG_SCHEMA_VERSION", store::SCHEMA_VERSION)?;
    Ok(())
}
