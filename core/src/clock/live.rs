//! The live clock: engine time still moves only when the engine is advanced (so everything it
//! derives carries its input's time and re-folds exactly), but commands from the host are
//! stamped with wall time, and the node advances the engine to wall time whenever a timer, a
//! venue message in flight or an expiry falls due. This is the one place the core reads the
//! system clock, and only a host that asks for a live clock gets it.

use super::Clock;
use crate::types::UnixNanos;
use std::sync::Arc;

/// Where wall time comes from: the system clock, or a source a test moves by hand.
#[derive(Clone)]
pub struct WallTime(Arc<dyn Fn() -> UnixNanos + Send + Sync>);

impl WallTime {
    /// The system clock (ns since the Unix epoch).
    pub fn system() -> Self {
        Self(Arc::new(|| {
            let since_epoch = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            UnixNanos(u64::try_from(since_epoch.as_nanos()).unwrap_or(u64::MAX))
        }))
    }

    /// Any source of wall time (a test's hand-moved clock).
    pub fn from_fn(source: impl Fn() -> UnixNanos + Send + Sync + 'static) -> Self {
        Self(Arc::new(source))
    }

    pub fn read(&self) -> UnixNanos {
        (self.0)()
    }
}

impl std::fmt::Debug for WallTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WallTime")
    }
}

/// A monotonic stopwatch for the engine's processing-latency histograms (data to callback,
/// callback duration), which a live host injects: it measures the host's own work, never
/// decides anything the engine does.
#[derive(Debug, Clone, Copy)]
pub struct MonotonicStopwatch(std::time::Instant);

impl Default for MonotonicStopwatch {
    fn default() -> Self {
        Self(std::time::Instant::now())
    }
}

impl crate::stats::Stopwatch for MonotonicStopwatch {
    fn now_ns(&self) -> u64 {
        u64::try_from(self.0.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

/// See the module documentation.
#[derive(Debug, Clone)]
pub struct LiveClock {
    now: UnixNanos,
    wall: WallTime,
}

impl LiveClock {
    pub fn new(start: UnixNanos, wall: WallTime) -> Self {
        Self { now: start, wall }
    }
}

impl Clock for LiveClock {
    #[inline]
    fn now(&self) -> UnixNanos {
        self.now
    }

    #[inline]
    fn advance_to(&mut self, ts: UnixNanos) {
        if ts > self.now {
            self.now = ts;
        }
    }

    /// Wall time, or engine time when the wall clock is behind it (a step back of the system
    /// clock never stamps a command before what the engine has already processed).
    fn stamp(&self) -> UnixNanos {
        self.wall.read().max(self.now)
    }

    fn is_live(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn stamps_with_wall_time_but_never_before_engine_time() {
        let wall = Arc::new(AtomicU64::new(1_000));
        let source = Arc::clone(&wall);
        let mut clock = LiveClock::new(
            UnixNanos(0),
            WallTime::from_fn(move || UnixNanos(source.load(Ordering::SeqCst))),
        );
        assert_eq!((clock.now(), clock.stamp()), (UnixNanos(0), UnixNanos(1_000)));
        clock.advance_to(UnixNanos(5_000));
        assert_eq!(clock.stamp(), UnixNanos(5_000), "the wall clock stepped back");
        wall.store(9_000, Ordering::SeqCst);
        assert_eq!((clock.now(), clock.stamp()), (UnixNanos(5_000), UnixNanos(9_000)));
        assert!(clock.is_live());
    }

    #[test]
    fn the_system_clock_is_after_2020() {
        assert!(WallTime::system().read() > UnixNanos(1_577_836_800_000_000_000));
    }
}
