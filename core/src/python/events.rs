//! Event codec entry points: the engine's fixture set, decoding a payload, the kind names.

use super::errors;
use crate::events::{fixtures, Event};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// One event of every kind, encoded by the engine as one MessagePack array.
#[pyfunction]
fn event_fixtures(py: Python<'_>) -> PyResult<Bound<'_, PyBytes>> {
    let bytes = fixtures::encode_all().map_err(|e| errors::codec(&e))?;
    Ok(PyBytes::new(py, &bytes))
}

/// Decodes one event payload in the engine and returns its kind.
#[pyfunction]
fn check_event(payload: &[u8]) -> PyResult<&'static str> {
    Event::from_msgpack(payload).map(|event| event.kind()).map_err(|e| errors::codec(&e))
}

/// Every event kind, in the engine's declaration order.
#[pyfunction]
fn event_kinds() -> Vec<&'static str> {
    Event::KINDS.to_vec()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(event_fixtures, m)?)?;
    m.add_function(wrap_pyfunction!(check_event, m)?)?;
    m.add_function(wrap_pyfunction!(event_kinds, m)?)?;
    Ok(())
}
