//! Commands arriving at the venue: submit, cancel, modify.

use super::checks::reason;
use super::exec::{execute, stop_hit};
use super::order::{Ctx, VenueOrder};
use super::{queue, AccountView, InstrumentState, Known, SimulatedVenue};
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
        self.known.insert(cmd.client_order_id, Known::Open(idx));
        let account_id = self.config.account_id;
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
        order.accepted(&ctx, out);
        if order.is_pending_stop() && stop_hit(&order, depth, None) {
            // A stop whose trigger the market already passed fires on arrival.
            order.trigger(now, out);
        }
        if !order.is_pending_stop() && execute(&mut order, depth, &ctx, out) {
            order.queue_ahead = queue::PENDING;
        }
        orders.push(order);
        self.finish(idx);
    }

    /// A cancel arrives at `now`: `OrderCanceled`, or `OrderCancelRejected`.
    pub fn on_cancel(&mut self, cmd: &CancelOrder, now: UnixNanos, out: &mut Vec<Event>) {
        self.on_time(now, out);
        let found = if self.outages.is_down(now) {
            Err(reason(
                "VENUE_DOWN",
                format_args!("{} is down at {now}", self.config.venue),
            ))
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
                reason(
                    "VENUE_DOWN",
                    format_args!("{} is down at {now}", self.config.venue),
                ),
                None,
            ))
        } else {
            self.find_open(cmd.client_order_id)
                .map_err(|r| (r, None))
                .and_then(|(idx, pos)| {
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
        if o.is_pending_stop() && stop_hit(o, depth, None) {
            o.trigger(now, out);
            if execute(o, depth, &ctx, out) {
                o.queue_ahead = queue::PENDING;
            }
        } else if !o.is_pending_stop() {
            let crosses = o
                .limit_raw()
                .is_some_and(|l| super::checks::would_cross(depth, o.side, l));
            if crosses && execute(o, depth, &ctx, out) {
                o.queue_ahead = queue::PENDING;
            }
        }
        self.finish(idx);
    }
}
