//! Upstream keys of an asset with a `key_prefix`, as Dagster 1.7.2's
//! `build_asset_ins` resolves them: an input's key is its `AssetIn` key,
//! else its own `key_prefix` plus its name; the asset's prefix is not used.

use larder::prelude::*;
use larder::{Error, type_info};

fn asset(name: &str, prefix: &[&str], value: i64) -> AssetDefinition {
    AssetDefinition::builder(name)
        .key_prefix(prefix.iter().copied())
        .output_type(type_info!(i64))
        .compute(move |io| io.output("result", value))
}

fn top(input: AssetIn) -> AssetDefinition {
    AssetDefinition::builder("top")
        .key_prefix(["raw"])
        .input(input)
        .output_type(type_info!(i64))
        .compute(|io| {
            let v: i64 = io.input("stories")?;
            io.output("result", v * 10)
        })
}

#[test]
fn an_input_without_a_key_is_its_name_not_the_assets_prefix() {
    let defs = Definitions::new()
        .asset(asset("stories", &[], 1))
        .asset(asset("stories", &["raw"], 2))
        .asset(top(AssetIn::new("stories", type_info!(i64))));
    let result = defs.run(RunOptions::new().in_memory()).unwrap();
    assert_eq!(
        *result
            .asset_value::<i64>(AssetKey::new(["raw", "top"]))
            .unwrap(),
        10
    );
}

#[test]
fn the_inputs_own_key_prefix_applies() {
    let defs = Definitions::new()
        .asset(asset("stories", &["raw"], 2))
        .asset(top(
            AssetIn::new("stories", type_info!(i64)).key_prefix(["raw"])
        ));
    let result = defs.run(RunOptions::new().in_memory()).unwrap();
    assert_eq!(
        *result
            .asset_value::<i64>(AssetKey::new(["raw", "top"]))
            .unwrap(),
        20
    );
}

#[test]
fn a_missing_upstream_whose_prefixed_key_exists_says_how_to_name_it() {
    let defs = Definitions::new()
        .asset(asset("stories", &["raw"], 2))
        .asset(top(AssetIn::new("stories", type_info!(i64))));
    let Err(Error::InvalidDefinitions(p)) = defs.validate() else {
        panic!("expected invalid definitions");
    };
    assert_eq!(
        p,
        [
            "asset `raw/top` loads input `stories` from asset `stories`, which is not defined and has no input_manager_key to load it; the asset's key_prefix does not apply to its inputs (as in Dagster): to read `raw/stories`, write `ins(stories(key_prefix = [\"raw\"]))`"
        ]
    );
}
