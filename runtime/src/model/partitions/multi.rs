//! Multi partitions: the cross product of two named dimensions.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use jiff::Timestamp;

use super::definition::PartitionsDefinition;
use super::error::{PartitionError, invalid_def, reason_of};
use super::range::PartitionKeyRange;
use super::time_window::{TimeWindow, TimeWindowPartitionsDefinition};
use crate::error::Result;

/// Separates the dimension keys in a multi-partition key's string form.
pub const MULTI_PARTITION_KEY_DELIMITER: char = '|';

/// Characters a static dimension's keys cannot contain (Dagster's rule:
/// they would make the string form ambiguous).
const INVALID_DIMENSION_KEY_CHARS: [char; 4] = ['|', ',', '[', ']'];

/// A partition of a [`MultiPartitionsDefinition`]: one key per dimension.
///
/// Its string form is Dagster's: the keys ordered by dimension name, joined
/// with `|`.
///
/// ```
/// use larder::partitions::MultiPartitionKey;
///
/// let key = MultiPartitionKey::new([("date", "2020-01-01"), ("abc", "a")]);
/// assert_eq!(key.to_string(), "a|2020-01-01");
/// assert_eq!(key.get("date"), Some("2020-01-01"));
/// assert_eq!(MultiPartitionKey::parse("a|2020-01-01", &["date", "abc"])?, key);
/// # Ok::<(), larder::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MultiPartitionKey {
    // Sorted by dimension name, which is also the string form's order.
    keys: BTreeMap<String, String>,
}

impl MultiPartitionKey {
    /// A key from `(dimension name, key)` pairs (a repeated dimension keeps
    /// its last key).
    pub fn new<N, K>(keys_by_dimension: impl IntoIterator<Item = (N, K)>) -> Self
    where
        N: Into<String>,
        K: Into<String>,
    {
        MultiPartitionKey {
            keys: keys_by_dimension
                .into_iter()
                .map(|(n, k)| (n.into(), k.into()))
                .collect(),
        }
    }

    /// Parses the string form, given the dimension names (in any order).
    ///
    /// # Errors
    ///
    /// [`PartitionError::UnknownKey`] if the number of `|`-separated parts
    /// is not the number of dimensions.
    pub fn parse(key: &str, dimension_names: &[&str]) -> Result<Self> {
        let mut names: Vec<&str> = dimension_names.to_vec();
        names.sort_unstable();
        let parts: Vec<&str> = key.split(MULTI_PARTITION_KEY_DELIMITER).collect();
        if parts.len() != names.len() {
            return Err(PartitionError::UnknownKey {
                key: key.to_owned(),
                definition: format!("multi partitions with dimensions {}", names.join(", ")),
                reason: format!(
                    "expected {} keys separated by `|` (one per dimension, in dimension-name order), found {}",
                    names.len(),
                    parts.len()
                ),
            }
            .into());
        }
        Ok(MultiPartitionKey::new(names.into_iter().zip(parts)))
    }

    /// The key of each dimension, by dimension name.
    pub fn keys_by_dimension(&self) -> &BTreeMap<String, String> {
        &self.keys
    }

    /// The key of one dimension.
    pub fn get(&self, dimension: &str) -> Option<&str> {
        self.keys.get(dimension).map(String::as_str)
    }
}

impl fmt::Display for MultiPartitionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, key) in self.keys.values().enumerate() {
            if i > 0 {
                write!(f, "{MULTI_PARTITION_KEY_DELIMITER}")?;
            }
            f.write_str(key)?;
        }
        Ok(())
    }
}

impl From<MultiPartitionKey> for String {
    fn from(key: MultiPartitionKey) -> Self {
        key.to_string()
    }
}

/// Two named dimensions, each static or time-window partitioned (Dagster's
/// `MultiPartitionsDefinition`). Its partitions are the cross product,
/// ordered by the first dimension (by name) and then the second.
///
/// ```
/// use larder::partitions::{MultiPartitionsDefinition, PartitionsDefinition, TimeWindowPartitionsDefinition};
///
/// let multi = MultiPartitionsDefinition::new([
///     ("date", PartitionsDefinition::from(TimeWindowPartitionsDefinition::daily("2020-01-01").build()?)),
///     ("abc", PartitionsDefinition::static_keys(["a", "b"])?),
/// ])?;
/// let now = "2020-01-03T00:00:00Z".parse()?;
/// assert_eq!(
///     multi.partition_keys(now)?,
///     ["a|2020-01-01", "a|2020-01-02", "b|2020-01-01", "b|2020-01-02"]
/// );
/// assert_eq!(multi.time_window_for_key("b|2020-01-02")?.start.date().day(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiPartitionsDefinition {
    // Sorted by name.
    dimensions: Arc<[(String, PartitionsDefinition)]>,
}

impl MultiPartitionsDefinition {
    /// The two dimensions, as `(name, definition)`.
    ///
    /// # Errors
    ///
    /// [`PartitionError::InvalidDefinition`] unless there are exactly two
    /// dimensions with distinct non-empty names, each static or time-window,
    /// static keys free of `|`, `,`, `[`, `]` and key formats free of them too.
    pub fn new<N, D>(dimensions: impl IntoIterator<Item = (N, D)>) -> Result<Self>
    where
        N: Into<String>,
        D: Into<PartitionsDefinition>,
    {
        let mut dims: Vec<(String, PartitionsDefinition)> = dimensions
            .into_iter()
            .map(|(n, d)| (n.into(), d.into()))
            .collect();
        dims.sort_by(|a, b| a.0.cmp(&b.0));
        let names = || {
            dims.iter()
                .map(|(n, _)| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if dims.len() != 2 {
            return Err(invalid_def(format!(
                "multi partitions need exactly two dimensions, found {} ({})",
                dims.len(),
                names()
            )));
        }
        if dims[0].0 == dims[1].0 {
            return Err(invalid_def(format!(
                "multi partitions have two dimensions named `{}`",
                dims[0].0
            )));
        }
        for (name, def) in &dims {
            if name.is_empty() {
                return Err(invalid_def(
                    "multi partitions have a dimension with an empty name",
                ));
            }
            match def {
                PartitionsDefinition::Multi(_) => {
                    return Err(invalid_def(format!(
                        "dimension `{name}` of multi partitions is itself multi-partitioned; \
                         dimensions must be static, dynamic or time-window partitions"
                    )));
                }
                PartitionsDefinition::Static(s) => {
                    for key in s.keys() {
                        if let Some(c) = key
                            .chars()
                            .find(|c| INVALID_DIMENSION_KEY_CHARS.contains(c))
                        {
                            return Err(invalid_def(format!(
                                "static partition key `{key}` of dimension `{name}` contains `{c}`; \
                                 keys of multi-partition dimensions cannot contain |, [, ] or ,"
                            )));
                        }
                    }
                }
                // Its keys change at run time: checked once they are read.
                PartitionsDefinition::Dynamic(d) => {
                    for key in d.loaded_keys().unwrap_or_default() {
                        if let Some(c) = key
                            .chars()
                            .find(|c| INVALID_DIMENSION_KEY_CHARS.contains(c))
                        {
                            return Err(invalid_def(format!(
                                "dynamic partition key `{key}` of dimension `{name}` ({d}) contains `{c}`; \
                                 keys of multi-partition dimensions cannot contain |, [, ] or ,"
                            )));
                        }
                    }
                }
                PartitionsDefinition::TimeWindow(t) => {
                    if let Some(c) = t
                        .fmt()
                        .chars()
                        .find(|c| INVALID_DIMENSION_KEY_CHARS.contains(c))
                    {
                        return Err(invalid_def(format!(
                            "key format `{}` of dimension `{name}` contains `{c}`; \
                             keys of multi-partition dimensions cannot contain |, [, ] or ,",
                            t.fmt()
                        )));
                    }
                }
            }
        }
        Ok(MultiPartitionsDefinition {
            dimensions: dims.into(),
        })
    }

    /// The dimensions, sorted by name.
    pub fn dimensions(&self) -> &[(String, PartitionsDefinition)] {
        &self.dimensions
    }

    /// The dimension names, sorted.
    pub fn dimension_names(&self) -> Vec<&str> {
        self.dimensions.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The definition of one dimension.
    pub fn dimension(&self, name: &str) -> Option<&PartitionsDefinition> {
        self.dimensions
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d)
    }

    /// The time-window dimension, if exactly one dimension is time-based.
    pub fn time_dimension(&self) -> Option<(&str, &TimeWindowPartitionsDefinition)> {
        let mut time = self.dimensions.iter().filter_map(|(n, d)| match d {
            PartitionsDefinition::TimeWindow(t) => Some((n.as_str(), t)),
            _ => None,
        });
        match (time.next(), time.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    }

    /// Parses a key's string form (checks only its shape; see
    /// [`validate_key`](Self::validate_key)).
    ///
    /// # Errors
    ///
    /// As [`MultiPartitionKey::parse`].
    pub fn parse_key(&self, key: &str) -> Result<MultiPartitionKey> {
        MultiPartitionKey::parse(key, &self.dimension_names())
            .map_err(|e| self.unknown(key, reason_of(&e)))
    }

    /// All partitions at `now`, in partition order.
    ///
    /// # Errors
    ///
    /// As the dimensions' `partition_keys`.
    pub fn multi_partition_keys(&self, now: Timestamp) -> Result<Vec<MultiPartitionKey>> {
        let [(n0, d0), (n1, d1)] = self.pair();
        let (k0, k1) = (d0.partition_keys(now)?, d1.partition_keys(now)?);
        let mut keys = Vec::with_capacity(k0.len() * k1.len());
        for a in &k0 {
            for b in &k1 {
                keys.push(MultiPartitionKey::new([
                    (n0.as_str(), a.as_str()),
                    (n1.as_str(), b.as_str()),
                ]));
            }
        }
        Ok(keys)
    }

    /// All partition keys (string form) at `now`, in partition order.
    ///
    /// # Errors
    ///
    /// As the dimensions' `partition_keys`.
    pub fn partition_keys(&self, now: Timestamp) -> Result<Vec<String>> {
        Ok(self
            .multi_partition_keys(now)?
            .into_iter()
            .map(String::from)
            .collect())
    }

    /// Whether `key` is a partition at `now`.
    pub fn has_partition_key(&self, key: &str, now: Timestamp) -> bool {
        self.validate_key(key, now).is_ok()
    }

    /// `Ok` if `key` is a partition at `now`, otherwise why not.
    ///
    /// # Errors
    ///
    /// [`PartitionError::UnknownKey`] naming the dimension at fault.
    pub fn validate_key(&self, key: &str, now: Timestamp) -> Result<()> {
        self.dimension_indices(key, now).map(|_| ())
    }

    /// The position of `key` among [`partition_keys`](Self::partition_keys).
    ///
    /// # Errors
    ///
    /// As [`validate_key`](Self::validate_key).
    pub fn key_index(&self, key: &str, now: Timestamp) -> Result<usize> {
        let (i0, i1) = self.dimension_indices(key, now)?;
        let len1 = self.pair()[1].1.num_partitions(now)?;
        Ok(i0 * len1 + i1)
    }

    /// The keys from `range.start` to `range.end` (both included) in
    /// partition order, i.e. a slice of [`partition_keys`](Self::partition_keys).
    ///
    /// # Errors
    ///
    /// [`PartitionError::InvalidRange`] naming a bad start or end, or a start
    /// after the end.
    pub fn keys_in_range(&self, range: &PartitionKeyRange, now: Timestamp) -> Result<Vec<String>> {
        let bad = |reason: String| -> crate::error::Error {
            PartitionError::InvalidRange {
                start: range.start.clone(),
                end: range.end.clone(),
                definition: self.to_string(),
                reason,
            }
            .into()
        };
        let start = self
            .key_index(&range.start, now)
            .map_err(|e| bad(format!("start `{}`: {}", range.start, reason_of(&e))))?;
        let end = self
            .key_index(&range.end, now)
            .map_err(|e| bad(format!("end `{}`: {}", range.end, reason_of(&e))))?;
        if start > end {
            return Err(bad("the start comes after the end".to_owned()));
        }
        let keys = self.partition_keys(now)?;
        Ok(keys
            .get(start..=end)
            .map(<[String]>::to_vec)
            .unwrap_or_default())
    }

    /// The window of the time dimension's key.
    ///
    /// # Errors
    ///
    /// [`PartitionError::NoTimeWindow`] unless exactly one dimension is
    /// time-based; otherwise as the time dimension's `time_window_for_key`.
    pub fn time_window_for_key(&self, key: &str) -> Result<TimeWindow> {
        let Some((name, time)) = self.time_dimension() else {
            return Err(PartitionError::NoTimeWindow {
                definition: self.to_string(),
                reason: "a multi-partitions definition has a time window only when exactly one dimension is \
                         time-window partitioned"
                    .to_owned(),
            }
            .into());
        };
        let parsed = self.parse_key(key)?;
        let dim_key = parsed.get(name).unwrap_or_default();
        time.time_window_for_key(dim_key)
            .map_err(|e| self.unknown(key, format!("dimension `{name}`: {}", reason_of(&e))))
    }

    /// The two dimensions (the constructor guarantees exactly two).
    fn pair(&self) -> [&(String, PartitionsDefinition); 2] {
        [&self.dimensions[0], &self.dimensions[1]]
    }

    /// The index of each dimension's key, checking both.
    pub(crate) fn dimension_indices(&self, key: &str, now: Timestamp) -> Result<(usize, usize)> {
        let parsed = self.parse_key(key)?;
        let [(n0, d0), (n1, d1)] = self.pair();
        let index = |name: &str, def: &PartitionsDefinition| {
            def.key_index(parsed.get(name).unwrap_or_default(), now)
                .map_err(|e| self.unknown(key, format!("dimension `{name}`: {}", reason_of(&e))))
        };
        Ok((index(n0, d0)?, index(n1, d1)?))
    }

    fn unknown(&self, key: &str, reason: String) -> crate::error::Error {
        PartitionError::UnknownKey {
            key: key.to_owned(),
            definition: self.to_string(),
            reason,
        }
        .into()
    }
}

impl fmt::Display for MultiPartitionsDefinition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("multi partitions (")?;
        for (i, (name, def)) in self.dimensions.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{name}: {def}")?;
        }
        f.write_str(")")
    }
}
