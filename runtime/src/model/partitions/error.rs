//! The partition errors: every message names the key, definition, format or
//! timezone involved, so a misconfigured partition never surfaces as a bare
//! "not found" deep inside an IO manager.

/// What can go wrong with partitions definitions, keys and mappings.
///
/// Functions in [`crate::model::partitions`] return larder's [`crate::Error`]; this
/// type is kept inside it (as [`crate::Error::User`]) so callers can
/// downcast to tell, for example, an unknown key from a bad definition.
///
/// ```
/// use larder::partitions::{PartitionError, StaticPartitionsDefinition};
///
/// let err = StaticPartitionsDefinition::new(["a", "a"]).unwrap_err();
/// let larder::Error::User(inner) = &err else { panic!("expected a user error") };
/// assert!(matches!(
///     inner.downcast_ref::<PartitionError>(),
///     Some(PartitionError::InvalidDefinition(_))
/// ));
/// assert_eq!(err.to_string(), "invalid partitions definition: duplicate static partition key `a`");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PartitionError {
    /// A definition could not be built (bad start, end, timezone, format,
    /// offset, key or dimension).
    #[error("invalid partitions definition: {0}")]
    InvalidDefinition(String),

    /// A key that is not (or not yet) a partition of a definition.
    #[error("partition key `{key}` is not a partition of {definition}: {reason}")]
    UnknownKey {
        /// The key as given.
        key: String,
        /// The definition, described.
        definition: String,
        /// Why the key is refused.
        reason: String,
    },

    /// A partition key range that cannot be resolved.
    #[error("invalid partition key range `{start}`...`{end}` of {definition}: {reason}")]
    InvalidRange {
        /// The first key of the range.
        start: String,
        /// The last key of the range.
        end: String,
        /// The definition, described.
        definition: String,
        /// Why the range is refused.
        reason: String,
    },

    /// A time window was asked of a definition that has none.
    #[error("{definition} has no time window: {reason}")]
    NoTimeWindow {
        /// The definition, described.
        definition: String,
        /// Why there is no time window.
        reason: String,
    },

    /// A partition mapping that cannot map between the two definitions.
    #[error("partition mapping {mapping}: {message}")]
    Mapping {
        /// The mapping, described.
        mapping: String,
        /// What went wrong.
        message: String,
    },

    /// Two definitions with no default mapping between them.
    #[error(
        "no default partition mapping from upstream {upstream} to downstream {downstream}: \
         the definitions differ, so give the input an explicit partition mapping \
         (e.g. PartitionMapping::Static, PartitionMapping::All or PartitionMapping::MultiToSingleDimension)"
    )]
    NoDefaultMapping {
        /// The upstream definition, described.
        upstream: String,
        /// The downstream definition, described.
        downstream: String,
    },

    /// A date or time computation left the range jiff supports.
    #[error("{0}")]
    OutOfRange(String),
}

impl From<PartitionError> for crate::error::Error {
    fn from(err: PartitionError) -> Self {
        crate::error::Error::user(err)
    }
}

/// Shorthand for a definition error.
pub(crate) fn invalid_def(message: impl Into<String>) -> crate::error::Error {
    PartitionError::InvalidDefinition(message.into()).into()
}

/// The reason inside an unknown-key error (to re-wrap it with more context,
/// e.g. as a range error), or the whole message for any other error.
pub(crate) fn reason_of(err: &crate::error::Error) -> String {
    if let crate::error::Error::User(inner) = err
        && let Some(PartitionError::UnknownKey { reason, .. }) =
            inner.downcast_ref::<PartitionError>()
    {
        return reason.clone();
    }
    err.to_string()
}
