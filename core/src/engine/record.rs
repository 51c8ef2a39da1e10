//! The engine's performance record: equity sampled on a fixed period of engine time (cash plus
//! open positions valued at the last quote's mid) and the result of every round trip (realized
//! P&L net of fees, booked when a position closes or flips). Append-only and columnar
//! (`crate::performance::PerformanceRecord`); off unless a host turns it on.

use super::{Engine, EngineError};
use crate::performance::PerformanceRecord;
use crate::types::{Currency, InstrumentId, Price, StrategyId, UnixNanos, FIXED_PRECISION};
use std::collections::BTreeMap;

/// What the engine keeps while recording.
#[derive(Debug, Clone)]
pub(super) struct Recorder {
    currency: Currency,
    interval_ns: u64,
    /// The next equity sample is taken at the first quote at or after this time.
    next_sample: u64,
    /// Per position: realized P&L net of fees when it last closed (raw units).
    closed_net: BTreeMap<(InstrumentId, StrategyId), i128>,
    pub(super) record: PerformanceRecord,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("performance sampling interval must be positive")]
    ZeroInterval,
}

impl Engine {
    /// Starts recording the equity curve (in `currency`, sampled every `interval_ns` of engine
    /// time) and round-trip results. Starting again resets the record.
    pub fn record_performance(
        &mut self,
        currency: Currency,
        interval_ns: u64,
    ) -> Result<(), EngineError> {
        if interval_ns == 0 {
            return Err(EngineError::Record(RecordError::ZeroInterval));
        }
        self.recorder = Some(Box::new(Recorder {
            currency,
            interval_ns,
            next_sample: 0,
            closed_net: BTreeMap::new(),
            record: PerformanceRecord::default(),
        }));
        Ok(())
    }

    /// The record so far (`None` when not recording).
    pub fn performance(&self) -> Option<&PerformanceRecord> {
        self.recorder.as_ref().map(|r| &r.record)
    }

    /// Samples equity when the sampling period has come round (called after each quote).
    #[inline]
    pub(super) fn maybe_sample(&mut self, ts: UnixNanos) -> Result<(), EngineError> {
        match &self.recorder {
            Some(r) if ts.0 >= r.next_sample => self.sample_equity(ts),
            _ => Ok(()),
        }
    }

    /// Records equity now (and moves the next sample to the following period boundary).
    pub(super) fn sample_equity(&mut self, ts: UnixNanos) -> Result<(), EngineError> {
        let Some(recorder) = self.recorder.as_ref() else { return Ok(()) };
        let instruments = &self.state.instruments;
        let index = &self.state.instrument_index;
        let mid = |id: InstrumentId| -> Option<Price> {
            let quote = instruments[*index.get(&id)?].quote?;
            let raw = i64::midpoint(quote.bid_price.raw(), quote.ask_price.raw());
            Price::from_raw(raw, FIXED_PRECISION).ok()
        };
        let equity = self.state.portfolio.equity_at(recorder.currency, mid)?;
        if let Some(recorder) = self.recorder.as_mut() {
            recorder.record.record_equity(ts, equity.amount);
            recorder.next_sample = (ts.0 / recorder.interval_ns + 1) * recorder.interval_ns;
        }
        Ok(())
    }

    /// Books a round trip of the position of (`instrument_id`, `strategy_id`), which has just
    /// closed or flipped: its realized P&L net of fees since its previous close.
    pub(super) fn record_round_trip(
        &mut self,
        instrument_id: InstrumentId,
        strategy_id: StrategyId,
        ts: UnixNanos,
    ) {
        let Some(recorder) = self.recorder.as_mut() else { return };
        let Some(position) = self.state.portfolio.position(instrument_id, strategy_id) else {
            return;
        };
        let net = position.realized_pnl().amount - position.fees().amount;
        let key = (instrument_id, strategy_id);
        let before = recorder.closed_net.insert(key, net).unwrap_or(0);
        recorder.record.record_trade(ts, net - before);
    }
}
