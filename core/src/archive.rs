//! Append-only archives of state that never changes again: orders in a final state, the ids a
//! venue has closed. Entries are kept in the order they were archived, which a deterministic
//! engine reproduces exactly, so two engines at the same point of one history hold the same
//! archive and a shorter one is a prefix of a longer one.
//!
//! That is what keeps snapshots cheap on long runs. The live state (open orders, positions,
//! books) stays small however many orders a run made; a snapshot can leave the archive out and
//! record only its length (`Archive::len`), and a restore takes that prefix of a shared
//! archive. Entries are reference-counted, so taking a prefix copies pointers, not orders.

use crate::types::{ClientOrderId, IdMap};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Deserializer, Serialize};
use std::sync::Arc;

/// What an archive is keyed by.
pub trait Archived {
    fn key(&self) -> ClientOrderId;
}

impl Archived for ClientOrderId {
    fn key(&self) -> ClientOrderId {
        *self
    }
}

/// Entries frozen for sharing: archives of one history take prefixes of it.
#[derive(Debug)]
struct Frozen<T> {
    entries: Vec<Arc<T>>,
    index: IdMap<ClientOrderId, u32>,
}

/// Entries in archiving order, with an index by key: a prefix of a frozen, shared stretch
/// (taken in O(1)), then entries of its own.
#[derive(Debug)]
pub struct Archive<T> {
    frozen: Arc<Frozen<T>>,
    /// How much of `frozen` this archive holds: its first `shared` entries.
    shared: usize,
    /// Entries archived after the shared prefix.
    entries: Vec<Arc<T>>,
    /// Positions (from the start of the archive) of `entries`.
    index: IdMap<ClientOrderId, u32>,
}

impl<T> Default for Archive<T> {
    fn default() -> Self {
        Self {
            frozen: Arc::new(Frozen { entries: Vec::new(), index: IdMap::default() }),
            shared: 0,
            entries: Vec::new(),
            index: IdMap::default(),
        }
    }
}

impl<T> Clone for Archive<T> {
    fn clone(&self) -> Self {
        Self {
            frozen: Arc::clone(&self.frozen),
            shared: self.shared,
            entries: self.entries.clone(),
            index: self.index.clone(),
        }
    }
}

impl<T: Archived> Archive<T> {
    /// Archives `entry`. A key is archived once: the archive is append-only and keys are unique
    /// (the engine never reuses a client order id), so a second entry for a key is ignored.
    pub fn push(&mut self, entry: T) {
        let key = entry.key();
        if self.contains(key) {
            return;
        }
        self.index.insert(key, self.len() as u32);
        self.entries.push(Arc::new(entry));
    }

    fn position(&self, key: ClientOrderId) -> Option<usize> {
        // The frozen stretch may hold entries past this archive's prefix: those are not ours.
        let shared = self.frozen.index.get(&key).map(|&i| i as usize).filter(|&i| i < self.shared);
        shared.or_else(|| self.index.get(&key).map(|&i| i as usize))
    }

    fn at(&self, position: usize) -> Option<&Arc<T>> {
        match position.checked_sub(self.shared) {
            None => self.frozen.entries.get(position),
            Some(own) => self.entries.get(own),
        }
    }

    pub fn get(&self, key: ClientOrderId) -> Option<&T> {
        self.position(key).and_then(|i| self.at(i)).map(AsRef::as_ref)
    }

    pub fn contains(&self, key: ClientOrderId) -> bool {
        self.position(key).is_some()
    }

    pub fn len(&self) -> usize {
        self.shared + self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entries in archiving order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.since(0)
    }

    /// The entries from position `from` on.
    pub fn since(&self, from: usize) -> impl Iterator<Item = &T> {
        let shared = self.frozen.entries.get(from.min(self.shared)..self.shared);
        let own = self.entries.get(from.saturating_sub(self.shared)..);
        shared.unwrap_or_default().iter().chain(own.unwrap_or_default()).map(AsRef::as_ref)
    }

    /// The first `len` entries; None when `self` is shorter. O(1) within the frozen stretch
    /// (see `freeze`), a copy of the own entries beyond it.
    pub fn prefix(&self, len: usize) -> Option<Self> {
        if len > self.len() {
            return None;
        }
        let own = len.saturating_sub(self.shared);
        let entries = self.entries[..own].to_vec();
        let index = self.index.iter().filter(|(_, &i)| (i as usize) < len).map(|(k, i)| (*k, *i));
        Some(Self {
            frozen: Arc::clone(&self.frozen),
            shared: len.min(self.shared),
            entries,
            index: index.collect(),
        })
    }

    /// The same archive with every entry in the frozen, shared stretch, so that `prefix` costs
    /// nothing however long it is. For an archive many restores take prefixes of.
    #[must_use]
    pub fn freeze(self) -> Self {
        let mut entries = Vec::with_capacity(self.len());
        entries.extend(self.frozen.entries[..self.shared].iter().cloned());
        entries.extend(self.entries);
        let index = entries.iter().enumerate().map(|(i, e)| (e.key(), i as u32)).collect();
        let shared = entries.len();
        Self {
            frozen: Arc::new(Frozen { entries, index }),
            shared,
            entries: Vec::new(),
            index: IdMap::default(),
        }
    }

    /// Appends the entries of `other` beyond this archive's length (`other` holds the same
    /// history, further on).
    pub fn catch_up(&mut self, other: &Self) {
        for position in self.len()..other.len() {
            if let Some(entry) = other.at(position) {
                self.index.insert(entry.key(), position as u32);
                self.entries.push(Arc::clone(entry));
            }
        }
    }
}

/// A stretch of an archive as a snapshot writes it: the position of its first entry, then the
/// entries.
pub struct ArchivePart<'a, T> {
    pub from: usize,
    pub archive: &'a Archive<T>,
}

impl<T: Archived + Serialize> Serialize for ArchivePart<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let entries: Vec<&T> = self.archive.since(self.from).collect();
        let mut seq = serializer.serialize_seq(Some(2))?;
        seq.serialize_element(&(self.from as u64))?;
        seq.serialize_element(&entries)?;
        seq.end()
    }
}

/// A stretch read back from a snapshot.
#[derive(Debug)]
pub struct OwnedPart<T> {
    pub from: u64,
    pub entries: Vec<T>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OwnedPart<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (from, entries) = <(u64, Vec<T>)>::deserialize(deserializer)?;
        Ok(Self { from, entries })
    }
}

impl<T: Archived> OwnedPart<T> {
    /// The whole archive: the first `from` entries from `base`, then this part's. None when
    /// the part does not start at 0 and `base` is missing or too short.
    pub fn complete(self, base: Option<&Archive<T>>) -> Option<Archive<T>> {
        let from = usize::try_from(self.from).ok()?;
        let mut archive = match base {
            _ if from == 0 => Archive::default(),
            Some(base) => base.prefix(from)?,
            None => return None,
        };
        for entry in self.entries {
            archive.push(entry);
        }
        Some(archive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u32) -> ClientOrderId {
        ClientOrderId::new(&format!("A-{n}")).unwrap()
    }

    fn archive(n: u32) -> Archive<ClientOrderId> {
        let mut a = Archive::default();
        for i in 0..n {
            a.push(id(i));
        }
        a
    }

    fn ids(a: &Archive<ClientOrderId>) -> Vec<ClientOrderId> {
        a.iter().copied().collect()
    }

    #[test]
    fn a_prefix_finds_only_its_own_entries() {
        for frozen in [false, true] {
            let a = if frozen { archive(10).freeze() } else { archive(10) };
            let p = a.prefix(4).unwrap();
            assert_eq!(p.len(), 4);
            assert!(p.contains(id(3)) && !p.contains(id(4)));
            assert_eq!(p.get(id(2)), Some(&id(2)));
            assert_eq!(ids(&p), ids(&archive(4)));
            assert!(a.prefix(11).is_none());
        }
    }

    #[test]
    fn a_prefix_of_a_frozen_archive_shares_it_and_grows_on_its_own() {
        let a = archive(10).freeze();
        let mut p = a.prefix(4).unwrap();
        assert!(Arc::ptr_eq(&a.frozen, &p.frozen));
        assert!(p.entries.is_empty());
        // The same history goes on: entry 4 is archived again, now as the prefix's own.
        p.push(id(4));
        p.push(id(2));
        assert_eq!(ids(&p), ids(&archive(5)));
        assert_eq!(p.since(3).copied().collect::<Vec<_>>(), [id(3), id(4)]);
        let q = p.prefix(5).unwrap().freeze();
        assert_eq!(ids(&q), ids(&archive(5)));
        assert!(q.contains(id(4)) && !q.contains(id(5)));
    }

    #[test]
    fn a_key_is_archived_once() {
        let mut a = archive(3);
        a.push(id(1));
        assert_eq!(a.len(), 3);
        assert_eq!(a.iter().copied().collect::<Vec<_>>(), [id(0), id(1), id(2)]);
    }

    #[test]
    fn a_part_round_trips_onto_its_base() {
        let a = archive(6);
        let bytes = rmp_serde::to_vec(&ArchivePart { from: 4, archive: &a }).unwrap();
        let part: OwnedPart<ClientOrderId> = rmp_serde::from_slice(&bytes).unwrap();
        assert_eq!(part.from, 4);
        assert_eq!(part.entries, [id(4), id(5)]);
        let whole = part.complete(Some(&archive(5))).unwrap();
        assert_eq!(
            whole.iter().copied().collect::<Vec<_>>(),
            a.iter().copied().collect::<Vec<_>>()
        );
        let part: OwnedPart<ClientOrderId> = rmp_serde::from_slice(&bytes).unwrap();
        assert!(part.complete(None).is_none(), "a part after 0 needs its base");
        let part: OwnedPart<ClientOrderId> = rmp_serde::from_slice(&bytes).unwrap();
        assert!(part.complete(Some(&archive(3))).is_none(), "a base too short");
    }

    #[test]
    fn catch_up_appends_only_what_is_missing() {
        let mut a = archive(2);
        a.catch_up(&archive(5));
        assert_eq!(a.len(), 5);
        assert!(a.contains(id(4)));
        a.catch_up(&archive(3));
        assert_eq!(a.len(), 5);
    }
}
