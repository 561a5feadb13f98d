//! Dynamic partitions (Dagster's `DynamicPartitionsDefinition`): keys
//! added and removed at run time, kept in the instance's run history in
//! insertion order, laid out like static partitions, and checked before
//! any run or backfill launches.

use larder::partitions::{
    DynamicPartitionsDefinition, MultiPartitionKey, MultiPartitionsDefinition,
    PartitionsDefinition, TimeWindowPartitionsDefinition,
};
use larder::prelude::*;
use larder::run::history::RunHistory;
use larder::{AssetSelection, BackfillOptions, Error, Instance, type_info};

fn problems(err: Error) -> Vec<String> {
    match err {
        Error::InvalidDefinitions(p) => p,
        other => panic!("expected InvalidDefinitions, got {other}"),
    }
}

/// An asset partitioned by `def` whose value is its partition key.
fn keyed(name: &str, def: impl Into<PartitionsDefinition>) -> AssetDefinition {
    AssetDefinition::builder(name)
        .partitions_def(def.into())
        .output_type(type_info!(String))
        .compute(|io| {
            let key = io.partition_key()?.to_owned();
            io.output("result", key)
        })
}

#[test]
fn keys_keep_insertion_order_and_persist_across_instances() {
    let home = tempfile::tempdir().unwrap();
    let instance = Instance::at(home.path());
    assert!(instance.get_dynamic_partitions("files").unwrap().is_empty());
    instance
        .add_dynamic_partitions("files", ["c.csv", "a.csv"])
        .unwrap();
    // A key there already stays where it is; other names are separate.
    instance
        .add_dynamic_partitions("files", ["b.csv", "c.csv"])
        .unwrap();
    instance.add_dynamic_partitions("other", ["x"]).unwrap();
    assert_eq!(
        instance.get_dynamic_partitions("files").unwrap(),
        ["c.csv", "a.csv", "b.csv"]
    );
    assert!(instance.has_dynamic_partition("files", "a.csv").unwrap());
    assert!(!instance.has_dynamic_partition("other", "a.csv").unwrap());
    assert!(instance.delete_dynamic_partition("files", "a.csv").unwrap());
    assert!(!instance.delete_dynamic_partition("files", "a.csv").unwrap());
    // A fresh connection to the same file (another process's view).
    let reopened = RunHistory::open(instance.history_path().unwrap()).unwrap();
    assert_eq!(
        reopened.get_dynamic_partitions("files").unwrap(),
        ["c.csv", "b.csv"]
    );
    assert_eq!(reopened.get_dynamic_partitions("other").unwrap(), ["x"]);
    assert_eq!(
        reopened.schema_version().unwrap(),
        larder::run::history::SCHEMA_VERSION
    );
}

#[test]
fn an_ephemeral_instance_keeps_its_keys_in_memory() {
    let instance = Instance::ephemeral();
    instance
        .add_dynamic_partitions("mem", ["one", "two"])
        .unwrap();
    assert_eq!(
        instance.get_dynamic_partitions("mem").unwrap(),
        ["one", "two"]
    );
    assert!(instance.delete_dynamic_partition("mem", "one").unwrap());
    assert_eq!(instance.get_dynamic_partitions("mem").unwrap(), ["two"]);
    // Another ephemeral instance is another storage directory.
    assert!(
        Instance::ephemeral()
            .get_dynamic_partitions("mem")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn invalid_keys_are_refused_naming_the_key_and_nothing_is_added() {
    let home = tempfile::tempdir().unwrap();
    let instance = Instance::at(home.path());
    let cases = [
        (
            "",
            "dynamic partition key is empty; it cannot be added to dynamic partitions `files`",
        ),
        (
            "a/b",
            "dynamic partition key `a/b` contains '/', which is not allowed in a path component; it cannot be added to dynamic partitions `files`",
        ),
        (
            "2024...2025",
            "dynamic partition key `2024...2025` contains \"...\", which partition keys cannot contain (`...` separates the ends of a range); it cannot be added to dynamic partitions `files`",
        ),
        (
            "a\tb",
            "dynamic partition key `a\\tb` contains \"\\t\", which partition keys cannot contain (`...` separates the ends of a range); it cannot be added to dynamic partitions `files`",
        ),
        (
            "..",
            "dynamic partition key `..` would name a directory, not a partition; it cannot be added to dynamic partitions `files`",
        ),
    ];
    for (key, message) in cases {
        let err = instance
            .add_dynamic_partitions("files", ["good", key])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("invalid partitions definition: {message}")
        );
    }
    assert!(instance.get_dynamic_partitions("files").unwrap().is_empty());
}

#[test]
fn added_keys_are_materialized_one_file_per_key_and_deleted_ones_refused() {
    let home = tempfile::tempdir().unwrap();
    let base = tempfile::tempdir().unwrap();
    let instance = Instance::at(home.path());
    let defs = Definitions::new()
        .asset(keyed("by_file", DynamicPartitionsDefinition::new("files")))
        .resource("io_manager", FilesystemIOManager::new(base.path()));
    let run = |key: &str| {
        defs.run(
            RunOptions::new()
                .partition_key(key)
                .instance(instance.clone()),
        )
    };
    // No keys yet: refused before launch, saying how to add one.
    let err = run("a.csv").unwrap_err();
    assert_eq!(
        problems(err),
        [
            "asset `by_file`: partition key `a.csv` is not a partition of dynamic partitions `files`: it has no keys yet; add it first (Instance::add_dynamic_partitions(\"files\", [\"a.csv\"]) or `partitions add files a.csv`)"
        ]
    );
    instance
        .add_dynamic_partitions("files", ["a.csv", "b.csv"])
        .unwrap();
    for key in ["a.csv", "b.csv"] {
        let r = run(key).unwrap();
        assert_eq!(r.asset_value::<String>("by_file").unwrap(), key);
        // Laid out like static partitions: <base>/<asset>/<key>.
        assert!(base.path().join("by_file").join(key).is_file(), "{key}");
    }
    // A typo gets the nearest key.
    let err = run("b.cvs").unwrap_err();
    let far = run("zebra").unwrap_err();
    assert_eq!(
        problems(far),
        [
            "asset `by_file`: partition key `zebra` is not a partition of dynamic partitions `files`: it is not one of its 2 keys (a.csv, b.csv); add it first (Instance::add_dynamic_partitions or `partitions add files zebra`)"
        ]
    );
    assert_eq!(
        problems(err),
        [
            "asset `by_file`: partition key `b.cvs` is not a partition of dynamic partitions `files`: it is not one of its 2 keys; did you mean `b.csv`?"
        ]
    );
    // Deleted, then refused (its file stays).
    instance.delete_dynamic_partition("files", "a.csv").unwrap();
    let err = run("a.csv").unwrap_err();
    assert_eq!(
        problems(err),
        [
            "asset `by_file`: partition key `a.csv` is not a partition of dynamic partitions `files`: it is not one of its 1 key; did you mean `b.csv`?"
        ]
    );
    assert!(base.path().join("by_file").join("a.csv").is_file());
}

#[test]
fn a_step_adds_keys_then_a_backfill_materializes_each() {
    // Dagster's sensor that adds a partition per new file: here a step
    // adds them, and the backfill reads the keys when it starts.
    let home = tempfile::tempdir().unwrap();
    let base = tempfile::tempdir().unwrap();
    let instance = Instance::at(home.path());
    let discovering = instance.clone();
    let discover = OpDefinition::builder("discover_files")
        .output(Out::result(type_info!(usize)))
        .compute(move |io| {
            let found = ["jan.csv", "feb.csv", "mar.csv"];
            discovering.add_dynamic_partitions("files", found)?;
            io.output("result", found.len())
        });
    let mut b = JobDefinition::builder("discover");
    b.invoke(&discover, []);
    let defs = Definitions::new()
        .job(b.build().unwrap())
        .asset(keyed("by_file", DynamicPartitionsDefinition::new("files")))
        .resource("io_manager", FilesystemIOManager::new(base.path()));
    defs.execute_job("discover", RunOptions::new().instance(instance.clone()))
        .unwrap();
    let result = defs
        .backfill(
            BackfillOptions::new(AssetSelection::parse("by_file").unwrap())
                .instance(instance.clone()),
        )
        .unwrap();
    assert!(result.success(), "{}", result.summary());
    let done: Vec<&str> = result.succeeded().map(|p| p.partition.as_str()).collect();
    assert_eq!(done, ["jan.csv", "feb.csv", "mar.csv"]);
    for key in done {
        assert!(base.path().join("by_file").join(key).is_file(), "{key}");
    }
    // A range in insertion order; a key the instance lacks is refused.
    let r = defs
        .backfill(
            BackfillOptions::new(AssetSelection::parse("by_file").unwrap())
                .partition_range("feb.csv", "mar.csv")
                .force(true)
                .instance(instance.clone()),
        )
        .unwrap();
    assert_eq!(r.succeeded().count(), 2);
    let err = defs
        .backfill(
            BackfillOptions::new(AssetSelection::parse("by_file").unwrap())
                .partitions(["apr.csv"])
                .instance(instance.clone()),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("1 of the partitions is not in dynamic partitions `files`: apr.csv"),
        "{err}"
    );
}

#[test]
fn a_multi_partition_with_a_dynamic_dimension() {
    let home = tempfile::tempdir().unwrap();
    let base = tempfile::tempdir().unwrap();
    let instance = Instance::at(home.path());
    let daily: PartitionsDefinition = TimeWindowPartitionsDefinition::daily("2024-01-01")
        .build()
        .unwrap()
        .into();
    let multi = MultiPartitionsDefinition::new([
        ("date", daily),
        ("region", DynamicPartitionsDefinition::new("regions").into()),
    ])
    .unwrap();
    let defs = Definitions::new()
        .asset(keyed("sales", multi))
        .resource("io_manager", FilesystemIOManager::new(base.path()));
    let key = MultiPartitionKey::new([("date", "2024-01-02"), ("region", "eu")]).to_string();
    let run = || {
        defs.run(
            RunOptions::new()
                .partition_key(key.clone())
                .now("2024-02-01T00:00:00Z".parse().unwrap())
                .instance(instance.clone()),
        )
    };
    let err = run().unwrap_err();
    let p = problems(err);
    assert!(
        p[0].starts_with("asset `sales`: partition key `2024-01-02|eu`"),
        "{p:?}"
    );
    assert!(p[0].contains("dynamic partitions `regions`"), "{p:?}");
    instance
        .add_dynamic_partitions("regions", ["eu", "us"])
        .unwrap();
    let r = run().unwrap();
    assert_eq!(r.asset_value::<String>("sales").unwrap(), &key);
    // Dimension values sorted by dimension name: <base>/sales/<date>/<region>.
    assert!(base.path().join("sales/2024-01-02/eu").is_file());
    // A dynamic key that a dimension cannot hold is refused when the keys are read.
    instance.add_dynamic_partitions("regions", ["a|b"]).unwrap();
    let p = problems(run().unwrap_err());
    assert!(
        p[0].contains("dynamic partition key `a|b` of dimension `region` (dynamic partitions `regions`) contains `|`"),
        "{p:?}"
    );
}

#[test]
fn a_definition_without_an_instance_says_where_its_keys_come_from() {
    let def: PartitionsDefinition = DynamicPartitionsDefinition::new("files").into();
    let err = def.partition_keys_now().unwrap_err();
    assert!(
        err.to_string()
            .contains("the keys of dynamic partitions `files` were not read from an instance"),
        "{err}"
    );
    // Same name, same partitions (Dagster compares by name).
    assert_eq!(
        DynamicPartitionsDefinition::new("files").with_keys(["a"]),
        DynamicPartitionsDefinition::new("files")
    );
    assert_ne!(
        DynamicPartitionsDefinition::new("files"),
        DynamicPartitionsDefinition::new("other")
    );
}
