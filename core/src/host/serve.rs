//! The engine's own thread: it waits for inputs posted to the inbox, for the next timer, venue
//! message or expiry on a live clock, or for a reader asking for views, and handles each in one
//! step under the host's lock. Between steps the lock is free, and the loop steps aside while
//! another thread (a console's worker sending an operator's command) waits for it.

use super::{HostError, Shared};
use std::time::{Duration, Instant};

/// Inputs handled in one step: the lock is released between steps, so a command from another
/// thread waits at most one step however fast a feed posts.
const INPUTS_PER_STEP: usize = 256;
/// How often the loop yields, at most, while another thread waits for the lock.
const YIELDS: usize = 64;

/// Serves the host until the inbox is asked to stop (`Inbox::stop`; returns `Ok`) or a step
/// fails (a strategy raised, a posted input was refused, the log failed; the engine keeps its
/// state, and serving may start again).
pub fn serve(shared: &Shared) -> Result<(), HostError> {
    loop {
        let deadline = shared.lock()?.wakeup_deadline();
        let wake = shared.inbox().wait(deadline, INPUTS_PER_STEP);
        if wake.stop {
            return Ok(());
        }
        shared.lock()?.step(wake.inputs)?;
        for _ in 0..YIELDS {
            if shared.waiting() == 0 {
                break;
            }
            std::thread::yield_now();
        }
    }
}

impl super::Host {
    /// When the engine's thread must wake without input: on a live clock, when the next timer,
    /// venue message or expiry falls due by wall time. On a test clock only inputs move time.
    fn wakeup_deadline(&mut self) -> Option<Instant> {
        if !self.engine.clock().is_live() {
            return None;
        }
        let next = self.engine.next_wakeup_ts()?;
        let wall = self.engine.stamp();
        Some(Instant::now() + Duration::from_nanos(next.0.saturating_sub(wall.0)))
    }

    /// One step of the engine's thread: the inputs in order, then (live clock) whatever is due
    /// by wall time, then recording and publishing.
    pub fn step(&mut self, inputs: Vec<crate::events::Event>) -> Result<(), HostError> {
        self.call(|engine| {
            for event in inputs {
                engine.process(event)?;
            }
            if engine.clock().is_live() {
                engine.advance_to_stamp()?;
            }
            Ok(())
        })
    }
}
