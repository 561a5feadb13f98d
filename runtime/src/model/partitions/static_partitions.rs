//! Static partitions: a fixed, ordered list of keys.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use super::error::{PartitionError, invalid_def, reason_of};
use super::range::PartitionKeyRange;
use crate::error::Result;

/// How many keys a description lists before eliding the rest.
const SHOWN_KEYS: usize = 8;

/// A fixed list of partition keys (Dagster's `StaticPartitionsDefinition`).
///
/// Keys become path components in storage, so they must be non-empty, unique,
/// and free of `/`, `\`, control characters (NUL included), and must not be
/// `.` or `..`.
///
/// ```
/// use larder::partitions::StaticPartitionsDefinition;
///
/// let regions = StaticPartitionsDefinition::new(["eu", "us", "apac"])?;
/// assert_eq!(regions.keys(), ["eu", "us", "apac"]);
/// assert_eq!(regions.index_of("us"), Some(1));
///
/// let err = StaticPartitionsDefinition::new(["eu", "a/b"]).unwrap_err();
/// assert!(err.to_string().contains("`a/b`"));
/// # Ok::<(), larder::Error>(())
/// ```
#[derive(Clone)]
pub struct StaticPartitionsDefinition {
    // Shared: definitions are cloned into every step context.
    keys: Arc<[String]>,
    index: Arc<HashMap<String, usize>>,
}

impl StaticPartitionsDefinition {
    /// The keys, in partition order.
    ///
    /// # Errors
    ///
    /// [`PartitionError::InvalidDefinition`] naming an empty, duplicate or
    /// path-unsafe key.
    pub fn new<I, S>(keys: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let keys: Vec<String> = keys.into_iter().map(Into::into).collect();
        let mut index = HashMap::with_capacity(keys.len());
        for (i, key) in keys.iter().enumerate() {
            check_key_is_path_safe(key)
                .map_err(|why| invalid_def(format!("static partition key {why}")))?;
            if index.insert(key.clone(), i).is_some() {
                return Err(invalid_def(format!(
                    "duplicate static partition key `{key}`"
                )));
            }
        }
        Ok(StaticPartitionsDefinition {
            keys: keys.into(),
            index: Arc::new(index),
        })
    }

    /// The keys, in partition order.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// The position of `key`, if it is one.
    pub fn index_of(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    /// Whether `key` is one of the keys.
    pub fn has_partition_key(&self, key: &str) -> bool {
        self.index.contains_key(key)
    }

    /// The position of `key`.
    ///
    /// # Errors
    ///
    /// [`PartitionError::UnknownKey`] if it is not one of the keys.
    pub fn key_index(&self, key: &str) -> Result<usize> {
        self.index_of(key).ok_or_else(|| {
            PartitionError::UnknownKey {
                key: key.to_owned(),
                definition: self.to_string(),
                reason: "it is not one of the keys".to_owned(),
            }
            .into()
        })
    }

    /// The keys from `range.start` to `range.end`, both included.
    ///
    /// # Errors
    ///
    /// [`PartitionError::InvalidRange`] naming a missing start or end key, or
    /// a start that comes after the end.
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
            return Err(bad("the start comes after the end".to_owned()));
        }
        Ok(self.keys[start..=end].to_vec())
    }
}

/// Why a key cannot be a path component, if it cannot.
pub(crate) fn check_key_is_path_safe(key: &str) -> std::result::Result<(), String> {
    if key.is_empty() {
        return Err("is empty".to_owned());
    }
    if key == "." || key == ".." {
        return Err(format!("`{key}` would name a directory, not a partition"));
    }
    if let Some(c) = key
        .chars()
        .find(|c| matches!(c, '/' | '\\') || c.is_control())
    {
        return Err(format!(
            "`{}` contains {c:?}, which is not allowed in a path component",
            key.escape_debug()
        ));
    }
    Ok(())
}

impl PartialEq for StaticPartitionsDefinition {
    fn eq(&self, other: &Self) -> bool {
        self.keys == other.keys
    }
}

impl Eq for StaticPartitionsDefinition {}

impl fmt::Debug for StaticPartitionsDefinition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticPartitionsDefinition")
            .field("keys", &self.keys)
            .finish()
    }
}

impl fmt::Display for StaticPartitionsDefinition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("static partitions [")?;
        for (i, key) in self.keys.iter().take(SHOWN_KEYS).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(key)?;
        }
        if self.keys.len() > SHOWN_KEYS {
            write!(f, ", … {} keys in all", self.keys.len())?;
        }
        f.write_str("]")
    }
}
