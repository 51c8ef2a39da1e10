//! The order state machine and the `Order` aggregate. An order is built from its
//! `OrderInitialized` event and changes only through `Order::apply`; every transition is checked
//! against one table (`next_status`), and anything the table does not list is an error value
//! that leaves the order exactly as it was.

use crate::events::{Event, OrderFilled, OrderInitialized, OrderUpdated};
use crate::types::{
    AccountId, ClientOrderId, InstrumentId, OrderSide, OrderStatus, OrderType, Price, Quantity,
    StrategyId, TimeInForce, TradeId, UnixNanos, VenueOrderId,
};

/// Why an event could not be applied to an order. Every variant names the order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// The event is not one that changes an order (market data, a command, an account event).
    #[error("order {client_order_id}: {event} is not an order event")]
    NotAnOrderEvent { client_order_id: ClientOrderId, event: &'static str },
    /// The event names a different order.
    #[error("order {client_order_id}: {event} is for order {other}")]
    WrongOrder { client_order_id: ClientOrderId, other: ClientOrderId, event: &'static str },
    /// The event names this order but another instrument or strategy.
    #[error("order {client_order_id}: {event} has {field} {actual}, the order has {expected}")]
    HeaderMismatch {
        client_order_id: ClientOrderId,
        event: &'static str,
        field: &'static str,
        expected: String,
        actual: String,
    },
    /// The table has no edge for this event in this status.
    #[error("order {client_order_id}: {event} is not allowed in status {from}")]
    InvalidTransition { client_order_id: ClientOrderId, from: OrderStatus, event: &'static str },
    /// Only stop orders can be triggered.
    #[error("order {client_order_id}: OrderTriggered on a {order_type} order (only stop orders trigger)")]
    NotAStopOrder { client_order_id: ClientOrderId, order_type: OrderType },
    /// A fill larger than what is left to fill.
    #[error(
        "order {client_order_id}: fill {trade_id} of {last_qty} overfills (quantity {quantity}, already filled {filled_qty})"
    )]
    Overfill {
        client_order_id: ClientOrderId,
        trade_id: TradeId,
        last_qty: Quantity,
        quantity: Quantity,
        filled_qty: Quantity,
    },
    /// A fill on the other side of the book from the order.
    #[error(
        "order {client_order_id}: fill {trade_id} is a {fill_side}, the order is a {order_side}"
    )]
    SideMismatch {
        client_order_id: ClientOrderId,
        trade_id: TradeId,
        order_side: OrderSide,
        fill_side: OrderSide,
    },
    /// A fill of zero quantity.
    #[error("order {client_order_id}: fill {trade_id} has zero quantity")]
    EmptyFill { client_order_id: ClientOrderId, trade_id: TradeId },
    /// A fill whose trade id this order has already seen.
    #[error("order {client_order_id}: fill {trade_id} was already applied")]
    DuplicateFill { client_order_id: ClientOrderId, trade_id: TradeId },
    /// An update that would leave the order smaller than what already filled.
    #[error(
        "order {client_order_id}: updated quantity {quantity} is below the filled quantity {filled_qty}"
    )]
    QuantityBelowFilled { client_order_id: ClientOrderId, quantity: Quantity, filled_qty: Quantity },
    /// An update whose fields do not fit the order type.
    #[error("order {client_order_id}: invalid update for a {order_type} order: {reason}")]
    InvalidUpdate { client_order_id: ClientOrderId, order_type: OrderType, reason: &'static str },
    /// Fixed-point arithmetic left its range.
    #[error("order {client_order_id}: {what} overflows")]
    Overflow { client_order_id: ClientOrderId, what: &'static str },
}

/// What the transition table needs to know about an order besides its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionFacts {
    /// The order the event is applied to (named by errors).
    pub client_order_id: ClientOrderId,
    /// The order's type (only stop orders trigger).
    pub order_type: OrderType,
    /// The status a pending request returns to: the status without pending requests.
    pub working: OrderStatus,
    /// Whether the venue has acknowledged the order (an `OrderAccepted` was applied).
    pub acked: bool,
    /// Modify requests sent and not yet answered.
    pub pending_updates: u32,
    /// The event leaves nothing to fill: a fill reaching the quantity, or an update cutting
    /// the quantity down to what already filled.
    pub completes: bool,
}

/// The order state machine: the status after `event`, or why `event` is illegal now.
/// One line per legal edge; everything not listed is an error.
#[allow(clippy::match_same_arms)] // one line per edge on purpose (STYLE.md rule 3)
pub fn next_status(
    current: OrderStatus,
    event: &Event,
    f: &TransitionFacts,
) -> Result<OrderStatus, OrderError> {
    use Event as E;
    use OrderStatus as S;
    let stop = f.order_type.has_trigger();
    let next = match (current, event) {
        (S::Initialized, E::OrderDenied(_)) => S::Denied,
        (S::Initialized, E::OrderSubmitted(_)) => S::Submitted,

        (S::Submitted, E::OrderAccepted(_)) => S::Accepted,
        (S::Submitted, E::OrderRejected(_)) => S::Rejected,
        // The venue canceled an IOC/FOK remainder before its ack reached us.
        (S::Submitted, E::OrderCanceled(_)) => S::Canceled,
        // Fill before the ack: the venue's fill report overtook its acknowledgement.
        (S::Submitted, E::OrderFilled(_)) if f.completes => S::Filled,
        (S::Submitted, E::OrderFilled(_)) => S::PartiallyFilled,
        // A modify or cancel may leave before the ack arrives.
        (S::Submitted, E::OrderPendingUpdate(_)) => S::PendingUpdate,
        (S::Submitted, E::OrderPendingCancel(_)) => S::PendingCancel,

        (S::Accepted, E::OrderPendingUpdate(_)) => S::PendingUpdate,
        (S::Accepted, E::OrderPendingCancel(_)) => S::PendingCancel,
        (S::Accepted, E::OrderCanceled(_)) => S::Canceled,
        (S::Accepted, E::OrderExpired(_)) => S::Expired,
        (S::Accepted, E::OrderTriggered(_)) if stop => S::Triggered,
        (S::Accepted, E::OrderFilled(_)) if f.completes => S::Filled,
        (S::Accepted, E::OrderFilled(_)) => S::PartiallyFilled,

        (S::Triggered, E::OrderPendingUpdate(_)) => S::PendingUpdate,
        (S::Triggered, E::OrderPendingCancel(_)) => S::PendingCancel,
        (S::Triggered, E::OrderCanceled(_)) => S::Canceled,
        (S::Triggered, E::OrderExpired(_)) => S::Expired,
        // The limit order a stop-limit releases can still be refused (post-only would cross).
        (S::Triggered, E::OrderRejected(_)) => S::Rejected,
        (S::Triggered, E::OrderFilled(_)) if f.completes => S::Filled,
        (S::Triggered, E::OrderFilled(_)) => S::PartiallyFilled,

        (S::PartiallyFilled, E::OrderPendingUpdate(_)) => S::PendingUpdate,
        (S::PartiallyFilled, E::OrderPendingCancel(_)) => S::PendingCancel,
        (S::PartiallyFilled, E::OrderCanceled(_)) => S::Canceled,
        (S::PartiallyFilled, E::OrderExpired(_)) => S::Expired,
        (S::PartiallyFilled, E::OrderFilled(_)) if f.completes => S::Filled,
        (S::PartiallyFilled, E::OrderFilled(_)) => S::PartiallyFilled,
        // Late ack after a fill before the ack: the order keeps its fills.
        (S::PartiallyFilled, E::OrderAccepted(_)) if !f.acked => S::PartiallyFilled,

        // The venue cut the quantity down to what already filled: nothing is left to work.
        (S::PendingUpdate, E::OrderUpdated(_)) if f.completes => S::Filled,
        // Another modify is still unanswered, so the order stays pending.
        (S::PendingUpdate, E::OrderUpdated(_)) if f.pending_updates > 1 => S::PendingUpdate,
        // Answered: back to the status the order had before the request.
        (S::PendingUpdate, E::OrderUpdated(_)) => f.working,
        (S::PendingUpdate, E::OrderModifyRejected(_)) if f.pending_updates > 1 => S::PendingUpdate,
        (S::PendingUpdate, E::OrderModifyRejected(_)) => f.working,
        // A second modify before the first is answered.
        (S::PendingUpdate, E::OrderPendingUpdate(_)) => S::PendingUpdate,
        (S::PendingUpdate, E::OrderPendingCancel(_)) => S::PendingCancel,
        (S::PendingUpdate, E::OrderCanceled(_)) => S::Canceled,
        (S::PendingUpdate, E::OrderExpired(_)) if f.working != S::Submitted => S::Expired,
        // The order itself (not the modify) refused: before the ack, or a stop-limit's release.
        (S::PendingUpdate, E::OrderRejected(_)) if rejectable(f.working) => S::Rejected,
        // Late ack while the modify is in flight: stay pending; the ack changes `working`.
        (S::PendingUpdate, E::OrderAccepted(_)) if !f.acked => S::PendingUpdate,
        // A stop triggers while the modify is in flight: stay pending, `working` is Triggered.
        (S::PendingUpdate, E::OrderTriggered(_)) if stop && f.working == S::Accepted => {
            S::PendingUpdate
        }
        (S::PendingUpdate, E::OrderFilled(_)) if f.completes => S::Filled,
        // Partial fill while the modify is in flight: stay pending, `working` is PartiallyFilled.
        (S::PendingUpdate, E::OrderFilled(_)) => S::PendingUpdate,

        // Cancel refused while a modify is still unanswered: the order waits for that answer.
        (S::PendingCancel, E::OrderCancelRejected(_)) if f.pending_updates > 0 => S::PendingUpdate,
        // Cancel refused: back to the status the order had before the request.
        (S::PendingCancel, E::OrderCancelRejected(_)) => f.working,
        // The cancel request is sent again.
        (S::PendingCancel, E::OrderPendingCancel(_)) => S::PendingCancel,
        (S::PendingCancel, E::OrderCanceled(_)) => S::Canceled,
        (S::PendingCancel, E::OrderExpired(_)) if f.working != S::Submitted => S::Expired,
        (S::PendingCancel, E::OrderRejected(_)) if rejectable(f.working) => S::Rejected,
        // Late ack while the cancel is in flight: stay pending; the ack changes `working`.
        (S::PendingCancel, E::OrderAccepted(_)) if !f.acked => S::PendingCancel,
        (S::PendingCancel, E::OrderTriggered(_)) if stop && f.working == S::Accepted => {
            S::PendingCancel
        }
        // Fill after the cancel request: the fill won the race and nothing is left to cancel.
        (S::PendingCancel, E::OrderFilled(_)) if f.completes => S::Filled,
        // Partial fill after the cancel request: the cancel is still in flight.
        (S::PendingCancel, E::OrderFilled(_)) => S::PendingCancel,
        // The answer to a modify sent before the cancel request.
        (S::PendingCancel, E::OrderUpdated(_)) if f.pending_updates > 0 && f.completes => S::Filled,
        (S::PendingCancel, E::OrderUpdated(_)) if f.pending_updates > 0 => S::PendingCancel,
        (S::PendingCancel, E::OrderModifyRejected(_)) if f.pending_updates > 0 => S::PendingCancel,

        // Everything else is an error; terminal statuses have no edges at all.
        (from, E::OrderTriggered(_)) if !stop && !from.is_terminal() => {
            return Err(OrderError::NotAStopOrder {
                client_order_id: f.client_order_id,
                order_type: f.order_type,
            });
        }
        (from, _) => {
            return Err(OrderError::InvalidTransition {
                client_order_id: f.client_order_id,
                from,
                event: event.kind(),
            });
        }
    };
    Ok(next)
}

/// Whether the venue may still refuse the order itself with this working status.
fn rejectable(working: OrderStatus) -> bool {
    matches!(working, OrderStatus::Submitted | OrderStatus::Triggered)
}

/// One order: its terms, its status and its fills. Changes only through [`Order::apply`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[allow(clippy::struct_field_names)] // `order_type` mirrors the event field of that name
pub struct Order {
    client_order_id: ClientOrderId,
    strategy_id: StrategyId,
    instrument_id: InstrumentId,
    side: OrderSide,
    order_type: OrderType,
    quantity: Quantity,
    price: Option<Price>,
    trigger_price: Option<Price>,
    time_in_force: TimeInForce,
    expire_time: Option<UnixNanos>,
    post_only: bool,
    reduce_only: bool,
    status: OrderStatus,
    /// The status without pending requests: what a cancel or modify refusal returns to.
    working: OrderStatus,
    acked: bool,
    pending_updates: u32,
    venue_order_id: Option<VenueOrderId>,
    account_id: Option<AccountId>,
    filled_qty: Quantity,
    /// Sum of raw price times raw quantity over all fills, for an exact average price.
    px_qty_sum: i128,
    trade_ids: Vec<TradeId>,
    ts_init: UnixNanos,
    ts_last: UnixNanos,
    event_count: u64,
}

/// The state change an accepted event makes, computed before anything is written.
#[derive(Clone, Copy)]
enum Change {
    Nothing,
    Fill { filled_qty: Quantity, px_qty_sum: i128, trade_id: TradeId },
    Update { quantity: Quantity, price: Option<Price>, trigger_price: Option<Price> },
}

impl Order {
    /// A new order in status Initialized, with the terms of its initialization event.
    /// The order its own events describe, in order (from its `OrderInitialized`; commands and
    /// events the state machine refuses change nothing): an order rebuilt from the event log.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Option<Self> {
        let mut order: Option<Self> = None;
        for event in events {
            match (&mut order, event) {
                (None, Event::OrderInitialized(init)) => order = Some(Self::new(init)),
                (Some(o), _) => {
                    let _ = o.apply(event);
                }
                (None, _) => {}
            }
        }
        order
    }

    pub fn new(init: &OrderInitialized) -> Self {
        Self {
            client_order_id: init.client_order_id,
            strategy_id: init.strategy_id,
            instrument_id: init.instrument_id,
            side: init.side,
            order_type: init.order_type,
            quantity: init.quantity,
            price: init.price,
            trigger_price: init.trigger_price,
            time_in_force: init.time_in_force,
            expire_time: init.expire_time,
            post_only: init.post_only,
            reduce_only: init.reduce_only,
            status: OrderStatus::Initialized,
            working: OrderStatus::Initialized,
            acked: false,
            pending_updates: 0,
            venue_order_id: None,
            account_id: None,
            filled_qty: Quantity::zero(init.quantity.precision()),
            px_qty_sum: 0,
            trade_ids: Vec::new(),
            ts_init: init.ts_init,
            ts_last: init.ts_event,
            event_count: 1,
        }
    }

    /// Applies one event and returns the new status; on any error the order is unchanged.
    pub fn apply(&mut self, event: &Event) -> Result<OrderStatus, OrderError> {
        self.check_header(event)?;
        let facts = self.facts(event);
        let next = next_status(self.status, event, &facts)?;
        let change = match event {
            Event::OrderFilled(fill) => self.check_fill(fill)?,
            Event::OrderUpdated(update) => self.check_update(update)?,
            _ => Change::Nothing,
        };
        // Nothing below can fail: the order changes all at once or not at all.
        self.commit(event, next, change);
        Ok(next)
    }

    /// Refuses events that are not order events or that name another order.
    fn check_header(&self, event: &Event) -> Result<(), OrderError> {
        let kind = event.kind();
        if matches!(event, Event::OrderInitialized(_)) {
            // Initialization creates an order; applying it again is a transition with no edge.
            return Err(OrderError::InvalidTransition {
                client_order_id: self.client_order_id,
                from: self.status,
                event: kind,
            });
        }
        let not_ours =
            || OrderError::NotAnOrderEvent { client_order_id: self.client_order_id, event: kind };
        if event.is_command() {
            return Err(not_ours());
        }
        let (Some(coid), Some(iid), Some(sid)) =
            (event.client_order_id(), event.instrument_id(), event.strategy_id())
        else {
            return Err(not_ours());
        };
        if coid != self.client_order_id {
            return Err(OrderError::WrongOrder {
                client_order_id: self.client_order_id,
                other: coid,
                event: kind,
            });
        }
        let mismatch =
            |field, expected: &dyn ToString, actual: &dyn ToString| OrderError::HeaderMismatch {
                client_order_id: self.client_order_id,
                event: kind,
                field,
                expected: expected.to_string(),
                actual: actual.to_string(),
            };
        if iid != self.instrument_id {
            return Err(mismatch("instrument_id", &self.instrument_id, &iid));
        }
        if sid != self.strategy_id {
            return Err(mismatch("strategy_id", &self.strategy_id, &sid));
        }
        Ok(())
    }

    /// The facts the transition table needs for `event`.
    fn facts(&self, event: &Event) -> TransitionFacts {
        let completes = match event {
            Event::OrderFilled(fill) => self
                .filled_qty
                .raw()
                .checked_add(fill.last_qty.raw())
                .is_some_and(|filled| filled == self.quantity.raw()),
            Event::OrderUpdated(update) => update.quantity.raw() == self.filled_qty.raw(),
            _ => false,
        };
        TransitionFacts {
            client_order_id: self.client_order_id,
            order_type: self.order_type,
            working: self.working,
            acked: self.acked,
            pending_updates: self.pending_updates,
            completes,
        }
    }

    /// Checks a fill against the order and computes the new fill totals.
    fn check_fill(&self, fill: &OrderFilled) -> Result<Change, OrderError> {
        let coid = self.client_order_id;
        if fill.side != self.side {
            return Err(OrderError::SideMismatch {
                client_order_id: coid,
                trade_id: fill.trade_id,
                order_side: self.side,
                fill_side: fill.side,
            });
        }
        if fill.last_qty.is_zero() {
            return Err(OrderError::EmptyFill { client_order_id: coid, trade_id: fill.trade_id });
        }
        if self.trade_ids.contains(&fill.trade_id) {
            return Err(OrderError::DuplicateFill {
                client_order_id: coid,
                trade_id: fill.trade_id,
            });
        }
        if fill.last_qty > self.leaves_qty() {
            return Err(OrderError::Overfill {
                client_order_id: coid,
                trade_id: fill.trade_id,
                last_qty: fill.last_qty,
                quantity: self.quantity,
                filled_qty: self.filled_qty,
            });
        }
        let overflow = |what| OrderError::Overflow { client_order_id: coid, what };
        let filled_qty =
            self.filled_qty.checked_add(fill.last_qty).map_err(|_| overflow("filled quantity"))?;
        let px_qty_sum = i128::from(fill.last_px.raw())
            .checked_mul(i128::from(fill.last_qty.raw()))
            .and_then(|notional| self.px_qty_sum.checked_add(notional))
            .ok_or_else(|| overflow("price-quantity sum"))?;
        Ok(Change::Fill { filled_qty, px_qty_sum, trade_id: fill.trade_id })
    }

    /// Checks an update against the order: the new terms must fit its type and its fills.
    fn check_update(&self, update: &OrderUpdated) -> Result<Change, OrderError> {
        let invalid = |reason| OrderError::InvalidUpdate {
            client_order_id: self.client_order_id,
            order_type: self.order_type,
            reason,
        };
        if update.quantity.is_zero() {
            return Err(invalid("quantity must be positive"));
        }
        if update.price.is_some() != self.order_type.has_price() {
            return Err(invalid("price must be given exactly for LIMIT and STOP_LIMIT"));
        }
        if update.trigger_price.is_some() != self.order_type.has_trigger() {
            return Err(invalid("trigger price must be given exactly for stop orders"));
        }
        if update.quantity < self.filled_qty {
            return Err(OrderError::QuantityBelowFilled {
                client_order_id: self.client_order_id,
                quantity: update.quantity,
                filled_qty: self.filled_qty,
            });
        }
        Ok(Change::Update {
            quantity: update.quantity,
            price: update.price,
            trigger_price: update.trigger_price,
        })
    }

    /// Writes an event that passed every check.
    fn commit(&mut self, event: &Event, next: OrderStatus, change: Change) {
        self.working = self.next_working(event, next);
        self.status = next;
        match event {
            Event::OrderSubmitted(e) => self.account_id = Some(e.account_id),
            Event::OrderAccepted(e) => {
                self.acked = true;
                self.account_id = Some(e.account_id);
            }
            Event::OrderRejected(e) => self.account_id = Some(e.account_id),
            Event::OrderFilled(e) => self.account_id = Some(e.account_id),
            Event::OrderPendingUpdate(_) => {
                self.pending_updates = self.pending_updates.saturating_add(1);
            }
            Event::OrderUpdated(_) | Event::OrderModifyRejected(_) => {
                self.pending_updates = self.pending_updates.saturating_sub(1);
            }
            _ => {}
        }
        if let Some(venue_order_id) = carried_venue_order_id(event) {
            self.venue_order_id = Some(venue_order_id);
        }
        match change {
            Change::Nothing => {}
            Change::Fill { filled_qty, px_qty_sum, trade_id } => {
                self.filled_qty = filled_qty;
                self.px_qty_sum = px_qty_sum;
                self.trade_ids.push(trade_id);
            }
            Change::Update { quantity, price, trigger_price } => {
                self.quantity = quantity;
                self.price = price;
                self.trigger_price = trigger_price;
            }
        }
        self.ts_last = event.ts_event();
        self.event_count += 1;
    }

    /// The status without pending requests after `event` moves the order to `next`.
    fn next_working(&self, event: &Event, next: OrderStatus) -> OrderStatus {
        if !matches!(next, OrderStatus::PendingUpdate | OrderStatus::PendingCancel) {
            return next;
        }
        match event {
            Event::OrderAccepted(_) if self.working == OrderStatus::Submitted => {
                OrderStatus::Accepted
            }
            Event::OrderTriggered(_) => OrderStatus::Triggered,
            Event::OrderFilled(_) => OrderStatus::PartiallyFilled,
            _ => self.working,
        }
    }

    /// The client's id for this order.
    pub fn client_order_id(&self) -> ClientOrderId {
        self.client_order_id
    }
    /// The strategy that owns the order.
    pub fn strategy_id(&self) -> StrategyId {
        self.strategy_id
    }
    /// The instrument traded.
    pub fn instrument_id(&self) -> InstrumentId {
        self.instrument_id
    }
    /// Buy or sell.
    pub fn side(&self) -> OrderSide {
        self.side
    }
    /// Market, limit, stop-market or stop-limit.
    pub fn order_type(&self) -> OrderType {
        self.order_type
    }
    /// The total quantity (as last updated by the venue).
    pub fn quantity(&self) -> Quantity {
        self.quantity
    }
    /// The limit price, for limit and stop-limit orders.
    pub fn price(&self) -> Option<Price> {
        self.price
    }
    /// The trigger price, for stop orders.
    pub fn trigger_price(&self) -> Option<Price> {
        self.trigger_price
    }
    /// GTC, IOC, FOK, GTD or DAY.
    pub fn time_in_force(&self) -> TimeInForce {
        self.time_in_force
    }
    /// When a GTD order expires.
    pub fn expire_time(&self) -> Option<UnixNanos> {
        self.expire_time
    }
    /// Whether the order must only add liquidity.
    pub fn post_only(&self) -> bool {
        self.post_only
    }
    /// Whether the order may only reduce a position.
    pub fn reduce_only(&self) -> bool {
        self.reduce_only
    }
    /// The current status.
    pub fn status(&self) -> OrderStatus {
        self.status
    }
    /// The venue's id for the order, once known.
    pub fn venue_order_id(&self) -> Option<VenueOrderId> {
        self.venue_order_id
    }
    /// The account the order was sent from, once known.
    pub fn account_id(&self) -> Option<AccountId> {
        self.account_id
    }
    /// How much has filled.
    pub fn filled_qty(&self) -> Quantity {
        self.filled_qty
    }
    /// How much is left to fill: `quantity - filled_qty` (kept after a cancel or expiry too).
    pub fn leaves_qty(&self) -> Quantity {
        self.quantity.saturating_sub(self.filled_qty)
    }
    /// The quantity-weighted average fill price at 9 decimals (rounded half away from zero),
    /// `None` before the first fill.
    pub fn avg_px(&self) -> Option<Price> {
        let filled = i128::from(self.filled_qty.raw());
        if filled == 0 {
            return None;
        }
        let (quotient, remainder) = (self.px_qty_sum / filled, self.px_qty_sum % filled);
        let rounded = if 2 * remainder.abs() >= filled {
            quotient + self.px_qty_sum.signum()
        } else {
            quotient
        };
        // The average lies between the smallest and largest fill price, so it fits an i64.
        let raw = i64::try_from(rounded).ok()?;
        Price::from_raw(raw, crate::types::FIXED_PRECISION).ok()
    }
    /// The trade ids of the fills applied, in order.
    pub fn trade_ids(&self) -> &[TradeId] {
        &self.trade_ids
    }
    /// When the engine created the order (its initialization's `ts_init`).
    pub fn ts_init(&self) -> UnixNanos {
        self.ts_init
    }
    /// When the last applied event happened (its `ts_event`).
    pub fn ts_last(&self) -> UnixNanos {
        self.ts_last
    }
    /// Working at the venue: can still fill.
    pub fn is_open(&self) -> bool {
        self.status.is_open()
    }
    /// Done: no event changes it any more.
    pub fn is_terminal(&self) -> bool {
        self.status.is_terminal()
    }
    /// Sent but not yet acknowledged.
    pub fn is_in_flight(&self) -> bool {
        self.status.is_in_flight()
    }
    /// The venue accepted the order.
    pub fn is_acknowledged(&self) -> bool {
        self.acked
    }
    /// Events applied, counting the initialization.
    pub fn event_count(&self) -> u64 {
        self.event_count
    }
}

/// The venue order id an event carries, if any.
fn carried_venue_order_id(event: &Event) -> Option<VenueOrderId> {
    match event {
        Event::OrderAccepted(e) => Some(e.venue_order_id),
        Event::OrderFilled(e) => Some(e.venue_order_id),
        Event::OrderCanceled(e) => e.venue_order_id,
        Event::OrderExpired(e) => e.venue_order_id,
        Event::OrderTriggered(e) => e.venue_order_id,
        Event::OrderPendingUpdate(e) => e.venue_order_id,
        Event::OrderPendingCancel(e) => e.venue_order_id,
        Event::OrderUpdated(e) => e.venue_order_id,
        Event::OrderModifyRejected(e) => e.venue_order_id,
        Event::OrderCancelRejected(e) => e.venue_order_id,
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{
        CancelOrder, OrderAccepted, OrderCancelRejected, OrderCanceled, OrderDenied, OrderExpired,
        OrderModifyRejected, OrderPendingCancel, OrderPendingUpdate, OrderRejected, OrderSubmitted,
        OrderTriggered, QuoteTick,
    };
    use crate::types::{Currency, LiquiditySide, Money, OrderStatus as S, OrderType as T};
    use proptest::prelude::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    const TS: UnixNanos = UnixNanos(1_000);

    fn coid() -> ClientOrderId {
        ClientOrderId::from_static("O-1")
    }
    fn sid() -> StrategyId {
        StrategyId::from_static("S-1")
    }
    fn iid() -> InstrumentId {
        InstrumentId::from_static("BTCUSDT.SIM")
    }
    fn acc() -> AccountId {
        AccountId::from_static("SIM-001")
    }
    fn vid() -> VenueOrderId {
        VenueOrderId::from_static("V-1")
    }
    fn q(s: &str) -> Quantity {
        s.parse().unwrap()
    }
    fn p(s: &str) -> Price {
        s.parse().unwrap()
    }
    /// A price at the full 9 decimals `avg_px` reports.
    fn px9(s: &str) -> Price {
        Price::parse_with_precision(s, 9).unwrap()
    }

    fn init(order_type: OrderType, quantity: Quantity) -> OrderInitialized {
        OrderInitialized {
            strategy_id: sid(),
            instrument_id: iid(),
            client_order_id: coid(),
            side: OrderSide::Buy,
            order_type,
            quantity,
            price: order_type.has_price().then(|| p("100.00")),
            trigger_price: order_type.has_trigger().then(|| p("101.00")),
            time_in_force: TimeInForce::Gtc,
            expire_time: None,
            post_only: false,
            reduce_only: false,
            ts_event: UnixNanos(10),
            ts_init: UnixNanos(11),
        }
    }

    fn order(order_type: OrderType) -> Order {
        Order::new(&init(order_type, q("10")))
    }

    fn denied() -> Event {
        OrderDenied {
            strategy_id: sid(),
            instrument_id: iid(),
            client_order_id: coid(),
            reason: "max quantity".into(),
            ts_event: TS,
            ts_init: TS,
        }
        .into()
    }
    fn submitted() -> Event {
        let (strategy_id, instrument_id, client_order_id) = (sid(), iid(), coid());
        OrderSubmitted {
            strategy_id,
            instrument_id,
            client_order_id,
            account_id: acc(),
            ts_event: TS,
            ts_init: TS,
        }
        .into()
    }
    fn accepted() -> Event {
        OrderAccepted {
            strategy_id: sid(),
            instrument_id: iid(),
            client_order_id: coid(),
            venue_order_id: vid(),
            account_id: acc(),
            ts_event: TS,
            ts_init: TS,
        }
        .into()
    }
    fn rejected() -> Event {
        OrderRejected {
            strategy_id: sid(),
            instrument_id: iid(),
            client_order_id: coid(),
            account_id: acc(),
            reason: "post-only would cross".into(),
            ts_event: TS,
            ts_init: TS,
        }
        .into()
    }
    fn canceled() -> Event {
        let (strategy_id, instrument_id, client_order_id) = (sid(), iid(), coid());
        OrderCanceled {
            strategy_id,
            instrument_id,
            client_order_id,
            venue_order_id: None,
            ts_event: TS,
            ts_init: TS,
        }
        .into()
    }
    fn expired() -> Event {
        let (strategy_id, instrument_id, client_order_id) = (sid(), iid(), coid());
        OrderExpired {
            strategy_id,
            instrument_id,
            client_order_id,
            venue_order_id: None,
            ts_event: TS,
            ts_init: TS,
            reason: None,
        }
        .into()
    }
    fn triggered() -> Event {
        let (strategy_id, instrument_id, client_order_id) = (sid(), iid(), coid());
        OrderTriggered {
            strategy_id,
            instrument_id,
            client_order_id,
            venue_order_id: None,
            ts_event: TS,
            ts_init: TS,
        }
        .into()
    }
    fn pending_update() -> Event {
        let (strategy_id, instrument_id, client_order_id) = (sid(), iid(), coid());
        OrderPendingUpdate {
            strategy_id,
            instrument_id,
            client_order_id,
            venue_order_id: None,
            ts_event: TS,
            ts_init: TS,
        }
        .into()
    }
    fn pending_cancel() -> Event {
        let (strategy_id, instrument_id, client_order_id) = (sid(), iid(), coid());
        OrderPendingCancel {
            strategy_id,
            instrument_id,
            client_order_id,
            venue_order_id: None,
            ts_event: TS,
            ts_init: TS,
        }
        .into()
    }
    /// An update to `quantity`, with the price and trigger the order type needs.
    fn updated_for(order_type: OrderType, quantity: Quantity) -> Event {
        OrderUpdated {
            strategy_id: sid(),
            instrument_id: iid(),
            client_order_id: coid(),
            venue_order_id: Some(VenueOrderId::from_static("V-2")),
            quantity,
            price: order_type.has_price().then(|| p("99.50")),
            trigger_price: order_type.has_trigger().then(|| p("100.50")),
            ts_event: TS,
            ts_init: TS,
        }
        .into()
    }
    fn updated(quantity: &str) -> Event {
        updated_for(T::Limit, q(quantity))
    }
    fn modify_rejected() -> Event {
        OrderModifyRejected {
            strategy_id: sid(),
            instrument_id: iid(),
            client_order_id: coid(),
            venue_order_id: None,
            reason: "too late".into(),
            ts_event: TS,
            ts_init: TS,
        }
        .into()
    }
    fn cancel_rejected() -> Event {
        OrderCancelRejected {
            strategy_id: sid(),
            instrument_id: iid(),
            client_order_id: coid(),
            venue_order_id: None,
            reason: "already filled".into(),
            ts_event: TS,
            ts_init: TS,
        }
        .into()
    }

    static NEXT_TRADE: AtomicU64 = AtomicU64::new(1);

    fn fill_with(side: OrderSide, last_qty: Quantity, last_px: Price, trade: u64) -> Event {
        OrderFilled {
            strategy_id: sid(),
            instrument_id: iid(),
            client_order_id: coid(),
            venue_order_id: vid(),
            account_id: acc(),
            trade_id: TradeId::new(&format!("T-{trade}")).unwrap(),
            side,
            order_type: T::Limit,
            last_qty,
            last_px,
            commission: Money::zero(Currency::from_static("USDT")),
            liquidity_side: LiquiditySide::Maker,
            ts_event: UnixNanos(2_000 + trade),
            ts_init: UnixNanos(2_000 + trade),
        }
        .into()
    }
    /// A buy fill with a fresh trade id.
    fn fill_at(last_qty: &str, last_px: &str) -> Event {
        let trade = NEXT_TRADE.fetch_add(1, Ordering::Relaxed);
        fill_with(OrderSide::Buy, q(last_qty), p(last_px), trade)
    }
    fn fill(last_qty: &str) -> Event {
        fill_at(last_qty, "100.00")
    }

    /// An order of `order_type` driven through `path`, every step of which must succeed.
    fn driven(order_type: OrderType, path: &[Event]) -> Order {
        let mut o = order(order_type);
        for e in path {
            if let Err(err) = o.apply(e) {
                panic!("setup step {} failed: {err}", e.kind());
            }
        }
        o
    }

    /// Drives an order through `path`, applies `event` and checks it lands in `to`.
    fn edge(order_type: OrderType, path: &[Event], event: &Event, to: OrderStatus) -> Order {
        let mut o = driven(order_type, path);
        assert_eq!(o.apply(event), Ok(to), "{} from {}", event.kind(), o.status());
        assert_eq!(o.status(), to);
        o
    }

    /// Checks `event` is refused from the end of `path` and the order stays byte-identical.
    fn refused(order_type: OrderType, path: &[Event], event: &Event) -> OrderError {
        let mut o = driven(order_type, path);
        let before = o.clone();
        let err = o.apply(event).expect_err("must be refused");
        assert_eq!(o, before, "an error must leave the order unchanged");
        err
    }

    fn at_submitted() -> Vec<Event> {
        vec![submitted()]
    }
    fn at_accepted() -> Vec<Event> {
        vec![submitted(), accepted()]
    }
    fn at_triggered() -> Vec<Event> {
        vec![submitted(), accepted(), triggered()]
    }
    fn at_partially_filled() -> Vec<Event> {
        vec![submitted(), accepted(), fill("4")]
    }
    fn at_pending_update() -> Vec<Event> {
        vec![submitted(), accepted(), pending_update()]
    }
    fn at_pending_cancel() -> Vec<Event> {
        vec![submitted(), accepted(), pending_cancel()]
    }

    // ---- legal edges: one test each ------------------------------------------------------

    #[test]
    fn initialized_to_denied() {
        edge(T::Limit, &[], &denied(), S::Denied);
    }
    #[test]
    fn initialized_to_submitted() {
        let o = edge(T::Limit, &[], &submitted(), S::Submitted);
        assert_eq!(o.account_id(), Some(acc()));
        assert!(o.is_in_flight());
    }

    #[test]
    fn submitted_to_accepted() {
        let o = edge(T::Limit, &at_submitted(), &accepted(), S::Accepted);
        assert_eq!(o.venue_order_id(), Some(vid()));
        assert!(o.is_open());
    }
    #[test]
    fn submitted_to_rejected() {
        edge(T::Limit, &at_submitted(), &rejected(), S::Rejected);
    }
    #[test]
    fn submitted_to_canceled_ioc_remainder_before_ack() {
        edge(T::Market, &at_submitted(), &canceled(), S::Canceled);
    }
    #[test]
    fn submitted_to_partially_filled_fill_before_ack() {
        let o = edge(T::Market, &at_submitted(), &fill("3"), S::PartiallyFilled);
        assert_eq!(o.venue_order_id(), Some(vid()), "the fill names the venue order");
    }
    #[test]
    fn submitted_to_filled_fill_before_ack() {
        edge(T::Market, &at_submitted(), &fill("10"), S::Filled);
    }
    #[test]
    fn submitted_to_pending_update() {
        edge(T::Limit, &at_submitted(), &pending_update(), S::PendingUpdate);
    }
    #[test]
    fn submitted_to_pending_cancel() {
        edge(T::Limit, &at_submitted(), &pending_cancel(), S::PendingCancel);
    }

    #[test]
    fn accepted_to_pending_update() {
        edge(T::Limit, &at_accepted(), &pending_update(), S::PendingUpdate);
    }
    #[test]
    fn accepted_to_pending_cancel() {
        edge(T::Limit, &at_accepted(), &pending_cancel(), S::PendingCancel);
    }
    #[test]
    fn accepted_to_canceled() {
        edge(T::Limit, &at_accepted(), &canceled(), S::Canceled);
    }
    #[test]
    fn accepted_to_expired() {
        edge(T::Limit, &at_accepted(), &expired(), S::Expired);
    }
    #[test]
    fn accepted_to_triggered() {
        edge(T::StopMarket, &at_accepted(), &triggered(), S::Triggered);
        edge(T::StopLimit, &at_accepted(), &triggered(), S::Triggered);
    }
    #[test]
    fn accepted_to_partially_filled() {
        let o = edge(T::Limit, &at_accepted(), &fill("4"), S::PartiallyFilled);
        assert_eq!((o.filled_qty(), o.leaves_qty()), (q("4"), q("6")));
    }
    #[test]
    fn accepted_to_filled() {
        let o = edge(T::Limit, &at_accepted(), &fill("10"), S::Filled);
        assert!(o.is_terminal() && !o.is_open());
        assert_eq!(o.leaves_qty(), q("0"));
    }

    #[test]
    fn triggered_to_pending_update() {
        edge(T::StopLimit, &at_triggered(), &pending_update(), S::PendingUpdate);
    }
    #[test]
    fn triggered_to_pending_cancel() {
        edge(T::StopLimit, &at_triggered(), &pending_cancel(), S::PendingCancel);
    }
    #[test]
    fn triggered_to_canceled() {
        edge(T::StopLimit, &at_triggered(), &canceled(), S::Canceled);
    }
    #[test]
    fn triggered_to_expired() {
        edge(T::StopLimit, &at_triggered(), &expired(), S::Expired);
    }
    #[test]
    fn triggered_to_rejected() {
        edge(T::StopLimit, &at_triggered(), &rejected(), S::Rejected);
    }
    #[test]
    fn triggered_to_partially_filled() {
        edge(T::StopLimit, &at_triggered(), &fill("1"), S::PartiallyFilled);
    }
    #[test]
    fn triggered_to_filled() {
        edge(T::StopMarket, &at_triggered(), &fill("10"), S::Filled);
    }

    #[test]
    fn partially_filled_to_pending_update() {
        edge(T::Limit, &at_partially_filled(), &pending_update(), S::PendingUpdate);
    }
    #[test]
    fn partially_filled_to_pending_cancel() {
        edge(T::Limit, &at_partially_filled(), &pending_cancel(), S::PendingCancel);
    }
    #[test]
    fn partially_filled_to_canceled() {
        let o = edge(T::Limit, &at_partially_filled(), &canceled(), S::Canceled);
        assert_eq!((o.filled_qty(), o.leaves_qty()), (q("4"), q("6")));
    }
    #[test]
    fn partially_filled_to_expired() {
        edge(T::Limit, &at_partially_filled(), &expired(), S::Expired);
    }
    #[test]
    fn partially_filled_to_partially_filled() {
        let o = edge(T::Limit, &at_partially_filled(), &fill("5"), S::PartiallyFilled);
        assert_eq!(o.filled_qty(), q("9"));
    }
    #[test]
    fn partially_filled_to_filled() {
        edge(T::Limit, &at_partially_filled(), &fill("6"), S::Filled);
    }
    #[test]
    fn partially_filled_to_partially_filled_on_late_ack() {
        let path = [submitted(), fill("4")];
        let o = edge(T::Limit, &path, &accepted(), S::PartiallyFilled);
        assert_eq!(o.filled_qty(), q("4"));
    }

    #[test]
    fn pending_update_to_previous_on_updated() {
        let o = edge(T::Limit, &at_pending_update(), &updated("12"), S::Accepted);
        assert_eq!((o.quantity(), o.price()), (q("12"), Some(p("99.50"))));
        assert_eq!(o.venue_order_id(), Some(VenueOrderId::from_static("V-2")));
        let stop = [submitted(), accepted(), triggered(), pending_update()];
        let o = edge(T::StopLimit, &stop, &updated_for(T::StopLimit, q("8")), S::Triggered);
        assert_eq!(o.trigger_price(), Some(p("100.50")));
        let partial = [submitted(), accepted(), fill("4"), pending_update()];
        edge(T::Limit, &partial, &updated("5"), S::PartiallyFilled);
    }
    #[test]
    fn pending_update_to_filled_on_updated_down_to_filled() {
        let path = [submitted(), accepted(), fill("4"), pending_update()];
        let o = edge(T::Limit, &path, &updated("4"), S::Filled);
        assert_eq!(o.leaves_qty(), q("0"));
    }
    #[test]
    fn pending_update_to_pending_update_on_updated_with_another_modify_in_flight() {
        let mut path = at_pending_update();
        path.push(pending_update());
        let mut o = edge(T::Limit, &path, &updated("9"), S::PendingUpdate);
        assert_eq!(o.apply(&updated("8")), Ok(S::Accepted));
    }
    #[test]
    fn pending_update_to_previous_on_modify_rejected() {
        let o = edge(T::Limit, &at_pending_update(), &modify_rejected(), S::Accepted);
        assert_eq!(o.quantity(), q("10"));
        let partial = [submitted(), accepted(), fill("4"), pending_update()];
        edge(T::Limit, &partial, &modify_rejected(), S::PartiallyFilled);
    }
    #[test]
    fn pending_update_to_pending_update_on_modify_rejected_with_another_modify_in_flight() {
        let mut path = at_pending_update();
        path.push(pending_update());
        let mut o = edge(T::Limit, &path, &modify_rejected(), S::PendingUpdate);
        assert_eq!(o.apply(&modify_rejected()), Ok(S::Accepted));
    }
    #[test]
    fn pending_update_to_pending_update() {
        edge(T::Limit, &at_pending_update(), &pending_update(), S::PendingUpdate);
    }
    #[test]
    fn pending_update_to_pending_cancel() {
        edge(T::Limit, &at_pending_update(), &pending_cancel(), S::PendingCancel);
    }
    #[test]
    fn pending_update_to_canceled() {
        edge(T::Limit, &at_pending_update(), &canceled(), S::Canceled);
    }
    #[test]
    fn pending_update_to_expired() {
        edge(T::Limit, &at_pending_update(), &expired(), S::Expired);
    }
    #[test]
    fn pending_update_to_rejected() {
        edge(T::Limit, &[submitted(), pending_update()], &rejected(), S::Rejected);
        let stop = [submitted(), accepted(), triggered(), pending_update()];
        edge(T::StopLimit, &stop, &rejected(), S::Rejected);
    }
    #[test]
    fn pending_update_to_pending_update_on_late_ack() {
        let mut o = edge(T::Limit, &[submitted(), pending_update()], &accepted(), S::PendingUpdate);
        assert_eq!(o.venue_order_id(), Some(vid()));
        assert_eq!(o.apply(&updated("10")), Ok(S::Accepted));
    }
    #[test]
    fn pending_update_to_pending_update_on_trigger() {
        let mut o = edge(T::StopMarket, &at_pending_update(), &triggered(), S::PendingUpdate);
        assert_eq!(o.apply(&modify_rejected()), Ok(S::Triggered));
    }
    #[test]
    fn pending_update_to_pending_update_on_partial_fill() {
        let mut o = edge(T::Limit, &at_pending_update(), &fill("2"), S::PendingUpdate);
        assert_eq!(o.apply(&modify_rejected()), Ok(S::PartiallyFilled));
    }
    #[test]
    fn pending_update_to_filled() {
        edge(T::Limit, &at_pending_update(), &fill("10"), S::Filled);
    }

    #[test]
    fn pending_cancel_to_previous_on_cancel_rejected() {
        edge(T::Limit, &at_pending_cancel(), &cancel_rejected(), S::Accepted);
        let stop = [submitted(), accepted(), triggered(), pending_cancel()];
        edge(T::StopLimit, &stop, &cancel_rejected(), S::Triggered);
        let partial = [submitted(), accepted(), fill("4"), pending_cancel()];
        edge(T::Limit, &partial, &cancel_rejected(), S::PartiallyFilled);
        edge(T::Limit, &[submitted(), pending_cancel()], &cancel_rejected(), S::Submitted);
    }
    #[test]
    fn pending_cancel_to_pending_update_on_cancel_rejected_with_modify_in_flight() {
        let path = [submitted(), accepted(), pending_update(), pending_cancel()];
        let mut o = edge(T::Limit, &path, &cancel_rejected(), S::PendingUpdate);
        assert_eq!(o.apply(&updated("7")), Ok(S::Accepted));
    }
    #[test]
    fn pending_cancel_to_pending_cancel() {
        edge(T::Limit, &at_pending_cancel(), &pending_cancel(), S::PendingCancel);
    }
    #[test]
    fn pending_cancel_to_canceled() {
        edge(T::Limit, &at_pending_cancel(), &canceled(), S::Canceled);
    }
    #[test]
    fn pending_cancel_to_expired() {
        edge(T::Limit, &at_pending_cancel(), &expired(), S::Expired);
    }
    #[test]
    fn pending_cancel_to_rejected() {
        edge(T::Limit, &[submitted(), pending_cancel()], &rejected(), S::Rejected);
        let stop = [submitted(), accepted(), triggered(), pending_cancel()];
        edge(T::StopLimit, &stop, &rejected(), S::Rejected);
    }
    #[test]
    fn pending_cancel_to_pending_cancel_on_late_ack() {
        let mut o = edge(T::Limit, &[submitted(), pending_cancel()], &accepted(), S::PendingCancel);
        assert_eq!(o.apply(&cancel_rejected()), Ok(S::Accepted));
    }
    #[test]
    fn pending_cancel_to_pending_cancel_on_trigger() {
        let mut o = edge(T::StopLimit, &at_pending_cancel(), &triggered(), S::PendingCancel);
        assert_eq!(o.apply(&cancel_rejected()), Ok(S::Triggered));
    }
    #[test]
    fn pending_cancel_to_pending_cancel_on_partial_fill() {
        let mut o = edge(T::Limit, &at_pending_cancel(), &fill("3"), S::PendingCancel);
        assert_eq!(o.filled_qty(), q("3"));
        assert_eq!(o.apply(&cancel_rejected()), Ok(S::PartiallyFilled));
    }
    #[test]
    fn pending_cancel_to_filled() {
        edge(T::Limit, &at_pending_cancel(), &fill("10"), S::Filled);
    }
    #[test]
    fn pending_cancel_to_pending_cancel_on_updated() {
        let path = [submitted(), accepted(), pending_update(), pending_cancel()];
        let o = edge(T::Limit, &path, &updated("6"), S::PendingCancel);
        assert_eq!(o.quantity(), q("6"));
    }
    #[test]
    fn pending_cancel_to_filled_on_updated_down_to_filled() {
        let path = [submitted(), accepted(), fill("6"), pending_update(), pending_cancel()];
        edge(T::Limit, &path, &updated("6"), S::Filled);
    }
    #[test]
    fn pending_cancel_to_pending_cancel_on_modify_rejected() {
        let path = [submitted(), accepted(), pending_update(), pending_cancel()];
        let mut o = edge(T::Limit, &path, &modify_rejected(), S::PendingCancel);
        assert_eq!(o.apply(&cancel_rejected()), Ok(S::Accepted));
    }

    // ---- illegal edges ------------------------------------------------------------------

    fn every_order_event() -> Vec<Event> {
        vec![
            denied(),
            submitted(),
            accepted(),
            rejected(),
            canceled(),
            expired(),
            triggered(),
            pending_update(),
            pending_cancel(),
            updated("10"),
            modify_rejected(),
            cancel_rejected(),
            fill("1"),
            Event::OrderInitialized(init(T::StopLimit, q("10"))),
        ]
    }

    #[test]
    fn terminal_statuses_absorb_every_event() {
        let terminals: [(OrderType, Vec<Event>); 5] = [
            (T::StopLimit, vec![denied()]),
            (T::StopLimit, vec![submitted(), rejected()]),
            (T::StopLimit, vec![submitted(), accepted(), canceled()]),
            (T::StopLimit, vec![submitted(), accepted(), expired()]),
            (T::StopLimit, vec![submitted(), accepted(), fill("10")]),
        ];
        for (order_type, path) in terminals {
            for event in every_order_event() {
                let err = refused(order_type, &path, &event);
                assert!(matches!(err, OrderError::InvalidTransition { .. }), "{err}");
            }
        }
    }

    #[test]
    fn initialized_refuses_everything_but_submit_and_deny() {
        for event in every_order_event() {
            if matches!(event, Event::OrderSubmitted(_) | Event::OrderDenied(_)) {
                continue;
            }
            refused(T::StopLimit, &[], &event);
        }
    }

    #[test]
    fn duplicate_ack_is_refused() {
        let err = refused(T::Limit, &at_accepted(), &accepted());
        assert_eq!(
            err,
            OrderError::InvalidTransition {
                client_order_id: coid(),
                from: S::Accepted,
                event: "OrderAccepted"
            }
        );
        refused(T::Limit, &[submitted(), pending_cancel(), accepted()], &accepted());
        refused(T::Limit, &[submitted(), accepted(), fill("1")], &accepted());
    }

    #[test]
    fn trigger_on_a_non_stop_order_is_refused() {
        let err = refused(T::Limit, &at_accepted(), &triggered());
        assert!(matches!(err, OrderError::NotAStopOrder { order_type: T::Limit, .. }), "{err}");
        refused(T::Market, &at_pending_cancel(), &triggered());
        refused(T::StopLimit, &at_triggered(), &triggered());
        refused(T::StopLimit, &[submitted(), accepted(), fill("1")], &triggered());
    }

    #[test]
    fn answers_without_a_request_are_refused() {
        refused(T::Limit, &at_accepted(), &cancel_rejected());
        refused(T::Limit, &at_accepted(), &modify_rejected());
        refused(T::Limit, &at_accepted(), &updated("9"));
        refused(T::Limit, &at_pending_cancel(), &updated("9"));
        refused(T::Limit, &at_pending_cancel(), &modify_rejected());
        refused(T::Limit, &at_pending_update(), &cancel_rejected());
    }

    #[test]
    fn other_illegal_edges_are_refused() {
        refused(T::Limit, &at_submitted(), &expired());
        refused(T::Limit, &at_submitted(), &submitted());
        refused(T::Limit, &at_accepted(), &rejected());
        refused(T::Limit, &at_accepted(), &denied());
        refused(T::Limit, &at_pending_cancel(), &pending_update());
        refused(T::Limit, &at_pending_cancel(), &rejected());
        refused(T::Limit, &[submitted(), pending_cancel()], &expired());
    }

    #[test]
    fn events_for_something_else_are_refused() {
        let quote = QuoteTick {
            instrument_id: iid(),
            bid_price: p("1"),
            ask_price: p("2"),
            bid_size: q("1"),
            ask_size: q("1"),
            ts_event: TS,
            ts_init: TS,
        };
        let err = refused(T::Limit, &at_accepted(), &quote.into());
        assert!(matches!(err, OrderError::NotAnOrderEvent { event: "QuoteTick", .. }), "{err}");
        let command = CancelOrder {
            strategy_id: sid(),
            instrument_id: iid(),
            client_order_id: coid(),
            ts_event: TS,
            ts_init: TS,
        };
        let err = refused(T::Limit, &at_accepted(), &command.into());
        assert!(matches!(err, OrderError::NotAnOrderEvent { event: "CancelOrder", .. }), "{err}");

        let Event::OrderCanceled(cancel) = canceled() else { unreachable!() };
        let other = ClientOrderId::from_static("O-2");
        let err = refused(
            T::Limit,
            &at_accepted(),
            &OrderCanceled { client_order_id: other, ..cancel }.into(),
        );
        assert!(matches!(err, OrderError::WrongOrder { other: o, .. } if o == other), "{err}");
        let err = refused(
            T::Limit,
            &at_accepted(),
            &OrderCanceled { instrument_id: InstrumentId::from_static("ETHUSDT.SIM"), ..cancel }
                .into(),
        );
        assert!(matches!(err, OrderError::HeaderMismatch { field: "instrument_id", .. }), "{err}");
        let err = refused(
            T::Limit,
            &at_accepted(),
            &OrderCanceled { strategy_id: StrategyId::from_static("S-2"), ..cancel }.into(),
        );
        assert!(matches!(err, OrderError::HeaderMismatch { field: "strategy_id", .. }), "{err}");
    }

    // ---- fills and updates --------------------------------------------------------------

    #[test]
    fn overfill_is_refused_and_leaves_the_order_unchanged() {
        let err = refused(T::Limit, &at_partially_filled(), &fill("7"));
        assert!(matches!(err, OrderError::Overfill { .. }), "{err}");
        let text = err.to_string();
        assert!(text.contains("O-1") && text.contains("overfills"), "{text}");
        refused(T::Limit, &at_accepted(), &fill("10.000000001"));
        refused(T::Limit, &at_pending_cancel(), &fill("11"));
    }

    #[test]
    fn fill_on_the_wrong_side_is_refused() {
        let event = fill_with(OrderSide::Sell, q("1"), p("100"), 900_001);
        let err = refused(T::Limit, &at_accepted(), &event);
        assert!(
            matches!(
                err,
                OrderError::SideMismatch {
                    order_side: OrderSide::Buy,
                    fill_side: OrderSide::Sell,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn empty_and_duplicate_fills_are_refused() {
        let err = refused(T::Limit, &at_accepted(), &fill("0"));
        assert!(matches!(err, OrderError::EmptyFill { .. }), "{err}");
        let first = fill_with(OrderSide::Buy, q("1"), p("100"), 900_002);
        let err = refused(T::Limit, &[submitted(), accepted(), first.clone()], &first);
        assert!(matches!(err, OrderError::DuplicateFill { .. }), "{err}");
    }

    #[test]
    fn update_below_filled_is_refused() {
        let path = [submitted(), accepted(), fill("4"), pending_update()];
        let err = refused(T::Limit, &path, &updated("3"));
        assert_eq!(
            err,
            OrderError::QuantityBelowFilled {
                client_order_id: coid(),
                quantity: q("3"),
                filled_qty: q("4")
            }
        );
        assert!(err.to_string().contains("O-1"));
    }

    #[test]
    fn update_that_does_not_fit_the_order_type_is_refused() {
        let err = refused(T::Limit, &at_pending_update(), &updated_for(T::Market, q("5")));
        assert!(matches!(err, OrderError::InvalidUpdate { .. }), "{err}");
        refused(T::StopLimit, &at_pending_update(), &updated_for(T::Limit, q("5")));
        refused(T::Limit, &at_pending_update(), &updated("0"));
    }

    #[test]
    fn avg_px_is_exact_over_partial_fills() {
        let mut o = driven(T::Limit, &at_accepted());
        assert_eq!(o.avg_px(), None);
        o.apply(&fill_at("1", "100.01")).unwrap();
        assert_eq!(o.avg_px(), Some(px9("100.01")));
        o.apply(&fill_at("2", "100.02")).unwrap();
        // 300.05 / 3 = 100.0166666666...: rounded half away from zero at 9 decimals.
        assert_eq!(o.avg_px().unwrap().raw(), 100_016_666_667);
        assert_eq!(o.avg_px().unwrap().precision(), 9);
        o.apply(&fill_at("3", "100.05")).unwrap();
        // 600.20 / 6 = 100.0333333333...
        assert_eq!(o.avg_px().unwrap().raw(), 100_033_333_333);
        o.apply(&fill_at("4", "99.999")).unwrap();
        // (600.20 + 399.996) / 10 = 100.0196 exactly.
        assert_eq!(o.avg_px(), Some(px9("100.0196")));
        assert_eq!(o.status(), S::Filled);
        assert_eq!(o.trade_ids().len(), 4);
    }

    #[test]
    fn avg_px_is_exact_with_fractional_quantities_and_negative_prices() {
        let mut o = Order::new(&init(T::Limit, q("1.000")));
        for e in [submitted(), accepted(), fill_at("0.3", "61234.50"), fill_at("0.7", "61234.51")] {
            o.apply(&e).unwrap();
        }
        assert_eq!(o.avg_px(), Some(px9("61234.507")));
        let mut o = Order::new(&init(T::Limit, q("3")));
        for e in [submitted(), accepted(), fill_at("1", "-1.00"), fill_at("2", "-2.00")] {
            o.apply(&e).unwrap();
        }
        // -5 / 3 = -1.6666666666...: half away from zero.
        assert_eq!(o.avg_px().unwrap().raw(), -1_666_666_667);
    }

    #[test]
    fn bookkeeping_follows_applied_events_only() {
        let mut o = order(T::Limit);
        assert_eq!((o.ts_init(), o.ts_last(), o.event_count()), (UnixNanos(11), UnixNanos(10), 1));
        o.apply(&submitted()).unwrap();
        let last = fill_with(OrderSide::Buy, q("2"), p("100"), 900_003);
        o.apply(&accepted()).unwrap();
        o.apply(&last).unwrap();
        assert_eq!((o.ts_last(), o.event_count()), (last.ts_event(), 4));
        assert!(o.apply(&denied()).is_err());
        assert_eq!((o.ts_last(), o.event_count()), (last.ts_event(), 4));
        assert_eq!(
            (o.side(), o.order_type(), o.time_in_force()),
            (OrderSide::Buy, T::Limit, TimeInForce::Gtc)
        );
        assert_eq!(
            (o.client_order_id(), o.strategy_id(), o.instrument_id()),
            (coid(), sid(), iid())
        );
        assert_eq!((o.expire_time(), o.post_only(), o.reduce_only()), (None, false, false));
    }

    #[test]
    fn error_messages_name_the_order_and_the_problem() {
        let err = refused(T::Limit, &at_accepted(), &accepted());
        assert_eq!(err.to_string(), "order O-1: OrderAccepted is not allowed in status ACCEPTED");
        let err = refused(T::Limit, &at_accepted(), &triggered());
        assert_eq!(
            err.to_string(),
            "order O-1: OrderTriggered on a LIMIT order (only stop orders trigger)"
        );
    }

    // ---- property test ------------------------------------------------------------------

    /// One random step: an order event of any kind (fills and updates with random sizes), or
    /// an event that is not for this order at all.
    #[derive(Debug, Clone)]
    enum Step {
        Simple(u8),
        Fill { qty: u64, px: i64, sell: bool, trade: u64 },
        Update { qty: u64 },
        Foreign,
    }

    /// Steps weighted so that runs reach the deep states (terminal events are rarer).
    fn step() -> impl Strategy<Value = Step> {
        let simple = |k: u8| Just(Step::Simple(k));
        prop_oneof![
            1 => simple(0),
            6 => simple(1),
            6 => simple(2),
            1 => simple(3),
            1 => simple(4),
            1 => simple(5),
            4 => simple(6),
            4 => simple(7),
            4 => simple(8),
            3 => simple(9),
            3 => simple(10),
            1 => simple(11),
            8 => (0u64..=12, 9_000i64..11_000, prop::bool::weighted(0.05), 0u64..40)
                .prop_map(|(qty, px, sell, trade)| Step::Fill { qty, px, sell, trade }),
            3 => (0u64..=14).prop_map(|qty| Step::Update { qty }),
            1 => Just(Step::Foreign),
        ]
    }

    fn build(order_type: OrderType, step: &Step) -> Event {
        match *step {
            Step::Simple(k) => match k {
                0 => denied(),
                1 => submitted(),
                2 => accepted(),
                3 => rejected(),
                4 => canceled(),
                5 => expired(),
                6 => triggered(),
                7 => pending_update(),
                8 => pending_cancel(),
                9 => modify_rejected(),
                10 => cancel_rejected(),
                _ => Event::OrderInitialized(init(order_type, q("1"))),
            },
            Step::Fill { qty, px, sell, trade } => {
                let side = if sell { OrderSide::Sell } else { OrderSide::Buy };
                let qty = Quantity::from_mantissa(qty, 0).unwrap();
                fill_with(side, qty, Price::from_mantissa(px, 2).unwrap(), trade)
            }
            Step::Update { qty } => {
                updated_for(order_type, Quantity::from_mantissa(qty, 0).unwrap())
            }
            Step::Foreign => {
                let Event::OrderCanceled(c) = canceled() else { unreachable!() };
                OrderCanceled { client_order_id: ClientOrderId::from_static("O-other"), ..c }.into()
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn random_event_sequences_keep_the_invariants(
            order_type in prop::sample::select(T::ALL.to_vec()),
            quantity in 1u64..=20,
            steps in prop::collection::vec(step(), 0..40),
        ) {
            let mut o = Order::new(&init(order_type, Quantity::from_mantissa(quantity, 0).unwrap()));
            for step in &steps {
                let event = build(order_type, step);
                let before = o.clone();
                let result = o.apply(&event);
                if let Ok(status) = result {
                    prop_assert!(!before.is_terminal(), "{} changed a terminal order", event.kind());
                    prop_assert_eq!(status, o.status());
                    prop_assert_eq!(o.event_count(), before.event_count() + 1);
                } else {
                    prop_assert_eq!(&o, &before, "an error changed the order");
                }
                if before.is_terminal() {
                    prop_assert_eq!(o.status(), before.status());
                }
                prop_assert!(o.filled_qty() >= before.filled_qty());
                prop_assert!(o.filled_qty() <= o.quantity());
                prop_assert_eq!(o.leaves_qty().raw() + o.filled_qty().raw(), o.quantity().raw());
                prop_assert_eq!(o.avg_px().is_some(), !o.filled_qty().is_zero());
                prop_assert_eq!(o.status() == S::Filled, o.leaves_qty().is_zero());
                // Internal bookkeeping: `working` is never a pending status, equals the status
                // whenever no request is pending, and PendingUpdate means a modify is unanswered.
                prop_assert!(!matches!(o.working, S::PendingUpdate | S::PendingCancel));
                if !matches!(o.status(), S::PendingUpdate | S::PendingCancel) {
                    prop_assert_eq!(o.working, o.status());
                }
                if !o.is_terminal() && o.status() != S::PendingCancel {
                    prop_assert_eq!(o.status() == S::PendingUpdate, o.pending_updates > 0);
                }
            }
        }
    }
}
