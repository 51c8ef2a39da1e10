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

/// Entries in archiving order, with an index by key.
#[derive(Debug)]
pub struct Archive<T> {
    entries: Vec<Arc<T>>,
    index: IdMap<ClientOrderId, u32>,
}

impl<T> Default for Archive<T> {
    fn default() -> Self {
        Self { entries: Vec::new(), index: IdMap::default() }
    }
}

impl<T> Clone for Archive<T> {
    fn clone(&self) -> Self {
        Self { entries: self.entries.clone(), index: self.index.clone() }
    }
}

impl<T: Archived> Archive<T> {
    /// Archives `entry`. A key is archived once: the archive is append-only and keys are unique
    /// (the engine never reuses a client order id), so a second entry for a key is ignored.
    pub fn push(&mut self, entry: T) {
        let key = entry.key();
        if self.index.contains_key(&key) {
            return;
        }
        self.index.insert(key, self.entries.len() as u32);
        self.entries.push(Arc::new(entry));
    }

    pub fn get(&self, key: ClientOrderId) -> Option<&T> {
        self.index.get(&key).map(|&i| self.entries[i as usize].as_ref())
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

    /// Entries in archiving order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.entries.iter().map(AsRef::as_ref)
    }

    /// The entries from position `from` on.
    pub fn since(&self, from: usize) -> impl Iterator<Item = &T> {
        self.entries.get(from..).unwrap_or_default().iter().map(AsRef::as_ref)
    }

    /// The first `len` entries, sharing them with `self`; None when `self` is shorter.
    pub fn prefix(&self, len: usize) -> Option<Self> {
        let entries = self.entries.get(..len)?.to_vec();
        let index = entries.iter().enumerate().map(|(i, e)| (e.key(), i as u32)).collect();
        Some(Self { entries, index })
    }

    /// Appends the entries of `other` beyond this archive's length (`other` holds the same
    /// history, further on).
    pub fn catch_up(&mut self, other: &Self) {
        for entry in other.entries.get(self.entries.len()..).unwrap_or_default() {
            self.index.insert(entry.key(), self.entries.len() as u32);
            self.entries.push(Arc::clone(entry));
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

    #[test]
    fn a_prefix_shares_entries_and_finds_only_its_own() {
        let a = archive(10);
        let p = a.prefix(4).unwrap();
        assert_eq!(p.len(), 4);
        assert!(p.contains(id(3)) && !p.contains(id(4)));
        assert!(a.prefix(11).is_none());
        assert!(Arc::ptr_eq(&a.entries[2], &p.entries[2]));
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
        assert_eq!(whole.iter().copied().collect::<Vec<_>>(), a.iter().copied().collect::<Vec<_>>());
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
