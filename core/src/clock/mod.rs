//! Engine time and timers. The engine's time is injected: a backtest or a replay runs on a
//! [`TestClock`] that only the data moves; a live or paper node runs on a [`LiveClock`] that
//! stamps the host's commands with wall time and tells the node how long it may sleep before a
//! timer is due.
//!
//! Either way the engine processes an event at the event's own time (`ts_init`) and stamps what
//! it derives with that time, so a log recorded live re-folds, event for event, on a test clock.

mod live;
mod test;
mod timers;

pub use live::{LiveClock, MonotonicStopwatch, WallTime};
pub use test::TestClock;
pub use timers::{Timer, TimerError, Timers};

use crate::types::UnixNanos;

/// Where the engine's notion of "now" comes from.
pub trait Clock: Send + std::fmt::Debug {
    /// Engine time: how far processing has gone. Never goes back.
    fn now(&self) -> UnixNanos;

    /// Moves engine time forward to `ts`; an earlier `ts` leaves it where it is.
    fn advance_to(&mut self, ts: UnixNanos);

    /// The time a command from the host (an operator, the console, an API call) is stamped with
    /// before it enters the engine: engine time on a test clock, wall time on a live one (never
    /// before engine time).
    fn stamp(&self) -> UnixNanos {
        self.now()
    }

    /// True for a clock that moves with the world (the host must drive it: see
    /// `Engine::advance_to_stamp`).
    fn is_live(&self) -> bool {
        false
    }
}

/// The clock an engine is built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClockKind {
    /// Time moves only with the data (backtests, replays, tests).
    #[default]
    Test,
    /// Commands are stamped with the system's wall time (live and paper trading).
    Live,
}

impl ClockKind {
    pub fn build(self, start: UnixNanos) -> Box<dyn Clock> {
        match self {
            Self::Test => Box::new(TestClock::new(start)),
            Self::Live => Box::new(LiveClock::new(start, WallTime::system())),
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "test" => Some(Self::Test),
            "live" => Some(Self::Live),
            _ => None,
        }
    }
}
