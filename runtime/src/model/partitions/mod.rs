//! Partitions: time windows, static keys and two-dimensional keys; key
//! ranges; and the mappings that say which upstream partitions a downstream
//! partition reads (Dagster's partitions model, see DESIGN.md "Partitions").
//!
//! - [`PartitionsDefinition`]: how an asset is partitioned —
//!   [`TimeWindowPartitionsDefinition`] (hourly/daily/weekly/monthly in an
//!   IANA timezone, DST-correct), [`StaticPartitionsDefinition`], or
//!   [`MultiPartitionsDefinition`] (keys are [`MultiPartitionKey`]s), or
//!   [`DynamicPartitionsDefinition`] (keys added at run time, kept by the
//!   instance).
//! - [`PartitionKeyRange`] / [`PartitionSelection`]: what a run covers.
//! - [`PartitionMapping`], [`upstream_keys_for`], [`default_mapping`]: which
//!   upstream keys an input loads.
//!
//! Anything that depends on the current time takes an explicit
//! `now: jiff::Timestamp`, so a whole run sees one set of partitions.
//!
//! ```
//! use larder::partitions::{PartitionsDefinition, TimeWindowPartitionsDefinition, default_mapping, upstream_keys_for};
//!
//! let hourly: PartitionsDefinition = TimeWindowPartitionsDefinition::hourly("2022-03-01-00:00")
//!     .timezone("America/New_York")
//!     .build()?
//!     .into();
//! let daily: PartitionsDefinition = TimeWindowPartitionsDefinition::daily("2022-03-01")
//!     .timezone("America/New_York")
//!     .build()?
//!     .into();
//! let now = "2022-04-01T00:00:00Z".parse()?;
//! let mapping = default_mapping(&hourly, Some(&daily))?;
//! // Clocks spring forward on 2022-03-13 in New York: that day has 23 hours.
//! let hours = upstream_keys_for(&mapping, Some(&daily), &["2022-03-13".into()], &hourly, now)?;
//! assert_eq!(hours.len(), 23);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod cadence;
mod definition;
mod dynamic;
mod error;
mod mapping;
mod multi;
mod partition_map;
mod range;
mod shape;
mod static_partitions;
mod time_window;

pub use cadence::Cadence;
pub use definition::PartitionsDefinition;
pub use dynamic::DynamicPartitionsDefinition;
pub(crate) use dynamic::check_new_key;
pub use error::PartitionError;
pub use mapping::{PartitionMapping, StaticPartitionMapping, default_mapping, upstream_keys_for};
pub use multi::{MULTI_PARTITION_KEY_DELIMITER, MultiPartitionKey, MultiPartitionsDefinition};
pub use partition_map::PartitionMap;
pub use range::{PartitionKeyRange, PartitionSelection};
pub use shape::{PartitionShape, ShapeKind};
pub use static_partitions::StaticPartitionsDefinition;
pub use time_window::{
    POST_DST_TRANSITION_SUFFIX, TimeWindow, TimeWindowPartitionsBuilder,
    TimeWindowPartitionsDefinition,
};

#[cfg(test)]
mod tests;
