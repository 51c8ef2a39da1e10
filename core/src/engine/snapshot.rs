//! Snapshots of the whole engine: everything that decides what it does next (instruments and
//! their market, books, orders, portfolio, risk state with its throttle windows, the simulated
//! venue with its resting orders and book view, the scheduled queue, timers, clock, latency
//! generator, counters). Strategies are not part of it: they are re-attached after a restore.
//!
//! The bytes are MessagePack with named fields. Hash maps are written sorted by key, so the same
//! state always gives the same bytes. A snapshot is taken between two calls into the engine,
//! when nothing is half-processed; events not yet drained from the output are not state.

use super::{Engine, EngineConfig, EngineCounters, EngineError, EngineState, EventQueue};
use crate::clock::{TestClock, Timers};
use crate::matching::SimulatedVenue;
use crate::types::{ClientOrderId, UnixNanos};
use serde::{Deserialize, Serialize};

/// Format version written in every snapshot; a restore refuses any other.
pub const SNAPSHOT_VERSION: u32 = 1;

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
    clock: &'a TestClock,
    queue: &'a EventQueue,
    timers: &'a Timers,
    venue: Option<&'a SimulatedVenue>,
    latency_rng: Option<u64>,
    submitted_at: Vec<(ClientOrderId, UnixNanos)>,
    accepted_at: Vec<(ClientOrderId, UnixNanos)>,
    counters: EngineCounters,
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
}

/// Only the version, read first so a newer format gives a clear error.
#[derive(Deserialize)]
struct VersionOnly {
    version: u32,
}

fn sorted(
    map: &std::collections::HashMap<ClientOrderId, UnixNanos>,
) -> Vec<(ClientOrderId, UnixNanos)> {
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
            clock: &self.clock,
            queue: &self.queue,
            timers: &self.timers,
            venue: self.venue.as_ref(),
            latency_rng: self.latency.rng_state(),
            submitted_at: sorted(&self.submitted_at),
            accepted_at: sorted(&self.accepted_at),
            counters: self.counters,
        };
        rmp_serde::to_vec_named(&snapshot).map_err(|e| SnapshotError::Encode(e.to_string()).into())
    }

    /// An engine in exactly the state `bytes` describes, built for `config` (which must be the
    /// configuration the snapshot was taken with). Strategies are added afterwards.
    pub fn restore(config: EngineConfig, bytes: &[u8]) -> Result<Self, EngineError> {
        let version: VersionOnly =
            rmp_serde::from_slice(bytes).map_err(|e| SnapshotError::Decode(e.to_string()))?;
        if version.version != SNAPSHOT_VERSION {
            return Err(SnapshotError::Version { found: version.version }.into());
        }
        let snap: SnapshotOwned =
            rmp_serde::from_slice(bytes).map_err(|e| SnapshotError::Decode(e.to_string()))?;
        if snap.config != config {
            return Err(SnapshotError::ConfigMismatch.into());
        }
        let mut engine = Self::new(config)?;
        if let Some(state) = snap.latency_rng {
            engine.latency.set_rng_state(state);
        }
        engine.state = snap.state;
        engine.clock = snap.clock;
        engine.queue = snap.queue;
        engine.timers = snap.timers;
        engine.venue = snap.venue;
        engine.submitted_at = snap.submitted_at.into_iter().collect();
        engine.accepted_at = snap.accepted_at.into_iter().collect();
        engine.counters = snap.counters;
        Ok(engine)
    }
}
