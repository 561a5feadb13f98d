//! Arrow and Parquet for larder: [`ParquetIOManager`] stores `RecordBatch`,
//! `Vec<RecordBatch>`, [`BatchStream`] (read lazily, for tables larger than
//! memory) and `Vec<T>` of plain serde structs ([`ArrowRow`]) as
//! Parquet files on local disk, `memory://`, `s3://`, `az://` or `gs://`,
//! laid out as Dagster lays them out:
//! `<base>/<asset key path>[/<partition>].parquet`.
//!
//! ```
//! use larder::prelude::*;
//! use larder_arrow::{ArrowRow, ParquetFiles, ParquetIOManager};
//!
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Reading { sensor: String, value: f64 }
//! impl ArrowRow for Reading {}
//!
//! #[io_manager(key = "parquet")]
//! fn parquet(ctx: &mut InitContext) -> larder::Result<ParquetIOManager> {
//!     ParquetFiles::from_config(ctx.resource_config())
//! }
//!
//! #[asset(io_manager_key = "parquet")]
//! fn readings() -> Vec<Reading> {
//!     vec![Reading { sensor: "a".into(), value: 1.5 }]
//! }
//! # fn main() {}
//! ```
//!
//! Reads go through larder's [`UPath`](larder::storage::upath::UPath) layer
//! with ranged reads, so a column selection fetches only those columns'
//! bytes, on object stores too.

mod chunks;
mod compression;
mod manager;
mod rows;
mod stream;
mod table;

pub use compression::Compression;
pub use manager::{ParquetConfig, ParquetFiles, ParquetIOManager};
pub use rows::{ArrowRow, batch_to_rows, rows_to_batch};
pub use stream::BatchStream;
pub use table::{
    BYTE_SIZE, COLUMN_SCHEMA, ReadStats, ReadTable, WriteOptions, WriteStats, read_parquet,
    table_metadata, write_parquet,
};

pub use arrow_array;
pub use arrow_schema;
pub use parquet;
