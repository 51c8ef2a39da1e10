//! Recording a run: what an engine produces is appended to an event log as it is produced, with
//! a snapshot of the engine every N events, and commands for a live venue released only once
//! they are on disk (write-ahead).
//!
//! The host calls `record` after every call into the engine (the Python `Engine` does it for
//! you once a log is attached). The events recorded stay available to the host through
//! `take_events`, so attaching a log changes nothing about what the host sees.
//!
//! Recording never waits for the disk: durable commits are asked for and confirmed later
//! (`poll`), so the engine goes on while the writer syncs, and many commands share one fsync.
//! Only commands for a live venue wait, each until the events that hold it are durable:
//! `release_outbound` hands over those already durable, `wait_outbound` blocks (a host releases
//! its interpreter lock around it) until the rest are.

use super::{Durability, Durable, EventLog, Hash, StoreError};
use crate::engine::{Engine, EngineConfig, EngineError};
use crate::events::Event;
use crate::types::Instrument;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
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
    durable_seq: u64,
    /// Durable commits asked for and not confirmed yet, with the last seq each covers.
    pending: VecDeque<(u64, Durable)>,
    /// Snapshots handed to the writer and not confirmed yet.
    snapshots: VecDeque<Durable>,
    /// Commands for a live venue, with the seq that must be durable before each leaves.
    outbound: VecDeque<(u64, Event)>,
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
            durable_seq: head,
            pending: VecDeque::new(),
            snapshots: VecDeque::new(),
            outbound: VecDeque::new(),
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
            let bytes = engine.snapshot()?;
            let saved = self.log.save_snapshot_async(self.last_seq, engine.now().0, bytes)?;
            self.snapshots.push_back(saved);
            self.last_snapshot = self.last_seq;
        }
        self.poll()
    }

    /// Takes note of the commits confirmed so far, without waiting; the first failure is
    /// returned.
    pub fn poll(&mut self) -> Result<(), RecordError> {
        while let Some((seq, durable)) = self.pending.front_mut() {
            let seq = *seq;
            match durable.poll() {
                None => break,
                Some(outcome) => {
                    self.pending.pop_front();
                    outcome?;
                    self.durable_seq = self.durable_seq.max(seq);
                }
            }
        }
        while let Some(saved) = self.snapshots.front_mut() {
            match saved.poll() {
                None => break,
                Some(outcome) => {
                    self.snapshots.pop_front();
                    outcome?;
                }
            }
        }
        Ok(())
    }

    /// Blocks until every commit asked for so far is confirmed. Needs nothing of the engine,
    /// so a host can run it without its interpreter lock.
    pub fn wait_durable(&mut self) -> Result<(), RecordError> {
        while let Some((seq, durable)) = self.pending.pop_front() {
            durable.wait()?;
            self.durable_seq = self.durable_seq.max(seq);
        }
        while let Some(saved) = self.snapshots.pop_front() {
            saved.wait()?;
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
        if durable {
            let (receipt, pending) = self.log.append_durable_async(events)?;
            self.last_seq = receipt.last_seq;
            self.pending.push_back((receipt.last_seq, pending));
        } else {
            // Nothing here waits: under `safe` only batches holding a command would.
            self.last_seq = self.log.append(events)?.last_seq;
        }
        Ok(())
    }

    /// Records, then takes the engine's commands for a live venue and returns those whose
    /// events are committed under synchronous=FULL (write-ahead), oldest first, without
    /// waiting; the others stay until `wait_outbound` or a later call. A durable commit is
    /// asked for when the policy did not make one.
    pub fn release_outbound(&mut self, engine: &mut Engine) -> Result<Vec<Event>, RecordError> {
        self.record(engine)?;
        let needed = self.last_seq;
        let sent = engine.drain_outbound();
        if !sent.is_empty() {
            let covered = self.pending.back().is_some_and(|(seq, _)| *seq >= needed);
            if self.durable_seq < needed && !covered {
                self.pending.push_back((needed, self.log.flush_async()?));
            }
            self.outbound.extend(sent.into_iter().map(|command| (needed, command)));
        }
        self.poll()?;
        Ok(self.ready_outbound())
    }

    /// Blocks until every command held is durable, then returns them (see `wait_durable`).
    pub fn wait_outbound(&mut self) -> Result<Vec<Event>, RecordError> {
        self.wait_durable()?;
        Ok(self.ready_outbound())
    }

    /// Commands held until their events are durable.
    pub fn outbound_waiting(&self) -> usize {
        self.outbound.len()
    }

    fn ready_outbound(&mut self) -> Vec<Event> {
        let ready = self.outbound.iter().take_while(|(seq, _)| *seq <= self.durable_seq).count();
        self.outbound.drain(..ready).map(|(_, command)| command).collect()
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
        self.wait_durable()?;
        self.log.flush()?;
        self.durable_seq = self.last_seq;
        Ok(self.log.head()?)
    }
}
