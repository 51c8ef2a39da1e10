//! Order arguments from Python: side, type and time in force as their wire text (or the
//! `nautui.events` enums, which are that text), prices and quantities as `Price`/`Quantity` or
//! exact decimal text read at the instrument's precision.

use super::errors;
use super::types::{DecimalText, PyPrice, PyQuantity};
use crate::strategy::OrderRequest;
use crate::types::{Instrument, OrderSide, OrderType, Price, Quantity, TimeInForce, UnixNanos};
use pyo3::prelude::*;

pub fn price(field: &str, value: &Bound<'_, PyAny>, precision: u8) -> PyResult<Price> {
    if let Ok(p) = value.downcast::<PyPrice>() {
        return Ok(p.get().0);
    }
    let text: DecimalText = value.extract()?;
    Price::parse_with_precision(&text.0, precision).map_err(|e| errors::fixed(field, &e))
}

pub fn quantity(field: &str, value: &Bound<'_, PyAny>, precision: u8) -> PyResult<Quantity> {
    if let Ok(q) = value.downcast::<PyQuantity>() {
        return Ok(q.get().0);
    }
    let text: DecimalText = value.extract()?;
    Quantity::parse_with_precision(&text.0, precision).map_err(|e| errors::fixed(field, &e))
}

fn word<T>(field: &str, text: &str, parse: fn(&str) -> Option<T>, all: &[&str]) -> PyResult<T> {
    parse(&text.to_ascii_uppercase())
        .ok_or_else(|| errors::invalid_value(field, format!("{text:?} is not one of {all:?}")))
}

pub fn side(text: &str) -> PyResult<OrderSide> {
    word("side", text, OrderSide::parse, &["BUY", "SELL"])
}

/// The arguments of a submit, checked against the instrument's grid and the order type.
#[allow(clippy::too_many_arguments)] // one argument per field of an order
pub fn request(
    instrument: &Instrument,
    side_text: &str,
    order_type: &str,
    qty: &Bound<'_, PyAny>,
    px: Option<&Bound<'_, PyAny>>,
    trigger: Option<&Bound<'_, PyAny>>,
    time_in_force: Option<&str>,
    expire_time: Option<u64>,
    post_only: bool,
    reduce_only: bool,
) -> PyResult<OrderRequest> {
    let order_type = word(
        "order_type",
        order_type,
        OrderType::parse,
        &["MARKET", "LIMIT", "STOP_MARKET", "STOP_LIMIT"],
    )?;
    let default_tif = if order_type == OrderType::Market { "IOC" } else { "GTC" };
    let time_in_force = word(
        "time_in_force",
        time_in_force.unwrap_or(default_tif),
        TimeInForce::parse,
        &["GTC", "IOC", "FOK", "GTD", "DAY"],
    )?;
    let pp = instrument.price_precision;
    let request = OrderRequest {
        instrument_id: instrument.id,
        side: side(side_text)?,
        order_type,
        quantity: quantity("quantity", qty, instrument.size_precision)?,
        price: px.map(|p| price("price", p, pp)).transpose()?,
        trigger_price: trigger.map(|p| price("trigger_price", p, pp)).transpose()?,
        time_in_force,
        expire_time: expire_time.map(UnixNanos),
        post_only,
        reduce_only,
    };
    request.validate().map_err(|e| errors::core(e.into()))?;
    request.check_instrument(instrument).map_err(|e| errors::instrument(&e))?;
    Ok(request)
}
