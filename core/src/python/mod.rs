//! `nautui._core`: the engine as a private Python extension module. These files convert
//! Python values to engine types and back, call the engine and map its errors; they hold no
//! domain logic. Python code imports the public names from `nautui`, never from `_core`.

mod errors;
mod events;
mod replay;
mod store;
mod types;

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    types::register(m)?;
    events::register(m)?;
    replay::register(m)?;
    store::register(m)?;
    Ok(())
}
