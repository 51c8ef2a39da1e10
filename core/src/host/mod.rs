//! The engine as front ends drive it: a console, a live node, a backtest runner, Python.
//!
//! A [`Host`] owns one engine and does what must follow every call into it, in one place:
//! the events the call produced are recorded into the attached event log (never lost: the
//! recorder takes every batch before anyone else), then published once to the fan-out
//! ([`Bus`]: screens, metrics, Python subscribers), and the views are published to the
//! [`Board`] when a reader asked for them. Commands for a live venue leave only once the log
//! holds them durably (write-ahead). Recovery from a log builds a host the same way.
//!
//! The engine is `Send`: a host runs on whatever thread its owner picks. [`Shared`] puts it
//! behind a lock for several threads, and [`serve`] is the loop an engine thread runs: inputs
//! posted to the [`Inbox`] by feeds and adapters, timers and venue traffic fired on time on a
//! live clock, views published when asked for.

mod board;
mod bus;
mod inbox;
mod serve;
mod shared;

pub use board::{keys_of, Board, Published};
pub use bus::{Batch, Bus, Received, Subscription};
pub use inbox::{Inbox, Wake};
pub use serve::serve;
pub use shared::{HostGuard, Shared};

use crate::engine::{Engine, EngineConfig, EngineError};
use crate::events::Event;
use crate::replay::ReplayError;
use crate::store::{self, EventLog, Hash, RecordError, Recorder, RecoverError};
use crate::types::{ClientOrderId, Instrument};
use crate::views::Frame;
use std::sync::Arc;

/// Why a host call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    // The log's errors are boxed: they are rare, and large.
    #[error(transparent)]
    Record(Box<RecordError>),
    #[error(transparent)]
    Recover(Box<RecoverError>),
    #[error(transparent)]
    Replay(Box<ReplayError>),
    #[error("a log is already attached")]
    AlreadyAttached,
    #[error("no log is attached")]
    NotAttached,
    #[error("the engine cannot be called from inside one of its own strategy callbacks (use the strategy's actions)")]
    Reentrant,
    #[error("views cannot be encoded: {0}")]
    Views(String),
}

impl From<RecordError> for HostError {
    fn from(error: RecordError) -> Self {
        Self::Record(Box::new(error))
    }
}

impl From<RecoverError> for HostError {
    fn from(error: RecoverError) -> Self {
        Self::Recover(Box::new(error))
    }
}

impl From<ReplayError> for HostError {
    fn from(error: ReplayError) -> Self {
        Self::Replay(Box::new(error))
    }
}

/// What a recovery found besides the engine (see `crate::replay::Recovered`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    pub config: EngineConfig,
    pub last_seq: u64,
    /// Orders sent without an acknowledgement: reconcile them with the venue by client order
    /// id, never resend them blindly.
    pub in_flight: Vec<ClientOrderId>,
    /// Events the re-fold derived that the log lacked (appended when the host records).
    pub unlogged: usize,
}

/// How to recover (see [`Host::recover`]).
#[derive(Debug, Clone, Default)]
pub struct RecoverOptions {
    /// The engine configuration and instruments, instead of the log's own header.
    pub given: Option<(EngineConfig, Vec<Instrument>)>,
    /// Re-fold the whole log instead of starting from its latest snapshot.
    pub from_start: bool,
    /// Record into the log again (it must be open for writing), a snapshot every N events.
    pub attach: Option<u64>,
}

/// See the module documentation.
pub struct Host {
    engine: Engine,
    recorder: Option<Recorder>,
    bus: Arc<Bus>,
    board: Arc<Board>,
    inbox: Arc<Inbox>,
}

impl Host {
    pub fn new(engine: Engine) -> Self {
        Self {
            engine,
            recorder: None,
            bus: Arc::default(),
            board: Arc::default(),
            inbox: Arc::default(),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn bus(&self) -> &Arc<Bus> {
        &self.bus
    }

    pub fn board(&self) -> &Arc<Board> {
        &self.board
    }

    pub fn inbox(&self) -> &Arc<Inbox> {
        &self.inbox
    }

    /// Runs `f` on the engine, then records and publishes what it produced (a failed call's
    /// events too, without a snapshot: its state may be half-processed).
    pub fn call<T>(
        &mut self,
        f: impl FnOnce(&mut Engine) -> Result<T, EngineError>,
    ) -> Result<T, HostError> {
        let result = f(&mut self.engine);
        self.settle(result.is_ok())?;
        Ok(result?)
    }

    /// Records, publishes, and refreshes the views if a reader asked.
    fn settle(&mut self, complete: bool) -> Result<(), HostError> {
        let events = match self.recorder.as_mut() {
            Some(recorder) => {
                if complete {
                    recorder.record(&mut self.engine)?;
                } else {
                    recorder.record_events(&mut self.engine)?;
                }
                recorder.take_events()
            }
            None => self.engine.drain_events(),
        };
        self.bus.publish(events);
        if self.board.take_request() {
            self.publish_views()?;
        }
        Ok(())
    }

    /// Publishes every view to the board now.
    pub fn publish_views(&mut self) -> Result<(), HostError> {
        let frame = Frame::of(&self.engine, self.board.depth());
        self.board.publish(&frame).map_err(|e| HostError::Views(e.to_string()))
    }

    /// Records everything this engine produces into `log` from now on, after the log's head, a
    /// snapshot every `snapshot_every` events (0: none). What it produced and nobody took yet
    /// is recorded first.
    pub fn attach(&mut self, log: Arc<EventLog>, snapshot_every: u64) -> Result<(), HostError> {
        if self.recorder.is_some() {
            return Err(HostError::AlreadyAttached);
        }
        let mut recorder = Recorder::new(log, &self.engine, snapshot_every)?;
        recorder.record(&mut self.engine)?;
        self.bus.publish(recorder.take_events());
        self.recorder = Some(recorder);
        Ok(())
    }

    pub fn recorder(&self) -> Option<&Recorder> {
        self.recorder.as_ref()
    }

    /// Records what is left, commits it durably; the head (last seq and its hash), or None
    /// without a log. The log stays attached.
    pub fn finish_log(&mut self) -> Result<Option<(u64, Hash)>, HostError> {
        let Some(recorder) = self.recorder.as_mut() else { return Ok(None) };
        let head = recorder.finish(&mut self.engine)?;
        let events = recorder.take_events();
        self.bus.publish(events);
        Ok(Some(head))
    }

    /// Appends events this engine did not produce in this run (what a recovery derived and the
    /// log lacked).
    pub fn append_to_log(&mut self, events: &[Event]) -> Result<(), HostError> {
        let recorder = self.recorder.as_mut().ok_or(HostError::NotAttached)?;
        recorder.append(events)?;
        Ok(())
    }

    /// Any order: live or recently closed from the engine, else (an order that closed long ago
    /// and left memory) rebuilt from its events in the attached log.
    pub fn order(&self, id: ClientOrderId) -> Result<Option<crate::orders::Order>, HostError> {
        if let Some(order) = self.engine.state().order(id) {
            return Ok(Some(order.clone()));
        }
        let Some(recorder) = self.recorder.as_ref() else { return Ok(None) };
        let store_error = |e| HostError::Record(Box::new(RecordError::Store(e)));
        // What was appended may still wait for its group commit: the lookup reads the file.
        recorder.log().flush().map_err(store_error)?;
        store::logged_order(recorder.log(), id).map_err(store_error)
    }

    /// Commands for a live venue adapter, in order. With a log attached only those whose
    /// events are durable in it (write-ahead); with `wait`, blocks until all are.
    pub fn drain_outbound(&mut self, wait: bool) -> Result<Vec<Event>, HostError> {
        let Some(recorder) = self.recorder.as_mut() else {
            return Ok(self.engine.drain_outbound());
        };
        let mut ready = recorder.release_outbound(&mut self.engine)?;
        self.bus.publish(recorder.take_events());
        if wait && recorder.outbound_waiting() > 0 {
            ready.extend(recorder.wait_outbound()?);
        }
        Ok(ready)
    }

    /// Commands held until the events that hold them are durable.
    pub fn outbound_waiting(&self) -> usize {
        self.recorder.as_ref().map_or(0, Recorder::outbound_waiting)
    }

    /// The engine state `log` describes: its latest valid snapshot restored (unless
    /// `from_start`), the events after it re-folded. With `attach`, the events the re-fold
    /// derived that the log lacks are appended first, then the host records into the log.
    pub fn recover(
        log: Arc<EventLog>,
        options: RecoverOptions,
    ) -> Result<(Self, Recovery), HostError> {
        let (config, instruments) = if let Some(given) = options.given {
            given
        } else {
            let header = store::run_header(&log)?;
            (header.config, header.instruments)
        };
        let recovered = if options.from_start {
            store::refold_log(&log, &config, &instruments)?
        } else {
            store::recover_log(&log, &config, &instruments)?
        };
        let recovery = Recovery {
            config,
            last_seq: recovered.last_seq,
            in_flight: recovered.in_flight,
            unlogged: recovered.unlogged.len(),
        };
        let mut host = Self::new(recovered.engine);
        if let Some(snapshot_every) = options.attach {
            host.attach(log, snapshot_every)?;
            host.append_to_log(&recovered.unlogged)?;
        }
        Ok((host, recovery))
    }
}

#[cfg(test)]
mod tests;
