//! Recovery after a restart: the latest snapshot plus a re-fold of the log's tail is the state.

use super::fold::Fold;
use super::ReplayError;
use crate::engine::{Engine, EngineConfig};
use crate::events::Event;
use crate::types::{ClientOrderId, Instrument};
use std::fmt::Display;

/// The engine rebuilt from a log, ready for its strategies to be added and started.
pub struct Recovered {
    pub engine: Engine,
    /// Seq of the last logged event folded in.
    pub last_seq: u64,
    /// Orders sent without an acknowledgement: their fate is unknown until reconciled with the
    /// venue by client order id. They are never sent again by recovery.
    pub in_flight: Vec<ClientOrderId>,
    /// Events the engine derived from the last logged input that the log does not hold (it was
    /// cut in the middle of one instant); the caller appends them to the log.
    pub unlogged: Vec<Event>,
}

/// The engine `config` describes, with `instruments` loaded: the state before the first event.
pub fn initial_engine(
    config: &EngineConfig,
    instruments: &[Instrument],
) -> Result<Engine, ReplayError> {
    let mut engine =
        Engine::new(config.clone()).map_err(|source| ReplayError::Engine { seq: 0, source })?;
    for instrument in instruments {
        engine
            .add_instrument(instrument.clone())
            .map_err(|source| ReplayError::Engine { seq: 0, source })?;
    }
    Ok(engine)
}

/// The starting point of a fold: the snapshot taken after `seq`, or the initial engine.
pub fn fold_from(
    config: &EngineConfig,
    instruments: &[Instrument],
    snapshot: Option<(u64, &[u8])>,
) -> Result<Fold, ReplayError> {
    let (engine, seq) = match snapshot {
        Some((seq, bytes)) => (
            Engine::restore(config.clone(), bytes)
                .map_err(|source| ReplayError::Snapshot { seq, source })?,
            seq,
        ),
        None => (initial_engine(config, instruments)?, 0),
    };
    Ok(Fold::new(engine, seq, config.venue.is_some()))
}

/// Latest snapshot (with the seq it was taken after) + every logged event after it = the state.
/// Without a snapshot the whole log is folded from the initial engine.
pub fn recover(
    config: &EngineConfig,
    instruments: &[Instrument],
    snapshot: Option<(u64, &[u8])>,
    tail: impl IntoIterator<Item = (u64, Event)>,
) -> Result<Recovered, ReplayError> {
    try_recover(
        config,
        instruments,
        snapshot,
        tail.into_iter().map(Ok::<_, std::convert::Infallible>),
    )
}

/// [`recover`] over a source whose reads can fail (a store); a read error stops recovery.
pub fn try_recover<E: Display>(
    config: &EngineConfig,
    instruments: &[Instrument],
    snapshot: Option<(u64, &[u8])>,
    tail: impl IntoIterator<Item = Result<(u64, Event), E>>,
) -> Result<Recovered, ReplayError> {
    let mut fold = fold_from(config, instruments, snapshot)?;
    for item in tail {
        let (seq, event) = item.map_err(|e| ReplayError::Source(e.to_string()))?;
        if seq <= fold.seq() {
            continue; // Already in the snapshot.
        }
        fold.apply(seq, &event)?;
    }
    let unlogged: Vec<Event> = fold.unlogged().cloned().collect();
    let last_seq = fold.seq();
    let engine = fold.into_engine();
    let in_flight = engine
        .state()
        .open_orders()
        .filter(|o| !o.is_acknowledged())
        .map(crate::orders::Order::client_order_id)
        .collect();
    Ok(Recovered { engine, last_seq, in_flight, unlogged })
}
