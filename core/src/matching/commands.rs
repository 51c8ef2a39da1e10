//! Commands arriving at the venue: submit, cancel, modify.

use super::checks::reason;
use super::exec::{activate, execute, stop_hit, top};
use super::order::{Ctx, VenueOrder};
use super::{queue, AccountView, InstrumentState, SimulatedVenue};
use crate::events::{
    CancelOrder, Event, ModifyOrder, OrderCancelRejected, OrderModifyRejected, OrderRejected,
    SubmitOrder,
};
use crate::types::{TimeInForce, UnixNanos, VenueOrderId};

const DAY_NS: u64 = 86_400_000_000_000;

/// The first UTC midnight strictly after `now`.
pub(crate) fn next_midnight(now: UnixNanos) -> UnixNanos {
    UnixNanos((now.0 / DAY_NS).saturating_add(1).saturating_mul(DAY_NS))
}

impl SimulatedVenue {
    fn take_priority(&mut self) -> u64 {
        let p = self.next_priority;
        self.next_priority += 1;
        p
    }

    /// A new order arrives at `now`: `OrderRejected`, or `OrderAccepted` followed by what
    /// happens at once (`OrderTriggered`, fills, the cancel of an IOC/FOK/market remainder).
    pub fn on_submit(
        &mut self,
        cmd: &SubmitOrder,
        now: UnixNanos,
        account: &dyn AccountView,
        out: &mut Vec<Event>,
    ) {
        self.on_time(now, out);
        let idx = match self.check_submit(cmd, now, account) {
            Ok(idx) => idx,
            Err(reason) => {
                out.push(Event::OrderRejected(OrderRejected {
                    strategy_id: cmd.strategy_id,
                    instrument_id: cmd.instrument_id,
                    client_order_id: cmd.client_order_id,
                    account_id: self.config.account_id,
                    reason,
                    ts_event: now,
                    ts_init: now,
                }));
                return;
            }
        };
        let n = self.next_n;
        self.next_n += 1;
        let expire_at = match cmd.time_in_force {
            TimeInForce::Gtd => cmd.expire_time,
            TimeInForce::Day => Some(next_midnight(now)),
            _ => None,
        };
        let mut order = VenueOrder::from_submit(cmd, n, expire_at);
        order.priority = self.take_priority();
        self.working.insert(cmd.client_order_id, idx);
        let account_id = self.config.account_id;
        let InstrumentState { instrument, depth, orders, position } = &mut self.states[idx];
        let ctx = Ctx { account_id, now, instrument, position };
        order.accepted(&ctx, out);
        if order.is_pending_stop() {
            if stop_hit(&order, top(depth).0, top(depth).1) {
                // A stop whose trigger the market already passed fires on arrival.
                activate(&mut order, depth, &ctx, out);
            }
        } else if execute(&mut order, depth, &ctx, out) {
            order.queue_ahead = queue::PENDING;
        }
        orders.push(order);
        self.finish(idx);
    }

    /// A cancel arrives at `now`: `OrderCanceled`, or `OrderCancelRejected`.
    pub fn on_cancel(&mut self, cmd: &CancelOrder, now: UnixNanos, out: &mut Vec<Event>) {
        self.on_time(now, out);
        let found = if self.outages.is_down(now) {
            Err(reason("VENUE_DOWN", format_args!("{} is down at {now}", self.config.venue)))
        } else {
            self.find_open(cmd.client_order_id)
        };
        match found {
            Ok((idx, pos)) => {
                self.states[idx].orders[pos].cancel(now, out);
                self.finish(idx);
            }
            Err(reason) => out.push(Event::OrderCancelRejected(OrderCancelRejected {
                strategy_id: cmd.strategy_id,
                instrument_id: cmd.instrument_id,
                client_order_id: cmd.client_order_id,
                venue_order_id: self.open_venue_order_id(cmd),
                reason,
                ts_event: now,
                ts_init: now,
            })),
        }
    }

    fn open_venue_order_id(&self, cmd: &CancelOrder) -> Option<VenueOrderId> {
        self.find_open(cmd.client_order_id)
            .ok()
            .map(|(idx, pos)| self.states[idx].orders[pos].venue_order_id)
    }

    /// A modify arrives at `now`: `OrderUpdated` (then any fills a now-marketable limit or a
    /// now-reached trigger brings), or `OrderModifyRejected`. A price change, a trigger change
    /// or a quantity increase loses time priority; a decrease keeps it.
    pub fn on_modify(
        &mut self,
        cmd: &ModifyOrder,
        now: UnixNanos,
        account: &dyn AccountView,
        out: &mut Vec<Event>,
    ) {
        self.on_time(now, out);
        let checked = if self.outages.is_down(now) {
            Err((
                reason("VENUE_DOWN", format_args!("{} is down at {now}", self.config.venue)),
                None,
            ))
        } else {
            self.find_open(cmd.client_order_id).map_err(|r| (r, None)).and_then(|(idx, pos)| {
                let o = &self.states[idx].orders[pos];
                self.check_modify(idx, o, cmd, account)
                    .map(|new| (idx, pos, new))
                    .map_err(|r| (r, Some(o.venue_order_id)))
            })
        };
        let (idx, pos, (qty, price, trigger)) = match checked {
            Ok(ok) => ok,
            Err((reason, venue_order_id)) => {
                out.push(Event::OrderModifyRejected(OrderModifyRejected {
                    strategy_id: cmd.strategy_id,
                    instrument_id: cmd.instrument_id,
                    client_order_id: cmd.client_order_id,
                    venue_order_id,
                    reason,
                    ts_event: now,
                    ts_init: now,
                }));
                return;
            }
        };
        let priority = self.take_priority();
        let account_id = self.config.account_id;
        let InstrumentState { instrument, depth, orders, position } = &mut self.states[idx];
        let ctx = Ctx { account_id, now, instrument, position };
        let o = &mut orders[pos];
        let requeue = price != o.price || trigger != o.trigger_price || qty > o.quantity;
        o.quantity = qty;
        o.price = price;
        o.trigger_price = trigger;
        o.updated(now, out);
        if requeue {
            o.priority = priority;
            if !o.is_pending_stop() {
                o.queue_ahead = queue::PENDING;
            }
        }
        if o.is_pending_stop() && stop_hit(o, top(depth).0, top(depth).1) {
            activate(o, depth, &ctx, out);
        } else if !o.is_pending_stop() {
            let crosses =
                o.limit_raw().is_some_and(|l| super::checks::would_cross(depth, o.side, l));
            if crosses && execute(o, depth, &ctx, out) {
                o.queue_ahead = queue::PENDING;
            }
        }
        self.finish(idx);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::BookMode;
    use super::*;
    use crate::types::{AccountType, ClientOrderId, LiquiditySide, OrderSide, TimeInForce};

    const DAY: u64 = 86_400_000_000_000;

    fn l1_book(v: &mut SimulatedVenue) {
        let mut out = Vec::new();
        v.on_quote(&quote("100.00", "100.10", "5", "7", 1), &mut out);
        assert!(out.is_empty());
    }

    fn l2_book(v: &mut SimulatedVenue) {
        let mut out = Vec::new();
        v.on_book_snapshot(
            &snapshot(
                &[("100.00", "5"), ("99.90", "10")],
                &[("100.10", "3"), ("100.20", "4"), ("100.30", "5")],
                1,
            ),
            &mut out,
        );
        assert!(out.is_empty());
    }

    fn submit(v: &mut SimulatedVenue, cmd: &SubmitOrder, now: u64) -> Vec<Event> {
        let mut out = Vec::new();
        v.on_submit(cmd, t(now), &TestAccount::rich(), &mut out);
        out
    }

    fn rejected(v: &mut SimulatedVenue, cmd: &SubmitOrder, account: &TestAccount) -> String {
        let mut out = Vec::new();
        v.on_submit(cmd, t(10), account, &mut out);
        assert_eq!(kinds(&out), ["OrderRejected"], "{out:?}");
        rejection(&out).unwrap()
    }

    #[test]
    fn every_rejection_names_its_code() {
        let mut v = venue(BookMode::L1);
        l1_book(&mut v);
        let rich = TestAccount::rich();
        let r = |v: &mut SimulatedVenue, c: SubmitOrder| rejected(v, &c, &TestAccount::rich());
        let off_tick = r(&mut v, limit("a", OrderSide::Buy, "1", "100.015"));
        assert_eq!(off_tick, "OFF_TICK: price 100.015 is not a multiple of tick 0.01");
        assert!(r(&mut v, stop_market("b", OrderSide::Buy, "1", "101.001"))
            .starts_with("OFF_TICK: trigger price"));
        let mut off_lot = limit("c", OrderSide::Buy, "1", "100");
        off_lot.quantity = "1.5".parse().unwrap();
        assert!(r(&mut v, off_lot).starts_with("OFF_LOT: quantity 1.5 is not a multiple of lot 1"));
        assert!(r(&mut v, limit("d", OrderSide::Buy, "0", "100")).starts_with("INVALID_QUANTITY"));
        assert!(
            r(&mut v, limit("e", OrderSide::Buy, "2000000", "1")).starts_with("ABOVE_MAX_QUANTITY")
        );
        assert!(
            r(&mut v, limit("f", OrderSide::Buy, "1", "4.99")).starts_with("BELOW_MIN_NOTIONAL")
        );
        let mut no_price = limit("g", OrderSide::Buy, "1", "100");
        no_price.price = None;
        assert!(r(&mut v, no_price).starts_with("MISSING_PRICE"));
        let mut no_trigger = stop_market("h", OrderSide::Buy, "1", "101");
        no_trigger.trigger_price = None;
        assert!(r(&mut v, no_trigger).starts_with("MISSING_TRIGGER_PRICE"));
        let mut gtd = limit("i", OrderSide::Buy, "1", "99");
        gtd.time_in_force = TimeInForce::Gtd;
        assert!(r(&mut v, gtd).starts_with("GTD_WITHOUT_EXPIRE_TIME"));
        gtd.expire_time = Some(t(10));
        assert!(r(&mut v, gtd).starts_with("GTD_ALREADY_EXPIRED"));
        let mut unknown = limit("j", OrderSide::Buy, "1", "99");
        unknown.instrument_id = crate::types::InstrumentId::from_static("ETHUSDT.SIM");
        assert!(r(&mut v, unknown).starts_with("UNKNOWN_INSTRUMENT"));
        let mut post = limit("k", OrderSide::Buy, "1", "100.10");
        post.post_only = true;
        assert!(r(&mut v, post).starts_with("POST_ONLY_WOULD_CROSS"));
        let mut reduce = limit("l", OrderSide::Sell, "1", "101");
        reduce.reduce_only = true;
        assert!(r(&mut v, reduce).starts_with("REDUCE_ONLY_WOULD_INCREASE"));

        // Duplicate client order ids, including of a closed order.
        assert_eq!(
            kinds(&submit(&mut v, &limit("m", OrderSide::Buy, "1", "99"), 10)),
            ["OrderAccepted"]
        );
        assert!(rejected(&mut v, &limit("m", OrderSide::Buy, "1", "99"), &rich)
            .starts_with("DUPLICATE_CLIENT_ORDER_ID"));
    }

    #[test]
    fn cash_and_margin_funds_are_checked() {
        let mut v = venue(BookMode::L1);
        l1_book(&mut v);
        let mut poor = TestAccount::rich();
        // 2 @ 100 = 200 USDT + 0.2 taker fee.
        poor.free.insert(usdt(), 200 * 1_000_000_000);
        let reason = rejected(&mut v, &limit("a", OrderSide::Buy, "2", "100"), &poor);
        assert!(reason.starts_with("INSUFFICIENT_BALANCE: need 200.20 USDT"), "{reason}");
        poor.free.insert(usdt(), 200_200_000_000);
        let mut out = Vec::new();
        v.on_submit(&limit("b", OrderSide::Buy, "2", "100"), t(10), &poor, &mut out);
        assert_eq!(kinds(&out), ["OrderAccepted"]);
        // A spot sell needs the base asset.
        poor.free.insert(btc(), 1_000_000_000);
        let reason = rejected(&mut v, &limit("c", OrderSide::Sell, "2", "101"), &poor);
        assert!(reason.starts_with("INSUFFICIENT_BALANCE: need 2.00 BTC"), "{reason}");
        // A market buy is measured on what walking the book would trade: 2 @ 100.10.
        poor.free.insert(usdt(), 200_000_000_000);
        let reason = rejected(&mut v, &market("d", OrderSide::Buy, "2"), &poor);
        assert!(reason.starts_with("INSUFFICIENT_BALANCE: need 200.4002 USDT"), "{reason}");

        let mut margin = TestAccount::rich();
        margin.kind = AccountType::Margin;
        margin.free.insert(usdt(), 100 * 1_000_000_000);
        let mut cfg = config(BookMode::L1);
        cfg.trade_fills = true;
        let mut i = instrument();
        i.margin_init = "0.1".parse().unwrap();
        let mut v = SimulatedVenue::new(cfg, vec![i]).unwrap();
        l1_book(&mut v);
        let mut out = Vec::new();
        v.on_submit(&limit("e", OrderSide::Buy, "10", "99"), t(10), &margin, &mut out);
        assert_eq!(kinds(&out), ["OrderAccepted"], "990 notional needs 99 margin");
        let reason = rejected(&mut v, &limit("f", OrderSide::Buy, "11", "99"), &margin);
        assert!(reason.starts_with("INSUFFICIENT_MARGIN"), "{reason}");
    }

    #[test]
    fn market_order_walks_the_l2_book_and_cancels_the_rest() {
        let mut v = venue(BookMode::L2);
        l2_book(&mut v);
        let out = submit(&mut v, &market("a", OrderSide::Buy, "15"), 5);
        assert_eq!(
            kinds(&out),
            ["OrderAccepted", "OrderFilled", "OrderFilled", "OrderFilled", "OrderCanceled"]
        );
        let f = fills(&out);
        assert_eq!(
            f.iter().map(|(_, q, p, _)| (q.as_str(), p.as_str())).collect::<Vec<_>>(),
            [("3", "100.10"), ("4", "100.20"), ("5", "100.30")]
        );
        assert!(f.iter().all(|x| x.3 == LiquiditySide::Taker));
        let Event::OrderFilled(first) = &out[1] else { panic!() };
        assert_eq!(first.trade_id.as_str(), "SIM-1-1");
        assert_eq!(first.venue_order_id.as_str(), "SIM-1");
        assert_eq!(first.commission.to_string(), "0.3003 USDT");
        assert_eq!(first.ts_event, t(5));
        // The taken liquidity is gone from the venue's view: the next buy finds nothing.
        let out = submit(&mut v, &market("b", OrderSide::Buy, "1"), 6);
        assert_eq!(kinds(&out), ["OrderAccepted", "OrderCanceled"]);
        // A sell walks the bids.
        let out = submit(&mut v, &market("c", OrderSide::Sell, "7"), 7);
        assert_eq!(fills(&out).len(), 2);
        assert_eq!(kinds(&out).last(), Some(&"OrderFilled"));
    }

    #[test]
    fn l1_market_order_fills_up_to_the_top_size() {
        let mut v = venue(BookMode::L1);
        l1_book(&mut v);
        let out = submit(&mut v, &market("a", OrderSide::Sell, "8"), 5);
        assert_eq!(fills(&out)[0].1, "5");
        assert_eq!(fills(&out)[0].2, "100.00");
        assert_eq!(kinds(&out).last(), Some(&"OrderCanceled"));
    }

    #[test]
    fn marketable_limit_takes_then_rests() {
        let mut v = venue(BookMode::L2);
        l2_book(&mut v);
        let out = submit(&mut v, &limit("a", OrderSide::Buy, "10", "100.20"), 5);
        assert_eq!(kinds(&out), ["OrderAccepted", "OrderFilled", "OrderFilled"]);
        assert_eq!(v.open_orders(0), [ClientOrderId::from_static("a")]);
        let mut ioc = limit("b", OrderSide::Sell, "20", "99.90");
        ioc.time_in_force = TimeInForce::Ioc;
        let out = submit(&mut v, &ioc, 6);
        assert_eq!(kinds(&out), ["OrderAccepted", "OrderFilled", "OrderFilled", "OrderCanceled"]);
        assert_eq!(v.open_order_count(0), 1);
    }

    #[test]
    fn fok_fills_whole_or_not_at_all() {
        let mut v = venue(BookMode::L2);
        l2_book(&mut v);
        let mut fok = limit("a", OrderSide::Buy, "8", "100.20");
        fok.time_in_force = TimeInForce::Fok;
        assert_eq!(kinds(&submit(&mut v, &fok, 5)), ["OrderAccepted", "OrderCanceled"]);
        let mut fok = limit("b", OrderSide::Buy, "7", "100.20");
        fok.time_in_force = TimeInForce::Fok;
        let out = submit(&mut v, &fok, 6);
        assert_eq!(kinds(&out), ["OrderAccepted", "OrderFilled", "OrderFilled"]);
        let mut fok_market = market("c", OrderSide::Buy, "6");
        fok_market.time_in_force = TimeInForce::Fok;
        assert_eq!(kinds(&submit(&mut v, &fok_market, 7)), ["OrderAccepted", "OrderCanceled"]);
    }

    #[test]
    fn post_only_that_does_not_cross_rests() {
        let mut v = venue(BookMode::L1);
        l1_book(&mut v);
        let mut post = limit("a", OrderSide::Buy, "1", "100.09");
        post.post_only = true;
        assert_eq!(kinds(&submit(&mut v, &post, 5)), ["OrderAccepted"]);
    }

    #[test]
    fn reduce_only_may_reduce_but_not_flip() {
        let mut v = venue(BookMode::L1);
        l1_book(&mut v);
        let long = TestAccount::rich();
        let mut sell = limit("a", OrderSide::Sell, "3", "101");
        sell.reduce_only = true;
        assert!(rejected(&mut v, &sell, &long).starts_with("REDUCE_ONLY_WOULD_INCREASE"), "flat");
        // The venue's own fills make the position it checks against.
        submit(&mut v, &market("long", OrderSide::Buy, "3"), 4);
        assert_eq!(v.position_raw(0), 3_000_000_000);
        sell.client_order_id = ClientOrderId::from_static("a2");
        let mut out = Vec::new();
        v.on_submit(&sell, t(5), &long, &mut out);
        assert_eq!(kinds(&out), ["OrderAccepted"]);
        let mut flip = limit("b", OrderSide::Sell, "4", "101");
        flip.reduce_only = true;
        assert_eq!(
            rejected(&mut v, &flip, &long),
            "REDUCE_ONLY_WOULD_INCREASE: SELL 4 against a net position of 3"
        );
        let mut buy = limit("c", OrderSide::Buy, "1", "99");
        buy.reduce_only = true;
        assert!(rejected(&mut v, &buy, &long).starts_with("REDUCE_ONLY_WOULD_INCREASE"));
    }

    #[test]
    fn outage_refuses_every_command() {
        let mut cfg = config(BookMode::L1);
        cfg.outages = vec![(t(100), t(200))];
        let mut v = venue_with(cfg);
        l1_book(&mut v);
        assert_eq!(
            kinds(&submit(&mut v, &limit("a", OrderSide::Buy, "1", "99"), 50)),
            ["OrderAccepted"]
        );
        let out = submit(&mut v, &limit("b", OrderSide::Buy, "1", "99"), 150);
        assert!(rejection(&out).unwrap().starts_with("VENUE_DOWN: SIM is down at 150"));
        let mut out = Vec::new();
        v.on_cancel(&cancel("a"), t(150), &mut out);
        assert_eq!(kinds(&out), ["OrderCancelRejected"]);
        assert!(rejection(&out).unwrap().starts_with("VENUE_DOWN"));
        let mut out = Vec::new();
        v.on_modify(&modify("a", Some("2"), None), t(199), &TestAccount::rich(), &mut out);
        assert_eq!(kinds(&out), ["OrderModifyRejected"]);
        assert!(v.is_down(t(199)));
        let mut out = Vec::new();
        v.on_cancel(&cancel("a"), t(200), &mut out);
        assert_eq!(kinds(&out), ["OrderCanceled"]);
    }

    #[test]
    fn cancel_of_unknown_or_closed_orders_is_rejected() {
        let mut v = venue(BookMode::L1);
        l1_book(&mut v);
        let mut out = Vec::new();
        v.on_cancel(&cancel("nope"), t(5), &mut out);
        assert!(rejection(&out).unwrap().starts_with("UNKNOWN_ORDER"));
        submit(&mut v, &limit("a", OrderSide::Buy, "1", "99"), 5);
        let mut out = Vec::new();
        v.on_cancel(&cancel("a"), t(6), &mut out);
        assert_eq!(kinds(&out), ["OrderCanceled"]);
        let Event::OrderCanceled(c) = &out[0] else { panic!() };
        assert_eq!(c.venue_order_id.map(|v| v.to_string()).as_deref(), Some("SIM-1"));
        let mut out = Vec::new();
        v.on_cancel(&cancel("a"), t(7), &mut out);
        assert!(rejection(&out).unwrap().starts_with("ORDER_CLOSED"));
    }

    #[test]
    fn gtd_and_day_orders_expire() {
        let mut v = venue(BookMode::L1);
        l1_book(&mut v);
        let mut gtd = limit("a", OrderSide::Buy, "1", "99");
        gtd.time_in_force = TimeInForce::Gtd;
        gtd.expire_time = Some(t(1_000));
        submit(&mut v, &gtd, 10);
        let mut day = limit("b", OrderSide::Buy, "1", "99");
        day.time_in_force = TimeInForce::Day;
        submit(&mut v, &day, 500);
        let mut out = Vec::new();
        v.on_time(t(999), &mut out);
        assert!(out.is_empty());
        v.on_time(t(1_000), &mut out);
        assert_eq!(kinds(&out), ["OrderExpired"]);
        out.clear();
        v.on_time(t(DAY - 1), &mut out);
        assert!(out.is_empty());
        v.on_time(t(DAY), &mut out);
        assert_eq!(kinds(&out), ["OrderExpired"]);
        assert_eq!(v.open_order_count(0), 0);
        assert_eq!(next_midnight(t(2 * DAY)), t(3 * DAY));
    }

    #[test]
    fn modify_requeues_fills_when_marketable_and_refuses_below_filled() {
        let mut v = venue(BookMode::L1);
        l1_book(&mut v);
        submit(&mut v, &limit("a", OrderSide::Buy, "4", "99"), 5);
        let rich = TestAccount::rich();
        let mut out = Vec::new();
        v.on_modify(&modify("a", Some("6"), Some("99.50")), t(6), &rich, &mut out);
        assert_eq!(kinds(&out), ["OrderUpdated"]);
        let Event::OrderUpdated(u) = &out[0] else { panic!() };
        assert_eq!(
            (u.quantity.to_string(), u.price.unwrap().to_string()),
            ("6".into(), "99.50".into())
        );
        // Moving the price through the ask takes the ask's 7.
        out.clear();
        v.on_modify(&modify("a", None, Some("100.10")), t(7), &rich, &mut out);
        assert_eq!(kinds(&out), ["OrderUpdated", "OrderFilled"]);
        assert_eq!(fills(&out)[0].1, "6");
        assert_eq!(v.open_order_count(0), 0);

        submit(&mut v, &limit("b", OrderSide::Sell, "5", "100.05"), 8);
        let mut out = Vec::new();
        v.on_quote(&quote("100.05", "100.20", "2", "1", 9), &mut out);
        assert_eq!(fills(&out), [("b".into(), "2".into(), "100.05".into(), LiquiditySide::Maker)]);
        out.clear();
        v.on_modify(&modify("b", Some("2"), None), t(10), &rich, &mut out);
        assert!(rejection(&out).unwrap().starts_with("QUANTITY_BELOW_FILLED"));
        out.clear();
        v.on_modify(&modify("b", None, Some("100.055")), t(10), &rich, &mut out);
        assert!(rejection(&out).unwrap().starts_with("OFF_TICK"));
        out.clear();
        v.on_modify(&modify("zzz", None, Some("100")), t(10), &rich, &mut out);
        assert!(rejection(&out).unwrap().starts_with("UNKNOWN_ORDER"));
        out.clear();
        v.on_modify(&modify("b", Some("3"), None), t(11), &rich, &mut out);
        assert_eq!(kinds(&out), ["OrderUpdated"]);
    }

    #[test]
    fn post_only_modify_that_would_cross_is_rejected() {
        let mut v = venue(BookMode::L1);
        l1_book(&mut v);
        let mut post = limit("a", OrderSide::Sell, "1", "100.50");
        post.post_only = true;
        submit(&mut v, &post, 5);
        let mut out = Vec::new();
        v.on_modify(&modify("a", None, Some("100.00")), t(6), &TestAccount::rich(), &mut out);
        assert!(rejection(&out).unwrap().starts_with("POST_ONLY_WOULD_CROSS"));
    }
}
