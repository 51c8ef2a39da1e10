//! What the screens show, computed from the engine's state: the ladder of each instrument with
//! the engine's own working orders at their levels, open orders, positions, balances, the
//! trading state with counters, and the latency histograms.
//!
//! One view code for every front end: a live node, a backtest and the replay scrubber all call
//! these functions on an engine, so a screen looks the same whichever of them feeds it. A
//! [`Frame`] holds every view at one instant; hosts publish its parts by key (see
//! `crate::host::Board`), the replay hands out whole frames. Views serialize as MessagePack with
//! named fields (prices and quantities as decimal text), as events do.

mod ladder;
mod orders;
mod positions;
mod status;

pub use ladder::{ladder, LadderLevel, LadderSource, LadderView, LastTrade};
pub use orders::{open_orders, order_row, OrderRow};
pub use positions::{balances, positions, PnlTotal, PositionRow, PositionsView};
pub use status::{latency, status, HistogramView, LatencyView, StatusView};

use crate::engine::Engine;
use crate::events::AccountBalance;
use serde::{Deserialize, Serialize};

/// Levels per side a ladder shows unless asked for another depth.
pub const DEFAULT_DEPTH: usize = 25;

/// Every view of an engine at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    pub status: StatusView,
    pub ladders: Vec<LadderView>,
    pub open_orders: Vec<OrderRow>,
    pub positions: PositionsView,
    pub balances: Vec<AccountBalance>,
    pub latency: LatencyView,
}

impl Frame {
    /// Every view of `engine`, ladders `depth` levels deep.
    pub fn of(engine: &Engine, depth: usize) -> Self {
        let state = engine.state();
        Self {
            status: status(engine),
            ladders: state.instruments().map(|i| ladder(engine, i.id, depth)).collect(),
            open_orders: open_orders(state),
            positions: positions(state),
            balances: balances(engine),
            latency: latency(engine.stats()),
        }
    }
}

#[cfg(test)]
mod tests;
