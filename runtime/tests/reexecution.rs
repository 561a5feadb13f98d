//! Re-execution from a parent run, as Dagster's `ReexecutionOptions`
//! tests: which steps run, where their inputs load from, lineage.

mod common;

use common::*;
use larder::prelude::*;
use larder::run::ReexecutionOptions;
use larder::{EventKind, EventType, type_info};

fn fs_job(dir: &std::path::Path) -> Definitions {
    let mut job = JobDefinition::builder("my_job");
    let a = job.invoke(&const_op("op_a", 41), []);
    job.invoke(&plus_one_op("op_b"), [("x", a.output())]);
    job.resource("io_manager", FilesystemIOManager::new(dir));
    Definitions::new().job(job.build().unwrap())
}

fn succeeded(result: &RunResult) -> Vec<String> {
    result
        .events_of_type(EventType::StepSuccess)
        .iter()
        .filter_map(|e| e.step_key.clone())
        .collect()
}

#[test]
fn reexecute_op_b_loads_op_a_from_the_parent_run() {
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let instance = Instance::at(home.path());
    let defs = fs_job(data.path());
    let parent = defs
        .execute_job("my_job", RunOptions::new().instance(instance.clone()))
        .unwrap();
    let child = defs
        .execute_job(
            "my_job",
            RunOptions::new()
                .instance(instance.clone())
                .reexecute(parent.run_id())
                .step_selection(["op_b"]),
        )
        .unwrap();
    assert_ne!(child.run_id(), parent.run_id());
    let loaded = child.events_of_type(EventType::LoadedInput);
    assert_eq!(loaded.len(), 1);
    match &loaded[0].kind {
        EventKind::LoadedInput {
            upstream_step_key, ..
        } => assert_eq!(upstream_step_key.as_deref(), Some("op_a")),
        other => panic!("{other:?}"),
    }
    assert_eq!(succeeded(&child), ["op_b"]);
    assert_eq!(*child.output_for_node::<i64>("op_b").unwrap(), 42);
    // op_b's output is the child's; op_a was not written again.
    assert!(
        data.path()
            .join(child.run_id())
            .join("op_b")
            .join("result")
            .is_file()
    );
    assert!(!data.path().join(child.run_id()).join("op_a").exists());

    let history = instance.history().unwrap().unwrap();
    let rec = history.run(child.run_id()).unwrap().unwrap();
    assert_eq!(rec.launch.parent_run_id.as_deref(), Some(parent.run_id()));
    assert_eq!(rec.launch.root_run_id.as_deref(), Some(parent.run_id()));
    assert_eq!(rec.launch.step_selection.as_deref(), Some("op_b"));
    assert_eq!(rec.status, "SUCCESS");
    let steps = history.run_steps(child.run_id()).unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(
        (
            steps[0].step_key.as_str(),
            steps[0].outcome.as_str(),
            steps[0].attempts
        ),
        ("op_b", "success", 1)
    );

    // A re-execution of the re-execution keeps the root, and still finds
    // op_a's output in the root run (the parent did not store it).
    let grandchild = defs
        .reexecute(
            RunOptions::new()
                .instance(instance.clone())
                .reexecute(child.run_id())
                .step_selection(["op_b"]),
        )
        .unwrap();
    assert_eq!(succeeded(&grandchild), ["op_b"]);
    let rec = history.run(grandchild.run_id()).unwrap().unwrap();
    assert_eq!(rec.launch.parent_run_id.as_deref(), Some(child.run_id()));
    assert_eq!(rec.launch.root_run_id.as_deref(), Some(parent.run_id()));
}

#[derive(Deserialize)]
struct Scale {
    factor: i64,
}

fn config_job(dir: &std::path::Path) -> Definitions {
    let scaled = OpDefinition::builder("scaled")
        .config_type::<Scale>()
        .input(In::new("x", type_info!(i64)))
        .output(Out::result(type_info!(i64)))
        .compute(|io| {
            let scale: Scale = io.config_as()?;
            if scale.factor <= 0 {
                return Err(Error::msg(format!(
                    "factor {} is not positive",
                    scale.factor
                )));
            }
            let x: i64 = io.input("x")?;
            io.output("result", x * scale.factor)
        });
    let mut job = JobDefinition::builder("cfg_job");
    let a = job.invoke(&const_op("source", 5), []);
    let s = job.invoke(&scaled, [("x", a.output())]);
    job.invoke(&plus_one_op("after"), [("x", s.output())]);
    job.resource("io_manager", FilesystemIOManager::new(dir));
    Definitions::new().job(job.build().unwrap())
}

#[test]
fn from_failure_after_a_config_fix_runs_only_failed_and_skipped_steps() {
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let instance = Instance::at(home.path());
    let defs = config_job(data.path());
    let bad = RunConfig::from_toml_str("[ops.scaled.config]\nfactor = 0\n").unwrap();
    let parent = defs
        .execute_job(
            "cfg_job",
            RunOptions::new()
                .instance(instance.clone())
                .run_config(bad)
                .raise_on_error(false),
        )
        .unwrap();
    assert!(!parent.success());
    assert_eq!(succeeded(&parent), ["source"]);

    // Without a fix, the parent's config is reused: it fails again.
    let again = defs
        .execute_job(
            "cfg_job",
            RunOptions::new()
                .instance(instance.clone())
                .reexecution(ReexecutionOptions::from_failure(parent.run_id()))
                .raise_on_error(false),
        )
        .unwrap();
    assert!(!again.success());
    assert!(again.step_outcome("source").is_none());

    let good = RunConfig::from_toml_str("[ops.scaled.config]\nfactor = 3\n").unwrap();
    let fixed = defs
        .execute_job(
            "cfg_job",
            RunOptions::new()
                .instance(instance.clone())
                .reexecution(ReexecutionOptions::from_failure(again.run_id()))
                .run_config(good),
        )
        .unwrap();
    assert_eq!(succeeded(&fixed), ["scaled", "after"]);
    assert_eq!(*fixed.output_for_node::<i64>("after").unwrap(), 16);
    let history = instance.history().unwrap().unwrap();
    let rec = history.run(fixed.run_id()).unwrap().unwrap();
    assert_eq!(rec.launch.root_run_id.as_deref(), Some(parent.run_id()));
    assert_eq!(rec.launch.step_selection.as_deref(), Some("scaled,after"));
    assert_eq!(
        rec.launch.run_config,
        Some(serde_json::json!({"ops": {"scaled": {"config": {"factor": 3}}}}))
    );

    // A run that succeeded cannot be re-executed from failure.
    let err = defs
        .execute_job(
            "cfg_job",
            RunOptions::new()
                .instance(instance.clone())
                .reexecution(ReexecutionOptions::from_failure(fixed.run_id())),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot re-execute run `{}` from failure: it did not fail (status SUCCESS)",
            fixed.run_id()
        )
    );
}

#[test]
fn step_subset_of_a_fresh_run_and_selection_syntax() {
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let instance = Instance::at(home.path());
    let defs = config_job(data.path());
    let config = RunConfig::from_toml_str("[ops.scaled.config]\nfactor = 2\n").unwrap();
    // `*scaled`: scaled and its ancestor, not `after`.
    let r = defs
        .execute_job(
            "cfg_job",
            RunOptions::new()
                .instance(instance.clone())
                .run_config(config.clone())
                .step_selection(["*scaled"]),
        )
        .unwrap();
    assert_eq!(succeeded(&r), ["source", "scaled"]);
    // `after` alone, in the same run id's storage: a new run id has no
    // output of `scaled`, so its load fails naming the path.
    let r2 = defs
        .execute_job(
            "cfg_job",
            RunOptions::new()
                .instance(instance.clone())
                .run_config(config)
                .step_selection(["after"])
                .raise_on_error(false),
        )
        .unwrap();
    assert_ne!(r2.run_id(), r.run_id());
    assert_eq!(succeeded(&r2), Vec::<String>::new());
    assert!(r2.step_outcome("source").is_none());
    let missing = data.path().join(r2.run_id()).join("scaled").join("result");
    let lines = r2.failure_lines().join("\n");
    assert!(lines.contains(&missing.display().to_string()), "{lines}");
    let err = defs
        .execute_job(
            "cfg_job",
            RunOptions::new()
                .instance(instance)
                .run_config(RunConfig::from_toml_str("[ops.scaled.config]\nfactor = 2\n").unwrap())
                .step_selection(["nope+"]),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "step selection `nope+`: job `cfg_job` has no step `nope`"
    );
}

#[test]
fn reexecution_from_the_in_memory_manager_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let instance = Instance::at(home.path());
    let mut job = JobDefinition::builder("mem_job");
    let a = job.invoke(&const_op("op_a", 1), []);
    job.invoke(&plus_one_op("op_b"), [("x", a.output())]);
    let defs = Definitions::new().job(job.build().unwrap());
    let parent = defs
        .execute_job("mem_job", RunOptions::new().instance(instance.clone()))
        .unwrap();
    let err = defs
        .execute_job(
            "mem_job",
            RunOptions::new()
                .instance(instance.clone())
                .reexecute(parent.run_id())
                .step_selection(["op_b"]),
        )
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&format!("cannot re-execute with in-memory IO managers: step `op_b` loads output `result` of step `op_a` (run `{}`) through key `io_manager`, bound to `InMemoryIOManager`", parent.run_id())),
        "{text}"
    );
    // Every step again is fine: nothing is loaded from the parent.
    let all = defs
        .execute_job(
            "mem_job",
            RunOptions::new()
                .instance(instance.clone())
                .reexecute(parent.run_id()),
        )
        .unwrap();
    assert_eq!(succeeded(&all), ["op_a", "op_b"]);
    let err = defs
        .execute_job(
            "mem_job",
            RunOptions::new()
                .instance(instance)
                .reexecute("no-such-run"),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("run `no-such-run`, set as the parent run, was not found"),
        "{err}"
    );
}

#[test]
fn a_history_from_before_versioning_is_migrated_in_place() {
    use larder::run::history::{RunHistory, SCHEMA_VERSION};
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("history.sqlite3");
    {
        // The layout larder wrote before `user_version`, with one run.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE runs (run_id TEXT PRIMARY KEY, job_name TEXT NOT NULL, success INTEGER NOT NULL,
                 started REAL NOT NULL, finished REAL NOT NULL);
             CREATE TABLE materializations (asset_key TEXT NOT NULL, run_id TEXT NOT NULL, step_key TEXT,
                 partition TEXT, timestamp REAL NOT NULL, metadata TEXT NOT NULL);
             CREATE TABLE partition_failures (asset_key TEXT NOT NULL, partition TEXT NOT NULL,
                 run_id TEXT NOT NULL, timestamp REAL NOT NULL, error TEXT NOT NULL);
             INSERT INTO runs VALUES ('old-run', 'old_job', 1, 10.0, 12.5);",
        )
        .unwrap();
    }
    let history = RunHistory::open(&path).unwrap();
    assert_eq!(history.schema_version().unwrap(), SCHEMA_VERSION);
    let old = history.run("old-run").unwrap().unwrap();
    assert_eq!(
        (
            old.job_name.as_str(),
            old.status.as_str(),
            old.started,
            old.finished
        ),
        ("old_job", "SUCCESS", 10.0, 12.5)
    );
    assert_eq!(old.launch, Default::default());
    assert!(history.run_steps("old-run").unwrap().is_empty());
    drop(history);
    // Opening again is a no-op; a newer file is refused, naming it.
    assert_eq!(
        RunHistory::open(&path).unwrap().schema_version().unwrap(),
        SCHEMA_VERSION
    );
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    let err = RunHistory::open(&path).err().unwrap().to_string();
    assert_eq!(
        err,
        format!(
            "run history {}: schema version 99 is newer than this larder's ({SCHEMA_VERSION}); upgrade larder to read it",
            path.display()
        )
    );
}

#[test]
fn env_var_values_are_never_stored_in_the_history() {
    #[derive(Deserialize)]
    struct Secret {
        token: larder::model::config::EnvVar,
    }
    let home = tempfile::tempdir().unwrap();
    let instance = Instance::at(home.path());
    // SAFETY: no other test of this binary reads this variable.
    unsafe { std::env::set_var("LARDER_REEXEC_TEST_TOKEN", "s3cret-value") };
    let uses = OpDefinition::builder("uses")
        .config_type::<Secret>()
        .output(Out::result(type_info!(i64)))
        .compute(|io| {
            let c: Secret = io.config_as()?;
            io.output("result", c.token.get()?.len() as i64)
        });
    let mut job = JobDefinition::builder("secret_job");
    job.invoke(&uses, []);
    let defs = Definitions::new().job(job.build().unwrap());
    let config = RunConfig::from_toml_str(
        "[ops.uses.config]\ntoken = { env = \"LARDER_REEXEC_TEST_TOKEN\" }\n",
    )
    .unwrap();
    let r = defs
        .execute_job(
            "secret_job",
            RunOptions::new()
                .instance(instance.clone())
                .run_config(config),
        )
        .unwrap();
    assert_eq!(*r.output_for_node::<i64>("uses").unwrap(), 12);
    let rec = instance
        .history()
        .unwrap()
        .unwrap()
        .run(r.run_id())
        .unwrap()
        .unwrap();
    assert_eq!(
        rec.launch.run_config,
        Some(
            serde_json::json!({"ops": {"uses": {"config": {"token": {"env": "LARDER_REEXEC_TEST_TOKEN"}}}}})
        )
    );
    let file = std::fs::read(home.path().join("history.sqlite3")).unwrap();
    let wal = std::fs::read(home.path().join("history.sqlite3-wal")).unwrap_or_default();
    let needle = b"s3cret-value";
    for bytes in [&file, &wal] {
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
    }
}

#[test]
fn reexecuting_an_asset_run_loads_unselected_assets_from_their_paths() {
    let home = tempfile::tempdir().unwrap();
    let instance = Instance::at(home.path());
    let defs = Definitions::new().assets([const_asset("up", 1), plus_one("down", "up")]);
    let parent = defs
        .run(RunOptions::new().instance(instance.clone()))
        .unwrap();
    let child = defs
        .reexecute(
            RunOptions::new()
                .instance(instance.clone())
                .reexecute(parent.run_id())
                .step_selection(["down"]),
        )
        .unwrap();
    assert_eq!(succeeded(&child), ["down"]);
    let loaded = child.events_of_type(EventType::LoadedInput);
    assert_eq!(loaded.len(), 1);
    assert_eq!(*child.asset_value::<i64>("down").unwrap(), 2);

    // In memory, the parent's `up` is gone: refused before launch.
    let parent = defs
        .run(RunOptions::new().instance(instance.clone()).in_memory())
        .unwrap();
    let err = defs
        .reexecute(
            RunOptions::new()
                .instance(instance)
                .in_memory()
                .reexecute(parent.run_id())
                .step_selection(["down"]),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid definitions (1 problem):\n  - cannot re-execute with in-memory IO managers: step `down` loads asset `up` (not run in this run) through key `io_manager`, bound to `InMemoryIOManager`, which does not keep values after its run; bind a persistent IO manager to `io_manager` (e.g. `FilesystemIOManager`), or re-execute every step"
    );
}

#[test]
fn step_selection_syntax_picks_dagsters_steps() {
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let instance = Instance::at(home.path());
    let mut job = JobDefinition::builder("chain");
    let a = job.invoke(&const_op("a", 0), []);
    let b = job.invoke(&plus_one_op("b"), [("x", a.output())]);
    let c = job.invoke(&plus_one_op("plus_two"), [("x", b.output())]);
    job.invoke(&plus_one_op("d"), [("x", c.output())]);
    job.resource("io_manager", FilesystemIOManager::new(data.path()));
    let defs = Definitions::new().job(job.build().unwrap());
    let parent = defs
        .execute_job("chain", RunOptions::new().instance(instance.clone()))
        .unwrap();
    for (selection, ran) in [
        ("+plus_two", &["b", "plus_two"][..]),
        ("plus_two*", &["plus_two", "d"]),
        ("b+", &["b", "plus_two"]),
        ("*b", &["a", "b"]),
        ("b,d", &["b", "d"]),
        ("++d", &["b", "plus_two", "d"]),
    ] {
        let r = defs
            .execute_job(
                "chain",
                RunOptions::new()
                    .instance(instance.clone())
                    .reexecute(parent.run_id())
                    .step_selection([selection]),
            )
            .unwrap();
        // Steps with no edge between them in the subset run concurrently.
        let mut done = succeeded(&r);
        done.sort();
        let mut want = ran.to_vec();
        want.sort();
        assert_eq!(done, want, "{selection}");
        assert_eq!(
            r.step_outcomes().keys().collect::<Vec<_>>(),
            ran,
            "{selection}"
        );
    }
    // The values are the parent's: d = a + 3.
    let r = defs
        .execute_job(
            "chain",
            RunOptions::new()
                .instance(instance.clone())
                .reexecute(parent.run_id())
                .step_selection(["d"]),
        )
        .unwrap();
    assert_eq!(*r.output_for_node::<i64>("d").unwrap(), 3);
    let err = defs
        .execute_job(
            "chain",
            RunOptions::new()
                .instance(instance)
                .reexecute(parent.run_id())
                .step_selection(["group:x"]),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "step selection `group:x`: a step selection names steps (`op_b`, `*op_b`, `op_b+`), not groups"
    );
}

#[test]
fn a_selection_that_needs_an_output_no_run_stored_fails_its_load() {
    let home = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let instance = Instance::at(home.path());
    let defs = config_job(data.path());
    let bad = RunConfig::from_toml_str("[ops.scaled.config]\nfactor = 0\n").unwrap();
    let parent = defs
        .execute_job(
            "cfg_job",
            RunOptions::new()
                .instance(instance.clone())
                .run_config(bad)
                .raise_on_error(false),
        )
        .unwrap();
    // As Dagster: no run of the chain stored `scaled`, so `after` loads it
    // as the parent's output (a fixed-path manager would find it); the
    // run-scoped filesystem path does not exist, and the failure names it.
    let r = defs
        .execute_job(
            "cfg_job",
            RunOptions::new()
                .instance(instance.clone())
                .reexecute(parent.run_id())
                .step_selection(["after"])
                .raise_on_error(false),
        )
        .unwrap();
    assert!(!r.success());
    assert_eq!(r.step_outcomes().keys().collect::<Vec<_>>(), ["after"]);
    let missing = data
        .path()
        .join(parent.run_id())
        .join("scaled")
        .join("result");
    let lines = r.failure_lines().join("\n");
    assert!(lines.contains(&missing.display().to_string()), "{lines}");
    let other = Definitions::new().job({
        let mut j = JobDefinition::builder("other");
        j.invoke(&const_op("x", 1), []);
        j.build().unwrap()
    });
    let err = other
        .execute_job(
            "other",
            RunOptions::new()
                .instance(instance)
                .reexecute(parent.run_id()),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot re-execute run `{}` as job `other`: it is a run of `cfg_job`",
            parent.run_id()
        )
    );
}

#[test]
fn from_failure_of_an_asset_run_keeps_its_asset_selection() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let home = tempfile::tempdir().unwrap();
    let instance = Instance::at(home.path());
    let fail = Arc::new(AtomicBool::new(true));
    let f = fail.clone();
    let flaky = AssetDefinition::builder("down")
        .input(AssetIn::new("up", type_info!(i64)))
        .output_type(type_info!(i64))
        .compute(move |io| {
            if f.load(Ordering::SeqCst) {
                return Err(Error::msg("down is flaky"));
            }
            let v: i64 = io.input("up")?;
            io.output("result", v + 1)
        });
    let defs = Definitions::new().assets([const_asset("up", 1), flaky, const_asset("extra", 7)]);
    let parent = defs
        .run(
            RunOptions::new()
                .instance(instance.clone())
                .selection(["up", "down"])
                .raise_on_error(false),
        )
        .unwrap();
    assert!(!parent.success());
    fail.store(false, Ordering::SeqCst);
    let child = defs
        .reexecute(
            RunOptions::new()
                .instance(instance.clone())
                .reexecution(ReexecutionOptions::from_failure(parent.run_id())),
        )
        .unwrap();
    assert_eq!(succeeded(&child), ["down"]);
    assert_eq!(*child.asset_value::<i64>("down").unwrap(), 2);
    let rec = instance
        .history()
        .unwrap()
        .unwrap()
        .run(child.run_id())
        .unwrap()
        .unwrap();
    assert_eq!(rec.launch.selection.as_deref(), Some("up,down"));
    assert_eq!(rec.launch.step_selection.as_deref(), Some("down"));
}
