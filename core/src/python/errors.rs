//! The one place where engine errors become Python exceptions. The exception classes live in
//! `nautui/errors.py` (rooted at `NautuiError`, each also a familiar builtin); they are looked
//! up there when first raised and cached.

use crate::events::CodecError;
use crate::store::StoreError;
use crate::types::{FixedError, IdentifierError, InstrumentError};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::PyType;

static NAUTUI_ERROR: GILOnceCell<Py<PyType>> = GILOnceCell::new();
static INVALID_VALUE_ERROR: GILOnceCell<Py<PyType>> = GILOnceCell::new();
static DECODE_ERROR: GILOnceCell<Py<PyType>> = GILOnceCell::new();
static EVENT_LOG_ERROR: GILOnceCell<Py<PyType>> = GILOnceCell::new();

/// An instance of `nautui.errors.<name>`; if that module cannot be imported, its import error.
fn raise(cell: &'static GILOnceCell<Py<PyType>>, name: &str, message: String) -> PyErr {
    Python::with_gil(|py| match cell.import(py, "nautui.errors", name) {
        Ok(class) => PyErr::from_type(class.clone(), message),
        Err(import_error) => import_error,
    })
}

/// `field: message`, unless the message already starts with the field's name.
fn name_field(field: &str, message: String) -> String {
    if message.starts_with(field) {
        message
    } else {
        format!("{field}: {message}")
    }
}

/// A value the engine refuses (`InvalidValueError`, a `ValueError`).
pub fn invalid_value(field: &str, message: impl Into<String>) -> PyErr {
    raise(&INVALID_VALUE_ERROR, "InvalidValueError", name_field(field, message.into()))
}

/// A Python value of the wrong type (`TypeError`).
pub fn wrong_type(message: impl Into<String>) -> PyErr {
    PyTypeError::new_err(message.into())
}

pub fn fixed(field: &str, error: &FixedError) -> PyErr {
    invalid_value(field, error.to_string())
}

pub fn identifier(field: &str, error: &IdentifierError) -> PyErr {
    invalid_value(field, error.to_string())
}

pub fn instrument(error: &InstrumentError) -> PyErr {
    match error {
        InstrumentError::Invalid { instrument, field, reason } => {
            invalid_value(field, format!("{reason} (instrument {instrument})"))
        }
        // The other variants' messages start with what is wrong: price, quantity or notional.
        other => raise(&INVALID_VALUE_ERROR, "InvalidValueError", other.to_string()),
    }
}

pub fn codec(error: &CodecError) -> PyErr {
    match error {
        CodecError::Decode(_) => raise(&DECODE_ERROR, "DecodeError", error.to_string()),
        CodecError::Encode(_) => raise(&NAUTUI_ERROR, "NautuiError", error.to_string()),
    }
}

/// An event log that is missing, not a log, corrupt or unwritable (`EventLogError`, an
/// `OSError`); the message names the file and, where one row is at fault, its seq.
pub fn store(error: &StoreError) -> PyErr {
    match error {
        StoreError::Codec(codec_error) => codec(codec_error),
        other => raise(&EVENT_LOG_ERROR, "EventLogError", other.to_string()),
    }
}
