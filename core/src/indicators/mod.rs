//! Technical indicators: one trait, one file per indicator. Inputs and outputs are `f64`:
//! indicators are analytics on prices (signals), never amounts of money, so the fixed-point
//! rule for money does not apply; callers convert a `Price` with `Price::as_f64`-style raw
//! division at the edge.

mod atr;
mod bollinger;
mod ema;
mod sma;

pub use atr::AverageTrueRange;
pub use bollinger::BollingerBands;
pub use ema::ExponentialMovingAverage;
pub use sma::SimpleMovingAverage;

/// A period an indicator cannot use (zero, or a non-positive band width).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndicatorError {
    #[error("{indicator}: period must be positive")]
    ZeroPeriod { indicator: &'static str },
    #[error("{indicator}: {field} must be a positive finite number")]
    InvalidParameter { indicator: &'static str, field: &'static str },
}

/// A streaming indicator: fed one value at a time, O(1) per update.
pub trait Indicator {
    fn name(&self) -> &'static str;
    /// Feeds one value (for range-based indicators: a bar whose high, low and close are it).
    fn update(&mut self, value: f64);
    /// The current value (0 before the first update).
    fn value(&self) -> f64;
    /// True once the indicator has seen a full period.
    fn is_ready(&self) -> bool;
    /// Values fed so far.
    fn count(&self) -> u64;
    /// Back to the state before the first update.
    fn reset(&mut self);
}

fn check_period(indicator: &'static str, period: usize) -> Result<(), IndicatorError> {
    if period == 0 {
        Err(IndicatorError::ZeroPeriod { indicator })
    } else {
        Ok(())
    }
}

#[cfg(test)]
pub(crate) fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}
