//! Random trading histories for the recovery and replay tests: an engine on the simulated venue
//! (random latency, queue positions, a throttle) fed random quotes, trades, orders, cancels,
//! cancel-alls, flattens, halts and resumes, with a strategy whose timers fire.

use crate::engine::{Engine, EngineConfig};
use crate::events::{
    CancelAllOrders, CancelOrder, Event, Flatten, Halt, QuoteTick, Resume, SubmitOrder, TradeTick,
    VenueDisconnected,
};
use crate::matching::{BookMode, LatencyConfig, LatencyRange, VenueConfig};
use crate::risk::{RateLimit, RiskConfig};
use crate::rng::SeededRng;
use crate::strategy::{CallbackResult, Context, Strategy, Subscriptions};
use crate::types::{
    AccountId, AccountType, AggressorSide, ClientOrderId, Currency, Instrument, InstrumentId,
    Money, OrderSide, OrderType, Price, Quantity, StrategyId, TimeInForce, TradeId, UnixNanos,
    Venue,
};

pub fn instrument() -> Instrument {
    let mut i = Instrument::spot(
        InstrumentId::from_static("BTCUSDT.SIM"),
        Currency::from_static("BTC"),
        Currency::from_static("USDT"),
        "0.01".parse().unwrap(),
        "0.001".parse().unwrap(),
    );
    i.taker_fee = "0.001".parse().unwrap();
    i.maker_fee = "0.0005".parse().unwrap();
    i
}

pub fn config(seed: u64, simulated: bool) -> EngineConfig {
    let range = |min_ns, max_ns| LatencyRange { min_ns, max_ns };
    EngineConfig {
        account_id: AccountId::from_static("SIM-001"),
        account_type: AccountType::Margin,
        starting_balances: vec![Money::parse("1000000", Currency::from_static("USDT")).unwrap()],
        venue: simulated.then(|| VenueConfig {
            venue: Venue::from_static("SIM"),
            account_id: AccountId::from_static("SIM-001"),
            book_mode: BookMode::L1,
            outages: vec![(UnixNanos(40_000_000), UnixNanos(45_000_000))],
            queue_position: true,
            trade_fills: true,
        }),
        latency: LatencyConfig::Random {
            seed,
            submit: range(100_000, 3_000_000),
            cancel: range(100_000, 3_000_000),
            modify: range(100_000, 3_000_000),
            response: range(0, 2_000_000),
        },
        risk: RiskConfig {
            submit_rate: Some(RateLimit { count: 3, interval_ns: 5_000_000 }),
            max_open_orders: Some(6),
            ..RiskConfig::default()
        },
        record_market_data: true,
    }
}

/// Sets a recurring timer on start and does nothing else: its timers fire into the log.
pub struct TimerStrategy;

impl Strategy for TimerStrategy {
    fn id(&self) -> StrategyId {
        StrategyId::from_static("timers")
    }
    fn subscriptions(&self) -> Subscriptions {
        Subscriptions::default()
    }
    fn on_start(&mut self, ctx: &mut Context<'_>) -> CallbackResult {
        ctx.set_timer("tick", ctx.now().add_ns(3_000_000), Some(7_000_000), None);
        Ok(())
    }
}

/// A live run: the log it wrote and the snapshots taken after each input (seq, bytes).
pub struct Run {
    pub log: Vec<Event>,
    pub snapshots: Vec<(u64, Vec<u8>)>,
    pub engine: Engine,
}

fn id() -> InstrumentId {
    instrument().id
}

fn px(raw_cents: i64) -> Price {
    Price::from_raw(raw_cents * 10_000_000, 2).unwrap()
}

fn qty(lots: u64) -> Quantity {
    Quantity::from_raw(lots * 1_000_000, 3).unwrap()
}

/// `steps` random inputs from `seed`.
#[allow(clippy::too_many_lines)] // one arm per kind of input
pub fn inputs(seed: u64, steps: usize) -> Vec<Event> {
    let mut rng = SeededRng::new(seed ^ 0x5EED);
    let (mut ts, mut mid, mut orders) = (1_000_000u64, 10_000i64, 0u32);
    let strategy = StrategyId::from_static("manual");
    let mut out = Vec::with_capacity(steps);
    for _ in 0..steps {
        ts += rng.range_inclusive(1, 2_000_000);
        let t = UnixNanos(ts);
        let roll = rng.range_inclusive(0, 99);
        let event: Event = match roll {
            0..=44 => {
                mid += rng.range_inclusive(0, 6) as i64 - 3;
                let spread = rng.range_inclusive(1, 3) as i64;
                QuoteTick {
                    instrument_id: id(),
                    bid_price: px(mid - spread),
                    ask_price: px(mid + spread),
                    bid_size: qty(rng.range_inclusive(1, 5_000)),
                    ask_size: qty(rng.range_inclusive(1, 5_000)),
                    ts_event: t,
                    ts_init: t,
                }
                .into()
            }
            45..=54 => TradeTick {
                instrument_id: id(),
                price: px(mid + rng.range_inclusive(0, 8) as i64 - 4),
                size: qty(rng.range_inclusive(1, 2_000)),
                aggressor_side: if rng.range_inclusive(0, 1) == 0 {
                    AggressorSide::Buyer
                } else {
                    AggressorSide::Seller
                },
                trade_id: TradeId::from_static(&format!("T-{ts}")),
                ts_event: t,
                ts_init: t,
            }
            .into(),
            55..=79 => {
                orders += 1;
                let limit = rng.range_inclusive(0, 2) > 0;
                let side =
                    if rng.range_inclusive(0, 1) == 0 { OrderSide::Buy } else { OrderSide::Sell };
                SubmitOrder {
                    strategy_id: strategy,
                    instrument_id: id(),
                    client_order_id: ClientOrderId::from_static(&format!("M-{orders}")),
                    side,
                    order_type: if limit { OrderType::Limit } else { OrderType::Market },
                    quantity: qty(rng.range_inclusive(1, 1_500)),
                    price: limit.then(|| px(mid + rng.range_inclusive(0, 10) as i64 - 5)),
                    trigger_price: None,
                    time_in_force: if limit { TimeInForce::Gtc } else { TimeInForce::Ioc },
                    expire_time: None,
                    post_only: false,
                    reduce_only: false,
                    ts_event: t,
                    ts_init: t,
                }
                .into()
            }
            // Among the recent orders: one that closed long ago has left the engine's memory, and
            // canceling it is refused as unknown (only the log still holds it).
            80..=89 if orders > 0 => CancelOrder {
                strategy_id: strategy,
                instrument_id: id(),
                client_order_id: ClientOrderId::from_static(&format!(
                    "M-{}",
                    rng.range_inclusive(
                        u64::from(orders.saturating_sub(50)).max(1),
                        u64::from(orders)
                    )
                )),
                ts_event: t,
                ts_init: t,
            }
            .into(),
            90..=92 => CancelAllOrders {
                strategy_id: None,
                instrument_id: None,
                source: "operator".into(),
                ts_event: t,
                ts_init: t,
            }
            .into(),
            93 => Flatten {
                strategy_id: None,
                instrument_id: None,
                source: "operator".into(),
                ts_event: t,
                ts_init: t,
            }
            .into(),
            94..=95 => {
                Halt { reason: "test".into(), source: "operator".into(), ts_event: t, ts_init: t }
                    .into()
            }
            96..=97 => {
                Resume { reason: "test".into(), source: "operator".into(), ts_event: t, ts_init: t }
                    .into()
            }
            _ => VenueDisconnected {
                venue: Venue::from_static("SIM"),
                reason: "test".into(),
                ts_event: t,
                ts_init: t,
            }
            .into(),
        };
        out.push(event);
    }
    out
}

/// A live engine on the simulated venue with the timer strategy started.
pub fn live_engine(seed: u64) -> Engine {
    let mut engine = Engine::new(config(seed, true)).unwrap();
    engine.add_instrument(instrument()).unwrap();
    engine.add_strategy(Box::new(TimerStrategy)).unwrap();
    engine.start().unwrap();
    engine
}

/// `steps` random inputs from `seed` through a live engine on the simulated venue.
pub fn run(seed: u64, steps: usize, snapshot_every_input: bool) -> Run {
    let mut engine = live_engine(seed);
    let mut log = engine.drain_events();
    let mut snapshots = Vec::new();
    for event in inputs(seed, steps) {
        engine.process(event).unwrap();
        log.extend(engine.drain_events());
        if snapshot_every_input {
            snapshots.push((log.len() as u64, engine.snapshot().unwrap()));
        }
    }
    Run { log, snapshots, engine }
}

/// The log as `(seq, event)` from seq 1.
pub fn numbered(log: &[Event]) -> Vec<(u64, Event)> {
    log.iter().cloned().zip(1..).map(|(e, s)| (s, e)).collect()
}
