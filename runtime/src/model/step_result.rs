//! What a step body may return besides a bare value: an [`Output`] with
//! metadata and a data version, or a [`MaterializeResult`] for an asset that
//! stores its own data.

use crate::model::metadata::Metadata;

/// A step's value with the metadata to record on its materialization
/// (Dagster's `Output`). Return `Output<T>` from an `#[asset]` or `#[op]`:
/// the manager stores the `T`.
///
/// ```
/// use larder::prelude::*;
///
/// #[asset]
/// fn items() -> Output<Vec<i64>> {
///     let items = vec![1, 2, 3];
///     let rows = items.len();
///     Output::new(items).metadata(metadata! { larder::ROW_COUNT => rows })
/// }
/// # fn main() {}
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Output<T> {
    pub(crate) value: T,
    pub(crate) metadata: Metadata,
    pub(crate) data_version: Option<String>,
}

impl<T> Output<T> {
    /// The value, with no metadata.
    pub fn new(value: T) -> Self {
        Output {
            value,
            metadata: Metadata::new(),
            data_version: None,
        }
    }

    /// Adds metadata (later keys replace earlier ones).
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata.extend(metadata);
        self
    }

    /// Sets the data version recorded with the materialization (Dagster's
    /// `DataVersion`), as metadata [`DATA_VERSION`](crate::DATA_VERSION).
    pub fn data_version(mut self, version: impl Into<String>) -> Self {
        self.data_version = Some(version.into());
        self
    }

    /// The value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The value, taken out.
    pub fn into_value(self) -> T {
        self.value
    }

    /// The metadata.
    pub fn get_metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The data version, if set.
    pub fn get_data_version(&self) -> Option<&str> {
        self.data_version.as_deref()
    }

    /// The value, the metadata and the data version.
    pub fn into_parts(self) -> (T, Metadata, Option<String>) {
        (self.value, self.metadata, self.data_version)
    }
}

/// What an asset that stores its own data returns (Dagster's
/// `MaterializeResult`): nothing is handed to a manager, and the
/// materialization is recorded with this metadata.
///
/// ```
/// use larder::prelude::*;
///
/// #[asset]
/// fn exported_report() -> MaterializeResult {
///     // ... write the report somewhere ...
///     MaterializeResult::new().metadata(metadata! { "pages" => 12 })
/// }
/// # fn main() {}
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MaterializeResult {
    pub(crate) metadata: Metadata,
    pub(crate) data_version: Option<String>,
}

impl MaterializeResult {
    /// A result with no metadata.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds metadata (later keys replace earlier ones).
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata.extend(metadata);
        self
    }

    /// Sets the data version recorded with the materialization.
    pub fn data_version(mut self, version: impl Into<String>) -> Self {
        self.data_version = Some(version.into());
        self
    }

    /// The metadata.
    pub fn get_metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The data version, if set.
    pub fn get_data_version(&self) -> Option<&str> {
        self.data_version.as_deref()
    }
}
