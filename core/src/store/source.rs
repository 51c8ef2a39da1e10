//! The log as a replay source (`crate::replay::EventSource`), and recovery straight from a log
//! file: latest valid snapshot plus a re-fold of the tail.

use super::{EventLog, RecordError, RunHeader, StoreError};
use crate::engine::EngineConfig;
use crate::events::Event;
use crate::replay::{try_recover, EventSource, Recovered, ReplayError};
use crate::types::Instrument;

impl EventSource for EventLog {
    fn last_seq(&self) -> u64 {
        self.head().map_or(0, |(seq, _)| seq)
    }

    fn read_from(
        &self,
        seq: u64,
    ) -> Box<dyn Iterator<Item = Result<(u64, Event), ReplayError>> + '_> {
        match EventLog::read_range(self, seq, EventSource::last_seq(self)) {
            Ok(iter) => {
                Box::new(iter.map(|item| item.map_err(|e| ReplayError::Source(e.to_string()))))
            }
            Err(e) => Box::new(std::iter::once(Err(ReplayError::Source(e.to_string())))),
        }
    }
}

/// Why a recovery from a log failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecoverError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Replay { path: String, source: Box<ReplayError> },
    #[error("{path}: {source}")]
    Header { path: String, source: RecordError },
    #[error("{path}: the log does not say which engine wrote it (no engine header in its meta config); it was not recorded by an engine")]
    NoHeader { path: String },
}

/// The engine configuration and instruments a recording log keeps in its `meta`.
pub fn run_header(log: &EventLog) -> Result<RunHeader, RecoverError> {
    let path = || log.path().display().to_string();
    match RunHeader::from_meta(&log.config()?) {
        Some(Ok(header)) => Ok(header),
        Some(Err(source)) => Err(RecoverError::Header { path: path(), source }),
        None => Err(RecoverError::NoHeader { path: path() }),
    }
}

/// The engine state the log describes: the latest valid snapshot restored, then the events
/// after it re-folded. Nothing is written.
pub fn recover_log(
    log: &EventLog,
    config: &EngineConfig,
    instruments: &[Instrument],
) -> Result<Recovered, RecoverError> {
    let replay = |source| RecoverError::Replay {
        path: log.path().display().to_string(),
        source: Box::new(source),
    };
    let snapshot = log.latest_snapshot()?;
    let from = snapshot.as_ref().map_or(1, |(seq, _)| seq + 1);
    let last = EventSource::last_seq(log);
    let tail = log.read_range(from, last)?;
    let snapshot = snapshot.as_ref().map(|(s, b)| (*s, b.as_slice()));
    try_recover(config, instruments, snapshot, tail).map_err(replay)
}

/// The state a re-fold of the whole log gives (no snapshot used): what recovery must equal.
pub fn refold_log(
    log: &EventLog,
    config: &EngineConfig,
    instruments: &[Instrument],
) -> Result<Recovered, RecoverError> {
    let replay = |source| RecoverError::Replay {
        path: log.path().display().to_string(),
        source: Box::new(source),
    };
    let tail = log.read_range(1, EventSource::last_seq(log))?;
    try_recover(config, instruments, None, tail).map_err(replay)
}
