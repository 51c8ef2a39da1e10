//! Uniformly random delays from the engine's seeded generator: the same seed gives the same
//! delays on every machine.

use super::LatencyModel;
use crate::rng::SeededRng;
use serde::Deserialize;

/// An inclusive range of nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyRange {
    /// Shortest delay.
    pub min_ns: u64,
    /// Longest delay.
    pub max_ns: u64,
}

/// Delays uniform in a range per kind of message. One generator serves all kinds, so the
/// sequence depends on the order the engine asks in (which is itself deterministic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RandomLatency {
    rng: SeededRng,
    submit: LatencyRange,
    cancel: LatencyRange,
    modify: LatencyRange,
    response: LatencyRange,
}

impl RandomLatency {
    /// A model drawing from `SeededRng::new(seed)`.
    pub const fn new(
        seed: u64,
        submit: LatencyRange,
        cancel: LatencyRange,
        modify: LatencyRange,
        response: LatencyRange,
    ) -> Self {
        Self { rng: SeededRng::new(seed), submit, cancel, modify, response }
    }

    fn draw(&mut self, range: LatencyRange) -> u64 {
        self.rng.range_inclusive(range.min_ns, range.max_ns)
    }
}

impl LatencyModel for RandomLatency {
    fn submit_ns(&mut self) -> u64 {
        self.draw(self.submit)
    }
    fn cancel_ns(&mut self) -> u64 {
        self.draw(self.cancel)
    }
    fn modify_ns(&mut self) -> u64 {
        self.draw(self.modify)
    }
    fn response_ns(&mut self) -> u64 {
        self.draw(self.response)
    }
    fn rng_state(&self) -> Option<u64> {
        Some(self.rng.state())
    }
    fn set_rng_state(&mut self, state: u64) {
        self.rng = SeededRng::new(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(seed: u64) -> RandomLatency {
        let r = LatencyRange { min_ns: 1_000, max_ns: 5_000 };
        RandomLatency::new(seed, r, r, r, LatencyRange { min_ns: 200, max_ns: 300 })
    }

    fn draws(m: &mut RandomLatency) -> Vec<u64> {
        (0..50)
            .flat_map(|_| [m.submit_ns(), m.cancel_ns(), m.modify_ns(), m.response_ns()])
            .collect()
    }

    #[test]
    fn same_seed_same_delays() {
        let a = draws(&mut model(42));
        assert_eq!(a, draws(&mut model(42)));
        assert_ne!(a, draws(&mut model(43)));
    }

    #[test]
    fn delays_stay_in_range() {
        let mut m = model(7);
        for _ in 0..1_000 {
            assert!((1_000..=5_000).contains(&m.submit_ns()));
            assert!((200..=300).contains(&m.response_ns()));
        }
    }
}
