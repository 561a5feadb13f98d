//! Panics in user callbacks outside step bodies (resource construction,
//! `setup_for_execution`, teardown, event listeners) are caught like a
//! step body's: the caller gets a `RunResult` or an error naming the
//! resource, and the run is always recorded in the history.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use larder::prelude::*;
use larder::{Error, ResourceDefinition, ResourceKind, type_info};

fn asset_x() -> AssetDefinition {
    asset_x_using(std::iter::empty::<&str>())
}

/// `x`, requiring `keys`: only the resources a run's steps use are built.
fn asset_x_using<S: Into<String>>(keys: impl IntoIterator<Item = S>) -> AssetDefinition {
    AssetDefinition::builder("x")
        .output_type(type_info!(i64))
        .required_resource_keys(keys)
        .compute(|io| io.output("result", 7_i64))
}

/// `(success, job_name)` of each run recorded in the instance's history.
fn recorded_runs(home: &std::path::Path) -> Vec<(String, bool)> {
    let conn = rusqlite::Connection::open(home.join("history.sqlite3")).unwrap();
    let mut stmt = conn.prepare("SELECT run_id, success FROM runs").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn panicking_resource() -> ResourceDefinition {
    ResourceDefinition::new(ResourceKind::Resource, |_| -> larder::Result<u8> {
        panic!("cannot connect to the database")
    })
}

/// A manager whose `setup_for_execution` panics.
struct SetupPanics;

impl ResourceLifecycle for SetupPanics {
    fn setup_for_execution(&mut self, _ctx: &mut InitContext) -> larder::Result<()> {
        panic!("setup went wrong")
    }
}

#[io_manager(key = "setup_panics")]
fn setup_panics() -> SetupPanics {
    SetupPanics
}

/// A manager whose `teardown_after_execution` panics.
struct TeardownPanics;

impl ResourceLifecycle for TeardownPanics {
    fn teardown_after_execution(&self, _ctx: &mut InitContext) -> larder::Result<()> {
        panic!("teardown went wrong")
    }
}

#[io_manager(key = "teardown_panics")]
fn teardown_panics() -> TeardownPanics {
    TeardownPanics
}

#[test]
fn a_panicking_resource_init_fails_the_run_and_is_recorded() {
    let home = tempfile::tempdir().unwrap();
    let defs = Definitions::new()
        .asset(asset_x_using(["db"]))
        .resource("db", panicking_resource());
    let result = defs
        .run(
            RunOptions::new()
                .instance(Instance::at(home.path()))
                .raise_on_error(false),
        )
        .unwrap();
    assert!(!result.success());
    let lines = result.failure_lines().join("\n");
    assert!(lines.contains("resource `db`"), "{lines}");
    assert!(
        lines.contains("panicked: cannot connect to the database"),
        "{lines}"
    );
    assert!(result.events_of_type(larder::EventType::RunFailure).len() == 1);
    assert_eq!(
        recorded_runs(home.path()),
        [(result.run_id().to_owned(), false)]
    );
}

#[test]
fn a_panicking_resource_init_is_an_error_naming_the_resource() {
    let home = tempfile::tempdir().unwrap();
    let defs = Definitions::new()
        .asset(asset_x_using(["db"]))
        .resource("db", panicking_resource());
    let err = defs
        .run(RunOptions::new().instance(Instance::at(home.path())))
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("resource `db`"), "{text}");
    assert!(
        matches!(err.root(), Error::Panic(m) if m == "cannot connect to the database"),
        "{err:?}"
    );
    assert_eq!(recorded_runs(home.path()).len(), 1);
}

#[test]
fn a_panicking_setup_for_execution_fails_the_run_and_is_recorded() {
    let home = tempfile::tempdir().unwrap();
    let defs = Definitions::new()
        .asset(asset_x_using(["probe"]))
        .resource("probe", larder::declared_manager("setup_panics"));
    let result = defs
        .run(
            RunOptions::new()
                .instance(Instance::at(home.path()))
                .raise_on_error(false),
        )
        .unwrap();
    assert!(!result.success());
    let lines = result.failure_lines().join("\n");
    assert!(lines.contains("resource `probe`"), "{lines}");
    assert!(lines.contains("panicked: setup went wrong"), "{lines}");
    assert_eq!(
        recorded_runs(home.path()),
        [(result.run_id().to_owned(), false)]
    );

    let err = defs
        .run(RunOptions::new().instance(Instance::at(home.path())))
        .unwrap_err();
    assert!(err.to_string().contains("resource `probe`"), "{err}");
    assert!(
        matches!(err.root(), Error::Panic(m) if m == "setup went wrong"),
        "{err:?}"
    );
    assert_eq!(recorded_runs(home.path()).len(), 2);
}

#[test]
fn a_panicking_teardown_is_a_teardown_error_and_keeps_the_run() {
    let home = tempfile::tempdir().unwrap();
    let defs = Definitions::new()
        .asset(asset_x_using(["probe"]))
        .resource("probe", larder::declared_manager("teardown_panics"));
    for raise in [false, true] {
        let result = defs
            .run(
                RunOptions::new()
                    .instance(Instance::at(home.path()))
                    .raise_on_error(raise),
            )
            .unwrap();
        // The steps succeeded and stored their values before teardown.
        assert!(result.success());
        assert_eq!(*result.asset_value::<i64>("x").unwrap(), 7);
        assert!(result.storage_dir().join("x").is_file());
        let errors = result.teardown_errors().join("\n");
        assert!(errors.contains("resource `probe`"), "{errors}");
        assert!(errors.contains("panicked: teardown went wrong"), "{errors}");
        let history = Instance::at(home.path()).history().unwrap().unwrap();
        let latest = history
            .latest_materialization(&AssetKey::from("x"))
            .unwrap()
            .unwrap();
        assert_eq!(latest.run_id, result.run_id());
    }
    let runs = recorded_runs(home.path());
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|(_, success)| *success));
}

#[test]
fn a_panicking_on_teardown_closure_is_a_teardown_error() {
    let def = ResourceDefinition::new(ResourceKind::Resource, |_| Ok(1_u8))
        .on_teardown(|_: &u8, _| panic!("closing failed"));
    let result = Definitions::new()
        .asset(asset_x_using(["conn"]))
        .resource("conn", def)
        .run(RunOptions::new().in_memory())
        .unwrap();
    assert!(result.success());
    assert_eq!(
        result.teardown_errors(),
        ["tearing down resource `conn`: panicked: closing failed"]
    );
}

#[test]
fn resources_built_before_a_panicking_one_are_torn_down() {
    let torn_down = Arc::new(AtomicUsize::new(0));
    let seen = torn_down.clone();
    let first = ResourceDefinition::new(ResourceKind::Resource, |_| Ok(1_u8)).on_teardown(
        move |_: &u8, _| {
            seen.fetch_add(1, Ordering::SeqCst);
            Ok(())
        },
    );
    let result = Definitions::new()
        .asset(asset_x_using(["first", "db"]))
        .resource("first", first)
        .resource("db", panicking_resource())
        .run(RunOptions::new().in_memory().raise_on_error(false))
        .unwrap();
    assert!(!result.success());
    assert_eq!(torn_down.load(Ordering::SeqCst), 1);
}

#[test]
fn a_panicking_event_listener_does_not_escape_the_run() {
    let home = tempfile::tempdir().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let result = Definitions::new()
        .asset(asset_x())
        .run(
            RunOptions::new()
                .instance(Instance::at(home.path()))
                .raise_on_error(false)
                .on_event(move |_| {
                    seen.fetch_add(1, Ordering::SeqCst);
                    panic!("progress bar broke")
                }),
        )
        .unwrap();
    // The listener is not called again once it has panicked.
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        result.listener_error(),
        Some("the event listener panicked: progress bar broke")
    );
    assert!(result.success());
    assert_eq!(*result.asset_value::<i64>("x").unwrap(), 7);
    assert_eq!(recorded_runs(home.path()).len(), 1);
}
