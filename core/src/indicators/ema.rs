//! Exponential moving average: `ema += alpha * (x - ema)`, `alpha = 2 / (period + 1)`,
//! seeded with the first value.

use super::{check_period, Indicator, IndicatorError};

#[derive(Debug, Clone)]
pub struct ExponentialMovingAverage {
    period: usize,
    alpha: f64,
    value: f64,
    count: u64,
}

impl ExponentialMovingAverage {
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("EMA", period)?;
        Ok(Self { period, alpha: 2.0 / (period as f64 + 1.0), value: 0.0, count: 0 })
    }

    pub fn period(&self) -> usize {
        self.period
    }

    pub fn alpha(&self) -> f64 {
        self.alpha
    }
}

impl Indicator for ExponentialMovingAverage {
    fn name(&self) -> &'static str {
        "EMA"
    }

    #[inline]
    fn update(&mut self, value: f64) {
        if self.count == 0 {
            self.value = value;
        } else {
            self.value += self.alpha * (value - self.value);
        }
        self.count += 1;
    }

    #[inline]
    fn value(&self) -> f64 {
        self.value
    }

    #[inline]
    fn is_ready(&self) -> bool {
        self.count >= self.period as u64
    }

    fn count(&self) -> u64 {
        self.count
    }

    fn reset(&mut self) {
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
        // period 3: alpha = 0.5. 1 -> 1; 2 -> 1.5; 3 -> 2.25; 4 -> 3.125
        let mut ema = ExponentialMovingAverage::new(3).unwrap();
        let mut seen = Vec::new();
        for x in [1.0, 2.0, 3.0, 4.0] {
            ema.update(x);
            seen.push((ema.value(), ema.is_ready()));
        }
        assert_eq!(seen, vec![(1.0, false), (1.5, false), (2.25, true), (3.125, true)]);
    }

    #[test]
    fn period_ten_alpha() {
        let mut ema = ExponentialMovingAverage::new(10).unwrap();
        ema.update(10.0);
        ema.update(21.0);
        // alpha = 2/11; 10 + 2/11 * 11 = 12
        assert!(close(ema.value(), 12.0), "{}", ema.value());
        ema.reset();
        assert_eq!((ema.count(), ema.value()), (0, 0.0));
    }

    #[test]
    fn zero_period_is_refused() {
        assert!(ExponentialMovingAverage::new(0).is_err());
    }
}
