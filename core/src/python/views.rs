//! Light, read-only Python views of engine values: what strategy callbacks receive and what the
//! engine's read accessors return. Each holds a copy of the engine value and builds Python
//! objects only for the attributes that are read.

use super::types::{PyMoney, PyPrice, PyQuantity};
use crate::book::OrderBook;
use crate::events::{AccountBalance, BookLevel, QuoteTick, TradeTick};
use crate::orders::Order;
use crate::portfolio::Position;
use crate::types::OrderSide;
use pyo3::prelude::*;

/// A best bid and ask (`on_quote_tick`'s argument). Prices are `Price`; `*_raw` are the raw
/// 10^-9 integers, the cheap form for arithmetic in hot callbacks. Read-only from Python; the
/// strategy adapter refills an instance nobody else holds instead of allocating a new one.
#[pyclass(name = "QuoteTick", module = "nautui._core")]
pub struct PyQuoteTick(pub QuoteTick);

#[pymethods]
impl PyQuoteTick {
    #[getter]
    fn instrument_id(&self) -> &str {
        self.0.instrument_id.as_str()
    }
    #[getter]
    fn bid_price(&self) -> PyPrice {
        PyPrice(self.0.bid_price)
    }
    #[getter]
    fn ask_price(&self) -> PyPrice {
        PyPrice(self.0.ask_price)
    }
    #[getter]
    fn bid_size(&self) -> PyQuantity {
        PyQuantity(self.0.bid_size)
    }
    #[getter]
    fn ask_size(&self) -> PyQuantity {
        PyQuantity(self.0.ask_size)
    }
    #[getter]
    fn bid_raw(&self) -> i64 {
        self.0.bid_price.raw()
    }
    #[getter]
    fn ask_raw(&self) -> i64 {
        self.0.ask_price.raw()
    }
    /// `bid_raw + ask_raw`: twice the mid, exact.
    #[getter]
    fn mid2_raw(&self) -> i128 {
        i128::from(self.0.bid_price.raw()) + i128::from(self.0.ask_price.raw())
    }
    /// The mid price as a float, for signals and indicators (never for money).
    #[getter]
    fn mid(&self) -> f64 {
        (self.0.bid_price.raw() as f64 + self.0.ask_price.raw() as f64) * 0.5e-9
    }
    #[getter]
    fn ts_event(&self) -> u64 {
        self.0.ts_event.0
    }
    #[getter]
    fn ts_init(&self) -> u64 {
        self.0.ts_init.0
    }
    fn __repr__(&self) -> String {
        let q = &self.0;
        format!(
            "QuoteTick({} {} @ {} / {} @ {}, ts={})",
            q.instrument_id, q.bid_size, q.bid_price, q.ask_size, q.ask_price, q.ts_init.0
        )
    }
}

/// One trade (`on_trade_tick`'s argument).
#[pyclass(name = "TradeTick", module = "nautui._core", frozen)]
pub struct PyTradeTick(pub TradeTick);

#[pymethods]
impl PyTradeTick {
    #[getter]
    fn instrument_id(&self) -> &str {
        self.0.instrument_id.as_str()
    }
    #[getter]
    fn price(&self) -> PyPrice {
        PyPrice(self.0.price)
    }
    #[getter]
    fn size(&self) -> PyQuantity {
        PyQuantity(self.0.size)
    }
    #[getter]
    fn price_raw(&self) -> i64 {
        self.0.price.raw()
    }
    #[getter]
    fn aggressor_side(&self) -> &'static str {
        self.0.aggressor_side.as_str()
    }
    #[getter]
    fn trade_id(&self) -> &str {
        self.0.trade_id.as_str()
    }
    #[getter]
    fn ts_event(&self) -> u64 {
        self.0.ts_event.0
    }
    #[getter]
    fn ts_init(&self) -> u64 {
        self.0.ts_init.0
    }
    fn __repr__(&self) -> String {
        let t = &self.0;
        format!("TradeTick({} {} @ {}, ts={})", t.instrument_id, t.size, t.price, t.ts_init.0)
    }
}

fn levels(levels: &[BookLevel]) -> Vec<(PyPrice, PyQuantity)> {
    levels.iter().map(|l| (PyPrice(l.price), PyQuantity(l.size))).collect()
}

/// The top levels of an order book (`on_book`'s argument): bids best first, asks best first.
#[pyclass(name = "BookView", module = "nautui._core", frozen)]
pub struct PyBookView {
    instrument_id: String,
    sequence: u64,
    bids: Vec<BookLevel>,
    asks: Vec<BookLevel>,
}

impl PyBookView {
    pub fn new(book: &OrderBook, depth: usize) -> Self {
        Self {
            instrument_id: book.instrument_id().to_string(),
            sequence: book.sequence(),
            bids: book.depth(OrderSide::Buy, depth),
            asks: book.depth(OrderSide::Sell, depth),
        }
    }
}

#[pymethods]
impl PyBookView {
    #[getter]
    fn instrument_id(&self) -> &str {
        &self.instrument_id
    }
    #[getter]
    fn sequence(&self) -> u64 {
        self.sequence
    }
    #[getter]
    fn bids(&self) -> Vec<(PyPrice, PyQuantity)> {
        levels(&self.bids)
    }
    #[getter]
    fn asks(&self) -> Vec<(PyPrice, PyQuantity)> {
        levels(&self.asks)
    }
    fn __repr__(&self) -> String {
        format!(
            "BookView({} seq={} bids={} asks={})",
            self.instrument_id,
            self.sequence,
            self.bids.len(),
            self.asks.len()
        )
    }
}

/// An order as the engine knows it now.
#[pyclass(name = "Order", module = "nautui._core", frozen)]
pub struct PyOrder(pub Order);

#[pymethods]
impl PyOrder {
    #[getter]
    fn client_order_id(&self) -> String {
        self.0.client_order_id().to_string()
    }
    #[getter]
    fn strategy_id(&self) -> String {
        self.0.strategy_id().to_string()
    }
    #[getter]
    fn instrument_id(&self) -> String {
        self.0.instrument_id().to_string()
    }
    #[getter]
    fn side(&self) -> &'static str {
        self.0.side().as_str()
    }
    #[getter]
    fn order_type(&self) -> &'static str {
        self.0.order_type().as_str()
    }
    #[getter]
    fn status(&self) -> &'static str {
        self.0.status().as_str()
    }
    #[getter]
    fn time_in_force(&self) -> &'static str {
        self.0.time_in_force().as_str()
    }
    #[getter]
    fn quantity(&self) -> PyQuantity {
        PyQuantity(self.0.quantity())
    }
    #[getter]
    fn filled_qty(&self) -> PyQuantity {
        PyQuantity(self.0.filled_qty())
    }
    #[getter]
    fn leaves_qty(&self) -> PyQuantity {
        PyQuantity(self.0.leaves_qty())
    }
    #[getter]
    fn price(&self) -> Option<PyPrice> {
        self.0.price().map(PyPrice)
    }
    #[getter]
    fn trigger_price(&self) -> Option<PyPrice> {
        self.0.trigger_price().map(PyPrice)
    }
    #[getter]
    fn avg_px(&self) -> Option<PyPrice> {
        self.0.avg_px().map(PyPrice)
    }
    #[getter]
    fn venue_order_id(&self) -> Option<String> {
        self.0.venue_order_id().map(|v| v.to_string())
    }
    #[getter]
    fn post_only(&self) -> bool {
        self.0.post_only()
    }
    #[getter]
    fn reduce_only(&self) -> bool {
        self.0.reduce_only()
    }
    #[getter]
    fn is_open(&self) -> bool {
        self.0.is_open()
    }
    #[getter]
    fn is_terminal(&self) -> bool {
        self.0.is_terminal()
    }
    fn __repr__(&self) -> String {
        let o = &self.0;
        format!(
            "Order({} {} {} {} {} filled {})",
            o.client_order_id(),
            o.status(),
            o.side(),
            o.order_type(),
            o.quantity(),
            o.filled_qty()
        )
    }
}

/// A strategy's net position in one instrument.
#[pyclass(name = "Position", module = "nautui._core", frozen)]
pub struct PyPosition(pub Position);

#[pymethods]
impl PyPosition {
    #[getter]
    fn position_id(&self) -> String {
        self.0.id().to_string()
    }
    #[getter]
    fn instrument_id(&self) -> String {
        self.0.instrument_id().to_string()
    }
    #[getter]
    fn strategy_id(&self) -> String {
        self.0.strategy_id().to_string()
    }
    #[getter]
    fn side(&self) -> &'static str {
        self.0.side().as_str()
    }
    /// Signed quantity in raw 10^-9 units (positive long).
    #[getter]
    fn signed_qty_raw(&self) -> i128 {
        self.0.signed_qty_raw()
    }
    #[getter]
    fn quantity(&self) -> PyResult<PyQuantity> {
        self.0.quantity().map(PyQuantity).map_err(|e| super::errors::core(e.into()))
    }
    #[getter]
    fn avg_px_open(&self) -> PyResult<PyPrice> {
        self.0.avg_px_open().map(PyPrice).map_err(|e| super::errors::core(e.into()))
    }
    #[getter]
    fn realized_pnl(&self) -> PyMoney {
        PyMoney(self.0.realized_pnl())
    }
    #[getter]
    fn fees(&self) -> PyMoney {
        PyMoney(self.0.fees())
    }
    fn __repr__(&self) -> String {
        format!(
            "Position({} {} {} raw={})",
            self.0.instrument_id(),
            self.0.strategy_id(),
            self.0.side(),
            self.0.signed_qty_raw()
        )
    }
}

/// One currency's balance: total, locked in orders, free.
#[pyclass(name = "Balance", module = "nautui._core", frozen)]
pub struct PyBalance(pub AccountBalance);

#[pymethods]
impl PyBalance {
    #[getter]
    fn currency(&self) -> &str {
        self.0.currency.as_str()
    }
    #[getter]
    fn total(&self) -> PyMoney {
        PyMoney(self.0.total)
    }
    #[getter]
    fn locked(&self) -> PyMoney {
        PyMoney(self.0.locked)
    }
    #[getter]
    fn free(&self) -> PyMoney {
        PyMoney(self.0.free)
    }
    fn __repr__(&self) -> String {
        format!("Balance({} total={} free={})", self.0.currency, self.0.total, self.0.free)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyQuoteTick>()?;
    m.add_class::<PyTradeTick>()?;
    m.add_class::<PyBookView>()?;
    m.add_class::<PyOrder>()?;
    m.add_class::<PyPosition>()?;
    m.add_class::<PyBalance>()?;
    Ok(())
}
