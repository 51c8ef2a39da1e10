//! Matching: taking liquidity, resting orders filled by the market moving or trading through
//! them, stops triggering, and the bookkeeping after each step.
//!
//! Prices: a taking order fills at each level's price (taker). A resting order filled because
//! the book or a trade went through it fills at its own limit price (maker). Orders of the
//! venue never match each other; they only trade against market data.

use super::book_state::{better, reaches, Depth};
use super::checks::{check_post_only, check_reduce_only};
use super::order::{Ctx, VenueOrder};
use super::{queue, BookMode, InstrumentState, SimulatedVenue};
use crate::events::Event;
use crate::types::{AggressorSide, OrderSide, Price, TimeInForce, UnixNanos};

/// Executes a taking order against `view`: FOK all-or-nothing, IOC and market remainders
/// canceled. A reduce-only order fills no more than the position it reduces; when the book
/// would give it more, the rest expires (a FOK one expires whole). Returns true when a
/// remainder is left to rest in the book.
pub(crate) fn execute(
    order: &mut VenueOrder,
    view: &mut Depth,
    ctx: &Ctx<'_>,
    out: &mut Vec<Event>,
) -> bool {
    let limit = order.limit_raw();
    let side = order.side;
    let mut want = order.leaves_raw();
    let fok = order.time_in_force == TimeInForce::Fok;
    if fok && view.available(side, limit) < u128::from(want) {
        order.cancel(ctx.now, out);
        return false;
    }
    let room = order.room(ctx.position.get());
    let capped = room < want && view.available(side, limit) > u128::from(room);
    if capped {
        want = if fok { 0 } else { room };
    }
    view.take(side, limit, want, |px, qty| {
        order.fill(ctx, px, qty, false, out);
    });
    if capped {
        expire_reduce_only(order, ctx, out);
        return false;
    }
    if order.closed {
        return false;
    }
    if limit.is_none() || fok || order.time_in_force == TimeInForce::Ioc {
        order.cancel(ctx.now, out);
        return false;
    }
    true
}

/// Expires what is left of a reduce-only order that would fill past flat.
fn expire_reduce_only(order: &mut VenueOrder, ctx: &Ctx<'_>, out: &mut Vec<Event>) {
    let reason =
        check_reduce_only(ctx.instrument, order.side, order.leaves_raw(), ctx.position.get()).err();
    order.expire(ctx.now, reason, out);
}

/// A stop's trigger was reached: it becomes active and is checked again as a venue checks an
/// order it activates. A post-only stop-limit whose limit would take, or a reduce-only stop that
/// would grow or flip the position, expires; any other executes (and may then rest).
pub(crate) fn activate(
    order: &mut VenueOrder,
    depth: &mut Depth,
    ctx: &Ctx<'_>,
    out: &mut Vec<Event>,
) {
    order.trigger(ctx.now, out);
    let post_only = || match (order.post_only, order.order_type.has_price(), order.price) {
        (true, true, Some(price)) => check_post_only(depth, order.side, price),
        _ => Ok(()),
    };
    let reduce_only = || {
        if order.reduce_only {
            check_reduce_only(ctx.instrument, order.side, order.leaves_raw(), ctx.position.get())
        } else {
            Ok(())
        }
    };
    if let Err(reason) = post_only().and_then(|()| reduce_only()) {
        order.expire(ctx.now, Some(reason), out);
        return;
    }
    if execute(order, depth, ctx, out) {
        order.queue_ahead = queue::PENDING;
    }
}

/// Indices of `orders` matching `keep`, best price first then earliest priority.
fn by_priority(
    orders: &[VenueOrder],
    side: OrderSide,
    keep: impl Fn(&VenueOrder) -> bool,
) -> Vec<usize> {
    let mut ids: Vec<usize> =
        (0..orders.len()).filter(|&i| orders[i].side == side && keep(&orders[i])).collect();
    ids.sort_by(|&a, &b| {
        let (pa, pb) = (orders[a].limit_raw().unwrap_or(0), orders[b].limit_raw().unwrap_or(0));
        let by_price = match side {
            OrderSide::Buy => pb.cmp(&pa),
            OrderSide::Sell => pa.cmp(&pb),
        };
        by_price.then(orders[a].priority.cmp(&orders[b].priority))
    });
    ids
}

/// Resting limits the opposite side of `view` has moved through fill at their own price, the
/// crossing volume taken from `view`. A reduce-only order takes no more than the position it
/// reduces; when more crossed it, the rest expires.
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
            let room = o.room(ctx.position.get());
            let capped =
                room < o.leaves_raw() && view.available(side, Some(limit)) > u128::from(room);
            let took = view.take(side, Some(limit), room, |_, _| {});
            if took > 0 {
                o.fill(ctx, limit, took, true, out);
                o.queue_ahead = 0;
            }
            if capped {
                expire_reduce_only(o, ctx, out);
            }
        }
    }
}

/// A trade of `size` at `price` fills resting limits it reaches: those priced through it up
/// to its size, those at its price after their queue ahead and only when the aggressor came
/// from the other side. The trade's size is shared among the venue's orders of one side in
/// priority order. A reduce-only order takes no more than the position it reduces; when the
/// trade reached it for more, the rest expires.
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
                && o.limit_raw().is_some_and(|l| l == price || better(side, l, price))
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
            let fill = qty.min(o.room(ctx.position.get()));
            if fill > 0 {
                o.fill(ctx, limit, fill, true, out);
                used += fill;
            }
            if fill < qty {
                expire_reduce_only(o, ctx, out);
            }
        }
    }
}

/// Stops whose trigger the market reached fire and execute against `depth`. `bid`/`ask` are
/// the market's reference prices (both the trade price for a trade): a buy stop fires when
/// `ask >= trigger`, a sell stop when `bid <= trigger`.
fn trigger_stops(
    orders: &mut [VenueOrder],
    depth: &mut Depth,
    (bid, ask): (Option<i64>, Option<i64>),
    ctx: &Ctx<'_>,
    out: &mut Vec<Event>,
) {
    let mut ids: Vec<usize> =
        (0..orders.len()).filter(|&i| orders[i].is_pending_stop() && !orders[i].closed).collect();
    if ids.is_empty() {
        return;
    }
    ids.sort_by_key(|&i| orders[i].priority);
    for i in ids {
        let o = &mut orders[i];
        if stop_hit(o, bid, ask) {
            activate(o, depth, ctx, out);
        }
    }
}

/// True when the market reached the stop's trigger.
pub(crate) fn stop_hit(o: &VenueOrder, bid: Option<i64>, ask: Option<i64>) -> bool {
    let Some(trigger) = o.trigger_price.map(Price::raw) else {
        return false;
    };
    match o.side {
        OrderSide::Buy => ask.is_some_and(|a| a >= trigger),
        OrderSide::Sell => bid.is_some_and(|b| b <= trigger),
    }
}

/// The book's best bid and ask.
pub(crate) fn top(depth: &Depth) -> (Option<i64>, Option<i64>) {
    (depth.best(OrderSide::Buy), depth.best(OrderSide::Sell))
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
    /// After a quote. L1: the quote set the book; resting limits and stops match against it.
    /// L2: the book comes from snapshots and deltas, so the quote only triggers stops (which
    /// then execute against the L2 book). Letting it fill resting limits too would count the
    /// same liquidity twice, once from the quote and once from the delta that follows it.
    pub(crate) fn after_quote(
        &mut self,
        idx: usize,
        quote_top: (Option<i64>, Option<i64>),
        now: UnixNanos,
        out: &mut Vec<Event>,
    ) {
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
        self.sweep(idx, if l1 { None } else { Some(quote_top) }, now, out);
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
        let InstrumentState { instrument, depth, orders, position } = &mut self.states[idx];
        let ctx = Ctx { account_id, now, instrument, position };
        if trade_fills {
            trade_fill(orders, price, size, aggressor, &ctx, out);
        }
        trigger_stops(orders, depth, (Some(price), Some(price)), &ctx, out);
        self.finish(idx);
    }

    /// Resting limits the book moved through fill, then stops trigger. With `quote_top` (an L2
    /// quote) only stops are checked, against the quote's prices.
    pub(crate) fn sweep(
        &mut self,
        idx: usize,
        quote_top: Option<(Option<i64>, Option<i64>)>,
        now: UnixNanos,
        out: &mut Vec<Event>,
    ) {
        let account_id = self.config.account_id;
        let InstrumentState { instrument, depth, orders, position } = &mut self.states[idx];
        let ctx = Ctx { account_id, now, instrument, position };
        let reference = if let Some(prices) = quote_top {
            prices
        } else {
            // Stops see the market as it printed, before the venue's own fills took from it.
            let market = top(depth);
            cross_resting(orders, depth, &ctx, out);
            market
        };
        trigger_stops(orders, depth, reference, &ctx, out);
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
                self.working.remove(&o.client_order_id);
                self.closed_ids.push(o.client_order_id);
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

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{BookMode, SimulatedVenue};
    use super::*;
    use crate::events::SubmitOrder;
    use crate::types::{BookAction, LiquiditySide, TimeInForce};

    fn submit(v: &mut SimulatedVenue, cmd: &SubmitOrder, now: u64) -> Vec<Event> {
        let mut out = Vec::new();
        v.on_submit(cmd, t(now), &TestAccount::rich(), &mut out);
        out
    }

    fn qp_venue(mode: BookMode) -> SimulatedVenue {
        let mut cfg = config(mode);
        cfg.queue_position = true;
        venue_with(cfg)
    }

    #[test]
    fn resting_limit_fills_on_a_trade_through_at_its_price() {
        let mut v = venue(BookMode::L1);
        let mut out = Vec::new();
        v.on_quote(&quote("100.00", "100.10", "5", "5", 1), &mut out);
        submit(&mut v, &limit("a", OrderSide::Buy, "10", "99.90"), 2);
        v.on_trade(&trade("99.95", "50", AggressorSide::Seller, 3), &mut out);
        assert!(out.is_empty());
        v.on_trade(&trade("99.80", "4", AggressorSide::Seller, 4), &mut out);
        assert_eq!(fills(&out), [("a".into(), "4".into(), "99.90".into(), LiquiditySide::Maker)]);
        let Event::OrderFilled(f) = &out[0] else { panic!() };
        assert_eq!(f.commission.to_string(), "0.07992 USDT");
        out.clear();
        v.on_trade(&trade("99.80", "100", AggressorSide::Seller, 5), &mut out);
        assert_eq!(fills(&out)[0].1, "6");
        assert_eq!(v.open_order_count(0), 0);
    }

    #[test]
    fn trades_at_the_price_fill_only_after_the_queue_ahead() {
        let mut v = qp_venue(BookMode::L2);
        let mut out = Vec::new();
        v.on_book_snapshot(&snapshot(&[("100.00", "10")], &[("100.10", "5")], 1), &mut out);
        submit(&mut v, &limit("a", OrderSide::Buy, "5", "100.00"), 2);
        // A buyer-initiated print at our bid does not reach a bid.
        v.on_trade(&trade("100.00", "30", AggressorSide::Buyer, 3), &mut out);
        assert!(out.is_empty());
        v.on_trade(&trade("100.00", "6", AggressorSide::Seller, 4), &mut out);
        assert!(out.is_empty(), "6 of the 10 ahead traded");
        v.on_trade(&trade("100.00", "7", AggressorSide::Seller, 5), &mut out);
        assert_eq!(fills(&out)[0].1, "3", "4 more ahead, then 3 for us");
        out.clear();
        v.on_trade(&trade("100.00", "9", AggressorSide::Seller, 6), &mut out);
        assert_eq!(fills(&out)[0].1, "2");
    }

    #[test]
    fn level_decreases_shrink_the_queue_ahead() {
        let mut v = qp_venue(BookMode::L2);
        let mut out = Vec::new();
        v.on_book_snapshot(&snapshot(&[("100.00", "10")], &[("100.10", "5")], 1), &mut out);
        submit(&mut v, &limit("a", OrderSide::Buy, "5", "100.00"), 2);
        v.on_book_deltas(
            &deltas(&[(BookAction::Update, OrderSide::Buy, "100.00", "3")], 3),
            &mut out,
        );
        v.on_book_deltas(
            &deltas(&[(BookAction::Update, OrderSide::Buy, "100.00", "20")], 4),
            &mut out,
        );
        v.on_trade(&trade("100.00", "4", AggressorSide::Seller, 5), &mut out);
        assert_eq!(fills(&out)[0].1, "1", "only 3 were left ahead; growth joined behind");
    }

    #[test]
    fn without_queue_position_a_trade_at_the_price_fills_at_once() {
        let mut v = venue(BookMode::L2);
        let mut out = Vec::new();
        v.on_book_snapshot(&snapshot(&[("100.00", "10")], &[("100.10", "5")], 1), &mut out);
        submit(&mut v, &limit("a", OrderSide::Buy, "5", "100.00"), 2);
        submit(&mut v, &limit("b", OrderSide::Buy, "5", "100.00"), 3);
        v.on_trade(&trade("100.00", "7", AggressorSide::Seller, 4), &mut out);
        assert_eq!(
            fills(&out).iter().map(|f| (f.0.as_str(), f.1.as_str())).collect::<Vec<_>>(),
            [("a", "5"), ("b", "2")],
            "time priority, one trade's size shared"
        );
    }

    #[test]
    fn trade_fills_can_be_turned_off() {
        let mut cfg = config(BookMode::L1);
        cfg.trade_fills = false;
        let mut v = venue_with(cfg);
        let mut out = Vec::new();
        v.on_quote(&quote("100.00", "100.10", "5", "5", 1), &mut out);
        submit(&mut v, &limit("a", OrderSide::Buy, "5", "99.00"), 2);
        v.on_trade(&trade("98.00", "50", AggressorSide::Seller, 3), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn l1_queue_is_learned_when_the_quote_reaches_the_price() {
        let mut v = qp_venue(BookMode::L1);
        let mut out = Vec::new();
        v.on_quote(&quote("100.00", "100.10", "5", "5", 1), &mut out);
        submit(&mut v, &limit("a", OrderSide::Buy, "2", "99.90"), 2);
        // Unknown place: a print at our price does not reach us yet.
        v.on_trade(&trade("99.90", "100", AggressorSide::Seller, 3), &mut out);
        assert!(out.is_empty());
        v.on_quote(&quote("99.90", "100.00", "8", "5", 4), &mut out);
        v.on_trade(&trade("99.90", "9", AggressorSide::Seller, 5), &mut out);
        assert_eq!(fills(&out)[0].1, "1");
    }

    #[test]
    fn l1_quote_moving_through_a_resting_limit_fills_it_as_maker() {
        let mut v = venue(BookMode::L1);
        let mut out = Vec::new();
        v.on_quote(&quote("100.00", "100.10", "5", "5", 1), &mut out);
        submit(&mut v, &limit("a", OrderSide::Sell, "4", "100.05"), 2);
        v.on_quote(&quote("100.20", "100.30", "3", "5", 3), &mut out);
        assert_eq!(fills(&out), [("a".into(), "3".into(), "100.05".into(), LiquiditySide::Maker)]);
    }

    #[test]
    fn l2_quotes_trigger_stops_but_fill_resting_limits_only_through_the_book() {
        let mut v = venue(BookMode::L2);
        let mut out = Vec::new();
        v.on_book_snapshot(
            &snapshot(&[("100.00", "5")], &[("100.10", "5"), ("100.30", "9")], 1),
            &mut out,
        );
        submit(&mut v, &limit("a", OrderSide::Sell, "4", "100.05"), 2);
        submit(&mut v, &stop_market("b", OrderSide::Buy, "7", "100.20"), 3);
        v.on_quote(&quote("100.20", "100.30", "3", "5", 4), &mut out);
        // The stop fired on the quote's ask and walked the L2 book; the sell limit waits for
        // the book (or a trade) to show the bids that crossed it.
        assert_eq!(kinds(&out), ["OrderTriggered", "OrderFilled", "OrderFilled"]);
        assert_eq!(fills(&out)[0].0, "b");
        assert_eq!(fills(&out)[1].2, "100.30");
        out.clear();
        v.on_book_deltas(&deltas(&[(BookAction::Add, OrderSide::Buy, "100.20", "3")], 5), &mut out);
        assert_eq!(fills(&out), [("a".into(), "3".into(), "100.05".into(), LiquiditySide::Maker)]);
    }

    #[test]
    fn l2_book_moving_through_a_resting_limit_fills_it() {
        let mut v = venue(BookMode::L2);
        let mut out = Vec::new();
        v.on_book_snapshot(&snapshot(&[("100.00", "5")], &[("100.10", "5")], 1), &mut out);
        submit(&mut v, &limit("a", OrderSide::Buy, "6", "100.05"), 2);
        submit(&mut v, &limit("b", OrderSide::Buy, "6", "100.04"), 3);
        v.on_book_deltas(
            &deltas(
                &[
                    (BookAction::Add, OrderSide::Sell, "100.03", "2"),
                    (BookAction::Add, OrderSide::Sell, "100.05", "5"),
                ],
                4,
            ),
            &mut out,
        );
        // The better-priced order takes both crossing levels, at its own price; none is left for b.
        assert_eq!(fills(&out), [("a".into(), "6".into(), "100.05".into(), LiquiditySide::Maker)]);
        out.clear();
        v.on_book_deltas(
            &deltas(&[(BookAction::Update, OrderSide::Sell, "100.03", "1")], 5),
            &mut out,
        );
        assert_eq!(fills(&out), [("b".into(), "1".into(), "100.04".into(), LiquiditySide::Maker)]);
        out.clear();
        v.on_book_deltas(&deltas(&[(BookAction::Clear, OrderSide::Sell, "0", "0")], 6), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn stop_market_triggers_then_takes() {
        let mut v = venue(BookMode::L1);
        let mut out = Vec::new();
        v.on_quote(&quote("100.00", "100.10", "5", "5", 1), &mut out);
        let o = submit(&mut v, &stop_market("a", OrderSide::Buy, "3", "101.00"), 2);
        assert_eq!(kinds(&o), ["OrderAccepted"]);
        v.on_quote(&quote("100.50", "100.90", "5", "5", 3), &mut out);
        assert!(out.is_empty());
        v.on_quote(&quote("100.90", "101.00", "5", "2", 4), &mut out);
        assert_eq!(kinds(&out), ["OrderTriggered", "OrderFilled", "OrderCanceled"]);
        assert_eq!(fills(&out)[0], ("a".into(), "2".into(), "101.00".into(), LiquiditySide::Taker));
    }

    #[test]
    fn sell_stop_limit_triggers_on_a_trade_and_rests() {
        let mut v = venue(BookMode::L1);
        let mut out = Vec::new();
        v.on_quote(&quote("100.00", "100.10", "5", "5", 1), &mut out);
        submit(&mut v, &stop_limit("a", OrderSide::Sell, "8", "99.50", "99.00"), 2);
        v.on_quote(&quote("99.60", "99.70", "3", "5", 3), &mut out);
        assert!(out.is_empty());
        v.on_trade(&trade("99.50", "1", AggressorSide::Seller, 4), &mut out);
        assert_eq!(kinds(&out), ["OrderTriggered", "OrderFilled"]);
        assert_eq!(fills(&out)[0], ("a".into(), "3".into(), "99.60".into(), LiquiditySide::Taker));
        assert_eq!(v.open_order_count(0), 1, "the remainder rests at 99.00");
    }

    #[test]
    fn stop_already_through_triggers_on_arrival() {
        let mut v = venue(BookMode::L2);
        let mut out = Vec::new();
        v.on_book_snapshot(&snapshot(&[("100.00", "5")], &[("100.10", "5")], 1), &mut out);
        let mut stop = stop_market("a", OrderSide::Sell, "2", "100.50");
        stop.time_in_force = TimeInForce::Ioc;
        let o = submit(&mut v, &stop, 2);
        assert_eq!(kinds(&o), ["OrderAccepted", "OrderTriggered", "OrderFilled"]);
    }

    /// An L1 venue (bid 100.00 x5, ask 100.10 x7) where the account is long `qty`.
    fn long(qty: &str) -> SimulatedVenue {
        let mut v = venue(BookMode::L1);
        let mut out = Vec::new();
        v.on_quote(&quote("100.00", "100.10", "5", "7", 1), &mut out);
        submit(&mut v, &market("long", OrderSide::Buy, qty), 2);
        v
    }

    fn reduce_only(mut cmd: SubmitOrder) -> SubmitOrder {
        cmd.reduce_only = true;
        cmd
    }

    #[test]
    fn a_resting_reduce_only_order_fills_down_to_flat_then_expires() {
        let mut v = long("3");
        let o = submit(&mut v, &reduce_only(limit("ro", OrderSide::Sell, "3", "100.50")), 3);
        assert_eq!(kinds(&o), ["OrderAccepted"], "3 against a long 3");
        // Another sell reduces the position after the reduce-only order was placed.
        submit(&mut v, &market("m", OrderSide::Sell, "2"), 4);
        assert_eq!(v.position_raw(0), 1_000_000_000);
        let mut out = Vec::new();
        v.on_quote(&quote("100.60", "100.70", "5", "5", 5), &mut out);
        assert_eq!(kinds(&out), ["OrderFilled", "OrderExpired"]);
        assert_eq!(
            fills(&out)[0],
            ("ro".into(), "1".into(), "100.50".into(), LiquiditySide::Maker)
        );
        assert_eq!(
            expiry(&out),
            Some("REDUCE_ONLY_WOULD_INCREASE: SELL 2 against a net position of 0".into())
        );
        assert_eq!(v.position_raw(0), 0, "flat, never short");
        assert_eq!(v.open_order_count(0), 0);
    }

    #[test]
    fn a_trade_never_fills_a_reduce_only_order_past_flat() {
        let mut v = long("2");
        submit(&mut v, &reduce_only(limit("a", OrderSide::Sell, "2", "100.50")), 3);
        submit(&mut v, &reduce_only(limit("b", OrderSide::Sell, "2", "100.60")), 4);
        let mut out = Vec::new();
        v.on_trade(&trade("100.70", "10", AggressorSide::Buyer, 5), &mut out);
        // Both were placed against the long 2; the first fill leaves nothing for the second.
        assert_eq!(kinds(&out), ["OrderFilled", "OrderExpired"]);
        assert_eq!(fills(&out)[0].0, "a");
        let Event::OrderExpired(x) = &out[1] else { panic!() };
        assert_eq!(x.client_order_id.as_str(), "b");
        assert_eq!(v.position_raw(0), 0);
    }

    #[test]
    fn a_reduce_only_market_order_takes_only_what_reduces() {
        let mut v = long("3");
        let out = submit(&mut v, &reduce_only(market("ro", OrderSide::Sell, "3")), 3);
        assert_eq!(kinds(&out), ["OrderAccepted", "OrderFilled"]);
        assert_eq!(v.position_raw(0), 0);
        // A stop placed while long triggers after the position is gone: it expires on trigger.
        let mut v = long("3");
        submit(&mut v, &reduce_only(stop_market("stop", OrderSide::Sell, "3", "99.00")), 3);
        submit(&mut v, &market("m", OrderSide::Sell, "3"), 4);
        let mut out = Vec::new();
        v.on_quote(&quote("98.90", "99.00", "5", "5", 5), &mut out);
        assert_eq!(kinds(&out), ["OrderTriggered", "OrderExpired"]);
        assert!(expiry(&out).unwrap().starts_with("REDUCE_ONLY_WOULD_INCREASE: SELL 3"));
        assert_eq!(v.position_raw(0), 0);
    }

    #[test]
    fn a_post_only_stop_limit_expires_when_it_triggers_into_a_crossing_limit() {
        let mut v = venue(BookMode::L1);
        let mut out = Vec::new();
        v.on_quote(&quote("100.00", "100.10", "5", "5", 1), &mut out);
        let mut crossing = stop_limit("x", OrderSide::Buy, "1", "100.20", "100.30");
        crossing.post_only = true;
        let mut passive = stop_limit("p", OrderSide::Buy, "1", "100.20", "100.15");
        passive.post_only = true;
        assert_eq!(kinds(&submit(&mut v, &crossing, 2)), ["OrderAccepted"]);
        assert_eq!(kinds(&submit(&mut v, &passive, 3)), ["OrderAccepted"]);
        v.on_quote(&quote("100.10", "100.20", "5", "5", 4), &mut out);
        assert_eq!(kinds(&out), ["OrderTriggered", "OrderExpired", "OrderTriggered"]);
        assert_eq!(
            expiry(&out),
            Some("POST_ONLY_WOULD_CROSS: BUY at 100.30 would take liquidity".into())
        );
        assert!(fills(&out).is_empty(), "it never takes");
        assert_eq!(v.open_orders(0), [crate::types::ClientOrderId::from_static("p")]);
    }

    #[test]
    fn quote_fast_path_does_not_allocate_or_emit() {
        let mut v = venue(BookMode::L1);
        let idx = v.instrument_index(iid()).unwrap();
        let mut out = Vec::new();
        v.on_quote_raw(idx, 100, 101, 1, 1, t(1), &mut out);
        let caps = (v.states[idx].depth.bids.capacity(), v.states[idx].depth.asks.capacity());
        for i in 0..1_000 {
            v.on_quote_raw(idx, 100 + i, 101 + i, 1 + i as u64, 1, t(2), &mut out);
        }
        assert_eq!(
            caps,
            (v.states[idx].depth.bids.capacity(), v.states[idx].depth.asks.capacity())
        );
        assert!(out.is_empty());
        assert_eq!(v.states[idx].depth.best(OrderSide::Buy), Some(1_099));
        v.on_quote_raw(99, 1, 2, 1, 1, t(3), &mut out);
        v.on_trade_raw(99, 1, 1, AggressorSide::Buyer, t(3), &mut out);
        assert!(out.is_empty());
    }
}
