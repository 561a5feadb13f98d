//! Reading and writing Parquet files on a [`UPath`], with column selection
//! and the metadata every write records.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::{Schema, SchemaRef};
use larder::storage::upath::{UPath, WriteMode};
use larder::{Error, Metadata, MetadataValue, ROW_COUNT, TableColumn, TableSummary};
use parquet::arrow::ArrowWriter;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::properties::WriterProperties;

use crate::Compression;
use crate::chunks::UPathChunks;

/// The metadata key of a written table's columns and row count (a
/// [`TableSummary`]); Dagster's `dagster/column_schema`.
pub const COLUMN_SCHEMA: &str = "larder/column_schema";

/// The metadata key of a written file's size in bytes.
pub const BYTE_SIZE: &str = "larder/byte_size";

/// How files are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Page compression.
    pub compression: Compression,
    /// Rows per row group (the parquet crate's default, 1 Mi rows, if unset).
    pub max_row_group_size: Option<usize>,
}

/// What a write produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteStats {
    /// Rows written.
    pub rows: u64,
    /// Size of the file in bytes.
    pub bytes: u64,
}

/// What a read fetched: less than the file's size when only some columns
/// were selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadStats {
    /// Bytes fetched from the store (footer included).
    pub bytes_read: u64,
    /// Size of the file.
    pub file_size: u64,
}

/// A table read from one file: its schema (after column selection) and its
/// record batches (one per row group, or fewer rows per batch).
#[derive(Clone, Debug)]
pub struct ReadTable {
    /// The schema of the returned batches.
    pub schema: SchemaRef,
    /// The record batches.
    pub batches: Vec<RecordBatch>,
    /// The columns the file has, whatever was selected.
    pub file_schema: SchemaRef,
    /// Bytes fetched.
    pub stats: ReadStats,
}

/// `name: type` for each column, for messages.
pub(crate) fn describe_columns(schema: &Schema) -> String {
    let cols: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| format!("{}: {}", f.name(), f.data_type()))
        .collect();
    format!("[{}]", cols.join(", "))
}

/// Writes `batches` (all of schema `schema`) as one Parquet file at `path`.
///
/// ```
/// use std::sync::Arc;
/// use larder_arrow::arrow_array::{Int64Array, RecordBatch};
/// use larder_arrow::{WriteOptions, read_parquet, write_parquet};
/// use larder::storage::upath::UPath;
///
/// let batch = RecordBatch::try_from_iter([("id", Arc::new(Int64Array::from(vec![1, 2])) as _)]).unwrap();
/// let path = UPath::parse("memory://doc").unwrap().join(&["t.parquet"], "file").unwrap();
/// let stats = write_parquet(&path, batch.schema(), &[batch], WriteOptions::default()).unwrap();
/// assert_eq!(stats.rows, 2);
/// assert_eq!(read_parquet(&path, None).unwrap().batches[0].num_rows(), 2);
/// ```
pub fn write_parquet(
    path: &UPath,
    schema: SchemaRef,
    batches: &[RecordBatch],
    options: WriteOptions,
) -> larder::Result<WriteStats> {
    write_parquet_iter(path, schema, batches.iter().cloned().map(Ok), options)
}

/// [`write_parquet`] from batches produced one at a time (only the encoded
/// file is held in memory, not the batches).
pub(crate) fn write_parquet_iter(
    path: &UPath,
    schema: SchemaRef,
    batches: impl Iterator<Item = larder::Result<RecordBatch>>,
    options: WriteOptions,
) -> larder::Result<WriteStats> {
    let compression = options
        .compression
        .to_parquet()
        .map_err(|e| Error::msg(format!("{path}: {e}")))?;
    let mut props = WriterProperties::builder().set_compression(compression);
    if let Some(n) = options.max_row_group_size {
        props = props.set_max_row_group_row_count(Some(n.max(1)));
    }
    let failed =
        |e: parquet::errors::ParquetError| Error::msg(format!("writing Parquet to {path}: {e}"));
    let mut writer =
        ArrowWriter::try_new(Vec::new(), schema.clone(), Some(props.build())).map_err(failed)?;
    let mut rows = 0u64;
    for (i, b) in batches.enumerate() {
        let b = b?;
        if b.schema().fields() != schema.fields() {
            return Err(Error::msg(format!(
                "{path}: record batch {i} has columns {}, but the table has {}; every batch of one table needs the same columns",
                describe_columns(&b.schema()),
                describe_columns(&schema)
            )));
        }
        writer.write(&b).map_err(failed)?;
        rows += b.num_rows() as u64;
    }
    let bytes = writer.into_inner().map_err(failed)?;
    let size = bytes.len() as u64;
    path.write(bytes, WriteMode::Overwrite)?;
    Ok(WriteStats { rows, bytes: size })
}

/// Reads the Parquet file at `path`, only the `columns` given (in that
/// order) when there are some: the other columns' bytes are never fetched.
/// A missing file is [`Error::NotMaterialized`]; an unknown column is an
/// error naming the file's columns.
pub fn read_parquet(path: &UPath, columns: Option<&[String]>) -> larder::Result<ReadTable> {
    read_table(path, columns, &path.to_string())
}

/// [`read_parquet`], with `what` (the asset or input) named in errors.
pub(crate) fn read_table(
    path: &UPath,
    columns: Option<&[String]>,
    what: &str,
) -> larder::Result<ReadTable> {
    read_table_with(path, what, |_| Ok(columns.map(<[String]>::to_vec)))
}

/// Reads the file at `path`, the columns `select` picks once it has seen
/// the file's schema (all of them for `None`).
pub(crate) fn open_table(
    path: &UPath,
    what: &str,
    select: impl FnOnce(&SchemaRef) -> larder::Result<Option<Vec<String>>>,
) -> larder::Result<OpenTable> {
    let chunks = UPathChunks::open(path)?;
    let fetched = chunks.fetched();
    let file_size = parquet::file::reader::Length::len(&chunks);
    let corrupt = |e: parquet::errors::ParquetError| {
        Error::msg(format!(
            "{what}: {path} is not a readable Parquet file: {e}"
        ))
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(chunks).map_err(corrupt)?;
    let file_schema = builder.schema().clone();
    let columns = select(&file_schema)?;
    let (builder, order) = match columns.as_deref() {
        None => (builder, None),
        Some(cols) => {
            let mut indices = Vec::with_capacity(cols.len());
            let mut unknown = Vec::new();
            for c in cols {
                match file_schema.index_of(c) {
                    Ok(i) => indices.push(i),
                    Err(_) => unknown.push(format!("`{c}`")),
                }
            }
            if !unknown.is_empty() {
                return Err(Error::msg(format!(
                    "{what} selects column{} {} that {path} does not have; its columns are {}",
                    if unknown.len() == 1 { "" } else { "s" },
                    unknown.join(", "),
                    describe_columns(&file_schema)
                )));
            }
            let mut sorted = indices.clone();
            sorted.sort_unstable();
            sorted.dedup();
            // The reader returns columns in file order; put them back in
            // the order they were asked for.
            let order: Vec<usize> = indices
                .iter()
                .map(|i| sorted.binary_search(i).unwrap_or(0))
                .collect();
            let mask = ProjectionMask::roots(builder.parquet_schema(), sorted);
            (builder.with_projection(mask), Some(order))
        }
    };
    let reader = builder.build().map_err(corrupt)?;
    let schema = match &order {
        Some(o) => Arc::new(
            reader
                .schema()
                .project(o)
                .map_err(|e| Error::msg(format!("{what}: {e}")))?,
        ),
        None => reader.schema(),
    };
    Ok(OpenTable {
        reader,
        order,
        schema,
        file_schema,
        fetched,
        file_size,
        path: path.clone(),
        what: what.to_owned(),
    })
}

/// Reads the file at `path`, the columns `select` picks once it has seen
/// the file's schema (all of them for `None`).
pub(crate) fn read_table_with(
    path: &UPath,
    what: &str,
    select: impl FnOnce(&SchemaRef) -> larder::Result<Option<Vec<String>>>,
) -> larder::Result<ReadTable> {
    let mut open = open_table(path, what, select)?;
    let mut batches = Vec::new();
    while let Some(b) = open.next_batch() {
        batches.push(b?);
    }
    Ok(ReadTable {
        schema: open.schema.clone(),
        batches,
        file_schema: open.file_schema.clone(),
        stats: open.stats(),
    })
}

/// A file being read batch by batch.
pub(crate) struct OpenTable {
    reader: parquet::arrow::arrow_reader::ParquetRecordBatchReader,
    order: Option<Vec<usize>>,
    pub(crate) schema: SchemaRef,
    pub(crate) file_schema: SchemaRef,
    fetched: Arc<std::sync::atomic::AtomicU64>,
    file_size: u64,
    path: UPath,
    what: String,
}

impl OpenTable {
    pub(crate) fn next_batch(&mut self) -> Option<larder::Result<RecordBatch>> {
        let b = self
            .reader
            .next()?
            .map_err(|e| Error::msg(format!("{}: reading {} failed: {e}", self.what, self.path)));
        Some(b.and_then(|b| {
            match &self.order {
                Some(o) => b
                    .project(o)
                    .map_err(|e| Error::msg(format!("{}: {e}", self.what))),
                None => Ok(b),
            }
        }))
    }

    pub(crate) fn stats(&self) -> ReadStats {
        ReadStats {
            bytes_read: self.fetched.load(Ordering::Relaxed),
            file_size: self.file_size,
        }
    }
}

/// The metadata recorded with every write: row count, columns, byte size.
pub fn table_metadata(schema: &Schema, stats: WriteStats) -> Metadata {
    let columns = schema
        .fields()
        .iter()
        .map(|f| TableColumn {
            name: f.name().clone(),
            r#type: f.data_type().to_string(),
        })
        .collect();
    Metadata::from([
        (ROW_COUNT.to_owned(), MetadataValue::from(stats.rows)),
        (
            COLUMN_SCHEMA.to_owned(),
            MetadataValue::TableSummary(TableSummary {
                columns,
                row_count: Some(stats.rows),
            }),
        ),
        (BYTE_SIZE.to_owned(), MetadataValue::from(stats.bytes)),
    ])
}
