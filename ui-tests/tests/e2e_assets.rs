//! Assets declared with `#[asset]`, found by `Definitions::discover`, run
//! and stored by a manager declared with `#[io_manager]`; values round-trip
//! through files.

use std::sync::Mutex;

use larder::prelude::*;

/// Where `warehouse` writes: set once, by the one test that runs assets
/// (tests run in parallel).
static BASE: Mutex<Option<std::path::PathBuf>> = Mutex::new(None);

#[io_manager(key = "warehouse")]
fn warehouse() -> FilesystemIOManager {
    let base = BASE
        .lock()
        .unwrap()
        .clone()
        .unwrap_or_else(std::env::temp_dir);
    FilesystemIOManager::new(base)
}

#[asset(io_manager_key = "warehouse", key_prefix = ["raw"])]
fn numbers() -> Vec<i64> {
    vec![1, 2, 3, 4]
}

/// The sum of the raw numbers.
#[asset(io_manager_key = "warehouse", ins(numbers(key_prefix = "raw")))]
fn total(numbers: Vec<i64>) -> larder::Result<i64> {
    Ok(numbers.iter().sum())
}

#[asset(deps = [total])]
fn report(io: &mut larder::StepIo, total: i64) -> String {
    io.log().info("writing the report");
    format!("total = {total}")
}

fn discovered(dir: &std::path::Path) -> Definitions {
    Definitions::discover().resource("io_manager", FilesystemIOManager::new(dir.join("default")))
}

#[test]
fn discover_finds_assets_and_the_declared_manager() {
    let dir = tempfile::tempdir().unwrap();
    let defs = discovered(dir.path());
    let mut keys: Vec<String> = defs
        .get_assets()
        .iter()
        .map(|a| a.key().to_string())
        .collect();
    keys.sort();
    assert_eq!(keys, ["raw/numbers", "report", "total"]);
    assert!(defs.get_resources().contains_key("warehouse"));
    let total = defs.get_asset("total").unwrap();
    assert_eq!(total.description(), Some("The sum of the raw numbers."));
    assert_eq!(total.io_manager_key(), "warehouse");
    defs.validate().unwrap();
}

#[test]
fn materializing_round_trips_values_through_files() {
    let dir = tempfile::tempdir().unwrap();
    *BASE.lock().unwrap() = Some(dir.path().to_path_buf());
    let defs = discovered(dir.path());
    let result = defs.materialize_all().unwrap();
    assert!(result.success());
    assert_eq!(*result.asset_value::<i64>("total").unwrap(), 10);
    assert_eq!(
        result.asset_value::<String>("report").unwrap(),
        "total = 10"
    );
    assert!(dir.path().join("raw").join("numbers").is_file());
    assert!(dir.path().join("total").is_file());
    assert!(dir.path().join("default").join("report").is_file());

    // `total` alone: `raw/numbers` is loaded back from its file.
    let again = defs.materialize(["total"]).unwrap();
    assert_eq!(*again.asset_value::<i64>("total").unwrap(), 10);
}

#[test]
fn the_generated_function_is_still_a_plain_function() {
    assert_eq!(total(vec![1, 2]).unwrap(), 3);
    assert_eq!(numbers::key().to_string(), "raw/numbers");
}
