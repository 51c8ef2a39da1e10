//! The venue's own record of an order it accepted, and the events it emits about one.

use crate::events::{
    Event, OrderAccepted, OrderCanceled, OrderExpired, OrderFilled, OrderTriggered, OrderUpdated,
    SubmitOrder,
};
use crate::types::{
    AccountId, ClientOrderId, Instrument, InstrumentId, LiquiditySide, Money, OrderSide, OrderType,
    Price, Quantity, StrategyId, TimeInForce, TradeId, UnixNanos, VenueOrderId, FIXED_PRECISION,
};
use std::cell::Cell;

/// What every event of one call shares: the account, the time and the instrument; and the
/// venue's net position in that instrument, which every fill moves.
pub(crate) struct Ctx<'a> {
    pub account_id: AccountId,
    pub now: UnixNanos,
    pub instrument: &'a Instrument,
    pub position: &'a Cell<i128>,
}

/// A raw price shown at the instrument's precision (full precision if it is off that grid).
pub(crate) fn price_of(raw: i64, precision: u8) -> Price {
    Price::from_raw(raw, precision)
        .or_else(|_| Price::from_raw(raw, FIXED_PRECISION))
        .unwrap_or_default()
}

/// A raw quantity shown at the instrument's precision (full precision if it is off that grid).
pub(crate) fn quantity_of(raw: u64, precision: u8) -> Quantity {
    Quantity::from_raw(raw, precision)
        .or_else(|_| Quantity::from_raw(raw, FIXED_PRECISION))
        .unwrap_or_default()
}

/// The text of a venue id, `SIM-<n>` or `SIM-<n>-<fill>`, built on the stack: ids are made
/// for every order and fill, and this spares a `String` and the formatting machinery.
pub(crate) struct SimId {
    buf: [u8; 44],
    len: usize,
}

impl SimId {
    pub fn new(n: u64, fill: Option<u32>) -> Self {
        let mut id = Self { buf: [0; 44], len: 0 };
        id.push_bytes(b"SIM-");
        id.push_number(n);
        if let Some(fill) = fill {
            id.push_bytes(b"-");
            id.push_number(u64::from(fill));
        }
        id
    }

    fn push_bytes(&mut self, bytes: &[u8]) {
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    fn push_number(&mut self, mut value: u64) {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        let (_, used) = digits.split_at(start);
        self.push_bytes(used);
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII was written, so this never falls back.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("SIM")
    }
}

/// An accepted order as the venue sees it.
// Field names and flags mirror `SubmitOrder` and the order events on purpose.
#[allow(clippy::struct_field_names, clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct VenueOrder {
    /// The venue's sequence number: `SIM-<n>`.
    pub n: u64,
    pub venue_order_id: VenueOrderId,
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub side: OrderSide,
    pub order_type: OrderType,
    pub quantity: Quantity,
    pub filled_raw: u64,
    pub price: Option<Price>,
    pub trigger_price: Option<Price>,
    pub time_in_force: TimeInForce,
    pub expire_at: Option<UnixNanos>,
    pub post_only: bool,
    pub reduce_only: bool,
    pub triggered: bool,
    /// Volume ahead of the order at its price (see `queue`).
    pub queue_ahead: u64,
    /// Time priority among the venue's orders; lower is earlier.
    pub priority: u64,
    pub fills: u32,
    /// Filled, canceled or expired: to be removed.
    pub closed: bool,
}

impl VenueOrder {
    /// The venue's record of a submit it accepted as order number `n`.
    pub fn from_submit(cmd: &SubmitOrder, n: u64, expire_at: Option<UnixNanos>) -> Self {
        Self {
            n,
            venue_order_id: VenueOrderId::from_static(SimId::new(n, None).as_str()),
            strategy_id: cmd.strategy_id,
            instrument_id: cmd.instrument_id,
            client_order_id: cmd.client_order_id,
            side: cmd.side,
            order_type: cmd.order_type,
            quantity: cmd.quantity,
            filled_raw: 0,
            price: cmd.price,
            trigger_price: cmd.trigger_price,
            time_in_force: cmd.time_in_force,
            expire_at,
            post_only: cmd.post_only,
            reduce_only: cmd.reduce_only,
            triggered: false,
            queue_ahead: 0,
            priority: n,
            fills: 0,
            closed: false,
        }
    }

    /// Quantity still to fill, raw.
    #[inline]
    pub fn leaves_raw(&self) -> u64 {
        self.quantity.raw().saturating_sub(self.filled_raw)
    }

    /// A stop waiting for its trigger.
    #[inline]
    pub fn is_pending_stop(&self) -> bool {
        self.order_type.has_trigger() && !self.triggered
    }

    /// The limit a taking execution respects: `None` for (stop-)market orders.
    pub fn limit_raw(&self) -> Option<i64> {
        if self.order_type.has_price() {
            self.price.map(Price::raw)
        } else {
            None
        }
    }

    /// What the order may still fill: its leaves, and for a reduce-only order no more than the
    /// net `position` it reduces (nothing when flat or on its own side).
    #[inline]
    pub fn room(&self, position: i128) -> u64 {
        let leaves = self.leaves_raw();
        if !self.reduce_only {
            return leaves;
        }
        let reducible = match self.side {
            OrderSide::Buy => -position,
            OrderSide::Sell => position,
        };
        u64::try_from(reducible.max(0)).map_or(leaves, |r| r.min(leaves))
    }

    /// A limit order (or a triggered stop-limit) working in the book.
    #[inline]
    pub fn is_resting_limit(&self) -> bool {
        !self.closed && !self.is_pending_stop() && self.order_type.has_price()
    }

    /// Records a fill of `qty_raw` at `px_raw` and emits `OrderFilled`.
    pub fn fill(
        &mut self,
        ctx: &Ctx<'_>,
        px_raw: i64,
        qty_raw: u64,
        maker: bool,
        out: &mut Vec<Event>,
    ) {
        if qty_raw == 0 {
            return;
        }
        self.filled_raw += qty_raw;
        self.fills += 1;
        let signed = i128::from(qty_raw);
        ctx.position.set(match self.side {
            OrderSide::Buy => ctx.position.get() + signed,
            OrderSide::Sell => ctx.position.get() - signed,
        });
        let last_px = price_of(px_raw, ctx.instrument.price_precision);
        let last_qty = quantity_of(qty_raw, ctx.instrument.size_precision);
        // An overflowing commission would need a notional beyond 10^29; zero is shown instead.
        let commission = ctx
            .instrument
            .fee(last_px, last_qty, maker)
            .unwrap_or(Money::zero(ctx.instrument.quote_currency));
        out.push(Event::OrderFilled(OrderFilled {
            strategy_id: self.strategy_id,
            instrument_id: self.instrument_id,
            client_order_id: self.client_order_id,
            venue_order_id: self.venue_order_id,
            account_id: ctx.account_id,
            trade_id: TradeId::from_static(SimId::new(self.n, Some(self.fills)).as_str()),
            side: self.side,
            order_type: self.order_type,
            last_qty,
            last_px,
            commission,
            liquidity_side: if maker { LiquiditySide::Maker } else { LiquiditySide::Taker },
            ts_event: ctx.now,
            ts_init: ctx.now,
        }));
        if self.leaves_raw() == 0 {
            self.closed = true;
        }
    }

    /// Emits `OrderAccepted`.
    pub fn accepted(&self, ctx: &Ctx<'_>, out: &mut Vec<Event>) {
        out.push(Event::OrderAccepted(OrderAccepted {
            strategy_id: self.strategy_id,
            instrument_id: self.instrument_id,
            client_order_id: self.client_order_id,
            venue_order_id: self.venue_order_id,
            account_id: ctx.account_id,
            ts_event: ctx.now,
            ts_init: ctx.now,
        }));
    }

    /// Closes the order and emits `OrderCanceled`.
    pub fn cancel(&mut self, now: UnixNanos, out: &mut Vec<Event>) {
        self.closed = true;
        out.push(Event::OrderCanceled(OrderCanceled {
            strategy_id: self.strategy_id,
            instrument_id: self.instrument_id,
            client_order_id: self.client_order_id,
            venue_order_id: Some(self.venue_order_id),
            ts_event: now,
            ts_init: now,
        }));
    }

    /// Closes the order and emits `OrderExpired`: `reason` is `None` for a GTD or DAY expiry,
    /// `CODE: detail` when the venue ended it for a rule.
    pub fn expire(&mut self, now: UnixNanos, reason: Option<String>, out: &mut Vec<Event>) {
        self.closed = true;
        out.push(Event::OrderExpired(OrderExpired {
            strategy_id: self.strategy_id,
            instrument_id: self.instrument_id,
            client_order_id: self.client_order_id,
            venue_order_id: Some(self.venue_order_id),
            ts_event: now,
            ts_init: now,
            reason,
        }));
    }

    /// Marks the stop triggered and emits `OrderTriggered`.
    pub fn trigger(&mut self, now: UnixNanos, out: &mut Vec<Event>) {
        self.triggered = true;
        out.push(Event::OrderTriggered(OrderTriggered {
            strategy_id: self.strategy_id,
            instrument_id: self.instrument_id,
            client_order_id: self.client_order_id,
            venue_order_id: Some(self.venue_order_id),
            ts_event: now,
            ts_init: now,
        }));
    }

    /// Emits `OrderUpdated` with the order's current quantity and prices.
    pub fn updated(&self, now: UnixNanos, out: &mut Vec<Event>) {
        out.push(Event::OrderUpdated(OrderUpdated {
            strategy_id: self.strategy_id,
            instrument_id: self.instrument_id,
            client_order_id: self.client_order_id,
            venue_order_id: Some(self.venue_order_id),
            quantity: self.quantity,
            price: self.price,
            trigger_price: self.trigger_price,
            ts_event: now,
            ts_init: now,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::SimId;

    #[test]
    fn sim_ids_read_like_their_format() {
        for n in [0, 1, 9, 10, 12_345, u64::MAX] {
            assert_eq!(SimId::new(n, None).as_str(), format!("SIM-{n}"));
            for fill in [1, 10, u32::MAX] {
                assert_eq!(SimId::new(n, Some(fill)).as_str(), format!("SIM-{n}-{fill}"));
            }
        }
    }
}
