//! Property test: the venue against a naive reference model written from the rules alone.
//!
//! L2 mode, one instrument, queue position off, trades filling resting orders. Random
//! sequences of snapshots, deltas, trades, market and limit submits (GTC, IOC, FOK, some off
//! the tick grid or of zero quantity, some post-only or reduce-only), stop-limit submits (some
//! post-only or reduce-only) and cancels (of open, closed and unknown ids) must give the same
//! events (accepts, fills with quantity and price, triggers, cancels, expiries and rejections by
//! code), the same open orders with the same remaining quantities and the same position.

use super::testkit::{config, instrument, TestAccount};
use super::{BookMode, SimulatedVenue};
use crate::events::{
    BookDeltas, BookLevel, BookLevelDelta, BookSnapshot, CancelOrder, Event, SubmitOrder, TradeTick,
};
use crate::types::{
    AggressorSide, BookAction, ClientOrderId, OrderSide, OrderType, Price, Quantity, StrategyId,
    TimeInForce, TradeId, UnixNanos,
};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashSet};

const TICK: i64 = 10_000_000; // 0.01
const LOT: u64 = 1_000_000_000; // 1

/// Order flags of a generated submit.
#[derive(Debug, Clone, Copy)]
struct Flags {
    post_only: bool,
    reduce_only: bool,
}

#[derive(Debug, Clone)]
enum Op {
    Snapshot(BTreeMap<i64, u64>, BTreeMap<i64, u64>),
    Deltas(Vec<(u8, bool, i64, u64)>),
    Trade(i64, u64, u8),
    Market(bool, u64, Flags),
    Limit(bool, u64, i64, u8, bool, Flags),
    /// Side, quantity, trigger and limit (ticks), flags.
    StopLimit(bool, u64, i64, i64, Flags),
    Cancel(usize),
}

fn flags() -> impl Strategy<Value = Flags> {
    (prop::bool::weighted(0.3), prop::bool::weighted(0.3))
        .prop_map(|(post_only, reduce_only)| Flags { post_only, reduce_only })
}

fn op() -> impl Strategy<Value = Op> {
    let levels = || prop::collection::btree_map(90i64..=110, 0u64..8, 0..6);
    prop_oneof![
        1 => (levels(), levels()).prop_map(|(b, a)| Op::Snapshot(b, a)),
        3 => prop::collection::vec((0u8..10, any::<bool>(), 90i64..=110, 0u64..8), 1..4).prop_map(Op::Deltas),
        3 => (90i64..=110, 1u64..10, 0u8..3).prop_map(|(p, s, a)| Op::Trade(p, s, a)),
        2 => (any::<bool>(), 0u64..12, flags()).prop_map(|(b, q, f)| Op::Market(b, q, f)),
        4 => (any::<bool>(), 0u64..10, 90i64..=110, 0u8..3, prop::bool::weighted(0.05), flags())
            .prop_map(|(b, q, p, tif, off, f)| Op::Limit(b, q, p, tif, off, f)),
        2 => (any::<bool>(), 0u64..10, 90i64..=110, -3i64..=3, flags())
            .prop_map(|(b, q, trigger, offset, f)| Op::StopLimit(b, q, trigger, trigger + offset, f)),
        2 => (0usize..40).prop_map(Op::Cancel),
    ]
}

/// What the comparison looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Obs {
    Accepted(String),
    Rejected(String, String),
    Fill(String, u64, i64),
    Triggered(String),
    Canceled(String),
    Expired(String, String),
    CancelRejected(String, String),
}

fn observe(events: &[Event]) -> Vec<Obs> {
    let code = |r: &str| r.split(':').next().unwrap_or_default().to_owned();
    events
        .iter()
        .map(|e| match e {
            Event::OrderAccepted(a) => Obs::Accepted(a.client_order_id.to_string()),
            Event::OrderRejected(r) => {
                Obs::Rejected(r.client_order_id.to_string(), code(&r.reason))
            }
            Event::OrderFilled(f) => {
                Obs::Fill(f.client_order_id.to_string(), f.last_qty.raw(), f.last_px.raw())
            }
            Event::OrderTriggered(t) => Obs::Triggered(t.client_order_id.to_string()),
            Event::OrderCanceled(c) => Obs::Canceled(c.client_order_id.to_string()),
            Event::OrderExpired(x) => Obs::Expired(
                x.client_order_id.to_string(),
                code(x.reason.as_deref().unwrap_or_default()),
            ),
            Event::OrderCancelRejected(r) => {
                Obs::CancelRejected(r.client_order_id.to_string(), code(&r.reason))
            }
            other => panic!("unexpected event {}", other.kind()),
        })
        .collect()
}

struct RefOrder {
    id: String,
    /// Arrival order among accepted orders: the time priority.
    seq: u64,
    side: OrderSide,
    limit: i64,
    leaves: u64,
    reduce_only: bool,
}

struct RefStop {
    id: String,
    seq: u64,
    side: OrderSide,
    trigger: i64,
    limit: i64,
    qty: u64,
    flags: Flags,
}

/// A submit as the model reads it.
struct RefSubmit<'a> {
    id: &'a str,
    side: OrderSide,
    qty: u64,
    limit: Option<i64>,
    tif: TimeInForce,
    off_tick: bool,
    flags: Flags,
}

/// The rules, written out as plainly as possible.
#[derive(Default)]
struct Reference {
    bids: BTreeMap<i64, u64>,
    asks: BTreeMap<i64, u64>,
    /// Resting limits.
    orders: Vec<RefOrder>,
    /// Stop-limits waiting for their trigger.
    stops: Vec<RefStop>,
    seen: HashSet<String>,
    /// Net position, raw (positive long).
    position: i128,
    next_seq: u64,
}

impl Reference {
    fn opposite(&mut self, side: OrderSide) -> &mut BTreeMap<i64, u64> {
        match side {
            OrderSide::Buy => &mut self.asks,
            OrderSide::Sell => &mut self.bids,
        }
    }

    fn best_bid(&self) -> Option<i64> {
        self.bids.keys().next_back().copied()
    }

    fn best_ask(&self) -> Option<i64> {
        self.asks.keys().next().copied()
    }

    /// Prices a taker on `side` up to `limit` reaches, best first.
    fn reachable(&mut self, side: OrderSide, limit: Option<i64>) -> Vec<(i64, u64)> {
        let book = self.opposite(side).clone();
        let mut levels: Vec<(i64, u64)> = book.into_iter().collect();
        if side == OrderSide::Sell {
            levels.reverse();
        }
        levels
            .into_iter()
            .filter(|(p, _)| match (side, limit) {
                (_, None) => true,
                (OrderSide::Buy, Some(l)) => *p <= l,
                (OrderSide::Sell, Some(l)) => *p >= l,
            })
            .collect()
    }

    fn available(&mut self, side: OrderSide, limit: Option<i64>) -> u64 {
        self.reachable(side, limit).iter().map(|l| l.1).sum()
    }

    /// Takes up to `want`; returns per-level fills and removes them from the book.
    fn take(&mut self, side: OrderSide, limit: Option<i64>, want: u64) -> Vec<(i64, u64)> {
        let mut fills = Vec::new();
        let mut left = want;
        for (price, size) in self.reachable(side, limit) {
            if left == 0 {
                break;
            }
            let q = size.min(left);
            left -= q;
            fills.push((price, q));
            let book = self.opposite(side);
            if size == q {
                book.remove(&price);
            } else {
                book.insert(price, size - q);
            }
        }
        fills
    }

    /// What a reduce-only order on `side` may fill: the position it reduces.
    fn reducible(&self, side: OrderSide) -> u64 {
        let r = match side {
            OrderSide::Buy => -self.position,
            OrderSide::Sell => self.position,
        };
        u64::try_from(r.max(0)).unwrap()
    }

    fn room(&self, side: OrderSide, leaves: u64, reduce_only: bool) -> u64 {
        if reduce_only {
            leaves.min(self.reducible(side))
        } else {
            leaves
        }
    }

    fn fill(&mut self, id: &str, side: OrderSide, qty: u64, price: i64, obs: &mut Vec<Obs>) {
        self.position += match side {
            OrderSide::Buy => i128::from(qty),
            OrderSide::Sell => -i128::from(qty),
        };
        obs.push(Obs::Fill(id.into(), qty, price));
    }

    fn crosses(&self, side: OrderSide, limit: i64) -> bool {
        match side {
            OrderSide::Buy => self.best_ask().is_some_and(|a| a <= limit),
            OrderSide::Sell => self.best_bid().is_some_and(|b| b >= limit),
        }
    }

    /// Indices of resting orders of `side`, best price first, then time.
    fn priority(&self, side: OrderSide) -> Vec<usize> {
        let mut ids: Vec<usize> =
            (0..self.orders.len()).filter(|&i| self.orders[i].side == side).collect();
        ids.sort_by_key(|&i| match side {
            OrderSide::Buy => (-self.orders[i].limit, self.orders[i].seq),
            OrderSide::Sell => (self.orders[i].limit, self.orders[i].seq),
        });
        ids
    }

    fn cross_resting(&mut self, obs: &mut Vec<Obs>) {
        for side in [OrderSide::Buy, OrderSide::Sell] {
            for i in self.priority(side) {
                let (limit, leaves, ro) =
                    (self.orders[i].limit, self.orders[i].leaves, self.orders[i].reduce_only);
                let room = self.room(side, leaves, ro);
                let capped = room < leaves && self.available(side, Some(limit)) > room;
                let took: u64 = self.take(side, Some(limit), room).iter().map(|f| f.1).sum();
                let id = self.orders[i].id.clone();
                if took > 0 {
                    self.orders[i].leaves -= took;
                    self.fill(&id, side, took, limit, obs);
                }
                if capped {
                    self.orders[i].leaves = 0;
                    obs.push(Obs::Expired(id, "REDUCE_ONLY_WOULD_INCREASE".into()));
                }
            }
        }
        self.orders.retain(|o| o.leaves > 0);
    }

    fn trade(&mut self, price: i64, size: u64, aggressor: AggressorSide, obs: &mut Vec<Obs>) {
        for side in [OrderSide::Buy, OrderSide::Sell] {
            let mut budget = size;
            for i in self.priority(side) {
                let o = &self.orders[i];
                let through = match side {
                    OrderSide::Buy => o.limit > price,
                    OrderSide::Sell => o.limit < price,
                };
                let at = o.limit == price
                    && !matches!(
                        (side, aggressor),
                        (OrderSide::Buy, AggressorSide::Buyer)
                            | (OrderSide::Sell, AggressorSide::Seller)
                    );
                if !(through || at) {
                    continue;
                }
                let q = budget.min(o.leaves);
                let fill = self.room(side, q, o.reduce_only);
                let (id, limit) = (o.id.clone(), o.limit);
                if fill > 0 {
                    self.orders[i].leaves -= fill;
                    budget -= fill;
                    self.fill(&id, side, fill, limit, obs);
                }
                if fill < q {
                    self.orders[i].leaves = 0;
                    obs.push(Obs::Expired(id, "REDUCE_ONLY_WOULD_INCREASE".into()));
                }
            }
        }
        self.orders.retain(|o| o.leaves > 0);
        self.trigger_stops(Some(price), Some(price), obs);
    }

    /// Book data changed: resting limits the book moved through fill, then stops see the
    /// market as it printed (before those fills).
    fn book_changed(&mut self, obs: &mut Vec<Obs>) {
        let (bid, ask) = (self.best_bid(), self.best_ask());
        self.cross_resting(obs);
        self.trigger_stops(bid, ask, obs);
    }

    fn trigger_stops(&mut self, bid: Option<i64>, ask: Option<i64>, obs: &mut Vec<Obs>) {
        self.stops.sort_by_key(|s| s.seq);
        let (hit, waiting): (Vec<RefStop>, Vec<RefStop>) =
            std::mem::take(&mut self.stops).into_iter().partition(|s| match s.side {
                OrderSide::Buy => ask.is_some_and(|a| a >= s.trigger),
                OrderSide::Sell => bid.is_some_and(|b| b <= s.trigger),
            });
        self.stops = waiting;
        for stop in hit {
            self.activate(stop, obs);
        }
    }

    /// A triggered stop-limit is checked as a new order is, then executes as a GTC limit.
    fn activate(&mut self, stop: RefStop, obs: &mut Vec<Obs>) {
        obs.push(Obs::Triggered(stop.id.clone()));
        if stop.flags.post_only && self.crosses(stop.side, stop.limit) {
            obs.push(Obs::Expired(stop.id, "POST_ONLY_WOULD_CROSS".into()));
            return;
        }
        if stop.flags.reduce_only && stop.qty > self.reducible(stop.side) {
            obs.push(Obs::Expired(stop.id, "REDUCE_ONLY_WOULD_INCREASE".into()));
            return;
        }
        let submit = RefSubmit {
            id: &stop.id,
            side: stop.side,
            qty: stop.qty,
            limit: Some(stop.limit),
            tif: TimeInForce::Gtc,
            off_tick: false,
            flags: stop.flags,
        };
        self.execute(&submit, stop.seq, obs);
    }

    fn check(&self, s: &RefSubmit<'_>) -> Option<&'static str> {
        if s.off_tick {
            return Some("OFF_TICK");
        }
        if s.qty == 0 {
            return Some("INVALID_QUANTITY");
        }
        if s.flags.post_only && s.limit.is_some_and(|l| self.crosses(s.side, l)) {
            return Some("POST_ONLY_WOULD_CROSS");
        }
        if s.flags.reduce_only && s.qty > self.reducible(s.side) {
            return Some("REDUCE_ONLY_WOULD_INCREASE");
        }
        None
    }

    fn submit(&mut self, s: &RefSubmit<'_>, obs: &mut Vec<Obs>) {
        if let Some(code) = self.check(s) {
            obs.push(Obs::Rejected(s.id.into(), code.into()));
            return;
        }
        self.seen.insert(s.id.into());
        obs.push(Obs::Accepted(s.id.into()));
        self.next_seq += 1;
        self.execute(s, self.next_seq, obs);
    }

    /// Takes what the book gives (a reduce-only order no more than the position it reduces,
    /// the rest expiring), then rests a GTC limit's remainder or cancels it.
    fn execute(&mut self, s: &RefSubmit<'_>, seq: u64, obs: &mut Vec<Obs>) {
        let available = self.available(s.side, s.limit);
        let fok = s.tif == TimeInForce::Fok;
        if fok && available < s.qty {
            obs.push(Obs::Canceled(s.id.into()));
            return;
        }
        let room = self.room(s.side, s.qty, s.flags.reduce_only);
        let capped = room < s.qty && available > room;
        let want = match (capped, fok) {
            (true, true) => 0,
            (true, false) => room,
            (false, _) => s.qty,
        };
        let mut leaves = s.qty;
        for (p, q) in self.take(s.side, s.limit, want) {
            leaves -= q;
            self.fill(s.id, s.side, q, p, obs);
        }
        if capped {
            obs.push(Obs::Expired(s.id.into(), "REDUCE_ONLY_WOULD_INCREASE".into()));
            return;
        }
        if leaves == 0 {
            return;
        }
        match (s.limit, s.tif) {
            (Some(limit), TimeInForce::Gtc) => self.orders.push(RefOrder {
                id: s.id.into(),
                seq,
                side: s.side,
                limit,
                leaves,
                reduce_only: s.flags.reduce_only,
            }),
            _ => obs.push(Obs::Canceled(s.id.into())),
        }
    }

    fn submit_stop(&mut self, stop: RefStop, obs: &mut Vec<Obs>) {
        if stop.qty == 0 {
            obs.push(Obs::Rejected(stop.id, "INVALID_QUANTITY".into()));
            return;
        }
        if stop.flags.reduce_only && stop.qty > self.reducible(stop.side) {
            obs.push(Obs::Rejected(stop.id, "REDUCE_ONLY_WOULD_INCREASE".into()));
            return;
        }
        self.seen.insert(stop.id.clone());
        obs.push(Obs::Accepted(stop.id.clone()));
        self.next_seq += 1;
        let stop = RefStop { seq: self.next_seq, ..stop };
        let hit = match stop.side {
            OrderSide::Buy => self.best_ask().is_some_and(|a| a >= stop.trigger),
            OrderSide::Sell => self.best_bid().is_some_and(|b| b <= stop.trigger),
        };
        if hit {
            self.activate(stop, obs);
        } else {
            self.stops.push(stop);
        }
    }

    fn cancel(&mut self, id: &str, obs: &mut Vec<Obs>) {
        if let Some(pos) = self.orders.iter().position(|o| o.id == id) {
            self.orders.remove(pos);
            obs.push(Obs::Canceled(id.into()));
        } else if let Some(pos) = self.stops.iter().position(|o| o.id == id) {
            self.stops.remove(pos);
            obs.push(Obs::Canceled(id.into()));
        } else if self.seen.contains(id) {
            obs.push(Obs::CancelRejected(id.into(), "ORDER_CLOSED".into()));
        } else {
            obs.push(Obs::CancelRejected(id.into(), "UNKNOWN_ORDER".into()));
        }
    }

    /// Open orders (resting and waiting stops) by arrival, with what each has left.
    fn open(&self) -> Vec<(String, u64)> {
        let mut open: Vec<(u64, String, u64)> =
            self.orders.iter().map(|o| (o.seq, o.id.clone(), o.leaves)).collect();
        open.extend(self.stops.iter().map(|s| (s.seq, s.id.clone(), s.qty)));
        open.sort();
        open.into_iter().map(|(_, id, leaves)| (id, leaves)).collect()
    }
}

fn price(ticks: i64) -> Price {
    Price::from_raw(ticks * TICK, 2).unwrap()
}

fn side_of(buy: bool) -> OrderSide {
    if buy {
        OrderSide::Buy
    } else {
        OrderSide::Sell
    }
}

#[allow(clippy::too_many_lines)] // One arm per operation, venue and model side by side.
fn run(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut inst = instrument();
    inst.min_notional = None;
    inst.max_quantity = None;
    let iid = inst.id;
    let mut venue = SimulatedVenue::new(config(BookMode::L2), vec![inst]).unwrap();
    let account = TestAccount::rich();
    let mut model = Reference::default();
    let mut next_id = 0usize;
    for (step, op) in ops.iter().enumerate() {
        let now = UnixNanos(step as u64 + 1);
        let mut out = Vec::new();
        let mut expected = Vec::new();
        match op {
            Op::Snapshot(bids, asks) => {
                let lv = |m: &BTreeMap<i64, u64>| {
                    m.iter()
                        .map(|(p, s)| BookLevel {
                            price: price(*p),
                            size: Quantity::from_raw(s * LOT, 0).unwrap(),
                        })
                        .collect()
                };
                venue.on_book_snapshot(
                    &BookSnapshot {
                        instrument_id: iid,
                        sequence: 1,
                        bids: lv(bids),
                        asks: lv(asks),
                        ts_event: now,
                        ts_init: now,
                    },
                    &mut out,
                );
                model.bids =
                    bids.iter().filter(|l| *l.1 > 0).map(|(p, s)| (p * TICK, s * LOT)).collect();
                model.asks =
                    asks.iter().filter(|l| *l.1 > 0).map(|(p, s)| (p * TICK, s * LOT)).collect();
                model.book_changed(&mut expected);
            }
            Op::Deltas(changes) => {
                let mut deltas = Vec::new();
                for &(kind, buy, p, s) in changes {
                    let action = match kind {
                        0 => BookAction::Clear,
                        1 | 2 => BookAction::Delete,
                        3..=5 => BookAction::Add,
                        _ => BookAction::Update,
                    };
                    let side = side_of(buy);
                    deltas.push(BookLevelDelta {
                        action,
                        side,
                        price: price(p),
                        size: Quantity::from_raw(s * LOT, 0).unwrap(),
                    });
                    let book = if buy { &mut model.bids } else { &mut model.asks };
                    match action {
                        BookAction::Clear => {
                            model.bids.clear();
                            model.asks.clear();
                        }
                        BookAction::Delete => {
                            book.remove(&(p * TICK));
                        }
                        _ if s == 0 => {
                            book.remove(&(p * TICK));
                        }
                        _ => {
                            book.insert(p * TICK, s * LOT);
                        }
                    }
                }
                venue.on_book_deltas(
                    &BookDeltas {
                        instrument_id: iid,
                        first_sequence: 2,
                        sequence: 2,
                        prev_sequence: None,
                        deltas,
                        ts_event: now,
                        ts_init: now,
                    },
                    &mut out,
                );
                model.book_changed(&mut expected);
            }
            Op::Trade(p, s, a) => {
                let aggressor =
                    [AggressorSide::Buyer, AggressorSide::Seller, AggressorSide::NoAggressor]
                        [*a as usize];
                venue.on_trade(
                    &TradeTick {
                        instrument_id: iid,
                        price: price(*p),
                        size: Quantity::from_raw(s * LOT, 0).unwrap(),
                        aggressor_side: aggressor,
                        trade_id: TradeId::from_static("T"),
                        ts_event: now,
                        ts_init: now,
                    },
                    &mut out,
                );
                model.trade(p * TICK, s * LOT, aggressor, &mut expected);
            }
            Op::Market(buy, q, f) | Op::Limit(buy, q, _, _, _, f) => {
                next_id += 1;
                let id = format!("O{next_id}");
                let (limit, tif, off) = match op {
                    Op::Limit(_, _, p, tif, off, _) => (
                        Some(*p),
                        [TimeInForce::Gtc, TimeInForce::Ioc, TimeInForce::Fok][*tif as usize],
                        *off,
                    ),
                    _ => (None, TimeInForce::Gtc, false),
                };
                let limit_price = limit.map(|p| {
                    if off {
                        Price::from_raw(p * TICK + TICK / 2, 3).unwrap()
                    } else {
                        price(p)
                    }
                });
                // Post-only is a limit order's flag.
                let flags = Flags { post_only: f.post_only && limit.is_some(), ..*f };
                let cmd = SubmitOrder {
                    strategy_id: StrategyId::from_static("S"),
                    instrument_id: iid,
                    client_order_id: ClientOrderId::from_static(&id),
                    side: side_of(*buy),
                    order_type: if limit.is_some() { OrderType::Limit } else { OrderType::Market },
                    quantity: Quantity::from_raw(q * LOT, 0).unwrap(),
                    price: limit_price,
                    trigger_price: None,
                    time_in_force: tif,
                    expire_time: None,
                    post_only: flags.post_only,
                    reduce_only: flags.reduce_only,
                    ts_event: now,
                    ts_init: now,
                };
                venue.on_submit(&cmd, now, &account, &mut out);
                let submit = RefSubmit {
                    id: &id,
                    side: side_of(*buy),
                    qty: q * LOT,
                    limit: limit.map(|p| p * TICK),
                    tif,
                    off_tick: off,
                    flags,
                };
                model.submit(&submit, &mut expected);
            }
            Op::StopLimit(buy, q, trigger, limit, flags) => {
                next_id += 1;
                let id = format!("O{next_id}");
                let cmd = SubmitOrder {
                    strategy_id: StrategyId::from_static("S"),
                    instrument_id: iid,
                    client_order_id: ClientOrderId::from_static(&id),
                    side: side_of(*buy),
                    order_type: OrderType::StopLimit,
                    quantity: Quantity::from_raw(q * LOT, 0).unwrap(),
                    price: Some(price(*limit)),
                    trigger_price: Some(price(*trigger)),
                    time_in_force: TimeInForce::Gtc,
                    expire_time: None,
                    post_only: flags.post_only,
                    reduce_only: flags.reduce_only,
                    ts_event: now,
                    ts_init: now,
                };
                venue.on_submit(&cmd, now, &account, &mut out);
                let stop = RefStop {
                    id,
                    seq: 0,
                    side: side_of(*buy),
                    trigger: trigger * TICK,
                    limit: limit * TICK,
                    qty: q * LOT,
                    flags: *flags,
                };
                model.submit_stop(stop, &mut expected);
            }
            Op::Cancel(k) => {
                let id = format!("O{k}");
                let cmd = CancelOrder {
                    strategy_id: StrategyId::from_static("S"),
                    instrument_id: iid,
                    client_order_id: ClientOrderId::from_static(&id),
                    ts_event: now,
                    ts_init: now,
                };
                venue.on_cancel(&cmd, now, &mut out);
                model.cancel(&id, &mut expected);
            }
        }
        prop_assert_eq!(observe(&out), expected, "step {} {:?}", step, op);
    }
    let open: Vec<(String, u64)> = venue.states[0]
        .orders
        .iter()
        .map(|o| (o.client_order_id.to_string(), o.leaves_raw()))
        .collect();
    prop_assert_eq!(open, model.open());
    prop_assert_eq!(venue.position_raw(0), model.position);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn venue_matches_the_reference_model(ops in prop::collection::vec(op(), 1..60)) {
        run(&ops)?;
    }
}
