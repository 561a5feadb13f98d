//! Files land where Dagster puts them, and are read back.

mod common;

use common::*;
use larder::prelude::*;
use larder::{EventKind, EventType, MetadataValue, type_info};

#[test]
fn op_job_writes_run_scoped_paths_and_downstream_loads_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut job = JobDefinition::builder("my_job");
    let a = job.invoke(&const_op("op_a", 41), []);
    job.invoke(&plus_one_op("op_b"), [("x", a.output())]);
    job.resource("io_manager", FilesystemIOManager::new(dir.path()));
    let result = job.build().unwrap().execute_in_process().unwrap();

    let run_id = result.run_id();
    let a_path = dir.path().join(run_id).join("op_a").join("result");
    let b_path = dir.path().join(run_id).join("op_b").join("result");
    assert!(a_path.is_file(), "missing {}", a_path.display());
    assert!(b_path.is_file(), "missing {}", b_path.display());
    let stored: i64 = rmp_serde::from_slice(&std::fs::read(&b_path).unwrap()).unwrap();
    assert_eq!(stored, 42);
    assert_eq!(*result.output_for_node::<i64>("op_b").unwrap(), 42);

    // The loaded input names the file it came from.
    let loaded = result.events_of_type(EventType::LoadedInput);
    assert_eq!(loaded.len(), 1);
    match &loaded[0].kind {
        EventKind::LoadedInput {
            input_name,
            manager_key,
            upstream_output_name,
            upstream_step_key,
            metadata,
        } => {
            assert_eq!(input_name, "x");
            assert_eq!(manager_key, "io_manager");
            assert_eq!(upstream_output_name.as_deref(), Some("result"));
            assert_eq!(upstream_step_key.as_deref(), Some("op_a"));
            assert_eq!(metadata["path"], MetadataValue::path(&a_path));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        loaded[0].message,
        "Loaded input \"x\" using input manager \"io_manager\", from output \"result\" of step \"op_a\""
    );
}

#[test]
fn assets_with_key_prefixes_are_stored_under_their_key_path() {
    let dir = tempfile::tempdir().unwrap();
    let asset1 = AssetDefinition::builder("asset1")
        .key_prefix(["one", "two", "three"])
        .output_type(type_info!(Vec<i64>))
        .compute(|io| io.output("result", vec![1_i64, 2, 3]));
    let asset2 = AssetDefinition::builder("asset2")
        .key_prefix(["four", "five"])
        .input(AssetIn::new("asset1", type_info!(Vec<i64>)).key_prefix(["one", "two", "three"]))
        .output_type(type_info!(Vec<i64>))
        .compute(|io| {
            let v: Vec<i64> = io.input("asset1")?;
            io.output("result", v.into_iter().map(|x| x * 10).collect::<Vec<_>>())
        });
    let defs = Definitions::new()
        .assets([asset1, asset2])
        .resource("io_manager", FilesystemIOManager::new(dir.path()));
    let result = defs.materialize_all().unwrap();

    let p1 = dir.path().join("one/two/three/asset1");
    let p2 = dir.path().join("four/five/asset2");
    let v1: Vec<i64> = rmp_serde::from_slice(&std::fs::read(&p1).unwrap()).unwrap();
    let v2: Vec<i64> = rmp_serde::from_slice(&std::fs::read(&p2).unwrap()).unwrap();
    assert_eq!(v1, [1, 2, 3]);
    assert_eq!(v2, [10, 20, 30]);
    assert_eq!(
        result
            .asset_value::<Vec<i64>>(["four", "five", "asset2"])
            .unwrap(),
        &[10, 20, 30]
    );

    // Materialization and handled-output events carry the path.
    let mats = result.events_of_type(EventType::AssetMaterialization);
    assert_eq!(mats.len(), 2);
    assert!(
        matches!(&mats[1].kind, EventKind::AssetMaterialization { asset_key, metadata, .. }
        if asset_key.to_string() == "four/five/asset2" && metadata["path"] == MetadataValue::path(&p2))
    );
    assert_eq!(mats[1].step_key.as_deref(), Some("four__five__asset2"));

    // A new materialization overwrites; a second run of just asset2 reads the stored asset1.
    let again = defs.materialize(["four/five/asset2"]).unwrap();
    assert_eq!(
        again.asset_value::<Vec<i64>>("four/five/asset2").unwrap(),
        &[10, 20, 30]
    );
    let loaded = again.events_of_type(EventType::LoadedInput);
    assert!(matches!(
        &loaded[0].kind,
        EventKind::LoadedInput {
            upstream_step_key: None,
            ..
        }
    ));
    assert_eq!(
        loaded[0].message,
        "Loaded input \"asset1\" using input manager \"io_manager\""
    );
}

#[test]
fn json_codec_writes_readable_files() {
    let dir = tempfile::tempdir().unwrap();
    let defs = Definitions::new()
        .asset(const_asset("answer", 42))
        .resource(
            "io_manager",
            FilesystemIOManager::new(dir.path()).with_codec(Codec::Json),
        );
    defs.materialize_all().unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("answer")).unwrap(),
        "42"
    );
}

#[test]
fn default_io_manager_uses_larder_home_storage() {
    let home = tempfile::tempdir().unwrap();
    let result = Definitions::new()
        .asset(const_asset("homed", 7))
        .run(RunOptions::new().instance(Instance::at(home.path())))
        .unwrap();
    assert!(home.path().join("storage/homed").is_file());
    assert_eq!(result.storage_dir(), home.path().join("storage"));
}

#[test]
fn unit_outputs_are_never_stored() {
    let dir = tempfile::tempdir().unwrap();
    let side_effect = AssetDefinition::builder("side_effect").compute(|_| Ok(()));
    let after = AssetDefinition::builder("after")
        .input(AssetIn::new("side_effect", type_info!(())))
        .output_type(type_info!(i64))
        .compute(|_| Ok(()));
    // `after` sets no output of its declared type: that is a step failure, named.
    let defs = Definitions::new()
        .assets([side_effect, after])
        .resource("io_manager", FilesystemIOManager::new(dir.path()));
    let result = defs.run(RunOptions::new().raise_on_error(false)).unwrap();
    assert!(!dir.path().join("side_effect").exists());
    let handled = result.events_of_type(EventType::HandledOutput);
    assert!(handled.is_empty());
    // The unit asset still reports a materialization, without metadata.
    let mats = result.events_of_type(EventType::AssetMaterialization);
    assert_eq!(mats.len(), 1);
    assert_eq!(
        result.step_outcome("after"),
        Some(&larder::StepOutcome::Failed(
            "error in the body of step `after`: the body did not set output `result`".into()
        ))
    );
}

#[test]
fn the_filesystem_manager_reports_the_row_count_of_sequences() {
    let dir = tempfile::tempdir().unwrap();
    let rows = AssetDefinition::builder("rows")
        .output_type(type_info!(Vec<i64>))
        .compute(|io| io.output("result", vec![1_i64, 2, 3]));
    let total = AssetDefinition::builder("total")
        .output_type(type_info!(i64))
        .compute(|io| io.output("result", 6_i64));
    let result = Definitions::new()
        .assets([rows, total])
        .resource("io_manager", FilesystemIOManager::new(dir.path()))
        .materialize_all()
        .unwrap();
    let metadata = |step: &str| {
        result
            .events_for_step(step)
            .into_iter()
            .find_map(|e| match &e.kind {
                EventKind::AssetMaterialization { metadata, .. } => Some(metadata.clone()),
                _ => None,
            })
            .unwrap()
    };
    assert_eq!(metadata("rows")[larder::ROW_COUNT], MetadataValue::Int(3));
    assert!(!metadata("total").contains_key(larder::ROW_COUNT));
}

#[test]
fn a_multi_partition_written_in_dagsters_legacy_layout_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let manager = FilesystemIOManager::new(dir.path());
    let legacy = dir.path().join("events").join("c|2020-04-22");
    std::fs::create_dir_all(legacy.parent().unwrap()).unwrap();
    std::fs::write(&legacy, rmp_serde::to_vec(&7_i64).unwrap()).unwrap();
    let mut ctx = larder::build_input_context()
        .asset_key("events")
        .asset_partition_keys(["c|2020-04-22"])
        .build();
    let value: i64 = IOManager::<i64>::load_input(&manager, &mut ctx).unwrap();
    assert_eq!(value, 7);
    assert_eq!(ctx.input_metadata()["path"], MetadataValue::path(&legacy));

    // The current layout wins when both exist.
    let current = dir.path().join("events").join("c").join("2020-04-22");
    std::fs::create_dir_all(current.parent().unwrap()).unwrap();
    std::fs::write(&current, rmp_serde::to_vec(&8_i64).unwrap()).unwrap();
    let mut ctx = larder::build_input_context()
        .asset_key("events")
        .asset_partition_keys(["c|2020-04-22"])
        .build();
    let value: i64 = IOManager::<i64>::load_input(&manager, &mut ctx).unwrap();
    assert_eq!(value, 8);
}
