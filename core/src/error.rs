//! Every error the core can return, composed from one enum per module. The Python bindings map
//! this to the exception hierarchy in `nautui/errors.py` in one place.

use crate::book::BookError;
use crate::clock::TimerError;
use crate::engine::{ColumnError, EngineError};
use crate::events::CodecError;
#[cfg(feature = "store")]
use crate::host::HostError;
use crate::indicators::IndicatorError;
use crate::matching::{LatencyError, MatchingError};
use crate::orders::OrderError;
use crate::portfolio::PortfolioError;
use crate::replay::ReplayError;
use crate::risk::RiskError;
#[cfg(feature = "store")]
use crate::store::{RecordError, RecoverError, StoreError};
use crate::strategies::BuiltinError;
use crate::strategy::{RequestError, StrategyError};
use crate::types::{FixedError, IdentifierError, InstrumentError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Fixed(#[from] FixedError),
    #[error(transparent)]
    Identifier(#[from] IdentifierError),
    #[error(transparent)]
    Instrument(#[from] InstrumentError),
    #[error(transparent)]
    Codec(#[from] CodecError),
    #[error(transparent)]
    Order(#[from] OrderError),
    #[error(transparent)]
    Book(#[from] BookError),
    #[error(transparent)]
    Matching(#[from] MatchingError),
    #[error(transparent)]
    Latency(#[from] LatencyError),
    #[error(transparent)]
    Portfolio(#[from] PortfolioError),
    #[error(transparent)]
    Risk(#[from] RiskError),
    #[error(transparent)]
    Timer(#[from] TimerError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Strategy(#[from] StrategyError),
    #[error(transparent)]
    Columns(#[from] ColumnError),
    #[error(transparent)]
    Indicator(#[from] IndicatorError),
    #[error(transparent)]
    Builtin(#[from] BuiltinError),
    #[error(transparent)]
    Engine(EngineError),
    #[error(transparent)]
    Replay(#[from] ReplayError),
    #[cfg(feature = "store")]
    #[error(transparent)]
    Store(#[from] StoreError),
    #[cfg(feature = "store")]
    #[error(transparent)]
    Record(#[from] RecordError),
    #[cfg(feature = "store")]
    #[error(transparent)]
    Recover(#[from] RecoverError),
    #[cfg(feature = "store")]
    #[error(transparent)]
    Host(HostError),
}

/// Host errors that wrap another module's error are reported as that error.
#[cfg(feature = "store")]
impl From<HostError> for CoreError {
    fn from(error: HostError) -> Self {
        match error {
            HostError::Engine(e) => e.into(),
            HostError::Record(e) => Self::Record(*e),
            HostError::Recover(e) => Self::Recover(*e),
            HostError::Replay(e) => Self::Replay(*e),
            other => Self::Host(other),
        }
    }
}

/// Engine errors that only wrap another module's error are reported as that error, so callers
/// match on one level.
impl From<EngineError> for CoreError {
    fn from(error: EngineError) -> Self {
        match error {
            EngineError::Identifier(e) => Self::Identifier(e),
            EngineError::Instrument(e) => Self::Instrument(e),
            EngineError::Order(e) => Self::Order(*e),
            EngineError::Book(e) => Self::Book(e),
            EngineError::Strategy(e) => Self::Strategy(e),
            EngineError::Timer(e) => Self::Timer(e),
            EngineError::Portfolio(e) => Self::Portfolio(e),
            EngineError::Fixed(e) => Self::Fixed(e),
            EngineError::Risk(e) => Self::Risk(e),
            EngineError::Matching(e) => Self::Matching(e),
            EngineError::Latency(e) => Self::Latency(e),
            EngineError::Columns(e) => Self::Columns(e),
            other => Self::Engine(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::InstrumentId;

    #[test]
    fn wrapped_engine_errors_flatten() {
        let e: CoreError = EngineError::Fixed(FixedError::InvalidPrecision(12)).into();
        assert!(matches!(e, CoreError::Fixed(_)));
        let id = InstrumentId::from_static("X.SIM");
        let e: CoreError = EngineError::UnknownInstrument(id).into();
        assert_eq!(e.to_string(), "unknown instrument X.SIM");
    }
}
