//! Order arguments from Python, in the one order every submit takes (the engine's, a
//! strategy's, the console's ticket): instrument, side, quantity, order type, then the optional
//! fields by keyword. Side, type and time in force are their wire text (or the `nautui.events`
//! enums, which are that text); prices and quantities are `Price`/`Quantity` or exact decimal
//! text read at the instrument's precision.

use super::errors;
use super::types::{DecimalText, PyPrice, PyQuantity};
use crate::strategy::{default_time_in_force, OrderRequest};
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

/// The optional fields of an order, by keyword.
#[derive(Default)]
pub struct Extras<'py> {
    pub price: Option<Bound<'py, PyAny>>,
    pub trigger_price: Option<Bound<'py, PyAny>>,
    pub time_in_force: Option<String>,
    pub expire_time: Option<u64>,
    pub post_only: bool,
    pub reduce_only: bool,
}

/// A submit's arguments, read at the instrument's precision and checked against the order type
/// and the instrument's grid (the error names the field).
pub fn request(
    instrument: &Instrument,
    side_text: &str,
    qty: &Bound<'_, PyAny>,
    order_type: &str,
    extras: &Extras<'_>,
) -> PyResult<OrderRequest> {
    let order_type = word(
        "order_type",
        order_type,
        OrderType::parse,
        &["MARKET", "LIMIT", "STOP_MARKET", "STOP_LIMIT"],
    )?;
    let time_in_force = match extras.time_in_force.as_deref() {
        Some(text) => {
            word("time_in_force", text, TimeInForce::parse, &["GTC", "IOC", "FOK", "GTD", "DAY"])?
        }
        None => default_time_in_force(order_type),
    };
    let pp = instrument.price_precision;
    let mut request = OrderRequest::new(
        instrument.id,
        side(side_text)?,
        quantity("quantity", qty, instrument.size_precision)?,
        order_type,
    );
    request.price = extras.price.as_ref().map(|p| price("price", p, pp)).transpose()?;
    request.trigger_price =
        extras.trigger_price.as_ref().map(|p| price("trigger_price", p, pp)).transpose()?;
    request.time_in_force = time_in_force;
    request.expire_time = extras.expire_time.map(UnixNanos);
    request.post_only = extras.post_only;
    request.reduce_only = extras.reduce_only;
    request.validate().map_err(|e| errors::core(e.into()))?;
    request.check_instrument(instrument).map_err(|e| errors::instrument(&e))?;
    Ok(request)
}

/// A modify's new quantity and prices, read at the instrument's precision.
pub fn amendments(
    instrument: &Instrument,
    qty: Option<&Bound<'_, PyAny>>,
    px: Option<&Bound<'_, PyAny>>,
    trigger: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Option<Quantity>, Option<Price>, Option<Price>)> {
    let (pp, sp) = (instrument.price_precision, instrument.size_precision);
    Ok((
        qty.map(|q| quantity("quantity", q, sp)).transpose()?,
        px.map(|p| price("price", p, pp)).transpose()?,
        trigger.map(|p| price("trigger_price", p, pp)).transpose()?,
    ))
}
