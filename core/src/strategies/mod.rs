//! Strategies written in Rust for the hot path, selectable by name (`build`). Each file is one
//! strategy with its config (MessagePack with named fields, unknown keys refused).

mod ema_cross;

pub use ema_cross::{EmaCross, EmaCrossConfig};

use crate::strategy::Strategy;

/// The names `build` knows.
pub const NAMES: &[&str] = &["ema_cross"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuiltinError {
    #[error("unknown built-in strategy {name:?}; known: {known:?}")]
    UnknownName { name: String, known: &'static [&'static str] },
    #[error("{name} config: {reason}")]
    Config { name: &'static str, reason: String },
}

/// The built-in strategy `name`, configured from MessagePack `params`.
pub fn build(name: &str, params: &[u8]) -> Result<Box<dyn Strategy>, BuiltinError> {
    match name {
        "ema_cross" => {
            let config: EmaCrossConfig = rmp_serde::from_slice(params)
                .map_err(|e| BuiltinError::Config { name: "ema_cross", reason: e.to_string() })?;
            Ok(Box::new(EmaCross::new(config)?))
        }
        _ => Err(BuiltinError::UnknownName { name: name.to_owned(), known: NAMES }),
    }
}
