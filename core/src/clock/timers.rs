//! Timers: named, per strategy, one-shot or recurring, fired in (time, creation) order.

use crate::types::{StrategyId, UnixNanos};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A timer: fires once at `next`, or every `interval_ns` from then until `stop` (inclusive).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Timer {
    pub name: String,
    pub strategy_id: Option<StrategyId>,
    pub next: UnixNanos,
    pub interval_ns: Option<u64>,
    pub stop: Option<UnixNanos>,
}

impl Timer {
    /// The checks that need no other timer: a positive interval, a first fire time not before
    /// `now`. A strategy's request is checked with them when it is made.
    pub fn check(&self, now: UnixNanos) -> Result<(), TimerError> {
        if self.interval_ns == Some(0) {
            return Err(TimerError::ZeroInterval { name: self.name.clone() });
        }
        if self.next < now {
            return Err(TimerError::InThePast { name: self.name.clone(), at: self.next, now });
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimerError {
    #[error("timer {0:?} already exists")]
    Duplicate(String),
    #[error("timer {name:?}: interval must be positive")]
    ZeroInterval { name: String },
    #[error("timer {name:?}: first fire time {at} is before now {now}")]
    InThePast { name: String, at: UnixNanos, now: UnixNanos },
}

/// Timers keyed by name, ordered by (fire time, creation order) so two timers due at the same
/// nanosecond fire in the order they were set.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(into = "TimersSnapshot", from = "TimersSnapshot")]
pub struct Timers {
    slots: Vec<Option<Timer>>,
    due: BinaryHeap<Reverse<(UnixNanos, u64, usize)>>,
    seq: u64,
}

impl Timers {
    pub fn set(&mut self, timer: Timer, now: UnixNanos) -> Result<(), TimerError> {
        if self
            .slots
            .iter()
            .flatten()
            .any(|t| t.name == timer.name && t.strategy_id == timer.strategy_id)
        {
            return Err(TimerError::Duplicate(timer.name));
        }
        timer.check(now)?;
        let slot = self.slots.len();
        self.seq += 1;
        self.due.push(Reverse((timer.next, self.seq, slot)));
        self.slots.push(Some(timer));
        Ok(())
    }

    /// Cancels a timer; returns whether it existed.
    pub fn cancel(&mut self, name: &str, strategy_id: Option<StrategyId>) -> bool {
        for slot in &mut self.slots {
            if slot.as_ref().is_some_and(|t| t.name == name && t.strategy_id == strategy_id) {
                *slot = None;
                return true;
            }
        }
        false
    }

    /// The earliest time a timer is due, if any.
    pub fn next_due(&mut self) -> Option<UnixNanos> {
        while let Some(Reverse((ts, _, slot))) = self.due.peek().copied() {
            if self.slots.get(slot).is_some_and(Option::is_some) {
                return Some(ts);
            }
            self.due.pop();
        }
        None
    }

    /// Pops one timer due at or before `now`: its name, owner and fire time. A recurring timer
    /// is re-armed for its next interval.
    pub fn pop_due(&mut self, now: UnixNanos) -> Option<(String, Option<StrategyId>, UnixNanos)> {
        loop {
            let Reverse((ts, _, slot)) = *self.due.peek()?;
            if ts > now {
                return None;
            }
            self.due.pop();
            let Some(entry) = self.slots.get_mut(slot) else { continue };
            let Some(timer) = entry.as_mut() else { continue };
            if timer.next != ts {
                continue;
            }
            let fired = (timer.name.clone(), timer.strategy_id, ts);
            match timer.interval_ns {
                Some(interval) => {
                    let next = ts.add_ns(interval);
                    if timer.stop.is_some_and(|stop| next > stop) {
                        *entry = None;
                    } else {
                        timer.next = next;
                        self.seq += 1;
                        self.due.push(Reverse((next, self.seq, slot)));
                    }
                }
                None => *entry = None,
            }
            return Some(fired);
        }
    }

    /// The live timers, for snapshots.
    pub fn active(&self) -> impl Iterator<Item = &Timer> {
        self.slots.iter().flatten()
    }

    /// Drops every timer (their owners re-arm them when they start again).
    pub fn clear(&mut self) {
        self.slots.clear();
        self.due.clear();
        self.seq = 0;
    }
}

/// The serialized form of [`Timers`]: live timers only, each with its creation sequence,
/// ordered by (fire time, sequence). Canceled slots and their stale heap entries are dropped,
/// which changes nothing about what fires when.
#[derive(serde::Serialize, serde::Deserialize)]
struct TimersSnapshot {
    timers: Vec<(u64, Timer)>,
    seq: u64,
}

impl From<Timers> for TimersSnapshot {
    fn from(timers: Timers) -> Self {
        let Timers { mut slots, due, seq } = timers;
        let mut live: Vec<(UnixNanos, u64, usize)> = due
            .into_iter()
            .map(|Reverse(entry)| entry)
            .filter(|&(ts, _, slot)| {
                slots.get(slot).and_then(Option::as_ref).is_some_and(|t| t.next == ts)
            })
            .collect();
        live.sort_unstable();
        let timers = live
            .into_iter()
            .filter_map(|(_, seq, slot)| {
                slots.get_mut(slot).and_then(Option::take).map(|t| (seq, t))
            })
            .collect();
        Self { timers, seq }
    }
}

impl From<TimersSnapshot> for Timers {
    fn from(snapshot: TimersSnapshot) -> Self {
        let mut timers = Self { slots: Vec::new(), due: BinaryHeap::new(), seq: snapshot.seq };
        for (seq, timer) in snapshot.timers {
            timers.due.push(Reverse((timer.next, seq, timers.slots.len())));
            timers.slots.push(Some(timer));
        }
        timers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timer(name: &str, next: u64, interval: Option<u64>, stop: Option<u64>) -> Timer {
        Timer {
            name: name.into(),
            strategy_id: None,
            next: UnixNanos(next),
            interval_ns: interval,
            stop: stop.map(UnixNanos),
        }
    }

    #[test]
    fn recurring_timer_fires_every_interval_until_stop() {
        let mut t = Timers::default();
        t.set(timer("tick", 100, Some(50), Some(200)), UnixNanos(0)).unwrap();
        let mut fired = vec![];
        while let Some((_, _, ts)) = t.pop_due(UnixNanos(1_000)) {
            fired.push(ts.0);
        }
        assert_eq!(fired, vec![100, 150, 200]);
        assert_eq!(t.next_due(), None);
    }

    #[test]
    fn same_time_timers_fire_in_creation_order() {
        let mut t = Timers::default();
        t.set(timer("b", 100, None, None), UnixNanos(0)).unwrap();
        t.set(timer("a", 100, None, None), UnixNanos(0)).unwrap();
        assert_eq!(t.pop_due(UnixNanos(100)).unwrap().0, "b");
        assert_eq!(t.pop_due(UnixNanos(100)).unwrap().0, "a");
        assert!(t.pop_due(UnixNanos(100)).is_none());
    }

    #[test]
    fn canceled_timer_never_fires_and_bad_timers_are_refused() {
        let mut t = Timers::default();
        t.set(timer("x", 100, Some(10), None), UnixNanos(0)).unwrap();
        assert!(matches!(
            t.set(timer("x", 100, None, None), UnixNanos(0)),
            Err(TimerError::Duplicate(_))
        ));
        assert!(matches!(
            t.set(timer("z", 100, Some(0), None), UnixNanos(0)),
            Err(TimerError::ZeroInterval { .. })
        ));
        assert!(matches!(
            t.set(timer("p", 1, None, None), UnixNanos(5)),
            Err(TimerError::InThePast { .. })
        ));
        assert!(t.cancel("x", None));
        assert!(t.pop_due(UnixNanos(1_000)).is_none());
        assert!(!t.cancel("x", None));
    }

    #[test]
    fn serialized_timers_keep_what_fires_when() {
        let mut t = Timers::default();
        t.set(timer("a", 100, Some(10), None), UnixNanos(0)).unwrap();
        t.set(timer("gone", 50, None, None), UnixNanos(0)).unwrap();
        t.set(timer("b", 100, None, None), UnixNanos(0)).unwrap();
        assert!(t.cancel("gone", None));
        assert_eq!(t.pop_due(UnixNanos(100)).unwrap().0, "a");
        let bytes = rmp_serde::to_vec(&t).unwrap();
        let mut back: Timers = rmp_serde::from_slice(&bytes).unwrap();
        assert_eq!(rmp_serde::to_vec(&back).unwrap(), bytes);
        let drain = |t: &mut Timers| {
            std::iter::from_fn(|| t.pop_due(UnixNanos(130)))
                .map(|f| (f.0, f.2 .0))
                .collect::<Vec<_>>()
        };
        assert_eq!(drain(&mut back), drain(&mut t));
    }
}
