//! Where a replay reads events: anything that yields `(seq, Event)` in seq order from a seq on.

use super::ReplayError;
use crate::events::Event;

/// Logged events by seq (gap-free from 1).
pub trait EventSource {
    /// Seq of the last event (0 for an empty log).
    fn last_seq(&self) -> u64;
    /// Events from `seq` (inclusive) to the end, in seq order.
    fn read_from(
        &self,
        seq: u64,
    ) -> Box<dyn Iterator<Item = Result<(u64, Event), ReplayError>> + '_>;
}

/// Events held in memory, seq `1..=len`.
#[derive(Debug, Clone, Default)]
pub struct VecSource {
    events: Vec<Event>,
}

impl VecSource {
    pub fn new(events: Vec<Event>) -> Self {
        Self { events }
    }
    pub fn events(&self) -> &[Event] {
        &self.events
    }
}

impl EventSource for VecSource {
    fn last_seq(&self) -> u64 {
        self.events.len() as u64
    }

    fn read_from(
        &self,
        seq: u64,
    ) -> Box<dyn Iterator<Item = Result<(u64, Event), ReplayError>> + '_> {
        let start = seq.max(1);
        let skip = usize::try_from(start - 1).unwrap_or(usize::MAX);
        Box::new(
            self.events.iter().skip(skip).zip(start..).map(|(event, seq)| Ok((seq, event.clone()))),
        )
    }
}

impl<S: EventSource + ?Sized> EventSource for &S {
    fn last_seq(&self) -> u64 {
        (**self).last_seq()
    }

    fn read_from(
        &self,
        seq: u64,
    ) -> Box<dyn Iterator<Item = Result<(u64, Event), ReplayError>> + '_> {
        (**self).read_from(seq)
    }
}

impl<S: EventSource + ?Sized> EventSource for Box<S> {
    fn last_seq(&self) -> u64 {
        (**self).last_seq()
    }

    fn read_from(
        &self,
        seq: u64,
    ) -> Box<dyn Iterator<Item = Result<(u64, Event), ReplayError>> + '_> {
        (**self).read_from(seq)
    }
}
