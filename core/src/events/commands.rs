//! Commands: what strategies and operators ask the engine to do. They are events too, so the
//! log shows who asked for what, and when.

use crate::types::{
    ClientOrderId, InstrumentId, OrderSide, OrderType, Price, Quantity, StrategyId, TimeInForce,
    UnixNanos,
};
use serde::{Deserialize, Serialize};

/// Submit a new order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitOrder {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub side: OrderSide,
    pub order_type: OrderType,
    pub quantity: Quantity,
    /// Limit price: required for `LIMIT` and `STOP_LIMIT`, absent otherwise.
    pub price: Option<Price>,
    /// Trigger price: required for `STOP_MARKET` and `STOP_LIMIT`, absent otherwise.
    pub trigger_price: Option<Price>,
    pub time_in_force: TimeInForce,
    /// Required for GTD.
    pub expire_time: Option<UnixNanos>,
    pub post_only: bool,
    pub reduce_only: bool,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// Cancel one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelOrder {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// Change an open order's quantity, price or trigger price; absent fields stay as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModifyOrder {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub quantity: Option<Quantity>,
    pub price: Option<Price>,
    pub trigger_price: Option<Price>,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// Cancel every open order, optionally of one strategy and/or one instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelAllOrders {
    pub strategy_id: Option<StrategyId>,
    pub instrument_id: Option<InstrumentId>,
    /// Who asked, for the audit trail (e.g. `operator`, a strategy id).
    pub source: String,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// Cancel every open order and close every position with market orders, optionally scoped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flatten {
    pub strategy_id: Option<StrategyId>,
    pub instrument_id: Option<InstrumentId>,
    pub source: String,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// Stop all new orders and modifications; cancels still pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Halt {
    pub reason: String,
    pub source: String,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// Return to ACTIVE trading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resume {
    pub reason: String,
    pub source: String,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}
