//! One sample of every event kind. The committed file `tests/fixtures/events.msgpack` is these,
//! encoded by the engine; the Python round-trip test decodes and re-encodes it byte for byte.

use super::{
    AccountBalance, AccountState, Bar, BookDeltas, BookLevel, BookLevelDelta, BookSnapshot,
    CancelAllOrders, CancelOrder, CodecError, Event, Flatten, Halt, ModifyOrder, OrderAccepted,
    OrderCancelRejected, OrderCanceled, OrderDenied, OrderExpired, OrderFilled, OrderInitialized,
    OrderModifyRejected, OrderPendingCancel, OrderPendingUpdate, OrderRejected, OrderSubmitted,
    OrderTriggered, OrderUpdated, PositionState, QuoteTick, Resume, SubmitOrder, TimerFired,
    TradeTick, TradingStateChanged, VenueConnected, VenueDisconnected,
};
use crate::types::{
    AccountId, AccountType, AggressorSide, BarType, BookAction, ClientOrderId, Currency,
    InstrumentId, LiquiditySide, Money, OrderSide, OrderType, PositionId, PositionSide, Price,
    Quantity, StrategyId, TimeInForce, TradeId, TradingState, UnixNanos, Venue, VenueOrderId,
};

fn px(s: &str) -> Price {
    s.parse().expect("fixture price")
}
fn qty(s: &str) -> Quantity {
    s.parse().expect("fixture quantity")
}

/// One event of every kind, in `Event::KINDS` order.
#[allow(clippy::too_many_lines)] // a flat list of samples reads best in one place
pub fn all() -> Vec<Event> {
    let iid = InstrumentId::from_static("BTCUSDT.BINANCE");
    let sid = StrategyId::from_static("ema_cross-001");
    let coid = ClientOrderId::from_static("O-ema_cross-001-1");
    let void = VenueOrderId::from_static("V-1");
    let acc = AccountId::from_static("BINANCE-001");
    let usdt = Currency::from_static("USDT");
    let t = UnixNanos(1_723_161_253_000_000_000);
    let t2 = UnixNanos(1_723_161_253_000_100_000);
    let pos = PositionState {
        strategy_id: sid,
        instrument_id: iid,
        position_id: PositionId::from_static("BTCUSDT.BINANCE-ema_cross-001"),
        side: PositionSide::Long,
        quantity: qty("0.500"),
        avg_px_open: px("61234.500000000"),
        last_px: px("61240.10"),
        realized_pnl: Money::parse("-1.25", usdt).expect("money"),
        unrealized_pnl: Money::parse("2.8", usdt).expect("money"),
        ts_event: t,
        ts_init: t2,
    };
    vec![
        QuoteTick {
            instrument_id: iid,
            bid_price: px("61234.50"),
            ask_price: px("61234.51"),
            bid_size: qty("1.25000"),
            ask_size: qty("0.00300"),
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        TradeTick {
            instrument_id: iid,
            price: px("61234.51"),
            size: qty("0.01000"),
            aggressor_side: AggressorSide::Buyer,
            trade_id: TradeId::from_static("3714872398"),
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        BookDeltas {
            instrument_id: iid,
            first_sequence: 51_000_001,
            sequence: 51_000_003,
            prev_sequence: None,
            deltas: vec![
                BookLevelDelta {
                    action: BookAction::Update,
                    side: OrderSide::Buy,
                    price: px("61234.50"),
                    size: qty("1.3"),
                },
                BookLevelDelta {
                    action: BookAction::Delete,
                    side: OrderSide::Sell,
                    price: px("61240.00"),
                    size: qty("0"),
                },
            ],
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        BookSnapshot {
            instrument_id: iid,
            sequence: 51_000_000,
            bids: vec![BookLevel { price: px("61234.50"), size: qty("1.25") }],
            asks: vec![BookLevel { price: px("61234.51"), size: qty("0.003") }],
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        Bar {
            bar_type: BarType::from_static("BTCUSDT.BINANCE-1-MINUTE-LAST"),
            instrument_id: iid,
            open: px("61200.00"),
            high: px("61250.00"),
            low: px("61190.10"),
            close: px("61234.50"),
            volume: qty("12.345"),
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        SubmitOrder {
            strategy_id: sid,
            instrument_id: iid,
            client_order_id: coid,
            side: OrderSide::Buy,
            order_type: OrderType::Limit,
            quantity: qty("0.500"),
            price: Some(px("61234.50")),
            trigger_price: None,
            time_in_force: TimeInForce::Gtd,
            expire_time: Some(UnixNanos(1_723_161_300_000_000_000)),
            post_only: true,
            reduce_only: false,
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        CancelOrder {
            strategy_id: sid,
            instrument_id: iid,
            client_order_id: coid,
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        ModifyOrder {
            strategy_id: sid,
            instrument_id: iid,
            client_order_id: coid,
            quantity: Some(qty("0.4")),
            price: Some(px("61230.00")),
            trigger_price: None,
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        CancelAllOrders {
            strategy_id: None,
            instrument_id: Some(iid),
            source: "operator".into(),
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        Flatten {
            strategy_id: Some(sid),
            instrument_id: None,
            source: "operator".into(),
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        Halt { reason: "max drawdown".into(), source: "operator".into(), ts_event: t, ts_init: t2 }
            .into(),
        Resume { reason: "checked".into(), source: "operator".into(), ts_event: t, ts_init: t2 }
            .into(),
        OrderInitialized {
            strategy_id: sid,
            instrument_id: iid,
            client_order_id: coid,
            side: OrderSide::Sell,
            order_type: OrderType::StopLimit,
            quantity: qty("0.500"),
            price: Some(px("61000.00")),
            trigger_price: Some(px("61010.00")),
            time_in_force: TimeInForce::Gtc,
            expire_time: None,
            post_only: false,
            reduce_only: true,
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        OrderDenied {
            strategy_id: sid,
            instrument_id: iid,
            client_order_id: coid,
            reason: "max_order_quantity: 5 > 1".into(),
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        OrderSubmitted {
            strategy_id: sid,
            instrument_id: iid,
            client_order_id: coid,
            account_id: acc,
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        OrderAccepted {
            strategy_id: sid,
            instrument_id: iid,
            client_order_id: coid,
            venue_order_id: void,
            account_id: acc,
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        OrderRejected {
            strategy_id: sid,
            instrument_id: iid,
            client_order_id: coid,
            account_id: acc,
            reason: "insufficient balance".into(),
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        OrderCanceled {
            strategy_id: sid,
            instrument_id: iid,
            client_order_id: coid,
            venue_order_id: Some(void),
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        OrderExpired {
            strategy_id: sid,
            instrument_id: iid,
            client_order_id: coid,
            venue_order_id: Some(void),
            ts_event: t,
            ts_init: t2,
            reason: Some(
                "REDUCE_ONLY_WOULD_INCREASE: SELL 0.01 against a net position of 0".into(),
            ),
        }
        .into(),
        OrderTriggered {
            strategy_id: sid,
            instrument_id: iid,
            client_order_id: coid,
            venue_order_id: Some(void),
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        OrderPendingUpdate {
            strategy_id: sid,
            instrument_id: iid,
            client_order_id: coid,
            venue_order_id: Some(void),
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        OrderPendingCancel {
            strategy_id: sid,
            instrument_id: iid,
            client_order_id: coid,
            venue_order_id: None,
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        OrderUpdated {
            strategy_id: sid,
            instrument_id: iid,
            client_order_id: coid,
            venue_order_id: Some(void),
            quantity: qty("0.4"),
            price: Some(px("61230.00")),
            trigger_price: None,
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        OrderModifyRejected {
            strategy_id: sid,
            instrument_id: iid,
            client_order_id: coid,
            venue_order_id: Some(void),
            reason: "order not found".into(),
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        OrderCancelRejected {
            strategy_id: sid,
            instrument_id: iid,
            client_order_id: coid,
            venue_order_id: Some(void),
            reason: "already filled".into(),
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        OrderFilled {
            strategy_id: sid,
            instrument_id: iid,
            client_order_id: coid,
            venue_order_id: void,
            account_id: acc,
            trade_id: TradeId::from_static("SIM-1-1"),
            side: OrderSide::Buy,
            order_type: OrderType::Limit,
            last_qty: qty("0.250"),
            last_px: px("61234.50"),
            commission: Money::parse("0.0306", usdt).expect("money"),
            liquidity_side: LiquiditySide::Maker,
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        Event::PositionOpened(pos),
        Event::PositionChanged(pos),
        Event::PositionClosed(PositionState {
            side: PositionSide::Flat,
            quantity: qty("0.000"),
            ..pos
        }),
        AccountState {
            account_id: acc,
            account_type: AccountType::Cash,
            balances: vec![AccountBalance {
                currency: usdt,
                total: Money::parse("10000", usdt).expect("money"),
                locked: Money::parse("30.6", usdt).expect("money"),
                free: Money::parse("9969.4", usdt).expect("money"),
            }],
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        VenueConnected { venue: Venue::from_static("BINANCE"), ts_event: t, ts_init: t2 }.into(),
        VenueDisconnected {
            venue: Venue::from_static("BINANCE"),
            reason: "websocket closed: 1006".into(),
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        TradingStateChanged {
            state: TradingState::Halted,
            reason: "operator halt".into(),
            ts_event: t,
            ts_init: t2,
        }
        .into(),
        TimerFired { name: "rebalance".into(), strategy_id: Some(sid), ts_event: t, ts_init: t2 }
            .into(),
    ]
}

/// The fixture set as one `MessagePack` array.
pub fn encode_all() -> Result<Vec<u8>, CodecError> {
    rmp_serde::to_vec_named(&all()).map_err(|e| CodecError::Encode(e.to_string()))
}
