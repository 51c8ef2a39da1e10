//! The Rust indicators for Python (`nautui.indicators`).

use super::errors;
use crate::error::CoreError;
use crate::indicators::{
    AverageTrueRange, BollingerBands, ExponentialMovingAverage, Indicator, SimpleMovingAverage,
};
use pyo3::prelude::*;

fn built<T>(result: Result<T, crate::indicators::IndicatorError>) -> PyResult<T> {
    result.map_err(|e| errors::core(CoreError::from(e)))
}

/// The methods every indicator has, after the ones given (its constructor, its extras).
macro_rules! indicator_methods {
    ($py:ident, { $($extra:tt)* }) => {
        #[pymethods]
        impl $py {
            $($extra)*

            /// Feeds one value; returns the new value (saves a `value` read in hot loops).
            fn update(&mut self, value: f64) -> f64 {
                self.0.update(value);
                self.0.value()
            }
            /// The current value (0.0 before the first update).
            #[getter]
            fn value(&self) -> f64 {
                self.0.value()
            }
            /// True once a full period has been seen.
            #[getter]
            fn is_ready(&self) -> bool {
                self.0.is_ready()
            }
            #[getter]
            fn count(&self) -> u64 {
                self.0.count()
            }
            #[getter]
            fn period(&self) -> usize {
                self.0.period()
            }
            fn reset(&mut self) {
                self.0.reset();
            }
            fn __repr__(&self) -> String {
                format!("{}({}) = {}", self.0.name(), self.0.period(), self.0.value())
            }
        }
    };
}

/// Exponential moving average, `alpha = 2 / (period + 1)`, seeded with the first value.
#[pyclass(name = "EMA", module = "nautui._core")]
pub struct PyEma(ExponentialMovingAverage);

indicator_methods!(PyEma, {
    #[new]
    fn new(period: usize) -> PyResult<Self> {
        built(ExponentialMovingAverage::new(period)).map(Self)
    }
});

/// Simple moving average of the last `period` values.
#[pyclass(name = "SMA", module = "nautui._core")]
pub struct PySma(SimpleMovingAverage);

indicator_methods!(PySma, {
    #[new]
    fn new(period: usize) -> PyResult<Self> {
        built(SimpleMovingAverage::new(period)).map(Self)
    }
});

/// Average true range (Wilder's smoothing); feed bars with `update_bar`.
#[pyclass(name = "ATR", module = "nautui._core")]
pub struct PyAtr(AverageTrueRange);

indicator_methods!(PyAtr, {
    #[new]
    fn new(period: usize) -> PyResult<Self> {
        built(AverageTrueRange::new(period)).map(Self)
    }
    fn update_bar(&mut self, high: f64, low: f64, close: f64) {
        self.0.update_bar(high, low, close);
    }
});

/// Bollinger bands: SMA of `period` values plus and minus `k` standard deviations.
#[pyclass(name = "BollingerBands", module = "nautui._core")]
pub struct PyBollinger(BollingerBands);

indicator_methods!(PyBollinger, {
    #[new]
    #[pyo3(signature = (period, k=2.0))]
    fn new(period: usize, k: f64) -> PyResult<Self> {
        built(BollingerBands::new(period, k)).map(Self)
    }
    #[getter]
    fn upper(&self) -> f64 {
        self.0.upper()
    }
    #[getter]
    fn middle(&self) -> f64 {
        self.0.middle()
    }
    #[getter]
    fn lower(&self) -> f64 {
        self.0.lower()
    }
    #[getter]
    fn k(&self) -> f64 {
        self.0.k()
    }
});

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEma>()?;
    m.add_class::<PySma>()?;
    m.add_class::<PyAtr>()?;
    m.add_class::<PyBollinger>()?;
    Ok(())
}
