//! Matching: taking liquidity, resting orders filled by the market moving or trading through
//! them, stops triggering, and the bookkeeping after each step.
//!
//! Prices: a taking order fills at each level's price (taker). A resting order filled because
//! the book or a trade went through it fills at its own limit price (maker). Orders of the
//! venue never match each other; they only trade against market data.

use super::book_state::{better, reaches, Depth};
use super::order::{Ctx, VenueOrder};
use super::{queue, BookMode, InstrumentState, Known, SimulatedVenue};
use crate::events::Event;
use crate::types::{AggressorSide, OrderSide, Price, TimeInForce, UnixNanos};

/// Executes a taking order against `view`: FOK all-or-nothing, IOC and market remainders
/// canceled. Returns true when a remainder is left to rest in the book.
pub(crate) fn execute(
    order: &mut VenueOrder,
    view: &mut Depth,
    ctx: &Ctx<'_>,
    out: &mut Vec<Event>,
) -> bool {
    let limit = order.limit_raw();
    let side = order.side;
    let want = order.leaves_raw();
    let fok = order.time_in_force == TimeInForce::Fok;
    if fok && view.available(side, limit) < u128::from(want) {
        order.cancel(ctx.now, out);
        return false;
    }
    view.take(side, limit, want, |px, qty| {
        order.fill(ctx, px, qty, false, out);
    });
    if order.closed {
        return false;
    }
    if limit.is_none() || fok || order.time_in_force == TimeInForce::Ioc {
        order.cancel(ctx.now, out);
        return false;
    }
    true
}

/// Indices of `orders` matching `keep`, best price first then earliest priority.
fn by_priority(
    orders: &[VenueOrder],
    side: OrderSide,
    keep: impl Fn(&VenueOrder) -> bool,
) -> Vec<usize> {
    let mut ids: Vec<usize> = (0..orders.len())
        .filter(|&i| orders[i].side == side && keep(&orders[i]))
        .collect();
    ids.sort_by(|&a, &b| {
        let (pa, pb) = (
            orders[a].limit_raw().unwrap_or(0),
            orders[b].limit_raw().unwrap_or(0),
        );
        let by_price = match side {
            OrderSide::Buy => pb.cmp(&pa),
            OrderSide::Sell => pa.cmp(&pb),
        };
        by_price.then(orders[a].priority.cmp(&orders[b].priority))
    });
    ids
}

/// Resting limits the opposite side of `view` has moved through fill at their own price, the
/// crossing volume taken from `view`.
fn cross_resting(orders: &mut [VenueOrder], view: &mut Depth, ctx: &Ctx<'_>, out: &mut Vec<Event>) {
    for side in [OrderSide::Buy, OrderSide::Sell] {
        let Some(best) = view.best(side.opposite()) else {
            continue;
        };
        let ids = by_priority(orders, side, |o| {
            o.is_resting_limit() && o.limit_raw().is_some_and(|l| reaches(side, best, Some(l)))
        });
        for i in ids {
            let o = &mut orders[i];
            let Some(limit) = o.limit_raw() else { continue };
            let took = view.take(side, Some(limit), o.leaves_raw(), |_, _| {});
            if took > 0 {
                o.fill(ctx, limit, took, true, out);
                o.queue_ahead = 0;
            }
        }
    }
}

/// A trade of `size` at `price` fills resting limits it reaches: those priced through it up
/// to its size, those at its price after their queue ahead and only when the aggressor came
/// from the other side. The trade's size is shared among the venue's orders of one side in
/// priority order.
fn trade_fill(
    orders: &mut [VenueOrder],
    price: i64,
    size: u64,
    aggressor: AggressorSide,
    ctx: &Ctx<'_>,
    out: &mut Vec<Event>,
) {
    for side in [OrderSide::Buy, OrderSide::Sell] {
        let ids = by_priority(orders, side, |o| {
            o.is_resting_limit()
                && o.limit_raw()
                    .is_some_and(|l| l == price || better(side, l, price))
        });
        let same_aggressor = matches!(
            (side, aggressor),
            (OrderSide::Buy, AggressorSide::Buyer) | (OrderSide::Sell, AggressorSide::Seller)
        );
        let mut used = 0u64;
        for i in ids {
            let o = &mut orders[i];
            let Some(limit) = o.limit_raw() else { continue };
            let reached = if limit == price {
                if same_aggressor {
                    continue;
                }
                queue::consume_trade(&mut o.queue_ahead, size)
            } else {
                size
            };
            let qty = reached.saturating_sub(used).min(o.leaves_raw());
            if qty > 0 {
                o.fill(ctx, limit, qty, true, out);
                used += qty;
            }
        }
    }
}

/// Stops whose trigger the market reached fire and execute against `view`. The reference is
/// `trade_px` for a trade, else the opposite best of `view` (buy stop: ask >= trigger; sell
/// stop: bid <= trigger).
fn trigger_stops(
    orders: &mut [VenueOrder],
    view: &mut Depth,
    trade_px: Option<i64>,
    ctx: &Ctx<'_>,
    out: &mut Vec<Event>,
) {
    let mut ids: Vec<usize> = (0..orders.len())
        .filter(|&i| orders[i].is_pending_stop() && !orders[i].closed)
        .collect();
    if ids.is_empty() {
        return;
    }
    ids.sort_by_key(|&i| orders[i].priority);
    for i in ids {
        let o = &mut orders[i];
        if stop_hit(o, view, trade_px) {
            o.trigger(ctx.now, out);
            if execute(o, view, ctx, out) {
                o.queue_ahead = queue::PENDING;
            }
        }
    }
}

/// True when the market reached the stop's trigger.
pub(crate) fn stop_hit(o: &VenueOrder, view: &Depth, trade_px: Option<i64>) -> bool {
    let Some(trigger) = o.trigger_price.map(Price::raw) else {
        return false;
    };
    let reference = trade_px.or_else(|| view.best(o.side.opposite()));
    reference.is_some_and(|r| match o.side {
        OrderSide::Buy => r >= trigger,
        OrderSide::Sell => r <= trigger,
    })
}

/// Volume ahead of a new resting order at `price` on `side` of `depth`.
pub(crate) fn initial_queue(depth: &Depth, mode: BookMode, side: OrderSide, price: i64) -> u64 {
    match depth.level_size(side, price) {
        Some(level_size) => level_size,
        None => match (mode, depth.best(side)) {
            // L1 shows no depth behind the top: the order's place is learned later.
            (BookMode::L1, Some(top)) if better(side, top, price) => queue::UNKNOWN,
            _ => 0,
        },
    }
}

impl SimulatedVenue {
    /// After a quote updated the top (L1) or the quote view (L2).
    pub(crate) fn after_quote(&mut self, idx: usize, now: UnixNanos, out: &mut Vec<Event>) {
        let l1 = self.config.book_mode == BookMode::L1;
        if l1 && self.config.queue_position {
            let InstrumentState { depth, orders, .. } = &mut self.states[idx];
            for o in orders.iter_mut().filter(|o| o.is_resting_limit()) {
                let Some(price) = o.limit_raw() else { continue };
                match depth.side(o.side).first() {
                    Some(top) if top.price == price => {
                        queue::cap_to_level(&mut o.queue_ahead, top.size);
                    }
                    Some(top) if better(o.side, top.price, price) => {}
                    // The top is behind the order's price (or gone): nobody is left ahead.
                    _ => o.queue_ahead = 0,
                }
            }
        }
        self.sweep(idx, !l1, now, out);
    }

    /// After a trade print.
    pub(crate) fn after_trade(
        &mut self,
        idx: usize,
        price: i64,
        size: u64,
        aggressor: AggressorSide,
        now: UnixNanos,
        out: &mut Vec<Event>,
    ) {
        let account_id = self.config.account_id;
        let trade_fills = self.config.trade_fills;
        let InstrumentState {
            instrument,
            depth,
            orders,
            ..
        } = &mut self.states[idx];
        let ctx = Ctx {
            account_id,
            now,
            instrument,
        };
        if trade_fills {
            trade_fill(orders, price, size, aggressor, &ctx, out);
        }
        trigger_stops(orders, depth, Some(price), &ctx, out);
        self.finish(idx);
    }

    /// Resting limits against the book (or the L2 quote view), then stops.
    pub(crate) fn sweep(
        &mut self,
        idx: usize,
        use_quote_view: bool,
        now: UnixNanos,
        out: &mut Vec<Event>,
    ) {
        let account_id = self.config.account_id;
        let InstrumentState {
            instrument,
            depth,
            quote_view,
            orders,
        } = &mut self.states[idx];
        let view = if use_quote_view { quote_view } else { depth };
        let ctx = Ctx {
            account_id,
            now,
            instrument,
        };
        cross_resting(orders, view, &ctx, out);
        trigger_stops(orders, view, None, &ctx, out);
        self.finish(idx);
    }

    /// Bookkeeping after a step: closed orders leave, newly resting orders get their queue
    /// place, and the next expiry is noted.
    pub(crate) fn finish(&mut self, idx: usize) {
        let mode = self.config.book_mode;
        let queue_position = self.config.queue_position;
        let Some(InstrumentState { depth, orders, .. }) = self.states.get_mut(idx) else {
            return;
        };
        for o in orders.iter_mut() {
            if o.closed {
                self.known.insert(o.client_order_id, Known::Closed);
                continue;
            }
            if o.queue_ahead == queue::PENDING {
                o.queue_ahead = match (queue_position, o.limit_raw()) {
                    (true, Some(price)) => initial_queue(depth, mode, o.side, price),
                    _ => 0,
                };
            }
            if let Some(t) = o.expire_at {
                self.next_expiry = self.next_expiry.min(t.0);
            }
        }
        orders.retain(|o| !o.closed);
    }
}
