//! Orders as rows: the open orders pane, the replay's recent closed orders, the order ticket.

use crate::engine::EngineState;
use crate::orders::Order;
use crate::types::{
    ClientOrderId, InstrumentId, OrderSide, OrderStatus, OrderType, Price, Quantity, StrategyId,
    TimeInForce, UnixNanos,
};
use serde::{Deserialize, Serialize};

/// One order.
#[allow(clippy::struct_excessive_bools)] // the order's own flags
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRow {
    pub client_order_id: ClientOrderId,
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub side: OrderSide,
    pub order_type: OrderType,
    pub time_in_force: TimeInForce,
    pub status: OrderStatus,
    pub quantity: Quantity,
    pub filled_qty: Quantity,
    pub leaves_qty: Quantity,
    pub price: Option<Price>,
    pub trigger_price: Option<Price>,
    pub avg_px: Option<Price>,
    pub post_only: bool,
    pub reduce_only: bool,
    /// Submitted, in flight to the venue without an acknowledgement yet.
    pub in_flight: bool,
    /// When it was created, and its last event.
    pub ts_init: UnixNanos,
    pub ts_last: UnixNanos,
}

pub fn order_row(order: &Order) -> OrderRow {
    OrderRow {
        client_order_id: order.client_order_id(),
        strategy_id: order.strategy_id(),
        instrument_id: order.instrument_id(),
        side: order.side(),
        order_type: order.order_type(),
        time_in_force: order.time_in_force(),
        status: order.status(),
        quantity: order.quantity(),
        filled_qty: order.filled_qty(),
        leaves_qty: order.leaves_qty(),
        price: order.price(),
        trigger_price: order.trigger_price(),
        avg_px: order.avg_px(),
        post_only: order.post_only(),
        reduce_only: order.reduce_only(),
        in_flight: order.is_in_flight(),
        ts_init: order.ts_init(),
        ts_last: order.ts_last(),
    }
}

/// Working and in-flight orders, oldest first.
pub fn open_orders(state: &EngineState) -> Vec<OrderRow> {
    state.open_orders().map(order_row).collect()
}
