//! Serde helper for `HashMap` fields of state that is snapshotted: the map is written as a
//! sequence of `(key, value)` pairs sorted by key, so the same state always gives the same
//! bytes (a `HashMap`'s own iteration order differs from run to run).
//!
//! Use as `#[serde(with = "crate::sorted_map")]`.

use serde::de::Deserializer;
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};

pub fn serialize<K, V, H, S>(map: &HashMap<K, V, H>, serializer: S) -> Result<S::Ok, S::Error>
where
    K: Ord + Serialize,
    V: Serialize,
    S: Serializer,
{
    let mut pairs: Vec<(&K, &V)> = map.iter().collect();
    pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut seq = serializer.serialize_seq(Some(pairs.len()))?;
    for pair in pairs {
        seq.serialize_element(&pair)?;
    }
    seq.end()
}

pub fn deserialize<'de, K, V, H, D>(deserializer: D) -> Result<HashMap<K, V, H>, D::Error>
where
    K: Eq + Hash + Deserialize<'de>,
    V: Deserialize<'de>,
    H: BuildHasher + Default,
    D: Deserializer<'de>,
{
    let pairs = Vec::<(K, V)>::deserialize(deserializer)?;
    let mut map = HashMap::with_capacity_and_hasher(pairs.len(), H::default());
    map.extend(pairs);
    Ok(map)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Holder {
        #[serde(with = "super")]
        map: HashMap<String, u32>,
    }

    #[test]
    fn same_map_same_bytes_whatever_the_insertion_order() {
        let a: HashMap<String, u32> = (0..50).map(|i| (format!("k{i}"), i)).collect();
        let b: HashMap<String, u32> = (0..50).rev().map(|i| (format!("k{i}"), i)).collect();
        let (a, b) = (Holder { map: a }, Holder { map: b });
        let bytes = rmp_serde::to_vec(&a).unwrap();
        assert_eq!(bytes, rmp_serde::to_vec(&b).unwrap());
        let back: Holder = rmp_serde::from_slice(&bytes).unwrap();
        assert_eq!(back, a);
    }
}
