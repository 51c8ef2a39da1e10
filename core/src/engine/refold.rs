//! What the replay fold needs from the engine beyond `process`: timers as logged facts, and
//! stepping to the next scheduled instant. See `crate::replay`.

use super::{Engine, EngineError};
use crate::clock::Timer;
use crate::events::TimerFired;
use crate::types::UnixNanos;

impl Engine {
    /// Drops every timer. A re-fold runs without strategies: their timers are theirs to re-arm
    /// when they start again, and a logged `TimerFired` is re-applied as a fact.
    pub fn clear_timers(&mut self) {
        self.timers.clear();
    }

    /// The next instant something is scheduled (venue traffic, a timer, a working order's
    /// expiry at the simulated venue), if any.
    pub fn next_wakeup_ts(&mut self) -> Option<UnixNanos> {
        self.next_wakeup()
    }

    /// Re-applies a logged timer firing: the timer is armed for its fire time and the clock
    /// moves there, so it fires at the same place among scheduled work as it first did.
    pub fn refire_timer(&mut self, fired: &TimerFired) -> Result<(), EngineError> {
        let timer = Timer {
            name: fired.name.clone(),
            strategy_id: fired.strategy_id,
            next: fired.ts_event,
            interval_ns: None,
            stop: None,
        };
        self.timers.set(timer, self.clock.now())?;
        self.advance_to(fired.ts_event)?;
        self.timers.clear();
        Ok(())
    }

    /// Commands for a live venue are dropped during a re-fold: they were sent the first time.
    pub fn discard_outbound(&mut self) {
        self.outbound.clear();
    }
}
