//! Graph-backed assets (Dagster's `@graph_asset`, `@graph_multi_asset`):
//! each op node is a step keyed `<asset>.<node>`; the asset is stored at its
//! asset path by its manager, the other node outputs like op outputs.

use larder::partitions::StaticPartitionsDefinition;
use larder::prelude::*;
use larder::{AssetOut, EventKind, EventType, NodeInput, type_info};

fn read<T: serde::de::DeserializeOwned>(path: std::path::PathBuf) -> T {
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    rmp_serde::from_slice(&bytes).unwrap()
}

fn colors() -> StaticPartitionsDefinition {
    StaticPartitionsDefinition::new(["red", "blue"]).unwrap()
}

/// `strip` trims its input and tags it with the partition; `shout`
/// uppercases it.
fn strip() -> OpDefinition {
    OpDefinition::builder("strip")
        .input(In::new("text", type_info!(String)))
        .output(Out::result(type_info!(String)))
        .compute(|io| {
            let text: String = io.input("text")?;
            let p = io.partition_key()?.to_owned();
            io.output("result", format!("{}@{p}", text.trim()))
        })
}

fn shout() -> OpDefinition {
    OpDefinition::builder("shout")
        .input(In::new("s", type_info!(String)))
        .output(Out::result(type_info!(String)))
        .compute(|io| {
            let s: String = io.input("s")?;
            io.output("result", s.to_uppercase())
        })
}

#[test]
fn a_partitioned_graph_backed_asset_is_stored_at_its_asset_path_and_its_ops_at_run_paths() {
    let dir = tempfile::tempdir().unwrap();
    let raw = AssetDefinition::builder("raw")
        .partitions_def(colors())
        .output_type(type_info!(String))
        .compute(|io| {
            let p = io.partition_key()?.to_owned();
            io.output("result", format!("  {p} text "))
        });
    let cleaned = AssetDefinition::graph("cleaned")
        .partitions_def(colors())
        .input(AssetIn::new("raw", type_info!(String)))
        .node(strip(), [("text", NodeInput::asset("raw"))])
        .node(shout(), [("s", NodeInput::result_of("strip"))])
        .result(
            AssetOut::new("cleaned", type_info!(String)).metadata(Metadata::from_iter([(
                "owner".to_owned(),
                MetadataValue::from("ann"),
            )])),
            "shout",
            "result",
        )
        .build()
        .unwrap();
    let defs = Definitions::new()
        .asset(raw)
        .assets(cleaned)
        .resource("io_manager", FilesystemIOManager::new(dir.path()));
    let asset = defs.get_asset("cleaned").unwrap();
    assert_eq!(asset.metadata()["owner"], MetadataValue::from("ann"));
    let result = defs.run(RunOptions::new().partition_key("red")).unwrap();

    assert_eq!(
        result.step_outcomes().keys().collect::<Vec<_>>(),
        ["raw", "cleaned.strip", "cleaned.shout"]
    );
    // The asset, per partition, at its path; the inner op's output under the run.
    let stored: String = read(dir.path().join("cleaned/red"));
    assert_eq!(stored, "RED TEXT@RED");
    let inner: String = read(
        dir.path()
            .join(result.run_id())
            .join("cleaned.strip")
            .join("result"),
    );
    assert_eq!(inner, "red text@red");
    assert_eq!(
        *result.asset_value::<String>("cleaned").unwrap(),
        "RED TEXT@RED"
    );
    // Only the asset's output is materialized, by the step of its node.
    let materialized: Vec<(Option<String>, String)> = result
        .events_of_type(EventType::AssetMaterialization)
        .iter()
        .map(|e| match &e.kind {
            EventKind::AssetMaterialization {
                asset_key,
                partition,
                ..
            } => (
                e.step_key.clone(),
                format!("{asset_key}[{}]", partition.as_deref().unwrap_or("-")),
            ),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        materialized,
        [
            (Some("raw".to_owned()), "raw[red]".to_owned()),
            (Some("cleaned.shout".to_owned()), "cleaned[red]".to_owned()),
        ]
    );
    assert!(!dir.path().join("cleaned/blue").exists());
}

#[test]
fn a_graph_multi_asset_maps_node_outputs_to_assets_a_downstream_reads() {
    let dir = tempfile::tempdir().unwrap();
    let seed = OpDefinition::builder("seed")
        .output(Out::result(type_info!(i64)))
        .compute(|io| io.output("result", 5_i64));
    let split = OpDefinition::builder("split")
        .input(In::new("n", type_info!(i64)))
        .output(Out::new("low", type_info!(i64)))
        .output(Out::new("high", type_info!(i64)))
        .compute(|io| {
            let n: i64 = io.input("n")?;
            io.output("low", n - 1)?;
            io.output("high", n + 1)
        });
    let bounds = MultiAssetDefinition::graph("bounds")
        .node(seed, Vec::<(String, NodeInput)>::new())
        .node(split, [("n", NodeInput::result_of("seed"))])
        .out(AssetOut::new("low", type_info!(i64)), "split", "low")
        .out(
            AssetOut::new("high", type_info!(i64)).key_prefix(["b"]),
            "split",
            "high",
        )
        .build()
        .unwrap();
    let spread = AssetDefinition::builder("spread")
        .input(AssetIn::new("low", type_info!(i64)))
        .input(AssetIn::new("high", type_info!(i64)).key_prefix(["b"]))
        .output_type(type_info!(i64))
        .compute(|io| {
            let low: i64 = io.input("low")?;
            let high: i64 = io.input("high")?;
            io.output("result", high - low)
        });
    let defs = Definitions::new()
        .assets(bounds)
        .asset(spread)
        .resource("io_manager", FilesystemIOManager::new(dir.path()));
    let result = defs.materialize_all().unwrap();
    assert_eq!(
        result.step_outcomes().keys().collect::<Vec<_>>(),
        ["bounds.seed", "bounds.split", "spread"]
    );
    let low: i64 = read(dir.path().join("low"));
    let high: i64 = read(dir.path().join("b/high"));
    let spread: i64 = read(dir.path().join("spread"));
    assert_eq!((low, high, spread), (4, 6, 2));
    assert!(
        dir.path()
            .join(result.run_id())
            .join("bounds.seed/result")
            .is_file()
    );
    // Selecting one of its assets is refused, as for any multi-asset.
    let e = defs.materialize(["low"]).unwrap_err().to_string();
    assert!(
        e.contains("multi-asset `bounds` computes assets `low`, `b/high`"),
        "{e}"
    );
    // The downstream alone loads both from their asset paths.
    let again = defs.materialize(["spread"]).unwrap();
    assert_eq!(*again.asset_value::<i64>("spread").unwrap(), 2);
}

#[test]
fn wiring_mistakes_are_reported_together_naming_graph_node_and_input() {
    let e = AssetDefinition::graph("cleaned")
        .node(strip(), [("txt", NodeInput::asset("raw"))])
        .node(shout(), [("s", NodeInput::result_of("strp"))])
        .result(AssetOut::new("cleaned", type_info!(i64)), "shout", "result")
        .build()
        .unwrap_err()
        .to_string();
    for part in [
        "graph `cleaned` wires input `txt` of node `strip`, but op `strip` has no such input",
        "input `text` of node `strip` in graph `cleaned` is not wired",
        "input `s` of node `shout` in graph `cleaned` reads node `strp`, which is not in the graph",
        "asset `cleaned` of graph `cleaned` is a `i64`, but output `result` of node `shout` is a `String`",
    ] {
        assert!(e.contains(part), "{part}\n in: {e}");
    }
}

#[test]
fn re_executing_the_last_node_loads_the_inner_op_output_of_the_parent_run() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let instance = larder::Instance::at(home.path());
    let source = AssetDefinition::builder("source")
        .output_type(type_info!(String))
        .compute(|io| io.output("result", " quiet ".to_owned()));
    let trim = OpDefinition::builder("trim")
        .input(In::new("text", type_info!(String)))
        .output(Out::result(type_info!(String)))
        .compute(|io| {
            let text: String = io.input("text")?;
            io.output("result", text.trim().to_owned())
        });
    let loud = AssetDefinition::graph("loud")
        .input(AssetIn::new("source", type_info!(String)))
        .node(trim, [("text", NodeInput::asset("source"))])
        .node(shout(), [("s", NodeInput::result_of("trim"))])
        .result(AssetOut::new("loud", type_info!(String)), "shout", "result")
        .build()
        .unwrap();
    let defs = Definitions::new()
        .asset(source)
        .assets(loud)
        .resource("io_manager", FilesystemIOManager::new(dir.path()));
    let parent = defs
        .run(RunOptions::new().instance(instance.clone()))
        .unwrap();
    let child = defs
        .run(
            RunOptions::new()
                .instance(instance)
                .reexecute(parent.run_id())
                .step_selection(["loud.shout"]),
        )
        .unwrap();
    assert_eq!(
        child.step_outcomes().keys().collect::<Vec<_>>(),
        ["loud.shout"]
    );
    let loaded = child.events_of_type(EventType::LoadedInput);
    assert_eq!(
        loaded[0].message,
        "Loaded input \"s\" using input manager \"io_manager\", from output \"result\" of step \"loud.trim\""
    );
    let stored: String = read(dir.path().join("loud"));
    assert_eq!(stored, "QUIET");
    // The parent's op output was read, not written again under the child.
    assert!(!dir.path().join(child.run_id()).join("loud.trim").exists());
}
