//! `#[io_manager]` functions: the brief's one-liner, and one with an init
//! context, config types, required resources, version and a `Result`.
#![deny(warnings)]

use larder::prelude::*;

#[io_manager(key = "warehouse")]
fn warehouse() -> FilesystemIOManager {
    FilesystemIOManager::default()
}

#[derive(Deserialize)]
struct StoreConfig {
    base_dir: String,
}

#[derive(Deserialize)]
struct PerOutput {
    #[allow(dead_code)]
    table: String,
}

/// Files under the configured directory.
#[io_manager(
    key = "configured",
    config = StoreConfig,
    output_config = PerOutput,
    input_config = PerOutput,
    required_resource_keys = ["warehouse"],
    version = "2"
)]
fn configured(ctx: &mut InitContext) -> larder::Result<FilesystemIOManager> {
    let config: StoreConfig = ctx.config()?;
    Ok(FilesystemIOManager::new(config.base_dir))
}

#[io_manager(key = "plain_ref")]
fn plain_ref(_ctx: &InitContext) -> Result<InMemoryIOManager, std::io::Error> {
    Ok(InMemoryIOManager::new())
}

#[asset(io_manager_key = "configured")]
fn table() -> Vec<String> {
    vec!["a".into()]
}

#[asset(io_manager_key = "plain_ref")]
fn cached(table: Vec<String>) -> Vec<String> {
    table
}

fn main() {
    let _ = warehouse();
    assert_eq!(table::definition().io_manager_key(), "configured");
    assert_eq!(cached::definition().io_manager_key(), "plain_ref");
}
