#![cfg(feature = "cli")]
//! The CLI's `partitions add|list|delete`, `execute JOB --partition` and
//! `show` of an asset over dynamic partitions. One test: it sets
//! `LARDER_HOME`, which is process-wide.

use larder::cli::{Command, PartitionsAction, run};
use larder::partitions::DynamicPartitionsDefinition;
use larder::prelude::*;
use larder::{Instance, type_info};

fn output(defs: &Definitions, command: Command) -> (Result<(), larder::Error>, String) {
    let mut out = Vec::new();
    let result = run(defs, command, &mut out);
    (result, String::from_utf8(out).unwrap())
}

fn action(defs: &Definitions, action: PartitionsAction) -> (Result<(), larder::Error>, String) {
    output(defs, Command::Partitions { action })
}

#[test]
fn partitions_add_list_delete_then_execute_and_show() {
    let home = tempfile::tempdir().unwrap();
    // SAFETY: the only test in this binary.
    unsafe { std::env::set_var("LARDER_HOME", home.path()) };
    let op = OpDefinition::builder("read_file")
        .output(Out::result(type_info!(String)))
        .compute(|io| {
            let key = io.partition_key()?.to_owned();
            io.output("result", key)
        });
    let mut b = JobDefinition::builder("files_job");
    b.partitions_def(DynamicPartitionsDefinition::new("files"));
    b.invoke(&op, []);
    let asset = AssetDefinition::builder("by_file")
        .partitions_def(DynamicPartitionsDefinition::new("files"))
        .output_type(type_info!(String))
        .compute(|io| {
            let key = io.partition_key()?.to_owned();
            io.output("result", key)
        });
    let defs = Definitions::new().job(b.build().unwrap()).asset(asset);
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    let (r, text) = action(
        &defs,
        PartitionsAction::Add {
            name: "files".into(),
            keys: strings(&["b.csv", "a.csv", "b.csv"]),
        },
    );
    r.unwrap();
    assert_eq!(
        text,
        "dynamic partitions `files`: added 2 keys (2 in all)\n"
    );
    let (r, text) = action(
        &defs,
        PartitionsAction::Add {
            name: "files".into(),
            keys: strings(&["c/d"]),
        },
    );
    assert_eq!(
        r.unwrap_err().to_string(),
        "invalid partitions definition: dynamic partition key `c/d` contains '/', which is not allowed in a path component; it cannot be added to dynamic partitions `files`"
    );
    assert!(text.is_empty());
    let (r, text) = action(
        &defs,
        PartitionsAction::List {
            name: "files".into(),
        },
    );
    r.unwrap();
    assert_eq!(
        text,
        "dynamic partitions `files` (2 keys):\n  b.csv\n  a.csv\n"
    );

    // execute JOB --partition KEY, recorded with its partition.
    let (r, text) = output(
        &defs,
        Command::Execute {
            job: "files_job".into(),
            config: None,
            executor: None,
            partition: Some("a.csv".into()),
        },
    );
    r.unwrap();
    assert!(text.contains("1/1 steps succeeded"), "{text}");
    let history = Instance::from_env().unwrap().history().unwrap().unwrap();
    let last = history.recent_runs(1).unwrap().remove(0);
    assert_eq!(last.job_name, "files_job");
    assert_eq!(last.launch.partitions.as_deref(), Some("a.csv"));

    // Materialize one key, then `show` lists the current keys.
    let (r, _) = output(
        &defs,
        Command::Materialize {
            select: vec![],
            job: None,
            config: None,
            in_memory: false,
            partition: Some("b.csv".into()),
            partition_range: None,
            executor: None,
        },
    );
    r.unwrap();
    let (r, text) = output(
        &defs,
        Command::Show {
            asset: "by_file".into(),
        },
    );
    r.unwrap();
    assert!(
        text.contains("  partitions: dynamic partitions `files` (2)\n"),
        "{text}"
    );
    assert!(text.contains("  materialized (1): b.csv\n"), "{text}");
    assert!(text.contains("  missing (1): a.csv\n"), "{text}");

    // delete, then the key is refused before launch.
    let (r, text) = action(
        &defs,
        PartitionsAction::Delete {
            name: "files".into(),
            keys: strings(&["a.csv"]),
        },
    );
    r.unwrap();
    assert_eq!(text, "dynamic partitions `files`: deleted 1 key\n");
    let (r, _) = action(
        &defs,
        PartitionsAction::Delete {
            name: "files".into(),
            keys: strings(&["a.csv"]),
        },
    );
    assert_eq!(
        r.unwrap_err().to_string(),
        "dynamic partitions `files` have no key `a.csv`; did you mean `b.csv`? (the others were deleted)"
    );
    let (r, _) = output(
        &defs,
        Command::Execute {
            job: "files_job".into(),
            config: None,
            executor: None,
            partition: Some("a.csv".into()),
        },
    );
    let err = r.unwrap_err().to_string();
    assert!(
        err.contains("job `files_job`: partition key `a.csv` is not a partition of dynamic partitions `files`"),
        "{err}"
    );
}
