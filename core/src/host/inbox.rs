//! Inputs for an engine that runs on its own thread: market data and venue events posted by
//! feeds and adapters on theirs (never blocking them on the engine), and the wake-ups the
//! engine's thread waits for (an input, a reader asking for views, a stop).

use crate::events::Event;
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Why the engine's thread woke.
#[derive(Debug, Default)]
pub struct Wake {
    pub inputs: Vec<Event>,
    /// A reader asked for views.
    pub poked: bool,
    /// The host asked the thread to stop.
    pub stop: bool,
}

#[derive(Debug, Default)]
struct State {
    inputs: VecDeque<Event>,
    poked: bool,
    stop: bool,
}

/// See the module documentation.
#[derive(Debug, Default)]
pub struct Inbox {
    state: Mutex<State>,
    wake: Condvar,
}

impl Inbox {
    /// Queues inputs for the engine's thread, in order.
    pub fn post(&self, events: impl IntoIterator<Item = Event>) {
        let mut state = self.lock();
        let before = state.inputs.len();
        state.inputs.extend(events);
        let added = state.inputs.len() > before;
        drop(state);
        if added {
            self.wake.notify_all();
        }
    }

    /// Wakes the engine's thread without an input (a reader wants views).
    pub fn poke(&self) {
        self.lock().poked = true;
        self.wake.notify_all();
    }

    /// Asks the engine's thread to stop after its current step.
    pub fn stop(&self) {
        self.lock().stop = true;
        self.wake.notify_all();
    }

    /// Clears a stop, so the engine can be served again.
    pub fn reopen(&self) {
        self.lock().stop = false;
    }

    pub fn pending(&self) -> usize {
        self.lock().inputs.len()
    }

    /// Waits until something arrives or `deadline` passes (None: no deadline), then takes up to
    /// `max` inputs.
    pub fn wait(&self, deadline: Option<Instant>, max: usize) -> Wake {
        let mut state = self.lock();
        loop {
            if !state.inputs.is_empty() || state.poked || state.stop {
                break;
            }
            match deadline {
                None => state = self.wake.wait(state).unwrap_or_else(PoisonError::into_inner),
                Some(at) => {
                    let left = at.saturating_duration_since(Instant::now());
                    if left == Duration::ZERO {
                        break;
                    }
                    state = self
                        .wake
                        .wait_timeout(state, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
        }
        // A stop leaves the inputs queued, for whoever serves the engine next.
        let n = if state.stop { 0 } else { state.inputs.len().min(max) };
        Wake {
            inputs: state.inputs.drain(..n).collect(),
            poked: std::mem::take(&mut state.poked),
            stop: state.stop,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
