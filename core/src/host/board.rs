//! The board: the latest views of the engine, published by the engine's thread when a reader
//! asked for them, read by screens on theirs. Each view is kept as MessagePack under a key with
//! a version that moves only when its bytes change, so a reader skips what it already shows.
//! The engine never waits for a reader and a reader never touches the engine: the latest value
//! wins, and a screen asks at its own pace (at most its frame rate).

use crate::views::{Frame, DEFAULT_DEPTH};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// One view as published: its version and its MessagePack.
pub type Published = (u64, Arc<Vec<u8>>);

/// See the module documentation.
#[derive(Debug)]
pub struct Board {
    views: Mutex<BTreeMap<String, Published>>,
    wanted: AtomicBool,
    depth: AtomicUsize,
    frames: Mutex<u64>,
}

impl Default for Board {
    fn default() -> Self {
        Self {
            views: Mutex::default(),
            wanted: AtomicBool::new(false),
            depth: AtomicUsize::new(DEFAULT_DEPTH),
            frames: Mutex::new(0),
        }
    }
}

/// The keys a frame is published under.
pub fn keys_of(frame: &Frame) -> Vec<String> {
    let mut keys: Vec<String> =
        ["status", "orders", "positions", "balances", "latency"].map(String::from).into();
    keys.extend(frame.ladders.iter().map(|l| format!("ladder:{}", l.instrument_id)));
    keys
}

impl Board {
    /// A reader wants fresh views: the engine's thread publishes them after its current step.
    pub fn request(&self) {
        self.wanted.store(true, Ordering::Release);
    }

    /// True when a reader asked for views since they were last published (and clears it).
    pub fn take_request(&self) -> bool {
        self.wanted.swap(false, Ordering::AcqRel)
    }

    /// Ladder levels a side the next frames show.
    pub fn set_depth(&self, depth: usize) {
        self.depth.store(depth.max(1), Ordering::Relaxed);
    }

    pub fn depth(&self) -> usize {
        self.depth.load(Ordering::Relaxed)
    }

    /// Publishes a frame: each view whose bytes changed gets the next version.
    pub fn publish(&self, frame: &Frame) -> Result<(), rmp_serde::encode::Error> {
        let mut encoded = vec![
            ("status".to_owned(), rmp_serde::to_vec_named(&frame.status)?),
            ("orders".to_owned(), rmp_serde::to_vec_named(&frame.open_orders)?),
            ("positions".to_owned(), rmp_serde::to_vec_named(&frame.positions)?),
            ("balances".to_owned(), rmp_serde::to_vec_named(&frame.balances)?),
            ("latency".to_owned(), rmp_serde::to_vec_named(&frame.latency)?),
        ];
        for ladder in &frame.ladders {
            encoded.push((
                format!("ladder:{}", ladder.instrument_id),
                rmp_serde::to_vec_named(ladder)?,
            ));
        }
        let mut views = lock(&self.views);
        for (key, bytes) in encoded {
            match views.get_mut(&key) {
                Some((_, old)) if **old == bytes => {}
                Some((version, old)) => {
                    *version += 1;
                    *old = Arc::new(bytes);
                }
                None => {
                    views.insert(key, (1, Arc::new(bytes)));
                }
            }
        }
        drop(views);
        *lock(&self.frames) += 1;
        Ok(())
    }

    /// The views whose version is newer than the one `seen` gives for their key (absent: 0).
    pub fn read(&self, seen: &BTreeMap<String, u64>) -> Vec<(String, Published)> {
        lock(&self.views)
            .iter()
            .filter(|(key, (version, _))| seen.get(*key).is_none_or(|s| version > s))
            .map(|(key, (version, bytes))| (key.clone(), (*version, Arc::clone(bytes))))
            .collect()
    }

    /// Frames published so far.
    pub fn frames(&self) -> u64 {
        *lock(&self.frames)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
