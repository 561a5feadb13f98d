//! Serde rows: `Vec<T>` of plain structs stored as Parquet through
//! `serde_arrow`, with no hand-written Arrow conversion.

use arrow_array::RecordBatch;
use arrow_schema::{FieldRef, Schema};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_arrow::schema::{SchemaLike, TracingOptions};

/// A row type stored as one Parquet row per value: a `Vec<T>` of it is a
/// table whose columns are `T`'s fields. It needs only serde's derives and
/// one line:
///
/// ```
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Trip { id: i64, city: String, fare: Option<f64> }
/// impl larder_arrow::ArrowRow for Trip {}
/// ```
///
/// The columns are traced from the type (`Option` fields are nullable,
/// strings are `Utf8`, unit enum variants are strings);
/// override [`ArrowRow::fields`] for types tracing cannot describe. (A marker
/// trait rather than every serde type, so that `Vec<RecordBatch>` can be
/// stored too.)
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a row type the Parquet manager can store",
    label = "`Vec<{Self}>` needs `{Self}: larder_arrow::ArrowRow`",
    note = "derive `Serialize` and `Deserialize` for `{Self}`, then add `impl larder_arrow::ArrowRow for {Self} {{}}`"
)]
pub trait ArrowRow: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The Arrow fields (columns) of this row type.
    fn fields() -> Result<Vec<FieldRef>, String> {
        Vec::<FieldRef>::from_type::<Self>(tracing_options()).map_err(|e| e.to_string())
    }
}

/// `Utf8` strings and 32-bit-offset lists, as pyarrow and pandas write
/// them (large ones load too); unit enum variants as strings.
pub(crate) fn tracing_options() -> TracingOptions {
    TracingOptions::default()
        .allow_null_fields(true)
        .strings_as_large_utf8(false)
        .sequence_as_large_list(false)
        .enums_without_data_as_strings(true)
}

fn short_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full)
}

/// The fields of `T`, or an error naming `T`.
pub(crate) fn fields_of<T: ArrowRow>() -> Result<Vec<FieldRef>, String> {
    T::fields().map_err(|e| {
        format!(
            "cannot derive Arrow columns from `{}`: {e}; override `ArrowRow::fields` for it",
            short_name::<T>()
        )
    })
}

/// `rows` as one record batch.
pub fn rows_to_batch<T: ArrowRow>(rows: &[T]) -> Result<RecordBatch, String> {
    let fields = fields_of::<T>()?;
    serde_arrow::to_record_batch(&fields, &rows)
        .map_err(|e| format!("cannot convert `{}` rows to Arrow: {e}", short_name::<T>()))
}

/// The rows of `batch`, checked against `T`'s columns first so a mismatch
/// names the expected and the found columns.
pub fn batch_to_rows<T: ArrowRow>(batch: &RecordBatch) -> Result<Vec<T>, String> {
    serde_arrow::from_record_batch(batch).map_err(|e| e.to_string())
}

/// The columns of `T` that `file` must have (non-nullable ones), the ones
/// it lacks, and the names to read.
pub(crate) struct RowColumns {
    pub(crate) expected: Schema,
    pub(crate) missing: Vec<String>,
    pub(crate) read: Vec<String>,
}

pub(crate) fn row_columns<T: ArrowRow>(file: &Schema) -> Result<RowColumns, String> {
    let fields = fields_of::<T>()?;
    let mut missing = Vec::new();
    let mut read = Vec::new();
    for f in &fields {
        if file.field_with_name(f.name()).is_ok() {
            read.push(f.name().clone());
        } else if !f.is_nullable() {
            missing.push(f.name().clone());
        }
    }
    Ok(RowColumns {
        expected: Schema::new(fields),
        missing,
        read,
    })
}

pub(crate) fn type_name<T>() -> &'static str {
    short_name::<T>()
}
