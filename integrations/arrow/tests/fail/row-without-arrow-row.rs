use larder::prelude::*;
use larder_arrow::{ParquetFiles, ParquetIOManager};

#[derive(serde::Serialize, serde::Deserialize)]
struct Sale {
    store: String,
    units: i64,
}

#[io_manager(key = "parquet")]
fn parquet(ctx: &mut InitContext) -> larder::Result<ParquetIOManager> {
    ParquetFiles::from_config(ctx.resource_config())
}

#[asset(io_manager_key = "parquet")]
fn sales() -> Vec<Sale> {
    Vec::new()
}

fn main() {}
