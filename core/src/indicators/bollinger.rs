//! Bollinger bands: the simple moving average of the last `period` values, plus and minus `k`
//! population standard deviations of the same window.

use super::sma::SimpleMovingAverage;
use super::{Indicator, IndicatorError};

#[derive(Debug, Clone)]
pub struct BollingerBands {
    sma: SimpleMovingAverage,
    k: f64,
    upper: f64,
    lower: f64,
}

impl BollingerBands {
    pub fn new(period: usize, k: f64) -> Result<Self, IndicatorError> {
        if !(k.is_finite() && k > 0.0) {
            return Err(IndicatorError::InvalidParameter {
                indicator: "BollingerBands",
                field: "k",
            });
        }
        let sma = SimpleMovingAverage::new(period)
            .map_err(|_| IndicatorError::ZeroPeriod { indicator: "BollingerBands" })?;
        Ok(Self { sma, k, upper: 0.0, lower: 0.0 })
    }

    pub fn period(&self) -> usize {
        self.sma.period()
    }

    pub fn k(&self) -> f64 {
        self.k
    }

    pub fn middle(&self) -> f64 {
        self.sma.value()
    }

    pub fn upper(&self) -> f64 {
        self.upper
    }

    pub fn lower(&self) -> f64 {
        self.lower
    }
}

impl Indicator for BollingerBands {
    fn name(&self) -> &'static str {
        "BollingerBands"
    }

    fn update(&mut self, value: f64) {
        self.sma.update(value);
        let mean = self.sma.value();
        let (sum_sq, n) =
            self.sma.window().fold((0.0, 0.0), |(s, n), x| (s + (x - mean).powi(2), n + 1.0));
        let std = (sum_sq / n).sqrt();
        self.upper = mean + self.k * std;
        self.lower = mean - self.k * std;
    }

    fn value(&self) -> f64 {
        self.middle()
    }

    fn is_ready(&self) -> bool {
        self.sma.is_ready()
    }

    fn count(&self) -> u64 {
        self.sma.count()
    }

    fn reset(&mut self) {
        self.sma.reset();
        self.upper = 0.0;
        self.lower = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::super::close;
    use super::*;

    #[test]
    fn matches_hand_computed_values() {
        // Window 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population std 2.
        let mut bb = BollingerBands::new(8, 2.0).unwrap();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            bb.update(x);
        }
        assert!(bb.is_ready());
        assert!(close(bb.middle(), 5.0));
        assert!(close(bb.upper(), 9.0));
        assert!(close(bb.lower(), 1.0));
        // Slide: drop 2, add 5 -> 4,4,4,5,5,7,9,5: mean 43/8.
        bb.update(5.0);
        assert!(close(bb.middle(), 43.0 / 8.0));
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(BollingerBands::new(0, 2.0).is_err());
        assert!(BollingerBands::new(5, 0.0).is_err());
        assert!(BollingerBands::new(5, f64::NAN).is_err());
    }
}
