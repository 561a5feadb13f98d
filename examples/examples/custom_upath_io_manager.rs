//! Dagster's custom `UPathIOManager`: implement `dump_to_path` and
//! `load_from_path` (plus an extension and extra metadata), and larder lays
//! files out as Dagster does — on local disk here, and the same code works
//! on `s3://`, `az://`, `gs://` or `memory://` URLs.

use larder::partitions::{PartitionMap, StaticPartitionsDefinition};
use larder::prelude::*;
use larder::storage::upath::{UPath, UPathIOManager, UPathManager, WriteMode};
use larder_examples::{Table, check};

/// Tables as CSV files.
struct CsvFiles;

impl UPathIOManager<Table> for CsvFiles {
    fn extension(&self) -> &str {
        ".csv"
    }

    fn dump_to_path(
        &self,
        _ctx: &mut OutputContext,
        table: &Table,
        path: &UPath,
    ) -> larder::Result<()> {
        path.write(table.to_csv().into_bytes(), WriteMode::Overwrite)
    }

    fn load_from_path(&self, _ctx: &mut InputContext, path: &UPath) -> larder::Result<Table> {
        let bytes = path.read()?;
        Table::from_csv(&String::from_utf8_lossy(&bytes)).map_err(Error::msg)
    }

    fn get_metadata(&self, _ctx: &OutputContext, table: &Table) -> Metadata {
        metadata! { "rows" => table.rows.len() }
    }
}

#[io_manager(key = "csv_files")]
fn csv_files(ctx: &mut InitContext) -> larder::Result<UPathManager<CsvFiles>> {
    let url = ctx
        .resource_config()
        .get("base_url")
        .and_then(|v| v.as_str())
        .unwrap_or("memory://csv")
        .to_owned();
    Ok(UPathManager::new(UPath::parse(&url)?, CsvFiles))
}

/// A table per region.
#[asset(io_manager_key = "csv_files", partitions_def = StaticPartitionsDefinition::new(["eu", "us"]))]
fn regional_sales(io: &mut StepIo) -> Table {
    let amount = if io.partition_key().ok() == Some("eu") {
        "10"
    } else {
        "20"
    };
    Table::new(["amount"], vec![vec![amount.into()]])
}

/// Every region's table at once.
#[asset(io_manager_key = "csv_files")]
fn all_regions(regional_sales: PartitionMap<Table>) -> Table {
    let rows = regional_sales
        .iter()
        .flat_map(|(region, t)| {
            t.rows
                .iter()
                .map(move |r| vec![region.to_owned(), r[0].clone()])
        })
        .collect();
    Table::new(["region", "amount"], rows)
}

fn run() -> larder::Result<()> {
    let dir = tempfile::tempdir()?;
    let config =
        RunConfig::new().resource("csv_files", serde_json::json!({ "base_url": dir.path() }));
    let defs = Definitions::discover().resource(
        "csv_files",
        larder::declared_manager("csv_files")
            .configured(serde_json::json!({ "base_url": dir.path() })),
    );
    for region in ["eu", "us"] {
        defs.run(
            RunOptions::new()
                .selection(["regional_sales"])
                .partition_key(region)
                .run_config(config.clone()),
        )?;
    }
    check(
        dir.path().join("regional_sales/eu.csv").is_file(),
        "regional_sales/eu.csv",
    )?;
    let r = defs.run(RunOptions::new().selection(["all_regions"]))?;
    check(
        r.asset_value::<Table>("all_regions")?.rows.len() == 2,
        "2 rows",
    )?;
    let csv = std::fs::read_to_string(dir.path().join("all_regions.csv"))?;
    check(
        csv == "region,amount\neu,10\nus,20\n",
        format!("all_regions.csv is {csv:?}"),
    )?;
    println!("{}", dir.path().join("all_regions.csv").display());
    Ok(())
}

fn main() -> std::process::ExitCode {
    larder_examples::run_main(run)
}

#[test]
fn custom_upath_io_manager() {
    run().unwrap();
}
