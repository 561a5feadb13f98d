//! A daily-partitioned table of plain serde rows stored as Parquet by
//! `larder_arrow::ParquetIOManager`, one file per day at
//! `<base>/sales/<day>.parquet`, and a downstream that reads 30 days at once
//! as one Arrow table with only the two columns it needs (the other
//! columns' bytes are never read).
//!
//! Files go under `$LARDER_HOME/storage` when `LARDER_HOME` is set, else
//! under a temporary directory:
//! `LARDER_HOME=/tmp/lh cargo run -p larder-examples --example parquet_partitions`.

use larder::partitions::TimeWindowPartitionsDefinition;
use larder::prelude::*;
use larder_arrow::arrow_array::{Array, Int64Array, RecordBatch, StringArray};
use larder_arrow::{ArrowRow, ParquetFiles, ParquetIOManager};
use larder_examples::check;

/// One sale: a plain struct, no Arrow code.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Sale {
    day: String,
    store: String,
    units: i64,
    price: f64,
    note: Option<String>,
}
impl ArrowRow for Sale {}

#[io_manager(key = "parquet")]
fn parquet(ctx: &mut InitContext) -> larder::Result<ParquetIOManager> {
    ParquetFiles::from_config(ctx.resource_config())
}

fn daily() -> larder::partitions::TimeWindowPartitionsBuilder {
    TimeWindowPartitionsDefinition::daily("2024-01-01")
}

const STORES: [&str; 3] = ["oslo", "lima", "pune"];

/// One day of sales: day `d` of the month sells `d` units in each store.
#[asset(io_manager_key = "parquet", partitions_def = daily())]
fn sales(io: &mut StepIo) -> larder::Result<Vec<Sale>> {
    let day = io.partition_key()?.to_owned();
    let d: i64 = day[8..].parse().map_err(Error::user)?;
    Ok(STORES
        .iter()
        .map(|s| Sale {
            day: day.clone(),
            store: (*s).to_owned(),
            units: d,
            price: 9.5,
            note: (d % 7 == 0).then(|| "weekly promo".to_owned()),
        })
        .collect())
}

/// Units per store over every day so far, from one table of two columns.
#[asset(io_manager_key = "parquet", ins(sales(metadata(columns = ["store", "units"]))))]
fn units_by_store(sales: RecordBatch) -> larder::Result<Vec<Sale>> {
    let columns: Vec<&str> = sales
        .schema_ref()
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    if columns != ["store", "units"] {
        return Err(Error::msg(format!("read columns {columns:?}")));
    }
    let stores = sales.column(0).as_any().downcast_ref::<StringArray>();
    let units = sales.column(1).as_any().downcast_ref::<Int64Array>();
    let (Some(stores), Some(units)) = (stores, units) else {
        return Err(Error::msg("unexpected column types"));
    };
    Ok(STORES
        .iter()
        .map(|s| Sale {
            day: "all".to_owned(),
            store: (*s).to_owned(),
            units: (0..sales.num_rows())
                .filter(|&i| stores.value(i) == *s)
                .map(|i| units.value(i))
                .sum(),
            price: 9.5,
            note: None,
        })
        .collect())
}

fn run() -> larder::Result<()> {
    let tmp = tempfile::tempdir()?;
    let base = match std::env::var_os("LARDER_HOME") {
        Some(home) => std::path::PathBuf::from(home).join("storage"),
        None => tmp.path().to_path_buf(),
    };
    let defs = Definitions::discover().resource(
        "parquet",
        larder::declared_manager("parquet")
            .configured(serde_json::json!({ "base_path": base, "compression": "zstd" })),
    );
    let now: jiff::Timestamp = "2024-01-31T00:00:00Z".parse().map_err(Error::user)?;
    for d in 1..=30 {
        let day = format!("2024-01-{d:02}");
        defs.run(
            RunOptions::new()
                .selection(["sales"])
                .partition_key(&day)
                .now(now),
        )?;
    }
    let first = base.join("sales/2024-01-01.parquet");
    check(first.is_file(), format!("{} exists", first.display()))?;
    let r = defs.run(RunOptions::new().selection(["units_by_store"]).now(now))?;
    let totals = r.asset_value::<Vec<Sale>>("units_by_store")?;
    // 1 + 2 + … + 30 units per store.
    check(
        totals.iter().all(|t| t.units == 465),
        format!("every store sold 465 units: {totals:?}"),
    )?;
    for t in totals {
        println!("{}: {} units", t.store, t.units);
    }
    println!("{}", base.join("units_by_store.parquet").display());
    Ok(())
}

fn main() -> std::process::ExitCode {
    larder_examples::run_main(run)
}

#[test]
fn parquet_partitions() {
    run().unwrap();
}
