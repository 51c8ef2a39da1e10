//! The column path against the event path: the same market (quotes, trades, book snapshots and
//! deltas, bars, with equal times across kinds) fed through `ColumnFeed` in blocks of every size
//! and fed as events one by one through `process` give the same output, byte for byte.

use super::*;
use crate::engine::columns::{
    BarColumns, Bits, ColumnError, DeltaColumns, QuoteColumns, SnapshotColumns, TradeColumns, Utf8,
};
use crate::engine::{Engine, EngineConfig, EngineCounters};
use crate::events::{
    Bar, BookDeltas, BookLevel, BookLevelDelta, BookSnapshot, Event, QuoteTick, TimerFired,
    TradeTick,
};
use crate::matching::{BookMode, LatencyConfig, LatencyRange, VenueConfig};
use crate::performance::PerformanceRecord;
use crate::risk::RiskConfig;
use crate::rng::SeededRng;
use crate::strategy::{CallbackResult, Context, OrderRequest, Strategy, Subscriptions};
use crate::types::{
    AccountId, AccountType, AggressorSide, BarType, BookAction, Currency, Instrument, InstrumentId,
    Money, OrderSide, Price, Quantity, StrategyId, TradeId, UnixNanos, Venue,
};

const TICK: i64 = 10_000_000; // 0.01
const LOT: u64 = 1_000_000; // 0.001
const BIT_OFFSET: usize = 3;

/// A side of a book: ticks to raw sizes.
type Levels = std::collections::BTreeMap<i64, u64>;

fn instrument() -> Instrument {
    let mut i = Instrument::spot(
        InstrumentId::from_static("BTCUSDT.SIM"),
        Currency::from_static("BTC"),
        Currency::from_static("USDT"),
        "0.01".parse().unwrap(),
        "0.001".parse().unwrap(),
    );
    i.taker_fee = "0.001".parse().unwrap();
    i
}

fn bar_type() -> BarType {
    BarType::from_static("BTCUSDT.SIM-10-TICK-LAST-EXTERNAL")
}

/// An engine with an L1 or L2 venue, with random latency or none at all (then orders fill in
/// the instant they are sent, before the equity sample of a later quote at the same time).
fn engine((mode, latency): (BookMode, bool)) -> Engine {
    let range = |min_ns, max_ns| {
        if latency {
            LatencyRange { min_ns, max_ns }
        } else {
            LatencyRange { min_ns: 0, max_ns: 0 }
        }
    };
    let config = EngineConfig {
        account_id: AccountId::from_static("SIM-001"),
        account_type: AccountType::Margin,
        starting_balances: vec![Money::parse("1000000", Currency::from_static("USDT")).unwrap()],
        venue: Some(VenueConfig {
            venue: Venue::from_static("SIM"),
            account_id: AccountId::from_static("SIM-001"),
            book_mode: mode,
            outages: vec![],
            queue_position: true,
            trade_fills: true,
        }),
        latency: LatencyConfig::Random {
            seed: 5,
            submit: range(100, 2_500),
            cancel: range(100, 2_500),
            modify: range(100, 2_500),
            response: range(0, 1_500),
        },
        risk: RiskConfig::default(),
        record_market_data: true,
    };
    let mut e = Engine::new(config).unwrap();
    e.add_instrument(instrument()).unwrap();
    e.record_performance(Currency::from_static("USDT"), 5_000).unwrap();
    e.add_strategy(Box::new(Reactor::default())).unwrap();
    e
}

/// Reacts to every kind of data: market orders on quotes, limit orders on book changes, timers
/// on trades (which cancel everything), a flatten on bars.
#[derive(Default)]
struct Reactor {
    calls: u64,
}

impl Reactor {
    fn tick(&mut self) -> u64 {
        self.calls += 1;
        self.calls
    }
}

impl Strategy for Reactor {
    fn id(&self) -> StrategyId {
        StrategyId::from_static("reactor")
    }
    fn subscriptions(&self) -> Subscriptions {
        Subscriptions { quotes: true, trades: true, book: true, bars: true }
    }
    fn on_quote(&mut self, ctx: &mut Context<'_>, quote: &QuoteTick) -> CallbackResult {
        let n = self.tick();
        if n.is_multiple_of(7) {
            let side = if n.is_multiple_of(14) { OrderSide::Sell } else { OrderSide::Buy };
            let qty = Quantity::from_raw(2 * LOT, 3).unwrap();
            ctx.submit(OrderRequest::market(quote.instrument_id, side, qty)).unwrap();
        }
        Ok(())
    }
    fn on_trade(&mut self, ctx: &mut Context<'_>, _trade: &TradeTick) -> CallbackResult {
        let n = self.tick();
        if n.is_multiple_of(5) {
            ctx.set_timer(&format!("t{n}"), ctx.now().add_ns(1_700), None, None);
        }
        Ok(())
    }
    fn on_book(&mut self, ctx: &mut Context<'_>, instrument_id: InstrumentId) -> CallbackResult {
        let n = self.tick();
        let Some(bid) = ctx.book(instrument_id).and_then(crate::book::OrderBook::best_bid) else {
            return Ok(());
        };
        if n.is_multiple_of(11) {
            let qty = Quantity::from_raw(LOT, 3).unwrap();
            let price = bid.price.offset_ticks("0.01".parse().unwrap(), 1).unwrap();
            ctx.submit(OrderRequest::limit(instrument_id, OrderSide::Buy, qty, price)).unwrap();
        }
        Ok(())
    }
    fn on_bar(&mut self, ctx: &mut Context<'_>, bar: &Bar) -> CallbackResult {
        if self.tick().is_multiple_of(3) {
            ctx.close_all_positions(Some(bar.instrument_id));
        }
        Ok(())
    }
    fn on_timer(&mut self, ctx: &mut Context<'_>, _timer: &TimerFired) -> CallbackResult {
        self.tick();
        ctx.cancel_all(None);
        Ok(())
    }
}

/// A small market as the catalog stores it: every column of every kind, owned.
#[derive(Default)]
struct Market {
    q_bid: Vec<i64>,
    q_ask: Vec<i64>,
    q_bid_size: Vec<u64>,
    q_ask_size: Vec<u64>,
    q_ts: Vec<u64>,
    t_price: Vec<i64>,
    t_size: Vec<u64>,
    t_aggressor: Vec<u8>,
    t_id_offsets: Vec<i32>,
    t_id_data: Vec<u8>,
    t_ts: Vec<u64>,
    s_ts: Vec<u64>,
    s_sequence: Vec<u64>,
    s_side: Vec<u8>,
    s_price: Vec<i64>,
    s_size: Vec<u64>,
    s_end: Vec<bool>,
    d_ts: Vec<u64>,
    d_sequence: Vec<u64>,
    d_action: Vec<u8>,
    d_side: Vec<u8>,
    d_price: Vec<i64>,
    d_size: Vec<u64>,
    d_end: Vec<bool>,
    b_ohlc: Vec<[i64; 4]>,
    b_volume: Vec<u64>,
    b_ts: Vec<u64>,
    /// Bitmaps of `s_end` and `d_end`, starting at bit `BIT_OFFSET`.
    s_end_bits: Vec<u8>,
    d_end_bits: Vec<u8>,
    zeros: Vec<u64>,
    /// An all-null validity bitmap for `prev_sequence`.
    no_bits: Vec<u8>,
    instrument_col: Vec<u32>,
    o_col: Vec<i64>,
    h_col: Vec<i64>,
    l_col: Vec<i64>,
    c_col: Vec<i64>,
}

fn bitmap(bits: &[bool]) -> Vec<u8> {
    let mut bytes = vec![0u8; (bits.len() + BIT_OFFSET).div_ceil(8)];
    for (i, &b) in bits.iter().enumerate() {
        if b {
            bytes[(i + BIT_OFFSET) / 8] |= 1 << ((i + BIT_OFFSET) % 8);
        }
    }
    bytes
}

impl Market {
    /// `steps` steps 1 us apart: a quote, a book update that agrees with it, a trade on some
    /// steps (at the same time), a bar every 10 steps, snapshots at the start and mid-way.
    fn new(steps: u64, seed: u64) -> Self {
        let mut rng = SeededRng::new(seed);
        let mut m = Market::default();
        let mut bid = 10_000i64; // ticks: 100.00
        let mut sequence = 0u64;
        let (mut bids, mut asks) = (Levels::new(), Levels::new());
        for k in 1..=5 {
            bids.insert(bid - k + 1, 3 * LOT);
            asks.insert(bid + k, 3 * LOT);
        }
        m.snapshot(1_000, sequence, &bids, &asks);
        let mut bar: Option<[i64; 4]> = None;
        for step in 0..steps {
            let ts = 1_000 + step * 1_000;
            bid += rng.range_inclusive(0, 2) as i64 - 1;
            let ask = bid + 1 + rng.range_inclusive(0, 1) as i64;
            let (bid_size, ask_size) =
                (LOT * rng.range_inclusive(1, 5), LOT * rng.range_inclusive(1, 5));
            m.q_bid.push(bid * TICK);
            m.q_ask.push(ask * TICK);
            m.q_bid_size.push(bid_size);
            m.q_ask_size.push(ask_size);
            m.q_ts.push(ts);
            // The book update: crossed levels go, the touch is set, one deeper level churns.
            sequence += 1;
            let mut rows: Vec<(u8, u8, i64, u64)> = Vec::new();
            for p in bids.range(bid + 1..).map(|(&p, _)| p).collect::<Vec<_>>() {
                bids.remove(&p);
                rows.push((2, 1, p, 0));
            }
            for p in asks.range(..ask).map(|(&p, _)| p).collect::<Vec<_>>() {
                asks.remove(&p);
                rows.push((2, 2, p, 0));
            }
            bids.insert(bid, bid_size);
            asks.insert(ask, ask_size);
            rows.push((1, 1, bid, bid_size));
            rows.push((1, 2, ask, ask_size));
            let deep = 1 + rng.range_inclusive(0, 3) as i64;
            let deep_size = LOT * rng.range_inclusive(1, 9);
            bids.insert(bid - deep, deep_size);
            rows.push((0, 1, bid - deep, deep_size));
            for (i, (action, side, p, s)) in rows.iter().enumerate() {
                m.d_ts.push(ts);
                m.d_sequence.push(sequence);
                m.d_action.push(*action);
                m.d_side.push(*side);
                m.d_price.push(p * TICK);
                m.d_size.push(*s);
                m.d_end.push(i == rows.len() - 1);
            }
            if step == steps / 2 {
                // A fresh snapshot at the sequence the book has reached.
                m.snapshot(ts, sequence, &bids, &asks);
            }
            if rng.range_inclusive(0, 2) == 0 {
                let buyer = rng.range_inclusive(0, 1) == 0;
                m.t_price.push(if buyer { ask } else { bid } * TICK);
                m.t_size.push(LOT * rng.range_inclusive(1, 3));
                m.t_aggressor.push(if buyer { 1 } else { 2 });
                m.t_id_offsets.push(m.t_id_data.len() as i32);
                m.t_id_data.extend_from_slice(format!("T{step}").as_bytes());
                m.t_ts.push(ts + if step % 4 == 0 { 500 } else { 0 });
            }
            let mid = bid * TICK;
            let b = bar.get_or_insert([mid, mid, mid, mid]);
            b[1] = b[1].max(mid);
            b[2] = b[2].min(mid);
            b[3] = mid;
            if step % 10 == 9 {
                m.b_ohlc.push(*b);
                m.b_volume.push(LOT * 10);
                m.b_ts.push(ts);
                bar = None;
            }
        }
        m.t_id_offsets.push(m.t_id_data.len() as i32);
        m.s_end_bits = bitmap(&m.s_end);
        m.d_end_bits = bitmap(&m.d_end);
        m.zeros = vec![0; m.d_ts.len()];
        m.no_bits = vec![0; m.d_ts.len().div_ceil(8)];
        m.instrument_col = vec![0; m.q_ts.len()];
        m.o_col = m.b_ohlc.iter().map(|b| b[0]).collect();
        m.h_col = m.b_ohlc.iter().map(|b| b[1]).collect();
        m.l_col = m.b_ohlc.iter().map(|b| b[2]).collect();
        m.c_col = m.b_ohlc.iter().map(|b| b[3]).collect();
        m
    }

    /// The rows of a snapshot of `bids` and `asks`, bids best first.
    fn snapshot(&mut self, ts: u64, sequence: u64, bids: &Levels, asks: &Levels) {
        let rows: Vec<(u8, i64, u64)> = bids
            .iter()
            .rev()
            .map(|(&p, &s)| (1, p, s))
            .chain(asks.iter().map(|(&p, &s)| (2, p, s)))
            .collect();
        for (i, (side, p, s)) in rows.iter().enumerate() {
            self.s_ts.push(ts);
            self.s_sequence.push(sequence);
            self.s_side.push(*side);
            self.s_price.push(p * TICK);
            self.s_size.push(*s);
            self.s_end.push(i == rows.len() - 1);
        }
    }

    fn len(&self, kind: Kind) -> usize {
        match kind {
            Kind::Quotes => self.q_ts.len(),
            Kind::Trades => self.t_ts.len(),
            Kind::Snapshots => self.s_ts.len(),
            Kind::Deltas => self.d_ts.len(),
            Kind::Bars => self.b_ts.len(),
        }
    }

    /// Rows `r` of one kind, as the views a host hands the feed.
    fn block(&self, kind: Kind, r: std::ops::Range<usize>) -> Block<'_> {
        match kind {
            Kind::Quotes => Block::Quotes(QuoteColumns {
                instrument: &self.instrument_col[r.clone()],
                bid_price: &self.q_bid[r.clone()],
                ask_price: &self.q_ask[r.clone()],
                bid_size: &self.q_bid_size[r.clone()],
                ask_size: &self.q_ask_size[r.clone()],
                ts_event: &self.q_ts[r.clone()],
                ts_init: &self.q_ts[r],
            }),
            Kind::Trades => Block::Trades(TradeColumns {
                price: &self.t_price[r.clone()],
                size: &self.t_size[r.clone()],
                aggressor_side: &self.t_aggressor[r.clone()],
                trade_id: Utf8 {
                    offsets: &self.t_id_offsets[r.start..=r.end],
                    data: &self.t_id_data,
                },
                ts_event: &self.t_ts[r.clone()],
                ts_init: &self.t_ts[r],
            }),
            Kind::Snapshots => Block::Snapshots(SnapshotColumns {
                ts_event: &self.s_ts[r.clone()],
                ts_init: &self.s_ts[r.clone()],
                sequence: &self.s_sequence[r.clone()],
                side: &self.s_side[r.clone()],
                price: &self.s_price[r.clone()],
                size: &self.s_size[r.clone()],
                batch_end: Bits { bytes: &self.s_end_bits, offset: BIT_OFFSET + r.start },
            }),
            Kind::Deltas => Block::Deltas(DeltaColumns {
                ts_event: &self.d_ts[r.clone()],
                ts_init: &self.d_ts[r.clone()],
                sequence: &self.d_sequence[r.clone()],
                first_sequence: &self.d_sequence[r.clone()],
                prev_sequence: &self.zeros[r.clone()],
                prev_sequence_valid: Some(Bits { bytes: &self.no_bits, offset: r.start }),
                action: &self.d_action[r.clone()],
                side: &self.d_side[r.clone()],
                price: &self.d_price[r.clone()],
                size: &self.d_size[r.clone()],
                batch_end: Bits { bytes: &self.d_end_bits, offset: BIT_OFFSET + r.start },
            }),
            Kind::Bars => Block::Bars(BarColumns {
                open: &self.o_col[r.clone()],
                high: &self.h_col[r.clone()],
                low: &self.l_col[r.clone()],
                close: &self.c_col[r.clone()],
                volume: &self.b_volume[r.clone()],
                ts_event: &self.b_ts[r.clone()],
                ts_init: &self.b_ts[r],
            }),
        }
    }

    /// Every item as an event, in the feed's documented order: by ts_init, then quotes,
    /// snapshots, deltas, trades, bars, then by row.
    fn events(&self) -> Vec<Event> {
        let i = instrument();
        let price = |raw| Price::from_raw(raw, 2).unwrap();
        let qty = |raw| Quantity::from_raw(raw, 3).unwrap();
        let t = UnixNanos;
        let (quotes, snapshots, deltas_rank, trades, bars) = (0, 1, 2, 3, 4);
        let mut items: Vec<(u64, u8, usize, Event)> = Vec::new();
        for r in 0..self.q_ts.len() {
            let q = QuoteTick {
                instrument_id: i.id,
                bid_price: price(self.q_bid[r]),
                ask_price: price(self.q_ask[r]),
                bid_size: qty(self.q_bid_size[r]),
                ask_size: qty(self.q_ask_size[r]),
                ts_event: t(self.q_ts[r]),
                ts_init: t(self.q_ts[r]),
            };
            items.push((self.q_ts[r], quotes, r, q.into()));
        }
        for r in 0..self.t_ts.len() {
            let (a, b) = (self.t_id_offsets[r] as usize, self.t_id_offsets[r + 1] as usize);
            let trade = TradeTick {
                instrument_id: i.id,
                price: price(self.t_price[r]),
                size: qty(self.t_size[r]),
                aggressor_side: if self.t_aggressor[r] == 1 {
                    AggressorSide::Buyer
                } else {
                    AggressorSide::Seller
                },
                trade_id: TradeId::new(std::str::from_utf8(&self.t_id_data[a..b]).unwrap())
                    .unwrap(),
                ts_event: t(self.t_ts[r]),
                ts_init: t(self.t_ts[r]),
            };
            items.push((self.t_ts[r], trades, r, trade.into()));
        }
        let mut levels: Vec<(u8, BookLevel)> = Vec::new();
        for r in 0..self.s_ts.len() {
            levels.push((
                self.s_side[r],
                BookLevel { price: price(self.s_price[r]), size: qty(self.s_size[r]) },
            ));
            if self.s_end[r] {
                let side = |s| levels.iter().filter(|l| l.0 == s).map(|l| l.1).collect();
                let snapshot = BookSnapshot {
                    instrument_id: i.id,
                    sequence: self.s_sequence[r],
                    bids: side(1),
                    asks: side(2),
                    ts_event: t(self.s_ts[r]),
                    ts_init: t(self.s_ts[r]),
                };
                items.push((self.s_ts[r], snapshots, r, snapshot.into()));
                levels.clear();
            }
        }
        let mut deltas: Vec<BookLevelDelta> = Vec::new();
        for r in 0..self.d_ts.len() {
            deltas.push(BookLevelDelta {
                action: [BookAction::Add, BookAction::Update, BookAction::Delete]
                    [self.d_action[r] as usize],
                side: if self.d_side[r] == 1 { OrderSide::Buy } else { OrderSide::Sell },
                price: price(self.d_price[r]),
                size: qty(self.d_size[r]),
            });
            if self.d_end[r] {
                let update = BookDeltas {
                    instrument_id: i.id,
                    first_sequence: self.d_sequence[r],
                    sequence: self.d_sequence[r],
                    prev_sequence: None,
                    deltas: std::mem::take(&mut deltas),
                    ts_event: t(self.d_ts[r]),
                    ts_init: t(self.d_ts[r]),
                };
                items.push((self.d_ts[r], deltas_rank, r, update.into()));
            }
        }
        for r in 0..self.b_ts.len() {
            let bar = Bar {
                bar_type: bar_type(),
                instrument_id: i.id,
                open: price(self.o_col[r]),
                high: price(self.h_col[r]),
                low: price(self.l_col[r]),
                close: price(self.c_col[r]),
                volume: qty(self.b_volume[r]),
                ts_event: t(self.b_ts[r]),
                ts_init: t(self.b_ts[r]),
            };
            items.push((self.b_ts[r], bars, r, bar.into()));
        }
        items.sort_by_key(|(ts, kind, row, _)| (*ts, *kind, *row));
        items.into_iter().map(|(.., e)| e).collect()
    }
}

/// What a run produced: every event's bytes, the counters and the performance record.
#[derive(Debug, PartialEq)]
struct Outcome {
    events: Vec<u8>,
    counters: EngineCounters,
    performance: PerformanceRecord,
}

/// Stops the engine and gathers what the run produced.
fn finish(mut e: Engine, mut events: Vec<Event>, collector: &mut ResultCollector) -> Outcome {
    e.stop().unwrap();
    let drained = e.drain_events();
    collector.feed(&drained).unwrap();
    events.extend(drained);
    Outcome {
        events: rmp_serde::to_vec_named(&events).unwrap(),
        counters: e.counters(),
        performance: e.performance().unwrap().clone(),
    }
}

fn by_events(market: &Market, mode: (BookMode, bool)) -> Outcome {
    let mut e = engine(mode);
    e.start().unwrap();
    for event in market.events() {
        e.process(event).unwrap();
    }
    let events = e.drain_events();
    let mut collector = ResultCollector::new();
    collector.feed(&events).unwrap();
    finish(e, events, &mut collector)
}

fn sources() -> [Source; 5] {
    [
        Source::Quotes,
        Source::Snapshots(0),
        Source::Deltas(0),
        Source::Trades(0),
        Source::Bars(0, bar_type()),
    ]
}

/// Runs the market through a feed in blocks of `block` rows, draining into `collector` each
/// time the feed asks for a block.
fn by_columns(
    market: &Market,
    mode: (BookMode, bool),
    block: usize,
    collector: &mut ResultCollector,
) -> Outcome {
    let mut e = engine(mode);
    e.start().unwrap();
    let mut feed = ColumnFeed::new();
    let kinds: Vec<Kind> = sources().iter().map(Source::kind).collect();
    for source in sources() {
        feed.add(&e, source).unwrap();
    }
    let mut events = e.drain_events();
    collector.feed(&events).unwrap();
    let mut next_row = vec![0usize; kinds.len()];
    let mut current: Vec<Option<std::ops::Range<usize>>> = vec![None; kinds.len()];
    loop {
        let blocks: Vec<Option<Block<'_>>> = current
            .iter()
            .zip(&kinds)
            .map(|(r, &k)| r.clone().map(|r| market.block(k, r)))
            .collect();
        let next = feed.run(&mut e, &blocks).unwrap();
        let drained = e.drain_events();
        collector.feed(&drained).unwrap();
        events.extend(drained);
        let Next::Need(i) = next else { break };
        let len = market.len(kinds[i]);
        if next_row[i] < len {
            let rows = next_row[i]..(next_row[i] + block).min(len);
            feed.push(&e, i, &market.block(kinds[i], rows.clone()), rows.start as u64).unwrap();
            next_row[i] = rows.end;
            current[i] = Some(rows);
        } else {
            feed.finish(i).unwrap();
            current[i] = None;
        }
    }
    for (i, kind) in kinds.iter().enumerate() {
        assert_eq!(feed.rows(i), market.len(*kind) as u64);
    }
    finish(e, events, collector)
}

#[test]
fn columns_in_blocks_of_any_size_equal_events_one_by_one() {
    let market = Market::new(400, 3);
    let sizes = (market.t_ts.len(), market.b_ts.len(), market.d_ts.len(), market.s_ts.len());
    assert!(sizes.0 > 100 && sizes.1 == 40 && sizes.2 > 1_000 && sizes.3 > 10, "{sizes:?}");
    let modes =
        [(BookMode::L2, true), (BookMode::L1, true), (BookMode::L2, false), (BookMode::L1, false)];
    for mode in modes {
        let expected = by_events(&market, mode);
        assert!(expected.counters.fills > 20, "{:?}", expected.counters);
        assert!(expected.counters.orders > 40);
        for block in [1, 2, 3, 7, 64, 100_000] {
            let got = by_columns(&market, mode, block, &mut ResultCollector::new());
            assert_eq!(got.counters, expected.counters, "{mode:?}, blocks of {block}");
            assert_eq!(got.performance, expected.performance, "{mode:?}, blocks of {block}");
            assert!(got.events == expected.events, "{mode:?}, blocks of {block}: events differ");
        }
    }
}

#[test]
fn the_collector_hash_and_tables_do_not_depend_on_draining() {
    let market = Market::new(200, 9);
    let mut small = ResultCollector::new();
    let mut whole = ResultCollector::new();
    let a = by_columns(&market, (BookMode::L2, true), 3, &mut small);
    let b = by_columns(&market, (BookMode::L2, true), 100_000, &mut whole);
    assert!(a == b);
    assert_eq!(small.stream_hash(), whole.stream_hash());
    assert!(small.fills() == whole.fills());
    assert!(small.orders() == whole.orders());
    let mut one_by_one = ResultCollector::new();
    let events: Vec<Event> = rmp_serde::from_slice(&a.events).unwrap();
    for event in &events {
        one_by_one.feed(std::slice::from_ref(event)).unwrap();
    }
    assert_eq!(one_by_one.stream_hash(), whole.stream_hash());
    assert_eq!(one_by_one.events(), events.len() as u64);
    // The hash is BLAKE3 of the events' MessagePack (an event log's payloads), in order.
    let mut hasher = blake3::Hasher::new();
    for event in &events {
        hasher.update(&event.to_msgpack().unwrap());
    }
    assert_eq!(*hasher.finalize().as_bytes(), whole.stream_hash());
}

#[test]
fn the_collector_folds_orders_to_the_engines_final_states() {
    let market = Market::new(300, 4);
    let mut collector = ResultCollector::new();
    let mut e = engine((BookMode::L2, true));
    e.start().unwrap();
    for event in market.events() {
        e.process(event).unwrap();
        collector.feed(&e.drain_events()).unwrap();
    }
    e.stop().unwrap();
    collector.feed(&e.drain_events()).unwrap();
    let orders = collector.orders();
    assert_eq!(orders.len() as u64, e.counters().orders);
    assert_eq!(collector.fills().len() as u64, e.counters().fills);
    let mut statuses = std::collections::BTreeSet::new();
    for i in 0..orders.len() {
        let id = crate::types::ClientOrderId::new(orders.client_order_id.get(i).unwrap()).unwrap();
        let order = e.state().order(id).unwrap();
        assert_eq!(orders.status.get(i), Some(order.status().as_str()), "{id}");
        let exact = |raw: u64| units(i128::from(raw)).to_bits();
        assert_eq!(orders.filled_qty[i].to_bits(), exact(order.filled_qty().raw()));
        assert_eq!(orders.quantity[i].to_bits(), exact(order.quantity().raw()));
        assert_eq!(orders.price_valid[i], order.price().is_some());
        assert_eq!(orders.ts_init[i], order.ts_init().0);
        statuses.insert(orders.status.get(i).unwrap().to_owned());
    }
    assert!(statuses.len() >= 3, "a mix of final states: {statuses:?}");
    let fills = collector.fills();
    let bought: f64 =
        (0..fills.len())
            .map(|i| {
                if fills.side.get(i) == Some("BUY") {
                    fills.last_qty[i]
                } else {
                    -fills.last_qty[i]
                }
            })
            .sum();
    let net = e.state().portfolio().net_position_raw(instrument().id);
    assert!((bought - units(net)).abs() < 1e-9);
}

#[test]
fn units_are_the_nearest_double_of_the_decimal() {
    for raw in [
        0i128,
        1,
        -1,
        123_456_789,
        100_010_000_000,
        1 << 53,
        (1 << 53) + 1,
        -(1 << 60) - 7,
        i128::from(i64::MAX),
    ] {
        let text = format!(
            "{}{}.{:09}",
            if raw < 0 { "-" } else { "" },
            raw.unsigned_abs() / 1_000_000_000,
            raw.unsigned_abs() % 1_000_000_000
        );
        assert_eq!(units(raw).to_bits(), text.parse::<f64>().unwrap().to_bits(), "{raw}");
    }
}

/// An engine and a feed with the market's five streams, nothing pushed yet.
fn fed() -> (Engine, ColumnFeed) {
    let e = engine((BookMode::L2, true));
    let mut feed = ColumnFeed::new();
    for source in sources() {
        feed.add(&e, source).unwrap();
    }
    (e, feed)
}

#[test]
fn a_bad_block_of_any_kind_is_refused_whole_naming_its_row() {
    let market = Market::new(50, 1);
    let (e, mut feed) = fed();
    let (quote, snapshot, delta, trade, bar) = (0, 1, 2, 3, 4);
    let expect = |result: Result<(), ColumnError>, text: &str| {
        let error = result.unwrap_err().to_string();
        assert!(error.contains(text), "{error:?} lacks {text:?}");
    };
    // Off the grid (prices in cents, sizes in thousandths), on the 4th row of a block that
    // starts at row 100 of its file.
    let mut bid = market.q_bid[..10].to_vec();
    bid[3] += 1_000_000;
    let Block::Quotes(mut quotes) = market.block(Kind::Quotes, 0..10) else { unreachable!() };
    quotes.bid_price = &bid;
    expect(
        feed.push(&e, quote, &Block::Quotes(quotes), 100),
        "row 103: bid_price: 99.991000000 has more than 2 decimals",
    );
    let mut size = market.t_size[..10].to_vec();
    size[5] = 1;
    let Block::Trades(mut trades) = market.block(Kind::Trades, 0..10) else { unreachable!() };
    trades.size = &size;
    expect(feed.push(&e, trade, &Block::Trades(trades), 0), "row 5: size: 0.000000001");
    let mut aggressor = market.t_aggressor[..10].to_vec();
    aggressor[2] = 9;
    trades.size = &market.t_size[..10];
    trades.aggressor_side = &aggressor;
    expect(
        feed.push(&e, trade, &Block::Trades(trades), 0),
        "row 2: aggressor_side: 9 is not one of",
    );
    let ids = b"T1T 2T3".to_vec();
    let offsets = [0, 2, 5, 7];
    let Block::Trades(mut three) = market.block(Kind::Trades, 0..3) else { unreachable!() };
    three.trade_id = Utf8 { offsets: &offsets, data: &ids };
    expect(feed.push(&e, trade, &Block::Trades(three), 0), "row 1: trade_id: invalid TradeId");
    let mut action = market.d_action[..20].to_vec();
    action[7] = 4;
    let Block::Deltas(mut deltas) = market.block(Kind::Deltas, 0..20) else { unreachable!() };
    deltas.action = &action;
    expect(feed.push(&e, delta, &Block::Deltas(deltas), 0), "row 7: action: 4 is not one of");
    deltas.action = &market.d_action[..20];
    deltas.batch_end = Bits { bytes: &market.d_end_bits[..1], offset: 0 };
    expect(feed.push(&e, delta, &Block::Deltas(deltas), 0), "batch_end: the bitmap is shorter");
    let mut sides = market.s_side.clone();
    sides[0] = 0;
    let Block::Snapshots(mut snapshots) = market.block(Kind::Snapshots, 0..market.s_ts.len())
    else {
        unreachable!()
    };
    snapshots.side = &sides;
    expect(
        feed.push(&e, snapshot, &Block::Snapshots(snapshots), 0),
        "row 0: side: 0 is not one of",
    );
    let mut close = market.c_col.clone();
    close[4] += 1;
    let Block::Bars(mut bars) = market.block(Kind::Bars, 0..market.b_ts.len()) else {
        unreachable!()
    };
    bars.close = &close;
    expect(feed.push(&e, bar, &Block::Bars(bars), 0), "row 4: close");
    let mut ts = market.q_ts[..10].to_vec();
    ts.swap(6, 7);
    quotes.bid_price = &market.q_bid[..10];
    quotes.ts_init = &ts;
    expect(feed.push(&e, quote, &Block::Quotes(quotes), 0), "row 7: ts_init 7000 is before");
    quotes.ts_init = &ts[..9];
    expect(feed.push(&e, quote, &Block::Quotes(quotes), 0), "quote columns have different lengths");
    // Nothing was taken: the good blocks go in and the run is the one without the mistakes.
    for (i, source) in sources().iter().enumerate() {
        assert_eq!(feed.rows(i), 0, "{source:?}");
    }
    assert_eq!(e.counters(), EngineCounters::default());
    let good = market.block(Kind::Quotes, 0..10);
    feed.push(&e, quote, &good, 0).unwrap();
    // Blocks of a stream go on in time: the next may not start before the last one ended.
    assert!(feed.push(&e, quote, &good, 10).unwrap_err().to_string().contains("not used up"));
}

#[test]
fn the_feed_holds_the_host_to_its_protocol() {
    let market = Market::new(50, 2);
    let (mut e, mut feed) = fed();
    let deltas = 2;
    // Data that ends inside a book update cannot be finished.
    let open = market.d_end.iter().position(|&end| end).unwrap();
    assert!(open > 0);
    feed.push(&e, deltas, &market.block(Kind::Deltas, 0..open), 0).unwrap();
    let mut blocks: Vec<Option<Block<'_>>> = vec![None; 5];
    blocks[deltas] = Some(market.block(Kind::Deltas, 0..open));
    assert_eq!(feed.run(&mut e, &blocks).unwrap(), Next::Need(0));
    for i in [0, 1, 3, 4] {
        feed.finish(i).unwrap();
    }
    assert_eq!(feed.run(&mut e, &blocks).unwrap(), Next::Need(deltas));
    let error = feed.finish(deltas).unwrap_err();
    assert_eq!(error, ColumnError::OpenUpdate { kind: "deltas" });
    // A block earlier than the one before is refused; one that differs from the one pushed
    // too.
    let later = market.block(Kind::Deltas, open..open + 1);
    feed.push(&e, deltas, &later, open as u64).unwrap();
    let wrong = vec![None; 5];
    let refused = feed.run(&mut e, &wrong).unwrap_err();
    assert!(refused.to_string().contains("differs from the one pushed"), "{refused}");
    assert!(matches!(feed.push(&e, 9, &later, 0), Err(ColumnError::Stream { stream: 9, .. })));
    assert!(feed.push(&e, 0, &later, 0).unwrap_err().to_string().contains("finished"));
    assert!(matches!(
        ColumnFeed::new().add(&e, Source::Trades(3)),
        Err(ColumnError::Stream { stream: 0, .. })
    ));
}
