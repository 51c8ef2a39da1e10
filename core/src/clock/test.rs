//! The test clock: moved by hand, to each event's time. Backtests and replays run on it.

use super::Clock;
use crate::types::UnixNanos;

/// A clock moved by hand: the engine advances it to each event's time. Time never goes back.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct TestClock {
    now: UnixNanos,
}

impl TestClock {
    pub const fn new(start: UnixNanos) -> Self {
        Self { now: start }
    }
}

impl Clock for TestClock {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_goes_back_and_stamps_with_engine_time() {
        let mut c = TestClock::new(UnixNanos(10));
        c.advance_to(UnixNanos(5));
        assert_eq!(c.now(), UnixNanos(10));
        c.advance_to(UnixNanos(20));
        assert_eq!((c.now(), c.stamp()), (UnixNanos(20), UnixNanos(20)));
        assert!(!c.is_live());
    }
}
