//! Dagster's partition scenarios on the filesystem manager: layouts,
//! mappings, load shapes, missing partitions, ranges, transitions.

use larder::partitions::{
    MultiPartitionsDefinition, PartitionKeyRange, PartitionMap, PartitionMapping,
    PartitionsDefinition, StaticPartitionsDefinition, TimeWindowPartitionsDefinition,
};
use larder::prelude::*;
use larder::{Error, EventKind, EventType, type_info};

fn now() -> jiff::Timestamp {
    "2024-06-01T00:00:00Z".parse().unwrap()
}

fn daily() -> PartitionsDefinition {
    TimeWindowPartitionsDefinition::daily("2022-01-01")
        .build()
        .unwrap()
        .into()
}

fn hourly() -> PartitionsDefinition {
    TimeWindowPartitionsDefinition::hourly("2022-01-01-00:00")
        .build()
        .unwrap()
        .into()
}

fn defs(dir: &std::path::Path, assets: impl IntoIterator<Item = AssetDefinition>) -> Definitions {
    Definitions::new()
        .assets(assets)
        .resource("io_manager", FilesystemIOManager::new(dir))
}

fn problems(err: Error) -> Vec<String> {
    match err {
        Error::InvalidDefinitions(p) => p,
        other => panic!("expected InvalidDefinitions, got {other}"),
    }
}

/// An hourly asset whose value is its own partition key.
fn hourly_asset() -> AssetDefinition {
    AssetDefinition::builder("hourly")
        .partitions_def(hourly())
        .output_type(type_info!(String))
        .compute(|io| io.output("result", String::from("x")))
}

#[test]
fn hourly_upstream_daily_downstream_loads_24_entries() {
    let dir = tempfile::tempdir().unwrap();
    // Write the 24 hourly partitions of 2022-01-01 in one range run.
    let up = AssetDefinition::builder("hourly")
        .partitions_def(hourly())
        .output_partition_map::<String>(type_info!(String))
        .compute(|io| {
            let m: PartitionMap<String> = (0..24)
                .map(|h| (format!("2022-01-01-{h:02}:00"), format!("h{h}")))
                .collect();
            io.set_output(0, m)
        });
    let down = AssetDefinition::builder("daily_total")
        .partitions_def(daily())
        .input(AssetIn::partition_map::<String>(
            "hourly",
            type_info!(String),
        ))
        .output_type(type_info!(usize))
        .compute(|io| {
            let hours: PartitionMap<String> = io.take_input(0)?;
            assert_eq!(hours.keys().next(), Some("2022-01-01-00:00"));
            io.set_output(0, hours.len())
        });
    let d = defs(dir.path(), [up, down]);
    let r = d
        .run(
            RunOptions::new()
                .selection(["hourly"])
                .partition_range("2022-01-01-00:00", "2022-01-01-23:00")
                .now(now()),
        )
        .unwrap();
    assert_eq!(r.events_of_type(EventType::AssetMaterialization).len(), 24);
    assert!(dir.path().join("hourly/2022-01-01-13:00").is_file());
    let r = d
        .run(
            RunOptions::new()
                .selection(["daily_total"])
                .partition_key("2022-01-01")
                .now(now()),
        )
        .unwrap();
    assert_eq!(*r.asset_value::<usize>("daily_total").unwrap(), 24);
    assert!(dir.path().join("daily_total/2022-01-01").is_file());
    let loaded = &r.events_of_type(EventType::LoadedInput)[0].kind;
    assert!(
        matches!(loaded, EventKind::LoadedInput { metadata, .. } if metadata["partitions"] == MetadataValue::Int(24))
    );

    // Loading the same 24 partitions one at a time gives the same result.
    let r = d
        .run(
            RunOptions::new()
                .selection(["daily_total"])
                .partition_key("2022-01-01")
                .now(now())
                .partition_load_concurrency(1),
        )
        .unwrap();
    assert_eq!(*r.asset_value::<usize>("daily_total").unwrap(), 24);
}

#[test]
fn twenty_four_partitions_into_a_single_value_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let down = AssetDefinition::builder("daily_total")
        .partitions_def(daily())
        .input(AssetIn::new("hourly", type_info!(String)))
        .output_type(type_info!(usize))
        .compute(|io| io.set_output(0, 0_usize));
    let err = defs(dir.path(), [hourly_asset(), down])
        .run(
            RunOptions::new()
                .selection(["daily_total"])
                .partition_key("2022-01-01")
                .now(now()),
        )
        .unwrap_err();
    assert_eq!(
        problems(err),
        [
            "input `hourly` of asset `daily_total` reads 24 partitions (2022-01-01-00:00 to 2022-01-01-23:00) of asset `hourly`, but its type `String` takes exactly one; declare it as `PartitionMap<String>`"
        ]
    );
}

#[test]
fn static_upstream_loaded_whole_by_an_unpartitioned_downstream() {
    let dir = tempfile::tempdir().unwrap();
    let colors = StaticPartitionsDefinition::new(["red", "green", "blue"]).unwrap();
    let up = AssetDefinition::builder("paint")
        .partitions_def(colors)
        .output_type(type_info!(String))
        .compute(|io| {
            let key = io.step_key().to_owned();
            io.set_output(0, format!("{key} can"))
        });
    let down = AssetDefinition::builder("inventory")
        .input(AssetIn::partition_map::<String>(
            "paint",
            type_info!(String),
        ))
        .output_type(type_info!(Vec<String>))
        .compute(|io| {
            let cans: PartitionMap<String> = io.take_input(0)?;
            io.set_output(0, cans.keys().map(str::to_owned).collect::<Vec<_>>())
        });
    let d = defs(dir.path(), [up, down]);
    for color in ["red", "green", "blue"] {
        d.run(RunOptions::new().selection(["paint"]).partition_key(color))
            .unwrap();
        assert!(dir.path().join("paint").join(color).is_file());
    }
    let r = d.run(RunOptions::new().selection(["inventory"])).unwrap();
    assert_eq!(
        r.asset_value::<Vec<String>>("inventory").unwrap(),
        &["red", "green", "blue"]
    );
}

#[test]
fn daily_self_dependency_with_offset_minus_one() {
    let dir = tempfile::tempdir().unwrap();
    let counter = AssetDefinition::builder("counter")
        .partitions_def(daily())
        .input(
            AssetIn::optional::<i64>("counter", type_info!(i64))
                .partition_mapping(PartitionMapping::time_window(-1, -1)),
        )
        .output_type(type_info!(i64))
        .compute(|io| {
            let previous: Option<i64> = io.take_input(0)?;
            io.set_output(0, previous.map_or(1, |p| p + 1))
        });
    let d = defs(dir.path(), [counter]);
    let first = d
        .run(RunOptions::new().partition_key("2022-01-01").now(now()))
        .unwrap();
    assert_eq!(*first.asset_value::<i64>("counter").unwrap(), 1);
    let second = d
        .run(RunOptions::new().partition_key("2022-01-02").now(now()))
        .unwrap();
    assert_eq!(*second.asset_value::<i64>("counter").unwrap(), 2);
}

#[test]
fn a_mapping_with_no_upstream_keys_gives_none_and_the_run_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let up = AssetDefinition::builder("up")
        .partitions_def(daily())
        .output_type(type_info!(i64))
        .compute(|io| io.set_output(0, 1_i64));
    let down = AssetDefinition::builder("down")
        .partitions_def(daily())
        .input(
            AssetIn::optional::<i64>("up", type_info!(i64))
                .partition_mapping(PartitionMapping::Specific(vec![])),
        )
        .output_type(type_info!(bool))
        .compute(|io| {
            let up: Option<i64> = io.take_input(0)?;
            io.set_output(0, up.is_none())
        });
    let r = defs(dir.path(), [up, down])
        .run(
            RunOptions::new()
                .selection(["down"])
                .partition_key("2022-01-05")
                .now(now()),
        )
        .unwrap();
    assert!(*r.asset_value::<bool>("down").unwrap());
}

#[test]
fn missing_partitions_fail_or_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let up = AssetDefinition::builder("up")
        .partitions_def(daily())
        .output_type(type_info!(i64))
        .compute(|io| io.set_output(0, 7_i64));
    let strict = AssetDefinition::builder("strict")
        .input(AssetIn::partition_map::<i64>("up", type_info!(i64)))
        .output_type(type_info!(usize))
        .compute(|io| {
            let m: PartitionMap<i64> = io.take_input(0)?;
            io.set_output(0, m.len())
        });
    let lenient = AssetDefinition::builder("lenient")
        .input(
            AssetIn::partition_map::<i64>("up", type_info!(i64))
                .metadata(larder::metadata! { "allow_missing_partitions" => true }),
        )
        .output_type(type_info!(usize))
        .compute(|io| {
            let m: PartitionMap<i64> = io.take_input(0)?;
            io.set_output(0, m.len())
        });
    let d = defs(dir.path(), [up, strict, lenient]);
    let short_now: jiff::Timestamp = "2022-01-04T00:00:00Z".parse().unwrap();
    d.run(
        RunOptions::new()
            .selection(["up"])
            .partition_key("2022-01-02")
            .now(short_now),
    )
    .unwrap();

    let err = d
        .run(RunOptions::new().selection(["strict"]).now(short_now))
        .unwrap_err();
    let text = err.to_string();
    let missing = dir.path().join("up/2022-01-01");
    assert!(
        text.contains(&format!(
            "error while loading input `up` of step `strict`: 2 of 3 partitions could not be loaded:\n  - partition 2022-01-01 of asset `up` was never materialized: nothing is stored at {}",
            missing.display()
        )),
        "{text}"
    );

    let r = d
        .run(RunOptions::new().selection(["lenient"]).now(short_now))
        .unwrap();
    assert_eq!(*r.asset_value::<usize>("lenient").unwrap(), 1);
    let warnings: Vec<&str> = r
        .events_of_type(EventType::Log)
        .iter()
        .map(|e| e.message.as_str())
        .filter(|m| m.starts_with("Couldn't load partition"))
        .collect();
    assert_eq!(warnings.len(), 2);
}

#[test]
fn multi_partitions_are_laid_out_by_dimension_name() {
    let dir = tempfile::tempdir().unwrap();
    let multi = MultiPartitionsDefinition::new([
        (
            "date",
            PartitionsDefinition::from(
                TimeWindowPartitionsDefinition::daily("2020-01-01")
                    .build()
                    .unwrap(),
            ),
        ),
        (
            "abc",
            PartitionsDefinition::static_keys(["a", "b", "c"]).unwrap(),
        ),
    ])
    .unwrap();
    let asset = AssetDefinition::builder("multi_p")
        .partitions_def(multi)
        .output_type(type_info!(i64))
        .compute(|io| io.set_output(0, 1_i64));
    defs(dir.path(), [asset])
        .run(RunOptions::new().partition_key("a|2020-01-01").now(now()))
        .unwrap();
    assert!(dir.path().join("multi_p/a/2020-01-01").is_file());
}

#[test]
fn an_asset_that_becomes_partitioned_replaces_its_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let before = AssetDefinition::builder("evolving")
        .output_type(type_info!(i64))
        .compute(|io| io.set_output(0, 1_i64));
    defs(dir.path(), [before]).materialize_all().unwrap();
    assert!(dir.path().join("evolving").is_file());
    let after = AssetDefinition::builder("evolving")
        .partitions_def(daily())
        .output_type(type_info!(i64))
        .compute(|io| io.set_output(0, 2_i64));
    let r = defs(dir.path(), [after])
        .run(RunOptions::new().partition_key("2022-01-03").now(now()))
        .unwrap();
    assert!(dir.path().join("evolving/2022-01-03").is_file());
    assert!(
        r.events_of_type(EventType::Log)
            .iter()
            .any(|e| e.message.starts_with("Found file at"))
    );
}

#[test]
fn a_range_run_needs_one_value_per_partition() {
    let dir = tempfile::tempdir().unwrap();
    let single = AssetDefinition::builder("single")
        .partitions_def(daily())
        .output_type(type_info!(i64))
        .compute(|io| io.set_output(0, 1_i64));
    let err = defs(dir.path(), [single])
        .run(
            RunOptions::new()
                .partition_range("2022-01-01", "2022-01-03")
                .now(now()),
        )
        .unwrap_err();
    assert_eq!(
        problems(err),
        [
            "asset `single` covers 3 partitions in this run, but returns a single `i64`; return `PartitionMap<i64>` with one value per partition, or run one partition at a time"
        ]
    );
    let partial = AssetDefinition::builder("partial")
        .partitions_def(daily())
        .output_partition_map::<i64>(type_info!(i64))
        .compute(|io| io.set_output(0, PartitionMap::from_iter([("2022-01-01", 1_i64)])));
    let err = defs(dir.path(), [partial])
        .run(
            RunOptions::new()
                .partition_range("2022-01-01", "2022-01-02")
                .now(now()),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("does not match the run's partitions: missing: 2022-01-02"),
        "{err}"
    );
}

#[test]
fn partitioned_assets_need_a_partition_and_a_valid_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = defs(dir.path(), [hourly_asset()]);
    assert_eq!(
        problems(d.materialize_all().unwrap_err()),
        [
            "asset `hourly` is partitioned; choose the partitions to materialize (RunOptions::partition_key or partition_range, or --partition)"
        ]
    );
    let p = problems(
        d.run(RunOptions::new().partition_key("2022-13-01").now(now()))
            .unwrap_err(),
    );
    assert!(p[0].starts_with("asset `hourly`: "), "{p:?}");
}

#[test]
fn built_contexts_carry_partitions_for_unit_tests() {
    let ctx = build_output_context()
        .step_key("daily")
        .name("result")
        .asset_key("daily")
        .asset_partitions_def(daily())
        .partition_key("2022-01-02")
        .build();
    assert!(ctx.has_asset_partitions());
    assert_eq!(ctx.asset_partition_key().unwrap(), "2022-01-02");
    assert_eq!(ctx.get_asset_identifier().unwrap(), ["daily", "2022-01-02"]);
    let window = ctx.asset_partitions_time_window().unwrap();
    assert_eq!(window.start.timestamp().to_string(), "2022-01-02T00:00:00Z");
    assert_eq!(window.end.timestamp().to_string(), "2022-01-03T00:00:00Z");

    let input = build_input_context()
        .name("daily")
        .asset_key("daily")
        .asset_partitions_def(daily())
        .asset_partition_key_range(PartitionKeyRange::new("2022-01-01", "2022-01-03"))
        .build();
    assert_eq!(
        input.asset_partition_keys().unwrap(),
        ["2022-01-01", "2022-01-02", "2022-01-03"]
    );
    assert_eq!(
        input.asset_partition_key().unwrap_err().to_string(),
        "cannot access `asset_partition_key`: asset `daily` (loaded by input `daily`) covers 3 partitions (2022-01-01 to 2022-01-03), not exactly one; use `asset_partition_keys`"
    );

    // A partitioned manager can be unit-tested with them.
    let dir = tempfile::tempdir().unwrap();
    let fs = FilesystemIOManager::new(dir.path());
    let mut out = build_output_context()
        .asset_key("daily")
        .partition_key("2022-01-02")
        .step_key("daily")
        .name("result")
        .build();
    IOManager::<i64>::handle_output(&fs, &mut out, &5).unwrap();
    assert!(dir.path().join("daily/2022-01-02").is_file());
    let up = build_output_context()
        .asset_key("daily")
        .partition_key("2022-01-02")
        .build();
    let mut input = build_input_context()
        .name("daily")
        .upstream_output(up)
        .build();
    assert_eq!(IOManager::<i64>::load_input(&fs, &mut input).unwrap(), 5);
}
