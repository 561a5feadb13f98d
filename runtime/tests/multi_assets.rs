//! Multi-assets (Dagster's `@multi_asset`): one step, several assets, each
//! stored by its own manager at its own path.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use larder::partitions::StaticPartitionsDefinition;
use larder::prelude::*;
use larder::{
    AssetOut, EventKind, EventType, MetadataValue, MultiAssetDefinition, StepOutcome, type_info,
};

fn read_i64(path: &std::path::Path) -> i64 {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    rmp_serde::from_slice(&bytes).unwrap()
}

/// `ab` computes `p/a` (manager `fs_a`) and `b` (manager `fs_b`).
fn ab(b_required: bool, produce_b: bool) -> MultiAssetDefinition {
    MultiAssetDefinition::builder("ab")
        .out(
            AssetOut::new("a", type_info!(i64))
                .key_prefix(["p"])
                .io_manager_key("fs_a"),
        )
        .out(
            AssetOut::new("b", type_info!(i64))
                .io_manager_key("fs_b")
                .is_required(b_required),
        )
        .compute(move |io| {
            io.output("a", 1_i64)?;
            if produce_b {
                io.output("b", 2_i64)?;
            }
            Ok(())
        })
}

/// `c` = `b` + 10; `d` = `p/a` + 100.
fn downstreams() -> [AssetDefinition; 2] {
    let c = AssetDefinition::builder("c")
        .input(AssetIn::new("b", type_info!(i64)))
        .output_type(type_info!(i64))
        .compute(|io| {
            let b: i64 = io.input("b")?;
            io.output("result", b + 10)
        });
    let d = AssetDefinition::builder("d")
        .input(AssetIn::new("a", type_info!(i64)).key_prefix(["p"]))
        .output_type(type_info!(i64))
        .compute(|io| {
            let a: i64 = io.input("a")?;
            io.output("result", a + 100)
        });
    [c, d]
}

#[test]
fn two_outs_are_stored_by_their_own_managers_at_their_asset_paths_in_one_step() {
    let (dir_a, dir_b, dir) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let defs = Definitions::new()
        .assets(ab(true, true))
        .assets(downstreams())
        .resource("fs_a", FilesystemIOManager::new(dir_a.path()))
        .resource("fs_b", FilesystemIOManager::new(dir_b.path()))
        .resource("io_manager", FilesystemIOManager::new(dir.path()));
    let result = defs.materialize_all().unwrap();
    assert!(result.success());

    // Each asset at its key path under its own manager's base_dir.
    assert_eq!(read_i64(&dir_a.path().join("p/a")), 1);
    assert_eq!(read_i64(&dir_b.path().join("b")), 2);
    assert!(!dir_a.path().join("b").exists());
    assert!(!dir_b.path().join("p/a").exists());
    assert_eq!(read_i64(&dir.path().join("c")), 12);
    assert_eq!(read_i64(&dir.path().join("d")), 101);
    assert_eq!(*result.asset_value::<i64>(["p", "a"]).unwrap(), 1);
    assert_eq!(*result.asset_value::<i64>("b").unwrap(), 2);

    // One step, named after the op, with both outputs in Dagster's order.
    assert_eq!(
        result.step_outcomes().keys().collect::<Vec<_>>(),
        ["ab", "c", "d"]
    );
    let kinds: Vec<String> = result
        .events_for_step("ab")
        .iter()
        .map(|e| match &e.kind {
            EventKind::StepOutput { output_name, .. } => format!("output {output_name}"),
            EventKind::AssetMaterialization { asset_key, .. } => {
                format!("materialized {asset_key}")
            }
            EventKind::HandledOutput {
                output_name,
                manager_key,
                ..
            } => format!("handled {output_name} by {manager_key}"),
            other => format!("{:?}", other.event_type()),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "StepStart",
            "output a",
            "materialized p/a",
            "handled a by fs_a",
            "output b",
            "materialized b",
            "handled b by fs_b",
            "StepSuccess"
        ]
    );
    // The downstream loads from output `b` of step `ab`, with `fs_b`.
    let loaded = result.events_for_step("c");
    let loaded = loaded
        .iter()
        .find(|e| e.event_type() == EventType::LoadedInput)
        .unwrap();
    assert_eq!(
        loaded.message,
        "Loaded input \"b\" using input manager \"fs_b\", from output \"b\" of step \"ab\""
    );
}

#[test]
fn a_downstream_of_one_out_loads_it_from_storage_when_the_multi_asset_does_not_run() {
    let (dir_a, dir_b, dir) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let defs = Definitions::new()
        .assets(ab(true, true))
        .assets(downstreams())
        .resource("fs_a", FilesystemIOManager::new(dir_a.path()))
        .resource("fs_b", FilesystemIOManager::new(dir_b.path()))
        .resource("io_manager", FilesystemIOManager::new(dir.path()));
    defs.materialize(["p/a", "b"]).unwrap();
    assert!(!dir.path().join("c").exists());
    let result = defs.materialize(["c"]).unwrap();
    assert_eq!(result.step_outcomes().keys().collect::<Vec<_>>(), ["c"]);
    assert_eq!(read_i64(&dir.path().join("c")), 12);
}

#[test]
fn selecting_some_assets_of_a_multi_asset_is_refused_naming_them_all() {
    let dir = tempfile::tempdir().unwrap();
    let defs = Definitions::new()
        .assets(ab(true, true))
        .assets(downstreams())
        .resource("fs_a", FilesystemIOManager::new(dir.path()))
        .resource("fs_b", FilesystemIOManager::new(dir.path()))
        .resource("io_manager", FilesystemIOManager::new(dir.path()));
    let e = defs.materialize(["b"]).unwrap_err().to_string();
    assert!(
        e.contains("multi-asset `ab` computes assets `p/a`, `b` in one step, but only `b` is selected; it cannot be subset (as Dagster's multi-assets without can_subset): select `p/a` too"),
        "{e}"
    );
    assert!(!dir.path().join("b").exists());
}

#[test]
fn definition_metadata_of_each_out_reaches_handle_output_and_the_downstream_upstream_output() {
    type Seen = Arc<Mutex<Vec<String>>>;
    struct Recording(Seen);
    impl IOManager<i64> for Recording {
        fn handle_output(&self, ctx: &mut OutputContext, obj: &i64) -> larder::Result<()> {
            let m = &ctx.definition_metadata()["owner"];
            self.0
                .lock()
                .unwrap()
                .push(format!("store {} = {obj}, owner {m:?}", ctx.asset_key()?));
            Ok(())
        }
        fn load_input(&self, ctx: &mut InputContext) -> larder::Result<i64> {
            let up = ctx.upstream_output().expect("an upstream output");
            let m = &up.definition_metadata()["owner"];
            self.0.lock().unwrap().push(format!(
                "load {} from {}, owner {m:?}",
                ctx.name()?,
                up.asset_key()?
            ));
            Ok(5)
        }
    }
    let seen = Seen::default();
    let typed = larder::TypedOutput::new::<Recording, i64>();
    let multi = MultiAssetDefinition::builder("ab")
        .out(
            AssetOut::new("a", type_info!(i64))
                .io_manager_key("rec")
                .typed(typed)
                .metadata(Metadata::from_iter([(
                    "owner".to_owned(),
                    MetadataValue::from("ann"),
                )])),
        )
        .out(
            AssetOut::new("b", type_info!(i64))
                .io_manager_key("rec")
                .typed(typed)
                .metadata(Metadata::from_iter([(
                    "owner".to_owned(),
                    MetadataValue::from("bob"),
                )])),
        )
        .compute(|io| {
            io.output("a", 1_i64)?;
            io.output("b", 2_i64)
        });
    assert_eq!(
        multi.assets()[1].metadata()["owner"],
        MetadataValue::from("bob")
    );
    let c = AssetDefinition::builder("c")
        .input(AssetIn::new("b", type_info!(i64)))
        .compute(|io| {
            let _: i64 = io.input("b")?;
            Ok(())
        });
    let result = Definitions::new()
        .assets(multi)
        .asset(c)
        .resource(
            "rec",
            IOManagerDefinition::hardcoded(Recording(seen.clone())),
        )
        .materialize_all()
        .unwrap();
    assert!(result.success());
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "store a = 1, owner Text(\"ann\")",
            "store b = 2, owner Text(\"bob\")",
            "load b from b, owner Text(\"bob\")",
        ]
    );
}

#[test]
fn an_optional_out_not_produced_skips_its_downstreams_and_the_run_succeeds() {
    let (dir_a, dir_b, dir) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let e = AssetDefinition::builder("e")
        .input(AssetIn::new("c", type_info!(i64)))
        .output_type(type_info!(i64))
        .compute(|io| {
            let c: i64 = io.input("c")?;
            io.output("result", c)
        });
    let defs = Definitions::new()
        .assets(ab(false, false))
        .assets(downstreams())
        .asset(e)
        .resource("fs_a", FilesystemIOManager::new(dir_a.path()))
        .resource("fs_b", FilesystemIOManager::new(dir_b.path()))
        .resource("io_manager", FilesystemIOManager::new(dir.path()));
    let result = defs.materialize_all().unwrap();
    assert!(result.success(), "{:?}", result.failure_lines());

    // `b` is neither stored nor reported; `c` (reads it) and `e` (reads `c`)
    // are skipped as Dagster skips them; `d` (reads `p/a`) runs.
    assert!(!dir_b.path().join("b").exists());
    assert_eq!(read_i64(&dir.path().join("d")), 101);
    assert!(!dir.path().join("c").exists());
    assert_eq!(
        result.step_outcome("c"),
        Some(&StepOutcome::NotYielded(vec!["ab.b".to_owned()]))
    );
    assert_eq!(
        result.step_outcome("e"),
        Some(&StepOutcome::NotYielded(vec!["c.result".to_owned()]))
    );
    let types: Vec<(EventType, Option<String>)> = event_types(&result)
        .into_iter()
        .filter(|(_, s)| s.as_deref() != Some("d"))
        .collect();
    let s = |k: &str| Some(k.to_owned());
    assert_eq!(
        types,
        [
            (EventType::RunStart, None),
            (EventType::StepStart, s("ab")),
            (EventType::StepOutput, s("ab")),
            (EventType::AssetMaterialization, s("ab")),
            (EventType::HandledOutput, s("ab")),
            (EventType::StepSuccess, s("ab")),
            (EventType::StepSkipped, s("c")),
            (EventType::StepSkipped, s("e")),
            (EventType::RunSuccess, None),
        ]
    );
    let skipped = result.events_of_type(EventType::StepSkipped);
    assert_eq!(
        skipped[0].message,
        "Skipping step c due to skipped dependencies: ['ab.b']."
    );
    assert_eq!(
        skipped[1].message,
        "Skipping step e due to skipped dependencies: ['c.result']."
    );
}

#[test]
fn a_required_out_not_produced_fails_the_step_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let e = Definitions::new()
        .assets(ab(true, false))
        .resource("fs_a", FilesystemIOManager::new(dir.path()))
        .resource("fs_b", FilesystemIOManager::new(dir.path()))
        .materialize_all()
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(
            "step `ab` failed: error in the body of step `ab`: the body did not set output `b`"
        ),
        "{e}"
    );
}

#[test]
fn a_partitioned_multi_asset_writes_each_asset_per_partition() {
    let dir = tempfile::tempdir().unwrap();
    let colors = || StaticPartitionsDefinition::new(["red", "blue"]);
    let multi = MultiAssetDefinition::builder("split")
        .partitions_def(colors())
        .out(AssetOut::new("left", type_info!(String)))
        .out(AssetOut::new("right", type_info!(String)).key_prefix(["sides"]))
        .compute(|io| {
            let p = io.partition_key()?.to_owned();
            io.output("left", format!("{p}-l"))?;
            io.output("right", format!("{p}-r"))
        });
    let joined = AssetDefinition::builder("joined")
        .partitions_def(colors())
        .input(AssetIn::new("left", type_info!(String)))
        .input(AssetIn::new("right", type_info!(String)).key_prefix(["sides"]))
        .output_type(type_info!(String))
        .compute(|io| {
            let l: String = io.input("left")?;
            let r: String = io.input("right")?;
            io.output("result", format!("{l}+{r}"))
        });
    let defs = Definitions::new()
        .assets(multi)
        .asset(joined)
        .resource("io_manager", FilesystemIOManager::new(dir.path()));
    for p in ["red", "blue"] {
        let result = defs.run(RunOptions::new().partition_key(p)).unwrap();
        let materialized: Vec<String> = result
            .events_of_type(EventType::AssetMaterialization)
            .iter()
            .map(|e| match &e.kind {
                EventKind::AssetMaterialization {
                    asset_key,
                    partition,
                    ..
                } => format!("{asset_key}[{}]", partition.as_deref().unwrap_or("-")),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(
            materialized,
            [
                format!("left[{p}]"),
                format!("sides/right[{p}]"),
                format!("joined[{p}]")
            ]
        );
    }
    let read = |path: &str| -> String {
        rmp_serde::from_slice(&std::fs::read(dir.path().join(path)).unwrap()).unwrap()
    };
    assert_eq!(read("left/red"), "red-l");
    assert_eq!(read("sides/right/blue"), "blue-r");
    assert_eq!(read("joined/blue"), "blue-l+blue-r");
}
