//! Two managers for one key, one per deployment (what Python users do by
//! subclassing one IO manager per deployment): the assets name one key;
//! each manager is declared under its own key, and a deployment binds its
//! manager under the assets' key at run time with `.resource(key, ..)`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use larder::prelude::*;

/// Where each fake store writes: set by the one test.
static BASE: Mutex<Option<PathBuf>> = Mutex::new(None);

fn base() -> PathBuf {
    BASE.lock()
        .unwrap()
        .clone()
        .unwrap_or_else(std::env::temp_dir)
}

fn write(dir: &Path, ctx: &OutputContext, obj: &[i64]) -> larder::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| larder::Error::msg(e.to_string()))?;
    let text = serde_json::to_string(obj).map_err(|e| larder::Error::msg(e.to_string()))?;
    std::fs::write(dir.join(ctx.asset_key()?.to_string()), text)
        .map_err(|e| larder::Error::msg(e.to_string()))
}

fn read(dir: &Path, ctx: &InputContext) -> larder::Result<Vec<i64>> {
    let text = std::fs::read_to_string(dir.join(ctx.asset_key()?.to_string()))
        .map_err(|e| larder::Error::msg(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| larder::Error::msg(e.to_string()))
}

/// Production: "S3".
pub struct S3Parquet;

impl IOManager<Vec<i64>> for S3Parquet {
    fn handle_output(&self, ctx: &mut OutputContext, obj: &Vec<i64>) -> larder::Result<()> {
        write(&base().join("s3"), ctx, obj)
    }
    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<Vec<i64>> {
        read(&base().join("s3"), ctx)
    }
}

/// Local development: the local disk.
pub struct LocalParquet;

impl IOManager<Vec<i64>> for LocalParquet {
    fn handle_output(&self, ctx: &mut OutputContext, obj: &Vec<i64>) -> larder::Result<()> {
        write(&base().join("local"), ctx, obj)
    }
    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<Vec<i64>> {
        read(&base().join("local"), ctx)
    }
}

/// The key the assets name, declared by the production manager.
#[io_manager(key = "parquet_io_manager")]
fn s3_parquet() -> S3Parquet {
    S3Parquet
}

/// Declared under its own key; `types` lets it serve a key declared for
/// another manager.
#[io_manager(key = "local_parquet_io_manager", types = [Vec<i64>])]
fn local_parquet() -> LocalParquet {
    LocalParquet
}

#[asset(io_manager_key = "parquet_io_manager")]
fn numbers() -> Vec<i64> {
    vec![1, 2, 3]
}

#[asset(io_manager_key = "parquet_io_manager")]
fn doubled(numbers: Vec<i64>) -> Vec<i64> {
    numbers.iter().map(|n| n * 2).collect()
}

fn definitions(deployment: &str) -> Definitions {
    let defs = Definitions::discover();
    match deployment {
        "local" => defs.resource(
            "parquet_io_manager",
            larder::declared_manager("local_parquet_io_manager"),
        ),
        _ => defs,
    }
}

#[test]
fn each_deployment_binds_its_manager_under_the_assets_key() {
    let dir = tempfile::tempdir().unwrap();
    *BASE.lock().unwrap() = Some(dir.path().to_path_buf());
    for deployment in ["local", "prod"] {
        let defs = definitions(deployment);
        defs.validate().unwrap();
        let result = defs.run(RunOptions::new().in_memory()).unwrap();
        assert_eq!(
            *result.asset_value::<Vec<i64>>("doubled").unwrap(),
            [2, 4, 6]
        );
    }
    let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).unwrap();
    assert_eq!(read("local/doubled"), "[2,4,6]");
    assert_eq!(read("s3/doubled"), "[2,4,6]");
    assert_eq!(read("local/numbers"), "[1,2,3]");
}
