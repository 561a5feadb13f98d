//! Dagster's pandas/numpy example: an upstream table stored by one manager,
//! loaded as a numeric matrix by another through
//! `ins(upstream(key_prefix = "public", input_manager_key = "numpy_manager"))`.
//! The downstream returns the matrix's shape.

use larder::prelude::*;
use larder_examples::{Table, check};

/// Stores tables as CSV files under `base_dir`.
#[derive(ConfigurableIOManager, Serialize, Deserialize)]
#[io_manager(key = "pandas_manager")]
struct PandasIOManager {
    base_dir: std::path::PathBuf,
}

fn csv_path(base: &std::path::Path, key: &AssetKey) -> std::path::PathBuf {
    base.join(format!("{}.csv", key.path().join("/")))
}

impl IOManager<Table> for PandasIOManager {
    fn handle_output(&self, ctx: &mut OutputContext, table: &Table) -> larder::Result<()> {
        let path = csv_path(&self.base_dir, ctx.asset_key()?);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, table.to_csv())?;
        ctx.add_output_metadata(metadata! { "path" => MetadataValue::path(&path) })
    }

    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<Table> {
        Table::from_csv(&std::fs::read_to_string(csv_path(
            &self.base_dir,
            ctx.asset_key()?,
        ))?)
        .map_err(Error::msg)
    }
}

/// A numeric matrix, rows of columns.
type Matrix = Vec<Vec<f64>>;

/// Loads the same CSV files as numbers.
#[derive(ConfigurableIOManager, Serialize, Deserialize)]
#[io_manager(key = "numpy_manager")]
struct NumpyLoader {
    base_dir: std::path::PathBuf,
}

impl InputManager<Matrix> for NumpyLoader {
    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<Matrix> {
        let table = Table::from_csv(&std::fs::read_to_string(csv_path(
            &self.base_dir,
            ctx.asset_key()?,
        ))?)
        .map_err(Error::msg)?;
        table
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|v| {
                        v.parse::<f64>()
                            .map_err(|e| Error::msg(format!("{v:?}: {e}")))
                    })
                    .collect()
            })
            .collect()
    }
}

#[asset(io_manager_key = "pandas_manager", key_prefix = ["public"])]
fn upstream_asset() -> Table {
    Table::new(
        ["a", "b", "c"],
        vec![
            vec!["1".into(), "2".into(), "3".into()],
            vec!["4".into(), "5".into(), "6".into()],
        ],
    )
}

#[asset(ins(upstream_asset(key_prefix = "public", input_manager_key = "numpy_manager")))]
fn downstream_asset(upstream_asset: Matrix) -> (usize, usize) {
    (
        upstream_asset.len(),
        upstream_asset.first().map_or(0, Vec::len),
    )
}

fn run() -> larder::Result<()> {
    let dir = tempfile::tempdir()?;
    let result = Definitions::discover()
        .resource(
            "pandas_manager",
            PandasIOManager {
                base_dir: dir.path().into(),
            },
        )
        .resource(
            "numpy_manager",
            NumpyLoader {
                base_dir: dir.path().into(),
            },
        )
        .run(RunOptions::new().in_memory())?;
    let shape = *result.asset_value::<(usize, usize)>("downstream_asset")?;
    check(shape == (2, 3), format!("shape is {shape:?}"))?;
    check(
        dir.path().join("public/upstream_asset.csv").is_file(),
        "csv written under public/",
    )?;
    println!("downstream_asset = {shape:?}");
    Ok(())
}

fn main() -> std::process::ExitCode {
    larder_examples::run_main(run)
}

#[test]
fn pandas_numpy() {
    run().unwrap();
}
