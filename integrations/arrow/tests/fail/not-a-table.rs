use larder::prelude::*;
use larder_arrow::{ParquetFiles, ParquetIOManager};

#[io_manager(key = "parquet")]
fn parquet(ctx: &mut InitContext) -> larder::Result<ParquetIOManager> {
    ParquetFiles::from_config(ctx.resource_config())
}

#[asset(io_manager_key = "parquet")]
fn greeting() -> String {
    "hello".to_owned()
}

fn main() {}
