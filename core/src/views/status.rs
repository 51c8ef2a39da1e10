//! The status line's facts (trading state with its reason, engine time, counters) and the
//! latency histograms, drawn as buckets.

use crate::engine::{Engine, EngineCounters};
use crate::stats::{LatencyKind, LatencyStats};
use crate::types::{TradingState, UnixNanos};
use serde::{Deserialize, Serialize};

/// Trading state, engine time and counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusView {
    pub trading_state: TradingState,
    /// Why the engine is in that state, and since when (empty and 0 for the initial ACTIVE).
    pub reason: String,
    pub since: UnixNanos,
    /// Engine time.
    pub now: UnixNanos,
    pub counters: EngineCounters,
    /// Orders working or in flight.
    pub open_orders: u64,
}

pub fn status(engine: &Engine) -> StatusView {
    let risk = engine.state().risk();
    StatusView {
        trading_state: risk.state(),
        reason: risk.state_reason().to_owned(),
        since: risk.state_since(),
        now: engine.now(),
        counters: engine.counters(),
        open_orders: engine.state().open_order_count() as u64,
    }
}

/// One histogram: its percentiles (ns) and its counts in buckets doubling from 1 us.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistogramView {
    pub name: String,
    pub count: u64,
    pub min: u64,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
    /// `(upper bound ns, count)`, in increasing bounds, up to the highest value recorded.
    pub buckets: Vec<(u64, u64)>,
}

/// The engine's four histograms, in `LatencyKind::ALL` order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatencyView {
    pub histograms: Vec<HistogramView>,
}

pub fn latency(stats: &LatencyStats) -> LatencyView {
    let histograms = LatencyKind::ALL
        .iter()
        .map(|&kind| {
            let s = stats.summary(kind);
            HistogramView {
                name: kind.name().to_owned(),
                count: s.count,
                min: s.min,
                p50: s.p50,
                p90: s.p90,
                p99: s.p99,
                p999: s.p999,
                max: s.max,
                buckets: stats.buckets(kind),
            }
        })
        .collect();
    LatencyView { histograms }
}
