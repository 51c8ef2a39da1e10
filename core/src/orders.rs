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
    NotAnOrderEvent {
        client_order_id: ClientOrderId,
        event: &'static str,
    },
    /// The event names a different order.
    #[error("order {client_order_id}: {event} is for order {other}")]
    WrongOrder {
        client_order_id: ClientOrderId,
        other: ClientOrderId,
        event: &'static str,
    },
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
    InvalidTransition {
        client_order_id: ClientOrderId,
        from: OrderStatus,
        event: &'static str,
    },
    /// Only stop orders can be triggered.
    #[error("order {client_order_id}: OrderTriggered on a {order_type} order (only stop orders trigger)")]
    NotAStopOrder {
        client_order_id: ClientOrderId,
        order_type: OrderType,
    },
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
    EmptyFill {
        client_order_id: ClientOrderId,
        trade_id: TradeId,
    },
    /// A fill whose trade id this order has already seen.
    #[error("order {client_order_id}: fill {trade_id} was already applied")]
    DuplicateFill {
        client_order_id: ClientOrderId,
        trade_id: TradeId,
    },
    /// An update that would leave the order smaller than what already filled.
    #[error(
        "order {client_order_id}: updated quantity {quantity} is below the filled quantity {filled_qty}"
    )]
    QuantityBelowFilled {
        client_order_id: ClientOrderId,
        quantity: Quantity,
        filled_qty: Quantity,
    },
    /// An update whose fields do not fit the order type.
    #[error("order {client_order_id}: invalid update for a {order_type} order: {reason}")]
    InvalidUpdate {
        client_order_id: ClientOrderId,
        order_type: OrderType,
        reason: &'static str,
    },
    /// Fixed-point arithmetic left its range.
    #[error("order {client_order_id}: {what} overflows")]
    Overflow {
        client_order_id: ClientOrderId,
        what: &'static str,
    },
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
    Fill {
        filled_qty: Quantity,
        px_qty_sum: i128,
        trade_id: TradeId,
    },
    Update {
        quantity: Quantity,
        price: Option<Price>,
        trigger_price: Option<Price>,
    },
}

impl Order {
    /// A new order in status Initialized, with the terms of its initialization event.
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
        let not_ours = || OrderError::NotAnOrderEvent {
            client_order_id: self.client_order_id,
            event: kind,
        };
        if event.is_command() {
            return Err(not_ours());
        }
        let (Some(coid), Some(iid), Some(sid)) = (
            event.client_order_id(),
            event.instrument_id(),
            event.strategy_id(),
        ) else {
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
            return Err(OrderError::EmptyFill {
                client_order_id: coid,
                trade_id: fill.trade_id,
            });
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
        let overflow = |what| OrderError::Overflow {
            client_order_id: coid,
            what,
        };
        let filled_qty = self
            .filled_qty
            .checked_add(fill.last_qty)
            .map_err(|_| overflow("filled quantity"))?;
        let px_qty_sum = i128::from(fill.last_px.raw())
            .checked_mul(i128::from(fill.last_qty.raw()))
            .and_then(|notional| self.px_qty_sum.checked_add(notional))
            .ok_or_else(|| overflow("price-quantity sum"))?;
        Ok(Change::Fill {
            filled_qty,
            px_qty_sum,
            trade_id: fill.trade_id,
        })
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
            return Err(invalid(
                "price must be given exactly for LIMIT and STOP_LIMIT",
            ));
        }
        if update.trigger_price.is_some() != self.order_type.has_trigger() {
            return Err(invalid(
                "trigger price must be given exactly for stop orders",
            ));
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
            Change::Fill {
                filled_qty,
                px_qty_sum,
                trade_id,
            } => {
                self.filled_qty = filled_qty;
                self.px_qty_sum = px_qty_sum;
                self.trade_ids.push(trade_id);
            }
            Change::Update {
                quantity,
                price,
                trigger_price,
            } => {
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
        if !matches!(
            next,
            OrderStatus::PendingUpdate | OrderStatus::PendingCancel
        ) {
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
