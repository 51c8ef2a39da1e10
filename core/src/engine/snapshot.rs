//! Snapshots of the whole engine: everything that decides what it does next (instruments and
//! their market, books, orders, portfolio, risk state with its throttle windows, the simulated
//! venue with its resting orders and book view, the scheduled queue, timers, clock, latency
//! generator, counters). Strategies are not part of it: they are re-attached after a restore.
//!
//! The bytes are MessagePack with named fields. Hash maps are written sorted by key, so the same
//! state always gives the same bytes. A snapshot is taken between two calls into the engine,
//! when nothing is half-processed; events not yet drained from the output are not state.
//!
//! Closed orders and the venue's closed ids are bounded windows (see `crate::recent`), so a
//! snapshot weighs what the live state weighs, however long the run.

use super::{Engine, EngineConfig, EngineCounters, EngineError, EngineState, EventQueue};
use crate::clock::{Clock, TestClock, Timers};
use crate::matching::SimulatedVenue;
use crate::types::{ClientOrderId, UnixNanos};
use serde::{Deserialize, Serialize};

/// Format version written in every snapshot; a restore refuses any other.
pub const SNAPSHOT_VERSION: u32 = 4;

/// A snapshot that cannot be restored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    #[error("snapshot cannot be encoded: {0}")]
    Encode(String),
    #[error("snapshot is not readable: {0}")]
    Decode(String),
    #[error("snapshot has format version {found}; this engine reads version {SNAPSHOT_VERSION}")]
    Version { found: u32 },
    #[error("snapshot was taken with a different engine configuration")]
    ConfigMismatch,
}

/// What is written (borrowing the engine).
#[derive(Serialize)]
struct SnapshotRef<'a> {
    version: u32,
    config: &'a EngineConfig,
    state: &'a EngineState,
    /// Engine time, written as a test clock whatever clock the engine runs on.
    clock: TestClock,
    queue: &'a EventQueue,
    timers: &'a Timers,
    venue: Option<&'a SimulatedVenue>,
    latency_rng: Option<u64>,
    submitted_at: Vec<(ClientOrderId, UnixNanos)>,
    accepted_at: Vec<(ClientOrderId, UnixNanos)>,
    counters: EngineCounters,
    /// Arrival times of the last message each way: venue traffic keeps its order.
    last_to_venue: UnixNanos,
    last_from_venue: UnixNanos,
}

/// What is read back.
#[derive(Deserialize)]
struct SnapshotOwned {
    config: EngineConfig,
    state: EngineState,
    clock: TestClock,
    queue: EventQueue,
    timers: Timers,
    venue: Option<SimulatedVenue>,
    latency_rng: Option<u64>,
    submitted_at: Vec<(ClientOrderId, UnixNanos)>,
    accepted_at: Vec<(ClientOrderId, UnixNanos)>,
    counters: EngineCounters,
    /// Arrival times of the last message each way: venue traffic keeps its order.
    last_to_venue: UnixNanos,
    last_from_venue: UnixNanos,
}

/// The format version: the first field of the snapshot map, read without decoding the rest so
/// a newer format gives a clear error cheaply.
fn version(bytes: &[u8]) -> Result<u32, SnapshotError> {
    let bad = || SnapshotError::Decode("no format version at the start".into());
    let mut rd = bytes;
    rmp::decode::read_map_len(&mut rd).map_err(|_| bad())?;
    let mut key = [0u8; 16];
    let name = rmp::decode::read_str(&mut rd, &mut key).map_err(|_| bad())?;
    if name != "version" {
        return Err(bad());
    }
    rmp::decode::read_int(&mut rd).map_err(|_| bad())
}

/// Reads one snapshot value.
fn decode<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, SnapshotError> {
    let mut deserializer = rmp_serde::Deserializer::from_read_ref(bytes);
    T::deserialize(&mut deserializer).map_err(|e| SnapshotError::Decode(e.to_string()))
}

fn sorted(map: &crate::types::IdMap<ClientOrderId, UnixNanos>) -> Vec<(ClientOrderId, UnixNanos)> {
    let mut pairs: Vec<_> = map.iter().map(|(k, v)| (*k, *v)).collect();
    pairs.sort_unstable_by_key(|p| p.0);
    pairs
}

impl Engine {
    /// The engine's full state as bytes (see the module docs).
    pub fn snapshot(&self) -> Result<Vec<u8>, EngineError> {
        let snapshot = SnapshotRef {
            version: SNAPSHOT_VERSION,
            config: &self.config,
            state: &self.state,
            clock: TestClock::new(self.clock.now()),
            queue: &self.queue,
            timers: &self.timers,
            venue: self.venue.as_ref(),
            latency_rng: self.latency.rng_state(),
            submitted_at: sorted(&self.submitted_at),
            accepted_at: sorted(&self.accepted_at),
            counters: self.counters,
            last_to_venue: self.last_to_venue,
            last_from_venue: self.last_from_venue,
        };
        rmp_serde::to_vec_named(&snapshot).map_err(|e| SnapshotError::Encode(e.to_string()).into())
    }

    /// An engine in exactly the state `bytes` describes, built for `config` (which must be the
    /// configuration the snapshot was taken with). Strategies are added afterwards.
    pub fn restore(config: EngineConfig, bytes: &[u8]) -> Result<Self, EngineError> {
        let found = version(bytes)?;
        if found != SNAPSHOT_VERSION {
            return Err(SnapshotError::Version { found }.into());
        }
        let snap: SnapshotOwned = decode(bytes)?;
        if snap.config != config {
            return Err(SnapshotError::ConfigMismatch.into());
        }
        let mut engine = Self::new(config)?;
        if let Some(state) = snap.latency_rng {
            engine.latency.set_rng_state(state);
        }
        engine.state = snap.state;
        engine.clock.advance_to(snap.clock.now());
        engine.queue = snap.queue;
        engine.timers = snap.timers;
        engine.venue = snap.venue;
        engine.submitted_at = snap.submitted_at.into_iter().collect();
        engine.accepted_at = snap.accepted_at.into_iter().collect();
        engine.counters = snap.counters;
        engine.last_to_venue = snap.last_to_venue;
        engine.last_from_venue = snap.last_from_venue;
        Ok(engine)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Event;
    use crate::replay::testkit::{config, inputs, live_engine, TimerStrategy};

    #[test]
    fn snapshot_restore_snapshot_gives_the_same_bytes() {
        let mut engine = live_engine(4);
        let mut busy = 0;
        for (i, event) in inputs(4, 400).into_iter().enumerate() {
            engine.process(event).unwrap();
            if i % 20 != 0 {
                continue;
            }
            busy += usize::from(engine.state().open_order_count() > 0 && engine.scheduled() > 0);
            let bytes = engine.snapshot().unwrap();
            let back = Engine::restore(config(4, true), &bytes).unwrap();
            assert_eq!(back.snapshot().unwrap(), bytes);
            assert_eq!(back.now(), engine.now());
            assert_eq!(back.counters(), engine.counters());
        }
        assert!(busy > 0, "no snapshot had open orders and venue traffic in flight");
    }

    #[test]
    fn a_restored_engine_continues_exactly_like_the_original() {
        let all = inputs(8, 600);
        let (first, rest) = all.split_at(300);
        let mut original = live_engine(8);
        for event in first {
            original.process(event.clone()).unwrap();
        }
        original.drain_events();
        let mut restored = Engine::restore(config(8, true), &original.snapshot().unwrap()).unwrap();
        restored.add_strategy(Box::new(TimerStrategy)).unwrap();
        for event in rest {
            original.process(event.clone()).unwrap();
            restored.process(event.clone()).unwrap();
        }
        let out = original.drain_events();
        assert!(out.iter().any(|e| e.kind() == "OrderFilled"));
        assert!(out.iter().any(|e| e.kind() == "TimerFired"));
        assert_eq!(restored.drain_events(), out);
        assert_eq!(restored.snapshot().unwrap(), original.snapshot().unwrap());
    }

    #[test]
    fn closed_orders_leave_memory_and_snapshots_stop_growing() {
        let mut engine = live_engine(6);
        let mut sizes = Vec::new();
        let mut closed = Vec::new();
        for (i, event) in inputs(6, 20_000).into_iter().enumerate() {
            engine.process(event).unwrap();
            engine.drain_events();
            if i % 5_000 == 4_999 {
                sizes.push(engine.snapshot().unwrap().len());
                closed.push(engine.state().closed_orders().len());
            }
        }
        let capacity = crate::engine::RECENT_CLOSED_ORDERS;
        assert_eq!(closed.last(), Some(&capacity), "the window filled: {closed:?}");
        let venue_ids = engine.venue().unwrap().closed_ids().len();
        assert!(venue_ids <= crate::engine::RECENT_VENUE_IDS);
        let (first, last) = (sizes[1], sizes[sizes.len() - 1]);
        assert!(last < first + first / 10, "snapshots grew with history: {sizes:?}");
        let back = Engine::restore(config(6, true), &engine.snapshot().unwrap()).unwrap();
        assert_eq!(back.snapshot().unwrap(), engine.snapshot().unwrap());
    }

    #[test]
    fn a_closed_order_is_still_found_and_takes_no_more_fills() {
        use crate::events::{OrderAccepted, OrderFilled, SubmitOrder};
        use crate::types::{LiquiditySide, Money, TradeId, VenueOrderId};
        let mut engine = Engine::new(config(2, false)).unwrap();
        engine.add_instrument(crate::replay::testkit::instrument()).unwrap();
        let submit = inputs(2, 400)
            .into_iter()
            .find_map(|e| match e {
                Event::SubmitOrder(s) if s.order_type == crate::types::OrderType::Market => Some(s),
                _ => None,
            })
            .unwrap();
        let SubmitOrder { strategy_id, instrument_id, client_order_id, .. } = submit;
        engine.process(Event::SubmitOrder(submit)).unwrap();
        let (account_id, t) = (engine.config.account_id, submit.ts_init);
        let currency = engine.config.starting_balances[0].currency;
        let venue_order_id = VenueOrderId::from_static("V-1");
        let accepted = OrderAccepted {
            strategy_id,
            instrument_id,
            client_order_id,
            venue_order_id,
            account_id,
            ts_event: t,
            ts_init: t,
        };
        let fill = |trade: &'static str| OrderFilled {
            strategy_id,
            instrument_id,
            client_order_id,
            venue_order_id,
            account_id,
            trade_id: TradeId::from_static(trade),
            side: submit.side,
            order_type: submit.order_type,
            last_qty: submit.quantity,
            last_px: "100.00".parse().unwrap(),
            commission: Money { amount: 0, currency },
            liquidity_side: LiquiditySide::Taker,
            ts_event: t,
            ts_init: t,
        };
        engine.process(accepted.into()).unwrap();
        engine.process(fill("T-1").into()).unwrap();
        let position = engine.state().portfolio().net_position_raw(instrument_id);
        assert_eq!(engine.state().closed_orders().len(), 1);
        assert_eq!(engine.state().open_order_count(), 0);
        let order = engine.state().order(client_order_id).unwrap();
        assert_eq!(order.status(), crate::types::OrderStatus::Filled);
        assert!(engine.state().orders().any(|o| o.client_order_id() == client_order_id));
        engine.drain_events();
        // A second fill for the closed order is a fact: logged, counted, not applied.
        engine.process(fill("T-2").into()).unwrap();
        assert_eq!(engine.drain_events().len(), 1);
        assert_eq!(engine.counters().illegal_transitions, 1);
        assert_eq!(engine.state().portfolio().net_position_raw(instrument_id), position);
        let again = Event::SubmitOrder(submit);
        assert!(matches!(engine.process(again), Err(EngineError::DuplicateOrder(_))));
    }

    #[test]
    fn a_bad_snapshot_is_refused_with_a_clear_error() {
        #[derive(Serialize)]
        struct Future {
            version: u32,
        }
        let engine = live_engine(2);
        let bytes = engine.snapshot().unwrap();
        let other = config(3, true);
        assert!(matches!(
            Engine::restore(other, &bytes),
            Err(EngineError::Snapshot(SnapshotError::ConfigMismatch))
        ));
        assert!(matches!(
            Engine::restore(config(2, true), b"not a snapshot"),
            Err(EngineError::Snapshot(SnapshotError::Decode(_)))
        ));
        let newer = rmp_serde::to_vec_named(&Future { version: 99 }).unwrap();
        let err = Engine::restore(config(2, true), &newer).err().unwrap();
        assert_eq!(
            err.to_string(),
            format!("snapshot has format version 99; this engine reads version {SNAPSHOT_VERSION}")
        );
    }
}
