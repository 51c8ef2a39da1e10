//! Latency histograms (HDR). Engine-time latencies (submit to ack, ack to fill) come from event
//! timestamps; processing latencies (data to callback, callback duration) come from a stopwatch
//! the host injects, so the core itself never reads a wall clock.

use hdrhistogram::Histogram;

/// Which latency a histogram measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LatencyKind {
    /// From the engine taking a market data event to the strategy callback starting.
    DataToCallback,
    /// How long a strategy callback ran.
    CallbackDuration,
    /// From an order's submission to the venue's acknowledgement (engine time).
    SubmitToAck,
    /// From an order's acknowledgement to its first fill (engine time).
    AckToFill,
}

impl LatencyKind {
    pub const ALL: [LatencyKind; 4] =
        [Self::DataToCallback, Self::CallbackDuration, Self::SubmitToAck, Self::AckToFill];

    pub const fn name(self) -> &'static str {
        match self {
            Self::DataToCallback => "data_to_callback",
            Self::CallbackDuration => "callback_duration",
            Self::SubmitToAck => "submit_to_ack",
            Self::AckToFill => "ack_to_fill",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// A summary of one histogram, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct LatencySummary {
    pub count: u64,
    pub min: u64,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
}

/// A monotonic nanosecond stopwatch supplied by the host (Python, the live node, a test).
pub trait Stopwatch: Send {
    fn now_ns(&self) -> u64;
}

/// The engine's four latency histograms.
#[derive(Debug, Clone)]
pub struct LatencyStats {
    histograms: [Histogram<u64>; 4],
}

// One hour in ns is the highest value tracked; longer waits are clamped, never lost.
const HIGHEST_NS: u64 = 3_600_000_000_000;

impl Default for LatencyStats {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyStats {
    pub fn new() -> Self {
        let make = || {
            Histogram::<u64>::new_with_bounds(1, HIGHEST_NS, 3)
                .unwrap_or_else(|_| Histogram::<u64>::new(3).unwrap_or_else(|_| unreachable!()))
        };
        Self { histograms: [make(), make(), make(), make()] }
    }

    #[inline]
    pub fn record(&mut self, kind: LatencyKind, ns: u64) {
        // saturating_record clamps outliers to the top bucket rather than failing.
        self.histograms[kind as usize].saturating_record(ns.max(1));
    }

    pub fn summary(&self, kind: LatencyKind) -> LatencySummary {
        let h = &self.histograms[kind as usize];
        if h.is_empty() {
            return LatencySummary::default();
        }
        LatencySummary {
            count: h.len(),
            min: h.min(),
            p50: h.value_at_quantile(0.5),
            p90: h.value_at_quantile(0.9),
            p99: h.value_at_quantile(0.99),
            p999: h.value_at_quantile(0.999),
            max: h.max(),
        }
    }

    /// Counts in buckets whose upper bounds double from 1 us (`(bound ns, count)`), up to the
    /// bucket holding the highest value recorded; empty when nothing was recorded.
    pub fn buckets(&self, kind: LatencyKind) -> Vec<(u64, u64)> {
        let h = &self.histograms[kind as usize];
        if h.is_empty() {
            return Vec::new();
        }
        h.iter_log(1_000, 2.0)
            .map(|v| (v.value_iterated_to(), v.count_since_last_iteration()))
            .collect()
    }

    pub fn reset(&mut self) {
        for h in &mut self.histograms {
            h.reset();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_follow_the_recorded_values() {
        let mut s = LatencyStats::new();
        for v in 1..=1000u64 {
            s.record(LatencyKind::SubmitToAck, v * 1000);
        }
        let sum = s.summary(LatencyKind::SubmitToAck);
        assert_eq!(sum.count, 1000);
        assert!((499_000..=501_000).contains(&sum.p50), "{sum:?}");
        assert!((989_000..=991_000).contains(&sum.p99), "{sum:?}");
        assert_eq!(s.summary(LatencyKind::AckToFill), LatencySummary::default());
    }

    #[test]
    fn outliers_are_clamped_not_lost() {
        let mut s = LatencyStats::new();
        s.record(LatencyKind::CallbackDuration, u64::MAX);
        s.record(LatencyKind::CallbackDuration, 0);
        assert_eq!(s.summary(LatencyKind::CallbackDuration).count, 2);
    }

    #[test]
    fn buckets_double_from_one_microsecond_and_hold_every_value() {
        let mut s = LatencyStats::new();
        assert!(s.buckets(LatencyKind::AckToFill).is_empty());
        for v in [500, 1_500, 1_600, 7_000] {
            s.record(LatencyKind::AckToFill, v);
        }
        let b = s.buckets(LatencyKind::AckToFill);
        let bounds: Vec<u64> = b.iter().map(|&(bound, _)| bound).collect();
        assert_eq!(bounds.len(), 4, "{b:?}");
        assert!(bounds.windows(2).all(|w| w[1] > w[0]), "{b:?}");
        assert_eq!(b.iter().map(|&(_, n)| n).sum::<u64>(), 4);
        assert_eq!(b[0].1, 1, "only 500 ns is at or below the first bound: {b:?}");
    }

    #[test]
    fn names_round_trip() {
        for k in LatencyKind::ALL {
            assert_eq!(LatencyKind::parse(k.name()), Some(k));
        }
    }
}
