//! `Price`, `Quantity`, `Money` and `Instrument` for Python. Numbers cross the boundary as
//! exact decimal text (from `str`, `int` or `decimal.Decimal`, never `float`) and come back as
//! `decimal.Decimal`; the engine parses and validates.

// pyo3 hands extracted arguments over by value; they are read, not consumed.
#![allow(clippy::needless_pass_by_value)]

use super::errors;
use crate::types::{Currency, FixedError, Instrument, InstrumentId, Money, Price, Quantity, Ratio};
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString, PyType};

static DECIMAL: GILOnceCell<Py<PyType>> = GILOnceCell::new();

fn decimal<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    DECIMAL.import(py, "decimal", "Decimal")?.call1((text,))
}

/// The exact decimal text of a `str`, `int` or `decimal.Decimal` argument.
pub struct DecimalText(pub String);

impl DecimalText {
    fn zero() -> Self {
        Self("0".to_owned())
    }
    fn one() -> Self {
        Self("1".to_owned())
    }
}

impl<'py> FromPyObject<'py> for DecimalText {
    fn extract_bound(value: &Bound<'py, PyAny>) -> PyResult<Self> {
        let py = value.py();
        if let Ok(text) = value.downcast::<PyString>() {
            let text = text.to_str().map_err(|_| errors::invalid_value("text", "is not UTF-8"))?;
            return Ok(Self(text.to_owned()));
        }
        if value.is_instance_of::<PyFloat>() {
            return Err(errors::wrong_type(
                "a float is not exact; pass the number as str or decimal.Decimal",
            ));
        }
        let is_int = value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>();
        if is_int || value.is_instance(DECIMAL.import(py, "decimal", "Decimal")?)? {
            return Ok(Self(value.str()?.to_str()?.to_owned()));
        }
        let type_name = value.get_type().name()?;
        Err(errors::wrong_type(format!("expected str, decimal.Decimal or int, got {type_name}")))
    }
}

fn precision(value: i64) -> PyResult<u8> {
    u8::try_from(value)
        .map_err(|_| errors::fixed("precision", &FixedError::InvalidPrecision(u8::MAX)))
}

// ---------------------------------------------------------------------------------------------

/// A fixed-point price (may be negative).
#[pyclass(name = "Price", module = "nautui._core", frozen, eq, ord, hash)]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PyPrice(pub Price);

#[pymethods]
impl PyPrice {
    #[new]
    #[pyo3(signature = (value, precision=None))]
    fn new(value: DecimalText, precision: Option<i64>) -> PyResult<Self> {
        let parsed = match precision {
            None => value.0.parse(),
            Some(p) => Price::parse_with_precision(&value.0, self::precision(p)?),
        };
        parsed.map(Self).map_err(|e| errors::fixed("price", &e))
    }

    /// From raw 10^-9 units.
    #[staticmethod]
    fn from_raw(raw: i64, precision: i64) -> PyResult<Self> {
        Price::from_raw(raw, self::precision(precision)?)
            .map(Self)
            .map_err(|e| errors::fixed("price", &e))
    }

    #[getter]
    fn raw(&self) -> i64 {
        self.0.raw()
    }

    #[getter]
    fn precision(&self) -> u8 {
        self.0.precision()
    }

    fn as_decimal<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.0.to_string())
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        format!("Price('{}')", self.0)
    }
}

/// A fixed-point, non-negative quantity.
#[pyclass(name = "Quantity", module = "nautui._core", frozen, eq, ord, hash)]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PyQuantity(pub Quantity);

#[pymethods]
impl PyQuantity {
    #[new]
    #[pyo3(signature = (value, precision=None))]
    fn new(value: DecimalText, precision: Option<i64>) -> PyResult<Self> {
        let parsed = match precision {
            None => value.0.parse(),
            Some(p) => Quantity::parse_with_precision(&value.0, self::precision(p)?),
        };
        parsed.map(Self).map_err(|e| errors::fixed("quantity", &e))
    }

    /// From raw 10^-9 units.
    #[staticmethod]
    fn from_raw(raw: u64, precision: i64) -> PyResult<Self> {
        Quantity::from_raw(raw, self::precision(precision)?)
            .map(Self)
            .map_err(|e| errors::fixed("quantity", &e))
    }

    #[getter]
    fn raw(&self) -> u64 {
        self.0.raw()
    }

    #[getter]
    fn precision(&self) -> u8 {
        self.0.precision()
    }

    fn as_decimal<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.0.to_string())
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        format!("Quantity('{}')", self.0)
    }
}

/// An amount of one currency.
#[pyclass(name = "Money", module = "nautui._core", frozen, eq, hash)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyMoney(pub Money);

impl PyMoney {
    /// The amount as decimal text: the engine's display without the currency.
    fn amount_text(&self) -> String {
        let shown = self.0.to_string();
        shown.rsplit_once(' ').map_or(shown.clone(), |(amount, _)| amount.to_owned())
    }
}

#[pymethods]
impl PyMoney {
    #[new]
    fn new(amount: DecimalText, currency: &str) -> PyResult<Self> {
        let currency = Currency::new(currency).map_err(|e| errors::identifier("currency", &e))?;
        Money::parse(&amount.0, currency).map(Self).map_err(|e| errors::fixed("amount", &e))
    }

    /// Raw 10^-9 units of the currency.
    #[getter]
    fn raw(&self) -> i128 {
        self.0.amount
    }

    #[getter]
    fn amount<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.amount_text())
    }

    #[getter]
    fn currency(&self) -> &str {
        self.0.currency.as_str()
    }

    fn as_decimal<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.amount_text())
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        format!("Money('{}', '{}')", self.amount_text(), self.0.currency)
    }
}

// ---------------------------------------------------------------------------------------------

fn parse_price(field: &str, text: &DecimalText) -> PyResult<Price> {
    text.0.parse().map_err(|e| errors::fixed(field, &e))
}

fn parse_quantity(field: &str, text: &DecimalText) -> PyResult<Quantity> {
    text.0.parse().map_err(|e| errors::fixed(field, &e))
}

fn parse_ratio(field: &str, text: &DecimalText) -> PyResult<Ratio> {
    text.0.parse().map_err(|e| errors::fixed(field, &e))
}

fn parse_currency(field: &str, text: &str) -> PyResult<Currency> {
    Currency::new(text).map_err(|e| errors::identifier(field, &e))
}

/// An instrument specification, validated by the engine.
#[pyclass(name = "Instrument", module = "nautui._core", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyInstrument(pub Instrument);

#[pymethods]
impl PyInstrument {
    #[new]
    #[pyo3(signature = (
        *, id, tick_size, lot_size, quote_currency, min_quantity=None, max_quantity=None,
        min_notional=None, maker_fee=DecimalText::zero(), taker_fee=DecimalText::zero(),
        margin_init=DecimalText::one(), margin_maint=DecimalText::one(),
        multiplier=DecimalText::one(), base_currency=None,
    ))]
    // Spelled out: the defaults below are Rust expressions, which pyo3 would show as `...`.
    #[pyo3(text_signature = "(*, id, tick_size, lot_size, quote_currency, min_quantity=None, \
        max_quantity=None, min_notional=None, maker_fee='0', taker_fee='0', margin_init='1', \
        margin_maint='1', multiplier='1', base_currency=None)")]
    #[allow(clippy::too_many_arguments)] // one keyword argument per field of the specification
    fn new(
        id: &str,
        tick_size: DecimalText,
        lot_size: DecimalText,
        quote_currency: &str,
        min_quantity: Option<DecimalText>,
        max_quantity: Option<DecimalText>,
        min_notional: Option<DecimalText>,
        maker_fee: DecimalText,
        taker_fee: DecimalText,
        margin_init: DecimalText,
        margin_maint: DecimalText,
        multiplier: DecimalText,
        base_currency: Option<&str>,
    ) -> PyResult<Self> {
        let tick_size = parse_price("tick_size", &tick_size)?;
        let lot_size = parse_quantity("lot_size", &lot_size)?;
        let quote_currency = parse_currency("quote_currency", quote_currency)?;
        let instrument = Instrument {
            id: InstrumentId::new(id).map_err(|e| errors::identifier("id", &e))?,
            price_precision: tick_size.precision(),
            size_precision: lot_size.precision(),
            tick_size,
            lot_size,
            min_quantity: min_quantity.map(|q| parse_quantity("min_quantity", &q)).transpose()?,
            max_quantity: max_quantity.map(|q| parse_quantity("max_quantity", &q)).transpose()?,
            min_notional: min_notional
                .map(|m| Money::parse(&m.0, quote_currency))
                .transpose()
                .map_err(|e| errors::fixed("min_notional", &e))?,
            maker_fee: parse_ratio("maker_fee", &maker_fee)?,
            taker_fee: parse_ratio("taker_fee", &taker_fee)?,
            margin_init: parse_ratio("margin_init", &margin_init)?,
            margin_maint: parse_ratio("margin_maint", &margin_maint)?,
            multiplier: parse_ratio("multiplier", &multiplier)?,
            base_currency: base_currency.map(|c| parse_currency("base_currency", c)).transpose()?,
            quote_currency,
        };
        instrument.validate().map_err(|e| errors::instrument(&e))?;
        Ok(Self(instrument))
    }

    #[getter]
    fn id(&self) -> &str {
        self.0.id.as_str()
    }
    #[getter]
    fn tick_size(&self) -> PyPrice {
        PyPrice(self.0.tick_size)
    }
    #[getter]
    fn lot_size(&self) -> PyQuantity {
        PyQuantity(self.0.lot_size)
    }
    #[getter]
    fn price_precision(&self) -> u8 {
        self.0.price_precision
    }
    #[getter]
    fn size_precision(&self) -> u8 {
        self.0.size_precision
    }
    #[getter]
    fn min_quantity(&self) -> Option<PyQuantity> {
        self.0.min_quantity.map(PyQuantity)
    }
    #[getter]
    fn max_quantity(&self) -> Option<PyQuantity> {
        self.0.max_quantity.map(PyQuantity)
    }
    #[getter]
    fn min_notional(&self) -> Option<PyMoney> {
        self.0.min_notional.map(PyMoney)
    }
    #[getter]
    fn maker_fee<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.0.maker_fee.to_string())
    }
    #[getter]
    fn taker_fee<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.0.taker_fee.to_string())
    }
    #[getter]
    fn margin_init<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.0.margin_init.to_string())
    }
    #[getter]
    fn margin_maint<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.0.margin_maint.to_string())
    }
    #[getter]
    fn multiplier<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        decimal(py, &self.0.multiplier.to_string())
    }
    #[getter]
    fn base_currency(&self) -> Option<&str> {
        self.0.base_currency.as_ref().map(Currency::as_str)
    }
    #[getter]
    fn quote_currency(&self) -> &str {
        self.0.quote_currency.as_str()
    }

    /// Raises `InvalidValueError` when the price is off the tick grid.
    fn check_price(&self, price: PyPrice) -> PyResult<()> {
        self.0.check_price(price.0).map_err(|e| errors::instrument(&e))
    }

    /// Raises `InvalidValueError` when the quantity is off the lot grid or out of limits.
    fn check_quantity(&self, quantity: PyQuantity) -> PyResult<()> {
        self.0.check_quantity(quantity.0).map_err(|e| errors::instrument(&e))
    }

    /// Raises `InvalidValueError` when the notional is below the instrument's minimum.
    fn check_notional(&self, price: PyPrice, quantity: PyQuantity) -> PyResult<()> {
        self.0.check_notional(price.0, quantity.0).map_err(|e| errors::instrument(&e))
    }

    /// `price * quantity * multiplier` in the quote currency.
    fn notional(&self, price: PyPrice, quantity: PyQuantity) -> PyResult<PyMoney> {
        self.0.notional(price.0, quantity.0).map(PyMoney).map_err(|e| errors::fixed("notional", &e))
    }

    fn __repr__(&self) -> String {
        format!(
            "Instrument(id='{}', tick_size='{}', lot_size='{}', quote_currency='{}')",
            self.0.id, self.0.tick_size, self.0.lot_size, self.0.quote_currency
        )
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPrice>()?;
    m.add_class::<PyQuantity>()?;
    m.add_class::<PyMoney>()?;
    m.add_class::<PyInstrument>()?;
    Ok(())
}
