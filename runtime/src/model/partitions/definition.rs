//! `PartitionsDefinition`: how an asset is partitioned, whatever the kind.

use std::fmt;

use jiff::Timestamp;

use super::dynamic::DynamicPartitionsDefinition;
use super::error::PartitionError;
use super::multi::MultiPartitionsDefinition;
use super::range::PartitionKeyRange;
use super::static_partitions::StaticPartitionsDefinition;
use super::time_window::{TimeWindow, TimeWindowPartitionsBuilder, TimeWindowPartitionsDefinition};
use crate::error::Result;

/// How an asset is partitioned: by time windows, by a static list of keys,
/// or by two dimensions. Two definitions built the same way are equal, which
/// is how "same partitioning" (the identity mapping) is detected.
///
/// Everything that depends on the current time takes an explicit `now`, so
/// one run sees one consistent set of partitions; the `*_now` methods use the
/// clock.
///
/// ```
/// use larder::partitions::{PartitionsDefinition, StaticPartitionsDefinition, TimeWindowPartitionsDefinition};
///
/// let daily: PartitionsDefinition = TimeWindowPartitionsDefinition::daily("2022-01-01").build()?.into();
/// let now = "2022-01-03T08:00:00Z".parse()?;
/// assert_eq!(daily.partition_keys(now)?, ["2022-01-01", "2022-01-02"]);
/// assert!(daily.has_partition_key("2022-01-02", now));
/// assert!(!daily.has_partition_key("2022-01-03", now)); // not over yet
/// assert_eq!(daily.key_index("2022-01-02", now)?, 1);
///
/// let same = TimeWindowPartitionsDefinition::daily("2022-01-01").build()?.into();
/// assert_eq!(daily, same);
///
/// let colors: PartitionsDefinition = StaticPartitionsDefinition::new(["red", "blue"])?.into();
/// assert!(colors.time_window_for_key("red").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartitionsDefinition {
    /// Hourly, daily, weekly or monthly windows.
    TimeWindow(TimeWindowPartitionsDefinition),
    /// A fixed list of keys.
    Static(StaticPartitionsDefinition),
    /// Two named dimensions.
    Multi(MultiPartitionsDefinition),
    /// Keys added and removed at run time, kept by the instance.
    Dynamic(DynamicPartitionsDefinition),
}

impl PartitionsDefinition {
    /// Static partitions (see [`StaticPartitionsDefinition::new`]).
    ///
    /// # Errors
    ///
    /// An empty, duplicate or path-unsafe key.
    pub fn static_keys<I, S>(keys: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        StaticPartitionsDefinition::new(keys).map(Into::into)
    }

    /// All partition keys at `now`, in partition order.
    ///
    /// # Errors
    ///
    /// Only for dates beyond jiff's range.
    pub fn partition_keys(&self, now: Timestamp) -> Result<Vec<String>> {
        match self {
            PartitionsDefinition::TimeWindow(t) => t.partition_keys(now),
            PartitionsDefinition::Static(s) => Ok(s.keys().to_vec()),
            PartitionsDefinition::Multi(m) => m.partition_keys(now),
            PartitionsDefinition::Dynamic(d) => d.partition_keys(),
        }
    }

    /// [`partition_keys`](Self::partition_keys) at the current time.
    ///
    /// # Errors
    ///
    /// As [`partition_keys`](Self::partition_keys).
    pub fn partition_keys_now(&self) -> Result<Vec<String>> {
        self.partition_keys(Timestamp::now())
    }

    /// The number of partitions at `now`.
    ///
    /// # Errors
    ///
    /// As [`partition_keys`](Self::partition_keys).
    pub fn num_partitions(&self, now: Timestamp) -> Result<usize> {
        match self {
            PartitionsDefinition::Static(s) => Ok(s.keys().len()),
            PartitionsDefinition::TimeWindow(_) | PartitionsDefinition::Dynamic(_) => {
                Ok(self.partition_keys(now)?.len())
            }
            PartitionsDefinition::Multi(m) => {
                let [a, b] = [&m.dimensions()[0].1, &m.dimensions()[1].1];
                Ok(a.num_partitions(now)? * b.num_partitions(now)?)
            }
        }
    }

    /// The first partition key at `now`, if there is any partition.
    ///
    /// # Errors
    ///
    /// As [`partition_keys`](Self::partition_keys).
    pub fn first_partition_key(&self, now: Timestamp) -> Result<Option<String>> {
        match self {
            PartitionsDefinition::TimeWindow(t) => t.first_partition_key(now),
            PartitionsDefinition::Static(s) => Ok(s.keys().first().cloned()),
            PartitionsDefinition::Multi(m) => Ok(m.partition_keys(now)?.into_iter().next()),
            PartitionsDefinition::Dynamic(d) => Ok(d.partition_keys()?.into_iter().next()),
        }
    }

    /// The last partition key at `now`, if there is any partition.
    ///
    /// # Errors
    ///
    /// As [`partition_keys`](Self::partition_keys).
    pub fn last_partition_key(&self, now: Timestamp) -> Result<Option<String>> {
        match self {
            PartitionsDefinition::TimeWindow(t) => t.last_partition_key(now),
            PartitionsDefinition::Static(s) => Ok(s.keys().last().cloned()),
            PartitionsDefinition::Multi(m) => Ok(m.partition_keys(now)?.pop()),
            PartitionsDefinition::Dynamic(d) => Ok(d.partition_keys()?.pop()),
        }
    }

    /// Whether `key` is a partition at `now`.
    pub fn has_partition_key(&self, key: &str, now: Timestamp) -> bool {
        self.validate_key(key, now).is_ok()
    }

    /// [`has_partition_key`](Self::has_partition_key) at the current time.
    pub fn has_partition_key_now(&self, key: &str) -> bool {
        self.has_partition_key(key, Timestamp::now())
    }

    /// `Ok` if `key` is a partition at `now`, otherwise an error saying why.
    ///
    /// # Errors
    ///
    /// [`PartitionError::UnknownKey`] naming the key, the definition and the
    /// reason.
    pub fn validate_key(&self, key: &str, now: Timestamp) -> Result<()> {
        match self {
            PartitionsDefinition::TimeWindow(t) => t.validate_key(key, now),
            PartitionsDefinition::Static(s) => s.key_index(key).map(|_| ()),
            PartitionsDefinition::Multi(m) => m.validate_key(key, now),
            PartitionsDefinition::Dynamic(d) => d.key_index(key).map(|_| ()),
        }
    }

    /// The position of `key` among [`partition_keys`](Self::partition_keys).
    ///
    /// # Errors
    ///
    /// As [`validate_key`](Self::validate_key).
    pub fn key_index(&self, key: &str, now: Timestamp) -> Result<usize> {
        match self {
            PartitionsDefinition::TimeWindow(t) => t.key_index(key, now),
            PartitionsDefinition::Static(s) => s.key_index(key),
            PartitionsDefinition::Multi(m) => m.key_index(key, now),
            PartitionsDefinition::Dynamic(d) => d.key_index(key),
        }
    }

    /// The keys of `range`, both ends included, in partition order: what a
    /// run over the range materializes, one key after the other.
    ///
    /// # Errors
    ///
    /// [`PartitionError::InvalidRange`] naming the start or end key that is
    /// not a partition, or saying the start comes after the end.
    pub fn keys_in_range(&self, range: &PartitionKeyRange, now: Timestamp) -> Result<Vec<String>> {
        match self {
            PartitionsDefinition::TimeWindow(t) => t.keys_in_range(range, now),
            PartitionsDefinition::Static(s) => s.keys_in_range(range),
            PartitionsDefinition::Multi(m) => m.keys_in_range(range, now),
            PartitionsDefinition::Dynamic(d) => d.keys_in_range(range),
        }
    }

    /// The time window of `key`: its own for time-window partitions, its time
    /// dimension's for multi partitions.
    ///
    /// # Errors
    ///
    /// [`PartitionError::NoTimeWindow`] for static partitions (and multi
    /// partitions without exactly one time dimension);
    /// [`PartitionError::UnknownKey`] for a key that does not parse.
    pub fn time_window_for_key(&self, key: &str) -> Result<TimeWindow> {
        match self {
            PartitionsDefinition::TimeWindow(t) => t.time_window_for_key(key),
            PartitionsDefinition::Static(_) => Err(PartitionError::NoTimeWindow {
                definition: self.to_string(),
                reason: format!("static partition `{key}` is not a window of time"),
            }
            .into()),
            PartitionsDefinition::Multi(m) => m.time_window_for_key(key),
            PartitionsDefinition::Dynamic(_) => Err(PartitionError::NoTimeWindow {
                definition: self.to_string(),
                reason: format!("dynamic partition `{key}` is not a window of time"),
            }
            .into()),
        }
    }

    /// Whether the partitions are time windows (or have a time dimension).
    pub fn is_time_based(&self) -> bool {
        match self {
            PartitionsDefinition::TimeWindow(_) => true,
            PartitionsDefinition::Static(_) | PartitionsDefinition::Dynamic(_) => false,
            PartitionsDefinition::Multi(m) => m.time_dimension().is_some(),
        }
    }

    /// The time-window definition, if that is what this is.
    pub fn as_time_window(&self) -> Option<&TimeWindowPartitionsDefinition> {
        match self {
            PartitionsDefinition::TimeWindow(t) => Some(t),
            _ => None,
        }
    }

    /// The static definition, if that is what this is.
    pub fn as_static(&self) -> Option<&StaticPartitionsDefinition> {
        match self {
            PartitionsDefinition::Static(s) => Some(s),
            _ => None,
        }
    }

    /// The dynamic definition, if that is what this is.
    pub fn as_dynamic(&self) -> Option<&DynamicPartitionsDefinition> {
        match self {
            PartitionsDefinition::Dynamic(d) => Some(d),
            _ => None,
        }
    }

    /// The names of the dynamic partitions this definition uses (itself or
    /// a dimension), whose keys an instance keeps.
    pub fn dynamic_names(&self) -> Vec<&str> {
        match self {
            PartitionsDefinition::Dynamic(d) => vec![d.name()],
            PartitionsDefinition::Multi(m) => m
                .dimensions()
                .iter()
                .flat_map(|(_, d)| d.dynamic_names())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// This definition with the current keys of its dynamic partitions
    /// (itself or a dimension), as `keys_of(name)` gives them; any other
    /// definition is returned as it is. A run does this when it starts,
    /// with the keys the instance holds.
    ///
    /// # Errors
    ///
    /// What `keys_of` returns; a dynamic key a multi-partition dimension
    /// cannot hold.
    pub fn with_dynamic_keys(
        &self,
        keys_of: &mut dyn FnMut(&str) -> Result<Vec<String>>,
    ) -> Result<Self> {
        match self {
            PartitionsDefinition::Dynamic(d) => Ok(d.with_keys(keys_of(d.name())?).into()),
            PartitionsDefinition::Multi(m) if !self.dynamic_names().is_empty() => {
                let mut dims = Vec::with_capacity(2);
                for (name, def) in m.dimensions() {
                    dims.push((name.clone(), def.with_dynamic_keys(keys_of)?));
                }
                MultiPartitionsDefinition::new(dims).map(Into::into)
            }
            _ => Ok(self.clone()),
        }
    }

    /// The multi definition, if that is what this is.
    pub fn as_multi(&self) -> Option<&MultiPartitionsDefinition> {
        match self {
            PartitionsDefinition::Multi(m) => Some(m),
            _ => None,
        }
    }

    /// A value that sorts keys in partition order (time: window start;
    /// static: position; multi: both dimensions in turn).
    pub(crate) fn order_key(&self, key: &str) -> Result<Vec<i128>> {
        match self {
            PartitionsDefinition::TimeWindow(t) => Ok(vec![t.start_for_key(key)?.as_nanosecond()]),
            PartitionsDefinition::Static(s) => Ok(vec![s.key_index(key)? as i128]),
            PartitionsDefinition::Dynamic(d) => Ok(vec![d.key_index(key)? as i128]),
            PartitionsDefinition::Multi(m) => {
                let parsed = m.parse_key(key)?;
                let mut order = Vec::with_capacity(2);
                for (name, def) in m.dimensions() {
                    order.extend(def.order_key(parsed.get(name).unwrap_or_default())?);
                }
                Ok(order)
            }
        }
    }
}

impl fmt::Display for PartitionsDefinition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartitionsDefinition::TimeWindow(t) => fmt::Display::fmt(t, f),
            PartitionsDefinition::Static(s) => fmt::Display::fmt(s, f),
            PartitionsDefinition::Multi(m) => fmt::Display::fmt(m, f),
            PartitionsDefinition::Dynamic(d) => fmt::Display::fmt(d, f),
        }
    }
}

impl From<TimeWindowPartitionsDefinition> for PartitionsDefinition {
    fn from(def: TimeWindowPartitionsDefinition) -> Self {
        PartitionsDefinition::TimeWindow(def)
    }
}

impl From<StaticPartitionsDefinition> for PartitionsDefinition {
    fn from(def: StaticPartitionsDefinition) -> Self {
        PartitionsDefinition::Static(def)
    }
}

impl From<MultiPartitionsDefinition> for PartitionsDefinition {
    fn from(def: MultiPartitionsDefinition) -> Self {
        PartitionsDefinition::Multi(def)
    }
}

impl From<DynamicPartitionsDefinition> for PartitionsDefinition {
    fn from(def: DynamicPartitionsDefinition) -> Self {
        PartitionsDefinition::Dynamic(def)
    }
}

impl TryFrom<TimeWindowPartitionsBuilder> for PartitionsDefinition {
    type Error = crate::error::Error;

    fn try_from(builder: TimeWindowPartitionsBuilder) -> Result<Self> {
        builder.build().map(Into::into)
    }
}
