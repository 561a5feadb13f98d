//! `ParquetFiles`: the [`UPathIOManager`] storing tables as Parquet, one
//! file per asset (per partition), with Dagster's layout.

use arrow_array::RecordBatch;
use larder::storage::upath::{UPath, UPathIOManager, UPathManager, default_partition_path};
use larder::{Error, InputContext, MetadataValue, OutputContext};
use serde::{Deserialize, Serialize};

use crate::Compression;
use crate::rows::{ArrowRow, batch_to_rows, row_columns, rows_to_batch, type_name};
use crate::stream::{BatchStream, FileBatches};
use crate::table::{
    ReadTable, WriteOptions, describe_columns, read_table, read_table_with, table_metadata,
    write_parquet,
};
use crate::table::{open_table, write_parquet_iter};

/// The Parquet IO manager: [`ParquetFiles`] under a base path.
pub type ParquetIOManager = UPathManager<ParquetFiles>;

/// Stores `RecordBatch`, `Vec<RecordBatch>` and `Vec<T>` of [`ArrowRow`]s as
/// Parquet files: `<base>/<asset key path>[/<partition>].parquet`, op
/// outputs under `<base>/<run id>/<step>/<output>.parquet`. Wrap it with a
/// base path ([`ParquetFiles::at`]) to get a [`ParquetIOManager`].
///
/// Inputs:
/// - input metadata `columns = ["a", "b"]` reads only those columns (the
///   others' bytes are never fetched); a `Vec<T>` reads only `T`'s columns;
/// - an input covering many partitions loads them into one table (all
///   batches, or all rows) in partition order, or one value per partition
///   as `PartitionMap<_>`; `allow_missing_partitions = true` skips missing
///   ones.
///
/// Every write records `larder/row_count`, the columns
/// ([`COLUMN_SCHEMA`](crate::COLUMN_SCHEMA)), the byte size
/// ([`BYTE_SIZE`](crate::BYTE_SIZE)) and `path`.
///
/// ```
/// use larder::prelude::*;
/// use larder_arrow::{ArrowRow, ParquetFiles};
///
/// #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
/// struct Trip { id: i64, city: String }
/// impl ArrowRow for Trip {}
///
/// let dir = tempfile::tempdir().unwrap();
/// let manager = ParquetFiles::default().at(dir.path().to_str().unwrap()).unwrap();
/// let mut out = build_output_context().asset_key("trips").build();
/// let trips = vec![Trip { id: 1, city: "Oslo".into() }];
/// IOManager::handle_output(&manager, &mut out, &trips).unwrap();
/// assert!(dir.path().join("trips.parquet").is_file());
/// let mut input = build_input_context().asset_key("trips").build();
/// let back: Vec<Trip> = IOManager::load_input(&manager, &mut input).unwrap();
/// assert_eq!(back, trips);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParquetFiles {
    /// Page compression (zstd by default).
    #[serde(default)]
    pub compression: Compression,
    /// Rows per row group (the parquet crate's default if unset).
    #[serde(default)]
    pub max_row_group_size: Option<usize>,
}

/// The resource config of a Parquet manager: `base_path` plus
/// [`ParquetFiles`]' fields (`compression`, `max_row_group_size`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParquetConfig {
    /// A path or URL (`s3://bucket/prefix`, `memory://`, `file:///data`).
    pub base_path: String,
    /// Page compression (zstd by default).
    #[serde(default)]
    pub compression: Compression,
    /// Rows per row group.
    #[serde(default)]
    pub max_row_group_size: Option<usize>,
}

impl ParquetFiles {
    /// This manager with `compression`.
    pub fn compression(mut self, compression: Compression) -> Self {
        self.compression = compression;
        self
    }

    /// Under `url` (a path, `file://`, `memory://`, `s3://`, `az://`, `gs://`).
    pub fn at(self, url: &str) -> larder::Result<ParquetIOManager> {
        Ok(UPathManager::new(UPath::parse(url)?, self))
    }

    /// Under `base`.
    pub fn on(self, base: UPath) -> ParquetIOManager {
        UPathManager::new(base, self)
    }

    /// A manager from resource config (`{"base_path": "...", "compression": "zstd(9)"}`),
    /// for `#[io_manager]` functions.
    pub fn from_config(config: &serde_json::Value) -> larder::Result<ParquetIOManager> {
        let c: ParquetConfig = serde_json::from_value(config.clone())
            .map_err(|e| Error::msg(format!("Parquet IO manager config: {e}")))?;
        ParquetFiles {
            compression: c.compression,
            max_row_group_size: c.max_row_group_size,
        }
        .at(&c.base_path)
    }

    fn options(&self) -> WriteOptions {
        WriteOptions {
            compression: self.compression,
            max_row_group_size: self.max_row_group_size,
        }
    }

    fn write(
        &self,
        ctx: &mut OutputContext,
        path: &UPath,
        schema: arrow_schema::SchemaRef,
        batches: &[RecordBatch],
    ) -> larder::Result<()> {
        let stats = write_parquet(path, schema.clone(), batches, self.options())
            .map_err(|e| Error::msg(format!("{}: {e}", describe_output(ctx))))?;
        ctx.add_output_metadata(table_metadata(&schema, stats))
    }
}

fn describe_output(ctx: &OutputContext) -> String {
    match (ctx.asset_key(), ctx.has_asset_partitions()) {
        (Ok(k), true) => match ctx.asset_partition_key() {
            Ok(p) => format!("partition {p} of asset `{k}`"),
            Err(_) => format!("asset `{k}`"),
        },
        (Ok(k), false) => format!("asset `{k}`"),
        _ => format!(
            "output `{}` of step `{}`",
            ctx.name().unwrap_or("?"),
            ctx.step_key().unwrap_or("?")
        ),
    }
}

fn describe_input(ctx: &InputContext, partition: Option<&str>) -> String {
    let input = ctx
        .name()
        .map(|n| format!("input `{n}`"))
        .unwrap_or_else(|_| "the input".to_owned());
    match (ctx.asset_key(), partition) {
        (Ok(k), Some(p)) => format!("{input} (partition {p} of asset `{k}`)"),
        (Ok(k), None) => match ctx
            .has_asset_partitions()
            .then(|| ctx.asset_partition_key())
        {
            Some(Ok(p)) => format!("{input} (partition {p} of asset `{k}`)"),
            _ => format!("{input} (asset `{k}`)"),
        },
        _ => input,
    }
}

/// The input's `columns` metadata, if any.
fn selected_columns(ctx: &InputContext) -> larder::Result<Option<Vec<String>>> {
    let Some(v) = ctx.definition_metadata().get("columns") else {
        return Ok(None);
    };
    let bad = || {
        Error::msg(format!(
            "{}: metadata `columns` must be a list of column names, like `columns = [\"id\", \"city\"]`, not {v}",
            describe_input(ctx, None)
        ))
    };
    match v {
        MetadataValue::Json(serde_json::Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned).ok_or_else(bad))
            .collect::<larder::Result<Vec<_>>>()
            .map(Some),
        MetadataValue::Text(one) => Ok(Some(vec![one.clone()])),
        _ => Err(bad()),
    }
}

fn allows_missing(ctx: &InputContext) -> bool {
    ctx.definition_metadata()
        .get("allow_missing_partitions")
        .and_then(MetadataValue::as_bool)
        .unwrap_or(false)
}

/// Reads every partition the input covers, in order: `(key, table)`,
/// skipping missing ones when the input allows it.
fn each_partition<T>(
    manager: &ParquetFiles,
    ctx: &mut InputContext,
    base: &UPath,
    mut read: impl FnMut(&InputContext, &UPath, &str) -> larder::Result<T>,
) -> larder::Result<Vec<(String, T)>> {
    let key = ctx.asset_key()?.clone();
    let asset_path = base.join(
        &UPathIOManager::<RecordBatch>::get_asset_relative_path(manager, &key),
        &format!("asset `{key}`"),
    )?;
    let allow_missing = allows_missing(ctx);
    let mut out = Vec::new();
    for partition in ctx.asset_partition_keys()? {
        let path = default_partition_path(&asset_path, &partition)?.with_suffix(".parquet");
        match read(ctx, &path, &partition) {
            Ok(v) => out.push((partition, v)),
            Err(e) if allow_missing && matches!(e.root(), Error::NotMaterialized { .. }) => {
                ctx.log().warn(format!(
                    "Couldn't load partition {partition} and skipped it because the input metadata includes allow_missing_partitions=true"
                ));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// A missing file, named as the runtime names it.
fn name_missing(e: Error, what: String) -> Error {
    match e {
        Error::NotMaterialized { location, .. } => Error::NotMaterialized { what, location },
        other => other,
    }
}

fn read_batches(
    ctx: &InputContext,
    path: &UPath,
    partition: Option<&str>,
) -> larder::Result<ReadTable> {
    let what = describe_input(ctx, partition);
    let columns = selected_columns(ctx)?;
    read_table(path, columns.as_deref(), &what).map_err(|e| name_missing(e, what))
}

fn concat(ctx: &InputContext, tables: Vec<(String, ReadTable)>) -> larder::Result<RecordBatch> {
    let Some((_, first)) = tables.first() else {
        return Err(Error::msg(format!(
            "{}: no partition was found, so there is no table (not even its columns) to return; declare the input `Vec<RecordBatch>` to accept none",
            describe_input(ctx, None)
        )));
    };
    let schema = first.schema.clone();
    for (key, t) in &tables {
        if t.schema.fields() != schema.fields() {
            return Err(Error::msg(format!(
                "{}: partition {key} has columns {}, but partition {} has {}; they cannot be one table",
                describe_input(ctx, None),
                describe_columns(&t.schema),
                tables[0].0,
                describe_columns(&schema)
            )));
        }
    }
    let batches: Vec<&RecordBatch> = tables.iter().flat_map(|(_, t)| &t.batches).collect();
    arrow_select::concat::concat_batches(&schema, batches)
        .map_err(|e| Error::msg(format!("{}: {e}", describe_input(ctx, None))))
}

impl UPathIOManager<RecordBatch> for ParquetFiles {
    fn extension(&self) -> &str {
        ".parquet"
    }

    fn dump_to_path(
        &self,
        ctx: &mut OutputContext,
        obj: &RecordBatch,
        path: &UPath,
    ) -> larder::Result<()> {
        self.write(ctx, path, obj.schema(), std::slice::from_ref(obj))
    }

    fn load_from_path(&self, ctx: &mut InputContext, path: &UPath) -> larder::Result<RecordBatch> {
        let t = read_batches(ctx, path, None)?;
        concat(ctx, vec![(String::new(), t)])
    }

    fn load_partitions(&self, ctx: &mut InputContext, base: &UPath) -> larder::Result<RecordBatch> {
        let tables = each_partition(self, ctx, base, |c, p, k| read_batches(c, p, Some(k)))?;
        concat(ctx, tables)
    }
}

impl UPathIOManager<Vec<RecordBatch>> for ParquetFiles {
    fn extension(&self) -> &str {
        ".parquet"
    }

    fn dump_to_path(
        &self,
        ctx: &mut OutputContext,
        obj: &Vec<RecordBatch>,
        path: &UPath,
    ) -> larder::Result<()> {
        let Some(first) = obj.first() else {
            return Err(Error::msg(format!(
                "{}: an empty `Vec<RecordBatch>` has no columns to write; return one `RecordBatch` with zero rows instead",
                describe_output(ctx)
            )));
        };
        self.write(ctx, path, first.schema(), obj)
    }

    fn load_from_path(
        &self,
        ctx: &mut InputContext,
        path: &UPath,
    ) -> larder::Result<Vec<RecordBatch>> {
        Ok(read_batches(ctx, path, None)?.batches)
    }

    fn load_partitions(
        &self,
        ctx: &mut InputContext,
        base: &UPath,
    ) -> larder::Result<Vec<RecordBatch>> {
        let tables = each_partition(self, ctx, base, |c, p, k| read_batches(c, p, Some(k)))?;
        Ok(tables.into_iter().flat_map(|(_, t)| t.batches).collect())
    }
}

fn backticked(names: &[String]) -> String {
    names
        .iter()
        .map(|m| format!("`{m}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads `T` rows: the selected columns, or `T`'s, checked against the file.
fn read_rows<T: ArrowRow>(
    ctx: &InputContext,
    path: &UPath,
    partition: Option<&str>,
) -> larder::Result<Vec<T>> {
    let what = describe_input(ctx, partition);
    let selected = selected_columns(ctx)?;
    let mut expected = None;
    let table = read_table_with(path, &what, |file| {
        let cols = row_columns::<T>(file).map_err(|e| Error::msg(format!("{what}: {e}")))?;
        if !cols.missing.is_empty() {
            return Err(Error::msg(format!(
                "{what}: {path} does not match `{}`: it lacks column{} {}; expected {}, found {}",
                type_name::<T>(),
                if cols.missing.len() == 1 { "" } else { "s" },
                backticked(&cols.missing),
                describe_columns(&cols.expected),
                describe_columns(file)
            )));
        }
        // A selection must keep every column `T` cannot do without.
        if let Some(sel) = &selected {
            let dropped: Vec<String> = cols
                .expected
                .fields()
                .iter()
                .filter(|f| !f.is_nullable() && !sel.contains(f.name()))
                .map(|f| f.name().clone())
                .collect();
            if !dropped.is_empty() {
                return Err(Error::msg(format!(
                    "{what} selects columns {}, but `{}` needs {} too; add {} to `columns`, make {} `Option` fields, or load a narrower row type",
                    backticked(sel),
                    type_name::<T>(),
                    backticked(&dropped),
                    if dropped.len() == 1 { "it" } else { "them" },
                    if dropped.len() == 1 { "it" } else { "them" },
                )));
            }
        }
        let read = selected.clone().unwrap_or(cols.read);
        expected = Some(cols.expected);
        Ok(Some(read))
    })
    .map_err(|e| name_missing(e, what.clone()))?;
    let mut rows = Vec::new();
    for b in &table.batches {
        let part = batch_to_rows::<T>(b).map_err(|e| {
            Error::msg(format!(
                "{what}: {path} does not match `{}`: {e}; expected {}, found {}",
                type_name::<T>(),
                expected.as_ref().map(describe_columns).unwrap_or_default(),
                describe_columns(&table.file_schema)
            ))
        })?;
        rows.extend(part);
    }
    Ok(rows)
}

impl<T: ArrowRow> UPathIOManager<Vec<T>> for ParquetFiles {
    fn extension(&self) -> &str {
        ".parquet"
    }

    fn dump_to_path(
        &self,
        ctx: &mut OutputContext,
        obj: &Vec<T>,
        path: &UPath,
    ) -> larder::Result<()> {
        let batch =
            rows_to_batch(obj).map_err(|e| Error::msg(format!("{}: {e}", describe_output(ctx))))?;
        self.write(ctx, path, batch.schema(), std::slice::from_ref(&batch))
    }

    fn load_from_path(&self, ctx: &mut InputContext, path: &UPath) -> larder::Result<Vec<T>> {
        read_rows(ctx, path, None)
    }

    fn load_partitions(&self, ctx: &mut InputContext, base: &UPath) -> larder::Result<Vec<T>> {
        let parts = each_partition(self, ctx, base, |c, p, k| read_rows::<T>(c, p, Some(k)))?;
        Ok(parts.into_iter().flat_map(|(_, rows)| rows).collect())
    }
}

impl UPathIOManager<BatchStream> for ParquetFiles {
    fn extension(&self) -> &str {
        ".parquet"
    }

    /// Writes the batches as they come (the stream is consumed).
    fn dump_to_path(
        &self,
        ctx: &mut OutputContext,
        obj: &BatchStream,
        path: &UPath,
    ) -> larder::Result<()> {
        let stats = write_parquet_iter(path, obj.schema(), obj.drain(), self.options())
            .map_err(|e| Error::msg(format!("{}: {e}", describe_output(ctx))))?;
        ctx.add_output_metadata(table_metadata(&obj.schema(), stats))
    }

    fn load_from_path(&self, ctx: &mut InputContext, path: &UPath) -> larder::Result<BatchStream> {
        let what = describe_input(ctx, None);
        let columns = selected_columns(ctx)?;
        let open = open_table(path, &what, |_| Ok(columns.clone()))
            .map_err(|e| name_missing(e, what.clone()))?;
        let schema = open.schema.clone();
        Ok(BatchStream::new(
            schema.clone(),
            FileBatches {
                current: Some(open),
                rest: Default::default(),
                columns,
                schema,
                first: what,
            },
        ))
    }

    /// Opens the first partition's file now (for the schema) and each
    /// other one when the stream reaches it; missing files are found now.
    fn load_partitions(&self, ctx: &mut InputContext, base: &UPath) -> larder::Result<BatchStream> {
        let columns = selected_columns(ctx)?;
        let mut files = each_partition(self, ctx, base, |c, path, key| {
            let what = describe_input(c, Some(key));
            if path.exists()? {
                Ok((what, path.clone()))
            } else {
                Err(Error::NotMaterialized {
                    what,
                    location: path.to_string(),
                })
            }
        })?
        .into_iter()
        .map(|(_, f)| f)
        .collect::<std::collections::VecDeque<_>>();
        let Some((first, path)) = files.pop_front() else {
            return Err(Error::msg(format!(
                "{}: no partition was found, so there is no table (not even its columns) to stream",
                describe_input(ctx, None)
            )));
        };
        let open = open_table(&path, &first, |_| Ok(columns.clone()))?;
        let schema = open.schema.clone();
        Ok(BatchStream::new(
            schema.clone(),
            FileBatches {
                current: Some(open),
                rest: files,
                columns,
                schema,
                first,
            },
        ))
    }
}
