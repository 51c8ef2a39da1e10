//! nautui's engine: an event-sourced, deterministic trading core. One module per concept;
//! `python/` (behind the `python` feature) converts types for `nautui._core` and holds no logic.

pub mod backtest;
pub mod book;
pub mod clock;
pub mod engine;
pub mod error;
pub mod events;
#[cfg(feature = "store")]
pub mod host;
pub mod indicators;
pub mod matching;
pub mod orders;
pub mod performance;
pub mod portfolio;
#[cfg(feature = "python")]
pub mod python;
pub mod recent;
pub mod replay;
pub mod risk;
pub mod rng;
pub mod sorted_map;
pub mod stats;
#[cfg(feature = "store")]
pub mod store;
pub mod strategies;
pub mod strategy;
pub mod types;
pub mod views;

pub use error::CoreError;
