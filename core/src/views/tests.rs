use super::*;
use crate::engine::{Engine, EngineConfig};
use crate::events::{BookLevel, BookSnapshot, Event, QuoteTick, TradeTick};
use crate::matching::{BookMode, LatencyConfig, VenueConfig};
use crate::risk::RiskConfig;
use crate::strategy::OrderRequest;
use crate::types::{
    AccountId, AccountType, AggressorSide, Currency, Instrument, InstrumentId, Money, OrderSide,
    Price, Quantity, StrategyId, TradeId, TradingState, UnixNanos, Venue,
};

fn px(text: &str) -> Price {
    text.parse().unwrap()
}
fn qty(text: &str) -> Quantity {
    text.parse().unwrap()
}

const ID: &str = "BTCUSDT.SIM";

fn engine(queue_position: bool, book_mode: BookMode) -> Engine {
    let usdt = Currency::from_static("USDT");
    let config = EngineConfig {
        account_id: AccountId::from_static("SIM-001"),
        account_type: AccountType::Margin,
        starting_balances: vec![Money::parse("1000000", usdt).unwrap()],
        venue: Some(VenueConfig {
            venue: Venue::from_static("SIM"),
            account_id: AccountId::from_static("SIM-001"),
            book_mode,
            outages: vec![],
            queue_position,
            trade_fills: true,
        }),
        latency: LatencyConfig::Fixed { submit_ns: 0, cancel_ns: 0, modify_ns: 0, response_ns: 0 },
        risk: RiskConfig::default(),
        record_market_data: false,
    };
    let mut engine = Engine::new(config).unwrap();
    let instrument =
        Instrument::spot(iid(), Currency::from_static("BTC"), usdt, px("0.01"), qty("0.001"));
    engine.add_instrument(instrument).unwrap();
    engine
}

fn iid() -> InstrumentId {
    InstrumentId::from_static(ID)
}

fn quote(engine: &mut Engine, bid: &str, ask: &str, ts: u64) {
    let q = QuoteTick {
        instrument_id: iid(),
        bid_price: px(bid),
        ask_price: px(ask),
        bid_size: qty("2"),
        ask_size: qty("3"),
        ts_event: UnixNanos(ts),
        ts_init: UnixNanos(ts),
    };
    engine.process(Event::QuoteTick(q)).unwrap();
}

#[test]
fn a_quote_ladder_marks_own_orders_at_their_prices() {
    let mut engine = engine(false, BookMode::L1);
    quote(&mut engine, "100.00", "100.02", 1);
    let s = StrategyId::from_static("mm");
    engine
        .submit_order(s, &OrderRequest::limit(iid(), OrderSide::Buy, qty("0.5"), px("99.50")))
        .unwrap();
    engine
        .submit_order(s, &OrderRequest::limit(iid(), OrderSide::Buy, qty("0.25"), px("99.50")))
        .unwrap();
    engine
        .submit_order(s, &OrderRequest::limit(iid(), OrderSide::Sell, qty("1"), px("100.02")))
        .unwrap();
    engine.advance_to(UnixNanos(10)).unwrap();
    let view = ladder(&engine, iid(), 5);
    assert_eq!(view.source, LadderSource::Quote);
    assert_eq!(view.spread, Some(px("0.02")));
    let bids: Vec<(String, String, u32, String)> = view
        .bids
        .iter()
        .map(|l| (l.price.to_string(), l.size.to_string(), l.own_orders, l.own_qty.to_string()))
        .collect();
    assert_eq!(
        bids,
        [
            ("100.00".into(), "2".into(), 0, "0.000".into()),
            ("99.50".into(), "0.000".into(), 2, "0.750".into()),
        ]
    );
    assert_eq!(view.asks.len(), 1);
    assert_eq!((view.asks[0].own_orders, view.asks[0].own_qty.to_string()), (1, "1.000".into()));
    assert!(view.bids.iter().all(|l| l.queue_ahead.is_none()), "queue model is off");
}

#[test]
fn a_book_ladder_shows_depth_best_first_with_queue_ahead() {
    let mut engine = engine(true, BookMode::L2);
    let level = |p: &str, s: &str| BookLevel { price: px(p), size: qty(s) };
    let snapshot = BookSnapshot {
        instrument_id: iid(),
        sequence: 1,
        bids: vec![level("100.00", "1.000"), level("99.99", "2.000"), level("99.98", "3.000")],
        asks: vec![level("100.01", "4.000"), level("100.02", "5.000")],
        ts_event: UnixNanos(5),
        ts_init: UnixNanos(5),
    };
    engine.process(Event::BookSnapshot(snapshot)).unwrap();
    let s = StrategyId::from_static("mm");
    engine
        .submit_order(s, &OrderRequest::limit(iid(), OrderSide::Buy, qty("1.000"), px("99.99")))
        .unwrap();
    engine.advance_to(UnixNanos(20)).unwrap();
    let view = ladder(&engine, iid(), 2);
    assert_eq!(view.source, LadderSource::Book);
    let prices: Vec<String> = view.bids.iter().map(|l| l.price.to_string()).collect();
    assert_eq!(prices, ["100.00", "99.99"]);
    assert_eq!(view.bids[1].own_orders, 1);
    assert_eq!(view.bids[1].queue_ahead, Some(qty("2.000")), "the 2 already at 99.99 are ahead");
    assert_eq!(view.asks[0].price, px("100.01"));
    assert_eq!(view.ts_event, UnixNanos(5));
}

#[test]
fn positions_balances_and_status_follow_fills_and_halts() {
    let mut engine = engine(false, BookMode::L1);
    quote(&mut engine, "100.00", "100.02", 1);
    let s = StrategyId::from_static("taker");
    engine.submit_order(s, &OrderRequest::market(iid(), OrderSide::Buy, qty("1"))).unwrap();
    engine.advance_to(UnixNanos(10)).unwrap();
    quote(&mut engine, "101.00", "101.02", 20);
    let trade = TradeTick {
        instrument_id: iid(),
        price: px("101.01"),
        size: qty("0.1"),
        aggressor_side: AggressorSide::Buyer,
        trade_id: TradeId::from_static("t-1"),
        ts_event: UnixNanos(21),
        ts_init: UnixNanos(21),
    };
    engine.process(Event::TradeTick(trade)).unwrap();
    engine.halt("operator", "console").unwrap();
    let frame = Frame::of(&engine, DEFAULT_DEPTH);
    assert_eq!(frame.positions.rows.len(), 1);
    let row = &frame.positions.rows[0];
    assert_eq!((row.quantity, row.avg_px_open), (qty("1"), Some(px("100.02"))));
    assert!(row.unrealized_pnl.amount > 0, "marked above the entry: {row:?}");
    assert_eq!(frame.positions.totals.len(), 1);
    assert!(!frame.balances.is_empty());
    assert_eq!(frame.status.trading_state, TradingState::Halted);
    assert_eq!(frame.status.reason, "operator (console)");
    assert_eq!(frame.status.counters.fills, 1);
    assert_eq!(frame.ladders[0].last_trade.map(|t| t.price), Some(px("101.01")));
    assert_eq!(frame.latency.histograms.len(), 4);
    assert_eq!(frame.open_orders.len(), 0);
}

#[test]
fn a_frame_round_trips_through_messagepack() {
    let mut engine = engine(false, BookMode::L1);
    quote(&mut engine, "100.00", "100.02", 1);
    let frame = Frame::of(&engine, 3);
    let bytes = rmp_serde::to_vec_named(&frame).unwrap();
    let back: Frame = rmp_serde::from_slice(&bytes).unwrap();
    assert_eq!(back, frame);
}
