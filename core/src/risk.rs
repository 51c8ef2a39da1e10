//! Pre-trade risk: checks every submit and modify against the configured limits and the
//! trading state. A refusal is data (a [`Denial`]) that the engine turns into `OrderDenied`;
//! cancels always pass.
//!
//! Rules, in the order they are checked:
//!
//! 1. **Trading state.** HALTED denies every submit and modify. REDUCING lets through only
//!    orders that shrink the net position without flipping it, counting the other open orders
//!    on the same side as if they filled first: the order's side must be opposite to the net
//!    position and `open same-side quantity + order quantity <= |net position|`.
//! 2. **`max_order_quantity`**: the order's total quantity, globally or per instrument.
//! 3. **`max_notional_per_order`**: `quantity * price * multiplier` where the price is the
//!    limit price, else the trigger price, else (market orders) the reference price. A market
//!    order with no reference price, or an instrument quoted in another currency than the
//!    limit, is denied: a configured check that cannot be evaluated fails closed.
//! 4. **`price_band`**: every limit and trigger price must satisfy
//!    `|price - reference| <= |reference| * band` (the band width truncated toward zero). The
//!    reference is the mid of the last quote, else the last trade (see [`reference_price`]);
//!    with none, a priced order is denied. Market orders carry no price and skip the band.
//! 5. **`max_open_orders`** (submits only): denied when the view already counts that many.
//! 6. **`max_position`**: the worst case `|net + side * (open same-side + order quantity)|`
//!    must stay within the limit, unless it is no larger than `|net|` (an order that does not
//!    add exposure is never denied by this check).
//! 7. **Throttles** (`submit_rate`, `modify_rate`): at most `count` commands that passed
//!    every check within any window of `interval_ns` on the engine clock. A command at `now`
//!    sees the window `(now - interval_ns, now]`; denied commands are not counted.
//!
//! A modify is checked as the order it would become, with two differences: its own unfilled
//! quantity is taken out of the view's open quantity, and the price band applies only to the
//! prices the modify changes (a resting order the market moved away from can still be reduced).

use crate::events::{CancelOrder, ModifyOrder, SubmitOrder, TradingStateChanged};
use crate::types::{
    Instrument, InstrumentId, Money, OrderSide, OrderType, Price, Quantity, Ratio, TradingState,
    UnixNanos, FIXED_SCALE,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::fmt;

/// A configuration the risk engine cannot run with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RiskError {
    #[error("invalid risk config {field}: {reason}")]
    InvalidConfig { field: &'static str, reason: String },
}

/// One limit for every instrument, or a limit per instrument (unlisted ones are unlimited).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum QuantityLimit {
    /// The same limit for every instrument.
    All(Quantity),
    /// A limit per instrument id.
    PerInstrument(BTreeMap<InstrumentId, Quantity>),
}

impl QuantityLimit {
    /// The limit that applies to `instrument_id`, if any.
    pub fn for_instrument(&self, instrument_id: InstrumentId) -> Option<Quantity> {
        match self {
            Self::All(q) => Some(*q),
            Self::PerInstrument(map) => map.get(&instrument_id).copied(),
        }
    }
}

/// At most `count` commands in any sliding window of `interval_ns` nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Commands allowed per window.
    pub count: usize,
    /// Window length in nanoseconds of engine time.
    pub interval_ns: u64,
}

/// Which checks run, and their limits; an absent field disables its check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskConfig {
    /// Largest quantity of one order.
    pub max_order_quantity: Option<QuantityLimit>,
    /// Largest notional of one order, in the instrument's quote currency.
    pub max_notional_per_order: Option<Money>,
    /// Largest relative distance of a limit or trigger price from the reference price.
    pub price_band: Option<Ratio>,
    /// Most open orders before a submit is denied.
    pub max_open_orders: Option<usize>,
    /// Submit throttle.
    pub submit_rate: Option<RateLimit>,
    /// Modify throttle.
    pub modify_rate: Option<RateLimit>,
    /// Largest absolute net position per instrument, open orders included.
    pub max_position: Option<QuantityLimit>,
}

/// What the engine knows about the market and the book of orders when a command arrives.
#[derive(Debug, Clone, Copy)]
pub struct RiskView<'a> {
    /// The instrument the command is for.
    pub instrument: &'a Instrument,
    /// Mid of the last quote, else the last trade (see [`reference_price`]).
    pub reference_price: Option<Price>,
    /// Open orders the `max_open_orders` limit counts.
    pub open_orders: usize,
    /// Signed net position of the instrument in raw units, over all strategies.
    pub net_position_raw: i128,
    /// Unfilled quantity of open buy orders of the instrument, raw units.
    pub open_buy_raw: u128,
    /// Unfilled quantity of open sell orders of the instrument, raw units.
    pub open_sell_raw: u128,
}

/// The order a modify applies to, as it is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingOrder {
    /// Buy or sell.
    pub side: OrderSide,
    /// Market, limit, stop-market or stop-limit.
    pub order_type: OrderType,
    /// Total quantity ordered.
    pub quantity: Quantity,
    /// Quantity filled so far.
    pub filled_qty: Quantity,
    /// Limit price, if any.
    pub price: Option<Price>,
    /// Trigger price, if any.
    pub trigger_price: Option<Price>,
}

/// A refused command: why, and which check refused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    /// Human-readable cause, for `OrderDenied.reason`.
    pub reason: String,
    /// The check that refused, e.g. `price_band`.
    pub check: &'static str,
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.check, self.reason)
    }
}

fn deny<T>(check: &'static str, reason: impl Into<String>) -> Result<T, Denial> {
    Err(Denial { reason: reason.into(), check })
}

/// The reference price for the band: the mid of a quote if there is one, else the last trade.
/// The mid is truncated toward zero and shown with one more decimal than the quote.
pub fn reference_price(
    bid_ask: Option<(Price, Price)>,
    last_trade: Option<Price>,
) -> Option<Price> {
    let Some((bid, ask)) = bid_ask else {
        return last_trade;
    };
    let mid = i64::midpoint(bid.raw(), ask.raw());
    let precision = (bid.precision().max(ask.precision()) + 1).min(9);
    Price::from_raw(mid, precision).or_else(|_| Price::from_raw(mid, 9)).ok()
}

/// A sliding-window counter of commands that passed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Throttle {
    sent: VecDeque<UnixNanos>,
}

impl Throttle {
    fn check(
        &mut self,
        limit: Option<RateLimit>,
        now: UnixNanos,
        check: &'static str,
    ) -> Result<(), Denial> {
        let Some(limit) = limit else { return Ok(()) };
        while self.sent.front().is_some_and(|t| now.since(*t) >= limit.interval_ns) {
            self.sent.pop_front();
        }
        if self.sent.len() >= limit.count {
            return deny(check, format!("more than {} in {} ns", limit.count, limit.interval_ns));
        }
        Ok(())
    }

    fn record(&mut self, limit: Option<RateLimit>, now: UnixNanos) {
        if limit.is_some() {
            self.sent.push_back(now);
        }
    }
}

/// The order being checked, as it would be after the command.
struct Proposed {
    instrument_id: InstrumentId,
    side: OrderSide,
    order_type: OrderType,
    quantity: Quantity,
    /// Unfilled quantity the order adds to exposure, raw.
    leaves_raw: u128,
    price: Option<Price>,
    trigger_price: Option<Price>,
    /// Prices the price band applies to.
    banded: [Option<Price>; 2],
    /// Raw unfilled quantity of this same order already in the view's open quantity.
    own_open_raw: u128,
}

/// Pre-trade checks and the trading state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RiskEngine {
    config: RiskConfig,
    state: TradingState,
    /// Why and since when the state is what it is (empty and 0 for the initial ACTIVE).
    #[serde(default)]
    state_reason: String,
    #[serde(default)]
    state_since: UnixNanos,
    submits: Throttle,
    modifies: Throttle,
}

impl RiskEngine {
    /// An ACTIVE risk engine with the given limits.
    pub fn new(config: RiskConfig) -> Result<Self, RiskError> {
        let invalid =
            |field, reason: &str| RiskError::InvalidConfig { field, reason: reason.into() };
        if config.price_band.is_some_and(|b| b.raw() < 0) {
            return Err(invalid("price_band", "must not be negative"));
        }
        if config.max_notional_per_order.is_some_and(|m| m.amount < 0) {
            return Err(invalid("max_notional_per_order", "must not be negative"));
        }
        for (field, rate) in
            [("submit_rate", config.submit_rate), ("modify_rate", config.modify_rate)]
        {
            if rate.is_some_and(|r| r.interval_ns == 0) {
                return Err(invalid(field, "interval_ns must be positive"));
            }
        }
        let (submits, modifies) = (Throttle::default(), Throttle::default());
        Ok(Self {
            config,
            state: TradingState::Active,
            state_reason: String::new(),
            state_since: UnixNanos(0),
            submits,
            modifies,
        })
    }

    /// The limits in force.
    pub fn config(&self) -> &RiskConfig {
        &self.config
    }

    /// ACTIVE, REDUCING or HALTED.
    pub fn state(&self) -> TradingState {
        self.state
    }

    /// Why the trading state is what it is (the reason of the change that set it).
    pub fn state_reason(&self) -> &str {
        &self.state_reason
    }

    /// When the trading state last changed (0: never).
    pub fn state_since(&self) -> UnixNanos {
        self.state_since
    }

    /// Moves to `state`; the event to log, or `None` when the state does not change.
    pub fn set_state(
        &mut self,
        state: TradingState,
        reason: &str,
        ts: UnixNanos,
    ) -> Option<TradingStateChanged> {
        if state == self.state {
            return None;
        }
        self.state = state;
        reason.clone_into(&mut self.state_reason);
        self.state_since = ts;
        Some(TradingStateChanged { state, reason: reason.to_owned(), ts_event: ts, ts_init: ts })
    }

    /// Checks a new order; when it passes it counts against the submit rate.
    pub fn check_submit(
        &mut self,
        cmd: &SubmitOrder,
        view: &RiskView,
        now: UnixNanos,
    ) -> Result<(), Denial> {
        let order = Proposed {
            instrument_id: cmd.instrument_id,
            side: cmd.side,
            order_type: cmd.order_type,
            quantity: cmd.quantity,
            leaves_raw: u128::from(cmd.quantity.raw()),
            price: cmd.price,
            trigger_price: cmd.trigger_price,
            banded: [cmd.price, cmd.trigger_price],
            own_open_raw: 0,
        };
        self.check_order(&order, view)?;
        if let Some(max) = self.config.max_open_orders {
            if view.open_orders >= max {
                return deny(
                    "max_open_orders",
                    format!("{} open orders, the limit is {max}", view.open_orders),
                );
            }
        }
        self.submits.check(self.config.submit_rate, now, "submit_rate")?;
        self.submits.record(self.config.submit_rate, now);
        Ok(())
    }

    /// Checks a modification of `order`; when it passes it counts against the modify rate.
    pub fn check_modify(
        &mut self,
        cmd: &ModifyOrder,
        order: &WorkingOrder,
        view: &RiskView,
        now: UnixNanos,
    ) -> Result<(), Denial> {
        let quantity = cmd.quantity.unwrap_or(order.quantity);
        let changed = |new: Option<Price>, old: Option<Price>| new.filter(|p| Some(*p) != old);
        let proposed = Proposed {
            instrument_id: cmd.instrument_id,
            side: order.side,
            order_type: order.order_type,
            quantity,
            leaves_raw: u128::from(quantity.raw().saturating_sub(order.filled_qty.raw())),
            price: cmd.price.or(order.price),
            trigger_price: cmd.trigger_price.or(order.trigger_price),
            banded: [
                changed(cmd.price, order.price),
                changed(cmd.trigger_price, order.trigger_price),
            ],
            own_open_raw: u128::from(order.quantity.raw().saturating_sub(order.filled_qty.raw())),
        };
        self.check_order(&proposed, view)?;
        self.modifies.check(self.config.modify_rate, now, "modify_rate")?;
        self.modifies.record(self.config.modify_rate, now);
        Ok(())
    }

    /// Cancels always pass, in every trading state.
    pub fn check_cancel(&self, _cmd: &CancelOrder) -> Result<(), Denial> {
        Ok(())
    }

    /// The checks submits and modifies share, in the documented order.
    fn check_order(&self, order: &Proposed, view: &RiskView) -> Result<(), Denial> {
        if view.instrument.id != order.instrument_id {
            return deny(
                "instrument",
                format!("view is for {}, order for {}", view.instrument.id, order.instrument_id),
            );
        }
        let net = view.net_position_raw;
        let same_side_open = match order.side {
            OrderSide::Buy => view.open_buy_raw,
            OrderSide::Sell => view.open_sell_raw,
        }
        .saturating_sub(order.own_open_raw);
        let exposure =
            i128::try_from(same_side_open.saturating_add(order.leaves_raw)).unwrap_or(i128::MAX);
        match self.state {
            TradingState::Active => {}
            TradingState::Halted => return deny("trading_state", "trading is HALTED"),
            TradingState::Reducing => {
                let reduces =
                    net.signum() == -i128::from(order.side.sign()) && exposure <= net.abs();
                if !reduces {
                    return deny(
                        "trading_state",
                        format!("REDUCING: a {} of {} (with open orders) does not reduce a net position of {}",
                            order.side, raw_qty(exposure), raw_qty(net)),
                    );
                }
            }
        }
        self.check_quantity(order)?;
        self.check_notional(order, view)?;
        self.check_band(order, view)?;
        if let Some(limit) =
            self.config.max_position.as_ref().and_then(|l| l.for_instrument(order.instrument_id))
        {
            let projected =
                net.saturating_add(exposure.saturating_mul(i128::from(order.side.sign())));
            if projected.abs() > i128::from(limit.raw()) && projected.abs() > net.abs() {
                return deny(
                    "max_position",
                    format!(
                        "net position could reach {}, the limit is {limit}",
                        raw_qty(projected)
                    ),
                );
            }
        }
        Ok(())
    }

    fn check_quantity(&self, order: &Proposed) -> Result<(), Denial> {
        let limit = self
            .config
            .max_order_quantity
            .as_ref()
            .and_then(|l| l.for_instrument(order.instrument_id));
        match limit {
            Some(max) if order.quantity > max => deny(
                "max_order_quantity",
                format!("quantity {} is above the limit {max}", order.quantity),
            ),
            _ => Ok(()),
        }
    }

    fn check_notional(&self, order: &Proposed, view: &RiskView) -> Result<(), Denial> {
        const CHECK: &str = "max_notional_per_order";
        let Some(max) = self.config.max_notional_per_order else {
            return Ok(());
        };
        if max.currency != view.instrument.quote_currency {
            return deny(
                CHECK,
                format!(
                    "limit is in {}, the instrument is quoted in {}",
                    max.currency, view.instrument.quote_currency
                ),
            );
        }
        let Some(price) = order.price.or(order.trigger_price).or(view.reference_price) else {
            return deny(
                CHECK,
                format!(
                    "{} order without a reference price: its notional cannot be checked",
                    order.order_type
                ),
            );
        };
        let notional = match view.instrument.notional(price, order.quantity) {
            Ok(n) => n,
            Err(e) => return deny(CHECK, e.to_string()),
        };
        if notional.amount.abs() > max.amount {
            return deny(CHECK, format!("notional {notional} is above the limit {max}"));
        }
        Ok(())
    }

    fn check_band(&self, order: &Proposed, view: &RiskView) -> Result<(), Denial> {
        const CHECK: &str = "price_band";
        let Some(band) = self.config.price_band else {
            return Ok(());
        };
        for price in order.banded.iter().flatten() {
            let Some(reference) = view.reference_price else {
                return deny(CHECK, format!("no reference price to check {price} against"));
            };
            let reference_raw = i128::from(reference.raw());
            let width = reference_raw.abs() * i128::from(band.raw()) / i128::from(FIXED_SCALE);
            if (i128::from(price.raw()) - reference_raw).abs() > width {
                return deny(CHECK, format!("price {price} is outside {reference} ± {band}"));
            }
        }
        Ok(())
    }
}

/// A raw signed quantity as decimal text, for denial reasons.
fn raw_qty(raw: i128) -> String {
    let scale = i128::from(FIXED_SCALE);
    let frac = format!("{:09}", (raw % scale).unsigned_abs());
    let frac = frac.trim_end_matches('0');
    let sign = if raw < 0 { "-" } else { "" };
    let whole = (raw / scale).unsigned_abs();
    if frac.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{ClientOrderId, Currency, StrategyId, TimeInForce};

    fn px(s: &str) -> Price {
        s.parse().unwrap()
    }
    fn qty(s: &str) -> Quantity {
        s.parse().unwrap()
    }
    fn raw(s: &str) -> u128 {
        u128::from(qty(s).raw())
    }

    fn instrument() -> Instrument {
        Instrument::spot(
            InstrumentId::from_static("BTCUSDT.SIM"),
            Currency::from_static("BTC"),
            Currency::from_static("USDT"),
            px("0.01"),
            qty("0.001"),
        )
    }

    fn view(i: &Instrument) -> RiskView<'_> {
        RiskView {
            instrument: i,
            reference_price: Some(px("100")),
            open_orders: 0,
            net_position_raw: 0,
            open_buy_raw: 0,
            open_sell_raw: 0,
        }
    }

    fn submit(side: OrderSide, order_type: OrderType, q: &str, price: Option<&str>) -> SubmitOrder {
        SubmitOrder {
            strategy_id: StrategyId::from_static("S1"),
            instrument_id: InstrumentId::from_static("BTCUSDT.SIM"),
            client_order_id: ClientOrderId::from_static("O-1"),
            side,
            order_type,
            quantity: qty(q),
            price: price.map(px),
            trigger_price: None,
            time_in_force: TimeInForce::Gtc,
            expire_time: None,
            post_only: false,
            reduce_only: false,
            ts_event: UnixNanos(0),
            ts_init: UnixNanos(0),
        }
    }

    fn limit(side: OrderSide, q: &str, price: &str) -> SubmitOrder {
        submit(side, OrderType::Limit, q, Some(price))
    }

    fn engine(config: RiskConfig) -> RiskEngine {
        RiskEngine::new(config).unwrap()
    }

    fn denied_by(result: Result<(), Denial>) -> &'static str {
        result.map_or_else(|d| d.check, |()| "passed")
    }

    const T0: UnixNanos = UnixNanos(0);

    #[test]
    fn config_reads_with_unknown_fields_refused() {
        let text = r#"{"max_order_quantity": "2.5", "price_band": "0.05",
            "max_notional_per_order": {"amount": "10000", "currency": "USDT"},
            "submit_rate": {"count": 10, "interval_ns": 1000000000},
            "max_position": {"BTCUSDT.SIM": "3", "ETHUSDT.SIM": "30"}}"#;
        let c: RiskConfig = serde_json::from_str(text).unwrap();
        assert_eq!(c.max_order_quantity, Some(QuantityLimit::All(qty("2.5"))));
        let limit = c.max_position.as_ref().unwrap();
        assert_eq!(limit.for_instrument(InstrumentId::from_static("ETHUSDT.SIM")), Some(qty("30")));
        assert_eq!(limit.for_instrument(InstrumentId::from_static("XRP.SIM")), None);
        assert_eq!(c.max_open_orders, None);
        assert!(serde_json::from_str::<RiskConfig>(r#"{"max_orders": 3}"#).is_err());
        assert!(serde_json::from_str::<RiskConfig>(
            r#"{"submit_rate": {"count": 1, "interval": 5}}"#
        )
        .is_err());
        assert_eq!(serde_json::from_str::<RiskConfig>("{}").unwrap(), RiskConfig::default());
    }

    #[test]
    fn incoherent_config_is_refused() {
        let band = RiskConfig { price_band: Some(Ratio::from_raw(-1)), ..RiskConfig::default() };
        assert!(RiskEngine::new(band).is_err());
        let rate = RiskConfig {
            modify_rate: Some(RateLimit { count: 1, interval_ns: 0 }),
            ..RiskConfig::default()
        };
        let err = RiskEngine::new(rate).unwrap_err();
        assert!(err.to_string().contains("modify_rate"), "{err}");
    }

    #[test]
    fn state_changes_are_events_and_repeats_are_not() {
        let mut r = engine(RiskConfig::default());
        assert_eq!(r.state(), TradingState::Active);
        assert!(r.set_state(TradingState::Active, "noop", T0).is_none());
        let e = r.set_state(TradingState::Halted, "operator", UnixNanos(7)).unwrap();
        assert_eq!(
            (e.state, e.reason.as_str(), e.ts_event, e.ts_init),
            (TradingState::Halted, "operator", UnixNanos(7), UnixNanos(7))
        );
        assert!(r.set_state(TradingState::Halted, "again", T0).is_none());
        assert_eq!(
            r.set_state(TradingState::Reducing, "cool", T0).unwrap().state,
            TradingState::Reducing
        );
    }

    #[test]
    fn halted_denies_submits_and_modifies_but_not_cancels() {
        let i = instrument();
        let mut r = engine(RiskConfig::default());
        let order = limit(OrderSide::Buy, "1", "100");
        assert_eq!(denied_by(r.check_submit(&order, &view(&i), T0)), "passed");
        r.set_state(TradingState::Halted, "stop", T0);
        assert_eq!(denied_by(r.check_submit(&order, &view(&i), T0)), "trading_state");
        let (modify, working) = modify_of(&order, Some("0.5"), None);
        assert_eq!(denied_by(r.check_modify(&modify, &working, &view(&i), T0)), "trading_state");
        let cancel = CancelOrder {
            strategy_id: order.strategy_id,
            instrument_id: order.instrument_id,
            client_order_id: order.client_order_id,
            ts_event: T0,
            ts_init: T0,
        };
        for state in TradingState::ALL {
            r.set_state(*state, "any", T0);
            assert!(r.check_cancel(&cancel).is_ok());
        }
    }

    #[test]
    fn reducing_allows_only_orders_that_shrink_without_flipping() {
        let i = instrument();
        let mut r = engine(RiskConfig::default());
        r.set_state(TradingState::Reducing, "drawdown", T0);
        let long5 = RiskView { net_position_raw: 5_000_000_000, ..view(&i) };
        let check =
            |r: &mut RiskEngine, o: &SubmitOrder, v: &RiskView| denied_by(r.check_submit(o, v, T0));
        assert_eq!(check(&mut r, &limit(OrderSide::Sell, "3", "100"), &long5), "passed");
        assert_eq!(check(&mut r, &limit(OrderSide::Sell, "5", "100"), &long5), "passed", "to flat");
        assert_eq!(
            check(&mut r, &limit(OrderSide::Sell, "5.001", "100"), &long5),
            "trading_state",
            "flip"
        );
        assert_eq!(check(&mut r, &limit(OrderSide::Buy, "1", "100"), &long5), "trading_state");
        let with_open = RiskView { open_sell_raw: raw("3"), ..long5 };
        assert_eq!(check(&mut r, &limit(OrderSide::Sell, "2", "100"), &with_open), "passed");
        assert_eq!(
            check(&mut r, &limit(OrderSide::Sell, "2.001", "100"), &with_open),
            "trading_state"
        );
        let flat = view(&i);
        assert_eq!(check(&mut r, &limit(OrderSide::Sell, "1", "100"), &flat), "trading_state");
        let short = RiskView { net_position_raw: -1_000_000_000, ..view(&i) };
        assert_eq!(
            check(&mut r, &submit(OrderSide::Buy, OrderType::Market, "1", None), &short),
            "passed"
        );
        // A modify does not count its own open quantity twice.
        let order = limit(OrderSide::Sell, "3", "100");
        let (modify, working) = modify_of(&order, Some("4"), None);
        let own = RiskView { open_sell_raw: raw("3"), ..long5 };
        assert_eq!(denied_by(r.check_modify(&modify, &working, &own, T0)), "passed");
        let (modify, working) = modify_of(&order, Some("6"), None);
        assert_eq!(denied_by(r.check_modify(&modify, &working, &own, T0)), "trading_state");
    }

    #[test]
    fn max_order_quantity_global_and_per_instrument() {
        let i = instrument();
        let mut r = engine(RiskConfig {
            max_order_quantity: Some(QuantityLimit::All(qty("2"))),
            ..RiskConfig::default()
        });
        assert_eq!(
            denied_by(r.check_submit(&limit(OrderSide::Buy, "2", "100"), &view(&i), T0)),
            "passed"
        );
        let d = r.check_submit(&limit(OrderSide::Buy, "2.001", "100"), &view(&i), T0).unwrap_err();
        assert_eq!(d.check, "max_order_quantity");
        assert!(d.reason.contains("2.001"), "{d}");
        let per = BTreeMap::from([(InstrumentId::from_static("OTHER.SIM"), qty("1"))]);
        let mut r = engine(RiskConfig {
            max_order_quantity: Some(QuantityLimit::PerInstrument(per)),
            ..RiskConfig::default()
        });
        assert_eq!(
            denied_by(r.check_submit(&limit(OrderSide::Buy, "50", "100"), &view(&i), T0)),
            "passed"
        );
    }

    #[test]
    fn max_notional_uses_limit_trigger_or_reference_price() {
        let i = instrument();
        let max = Money::parse("1000", Currency::from_static("USDT")).unwrap();
        let mut r =
            engine(RiskConfig { max_notional_per_order: Some(max), ..RiskConfig::default() });
        let v = view(&i);
        assert_eq!(
            denied_by(r.check_submit(&limit(OrderSide::Buy, "10", "100"), &v, T0)),
            "passed",
            "exactly 1000"
        );
        assert_eq!(
            denied_by(r.check_submit(&limit(OrderSide::Buy, "10", "100.01"), &v, T0)),
            "max_notional_per_order"
        );
        let market = submit(OrderSide::Sell, OrderType::Market, "10.001", None);
        assert_eq!(
            denied_by(r.check_submit(&market, &v, T0)),
            "max_notional_per_order",
            "at the reference"
        );
        let small = submit(OrderSide::Sell, OrderType::Market, "1", None);
        let blind = RiskView { reference_price: None, ..v };
        let d = r.check_submit(&small, &blind, T0).unwrap_err();
        assert!(d.reason.contains("without a reference price"), "{d}");
        let mut stop = submit(OrderSide::Buy, OrderType::StopMarket, "5", None);
        stop.trigger_price = Some(px("201"));
        assert_eq!(denied_by(r.check_submit(&stop, &blind, T0)), "max_notional_per_order");
        stop.trigger_price = Some(px("200"));
        assert_eq!(denied_by(r.check_submit(&stop, &blind, T0)), "passed");
        let eur = Money::parse("1000", Currency::from_static("EUR")).unwrap();
        let mut r =
            engine(RiskConfig { max_notional_per_order: Some(eur), ..RiskConfig::default() });
        assert_eq!(
            denied_by(r.check_submit(&limit(OrderSide::Buy, "1", "1"), &v, T0)),
            "max_notional_per_order"
        );
    }

    #[test]
    fn price_band_is_inclusive_at_its_edges() {
        let i = instrument();
        let mut r = engine(RiskConfig {
            price_band: Some("0.05".parse().unwrap()),
            ..RiskConfig::default()
        });
        let v = view(&i);
        for (price, expected) in
            [("105", "passed"), ("95", "passed"), ("105.01", "price_band"), ("94.99", "price_band")]
        {
            assert_eq!(
                denied_by(r.check_submit(&limit(OrderSide::Buy, "1", price), &v, T0)),
                expected,
                "{price}"
            );
        }
        let market = submit(OrderSide::Buy, OrderType::Market, "1", None);
        assert_eq!(
            denied_by(r.check_submit(&market, &v, T0)),
            "passed",
            "market orders have no price"
        );
        let blind = RiskView { reference_price: None, ..v };
        assert_eq!(denied_by(r.check_submit(&market, &blind, T0)), "passed");
        assert_eq!(
            denied_by(r.check_submit(&limit(OrderSide::Buy, "1", "100"), &blind, T0)),
            "price_band"
        );
        let mut stop = submit(OrderSide::Sell, OrderType::StopLimit, "1", Some("100"));
        stop.trigger_price = Some(px("94"));
        assert_eq!(
            denied_by(r.check_submit(&stop, &v, T0)),
            "price_band",
            "the trigger is banded too"
        );
        // A modify is banded only on the prices it changes.
        let resting = limit(OrderSide::Buy, "1", "100");
        let moved = RiskView { reference_price: Some(px("120")), ..v };
        let (modify, working) = modify_of(&resting, Some("0.5"), None);
        assert_eq!(denied_by(r.check_modify(&modify, &working, &moved, T0)), "passed");
        let (modify, working) = modify_of(&resting, None, Some("101"));
        assert_eq!(denied_by(r.check_modify(&modify, &working, &moved, T0)), "price_band");
        let (modify, working) = modify_of(&resting, None, Some("115"));
        assert_eq!(denied_by(r.check_modify(&modify, &working, &moved, T0)), "passed");
    }

    #[test]
    fn reference_price_is_the_mid_else_the_last_trade() {
        let mid = reference_price(Some((px("100.00"), px("100.01"))), Some(px("99"))).unwrap();
        assert_eq!(mid.to_string(), "100.005");
        assert_eq!(reference_price(None, Some(px("99"))), Some(px("99")));
        assert_eq!(reference_price(None, None), None);
        let tiny = reference_price(
            Some((Price::from_raw(1, 9).unwrap(), Price::from_raw(2, 9).unwrap())),
            None,
        );
        assert_eq!(tiny.map(Price::raw), Some(1), "truncated toward zero");
    }

    #[test]
    fn max_open_orders_counts_the_view() {
        let i = instrument();
        let mut r = engine(RiskConfig { max_open_orders: Some(2), ..RiskConfig::default() });
        let order = limit(OrderSide::Buy, "1", "100");
        assert_eq!(
            denied_by(r.check_submit(&order, &RiskView { open_orders: 1, ..view(&i) }, T0)),
            "passed"
        );
        assert_eq!(
            denied_by(r.check_submit(&order, &RiskView { open_orders: 2, ..view(&i) }, T0)),
            "max_open_orders"
        );
    }

    #[test]
    fn max_position_counts_open_orders_and_spares_reductions() {
        let i = instrument();
        let mut r = engine(RiskConfig {
            max_position: Some(QuantityLimit::All(qty("5"))),
            ..RiskConfig::default()
        });
        let long3 = RiskView { net_position_raw: 3_000_000_000, ..view(&i) };
        let mut check = |o: &SubmitOrder, v: &RiskView| denied_by(r.check_submit(o, v, T0));
        assert_eq!(check(&limit(OrderSide::Buy, "2", "100"), &long3), "passed", "exactly 5");
        assert_eq!(check(&limit(OrderSide::Buy, "2.001", "100"), &long3), "max_position");
        let with_open = RiskView { open_buy_raw: raw("1"), ..long3 };
        assert_eq!(check(&limit(OrderSide::Buy, "1.5", "100"), &with_open), "max_position");
        assert_eq!(check(&limit(OrderSide::Sell, "8", "100"), &long3), "passed", "to short 5");
        assert_eq!(check(&limit(OrderSide::Sell, "8.001", "100"), &long3), "max_position");
        let over = RiskView { net_position_raw: 9_000_000_000, ..view(&i) };
        assert_eq!(
            check(&limit(OrderSide::Sell, "1", "100"), &over),
            "passed",
            "reduces an oversize position"
        );
        assert_eq!(check(&limit(OrderSide::Buy, "0.001", "100"), &over), "max_position");
    }

    #[test]
    fn submit_throttle_slides_at_exact_boundaries() {
        let i = instrument();
        let rate = RateLimit { count: 2, interval_ns: 1_000 };
        let mut r = engine(RiskConfig { submit_rate: Some(rate), ..RiskConfig::default() });
        let order = limit(OrderSide::Buy, "1", "100");
        let mut at = |t: u64| denied_by(r.check_submit(&order, &view(&i), UnixNanos(t)));
        assert_eq!(at(0), "passed");
        assert_eq!(at(500), "passed");
        assert_eq!(at(999), "submit_rate", "0 and 500 are inside (-1, 999]");
        assert_eq!(at(1_000), "passed", "0 left the window at exactly 1000");
        assert_eq!(at(1_499), "submit_rate");
        assert_eq!(at(1_500), "passed");
        assert_eq!(at(1_500), "submit_rate");
    }

    #[test]
    fn denied_commands_do_not_count_against_the_rate() {
        let i = instrument();
        let config = RiskConfig {
            submit_rate: Some(RateLimit { count: 1, interval_ns: 1_000 }),
            max_order_quantity: Some(QuantityLimit::All(qty("1"))),
            ..RiskConfig::default()
        };
        let mut r = engine(config);
        let too_big = limit(OrderSide::Buy, "2", "100");
        let ok = limit(OrderSide::Buy, "1", "100");
        assert_eq!(
            denied_by(r.check_submit(&too_big, &view(&i), UnixNanos(0))),
            "max_order_quantity"
        );
        assert_eq!(denied_by(r.check_submit(&ok, &view(&i), UnixNanos(1))), "passed");
        assert_eq!(denied_by(r.check_submit(&ok, &view(&i), UnixNanos(900))), "submit_rate");
        // Had the throttled one at 900 counted, 1001 would still be inside its window.
        assert_eq!(denied_by(r.check_submit(&ok, &view(&i), UnixNanos(1_001))), "passed");
    }

    #[test]
    fn modify_has_its_own_throttle_and_limits() {
        let i = instrument();
        let config = RiskConfig {
            modify_rate: Some(RateLimit { count: 1, interval_ns: 100 }),
            submit_rate: Some(RateLimit { count: 1, interval_ns: 100 }),
            max_order_quantity: Some(QuantityLimit::All(qty("3"))),
            ..RiskConfig::default()
        };
        let mut r = engine(config);
        let order = limit(OrderSide::Buy, "1", "100");
        assert_eq!(denied_by(r.check_submit(&order, &view(&i), T0)), "passed");
        let (modify, working) = modify_of(&order, Some("4"), None);
        assert_eq!(
            denied_by(r.check_modify(&modify, &working, &view(&i), T0)),
            "max_order_quantity"
        );
        let (modify, working) = modify_of(&order, Some("2"), None);
        assert_eq!(denied_by(r.check_modify(&modify, &working, &view(&i), T0)), "passed");
        assert_eq!(
            denied_by(r.check_modify(&modify, &working, &view(&i), UnixNanos(99))),
            "modify_rate"
        );
        assert_eq!(
            denied_by(r.check_modify(&modify, &working, &view(&i), UnixNanos(100))),
            "passed"
        );
        let other = RiskView { instrument: &instrument(), ..view(&i) };
        let mut wrong = modify;
        wrong.instrument_id = InstrumentId::from_static("ETHUSDT.SIM");
        assert_eq!(
            denied_by(r.check_modify(&wrong, &working, &other, UnixNanos(500))),
            "instrument"
        );
    }

    /// A modify of `order` (unfilled, working as submitted) and the order as it stands.
    fn modify_of(
        order: &SubmitOrder,
        quantity: Option<&str>,
        price: Option<&str>,
    ) -> (ModifyOrder, WorkingOrder) {
        let modify = ModifyOrder {
            strategy_id: order.strategy_id,
            instrument_id: order.instrument_id,
            client_order_id: order.client_order_id,
            quantity: quantity.map(qty),
            price: price.map(px),
            trigger_price: None,
            ts_event: T0,
            ts_init: T0,
        };
        let working = WorkingOrder {
            side: order.side,
            order_type: order.order_type,
            quantity: order.quantity,
            filled_qty: Quantity::zero(3),
            price: order.price,
            trigger_price: order.trigger_price,
        };
        (modify, working)
    }
}
