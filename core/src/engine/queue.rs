//! The engine's one ordered queue of scheduled work, keyed by (timestamp, sequence): events
//! due later (venue latency, responses, host input pushed ahead of time). Two items due at the
//! same nanosecond leave in the order they were scheduled.

use crate::events::Event;
use crate::types::UnixNanos;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// What a queued event is on its way to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Route {
    /// A command travelling to the simulated venue.
    ToVenue,
    /// A venue response travelling back to the engine.
    FromVenue,
    /// An event the host pushed for later processing.
    Input,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Scheduled {
    pub ts: UnixNanos,
    pub seq: u64,
    pub route: Route,
    pub event: Event,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        self.ts == other.ts && self.seq == other.seq
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    // Reversed: BinaryHeap is a max-heap and the earliest (ts, seq) must come out first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.ts, other.seq).cmp(&(self.ts, self.seq))
    }
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(into = "QueueSnapshot", from = "QueueSnapshot")]
pub struct EventQueue {
    heap: BinaryHeap<Scheduled>,
    next_seq: u64,
}

impl EventQueue {
    pub fn push(&mut self, ts: UnixNanos, route: Route, event: Event) {
        self.next_seq += 1;
        self.heap.push(Scheduled { ts, seq: self.next_seq, route, event });
    }

    /// The time of the earliest item, if any.
    #[inline]
    pub fn next_ts(&self) -> Option<UnixNanos> {
        self.heap.peek().map(|s| s.ts)
    }

    /// Pops the earliest item if it is due at or before `now`.
    #[inline]
    pub fn pop_due(&mut self, now: UnixNanos) -> Option<Scheduled> {
        if self.heap.peek()?.ts <= now {
            self.heap.pop()
        } else {
            None
        }
    }

    /// The time of the latest item, if any.
    pub fn last_ts(&self) -> Option<UnixNanos> {
        self.heap.iter().map(|s| s.ts).max()
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Items in the order they will leave, for snapshots.
    pub fn to_sorted_vec(&self) -> Vec<Scheduled> {
        let mut items: Vec<Scheduled> = self.heap.iter().cloned().collect();
        items.sort_by_key(|s| (s.ts, s.seq));
        items
    }

    /// Rebuilds a queue from a snapshot's items.
    pub fn from_items(items: Vec<Scheduled>) -> Self {
        let next_seq = items.iter().map(|s| s.seq).max().unwrap_or(0);
        Self { heap: items.into_iter().collect(), next_seq }
    }
}

/// The serialized form of [`EventQueue`]: items in leaving order, and the sequence counter.
#[derive(serde::Serialize, serde::Deserialize)]
struct QueueSnapshot {
    items: Vec<Scheduled>,
    next_seq: u64,
}

impl From<EventQueue> for QueueSnapshot {
    fn from(queue: EventQueue) -> Self {
        let mut items = queue.heap.into_vec();
        items.sort_unstable_by_key(|s| (s.ts, s.seq));
        Self { items, next_seq: queue.next_seq }
    }
}

impl From<QueueSnapshot> for EventQueue {
    fn from(snapshot: QueueSnapshot) -> Self {
        Self { heap: snapshot.items.into_iter().collect(), next_seq: snapshot.next_seq }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Halt, Resume};

    fn halt(ts: u64) -> Event {
        Halt {
            reason: format!("{ts}"),
            source: "t".into(),
            ts_event: UnixNanos(ts),
            ts_init: UnixNanos(ts),
        }
        .into()
    }

    #[test]
    fn earliest_first_then_fifo_within_a_nanosecond() {
        let mut q = EventQueue::default();
        q.push(UnixNanos(20), Route::Input, halt(1));
        q.push(UnixNanos(10), Route::Input, halt(2));
        q.push(UnixNanos(10), Route::Input, halt(3));
        let resume: Event = Resume {
            reason: String::new(),
            source: "t".into(),
            ts_event: UnixNanos(0),
            ts_init: UnixNanos(0),
        }
        .into();
        q.push(UnixNanos(10), Route::Input, resume.clone());
        assert!(q.pop_due(UnixNanos(9)).is_none());
        let order: Vec<Event> =
            std::iter::from_fn(|| q.pop_due(UnixNanos(100))).map(|s| s.event).collect();
        assert_eq!(order, vec![halt(2), halt(3), resume, halt(1)]);
    }

    #[test]
    fn snapshot_round_trip_keeps_order() {
        let mut q = EventQueue::default();
        for ts in [5, 1, 5, 3] {
            q.push(UnixNanos(ts), Route::ToVenue, halt(ts));
        }
        let mut back = EventQueue::from_items(q.to_sorted_vec());
        back.push(UnixNanos(5), Route::ToVenue, halt(99));
        let ts: Vec<u64> =
            std::iter::from_fn(|| back.pop_due(UnixNanos(10))).map(|s| s.ts.0).collect();
        assert_eq!(ts, vec![1, 3, 5, 5, 5]);
    }
}
