//! The partition members of both contexts, in one place: the run's
//! partition key, and the asset partitions an output writes or an input
//! reads. Built contexts carry them too, so partitioned managers can be
//! unit-tested (a gap in Dagster).

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::model::partitions::{PartitionKeyRange, PartitionsDefinition, TimeWindow};

/// The asset partitions a context covers, in partition order.
#[derive(Clone, Debug)]
pub(crate) struct AssetPartitions {
    pub(crate) def: Option<Arc<PartitionsDefinition>>,
    pub(crate) keys: std::result::Result<Arc<[String]>, String>,
}

impl AssetPartitions {
    /// The one partition covered, if exactly one: no error built when not
    /// (messages name partitions only when there are some).
    pub(crate) fn single_key(&self) -> Option<&str> {
        match self.keys.as_deref() {
            Ok([one]) => Some(one),
            _ => None,
        }
    }

    pub(crate) fn new(def: Arc<PartitionsDefinition>, keys: Vec<String>) -> Self {
        AssetPartitions {
            def: Some(def),
            keys: Ok(Arc::from(keys)),
        }
    }

    /// The same asset, narrowed to one partition.
    pub(crate) fn only(&self, key: &str) -> Self {
        AssetPartitions {
            def: self.def.clone(),
            keys: Ok(Arc::from(vec![key.to_owned()])),
        }
    }
}

/// How a context is named in partition errors; asked only when an error is
/// built, so an accessor that succeeds allocates nothing.
pub(crate) trait PartitionSubject {
    fn partition_subject(&self) -> String;
}

/// What the partition members need to know about their context. Results
/// borrow from the context (`'a`), not from the view.
pub(crate) struct PartitionView<'a> {
    pub(crate) subject: &'a dyn PartitionSubject,
    pub(crate) run_key: Option<&'a str>,
    pub(crate) asset: Option<&'a AssetPartitions>,
}

fn not_partitioned(what: &str, member: &str) -> Error {
    Error::context(format!(
        "cannot access `{member}`: {what} is not partitioned"
    ))
}

fn summary(keys: &[String]) -> String {
    match keys {
        [] => "no partitions".to_owned(),
        [one] => format!("partition {one}"),
        [first, .., last] => format!("{} partitions ({first} to {last})", keys.len()),
    }
}

impl<'a> PartitionView<'a> {
    pub(crate) fn partition_key(&self) -> Result<&'a str> {
        self.run_key.ok_or_else(|| {
            Error::context(format!(
                "cannot access `partition_key`: the run for {} is not partitioned",
                self.subject.partition_subject()
            ))
        })
    }

    fn asset(&self, member: &str) -> Result<&'a AssetPartitions> {
        self.asset
            .ok_or_else(|| not_partitioned(&self.subject.partition_subject(), member))
    }

    pub(crate) fn keys(&self, member: &str) -> Result<&'a [String]> {
        match &self.asset(member)?.keys {
            Ok(k) => Ok(k),
            Err(e) => Err(Error::context(format!(
                "cannot access `{member}` of {}: {e}",
                self.subject.partition_subject()
            ))),
        }
    }

    pub(crate) fn asset_partition_key(&self) -> Result<&'a str> {
        let keys = self.keys("asset_partition_key")?;
        match keys {
            [one] => Ok(one),
            _ => Err(Error::context(format!(
                "cannot access `asset_partition_key`: {} covers {}, not exactly one; use `asset_partition_keys`",
                self.subject.partition_subject(),
                summary(keys)
            ))),
        }
    }

    pub(crate) fn asset_partition_key_range(&self) -> Result<PartitionKeyRange> {
        match self.keys("asset_partition_key_range")? {
            [] => Err(Error::context(format!(
                "cannot access `asset_partition_key_range`: {} covers no partitions",
                self.subject.partition_subject()
            ))),
            [first, .., last] => Ok(PartitionKeyRange::new(first.clone(), last.clone())),
            [one] => Ok(PartitionKeyRange::single(one.clone())),
        }
    }

    pub(crate) fn asset_partitions_def(&self) -> Result<&'a PartitionsDefinition> {
        self.asset("asset_partitions_def")?.def.as_deref().ok_or_else(|| {
            Error::context(format!(
                "cannot access `asset_partitions_def`: no partitions definition was given for {}",
                self.subject.partition_subject()
            ))
        })
    }

    pub(crate) fn asset_partitions_time_window(&self) -> Result<TimeWindow> {
        let keys = self.keys("asset_partitions_time_window")?;
        let def = self.asset_partitions_def()?;
        let (Some(first), Some(last)) = (keys.first(), keys.last()) else {
            return Err(Error::context(format!(
                "cannot access `asset_partitions_time_window`: {} covers no partitions",
                self.subject.partition_subject()
            )));
        };
        let start = def.time_window_for_key(first)?;
        let end = def.time_window_for_key(last)?;
        Ok(TimeWindow {
            start: start.start,
            end: end.end,
        })
    }
}
