//! Recovery and seek figures over a 10,000,000-event history held in memory (the SQLite-backed
//! log plugs in through `EventSource`): `recover_10m_s` is the time from the latest snapshot and
//! the log's tail to a trading-ready engine; `seek_ms_p99` the 99th percentile of random seeks
//! with a snapshot every `snapshot_every` events. Prints one JSON line.
//!
//! `cargo run --release --example replay_bench [events] [snapshot_every] [seeks] [order_permille]`
//!
//! The default history is market-data heavy: 1% of inputs are order commands (about 70,000
//! orders in 10,000,000 events). A full snapshot grows with the number of orders ever made (the
//! engine keeps closed orders, in an archive); the replay's checkpoints leave the archive out, so
//! `order_permille` moves recovery more than seeks.

use nautui_core::engine::{Engine, EngineConfig};
use nautui_core::events::{CancelOrder, Event, QuoteTick, SubmitOrder};
use nautui_core::matching::{BookMode, LatencyConfig, LatencyRange, VenueConfig};
use nautui_core::replay::{recover, Replay, ReplayOptions, VecSource};
use nautui_core::risk::RiskConfig;
use nautui_core::rng::SeededRng;
use nautui_core::types::{
    AccountId, AccountType, ClientOrderId, Currency, Instrument, InstrumentId, Money, OrderSide,
    OrderType, Price, Quantity, StrategyId, TimeInForce, UnixNanos, Venue,
};
use std::time::Instant;

fn instrument() -> Instrument {
    Instrument::spot(
        InstrumentId::from_static("BTCUSDT.SIM"),
        Currency::from_static("BTC"),
        Currency::from_static("USDT"),
        "0.01".parse().expect("tick"),
        "0.001".parse().expect("lot"),
    )
}

fn config() -> EngineConfig {
    let range = |min_ns, max_ns| LatencyRange { min_ns, max_ns };
    EngineConfig {
        account_id: AccountId::from_static("SIM-001"),
        account_type: AccountType::Margin,
        starting_balances: vec![
            Money::parse("1000000000", Currency::from_static("USDT")).expect("money")
        ],
        venue: Some(VenueConfig {
            venue: Venue::from_static("SIM"),
            account_id: AccountId::from_static("SIM-001"),
            book_mode: BookMode::L1,
            outages: vec![],
            queue_position: true,
            trade_fills: true,
        }),
        latency: LatencyConfig::Random {
            seed: 1,
            submit: range(100_000, 2_000_000),
            cancel: range(100_000, 2_000_000),
            modify: range(100_000, 2_000_000),
            response: range(100_000, 1_000_000),
        },
        risk: RiskConfig { max_open_orders: Some(50), ..RiskConfig::default() },
        record_market_data: true,
    }
}

fn arg(n: usize, default: u64) -> u64 {
    std::env::args().nth(n).and_then(|a| a.parse().ok()).unwrap_or(default)
}

/// One input: mostly quotes; `order_permille` of inputs are order commands (seven in ten limit
/// orders around the touch, the rest cancels of recent orders).
fn input(
    rng: &mut SeededRng,
    ts: u64,
    mid: &mut i64,
    orders: &mut u64,
    order_permille: u64,
) -> Event {
    let id = instrument().id;
    let t = UnixNanos(ts);
    let px = |cents: i64| Price::from_raw(cents * 10_000_000, 2).expect("price");
    let roll = rng.range_inclusive(0, 999);
    let submits = order_permille * 7 / 10;
    let strategy = StrategyId::from_static("bench");
    if roll >= order_permille || *orders == 0 && roll >= submits {
        *mid += rng.range_inclusive(0, 4) as i64 - 2;
        *mid = (*mid).clamp(5_000, 15_000);
        return QuoteTick {
            instrument_id: id,
            bid_price: px(*mid - 1),
            ask_price: px(*mid + 1),
            bid_size: Quantity::from_raw(rng.range_inclusive(1, 5_000) * 1_000_000, 3).expect("q"),
            ask_size: Quantity::from_raw(rng.range_inclusive(1, 5_000) * 1_000_000, 3).expect("q"),
            ts_event: t,
            ts_init: t,
        }
        .into();
    }
    if roll < submits {
        *orders += 1;
        let side = if rng.range_inclusive(0, 1) == 0 { OrderSide::Buy } else { OrderSide::Sell };
        return SubmitOrder {
            strategy_id: strategy,
            instrument_id: id,
            client_order_id: ClientOrderId::from_static(&format!("B-{orders}")),
            side,
            order_type: OrderType::Limit,
            quantity: Quantity::from_raw(rng.range_inclusive(1, 100) * 1_000_000, 3).expect("q"),
            price: Some(px(*mid + rng.range_inclusive(0, 6) as i64 - 3)),
            trigger_price: None,
            time_in_force: TimeInForce::Gtc,
            expire_time: None,
            post_only: false,
            reduce_only: false,
            ts_event: t,
            ts_init: t,
        }
        .into();
    }
    let n = rng.range_inclusive(orders.saturating_sub(20).max(1), *orders);
    CancelOrder {
        strategy_id: strategy,
        instrument_id: id,
        client_order_id: ClientOrderId::from_static(&format!("B-{n}")),
        ts_event: t,
        ts_init: t,
    }
    .into()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = arg(1, 10_000_000) as usize;
    let every = arg(2, 10_000);
    let seeks = arg(3, 300) as usize;
    let order_permille = arg(4, 10);
    let config = config();

    // The live run: the log it writes and a snapshot about every `every` events.
    let started = Instant::now();
    let mut engine = Engine::new(config.clone())?;
    engine.add_instrument(instrument())?;
    let mut log: Vec<Event> = Vec::with_capacity(target + 64);
    let mut snapshots: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut rng = SeededRng::new(42);
    let (mut ts, mut mid, mut orders) = (1_000_000u64, 10_000i64, 0u64);
    let mut next_snapshot = every;
    while log.len() < target {
        ts += rng.range_inclusive(10_000, 200_000);
        engine.process(input(&mut rng, ts, &mut mid, &mut orders, order_permille))?;
        log.extend(engine.drain_events());
        if log.len() as u64 >= next_snapshot {
            snapshots.push((log.len() as u64, engine.snapshot()?));
            next_snapshot += every;
        }
    }
    let live_s = started.elapsed().as_secs_f64();
    let events = log.len() as u64;

    // Recovery: latest snapshot + tail.
    let started = Instant::now();
    let (at, bytes) = snapshots.last().map_or((0, &[][..]), |(s, b)| (*s, b.as_slice()));
    let tail = log.iter().cloned().zip(1..).skip(at as usize).map(|(e, s)| (s, e));
    let recovered = recover(&config, &[instrument()], Some((at, bytes)), tail)?;
    let recover_s = started.elapsed().as_secs_f64();
    assert_eq!(recovered.last_seq, events);

    let (last_at, last_bytes) = snapshots.last().map_or((0, Vec::new()), |(s, b)| (*s, b.clone()));
    let started = Instant::now();
    let restored = Engine::restore(config.clone(), &last_bytes)?;
    let restore_ms = started.elapsed().as_secs_f64() * 1e3;
    let started = Instant::now();
    let again = restored.snapshot()?;
    let snapshot_ms = started.elapsed().as_secs_f64() * 1e3;
    eprintln!(
        "last snapshot after seq {last_at}: {} bytes, {} orders, {} open; restore {restore_ms:.1} ms, \
         snapshot {snapshot_ms:.1} ms",
        again.len(),
        restored.state().orders().count(),
        restored.state().open_order_count()
    );

    // Seeks: index the log once (a full re-fold with checkpoints), then jump around.
    let started = Instant::now();
    let source = VecSource::new(log);
    let options = ReplayOptions { snapshot_every: every, window: 50 };
    let mut replay = Replay::new(source, config, vec![instrument()], options)?;
    let index_s = started.elapsed().as_secs_f64();
    let mut times = Vec::with_capacity(seeks);
    for _ in 0..seeks {
        let seq = rng.range_inclusive(0, events);
        let started = Instant::now();
        let view = replay.seek(seq)?;
        assert_eq!(view.seq, seq);
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let p = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{{\"events\": {events}, \"snapshot_every\": {every}, \"order_permille\": {order_permille}, \"recover_10m_s\": {recover_s:.4}, \
         \"seek_ms_p50\": {:.3}, \"seek_ms_p99\": {:.3}, \"seek_ms_max\": {:.3}, \
         \"index_s\": {index_s:.2}, \"live_run_s\": {live_s:.2}}}",
        p(0.5),
        p(0.99),
        p(1.0)
    );
    Ok(())
}
