//! Simple moving average over the last `period` values (a ring buffer and a running sum).

use super::{check_period, Indicator, IndicatorError};

#[derive(Debug, Clone)]
pub struct SimpleMovingAverage {
    period: usize,
    window: Vec<f64>,
    next: usize,
    sum: f64,
    count: u64,
}

impl SimpleMovingAverage {
    pub fn new(period: usize) -> Result<Self, IndicatorError> {
        check_period("SMA", period)?;
        Ok(Self { period, window: Vec::with_capacity(period), next: 0, sum: 0.0, count: 0 })
    }

    pub fn period(&self) -> usize {
        self.period
    }

    /// The values in the window, oldest first.
    pub fn window(&self) -> impl Iterator<Item = f64> + '_ {
        let (newer, older) = self.window.split_at(self.next.min(self.window.len()));
        older.iter().chain(newer).copied()
    }
}

impl Indicator for SimpleMovingAverage {
    fn name(&self) -> &'static str {
        "SMA"
    }

    fn update(&mut self, value: f64) {
        if self.window.len() < self.period {
            self.window.push(value);
            self.next = self.window.len() % self.period;
        } else {
            self.sum -= self.window[self.next];
            self.window[self.next] = value;
            self.next = (self.next + 1) % self.period;
        }
        self.sum += value;
        self.count += 1;
    }

    fn value(&self) -> f64 {
        if self.window.is_empty() {
            0.0
        } else {
            self.sum / self.window.len() as f64
        }
    }

    fn is_ready(&self) -> bool {
        self.window.len() == self.period
    }

    fn count(&self) -> u64 {
        self.count
    }

    fn reset(&mut self) {
        self.window.clear();
        self.next = 0;
        self.sum = 0.0;
        self.count = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::super::close;
    use super::*;

    #[test]
    fn matches_hand_computed_values() {
        let mut sma = SimpleMovingAverage::new(3).unwrap();
        let mut seen = Vec::new();
        for x in [1.0, 2.0, 3.0, 4.0, 10.0] {
            sma.update(x);
            seen.push(sma.value());
        }
        // 1; 1.5; 2; (2+3+4)/3 = 3; (3+4+10)/3 = 17/3
        let want = [1.0, 1.5, 2.0, 3.0, 17.0 / 3.0];
        assert!(seen.iter().zip(want).all(|(a, b)| close(*a, b)), "{seen:?}");
        assert!(sma.is_ready());
        assert_eq!(sma.window().collect::<Vec<_>>(), vec![3.0, 4.0, 10.0]);
    }
}
