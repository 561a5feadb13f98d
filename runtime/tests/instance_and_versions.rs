//! The instance config (`larder.toml`, `LARDER_HOME`), versioned output
//! identifiers, nested config, and the three run-config formats. One test
//! touches the process environment, so they live in their own binary.

mod common;

use common::*;
use larder::prelude::*;
use larder::type_info;
use serde_json::json;

#[test]
fn larder_toml_sets_the_storage_directory_and_home_keeps_history() {
    let home = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("larder.toml"),
        format!(
            "[storage]\nbase_dir = {:?}\n",
            elsewhere.path().display().to_string()
        ),
    )
    .unwrap();
    // SAFETY: the only test in this binary that reads or writes LARDER_HOME.
    unsafe { std::env::set_var("LARDER_HOME", home.path()) };
    let instance = Instance::from_env().unwrap();
    assert_eq!(instance.storage_directory(), elsewhere.path());
    let r = Definitions::new()
        .asset(const_asset("homed", 3))
        .materialize_all()
        .unwrap();
    assert!(elsewhere.path().join("homed").is_file());
    assert!(home.path().join("history.sqlite3").is_file());
    assert_eq!(r.storage_dir(), elsewhere.path());

    std::fs::write(
        home.path().join("larder.toml"),
        "[storage]\nbase_dri = \"x\"\n",
    )
    .unwrap();
    let err = Instance::from_env().unwrap_err().to_string();
    assert!(
        err.contains("larder.toml") && err.contains("unknown field `base_dri`"),
        "{err}"
    );
    unsafe { std::env::remove_var("LARDER_HOME") };
}

#[test]
fn a_versioned_op_writes_under_versioned_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let op = OpDefinition::builder("baz")
        .version("v1")
        .output(Out::new("buzz", type_info!(i64)))
        .compute(|io| io.output("buzz", 1_i64));
    let mut job = JobDefinition::builder("j");
    job.invoke(&op, []);
    job.resource("io_manager", FilesystemIOManager::new(dir.path()));
    // An explicit instance: the test above changes LARDER_HOME.
    job.build()
        .unwrap()
        .execute_in_process_with(RunOptions::new().instance(Instance::ephemeral()))
        .unwrap();
    assert!(dir.path().join("versioned_outputs/v1/baz/buzz").is_file());
}

/// A resource that is a field of a configurable manager: configured as a
/// nested table, like Dagster's nested resources.
#[derive(Debug, Deserialize)]
struct Connection {
    url: String,
    #[serde(default)]
    pool: u32,
}

#[derive(Debug, Deserialize)]
struct WarehouseConfig {
    conn: Connection,
}

#[test]
fn nested_config_and_the_three_formats() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let record = seen.clone();
    let manager = IOManagerDefinition::new_dyn(move |ctx: &mut InitContext| {
        let c: WarehouseConfig = ctx.config()?;
        *record.lock().unwrap() = format!("{} x{}", c.conn.url, c.conn.pool);
        Ok(InMemoryIOManager::new())
    })
    .config_type::<WarehouseConfig>();
    let defs = Definitions::new()
        .asset(const_asset("a", 1))
        .resource("io_manager", manager);
    let toml = RunConfig::from_toml_str(
        "[resources.io_manager.config.conn]\nurl = \"sqlite://x\"\npool = 4\n",
    )
    .unwrap();
    let yaml = RunConfig::from_yaml_str("resources:\n  io_manager:\n    config:\n      conn:\n        url: sqlite://x\n        pool: 4\n").unwrap();
    let json = RunConfig::from_json(json!({"resources": {"io_manager": {"config": {"conn": {"url": "sqlite://x", "pool": 4}}}}})).unwrap();
    assert_eq!(toml, yaml);
    assert_eq!(toml, json);
    defs.run(
        RunOptions::new()
            .run_config(yaml)
            .instance(Instance::ephemeral()),
    )
    .unwrap();
    assert_eq!(*seen.lock().unwrap(), "sqlite://x x4");

    let bad = RunConfig::from_yaml_str(
        "resources:\n  io_manager:\n    config:\n      conn:\n        url: 5\n",
    )
    .unwrap();
    let err = defs
        .run(
            RunOptions::new()
                .run_config(bad)
                .instance(Instance::ephemeral()),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("resources.io_manager.config.conn.url: expected a string, found 5"),
        "{err}"
    );
}
