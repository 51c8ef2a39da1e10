//! Average true range (Wilder): true range = max(high - low, |high - prev close|,
//! |low - prev close|); the average is the mean of the first `period` ranges, then
//! `atr = (atr * (period - 1) + tr) / period`.

use super::{check_period, Indicator, IndicatorError};

#[derive(Debug, Clone)]
pub struct AverageTrueRange {
    period: usize,
    prev_close: Option<f64>,
    value: f64,
    count: u64,
}

impl AverageTrueRange {
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("ATR", period)?;
        Ok(Self { period, prev_close: None, value: 0.0, count: 0 })
    }

    pub fn period(&self) -> usize {
        self.period
    }

    /// Feeds one bar.
    pub fn update_bar(&mut self, high: f64, low: f64, close: f64) {
        let range = high - low;
        let tr = match self.prev_close {
            Some(prev) => range.max((high - prev).abs()).max((low - prev).abs()),
            None => range,
        };
        self.prev_close = Some(close);
        self.count += 1;
        let n = self.count.min(self.period as u64) as f64;
        // A running mean until the period is full, then Wilder's smoothing.
        self.value += (tr - self.value) / n;
    }
}

impl Indicator for AverageTrueRange {
    fn name(&self) -> &'static str {
        "ATR"
    }

    fn update(&mut self, value: f64) {
        self.update_bar(value, value, value);
    }

    fn value(&self) -> f64 {
        self.value
    }

    fn is_ready(&self) -> bool {
        self.count >= self.period as u64
    }

    fn count(&self) -> u64 {
        self.count
    }

    fn reset(&mut self) {
        self.prev_close = None;
        self.value = 0.0;
        self.count = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::super::close;
    use super::*;

    #[test]
    fn matches_hand_computed_values() {
        let mut atr = AverageTrueRange::new(2).unwrap();
        // bar 1: tr = 2 (no previous close) -> 2
        atr.update_bar(12.0, 10.0, 11.0);
        assert!(close(atr.value(), 2.0));
        assert!(!atr.is_ready());
        // bar 2: h-l = 1, |15-11| = 4, |14-11| = 3 -> tr 4; mean of (2, 4) = 3
        atr.update_bar(15.0, 14.0, 14.5);
        assert!(close(atr.value(), 3.0));
        assert!(atr.is_ready());
        // bar 3: h-l = 3, |16-14.5| = 1.5, |13-14.5| = 1.5 -> tr 3; (3*1 + 3)/2 = 3
        atr.update_bar(16.0, 13.0, 15.0);
        assert!(close(atr.value(), 3.0));
        // bar 4: gap down: h-l = 1, |11-15| = 4, |10-15| = 5 -> tr 5; (3 + 5)/2 = 4
        atr.update_bar(11.0, 10.0, 10.5);
        assert!(close(atr.value(), 4.0), "{}", atr.value());
    }
}
