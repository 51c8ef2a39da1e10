//! The fan-out of the engine's output: every batch of events the engine produced is published
//! once, as one shared allocation, to every subscriber's queue (nothing is copied per
//! consumer). A lossless subscription keeps everything until read; a bounded one (a screen)
//! keeps at most its limit, drops the oldest events first and counts what it dropped, so its
//! reader is told how many it missed. The recorder is not a subscriber: the host records every
//! batch before publishing it, so the log never misses an event.

use crate::events::Event;
use std::collections::VecDeque;
use std::ops::Range;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Events the engine produced in one call, shared by every subscriber.
pub type Batch = Arc<Vec<Event>>;

/// What a read returns: slices of shared batches, in order, and how many events this
/// subscription dropped before them.
#[derive(Debug, Default)]
pub struct Received {
    pub parts: Vec<(Batch, Range<usize>)>,
    /// Stream position of the first event returned (events published before it: see `Bus`).
    pub first: u64,
    /// Events dropped since the last read (a bounded subscription that fell behind).
    pub missed: u64,
    /// The bus is closed (the engine is gone) and everything published was read.
    pub closed: bool,
}

impl Received {
    pub fn len(&self) -> usize {
        self.parts.iter().map(|(_, r)| r.len()).sum()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.parts.iter().flat_map(|(batch, range)| &batch[range.clone()])
    }
}

#[derive(Debug, Default)]
struct QueueState {
    /// Batches not read yet, with the stream position of each one's first event.
    batches: VecDeque<(u64, Batch)>,
    /// Events of the front batch already read or dropped.
    front_skip: usize,
    queued: usize,
    missed: u64,
    closed: bool,
}

#[derive(Debug)]
struct Queue {
    state: Mutex<QueueState>,
    ready: Condvar,
    /// At most this many events wait; `None`: lossless.
    limit: Option<usize>,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        // A panic while holding the lock leaves plain counters behind: the state is still valid.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, first: u64, batch: &Batch) {
        let mut state = self.lock();
        state.queued += batch.len();
        state.batches.push_back((first, Arc::clone(batch)));
        if let Some(limit) = self.limit {
            while state.queued > limit {
                let excess = state.queued - limit;
                let Some(front_len) = state.batches.front().map(|(_, b)| b.len()) else { break };
                let drop = excess.min(front_len - state.front_skip);
                state.front_skip += drop;
                state.queued -= drop;
                state.missed += drop as u64;
                if state.front_skip == front_len {
                    state.batches.pop_front();
                    state.front_skip = 0;
                }
            }
        }
        drop(state);
        self.ready.notify_all();
    }
}

/// A reader of the engine's output. Dropping it unsubscribes.
#[derive(Debug)]
pub struct Subscription(Arc<Queue>);

impl Subscription {
    /// Up to `max_events` events, waiting up to `timeout` for the first (None: as long as it
    /// takes; zero: not at all).
    pub fn read(&self, max_events: usize, timeout: Option<Duration>) -> Received {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut state = self.0.lock();
        while state.batches.is_empty() && !state.closed {
            let wait = match deadline {
                None => None,
                Some(at) => match at.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => Some(left),
                    _ => break,
                },
            };
            state = match wait {
                None => self.0.ready.wait(state).unwrap_or_else(PoisonError::into_inner),
                Some(left) => {
                    self.0.ready.wait_timeout(state, left).unwrap_or_else(PoisonError::into_inner).0
                }
            };
        }
        let mut out = Received {
            missed: std::mem::take(&mut state.missed),
            first: state.batches.front().map_or(0, |(first, _)| first + state.front_skip as u64),
            ..Received::default()
        };
        let mut budget = max_events;
        while budget > 0 {
            let skip = state.front_skip;
            let Some((_, batch)) = state.batches.front() else { break };
            let end = batch.len().min(skip + budget);
            let batch = Arc::clone(batch);
            budget -= end - skip;
            state.queued -= end - skip;
            if end == batch.len() {
                state.batches.pop_front();
                state.front_skip = 0;
            } else {
                state.front_skip = end;
            }
            out.parts.push((batch, skip..end));
        }
        out.closed = state.closed && state.batches.is_empty();
        out
    }

    /// Events waiting to be read.
    pub fn pending(&self) -> usize {
        self.0.lock().queued
    }
}

/// The engine's output fan-out. See the module documentation.
#[derive(Debug, Default)]
pub struct Bus {
    subscribers: Mutex<Vec<Arc<Queue>>>,
    /// Stream position of the next event: how many events were published before it.
    published: Mutex<u64>,
}

impl Bus {
    /// A new subscription that sees every batch published from now on; `limit`: at most that
    /// many events wait (oldest dropped first and counted), `None`: lossless.
    pub fn subscribe(&self, limit: Option<usize>) -> Subscription {
        let queue = Arc::new(Queue {
            state: Mutex::new(QueueState::default()),
            ready: Condvar::new(),
            limit: limit.map(|l| l.max(1)),
        });
        lock(&self.subscribers).push(Arc::clone(&queue));
        Subscription(queue)
    }

    /// Publishes one batch to every subscriber (none: the batch is simply dropped).
    pub fn publish(&self, events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        let mut position = lock(&self.published);
        let first = *position;
        *position += events.len() as u64;
        let mut subscribers = lock(&self.subscribers);
        // A queue only the bus holds has no reader any more.
        subscribers.retain(|q| Arc::strong_count(q) > 1);
        if subscribers.is_empty() {
            return;
        }
        let batch: Batch = Arc::new(events);
        for queue in subscribers.iter() {
            queue.push(first, &batch);
        }
    }

    /// How many events were published so far.
    pub fn published(&self) -> u64 {
        *lock(&self.published)
    }

    pub fn subscriber_count(&self) -> usize {
        lock(&self.subscribers).iter().filter(|q| Arc::strong_count(q) > 1).count()
    }

    /// No more batches will come: readers get what is queued, then `closed`.
    pub fn close(&self) {
        for queue in lock(&self.subscribers).iter() {
            queue.lock().closed = true;
            queue.ready.notify_all();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Halt;
    use crate::types::UnixNanos;

    fn events(from: u64, n: u64) -> Vec<Event> {
        (from..from + n)
            .map(|ts| {
                Halt {
                    reason: String::new(),
                    source: String::new(),
                    ts_event: UnixNanos(ts),
                    ts_init: UnixNanos(ts),
                }
                .into()
            })
            .collect()
    }

    fn times(r: &Received) -> Vec<u64> {
        r.events().map(|e| e.ts_init().0).collect()
    }

    #[test]
    fn every_subscriber_sees_the_same_allocation() {
        let bus = Bus::default();
        let (a, b) = (bus.subscribe(None), bus.subscribe(Some(100)));
        bus.publish(events(0, 3));
        let (ra, rb) = (a.read(10, Some(Duration::ZERO)), b.read(10, Some(Duration::ZERO)));
        assert_eq!(times(&ra), [0, 1, 2]);
        assert!(Arc::ptr_eq(&ra.parts[0].0, &rb.parts[0].0), "one batch, shared");
    }

    #[test]
    fn a_lossless_reader_gets_everything_in_bounded_reads() {
        let bus = Bus::default();
        let sub = bus.subscribe(None);
        bus.publish(events(0, 5));
        bus.publish(events(5, 5));
        let mut seen = Vec::new();
        loop {
            let r = sub.read(3, Some(Duration::ZERO));
            if r.is_empty() {
                break;
            }
            assert!(r.len() <= 3);
            assert_eq!(r.first, seen.len() as u64);
            seen.extend(times(&r));
        }
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
        assert_eq!(bus.published(), 10);
    }

    #[test]
    fn a_bounded_reader_is_told_how_many_it_missed() {
        let bus = Bus::default();
        let sub = bus.subscribe(Some(4));
        bus.publish(events(0, 3));
        bus.publish(events(3, 3));
        let r = sub.read(100, Some(Duration::ZERO));
        assert_eq!(r.missed, 2);
        assert_eq!(times(&r), [2, 3, 4, 5], "the newest are kept");
        assert_eq!(r.first, 2);
        bus.publish(events(6, 10));
        let r = sub.read(100, Some(Duration::ZERO));
        assert_eq!((r.missed, times(&r)), (6, vec![12, 13, 14, 15]));
        assert_eq!(sub.read(100, Some(Duration::ZERO)).missed, 0);
    }

    #[test]
    fn a_dropped_subscription_is_forgotten_and_close_wakes_a_waiting_reader() {
        let bus = Arc::new(Bus::default());
        drop(bus.subscribe(None));
        let sub = bus.subscribe(None);
        bus.publish(events(0, 1));
        assert_eq!(bus.subscriber_count(), 1);
        assert_eq!(sub.read(10, None).len(), 1);
        let closer = Arc::clone(&bus);
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            closer.close();
        });
        let r = sub.read(10, None);
        assert!(r.closed && r.is_empty());
        t.join().unwrap();
    }

    #[test]
    fn a_reader_waits_for_the_next_batch() {
        let bus = Arc::new(Bus::default());
        let sub = bus.subscribe(None);
        let publisher = Arc::clone(&bus);
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            publisher.publish(events(7, 1));
        });
        let r = sub.read(10, Some(Duration::from_secs(10)));
        assert_eq!(times(&r), [7]);
        t.join().unwrap();
        assert!(sub.read(10, Some(Duration::from_millis(1))).is_empty());
    }
}
