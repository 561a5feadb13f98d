//! Dagster's "testing an IO manager" example: unit tests that build the
//! contexts with `build_output_context` / `build_input_context` and call
//! the manager directly. Run with `cargo test -p larder-examples --example
//! testing_io_manager`.

use std::collections::HashMap;
use std::sync::Mutex;

use larder::prelude::*;

/// The manager under test: values in a map keyed by asset key.
#[derive(Default)]
struct MyIOManager {
    storage: Mutex<HashMap<String, i64>>,
}

impl IOManager<i64> for MyIOManager {
    fn handle_output(&self, ctx: &mut OutputContext, obj: &i64) -> larder::Result<()> {
        let key = ctx.asset_key()?.to_user_string();
        self.storage
            .lock()
            .map_err(|_| Error::msg("poisoned"))?
            .insert(key.clone(), *obj);
        ctx.add_output_metadata(metadata! { "key" => key })
    }

    fn load_input(&self, ctx: &mut InputContext) -> larder::Result<i64> {
        let key = ctx.asset_key()?.to_user_string();
        self.storage
            .lock()
            .map_err(|_| Error::msg("poisoned"))?
            .get(&key)
            .copied()
            .ok_or_else(|| Error::NotMaterialized {
                what: format!("asset `{key}`"),
                location: "the map".into(),
            })
    }
}

/// The same round trip the first test makes, so `cargo run --example` shows it too.
fn round_trip() -> larder::Result<i64> {
    let manager = MyIOManager::default();
    let mut out = build_output_context().asset_key(["sales", "daily"]).build();
    manager.handle_output(&mut out, &42)?;
    let upstream = build_output_context().asset_key(["sales", "daily"]).build();
    let mut input = build_input_context().upstream_output(upstream).build();
    manager.load_input(&mut input)
}

fn main() -> std::process::ExitCode {
    larder_examples::run_main(|| {
        larder_examples::check(round_trip()? == 42, "round trip")?;
        println!(
            "stored and loaded 42 through built contexts; `cargo test -p larder-examples --example testing_io_manager` runs the tests"
        );
        Ok(())
    })
}

#[test]
fn stores_and_loads_through_built_contexts() {
    let manager = MyIOManager::default();
    let mut out = build_output_context()
        .asset_key(["sales", "daily"])
        .name("result")
        .build();
    manager.handle_output(&mut out, &42).unwrap();
    assert_eq!(
        out.output_metadata()["key"],
        MetadataValue::from("sales/daily")
    );

    let upstream = build_output_context().asset_key(["sales", "daily"]).build();
    let mut input = build_input_context()
        .name("daily")
        .upstream_output(upstream)
        .build();
    assert_eq!(manager.load_input(&mut input).unwrap(), 42);
}

#[test]
fn loading_what_was_never_stored_is_an_error_that_names_the_asset() {
    let manager = MyIOManager::default();
    let mut input = build_input_context().asset_key("never").build();
    let err = manager.load_input(&mut input).unwrap_err();
    assert_eq!(
        err.to_string(),
        "asset `never` was never materialized: nothing is stored at the map"
    );
}

#[test]
fn partitioned_contexts_work_in_tests_too() {
    let daily = larder::partitions::TimeWindowPartitionsDefinition::daily("2024-01-01")
        .build()
        .unwrap();
    let ctx = build_output_context()
        .asset_key("daily")
        .asset_partitions_def(daily)
        .partition_key("2024-01-02")
        .build();
    assert_eq!(ctx.asset_partition_key().unwrap(), "2024-01-02");
    assert_eq!(
        ctx.asset_partitions_time_window()
            .unwrap()
            .start
            .date()
            .to_string(),
        "2024-01-02"
    );
}
