//! `PartitionMap<T>`: values keyed by partition key, in partition order —
//! the input type that loads many upstream partitions, and the output type
//! that writes one value per partition of a key-range run.

use serde::{Deserialize, Serialize};

/// Values keyed by partition key, kept in partition order.
///
/// ```
/// use larder::partitions::PartitionMap;
/// let m: PartitionMap<i64> = [("2024-01-01", 1), ("2024-01-02", 2)].into_iter().collect();
/// assert_eq!(m.get("2024-01-02"), Some(&2));
/// assert_eq!(m.keys().collect::<Vec<_>>(), ["2024-01-01", "2024-01-02"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    from = "indexmap::IndexMap<String, T>",
    into = "indexmap::IndexMap<String, T>"
)]
#[serde(bound(
    serialize = "T: Serialize + Clone",
    deserialize = "T: Deserialize<'de>"
))]
pub struct PartitionMap<T> {
    entries: Vec<(String, T)>,
}

impl<T> Default for PartitionMap<T> {
    fn default() -> Self {
        PartitionMap {
            entries: Vec::new(),
        }
    }
}

impl<T> PartitionMap<T> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the value of `key`; new keys go last.
    pub fn insert(&mut self, key: impl Into<String>, value: T) {
        let key = key.into();
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((key, value)),
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&T> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    /// The values, in order.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// `(key, value)` pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many partitions.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<T, K: Into<String>> FromIterator<(K, T)> for PartitionMap<T> {
    fn from_iter<I: IntoIterator<Item = (K, T)>>(iter: I) -> Self {
        let mut m = PartitionMap::new();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}

impl<T> IntoIterator for PartitionMap<T> {
    type Item = (String, T);
    type IntoIter = std::vec::IntoIter<(String, T)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<T> From<indexmap::IndexMap<String, T>> for PartitionMap<T> {
    fn from(m: indexmap::IndexMap<String, T>) -> Self {
        PartitionMap {
            entries: m.into_iter().collect(),
        }
    }
}

impl<T> From<PartitionMap<T>> for indexmap::IndexMap<String, T> {
    fn from(m: PartitionMap<T>) -> Self {
        m.entries.into_iter().collect()
    }
}
