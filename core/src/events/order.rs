//! Order events: everything that happens to an order, from creation to a terminal state.
//! Each names the order by strategy, instrument and client order id.

use crate::types::{
    AccountId, ClientOrderId, InstrumentId, LiquiditySide, Money, OrderSide, OrderType, Price,
    Quantity, StrategyId, TimeInForce, TradeId, UnixNanos, VenueOrderId,
};
use serde::{Deserialize, Serialize};

/// The order exists in the engine; nothing has been checked or sent yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderInitialized {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub side: OrderSide,
    pub order_type: OrderType,
    pub quantity: Quantity,
    pub price: Option<Price>,
    pub trigger_price: Option<Price>,
    pub time_in_force: TimeInForce,
    pub expire_time: Option<UnixNanos>,
    pub post_only: bool,
    pub reduce_only: bool,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// A refusal without a venue: by the risk engine or the engine's own validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderDenied {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub reason: String,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// Sent to the venue (durable in the log before it leaves, in live trading).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderSubmitted {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub account_id: AccountId,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// The venue acknowledged the order and it is working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderAccepted {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub venue_order_id: VenueOrderId,
    pub account_id: AccountId,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// The venue refused the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderRejected {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub account_id: AccountId,
    pub reason: String,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// The order is canceled (by request, IOC/FOK remainder, or the venue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderCanceled {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub venue_order_id: Option<VenueOrderId>,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// The venue ended the order without a request: a GTD or DAY order reached its expiry
/// (`reason` nil), or the venue expired it when it became active or would fill (a reduce-only
/// order that would increase the position, a post-only order that would take), with a reason
/// that starts with a stable code like a rejection's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderExpired {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub venue_order_id: Option<VenueOrderId>,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
    /// Last, and nil when absent, so logs written before it existed still read.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A stop order's trigger price was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderTriggered {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub venue_order_id: Option<VenueOrderId>,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// A modify request is on its way to the venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderPendingUpdate {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub venue_order_id: Option<VenueOrderId>,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// A cancel request is on its way to the venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderPendingCancel {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub venue_order_id: Option<VenueOrderId>,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// The venue applied a modification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderUpdated {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub venue_order_id: Option<VenueOrderId>,
    pub quantity: Quantity,
    pub price: Option<Price>,
    pub trigger_price: Option<Price>,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// The venue refused a modification; the order keeps working as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderModifyRejected {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub venue_order_id: Option<VenueOrderId>,
    pub reason: String,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// The venue refused a cancel; the order keeps working as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderCancelRejected {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub venue_order_id: Option<VenueOrderId>,
    pub reason: String,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// Some or all of the order traded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderFilled {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub venue_order_id: VenueOrderId,
    pub account_id: AccountId,
    pub trade_id: TradeId,
    pub side: OrderSide,
    pub order_type: OrderType,
    pub last_qty: Quantity,
    pub last_px: Price,
    pub commission: Money,
    pub liquidity_side: LiquiditySide,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}
