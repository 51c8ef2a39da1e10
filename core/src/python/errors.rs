//! The one place where engine errors become Python exceptions. The exception classes live in
//! `nautui/errors.py` (rooted at `NautuiError`, each also a familiar builtin); they are looked
//! up there when first raised and cached.

use crate::engine::EngineError;
use crate::error::CoreError;
use crate::events::CodecError;
use crate::host::HostError;
use crate::orders::OrderError;
use crate::store::StoreError;
use crate::strategy::{ActionError, RequestError};
use crate::types::{FixedError, IdentifierError, InstrumentError};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::PyType;

static NAUTUI_ERROR: GILOnceCell<Py<PyType>> = GILOnceCell::new();
static INVALID_VALUE_ERROR: GILOnceCell<Py<PyType>> = GILOnceCell::new();
static DECODE_ERROR: GILOnceCell<Py<PyType>> = GILOnceCell::new();
static EVENT_LOG_ERROR: GILOnceCell<Py<PyType>> = GILOnceCell::new();
static UNKNOWN_INSTRUMENT_ERROR: GILOnceCell<Py<PyType>> = GILOnceCell::new();
static UNKNOWN_ORDER_ERROR: GILOnceCell<Py<PyType>> = GILOnceCell::new();
static ORDER_STATE_ERROR: GILOnceCell<Py<PyType>> = GILOnceCell::new();
static BOOK_ERROR: GILOnceCell<Py<PyType>> = GILOnceCell::new();
static CONFIG_ERROR: GILOnceCell<Py<PyType>> = GILOnceCell::new();
static STRATEGY_ERROR: GILOnceCell<Py<PyType>> = GILOnceCell::new();

/// An instance of `nautui.errors.<name>`; if that module cannot be imported, its import error.
fn raise(cell: &'static GILOnceCell<Py<PyType>>, name: &str, message: String) -> PyErr {
    Python::with_gil(|py| match cell.import(py, "nautui.errors", name) {
        Ok(class) => PyErr::from_type(class.clone(), message),
        Err(import_error) => import_error,
    })
}

/// `field: message`, unless the message already starts with `field:`.
fn name_field(field: &str, message: String) -> String {
    if field.is_empty() || message.strip_prefix(field).is_some_and(|rest| rest.starts_with(':')) {
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
        InstrumentError::OffTick { .. } => invalid_value("price", error.to_string()),
        InstrumentError::OffLot { .. }
        | InstrumentError::BelowMinQuantity { .. }
        | InstrumentError::AboveMaxQuantity { .. } => invalid_value("quantity", error.to_string()),
        InstrumentError::BelowMinNotional { .. } => invalid_value("notional", error.to_string()),
        InstrumentError::Fixed(e) => {
            raise(&INVALID_VALUE_ERROR, "InvalidValueError", e.to_string())
        }
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
/// A log that did not verify, or another event log problem given as a line (`EventLogError`).
pub fn event_log(message: String) -> PyErr {
    raise(&EVENT_LOG_ERROR, "EventLogError", message)
}

pub fn store(error: &StoreError) -> PyErr {
    match error {
        StoreError::Codec(codec_error) => codec(codec_error),
        other => raise(&EVENT_LOG_ERROR, "EventLogError", other.to_string()),
    }
}
/// A strategy callback failed (`StrategyError`, a `RuntimeError`); `cause` is the Python
/// exception the callback raised, chained as `__cause__` so its traceback is kept.
pub fn strategy(message: String, cause: Option<PyErr>) -> PyErr {
    let error = raise(&STRATEGY_ERROR, "StrategyError", message);
    if let Some(cause) = cause {
        Python::with_gil(|py| error.set_cause(py, Some(cause)));
    }
    error
}

fn request(error: &RequestError) -> PyErr {
    match error {
        RequestError::UnknownInstrument(_) => {
            raise(&UNKNOWN_INSTRUMENT_ERROR, "UnknownInstrumentError", error.to_string())
        }
        RequestError::UnknownOrder(_) => {
            raise(&UNKNOWN_ORDER_ERROR, "UnknownOrderError", error.to_string())
        }
        RequestError::MissingField { field, .. } | RequestError::UnexpectedField { field, .. } => {
            invalid_value(field, error.to_string())
        }
        RequestError::ZeroQuantity => invalid_value("quantity", error.to_string()),
        RequestError::Identifier(e) => identifier(e.field().unwrap_or("id"), e),
    }
}

/// Every engine error, mapped to its class in `nautui/errors.py`.
pub fn core(error: CoreError) -> PyErr {
    let message = error.to_string();
    match error {
        CoreError::Fixed(e) => raise(&INVALID_VALUE_ERROR, "InvalidValueError", e.to_string()),
        CoreError::Identifier(e) => identifier(e.field().unwrap_or("id"), &e),
        CoreError::Instrument(e)
        | CoreError::Matching(crate::matching::MatchingError::Instrument(e)) => instrument(&e),
        CoreError::Codec(e) => codec(&e),
        CoreError::Order(OrderError::HeaderMismatch { field, .. }) => invalid_value(field, message),
        CoreError::Order(_) => raise(&ORDER_STATE_ERROR, "OrderStateError", message),
        CoreError::Book(_) => raise(&BOOK_ERROR, "BookError", message),
        CoreError::Matching(_)
        | CoreError::Latency(_)
        | CoreError::Risk(_)
        | CoreError::Record(crate::store::RecordError::NoMarketData) => {
            raise(&CONFIG_ERROR, "ConfigError", message)
        }
        CoreError::Host(HostError::AlreadyAttached | HostError::NotAttached) => {
            invalid_value("log", message)
        }
        CoreError::Portfolio(_) | CoreError::Host(_) => {
            raise(&NAUTUI_ERROR, "NautuiError", message)
        }
        CoreError::Timer(_) | CoreError::Columns(_) | CoreError::Indicator(_) => {
            invalid_value("", message)
        }
        CoreError::Request(e) => request(&e),
        CoreError::Builtin(crate::strategies::BuiltinError::UnknownName { .. }) => {
            invalid_value("name", message)
        }
        CoreError::Builtin(_) => raise(&CONFIG_ERROR, "ConfigError", message),
        CoreError::Strategy(_) => strategy(message, None),
        CoreError::Engine(e) | CoreError::Record(crate::store::RecordError::Engine(e)) => {
            engine(&e)
        }
        CoreError::Replay(e) => replay(&e),
        CoreError::Store(e)
        | CoreError::Record(crate::store::RecordError::Store(e))
        | CoreError::Recover(crate::store::RecoverError::Store(e)) => store(&e),
        CoreError::Recover(_) | CoreError::Record(_) => event_log(message),
    }
}

/// An action a strategy asked for, refused at its call site.
pub fn action(error: ActionError) -> PyErr {
    match error {
        ActionError::NotInCallback(_) => not_running(error.to_string()),
        ActionError::UnknownInstrument(id) => unknown_instrument(id.as_str()),
        ActionError::UnknownOrder(id) => unknown_order(id.as_str()),
        ActionError::Request(e) => request(&e),
        ActionError::Instrument(e) => instrument(&e),
        ActionError::Timer(e) => core(e.into()),
    }
}

fn engine(error: &EngineError) -> PyErr {
    let message = error.to_string();
    match error {
        EngineError::UnknownInstrument(_) => {
            raise(&UNKNOWN_INSTRUMENT_ERROR, "UnknownInstrumentError", message)
        }
        EngineError::UnknownOrder(_) => raise(&UNKNOWN_ORDER_ERROR, "UnknownOrderError", message),
        EngineError::DuplicateOrder(_) => invalid_value("client_order_id", message),
        EngineError::DuplicateInstrument(_) => invalid_value("instrument", message),
        EngineError::DuplicateStrategy(_) => invalid_value("strategy_id", message),
        EngineError::NotAnInput { .. } => invalid_value("event", message),
        EngineError::InvalidOrder { source, .. } | EngineError::Request { source, .. } => {
            request(source)
        }
        EngineError::Record(_) => invalid_value("interval_ns", message),
        other => core(CoreError::from(other.clone())),
    }
}

/// A log the replay cannot fold (a gap, a mismatch with the re-fold), naming the seq.
pub fn replay(error: &crate::replay::ReplayError) -> PyErr {
    invalid_value("replay", error.to_string())
}

/// An instrument id the engine does not know (`UnknownInstrumentError`, a `KeyError`).
pub fn unknown_instrument(id: &str) -> PyErr {
    raise(&UNKNOWN_INSTRUMENT_ERROR, "UnknownInstrumentError", format!("unknown instrument {id}"))
}

/// A client order id the engine does not know (`UnknownOrderError`, a `KeyError`).
pub fn unknown_order(id: &str) -> PyErr {
    raise(&UNKNOWN_ORDER_ERROR, "UnknownOrderError", format!("unknown order {id}"))
}

/// A call made when it cannot be served (`NautuiError`).
pub fn not_running(message: String) -> PyErr {
    raise(&NAUTUI_ERROR, "NautuiError", message)
}

/// An engine configuration the engine cannot read (`ConfigError`).
pub fn config(message: String) -> PyErr {
    raise(&CONFIG_ERROR, "ConfigError", message)
}
