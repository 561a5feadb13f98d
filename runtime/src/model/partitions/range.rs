//! Key ranges and the partition selection of a run.

use std::fmt;

use jiff::Timestamp;

use super::definition::PartitionsDefinition;
use crate::error::Result;

/// The keys from `start` to `end`, both included, in partition order
/// (Dagster's `PartitionKeyRange`; a single-run backfill covers one).
///
/// ```
/// use larder::partitions::{PartitionKeyRange, PartitionsDefinition, TimeWindowPartitionsDefinition};
///
/// let daily = PartitionsDefinition::from(TimeWindowPartitionsDefinition::daily("2022-01-01").build()?);
/// let now = "2022-02-01T00:00:00Z".parse()?;
/// let keys = daily.keys_in_range(&PartitionKeyRange::new("2022-01-30", "2022-01-31"), now)?;
/// assert_eq!(keys, ["2022-01-30", "2022-01-31"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PartitionKeyRange {
    /// The first key.
    pub start: String,
    /// The last key (included).
    pub end: String,
}

impl PartitionKeyRange {
    /// The range `start..=end`.
    pub fn new(start: impl Into<String>, end: impl Into<String>) -> Self {
        PartitionKeyRange {
            start: start.into(),
            end: end.into(),
        }
    }

    /// A range of one key.
    pub fn single(key: impl Into<String>) -> Self {
        let key = key.into();
        PartitionKeyRange {
            start: key.clone(),
            end: key,
        }
    }

    /// Whether the range is a single key.
    pub fn is_single(&self) -> bool {
        self.start == self.end
    }
}

impl fmt::Display for PartitionKeyRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}...{}", self.start, self.end)
    }
}

/// Which partitions a run materializes: one key, or a range whose keys are
/// materialized one by one, in order.
///
/// ```
/// use larder::partitions::{PartitionKeyRange, PartitionSelection, StaticPartitionsDefinition};
///
/// let def = StaticPartitionsDefinition::new(["a", "b", "c"])?.into();
/// let now = jiff::Timestamp::UNIX_EPOCH;
/// assert_eq!(PartitionSelection::from("b").keys(&def, now)?, ["b"]);
/// let range = PartitionSelection::from(PartitionKeyRange::new("a", "b"));
/// assert_eq!(range.keys(&def, now)?, ["a", "b"]);
/// assert!(PartitionSelection::from("z").keys(&def, now).is_err());
/// # Ok::<(), larder::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PartitionSelection {
    /// One partition.
    Key(String),
    /// Every partition from `start` to `end`, both included.
    Range(PartitionKeyRange),
}

impl PartitionSelection {
    /// The selected keys, in partition order, each checked against `def`.
    ///
    /// # Errors
    ///
    /// A key or range end that is not a partition of `def` at `now`.
    pub fn keys(&self, def: &PartitionsDefinition, now: Timestamp) -> Result<Vec<String>> {
        match self {
            PartitionSelection::Key(key) => {
                def.validate_key(key, now)?;
                Ok(vec![key.clone()])
            }
            PartitionSelection::Range(range) => def.keys_in_range(range, now),
        }
    }

    /// The selection as a range (a single key is `key...key`).
    pub fn to_range(&self) -> PartitionKeyRange {
        match self {
            PartitionSelection::Key(key) => PartitionKeyRange::single(key.clone()),
            PartitionSelection::Range(range) => range.clone(),
        }
    }
}

impl From<&str> for PartitionSelection {
    fn from(key: &str) -> Self {
        PartitionSelection::Key(key.to_owned())
    }
}

impl From<String> for PartitionSelection {
    fn from(key: String) -> Self {
        PartitionSelection::Key(key)
    }
}

impl From<PartitionKeyRange> for PartitionSelection {
    fn from(range: PartitionKeyRange) -> Self {
        PartitionSelection::Range(range)
    }
}
