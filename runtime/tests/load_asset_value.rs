//! `Definitions::load_asset_value`: a stored value read through its IO
//! manager outside a run (Dagster's `Definitions.load_asset_value`).

use larder::partitions::StaticPartitionsDefinition;
use larder::prelude::*;
use larder::type_info;

fn numbers() -> AssetDefinition {
    AssetDefinition::builder("numbers")
        .key_prefix(["raw"])
        .output_type(type_info!(Vec<i64>))
        .compute(|io| io.output("result", vec![1_i64, 2, 3]))
}

fn by_color() -> AssetDefinition {
    AssetDefinition::builder("by_color")
        .partitions_def(StaticPartitionsDefinition::new(["red", "blue"]))
        .output_type(type_info!(String))
        .compute(|io| {
            let color = io.partition_key()?.to_owned();
            io.output("result", format!("{color}!"))
        })
}

#[test]
fn a_stored_value_is_loaded_by_its_manager_without_a_run() {
    let home = tempfile::tempdir().unwrap();
    let instance = Instance::at(home.path());
    let defs = Definitions::new().assets([numbers(), by_color()]);
    defs.run(
        RunOptions::new()
            .selection(["raw/numbers"])
            .instance(instance.clone()),
    )
    .unwrap();
    defs.run(
        RunOptions::new()
            .selection(["by_color"])
            .partition_key("blue")
            .instance(instance.clone()),
    )
    .unwrap();
    let runs = instance.history().unwrap().unwrap().run_count().unwrap();

    let value: Vec<i64> = defs
        .load_asset_value("raw/numbers", RunOptions::new().instance(instance.clone()))
        .unwrap();
    assert_eq!(value, [1, 2, 3]);
    let blue: String = defs
        .load_asset_value(
            "by_color",
            RunOptions::new()
                .partition_key("blue")
                .instance(instance.clone()),
        )
        .unwrap();
    assert_eq!(blue, "blue!");
    assert_eq!(
        instance.history().unwrap().unwrap().run_count().unwrap(),
        runs,
        "loading records no run"
    );

    let err = defs
        .load_asset_value::<String>("by_color", RunOptions::new().instance(instance.clone()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("asset `by_color` is partitioned"), "{err}");
    let err = defs
        .load_asset_value::<String>(
            "by_color",
            RunOptions::new()
                .partition_key("red")
                .instance(instance.clone()),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("was never materialized"), "{err}");
    assert!(err.contains("by_color"), "{err}");
    let err = defs
        .load_asset_value::<String>("raw/numbers", RunOptions::new().instance(instance.clone()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("expected `alloc::string::String`"), "{err}");
    let err = defs
        .load_asset_value::<String>("raw/numbrs", RunOptions::new().instance(instance))
        .unwrap_err()
        .to_string();
    assert!(err.contains("raw/numbrs"), "{err}");
}
