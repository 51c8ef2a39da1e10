//! `nautui._core`: the engine as a private Python extension module. These files convert
//! Python values to engine types and back, call the engine and map its errors; they hold no
//! domain logic. Python code imports the public names from `nautui`, never from `_core`.

mod backtest;
mod engine;
mod errors;
mod events;
mod indicators;
mod orders;
mod replay;
mod store;
mod strategy;
mod types;
mod views;

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    types::register(m)?;
    events::register(m)?;
    replay::register(m)?;
    store::register(m)?;
    views::register(m)?;
    strategy::register(m)?;
    engine::register(m)?;
    backtest::register(m)?;
    indicators::register(m)?;
    Ok(())
}
