use super::*;
use crate::events::{CancelAllOrders, Flatten, Halt, QuoteTick, Resume, SubmitOrder};
use crate::matching::{BookMode, LatencyConfig, VenueConfig};
use crate::risk::RiskConfig;
use crate::strategy::{CallbackResult, Context, OrderRequest, Subscriptions};
use crate::types::{
    AccountId, AccountType, ClientOrderId, Currency, Money, OrderSide, OrderStatus, OrderType,
    Quantity, StrategyId, TimeInForce, TradingState, Venue,
};

fn usdt() -> Currency {
    Currency::from_static("USDT")
}

fn instrument() -> Instrument {
    let mut i = Instrument::spot(
        InstrumentId::from_static("BTCUSDT.SIM"),
        Currency::from_static("BTC"),
        usdt(),
        "0.01".parse().unwrap(),
        "0.001".parse().unwrap(),
    );
    i.taker_fee = "0.001".parse().unwrap();
    i
}

fn config(latency_ns: u64) -> EngineConfig {
    EngineConfig {
        account_id: AccountId::from_static("SIM-001"),
        account_type: AccountType::Margin,
        starting_balances: vec![Money::parse("1000000", usdt()).unwrap()],
        venue: Some(VenueConfig {
            venue: Venue::from_static("SIM"),
            account_id: AccountId::from_static("SIM-001"),
            book_mode: BookMode::L1,
            outages: vec![],
            queue_position: true,
            trade_fills: true,
        }),
        latency: LatencyConfig::Fixed {
            submit_ns: latency_ns,
            cancel_ns: latency_ns,
            modify_ns: latency_ns,
            response_ns: latency_ns,
        },
        risk: RiskConfig::default(),
        record_market_data: false,
    }
}

fn engine(latency_ns: u64) -> Engine {
    let mut e = Engine::new(config(latency_ns)).unwrap();
    e.add_instrument(instrument()).unwrap();
    e
}

fn quote(ts: u64, bid: &str, ask: &str) -> Event {
    QuoteTick {
        instrument_id: instrument().id,
        bid_price: bid.parse().unwrap(),
        ask_price: ask.parse().unwrap(),
        bid_size: "5.000".parse().unwrap(),
        ask_size: "5.000".parse().unwrap(),
        ts_event: UnixNanos(ts),
        ts_init: UnixNanos(ts),
    }
    .into()
}

fn submit(ts: u64, id: &str, side: OrderSide, qty: &str) -> Event {
    SubmitOrder {
        strategy_id: StrategyId::from_static("manual"),
        instrument_id: instrument().id,
        client_order_id: ClientOrderId::from_static(id),
        side,
        order_type: OrderType::Market,
        quantity: qty.parse().unwrap(),
        price: None,
        trigger_price: None,
        time_in_force: TimeInForce::Ioc,
        expire_time: None,
        post_only: false,
        reduce_only: false,
        ts_event: UnixNanos(ts),
        ts_init: UnixNanos(ts),
    }
    .into()
}

fn kinds(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(Event::kind).collect()
}

#[test]
fn market_order_round_trip_emits_the_full_story() {
    let mut e = engine(0);
    e.process(quote(1_000, "100.00", "100.01")).unwrap();
    e.process(submit(2_000, "O-1", OrderSide::Buy, "1.000")).unwrap();
    let out = e.drain_events();
    assert_eq!(
        kinds(&out),
        [
            "SubmitOrder",
            "OrderInitialized",
            "OrderSubmitted",
            "OrderAccepted",
            "OrderFilled",
            "PositionOpened",
            "AccountState"
        ]
    );
    let order = e.state().order(ClientOrderId::from_static("O-1")).unwrap();
    assert_eq!(order.status(), OrderStatus::Filled);
    assert_eq!(e.state().portfolio().net_position_raw(instrument().id), 1_000_000_000);
    assert_eq!(e.counters().fills, 1);
}

#[test]
fn latency_delays_the_venue_and_its_answer() {
    let mut e = engine(1_000_000);
    e.process(quote(0, "100.00", "100.01")).unwrap();
    e.process(submit(10, "O-1", OrderSide::Buy, "1.000")).unwrap();
    assert_eq!(
        e.state().order(ClientOrderId::from_static("O-1")).unwrap().status(),
        OrderStatus::Submitted
    );
    assert_eq!(e.scheduled(), 1);
    e.advance_to(UnixNanos(2_000_010)).unwrap();
    let out = e.drain_events();
    let accepted = out.iter().find(|ev| ev.kind() == "OrderAccepted").unwrap();
    // Sent at 10, at the venue at 1_000_010, back at 2_000_010.
    assert_eq!(accepted.ts_event(), UnixNanos(1_000_010));
    assert_eq!(e.now(), UnixNanos(2_000_010));
    assert_eq!(
        e.state().order(ClientOrderId::from_static("O-1")).unwrap().status(),
        OrderStatus::Filled
    );
}

#[test]
fn a_denial_is_an_event_and_nothing_reaches_the_venue() {
    let mut cfg = config(0);
    cfg.risk.max_order_quantity = Some(crate::risk::QuantityLimit::All("0.5".parse().unwrap()));
    let mut e = Engine::new(cfg).unwrap();
    e.add_instrument(instrument()).unwrap();
    e.process(quote(1, "100.00", "100.01")).unwrap();
    e.process(submit(2, "O-1", OrderSide::Buy, "1.000")).unwrap();
    let out = e.drain_events();
    assert_eq!(kinds(&out), ["SubmitOrder", "OrderInitialized", "OrderDenied"]);
    assert_eq!(e.counters().denials, 1);
    assert_eq!(e.scheduled(), 0);
}

#[test]
fn halt_denies_new_orders_and_resume_restores_them() {
    let mut e = engine(0);
    e.process(quote(1, "100.00", "100.01")).unwrap();
    let halt = Halt {
        reason: "test".into(),
        source: "operator".into(),
        ts_event: UnixNanos(2),
        ts_init: UnixNanos(2),
    };
    e.process(halt.into()).unwrap();
    assert_eq!(e.state().risk().state(), TradingState::Halted);
    e.process(submit(3, "O-1", OrderSide::Buy, "1.000")).unwrap();
    assert_eq!(
        e.state().order(ClientOrderId::from_static("O-1")).unwrap().status(),
        OrderStatus::Denied
    );
    let resume = Resume {
        reason: "ok".into(),
        source: "operator".into(),
        ts_event: UnixNanos(4),
        ts_init: UnixNanos(4),
    };
    e.process(resume.into()).unwrap();
    e.process(submit(5, "O-2", OrderSide::Buy, "1.000")).unwrap();
    assert_eq!(
        e.state().order(ClientOrderId::from_static("O-2")).unwrap().status(),
        OrderStatus::Filled
    );
    let out = e.drain_events();
    assert_eq!(out.iter().filter(|ev| ev.kind() == "TradingStateChanged").count(), 2);
}

#[test]
fn flatten_cancels_orders_and_closes_positions() {
    let mut e = engine(0);
    e.process(quote(1, "100.00", "100.01")).unwrap();
    e.process(submit(2, "O-1", OrderSide::Buy, "2.000")).unwrap();
    let resting = SubmitOrder {
        order_type: OrderType::Limit,
        price: Some("90.00".parse().unwrap()),
        time_in_force: TimeInForce::Gtc,
        client_order_id: ClientOrderId::from_static("O-2"),
        ..match submit(3, "O-2", OrderSide::Buy, "1.000") {
            Event::SubmitOrder(s) => s,
            _ => unreachable!(),
        }
    };
    e.process(resting.into()).unwrap();
    assert_eq!(e.state().open_order_count(), 1);
    let flatten = Flatten {
        strategy_id: None,
        instrument_id: None,
        source: "operator".into(),
        ts_event: UnixNanos(4),
        ts_init: UnixNanos(4),
    };
    e.process(flatten.into()).unwrap();
    assert_eq!(e.state().open_order_count(), 0);
    assert_eq!(e.state().portfolio().net_position_raw(instrument().id), 0);
    assert_eq!(
        e.state().order(ClientOrderId::from_static("O-2")).unwrap().status(),
        OrderStatus::Canceled
    );
    let out = e.drain_events();
    assert!(out.iter().any(|ev| ev.kind() == "PositionClosed"));
}

#[test]
fn cancel_all_of_nothing_is_recorded_and_harmless() {
    let mut e = engine(0);
    let c = CancelAllOrders {
        strategy_id: None,
        instrument_id: None,
        source: "operator".into(),
        ts_event: UnixNanos(1),
        ts_init: UnixNanos(1),
    };
    e.process(c.into()).unwrap();
    assert_eq!(kinds(&e.drain_events()), ["CancelAllOrders"]);
}

#[test]
fn bad_input_is_an_error_and_changes_nothing() {
    let mut e = engine(0);
    let mut q = quote(1, "100.00", "100.01");
    if let Event::QuoteTick(ref mut t) = q {
        t.instrument_id = InstrumentId::from_static("NOPE.SIM");
    }
    assert!(matches!(e.process(q), Err(EngineError::UnknownInstrument(_))));
    e.process(submit(2, "O-1", OrderSide::Buy, "1.000")).unwrap();
    assert!(matches!(
        e.process(submit(3, "O-1", OrderSide::Buy, "1.000")),
        Err(EngineError::DuplicateOrder(_))
    ));
    let made: Event = crate::events::fixtures::all()
        .into_iter()
        .find(|ev| ev.kind() == "PositionOpened")
        .unwrap();
    assert!(matches!(e.process(made), Err(EngineError::NotAnInput { .. })));
    assert_eq!(e.counters().orders, 1);
}

struct BuyOnce {
    id: StrategyId,
    done: bool,
    fills: usize,
}

impl Strategy for BuyOnce {
    fn id(&self) -> StrategyId {
        self.id
    }
    fn subscriptions(&self) -> Subscriptions {
        Subscriptions { quotes: true, ..Subscriptions::default() }
    }
    fn on_quote(&mut self, ctx: &mut Context<'_>, quote: &QuoteTick) -> CallbackResult {
        if !self.done {
            self.done = true;
            ctx.submit(OrderRequest::market(
                quote.instrument_id,
                OrderSide::Buy,
                Quantity::from_mantissa(1, 0).unwrap(),
            ))
            .unwrap();
            ctx.set_timer("later", ctx.now().add_ns(500), None, None);
        }
        Ok(())
    }
    fn on_order_event(&mut self, _ctx: &mut Context<'_>, event: &Event) -> CallbackResult {
        if event.kind() == "OrderFilled" {
            self.fills += 1;
        }
        Ok(())
    }
    fn on_timer(&mut self, ctx: &mut Context<'_>, _timer: &TimerFired) -> CallbackResult {
        ctx.close_all_positions(None);
        Ok(())
    }
}

#[test]
fn strategy_orders_timers_and_callbacks() {
    let mut e = engine(100);
    e.add_strategy(Box::new(BuyOnce {
        id: StrategyId::from_static("buy-once"),
        done: false,
        fills: 0,
    }))
    .unwrap();
    e.start().unwrap();
    for ts in (1_000..3_000).step_by(100) {
        e.process(quote(ts, "100.00", "100.01")).unwrap();
    }
    e.stop().unwrap();
    let out = e.drain_events();
    assert!(out.iter().any(|ev| ev.kind() == "TimerFired"));
    assert_eq!(out.iter().filter(|ev| ev.kind() == "OrderFilled").count(), 2);
    assert_eq!(e.state().portfolio().net_position_raw(instrument().id), 0);
    assert!(e.state().order(ClientOrderId::from_static("O-buy-once-1")).is_some());
    assert!(e.state().order(ClientOrderId::from_static("O-buy-once-2")).is_some());
}

fn run_columns(quotes: &[(u64, i64, i64)]) -> (Vec<u8>, EngineCounters) {
    let mut e = engine(250);
    e.add_strategy(Box::new(BuyOnce {
        id: StrategyId::from_static("buy-once"),
        done: false,
        fills: 0,
    }))
    .unwrap();
    e.start().unwrap();
    let n = quotes.len();
    let instrument = vec![0u32; n];
    let bid: Vec<i64> = quotes.iter().map(|q| q.1).collect();
    let ask: Vec<i64> = quotes.iter().map(|q| q.2).collect();
    let size = vec![5_000_000_000u64; n];
    let ts: Vec<u64> = quotes.iter().map(|q| q.0).collect();
    let cols = QuoteColumns {
        instrument: &instrument,
        bid_price: &bid,
        ask_price: &ask,
        bid_size: &size,
        ask_size: &size,
        ts_event: &ts,
        ts_init: &ts,
    };
    e.run_quotes(&cols).unwrap();
    e.stop().unwrap();
    let bytes = rmp_serde::to_vec_named(&e.drain_events()).unwrap();
    (bytes, e.counters())
}

#[test]
fn columnar_run_equals_event_by_event_and_is_deterministic() {
    let quotes: Vec<(u64, i64, i64)> = (0..200)
        .map(|i| {
            (
                1_000 + i * 100,
                100_000_000_000 + (i as i64 % 7) * 10_000_000,
                100_010_000_000 + (i as i64 % 7) * 10_000_000,
            )
        })
        .collect();
    let (a, ca) = run_columns(&quotes);
    let (b, _) = run_columns(&quotes);
    assert_eq!(a, b, "same input, same output bytes");

    let mut e = engine(250);
    e.add_strategy(Box::new(BuyOnce {
        id: StrategyId::from_static("buy-once"),
        done: false,
        fills: 0,
    }))
    .unwrap();
    e.start().unwrap();
    for &(ts, bid, ask) in &quotes {
        let q = QuoteTick {
            instrument_id: instrument().id,
            bid_price: crate::types::Price::from_raw(bid, 2).unwrap(),
            ask_price: crate::types::Price::from_raw(ask, 2).unwrap(),
            bid_size: Quantity::from_raw(5_000_000_000, 3).unwrap(),
            ask_size: Quantity::from_raw(5_000_000_000, 3).unwrap(),
            ts_event: UnixNanos(ts),
            ts_init: UnixNanos(ts),
        };
        e.process(q.into()).unwrap();
    }
    e.stop().unwrap();
    let c = rmp_serde::to_vec_named(&e.drain_events()).unwrap();
    assert_eq!(a, c, "columnar and event-by-event runs emit the same events");
    assert_eq!(ca.quotes, 200);
}

#[test]
fn a_quote_block_with_an_off_grid_row_changes_nothing() {
    // Row 3's bid has three decimals; the instrument prices in cents. Rows 0 to 2 are fine and
    // must not be applied either: the whole block is refused.
    let mut e = engine(0);
    let n = 5;
    let instrument = vec![0u32; n];
    let mut bid = vec![100_000_000_000i64; n];
    bid[3] = 100_001_000_000;
    let ask = vec![100_010_000_000i64; n];
    let size = vec![5_000_000_000u64; n];
    let ts: Vec<u64> = (1..=n as u64).collect();
    let cols = QuoteColumns {
        instrument: &instrument,
        bid_price: &bid,
        ask_price: &ask,
        bid_size: &size,
        ask_size: &size,
        ts_event: &ts,
        ts_init: &ts,
    };
    let error = e.run_quotes(&cols).unwrap_err();
    assert!(error.to_string().contains("row 3: bid_price"), "{error}");
    assert_eq!(e.counters(), EngineCounters::default());
    assert_eq!(e.now(), UnixNanos(0));
    assert!(e.state().instruments[0].quote.is_none());
}

/// The exact event sequence of a round trip, a flip and a partial fill with a canceled
/// remainder, field by field: any change to what the engine emits must show up here.
#[test]
#[allow(clippy::too_many_lines)] // One literal event sequence, meant to be read top to bottom.
fn round_trip_events_are_pinned_field_by_field() {
    use crate::events::{
        AccountBalance, AccountState, OrderAccepted, OrderCanceled, OrderFilled, OrderInitialized,
        OrderSubmitted, PositionState,
    };
    use crate::types::{LiquiditySide, PositionId, PositionSide, Price, TradeId, VenueOrderId};

    let mut e = engine(0);
    e.process(quote(1_000, "100.00", "100.01")).unwrap();
    e.process(submit(2_000, "O-1", OrderSide::Buy, "1.000")).unwrap();
    e.process(submit(3_000, "O-2", OrderSide::Sell, "6.000")).unwrap();
    let out = e.drain_events();

    let strategy_id = StrategyId::from_static("manual");
    let instrument_id = instrument().id;
    let account_id = AccountId::from_static("SIM-001");
    let t = UnixNanos;
    let usdt_raw = |amount: i128| Money { amount, currency: usdt() };
    let qty = |s: &str| s.parse::<Quantity>().unwrap();
    let px = |raw: i64, precision: u8| Price::from_raw(raw, precision).unwrap();
    let initialized = |id: &str, side, quantity: &str, ts| -> Event {
        OrderInitialized {
            strategy_id,
            instrument_id,
            client_order_id: ClientOrderId::from_static(id),
            side,
            order_type: OrderType::Market,
            quantity: qty(quantity),
            price: None,
            trigger_price: None,
            time_in_force: TimeInForce::Ioc,
            expire_time: None,
            post_only: false,
            reduce_only: false,
            ts_event: t(ts),
            ts_init: t(ts),
        }
        .into()
    };
    let submitted = |id: &str, ts| -> Event {
        OrderSubmitted {
            strategy_id,
            instrument_id,
            client_order_id: ClientOrderId::from_static(id),
            account_id,
            ts_event: t(ts),
            ts_init: t(ts),
        }
        .into()
    };
    let accepted = |id: &str, venue_id: &str, ts| -> Event {
        OrderAccepted {
            strategy_id,
            instrument_id,
            client_order_id: ClientOrderId::from_static(id),
            venue_order_id: VenueOrderId::from_static(venue_id),
            account_id,
            ts_event: t(ts),
            ts_init: t(ts),
        }
        .into()
    };
    #[allow(clippy::too_many_arguments)]
    let filled = |id: &str, venue_id: &str, trade: &str, side, q: &str, p: Price, fee, ts| {
        Event::OrderFilled(OrderFilled {
            strategy_id,
            instrument_id,
            client_order_id: ClientOrderId::from_static(id),
            venue_order_id: VenueOrderId::from_static(venue_id),
            account_id,
            trade_id: TradeId::from_static(trade),
            side,
            order_type: OrderType::Market,
            last_qty: qty(q),
            last_px: p,
            commission: usdt_raw(fee),
            liquidity_side: LiquiditySide::Taker,
            ts_event: t(ts),
            ts_init: t(ts),
        })
    };
    let position = |side, q: &str, avg: i64, last: i64, realized, ts| PositionState {
        strategy_id,
        instrument_id,
        position_id: PositionId::from_static("BTCUSDT.SIM-manual"),
        side,
        quantity: qty(q),
        avg_px_open: px(avg, 9),
        last_px: px(last, 2),
        realized_pnl: usdt_raw(realized),
        unrealized_pnl: usdt_raw(0),
        ts_event: t(ts),
        ts_init: t(ts),
    };
    let account = |total: i128, locked: i128, ts| -> Event {
        AccountState {
            account_id,
            account_type: AccountType::Margin,
            balances: vec![AccountBalance {
                currency: usdt(),
                total: usdt_raw(total),
                locked: usdt_raw(locked),
                free: usdt_raw(total - locked),
            }],
            ts_event: t(ts),
            ts_init: t(ts),
        }
        .into()
    };
    let expected: Vec<Event> = vec![
        submit(2_000, "O-1", OrderSide::Buy, "1.000"),
        initialized("O-1", OrderSide::Buy, "1.000", 2_000),
        submitted("O-1", 2_000),
        accepted("O-1", "SIM-1", 2_000),
        // 1 at the ask, 100.01; taker fee 0.1% = 0.10001.
        filled(
            "O-1",
            "SIM-1",
            "SIM-1-1",
            OrderSide::Buy,
            "1.000",
            px(100_010_000_000, 2),
            100_010_000,
            2_000,
        ),
        Event::PositionOpened(position(
            PositionSide::Long,
            "1.000",
            100_010_000_000,
            100_010_000_000,
            0,
            2_000,
        )),
        // 1,000,000 - 0.10001; the margin locked is the position's notional.
        account(999_999_899_990_000, 100_010_000_000, 2_000),
        submit(3_000, "O-2", OrderSide::Sell, "6.000"),
        initialized("O-2", OrderSide::Sell, "6.000", 3_000),
        submitted("O-2", 3_000),
        accepted("O-2", "SIM-2", 3_000),
        // Only 5 at the bid, 100.00: the flip closes 1 (-0.01) and opens 4 short; fee 0.5.
        filled(
            "O-2",
            "SIM-2",
            "SIM-2-1",
            OrderSide::Sell,
            "5.000",
            px(100_000_000_000, 2),
            500_000_000,
            3_000,
        ),
        Event::PositionClosed(position(
            PositionSide::Flat,
            "0.000",
            100_010_000_000,
            100_000_000_000,
            -10_000_000,
            3_000,
        )),
        Event::PositionOpened(position(
            PositionSide::Short,
            "4.000",
            100_000_000_000,
            100_000_000_000,
            -10_000_000,
            3_000,
        )),
        account(999_999_389_990_000, 400_000_000_000, 3_000),
        // The IOC remainder of 1 is canceled.
        OrderCanceled {
            strategy_id,
            instrument_id,
            client_order_id: ClientOrderId::from_static("O-2"),
            venue_order_id: Some(VenueOrderId::from_static("SIM-2")),
            ts_event: t(3_000),
            ts_init: t(3_000),
        }
        .into(),
    ];
    assert_eq!(out.len(), expected.len(), "{:#?}", kinds(&out));
    for (i, (got, want)) in out.iter().zip(&expected).enumerate() {
        assert_eq!(got, want, "event {i}");
    }
    assert_eq!(e.counters().events_out, expected.len() as u64);
}

#[test]
fn performance_record_samples_equity_and_books_round_trips_net_of_fees() {
    let mut e = engine(0);
    assert!(e.record_performance(usdt(), 0).is_err());
    e.record_performance(usdt(), 1_000).unwrap();
    e.process(quote(0, "100.00", "100.02")).unwrap();
    e.process(submit(0, "O-1", OrderSide::Buy, "1.000")).unwrap();
    e.process(quote(500, "105.00", "105.02")).unwrap(); // inside the period: no sample
    e.process(quote(1_000, "110.00", "110.02")).unwrap();
    e.process(submit(1_000, "O-2", OrderSide::Sell, "1.000")).unwrap();
    e.stop().unwrap();
    let r = e.performance().unwrap();
    let units = |s: &str| Money::parse(s, usdt()).unwrap().amount;
    assert_eq!(r.equity_ts, vec![0, 1_000, 1_000]);
    // Bought 1 @ 100.02 paying 0.10002; at 1000 marked at the mid 110.01.
    assert_eq!(
        r.equity_raw,
        vec![units("1000000"), units("1000009.88998"), units("1000009.76998")]
    );
    // Sold 1 @ 110.00 paying 0.11: 9.98 gross, 9.76998 net of both fees.
    assert_eq!(r.trade_ts, vec![1_000]);
    assert_eq!(r.trade_pnl_raw, vec![units("9.76998")]);
    let s = r.statistics(1.0);
    assert_eq!(s.trades, 1);
    assert!((s.pnl - 9.76998).abs() < 1e-9);
}

#[test]
fn random_latency_keeps_venue_traffic_in_order() {
    // A market order larger than the touch fills partly and is canceled: with a delay drawn
    // per message, the cancel could overtake the fill. One ordered connection each way keeps
    // every order's story legal.
    let range = |min_ns, max_ns| crate::matching::LatencyRange { min_ns, max_ns };
    let mut cfg = config(0);
    cfg.latency = LatencyConfig::Random {
        seed: 11,
        submit: range(1, 1_000),
        cancel: range(1, 1_000),
        modify: range(1, 1_000),
        response: range(1, 1_000),
    };
    let mut e = Engine::new(cfg).unwrap();
    e.add_instrument(instrument()).unwrap();
    for i in 0..50_u64 {
        let ts = i * 10_000;
        e.process(quote(ts, "100.00", "100.02")).unwrap();
        let side = if i % 2 == 0 { OrderSide::Buy } else { OrderSide::Sell };
        e.process(submit(ts, &format!("O-{i}"), side, "6.000")).unwrap();
    }
    e.stop().unwrap();
    let c = e.counters();
    assert_eq!(c.illegal_transitions, 0);
    assert_eq!(c.fills, 50);
    let net = e.state().portfolio().net_position_raw(instrument().id);
    assert_eq!(net, 0, "25 partial buys and 25 partial sells of 5 each");
}

#[test]
fn a_gtd_order_expires_on_time_with_no_other_traffic() {
    let mut e = engine(0);
    e.process(quote(1, "100.00", "100.01")).unwrap();
    let gtd = SubmitOrder {
        order_type: OrderType::Limit,
        price: Some("90.00".parse().unwrap()),
        time_in_force: TimeInForce::Gtd,
        expire_time: Some(UnixNanos(5_000)),
        ..match submit(2, "O-1", OrderSide::Buy, "1.000") {
            Event::SubmitOrder(s) => s,
            _ => unreachable!(),
        }
    };
    e.process(gtd.into()).unwrap();
    e.advance_to(UnixNanos(4_999)).unwrap();
    assert_eq!(
        e.state().order(ClientOrderId::from_static("O-1")).unwrap().status(),
        OrderStatus::Accepted
    );
    e.advance_to(UnixNanos(10_000)).unwrap();
    assert_eq!(
        e.state().order(ClientOrderId::from_static("O-1")).unwrap().status(),
        OrderStatus::Expired
    );
    let expired = e.drain_events().into_iter().find(|ev| ev.kind() == "OrderExpired").unwrap();
    assert_eq!(expired.ts_event(), UnixNanos(5_000));
    assert_eq!(e.state().open_order_count(), 0);
}

struct Ticker {
    fired: u32,
}

impl Strategy for Ticker {
    fn id(&self) -> StrategyId {
        StrategyId::from_static("ticker")
    }
    fn subscriptions(&self) -> Subscriptions {
        Subscriptions::default()
    }
    fn on_start(&mut self, ctx: &mut Context<'_>) -> CallbackResult {
        ctx.set_timer("every-ms", ctx.now().add_ns(1_000_000), Some(1_000_000), None);
        Ok(())
    }
    fn on_timer(&mut self, _ctx: &mut Context<'_>, _timer: &TimerFired) -> CallbackResult {
        self.fired += 1;
        Ok(())
    }
}

#[test]
fn stop_with_a_recurring_timer_ends_where_the_run_ended() {
    let mut e = engine(1_000);
    e.add_strategy(Box::new(Ticker { fired: 0 })).unwrap();
    e.start().unwrap();
    e.process(quote(10_500_000, "100.00", "100.01")).unwrap();
    e.process(submit(10_500_000, "O-1", OrderSide::Buy, "1.000")).unwrap();
    e.stop().unwrap();
    // The order's traffic (1 us each way) arrived; the clock stopped there, not at the end of
    // time, and the timer fired once per millisecond up to then.
    assert_eq!(e.now(), UnixNanos(10_502_000));
    assert_eq!(
        e.state().order(ClientOrderId::from_static("O-1")).unwrap().status(),
        OrderStatus::Filled
    );
    let fired = e.drain_events().iter().filter(|ev| ev.kind() == "TimerFired").count();
    assert_eq!(fired, 10);
}
