//! Order events: the engine's own (denied, submitted, pending) and the venue's (accepted,
//! filled, canceled, ...). Each goes through the order state machine; fills move the portfolio.

use super::{Dispatch, Engine, EngineError};
use crate::events::Event;
use crate::stats::LatencyKind;

impl Engine {
    /// An order event the engine itself produced. It must fit the state machine: a refusal here
    /// is a bug in the engine, reported as an error.
    pub(super) fn apply_local(&mut self, event: Event) -> Result<(), EngineError> {
        let Some(id) = event.client_order_id() else {
            return Err(EngineError::NotAnInput { kind: event.kind() });
        };
        let order = self.state.orders.get_mut(&id).ok_or(EngineError::UnknownOrder(id))?;
        order.apply(&event)?;
        let strategy_id = order.strategy_id();
        if order.is_terminal() {
            self.state.close_order(id);
        }
        self.emit_and_notify(event, |e| Dispatch::Order(strategy_id, Box::new(e)));
        Ok(())
    }

    /// An order event from a venue. It is a fact and always goes into the output; if the state
    /// machine refuses it (a duplicate, a fill after a final state) it is counted and not
    /// applied, so nothing is counted twice.
    pub(super) fn on_venue_event(&mut self, event: Event) -> Result<(), EngineError> {
        let Some(id) = event.client_order_id() else {
            return Err(EngineError::NotAnInput { kind: event.kind() });
        };
        let Some(order) = self.state.orders.get_mut(&id) else {
            if !self.state.knows_order(id) {
                return Err(EngineError::UnknownOrder(id));
            }
            // An order in a final state takes no more events (see below), whether it closed
            // recently or long ago (then only the log still holds it).
            self.counters.illegal_transitions += 1;
            self.emit(event);
            return Ok(());
        };
        let strategy_id = order.strategy_id();
        let instrument_id = order.instrument_id();
        if order.apply(&event).is_err() {
            self.counters.illegal_transitions += 1;
            self.emit(event);
            return Ok(());
        }
        let terminal = order.is_terminal();
        if terminal {
            self.state.close_order(id);
            self.submitted_at.remove(&id);
            self.accepted_at.remove(&id);
        }
        let now = self.clock.now();
        let fill = match &event {
            Event::OrderAccepted(_) => {
                if let Some(sent) = self.submitted_at.remove(&id) {
                    self.stats.record(LatencyKind::SubmitToAck, now.since(sent));
                }
                if !terminal {
                    self.accepted_at.insert(id, now);
                }
                None
            }
            Event::OrderRejected(_) => {
                self.counters.rejections += 1;
                None
            }
            Event::OrderFilled(fill) => Some(*fill),
            _ => None,
        };
        if terminal {
            self.accepted_at.remove(&id);
        }
        self.emit_and_notify(event, |e| Dispatch::Order(strategy_id, Box::new(e)));
        let Some(fill) = fill else { return Ok(()) };

        self.counters.fills += 1;
        if let Some(acked) = self.accepted_at.remove(&id) {
            self.stats.record(LatencyKind::AckToFill, now.since(acked));
        }
        let index = self
            .state
            .instrument_index(instrument_id)
            .ok_or(EngineError::UnknownInstrument(instrument_id))?;
        let instrument = &self.state.instruments[index].instrument;
        let effects = self.state.portfolio.apply_fill(&fill, instrument)?;
        for position_event in effects.position_events {
            if let Event::PositionClosed(closed) = &position_event {
                self.record_round_trip(instrument_id, strategy_id, closed.ts_init);
            }
            self.emit_and_notify(position_event, |e| Dispatch::Position(strategy_id, Box::new(e)));
        }
        self.emit(effects.account_state.into());
        Ok(())
    }

    /// Emits an event and, when a strategy is loaded, queues the callback it causes.
    pub(super) fn emit_and_notify(&mut self, event: Event, job: impl FnOnce(Event) -> Dispatch) {
        if !self.strategies.is_empty() {
            self.dispatch.push_back(job(event.clone()));
        }
        self.emit(event);
    }
}
