//! The last few things that closed: orders in a final state, the ids a venue closed. Memory is
//! bounded by live state, not by history: a node runs for months, and what is closed is in the
//! event log (queries by id go there). A window of the most recent ones stays, for a late venue
//! event on an order that just closed, for a duplicate id sent again soon after, and for the
//! screens' "recently closed". Entries leave in the order they came, which a deterministic
//! engine reproduces exactly, so two engines at the same point of one history hold the same
//! window, and a snapshot carries it whole (it is small).

use crate::types::{ClientOrderId, IdMap};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::VecDeque;

/// What a window is keyed by.
pub trait Keyed {
    fn key(&self) -> ClientOrderId;
}

impl Keyed for ClientOrderId {
    fn key(&self) -> ClientOrderId {
        *self
    }
}

/// The most recent `capacity` entries, oldest first, with an index by key.
#[derive(Debug, Clone)]
pub struct Recent<T> {
    capacity: usize,
    entries: VecDeque<T>,
    /// Position of each entry since this window began (stable as older ones leave).
    index: IdMap<ClientOrderId, u64>,
    /// Position of the oldest entry kept.
    first: u64,
}

impl<T: Keyed> Recent<T> {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            entries: VecDeque::new(),
            index: IdMap::default(),
            first: 0,
        }
    }

    /// Adds the newest entry (a key already held is replaced where it stands); the oldest
    /// leaves once the window is full.
    pub fn push(&mut self, entry: T) {
        let key = entry.key();
        if let Some(&at) = self.index.get(&key) {
            if let Some(slot) = self.entries.get_mut((at - self.first) as usize) {
                *slot = entry;
            }
            return;
        }
        if self.entries.len() == self.capacity {
            if let Some(old) = self.entries.pop_front() {
                self.index.remove(&old.key());
            }
            self.first += 1;
        }
        self.index.insert(key, self.first + self.entries.len() as u64);
        self.entries.push_back(entry);
    }

    pub fn get(&self, key: ClientOrderId) -> Option<&T> {
        let at = *self.index.get(&key)?;
        self.entries.get((at - self.first) as usize)
    }

    pub fn contains(&self, key: ClientOrderId) -> bool {
        self.index.contains_key(&key)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.entries.iter()
    }

    /// The newest `n`, oldest first.
    pub fn newest(&self, n: usize) -> impl Iterator<Item = &T> {
        self.entries.iter().skip(self.entries.len().saturating_sub(n))
    }
}

/// Written as its capacity and entries, oldest first; the index is rebuilt on reading.
#[derive(Serialize, Deserialize)]
struct Window<T> {
    capacity: usize,
    entries: Vec<T>,
}

impl<T: Serialize + Clone> Serialize for Recent<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let window =
            Window { capacity: self.capacity, entries: self.entries.iter().cloned().collect() };
        window.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de> + Keyed> Deserialize<'de> for Recent<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let window = Window::<T>::deserialize(deserializer)?;
        let mut recent = Self::new(window.capacity);
        for entry in window.entries {
            recent.push(entry);
        }
        Ok(recent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u32) -> ClientOrderId {
        ClientOrderId::from_static(&format!("O-s-{n}"))
    }

    fn keys(r: &Recent<ClientOrderId>) -> Vec<ClientOrderId> {
        r.iter().copied().collect()
    }

    #[test]
    fn keeps_only_the_newest_and_finds_them_by_key() {
        let mut r = Recent::new(3);
        for n in 1..=5 {
            r.push(id(n));
        }
        assert_eq!(keys(&r), [id(3), id(4), id(5)]);
        assert!(!r.contains(id(2)) && r.contains(id(3)));
        assert_eq!(r.get(id(4)), Some(&id(4)));
        assert_eq!(r.newest(2).copied().collect::<Vec<_>>(), [id(4), id(5)]);
    }

    #[test]
    fn a_key_is_held_once() {
        let mut r = Recent::new(3);
        r.push(id(1));
        r.push(id(2));
        r.push(id(1));
        assert_eq!(keys(&r), [id(1), id(2)]);
    }

    #[test]
    fn round_trips_with_its_index() {
        let mut r = Recent::new(2);
        for n in 1..=4 {
            r.push(id(n));
        }
        let bytes = rmp_serde::to_vec_named(&r).unwrap();
        let back: Recent<ClientOrderId> = rmp_serde::from_slice(&bytes).unwrap();
        assert_eq!(keys(&back), keys(&r));
        assert!(back.contains(id(4)) && !back.contains(id(2)));
        assert_eq!(rmp_serde::to_vec_named(&back).unwrap(), bytes);
    }
}
