//! Property test: the venue against a naive reference model written from the rules alone.
//!
//! L2 mode, one instrument, queue position off, trades filling resting orders. Random
//! sequences of snapshots, deltas, trades, market and limit submits (GTC, IOC, FOK, some off
//! the tick grid or of zero quantity) and cancels (of open, closed and unknown ids) must give
//! the same events (accepts, fills with quantity and price, cancels, rejections by code) and
//! the same open orders with the same remaining quantities.

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

#[derive(Debug, Clone)]
enum Op {
    Snapshot(BTreeMap<i64, u64>, BTreeMap<i64, u64>),
    Deltas(Vec<(u8, bool, i64, u64)>),
    Trade(i64, u64, u8),
    Market(bool, u64),
    Limit(bool, u64, i64, u8, bool),
    Cancel(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let levels = || prop::collection::btree_map(90i64..=110, 0u64..8, 0..6);
    prop_oneof![
        1 => (levels(), levels()).prop_map(|(b, a)| Op::Snapshot(b, a)),
        3 => prop::collection::vec((0u8..10, any::<bool>(), 90i64..=110, 0u64..8), 1..4).prop_map(Op::Deltas),
        3 => (90i64..=110, 1u64..10, 0u8..3).prop_map(|(p, s, a)| Op::Trade(p, s, a)),
        2 => (any::<bool>(), 0u64..12).prop_map(|(b, q)| Op::Market(b, q)),
        4 => (any::<bool>(), 0u64..10, 90i64..=110, 0u8..3, prop::bool::weighted(0.05))
            .prop_map(|(b, q, p, tif, off)| Op::Limit(b, q, p, tif, off)),
        2 => (0usize..40).prop_map(Op::Cancel),
    ]
}

/// What the comparison looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Obs {
    Accepted(String),
    Rejected(String, String),
    Fill(String, u64, i64),
    Canceled(String),
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
            Event::OrderCanceled(c) => Obs::Canceled(c.client_order_id.to_string()),
            Event::OrderCancelRejected(r) => {
                Obs::CancelRejected(r.client_order_id.to_string(), code(&r.reason))
            }
            other => panic!("unexpected event {}", other.kind()),
        })
        .collect()
}

struct RefOrder {
    id: String,
    side: OrderSide,
    limit: i64,
    leaves: u64,
}

/// The rules, written out as plainly as possible. Orders are kept in time order.
#[derive(Default)]
struct Reference {
    bids: BTreeMap<i64, u64>,
    asks: BTreeMap<i64, u64>,
    orders: Vec<RefOrder>,
    seen: HashSet<String>,
}

impl Reference {
    fn opposite(&mut self, side: OrderSide) -> &mut BTreeMap<i64, u64> {
        match side {
            OrderSide::Buy => &mut self.asks,
            OrderSide::Sell => &mut self.bids,
        }
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

    /// Indices of resting orders of `side`, best price first, then time.
    fn priority(&self, side: OrderSide) -> Vec<usize> {
        let mut ids: Vec<usize> =
            (0..self.orders.len()).filter(|&i| self.orders[i].side == side).collect();
        ids.sort_by_key(|&i| match side {
            OrderSide::Buy => (-self.orders[i].limit, i),
            OrderSide::Sell => (self.orders[i].limit, i),
        });
        ids
    }

    fn cross_resting(&mut self, obs: &mut Vec<Obs>) {
        for side in [OrderSide::Buy, OrderSide::Sell] {
            for i in self.priority(side) {
                let (limit, want) = (self.orders[i].limit, self.orders[i].leaves);
                let took: u64 = self.take(side, Some(limit), want).iter().map(|f| f.1).sum();
                if took > 0 {
                    self.orders[i].leaves -= took;
                    obs.push(Obs::Fill(self.orders[i].id.clone(), took, limit));
                }
            }
        }
        self.orders.retain(|o| o.leaves > 0);
    }

    fn trade(&mut self, price: i64, size: u64, aggressor: AggressorSide, obs: &mut Vec<Obs>) {
        for side in [OrderSide::Buy, OrderSide::Sell] {
            let mut budget = size;
            for i in self.priority(side) {
                let o = &mut self.orders[i];
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
                if q > 0 {
                    o.leaves -= q;
                    budget -= q;
                    obs.push(Obs::Fill(o.id.clone(), q, o.limit));
                }
            }
        }
        self.orders.retain(|o| o.leaves > 0);
    }

    #[allow(clippy::too_many_arguments)] // The fields of a submit, spelled out for the model.
    fn submit(
        &mut self,
        id: &str,
        side: OrderSide,
        qty: u64,
        limit: Option<i64>,
        tif: TimeInForce,
        off_tick: bool,
        obs: &mut Vec<Obs>,
    ) {
        if off_tick {
            obs.push(Obs::Rejected(id.into(), "OFF_TICK".into()));
            return;
        }
        if qty == 0 {
            obs.push(Obs::Rejected(id.into(), "INVALID_QUANTITY".into()));
            return;
        }
        self.seen.insert(id.into());
        obs.push(Obs::Accepted(id.into()));
        let available: u64 = self.reachable(side, limit).iter().map(|l| l.1).sum();
        if tif == TimeInForce::Fok && available < qty {
            obs.push(Obs::Canceled(id.into()));
            return;
        }
        let mut leaves = qty;
        for (p, q) in self.take(side, limit, qty) {
            leaves -= q;
            obs.push(Obs::Fill(id.into(), q, p));
        }
        if leaves == 0 {
            return;
        }
        match (limit, tif) {
            (Some(limit), TimeInForce::Gtc) => {
                self.orders.push(RefOrder { id: id.into(), side, limit, leaves });
            }
            _ => obs.push(Obs::Canceled(id.into())),
        }
    }

    fn cancel(&mut self, id: &str, obs: &mut Vec<Obs>) {
        if let Some(pos) = self.orders.iter().position(|o| o.id == id) {
            self.orders.remove(pos);
            obs.push(Obs::Canceled(id.into()));
        } else if self.seen.contains(id) {
            obs.push(Obs::CancelRejected(id.into(), "ORDER_CLOSED".into()));
        } else {
            obs.push(Obs::CancelRejected(id.into(), "UNKNOWN_ORDER".into()));
        }
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
                model.cross_resting(&mut expected);
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
                model.cross_resting(&mut expected);
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
            Op::Market(buy, q) | Op::Limit(buy, q, _, _, _) => {
                next_id += 1;
                let id = format!("O{next_id}");
                let (limit, tif, off) = match op {
                    Op::Limit(_, _, p, tif, off) => (
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
                    post_only: false,
                    reduce_only: false,
                    ts_event: now,
                    ts_init: now,
                };
                venue.on_submit(&cmd, now, &account, &mut out);
                model.submit(
                    &id,
                    side_of(*buy),
                    q * LOT,
                    limit.map(|p| p * TICK),
                    tif,
                    off,
                    &mut expected,
                );
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
    let want: Vec<(String, u64)> = model.orders.iter().map(|o| (o.id.clone(), o.leaves)).collect();
    prop_assert_eq!(open, want);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn venue_matches_the_reference_model(ops in prop::collection::vec(op(), 1..60)) {
        run(&ops)?;
    }
}
