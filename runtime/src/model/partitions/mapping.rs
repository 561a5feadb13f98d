//! Partition mappings: which upstream partitions a downstream partition
//! reads, and Dagster's default mapping between two definitions.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::Timestamp;

use super::cadence::Side;
use super::definition::PartitionsDefinition;
use super::error::{PartitionError, reason_of};
use super::multi::{MultiPartitionKey, MultiPartitionsDefinition};
use super::time_window::TimeWindowPartitionsDefinition;
use crate::error::Result;

/// Refuse offsets that would make the shifting loops run for minutes.
const MAX_MAPPING_OFFSET: i64 = 100_000;

/// How many missing keys an error lists before eliding the rest.
const SHOWN_MISSING: usize = 5;

/// Which upstream partitions each downstream partition depends on
/// (Dagster's `PartitionMapping` subclasses). Resolve one with
/// [`upstream_keys_for`]; [`default_mapping`] gives Dagster's default.
///
/// ```
/// use larder::partitions::{PartitionMapping, PartitionsDefinition, TimeWindowPartitionsDefinition, upstream_keys_for};
///
/// // A daily asset that reads its own previous partition.
/// let daily: PartitionsDefinition = TimeWindowPartitionsDefinition::daily("2020-01-01").build()?.into();
/// let now = "2020-02-01T00:00:00Z".parse()?;
/// let previous = PartitionMapping::time_window(-1, -1);
/// let up = upstream_keys_for(&previous, Some(&daily), &["2020-01-02".into()], &daily, now)?;
/// assert_eq!(up, ["2020-01-01"]);
/// let up = upstream_keys_for(&previous, Some(&daily), &["2020-01-01".into()], &daily, now)?;
/// assert!(up.is_empty()); // the first partition has no previous one
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PartitionMapping {
    /// Each downstream partition reads the upstream partition with the same
    /// key (an error if the upstream has no such key).
    Identity,
    /// Every downstream partition (or an unpartitioned downstream) reads
    /// every upstream partition.
    All,
    /// Every downstream partition reads the last upstream partition (none if
    /// the upstream has no partition yet).
    LastPartition,
    /// Time windows: a downstream partition reads the upstream partitions
    /// whose windows overlap its window, after moving the first of them
    /// `start_offset` and the last `end_offset` upstream partitions (negative
    /// is earlier). `{ start_offset: -1, end_offset: -1 }` is "the previous
    /// partition"; `{ -1, 0 }` is "the previous and the same one".
    ///
    /// Overlapped upstream partitions that do not exist are an error; those
    /// brought in only by the offsets are dropped (so the first partition of
    /// a self-dependency reads nothing).
    TimeWindow {
        /// Shift of the first upstream partition, in upstream partitions.
        start_offset: i64,
        /// Shift of the last upstream partition, in upstream partitions.
        end_offset: i64,
    },
    /// Every downstream partition reads these upstream keys (Dagster's
    /// `SpecificPartitionsPartitionMapping`).
    Specific(Vec<String>),
    /// An explicit correspondence between two static definitions.
    Static(StaticPartitionMapping),
    /// A multi-partitioned upstream read by a single-dimension downstream
    /// (every upstream key whose `dimension` key maps to the downstream key,
    /// across all keys of the other dimension), or the reverse (a multi
    /// downstream key reads what its `dimension` key maps to). The dimension
    /// is inferred when `None`: the one whose definition equals the single
    /// one, else the only time dimension when the single one is time-based.
    MultiToSingleDimension {
        /// The dimension of the multi definition that matches the single one.
        dimension: Option<String>,
    },
}

impl PartitionMapping {
    /// [`PartitionMapping::TimeWindow`] with these offsets.
    pub fn time_window(start_offset: i64, end_offset: i64) -> Self {
        PartitionMapping::TimeWindow {
            start_offset,
            end_offset,
        }
    }

    /// [`PartitionMapping::Static`] from `(upstream key, downstream key)` pairs.
    pub fn static_mapping<U, D>(pairs: impl IntoIterator<Item = (U, D)>) -> Self
    where
        U: Into<String>,
        D: Into<String>,
    {
        PartitionMapping::Static(StaticPartitionMapping::new(pairs))
    }

    /// [`PartitionMapping::MultiToSingleDimension`] along `dimension`.
    pub fn multi_to_single_dimension(dimension: impl Into<String>) -> Self {
        PartitionMapping::MultiToSingleDimension {
            dimension: Some(dimension.into()),
        }
    }

    /// [`upstream_keys_for`] with this mapping.
    ///
    /// # Errors
    ///
    /// As [`upstream_keys_for`].
    pub fn upstream_keys(
        &self,
        downstream_def: Option<&PartitionsDefinition>,
        downstream_keys: &[String],
        upstream_def: &PartitionsDefinition,
        now: Timestamp,
    ) -> Result<Vec<String>> {
        upstream_keys_for(self, downstream_def, downstream_keys, upstream_def, now)
    }

    /// Checks, without looking at the clock, that this mapping can map
    /// between the two definitions (for definition-time validation).
    ///
    /// # Errors
    ///
    /// [`PartitionError::Mapping`] saying what does not fit.
    ///
    /// ```
    /// use larder::partitions::{PartitionMapping, PartitionsDefinition};
    ///
    /// let up = PartitionsDefinition::static_keys(["a", "b"])?;
    /// let down = PartitionsDefinition::static_keys(["x"])?;
    /// assert!(PartitionMapping::static_mapping([("a", "x"), ("b", "x")]).check(&up, Some(&down)).is_ok());
    /// let err = PartitionMapping::static_mapping([("c", "x")]).check(&up, Some(&down)).unwrap_err();
    /// assert!(err.to_string().contains("`c`"));
    /// # Ok::<(), larder::Error>(())
    /// ```
    pub fn check(
        &self,
        upstream_def: &PartitionsDefinition,
        downstream_def: Option<&PartitionsDefinition>,
    ) -> Result<()> {
        match self {
            PartitionMapping::All | PartitionMapping::LastPartition => Ok(()),
            PartitionMapping::Identity => self.need_downstream(downstream_def).map(|_| ()),
            PartitionMapping::Specific(keys) => match upstream_def {
                PartitionsDefinition::Static(s) => {
                    match keys.iter().find(|k| !s.has_partition_key(k)) {
                        Some(k) => Err(self.error(format!(
                            "upstream key `{k}` is not a partition of {upstream_def}"
                        ))),
                        None => Ok(()),
                    }
                }
                _ => Ok(()),
            },
            PartitionMapping::TimeWindow {
                start_offset,
                end_offset,
            } => {
                let down = self.need_downstream(downstream_def)?;
                for offset in [start_offset, end_offset] {
                    if offset.unsigned_abs() > MAX_MAPPING_OFFSET as u64 {
                        return Err(self.error(format!(
                            "offset {offset} is out of range (at most {MAX_MAPPING_OFFSET})"
                        )));
                    }
                }
                match (upstream_def, down) {
                    (PartitionsDefinition::TimeWindow(_), PartitionsDefinition::TimeWindow(_)) => Ok(()),
                    _ => Err(self.error(format!(
                        "both sides must be time-window partitioned, but upstream is {upstream_def} and downstream is \
                         {down}"
                    ))),
                }
            }
            PartitionMapping::Static(mapping) => {
                let down = self.need_downstream(downstream_def)?;
                let (PartitionsDefinition::Static(up_s), PartitionsDefinition::Static(down_s)) =
                    (upstream_def, down)
                else {
                    return Err(self.error(format!(
                        "a static mapping maps between two static definitions, but upstream is {upstream_def} and \
                         downstream is {down}"
                    )));
                };
                if let Some(k) = mapping.map.keys().find(|k| !up_s.has_partition_key(k)) {
                    return Err(self.error(format!(
                        "mapping source `{k}` is not a partition of upstream {upstream_def}"
                    )));
                }
                if let Some(k) = mapping
                    .map
                    .values()
                    .flatten()
                    .find(|k| !down_s.has_partition_key(k))
                {
                    return Err(self.error(format!(
                        "mapping target `{k}` is not a partition of downstream {down}"
                    )));
                }
                Ok(())
            }
            PartitionMapping::MultiToSingleDimension { dimension } => {
                let down = self.need_downstream(downstream_def)?;
                multi_and_single(self, upstream_def, down)
                    .and_then(|(multi, single, _)| {
                        resolve_dimension(self, multi, single, dimension.as_deref())
                    })
                    .map(|_| ())
            }
        }
    }

    fn need_downstream<'a>(
        &self,
        downstream_def: Option<&'a PartitionsDefinition>,
    ) -> Result<&'a PartitionsDefinition> {
        downstream_def.ok_or_else(|| {
            self.error(
                "the downstream is not partitioned; use PartitionMapping::All or LastPartition"
                    .to_owned(),
            )
        })
    }

    fn error(&self, message: String) -> crate::error::Error {
        PartitionError::Mapping {
            mapping: self.to_string(),
            message,
        }
        .into()
    }
}

impl fmt::Display for PartitionMapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartitionMapping::Identity => f.write_str("Identity"),
            PartitionMapping::All => f.write_str("All"),
            PartitionMapping::LastPartition => f.write_str("LastPartition"),
            PartitionMapping::TimeWindow {
                start_offset,
                end_offset,
            } => {
                write!(
                    f,
                    "TimeWindow(start_offset={start_offset}, end_offset={end_offset})"
                )
            }
            PartitionMapping::Specific(keys) => write!(f, "Specific({})", keys.join(", ")),
            PartitionMapping::Static(m) => write!(f, "Static({m})"),
            PartitionMapping::MultiToSingleDimension { dimension: Some(d) } => {
                write!(f, "MultiToSingleDimension({d})")
            }
            PartitionMapping::MultiToSingleDimension { dimension: None } => {
                f.write_str("MultiToSingleDimension")
            }
        }
    }
}

/// Dagster's `StaticPartitionMapping`: upstream key → downstream key(s).
///
/// As in Dagster the map goes from upstream to downstream; a downstream
/// partition reads every upstream key that maps to it (so several upstream
/// keys can feed one downstream key, and one upstream key several
/// downstream keys). A downstream key nothing maps to reads nothing.
///
/// ```
/// use larder::partitions::{PartitionMapping, PartitionsDefinition, StaticPartitionMapping, upstream_keys_for};
///
/// let up = PartitionsDefinition::static_keys(["eu-west", "eu-north", "us-east"])?;
/// let down = PartitionsDefinition::static_keys(["eu", "us"])?;
/// let mapping = StaticPartitionMapping::new([("eu-west", "eu"), ("eu-north", "eu"), ("us-east", "us")]);
/// assert_eq!(mapping.upstream_keys_of("eu"), ["eu-north", "eu-west"]);
/// let keys = upstream_keys_for(&PartitionMapping::Static(mapping), Some(&down), &["eu".into()], &up, jiff::Timestamp::now())?;
/// assert_eq!(keys, ["eu-west", "eu-north"]); // upstream partition order
/// # Ok::<(), larder::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StaticPartitionMapping {
    map: BTreeMap<String, BTreeSet<String>>,
}

impl StaticPartitionMapping {
    /// A mapping from `(upstream key, downstream key)` pairs; repeat an
    /// upstream key to map it to several downstream keys.
    pub fn new<U, D>(pairs: impl IntoIterator<Item = (U, D)>) -> Self
    where
        U: Into<String>,
        D: Into<String>,
    {
        let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (up, down) in pairs {
            map.entry(up.into()).or_default().insert(down.into());
        }
        StaticPartitionMapping { map }
    }

    /// The downstream keys of each upstream key.
    pub fn downstream_keys_by_upstream_key(&self) -> &BTreeMap<String, BTreeSet<String>> {
        &self.map
    }

    /// The upstream keys that map to `downstream_key`, sorted by key.
    pub fn upstream_keys_of(&self, downstream_key: &str) -> Vec<&str> {
        self.map
            .iter()
            .filter(|(_, downs)| downs.contains(downstream_key))
            .map(|(up, _)| up.as_str())
            .collect()
    }
}

impl fmt::Display for StaticPartitionMapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (up, downs)) in self.map.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            let downs: Vec<&str> = downs.iter().map(String::as_str).collect();
            write!(f, "{up} -> {}", downs.join("|"))?;
        }
        Ok(())
    }
}

/// The upstream partition keys that `downstream_keys` (of `downstream_def`,
/// or none for an unpartitioned downstream) read through `mapping`: in
/// upstream partition order, without duplicates. An empty result is not an
/// error (the input then has nothing to load).
///
/// # Errors
///
/// - a downstream key that is not a partition of `downstream_def` at `now`,
///   or keys given for an unpartitioned downstream;
/// - a mapping that does not fit the definitions (see [`PartitionMapping::check`]);
/// - upstream keys the mapping needs that do not exist at `now` (Identity,
///   Specific, or windows overlapping past the upstream's range), named.
///
/// ```
/// use larder::partitions::{PartitionMapping, PartitionsDefinition, TimeWindowPartitionsDefinition, upstream_keys_for};
///
/// let hourly: PartitionsDefinition = TimeWindowPartitionsDefinition::hourly("2022-01-01-00:00").build()?.into();
/// let daily: PartitionsDefinition = TimeWindowPartitionsDefinition::daily("2022-01-01").build()?.into();
/// let now = "2022-01-05T00:00:00Z".parse()?;
/// let hours = upstream_keys_for(&PartitionMapping::time_window(0, 0), Some(&daily), &["2022-01-01".into()], &hourly, now)?;
/// assert_eq!(hours.len(), 24);
/// assert_eq!(hours[0], "2022-01-01-00:00");
/// assert_eq!(hours[23], "2022-01-01-23:00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn upstream_keys_for(
    mapping: &PartitionMapping,
    downstream_def: Option<&PartitionsDefinition>,
    downstream_keys: &[String],
    upstream_def: &PartitionsDefinition,
    now: Timestamp,
) -> Result<Vec<String>> {
    match downstream_def {
        Some(def) => {
            for key in downstream_keys {
                def.validate_key(key, now).map_err(|e| {
                    mapping.error(format!(
                        "downstream partition key `{key}` is not a partition of {def}: {}",
                        reason_of(&e)
                    ))
                })?;
            }
        }
        None if !downstream_keys.is_empty() => {
            return Err(mapping.error(format!(
                "the downstream is not partitioned, but partition keys were given for it: {}",
                downstream_keys.join(", ")
            )));
        }
        None => {}
    }
    mapping.check(upstream_def, downstream_def)?;
    let keys = match mapping {
        PartitionMapping::All => return upstream_def.partition_keys(now),
        PartitionMapping::LastPartition => {
            return Ok(upstream_def.last_partition_key(now)?.into_iter().collect());
        }
        PartitionMapping::Identity | PartitionMapping::Specific(_) => {
            let keys = match mapping {
                PartitionMapping::Specific(keys) => keys.clone(),
                _ => downstream_keys.to_vec(),
            };
            for key in &keys {
                upstream_def.validate_key(key, now).map_err(|e| {
                    mapping.error(format!(
                        "needs upstream partition `{key}`, which is not a partition of {upstream_def}: {}",
                        reason_of(&e)
                    ))
                })?;
            }
            keys
        }
        PartitionMapping::TimeWindow {
            start_offset,
            end_offset,
        } => {
            let (
                Some(PartitionsDefinition::TimeWindow(down)),
                PartitionsDefinition::TimeWindow(up),
            ) = (downstream_def, upstream_def)
            else {
                return Err(mapping.error("both sides must be time-window partitioned".to_owned()));
            };
            return time_window_upstream(
                mapping,
                down,
                downstream_keys,
                up,
                *start_offset,
                *end_offset,
                now,
            );
        }
        PartitionMapping::Static(static_mapping) => downstream_keys
            .iter()
            .flat_map(|k| static_mapping.upstream_keys_of(k))
            .map(str::to_owned)
            .collect(),
        PartitionMapping::MultiToSingleDimension { dimension } => {
            let down = mapping.need_downstream(downstream_def)?;
            return multi_to_single_upstream(
                mapping,
                dimension.as_deref(),
                down,
                downstream_keys,
                upstream_def,
                now,
            );
        }
    };
    in_partition_order(upstream_def, keys)
}

/// Dagster's default mapping from `upstream` to `downstream`:
/// - unpartitioned downstream (`None`): [`PartitionMapping::All`];
/// - the same definition: [`PartitionMapping::Identity`];
/// - a multi definition and a single one that is one of its dimensions (or
///   is time-based while the multi has one time dimension):
///   [`PartitionMapping::MultiToSingleDimension`] along that dimension;
/// - two time-window definitions (e.g. hourly upstream, daily downstream):
///   [`PartitionMapping::TimeWindow`] with no offsets, i.e. overlapping windows.
///
/// # Errors
///
/// [`PartitionError::NoDefaultMapping`] naming both definitions for
/// anything else (e.g. two different static definitions), where Dagster
/// would silently match keys by name.
///
/// ```
/// use larder::partitions::{PartitionMapping, PartitionsDefinition, TimeWindowPartitionsDefinition, default_mapping};
///
/// let hourly: PartitionsDefinition = TimeWindowPartitionsDefinition::hourly("2022-01-01-00:00").build()?.into();
/// let daily: PartitionsDefinition = TimeWindowPartitionsDefinition::daily("2022-01-01").build()?.into();
/// assert_eq!(default_mapping(&hourly, Some(&daily))?, PartitionMapping::time_window(0, 0));
/// assert_eq!(default_mapping(&daily, Some(&daily))?, PartitionMapping::Identity);
/// assert_eq!(default_mapping(&daily, None)?, PartitionMapping::All);
///
/// let ab = PartitionsDefinition::static_keys(["a", "b"])?;
/// let xy = PartitionsDefinition::static_keys(["x", "y"])?;
/// assert!(default_mapping(&ab, Some(&xy)).unwrap_err().to_string().contains("explicit partition mapping"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn default_mapping(
    upstream: &PartitionsDefinition,
    downstream: Option<&PartitionsDefinition>,
) -> Result<PartitionMapping> {
    let Some(downstream) = downstream else {
        return Ok(PartitionMapping::All);
    };
    if upstream == downstream {
        return Ok(PartitionMapping::Identity);
    }
    let probe = PartitionMapping::MultiToSingleDimension { dimension: None };
    if let Ok((multi, single, _)) = multi_and_single(&probe, upstream, downstream)
        && let Ok((name, _)) = resolve_dimension(&probe, multi, single, None)
    {
        return Ok(PartitionMapping::multi_to_single_dimension(name));
    }
    if let (PartitionsDefinition::TimeWindow(_), PartitionsDefinition::TimeWindow(_)) =
        (upstream, downstream)
    {
        return Ok(PartitionMapping::time_window(0, 0));
    }
    Err(PartitionError::NoDefaultMapping {
        upstream: upstream.to_string(),
        downstream: downstream.to_string(),
    }
    .into())
}

/// Sorts keys in `def`'s partition order and drops duplicates.
fn in_partition_order(def: &PartitionsDefinition, keys: Vec<String>) -> Result<Vec<String>> {
    let mut ordered = BTreeMap::new();
    for key in keys {
        let order = def.order_key(&key)?;
        ordered.entry(order).or_insert(key);
    }
    Ok(ordered.into_values().collect())
}

/// The time-window mapping: overlapping upstream windows, shifted.
fn time_window_upstream(
    mapping: &PartitionMapping,
    down: &TimeWindowPartitionsDefinition,
    downstream_keys: &[String],
    up: &TimeWindowPartitionsDefinition,
    start_offset: i64,
    end_offset: i64,
    now: Timestamp,
) -> Result<Vec<String>> {
    let (schedule, tz) = (up.schedule(), up.tz());
    let bounds = up.bounds(now)?;
    let mut starts = BTreeSet::new();
    for key in downstream_keys {
        let window = down.time_window_for_key(key)?;
        // The upstream partitions containing the window's first and last instants.
        let first = schedule.boundary(tz, window.start.timestamp(), Side::Before, true)?;
        let last_end = schedule.boundary(tz, window.end.timestamp(), Side::After, true)?;
        let overlapped = up.starts_between(first, last_end)?;
        let missing: Vec<Timestamp> = match bounds {
            Some((lo, hi)) => overlapped
                .into_iter()
                .filter(|s| *s < lo || *s >= hi)
                .collect(),
            None => overlapped,
        };
        let Some((lo, hi)) = bounds.filter(|_| missing.is_empty()) else {
            let shown: Vec<String> = missing
                .iter()
                .take(SHOWN_MISSING)
                .map(|s| up.format_key(*s).map(|k| format!("`{k}`")))
                .collect::<Result<_>>()?;
            let more = missing.len().saturating_sub(SHOWN_MISSING);
            let existing = match bounds {
                Some(_) => format!(
                    "its partitions at {now} run from `{}` to `{}`",
                    up.first_partition_key(now)?.unwrap_or_default(),
                    up.last_partition_key(now)?.unwrap_or_default()
                ),
                None => format!("it has no partitions at {now}"),
            };
            return Err(mapping.error(format!(
                "downstream partition `{key}` of {down} overlaps upstream partitions that do not exist in {up}: {}{} \
                 ({existing})",
                shown.join(", "),
                if more > 0 { format!(" and {more} more") } else { String::new() }
            )));
        };
        let from = schedule.shift(tz, first, start_offset)?.max(lo);
        let to = schedule.shift(tz, last_end, end_offset)?.min(hi);
        starts.extend(up.starts_between(from, to)?);
    }
    starts.into_iter().map(|s| up.format_key(s)).collect()
}

/// Splits the two definitions into (multi, single, multi is upstream).
fn multi_and_single<'a>(
    mapping: &PartitionMapping,
    upstream: &'a PartitionsDefinition,
    downstream: &'a PartitionsDefinition,
) -> Result<(
    &'a MultiPartitionsDefinition,
    &'a PartitionsDefinition,
    bool,
)> {
    match (upstream, downstream) {
        (PartitionsDefinition::Multi(m), single) if !matches!(single, PartitionsDefinition::Multi(_)) => {
            Ok((m, single, true))
        }
        (single, PartitionsDefinition::Multi(m)) if !matches!(single, PartitionsDefinition::Multi(_)) => {
            Ok((m, single, false))
        }
        _ => Err(mapping.error(format!(
            "exactly one side must be multi-partitioned, but upstream is {upstream} and downstream is {downstream}"
        ))),
    }
}

/// The dimension of `multi` that corresponds to `single`, and the mapping
/// between that dimension and `single` (Identity or TimeWindow).
fn resolve_dimension<'a>(
    mapping: &PartitionMapping,
    multi: &'a MultiPartitionsDefinition,
    single: &PartitionsDefinition,
    dimension: Option<&str>,
) -> Result<(&'a str, &'a PartitionsDefinition)> {
    let compatible = |def: &PartitionsDefinition| {
        def == single
            || matches!(
                (def, single),
                (
                    PartitionsDefinition::TimeWindow(_),
                    PartitionsDefinition::TimeWindow(_)
                )
            )
    };
    if let Some(name) = dimension {
        let Some((name, def)) = multi.dimensions().iter().find(|(n, _)| n == name) else {
            return Err(mapping.error(format!(
                "dimension `{name}` is not a dimension of {multi} (its dimensions are {})",
                multi.dimension_names().join(", ")
            )));
        };
        if !compatible(def) {
            return Err(mapping.error(format!(
                "dimension `{name}` ({def}) does not correspond to {single}: it must be the same definition, or both \
                 must be time-window partitioned"
            )));
        }
        return Ok((name, def));
    }
    let equal: Vec<&(String, PartitionsDefinition)> = multi
        .dimensions()
        .iter()
        .filter(|(_, d)| d == single)
        .collect();
    match equal.as_slice() {
        [(name, def)] => return Ok((name, def)),
        [_, _, ..] => {
            return Err(mapping.error(format!(
                "both dimensions of {multi} equal {single}; name the dimension to map along"
            )));
        }
        [] => {}
    }
    if let (Some((time_name, _)), PartitionsDefinition::TimeWindow(_)) =
        (multi.time_dimension(), single)
        && let Some((name, def)) = multi.dimensions().iter().find(|(n, _)| n == time_name)
    {
        return Ok((name, def));
    }
    Err(mapping.error(format!(
        "cannot tell which dimension of {multi} corresponds to {single}: the single definition must be one of the \
         dimensions, or be time-window partitioned while the multi definition has exactly one time dimension"
    )))
}

/// The mapping between a dimension and the single definition.
fn dimension_mapping(
    dimension_def: &PartitionsDefinition,
    single: &PartitionsDefinition,
) -> PartitionMapping {
    if dimension_def == single {
        PartitionMapping::Identity
    } else {
        PartitionMapping::time_window(0, 0)
    }
}

/// The multi-to-single mapping, in either direction.
fn multi_to_single_upstream(
    mapping: &PartitionMapping,
    dimension: Option<&str>,
    downstream_def: &PartitionsDefinition,
    downstream_keys: &[String],
    upstream_def: &PartitionsDefinition,
    now: Timestamp,
) -> Result<Vec<String>> {
    let (multi, single, multi_is_upstream) =
        multi_and_single(mapping, upstream_def, downstream_def)?;
    let (name, dim_def) = resolve_dimension(mapping, multi, single, dimension)?;
    let wrap = |e: crate::error::Error| {
        mapping.error(format!("along dimension `{name}`: {}", reason_of(&e)))
    };
    if multi_is_upstream {
        // Single downstream keys → the dimension's keys × every key of the other dimension.
        let sub = dimension_mapping(dim_def, single);
        let dim_keys =
            upstream_keys_for(&sub, Some(single), downstream_keys, dim_def, now).map_err(wrap)?;
        let Some((other_name, other_def)) = multi.dimensions().iter().find(|(n, _)| n != name)
        else {
            return Ok(Vec::new());
        };
        let other_keys = other_def.partition_keys(now)?;
        let keys = dim_keys
            .iter()
            .flat_map(|dk| {
                other_keys.iter().map(move |ok| {
                    MultiPartitionKey::new([
                        (name, dk.as_str()),
                        (other_name.as_str(), ok.as_str()),
                    ])
                })
            })
            .map(String::from)
            .collect();
        in_partition_order(upstream_def, keys)
    } else {
        // Multi downstream keys → their dimension keys → the single upstream.
        let sub = dimension_mapping(dim_def, single);
        let mut dim_keys = Vec::with_capacity(downstream_keys.len());
        for key in downstream_keys {
            let parsed = multi.parse_key(key)?;
            let dim_key = parsed.get(name).unwrap_or_default().to_owned();
            if !dim_keys.contains(&dim_key) {
                dim_keys.push(dim_key);
            }
        }
        upstream_keys_for(&sub, Some(dim_def), &dim_keys, single, now).map_err(wrap)
    }
}
