//! What the scrubber shows at one seq: every view of the engine there (the same views a live
//! screen shows), the orders closed most recently, and the events up to the cursor.

use super::ReplayView;
use crate::events::Event;
use crate::views::{order_row, Frame, OrderRow};
use serde::{Deserialize, Serialize};

/// Closed orders a frame carries: a view costs what a screen shows, not what the run made.
pub const RECENT_CLOSED: usize = 100;

/// See the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayFrame {
    /// The seq under the cursor (0: before the first event).
    pub seq: u64,
    pub frame: Frame,
    /// The orders that reached a final state most recently, oldest first.
    pub closed_orders: Vec<OrderRow>,
    /// `(seq, event)` of the last events up to the cursor, oldest first.
    pub recent: Vec<(u64, Event)>,
}

impl ReplayView<'_> {
    /// The frame of this point of the log, ladders `depth` levels deep.
    pub fn frame(&self, depth: usize) -> ReplayFrame {
        let closed = self.engine.state().closed_orders();
        ReplayFrame {
            seq: self.seq,
            frame: Frame::of(self.engine, depth),
            closed_orders: closed.newest(RECENT_CLOSED).map(order_row).collect(),
            recent: self.recent.clone(),
        }
    }
}
