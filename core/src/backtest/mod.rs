//! Backtests from columns: the data feed that merges column blocks of every kind into the
//! engine by time (`feed`), and the collector that builds the result tables and the stream
//! hash from the engine's output (`collector`).

mod collector;
mod feed;
#[cfg(test)]
mod tests;

pub use collector::{units, FillColumns, OrderColumns, ResultCollector, StringColumn};
pub use feed::{Block, ColumnFeed, Kind, Next, Source};
