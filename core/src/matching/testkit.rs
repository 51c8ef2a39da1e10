//! Test helpers shared by the matching tests: an instrument, an account, command builders.

use super::{AccountView, BookMode, SimulatedVenue, VenueConfig};
use crate::events::{
    BookDeltas, BookLevel, BookLevelDelta, BookSnapshot, CancelOrder, Event, ModifyOrder,
    QuoteTick, SubmitOrder, TradeTick,
};
use crate::types::{
    AccountId, AccountType, AggressorSide, BookAction, ClientOrderId, Currency, Instrument,
    InstrumentId, LiquiditySide, Money, OrderSide, OrderType, Price, Quantity, StrategyId,
    TimeInForce, TradeId, UnixNanos, Venue,
};
use std::collections::HashMap;

pub fn iid() -> InstrumentId {
    InstrumentId::from_static("BTCUSDT.SIM")
}
pub fn usdt() -> Currency {
    Currency::from_static("USDT")
}
pub fn btc() -> Currency {
    Currency::from_static("BTC")
}
pub fn px(s: &str) -> Price {
    Price::parse_with_precision(s, 2).unwrap_or_else(|_| s.parse().unwrap())
}
pub fn q(s: &str) -> Quantity {
    Quantity::parse_with_precision(s, 0).unwrap()
}
pub fn t(n: u64) -> UnixNanos {
    UnixNanos(n)
}

/// Tick 0.01, lot 1, min notional 5 USDT, maker 0.0002, taker 0.001.
pub fn instrument() -> Instrument {
    let mut i = Instrument::spot(iid(), btc(), usdt(), px("0.01"), q("1"));
    i.min_notional = Some(Money::parse("5", usdt()).unwrap());
    i.maker_fee = "0.0002".parse().unwrap();
    i.taker_fee = "0.001".parse().unwrap();
    i.max_quantity = Some(q("1000000"));
    i
}

pub fn config(mode: BookMode) -> VenueConfig {
    VenueConfig::new(Venue::from_static("SIM"), AccountId::from_static("SIM-001"), mode)
}

pub fn venue(mode: BookMode) -> SimulatedVenue {
    SimulatedVenue::new(config(mode), vec![instrument()]).unwrap()
}

pub fn venue_with(cfg: VenueConfig) -> SimulatedVenue {
    SimulatedVenue::new(cfg, vec![instrument()]).unwrap()
}

/// A test account: balances in raw units.
pub struct TestAccount {
    pub kind: AccountType,
    pub free: HashMap<Currency, i128>,
}

impl TestAccount {
    /// A cash account with plenty of everything.
    pub fn rich() -> Self {
        let mut free = HashMap::new();
        free.insert(usdt(), 1_000_000_000 * 1_000_000_000);
        free.insert(btc(), 1_000_000_000 * 1_000_000_000);
        Self { kind: AccountType::Cash, free }
    }
}

impl AccountView for TestAccount {
    fn free_balance(&self, currency: Currency) -> i128 {
        self.free.get(&currency).copied().unwrap_or(0)
    }
    fn account_type(&self) -> AccountType {
        self.kind
    }
}

fn base(id: &str, side: OrderSide, order_type: OrderType, qty: &str) -> SubmitOrder {
    SubmitOrder {
        strategy_id: StrategyId::from_static("S-1"),
        instrument_id: iid(),
        client_order_id: ClientOrderId::from_static(id),
        side,
        order_type,
        quantity: q(qty),
        price: None,
        trigger_price: None,
        time_in_force: TimeInForce::Gtc,
        expire_time: None,
        post_only: false,
        reduce_only: false,
        ts_event: t(0),
        ts_init: t(0),
    }
}

pub fn market(id: &str, side: OrderSide, qty: &str) -> SubmitOrder {
    base(id, side, OrderType::Market, qty)
}

pub fn limit(id: &str, side: OrderSide, qty: &str, price: &str) -> SubmitOrder {
    SubmitOrder { price: Some(px(price)), ..base(id, side, OrderType::Limit, qty) }
}

pub fn stop_market(id: &str, side: OrderSide, qty: &str, trigger: &str) -> SubmitOrder {
    SubmitOrder { trigger_price: Some(px(trigger)), ..base(id, side, OrderType::StopMarket, qty) }
}

pub fn stop_limit(id: &str, side: OrderSide, qty: &str, trigger: &str, price: &str) -> SubmitOrder {
    SubmitOrder {
        trigger_price: Some(px(trigger)),
        price: Some(px(price)),
        ..base(id, side, OrderType::StopLimit, qty)
    }
}

pub fn cancel(id: &str) -> CancelOrder {
    CancelOrder {
        strategy_id: StrategyId::from_static("S-1"),
        instrument_id: iid(),
        client_order_id: ClientOrderId::from_static(id),
        ts_event: t(0),
        ts_init: t(0),
    }
}

pub fn modify(id: &str, qty: Option<&str>, price: Option<&str>) -> ModifyOrder {
    ModifyOrder {
        strategy_id: StrategyId::from_static("S-1"),
        instrument_id: iid(),
        client_order_id: ClientOrderId::from_static(id),
        quantity: qty.map(q),
        price: price.map(px),
        trigger_price: None,
        ts_event: t(0),
        ts_init: t(0),
    }
}

pub fn quote(bid: &str, ask: &str, bid_size: &str, ask_size: &str, now: u64) -> QuoteTick {
    QuoteTick {
        instrument_id: iid(),
        bid_price: px(bid),
        ask_price: px(ask),
        bid_size: q(bid_size),
        ask_size: q(ask_size),
        ts_event: t(now),
        ts_init: t(now),
    }
}

pub fn trade(price: &str, size: &str, aggressor: AggressorSide, now: u64) -> TradeTick {
    TradeTick {
        instrument_id: iid(),
        price: px(price),
        size: q(size),
        aggressor_side: aggressor,
        trade_id: TradeId::from_static("T"),
        ts_event: t(now),
        ts_init: t(now),
    }
}

pub fn snapshot(bids: &[(&str, &str)], asks: &[(&str, &str)], now: u64) -> BookSnapshot {
    let levels = |v: &[(&str, &str)]| {
        v.iter().map(|(p, s)| BookLevel { price: px(p), size: q(s) }).collect::<Vec<_>>()
    };
    BookSnapshot {
        instrument_id: iid(),
        sequence: 1,
        bids: levels(bids),
        asks: levels(asks),
        ts_event: t(now),
        ts_init: t(now),
    }
}

pub fn deltas(changes: &[(BookAction, OrderSide, &str, &str)], now: u64) -> BookDeltas {
    BookDeltas {
        instrument_id: iid(),
        first_sequence: 2,
        sequence: 2,
        prev_sequence: None,
        deltas: changes
            .iter()
            .map(|(action, side, p, s)| BookLevelDelta {
                action: *action,
                side: *side,
                price: px(p),
                size: q(s),
            })
            .collect(),
        ts_event: t(now),
        ts_init: t(now),
    }
}

/// `(client order id, qty, price, liquidity)` of each fill.
pub fn fills(out: &[Event]) -> Vec<(String, String, String, LiquiditySide)> {
    out.iter()
        .filter_map(|e| match e {
            Event::OrderFilled(f) => Some((
                f.client_order_id.to_string(),
                f.last_qty.to_string(),
                f.last_px.to_string(),
                f.liquidity_side,
            )),
            _ => None,
        })
        .collect()
}

/// Event kinds, in order.
pub fn kinds(out: &[Event]) -> Vec<&'static str> {
    out.iter().map(Event::kind).collect()
}

/// The reason of the first `OrderExpired` in `out` (`None` for a plain expiry, or none).
pub fn expiry(out: &[Event]) -> Option<String> {
    out.iter().find_map(|e| match e {
        Event::OrderExpired(x) => x.reason.clone(),
        _ => None,
    })
}

/// The reason of the first rejection of any kind.
pub fn rejection(out: &[Event]) -> Option<String> {
    out.iter().find_map(|e| match e {
        Event::OrderRejected(r) => Some(r.reason.clone()),
        Event::OrderCancelRejected(r) => Some(r.reason.clone()),
        Event::OrderModifyRejected(r) => Some(r.reason.clone()),
        _ => None,
    })
}
