//! The re-fold: rebuilding engine state from logged events.
//!
//! A log holds two sorts of events: inputs (market data, commands, venue connectivity and
//! account states, and, when there is no simulated venue, the venue's order events) and events
//! the engine derived from them (order initialized/denied/submitted/pending, positions, the
//! account state after a fill, trading state changes, and with a simulated venue its answers).
//! The fold runs an engine without strategies and feeds it the inputs; everything it derives is
//! checked, in order, against what the log says came next. A difference is an error naming the
//! seq, so a log that does not re-fold exactly is never silently trusted.
//!
//! Strategies are not re-run: what they asked for is in the log as commands, fed as inputs.
//! Their timers are theirs too: the fold keeps none, and a logged `TimerFired` is re-applied as
//! a fact at its place in time. Commands for a live venue are dropped (they were sent once).
//!
//! Events are grouped in chunks: one input (or one scheduled instant) and everything the engine
//! derived from it at once. After `apply(seq)` the state is the state after the whole chunk
//! holding `seq`; snapshots are taken only between chunks.

use super::ReplayError;
use crate::engine::Engine;
use crate::events::Event;
use std::collections::VecDeque;

/// An engine being re-folded from a log, and where in the log it is.
pub struct Fold {
    engine: Engine,
    simulated_venue: bool,
    /// Derived events of the current chunk not yet seen in the log.
    expected: VecDeque<Event>,
    /// Seq of the last event applied (0: none).
    seq: u64,
}

impl Fold {
    /// Starts from an engine in the state after `seq` (a fresh engine with its instruments, at
    /// 0, or a restored snapshot). Timers are dropped, see the module docs.
    pub fn new(mut engine: Engine, seq: u64, simulated_venue: bool) -> Self {
        engine.clear_timers();
        engine.drain_events();
        engine.discard_outbound();
        Self { engine, simulated_venue, expected: VecDeque::new(), seq }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn into_engine(self) -> Engine {
        self.engine
    }

    /// Seq of the last event applied.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// True between two chunks: the state is exactly the state after `seq()`.
    pub fn at_boundary(&self) -> bool {
        self.expected.is_empty()
    }

    /// Events the engine derived in the last chunk that the log does not have (a log cut in the
    /// middle of a chunk). Recovery appends them.
    pub fn unlogged(&self) -> impl Iterator<Item = &Event> {
        self.expected.iter()
    }

    /// Applies the event logged at `seq`, which must follow the last one.
    pub fn apply(&mut self, seq: u64, event: &Event) -> Result<(), ReplayError> {
        if seq != self.seq + 1 {
            return Err(ReplayError::Gap { expected: self.seq + 1, found: seq });
        }
        if self.expected.is_empty() {
            self.start_chunk(seq, event)?;
        }
        match self.expected.pop_front() {
            Some(derived) if derived == *event => {
                self.seq = seq;
                Ok(())
            }
            derived => Err(ReplayError::Mismatch {
                seq,
                logged: event.kind(),
                derived: derived.as_ref().map(Event::kind),
            }),
        }
    }

    /// Runs the engine until it produces the chunk that `event` opens.
    fn start_chunk(&mut self, seq: u64, event: &Event) -> Result<(), ReplayError> {
        let engine_error = |source| ReplayError::Engine { seq, source };
        if is_input(event, self.simulated_venue) {
            match event {
                Event::TimerFired(fired) => self.engine.refire_timer(fired),
                other => self.engine.process(other.clone()),
            }
            .map_err(engine_error)?;
        } else {
            // Derived from scheduled work (venue latency): step to each next scheduled instant
            // until something happens.
            while self.engine.events().is_empty() {
                let Some(ts) = self.engine.next_wakeup_ts() else {
                    return Err(ReplayError::NotDerived { seq, kind: event.kind() });
                };
                self.engine.advance_to(ts).map_err(engine_error)?;
            }
        }
        self.engine.discard_outbound();
        self.expected.extend(self.engine.drain_events());
        Ok(())
    }
}

/// True when the fold feeds `event` to the engine rather than expecting the engine to derive it.
pub fn is_input(event: &Event, simulated_venue: bool) -> bool {
    match event {
        Event::QuoteTick(_)
        | Event::TradeTick(_)
        | Event::BookDeltas(_)
        | Event::BookSnapshot(_)
        | Event::Bar(_)
        | Event::SubmitOrder(_)
        | Event::CancelOrder(_)
        | Event::ModifyOrder(_)
        | Event::CancelAllOrders(_)
        | Event::Flatten(_)
        | Event::Halt(_)
        | Event::Resume(_)
        | Event::VenueConnected(_)
        | Event::VenueDisconnected(_)
        | Event::AccountState(_)
        | Event::TimerFired(_) => true,
        Event::OrderAccepted(_)
        | Event::OrderRejected(_)
        | Event::OrderCanceled(_)
        | Event::OrderExpired(_)
        | Event::OrderTriggered(_)
        | Event::OrderUpdated(_)
        | Event::OrderModifyRejected(_)
        | Event::OrderCancelRejected(_)
        | Event::OrderFilled(_) => !simulated_venue,
        Event::OrderInitialized(_)
        | Event::OrderDenied(_)
        | Event::OrderSubmitted(_)
        | Event::OrderPendingUpdate(_)
        | Event::OrderPendingCancel(_)
        | Event::PositionOpened(_)
        | Event::PositionChanged(_)
        | Event::PositionClosed(_)
        | Event::TradingStateChanged(_) => false,
    }
}
