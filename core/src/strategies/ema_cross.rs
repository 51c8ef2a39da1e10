//! EMA cross: a fast and a slow EMA of the mid price; long `trade_size` while the fast one is
//! above the slow one, short `trade_size` while below. The strategy holds that target: one
//! market order at a time trades the difference between the target and the position, and when
//! it ends (filled, or its IOC remainder canceled, rejected or denied) the next quote trades
//! what is still missing. The position never goes past the target. `strategies/ema_cross.py`
//! is the same strategy in Python, with the same parameters and defaults.

use super::BuiltinError;
use crate::events::{Event, QuoteTick};
use crate::indicators::{ExponentialMovingAverage, Indicator};
use crate::strategy::{
    CallbackResult, Context, OrderRequest, Strategy, StrategyError, Subscriptions,
};
use crate::types::{ClientOrderId, InstrumentId, OrderSide, Quantity, StrategyId};
use serde::{Deserialize, Serialize};

fn default_fast() -> usize {
    10
}

fn default_slow() -> usize {
    20
}

fn default_trade_size() -> Quantity {
    Quantity::from_raw(10_000_000, 2).unwrap_or_default() // 0.01
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
    #[serde(default = "default_trade_size")]
    pub trade_size: Quantity,
}

pub struct EmaCross {
    config: EmaCrossConfig,
    fast: ExponentialMovingAverage,
    slow: ExponentialMovingAverage,
    /// The position wanted, raw units (positive long); 0 before the first signal.
    target_raw: i128,
    /// The one order working towards the target.
    working: Option<ClientOrderId>,
    /// The position may differ from the target: the target moved, or an order ended.
    dirty: bool,
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
        Ok(Self { config, fast, slow, target_raw: 0, working: None, dirty: false })
    }

    /// The position the strategy wants, raw units (positive long).
    pub fn target_raw(&self) -> i128 {
        self.target_raw
    }

    /// Sends one market order for the difference between the target and the position.
    fn trade_to_target(&mut self, ctx: &mut Context<'_>) -> CallbackResult {
        self.dirty = false;
        let held = ctx
            .position(self.config.instrument_id)
            .map_or(0, crate::portfolio::Position::signed_qty_raw);
        let delta = self.target_raw - held;
        if delta == 0 {
            return Ok(());
        }
        let fail = |message: String| StrategyError {
            strategy_id: self.config.strategy_id,
            callback: "on_quote",
            message,
        };
        let side = if delta > 0 { OrderSide::Buy } else { OrderSide::Sell };
        let raw = u64::try_from(delta.unsigned_abs()).map_err(|e| fail(e.to_string()))?;
        // What is missing after a partial fill has the lot's decimals, not the trade size's.
        let precision = ctx
            .instrument(self.config.instrument_id)
            .map_or(self.config.trade_size.precision(), |i| i.size_precision);
        let quantity = Quantity::from_raw(raw, precision).map_err(|e| fail(e.to_string()))?;
        let id = ctx
            .submit(OrderRequest::market(self.config.instrument_id, side, quantity))
            .map_err(|e| fail(e.to_string()))?;
        self.working = Some(id);
        Ok(())
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
        let (fast, slow) = (self.fast.value(), self.slow.value());
        // Exactly equal averages give no signal (as in strategies/ema_cross.py).
        #[allow(clippy::float_cmp)]
        if !self.slow.is_ready() || fast == slow {
            return Ok(());
        }
        let size = i128::from(self.config.trade_size.raw());
        let target = if fast > slow { size } else { -size };
        if target != self.target_raw {
            self.target_raw = target;
            self.dirty = true;
        }
        if self.dirty && self.working.is_none() {
            self.trade_to_target(ctx)?;
        }
        Ok(())
    }

    fn on_order_event(&mut self, ctx: &mut Context<'_>, event: &Event) -> CallbackResult {
        let done = matches!(
            event,
            Event::OrderFilled(_)
                | Event::OrderCanceled(_)
                | Event::OrderRejected(_)
                | Event::OrderDenied(_)
                | Event::OrderExpired(_)
        );
        let Some(id) = self.working.filter(|id| done && event.client_order_id() == Some(*id))
        else {
            return Ok(());
        };
        // A partly filled IOC order ends canceled: the next quote trades what is missing.
        if ctx.order(id).is_none_or(crate::orders::Order::is_terminal) {
            self.working = None;
            self.dirty = true;
        }
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
        quote_sized(ts, bid, "1000000")
    }

    fn quote_sized(ts: u64, bid: &str, size: &str) -> Event {
        let bid: Price = bid.parse().unwrap();
        let ask = Price::from_raw(bid.raw() + 10_000, 5).unwrap();
        QuoteTick {
            instrument_id: InstrumentId::from_static("EURUSD.SIM"),
            bid_price: Price::from_raw(bid.raw(), 5).unwrap(),
            ask_price: ask,
            bid_size: size.parse().unwrap(),
            ask_size: size.parse().unwrap(),
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

    fn fills(e: &mut Engine) -> Vec<(OrderSide, String)> {
        e.drain_events()
            .into_iter()
            .filter_map(|ev| match ev {
                Event::OrderFilled(f) => Some((f.side, f.last_qty.to_string())),
                _ => None,
            })
            .collect()
    }

    fn held(e: &Engine) -> i128 {
        e.state().portfolio().net_position_raw(InstrumentId::from_static("EURUSD.SIM"))
    }

    #[test]
    fn a_partly_filled_order_is_topped_up_and_never_overshoots() {
        let mut e = engine();
        e.add_strategy(Box::new(EmaCross::new(config()).unwrap())).unwrap();
        let lot = 1_000_000_000; // 1 unit, raw
                                 // Rising prices with 60 units at the touch: the first IOC buy fills 60 of 100.
        for (ts, p) in ["1.10000", "1.10010", "1.10020"].iter().enumerate() {
            e.process(quote_sized(ts as u64 + 1, p, "60")).unwrap();
        }
        assert_eq!(fills(&mut e), [(OrderSide::Buy, "60".to_owned())]);
        // The next quote trades only what is missing.
        e.process(quote_sized(4, "1.10030", "60")).unwrap();
        assert_eq!(fills(&mut e), [(OrderSide::Buy, "40".to_owned())]);
        assert_eq!(held(&e), 100 * lot);
        // Held: more rising quotes trade nothing.
        e.process(quote_sized(5, "1.10040", "60")).unwrap();
        assert!(fills(&mut e).is_empty());
        // A fall flips to -100 in pieces of at most 60, never past it.
        let mut position = Vec::new();
        for (ts, p) in ["1.09900", "1.09800", "1.09700", "1.09600"].iter().enumerate() {
            e.process(quote_sized(ts as u64 + 6, p, "60")).unwrap();
            position.push(held(&e) / lot);
        }
        assert_eq!(position, [40, -20, -80, -100]);
        assert_eq!(
            fills(&mut e).iter().map(|f| f.1.as_str()).collect::<Vec<_>>(),
            ["60", "60", "60", "20"]
        );
    }

    #[test]
    fn defaults_are_those_of_the_python_example() {
        let bytes = rmp_serde::to_vec_named(&serde_json::json!({
            "strategy_id": "ema",
            "instrument_id": "EURUSD.SIM",
        }))
        .unwrap();
        let c: EmaCrossConfig = rmp_serde::from_slice(&bytes).unwrap();
        assert_eq!((c.fast_period, c.slow_period), (10, 20));
        assert_eq!(c.trade_size.to_string(), "0.01");
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
