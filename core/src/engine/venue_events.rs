//! Order events: the engine's own (denied, submitted, pending) and the venue's (accepted,
//! filled, canceled, ...). Each goes through the order state machine; fills move the portfolio.

use super::{Dispatch, Engine, EngineError};
use crate::clock::Clock;
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
            self.state.open_orders.retain(|o| *o != id);
        }
        self.emit(event.clone());
        self.dispatch.push_back(Dispatch::Order(strategy_id, event));
        Ok(())
    }

    /// An order event from a venue. It is a fact and always goes into the output; if the state
    /// machine refuses it (a duplicate, a fill after a final state) it is counted and not
    /// applied, so nothing is counted twice.
    pub(super) fn on_venue_event(&mut self, event: Event) -> Result<(), EngineError> {
        let Some(id) = event.client_order_id() else {
            return Err(EngineError::NotAnInput { kind: event.kind() });
        };
        let order = self.state.orders.get_mut(&id).ok_or(EngineError::UnknownOrder(id))?;
        let strategy_id = order.strategy_id();
        let instrument_id = order.instrument_id();
        let applied = order.apply(&event).is_ok();
        let terminal = order.is_terminal();
        self.emit(event.clone());
        if !applied {
            self.counters.illegal_transitions += 1;
            return Ok(());
        }
        if terminal {
            self.state.open_orders.retain(|o| *o != id);
            self.submitted_at.remove(&id);
            self.accepted_at.remove(&id);
        }
        let now = self.clock.now();
        match &event {
            Event::OrderAccepted(_) => {
                if let Some(sent) = self.submitted_at.remove(&id) {
                    self.stats.record(LatencyKind::SubmitToAck, now.since(sent));
                }
                if !terminal {
                    self.accepted_at.insert(id, now);
                }
            }
            Event::OrderRejected(_) => self.counters.rejections += 1,
            Event::OrderFilled(fill) => {
                self.counters.fills += 1;
                if let Some(acked) = self.accepted_at.remove(&id) {
                    self.stats.record(LatencyKind::AckToFill, now.since(acked));
                }
                let index = self
                    .state
                    .instrument_index(instrument_id)
                    .ok_or(EngineError::UnknownInstrument(instrument_id))?;
                let instrument = &self.state.instruments[index].instrument;
                let effects = self.state.portfolio.apply_fill(fill, instrument)?;
                self.dispatch.push_back(Dispatch::Order(strategy_id, event.clone()));
                for position_event in effects.position_events {
                    self.emit(position_event.clone());
                    self.dispatch.push_back(Dispatch::Position(strategy_id, position_event));
                }
                self.emit(effects.account_state.into());
                return Ok(());
            }
            _ => {}
        }
        self.dispatch.push_back(Dispatch::Order(strategy_id, event));
        Ok(())
    }
}
