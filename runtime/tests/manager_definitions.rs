//! Manager definitions as Dagster builds them: `configured` makes a new
//! definition without the version; a hardcoded built-in manager stores any
//! type it supports.

use larder::prelude::*;
use larder::type_info;

#[test]
fn configured_manager_definitions_drop_the_version_as_dagster_does() {
    let io = IOManagerDefinition::new(|_| Ok(InMemoryIOManager::new()))
        .version("7")
        .configured(serde_json::json!({}));
    assert_eq!(io.resource_definition().get_version(), None);
    let input = InputManagerDefinition::new(|_| Ok(()))
        .version("7")
        .configured(serde_json::json!({}));
    assert_eq!(input.resource_definition().get_version(), None);
    // A plain resource keeps it (Dagster's `ResourceDefinition.copy_for_configured`).
    let plain = ResourceDefinition::value(1_u8)
        .version("7")
        .configured(serde_json::json!({}));
    assert_eq!(plain.get_version(), Some("7"));
}

#[test]
fn a_hardcoded_in_memory_manager_stores_any_type() {
    let upstream = AssetDefinition::builder("number")
        .output_type(type_info!(i64))
        .compute(|io| io.output("result", 41_i64));
    let downstream = AssetDefinition::builder("next")
        .input(AssetIn::new("number", type_info!(i64)))
        .output_type(type_info!(i64))
        .compute(|io| {
            let n: i64 = io.input("number")?;
            io.output("result", n + 1)
        });
    let result = Definitions::new()
        .assets([upstream, downstream])
        .resource(
            "io_manager",
            IOManagerDefinition::hardcoded(InMemoryIOManager::new()),
        )
        .materialize_all()
        .unwrap();
    assert_eq!(*result.asset_value::<i64>("next").unwrap(), 42);
}
