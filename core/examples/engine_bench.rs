//! Engine figures for bench/engine.py: quote replay rate, order round trip, order scaling, input
//! bytes per quote, and the memory a long run keeps (`rss_growth_mb`). Prints one JSON line.

use nautui_core::engine::{Engine, EngineConfig, QuoteColumns};
use nautui_core::events::{Event, QuoteTick, SubmitOrder, TradeTick};
use nautui_core::matching::{BookMode, LatencyConfig, VenueConfig};
use nautui_core::risk::RiskConfig;
use nautui_core::rng::SeededRng;
use nautui_core::strategy::{CallbackResult, Context, OrderRequest, Strategy, Subscriptions};
use nautui_core::types::{
    AccountId, AccountType, AggressorSide, ClientOrderId, Currency, Instrument, InstrumentId,
    Money, OrderSide, OrderType, Price, StrategyId, TimeInForce, TradeId, UnixNanos, Venue,
};
use std::time::Instant;

fn instrument() -> Instrument {
    Instrument::spot(
        InstrumentId::from_static("EURUSD.SIM"),
        Currency::from_static("EUR"),
        Currency::from_static("USD"),
        "0.00001".parse().expect("tick"),
        "1".parse().expect("lot"),
    )
}

fn engine() -> Engine {
    let config = EngineConfig {
        account_id: AccountId::from_static("SIM-001"),
        account_type: AccountType::Margin,
        starting_balances: vec![
            Money::parse("1000000000", Currency::from_static("USD")).expect("money")
        ],
        venue: Some(VenueConfig {
            venue: Venue::from_static("SIM"),
            account_id: AccountId::from_static("SIM-001"),
            book_mode: BookMode::L1,
            outages: vec![],
            queue_position: true,
            trade_fills: true,
        }),
        latency: LatencyConfig::Fixed { submit_ns: 0, cancel_ns: 0, modify_ns: 0, response_ns: 0 },
        risk: RiskConfig::default(),
        record_market_data: false,
    };
    let mut e = Engine::new(config).expect("engine");
    e.add_instrument(instrument()).expect("instrument");
    e
}

/// The reference quote stream: bid/ask random walk of -1/0/+1 ticks, 1-3 tick spread,
/// 1,000,000 each side, 1 ms apart, seed 42.
struct Quotes {
    instrument: Vec<u32>,
    bid: Vec<i64>,
    ask: Vec<i64>,
    bid_size: Vec<u64>,
    ask_size: Vec<u64>,
    ts: Vec<u64>,
}

impl Quotes {
    fn generate(n: usize) -> Self {
        let tick = 10_000i64; // 0.00001 in raw 1e-9 units
        let mut rng = SeededRng::new(42);
        let mut mid_ticks = 110_000i64;
        let mut q = Self {
            instrument: Vec::with_capacity(n),
            bid: Vec::with_capacity(n),
            ask: Vec::with_capacity(n),
            bid_size: Vec::with_capacity(n),
            ask_size: Vec::with_capacity(n),
            ts: Vec::with_capacity(n),
        };
        for i in 0..n {
            mid_ticks += rng.range_inclusive(0, 2) as i64 - 1;
            let spread = rng.range_inclusive(1, 3) as i64;
            q.instrument.push(0);
            q.bid.push(mid_ticks * tick);
            q.ask.push((mid_ticks + spread) * tick);
            q.bid_size.push(1_000_000 * 1_000_000_000);
            q.ask_size.push(1_000_000 * 1_000_000_000);
            q.ts.push(1_600_000_000_000_000_000 + i as u64 * 1_000_000);
        }
        q
    }

    fn columns(&self) -> QuoteColumns<'_> {
        QuoteColumns {
            instrument: &self.instrument,
            bid_price: &self.bid,
            ask_price: &self.ask,
            bid_size: &self.bid_size,
            ask_size: &self.ask_size,
            ts_event: &self.ts,
            ts_init: &self.ts,
        }
    }

    fn bytes(&self) -> usize {
        self.instrument.capacity() * 4
            + (self.bid.capacity() + self.ask.capacity()) * 8
            + (self.bid_size.capacity() + self.ask_size.capacity()) * 8
            // ts_event and ts_init share one buffer here; count both as a live feed would.
            + self.ts.capacity() * 8 * 2
    }
}

fn replay_quotes_per_s(quotes: &Quotes) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..5 {
        let mut e = engine();
        let start = Instant::now();
        e.run_quotes(&quotes.columns()).expect("run");
        best = best.min(start.elapsed().as_secs_f64());
        assert_eq!(e.counters().quotes as usize, quotes.ts.len());
    }
    quotes.ts.len() as f64 / best
}

fn submit(n: u64, side: OrderSide, ts: u64) -> Event {
    SubmitOrder {
        strategy_id: StrategyId::from_static("bench"),
        instrument_id: instrument().id,
        client_order_id: ClientOrderId::from_static(&format!("O-bench-{n}")),
        side,
        order_type: OrderType::Market,
        quantity: "100".parse().expect("qty"),
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

fn quote_event(ts: u64) -> Event {
    QuoteTick {
        instrument_id: instrument().id,
        bid_price: "1.10000".parse().expect("px"),
        ask_price: "1.10002".parse().expect("px"),
        bid_size: "1000000".parse().expect("qty"),
        ask_size: "1000000".parse().expect("qty"),
        ts_event: UnixNanos(ts),
        ts_init: UnixNanos(ts),
    }
    .into()
}

/// Runs `n` market orders through submit, risk, match, fill, position; returns each one's ns.
fn order_times(n: u64) -> Vec<u64> {
    let mut e = engine();
    e.process(quote_event(1)).expect("quote");
    let orders: Vec<Event> = (0..n)
        .map(|i| submit(i, if i % 2 == 0 { OrderSide::Buy } else { OrderSide::Sell }, 2 + i))
        .collect();
    let mut times = Vec::with_capacity(n as usize);
    for (i, order) in orders.into_iter().enumerate() {
        // A fresh quote restores the liquidity earlier orders took (not timed).
        e.process(quote_event(2 + i as u64)).expect("quote");
        let start = Instant::now();
        e.process(order).expect("order");
        times.push(start.elapsed().as_nanos() as u64);
        e.drain_events();
    }
    assert_eq!(e.counters().fills, n);
    times
}

/// Every 100 quotes, cancels its working order and places a new limit ten ticks behind the bid:
/// a strategy that runs for months and makes orders all the time.
struct PlaceCancel {
    quotes: u64,
    working: Option<ClientOrderId>,
}

impl Strategy for PlaceCancel {
    fn id(&self) -> StrategyId {
        StrategyId::from_static("churn")
    }
    fn subscriptions(&self) -> Subscriptions {
        Subscriptions { quotes: true, ..Subscriptions::default() }
    }
    fn on_quote(&mut self, ctx: &mut Context<'_>, quote: &QuoteTick) -> CallbackResult {
        self.quotes += 1;
        if !self.quotes.is_multiple_of(100) {
            return Ok(());
        }
        if let Some(id) = self.working.take() {
            if ctx.order(id).is_some_and(nautui_core::orders::Order::is_open) {
                let _ = ctx.cancel(id);
            }
        }
        let tick = Price::from_raw(10_000 * 10, 5).expect("ten ticks");
        let price = quote.bid_price.checked_sub(tick).expect("price");
        let request = OrderRequest::limit(
            quote.instrument_id,
            OrderSide::Buy,
            "100".parse().expect("q"),
            price,
        );
        self.working = ctx.submit(request).ok();
        Ok(())
    }
}

/// Resident memory of this process (bytes), from /proc.
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// MB the process grows by between 5,000,000 quotes in (every window full) and the end of a
/// run of 50,000,000 quotes and 5,000,000 trades with `PlaceCancel` trading.
fn rss_growth_mb(quotes: &mut Quotes) -> (f64, u64) {
    let mut e = engine();
    e.add_strategy(Box::new(PlaceCancel { quotes: 0, working: None })).expect("strategy");
    e.start().expect("start");
    let block = quotes.ts.len() as u64;
    let mut baseline = 0;
    let mut trades = 0u64;
    for round in 0..50 {
        let base = 1_600_000_000_000_000_000 + round * block * 1_000_000;
        for (i, ts) in quotes.ts.iter_mut().enumerate() {
            *ts = base + i as u64 * 1_000_000;
        }
        for chunk in 0..10 {
            let rows = (chunk * block / 10) as usize..((chunk + 1) * block / 10) as usize;
            let cols = quotes.columns();
            let part = QuoteColumns {
                instrument: &cols.instrument[rows.clone()],
                bid_price: &cols.bid_price[rows.clone()],
                ask_price: &cols.ask_price[rows.clone()],
                bid_size: &cols.bid_size[rows.clone()],
                ask_size: &cols.ask_size[rows.clone()],
                ts_event: &cols.ts_event[rows.clone()],
                ts_init: &cols.ts_init[rows.clone()],
            };
            e.run_quotes(&part).expect("quotes");
            // A tenth as many trades as quotes, at the touch, after each slice.
            let last = rows.end - 1;
            for k in 0..(rows.len() as u64 / 10) {
                trades += 1;
                let trade = TradeTick {
                    instrument_id: instrument().id,
                    price: Price::from_raw(cols.bid_price[last], 5).expect("px"),
                    size: "1000".parse().expect("qty"),
                    aggressor_side: AggressorSide::Seller,
                    trade_id: TradeId::new(&trades.to_string()).expect("id"),
                    ts_event: UnixNanos(cols.ts_init[last] + k),
                    ts_init: UnixNanos(cols.ts_init[last] + k),
                };
                e.process(trade.into()).expect("trade");
            }
            e.drain_events();
        }
        if round == 4 {
            baseline = rss_bytes();
        }
    }
    let grown = rss_bytes().saturating_sub(baseline);
    (grown as f64 / 1_048_576.0, e.counters().orders)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--orders-only") {
        // For profiling the order path alone: `--orders-only [N]` (default 300,000 orders).
        let n = args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(300_000);
        order_times(n);
        return;
    }
    let n = 1_000_000;
    let quotes = Quotes::generate(n);
    let replay = replay_quotes_per_s(&quotes);

    let _warm = order_times(20_000);
    let mut times = order_times(100_000);
    times.sort_unstable();
    let median = times[times.len() / 2];

    let small: f64 =
        (0..3).map(|_| order_times(20_000).iter().sum::<u64>() as f64).fold(f64::MAX, f64::min);
    let large: f64 =
        (0..3).map(|_| order_times(200_000).iter().sum::<u64>() as f64).fold(f64::MAX, f64::min);
    let scaling = large / (10.0 * small);

    let bytes_per_quote = quotes.bytes() as f64 / n as f64;
    let mut quotes = quotes;
    let (rss_growth, churned) = rss_growth_mb(&mut quotes);
    println!(
        "{{\"replay_quotes_per_s\": {replay:.0}, \"order_roundtrip_ns_median\": {median}, \"order_roundtrip_ns_p99\": {p99}, \"orders_scaling_ratio\": {scaling:.3}, \"bytes_per_quote\": {bytes_per_quote:.1}, \"rss_growth_mb\": {rss_growth:.1}, \"rss_orders\": {churned}}}",
        p99 = times[times.len() * 99 / 100]
    );
}
