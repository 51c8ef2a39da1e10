//! Performance statistics of a run: an append-only, columnar record of the equity curve and of
//! closed trades, and the statistics computed from it. Money stays exact (i128 raw units) in
//! the record; ratios are floats, computed once at the end.

use crate::types::{UnixNanos, FIXED_SCALE};
use serde::Serialize;

/// Equity samples and closed-trade results, appended as the run goes; nothing is copied per
/// trade.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PerformanceRecord {
    /// Sample times of the equity curve.
    pub equity_ts: Vec<u64>,
    /// Equity (raw 10^-9 units of the account currency) at each sample.
    pub equity_raw: Vec<i128>,
    /// Close times of round trips.
    pub trade_ts: Vec<u64>,
    /// Realized PnL of each round trip, net of fees (raw units).
    pub trade_pnl_raw: Vec<i128>,
}

/// The statistics users compare runs by.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Statistics {
    /// Final equity minus starting equity, in account currency units.
    pub pnl: f64,
    /// `pnl / starting equity`.
    #[serde(rename = "return")]
    pub total_return: f64,
    /// Annualised mean over standard deviation of period returns (0 when undefined).
    pub sharpe: f64,
    /// Annualised mean over downside deviation of period returns (0 when undefined).
    pub sortino: f64,
    /// Largest peak-to-trough fall of equity, as a fraction of the peak (0..=1).
    pub max_drawdown: f64,
    /// Gross profit over gross loss of trades (infinite with no losing trade, 0 with no trade).
    pub profit_factor: f64,
    /// Winning trades over all trades.
    pub win_rate: f64,
    /// Mean PnL per trade.
    pub expectancy: f64,
    pub trades: u64,
}

impl PerformanceRecord {
    pub fn record_equity(&mut self, ts: UnixNanos, equity_raw: i128) {
        self.equity_ts.push(ts.0);
        self.equity_raw.push(equity_raw);
    }

    pub fn record_trade(&mut self, ts: UnixNanos, pnl_raw: i128) {
        self.trade_ts.push(ts.0);
        self.trade_pnl_raw.push(pnl_raw);
    }

    /// Statistics with returns taken between consecutive equity samples, annualised with
    /// `periods_per_year` samples a year.
    pub fn statistics(&self, periods_per_year: f64) -> Statistics {
        let units = |raw: i128| raw as f64 / FIXED_SCALE as f64;
        let (start, end) = match (self.equity_raw.first(), self.equity_raw.last()) {
            (Some(&s), Some(&e)) => (s, e),
            _ => (0, 0),
        };
        let pnl = units(end - start);
        let total_return = if start == 0 { 0.0 } else { pnl / units(start) };

        let returns: Vec<f64> = self
            .equity_raw
            .windows(2)
            .filter(|w| w[0] != 0)
            .map(|w| (w[1] - w[0]) as f64 / w[0] as f64)
            .collect();
        let n = returns.len() as f64;
        let (sharpe, sortino) = if returns.len() < 2 {
            (0.0, 0.0)
        } else {
            let mean = returns.iter().sum::<f64>() / n;
            let var = returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0);
            let down = returns.iter().map(|r| r.min(0.0).powi(2)).sum::<f64>() / n;
            let annual = periods_per_year.sqrt();
            let ratio = |dev: f64| if dev > 0.0 { mean / dev * annual } else { 0.0 };
            (ratio(var.sqrt()), ratio(down.sqrt()))
        };

        let mut peak = i128::MIN;
        let mut max_drawdown = 0.0_f64;
        for &e in &self.equity_raw {
            peak = peak.max(e);
            if peak > 0 {
                max_drawdown = max_drawdown.max((peak - e) as f64 / peak as f64);
            }
        }

        let trades = self.trade_pnl_raw.len();
        let gross_profit: i128 = self.trade_pnl_raw.iter().filter(|&&p| p > 0).sum();
        let gross_loss: i128 = -self.trade_pnl_raw.iter().filter(|&&p| p < 0).sum::<i128>();
        let wins = self.trade_pnl_raw.iter().filter(|&&p| p > 0).count();
        let profit_factor = match (gross_profit, gross_loss) {
            (0, 0) => 0.0,
            (_, 0) => f64::INFINITY,
            (p, l) => p as f64 / l as f64,
        };
        let (win_rate, expectancy) = if trades == 0 {
            (0.0, 0.0)
        } else {
            let total: i128 = self.trade_pnl_raw.iter().sum();
            (wins as f64 / trades as f64, units(total) / trades as f64)
        };
        Statistics {
            pnl,
            total_return,
            sharpe,
            sortino,
            max_drawdown,
            profit_factor,
            win_rate,
            expectancy,
            trades: trades as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const U: i128 = FIXED_SCALE as i128;

    fn record(equity: &[i128], trades: &[i128]) -> PerformanceRecord {
        let mut r = PerformanceRecord::default();
        for (i, &e) in equity.iter().enumerate() {
            r.record_equity(UnixNanos(i as u64), e * U);
        }
        for (i, &p) in trades.iter().enumerate() {
            r.record_trade(UnixNanos(i as u64), p * U);
        }
        r
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn hand_computed_curve() {
        // Equity 100 -> 110 -> 99 -> 120: returns +10%, -10%, +21.2121...%.
        let r = record(&[100, 110, 99, 120], &[10, -11, 21]);
        let s = r.statistics(252.0);
        assert!(close(s.pnl, 20.0));
        assert!(close(s.total_return, 0.2));
        // Drawdown: peak 110, trough 99 -> 10%.
        assert!(close(s.max_drawdown, 0.1));
        let rets = [0.1, -0.1, 21.0 / 99.0];
        let mean = rets.iter().sum::<f64>() / 3.0;
        let sd = (rets.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
        assert!(close(s.sharpe, mean / sd * 252f64.sqrt()));
        let dd = (0.01_f64 / 3.0).sqrt();
        assert!(close(s.sortino, mean / dd * 252f64.sqrt()));
        // Trades: +10, -11, +21 -> PF 31/11, win rate 2/3, expectancy 20/3.
        assert!(close(s.profit_factor, 31.0 / 11.0));
        assert!(close(s.win_rate, 2.0 / 3.0));
        assert!(close(s.expectancy, 20.0 / 3.0));
        assert_eq!(s.trades, 3);
    }

    #[test]
    fn empty_and_flat_runs_are_zero_not_nan() {
        let s = PerformanceRecord::default().statistics(252.0);
        assert!(close(s.sharpe, 0.0));
        assert!(close(s.profit_factor, 0.0));
        let flat = record(&[100, 100, 100], &[]).statistics(252.0);
        assert!(close(flat.sharpe, 0.0));
        assert!(close(flat.max_drawdown, 0.0));
        let winners = record(&[100, 101], &[1, 2]).statistics(252.0);
        assert!(winners.profit_factor.is_infinite());
    }
}
