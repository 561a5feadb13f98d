//! Dynamic partitions: keys added and removed while the definitions stay
//! the same, kept by the instance (Dagster's `DynamicPartitionsDefinition`).

use std::fmt;
use std::sync::Arc;

use super::error::{PartitionError, reason_of};
use super::range::PartitionKeyRange;
use super::static_partitions::check_key_is_path_safe;
use crate::error::Result;

/// Substrings Dagster refuses in partition keys: `...` separates the ends
/// of a range, the others do not display.
const INVALID_SUBSTRINGS: [&str; 9] = [
    "...", "\u{7}", "\u{8}", "\u{c}", "\n", "\r", "\t", "\u{b}", "\0",
];

/// Partitions whose keys are added and removed at run time, by name
/// (Dagster's `DynamicPartitionsDefinition(name=..)`).
///
/// The keys live in the instance's run history, in the order they were
/// added: `Instance::add_dynamic_partitions("files", ["a.csv"])`, or the
/// CLI's `partitions add files a.csv`. A run reads them when it starts, so
/// a run for a key that is not there yet is refused before any step runs.
/// Two definitions with the same name are the same partitions.
///
/// ```
/// use larder::partitions::{DynamicPartitionsDefinition, PartitionsDefinition};
///
/// let files: PartitionsDefinition = DynamicPartitionsDefinition::new("files").into();
/// // With keys as the instance holds them (a run does this when it starts):
/// let now = files.with_dynamic_keys(&mut |_name| Ok(vec!["a.csv".to_owned()]))?;
/// assert_eq!(now.partition_keys_now()?, ["a.csv"]);
/// let err = now.validate_key("b.csv", jiff::Timestamp::now()).unwrap_err();
/// assert!(err.to_string().contains("dynamic partitions `files`"));
/// # Ok::<(), larder::Error>(())
/// ```
#[derive(Clone)]
pub struct DynamicPartitionsDefinition {
    name: String,
    /// The keys read from an instance; `None` until then.
    keys: Option<Arc<[String]>>,
}

impl DynamicPartitionsDefinition {
    /// Dynamic partitions named `name` (the name the instance keeps their
    /// keys under).
    pub fn new(name: impl Into<String>) -> Self {
        DynamicPartitionsDefinition {
            name: name.into(),
            keys: None,
        }
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// These partitions with `keys` as their current keys (what a run reads
    /// from the instance when it starts; also for contexts built in tests).
    pub fn with_keys<I, S>(&self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        DynamicPartitionsDefinition {
            name: self.name.clone(),
            keys: Some(keys.into_iter().map(Into::into).collect()),
        }
    }

    /// The keys read from the instance, if they were.
    pub fn loaded_keys(&self) -> Option<&[String]> {
        self.keys.as_deref()
    }

    /// The current keys, in the order they were added.
    ///
    /// # Errors
    ///
    /// [`PartitionError::InvalidDefinition`] when the keys were not read
    /// from an instance (see [`with_keys`](Self::with_keys)).
    pub fn partition_keys(&self) -> Result<Vec<String>> {
        self.keys().map(<[String]>::to_vec)
    }

    fn keys(&self) -> Result<&[String]> {
        self.keys.as_deref().ok_or_else(|| {
            PartitionError::InvalidDefinition(format!(
                "the keys of {self} were not read from an instance: run through `Definitions` (which reads them from the run history), or give them with `DynamicPartitionsDefinition::with_keys`"
            ))
            .into()
        })
    }

    /// The position of `key` among the current keys.
    ///
    /// # Errors
    ///
    /// [`PartitionError::UnknownKey`] naming the key and the nearest keys.
    pub fn key_index(&self, key: &str) -> Result<usize> {
        let keys = self.keys()?;
        keys.iter().position(|k| k == key).ok_or_else(|| {
            PartitionError::UnknownKey {
                key: key.to_owned(),
                definition: self.to_string(),
                reason: unknown_reason(key, keys, &self.name),
            }
            .into()
        })
    }

    /// The keys from `range.start` to `range.end`, both included, in the
    /// order they were added.
    ///
    /// # Errors
    ///
    /// [`PartitionError::InvalidRange`] naming a missing end or a start
    /// added after the end.
    pub fn keys_in_range(&self, range: &PartitionKeyRange) -> Result<Vec<String>> {
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
            .key_index(&range.start)
            .map_err(|e| bad(format!("start `{}`: {}", range.start, reason_of(&e))))?;
        let end = self
            .key_index(&range.end)
            .map_err(|e| bad(format!("end `{}`: {}", range.end, reason_of(&e))))?;
        if start > end {
            return Err(bad("the start was added after the end".to_owned()));
        }
        Ok(self.keys()?[start..=end].to_vec())
    }
}

/// Why `key` is not a key, with the nearest keys (or how to add it).
fn unknown_reason(key: &str, keys: &[String], name: &str) -> String {
    let hint = crate::suggest::did_you_mean(key, keys.iter().cloned());
    if keys.is_empty() {
        format!(
            "it has no keys yet; add it first (Instance::add_dynamic_partitions(\"{name}\", [\"{key}\"]) or `partitions add {name} {key}`)"
        )
    } else if hint.is_empty() {
        format!(
            "it is not one of its {} ({}); add it first (Instance::add_dynamic_partitions or `partitions add {name} {key}`)",
            count(keys.len()),
            nearest(keys)
        )
    } else {
        format!("it is not one of its {}{hint}", count(keys.len()))
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 key".to_owned()
    } else {
        format!("{n} keys")
    }
}

fn nearest(keys: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut shown: Vec<&str> = keys.iter().take(SHOWN).map(String::as_str).collect();
    if keys.len() > SHOWN {
        shown.push("…");
    }
    shown.join(", ")
}

/// `Ok` if `key` may be added to dynamic partitions named `name`;
/// otherwise why not, naming the key.
pub(crate) fn check_new_key(name: &str, key: &str) -> Result<()> {
    let refuse = |why: String| -> crate::error::Error {
        PartitionError::InvalidDefinition(format!(
            "dynamic partition key {why}; it cannot be added to dynamic partitions `{name}`"
        ))
        .into()
    };
    if let Some(bad) = INVALID_SUBSTRINGS.iter().find(|s| key.contains(**s)) {
        return Err(refuse(format!(
            "`{}` contains {:?}, which partition keys cannot contain (`...` separates the ends of a range)",
            key.escape_debug(),
            bad
        )));
    }
    check_key_is_path_safe(key).map_err(refuse)
}

impl PartialEq for DynamicPartitionsDefinition {
    fn eq(&self, other: &Self) -> bool {
        // Dagster: the same name is the same partitions, whatever keys a
        // snapshot holds.
        self.name == other.name
    }
}

impl Eq for DynamicPartitionsDefinition {}

impl fmt::Debug for DynamicPartitionsDefinition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamicPartitionsDefinition")
            .field("name", &self.name)
            .field("keys", &self.keys)
            .finish()
    }
}

impl fmt::Display for DynamicPartitionsDefinition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dynamic partitions `{}`", self.name)
    }
}
