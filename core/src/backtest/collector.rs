//! What a backtest keeps of the engine's output, built from each drained batch of events in
//! order: a hash of the whole stream and the fill and order tables as columns.
//!
//! - The stream hash is BLAKE3 over every event's MessagePack with named fields (the bytes an
//!   event log stores as its payload), concatenated in order. MessagePack delimits itself, so
//!   the hash depends only on the events and their order, never on how the output was batched.
//! - Fills: one row per `OrderFilled`, in order.
//! - Orders: one row per `OrderInitialized`, in order, with the order's state after every
//!   event seen so far, folded by the same order state machine as the engine's (`Order::apply`;
//!   an event it refuses is not applied, as in the engine). So the collector needs nothing but
//!   the events, and closed orders leave its map as they close.
//!
//! Values become `f64` (display units) only here, correctly rounded from the exact decimal.

use crate::events::{CodecError, Event, OrderFilled};
use crate::orders::Order;
use crate::types::{ClientOrderId, IdMap, Price, FIXED_PRECISION, FIXED_SCALE};

/// An Arrow `large_utf8` column: row `i` is `data[offsets[i]..offsets[i + 1]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringColumn {
    pub offsets: Vec<i64>,
    pub data: Vec<u8>,
}

impl Default for StringColumn {
    fn default() -> Self {
        Self { offsets: vec![0], data: Vec::new() }
    }
}

impl StringColumn {
    pub fn push(&mut self, text: &str) {
        self.data.extend_from_slice(text.as_bytes());
        self.offsets.push(self.data.len() as i64);
    }

    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i`'s text.
    pub fn get(&self, i: usize) -> Option<&str> {
        let start = usize::try_from(*self.offsets.get(i)?).ok()?;
        let end = usize::try_from(*self.offsets.get(i + 1)?).ok()?;
        std::str::from_utf8(self.data.get(start..end)?).ok()
    }
}

/// The fills table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FillColumns {
    pub ts_event: Vec<u64>,
    pub ts_init: Vec<u64>,
    pub client_order_id: StringColumn,
    pub strategy_id: StringColumn,
    pub instrument_id: StringColumn,
    pub trade_id: StringColumn,
    pub side: StringColumn,
    pub last_qty: Vec<f64>,
    pub last_px: Vec<f64>,
    pub commission: Vec<f64>,
    pub liquidity_side: StringColumn,
}

impl FillColumns {
    fn push(&mut self, fill: &OrderFilled) {
        self.ts_event.push(fill.ts_event.0);
        self.ts_init.push(fill.ts_init.0);
        self.client_order_id.push(fill.client_order_id.as_str());
        self.strategy_id.push(fill.strategy_id.as_str());
        self.instrument_id.push(fill.instrument_id.as_str());
        self.trade_id.push(fill.trade_id.as_str());
        self.side.push(fill.side.as_str());
        self.last_qty.push(units(i128::from(fill.last_qty.raw())));
        self.last_px.push(units(i128::from(fill.last_px.raw())));
        self.commission.push(units(fill.commission.amount));
        self.liquidity_side.push(fill.liquidity_side.as_str());
    }

    pub fn len(&self) -> usize {
        self.ts_init.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ts_init.is_empty()
    }
}

/// The orders table; `price` is 0 where `price_valid` is false (orders without a price).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderColumns {
    pub client_order_id: StringColumn,
    pub strategy_id: StringColumn,
    pub instrument_id: StringColumn,
    pub side: StringColumn,
    pub order_type: StringColumn,
    pub time_in_force: StringColumn,
    pub quantity: Vec<f64>,
    pub price: Vec<f64>,
    pub price_valid: Vec<bool>,
    pub status: StringColumn,
    pub filled_qty: Vec<f64>,
    pub ts_init: Vec<u64>,
}

impl OrderColumns {
    fn push(&mut self, o: &Order) {
        self.client_order_id.push(o.client_order_id().as_str());
        self.strategy_id.push(o.strategy_id().as_str());
        self.instrument_id.push(o.instrument_id().as_str());
        self.side.push(o.side().as_str());
        self.order_type.push(o.order_type().as_str());
        self.time_in_force.push(o.time_in_force().as_str());
        self.quantity.push(units(i128::from(o.quantity().raw())));
        self.price.push(o.price().map_or(0.0, |p: Price| units(i128::from(p.raw()))));
        self.price_valid.push(o.price().is_some());
        self.status.push(o.status().as_str());
        self.filled_qty.push(units(i128::from(o.filled_qty().raw())));
        self.ts_init.push(o.ts_init().0);
    }

    pub fn len(&self) -> usize {
        self.ts_init.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ts_init.is_empty()
    }
}

/// Hashes the stream and keeps the fill and order tables (see the module docs). A plain
/// consumer of drained event batches.
#[derive(Debug, Clone, Default)]
pub struct ResultCollector {
    hasher: blake3::Hasher,
    encoded: Vec<u8>,
    events: u64,
    fills: FillColumns,
    /// Every order, in the order they were created, as last seen.
    orders: Vec<Order>,
    /// Orders not closed yet: their row.
    open: IdMap<ClientOrderId, usize>,
}

impl ResultCollector {
    pub fn new() -> Self {
        Self::default()
    }

    /// One drained batch of events, in order.
    pub fn feed(&mut self, events: &[Event]) -> Result<(), CodecError> {
        self.encoded.clear();
        for event in events {
            rmp_serde::encode::write_named(&mut self.encoded, event)
                .map_err(|e| CodecError::Encode(e.to_string()))?;
            self.fold(event);
        }
        self.hasher.update(&self.encoded);
        self.events += events.len() as u64;
        Ok(())
    }

    fn fold(&mut self, event: &Event) {
        match event {
            Event::OrderInitialized(init) => {
                self.open.insert(init.client_order_id, self.orders.len());
                self.orders.push(Order::new(init));
                return;
            }
            Event::OrderFilled(fill) => self.fills.push(fill),
            _ => {}
        }
        let Some(id) = event.client_order_id() else { return };
        let Some(&row) = self.open.get(&id) else { return };
        // A transition the state machine refuses is not applied, as in the engine.
        if let Ok(status) = self.orders[row].apply(event) {
            if status.is_terminal() {
                self.open.remove(&id);
            }
        }
    }

    /// Events seen.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// BLAKE3 of the stream so far.
    pub fn stream_hash(&self) -> [u8; 32] {
        *self.hasher.finalize().as_bytes()
    }

    pub fn fills(&self) -> &FillColumns {
        &self.fills
    }

    /// Every order seen, in the order they were created, as it stands now.
    pub fn orders(&self) -> OrderColumns {
        let mut columns = OrderColumns::default();
        for order in &self.orders {
            columns.push(order);
        }
        columns
    }
}

/// Raw 10^-9 units as the nearest `f64` (what Python's `float(Decimal)` gives): the division of
/// two exact doubles is correctly rounded; beyond 2^53 the decimal text is parsed instead.
pub fn units(raw: i128) -> f64 {
    const EXACT: u128 = 1 << 53;
    if raw.unsigned_abs() < EXACT {
        return raw as f64 / FIXED_SCALE as f64;
    }
    let scale = u128::from(FIXED_SCALE.unsigned_abs());
    let abs = raw.unsigned_abs();
    let sign = if raw < 0 { "-" } else { "" };
    let text =
        format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = FIXED_PRECISION as usize);
    text.parse().unwrap_or(raw as f64 / FIXED_SCALE as f64)
}
