//! Recording a run: what an engine produces is appended to an event log as it is produced, with
//! a snapshot of the engine every N events, and commands for a live venue released only once
//! they are on disk (write-ahead).
//!
//! The host calls `record` after every call into the engine (the Python `Engine` does it for
//! you once a log is attached). The events recorded stay available to the host through
//! `take_events`, so attaching a log changes nothing about what the host sees.

use super::{Durability, EventLog, Hash, StoreError};
use crate::engine::{ArchiveMarks, Engine, EngineConfig, EngineError};
use crate::events::Event;
use crate::types::Instrument;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::sync::Arc;

/// How a recorded log's `config` starts when it holds the engine that wrote it.
pub const RUN_HEADER_PREFIX: &str = "nautui-engine-v1:";

/// What a recovery needs beyond the log's events: the engine configuration and the
/// instruments loaded before the first event. A recording log keeps it in `meta.config`, as
/// `RUN_HEADER_PREFIX` then the MessagePack in hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunHeader {
    pub config: EngineConfig,
    pub instruments: Vec<Instrument>,
}

impl RunHeader {
    pub fn of(engine: &Engine) -> Self {
        Self {
            config: engine.config().clone(),
            instruments: engine.state().instruments().cloned().collect(),
        }
    }

    /// The text kept in the log's `meta.config`.
    pub fn to_meta(&self) -> Result<String, RecordError> {
        let bytes = rmp_serde::to_vec_named(self)
            .map_err(|e| RecordError::Header(format!("cannot be encoded: {e}")))?;
        let mut text = String::with_capacity(RUN_HEADER_PREFIX.len() + 2 * bytes.len());
        text.push_str(RUN_HEADER_PREFIX);
        for byte in bytes {
            let _ = write!(text, "{byte:02x}");
        }
        Ok(text)
    }

    /// Reads `to_meta`'s text; None when the text is not a run header at all.
    pub fn from_meta(text: &str) -> Option<Result<Self, RecordError>> {
        let hex = text.strip_prefix(RUN_HEADER_PREFIX)?;
        let bad = |why: &str| RecordError::Header(why.to_owned());
        let bytes: Result<Vec<u8>, _> = (0..hex.len())
            .step_by(2)
            .map(|i| {
                hex.get(i..i + 2)
                    .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                    .ok_or_else(|| bad("not hexadecimal"))
            })
            .collect();
        Some(bytes.and_then(|bytes| {
            rmp_serde::from_slice(&bytes).map_err(|e| RecordError::Header(e.to_string()))
        }))
    }
}

/// Why recording failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("snapshot for the event log: {0}")]
    Engine(#[from] EngineError),
    #[error("the engine does not record market data (EngineConfig.record_market_data is false): a log without it cannot be re-folded or recovered")]
    NoMarketData,
    #[error("the log's engine header (meta config) is not readable: {0}")]
    Header(String),
}

/// Appends an engine's output to a log (see the module docs).
pub struct Recorder {
    log: Arc<EventLog>,
    snapshot_every: u64,
    last_seq: u64,
    last_snapshot: u64,
    /// Where the archives stood at this recorder's last snapshot: the next one carries them
    /// only from there (the first carries them whole; see `archives_for` in `source`).
    snapshot_marks: Option<ArchiveMarks>,
    /// Size of the last snapshot with whole archives, and of the partial ones since: once the
    /// partial ones outweigh it, the next is whole again, so a recovery reads at most about
    /// twice one whole snapshot.
    whole_bytes: usize,
    partial_bytes: usize,
    durable_seq: u64,
    held: Vec<Event>,
}

impl Recorder {
    /// A recorder for `engine`, appending after the log's current head. `snapshot_every` 0
    /// takes none. The engine must record market data (the log is its input).
    pub fn new(
        log: Arc<EventLog>,
        engine: &Engine,
        snapshot_every: u64,
    ) -> Result<Self, RecordError> {
        if !engine.config().record_market_data {
            return Err(RecordError::NoMarketData);
        }
        let (head, _) = log.head()?;
        let last_snapshot = log.latest_snapshot()?.map_or(0, |(seq, _)| seq);
        Ok(Self {
            log,
            snapshot_every,
            last_seq: head,
            last_snapshot,
            snapshot_marks: None,
            whole_bytes: 0,
            partial_bytes: 0,
            durable_seq: head,
            held: Vec::new(),
        })
    }

    pub fn log(&self) -> &Arc<EventLog> {
        &self.log
    }

    /// The seq of the last event recorded.
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// The last seq known to be committed under synchronous=FULL.
    pub fn durable_seq(&self) -> u64 {
        self.durable_seq
    }

    /// Appends what the engine produced since the last call (under the log's policy: with the
    /// default one, a batch holding a command returns once it is durable), then takes a snapshot
    /// when `snapshot_every` events have been recorded since the last one. Call it between two
    /// calls into the engine, when nothing is half-processed.
    pub fn record(&mut self, engine: &mut Engine) -> Result<(), RecordError> {
        self.record_events(engine)?;
        if self.snapshot_every > 0 && self.last_seq - self.last_snapshot >= self.snapshot_every {
            let from = match self.snapshot_marks {
                Some(marks) if self.partial_bytes <= self.whole_bytes => marks,
                _ => ArchiveMarks::default(),
            };
            let bytes = engine.snapshot_from(from)?;
            self.log.save_snapshot(self.last_seq, engine.now().0, &bytes)?;
            if from == ArchiveMarks::default() {
                (self.whole_bytes, self.partial_bytes) = (bytes.len(), 0);
            } else {
                self.partial_bytes += bytes.len();
            }
            self.snapshot_marks = Some(engine.archive_marks());
            // A snapshot is committed under synchronous=FULL, with everything before it.
            self.last_snapshot = self.last_seq;
            self.durable_seq = self.last_seq;
        }
        Ok(())
    }

    /// Appends what the engine produced, never a snapshot: after a call into the engine that
    /// failed, when its state may be half-processed.
    pub fn record_events(&mut self, engine: &mut Engine) -> Result<(), RecordError> {
        let events = engine.drain_events();
        self.append(&events)?;
        self.held.extend(events);
        Ok(())
    }

    /// Appends events that are not the engine's output of this run (the events a recovery
    /// derived but found missing from the log).
    pub fn append(&mut self, events: &[Event]) -> Result<(), RecordError> {
        if events.is_empty() {
            return Ok(());
        }
        let durable = match self.log.durability() {
            Some(Durability::Full) => true,
            Some(Durability::Safe) => events.iter().any(Event::is_command),
            Some(Durability::Batched) | None => false,
        };
        let receipt = self.log.append(events)?;
        self.last_seq = receipt.last_seq;
        if durable {
            self.durable_seq = receipt.last_seq;
        }
        Ok(())
    }

    /// Commands for a live venue, released only once the events that hold them are committed
    /// under synchronous=FULL (write-ahead): records first, flushes when the policy did not.
    pub fn release_outbound(&mut self, engine: &mut Engine) -> Result<Vec<Event>, RecordError> {
        self.record(engine)?;
        let outbound = engine.drain_outbound();
        if !outbound.is_empty() && self.durable_seq < self.last_seq {
            self.log.flush()?;
            self.durable_seq = self.last_seq;
        }
        Ok(outbound)
    }

    /// The events recorded since the last call, in order (what `Engine::drain_events` would
    /// have returned).
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.held)
    }

    /// Records what is left, commits everything durably and returns the head: the line a run
    /// prints at its end.
    pub fn finish(&mut self, engine: &mut Engine) -> Result<(u64, Hash), RecordError> {
        self.record(engine)?;
        self.log.flush()?;
        self.durable_seq = self.last_seq;
        Ok(self.log.head()?)
    }
}
