//! Dagster's `ConfigurableIOManager` example: a manager whose config field
//! `path_prefix` says where tables go, written as CSV, bound under the
//! default `io_manager` key for two assets and configured at launch.

use larder::prelude::*;
use larder_examples::{Table, check};

/// Its fields are its config; `types` lets it serve the default key at run
/// time for the types it stores.
#[derive(ConfigurableIOManager, Serialize, Deserialize)]
#[io_manager(key = "io_manager", types = [Table])]
struct MyIOManager {
    path_prefix: String,
}

impl MyIOManager {
    fn path(&self, key: &AssetKey) -> std::path::PathBuf {
        std::path::Path::new(&self.path_prefix).join(format!("{}.csv", key.path().join("_")))
    }
}

impl IOManager<Table> for MyIOManager {
    fn handle_output(&self, ctx: &mut OutputContext, table: &Table) -> larder::Result<()> {
        let path = self.path(ctx.asset_key()?);
        std::fs::write(&path, table.to_csv())?;
        ctx.add_output_metadata(
            metadata! { "path" => MetadataValue::path(&path), "rows" => table.rows.len() },
        )
    }

    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<Table> {
        let path = self.path(ctx.asset_key()?);
        Table::from_csv(&std::fs::read_to_string(&path)?).map_err(Error::msg)
    }
}

#[asset]
fn raw_sales() -> Table {
    Table::new(
        ["region", "amount"],
        vec![
            vec!["north".into(), "10".into()],
            vec!["south".into(), "32".into()],
        ],
    )
}

#[asset]
fn big_sales(raw_sales: Table) -> Table {
    let rows = raw_sales
        .rows
        .into_iter()
        .filter(|r| r[1].parse::<i64>().unwrap_or(0) > 20)
        .collect();
    Table {
        columns: raw_sales.columns,
        rows,
    }
}

fn run() -> larder::Result<()> {
    let dir = tempfile::tempdir()?;
    let prefix = dir.path().display().to_string();
    // The manager is bound by discovery and configured from the run config.
    let config =
        RunConfig::new().resource("io_manager", serde_json::json!({ "path_prefix": prefix }));
    let result = Definitions::discover().run(RunOptions::new().run_config(config))?;
    let big = std::fs::read_to_string(dir.path().join("big_sales.csv"))?;
    check(
        big == "region,amount\nsouth,32\n",
        format!("big_sales.csv is {big:?}"),
    )?;
    check(
        result.asset_value::<Table>("big_sales")?.rows.len() == 1,
        "one big sale",
    )?;
    for file in ["raw_sales.csv", "big_sales.csv"] {
        println!("{}", dir.path().join(file).display());
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    larder_examples::run_main(run)
}

#[test]
fn configurable_io_manager() {
    run().unwrap();
}
