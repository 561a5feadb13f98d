//! A run builds and config-checks only the resources its steps use
//! (Dagster: unused resources are not initialized and their config is
//! optional), and run config a resource cannot apply is refused.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use larder::prelude::*;
use larder::{Error, ResourceKind, type_info};
use serde_json::json;

fn problems(err: Error) -> Vec<String> {
    match err {
        Error::InvalidDefinitions(p) => p,
        other => panic!("expected InvalidDefinitions, got {other}"),
    }
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct S3Config {
    s3_bucket: String,
}

/// A production manager configured at launch, counting its builds.
fn s3_parquet(built: Arc<AtomicUsize>) -> ResourceDefinition {
    ResourceDefinition::new(ResourceKind::IOManager, move |ctx| {
        built.fetch_add(1, Ordering::SeqCst);
        let config: S3Config = ctx.config()?;
        Ok(FilesystemIOManager::new(
            std::env::temp_dir().join(config.s3_bucket),
        ))
    })
    .with_dyn::<FilesystemIOManager>()
    .config_type::<S3Config>()
}

fn deployment(built: Arc<AtomicUsize>) -> Definitions {
    let remote = AssetDefinition::builder("remote")
        .output_type(type_info!(i64))
        .io_manager_key("s3_parquet_io_manager")
        .compute(|io| io.output("result", 1_i64));
    Definitions::new()
        .asset(const_asset("local", 7))
        .asset(remote)
        .resource("s3_parquet_io_manager", s3_parquet(built))
}

#[test]
fn a_run_selecting_one_asset_ignores_an_unused_managers_missing_config() {
    let built = Arc::new(AtomicUsize::new(0));
    let defs = deployment(built.clone());
    let result = defs
        .run(RunOptions::new().in_memory().selection(["local"]))
        .unwrap();
    assert_eq!(*result.asset_value::<i64>("local").unwrap(), 7);
    assert_eq!(
        built.load(Ordering::SeqCst),
        0,
        "the unused manager was built"
    );

    // Selected, its config is required.
    let p = problems(
        defs.run(RunOptions::new().in_memory().selection(["remote"]))
            .unwrap_err(),
    );
    assert_eq!(
        p,
        [
            "resources.s3_parquet_io_manager.config: missing required field `s3_bucket`; for example:\n      [resources.s3_parquet_io_manager.config]\n      s3_bucket = ..."
        ]
    );
    assert_eq!(built.load(Ordering::SeqCst), 0);
}

#[test]
fn config_given_for_an_unused_resource_is_still_checked() {
    let defs = deployment(Arc::new(AtomicUsize::new(0)));
    let config = RunConfig::from_json(
        json!({"resources": {"s3_parquet_io_manager": {"config": {"s3_bucket": 7}}}}),
    )
    .unwrap();
    let p = problems(
        defs.run(
            RunOptions::new()
                .in_memory()
                .selection(["local"])
                .run_config(config),
        )
        .unwrap_err(),
    );
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("resources.s3_parquet_io_manager.config.s3_bucket: "),
        "{p:?}"
    );
}

#[test]
fn a_resource_required_by_a_manager_of_a_selected_step_is_built() {
    let built = Arc::new(AtomicUsize::new(0));
    let seen = built.clone();
    let client = ResourceDefinition::new(ResourceKind::Resource, move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
        Ok(5_u8)
    });
    let manager = ResourceDefinition::new(ResourceKind::IOManager, |ctx| {
        ctx.resources().get::<u8>("client")?;
        Ok(InMemoryIOManager::new())
    })
    .with_dyn::<InMemoryIOManager>()
    .required_resource_keys(["client"]);
    let stored = AssetDefinition::builder("stored")
        .output_type(type_info!(i64))
        .io_manager_key("store")
        .compute(|io| io.output("result", 1_i64));
    let defs = Definitions::new()
        .asset(const_asset("other", 2))
        .asset(stored)
        .resource("store", manager)
        .resource("client", client);
    defs.run(RunOptions::new().in_memory().selection(["other"]))
        .unwrap();
    assert_eq!(built.load(Ordering::SeqCst), 0);
    defs.run(RunOptions::new().in_memory().selection(["stored"]))
        .unwrap();
    assert_eq!(built.load(Ordering::SeqCst), 1);
}

#[test]
fn a_steps_required_resource_keys_are_built() {
    let built = Arc::new(AtomicUsize::new(0));
    let seen = built.clone();
    let client = ResourceDefinition::new(ResourceKind::Resource, move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
        Ok(5_u8)
    });
    let uses = AssetDefinition::builder("uses_client")
        .output_type(type_info!(i64))
        .required_resource_keys(["client"])
        .compute(|io| io.output("result", 1_i64));
    let defs = Definitions::new()
        .asset(uses)
        .asset(const_asset("other", 2))
        .resource("client", client);
    defs.run(RunOptions::new().in_memory().selection(["other"]))
        .unwrap();
    assert_eq!(built.load(Ordering::SeqCst), 0);
    defs.run(RunOptions::new().in_memory().selection(["uses_client"]))
        .unwrap();
    assert_eq!(built.load(Ordering::SeqCst), 1);
}

#[test]
fn run_config_for_a_resource_bound_by_value_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let table = AssetDefinition::builder("table")
        .output_type(type_info!(i64))
        .io_manager_key("parquet_io_manager")
        .compute(|io| io.output("result", 1_i64));
    let defs = Definitions::new()
        .asset(table)
        .resource("parquet_io_manager", FilesystemIOManager::new(dir.path()));
    let config = RunConfig::from_json(
        json!({"resources": {"parquet_io_manager": {"config": {"base_path": 7}}}}),
    )
    .unwrap();
    let p = problems(defs.run(RunOptions::new().run_config(config)).unwrap_err());
    assert_eq!(
        p,
        [
            "resources.parquet_io_manager.config: `parquet_io_manager` is bound to a `FilesystemIOManager` value that was configured when it was built (`.resource(\"parquet_io_manager\", ..)`, or a configured `#[derive(ConfigurableIOManager)]`), so this config would be ignored; remove it, or bind a definition that reads it at launch (`configure_at_launch()`); given: {\"base_path\":7}"
        ]
    );
    assert!(!dir.path().join("table").exists());
    // An empty table changes nothing and is accepted.
    let empty =
        RunConfig::from_json(json!({"resources": {"parquet_io_manager": {"config": {}}}})).unwrap();
    defs.run(RunOptions::new().run_config(empty)).unwrap();
    assert!(dir.path().join("table").is_file());
}
