//! EMA cross: a fast and a slow EMA of the mid price; when the fast one crosses the slow one
//! (and at the first signal), a market order takes the position to `+trade_size` (fast above)
//! or `-trade_size` (fast below).

use super::BuiltinError;
use crate::events::QuoteTick;
use crate::indicators::{ExponentialMovingAverage, Indicator};
use crate::strategy::{
    CallbackResult, Context, OrderRequest, Strategy, StrategyError, Subscriptions,
};
use crate::types::{InstrumentId, OrderSide, Quantity, StrategyId};
use serde::{Deserialize, Serialize};

fn default_fast() -> usize {
    10
}

fn default_slow() -> usize {
    20
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmaCrossConfig {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    #[serde(default = "default_fast")]
    pub fast_period: usize,
    #[serde(default = "default_slow")]
    pub slow_period: usize,
    /// Size of the position held on either side.
    pub trade_size: Quantity,
}

pub struct EmaCross {
    config: EmaCrossConfig,
    fast: ExponentialMovingAverage,
    slow: ExponentialMovingAverage,
    /// +1 fast above slow, -1 below, 0 before the first signal.
    side: i8,
    /// The position this strategy has asked for, raw units (positive long).
    target_raw: i128,
}

impl EmaCross {
    pub fn new(config: EmaCrossConfig) -> Result<Self, BuiltinError> {
        let bad = |reason: String| BuiltinError::Config { name: "ema_cross", reason };
        let fast =
            ExponentialMovingAverage::new(config.fast_period).map_err(|e| bad(e.to_string()))?;
        let slow =
            ExponentialMovingAverage::new(config.slow_period).map_err(|e| bad(e.to_string()))?;
        if config.fast_period >= config.slow_period {
            return Err(bad("fast_period must be below slow_period".to_owned()));
        }
        if config.trade_size.is_zero() {
            return Err(bad("trade_size must be positive".to_owned()));
        }
        Ok(Self { config, fast, slow, side: 0, target_raw: 0 })
    }

    /// Orders sent so far are assumed to fill (market orders); the position asked for.
    pub fn target_raw(&self) -> i128 {
        self.target_raw
    }
}

impl Strategy for EmaCross {
    fn id(&self) -> StrategyId {
        self.config.strategy_id
    }

    fn subscriptions(&self) -> Subscriptions {
        Subscriptions { quotes: true, ..Subscriptions::default() }
    }

    fn on_quote(&mut self, ctx: &mut Context<'_>, quote: &QuoteTick) -> CallbackResult {
        if quote.instrument_id != self.config.instrument_id {
            return Ok(());
        }
        // Twice the mid in raw units: the scale does not change where the averages cross.
        let mid2 = (quote.bid_price.raw() as f64) + (quote.ask_price.raw() as f64);
        self.fast.update(mid2);
        self.slow.update(mid2);
        if !self.slow.is_ready() {
            return Ok(());
        }
        let diff = self.fast.value() - self.slow.value();
        let side: i8 = if diff > 0.0 {
            1
        } else if diff < 0.0 {
            -1
        } else {
            return Ok(());
        };
        if side == self.side {
            return Ok(());
        }
        self.side = side;
        let trade_raw = i128::from(self.config.trade_size.raw());
        let target = if side > 0 { trade_raw } else { -trade_raw };
        let delta = target - self.target_raw;
        let order_side = if delta > 0 { OrderSide::Buy } else { OrderSide::Sell };
        let fail = |message: String| StrategyError {
            strategy_id: self.config.strategy_id,
            callback: "on_quote",
            message,
        };
        let quantity =
            Quantity::from_raw(delta.unsigned_abs() as u64, self.config.trade_size.precision())
                .map_err(|e| fail(e.to_string()))?;
        ctx.submit(OrderRequest::market(self.config.instrument_id, order_side, quantity))
            .map_err(|e| fail(e.to_string()))?;
        self.target_raw = target;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, EngineConfig};
    use crate::events::Event;
    use crate::matching::{BookMode, LatencyConfig, VenueConfig};
    use crate::risk::RiskConfig;
    use crate::types::{
        AccountId, AccountType, Currency, Instrument, Money, Price, UnixNanos, Venue,
    };

    fn engine() -> Engine {
        let usd = Currency::from_static("USD");
        let mut e = Engine::new(EngineConfig {
            account_id: AccountId::from_static("SIM-001"),
            account_type: AccountType::Margin,
            starting_balances: vec![Money::parse("100000000", usd).unwrap()],
            venue: Some(VenueConfig::new(
                Venue::from_static("SIM"),
                AccountId::from_static("SIM-001"),
                BookMode::L1,
            )),
            latency: LatencyConfig::Fixed {
                submit_ns: 0,
                cancel_ns: 0,
                modify_ns: 0,
                response_ns: 0,
            },
            risk: RiskConfig::default(),
            record_market_data: false,
        })
        .unwrap();
        let id = InstrumentId::from_static("EURUSD.SIM");
        let mut i = Instrument::spot(
            id,
            Currency::from_static("EUR"),
            usd,
            "0.00001".parse().unwrap(),
            "1".parse().unwrap(),
        );
        i.base_currency = None;
        e.add_instrument(i).unwrap();
        e
    }

    fn quote(ts: u64, bid: &str) -> Event {
        let bid: Price = bid.parse().unwrap();
        let ask = Price::from_raw(bid.raw() + 10_000, 5).unwrap();
        QuoteTick {
            instrument_id: InstrumentId::from_static("EURUSD.SIM"),
            bid_price: Price::from_raw(bid.raw(), 5).unwrap(),
            ask_price: ask,
            bid_size: "1000000".parse().unwrap(),
            ask_size: "1000000".parse().unwrap(),
            ts_event: UnixNanos(ts),
            ts_init: UnixNanos(ts),
        }
        .into()
    }

    fn config() -> EmaCrossConfig {
        EmaCrossConfig {
            strategy_id: StrategyId::from_static("ema"),
            instrument_id: InstrumentId::from_static("EURUSD.SIM"),
            fast_period: 2,
            slow_period: 3,
            trade_size: "100".parse().unwrap(),
        }
    }

    #[test]
    fn flips_the_position_on_each_cross() {
        let mut e = engine();
        e.add_strategy(Box::new(EmaCross::new(config()).unwrap())).unwrap();
        // Rising, then falling, then rising again: enter long, flip short, flip long.
        let prices = [
            "1.10000", "1.10010", "1.10020", "1.10030", "1.09900", "1.09800", "1.09700", "1.10500",
            "1.10900",
        ];
        for (ts, p) in prices.iter().enumerate() {
            e.process(quote(ts as u64 + 1, p)).unwrap();
        }
        let fills: Vec<(OrderSide, String)> = e
            .drain_events()
            .into_iter()
            .filter_map(|ev| match ev {
                Event::OrderFilled(f) => Some((f.side, f.last_qty.to_string())),
                _ => None,
            })
            .collect();
        assert_eq!(
            fills,
            vec![
                (OrderSide::Buy, "100".to_owned()),
                (OrderSide::Sell, "200".to_owned()),
                (OrderSide::Buy, "200".to_owned()),
            ]
        );
        let ids: Vec<String> = e
            .state()
            .orders()
            .map(|o| o.client_order_id().to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(ids, vec!["O-ema-1", "O-ema-2", "O-ema-3"]);
    }

    #[test]
    fn bad_configs_are_refused() {
        let mut c = config();
        c.fast_period = 3;
        assert!(EmaCross::new(c).is_err());
        assert!(super::super::build("ema_crosss", &[]).is_err());
        let bytes = rmp_serde::to_vec_named(&config()).unwrap();
        assert!(super::super::build("ema_cross", &bytes).is_ok());
    }
}
