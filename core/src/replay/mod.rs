//! Recovery and replay of an event log.
//!
//! - `fold`: rebuilding engine state from logged events, checking every derived event.
//! - `recover`: latest snapshot + tail = the state, with orders in flight listed.
//! - `timeline` ([`Replay`]): seek to any seq or time, step, jump to the next fill, reject,
//!   denial, disconnect or halt, or to the next event of one order. Opening re-folds the whole
//!   log once and keeps checkpoints (snapshots weigh what the live state weighs: closed orders
//!   are a bounded window); a seek restores the nearest one at or before the target and folds
//!   from there, so it costs one restore plus at most `snapshot_every` events, however long the
//!   log. An order that closed long before is rebuilt from its own events in the log.
//!
//! Events come from an [`EventSource`]: a slice of `(seq, Event)`, or the SQLite log.

mod fold;
mod frame;
mod recover;
mod source;
#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;
mod timeline;

pub use fold::{is_input, Fold};
pub use frame::{ReplayFrame, RECENT_CLOSED};
pub use recover::{fold_from, initial_engine, recover, try_recover, Recovered};
pub use source::{EventSource, VecSource};
pub use timeline::{Moment, Replay, ReplayOptions, ReplayView};

use crate::engine::EngineError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("seq {found}: expected seq {expected} (the log has a gap or is out of order)")]
    Gap { expected: u64, found: u64 },
    #[error("seq {seq}: the log has {logged} where the re-fold derived {}", derived.unwrap_or("nothing"))]
    Mismatch { seq: u64, logged: &'static str, derived: Option<&'static str> },
    #[error("seq {seq}: {kind} is derived by the engine, and the re-fold did not derive it")]
    NotDerived { seq: u64, kind: &'static str },
    #[error("seq {seq}: {source}")]
    Engine { seq: u64, source: EngineError },
    #[error("snapshot after seq {seq}: {source}")]
    Snapshot { seq: u64, source: EngineError },
    #[error("reading the log: {0}")]
    Source(String),
    #[error("seq {seq} is outside the log (1..={last})")]
    OutOfRange { seq: u64, last: u64 },
}
